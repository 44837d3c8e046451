//! `rehearse play`, `rehearse mic-check` and `rehearse recover`: the audio
//! commands that are not recording an answer.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use rehearse::audio::answer::{self, AnswerSettings, EndReason};
use rehearse::audio::mic_check::{self, MicVerdict};
use rehearse::audio::vad::VadSettings;
use rehearse::audio::wav_sink::repair_wav;
use rehearse::audio::{capture, playback, wav};

use super::live;

#[derive(Debug, Args)]
pub struct PlayArgs {
    /// WAV file to play
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output device id or name (see `rehearse devices`) [default: system default]
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,
}

pub fn play(args: PlayArgs) -> anyhow::Result<ExitCode> {
    let clip = wav::read_mono(&args.file)?;
    let device = playback::find_output_device(args.device.as_deref())?;
    let total = clip.duration_secs();
    let bar = indicatif::ProgressBar::new((total * 10.0) as u64).with_style(
        indicatif::ProgressStyle::with_template("playing [{bar:30}] {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    playback::play(&device, &clip.samples, clip.sample_rate, &mut |secs| {
        bar.set_position((secs * 10.0) as u64);
        bar.set_message(format!("{secs:.1} / {total:.1} s"));
    })
    .with_context(|| format!("playing {}", args.file.display()))?;
    bar.finish_and_clear();
    println!("played {} ({total:.1} s)", args.file.display());
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct MicCheckArgs {
    /// Input device id or name (see `rehearse devices`) [default: system default]
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,
    /// Seconds to record
    #[arg(long, value_name = "SECS", default_value_t = 3.0)]
    pub seconds: f64,
    /// Print the levels as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn mic_check(args: MicCheckArgs) -> anyhow::Result<ExitCode> {
    let signals = live::stop_signals();
    let device = capture::find_input_device(args.device.as_deref())?;
    let input = capture::open_input(&device)?;
    let device_name = input.source.device.clone();
    eprintln!(
        "Say a sentence at your normal interview volume ({:.0} s)...",
        args.seconds
    );
    let scratch = tempfile::tempdir()?;
    let path = scratch.path().join("mic-check.wav");
    let settings = AnswerSettings {
        time_limit_secs: args.seconds,
        vad: VadSettings {
            end_after_silence_secs: None,
            ..VadSettings::default()
        },
        ..AnswerSettings::default()
    };
    let mut countdown = live::Countdown::new(args.seconds);
    let recording = answer::record_answer(input, &path, &settings, &signals, &mut |s| {
        countdown.update(s)
    });
    countdown.finish();
    let recording = recording?;
    if let EndReason::DeviceLost(why) = &recording.ended_by {
        anyhow::bail!("the input device {device_name:?} stopped during the check: {why}");
    }
    let clip = wav::read_mono(&recording.path)?;
    let levels = mic_check::assess(&clip.samples);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&levels)?);
    } else {
        println!(
            "{device_name}: peak {:.1} dBFS, speech level {:.1} dBFS, clipped {:.2}%",
            levels.peak_db,
            levels.speech_db,
            levels.clipped_fraction * 100.0
        );
        let word = match levels.verdict {
            MicVerdict::Silent => "SILENT",
            MicVerdict::TooQuiet => "TOO QUIET",
            MicVerdict::Clipping => "CLIPPING",
            MicVerdict::Ok => "OK",
        };
        println!("{word}: {}", levels.advice);
    }
    Ok(if levels.verdict == MicVerdict::Ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// Recordings left unfinished by a crash or kill
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

pub fn recover(args: RecoverArgs) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for file in &args.files {
        match repair_wav(file) {
            Ok(report)
                if report.frames_before == report.frames_after && report.trimmed_bytes == 0 =>
            {
                println!("{}: already complete", file.display())
            }
            Ok(report) => println!(
                "{}: recovered {:.2} s (header said {:.2} s{})",
                file.display(),
                report.frames_after as f64 / 16_000.0,
                report.frames_before as f64 / 16_000.0,
                if report.trimmed_bytes > 0 {
                    format!(", cut {} stray bytes", report.trimmed_bytes)
                } else {
                    String::new()
                }
            ),
            Err(e) => {
                failed = true;
                eprintln!("error: {e}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
