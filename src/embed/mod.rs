//! Sentence embeddings with all-MiniLM-L6-v2, in pure Rust (candle's BERT and
//! the `tokenizers` crate): each sentence becomes a unit vector of 384
//! numbers, mean-pooled over its tokens, so the dot product of two is their
//! cosine similarity. Load one [`Embedder`] per process or session and share
//! it (it is `Sync`).
//!
//! Memory: the word-embedding table (30522 x 384, half of the model's 90 MB)
//! is kept at half precision and each looked-up row widened to f32; the
//! transformer layers run in f32 as trained (candle's BERT encoder). The
//! embeddings step (word + token type + position, layer norm) is the
//! standard BERT one, done here so the table can stay small.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{LayerNorm, VarBuilder};
use candle_transformers::models::bert::{BertEncoder, Config};
use tokenizers::Tokenizer;

use crate::model::embedding_fetch::{self, EmbeddingModelError};

mod weights;

/// Length of one embedding.
pub const DIM: usize = 384;
/// Sentences longer than this many tokens are cut (the model's training length).
const MAX_TOKENS: usize = 256;
/// Sentences embedded in one forward pass.
const BATCH: usize = 16;

/// One sentence embedding (unit length).
pub type Embedding = Vec<f32>;

/// Why the embedder could not load or run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(transparent)]
    Model(#[from] EmbeddingModelError),
    #[error("cannot load the embedding model from {path}: {message}")]
    Load { path: PathBuf, message: String },
    #[error("embedding failed: {0}")]
    Run(String),
}

/// The safetensors name of the word-embedding table (kept as F16).
const WORD_TABLE: &str = "embeddings.word_embeddings.weight";

/// The loaded sentence-embedding model.
pub struct Embedder {
    /// Word embeddings, (vocabulary, hidden), F16.
    words: Tensor,
    /// Position embeddings, (positions, hidden), F32.
    positions: Tensor,
    /// The embedding of token type 0 (every sentence is one segment), (hidden).
    segment: Tensor,
    /// The layer norm after the embeddings.
    norm: LayerNorm,
    encoder: BertEncoder,
    tokenizer: Tokenizer,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder").finish_non_exhaustive()
    }
}

impl Embedder {
    /// Loads the model from `MODELS_DIR/all-MiniLM-L6-v2`, after checking
    /// every file against its pinned sha256.
    pub fn load_from_models_dir(models_dir: &Path) -> Result<Self, EmbedError> {
        Self::load(&embedding_fetch::model_dir(models_dir))
    }

    /// Loads the model from `dir` (checked first, see [`embedding_fetch::verify`]).
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        embedding_fetch::verify(dir)?;
        let load_err = |path: &Path, message: String| EmbedError::Load {
            path: path.to_path_buf(),
            message,
        };
        let config_path = dir.join("config.json");
        let config_text = std::fs::read_to_string(&config_path)
            .map_err(|e| load_err(&config_path, e.to_string()))?;
        let config: Config = serde_json::from_str(&config_text)
            .map_err(|e| load_err(&config_path, e.to_string()))?;
        let tokenizer_path = dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| load_err(&tokenizer_path, e.to_string()))?;
        // The shipped tokenizer pads every input to 128 tokens; padding is
        // done per batch below, with an attention mask.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| load_err(&tokenizer_path, e.to_string()))?;
        let weights = dir.join("model.safetensors");
        // Read, not mapped: see `weights`.
        let mut tensors = weights::read_tensors(&weights, |name| name == WORD_TABLE)
            .map_err(|e| load_err(&weights, e))?;
        let mut take = |name: &str, shape: &[usize]| -> Result<Tensor, EmbedError> {
            let t = tensors
                .remove(name)
                .ok_or_else(|| load_err(&weights, format!("no tensor {name}")))?;
            if t.dims() != shape {
                return Err(load_err(
                    &weights,
                    format!("tensor {name} has shape {:?}, expected {shape:?}", t.dims()),
                ));
            }
            Ok(t)
        };
        let hidden = config.hidden_size;
        let words = take(WORD_TABLE, &[config.vocab_size, hidden])?;
        let positions = take(
            "embeddings.position_embeddings.weight",
            &[config.max_position_embeddings, hidden],
        )?;
        let segment = take(
            "embeddings.token_type_embeddings.weight",
            &[config.type_vocab_size, hidden],
        )?;
        let segment = segment
            .get(0)
            .map_err(|e| load_err(&weights, e.to_string()))?;
        let norm = LayerNorm::new(
            take("embeddings.LayerNorm.weight", &[hidden])?,
            take("embeddings.LayerNorm.bias", &[hidden])?,
            config.layer_norm_eps,
        );
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
        let encoder = BertEncoder::load(vb.pp("encoder"), &config)
            .map_err(|e| load_err(&weights, e.to_string()))?;
        // The file's read buffers and the tokenizer's parse are freed.
        crate::memory::release_free_memory();
        Ok(Self {
            words,
            positions,
            segment,
            norm,
            encoder,
            tokenizer,
        })
    }

    /// The transformer's output for a batch of token ids (n, len) with their
    /// attention mask (1 for real tokens): (n, len, hidden), F32.
    fn forward(&self, ids: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let (n, len) = ids.dims2()?;
        let hidden = self.positions.dim(1)?;
        let words = self
            .words
            .index_select(&ids.flatten_all()?, 0)?
            .to_dtype(DType::F32)?
            .reshape((n, len, hidden))?;
        // BERT's order: words + token type, then + positions, layer norm.
        let x = words
            .broadcast_add(&self.segment)?
            .broadcast_add(&self.positions.narrow(0, 0, len)?)?;
        let x = self.norm.forward(&x)?;
        // Masked-out keys get the lowest f32 (BERT's extended attention mask).
        let mask = mask.to_dtype(DType::F32)?.reshape((n, 1, 1, len))?;
        let mask = ((mask.ones_like()? - &mask)? * f64::from(f32::MIN))?;
        self.encoder.forward(&x, &mask)
    }

    /// Embeds one sentence.
    pub fn embed_one(&self, text: &str) -> Result<Embedding, EmbedError> {
        Ok(self.embed(&[text])?.pop().unwrap_or_else(|| vec![0.0; DIM]))
    }

    /// Embeds sentences, in batches of similar length (a batch is padded to
    /// its longest sentence), returned in the order given.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out: Vec<Embedding> = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            for (&i, v) in chunk.iter().zip(self.embed_batch(&batch)?) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let run = |e: &dyn std::fmt::Display| EmbedError::Run(e.to_string());
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| run(&e))?;
        let len = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let n = encodings.len();
        let mut ids = vec![0u32; n * len];
        let mut mask = vec![0u32; n * len];
        for (i, enc) in encodings.iter().enumerate() {
            for (j, &id) in enc.get_ids().iter().enumerate() {
                ids[i * len + j] = id;
                mask[i * len + j] = 1;
            }
        }
        let device = &Device::Cpu;
        let ids = Tensor::from_vec(ids, (n, len), device).map_err(|e| run(&e))?;
        let mask = Tensor::from_vec(mask, (n, len), device).map_err(|e| run(&e))?;
        let hidden = self.forward(&ids, &mask).map_err(|e| run(&e))?;
        // Mean over the real tokens, then unit length.
        let pooled = (|| -> candle_core::Result<Vec<Vec<f32>>> {
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&m)?.sum(1)?;
            let counts = m.sum(1)?.clamp(1e-9, f32::MAX)?;
            let mean = summed.broadcast_div(&counts)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f32::MAX)?;
            mean.broadcast_div(&norm)?.to_vec2::<f32>()
        })()
        .map_err(|e| run(&e))?;
        Ok(pooled)
    }
}

/// Dot product (the cosine, for unit vectors).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
