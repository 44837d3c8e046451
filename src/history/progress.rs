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

/// A question (or one of its follow-ups) and how it has gone.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuestionProgress {
    pub question_id: String,
    /// For a follow-up question: its id in the bank (`prevention`); its
    /// coverage is of what the follow-up asks for.
    pub follow_up_id: Option<String>,
    pub question_text: String,
    pub attempts: usize,
    pub latest_coverage: Option<f64>,
    pub best_coverage: Option<f64>,
    /// Coverage of each attempt, oldest first.
    pub coverage_trend: Vec<f64>,
}

impl QuestionProgress {
    /// The command that practises it.
    pub fn practice_command(&self) -> String {
        match &self.follow_up_id {
            Some(id) => format!("rehearse practice {} --follow-up {id}", self.question_id),
            None => format!("rehearse practice {}", self.question_id),
        }
    }
}

impl AnswerRecord {
    /// An answer to the question itself: not a follow-up asked after an
    /// answer, nor a follow-up drilled on its own.
    pub fn is_main(&self) -> bool {
        self.follow_up_of.is_none() && self.follow_up_id.is_none()
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    (count > 0).then(|| sum / count as f64)
}

/// Per-session averages, oldest session first.
/// The coverage of a main answer counting what its follow-up answers
/// covered: the share of its rubric elements covered by any of them (the
/// stored coverage when the analyses do not list elements).
pub fn combined_coverage(main: &AnswerRecord, answers: &[AnswerRecord]) -> Option<f64> {
    main.coverage?;
    let covered_ids = |a: &AnswerRecord| -> Option<Vec<(String, bool)>> {
        let elements = a.analysis.as_ref()?["content"]["elements"].as_array()?;
        Some(
            elements
                .iter()
                .filter_map(|e| Some((e["id"].as_str()?.to_string(), e["covered"].as_bool()?)))
                .collect(),
        )
    };
    let Some(elements) = covered_ids(main).filter(|e| !e.is_empty()) else {
        return main.coverage;
    };
    let follow_ups: Vec<Vec<(String, bool)>> = answers
        .iter()
        .filter(|a| a.follow_up_of == Some(main.id))
        .filter_map(covered_ids)
        .collect();
    Some(coverage_with_follow_ups(&elements, &follow_ups))
}

/// The share of a main answer's elements (`(id, covered)`) covered by it or
/// by any of its follow-up answers' elements: the one rule the interview
/// summary and `progress` both use.
pub fn coverage_with_follow_ups<S: AsRef<str>>(
    main: &[(S, bool)],
    follow_ups: &[Vec<(S, bool)>],
) -> f64 {
    let covered = main
        .iter()
        .filter(|(id, covered)| {
            *covered
                || follow_ups
                    .iter()
                    .any(|f| f.iter().any(|(fid, c)| *c && fid.as_ref() == id.as_ref()))
        })
        .count();
    covered as f64 / main.len() as f64
}

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
                // Main answers (with what their follow-ups added); a session
                // that only drilled a follow-up: that follow-up's coverage.
                coverage: mean(
                    list.iter()
                        .filter(|a| a.is_main())
                        .filter_map(|a| combined_coverage(a, answers)),
                )
                .or_else(|| mean(list.iter().filter_map(|a| a.coverage))),
                fillers_per_minute: mean(list.iter().filter_map(|a| a.fillers_per_minute)),
                words_per_minute: mean(list.iter().filter_map(|a| a.words_per_minute)),
                within_target: mean(within.iter().map(|&w| if w { 1.0 } else { 0.0 })),
            })
        })
        .collect();
    trends.sort_by_key(|t| t.session_id);
    trends
}

/// Questions and follow-ups by need of practice: lowest latest coverage
/// first; those without a coverage figure are left out. A question's
/// attempts are its main answers, each counting what its follow-up answers
/// covered; a follow-up's attempts are the answers to it (asked after an
/// answer or drilled on its own), judged on what it asks for.
pub fn questions_by_need(answers: &[AnswerRecord]) -> Vec<QuestionProgress> {
    let mut by_question: BTreeMap<(&str, Option<&str>), QuestionProgress> = BTreeMap::new();
    for a in answers {
        let coverage = if a.is_main() {
            combined_coverage(a, answers)
        } else if a.follow_up_id.is_some() {
            a.coverage
        } else {
            continue; // a follow-up from before follow-ups had ids
        };
        let entry = by_question
            .entry((a.question_id.as_str(), a.follow_up_id.as_deref()))
            .or_insert_with(|| QuestionProgress {
                question_id: a.question_id.clone(),
                follow_up_id: a.follow_up_id.clone(),
                question_text: a.question_text.clone(),
                attempts: 0,
                latest_coverage: None,
                best_coverage: None,
                coverage_trend: Vec::new(),
            });
        entry.attempts += 1;
        if let Some(c) = coverage {
            entry.latest_coverage = Some(c);
            entry.best_coverage = Some(entry.best_coverage.map_or(c, |b: f64| b.max(c)));
            entry.coverage_trend.push(c);
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

    #[test]
    fn follow_ups_are_not_attempts_and_add_what_they_covered() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(dir.path()).unwrap();
        let s = h
            .start_session(SessionKind::Interview, "one", &serde_json::Value::Null)
            .unwrap();
        let elements = |covered: &[(&str, bool)]| {
            serde_json::json!({"content": {"elements": covered
                .iter()
                .map(|(id, c)| serde_json::json!({"id": id, "covered": c}))
                .collect::<Vec<_>>()}})
        };
        let main = h
            .add_answer(
                s,
                &NewAnswer {
                    position: 1,
                    question_id: "q".into(),
                    question_text: "Q?".into(),
                    coverage: Some(0.5),
                    analysis: Some(elements(&[("a", true), ("b", false)])),
                    ..NewAnswer::default()
                },
            )
            .unwrap();
        h.add_answer(
            s,
            &NewAnswer {
                position: 2,
                question_id: "q".into(),
                question_text: "Follow-up?".into(),
                follow_up_of: Some(main),
                coverage: Some(1.0),
                analysis: Some(elements(&[("b", true)])),
                ..NewAnswer::default()
            },
        )
        .unwrap();
        let answers = h.all_answers().unwrap();
        let needs = questions_by_need(&answers);
        assert_eq!(needs.len(), 1);
        assert_eq!(
            (needs[0].attempts, needs[0].latest_coverage),
            (1, Some(1.0))
        );
        let trends = session_trends(&h.sessions().unwrap(), &answers);
        assert_eq!(trends[0].coverage, Some(1.0));
        assert_eq!(h.question_scores().unwrap()["q"], 1.0);
    }
}
