//! The report as Markdown, for keeping or sharing as a file. Text from the
//! answer or the bank is escaped so it cannot turn into markup.

use std::fmt::Write;

use super::{
    at, element_lines, filler_list, length_line, span_phrase, LOWER_BOUND_NOTE, PARTLY_NOTE,
};
use crate::analysis::{clock, Analysis, Mode, Status, Verdict};

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

/// The report as Markdown.
pub fn render(a: &Analysis) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Feedback: {}\n", escape(&a.question.text));
    let _ = writeln!(
        o,
        "{} answer to `{}`, {} words.\n",
        if a.mode == Mode::Spoken {
            "Spoken"
        } else {
            "Typed"
        },
        a.question.id,
        a.length.words
    );

    let _ = writeln!(o, "## Next attempt\n");
    if a.next_attempt.is_empty() {
        let _ = writeln!(
            o,
            "Nothing stands out: every element is there and the delivery is in range."
        );
    }
    for (i, step) in a.next_attempt.iter().enumerate() {
        let _ = writeln!(o, "{}. {}", i + 1, escape(&step.text));
    }

    let _ = writeln!(o, "\n## Timing\n");
    let _ = writeln!(o, "| figure | value |\n| --- | --- |");
    let _ = writeln!(o, "| length | {} |", length_line(&a.length));
    if let Some(t) = &a.timing {
        let s = &a.settings.timing;
        let _ = writeln!(o, "| first word | after {:.1} s |", t.time_to_first_word);
        let _ = writeln!(
            o,
            "| pace | {:.0} WPM over {:.1} s of speech (band {:.0}-{:.0}) |",
            t.words_per_minute, t.speech_secs, s.pace_min_wpm, s.pace_max_wpm
        );
        for st in &t.pace_stretches {
            let _ = writeln!(
                o,
                "| {} stretch | {}-{} at {:.0} WPM |",
                if st.verdict == Verdict::Above {
                    "fast"
                } else {
                    "slow"
                },
                clock(st.start),
                clock(st.end),
                st.wpm
            );
        }
        let _ = writeln!(
            o,
            "| long pauses (over {:.0} s) | {} |",
            s.long_pause_secs,
            if t.long_pauses.is_empty() {
                "none".to_string()
            } else {
                t.long_pauses
                    .iter()
                    .map(|x| {
                        format!(
                            "{} ({:.1} s, after \"{}\")",
                            clock(x.start),
                            x.secs,
                            escape(&x.after)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }

    let _ = writeln!(
        o,
        "\n### Time on each element\n\n| element | covered | share | first covered at |\n| --- | --- | --- | --- |"
    );
    for e in &a.content.elements {
        let _ = writeln!(
            o,
            "| {} | {} | {:.0}% | {} |",
            escape(&e.name),
            if e.covered { "yes" } else { "**no**" },
            e.share * 100.0,
            e.evidence
                .as_ref()
                .map_or("-".to_string(), |ev| at(ev.start))
        );
    }
    let _ = writeln!(
        o,
        "| (not matched to an element) | | {:.0}% | |",
        a.content.unattributed_share * 100.0
    );

    let f = &a.fillers;
    let _ = writeln!(o, "\n## Fillers\n");
    let _ = writeln!(
        o,
        "{} filler{}{}, {:.1}% of the words{}.{}",
        f.total,
        if f.total == 1 { "" } else { "s" },
        f.per_minute
            .map_or(String::new(), |r| format!(", {r:.1} a minute")),
        f.percent_of_words,
        if f.total > 0 {
            format!(": {}", escape(&filler_list(a)))
        } else {
            String::new()
        },
        if f.count_is_lower_bound {
            format!(" The count is {LOWER_BOUND_NOTE}.")
        } else {
            String::new()
        }
    );
    for c in &f.clusters {
        let _ = writeln!(
            o,
            "\n- {} fillers close together{}: {}",
            c.count,
            span_phrase(c.start, c.end),
            escape(&c.fillers.join(", "))
        );
    }

    let _ = writeln!(o, "\n## Content\n");
    for e in element_lines(a) {
        match e.status {
            Status::Covered => {
                let _ = writeln!(
                    o,
                    "- ✓ **{}**{}: \"{}\"",
                    escape(e.name),
                    span_phrase(e.start, None),
                    escape(e.quote.unwrap_or_default())
                );
            }
            Status::Partly => {
                let _ = writeln!(
                    o,
                    "- ~ **{}** (partly){}: \"{}\" ({}). {}",
                    escape(e.name),
                    span_phrase(e.start, None),
                    escape(e.quote.unwrap_or_default()),
                    escape(PARTLY_NOTE),
                    escape(e.advice)
                );
            }
            Status::Missing => {
                let _ = writeln!(o, "- ✗ **{}**: {}", escape(e.name), escape(e.advice));
            }
        }
    }
    let _ = writeln!(o, "\n### Red flags\n");
    let fired: Vec<_> = a.content.red_flags.iter().filter(|f| f.fired).collect();
    if fired.is_empty() {
        let _ = writeln!(o, "None fired.");
    }
    for flag in fired {
        let _ = writeln!(o, "- **{}**: {}", escape(&flag.name), escape(&flag.advice));
        for ev in &flag.evidence {
            let _ = writeln!(
                o,
                "  -{}: \"{}\"",
                span_phrase(ev.start, None),
                escape(&ev.quote)
            );
        }
    }
    let pr = &a.content.pronouns;
    let _ = writeln!(
        o,
        "\n\"I\" {}, \"we\" {}{}.",
        crate::report::times(pr.i),
        crate::report::times(pr.we),
        pr.i_share
            .map_or(String::new(), |s| format!(" ({:.0}% \"I\")", s * 100.0))
    );
    let h = &a.content.hedges;
    let _ = writeln!(
        o,
        "\nHedges: {}.",
        if h.total == 0 {
            "none".to_string()
        } else {
            escape(
                &h.by_hedge
                    .iter()
                    .map(|c| format!("\"{}\" ×{}", c.text, c.count))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
    );
    if !a.content.repeated_words.is_empty() {
        let _ = writeln!(
            o,
            "\nMost repeated words: {}.",
            escape(
                &a.content
                    .repeated_words
                    .iter()
                    .map(|c| format!("{} ×{}", c.text, c.count))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }

    let _ = writeln!(o, "\n## Transcript\n");
    for s in &a.answer.sentences {
        let time = s.start.map_or(String::new(), |t| format!("{} ", clock(t)));
        let _ = writeln!(o, "> {time}{}  ", escape(&s.text));
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
