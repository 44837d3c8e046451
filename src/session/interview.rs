//! A mock interview: the drawn questions in order, each followed by the
//! follow-up questions its answer calls for, and an overall summary.

use crate::analysis::Analysis;
use crate::bank::Question;

use super::pipeline::{
    coverage, AnswerSource, AnsweredQuestion, Asked, Coach, PipelineError, SessionStage, SessionUi,
    Slot,
};

/// How an interview runs.
#[derive(Debug, Clone)]
pub struct InterviewPlan {
    /// Follow-up questions asked at most per question.
    pub max_follow_ups: usize,
}

impl Default for InterviewPlan {
    fn default() -> Self {
        Self { max_follow_ups: 1 }
    }
}

/// One answered question (or follow-up) of an interview.
#[derive(Debug, Clone)]
pub struct InterviewStep {
    pub label: String,
    pub asked: String,
    pub question_id: String,
    pub answer_id: i64,
    pub analysis: Analysis,
    pub is_follow_up: bool,
    /// For a follow-up: its id in the bank (`prevention`).
    pub follow_up_id: Option<String>,
    /// For a follow-up: the rubric elements the main answer lacked.
    pub follow_up_targets: Vec<String>,
}

impl InterviewStep {
    /// A follow-up answer that left some of its targets uncovered or fired
    /// a red flag: worth drilling on its own.
    pub fn is_weak_follow_up(&self) -> bool {
        self.is_follow_up
            && (!self.analysis.content.missing.is_empty()
                || !self.analysis.content.fired.is_empty())
    }
}

/// The whole interview.
#[derive(Debug, Clone, Default)]
pub struct InterviewOutcome {
    pub steps: Vec<InterviewStep>,
    /// The user stopped before the end (Ctrl-C, or the end of typed input).
    pub stopped_early: bool,
    /// The stop was Ctrl-C.
    pub interrupted: bool,
}

impl InterviewOutcome {
    /// Mean rubric coverage over the main questions, 0..1, counting what
    /// their follow-ups covered (see [`InterviewOutcome::question_coverage`]).
    pub fn mean_coverage(&self) -> Option<f64> {
        let main: Vec<f64> = (0..self.steps.len())
            .filter(|&i| !self.steps[i].is_follow_up)
            .map(|i| self.question_coverage(i))
            .collect();
        (!main.is_empty()).then(|| main.iter().sum::<f64>() / main.len() as f64)
    }

    /// The coverage of the main question at step `index`, 0..1: the share
    /// of its rubric elements covered by its answer or by the answers to
    /// its follow-ups (the steps after it, up to the next main question).
    pub fn question_coverage(&self, index: usize) -> f64 {
        let main = &self.steps[index];
        if main.analysis.content.elements.is_empty() {
            return coverage(&main.analysis);
        }

        let follow_ups: Vec<Vec<(&str, bool)>> = self.steps[index + 1..]
            .iter()
            .take_while(|s| s.is_follow_up)
            .map(|s| covered_ids(&s.analysis))
            .collect();
        crate::history::progress::coverage_with_follow_ups(
            &covered_ids(&main.analysis),
            &follow_ups,
        )
    }
}

/// Runs the interview. `source_for(question_id, follow_up)` says where each
/// answer comes from (`None` for the main answer, `Some(text)` for the
/// follow-up question asked); `after_answer` sees each step as it completes
/// (for a per-answer report). The UI hears how far the session has got
/// before each question and once at the end.
pub fn run_interview(
    coach: &mut Coach,
    session: i64,
    questions: &[&Question],
    plan: &InterviewPlan,
    source_for: &mut dyn FnMut(&str, Option<&str>) -> AnswerSource,
    ui: &mut dyn SessionUi,
    after_answer: &mut dyn FnMut(&InterviewStep, &mut dyn SessionUi),
) -> Result<InterviewOutcome, PipelineError> {
    let mut outcome = InterviewOutcome::default();
    let mut position = 0;
    let total = questions.len();
    for (index, question) in questions.iter().enumerate() {
        position += 1;
        let stage = SessionStage::Question {
            number: index + 1,
            total,
        };
        ui.session_progress(index, total, stage);
        let slot = Slot {
            session,
            position,
            attempt: 1,
            label: stage.to_string(),
            asked: question.text.clone(),
            question,
            follow_up_of: None,
            follow_up_id: None,
        };
        let answered = match coach.ask(&slot, &source_for(&question.id, None), ui)? {
            Asked::Answered(answered) => *answered,
            Asked::Stopped { interrupted } => {
                return Ok(stopped(outcome, interrupted, index, total, ui));
            }
        };
        let stop = answered.stop_session.then_some(answered.interrupted);
        // Each follow-up answer is judged by what it asks for: its target
        // elements and its own length window.
        let follow_ups: Vec<(String, Question)> = answered
            .analysis
            .follow_ups(question)
            .into_iter()
            .take(plan.max_follow_ups)
            .map(|f| (f.id.clone(), f.as_question(question)))
            .collect();
        let parent = answered.answer_id;
        let missing: Vec<String> = answered.analysis.content.missing.clone();
        record(&mut outcome, &slot, answered, Vec::new(), ui, after_answer);
        if let Some(interrupted) = stop {
            return Ok(stopped(outcome, interrupted, index + 1, total, ui));
        }
        for (follow_up_id, follow_up) in &follow_ups {
            position += 1;
            ui.session_progress(index, total, SessionStage::FollowUp { number: index + 1 });
            let slot = Slot {
                session,
                position,
                attempt: 1,
                label: "Follow-up".into(),
                asked: follow_up.text.clone(),
                question: follow_up,
                follow_up_of: Some(parent),
                follow_up_id: Some(follow_up_id.clone()),
            };
            let answered =
                match coach.ask(&slot, &source_for(&question.id, Some(&slot.asked)), ui)? {
                    Asked::Answered(answered) => *answered,
                    Asked::Stopped { interrupted } => {
                        return Ok(stopped(outcome, interrupted, index + 1, total, ui));
                    }
                };
            let stop = answered.stop_session.then_some(answered.interrupted);
            let targets = if follow_up.rubric.len() < question.rubric.len() {
                follow_up.rubric.iter().map(|c| c.id.clone()).collect()
            } else {
                missing.clone()
            };
            record(&mut outcome, &slot, answered, targets, ui, after_answer);
            if let Some(interrupted) = stop {
                return Ok(stopped(outcome, interrupted, index + 1, total, ui));
            }
        }
    }
    ui.session_progress(total, total, SessionStage::Done);
    Ok(outcome)
}

/// The outcome of an interview the user stopped with `done` main
/// questions finished.
fn stopped(
    mut outcome: InterviewOutcome,
    interrupted: bool,
    done: usize,
    total: usize,
    ui: &mut dyn SessionUi,
) -> InterviewOutcome {
    outcome.stopped_early = true;
    outcome.interrupted = interrupted;
    ui.session_progress(done, total, SessionStage::Stopped);
    outcome
}

fn record(
    outcome: &mut InterviewOutcome,
    slot: &Slot,
    answered: AnsweredQuestion,
    follow_up_targets: Vec<String>,
    ui: &mut dyn SessionUi,
    after_answer: &mut dyn FnMut(&InterviewStep, &mut dyn SessionUi),
) {
    let step = InterviewStep {
        label: slot.label.clone(),
        asked: slot.asked.clone(),
        question_id: slot.question.id.clone(),
        answer_id: answered.answer_id,
        analysis: answered.analysis,
        is_follow_up: slot.follow_up_of.is_some(),
        follow_up_id: slot.follow_up_id.clone(),
        follow_up_targets,
    };
    after_answer(&step, ui);
    outcome.steps.push(step);
}

/// An analysis's elements as `(id, covered)`.
fn covered_ids(a: &Analysis) -> Vec<(&str, bool)> {
    a.content
        .elements
        .iter()
        .map(|e| (e.id.as_str(), e.covered))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, AnalysisSettings, AnswerInput};

    fn step(question: &Question, text: &str, is_follow_up: bool) -> InterviewStep {
        InterviewStep {
            label: String::new(),
            asked: question.text.clone(),
            question_id: question.id.clone(),
            answer_id: 0,
            analysis: analyze(
                question,
                &AnswerInput::Typed { text: text.into() },
                &AnalysisSettings::default(),
            ),
            is_follow_up,
            follow_up_id: None,
            follow_up_targets: Vec::new(),
        }
    }

    #[test]
    fn a_follow_up_is_judged_on_its_targets_and_counts_toward_its_question() {
        let catalog = crate::bank::bundled().unwrap();
        let main = catalog.question("biggest-mistake").unwrap();
        let prevention = main
            .follow_ups
            .iter()
            .find(|f| f.text.contains("prevent"))
            .unwrap()
            .as_question(main);
        let ids: Vec<&str> = prevention.rubric.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["prevention"]);
        assert_eq!(
            (prevention.target_seconds.min, prevention.target_seconds.max),
            (20, 60)
        );

        let main_answer = "My biggest mistake was sending the wrong invoice. It was my fault.";
        let follow_answer = "Since then I always double-check every invoice before it goes out.";
        let alone = InterviewOutcome {
            steps: vec![step(main, main_answer, false)],
            ..InterviewOutcome::default()
        };
        let with_follow_up = InterviewOutcome {
            steps: vec![
                step(main, main_answer, false),
                step(&prevention, follow_answer, true),
            ],
            ..InterviewOutcome::default()
        };
        let follow = &with_follow_up.steps[1].analysis;
        assert_eq!(coverage(follow), 1.0, "{:?}", follow.content.missing);
        let n = main.rubric.len() as f64;
        assert!(
            (with_follow_up.question_coverage(0) - alone.question_coverage(0) - 1.0 / n).abs()
                < 1e-9,
            "{} vs {}",
            with_follow_up.question_coverage(0),
            alone.question_coverage(0)
        );
        assert_eq!(
            with_follow_up.mean_coverage(),
            Some(with_follow_up.question_coverage(0))
        );
    }
}
