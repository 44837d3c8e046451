//! Where model files live, which models rehearse knows, and the sha256 record
//! kept beside each file (`NAME.bin.sha256`, in `sha256sum` format).

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Environment variable that overrides the models directory.
pub const MODELS_DIR_ENV: &str = "REHEARSE_MODELS_DIR";

/// Environment variable naming the whisper model used when `--model` is not
/// given (a name or a path, as for `--model`).
pub const MODEL_ENV: &str = "REHEARSE_MODEL";

/// A whisper model rehearse can fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelName {
    /// Whisper tiny, English only (~78 MB): fastest, but misses more on real
    /// speech; used when base is missing.
    #[value(name = "tiny.en")]
    TinyEn,
    /// Whisper base, multilingual (~148 MB): the default; more accurate on
    /// real speech, ~2x slower; decoded as English. Built offline from PyPI
    /// when the download fails.
    #[value(name = "base")]
    Base,
    /// Whisper base, English only (~148 MB): download only.
    #[value(name = "base.en")]
    BaseEn,
    /// Whisper base with its matrices in 8-bit blocks (~82 MB): the same
    /// words as base on real speech at about 65 MB less memory. Built
    /// offline from base's PyPI packages when the download fails.
    #[value(name = "base-q8_0")]
    BaseQ8,
}

impl ModelName {
    pub const ALL: [ModelName; 4] = [
        ModelName::TinyEn,
        ModelName::Base,
        ModelName::BaseEn,
        ModelName::BaseQ8,
    ];

    /// The model sessions, `analyze`, `transcribe` and `replay --reanalyze`
    /// use when none is named: the one that meets the accuracy targets on
    /// real speech within the latency and memory budget (README, benchmark).
    pub const DEFAULT: ModelName = ModelName::BaseQ8;

    /// Used instead of [`Self::DEFAULT`], first present first, when it is
    /// missing.
    pub const FALLBACKS: [ModelName; 2] = [ModelName::Base, ModelName::TinyEn];

    /// The short name users type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TinyEn => "tiny.en",
            Self::Base => "base",
            Self::BaseEn => "base.en",
            Self::BaseQ8 => "base-q8_0",
        }
    }

    /// The model whose weights this one holds (itself, or base for base-q8_0).
    pub fn weights_of(self) -> ModelName {
        match self {
            Self::BaseQ8 => Self::Base,
            other => other,
        }
    }

    /// How the model's matrices are stored.
    pub fn precision(self) -> crate::model::convert::Precision {
        match self {
            Self::BaseQ8 => crate::model::convert::Precision::Q8_0,
            _ => crate::model::convert::Precision::F16,
        }
    }

    /// File name inside the models directory (whisper.cpp's naming).
    pub fn file_name(self) -> String {
        format!("ggml-{}.bin", self.as_str())
    }

    /// The standard whisper.cpp download.
    pub fn download_url(self) -> String {
        format!(
            "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/{}",
            self.file_name()
        )
    }
}

impl std::fmt::Display for ModelName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a model file's checksum could not be checked or did not match.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} does not match its recorded sha256 (recorded {recorded}, file has {actual}): the file changed or is damaged. Fetch it again with `rehearse model fetch --force`")]
    Mismatch {
        path: PathBuf,
        recorded: String,
        actual: String,
    },
    #[error("{record} is not a sha256 record (expected `HEX  FILENAME`)")]
    BadRecord { record: PathBuf },
}

/// The models directory: `$REHEARSE_MODELS_DIR`, else `./models` when it
/// exists (a checkout of rehearse), else the user's data directory.
pub fn default_models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(MODELS_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("models");
    if local.is_dir() {
        return local;
    }
    directories::ProjectDirs::from("", "", "rehearse")
        .map(|d| d.data_dir().join("models"))
        .unwrap_or(local)
}

/// Hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String, StoreError> {
    let io_err = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Path of the sha256 record kept beside `model`.
pub fn record_path(model: &Path) -> PathBuf {
    let mut name = model.file_name().unwrap_or_default().to_os_string();
    name.push(".sha256");
    model.with_file_name(name)
}

/// Writes `model`'s sha256 record.
pub fn write_record(model: &Path, sha256: &str) -> Result<(), StoreError> {
    let record = record_path(model);
    let file_name = model.file_name().unwrap_or_default().to_string_lossy();
    std::fs::write(&record, format!("{sha256}  {file_name}\n")).map_err(|source| StoreError::Io {
        path: record,
        source,
    })
}

/// The sha256 recorded for `model`, if a record exists.
pub fn read_record(model: &Path) -> Result<Option<String>, StoreError> {
    let record = record_path(model);
    let text = match std::fs::read_to_string(&record) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Io {
                path: record,
                source,
            })
        }
    };
    let hash = text.split_whitespace().next().unwrap_or("");
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::BadRecord { record });
    }
    Ok(Some(hash.to_ascii_lowercase()))
}

/// Checks `model` against its sha256 record; a model without a record passes
/// (its structure is still checked by [`super::ggml::inspect`]).
pub fn check_recorded_sha256(model: &Path) -> Result<Option<String>, StoreError> {
    let Some(recorded) = read_record(model)? else {
        return Ok(None);
    };
    let actual = sha256_file(model)?;
    if actual != recorded {
        return Err(StoreError::Mismatch {
            path: model.to_path_buf(),
            recorded,
            actual,
        });
    }
    Ok(Some(actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trip_and_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("ggml-x.bin");
        std::fs::write(&model, b"abc").unwrap();
        let sha = sha256_file(&model).unwrap();
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(check_recorded_sha256(&model).unwrap(), None);
        write_record(&model, &sha).unwrap();
        assert_eq!(check_recorded_sha256(&model).unwrap(), Some(sha));
        std::fs::write(&model, b"abd").unwrap();
        let err = check_recorded_sha256(&model).unwrap_err().to_string();
        assert!(err.contains("does not match its recorded sha256"), "{err}");
    }
}
