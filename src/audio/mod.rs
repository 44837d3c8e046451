//! Audio: devices, WAV files, and conversion to whisper's format.

pub mod answer;
pub mod capture;
pub mod devices;
pub mod mic_check;
pub mod playback;
pub mod resample;
pub mod silero;
pub mod speech_edges;
pub mod vad;
pub mod wav;
pub mod wav_sink;
