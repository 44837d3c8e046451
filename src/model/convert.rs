//! Converts a CTranslate2 Whisper model (model.bin + tokenizer.json) into the
//! ggml file whisper.cpp loads, entirely in Rust.
//!
//! CTranslate2 names and fuses tensors differently from OpenAI's checkpoint:
//! self-attention keeps Q, K and V in one matrix and cross-attention keeps K
//! and V together; whisper.cpp wants them apart and drops the (always zero)
//! key bias. 1-D tensors, conv biases and positional embeddings are stored as
//! f32, everything else as f16, as whisper.cpp's own converter does; with
//! [`Precision::Q8_0`] the matrices are stored in ggml's 8-bit blocks instead
//! (as whisper.cpp's `quantize` tool makes them), at about half the memory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use half::f16;

use super::ct2::{Ct2Dtype, Ct2Error, Ct2Model, Ct2Variable};
use super::ggml::{self, Hparams, Tensor, TensorType};
use super::mel::MelFilterbank;
use super::vocab::{self, VocabError};

/// Why a conversion failed.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Ct2(#[from] Ct2Error),
    #[error(transparent)]
    Vocab(#[from] VocabError),
    #[error("{model}: {reason}")]
    Layout { model: PathBuf, reason: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// How the model's matrices (the 2-D weights) are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Half precision, as the source model holds them.
    F16,
    /// ggml's Q8_0: blocks of 32 values with one f16 scale each.
    Q8_0,
}

/// What a conversion produced.
#[derive(Debug, Clone)]
pub struct ConversionReport {
    pub hparams: Hparams,
    pub tensor_count: usize,
    pub vocab_size: usize,
}

/// Converts the CTranslate2 model in `ct2_dir` to a ggml file at `output`.
/// `on_tensor(done, total)` is called as tensors are converted.
pub fn convert_ct2_dir(
    ct2_dir: &Path,
    output: &Path,
    precision: Precision,
    on_tensor: &mut dyn FnMut(usize, usize),
) -> Result<ConversionReport, ConvertError> {
    let model_path = ct2_dir.join("model.bin");
    let model = Ct2Model::read(&model_path)?;
    let tokens = vocab::read_text_tokens(&ct2_dir.join("tokenizer.json"))?;
    let layout_err = |reason: String| ConvertError::Layout {
        model: model_path.clone(),
        reason,
    };
    let mut hparams = hparams_of(&model).map_err(layout_err)?;
    if precision == Precision::Q8_0 {
        hparams.ftype = ggml::FTYPE_MOSTLY_Q8_0;
    }
    let tensors = ggml_tensors(&model, &hparams, precision, on_tensor).map_err(layout_err)?;
    let mel = MelFilterbank::whisper(hparams.n_mels as usize);
    let file = std::fs::File::create(output).map_err(|source| ConvertError::Write {
        path: output.to_path_buf(),
        source,
    })?;
    ggml::write_model(file, &hparams, &mel, &tokens, &tensors).map_err(|source| {
        ConvertError::Write {
            path: output.to_path_buf(),
            source,
        }
    })?;
    Ok(ConversionReport {
        hparams,
        tensor_count: tensors.len(),
        vocab_size: tokens.len(),
    })
}

fn var<'m>(model: &'m Ct2Model, name: &str) -> Result<&'m Ct2Variable, String> {
    model
        .get(name)
        .ok_or_else(|| format!("tensor {name} is missing: not a CTranslate2 Whisper model?"))
}

fn dim(v: &Ct2Variable, axis: usize) -> Result<i32, String> {
    v.dims
        .get(axis)
        .map(|&d| d as i32)
        .ok_or_else(|| format!("{} has shape {:?}, expected rank > {axis}", v.name, v.dims))
}

fn scalar(model: &Ct2Model, name: &str) -> Result<i32, String> {
    var(model, name)?
        .scalar_int()
        .map(|v| v as i32)
        .ok_or_else(|| format!("{name} is not an integer scalar"))
}

/// Counts `prefix/layer_N/` blocks (not `layer_norm`).
fn layer_count(model: &Ct2Model, prefix: &str) -> i32 {
    let start = format!("{prefix}/layer_");
    let layers: BTreeSet<u32> = model
        .variables
        .keys()
        .filter_map(|name| name.strip_prefix(&start))
        .filter_map(|rest| rest.split('/').next())
        .filter_map(|index| index.parse().ok())
        .collect();
    layers.len() as i32
}

/// Derives whisper's hyper-parameters from the tensor shapes.
pub fn hparams_of(model: &Ct2Model) -> Result<Hparams, String> {
    if model.spec_name != "WhisperSpec" {
        return Err(format!(
            "model spec is {}, not WhisperSpec",
            model.spec_name
        ));
    }
    let conv1 = var(model, "encoder/conv1/weight")?;
    let embeddings = var(model, "decoder/embeddings/weight")?;
    Ok(Hparams {
        n_vocab: dim(embeddings, 0)?,
        n_audio_ctx: dim(var(model, "encoder/position_encodings/encodings")?, 0)?,
        n_audio_state: dim(conv1, 0)?,
        n_audio_head: scalar(model, "encoder/num_heads")?,
        n_audio_layer: layer_count(model, "encoder"),
        n_text_ctx: dim(var(model, "decoder/position_encodings/encodings")?, 0)?,
        n_text_state: dim(embeddings, 1)?,
        n_text_head: scalar(model, "decoder/num_heads")?,
        n_text_layer: layer_count(model, "decoder"),
        n_mels: dim(conv1, 1)?,
        ftype: 1,
    })
}

/// Elements of `v` as f32, whatever its stored float type.
fn as_f32(v: &Ct2Variable) -> Result<Vec<f32>, String> {
    match v.dtype {
        Ct2Dtype::F32 => Ok(v
            .data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()),
        Ct2Dtype::F16 => Ok(v
            .data
            .chunks_exact(2)
            .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect()),
        Ct2Dtype::Bf16 => Ok(v
            .data
            .chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect()),
        other => Err(format!(
            "{} is stored as {other:?}; quantised models cannot be converted, use a float16/float32 one",
            v.name
        )),
    }
}

fn encode(values: &[f32], ttype: TensorType) -> Vec<u8> {
    match ttype {
        TensorType::F32 => values.iter().flat_map(|x| x.to_le_bytes()).collect(),
        TensorType::F16 => values
            .iter()
            .flat_map(|x| f16::from_f32(*x).to_le_bytes())
            .collect(),
        TensorType::Q8_0 => values
            .chunks(ggml::Q8_0_BLOCK)
            .flat_map(q8_0_block)
            .collect(),
    }
}

/// One Q8_0 block, as ggml's reference quantiser makes it: the scale is the
/// largest magnitude over 127 (stored as f16), each value its rounded
/// multiple of the scale.
fn q8_0_block(block: &[f32]) -> Vec<u8> {
    let largest = block.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = largest / 127.0;
    let inverse = if scale != 0.0 { 1.0 / scale } else { 0.0 };
    let mut out = Vec::with_capacity(2 + block.len());
    out.extend_from_slice(&f16::from_f32(scale).to_le_bytes());
    out.extend(block.iter().map(|x| ((x * inverse).round() as i8) as u8));
    out
}

/// whisper.cpp's storage rule: f32 for 1-D tensors, conv biases and positional
/// embeddings; f16 for the conv kernels; the matrices in `precision`.
fn storage_type(name: &str, rank: usize, precision: Precision) -> TensorType {
    let always_f32 = name.ends_with("positional_embedding")
        || name.starts_with("encoder.conv") && name.ends_with(".bias");
    match (rank, precision) {
        _ if rank < 2 || always_f32 => TensorType::F32,
        (2, Precision::Q8_0) => TensorType::Q8_0,
        _ => TensorType::F16,
    }
}

struct Builder<'m> {
    model: &'m Ct2Model,
    precision: Precision,
    out: Vec<Tensor>,
}

impl Builder<'_> {
    /// Emits rows `rows` (of the outermost axis) of CT2 tensor `src` as `dst`.
    fn rows(&mut self, src: &str, rows: Option<(usize, usize)>, dst: &str) -> Result<(), String> {
        let v = var(self.model, src)?;
        let values = as_f32(v)?;
        let mut dims = v.dims.clone();
        let values = match rows {
            None => values,
            Some((from, to)) => {
                let total = *dims.first().ok_or_else(|| format!("{src} is a scalar"))?;
                if to > total {
                    return Err(format!("{src} has {total} rows, {to} needed"));
                }
                let row_len = values.len() / total;
                dims[0] = to - from;
                values[from * row_len..to * row_len].to_vec()
            }
        };
        let mut dims_out = dims;
        if dst.starts_with("encoder.conv") && dst.ends_with(".bias") {
            dims_out.push(1); // whisper.cpp keeps conv biases as (n, 1)
        }
        let ttype = storage_type(dst, dims_out.len(), self.precision);
        let row_len = dims_out.last().copied().unwrap_or(1);
        if ttype == TensorType::Q8_0 && row_len % ggml::Q8_0_BLOCK != 0 {
            return Err(format!(
                "{src} has rows of {row_len} values, which Q8_0 cannot store (blocks of {}); convert at f16",
                ggml::Q8_0_BLOCK
            ));
        }
        self.out.push(Tensor {
            name: dst.to_string(),
            data: encode(&values, ttype),
            dims: dims_out,
            ttype,
        });
        Ok(())
    }

    fn whole(&mut self, src: &str, dst: &str) -> Result<(), String> {
        self.rows(src, None, dst)
    }

    /// Emits `linear` weight and bias as `dst.weight` / `dst.bias`.
    fn linear(&mut self, src: &str, dst: &str) -> Result<(), String> {
        self.whole(&format!("{src}/weight"), &format!("{dst}.weight"))?;
        self.whole(&format!("{src}/bias"), &format!("{dst}.bias"))
    }

    fn layer_norm(&mut self, src: &str, dst: &str) -> Result<(), String> {
        self.whole(&format!("{src}/gamma"), &format!("{dst}.weight"))?;
        self.whole(&format!("{src}/beta"), &format!("{dst}.bias"))
    }

    /// Splits a fused projection into parts of `d` rows; `parts` names each
    /// part's destination and whether its bias is kept. A dropped bias must be
    /// all zeros (whisper has no key bias), otherwise conversion would be lossy.
    fn split(&mut self, src: &str, d: usize, parts: &[(&str, bool)]) -> Result<(), String> {
        for (i, (dst, keep_bias)) in parts.iter().enumerate() {
            let range = Some((i * d, (i + 1) * d));
            self.rows(&format!("{src}/weight"), range, &format!("{dst}.weight"))?;
            if *keep_bias {
                self.rows(&format!("{src}/bias"), range, &format!("{dst}.bias"))?;
            } else {
                let bias = as_f32(var(self.model, &format!("{src}/bias"))?)?;
                if bias[i * d..(i + 1) * d].iter().any(|&b| b != 0.0) {
                    return Err(format!(
                        "{src}/bias has a non-zero key bias; whisper.cpp cannot represent it"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Maps every CT2 tensor to its ggml name(s), in whisper.cpp's order.
pub fn ggml_tensors(
    model: &Ct2Model,
    hparams: &Hparams,
    precision: Precision,
    on_tensor: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Tensor>, String> {
    let total = hparams.expected_tensor_count();
    let mut b = Builder {
        model,
        precision,
        out: Vec::with_capacity(total),
    };
    let mut progress = |b: &Builder| on_tensor(b.out.len(), total);

    b.whole(
        "encoder/position_encodings/encodings",
        "encoder.positional_embedding",
    )?;
    b.linear("encoder/conv1", "encoder.conv1")?;
    b.linear("encoder/conv2", "encoder.conv2")?;
    let d = hparams.n_audio_state as usize;
    for l in 0..hparams.n_audio_layer {
        let (src, dst) = (format!("encoder/layer_{l}"), format!("encoder.blocks.{l}"));
        b.layer_norm(
            &format!("{src}/self_attention/layer_norm"),
            &format!("{dst}.attn_ln"),
        )?;
        b.split(
            &format!("{src}/self_attention/linear_0"),
            d,
            &[
                (&format!("{dst}.attn.query"), true),
                (&format!("{dst}.attn.key"), false),
                (&format!("{dst}.attn.value"), true),
            ],
        )?;
        b.linear(
            &format!("{src}/self_attention/linear_1"),
            &format!("{dst}.attn.out"),
        )?;
        b.layer_norm(&format!("{src}/ffn/layer_norm"), &format!("{dst}.mlp_ln"))?;
        b.linear(&format!("{src}/ffn/linear_0"), &format!("{dst}.mlp.0"))?;
        b.linear(&format!("{src}/ffn/linear_1"), &format!("{dst}.mlp.2"))?;
        progress(&b);
    }
    b.layer_norm("encoder/layer_norm", "encoder.ln_post")?;

    b.whole(
        "decoder/position_encodings/encodings",
        "decoder.positional_embedding",
    )?;
    b.whole(
        "decoder/embeddings/weight",
        "decoder.token_embedding.weight",
    )?;
    let d = hparams.n_text_state as usize;
    for l in 0..hparams.n_text_layer {
        let (src, dst) = (format!("decoder/layer_{l}"), format!("decoder.blocks.{l}"));
        b.layer_norm(
            &format!("{src}/self_attention/layer_norm"),
            &format!("{dst}.attn_ln"),
        )?;
        b.split(
            &format!("{src}/self_attention/linear_0"),
            d,
            &[
                (&format!("{dst}.attn.query"), true),
                (&format!("{dst}.attn.key"), false),
                (&format!("{dst}.attn.value"), true),
            ],
        )?;
        b.linear(
            &format!("{src}/self_attention/linear_1"),
            &format!("{dst}.attn.out"),
        )?;
        b.layer_norm(
            &format!("{src}/attention/layer_norm"),
            &format!("{dst}.cross_attn_ln"),
        )?;
        b.linear(
            &format!("{src}/attention/linear_0"),
            &format!("{dst}.cross_attn.query"),
        )?;
        b.split(
            &format!("{src}/attention/linear_1"),
            d,
            &[
                (&format!("{dst}.cross_attn.key"), false),
                (&format!("{dst}.cross_attn.value"), true),
            ],
        )?;
        b.linear(
            &format!("{src}/attention/linear_2"),
            &format!("{dst}.cross_attn.out"),
        )?;
        b.layer_norm(&format!("{src}/ffn/layer_norm"), &format!("{dst}.mlp_ln"))?;
        b.linear(&format!("{src}/ffn/linear_0"), &format!("{dst}.mlp.0"))?;
        b.linear(&format!("{src}/ffn/linear_1"), &format!("{dst}.mlp.2"))?;
        progress(&b);
    }
    b.layer_norm("decoder/layer_norm", "decoder.ln")?;
    progress(&b);

    if b.out.len() != total {
        return Err(format!(
            "produced {} tensors, expected {total}",
            b.out.len()
        ));
    }
    Ok(b.out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ct2::tests::encode;

    const D: usize = 4;

    /// f16 bytes of `n` values starting at `first`, counting up by 1.
    fn ramp(n: usize, first: f32) -> Vec<u8> {
        (0..n)
            .flat_map(|i| f16::from_f32(first + i as f32).to_le_bytes())
            .collect()
    }

    /// A complete miniature CT2 Whisper model: state 4, 2 mels, one block each.
    fn mini_model(key_bias: f32) -> Ct2Model {
        let mut vars: Vec<(String, Vec<u32>, u8, Vec<u8>)> = Vec::new();
        let mut add = |name: &str, dims: Vec<u32>| {
            let n = dims.iter().product::<u32>() as usize;
            vars.push((name.to_string(), dims, 4, ramp(n, 0.0)));
        };
        let d = D as u32;
        add("encoder/conv1/weight", vec![d, 2, 3]);
        add("encoder/conv1/bias", vec![d]);
        add("encoder/conv2/weight", vec![d, d, 3]);
        add("encoder/conv2/bias", vec![d]);
        add("encoder/position_encodings/encodings", vec![3, d]);
        add("decoder/position_encodings/encodings", vec![2, d]);
        add("decoder/embeddings/weight", vec![5, d]);
        for stack in ["encoder", "decoder"] {
            add(&format!("{stack}/layer_norm/gamma"), vec![d]);
            add(&format!("{stack}/layer_norm/beta"), vec![d]);
            let l = format!("{stack}/layer_0");
            let mut attention = vec!["self_attention"];
            if stack == "decoder" {
                attention.push("attention");
            }
            for part in attention.iter().chain(["ffn"].iter()) {
                add(&format!("{l}/{part}/layer_norm/gamma"), vec![d]);
                add(&format!("{l}/{part}/layer_norm/beta"), vec![d]);
            }
            add(
                &format!("{l}/self_attention/linear_0/weight"),
                vec![3 * d, d],
            );
            add(&format!("{l}/self_attention/linear_1/weight"), vec![d, d]);
            add(&format!("{l}/self_attention/linear_1/bias"), vec![d]);
            add(&format!("{l}/ffn/linear_0/weight"), vec![2 * d, d]);
            add(&format!("{l}/ffn/linear_0/bias"), vec![2 * d]);
            add(&format!("{l}/ffn/linear_1/weight"), vec![d, 2 * d]);
            add(&format!("{l}/ffn/linear_1/bias"), vec![d]);
            if stack == "decoder" {
                add(&format!("{l}/attention/linear_0/weight"), vec![d, d]);
                add(&format!("{l}/attention/linear_0/bias"), vec![d]);
                add(&format!("{l}/attention/linear_2/weight"), vec![d, d]);
                add(&format!("{l}/attention/linear_2/bias"), vec![d]);
            }
        }
        // Fused biases: query 1.., key all `key_bias`, value 100..
        let fused = |parts: &[f32]| -> Vec<u8> {
            parts
                .iter()
                .flat_map(|&start| {
                    (0..D).flat_map(move |i| {
                        let v = if start == key_bias {
                            key_bias
                        } else {
                            start + i as f32
                        };
                        f16::from_f32(v).to_le_bytes()
                    })
                })
                .collect()
        };
        for stack in ["encoder", "decoder"] {
            vars.push((
                format!("{stack}/layer_0/self_attention/linear_0/bias"),
                vec![3 * d],
                4,
                fused(&[1.0, key_bias, 100.0]),
            ));
        }
        vars.push((
            "decoder/layer_0/attention/linear_1/weight".into(),
            vec![2 * d, d],
            4,
            ramp(2 * D * D, 0.0),
        ));
        vars.push((
            "decoder/layer_0/attention/linear_1/bias".into(),
            vec![2 * d],
            4,
            fused(&[key_bias, 100.0]),
        ));
        vars.push((
            "encoder/num_heads".into(),
            vec![],
            2,
            1i16.to_le_bytes().to_vec(),
        ));
        vars.push((
            "decoder/num_heads".into(),
            vec![],
            2,
            1i16.to_le_bytes().to_vec(),
        ));
        let refs: Vec<(&str, Vec<u32>, u8, Vec<u8>)> = vars
            .iter()
            .map(|(n, d, c, b)| (n.as_str(), d.clone(), *c, b.clone()))
            .collect();
        Ct2Model::parse(&encode(&refs, &[])).unwrap()
    }

    fn f16_values(t: &Tensor) -> Vec<f32> {
        t.data
            .chunks_exact(2)
            .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect()
    }

    fn f32_values(t: &Tensor) -> Vec<f32> {
        t.data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    #[test]
    fn hparams_come_from_shapes_and_scalars() {
        let h = hparams_of(&mini_model(0.0)).unwrap();
        assert_eq!(
            (
                h.n_vocab,
                h.n_audio_ctx,
                h.n_audio_state,
                h.n_audio_head,
                h.n_audio_layer
            ),
            (5, 3, 4, 1, 1)
        );
        assert_eq!(
            (
                h.n_text_ctx,
                h.n_text_state,
                h.n_text_layer,
                h.n_mels,
                h.ftype
            ),
            (2, 4, 1, 2, 1)
        );
    }

    #[test]
    fn q8_0_blocks_hold_a_scale_and_the_nearest_multiples() {
        let block: Vec<f32> = (0..32).map(|i| ((i as f32) * 0.37).sin() * 0.8).collect();
        let bytes = q8_0_block(&block);
        assert_eq!(bytes.len(), 34);
        let scale = f16::from_le_bytes([bytes[0], bytes[1]]).to_f32();
        let largest = block.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!((scale - largest / 127.0).abs() < 1e-5, "{scale}");
        let quants: Vec<i8> = bytes[2..].iter().map(|b| *b as i8).collect();
        assert!(quants.iter().any(|q| q.abs() == 127), "{quants:?}");
        for (x, q) in block.iter().zip(&quants) {
            // Each value comes back within half a step (plus the f16 scale's rounding).
            assert!(
                (x - *q as f32 * scale).abs() <= scale * 0.5 + 1e-3,
                "{x} {q}"
            );
        }
        // An all-zero block stores a zero scale and zeros, not NaN.
        assert_eq!(q8_0_block(&[0.0; 32]), vec![0; 34]);
    }

    #[test]
    fn q8_0_stores_matrices_in_blocks_and_refuses_rows_that_are_not_whole_blocks() {
        assert_eq!(
            storage_type("decoder.blocks.0.mlp.0.weight", 2, Precision::Q8_0),
            TensorType::Q8_0
        );
        assert_eq!(
            storage_type("decoder.token_embedding.weight", 2, Precision::Q8_0),
            TensorType::Q8_0
        );
        // whisper.cpp keeps the conv kernels at f16 and the rest at f32.
        assert_eq!(
            storage_type("encoder.conv1.weight", 3, Precision::Q8_0),
            TensorType::F16
        );
        assert_eq!(
            storage_type("encoder.positional_embedding", 2, Precision::Q8_0),
            TensorType::F32
        );
        assert_eq!(
            storage_type("encoder.conv2.bias", 2, Precision::Q8_0),
            TensorType::F32
        );
        assert_eq!(
            storage_type("decoder.ln.weight", 1, Precision::Q8_0),
            TensorType::F32
        );
        // The miniature model's rows have 4 values: not a whole block.
        let model = mini_model(0.0);
        let h = hparams_of(&model).unwrap();
        let err = ggml_tensors(&model, &h, Precision::Q8_0, &mut |_, _| {}).unwrap_err();
        assert!(
            err.contains("rows of 4 values") && err.contains("f16"),
            "{err}"
        );
    }

    #[test]
    fn maps_names_splits_fused_projections_and_picks_types() {
        let model = mini_model(0.0);
        let h = hparams_of(&model).unwrap();
        let mut calls = 0;
        let tensors = ggml_tensors(&model, &h, Precision::F16, &mut |_, _| calls += 1).unwrap();
        assert_eq!(tensors.len(), h.expected_tensor_count());
        assert!(calls >= 2);
        let get = |name: &str| {
            tensors
                .iter()
                .find(|t| t.name == name)
                .unwrap_or_else(|| panic!("{name} missing"))
        };

        // Q, K, V are consecutive row blocks of the fused matrix.
        let q = get("encoder.blocks.0.attn.query.weight");
        let k = get("encoder.blocks.0.attn.key.weight");
        let v = get("encoder.blocks.0.attn.value.weight");
        assert_eq!(q.dims, vec![D, D]);
        assert_eq!(f16_values(q)[0], 0.0);
        assert_eq!(f16_values(k)[0], (D * D) as f32);
        assert_eq!(f16_values(v)[0], (2 * D * D) as f32);
        // The key has no bias; query and value biases are their slices.
        assert!(tensors.iter().all(|t| !t.name.ends_with("key.bias")));
        assert_eq!(
            f32_values(get("encoder.blocks.0.attn.query.bias")),
            vec![1.0, 2.0, 3.0, 4.0]
        );
        assert_eq!(
            f32_values(get("decoder.blocks.0.attn.value.bias")),
            vec![100.0, 101.0, 102.0, 103.0]
        );
        // Cross attention: [K; V] fused.
        let ck = get("decoder.blocks.0.cross_attn.key.weight");
        let cv = get("decoder.blocks.0.cross_attn.value.weight");
        assert_eq!(f16_values(ck)[0], 0.0);
        assert_eq!(f16_values(cv)[0], (D * D) as f32);
        assert_eq!(
            f32_values(get("decoder.blocks.0.cross_attn.value.bias"))[0],
            100.0
        );
        // Types: conv bias (n,1) f32, positional f32, norms f32, matrices f16.
        let conv_bias = get("encoder.conv1.bias");
        assert_eq!(
            (conv_bias.dims.clone(), conv_bias.ttype),
            (vec![D, 1], TensorType::F32)
        );
        assert_eq!(get("encoder.positional_embedding").ttype, TensorType::F32);
        assert_eq!(get("decoder.positional_embedding").ttype, TensorType::F32);
        assert_eq!(get("decoder.ln.weight").ttype, TensorType::F32);
        assert_eq!(get("encoder.ln_post.bias").ttype, TensorType::F32);
        assert_eq!(get("decoder.token_embedding.weight").ttype, TensorType::F16);
        assert_eq!(get("encoder.conv1.weight").dims, vec![D, 2, 3]);
        assert_eq!(get("encoder.conv1.weight").ttype, TensorType::F16);
        // Layer norms come from gamma/beta.
        assert_eq!(
            f32_values(get("decoder.blocks.0.cross_attn_ln.weight")),
            vec![0.0, 1.0, 2.0, 3.0]
        );
    }

    #[test]
    fn non_zero_key_bias_is_refused() {
        let model = mini_model(0.5);
        let h = hparams_of(&model).unwrap();
        let err = ggml_tensors(&model, &h, Precision::F16, &mut |_, _| {}).unwrap_err();
        assert!(err.contains("non-zero key bias"), "{err}");
    }

    #[test]
    fn missing_tensor_is_named() {
        let mut model = mini_model(0.0);
        model.variables.remove("decoder/layer_0/ffn/linear_1/bias");
        let h = hparams_of(&model).unwrap();
        let err = ggml_tensors(&model, &h, Precision::F16, &mut |_, _| {}).unwrap_err();
        assert!(
            err.contains("decoder/layer_0/ffn/linear_1/bias is missing"),
            "{err}"
        );
    }
}
