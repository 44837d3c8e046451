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

/// Resamples a mono stream chunk by chunk (for live capture), producing in
/// total exactly `ceil(input_len * to / from)` samples once finished.
pub struct StreamResampler {
    inner: Option<FftFixedIn<f32>>,
    from: u32,
    to: u32,
    pending: Vec<f32>,
    delay_left: usize,
    consumed: u64,
    produced: u64,
}

const CHUNK: usize = 1024;

impl StreamResampler {
    /// A resampler from `from` Hz to `to` Hz (a pass-through when equal).
    pub fn new(from: u32, to: u32) -> Result<Self, ResampleError> {
        let err = |reason: String| ResampleError { from, to, reason };
        if from == 0 || to == 0 {
            return Err(err("a sample rate is zero".into()));
        }
        let inner = if from == to {
            None
        } else {
            Some(
                FftFixedIn::<f32>::new(from as usize, to as usize, CHUNK, 2, 1)
                    .map_err(|e| err(e.to_string()))?,
            )
        };
        let delay_left = inner.as_ref().map_or(0, |r| r.output_delay());
        Ok(Self {
            inner,
            from,
            to,
            pending: Vec::with_capacity(CHUNK),
            delay_left,
            consumed: 0,
            produced: 0,
        })
    }

    fn expected_total(&self) -> u64 {
        (self.consumed * self.to as u64).div_ceil(self.from as u64)
    }

    fn emit(&mut self, produced: &[f32], out: &mut Vec<f32>) {
        let skip = self.delay_left.min(produced.len());
        self.delay_left -= skip;
        let room = self.expected_total().saturating_sub(self.produced) as usize;
        let take = (produced.len() - skip).min(room);
        out.extend_from_slice(&produced[skip..skip + take]);
        self.produced += take as u64;
    }

    /// Feeds samples; returns whatever output is ready.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<f32>, ResampleError> {
        self.consumed += samples.len() as u64;
        let Some(inner) = self.inner.as_mut() else {
            self.produced += samples.len() as u64;
            return Ok(samples.to_vec());
        };
        let (from, to) = (self.from, self.to);
        let err = |e: rubato::ResampleError| ResampleError {
            from,
            to,
            reason: e.to_string(),
        };
        self.pending.extend_from_slice(samples);
        let mut ready = Vec::new();
        let mut start = 0;
        while self.pending.len() - start >= CHUNK {
            let produced = inner
                .process(&[&self.pending[start..start + CHUNK]], None)
                .map_err(err)?;
            ready.extend_from_slice(&produced[0]);
            start += CHUNK;
        }
        self.pending.drain(..start);
        let mut out = Vec::with_capacity(ready.len());
        self.emit(&ready, &mut out);
        Ok(out)
    }

    /// Flushes the tail: after this, the total output length is exact.
    pub fn finish(mut self) -> Result<Vec<f32>, ResampleError> {
        let Some(mut inner) = self.inner.take() else {
            return Ok(Vec::new());
        };
        let (from, to) = (self.from, self.to);
        let err = |e: rubato::ResampleError| ResampleError {
            from,
            to,
            reason: e.to_string(),
        };
        let mut out = Vec::new();
        let rest = std::mem::take(&mut self.pending);
        let produced = inner
            .process_partial(Some(&[&rest[..]]), None)
            .map_err(err)?;
        self.emit(&produced[0], &mut out);
        while self.produced < self.expected_total() {
            let produced = inner.process_partial::<&[f32]>(None, None).map_err(err)?;
            if produced[0].is_empty() {
                break;
            }
            self.emit(&produced[0], &mut out);
        }
        Ok(out)
    }
}

/// Resamples mono audio to `target_rate`, keeping its duration exact
/// (the resampler's delay is removed and the tail flushed).
pub fn resample_mono(
    samples: &[f32],
    from: u32,
    target_rate: u32,
) -> Result<Vec<f32>, ResampleError> {
    let mut resampler = StreamResampler::new(from, target_rate)?;
    let mut out = resampler.push(samples)?;
    out.extend(resampler.finish()?);
    Ok(out)
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
    fn streaming_in_odd_chunks_matches_one_shot() {
        let input = sine(440.0, 48_000, 0.7);
        let whole = resample_mono(&input, 48_000, 16_000).unwrap();
        let mut streaming = StreamResampler::new(48_000, 16_000).unwrap();
        let mut out = Vec::new();
        for chunk in input.chunks(333) {
            out.extend(streaming.push(chunk).unwrap());
        }
        out.extend(streaming.finish().unwrap());
        assert_eq!(out.len(), whole.len());
        let max_diff = out
            .iter()
            .zip(&whole)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(max_diff < 1e-5, "{max_diff}");
    }

    #[test]
    fn same_rate_is_identity() {
        let input = sine(300.0, 16_000, 0.1);
        assert_eq!(resample_mono(&input, 16_000, 16_000).unwrap(), input);
    }
}
