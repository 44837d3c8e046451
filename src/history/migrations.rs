//! The database schema, as numbered migrations tracked in `PRAGMA user_version`.

use std::path::Path;

use rusqlite::Connection;

use super::HistoryError;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: sessions and answers.
    "CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        settings_json TEXT NOT NULL
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 1,
        question_id TEXT NOT NULL,
        question_text TEXT NOT NULL,
        follow_up_of INTEGER REFERENCES answers(id),
        recorded_at TEXT NOT NULL,
        recording_path TEXT,
        recording_sha256 TEXT,
        duration_secs REAL,
        ended_by TEXT,
        time_to_first_speech REAL,
        transcript_text TEXT NOT NULL,
        transcript_json TEXT,
        analysis_json TEXT,
        coverage REAL,
        fillers_per_minute REAL,
        words_per_minute REAL,
        target_min_secs REAL,
        target_max_secs REAL,
        UNIQUE (session_id, position)
    );
    CREATE INDEX answers_by_question ON answers(question_id);",
    // 2: which follow-up question an answer answered (its id in the bank),
    // so a follow-up drilled on its own has a history of its own.
    "ALTER TABLE answers ADD COLUMN follow_up_id TEXT;",
];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the database up to date, each migration in its own transaction.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), HistoryError> {
    let db_err = |source| HistoryError::Database {
        path: path.to_path_buf(),
        source,
    };
    let version_of = |conn: &Connection| -> Result<i64, HistoryError> {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(db_err)
    };
    let too_new = |found| HistoryError::TooNew {
        path: path.to_path_buf(),
        found,
        known: current_version(),
    };
    let version = version_of(conn)?;
    if version > current_version() {
        return Err(too_new(version));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        // The write lock is taken first and the version read again under
        // it: two first runs at once apply each migration once (the second
        // waits for the first, then finds it done).
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db_err)?;
        let now = version_of(&tx)?;
        if now > index as i64 {
            if now > current_version() {
                return Err(too_new(now));
            }
            continue;
        }
        tx.execute_batch(sql).map_err(db_err)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)
            .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
    }
    Ok(())
}
