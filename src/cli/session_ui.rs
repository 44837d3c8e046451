//! The terminal side of a practice session: questions, the session progress
//! bar, the recording countdown, typed answers, and per-answer reports.
//!
//! While a session runs, its progress bar stays at the bottom of the
//! terminal; everything else is printed above it (through
//! [`MultiProgress::suspend`]), so the two never overwrite each other. When
//! the output is not a terminal the bars are hidden and only the text is
//! printed.

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use rehearse::analysis::Analysis;
use rehearse::audio::answer::{AnswerRecording, LiveStatus};
use rehearse::report;
use rehearse::session::interview::InterviewStep;
use rehearse::session::pipeline::{SessionStage, SessionUi, TypedAnswer};

use super::live::Countdown;

/// Prints to the terminal; reads typed answers from standard input.
pub struct TerminalUi {
    bars: MultiProgress,
    session: Option<ProgressBar>,
    countdown: Option<Countdown>,
    time_limit: f64,
    color: bool,
    /// Set by Ctrl-C: a typed answer stops at once.
    interrupt: Option<Arc<AtomicBool>>,
}

/// Lines of standard input, read on their own thread so that waiting for
/// a typed line can be cut short by Ctrl-C; `None` is the end of input.
fn input_lines() -> &'static Mutex<Receiver<Option<String>>> {
    static LINES: OnceLock<Mutex<Receiver<Option<String>>>> = OnceLock::new();
    LINES.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(Some(line)).is_err() {
                    return;
                }
            }
            let _ = tx.send(None);
        });
        Mutex::new(rx)
    })
}

impl TerminalUi {
    pub fn new() -> Self {
        Self {
            bars: MultiProgress::new(),
            session: None,
            countdown: None,
            time_limit: 0.0,
            color: console::colors_enabled(),
            interrupt: None,
        }
    }

    /// Typed answers stop as soon as `interrupt` is set (Ctrl-C), not at
    /// the next line typed.
    pub fn with_interrupt(mut self, interrupt: Arc<AtomicBool>) -> Self {
        self.interrupt = Some(interrupt);
        self
    }

    fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|i| i.load(Ordering::SeqCst))
    }

    /// Prints a line above the bars.
    fn say(&self, text: &str) {
        self.bars.suspend(|| {
            println!("{text}");
            let _ = std::io::stdout().flush();
        });
    }

    /// Prints a line to standard error above the bars.
    fn say_err(&self, text: &str) {
        self.bars.suspend(|| eprintln!("{text}"));
    }

    /// The full report of one answer.
    pub fn report(&self, analysis: &Analysis) {
        self.say(&report::terminal::render(analysis, self.color));
    }

    /// A short verdict for a follow-up answer: did it supply what was missing?
    pub fn follow_up_verdict(&self, step: &InterviewStep) {
        let covered: Vec<&str> = step
            .analysis
            .content
            .elements
            .iter()
            .filter(|e| e.covered && step.follow_up_targets.contains(&e.id))
            .map(|e| e.name.as_str())
            .collect();
        let name_of = |id: &String| {
            step.analysis
                .content
                .elements
                .iter()
                .find(|e| &e.id == id)
                .map_or(id.clone(), |e| e.name.clone())
        };
        if step.follow_up_targets.is_empty() {
            // A follow-up asked for no particular element: its report says it all.
        } else if covered.is_empty() {
            let names: Vec<String> = step.follow_up_targets.iter().map(name_of).collect();
            self.say(&format!(
                "  The follow-up answer still does not cover: {}\n",
                names.join(", ")
            ));
        } else {
            self.say(&format!(
                "  The follow-up answer now covers: {}\n",
                covered.join(", ")
            ));
        }
    }

    /// Shows a step as soon as it is answered.
    pub fn show_step(&self, step: &InterviewStep) {
        if step.is_follow_up {
            self.follow_up_verdict(step);
        } else {
            self.report(&step.analysis);
        }
    }
}

impl SessionUi for TerminalUi {
    fn show_question(&mut self, label: &str, text: &str) {
        self.say(&format!("\n{label}: {text}"));
    }

    fn recording(&mut self, status: &LiveStatus) {
        if self.countdown.is_none() || self.time_limit != status.time_limit_secs {
            self.time_limit = status.time_limit_secs;
            if let Some(old) = self.countdown.take() {
                old.finish();
            }
            self.countdown = Some(Countdown::in_multi(&self.bars, status.time_limit_secs));
        }
        if let Some(c) = self.countdown.as_mut() {
            c.update(status);
        }
    }

    fn recording_done(&mut self, recording: &AnswerRecording) {
        if let Some(c) = self.countdown.take() {
            c.finish();
        }
        self.say(&format!(
            "  recorded {:.1} s ({}){}",
            recording.duration_secs,
            recording.ended_by,
            recording
                .time_to_first_speech
                .map(|t| format!(", first word after {t:.1} s"))
                .unwrap_or_default()
        ));
    }

    fn read_typed_answer(&mut self) -> TypedAnswer {
        let mut lines: Vec<String> = Vec::new();
        // Whatever was typed before the stop is kept as the answer; with
        // nothing typed, nothing is stored.
        let stop = |lines: &Vec<String>, interrupted| {
            if lines.is_empty() {
                TypedAnswer::Nothing { interrupted }
            } else {
                TypedAnswer::Last {
                    text: lines.join(" "),
                    interrupted,
                }
            }
        };
        if self.interrupted() {
            return TypedAnswer::Nothing { interrupted: true };
        }
        self.say("  Type your answer; finish with an empty line (end of input stops the session):");
        let input = input_lines().lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if self.interrupted() {
                self.say_err(
                    "\ninterrupted: stopping the session (press Ctrl-C again to quit at once)",
                );
                return stop(&lines, true);
            }
            match input.recv_timeout(Duration::from_millis(50)) {
                Ok(Some(line)) if line.trim().is_empty() => {
                    if !lines.is_empty() {
                        return TypedAnswer::Answer(lines.join(" "));
                    }
                }
                Ok(Some(line)) => lines.push(line),
                Ok(None) | Err(RecvTimeoutError::Disconnected) => return stop(&lines, false),
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }

    fn busy(&mut self, what: &str) {
        self.say_err(&format!("  {what}..."));
    }

    fn note(&mut self, text: &str) {
        self.say_err(&format!("note: {text}"));
    }

    fn session_progress(&mut self, done: usize, total: usize, now: SessionStage) {
        let bar = self.session.get_or_insert_with(|| {
            let bar = self.bars.insert(0, ProgressBar::new(total as u64));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:24}] {pos}/{len} questions  {elapsed_precise}  {msg}",
                )
                .expect("valid template")
                .progress_chars("#>-"),
            );
            bar.set_prefix("interview");
            bar
        });
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(now.to_string());
        if now.is_over() {
            bar.finish();
        } else {
            // Keeps the elapsed time moving while an answer is recorded.
            bar.enable_steady_tick(std::time::Duration::from_secs(1));
        }
    }

    fn answered(&mut self, step: &InterviewStep) {
        self.show_step(step);
    }
}

impl Drop for TerminalUi {
    /// A session cut short by an error leaves its bar where it got to.
    fn drop(&mut self) {
        if let Some(bar) = self.session.take() {
            if !bar.is_finished() {
                bar.abandon();
            }
        }
    }
}
