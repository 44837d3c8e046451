//! The report as one self-contained HTML page: inline CSS, the timeline
//! chart as inline SVG, the transcript with fillers marked and each sentence
//! tinted by the rubric element it covers. Every piece of text that comes
//! from the answer or a bank is HTML-escaped.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::chart::{element_color, timeline_svg, LEGEND};
use super::content::{build, ReportContent, ReportMeta, Tone};
use crate::analysis::{clock, Analysis};

const CSS: &str = r#"
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fafafa;margin:0}
main{max-width:920px;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#666}.q{font-size:1.2rem;font-style:italic;margin:.2rem 0}
.summary{font-weight:600;background:#fff;border:1px solid #e3e3e3;border-left:4px solid #2a7d2a;padding:.5rem .8rem;margin:.6rem 0}
.details{color:#555;font-size:.9rem;margin:.3rem 0}.details span{margin-right:1.2rem;display:inline-block;max-width:100%}
.guidance{background:#eef5fb;border-left:4px solid #1f77b4;padding:.5rem .8rem;margin:.6rem 0}
.guidance b{display:block;font-size:.85rem;color:#1f5f8f}
audio{width:100%;margin:.4rem 0}
.next ol{background:#fff8e1;border-left:4px solid #f0a500;padding:.8rem 1rem .8rem 2.2rem}
table{border-collapse:collapse}td,th{padding:.2rem .8rem .2rem 0;text-align:left;vertical-align:top}
.ok{color:#2a7d2a}.bad{color:#c0392b}.warn{color:#b7791f}
.bar{background:#eee;width:240px;height:.8rem;display:inline-block;vertical-align:middle}
.bar span{display:block;height:100%}
.legend{line-height:1.9}
.key{white-space:nowrap;display:inline-block;margin-right:1rem}
.chip{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:middle}
.transcript{background:#fff;padding:1rem;border:1px solid #e3e3e3;line-height:2}
.s.m{background:rgba(var(--c),.16);border-radius:3px}
.s.c{box-shadow:inset 0 -2px rgba(var(--c),.55)}
.s.flag{text-decoration:underline wavy #c0392b}
.t{color:#999;font-size:.75rem;margin-right:.2rem}
mark.filler{background:#ffd8a8;border-radius:3px;padding:0 .1rem}
b.cue{font-weight:650}
.elements li{margin:.3rem 0}.verdict{font-size:.9rem}
blockquote{margin:.2rem 0 .4rem 1rem;color:#555}
svg{max-width:100%;height:auto;background:#fff;border:1px solid #e3e3e3}
"#;

/// CSS class of a tone.
fn class(tone: Tone) -> &'static str {
    match tone {
        Tone::Good => "ok",
        Tone::Warn => "warn",
        Tone::Bad => "bad",
        Tone::Plain => "",
    }
}

/// The report of `a` as an HTML document.
pub fn render(a: &Analysis) -> String {
    render_with(a, &ReportMeta::default(), None)
}

/// The report of `a` as an HTML document, with what `meta` knows of its
/// origin and, when given, the recording embedded as `audio` (a `data:`
/// URI, see [`super::embed_audio`]).
pub fn render_with(a: &Analysis, meta: &ReportMeta, audio: Option<&str>) -> String {
    let c = build(a, meta);
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Feedback: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        text(&c.title)
    );
    header(&c, audio, &mut o);
    next_attempt(&c, &mut o);
    if let Some(svg) = timeline_svg(a) {
        let keys: String = LEGEND
            .iter()
            .map(|(color, label)| key(color, label))
            .collect();
        let _ = writeln!(
            o,
            "<section><h2>Timeline</h2>\n{svg}\n<p class=\"meta legend\">{keys}</p>\n</section>"
        );
    }
    transcript(a, &c, &mut o);
    timing(&c, &mut o);
    fillers(&c, &mut o);
    content(&c, &mut o);
    let _ = writeln!(o, "</main>\n</body>\n</html>");
    o
}

fn header(c: &ReportContent, audio: Option<&str>, o: &mut String) {
    let _ = writeln!(
        o,
        "<header>\n<h1>Feedback</h1>\n<p class=\"q\">{}</p>",
        text(&c.title)
    );
    let _ = writeln!(o, "<p class=\"summary\">{}</p>", text(&c.summary));
    let _ = write!(
        o,
        "<p class=\"details\"><span>{}</span>",
        text(&c.kind_line)
    );
    for d in &c.details {
        let _ = write!(o, "<span>{}: {}</span>", text(&d.label), text(&d.value));
    }
    let _ = writeln!(o, "</p>");
    let _ = writeln!(
        o,
        "<div class=\"guidance\"><b>What a good answer does</b>{}</div>",
        text(&c.guidance)
    );
    if let Some(uri) = audio {
        let _ = writeln!(
            o,
            "<audio controls preload=\"metadata\" src=\"{}\"></audio>",
            attr(uri)
        );
    }
    let _ = writeln!(o, "</header>");
}

fn next_attempt(c: &ReportContent, o: &mut String) {
    let _ = writeln!(o, "<section class=\"next\"><h2>{}</h2>", c.next_heading);
    if let Some(all_clear) = c.all_clear {
        let _ = writeln!(o, "<p class=\"ok\">{}</p>", text(all_clear));
    } else {
        let _ = writeln!(o, "<ol>");
        for step in &c.next_steps {
            let _ = writeln!(o, "<li>{}</li>", text(step));
        }
        let _ = writeln!(o, "</ol>");
    }
    let _ = writeln!(o, "</section>");
}

/// One legend entry: the chip and its label never wrap apart.
fn key(color: &str, label: &str) -> String {
    format!(
        "<span class=\"key\"><span class=\"chip\" style=\"background:{color}\"></span>{}</span>",
        text(label)
    )
}

fn transcript(a: &Analysis, c: &ReportContent, o: &mut String) {
    let _ = writeln!(o, "<section><h2>Transcript</h2>\n<p class=\"meta legend\">");
    for e in &c.shares {
        let (r, g, b) = element_color(e.index);
        let _ = writeln!(o, "{}", key(&format!("rgb({r},{g},{b})"), &e.name));
    }
    let _ = writeln!(
        o,
        "{}</p>\n<p class=\"transcript\">",
        key("#ffd8a8", "filler")
    );
    // Words that matched a cue, to show in bold.
    let mut cue_word = vec![false; a.answer.words.len()];
    for ev in a
        .content
        .elements
        .iter()
        .filter(|e| e.covered)
        .filter_map(|e| e.evidence.as_ref())
        .filter(|ev| !ev.cue.is_empty())
    {
        for flag in cue_word.iter_mut().skip(ev.word).take(ev.words) {
            *flag = true;
        }
    }
    let index_of = |id: &str| a.content.elements.iter().position(|e| e.id == id);
    for s in &a.answer.sentences {
        let shown = s.elements.first().or(s.counted_for.first());
        let mut class = String::from("s");
        let mut style = String::new();
        if let Some(i) = shown.and_then(|id| index_of(id)) {
            let (r, g, b) = element_color(i);
            class.push_str(if s.elements.is_empty() { " c" } else { " m" });
            style = format!(" style=\"--c:{r},{g},{b}\"");
        }
        if !s.red_flags.is_empty() {
            class.push_str(" flag");
        }
        let names = |ids: &[String]| {
            ids.iter()
                .filter_map(|id| a.content.elements.iter().find(|e| &e.id == id))
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut title = Vec::new();
        if !s.elements.is_empty() {
            title.push(format!("covers: {}", names(&s.elements)));
        } else if !s.counted_for.is_empty() {
            title.push(format!("continues: {}", names(&s.counted_for)));
        }
        if !s.red_flags.is_empty() {
            let flags: Vec<&str> = s
                .red_flags
                .iter()
                .filter_map(|id| a.content.red_flags.iter().find(|f| &f.id == id))
                .map(|f| f.name.as_str())
                .collect();
            title.push(format!("red flag: {}", flags.join(", ")));
        }
        let _ = write!(
            o,
            "<span class=\"{class}\"{style} title=\"{}\">",
            attr(&title.join("; "))
        );
        if let Some(t) = s.start {
            let _ = write!(o, "<span class=\"t\">{}</span>", clock(t));
        }
        let range = s.first_word..s.first_word + s.words;
        for (i, (w, &cue)) in a.answer.words[range.clone()]
            .iter()
            .zip(&cue_word[range])
            .enumerate()
        {
            let mut word = text(&w.text).into_owned();
            if cue {
                word = format!("<b class=\"cue\">{word}</b>");
            }
            if w.filler {
                word = format!("<mark class=\"filler\">{word}</mark>");
            }
            let _ = write!(o, "{}{word}", if i > 0 { " " } else { "" });
        }
        let _ = writeln!(o, "</span>");
    }
    let _ = writeln!(o, "</p>\n</section>");
}

fn timing(c: &ReportContent, o: &mut String) {
    let _ = writeln!(o, "<section><h2>Timing</h2>\n<table>");
    for f in &c.timing {
        let _ = writeln!(
            o,
            "<tr><th>{}</th><td class=\"{}\">{}</td></tr>",
            text(&f.label),
            class(f.tone),
            text(&f.value)
        );
    }
    let _ = writeln!(o, "</table>\n<h3>{}</h3>\n<table>", text(&c.shares_heading));
    for e in &c.shares {
        let (r, g, b) = element_color(e.index);
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td><span class=\"bar\"><span style=\"width:{:.1}%;background:rgb({r},{g},{b})\"></span></span></td><td>{}</td></tr>",
            text(&e.name),
            (e.share * 100.0).clamp(0.0, 100.0),
            e.percent
        );
    }
    let _ = writeln!(
        o,
        "<tr><td class=\"meta\">{}</td><td></td><td>{}</td></tr>\n</table>\n</section>",
        c.unattributed_label, c.unattributed
    );
}

fn fillers(c: &ReportContent, o: &mut String) {
    let f = &c.fillers;
    let _ = writeln!(o, "<section><h2>Fillers</h2>");
    let _ = writeln!(
        o,
        "<p><span class=\"{}\">{}</span>.{}</p>",
        class(f.tone),
        text(&f.line),
        f.note.as_ref().map_or(String::new(), |n| format!(
            " <span class=\"meta\">{}</span>",
            text(n)
        ))
    );
    if !f.bursts.is_empty() {
        let _ = writeln!(o, "<ul>");
        for burst in &f.bursts {
            let _ = writeln!(o, "<li class=\"warn\">{}</li>", text(burst));
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "</section>");
}

fn content(c: &ReportContent, o: &mut String) {
    let _ = writeln!(o, "<section><h2>Content</h2>\n<ul class=\"elements\">");
    for e in &c.elements {
        let _ = write!(
            o,
            "<li><span class=\"{}\">{}</span> <b>{}</b> <span class=\"verdict {}\"{}>({})</span>",
            class(e.tone),
            e.mark,
            text(&e.name),
            class(e.tone),
            if e.verdict == "partly" {
                format!(" title=\"{}\"", attr(c.partly_note))
            } else {
                String::new()
            },
            e.verdict
        );
        if let Some(at) = &e.at {
            let _ = write!(o, " at {at}");
        }
        if let Some(advice) = &e.advice {
            let _ = write!(o, ": {}", text(advice));
        }
        if let Some(q) = &e.quote {
            let _ = write!(o, "<blockquote>&ldquo;{}&rdquo;</blockquote>", text(q));
        }
        let _ = writeln!(o, "</li>");
    }
    let _ = writeln!(o, "</ul>");
    if c.elements.iter().any(|e| e.verdict == "partly") {
        let _ = writeln!(o, "<p class=\"meta\">{}</p>", text(c.partly_note));
    }
    let _ = writeln!(o, "<h3>Red flags</h3>");
    if c.red_flags.is_empty() {
        let _ = writeln!(o, "<p class=\"ok\">{}</p>", text(c.no_red_flags));
    } else {
        let _ = writeln!(o, "<ul>");
        for flag in &c.red_flags {
            let _ = writeln!(
                o,
                "<li><b class=\"bad\">{}</b>: {}",
                text(&flag.name),
                text(&flag.advice)
            );
            for ev in &flag.evidence {
                let _ = writeln!(
                    o,
                    "<blockquote>{}&ldquo;{}&rdquo;</blockquote>",
                    ev.at
                        .as_ref()
                        .map_or(String::new(), |t| format!("<span class=\"t\">{t}</span> ")),
                    text(&ev.text)
                );
            }
            let _ = writeln!(o, "</li>");
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "<p>{}.</p>", text(&c.pronouns));
    let _ = writeln!(
        o,
        "<p class=\"{}\">{}.</p>",
        class(c.hedges_tone),
        text(&c.hedges)
    );
    if let Some(r) = &c.repeated {
        let _ = writeln!(o, "<p>{}.</p>", text(r));
    }
    let _ = writeln!(o, "</section>");
}
