//! Which whisper model a command runs: `--model` when given, else
//! `$REHEARSE_MODEL`, else the default model (base), falling back to tiny.en
//! with a warning when only tiny.en has been fetched.

use std::path::{Path, PathBuf};

use anyhow::bail;
use rehearse::model::store::{ModelName, MODEL_ENV};

/// The model file a command loads and the name to show for it.
#[derive(Debug, Clone)]
pub struct ChosenModel {
    pub path: PathBuf,
    pub name: String,
}

/// Help text shared by every `--model` option.
pub const MODEL_HELP: &str = "Whisper model: tiny.en, base or base.en, or a path to a ggml .bin file [default: $REHEARSE_MODEL, else base (tiny.en if base is not fetched)]";

/// Resolves `--model` (`None` when not given) to a model file, with an
/// actionable error when it is missing. Prints one warning line to stderr
/// when the default model is missing and the fallback is used instead.
pub fn choose_model(model: Option<&str>, models_dir: &Path) -> anyhow::Result<ChosenModel> {
    let named = model.map(str::to_string).or_else(|| {
        std::env::var(MODEL_ENV)
            .ok()
            .filter(|m| !m.trim().is_empty())
    });
    if let Some(named) = named {
        return Ok(ChosenModel {
            path: resolve_model(&named, models_dir)?,
            name: named,
        });
    }
    let default = models_dir.join(ModelName::DEFAULT.file_name());
    let fallback = models_dir.join(ModelName::FALLBACK.file_name());
    if !default.exists() && fallback.exists() {
        eprintln!(
            "warning: no {} model in {}, using {} (less accurate on real speech): run `rehearse model fetch {}` to get it",
            ModelName::DEFAULT,
            models_dir.display(),
            ModelName::FALLBACK,
            ModelName::DEFAULT
        );
        return Ok(ChosenModel {
            path: fallback,
            name: ModelName::FALLBACK.to_string(),
        });
    }
    Ok(ChosenModel {
        path: resolve_model(ModelName::DEFAULT.as_str(), models_dir)?,
        name: ModelName::DEFAULT.to_string(),
    })
}

/// Resolves a model name or path to a file, with an actionable error when it
/// is missing.
pub fn resolve_model(model: &str, models_dir: &Path) -> anyhow::Result<PathBuf> {
    let known = ModelName::ALL.into_iter().find(|n| n.as_str() == model);
    let path = match known {
        Some(name) => models_dir.join(name.file_name()),
        None => PathBuf::from(model),
    };
    if !path.exists() {
        match known {
            Some(name) => bail!(
                "no {name} model at {}: run `rehearse model fetch {name}` (or scripts/fetch-model.sh) first",
                path.display()
            ),
            None => bail!(
                "model {model:?} is neither a known name (tiny.en, base, base.en) nor an existing file"
            ),
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_then_fallback_then_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        // Explicit names never fall back.
        let err = choose_model(Some("base"), dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("rehearse model fetch base"), "{err}");
        // Nothing fetched: the error names the default model.
        if std::env::var_os(MODEL_ENV).is_none() {
            let err = choose_model(None, dir.path()).unwrap_err().to_string();
            assert!(
                err.contains("no base model") && err.contains("rehearse model fetch base"),
                "{err}"
            );
            std::fs::write(dir.path().join("ggml-tiny.en.bin"), b"x").unwrap();
            assert_eq!(choose_model(None, dir.path()).unwrap().name, "tiny.en");
            std::fs::write(dir.path().join("ggml-base.bin"), b"x").unwrap();
            let chosen = choose_model(None, dir.path()).unwrap();
            assert_eq!(chosen.name, "base");
            assert_eq!(chosen.path, dir.path().join("ggml-base.bin"));
        }
        let err = choose_model(Some("nope.bin"), dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("neither a known name"), "{err}");
    }
}
