//! Faults a transcript can have that the word error rate hides: phrases
//! whisper repeats though the speaker did not (a decoder loop), and
//! stretches of speech that came out with no word at all.

use std::collections::HashMap;

use crate::wer::normalize_words;

/// A phrase the transcript repeats more often than the reference says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedPhrase {
    /// The normalised words of the phrase.
    pub phrase: String,
    /// How often the transcript says it.
    pub in_transcript: usize,
    /// How often the reference says it.
    pub in_reference: usize,
}

/// Phrases of `n` words (n >= 3 is a loop's signature) that occur at least
/// twice in `hypothesis` and more often than in `reference`: a hallucinated
/// loop. Overlapping phrases of one loop are reported once, by the first.
pub fn repeated_phrases(reference: &str, hypothesis: &str, n: usize) -> Vec<RepeatedPhrase> {
    let n = n.max(1);
    let count = |words: &[String]| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut order = Vec::new();
        for gram in words.windows(n) {
            let key = gram.join(" ");
            let c = counts.entry(key.clone()).or_insert(0);
            if *c == 0 {
                order.push(key);
            }
            *c += 1;
        }
        (counts, order)
    };
    let (reference_counts, _) = count(&normalize_words(reference));
    let hypothesis_words = normalize_words(hypothesis);
    let (counts, order) = count(&hypothesis_words);
    let mut found: Vec<RepeatedPhrase> = Vec::new();
    for phrase in order {
        let in_transcript = counts[&phrase];
        let in_reference = reference_counts.get(&phrase).copied().unwrap_or(0);
        if in_transcript < 2 || in_transcript <= in_reference {
            continue;
        }
        // "a b c a b c a b c": "b c a" and "c a b" belong to the loop "a b c".
        let part_of_earlier = found.iter().any(|f| {
            f.in_transcript >= in_transcript && format!("{0} {0}", f.phrase).contains(&phrase)
        });
        if !part_of_earlier {
            found.push(RepeatedPhrase {
                phrase,
                in_transcript,
                in_reference,
            });
        }
    }
    found
}

/// Stretches longer than `min_secs` inside the speech (`speech_start` to
/// `speech_end`, seconds) that no transcript word covers and that are not
/// one of the known silent `pauses`: speech the transcript dropped. `words`
/// are (start, end) times of the transcript's words.
pub fn dropped_stretches(
    speech_start: f64,
    speech_end: f64,
    pauses: &[(f64, f64)],
    words: &[(f64, f64)],
    min_secs: f64,
) -> Vec<(f64, f64)> {
    let mut covered: Vec<(f64, f64)> = words.iter().chain(pauses).copied().collect();
    covered.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut holes = Vec::new();
    let mut reached = speech_start;
    for (start, end) in covered {
        if start > reached && start.min(speech_end) - reached > min_secs {
            holes.push((reached, start.min(speech_end)));
        }
        reached = reached.max(end);
        if reached >= speech_end {
            break;
        }
    }
    if speech_end - reached > min_secs {
        holes.push((reached, speech_end));
    }
    holes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_loop_once_and_ignores_repeats_the_speaker_made() {
        let loop_text = "I'm going to say, I'm going to say, I'm going to say, I'm going to say.";
        let found = repeated_phrases("I'm going to say it once", loop_text, 3);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].phrase, "i'm going to");
        assert_eq!((found[0].in_transcript, found[0].in_reference), (4, 1));
        let said_twice = "montreal forced aligner and again montreal forced aligner";
        assert!(repeated_phrases(said_twice, said_twice, 3).is_empty());
        assert!(repeated_phrases("a b c d", "a b c d e f", 3).is_empty());
    }

    #[test]
    fn finds_speech_without_words() {
        let words = [(1.0, 2.0), (2.1, 3.0), (7.5, 8.0)];
        // 3.0-7.5 has no word: dropped, unless it is a known pause.
        assert_eq!(dropped_stretches(1.0, 8.0, &[], &words, 2.0), [(3.0, 7.5)]);
        assert!(dropped_stretches(1.0, 8.0, &[(3.2, 7.4)], &words, 2.0).is_empty());
        // Speech before the first word and after the last counts too.
        assert_eq!(
            dropped_stretches(0.0, 11.0, &[], &words, 2.0),
            [(8.0, 11.0)]
        );
        assert_eq!(dropped_stretches(0.0, 5.0, &[], &[], 2.0), [(0.0, 5.0)]);
    }
}
