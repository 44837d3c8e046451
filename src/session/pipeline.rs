//! One question, start to finish: say it, capture the answer (microphone,
//! a recording played in, or typed), transcribe, analyse, store. Every
//! practice mode is built from this.

use std::path::PathBuf;
use std::sync::Arc;

use crate::analysis::{
    analyze, analyze_with, Analysis, AnalysisSettings, AnswerInput, SemanticJudge, FILLER_PROMPT,
};
use crate::audio::answer::{
    self, AnswerRecording, AnswerSettings, EndReason, LiveStatus, StopSignals,
};
use crate::audio::capture::{self, CaptureError};
use crate::audio::{resample, wav};
use crate::bank::Question;
use crate::history::{History, HistoryError, NewAnswer};
use crate::session::warm::SentenceWarmer;
use crate::speech::{SpeakOutcome, Speaker};
use crate::transcribe::{
    DecodeOptions, DecodeReport, StreamSettings, StreamingTranscriber, TranscribeError,
    Transcriber, Transcript,
};

use super::playback_source;

/// Where an answer comes from.
#[derive(Debug, Clone)]
pub enum AnswerSource {
    /// Spoken into a microphone (`None`: the default input).
    Microphone { device: Option<String> },
    /// A recording played into the recorder as if spoken (`speed` 1.0 = real time).
    Recording { path: PathBuf, speed: f64 },
    /// Typed at the keyboard: the same analysis without audio timing.
    Typed,
}

/// What the pipeline needs from the terminal.
pub trait SessionUi {
    /// Shows a question (`label` like "Question 2 of 5" or "Follow-up").
    fn show_question(&mut self, label: &str, text: &str);
    /// A status line while recording.
    fn recording(&mut self, status: &LiveStatus);
    /// Recording ended.
    fn recording_done(&mut self, recording: &AnswerRecording);
    /// Reads a typed answer, or learns that the session should stop.
    fn read_typed_answer(&mut self) -> TypedAnswer;
    /// Work in progress (transcribing...).
    fn busy(&mut self, what: &str);
    /// A one-line note or warning.
    fn note(&mut self, text: &str);
    /// Where the session stands: `done` of `total` main questions finished,
    /// and what is happening now; called before each question, and once at
    /// the end ([`SessionStage::Done`] or [`SessionStage::Stopped`]).
    fn session_progress(&mut self, _done: usize, _total: usize, _now: SessionStage) {}
    /// One answered step of an interview, as soon as it is analysed (the
    /// per-answer report, when wanted).
    fn answered(&mut self, _step: &super::interview::InterviewStep) {}
}

/// What the user typed for one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypedAnswer {
    /// An answer; the session goes on.
    Answer(String),
    /// The lines typed before the session was stopped (`interrupted`:
    /// Ctrl-C; else the input ended): stored, then the session stops.
    Last { text: String, interrupted: bool },
    /// Stopped before a word of this answer was typed: nothing is stored
    /// for it, and the session stops with what was answered before.
    Nothing { interrupted: bool },
}

/// What an interview is doing, for its progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Asking main question `number` (from 1) of `total`.
    Question { number: usize, total: usize },
    /// Asking a follow-up to main question `number` (from 1).
    FollowUp { number: usize },
    /// Every question was asked.
    Done,
    /// The user stopped the interview.
    Stopped,
}

impl SessionStage {
    /// Whether the interview is over.
    pub fn is_over(self) -> bool {
        matches!(self, Self::Done | Self::Stopped)
    }
}

impl std::fmt::Display for SessionStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Question { number, total } => write!(f, "Question {number} of {total}"),
            Self::FollowUp { number } => write!(f, "Follow-up to question {number}"),
            Self::Done => f.write_str("done"),
            Self::Stopped => f.write_str("stopped"),
        }
    }
}

/// Why a question could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Record(#[from] answer::RecordError),
    #[error(transparent)]
    Wav(#[from] wav::WavError),
    #[error(transparent)]
    Resample(#[from] resample::ResampleError),
    #[error(transparent)]
    Transcribe(#[from] TranscribeError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error("spoken answers need a whisper model: run `rehearse model fetch base`, or answer with --text")]
    NoTranscriber,
    /// A typed answer exists nowhere but in memory: when it cannot be
    /// stored, it is given back in full so the user can keep it.
    #[error("your typed answer was not saved ({cause}).\nHere it is, so that it is not lost:\n\n{text}\n")]
    TypedAnswerNotSaved { text: String, cause: HistoryError },
}

/// The result of one question.
#[derive(Debug, Clone)]
pub struct AnsweredQuestion {
    /// Row id in the history.
    pub answer_id: i64,
    pub analysis: Analysis,
    pub recording: Option<AnswerRecording>,
    /// The user stopped the session (Ctrl-C or end of typed input).
    pub stop_session: bool,
    /// The stop was Ctrl-C (not the end of typed input).
    pub interrupted: bool,
}

/// How asking one question ended.
#[derive(Debug, Clone)]
pub enum Asked {
    /// The question was answered and the answer stored.
    Answered(Box<AnsweredQuestion>),
    /// The session was stopped before a word of the answer (the end of
    /// typed input, or Ctrl-C with nothing typed): nothing was stored.
    Stopped { interrupted: bool },
}

impl Asked {
    /// The answer, if there was one.
    pub fn answered(self) -> Option<AnsweredQuestion> {
        match self {
            Self::Answered(answered) => Some(*answered),
            Self::Stopped { .. } => None,
        }
    }
}

/// Everything one question needs, borrowed for a session.
pub struct Coach<'a> {
    /// The one loaded model, shared by every answer of the session (and by
    /// the streaming worker of the answer being recorded).
    pub transcriber: Option<Arc<Transcriber>>,
    /// The one sentence-embedding judge of the session; `None` judges
    /// content by the bank cues only.
    pub judge: Option<Arc<SemanticJudge>>,
    pub speaker: &'a mut dyn Speaker,
    pub history: &'a mut History,
    pub analysis: AnalysisSettings,
    pub answer: AnswerSettings,
    pub signals: StopSignals,
    pub threads: Option<usize>,
    spoken_warning_shown: bool,
    /// Whether the analysis has run once in this process (see
    /// [`crate::analysis::warm_up`]).
    analysis_warmed: bool,
}

/// Where one question sits in a session.
#[derive(Debug, Clone)]
pub struct Slot<'q> {
    pub session: i64,
    pub position: u32,
    pub attempt: u32,
    pub label: String,
    /// The text asked (the question, or a follow-up question).
    pub asked: String,
    /// The question whose rubric judges the answer.
    pub question: &'q Question,
    pub follow_up_of: Option<i64>,
    /// The follow-up's id in the bank when a follow-up question is asked.
    pub follow_up_id: Option<String>,
}

impl<'a> Coach<'a> {
    pub fn new(
        transcriber: Option<Arc<Transcriber>>,
        speaker: &'a mut dyn Speaker,
        history: &'a mut History,
        signals: StopSignals,
    ) -> Self {
        Self {
            transcriber,
            judge: None,
            speaker,
            history,
            analysis: AnalysisSettings::default(),
            answer: AnswerSettings::default(),
            signals,
            threads: None,
            spoken_warning_shown: false,
            analysis_warmed: false,
        }
    }

    fn speak(&mut self, text: &str, ui: &mut dyn SessionUi) {
        if let SpeakOutcome::GaveUp(why) = self.speaker.speak(text) {
            if !self.spoken_warning_shown {
                self.spoken_warning_shown = true;
                ui.note(&format!(
                    "speech stopped working ({why}); questions are shown as text from now on"
                ));
            }
        }
    }

    fn settings_for(&self, question: &Question) -> AnswerSettings {
        AnswerSettings {
            time_limit_secs: question.time_limit_seconds as f64,
            ..self.answer
        }
    }

    fn decode_options(&self) -> DecodeOptions {
        let mut options = DecodeOptions {
            initial_prompt: Some(FILLER_PROMPT.to_string()),
            ..DecodeOptions::default()
        };
        if let Some(threads) = self.threads {
            options.threads = threads;
        }
        options
    }

    /// Transcribes a whole recording at once (the fallback when live
    /// transcription failed).
    fn transcribe(
        &self,
        path: &std::path::Path,
    ) -> Result<(Transcript, DecodeReport), PipelineError> {
        let transcriber = self
            .transcriber
            .as_ref()
            .ok_or(PipelineError::NoTranscriber)?;
        let clip = wav::read_mono(path)?;
        let pcm = resample::to_whisper_rate(&clip)?;
        Ok(transcriber.transcribe_detailed(&pcm, &self.decode_options())?)
    }

    /// Starts transcribing the answer while it is recorded; `None` (with a
    /// note) if the worker cannot start, and the recording is transcribed
    /// after it ends instead.
    fn start_streaming(&self, ui: &mut dyn SessionUi) -> Option<StreamingTranscriber> {
        let transcriber = self.transcriber.clone()?;
        // The speaker waits for the report: low-latency streaming.
        let settings = StreamSettings {
            decode: self.decode_options(),
            commit_blocks: true,
            ..StreamSettings::default()
        };
        match StreamingTranscriber::start(transcriber, settings) {
            Ok(stream) => Some(stream),
            Err(e) => {
                ui.note(&format!(
                    "live transcription unavailable ({e}); the answer is transcribed after it ends"
                ));
                None
            }
        }
    }

    /// The transcript of a finished recording: what the live transcription
    /// made of it, or (if that failed) the recording transcribed again.
    fn finish_transcript(
        &self,
        stream: Option<StreamingTranscriber>,
        path: &std::path::Path,
        ui: &mut dyn SessionUi,
    ) -> Result<(Transcript, DecodeReport), PipelineError> {
        if let Some(stream) = stream {
            match stream.finish_detailed() {
                Ok(done) => return Ok(done),
                Err(e) => ui.note(&format!(
                    "live transcription failed ({e}); transcribing the recording again"
                )),
            }
        }
        self.transcribe(path)
    }

    /// Asks one question and stores the answer (nothing is stored when the
    /// session is stopped before a word of it).
    pub fn ask(
        &mut self,
        slot: &Slot,
        source: &AnswerSource,
        ui: &mut dyn SessionUi,
    ) -> Result<Asked, PipelineError> {
        // Ctrl-C while the previous answer was analysed: the session stops
        // before the next question is even shown.
        if self
            .signals
            .interrupt
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            return Ok(Asked::Stopped { interrupted: true });
        }
        ui.show_question(&slot.label, &slot.asked);
        // The question's example sentences are embedded before the answer,
        // so judging it costs only its own sentences.
        if let Some(judge) = &self.judge {
            if let Err(e) = judge.prepare(slot.question) {
                ui.note(&format!(
                    "content judge unavailable ({e}); judging by keywords"
                ));
                self.judge = None;
            }
        }
        if !self.analysis_warmed {
            self.analysis_warmed = true;
            // A failure here shows again, and is reported, with the answer.
            let _ = crate::analysis::warm_up(slot.question, &self.analysis, self.judge.as_deref());
        }
        self.speak(&slot.asked, ui);
        let settings = self.settings_for(slot.question);
        let (input, recording, stop_session, interrupted) = match source {
            AnswerSource::Typed => match ui.read_typed_answer() {
                TypedAnswer::Answer(text) => (AnswerInput::Typed { text }, None, false, false),
                TypedAnswer::Last { text, interrupted } => {
                    (AnswerInput::Typed { text }, None, true, interrupted)
                }
                TypedAnswer::Nothing { interrupted } => return Ok(Asked::Stopped { interrupted }),
            },
            AnswerSource::Microphone { .. } | AnswerSource::Recording { .. } => {
                if self.transcriber.is_none() {
                    return Err(PipelineError::NoTranscriber);
                }
                let path = self.history.recording_path(slot.session, slot.position)?;
                let mut stream = self.start_streaming(ui);
                // The content judge embeds sentences while the answer goes on.
                let warmer = match (&self.judge, &stream) {
                    (Some(judge), Some(stream)) => {
                        SentenceWarmer::start(judge.clone(), stream.progress())
                    }
                    _ => None,
                };
                let mut on_samples = |samples: &[f32]| {
                    if let Some(stream) = stream.as_mut() {
                        stream.push(samples);
                    }
                };
                let mut on_status = |s: &LiveStatus| ui.recording(s);
                // Silero decides when the answer ended (energy without its model).
                let model = self.transcriber.clone();
                let silero = model.as_deref().and_then(Transcriber::vad);
                let recording = match source {
                    AnswerSource::Microphone { device } => {
                        let device = capture::find_input_device(device.as_deref())?;
                        let input = capture::open_input(&device)?;
                        answer::record_answer_with_vad(
                            input,
                            &path,
                            &settings,
                            &self.signals,
                            &mut on_status,
                            &mut on_samples,
                            silero,
                        )?
                    }
                    AnswerSource::Recording { path: file, speed } => {
                        let feed = playback_source::play_into_recorder(file, *speed)?;
                        let result = answer::record_from_with_vad(
                            feed.source,
                            &path,
                            &settings,
                            &self.signals,
                            &mut on_status,
                            &mut on_samples,
                            silero,
                        );
                        drop(feed.feeder);
                        result?
                    }
                    AnswerSource::Typed => unreachable!("handled above"),
                };
                ui.recording_done(&recording);
                let stop = recording.ended_by == EndReason::Interrupted;
                if let Some(warmer) = warmer {
                    warmer.stop();
                }
                ui.busy("transcribing the last words");
                let (transcript, report) = self.finish_transcript(stream, &recording.path, ui)?;
                let input = AnswerInput::Spoken {
                    audio_secs: recording.duration_secs,
                    time_to_first_word: recording.time_to_first_speech,
                    transcript,
                    speech: report.speech,
                };
                (input, Some(recording), stop, stop)
            }
        };
        let analysis = match &self.judge {
            Some(judge) => match analyze_with(slot.question, &input, &self.analysis, Some(judge)) {
                Ok(analysis) => analysis,
                Err(e) => {
                    ui.note(&format!("content judge failed ({e}); judging by keywords"));
                    analyze(slot.question, &input, &self.analysis)
                }
            },
            None => analyze(slot.question, &input, &self.analysis),
        };
        let answer_id = self
            .history
            .add_answer(
                slot.session,
                &stored(slot, &input, &analysis, recording.as_ref()),
            )
            .map_err(|cause| match &input {
                AnswerInput::Typed { text } => PipelineError::TypedAnswerNotSaved {
                    text: text.clone(),
                    cause,
                },
                AnswerInput::Spoken { .. } => PipelineError::History(cause),
            })?;
        Ok(Asked::Answered(Box::new(AnsweredQuestion {
            answer_id,
            analysis,
            recording,
            stop_session,
            interrupted,
        })))
    }
}

/// Share of rubric elements covered, 0..1 (1 for a rubric-less question).
pub fn coverage(analysis: &Analysis) -> f64 {
    let total = analysis.content.elements.len();
    if total == 0 {
        return 1.0;
    }
    analysis
        .content
        .elements
        .iter()
        .filter(|e| e.covered)
        .count() as f64
        / total as f64
}

fn stored(
    slot: &Slot,
    input: &AnswerInput,
    analysis: &Analysis,
    recording: Option<&AnswerRecording>,
) -> NewAnswer {
    let (text, transcript) = match input {
        AnswerInput::Spoken { transcript, .. } => (
            transcript.text.clone(),
            serde_json::to_value(transcript).ok(),
        ),
        AnswerInput::Typed { text } => (text.clone(), None),
    };
    NewAnswer {
        position: slot.position,
        attempt: slot.attempt,
        question_id: slot.question.id.clone(),
        question_text: slot.asked.clone(),
        follow_up_of: slot.follow_up_of,
        follow_up_id: slot.follow_up_id.clone(),
        recording: recording.map(|r| r.path.clone()),
        duration_secs: Some(analysis.length.secs),
        ended_by: recording.map(|r| {
            serde_json::to_value(&r.ended_by)
                .ok()
                .and_then(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .or_else(|| Some(v.to_string()))
                })
                .unwrap_or_default()
        }),
        time_to_first_speech: recording.and_then(|r| r.time_to_first_speech),
        transcript_text: text,
        transcript,
        analysis: serde_json::to_value(analysis).ok(),
        // A follow-up answer is judged on its own targets; its coverage is
        // of those (the follow-up's trend), never counted as an attempt at
        // the whole question. One without a bank id (older rows) has none.
        coverage: (slot.follow_up_of.is_none() || slot.follow_up_id.is_some())
            .then(|| coverage(analysis)),
        fillers_per_minute: analysis.fillers.per_minute,
        words_per_minute: analysis.timing.as_ref().map(|t| t.words_per_minute),
        target_secs: Some((
            analysis.question.target_seconds.min as f64,
            analysis.question.target_seconds.max as f64,
        )),
    }
}
