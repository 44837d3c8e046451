//! What earlier fillers-only second looks found, so that a streamed answer
//! does not decode the same stretch again for every pass over it.
//!
//! While an answer is spoken, the stretch after the last block is decoded
//! again every few seconds, each time a little longer, and each pass takes
//! its second look at once (see [`super::streaming`]). The short voiced gaps
//! a fillers-only look decodes are mostly the same from one pass to the next
//! (the speech detector's spans do not move, and word times move by a few
//! hundredths of a second), and such a look depends on nothing but the audio
//! around its gap and the prompt, both the same. Measured on a real 2-minute
//! answer: 30 of 57 looks repeated an earlier one within 0.1 s.
//!
//! Times here are in the joined audio's time; the caller says where the
//! piece being looked at starts in it ([`LookMemo::set_offset`]).

use super::Word;

/// How far apart (seconds) the ends of two gaps may be and still be the
/// same gap: a look pads its gap with 0.3 s of audio on each side, so the
/// audio whisper hears differs only at its edges.
const SAME_GAP_SECS: f64 = 0.1;

/// One look taken: the gap, and the hesitations it found (none for most).
#[derive(Debug, Clone)]
struct Look {
    start: f64,
    end: f64,
    found: Vec<Word>,
}

/// Fillers-only looks taken so far over one answer.
#[derive(Debug, Default)]
pub(crate) struct LookMemo {
    /// Where the piece now looked at starts in the joined audio, seconds.
    offset: f64,
    looks: Vec<Look>,
    /// Looks answered from here instead of decoded again.
    reused: u64,
}

impl LookMemo {
    /// Says where the piece the next looks are in starts, seconds into the
    /// joined audio.
    pub(crate) fn set_offset(&mut self, secs: f64) {
        self.offset = secs;
    }

    /// What a look at the gap `[start, end)` (seconds into the piece)
    /// found before, with times in the piece's time, if it was taken.
    pub(crate) fn recall(&mut self, start: f64, end: f64) -> Option<Vec<Word>> {
        let (start, end) = (start + self.offset, end + self.offset);
        let look = self.looks.iter().rev().find(|l| {
            (l.start - start).abs() <= SAME_GAP_SECS && (l.end - end).abs() <= SAME_GAP_SECS
        })?;
        self.reused += 1;
        Some(shifted(&look.found, -self.offset))
    }

    /// Remembers what a look at the gap `[start, end)` found (times in the
    /// piece's time).
    pub(crate) fn remember(&mut self, start: f64, end: f64, found: &[Word]) {
        self.looks.push(Look {
            start: start + self.offset,
            end: end + self.offset,
            found: shifted(found, self.offset),
        });
    }

    /// Forgets looks at gaps that end before `secs` (audio no pass will
    /// decode again).
    pub(crate) fn forget_before(&mut self, secs: f64) {
        self.looks.retain(|l| l.end >= secs);
    }

    /// How many looks were answered from memory.
    pub(crate) fn reused(&self) -> u64 {
        self.reused
    }
}

/// `words` moved `by` seconds.
fn shifted(words: &[Word], by: f64) -> Vec<Word> {
    words
        .iter()
        .map(|w| Word {
            start: w.start + by,
            end: w.end + by,
            ..w.clone()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::test_word as word;

    #[test]
    fn a_look_is_recalled_from_a_later_piece_in_that_piece_s_time() {
        let mut memo = LookMemo::default();
        memo.set_offset(10.0);
        memo.remember(2.0, 2.6, &[word("um", 2.1, 2.4)]);
        // The next pass starts 1 s later: the same gap is 1 s earlier in it.
        memo.set_offset(11.0);
        let found = memo.recall(1.05, 1.55).expect("the same gap");
        assert_eq!(found.len(), 1);
        assert!((found[0].start - 1.1).abs() < 1e-9 && (found[0].end - 1.4).abs() < 1e-9);
        assert_eq!(memo.reused(), 1);
    }

    #[test]
    fn a_gap_that_moved_more_than_a_tenth_of_a_second_is_looked_at_again() {
        let mut memo = LookMemo::default();
        memo.remember(2.0, 2.6, &[]);
        assert!(memo.recall(2.0, 2.75).is_none());
        assert!(memo.recall(1.85, 2.6).is_none());
        assert_eq!(memo.recall(2.05, 2.65), Some(Vec::new()));
    }

    #[test]
    fn forgotten_looks_are_not_recalled() {
        let mut memo = LookMemo::default();
        memo.remember(2.0, 2.6, &[]);
        memo.remember(5.0, 5.6, &[]);
        memo.forget_before(3.0);
        assert!(memo.recall(2.0, 2.6).is_none());
        assert!(memo.recall(5.0, 5.6).is_some());
    }
}
