//! Speech detection with the Silero VAD model, run by whisper.cpp
//! (`ggml-silero-v6.2.0.bin`): speech probabilities per 32 ms frame, and the
//! speech segments they give. Far more robust to fans, keyboards and breaths
//! than a level threshold ([`super::vad::EnergyVad`], the fallback when the
//! model file is absent).
//!
//! Audio is analysed in blocks ([`SpeechTracker`]): memory stays bounded
//! however long the input, and a live recording can be judged as it arrives.
//! whisper.cpp resets the model's recurrent state for every call, so each
//! block is analysed with a little audio before it to warm the state up.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use whisper_rs::{WhisperVadContext, WhisperVadContextParams};

use super::speech_edges::FrameFeatures;

/// The model's file name, in the models folder beside the whisper models.
pub const SILERO_MODEL_FILE: &str = "ggml-silero-v6.2.0.bin";
/// Samples per Silero frame at 16 kHz (32 ms).
pub const SILERO_FRAME: usize = 512;
/// Seconds per Silero frame.
pub const FRAME_SECS: f64 = SILERO_FRAME as f64 / 16_000.0;
/// Audio quieter than this (dBFS) in every frame of a block is taken as
/// silence without running the model.
const SILENCE_DB: f64 = -70.0;
/// Frames analysed per call (about 10 s).
const BLOCK_FRAMES: usize = 312;
/// Frames of earlier audio each call over a whole block sees first to warm
/// the state up (0.64 s).
const WARMUP_FRAMES: usize = 20;
/// Frames of earlier audio a live decision's call sees first (3 s). Such a
/// call covers only the few frames since the last one, and whisper.cpp
/// starts every call from a fresh state: with the block's 0.64 s the
/// model, on quiet or hoarse real speech, hears much of it as silence (on a
/// 2-minute real answer, 58 s of speech where block by block finds 76 s,
/// whole phrases then left out of the live transcript). 3 s of warm-up finds
/// 75 s there; live decisions then cost about 7 % of one core (2.7 % with
/// 0.64 s; a whole file's block analysis, under 1 %).
const LIVE_WARMUP_FRAMES: usize = 94;

/// Where the Silero model is looked for: beside a whisper model, in the same
/// models folder. (The checked path from `rehearse model fetch` can replace
/// this lookup.)
pub fn model_path_beside(whisper_model: &Path) -> PathBuf {
    whisper_model
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(SILERO_MODEL_FILE)
}

/// Why the Silero model could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SileroError {
    #[error("no Silero VAD model at {0}: run `rehearse model fetch` to get it")]
    Missing(PathBuf),
    #[error("whisper.cpp could not load the Silero VAD model {path} ({message}); fetch it again with `rehearse model fetch`")]
    Load { path: PathBuf, message: String },
    #[error("Silero VAD failed on the audio: {0}")]
    Detect(String),
}

/// How speech is told from the rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeechParams {
    /// A frame at or above this probability is speech.
    pub threshold: f32,
    /// Speech continues until the probability falls below this.
    pub neg_threshold: f32,
    /// Silence shorter than this (seconds) does not end a segment.
    pub min_silence_secs: f64,
    /// Segments shorter than this (seconds) are dropped (clicks).
    pub min_speech_secs: f64,
}

impl Default for SpeechParams {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            neg_threshold: 0.35,
            min_silence_secs: 0.2,
            min_speech_secs: 0.15,
        }
    }
}

/// A stretch of time, seconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: f64,
    pub end: f64,
}

impl Span {
    pub fn secs(&self) -> f64 {
        (self.end - self.start).max(0.0)
    }
}

/// The stretches of `[from, to)` that none of `spans` (in order) covers:
/// `(start, end)` pairs, seconds; the whole of it when `spans` is empty.
pub fn uncovered(spans: &[Span], from: f64, to: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut at = from;
    for s in spans.iter().filter(|s| s.end > from && s.start < to) {
        if s.start > at {
            out.push((at, s.start));
        }
        at = at.max(s.end);
    }
    if to > at {
        out.push((at, to));
    }
    out
}

/// A loaded Silero model (one analysis at a time).
pub struct Silero {
    context: Mutex<WhisperVadContext>,
    path: PathBuf,
}

impl Silero {
    /// Loads the model; [`SileroError::Missing`] when the file is absent.
    pub fn load(path: &Path, threads: usize) -> Result<Self, SileroError> {
        if !path.is_file() {
            return Err(SileroError::Missing(path.to_path_buf()));
        }
        let load_error = |message: String| SileroError::Load {
            path: path.to_path_buf(),
            message,
        };
        let path_str = path
            .to_str()
            .filter(|s| !s.contains('\0'))
            .ok_or_else(|| load_error("the path is not valid UTF-8".into()))?;
        let mut params = WhisperVadContextParams::default();
        // A small recurrent model: more threads only add overhead.
        let _ = threads;
        params.set_n_threads(1);
        whisper_rs::install_logging_hooks();
        let context = WhisperVadContext::new(path_str, params)
            .map_err(|e| load_error(format!("{e}: not a whisper.cpp VAD model?")))?;
        Ok(Self {
            context: Mutex::new(context),
            path: path.to_path_buf(),
        })
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Speech probability of each whole or partial 32 ms frame of `pcm`
    /// (16 kHz), the model's state fresh at the start.
    pub fn probabilities(&self, pcm: &[f32]) -> Result<Vec<f32>, SileroError> {
        if pcm.is_empty() {
            return Ok(Vec::new());
        }
        let mut context = self
            .context
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        context
            .detect_speech(pcm)
            .map_err(|e| SileroError::Detect(e.to_string()))?;
        Ok(context.probabilities().to_vec())
    }

    /// Speech segments of a whole clip (16 kHz), analysed block by block.
    pub fn segments(&self, pcm: &[f32], params: &SpeechParams) -> Result<Vec<Span>, SileroError> {
        let mut tracker = SpeechTracker::new(*params);
        for block in pcm.chunks(BLOCK_FRAMES * SILERO_FRAME) {
            tracker.push(self, block)?;
        }
        tracker.finish(self)?;
        Ok(tracker.segments())
    }
}

/// Speech found so far in audio that arrives piece by piece: frame
/// probabilities, and segments from them. Keeps only the few samples it
/// still needs.
pub struct SpeechTracker {
    /// Samples not yet analysed, preceded by up to [`LIVE_WARMUP_FRAMES`]
    /// analysed ones.
    pending: Vec<f32>,
    /// How many of `pending`'s first samples were analysed already (warm-up).
    warmup: usize,
    /// Frames analysed so far.
    frames: usize,
    segmenter: Segmenter,
    /// Level and voicing, to refine the segments' edges.
    features: FrameFeatures,
}

impl SpeechTracker {
    pub fn new(params: SpeechParams) -> Self {
        Self {
            pending: Vec::new(),
            warmup: 0,
            frames: 0,
            segmenter: Segmenter::new(params),
            features: FrameFeatures::new(),
        }
    }

    /// Seconds of audio analysed.
    pub fn analysed_secs(&self) -> f64 {
        self.frames as f64 * FRAME_SECS
    }

    /// Adds samples; analyses them once a block has gathered.
    pub fn push(&mut self, silero: &Silero, samples: &[f32]) -> Result<(), SileroError> {
        self.pending.extend_from_slice(samples);
        self.features.push(samples);
        if self.pending.len() - self.warmup >= BLOCK_FRAMES * SILERO_FRAME {
            self.analyse(silero, false, WARMUP_FRAMES)?;
        }
        Ok(())
    }

    /// Analyses every whole frame received (for a live decision now), after
    /// a longer warm-up ([`LIVE_WARMUP_FRAMES`]).
    pub fn flush(&mut self, silero: &Silero) -> Result<(), SileroError> {
        self.analyse(silero, false, LIVE_WARMUP_FRAMES)
    }

    /// Analyses everything left, a partial last frame included.
    pub fn finish(&mut self, silero: &Silero) -> Result<(), SileroError> {
        self.analyse(silero, true, WARMUP_FRAMES)?;
        self.features.finish();
        self.segmenter.close(self.frames);
        Ok(())
    }

    /// Analyses the frames received since the last call, the model first
    /// hearing up to `warmup_frames` frames before them.
    fn analyse(
        &mut self,
        silero: &Silero,
        include_partial: bool,
        warmup_frames: usize,
    ) -> Result<(), SileroError> {
        let fresh = self.pending.len() - self.warmup;
        let whole = fresh / SILERO_FRAME;
        let frames = if include_partial {
            fresh.div_ceil(SILERO_FRAME)
        } else {
            whole
        };
        if frames == 0 {
            return Ok(());
        }
        let end = (self.warmup + frames * SILERO_FRAME).min(self.pending.len());
        // Near-digital silence is not speech: no need to ask the model (an
        // hour of it then takes seconds).
        let silent = super::vad::rms_db(&self.pending[self.warmup..end]) < SILENCE_DB
            && self.pending[self.warmup..end]
                .chunks(SILERO_FRAME)
                .all(|f| super::vad::rms_db(f) < SILENCE_DB);
        let start = self.warmup - self.warmup.min(warmup_frames * SILERO_FRAME);
        let probs = if silent {
            vec![0.0; (self.warmup - start) / SILERO_FRAME + frames]
        } else {
            silero.probabilities(&self.pending[start..end])?
        };
        let skip = (self.warmup - start) / SILERO_FRAME;
        for &p in probs.iter().skip(skip).take(frames) {
            self.segmenter.frame(self.frames, p);
            self.frames += 1;
        }
        // Keep the last analysed frames as the next call's warm-up.
        let analysed = (self.warmup + whole * SILERO_FRAME).min(self.pending.len());
        let keep_from =
            analysed.saturating_sub(WARMUP_FRAMES.max(LIVE_WARMUP_FRAMES) * SILERO_FRAME);
        self.pending.drain(..keep_from);
        self.warmup = analysed - keep_from;
        Ok(())
    }

    /// Whether the latest analysed frames are speech.
    pub fn speaking(&self) -> bool {
        self.segmenter.in_speech
    }

    /// When speech first started, seconds (where it really starts, see
    /// [`FrameFeatures::refine`]).
    pub fn first_speech(&self) -> Option<f64> {
        let start = self
            .segmenter
            .segments
            .first()
            .map(|s| s.0)
            .or(self.segmenter.open)
            .map(|f| f as f64 * FRAME_SECS)?;
        let first = Span { start, end: start };
        Some(self.features.refine(&[first])[0].start)
    }

    /// Seconds since the last speech frame (0 while speaking; None before any).
    pub fn silence_since_speech(&self) -> Option<f64> {
        let last = self.segmenter.last_speech_frame?;
        Some((self.frames.saturating_sub(last + 1)) as f64 * FRAME_SECS)
    }

    /// [`Self::segments`] as timing measures them: starts moved back to where
    /// the speech really starts ([`FrameFeatures::refine`]).
    pub fn refined_segments(&self) -> Vec<Span> {
        self.features.refine(&self.segments())
    }

    /// [`Self::refined_segments`], and the hums heard between them
    /// ([`FrameFeatures::refine_apart`]).
    pub fn refined_with_hums(&self) -> (Vec<Span>, Vec<Span>) {
        self.features.refine_apart(&self.segments())
    }

    /// The speech segments so far as the model gives them (one still open
    /// ends at the last speech frame): what whisper is given.
    pub fn segments(&self) -> Vec<Span> {
        let mut frames = self.segmenter.segments.clone();
        if let (Some(start), Some(last)) = (self.segmenter.open, self.segmenter.last_speech_frame) {
            if last + 1 - start >= self.segmenter.min_speech_frames {
                frames.push((start, last + 1));
            }
        }
        frames
            .into_iter()
            .map(|(s, e)| Span {
                start: s as f64 * FRAME_SECS,
                end: e as f64 * FRAME_SECS,
            })
            .collect()
    }
}

/// Hysteresis over frame probabilities: speech starts at `threshold`, ends
/// after `min_silence` below `neg_threshold`; short blips are dropped.
struct Segmenter {
    threshold: f32,
    neg_threshold: f32,
    min_silence_frames: usize,
    min_speech_frames: usize,
    in_speech: bool,
    /// Start frame of the segment in progress.
    open: Option<usize>,
    last_speech_frame: Option<usize>,
    /// Closed segments, frames [start, end).
    segments: Vec<(usize, usize)>,
}

impl Segmenter {
    fn new(params: SpeechParams) -> Self {
        let frames = |secs: f64| (secs / FRAME_SECS).round().max(1.0) as usize;
        Self {
            threshold: params.threshold,
            neg_threshold: params.neg_threshold.min(params.threshold),
            min_silence_frames: frames(params.min_silence_secs),
            min_speech_frames: frames(params.min_speech_secs),
            in_speech: false,
            open: None,
            last_speech_frame: None,
            segments: Vec::new(),
        }
    }

    fn frame(&mut self, index: usize, p: f32) {
        let speech_frame = if self.open.is_some() {
            p >= self.neg_threshold
        } else {
            p >= self.threshold
        };
        if speech_frame {
            if self.open.is_none() {
                self.open = Some(index);
            }
            self.in_speech = true;
            self.last_speech_frame = Some(index);
            return;
        }
        self.in_speech = false;
        if let (Some(start), Some(last)) = (self.open, self.last_speech_frame) {
            if index - last >= self.min_silence_frames {
                self.close_at(start, last + 1);
            }
        }
    }

    fn close_at(&mut self, start: usize, end: usize) {
        if end - start >= self.min_speech_frames {
            self.segments.push((start, end));
        }
        self.open = None;
    }

    fn close(&mut self, _frames: usize) {
        if let (Some(start), Some(last)) = (self.open, self.last_speech_frame) {
            self.close_at(start, last + 1);
        }
        self.in_speech = false;
    }
}

/// Seconds of `spans` inside `[from, to)`.
pub fn speech_within(spans: &[Span], from: f64, to: f64) -> f64 {
    spans
        .iter()
        .map(|s| (s.end.min(to) - s.start.max(from)).max(0.0))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(probs: &[f32]) -> Vec<(usize, usize)> {
        let mut s = Segmenter::new(SpeechParams::default());
        for (i, &p) in probs.iter().enumerate() {
            s.frame(i, p);
        }
        s.close(probs.len());
        s.segments
    }

    #[test]
    fn hysteresis_bridges_short_dips_and_drops_blips() {
        // 10 speech frames, a 3-frame dip (under the 6-frame minimum
        // silence), 10 more, then silence; a 2-frame blip later is dropped.
        let mut probs = vec![0.9; 10];
        probs.extend([0.1; 3]);
        probs.extend([0.8; 10]);
        probs.extend([0.05; 20]);
        probs.extend([0.9; 2]);
        probs.extend([0.05; 20]);
        assert_eq!(segment(&probs), [(0, 23)]);
    }

    #[test]
    fn a_long_silence_splits_segments() {
        let mut probs = vec![0.9; 10];
        probs.extend([0.4; 5]); // above the lower threshold: still speech
        probs.extend([0.1; 30]);
        probs.extend([0.7; 10]);
        assert_eq!(segment(&probs), [(0, 15), (45, 55)]);
    }

    #[test]
    fn speech_within_sums_overlaps() {
        let spans = [
            Span {
                start: 1.0,
                end: 2.0,
            },
            Span {
                start: 3.0,
                end: 5.0,
            },
        ];
        assert!((speech_within(&spans, 1.5, 4.0) - 1.5).abs() < 1e-9);
        assert_eq!(speech_within(&spans, 5.0, 9.0), 0.0);
    }
}
