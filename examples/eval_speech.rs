//! Measures transcription on the real human speech clips
//! (`tests/fixtures/real-speech/manifest.yaml`, made by
//! `scripts/fetch-fixtures.sh`) through the `rehearse` binary itself, as a
//! user would run it: `rehearse transcribe CLIP --json` (or `analyze --json`)
//! for every clip, model and prompt setting. Prints per clip: WER, filler
//! recall and precision, hallucinated loops, dropped stretches and, with
//! `--command analyze`, the timing against the hand-measured truth (time to
//! the first word and every pause over 2 s: the largest error, seconds);
//! then pooled figures. Run it with `scripts/eval-speech.sh`.
//!
//! Options: --bin PATH (the rehearse binary), --models-dir DIR,
//! --model NAME (repeat; default tiny.en), --prompt none|filler|both,
//! --command transcribe|analyze, --threads N, --clips ID,ID,
//! --keywords-only (analyze: no embedding model, the content judge is not measured here),
//! --json FILE (every result, for scripts), --rescore FILE (score the texts
//! and word times saved by --json again, without running whisper).

#[path = "../tests/common/real_speech.rs"]
mod real_speech;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context};
use real_speech::{Clip, Kind};
use rehearse::analysis::fillers::FILLER_PROMPT;
use rehearse::transcript_check::{dropped_stretches, repeated_phrases};
use rehearse::wer::{filler_score, normalize_words, word_error_rate, FillerScore};

struct Options {
    bin: PathBuf,
    models_dir: PathBuf,
    models: Vec<String>,
    prompts: Vec<bool>,
    command: String,
    threads: Option<String>,
    clips: Option<Vec<String>>,
    json: Option<PathBuf>,
    rescore: Option<PathBuf>,
    keywords_only: bool,
}

fn parse_args() -> anyhow::Result<Options> {
    let mut o = Options {
        bin: PathBuf::from("target/release/rehearse"),
        models_dir: PathBuf::from("models"),
        models: Vec::new(),
        prompts: vec![false, true],
        command: "transcribe".into(),
        threads: None,
        clips: None,
        json: None,
        rescore: None,
        keywords_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--bin" => o.bin = value()?.into(),
            "--models-dir" => o.models_dir = value()?.into(),
            "--model" => o.models.push(value()?),
            "--prompt" => {
                o.prompts = match value()?.as_str() {
                    "none" => vec![false],
                    "filler" => vec![true],
                    "both" => vec![false, true],
                    other => bail!("--prompt none|filler|both, not {other:?}"),
                }
            }
            "--command" => o.command = value()?,
            "--threads" => o.threads = Some(value()?),
            "--clips" => o.clips = Some(value()?.split(',').map(str::to_string).collect()),
            "--json" => o.json = Some(value()?.into()),
            "--rescore" => o.rescore = Some(value()?.into()),
            "--keywords-only" => o.keywords_only = true,
            "--bench" => {} // cargo passes this to examples run as benches
            other => {
                bail!("unknown option {other:?} (see the doc comment of examples/eval_speech.rs)")
            }
        }
    }
    if o.models.is_empty() {
        o.models.push("tiny.en".into());
    }
    if o.command != "transcribe" && o.command != "analyze" {
        bail!("--command transcribe|analyze, not {:?}", o.command);
    }
    Ok(o)
}

/// What one run gave and how it scores.
struct Scored {
    clip: &'static Clip,
    model: String,
    prompt: bool,
    seconds: f64,
    words: usize,
    reference_words: usize,
    wer: f64,
    fillers: FillerScore,
    loops: Vec<String>,
    dropped: Vec<(f64, f64)>,
    text: String,
    spans: Vec<(f64, f64)>,
    timing: Option<TimingRun>,
    /// Largest timing error against the truth, seconds (None: no timing,
    /// or the pauses found do not pair with the truth's).
    timing_error: Option<f64>,
}

/// What `analyze` measured: time to the first word and the long pauses.
#[derive(Debug, Clone, Default)]
struct TimingRun {
    first_word: f64,
    pauses: Vec<(f64, f64)>,
}

/// Text, word (start, end) spans, seconds taken and the timing of one run.
type Run = (String, Vec<(f64, f64)>, f64, Option<TimingRun>);

/// The largest timing error of `t` against the clip's truth, or None when
/// the pauses found are not as many as the truth's.
fn timing_error(clip: &Clip, t: &TimingRun) -> Option<f64> {
    if t.pauses.len() != clip.pauses.len() {
        return None;
    }
    let mut worst = (t.first_word - clip.first_word).abs();
    for (found, truth) in t.pauses.iter().zip(&clip.pauses) {
        worst = worst
            .max((found.0 - truth.start).abs())
            .max((found.1 - truth.end).abs());
    }
    Some(worst)
}

/// (text, word spans) from `rehearse transcribe --json` or `analyze --json`.
fn run_one(o: &Options, clip: &Clip, model: &str, prompt: bool) -> anyhow::Result<Run> {
    let mut cmd = Command::new(&o.bin);
    cmd.arg("--models-dir").arg(&o.models_dir).arg(&o.command);
    cmd.arg(&clip.wav).args(["--json", "--model", model]);
    if let Some(t) = &o.threads {
        cmd.args(["--threads", t]);
    }
    if o.command == "transcribe" {
        if prompt {
            cmd.args(["--prompt", FILLER_PROMPT]);
        }
    } else {
        // analyze uses the filler prompt unless told not to.
        cmd.args(["-q", "tell-me-about-yourself"]);
        if o.keywords_only {
            cmd.arg("--keywords-only");
        }
        if !prompt {
            cmd.arg("--no-filler-prompt");
        }
    }
    let started = Instant::now();
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("{} did not run", o.bin.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "{} on {}: {}",
            o.command,
            clip.id,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).context("JSON output")?;
    let body = if o.command == "analyze" {
        &json["answer"]
    } else {
        &json
    };
    let text = body["text"].as_str().unwrap_or_default().to_string();
    let words = body["words"]
        .as_array()
        .map(|ws| {
            ws.iter()
                .filter_map(|w| Some((w["start"].as_f64()?, w["end"].as_f64()?)))
                .collect()
        })
        .unwrap_or_default();
    let timing = json["timing"]["time_to_first_word"]
        .as_f64()
        .map(|first_word| TimingRun {
            first_word,
            pauses: json["timing"]["long_pauses"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| Some((p["start"].as_f64()?, p["end"].as_f64()?)))
                        .collect()
                })
                .unwrap_or_default(),
        });
    Ok((text, words, seconds, timing))
}

fn score(
    clip: &'static Clip,
    model: &str,
    prompt: bool,
    (text, spans, seconds, timing): Run,
) -> Scored {
    let loops = repeated_phrases(&clip.reference, &text, 3)
        .into_iter()
        .map(|r| {
            format!(
                "\"{}\" x{} (reference x{})",
                r.phrase, r.in_transcript, r.in_reference
            )
        })
        .collect();
    let dropped = dropped_stretches(
        clip.first_word,
        clip.last_word_end,
        &clip.silence_spans(),
        &spans,
        2.0,
    );
    let timing_error = timing.as_ref().and_then(|t| timing_error(clip, t));
    Scored {
        clip,
        model: model.to_string(),
        prompt,
        seconds,
        words: normalize_words(&text).len(),
        reference_words: normalize_words(&clip.reference).len(),
        wer: word_error_rate(&clip.reference, &text),
        fillers: filler_score(&clip.reference, &text),
        loops,
        dropped,
        text,
        spans,
        timing,
        timing_error,
    }
}

fn pooled(label: &str, rows: &[&Scored]) {
    if rows.is_empty() {
        return;
    }
    let words: usize = rows.iter().map(|r| r.reference_words).sum();
    let errors: f64 = rows.iter().map(|r| r.wer * r.reference_words as f64).sum();
    let mut fillers = FillerScore::default();
    for r in rows {
        fillers.add(r.fillers);
    }
    let loops: usize = rows.iter().map(|r| r.loops.len()).sum();
    let dropped: usize = rows.iter().map(|r| r.dropped.len()).sum();
    let timed: Vec<&&Scored> = rows.iter().filter(|r| r.timing.is_some()).collect();
    let timing = if timed.is_empty() {
        String::new()
    } else {
        let within = timed
            .iter()
            .filter(|r| r.timing_error.is_some_and(|e| e <= 0.25))
            .count();
        let worst = timed
            .iter()
            .filter_map(|r| r.timing_error)
            .fold(0.0, f64::max);
        let unpaired = timed.iter().filter(|r| r.timing_error.is_none()).count();
        format!(
            "  timing within 0.25 s {within}/{} (largest error {worst:.2} s, pauses miscounted {unpaired})",
            timed.len()
        )
    };
    println!(
        "  {label:<34} clips {:>2}  WER {:.3} ({} words)  fillers recall {:.2} precision {:.2} ({}/{} found, {} written)  loops {loops}  dropped {dropped}{timing}",
        rows.len(),
        errors / words.max(1) as f64,
        words,
        fillers.recall(),
        fillers.precision(),
        fillers.matched,
        fillers.reference,
        fillers.hypothesis,
    );
}

fn main() -> anyhow::Result<()> {
    let o = parse_args()?;
    let clips: Vec<&'static Clip> = real_speech::clips()
        .iter()
        .filter(|c| o.clips.as_ref().is_none_or(|ids| ids.contains(&c.id)))
        .collect();
    let saved: Option<Vec<serde_json::Value>> = match &o.rescore {
        Some(path) => Some(serde_json::from_str(
            &std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        )?),
        None => None,
    };
    let mut models = o.models.clone();
    let mut prompts = o.prompts.clone();
    if let Some(rows) = &saved {
        models = rows
            .iter()
            .filter_map(|r| r["model"].as_str().map(str::to_string))
            .collect();
        models.dedup();
        prompts = rows.iter().filter_map(|r| r["prompt"].as_bool()).collect();
        prompts.sort();
        prompts.dedup();
    }
    let mut all: Vec<Scored> = Vec::new();
    for model in &models {
        for &prompt in &prompts {
            println!(
                "\n== {} --model {model} {}",
                o.command,
                if prompt {
                    "with the filler prompt"
                } else {
                    "without a prompt"
                }
            );
            println!(
                "  {:<26} {:>5} {:>6} {:>6} {:>9} {:>5} {:>7} {:>6} {:>7}",
                "clip", "secs", "WER", "words", "fillers", "loops", "dropped", "run s", "timing"
            );
            for clip in &clips {
                let mut saved_dropped = None;
                let run = match &saved {
                    None => run_one(&o, clip, model, prompt)?,
                    Some(rows) => {
                        let Some(row) = rows.iter().find(|r| {
                            r["clip"] == clip.id.as_str()
                                && r["model"] == model.as_str()
                                && r["prompt"] == prompt
                        }) else {
                            continue;
                        };
                        let spans = row["spans"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        saved_dropped = row["dropped"].as_array().map(|a| {
                            a.iter()
                                .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                                .collect::<Vec<_>>()
                        });
                        let timing = row["first_word"].as_f64().map(|first_word| TimingRun {
                            first_word,
                            pauses: row["pauses"]
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                                        .collect()
                                })
                                .unwrap_or_default(),
                        });
                        (
                            row["text"].as_str().unwrap_or_default().to_string(),
                            spans,
                            row["seconds"].as_f64().unwrap_or(0.0),
                            timing,
                        )
                    }
                };
                let no_spans = run.1.is_empty();
                let mut s = score(clip, model, prompt, run);
                if no_spans {
                    // Saved before word times were kept: take the dropped stretches found then.
                    if let Some(d) = saved_dropped {
                        s.dropped = d;
                    }
                }
                let timing = match (&s.timing, s.timing_error) {
                    (None, _) => "-".to_string(),
                    (Some(_), Some(e)) => format!("{e:.2}"),
                    (Some(_), None) => "pauses?".to_string(),
                };
                println!(
                    "  {:<26} {:>5.1} {:>6.3} {:>3}/{:<3} {:>4}/{:<2}({:>2}) {:>5} {:>7} {:>6.2} {timing:>7}",
                    clip.id,
                    clip.duration,
                    s.wer,
                    s.words,
                    s.reference_words,
                    s.fillers.matched,
                    s.fillers.reference,
                    s.fillers.hypothesis,
                    s.loops.len(),
                    s.dropped.len(),
                    s.seconds
                );
                for l in &s.loops {
                    println!("      loop: {l}");
                }
                for (a, b) in &s.dropped {
                    println!("      dropped: {a:.2}-{b:.2} s has no word");
                }
                if let Some(t) = &s.timing {
                    if s.timing_error.is_none_or(|e| e > 0.25) {
                        println!(
                            "      timing: first word {:.2} s (truth {:.2}), pauses {:.2?} (truth {:.2?})",
                            t.first_word,
                            clip.first_word,
                            t.pauses,
                            clip.pause_spans()
                        );
                    }
                }
                all.push(s);
            }
            let here: Vec<&Scored> = all
                .iter()
                .filter(|s| &s.model == model && s.prompt == prompt)
                .collect();
            println!("  pooled:");
            pooled("all", &here);
            pooled(
                "read",
                &here
                    .iter()
                    .copied()
                    .filter(|s| s.clip.kind == Kind::Read)
                    .collect::<Vec<_>>(),
            );
            pooled(
                "spontaneous",
                &here
                    .iter()
                    .copied()
                    .filter(|s| s.clip.kind == Kind::Spontaneous)
                    .collect::<Vec<_>>(),
            );
            pooled(
                "spontaneous, answer-length",
                &here
                    .iter()
                    .copied()
                    .filter(|s| s.clip.kind == Kind::Spontaneous && s.clip.answer_length())
                    .collect::<Vec<_>>(),
            );
            pooled(
                "read, answer-length",
                &here
                    .iter()
                    .copied()
                    .filter(|s| s.clip.kind == Kind::Read && s.clip.answer_length())
                    .collect::<Vec<_>>(),
            );
            pooled(
                "with fillers",
                &here
                    .iter()
                    .copied()
                    .filter(|s| s.clip.filler_count() > 0)
                    .collect::<Vec<_>>(),
            );
        }
    }
    if let Some(path) = &o.json {
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|s| {
                serde_json::json!({
                    "clip": s.clip.id, "kind": format!("{:?}", s.clip.kind).to_lowercase(),
                    "model": s.model, "prompt": s.prompt, "command": o.command,
                    "wer": s.wer, "reference_words": s.reference_words, "words": s.words,
                    "fillers_reference": s.fillers.reference, "fillers_written": s.fillers.hypothesis,
                    "fillers_found": s.fillers.matched, "loops": s.loops,
                    "dropped": s.dropped, "seconds": s.seconds, "text": s.text, "spans": s.spans,
                    "first_word": s.timing.as_ref().map(|t| t.first_word),
                    "pauses": s.timing.as_ref().map(|t| t.pauses.clone()),
                    "timing_error": s.timing_error,
                })
            })
            .collect();
        std::fs::write(path, serde_json::to_string_pretty(&rows)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
