//! `rehearse transcribe FILE.wav`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use rehearse::audio::{resample, wav};
use rehearse::model::store::ModelName;
use rehearse::transcribe::{DecodeOptions, Transcriber};

#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// WAV file to transcribe (any sample rate, mono or stereo, integer or float)
    pub file: PathBuf,
    /// Print JSON: text, segments, and words with start/end seconds and probability
    #[arg(long)]
    pub json: bool,
    /// Model name (tiny.en, base.en) or path to a ggml .bin file
    #[arg(long, default_value = "tiny.en", value_name = "NAME|PATH")]
    pub model: String,
    /// Threads whisper may use [default: all cores, up to 8]
    #[arg(long)]
    pub threads: Option<usize>,
    /// Initial prompt: text whisper treats as preceding the audio
    #[arg(long)]
    pub prompt: Option<String>,
}

/// Resolves `--model` to a file, with an actionable error when it is missing.
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
                "model {model:?} is neither a known name (tiny.en, base.en) nor an existing file"
            ),
        }
    }
    Ok(path)
}

pub fn run(args: TranscribeArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let model_path = resolve_model(&args.model, models_dir)?;
    let clip = wav::read_mono(&args.file)?;
    let pcm = resample::to_whisper_rate(&clip)
        .with_context(|| format!("cannot convert {} to 16 kHz", args.file.display()))?;
    let load_started = Instant::now();
    let transcriber = Transcriber::load(&model_path)?;
    let load_secs = load_started.elapsed().as_secs_f64();
    let mut options = DecodeOptions {
        initial_prompt: args.prompt.clone(),
        ..DecodeOptions::default()
    };
    if let Some(threads) = args.threads {
        options.threads = threads;
    }
    let started = Instant::now();
    let transcript = transcriber
        .transcribe(&pcm, &options)
        .with_context(|| format!("transcribing {}", args.file.display()))?;
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        let out = serde_json::json!({
            "file": args.file,
            "model": model_path,
            "duration": transcript.duration,
            "text": transcript.text,
            "segments": transcript.segments,
            "words": transcript.words,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for segment in &transcript.segments {
            println!(
                "[{} -> {}] {}",
                clock(segment.start),
                clock(segment.end),
                segment.text
            );
        }
    }
    eprintln!(
        "{:.1} s of audio, {} words, transcribed in {secs:.2} s (real-time factor {:.3}; model load {load_secs:.2} s, {} threads)",
        transcript.duration,
        transcript.words.len(),
        secs / transcript.duration.max(1e-9),
        options.threads
    );
    Ok(ExitCode::SUCCESS)
}

/// mm:ss.ss
fn clock(secs: f64) -> String {
    format!("{:02}:{:05.2}", (secs / 60.0) as u64, secs % 60.0)
}
