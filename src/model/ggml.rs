//! The whisper.cpp ggml model file: writing one, and checking one before
//! whisper.cpp is allowed to load it (whisper.cpp can crash on a bad file).
//!
//! Layout (little endian, as whisper.cpp's `convert-pt-to-ggml.py` writes):
//! magic `ggml` (u32 0x67676d6c), 11 i32 hyper-parameters, the mel filterbank
//! (i32 rows, i32 columns, f32 data), the vocabulary (i32 count, then i32
//! length + bytes per token), then tensors until the end of the file, each as
//! i32 rank, i32 name length, i32 type (0 = f32, 1 = f16), the dimensions
//! innermost first, the name and the raw data.

use std::collections::HashSet;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::mel::MelFilterbank;

/// `ggml` read as a little-endian u32.
pub const GGML_MAGIC: u32 = 0x6767_6d6c;
/// `ftype` of a model whose matrices are Q8_0 (ggml's GGML_FTYPE_MOSTLY_Q8_0).
pub const FTYPE_MOSTLY_Q8_0: i32 = 7;

/// Whisper's hyper-parameters, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    pub ftype: i32,
}

impl Hparams {
    fn to_array(self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    fn from_array(a: [i32; 11]) -> Self {
        Self {
            n_vocab: a[0],
            n_audio_ctx: a[1],
            n_audio_state: a[2],
            n_audio_head: a[3],
            n_audio_layer: a[4],
            n_text_ctx: a[5],
            n_text_state: a[6],
            n_text_head: a[7],
            n_text_layer: a[8],
            n_mels: a[9],
            ftype: a[10],
        }
    }

    /// How many tensors a complete whisper model with these sizes holds:
    /// 7 encoder-level + 15 per encoder block, 4 decoder-level + 24 per decoder block.
    pub fn expected_tensor_count(&self) -> usize {
        7 + 15 * self.n_audio_layer.max(0) as usize + 4 + 24 * self.n_text_layer.max(0) as usize
    }

    /// A short human name such as "tiny" or "base", from the layer count.
    pub fn size_name(&self) -> &'static str {
        match self.n_audio_layer {
            4 => "tiny",
            6 => "base",
            12 => "small",
            24 => "medium",
            32 => "large",
            _ => "unknown size",
        }
    }
}

/// Element type of a stored tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TensorType {
    F32,
    F16,
    /// ggml's 8-bit blocks: 32 values share one f16 scale (34 bytes).
    Q8_0,
}

/// Values per Q8_0 block, and the block's size in bytes (f16 scale + 32 i8).
pub const Q8_0_BLOCK: usize = 32;
const Q8_0_BLOCK_BYTES: usize = 2 + Q8_0_BLOCK;

impl TensorType {
    fn code(self) -> i32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
            Self::Q8_0 => 8,
        }
    }
    fn from_code(code: i32) -> Option<Self> {
        match code {
            0 => Some(Self::F32),
            1 => Some(Self::F16),
            8 => Some(Self::Q8_0),
            _ => None,
        }
    }
    /// Bytes that `elements` values take, or None when this type cannot hold
    /// that many (Q8_0 stores whole blocks only).
    pub fn bytes_for(self, elements: usize) -> Option<usize> {
        match self {
            Self::F32 => Some(elements * 4),
            Self::F16 => Some(elements * 2),
            Self::Q8_0 => {
                (elements % Q8_0_BLOCK == 0).then_some(elements / Q8_0_BLOCK * Q8_0_BLOCK_BYTES)
            }
        }
    }
}

/// A tensor ready to be written: `dims` are in PyTorch (outermost-first) order.
#[derive(Debug, Clone)]
pub struct Tensor {
    pub name: String,
    pub dims: Vec<usize>,
    pub ttype: TensorType,
    pub data: Vec<u8>,
}

/// Writes a ggml whisper model to `out`.
pub fn write_model<W: Write>(
    out: W,
    hparams: &Hparams,
    mel: &MelFilterbank,
    vocab: &[Vec<u8>],
    tensors: &[Tensor],
) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    out.write_all(&GGML_MAGIC.to_le_bytes())?;
    for value in hparams.to_array() {
        out.write_all(&value.to_le_bytes())?;
    }
    out.write_all(&(mel.n_mels as i32).to_le_bytes())?;
    out.write_all(&(mel.n_freqs as i32).to_le_bytes())?;
    for w in &mel.weights {
        out.write_all(&w.to_le_bytes())?;
    }
    out.write_all(&(vocab.len() as i32).to_le_bytes())?;
    for token in vocab {
        out.write_all(&(token.len() as i32).to_le_bytes())?;
        out.write_all(token)?;
    }
    for tensor in tensors {
        let elements = tensor.dims.iter().product::<usize>();
        let expected = tensor.ttype.bytes_for(elements).unwrap_or(usize::MAX);
        if expected != tensor.data.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "tensor {} has {} bytes, its shape {:?} needs {expected}",
                    tensor.name,
                    tensor.data.len(),
                    tensor.dims
                ),
            ));
        }
        out.write_all(&(tensor.dims.len() as i32).to_le_bytes())?;
        out.write_all(&(tensor.name.len() as i32).to_le_bytes())?;
        out.write_all(&tensor.ttype.code().to_le_bytes())?;
        for dim in tensor.dims.iter().rev() {
            out.write_all(&(*dim as i32).to_le_bytes())?;
        }
        out.write_all(tensor.name.as_bytes())?;
        out.write_all(&tensor.data)?;
    }
    out.flush()
}

/// What is inside a ggml file, as far as a check needs to know.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelSummary {
    pub hparams: Hparams,
    pub mel_rows: usize,
    pub mel_cols: usize,
    pub vocab_size: usize,
    pub tensors: Vec<TensorInfo>,
    pub file_len: u64,
}

impl ModelSummary {
    /// Looks a tensor up by name.
    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }
}

/// A tensor's header; `dims` innermost first, as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TensorInfo {
    pub name: String,
    pub dims: Vec<usize>,
    pub ttype: TensorType,
    pub data_offset: u64,
}

/// Why a file is not a usable whisper ggml model.
#[derive(Debug, thiserror::Error)]
pub enum GgmlError {
    #[error("cannot read model file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path} is not a usable whisper model: {reason} (at byte {offset} of {file_len}). Fetch it again with `rehearse model fetch --force`")]
    Invalid {
        path: PathBuf,
        reason: String,
        offset: u64,
        file_len: u64,
    },
}

/// Reads a ggml file's headers and walks every tensor without loading the
/// weights, refusing a file that is truncated, padded, or not a whisper model.
pub fn inspect(path: &Path) -> Result<ModelSummary, GgmlError> {
    let io_err = |source| GgmlError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let file_len = file.metadata().map_err(io_err)?.len();
    let mut reader = Reader {
        inner: io::BufReader::new(file),
        pos: 0,
        len: file_len,
    };
    inspect_reader(&mut reader).map_err(|(offset, reason)| match reason {
        Problem::Io(source) => GgmlError::Io {
            path: path.to_path_buf(),
            source,
        },
        Problem::Bad(reason) => GgmlError::Invalid {
            path: path.to_path_buf(),
            reason,
            offset,
            file_len,
        },
    })
}

enum Problem {
    Io(io::Error),
    Bad(String),
}

struct Reader<R> {
    inner: R,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Reader<R> {
    fn need(&self, n: u64, what: &str) -> Result<(), (u64, Problem)> {
        if self.pos + n > self.len {
            return Err((
                self.pos,
                Problem::Bad(format!(
                    "file ends inside {what}: {n} bytes needed, {} left (truncated download?)",
                    self.len - self.pos
                )),
            ));
        }
        Ok(())
    }
    fn i32(&mut self, what: &str) -> Result<i32, (u64, Problem)> {
        self.need(4, what)?;
        let mut b = [0u8; 4];
        self.inner
            .read_exact(&mut b)
            .map_err(|e| (self.pos, Problem::Io(e)))?;
        self.pos += 4;
        Ok(i32::from_le_bytes(b))
    }
    fn bytes(&mut self, n: u64, what: &str) -> Result<Vec<u8>, (u64, Problem)> {
        self.need(n, what)?;
        let mut b = vec![0u8; n as usize];
        self.inner
            .read_exact(&mut b)
            .map_err(|e| (self.pos, Problem::Io(e)))?;
        self.pos += n;
        Ok(b)
    }
    fn skip(&mut self, n: u64, what: &str) -> Result<(), (u64, Problem)> {
        self.need(n, what)?;
        self.inner
            .seek(SeekFrom::Current(n as i64))
            .map_err(|e| (self.pos, Problem::Io(e)))?;
        self.pos += n;
        Ok(())
    }
}

fn bad<T>(pos: u64, reason: String) -> Result<T, (u64, Problem)> {
    Err((pos, Problem::Bad(reason)))
}

fn inspect_reader<R: Read + Seek>(r: &mut Reader<R>) -> Result<ModelSummary, (u64, Problem)> {
    let magic = r.i32("the magic number")? as u32;
    if magic != GGML_MAGIC {
        return bad(
            0,
            format!("bad magic 0x{magic:08x}, expected 0x{GGML_MAGIC:08x} (\"ggml\")"),
        );
    }
    let mut raw = [0i32; 11];
    for value in raw.iter_mut() {
        *value = r.i32("the hyper-parameters")?;
    }
    let hparams = Hparams::from_array(raw);
    let sane = hparams.n_vocab > 0
        && hparams.n_vocab < 1_000_000
        && (1..=100_000).contains(&hparams.n_audio_ctx)
        && (1..=100_000).contains(&hparams.n_audio_state)
        && (1..=1024).contains(&hparams.n_audio_head)
        && (1..=1024).contains(&hparams.n_audio_layer)
        && (1..=100_000).contains(&hparams.n_text_ctx)
        && (1..=100_000).contains(&hparams.n_text_state)
        && (1..=1024).contains(&hparams.n_text_head)
        && (1..=1024).contains(&hparams.n_text_layer)
        && (1..=512).contains(&hparams.n_mels);
    if !sane {
        return bad(4, format!("implausible hyper-parameters {hparams:?}"));
    }
    if ![0, 1, FTYPE_MOSTLY_Q8_0].contains(&(hparams.ftype % 1000)) {
        return bad(
            40,
            format!(
                "model type {} is not f32/f16/q8_0; only those models are checked and supported",
                hparams.ftype
            ),
        );
    }
    let mel_at = r.pos;
    let mel_rows = r.i32("the mel filterbank")?;
    let mel_cols = r.i32("the mel filterbank")?;
    if mel_rows != hparams.n_mels || !(1..=4096).contains(&mel_cols) {
        return bad(
            mel_at,
            format!(
                "mel filterbank is {mel_rows}x{mel_cols}, expected {} rows",
                hparams.n_mels
            ),
        );
    }
    r.skip(mel_rows as u64 * mel_cols as u64 * 4, "the mel filterbank")?;
    let vocab_at = r.pos;
    let vocab_size = r.i32("the vocabulary")?;
    if vocab_size < 0 || vocab_size > hparams.n_vocab {
        return bad(
            vocab_at,
            format!(
                "vocabulary of {vocab_size} tokens, more than n_vocab {}",
                hparams.n_vocab
            ),
        );
    }
    for _ in 0..vocab_size {
        let at = r.pos;
        let len = r.i32("the vocabulary")?;
        if !(0..=1024).contains(&len) {
            return bad(at, format!("token of length {len}"));
        }
        r.skip(len as u64, "the vocabulary")?;
    }
    let mut tensors = Vec::new();
    let mut names = HashSet::new();
    while r.pos < r.len {
        let at = r.pos;
        let rank = r.i32("a tensor header")?;
        let name_len = r.i32("a tensor header")?;
        let code = r.i32("a tensor header")?;
        if !(1..=4).contains(&rank) || !(1..=256).contains(&name_len) {
            return bad(
                at,
                format!("corrupt tensor header (rank {rank}, name length {name_len})"),
            );
        }
        let ttype = match TensorType::from_code(code) {
            Some(t) => t,
            None => return bad(at, format!("tensor type {code} is not f32/f16/q8_0")),
        };
        let mut dims = Vec::with_capacity(rank as usize);
        for _ in 0..rank {
            let d = r.i32("a tensor header")?;
            if d <= 0 {
                return bad(at, format!("tensor dimension {d}"));
            }
            dims.push(d as usize);
        }
        let name = String::from_utf8(r.bytes(name_len as u64, "a tensor name")?)
            .map_err(|_| (at, Problem::Bad("tensor name is not UTF-8".into())))?;
        if !names.insert(name.clone()) {
            return bad(at, format!("tensor {name} appears twice"));
        }
        let data_offset = r.pos;
        let elements = dims.iter().product::<usize>();
        let Some(bytes) = ttype.bytes_for(elements) else {
            return bad(
                at,
                format!("tensor {name} has {elements} values, not whole {ttype:?} blocks"),
            );
        };
        let bytes = bytes as u64;
        r.skip(bytes, &format!("the data of tensor {name}"))?;
        tensors.push(TensorInfo {
            name,
            dims,
            ttype,
            data_offset,
        });
    }
    let expected = hparams.expected_tensor_count();
    if tensors.len() != expected {
        return bad(
            r.pos,
            format!(
                "{} tensors found, a whisper {} model has {expected}",
                tensors.len(),
                hparams.size_name()
            ),
        );
    }
    Ok(ModelSummary {
        hparams,
        mel_rows: mel_rows as usize,
        mel_cols: mel_cols as usize,
        vocab_size: vocab_size as usize,
        tensors,
        file_len: r.len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_hparams() -> Hparams {
        Hparams {
            n_vocab: 10,
            n_audio_ctx: 4,
            n_audio_state: 2,
            n_audio_head: 1,
            n_audio_layer: 1,
            n_text_ctx: 4,
            n_text_state: 2,
            n_text_head: 1,
            n_text_layer: 1,
            n_mels: 3,
            ftype: 1,
        }
    }

    fn write_sample(tensor_count: usize) -> Vec<u8> {
        let mel = MelFilterbank::slaney(16_000, 8, 3);
        let vocab = vec![b"a".to_vec(), b" b".to_vec()];
        let tensors: Vec<Tensor> = (0..tensor_count)
            .map(|i| Tensor {
                name: format!("t{i}"),
                dims: vec![2, 3],
                ttype: TensorType::F16,
                data: vec![0; 12],
            })
            .collect();
        let mut out = Vec::new();
        write_model(&mut out, &tiny_hparams(), &mel, &vocab, &tensors).unwrap();
        out
    }

    fn inspect_bytes(bytes: Vec<u8>) -> Result<ModelSummary, String> {
        let len = bytes.len() as u64;
        let mut r = Reader {
            inner: io::Cursor::new(bytes),
            pos: 0,
            len,
        };
        inspect_reader(&mut r).map_err(|(_, p)| match p {
            Problem::Bad(s) => s,
            Problem::Io(e) => e.to_string(),
        })
    }

    #[test]
    fn q8_0_model_reads_back_and_partial_blocks_are_refused() {
        let mel = MelFilterbank::slaney(16_000, 8, 3);
        let vocab = vec![b"a".to_vec(), b" b".to_vec()];
        let hparams = Hparams {
            ftype: FTYPE_MOSTLY_Q8_0,
            ..tiny_hparams()
        };
        let tensor = |i: usize, values: usize, bytes: usize| Tensor {
            name: format!("t{i}"),
            dims: vec![values / 32, 32],
            ttype: TensorType::Q8_0,
            data: vec![0; bytes],
        };
        let tensors: Vec<Tensor> = (0..50).map(|i| tensor(i, 64, 68)).collect();
        let mut out = Vec::new();
        write_model(&mut out, &hparams, &mel, &vocab, &tensors).unwrap();
        let summary = inspect_bytes(out).unwrap();
        assert_eq!(summary.hparams.ftype, FTYPE_MOSTLY_Q8_0);
        assert!(summary.tensors.iter().all(|t| t.ttype == TensorType::Q8_0));
        // Two blocks are 68 bytes; 64 bytes do not make a Q8_0 tensor.
        let mut short = tensors.clone();
        short[0] = tensor(0, 64, 64);
        let err = write_model(&mut Vec::new(), &hparams, &mel, &vocab, &short).unwrap_err();
        assert!(err.to_string().contains("tensor t0 has 64 bytes"), "{err}");
        assert_eq!(TensorType::Q8_0.bytes_for(48), None);
        assert_eq!(TensorType::Q8_0.bytes_for(96), Some(102));
    }

    #[test]
    fn written_model_reads_back() {
        let summary = inspect_bytes(write_sample(50)).unwrap();
        assert_eq!(summary.hparams, tiny_hparams());
        assert_eq!((summary.mel_rows, summary.mel_cols), (3, 5));
        assert_eq!(summary.vocab_size, 2);
        assert_eq!(summary.tensors.len(), 50);
        // Dimensions are stored innermost first.
        assert_eq!(summary.tensors[0].dims, vec![3, 2]);
    }

    #[test]
    fn truncation_anywhere_is_refused() {
        let bytes = write_sample(50);
        for cut in [3, 30, 60, bytes.len() - 1, bytes.len() - 12] {
            let err = inspect_bytes(bytes[..cut].to_vec()).unwrap_err();
            assert!(err.contains("file ends inside"), "cut at {cut}: {err}");
        }
    }

    #[test]
    fn missing_tensors_and_wrong_magic_are_refused() {
        let err = inspect_bytes(write_sample(49)).unwrap_err();
        assert!(
            err.contains("49 tensors found, a whisper unknown size model has 50"),
            "{err}"
        );
        let mut bytes = write_sample(50);
        bytes[0] = b'X';
        assert!(inspect_bytes(bytes).unwrap_err().contains("bad magic"));
    }
}
