//! Transcribing a whole recording: only the speech goes to whisper.
//!
//! The speech the voice activity detector heard (padded a little) is cut out
//! and joined, with a short silence where a longer pause was, so whisper
//! never sees long silences or room noise (where it invents words or
//! stretches the word before over the pause), and an hour of silence costs
//! no whisper run at all. The joined audio is walked in whisper's 30 s
//! windows (each run judged and decoded again if derailed, see
//! [`super::guard`]); word times are moved back to the recording's time and
//! kept inside the speech heard.

use crate::audio::resample::WHISPER_RATE;
use crate::audio::silero::Span;
use crate::audio::speech_edges::{holds_sound, FrameFeatures};

use super::guard::normalise;
use super::look_memo::LookMemo;
use super::streaming::{append_shifted, clamp_times};
use super::{
    advance_frames, join_segment_texts, DecodeOptions, DecodeReport, RunRequest, TranscribeError,
    Transcriber, Transcript, WINDOW_SAMPLES,
};

const RATE: f64 = WHISPER_RATE as f64;
/// Audio kept before and after each stretch of speech, seconds.
pub(crate) const SPEECH_PAD_SECS: f64 = 0.25;
/// Silence put where a longer pause was, seconds.
const JOIN_GAP_SECS: f64 = 0.4;
/// Audio past a window given to whisper with it (as in streaming).
const LOOKAHEAD_SAMPLES: usize = 2 * WHISPER_RATE as usize;
/// Most prompt tokens whisper uses.
const MAX_PROMPT_TOKENS: usize = 223;
/// A last piece shorter than this is decoded without the text before it.
const SHORT_REST_SAMPLES: usize = 5 * WHISPER_RATE as usize;
/// Words before a run it is checked against for copying.
const BEFORE_WORDS: usize = 80;

/// One piece of the original audio inside the joined audio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Region {
    /// Where it starts in the original audio, samples.
    pub original: usize,
    /// Where it starts in the joined audio, samples.
    pub joined: usize,
    pub len: usize,
}

/// Speech cut out of a recording and joined.
#[derive(Debug, Default)]
pub(crate) struct Joined {
    pub pcm: Vec<f32>,
    pub regions: Vec<Region>,
}

/// The stretches of a recording `total` samples long to keep, in samples:
/// the speech padded, overlapping or nearly touching ones merged.
pub(crate) fn regions_to_keep(speech: &[Span], total: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for s in speech {
        let a = (((s.start - SPEECH_PAD_SECS) * RATE).max(0.0) as usize).min(total);
        let b = (((s.end + SPEECH_PAD_SECS) * RATE).ceil() as usize).min(total);
        if b <= a {
            continue;
        }
        match out.last_mut() {
            Some(last) if a <= last.1 + (JOIN_GAP_SECS * RATE) as usize => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

impl Joined {
    /// Appends original samples that start at `original`, after a short
    /// silence when they do not follow on from the previous piece.
    pub(crate) fn push(&mut self, original: usize, samples: &[f32]) {
        let silence = place(&mut self.regions, self.pcm.len(), original, samples.len());
        self.pcm.resize(self.pcm.len() + silence, 0.0);
        self.pcm.extend_from_slice(samples);
    }

    /// Cuts `keep` out of `pcm` and joins it.
    pub(crate) fn from_pcm(pcm: &[f32], keep: &[(usize, usize)]) -> Self {
        let mut joined = Self::default();
        for &(a, b) in keep {
            joined.push(a, &pcm[a..b]);
        }
        joined
    }

    /// A time in the joined audio as a time in the original (see
    /// [`to_original`]).
    #[cfg(test)]
    pub(crate) fn to_original(&self, secs: f64) -> f64 {
        to_original(&self.regions, secs)
    }

    /// Speech spans moved into joined time.
    fn speech_in_joined(&self, speech: &[Span]) -> Vec<Span> {
        speech_in_joined(&self.regions, speech)
    }
}

/// Records `len` original samples from `original` appended to audio joined
/// from `regions` (`joined_len` samples so far): they extend the last piece
/// when they follow on from it, else start a new one after a short silence.
/// Returns how many samples of silence go before them.
pub(crate) fn place(
    regions: &mut Vec<Region>,
    joined_len: usize,
    original: usize,
    len: usize,
) -> usize {
    if let Some(last) = regions.last_mut() {
        if last.original + last.len == original {
            last.len += len;
            return 0;
        }
    }
    let silence = if regions.is_empty() {
        0
    } else {
        (JOIN_GAP_SECS * RATE) as usize
    };
    regions.push(Region {
        original,
        joined: joined_len + silence,
        len,
    });
    silence
}

/// Moves every time of a transcript and its report (words, segments,
/// windows decoded again, second looks) from the time of audio joined from
/// `regions` back to the original's.
pub(crate) fn times_to_original(
    regions: &[Region],
    transcript: &mut Transcript,
    report: &mut DecodeReport,
) {
    let map = |t: f64| to_original(regions, t);
    for w in &mut transcript.words {
        w.start = map(w.start);
        w.end = map(w.end).max(w.start);
    }
    for s in &mut transcript.segments {
        s.start = map(s.start);
        s.end = map(s.end).max(s.start);
    }
    for s in &mut report.second_looks {
        s.start = map(s.start);
        s.end = map(s.end).max(s.start);
    }
    for r in &mut report.redecoded {
        r.start = map(r.start);
        r.end = map(r.end).max(r.start);
        for p in r.problems.iter_mut().chain(r.remaining.iter_mut()) {
            if let super::guard::Derail::Hole { start, end } = p {
                *start = map(*start);
                *end = map(*end);
            }
        }
    }
}

/// A time in audio joined from `regions` as a time in the original (a time
/// in an inserted silence goes to the end of the piece before it).
pub(crate) fn to_original(regions: &[Region], secs: f64) -> f64 {
    let sample = secs * RATE;
    let i = regions
        .partition_point(|r| (r.joined as f64) <= sample)
        .saturating_sub(1);
    match regions.get(i) {
        None => secs,
        Some(r) => {
            let into = (sample - r.joined as f64).clamp(0.0, r.len as f64);
            (r.original as f64 + into) / RATE
        }
    }
}

/// Speech spans (original time) moved into the time of audio joined from
/// `regions`; speech outside every region is left out.
pub(crate) fn speech_in_joined(regions: &[Region], speech: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for s in speech {
        for r in regions {
            let (ra, rb) = (r.original as f64 / RATE, (r.original + r.len) as f64 / RATE);
            let (a, b) = (s.start.max(ra), s.end.min(rb));
            if b > a {
                let shift = (r.joined as f64 - r.original as f64) / RATE;
                out.push(Span {
                    start: a + shift,
                    end: b + shift,
                });
            }
        }
    }
    out
}

/// The speech as timing measures it: the detector's segments with their
/// soft onsets refined, and the hums heard between them
/// ([`FrameFeatures::refine_apart`]).
#[derive(Clone, Copy)]
pub(crate) struct TimedSpeech<'a> {
    pub segments: &'a [Span],
    pub hums: &'a [Span],
}

/// Transcribes a recording of `total_samples`, given its speech cut out and
/// joined (`joined`) and the speech heard (`speech`, None without a
/// detector: then `joined` is the whole recording). `timed` is the same
/// speech as timing measures it (soft onsets included,
/// [`FrameFeatures::refine`](crate::audio::speech_edges::FrameFeatures::refine)):
/// the report's speech and the final word times follow it, while whisper
/// hears what `speech` keeps; the hums in it are written as "hmm" when
/// the options ask for fillers ([`super::hums`]). `progress` hears (seconds done, seconds in
/// all) of the joined audio.
pub(crate) fn transcribe_joined(
    transcriber: &Transcriber,
    joined: &Joined,
    total_samples: usize,
    speech: Option<&[Span]>,
    timed: Option<TimedSpeech<'_>>,
    options: &DecodeOptions,
    progress: Option<&mut dyn FnMut(f64, f64)>,
) -> Result<(Transcript, DecodeReport), TranscribeError> {
    let duration = total_samples as f64 / RATE;
    let mut report = transcriber.new_report();
    if let Some(speech) = timed.map(|t| t.segments).or(speech) {
        report.speech = speech.to_vec();
    }
    let runs_before = transcriber.runs();
    let joined_speech = speech.map(|s| joined.speech_in_joined(s));
    let mut transcript = walk(
        transcriber,
        &joined.pcm,
        joined_speech.as_deref(),
        options,
        &mut report,
        progress,
    )?;
    if let Some(speech) = &joined_speech {
        // Word times first kept inside the speech (whisper stretches words
        // over pauses, which would hide the speech it left out).
        super::clamp_to_speech(&mut transcript.words, speech);
        second_look(
            transcriber,
            &joined.pcm,
            speech,
            &mut transcript,
            options,
            &mut report,
            None,
        )?;
    }
    // Back to the recording's time.
    times_to_original(&joined.regions, &mut transcript, &mut report);
    transcript.duration = duration;
    if let Some(speech) = timed.map(|t| t.segments).or(speech) {
        super::clamp_to_speech(&mut transcript.words, speech);
        super::meet_speech_edges(&mut transcript.words, speech);
    }
    let hums = timed.map(|t| t.hums).unwrap_or_default();
    super::hums::write_hums_if_asked(&mut transcript, &mut report, hums, options);
    clamp_times(&mut transcript);
    report.whisper_runs = transcriber.runs() - runs_before;
    Ok((transcript, report))
}

/// Transcribes 16 kHz samples held in memory.
pub(crate) fn transcribe(
    transcriber: &Transcriber,
    pcm: &[f32],
    speech: Option<Vec<Span>>,
    options: &DecodeOptions,
    progress: Option<&mut dyn FnMut(f64, f64)>,
) -> Result<(Transcript, DecodeReport), TranscribeError> {
    let joined = match &speech {
        Some(s) => Joined::from_pcm(pcm, &regions_to_keep(s, pcm.len())),
        None => Joined::from_pcm(pcm, &[(0, pcm.len())]),
    };
    let (timed, hums) = match speech.as_deref() {
        Some(s) => {
            let mut features = FrameFeatures::new();
            features.push(pcm);
            features.finish();
            let (timed, hums) = features.refine_apart(s);
            (Some(timed), hums)
        }
        None => (None, Vec::new()),
    };
    transcribe_joined(
        transcriber,
        &joined,
        pcm.len(),
        speech.as_deref(),
        timed.as_deref().map(|segments| TimedSpeech {
            segments,
            hums: &hums,
        }),
        options,
        progress,
    )
}

/// Audio kept around a stretch decoded on its own, seconds.
const LOOK_PAD_SECS: f64 = 0.3;
/// Speech this long (seconds) with no word in it (beyond the 0.3 s each
/// word's times may be off) is decoded again on its own. Shorter than a
/// hole ([`guard::HOLE_SECS`](super::guard::HOLE_SECS)): whisper, given "montreal uh forced
/// aligner" twice, wrote the words once and timed them over the second,
/// leaving 2.3 s of the first with no word and 1.97 s once the slack is
/// taken off.
const LOOK_AGAIN_SECS: f64 = 1.5;
/// Speech at least this long with no word in it may be a filled pause
/// ("uhhh"), which whisper tends to leave out.
const FILLER_GAP_SECS: f64 = 0.3;
/// A look for filled pauses ends once whisper has written this many words
/// with no hesitation among them: it is hearing speech the words around
/// the gap were mistimed over, and all it would write is thrown away.
const FILLER_LOOK_WORDS: usize = 3;
/// A voiced gap shorter than this beside a hesitation already written is
/// taken as part of it.
const HESITATION_REACH_SECS: f64 = 1.0;
/// whisper's encoder window for a stretch looked at again: its audio plus
/// this much (seconds) for a hole, which is decoded as words ...
const HOLE_LOOK_MARGIN_SECS: f64 = 2.0;
/// ... and this much for a fillers-only look, which only has to hear a
/// filled pause: a look then costs 0.23 s instead of 0.29 s (base-q8_0, 2
/// cores), what the speaker waits for when the last seconds of an answer
/// have one. On the 21 real clips of scripts/eval-speech.sh WER, filler
/// recall and precision stay the same with 2, 1 and 0.5 s; with no margin
/// recall fell from 0.83 to 0.77 and a stretch was dropped.
const FILLER_LOOK_MARGIN_SECS: f64 = 1.0;

/// A second look at speech the text left out (in joined time): stretches
/// of [`guard::HOLE_SECS`](super::guard::HOLE_SECS) or more are decoded on
/// their own and their words put in; when the caller asked for a
/// disfluent-style transcript (an initial prompt), shorter voiced gaps are
/// decoded with that prompt and any hesitation ("um", "uh") found is put in.
/// A `memo` answers fillers-only looks taken before at the same gap (a
/// streamed answer's passes go over the same audio again).
pub(crate) fn second_look(
    transcriber: &Transcriber,
    pcm: &[f32],
    speech: &[Span],
    transcript: &mut Transcript,
    options: &DecodeOptions,
    report: &mut DecodeReport,
    mut memo: Option<&mut LookMemo>,
) -> Result<(), TranscribeError> {
    use super::guard::{self, is_hesitation, Derail};
    if super::debug_walk() {
        let words: Vec<String> = transcript
            .words
            .iter()
            .map(|w| format!("{}[{:.2}-{:.2}]", w.word, w.start, w.end))
            .collect();
        eprintln!("before second looks: {}", words.join(" "));
    }
    let duration = pcm.len() as f64 / RATE;
    let holes = guard::gaps(speech, &transcript.words, duration, LOOK_AGAIN_SECS, 0.3);
    let fillers_asked = options.asks_for_fillers();
    let filler_gaps = if fillers_asked {
        guard::gaps(speech, &transcript.words, duration, FILLER_GAP_SECS, 0.05)
            .into_iter()
            // Stretches a hole look covers are looked at there.
            .filter(|g| !holes.iter().any(|h| h.end > g.start && h.start < g.end))
            .collect()
    } else {
        Vec::new()
    };
    // A short gap next to a hesitation already written is that hesitation
    // (its timestamps are loose); a longer one may hold another.
    let near_hesitation = |g: &Span| {
        g.secs() < HESITATION_REACH_SECS
            && transcript.words.iter().any(|w| {
                is_hesitation(&guard::normalise(&w.word))
                    && w.end > g.start - 0.5
                    && w.start < g.end + 0.5
            })
    };
    // A gap with no sound in it louder than the room (a silent pause)
    // cannot hold a filled pause: no look there. Most pauses are such; a
    // look costs 0.12-0.2 s (base-q8_0, 2 cores).
    let sounded = |g: &Span| {
        let a = ((g.start.max(0.0) * RATE) as usize).min(pcm.len());
        let b = ((g.end * RATE) as usize).clamp(a, pcm.len());
        let sound = holds_sound(pcm, a, b);
        if !sound && super::debug_walk() {
            eprintln!(
                "nothing heard in {:.2}-{:.2}: no look for a filled pause",
                g.start, g.end
            );
        }
        sound
    };
    let filler_gaps: Vec<Span> = filler_gaps
        .into_iter()
        .filter(|g| !near_hesitation(g) && sounded(g))
        .collect();
    let mut added: Vec<super::Word> = Vec::new();
    let mut added_segments = Vec::new();
    let mut looks: Vec<(Span, bool)> = holes
        .iter()
        .map(|g| (*g, false))
        .chain(filler_gaps.iter().map(|g| (*g, true)))
        .collect();
    // A stretch shorter than a hole that gave no usable words (a string of
    // "uh"s comes back as a loop) is looked at once more for fillers only.
    let retry = |looks: &mut Vec<(Span, bool)>, gap: Span, fillers_only: bool| {
        if !fillers_only && fillers_asked && gap.secs() < guard::HOLE_SECS {
            looks.push((gap, true));
        }
    };
    let mut next = 0;
    while next < looks.len() {
        let (gap, fillers_only) = looks[next];
        next += 1;
        let recalled = match memo.as_deref_mut() {
            Some(memo) if fillers_only => memo.recall(gap.start, gap.end),
            _ => None,
        };
        if let Some(mut words) = recalled {
            // Found at a gap a few hundredths of a second away: it sits in
            // this one.
            for w in &mut words {
                w.start = w.start.clamp(gap.start, gap.end);
                w.end = w.end.clamp(w.start, gap.end);
            }
            if !words.is_empty() {
                put_in(transcript, &mut added, &mut added_segments, words);
                report.second_looks.push(gap);
            }
            continue;
        }
        let a = (((gap.start - LOOK_PAD_SECS).max(0.0)) * RATE) as usize;
        let b = ((((gap.end + LOOK_PAD_SECS) * RATE) as usize).min(pcm.len())).max(a);
        // whisper decodes nothing under a second: pad short stretches with silence.
        let mut piece = pcm[a..b].to_vec();
        let real_secs = piece.len() as f64 / RATE;
        piece.resize(piece.len().max(WHISPER_RATE as usize + 1600), 0.0);
        let secs = piece.len() as f64 / RATE;
        let offset = a as f64 / RATE;
        let look_margin = if fillers_only {
            FILLER_LOOK_MARGIN_SECS
        } else {
            HOLE_LOOK_MARGIN_SECS
        };
        let local_speech: Vec<Span> = speech
            .iter()
            .filter(|s| s.end > offset && s.start < offset + real_secs)
            .map(|s| Span {
                start: (s.start - offset).max(0.0),
                end: (s.end - offset).min(real_secs),
            })
            .collect();
        let decoded = transcriber.run(&RunRequest {
            pcm: &piece,
            duration: secs,
            threads: options.threads,
            // Stretches shorter than a hole are often hesitations ("uh uh
            // uh"), which whisper writes only after a disfluent prompt;
            // longer ones are decoded plainly (a prompt can derail them).
            initial_prompt: if fillers_only || gap.secs() < guard::HOLE_SECS {
                options.initial_prompt.as_deref()
            } else {
                None
            },
            prompt_tokens: &[],
            audio_ctx: Some(((secs + look_margin) * 50.0).ceil() as usize),
            first_window_only: false,
            cancel: options.cancel.clone(),
            speech: Some(&local_speech),
            before: &[],
            guard: !fillers_only,
            max_retries: None,
            // A filled pause is a token or two: a long text here is a loop.
            max_tokens: fillers_only.then_some(8),
            // Past the neighbours' last words (the look pads the gap by
            // 0.3 s on each side), words with no hesitation among them
            // mean the gap held speech, not a filled pause.
            hesitations_within: fillers_only.then_some(FILLER_LOOK_WORDS),
        })?;
        if super::debug_walk() {
            eprintln!(
                "second look {:.2}-{:.2} (fillers only: {fillers_only}): {:?} {:?}",
                gap.start,
                gap.end,
                decoded.transcript.text,
                decoded
                    .redecoded
                    .as_ref()
                    .map(|r| (&r.problems, &r.kept, &r.remaining))
            );
        }
        if decoded
            .redecoded
            .as_ref()
            .is_some_and(|r| r.remaining.iter().any(Derail::is_severe))
        {
            retry(&mut looks, gap, fillers_only);
            continue;
        }
        let mut words: Vec<super::Word> = decoded
            .transcript
            .words
            .into_iter()
            .filter(|w| w.start < real_secs)
            .collect();
        if fillers_only {
            words.retain(|w| is_hesitation(&guard::normalise(&w.word)));
            // One filled pause per half second of gap at most: more is a
            // loop, whisper repeating a hesitation it heard. How many there
            // were is unknown then; that there was one is not, so one is
            // kept. Dropping them all lost the "um" of "corpus. um the
            // recording" (a 0.6 s gap heard as "Um, um, um...") and one of
            // six "uh"s in a row: on the 21 real clips filler recall went
            // 0.83 -> 0.87 on an AMD EPYC, precision 0.94 -> 0.95.
            let most = ((gap.secs() / 0.5).ceil() as usize).max(1);
            if words.len() > most {
                words.truncate(1);
            }
            // A filled pause found this way sits in the gap.
            for w in &mut words {
                w.start = w.start.max(gap.start - offset);
                w.end = w.end.min(gap.end - offset).max(w.start);
            }
        }
        for w in &mut words {
            w.start += offset;
            w.end += offset;
        }
        if let Some(memo) = memo.as_deref_mut().filter(|_| fillers_only) {
            memo.remember(gap.start, gap.end, &words);
        }
        if words.is_empty() {
            retry(&mut looks, gap, fillers_only);
            continue;
        }
        put_in(transcript, &mut added, &mut added_segments, words);
        report.second_looks.push(gap);
    }
    if !added.is_empty() {
        transcript.words.extend(added);
        transcript.words.sort_by(|x, y| x.start.total_cmp(&y.start));
        // Keep words from overlapping after the insertion.
        for i in 1..transcript.words.len() {
            let prev_end = transcript.words[i - 1].end;
            let w = &mut transcript.words[i];
            if w.start < prev_end {
                w.start = prev_end;
                w.end = w.end.max(w.start);
            }
        }
        transcript.segments.extend(added_segments);
        transcript
            .segments
            .sort_by(|x, y| x.start.total_cmp(&y.start));
        transcript.text = join_segment_texts(&transcript.segments);
    }
    Ok(())
}

/// Queues words a second look found (in the piece's time) to be put into
/// `transcript`, as a segment of their own; a whisper segment that spans
/// them is split there, so they read in their place.
fn put_in(
    transcript: &mut Transcript,
    added: &mut Vec<super::Word>,
    added_segments: &mut Vec<super::Segment>,
    words: Vec<super::Word>,
) {
    let text = words
        .iter()
        .map(|w| w.word.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    super::hums::split_segment_at(transcript, words[0].start);
    added_segments.push(super::Segment {
        start: words[0].start,
        end: words[words.len() - 1].end,
        text,
    });
    added.extend(words);
}

/// Walks `pcm` in whisper's windows, each run guarded.
fn walk(
    transcriber: &Transcriber,
    pcm: &[f32],
    speech: Option<&[Span]>,
    options: &DecodeOptions,
    report: &mut DecodeReport,
    mut progress: Option<&mut dyn FnMut(f64, f64)>,
) -> Result<Transcript, TranscribeError> {
    let total = pcm.len();
    let mut transcript = Transcript {
        text: String::new(),
        duration: total as f64 / RATE,
        segments: Vec::new(),
        words: Vec::new(),
    };
    let mut context: Vec<i32> = options
        .initial_prompt
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| transcriber.tokenize(p))
        .transpose()?
        .unwrap_or_default();
    let mut seek = 0usize;
    let min_rest = WHISPER_RATE as usize;
    while seek < total && (seek == 0 || total - seek >= min_rest) {
        let is_last = seek + WINDOW_SAMPLES >= total;
        let end = (seek + WINDOW_SAMPLES + LOOKAHEAD_SAMPLES).min(total);
        let window = &pcm[seek..end];
        let offset = seek as f64 / RATE;
        let window_speech: Option<Vec<Span>> = speech.map(|spans| {
            spans
                .iter()
                .filter(|s| s.end > offset && s.start < end as f64 / RATE)
                .map(|s| Span {
                    start: (s.start - offset).max(0.0),
                    end: s.end.min(end as f64 / RATE) - offset,
                })
                .collect()
        });
        let before: Vec<String> = transcript
            .words
            .iter()
            .rev()
            .take(BEFORE_WORDS)
            .rev()
            .map(|w| normalise(&w.word))
            .collect();
        let prompt: &[i32] = if is_last && seek > 0 && total - seek < SHORT_REST_SAMPLES {
            &[]
        } else {
            &context
        };
        let decoded = transcriber.run(&RunRequest {
            pcm: window,
            duration: window.len() as f64 / RATE,
            threads: options.threads,
            initial_prompt: None,
            prompt_tokens: prompt,
            audio_ctx: None,
            first_window_only: !is_last,
            cancel: options.cancel.clone(),
            speech: window_speech.as_deref(),
            before: &before,
            guard: true,
            max_retries: None,
            max_tokens: None,
            hesitations_within: None,
        })?;
        let advance = if is_last {
            total - seek
        } else {
            advance_frames(&decoded.sequence, transcriber.first_timestamp_token())
                * (WHISPER_RATE as usize / super::FRAMES_PER_SEC)
        };
        if super::debug_walk() {
            eprintln!(
                "walk: seek {:.2} s, window {:.2} s, last {is_last}, advance {:.2} s, sequence {} tokens, {} words, redecoded {:?}",
                offset,
                window.len() as f64 / RATE,
                advance as f64 / RATE,
                decoded.sequence.len(),
                decoded.transcript.words.len(),
                decoded.redecoded.as_ref().map(|r| (&r.problems, &r.kept))
            );
        }
        if let Some(mut r) = decoded.redecoded.clone() {
            r.start += offset;
            r.end = offset + (advance as f64 / RATE).min(r.end);
            for p in r.problems.iter_mut().chain(r.remaining.iter_mut()) {
                if let super::guard::Derail::Hole { start, end } = p {
                    *start += offset;
                    *end += offset;
                }
            }
            report.redecoded.push(r);
        }
        context.extend_from_slice(&decoded.tokens);
        let excess = context.len().saturating_sub(MAX_PROMPT_TOKENS);
        context.drain(..excess);
        append_shifted(&mut transcript, decoded.transcript, offset);
        seek += advance.max(WHISPER_RATE as usize / super::FRAMES_PER_SEC);
        if let Some(p) = progress.as_mut() {
            p((seek.min(total)) as f64 / RATE, total as f64 / RATE);
        }
    }
    transcript.text = join_segment_texts(&transcript.segments);
    Ok(transcript)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speech_is_cut_out_joined_and_mapped_back() {
        let speech = [
            Span {
                start: 1.0,
                end: 2.0,
            },
            Span {
                start: 2.5,
                end: 3.0,
            },
            Span {
                start: 10.0,
                end: 11.0,
            },
        ];
        let total = 20 * 16_000;
        let keep = regions_to_keep(&speech, total);
        // 1.0-2.0 and 2.5-3.0 padded touch: merged.
        assert_eq!(keep, [(12_000, 52_000), (156_000, 180_000)]);
        let pcm = vec![0.1f32; total];
        let joined = Joined::from_pcm(&pcm, &keep);
        assert_eq!(joined.pcm.len(), 40_000 + 6_400 + 24_000);
        // 0.5 s into the joined audio is 1.25 s in the recording.
        assert!((joined.to_original(0.5) - 1.25).abs() < 1e-9);
        // Just after the inserted silence: the second piece (9.75 s).
        let second = (40_000 + 6_400) as f64 / 16_000.0;
        assert!((joined.to_original(second + 0.25) - 10.0).abs() < 1e-9);
        // Inside the inserted silence: the end of the first piece.
        assert!((joined.to_original(2.6) - 3.25).abs() < 1e-9);
        let moved = joined.speech_in_joined(&speech);
        assert!((moved[0].start - 0.25).abs() < 1e-9);
        assert!((moved[2].start - (second + 0.25)).abs() < 1e-9);
    }
}
