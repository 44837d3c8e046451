//! The progress chart: how each question's coverage, and each session's
//! pace and fillers, went over time, as one self-contained SVG drawn with
//! plotters. Dates run along the x axis; pace and fillers are drawn against
//! their target bands; a follow-up answer is not a point of its own (what it
//! covers counts toward the question it followed, and such points are
//! ringed). A single session gets a day either side so its axis still reads.

use std::collections::BTreeMap;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::chart::element_color;
use crate::analysis::{AdviceSettings, TimingSettings};
use crate::history::progress::{combined_coverage, SessionTrend};
use crate::history::AnswerRecord;

/// Chart size in pixels.
pub const WIDTH: u32 = 820;
pub const HEIGHT: u32 = 760;
/// Width of the legend column right of every panel.
const SIDE: u32 = 230;

/// One main answer's coverage (with its follow-ups), at the day it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct CoveragePoint {
    /// Days since 1970-01-01 (UTC), fractional.
    pub day: f64,
    /// Percent, 0-100.
    pub percent: f64,
    /// A follow-up answer added to what this answer covered.
    pub raised_by_follow_up: bool,
}

/// What the chart draws, in plain numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressData {
    /// Question id and its main answers' coverage, oldest first.
    pub questions: Vec<(String, Vec<CoveragePoint>)>,
    /// Sessions' mean pace: (day, WPM).
    pub pace: Vec<(f64, f64)>,
    /// Sessions' mean fillers a minute: (day, rate).
    pub fillers: Vec<(f64, f64)>,
    /// Target pace band, WPM.
    pub pace_band: (f64, f64),
    /// Fillers a minute above which the report advises.
    pub fillers_max: f64,
}

/// Days since the epoch of an RFC 3339 time.
fn day_of(rfc3339: &str) -> Option<f64> {
    let t = OffsetDateTime::parse(rfc3339, &Rfc3339).ok()?;
    Some(t.unix_timestamp() as f64 / 86_400.0)
}

impl ProgressData {
    /// The chart's data from the session trends and every stored answer
    /// (follow-up answers counted toward the answer they followed).
    pub fn from_history(trends: &[SessionTrend], answers: &[AnswerRecord]) -> Self {
        let mut questions: BTreeMap<&str, Vec<CoveragePoint>> = BTreeMap::new();
        for a in answers.iter().filter(|a| a.is_main()) {
            let (Some(day), Some(combined)) =
                (day_of(&a.recorded_at), combined_coverage(a, answers))
            else {
                continue;
            };
            questions
                .entry(a.question_id.as_str())
                .or_default()
                .push(CoveragePoint {
                    day,
                    percent: combined * 100.0,
                    raised_by_follow_up: a.coverage.is_some_and(|own| combined > own + 1e-9),
                });
        }
        let mut questions: Vec<(String, Vec<CoveragePoint>)> = questions
            .into_iter()
            .map(|(id, mut points)| {
                points.sort_by(|a, b| a.day.total_cmp(&b.day));
                (id.to_string(), points)
            })
            .collect();
        // The most recently practised questions first (they get the legend's top).
        questions.sort_by(|a, b| {
            let last = |p: &[CoveragePoint]| p.last().map_or(0.0, |p| p.day);
            last(&b.1).total_cmp(&last(&a.1))
        });
        let per_session = |value: fn(&SessionTrend) -> Option<f64>| {
            trends
                .iter()
                .filter_map(|t| Some((day_of(&t.started_at)?, value(t)?)))
                .collect::<Vec<_>>()
        };
        let timing = TimingSettings::default();
        Self {
            questions,
            pace: per_session(|t| t.words_per_minute),
            fillers: per_session(|t| t.fillers_per_minute),
            pace_band: (timing.pace_min_wpm, timing.pace_max_wpm),
            fillers_max: AdviceSettings::default().filler_per_minute_max,
        }
    }

    /// Every point's day.
    fn all_days(&self) -> impl Iterator<Item = f64> + '_ {
        self.questions
            .iter()
            .flat_map(|(_, p)| p.iter().map(|p| p.day))
            .chain(self.pace.iter().map(|p| p.0))
            .chain(self.fillers.iter().map(|p| p.0))
    }

    /// Ticks on the date axis: midnights, a day to a year apart (at most
    /// seven), on the first answer's day and every step from it.
    fn day_ticks(&self, (lo, hi): (f64, f64)) -> Vec<f64> {
        let span = hi - lo;
        let step = [1.0, 2.0, 7.0, 14.0, 28.0, 56.0, 91.0, 182.0, 364.0]
            .into_iter()
            .find(|s| span / s <= 7.0)
            .unwrap_or_else(|| (span / 7.0).ceil());
        let anchor = self.all_days().fold(f64::INFINITY, f64::min);
        let anchor = if anchor.is_finite() {
            anchor.floor()
        } else {
            lo.ceil()
        };
        let first = anchor - ((anchor - lo) / step).floor() * step;
        (0..)
            .map(|k| first + k as f64 * step)
            .take_while(|d| *d <= hi)
            .filter(|d| *d >= lo)
            .collect()
    }

    /// The days shown: every point's, padded so that one session (or
    /// several on one day) still has a readable axis.
    fn day_range(&self) -> (f64, f64) {
        let (lo, hi) = self
            .all_days()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), d| {
                (lo.min(d), hi.max(d))
            });
        if !lo.is_finite() {
            let today = OffsetDateTime::now_utc().unix_timestamp() as f64 / 86_400.0;
            return (today.floor() - 1.0, today.floor() + 2.0);
        }
        let pad = ((hi - lo) * 0.06).max(0.0);
        if hi - lo < 2.0 {
            // Whole days either side: ticks fall on midnights.
            ((lo - 1.0).floor(), (hi + 1.0).ceil())
        } else {
            (lo - pad, hi + pad)
        }
    }
}

/// "Nov 30" at midnight, "Nov 30 12:00" otherwise.
fn date_label(day: f64) -> String {
    let secs = (day * 86_400.0).round() as i64;
    let Ok(t) = OffsetDateTime::from_unix_timestamp(secs) else {
        return String::new();
    };
    let month = &t.month().to_string()[..3];
    if t.hour() == 0 && t.minute() == 0 {
        format!("{month} {}", t.day())
    } else {
        format!("{month} {} {:02}:{:02}", t.day(), t.hour(), t.minute())
    }
}

/// The chart as an SVG document.
pub fn svg(trends: &[SessionTrend], answers: &[AnswerRecord]) -> String {
    svg_of(&ProgressData::from_history(trends, answers))
}

/// `data` drawn as an SVG document.
pub fn svg_of(data: &ProgressData) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        let _ = draw(data, &root);
        let _ = root.present();
    }
    out
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Fallible = Result<(), Box<dyn std::error::Error>>;

const GRID: RGBAColor = RGBAColor(0, 0, 0, 0.07);
const TEXT: RGBColor = RGBColor(60, 60, 60);
const PACE: RGBColor = RGBColor(21, 101, 192);
const FILLER: RGBColor = RGBColor(198, 40, 40);
const BAND: RGBColor = RGBColor(44, 160, 44);

fn draw(data: &ProgressData, root: &Area) -> Fallible {
    root.fill(&WHITE)?;
    let (coverage, rest) = root.split_vertically(HEIGHT * 46 / 100);
    let (pace, fillers) = rest.split_vertically((HEIGHT - HEIGHT * 46 / 100) / 2);
    let days = data.day_range();
    let ticks = data.day_ticks(days);
    coverage_panel(root, data, days, &ticks, &coverage)?;
    band_panel(
        root,
        &pace,
        days,
        &ticks,
        "Pace (session mean)",
        "words per minute",
        &data.pace,
        PACE,
        data.pace_band,
        &format!("target {:.0}-{:.0} WPM", data.pace_band.0, data.pace_band.1),
    )?;
    band_panel(
        root,
        &fillers,
        days,
        &ticks,
        "Fillers (session mean)",
        "a minute",
        &data.fillers,
        FILLER,
        (0.0, data.fillers_max),
        &format!("target: under {:.0} a minute", data.fillers_max),
    )?;
    Ok(())
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The date axis: a light grid line and a date under the plot at each tick
/// (drawn here, as plotters puts its own ticks at round numbers of days).
/// The value axis every panel shares: `labels` ticks written by `format`,
/// horizontal grid lines only, `desc` beside it (dates come from [`date_axis`]).
fn value_axis(
    chart: &mut Chart,
    labels: usize,
    format: &dyn Fn(&f64) -> String,
    desc: &str,
) -> Fallible {
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .max_light_lines(0)
        .axis_style(BLACK.mix(0.4))
        .label_style(("sans-serif", 15).into_font().color(&TEXT))
        .axis_desc_style(("sans-serif", 15).into_font().color(&TEXT))
        .y_labels(labels)
        .y_label_formatter(format)
        .disable_x_mesh()
        .x_labels(0)
        .y_desc(desc)
        .draw()?;
    Ok(())
}

fn date_axis(chart: &mut Chart, root: &Area, ticks: &[f64], (y0, y1): (f64, f64)) -> Fallible {
    chart.draw_series(
        ticks
            .iter()
            .map(|&d| PathElement::new([(d, y0), (d, y1)], GRID)),
    )?;
    let style = ("sans-serif", 15)
        .into_font()
        .color(&TEXT)
        .pos(Pos::new(HPos::Center, VPos::Top));
    // Daily ticks: each date sits under the middle of its day.
    let daily = ticks.windows(2).all(|w| w[1] - w[0] <= 1.0);
    let (lo, hi) = {
        let r = chart.x_range();
        (r.start, r.end)
    };
    for &d in ticks {
        let at = if daily { d + 0.5 } else { d };
        if at < lo || at > hi {
            continue;
        }
        let (x, y) = chart.backend_coord(&(at, y0));
        root.draw_text(&date_label(d), &style, (x, y + 6))?;
    }
    Ok(())
}

/// A legend row: a swatch drawn by `swatch` at (x, y), then `label`.
fn legend_row(
    side: &Area,
    y: i32,
    label: &str,
    swatch: impl FnOnce(&Area, (i32, i32)) -> Fallible,
) -> Fallible {
    swatch(side, (12, y))?;
    side.draw_text(
        label,
        &("sans-serif", 16).into_font().color(&TEXT),
        (36, y - 8),
    )?;
    Ok(())
}

fn coverage_panel(
    root: &Area,
    data: &ProgressData,
    days: (f64, f64),
    ticks: &[f64],
    area: &Area,
) -> Fallible {
    let (plot, side) = area.split_horizontally(WIDTH - SIDE);
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            "Coverage per question",
            ("sans-serif", 20).into_font().color(&TEXT),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(62)
        .build_cartesian_2d(days.0..days.1, -3.0..106.0)?;
    value_axis(
        &mut chart,
        6,
        &|y| format!("{y:.0}%"),
        "rubric elements covered",
    )?;
    date_axis(&mut chart, root, ticks, (-3.0, 106.0))?;
    for (i, (_, points)) in data.questions.iter().enumerate() {
        let (r, g, b) = element_color(i);
        let color = RGBColor(r, g, b);
        let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.day, p.percent)).collect();
        chart.draw_series(LineSeries::new(xy.clone(), color.stroke_width(2)))?;
        chart.draw_series(xy.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
        chart.draw_series(
            points
                .iter()
                .filter(|p| p.raised_by_follow_up)
                .map(|p| Circle::new((p.day, p.percent), 8, color.stroke_width(2))),
        )?;
    }

    let mut y = 44;
    let shown = data.questions.len().min(9);
    for (i, (id, _)) in data.questions.iter().take(shown).enumerate() {
        let (r, g, b) = element_color(i);
        let color = RGBColor(r, g, b);
        legend_row(&side, y, id, |s, (x, y)| {
            s.draw(&PathElement::new(
                [(x, y), (x + 18, y)],
                color.stroke_width(2),
            ))?;
            s.draw(&Circle::new((x + 9, y), 4, color.filled()))?;
            Ok(())
        })?;
        y += 20;
    }
    if data.questions.len() > shown {
        legend_row(
            &side,
            y,
            &format!("and {} more", data.questions.len() - shown),
            |_, _| Ok(()),
        )?;
        y += 20;
    }
    if data.questions.is_empty() {
        legend_row(&side, y, "no answers with a rubric yet", |_, _| Ok(()))?;
        y += 20;
    }
    legend_row(&side, y + 6, "with a follow-up's answer", |s, (x, y)| {
        s.draw(&Circle::new((x + 9, y), 7, TEXT.stroke_width(2)))?;
        Ok(())
    })?;
    side.draw_text(
        "(follow-ups are not points",
        &("sans-serif", 15).into_font().color(&TEXT.mix(0.8)),
        (36, y + 20),
    )?;
    side.draw_text(
        "of their own)",
        &("sans-serif", 15).into_font().color(&TEXT.mix(0.8)),
        (36, y + 34),
    )?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn band_panel(
    root: &Area,
    area: &Area,
    days: (f64, f64),
    ticks: &[f64],
    title: &str,
    unit: &str,
    points: &[(f64, f64)],
    color: RGBColor,
    band: (f64, f64),
    band_label: &str,
) -> Fallible {
    let (plot, side) = area.split_horizontally(WIDTH - SIDE);
    let top = points.iter().map(|p| p.1).fold(band.1, f64::max).max(1.0) * 1.2;
    let mut chart = ChartBuilder::on(&plot)
        .caption(title, ("sans-serif", 18).into_font().color(&TEXT))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(62)
        .build_cartesian_2d(days.0..days.1, 0.0..top)?;
    value_axis(&mut chart, 5, &|y| format!("{y:.0}"), unit)?;
    date_axis(&mut chart, root, ticks, (0.0, top))?;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(days.0, band.0), (days.1, band.1)],
        BAND.mix(0.14).filled(),
    )))?;
    chart.draw_series(LineSeries::new(points.to_vec(), color.stroke_width(2)))?;
    chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))?;

    legend_row(&side, 44, band_label, |s, (x, y)| {
        s.draw(&Rectangle::new(
            [(x, y - 6), (x + 18, y + 6)],
            BAND.mix(0.3).filled(),
        ))?;
        Ok(())
    })?;
    let series = if points.is_empty() {
        "no timed answers yet".to_string()
    } else {
        "session mean".to_string()
    };
    legend_row(&side, 66, &series, |s, (x, y)| {
        if points.is_empty() {
            return Ok(());
        }
        s.draw(&PathElement::new(
            [(x, y), (x + 18, y)],
            color.stroke_width(2),
        ))?;
        s.draw(&Circle::new((x + 9, y), 4, color.filled()))?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trend(id: i64, day: &str, fillers: Option<f64>, wpm: Option<f64>) -> SessionTrend {
        SessionTrend {
            session_id: id,
            started_at: format!("{day}T10:00:00Z"),
            title: "t".into(),
            answers: 1,
            coverage: None,
            fillers_per_minute: fillers,
            words_per_minute: wpm,
            within_target: None,
        }
    }

    fn answer(
        id: i64,
        session: i64,
        question: &str,
        day: &str,
        covered: &[(&str, bool)],
        follow_up_of: Option<i64>,
    ) -> AnswerRecord {
        let elements: Vec<_> = covered
            .iter()
            .map(|(id, c)| serde_json::json!({"id": id, "covered": c}))
            .collect();
        let share = covered.iter().filter(|c| c.1).count() as f64 / covered.len() as f64;
        AnswerRecord {
            id,
            session_id: session,
            position: 1,
            attempt: 1,
            question_id: question.into(),
            question_text: question.into(),
            follow_up_of,
            follow_up_id: follow_up_of.map(|_| "prevention".to_string()),
            recorded_at: format!("{day}T10:05:00Z"),
            recording: None,
            recording_sha256: None,
            duration_secs: None,
            ended_by: None,
            time_to_first_speech: None,
            transcript_text: String::new(),
            transcript: None,
            analysis: Some(serde_json::json!({"content": {"elements": elements}})),
            coverage: Some(share),
            fillers_per_minute: None,
            words_per_minute: None,
            target_secs: None,
        }
    }

    fn history() -> (Vec<SessionTrend>, Vec<AnswerRecord>) {
        let trends = vec![
            trend(1, "2026-11-02", Some(7.5), Some(120.0)),
            trend(2, "2026-11-09", Some(4.0), None),
            trend(3, "2026-11-20", Some(2.0), Some(150.0)),
        ];
        let answers = vec![
            answer(
                1,
                1,
                "mistake",
                "2026-11-02",
                &[("a", true), ("b", false)],
                None,
            ),
            answer(
                2,
                1,
                "weakness",
                "2026-11-02",
                &[("a", false), ("b", false)],
                None,
            ),
            answer(
                3,
                2,
                "mistake",
                "2026-11-09",
                &[("a", true), ("b", false)],
                None,
            ),
            // The follow-up covers b: the session-2 answer counts as 100 %.
            answer(4, 2, "mistake", "2026-11-09", &[("b", true)], Some(3)),
            answer(
                5,
                3,
                "weakness",
                "2026-11-20",
                &[("a", true), ("b", true)],
                None,
            ),
        ];
        (trends, answers)
    }

    #[test]
    fn coverage_is_per_question_over_time_with_follow_ups_counted_not_plotted() {
        let (trends, answers) = history();
        let data = ProgressData::from_history(&trends, &answers);
        let mistake = &data.questions.iter().find(|q| q.0 == "mistake").unwrap().1;
        let percents: Vec<f64> = mistake.iter().map(|p| p.percent).collect();
        assert_eq!(percents, [50.0, 100.0], "the follow-up is not a point");
        assert!(!mistake[0].raised_by_follow_up && mistake[1].raised_by_follow_up);
        assert!(mistake[1].day - mistake[0].day == 7.0);
        let weakness = &data.questions.iter().find(|q| q.0 == "weakness").unwrap().1;
        assert_eq!(weakness.len(), 2);
        // Most recently practised first.
        assert_eq!(data.questions[0].0, "weakness");
        assert_eq!(data.pace.len(), 2, "session 2 had no pace");
        assert_eq!(data.fillers.len(), 3);
        assert_eq!(data.pace_band, (130.0, 165.0));
    }

    #[test]
    fn the_svg_has_dates_whole_percent_ticks_bands_and_a_legend() {
        let (trends, answers) = history();
        let svg = svg(&trends, &answers);
        assert!(svg.starts_with("<svg"));
        // 4 coverage points + 2 pace + 3 fillers + 5 legend dots, and one
        // ring for the follow-up plus one in the legend.
        assert_eq!(
            svg.matches("<circle").count(),
            4 + 2 + 3 + 2 + 1 + 1 + 2,
            "{svg}"
        );
        for label in [
            "Nov 2", "Nov 9", "Nov 16", "100%", "40%", "0%", "mistake", "weakness",
        ] {
            assert!(
                svg.contains(&format!(">\n{label}\n</text>")),
                "{label} missing"
            );
        }
        assert!(!svg.contains(".5%"), "whole-number percent ticks");
        assert!(svg.contains("target 130-165 WPM"));
        assert!(svg.contains("target: under 6 a minute"));
        assert!(svg.contains("with a follow-up"));
    }

    #[test]
    fn a_single_session_gets_a_readable_axis() {
        let trends = vec![trend(1, "2026-11-30", Some(3.0), Some(140.0))];
        let answers = vec![answer(
            1,
            1,
            "mistake",
            "2026-11-30",
            &[("a", true), ("b", false)],
            None,
        )];
        let data = ProgressData::from_history(&trends, &answers);
        let (lo, hi) = data.day_range();
        assert!(hi - lo >= 2.0, "{lo}..{hi}");
        let svg = svg_of(&data);
        assert!(svg.contains(">\nNov 30\n</text>"), "the day is labelled");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn no_history_still_draws_an_empty_chart() {
        let svg = svg(&[], &[]);
        assert!(svg.contains("no answers with a rubric yet"));
        assert!(!svg.contains("NaN"));
    }
}
