//! The mel filterbank whisper.cpp expects inside a ggml model file.
//!
//! Whisper uses librosa's default filterbank (`librosa.filters.mel(sr=16000,
//! n_fft=400, n_mels=80)`): Slaney's mel scale (linear below 1 kHz,
//! logarithmic above) and Slaney area normalisation, computed here in f64 and
//! stored as f32 like librosa does.

/// Sample rate whisper works at.
pub const WHISPER_SAMPLE_RATE: u32 = 16_000;
/// FFT size whisper's log-mel spectrogram uses.
pub const WHISPER_N_FFT: usize = 400;

const SLANEY_F_SP: f64 = 200.0 / 3.0;
const SLANEY_MIN_LOG_HZ: f64 = 1000.0;
const SLANEY_MIN_LOG_MEL: f64 = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;

fn slaney_log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hertz to Slaney mels.
pub fn hz_to_mel(hz: f64) -> f64 {
    if hz >= SLANEY_MIN_LOG_HZ {
        SLANEY_MIN_LOG_MEL + (hz / SLANEY_MIN_LOG_HZ).ln() / slaney_log_step()
    } else {
        hz / SLANEY_F_SP
    }
}

/// Slaney mels to Hertz.
pub fn mel_to_hz(mel: f64) -> f64 {
    if mel >= SLANEY_MIN_LOG_MEL {
        SLANEY_MIN_LOG_HZ * (slaney_log_step() * (mel - SLANEY_MIN_LOG_MEL)).exp()
    } else {
        mel * SLANEY_F_SP
    }
}

/// A row-major `n_mels x (n_fft / 2 + 1)` filterbank.
#[derive(Debug, Clone, PartialEq)]
pub struct MelFilterbank {
    pub n_mels: usize,
    pub n_freqs: usize,
    pub weights: Vec<f32>,
}

impl MelFilterbank {
    /// librosa's `filters.mel(sr, n_fft, n_mels)` with fmin 0 and fmax sr/2.
    pub fn slaney(sample_rate: u32, n_fft: usize, n_mels: usize) -> Self {
        let n_freqs = n_fft / 2 + 1;
        let nyquist = sample_rate as f64 / 2.0;
        let fft_freqs: Vec<f64> = (0..n_freqs)
            .map(|i| i as f64 * nyquist / (n_freqs - 1) as f64)
            .collect();
        let max_mel = hz_to_mel(nyquist);
        let mel_points: Vec<f64> = (0..n_mels + 2)
            .map(|i| mel_to_hz(max_mel * i as f64 / (n_mels + 1) as f64))
            .collect();
        let mut weights = Vec::with_capacity(n_mels * n_freqs);
        for m in 0..n_mels {
            let (left, centre, right) = (mel_points[m], mel_points[m + 1], mel_points[m + 2]);
            let area_norm = 2.0 / (right - left);
            for &f in &fft_freqs {
                let rising = (f - left) / (centre - left);
                let falling = (right - f) / (right - centre);
                let w = rising.min(falling).max(0.0) * area_norm;
                weights.push(w as f32);
            }
        }
        Self {
            n_mels,
            n_freqs,
            weights,
        }
    }

    /// Whisper's filterbank for `n_mels` bands (80 for every English model).
    pub fn whisper(n_mels: usize) -> Self {
        Self::slaney(WHISPER_SAMPLE_RATE, WHISPER_N_FFT, n_mels)
    }

    /// One band's weights over the FFT bins.
    pub fn row(&self, mel: usize) -> &[f32] {
        &self.weights[mel * self.n_freqs..(mel + 1) * self.n_freqs]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips_and_is_linear_below_1khz() {
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        assert!((hz_to_mel(500.0) - 7.5).abs() < 1e-12);
        for hz in [0.0, 123.0, 999.0, 1000.0, 4321.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9, "{hz}");
        }
    }

    #[test]
    fn whisper_filterbank_shape_and_row_sums() {
        let bank = MelFilterbank::whisper(80);
        assert_eq!((bank.n_mels, bank.n_freqs), (80, 201));
        // Slaney normalisation makes every triangle's area 1 (in Hz); sampled
        // every 40 Hz, each row sums to about 1/40 once the band spans several bins.
        // Narrow low bands (under 3 bins) sample their peak unevenly, so only
        // bounds are checked there.
        for m in 0..80 {
            let sum: f32 = bank.row(m).iter().sum();
            if m >= 20 {
                assert!((sum - 0.025).abs() < 0.0005, "row {m} sums to {sum}");
            } else {
                assert!(sum > 0.0 && sum < 0.05, "row {m} sums to {sum}");
            }
        }
    }

    #[test]
    fn whisper_filterbank_matches_librosa_values() {
        // Reference values of librosa.filters.mel(sr=16000, n_fft=400, n_mels=80).
        let bank = MelFilterbank::whisper(80);
        let close = |a: f32, b: f32| (a - b).abs() < 1e-6;
        // Band 0 peaks between bins 0 and 1 (centre 66.7 Hz, bins every 40 Hz).
        assert!(close(bank.row(0)[0], 0.0));
        assert!(
            close(bank.row(0)[1], 0.6 * 2.0 / 133.333_33 * 1.0),
            "{}",
            bank.row(0)[1]
        );
        // Triangles do not overlap more than their neighbours: bin 1 is only in bands 0 and 1.
        let bands_for_bin_1 = (0..80).filter(|&m| bank.row(m)[1] > 0.0).count();
        assert_eq!(bands_for_bin_1, 2);
        // The last bin (8 kHz) is the right edge of the top band: weight 0.
        assert!(close(bank.row(79)[200], 0.0));
    }
}
