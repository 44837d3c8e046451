//! Faults a transcript can have that the word error rate hides: phrases
//! whisper repeats though the speaker did not (a decoder loop), and
//! stretches of speech that came out with no word at all.

use crate::wer::normalize_words;

/// A phrase the transcript says over and over, back to back, more often in a
/// row than the speaker did: a decoder loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedPhrase {
    /// The normalised words of the repeated phrase (one copy).
    pub phrase: String,
    /// Copies in a row in the transcript.
    pub in_transcript: usize,
    /// Most copies in a row of the same phrase in the reference (0 if absent).
    pub in_reference: usize,
}

/// Runs of a phrase repeated back to back: (start, phrase length, copies),
/// the longest stretch at each position, runs not overlapping.
fn tandem_runs(words: &[String]) -> Vec<(usize, usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut best: Option<(usize, usize)> = None;
        let mut period = 1;
        while i + 2 * period <= words.len() {
            let copies = copies_at(words, i, period);
            if copies >= 2 && best.is_none_or(|(p, c)| period * copies > p * c) {
                best = Some((period, copies));
            }
            period += 1;
        }
        match best {
            Some((period, copies)) => {
                runs.push((i, period, copies));
                i += period * copies;
            }
            None => i += 1,
        }
    }
    runs
}

/// How many copies of `words[start..start + period]` follow each other from `start`.
fn copies_at(words: &[String], start: usize, period: usize) -> usize {
    let unit = &words[start..start + period];
    let mut copies = 1;
    while start + (copies + 1) * period <= words.len()
        && &words[start + copies * period..start + (copies + 1) * period] == unit
    {
        copies += 1;
    }
    copies
}

/// Phrases of at least `min_words` words that `hypothesis` repeats back to
/// back more times in a row than `reference` does (at most once, when the
/// reference never repeats them): hallucinated loops. To count, the run has
/// three copies or more, or at least 8 words (a window written twice). A
/// shorter phrase (one word: "uh, uh, uh, ...") counts when the transcript
/// says it at least 4 more times in a row than the reference and twice as
/// often. A phrase said twice far apart, a filler said once more than the
/// speaker did, or a short phrase doubled by a misheard word is no loop.
pub fn repeated_phrases(
    reference: &str,
    hypothesis: &str,
    min_words: usize,
) -> Vec<RepeatedPhrase> {
    let reference = normalize_words(reference);
    let hypothesis = normalize_words(hypothesis);
    tandem_runs(&hypothesis)
        .into_iter()
        .filter_map(|(start, period, copies)| {
            let unit = &hypothesis[start..start + period];
            let primitive = (1..period)
                .filter(|p| period % p == 0)
                .all(|p| copies_at(unit, 0, p) * p != period);
            if !primitive || (period >= min_words && copies < 3 && period * copies < 8) {
                return None;
            }
            let in_reference = (0..reference.len().saturating_sub(period - 1))
                .filter(|&j| &reference[j..j + period] == unit)
                .map(|j| copies_at(&reference, j, period))
                .max()
                .unwrap_or(0);
            let looped = if period >= min_words {
                copies > in_reference.max(1)
            } else {
                copies >= (in_reference + 4).max(2 * in_reference)
            };
            looped.then(|| RepeatedPhrase {
                phrase: unit.join(" "),
                in_transcript: copies,
                in_reference,
            })
        })
        .collect()
}

/// Stretches inside the speech (`speech_start` to `speech_end`, seconds)
/// that no transcript word covers and that hold more than `min_secs` of
/// speech: speech the transcript dropped. A stretch's speech is its length
/// less the known `silences` inside it (the long pauses, and any shorter
/// silence measured), so a word that ends early before a silence does not
/// make the silence look like dropped speech, while speech on both sides of
/// a silence still adds up. `words` are (start, end) times of the
/// transcript's words.
pub fn dropped_stretches(
    speech_start: f64,
    speech_end: f64,
    silences: &[(f64, f64)],
    words: &[(f64, f64)],
    min_secs: f64,
) -> Vec<(f64, f64)> {
    let mut words: Vec<(f64, f64)> = words.to_vec();
    words.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut silences: Vec<(f64, f64)> = silences.to_vec();
    silences.sort_by(|a, b| a.0.total_cmp(&b.0));
    let silent_in = |from: f64, to: f64| -> f64 {
        let mut total = 0.0;
        let mut reached = from;
        for &(a, b) in &silences {
            let (a, b) = (a.max(reached), b.min(to));
            if b > a {
                total += b - a;
                reached = b;
            }
        }
        total
    };
    let mut holes = Vec::new();
    let mut check = |from: f64, to: f64| {
        if to - from - silent_in(from, to) > min_secs {
            holes.push((from, to));
        }
    };
    let mut reached = speech_start;
    for (start, end) in words {
        if reached >= speech_end {
            break;
        }
        if start > reached {
            check(reached, start.min(speech_end));
        }
        reached = reached.max(end);
    }
    if speech_end > reached {
        check(reached, speech_end);
    }
    holes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_loop_once_and_ignores_repeats_the_speaker_made() {
        let loop_text =
            "So I'm going to say, I'm going to say, I'm going to say, I'm going to say.";
        let found = repeated_phrases("So I'm going to say it once", loop_text, 3);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].phrase, "i'm going to say");
        assert_eq!((found[0].in_transcript, found[0].in_reference), (4, 1));
        // A whole window written twice is a loop too.
        let window = "we moved the billing system to a new provider in five waves";
        let twice = format!("{window} {window} and it worked");
        let found = repeated_phrases(&format!("{window} and it worked"), &twice, 3);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].in_transcript, 2);
        // Not loops: a phrase said again later, fillers the speaker repeated
        // (one more than said), repeats the reference has.
        let said_twice = "montreal forced aligner and again montreal forced aligner";
        assert!(repeated_phrases(said_twice, said_twice, 3).is_empty());
        assert!(repeated_phrases("a b c d", "a b c d e f", 3).is_empty());
        let six = "montreal uh uh uh uh uh uh forced aligner";
        let seven = "montreal uh uh uh uh uh uh uh forced aligner";
        assert!(repeated_phrases(six, seven, 3).is_empty());
        let chant = "go team go go team go go team go";
        assert!(repeated_phrases(chant, chant, 3).is_empty());
        let four = "some more words words words words um and";
        let six = "some more words words words words words words um and";
        assert!(repeated_phrases(four, six, 3).is_empty());
        let uhs = format!("montreal{} forced", " uh".repeat(40));
        let found = repeated_phrases("montreal uh uh uh uh uh uh forced", &uhs, 3);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (
                found[0].phrase.as_str(),
                found[0].in_transcript,
                found[0].in_reference
            ),
            ("uh", 40, 6)
        );
        let once = "but um montreal but um but montreal";
        assert!(repeated_phrases(once, "but um montreal but um montreal", 3).is_empty());
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
            [(3.0, 7.5), (8.0, 11.0)]
        );
        assert_eq!(dropped_stretches(0.0, 5.0, &[], &[], 2.0), [(0.0, 5.0)]);
    }

    #[test]
    fn only_speech_counts_towards_a_dropped_stretch() {
        // sonnet-1: "one" (0.42-0.81), a 1.85 s silence, then the first line
        // from 2.67. A transcript whose "one" ends at 1.02 and whose next
        // word starts at 3.03 leaves 2.01 s without a word, but only 0.36 s
        // of it is speech: nothing was dropped.
        let words = [(0.42, 1.02), (3.03, 3.5), (3.5, 4.0)];
        let silence = [(0.82, 2.67)];
        assert_eq!(
            dropped_stretches(0.42, 4.0, &[], &words, 2.0),
            [(1.02, 3.03)],
            "without the silence known, it looks dropped"
        );
        assert!(dropped_stretches(0.42, 4.0, &silence, &words, 2.0).is_empty());
        // Speech on both sides of a silence adds up: 1.0 s + 1.9 s of
        // speech with no word around a 0.6 s silence is dropped speech,
        // though neither side alone is over 2 s.
        let words = [(0.0, 1.0), (4.5, 5.0)];
        assert_eq!(
            dropped_stretches(0.0, 5.0, &[(2.0, 2.6)], &words, 2.0),
            [(1.0, 4.5)]
        );
    }
}
