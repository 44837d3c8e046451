//! rehearse: an offline, private, spoken mock-interview coach.
//!
//! The library holds every capability; `src/main.rs` is only the CLI edge.

pub mod analysis;
pub mod audio;
pub mod bank;
pub mod embed;
pub mod history;
pub mod memory;
pub mod model;
pub mod report;
pub mod session;
pub mod speech;
pub mod thank_you;
pub mod transcribe;
pub mod transcript_check;
pub mod wer;
