//! Whisper model files: reading CTranslate2 models, converting them to ggml,
//! checking ggml files, fetching them, and the Silero VAD model.

pub mod convert;
pub mod ct2;
pub mod embedding_fetch;
pub mod fetch;
pub mod ggml;
pub mod mel;
pub mod store;
pub mod vad;
pub mod vocab;
