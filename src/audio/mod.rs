//! Audio: devices, WAV files, and conversion to whisper's format.

pub mod devices;
pub mod resample;
pub mod wav;
