//! Trends across sessions (coverage, fillers per minute, pace, length against
//! the target) and the questions that most need practice.

use std::collections::BTreeMap;

use super::{AnswerRecord, SessionRecord};

/// One session's averages.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionTrend {
    pub session_id: i64,
    pub started_at: String,
    pub title: String,
    pub answers: usize,
    /// Mean share of rubric elements covered, 0..1.
    pub coverage: Option<f64>,
    pub fillers_per_minute: Option<f64>,
    pub words_per_minute: Option<f64>,
    /// Share of answers whose length fell inside the question's target window.
    pub within_target: Option<f64>,
}

/// A question and how it has gone.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuestionProgress {
    pub question_id: String,
    pub question_text: String,
    pub attempts: usize,
    pub latest_coverage: Option<f64>,
    pub best_coverage: Option<f64>,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    (count > 0).then(|| sum / count as f64)
}

/// Per-session averages, oldest session first.
pub fn session_trends(sessions: &[SessionRecord], answers: &[AnswerRecord]) -> Vec<SessionTrend> {
    let mut by_session: BTreeMap<i64, Vec<&AnswerRecord>> = BTreeMap::new();
    for a in answers {
        by_session.entry(a.session_id).or_default().push(a);
    }
    let mut trends: Vec<SessionTrend> = sessions
        .iter()
        .filter_map(|s| {
            let list = by_session.get(&s.id)?;
            let within: Vec<bool> = list
                .iter()
                .filter_map(|a| {
                    let (min, max) = a.target_secs?;
                    Some((min..=max).contains(&a.duration_secs?))
                })
                .collect();
            Some(SessionTrend {
                session_id: s.id,
                started_at: s.started_at.clone(),
                title: s.title.clone(),
                answers: list.len(),
                coverage: mean(list.iter().filter_map(|a| a.coverage)),
                fillers_per_minute: mean(list.iter().filter_map(|a| a.fillers_per_minute)),
                words_per_minute: mean(list.iter().filter_map(|a| a.words_per_minute)),
                within_target: mean(within.iter().map(|&w| if w { 1.0 } else { 0.0 })),
            })
        })
        .collect();
    trends.sort_by_key(|t| t.session_id);
    trends
}

/// Questions by need of practice: lowest latest coverage first; questions
/// without a coverage figure (typed follow-ups) are left out.
pub fn questions_by_need(answers: &[AnswerRecord]) -> Vec<QuestionProgress> {
    let mut by_question: BTreeMap<&str, QuestionProgress> = BTreeMap::new();
    for a in answers {
        let entry = by_question
            .entry(a.question_id.as_str())
            .or_insert_with(|| QuestionProgress {
                question_id: a.question_id.clone(),
                question_text: a.question_text.clone(),
                attempts: 0,
                latest_coverage: None,
                best_coverage: None,
            });
        entry.attempts += 1;
        if let Some(c) = a.coverage {
            entry.latest_coverage = Some(c);
            entry.best_coverage = Some(entry.best_coverage.map_or(c, |b: f64| b.max(c)));
        }
    }
    let mut list: Vec<QuestionProgress> = by_question
        .into_values()
        .filter(|q| q.latest_coverage.is_some())
        .collect();
    list.sort_by(|a, b| {
        a.latest_coverage
            .unwrap_or(1.0)
            .total_cmp(&b.latest_coverage.unwrap_or(1.0))
            .then(a.question_id.cmp(&b.question_id))
    });
    list
}

#[cfg(test)]
mod tests {
    use super::super::{History, NewAnswer, SessionKind};
    use super::*;

    #[test]
    fn trends_average_per_session_and_needs_sort_by_latest_coverage() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(dir.path()).unwrap();
        let add = |h: &mut History, s: i64, pos: u32, q: &str, cov: f64, secs: f64| {
            h.add_answer(
                s,
                &NewAnswer {
                    position: pos,
                    question_id: q.into(),
                    question_text: q.into(),
                    coverage: Some(cov),
                    fillers_per_minute: Some(cov * 10.0),
                    words_per_minute: Some(120.0 + cov * 40.0),
                    duration_secs: Some(secs),
                    target_secs: Some((60.0, 120.0)),
                    ..NewAnswer::default()
                },
            )
            .unwrap();
        };
        let s1 = h
            .start_session(SessionKind::Interview, "one", &serde_json::Value::Null)
            .unwrap();
        add(&mut h, s1, 1, "a", 0.25, 30.0);
        add(&mut h, s1, 2, "b", 0.75, 90.0);
        let s2 = h
            .start_session(SessionKind::Interview, "two", &serde_json::Value::Null)
            .unwrap();
        add(&mut h, s2, 1, "a", 1.0, 100.0);
        let trends = session_trends(&h.sessions().unwrap(), &h.all_answers().unwrap());
        assert_eq!(trends.len(), 2);
        assert_eq!(trends[0].session_id, s1);
        assert_eq!(trends[0].coverage, Some(0.5));
        assert_eq!(trends[0].fillers_per_minute, Some(5.0));
        assert_eq!(trends[0].within_target, Some(0.5));
        assert_eq!(trends[1].coverage, Some(1.0));
        let needs = questions_by_need(&h.all_answers().unwrap());
        assert_eq!(needs[0].question_id, "b");
        assert_eq!(needs[1].question_id, "a");
        assert_eq!((needs[1].attempts, needs[1].best_coverage), (2, Some(1.0)));
    }
}
