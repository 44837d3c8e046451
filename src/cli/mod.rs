//! Command-line definitions (clap) and dispatch to the command modules.

mod analyze_cmd;
mod audio_cmds;
mod banks_cmd;
mod devices_cmd;
#[cfg(test)]
mod help_tests;
mod history_cmds;
mod live;
mod model_choice;
mod model_cmd;
mod outputs;
mod record_cmd;
mod say_cmd;
mod session_cmds;
mod session_ui;
mod transcribe_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// rehearse: an offline, private, spoken mock-interview coach.
///
/// It asks interview questions aloud, records your answer, transcribes it on
/// this machine with whisper, and tells you concretely what to improve.
/// Nothing leaves your computer.
#[derive(Debug, Parser)]
#[command(name = "rehearse", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    /// Directory holding whisper model files [default: $REHEARSE_MODELS_DIR,
    /// else ./models if it exists, else the user data directory]
    #[arg(long, global = true, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,

    /// Directory of your own question bank files, merged with the bundled
    /// banks [default: $REHEARSE_BANK_DIR, else ~/.config/rehearse/banks if it
    /// exists]
    #[arg(long, global = true, value_name = "DIR")]
    pub bank_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A timed spoken mock interview: questions aloud, your answers recorded,
    /// follow-up questions, a report after each answer and a summary
    Interview(session_cmds::InterviewArgs),
    /// Drill one question until the answer covers what it should, comparing
    /// each attempt with the previous one
    Practice(session_cmds::PracticeArgs),
    /// A complete mock interview with no microphone: sample answers are played
    /// through the same pipeline, and the session is stored
    Demo(session_cmds::DemoArgs),
    /// List past sessions, or show one: transcripts, reports, playback
    Replay(history_cmds::ReplayArgs),
    /// Trends across sessions and the questions that need more practice
    Progress(history_cmds::ProgressArgs),
    /// Draft the thank-you note to send after an interview
    ThankYou(history_cmds::ThankYouArgs),
    /// Fetch, list and verify whisper model files
    #[command(subcommand)]
    Model(model_cmd::ModelCommand),
    /// List, show, validate and draw interview questions
    #[command(subcommand)]
    Banks(banks_cmd::BanksCommand),
    /// Transcribe a WAV file locally, with word timestamps
    Transcribe(transcribe_cmd::TranscribeArgs),
    /// Analyse a recorded (or typed) answer against a question's rubric and
    /// report timing, pace, fillers, content and what to change next time
    Analyze(analyze_cmd::AnalyzeArgs),
    /// List audio input and output devices with the formats they accept
    Devices(devices_cmd::DevicesArgs),
    /// Record one spoken answer to a WAV file (Enter, silence or time limit ends it)
    Record(record_cmd::RecordArgs),
    /// Say a line aloud with the question voice (checks text-to-speech)
    Say(say_cmd::SayArgs),
    /// Play a WAV file through the speakers
    Play(audio_cmds::PlayArgs),
    /// Record a few seconds and say whether the microphone level is right
    MicCheck(audio_cmds::MicCheckArgs),
    /// Repair recordings left unfinished by a crash or kill (keeps every sample)
    Recover(audio_cmds::RecoverArgs),
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let models_dir = cli
        .models_dir
        .unwrap_or_else(rehearse::model::store::default_models_dir);
    match cli.command {
        Command::Interview(args) => session_cmds::interview(args, &models_dir, cli.bank_dir),
        Command::Practice(args) => session_cmds::practice(args, &models_dir, cli.bank_dir),
        Command::Demo(args) => session_cmds::demo(args, &models_dir),
        Command::Replay(args) => history_cmds::replay(args, &models_dir, cli.bank_dir),
        Command::Progress(args) => history_cmds::progress(args),
        Command::ThankYou(args) => history_cmds::thank_you(args),
        Command::Model(cmd) => model_cmd::run(cmd, &models_dir),
        Command::Banks(cmd) => banks_cmd::run(cmd, cli.bank_dir),
        Command::Transcribe(args) => transcribe_cmd::run(args, &models_dir),
        Command::Analyze(args) => analyze_cmd::run(args, &models_dir, cli.bank_dir),
        Command::Devices(args) => devices_cmd::run(args),
        Command::Record(args) => record_cmd::run(args),
        Command::Say(args) => say_cmd::run(args),
        Command::Play(args) => audio_cmds::play(args),
        Command::MicCheck(args) => audio_cmds::mic_check(args),
        Command::Recover(args) => audio_cmds::recover(args),
    }
}
