//! The demo: a complete mock interview with no microphone. Sample answers are
//! spoken by espeak-ng into WAV files and played into the same recording,
//! transcription, analysis and storage pipeline a live answer goes through.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One scripted exchange: the question, the sample answer, and an answer to
/// each of the question's follow-up questions (follow-up text, answer).
#[derive(Debug, Clone, Copy)]
pub struct DemoAnswer {
    pub question_id: &'static str,
    pub answer: &'static str,
    pub follow_up_answers: &'static [(&'static str, &'static str)],
}

impl DemoAnswer {
    /// The scripted answer to the follow-up question `asked`.
    pub fn follow_up_answer(&self, asked: &str) -> Option<&'static str> {
        self.follow_up_answers
            .iter()
            .find(|(question, _)| *question == asked)
            .map(|(_, answer)| *answer)
    }
}

/// The demo interview. Two answers deliberately leave something out, so
/// follow-up questions are asked as they would be: the introduction names no
/// achievement of the speaker's own (so "what are you proud of?" follows) and
/// the biggest-mistake answer leaves out what changed afterwards (so the
/// prevention follow-up follows).
pub const DEMO_SCRIPT: [DemoAnswer; 3] = [
    DemoAnswer {
        question_id: "tell-me-about-yourself",
        answer: "I am a backend engineer with six years of experience building billing and payment systems. \
            In my current role I lead a team of four, and last year we moved our payments to a new provider with no downtime. \
            I enjoy turning messy problems into simple, reliable services. \
            I am looking for a role where I can grow into technical leadership, which is why this position caught my attention.",
        follow_up_answers: &[
            (
                "What made you want to apply for this role?",
                "I am looking for a team that builds payment systems at a larger scale, \
                 and this role would let me grow into technical leadership. That is why I applied.",
            ),
            (
                "What is one thing you have done that you are proud of?",
                "I am proud of the payment provider migration. I led it from the first plan to the switch: \
                 I wrote the runbook, I built the reconciliation checks, and we moved forty thousand customers \
                 over one weekend with no downtime and no double charges.",
            ),
        ],
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
            (
                "What did you do to prevent this from happening again?",
                "Since then every migration I run has a written checklist, a rehearsal on a copy of the data, \
                 and a second engineer who signs off. We have done six migrations that way with no customer impact. \
                 It made me a more careful engineer.",
            ),
            (
                "What did you learn from it?",
                "I learned that a deadline is never a reason to skip a safety check, \
                 and that being confident is not the same as being ready.",
            ),
            (
                "How did you communicate it, and to whom?",
                "I told my manager within ten minutes, wrote to the support team so they could answer customers, \
                 and sent a short written account of what happened and what I was doing about it the same evening.",
            ),
            (
                "You mentioned other people. What part of it was yours?",
                "The decision to skip the rehearsal was mine, and so was the Friday evening date. \
                 Nobody asked me to cut that corner.",
            ),
            (
                "What was the actual impact, in time, money or trust?",
                "Two hundred customers were charged twice, about forty thousand dollars in all, refunded within two days. \
                 Support handled sixty tickets, and we lost some trust with the finance team that took months to rebuild.",
            ),
            (
                "Can you walk me through a real mistake, even a small one?",
                "Yes. The billing migration I described was a real mistake of mine, and it cost customers money.",
            ),
            (
                "What would you do differently?",
                "I would run the rehearsal no matter what the deadline said, and I would never schedule a risky change \
                 for a Friday evening.",
            ),
        ],
    },
    DemoAnswer {
        question_id: "questions-for-us",
        answer: "Yes, thank you. How does the team decide what to work on each quarter, \
            and what would success look like for this role in the first six months?",
        follow_up_answers: &[(
            "Is there really nothing you would like to know about the role or the team?",
            "Yes, I would like to know who I would be working with most closely, and what the next steps are.",
        )],
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
    fn every_follow_up_of_a_demo_question_has_a_scripted_answer() {
        let catalog = crate::bank::bundled().unwrap();
        for step in DEMO_SCRIPT {
            let question = catalog.question(step.question_id).unwrap();
            for follow_up in &question.follow_ups {
                assert!(
                    step.follow_up_answer(&follow_up.text).is_some(),
                    "{}: no demo answer for the follow-up {:?}",
                    step.question_id,
                    follow_up.text
                );
            }
            for (asked, _) in step.follow_up_answers {
                assert!(
                    question.follow_ups.iter().any(|f| f.text == *asked),
                    "{}: the demo answers a follow-up the bank does not have: {asked:?}",
                    step.question_id
                );
            }
        }
    }

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
