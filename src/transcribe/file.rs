//! Transcribing a WAV file of any length with bounded memory: the file is
//! read twice in pieces, first to find the speech (Silero), then to keep only
//! the speech (padded) for whisper. An hour of silence is read, found silent
//! and costs no whisper run; memory grows with the speech, not the file.

use std::path::{Path, PathBuf};

use super::batch::{regions_to_keep, transcribe_joined, Joined, TimedSpeech};
use super::{DecodeOptions, DecodeReport, TranscribeError, Transcriber, Transcript};
use crate::audio::resample::{ResampleError, StreamResampler, WHISPER_RATE};
use crate::audio::silero::{SpeechParams, SpeechTracker};
use crate::audio::wav::{read_mono, WavError};

/// Frames read from the file at a time (about 1 s at 48 kHz).
const READ_FRAMES: usize = 48_000;

/// Why a file could not be transcribed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Wav(#[from] WavError),
    #[error("cannot convert {path} to 16 kHz: {source}")]
    Resample {
        path: PathBuf,
        source: ResampleError,
    },
    #[error("transcribing {path}: {source}")]
    Transcribe {
        path: PathBuf,
        source: TranscribeError,
    },
}

/// What the progress callback hears.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FileProgress {
    /// Looking for speech: seconds read of the file's seconds.
    Listening { done: f64, total: f64 },
    /// Transcribing: seconds of speech done, of all.
    Transcribing { done: f64, total: f64 },
}

/// What [`stream_16k`] hands each piece to: its position (16 kHz samples)
/// and the samples.
type PieceSink<'a> = dyn FnMut(usize, &[f32]) -> Result<(), TranscribeError> + 'a;

/// Reads `path` in pieces, mixed to mono and converted to 16 kHz, handing
/// each piece and its position (16 kHz samples) to `each`. Returns the
/// 16 kHz length.
fn stream_16k(
    path: &Path,
    each: &mut PieceSink<'_>,
    progress: &mut dyn FnMut(f64, f64),
) -> Result<usize, FileError> {
    let open_err = |source| WavError::Open {
        path: path.to_path_buf(),
        source,
    };
    let format_err = |source| WavError::Format {
        path: path.to_path_buf(),
        source,
    };
    let transcribe_err = |source| FileError::Transcribe {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(open_err)?;
    let mut reader = hound::WavReader::new(std::io::BufReader::new(file)).map_err(format_err)?;
    let spec = reader.spec();
    let channels = spec.channels.max(1) as usize;
    let total_frames = reader.duration() as usize;
    if total_frames == 0 {
        return Err(WavError::Empty {
            path: path.to_path_buf(),
        }
        .into());
    }
    let mut resampler = StreamResampler::new(spec.sample_rate, WHISPER_RATE).map_err(|source| {
        FileError::Resample {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let resample_err = |source| FileError::Resample {
        path: path.to_path_buf(),
        source,
    };
    let mut produced = 0usize;
    let mut frames_read = 0usize;
    let mut interleaved: Vec<f32> = Vec::with_capacity(READ_FRAMES * channels);
    let mut mono: Vec<f32> = Vec::with_capacity(READ_FRAMES);
    let total_secs = total_frames as f64 / spec.sample_rate.max(1) as f64;
    macro_rules! read_block {
        ($iter:expr, $conv:expr) => {{
            let mut iter = $iter;
            loop {
                interleaved.clear();
                for s in iter.by_ref().take(READ_FRAMES * channels) {
                    interleaved.push($conv(s.map_err(format_err)?));
                }
                if interleaved.is_empty() {
                    break;
                }
                mono.clear();
                mono.extend(
                    interleaved
                        .chunks_exact(channels)
                        .map(|f| f.iter().sum::<f32>() / channels as f32),
                );
                frames_read += mono.len();
                let out = resampler.push(&mono).map_err(resample_err)?;
                each(produced, &out).map_err(transcribe_err)?;
                produced += out.len();
                progress(frames_read as f64 / spec.sample_rate as f64, total_secs);
            }
        }};
    }
    match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => read_block!(reader.samples::<f32>(), |v: f32| v),
        (hound::SampleFormat::Int, bits @ 8..=32) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            read_block!(reader.samples::<i32>(), |v: i32| v as f32 * scale)
        }
        (format, bits) => {
            return Err(WavError::Unsupported {
                path: path.to_path_buf(),
                bits,
                format,
            }
            .into())
        }
    }
    let tail = resampler.finish().map_err(resample_err)?;
    each(produced, &tail).map_err(transcribe_err)?;
    produced += tail.len();
    Ok(produced)
}

/// Transcribes a WAV file (any layout `read_mono` takes). Without a Silero
/// model the file is read whole and transcribed as it is.
pub fn transcribe_wav(
    transcriber: &Transcriber,
    path: &Path,
    options: &DecodeOptions,
    progress: &mut dyn FnMut(FileProgress),
) -> Result<(Transcript, DecodeReport), FileError> {
    let transcribe_err = |source| FileError::Transcribe {
        path: path.to_path_buf(),
        source,
    };
    let Some(vad) = transcriber.vad() else {
        let clip = read_mono(path)?;
        let pcm = crate::audio::resample::to_whisper_rate(&clip).map_err(|source| {
            FileError::Resample {
                path: path.to_path_buf(),
                source,
            }
        })?;
        return transcriber
            .transcribe_detailed(&pcm, options)
            .map_err(transcribe_err);
    };
    // First pass: where the speech is.
    let mut tracker = SpeechTracker::new(SpeechParams::default());
    let total = stream_16k(
        path,
        &mut |_, piece| {
            tracker
                .push(vad, piece)
                .map_err(|e| TranscribeError::Decode(e.to_string()))
        },
        &mut |done, total| progress(FileProgress::Listening { done, total }),
    )?;
    tracker
        .finish(vad)
        .map_err(|e| transcribe_err(TranscribeError::Decode(e.to_string())))?;
    let speech = tracker.segments();
    let (timed, hums) = tracker.refined_with_hums();
    let keep = regions_to_keep(&speech, total);
    // Second pass: only the speech.
    let mut joined = Joined::default();
    if !keep.is_empty() {
        let mut next = 0usize;
        stream_16k(
            path,
            &mut |at, piece| {
                let end = at + piece.len();
                while next < keep.len() && keep[next].1 <= at {
                    next += 1;
                }
                let mut i = next;
                while i < keep.len() && keep[i].0 < end {
                    let (a, b) = (keep[i].0.max(at), keep[i].1.min(end));
                    if b > a {
                        joined.push(a, &piece[a - at..b - at]);
                    }
                    i += 1;
                }
                Ok(())
            },
            &mut |_, _| {},
        )?;
    }
    let mut on_progress =
        |done: f64, total: f64| progress(FileProgress::Transcribing { done, total });
    let (mut transcript, report) = if joined.pcm.is_empty() {
        let mut report = transcriber.new_report();
        report.speech = timed;
        (
            Transcript {
                text: String::new(),
                duration: 0.0,
                segments: Vec::new(),
                words: Vec::new(),
            },
            report,
        )
    } else {
        transcribe_joined(
            transcriber,
            &joined,
            total,
            Some(&speech),
            Some(TimedSpeech {
                segments: &timed,
                hums: &hums,
            }),
            options,
            Some(&mut on_progress),
        )
        .map_err(transcribe_err)?
    };
    transcript.duration = total as f64 / WHISPER_RATE as f64;
    Ok((transcript, report))
}
