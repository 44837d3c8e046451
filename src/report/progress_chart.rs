//! The progress chart: coverage, fillers per minute and pace across sessions,
//! as a self-contained SVG drawn with plotters.

use plotters::prelude::*;

use crate::history::progress::SessionTrend;

type Series<'a> = (
    &'a str,
    Box<dyn Fn(&SessionTrend) -> Option<f64> + 'a>,
    RGBColor,
);

/// An SVG with one panel per measure, sessions along the x axis.
pub fn svg(trends: &[SessionTrend]) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (720, 540)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let panels = root.split_evenly((3, 1));
        let series: [Series; 3] = [
            (
                "coverage (%)",
                Box::new(|t: &SessionTrend| t.coverage.map(|c| c * 100.0)),
                RGBColor(46, 125, 50),
            ),
            (
                "fillers per minute",
                Box::new(|t: &SessionTrend| t.fillers_per_minute),
                RGBColor(198, 40, 40),
            ),
            (
                "words per minute",
                Box::new(|t: &SessionTrend| t.words_per_minute),
                RGBColor(21, 101, 192),
            ),
        ];
        let n = trends.len().max(1) as f64;
        for (panel, (title, value, color)) in panels.iter().zip(series.iter()) {
            let points: Vec<(f64, f64)> = trends
                .iter()
                .enumerate()
                .filter_map(|(i, t)| value(t).map(|v| (i as f64 + 1.0, v)))
                .collect();
            let max = points.iter().map(|p| p.1).fold(1.0f64, f64::max) * 1.15;
            let Ok(mut chart) = ChartBuilder::on(panel)
                .caption(*title, ("sans-serif", 16))
                .margin(8)
                .x_label_area_size(24)
                .y_label_area_size(44)
                .build_cartesian_2d(0.5..n + 0.5, 0.0..max)
            else {
                continue;
            };
            let _ = chart
                .configure_mesh()
                .x_desc("session")
                .x_labels(trends.len().clamp(1, 12))
                .x_label_formatter(&|x| format!("{x:.0}"))
                .draw();
            let _ = chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)));
            let _ = chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())));
        }
        let _ = root.present();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_point_per_session_with_a_value() {
        let trend = |id: i64, cov: Option<f64>| SessionTrend {
            session_id: id,
            started_at: "2026-11-25T10:00:00Z".into(),
            title: "t".into(),
            answers: 1,
            coverage: cov,
            fillers_per_minute: Some(3.0),
            words_per_minute: Some(140.0),
            within_target: None,
        };
        let svg = svg(&[trend(1, Some(0.5)), trend(2, None), trend(3, Some(1.0))]);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("coverage (%)"));
        // 2 coverage points + 3 filler points + 3 pace points.
        assert_eq!(svg.matches("<circle").count(), 8);
    }
}
