//! Speaking interview questions aloud. The real backend is the `tts` crate
//! (speech-dispatcher on Linux), driven from its own thread so that a speech
//! system that hangs (speech-dispatcher can accept text and never finish it)
//! only costs a bounded wait; then rehearse carries on with text only.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// What happened to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeakOutcome {
    /// Spoken to the end.
    Spoken,
    /// Not spoken: the text-only speaker (the caller shows the text).
    TextOnly,
    /// Speech did not finish in time and was stopped; later questions are text only.
    GaveUp(String),
}

/// Something that can say a question.
pub trait Speaker {
    /// Says `text`, returning when it has been said (or given up on).
    fn speak(&mut self, text: &str) -> SpeakOutcome;
    /// A short description for status lines.
    fn describe(&self) -> String;
}

/// The silent fallback: questions are only shown.
#[derive(Debug, Default)]
pub struct TextSpeaker;

impl Speaker for TextSpeaker {
    fn speak(&mut self, _text: &str) -> SpeakOutcome {
        SpeakOutcome::TextOnly
    }
    fn describe(&self) -> String {
        "text only".into()
    }
}

/// Voice settings.
#[derive(Debug, Clone, Default)]
pub struct SpeechOptions {
    /// Voice name or id (see `rehearse say --list-voices`).
    pub voice: Option<String>,
    /// Speed from -100 (slowest) through 0 (normal) to 100 (fastest).
    pub rate: Option<f32>,
    /// How long to wait for the speech system to start up.
    pub startup_timeout: Option<Duration>,
}

enum Request {
    Speak(String),
    Stop,
    Voices,
}

enum Event {
    Ready(Result<String, String>),
    Begun,
    Ended,
    Failed(String),
    Voices(Vec<String>),
}

/// Speaks through the `tts` crate on a worker thread.
pub struct TtsSpeaker {
    requests: Sender<Request>,
    events: Receiver<Event>,
    description: String,
    broken: Option<String>,
}

/// Maps -100..100 onto the backend's own rate range.
fn backend_rate(tts: &tts::Tts, rate: f32) -> f32 {
    let rate = rate.clamp(-100.0, 100.0) / 100.0;
    let normal = tts.normal_rate();
    if rate >= 0.0 {
        normal + (tts.max_rate() - normal) * rate
    } else {
        normal + (normal - tts.min_rate()) * rate
    }
}

fn worker(options: SpeechOptions, requests: Receiver<Request>, events: Sender<Event>) {
    let mut tts = match tts::Tts::default() {
        Ok(tts) => tts,
        Err(e) => {
            let _ = events.send(Event::Ready(Err(e.to_string())));
            return;
        }
    };
    let mut notes = Vec::new();
    if let Some(rate) = options.rate {
        if let Err(e) = tts.set_rate(backend_rate(&tts, rate)) {
            notes.push(format!("rate not set: {e}"));
        }
    }
    if let Some(wanted) = &options.voice {
        let voices = tts.voices().unwrap_or_default();
        match voices
            .iter()
            .find(|v| v.name().eq_ignore_ascii_case(wanted) || v.id().eq_ignore_ascii_case(wanted))
        {
            Some(voice) => {
                if let Err(e) = tts.set_voice(voice) {
                    notes.push(format!("voice {wanted:?} not set: {e}"));
                }
            }
            None => notes.push(format!(
                "no voice {wanted:?} (rehearse say --list-voices shows them); using the default"
            )),
        }
    }
    let begun = events.clone();
    let ended = events.clone();
    let stopped = events.clone();
    let callbacks = tts
        .on_utterance_begin(Some(Box::new(move |_| {
            let _ = begun.send(Event::Begun);
        })))
        .and_then(|_| {
            tts.on_utterance_end(Some(Box::new(move |_| {
                let _ = ended.send(Event::Ended);
            })))
        })
        .and_then(|_| {
            tts.on_utterance_stop(Some(Box::new(move |_| {
                let _ = stopped.send(Event::Ended);
            })))
        });
    if let Err(e) = callbacks {
        let _ = events.send(Event::Ready(Err(format!("no end-of-speech events: {e}"))));
        return;
    }
    let _ = events.send(Event::Ready(Ok(notes.join("; "))));
    for request in requests {
        match request {
            Request::Speak(text) => {
                if let Err(e) = tts.speak(text, true) {
                    let _ = events.send(Event::Failed(e.to_string()));
                }
            }
            Request::Stop => {
                let _ = tts.stop();
            }
            Request::Voices => {
                let names = tts
                    .voices()
                    .map(|v| v.iter().map(|v| v.name()).collect())
                    .unwrap_or_default();
                let _ = events.send(Event::Voices(names));
            }
        }
    }
}

impl TtsSpeaker {
    /// Starts the speech system; an error says why it cannot be used.
    /// The `Ok` string carries non-fatal notes (e.g. an unknown voice).
    pub fn start(options: SpeechOptions) -> Result<(Self, Option<String>), String> {
        let timeout = options.startup_timeout.unwrap_or(Duration::from_secs(5));
        let (request_tx, request_rx) = mpsc::channel();
        let (event_tx, event_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("speech".into())
            .spawn(move || worker(options, request_rx, event_tx))
            .map_err(|e| e.to_string())?;
        match event_rx.recv_timeout(timeout) {
            Ok(Event::Ready(Ok(notes))) => Ok((
                Self {
                    requests: request_tx,
                    events: event_rx,
                    description: "speech-dispatcher (tts)".into(),
                    broken: None,
                },
                (!notes.is_empty()).then_some(notes),
            )),
            Ok(Event::Ready(Err(e))) => Err(e),
            Ok(_) => Err("unexpected message from the speech thread".into()),
            Err(_) => Err(format!(
                "the speech system did not start within {:.0} s",
                timeout.as_secs_f64()
            )),
        }
    }

    /// The voices the backend offers.
    pub fn voices(&mut self) -> Vec<String> {
        let _ = self.requests.send(Request::Voices);
        loop {
            match self.events.recv_timeout(Duration::from_secs(5)) {
                Ok(Event::Voices(v)) => return v,
                Ok(_) => continue,
                Err(_) => return Vec::new(),
            }
        }
    }

    fn wait_for(&self, want_end: bool, timeout: Duration) -> Result<(), String> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.events.recv_timeout(left) {
                Ok(Event::Begun) if !want_end => return Ok(()),
                Ok(Event::Ended) if want_end => return Ok(()),
                Ok(Event::Ended) => return Ok(()), // very short text: ended before we looked
                Ok(Event::Failed(e)) => return Err(e),
                Ok(_) => continue,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "speech did not {} within {:.0} s",
                        if want_end { "finish" } else { "start" },
                        timeout.as_secs_f64()
                    ))
                }
                Err(RecvTimeoutError::Disconnected) => return Err("the speech thread ended".into()),
            }
        }
    }
}

/// Longest a question may take to say: generous (90 words a minute) plus a margin.
pub fn speaking_bound(text: &str) -> Duration {
    let words = text.split_whitespace().count() as f64;
    Duration::from_secs_f64(5.0 + words / 1.5)
}

impl Speaker for TtsSpeaker {
    fn speak(&mut self, text: &str) -> SpeakOutcome {
        if let Some(why) = &self.broken {
            return SpeakOutcome::GaveUp(why.clone());
        }
        // Drop stale events from an earlier utterance.
        while self.events.try_recv().is_ok() {}
        let result = self
            .requests
            .send(Request::Speak(text.to_string()))
            .map_err(|_| "the speech thread ended".to_string())
            .and_then(|_| self.wait_for(false, Duration::from_secs(5)))
            .and_then(|_| self.wait_for(true, speaking_bound(text)));
        match result {
            Ok(()) => SpeakOutcome::Spoken,
            Err(why) => {
                let _ = self.requests.send(Request::Stop);
                self.broken = Some(why.clone());
                SpeakOutcome::GaveUp(why)
            }
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

/// The speaker to use: TTS when wanted and working, else text only with a
/// one-line reason.
pub fn open_speaker(use_tts: bool, options: SpeechOptions) -> (Box<dyn Speaker>, Option<String>) {
    if !use_tts {
        return (Box::new(TextSpeaker), None);
    }
    match TtsSpeaker::start(options) {
        Ok((speaker, notes)) => (Box::new(speaker), notes),
        Err(why) => (
            Box::new(TextSpeaker),
            Some(format!(
                "questions will be shown, not spoken: text-to-speech is unavailable ({why}); install speech-dispatcher (scripts/setup.sh) or pass --no-tts"
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaking_bound_grows_with_length() {
        assert_eq!(speaking_bound(""), Duration::from_secs(5));
        assert!(speaking_bound(&"word ".repeat(30)) > Duration::from_secs(20));
    }

    #[test]
    fn text_speaker_never_blocks() {
        let (mut speaker, warning) = open_speaker(false, SpeechOptions::default());
        assert!(warning.is_none());
        assert_eq!(
            speaker.speak("Tell me about yourself."),
            SpeakOutcome::TextOnly
        );
        assert_eq!(speaker.describe(), "text only");
    }
}
