//! The YAML schema of a question bank file, as serde structs.
//!
//! These mirror the file exactly (every struct rejects unknown keys, so a
//! typo is an error rather than a silently ignored setting). Numbers are
//! read as `i64` so that a negative window gets a clear "bad window" error
//! from validation instead of a type error. `question-banks/README.md`
//! documents the schema for people; [`super::model`] holds the checked,
//! resolved form the rest of rehearse uses.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// One bank file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankFile {
    /// Bank id, kebab-case (`behavioral`).
    pub id: String,
    /// Human title.
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Named lists of rubric elements questions can pull in with `use_rubric`.
    #[serde(default)]
    pub shared_rubric: BTreeMap<String, Vec<CriterionSpec>>,
    /// Named lists of red flags questions can pull in with `use_red_flags`.
    #[serde(default)]
    pub shared_red_flags: BTreeMap<String, Vec<CriterionSpec>>,
    pub questions: Vec<QuestionSpec>,
}

/// One question as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionSpec {
    pub id: String,
    /// What the coach asks, word for word.
    pub text: String,
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub difficulty: Difficulty,
    #[serde(default)]
    pub stage: Stage,
    /// What a good answer does, shown before practising.
    #[serde(default)]
    pub guidance: Option<String>,
    pub target_seconds: WindowSpec,
    pub time_limit_seconds: i64,
    /// Names of `shared_rubric` lists to include, before `rubric`.
    #[serde(default)]
    pub use_rubric: Vec<String>,
    #[serde(default)]
    pub rubric: Vec<CriterionSpec>,
    /// Names of `shared_red_flags` lists to include, before `red_flags`.
    #[serde(default)]
    pub use_red_flags: Vec<String>,
    #[serde(default)]
    pub red_flags: Vec<CriterionSpec>,
    #[serde(default)]
    pub follow_ups: Vec<FollowUpSpec>,
}

/// The answer length a question aims for.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    pub min: i64,
    pub max: i64,
}

/// A rubric element (something a good answer contains) or a red flag
/// (something it should avoid), with the cues that detect it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionSpec {
    pub id: String,
    pub name: String,
    /// Plain phrases, matched case-insensitively as whole words.
    #[serde(default)]
    pub cues: Vec<String>,
    /// Regular expressions, matched case-insensitively.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Shown when the element is missing (rubric) or the flag fired.
    pub advice: String,
    /// Sentences that show the element (or the flag), phrased the way
    /// candidates say them: what it means, by example.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Near misses that must not count.
    #[serde(default)]
    pub counter_examples: Vec<String>,
    /// Rubric elements only: which part of the answer it belongs to.
    #[serde(default)]
    pub phase: Option<Phase>,
}

/// A question the coach may ask after the answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpSpec {
    /// Its id, unique within the question (`prevention`): what
    /// `practice QUESTION --follow-up ID` names. `follow-up-N` (its place,
    /// from 1) when left out.
    #[serde(default)]
    pub id: Option<String>,
    pub text: String,
    /// What a good answer to it does, shown before it is drilled on its own.
    #[serde(default)]
    pub guidance: Option<String>,
    /// When to ask it; `always` when left out.
    #[serde(default)]
    pub when: Condition,
    /// The rubric elements a good answer to it covers; for `when: {missing:
    /// X}` it is `[X]` when left out.
    #[serde(default)]
    pub targets: Vec<String>,
    /// How long a good answer to it takes, `{min, max}` seconds (20-60
    /// when left out: a follow-up answer is short).
    #[serde(default)]
    pub target_seconds: Option<WindowSpec>,
}

/// How hard a question is to answer well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Easy => "easy",
            Self::Medium => "medium",
            Self::Hard => "hard",
        }
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in an interview a question belongs; a draw asks opening questions
/// first and closing questions last.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Opening,
    #[default]
    Middle,
    Closing,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opening => "opening",
            Self::Middle => "middle",
            Self::Closing => "closing",
        }
    }
}

/// Which part of an answer a rubric element belongs to. The balance advice
/// ("too much set-up") compares the time spent on `setup` elements with the
/// time on `resolution` elements, and only for questions that have both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Context and the problem: the situation, the task, the mistake, its
    /// causes and impact.
    Setup,
    /// What the candidate did about it and where it led: actions, the fix,
    /// the result, the lesson, prevention.
    Resolution,
    /// Neither: the element is not part of a story (a reason, a question
    /// for the interviewer, a figure).
    Other,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Resolution => "resolution",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a follow-up is asked.
///
/// Written `when: always`, `when: {missing: ELEMENT}`,
/// `when: {red_flag: FLAG}` or `when: {mentions: [WORD, ...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    #[default]
    Always,
    /// The rubric element with this id was not found in the answer.
    Missing(String),
    /// The red flag with this id fired.
    RedFlag(String),
    /// The answer contains one of these words or phrases.
    Mentions(Vec<String>),
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Always => f.write_str("always"),
            Self::Missing(id) => write!(f, "when `{id}` is missing"),
            Self::RedFlag(id) => write!(f, "when red flag `{id}` fired"),
            Self::Mentions(words) => write!(f, "when the answer mentions {}", words.join(" / ")),
        }
    }
}

const CONDITION_FORMS: &str =
    "`always`, `{missing: ELEMENT}`, `{red_flag: FLAG}` or `{mentions: [WORD, ...]}`";

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ConditionVisitor;

        impl<'de> Visitor<'de> for ConditionVisitor {
            type Value = Condition;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a follow-up condition: {CONDITION_FORMS}")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Condition, E> {
                match value {
                    "always" => Ok(Condition::Always),
                    other => Err(E::custom(format_args!(
                        "unknown condition `{other}`: write {CONDITION_FORMS}"
                    ))),
                }
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Condition, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(format_args!(
                        "empty condition: write {CONDITION_FORMS}"
                    )));
                };
                let condition = match key.as_str() {
                    "missing" => Condition::Missing(map.next_value()?),
                    "red_flag" => Condition::RedFlag(map.next_value()?),
                    "mentions" => Condition::Mentions(map.next_value()?),
                    other => {
                        return Err(de::Error::custom(format_args!(
                            "unknown condition `{other}`: write {CONDITION_FORMS}"
                        )))
                    }
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format_args!(
                        "a condition has exactly one key, found `{key}` and `{extra}`: write one follow-up per condition"
                    )));
                }
                Ok(condition)
            }
        }

        deserializer.deserialize_any(ConditionVisitor)
    }
}
