//! Streaming transcription: espeak-ng answers with pauses between sentences,
//! fed through the incremental path and compared with the batch transcript of
//! the same audio. (Timing targets live in the benchmark, scripts/bench.sh.)

mod common;

use std::sync::mpsc;

use common::{spoken_answer, transcriber};
use rehearse::audio::answer::{record_from_with, AnswerSettings, EndReason, StopSignals};
use rehearse::audio::capture::{CaptureEvent, CaptureSource};
use rehearse::audio::{resample, wav};
use rehearse::transcribe::replay::{replay, replay_with};
use rehearse::transcribe::streaming::FORCED_PASS_SAMPLES;
use rehearse::transcribe::{
    model_loads, DecodeOptions, StreamSettings, StreamingTranscriber, Transcript,
};
use rehearse::wer::word_error_rate;

/// About two minutes of answer (with the pauses below, at the test voice).
const SENTENCES: [&str; 24] = [
    "When I joined my current team, our release process took almost a full day.",
    "Every release needed one engineer to follow a long checklist by hand.",
    "Mistakes were common, and we rolled back about one release in five.",
    "I offered to look into it, even though it was not part of my job.",
    "First I timed each step of the checklist for three releases.",
    "Most of the time went into waiting for tests that could run in parallel.",
    "I wrote a short proposal and shared it with the team lead.",
    "She liked the idea but asked me to keep the old process as a fallback.",
    "So I automated one step at a time, starting with the slowest one.",
    "After each change we ran the old and the new process side by side.",
    "Within a month the release took about two hours instead of eight.",
    "The number of rollbacks dropped to one in the whole next quarter.",
    "Not everything went well, though.",
    "I broke the staging environment once because I skipped a review.",
    "I told the team right away, fixed it, and added a check to prevent it.",
    "Other teams heard about the new process and asked for help.",
    "I ran two short workshops and wrote a guide for them.",
    "Three other teams now use the same approach.",
    "What I learned is that small safe steps beat one big rewrite.",
    "I also learned to measure before I change anything.",
    "Without the timings, nobody would have agreed to the work.",
    "If I did it again, I would ask for a reviewer from the start.",
    "That would have saved us the broken staging day.",
    "Overall I am proud of it, and it is a big reason I enjoy this kind of work.",
];

/// Pauses between sentences, seconds: all long enough to cut at.
const PAUSES: [f64; 4] = [0.6, 0.9, 0.7, 1.0];

fn pcm_of(path: &std::path::Path) -> Vec<f32> {
    let clip = wav::read_mono(path).expect("readable WAV");
    resample::to_whisper_rate(&clip).expect("resamples")
}

fn settings() -> StreamSettings {
    StreamSettings {
        decode: DecodeOptions::default(),
        ..StreamSettings::default()
    }
}

/// How sessions decode: with the filler-keeping prompt.
fn session_decoding() -> DecodeOptions {
    DecodeOptions {
        initial_prompt: Some(rehearse::analysis::FILLER_PROMPT.to_string()),
        ..DecodeOptions::default()
    }
}

fn assert_times_sane(t: &Transcript, duration: f64) {
    assert!(!t.words.is_empty(), "no words in {:?}", t.text);
    assert!(
        (t.duration - duration).abs() < 1e-6,
        "{} vs {duration}",
        t.duration
    );
    for pair in t.words.windows(2) {
        assert!(
            pair[0].start <= pair[1].start && pair[0].end <= pair[1].start + 1e-9,
            "words out of order: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    for w in &t.words {
        assert!(
            0.0 <= w.start && w.start <= w.end && w.end <= duration,
            "word outside the {duration:.2} s answer: {w:?}"
        );
    }
    for pair in t.segments.windows(2) {
        assert!(
            pair[0].start <= pair[1].start,
            "{:?} {:?}",
            pair[0],
            pair[1]
        );
    }
}

/// The streamed transcript of `pcm` at `pace`, checked against the batch one;
/// whisper ran at least `min_runs` times (30 s windows while the answer went
/// on, passes up to pauses, and the rest at the end). `settle`: the worker
/// keeps up (each piece waits for it), so what it decodes does not depend
/// on how busy the machine is.
fn compare_with_batch(
    pcm: &[f32],
    pace: f64,
    settle: bool,
    reference: &str,
    min_runs: usize,
) -> (Transcript, Transcript) {
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let batch = model
        .transcribe(pcm, &DecodeOptions::default())
        .expect("batch transcribes");
    let streamed = replay_with(model, settings(), pcm, pace, settle).expect("streams");
    let duration = pcm.len() as f64 / 16_000.0;
    assert_times_sane(&streamed.transcript, duration);
    let stream_text = &streamed.transcript.text;
    let wer = word_error_rate(&batch.text, stream_text);
    assert!(
        wer <= 0.05,
        "streaming differs from batch by WER {wer:.3}\nbatch:  {}\nstream: {stream_text}",
        batch.text
    );
    let accuracy = word_error_rate(reference, stream_text);
    assert!(
        accuracy <= 0.2,
        "WER {accuracy:.3} vs the script: {stream_text}"
    );
    // Several windows were transcribed, not one big batch at the end.
    assert!(streamed.windows >= min_runs, "{} runs", streamed.windows);
    (batch, streamed.transcript)
}

#[test]
fn a_two_minute_answer_streamed_matches_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    let reference = spoken_answer(&SENTENCES, &PAUSES, 0.3, &path);
    let pcm = pcm_of(&path);
    let duration = pcm.len() as f64 / 16_000.0;
    assert!((100.0..150.0).contains(&duration), "{duration:.1} s");
    // Four times real time: windows and passes while the audio arrives,
    // with a worker that keeps up (on a loaded machine one that falls
    // behind makes other passes, and the text can differ by a word more:
    // WER 0.052 seen once; the one-minute answer below is not settled).
    let (_, streamed) = compare_with_batch(&pcm, 4.0, true, &reference, 4);
    // Words cover the whole answer, in answer time.
    assert!(streamed.words[0].start < 2.0, "{:?}", streamed.words[0]);
    let last = streamed.words.last().unwrap();
    assert!(last.end > duration - 5.0, "{last:?} in {duration:.1} s");
}

#[test]
fn a_one_minute_answer_fed_faster_than_real_time_matches_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    let reference = spoken_answer(&SENTENCES[..12], &PAUSES, 0.3, &path);
    let pcm = pcm_of(&path);
    let duration = pcm.len() as f64 / 16_000.0;
    assert!((50.0..80.0).contains(&duration), "{duration:.1} s");
    // Eight times real time: the worker transcribes while audio still arrives.
    compare_with_batch(&pcm, 8.0, false, &reference, 2);
}

/// A short last phrase after a pause is transcribed too: the worker has
/// already transcribed up to the pause, and only the phrase is left at the end.
#[test]
fn a_short_last_phrase_after_a_pause_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    let sentences = [SENTENCES[0], SENTENCES[1], SENTENCES[2], "Thank you."];
    let reference = spoken_answer(&sentences, &[0.7, 0.7, 1.2], 0.3, &path);
    let pcm = pcm_of(&path);
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    // Twice real time: slow enough for the worker to use the pauses.
    let streamed = replay(model.clone(), settings(), &pcm, 2.0).expect("streams");
    let text = streamed.transcript.text.to_lowercase();
    assert!(text.trim_end().ends_with("thank you."), "{text}");
    assert!(word_error_rate(&reference, &text) <= 0.2, "{text}");
    assert!(streamed.windows >= 2, "{} runs", streamed.windows);
    assert_times_sane(&streamed.transcript, pcm.len() as f64 / 16_000.0);
}

#[test]
fn one_model_serves_every_answer_and_runs_do_not_leak_into_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let first = dir.path().join("first.wav");
    let first_text = spoken_answer(&SENTENCES[..3], &PAUSES, 0.3, &first);
    let first_pcm = pcm_of(&first);
    let before = model
        .transcribe(&first_pcm, &DecodeOptions::default())
        .unwrap();
    let loads = model_loads();
    let runs = model.runs();
    for (i, range) in [(3, 6), (6, 9), (12, 15)].into_iter().enumerate() {
        let path = dir.path().join(format!("answer{i}.wav"));
        let text = spoken_answer(&SENTENCES[range.0..range.1], &PAUSES, 0.3, &path);
        let streamed = replay(model.clone(), settings(), &pcm_of(&path), 0.0).unwrap();
        let wer = word_error_rate(&text, &streamed.transcript.text);
        assert!(
            wer <= 0.2,
            "answer {i}: WER {wer:.3}: {}",
            streamed.transcript.text
        );
    }
    // The same clip after other answers: the reused state carried nothing
    // over (greedy decoding is deterministic).
    let after = model
        .transcribe(&first_pcm, &DecodeOptions::default())
        .unwrap();
    assert_eq!(before.text, after.text);
    assert!(word_error_rate(&first_text, &after.text) <= 0.2);
    assert_eq!(model_loads(), loads, "a model was loaded per answer");
    assert!(model.runs() >= runs + 4, "{} runs", model.runs() - runs);
}

#[test]
fn the_recorder_feeds_the_streaming_transcriber_as_it_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    let reference = spoken_answer(&SENTENCES[12..18], &PAUSES, 0.5, &path);
    // A 48 kHz microphone: the recorder resamples before handing samples on.
    let mic = dir.path().join("mic48k.wav");
    common::sox(
        &path,
        &mic,
        &["-r", "48000", "-e", "floating-point", "-b", "32"],
    );
    let mic_samples = wav::read_mono(&mic).unwrap().samples;
    let (tx, events) = mpsc::channel();
    for piece in mic_samples.chunks(480) {
        tx.send(CaptureEvent::Audio(piece.to_vec())).unwrap();
    }
    drop(tx);
    let source = CaptureSource {
        events,
        sample_rate: 48_000,
        channels: 1,
        sample_format: cpal::SampleFormat::F32,
        device: "file".into(),
    };
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let mut stream = StreamingTranscriber::start(model.clone(), settings()).unwrap();
    let progress = stream.progress();
    let mut fed = 0;
    let recorded = dir.path().join("recorded.wav");
    let recording = record_from_with(
        source,
        &recorded,
        &AnswerSettings::default(),
        &StopSignals::default(),
        &mut |_| {},
        &mut |samples| {
            fed += samples.len();
            stream.push(samples)
        },
    )
    .unwrap();
    // The channel closing ends the answer like an unplugged device.
    assert!(matches!(recording.ended_by, EndReason::DeviceLost(_)));
    // Every recorded sample reached the transcriber.
    let recorded_samples = (recording.duration_secs * 16_000.0).round() as usize;
    assert_eq!(fed, recorded_samples);
    let streamed = stream.finish().unwrap();
    assert!((streamed.duration - recording.duration_secs).abs() < 1e-6);
    let batch = model
        .transcribe(&pcm_of(&recorded), &DecodeOptions::default())
        .unwrap();
    let wer = word_error_rate(&batch.text, &streamed.text);
    assert!(
        wer <= 0.05,
        "WER {wer:.3}\nbatch:  {}\nstream: {}",
        batch.text,
        streamed.text
    );
    assert!(
        word_error_rate(&reference, &streamed.text) <= 0.2,
        "{}",
        streamed.text
    );
    assert_times_sane(&streamed, recording.duration_secs);
    assert_eq!(progress.samples_received(), recorded_samples);
    assert!(progress.windows_done() >= 1);
}

#[test]
fn silence_streams_to_an_empty_transcript() {
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let mut stream = StreamingTranscriber::start(model, settings()).unwrap();
    for _ in 0..100 {
        stream.push(&[0.0; 1600]);
    }
    let progress = stream.progress();
    let t = stream.finish().unwrap();
    // Silence never reaches whisper.
    assert_eq!(progress.windows_done(), 0);
    assert_eq!(progress.samples_received(), 160_000);
    assert!(t.words.is_empty() && t.text.is_empty(), "{t:?}");
    assert!((t.duration - 10.0).abs() < 1e-9);
}

#[test]
fn cli_streams_a_file_and_reports_the_latency() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    let reference = spoken_answer(&SENTENCES[18..22], &PAUSES, 0.3, &path);
    let models = common::model_path();
    let _cpu = common::cpu_lock();
    let out = common::rehearse(&[
        "--models-dir",
        models.parent().unwrap().to_str().unwrap(),
        "transcribe",
        path.to_str().unwrap(),
        "--streaming",
        "--pace",
        "0",
        "--json",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let text = json["text"].as_str().unwrap();
    assert!(word_error_rate(&reference, text) <= 0.2, "{text}");
    // The latency is the wait after the last sample: part of the whole
    // run's wall time, and at least the whisper run made after it (the rest
    // of the answer), whatever the machine's speed.
    let streaming = &json["streaming"];
    let latency = streaming["latency_secs"].as_f64().unwrap();
    let wall = streaming["wall_secs"].as_f64().unwrap();
    let at_finish = &streaming["at_finish"];
    let final_run = &at_finish["work"]["final_run"];
    assert!(latency <= wall, "{streaming:#}");
    assert!(
        at_finish["final_decodes"].as_u64().unwrap() >= 1
            && final_run["calls"].as_u64().unwrap() >= 1,
        "{streaming:#}"
    );
    assert!(
        latency >= final_run["busy_secs"].as_f64().unwrap(),
        "{streaming:#}"
    );
    // Every whisper run counted as a window is one the worker accounted for.
    let calls = at_finish["work"]["total"]["calls"].as_u64().unwrap();
    let windows = streaming["windows"].as_u64().unwrap();
    assert!(windows >= 1 && windows <= calls, "{streaming:#}");
    let err = common::stderr(&out);
    assert!(err.contains("after the last sample"), "{err}");
}

/// While an answer is still being spoken, the sentences transcribed so far
/// are embedded for the content judge (as a session does), so that only the
/// last ones are left when the answer ends.
#[test]
fn sentences_are_embedded_while_the_answer_goes_on() {
    use rehearse::analysis::{AnswerText, SemanticJudge};
    use rehearse::embed::Embedder;
    use rehearse::session::warm::SentenceWarmer;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    spoken_answer(&SENTENCES[..12], &PAUSES, 0.3, &path);
    let pcm = pcm_of(&path);
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let embedder = Embedder::load_from_models_dir(&models)
        .unwrap_or_else(|e| panic!("{e}: run `scripts/fetch-model.sh` before the tests"));
    let judge = Arc::new(SemanticJudge::new(Arc::new(embedder)));
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let mut stream = StreamingTranscriber::start(model, settings()).unwrap();
    let progress = stream.progress();
    let warmer = SentenceWarmer::start(judge.clone(), progress.clone()).expect("starts");
    // All the audio at once; the first 30 s window is transcribed meanwhile.
    for piece in pcm.chunks(800) {
        stream.push(piece);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let first_sentence = loop {
        let words = progress.words_so_far();
        let text = AnswerText::from_words(&words);
        if text.sentences.len() >= 2 && judge.is_embedded(&text.sentences[0].text) {
            break text.sentences[0].text.clone();
        }
        assert!(
            Instant::now() < deadline,
            "nothing embedded while streaming; words so far: {}",
            words.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    warmer.stop();
    let transcript = stream.finish().unwrap();
    // What was embedded is a sentence of the final transcript, as the judge
    // will read it.
    let finished = AnswerText::from_words(&transcript.words);
    assert!(
        finished.sentences.iter().any(|s| s.text == first_sentence),
        "{first_sentence:?} not in {:?}",
        transcript.text
    );
}

/// Most audio a run after `finish()` may cover: a forced pass is due once
/// [`FORCED_PASS_SAMPLES`] are undecoded, and its cut lands at least a
/// second past the last one; the margin covers the speech detector's lag
/// (it appends audio to the joined answer in steps) and the last piece.
const MARGIN_SECS: f64 = 1.0;

/// Most audio whisper's encoder may take in per second of answer, all runs
/// together (30 s windows, passes cut short of them, second looks, the
/// rest): the worker's work in numbers that do not depend on this machine.
/// A full window costs 30 s however little audio it holds, so a pass every
/// 3 s with full windows (as before) came to about 13-17 per second
/// (estimated: 30 s per run); measured
/// 8.2 (espeak, 0.3 s pauses) and 5.0 (real 27 s clip) with tiny.en.
const MAX_ENCODED_PER_ANSWER_SEC: f64 = 10.0;

/// The answer streamed with the worker keeping up (each piece waits for
/// it, so nothing here depends on this machine's speed): when it ends, at
/// most one whisper run is left, covering no more than the audio after
/// the last cut plus [`MARGIN_SECS`].
fn little_left_at_the_end(
    pcm: &[f32],
    settings: StreamSettings,
    what: &str,
    max_wer_vs_batch: f64,
) -> Transcript {
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let streamed = replay_with(model.clone(), settings.clone(), pcm, 0.0, true).expect("streams");
    let f = streamed.at_finish.expect("finish stats");
    let bound = FORCED_PASS_SAMPLES as f64 / 16_000.0 + MARGIN_SECS;
    assert!(
        f.undecoded_secs <= bound && f.final_run_secs <= bound,
        "{what}: {f:?}, bound {bound} s"
    );
    // One decode is left, of the rest (whisper runs it up to three times
    // when the loop guard finds it derailed); besides it only second looks
    // at stretches of that rest (words left out, filled pauses).
    assert!(f.final_decodes <= 1, "{what}: {f:?}");
    assert!(
        f.runs_after_finish - f.second_look_runs <= 3,
        "{what}: {f:?}"
    );
    assert!(f.second_look_runs <= 3, "{what}: {f:?}");
    // The second looks left for the finish are those at the rest: the
    // windows and passes before it had theirs while the answer went on.
    assert!(
        f.second_look_secs_after_finish <= f.undecoded_secs + 0.05,
        "{what}: second looks left for the end: {f:?}"
    );
    let w = f.work;
    assert!(
        w.encoded_ratio <= MAX_ENCODED_PER_ANSWER_SEC,
        "{what}: the encoder took in {:.1} s of audio per second of answer ({:?})",
        w.encoded_ratio,
        w
    );
    eprintln!("{what}: {f:?}");
    let batch = model.transcribe(pcm, &settings.decode).expect("batch");
    let wer = word_error_rate(&batch.text, &streamed.transcript.text);
    eprintln!(
        "{what}: WER vs batch {wer:.3}\nbatch:  {}\nstream: {}",
        batch.text, streamed.transcript.text
    );
    assert!(
        wer <= max_wer_vs_batch,
        "{what}: streaming differs from batch by WER {wer:.3}\nbatch:  {}\nstream: {}",
        batch.text,
        streamed.transcript.text
    );
    assert_times_sane(&streamed.transcript, pcm.len() as f64 / 16_000.0);
    streamed.transcript
}

/// The first eight sentences 0.3 s apart (too short a pause for a pass up
/// to a pause), about 45 s: their script and 16 kHz samples.
fn answer_with_short_pauses() -> (String, Vec<f32>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    let reference = spoken_answer(&SENTENCES[..8], &[0.3], 0.3, &path);
    (reference, pcm_of(&path))
}

#[test]
fn little_is_left_when_the_answer_ends_whatever_the_pauses() {
    let (reference, pcm) = answer_with_short_pauses();
    let t = little_left_at_the_end(&pcm, settings(), "0.3 s pauses", 0.05);
    assert!(word_error_rate(&reference, &t.text) <= 0.2, "{}", t.text);
    // Real spontaneous speech (27 s), with the session's filler prompt.
    let clip = common::real_speech::clip("mfa-acoustic-corpus");
    let session = StreamSettings {
        decode: session_decoding(),
        ..StreamSettings::default()
    };
    // Measured 0.067 with tiny.en (the last 1.7 s, decoded on its own,
    // lost an "uh" and read "that should" as "I'll"); issue 16 asks for
    // 0.03: not met yet.
    little_left_at_the_end(&pcm_of(&clip.wav), session, &clip.id, 0.08);
}

/// The first 20 ms from `from` on that is louder than the answer's median
/// 20 ms: a point inside a word.
fn inside_a_word(pcm: &[f32], from: usize) -> usize {
    let frame = 320;
    let rms = |f: &[f32]| (f.iter().map(|x| x * x).sum::<f32>() / f.len() as f32).sqrt();
    let mut levels: Vec<f32> = pcm.chunks(frame).map(rms).collect();
    levels.sort_by(|a, b| a.total_cmp(b));
    let median = levels[levels.len() / 2];
    let i = pcm[from..]
        .chunks(frame)
        .position(|f| rms(f) > 2.0 * median)
        .expect("speech after the cut");
    from + i * frame + frame / 2
}

/// Sessions' streaming: low-latency mode and the filler prompt.
fn session_streaming() -> StreamSettings {
    StreamSettings {
        decode: session_decoding(),
        commit_blocks: true,
        ..StreamSettings::default()
    }
}

/// The time limit cuts the answer inside a word, in low-latency mode (as
/// sessions stream): at most one run is left, over the audio after the
/// last cut, and the words agree with batch's on the same cut audio.
#[test]
fn an_answer_cut_by_the_time_limit_leaves_little_to_decode() {
    let (_, pcm) = answer_with_short_pauses();
    let cut = inside_a_word(&pcm, pcm.len() - 3 * 16_000);
    little_left_at_the_end(
        &pcm[..cut],
        session_streaming(),
        "cut by the time limit",
        0.05,
    );
}

/// An answer ended by the recorder's end-of-answer silence (4 s of quiet
/// after the last word, fed to the streamer as a session does): the worker
/// decodes the last words, second look included, while the silence goes
/// on, so when the recorder stops nothing is left to run and the report
/// only waits for the analysis. Before, the last words (under the 2 s of
/// new audio a pass at a pause needs, and the silence is not kept in the
/// joined audio) waited for the end: 4.7 s of audio on the 2-minute bench
/// answer, 0.97 s of feedback latency.
#[test]
fn an_answer_ended_by_silence_is_transcribed_before_the_silence_ends() {
    let (reference, mut pcm) = answer_with_short_pauses();
    pcm.resize(pcm.len() + 4 * 16_000, 0.0);
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let streamed =
        replay_with(model.clone(), session_streaming(), &pcm, 0.0, true).expect("streams");
    let f = streamed.at_finish.expect("finish stats");
    assert!(
        f.runs_after_finish == 0 && f.undecoded_secs < 0.1,
        "work left after the silence: {f:?}"
    );
    let text = &streamed.transcript.text;
    assert!(word_error_rate(&reference, text) <= 0.1, "{text}");
    assert_times_sane(&streamed.transcript, pcm.len() as f64 / 16_000.0);
}

/// A transcription abandoned through whisper's abort callback (the flag in
/// [`DecodeOptions::cancel`], set once the first window is done) stops
/// there, and leaves the one shared model transcribing the next answer
/// exactly as it did before: same words, same times.
#[test]
fn a_cancelled_transcription_leaves_the_shared_model_as_it_was() {
    use rehearse::transcribe::file::{transcribe_wav, FileError, FileProgress};
    use rehearse::transcribe::TranscribeError;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let options = session_decoding();
    // The next answer, transcribed before anything is cancelled.
    let next = pcm_of(&common::real_speech::clip("mfa-acoustic-corpus").wav);
    let before = model.transcribe(&next, &options).expect("transcribes");

    // 78 s of real speech: more than one 30 s window.
    let long = common::real_speech::clip("spontaneous-joined");
    let cancel = Arc::new(AtomicBool::new(false));
    let cancelling = DecodeOptions {
        cancel: Some(cancel.clone()),
        ..options.clone()
    };
    let (work, runs) = (model.work(), model.runs());
    let mut windows_done = 0;
    let outcome = transcribe_wav(&model, &long.wav, &cancelling, &mut |p| {
        if let FileProgress::Transcribing { .. } = p {
            windows_done += 1;
            cancel.store(true, Ordering::SeqCst);
        }
    });
    assert!(
        matches!(
            outcome,
            Err(FileError::Transcribe {
                source: TranscribeError::Cancelled,
                ..
            })
        ),
        "not cancelled: {:?}",
        outcome.map(|(t, _)| t.text)
    );
    assert_eq!(windows_done, 1, "the walk went on after the flag was set");
    // Exactly one whisper run was abandoned (started, never completed), and
    // none was started after it.
    let started = model.work().since(&work).calls;
    let completed = model.runs() - runs;
    assert!(completed >= 1, "the first window was not decoded");
    assert_eq!(
        started,
        completed + 1,
        "{started} runs started, {completed} completed"
    );

    let after = model.transcribe(&next, &options).expect("transcribes");
    assert_eq!(
        before, after,
        "the cancelled run changed the next transcript"
    );
    assert!(!after.words.is_empty());
}

/// Low-latency streaming, as sessions use it: passes that are whole blocks
/// cut at a silence are taken as final, so no 30 s window decodes their
/// audio again. Checked on the espeak answer above (real speech: the
/// next test), with the worker
/// keeping up: no window run at all, less encoder work than the default
/// mode, one run left at the end, a transcript as close to the script as
/// batch's and close to batch's words.
#[test]
fn low_latency_streaming_takes_blocks_as_final_and_stays_close_to_batch() {
    let (reference, pcm) = answer_with_short_pauses();
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let default = replay_with(model.clone(), settings(), &pcm, 0.0, true).expect("streams");
    let low_latency = StreamSettings {
        commit_blocks: true,
        ..settings()
    };
    let streamed = replay_with(model.clone(), low_latency, &pcm, 0.0, true).expect("streams");
    let f = streamed.at_finish.expect("finish stats");
    let before = default.at_finish.expect("finish stats");
    eprintln!("low latency: {f:?}\ndefault: {before:?}");
    assert_eq!(f.work.window.calls, 0, "a 30 s window was decoded: {f:?}");
    assert!(before.work.window.calls >= 1, "{before:?}");
    assert!(
        f.work.total.encoded_secs < before.work.total.encoded_secs,
        "no less work than with windows: {f:?} / {before:?}"
    );
    // One decode is left: the audio after the last silence cut (here the
    // last sentence, 4.3 s without a pause the detector hears, and the cut
    // before it), measured 6.1 s.
    assert!(f.final_decodes <= 1, "{f:?}");
    assert!(f.undecoded_secs <= 7.0, "{f:?}");
    let batch = model.transcribe(&pcm, &settings().decode).expect("batch");
    let text = &streamed.transcript.text;
    let vs_batch = word_error_rate(&batch.text, text);
    let (truth_stream, truth_batch) = (
        word_error_rate(&reference, text),
        word_error_rate(&reference, &batch.text),
    );
    eprintln!(
        "WER vs batch {vs_batch:.3}, vs the script {truth_stream:.3} (batch {truth_batch:.3})\nbatch:  {}\nstream: {text}",
        batch.text
    );
    // Measured 0.038-0.048 (the default mode: 0.029-0.038); against the
    // script 0.038 where batch made 0.010 ("tests that" heard as "testnet"
    // at a block's edge, "of" as "on").
    assert!(vs_batch <= 0.07, "WER vs batch {vs_batch:.3}\n{text}");
    assert!(
        truth_stream <= truth_batch + 0.04,
        "further from the script than batch: {truth_stream:.3} vs {truth_batch:.3}\n{text}"
    );
    assert_times_sane(&streamed.transcript, pcm.len() as f64 / 16_000.0);
}

/// Low-latency streaming of a real answer, set up as a session does it
/// (the default model, the filler prompt, blocks taken as final): 78 s of
/// unscripted speech in three takes (fast, slow and quiet, with a cold),
/// fillers, a long pause, room tone between the takes. With the worker
/// keeping up: no phrase looped, no 2 s of speech the detector heard left
/// without a word, one decode left at the end, and a transcript as close
/// to what was said as batch's.
#[test]
fn low_latency_streaming_of_a_real_answer_loses_nothing() {
    let clip = common::real_speech::clip("spontaneous-joined");
    let pcm = pcm_of(&clip.wav);
    let model = common::default_transcriber().clone();
    let _cpu = common::cpu_lock();
    let session = StreamSettings {
        decode: session_decoding(),
        commit_blocks: true,
        ..StreamSettings::default()
    };
    let streamed = replay_with(model.clone(), session.clone(), &pcm, 0.0, true).expect("streams");
    let f = streamed.at_finish.expect("finish stats");
    let t = &streamed.transcript;
    eprintln!("{f:?}\nstream: {}", t.text);
    assert_times_sane(t, pcm.len() as f64 / 16_000.0);
    common::real_speech::assert_faithful(&clip.id, t, &streamed.report.speech);
    assert!(f.final_decodes <= 1, "{f:?}");
    let batch = model.transcribe(&pcm, &session.decode).expect("batch");
    let (stream_wer, batch_wer) = (
        word_error_rate(&clip.reference, &t.text),
        word_error_rate(&clip.reference, &batch.text),
    );
    let vs_batch = word_error_rate(&batch.text, &t.text);
    eprintln!(
        "WER vs what was said {stream_wer:.3} (batch {batch_wer:.3}), vs batch {vs_batch:.3}\nbatch:  {}",
        batch.text
    );
    // Measured 0.097 against what was said, where batch makes 0.086 (0.085
    // from batch's text; issue 16 asks for 3 %: not met). Before the live
    // speech detector's longer warm-up, 0.243: it called much of the second
    // take (a speaker with a cold) silence, and the joined audio lost those
    // stretches ("so I probably sound like who's sick corpus"). Before
    // passes ended where whisper stopped, 0.292.
    assert!(
        stream_wer <= 0.15,
        "WER {stream_wer:.3} against what was said (batch {batch_wer:.3})\nstream: {}\nbatch:  {}",
        t.text,
        batch.text
    );
}

/// Hums the speech detector calls silence ("hm hm" in a real recording of
/// "montreal forced uh um uh hm hm um forced aligner"; the first runs on
/// from the "uh" before it and is taken as its end) are written as "hmm"
/// when an answer is streamed with the session's filler prompt, as in
/// batch, in their place in the text: no 2 s "pause" where the speaker was
/// humming.
#[test]
fn hums_between_speech_are_written_when_streamed() {
    let clip = common::real_speech::clip("mfa-uhum");
    let session = StreamSettings {
        decode: session_decoding(),
        ..StreamSettings::default()
    };
    let model = transcriber().clone();
    let _cpu = common::cpu_lock();
    let streamed = replay_with(model, session, &pcm_of(&clip.wav), 0.0, true).expect("streams");
    let t = &streamed.transcript;
    assert!(!streamed.report.hums.is_empty(), "{:?}", streamed.report);
    // The hums lie between "uh" (ends about 4 s) and "um" (6.25 s).
    let hums: Vec<_> = t
        .words
        .iter()
        .filter(|w| w.word == rehearse::transcribe::hums::HUM_WORD)
        .collect();
    assert!(
        !hums.is_empty() && hums.iter().all(|w| w.start >= 3.5 && w.end <= 6.4),
        "{hums:?} in {:?}",
        t.text
    );
    // The text reads in time order, the hum in its place.
    let in_text: Vec<String> = t.text.split_whitespace().map(str::to_string).collect();
    let in_time: Vec<String> = t.words.iter().map(|w| w.word.trim().to_string()).collect();
    assert_eq!(in_text, in_time, "{:?}", t.segments);
    for pair in t.words.windows(2) {
        assert!(
            pair[1].start - pair[0].end <= 2.0,
            "a pause of {:.2} s between {:?} and {:?}: {:?}",
            pair[1].start - pair[0].end,
            pair[0],
            pair[1],
            t.text
        );
    }
}
