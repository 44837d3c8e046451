//! Feedback reports for an [`Analysis`]: a coloured terminal report, JSON
//! with every figure, Markdown, and a self-contained HTML page with the
//! transcript highlighted and an inline SVG timeline. What the reports say
//! is built once in [`content`]; `terminal`, `markdown` and `html` only
//! render that [`ReportContent`].

pub mod chart;
pub mod content;
pub mod embed_audio;
pub mod html;
pub mod markdown;
pub mod progress_chart;
pub mod terminal;

use crate::analysis::{clock, Analysis};

pub use content::{build, ReportContent, ReportMeta};
pub use embed_audio::wav_data_uri as embed_audio;

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

/// The analysis as pretty-printed JSON (the stable, versioned schema).
pub fn json(analysis: &Analysis) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(analysis)
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

/// " at 0:42-0:47", or nothing for typed answers.
pub(crate) fn span_phrase(start: Option<f64>, end: Option<f64>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!(" at {}-{}", clock(s), clock(e)),
        (Some(s), None) => format!(" at {}", clock(s)),
        _ => String::new(),
    }
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

#[cfg(test)]
mod render_tests;
