//! The "next attempt" list: at most three concrete changes, chosen from the
//! red flags, the missing rubric elements and the delivery figures, each
//! phrased as an observation about the answer and what to do, never as a
//! judgement of the person.
//!
//! The "too much set-up" remark is based on the rubric elements' `phase`
//! (see [`phase_balance`]): it is only made for questions whose rubric has
//! both set-up and resolution elements.

use serde::{Deserialize, Serialize};

use super::content::ElementResult;
use super::timing::{clock, Verdict};
use super::Analysis;
use crate::bank::{Phase, Question};

/// When a delivery figure is worth one of the three places.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdviceSettings {
    /// At most this many items.
    pub max_items: usize,
    /// Content items (red flags, missing elements) when a delivery item is waiting too.
    pub max_content_items: usize,
    pub filler_per_minute_max: f64,
    pub filler_percent_max: f64,
    /// More than this share of the answer on the rubric's set-up elements
    /// (`phase: setup`) is worth a remark.
    pub setup_share_max: f64,
    /// This many long pauses, or one this long, is worth a remark.
    pub long_pauses_max: usize,
    pub long_pause_remark_secs: f64,
    pub first_word_max_secs: f64,
    /// A stretch outside the pace band this long is worth a remark even when
    /// the overall pace is fine.
    pub pace_stretch_remark_secs: f64,
}

impl Default for AdviceSettings {
    fn default() -> Self {
        Self {
            max_items: 3,
            max_content_items: 2,
            filler_per_minute_max: 6.0,
            filler_percent_max: 4.0,
            setup_share_max: 0.5,
            long_pauses_max: 3,
            long_pause_remark_secs: 5.0,
            first_word_max_secs: 5.0,
            pace_stretch_remark_secs: 20.0,
        }
    }
}

/// What an item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    RedFlag,
    MissingElement,
    Balance,
    Length,
    Fillers,
    Pronouns,
    Pace,
    Hedges,
    Pauses,
    Start,
}

impl StepKind {
    fn is_content(self) -> bool {
        matches!(self, StepKind::RedFlag | StepKind::MissingElement)
    }
}

/// One thing to change next time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStep {
    pub kind: StepKind,
    /// The rubric element or red flag it is about.
    pub id: Option<String>,
    pub text: String,
}

/// How an answer's time divides between the set-up and the resolution
/// elements of the rubric (shares of the whole answer, 0..1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseBalance {
    pub setup: f64,
    pub resolution: f64,
}

/// The set-up and resolution shares of an answer to `question`, or `None`
/// when its rubric lacks set-up or resolution elements (questions such as
/// "any questions for us?", where "too much set-up" makes no sense).
/// Elements are matched to the rubric by id.
pub fn phase_balance(question: &Question, elements: &[ElementResult]) -> Option<PhaseBalance> {
    let phase_of = |id: &str| question.element(id).and_then(|c| c.phase);
    let has = |p: Phase| question.rubric.iter().any(|c| c.phase == Some(p));
    if !has(Phase::Setup) || !has(Phase::Resolution) {
        return None;
    }
    let share = |p: Phase| {
        elements
            .iter()
            .filter(|e| phase_of(&e.id) == Some(p))
            .fold(0.0, |acc, e| acc + e.share)
    };
    Some(PhaseBalance {
        setup: share(Phase::Setup),
        resolution: share(Phase::Resolution),
    })
}

/// The next-attempt list for an analysed answer to `question`.
pub fn next_attempt_for(question: &Question, a: &Analysis, s: &AdviceSettings) -> Vec<NextStep> {
    steps(a, Some(question), s)
}

/// The next-attempt list for an analysed answer, without the question: the
/// same as [`next_attempt_for`] but with no set-up/resolution remark, which
/// needs the rubric's phases.
pub fn next_attempt(a: &Analysis, s: &AdviceSettings) -> Vec<NextStep> {
    steps(a, None, s)
}

fn steps(a: &Analysis, question: Option<&Question>, s: &AdviceSettings) -> Vec<NextStep> {
    let mut candidates: Vec<(u32, NextStep)> = Vec::new();
    let mut push = |priority: u32, kind: StepKind, id: Option<&str>, text: String| {
        candidates.push((
            priority,
            NextStep {
                kind,
                id: id.map(str::to_string),
                text,
            },
        ))
    };

    for (i, flag) in a.content.red_flags.iter().filter(|f| f.fired).enumerate() {
        let quote = flag
            .evidence
            .first()
            .map_or(String::new(), |e| match e.start {
                Some(t) => format!(" (\"{}\" at {})", e.matched, clock(t)),
                None => format!(" (\"{}\")", e.matched),
            });
        push(
            100 - i as u32,
            StepKind::RedFlag,
            Some(&flag.id),
            format!("{}{quote}", flag.advice),
        );
    }
    for (i, element) in a.content.elements.iter().filter(|e| !e.covered).enumerate() {
        push(
            80 - i as u32,
            StepKind::MissingElement,
            Some(&element.id),
            element.advice.clone(),
        );
    }

    if let Some(question) = question {
        if let Some(balance) = phase_balance(question, &a.content.elements) {
            let in_phase = |p: Phase| {
                a.content
                    .elements
                    .iter()
                    .filter(move |e| question.element(&e.id).and_then(|c| c.phase) == Some(p))
            };
            let top = in_phase(Phase::Setup).max_by(|x, y| x.share.total_cmp(&y.share));
            let low = in_phase(Phase::Resolution).min_by(|x, y| x.share.total_cmp(&y.share));
            if let (true, Some(top), Some(low)) = (balance.setup > s.setup_share_max, top, low) {
                push(
                    70,
                    StepKind::Balance,
                    None,
                    format!(
                        "{}% of the answer went on the set-up (\"{}\" alone {}%) and {}% on what was done about it (\"{}\" {}%): keep the set-up to a few sentences and spend the time on what you did about it",
                        pct(balance.setup),
                        top.name,
                        pct(top.share),
                        pct(balance.resolution),
                        low.name,
                        pct(low.share)
                    ),
                );
            }
        }
    }

    let l = &a.length;
    let how_long = if l.estimated {
        format!("about {} when spoken", clock(l.secs))
    } else {
        clock(l.secs)
    };
    let target = format!(
        "{}-{}",
        clock(l.target.min as f64),
        clock(l.target.max as f64)
    );
    match l.verdict {
        Verdict::Above => push(
            65,
            StepKind::Length,
            None,
            format!("the answer ran {how_long}, over the {target} target: keep the set-up to two sentences and stop once the last point is made"),
        ),
        Verdict::Below => push(
            65,
            StepKind::Length,
            None,
            if a.content.missing.is_empty() && a.content.partly.is_empty() {
                format!("the answer ran {how_long}, under the {target} target: every part is there, so give each one a concrete detail (a number, a name, what happened next)")
            } else {
                format!("the answer ran {how_long}, under the {target} target: add the parts it lacks, each with one concrete detail")
            },
        ),
        Verdict::Within => {}
    }

    let f = &a.fillers;
    let rate_high = f.per_minute.is_some_and(|r| r > s.filler_per_minute_max);
    if f.total > 0 && (rate_high || f.percent_of_words > s.filler_percent_max) {
        let rate = match f.per_minute {
            Some(r) => format!("{r:.1} a minute"),
            None => format!("{:.1}% of the words", f.percent_of_words),
        };
        let top = f.by_filler.first().map_or(String::new(), |c| {
            format!(", most often \"{}\" ×{}", c.text, c.count)
        });
        let burst = f.clusters.first().map_or(String::new(), |c| match c.start {
            Some(t) => format!("; {} in a burst at {}", c.count, clock(t)),
            None => format!("; {} in one burst", c.count),
        });
        push(
            60,
            StepKind::Fillers,
            None,
            format!(
                "{} fillers ({rate}{top}{burst}): pause in silence instead; a short pause sounds more composed than a filler",
                f.total
            ),
        );
    }

    let p = &a.content.pronouns;
    if p.we_heavy && !a.content.fired.iter().any(|id| id == "deflecting") {
        push(
            58,
            StepKind::Pronouns,
            None,
            format!(
                "\"we\" {} against \"I\" {}: say \"I\" for the parts that were yours",
                crate::report::times(p.we),
                crate::report::times(p.i)
            ),
        );
    }

    if let Some(t) = &a.timing {
        let (min, max) = (
            a.settings.timing.pace_min_wpm,
            a.settings.timing.pace_max_wpm,
        );
        let longest = |v: Verdict| {
            t.pace_stretches
                .iter()
                .filter(|st| st.verdict == v)
                .max_by(|x, y| (x.end - x.start).total_cmp(&(y.end - y.start)))
        };
        let band = format!("the {min:.0}-{max:.0} band");
        let todo = |v: Verdict| {
            if v == Verdict::Above {
                "slow down and pause after each key point"
            } else {
                "tighten the sentences and move on once a point is made"
            }
        };
        let side = |v: Verdict| {
            if v == Verdict::Above {
                "above"
            } else {
                "below"
            }
        };
        let text = match t.pace {
            Verdict::Above | Verdict::Below => {
                // A stretch covering most of the answer adds nothing to the overall figure.
                let stretch = longest(t.pace)
                    .filter(|st| st.end - st.start < 0.8 * t.answer_secs)
                    .map_or(String::new(), |st| {
                        format!(
                            " ({:.0} from {} to {})",
                            st.wpm,
                            clock(st.start),
                            clock(st.end)
                        )
                    });
                Some(format!(
                    "pace {:.0} words a minute{stretch}, {} {band}: {}",
                    t.words_per_minute,
                    side(t.pace),
                    todo(t.pace)
                ))
            }
            Verdict::Within => t
                .pace_stretches
                .iter()
                .filter(|st| st.end - st.start >= s.pace_stretch_remark_secs)
                .max_by(|x, y| (x.end - x.start).total_cmp(&(y.end - y.start)))
                .map(|st| {
                    format!(
                        "pace {:.0} words a minute overall, but {:.0} from {} to {}, {} {band}: {}",
                        t.words_per_minute,
                        st.wpm,
                        clock(st.start),
                        clock(st.end),
                        side(st.verdict),
                        todo(st.verdict)
                    )
                }),
        };
        if let Some(text) = text {
            push(55, StepKind::Pace, None, text);
        }
    }

    let h = &a.content.hedges;
    if h.repeated {
        let list = h
            .by_hedge
            .iter()
            .map(|c| format!("\"{}\" ×{}", c.text, c.count))
            .collect::<Vec<_>>()
            .join(", ");
        push(
            50,
            StepKind::Hedges,
            None,
            format!("{} hedges ({list}): state what happened plainly", h.total),
        );
    }

    if let Some(t) = &a.timing {
        let longest = t
            .long_pauses
            .iter()
            .max_by(|x, y| x.secs.total_cmp(&y.secs));
        if let Some(longest) = longest {
            if t.long_pauses.len() >= s.long_pauses_max || longest.secs >= s.long_pause_remark_secs
            {
                push(
                    45,
                    StepKind::Pauses,
                    None,
                    format!(
                        "{} pause{} over {:.0} s (longest {:.1} s at {}, after \"{}\"): decide the answer's parts before you start, so the next one is always ready",
                        t.long_pauses.len(),
                        if t.long_pauses.len() == 1 { "" } else { "s" },
                        a.settings.timing.long_pause_secs,
                        longest.secs,
                        clock(longest.start),
                        longest.after
                    ),
                );
            }
        }
        if t.time_to_first_word > s.first_word_max_secs {
            push(
                40,
                StepKind::Start,
                None,
                format!(
                    "{:.1} s of silence before the first word: open with a one-sentence headline while you gather the rest",
                    t.time_to_first_word
                ),
            );
        }
    }

    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    let others_waiting = candidates.iter().any(|(_, c)| !c.kind.is_content());
    let content_cap = if others_waiting {
        s.max_content_items
    } else {
        s.max_items
    };
    let mut out: Vec<NextStep> = Vec::new();
    let mut content = 0;
    for (_, step) in candidates {
        if out.len() == s.max_items {
            break;
        }
        if step.kind.is_content() {
            if content == content_cap {
                continue;
            }
            content += 1;
        }
        out.push(step);
    }
    out
}

fn pct(share: f64) -> String {
    format!("{:.0}", share * 100.0)
}
