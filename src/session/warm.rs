//! Getting the content judge's work done while an answer is still spoken:
//! the sentences transcribed so far are embedded as they come, so when the
//! answer ends only its last sentences are left to embed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::analysis::{AnswerText, SemanticJudge};
use crate::transcribe::streaming::StreamProgress;

/// How often the transcript so far is looked at.
const POLL: Duration = Duration::from_millis(250);

/// Embeds the finished sentences of an answer being transcribed.
pub struct SentenceWarmer {
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl SentenceWarmer {
    /// Starts watching `progress` (the live transcription of one answer).
    /// None if the thread cannot start: the judge then embeds everything
    /// at the end, as without it.
    pub fn start(judge: Arc<SemanticJudge>, progress: Arc<StreamProgress>) -> Option<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let worker_stop = stop.clone();
        let worker = std::thread::Builder::new()
            .name("embed-sentences".into())
            .spawn(move || {
                let mut seen = 0;
                while !worker_stop.load(Ordering::SeqCst) {
                    std::thread::sleep(POLL);
                    let words = progress.words_so_far();
                    if words.len() == seen || worker_stop.load(Ordering::SeqCst) {
                        continue;
                    }
                    seen = words.len();
                    let text = AnswerText::from_words(&words);
                    // The last sentence may go on in audio not transcribed yet.
                    let finished = text.sentences.len().saturating_sub(1);
                    let sentences: Vec<String> = text.sentences[..finished]
                        .iter()
                        .map(|s| s.text.clone())
                        .collect();
                    // A failure shows when the answer is judged.
                    let _ = judge.warm_answer(&sentences);
                }
            })
            .ok()?;
        Some(Self {
            stop,
            worker: Some(worker),
        })
    }

    /// Stops watching, at once: an embedding under way finishes on its own
    /// thread (it is short) while the answer's end is transcribed.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        drop(self.worker.take());
    }
}

impl Drop for SentenceWarmer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}
