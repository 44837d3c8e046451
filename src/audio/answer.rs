//! Recording one spoken answer: from a live input to a 16 kHz WAV on disk,
//! ended by the speaker (Enter), the time limit, silence after speech, Ctrl-C
//! or the device going away. Limits count captured samples, not wall time, so
//! an unpaced device (a file) gives exact results; a wall-clock bound guards
//! against a device that stops delivering.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::capture::{CaptureEvent, CaptureSource, LiveInput};
use super::resample::{ResampleError, StreamResampler};
use super::silero::{Silero, SileroError, SpeechParams, SpeechTracker};
use super::vad::{EnergyVad, VadSettings};
use super::wav_sink::{WavSink, WavSinkError, RECORDING_RATE};

/// Limits of one answer.
#[derive(Debug, Clone, Copy)]
pub struct AnswerSettings {
    /// Longest answer, seconds.
    pub time_limit_secs: f64,
    pub vad: VadSettings,
    /// No audio for this long means the device is gone.
    pub stall_timeout: Duration,
}

impl Default for AnswerSettings {
    fn default() -> Self {
        Self {
            time_limit_secs: 180.0,
            vad: VadSettings::default(),
            stall_timeout: Duration::from_secs(5),
        }
    }
}

/// Flags other threads raise to end the answer.
#[derive(Debug, Clone, Default)]
pub struct StopSignals {
    /// The speaker said they are done (Enter).
    pub finish: Arc<AtomicBool>,
    /// Ctrl-C.
    pub interrupt: Arc<AtomicBool>,
}

/// Why an answer ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The speaker pressed Enter.
    Finished,
    TimeLimit,
    Silence,
    Interrupted,
    DeviceLost(String),
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Finished => f.write_str("you pressed Enter"),
            Self::TimeLimit => f.write_str("the time limit was reached"),
            Self::Silence => f.write_str("you stopped speaking"),
            Self::Interrupted => f.write_str("interrupted (Ctrl-C)"),
            Self::DeviceLost(why) => write!(f, "the input device stopped: {why}"),
        }
    }
}

/// Progress while recording, for countdowns and level meters.
#[derive(Debug, Clone, Copy)]
pub struct LiveStatus {
    pub recorded_secs: f64,
    pub time_limit_secs: f64,
    pub level_db: f64,
    pub speaking: bool,
    pub speech_started: bool,
}

/// A finished (or cut short) recording; the WAV is always valid.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AnswerRecording {
    pub path: PathBuf,
    pub samples: u64,
    pub duration_secs: f64,
    pub ended_by: EndReason,
    /// Seconds from the start of recording to the first speech.
    pub time_to_first_speech: Option<f64>,
    pub device: String,
    pub device_rate: u32,
    pub device_channels: u16,
    pub device_format: String,
}

/// Why a recording failed (the audio captured so far is still on disk).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Sink(#[from] WavSinkError),
    #[error(transparent)]
    Resample(#[from] ResampleError),
    #[error(transparent)]
    Vad(#[from] SileroError),
}

/// Seconds of new audio between two Silero decisions while recording.
const SILERO_DECISION_SECS: f64 = 0.25;

/// Silero listening along, when its model is there: it decides when speech
/// started and when the speaker stopped (the energy detector then only
/// drives the level meter).
struct SileroEnd<'a> {
    silero: &'a Silero,
    tracker: SpeechTracker,
    /// Samples since the last decision.
    since_decision: usize,
    ended_at: Option<f64>,
}

struct Recorder<'a> {
    sink: WavSink,
    vad: EnergyVad,
    silero: Option<SileroEnd<'a>>,
    end_after_silence_secs: Option<f64>,
    limit_samples: u64,
    ended_by: Option<EndReason>,
}

impl Recorder<'_> {
    /// When the speaker stopped, by Silero (if listening) or the energy detector.
    fn silero_end(&mut self, samples: &[f32]) -> Result<Option<f64>, RecordError> {
        let limit = self.end_after_silence_secs;
        let Some(end) = self.silero.as_mut() else {
            return Ok(None);
        };
        if end.ended_at.is_some() {
            return Ok(end.ended_at);
        }
        end.tracker.push(end.silero, samples)?;
        end.since_decision += samples.len();
        if end.since_decision as f64 >= SILERO_DECISION_SECS * RECORDING_RATE as f64 {
            end.since_decision = 0;
            end.tracker.flush(end.silero)?;
            if let (Some(limit), Some(_), Some(quiet)) = (
                limit,
                end.tracker.first_speech(),
                end.tracker.silence_since_speech(),
            ) {
                if quiet >= limit - 1e-9 {
                    end.ended_at = Some(end.tracker.analysed_secs() - (quiet - limit).max(0.0));
                }
            }
        }
        Ok(end.ended_at)
    }

    /// When speech first started.
    fn first_speech(&self) -> Option<f64> {
        match &self.silero {
            Some(end) => end.tracker.first_speech(),
            None => self.vad.state().first_speech_at,
        }
    }

    /// Writes 16 kHz samples up to whichever limit comes first; returns how
    /// many were kept.
    fn take(&mut self, samples: &[f32]) -> Result<usize, RecordError> {
        if self.ended_by.is_some() {
            return Ok(0);
        }
        let room = self.limit_samples.saturating_sub(self.sink.samples()) as usize;
        let mut keep = samples.len().min(room);
        let before = self.sink.samples();
        let state = self.vad.push(&samples[..keep]);
        let ended_at = if self.silero.is_some() {
            self.silero_end(&samples[..keep])?
        } else {
            state.ended_at
        };
        if let Some(ended_at) = ended_at {
            let end_sample = (ended_at * RECORDING_RATE as f64).round() as u64;
            keep = keep.min(end_sample.saturating_sub(before) as usize);
            self.ended_by = Some(EndReason::Silence);
        }
        self.sink.write(&samples[..keep])?;
        if self.ended_by.is_none() && self.sink.samples() >= self.limit_samples {
            self.ended_by = Some(EndReason::TimeLimit);
        }
        Ok(keep)
    }
}

/// Records from a live input into a new WAV at `path` until the answer ends;
/// the input stream stops when this returns.
pub fn record_answer(
    input: LiveInput,
    path: &Path,
    settings: &AnswerSettings,
    signals: &StopSignals,
    on_status: &mut dyn FnMut(&LiveStatus),
) -> Result<AnswerRecording, RecordError> {
    record_answer_with(input, path, settings, signals, on_status, &mut |_| {})
}

/// [`record_answer`], also handing every recorded 16 kHz sample to
/// `on_samples` as it is written (e.g. to a streaming transcriber).
pub fn record_answer_with(
    input: LiveInput,
    path: &Path,
    settings: &AnswerSettings,
    signals: &StopSignals,
    on_status: &mut dyn FnMut(&LiveStatus),
    on_samples: &mut dyn FnMut(&[f32]),
) -> Result<AnswerRecording, RecordError> {
    record_answer_with_vad(input, path, settings, signals, on_status, on_samples, None)
}

/// [`record_answer_with`], with Silero deciding when the answer ended (see
/// [`record_from_with_vad`]).
pub fn record_answer_with_vad(
    input: LiveInput,
    path: &Path,
    settings: &AnswerSettings,
    signals: &StopSignals,
    on_status: &mut dyn FnMut(&LiveStatus),
    on_samples: &mut dyn FnMut(&[f32]),
    silero: Option<&Silero>,
) -> Result<AnswerRecording, RecordError> {
    let (stream, source) = input.into_parts();
    let result = record_from_with_vad(
        source, path, settings, signals, on_status, on_samples, silero,
    );
    drop(stream);
    result
}

/// Records from any capture source (a live stream, or a test's channel).
pub fn record_from(
    input: CaptureSource,
    path: &Path,
    settings: &AnswerSettings,
    signals: &StopSignals,
    on_status: &mut dyn FnMut(&LiveStatus),
) -> Result<AnswerRecording, RecordError> {
    record_from_with(input, path, settings, signals, on_status, &mut |_| {})
}

/// [`record_from`], also handing every recorded 16 kHz sample to `on_samples`
/// as it is written: exactly the samples of the WAV, in order.
pub fn record_from_with(
    input: CaptureSource,
    path: &Path,
    settings: &AnswerSettings,
    signals: &StopSignals,
    on_status: &mut dyn FnMut(&LiveStatus),
    on_samples: &mut dyn FnMut(&[f32]),
) -> Result<AnswerRecording, RecordError> {
    record_from_with_vad(input, path, settings, signals, on_status, on_samples, None)
}

/// [`record_from_with`], the end of the answer and its first speech decided
/// by Silero when `silero` is given (robust to fans and keyboards), by the
/// energy detector otherwise.
pub fn record_from_with_vad(
    input: CaptureSource,
    path: &Path,
    settings: &AnswerSettings,
    signals: &StopSignals,
    on_status: &mut dyn FnMut(&LiveStatus),
    on_samples: &mut dyn FnMut(&[f32]),
    silero: Option<&Silero>,
) -> Result<AnswerRecording, RecordError> {
    let mut recorder = Recorder {
        sink: WavSink::create(path, 0.25)?,
        vad: EnergyVad::new(settings.vad),
        silero: silero.map(|silero| SileroEnd {
            silero,
            tracker: SpeechTracker::new(SpeechParams::default()),
            since_decision: 0,
            ended_at: None,
        }),
        end_after_silence_secs: settings.vad.end_after_silence_secs,
        limit_samples: (settings.time_limit_secs * RECORDING_RATE as f64).round() as u64,
        ended_by: None,
    };
    let mut resampler = StreamResampler::new(input.sample_rate, RECORDING_RATE)?;
    let started = Instant::now();
    let wall_bound = Duration::from_secs_f64(settings.time_limit_secs * 4.0 + 30.0);
    let mut last_audio = Instant::now();
    let mut status = LiveStatus {
        recorded_secs: 0.0,
        time_limit_secs: settings.time_limit_secs,
        level_db: -120.0,
        speaking: false,
        speech_started: false,
    };
    while recorder.ended_by.is_none() {
        if signals.interrupt.load(Ordering::SeqCst) {
            recorder.ended_by = Some(EndReason::Interrupted);
            break;
        }
        if signals.finish.load(Ordering::SeqCst) {
            recorder.ended_by = Some(EndReason::Finished);
            break;
        }
        match input.events.recv_timeout(Duration::from_millis(50)) {
            Ok(CaptureEvent::Audio(chunk)) => {
                last_audio = Instant::now();
                let resampled = resampler.push(&chunk)?;
                let kept = recorder.take(&resampled)?;
                if kept > 0 {
                    on_samples(&resampled[..kept]);
                }
            }
            Ok(CaptureEvent::Failed {
                message,
                device_lost: true,
            }) => recorder.ended_by = Some(EndReason::DeviceLost(message)),
            Ok(CaptureEvent::Failed { .. }) => {} // glitches (overruns) are survivable
            Err(RecvTimeoutError::Timeout) => {
                if last_audio.elapsed() > settings.stall_timeout {
                    recorder.ended_by = Some(EndReason::DeviceLost(format!(
                        "no audio arrived for {:.1} s",
                        settings.stall_timeout.as_secs_f64()
                    )));
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                recorder.ended_by = Some(EndReason::DeviceLost("the stream closed".into()));
            }
        }
        if recorder.ended_by.is_none() && started.elapsed() > wall_bound {
            recorder.ended_by = Some(EndReason::DeviceLost(format!(
                "recording ran {:.0} s of wall time for a {:.0} s limit",
                started.elapsed().as_secs_f64(),
                settings.time_limit_secs
            )));
        }
        let vad = recorder.vad.push(&[]);
        status.recorded_secs = recorder.sink.samples() as f64 / RECORDING_RATE as f64;
        status.level_db = vad.level_db;
        status.speaking = match &recorder.silero {
            Some(end) => end.tracker.speaking(),
            None => vad.speaking,
        };
        status.speech_started = recorder.first_speech().is_some();
        on_status(&status);
    }
    let CaptureSource {
        device,
        sample_rate,
        channels,
        sample_format,
        ..
    } = input;
    let ended_by = recorder.ended_by.take().unwrap_or(EndReason::Finished);
    if matches!(
        ended_by,
        EndReason::Interrupted | EndReason::Finished | EndReason::DeviceLost(_)
    ) {
        // Keep what the resampler still holds: it was captured.
        let tail = resampler.finish()?;
        let kept = recorder.take(&tail)?;
        if kept > 0 {
            on_samples(&tail[..kept]);
        }
    }
    if let Some(end) = recorder.silero.as_mut() {
        end.tracker.finish(end.silero)?;
    }
    let time_to_first_speech = recorder.first_speech();
    let samples = recorder.sink.samples();
    let path = recorder.sink.path().to_path_buf();
    recorder.sink.finalize()?;
    Ok(AnswerRecording {
        path,
        samples,
        duration_secs: samples as f64 / RECORDING_RATE as f64,
        ended_by,
        time_to_first_speech,
        device,
        device_rate: sample_rate,
        device_channels: channels,
        device_format: sample_format.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A device unplugged mid-answer cannot be produced here, so its events
    /// are sent by hand: audio, then the error cpal reports.
    #[test]
    fn device_lost_mid_answer_keeps_what_was_captured() {
        let (tx, events) = mpsc::channel();
        let speech: Vec<f32> = (0..48_000).map(|i| (i as f32 * 0.05).sin() * 0.4).collect();
        for chunk in speech.chunks(4_800) {
            tx.send(CaptureEvent::Audio(chunk.to_vec())).unwrap();
        }
        tx.send(CaptureEvent::Failed {
            message: "The requested device is no longer available".into(),
            device_lost: true,
        })
        .unwrap();
        let source = CaptureSource {
            events,
            sample_rate: 48_000,
            channels: 1,
            sample_format: cpal::SampleFormat::F32,
            device: "usb-mic".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.wav");
        let recording = record_from(
            source,
            &path,
            &AnswerSettings::default(),
            &StopSignals::default(),
            &mut |_| {},
        )
        .unwrap();
        assert!(matches!(recording.ended_by, EndReason::DeviceLost(_)));
        // One second at 48 kHz is 16 000 samples at 16 kHz, all kept.
        assert_eq!(recording.samples, 16_000);
        assert_eq!(hound::WavReader::open(&path).unwrap().len(), 16_000);
    }

    #[test]
    fn the_sample_hook_sees_exactly_what_is_recorded() {
        let (tx, events) = mpsc::channel();
        let speech: Vec<f32> = (0..40_000).map(|i| (i as f32 * 0.05).sin() * 0.4).collect();
        for chunk in speech.chunks(3_000) {
            tx.send(CaptureEvent::Audio(chunk.to_vec())).unwrap();
        }
        let source = CaptureSource {
            events,
            sample_rate: 16_000,
            channels: 1,
            sample_format: cpal::SampleFormat::F32,
            device: "file".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.wav");
        let settings = AnswerSettings {
            time_limit_secs: 2.0,
            ..AnswerSettings::default()
        };
        let mut seen = Vec::new();
        let recording = record_from_with(
            source,
            &path,
            &settings,
            &StopSignals::default(),
            &mut |_| {},
            &mut |samples| seen.extend_from_slice(samples),
        )
        .unwrap();
        drop(tx);
        assert_eq!(recording.ended_by, EndReason::TimeLimit);
        assert_eq!(seen.len(), 32_000);
        let written: Vec<i16> = hound::WavReader::open(&path)
            .unwrap()
            .into_samples::<i16>()
            .map(Result::unwrap)
            .collect();
        assert_eq!(written.len(), seen.len());
        for (w, s) in written.iter().zip(&seen) {
            assert!((*w as f32 / 32768.0 - s).abs() < 1e-3);
        }
    }

    #[test]
    fn a_stalled_device_ends_the_answer_instead_of_hanging() {
        let (tx, events) = mpsc::channel();
        tx.send(CaptureEvent::Audio(vec![0.1; 1600])).unwrap();
        let source = CaptureSource {
            events,
            sample_rate: 16_000,
            channels: 1,
            sample_format: cpal::SampleFormat::I16,
            device: "stuck".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let settings = AnswerSettings {
            stall_timeout: Duration::from_millis(300),
            ..AnswerSettings::default()
        };
        let recording = record_from(
            source,
            &dir.path().join("a.wav"),
            &settings,
            &StopSignals::default(),
            &mut |_| {},
        )
        .unwrap();
        drop(tx);
        assert_eq!(
            recording.ended_by,
            EndReason::DeviceLost("no audio arrived for 0.3 s".into())
        );
        assert_eq!(recording.samples, 1600);
    }
}
