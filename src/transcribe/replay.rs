//! Feeding recorded audio through the streaming path as if it were being
//! spoken (at real-time pace, or faster), and measuring how soon after the
//! last sample the transcript is ready. Used by `rehearse transcribe
//! --streaming`, the benchmark and the tests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::streaming::{
    FinishStats, StreamError, StreamProgress, StreamSettings, StreamingTranscriber,
};
use super::{DecodeReport, Transcriber, Transcript};
use crate::audio::resample::WHISPER_RATE;

/// Samples per piece fed: 50 ms, about what a capture callback delivers.
pub const PIECE: usize = 800;

/// The outcome of one replay.
#[derive(Debug, Clone)]
pub struct Replay {
    pub transcript: Transcript,
    /// How it was made (speech heard, windows decoded again).
    pub report: DecodeReport,
    /// Wall time from the delivery of the last sample to the full transcript.
    pub latency: Duration,
    /// whisper runs (30 s windows, and the rest at the end).
    pub windows: usize,
    /// Wall time of the whole replay.
    pub wall: Duration,
    /// What was left to transcribe when the answer ended.
    pub at_finish: Option<FinishStats>,
}

/// Streams `pcm_16k` in [`PIECE`]-sized pieces. `pace` is the speed relative
/// to real time: 1.0 delivers a second of audio per second, 0 (or less)
/// delivers everything at once.
pub fn replay(
    transcriber: Arc<Transcriber>,
    settings: StreamSettings,
    pcm_16k: &[f32],
    pace: f64,
) -> Result<Replay, StreamError> {
    replay_with(transcriber, settings, pcm_16k, pace, false)
}

/// [`replay`]; with `settle`, each piece waits until the worker has done
/// everything it wanted to with the audio so far (as a machine fast enough
/// to keep up would): what is left when the answer ends then does not
/// depend on this machine's speed or load.
pub fn replay_with(
    transcriber: Arc<Transcriber>,
    settings: StreamSettings,
    pcm_16k: &[f32],
    pace: f64,
    settle: bool,
) -> Result<Replay, StreamError> {
    replay_watched(transcriber, settings, pcm_16k, pace, settle, |_| ()).map(|(r, ())| r)
}

/// [`replay_with`], with `watch` given the stream's progress as it starts
/// (what a session does with it, e.g. embed sentences while the answer goes
/// on); what it returns is handed back with the result.
pub fn replay_watched<W>(
    transcriber: Arc<Transcriber>,
    settings: StreamSettings,
    pcm_16k: &[f32],
    pace: f64,
    settle: bool,
    watch: impl FnOnce(Arc<StreamProgress>) -> W,
) -> Result<(Replay, W), StreamError> {
    let mut stream = StreamingTranscriber::start(transcriber, settings)?;
    let watcher = watch(stream.progress());
    let started = Instant::now();
    let pieces: Vec<&[f32]> = pcm_16k.chunks(PIECE).collect();
    let mut last_delivery = started;
    for (i, piece) in pieces.iter().enumerate() {
        if pace > 0.0 {
            // Piece i has been "spoken" once its last sample is due.
            let spoken = ((i * PIECE + piece.len()) as f64 / WHISPER_RATE as f64) / pace;
            let due = started + Duration::from_secs_f64(spoken);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        if settle {
            stream.settle();
        }
        last_delivery = Instant::now();
        stream.push(piece);
    }
    let progress = stream.progress();
    let (transcript, report) = stream.finish_detailed()?;
    let done = Instant::now();
    let replayed = Replay {
        transcript,
        report,
        latency: done - last_delivery,
        windows: progress.windows_done(),
        wall: done - started,
        at_finish: progress.at_finish(),
    };
    Ok((replayed, watcher))
}
