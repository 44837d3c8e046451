//! Cue matching: how a rubric element, a red flag or a `mentions` follow-up
//! condition is recognised in a transcript.
//!
//! A cue is either a plain phrase or a regular expression pattern:
//! - phrases match case-insensitively, as whole words (`"I learned"` matches
//!   "so i LEARNED that" but not "I learnedly"), with any run of spaces
//!   between their words, and with `'` matching both straight and curly
//!   apostrophes (whisper writes either);
//! - patterns are `regex` crate syntax, always compiled case-insensitively.

use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

/// Keeps a hostile pattern from compiling into a huge automaton.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// The compiled cues of one criterion (or of one `mentions` condition).
///
/// Patterns are compiled when the matcher is built, since a pattern can be
/// invalid and the bank must say so when it loads. Phrases cannot be invalid
/// (they are escaped), so they are compiled on first use: compiling the
/// several hundred phrases of the bundled banks took ~0.3 ms each, which made
/// loading the banks take hundreds of milliseconds for questions that a
/// session never asks.
#[derive(Debug, Clone, Default)]
pub struct CueMatcher {
    /// (the phrase as written, the regular expression it stands for)
    phrases: Vec<(String, String)>,
    /// Compiled from `phrases` on first use, in the same order.
    compiled_phrases: OnceLock<Vec<Option<Regex>>>,
    /// (the pattern as written, its compiled form)
    patterns: Vec<(String, Regex)>,
}

/// Where a cue matched in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueMatch<'m> {
    /// The phrase or pattern as written in the bank.
    pub cue: &'m str,
    /// Byte range of the match in the searched text.
    pub start: usize,
    pub end: usize,
}

/// Why a cue could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CueError {
    /// Phrase number `index` is empty or only spaces.
    EmptyPhrase { index: usize },
    /// Pattern number `index` is empty.
    EmptyPattern { index: usize },
    /// Pattern number `index` is not a valid regular expression.
    BadPattern { index: usize, reason: String },
}

impl CueMatcher {
    /// Checks `phrases` and compiles `patterns`; phrases are compiled on
    /// first use.
    pub fn new(phrases: &[String], patterns: &[String]) -> Result<Self, CueError> {
        let mut checked = Vec::with_capacity(phrases.len());
        for (index, phrase) in phrases.iter().enumerate() {
            let source = phrase_regex(phrase).ok_or(CueError::EmptyPhrase { index })?;
            checked.push((phrase.clone(), source));
        }
        let mut compiled = Vec::with_capacity(patterns.len());
        for (index, pattern) in patterns.iter().enumerate() {
            if pattern.trim().is_empty() {
                return Err(CueError::EmptyPattern { index });
            }
            let regex = RegexBuilder::new(pattern)
                .case_insensitive(true)
                .size_limit(PATTERN_SIZE_LIMIT)
                .build()
                .map_err(|e| CueError::BadPattern {
                    index,
                    reason: e.to_string(),
                })?;
            compiled.push((pattern.clone(), regex));
        }
        Ok(Self {
            phrases: checked,
            compiled_phrases: OnceLock::new(),
            patterns: compiled,
        })
    }

    /// Whether no cue was given.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty() && self.patterns.is_empty()
    }

    /// Every cue as written with its compiled form: phrases, then patterns.
    fn cues(&self) -> impl Iterator<Item = (&str, &Regex)> {
        let phrases = self.compiled_phrases.get_or_init(|| {
            self.phrases
                .iter()
                // An escaped phrase always compiles; one too long for the
                // default size limit (megabytes of text) would match nothing.
                .map(|(_, source)| {
                    RegexBuilder::new(source)
                        .case_insensitive(true)
                        .build()
                        .ok()
                })
                .collect()
        });
        self.phrases
            .iter()
            .zip(phrases)
            .filter_map(|((cue, _), regex)| Some((cue.as_str(), regex.as_ref()?)))
            .chain(
                self.patterns
                    .iter()
                    .map(|(cue, regex)| (cue.as_str(), regex)),
            )
    }

    /// The earliest match of any cue in `text`.
    pub fn find<'m>(&'m self, text: &str) -> Option<CueMatch<'m>> {
        self.cues()
            .filter_map(|(cue, regex)| {
                regex.find(text).map(|m| CueMatch {
                    cue,
                    start: m.start(),
                    end: m.end(),
                })
            })
            .min_by_key(|m| (m.start, std::cmp::Reverse(m.end)))
    }

    /// Whether any cue matches `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.cues().any(|(_, regex)| regex.is_match(text))
    }
}

/// The regular expression a plain phrase stands for, or `None` for an empty
/// phrase. Word boundaries are only required next to word characters, so a
/// phrase such as `"100%"` still matches.
pub fn phrase_regex(phrase: &str) -> Option<String> {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let body = words
        .iter()
        .map(|word| {
            word.split(['\'', '’'])
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join("['’]")
        })
        .collect::<Vec<_>>()
        .join(r"\s+");
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let first = phrase.trim_start().chars().next()?;
    let last = phrase.trim_end().chars().next_back()?;
    Some(format!(
        "{}{body}{}",
        if is_word(first) { r"\b" } else { "" },
        if is_word(last) { r"\b" } else { "" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(phrases: &[&str], patterns: &[&str]) -> CueMatcher {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        CueMatcher::new(&own(phrases), &own(patterns)).unwrap()
    }

    #[test]
    fn phrases_match_whole_words_case_insensitively() {
        let m = matcher(&["I learned", "my fault"], &[]);
        assert!(m.is_match("So i LEARNED a lot"));
        assert!(m.is_match("it was   my\nfault"));
        assert!(!m.is_match("I learnedly said"));
        assert!(!m.is_match("my faulty code"));
        assert!(!m.is_match("we learned"));
    }

    #[test]
    fn apostrophes_match_straight_and_curly() {
        let m = matcher(&["wasn't my fault"], &[]);
        assert!(m.is_match("It wasn’t my fault"));
        assert!(m.is_match("it wasn't my fault"));
        assert!(!m.is_match("it wasnt my fault"));
    }

    #[test]
    fn non_word_edges_and_special_characters_are_literal() {
        let m = matcher(&["100%", "c++"], &[]);
        assert!(m.is_match("we hit 100% coverage"));
        assert!(m.is_match("I wrote C++ daily"));
        assert!(!m.is_match("we hit 1000 coverage"));
    }

    #[test]
    fn patterns_are_case_insensitive_and_find_reports_the_earliest_cue() {
        let m = matcher(&["lesson"], &[r"\bI (forgot|missed)\b"]);
        let text = "Well i MISSED the deadline; the lesson was clear";
        let hit = m.find(text).unwrap();
        assert_eq!(hit.cue, r"\bI (forgot|missed)\b");
        assert_eq!(&text[hit.start..hit.end], "i MISSED");
        assert_eq!(m.find("nothing here"), None);
    }

    #[test]
    fn bad_and_empty_cues_are_reported_with_their_index() {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            CueMatcher::new(&own(&["ok", "  "]), &[]).unwrap_err(),
            CueError::EmptyPhrase { index: 1 }
        );
        assert_eq!(
            CueMatcher::new(&[], &own(&["fine", ""])).unwrap_err(),
            CueError::EmptyPattern { index: 1 }
        );
        match CueMatcher::new(&[], &own(&["ok", "(unclosed"])).unwrap_err() {
            CueError::BadPattern { index, reason } => {
                assert_eq!(index, 1);
                assert!(reason.contains("unclosed"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
