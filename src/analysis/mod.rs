//! Answer analysis: from an answer (a word-timed transcript, or typed text)
//! and the question's rubric, every figure the feedback report shows: timing
//! and pace, fillers, rubric coverage, red flags, hedges, and the short
//! "next attempt" list.
//!
//! [`analyze`] is pure and fast (no I/O; well under 50 ms for a two-minute
//! answer), so it can run the moment an answer ends. [`Analysis`] serialises
//! to JSON (with a [`SCHEMA_VERSION`]) for storage and `--json`.
//!
//! ```no_run
//! use rehearse::analysis::{analyze, AnalysisSettings, AnswerInput};
//!
//! let catalog = rehearse::bank::bundled()?;
//! let question = catalog.question("biggest-mistake").unwrap();
//! let input = AnswerInput::Typed { text: "My biggest mistake was ...".into() };
//! let analysis = analyze(question, &input, &AnalysisSettings::default());
//! for step in &analysis.next_attempt {
//!     println!("- {}", step.text);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod advice;
pub mod content;
pub mod dev_set;
pub mod fillers;
pub mod judge;
pub mod recorded;
pub mod sentence_facts;
pub mod text;
pub mod timing;

use serde::{Deserialize, Serialize};

use crate::audio::silero::Span;
use crate::bank::{FollowUp, Question};
use crate::transcribe::Transcript;

pub use advice::{AdviceSettings, NextStep, StepKind};
pub use content::{Content, ContentSettings, ElementResult, Evidence, RedFlagResult};
pub use fillers::{FillerReport, FillerSettings, FILLER_PROMPT};
pub use judge::{FlagStatus, JudgeKind, SemanticJudge, Status};
pub use text::AnswerText;
pub use timing::{clock, Timing, TimingSettings, Verdict};

/// Version of the [`Analysis`] JSON layout; raised on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// An answer to analyse.
#[derive(Debug, Clone)]
pub enum AnswerInput {
    /// A spoken answer: the transcript with word times, the recording's
    /// length, when speech began if something better than the first
    /// word's timestamp knows it (e.g. voice activity detection), and the
    /// speech the detector heard (hums included; empty when none ran), which
    /// long pauses are measured from.
    Spoken {
        transcript: Transcript,
        audio_secs: f64,
        time_to_first_word: Option<f64>,
        speech: Vec<Span>,
    },
    /// A typed answer: no timing.
    Typed { text: String },
}

impl AnswerInput {
    /// A spoken answer whose recording is exactly the transcribed audio.
    pub fn spoken(transcript: Transcript) -> Self {
        AnswerInput::Spoken {
            audio_secs: transcript.duration,
            transcript,
            time_to_first_word: None,
            speech: Vec::new(),
        }
    }
}

/// Every threshold, with the defaults the issue names (pace 130-165 WPM,
/// pauses over 2 s).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisSettings {
    pub timing: TimingSettings,
    pub fillers: FillerSettings,
    pub content: ContentSettings,
    pub advice: AdviceSettings,
}

/// Spoken or typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Spoken,
    Typed,
}

/// The question, as far as the report needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionInfo {
    pub id: String,
    pub text: String,
    pub target_seconds: TargetWindow,
    /// What a good answer does, from the bank (when it says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
}

/// A target answer length, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetWindow {
    pub min: u32,
    pub max: u32,
}

/// Answer length against the target window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Length {
    pub words: usize,
    /// Spoken: first word to last word. Typed: estimated at the middle of the pace band.
    pub secs: f64,
    pub estimated: bool,
    pub target: TargetWindow,
    pub verdict: Verdict,
}

/// One word of the answer as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordInfo {
    pub text: String,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub sentence: usize,
    /// Part of a counted filler.
    pub filler: bool,
}

/// One sentence with the rubric elements it matched and is counted for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceInfo {
    pub text: String,
    pub first_word: usize,
    pub words: usize,
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// Element ids whose cues matched in it.
    pub elements: Vec<String>,
    /// Element ids its time is counted for (its own, or the previous sentence's).
    pub counted_for: Vec<String>,
    /// Red flag ids that fired in it.
    pub red_flags: Vec<String>,
}

/// The answer as analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerView {
    pub text: String,
    pub words: Vec<WordInfo>,
    pub sentences: Vec<SentenceInfo>,
}

/// Everything known about one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub schema_version: u32,
    pub question: QuestionInfo,
    pub mode: Mode,
    pub settings: AnalysisSettings,
    pub answer: AnswerView,
    pub length: Length,
    /// Spoken answers only.
    pub timing: Option<Timing>,
    pub fillers: FillerReport,
    pub content: Content,
    /// At most three things to change next time, most important first.
    pub next_attempt: Vec<NextStep>,
}

impl Analysis {
    /// Ids of the rubric elements the answer lacks.
    pub fn missing_elements(&self) -> Vec<&str> {
        self.content.missing.iter().map(String::as_str).collect()
    }

    /// Ids of the red flags that fired.
    pub fn fired_red_flags(&self) -> Vec<&str> {
        self.content.fired.iter().map(String::as_str).collect()
    }

    /// The question's follow-ups that apply to this answer, in priority order.
    pub fn follow_ups<'q>(&self, question: &'q Question) -> Vec<&'q FollowUp> {
        question.follow_ups_for(
            &self.missing_elements(),
            &self.fired_red_flags(),
            &self.answer.text,
        )
    }
}

/// Analyses one answer to `question` with the keyword judge (bank cues
/// only; no model needed).
pub fn analyze(question: &Question, input: &AnswerInput, settings: &AnalysisSettings) -> Analysis {
    let text = answer_text(input);
    let judgement = judge::judge_keywords(question, &sentence_texts(&text));
    assemble(question, input, text, &judgement, settings)
}

/// Analyses a short made-up answer to `question` and throws the result
/// away. The first analysis in a process takes about 0.13 s longer than the
/// ones after it (measured with the bench's 30 s answer: 156 ms against
/// 25-33 ms); a session does this once before the first answer, so the
/// speaker never waits for it.
pub fn warm_up(
    question: &Question,
    settings: &AnalysisSettings,
    judge: Option<&SemanticJudge>,
) -> Result<(), crate::embed::EmbedError> {
    let input = AnswerInput::Typed {
        text: "I missed a deadline once. Since then I plan my week ahead.".into(),
    };
    analyze_with(question, &input, settings, judge).map(|_| ())
}

/// Analyses one answer to `question`, judging its content with `judge` (the
/// semantic judge) or, when `None`, with the bank cues only.
pub fn analyze_with(
    question: &Question,
    input: &AnswerInput,
    settings: &AnalysisSettings,
    judge: Option<&SemanticJudge>,
) -> Result<Analysis, crate::embed::EmbedError> {
    let text = answer_text(input);
    let sentences = sentence_texts(&text);
    let judgement = match judge {
        Some(judge) => judge.judge(question, &sentences)?,
        None => judge::judge_keywords(question, &sentences),
    };
    Ok(assemble(question, input, text, &judgement, settings))
}

/// The answer's words and sentences.
pub fn answer_text(input: &AnswerInput) -> AnswerText {
    match input {
        AnswerInput::Spoken { transcript, .. } => AnswerText::from_words(&transcript.words),
        AnswerInput::Typed { text } => AnswerText::from_text(text),
    }
}

fn sentence_texts(text: &AnswerText) -> Vec<String> {
    text.sentences.iter().map(|s| s.text.clone()).collect()
}

fn assemble(
    question: &Question,
    input: &AnswerInput,
    text: AnswerText,
    judgement: &judge::Judgement,
    settings: &AnalysisSettings,
) -> Analysis {
    let (mode, audio_secs, first_word, speech) = match input {
        AnswerInput::Spoken {
            audio_secs,
            time_to_first_word,
            speech,
            ..
        } => (Mode::Spoken, *audio_secs, *time_to_first_word, &speech[..]),
        AnswerInput::Typed { .. } => (Mode::Typed, 0.0, None, &[][..]),
    };
    let timing = timing::measure(&text, audio_secs, first_word, speech, &settings.timing);
    let fillers = fillers::find(
        &text,
        &settings.fillers,
        timing.as_ref().map(|t| t.answer_secs / 60.0),
    );
    let mut in_filler = vec![false; text.len()];
    for hit in &fillers.hits {
        for flag in &mut in_filler[hit.word..hit.word + hit.words] {
            *flag = true;
        }
    }
    let (content, per_sentence) =
        content::analyze(question, &text, judgement, &in_filler, &settings.content);

    let target = TargetWindow {
        min: question.target_seconds.min,
        max: question.target_seconds.max,
    };
    let (secs, estimated) = match &timing {
        Some(t) => (t.answer_secs, false),
        None => {
            let mid_wpm = (settings.timing.pace_min_wpm + settings.timing.pace_max_wpm) / 2.0;
            (text.len() as f64 * 60.0 / mid_wpm.max(1.0), true)
        }
    };
    let length = Length {
        words: text.len(),
        secs,
        estimated,
        target,
        verdict: Verdict::of(secs, target.min as f64, target.max as f64),
    };

    let ids = |list: &[usize]| -> Vec<String> {
        list.iter()
            .map(|&e| question.rubric[e].id.clone())
            .collect()
    };
    let sentences = text
        .sentences
        .iter()
        .zip(&per_sentence)
        .enumerate()
        .map(|(i, (span, elements))| SentenceInfo {
            text: span.text.clone(),
            first_word: span.first,
            words: span.last - span.first,
            start: text.tokens[span.first].start,
            end: text.tokens[span.last - 1].end,
            elements: ids(&elements.matched),
            counted_for: ids(&elements.attributed),
            red_flags: content
                .red_flags
                .iter()
                .filter(|f| f.evidence.iter().any(|e| e.sentence == i))
                .map(|f| f.id.clone())
                .collect(),
        })
        .collect();
    let words = text
        .tokens
        .iter()
        .zip(&in_filler)
        .map(|(t, &filler)| WordInfo {
            text: t.raw.clone(),
            start: t.start,
            end: t.end,
            sentence: t.sentence,
            filler,
        })
        .collect();

    let mut analysis = Analysis {
        schema_version: SCHEMA_VERSION,
        question: QuestionInfo {
            id: question.id.clone(),
            text: question.text.clone(),
            target_seconds: target,
            guidance: question.guidance.clone(),
        },
        mode,
        settings: settings.clone(),
        answer: AnswerView {
            text: text.full_text(),
            words,
            sentences,
        },
        length,
        timing,
        fillers,
        content,
        next_attempt: Vec::new(),
    };
    analysis.next_attempt = advice::next_attempt_for(question, &analysis, &settings.advice);
    analysis
}
