//! Sentence embeddings with all-MiniLM-L6-v2, in pure Rust (candle's tensors and
//! the `tokenizers` crate): each sentence becomes a unit vector of 384
//! numbers, mean-pooled over its tokens, so the dot product of two is their
//! cosine similarity. Load one [`Embedder`] per process or session and share
//! it (it is `Sync`).
//!
//! Memory: the word-embedding table (30522 x 384, half of the model's 90 MB)
//! is kept at half precision and each looked-up row widened to f32; the
//! transformer layers run in f32 as trained ([`encoder`]). The
//! embeddings step (word + token type + position, layer norm) is the
//! standard BERT one, done here so the table can stay small.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{LayerNorm, VarBuilder};
use candle_transformers::models::bert::Config;
use tokenizers::Tokenizer;

use crate::model::embedding_fetch::{self, EmbeddingModelError};

mod encoder;
mod weights;

/// Length of one embedding.
pub const DIM: usize = 384;
/// Sentences longer than this many tokens are cut (the model's training length).
const MAX_TOKENS: usize = 256;
/// Tokens packed into one forward pass (see [`Embedder::embed`]). Each pass
/// pays a fixed cost (gemm packs every weight matrix again) and attention
/// grows with the square of the packed length. On 2 cores, over the dev
/// set's test answers, budgets of 128-1000 tokens were within noise of each
/// other (90th percentile 190-270 ms a typed answer), all well ahead of
/// padded batches of 16 (283 ms, worst 794 ms).
/// (Measured with candle's own threads; see [`one_thread_per_pass`] for
/// what one thread a pass changed.)
const PACK_TOKENS: usize = 160;

/// Makes candle run each forward pass on one thread, for a process that
/// embeds: call it first thing in `main`, before any other thread starts
/// (it sets `RAYON_NUM_THREADS=1` unless the user set it or
/// `CANDLE_NUM_THREADS`). A sentence or two is too little work to share:
/// on 2 cores candle's own threads (its spinning element-wise pool beside
/// gemm's rayon pool) made a typed answer's analysis slower, not faster
/// (mean 147 ms against 96 ms on one thread, 90th percentile 274 ms against
/// 200 ms, over the dev set's test answers). [`Embedder::embed`] runs
/// separate packs on separate threads instead, and a session's whisper
/// keeps the other core while sentences are embedded during the answer.
pub fn one_thread_per_pass() {
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if !set("RAYON_NUM_THREADS") && !set("CANDLE_NUM_THREADS") {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
}

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
    encoder: encoder::Encoder,
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
        let encoder = encoder::Encoder::load(vb.pp("encoder"), &config)
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

    /// The transformer's output for several texts packed into one sequence:
    /// `ids` and `positions` (each token's place in its own text) are (1, T);
    /// `mask` (1, 1, T, T) is 0 where two tokens belong to the same text and
    /// minus infinity elsewhere, so no text attends to another and each
    /// comes out as if it had been run alone. Returns (1, T, hidden), F32.
    fn forward(
        &self,
        ids: &Tensor,
        positions: &Tensor,
        mask: &Tensor,
    ) -> candle_core::Result<Tensor> {
        let (n, len) = ids.dims2()?;
        let hidden = self.positions.dim(1)?;
        let words = self
            .words
            .index_select(&ids.flatten_all()?, 0)?
            .to_dtype(DType::F32)?
            .reshape((n, len, hidden))?;
        let places = self
            .positions
            .index_select(&positions.flatten_all()?, 0)?
            .reshape((n, len, hidden))?;
        // BERT's order: words + token type, then + positions, layer norm.
        let x = words.broadcast_add(&self.segment)?.add(&places)?;
        let x = self.norm.forward(&x)?;
        self.encoder.forward(&x, mask)
    }

    /// Embeds one sentence.
    pub fn embed_one(&self, text: &str) -> Result<Embedding, EmbedError> {
        Ok(self.embed(&[text])?.pop().unwrap_or_else(|| vec![0.0; DIM]))
    }

    /// Embeds texts, returned in the order given.
    ///
    /// Texts are packed end to end into sequences of up to [`PACK_TOKENS`]
    /// tokens, with an attention mask that keeps them apart, rather than
    /// padded to the longest of a batch: an answer's clauses (5-15 tokens)
    /// and long sentences (50-100) then cost their own length, not the
    /// longest one's, and a whole answer usually takes one pass.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let run = |e: &dyn std::fmt::Display| EmbedError::Run(e.to_string());
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| run(&e))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        let packs = packs(&ids, PACK_TOKENS);
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(packs.len());
        let run_packs =
            |packs: &[std::ops::Range<usize>]| -> Vec<candle_core::Result<Vec<Embedding>>> {
                packs
                    .iter()
                    .map(|p| self.embed_pack(&ids[p.clone()]))
                    .collect()
            };
        let results = if workers <= 1 {
            run_packs(&packs)
        } else {
            // Packs side by side, a run of consecutive packs per thread,
            // joined in order (see [`one_thread_per_pass`]).
            std::thread::scope(|scope| {
                let handles: Vec<_> = packs
                    .chunks(packs.len().div_ceil(workers))
                    .map(|group| scope.spawn(move || run_packs(group)))
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            })
        };
        let mut out = Vec::with_capacity(texts.len());
        for r in results {
            out.extend(r.map_err(|e| run(&e))?);
        }
        Ok(out)
    }

    /// Runs one pack of tokenised texts and mean-pools each text's tokens.
    fn embed_pack(&self, texts: &[&[u32]]) -> candle_core::Result<Vec<Embedding>> {
        let total: usize = texts.iter().map(|t| t.len().max(1)).sum();
        let mut ids = Vec::with_capacity(total);
        let mut positions = Vec::with_capacity(total);
        let mut spans = Vec::with_capacity(texts.len());
        for text in texts {
            let start = ids.len();
            if text.is_empty() {
                // Never happens with the special tokens on; kept well-formed.
                ids.push(0);
            } else {
                ids.extend_from_slice(text);
            }
            positions.extend(0..(ids.len() - start) as u32);
            spans.push(start..ids.len());
        }
        // Minus infinity, not f32::MIN: the softmax's exp() of either is 0,
        // but glibc's expf takes its slow underflow path (errno and all)
        // for every huge finite negative, which cost about a tenth of an
        // answer's embedding time; exp(-inf) is answered at once.
        let mut mask = vec![f32::NEG_INFINITY; total * total];
        for span in &spans {
            for row in span.clone() {
                mask[row * total + span.start..row * total + span.end].fill(0.0);
            }
        }
        let device = &Device::Cpu;
        let ids = Tensor::from_vec(ids, (1, total), device)?;
        let positions = Tensor::from_vec(positions, (1, total), device)?;
        let mask = Tensor::from_vec(mask, (1, 1, total, total), device)?;
        let hidden = self.forward(&ids, &positions, &mask)?.squeeze(0)?;
        spans
            .into_iter()
            .map(|span| {
                // Mean over the text's tokens, then unit length.
                let mean = hidden.narrow(0, span.start, span.len())?.mean(0)?;
                let norm = mean.sqr()?.sum_all()?.sqrt()?.clamp(1e-12, f32::MAX)?;
                mean.broadcast_div(&norm)?.to_vec1::<f32>()
            })
            .collect()
    }
}

/// Splits texts (their token ids, in order) into consecutive runs of at most
/// `budget` tokens together; a text longer than the budget gets a run of its
/// own.
fn packs(texts: &[&[u32]], budget: usize) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut tokens = 0;
    for (i, text) in texts.iter().enumerate() {
        let len = text.len().max(1);
        if i > start && tokens + len > budget {
            runs.push(start..i);
            start = i;
            tokens = 0;
        }
        tokens += len;
    }
    if start < texts.len() {
        runs.push(start..texts.len());
    }
    runs
}

/// Dot product (the cosine, for unit vectors).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::packs;

    #[test]
    fn texts_are_packed_in_order_within_the_budget() {
        let a = [1u32; 5];
        let b = [1u32; 7];
        let long = [1u32; 30];
        let texts: Vec<&[u32]> = vec![&a, &b, &a, &long, &a];
        // 5 + 7 = 12 fit; a third text would make 17 > 12.
        assert_eq!(packs(&texts, 12), vec![0..2, 2..3, 3..4, 4..5]);
        assert_eq!(packs(&texts, 100), vec![0..5]);
        assert!(packs(&[], 10).is_empty());
    }
}
