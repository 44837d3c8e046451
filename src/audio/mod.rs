//! Audio: devices, WAV files, and conversion to whisper's format.

pub mod answer;
pub mod capture;
pub mod devices;
pub mod resample;
pub mod vad;
pub mod wav;
pub mod wav_sink;
