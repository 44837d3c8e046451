//! Transcribing a whole recording: only the speech goes to whisper.
//!
//! The speech the voice activity detector heard (padded a little) is cut out
//! and joined, with a short silence where a longer pause was, so whisper
//! never sees long silences or room noise (where it invents words or
//! stretches the word before over the pause), and an hour of silence costs
//! no whisper run at all. The joined audio is walked in whisper's 30 s
//! windows (each run judged and decoded again if derailed, see
//! [`super::guard`]); word times are moved back to the recording's time and
//! kept inside the speech heard.

use crate::audio::resample::WHISPER_RATE;
use crate::audio::silero::Span;

use super::guard::normalise;
use super::streaming::{append_shifted, clamp_times};
use super::{
    advance_frames, join_segment_texts, DecodeOptions, DecodeReport, RunRequest, TranscribeError,
    Transcriber, Transcript, WINDOW_SAMPLES,
};

const RATE: f64 = WHISPER_RATE as f64;
/// Audio kept before and after each stretch of speech, seconds.
pub(crate) const SPEECH_PAD_SECS: f64 = 0.25;
/// Silence put where a longer pause was, seconds.
const JOIN_GAP_SECS: f64 = 0.4;
/// Audio past a window given to whisper with it (as in streaming).
const LOOKAHEAD_SAMPLES: usize = 2 * WHISPER_RATE as usize;
/// Most prompt tokens whisper uses.
const MAX_PROMPT_TOKENS: usize = 223;
/// A last piece shorter than this is decoded without the text before it.
const SHORT_REST_SAMPLES: usize = 5 * WHISPER_RATE as usize;
/// Words before a run it is checked against for copying.
const BEFORE_WORDS: usize = 80;

/// One piece of the original audio inside the joined audio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Region {
    /// Where it starts in the original audio, samples.
    pub original: usize,
    /// Where it starts in the joined audio, samples.
    pub joined: usize,
    pub len: usize,
}

/// Speech cut out of a recording and joined.
#[derive(Debug, Default)]
pub(crate) struct Joined {
    pub pcm: Vec<f32>,
    pub regions: Vec<Region>,
}

/// The stretches of a recording `total` samples long to keep, in samples:
/// the speech padded, overlapping or nearly touching ones merged.
pub(crate) fn regions_to_keep(speech: &[Span], total: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for s in speech {
        let a = (((s.start - SPEECH_PAD_SECS) * RATE).max(0.0) as usize).min(total);
        let b = (((s.end + SPEECH_PAD_SECS) * RATE).ceil() as usize).min(total);
        if b <= a {
            continue;
        }
        match out.last_mut() {
            Some(last) if a <= last.1 + (JOIN_GAP_SECS * RATE) as usize => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

impl Joined {
    /// Appends original samples that start at `original`, after a short
    /// silence when they do not follow on from the previous piece.
    pub(crate) fn push(&mut self, original: usize, samples: &[f32]) {
        let follows = self
            .regions
            .last()
            .is_some_and(|r| r.original + r.len == original);
        if follows {
            if let Some(r) = self.regions.last_mut() {
                r.len += samples.len();
            }
        } else {
            if !self.regions.is_empty() {
                let gap = (JOIN_GAP_SECS * RATE) as usize;
                self.pcm.resize(self.pcm.len() + gap, 0.0);
            }
            self.regions.push(Region {
                original,
                joined: self.pcm.len(),
                len: samples.len(),
            });
        }
        self.pcm.extend_from_slice(samples);
    }

    /// Cuts `keep` out of `pcm` and joins it.
    pub(crate) fn from_pcm(pcm: &[f32], keep: &[(usize, usize)]) -> Self {
        let mut joined = Self::default();
        for &(a, b) in keep {
            joined.push(a, &pcm[a..b]);
        }
        joined
    }

    /// A time in the joined audio as a time in the original (a time in an
    /// inserted silence goes to the end of the piece before it).
    pub(crate) fn to_original(&self, secs: f64) -> f64 {
        let sample = secs * RATE;
        let i = self
            .regions
            .partition_point(|r| (r.joined as f64) <= sample)
            .saturating_sub(1);
        match self.regions.get(i) {
            None => secs,
            Some(r) => {
                let into = (sample - r.joined as f64).clamp(0.0, r.len as f64);
                (r.original as f64 + into) / RATE
            }
        }
    }

    /// Speech spans moved into joined time.
    fn speech_in_joined(&self, speech: &[Span]) -> Vec<Span> {
        let mut out = Vec::new();
        for s in speech {
            for r in &self.regions {
                let (ra, rb) = (r.original as f64 / RATE, (r.original + r.len) as f64 / RATE);
                let (a, b) = (s.start.max(ra), s.end.min(rb));
                if b > a {
                    let shift = (r.joined as f64 - r.original as f64) / RATE;
                    out.push(Span {
                        start: a + shift,
                        end: b + shift,
                    });
                }
            }
        }
        out
    }
}

/// Transcribes a recording of `total_samples`, given its speech cut out and
/// joined (`joined`) and the speech heard (`speech`, None without a
/// detector: then `joined` is the whole recording). `progress` hears
/// (seconds done, seconds in all) of the joined audio.
pub(crate) fn transcribe_joined(
    transcriber: &Transcriber,
    joined: &Joined,
    total_samples: usize,
    speech: Option<&[Span]>,
    options: &DecodeOptions,
    progress: Option<&mut dyn FnMut(f64, f64)>,
) -> Result<(Transcript, DecodeReport), TranscribeError> {
    let duration = total_samples as f64 / RATE;
    let mut report = transcriber.new_report();
    if let Some(speech) = speech {
        report.speech = speech.to_vec();
    }
    let runs_before = transcriber.runs();
    let joined_speech = speech.map(|s| joined.speech_in_joined(s));
    let mut transcript = walk(
        transcriber,
        &joined.pcm,
        joined_speech.as_deref(),
        options,
        &mut report,
        progress,
    )?;
    // Back to the recording's time.
    for w in &mut transcript.words {
        w.start = joined.to_original(w.start);
        w.end = joined.to_original(w.end).max(w.start);
    }
    for s in &mut transcript.segments {
        s.start = joined.to_original(s.start);
        s.end = joined.to_original(s.end).max(s.start);
    }
    for r in &mut report.redecoded {
        r.start = joined.to_original(r.start);
        r.end = joined.to_original(r.end).max(r.start);
        for p in r.problems.iter_mut().chain(r.remaining.iter_mut()) {
            if let super::guard::Derail::Hole { start, end } = p {
                *start = joined.to_original(*start);
                *end = joined.to_original(*end);
            }
        }
    }
    transcript.duration = duration;
    if let Some(speech) = speech {
        super::clamp_to_speech(&mut transcript.words, speech);
    }
    clamp_times(&mut transcript);
    report.whisper_runs = transcriber.runs() - runs_before;
    Ok((transcript, report))
}

/// Transcribes 16 kHz samples held in memory.
pub(crate) fn transcribe(
    transcriber: &Transcriber,
    pcm: &[f32],
    speech: Option<Vec<Span>>,
    options: &DecodeOptions,
    progress: Option<&mut dyn FnMut(f64, f64)>,
) -> Result<(Transcript, DecodeReport), TranscribeError> {
    let joined = match &speech {
        Some(s) => Joined::from_pcm(pcm, &regions_to_keep(s, pcm.len())),
        None => Joined::from_pcm(pcm, &[(0, pcm.len())]),
    };
    transcribe_joined(
        transcriber,
        &joined,
        pcm.len(),
        speech.as_deref(),
        options,
        progress,
    )
}

/// Walks `pcm` in whisper's windows, each run guarded.
fn walk(
    transcriber: &Transcriber,
    pcm: &[f32],
    speech: Option<&[Span]>,
    options: &DecodeOptions,
    report: &mut DecodeReport,
    mut progress: Option<&mut dyn FnMut(f64, f64)>,
) -> Result<Transcript, TranscribeError> {
    let total = pcm.len();
    let mut transcript = Transcript {
        text: String::new(),
        duration: total as f64 / RATE,
        segments: Vec::new(),
        words: Vec::new(),
    };
    let mut context: Vec<i32> = options
        .initial_prompt
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| transcriber.tokenize(p))
        .transpose()?
        .unwrap_or_default();
    let mut seek = 0usize;
    let min_rest = WHISPER_RATE as usize;
    while seek < total && (seek == 0 || total - seek >= min_rest) {
        let is_last = seek + WINDOW_SAMPLES >= total;
        let end = (seek + WINDOW_SAMPLES + LOOKAHEAD_SAMPLES).min(total);
        let window = &pcm[seek..end];
        let offset = seek as f64 / RATE;
        let window_speech: Option<Vec<Span>> = speech.map(|spans| {
            spans
                .iter()
                .filter(|s| s.end > offset && s.start < end as f64 / RATE)
                .map(|s| Span {
                    start: (s.start - offset).max(0.0),
                    end: s.end.min(end as f64 / RATE) - offset,
                })
                .collect()
        });
        let before: Vec<String> = transcript
            .words
            .iter()
            .rev()
            .take(BEFORE_WORDS)
            .rev()
            .map(|w| normalise(&w.word))
            .collect();
        let prompt: &[i32] = if is_last && seek > 0 && total - seek < SHORT_REST_SAMPLES {
            &[]
        } else {
            &context
        };
        let decoded = transcriber.run(&RunRequest {
            pcm: window,
            duration: window.len() as f64 / RATE,
            threads: options.threads,
            initial_prompt: None,
            prompt_tokens: prompt,
            audio_ctx: None,
            first_window_only: !is_last,
            cancel: None,
            speech: window_speech.as_deref(),
            before: &before,
            guard: true,
        })?;
        let advance = if is_last {
            total - seek
        } else {
            advance_frames(&decoded.sequence, transcriber.first_timestamp_token())
                * (WHISPER_RATE as usize / super::FRAMES_PER_SEC)
        };
        if let Some(mut r) = decoded.redecoded.clone() {
            r.start += offset;
            r.end = offset + (advance as f64 / RATE).min(r.end);
            for p in r.problems.iter_mut().chain(r.remaining.iter_mut()) {
                if let super::guard::Derail::Hole { start, end } = p {
                    *start += offset;
                    *end += offset;
                }
            }
            report.redecoded.push(r);
        }
        context.extend_from_slice(&decoded.tokens);
        let excess = context.len().saturating_sub(MAX_PROMPT_TOKENS);
        context.drain(..excess);
        append_shifted(&mut transcript, decoded.transcript, offset);
        seek += advance.max(WHISPER_RATE as usize / super::FRAMES_PER_SEC);
        if let Some(p) = progress.as_mut() {
            p((seek.min(total)) as f64 / RATE, total as f64 / RATE);
        }
    }
    transcript.text = join_segment_texts(&transcript.segments);
    Ok(transcript)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speech_is_cut_out_joined_and_mapped_back() {
        let speech = [
            Span {
                start: 1.0,
                end: 2.0,
            },
            Span {
                start: 2.5,
                end: 3.0,
            },
            Span {
                start: 10.0,
                end: 11.0,
            },
        ];
        let total = 20 * 16_000;
        let keep = regions_to_keep(&speech, total);
        // 1.0-2.0 and 2.5-3.0 padded touch: merged.
        assert_eq!(keep, [(12_000, 52_000), (156_000, 180_000)]);
        let pcm = vec![0.1f32; total];
        let joined = Joined::from_pcm(&pcm, &keep);
        assert_eq!(joined.pcm.len(), 40_000 + 6_400 + 24_000);
        // 0.5 s into the joined audio is 1.25 s in the recording.
        assert!((joined.to_original(0.5) - 1.25).abs() < 1e-9);
        // Just after the inserted silence: the second piece (9.75 s).
        let second = (40_000 + 6_400) as f64 / 16_000.0;
        assert!((joined.to_original(second + 0.25) - 10.0).abs() < 1e-9);
        // Inside the inserted silence: the end of the first piece.
        assert!((joined.to_original(2.6) - 3.25).abs() < 1e-9);
        let moved = joined.speech_in_joined(&speech);
        assert!((moved[0].start - 0.25).abs() < 1e-9);
        assert!((moved[2].start - (second + 0.25)).abs() < 1e-9);
    }
}
