//! The report printed in a terminal: sections for timing, fillers, content
//! and the next attempt, coloured with `console` when `color` is set (the CLI
//! sets it from `console::colors_enabled()`, which honours `NO_COLOR`,
//! `CLICOLOR` and whether stdout is a terminal).

use std::fmt::Write;

use console::Style;

use super::{
    at, element_lines, filler_list, length_line, no_timing_reason, shorten, span_phrase,
    LOWER_BOUND_NOTE,
};
use crate::analysis::{clock, Analysis, Mode, Status, Verdict};

struct Palette {
    title: Style,
    heading: Style,
    good: Style,
    bad: Style,
    warn: Style,
    dim: Style,
}

impl Palette {
    fn new(color: bool) -> Self {
        let s = |style: Style| style.force_styling(color);
        Self {
            title: s(Style::new().bold()),
            heading: s(Style::new().bold().cyan()),
            good: s(Style::new().green()),
            bad: s(Style::new().red()),
            warn: s(Style::new().yellow()),
            dim: s(Style::new().dim()),
        }
    }

    fn verdict(&self, v: Verdict) -> &Style {
        if v == Verdict::Within {
            &self.good
        } else {
            &self.warn
        }
    }
}

/// Width of the quotes in the content section.
const QUOTE: usize = 72;

/// The report as text, ANSI-coloured when `color`.
pub fn render(a: &Analysis, color: bool) -> String {
    let p = Palette::new(color);
    let mut o = String::new();
    let _ = writeln!(o, "{}", p.title.apply_to(&a.question.text));
    let _ = writeln!(
        o,
        "{}",
        p.dim.apply_to(format!(
            "{} answer to {}, {} words",
            if a.mode == Mode::Spoken {
                "Spoken"
            } else {
                "Typed"
            },
            a.question.id,
            a.length.words
        ))
    );

    let _ = writeln!(o, "\n{}", p.heading.apply_to("TIMING"));
    let _ = writeln!(
        o,
        "  Length       {}",
        p.verdict(a.length.verdict).apply_to(length_line(&a.length))
    );
    if let Some(t) = &a.timing {
        let s = &a.settings.timing;
        let _ = writeln!(o, "  First word   after {:.1} s", t.time_to_first_word);
        let _ = writeln!(
            o,
            "  Pace         {} over {:.1} s of speech (band {:.0}-{:.0})",
            p.verdict(t.pace)
                .apply_to(format!("{:.0} WPM", t.words_per_minute)),
            t.speech_secs,
            s.pace_min_wpm,
            s.pace_max_wpm
        );
        for st in &t.pace_stretches {
            let _ = writeln!(
                o,
                "               {} {}-{} at {:.0} WPM",
                p.warn.apply_to(if st.verdict == Verdict::Above {
                    "fast"
                } else {
                    "slow"
                }),
                clock(st.start),
                clock(st.end),
                st.wpm
            );
        }
        if t.long_pauses.is_empty() {
            let _ = writeln!(o, "  Pauses       none over {:.0} s", s.long_pause_secs);
        } else {
            let list = t
                .long_pauses
                .iter()
                .map(|x| {
                    format!(
                        "{} ({:.1} s, after \"{}\")",
                        clock(x.start),
                        x.secs,
                        x.after
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                o,
                "  Pauses       {} over {:.0} s: {list}",
                p.warn.apply_to(t.long_pauses.len()),
                s.long_pause_secs
            );
        }
    } else {
        let _ = writeln!(o, "  {}", p.dim.apply_to(no_timing_reason(a)));
    }
    let _ = writeln!(
        o,
        "  Time on each element ({})",
        if a.timing.is_some() {
            "of the speaking time"
        } else {
            "of the words"
        }
    );
    let name_width = a
        .content
        .elements
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(0);
    for e in &a.content.elements {
        let filled = (e.share * 20.0).round() as usize;
        let bar = format!("{}{}", "█".repeat(filled), "·".repeat(20 - filled.min(20)));
        let _ = writeln!(
            o,
            "    {:<name_width$}  {} {:>3.0}%",
            e.name,
            if e.covered {
                p.good.apply_to(bar)
            } else {
                p.dim.apply_to(bar)
            },
            e.share * 100.0
        );
    }
    if a.content.unattributed_share > 0.0 {
        let _ = writeln!(
            o,
            "    {}",
            p.dim.apply_to(format!(
                "not matched to an element: {:.0}%",
                a.content.unattributed_share * 100.0
            ))
        );
    }

    let f = &a.fillers;
    let _ = writeln!(
        o,
        "\n{}{}",
        p.heading.apply_to("FILLERS"),
        if f.count_is_lower_bound {
            p.dim.apply_to(format!(" ({LOWER_BOUND_NOTE})")).to_string()
        } else {
            String::new()
        }
    );
    let rate = f
        .per_minute
        .map_or(String::new(), |r| format!(", {r:.1} a minute"));
    let count_style = if f.total == 0 { &p.good } else { &p.warn };
    let _ = writeln!(
        o,
        "  {}{rate}, {:.1}% of the words{}",
        count_style.apply_to(format!(
            "{} filler{}",
            f.total,
            if f.total == 1 { "" } else { "s" }
        )),
        f.percent_of_words,
        if f.total > 0 {
            format!(": {}", filler_list(a))
        } else {
            String::new()
        }
    );
    for c in &f.clusters {
        let _ = writeln!(
            o,
            "  {} {} fillers close together{} ({})",
            p.warn.apply_to("burst:"),
            c.count,
            span_phrase(c.start, c.end),
            c.fillers.join(", ")
        );
    }

    let _ = writeln!(o, "\n{}", p.heading.apply_to("CONTENT"));
    for e in element_lines(a) {
        let quote = |q: &str| {
            p.dim
                .apply_to(format!("\"{}\"", shorten(q, QUOTE)))
                .to_string()
        };
        let (mark, note) = match e.status {
            Status::Covered => (
                p.good.apply_to("✓").to_string(),
                e.quote.map(quote).unwrap_or_default(),
            ),
            Status::Partly => (
                p.warn.apply_to("~").to_string(),
                format!(
                    "{} {}",
                    p.warn.apply_to("partly:"),
                    e.quote.map(quote).unwrap_or_default()
                ),
            ),
            Status::Missing => (
                p.bad.apply_to("✗").to_string(),
                p.bad.apply_to("missing").to_string(),
            ),
        };
        let when = if e.status == Status::Missing {
            String::new()
        } else {
            at(e.start)
        };
        let _ = writeln!(o, "  {mark} {:<name_width$}  {when:>5}  {note}", e.name);
    }
    let fired: Vec<_> = a.content.red_flags.iter().filter(|f| f.fired).collect();
    if fired.is_empty() {
        let _ = writeln!(o, "  Red flags: {}", p.good.apply_to("none"));
    } else {
        let _ = writeln!(o, "  Red flags:");
        for flag in fired {
            let _ = writeln!(
                o,
                "  {} {}",
                p.bad.apply_to("!"),
                p.bad.apply_to(&flag.name)
            );
            for ev in &flag.evidence {
                let _ = writeln!(
                    o,
                    "    {:>5}  {}",
                    at(ev.start),
                    p.dim.apply_to(format!("\"{}\"", shorten(&ev.quote, QUOTE)))
                );
            }
        }
    }
    let pr = &a.content.pronouns;
    let _ = writeln!(
        o,
        "  \"I\" {}, \"we\" {}{}",
        crate::report::times(pr.i),
        crate::report::times(pr.we),
        pr.i_share
            .map_or(String::new(), |s| format!(" ({:.0}% \"I\")", s * 100.0))
    );
    let h = &a.content.hedges;
    if h.total == 0 {
        let _ = writeln!(o, "  Hedges: none");
    } else {
        let list = h
            .by_hedge
            .iter()
            .map(|c| format!("\"{}\" ×{}", c.text, c.count))
            .collect::<Vec<_>>()
            .join(", ");
        let style = if h.repeated { &p.warn } else { &p.dim };
        let _ = writeln!(o, "  Hedges: {}", style.apply_to(list));
    }
    if !a.content.repeated_words.is_empty() {
        let list = a
            .content
            .repeated_words
            .iter()
            .map(|c| format!("{} ×{}", c.text, c.count))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(o, "  Most repeated: {list}");
    }

    let _ = writeln!(o, "\n{}", p.heading.apply_to("NEXT ATTEMPT"));
    if a.next_attempt.is_empty() {
        let _ = writeln!(
            o,
            "  {}",
            p.good.apply_to(
                "nothing stands out: every element is there and the delivery is in range"
            )
        );
    }
    for (i, step) in a.next_attempt.iter().enumerate() {
        let _ = writeln!(o, "  {}. {}", i + 1, step.text);
    }
    o
}
