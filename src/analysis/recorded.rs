//! A recorded answer (a WAV file) made ready for analysis, as
//! `rehearse analyze FILE` does it: transcribed (bounded memory, speech
//! only, see [`crate::transcribe::file`]) and timed from the audio: the time
//! to the first word is when the speech detector first hears speech, not the
//! first word's timestamp (which can sit on a breath or a click).

use std::path::Path;

use super::AnswerInput;
use crate::audio::resample::{self, ResampleError};
use crate::audio::vad::{EnergyVad, VadSettings, FRAME};
use crate::audio::wav::{self, WavError};
use crate::transcribe::file::{transcribe_wav, FileError, FileProgress};
use crate::transcribe::{DecodeOptions, DecodeReport, Transcriber};

/// Why a recorded answer could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum RecordedError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Wav(#[from] WavError),
    #[error("cannot convert {path} to 16 kHz: {source}")]
    Resample {
        path: std::path::PathBuf,
        source: ResampleError,
    },
}

/// Transcribes the answer recorded in `path` and times it: the
/// [`AnswerInput`] the analysis takes, and how it was decoded.
pub fn spoken_answer(
    transcriber: &Transcriber,
    path: &Path,
    options: &DecodeOptions,
    progress: &mut dyn FnMut(FileProgress),
) -> Result<(AnswerInput, DecodeReport), RecordedError> {
    let (transcript, report) = transcribe_wav(transcriber, path, options, progress)?;
    // The speech detector's first speech; the energy detector's without it.
    let first = match report.speech.first() {
        Some(s) => Some(s.start),
        None if report.vad == "silero" => None,
        None => {
            let clip = wav::read_mono(path)?;
            let pcm =
                resample::to_whisper_rate(&clip).map_err(|source| RecordedError::Resample {
                    path: path.to_path_buf(),
                    source,
                })?;
            first_speech(&pcm)
        }
    };
    Ok((
        AnswerInput::Spoken {
            audio_secs: transcript.duration,
            time_to_first_word: first,
            transcript,
            speech: report.speech.clone(),
        },
        report,
    ))
}

/// When the energy detector first hears speech, if it does.
fn first_speech(pcm: &[f32]) -> Option<f64> {
    let mut vad = EnergyVad::new(VadSettings {
        end_after_silence_secs: None,
        ..VadSettings::default()
    });
    for chunk in pcm.chunks(FRAME * 10) {
        if let Some(t) = vad.push(chunk).first_speech_at {
            return Some(t);
        }
    }
    None
}
