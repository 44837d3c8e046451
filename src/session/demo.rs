//! The demo: a complete mock interview with no microphone. Sample answers are
//! spoken by espeak-ng into WAV files and played into the same recording,
//! transcription, analysis and storage pipeline a live answer goes through.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One scripted exchange: the question, the sample answer, and the answers to
/// follow-up questions (used in order as follow-ups are asked).
#[derive(Debug, Clone, Copy)]
pub struct DemoAnswer {
    pub question_id: &'static str,
    pub answer: &'static str,
    pub follow_up_answers: &'static [&'static str],
}

/// The demo interview. The biggest-mistake answer deliberately leaves out what
/// changed afterwards, so the prevention follow-up is asked, as it would be.
pub const DEMO_SCRIPT: [DemoAnswer; 3] = [
    DemoAnswer {
        question_id: "tell-me-about-yourself",
        answer: "I am a backend engineer with six years of experience building billing and payment systems. \
            In my current role I lead a team of four, and last year we moved our payments to a new provider with no downtime. \
            I enjoy turning messy problems into simple, reliable services. \
            I am looking for a role where I can grow into technical leadership, which is why this position caught my attention.",
        follow_up_answers: &[],
    },
    DemoAnswer {
        question_id: "biggest-mistake",
        answer: "My biggest mistake was a billing migration I ran two years ago. \
            I was confident, so I skipped the final rehearsal and planned the switch for a Friday evening. \
            It happened because I rushed the testing to hit the date. \
            As a result, about two hundred customers were charged twice. \
            It was my responsibility. I told my manager straight away, rolled the change back within an hour, \
            and worked with support to refund every customer. \
            I learned that a deadline is never a reason to skip a safety check.",
        follow_up_answers: &[
            "Since then every migration I run has a written checklist, a rehearsal on a copy of the data, \
             and a second engineer who signs off. We have done six migrations that way with no customer impact. \
             It made me a more careful engineer.",
        ],
    },
    DemoAnswer {
        question_id: "questions-for-us",
        answer: "Yes, thank you. How does the team decide what to work on each quarter, \
            and what would success look like for this role in the first six months?",
        follow_up_answers: &[],
    },
];

/// Why a sample answer could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot synthesise the demo answer with espeak-ng ({reason}); install it with scripts/setup.sh (apt-get install espeak-ng)")]
pub struct SynthError {
    pub reason: String,
}

/// Speaks `text` into a WAV file at `path` with espeak-ng.
pub fn synthesize(text: &str, path: &Path) -> Result<PathBuf, SynthError> {
    let output = Command::new("espeak-ng")
        .arg("-w")
        .arg(path)
        .arg(text)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| SynthError {
            reason: e.to_string(),
        })?;
    if !output.status.success() {
        return Err(SynthError {
            reason: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_question_exists_in_the_bundled_banks() {
        let catalog = crate::bank::bundled().unwrap();
        for step in DEMO_SCRIPT {
            assert!(
                catalog.question(step.question_id).is_some(),
                "{}",
                step.question_id
            );
        }
    }
}
