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

/// Writes every sentence's score for every element and flag, with the
/// labels, as JSON lines (for studying decision rules offline).
fn dump_scores(
    catalog: &rehearse::bank::Catalog,
    answers: &[DevAnswer],
    judge: &SemanticJudge,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for a in answers {
        let q = catalog.question(&a.question).context("question")?;
        let text = rehearse::analysis::answer_text(&AnswerInput::Typed {
            text: a.text.clone(),
        });
        let sentences: Vec<String> = text.sentences.iter().map(|s| s.text.clone()).collect();
        let j = judge.judge(q, &sentences)?;
        let rows = |cjs: &[rehearse::analysis::judge::CriterionJudgement], ids: Vec<&String>| {
            cjs.iter()
                .zip(ids)
                .map(|(c, id)| {
                    serde_json::json!({
                        "id": id,
                        "scores": c.scores.iter().map(|s| s.score).collect::<Vec<_>>(),
                        "sims": c.scores.iter().map(|s| s.sim).collect::<Vec<_>>(),
                        "cue": c.scores.iter().map(|s| s.cue.is_some()).collect::<Vec<_>>(),
                        "check": c.scores.iter().map(|s| s.check.unwrap_or("")).collect::<Vec<_>>(),
                    })
                })
                .collect::<Vec<_>>()
        };
        let line = serde_json::json!({
            "id": a.id, "question": a.question, "split": a.split,
            "covered": a.covered, "partly": a.partly, "fired": a.fired,
            "sentences": sentences,
            "background": j.background,
            "hyp": sentences.iter().map(|s| rehearse::analysis::sentence_facts::read(s).hypothetical).collect::<Vec<_>>(),
            "elements": rows(&j.elements, q.rubric.iter().map(|c| &c.id).collect()),
            "flags": rows(&j.flags, q.red_flags.iter().map(|c| &c.id).collect()),
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Prints every false positive and false negative of the semantic judge on
/// `answers`: the sentence it relied on (or its best one), the score, the
/// example it is nearest to, and the sentence's best other element.
fn list_errors(
    catalog: &rehearse::bank::Catalog,
    answers: &[&DevAnswer],
    judge: &SemanticJudge,
) -> anyhow::Result<()> {
    let cut = |s: &str| s.chars().take(110).collect::<String>();
    for a in answers {
        let q = catalog.question(&a.question).context("question")?;
        let input = AnswerInput::Typed {
            text: a.text.clone(),
        };
        let se = analyze_with(q, &input, &AnalysisSettings::default(), Some(judge))?;
        let sentences: Vec<String> = se.answer.sentences.iter().map(|s| s.text.clone()).collect();
        let j = judge.judge(q, &sentences)?;
        let best_sentence = |scores: &[rehearse::analysis::judge::SentenceScore]| {
            (0..scores.len()).max_by(|&x, &y| scores[x].score.total_cmp(&scores[y].score))
        };
        for (e, r) in se.content.elements.iter().enumerate() {
            if a.partly.contains(&r.id) {
                continue;
            }
            let actual = a.covered.contains(&r.id);
            if r.covered == actual {
                continue;
            }
            let cj = &j.elements[e];
            let i = if r.covered {
                cj.best
            } else {
                best_sentence(&cj.scores)
            };
            let Some(i) = i else {
                println!("{} FN {:<14} (no sentence)", a.id, r.id);
                continue;
            };
            let sc = &cj.scores[i];
            let other = (0..q.rubric.len())
                .filter(|&o| o != e)
                .max_by(|&x, &y| {
                    j.elements[x].scores[i]
                        .score
                        .total_cmp(&j.elements[y].scores[i].score)
                })
                .map(|o| format!("{} {:.2}", q.rubric[o].id, j.elements[o].scores[i].score))
                .unwrap_or_default();
            println!(
                "{} {} {:<14} {:.2} [{}] {:?}\n      ~ {:?} check {:?} | other: {}",
                a.id,
                if r.covered { "FP" } else { "FN" },
                r.id,
                sc.score,
                i,
                cut(&sentences[i]),
                sc.nearest.as_deref().map(cut).unwrap_or_default(),
                sc.check,
                other
            );
        }
        for (f, r) in se.content.red_flags.iter().enumerate() {
            let actual = a.fired.contains(&r.id);
            if r.fired == actual {
                continue;
            }
            let cj = &j.flags[f];
            let Some(i) = best_sentence(&cj.scores) else {
                continue;
            };
            let sc = &cj.scores[i];
            println!(
                "{} {} !{:<13} {:.2} [{}] {:?}\n      ~ {:?} check {:?}",
                a.id,
                if r.fired { "FP" } else { "FN" },
                r.id,
                sc.score,
                i,
                cut(&sentences[i]),
                sc.nearest.as_deref().map(cut).unwrap_or_default(),
                sc.check
            );
        }
    }
    Ok(())
}

/// CPU time used by this process so far, all threads (seconds).
fn process_cpu_secs() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0;
    if ok {
        ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
    } else {
        0.0
    }
}

fn main() -> anyhow::Result<()> {
    // As the `rehearse` binary does.
    rehearse::embed::one_thread_per_pass();
    let mut args = std::env::args().skip(1);
    let mut models_dir = PathBuf::from("models");
    let mut dev_dir = PathBuf::from("tests/fixtures/content-dev");
    let mut tune = false;
    let mut rows = false;
    let mut bank_dir: Option<PathBuf> = None;
    let mut errors: Option<String> = None;
    let mut dump: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--models-dir" => models_dir = args.next().context("--models-dir DIR")?.into(),
            "--dev-set" => dev_dir = args.next().context("--dev-set DIR")?.into(),
            "--tune" => tune = true,
            "--rows" => rows = true,
            "--dump" => dump = Some(args.next().context("--dump FILE")?.into()),
            "--errors" => errors = Some(args.next().context("--errors tune|test")?),
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
        // Every setting's F1 on the tune split; then, of those within 0.01
        // of the best (one label or two), the most conservative: the
        // highest `cover`, then the strictest margins.
        let mut tried: Vec<(f64, JudgeSettings)> = Vec::new();
        for cover in (24..=36).step_by(2).map(|x| x as f32 / 100.0) {
            for second_margin in [0.04, 0.08, 0.12, 0.16] {
                for flag_margin in [0.0, 0.05, 0.1, 1.0] {
                    for background_margin in [0.0, 0.05, 0.1, 1.0] {
                        judge.settings = JudgeSettings {
                            cover,
                            partly: cover - 0.06,
                            second_margin,
                            flag_margin,
                            background_margin,
                            relative: 0.0,
                            ..base
                        };
                        let f = evaluate(&catalog, &tune_set, &judge)?.elements.1.prf().2;
                        tried.push((f, judge.settings));
                    }
                }
            }
        }
        let top = tried.iter().map(|t| t.0).fold(0.0, f64::max);
        let strict = |s: &JudgeSettings| {
            (
                -s.cover,
                s.second_margin,
                s.flag_margin,
                s.background_margin,
            )
        };
        let best_e = tried
            .iter()
            .filter(|t| t.0 >= top - 0.01)
            .min_by(|a, b| {
                strict(&a.1)
                    .partial_cmp(&strict(&b.1))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .copied()
            .unwrap_or((0.0, base));
        println!(
            "  tune: best element F1 {top:.3}; chosen (most conservative within 0.01) {:.3}",
            best_e.0
        );
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
        // Then the meaning score at which someone else's failing fires blame:
        // the highest within 0.01 of the best (fewest false alarms).
        let mut by_failing: Vec<(f64, JudgeSettings)> = Vec::new();
        for failing_blame in (20..=60).step_by(5).map(|x| x as f32 / 100.0) {
            judge.settings = JudgeSettings {
                failing_blame,
                ..best_f.1
            };
            let f = evaluate(&catalog, &tune_set, &judge)?.flags.1.prf().2;
            by_failing.push((f, judge.settings));
        }
        let top_failing = by_failing.iter().map(|t| t.0).fold(0.0, f64::max);
        if let Some(chosen) = by_failing
            .iter()
            .filter(|t| t.0 >= top_failing - 0.01)
            .max_by(|a, b| a.1.failing_blame.total_cmp(&b.1.failing_blame))
        {
            best_f = *chosen;
        }
        println!(
            "best on tune: cover {:.3}, partly {:.3}, second margin {:.2}, flag margin {:.2}, background margin {:.2} (element F1 {:.3}), fire {:.2}, failing blame {:.2} (flag F1 {:.3})",
            best_e.1.cover, best_e.1.partly, best_e.1.second_margin, best_e.1.flag_margin, best_e.1.background_margin, best_e.0, best_f.1.fire, best_f.1.failing_blame, best_f.0
        );
        judge.settings = best_f.1;
    }

    if let Some(path) = &dump {
        dump_scores(&catalog, &answers, &judge, path)?;
        return Ok(());
    }
    if let Some(split) = &errors {
        let set = if split == "test" {
            &test_set
        } else {
            &tune_set
        };
        list_errors(&catalog, set, &judge)?;
    }
    show("tune", &evaluate(&catalog, &tune_set, &judge)?, rows);
    show("test", &evaluate(&catalog, &test_set, &judge)?, rows);

    // Time to analyse one typed answer with everything loaded and the
    // question's examples prepared (what a session or a warm CLI pays).
    let fresh = SemanticJudge::new(judge.embedder().clone());
    let mut worst: f64 = 0.0;
    let mut total = 0.0;
    let mut cpu_total = 0.0;
    let mut times = Vec::with_capacity(test_set.len());
    for a in &test_set {
        let q = catalog.question(&a.question).context("question")?;
        fresh.prepare(q)?;
        let t = Instant::now();
        let cpu = process_cpu_secs();
        analyze_with(
            q,
            &AnswerInput::Typed {
                text: a.text.clone(),
            },
            &AnalysisSettings::default(),
            Some(&fresh),
        )?;
        let secs = t.elapsed().as_secs_f64();
        cpu_total += process_cpu_secs() - cpu;
        worst = worst.max(secs);
        total += secs;
        times.push(secs);
    }
    times.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        let at = ((times.len() as f64 - 1.0) * q).round() as usize;
        1000.0 * times.get(at).copied().unwrap_or(0.0)
    };
    println!(
        "typed answer analysed (examples prepared): mean {:.0} ms, median {:.0} ms, 90th percentile {:.0} ms, \
         worst {:.0} ms over {} answers; \
         mean CPU time {:.0} ms (all threads; wall time is inflated when the machine is shared)",
        1000.0 * total / test_set.len().max(1) as f64,
        quantile(0.5),
        quantile(0.9),
        1000.0 * worst,
        test_set.len(),
        1000.0 * cpu_total / test_set.len().max(1) as f64,
    );
    Ok(())
}
