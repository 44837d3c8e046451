//! A recording as a `data:` URI the HTML report can carry in an `<audio>`
//! element, so the page stays one self-contained file. The recording is
//! mixed to mono and stored at 16 kHz, 16-bit (about 1.9 MB a minute, 2.6 MB
//! once base64-encoded), whatever rate and layout the original has.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine;

use crate::audio::resample::{to_whisper_rate, ResampleError, WHISPER_RATE};
use crate::audio::wav::{read_mono, WavError};

/// Why a recording could not be embedded.
#[derive(Debug, thiserror::Error)]
pub enum EmbedAudioError {
    #[error(transparent)]
    Read(#[from] WavError),
    #[error("cannot resample {path} for the report: {source}")]
    Resample {
        path: PathBuf,
        source: ResampleError,
    },
    #[error("cannot encode {path} for the report: {source}")]
    Encode { path: PathBuf, source: hound::Error },
}

/// The WAV file at `path` as `data:audio/wav;base64,...` (16 kHz mono).
pub fn wav_data_uri(path: &Path) -> Result<String, EmbedAudioError> {
    let clip = read_mono(path)?;
    let samples = to_whisper_rate(&clip).map_err(|source| EmbedAudioError::Resample {
        path: path.to_path_buf(),
        source,
    })?;
    let encode_err = |source| EmbedAudioError::Encode {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: WHISPER_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::new(&mut bytes, spec).map_err(encode_err)?;
        for s in samples {
            let v = (s.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16;
            writer.write_sample(v).map_err(encode_err)?;
        }
        writer.finalize().map_err(encode_err)?;
    }
    Ok(format!(
        "data:audio/wav;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes.into_inner())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_becomes_a_wav_data_uri_at_16_khz_mono() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..48_000 {
            let v = ((i as f32 * 440.0 * std::f32::consts::TAU / 48_000.0).sin() * 8000.0) as i16;
            w.write_sample(v).unwrap();
            w.write_sample(v).unwrap();
        }
        w.finalize().unwrap();

        let uri = wav_data_uri(&path).unwrap();
        let b64 = uri.strip_prefix("data:audio/wav;base64,").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        assert_eq!(reader.spec().channels, 1);
        assert_eq!(reader.spec().sample_rate, 16_000);
        let n = reader.len() as i64;
        assert!((n - 16_000).abs() < 50, "{n} samples for 1 s");
        let peak = reader
            .into_samples::<i16>()
            .map(|s| s.unwrap().unsigned_abs())
            .max()
            .unwrap();
        assert!((7000..9000).contains(&peak), "tone kept: peak {peak}");
    }

    #[test]
    fn a_file_that_is_not_wav_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.wav");
        std::fs::write(&path, b"not audio").unwrap();
        let err = wav_data_uri(&path).unwrap_err().to_string();
        assert!(err.contains("notes.wav"), "{err}");
    }
}
