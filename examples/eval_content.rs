//! Measures the content judges on the labelled development set
//! (tests/fixtures/content-dev): per-element and per-flag precision, recall
//! and F1 of the keyword judge and the semantic judge side by side, for the
//! `tune` and `test` splits, and the time to analyse one typed answer.
//!
//! `cargo run --release --example eval_content -- [--models-dir DIR]
//! [--dev-set DIR] [--bank-dir DIR] [--tune] [--rows]`: `--tune` searches the thresholds on
//! the tune split only and prints the best; `--rows` prints every element
//! and flag, not only the totals.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use rehearse::analysis::dev_set::{self as content_dev, DevAnswer};
use rehearse::analysis::judge::JudgeSettings;
use rehearse::analysis::{analyze_with, AnalysisSettings, AnswerInput, SemanticJudge, Status};
use rehearse::embed::Embedder;

#[derive(Default, Clone, Copy)]
struct Tally {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Tally {
    fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            _ => {}
        }
    }
    fn prf(&self) -> (f64, f64, f64) {
        let p = if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        };
        let r = if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        };
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        (p, r, f)
    }
    fn plus(&mut self, o: &Tally) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

/// Per row ("question/element" or "question/!flag"): keyword and semantic tallies.
type Rows = BTreeMap<String, (Tally, Tally)>;

struct Scores {
    elements: (Tally, Tally),
    flags: (Tally, Tally),
    rows: Rows,
    partly_labels: usize,
}

fn evaluate(
    catalog: &rehearse::bank::Catalog,
    answers: &[&DevAnswer],
    judge: &SemanticJudge,
) -> anyhow::Result<Scores> {
    let settings = AnalysisSettings::default();
    let mut rows = Rows::new();
    let mut partly_labels = 0;
    for a in answers {
        let q = catalog
            .question(&a.question)
            .with_context(|| format!("{}: no question {:?}", a.id, a.question))?;
        let input = AnswerInput::Typed {
            text: a.text.clone(),
        };
        let kw = analyze_with(q, &input, &settings, None)?;
        let se = analyze_with(q, &input, &settings, Some(judge))?;
        for (k, s) in kw.content.elements.iter().zip(&se.content.elements) {
            if a.partly.contains(&k.id) {
                partly_labels += 1;
                continue;
            }
            let actual = a.covered.contains(&k.id);
            let row = rows.entry(format!("{}/{}", a.question, k.id)).or_default();
            row.0.add(k.covered, actual);
            row.1.add(s.status == Status::Covered, actual);
        }
        for (k, s) in kw.content.red_flags.iter().zip(&se.content.red_flags) {
            let actual = a.fired.contains(&k.id);
            let row = rows.entry(format!("{}/!{}", a.question, k.id)).or_default();
            row.0.add(k.fired, actual);
            row.1.add(s.fired, actual);
        }
    }
    let mut elements = (Tally::default(), Tally::default());
    let mut flags = (Tally::default(), Tally::default());
    for (key, (k, s)) in &rows {
        let target = if key.contains("/!") {
            &mut flags
        } else {
            &mut elements
        };
        target.0.plus(k);
        target.1.plus(s);
    }
    Ok(Scores {
        elements,
        flags,
        rows,
        partly_labels,
    })
}

fn show(name: &str, scores: &Scores, rows: bool) {
    let line = |label: &str, (k, s): &(Tally, Tally)| {
        let (kp, kr, kf) = k.prf();
        let (sp, sr, sf) = s.prf();
        println!(
            "  {label:<44} keywords P {kp:.2} R {kr:.2} F1 {kf:.2}   semantic P {sp:.2} R {sr:.2} F1 {sf:.2}   (n+ {})",
            s.tp + s.fn_
        );
    };
    println!("== {name} ==");
    if rows {
        for (key, row) in &scores.rows {
            line(key, row);
        }
    }
    line("ALL ELEMENTS (micro)", &scores.elements);
    line("ALL RED FLAGS (micro)", &scores.flags);
    println!(
        "  ({} element labels marked partly are left out of the scores)",
        scores.partly_labels
    );
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut models_dir = PathBuf::from("models");
    let mut dev_dir = PathBuf::from("tests/fixtures/content-dev");
    let mut tune = false;
    let mut rows = false;
    let mut bank_dir: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--models-dir" => models_dir = args.next().context("--models-dir DIR")?.into(),
            "--dev-set" => dev_dir = args.next().context("--dev-set DIR")?.into(),
            "--tune" => tune = true,
            "--rows" => rows = true,
            "--bank-dir" => bank_dir = Some(args.next().context("--bank-dir DIR")?.into()),
            other => anyhow::bail!("unknown argument {other:?}"),
        }
    }
    let catalog = match &bank_dir {
        Some(dir) => rehearse::bank::load_catalog(Some(dir))?,
        None => rehearse::bank::bundled()?,
    };
    let answers = content_dev::load(&dev_dir)?;
    let t = Instant::now();
    let embedder = Arc::new(Embedder::load_from_models_dir(&models_dir)?);
    println!("embedder loaded in {:.2} s", t.elapsed().as_secs_f64());
    let mut judge = SemanticJudge::new(embedder);
    let tune_set: Vec<&DevAnswer> = answers.iter().filter(|a| a.split == "tune").collect();
    let test_set: Vec<&DevAnswer> = answers.iter().filter(|a| a.split == "test").collect();
    println!(
        "{} answers: {} tune, {} test",
        answers.len(),
        tune_set.len(),
        test_set.len()
    );

    if tune {
        let base = JudgeSettings::default();
        let mut best_e = (0.0, base);
        for cover in (20..=60).step_by(2).map(|x| x as f32 / 100.0) {
            for second_margin in [0.04, 0.08, 0.12] {
                for relative in [0.0, 0.5] {
                    judge.settings = JudgeSettings {
                        cover: cover * (1.0 - relative * 0.6),
                        partly: (cover - 0.1) * (1.0 - relative * 0.6),
                        second_margin,
                        relative,
                        ..base
                    };
                    let s = evaluate(&catalog, &tune_set, &judge)?;
                    let f = s.elements.1.prf().2;
                    if second_margin == 0.08 && relative == 0.0 {
                        let (p, r, _) = s.elements.1.prf();
                        println!("  tune: cover {cover:.2}: element P {p:.2} R {r:.2} F1 {f:.3}");
                    }
                    if f > best_e.0 {
                        best_e = (f, judge.settings);
                    }
                }
            }
        }
        let mut best_f = (0.0, best_e.1);
        for fire in (36..=86).step_by(2).map(|x| x as f32 / 100.0) {
            judge.settings = JudgeSettings {
                fire,
                unclear: fire - 0.1,
                ..best_e.1
            };
            let s = evaluate(&catalog, &tune_set, &judge)?;
            let f = s.flags.1.prf().2;
            if f > best_f.0 {
                best_f = (f, judge.settings);
            }
        }
        println!(
            "best on tune: cover {:.3}, partly {:.3}, second margin {:.2}, relative {:.1} (element F1 {:.3}), fire {:.2} (flag F1 {:.3})",
            best_e.1.cover, best_e.1.partly, best_e.1.second_margin, best_e.1.relative, best_e.0, best_f.1.fire, best_f.0
        );
        judge.settings = best_f.1;
    }

    show("tune", &evaluate(&catalog, &tune_set, &judge)?, rows);
    show("test", &evaluate(&catalog, &test_set, &judge)?, rows);

    // Time to analyse one typed answer with everything loaded and the
    // question's examples prepared (what a session or a warm CLI pays).
    let fresh = SemanticJudge::new(judge.embedder().clone());
    let mut worst: f64 = 0.0;
    let mut total = 0.0;
    for a in &test_set {
        let q = catalog.question(&a.question).context("question")?;
        fresh.prepare(q)?;
        let t = Instant::now();
        analyze_with(
            q,
            &AnswerInput::Typed {
                text: a.text.clone(),
            },
            &AnalysisSettings::default(),
            Some(&fresh),
        )?;
        let secs = t.elapsed().as_secs_f64();
        worst = worst.max(secs);
        total += secs;
    }
    println!(
        "typed answer analysed (examples prepared): mean {:.0} ms, worst {:.0} ms over {} answers",
        1000.0 * total / test_set.len().max(1) as f64,
        1000.0 * worst,
        test_set.len()
    );
    Ok(())
}
