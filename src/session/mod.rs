//! Practice sessions: mock interviews, single-question drills and the demo,
//! tying together questions, speech, recording, transcription, analysis and
//! history.

pub mod demo;
pub mod interview;
pub mod pipeline;
pub mod playback_source;
pub mod warm;
