//! Energy-based voice activity detection (the fallback when the Silero
//! model, [`super::silero`], is absent; and the level meter): calibrates the
//! room's noise floor at the start, finds the first speech, and reports when
//! the speaker has been silent long enough after speaking.

/// Frame length: 30 ms at 16 kHz.
pub const FRAME: usize = 480;
const FRAME_SECS: f64 = 0.03;
/// Consecutive loud frames that count as speech having started (90 ms).
const SPEECH_START_FRAMES: usize = 3;
/// The quietest a useful threshold gets (digital silence would give -inf).
const MIN_THRESHOLD_DB: f64 = -50.0;
/// The loudest threshold, so a calibration spoiled by early speech still works.
const MAX_THRESHOLD_DB: f64 = -30.0;
/// How far above the noise floor speech must be.
const MARGIN_DB: f64 = 12.0;

/// RMS level of samples in dBFS (-120 for silence).
pub fn rms_db(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return -120.0;
    }
    let mean_square = samples
        .iter()
        .map(|&s| (s as f64) * (s as f64))
        .sum::<f64>()
        / samples.len() as f64;
    if mean_square <= 1e-12 {
        -120.0
    } else {
        10.0 * mean_square.log10()
    }
}

/// Settings of the detector.
#[derive(Debug, Clone, Copy)]
pub struct VadSettings {
    /// Seconds at the start used to measure the noise floor.
    pub calibration_secs: f64,
    /// Seconds of silence after speech that end the answer (None: never).
    pub end_after_silence_secs: Option<f64>,
}

impl Default for VadSettings {
    fn default() -> Self {
        Self {
            calibration_secs: 0.5,
            end_after_silence_secs: Some(4.0),
        }
    }
}

/// What the detector knows after the latest samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadState {
    /// Level of the latest frame, dBFS.
    pub level_db: f64,
    /// Whether the latest frames are speech.
    pub speaking: bool,
    /// When speech first started, seconds from the beginning.
    pub first_speech_at: Option<f64>,
    /// Set once silence after speech reached the configured length: the
    /// moment (seconds from the beginning) the answer should end.
    pub ended_at: Option<f64>,
}

/// Streaming detector over 16 kHz mono samples.
pub struct EnergyVad {
    settings: VadSettings,
    pending: Vec<f32>,
    frames_seen: usize,
    calibration: Vec<f64>,
    threshold_db: Option<f64>,
    loud_run: usize,
    quiet_run: usize,
    state: VadState,
}

impl EnergyVad {
    pub fn new(settings: VadSettings) -> Self {
        Self {
            settings,
            pending: Vec::with_capacity(FRAME),
            frames_seen: 0,
            calibration: Vec::new(),
            threshold_db: None,
            loud_run: 0,
            quiet_run: 0,
            state: VadState {
                level_db: -120.0,
                speaking: false,
                first_speech_at: None,
                ended_at: None,
            },
        }
    }

    /// The state after the samples so far.
    pub fn state(&self) -> VadState {
        self.state
    }

    /// The speech threshold in dBFS, once calibrated.
    pub fn threshold_db(&self) -> Option<f64> {
        self.threshold_db
    }

    fn calibrate(&mut self) -> f64 {
        let mut levels = self.calibration.clone();
        levels.sort_by(|a, b| a.total_cmp(b));
        // The quieter fifth of the calibration frames: robust to a word or
        // two spoken before calibration ends.
        let floor = levels.get(levels.len() / 5).copied().unwrap_or(-120.0);
        (floor + MARGIN_DB).clamp(MIN_THRESHOLD_DB, MAX_THRESHOLD_DB)
    }

    fn frame(&mut self, level_db: f64) {
        let index = self.frames_seen;
        self.frames_seen += 1;
        self.state.level_db = level_db;
        let calibration_frames = (self.settings.calibration_secs / FRAME_SECS).ceil() as usize;
        if self.threshold_db.is_none() {
            self.calibration.push(level_db);
            if self.calibration.len() >= calibration_frames.max(1) {
                self.threshold_db = Some(self.calibrate());
            }
        }
        // Before calibration completes, judge against the loosest threshold.
        let threshold = self.threshold_db.unwrap_or(MAX_THRESHOLD_DB);
        if level_db > threshold {
            self.loud_run += 1;
            self.quiet_run = 0;
        } else {
            self.quiet_run += 1;
            self.loud_run = 0;
        }
        if self.loud_run >= SPEECH_START_FRAMES {
            self.state.speaking = true;
            if self.state.first_speech_at.is_none() {
                let start_frame = index + 1 - SPEECH_START_FRAMES;
                self.state.first_speech_at = Some(start_frame as f64 * FRAME_SECS);
            }
        } else if self.loud_run == 0 {
            self.state.speaking = false;
        }
        if let (Some(_), Some(limit), None) = (
            self.state.first_speech_at,
            self.settings.end_after_silence_secs,
            self.state.ended_at,
        ) {
            if self.quiet_run as f64 * FRAME_SECS >= limit - 1e-9 {
                self.state.ended_at = Some(self.frames_seen as f64 * FRAME_SECS);
            }
        }
    }

    /// Feeds 16 kHz samples; returns the state after them.
    pub fn push(&mut self, samples: &[f32]) -> VadState {
        self.pending.extend_from_slice(samples);
        let mut start = 0;
        while self.pending.len() - start >= FRAME {
            let level = rms_db(&self.pending[start..start + FRAME]);
            self.frame(level);
            start += FRAME;
        }
        self.pending.drain(..start);
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(secs: f64, amplitude: f32, seed: &mut u32) -> Vec<f32> {
        (0..(secs * 16_000.0) as usize)
            .map(|_| {
                *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((*seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 2.0 * amplitude
            })
            .collect()
    }

    #[test]
    fn finds_first_speech_and_ends_after_silence() {
        let mut seed = 7;
        let mut audio = noise(1.2, 0.002, &mut seed); // room noise, about -57 dBFS
        audio.extend(noise(2.0, 0.3, &mut seed)); // "speech"
        audio.extend(noise(5.0, 0.002, &mut seed));
        let mut vad = EnergyVad::new(VadSettings {
            calibration_secs: 0.5,
            end_after_silence_secs: Some(3.0),
        });
        let mut last = None;
        for chunk in audio.chunks(1000) {
            last = Some(vad.push(chunk));
        }
        let state = last.unwrap();
        let first = state.first_speech_at.unwrap();
        assert!((first - 1.2).abs() <= 0.06, "first speech at {first}");
        let ended = state.ended_at.unwrap();
        assert!((ended - 6.2).abs() <= 0.06, "ended at {ended}");
        let threshold = vad.threshold_db().unwrap();
        assert!((-50.0..-35.0).contains(&threshold), "{threshold}");
    }

    #[test]
    fn silence_alone_never_ends_and_short_clicks_are_not_speech() {
        let mut seed = 3;
        let mut audio = vec![0.0; 16_000];
        audio.extend(noise(0.05, 0.5, &mut seed)); // a 50 ms click
        audio.extend(vec![0.0; 16_000 * 6]);
        let mut vad = EnergyVad::new(VadSettings::default());
        let state = vad.push(&audio);
        assert_eq!(state.first_speech_at, None);
        assert_eq!(state.ended_at, None);
    }

    #[test]
    fn rms_of_full_scale_square_is_zero_db() {
        assert!((rms_db(&[1.0, -1.0, 1.0, -1.0])).abs() < 1e-9);
        assert_eq!(rms_db(&[0.0; 10]), -120.0);
    }
}
