//! The checked, resolved question banks the rest of rehearse uses: shared
//! rubric and red-flag lists already pulled into each question, cues
//! compiled, windows known to be sane, ids known to be unique.

use std::collections::HashMap;

use serde::Serialize;

use super::cue::CueMatcher;
pub use super::schema::{Condition, Difficulty, Phase, Stage};

/// Where something is defined: a bank file and a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A target answer length, in seconds (`min < max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub min: u32,
    pub max: u32,
}

/// A rubric element (something a good answer contains) or a red flag
/// (something it should avoid).
#[derive(Debug, Clone, Serialize)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    pub cues: Vec<String>,
    pub patterns: Vec<String>,
    /// For a rubric element: shown when the answer lacks it. For a red flag:
    /// shown when it fired. Phrased as an observation about the answer.
    pub advice: String,
    /// Sentences that show it, phrased as candidates say them (written
    /// speech included): its meaning, by example. Never empty in a checked
    /// bank; trimmed, no two alike.
    pub examples: Vec<String>,
    /// Near misses that must not count ("since then our office moved" for
    /// prevention). May be empty; never the same sentence as an example.
    pub counter_examples: Vec<String>,
    /// Which part of the answer a rubric element belongs to: always `Some`
    /// for a rubric element, always `None` for a red flag (validation
    /// guarantees both).
    pub phase: Option<Phase>,
    #[serde(skip)]
    pub(crate) matcher: CueMatcher,
}

impl Criterion {
    /// The compiled cues and patterns.
    pub fn matcher(&self) -> &CueMatcher {
        &self.matcher
    }
}

/// A question the coach may ask after the answer, and when.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    /// Unique within its question: `prevention`, or `follow-up-N`.
    pub id: String,
    pub text: String,
    /// What a good answer to it does (the bank's, if any).
    pub guidance: Option<String>,
    pub when: Condition,
    /// The rubric elements a good answer to it covers (empty: the whole
    /// rubric).
    pub targets: Vec<String>,
    /// How long a good answer to it takes.
    pub target_seconds: Window,
    #[serde(skip)]
    pub(crate) mentions: Option<CueMatcher>,
}

/// How long a follow-up answer should take when its bank does not say
/// (its question's own window is for a whole answer).
pub const FOLLOW_UP_SECONDS: Window = Window { min: 20, max: 60 };

impl FollowUp {
    /// The question a follow-up answer is judged against: the follow-up's
    /// own text, its target elements only (every element when it names
    /// none), all the red flags, and its own length window.
    pub fn as_question(&self, main: &Question) -> Question {
        let rubric = if self.targets.is_empty() {
            main.rubric.clone()
        } else {
            main.rubric
                .iter()
                .filter(|c| self.targets.contains(&c.id))
                .cloned()
                .collect()
        };
        Question {
            text: self.text.clone(),
            guidance: self.guidance.clone(),
            target_seconds: self.target_seconds,
            time_limit_seconds: main.time_limit_seconds.min(self.target_seconds.max * 2),
            rubric,
            follow_ups: Vec::new(),
            ..main.clone()
        }
    }

    /// Whether this follow-up applies to an answer whose `transcript` lacked
    /// the rubric elements `missing` and fired the red flags `fired`.
    pub fn applies(&self, missing: &[&str], fired: &[&str], transcript: &str) -> bool {
        match &self.when {
            Condition::Always => true,
            Condition::Missing(id) => missing.contains(&id.as_str()),
            Condition::RedFlag(id) => fired.contains(&id.as_str()),
            Condition::Mentions(_) => self
                .mentions
                .as_ref()
                .is_some_and(|m| m.is_match(transcript)),
        }
    }
}

/// One interview question with everything needed to ask it and judge the
/// answer.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: String,
    /// Id of the bank it belongs to.
    pub bank: String,
    pub text: String,
    pub category: String,
    pub tags: Vec<String>,
    pub difficulty: Difficulty,
    pub stage: Stage,
    pub guidance: Option<String>,
    /// How long a good answer takes.
    pub target_seconds: Window,
    /// When recording stops.
    pub time_limit_seconds: u32,
    pub rubric: Vec<Criterion>,
    pub red_flags: Vec<Criterion>,
    /// In priority order.
    pub follow_ups: Vec<FollowUp>,
    /// Where its `id` is written.
    pub defined_at: Location,
}

impl Question {
    pub fn element(&self, id: &str) -> Option<&Criterion> {
        self.rubric.iter().find(|c| c.id == id)
    }

    pub fn red_flag(&self, id: &str) -> Option<&Criterion> {
        self.red_flags.iter().find(|c| c.id == id)
    }

    /// The follow-ups that apply to an answer, in priority order (see
    /// [`FollowUp::applies`]).
    pub fn follow_ups_for<'q>(
        &'q self,
        missing: &[&str],
        fired: &[&str],
        transcript: &str,
    ) -> Vec<&'q FollowUp> {
        self.follow_ups
            .iter()
            .filter(|f| f.applies(missing, fired, transcript))
            .collect()
    }

    /// The follow-up a user named: by its id (`prevention`) or by its
    /// number in `rehearse banks show` (from 1).
    pub fn follow_up(&self, name: &str) -> Option<&FollowUp> {
        let name = name.trim();
        self.follow_ups.iter().find(|f| f.id == name).or_else(|| {
            name.parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| self.follow_ups.get(i))
        })
    }
}

/// One bank: a titled list of questions from one file.
#[derive(Debug, Clone, Serialize)]
pub struct Bank {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// Shipped inside rehearse (as opposed to a user's bank file).
    pub bundled: bool,
    /// A user bank that took the place of the bundled bank with its id.
    pub replaces_bundled: bool,
    pub questions: Vec<Question>,
    /// Where its `id` is written.
    pub defined_at: Location,
}

/// Every bank rehearse can draw from, with unique bank and question ids.
/// Build one with [`super::load::bundled`] or [`super::load::load_catalog`].
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub(crate) banks: Vec<Bank>,
    /// question id -> (bank index, question index)
    pub(crate) index: HashMap<String, (usize, usize)>,
}

impl Catalog {
    pub fn banks(&self) -> &[Bank] {
        &self.banks
    }

    pub fn bank(&self, id: &str) -> Option<&Bank> {
        self.banks.iter().find(|b| b.id == id)
    }

    /// Every question, bank by bank, in file order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.banks.iter().flat_map(|b| b.questions.iter())
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        let &(b, q) = self.index.get(id)?;
        Some(&self.banks[b].questions[q])
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}
