//! `rehearse interview`, `rehearse practice` and `rehearse demo`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use rehearse::analysis::SemanticJudge;
use rehearse::bank::{self, Catalog, DrawRequest, Filter, Question};
use rehearse::embed::Embedder;
use rehearse::history::{History, SessionKind};
use rehearse::session::demo::{self, DEMO_SCRIPT};
use rehearse::session::interview::{run_interview, InterviewOutcome, InterviewPlan, InterviewStep};
use rehearse::session::pipeline::{coverage, AnswerSource, Asked, Coach, Slot};
use rehearse::speech;
use rehearse::transcribe::Transcriber;

use super::live;
use super::model_choice::{choose_model, MODEL_HELP};
use super::say_cmd::VoiceArgs;
use super::session_ui::TerminalUi;

/// Where the history lives (the global `--data-dir`), shared by every
/// command that reads or stores sessions.
#[derive(Debug, Clone, Default)]
pub struct DataArgs {
    pub data_dir: Option<PathBuf>,
}

/// Whether questions are spoken: a typed session is silent unless
/// `--speak` asks for speech; `--no-tts` silences any session.
fn speaks(voice: &super::say_cmd::VoiceArgs, typed: bool) -> bool {
    !voice.no_tts && (!typed || voice.speak)
}

/// Parses a count that must be at least 1.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

impl DataArgs {
    fn dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(rehearse::history::default_data_dir)
    }

    /// Opens the history to store sessions in (created if needed).
    pub fn open(&self) -> anyhow::Result<History> {
        Self::warn(History::open(&self.dir())?)
    }

    /// Opens the history only to read it: nothing is created or changed,
    /// and a read-only database is fine.
    pub fn open_read_only(&self) -> anyhow::Result<History> {
        Self::warn(History::open_read_only(&self.dir())?)
    }

    fn warn(history: History) -> anyhow::Result<History> {
        if let Some(warning) = history.warning() {
            eprintln!("warning: {warning}");
        }
        Ok(history)
    }
}

/// When per-answer reports are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportWhen {
    /// Right after each answer
    Each,
    /// All together at the end
    End,
}

#[derive(Debug, Args)]
pub struct InterviewArgs {
    /// Only questions from this bank (repeatable)
    #[arg(long = "bank", value_name = "BANK")]
    pub banks: Vec<String>,
    /// Only questions of this category (repeatable)
    #[arg(long = "category", value_name = "CATEGORY")]
    pub categories: Vec<String>,
    /// Only questions with this tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Number of questions (at least 1)
    #[arg(long, short = 'n', value_name = "N", default_value_t = 5, value_parser = at_least_one)]
    pub questions: usize,
    /// Seed for the draw: the same seed asks the same questions
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Always ask this question (repeatable), e.g. --include biggest-mistake
    #[arg(long, value_name = "ID")]
    pub include: Vec<String>,
    /// Type answers instead of speaking them (no microphone; no audio timing)
    #[arg(long)]
    pub text: bool,
    /// Input device id or name (see `rehearse devices`)
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,
    /// Follow-up questions asked at most per question
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub follow_ups: usize,
    /// When to show each answer's report
    #[arg(long, value_enum, value_name = "WHEN", default_value = "each")]
    pub report: ReportWhen,
    #[arg(long, value_name = "NAME|PATH", help = MODEL_HELP)]
    pub model: Option<String>,
    #[command(flatten)]
    pub voice: VoiceArgs,
}

/// Loads the model once for the whole session; every answer shares it.
fn load_transcriber(model: Option<&str>, models_dir: &Path) -> anyhow::Result<Arc<Transcriber>> {
    let path = choose_model(model, models_dir)?.path;
    Ok(Arc::new(Transcriber::load(&path)?))
}

/// Loads the sentence-embedding content judge once for the session; without
/// the model, content is judged by the bank cues (with a note saying so).
fn load_judge(models_dir: &Path) -> Option<Arc<SemanticJudge>> {
    match Embedder::load_from_models_dir(models_dir) {
        Ok(embedder) => Some(Arc::new(SemanticJudge::new(Arc::new(embedder)))),
        Err(e) => {
            eprintln!("note: content judged by keywords only ({e})");
            None
        }
    }
}

fn print_summary(outcome: &InterviewOutcome, session: i64) {
    println!("\nSummary");
    println!(
        "  {:<28} {:>8} {:>10} {:>6} {:>14}",
        "question", "coverage", "fillers/min", "WPM", "length"
    );
    for (index, step) in outcome.steps.iter().enumerate() {
        if step.is_follow_up {
            continue;
        }
        let a = &step.analysis;
        println!(
            "  {:<28} {:>7.0}% {:>10} {:>6} {:>14}",
            step.question_id,
            outcome.question_coverage(index) * 100.0,
            a.fillers
                .per_minute
                .map(|f| format!("{f:.1}"))
                .unwrap_or_else(|| "-".into()),
            a.timing
                .as_ref()
                .map(|t| format!("{:.0}", t.words_per_minute))
                .unwrap_or_else(|| "-".into()),
            format!(
                "{:.0} s ({}-{})",
                a.length.secs, a.question.target_seconds.min, a.question.target_seconds.max
            )
        );
    }
    if let Some(mean) = outcome.mean_coverage() {
        println!("  mean coverage {:.0}%", mean * 100.0);
    }
    let weak: Vec<&InterviewStep> = outcome
        .steps
        .iter()
        .filter(|s| s.is_weak_follow_up() && s.follow_up_id.is_some())
        .collect();
    if !weak.is_empty() {
        println!("\nFollow-ups to practise:");
        for step in weak {
            let content = &step.analysis.content;
            let mut lacks: Vec<String> = content
                .elements
                .iter()
                .filter(|e| !e.covered)
                .map(|e| e.name.clone())
                .collect();
            lacks.extend(
                content
                    .red_flags
                    .iter()
                    .filter(|f| f.fired)
                    .map(|f| format!("red flag: {}", f.name)),
            );
            let id = step.follow_up_id.as_deref().unwrap_or_default();
            println!("  {} / {id}: \"{}\"", step.question_id, step.asked);
            println!("    lacked {}", lacks.join(", "));
            println!(
                "    drill it: rehearse practice {} --follow-up {id}",
                step.question_id
            );
        }
    }
    if outcome.interrupted {
        println!("  (stopped early; everything answered so far is saved)");
    } else if outcome.stopped_early {
        println!("  (the input ended; everything answered so far is saved)");
    }
    println!("Saved as session {session}: `rehearse replay {session}` to review it, `rehearse progress` for trends.");
}

/// Ends a session in the history; says so when nothing was answered and the
/// empty session was dropped.
fn end_session(history: &mut History, session: i64) -> anyhow::Result<bool> {
    let kept = history.end_session(session)?;
    if !kept {
        println!("No answer was given, so no session was saved.");
    }
    Ok(kept)
}

/// The work of a session and the end of its record: the work's error comes
/// first (it may carry a typed answer that must reach the user), and an
/// error ending the session is then only a warning.
fn after_session<T>(
    work: anyhow::Result<T>,
    ended: anyhow::Result<bool>,
) -> anyhow::Result<(T, bool)> {
    match (work, ended) {
        (Ok(value), ended) => Ok((value, ended?)),
        (Err(e), Err(end)) => {
            eprintln!("warning: {end:#}");
            Err(e)
        }
        (Err(e), Ok(_)) => Err(e),
    }
}

fn show_at_end(ui: &TerminalUi, outcome: &InterviewOutcome, report: ReportWhen) {
    if report == ReportWhen::End {
        for step in &outcome.steps {
            println!("\n{}: {}", step.label, step.asked);
            ui.show_step(step);
        }
    }
}

pub fn interview(
    args: InterviewArgs,
    models_dir: &Path,
    bank_dir: Option<PathBuf>,
    data: &DataArgs,
) -> anyhow::Result<ExitCode> {
    let catalog = bank::load_catalog(bank_dir.as_deref())?;
    let mut history = data.open()?;
    let scores = history.question_scores()?;
    let draw = bank::draw(
        &catalog,
        &DrawRequest {
            count: args.questions,
            seed: args.seed,
            filter: Filter {
                banks: args.banks.clone(),
                categories: args.categories.clone(),
                tags: args.tags.clone(),
            },
            include: args.include.clone(),
            exclude: Vec::new(),
            history: Some(&scores),
        },
    )?;
    let transcriber = if args.text {
        None
    } else {
        Some(load_transcriber(args.model.as_deref(), models_dir)?)
    };
    let (mut speaker, warning) =
        speech::open_speaker(speaks(&args.voice, args.text), args.voice.options());
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    let signals = live::stop_signals();
    if !args.text {
        live::watch_enter(&signals);
    }
    let session = history.start_session(
        SessionKind::Interview,
        &format!(
            "Mock interview ({})",
            rehearse::report::counted(draw.questions.len(), "question")
        ),
        &serde_json::json!({"seed": draw.seed, "questions": draw.questions.iter().map(|q| &q.id).collect::<Vec<_>>(), "mode": if args.text {"typed"} else {"spoken"}}),
    )?;
    println!(
        "Mock interview: {} (seed {}). {}",
        rehearse::report::counted(draw.questions.len(), "question"),
        draw.seed,
        if args.text {
            "Type each answer and finish it with an empty line."
        } else {
            "Answer aloud after each question; press Enter when you are done."
        }
    );
    let mut ui = TerminalUi::new().with_interrupt(signals.interrupt.clone());
    let source = if args.text {
        AnswerSource::Typed
    } else {
        AnswerSource::Microphone {
            device: args.device.clone(),
        }
    };
    let report_when = args.report;
    let outcome = {
        let mut coach = Coach::new(transcriber.clone(), speaker.as_mut(), &mut history, signals);
        coach.judge = load_judge(models_dir);
        run_interview(
            &mut coach,
            session,
            &draw.questions,
            &InterviewPlan {
                max_follow_ups: args.follow_ups,
            },
            &mut |_, _| source.clone(),
            &mut ui,
            &mut |step: &InterviewStep, ui| {
                if report_when == ReportWhen::Each {
                    ui.answered(step);
                }
            },
        )
    };
    let ended = end_session(&mut history, session);
    let (outcome, kept) = after_session(outcome.map_err(Into::into), ended)?;
    show_at_end(&ui, &outcome, report_when);
    if kept {
        print_summary(&outcome, session);
    }
    Ok(if outcome.interrupted {
        ExitCode::from(130)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Debug, Args)]
pub struct PracticeArgs {
    /// Question id (see `rehearse banks list`), e.g. biggest-mistake
    #[arg(value_name = "ID")]
    pub question: String,
    /// After the attempts, drill the question's follow-up questions too
    #[arg(long, conflicts_with = "follow_up")]
    pub follow_ups: bool,
    /// Drill one follow-up question on its own, by its id or number (see
    /// `rehearse banks show ID`), e.g. prevention
    #[arg(long, value_name = "ID")]
    pub follow_up: Option<String>,
    /// Attempts at most (stops earlier once the answer covers everything)
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub attempts: u32,
    /// Type answers instead of speaking them
    #[arg(long)]
    pub text: bool,
    /// Input device id or name (see `rehearse devices`)
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,
    /// Use these recordings as the spoken answers, in order (no microphone)
    #[arg(long = "from-wav", value_name = "FILE", num_args = 1..)]
    pub from_wav: Vec<PathBuf>,
    #[arg(long, value_name = "NAME|PATH", help = MODEL_HELP)]
    pub model: Option<String>,
    #[command(flatten)]
    pub voice: VoiceArgs,
}

fn delta(label: &str, before: Option<f64>, after: Option<f64>, unit: &str, better_up: bool) {
    let fmt = |v: Option<f64>| {
        v.map(|v| format!("{v:.1}{unit}"))
            .unwrap_or_else(|| "-".into())
    };
    let arrow = match (before, after) {
        (Some(b), Some(a)) if (a - b).abs() < 1e-9 => "same",
        (Some(b), Some(a)) if (a > b) == better_up => "better",
        (Some(_), Some(_)) => "worse",
        _ => "",
    };
    println!(
        "  {label:<14} {:>12} {:>12}  {arrow}",
        fmt(before),
        fmt(after)
    );
}

fn compare(previous: &rehearse::analysis::Analysis, current: &rehearse::analysis::Analysis) {
    println!("\n  {:<14} {:>12} {:>12}", "", "previous", "this attempt");
    delta(
        "coverage",
        Some(coverage(previous) * 100.0),
        Some(coverage(current) * 100.0),
        "%",
        true,
    );
    delta(
        "fillers/min",
        previous.fillers.per_minute,
        current.fillers.per_minute,
        "",
        false,
    );
    delta(
        "WPM",
        previous.timing.as_ref().map(|t| t.words_per_minute),
        current.timing.as_ref().map(|t| t.words_per_minute),
        "",
        true,
    );
    delta(
        "length (s)",
        Some(previous.length.secs),
        Some(current.length.secs),
        "",
        true,
    );
    let gained: Vec<&str> = current
        .content
        .elements
        .iter()
        .filter(|e| e.covered && previous.content.missing.contains(&e.id))
        .map(|e| e.name.as_str())
        .collect();
    if !gained.is_empty() {
        println!("  newly covered: {}", gained.join(", "));
    }
}

pub fn practice(
    args: PracticeArgs,
    models_dir: &Path,
    bank_dir: Option<PathBuf>,
    data: &DataArgs,
) -> anyhow::Result<ExitCode> {
    let catalog = bank::load_catalog(bank_dir.as_deref())?;
    let question = catalog.question(&args.question).with_context(|| {
        format!(
            "no question `{}`: `rehearse banks list` shows the ids",
            args.question
        )
    })?;
    // One follow-up drilled on its own: asked (with its question as
    // context) and judged by what it asks for, attempt after attempt.
    let follow_up = match &args.follow_up {
        Some(name) => Some(question.follow_up(name).with_context(|| {
            let ids: Vec<&str> = question.follow_ups.iter().map(|f| f.id.as_str()).collect();
            if ids.is_empty() {
                format!("--follow-up {name}: question `{}` has no follow-up questions", question.id)
            } else {
                format!(
                    "--follow-up {name}: question `{}` has no such follow-up; its follow-ups are {} (or their numbers 1-{}, see `rehearse banks show {}`)",
                    question.id,
                    ids.join(", "),
                    ids.len(),
                    question.id
                )
            }
        })?),
        None => None,
    };
    let drilled_question = follow_up.map(|f| f.as_question(question));
    let judged = drilled_question.as_ref().unwrap_or(question);
    let asked = follow_up.map_or(&question.text, |f| &f.text);
    let follow_up_id = follow_up.map(|f| f.id.clone());
    let spoken = !args.text;
    for wav in &args.from_wav {
        if !wav.exists() {
            bail!("--from-wav {}: no such file", wav.display());
        }
    }
    let mut history = data.open()?;
    let transcriber = if spoken {
        Some(load_transcriber(args.model.as_deref(), models_dir)?)
    } else {
        None
    };
    let (mut speaker, warning) =
        speech::open_speaker(speaks(&args.voice, !spoken), args.voice.options());
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    let signals = live::stop_signals();
    if spoken && args.from_wav.is_empty() {
        live::watch_enter(&signals);
    }
    let session = match &follow_up_id {
        Some(id) => history.start_session(
            SessionKind::Practice,
            &format!("Practice: {} / follow-up {id}", question.id),
            &serde_json::json!({"question": question.id, "follow_up": id}),
        )?,
        None => history.start_session(
            SessionKind::Practice,
            &format!("Practice: {}", question.id),
            &serde_json::json!({"question": question.id}),
        )?,
    };
    if let Some(f) = follow_up {
        println!("Question: {}", question.text);
        println!("Follow-up `{}`: {}", f.id, f.text);
        if let Some(g) = &f.guidance {
            println!("  A good answer: {g}");
        }
        let names: Vec<&str> = judged.rubric.iter().map(|c| c.name.as_str()).collect();
        println!(
            "  Judged on: {} ({}-{} s)\n",
            names.join(", "),
            judged.target_seconds.min,
            judged.target_seconds.max
        );
    }
    let mut recordings = args.from_wav.clone().into_iter();
    let mut next_source = || -> Option<AnswerSource> {
        if args.text {
            Some(AnswerSource::Typed)
        } else if !args.from_wav.is_empty() {
            recordings
                .next()
                .map(|path| AnswerSource::Recording { path, speed: 50.0 })
        } else {
            Some(AnswerSource::Microphone {
                device: args.device.clone(),
            })
        }
    };
    let mut ui = TerminalUi::new().with_interrupt(signals.interrupt.clone());
    let mut coach = Coach::new(transcriber.clone(), speaker.as_mut(), &mut history, signals);
    coach.judge = load_judge(models_dir);
    // Whatever happens below (a microphone that fails to open, a full
    // disk), the session is ended: kept with what was answered, or dropped
    // if nothing was.
    let drilled = (|| -> anyhow::Result<bool> {
        let mut previous: Option<rehearse::analysis::Analysis> = None;
        let mut last_answer: Option<i64> = None;
        let mut position = 0;
        let mut stopped = false;
        let mut interrupted = false;
        for attempt in 1..=args.attempts.max(1) {
            let Some(source) = next_source() else { break };
            position += 1;
            let slot = Slot {
                session,
                position,
                attempt,
                label: format!("Attempt {attempt}"),
                asked: asked.clone(),
                question: judged,
                follow_up_of: None,
                follow_up_id: follow_up_id.clone(),
            };
            let answered = match coach.ask(&slot, &source, &mut ui)? {
                Asked::Answered(answered) => *answered,
                Asked::Stopped { interrupted } => return Ok(interrupted),
            };
            ui.report(&answered.analysis);
            last_answer = Some(answered.answer_id);
            if let Some(prev) = &previous {
                compare(prev, &answered.analysis);
            }
            let complete = answered.analysis.content.missing.is_empty()
                && answered.analysis.content.fired.is_empty();
            stopped = answered.stop_session;
            interrupted = answered.interrupted;
            previous = Some(answered.analysis);
            if complete {
                if follow_up.is_some() {
                    println!("\nThe answer covers what the follow-up asks for, with no red flags.");
                } else {
                    println!("\nThe answer covers every element with no red flags.");
                }
                break;
            }
            if stopped {
                break;
            }
        }
        if args.follow_ups && !stopped {
            if let (Some(last), Some(parent)) = (previous.clone(), last_answer) {
                interrupted = drill_follow_ups(
                    &mut coach,
                    session,
                    question,
                    (&last, parent),
                    &mut position,
                    &mut next_source,
                    &mut ui,
                )?;
            }
        }
        Ok(interrupted)
    })();
    drop(coach);
    let ended = end_session(&mut history, session);
    let (interrupted, kept) = after_session(drilled, ended)?;
    if kept {
        println!("\nSaved as session {session}: `rehearse replay {session}` to review it.");
    }
    Ok(if interrupted {
        ExitCode::from(130)
    } else {
        ExitCode::SUCCESS
    })
}

fn drill_follow_ups(
    coach: &mut Coach,
    session: i64,
    question: &Question,
    (last, parent): (&rehearse::analysis::Analysis, i64),
    position: &mut u32,
    next_source: &mut dyn FnMut() -> Option<AnswerSource>,
    ui: &mut TerminalUi,
) -> anyhow::Result<bool> {
    let mut follow_ups = last.follow_ups(question);
    if follow_ups.is_empty() {
        follow_ups = question.follow_ups.iter().collect();
    }
    // Each follow-up answer is judged by what it asks for: its target
    // elements and its own length window.
    let follow_ups: Vec<(String, Question)> = follow_ups
        .iter()
        .map(|f| (f.id.clone(), f.as_question(question)))
        .collect();
    for (follow_up_id, follow_up) in &follow_ups {
        let Some(source) = next_source() else { break };
        *position += 1;
        let slot = Slot {
            session,
            position: *position,
            attempt: 1,
            label: "Follow-up".into(),
            asked: follow_up.text.clone(),
            question: follow_up,
            follow_up_of: Some(parent),
            follow_up_id: Some(follow_up_id.clone()),
        };
        let answered = match coach.ask(&slot, &source, ui)? {
            Asked::Answered(answered) => *answered,
            Asked::Stopped { interrupted } => return Ok(interrupted),
        };
        let step = InterviewStep {
            label: slot.label.clone(),
            asked: slot.asked.clone(),
            question_id: question.id.clone(),
            answer_id: answered.answer_id,
            analysis: answered.analysis,
            is_follow_up: true,
            follow_up_id: Some(follow_up_id.clone()),
            follow_up_targets: follow_up.rubric.iter().map(|c| c.id.clone()).collect(),
        };
        ui.show_step(&step);
        if answered.stop_session {
            return Ok(answered.interrupted);
        }
    }
    Ok(false)
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How fast the sample answers play (1 = real time)
    #[arg(long, value_name = "X", default_value_t = 4.0)]
    pub speed: f64,
    #[arg(long, value_name = "NAME|PATH", help = MODEL_HELP)]
    pub model: Option<String>,
    #[command(flatten)]
    pub voice: VoiceArgs,
}

pub fn demo(args: DemoArgs, models_dir: &Path, data: &DataArgs) -> anyhow::Result<ExitCode> {
    let catalog: Catalog = bank::bundled()?;
    let transcriber = load_transcriber(args.model.as_deref(), models_dir)?;
    let scratch = tempfile::tempdir()?;
    eprintln!("Preparing sample answers with espeak-ng...");
    let mut answers = Vec::new();
    for (i, step) in DEMO_SCRIPT.iter().enumerate() {
        let main = demo::synthesize(step.answer, &scratch.path().join(format!("{i}.wav")))?;
        let follow: Vec<(&str, PathBuf)> = step
            .follow_up_answers
            .iter()
            .enumerate()
            .map(|(j, (asked, text))| {
                demo::synthesize(text, &scratch.path().join(format!("{i}-{j}.wav")))
                    .map(|path| (*asked, path))
            })
            .collect::<Result<_, _>>()?;
        answers.push((step.question_id, main, follow));
    }
    let questions: Vec<&Question> = DEMO_SCRIPT
        .iter()
        .map(|s| {
            catalog
                .question(s.question_id)
                .expect("demo questions are bundled")
        })
        .collect();
    let mut history = data.open()?;
    let (mut speaker, warning) = speech::open_speaker(!args.voice.no_tts, args.voice.options());
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    let session = history.start_session(
        SessionKind::Demo,
        "Demo interview",
        &serde_json::json!({"questions": questions.iter().map(|q| &q.id).collect::<Vec<_>>()}),
    )?;
    println!(
        "Demo mock interview: {} questions, answered by sample recordings (no microphone).",
        questions.len()
    );
    let mut ui = TerminalUi::new();
    let speed = args.speed;
    let outcome = {
        let mut coach = Coach::new(
            Some(transcriber.clone()),
            speaker.as_mut(),
            &mut history,
            live::stop_signals(),
        );
        coach.judge = load_judge(models_dir);
        run_interview(
            &mut coach,
            session,
            &questions,
            &InterviewPlan { max_follow_ups: 1 },
            &mut |id, follow_up| {
                let (_, main, follow) =
                    answers.iter().find(|(q, _, _)| *q == id).expect("scripted");
                // Every follow-up of a demo question has a scripted answer
                // (a unit test checks it); an unknown one gets the main answer.
                let path = follow_up
                    .and_then(|asked| follow.iter().find(|(q, _)| *q == asked))
                    .map_or_else(|| main.clone(), |(_, path)| path.clone());
                AnswerSource::Recording { path, speed }
            },
            &mut ui,
            &mut |step: &InterviewStep, ui| ui.answered(step),
        )
    };
    let ended = end_session(&mut history, session);
    let (outcome, kept) = after_session(outcome.map_err(Into::into), ended)?;
    if kept {
        print_summary(&outcome, session);
    }
    Ok(ExitCode::SUCCESS)
}
