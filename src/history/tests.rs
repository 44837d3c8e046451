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

#[test]
fn an_existing_data_dir_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for mode in [0o1777, 0o750] {
        let data = dir.path().join(format!("shared-{mode:o}"));
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(mode)).unwrap();
        drop(History::open(&data).unwrap());
        let now = std::fs::metadata(&data).unwrap().permissions().mode() & 0o7777;
        assert_eq!(now, mode, "{}", data.display());
        // What rehearse created inside is private.
        let recordings = std::fs::metadata(data.join("recordings")).unwrap();
        assert_eq!(recordings.permissions().mode() & 0o777, 0o700);
    }
}

#[test]
fn a_recording_is_never_overwritten_after_the_database_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let old = {
        let mut history = History::open(&data).unwrap();
        assert!(history.warning().is_none());
        let s = history
            .start_session(SessionKind::Interview, "first", &serde_json::Value::Null)
            .unwrap();
        let wav = history.recording_path(s, 1).unwrap();
        std::fs::write(&wav, b"the first answer").unwrap();
        wav
    };
    // The database is emptied: session ids start again at 1.
    std::fs::write(data.join("history.sqlite3"), b"").unwrap();
    let mut history = History::open(&data).unwrap();
    let warning = history
        .warning()
        .expect("a warning about the lost database");
    assert!(warning.contains("1 earlier recording"), "{warning}");
    let s = history
        .start_session(SessionKind::Interview, "second", &serde_json::Value::Null)
        .unwrap();
    assert_eq!(s, 1);
    let new = history.recording_path(s, 1).unwrap();
    assert_ne!(new, old);
    assert_eq!(std::fs::read(&old).unwrap(), b"the first answer");
    assert_ne!(history.recording_path(s, 1).unwrap(), new);
}

#[test]
fn recordings_are_stored_relative_to_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let mut history = History::open(&data).unwrap();
        let s = history
            .start_session(SessionKind::Practice, "p", &serde_json::Value::Null)
            .unwrap();
        let wav = history.recording_path(s, 1).unwrap();
        std::fs::write(&wav, b"RIFF").unwrap();
        let mut a = answer(1, "q", 0.5);
        a.recording = Some(wav);
        history.add_answer(s, &a).unwrap();
    }
    let conn = rusqlite::Connection::open(data.join("history.sqlite3")).unwrap();
    let stored: String = conn
        .query_row("SELECT recording_path FROM answers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, "recordings/session-00001/answer-01.wav");
    drop(conn);
    // A copy of the data dir reads its own recordings, not the original's.
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(copy.join("recordings/session-00001")).unwrap();
    std::fs::copy(data.join("history.sqlite3"), copy.join("history.sqlite3")).unwrap();
    std::fs::copy(
        data.join("recordings/session-00001/answer-01.wav"),
        copy.join("recordings/session-00001/answer-01.wav"),
    )
    .unwrap();
    let history = History::open(&copy).unwrap();
    let answers = history.all_answers().unwrap();
    assert_eq!(
        answers[0].recording.as_deref(),
        Some(
            copy.join("recordings/session-00001/answer-01.wav")
                .as_path()
        )
    );
}

#[test]
fn two_first_runs_at_once_both_open_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let start = std::sync::Arc::new(std::sync::Barrier::new(6));
    let runs: Vec<_> = (0..6)
        .map(|_| {
            let (data, start) = (data.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                History::open(&data).map(|_| ()).map_err(|e| e.to_string())
            })
        })
        .collect();
    for run in runs {
        run.join().unwrap().unwrap();
    }
}
