use super::*;

fn answer(position: u32, question: &str, coverage: f64) -> NewAnswer {
    NewAnswer {
        position,
        attempt: 1,
        question_id: question.into(),
        question_text: format!("Question {question}?"),
        transcript_text: "I learned to ask early.".into(),
        analysis: Some(serde_json::json!({"coverage": coverage})),
        coverage: Some(coverage),
        fillers_per_minute: Some(2.5),
        words_per_minute: Some(140.0),
        target_secs: Some((60.0, 120.0)),
        ..NewAnswer::default()
    }
}

#[test]
fn sessions_and_answers_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(dir.path()).unwrap();
    let session = history
        .start_session(
            SessionKind::Interview,
            "mock",
            &serde_json::json!({"seed": 7}),
        )
        .unwrap();
    let wav = history.recording_path(session, 1).unwrap();
    std::fs::write(&wav, b"RIFF....WAVE").unwrap();
    let mut first = answer(1, "biggest-mistake", 0.5);
    first.recording = Some(wav.clone());
    let first_id = history.add_answer(session, &first).unwrap();
    let mut follow = answer(2, "biggest-mistake/follow-up-1", 1.0);
    follow.follow_up_of = Some(first_id);
    history.add_answer(session, &follow).unwrap();
    history.finish_session(session).unwrap();

    let sessions = history.sessions().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].answer_count, 2);
    assert!(sessions[0].ended_at.is_some());
    assert_eq!(sessions[0].settings["seed"], 7);
    let answers = history.answers(session).unwrap();
    assert_eq!(answers[0].recording.as_deref(), Some(wav.as_path()));
    assert_eq!(
        answers[0].recording_sha256.as_deref(),
        Some(crate::model::store::sha256_file(&wav).unwrap().as_str())
    );
    assert_eq!(answers[0].target_secs, Some((60.0, 120.0)));
    assert_eq!(answers[0].words_per_minute, Some(140.0));
    assert_eq!(answers[1].follow_up_of, Some(first_id));
    assert_eq!(history.question_scores().unwrap()["biggest-mistake"], 0.5);
}

#[test]
fn files_are_private_and_reopening_keeps_data() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let mut history = History::open(&data).unwrap();
        let s = history
            .start_session(SessionKind::Practice, "p", &serde_json::Value::Null)
            .unwrap();
        history.add_answer(s, &answer(1, "q", 0.25)).unwrap();
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("recordings")), 0o700);
    assert_eq!(mode(&data.join("history.sqlite3")), 0o600);
    let history = History::open(&data).unwrap();
    assert_eq!(history.all_answers().unwrap().len(), 1);
}

#[test]
fn a_newer_schema_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    drop(History::open(dir.path()).unwrap());
    let conn = rusqlite::Connection::open(dir.path().join("history.sqlite3")).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = History::open(dir.path()).err().unwrap().to_string();
    assert!(err.contains("newer rehearse"), "{err}");
}

#[test]
fn unknown_session_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(dir.path()).unwrap();
    assert!(matches!(
        history.session(42),
        Err(HistoryError::NoSession(42))
    ));
    assert!(matches!(
        history.finish_session(42),
        Err(HistoryError::NoSession(42))
    ));
}
