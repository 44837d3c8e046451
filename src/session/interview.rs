//! A mock interview: the drawn questions in order, each followed by the
//! follow-up questions its answer calls for, and an overall summary.

use crate::analysis::Analysis;
use crate::bank::Question;

use super::pipeline::{
    coverage, AnswerSource, AnsweredQuestion, Coach, PipelineError, SessionStage, SessionUi, Slot,
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
    /// For a follow-up: the rubric elements the main answer lacked.
    pub follow_up_targets: Vec<String>,
}

/// The whole interview.
#[derive(Debug, Clone, Default)]
pub struct InterviewOutcome {
    pub steps: Vec<InterviewStep>,
    /// The user stopped before the end.
    pub stopped_early: bool,
}

impl InterviewOutcome {
    /// Mean rubric coverage over the main questions, 0..1.
    pub fn mean_coverage(&self) -> Option<f64> {
        let main: Vec<f64> = self
            .steps
            .iter()
            .filter(|s| !s.is_follow_up)
            .map(|s| coverage(&s.analysis))
            .collect();
        (!main.is_empty()).then(|| main.iter().sum::<f64>() / main.len() as f64)
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
        };
        let answered = coach.ask(&slot, &source_for(&question.id, None), ui)?;
        let stop = answered.stop_session;
        let follow_ups: Vec<String> = answered
            .analysis
            .follow_ups(question)
            .into_iter()
            .take(plan.max_follow_ups)
            .map(|f| f.text.clone())
            .collect();
        let parent = answered.answer_id;
        let missing: Vec<String> = answered.analysis.content.missing.clone();
        record(&mut outcome, &slot, answered, Vec::new(), ui, after_answer);
        if stop {
            outcome.stopped_early = true;
            ui.session_progress(index + 1, total, SessionStage::Stopped);
            return Ok(outcome);
        }
        for text in follow_ups {
            position += 1;
            ui.session_progress(index, total, SessionStage::FollowUp { number: index + 1 });
            let slot = Slot {
                session,
                position,
                attempt: 1,
                label: "Follow-up".into(),
                asked: text,
                question,
                follow_up_of: Some(parent),
            };
            let answered = coach.ask(&slot, &source_for(&question.id, Some(&slot.asked)), ui)?;
            let stop = answered.stop_session;
            record(
                &mut outcome,
                &slot,
                answered,
                missing.clone(),
                ui,
                after_answer,
            );
            if stop {
                outcome.stopped_early = true;
                ui.session_progress(index + 1, total, SessionStage::Stopped);
                return Ok(outcome);
            }
        }
    }
    ui.session_progress(total, total, SessionStage::Done);
    Ok(outcome)
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
        follow_up_targets,
    };
    after_answer(&step, ui);
    outcome.steps.push(step);
}
