//! What the answer says: which rubric elements it covers (with the sentence
//! and time that covered each), how its time is shared among them, which red
//! flags fire, how often it says "I" against "we", its hedges and its most
//! repeated words.
//!
//! Which sentence covers which element, and which fire a red flag, comes
//! from a [`Judgement`] (keyword cues, or the semantic judge). A sentence
//! that covers no element is counted as continuing the element(s) of the
//! sentence before it, since a speaker names a part of the story and then
//! elaborates on it.

use serde::{Deserialize, Serialize};

use super::fillers::Count;
use super::judge::{FlagStatus, JudgeKind, Judgement, SentenceScore, Status};
use super::text::AnswerText;
use crate::bank::Question;

/// Content thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContentSettings {
    /// This many hedges in one answer are worth a remark.
    pub hedge_repeat: usize,
    /// A word must occur this often to be listed as repeated.
    pub repeated_min: usize,
    /// How many repeated words to list.
    pub repeated_top: usize,
    /// "we" at least this often, and more often than "I", is worth a remark.
    pub we_heavy_min: usize,
}

impl Default for ContentSettings {
    fn default() -> Self {
        Self {
            hedge_repeat: 3,
            repeated_min: 3,
            repeated_top: 5,
            we_heavy_min: 3,
        }
    }
}

/// Where a cue matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Index of the sentence, and its text.
    pub sentence: usize,
    pub quote: String,
    /// The cue or pattern (as written in the bank) that matched, and the text it matched.
    pub cue: String,
    pub matched: String,
    /// Index of the first matched word, and how many words the match spans.
    pub word: usize,
    pub words: usize,
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// Semantic judge: the bank example the sentence is closest to (when no
    /// cue matched, `cue` is empty and `matched` is the whole sentence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similar_to: Option<String>,
    /// Semantic judge: the sentence's score for this element or flag (0..1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// One rubric element: covered or not, where, and how much of the answer went on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementResult {
    pub id: String,
    pub name: String,
    /// True only when `status` is covered.
    pub covered: bool,
    /// Covered, partly (something close, not clear enough) or missing.
    pub status: Status,
    /// The judge's confidence that it is covered (0..1).
    pub confidence: f64,
    /// The sentence that best expresses it (covered or partly).
    pub evidence: Option<Evidence>,
    /// Every sentence that matched it.
    pub sentences: Vec<usize>,
    /// Seconds of the answer counted for it (spoken answers).
    pub secs: Option<f64>,
    /// Words counted for it.
    pub words: usize,
    /// Its share of the answer (0..1): of the time when timed, else of the words.
    pub share: f64,
    pub advice: String,
}

/// One red flag and every sentence that fired it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedFlagResult {
    pub id: String,
    pub name: String,
    /// True only when `status` is fired.
    pub fired: bool,
    /// Fired, unclear (something close; not reported) or clear.
    pub status: FlagStatus,
    /// The judge's confidence that it applies (0..1).
    pub confidence: f64,
    pub evidence: Vec<Evidence>,
    pub advice: String,
}

/// "I" against "we".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pronouns {
    /// I, me, my, mine, myself, I'm, I've, I'd, I'll.
    pub i: usize,
    /// we, us, our, ours, ourselves, we're, we've, we'd, we'll.
    pub we: usize,
    /// `i / (i + we)`, when either occurs.
    pub i_share: Option<f64>,
    /// "we" at least `we_heavy_min` times and more often than "I".
    pub we_heavy: bool,
}

/// One hedge in the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HedgeHit {
    pub hedge: String,
    pub word: usize,
    pub start: Option<f64>,
}

/// Hedging phrases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hedges {
    pub total: usize,
    pub by_hedge: Vec<Count>,
    pub hits: Vec<HedgeHit>,
    /// At least `hedge_repeat` hedges.
    pub repeated: bool,
}

/// Everything about what the answer says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// Which judge decided coverage and red flags.
    pub judge: JudgeKind,
    pub elements: Vec<ElementResult>,
    pub red_flags: Vec<RedFlagResult>,
    /// Ids of the rubric elements not covered (partly or missing), in rubric order.
    pub missing: Vec<String>,
    /// Ids of the rubric elements only partly covered.
    pub partly: Vec<String>,
    /// Ids of the red flags that fired, in bank order.
    pub fired: Vec<String>,
    /// Share of the answer matched to no element (before the first cue, mostly).
    pub unattributed_share: f64,
    /// Share of the answer on the first half of the rubric (the set-up: for
    /// "biggest mistake", the mistake, ownership, causes and impact), when
    /// the rubric has two elements or more.
    pub setup_share: Option<f64>,
    pub pronouns: Pronouns,
    pub hedges: Hedges,
    /// Most repeated content words (not stop words, fillers or words of the question).
    pub repeated_words: Vec<Count>,
}

/// Which elements each sentence matched, and which it is counted for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SentenceElements {
    pub matched: Vec<usize>,
    pub attributed: Vec<usize>,
}

#[rustfmt::skip]
const HEDGES: &[&str] = &[
    "i guess", "i think", "i suppose", "i feel like", "i believe", "maybe", "probably", "perhaps",
    "possibly",
];
const I_WORDS: &[&str] = &[
    "i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll",
];
#[rustfmt::skip]
const WE_WORDS: &[&str] = &[
    "we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll",
];
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "the", "and", "but", "for", "nor", "yet", "was", "were", "are", "is", "been", "being", "have",
    "has", "had", "having", "did", "does", "doing", "done", "that", "this", "these", "those",
    "then", "than", "there", "their", "them", "they", "they're", "what", "which", "who", "whom",
    "when", "where", "why", "how", "with", "without", "from", "into", "onto", "about", "after",
    "before", "over", "under", "again", "very", "just", "also", "too", "not", "don't", "didn't",
    "wasn't", "weren't", "can't", "couldn't", "won't", "wouldn't", "shouldn't", "it's", "its",
    "i'm", "i've", "i'd", "i'll", "we're", "we've", "we'd", "we'll", "you", "your", "you're",
    "our", "ours", "his", "her", "him", "she", "he's", "she's", "that's", "there's", "what's",
    "myself", "mine", "would", "could", "should", "will", "shall", "might", "must", "can", "may",
    "all", "any", "each", "every", "some", "such", "more", "most", "much", "many", "other", "own",
    "same", "only", "out", "off", "one", "two", "get", "got", "going", "because", "while", "until",
    "through", "during", "between", "both", "few", "here", "now", "still", "even", "really",
    "quite", "let", "make", "made", "say", "said", "way", "thing", "things", "lot", "well", "like",
    "know", "mean", "sort", "kind", "think", "see",
];

/// Matches the question's rubric and red flags against the answer.
pub fn analyze(
    question: &Question,
    text: &AnswerText,
    judgement: &Judgement,
    filler_words: &[bool],
    settings: &ContentSettings,
) -> (Content, Vec<SentenceElements>) {
    let weights: Vec<f64> = text
        .sentences
        .iter()
        .map(|s| {
            if text.is_timed() {
                let first = &text.tokens[s.first];
                let last = &text.tokens[s.last - 1];
                (last.end.unwrap_or_default() - first.start.unwrap_or_default()).max(0.0)
            } else {
                (s.last - s.first) as f64
            }
        })
        .collect();
    let total_weight = weights.iter().fold(0.0, |acc, w| acc + w);

    // Which elements each sentence matched, then what it is counted for.
    let mut per_sentence: Vec<SentenceElements> = text
        .sentences
        .iter()
        .enumerate()
        .map(|(i, _)| SentenceElements {
            matched: (0..question.rubric.len())
                .filter(|&e| judgement.elements[e].sentences.contains(&i))
                .collect(),
            attributed: Vec::new(),
        })
        .collect();
    let mut previous: Vec<usize> = Vec::new();
    for s in &mut per_sentence {
        s.attributed = if s.matched.is_empty() {
            previous.clone()
        } else {
            s.matched.clone()
        };
        previous = s.attributed.clone();
    }

    let share_of = |w: f64| {
        if total_weight > 0.0 {
            w / total_weight
        } else {
            0.0
        }
    };
    let mut elements = Vec::with_capacity(question.rubric.len());
    for (e, criterion) in question.rubric.iter().enumerate() {
        let mut weight = 0.0;
        let mut words = 0.0;
        for (i, s) in per_sentence.iter().enumerate() {
            if s.attributed.contains(&e) {
                let n = s.attributed.len() as f64;
                weight += weights[i] / n;
                let span = &text.sentences[i];
                words += (span.last - span.first) as f64 / n;
            }
        }
        let sentences: Vec<usize> = per_sentence
            .iter()
            .enumerate()
            .filter(|(_, s)| s.matched.contains(&e))
            .map(|(i, _)| i)
            .collect();
        let judged = &judgement.elements[e];
        let status = judgement.element_status(e);
        let evidence = match status {
            Status::Missing => None,
            _ => judged.best.map(|i| evidence_in(&judged.scores[i], text, i)),
        };
        elements.push(ElementResult {
            id: criterion.id.clone(),
            name: criterion.name.clone(),
            covered: status == Status::Covered,
            status,
            confidence: judged.confidence as f64,
            evidence,
            sentences,
            secs: text.is_timed().then_some(weight),
            words: words.round() as usize,
            share: share_of(weight),
            advice: criterion.advice.clone(),
        });
    }
    let unattributed: f64 = per_sentence
        .iter()
        .zip(&weights)
        .filter(|(s, _)| s.attributed.is_empty())
        .map(|(_, w)| w)
        .fold(0.0, |acc, x| acc + x);
    let half = question.rubric.len() / 2;
    let setup_share =
        (half >= 1).then(|| elements[..half].iter().fold(0.0, |acc, e| acc + e.share));

    let red_flags: Vec<RedFlagResult> = question
        .red_flags
        .iter()
        .enumerate()
        .map(|(f, criterion)| {
            let judged = &judgement.flags[f];
            let status = judgement.flag_status(f);
            let evidence: Vec<Evidence> = if status == FlagStatus::Fired {
                judged
                    .sentences
                    .iter()
                    .map(|&i| evidence_in(&judged.scores[i], text, i))
                    .collect()
            } else {
                Vec::new()
            };
            RedFlagResult {
                id: criterion.id.clone(),
                name: criterion.name.clone(),
                fired: status == FlagStatus::Fired,
                status,
                confidence: judged.confidence as f64,
                evidence,
                advice: criterion.advice.clone(),
            }
        })
        .collect();

    let content = Content {
        judge: judgement.kind,
        partly: elements
            .iter()
            .filter(|e| e.status == Status::Partly)
            .map(|e| e.id.clone())
            .collect(),
        missing: elements
            .iter()
            .filter(|e| !e.covered)
            .map(|e| e.id.clone())
            .collect(),
        fired: red_flags
            .iter()
            .filter(|f| f.fired)
            .map(|f| f.id.clone())
            .collect(),
        elements,
        red_flags,
        unattributed_share: share_of(unattributed),
        setup_share,
        pronouns: pronouns(text, filler_words, settings),
        hedges: hedges(text, filler_words, settings),
        repeated_words: repeated_words(question, text, filler_words, settings),
    };
    (content, per_sentence)
}

/// Sentence `i` as evidence: the cue match in it, or (semantic judge, no
/// cue) the whole sentence, with its words' times.
fn evidence_in(score: &SentenceScore, text: &AnswerText, i: usize) -> Evidence {
    let span = &text.sentences[i];
    let (cue, start, end) = match &score.cue {
        Some((cue, start, end)) => (cue.clone(), *start, *end),
        None => (String::new(), 0, span.text.len()),
    };
    let first = text.token_at(i, start);
    let last = text.token_at(i, end.saturating_sub(1).max(start));
    let semantic = score.nearest.is_some() || score.check.is_some();
    Evidence {
        sentence: i,
        quote: span.text.clone(),
        cue,
        matched: span.text[start..end].to_string(),
        word: first,
        words: last + 1 - first,
        start: text.tokens[first].start,
        end: text.tokens[last].end,
        similar_to: score.nearest.clone(),
        score: semantic.then_some(score.score as f64),
    }
}

fn pronouns(text: &AnswerText, skip: &[bool], settings: &ContentSettings) -> Pronouns {
    let mut i = 0;
    let mut we = 0;
    for (k, t) in text.tokens.iter().enumerate() {
        if skip.get(k).copied().unwrap_or(false) {
            continue;
        }
        if I_WORDS.contains(&t.norm.as_str()) {
            i += 1;
        } else if WE_WORDS.contains(&t.norm.as_str()) {
            we += 1;
        }
    }
    Pronouns {
        i,
        we,
        i_share: (i + we > 0).then(|| i as f64 / (i + we) as f64),
        we_heavy: we >= settings.we_heavy_min && we > i,
    }
}

fn hedges(text: &AnswerText, skip: &[bool], settings: &ContentSettings) -> Hedges {
    let phrases: Vec<(&str, Vec<&str>)> = HEDGES
        .iter()
        .map(|h| (*h, h.split(' ').collect()))
        .collect();
    let mut hits = Vec::new();
    let mut k = 0;
    while k < text.len() {
        let found = phrases.iter().find(|(_, words)| {
            words.iter().enumerate().all(|(j, w)| {
                text.tokens
                    .get(k + j)
                    .is_some_and(|t| t.norm == *w && !skip.get(k + j).copied().unwrap_or(false))
            })
        });
        match found {
            Some((hedge, words)) => {
                hits.push(HedgeHit {
                    hedge: hedge.to_string(),
                    word: k,
                    start: text.tokens[k].start,
                });
                k += words.len();
            }
            None => k += 1,
        }
    }
    let by_hedge = count_sorted(hits.iter().map(|h| h.hedge.as_str()));
    Hedges {
        total: hits.len(),
        repeated: hits.len() >= settings.hedge_repeat.max(1),
        by_hedge,
        hits,
    }
}

fn repeated_words(
    question: &Question,
    text: &AnswerText,
    skip: &[bool],
    settings: &ContentSettings,
) -> Vec<Count> {
    let asked: Vec<String> = question
        .text
        .split_whitespace()
        .map(super::text::normalize)
        .collect();
    let words = text.tokens.iter().enumerate().filter_map(|(k, t)| {
        let w = t.norm.as_str();
        let keep = !skip.get(k).copied().unwrap_or(false)
            && w.chars().count() >= 3
            && w.chars().any(char::is_alphabetic)
            && !STOP_WORDS.contains(&w)
            && !I_WORDS.contains(&w)
            && !WE_WORDS.contains(&w)
            && !asked.iter().any(|a| a == w);
        keep.then_some(w)
    });
    let mut counts = count_sorted(words);
    counts.retain(|c| c.count >= settings.repeated_min.max(2));
    counts.truncate(settings.repeated_top);
    counts
}

/// Counts, most frequent first, ties alphabetical.
fn count_sorted<'a>(items: impl Iterator<Item = &'a str>) -> Vec<Count> {
    let mut map: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for item in items {
        *map.entry(item).or_default() += 1;
    }
    let mut counts: Vec<Count> = map
        .into_iter()
        .map(|(text, count)| Count {
            text: text.to_string(),
            count,
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
    counts
}
