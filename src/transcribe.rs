//! Local speech-to-text with whisper.cpp (through whisper-rs): one loaded model,
//! transcripts with word-level timestamps (DTW-aligned) and probabilities.

use std::path::{Path, PathBuf};

use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters,
};

use crate::audio::resample::WHISPER_RATE;
use crate::model::ggml::{self, GgmlError, Hparams};
use crate::model::store;

/// One recognised word with its place in the audio.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Word {
    /// The word as spoken, with any punctuation whisper attached.
    pub word: String,
    /// Start, in seconds from the beginning of the audio.
    pub start: f64,
    /// End, in seconds from the beginning of the audio.
    pub end: f64,
    /// Mean token probability (0..1): low values mark uncertain words.
    pub probability: f32,
}

/// A stretch of text whisper decoded as one unit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// A full transcript.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transcript {
    pub text: String,
    pub duration: f64,
    pub segments: Vec<Segment>,
    pub words: Vec<Word>,
}

/// How to decode.
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    pub threads: usize,
    /// Text whisper sees as "what came before": steers spelling and style.
    pub initial_prompt: Option<String>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism()
                .map(|n| n.get().min(8))
                .unwrap_or(2),
            initial_prompt: None,
        }
    }
}

/// Why transcription failed.
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    #[error(transparent)]
    BadModel(#[from] GgmlError),
    #[error(transparent)]
    Checksum(#[from] store::StoreError),
    #[error("whisper could not load {path}: {message}")]
    Load { path: PathBuf, message: String },
    #[error("whisper failed on the audio: {0}")]
    Decode(String),
    #[error("no audio to transcribe (0 samples)")]
    NoAudio,
}

/// A loaded whisper model, reused for every transcription.
pub struct Transcriber {
    context: WhisperContext,
    hparams: Hparams,
    model_path: PathBuf,
}

impl Transcriber {
    /// Checks the model file (structure, and sha256 when one is recorded) and
    /// only then hands it to whisper.cpp.
    pub fn load(model_path: &Path) -> Result<Self, TranscribeError> {
        let summary = ggml::inspect(model_path)?;
        store::check_recorded_sha256(model_path)?;
        whisper_rs::install_logging_hooks();
        let mut params = WhisperContextParameters::default();
        params.flash_attn(false);
        if let Some(preset) = dtw_preset(&summary.hparams) {
            params.dtw_parameters(DtwParameters {
                mode: DtwMode::ModelPreset {
                    model_preset: preset,
                },
                ..DtwParameters::default()
            });
        }
        let path_str = model_path.to_str().ok_or_else(|| TranscribeError::Load {
            path: model_path.to_path_buf(),
            message: "path is not valid UTF-8".into(),
        })?;
        let context = WhisperContext::new_with_params(path_str, params).map_err(|e| {
            TranscribeError::Load {
                path: model_path.to_path_buf(),
                message: e.to_string(),
            }
        })?;
        Ok(Self {
            context,
            hparams: summary.hparams,
            model_path: model_path.to_path_buf(),
        })
    }

    /// The model file this transcriber was loaded from.
    pub fn model_path(&self) -> &Path {
        &self.model_path
    }

    /// Model size and vocabulary, as read from its header.
    pub fn hparams(&self) -> &Hparams {
        &self.hparams
    }

    /// Transcribes 16 kHz mono samples.
    pub fn transcribe(
        &self,
        pcm_16k: &[f32],
        options: &DecodeOptions,
    ) -> Result<Transcript, TranscribeError> {
        if pcm_16k.is_empty() {
            return Err(TranscribeError::NoAudio);
        }
        let duration = pcm_16k.len() as f64 / WHISPER_RATE as f64;
        let mut state = self
            .context
            .create_state()
            .map_err(|e| TranscribeError::Decode(e.to_string()))?;
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(options.threads.max(1) as i32);
        params.set_language(Some("en"));
        params.set_translate(false);
        params.set_token_timestamps(true);
        // No temperature fallback: plain greedy decoding, as whisper-cli's
        // --no-fallback. Re-decoding at higher temperatures can take many
        // times longer on a busy CPU and rarely helps tiny.en on clean speech.
        params.set_temperature(0.0);
        params.set_temperature_inc(0.0);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        if let Some(prompt) = &options.initial_prompt {
            params.set_initial_prompt(prompt);
        }
        state
            .full(params, pcm_16k)
            .map_err(|e| TranscribeError::Decode(e.to_string()))?;

        let end_of_text = self.context.token_eot();
        let clamp = |t: f64| t.clamp(0.0, duration);
        let mut segments = Vec::new();
        let mut pieces: Vec<WordPiece> = Vec::new();
        for segment in state.as_iter() {
            let seg_start = clamp(segment.start_timestamp() as f64 / 100.0);
            let seg_end = clamp(segment.end_timestamp() as f64 / 100.0).max(seg_start);
            let text = segment
                .to_str_lossy()
                .map_err(|e| TranscribeError::Decode(e.to_string()))?
                .trim()
                .to_string();
            for j in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(j) else {
                    continue;
                };
                let data = token.token_data();
                if data.id >= end_of_text {
                    continue; // timestamps and other special tokens
                }
                let bytes = token
                    .to_bytes()
                    .map_err(|e| TranscribeError::Decode(e.to_string()))?
                    .to_vec();
                let aligned = if data.t_dtw >= 0 { data.t_dtw } else { data.t0 };
                pieces.push(WordPiece {
                    bytes,
                    time: clamp(aligned as f64 / 100.0).max(seg_start),
                    end: clamp(data.t1 as f64 / 100.0),
                    probability: data.p,
                    segment_end: seg_end,
                });
            }
            if !text.is_empty() {
                segments.push(Segment {
                    start: seg_start,
                    end: seg_end,
                    text,
                });
            }
        }
        let words = assemble_words(&pieces, duration);
        let text = segments
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Transcript {
            text,
            duration,
            segments,
            words,
        })
    }
}

/// whisper.cpp's alignment-head preset for DTW, when the model is a standard one.
fn dtw_preset(h: &Hparams) -> Option<DtwModelPreset> {
    let english_only = h.n_vocab == 51864;
    Some(match (h.n_audio_layer, english_only) {
        (4, true) => DtwModelPreset::TinyEn,
        (4, false) => DtwModelPreset::Tiny,
        (6, true) => DtwModelPreset::BaseEn,
        (6, false) => DtwModelPreset::Base,
        (12, true) => DtwModelPreset::SmallEn,
        (12, false) => DtwModelPreset::Small,
        (24, true) => DtwModelPreset::MediumEn,
        (24, false) => DtwModelPreset::Medium,
        _ => return None,
    })
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
