//! `rehearse transcribe FILE.wav`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use rehearse::audio::{resample, wav};
use rehearse::transcribe::file::{transcribe_wav, FileProgress};
use rehearse::transcribe::replay::{self, Replay};
use rehearse::transcribe::{DecodeOptions, DecodeReport, StreamSettings, Transcriber};

use super::model_choice::{choose_model, MODEL_HELP};

#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// WAV file to transcribe (any sample rate, mono or stereo, integer or float)
    pub file: PathBuf,
    /// Print JSON: text, segments, and words with start/end seconds and probability
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_name = "NAME|PATH", help = MODEL_HELP)]
    pub model: Option<String>,
    /// Threads whisper may use [default: all cores, up to 8]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Initial prompt: text whisper treats as preceding the audio
    #[arg(long, value_name = "TEXT")]
    pub prompt: Option<String>,
    /// Go through the live path: feed the file in 50 ms pieces as if it were
    /// being spoken, transcribe it window by window meanwhile, and report how
    /// soon after the end the transcript was ready
    #[arg(long)]
    pub streaming: bool,
    /// With --streaming: feeding speed relative to real time (1 = as spoken,
    /// 0 = all at once). Not the pace of speech: that is `analyze --pace`
    #[arg(
        long = "feed-speed",
        alias = "pace",
        default_value_t = 1.0,
        value_name = "X",
        requires = "streaming"
    )]
    pub feed_speed: f64,
}

/// A progress bar for long files (hidden when stderr is not a terminal).
pub fn file_progress_bar() -> impl FnMut(FileProgress) {
    let bar = indicatif::ProgressBar::new(1000).with_style(
        indicatif::ProgressStyle::with_template("{msg:14} [{bar:30}] {percent:>3}%  {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    move |p: FileProgress| {
        // Short files finish before a bar would help.
        if started.elapsed().as_secs_f64() < 1.0 {
            return;
        }
        let (msg, done, total) = match p {
            FileProgress::Listening { done, total } => ("finding speech", done, total),
            FileProgress::Transcribing { done, total } => ("transcribing", done, total),
        };
        bar.set_message(msg);
        bar.set_position((done / total.max(1e-9) * 1000.0).clamp(0.0, 1000.0) as u64);
        if matches!(p, FileProgress::Transcribing { .. }) && done >= total {
            bar.finish_and_clear();
        }
    }
}

/// The warning to print when no Silero model was found.
pub fn warn_without_vad(transcriber: &Transcriber) {
    if let Some(why) = transcriber.vad_warning() {
        eprintln!("warning: {why}; silences and noise go to whisper as they are");
    }
}

/// `report` as the JSON the commands add under "decoding".
pub fn report_json(report: &DecodeReport) -> serde_json::Value {
    serde_json::to_value(report).unwrap_or(serde_json::Value::Null)
}

pub fn run(args: TranscribeArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let model_path = choose_model(args.model.as_deref(), models_dir)?.path;
    let load_started = Instant::now();
    let transcriber = Transcriber::load(&model_path)?;
    let load_secs = load_started.elapsed().as_secs_f64();
    warn_without_vad(&transcriber);
    let mut options = DecodeOptions {
        initial_prompt: args.prompt.clone(),
        ..DecodeOptions::default()
    };
    if let Some(threads) = args.threads {
        options.threads = threads;
    }
    anyhow::ensure!(
        args.feed_speed.is_finite() && args.feed_speed >= 0.0,
        "--feed-speed must be 0 or a positive number, got {}",
        args.feed_speed
    );
    let started = Instant::now();
    let (transcript, report, streamed) = if args.streaming {
        let clip = wav::read_mono(&args.file)?;
        let pcm = resample::to_whisper_rate(&clip)
            .with_context(|| format!("cannot convert {} to 16 kHz", args.file.display()))?;
        let settings = StreamSettings {
            decode: options.clone(),
            ..StreamSettings::default()
        };
        let replayed = replay::replay(Arc::new(transcriber), settings, &pcm, args.feed_speed)
            .with_context(|| format!("transcribing {}", args.file.display()))?;
        (
            replayed.transcript.clone(),
            replayed.report.clone(),
            Some(replayed),
        )
    } else {
        let (transcript, report) =
            transcribe_wav(&transcriber, &args.file, &options, &mut file_progress_bar())?;
        (transcript, report, None)
    };
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        let mut out = serde_json::json!({
            "file": args.file,
            "model": model_path,
            "duration": transcript.duration,
            "text": transcript.text,
            "segments": transcript.segments,
            "words": transcript.words,
            "decoding": report_json(&report),
        });
        if let Some(r) = &streamed {
            out["streaming"] = serde_json::json!({
                // "pace" is the name this field was first given.
                "pace": args.feed_speed,
                "feed_speed": args.feed_speed,
                "windows": r.windows,
                "latency_secs": r.latency.as_secs_f64(),
                "wall_secs": r.wall.as_secs_f64(),
                // What was left when the last sample arrived, and what the
                // worker's whisper runs cost (busy time, audio encoded).
                "at_finish": r.at_finish,
            });
        }
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
    match &streamed {
        None => eprintln!(
            "{:.1} s of audio, {} words, transcribed in {secs:.2} s (real-time factor {:.3}; model load {load_secs:.2} s, {} threads)",
            transcript.duration,
            transcript.words.len(),
            secs / transcript.duration.max(1e-9),
            options.threads
        ),
        Some(r) => eprintln!("{}", streaming_summary(r, args.feed_speed, options.threads)),
    }
    Ok(ExitCode::SUCCESS)
}

fn streaming_summary(r: &Replay, pace: f64, threads: usize) -> String {
    let pace = if pace > 0.0 {
        format!("{pace}x real time")
    } else {
        "all at once".into()
    };
    format!(
        "{:.1} s of audio fed {pace}, {} words, {} whisper runs; transcript ready {:.2} s after the last sample ({threads} threads)",
        r.transcript.duration,
        r.transcript.words.len(),
        r.windows,
        r.latency.as_secs_f64()
    )
}

/// mm:ss.ss
fn clock(secs: f64) -> String {
    format!("{:02}:{:05.2}", (secs / 60.0) as u64, secs % 60.0)
}
