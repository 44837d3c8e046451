//! Timing of a spoken answer from its word timestamps and the speech heard:
//! length against the question's target window, time to the first word,
//! pace in words per minute over speaking time (long pauses left out) with
//! the stretches outside the target band, and the long pauses themselves.

use serde::{Deserialize, Serialize};

use super::text::AnswerText;
use crate::audio::silero::{uncovered, Span};

/// Timing thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimingSettings {
    /// The comfortable pace, words per minute.
    pub pace_min_wpm: f64,
    pub pace_max_wpm: f64,
    /// A silence between two words longer than this is a long pause.
    pub long_pause_secs: f64,
    /// Length of the sliding window the pace over time is measured in.
    pub pace_window_secs: f64,
    /// How far the window moves each step.
    pub pace_step_secs: f64,
    /// A window counts towards a fast or slow stretch only when it is this
    /// fraction beyond the band (timestamps are not exact to the word).
    pub pace_stretch_tolerance: f64,
}

impl Default for TimingSettings {
    fn default() -> Self {
        Self {
            pace_min_wpm: 130.0,
            pace_max_wpm: 165.0,
            long_pause_secs: 2.0,
            pace_window_secs: 10.0,
            pace_step_secs: 5.0,
            pace_stretch_tolerance: 0.05,
        }
    }
}

/// Below, inside or above a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Below,
    Within,
    Above,
}

impl Verdict {
    pub fn of(value: f64, min: f64, max: f64) -> Self {
        if value < min {
            Verdict::Below
        } else if value > max {
            Verdict::Above
        } else {
            Verdict::Within
        }
    }
}

/// A silence between two words longer than the long-pause threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    pub start: f64,
    pub end: f64,
    pub secs: f64,
    /// Index of the word before the pause, and that word.
    pub after_word: usize,
    pub after: String,
}

/// Pace in one window of the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaceWindow {
    pub start: f64,
    pub end: f64,
    /// Words whose middle lies in the window.
    pub words: usize,
    /// The window's length less the long pauses in it.
    pub speech_secs: f64,
    pub wpm: f64,
}

/// Windows beyond the pace band (by more than the tolerance) that touch or
/// overlap, merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaceStretch {
    pub start: f64,
    pub end: f64,
    pub words: usize,
    pub wpm: f64,
    pub verdict: Verdict,
}

/// Every timing figure of a spoken answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Length of the recording.
    pub audio_secs: f64,
    /// From the start of the recording to the first word.
    pub time_to_first_word: f64,
    /// First word's start and last word's end.
    pub answer_start: f64,
    pub answer_end: f64,
    /// `answer_end - answer_start`.
    pub answer_secs: f64,
    /// `answer_secs` less the long pauses.
    pub speech_secs: f64,
    /// Words over `speech_secs`.
    pub words_per_minute: f64,
    pub pace: Verdict,
    pub pace_windows: Vec<PaceWindow>,
    pub pace_stretches: Vec<PaceStretch>,
    pub long_pauses: Vec<Pause>,
    /// Seconds spoken above and below the band (from the merged stretches).
    pub secs_above_band: f64,
    pub secs_below_band: f64,
}

/// Timing of a timed answer; `None` when the words carry no times. `speech`
/// is what the speech detector heard (empty when none ran): a long pause is
/// then the silence it heard between two words, not the whole gap between
/// their timestamps (whisper sometimes times a word late, or leaves a
/// stretch of speech without words).
pub fn measure(
    text: &AnswerText,
    audio_secs: f64,
    time_to_first_word: Option<f64>,
    speech: &[Span],
    settings: &TimingSettings,
) -> Option<Timing> {
    if !text.is_timed() {
        return None;
    }
    let spans: Vec<(f64, f64)> = text
        .tokens
        .iter()
        .map(|t| {
            let start = t.start.unwrap_or_default();
            (start, t.end.unwrap_or(start).max(start))
        })
        .collect();
    let answer_start = spans[0].0;
    let answer_end = spans.iter().map(|s| s.1).fold(answer_start, f64::max);
    let answer_secs = answer_end - answer_start;

    let long_pauses: Vec<Pause> = spans
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair[1].0 - pair[0].1 > settings.long_pause_secs)
        .flat_map(|(i, pair)| {
            // Nothing heard (no detector ran): the whole gap.
            uncovered(speech, pair[0].1, pair[1].0)
                .into_iter()
                .filter(|(a, b)| b - a > settings.long_pause_secs)
                .map(move |(start, end)| Pause {
                    start,
                    end,
                    secs: end - start,
                    after_word: i,
                    after: text.tokens[i].raw.clone(),
                })
        })
        .collect();
    let paused_in = |from: f64, to: f64| -> f64 {
        long_pauses
            .iter()
            .map(|p| (p.end.min(to) - p.start.max(from)).max(0.0))
            .fold(0.0, |acc, x| acc + x)
    };
    let words_in = |from: f64, to: f64, inclusive_end: bool| -> usize {
        spans
            .iter()
            .filter(|(s, e)| {
                let mid = (s + e) / 2.0;
                mid >= from && (mid < to || (inclusive_end && mid <= to))
            })
            .count()
    };
    let rate = |words: usize, secs: f64| {
        if secs > 0.0 {
            words as f64 * 60.0 / secs
        } else {
            0.0
        }
    };

    let speech_secs = (answer_secs - paused_in(answer_start, answer_end)).max(0.0);
    let words_per_minute = rate(text.len(), speech_secs);
    let band = (settings.pace_min_wpm, settings.pace_max_wpm);

    let pace_windows: Vec<PaceWindow> = window_starts(answer_start, answer_end, settings)
        .into_iter()
        .filter_map(|(start, end)| {
            let speech = (end - start) - paused_in(start, end);
            let words = words_in(start, end, end >= answer_end);
            (speech >= MIN_WINDOW_SPEECH_SECS.min(end - start) && speech > 0.0).then(|| {
                PaceWindow {
                    start,
                    end,
                    words,
                    speech_secs: speech,
                    wpm: rate(words, speech),
                }
            })
        })
        .collect();

    // Out-of-band windows that touch or overlap merge into one stretch, so a
    // single in-band window inside a fast passage does not split it.
    let mut runs: Vec<(f64, f64, Verdict)> = Vec::new();
    for w in &pace_windows {
        let tolerance = settings.pace_stretch_tolerance.max(0.0);
        let verdict = Verdict::of(
            w.wpm,
            band.0 * (1.0 - tolerance),
            band.1 * (1.0 + tolerance),
        );
        if verdict == Verdict::Within {
            continue;
        }
        match runs.last_mut() {
            Some(run) if run.2 == verdict && w.start <= run.1 + 1e-9 => run.1 = w.end,
            _ => runs.push((w.start, w.end, verdict)),
        }
    }
    let pace_stretches: Vec<PaceStretch> = runs
        .into_iter()
        .map(|(start, end, verdict)| {
            let words = words_in(start, end, end >= answer_end);
            PaceStretch {
                start,
                end,
                words,
                wpm: rate(words, (end - start) - paused_in(start, end)),
                verdict,
            }
        })
        .collect();
    let secs_in = |v: Verdict| {
        pace_stretches
            .iter()
            .filter(|s| s.verdict == v)
            .map(|s| s.end - s.start)
            .fold(0.0, |acc, x| acc + x)
    };

    Some(Timing {
        audio_secs,
        time_to_first_word: time_to_first_word.unwrap_or(answer_start),
        answer_start,
        answer_end,
        answer_secs,
        speech_secs,
        words_per_minute,
        pace: Verdict::of(words_per_minute, band.0, band.1),
        secs_above_band: secs_in(Verdict::Above),
        secs_below_band: secs_in(Verdict::Below),
        pace_windows,
        pace_stretches,
        long_pauses,
    })
}

/// `m:ss`, rounded to the second: how times are shown in reports and advice.
pub fn clock(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// Windows shorter in speech than this (mostly pause) give no pace.
const MIN_WINDOW_SPEECH_SECS: f64 = 2.0;

/// The windows pace is measured in: `window` long, every `step` seconds from
/// the first word, the last one ending on the last word.
fn window_starts(from: f64, to: f64, settings: &TimingSettings) -> Vec<(f64, f64)> {
    let window = settings.pace_window_secs.max(1.0);
    let step = settings.pace_step_secs.clamp(0.5, window);
    if to - from <= window {
        return vec![(from, to)];
    }
    let mut out = Vec::new();
    let mut start = from;
    loop {
        if start + window >= to - 1e-9 {
            let last = to - window;
            if out.last().is_none_or(|&(s, _)| last - s > 1e-9) {
                out.push((last, to));
            }
            return out;
        }
        out.push((start, start + window));
        start += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::Word;

    fn timed(spans: &[(f64, f64)]) -> AnswerText {
        let words: Vec<Word> = spans
            .iter()
            .map(|&(start, end)| Word {
                word: "word".into(),
                start,
                end,
                probability: 1.0,
            })
            .collect();
        AnswerText::from_words(&words)
    }

    #[test]
    fn windows_cover_the_answer_and_end_on_the_last_word() {
        let s = TimingSettings::default();
        assert_eq!(window_starts(0.0, 8.0, &s), [(0.0, 8.0)]);
        assert_eq!(
            window_starts(0.0, 20.0, &s),
            [(0.0, 10.0), (5.0, 15.0), (10.0, 20.0)]
        );
        assert_eq!(
            window_starts(1.0, 23.0, &s),
            [(1.0, 11.0), (6.0, 16.0), (11.0, 21.0), (13.0, 23.0)]
        );
    }

    #[test]
    fn one_window_back_in_band_does_not_split_a_fast_stretch() {
        // 0.3 s words (200 WPM) for 30 s, except 0.44 s words (136 WPM) from 11 to 19 s:
        // the window 10-20 s is in the band, its neighbours are not.
        let mut spans = Vec::new();
        let mut t = 0.0;
        while t < 30.0 - 1e-9 {
            let len = if (11.0..19.0).contains(&t) { 0.44 } else { 0.3 };
            spans.push((t, t + len));
            t += len;
        }
        let timing = measure(&timed(&spans), 30.0, None, &[], &TimingSettings::default()).unwrap();
        let verdicts: Vec<Verdict> = timing
            .pace_windows
            .iter()
            .map(|w| Verdict::of(w.wpm, 130.0, 165.0))
            .collect();
        assert!(
            verdicts.contains(&Verdict::Within),
            "{:?}",
            timing.pace_windows
        );
        assert_eq!(
            timing.pace_stretches.len(),
            1,
            "{:?}",
            timing.pace_stretches
        );
        let s = &timing.pace_stretches[0];
        assert_eq!(
            (s.start, s.end, s.verdict),
            (0.0, timing.answer_end, Verdict::Above)
        );
    }

    fn spans_of(pairs: &[(f64, f64)]) -> Vec<Span> {
        pairs
            .iter()
            .map(|&(start, end)| Span { start, end })
            .collect()
    }

    /// The long pauses (start, end) measured for words at `spans` in an
    /// answer of `secs` with the detector's `speech`.
    fn pauses_heard(spans: &[(f64, f64)], secs: f64, speech: &[(f64, f64)]) -> Vec<(f64, f64)> {
        let timing = measure(
            &timed(spans),
            secs,
            None,
            &spans_of(speech),
            &TimingSettings::default(),
        )
        .unwrap();
        timing
            .long_pauses
            .iter()
            .map(|p| (p.start, p.end))
            .collect()
    }

    #[test]
    fn a_pause_is_the_silence_heard_not_the_gap_between_timestamps() {
        // whisper left "montreal" (7.02-8.2 s) without a word and timed the
        // next word at 8.2 s; the detector heard the speaker from 7.02 s.
        let spans = [(1.2, 1.9), (1.9, 4.58), (8.2, 8.8), (8.8, 9.3)];
        let found = pauses_heard(&spans, 10.0, &[(1.19, 4.576), (7.02, 9.3)]);
        assert_eq!(found, [(4.58, 7.02)]);
        // Speech heard in the middle of a gap splits it: two silences of
        // 2.5 s, each a long pause; 1.5 s ones would be none.
        let spans = [(0.0, 1.0), (7.0, 8.0)];
        let found = pauses_heard(&spans, 8.0, &[(0.0, 1.0), (3.5, 4.5), (7.0, 8.0)]);
        assert_eq!(found, [(1.0, 3.5), (4.5, 7.0)]);
        let found = pauses_heard(&spans, 8.0, &[(0.0, 1.0), (2.5, 5.5), (7.0, 8.0)]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn pauses_are_gaps_longer_than_the_threshold() {
        // 10 words of 0.5 s, a 3 s gap after the 5th, a 2 s gap (not long) after the 8th.
        let mut spans = Vec::new();
        let mut t = 1.0;
        for i in 0..10 {
            spans.push((t, t + 0.5));
            t += 0.5;
            if i == 4 {
                t += 3.0;
            }
            if i == 7 {
                t += 2.0;
            }
        }
        let timing = measure(&timed(&spans), 12.0, None, &[], &TimingSettings::default()).unwrap();
        assert_eq!(timing.long_pauses.len(), 1);
        let p = &timing.long_pauses[0];
        assert_eq!((p.start, p.end, p.secs, p.after_word), (3.5, 6.5, 3.0, 4));
        assert_eq!(timing.time_to_first_word, 1.0);
        assert_eq!(timing.answer_secs, 10.0);
        assert_eq!(timing.speech_secs, 7.0);
        assert_eq!(timing.words_per_minute, 10.0 * 60.0 / 7.0);
    }

    #[test]
    fn untimed_text_has_no_timing() {
        let text = AnswerText::from_text("no times here");
        assert!(measure(&text, 3.0, None, &[], &TimingSettings::default()).is_none());
    }
}
