//! Transcribing an answer while it is spoken: samples go to a [`Chunker`] as
//! they are captured; each finished chunk is transcribed on a worker thread
//! (optionally with the text before it as whisper's prompt), its times
//! shifted into answer time. When the answer ends, only the tail is left to
//! transcribe, with an encoder window sized to it, so the full transcript is
//! ready moments later.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use rehearse::transcribe::{StreamingTranscriber, StreamSettings, Transcriber};
//! # fn demo(model: Arc<Transcriber>, captured: &[Vec<f32>]) -> Result<(), Box<dyn std::error::Error>> {
//! let mut stream = StreamingTranscriber::start(model.clone(), StreamSettings::default())?;
//! for samples_16k in captured {
//!     stream.push(samples_16k);
//! }
//! let transcript = stream.finish()?;
//! # Ok(()) }
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::chunker::{Chunk, ChunkSettings, Chunker};
use super::{
    join_segment_texts, DecodeOptions, Decoded, RunRequest, TranscribeError, Transcriber,
    Transcript,
};
use crate::audio::resample::WHISPER_RATE;

/// whisper's encoder positions per second of audio.
const AUDIO_CTX_PER_SEC: f64 = 50.0;
/// Chunks shorter than this are padded with silence (whisper does poorly on
/// very short input).
const MIN_RUN_SECS: f64 = 1.0;
/// Most prompt tokens whisper uses (half its 448-token text context, less one).
const MAX_PROMPT_TOKENS: usize = 223;

/// How to stream.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// Threads, and an initial prompt for the first chunk.
    pub decode: DecodeOptions,
    pub chunking: ChunkSettings,
    /// Give each chunk the text decoded so far as whisper's prompt (the
    /// initial prompt, if any, is always given). Off by default: with
    /// tiny.en it made chunks drift further from the batch transcript (the
    /// model tends to continue or repeat the prompt); see the README.
    pub prompt_with_previous_text: bool,
    /// Size whisper's encoder window to the chunk plus this margin (seconds)
    /// instead of encoding a full 30 s window; None: full window. Applies to
    /// chunks transcribed while the answer goes on.
    pub audio_ctx_margin_secs: Option<f64>,
    /// The same for the tail, transcribed after the answer ended: the one
    /// run the speaker waits for, so by default it gets the short window.
    pub tail_audio_ctx_margin_secs: Option<f64>,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            decode: DecodeOptions::default(),
            chunking: ChunkSettings::default(),
            prompt_with_previous_text: false,
            audio_ctx_margin_secs: None,
            tail_audio_ctx_margin_secs: Some(3.0),
        }
    }
}

/// Why streaming transcription failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("transcribing the chunk at {at:.1} s: {source}")]
    Chunk {
        at: f64,
        #[source]
        source: TranscribeError,
    },
    #[error("cannot start the transcription thread: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("the transcription thread panicked: {0}")]
    WorkerPanicked(String),
}

/// Live counters, readable while the answer is still being spoken.
#[derive(Debug, Default)]
pub struct StreamProgress {
    chunks_sent: AtomicUsize,
    chunks_done: AtomicUsize,
}

impl StreamProgress {
    /// Chunks handed to the worker so far.
    pub fn chunks_sent(&self) -> usize {
        self.chunks_sent.load(Ordering::SeqCst)
    }

    /// Chunks the worker has transcribed.
    pub fn chunks_done(&self) -> usize {
        self.chunks_done.load(Ordering::SeqCst)
    }
}

/// One answer being transcribed as it is spoken (see the module docs). The
/// model is shared: start one of these per answer with the same
/// [`Transcriber`].
pub struct StreamingTranscriber {
    chunker: Chunker,
    jobs: Sender<Job>,
    worker: JoinHandle<Result<Transcript, StreamError>>,
    progress: Arc<StreamProgress>,
}

impl StreamingTranscriber {
    /// Starts the worker thread for one answer.
    pub fn start(
        transcriber: Arc<Transcriber>,
        settings: StreamSettings,
    ) -> Result<Self, StreamError> {
        let (jobs, queue) = mpsc::channel();
        let progress = Arc::new(StreamProgress::default());
        let worker_progress = progress.clone();
        let chunking = settings.chunking;
        let worker = std::thread::Builder::new()
            .name("transcribe".into())
            .spawn(move || work(&transcriber, &settings, queue, &worker_progress))
            .map_err(StreamError::Spawn)?;
        Ok(Self {
            chunker: Chunker::new(chunking),
            jobs,
            worker,
            progress,
        })
    }

    /// Feeds 16 kHz mono samples as they are captured. Cheap: whisper runs
    /// on the worker thread. (A failed worker is reported by [`Self::finish`].)
    pub fn push(&mut self, samples_16k: &[f32]) {
        for chunk in self.chunker.push(samples_16k) {
            self.send(chunk);
        }
    }

    fn send(&self, chunk: Chunk) {
        self.progress.chunks_sent.fetch_add(1, Ordering::SeqCst);
        // A closed queue means the worker stopped on an error: finish() says which.
        let _ = self.jobs.send(Job { chunk, tail: false });
    }

    /// Seconds of audio received so far.
    pub fn received_secs(&self) -> f64 {
        self.chunker.total_samples() as f64 / WHISPER_RATE as f64
    }

    /// Counters of chunks sent and transcribed.
    pub fn progress(&self) -> Arc<StreamProgress> {
        self.progress.clone()
    }

    /// Ends the answer: transcribes the tail, waits for the worker, and
    /// returns the transcript of the whole answer (times in answer time).
    pub fn finish(self) -> Result<Transcript, StreamError> {
        let Self {
            chunker,
            jobs,
            worker,
            progress,
        } = self;
        let duration = chunker.total_samples() as f64 / WHISPER_RATE as f64;
        if let Some(tail) = chunker.finish() {
            progress.chunks_sent.fetch_add(1, Ordering::SeqCst);
            let _ = jobs.send(Job {
                chunk: tail,
                tail: true,
            });
        }
        drop(jobs);
        let mut transcript = worker.join().map_err(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            StreamError::WorkerPanicked(message)
        })??;
        transcript.duration = duration;
        Ok(transcript)
    }
}

/// A chunk for the worker; `tail` marks the rest of the answer after its end.
struct Job {
    chunk: Chunk,
    tail: bool,
}

/// The worker: transcribes chunks in order until the queue closes.
fn work(
    transcriber: &Transcriber,
    settings: &StreamSettings,
    queue: Receiver<Job>,
    progress: &StreamProgress,
) -> Result<Transcript, StreamError> {
    let mut context = Context::new(transcriber, settings.decode.initial_prompt.as_deref());
    let mut transcript = Transcript {
        text: String::new(),
        duration: 0.0,
        segments: Vec::new(),
        words: Vec::new(),
    };
    for Job { chunk, tail } in queue {
        let at = chunk.start_secs();
        let margin = if tail {
            settings.tail_audio_ctx_margin_secs
        } else {
            settings.audio_ctx_margin_secs
        };
        let decoded = transcribe_chunk(transcriber, settings, &chunk, margin, &context)
            .map_err(|source| StreamError::Chunk { at, source })?;
        if settings.prompt_with_previous_text {
            context.extend(&decoded.tokens);
        }
        append_shifted(&mut transcript, decoded.transcript, at);
        progress.chunks_done.fetch_add(1, Ordering::SeqCst);
    }
    transcript.text = join_segment_texts(&transcript.segments);
    Ok(transcript)
}

/// The text before the current chunk, as whisper token ids.
struct Context {
    tokens: Vec<i32>,
}

impl Context {
    fn new(transcriber: &Transcriber, initial_prompt: Option<&str>) -> Self {
        let tokens = initial_prompt
            .filter(|p| !p.trim().is_empty())
            .and_then(|p| transcriber.tokenize(p).ok())
            .unwrap_or_default();
        let mut context = Self { tokens: Vec::new() };
        context.extend(&tokens);
        context
    }

    fn extend(&mut self, tokens: &[i32]) {
        self.tokens.extend_from_slice(tokens);
        let excess = self.tokens.len().saturating_sub(MAX_PROMPT_TOKENS);
        self.tokens.drain(..excess);
    }
}

fn transcribe_chunk(
    transcriber: &Transcriber,
    settings: &StreamSettings,
    chunk: &Chunk,
    audio_ctx_margin_secs: Option<f64>,
    context: &Context,
) -> Result<Decoded, TranscribeError> {
    let duration = chunk.duration_secs();
    let min_samples = (MIN_RUN_SECS * WHISPER_RATE as f64) as usize;
    let padded;
    let pcm: &[f32] = if chunk.samples.len() < min_samples {
        padded = {
            let mut v = chunk.samples.clone();
            v.resize(min_samples, 0.0);
            v
        };
        &padded
    } else {
        &chunk.samples
    };
    let audio_ctx = audio_ctx_margin_secs.map(|margin| {
        let secs = pcm.len() as f64 / WHISPER_RATE as f64 + margin.max(0.0);
        (secs * AUDIO_CTX_PER_SEC).ceil() as usize
    });
    transcriber.run(&RunRequest {
        pcm,
        duration,
        threads: settings.decode.threads,
        initial_prompt: None,
        prompt_tokens: &context.tokens,
        audio_ctx,
        single_window: true,
    })
}

/// Appends a chunk's transcript, its times moved by `offset` seconds.
fn append_shifted(whole: &mut Transcript, part: Transcript, offset: f64) {
    // A chunk's words never start before the end of the previous chunk's.
    let floor = whole.words.last().map_or(0.0, |w| w.end);
    for mut segment in part.segments {
        segment.start += offset;
        segment.end += offset;
        whole.segments.push(segment);
    }
    for mut word in part.words {
        word.start = (word.start + offset).max(floor);
        word.end = (word.end + offset).max(word.start);
        whole.words.push(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::{Segment, Word};

    fn word(text: &str, start: f64, end: f64) -> Word {
        Word {
            word: text.into(),
            start,
            end,
            probability: 0.9,
        }
    }

    #[test]
    fn chunk_times_move_into_answer_time() {
        let mut whole = Transcript {
            text: String::new(),
            duration: 0.0,
            segments: vec![],
            words: vec![],
        };
        let first = Transcript {
            text: "Hello there.".into(),
            duration: 4.0,
            segments: vec![Segment {
                start: 0.0,
                end: 3.9,
                text: "Hello there.".into(),
            }],
            words: vec![word("Hello", 0.5, 1.0), word("there.", 1.0, 3.9)],
        };
        let second = Transcript {
            text: "Bye.".into(),
            duration: 2.0,
            segments: vec![Segment {
                start: 0.0,
                end: 1.0,
                text: "Bye.".into(),
            }],
            words: vec![word("Bye.", 0.0, 1.0)],
        };
        append_shifted(&mut whole, first, 10.0);
        append_shifted(&mut whole, second, 13.8);
        let times: Vec<(f64, f64)> = whole.words.iter().map(|w| (w.start, w.end)).collect();
        // "Bye." would start at 13.8, before "there." ends: it is moved to 13.9.
        assert_eq!(times, [(10.5, 11.0), (11.0, 13.9), (13.9, 14.8)]);
        assert_eq!(whole.segments[1].start, 13.8);
        assert_eq!(join_segment_texts(&whole.segments), "Hello there. Bye.");
    }

    #[test]
    fn context_keeps_the_latest_tokens() {
        let mut context = Context { tokens: vec![] };
        context.extend(&(0..200).collect::<Vec<_>>());
        context.extend(&(200..300).collect::<Vec<_>>());
        assert_eq!(context.tokens.len(), MAX_PROMPT_TOKENS);
        assert_eq!(
            context.tokens.first(),
            Some(&(300 - MAX_PROMPT_TOKENS as i32))
        );
        assert_eq!(context.tokens.last(), Some(&299));
    }
}
