//! The timeline chart of a spoken answer as an inline SVG (drawn with
//! `plotters`): pace over time against the target band, long pauses, filler
//! marks, and a strip showing which rubric element each stretch was counted
//! for. Only numbers and fixed labels are drawn; no answer text goes into it.
//! Its legend is [`LEGEND`], for the page to show beside it (inside the plot
//! it hid the marks under it).

use plotters::prelude::*;

use crate::analysis::{clock, Analysis};

/// Chart size in pixels.
pub const WIDTH: u32 = 880;
pub const HEIGHT: u32 = 300;

/// Colours of rubric elements, by their index in the rubric (cycled).
pub const ELEMENT_COLORS: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (148, 103, 189),
    (140, 86, 75),
    (214, 39, 40),
    (44, 160, 44),
    (23, 190, 207),
    (188, 189, 34),
    (255, 127, 14),
    (227, 119, 194),
    (127, 127, 127),
];

/// What the chart's marks mean, with their CSS colours.
pub const LEGEND: [(&str, &str); 5] = [
    ("rgba(44,160,44,.3)", "target pace"),
    ("rgb(31,119,180)", "pace"),
    ("rgba(214,39,40,.4)", "long pause"),
    ("rgb(255,127,14)", "filler"),
    (
        "linear-gradient(90deg,rgb(31,119,180),rgb(148,103,189),rgb(214,39,40))",
        "top strip: the rubric element being covered",
    ),
];

/// The colour of rubric element number `index`.
pub fn element_color(index: usize) -> (u8, u8, u8) {
    ELEMENT_COLORS[index % ELEMENT_COLORS.len()]
}

/// The SVG document, or `None` for an answer without timing.
pub fn timeline_svg(a: &Analysis) -> Option<String> {
    let timing = a.timing.as_ref()?;
    let mut svg = String::new();
    draw(a, timing, &mut svg).ok()?;
    Some(svg)
}

fn draw(
    a: &Analysis,
    t: &crate::analysis::Timing,
    svg: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let x_max = t.audio_secs.max(t.answer_end).max(1.0);
    let top_wpm = t
        .pace_windows
        .iter()
        .map(|w| w.wpm)
        .fold(a.settings.timing.pace_max_wpm, f64::max);
    let y_max = (top_wpm * 1.15 / 20.0).ceil() * 20.0;
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc("time")
        .y_desc("words per minute")
        .max_light_lines(0)
        .bold_line_style(BLACK.mix(0.07))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 14))
        .x_label_formatter(&|x| clock(*x))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_labels(10)
        .y_labels(6)
        .draw()?;

    // The target band.
    let band = RGBColor(44, 160, 44).mix(0.15).filled();
    chart.draw_series(std::iter::once(Rectangle::new(
        [
            (0.0, a.settings.timing.pace_min_wpm),
            (x_max, a.settings.timing.pace_max_wpm),
        ],
        band,
    )))?;

    // Rubric elements along the top.
    let strip = (y_max * 0.94, y_max);
    let rubric: Vec<&str> = a.content.elements.iter().map(|e| e.id.as_str()).collect();
    for s in &a.answer.sentences {
        let (Some(start), Some(end)) = (s.start, s.end) else {
            continue;
        };
        let n = s.counted_for.len().max(1) as f64;
        for (k, id) in s.counted_for.iter().enumerate() {
            let Some(index) = rubric.iter().position(|r| r == id) else {
                continue;
            };
            let (r, g, b) = element_color(index);
            let h = (strip.1 - strip.0) / n;
            chart.draw_series(std::iter::once(Rectangle::new(
                [
                    (start, strip.0 + h * k as f64),
                    (end, strip.0 + h * (k + 1) as f64),
                ],
                RGBColor(r, g, b).mix(0.8).filled(),
            )))?;
        }
    }

    // Long pauses.
    let pause_style = RGBColor(214, 39, 40).mix(0.2).filled();
    chart.draw_series(
        t.long_pauses
            .iter()
            .map(|p| Rectangle::new([(p.start, 0.0), (p.end, strip.0)], pause_style)),
    )?;

    // Pace, at the middle of each window.
    let pace_color = RGBColor(31, 119, 180);
    let points: Vec<(f64, f64)> = t
        .pace_windows
        .iter()
        .map(|w| ((w.start + w.end) / 2.0, w.wpm))
        .collect();
    chart.draw_series(LineSeries::new(points.clone(), pace_color.stroke_width(2)))?;
    chart.draw_series(
        points
            .iter()
            .map(|&p| Circle::new(p, 3, pace_color.filled())),
    )?;

    // Fillers, as marks along the bottom.
    let filler_color = RGBColor(255, 127, 14);
    chart.draw_series(a.fillers.hits.iter().filter_map(|h| {
        h.start
            .map(|s| TriangleMarker::new((s, y_max * 0.04), 6, filler_color.filled()))
    }))?;

    root.present()?;
    Ok(())
}
