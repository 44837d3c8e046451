//! The report printed in a terminal: sections for timing, fillers, content
//! and the next attempt, coloured with `console` when `color` is set (the CLI
//! sets it from `console::colors_enabled()`, which honours `NO_COLOR`,
//! `CLICOLOR` and whether stdout is a terminal). It renders a
//! [`ReportContent`] and writes no sentence of its own.

use std::fmt::Write;

use console::Style;

use super::content::{build, ReportContent, ReportMeta, Tone};
use super::shorten;
use crate::analysis::Analysis;

struct Palette {
    title: Style,
    heading: Style,
    good: Style,
    bad: Style,
    warn: Style,
    dim: Style,
    plain: Style,
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
            plain: s(Style::new()),
        }
    }

    fn tone(&self, tone: Tone) -> &Style {
        match tone {
            Tone::Good => &self.good,
            Tone::Warn => &self.warn,
            Tone::Bad => &self.bad,
            Tone::Plain => &self.plain,
        }
    }
}

/// Width of the quotes in the content section.
const QUOTE: usize = 72;

/// The report of `a` as text, ANSI-coloured when `color`.
pub fn render(a: &Analysis, color: bool) -> String {
    render_content(&build(a, &ReportMeta::default()), color)
}

/// `c` as text, ANSI-coloured when `color`.
pub fn render_content(c: &ReportContent, color: bool) -> String {
    let p = Palette::new(color);
    let mut o = String::new();
    let _ = writeln!(o, "{}", p.title.apply_to(&c.title));
    let _ = writeln!(o, "{}", p.dim.apply_to(&c.kind_line));
    let _ = writeln!(o, "{}", c.summary);
    for d in &c.details {
        let _ = writeln!(o, "{}", p.dim.apply_to(format!("{}: {}", d.label, d.value)));
    }

    let _ = writeln!(o, "\n{}", p.heading.apply_to("TIMING"));
    let label_width = c
        .timing
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(0);
    for f in &c.timing {
        let _ = writeln!(
            o,
            "  {:<label_width$}  {}",
            f.label,
            p.tone(f.tone).apply_to(&f.value)
        );
    }
    let _ = writeln!(o, "  {}", c.shares_heading);
    let name_width = c
        .shares
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(0);
    for e in &c.shares {
        let filled = ((e.share * 20.0).round() as usize).min(20);
        let bar = format!("{}{}", "█".repeat(filled), "·".repeat(20 - filled));
        let style = if e.covered { &p.good } else { &p.dim };
        let _ = writeln!(
            o,
            "    {:<name_width$}  {} {:>4}",
            e.name,
            style.apply_to(bar),
            e.percent
        );
    }
    let _ = writeln!(
        o,
        "    {}",
        p.dim
            .apply_to(format!("{}: {}", c.unattributed_label, c.unattributed))
    );

    let f = &c.fillers;
    let _ = writeln!(o, "\n{}", p.heading.apply_to("FILLERS"));
    let _ = writeln!(o, "  {}", p.tone(f.tone).apply_to(&f.line));
    if let Some(note) = &f.note {
        let _ = writeln!(o, "  {}", p.dim.apply_to(note));
    }
    for burst in &f.bursts {
        let _ = writeln!(o, "  {}", p.warn.apply_to(burst));
    }

    let _ = writeln!(o, "\n{}", p.heading.apply_to("CONTENT"));
    let element_width = c
        .elements
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(0);
    for e in &c.elements {
        let quote = e
            .quote
            .as_ref()
            .map(|q| format!("\"{}\"", shorten(q, QUOTE)))
            .unwrap_or_default();
        let note = if e.verdict == "covered" {
            p.dim.apply_to(quote).to_string()
        } else if quote.is_empty() {
            p.tone(e.tone).apply_to(e.verdict).to_string()
        } else {
            format!(
                "{} {}",
                p.tone(e.tone).apply_to(format!("{}:", e.verdict)),
                p.dim.apply_to(quote)
            )
        };
        let _ = writeln!(
            o,
            "  {} {:<element_width$}  {:>5}  {}",
            p.tone(e.tone).apply_to(e.mark),
            e.name,
            e.at.as_deref().unwrap_or(""),
            note.trim_end()
        );
    }
    if c.red_flags.is_empty() {
        let _ = writeln!(o, "  Red flags: {}", p.good.apply_to(c.no_red_flags));
    } else {
        let _ = writeln!(o, "  Red flags:");
        for flag in &c.red_flags {
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
                    ev.at.as_deref().unwrap_or(""),
                    p.dim.apply_to(format!("\"{}\"", shorten(&ev.text, QUOTE)))
                );
            }
        }
    }
    let _ = writeln!(o, "  {}", c.pronouns);
    let _ = writeln!(o, "  {}", p.tone(c.hedges_tone).apply_to(&c.hedges));
    if let Some(r) = &c.repeated {
        let _ = writeln!(o, "  {r}");
    }

    let _ = writeln!(o, "\n{}", p.heading.apply_to(c.next_heading.to_uppercase()));
    if let Some(all_clear) = c.all_clear {
        let _ = writeln!(o, "  {}", p.good.apply_to(all_clear));
    }
    for (i, step) in c.next_steps.iter().enumerate() {
        let _ = writeln!(o, "  {}. {step}", i + 1);
    }
    o
}
