//! The report as Markdown, for keeping or sharing as a file. It renders a
//! [`ReportContent`] and writes no sentence of its own; text from the answer
//! or the bank is escaped so it cannot turn into markup.

use std::fmt::Write;

use super::content::{build, ReportContent, ReportMeta};
use crate::analysis::{clock, Analysis};

/// Backslash-escapes the characters Markdown gives a meaning to (and `|`,
/// for tables), and turns line breaks into spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '<' | '>' | '#' | '+'
            | '!' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The report of `a` as Markdown.
pub fn render(a: &Analysis) -> String {
    render_with(a, &ReportMeta::default())
}

/// The report of `a` as Markdown, with what `meta` knows of its origin.
pub fn render_with(a: &Analysis, meta: &ReportMeta) -> String {
    let mut o = render_content(&build(a, meta));
    let _ = writeln!(o, "\n## Transcript\n");
    for s in &a.answer.sentences {
        let time = s.start.map_or(String::new(), |t| format!("{} ", clock(t)));
        let _ = writeln!(o, "> {time}{}  ", escape(&s.text));
    }
    o
}

/// `c` as Markdown (without the transcript).
pub fn render_content(c: &ReportContent) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Feedback: {}\n", escape(&c.title));
    let _ = writeln!(o, "{}.\n", escape(&c.kind_line));
    let _ = writeln!(o, "**{}**\n", escape(&c.summary));
    for d in &c.details {
        let _ = writeln!(o, "- {}: {}", escape(&d.label), escape(&d.value));
    }
    let _ = writeln!(o, "\n> {}", escape(&c.guidance));

    let _ = writeln!(o, "\n## {}\n", c.next_heading);
    if let Some(all_clear) = c.all_clear {
        let _ = writeln!(o, "{}", escape(all_clear));
    }
    for (i, step) in c.next_steps.iter().enumerate() {
        let _ = writeln!(o, "{}. {}", i + 1, escape(step));
    }

    let _ = writeln!(o, "\n## Timing\n");
    let _ = writeln!(o, "| figure | value |\n| --- | --- |");
    for f in &c.timing {
        let _ = writeln!(o, "| {} | {} |", escape(&f.label), escape(&f.value));
    }

    let _ = writeln!(
        o,
        "\n### {}\n\n| element | share |\n| --- | --- |",
        escape(&c.shares_heading)
    );
    for e in &c.shares {
        let _ = writeln!(o, "| {} | {} |", escape(&e.name), e.percent);
    }
    let _ = writeln!(o, "| ({}) | {} |", c.unattributed_label, c.unattributed);

    let f = &c.fillers;
    let _ = writeln!(o, "\n## Fillers\n");
    let _ = writeln!(
        o,
        "{}.{}",
        escape(&f.line),
        f.note
            .as_ref()
            .map_or(String::new(), |n| format!(" {}", escape(n)))
    );
    if !f.bursts.is_empty() {
        let _ = writeln!(o);
    }
    for burst in &f.bursts {
        let _ = writeln!(o, "- {}", escape(burst));
    }

    let _ = writeln!(o, "\n## Content\n");
    for e in &c.elements {
        let mut line = format!("- {} **{}** ({})", e.mark, escape(&e.name), e.verdict);
        if let Some(at) = &e.at {
            let _ = write!(line, " at {at}");
        }
        if let Some(q) = &e.quote {
            let _ = write!(line, ": \"{}\"", escape(q));
        }
        if let Some(advice) = &e.advice {
            let _ = write!(
                line,
                "{} {}",
                if e.quote.is_some() { "." } else { ":" },
                escape(advice)
            );
        }
        let _ = writeln!(o, "{line}");
    }
    if c.elements.iter().any(|e| e.verdict == "partly") {
        let _ = writeln!(o, "\n*{}*", escape(c.partly_note));
    }
    let _ = writeln!(o, "\n### Red flags\n");
    if c.red_flags.is_empty() {
        let _ = writeln!(o, "{}", escape(c.no_red_flags));
    }
    for flag in &c.red_flags {
        let _ = writeln!(o, "- **{}**: {}", escape(&flag.name), escape(&flag.advice));
        for ev in &flag.evidence {
            let _ = writeln!(
                o,
                "  -{}: \"{}\"",
                ev.at.as_ref().map_or(String::new(), |t| format!(" at {t}")),
                escape(&ev.text)
            );
        }
    }
    let _ = writeln!(o, "\n{}.", escape(&c.pronouns));
    let _ = writeln!(o, "\n{}.", escape(&c.hedges));
    if let Some(r) = &c.repeated {
        let _ = writeln!(o, "\n{}.", escape(r));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<b>*hi*</b> | [x](y)"),
            "\\<b\\>\\*hi\\*\\</b\\> \\| \\[x\\]\\(y\\)"
        );
    }
}
