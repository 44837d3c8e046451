//! Reading WAV files of any common layout into mono f32 samples.

use std::path::{Path, PathBuf};

/// Mono audio at its original sample rate, samples in [-1, 1].
#[derive(Debug, Clone)]
pub struct MonoClip {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
}

impl MonoClip {
    /// Length in seconds.
    pub fn duration_secs(&self) -> f64 {
        self.samples.len() as f64 / self.sample_rate as f64
    }
}

/// Why a WAV file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a readable WAV file ({source}); convert it with e.g. `sox INPUT -r 16000 -c 1 -b 16 OUTPUT.wav`")]
    Format { path: PathBuf, source: hound::Error },
    #[error("{path} ends before its header says: it holds {held:.1} s of the {claimed:.1} s of audio the header claims (a recording cut off by a crash, a kill or a full disk?); `rehearse recover {path}` makes the audio it holds readable")]
    Truncated {
        path: PathBuf,
        held: f64,
        claimed: f64,
    },
    #[error("{path} holds no audio samples")]
    Empty { path: PathBuf },
    #[error("{path} uses {bits}-bit {format:?} samples, which are not supported; use 8/16/24/32-bit integer or 32-bit float")]
    Unsupported {
        path: PathBuf,
        bits: u16,
        format: hound::SampleFormat,
    },
}

/// Checks that a WAV file holds all the audio its header claims: a
/// recording cut off by a crash is named as such (with the way to recover
/// it), not as an unreadable file. Cheap: only the header is read.
pub fn check_complete(path: &Path) -> Result<(), WavError> {
    use std::io::Seek;
    let file = std::fs::File::open(path).map_err(|source| WavError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let file_len = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    let mut buffered = std::io::BufReader::new(file);
    let (spec, claimed_samples) = {
        let reader = hound::WavReader::new(&mut buffered).map_err(|source| WavError::Format {
            path: path.to_path_buf(),
            source,
        })?;
        (reader.spec(), u64::from(reader.len()))
    };
    let Ok(data_start) = buffered.stream_position() else {
        return Ok(());
    };
    let sample_bytes = u64::from(spec.bits_per_sample).div_ceil(8).max(1);
    let claimed_bytes = claimed_samples * sample_bytes;
    let held_bytes = file_len.saturating_sub(data_start);
    if held_bytes >= claimed_bytes {
        return Ok(());
    }
    let bytes_per_sec = (sample_bytes
        * u64::from(spec.channels.max(1))
        * u64::from(spec.sample_rate.max(1))) as f64;
    Err(WavError::Truncated {
        path: path.to_path_buf(),
        held: held_bytes as f64 / bytes_per_sec,
        claimed: claimed_bytes as f64 / bytes_per_sec,
    })
}

/// Reads a WAV file (8/16/24/32-bit integer or 32-bit float, any channel count
/// and rate) and mixes it down to mono.
pub fn read_mono(path: &Path) -> Result<MonoClip, WavError> {
    check_complete(path)?;
    let file = std::fs::File::open(path).map_err(|source| WavError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let format_err = |source| WavError::Format {
        path: path.to_path_buf(),
        source,
    };
    let reader = hound::WavReader::new(std::io::BufReader::new(file)).map_err(format_err)?;
    let spec = reader.spec();
    let interleaved: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => reader
            .into_samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(format_err)?,
        (hound::SampleFormat::Int, bits @ 8..=32) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(format_err)?
        }
        (format, bits) => {
            return Err(WavError::Unsupported {
                path: path.to_path_buf(),
                bits,
                format,
            })
        }
    };
    let channels = spec.channels.max(1) as usize;
    let samples: Vec<f32> = interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    if samples.is_empty() {
        return Err(WavError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(MonoClip {
        samples,
        sample_rate: spec.sample_rate,
    })
}
