//! Sample-rate conversion to the 16 kHz whisper needs, with rubato's FFT
//! resampler (band-limited, so no aliasing from 44.1/48 kHz sources).

use rubato::{FftFixedIn, Resampler};

use super::wav::MonoClip;

/// The rate whisper models are trained on.
pub const WHISPER_RATE: u32 = 16_000;

/// Why resampling failed (only on impossible rates).
#[derive(Debug, thiserror::Error)]
#[error("cannot resample from {from} Hz to {to} Hz: {reason}")]
pub struct ResampleError {
    pub from: u32,
    pub to: u32,
    pub reason: String,
}

/// Resamples mono audio to `target_rate`, keeping its duration exact
/// (the resampler's delay is removed and the tail flushed).
pub fn resample_mono(
    samples: &[f32],
    from: u32,
    target_rate: u32,
) -> Result<Vec<f32>, ResampleError> {
    if from == target_rate {
        return Ok(samples.to_vec());
    }
    let err = |reason: String| ResampleError {
        from,
        to: target_rate,
        reason,
    };
    if from == 0 {
        return Err(err("the input rate is zero".into()));
    }
    const CHUNK: usize = 1024;
    let mut resampler = FftFixedIn::<f32>::new(from as usize, target_rate as usize, CHUNK, 2, 1)
        .map_err(|e| err(e.to_string()))?;
    let expected_len = (samples.len() as u64 * target_rate as u64).div_ceil(from as u64) as usize;
    let delay = resampler.output_delay();
    let mut out = Vec::with_capacity(expected_len + delay + CHUNK);
    let mut chunks = samples.chunks_exact(CHUNK);
    for chunk in &mut chunks {
        let produced = resampler
            .process(&[chunk], None)
            .map_err(|e| err(e.to_string()))?;
        out.extend_from_slice(&produced[0]);
    }
    let rest = chunks.remainder();
    let produced = resampler
        .process_partial(Some(&[rest]), None)
        .map_err(|e| err(e.to_string()))?;
    out.extend_from_slice(&produced[0]);
    // Flush until the delayed samples are out.
    while out.len() < expected_len + delay {
        let produced = resampler
            .process_partial::<&[f32]>(None, None)
            .map_err(|e| err(e.to_string()))?;
        if produced[0].is_empty() {
            break;
        }
        out.extend_from_slice(&produced[0]);
    }
    let end = (delay + expected_len).min(out.len());
    Ok(out[delay.min(end)..end].to_vec())
}

/// A clip at 16 kHz, ready for whisper.
pub fn to_whisper_rate(clip: &MonoClip) -> Result<Vec<f32>, ResampleError> {
    resample_mono(&clip.samples, clip.sample_rate, WHISPER_RATE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, secs: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize)
            .map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin() * 0.5)
            .collect()
    }

    #[test]
    fn keeps_duration_and_frequency() {
        for rate in [8_000, 22_050, 44_100, 48_000] {
            let input = sine(440.0, rate, 1.3);
            let out = resample_mono(&input, rate, 16_000).unwrap();
            let expected = (input.len() as u64 * 16_000).div_ceil(rate as u64) as usize;
            assert_eq!(out.len(), expected, "rate {rate}");
            // Zero crossings of a 440 Hz tone: 880 per second.
            let body = &out[1600..out.len() - 1600];
            let crossings = body
                .windows(2)
                .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
                .count();
            let secs = body.len() as f32 / 16_000.0;
            let freq = crossings as f32 / secs;
            assert!((freq - 440.0).abs() < 5.0, "rate {rate}: {freq} Hz");
            // Amplitude is kept (no gain or loss beyond the filter's ripple).
            let peak = body.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            assert!((peak - 0.5).abs() < 0.02, "rate {rate}: peak {peak}");
        }
    }

    #[test]
    fn same_rate_is_identity() {
        let input = sine(300.0, 16_000, 0.1);
        assert_eq!(resample_mono(&input, 16_000, 16_000).unwrap(), input);
    }
}
