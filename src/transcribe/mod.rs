//! Local speech-to-text with whisper.cpp (through whisper-rs): one loaded model
//! and decoding state, transcripts with word-level timestamps (DTW-aligned)
//! and probabilities, in one go ([`Transcriber::transcribe`]) or while the
//! answer is still being spoken ([`streaming`]).

mod batch;
pub mod file;
pub mod guard;
pub mod hums;
mod live_join;
mod look_memo;
mod recent_audio;
pub mod replay;
pub mod streaming;
mod words;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters, WhisperState,
};

use crate::audio::resample::WHISPER_RATE;
use crate::audio::silero::{Silero, SileroError, Span, SpeechParams};
use crate::model::ggml::{self, GgmlError, Hparams};
use crate::model::store;
use guard::{assess, badness, Derail, RunOutput};
use words::{assemble_words, WordPiece};

pub use words::{clamp_to_speech, meet_speech_edges};

pub use streaming::{StreamError, StreamSettings, StreamingTranscriber};

/// Whether REHEARSE_DEBUG_WALK asks for the walk through an answer on
/// stderr (windows, passes, second looks and what whisper wrote).
pub(crate) fn debug_walk() -> bool {
    std::env::var_os("REHEARSE_DEBUG_WALK").is_some()
}

/// Whether REHEARSE_DEBUG_RUNS asks for each whisper run and each step of
/// an answer's end on stderr, stamped with [`epoch_ms`].
pub(crate) fn debug_runs() -> bool {
    std::env::var_os("REHEARSE_DEBUG_RUNS").is_some()
}

/// Now, in milliseconds since the epoch: the stamp of REHEARSE_DEBUG_RUNS's
/// lines, so the steps of an answer's end can be laid side by side.
pub(crate) fn epoch_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// A word for unit tests (probability 0.9).
#[cfg(test)]
pub(crate) fn test_word(text: &str, start: f64, end: f64) -> Word {
    Word {
        word: text.into(),
        start,
        end,
        probability: 0.9,
    }
}

/// One recognised word with its place in the audio.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Word {
    /// The word as spoken, with any punctuation whisper attached.
    pub word: String,
    /// Start, in seconds from the beginning of the audio.
    pub start: f64,
    /// End, in seconds from the beginning of the audio.
    pub end: f64,
    /// Mean token probability (0..1): low values mark uncertain words.
    pub probability: f32,
}

/// A stretch of text whisper decoded as one unit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// A full transcript.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transcript {
    pub text: String,
    pub duration: f64,
    pub segments: Vec<Segment>,
    pub words: Vec<Word>,
}

/// How to decode.
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    pub threads: usize,
    /// Text whisper sees as "what came before": steers spelling and style.
    pub initial_prompt: Option<String>,
    /// Setting this flag abandons a batch transcription: the whisper run
    /// under way stops at its next step (whisper's abort callback), none
    /// follows, and the call fails with [`TranscribeError::Cancelled`]. The
    /// model is left ready for the next transcription.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl DecodeOptions {
    /// Whether the caller asked for a disfluent transcript (an initial
    /// prompt, as sessions and `analyze` give): fillers are then looked
    /// for beyond what whisper writes (second looks, hums).
    pub fn asks_for_fillers(&self) -> bool {
        self.initial_prompt
            .as_deref()
            .is_some_and(|p| !p.trim().is_empty())
    }
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism()
                .map(|n| n.get().min(8))
                .unwrap_or(2),
            initial_prompt: None,
            cancel: None,
        }
    }
}

/// Why transcription failed.
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    #[error(transparent)]
    BadModel(#[from] GgmlError),
    #[error(transparent)]
    Checksum(#[from] store::StoreError),
    #[error("whisper could not load {path}: {message}")]
    Load { path: PathBuf, message: String },
    #[error("whisper failed on the audio: {0}")]
    Decode(String),
    #[error("no audio to transcribe (0 samples)")]
    NoAudio,
    #[error("transcription cancelled")]
    Cancelled,
}

/// Model loads in this process, for checking that answers reuse one model.
static MODEL_LOADS: AtomicUsize = AtomicUsize::new(0);

/// How many times a model was loaded in this process (by [`Transcriber::load`]).
pub fn model_loads() -> usize {
    MODEL_LOADS.load(Ordering::SeqCst)
}

/// A loaded whisper model and its one decoding state, reused for every
/// transcription (batch or streaming): nothing is loaded per answer, and a
/// state is made again only for a sampled attempt of the loop guard, so
/// that it comes out the same every time.
pub struct Transcriber {
    context: WhisperContext,
    /// whisper.cpp's working memory (KV caches, compute buffers); one run at
    /// a time. Empty only between dropping a state and making its successor.
    state: Mutex<Option<WhisperState>>,
    hparams: Hparams,
    model_path: PathBuf,
    runs: AtomicU64,
    /// The work every run (cancelled ones too) has cost so far.
    work: Mutex<WhisperWork>,
    /// Silero speech detection, when its model was found.
    vad: Option<Silero>,
    /// Why there is no Silero model (shown as a warning).
    vad_missing: Option<String>,
}

/// What whisper runs have cost: wall time busy decoding and the audio the
/// encoder took in (its work is about proportional to that: a full window
/// is 30 s whatever the audio, a run with a smaller `audio_ctx` less).
/// Counts every attempt, cancelled ones included.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct WhisperWork {
    /// whisper.cpp calls (attempts: the loop guard may make up to three
    /// for one decode; cancelled ones count).
    pub calls: u64,
    /// Wall time inside whisper.cpp, seconds (machine- and load-dependent).
    pub busy_secs: f64,
    /// Audio the encoder took in, seconds: encoder passes times the encoder
    /// window (`audio_ctx` / 50, 30 s by default).
    pub encoded_secs: f64,
    /// Real audio the runs were given, seconds (padding excluded).
    pub audio_secs: f64,
}

impl WhisperWork {
    /// The work done between `earlier` and `self` (both totals).
    pub fn since(&self, earlier: &WhisperWork) -> WhisperWork {
        WhisperWork {
            calls: self.calls.saturating_sub(earlier.calls),
            busy_secs: (self.busy_secs - earlier.busy_secs).max(0.0),
            encoded_secs: (self.encoded_secs - earlier.encoded_secs).max(0.0),
            audio_secs: (self.audio_secs - earlier.audio_secs).max(0.0),
        }
    }

    /// Adds `other` to this.
    pub fn add(&mut self, other: &WhisperWork) {
        self.calls += other.calls;
        self.busy_secs += other.busy_secs;
        self.encoded_secs += other.encoded_secs;
        self.audio_secs += other.audio_secs;
    }
}

/// A window whisper decoded again because its first text looked derailed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Redecode {
    /// Where the run's audio starts and ends, seconds in the answer.
    pub start: f64,
    pub end: f64,
    /// What was wrong with the first attempt.
    pub problems: Vec<Derail>,
    /// The attempts made after it ("no prompt", "temperature 0.4", ...).
    pub tried: Vec<String>,
    /// The attempt kept ("as asked" when none did better).
    pub kept: String,
    /// Problems the kept attempt still has.
    pub remaining: Vec<Derail>,
}

/// How a transcript was made: what the speech detector heard and which
/// windows were decoded again.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DecodeReport {
    /// "silero", or "none" (with `vad_warning` saying why).
    pub vad: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vad_warning: Option<String>,
    /// Speech heard, seconds (empty without a speech detector).
    pub speech: Vec<Span>,
    /// Windows decoded again, and why.
    pub redecoded: Vec<Redecode>,
    /// Speech stretches whisper wrote nothing for, decoded on their own.
    pub second_looks: Vec<Span>,
    /// Hums the detector did not call speech (voiced, between two
    /// segments), written as "hmm" and counted in `speech` (see
    /// [`hums`]).
    #[serde(default)]
    pub hums: Vec<Span>,
    /// whisper runs made.
    pub whisper_runs: u64,
}

/// What one whisper run is asked to do (crate-internal: batch and streaming
/// both go through it).
pub(crate) struct RunRequest<'a> {
    /// 16 kHz samples; may end in padding beyond `duration`.
    pub pcm: &'a [f32],
    /// Seconds of real audio in `pcm`; times are clamped to it.
    pub duration: f64,
    pub threads: usize,
    pub initial_prompt: Option<&'a str>,
    /// Token ids of the text before this audio (used when non-empty, instead
    /// of `initial_prompt`).
    pub prompt_tokens: &'a [i32],
    /// Encoder positions to use (50 per second); None for the full 30 s window.
    pub audio_ctx: Option<usize>,
    /// Stop after the first 30 s window (the streaming walk decides where
    /// the next one starts).
    pub first_window_only: bool,
    /// Setting this flag abandons the run (it then fails with
    /// [`TranscribeError::Cancelled`]).
    pub cancel: Option<Arc<AtomicBool>>,
    /// Speech heard in `pcm` (times from its start), for judging the text.
    pub speech: Option<&'a [Span]>,
    /// The normalised words just before this audio (to catch copying).
    pub before: &'a [String],
    /// Judge the text and decode again when it looks derailed.
    pub guard: bool,
    /// Most attempts after the first when it looks derailed (None: the whole
    /// ladder). A streaming pass whose audio is already held by shorter
    /// passes tries once more at most: the speaker may stop meanwhile.
    pub max_retries: Option<usize>,
    /// Most text tokens to decode (None: whisper's own limit).
    pub max_tokens: Option<usize>,
    /// A look for filled pauses only: end the run once its text holds this
    /// many complete words and not one hesitation (see
    /// [`hears_only_words`]); None: decode as whisper would.
    pub hesitations_within: Option<usize>,
}

/// How one attempt at a run differs from the request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Attempt {
    AsAsked,
    NoPrompt,
    Temperature(f32),
}

impl Attempt {
    fn label(self) -> String {
        match self {
            Attempt::AsAsked => "as asked".into(),
            Attempt::NoPrompt => "no prompt".into(),
            Attempt::Temperature(t) => format!("no prompt, temperature {t:.1}"),
        }
    }
}

/// The result of one run: the transcript (times from the start of `pcm`) and
/// the token ids decoded (text and timestamps), to serve as context for what
/// follows.
pub(crate) struct Decoded {
    pub transcript: Transcript,
    pub tokens: Vec<i32>,
    /// For a first-window-only run: the window's whole token sequence as
    /// decoded (the tokens above leave out timestamps that close no segment).
    pub sequence: Vec<i32>,
    /// Mean log-probability of the text tokens.
    pub avg_logprob: Option<f64>,
    /// Set when the run was decoded again (times from the start of `pcm`).
    pub redecoded: Option<Redecode>,
}

impl Transcriber {
    /// Checks the model file (structure, and sha256 when one is recorded) and
    /// only then hands it to whisper.cpp.
    pub fn load(model_path: &Path) -> Result<Self, TranscribeError> {
        let summary = ggml::inspect(model_path)?;
        store::check_recorded_sha256(model_path)?;
        whisper_rs::install_logging_hooks();
        let mut params = WhisperContextParameters::default();
        // DTW word timestamps need the attention weights, which flash
        // attention does not keep (and on this CPU it saved little time).
        params.flash_attn(false);
        if let Some(preset) = dtw_preset(&summary.hparams) {
            params.dtw_parameters(DtwParameters {
                mode: DtwMode::ModelPreset {
                    model_preset: preset,
                },
                ..DtwParameters::default()
            });
        }
        let load_error = |message: String| TranscribeError::Load {
            path: model_path.to_path_buf(),
            message,
        };
        let path_str = model_path
            .to_str()
            .ok_or_else(|| load_error("path is not valid UTF-8".into()))?;
        // Loaded on a thread of its own that ends with the load. On CPUs
        // with AMX, whisper.cpp converts the weights in an OpenMP parallel
        // loop, and the thread that runs one keeps a pool of OpenMP threads
        // for as long as it lives. Left on the caller's thread, that pool
        // plus the one of the thread that later decodes (a session decodes
        // each answer on a thread of its own) make more OpenMP threads than
        // a 2-core machine has cores, and libgomp then stops spinning
        // between whisper's graph steps and puts its threads to sleep after
        // each one: every run of a streamed answer took 1.3-1.8 times as
        // long (a look for a filled pause 0.22 s instead of 0.12 s; 171 000
        // context switches while a 30 s answer was streamed, 4 800 with the
        // model loaded this way; Intel Xeon with AMX, 2 cores, 2026-12-02).
        // tests/model_load.rs checks that no thread is left behind.
        let context = std::thread::scope(|scope| {
            scope
                .spawn(|| WhisperContext::new_with_params(path_str, params))
                .join()
        })
        .map_err(|_| load_error("whisper.cpp panicked while loading the model".into()))?
        .map_err(|e| load_error(e.to_string()))?;
        let state = context
            .create_state()
            .map_err(|e| load_error(format!("cannot allocate the decoding state: {e}")))?;
        MODEL_LOADS.fetch_add(1, Ordering::SeqCst);
        let threads = DecodeOptions::default().threads;
        // The Silero model beside the whisper model, checked against its
        // pinned sha256 before whisper.cpp loads it.
        let models_dir = model_path.parent().unwrap_or_else(|| Path::new("."));
        let vad = crate::model::vad::vad_model_path(models_dir)
            .map_err(|e| e.to_string())
            .and_then(|path| Silero::load(&path, threads).map_err(|e| e.to_string()));
        let (vad, vad_missing) = match vad {
            Ok(vad) => (Some(vad), None),
            Err(e) => (None, Some(e)),
        };
        Ok(Self {
            context,
            state: Mutex::new(Some(state)),
            hparams: summary.hparams,
            model_path: model_path.to_path_buf(),
            runs: AtomicU64::new(0),
            work: Mutex::new(WhisperWork::default()),
            vad,
            vad_missing,
        })
    }

    /// Uses the Silero model at `path` for speech detection (instead of the
    /// one looked for beside the whisper model).
    pub fn set_vad_model(&mut self, path: &Path) -> Result<(), SileroError> {
        self.vad = Some(Silero::load(path, DecodeOptions::default().threads)?);
        self.vad_missing = None;
        Ok(())
    }

    /// The Silero speech detector, if its model was found.
    pub fn vad(&self) -> Option<&Silero> {
        self.vad.as_ref()
    }

    /// Why there is no Silero speech detector (for a warning), if there is none.
    pub fn vad_warning(&self) -> Option<&str> {
        self.vad_missing.as_deref()
    }

    /// Speech heard in 16 kHz audio; None without a Silero model.
    pub fn speech_spans(&self, pcm: &[f32]) -> Result<Option<Vec<Span>>, TranscribeError> {
        match &self.vad {
            None => Ok(None),
            Some(vad) => vad
                .segments(pcm, &SpeechParams::default())
                .map(Some)
                .map_err(|e| TranscribeError::Decode(e.to_string())),
        }
    }

    /// The model file this transcriber was loaded from.
    pub fn model_path(&self) -> &Path {
        &self.model_path
    }

    /// Model size and vocabulary, as read from its header.
    pub fn hparams(&self) -> &Hparams {
        &self.hparams
    }

    /// The work whisper runs have cost so far in this process (totals:
    /// subtract an earlier reading with [`WhisperWork::since`]).
    pub fn work(&self) -> WhisperWork {
        *self.work.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many whisper runs this model has served (each batch transcription
    /// is one; a streamed answer is one per 30 s window and one for the rest).
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::SeqCst)
    }

    /// The id of the first timestamp token (`<|0.00|>`); every id above it is
    /// a timestamp too, 20 ms apart.
    pub(crate) fn first_timestamp_token(&self) -> i32 {
        self.context.token_beg()
    }

    /// Token ids of `text` (for prompts); whisper keeps at most a few hundred.
    pub(crate) fn tokenize(&self, text: &str) -> Result<Vec<i32>, TranscribeError> {
        // Generous: a token is rarely shorter than one byte.
        self.context
            .tokenize(text, text.len() + 8)
            .map_err(|e| TranscribeError::Decode(format!("cannot tokenize the prompt: {e}")))
    }

    /// Transcribes 16 kHz mono samples.
    pub fn transcribe(
        &self,
        pcm_16k: &[f32],
        options: &DecodeOptions,
    ) -> Result<Transcript, TranscribeError> {
        Ok(self.transcribe_detailed(pcm_16k, options)?.0)
    }

    /// [`Self::transcribe`], also saying how: the speech heard, the windows
    /// decoded again and why (see [`batch`]).
    pub fn transcribe_detailed(
        &self,
        pcm_16k: &[f32],
        options: &DecodeOptions,
    ) -> Result<(Transcript, DecodeReport), TranscribeError> {
        if pcm_16k.is_empty() {
            return Err(TranscribeError::NoAudio);
        }
        let speech = self.speech_spans(pcm_16k)?;
        batch::transcribe(self, pcm_16k, speech, options, None)
    }

    /// A report with the speech detector's name filled in.
    pub(crate) fn new_report(&self) -> DecodeReport {
        DecodeReport {
            vad: if self.vad.is_some() { "silero" } else { "none" }.into(),
            vad_warning: self.vad_missing.clone(),
            ..DecodeReport::default()
        }
    }

    /// One whisper run on the shared state, judged (when the request asks)
    /// and decoded again while it looks derailed: without the prompt, then
    /// at rising temperatures; the least bad attempt is kept.
    pub(crate) fn run(&self, request: &RunRequest<'_>) -> Result<Decoded, TranscribeError> {
        let first = self.run_once(request, Attempt::AsAsked)?;
        if !request.guard {
            return Ok(first);
        }
        let problems = self.judge(&first, request);
        if problems.is_empty() {
            return Ok(first);
        }
        let has_prompt = !request.prompt_tokens.is_empty()
            || request.initial_prompt.is_some_and(|p| !p.trim().is_empty());
        let mut attempts = Vec::new();
        if has_prompt {
            attempts.push(Attempt::NoPrompt);
        }
        attempts.extend([Attempt::Temperature(0.4), Attempt::Temperature(0.8)]);
        if let Some(most) = request.max_retries {
            attempts.truncate(most);
        }
        let mut best = (first, problems.clone(), Attempt::AsAsked);
        let mut tried = Vec::new();
        for attempt in attempts {
            // Temperature only for text that is wrong, not merely incomplete
            // (holes get a second look of their own).
            if matches!(attempt, Attempt::Temperature(_)) && !best.1.iter().any(Derail::is_severe) {
                break;
            }
            let decoded = self.run_once(request, attempt)?;
            let found = self.judge(&decoded, request);
            if debug_walk() {
                eprintln!(
                    "attempt {}: {:?} -> {:?} (first {:?}: {:?})",
                    attempt.label(),
                    decoded.transcript.text,
                    found,
                    best.0.transcript.text,
                    best.1
                );
            }
            tried.push(attempt.label());
            if badness(&found) < badness(&best.1) {
                best = (decoded, found, attempt);
            }
            if best
                .1
                .iter()
                .all(|p| matches!(p, Derail::LowConfidence { .. }))
            {
                break;
            }
        }
        let (mut decoded, remaining, kept) = best;
        if tried.is_empty() {
            // Only holes or doubt, and no prompt to drop: the second look
            // deals with holes.
            return Ok(decoded);
        }
        decoded.redecoded = Some(Redecode {
            start: 0.0,
            end: request.duration,
            problems,
            tried,
            kept: kept.label(),
            remaining,
        });
        Ok(decoded)
    }

    fn judge(&self, decoded: &Decoded, request: &RunRequest<'_>) -> Vec<Derail> {
        let covered_secs = if request.first_window_only {
            let frames = advance_frames(&decoded.sequence, self.first_timestamp_token());
            (frames as f64 / 100.0).min(request.duration)
        } else {
            request.duration
        };
        assess(
            &RunOutput {
                words: &decoded.transcript.words,
                avg_logprob: decoded.avg_logprob,
                covered_secs,
            },
            request.speech,
            request.before,
        )
    }

    /// One whisper run on the shared state.
    fn run_once(
        &self,
        request: &RunRequest<'_>,
        attempt: Attempt,
    ) -> Result<Decoded, TranscribeError> {
        if request.pcm.is_empty() {
            return Err(TranscribeError::NoAudio);
        }
        // A retry cancelled before it starts: whisper.cpp would build a
        // state and run an encoder, which it cannot stop, before it first
        // asks. (A first attempt starts regardless, and is stopped through
        // the abort callback, as tests/streaming.rs checks.)
        if attempt != Attempt::AsAsked && is_cancelled(request) {
            return Err(TranscribeError::Cancelled);
        }
        let duration = request.duration;
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(request.threads.max(1) as i32);
        params.set_language(Some("en"));
        params.set_translate(false);
        // Each run starts fresh: context comes only from the request, never
        // from whatever the shared state decoded last.
        params.set_no_context(true);
        params.set_token_timestamps(true);
        // No whisper.cpp temperature fallback (as whisper-cli's
        // --no-fallback): it can take many times longer on a busy CPU. The
        // loop guard asks for a temperature itself, only for text that is
        // wrong (see `run`).
        params.set_temperature(match attempt {
            Attempt::Temperature(t) => t,
            _ => 0.0,
        });
        params.set_temperature_inc(0.0);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        if attempt == Attempt::AsAsked {
            if !request.prompt_tokens.is_empty() {
                params.set_tokens(request.prompt_tokens);
            } else if let Some(prompt) = request.initial_prompt {
                params.set_initial_prompt(prompt);
            }
        }
        if let Some(max) = request.max_tokens {
            params.set_max_tokens(max as i32);
            params.set_single_segment(true);
        }
        if let Some(audio_ctx) = request.audio_ctx {
            let max = self.hparams.n_audio_ctx as usize;
            params.set_audio_ctx(audio_ctx.clamp(1, max) as i32);
        }
        let mut watch = WindowWatch {
            first_only: request.first_window_only,
            first_timestamp: self.context.token_beg(),
            audio_frames: whisper_frames(request.pcm.len()),
            end_of_text: self.context.token_eot(),
            vocabulary: self.hparams.n_vocab.max(0) as usize,
            hesitations_within: request.hesitations_within,
            speech_frames: request.speech.map(|spans| {
                spans
                    .iter()
                    .map(|s| {
                        let frames = |secs: f64| (secs * FRAMES_PER_SEC as f64).round() as i64;
                        (frames(s.start), frames(s.end))
                    })
                    .collect()
            }),
            ..WindowWatch::default()
        };
        let watch_ptr: *mut WindowWatch = &mut watch;
        // SAFETY: the callbacks only touch `watch`, which outlives the
        // `full` call below (the only time whisper calls them), on the
        // thread that runs it; nothing else uses `watch` meanwhile.
        unsafe {
            // Counts the encoder passes (and stops after the first when asked).
            params.set_start_encoder_callback(Some(before_window));
            params.set_start_encoder_callback_user_data(watch_ptr.cast());
            // Keeps segments from closing within 0.16 s of a window's start
            // (and records each window's sequence).
            params.set_filter_logits_callback(Some(filter_logits));
            params.set_filter_logits_callback_user_data(watch_ptr.cast());
        }
        if let Some(cancel) = &request.cancel {
            // whisper-rs 0.16's `set_abort_callback_safe` hands whisper a
            // pointer of one type and reads it back as another (its callback
            // then returns garbage and aborts at random), so the raw form.
            // SAFETY: the flag is kept alive by `request` for the whole run.
            unsafe {
                params.set_abort_callback(Some(cancel_requested));
                params.set_abort_callback_user_data(Arc::as_ptr(cancel).cast_mut().cast());
            }
        }
        let mut slot = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // whisper.cpp seeds the first decoder's random generator once, when
        // a state is made, and never again; a sampled run on a reused state
        // would draw from wherever earlier sampled runs left it, so the same
        // audio could come out differently depending on what was decoded
        // before. A fresh state for every sampled run makes it reproducible
        // (the old one is dropped first, so memory does not double).
        if matches!(attempt, Attempt::Temperature(_)) {
            *slot = None;
        }
        let state = match slot.take() {
            Some(state) => state,
            None => self.context.create_state().map_err(|e| {
                TranscribeError::Decode(format!("cannot allocate a decoding state: {e}"))
            })?,
        };
        let state = slot.insert(state);
        let started = std::time::Instant::now();
        let outcome = state.full(params, request.pcm);
        let busy_secs = started.elapsed().as_secs_f64();
        if debug_runs() {
            eprintln!(
                "run {}: {:.2} s audio, ctx {:?}, {} encoder(s), {} loop(s) cut, {} words cut, {:.3} s, cancelled {}, at {}",
                attempt.label(),
                duration,
                request.audio_ctx,
                watch.windows_started,
                watch.loops_cut,
                watch.words_cut,
                busy_secs,
                request.cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst)),
                epoch_ms()
            );
        }
        {
            let encoders = if watch.first_only {
                watch.windows_started.min(1)
            } else {
                watch.windows_started
            };
            let ctx = request
                .audio_ctx
                .map_or(self.hparams.n_audio_ctx as usize, |c| {
                    c.clamp(1, self.hparams.n_audio_ctx as usize)
                });
            let mut work = self.work.lock().unwrap_or_else(|e| e.into_inner());
            work.calls += 1;
            work.busy_secs += busy_secs;
            work.encoded_secs += encoders as f64 * ctx as f64 / 50.0;
            work.audio_secs += duration;
        }
        if is_cancelled(request) {
            return Err(TranscribeError::Cancelled);
        }
        outcome.map_err(|e| TranscribeError::Decode(e.to_string()))?;
        self.runs.fetch_add(1, Ordering::SeqCst);
        let mut decoded = collect(
            state,
            self.context.token_eot(),
            self.context.token_beg(),
            duration,
        )?;
        // A first-window-only run's one window is its last.
        if watch.first_only {
            decoded.sequence = watch.window_sequence;
        }
        Ok(decoded)
    }
}

/// Whether the request's cancel flag is set.
fn is_cancelled(request: &RunRequest<'_>) -> bool {
    request
        .cancel
        .as_ref()
        .is_some_and(|c| c.load(Ordering::SeqCst))
}

/// ggml calls this between steps of a run; true abandons the run.
unsafe extern "C" fn cancel_requested(user_data: *mut std::ffi::c_void) -> bool {
    // SAFETY: `user_data` is the `AtomicBool` of the run's request.
    let cancel = unsafe { &*user_data.cast::<AtomicBool>() };
    cancel.load(Ordering::SeqCst)
}

/// What the callbacks of a first-window-only run see.
#[derive(Default)]
struct WindowWatch {
    /// Stop after the first window.
    first_only: bool,
    /// Encoder passes whisper started (or was about to).
    windows_started: u32,
    /// The tokens of the current window's sequence before its last step.
    window_sequence: Vec<i32>,
    /// Where the current window began (whisper's `seek`, 10 ms frames).
    window_start: i64,
    /// The id of the first timestamp token (<|0.00|>).
    first_timestamp: i32,
    /// The run's audio in whisper's 10 ms frames, counted as whisper counts
    /// them ([`whisper_frames`]).
    audio_frames: i64,
    /// The end-of-text token, and the vocabulary's size (logits per step).
    end_of_text: i32,
    vocabulary: usize,
    /// Windows ended early because their text had become a loop.
    loops_cut: u32,
    /// See [`RunRequest::hesitations_within`].
    hesitations_within: Option<usize>,
    /// Runs ended early because their text was words, not hesitations.
    words_cut: u32,
    /// The speech the detector heard in the run's audio (10 ms frames from
    /// its start), when it is known.
    speech_frames: Option<Vec<(i64, i64)>>,
}

/// A window's text that ends in this many tokens repeating a unit of up
/// to [`LOOP_UNIT_TOKENS`] tokens (and at least [`LOOP_UNITS`] of them) is
/// a loop: whisper is ended there instead of writing up to 224 tokens of
/// it. Real repetition is far shorter ("uh, uh, uh" or "words, words,
/// words, words": 8-12 tokens); the loop guard decodes a loop cut short
/// again just as it would a whole one (it calls 9 repeats a loop).
const LOOP_TOKENS: usize = 32;
const LOOP_UNIT_TOKENS: usize = 8;
const LOOP_UNITS: usize = 8;

/// Timestamps below this many steps of 0.02 s (0.16 s) may not close a
/// segment. whisper.cpp's word alignment (DTW) median-filters a window's
/// text over `min(seek_delta, audio left) / 2` audio positions with a
/// width of 7, and aborts the whole process when there are fewer than 8:
/// a window whose text ends at <|0.14|> or earlier, or one begun with
/// 0.11-0.15 s of audio left (seen on a real "uh uh uh" answer, streamed,
/// at temperature 0.8), would take the session down with it. Neither holds
/// real speech. See also [`MIN_WINDOW_FRAMES`].
const MIN_CLOSING_TIMESTAMP_STEPS: i32 = 8;

/// A window after the first is begun only with this much audio (0.16 s)
/// left after where whisper would begin it (see
/// [`MIN_CLOSING_TIMESTAMP_STEPS`]). Counted from the last segment's end,
/// as it once was, the guard let 0.10-0.15 s windows through whenever the
/// text before ended with an opening timestamp (whisper goes on from that,
/// later than the segment's end) and by the frame or two whisper counts
/// fewer than samples / 160.
const MIN_WINDOW_FRAMES: i64 = 16;

/// A window after the first is begun only when the speech detector heard
/// at least this much speech (0.2 s, in 10 ms frames) in the audio it
/// would cover, where the detector was asked. whisper goes on whenever
/// more than a second is left after its last timestamp, and a pass over a
/// 17-22 s block of a real answer then ran the encoder a second time over
/// the pause it was cut at: 4.6-5.0 s instead of 2.5-3.1 s on average
/// (base-q8_0, 2 cores), while the speaker's next words piled up.
const MIN_WINDOW_SPEECH_FRAMES: i64 = 20;

/// whisper calls this before encoding each window; returning false ends the
/// run there (a normal end: the windows decoded so far are kept): after the
/// first window when the run asks for only that one, and before a window
/// with less than [`MIN_WINDOW_FRAMES`] of audio (see [`starts_window`]).
unsafe extern "C" fn before_window(
    _context: *mut whisper_rs::WhisperSysContext,
    state: *mut whisper_rs::WhisperSysState,
    user_data: *mut std::ffi::c_void,
) -> bool {
    // SAFETY: `user_data` is the `WindowWatch` set up in `Transcriber::run`,
    // alive for the whole run.
    let watch = unsafe { &mut *user_data.cast::<WindowWatch>() };
    // SAFETY: `state` is the run's own state, valid during the call; the
    // segments read are those of the windows already decoded.
    let last_segment_end = unsafe {
        let n = whisper_rs::whisper_rs_sys::whisper_full_n_segments_from_state(state);
        (n > 0).then(|| {
            whisper_rs::whisper_rs_sys::whisper_full_get_segment_t1_from_state(state, n - 1)
        })
    };
    let go_on = starts_window(watch, last_segment_end);
    if go_on {
        if watch.windows_started > 0 {
            watch.window_start = next_window_start(watch, last_segment_end);
        }
        watch.window_sequence.clear();
        watch.windows_started += 1;
    }
    go_on
}

/// Where whisper begins the window after the current one (10 ms frames):
/// the current window's start moved on as whisper moves it
/// ([`advance_frames`] of the window's sequence), and never before the end
/// of the last segment decoded. The sequence is the one the last
/// `filter_logits` call saw, so it lacks the window's final token: the end
/// of text, or a timestamp at the end of the audio (whisper then begins no
/// other window) or, after 220 tokens of a loop, one more token; the last
/// segment's end covers that case.
fn next_window_start(watch: &WindowWatch, last_segment_end: Option<i64>) -> i64 {
    let moved =
        watch.window_start + advance_frames(&watch.window_sequence, watch.first_timestamp) as i64;
    moved.max(last_segment_end.unwrap_or(0))
}

/// Whether whisper may begin another window, the last segment decoded so
/// far ending at `last_segment_end` (10 ms frames): always the first; later
/// ones only when the run asks for more than one and at least
/// [`MIN_WINDOW_FRAMES`] of audio are left after where whisper would begin
/// it ([`next_window_start`]).
fn starts_window(watch: &WindowWatch, last_segment_end: Option<i64>) -> bool {
    if watch.windows_started == 0 {
        return true;
    }
    let start = next_window_start(watch, last_segment_end);
    !watch.first_only
        && watch.audio_frames - start >= MIN_WINDOW_FRAMES
        && watch.speech_frames.as_ref().is_none_or(|spans| {
            speech_frames_within(spans, start, watch.audio_frames) >= MIN_WINDOW_SPEECH_FRAMES
        })
}

/// How many 10 ms frames of `spans` fall within `[from, to)`.
fn speech_frames_within(spans: &[(i64, i64)], from: i64, to: i64) -> i64 {
    spans
        .iter()
        .map(|&(a, b)| (b.min(to) - a.max(from)).max(0))
        .sum()
}

/// The audio's length in whisper's 10 ms frames as whisper.cpp counts it
/// for its windows (`n_len_org` in `log_mel_spectrogram`: 1 + (samples -
/// 200) / 160), one or two frames fewer than samples / 160.
fn whisper_frames(samples: usize) -> i64 {
    if samples < 200 {
        0
    } else {
        1 + ((samples - 200) / SAMPLES_PER_FRAME) as i64
    }
}

/// whisper calls this before each token it samples, with the window's
/// sequence so far and the logits it samples from. Once text has begun, the
/// timestamps below [`MIN_CLOSING_TIMESTAMP_STEPS`] are ruled out (see
/// there). It also records the window's sequence (for where whisper goes
/// next, and a first-window-only run's result): the last call before the
/// end of text shows the whole of it, timestamps that close no segment
/// included.
unsafe extern "C" fn filter_logits(
    context: *mut whisper_rs::WhisperSysContext,
    _state: *mut whisper_rs::WhisperSysState,
    tokens: *const whisper_rs::WhisperTokenData,
    n_tokens: std::os::raw::c_int,
    logits: *mut f32,
    user_data: *mut std::ffi::c_void,
) {
    // SAFETY: as in `before_window`; `tokens` points at `n_tokens`
    // token records and `logits` at the vocabulary's logits (every
    // timestamp token included) for the duration of the call.
    let watch = unsafe { &mut *user_data.cast::<WindowWatch>() };
    let tokens: &[whisper_rs::WhisperTokenData] = if n_tokens > 0 && !tokens.is_null() {
        unsafe { std::slice::from_raw_parts(tokens, n_tokens as usize) }
    } else {
        &[]
    };
    let first = watch.first_timestamp;
    if first > 0 && !logits.is_null() {
        // SAFETY: the vocabulary holds every timestamp token after `first`.
        let early = unsafe {
            std::slice::from_raw_parts_mut(
                logits.add(first as usize),
                MIN_CLOSING_TIMESTAMP_STEPS as usize,
            )
        };
        rule_out_early_closings(tokens.iter().map(|t| t.id), first, early);
    }
    watch.window_sequence.clear();
    watch.window_sequence.extend(tokens.iter().map(|t| t.id));
    if first > 0 && !logits.is_null() && watch.vocabulary > watch.end_of_text as usize {
        let text: Vec<i32> = tokens
            .iter()
            .map(|t| t.id)
            .filter(|&id| id < first)
            .collect();
        let loop_found = ends_in_a_loop(&text);
        // SAFETY: `context` is the whisper context running this call.
        let only_words = !loop_found
            && !context.is_null()
            && watch
                .hesitations_within
                .is_some_and(|words| hears_only_words(&unsafe { text_of(context, &text) }, words));
        if loop_found || only_words {
            // SAFETY: `logits` holds one value per vocabulary token.
            let all = unsafe { std::slice::from_raw_parts_mut(logits, watch.vocabulary) };
            all.fill(f32::NEG_INFINITY);
            all[watch.end_of_text as usize] = 0.0;
            if loop_found {
                watch.loops_cut += 1;
            } else {
                watch.words_cut += 1;
            }
        }
    }
}

/// The text of `tokens` (text tokens of the model behind `context`).
///
/// # Safety
/// `context` must be a live whisper context and every token one of its
/// vocabulary's.
unsafe fn text_of(context: *mut whisper_rs::WhisperSysContext, tokens: &[i32]) -> String {
    let mut bytes = Vec::new();
    for &token in tokens {
        // SAFETY: per this function's contract; whisper.cpp returns a
        // NUL-terminated string it owns, or null for an unknown token.
        let piece = unsafe { whisper_rs::whisper_rs_sys::whisper_token_to_str(context, token) };
        if !piece.is_null() {
            bytes.extend_from_slice(unsafe { std::ffi::CStr::from_ptr(piece) }.to_bytes());
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether a look for filled pauses is hearing words instead: its text so
/// far has `words` complete words (the last one may still go on) and no
/// hesitation at all. Whisper then goes on writing words up to the look's
/// token limit (about 12 ms a token with base on 2 cores), all of which are
/// thrown away: a look keeps only hesitations.
fn hears_only_words(text: &str, words: usize) -> bool {
    let heard: Vec<String> = text
        .split_whitespace()
        .map(guard::normalise)
        .filter(|w| !w.is_empty())
        .collect();
    heard.len() > words && !heard.iter().any(|w| guard::is_hesitation(w))
}

/// Whether a window's text tokens so far end in a loop (see [`LOOP_TOKENS`]).
fn ends_in_a_loop(text: &[i32]) -> bool {
    (1..=LOOP_UNIT_TOKENS).any(|unit| {
        let span = LOOP_TOKENS.max(unit * LOOP_UNITS);
        text.len() >= span
            && (text.len() - span + unit..text.len()).all(|i| text[i] == text[i - unit])
    })
}

/// Rules out the first [`MIN_CLOSING_TIMESTAMP_STEPS`] timestamps
/// (`early`: their logits) once the window's sequence so far (`sequence`)
/// holds text, i.e. a token below the first timestamp token `first`.
fn rule_out_early_closings(mut sequence: impl Iterator<Item = i32>, first: i32, early: &mut [f32]) {
    if sequence.any(|id| id < first) {
        early.fill(f32::NEG_INFINITY);
    }
}

/// Reads segments, tokens and words out of the state after a run.
fn collect(
    state: &WhisperState,
    end_of_text: i32,
    first_timestamp: i32,
    duration: f64,
) -> Result<Decoded, TranscribeError> {
    let clamp = |t: f64| t.clamp(0.0, duration);
    let mut segments = Vec::new();
    let mut pieces: Vec<WordPiece> = Vec::new();
    let mut tokens = Vec::new();
    let (mut logprob_sum, mut logprob_n) = (0.0f64, 0usize);
    for segment in state.as_iter() {
        let seg_start = clamp(segment.start_timestamp() as f64 / 100.0);
        let seg_end = clamp(segment.end_timestamp() as f64 / 100.0).max(seg_start);
        let text = segment
            .to_str_lossy()
            .map_err(|e| TranscribeError::Decode(e.to_string()))?
            .trim()
            .to_string();
        for j in 0..segment.n_tokens() {
            let Some(token) = segment.get_token(j) else {
                continue;
            };
            let data = token.token_data();
            if data.id >= end_of_text {
                // Timestamps belong to the context whisper conditions on (as
                // in its own window-to-window history); other specials do not.
                if data.id >= first_timestamp {
                    tokens.push(data.id);
                }
                continue;
            }
            tokens.push(data.id);
            logprob_sum += data.plog as f64;
            logprob_n += 1;
            let bytes = token
                .to_bytes()
                .map_err(|e| TranscribeError::Decode(e.to_string()))?
                .to_vec();
            let aligned = if data.t_dtw >= 0 { data.t_dtw } else { data.t0 };
            pieces.push(WordPiece {
                bytes,
                time: clamp(aligned as f64 / 100.0).max(seg_start),
                end: clamp(data.t1 as f64 / 100.0),
                probability: data.p,
                segment_end: seg_end,
            });
        }
        if !text.is_empty() {
            segments.push(Segment {
                start: seg_start,
                end: seg_end,
                text,
            });
        }
    }
    let words = assemble_words(&pieces, duration);
    let text = join_segment_texts(&segments);
    Ok(Decoded {
        transcript: Transcript {
            text,
            duration,
            segments,
            words,
        },
        tokens,
        sequence: Vec::new(),
        avg_logprob: (logprob_n > 0).then(|| logprob_sum / logprob_n as f64),
        redecoded: None,
    })
}

/// whisper's window: 30 s of audio.
pub const WINDOW_SAMPLES: usize = 30 * WHISPER_RATE as usize;
/// whisper's mel frames per second (its `seek` unit is one frame, 10 ms).
pub(crate) const FRAMES_PER_SEC: usize = 100;
/// Audio samples in one of whisper's frames (160).
pub(crate) const SAMPLES_PER_FRAME: usize = WHISPER_RATE as usize / FRAMES_PER_SEC;

/// Where whisper goes after a window, in frames (10 ms) from its start: the
/// whole window when the text ends with a lone closing timestamp (every
/// segment is complete) or has no timestamps, else the last timestamp (the
/// unfinished last segment is decoded again in the next window).
pub(crate) fn advance_frames(tokens: &[i32], first_timestamp: i32) -> usize {
    let full = WINDOW_SAMPLES * FRAMES_PER_SEC / WHISPER_RATE as usize;
    let n = tokens.len();
    let single_timestamp_ending =
        n > 1 && tokens[n - 2] < first_timestamp && tokens[n - 1] > first_timestamp;
    if single_timestamp_ending {
        return full;
    }
    // As whisper.cpp: only a timestamp after <|0.00|> moves the window on.
    match tokens.iter().rev().find(|&&t| t > first_timestamp) {
        // Timestamp tokens are 20 ms apart.
        Some(&t) => (2 * (t - first_timestamp) as usize).min(full),
        None => full,
    }
}

/// The transcript text: segment texts joined by single spaces.
pub(crate) fn join_segment_texts(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// whisper.cpp's alignment-head preset for DTW, when the model is a standard one.
fn dtw_preset(h: &Hparams) -> Option<DtwModelPreset> {
    let english_only = h.n_vocab == 51864;
    Some(match (h.n_audio_layer, english_only) {
        (4, true) => DtwModelPreset::TinyEn,
        (4, false) => DtwModelPreset::Tiny,
        (6, true) => DtwModelPreset::BaseEn,
        (6, false) => DtwModelPreset::Base,
        (12, true) => DtwModelPreset::SmallEn,
        (12, false) => DtwModelPreset::Small,
        (24, true) => DtwModelPreset::MediumEn,
        (24, false) => DtwModelPreset::Medium,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filler_look_that_hears_words_is_told_from_one_that_may_find_a_hesitation() {
        // Texts written by fillers-only looks at real gaps (2026-12-02).
        assert!(hears_only_words(" I'm doing system-top.", 2));
        assert!(hears_only_words(
            " But including... including... including",
            3
        ));
        // Three complete words and one that may go on: not yet.
        assert!(!hears_only_words(" I'm doing system", 3));
        // A hesitation anywhere, the last word included, keeps it going.
        assert!(!hears_only_words(" Which was... uh", 2));
        assert!(!hears_only_words(" so I think that, um", 3));
        assert!(!hears_only_words(" Umm, let me see now", 3));
        // Punctuation alone is no word.
        assert!(!hears_only_words(" ... , . and so", 2));
        assert!(!hears_only_words("", 0));
    }

    #[test]
    fn a_loop_is_told_from_real_repetition() {
        // " uh" "," sixteen times: a loop; ten times: a hesitant speaker.
        let uh: Vec<i32> = [7, 8].repeat(16);
        assert!(ends_in_a_loop(&uh));
        assert!(!ends_in_a_loop(&[7, 8].repeat(10)));
        // "Montreal, but um" (4 tokens) eight times after other text.
        let mut text = vec![1, 2, 3, 4, 5];
        text.extend([20, 21, 22, 23].repeat(8));
        assert!(ends_in_a_loop(&text));
        // ... but not once the text has moved on.
        text.extend([30, 31]);
        assert!(!ends_in_a_loop(&text));
        // A unit longer than 8 tokens is not judged here.
        assert!(!ends_in_a_loop(&(0..9).collect::<Vec<i32>>().repeat(8)));
        // Ordinary text of any length.
        assert!(!ends_in_a_loop(&(0..300).collect::<Vec<i32>>()));
    }

    #[test]
    fn a_segment_never_closes_within_the_first_0_16_s_once_text_began() {
        let first = 50_364;
        let mut early = [0.5f32; MIN_CLOSING_TIMESTAMP_STEPS as usize];
        // <|0.00|> alone: the opening timestamp, no text yet.
        rule_out_early_closings([first].into_iter(), first, &mut early);
        assert!(early.iter().all(|l| *l == 0.5));
        // <|0.00|> " uh": a closing timestamp under 0.16 s is ruled out.
        rule_out_early_closings([first, 2232].into_iter(), first, &mut early);
        assert!(early.iter().all(|l| *l == f32::NEG_INFINITY));
    }

    #[test]
    fn a_later_window_needs_0_16_s_of_audio_after_where_whisper_begins_it() {
        let first = 50_364;
        let text = 1_000;
        let watch = |windows_started, first_only, sequence: &[i32]| WindowWatch {
            first_only,
            windows_started,
            first_timestamp: first,
            audio_frames: 1500,
            window_sequence: sequence.to_vec(),
            ..WindowWatch::default()
        };
        // The first window always begins; a first-window-only run stops.
        assert!(starts_window(&watch(0, false, &[]), None));
        assert!(starts_window(&watch(0, true, &[]), None));
        let unfinished = [first, text, first + 600, first + 650, text];
        assert!(!starts_window(&watch(1, true, &unfinished), Some(1200)));
        // The window moves on to its last timestamp (<|13.00|> = 1300 here).
        let at = |end: i32| [first, text, first + end / 2 - 10, first + end / 2, text];
        assert!(starts_window(&watch(1, false, &at(1500 - 16)), Some(1400)));
        assert!(!starts_window(&watch(1, false, &at(1500 - 14)), Some(1400)));
        // An opening timestamp after the last segment's end: whisper goes on
        // from there, not from the segment's end (1300 < 1500 - 16 would
        // have let a 0.14 s window begin).
        let opened = [first, text, first + 650, first + 743];
        assert!(!starts_window(&watch(1, false, &opened), Some(1300)));
        // A lone closing timestamp: the window's audio is done.
        let done = [first, text, first + 100];
        assert!(!starts_window(&watch(1, false, &done), Some(200)));
        // A later window starts where the one before it began.
        let second = WindowWatch {
            window_start: 1000,
            ..watch(2, false, &[first, text, first + 200, first + 245])
        };
        assert!(!starts_window(&second, Some(1400)));
        assert!(starts_window(
            &WindowWatch {
                window_start: 900,
                ..second
            },
            Some(1400)
        ));
    }

    #[test]
    fn a_later_window_needs_speech_the_detector_heard_in_it() {
        let first = 50_364;
        let text = 1_000;
        // The first window's text ends at <|10.00|>: whisper would begin the
        // next at frame 1000, with 5 s of the run's 15 s left.
        let watch = |speech: Option<Vec<(i64, i64)>>| WindowWatch {
            windows_started: 1,
            first_timestamp: first,
            audio_frames: 1500,
            window_sequence: vec![first, text, first + 480, first + 500],
            speech_frames: speech,
            ..WindowWatch::default()
        };
        // No detector asked: whisper goes on as it would.
        assert!(starts_window(&watch(None), Some(1000)));
        // Nothing heard after the text: the pause the run was cut at.
        assert!(!starts_window(&watch(Some(vec![(100, 990)])), Some(1000)));
        assert!(!starts_window(&watch(Some(vec![])), Some(1000)));
        // 0.15 s of it: a breath or the tail of the last word.
        assert!(!starts_window(&watch(Some(vec![(100, 1015)])), Some(1000)));
        // Speech whisper skipped (0.3 s, or a phrase later on) is decoded.
        assert!(starts_window(&watch(Some(vec![(100, 1030)])), Some(1000)));
        assert!(starts_window(
            &watch(Some(vec![(100, 990), (1200, 1400)])),
            Some(1000)
        ));
        assert_eq!(speech_frames_within(&[(0, 50), (80, 120)], 40, 100), 30);
    }

    #[test]
    fn audio_is_counted_in_frames_as_whisper_counts_it() {
        // 1 + (samples - 200) / 160: one or two frames short of samples / 160.
        assert_eq!(whisper_frames(16_000), 99);
        assert_eq!(whisper_frames(16_000 + 40), 100);
        assert_eq!(whisper_frames(199), 0);
        assert_eq!(whisper_frames(200), 1);
    }
}
