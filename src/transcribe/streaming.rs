//! Transcribing an answer while it is spoken, so that its transcript is
//! ready moments after it ends.
//!
//! Batch transcription ([`super::batch`]) cuts the speech out of a recording
//! and joins it, then walks the joined audio in whisper's 30-second windows:
//! it decodes a window with the text so far as its prompt, then moves on to
//! where the last complete segment ended. This module does the same while
//! the audio arrives: the speech is cut out and joined as the Silero
//! detector hears it ([`super::live_join`]), and a worker thread decodes each
//! window of the joined audio as soon as the answer has gone a second past
//! it (so whisper, as in a batch run, sees that the audio goes on), with the
//! same prompt, and moves on by the same rule. When the answer ends only the
//! rest since the last window is left. The transcript is therefore close to
//! the batch transcript (the speech detector's view of the last moments and
//! the passes below can differ), and word times are in answer time.
//!
//! While the speaker pauses, the worker also transcribes the audio since the
//! last window or pass up to the pause, in case the answer ends soon: when
//! it does, the passes since the last window are taken as they are and only
//! the words after the last pause are left to transcribe (with the text
//! before them as the prompt), which keeps the wait short however far the
//! answer is into a window. Real speakers often pause for less than half a
//! second, so such a pass is also made, without a pause, once
//! [`FORCED_PASS_SAMPLES`] of audio are undecoded: it ends at the middle of
//! the longest stretch the speech detector heard no speech in (else at the
//! quietest 100 ms) within the last few seconds, so a worker that fell
//! behind makes one pass over all that piled up. A pass goes on from the
//! one before once that one covers a block of 16 s or more (shorter ones
//! are decoded again with the new audio), so audio is decoded a few times
//! at most by passes, not again by every pass up to the next window; a
//! pass's encoder window fits its audio, and its second look is taken at
//! once: the worker keeps up with the speaker (see [`StreamWork`] for what
//! it costs). In low-latency mode the passes after a block are decoded
//! again together only while they are short (8 s) and once they make a
//! block; in between each goes on from the last, so the pass under way is
//! seldom a long one (see [`Walk::passes_to_redo`]). Whatever the pauses,
//! when the answer ends one run is left, over the audio after the last
//! cut. A pass still running when the answer ends is cancelled at once.
//! [`StreamProgress::at_finish`] says what was left.
//!
//! In low-latency mode ([`StreamSettings::commit_blocks`], what sessions
//! use) a pass that covers a whole block and ends at a silence the speech
//! detector heard is taken as final, and the walk goes on from its end: no
//! 30 s window decodes that audio again. A 30 s window run (about 2 s with
//! base on 2 cores) then never stands between the end of the answer and
//! the report, and the worker does about a third less work; the price is a
//! transcript a little further from the batch one (measured in
//! tests/streaming.rs).
//!
//! Without the Silero model nothing is cut; windows with no speech at all
//! (by an energy voice-activity detector) are skipped, as whisper tends to
//! invent words in silence.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use rehearse::transcribe::{StreamingTranscriber, StreamSettings, Transcriber};
//! # fn demo(model: Arc<Transcriber>, captured: &[Vec<f32>]) -> Result<(), Box<dyn std::error::Error>> {
//! let mut stream = StreamingTranscriber::start(model.clone(), StreamSettings::default())?;
//! for samples_16k in captured {
//!     stream.push(samples_16k);
//! }
//! let transcript = stream.finish()?;
//! # Ok(()) }
//! ```

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::guard::normalise;
use super::live_join::LiveJoin;
use super::look_memo::LookMemo;
use super::{
    advance_frames, join_segment_texts, DecodeOptions, DecodeReport, Decoded, RunRequest,
    TranscribeError, Transcriber, Transcript, WhisperWork, Word, SAMPLES_PER_FRAME,
};
use crate::audio::resample::WHISPER_RATE;
use crate::audio::silero::{Span, SpeechParams, SpeechTracker};
use crate::audio::vad::{EnergyVad, VadSettings, FRAME};

pub use super::WINDOW_SAMPLES;
/// Audio past a window needed before it is decoded (2 s): whisper treats a
/// window that reaches within a second of the end of its input differently.
const LOOKAHEAD_SAMPLES: usize = 2 * WHISPER_RATE as usize;
/// whisper's encoder positions per second of audio.
const AUDIO_CTX_PER_SEC: f64 = 50.0;
/// Most prompt tokens whisper uses: half its 448-token text context, less
/// the "previous text" marker.
const MAX_PROMPT_TOKENS: usize = 223;
/// Less audio than this after a window (1 s, whisper's `delta_min`) is not
/// decoded at all; whisper does the same.
const MIN_REST_SAMPLES: usize = WHISPER_RATE as usize;
/// A rest shorter than this (5 s) is decoded without the text before it as
/// its prompt, as whisper does for a short last piece (it tends to repeat
/// the prompt otherwise).
const SHORT_REST_SAMPLES: usize = 5 * WHISPER_RATE as usize;
/// Silence after speech that makes a pause worth transcribing up to (0.45 s).
const PAUSE_FRAMES: usize = 15;
/// Quiet kept after the last word of a pause-ended piece (0.21 s).
const PAUSE_KEEP_FRAMES: usize = 7;
/// New audio that makes the speech detector run again while the answer
/// goes on (0.16 s).
const KEEP_EVERY_SAMPLES: usize = 2560;
/// New audio since the last pass (or window) needed before a pass up to a
/// pause the speaker is making (2 s).
const PAUSE_PASS_MIN_NEW_SAMPLES: usize = 2 * WHISPER_RATE as usize;
/// Silence after speech (1 s) after which whatever was said since the last
/// pass is decoded, however little: the speaker may have finished, and the
/// recorder's end-of-answer silence then finds the transcript ready.
const STOPPED_SILENCE_SECS: f64 = 1.0;
/// The least new audio such a pass is for (0.25 s).
const STOPPED_MIN_NEW_SAMPLES: usize = 4000;
/// Undecoded audio that makes a pass due even while the speaker goes on
/// without a pause (3 s): it is cut at the quietest point of the new audio,
/// so however short the speaker's pauses, little is left when they stop.
pub const FORCED_PASS_SAMPLES: usize = 3 * WHISPER_RATE as usize;
/// Passes shorter than this (16 s) are decoded again, longer, by the next
/// pass; passes from there on go on from it: each stretch is decoded by
/// passes a few times (every 3 s until its block is 16 s long), not once
/// for every pass up to the next window, and whisper hears it in blocks of
/// 16 s or more with the text before as its prompt. Measured with tiny.en,
/// settled, streaming against batch WER and encoder audio per answer second
/// (espeak sentences 0.3 s apart / real 27 s spontaneous clip): passes of
/// 2-3 s alone 0.095 / -; blocks of 8 s 0.029, 6.3 / 0.133, 5.0; 16 s
/// 0.029, 8.2 / 0.067, 5.0; no blocks (each pass from the last window)
/// 0.038, 13.7 / 0.050, 7.2.
const MIN_BLOCK_SAMPLES: usize = 16 * WHISPER_RATE as usize;
/// Passes after the last block are decoded again from its end while they
/// span at most this much (8 s, a pass of under a second with base on 2
/// cores); longer, a pass in low-latency mode goes on from the last one
/// until they make a whole block (see [`Walk::passes_to_redo`]).
const REDO_WITHIN_SAMPLES: usize = 8 * WHISPER_RATE as usize;
/// Attempts after the first that a block pass over passes already decoded
/// gets when it looks derailed (see [`Walk::maybe_pause_pass`]).
const BLOCK_OVER_PASSES_RETRIES: usize = 1;
/// Speech after a run's last word beyond this (1.5 s) means whisper ended
/// the run early: it is not taken as final (low-latency mode).
const WORDS_REACH_SPEECH_END_SECS: f64 = 1.5;
/// The shortest silence after the words of a pass whisper ended early that
/// the pass is cut at (see [`Walk::silence_after_words`]).
const STOPPED_GAP_SECS: f64 = 0.3;
/// A forced pass cuts at least this far (1 s) past the last one.
const MIN_CUT_ADVANCE_SAMPLES: usize = WHISPER_RATE as usize;
/// ... and not in the last 0.2 s received (a word may go on there).
const CUT_END_GUARD_SAMPLES: usize = 3200;
/// Energy frames for finding the quietest point (20 ms), averaged over
/// [`QUIET_SMOOTH_FRAMES`] (100 ms) so that a stop inside a word does not count.
const QUIET_FRAME: usize = 320;
const QUIET_SMOOTH_FRAMES: usize = 5;
/// A quiet stretch at most this many times the energy of the answer's
/// quietest (6 dB above the room) ...
const QUIET_ABOVE_FLOOR: f32 = 4.0;
/// ... and this many times below its loud speech (30 dB) is a pause.
const QUIET_BELOW_SPEECH: f32 = 1000.0;

/// How to stream.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// Threads, and an initial prompt.
    pub decode: DecodeOptions,
    /// Size whisper's encoder window for the audio after the last window
    /// (what the speaker waits for at the end) to that audio plus this
    /// margin (seconds), instead of a full 30 s window: about three times
    /// faster for a short rest, a little less faithful to the batch
    /// transcript. None: full window. Default: 3 s.
    pub tail_audio_ctx_margin_secs: Option<f64>,
    /// Low-latency mode (sessions use it): take passes that are whole
    /// blocks, cut at a silence, as final instead of decoding the audio
    /// again in 30 s windows (see [`Walk::commit_blocks`]). The worker then
    /// does about a third less work and is never busy with a 2 s window run
    /// when the answer ends; the transcript is a little further from the
    /// batch one (blocks of 16 s or more instead of 30 s windows). Default:
    /// off (the transcript follows batch as closely as streaming can).
    pub commit_blocks: bool,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            decode: DecodeOptions::default(),
            tail_audio_ctx_margin_secs: Some(3.0),
            commit_blocks: false,
        }
    }
}

/// Why streaming transcription failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("transcribing the audio from {at:.1} s: {source}")]
    Window {
        at: f64,
        #[source]
        source: TranscribeError,
    },
    #[error("cannot start the transcription thread: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("the transcription thread panicked: {0}")]
    WorkerPanicked(String),
}

/// What the worker is sent.
enum Input {
    /// Captured 16 kHz samples.
    Samples(Vec<f32>),
    /// Answered once everything sent before has been handled and every
    /// pass the worker wanted to make then is made (see
    /// [`StreamingTranscriber::settle`]).
    Settle(Sender<()>),
}

/// Where things stood when the answer ended: what was left for the speaker
/// to wait for. Quantities that do not depend on the machine's speed, as
/// long as the worker kept up with the audio (see
/// [`StreamingTranscriber::settle`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct FinishStats {
    /// Joined speech audio not covered by a window or a pass when the answer
    /// ended, seconds.
    pub undecoded_secs: f64,
    /// Audio the last main run (the rest after the last window or pass)
    /// covered, seconds; 0 when no such run was needed.
    pub final_run_secs: f64,
    /// whisper runs made after the answer ended (the rest, second looks at
    /// it, and a window or pass that was under way then).
    pub runs_after_finish: u64,
    /// Of those, second looks at stretches of the rest (speech left without
    /// words, filled pauses): short runs of a second or two of audio each.
    pub second_look_runs: u64,
    /// Decodes of the rest asked for once all the audio was in (each is one
    /// whisper run, or up to three when the loop guard decodes it again).
    pub final_decodes: u64,
    /// Joined audio whose second look was left for after the answer ended,
    /// seconds: the rest, when the worker kept up (the windows and passes
    /// before it had theirs while the answer went on).
    pub second_look_secs_after_finish: f64,
    /// What the whole answer cost the worker, by kind of run.
    pub work: StreamWork,
}

/// The worker's whisper work over one answer, by kind of run: how far it
/// is from keeping up. [`Self::encoded_ratio`] (encoder audio per second of
/// answer) does not depend on the machine; [`Self::busy_ratio`] does.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct StreamWork {
    /// 30 s windows while the answer went on.
    pub window: WhisperWork,
    /// Passes over the audio after the last window (up to a pause or a
    /// quiet point), cancelled ones included.
    pub pass: WhisperWork,
    /// Second looks (speech left without words, filled pauses).
    pub second_look: WhisperWork,
    /// The rest after the last window or pass, once the answer ended.
    pub final_run: WhisperWork,
    /// All of them.
    pub total: WhisperWork,
    /// The answer's length, seconds.
    pub answer_secs: f64,
    /// Whisper busy time per second of answer (must stay well under 1 for
    /// the worker to keep up; measured under load it is overstated).
    pub busy_ratio: f64,
    /// Encoder audio per second of answer.
    pub encoded_ratio: f64,
    /// Fillers-only second looks answered by an earlier pass's look at the
    /// same gap instead of a whisper run.
    pub looks_recalled: u64,
}

/// A kind of run, for [`StreamWork`].
#[derive(Debug, Clone, Copy)]
enum Kind {
    Window,
    Pass,
    SecondLook,
    Final,
}

impl StreamWork {
    fn slot(&mut self, kind: Kind) -> &mut WhisperWork {
        match kind {
            Kind::Window => &mut self.window,
            Kind::Pass => &mut self.pass,
            Kind::SecondLook => &mut self.second_look,
            Kind::Final => &mut self.final_run,
        }
    }

    /// Totals and ratios for an answer of `answer_secs`.
    fn close(&mut self, answer_secs: f64) {
        let mut total = WhisperWork::default();
        for part in [self.window, self.pass, self.second_look, self.final_run] {
            total.add(&part);
        }
        self.total = total;
        self.answer_secs = answer_secs;
        if answer_secs > 0.0 {
            self.busy_ratio = total.busy_secs / answer_secs;
            self.encoded_ratio = total.encoded_secs / answer_secs;
        }
    }
}

/// The audio since the last window, transcribed up to a pause.
struct PausePass {
    /// Where the window walk stood (`seek`) when it ran.
    from: usize,
    /// The pause it ran up to.
    to: usize,
    decoded: Decoded,
    /// Its second look, taken while the speaker still paused (stretches
    /// looked at, in the pass's own time), unless the answer ended first.
    looks: Option<Vec<Span>>,
    /// Whether it ends at a pause or a silence the detector heard (not at
    /// the quietest moment of speech, which may be inside a word).
    firm: bool,
    /// Cut short at the silence after the words where whisper stopped
    /// (see [`Walk::silence_after_words`]): taken as final however short,
    /// as whisper goes on after its last timestamp in a recording.
    whisper_stopped: bool,
    /// Taken as final because the pass that would have made a block over
    /// it stayed derailed (low-latency mode; see [`Walk::maybe_pause_pass`]),
    /// or because a pass over it that is not firm was dropped while the
    /// speaker was silent (see [`Walk::restore_firm_passes_in_silence`]).
    stands_for_block: bool,
}

/// Live counters, readable while the answer is still being spoken.
#[derive(Debug, Default)]
pub struct StreamProgress {
    windows_done: AtomicUsize,
    samples_received: AtomicUsize,
    /// The words transcribed so far (answer time), as of the latest window
    /// or pass up to a pause.
    words: Mutex<Vec<Word>>,
    /// whisper runs the model had served when the answer ended.
    runs_at_finish: AtomicUsize,
    finish: Mutex<Option<FinishStats>>,
}

impl StreamProgress {
    /// Whisper runs finished so far: each 30 s window, each pass up to a
    /// pause, and the rest at the end.
    pub fn windows_done(&self) -> usize {
        self.windows_done.load(Ordering::SeqCst)
    }

    /// Samples the worker has received.
    pub fn samples_received(&self) -> usize {
        self.samples_received.load(Ordering::SeqCst)
    }

    /// The words transcribed so far, in answer time (what comes after the
    /// latest window or pause pass is not in yet), e.g. to get the content
    /// judge's work done while the answer goes on.
    pub fn words_so_far(&self) -> Vec<Word> {
        self.words.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// What was left to do when the answer ended (once it is transcribed).
    pub fn at_finish(&self) -> Option<FinishStats> {
        *self.finish.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, words: Vec<Word>) {
        *self.words.lock().unwrap_or_else(|e| e.into_inner()) = words;
    }
}

/// One answer being transcribed as it is spoken (see the module docs). The
/// model is shared: start one of these per answer with the same
/// [`Transcriber`].
pub struct StreamingTranscriber {
    samples: Sender<Input>,
    transcriber: Arc<Transcriber>,
    worker: JoinHandle<Result<(Transcript, DecodeReport), StreamError>>,
    progress: Arc<StreamProgress>,
    /// Set when the answer ends: cancels a pause pass in progress.
    ended: Arc<AtomicBool>,
}

impl StreamingTranscriber {
    /// Starts the worker thread for one answer.
    pub fn start(
        transcriber: Arc<Transcriber>,
        settings: StreamSettings,
    ) -> Result<Self, StreamError> {
        let (samples, queue) = mpsc::channel();
        let progress = Arc::new(StreamProgress::default());
        let worker_progress = progress.clone();
        let ended = Arc::new(AtomicBool::new(false));
        let worker_ended = ended.clone();
        let model = transcriber.clone();
        let worker = std::thread::Builder::new()
            .name("transcribe".into())
            .spawn(move || work(&model, &settings, queue, &worker_progress, worker_ended))
            .map_err(StreamError::Spawn)?;
        Ok(Self {
            samples,
            transcriber,
            worker,
            progress,
            ended,
        })
    }

    /// Feeds 16 kHz mono samples as they are captured. Cheap: whisper runs
    /// on the worker thread. (A failed worker is reported by [`Self::finish`].)
    pub fn push(&mut self, samples_16k: &[f32]) {
        if samples_16k.is_empty() {
            return;
        }
        let _ = self.samples.send(Input::Samples(samples_16k.to_vec()));
    }

    /// Waits until the worker has handled every sample pushed so far and
    /// made the windows and passes it wanted to make with them: what is
    /// left at the end then no longer depends on how fast this machine is
    /// (tests, and replays that measure the work left at the end).
    pub fn settle(&mut self) {
        let (done, wait) = mpsc::channel();
        if self.samples.send(Input::Settle(done)).is_ok() {
            // A worker that failed drops the sender: `finish` reports why.
            let _ = wait.recv();
        }
    }

    /// Counters shared with the worker.
    pub fn progress(&self) -> Arc<StreamProgress> {
        self.progress.clone()
    }

    /// Ends the answer: transcribes the rest, waits for the worker, and
    /// returns the transcript of the whole answer (times in answer time).
    pub fn finish(self) -> Result<Transcript, StreamError> {
        Ok(self.finish_detailed()?.0)
    }

    /// [`Self::finish`], also saying how the transcript was made (speech
    /// heard, windows decoded again).
    pub fn finish_detailed(self) -> Result<(Transcript, DecodeReport), StreamError> {
        let Self {
            samples,
            transcriber,
            worker,
            ended,
            progress,
        } = self;
        progress
            .runs_at_finish
            .store(transcriber.runs() as usize, Ordering::SeqCst);
        ended.store(true, Ordering::SeqCst);
        debug_stamp("answer ended");
        drop(samples);
        worker.join().map_err(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            StreamError::WorkerPanicked(message)
        })?
    }
}

/// The answer so far, and where whisper has got to in it.
struct Walk<'a> {
    transcriber: &'a Transcriber,
    settings: &'a StreamSettings,
    /// The answer as captured, and its speech joined (windows walk the
    /// joined audio; earlier samples are let go).
    join: LiveJoin,
    /// Without Silero: whether each whole [`FRAME`] of the (uncut) answer
    /// holds speech, by energy.
    speech: Vec<bool>,
    vad: EnergyVad,
    /// Sample index where the next window starts (whisper's `seek`).
    seek: usize,
    /// The text so far as token ids (initial prompt first), for the prompt.
    context: Vec<i32>,
    transcript: Transcript,
    /// Passes since the last window, in order: the first starts at `seek`,
    /// each next one where the one before it ended (a window clears them).
    passes: Vec<PausePass>,
    /// The firm passes that a pass with a cut that may split a word
    /// replaced: the end of the answer falls back on them (see
    /// [`Self::drop_unfirm_tail`]).
    firm_before: Vec<PausePass>,
    ended: Arc<AtomicBool>,
    /// Silero speech detection over the answer, when the model is there.
    tracker: Option<SpeechTracker>,
    /// Joined audio before this has had its second look (speech left
    /// without words, filled pauses; see [`super::batch::second_look`]).
    looked_to: usize,
    /// Fillers-only looks already taken (passes go over the same audio).
    look_memo: LookMemo,
    report: DecodeReport,
    /// Samples the rest after the last window or pass covered.
    final_run: usize,
    /// Decodes asked for (windows, passes, the rest).
    decodes: u64,
    /// whisper work by kind of run.
    work: StreamWork,
}

/// The worker: decodes windows as the audio allows, then the rest.
fn work(
    transcriber: &Transcriber,
    settings: &StreamSettings,
    queue: Receiver<Input>,
    progress: &StreamProgress,
    ended: Arc<AtomicBool>,
) -> Result<(Transcript, DecodeReport), StreamError> {
    let runs_before = transcriber.runs();
    let mut walk = Walk::new(transcriber, settings, ended);
    let mut settled = Vec::new();
    while let Ok(first) = queue.recv() {
        // Everything already queued first: passes are for when we are idle.
        for input in std::iter::once(first).chain(queue.try_iter()) {
            match input {
                Input::Samples(samples) => {
                    progress
                        .samples_received
                        .fetch_add(samples.len(), Ordering::SeqCst);
                    walk.receive(&samples)?;
                }
                Input::Settle(done) => settled.push(done),
            }
        }
        if walk.ended.load(Ordering::SeqCst) {
            // The rest is decoded below, once every sample is in.
            settled.clear();
            continue;
        }
        walk.keep_speech()?;
        if walk.settings.commit_blocks {
            walk.commit_blocks();
        }
        while walk.audio_len() >= walk.seek + WINDOW_SAMPLES + LOOKAHEAD_SAMPLES {
            if !walk.window()? {
                break;
            }
            progress.windows_done.fetch_add(1, Ordering::SeqCst);
            progress.publish(walk.words_so_far());
        }
        if walk.maybe_pause_pass()? {
            progress.windows_done.fetch_add(1, Ordering::SeqCst);
            progress.publish(walk.words_so_far());
        }
        for done in settled.drain(..) {
            let _ = done.send(());
        }
    }
    debug_stamp("all samples in");
    let speech = walk.speech_spans(true)?;
    debug_stamp("speech detector finished");
    match &speech {
        Some(spans) => {
            let end = walk.join.captured_len();
            walk.join.keep(spans, end);
        }
        None => walk.join.keep_all(),
    }
    if super::debug_walk() {
        let secs = |n: usize| n as f64 / WHISPER_RATE as f64;
        eprintln!(
            "finish: seek {:.2} s, audio {:.2} s, passes {:?}",
            secs(walk.seek),
            secs(walk.audio_len()),
            walk.passes
                .iter()
                .map(|p| (secs(p.from), secs(p.to), p.firm))
                .collect::<Vec<_>>()
        );
    }
    if settings.commit_blocks {
        walk.drop_unfirm_tail();
    }
    let undecoded = walk.audio_len().saturating_sub(walk.decoded_to());
    let decodes_before_rest = walk.decodes;
    if walk.rest()? {
        progress.windows_done.fetch_add(1, Ordering::SeqCst);
    }
    debug_stamp("rest decoded");
    let final_decodes = walk.decodes - decodes_before_rest;
    let end = walk.audio_len();
    let runs_before_looks = transcriber.runs();
    let looks_left = end.saturating_sub(walk.looked_to);
    walk.second_look_to(end)?;
    let second_look_runs = transcriber.runs() - runs_before_looks;
    debug_stamp("second looks done");
    let mut transcript = walk.transcript;
    let mut report = walk.report;
    // Back from the joined audio to answer time (second looks included).
    let join = &walk.join;
    super::batch::times_to_original(join.regions(), &mut transcript, &mut report);
    transcript.text = join_segment_texts(&transcript.segments);
    transcript.duration = join.captured_len() as f64 / WHISPER_RATE as f64;
    // Timing comes from the speech with its soft onsets refined (what
    // whisper heard stays the detector's own segments), as in batch.
    let (timed, hums) = match walk.tracker.as_ref() {
        Some(t) => {
            let (timed, hums) = t.refined_with_hums();
            (Some(timed), hums)
        }
        None => (None, Vec::new()),
    };
    if let Some(speech) = timed.or(speech) {
        super::clamp_to_speech(&mut transcript.words, &speech);
        super::meet_speech_edges(&mut transcript.words, &speech);
        report.speech = speech;
    }
    super::hums::write_hums_if_asked(&mut transcript, &mut report, &hums, &walk.settings.decode);
    clamp_times(&mut transcript);
    report.whisper_runs = transcriber.runs() - runs_before;
    debug_stamp("transcript ready");
    let mut work = walk.work;
    work.looks_recalled = walk.look_memo.reused();
    work.close(transcript.duration);
    let at_finish = progress.runs_at_finish.load(Ordering::SeqCst) as u64;
    *progress.finish.lock().unwrap_or_else(|e| e.into_inner()) = Some(FinishStats {
        undecoded_secs: undecoded as f64 / WHISPER_RATE as f64,
        final_run_secs: walk.final_run as f64 / WHISPER_RATE as f64,
        runs_after_finish: transcriber.runs().saturating_sub(at_finish),
        second_look_runs,
        final_decodes,
        second_look_secs_after_finish: looks_left as f64 / WHISPER_RATE as f64,
        work,
    });
    Ok((transcript, report))
}

/// With REHEARSE_DEBUG_RUNS set, says when a step of the end of an answer
/// was reached (milliseconds since the epoch), to lay out the wait.
fn debug_stamp(step: &str) {
    if super::debug_runs() {
        eprintln!("{step} at {}", super::epoch_ms());
    }
}

impl<'a> Walk<'a> {
    fn new(
        transcriber: &'a Transcriber,
        settings: &'a StreamSettings,
        ended: Arc<AtomicBool>,
    ) -> Self {
        let context = settings
            .decode
            .initial_prompt
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .and_then(|p| transcriber.tokenize(p).ok())
            .unwrap_or_default();
        let mut walk = Self {
            transcriber,
            settings,
            join: LiveJoin::default(),
            speech: Vec::new(),
            vad: EnergyVad::new(VadSettings {
                end_after_silence_secs: None,
                ..VadSettings::default()
            }),
            seek: 0,
            context: Vec::new(),
            transcript: Transcript {
                text: String::new(),
                duration: 0.0,
                segments: Vec::new(),
                words: Vec::new(),
            },
            passes: Vec::new(),
            firm_before: Vec::new(),
            ended,
            tracker: transcriber
                .vad()
                .map(|_| SpeechTracker::new(SpeechParams::default())),
            report: transcriber.new_report(),
            looked_to: 0,
            look_memo: LookMemo::default(),
            final_run: 0,
            decodes: 0,
            work: StreamWork::default(),
        };
        walk.extend_context(&context);
        walk
    }

    /// Runs `f`, counting the whisper work it did as `kind`.
    fn counted<T>(&mut self, kind: Kind, f: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.transcriber.work();
        let out = f(self);
        let spent = self.transcriber.work().since(&before);
        self.work.slot(kind).add(&spent);
        out
    }

    fn vad_error(&self, e: crate::audio::silero::SileroError) -> StreamError {
        StreamError::Window {
            at: self.seek as f64 / WHISPER_RATE as f64,
            source: TranscribeError::Decode(e.to_string()),
        }
    }

    /// The speech heard so far (None without Silero); `last` analyses the
    /// very end too.
    fn speech_spans(&mut self, last: bool) -> Result<Option<Vec<Span>>, StreamError> {
        let (Some(tracker), Some(vad)) = (self.tracker.as_mut(), self.transcriber.vad()) else {
            return Ok(None);
        };
        let result = if last {
            tracker.finish(vad)
        } else {
            tracker.flush(vad)
        };
        if let Err(e) = result {
            return Err(self.vad_error(e));
        }
        Ok(self.tracker.as_ref().map(|t| t.segments()))
    }

    /// Speech spans within the joined audio's `[from, to)`, times from `from`.
    fn speech_in(&mut self, from: usize, to: usize) -> Result<Option<Vec<Span>>, StreamError> {
        Ok(self
            .speech_spans(false)?
            .map(|spans| self.spans_within(&spans, from, to)))
    }

    /// [`Self::speech_in`] as the detector has analysed so far, without
    /// making it analyse more: how often it analyses changes what it hears
    /// a little, and the joined audio must not depend on when a pass ran.
    fn analysed_speech_in(&self, from: usize, to: usize) -> Option<Vec<Span>> {
        let spans = self.tracker.as_ref()?.segments();
        Some(self.spans_within(&spans, from, to))
    }

    /// `spans` (answer time) within the joined audio's `[from, to)`, times
    /// from `from`.
    fn spans_within(&self, spans: &[Span], from: usize, to: usize) -> Vec<Span> {
        let (a, b) = (
            from as f64 / WHISPER_RATE as f64,
            to as f64 / WHISPER_RATE as f64,
        );
        self.join
            .speech_in_joined(spans)
            .iter()
            .filter(|s| s.end > a && s.start < b)
            .map(|s| Span {
                start: s.start.max(a) - a,
                end: s.end.min(b) - a,
            })
            .collect()
    }

    fn receive(&mut self, samples: &[f32]) -> Result<(), StreamError> {
        if let (Some(tracker), Some(vad)) = (self.tracker.as_mut(), self.transcriber.vad()) {
            if let Err(e) = tracker.push(vad, samples) {
                return Err(self.vad_error(e));
            }
        }
        self.join.push(samples);
        if self.tracker.is_none() {
            // Nothing is cut: the joined audio is the answer.
            self.join.keep_all();
            let whole_frames = self.join.captured_len() / FRAME;
            while self.speech.len() < whole_frames {
                let at = self.speech.len() * FRAME;
                let state = self.vad.push(self.join.joined().get(at..at + FRAME));
                self.speech.push(state.speaking);
            }
        }
        // Windows and passes start at `seek`: nothing before it is read again.
        self.join.joined_mut().forget_before(self.seek);
        Ok(())
    }

    /// Appends the speech heard so far to the joined audio (with Silero;
    /// without it everything is appended as it arrives).
    fn keep_speech(&mut self) -> Result<(), StreamError> {
        if self.tracker.is_none() {
            return Ok(());
        }
        let analysed = |walk: &Self| {
            walk.tracker
                .as_ref()
                .map_or(0, |t| (t.analysed_secs() * WHISPER_RATE as f64) as usize)
        };
        let captured = self.join.captured_len();
        // The detector runs on a few frames at least (it re-reads a little
        // audio before them each time).
        if captured < analysed(self) + KEEP_EVERY_SAMPLES {
            return Ok(());
        }
        if let Some(spans) = self.speech_spans(false)? {
            let analysed = analysed(self).min(captured);
            self.join.keep(&spans, analysed);
        }
        Ok(())
    }

    /// The words so far in answer time: the transcript, and the latest pass
    /// up to a pause when it follows on from it.
    fn words_so_far(&self) -> Vec<Word> {
        let mut words = self.transcript.words.clone();
        for pass in &self.passes {
            let offset = pass.from as f64 / WHISPER_RATE as f64;
            words.extend(pass.decoded.transcript.words.iter().map(|w| Word {
                start: w.start + offset,
                end: w.end + offset,
                ..w.clone()
            }));
        }
        for w in &mut words {
            w.start = self.join.to_original(w.start);
            w.end = self.join.to_original(w.end).max(w.start);
        }
        words
    }

    /// Length of the joined audio so far, samples.
    fn audio_len(&self) -> usize {
        self.join.joined().len()
    }

    /// Whether the joined audio's `[from, to)` holds speech: by Silero when
    /// there is the model, else by energy (whole frames; a partial last
    /// frame is under 30 ms).
    fn has_speech(&mut self, from: usize, to: usize) -> Result<bool, StreamError> {
        if let Some(spans) = self.speech_in(from, to)? {
            return Ok(!spans.is_empty());
        }
        let first = from / FRAME;
        let last = to.div_ceil(FRAME).min(self.speech.len());
        Ok((first..last).any(|i| self.speech[i]))
    }

    fn extend_context(&mut self, tokens: &[i32]) {
        self.context.extend_from_slice(tokens);
        let excess = self.context.len().saturating_sub(MAX_PROMPT_TOKENS);
        self.context.drain(..excess);
    }

    /// Decodes the 30 s window at `seek` and moves `seek` on as whisper would.
    ///
    /// When a pass up to a pause already covers this window's start, the
    /// answer ending meanwhile cancels the window (false): the pass and the
    /// words after it are then the quicker way to the whole transcript.
    fn window(&mut self) -> Result<bool, StreamError> {
        let start = self.seek;
        if !self.has_speech(start, start + WINDOW_SAMPLES)? {
            self.passes.clear();
            self.seek += WINDOW_SAMPLES;
            // No speech: nothing for a second look either.
            self.looked_to = self.looked_to.max(self.seek);
            return Ok(true);
        }
        let end = start + WINDOW_SAMPLES + LOOKAHEAD_SAMPLES;
        let cancellable = !self.passes.is_empty();
        let context = self.context.clone();
        let decoded = match self.counted(Kind::Window, |w| {
            w.decode(
                start,
                end,
                true,
                None,
                &context,
                RunLimits::whole(cancellable),
            )
        }) {
            Ok(decoded) => decoded,
            Err(StreamError::Window {
                source: TranscribeError::Cancelled,
                ..
            }) => return Ok(false),
            Err(e) => return Err(e),
        };
        self.passes.clear();
        self.firm_before.clear();
        let first_timestamp = self.transcriber.first_timestamp_token();
        let advance = advance_frames(&decoded.sequence, first_timestamp) * SAMPLES_PER_FRAME;
        self.take(decoded, start);
        if let Some(r) = self.report.redecoded.last_mut() {
            r.end = r.end.min((start + advance) as f64 / WHISPER_RATE as f64);
        }
        self.seek += advance.max(SAMPLES_PER_FRAME);
        // While the speaker goes on, a second look at what this window left out.
        self.second_look_to(self.seek)?;
        Ok(true)
    }

    /// A second look, as batch transcription takes one, at the joined audio
    /// from where the last one ended to `to`: speech left without words is
    /// decoded on its own, and short voiced gaps are searched for filled
    /// pauses when the answer is decoded with a prompt (see
    /// [`super::batch::second_look`]). Only with Silero (it says where the
    /// speech is).
    fn second_look_to(&mut self, to: usize) -> Result<(), StreamError> {
        let from = self.looked_to;
        let to = to.min(self.audio_len());
        if to <= from {
            return Ok(());
        }
        if self.tracker.is_none() {
            self.looked_to = to;
            return Ok(());
        }
        let offset = from as f64 / WHISPER_RATE as f64;
        // The words and segments of this stretch, in its own time.
        let first_word = self.transcript.words.partition_point(|w| w.start < offset);
        let first_segment = self
            .transcript
            .segments
            .partition_point(|s| s.start < offset);
        let mut part = Transcript {
            text: String::new(),
            duration: (to - from) as f64 / WHISPER_RATE as f64,
            segments: self.transcript.segments.split_off(first_segment),
            words: self.transcript.words.split_off(first_word),
        };
        shift(&mut part, -offset);
        let result = self.look_again(from, to, &mut part);
        // The stretch goes back whatever happened, so no word is lost.
        shift(&mut part, offset);
        self.transcript.segments.append(&mut part.segments);
        self.transcript.words.append(&mut part.words);
        self.looked_to = to;
        let looks = result?;
        self.report
            .second_looks
            .extend(looks.into_iter().map(|l| Span {
                start: l.start + offset,
                end: l.end + offset,
            }));
        Ok(())
    }

    /// The second look at `part`, the transcript of the joined audio's
    /// `[from, to)` in its own time: words found are put into it; returns
    /// the stretches looked at (in its time).
    fn look_again(
        &mut self,
        from: usize,
        to: usize,
        part: &mut Transcript,
    ) -> Result<Vec<Span>, StreamError> {
        let Some(speech) = self.speech_in(from, to)? else {
            return Ok(Vec::new());
        };
        // Words first kept inside the speech, as in batch transcription
        // (whisper stretches words over pauses, hiding what it left out).
        super::clamp_to_speech(&mut part.words, &speech);
        let pcm = self.join.joined().get(from..to).to_vec();
        let mut report = self.transcriber.new_report();
        let (transcriber, settings) = (self.transcriber, self.settings);
        // No pass goes before `seek` again.
        self.look_memo
            .forget_before(self.seek as f64 / WHISPER_RATE as f64);
        self.look_memo.set_offset(from as f64 / WHISPER_RATE as f64);
        self.counted(Kind::SecondLook, |w| {
            super::batch::second_look(
                transcriber,
                &pcm,
                &speech,
                part,
                &settings.decode,
                &mut report,
                Some(&mut w.look_memo),
            )
        })
        .map_err(|source| StreamError::Window {
            at: from as f64 / WHISPER_RATE as f64,
            source,
        })?;
        Ok(report.second_looks)
    }

    /// Where the speaker is pausing, if they are: just after the last word
    /// before a silence of [`PAUSE_FRAMES`] that lasts to now.
    ///
    /// With Silero the joined audio ends at the speech before the pause
    /// (and its padding), so the pause point is its end.
    fn pause_point(&self) -> Option<usize> {
        if let Some(tracker) = &self.tracker {
            let pause_secs = (PAUSE_FRAMES * FRAME) as f64 / WHISPER_RATE as f64;
            let pausing = tracker
                .silence_since_speech()
                .is_some_and(|quiet| quiet >= pause_secs);
            return pausing.then(|| self.audio_len());
        }
        let (quiet, n) = (self.trailing_quiet_frames(), self.speech.len());
        (quiet >= PAUSE_FRAMES && quiet < n).then(|| (n - quiet + PAUSE_KEEP_FRAMES) * FRAME)
    }

    /// Without a speech detector: how many of the last frames the energy
    /// detector heard no speech in.
    fn trailing_quiet_frames(&self) -> usize {
        self.speech.iter().rev().take_while(|s| !**s).count()
    }

    /// How long the speaker has been silent since they last spoke, seconds
    /// (0 while speaking or before any speech).
    fn silent_for(&self) -> f64 {
        if let Some(tracker) = &self.tracker {
            return tracker.silence_since_speech().unwrap_or(0.0);
        }
        let quiet = self.trailing_quiet_frames();
        if quiet == self.speech.len() {
            return 0.0;
        }
        (quiet * FRAME) as f64 / WHISPER_RATE as f64
    }

    /// Where the audio is covered to: the end of the last pass since the
    /// last window, else that window's end.
    fn decoded_to(&self) -> usize {
        self.passes
            .last()
            .map_or(self.seek, |p| p.to.max(self.seek))
    }

    /// Where to cut a pass now, if one is due: at the pause the speaker is
    /// making, once [`PAUSE_PASS_MIN_NEW_SAMPLES`] have come since the last
    /// pass; else, once [`FORCED_PASS_SAMPLES`] have piled up, at the
    /// quietest point of the new audio (see [`Self::quiet_cut`]). True
    /// when the cut is firm: at a pause or a silence the detector heard.
    fn pass_point(&mut self) -> Result<Option<(usize, bool)>, StreamError> {
        let done_to = self.decoded_to();
        let len = self.audio_len();
        if let Some(to) = self.pause_point() {
            let new = to.saturating_sub(done_to);
            if new >= PAUSE_PASS_MIN_NEW_SAMPLES
                || (new >= STOPPED_MIN_NEW_SAMPLES && self.silent_for() >= STOPPED_SILENCE_SECS)
            {
                return Ok(Some((to, true)));
            }
        }
        if len < done_to + FORCED_PASS_SAMPLES {
            return Ok(None);
        }
        let hi = len.saturating_sub(CUT_END_GUARD_SAMPLES);
        // Within the last few seconds: a worker that fell behind makes one
        // long pass over the audio that piled up, not many short ones.
        let lo = (done_to + MIN_CUT_ADVANCE_SAMPLES).max(hi.saturating_sub(FORCED_PASS_SAMPLES));
        if hi <= lo {
            return Ok(None);
        }
        Ok(Some(self.quiet_cut(lo, hi)))
    }

    /// The best place in the joined audio's `[lo, hi)` to end a pass: the
    /// middle of the longest stretch the speech detector heard no speech
    /// in (a firm cut: true), else (no such stretch, or no detector) the
    /// quietest 100 ms (false: it may be inside a word).
    fn quiet_cut(&self, lo: usize, hi: usize) -> (usize, bool) {
        let rate = WHISPER_RATE as f64;
        if let Some(spans) = self.analysed_speech_in(lo, hi) {
            // Non-speech stretches in [lo, hi) before and between speech
            // the detector has heard, seconds from lo. Not after the last:
            // that speech may still be going on (the detector closes a
            // segment only after a silence, and hears the newest audio
            // last), and a cut there, taken as final with its block, splits
            // a word.
            let gaps = silences_between(&spans, 0.0);
            // Ties go to the later stretch (less left after the cut).
            if let Some(&(a, b)) = gaps
                .iter()
                .filter(|(a, b)| b - a >= 0.1)
                .max_by(|x, y| (x.1 - x.0).total_cmp(&(y.1 - y.0)))
            {
                return (lo + (((a + b) / 2.0) * rate) as usize, true);
            }
        }
        let energies = frame_energies(self.join.joined().get(lo..hi));
        if energies.len() < QUIET_SMOOTH_FRAMES {
            return (hi, false);
        }
        let mut best = (f32::INFINITY, hi);
        for (i, w) in energies.windows(QUIET_SMOOTH_FRAMES).enumerate() {
            let e: f32 = w.iter().sum();
            if e <= best.0 {
                let centre = i * QUIET_FRAME + QUIET_SMOOTH_FRAMES * QUIET_FRAME / 2;
                best = (e, lo + centre);
            }
        }
        (best.1.min(hi), self.is_room_quiet(best.0))
    }

    /// Whether a 100 ms stretch of this energy (summed over
    /// [`QUIET_SMOOTH_FRAMES`] frames) is a pause, not a stop inside a word:
    /// within [`QUIET_ABOVE_FLOOR`] of the quietest 100 ms of the audio
    /// kept (the room between words) and [`QUIET_BELOW_SPEECH`] under its
    /// loud speech. Pauses too short for the speech detector to close a
    /// segment (0.2-0.3 s between sentences) are then firm cuts too.
    fn is_room_quiet(&self, energy: f32) -> bool {
        let frames = frame_energies(self.join.joined().kept());
        let mut smoothed: Vec<f32> = frames
            .windows(QUIET_SMOOTH_FRAMES)
            .map(|w| w.iter().sum())
            .collect();
        if smoothed.len() < 10 {
            return false;
        }
        smoothed.sort_by(|a, b| a.total_cmp(b));
        let floor = smoothed[0];
        let loud = smoothed[smoothed.len() * 9 / 10];
        energy <= floor * QUIET_ABOVE_FLOOR + f32::EPSILON * 1e-3
            && energy * QUIET_BELOW_SPEECH <= loud
    }

    /// The passes a new pass ending at `to` decodes again (it starts where
    /// the first of them did), taken off the list; none when it goes on
    /// from the last.
    ///
    /// Passes after the last block ([`MIN_BLOCK_SAMPLES`] or more) are
    /// decoded again from where that block ended, so that whisper hears them
    /// in context, while that run is short ([`REDO_WITHIN_SAMPLES`]) and
    /// once it makes a whole block. In low-latency mode a new pass goes on
    /// from the last in between, so no pass is long until the block is
    /// due: when the answer ends, the pass under way is cancelled and only
    /// the audio after the last finished one is left, which must stay a
    /// few seconds (a pass over a 12-16 s block, cancelled at the end,
    /// left 4-8 s of a real answer undecoded). A pass whose cut may split
    /// a word is decoded again with the new audio.
    fn passes_to_redo(&mut self, to: usize) -> Vec<PausePass> {
        let short_from = self
            .passes
            .iter()
            .rposition(|p| p.to - p.from >= MIN_BLOCK_SAMPLES || p.stands_for_block)
            .map_or(0, |i| i + 1);
        if let Some(first_short) = self.passes.get(short_from) {
            let span = to.saturating_sub(first_short.from);
            if !self.settings.commit_blocks
                || span <= REDO_WITHIN_SAMPLES
                || span >= MIN_BLOCK_SAMPLES
            {
                return self.passes.split_off(short_from);
            }
        }
        if self.settings.commit_blocks && self.passes.last().is_some_and(|p| !p.firm) {
            return self.passes.split_off(self.passes.len() - 1);
        }
        Vec::new()
    }

    /// Transcribes the audio since the last window up to a pause, or up to
    /// a quiet point when much is left undecoded (see the module docs and
    /// [`Self::pass_point`]). Cancelled if the answer ends meanwhile.
    /// True if a pass ran to its end.
    fn maybe_pause_pass(&mut self) -> Result<bool, StreamError> {
        self.restore_firm_passes_in_silence();
        let Some((to, firm)) = self.pass_point()? else {
            return Ok(false);
        };
        let replaced = self.passes_to_redo(to);
        let from = replaced.first().map_or(self.decoded_to(), |p| p.from);
        if to < from + MIN_REST_SAMPLES || !self.has_speech(from, to)? {
            self.passes.extend(replaced);
            return Ok(false);
        }
        // A pass that makes a block over passes already decoded: if it
        // derails, the loop guard's whole ladder (up to four runs over 16 s
        // or more, 5 s with base on 2 cores) would keep the worker from the
        // audio after it for longer than the recorder's end-of-answer
        // silence. One more attempt at most; still derailed, the shorter
        // passes stand and are taken as final.
        let block_over_passes =
            self.settings.commit_blocks && !replaced.is_empty() && to - from >= MIN_BLOCK_SAMPLES;
        let limits = RunLimits {
            cancellable: true,
            max_retries: block_over_passes.then_some(BLOCK_OVER_PASSES_RETRIES),
        };
        match self.counted(Kind::Pass, |w| w.decode_rest(from, to, limits)) {
            Ok(decoded)
                if block_over_passes && still_derailed(&decoded) && can_stand(&replaced) =>
            {
                if super::debug_walk() {
                    eprintln!(
                        "pass: {:.2}-{:.2} s still derailed ({:?}): the {} passes under it stand",
                        from as f64 / WHISPER_RATE as f64,
                        to as f64 / WHISPER_RATE as f64,
                        decoded.transcript.text,
                        replaced.len()
                    );
                }
                self.passes.extend(replaced.into_iter().map(|p| PausePass {
                    stands_for_block: true,
                    ..p
                }));
                Ok(false)
            }
            Ok(mut decoded) => {
                if super::debug_walk() {
                    eprintln!(
                        "pass: {:.2}-{:.2} s (audio {:.2} s): {}",
                        from as f64 / WHISPER_RATE as f64,
                        to as f64 / WHISPER_RATE as f64,
                        self.audio_len() as f64 / WHISPER_RATE as f64,
                        decoded.transcript.text
                    );
                }
                // whisper sometimes ends a pass early: after "Thanks." and a
                // breath it may stop, leaving the next 10-20 s of speech
                // without words however often the pass is decoded again
                // from the same place. In low-latency mode the pass then
                // ends at the silence after its last word, and is taken as
                // final: the next pass starts there, as whisper's own walk
                // through a recording goes on after its last timestamp.
                let mut to = to;
                let mut whisper_stopped = false;
                if self.settings.commit_blocks
                    && !self.words_reach_speech_end(from, to, &decoded.transcript)
                {
                    if let Some(cut) = self.silence_after_words(from, to, &decoded.transcript) {
                        to = cut;
                        whisper_stopped = true;
                        decoded.transcript.duration = (to - from) as f64 / WHISPER_RATE as f64;
                        clamp_times(&mut decoded.transcript);
                    }
                }
                // Its second look too, unless the answer has ended: then
                // the speaker is waiting, and it is taken with the rest.
                let looks = if self.ended.load(Ordering::SeqCst) {
                    None
                } else {
                    Some(self.look_again(from, to, &mut decoded.transcript)?)
                };
                // A pass whisper ended early and that could not be cut at
                // the silence after its words (above) is never final.
                let firm = whisper_stopped
                    || (firm && self.words_reach_speech_end(from, to, &decoded.transcript));
                if firm {
                    self.firm_before.clear();
                } else if !replaced.is_empty() && replaced.iter().all(|r| r.firm) {
                    self.firm_before = replaced;
                }
                self.passes.push(PausePass {
                    from,
                    to,
                    decoded,
                    looks,
                    firm,
                    whisper_stopped,
                    stands_for_block: false,
                });
                Ok(true)
            }
            Err(StreamError::Window {
                source: TranscribeError::Cancelled,
                ..
            }) => {
                // The answer ended: the pass before stands.
                self.passes.extend(replaced);
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Decodes `audio[from..to]`, the audio after the last window (whole,
    /// or up to a pause), as whisper would decode the end of a recording.
    fn decode_rest(
        &mut self,
        from: usize,
        to: usize,
        limits: RunLimits,
    ) -> Result<Decoded, StreamError> {
        let prompt: Vec<i32> = if from > 0 && to - from < SHORT_REST_SAMPLES {
            Vec::new()
        } else {
            // The text so far, with the passes since the last window.
            let mut prompt = self.context.clone();
            for pass in &self.passes {
                prompt.extend_from_slice(&pass.decoded.tokens);
            }
            let excess = prompt.len().saturating_sub(MAX_PROMPT_TOKENS);
            prompt.drain(..excess);
            prompt
        };
        // The encoder window fits the audio (plus a margin), for passes as
        // for the run the speaker waits for: a full 30 s window for a few
        // seconds of audio is most of a pass's cost.
        let audio_ctx = self.settings.tail_audio_ctx_margin_secs.map(|margin| {
            let secs = (to - from) as f64 / WHISPER_RATE as f64 + margin.max(0.0);
            (secs * AUDIO_CTX_PER_SEC).ceil() as usize
        });
        self.decode(from, to, false, audio_ctx, &prompt, limits)
    }

    /// Decodes what is left after the last window (using the pass up to the
    /// latest pause, when there is one); false if nothing was left.
    fn rest(&mut self) -> Result<bool, StreamError> {
        let end = self.audio_len();
        let mut decoded_any = false;
        for pass in std::mem::take(&mut self.passes) {
            if pass.from == self.seek && pass.to <= end {
                self.commit(pass);
                decoded_any = true;
            }
        }
        let start = self.seek;
        if !self.has_speech(start, end)? {
            return Ok(decoded_any);
        }
        if end < start + MIN_REST_SAMPLES {
            if !decoded_any {
                // As whisper: less than a second after the last window is left.
                return Ok(false);
            }
            // A short last phrase after a pause ("Thank you."): whisper
            // decodes nothing shorter than a second, so it gets a little
            // silence after it.
            self.join
                .joined_mut()
                .resize(start + MIN_REST_SAMPLES + FRAME);
            let len = self.audio_len();
            let decoded = self.counted(Kind::Final, |w| {
                w.decode_rest(start, len, RunLimits::whole(false))
            });
            self.final_run = end - start;
            self.join.joined_mut().resize(end);
            self.take(decoded?, start);
            self.seek = end;
            return Ok(true);
        }
        let decoded = self.counted(Kind::Final, |w| {
            w.decode_rest(start, end, RunLimits::whole(false))
        })?;
        self.final_run = end - start;
        self.take(decoded, start);
        self.seek = end;
        Ok(true)
    }

    /// Whether the words of a run over the joined audio's `[from, to)`
    /// (times from `from`) go on to within [`WORDS_REACH_SPEECH_END_SECS`]
    /// of the last speech the detector heard there. True without a detector.
    fn words_reach_speech_end(&self, from: usize, to: usize, part: &Transcript) -> bool {
        let Some(spans) = self.analysed_speech_in(from, to) else {
            return true;
        };
        let Some(speech_end) = spans.last().map(|s| s.end) else {
            return true;
        };
        let words_end = part.words.last().map_or(0.0, |w| w.end);
        speech_end - words_end <= WORDS_REACH_SPEECH_END_SECS
    }

    /// Where a run over the joined audio's `[from, to)` whose words stop
    /// before its speech does can end instead: the middle of the first
    /// silence the detector heard (at least [`STOPPED_GAP_SECS`]) that
    /// begins within [`WORDS_REACH_SPEECH_END_SECS`] of the last word, with
    /// speech after it. None when the words stop inside speech that goes
    /// on (whisper left some of it out: no cut would be safe there).
    fn silence_after_words(&self, from: usize, to: usize, part: &Transcript) -> Option<usize> {
        let spans = self.analysed_speech_in(from, to)?;
        let words_end = part.words.last()?.end;
        silences_between(&spans, spans.first()?.start)
            .into_iter()
            .find(|&(gap_start, gap_end)| {
                gap_end > words_end && gap_end - gap_start >= STOPPED_GAP_SECS
            })
            .filter(|&(gap_start, _)| gap_start - words_end <= WORDS_REACH_SPEECH_END_SECS)
            .map(|(gap_start, gap_end)| {
                let cut = ((gap_start.max(words_end) + gap_end) / 2.0) * WHISPER_RATE as f64;
                from + cut as usize
            })
            .filter(|&cut| cut > from + MIN_REST_SAMPLES && cut < to)
    }

    /// When the answer ends on a pass cut at the quietest moment of speech
    /// (no silence heard near it: the cut may split a word, which whisper
    /// then loses on both sides), its audio is decoded again with the rest:
    /// the firm pass it replaced stands instead, or, when it followed on
    /// from a block, it is dropped if short.
    fn drop_unfirm_tail(&mut self) {
        if put_back_firm_passes(&mut self.passes, &mut self.firm_before).is_some() {
            return;
        }
        if self
            .passes
            .last()
            .is_some_and(|last| !last.firm && last.to - last.from <= 2 * FORCED_PASS_SAMPLES)
        {
            self.passes.pop();
        }
    }

    /// Once the speaker has been silent for [`STOPPED_SILENCE_SECS`], does
    /// now what the end of the answer would do with a last pass that is not
    /// firm over firm passes it replaced ([`Self::drop_unfirm_tail`]): the
    /// firm passes are put back, taken as final (no later pass decodes them
    /// again, or the same pass would be made again), and the audio after
    /// them is then decoded while the speaker is still silent. Such a pass
    /// covers the audio to its end, so no pass was due: a block over a
    /// real answer's closing "uh, uh, uh" that stayed derailed left the
    /// worker idle through the 4 s of quiet and 1.9 s of the last words to
    /// decode after it.
    fn restore_firm_passes_in_silence(&mut self) {
        if !self.settings.commit_blocks || self.silent_for() < STOPPED_SILENCE_SECS {
            return;
        }
        let dropped = put_back_firm_passes(&mut self.passes, &mut self.firm_before);
        if let Some(pass) = dropped.filter(|_| super::debug_walk()) {
            eprintln!(
                "silence: the pass {:.2}-{:.2} s is not firm; the firm passes under it stand",
                pass.from as f64 / WHISPER_RATE as f64,
                pass.to as f64 / WHISPER_RATE as f64,
            );
        }
    }

    /// Takes a pass that starts at `seek` into the transcript, with its
    /// second look, and moves `seek` to its end.
    fn commit(&mut self, pass: PausePass) {
        self.take(pass.decoded, pass.from);
        if let Some(looks) = pass.looks {
            let offset = pass.from as f64 / WHISPER_RATE as f64;
            self.report
                .second_looks
                .extend(looks.into_iter().map(|l| Span {
                    start: l.start + offset,
                    end: l.end + offset,
                }));
            self.looked_to = self.looked_to.max(pass.to);
        }
        self.seek = pass.to;
    }

    /// Takes the passes that are whole blocks ([`MIN_BLOCK_SAMPLES`] or
    /// more, with their second look) as final: no later pass decodes their
    /// audio again, so neither does a 30 s window. The window walk then
    /// goes on from the end of the last one, and whisper never spends a
    /// full window's run (about 2 s with base on 2 cores, during which the
    /// tail is not decoded) on audio the passes already hold.
    fn commit_blocks(&mut self) {
        while self.passes.first().is_some_and(|p| {
            p.from == self.seek
                && (p.to - p.from >= MIN_BLOCK_SAMPLES || p.whisper_stopped || p.stands_for_block)
                && p.firm
                && p.looks.is_some()
        }) {
            let pass = self.passes.remove(0);
            self.commit(pass);
        }
    }

    fn decode(
        &mut self,
        start: usize,
        end: usize,
        first_window_only: bool,
        audio_ctx: Option<usize>,
        prompt: &[i32],
        limits: RunLimits,
    ) -> Result<Decoded, StreamError> {
        let speech = self.speech_in(start, end)?;
        // The last 80 words before this audio (the passes since the last
        // window that end where this run starts or earlier; the others
        // decoded this same audio, and their text is no copy).
        let pass_words = self
            .passes
            .iter()
            .filter(|p| p.to <= start)
            .flat_map(|p| &p.decoded.transcript.words);
        let mut before: Vec<String> = self
            .transcript
            .words
            .iter()
            .chain(pass_words)
            .map(|w| normalise(&w.word))
            .collect();
        before.drain(..before.len().saturating_sub(80));
        let pcm = self.join.joined().get(start..end);
        self.decodes += 1;
        self.transcriber
            .run(&RunRequest {
                pcm,
                duration: pcm.len() as f64 / WHISPER_RATE as f64,
                threads: self.settings.decode.threads,
                initial_prompt: None,
                prompt_tokens: prompt,
                audio_ctx,
                first_window_only,
                cancel: limits.cancellable.then(|| self.ended.clone()),
                speech: speech.as_deref(),
                before: &before,
                guard: true,
                max_retries: limits.max_retries,
                max_tokens: None,
                hesitations_within: None,
            })
            .map_err(|source| StreamError::Window {
                at: start as f64 / WHISPER_RATE as f64,
                source,
            })
    }

    /// Adds a run's segments and words, moved into answer time, and its
    /// tokens to the context.
    fn take(&mut self, decoded: Decoded, start: usize) {
        let offset = start as f64 / WHISPER_RATE as f64;
        if let Some(mut r) = decoded.redecoded.clone() {
            r.start += offset;
            r.end += offset;
            for p in r.problems.iter_mut().chain(r.remaining.iter_mut()) {
                if let super::guard::Derail::Hole { start, end } = p {
                    *start += offset;
                    *end += offset;
                }
            }
            self.report.redecoded.push(r);
        }
        self.extend_context(&decoded.tokens);
        append_shifted(
            &mut self.transcript,
            decoded.transcript,
            start as f64 / WHISPER_RATE as f64,
        );
    }
}

/// How far the worker lets one run go.
#[derive(Debug, Clone, Copy)]
struct RunLimits {
    /// Abandoned when the answer ends.
    cancellable: bool,
    /// Most loop-guard attempts after the first (None: the whole ladder).
    max_retries: Option<usize>,
}

impl RunLimits {
    /// The loop guard's whole ladder.
    fn whole(cancellable: bool) -> Self {
        RunLimits {
            cancellable,
            max_retries: None,
        }
    }
}

/// When the last of `passes` is not firm and `firm_before` holds the firm
/// passes it replaced (starting where it does), takes it off and puts them
/// back, taken as final ([`PausePass::stands_for_block`]); returns the pass
/// taken off. Otherwise changes nothing.
fn put_back_firm_passes(
    passes: &mut Vec<PausePass>,
    firm_before: &mut Vec<PausePass>,
) -> Option<PausePass> {
    let last = passes.last()?;
    if last.firm || firm_before.first().is_none_or(|f| f.from != last.from) {
        return None;
    }
    let dropped = passes.pop();
    passes.extend(firm_before.drain(..).map(|p| PausePass {
        stands_for_block: true,
        ..p
    }));
    dropped
}

/// Whether the loop guard left a run's text wrong (a loop, a copy, far too
/// many or too few words), not merely doubtful or incomplete.
fn still_derailed(decoded: &Decoded) -> bool {
    decoded
        .redecoded
        .as_ref()
        .is_some_and(|r| r.remaining.iter().any(super::guard::Derail::is_severe))
}

/// Whether passes can be taken as final in place of a block over them:
/// each ends at a pause or silence, has had its second look, and is not
/// itself left derailed.
fn can_stand(passes: &[PausePass]) -> bool {
    passes
        .iter()
        .all(|p| p.firm && p.looks.is_some() && !still_derailed(&p.decoded))
}

/// The stretches without speech from `start` on, up to the last of
/// `spans` (in order): `(start, end)` pairs, seconds.
fn silences_between(spans: &[Span], start: f64) -> Vec<(f64, f64)> {
    let last_end = spans.last().map_or(start, |s| s.end);
    crate::audio::silero::uncovered(spans, start, last_end)
}

/// Mean energy of each [`QUIET_FRAME`] of `pcm`.
fn frame_energies(pcm: &[f32]) -> Vec<f32> {
    pcm.chunks(QUIET_FRAME)
        .map(|c| c.iter().map(|x| x * x).sum::<f32>() / c.len() as f32)
        .collect()
}

/// Moves every time in `transcript` by `secs`.
fn shift(transcript: &mut Transcript, secs: f64) {
    for w in &mut transcript.words {
        w.start += secs;
        w.end += secs;
    }
    for s in &mut transcript.segments {
        s.start += secs;
        s.end += secs;
    }
}

/// Keeps every time within the answer: a run's times end at its own length,
/// and moved into answer time they can overshoot its end by a rounding error.
pub(super) fn clamp_times(transcript: &mut Transcript) {
    let end = transcript.duration;
    for word in &mut transcript.words {
        word.end = word.end.min(end);
        word.start = word.start.min(word.end);
    }
    for segment in &mut transcript.segments {
        segment.end = segment.end.min(end);
        segment.start = segment.start.min(segment.end);
    }
}

/// Appends a run's transcript, its times moved by `offset` seconds.
pub(super) fn append_shifted(whole: &mut Transcript, part: Transcript, offset: f64) {
    // A run's words never start before the end of the previous run's.
    let floor = whole.words.last().map_or(0.0, |w| w.end);
    for mut segment in part.segments {
        segment.start += offset;
        segment.end += offset;
        whole.segments.push(segment);
    }
    for mut word in part.words {
        word.start = (word.start + offset).max(floor);
        word.end = (word.end + offset).max(word.start);
        whole.words.push(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::Segment;

    use crate::transcribe::test_word as word;

    fn pass(from: usize, to: usize, firm: bool) -> PausePass {
        PausePass {
            from,
            to,
            decoded: Decoded {
                transcript: Transcript {
                    text: String::new(),
                    duration: (to - from) as f64 / WHISPER_RATE as f64,
                    segments: Vec::new(),
                    words: Vec::new(),
                },
                tokens: Vec::new(),
                sequence: Vec::new(),
                avg_logprob: None,
                redecoded: None,
            },
            looks: Some(Vec::new()),
            firm,
            whisper_stopped: false,
            stands_for_block: false,
        }
    }

    fn spans_of(passes: &[PausePass]) -> Vec<(usize, usize, bool, bool)> {
        passes
            .iter()
            .map(|p| (p.from, p.to, p.firm, p.stands_for_block))
            .collect()
    }

    #[test]
    fn a_pass_that_is_not_firm_gives_way_to_the_firm_passes_it_replaced() {
        // A block pass 10-27 (not firm) over firm passes 10-14, 14-20, 20-25.
        let mut passes = vec![pass(0, 10, true), pass(10, 27, false)];
        let mut firm_before = vec![pass(10, 14, true), pass(14, 20, true), pass(20, 25, true)];
        let dropped = put_back_firm_passes(&mut passes, &mut firm_before);
        assert_eq!(dropped.map(|p| (p.from, p.to)), Some((10, 27)));
        assert_eq!(
            spans_of(&passes),
            vec![
                (0, 10, true, false),
                (10, 14, true, true),
                (14, 20, true, true),
                (20, 25, true, true)
            ]
        );
        assert!(firm_before.is_empty());
        // Nothing left to put back: a second call changes nothing.
        assert!(put_back_firm_passes(&mut passes, &mut firm_before).is_none());
        assert_eq!(passes.len(), 4);
    }

    #[test]
    fn a_firm_last_pass_or_firm_passes_from_elsewhere_stay_as_they_are() {
        let mut passes = vec![pass(10, 27, true)];
        let mut firm_before = vec![pass(10, 14, true)];
        assert!(put_back_firm_passes(&mut passes, &mut firm_before).is_none());
        assert_eq!(spans_of(&passes), vec![(10, 27, true, false)]);
        assert_eq!(firm_before.len(), 1);
        let mut passes = vec![pass(0, 10, true), pass(10, 27, false)];
        let mut firm_before = vec![pass(4, 10, true)];
        assert!(put_back_firm_passes(&mut passes, &mut firm_before).is_none());
        assert_eq!(passes.len(), 2);
        assert_eq!(firm_before.len(), 1);
    }

    #[test]
    fn a_window_moves_on_as_whisper_does() {
        let ts = 50_000; // first timestamp token
        let text = 100;
        // <|0.00|> text <|5.00|><|5.00|> text <|9.00|>: complete, whole window.
        let complete = [ts, text, ts + 250, ts + 250, text, ts + 450];
        assert_eq!(advance_frames(&complete, ts), 3000);
        // ... <|5.00|><|5.00|> text (cut off): back to the last timestamp.
        let cut = [ts, text, ts + 250, ts + 250, text];
        assert_eq!(advance_frames(&cut, ts), 500);
        // ... <|5.00|><|27.00|> (a pair at the end): the last timestamp.
        let pair = [ts, text, ts + 250, ts + 1350];
        assert_eq!(advance_frames(&pair, ts), 2700);
        assert_eq!(advance_frames(&[text, text], ts), 3000);
        assert_eq!(advance_frames(&[], ts), 3000);
    }

    #[test]
    fn times_moved_past_the_end_by_rounding_are_brought_back() {
        // 1141572 samples of 16 kHz: a last run from 60.5 s ends at its own
        // length, which moved back into answer time can overshoot the end.
        let duration = 1_141_572.0 / 16_000.0;
        let offset = 968_000.0 / 16_000.0;
        let mut whole = Transcript {
            text: String::new(),
            duration,
            segments: vec![Segment {
                start: offset,
                end: offset + (1_141_572.0 - 968_000.0) / 16_000.0 + 1e-9,
                text: "quarter.".into(),
            }],
            words: vec![word("quarter.", duration - 0.4, duration + 1e-9)],
        };
        clamp_times(&mut whole);
        assert_eq!(whole.words[0].end, duration);
        assert_eq!(whole.segments[0].end, duration);
        assert_eq!(whole.words[0].start, duration - 0.4);
    }

    #[test]
    fn window_times_move_into_answer_time() {
        let mut whole = Transcript {
            text: String::new(),
            duration: 0.0,
            segments: vec![],
            words: vec![],
        };
        let first = Transcript {
            text: "Hello there.".into(),
            duration: 4.0,
            segments: vec![Segment {
                start: 0.0,
                end: 3.9,
                text: "Hello there.".into(),
            }],
            words: vec![word("Hello", 0.5, 1.0), word("there.", 1.0, 3.9)],
        };
        let second = Transcript {
            text: "Bye.".into(),
            duration: 2.0,
            segments: vec![Segment {
                start: 0.0,
                end: 1.0,
                text: "Bye.".into(),
            }],
            words: vec![word("Bye.", 0.0, 1.0)],
        };
        append_shifted(&mut whole, first, 10.0);
        append_shifted(&mut whole, second, 13.8);
        let times: Vec<(f64, f64)> = whole.words.iter().map(|w| (w.start, w.end)).collect();
        // "Bye." would start at 13.8, before "there." ends: it is moved to 13.9.
        assert_eq!(times, [(10.5, 11.0), (11.0, 13.9), (13.9, 14.8)]);
        assert_eq!(whole.segments[1].start, 13.8);
        assert_eq!(join_segment_texts(&whole.segments), "Hello there. Bye.");
    }
}
