//! Where speech really starts, and the filled pauses between: the speech
//! detector's segments ([`super::silero`]) refined from the audio's own
//! level and voicing in 10 ms frames.
//!
//! Silero starts a segment late on soft onsets (a breathy "uh so", a hoarse
//! voice: up to 0.8 s after the speaker starts) and calls sustained hums
//! ("mm", "hmm", a long "uhh") no speech at all, so the time to the first
//! word, the end of a pause and the filled pauses were measured wrong. Two
//! fixes, both bounded and both judged against the noise floor measured
//! around the place in question (not the whole file's: the level of the room
//! can change within a recording):
//! - **onsets**: before each segment's start, sound above the floor that
//!   reaches it (runs of at least [`MIN_RUN_FRAMES`], gaps under
//!   [`MAX_GAP_FRAMES`]) within [`LOOK_BACK_FRAMES`] is the same speech
//!   starting softly, and the segment starts there;
//! - **hums**: between two segments, a stretch of at least
//!   [`MIN_HUM_FRAMES`] that is loud and voiced (periodic, 80-400 Hz) is a
//!   filled pause, so speech; noise, clicks and breaths are not periodic.
//!
//! Memory: two numbers per 10 ms frame (under 3 MB an hour); voicing is
//! computed only above [`QUIET_DBFS`], so silence costs almost nothing.

use super::silero::Span;
use super::vad::rms_db;

/// Samples per frame at 16 kHz (10 ms).
pub const HOP: usize = 160;
const FRAME_SECS: f64 = HOP as f64 / 16_000.0;
/// Samples the voicing of a frame is judged over (30 ms).
const WINDOW: usize = 480;
/// Voicing is judged at 8 kHz: pitch lags 20..=100 samples (400-80 Hz),
/// over 120 samples.
const LAG_MIN: usize = 20;
const LAG_MAX: usize = 100;
const CORR_LEN: usize = 120;
/// Frames quieter than this are not looked at for voicing.
const QUIET_DBFS: f32 = -70.0;
/// Sound this far above the local noise floor is taken as someone's voice.
const ABOVE_FLOOR_DB: f64 = 8.0;
/// The level is smoothed over this many frames (90 ms) before the threshold.
const SMOOTH_FRAMES: usize = 9;
/// Shorter runs above the threshold (clicks) do not count.
const MIN_RUN_FRAMES: usize = 10;
/// Runs with gaps up to this (a stop consonant's closure) are one onset.
const MAX_GAP_FRAMES: usize = 15;
/// How far before the detector's start an onset is looked for (1 s).
const LOOK_BACK_FRAMES: usize = 100;
/// The noise floor is the [`FLOOR_PERCENTILE`] of the frames from 3 s before
/// to 2 s after the place judged.
const FLOOR_BEFORE_FRAMES: usize = 300;
const FLOOR_AFTER_FRAMES: usize = 200;
const FLOOR_PERCENTILE: f64 = 0.1;
/// A frame whose smoothed normalised autocorrelation reaches this is voiced.
const VOICED: f32 = 0.5;
/// A voiced stretch this long (0.25 s) between two segments is a filled pause.
const MIN_HUM_FRAMES: usize = 25;
/// A refined segment ends at least this long (frames) after the one before.
const MIN_SEPARATION_FRAMES: usize = 5;

/// Level and voicing of each 10 ms frame of 16 kHz audio that arrives
/// piece by piece.
#[derive(Debug, Default)]
pub struct FrameFeatures {
    /// High-pass filter state (previous input and output).
    prev_in: f32,
    prev_out: f32,
    /// High-passed samples not yet framed (from `pos` on).
    buf: Vec<f32>,
    pos: usize,
    /// Level of each frame, dBFS.
    db: Vec<f32>,
    /// Normalised autocorrelation peak of each frame (0 when quiet, or
    /// when only levels are asked for).
    voicing: Vec<f32>,
    /// Measure levels only (see [`Self::levels_only`]).
    levels_only: bool,
}

impl FrameFeatures {
    pub fn new() -> Self {
        Self::default()
    }

    /// Measures the level of each frame and not its voicing (the costly
    /// part), for a caller that only asks how loud the audio is.
    fn levels_only() -> Self {
        Self {
            levels_only: true,
            ..Self::default()
        }
    }

    /// Frames measured so far.
    pub fn frames(&self) -> usize {
        self.db.len()
    }

    /// Adds samples; measures every frame whose window has arrived.
    pub fn push(&mut self, samples: &[f32]) {
        // First-order high-pass at about 150 Hz: hum and rumble out.
        const A: f32 = 0.943;
        for &x in samples {
            let y = A * (self.prev_out + x - self.prev_in);
            self.prev_in = x;
            self.prev_out = y;
            self.buf.push(y);
        }
        while self.buf.len() - self.pos >= WINDOW {
            self.measure(self.pos);
            self.pos += HOP;
        }
        self.buf.drain(..self.pos);
        self.pos = 0;
    }

    /// Measures the frames left at the end (the last window padded with silence).
    pub fn finish(&mut self) {
        let rest = self.buf.len() - self.pos;
        let frames = rest.div_ceil(HOP);
        self.buf.resize(self.buf.len() + WINDOW, 0.0);
        for _ in 0..frames {
            self.measure(self.pos);
            self.pos += HOP;
        }
        self.buf.clear();
        self.pos = 0;
    }

    fn measure(&mut self, at: usize) {
        let window = &self.buf[at..at + WINDOW];
        let db = rms_db(&window[..HOP]) as f32;
        self.db.push(db);
        self.voicing.push(if db < QUIET_DBFS || self.levels_only {
            0.0
        } else {
            voicing(window)
        });
    }

    /// The speech segments `speech` (in order, seconds) with their starts
    /// moved back to where the speech really starts (see the module's doc).
    /// The filled pauses between them are not added: whisper is not given
    /// them to write a word for, and a stretch of speech with no word reads
    /// as dropped speech ([`Self::refine_apart`] finds them).
    pub fn refine(&self, speech: &[Span]) -> Vec<Span> {
        self.refine_apart(speech).0
    }

    /// The segments with their onsets refined ([`Self::refine`]), and the
    /// filled pauses (voiced hums) found between them.
    pub fn refine_apart(&self, speech: &[Span]) -> (Vec<Span>, Vec<Span>) {
        if speech.is_empty() || self.db.is_empty() {
            return (speech.to_vec(), Vec::new());
        }
        let level = smoothed_db(&self.db);
        let voiced = smoothed(&self.voicing);
        let to_frame = |t: f64| ((t / FRAME_SECS).round().max(0.0) as usize).min(level.len());
        let mut out: Vec<Span> = Vec::with_capacity(speech.len());
        let mut filled: Vec<Span> = Vec::new();
        let mut prev_end = 0usize;
        for (k, s) in speech.iter().enumerate() {
            let start = to_frame(s.start);
            let floor_lo = if k == 0 {
                0
            } else {
                prev_end + MIN_SEPARATION_FRAMES
            };
            let threshold = self.floor_near(start) + ABOVE_FLOOR_DB;
            let onset = onset_before(&level, threshold, start, floor_lo);
            if k > 0 {
                // Filled pauses in the silence before this segment.
                let gap_end = onset.saturating_sub(MIN_SEPARATION_FRAMES);
                for (a, b) in hums(
                    &level,
                    &voiced,
                    prev_end + MIN_SEPARATION_FRAMES,
                    gap_end,
                    |f| self.floor_near(f) + ABOVE_FLOOR_DB,
                ) {
                    filled.push(Span {
                        start: a as f64 * FRAME_SECS,
                        end: b as f64 * FRAME_SECS,
                    });
                }
            }
            let start_secs = (onset as f64 * FRAME_SECS).min(s.start);
            out.push(Span {
                start: start_secs,
                end: s.end,
            });
            prev_end = to_frame(s.end).max(onset);
        }
        (out, filled)
    }

    /// The noise floor around frame `at`, dBFS.
    fn floor_near(&self, at: usize) -> f64 {
        let b = (at + FLOOR_AFTER_FRAMES).min(self.db.len());
        let a = at
            .saturating_sub(FLOOR_BEFORE_FRAMES)
            .min(b.saturating_sub(1));
        let mut near: Vec<f32> = self.db[a..b].to_vec();
        if near.is_empty() {
            return f64::from(QUIET_DBFS);
        }
        let i = ((near.len() as f64 * FLOOR_PERCENTILE) as usize).min(near.len() - 1);
        let (_, floor, _) = near.select_nth_unstable_by(i, |x, y| x.total_cmp(y));
        f64::from(*floor)
    }
}

/// The earliest frame, at most [`LOOK_BACK_FRAMES`] before `start` and not
/// before `lo`, from which sound above `threshold` runs on to `start` (runs
/// of [`MIN_RUN_FRAMES`] or more, gaps of at most [`MAX_GAP_FRAMES`]);
/// `start` itself when there is none.
fn onset_before(level: &[f64], threshold: f64, start: usize, lo: usize) -> usize {
    let lo = start.saturating_sub(LOOK_BACK_FRAMES).max(lo);
    let active = |i: usize| level[i] >= threshold;
    let mut onset = start;
    let mut i = start.min(level.len());
    while i > lo {
        // The run of active frames ending last at or before `i`.
        let mut b = i;
        while b > lo && !active(b - 1) {
            b -= 1;
        }
        if b == lo || onset - b > MAX_GAP_FRAMES {
            break;
        }
        let mut a = b;
        while a > lo && active(a - 1) {
            a -= 1;
        }
        if b - a >= MIN_RUN_FRAMES || b >= onset {
            onset = onset.min(a);
        }
        i = a;
    }
    onset
}

/// Voiced stretches of [`MIN_HUM_FRAMES`] or more within frames `[from, to)`.
fn hums(
    level: &[f64],
    voiced: &[f32],
    from: usize,
    to: usize,
    threshold: impl Fn(usize) -> f64,
) -> Vec<(usize, usize)> {
    let to = to.min(level.len());
    if to <= from + MIN_HUM_FRAMES {
        return Vec::new();
    }
    let threshold = threshold((from + to) / 2);
    let mut out = Vec::new();
    let mut run: Option<usize> = None;
    for i in from..=to {
        let on = i < to && level[i] >= threshold && voiced[i] >= VOICED;
        match (on, run) {
            (true, None) => run = Some(i),
            (false, Some(a)) => {
                // A hum the voice runs into with no quiet frame between is
                // the nasal end of the syllable before ("u-mmm" is one
                // "um"), not a filled pause of its own.
                let coda = level[from..a].iter().all(|&l| l >= threshold);
                if i - a >= MIN_HUM_FRAMES && !coda {
                    out.push((a, i));
                }
                run = None;
            }
            _ => {}
        }
    }
    out
}

/// Whether samples `[from, to)` of 16 kHz `pcm` hold any sound someone
/// may have made: a run of at least [`MIN_RUN_FRAMES`] (0.1 s) louder than
/// [`ABOVE_FLOOR_DB`] over the noise floor around them (measured from 3 s
/// before to 2 s after, as for onsets). Silence and steady room noise hold
/// none, and neither then can a filled pause ("uh", "um", "mm") be there.
/// Loudness, not voicing: a hoarse "um" (a speaker with a cold) is barely
/// periodic but is as loud as speech.
pub fn holds_sound(pcm: &[f32], from: usize, to: usize) -> bool {
    let to = to.min(pcm.len());
    if to <= from {
        return false;
    }
    let context_from = from.saturating_sub(FLOOR_BEFORE_FRAMES * HOP);
    let context_to = (to + FLOOR_AFTER_FRAMES * HOP).min(pcm.len());
    let mut features = FrameFeatures::levels_only();
    features.push(&pcm[context_from..context_to]);
    features.finish();
    let level = smoothed_db(&features.db);
    let first = (from - context_from) / HOP;
    let last = ((to - context_from).div_ceil(HOP)).min(level.len());
    let threshold = features.floor_near((first + last) / 2) + ABOVE_FLOOR_DB;
    let mut run = 0usize;
    for &l in &level[first.min(last)..last] {
        run = if l >= threshold { run + 1 } else { 0 };
        if run >= MIN_RUN_FRAMES {
            return true;
        }
    }
    false
}

/// Level smoothed in power over [`SMOOTH_FRAMES`] centred frames, dB.
fn smoothed_db(db: &[f32]) -> Vec<f64> {
    let power: Vec<f64> = db
        .iter()
        .map(|&d| 10f64.powf(f64::from(d) / 10.0))
        .collect();
    smooth(&power)
        .into_iter()
        .map(|p| 10.0 * p.max(1e-20).log10())
        .collect()
}

fn smoothed(values: &[f32]) -> Vec<f32> {
    let wide: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
    smooth(&wide).into_iter().map(|v| v as f32).collect()
}

/// Centred moving average over [`SMOOTH_FRAMES`] (shorter at the edges).
fn smooth(values: &[f64]) -> Vec<f64> {
    let half = SMOOTH_FRAMES / 2;
    let mut prefix = Vec::with_capacity(values.len() + 1);
    prefix.push(0.0);
    for v in values {
        prefix.push(prefix[prefix.len() - 1] + v);
    }
    (0..values.len())
        .map(|i| {
            let a = i.saturating_sub(half);
            let b = (i + half + 1).min(values.len());
            (prefix[b] - prefix[a]) / (b - a) as f64
        })
        .collect()
}

/// Peak normalised autocorrelation of a 30 ms window over the pitch lags
/// of a voice, at 8 kHz (pairs averaged): near 1 for a vowel or a hum,
/// low for noise, breath and clicks.
fn voicing(window: &[f32]) -> f32 {
    let half: Vec<f32> = window.chunks(2).map(|p| (p[0] + p[1]) * 0.5).collect();
    let head = &half[..CORR_LEN];
    let e0: f32 = head.iter().map(|v| v * v).sum();
    if e0 <= 1e-12 {
        return 0.0;
    }
    let mut e1: f32 = half[LAG_MIN..LAG_MIN + CORR_LEN]
        .iter()
        .map(|v| v * v)
        .sum();
    let mut best = 0.0f32;
    for lag in LAG_MIN..=LAG_MAX {
        if lag > LAG_MIN {
            e1 += half[lag + CORR_LEN - 1].powi(2) - half[lag - 1].powi(2);
        }
        let num: f32 = head
            .iter()
            .zip(&half[lag..lag + CORR_LEN])
            .map(|(a, b)| a * b)
            .sum();
        let r = num / (e0 * e1.max(1e-12)).sqrt();
        best = best.max(r);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(secs: f64, hz: f64, amp: f32) -> Vec<f32> {
        (0..(secs * 16_000.0) as usize)
            .map(|i| amp * (2.0 * std::f64::consts::PI * hz * i as f64 / 16_000.0).sin() as f32)
            .collect()
    }

    fn hiss(secs: f64, amp: f32, seed: &mut u32) -> Vec<f32> {
        (0..(secs * 16_000.0) as usize)
            .map(|_| {
                *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                amp * ((*seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
            })
            .collect()
    }

    fn spans(pairs: &[(f64, f64)]) -> Vec<Span> {
        pairs
            .iter()
            .map(|&(start, end)| Span { start, end })
            .collect()
    }

    fn features(pcm: &[f32]) -> FrameFeatures {
        let mut f = FrameFeatures::new();
        for piece in pcm.chunks(1000) {
            f.push(piece);
        }
        f.finish();
        f
    }

    #[test]
    fn one_frame_per_10_ms_whatever_the_pieces() {
        let mut seed = 7;
        let pcm = hiss(1.234, 0.01, &mut seed);
        let f = features(&pcm);
        assert_eq!(f.frames(), pcm.len().div_ceil(HOP));
    }

    #[test]
    fn a_gap_holds_sound_only_when_something_louder_than_the_room_is_in_it() {
        let mut seed = 9;
        // Speech, a pause of room noise, speech: the pause holds nothing.
        let secs = |t: f64| (t * 16_000.0) as usize;
        let mut pcm = tone(1.0, 150.0, 0.2);
        pcm.extend(hiss(0.6, 0.004, &mut seed));
        pcm.extend(tone(1.0, 150.0, 0.2));
        assert!(!holds_sound(&pcm, secs(1.05), secs(1.55)));
        // The same pause in digital silence, and a file of silence.
        let mut quiet = tone(1.0, 150.0, 0.2);
        quiet.extend(vec![0.0; secs(0.6)]);
        quiet.extend(tone(1.0, 150.0, 0.2));
        assert!(!holds_sound(&quiet, secs(1.05), secs(1.55)));
        assert!(!holds_sound(&[0.0; 16_000], 0, 16_000));
        // A hoarse, barely periodic "um" 15 dB over the room, 0.2 s long.
        let mut with_um = tone(1.0, 150.0, 0.2);
        with_um.extend(hiss(0.2, 0.004, &mut seed));
        with_um.extend(hiss(0.2, 0.025, &mut seed));
        with_um.extend(hiss(0.2, 0.004, &mut seed));
        with_um.extend(tone(1.0, 150.0, 0.2));
        assert!(holds_sound(&with_um, secs(1.05), secs(1.55)));
    }

    #[test]
    fn a_voice_is_voiced_and_hiss_is_not() {
        let mut seed = 3;
        let tone = tone(0.05, 140.0, 0.3);
        let noise = hiss(0.05, 0.3, &mut seed);
        assert!(voicing(&tone[..WINDOW]) > 0.9);
        assert!(
            voicing(&noise[..WINDOW]) < 0.4,
            "{}",
            voicing(&noise[..WINDOW])
        );
    }

    #[test]
    fn a_soft_onset_moves_the_start_back_and_a_click_does_not() {
        let mut seed = 11;
        // 2 s of room noise, a soft voiced onset (0.5 s, 15 dB over the
        // room), loud speech from 2.5 s; later a 40 ms click 0.4 s before
        // another stretch of speech.
        let mut pcm = hiss(2.0, 0.004, &mut seed);
        let soft: Vec<f32> = tone(0.5, 150.0, 0.006)
            .iter()
            .zip(hiss(0.5, 0.004, &mut seed))
            .map(|(a, b)| a + b)
            .collect();
        pcm.extend(soft);
        pcm.extend(tone(1.0, 150.0, 0.2));
        pcm.extend(hiss(1.5, 0.004, &mut seed));
        pcm.extend(tone(0.04, 900.0, 0.2));
        pcm.extend(hiss(0.4, 0.004, &mut seed));
        pcm.extend(tone(1.0, 150.0, 0.2));
        pcm.extend(hiss(1.0, 0.004, &mut seed));
        let f = features(&pcm);
        // The detector heard speech from 2.5 s and from 5.44 s.
        let speech = spans(&[(2.5, 3.5), (5.44, 6.44)]);
        let refined = f.refine(&speech);
        assert_eq!(refined.len(), 2, "{refined:?}");
        assert!((refined[0].start - 2.0).abs() < 0.1, "{refined:?}");
        assert!((refined[1].start - 5.44).abs() < 0.05, "{refined:?}");
        assert_eq!((refined[0].end, refined[1].end), (3.5, 6.44));
    }

    #[test]
    fn a_hum_between_segments_is_speech_and_noise_is_not() {
        let mut seed = 5;
        let mut pcm = tone(1.0, 150.0, 0.2);
        pcm.extend(hiss(0.5, 0.004, &mut seed));
        pcm.extend(tone(0.6, 120.0, 0.1)); // "mmm" at 1.5-2.1 s
        pcm.extend(hiss(0.5, 0.004, &mut seed));
        pcm.extend(tone(1.0, 150.0, 0.2)); // speech at 2.6 s
        pcm.extend(hiss(0.6, 0.1, &mut seed)); // a burst of noise at 3.6-4.2 s
        pcm.extend(hiss(0.6, 0.004, &mut seed));
        pcm.extend(tone(1.0, 150.0, 0.2)); // speech at 4.8 s
        let f = features(&pcm);
        let speech = spans(&[(0.0, 1.0), (2.6, 3.6), (4.8, 5.8)]);
        let (refined, hums) = f.refine_apart(&speech);
        assert_eq!(hums.len(), 1, "{hums:?}");
        assert!((hums[0].start - 1.5).abs() < 0.06, "{hums:?}");
        assert!((hums[0].end - 2.1).abs() < 0.06, "{hums:?}");
        // The noise burst is not a hum (nor, 0.6 s before, an onset).
        assert!(refined[2].start > 4.6, "{refined:?}");
    }

    #[test]
    fn a_hum_the_voice_runs_into_is_the_syllable_s_end() {
        let mut seed = 7;
        // "u-mmm": the voice (0-1 s) runs straight into a hum (1-1.6 s),
        // then quiet, then a hum of its own (2.1-2.7 s), then speech.
        let mut pcm = tone(1.0, 150.0, 0.2);
        pcm.extend(tone(0.6, 120.0, 0.1));
        pcm.extend(hiss(0.5, 0.004, &mut seed));
        pcm.extend(tone(0.6, 120.0, 0.1));
        pcm.extend(hiss(0.5, 0.004, &mut seed));
        pcm.extend(tone(1.0, 150.0, 0.2));
        let f = features(&pcm);
        let speech = spans(&[(0.0, 1.0), (3.2, 4.2)]);
        let (_, hums) = f.refine_apart(&speech);
        assert_eq!(hums.len(), 1, "{hums:?}");
        assert!((hums[0].start - 2.1).abs() < 0.06, "{hums:?}");
    }
}
