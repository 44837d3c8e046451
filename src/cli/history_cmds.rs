//! `rehearse replay`, `rehearse progress` and `rehearse thank-you`: looking
//! back at stored sessions.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use rehearse::analysis::{analyze, Analysis, AnalysisSettings, AnswerInput, FILLER_PROMPT};
use rehearse::audio::{playback, resample, wav};
use rehearse::bank;
use rehearse::history::progress::{questions_by_need, session_trends, QuestionProgress};
use rehearse::history::{AnalysisUpdate, AnswerRecord};
use rehearse::model::store::sha256_file;
use rehearse::report;
use rehearse::session::pipeline::coverage;
use rehearse::thank_you::{self, NoteDetails};
use rehearse::transcribe::{DecodeOptions, Transcriber, Transcript};

use super::model_choice::choose_model;
use super::session_cmds::DataArgs;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Session id (omit to list sessions)
    #[arg(value_name = "ID")]
    pub session: Option<i64>,
    /// Only the answer at this position in the session
    #[arg(long, value_name = "N")]
    pub answer: Option<u32>,
    /// Play the recordings, printing the words as they are spoken
    #[arg(long)]
    pub play: bool,
    /// Output device for --play (see `rehearse devices`)
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,
    /// Transcribe and analyse the recordings again (e.g. with --model base.en)
    #[arg(long)]
    pub reanalyze: bool,
    /// Model for --reanalyze [default: $REHEARSE_MODEL, else base (tiny.en if
    /// base is not fetched)]
    #[arg(long, value_name = "NAME|PATH")]
    pub model: Option<String>,
}

fn stored_analysis(answer: &AnswerRecord) -> Option<Analysis> {
    answer
        .analysis
        .clone()
        .and_then(|v| serde_json::from_value(v).ok())
}

fn check_recording(answer: &AnswerRecord) -> Option<PathBuf> {
    let path = answer.recording.clone()?;
    if !path.exists() {
        eprintln!("warning: the recording {} is missing", path.display());
        return None;
    }
    if let (Some(expected), Ok(actual)) = (&answer.recording_sha256, sha256_file(&path)) {
        if *expected != actual {
            eprintln!(
                "warning: {} changed since it was recorded (sha256 differs from the stored one)",
                path.display()
            );
        }
    }
    Some(path)
}

fn play_with_words(
    path: &Path,
    transcript: Option<Transcript>,
    device: Option<&str>,
) -> anyhow::Result<()> {
    let clip = wav::read_mono(path)?;
    let device = playback::find_output_device(device)?;
    let words = transcript.map(|t| t.words).unwrap_or_default();
    let mut next = 0;
    let mut out = std::io::stdout();
    print!("  ");
    playback::play(&device, &clip.samples, clip.sample_rate, &mut |secs| {
        while next < words.len() && words[next].start <= secs {
            print!("{} ", words[next].word);
            next += 1;
        }
        let _ = out.flush();
    })?;
    for w in &words[next..] {
        print!("{} ", w.word);
    }
    println!();
    Ok(())
}

fn reanalyze(
    answer: &AnswerRecord,
    path: &Path,
    transcriber: &Transcriber,
    catalog: &bank::Catalog,
) -> anyhow::Result<(AnalysisUpdate, Analysis)> {
    let question = catalog
        .question(&answer.question_id)
        .with_context(|| format!("question {} is no longer in the banks", answer.question_id))?;
    let clip = wav::read_mono(path)?;
    let pcm = resample::to_whisper_rate(&clip)?;
    let (transcript, report) = transcriber.transcribe_detailed(
        &pcm,
        &DecodeOptions {
            initial_prompt: Some(FILLER_PROMPT.into()),
            ..DecodeOptions::default()
        },
    )?;
    let input = AnswerInput::Spoken {
        audio_secs: clip.duration_secs(),
        time_to_first_word: answer.time_to_first_speech,
        transcript: transcript.clone(),
        speech: report.speech,
    };
    let analysis = analyze(question, &input, &AnalysisSettings::default());
    let update = AnalysisUpdate {
        transcript_text: transcript.text.clone(),
        transcript: serde_json::to_value(&transcript).ok(),
        analysis: serde_json::to_value(&analysis).ok(),
        coverage: answer.coverage.map(|_| coverage(&analysis)),
        fillers_per_minute: analysis.fillers.per_minute,
        words_per_minute: analysis.timing.as_ref().map(|t| t.words_per_minute),
    };
    Ok((update, analysis))
}

/// A stored RFC 3339 time as `2026-11-30 18:44` (the stored text if it
/// does not parse).
fn short_time(stored: &str) -> String {
    let format =
        time::format_description::parse_borrowed::<2>("[year]-[month]-[day] [hour]:[minute]").ok();
    time::OffsetDateTime::parse(stored, &time::format_description::well_known::Rfc3339)
        .ok()
        .zip(format)
        .and_then(|(t, f)| t.format(&f).ok())
        .unwrap_or_else(|| stored.to_string())
}

pub fn replay(
    args: ReplayArgs,
    models_dir: &Path,
    bank_dir: Option<PathBuf>,
    data: &DataArgs,
) -> anyhow::Result<ExitCode> {
    // Only --reanalyze writes (the new analysis); listing and showing
    // sessions read the history as it is, even a read-only one.
    let mut history = if args.reanalyze {
        data.open()?
    } else {
        data.open_read_only()?
    };
    let Some(session_id) = args.session else {
        let sessions = history.sessions()?;
        if sessions.is_empty() {
            println!("No sessions yet: try `rehearse demo` or `rehearse interview`.");
        } else {
            println!(
                "{:>4}  {:<16}  {:<9} {:<10}  TITLE",
                "ID", "STARTED (UTC)", "KIND", "ANSWERS"
            );
        }
        for s in sessions {
            println!(
                "{:>4}  {:<16}  {:<9} {:<10}  {}{}",
                s.id,
                short_time(&s.started_at),
                s.kind.as_str(),
                rehearse::report::counted(s.answer_count as usize, "answer"),
                s.title,
                if s.ended_at.is_none() {
                    "  (unfinished)"
                } else {
                    ""
                }
            );
        }
        return Ok(ExitCode::SUCCESS);
    };
    let session = history.session(session_id)?;
    let answers: Vec<AnswerRecord> = history
        .answers(session_id)?
        .into_iter()
        .filter(|a| args.answer.is_none_or(|n| a.position == n))
        .collect();
    if answers.is_empty() {
        bail!(
            "session {session_id} has no answer{}",
            args.answer.map(|n| format!(" {n}")).unwrap_or_default()
        );
    }
    println!(
        "Session {} — {} ({} UTC)",
        session.id,
        session.title,
        short_time(&session.started_at)
    );
    let color = console::colors_enabled();
    let (transcriber, catalog, model_name) = if args.reanalyze {
        let chosen = choose_model(args.model.as_deref(), models_dir)?;
        (
            Some(Transcriber::load(&chosen.path)?),
            Some(bank::load_catalog(bank_dir.as_deref())?),
            chosen.name,
        )
    } else {
        (None, None, String::new())
    };
    for answer in answers {
        println!("\n#{} {}", answer.position, answer.question_text);
        let recording = check_recording(&answer);
        let mut analysis = stored_analysis(&answer);
        let mut transcript_text = answer.transcript_text.clone();
        let mut transcript: Option<Transcript> = answer
            .transcript
            .clone()
            .and_then(|v| serde_json::from_value(v).ok());
        if let (Some(t), Some(c), Some(path)) = (&transcriber, &catalog, &recording) {
            let (update, fresh) = reanalyze(&answer, path, t, c)?;
            transcript = update
                .transcript
                .clone()
                .and_then(|v| serde_json::from_value(v).ok());
            history.update_analysis(answer.id, &update)?;
            transcript_text = update.transcript_text.clone();
            println!("  (re-analysed with {model_name})");
            analysis = Some(fresh);
        }
        if args.play {
            match &recording {
                Some(path) => play_with_words(path, transcript.clone(), args.device.as_deref())?,
                None => println!("  (no recording: typed answer)"),
            }
        } else {
            println!("  \"{transcript_text}\"");
        }
        match analysis {
            Some(a) => println!("{}", report::terminal::render(&a, color)),
            None => println!("  (no stored analysis)"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// Also draw the trends as an SVG chart to this file
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Questions by need, each with its practised follow-ups beneath it (their
/// coverage is of what the follow-up asks for), then what to practise next.
fn print_needs(needs: &[QuestionProgress]) {
    let line = |q: &QuestionProgress, indent: &str, width: usize| {
        let name = match &q.follow_up_id {
            Some(id) if indent.is_empty() => format!("{} / {id}", q.question_id),
            Some(id) => format!("follow-up {id}"),
            None => q.question_id.clone(),
        };
        let trend: Vec<String> = q
            .coverage_trend
            .iter()
            .rev()
            .take(6)
            .rev()
            .map(|c| format!("{:.0}", c * 100.0))
            .collect();
        println!(
            "  {indent}{name:<width$} {:>4} (best {}, {} attempt{}; {}%)",
            opt(q.latest_coverage, 100.0, "%"),
            opt(q.best_coverage, 100.0, "%"),
            q.attempts,
            if q.attempts == 1 { "" } else { "s" },
            trend.join(" > ")
        );
    };
    println!(
        "\nNeeds more practice (latest coverage, lowest first; the interview draw favours these):"
    );
    let mains: Vec<&QuestionProgress> = needs.iter().filter(|q| q.follow_up_id.is_none()).collect();
    for q in mains.iter().take(5) {
        line(q, "", 28);
        for f in needs
            .iter()
            .filter(|f| f.follow_up_id.is_some() && f.question_id == q.question_id)
        {
            line(f, "  ", 26);
        }
    }
    // Follow-ups practised without an answer to their question on record.
    for f in needs.iter().filter(|f| {
        f.follow_up_id.is_some() && !mains.iter().take(5).any(|q| q.question_id == f.question_id)
    }) {
        line(f, "", 28);
    }
    if let Some(next) = needs
        .iter()
        .find(|q| q.latest_coverage.is_some_and(|c| c < 1.0))
    {
        println!("\nPractise next: {}", next.practice_command());
    }
}

fn opt(v: Option<f64>, scale: f64, unit: &str) -> String {
    v.map(|v| format!("{:.0}{unit}", v * scale))
        .unwrap_or_else(|| "-".into())
}

pub fn progress(args: ProgressArgs, data: &DataArgs) -> anyhow::Result<ExitCode> {
    let history = data.open_read_only()?;
    let answers = history.all_answers()?;
    let trends = session_trends(&history.sessions()?, &answers);
    let needs = questions_by_need(&answers);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"sessions": trends, "questions": needs})
            )?
        );
    } else if trends.is_empty() {
        println!("No answers yet: try `rehearse demo` or `rehearse interview`.");
    } else {
        println!(
            "{:>4}  {:<20} {:>7} {:>9} {:>11} {:>5} {:>10}",
            "id", "date", "answers", "coverage", "fillers/min", "WPM", "in target"
        );
        for t in &trends {
            println!(
                "{:>4}  {:<20} {:>7} {:>9} {:>11} {:>5} {:>10}",
                t.session_id,
                t.started_at
                    .get(..16)
                    .unwrap_or(&t.started_at)
                    .replace('T', " "),
                t.answers,
                opt(t.coverage, 100.0, "%"),
                t.fillers_per_minute
                    .map(|f| format!("{f:.1}"))
                    .unwrap_or_else(|| "-".into()),
                opt(t.words_per_minute, 1.0, ""),
                opt(t.within_target, 100.0, "%"),
            );
        }
        print_needs(&needs);
    }
    if let Some(path) = &args.chart {
        let svg = report::progress_chart::svg(&trends, &answers);
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("chart written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ThankYouArgs {
    /// The session the note is about
    #[arg(value_name = "ID")]
    pub session: i64,
    /// Interviewer's name, as you would address them
    #[arg(long, value_name = "NAME")]
    pub interviewer: String,
    /// Company
    #[arg(long, value_name = "NAME")]
    pub company: String,
    /// Position interviewed for
    #[arg(long, value_name = "TEXT")]
    pub position: String,
    /// Your name, for the signature
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// A specific topic you discussed [default: from your best answer in the session]
    #[arg(long, value_name = "TEXT")]
    pub topic: Option<String>,
    /// What the team does, in the company's words ("helps small shops sell online")
    #[arg(long, value_name = "TEXT")]
    pub mission: Option<String>,
    /// When you met ("yesterday", "this morning")
    #[arg(long, value_name = "TEXT", default_value = "today")]
    pub when: String,
    /// Write the note to this file instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn thank_you(args: ThankYouArgs, data: &DataArgs) -> anyhow::Result<ExitCode> {
    let history = data.open_read_only()?;
    history.session(args.session)?;
    let answers = history.answers(args.session)?;
    let topic = args.topic.clone().or_else(|| {
        thank_you::default_topic(
            answers
                .iter()
                .map(|a| (a.question_text.as_str(), a.coverage, !a.is_main())),
        )
    });
    let note = thank_you::draft(&NoteDetails {
        interviewer: args.interviewer.clone(),
        company: args.company.clone(),
        position: args.position.clone(),
        your_name: args.name.clone(),
        topic,
        mission: args.mission.clone(),
        when: Some(args.when.clone()),
    });
    match &args.output {
        Some(path) => {
            std::fs::write(path, &note.text)
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("note written to {}", path.display());
        }
        None => print!("{}", note.text),
    }
    for reminder in &note.reminders {
        eprintln!("reminder: {reminder}");
    }
    Ok(ExitCode::SUCCESS)
}
