//! Which whisper model a command runs: `--model` when given, else
//! `$REHEARSE_MODEL`, else the default model (base-q8_0), falling back to
//! base or tiny.en, with a warning, when only they have been fetched.

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
pub const MODEL_HELP: &str = "Whisper model: tiny.en, base or base.en, base-q8_0, or a path to a ggml .bin file [default: $REHEARSE_MODEL, else base-q8_0 (base or tiny.en if it is not fetched)]";

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
    let fallback = ModelName::FALLBACKS
        .into_iter()
        .find(|name| models_dir.join(name.file_name()).exists());
    if let (false, Some(fallback)) = (default.exists(), fallback) {
        eprintln!(
            "warning: no {} model in {}, using {} ({}): run `rehearse model fetch {}` to get it",
            ModelName::DEFAULT,
            models_dir.display(),
            fallback,
            compared_with_default(fallback),
            ModelName::DEFAULT
        );
        return Ok(ChosenModel {
            path: models_dir.join(fallback.file_name()),
            name: fallback.to_string(),
        });
    }
    Ok(ChosenModel {
        path: resolve_model(ModelName::DEFAULT.as_str(), models_dir)?,
        name: ModelName::DEFAULT.to_string(),
    })
}

/// What a user gives up with a fallback model, in a few words.
fn compared_with_default(fallback: ModelName) -> &'static str {
    if fallback.weights_of() == ModelName::DEFAULT.weights_of() {
        "the same words, more memory"
    } else {
        "less accurate on real speech"
    }
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
                "model {model:?} is neither a known name (tiny.en, base, base.en, base-q8_0) nor an existing file"
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
                err.contains("no base-q8_0 model")
                    && err.contains("rehearse model fetch base-q8_0"),
                "{err}"
            );
            std::fs::write(dir.path().join("ggml-tiny.en.bin"), b"x").unwrap();
            assert_eq!(choose_model(None, dir.path()).unwrap().name, "tiny.en");
            // base (the same weights) is preferred to tiny.en.
            std::fs::write(dir.path().join("ggml-base.bin"), b"x").unwrap();
            assert_eq!(choose_model(None, dir.path()).unwrap().name, "base");
            std::fs::write(dir.path().join("ggml-base-q8_0.bin"), b"x").unwrap();
            let chosen = choose_model(None, dir.path()).unwrap();
            assert_eq!(chosen.name, "base-q8_0");
            assert_eq!(chosen.path, dir.path().join("ggml-base-q8_0.bin"));
        }
        let err = choose_model(Some("nope.bin"), dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("neither a known name"), "{err}");
    }
}
