//! Telling a derailed whisper window from a faithful one.
//!
//! whisper sometimes loses its way in a 30 s window: it repeats one phrase
//! dozens of times (often after a prompt full of fillers), copies the text
//! before it, or writes a word or two for half a minute of speech. These
//! checks look at what one run produced against what the voice activity
//! detector heard, and name what is wrong; [`super::Transcriber::run`]
//! decodes such a window again and keeps the best attempt.

use serde::{Deserialize, Serialize};

use crate::audio::silero::{speech_within, Span};

use super::Word;

/// Most words per second of speech a person says (fast speech is about 4).
pub const MAX_WORDS_PER_SPEECH_SEC: f64 = 5.0;
/// Speech (seconds) the too-many-words check adds to what the detector
/// heard: it trims the soft onsets and tails of words, so a short run's
/// speech is counted short (the last 1.7 s of a real answer, "and that
/// should be all. Thanks.", was heard as 1.06 s of speech: 6 words, 5.7 a
/// second). A loop writes several times the words, so it is still caught.
pub const SPEECH_EDGE_SLACK_SECS: f64 = 0.5;
/// Fewest words per second of speech before a window counts as dropped
/// (slow, hesitant speech is about 1.5).
pub const MIN_WORDS_PER_SPEECH_SEC: f64 = 0.6;
/// Speech this long (seconds) with no word in it is a hole.
pub const HOLE_SECS: f64 = 2.0;
/// Mean log-probability of the text tokens below which a window is doubtful
/// (whisper's own `logprob_threshold`).
pub const MIN_AVG_LOGPROB: f64 = -1.0;

/// What is wrong with a window's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Derail {
    /// A phrase repeated back to back more often than people do.
    Repetition { phrase: String, times: usize },
    /// A long run of words copied from the text just before the window.
    CopiedContext { words: usize },
    /// More words than could be said in the speech heard.
    TooManyWords { words: usize, speech_secs: f64 },
    /// Far fewer words than the speech heard holds.
    TooFewWords { words: usize, speech_secs: f64 },
    /// Speech with no word in it, seconds from the start of the run.
    Hole { start: f64, end: f64 },
    /// whisper itself was unsure of the text.
    LowConfidence { avg_logprob: f64 },
}

impl Derail {
    /// Whether the text itself is wrong (a loop, a copy, far too many or
    /// too few words), rather than merely doubtful or incomplete.
    pub fn is_severe(&self) -> bool {
        matches!(
            self,
            Derail::Repetition { .. }
                | Derail::CopiedContext { .. }
                | Derail::TooManyWords { .. }
                | Derail::TooFewWords { .. }
        )
    }

    /// How bad this is when choosing between attempts (higher is worse).
    fn weight(&self) -> f64 {
        match self {
            // By the words the loop holds: "uh" nine times is a shorter
            // loop than a three-word phrase four times.
            Derail::Repetition { phrase, times } => {
                10.0 + (*times * phrase.split_whitespace().count()) as f64
            }
            Derail::CopiedContext { .. } => 10.0,
            Derail::TooManyWords { .. } => 8.0,
            Derail::TooFewWords { .. } => 6.0,
            Derail::Hole { start, end } => 2.0 + (end - start),
            Derail::LowConfidence { .. } => 1.0,
        }
    }
}

/// Total badness of a list of problems.
pub fn badness(problems: &[Derail]) -> f64 {
    problems.iter().map(Derail::weight).sum()
}

/// What one run produced, for judging.
pub struct RunOutput<'a> {
    /// Words, times from the start of the run's audio.
    pub words: &'a [Word],
    /// Mean natural log of the text tokens' probabilities.
    pub avg_logprob: Option<f64>,
    /// Seconds of audio the run's text covers (a first-window run covers
    /// up to where it stopped).
    pub covered_secs: f64,
}

/// The problems of one run. `speech` is the speech heard in the run's audio
/// (times from its start), when a voice activity detector ran; `before` is
/// the text just before the run (normalised words), to catch copying.
pub fn assess(run: &RunOutput<'_>, speech: Option<&[Span]>, before: &[String]) -> Vec<Derail> {
    let mut problems = Vec::new();
    let words: Vec<String> = run.words.iter().map(|w| normalise(&w.word)).collect();
    if let Some(r) = worst_loop(run.words, &words, speech) {
        problems.push(Derail::Repetition {
            phrase: r.phrase,
            times: r.times,
        });
    }
    let copied = copied_run(before, &words);
    if copied >= COPY_MIN_WORDS {
        problems.push(Derail::CopiedContext { words: copied });
    }
    if let Some(speech) = speech {
        let speech_secs = speech_within(speech, 0.0, run.covered_secs);
        let n = words.len();
        let most_words = MAX_WORDS_PER_SPEECH_SEC * (speech_secs.max(1.0) + SPEECH_EDGE_SLACK_SECS);
        if speech_secs > 0.0 && n as f64 > most_words {
            problems.push(Derail::TooManyWords {
                words: n,
                speech_secs,
            });
        }
        if speech_secs >= 5.0 && (n as f64) < MIN_WORDS_PER_SPEECH_SEC * speech_secs {
            problems.push(Derail::TooFewWords {
                words: n,
                speech_secs,
            });
        }
        for hole in holes(speech, run.words, run.covered_secs) {
            problems.push(Derail::Hole {
                start: hole.start,
                end: hole.end,
            });
        }
    }
    if let Some(lp) = run.avg_logprob {
        if lp < MIN_AVG_LOGPROB {
            problems.push(Derail::LowConfidence { avg_logprob: lp });
        }
    }
    problems
}

/// A phrase `words` repeat back to back like a decoding loop, and how
/// often, leaving out strings of hesitations the speech detector heard as
/// separate sounds (`speech`, same time base as the words): what
/// [`assess`] calls a loop.
pub fn find_loop_in(words: &[Word], speech: &[Span]) -> Option<(String, usize)> {
    let normalised: Vec<String> = words.iter().map(|w| normalise(&w.word)).collect();
    worst_loop(words, &normalised, Some(speech)).map(|r| (r.phrase, r.times))
}

/// The worst loop among `words` (`normalised` alike), a string of
/// hesitations heard apart in `speech` excused (none without a detector).
fn worst_loop(words: &[Word], normalised: &[String], speech: Option<&[Span]>) -> Option<Repeat> {
    worst_repetition(normalised, |r| {
        speech.is_some_and(|s| hesitations_heard_apart(r, words, s))
    })
}

/// Hesitations written per stretch of speech the detector heard: people
/// say "uh, uh, uh" as separate sounds, which the detector hears apart
/// (two close together may make one stretch); a loop writes a dozen over
/// one stretch or over silence.
const HESITATIONS_PER_STRETCH: usize = 2;

/// Most of the time from a string of hesitations' first to its last that
/// the detector may hear as speech: filled pauses said one after another
/// leave silences between them, while a loop that writes "uh" over words
/// lies over speech with only the short pauses between phrases in it.
const MOST_SPEECH_AMONG_HESITATIONS: f64 = 0.75;

/// Fastest a person says hesitations one after another, seconds each.
const SHORTEST_HESITATION_SECS: f64 = 0.25;

/// Whether a repeat of hesitations ("uh" six times) is what the speaker
/// said rather than a loop: from the first to the last there is time for
/// them ([`SHORTEST_HESITATION_SECS`] each), the detector heard separate
/// sounds there (no more than [`HESITATIONS_PER_STRETCH`] for each stretch
/// of speech), and silence between them (speech for at most
/// [`MOST_SPEECH_AMONG_HESITATIONS`] of that time). On the bench's real
/// answer, "montreal uh uh uh uh uh uh forced aligner" came back (without
/// the prompt) as nine "uh"s over 4 s that the detector heard as five
/// stretches, speech for 54 % of it; taking that for a loop sent the
/// window on to a sampled attempt that wrote none of the fillers, at the
/// cost of one more 30 s run.
fn hesitations_heard_apart(repeat: &Repeat, words: &[Word], speech: &[Span]) -> bool {
    if !repeat.phrase.split_whitespace().all(is_hesitation) {
        return false;
    }
    let n = repeat.phrase.split_whitespace().count();
    let (Some(first), Some(last)) = (
        words.get(repeat.start),
        words.get(repeat.start + repeat.times * n - 1),
    ) else {
        return false;
    };
    let (from, to) = (first.start, last.end);
    if to - from < repeat.times as f64 * SHORTEST_HESITATION_SECS {
        return false;
    }
    let stretches = speech
        .iter()
        .filter(|s| s.end >= from && s.start <= to)
        .count();
    repeat.times <= HESITATIONS_PER_STRETCH * stretches
        && speech_within(speech, from, to) <= MOST_SPEECH_AMONG_HESITATIONS * (to - from)
}

/// Lower case, letters, digits and apostrophes only.
pub fn normalise(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Back-to-back repeats that flag a loop: a single word 8 times (people
/// say "words words words words"), two words 4 times, a longer phrase 3
/// times.
fn loop_threshold(n: usize) -> usize {
    match n {
        1 => 8,
        2 => 4,
        _ => 3,
    }
}

/// A phrase repeated back to back beyond its loop threshold.
struct Repeat {
    phrase: String,
    times: usize,
    /// Index of its first word.
    start: usize,
}

/// The phrase whose back-to-back repeats beyond its loop threshold hold the
/// most words, and how many times it is repeated, leaving out the repeats
/// `excused` says are not loops.
fn worst_repetition(words: &[String], excused: impl Fn(&Repeat) -> bool) -> Option<Repeat> {
    // (repeat, words it holds)
    let mut worst: Option<(Repeat, usize)> = None;
    for n in 1..=8usize {
        if words.len() < n * loop_threshold(n) {
            break;
        }
        let mut i = 0;
        while i + n <= words.len() {
            let mut times = 1;
            while i + (times + 1) * n <= words.len()
                && words[i + times * n..i + (times + 1) * n] == words[i..i + n]
            {
                times += 1;
            }
            // "um, um, um" can be real; a dozen cannot.
            let filler_only = words[i..i + n].iter().all(|w| is_hesitation(w));
            let threshold = if filler_only {
                loop_threshold(n).max(6)
            } else {
                loop_threshold(n)
            };
            if times >= threshold && worst.as_ref().is_none_or(|w| times * n > w.1) {
                let repeat = Repeat {
                    phrase: words[i..i + n].join(" "),
                    times,
                    start: i,
                };
                if !excused(&repeat) {
                    worst = Some((repeat, times * n));
                }
            }
            i += if times > 1 { times * n } else { 1 };
        }
    }
    worst.map(|(repeat, _)| repeat)
}

/// A hesitation sound ("um", "uh", "hm", ...), normalised: the spellings
/// the filler score counts ([`crate::wer::hesitation_label`]: "umm", "hmm",
/// "mhm", "eh" ...), and a hum ("mm").
pub fn is_hesitation(w: &str) -> bool {
    crate::wer::hesitation_label(w).is_some() || (!w.is_empty() && w.chars().all(|c| c == 'm'))
}

/// Words in a row that a run must copy from the text before it to count as
/// a copy (people do not repeat a dozen words verbatim).
const COPY_MIN_WORDS: usize = 12;

/// The longest run of words in `words` that also appears in `before`.
fn copied_run(before: &[String], words: &[String]) -> usize {
    if before.is_empty() || words.is_empty() {
        return 0;
    }
    // Longest common substring, O(n*m) over short lists.
    let mut best = 0;
    let mut prev = vec![0usize; words.len() + 1];
    for b in before {
        let mut cur = vec![0usize; words.len() + 1];
        for (j, w) in words.iter().enumerate() {
            if b == w {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

/// Speech stretches of at least [`HOLE_SECS`] within `[0, covered)` that no
/// word overlaps (with a little slack for timestamp error).
pub fn holes(speech: &[Span], words: &[Word], covered: f64) -> Vec<Span> {
    gaps(speech, words, covered, HOLE_SECS, 0.3)
}

/// Speech closer together than this is one stretch when looking for holes.
const BRIDGE_SECS: f64 = 0.5;

/// Stretches of speech of at least `min_secs` within `[0, covered)` that no
/// word (widened by `slack` each side) overlaps; speech spans closer than
/// half a second count as one stretch.
pub fn gaps(speech: &[Span], words: &[Word], covered: f64, min_secs: f64, slack: f64) -> Vec<Span> {
    let mut merged: Vec<Span> = Vec::new();
    for s in speech {
        match merged.last_mut() {
            Some(last) if s.start - last.end < BRIDGE_SECS => last.end = last.end.max(s.end),
            _ => merged.push(*s),
        }
    }
    let mut out = Vec::new();
    for s in &merged {
        let (start, end) = (s.start, s.end.min(covered));
        if end - start < min_secs {
            continue;
        }
        // Uncovered stretches inside this span.
        let mut cursor = start;
        let mut inside: Vec<(f64, f64)> = words
            .iter()
            .map(|w| (w.start - slack, w.end + slack))
            .filter(|(a, b)| *b > start && *a < end)
            .collect();
        inside.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (a, b) in inside {
            if a - cursor >= min_secs {
                out.push(Span {
                    start: cursor,
                    end: a,
                });
            }
            cursor = cursor.max(b);
        }
        if end - cursor >= min_secs {
            out.push(Span { start: cursor, end });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, start: f64, step: f64) -> Vec<Word> {
        text.split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                word: w.into(),
                start: start + i as f64 * step,
                end: start + (i + 1) as f64 * step,
                probability: 0.9,
            })
            .collect()
    }

    fn norm(text: &str) -> Vec<String> {
        text.split_whitespace().map(normalise).collect()
    }

    fn worst_repetition_of(words: &[String]) -> Option<(String, usize)> {
        worst_repetition(words, |_| false).map(|r| (r.phrase, r.times))
    }

    fn span(start: f64, end: f64) -> Span {
        Span { start, end }
    }

    fn judged(words: &[Word], speech: &[Span]) -> Vec<Derail> {
        assess(
            &RunOutput {
                words,
                avg_logprob: None,
                covered_secs: 16.0,
            },
            Some(speech),
            &[],
        )
    }

    #[test]
    fn hesitations_heard_as_separate_sounds_are_not_a_loop() {
        // "montreal uh uh uh uh uh uh forced aligner" as the bench's real
        // answer says it: nine "uh"s written over 11-15 s, where the
        // detector heard five stretches (times as whisper gave them).
        let mut said = words("montreal", 10.0, 0.5);
        for (a, b) in [
            (11.02, 11.55),
            (12.26, 14.16),
            (14.16, 14.72),
            (14.72, 15.0),
            (15.0, 15.0),
            (15.0, 15.02),
            (15.02, 15.02),
            (15.02, 15.02),
            (15.02, 15.02),
        ] {
            said.push(Word {
                word: "uh,".into(),
                start: a,
                end: b,
                probability: 0.9,
            });
        }
        said.extend(words("forced aligner", 15.1, 0.25));
        let stretches = [
            span(9.9, 10.5),
            span(10.52, 11.19),
            span(11.42, 11.64),
            span(12.12, 12.38),
            span(12.73, 13.08),
            span(13.85, 15.61),
        ];
        assert!(judged(&said, &stretches).is_empty());
        assert_eq!(find_loop_in(&said, &stretches), None);
        // The same words over one stretch of speech are a loop ...
        let one = [span(9.9, 15.61)];
        let expected = Some(("uh".to_string(), 9));
        assert_eq!(find_loop_in(&said, &one), expected);
        assert!(matches!(
            judged(&said, &one).as_slice(),
            [Derail::Repetition { times: 9, .. }]
        ));
        // ... and so are sixteen "uh"s, most at the end of the run, over
        // the two stretches heard there.
        let mut looped = words("montreal", 26.0, 0.5);
        looped.extend(words(&"uh, ".repeat(16), 27.08, 0.15));
        let heard = [span(25.45, 27.31), span(28.21, 29.2)];
        assert_eq!(find_loop_in(&looped, &heard), Some(("uh".to_string(), 16)));
        // "uh" written nine times over five stretches of speech with only
        // phrase pauses between them (speech 90 % of the time) is a loop
        // over words ...
        let phrases: Vec<Span> = (0..5)
            .map(|i| span(11.0 + i as f64 * 0.8, 11.72 + i as f64 * 0.8))
            .collect();
        let mut over_words = words("montreal", 10.0, 0.5);
        over_words.extend(words(&"uh, ".repeat(9), 11.0, 0.44));
        assert_eq!(
            find_loop_in(&over_words, &phrases),
            Some(("uh".to_string(), 9))
        );
        // ... and nine in under 2.25 s cannot have been said one by one.
        let mut fast = words("montreal", 10.0, 0.5);
        fast.extend(words(&"uh, ".repeat(9), 11.0, 0.2));
        assert_eq!(find_loop_in(&fast, &stretches), Some(("uh".to_string(), 9)));
        // Words repeated are never excused, however they were heard.
        let phrase = words(&"forced aligner ".repeat(5), 10.0, 0.5);
        let apart: Vec<Span> = (0..10)
            .map(|i| span(10.0 + i as f64 * 0.5, 10.3 + i as f64 * 0.5))
            .collect();
        assert_eq!(
            find_loop_in(&phrase, &apart),
            Some(("forced aligner".to_string(), 5))
        );
    }

    #[test]
    fn a_looping_phrase_is_caught_but_real_repeats_are_not() {
        let looped =
            "so I said I'm going to say, I'm going to say, I'm going to say, I'm going to say, and";
        let (phrase, times) = worst_repetition_of(&norm(looped)).unwrap();
        assert_eq!((phrase.as_str(), times), ("i'm going to say", 4));
        assert!(
            worst_repetition_of(&norm("this is the, uh, this is the, uh, this is the, uh,"))
                .is_some()
        );
        // People say "very very" and "um, um, um".
        assert!(
            worst_repetition_of(&norm("it was very very hard, um, um, um, I mean I I think"))
                .is_none()
        );
        assert!(worst_repetition_of(&norm("no no no no no")).is_none());
        assert!(worst_repetition_of(&norm(&"no ".repeat(9))).is_some());
        assert!(worst_repetition_of(&norm(&"uh, ".repeat(12))).is_some());
        // The loop that holds the most words is the one named, whatever
        // the length of its phrase.
        let (phrase, times) = worst_repetition_of(&norm(
            "a b c a b c a b c a b c a b c d e f g d e f g d e f g",
        ))
        .unwrap();
        assert_eq!((phrase.as_str(), times), ("a b c", 5));
    }

    #[test]
    fn a_longer_loop_weighs_more_than_a_shorter_one() {
        // A real "uh, uh, uh ..." that whisper wrote nine times (the bench's
        // real answer) against a phrase it looped four times at a higher
        // temperature: the attempt with the shorter loop is the better one.
        let hesitations = Derail::Repetition {
            phrase: "uh".into(),
            times: 9,
        };
        let phrase = Derail::Repetition {
            phrase: "montreal forced aligner".into(),
            times: 4,
        };
        assert!(badness(&[hesitations]) < badness(&[phrase]));
    }

    #[test]
    fn hesitations_are_the_fillers_the_score_counts() {
        // The references of the real speech write "hm"; whisper writes
        // "Hmm." or "Mm-hmm" too. Words are not hesitations.
        for w in [
            "um", "umm", "uh", "uhm", "er", "ah", "hm", "hmm", "mhm", "mm", "hum",
        ] {
            assert!(is_hesitation(&normalise(w)), "{w}");
        }
        for w in ["the", "a", "hem", "umbrella", "i'm", ""] {
            assert!(!is_hesitation(&normalise(w)), "{w}");
        }
    }

    #[test]
    fn copying_the_text_before_is_caught() {
        let before = norm("When I joined the team our release process took almost a full day and every release needed one engineer");
        let copied = norm(
            "When I joined the team our release process took almost a full day and every release",
        );
        assert!(copied_run(&before, &copied) >= COPY_MIN_WORDS);
        assert!(
            copied_run(
                &before,
                &norm("and every release needed one engineer to follow")
            ) < COPY_MIN_WORDS
        );
    }

    #[test]
    fn words_against_speech_heard() {
        let speech = [Span {
            start: 0.5,
            end: 29.5,
        }];
        // "One." for 29 s of speech: dropped.
        let one = words("One.", 0.5, 0.5);
        let problems = assess(
            &RunOutput {
                words: &one,
                avg_logprob: Some(-0.3),
                covered_secs: 30.0,
            },
            Some(&speech),
            &[],
        );
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, Derail::TooFewWords { .. })),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| matches!(p, Derail::Hole { .. })),
            "{problems:?}"
        );
        // 60 words spread over the speech: fine.
        let fine = words(&"word ".repeat(60), 0.5, 0.48);
        let ok = assess(
            &RunOutput {
                words: &fine,
                avg_logprob: Some(-0.3),
                covered_secs: 30.0,
            },
            Some(&speech),
            &[],
        );
        assert!(
            ok.iter()
                .all(|p| !matches!(p, Derail::TooFewWords { .. } | Derail::Hole { .. })),
            "{ok:?}"
        );
    }

    #[test]
    fn a_short_fast_phrase_is_not_too_many_words_but_its_loop_is() {
        // The end of a real answer: 1.06 s of speech heard in 1.7 s.
        let speech = [Span {
            start: 0.3,
            end: 1.356,
        }];
        let judge = |text: &str| {
            let w = words(text, 0.3, 0.2);
            assess(
                &RunOutput {
                    words: &w,
                    avg_logprob: Some(-0.4),
                    covered_secs: 1.7,
                },
                Some(&speech),
                &[],
            )
        };
        let said = judge("and that should be all, thanks!");
        assert!(
            !said
                .iter()
                .any(|p| matches!(p, Derail::TooManyWords { .. })),
            "{said:?}"
        );
        let looped = judge("and I should be all, thanks. Thanks. ( thanks ) and I should be all, thanks. ( thanks )");
        assert!(
            looped
                .iter()
                .any(|p| matches!(p, Derail::TooManyWords { .. })),
            "{looped:?}"
        );
    }

    #[test]
    fn holes_are_speech_no_word_touches() {
        let speech = [
            Span {
                start: 1.0,
                end: 4.0,
            },
            Span {
                start: 6.0,
                end: 12.0,
            },
        ];
        let w = words("a b c d", 1.0, 0.5); // 1.0 .. 3.0
        let mut late = words("e f", 10.5, 0.5); // 10.5 .. 11.5
        let mut all = w.clone();
        all.append(&mut late);
        let found = holes(&speech, &all, 20.0);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!((found[0].start - 6.0).abs() < 1e-9 && (found[0].end - 10.2).abs() < 1e-9);
    }
}
