//! Command-line definitions (clap) and dispatch to the command modules.

mod analyze_cmd;
mod audio_cmds;
mod banks_cmd;
mod devices_cmd;
mod examples;
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

/// The help heading of the options every command takes.
const GLOBAL: &str = "Global options";

/// rehearse: an offline, private, spoken mock-interview coach.
///
/// It asks interview questions aloud, records your answer, transcribes it on
/// this machine with whisper, and tells you concretely what to improve.
/// Nothing leaves your computer.
#[derive(Debug, Parser)]
#[command(
    name = "rehearse",
    version,
    about,
    long_about,
    max_term_width = 100,
    after_help = examples::REHEARSE
)]
pub struct Cli {
    /// Directory holding whisper model files [default: $REHEARSE_MODELS_DIR,
    /// else ./models if it exists, else the user data directory]
    #[arg(long, global = true, value_name = "DIR", help_heading = GLOBAL)]
    pub models_dir: Option<PathBuf>,

    /// Directory of your own question bank files, merged with the bundled
    /// banks [default: $REHEARSE_BANK_DIR, else ~/.config/rehearse/banks if it
    /// exists]
    #[arg(long, global = true, value_name = "DIR", help_heading = GLOBAL)]
    pub bank_dir: Option<PathBuf>,

    /// Directory for the practice history (SQLite database and recordings)
    /// [default: $REHEARSE_DATA_DIR, else ~/.local/share/rehearse]
    #[arg(long, global = true, value_name = "DIR", help_heading = GLOBAL)]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A timed spoken mock interview: questions aloud, your answers recorded,
    /// follow-up questions, a report after each answer and a summary
    #[command(after_help = examples::INTERVIEW)]
    Interview(session_cmds::InterviewArgs),
    /// Drill one question until the answer covers what it should, comparing
    /// each attempt with the previous one
    #[command(after_help = examples::PRACTICE)]
    Practice(session_cmds::PracticeArgs),
    /// A complete mock interview with no microphone: sample answers are played
    /// through the same pipeline, and the session is stored
    #[command(after_help = examples::DEMO)]
    Demo(session_cmds::DemoArgs),
    /// List past sessions, or show one: transcripts, reports, playback
    #[command(after_help = examples::REPLAY)]
    Replay(history_cmds::ReplayArgs),
    /// Trends across sessions and the questions that need more practice
    #[command(after_help = examples::PROGRESS)]
    Progress(history_cmds::ProgressArgs),
    /// Draft the thank-you note to send after an interview
    #[command(after_help = examples::THANK_YOU)]
    ThankYou(history_cmds::ThankYouArgs),
    /// Fetch, list and verify whisper model files
    #[command(subcommand, after_help = examples::MODEL)]
    Model(model_cmd::ModelCommand),
    /// List, show, validate and draw interview questions
    #[command(subcommand, after_help = examples::BANKS)]
    Banks(banks_cmd::BanksCommand),
    /// Transcribe a WAV file locally, with word timestamps
    #[command(after_help = examples::TRANSCRIBE)]
    Transcribe(transcribe_cmd::TranscribeArgs),
    /// Analyse a recorded (or typed) answer against a question's rubric and
    /// report timing, pace, fillers, content and what to change next time
    #[command(after_help = examples::ANALYZE)]
    Analyze(analyze_cmd::AnalyzeArgs),
    /// List audio input and output devices with the formats they accept
    #[command(after_help = examples::DEVICES)]
    Devices(devices_cmd::DevicesArgs),
    /// Record one spoken answer to a WAV file (Enter, silence or time limit ends it)
    #[command(after_help = examples::RECORD)]
    Record(record_cmd::RecordArgs),
    /// Say a line aloud with the question voice (checks text-to-speech)
    #[command(after_help = examples::SAY)]
    Say(say_cmd::SayArgs),
    /// Play a WAV file through the speakers
    #[command(after_help = examples::PLAY)]
    Play(audio_cmds::PlayArgs),
    /// Record a few seconds and say whether the microphone level is right
    #[command(after_help = examples::MIC_CHECK)]
    MicCheck(audio_cmds::MicCheckArgs),
    /// Repair recordings left unfinished by a crash or kill (keeps every sample)
    #[command(after_help = examples::RECOVER)]
    Recover(audio_cmds::RecoverArgs),
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let models_dir = cli
        .models_dir
        .unwrap_or_else(rehearse::model::store::default_models_dir);
    let data = session_cmds::DataArgs {
        data_dir: cli.data_dir,
    };
    match cli.command {
        Command::Interview(args) => session_cmds::interview(args, &models_dir, cli.bank_dir, &data),
        Command::Practice(args) => session_cmds::practice(args, &models_dir, cli.bank_dir, &data),
        Command::Demo(args) => session_cmds::demo(args, &models_dir, &data),
        Command::Replay(args) => history_cmds::replay(args, &models_dir, cli.bank_dir, &data),
        Command::Progress(args) => history_cmds::progress(args, &data),
        Command::ThankYou(args) => history_cmds::thank_you(args, &data),
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
