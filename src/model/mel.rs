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

    /// Row sums of librosa 0.10 `filters.mel(sr=16000, n_fft=400, n_mels=80)`,
    /// computed with librosa itself (an independent implementation).
    const LIBROSA_ROW_SUMS: [f64; 80] = [
        0.02486259, 0.02486259, 0.02486259, 0.02486259, 0.02486259, 0.02486259, 0.02486259,
        0.02486259, 0.02486259, 0.02486259, 0.02486259, 0.02486259, 0.02486259, 0.02588068,
        0.02583532, 0.02486259, 0.02486259, 0.02486259, 0.02486259, 0.02486259, 0.02486259,
        0.02486259, 0.02486259, 0.02486259, 0.02486259, 0.02491444, 0.02543282, 0.02534769,
        0.02525990, 0.02507928, 0.02481881, 0.02449010, 0.02410351, 0.02648386, 0.02529607,
        0.02319991, 0.02698751, 0.02350752, 0.02623192, 0.02339494, 0.02666486, 0.02452379,
        0.02464065, 0.02495032, 0.02511633, 0.02515684, 0.02508817, 0.02492496, 0.02468032,
        0.02523523, 0.02512943, 0.02478999, 0.02489705, 0.02539173, 0.02483308, 0.02495681,
        0.02496133, 0.02486229, 0.02531573, 0.02482377, 0.02510154, 0.02485339, 0.02503229,
        0.02508438, 0.02502610, 0.02487220, 0.02511947, 0.02488179, 0.02503649, 0.02506755,
        0.02499108, 0.02490123, 0.02507822, 0.02499013, 0.02496993, 0.02508481, 0.02492315,
        0.02501575, 0.02502262, 0.02492534,
    ];

    #[test]
    fn whisper_filterbank_row_sums_match_librosa() {
        let bank = MelFilterbank::whisper(80);
        assert_eq!((bank.n_mels, bank.n_freqs), (80, 201));
        for (m, expected) in LIBROSA_ROW_SUMS.iter().enumerate() {
            let sum: f64 = bank.row(m).iter().map(|&w| w as f64).sum();
            assert!(
                (sum - expected).abs() < 2e-7,
                "row {m}: {sum} vs librosa {expected}"
            );
        }
    }

    #[test]
    fn whisper_filterbank_matches_librosa_values() {
        // Individual weights from librosa for a low, a middle and the top band.
        let bank = MelFilterbank::whisper(80);
        let close = |a: f32, b: f32| (a - b).abs() < 1e-8;
        let expect = |m: usize, bin: usize, w: f32| {
            assert!(
                close(bank.row(m)[bin], w),
                "band {m} bin {bin}: {} vs {w}",
                bank.row(m)[bin]
            );
        };
        expect(0, 0, 0.0);
        expect(0, 1, 0.024_862_595);
        expect(0, 2, 0.0);
        expect(1, 1, 0.001_990_822);
        expect(1, 2, 0.022_871_772);
        expect(40, 42, 0.005_411_105);
        expect(40, 43, 0.014_735_566);
        expect(40, 44, 0.006_518_19);
        let band_40_bins: Vec<usize> = (0..201).filter(|&b| bank.row(40)[b] > 0.0).collect();
        assert_eq!(band_40_bins, vec![42, 43, 44]);
        expect(79, 197, 0.001_346_277);
        expect(79, 198, 0.000_897_518);
        expect(79, 199, 0.000_448_759);
        expect(79, 200, 0.0);
    }
}
