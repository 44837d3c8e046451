//! The part of a streamed answer the transcriber may still read: samples are
//! addressed by their position in the whole answer, but those before a point
//! nothing will read again are let go, so memory stays flat however long the
//! answer runs.

use std::ops::Range;

/// Samples from some position of the answer to its end so far.
#[derive(Debug, Default)]
pub(crate) struct RecentAudio {
    /// How many samples at the start of the answer have been let go.
    forgotten: usize,
    samples: Vec<f32>,
}

/// Samples are let go in stretches of at least this many (10 s at 16 kHz),
/// so that the ones kept are not moved for every piece of audio that arrives.
const FORGET_AT_LEAST: usize = 160_000;

impl RecentAudio {
    /// The length of the whole answer so far, in samples.
    pub(crate) fn len(&self) -> usize {
        self.forgotten + self.samples.len()
    }

    /// Every sample still kept (the latest part of the answer).
    pub(crate) fn kept(&self) -> &[f32] {
        &self.samples
    }

    pub(crate) fn push(&mut self, samples: &[f32]) {
        self.samples.extend_from_slice(samples);
    }

    /// The samples at `range` (positions in the whole answer).
    ///
    /// # Panics
    /// If part of `range` has been let go or not received yet: the walk only
    /// reads from its current window on.
    pub(crate) fn get(&self, range: Range<usize>) -> &[f32] {
        assert!(
            range.start >= self.forgotten,
            "samples from {} were let go (kept from {})",
            range.start,
            self.forgotten
        );
        &self.samples[range.start - self.forgotten..range.end - self.forgotten]
    }

    /// Lets go of the samples before `position`, once enough of them have
    /// piled up to be worth moving the rest.
    pub(crate) fn forget_before(&mut self, position: usize) {
        let position = position.min(self.len());
        if position >= self.forgotten + FORGET_AT_LEAST {
            self.samples.drain(..position - self.forgotten);
            self.forgotten = position;
        }
    }

    /// Pads (with silence) or cuts the answer to `len` samples; never cuts
    /// into samples already let go.
    pub(crate) fn resize(&mut self, len: usize) {
        self.samples
            .resize(len.max(self.forgotten) - self.forgotten, 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counting(n: usize) -> Vec<f32> {
        (0..n).map(|i| i as f32).collect()
    }

    #[test]
    fn positions_stay_those_of_the_whole_answer_after_letting_go() {
        let mut audio = RecentAudio::default();
        audio.push(&counting(FORGET_AT_LEAST + 500));
        audio.forget_before(FORGET_AT_LEAST + 100);
        assert_eq!(audio.len(), FORGET_AT_LEAST + 500);
        assert_eq!(audio.samples.len(), 400, "the samples before were let go");
        let at = FORGET_AT_LEAST + 100;
        assert_eq!(
            audio.get(at..at + 3),
            [at as f32, at as f32 + 1.0, at as f32 + 2.0]
        );
    }

    #[test]
    fn small_stretches_are_kept_until_enough_pile_up() {
        let mut audio = RecentAudio::default();
        audio.push(&counting(1000));
        audio.forget_before(900);
        assert_eq!(audio.get(0..2), [0.0, 1.0]);
        // Never past the end received.
        audio.forget_before(usize::MAX);
        assert_eq!(audio.len(), 1000);
    }

    #[test]
    fn padding_and_cutting_back_keep_the_received_samples() {
        let mut audio = RecentAudio::default();
        audio.push(&counting(FORGET_AT_LEAST + 10));
        audio.forget_before(FORGET_AT_LEAST);
        audio.resize(FORGET_AT_LEAST + 20);
        let at = FORGET_AT_LEAST;
        assert_eq!(audio.get(at + 9..at + 11), [(at + 9) as f32, 0.0]);
        audio.resize(FORGET_AT_LEAST + 10);
        assert_eq!(audio.len(), FORGET_AT_LEAST + 10);
    }

    #[test]
    #[should_panic(expected = "were let go")]
    fn reading_what_was_let_go_is_a_bug() {
        let mut audio = RecentAudio::default();
        audio.push(&counting(FORGET_AT_LEAST + 10));
        audio.forget_before(FORGET_AT_LEAST);
        audio.get(0..1);
    }
}
