//! `rehearse record OUT.wav`: record one answer from the microphone.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use rehearse::audio::answer::{self, AnswerSettings, EndReason};
use rehearse::audio::capture;
use rehearse::audio::vad::VadSettings;

use super::live;

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Where to write the recording (16 kHz mono 16-bit WAV)
    #[arg(value_name = "FILE")]
    pub output: PathBuf,
    /// Input device id or name (see `rehearse devices`) [default: system default]
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,
    /// Longest answer in seconds
    #[arg(long, default_value_t = 180.0, value_name = "SECS")]
    pub time_limit: f64,
    /// End the answer after this many seconds of silence once you have
    /// started speaking (0 disables)
    #[arg(long, default_value_t = 4.0, value_name = "SECS")]
    pub silence: f64,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RecordArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.time_limit > 0.0 && args.time_limit.is_finite(),
        "--time-limit must be a positive number of seconds, got {}",
        args.time_limit
    );
    let signals = live::stop_signals();
    live::watch_enter(&signals);
    let device = capture::find_input_device(args.device.as_deref())?;
    let input = capture::open_input(&device)?;
    let settings = AnswerSettings {
        time_limit_secs: args.time_limit,
        vad: VadSettings {
            end_after_silence_secs: (args.silence > 0.0).then_some(args.silence),
            ..VadSettings::default()
        },
        ..AnswerSettings::default()
    };
    eprintln!(
        "Recording from {} ({} Hz, {} ch, {}) into {}. Press Enter when you are done.",
        input.source.device,
        input.source.sample_rate,
        input.source.channels,
        input.source.sample_format,
        args.output.display()
    );
    let mut countdown = live::Countdown::new(args.time_limit);
    let result = answer::record_answer(input, &args.output, &settings, &signals, &mut |s| {
        countdown.update(s)
    });
    countdown.finish();
    let recording = result?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&recording)?);
    } else {
        println!(
            "saved {:.1} s to {} (ended because {}{})",
            recording.duration_secs,
            recording.path.display(),
            recording.ended_by,
            recording
                .time_to_first_speech
                .map(|t| format!("; you started speaking after {t:.1} s"))
                .unwrap_or_else(|| "; no speech detected".into())
        );
    }
    Ok(match recording.ended_by {
        EndReason::Interrupted => {
            eprintln!(
                "interrupted: the {:.1} s captured so far are saved in {}",
                recording.duration_secs,
                recording.path.display()
            );
            ExitCode::from(130)
        }
        EndReason::DeviceLost(_) => {
            eprintln!(
                "warning: the input device stopped; the {:.1} s captured are saved in {}",
                recording.duration_secs,
                recording.path.display()
            );
            ExitCode::from(3)
        }
        _ => ExitCode::SUCCESS,
    })
}
