//! Whisper model files: reading CTranslate2 models, converting them to ggml,
//! checking ggml files, and fetching them.

pub mod convert;
pub mod ct2;
pub mod embedding_fetch;
pub mod fetch;
pub mod ggml;
pub mod mel;
pub mod store;
pub mod vocab;
