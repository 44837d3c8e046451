//! `rehearse analyze FILE.wav --question ID` (or `--text-file ANSWER.txt`):
//! transcribes a recorded answer with the filler-keeping prompt, analyses it
//! against the question's rubric and prints or writes the reports.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Args;
use rehearse::analysis::recorded::spoken_answer;
use rehearse::analysis::{self, AnalysisSettings, AnswerInput, SemanticJudge, FILLER_PROMPT};
use rehearse::bank;
use rehearse::embed::Embedder;
use rehearse::report;
use rehearse::transcribe::{DecodeOptions, DecodeReport, Transcriber};

use super::model_choice::{choose_model, MODEL_HELP};
use super::transcribe_cmd::{file_progress_bar, report_json, warn_without_vad};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Recorded answer (WAV, any rate or layout)
    #[arg(required_unless_present = "text_file", conflicts_with = "text_file")]
    pub file: Option<PathBuf>,
    /// Analyse a typed answer from this text file instead (no timing)
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<PathBuf>,
    /// The question the answer is for (see `rehearse banks list`)
    #[arg(long, short = 'q', value_name = "ID")]
    pub question: String,
    /// Print every figure as JSON instead of the report
    #[arg(long)]
    pub json: bool,
    /// Judge content by the bank's cue phrases only (no embedding model needed)
    #[arg(long)]
    pub keywords_only: bool,
    /// Also write the report as Markdown to FILE
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Also write the report as a self-contained HTML page to FILE
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Embed the recording in the HTML report (16 kHz mono, about 2.6 MB a minute)
    #[arg(long, requires = "html", conflicts_with = "text_file")]
    pub embed_audio: bool,
    #[arg(long, value_name = "NAME|PATH", help = MODEL_HELP)]
    pub model: Option<String>,
    /// Threads whisper may use [default: all cores, up to 8]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Transcribe without the filler-keeping prompt
    #[arg(long)]
    pub no_filler_prompt: bool,
    /// Target pace band in words per minute, as MIN-MAX
    #[arg(long, value_name = "MIN-MAX", value_parser = parse_band)]
    pub pace: Option<(f64, f64)>,
    /// Silences longer than this many seconds count as long pauses
    #[arg(long, value_name = "SECS")]
    pub long_pause: Option<f64>,
    /// Do not count this filler (e.g. "so"; repeatable)
    #[arg(long = "allow-filler", value_name = "WORD")]
    pub allow_fillers: Vec<String>,
    /// Also count this word or phrase as a filler (e.g. "honestly"; repeatable)
    #[arg(long = "deny-filler", value_name = "WORD")]
    pub deny_fillers: Vec<String>,
}

fn parse_band(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("expected MIN-MAX such as 130-165, got {s:?}"))?;
    let parse = |x: &str| {
        x.trim()
            .parse::<f64>()
            .map_err(|_| format!("{x:?} is not a number"))
    };
    let (min, max) = (parse(a)?, parse(b)?);
    if !(min > 0.0 && min < max) {
        return Err(format!("need 0 < MIN < MAX, got {min}-{max}"));
    }
    Ok((min, max))
}

pub fn run(
    args: AnalyzeArgs,
    models_dir: &Path,
    bank_dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let bank_dir = bank_dir.or_else(bank::default_user_bank_dir);
    let catalog = bank::load_catalog(bank_dir.as_deref()).context("loading question banks")?;
    let Some(question) = catalog.question(&args.question) else {
        bail!(
            "no question {:?}: `rehearse banks list` shows the question ids",
            args.question
        );
    };

    let mut settings = AnalysisSettings::default();
    if let Some((min, max)) = args.pace {
        settings.timing.pace_min_wpm = min;
        settings.timing.pace_max_wpm = max;
    }
    if let Some(secs) = args.long_pause {
        settings.timing.long_pause_secs = secs;
    }
    settings.fillers.allow = args.allow_fillers.clone();
    settings.fillers.deny = args.deny_fillers.clone();

    // Report files are checked before the work, written after the report
    // is shown.
    if let Some(path) = &args.markdown {
        super::outputs::check_writable(path, "--markdown")?;
    }
    if let Some(path) = &args.html {
        super::outputs::check_writable(path, "--html")?;
    }
    // A recording cut off by a crash is named before any model loads.
    if let (Some(path), None) = (&args.file, &args.text_file) {
        rehearse::audio::wav::check_complete(path)?;
    }
    let judge = if args.keywords_only {
        None
    } else {
        let embedder = Embedder::load_from_models_dir(models_dir)
            .context("loading the sentence-embedding model for the content judge")?;
        Some(SemanticJudge::new(Arc::new(embedder)))
    };
    let (input, decoding) = match (&args.file, &args.text_file) {
        (_, Some(path)) => (
            AnswerInput::Typed {
                text: std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            },
            None,
        ),
        (Some(path), None) => {
            let (input, report, model) = spoken_input(path, &args, models_dir)?;
            (input, Some((report, model)))
        }
        (None, None) => bail!("give a WAV file or --text-file"),
    };
    let analysis = analysis::analyze_with(question, &input, &settings, judge.as_ref())
        .context("judging the answer's content")?;

    if args.json {
        let mut json: serde_json::Value = serde_json::from_str(&report::json(&analysis)?)?;
        if let (Some((decoding, _)), Some(object)) = (&decoding, json.as_object_mut()) {
            object.insert("decoding".into(), report_json(decoding));
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print!(
            "{}",
            report::terminal::render(&analysis, console::colors_enabled())
        );
    }
    if let Some(path) = &args.markdown {
        super::outputs::save(path, &report::markdown::render(&analysis))?;
    }
    if let Some(path) = &args.html {
        let meta = report::ReportMeta {
            session: Some("none (analyze does not save)".into()),
            model: decoding.as_ref().map(|(_, model)| model.clone()),
            recording: args.file.as_ref().map(|f| f.display().to_string()),
            ..report::ReportMeta::now()
        };
        let audio = match (&args.file, args.embed_audio) {
            (Some(wav), true) => Some(report::embed_audio(wav)?),
            _ => None,
        };
        let page = report::html::render_with(&analysis, &meta, audio.as_deref());
        super::outputs::save(path, &page)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads, transcribes (with the filler prompt) and times a recorded answer.
fn spoken_input(
    path: &Path,
    args: &AnalyzeArgs,
    models_dir: &Path,
) -> anyhow::Result<(AnswerInput, DecodeReport, String)> {
    let model = choose_model(args.model.as_deref(), models_dir)?;
    let model_path = model.path;
    let transcriber = Transcriber::load(&model_path)?;
    warn_without_vad(&transcriber);
    let mut options = DecodeOptions {
        initial_prompt: (!args.no_filler_prompt).then(|| FILLER_PROMPT.to_string()),
        ..DecodeOptions::default()
    };
    if let Some(threads) = args.threads {
        options.threads = threads;
    }
    let (input, report) = spoken_answer(&transcriber, path, &options, &mut file_progress_bar())?;
    Ok((input, report, model.name))
}
