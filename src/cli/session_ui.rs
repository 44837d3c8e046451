//! The terminal side of a practice session: questions, the recording
//! countdown, typed answers, and per-answer reports.

use std::io::{BufRead, Write};

use rehearse::analysis::Analysis;
use rehearse::audio::answer::{AnswerRecording, LiveStatus};
use rehearse::report;
use rehearse::session::interview::InterviewStep;
use rehearse::session::pipeline::SessionUi;

use super::live::Countdown;

/// Prints to the terminal; reads typed answers from standard input.
pub struct TerminalUi {
    countdown: Option<Countdown>,
    time_limit: f64,
    color: bool,
}

impl TerminalUi {
    pub fn new() -> Self {
        Self {
            countdown: None,
            time_limit: 0.0,
            color: console::colors_enabled(),
        }
    }

    /// The full report of one answer.
    pub fn report(&self, analysis: &Analysis) {
        println!("{}", report::terminal::render(analysis, self.color));
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
        if covered.is_empty() {
            println!(
                "  The follow-up answer still does not cover: {}\n",
                step.follow_up_targets.join(", ")
            );
        } else {
            println!(
                "  The follow-up answer now covers: {}\n",
                covered.join(", ")
            );
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
        println!("\n{label}: {text}");
        let _ = std::io::stdout().flush();
    }

    fn recording(&mut self, status: &LiveStatus) {
        if self.countdown.is_none() || self.time_limit != status.time_limit_secs {
            self.time_limit = status.time_limit_secs;
            self.countdown = Some(Countdown::new(status.time_limit_secs));
        }
        if let Some(c) = self.countdown.as_mut() {
            c.update(status);
        }
    }

    fn recording_done(&mut self, recording: &AnswerRecording) {
        if let Some(c) = self.countdown.take() {
            c.finish();
        }
        println!(
            "  recorded {:.1} s ({}){}",
            recording.duration_secs,
            recording.ended_by,
            recording
                .time_to_first_speech
                .map(|t| format!(", first word after {t:.1} s"))
                .unwrap_or_default()
        );
    }

    fn read_typed_answer(&mut self) -> Option<String> {
        println!("  Type your answer; finish with an empty line (end of input stops the session):");
        let stdin = std::io::stdin();
        let mut lines = Vec::new();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            if line.trim().is_empty() {
                if lines.is_empty() {
                    continue;
                }
                return Some(lines.join(" "));
            }
            lines.push(line);
        }
        (!lines.is_empty()).then(|| lines.join(" "))
    }

    fn busy(&mut self, what: &str) {
        eprintln!("  {what}...");
    }

    fn note(&mut self, text: &str) {
        eprintln!("note: {text}");
    }
}
