//! `rehearse say TEXT`: speak a line with the question voice (checks TTS).

use std::process::ExitCode;

use clap::Args;
use rehearse::speech::{self, SpeakOutcome, SpeechOptions, TtsSpeaker};

/// Voice options shared by every command that speaks.
#[derive(Debug, Clone, Args)]
pub struct VoiceArgs {
    /// Do not speak; show questions as text only
    #[arg(long)]
    pub no_tts: bool,
    /// With --text, speak the questions too (typed sessions are silent by
    /// default)
    #[arg(long, conflicts_with = "no_tts")]
    pub speak: bool,
    /// Voice name (see `rehearse say --list-voices`)
    #[arg(long, value_name = "NAME")]
    pub voice: Option<String>,
    /// Speaking speed from -100 (slowest) to 100 (fastest); 0 is normal
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = clap::value_parser!(i32).range(-100..=100))]
    pub rate: Option<i32>,
}

impl VoiceArgs {
    pub fn options(&self) -> SpeechOptions {
        SpeechOptions {
            voice: self.voice.clone(),
            rate: self.rate.map(|r| r as f32),
            startup_timeout: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct SayArgs {
    /// What to say
    #[arg(required_unless_present = "list_voices", value_name = "TEXT")]
    pub text: Option<String>,
    /// List the available voices and exit
    #[arg(long)]
    pub list_voices: bool,
    #[command(flatten)]
    pub voice: VoiceArgs,
}

pub fn run(args: SayArgs) -> anyhow::Result<ExitCode> {
    if args.list_voices {
        let (mut speaker, notes) = TtsSpeaker::start(args.voice.options())
            .map_err(|why| anyhow::anyhow!("text-to-speech is unavailable: {why}"))?;
        if let Some(notes) = notes {
            eprintln!("note: {notes}");
        }
        for voice in speaker.voices() {
            println!("{voice}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let text = args.text.unwrap_or_default();
    let (mut speaker, warning) = speech::open_speaker(!args.voice.no_tts, args.voice.options());
    println!("{text}");
    // Speaking is what `say` is for: without working speech it fails (the
    // text is still printed), unless --no-tts asked for text only.
    if let Some(warning) = warning {
        anyhow::bail!("{warning}");
    }
    match speaker.speak(&text) {
        SpeakOutcome::Spoken => eprintln!("spoken with {}", speaker.describe()),
        SpeakOutcome::TextOnly => {}
        SpeakOutcome::GaveUp(why) => anyhow::bail!("gave up speaking: {why}"),
    }
    Ok(ExitCode::SUCCESS)
}
