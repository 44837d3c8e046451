//! Filler words: "um", "uh", "you know", "I mean", and the words that are
//! fillers only in some positions ("like", "so", "actually", "right?").
//!
//! Multi-word fillers are matched whole and each word belongs to at most one
//! filler. Context rules keep meaningful uses out of the count:
//! - "like" counts only set off by a comma or opening a clause, and never
//!   right after a subject or a modal ("I'd like to", "we like", "would
//!   like") unless a comma parts them ("I, like, check");
//! - "so" counts only at the start of a sentence (or right after another
//!   filler there), never in "so that", "so far", "so much";
//! - "actually" counts only set off by a comma or opening a clause;
//! - "right" counts only as a tag question ("right?") or a sentence-opening
//!   "Right,";
//! - "you know" does not count after "do", "as", "let", "if", ... or before
//!   an object ("you know what", "you know the answer");
//! - "I mean" counts only opening a clause and not before "to" or "that";
//! - "kind of" / "sort of" do not count after a determiner ("a kind of",
//!   "what sort of").
//!
//! Speech recognition drops some fillers, so on a transcript the count is a
//! lower bound.

use serde::{Deserialize, Serialize};

use super::text::AnswerText;

/// The initial prompt for transcribing answers: text in the disfluent style
/// of speech, which makes whisper keep fillers it would otherwise drop.
/// `tests/analysis.rs` measures that it costs no accuracy and loses no
/// sentences on clean speech.
pub const FILLER_PROMPT: &str =
    "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking.";

/// The fillers counted by default, by the label they are reported under.
#[rustfmt::skip]
pub const DEFAULT_FILLERS: &[&str] = &[
    "um", "uh", "er", "ah", "hmm", "like", "you know", "i mean", "sort of", "kind of", "basically",
    "actually", "literally", "so", "right", "okay so",
];

/// Which fillers to count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FillerSettings {
    /// Default fillers not to count (labels from [`DEFAULT_FILLERS`], e.g. "so").
    pub allow: Vec<String>,
    /// Extra words or phrases to count wherever they occur (e.g. "honestly").
    pub deny: Vec<String>,
    /// Fillers this close together (seconds between one and the next) form a cluster.
    pub cluster_gap_secs: f64,
    /// The same for typed answers, in words between one and the next.
    pub cluster_gap_words: usize,
    /// How many fillers make a cluster.
    pub cluster_min: usize,
}

impl Default for FillerSettings {
    fn default() -> Self {
        Self {
            allow: Vec::new(),
            deny: Vec::new(),
            cluster_gap_secs: 4.0,
            cluster_gap_words: 8,
            cluster_min: 3,
        }
    }
}

/// One filler in the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FillerHit {
    /// The label it is counted under ("um", "you know").
    pub filler: String,
    /// The words as transcribed ("Um,").
    pub text: String,
    /// Index of its first word.
    pub word: usize,
    /// How many words it spans.
    pub words: usize,
    pub start: Option<f64>,
    pub end: Option<f64>,
}

/// Several fillers close together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FillerCluster {
    pub count: usize,
    pub first_word: usize,
    pub last_word: usize,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub fillers: Vec<String>,
}

/// A label and how often it occurred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub text: String,
    pub count: usize,
}

/// Every figure about fillers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FillerReport {
    pub total: usize,
    /// Fillers per minute of answer (spoken answers only).
    pub per_minute: Option<f64>,
    /// Words inside fillers, as a percentage of all words.
    pub percent_of_words: f64,
    /// By label, most frequent first.
    pub by_filler: Vec<Count>,
    pub hits: Vec<FillerHit>,
    pub clusters: Vec<FillerCluster>,
    /// True for transcripts: recognition drops some fillers, so the real
    /// number can only be higher.
    pub count_is_lower_bound: bool,
}

/// Words that make a following "like" a verb or a preposition.
#[rustfmt::skip]
const LIKE_BLOCKERS: &[&str] = &[
    "i", "you", "we", "they", "he", "she", "i'd", "you'd", "we'd", "they'd", "he'd", "she'd",
    "would", "to", "do", "don't", "didn't", "does", "doesn't", "did", "not", "really", "also",
    "look", "looks", "looked", "seem", "seems", "seemed", "sound", "sounds", "sounded", "feel",
    "feels", "felt", "something", "anything", "nothing", "much", "more", "most", "people", "i'll",
    "we'll", "might", "may", "will", "could", "should",
];
/// Words before "you know" that make it a real question or statement.
const YOU_KNOW_BLOCKERS: &[&str] = &[
    "do", "did", "don't", "didn't", "if", "as", "let", "would", "will", "might", "may", "to",
    "can", "could", "should", "i'll", "we'll", "whether", "that", "what", "how",
];
/// Words after "you know" that make it a verb with an object.
#[rustfmt::skip]
const YOU_KNOW_OBJECTS: &[&str] = &[
    "what", "how", "that", "where", "when", "why", "who", "whether", "if", "about", "him", "her",
    "them", "it", "me", "us", "this", "these", "those", "the", "a", "an", "my", "your", "his",
    "their", "our", "someone", "something", "anything", "everything", "everyone", "anyone",
    "nothing", "more", "each", "both", "all", "exactly", "much", "many",
];
/// Words after a sentence-opening "so" that make it an adverb.
const SO_ADVERB_NEXT: &[&str] = &["that", "far", "much", "many", "few", "long"];
/// Determiners before "kind of" / "sort of" that make it a noun phrase.
#[rustfmt::skip]
const KIND_DETERMINERS: &[&str] = &[
    "a", "an", "the", "this", "that", "what", "which", "any", "some", "every", "each", "one", "no",
    "these", "those", "same", "another", "my", "our", "your", "their", "his", "her", "its",
    "right", "best", "worst", "first", "only", "new", "different", "other", "similar",
];

/// The label of a hesitation sound ("umm" -> "um"), if the word is one.
fn hesitation(norm: &str) -> Option<&'static str> {
    let squeeze: String = {
        let mut s = String::new();
        for c in norm.chars() {
            if !s.ends_with(c) {
                s.push(c);
            }
        }
        s
    };
    match squeeze.as_str() {
        "um" | "uhm" | "hum" => Some("um"),
        "uh" | "u" => Some("uh"),
        "er" | "erm" => Some("er"),
        "ah" | "ahm" => Some("ah"),
        "hm" | "m" | "mhm" => Some("hmm"),
        _ => None,
    }
}

struct Matcher<'a> {
    text: &'a AnswerText,
    /// For each token: index of the filler hit covering it.
    taken: Vec<Option<usize>>,
}

impl Matcher<'_> {
    fn norm(&self, i: usize) -> &str {
        self.text.tokens.get(i).map_or("", |t| t.norm.as_str())
    }

    fn prev_norm(&self, i: usize) -> &str {
        if i == 0 || self.text.starts_sentence(i) {
            ""
        } else {
            self.norm(i - 1)
        }
    }

    /// Next word in the same sentence.
    fn next_norm(&self, last: usize) -> &str {
        if self.text.tokens[last].sentence_end {
            ""
        } else {
            self.norm(last + 1)
        }
    }

    /// Opens a clause: starts a sentence, or directly follows a filler that does.
    fn clause_start(&self, i: usize) -> bool {
        if self.text.starts_sentence(i) {
            return true;
        }
        let mut j = i;
        while j > 0 && self.taken[j - 1].is_some() {
            j -= 1;
            if self.text.starts_sentence(j) {
                return true;
            }
        }
        false
    }

    /// Followed by a comma, opening a clause, or following another filler.
    /// (A comma before alone is not enough: "teams, like most people".)
    fn set_off(&self, i: usize, last: usize) -> bool {
        self.clause_start(i)
            || self.text.tokens[last].comma_after
            || (i > 0 && self.taken[i - 1].is_some())
    }

    fn words_match(&self, i: usize, phrase: &[&str]) -> bool {
        phrase.iter().enumerate().all(|(k, w)| {
            let j = i + k;
            j < self.text.len()
                && self.taken[j].is_none()
                && self.norm(j) == *w
                && (k == 0 || self.text.tokens[j].sentence == self.text.tokens[i].sentence)
        })
    }

    /// Whether a default filler `label` (already matched on words at `i`) is a
    /// filler in this position.
    fn default_applies(&self, label: &str, i: usize, len: usize) -> bool {
        let last = i + len - 1;
        let prev = self.prev_norm(i);
        let next = self.next_norm(last);
        match label {
            "like" => {
                let parted = i > 0 && self.text.tokens[i - 1].comma_after;
                (parted || !LIKE_BLOCKERS.contains(&prev)) && self.set_off(i, last)
            }
            "so" => {
                self.clause_start(i)
                    && (self.text.tokens[i].comma_after || !SO_ADVERB_NEXT.contains(&next))
            }
            "actually" => self.set_off(i, last),
            "right" => {
                self.text.tokens[i].question
                    || (self.text.starts_sentence(i) && self.text.tokens[i].comma_after)
            }
            "okay so" => self.clause_start(i),
            "you know" => {
                let know = &self.text.tokens[last];
                !YOU_KNOW_BLOCKERS.contains(&prev)
                    && (know.comma_after || know.sentence_end || !YOU_KNOW_OBJECTS.contains(&next))
            }
            "i mean" => {
                (self.clause_start(i)
                    || (i > 0
                        && !self.text.starts_sentence(i)
                        && self.text.tokens[i - 1].comma_after))
                    && (self.text.tokens[last].comma_after
                        || !["to", "that", "it's"].contains(&next))
            }
            "sort of" | "kind of" => !KIND_DETERMINERS.contains(&prev),
            _ => true,
        }
    }
}

/// Finds the fillers in `text`. `answer_minutes` (spoken answers) gives the rate.
pub fn find(
    text: &AnswerText,
    settings: &FillerSettings,
    answer_minutes: Option<f64>,
) -> FillerReport {
    let allowed = |label: &str| {
        settings
            .allow
            .iter()
            .any(|a| a.trim().eq_ignore_ascii_case(label))
    };
    // Deny phrases: counted anywhere, longest first.
    let mut deny: Vec<(String, Vec<String>)> = settings
        .deny
        .iter()
        .map(|d| {
            let words: Vec<String> = d.split_whitespace().map(super::text::normalize).collect();
            (words.join(" "), words)
        })
        .filter(|(_, w)| !w.is_empty() && w.iter().all(|w| !w.is_empty()))
        .collect();
    deny.sort_by_key(|(_, w)| std::cmp::Reverse(w.len()));
    let phrases: Vec<(&str, Vec<&str>)> = DEFAULT_FILLERS
        .iter()
        .filter(|l| l.contains(' ') && !allowed(l))
        .map(|l| (*l, l.split(' ').collect()))
        .collect();

    let mut m = Matcher {
        text,
        taken: vec![None; text.len()],
    };
    let mut hits: Vec<FillerHit> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let mut found: Option<(String, usize)> = None;
        for (label, words) in &deny {
            let refs: Vec<&str> = words.iter().map(String::as_str).collect();
            if m.words_match(i, &refs) {
                found = Some((label.clone(), words.len()));
                break;
            }
        }
        if found.is_none() {
            for (label, words) in &phrases {
                if m.words_match(i, words) && m.default_applies(label, i, words.len()) {
                    found = Some((label.to_string(), words.len()));
                    break;
                }
            }
        }
        if found.is_none() {
            let norm = m.norm(i);
            let label = hesitation(norm).or_else(|| {
                DEFAULT_FILLERS
                    .iter()
                    .copied()
                    .find(|l| !l.contains(' ') && *l == norm)
            });
            if let Some(label) = label {
                if !allowed(label) && m.default_applies(label, i, 1) {
                    found = Some((label.to_string(), 1));
                }
            }
        }
        match found {
            Some((label, len)) => {
                let tokens = &text.tokens[i..i + len];
                for slot in &mut m.taken[i..i + len] {
                    *slot = Some(hits.len());
                }
                hits.push(FillerHit {
                    filler: label,
                    text: tokens
                        .iter()
                        .map(|t| t.raw.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    word: i,
                    words: len,
                    start: tokens[0].start,
                    end: tokens[len - 1].end,
                });
                i += len;
            }
            None => i += 1,
        }
    }

    let filler_words: usize = hits.iter().map(|h| h.words).sum();
    let mut by_filler: Vec<Count> = Vec::new();
    for hit in &hits {
        match by_filler.iter_mut().find(|c| c.text == hit.filler) {
            Some(c) => c.count += 1,
            None => by_filler.push(Count {
                text: hit.filler.clone(),
                count: 1,
            }),
        }
    }
    by_filler.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
    let clusters = clusters(&hits, settings, text.is_timed());
    FillerReport {
        total: hits.len(),
        per_minute: answer_minutes
            .filter(|m| *m > 0.0)
            .map(|m| hits.len() as f64 / m),
        percent_of_words: if text.is_empty() {
            0.0
        } else {
            100.0 * filler_words as f64 / text.len() as f64
        },
        by_filler,
        hits,
        clusters,
        count_is_lower_bound: text.is_timed(),
    }
}

/// Groups fillers whose neighbours are close (in time, or in words when
/// untimed) into clusters of at least `cluster_min`.
fn clusters(hits: &[FillerHit], settings: &FillerSettings, timed: bool) -> Vec<FillerCluster> {
    let close = |a: &FillerHit, b: &FillerHit| match (timed, a.end, b.start) {
        (true, Some(end), Some(start)) => start - end <= settings.cluster_gap_secs,
        _ => b.word - (a.word + a.words) <= settings.cluster_gap_words,
    };
    let mut groups: Vec<Vec<&FillerHit>> = Vec::new();
    for hit in hits {
        match groups.last_mut() {
            Some(group) if close(group.last().expect("groups are never empty"), hit) => {
                group.push(hit)
            }
            _ => groups.push(vec![hit]),
        }
    }
    groups
        .into_iter()
        .filter(|g| g.len() >= settings.cluster_min.max(2))
        .map(|g| {
            let (first, last) = (g[0], g[g.len() - 1]);
            FillerCluster {
                count: g.len(),
                first_word: first.word,
                last_word: last.word + last.words - 1,
                start: first.start,
                end: last.end,
                fillers: g.iter().map(|h| h.filler.clone()).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        find(
            &AnswerText::from_text(text),
            &FillerSettings::default(),
            None,
        )
        .hits
        .into_iter()
        .map(|h| h.filler)
        .collect()
    }

    #[test]
    fn hesitations_are_normalised() {
        assert_eq!(
            labels("Umm, I, uhh, erm. Hmmm ah"),
            ["um", "uh", "er", "hmm", "ah"]
        );
    }

    #[test]
    fn like_as_a_verb_or_preposition_is_not_a_filler() {
        assert!(labels("I'd like to talk about a project.").is_empty());
        assert!(labels("We would like to thank you. It looks like rain.").is_empty());
        assert!(labels("I like working in teams, like most people.").is_empty());
        assert_eq!(labels("It was, like, a disaster."), ["like"]);
        assert_eq!(labels("Like, I didn't know."), ["like"]);
        // A comma after the subject parts it from "like": a filler.
        assert_eq!(
            labels("Since then I, like, check everything twice."),
            ["like"]
        );
        assert!(labels("I like, as a rule, to check everything twice.").is_empty());
    }

    #[test]
    fn so_counts_only_opening_a_sentence() {
        assert_eq!(labels("So I called my manager."), ["so"]);
        assert!(labels("I wrote tests so that it cannot happen again.").is_empty());
        assert!(labels("It was late, so I called.").is_empty());
        assert!(labels("So far it has worked.").is_empty());
        assert_eq!(labels("Um, so I called."), ["um", "so"]);
        assert_eq!(labels("Okay, so I called."), ["okay so"]);
    }

    #[test]
    fn you_know_and_i_mean_are_matched_whole_and_in_context() {
        assert_eq!(labels("It was, you know, hard."), ["you know"]);
        assert!(labels("Do you know what I mean?").is_empty());
        assert!(labels("As you know, I left.").is_empty());
        assert!(labels("I'll let you know the date.").is_empty());
        assert_eq!(labels("I mean, it worked."), ["i mean"]);
        assert!(labels("I mean to finish it.").is_empty());
    }

    #[test]
    fn kind_of_after_a_determiner_is_a_noun_phrase() {
        assert_eq!(labels("I kind of missed it."), ["kind of"]);
        assert!(labels("That kind of mistake is rare. What sort of team?").is_empty());
    }

    #[test]
    fn right_only_as_a_tag_or_an_opener() {
        assert_eq!(
            labels("It had to ship, right? Right, so."),
            ["right", "right", "so"]
        );
        assert!(labels("She was the right person. I did it right away.").is_empty());
    }

    #[test]
    fn allow_and_deny_lists() {
        let text = AnswerText::from_text("So honestly I basically redid it, honestly.");
        let settings = FillerSettings {
            allow: vec!["so".into()],
            deny: vec!["Honestly".into()],
            ..FillerSettings::default()
        };
        let got: Vec<String> = find(&text, &settings, None)
            .hits
            .into_iter()
            .map(|h| h.filler)
            .collect();
        assert_eq!(got, ["honestly", "basically", "honestly"]);
    }

    #[test]
    fn rates_and_clusters_over_words() {
        let text = AnswerText::from_text(
            "Um, I was, like, basically done. Then I shipped it on time and everyone was pleased with the result. Uh, yes.",
        );
        let report = find(&text, &FillerSettings::default(), Some(0.5));
        assert_eq!(report.total, 4);
        assert_eq!(report.per_minute, Some(8.0));
        assert!((report.percent_of_words - 100.0 * 4.0 / text.len() as f64).abs() < 1e-9);
        assert_eq!(report.clusters.len(), 1);
        assert_eq!(report.clusters[0].fillers, ["um", "like", "basically"]);
        assert_eq!(report.by_filler[0].count, 1);
        assert!(!report.count_is_lower_bound);
    }
}
