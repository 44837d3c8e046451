//! Feedback reports for an [`Analysis`]: a coloured terminal report, JSON
//! with every figure, Markdown, and a self-contained HTML page with the
//! transcript highlighted and an inline SVG timeline.

pub mod chart;
pub mod html;
pub mod markdown;
pub mod progress_chart;
pub mod terminal;

use crate::analysis::{clock, Analysis, Length, Status, Verdict};

/// One rubric element as every report shows it: built once here, rendered
/// by each format.
pub(crate) struct ElementLine<'a> {
    pub status: Status,
    pub name: &'a str,
    /// The sentence that best expresses it (covered or partly), and when.
    pub quote: Option<&'a str>,
    pub start: Option<f64>,
    pub advice: &'a str,
}

/// What "partly" means, for the reports.
pub(crate) const PARTLY_NOTE: &str =
    "partly: something close was said, but not clearly enough to count";

/// The rubric elements of `a`, in rubric order.
pub(crate) fn element_lines(a: &Analysis) -> Vec<ElementLine<'_>> {
    a.content
        .elements
        .iter()
        .map(|e| ElementLine {
            status: e.status,
            name: &e.name,
            quote: e.evidence.as_ref().map(|ev| ev.quote.as_str()),
            start: e.evidence.as_ref().and_then(|ev| ev.start),
            advice: &e.advice,
        })
        .collect()
}

/// The analysis as pretty-printed JSON (the stable, versioned schema).
/// "once", "twice", "3 times": how often a word was said.
pub fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// "1 answer", "2 answers": a count with its noun (regular plurals).
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub fn json(analysis: &Analysis) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(analysis)
}

/// "0:44 (target 1:15-2:30: under)".
pub(crate) fn length_line(l: &Length) -> String {
    format!(
        "{}{} against a target of {}-{}: {}",
        if l.estimated { "about " } else { "" },
        clock(l.secs),
        clock(l.target.min as f64),
        clock(l.target.max as f64),
        match l.verdict {
            Verdict::Below => "short",
            Verdict::Within => "within it",
            Verdict::Above => "long",
        }
    )
}

/// `text` cut to `max` characters at a word boundary, with "..." when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > max.saturating_sub(3) {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push_str("...");
    out
}

/// An optional time as `m:ss`, blank for typed answers.
pub(crate) fn at(t: Option<f64>) -> String {
    t.map_or_else(String::new, clock)
}

/// " at 0:42-0:47", or nothing for typed answers.
pub(crate) fn span_phrase(start: Option<f64>, end: Option<f64>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!(" at {}-{}", clock(s), clock(e)),
        (Some(s), None) => format!(" at {}", clock(s)),
        _ => String::new(),
    }
}

/// Why an analysis has no timing.
pub(crate) fn no_timing_reason(a: &Analysis) -> &'static str {
    match a.mode {
        crate::analysis::Mode::Typed => "typed answer: no timing",
        crate::analysis::Mode::Spoken => "no words recognised in the recording",
    }
}

/// The note every filler count carries for transcripts.
pub(crate) const LOWER_BOUND_NOTE: &str = "a lower bound: speech recognition drops some fillers";

/// "um ×3, like ×2".
pub(crate) fn filler_list(a: &Analysis) -> String {
    a.fillers
        .by_filler
        .iter()
        .map(|c| format!("\"{}\" ×{}", c.text, c.count))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_at_words() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("one two three four five", 14), "one two...");
    }
}
