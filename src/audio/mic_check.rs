//! Judging a short test recording: is the microphone silent, too quiet,
//! clipping, or fine?

use super::vad::{rms_db, FRAME};

/// The verdict of a microphone check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MicVerdict {
    Silent,
    TooQuiet,
    Clipping,
    Ok,
}

/// Levels measured over the check, dBFS.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MicLevels {
    pub peak_db: f64,
    /// RMS of the loudest tenth of 30 ms frames: how loud speech comes in.
    pub speech_db: f64,
    /// Share of samples at full scale.
    pub clipped_fraction: f64,
    pub verdict: MicVerdict,
    pub advice: &'static str,
}

const SILENT_PEAK_DB: f64 = -50.0;
const QUIET_SPEECH_DB: f64 = -35.0;
const CLIPPED_SHARE: f64 = 0.001;

/// Measures 16 kHz samples and gives a verdict.
pub fn assess(samples: &[f32]) -> MicLevels {
    let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let peak_db = if peak > 0.0 {
        20.0 * (peak as f64).log10()
    } else {
        -120.0
    };
    let mut frames: Vec<f64> = samples.chunks(FRAME).map(rms_db).collect();
    frames.sort_by(|a, b| b.total_cmp(a));
    let loudest = &frames[..frames.len().div_ceil(10).min(frames.len())];
    let speech_db = if loudest.is_empty() {
        -120.0
    } else {
        loudest.iter().sum::<f64>() / loudest.len() as f64
    };
    let clipped = samples.iter().filter(|s| s.abs() >= 0.99).count();
    let clipped_fraction = clipped as f64 / samples.len().max(1) as f64;
    let (verdict, advice) = if peak_db < SILENT_PEAK_DB {
        (
            MicVerdict::Silent,
            "no sound reached rehearse: check the microphone is connected, unmuted and the one chosen (rehearse devices, --device)",
        )
    } else if clipped_fraction > CLIPPED_SHARE {
        (
            MicVerdict::Clipping,
            "too loud, the signal clips: lower the input gain or move a little further from the microphone",
        )
    } else if speech_db < QUIET_SPEECH_DB {
        (
            MicVerdict::TooQuiet,
            "too quiet: raise the input gain or move closer to the microphone, then check again",
        )
    } else {
        (MicVerdict::Ok, "levels are good for transcription")
    };
    MicLevels {
        peak_db,
        speech_db,
        clipped_fraction,
        verdict,
        advice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amplitude: f32) -> Vec<f32> {
        (0..48_000)
            .map(|i| (i as f32 * 0.07).sin() * amplitude)
            .collect()
    }

    #[test]
    fn verdicts_follow_levels() {
        assert_eq!(assess(&vec![0.0; 48_000]).verdict, MicVerdict::Silent);
        assert_eq!(assess(&tone(0.005)).verdict, MicVerdict::TooQuiet);
        assert_eq!(assess(&tone(0.3)).verdict, MicVerdict::Ok);
        let clipped: Vec<f32> = tone(3.0).iter().map(|s| s.clamp(-1.0, 1.0)).collect();
        assert_eq!(assess(&clipped).verdict, MicVerdict::Clipping);
    }
}
