//! Turning whisper's tokens into words: sub-word pieces and punctuation join
//! the word before them, and each word gets a start, an end and a probability.

use super::Word;
use crate::audio::silero::Span;

/// Slack around the speech heard within which a word may still lie (the
/// detector's edges are 32 ms frames behind a smoothing threshold).
const SPEECH_EDGE_SECS: f64 = 0.12;

/// Keeps each word inside the speech heard, so that no word spans a pause
/// and silence before the first or after the last word never counts as
/// speaking: a word is cut to the stretch of speech it starts in (or
/// overlaps most), and a word lying wholly outside speech is moved to the
/// nearest stretch. Times stay in order.
pub fn clamp_to_speech(words: &mut [Word], speech: &[Span]) {
    if speech.is_empty() {
        return;
    }
    let mut floor = 0.0f64;
    for w in words.iter_mut() {
        let mid = (w.start + w.end) / 2.0;
        let overlap = |s: &Span| (w.end.min(s.end) - w.start.max(s.start)).max(0.0);
        let containing_start = speech
            .iter()
            .find(|s| s.start - SPEECH_EDGE_SECS <= w.start && w.start < s.end + SPEECH_EDGE_SECS);
        let span = containing_start
            .or_else(|| {
                speech
                    .iter()
                    .filter(|s| overlap(s) > 0.0)
                    .max_by(|a, b| overlap(a).total_cmp(&overlap(b)))
            })
            .or_else(|| {
                speech.iter().min_by(|a, b| {
                    let d = |s: &Span| (s.start - mid).abs().min((s.end - mid).abs());
                    d(a).total_cmp(&d(b))
                })
            })
            .copied();
        let Some(span) = span else { continue };
        let (lo, hi) = (span.start - SPEECH_EDGE_SECS, span.end + SPEECH_EDGE_SECS);
        let len = (w.end - w.start).max(0.0);
        let mut start = w.start.clamp(lo.max(0.0), hi);
        let mut end = w.end.clamp(start, hi);
        if end - start < 1e-6 && len > 0.0 {
            // Moved in from outside: keep some of its length.
            end = (start + len.min(0.3)).min(hi);
            if w.start > hi {
                start = (hi - len.min(0.3)).max(lo);
                end = hi;
            }
        }
        start = start.max(floor);
        end = end.max(start);
        w.start = start;
        w.end = end;
        floor = end;
    }
}

/// Silence between two stretches of speech at least this long (seconds) is
/// a pause whose edges the words around it are taken to.
const MEET_GAP_SECS: f64 = 1.0;
/// The most a word's edge is moved to meet the speech's (seconds).
const MAX_EDGE_MOVE_SECS: f64 = 1.0;

/// Takes the words on either side of each pause the speech detector heard
/// (silence of [`MEET_GAP_SECS`] or more) to the pause's edges: the word
/// before it ends where the speech ends, the word after it starts where the
/// speech starts again. whisper's word times are loose by a few tenths of a
/// second (more where it left a word out), while the silence is measured
/// from the audio: gaps between words then give the pauses the speaker
/// really made. Words must already be inside the speech
/// ([`clamp_to_speech`]); only words lying in the stretch next to the pause
/// move, and times stay in order.
pub fn meet_speech_edges(words: &mut [Word], speech: &[Span]) {
    for pair in speech.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        if after.start - before.end < MEET_GAP_SECS {
            continue;
        }
        let next = words.partition_point(|w| w.start < after.start - SPEECH_EDGE_SECS);
        if next == 0 || next == words.len() {
            continue;
        }
        let in_before = |w: &Word| {
            w.start >= before.start - SPEECH_EDGE_SECS && w.end <= before.end + SPEECH_EDGE_SECS
        };
        let in_after = |w: &Word| {
            w.start >= after.start - SPEECH_EDGE_SECS && w.end <= after.end + SPEECH_EDGE_SECS
        };
        // A word far from the edge is not stretched to it: what lies
        // between is speech left without words, not a loose time.
        let near = |t: f64, edge: f64| (t - edge).abs() <= MAX_EDGE_MOVE_SECS;
        if in_before(&words[next - 1]) && near(words[next - 1].end, before.end) {
            let w = &mut words[next - 1];
            w.end = before.end.max(w.start);
        }
        if in_after(&words[next]) && near(words[next].start, after.start) {
            let floor = words[next - 1].end;
            let w = &mut words[next];
            w.start = after.start.min(w.end).max(floor);
        }
    }
}

/// One text token with its time.
#[derive(Debug, Clone)]
pub(crate) struct WordPiece {
    pub bytes: Vec<u8>,
    /// DTW-aligned time of the token (its onset), seconds.
    pub time: f64,
    /// whisper's own end estimate for the token, seconds.
    pub end: f64,
    pub probability: f32,
    pub segment_end: f64,
}

/// Joins tokens into words: a token starting with a space starts a word;
/// punctuation and word pieces attach to the word before them. A word ends
/// where the next begins, or at its own end estimate when that is earlier
/// (so a pause after it is not counted as part of it).
pub(crate) fn assemble_words(pieces: &[WordPiece], duration: f64) -> Vec<Word> {
    struct Building {
        bytes: Vec<u8>,
        start: f64,
        end: f64,
        probs: Vec<f32>,
        segment_end: f64,
    }
    let mut building: Vec<Building> = Vec::new();
    for piece in pieces {
        let starts_with_space = piece.bytes.first() == Some(&b' ');
        let is_punctuation = piece
            .bytes
            .iter()
            .all(|b| b.is_ascii_punctuation() || *b == b' ');
        let attaches_to_previous = !building.is_empty() && (is_punctuation || !starts_with_space);
        if !attaches_to_previous {
            building.push(Building {
                bytes: piece.bytes.clone(),
                start: piece.time,
                end: piece.end,
                probs: vec![piece.probability],
                segment_end: piece.segment_end,
            });
        } else if let Some(last) = building.last_mut() {
            last.bytes.extend_from_slice(&piece.bytes);
            last.end = last.end.max(piece.end);
            if !is_punctuation {
                last.probs.push(piece.probability);
            }
        }
    }
    let mut words: Vec<Word> = Vec::with_capacity(building.len());
    for (i, w) in building.iter().enumerate() {
        let text = String::from_utf8_lossy(&w.bytes).trim().to_string();
        if text.is_empty() {
            continue;
        }
        let start = words.last().map_or(w.start, |prev| w.start.max(prev.start));
        let next_start = building
            .get(i + 1)
            .map(|n| n.start)
            .unwrap_or(w.segment_end.max(start))
            .min(duration);
        let own_end = if w.end > start { w.end } else { next_start };
        let end = own_end.min(next_start).max(start).min(duration);
        let probability = w.probs.iter().sum::<f32>() / w.probs.len().max(1) as f32;
        words.push(Word {
            word: text,
            start,
            end,
            probability,
        });
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::transcribe::test_word as w;

    #[test]
    fn words_around_a_pause_meet_the_speech_edges() {
        let span = |start, end| Span { start, end };
        // Speech 0.5-3.0 s, a 2.4 s silence, speech 5.4-7.0 s, a 0.5 s
        // silence, speech 7.5-9.0 s.
        let speech = [span(0.5, 3.0), span(5.4, 7.0), span(7.5, 9.0)];
        // whisper ended "late" early (its last syllable left out) and
        // started "again" late.
        let mut words = vec![
            w("I", 0.5, 0.8),
            w("was", 0.8, 1.4),
            w("late", 1.4, 2.6),
            w("again", 5.9, 6.5),
            w("today", 6.5, 6.9),
            w("sorry.", 7.6, 8.8),
        ];
        meet_speech_edges(&mut words, &speech);
        // The pause is the silence heard: 3.0-5.4 s.
        assert_eq!((words[2].end, words[3].start), (3.0, 5.4));
        // A short silence is left as whisper timed it; other words unmoved.
        assert_eq!((words[4].end, words[5].start), (6.9, 7.6));
        assert_eq!((words[1].start, words[1].end), (0.8, 1.4));
        assert_eq!(words[3].end, 6.5);
        // A word ending 1.5 s before the speech does is left alone: the
        // speech after it has no words.
        let mut words = vec![w("late", 1.0, 1.5), w("again", 5.4, 6.0)];
        meet_speech_edges(&mut words, &speech);
        assert_eq!(words[0].end, 1.5);
    }

    #[test]
    fn a_word_outside_the_stretch_next_to_a_pause_does_not_move() {
        let span = |start, end| Span { start, end };
        let speech = [span(0.0, 2.0), span(4.0, 6.0)];
        // No word in the stretch before the pause: nothing to take to it.
        let mut words = vec![w("hello", 4.5, 5.0)];
        meet_speech_edges(&mut words, &speech);
        assert_eq!((words[0].start, words[0].end), (4.5, 5.0));
    }

    #[test]
    fn words_stay_inside_the_speech_heard() {
        let speech = [
            Span {
                start: 1.0,
                end: 3.0,
            },
            Span {
                start: 6.3,
                end: 8.0,
            },
        ];
        let mut words = vec![
            // A breath at 0.0: the first word really starts with the speech.
            w("So", 0.0, 1.2),
            w("thanks.", 2.5, 6.4), // spans the 3.3 s pause
            w("Bye.", 6.4, 10.0),   // runs to the end of the file
        ];
        clamp_to_speech(&mut words, &speech);
        assert!((words[0].start - 0.88).abs() < 1e-9, "{:?}", words[0]);
        assert!(words[1].end <= 3.12 + 1e-9, "{:?}", words[1]);
        assert!(words[2].end <= 8.12 + 1e-9, "{:?}", words[2]);
        assert!(words[2].start >= 6.3 - 0.12, "{:?}", words[2]);
    }

    fn piece(text: &str, time: f64, end: f64) -> WordPiece {
        WordPiece {
            bytes: text.as_bytes().to_vec(),
            time,
            end,
            probability: 0.9,
            segment_end: 10.0,
        }
    }

    #[test]
    fn joins_subword_tokens_and_punctuation() {
        let words = assemble_words(
            &[
                piece(" I", 0.5, 0.7),
                piece(" miss", 0.8, 1.0),
                piece("ed", 1.0, 1.1),
                piece(" it", 1.2, 1.3),
                piece(".", 1.3, 1.35),
                piece(" Then", 4.0, 4.3),
            ],
            10.0,
        );
        let text: Vec<&str> = words.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(text, ["I", "missed", "it.", "Then"]);
        // A pause after "it." is not counted inside the word.
        assert!(words[2].end < 2.0, "{:?}", words[2]);
        assert_eq!(words[3].start, 4.0);
    }

    #[test]
    fn times_stay_monotonic_and_inside_the_audio() {
        let words = assemble_words(
            &[
                piece(" a", 1.0, 1.2),
                piece(" b", 0.9, 1.5),
                piece(" c", 2.0, 40.0),
            ],
            3.0,
        );
        for pair in words.windows(2) {
            assert!(pair[0].start <= pair[1].start);
        }
        for w in &words {
            assert!(w.start <= w.end && w.end <= 3.0, "{w:?}");
        }
    }
}
