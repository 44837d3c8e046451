//! Turning whisper's tokens into words: sub-word pieces and punctuation join
//! the word before them, and each word gets a start, an end and a probability.

use super::Word;

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
