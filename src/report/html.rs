//! The report as one self-contained HTML page: inline CSS, the timeline
//! chart as inline SVG, the transcript with fillers marked and each sentence
//! tinted by the rubric element it covers. Every piece of text that comes
//! from the answer or a bank is HTML-escaped.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::chart::{element_color, timeline_svg};
use super::{
    element_lines, filler_list, length_line, no_timing_reason, span_phrase, LOWER_BOUND_NOTE,
    PARTLY_NOTE,
};
use crate::analysis::{clock, Analysis, Mode, Status, Verdict};

const CSS: &str = r#"
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fafafa;margin:0}
main{max-width:920px;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#666}.q{font-size:1.2rem;font-style:italic}
.next ol{background:#fff8e1;border-left:4px solid #f0a500;padding:.8rem 1rem .8rem 2.2rem}
table{border-collapse:collapse}td,th{padding:.2rem .8rem .2rem 0;text-align:left;vertical-align:top}
.ok{color:#2a7d2a}.bad{color:#c0392b}.warn{color:#b7791f}
.bar{background:#eee;width:240px;height:.8rem;display:inline-block;vertical-align:middle}
.bar span{display:block;height:100%}
.transcript{background:#fff;padding:1rem;border:1px solid #e3e3e3;line-height:2}
.s.m{background:rgba(var(--c),.16);border-radius:3px}
.s.c{box-shadow:inset 0 -2px rgba(var(--c),.55)}
.s.flag{text-decoration:underline wavy #c0392b}
.t{color:#999;font-size:.75rem;margin-right:.2rem}
mark.filler{background:#ffd8a8;border-radius:3px;padding:0 .1rem}
b.cue{font-weight:650}
.chip{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin:0 .3rem 0 .8rem;vertical-align:middle}
blockquote{margin:.2rem 0 .6rem 1rem;color:#555}
svg{max-width:100%;height:auto;background:#fff;border:1px solid #e3e3e3}
"#;

/// The report as an HTML document.
pub fn render(a: &Analysis) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Feedback: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        text(&a.question.text)
    );
    let _ = writeln!(
        o,
        "<h1>Feedback</h1>\n<p class=\"q\">{}</p>",
        text(&a.question.text)
    );
    let _ = writeln!(
        o,
        "<p class=\"meta\">{} answer to <code>{}</code>, {} words.</p>",
        if a.mode == Mode::Spoken {
            "Spoken"
        } else {
            "Typed"
        },
        text(&a.question.id),
        a.length.words
    );

    let _ = writeln!(o, "<section class=\"next\"><h2>Next attempt</h2>");
    if a.next_attempt.is_empty() {
        let _ = writeln!(o, "<p class=\"ok\">Nothing stands out: every element is there and the delivery is in range.</p>");
    } else {
        let _ = writeln!(o, "<ol>");
        for step in &a.next_attempt {
            let _ = writeln!(o, "<li>{}</li>", text(&step.text));
        }
        let _ = writeln!(o, "</ol>");
    }
    let _ = writeln!(o, "</section>");

    if let Some(svg) = timeline_svg(a) {
        let _ = writeln!(o, "<section><h2>Timeline</h2>\n{svg}\n</section>");
    }

    transcript(a, &mut o);
    timing(a, &mut o);
    fillers(a, &mut o);
    content(a, &mut o);

    let _ = writeln!(o, "</main>\n</body>\n</html>");
    o
}

fn transcript(a: &Analysis, o: &mut String) {
    let _ = writeln!(o, "<section><h2>Transcript</h2>\n<p class=\"meta\">");
    for (i, e) in a.content.elements.iter().enumerate() {
        let (r, g, b) = element_color(i);
        let _ = write!(
            o,
            "<span class=\"chip\" style=\"background:rgb({r},{g},{b})\"></span>{}",
            text(&e.name)
        );
    }
    let _ = writeln!(
        o,
        "<span class=\"chip\" style=\"background:#ffd8a8\"></span>filler</p>\n<p class=\"transcript\">"
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

fn timing(a: &Analysis, o: &mut String) {
    let _ = writeln!(o, "<section><h2>Timing</h2>\n<table>");
    let class = |v: Verdict| if v == Verdict::Within { "ok" } else { "warn" };
    let _ = writeln!(
        o,
        "<tr><th>Length</th><td class=\"{}\">{}</td></tr>",
        class(a.length.verdict),
        text(&length_line(&a.length))
    );
    if let Some(t) = &a.timing {
        let s = &a.settings.timing;
        let _ = writeln!(
            o,
            "<tr><th>First word</th><td>after {:.1} s</td></tr>",
            t.time_to_first_word
        );
        let _ = writeln!(
            o,
            "<tr><th>Pace</th><td><span class=\"{}\">{:.0} WPM</span> over {:.1} s of speech (band {:.0}-{:.0})</td></tr>",
            class(t.pace),
            t.words_per_minute,
            t.speech_secs,
            s.pace_min_wpm,
            s.pace_max_wpm
        );
        for st in &t.pace_stretches {
            let _ = writeln!(
                o,
                "<tr><th>{} stretch</th><td class=\"warn\">{}-{} at {:.0} WPM</td></tr>",
                if st.verdict == Verdict::Above {
                    "Fast"
                } else {
                    "Slow"
                },
                clock(st.start),
                clock(st.end),
                st.wpm
            );
        }
        let pauses = if t.long_pauses.is_empty() {
            "none".to_string()
        } else {
            t.long_pauses
                .iter()
                .map(|p| {
                    format!(
                        "{} ({:.1} s, after &ldquo;{}&rdquo;)",
                        clock(p.start),
                        p.secs,
                        text(&p.after)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            o,
            "<tr><th>Long pauses (over {:.0} s)</th><td>{pauses}</td></tr>",
            s.long_pause_secs
        );
    } else {
        let _ = writeln!(
            o,
            "<tr><th>Timing</th><td>{}</td></tr>",
            no_timing_reason(a)
        );
    }
    let _ = writeln!(o, "</table>\n<h3>Time on each element</h3>\n<table>");
    for (i, e) in a.content.elements.iter().enumerate() {
        let (r, g, b) = element_color(i);
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td><span class=\"bar\"><span style=\"width:{:.1}%;background:rgb({r},{g},{b})\"></span></span></td><td>{:.0}%</td></tr>",
            text(&e.name),
            e.share * 100.0,
            e.share * 100.0
        );
    }
    let _ = writeln!(
        o,
        "<tr><td class=\"meta\">not matched to an element</td><td></td><td>{:.0}%</td></tr>\n</table>\n</section>",
        a.content.unattributed_share * 100.0
    );
}

fn fillers(a: &Analysis, o: &mut String) {
    let f = &a.fillers;
    let _ = writeln!(o, "<section><h2>Fillers</h2>");
    let _ = writeln!(
        o,
        "<p>{} filler{}{}, {:.1}% of the words{}.{}</p>",
        f.total,
        if f.total == 1 { "" } else { "s" },
        f.per_minute
            .map_or(String::new(), |r| format!(", {r:.1} a minute")),
        f.percent_of_words,
        if f.total > 0 {
            format!(": {}", text(&filler_list(a)))
        } else {
            String::new()
        },
        if f.count_is_lower_bound {
            format!(" <span class=\"meta\">The count is {LOWER_BOUND_NOTE}.</span>")
        } else {
            String::new()
        }
    );
    if !f.clusters.is_empty() {
        let _ = writeln!(o, "<ul>");
        for c in &f.clusters {
            let _ = writeln!(
                o,
                "<li class=\"warn\">{} fillers close together{}: {}</li>",
                c.count,
                span_phrase(c.start, c.end),
                text(&c.fillers.join(", "))
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "</section>");
}

fn content(a: &Analysis, o: &mut String) {
    let _ = writeln!(o, "<section><h2>Content</h2>\n<ul>");
    for e in element_lines(a) {
        let when = e
            .start
            .map_or(String::new(), |t| format!(" at {}", clock(t)));
        match e.status {
            Status::Covered => {
                let _ = writeln!(
                    o,
                    "<li><span class=\"ok\">&#10003;</span> <b>{}</b>{when}<blockquote>{}</blockquote></li>",
                    text(e.name),
                    text(e.quote.unwrap_or_default())
                );
            }
            Status::Partly => {
                let _ = writeln!(
                    o,
                    "<li><span class=\"warn\">~</span> <b>{}</b> <span class=\"warn\" title=\"{}\">(partly)</span>{when}: {}<blockquote>{}</blockquote></li>",
                    text(e.name),
                    text(PARTLY_NOTE),
                    text(e.advice),
                    text(e.quote.unwrap_or_default())
                );
            }
            Status::Missing => {
                let _ = writeln!(
                    o,
                    "<li><span class=\"bad\">&#10007;</span> <b>{}</b>: {}</li>",
                    text(e.name),
                    text(e.advice)
                );
            }
        }
    }
    let _ = writeln!(o, "</ul>\n<h3>Red flags</h3>");
    let fired: Vec<_> = a.content.red_flags.iter().filter(|f| f.fired).collect();
    if fired.is_empty() {
        let _ = writeln!(o, "<p class=\"ok\">None fired.</p>");
    } else {
        let _ = writeln!(o, "<ul>");
        for flag in fired {
            let _ = writeln!(
                o,
                "<li><b class=\"bad\">{}</b>: {}",
                text(&flag.name),
                text(&flag.advice)
            );
            for ev in &flag.evidence {
                let _ = writeln!(
                    o,
                    "<blockquote>{}{}</blockquote>",
                    ev.start.map_or(String::new(), |t| format!("{} ", clock(t))),
                    text(&ev.quote)
                );
            }
            let _ = writeln!(o, "</li>");
        }
        let _ = writeln!(o, "</ul>");
    }
    let pr = &a.content.pronouns;
    let _ = writeln!(
        o,
        "<p>&ldquo;I&rdquo; {}, &ldquo;we&rdquo; {}{}.</p>",
        crate::report::times(pr.i),
        crate::report::times(pr.we),
        pr.i_share.map_or(String::new(), |s| format!(
            " ({:.0}% &ldquo;I&rdquo;)",
            s * 100.0
        ))
    );
    let h = &a.content.hedges;
    let hedges = if h.total == 0 {
        "none".to_string()
    } else {
        h.by_hedge
            .iter()
            .map(|c| format!("&ldquo;{}&rdquo; &times;{}", text(&c.text), c.count))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(o, "<p>Hedges: {hedges}.</p>");
    if !a.content.repeated_words.is_empty() {
        let list = a
            .content
            .repeated_words
            .iter()
            .map(|c| format!("{} &times;{}", text(&c.text), c.count))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(o, "<p>Most repeated words: {list}.</p>");
    }
    let _ = writeln!(o, "</section>");
}
