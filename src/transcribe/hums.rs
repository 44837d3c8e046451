//! Filled pauses the speech detector does not hear: sustained hums ("hm",
//! "mm") between two stretches of speech.
//!
//! Silero calls a closed-mouth hum no speech, and whisper, given one alone,
//! writes nothing (or "[BLANK_AUDIO]"), so "montreal forced uh um uh hm hm
//! um forced aligner" came out with the two hums missing and a 2 s "pause"
//! where the speaker was humming. [`FrameFeatures::refine_apart`] finds them
//! from the audio itself (loud and voiced at a speaking pitch, between two
//! segments); here each one no word already covers is written as a "hmm"
//! and counted as speech, so the filler count has it and timing reports no
//! pause there.
//!
//! [`FrameFeatures::refine_apart`]: crate::audio::speech_edges::FrameFeatures::refine_apart

use crate::audio::silero::Span;

use super::{join_segment_texts, DecodeOptions, DecodeReport, Segment, Transcript, Word};

/// How a hum is written in the transcript (a hesitation the filler count
/// reports under "hmm").
pub const HUM_WORD: &str = "hmm";

/// The confidence given to a hum's word: heard in the audio, not decoded.
const HUM_PROBABILITY: f32 = 0.5;

/// Writes a [`HUM_WORD`] for each of `hums` that no word of `transcript`
/// overlaps, and adds those hums to `speech` (kept in order, overlaps
/// merged). Returns the hums written.
pub(crate) fn write_hums(
    transcript: &mut Transcript,
    speech: &mut Vec<Span>,
    hums: &[Span],
) -> Vec<Span> {
    let written: Vec<Span> = hums
        .iter()
        .filter(|h| h.secs() > 0.0)
        .filter(|h| {
            !transcript
                .words
                .iter()
                .any(|w| w.end > h.start && w.start < h.end)
        })
        .copied()
        .collect();
    if written.is_empty() {
        return written;
    }
    for h in &written {
        split_segment_at(transcript, h.start);
        transcript.words.push(Word {
            word: HUM_WORD.to_string(),
            start: h.start,
            end: h.end,
            probability: HUM_PROBABILITY,
        });
        transcript.segments.push(Segment {
            start: h.start,
            end: h.end,
            text: HUM_WORD.to_string(),
        });
        speech.push(*h);
    }
    transcript.words.sort_by(|a, b| a.start.total_cmp(&b.start));
    transcript
        .segments
        .sort_by(|a, b| a.start.total_cmp(&b.start));
    transcript.text = join_segment_texts(&transcript.segments);
    *speech = merged(std::mem::take(speech));
    written
}

/// [`write_hums`] when the caller asked for a disfluent transcript (an
/// initial prompt, as sessions and `analyze` give): the hums written go
/// into `report.hums` and `report.speech`.
pub(crate) fn write_hums_if_asked(
    transcript: &mut Transcript,
    report: &mut DecodeReport,
    hums: &[Span],
    options: &DecodeOptions,
) {
    if options.asks_for_fillers() {
        report.hums = write_hums(transcript, &mut report.speech, hums);
    }
}

/// Splits the segment whose words run on past `at` (whisper's segments
/// can span a hum) into the words before and after it, so text put in at
/// `at` reads in its place.
/// Words of segments put in earlier (inside this one's time) are not its
/// own and stay where they are.
pub(super) fn split_segment_at(transcript: &mut Transcript, at: f64) {
    let Some(i) = transcript
        .segments
        .iter()
        .position(|s| s.start < at && at < s.end)
    else {
        return;
    };
    let seg = &transcript.segments[i];
    let nested: Vec<(f64, f64)> = transcript
        .segments
        .iter()
        .enumerate()
        .filter(|(j, o)| *j != i && o.start >= seg.start && o.end <= seg.end)
        .map(|(_, o)| (o.start, o.end))
        .collect();
    let inside: Vec<&Word> = transcript
        .words
        .iter()
        .filter(|w| w.start >= seg.start && w.start < seg.end)
        .filter(|w| !nested.iter().any(|&(a, b)| w.start >= a && w.end <= b))
        .collect();
    let (before, after): (Vec<&Word>, Vec<&Word>) = inside.iter().partition(|w| w.start < at);
    let (Some(last_before), Some(first_after)) = (before.last(), after.first()) else {
        // All its words come after `at`: the segment starts with them.
        if let (None, Some(first_after)) = (before.last(), after.first()) {
            let start = first_after.start;
            transcript.segments[i].start = start;
        }
        return;
    };
    let text_of = |words: &[&Word]| {
        words
            .iter()
            .map(|w| w.word.trim())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let first = Segment {
        start: seg.start,
        end: last_before.end.min(at),
        text: text_of(&before),
    };
    let second = Segment {
        start: first_after.start,
        end: seg.end,
        text: text_of(&after),
    };
    transcript.segments.splice(i..=i, [first, second]);
}

/// Spans sorted by start, overlapping or touching ones joined.
fn merged(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::transcribe::test_word as word;

    fn span(start: f64, end: f64) -> Span {
        Span { start, end }
    }

    #[test]
    fn a_hum_no_word_covers_is_written_and_counted_as_speech() {
        let mut t = Transcript {
            text: "Montreal forced, uh... um, forced aligner.".into(),
            duration: 8.2,
            segments: vec![
                Segment {
                    start: 1.25,
                    end: 4.22,
                    text: "Montreal forced, uh...".into(),
                },
                Segment {
                    start: 6.25,
                    end: 7.43,
                    text: "um, forced aligner.".into(),
                },
            ],
            words: vec![
                word("Montreal", 1.25, 2.0),
                word("forced,", 2.0, 2.5),
                word("uh...", 2.6, 4.22),
                word("um,", 6.25, 6.9),
                word("forced", 6.95, 7.15),
                word("aligner.", 7.15, 7.43),
            ],
        };
        let mut speech = vec![span(0.9, 4.22), span(6.25, 7.39)];
        // One hum in the gap, one over a word already written.
        let hums = [span(4.4, 5.1), span(6.5, 6.8)];
        let written = write_hums(&mut t, &mut speech, &hums);
        assert_eq!(written, vec![span(4.4, 5.1)]);
        assert_eq!(t.text, "Montreal forced, uh... hmm um, forced aligner.");
        let order: Vec<&str> = t.words.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(
            order,
            ["Montreal", "forced,", "uh...", "hmm", "um,", "forced", "aligner."]
        );
        assert_eq!(
            speech,
            vec![span(0.9, 4.22), span(4.4, 5.1), span(6.25, 7.39)]
        );
    }

    #[test]
    fn a_hum_inside_a_segment_reads_in_its_place() {
        let mut t = Transcript {
            text: "forced, uh... forest aligner.".into(),
            duration: 8.0,
            segments: vec![Segment {
                start: 2.0,
                end: 7.4,
                text: "forced, uh... forest aligner.".into(),
            }],
            words: vec![
                word("forced,", 2.0, 2.5),
                word("uh...", 2.6, 3.9),
                word("forest", 6.5, 6.9),
                word("aligner.", 6.9, 7.4),
            ],
        };
        let mut speech = vec![span(2.0, 3.9), span(6.5, 7.4)];
        write_hums(&mut t, &mut speech, &[span(4.2, 4.9), span(5.2, 5.9)]);
        assert_eq!(t.text, "forced, uh... hmm hmm forest aligner.");
        let starts: Vec<f64> = t.segments.iter().map(|s| s.start).collect();
        assert_eq!(starts, [2.0, 4.2, 5.2, 6.5]);
    }

    #[test]
    fn hums_touching_speech_join_it() {
        let mut t = Transcript {
            text: String::new(),
            duration: 3.0,
            segments: Vec::new(),
            words: Vec::new(),
        };
        let mut speech = vec![span(0.5, 1.0), span(2.0, 2.5)];
        write_hums(&mut t, &mut speech, &[span(1.0, 2.0)]);
        assert_eq!(speech, vec![span(0.5, 2.5)]);
        assert_eq!(t.text, "hmm");
    }
}
