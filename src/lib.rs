//! rehearse: an offline, private, spoken mock-interview coach.
//!
//! The library holds every capability; `src/main.rs` is only the CLI edge.

pub mod analysis;
pub mod audio;
pub mod bank;
pub mod model;
pub mod report;
pub mod speech;
pub mod transcribe;
pub mod wer;
