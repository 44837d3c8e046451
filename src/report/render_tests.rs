//! The three text renderers show the same facts from one [`ReportContent`],
//! and only the content builder writes sentences.

use super::content::{build, ReportContent, ReportMeta};
use super::{html, markdown, terminal};
use crate::analysis::{analyze, Analysis, AnalysisSettings, AnswerInput};
use crate::transcribe::{Transcript, Word};

fn question() -> crate::bank::Question {
    crate::bank::bundled()
        .unwrap()
        .question("biggest-mistake")
        .unwrap()
        .clone()
}

/// A spoken answer with fillers, a red flag and a missing element: each
/// sentence's words 0.3 s apart.
fn spoken() -> Analysis {
    let sentences = [
        (
            "Um, my biggest mistake was, like, a missed deadline & a <late> report.",
            0.5,
        ),
        ("It was not my fault, my manager gave us no time.", 5.0),
        ("Um, uh, I learned to plan, you know, earlier.", 10.0),
    ];
    let mut words = Vec::new();
    for (sentence, start) in sentences {
        for (i, w) in sentence.split_whitespace().enumerate() {
            let t = start + 0.3 * i as f64;
            words.push(Word {
                word: w.to_string(),
                start: t,
                end: t + 0.25,
                probability: 0.9,
            });
        }
    }
    let text = words
        .iter()
        .map(|w| w.word.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let input = AnswerInput::spoken(Transcript {
        text,
        duration: 16.0,
        segments: Vec::new(),
        words,
    });
    analyze(&question(), &input, &AnalysisSettings::default())
}

fn typed() -> Analysis {
    analyze(
        &question(),
        &AnswerInput::Typed {
            text: "My biggest mistake was a missed deadline. It was my fault. I learned to plan."
                .into(),
        },
        &AnalysisSettings::default(),
    )
}

struct Rendered {
    content: ReportContent,
    terminal: String,
    markdown: String,
    html: String,
}

fn render(a: &Analysis) -> Rendered {
    Rendered {
        content: build(a, &ReportMeta::default()),
        terminal: terminal::render(a, false),
        markdown: markdown::render(a),
        html: html::render(a),
    }
}

fn h(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

#[test]
fn every_format_shows_each_element_with_its_verdict_on_one_line() {
    for a in [spoken(), typed()] {
        let r = render(&a);
        assert_eq!(r.content.elements.len(), a.content.elements.len());
        for e in &r.content.elements {
            let on_one_line = |doc: &str, name: &str, verdict: bool| {
                doc.lines().any(|l| {
                    l.contains(name) && l.contains(e.mark) && (!verdict || l.contains(e.verdict))
                })
            };
            let needs_word = e.verdict != "covered";
            assert!(
                on_one_line(&r.terminal, &e.name, needs_word),
                "{} {} not in the terminal report:\n{}",
                e.mark,
                e.name,
                r.terminal
            );
            assert!(
                on_one_line(&r.markdown, &markdown::escape(&e.name), true),
                "{} ({}) not in Markdown:\n{}",
                e.name,
                e.verdict,
                r.markdown
            );
            assert!(
                on_one_line(&r.html, &h(&e.name), true),
                "{} ({}) not in HTML",
                e.name,
                e.verdict
            );
        }
    }
}

#[test]
fn every_format_shows_the_same_summary_fillers_timing_and_next_steps() {
    let a = spoken();
    assert!(a.fillers.total >= 4, "the fixture has fillers");
    assert!(!a.content.fired.is_empty(), "the fixture fires a red flag");
    for a in [a, typed()] {
        let r = render(&a);
        let c = &r.content;
        let mut facts = vec![
            c.summary.clone(),
            c.fillers.line.clone(),
            c.pronouns.clone(),
        ];
        facts.extend(c.timing.iter().map(|f| f.value.clone()));
        facts.extend(c.next_steps.iter().cloned());
        facts.extend(c.fillers.bursts.iter().cloned());
        facts.extend(c.red_flags.iter().map(|f| f.name.clone()));
        facts.extend(c.fillers.note.iter().cloned());
        assert!(!c.next_steps.is_empty() || c.all_clear.is_some());
        for fact in facts {
            assert!(r.terminal.contains(&fact), "terminal lacks {fact:?}");
            assert!(
                r.markdown.contains(&markdown::escape(&fact)),
                "Markdown lacks {fact:?}"
            );
            assert!(r.html.contains(&h(&fact)), "HTML lacks {fact:?}");
        }
    }
}

#[test]
fn sentences_are_written_only_by_the_content_builder() {
    let renderers = [
        ("terminal.rs", include_str!("terminal.rs")),
        ("markdown.rs", include_str!("markdown.rs")),
        ("html.rs", include_str!("html.rs")),
    ];
    let builder = include_str!("content.rs");
    for phrase in [
        "fillers close together",
        "of the words",
        "a minute",
        "Nothing stands out",
        "against a target",
        "s of speech",
        "WPM",
        "elements covered",
        "lower bound",
        "not matched to an element",
        "typed answer",
        "none fired",
        "Most repeated",
        "Hedges",
        "Time on each element",
        "\\\"I\\\"",
    ] {
        assert!(builder.contains(phrase), "content.rs writes {phrase:?}");
        for (name, source) in renderers {
            assert!(
                !source.contains(phrase),
                "{name} writes {phrase:?} itself; build it in content.rs"
            );
        }
    }
}

#[test]
fn a_typed_answer_says_its_length_is_an_estimate() {
    let c = build(&typed(), &ReportMeta::default());
    let length = &c.timing[0];
    assert_eq!(length.label, "Length");
    assert!(
        length.value.starts_with("about ") && length.value.contains("an estimate"),
        "{}",
        length.value
    );
    assert!(c.summary.contains("estimated"), "{}", c.summary);
    let spoken = build(&spoken(), &ReportMeta::default());
    assert!(!spoken.timing[0].value.contains("estimate"));
    assert!(!spoken.summary.contains("estimated"));
}

#[test]
fn the_html_report_opens_with_summary_details_and_guidance() {
    let a = spoken();
    let meta = ReportMeta {
        date: Some("2026-11-30T22:41:05Z".into()),
        session: Some("12".into()),
        model: Some("tiny.en".into()),
        recording: Some("answer.wav".into()),
    };
    let c = build(&a, &meta);
    let page = html::render_with(&a, &meta, Some("data:audio/wav;base64,UklGRg=="));
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in the page"))
    };
    // The one-line summary comes before any section.
    assert!(at(&h(&c.summary)) < at("<section"));
    assert!(c.summary.contains("elements covered") && c.summary.contains("WPM"));
    for shown in [
        "2026-11-30 22:41 UTC",
        "Session: 12",
        "whisper tiny.en",
        "answer.wav",
    ] {
        assert!(at(shown) < at("<section"), "{shown}");
    }
    let guidance = a.question.guidance.as_deref().expect("bank guidance");
    assert!(page.contains(&h(&guidance[..40])));
    assert!(page
        .contains("<audio controls preload=\"metadata\" src=\"data:audio/wav;base64,UklGRg==\">"));
    assert!(!html::render(&a).contains("<audio"));
    // Each legend chip sits with its label in one unbreakable unit.
    assert!(page.contains(".key{white-space:nowrap"));
    for e in &c.shares {
        let chip_and_label = format!("></span>{}</span>", h(&e.name));
        assert!(page.contains(&chip_and_label), "{}", e.name);
    }
    let transcript = &page[at("<h2>Transcript</h2>")..];
    let transcript = &transcript[..transcript.find("</section>").unwrap()];
    assert_eq!(
        transcript.matches("<span class=\"key\">").count(),
        c.shares.len() + 1,
        "one key per element and one for fillers"
    );
    // The timeline's legend sits under the chart, not over its marks.
    let timeline = &page[at("<h2>Timeline</h2>")..at("<h2>Transcript</h2>")];
    let svg_end = timeline.find("</svg>").unwrap();
    for label in ["target pace", "long pause", "filler"] {
        assert!(
            !timeline[..svg_end].contains(label),
            "{label} inside the SVG"
        );
        assert!(
            timeline[svg_end..].contains(&format!("></span>{label}</span>")),
            "{label}"
        );
    }
}
