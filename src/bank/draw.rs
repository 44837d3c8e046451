//! Drawing questions for a practice session: reproducible from a seed, never
//! repeating a question within a session, filtered by bank, category and
//! tag, always including the questions asked for by id, and leaning toward
//! the questions the user has answered worst when a score history exists.
//!
//! The generator is ChaCha8 seeded from a `u64`, whose output is fixed by its
//! specification, so a seed gives the same draw on every platform and build
//! (as long as the catalog is the same).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use rand::distr::weighted::WeightedIndex;
use rand::distr::Distribution;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::model::{Catalog, Question};

/// Past scores by question id, each from 0 (worst) to 1 (best). The storage
/// of practice history implements this; a map does too.
pub trait ScoreHistory {
    /// The user's score for a question, if it was ever answered (for example
    /// the mean of its last few attempts).
    fn score(&self, question_id: &str) -> Option<f64>;
}

impl<S: BuildHasher> ScoreHistory for HashMap<String, f64, S> {
    fn score(&self, question_id: &str) -> Option<f64> {
        self.get(question_id).copied()
    }
}

impl ScoreHistory for BTreeMap<String, f64> {
    fn score(&self, question_id: &str) -> Option<f64> {
        self.get(question_id).copied()
    }
}

/// How much likelier the worst-scored question is than a never-answered one
/// (and a never-answered one than the best-scored).
pub const WORST_WEIGHT: f64 = 3.0;

/// The draw weight of a question with this past score: `WORST_WEIGHT` at
/// score 0, 1 at 0.5 or without history, `1 / WORST_WEIGHT` at 1. Scores
/// outside 0..=1 are clamped; a NaN counts as no history.
pub fn weight(score: Option<f64>) -> f64 {
    match score.filter(|s| !s.is_nan()) {
        None => 1.0,
        Some(s) => WORST_WEIGHT.powf(1.0 - 2.0 * s.clamp(0.0, 1.0)),
    }
}

/// Which questions may be drawn. Within each list any value may match; a
/// question must match every non-empty list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub banks: Vec<String>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
}

impl Filter {
    pub fn matches(&self, q: &Question) -> bool {
        (self.banks.is_empty() || self.banks.contains(&q.bank))
            && (self.categories.is_empty() || self.categories.contains(&q.category))
            && (self.tags.is_empty() || q.tags.iter().any(|t| self.tags.contains(t)))
    }

    /// e.g. "bank behavioral, tag conflict" or "no filter".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (what, values) in [
            ("bank", &self.banks),
            ("category", &self.categories),
            ("tag", &self.tags),
        ] {
            if !values.is_empty() {
                parts.push(format!("{what} {}", values.join(" or ")));
            }
        }
        if parts.is_empty() {
            "no filter".to_string()
        } else {
            parts.join(", ")
        }
    }

    /// Every filter value must name something in the catalog (a typo would
    /// otherwise silently match nothing).
    fn check(&self, catalog: &Catalog) -> Result<(), DrawError> {
        let banks: Vec<String> = catalog.banks().iter().map(|b| b.id.clone()).collect();
        let mut categories: Vec<String> = catalog.questions().map(|q| q.category.clone()).collect();
        let mut tags: Vec<String> = catalog.questions().flat_map(|q| q.tags.clone()).collect();
        for list in [&mut categories, &mut tags] {
            list.sort();
            list.dedup();
        }
        for (what, values, known) in [
            ("bank", &self.banks, banks),
            ("category", &self.categories, categories),
            ("tag", &self.tags, tags),
        ] {
            if let Some(value) = values.iter().find(|v| !known.contains(v)) {
                return Err(DrawError::UnknownFilter {
                    what,
                    value: value.clone(),
                    known,
                });
            }
        }
        Ok(())
    }
}

/// What to draw.
#[derive(Clone, Default)]
pub struct DrawRequest<'h> {
    /// How many questions, `include` ones counted.
    pub count: usize,
    /// Same seed and catalog, same draw. `None` picks a random seed (reported
    /// in [`Draw::seed`] so the draw can be repeated).
    pub seed: Option<u64>,
    pub filter: Filter,
    /// Question ids always drawn, whatever the filter says.
    pub include: Vec<String>,
    /// Question ids never drawn (already asked in this session).
    pub exclude: Vec<String>,
    /// Past scores; lower scores are drawn more often.
    pub history: Option<&'h dyn ScoreHistory>,
}

/// The questions drawn, in the order to ask them.
#[derive(Debug, Clone)]
pub struct Draw<'c> {
    /// The seed used: pass it again to get the same draw.
    pub seed: u64,
    pub questions: Vec<&'c Question>,
}

/// Why a draw could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("no question has id `{0}`: `rehearse banks list` shows the ids")]
    UnknownQuestion(String),
    #[error("no {what} `{value}`; known: {}", .known.join(", "))]
    UnknownFilter {
        what: &'static str,
        value: String,
        known: Vec<String>,
    },
    #[error("asked for {wanted} questions but only {available} match ({filter}): widen the filter or ask for fewer")]
    TooFew {
        wanted: usize,
        available: usize,
        filter: String,
    },
    #[error("{included} questions are included by id but only {wanted} asked for: raise the count or include fewer")]
    TooManyIncluded { included: usize, wanted: usize },
}

/// Draws questions one at a time for a session, never repeating one.
pub struct Drawer<'c> {
    pool: Vec<&'c Question>,
    weights: Vec<f64>,
    rng: ChaCha8Rng,
}

impl<'c> Drawer<'c> {
    /// A drawer over the questions of `catalog` that match `filter`.
    pub fn new(
        catalog: &'c Catalog,
        filter: &Filter,
        seed: u64,
        history: Option<&dyn ScoreHistory>,
    ) -> Result<Self, DrawError> {
        filter.check(catalog)?;
        let pool: Vec<&Question> = catalog.questions().filter(|q| filter.matches(q)).collect();
        let weights = pool
            .iter()
            .map(|q| weight(history.and_then(|h| h.score(&q.id))))
            .collect();
        Ok(Self {
            pool,
            weights,
            rng: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// Questions left to draw.
    pub fn remaining(&self) -> usize {
        self.pool.len()
    }

    /// Takes a question out of the pool without drawing it (it was asked by
    /// other means); returns whether it was there.
    pub fn mark_asked(&mut self, id: &str) -> bool {
        match self.pool.iter().position(|q| q.id == id) {
            Some(i) => {
                self.pool.remove(i);
                self.weights.remove(i);
                true
            }
            None => false,
        }
    }

    /// The next question, weighted by past scores; `None` when all are drawn.
    pub fn next_question(&mut self) -> Option<&'c Question> {
        let dist = WeightedIndex::new(&self.weights).ok()?;
        let i = dist.sample(&mut self.rng);
        self.weights.remove(i);
        Some(self.pool.remove(i))
    }

    fn shuffle(&mut self, questions: &mut [&'c Question]) {
        questions.shuffle(&mut self.rng);
    }
}

/// Draws `request.count` questions: the `include` ones plus weighted random
/// ones matching the filter, none twice, ordered opening questions first and
/// closing questions last (random order otherwise).
pub fn draw<'c>(catalog: &'c Catalog, request: &DrawRequest) -> Result<Draw<'c>, DrawError> {
    let seed = request.seed.unwrap_or_else(|| rand::rng().random());
    let mut included: Vec<&Question> = Vec::new();
    for id in &request.include {
        let q = catalog
            .question(id)
            .ok_or_else(|| DrawError::UnknownQuestion(id.clone()))?;
        if !included.iter().any(|i| i.id == q.id) {
            included.push(q);
        }
    }
    for id in &request.exclude {
        catalog
            .question(id)
            .ok_or_else(|| DrawError::UnknownQuestion(id.clone()))?;
    }
    if included.len() > request.count {
        return Err(DrawError::TooManyIncluded {
            included: included.len(),
            wanted: request.count,
        });
    }
    let mut drawer = Drawer::new(catalog, &request.filter, seed, request.history)?;
    for id in included
        .iter()
        .map(|q| q.id.as_str())
        .chain(request.exclude.iter().map(String::as_str))
    {
        drawer.mark_asked(id);
    }
    let needed = request.count - included.len();
    if drawer.remaining() < needed {
        return Err(DrawError::TooFew {
            wanted: request.count,
            available: drawer.remaining() + included.len(),
            filter: request.filter.describe(),
        });
    }
    let mut questions = included;
    while questions.len() < request.count {
        let Some(q) = drawer.next_question() else {
            break;
        };
        questions.push(q);
    }
    drawer.shuffle(&mut questions);
    questions.sort_by_key(|q| q.stage);
    Ok(Draw { seed, questions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_favours_low_scores_and_treats_unknown_as_middling() {
        assert_eq!(weight(None), 1.0);
        assert_eq!(weight(Some(f64::NAN)), 1.0);
        assert!((weight(Some(0.0)) - WORST_WEIGHT).abs() < 1e-12);
        assert!((weight(Some(0.5)) - 1.0).abs() < 1e-12);
        assert!((weight(Some(1.0)) - 1.0 / WORST_WEIGHT).abs() < 1e-12);
        assert_eq!(weight(Some(-4.0)), weight(Some(0.0)));
        assert_eq!(weight(Some(9.0)), weight(Some(1.0)));
        assert!(weight(Some(0.2)) > weight(Some(0.4)));
    }

    #[test]
    fn filter_description_names_every_part() {
        let filter = Filter {
            banks: vec!["behavioral".into()],
            categories: vec![],
            tags: vec!["conflict".into(), "team".into()],
        };
        assert_eq!(filter.describe(), "bank behavioral, tag conflict or team");
        assert_eq!(Filter::default().describe(), "no filter");
    }
}
