//! The labelled development set of answers (tests/fixtures/content-dev):
//! each answer with its question, its split (`tune` for choosing
//! thresholds, `test` for reporting), and the rubric elements it covers
//! (fully or partly) and the red flags it fires, as a coach labelled them.
//! Used by the content-judge evaluation and its tests.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One labelled answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DevAnswer {
    pub id: String,
    pub question: String,
    /// `tune` or `test`.
    pub split: String,
    #[serde(default)]
    pub style: String,
    pub text: String,
    /// Element ids the answer covers.
    #[serde(default, alias = "covered_elements", alias = "elements")]
    pub covered: Vec<String>,
    /// Element ids it covers only partly.
    #[serde(default, alias = "partly_elements", alias = "partial")]
    pub partly: Vec<String>,
    /// Red flag ids it fires.
    #[serde(default, alias = "red_flags", alias = "fired_flags", alias = "flags")]
    pub fired: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DevFile {
    List(Vec<DevAnswer>),
    Wrapped { answers: Vec<DevAnswer> },
    One(Box<DevAnswer>),
}

/// Why the set could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DevSetError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: answer {id} has split {split:?} (expected tune or test)")]
    Split {
        path: PathBuf,
        id: String,
        split: String,
    },
    #[error("no labelled answers in {0}")]
    Empty(PathBuf),
}

/// Reads every `.yaml`, `.yml` and `.json` file under `dir` (sorted by name).
pub fn load(dir: &Path) -> Result<Vec<DevAnswer>, DevSetError> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut answers = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| DevSetError::Io {
            path: path.clone(),
            source,
        })?;
        let parsed: DevFile = if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_str(&text).map_err(|e| DevSetError::Parse {
                path: path.clone(),
                message: e.to_string(),
            })?
        } else {
            serde_yaml::from_str(&text).map_err(|e| DevSetError::Parse {
                path: path.clone(),
                message: e.to_string(),
            })?
        };
        let list = match parsed {
            DevFile::List(l) | DevFile::Wrapped { answers: l } => l,
            DevFile::One(a) => vec![*a],
        };
        for a in &list {
            if a.split != "tune" && a.split != "test" {
                return Err(DevSetError::Split {
                    path: path.clone(),
                    id: a.id.clone(),
                    split: a.split.clone(),
                });
            }
        }
        answers.extend(list);
    }
    if answers.is_empty() {
        return Err(DevSetError::Empty(dir.to_path_buf()));
    }
    Ok(answers)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DevSetError> {
    let entries = std::fs::read_dir(dir).map_err(|source| DevSetError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
    Ok(())
}
