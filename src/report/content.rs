//! The report's content, built once from an [`Analysis`] and what is known
//! about where it came from ([`ReportMeta`]). Every sentence a report shows
//! is written here, as plain text; the terminal, Markdown and HTML renderers
//! only lay it out (and escape it for their syntax).

use super::{counted, span_phrase, times};
use crate::analysis::{clock, Analysis, JudgeKind, Mode, Status, Verdict};

/// How a figure should be read: drives colours and classes in renderers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Plain,
}

impl Tone {
    fn of(v: Verdict) -> Self {
        if v == Verdict::Within {
            Tone::Good
        } else {
            Tone::Warn
        }
    }
}

/// A labelled figure: "Pace" / "142 WPM over 31.0 s of speech (band 130-165)".
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub label: String,
    pub value: String,
    pub tone: Tone,
}

fn fact(label: impl Into<String>, value: impl Into<String>, tone: Tone) -> Fact {
    Fact {
        label: label.into(),
        value: value.into(),
        tone,
    }
}

/// Where a report came from, beyond the analysis itself. Every field is
/// optional: what is not known is not shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportMeta {
    /// When the answer was given or analysed (RFC 3339 or free text).
    pub date: Option<String>,
    /// The session it belongs to ("session 12"), or why there is none.
    pub session: Option<String>,
    /// The speech-recognition model that transcribed it.
    pub model: Option<String>,
    /// The recording's file name.
    pub recording: Option<String>,
}

impl ReportMeta {
    /// Nothing known but the date: now, UTC.
    pub fn now() -> Self {
        let date = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .ok();
        Self {
            date,
            ..Self::default()
        }
    }
}

/// One rubric element's verdict and the sentence that shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementView {
    pub name: String,
    pub status: Status,
    /// "✓", "~" or "✗".
    pub mark: &'static str,
    /// "covered", "partly" or "missing".
    pub verdict: &'static str,
    /// The sentence that best expresses it (covered or partly).
    pub quote: Option<String>,
    /// When that sentence starts, `m:ss` (spoken answers).
    pub at: Option<String>,
    /// What to do about it (partly or missing).
    pub advice: Option<String>,
    pub tone: Tone,
}

/// One rubric element's share of the answer's time (or words).
#[derive(Debug, Clone, PartialEq)]
pub struct ShareView {
    pub name: String,
    /// Index in the rubric (for its colour).
    pub index: usize,
    pub share: f64,
    /// "42%".
    pub percent: String,
    pub covered: bool,
}

/// A quoted sentence and when it was said.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteView {
    pub at: Option<String>,
    pub text: String,
}

/// A red flag that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagView {
    pub name: String,
    pub advice: String,
    pub evidence: Vec<QuoteView>,
}

/// The filler section.
#[derive(Debug, Clone, PartialEq)]
pub struct FillerView {
    /// "3 fillers, 2.1 a minute, 1.0% of the words: "um" ×2, "like" ×1".
    pub line: String,
    pub tone: Tone,
    /// Why the count may be low (transcripts).
    pub note: Option<String>,
    /// "3 fillers close together at 0:42-0:47: um, like, um".
    pub bursts: Vec<String>,
}

/// Everything a report says, as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportContent {
    /// The question asked.
    pub title: String,
    pub question_id: String,
    /// "Spoken answer to biggest-mistake, 120 words".
    pub kind_line: String,
    /// One line: elements covered, pace, length, fillers.
    pub summary: String,
    /// Date, session, model, content judge, recording (what is known).
    pub details: Vec<Fact>,
    /// What a good answer does (the bank's guidance, or the rubric's names).
    pub guidance: String,
    pub next_heading: &'static str,
    pub next_steps: Vec<String>,
    /// Shown when there are no next steps.
    pub all_clear: Option<&'static str>,
    pub timing: Vec<Fact>,
    pub shares_heading: String,
    pub shares: Vec<ShareView>,
    /// "not matched to an element".
    pub unattributed_label: &'static str,
    pub unattributed: String,
    pub fillers: FillerView,
    pub elements: Vec<ElementView>,
    /// What "partly" means.
    pub partly_note: &'static str,
    pub red_flags: Vec<FlagView>,
    /// Shown when no red flag fired.
    pub no_red_flags: &'static str,
    /// ""I" 3 times, "we" once (75% "I")".
    pub pronouns: String,
    /// "Hedges: none" or "Hedges: "i think" ×2".
    pub hedges: String,
    pub hedges_tone: Tone,
    /// "Most repeated words: wrong ×5".
    pub repeated: Option<String>,
}

/// What "partly" means, for the reports.
pub const PARTLY_NOTE: &str = "partly: something close was said, but not clearly enough to count";

/// The note every filler count carries for transcripts.
pub const LOWER_BOUND_NOTE: &str =
    "The count is a lower bound: speech recognition drops some fillers.";

/// Builds the report's content from `a` and `meta`.
pub fn build(a: &Analysis, meta: &ReportMeta) -> ReportContent {
    ReportContent {
        title: a.question.text.clone(),
        question_id: a.question.id.clone(),
        kind_line: format!(
            "{} answer to {}, {}",
            match a.mode {
                Mode::Spoken => "Spoken",
                Mode::Typed => "Typed",
            },
            a.question.id,
            counted(a.length.words, "word")
        ),
        summary: summary(a),
        details: details(a, meta),
        guidance: guidance(a),
        next_heading: "Next attempt",
        next_steps: a.next_attempt.iter().map(|s| s.text.clone()).collect(),
        all_clear: a
            .next_attempt
            .is_empty()
            .then_some("Nothing stands out: every element is there and the delivery is in range."),
        timing: timing(a),
        shares_heading: format!(
            "Time on each element ({})",
            if a.timing.is_some() {
                "of the speaking time"
            } else {
                "of the words"
            }
        ),
        shares: a
            .content
            .elements
            .iter()
            .enumerate()
            .map(|(index, e)| ShareView {
                name: e.name.clone(),
                index,
                share: e.share,
                percent: percent(e.share),
                covered: e.covered,
            })
            .collect(),
        unattributed_label: "not matched to an element",
        unattributed: percent(a.content.unattributed_share),
        fillers: fillers(a),
        elements: elements(a),
        partly_note: PARTLY_NOTE,
        red_flags: a
            .content
            .red_flags
            .iter()
            .filter(|f| f.fired)
            .map(|f| FlagView {
                name: f.name.clone(),
                advice: f.advice.clone(),
                evidence: f
                    .evidence
                    .iter()
                    .map(|ev| QuoteView {
                        at: ev.start.map(clock),
                        text: ev.quote.clone(),
                    })
                    .collect(),
            })
            .collect(),
        no_red_flags: "none fired",
        pronouns: {
            let pr = &a.content.pronouns;
            format!(
                "\"I\" {}, \"we\" {}{}",
                times(pr.i),
                times(pr.we),
                pr.i_share
                    .map_or(String::new(), |s| format!(" ({} \"I\")", percent(s)))
            )
        },
        hedges: {
            let h = &a.content.hedges;
            format!(
                "Hedges: {}",
                if h.total == 0 {
                    "none".to_string()
                } else {
                    h.by_hedge
                        .iter()
                        .map(|c| format!("\"{}\" ×{}", c.text, c.count))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )
        },
        hedges_tone: if a.content.hedges.repeated {
            Tone::Warn
        } else {
            Tone::Plain
        },
        repeated: (!a.content.repeated_words.is_empty()).then(|| {
            format!(
                "Most repeated words: {}",
                a.content
                    .repeated_words
                    .iter()
                    .map(|c| format!("{} ×{}", c.text, c.count))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
    }
}

/// "42%".
fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// The one-line summary: elements covered, pace, length, fillers.
fn summary(a: &Analysis) -> String {
    let elements = &a.content.elements;
    let covered = elements
        .iter()
        .filter(|e| e.status == Status::Covered)
        .count();
    let partly = elements
        .iter()
        .filter(|e| e.status == Status::Partly)
        .count();
    let mut cover = format!("{covered} of {} elements covered", elements.len());
    if partly > 0 {
        cover.push_str(&format!(", {partly} partly"));
    }
    let flags = a.content.red_flags.iter().filter(|f| f.fired).count();
    if flags > 0 {
        cover.push_str(&format!(", {}", counted(flags, "red flag")));
    }
    let s = &a.settings.timing;
    let pace = match &a.timing {
        Some(t) => format!(
            "{:.0} WPM, {} ({:.0}-{:.0})",
            t.words_per_minute,
            match t.pace {
                Verdict::Below => "slow",
                Verdict::Within => "in band",
                Verdict::Above => "fast",
            },
            s.pace_min_wpm,
            s.pace_max_wpm
        ),
        None => "pace not measured".to_string(),
    };
    let l = &a.length;
    let length = format!(
        "{}{}, {} ({}-{})",
        if l.estimated { "about " } else { "" },
        clock(l.secs),
        match (l.verdict, l.estimated) {
            (Verdict::Below, false) => "short",
            (Verdict::Within, false) => "in target",
            (Verdict::Above, false) => "long",
            (Verdict::Below, true) => "short, estimated",
            (Verdict::Within, true) => "in target, estimated",
            (Verdict::Above, true) => "long, estimated",
        },
        clock(l.target.min as f64),
        clock(l.target.max as f64),
    );
    let f = &a.fillers;
    let fillers = format!(
        "{}{}",
        counted(f.total, "filler"),
        f.per_minute
            .map_or(String::new(), |r| format!(", {r:.1}/min"))
    );
    [cover, pace, length, fillers].join(" · ")
}

/// Why an analysis has no timing.
fn no_timing_reason(a: &Analysis) -> &'static str {
    match a.mode {
        Mode::Typed => "typed answer: no timing",
        Mode::Spoken => "no words recognised in the recording",
    }
}

fn details(a: &Analysis, meta: &ReportMeta) -> Vec<Fact> {
    let mut out = Vec::new();
    if let Some(date) = &meta.date {
        out.push(fact("Date", readable_date(date), Tone::Plain));
    }
    if let Some(session) = &meta.session {
        out.push(fact("Session", session, Tone::Plain));
    }
    let model = match (a.mode, &meta.model) {
        (Mode::Typed, _) => Some("none (typed answer)".to_string()),
        (Mode::Spoken, Some(m)) => Some(format!("whisper {m}")),
        (Mode::Spoken, None) => None,
    };
    if let Some(model) = model {
        out.push(fact("Speech model", model, Tone::Plain));
    }
    out.push(fact(
        "Content judge",
        match a.content.judge {
            JudgeKind::Semantic => "sentence embeddings (all-MiniLM-L6-v2) and the bank's cues",
            JudgeKind::Keywords => "the bank's cue phrases only",
        },
        Tone::Plain,
    ));
    if let Some(rec) = &meta.recording {
        out.push(fact("Recording", rec, Tone::Plain));
    }
    out
}

/// "2026-11-30 22:41 UTC" from RFC 3339; other text as it is.
fn readable_date(date: &str) -> String {
    match (date.get(..10), date.get(11..16), date.ends_with('Z')) {
        (Some(day), Some(hm), true) if date.as_bytes().get(10) == Some(&b'T') => {
            format!("{day} {hm} UTC")
        }
        _ => date.to_string(),
    }
}

fn guidance(a: &Analysis) -> String {
    let target = format!(
        "{}-{}",
        clock(a.question.target_seconds.min as f64),
        clock(a.question.target_seconds.max as f64)
    );
    match &a.question.guidance {
        Some(g) => format!("{} Aim for {target}.", g.trim()),
        None => format!(
            "A good answer covers {} and takes {target}.",
            a.content
                .elements
                .iter()
                .map(|e| e.name.to_lowercase())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// "0:44 against a target of 1:15-2:30: short", saying when the length
/// is an estimate (typed answers).
pub(crate) fn length_line(a: &Analysis) -> String {
    let l = &a.length;
    let verdict = match l.verdict {
        Verdict::Below => "short",
        Verdict::Within => "within it",
        Verdict::Above => "long",
    };
    let target = format!(
        "{}-{}",
        clock(l.target.min as f64),
        clock(l.target.max as f64)
    );
    if l.estimated {
        let s = &a.settings.timing;
        format!(
            "about {} against a target of {target}: {verdict} (an estimate: {} at {:.0} WPM, as typed answers have no timing)",
            clock(l.secs),
            counted(l.words, "word"),
            (s.pace_min_wpm + s.pace_max_wpm) / 2.0
        )
    } else {
        format!("{} against a target of {target}: {verdict}", clock(l.secs))
    }
}

fn timing(a: &Analysis) -> Vec<Fact> {
    let mut out = vec![fact("Length", length_line(a), Tone::of(a.length.verdict))];
    let Some(t) = &a.timing else {
        out.push(fact("Timing", no_timing_reason(a), Tone::Plain));
        return out;
    };
    let s = &a.settings.timing;
    out.push(fact(
        "First word",
        format!("after {:.1} s", t.time_to_first_word),
        Tone::Plain,
    ));
    out.push(fact(
        "Pace",
        format!(
            "{:.0} WPM over {:.1} s of speech (band {:.0}-{:.0})",
            t.words_per_minute, t.speech_secs, s.pace_min_wpm, s.pace_max_wpm
        ),
        Tone::of(t.pace),
    ));
    for st in &t.pace_stretches {
        out.push(fact(
            if st.verdict == Verdict::Above {
                "Fast stretch"
            } else {
                "Slow stretch"
            },
            format!("{}-{} at {:.0} WPM", clock(st.start), clock(st.end), st.wpm),
            Tone::Warn,
        ));
    }
    let label = format!("Long pauses (over {:.0} s)", s.long_pause_secs);
    if t.long_pauses.is_empty() {
        out.push(fact(label, "none", Tone::Good));
    } else {
        let list = t
            .long_pauses
            .iter()
            .map(|p| {
                format!(
                    "{} ({:.1} s, after \"{}\")",
                    clock(p.start),
                    p.secs,
                    p.after
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        out.push(fact(
            label,
            format!("{}: {list}", t.long_pauses.len()),
            Tone::Warn,
        ));
    }
    out
}

fn fillers(a: &Analysis) -> FillerView {
    let f = &a.fillers;
    let list = f
        .by_filler
        .iter()
        .map(|c| format!("\"{}\" ×{}", c.text, c.count))
        .collect::<Vec<_>>()
        .join(", ");
    FillerView {
        line: format!(
            "{}{}, {:.1}% of the words{}",
            counted(f.total, "filler"),
            f.per_minute
                .map_or(String::new(), |r| format!(", {r:.1} a minute")),
            f.percent_of_words,
            if f.total > 0 {
                format!(": {list}")
            } else {
                String::new()
            }
        ),
        tone: if f.total == 0 { Tone::Good } else { Tone::Warn },
        note: f.count_is_lower_bound.then(|| LOWER_BOUND_NOTE.to_string()),
        bursts: f
            .clusters
            .iter()
            .map(|c| {
                format!(
                    "{} fillers close together{}: {}",
                    c.count,
                    span_phrase(c.start, c.end),
                    c.fillers.join(", ")
                )
            })
            .collect(),
    }
}

fn elements(a: &Analysis) -> Vec<ElementView> {
    a.content
        .elements
        .iter()
        .map(|e| {
            let (mark, verdict, tone) = match e.status {
                Status::Covered => ("✓", "covered", Tone::Good),
                Status::Partly => ("~", "partly", Tone::Warn),
                Status::Missing => ("✗", "missing", Tone::Bad),
            };
            let shown = e.status != Status::Missing;
            ElementView {
                name: e.name.clone(),
                status: e.status,
                mark,
                verdict,
                quote: e
                    .evidence
                    .as_ref()
                    .filter(|_| shown)
                    .map(|ev| ev.quote.clone()),
                at: e
                    .evidence
                    .as_ref()
                    .filter(|_| shown)
                    .and_then(|ev| ev.start)
                    .map(clock),
                advice: (e.status != Status::Covered).then(|| e.advice.clone()),
                tone,
            }
        })
        .collect()
}
