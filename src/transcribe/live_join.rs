//! The speech of an answer cut out and joined while the answer arrives, as
//! batch transcription does for a whole recording (see
//! [`super::batch::regions_to_keep`]), so that whisper hears the same audio
//! whether an answer is streamed during a session or transcribed afterwards.
//!
//! Audio comes in as it is captured; the speech detector's spans so far say
//! what to keep. Only audio inside a stretch to keep is ever appended, and a
//! stretch to keep only grows or merges with the next one, so what has been
//! appended never has to change: the joined audio grows at its end only.

use crate::audio::silero::Span;

use super::batch::{place, regions_to_keep, speech_in_joined, to_original, Region};
use super::recent_audio::RecentAudio;

/// An answer's audio as it arrives, and its speech joined.
#[derive(Debug, Default)]
pub(crate) struct LiveJoin {
    /// The answer as captured (from the first sample not yet appended on).
    raw: RecentAudio,
    /// The speech, joined (the positions whisper's windows walk).
    joined: RecentAudio,
    /// Where each piece of the answer sits in the joined audio.
    regions: Vec<Region>,
    /// Original samples before this are appended or left out for good.
    appended_to: usize,
}

impl LiveJoin {
    /// Adds captured samples (not yet joined: see [`Self::keep`]).
    pub(crate) fn push(&mut self, samples: &[f32]) {
        self.raw.push(samples);
    }

    /// Samples captured so far.
    pub(crate) fn captured_len(&self) -> usize {
        self.raw.len()
    }

    /// Appends what `speech` (spans in answer time, decided up to
    /// `decided_to` samples) says to keep and has not been appended yet.
    pub(crate) fn keep(&mut self, speech: &[Span], decided_to: usize) {
        let decided_to = decided_to.min(self.raw.len());
        for (a, b) in regions_to_keep(speech, decided_to) {
            let from = a.max(self.appended_to);
            if b <= from {
                continue;
            }
            self.append(from, b);
        }
        self.raw.forget_before(self.appended_to);
    }

    /// Appends everything captured (no speech detector: nothing is cut).
    pub(crate) fn keep_all(&mut self) {
        let end = self.raw.len();
        if end > self.appended_to {
            self.append(self.appended_to, end);
        }
        self.raw.forget_before(self.appended_to);
    }

    fn append(&mut self, from: usize, to: usize) {
        let silence = place(&mut self.regions, self.joined.len(), from, to - from);
        if silence > 0 {
            let len = self.joined.len();
            self.joined.resize(len + silence);
        }
        self.joined.push(self.raw.get(from..to));
        self.appended_to = to;
    }

    /// The joined audio (positions from the start of the joined answer).
    pub(crate) fn joined(&self) -> &RecentAudio {
        &self.joined
    }

    /// The joined audio, to pad or let go of.
    pub(crate) fn joined_mut(&mut self) -> &mut RecentAudio {
        &mut self.joined
    }

    /// Where each piece of the answer sits in the joined audio.
    pub(crate) fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// A time in the joined audio as a time in the answer.
    pub(crate) fn to_original(&self, secs: f64) -> f64 {
        to_original(&self.regions, secs)
    }

    /// Speech spans (answer time) in joined time.
    pub(crate) fn speech_in_joined(&self, speech: &[Span]) -> Vec<Span> {
        speech_in_joined(&self.regions, speech)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::resample::WHISPER_RATE;
    use crate::transcribe::batch::Joined;

    const RATE: f64 = WHISPER_RATE as f64;

    fn span(start: f64, end: f64) -> Span {
        Span { start, end }
    }

    fn counting(n: usize) -> Vec<f32> {
        (0..n).map(|i| i as f32).collect()
    }

    /// The joined audio as one vector.
    fn joined_samples(live: &LiveJoin) -> Vec<f32> {
        live.joined().get(0..live.joined().len()).to_vec()
    }

    #[test]
    fn joined_while_arriving_equals_joined_at_once() {
        // 12 s of answer: speech 1-3 s, 3.5-5 s (merged: the pause is short),
        // 8-10 s (after a long pause). Spans are known as the audio arrives.
        let pcm = counting(12 * WHISPER_RATE as usize);
        let final_spans = [span(1.0, 3.0), span(3.5, 5.0), span(8.0, 10.0)];
        let mut live = LiveJoin::default();
        for (i, chunk) in pcm.chunks(1600).enumerate() {
            live.push(chunk);
            let now = (i + 1) as f64 * 0.1;
            // What a detector knows at `now`: spans so far, the open one
            // ending at the last speech heard.
            let known: Vec<Span> = final_spans
                .iter()
                .filter(|s| s.start < now)
                .map(|s| span(s.start, s.end.min(now)))
                .collect();
            live.keep(&known, live.captured_len());
        }
        live.keep(&final_spans, live.captured_len());
        let at_once = Joined::from_pcm(&pcm, &regions_to_keep(&final_spans, pcm.len()));
        assert_eq!(joined_samples(&live), at_once.pcm);
        for secs in [0.0, 1.3, 2.9, 4.0, 5.2, 5.6, 6.0] {
            assert_eq!(live.to_original(secs), at_once.to_original(secs), "{secs}");
        }
        // The long pause is cut: 8 s of speech kept, 0.4 s of silence between.
        let expected = ((5.25 - 0.75) + (10.25 - 7.75) + 0.4) * RATE;
        assert_eq!(live.joined().len(), expected as usize);
    }

    #[test]
    fn without_a_detector_everything_is_kept() {
        let pcm = counting(48_000);
        let mut live = LiveJoin::default();
        for chunk in pcm.chunks(5000) {
            live.push(chunk);
            live.keep_all();
        }
        assert_eq!(joined_samples(&live), pcm);
        assert_eq!(live.to_original(2.5), 2.5);
    }
}
