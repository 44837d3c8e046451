//! The real human speech fixtures themselves: every clip of the manifest is
//! on disk with the stated length, and its truth is self-consistent (filler
//! counts agree with the verbatim reference, pauses are ordered, long and
//! inside the speech). Transcription on these clips is tested where the
//! transcription is (this file checks only the data the tests rely on).

mod common;

use common::real_speech::{clips, Kind};
use rehearse::wer::{hesitation_label, normalize_words};

#[test]
fn every_clip_is_fetched_and_its_truth_is_consistent() {
    let clips = clips();
    assert!(clips.len() >= 20, "{} clips", clips.len());
    for clip in clips {
        let words = normalize_words(&clip.reference);
        assert!(!words.is_empty(), "{}: empty reference", clip.id);
        let mut counted = std::collections::BTreeMap::new();
        for w in &words {
            if let Some(label) = hesitation_label(w) {
                *counted.entry(label.to_string()).or_insert(0) += 1;
            }
        }
        assert_eq!(
            counted, clip.fillers,
            "{}: fillers field vs reference",
            clip.id
        );
        assert!(
            0.0 <= clip.first_word
                && clip.first_word < clip.last_word_end
                && clip.last_word_end <= clip.duration,
            "{}: first word {} / last word end {} / duration {}",
            clip.id,
            clip.first_word,
            clip.last_word_end,
            clip.duration
        );
        let mut reached = clip.first_word;
        for pause in &clip.pauses {
            assert!(
                pause.start >= reached && pause.end - pause.start > 2.0,
                "{}: {pause:?}",
                clip.id
            );
            reached = pause.end;
        }
        assert!(
            reached < clip.last_word_end,
            "{}: a pause runs past the speech",
            clip.id
        );
        assert!(clip.longest_other_gap < 2.0, "{}", clip.id);
        // The shorter silences: ordered, no longer than the longest gap
        // (the envelope and the alignments differ by up to 0.07 s), inside
        // the clip and clear of the long pauses.
        let mut reached = 0.0;
        for s in &clip.silences {
            let secs = s.end - s.start;
            assert!(
                s.start >= reached
                    && secs >= 0.5
                    && secs <= clip.longest_other_gap + 0.1
                    && s.end <= clip.duration,
                "{}: silence {s:?}",
                clip.id
            );
            assert!(
                clip.pauses
                    .iter()
                    .all(|p| s.end <= p.start || s.start >= p.end),
                "{}: silence {s:?} overlaps a pause",
                clip.id
            );
            reached = s.end;
        }
    }
}

#[test]
fn the_set_covers_what_the_targets_are_measured_on() {
    let clips = clips();
    let spontaneous_long: Vec<_> = clips
        .iter()
        .filter(|c| c.kind == Kind::Spontaneous && c.answer_length())
        .collect();
    assert!(
        spontaneous_long.len() >= 2,
        "answer-length spontaneous clips"
    );
    assert!(clips
        .iter()
        .any(|c| c.kind == Kind::Read && c.answer_length()));
    let fillers: usize = clips.iter().map(|c| c.filler_count()).sum();
    assert!(fillers >= 40, "{fillers} reference fillers");
    let pauses: usize = clips.iter().map(|c| c.pauses.len()).sum();
    assert!(pauses >= 5, "{pauses} long pauses");
}
