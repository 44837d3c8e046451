//! Audio input: reading WAV files and converting them to whisper's format.

pub mod resample;
pub mod wav;
