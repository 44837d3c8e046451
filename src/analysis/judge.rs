//! The content judge: for every sentence of an answer and every rubric
//! element and red flag of the question, how strongly the sentence expresses
//! it, and from that each element's status (covered / partly / missing) and
//! each flag's (fired / unclear / clear), with the sentence that shows it.
//!
//! Two judges share one output, [`Judgement`]:
//! - the keyword judge ([`judge_keywords`]): a bank cue or pattern in the
//!   sentence, nothing else (what `analyze --keywords-only` uses);
//! - the semantic judge ([`SemanticJudge`]): each sentence's embedding is
//!   compared with the bank's example sentences of each element and flag
//!   (nearest neighbour) and with its counter-examples (near misses); a cue
//!   match counts as strong evidence; then sentence-level checks
//!   ([`super::sentence_facts`]) veto or weaken what embeddings cannot see:
//!   negation, hypothetical mood, who the sentence is about.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::sentence_facts::{self, SentenceFacts, Subject};
use crate::bank::{Criterion, Question};
use crate::embed::{cosine, EmbedError, Embedder, Embedding};

/// How sure the judge is that an element is in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Covered,
    /// Something close was said, but not clearly enough to count.
    Partly,
    Missing,
}

/// How sure the judge is that a red flag applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagStatus {
    Fired,
    /// Something close was said; not reported as a red flag.
    Unclear,
    Clear,
}

/// Which judge produced a judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JudgeKind {
    Keywords,
    Semantic,
}

/// Thresholds of the semantic judge (tuned on the development set's `tune`
/// split; see scripts/eval-content.sh).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JudgeSettings {
    /// A sentence scoring at least this covers an element.
    pub cover: f32,
    /// At least this (and under `cover`): partly covered.
    pub partly: f32,
    /// A sentence scoring at least this fires a red flag.
    pub fire: f32,
    /// At least this (and under `fire`): the flag is unclear.
    pub unclear: f32,
    /// A sentence counts for a second element only when its score for it is
    /// within this of its best element's score.
    pub second_margin: f32,
    /// How far a counter-example may out-score the examples before the
    /// sentence is pulled down.
    pub counter_margin: f32,
    /// A sentence counts for an element only when its score for it is at
    /// least its best red-flag score less this (a sentence that reads more
    /// like "blame" or "hypothetical" than like "causes" is not a cause).
    pub flag_margin: f32,
    /// ...and at least its closeness to the question's near misses (all
    /// counter-examples) less this.
    pub background_margin: f32,
    /// How much of a sentence's mean score for the question's other
    /// elements is taken off its score for each (a sentence close to every
    /// element, such as generic scene-setting, shows none in particular).
    pub relative: f32,
    /// A sentence that tells of someone else failing ("she never opened the
    /// post") fires a blame flag when its meaning score for the flag is at
    /// least this: the failing is the evidence the examples cannot give,
    /// the meaning keeps a neutral mention ("he didn't get the email in
    /// time, so I rang him") from firing. One that puts someone else down
    /// ("the supplier was useless") fires it whatever its score.
    pub failing_blame: f32,
}

impl Default for JudgeSettings {
    fn default() -> Self {
        Self {
            // Chosen on the tune split only (scripts/eval-content.sh --tune:
            // of the settings within 0.01 F1 of the best, the most
            // conservative); re-tune when the banks' examples change. With
            // the 204 tune answers of 2026-12-02 (fourth batch in) that run
            // chose exactly these: cover 0.30, flag margin 0.05, fire 0.66,
            // failing blame 0.60 (0.40 before insults fired blame on their
            // own). An earlier run's element choice (cover 0.32, flag
            // margin 0.10) was not taken: it called "It was my fault." a
            // lesson, and the test split scored the same.
            cover: 0.30,
            partly: 0.24,
            fire: 0.66,
            unclear: 0.56,
            second_margin: 0.16,
            counter_margin: 0.0,
            flag_margin: 0.05,
            background_margin: 0.1,
            relative: 0.0,
            failing_blame: 0.6,
        }
    }
}

/// Score given to a sentence in which a bank cue matched (keyword judge).
pub const CUE_SCORE: f32 = 1.0;
/// Semantic judge: a cue match scores at least this, and more the closer
/// the sentence is to the examples (`CUE_FLOOR + (1 - CUE_FLOOR) * sim`), so
/// of two cue sentences the one that expresses the element better is quoted.
/// Above every threshold: a cue is strong evidence.
pub const CUE_FLOOR: f32 = 0.7;

impl JudgeSettings {
    /// The score at which element `id` counts as covered: one threshold
    /// for all today (per-element thresholds tuned on the dev set's tune
    /// split over-fitted it: tune F1 up, held-out F1 flat), never above a
    /// cue's score.
    pub fn cover_for(&self, _id: &str) -> f32 {
        self.cover.min(CUE_FLOOR)
    }

    /// The score at which flag `id` fires (as [`JudgeSettings::cover_for`]).
    pub fn fire_for(&self, _id: &str) -> f32 {
        self.fire.min(CUE_FLOOR)
    }
}
/// The cue shown for an ownership sentence that tells the speaker's own
/// slip in the first person ([`SentenceFacts::own_slip`]).
pub const OWN_SLIP: &str = "your own slip, told with \"I\"";
/// The most a vetoed sentence can score: below any threshold.
const VETOED: f32 = 0.0;
/// Marks a weakened score (hypothetical mood): capped just under `cover`
/// later, so it can show as "partly" but never as covered.
const WEAKENED: f32 = -1.0;

/// One criterion's score in one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceScore {
    pub score: f32,
    /// Semantic judge: the score from meaning alone (no cue boost), after
    /// the checks; what decides which element a sentence expresses best.
    pub sim: f32,
    /// The cue or pattern that matched, and its byte range in the sentence.
    pub cue: Option<(String, usize, usize)>,
    /// The example sentence it is closest to.
    pub nearest: Option<String>,
    /// Why a check vetoed or weakened it.
    pub check: Option<&'static str>,
}

/// The judgement of one element or flag over the whole answer.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionJudgement {
    /// Best score over the sentences (0..1; a cue match is 1).
    pub confidence: f32,
    /// The sentence that best expresses it, if any scored above nothing.
    pub best: Option<usize>,
    /// Every sentence counted for it, in order.
    pub sentences: Vec<usize>,
    /// Per sentence.
    pub scores: Vec<SentenceScore>,
    /// Its own thresholds: covered (fired) at or above `threshold`, partly
    /// (unclear) at or above `lower`.
    pub threshold: f32,
    pub lower: f32,
}

/// Everything the content report needs from a judge.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub kind: JudgeKind,
    pub settings: JudgeSettings,
    pub elements: Vec<CriterionJudgement>,
    pub flags: Vec<CriterionJudgement>,
    /// Semantic judge: per sentence, its closeness to the question's near
    /// misses (every element's counter-examples); empty for the keyword judge.
    pub background: Vec<f32>,
}

impl Judgement {
    pub fn element_status(&self, e: usize) -> Status {
        let j = &self.elements[e];
        let c = j.confidence;
        if c >= j.threshold {
            Status::Covered
        } else if c >= j.lower {
            Status::Partly
        } else {
            Status::Missing
        }
    }

    pub fn flag_status(&self, f: usize) -> FlagStatus {
        let j = &self.flags[f];
        let c = j.confidence;
        if c >= j.threshold {
            FlagStatus::Fired
        } else if c >= j.lower {
            FlagStatus::Unclear
        } else {
            FlagStatus::Clear
        }
    }
}

fn cue_in(
    criterion: &Criterion,
    sentence: &str,
    facts: &SentenceFacts,
) -> Option<(String, usize, usize)> {
    if let Some(hit) = criterion.matcher().find(sentence) {
        return Some((hit.cue.to_string(), hit.start, hit.end));
    }
    // "I can't honestly think of one": match again without inserted adverbs;
    // the evidence is then the whole sentence.
    criterion
        .matcher()
        .find(&facts.simplified)
        .map(|hit| (hit.cue.to_string(), 0, sentence.len()))
}

/// The keyword judge: a cue in the sentence, nothing else.
pub fn judge_keywords(question: &Question, sentences: &[String]) -> Judgement {
    let settings = JudgeSettings::default();
    let one = |c: &Criterion| {
        let scores: Vec<SentenceScore> = sentences
            .iter()
            .map(|s| {
                let cue = c
                    .matcher()
                    .find(s)
                    .map(|h| (h.cue.to_string(), h.start, h.end));
                SentenceScore {
                    score: if cue.is_some() { CUE_SCORE } else { 0.0 },
                    sim: 0.0,
                    cue,
                    nearest: None,
                    check: None,
                }
            })
            .collect();
        let hits: Vec<usize> = (0..scores.len())
            .filter(|&i| scores[i].cue.is_some())
            .collect();
        CriterionJudgement {
            confidence: if hits.is_empty() { 0.0 } else { CUE_SCORE },
            best: hits.first().copied(),
            sentences: hits,
            scores,
            threshold: CUE_SCORE,
            lower: CUE_SCORE,
        }
    };
    Judgement {
        kind: JudgeKind::Keywords,
        settings,
        elements: question.rubric.iter().map(one).collect(),
        flags: question.red_flags.iter().map(one).collect(),
        background: Vec::new(),
    }
}

/// What a criterion is about, for the sentence-level checks (from its id;
/// the bundled banks share these ids across questions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Ownership,
    Prevention,
    Pivot,
    /// Something the speaker did (fix, action, lesson, result...): not hypothetical.
    RealDeed,
    Identify,
    Blame,
    /// Deflecting ("mistakes were made", "we all missed it").
    Deflect,
    HarshWords,
    Hypothetical,
    PerfectRecord,
    NoExample,
    None,
}

fn check_for(id: &str, is_flag: bool) -> Check {
    let has = |s: &str| id.contains(s);
    if is_flag {
        if has("blame") {
            Check::Blame
        } else if has("deflect") {
            Check::Deflect
        } else if has("harsh") || has("badmouth") {
            Check::HarshWords
        } else if has("hypothetical") {
            Check::Hypothetical
        } else if has("perfect") {
            Check::PerfectRecord
        } else if has("no-example") || has("no-weakness") {
            Check::NoExample
        } else {
            Check::None
        }
    } else if has("ownership") || has("own-it") {
        Check::Ownership
    } else if has("prevent") {
        Check::Prevention
    } else if has("pivot") {
        Check::Pivot
    } else if has("identify") || has("mistake") {
        Check::Identify
    } else if has("fix") || has("action") || has("lesson") || has("result") || has("learn") {
        Check::RealDeed
    } else {
        Check::None
    }
}

const FAULT_WORDS: &[&str] = &[
    "fault",
    "responsibility",
    "responsible",
    "blame",
    "blamed",
    "on",
];

/// Applies the sentence-level checks: returns the new score and why it
/// changed. A cue match (`via_cue`) skips the checks its cue list already
/// makes (a blame cue such as "I was let down" needs no other person named).
fn apply_check(
    check: Check,
    score: f32,
    f: &SentenceFacts,
    via_cue: bool,
) -> (f32, Option<&'static str>) {
    let words = |list: &[&str]| f.words.iter().any(|w| list.contains(&w.as_str()));
    match check {
        Check::Ownership => {
            if !f.mentions_speaker {
                (VETOED, Some("not about the speaker"))
            } else if f.negated && words(FAULT_WORDS) && !words(&["should", "shouldn't"]) {
                (VETOED, Some("ownership denied"))
            } else if f.hypothetical {
                (WEAKENED, Some("hypothetical"))
            } else {
                (score, None)
            }
        }
        Check::Prevention => {
            let opener = f
                .words
                .windows(2)
                .any(|w| w[0] == "since" && w[1] == "then")
                || words(&["now", "forward"]);
            if f.hypothetical {
                (WEAKENED, Some("hypothetical, not a real change"))
            } else if !f.lasting {
                (VETOED, Some("a past event, not what is done now"))
            } else if opener && !f.own_change && !f.mentions_speaker {
                (VETOED, Some("a change by someone else"))
            } else if f.subject == Subject::Others && !f.mentions_speaker {
                (VETOED, Some("about someone else"))
            } else {
                (score, None)
            }
        }
        Check::Pivot => {
            // A strength the speaker has now: "it made me...", "I'm the one
            // who...", "I became...", not the past event or its lesson.
            let grew = f.words.windows(2).any(|w| {
                matches!(
                    w[0].as_str(),
                    "made" | "turned" | "taught" | "helped" | "makes"
                ) && w[1] == "me"
            }) || words(&["became", "become", "stronger", "strength", "strengths"]);
            if !f.mentions_speaker {
                (VETOED, Some("not about the speaker"))
            } else if f.hypothetical {
                (WEAKENED, Some("hypothetical"))
            } else if !f.lasting && !grew {
                (VETOED, Some("the past, not a strength now"))
            } else {
                (score, None)
            }
        }
        Check::RealDeed | Check::Identify => {
            if f.hypothetical {
                (WEAKENED, Some("hypothetical"))
            } else if check == Check::Identify
                && f.negated
                && words(&["mistake", "mistakes"])
                && words(&["never", "don't", "rarely", "haven't", "can't"])
            {
                (VETOED, Some("denies any mistake"))
            } else {
                (score, None)
            }
        }
        Check::Blame | Check::Deflect => {
            let denies_fault = f.negated && words(&["fault"]);
            if !via_cue && !f.mentions_others && !denies_fault {
                (VETOED, Some("about the speaker, not others"))
            } else {
                (score, None)
            }
        }
        Check::HarshWords => {
            if f.harsh_at_self && !f.harsh_at_others {
                (VETOED, Some("harsh words about the speaker themself"))
            } else if f.harsh_at_others && score < CUE_FLOOR {
                // An insult aimed at someone else is evidence on its own,
                // in whatever words the examples did not think of.
                (CUE_FLOOR, Some("harsh words about someone else"))
            } else {
                (score, None)
            }
        }
        Check::Hypothetical => {
            if f.hypothetical {
                (score, None)
            } else {
                (VETOED, Some("not hypothetical"))
            }
        }
        Check::PerfectRecord => {
            if f.mentions_speaker && f.negated {
                (score, None)
            } else {
                (VETOED, Some("not a denial"))
            }
        }
        Check::NoExample => {
            if f.negated || words(&["nothing", "no"]) {
                (score, None)
            } else {
                (VETOED, Some("not a refusal"))
            }
        }
        Check::None => (score, None),
    }
}

/// The bank's example sentences of a criterion.
fn examples_of(c: &Criterion) -> &[String] {
    &c.examples
}

/// The bank's near misses of a criterion.
fn counter_examples_of(c: &Criterion) -> &[String] {
    &c.counter_examples
}

/// Example and counter-example embeddings of one criterion.
#[derive(Debug, Clone, Default)]
struct Examples {
    texts: Vec<String>,
    pos: Vec<Embedding>,
    neg: Vec<Embedding>,
}

/// Example embeddings of every criterion of one question.
#[derive(Debug, Clone, Default)]
struct Prepared {
    rubric: Vec<Examples>,
    flags: Vec<Examples>,
    /// Every rubric element's counter-examples: near misses of the
    /// question as a whole ("since then the office moved").
    background: Vec<Embedding>,
}

/// The semantic judge. Holds the one embedder of a process or session, the
/// example embeddings of each question it has judged, and the embeddings of
/// sentences embedded ahead of time ([`SemanticJudge::warm`]).
pub struct SemanticJudge {
    embedder: Arc<Embedder>,
    pub settings: JudgeSettings,
    prepared: Mutex<HashMap<String, Arc<Prepared>>>,
    sentences: Mutex<HashMap<String, Embedding>>,
}

impl std::fmt::Debug for SemanticJudge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SemanticJudge")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl SemanticJudge {
    pub fn new(embedder: Arc<Embedder>) -> Self {
        Self {
            embedder,
            settings: JudgeSettings::default(),
            prepared: Mutex::new(HashMap::new()),
            sentences: Mutex::new(HashMap::new()),
        }
    }

    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    /// Embeds the question's example sentences (once per question); call it
    /// while the question is being asked so judging the answer is quick.
    pub fn prepare(&self, question: &Question) -> Result<(), EmbedError> {
        self.prepared_for(question).map(|_| ())
    }

    fn prepared_for(&self, question: &Question) -> Result<Arc<Prepared>, EmbedError> {
        let key = format!("{}\u{0}{}", question.bank, question.id);
        if let Some(p) = self.lock_prepared().get(&key) {
            return Ok(p.clone());
        }
        let mut texts: Vec<&str> = Vec::new();
        for c in question.rubric.iter().chain(&question.red_flags) {
            texts.extend(examples_of(c).iter().map(String::as_str));
            texts.extend(counter_examples_of(c).iter().map(String::as_str));
        }
        let mut vectors = self.embedder.embed(&texts)?.into_iter();
        let mut take = |c: &Criterion| Examples {
            texts: examples_of(c).to_vec(),
            pos: vectors.by_ref().take(examples_of(c).len()).collect(),
            neg: vectors
                .by_ref()
                .take(counter_examples_of(c).len())
                .collect(),
        };
        let rubric: Vec<Examples> = question.rubric.iter().map(&mut take).collect();
        let flags: Vec<Examples> = question.red_flags.iter().map(&mut take).collect();
        let background = rubric.iter().flat_map(|e| e.neg.iter().cloned()).collect();
        let prepared = Arc::new(Prepared {
            rubric,
            flags,
            background,
        });
        self.lock_prepared().insert(key, prepared.clone());
        Ok(prepared)
    }

    fn lock_prepared(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Prepared>>> {
        self.prepared.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_sentences(&self) -> std::sync::MutexGuard<'_, HashMap<String, Embedding>> {
        self.sentences.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Embeds sentences ahead of time (e.g. while a spoken answer is still
    /// being transcribed); [`SemanticJudge::judge`] then finds them ready.
    pub fn warm(&self, sentences: &[&str]) -> Result<(), EmbedError> {
        self.embeddings(sentences).map(|_| ())
    }

    /// Embeds an answer's sentences, and the clauses the judge also reads
    /// them by, ahead of time: [`SemanticJudge::judge`] then only embeds
    /// what was not seen yet.
    pub fn warm_answer(&self, sentences: &[String]) -> Result<(), EmbedError> {
        let clauses: Vec<String> = sentences
            .iter()
            .flat_map(|s| sentence_facts::clauses(s))
            .collect();
        let all: Vec<&str> = sentences
            .iter()
            .chain(&clauses)
            .map(String::as_str)
            .collect();
        self.embeddings(&all).map(|_| ())
    }

    /// Forgets the sentences embedded so far (the question's examples stay):
    /// the next answer is judged as if it were the first, e.g. for a
    /// benchmark that replays the same answer several times.
    pub fn forget_answers(&self) {
        self.lock_sentences().clear();
    }

    /// Whether `text` is embedded already (warmed or judged before).
    pub fn is_embedded(&self, text: &str) -> bool {
        self.lock_sentences().contains_key(text)
    }

    /// The embeddings of `texts`, in order: cached ones from the cache, the
    /// rest embedded in one call and cached.
    fn embeddings(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        let mut out: Vec<Option<Embedding>> = {
            let cache = self.lock_sentences();
            texts.iter().map(|t| cache.get(*t).cloned()).collect()
        };
        let mut todo: Vec<&str> = texts
            .iter()
            .zip(&out)
            .filter(|(_, v)| v.is_none())
            .map(|(t, _)| *t)
            .collect();
        todo.sort_unstable();
        todo.dedup();
        if !todo.is_empty() {
            let vectors = self.embedder.embed(&todo)?;
            let fresh: HashMap<&str, Embedding> = todo.into_iter().zip(vectors).collect();
            for (t, v) in texts.iter().zip(out.iter_mut()) {
                if v.is_none() {
                    *v = fresh.get(*t).cloned();
                }
            }
            let mut cache = self.lock_sentences();
            if cache.len() + fresh.len() > 4096 {
                cache.clear();
            }
            cache.extend(fresh.into_iter().map(|(t, v)| (t.to_string(), v)));
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// Judges the answer's sentences against the question.
    pub fn judge(
        &self,
        question: &Question,
        sentences: &[String],
    ) -> Result<Judgement, EmbedError> {
        let prepared = self.prepared_for(question)?;
        let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
        let facts: Vec<SentenceFacts> = sentences.iter().map(|s| sentence_facts::read(s)).collect();
        // Long sentences are also judged clause by clause, each clause with
        // its own facts ("the vendor should have warned us, I did what I
        // could": blame in one clause, an excuse in the other).
        let clauses: Vec<Vec<(String, SentenceFacts)>> = sentences
            .iter()
            .map(|s| {
                sentence_facts::clauses(s)
                    .into_iter()
                    .map(|c| {
                        let f = sentence_facts::read(&c);
                        (c, f)
                    })
                    .collect()
            })
            .collect();
        // Sentences and clauses in one pass of the model.
        let all: Vec<&str> = refs
            .iter()
            .copied()
            .chain(clauses.iter().flatten().map(|(c, _)| c.as_str()))
            .collect();
        let mut all_vectors = self.embeddings(&all)?.into_iter();
        let vectors: Vec<Embedding> = all_vectors.by_ref().take(refs.len()).collect();
        let clause_vectors: Vec<Vec<Embedding>> = clauses
            .iter()
            .map(|cs| all_vectors.by_ref().take(cs.len()).collect())
            .collect();
        let s = self.settings;
        let score_all = |criteria: &[Criterion], examples: &[Examples], is_flag: bool| {
            criteria
                .iter()
                .zip(examples)
                .map(|(c, ex)| {
                    let check = check_for(&c.id, is_flag);
                    (0..sentences.len())
                        .map(|i| {
                            let mut best =
                                score_unit(c, ex, check, &sentences[i], &vectors[i], &facts[i], &s);
                            // Harsh words the whole sentence aims at the
                            // speaker stay so in its clauses ("I felt
                            // terrible and, honestly, a bit stupid").
                            let at_self_only = facts[i].harsh_at_self && !facts[i].harsh_at_others;
                            for ((text, f), v) in clauses[i].iter().zip(&clause_vectors[i]) {
                                if check == Check::HarshWords && at_self_only {
                                    continue;
                                }
                                let mut unit = score_unit(c, ex, check, text, v, f, &s);
                                if unit.score > best.score {
                                    // Evidence stays the whole sentence.
                                    if let Some((cue, ..)) = unit.cue.take() {
                                        unit.cue = cue_in(c, &sentences[i], &facts[i]).or(Some((
                                            cue,
                                            0,
                                            sentences[i].len(),
                                        )));
                                    }
                                    best = unit;
                                }
                            }
                            best
                        })
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        let mut element_scores = score_all(&question.rubric, &prepared.rubric, false);
        if s.relative > 0.0 && element_scores.len() > 1 {
            let k = element_scores.len() as f32;
            for i in 0..sentences.len() {
                let raw: Vec<f32> = element_scores.iter().map(|per| per[i].score).collect();
                let total: f32 = raw.iter().sum();
                for (e, per) in element_scores.iter_mut().enumerate() {
                    if per[i].cue.is_none() && per[i].score > 0.0 {
                        let others = (total - raw[e]) / (k - 1.0);
                        per[i].score = (raw[e] - s.relative * others).max(0.0);
                        per[i].sim = per[i].score;
                    }
                }
            }
        }
        let mut flag_scores = score_all(&question.red_flags, &prepared.flags, true);
        // An answer told mostly in the conditional or habitual mood ("I'd
        // normally...", "I'd probably...") is hypothetical as a whole, even
        // when no one sentence reads like the examples.
        let moods = facts.iter().filter(|f| f.hypothetical).count();
        let mostly_hypothetical = moods >= 2 && moods * 5 >= sentences.len() * 2;

        // An answer that never tells a past event of the speaker's own but
        // says what they do in general ("what I do when that happens is...")
        // has no real occasion in it: hypothetical as a whole.
        // Read clause by clause, so that "if I got an order wrong, what I'd
        // do is..." is not a story and one "I'd" does not hide the story
        // around it; a clause of five words or more ("hmm, a time I failed"
        // repeats the question).
        let narrated = facts.iter().zip(&clauses).any(|(f, cs)| {
            let tells =
                |f: &SentenceFacts| !f.hypothetical && f.past_events > 0 && f.words.len() >= 5;
            if cs.is_empty() {
                tells(f)
            } else {
                cs.iter().any(|(_, f)| tells(f))
            }
        });
        for (c, per) in question.red_flags.iter().zip(&mut flag_scores) {
            if check_for(&c.id, true) != Check::Hypothetical {
                continue;
            }
            for (sc, f) in per.iter_mut().zip(&facts) {
                let why = if mostly_hypothetical && f.hypothetical {
                    "most of the answer is hypothetical"
                } else if !narrated && f.habitual {
                    "no real occasion told, only what you do in general"
                } else {
                    continue;
                };
                if sc.score < CUE_FLOOR {
                    sc.score = CUE_FLOOR;
                    sc.check = Some(why);
                }
            }
        }
        // An answer with no "I" in it at all ("we shipped it", "nobody
        // realised", "you learn") deflects the mistake, whatever its words.
        if sentences.len() >= 3 && !facts.iter().any(|f| f.mentions_speaker) {
            for (c, per) in question.red_flags.iter().zip(&mut flag_scores) {
                if check_for(&c.id, true) != Check::Deflect {
                    continue;
                }
                let team = facts.iter().position(|f| {
                    f.words
                        .iter()
                        .any(|w| sentence_facts::WE.contains(&w.as_str()))
                });
                let strongest =
                    (0..per.len()).max_by(|&a, &b| per[a].score.total_cmp(&per[b].score));
                if let Some(i) = team.or(strongest) {
                    if per[i].score < CUE_FLOOR {
                        per[i].score = CUE_FLOOR;
                        per[i].check = Some("told without \"I\"");
                    }
                }
            }
        }

        // An answer with no occasion told in it (no past event of the
        // speaker's own) that a "no story" flag fires on (hypothetical, no
        // example, a perfect record) shows no element for real: what it
        // says of actions, lessons or results is what the speaker would do
        // or believes in general. An element it would cover is only partly
        // there (applied below, once elements are judged).
        let dodged = !narrated
            && question.red_flags.iter().zip(&flag_scores).any(|(c, per)| {
                matches!(
                    check_for(&c.id, true),
                    Check::Hypothetical | Check::NoExample | Check::PerfectRecord
                ) && per.iter().any(|sc| sc.score >= s.fire_for(&c.id))
            });

        // Which elements each sentence really covers: its best one, and a
        // second only when that scores nearly as well.
        let n = sentences.len();
        let covers: Vec<f32> = question.rubric.iter().map(|c| s.cover_for(&c.id)).collect();
        let flag_top: Vec<f32> = (0..n)
            .map(|i| {
                flag_scores
                    .iter()
                    .map(|per| per[i].score)
                    .fold(0.0, f32::max)
            })
            .collect();
        let background: Vec<f32> = vectors
            .iter()
            .map(|v| {
                prepared
                    .background
                    .iter()
                    .map(|b| cosine(v, b))
                    .fold(0.0, f32::max)
            })
            .collect();
        // Which element each sentence expresses best, by meaning alone.
        let top: Vec<f32> = (0..n)
            .map(|i| {
                element_scores
                    .iter()
                    .map(|per| per[i].sim)
                    .fold(f32::MIN, f32::max)
            })
            .collect();
        let mut counts: Vec<Vec<bool>> = vec![vec![false; n]; element_scores.len()];
        for i in 0..n {
            for (e, per) in element_scores.iter().enumerate() {
                let (sc, sim) = (per[i].score, per[i].sim);
                // A cue is strong evidence on its own; meaning alone counts
                // when the sentence expresses this element about as well as
                // any other, better than any red flag and better than the
                // question's near misses.
                counts[e][i] = sc >= covers[e]
                    && (per[i].cue.is_some()
                        || (sim >= top[i] - s.second_margin
                            && sim >= flag_top[i] - s.flag_margin
                            && sim >= background[i] - s.background_margin));
            }
        }
        let cues_at: Vec<Vec<bool>> = element_scores
            .iter()
            .map(|per| per.iter().map(|sc| sc.cue.is_some()).collect())
            .collect();
        let mut elements: Vec<CriterionJudgement> = element_scores
            .into_iter()
            .enumerate()
            .map(|(e, scores)| {
                // Sentences where another element's cue matched.
                let cue_at: Vec<bool> = (0..n)
                    .map(|i| (0..cues_at.len()).any(|o| o != e && cues_at[o][i]))
                    .collect();
                let sentences: Vec<usize> = (0..n).filter(|&i| counts[e][i]).collect();
                // Evidence: of the sentences counted for it, first one with
                // its cue and no other element's; then one where it is the
                // sentence's best element by meaning and no other element's
                // cue matched; then one with its cue shared with another
                // element; highest score first. A sentence that says another
                // element is quoted only when no other sentence shows this
                // one.
                let rank = |i: usize| {
                    let own_cue = scores[i].cue.is_some();
                    let tier = match (own_cue, cue_at[i]) {
                        (true, false) => 3,
                        (false, false) if scores[i].sim >= top[i] => 2,
                        (true, true) => 1,
                        _ => 0,
                    };
                    (tier, scores[i].score)
                };
                let counted_best = sentences.iter().copied().max_by(|&a, &b| {
                    rank(a)
                        .partial_cmp(&rank(b))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                let any_best = (0..n).max_by(|&a, &b| scores[a].score.total_cmp(&scores[b].score));
                let (confidence, best) = match counted_best {
                    Some(i) => (
                        sentences
                            .iter()
                            .map(|&k| scores[k].score)
                            .fold(0.0, f32::max),
                        Some(i),
                    ),
                    None => match any_best {
                        Some(i) if scores[i].score > 0.0 => {
                            (scores[i].score.min(covers[e] - 0.001), Some(i))
                        }
                        _ => (0.0, None),
                    },
                };
                CriterionJudgement {
                    confidence,
                    best,
                    sentences,
                    scores,
                    threshold: covers[e],
                    lower: covers[e] - (s.cover - s.partly),
                }
            })
            .collect();
        if dodged {
            for e in elements.iter_mut().filter(|e| e.confidence >= e.threshold) {
                e.confidence = e.threshold - 0.001;
                e.sentences.clear();
                if let Some(i) = e.best {
                    e.scores[i].check = Some("no real occasion told");
                }
            }
        }
        let flags = flag_scores
            .into_iter()
            .zip(&question.red_flags)
            .map(|(scores, c)| {
                let fire = s.fire_for(&c.id);
                let sentences: Vec<usize> = (0..n).filter(|&i| scores[i].score >= fire).collect();
                let best = (0..n)
                    .max_by(|&a, &b| scores[a].score.total_cmp(&scores[b].score))
                    .filter(|&i| scores[i].score > 0.0);
                CriterionJudgement {
                    confidence: best.map_or(0.0, |i| scores[i].score),
                    best,
                    sentences,
                    scores,
                    threshold: fire,
                    lower: fire - (s.fire - s.unclear),
                }
            })
            .collect();
        Ok(Judgement {
            kind: JudgeKind::Semantic,
            settings: s,
            elements,
            flags,
            background,
        })
    }
}

fn score_unit(
    c: &Criterion,
    ex: &Examples,
    check: Check,
    sentence: &str,
    v: &[f32],
    facts: &SentenceFacts,
    s: &JudgeSettings,
) -> SentenceScore {
    let mut nearest = None;
    let mut pos = 0.0f32;
    for (k, p) in ex.pos.iter().enumerate() {
        let sim = cosine(v, p);
        if sim > pos {
            pos = sim;
            nearest = ex.texts.get(k).cloned();
        }
    }
    let neg = ex.neg.iter().map(|n| cosine(v, n)).fold(0.0f32, f32::max);
    let mut score = pos;
    if neg > pos + s.counter_margin {
        // Closer to a near miss than to any example.
        score = pos - 2.0 * (neg - pos);
    }
    let semantic = score.max(0.0);
    let mut cue = cue_in(c, sentence, facts);
    if cue.is_none() && check == Check::Ownership {
        // A slip told with "I" ("I put the wrong date", "I didn't check")
        // owns it, whatever the examples say.
        if let Some((start, end)) = facts.slip_bytes {
            cue = Some((OWN_SLIP.to_string(), start, end));
        }
    }
    if cue.is_some() {
        score = CUE_FLOOR + (1.0 - CUE_FLOOR) * pos.max(0.0);
    }
    let raw = score.max(0.0);
    let kind = check;
    let (mut score, mut check) = apply_check(kind, raw, facts, cue.is_some());
    if kind == Check::Blame
        && (facts.harsh_at_others || (facts.others_failed && semantic >= s.failing_blame))
        && check.is_none()
        && score < CUE_FLOOR
    {
        score = CUE_FLOOR;
        check = Some(if facts.harsh_at_others {
            "puts someone else down"
        } else {
            "someone else's failing"
        });
    }
    let score = if score == WEAKENED {
        raw.min(s.cover - 0.001).max(0.0)
    } else {
        score
    };
    let sim = if check.is_some() {
        score.min(semantic)
    } else {
        semantic
    };
    SentenceScore {
        score,
        sim,
        cue,
        nearest,
        check,
    }
}
