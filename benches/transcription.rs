//! Our side of `scripts/bench.sh`: batch transcription time, streaming
//! feedback latency after the end of the answer (the rest of the transcript
//! and the analysis), and peak memory, for one clip per process. Prints one JSON line. Run with no microphone:
//!
//!     cargo bench --bench transcription -- --clip a.wav --mode batch|stream
//!         [--model models/ggml-tiny.en.bin] [--threads 2] [--runs 3] [--pace 1]
//!         [--tail-margin SECS|full] [--session MODELS_DIR] [--settle]
//!         [--end enter|silence|limit]
//!     cargo bench --bench transcription -- --score results.jsonl
//!
//! `--session MODELS_DIR` makes a stream run what a session does: low-latency
//! streaming (blocks taken as final, no 30 s windows), the
//! filler-keeping prompt, and the sentence-embedding content judge loaded from
//! MODELS_DIR (prepared for the question before the answer, as a session
//! does), so the feedback latency includes judging the content and the peak
//! memory includes the embedder. In batch mode it transcribes as a session's
//! pipeline does (the filler prompt; the speech detector is used in both).
//!
//! `--end` says how the streamed answer ends: `enter` (the default: the
//! answer stops right after its last word), `silence` (the recorder hears
//! [`END_SILENCE_SECS`] of quiet after it and only then ends the answer: the
//! latency is from that moment) or `limit` (the time limit cuts it inside a
//! word, [`LIMIT_BEFORE_END_SECS`] before the clip's end).
//!
//! `--score FILE` adds to every JSON line of FILE (`scripts/bench.sh`'s
//! results, any engine) that has a `text` its word error rate against the
//! clip's script (CLIP.txt beside it) as `wer_words`: hesitations ("um",
//! "uh") are left out of both sides, since the peers are not asked to write
//! them and fillers are measured on their own. A cut answer (`end: limit`) is
//! not scored.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use rehearse::analysis::{
    analyze_with, AnalysisSettings, AnswerInput, SemanticJudge, FILLER_PROMPT,
};
use rehearse::audio::{resample, wav};
use rehearse::embed::Embedder;
use rehearse::session::warm::SentenceWarmer;
use rehearse::transcribe::replay::replay_watched;
use rehearse::transcribe::{DecodeOptions, StreamSettings, Transcriber};
use rehearse::wer::{hesitation_label, normalize_words, word_error_rate};

struct Args {
    clip: PathBuf,
    model: PathBuf,
    stream: bool,
    threads: usize,
    runs: usize,
    pace: f64,
    tail_margin: Option<f64>,
    /// Models directory of the content judge's embedder: a session-like run.
    session: Option<PathBuf>,
    /// Each piece waits for the worker (see `replay_with`): the work left at
    /// the end as on a machine that keeps up, whatever the load.
    settle: bool,
    /// How the streamed answer ends.
    end: Ending,
    /// Results file to add word error rates to, instead of a run.
    score: Option<PathBuf>,
}

/// The three ways a spoken answer ends in a session.
#[derive(Clone, Copy, PartialEq)]
enum Ending {
    /// Enter pressed right after the last word.
    Enter,
    /// The recorder heard the end-of-answer silence.
    Silence,
    /// The time limit cut the answer mid-sentence.
    Limit,
}

impl Ending {
    fn name(self) -> &'static str {
        match self {
            Ending::Enter => "enter",
            Ending::Silence => "silence",
            Ending::Limit => "limit",
        }
    }
}

/// Quiet the recorder waits for before it ends an answer, seconds (its
/// default `end_after_silence_secs`).
const END_SILENCE_SECS: f64 = 4.0;
/// Where the time limit cuts the clip: this long before its end, moved on
/// to the next loud moment so the cut falls inside a word.
const LIMIT_BEFORE_END_SECS: f64 = 10.0;

fn parse() -> Result<Args, String> {
    let mut args = Args {
        clip: PathBuf::new(),
        model: PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/ggml-tiny.en.bin"
        )),
        stream: false,
        threads: 2,
        runs: 3,
        pace: 1.0,
        tail_margin: StreamSettings::default().tail_audio_ctx_margin_secs,
        session: None,
        settle: false,
        end: Ending::Enter,
        score: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--bench" {
            continue; // added by `cargo bench`
        }
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<f64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--clip" => args.clip = value()?.into(),
            "--model" => args.model = value()?.into(),
            "--mode" => {
                args.stream = match value()?.as_str() {
                    "batch" => false,
                    "stream" => true,
                    other => return Err(format!("--mode batch|stream, not {other}")),
                }
            }
            "--threads" => args.threads = number(value()?)? as usize,
            "--runs" => args.runs = (number(value()?)? as usize).max(1),
            "--pace" => args.pace = number(value()?)?,
            "--tail-margin" => {
                let v = value()?;
                args.tail_margin = if v == "full" { None } else { Some(number(v)?) };
            }
            "--session" => args.session = Some(value()?.into()),
            "--settle" => args.settle = true,
            "--score" => args.score = Some(value()?.into()),
            "--end" => {
                args.end = match value()?.as_str() {
                    "enter" => Ending::Enter,
                    "silence" => Ending::Silence,
                    "limit" => Ending::Limit,
                    other => return Err(format!("--end enter|silence|limit, not {other}")),
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.clip.as_os_str().is_empty() && args.score.is_none() {
        return Err("--clip FILE.wav is required".into());
    }
    Ok(args)
}

/// A memory figure of this process from /proc/self/status, MiB.
fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The process's peak resident memory so far, MiB (VmHWM).
fn peak_rss_mb() -> f64 {
    status_mb("VmHWM:")
}

/// Resident and peak memory now, MiB, for the stages in the JSON line.
fn rss_stage() -> serde_json::Value {
    serde_json::json!({ "rss": status_mb("VmRSS:"), "peak": peak_rss_mb() })
}

/// The 1-minute load average now (/proc/loadavg): busy times measured
/// under load overstate the work.
fn load1() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The answer as the session's streamer hears it for `end`: with the
/// recorder's end-of-answer silence after it, cut inside a word by the time
/// limit, or as it is.
fn answer_as_ended(pcm: &[f32], end: Ending) -> Vec<f32> {
    const RATE: f64 = 16_000.0;
    match end {
        Ending::Enter => pcm.to_vec(),
        Ending::Silence => {
            let mut out = pcm.to_vec();
            out.resize(pcm.len() + (END_SILENCE_SECS * RATE) as usize, 0.0);
            out
        }
        Ending::Limit => {
            // The first 20 ms frame from the nominal cut on that is louder
            // than the clip's median frame: inside speech.
            let frame = (0.02 * RATE) as usize;
            let rms = |f: &[f32]| (f.iter().map(|x| x * x).sum::<f32>() / f.len() as f32).sqrt();
            let mut levels: Vec<f32> = pcm.chunks(frame).map(rms).collect();
            levels.sort_by(|a, b| a.total_cmp(b));
            let median = levels.get(levels.len() / 2).copied().unwrap_or(0.0);
            let nominal = pcm
                .len()
                .saturating_sub((LIMIT_BEFORE_END_SECS * RATE) as usize);
            let cut = pcm[nominal..]
                .chunks(frame)
                .position(|f| rms(f) > 2.0 * median)
                .map_or(nominal, |i| nominal + i * frame + frame / 2);
            pcm[..cut].to_vec()
        }
    }
}

/// The words of `text` as the word error rate compares them, hesitations
/// left out.
fn words_only(text: &str) -> String {
    normalize_words(text)
        .into_iter()
        .filter(|w| hesitation_label(w).is_none())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Adds `wer_words` (see the module's doc) to every scorable line of the
/// results file at `path`, rewriting it.
fn score(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut out = String::new();
    for line in std::fs::read_to_string(path)?.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let mut record: serde_json::Value = serde_json::from_str(line)?;
        let clip = record["clip"].as_str().map(PathBuf::from);
        let script = clip.and_then(|c| std::fs::read_to_string(c.with_extension("txt")).ok());
        let cut = record["end"].as_str() == Some("limit");
        if let (Some(script), Some(text), false) = (script, record["text"].as_str(), cut) {
            let wer = word_error_rate(&words_only(&script), &words_only(text));
            record["wer_words"] = serde_json::json!(wer);
        }
        out.push_str(&record.to_string());
        out.push('\n');
    }
    std::fs::write(path, out)?;
    Ok(())
}

fn run(args: &Args) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let clip = wav::read_mono(&args.clip)?;
    let pcm = resample::to_whisper_rate(&clip)?;
    let started = Instant::now();
    let model = Arc::new(Transcriber::load(&args.model)?);
    let load_secs = started.elapsed().as_secs_f64();
    let mut stages = serde_json::Map::new();
    stages.insert("whisper_loaded".into(), rss_stage());
    let options = DecodeOptions {
        threads: args.threads,
        // A session's pipeline keeps fillers: the disfluent prompt.
        initial_prompt: args.session.as_ref().map(|_| FILLER_PROMPT.to_string()),
        ..DecodeOptions::default()
    };
    if !args.stream {
        let duration = pcm.len() as f64 / 16_000.0;
        // One untimed run on the first 5 s (as the peers do): buffers
        // allocated, caches warm, as for every answer after a session's first.
        model.transcribe(&pcm[..pcm.len().min(5 * 16_000)], &options)?;
        let mut times = Vec::new();
        let mut text = String::new();
        for _ in 0..args.runs {
            let t0 = Instant::now();
            text = model.transcribe(&pcm, &options)?.text;
            times.push(t0.elapsed().as_secs_f64());
        }
        let median = median(&times);
        return Ok(serde_json::json!({
            "mode": "batch", "clip": args.clip, "duration": duration,
            "session": args.session.is_some(),
            "load_secs": load_secs, "times": times, "median": median,
            "rtf": median / duration, "peak_rss_mb": peak_rss_mb(),
            "text": text,
        }));
    }
    let catalog = rehearse::bank::bundled()?;
    let question = catalog
        .question("biggest-mistake")
        .ok_or("the bundled banks have no biggest-mistake question")?;
    // A session: the filler prompt, and the content judge loaded and
    // prepared for the question before the answer starts.
    let (judge, judge_load_secs) = match &args.session {
        Some(dir) => {
            let t0 = Instant::now();
            let judge = Arc::new(SemanticJudge::new(Arc::new(
                Embedder::load_from_models_dir(dir)?,
            )));
            judge.prepare(question)?;
            // As a session does before its first answer.
            rehearse::analysis::warm_up(question, &AnalysisSettings::default(), Some(&judge))?;
            stages.insert("judge_loaded".into(), rss_stage());
            (Some(judge), Some(t0.elapsed().as_secs_f64()))
        }
        None => (None, None),
    };
    let pcm = answer_as_ended(&pcm, args.end);
    let duration = pcm.len() as f64 / 16_000.0;
    let settings = StreamSettings {
        decode: options.clone(),
        tail_audio_ctx_margin_secs: args.tail_margin,
        // As a session streams (low latency), or closest to batch.
        commit_blocks: judge.is_some(),
    };
    // Feedback = the rest of the transcript plus the analysis of the answer
    // (as for "tell me about your biggest mistake"), timed together.
    let load_before = load1();
    let mut latencies = Vec::new();
    let mut analysis_ms = Vec::new();
    let mut windows = 0;
    let mut at_finish = Vec::new();
    let mut text = String::new();
    for _ in 0..args.runs {
        // Each run judges its answer as a new one: no sentence embedded by
        // the run before counts.
        if let Some(judge) = &judge {
            judge.forget_answers();
        }
        // As a session does: the finished sentences are embedded while the
        // answer goes on, and the warmer is told to stop when it ends.
        let (r, warmer) = replay_watched(
            model.clone(),
            settings.clone(),
            &pcm,
            args.pace,
            args.settle,
            |progress| {
                judge
                    .as_ref()
                    .and_then(|j| SentenceWarmer::start(j.clone(), progress))
            },
        )?;
        at_finish.push(r.at_finish);
        let t0 = Instant::now();
        if let Some(warmer) = warmer {
            warmer.stop();
        }
        let input = AnswerInput::Spoken {
            audio_secs: duration,
            time_to_first_word: r.transcript.words.first().map(|w| w.start),
            transcript: r.transcript,
            speech: r.report.speech,
        };
        let analysis = analyze_with(
            question,
            &input,
            &AnalysisSettings::default(),
            judge.as_deref(),
        )?;
        let analysed = t0.elapsed();
        std::hint::black_box(&analysis);
        latencies.push((r.latency + analysed).as_secs_f64());
        analysis_ms.push(analysed.as_secs_f64() * 1000.0);
        windows = r.windows;
        stages.insert(format!("stream_{}", latencies.len()), rss_stage());
        if let AnswerInput::Spoken { transcript, .. } = input {
            text = transcript.text;
        }
    }
    // Memory while streaming, before the batch run below for the comparison.
    let peak = peak_rss_mb();
    let load_after = load1();
    // The worker's whisper work per run (details by kind in at_finish[].work).
    let works: Vec<_> = at_finish.iter().flatten().map(|f| f.work).collect();
    let busy_ratio: Vec<f64> = works.iter().map(|w| w.busy_ratio).collect();
    let encoded_ratio: Vec<f64> = works.iter().map(|w| w.encoded_ratio).collect();
    let busy_secs: Vec<f64> = works.iter().map(|w| w.total.busy_secs).collect();
    let encoded_secs: Vec<f64> = works.iter().map(|w| w.total.encoded_secs).collect();
    let batch = model.transcribe(&pcm, &settings.decode)?.text;
    Ok(serde_json::json!({
        "mode": "stream", "clip": args.clip, "duration": duration, "pace": args.pace,
        "end": args.end.name(),
        "session": judge.is_some(), "judge_load_secs": judge_load_secs,
        "latencies": latencies, "median_latency": median(&latencies),
        "max_latency": latencies.iter().cloned().fold(f64::MIN, f64::max),
        "analysis_ms": analysis_ms, "windows": windows, "peak_rss_mb": peak,
        "at_finish": at_finish, "settled": args.settle,
        "threads": args.threads, "load_secs": load_secs,
        "wer_vs_batch": word_error_rate(&batch, &text), "text": text,
        "batch_text": batch, "rss_mb_stages": stages,
        "busy_ratio": busy_ratio, "encoded_ratio": encoded_ratio,
        "busy_secs": busy_secs, "encoded_secs": encoded_secs,
        "load1_before": load_before, "load1_after": load_after,
    }))
}

fn main() -> ExitCode {
    // As the `rehearse` binary does.
    rehearse::memory::limit_malloc_arenas();
    rehearse::embed::one_thread_per_pass();
    let args = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(results) = &args.score {
        return match score(results) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {}: {e}", results.display());
                ExitCode::FAILURE
            }
        };
    }
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
