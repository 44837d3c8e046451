//! Where to cut a live answer for incremental transcription: at a pause once
//! the chunk holds enough speech, or at its quietest moment when it grows too
//! long without one. Stretches with no speech are never sent to whisper
//! (it invents words in silence); a little of the quiet before speech is kept.

use crate::audio::resample::WHISPER_RATE;
use crate::audio::vad::{rms_db, EnergyVad, VadSettings, FRAME};

/// When to cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkSettings {
    /// A pause this long (seconds) ends a chunk...
    pub pause_secs: f64,
    /// ...once the chunk is at least this long (seconds).
    pub min_chunk_secs: f64,
    /// A pause this long (seconds) ends a chunk of any length: the speaker
    /// may have finished, so the answer so far gets transcribed at once.
    pub long_pause_secs: f64,
    /// A chunk this long (seconds) is cut even without a pause (whisper's
    /// window is 30 s).
    pub max_chunk_secs: f64,
    /// Quiet kept before the first speech of a chunk (seconds).
    pub lead_in_secs: f64,
}

impl Default for ChunkSettings {
    fn default() -> Self {
        Self {
            pause_secs: 0.5,
            min_chunk_secs: 8.0,
            long_pause_secs: 1.5,
            max_chunk_secs: 25.0,
            lead_in_secs: 0.5,
        }
    }
}

/// A stretch of the answer ready for whisper.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Index of its first sample in the answer (16 kHz).
    pub start_sample: u64,
    pub samples: Vec<f32>,
}

impl Chunk {
    /// Start, seconds from the beginning of the answer.
    pub fn start_secs(&self) -> f64 {
        self.start_sample as f64 / WHISPER_RATE as f64
    }

    /// Length in seconds.
    pub fn duration_secs(&self) -> f64 {
        self.samples.len() as f64 / WHISPER_RATE as f64
    }
}

/// Splits a stream of 16 kHz samples into chunks (see the module docs).
pub struct Chunker {
    settings: ChunkSettings,
    vad: EnergyVad,
    /// Samples not yet part of a whole frame.
    partial: Vec<f32>,
    /// Samples since the last cut (whole frames only).
    buffer: Vec<f32>,
    /// Answer index of `buffer[0]`.
    buffer_start: u64,
    /// Level (dBFS) of each frame in `buffer`.
    levels: Vec<f64>,
    /// Whether `buffer` holds speech.
    has_speech: bool,
    /// Consecutive frames without speech at the end of `buffer`.
    quiet_run: usize,
    total_samples: u64,
}

impl Chunker {
    pub fn new(settings: ChunkSettings) -> Self {
        Self {
            settings,
            vad: EnergyVad::new(VadSettings {
                end_after_silence_secs: None,
                ..VadSettings::default()
            }),
            partial: Vec::with_capacity(FRAME),
            buffer: Vec::new(),
            buffer_start: 0,
            levels: Vec::new(),
            has_speech: false,
            quiet_run: 0,
            total_samples: 0,
        }
    }

    /// Samples received so far.
    pub fn total_samples(&self) -> u64 {
        self.total_samples
    }

    fn frames(secs: f64) -> usize {
        (secs * WHISPER_RATE as f64 / FRAME as f64).round().max(1.0) as usize
    }

    /// Feeds samples; returns the chunks they completed, in order.
    pub fn push(&mut self, samples: &[f32]) -> Vec<Chunk> {
        self.total_samples += samples.len() as u64;
        let mut done = Vec::new();
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (FRAME - self.partial.len()).min(rest.len());
            self.partial.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.partial.len() == FRAME {
                let frame = std::mem::take(&mut self.partial);
                if let Some(chunk) = self.frame(&frame) {
                    done.push(chunk);
                }
                self.partial = frame;
                self.partial.clear();
            }
        }
        done
    }

    /// The rest of the answer, if it holds speech.
    pub fn finish(mut self) -> Option<Chunk> {
        let partial = std::mem::take(&mut self.partial);
        self.buffer.extend_from_slice(&partial);
        if !partial.is_empty() {
            self.levels.push(rms_db(&partial));
        }
        (self.has_speech && !self.buffer.is_empty()).then(|| self.cut(self.levels.len()))
    }

    fn frame(&mut self, frame: &[f32]) -> Option<Chunk> {
        let state = self.vad.push(frame);
        self.buffer.extend_from_slice(frame);
        self.levels.push(state.level_db);
        if state.speaking {
            self.has_speech = true;
            self.quiet_run = 0;
        } else {
            self.quiet_run += 1;
        }
        let frames = self.levels.len();
        if !self.has_speech {
            // Only quiet so far: keep just the lead-in.
            let keep = Self::frames(self.settings.lead_in_secs);
            if frames > keep {
                self.drop_front(frames - keep);
            }
            return None;
        }
        let pause = Self::frames(self.settings.pause_secs);
        if self.quiet_run >= pause
            && (frames >= Self::frames(self.settings.min_chunk_secs)
                || self.quiet_run >= Self::frames(self.settings.long_pause_secs))
        {
            // Cut half a pause after the speech: both sides keep some quiet.
            return Some(self.cut(frames - self.quiet_run + pause / 2));
        }
        if frames >= Self::frames(self.settings.max_chunk_secs) {
            // No pause for too long: cut at the quietest frame of the last
            // fifth (a breath or a gap between words).
            let from = frames - frames / 5;
            let quietest = (from..frames)
                .min_by(|&a, &b| self.levels[a].total_cmp(&self.levels[b]))
                .unwrap_or(frames - 1);
            return Some(self.cut(quietest + 1));
        }
        None
    }

    fn drop_front(&mut self, frames: usize) {
        let samples = (frames * FRAME).min(self.buffer.len());
        self.buffer.drain(..samples);
        self.levels.drain(..frames.min(self.levels.len()));
        self.buffer_start += samples as u64;
    }

    /// Ends the chunk after `frames` frames of the buffer.
    fn cut(&mut self, frames: usize) -> Chunk {
        let samples = (frames * FRAME).min(self.buffer.len());
        let rest = self.buffer.split_off(samples);
        let chunk = Chunk {
            start_sample: self.buffer_start,
            samples: std::mem::replace(&mut self.buffer, rest),
        };
        self.buffer_start += samples as u64;
        self.levels.drain(..frames.min(self.levels.len()));
        // What is left is the quiet after the cut (or the end of a long run
        // of speech, when cut for length).
        self.has_speech = self.quiet_run < self.levels.len();
        self.quiet_run = self.quiet_run.min(self.levels.len());
        chunk
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = WHISPER_RATE as f64;

    /// "Speech": a loud tone; "pause": near silence.
    fn speech(secs: f64) -> Vec<f32> {
        (0..(secs * RATE) as usize)
            .map(|i| (i as f32 * 0.07).sin() * 0.3)
            .collect()
    }

    fn pause(secs: f64) -> Vec<f32> {
        vec![0.0005; (secs * RATE) as usize]
    }

    fn run(audio: &[f32], piece: usize, settings: ChunkSettings) -> Vec<Chunk> {
        let mut chunker = Chunker::new(settings);
        let mut chunks = Vec::new();
        for part in audio.chunks(piece) {
            chunks.extend(chunker.push(part));
        }
        chunks.extend(chunker.finish());
        chunks
    }

    #[test]
    fn cuts_in_long_pauses_once_chunks_are_long_enough() {
        let mut audio = pause(1.0);
        let mut long_pauses = Vec::new();
        for _ in 0..3 {
            audio.extend(speech(1.5));
            audio.extend(pause(0.3)); // too short to cut
            audio.extend(speech(1.5));
            let from = audio.len() as f64 / RATE;
            audio.extend(pause(0.8));
            long_pauses.push(from..audio.len() as f64 / RATE);
        }
        audio.extend(speech(2.0));
        let settings = ChunkSettings {
            min_chunk_secs: 4.0,
            ..ChunkSettings::default()
        };
        let chunks = run(&audio, 1000, settings);
        assert_eq!(chunks.len(), 4, "{:?}", starts(&chunks));
        // The first chunk starts about half a second before the speech.
        let first = chunks[0].start_secs();
        assert!((0.4..=0.6).contains(&first), "first chunk at {first}");
        for (i, pair) in chunks.windows(2).enumerate() {
            // Chunks are long enough and end inside a long pause; the next
            // starts later in the same pause (the quiet between is dropped).
            assert!(pair[0].duration_secs() >= 3.99, "{:?}", starts(&chunks));
            let end = pair[0].start_secs() + pair[0].duration_secs();
            let next = pair[1].start_secs();
            assert!(long_pauses[i].contains(&end), "chunk {i} ends at {end}");
            assert!(
                long_pauses[i].contains(&next) && end <= next,
                "{end} {next}"
            );
        }
        // Everything up to the end of the answer is covered.
        let last = chunks.last().unwrap();
        assert_eq!(
            last.start_sample + last.samples.len() as u64,
            audio.len() as u64
        );
    }

    #[test]
    fn long_speech_without_pauses_is_cut_at_the_length_limit() {
        let mut audio = speech(30.0);
        // A short dip (a breath) at 22 s.
        for s in &mut audio[(22.0 * RATE) as usize..(22.1 * RATE) as usize] {
            *s *= 0.01;
        }
        let chunks = run(&audio, 4800, ChunkSettings::default());
        assert_eq!(chunks.len(), 2);
        let cut = chunks[1].start_secs();
        assert!((22.0..=22.15).contains(&cut), "cut at {cut}");
        assert!(chunks[0].duration_secs() <= 25.0);
    }

    #[test]
    fn silence_is_never_a_chunk() {
        let chunks = run(&pause(40.0), 1600, ChunkSettings::default());
        assert!(chunks.is_empty());
        let mut audio = speech(2.0);
        audio.extend(pause(6.0));
        let chunks = run(&audio, 1600, ChunkSettings::default());
        assert_eq!(chunks.len(), 1);
        // The chunk ends early in the pause; the silent rest is dropped.
        let secs = chunks[0].duration_secs();
        assert!((2.1..2.4).contains(&secs), "{secs}");
    }

    #[test]
    fn piece_size_does_not_change_the_cuts() {
        let mut audio = pause(0.7);
        for i in 0..6 {
            audio.extend(speech(2.0 + i as f64 * 0.37));
            audio.extend(pause(0.6 + i as f64 * 0.1));
        }
        let reference = starts(&run(&audio, 480, ChunkSettings::default()));
        for piece in [1, 100, 479, 1601, 16_000, audio.len()] {
            assert_eq!(
                starts(&run(&audio, piece, ChunkSettings::default())),
                reference,
                "piece {piece}"
            );
        }
    }

    fn starts(chunks: &[Chunk]) -> Vec<(u64, usize)> {
        chunks
            .iter()
            .map(|c| (c.start_sample, c.samples.len()))
            .collect()
    }
}
