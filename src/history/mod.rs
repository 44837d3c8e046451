//! Practice history: a SQLite database of sessions and answers (transcripts,
//! metrics, report JSON) with the recordings stored beside it as WAV files.
//! Everything is private to the user (directories 0700, files 0600), and each
//! answer is written in its own transaction, so a kill mid-session loses at
//! most the answer in progress.

mod migrations;
mod paths;
pub mod progress;
mod records;

pub use paths::{default_data_dir, DATA_DIR_ENV};
pub use records::{AnalysisUpdate, AnswerRecord, NewAnswer, SessionKind, SessionRecord};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

/// Why the history could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot use the history database {path}: {source}")]
    Database {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} was written by a newer rehearse (schema {found}, this one knows {known}); upgrade rehearse")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path} exists but is read-only{folder}: `rehearse replay`, `progress` and `thank-you` can still read it; make it writable (e.g. chmod u+w) to store new answers")]
    ReadOnly { path: PathBuf, folder: String },
    #[error("no session {0} in the history (see `rehearse replay` for the list)")]
    NoSession(i64),
    #[error("stored data for answer {answer} is damaged: {reason}")]
    Damaged { answer: i64, reason: String },
}

/// The history of one user.
pub struct History {
    conn: Connection,
    db_path: PathBuf,
    data_dir: PathBuf,
    recordings: PathBuf,
    /// Set when the database was missing or empty although recordings were
    /// there: earlier sessions are not listed (see [`History::warning`]).
    warning: Option<String>,
}

impl History {
    /// The warning due when the database is missing or empty although
    /// recordings are there.
    fn lost_database_warning(db_path: &Path, recordings: &Path) -> Option<String> {
        let db_was_empty = std::fs::metadata(db_path).map_or(true, |m| m.len() == 0);
        if !db_was_empty {
            return None;
        }
        let kept = paths::count_recordings(recordings);
        (kept > 0).then(|| {
            format!(
                "{} is missing or empty, but {} holds {kept} earlier recording(s): \
                 those sessions are not listed; new recordings are saved beside them, never over them",
                db_path.display(),
                recordings.display()
            )
        })
    }

    /// Opens (creating if needed) the history in `data_dir`, to read and
    /// write. An existing database the user may not write to is refused
    /// with [`HistoryError::ReadOnly`].
    pub fn open(data_dir: &Path) -> Result<Self, HistoryError> {
        let db_path = data_dir.join("history.sqlite3");
        paths::refuse_read_only(&db_path)?;
        paths::create_private_dir(data_dir)?;
        let recordings = data_dir.join("recordings");
        paths::create_private_dir(&recordings)?;
        let warning = Self::lost_database_warning(&db_path, &recordings);
        paths::create_private_file(&db_path)?;
        let db_err = |source| HistoryError::Database {
            path: db_path.clone(),
            source,
        };
        let mut conn = Connection::open(&db_path).map_err(db_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db_err)?;
        set_wal_mode(&conn).map_err(db_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(db_err)?;
        migrations::migrate(&mut conn, &db_path)?;
        // WAL side files are created on first write: make them private too.
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", db_path.display()));
            paths::make_private_if_exists(&side)?;
        }
        Ok(Self {
            conn,
            db_path,
            data_dir: data_dir.to_path_buf(),
            recordings,
            warning,
        })
    }

    /// Opens the history in `data_dir` only to read it: nothing is created
    /// or changed, and a database (or folder) the user may not write to is
    /// read as it is. With no database yet, the history is empty.
    pub fn open_read_only(data_dir: &Path) -> Result<Self, HistoryError> {
        let db_path = data_dir.join("history.sqlite3");
        let recordings = data_dir.join("recordings");
        let warning = Self::lost_database_warning(&db_path, &recordings);
        let db_err = |source| HistoryError::Database {
            path: db_path.clone(),
            source,
        };
        // A missing database is an empty history; a path that cannot hold
        // one (a file where a folder should be) is an error.
        let empty = match std::fs::metadata(&db_path) {
            Ok(m) => m.len() == 0,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(source) => {
                return Err(HistoryError::Unreadable {
                    path: db_path,
                    source,
                })
            }
        };
        let mut conn = if empty {
            Connection::open_in_memory().map_err(db_err)?
        } else {
            read_only_connection(&db_path).map_err(db_err)?
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db_err)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(db_err)?;
        if version > migrations::current_version() {
            return Err(HistoryError::TooNew {
                path: db_path,
                found: version,
                known: migrations::current_version(),
            });
        }
        if version < migrations::current_version() {
            // Not created yet (an empty file), or an older schema that
            // cannot be upgraded without writing: read an empty history.
            conn = Connection::open_in_memory().map_err(db_err)?;
            migrations::migrate(&mut conn, &db_path)?;
        }
        Ok(Self {
            conn,
            db_path,
            data_dir: data_dir.to_path_buf(),
            recordings,
            warning,
        })
    }

    /// A problem found when opening that the user should hear about (the
    /// database lost while recordings remain), if any.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// How a recording's path is stored: relative to the data directory
    /// when it lies inside it, so the data directory can be moved, copied
    /// or named by a relative path from anywhere.
    fn stored_path(&self, path: &Path) -> String {
        path.strip_prefix(&self.data_dir)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned()
    }

    /// Where a stored recording path points: paths stored relative to the
    /// data directory (`recordings/...`) are resolved against it.
    fn resolve(&self, mut answer: AnswerRecord) -> AnswerRecord {
        if let Some(path) = &answer.recording {
            if path.is_relative() && path.starts_with("recordings") {
                answer.recording = Some(self.data_dir.join(path));
            }
        }
        answer
    }

    fn db_err(&self) -> impl Fn(rusqlite::Error) -> HistoryError + '_ {
        move |source| HistoryError::Database {
            path: self.db_path.clone(),
            source,
        }
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Starts a session and returns its id.
    pub fn start_session(
        &mut self,
        kind: SessionKind,
        title: &str,
        settings: &serde_json::Value,
    ) -> Result<i64, HistoryError> {
        self.conn
            .execute(
                "INSERT INTO sessions (started_at, kind, title, settings_json) VALUES (?1, ?2, ?3, ?4)",
                params![records::now(), kind.as_str(), title, settings.to_string()],
            )
            .map_err(self.db_err())?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Ends a session: marks it finished, or removes it when not one answer
    /// was stored (a microphone that failed to open, an interview stopped
    /// before the first answer), so no empty session is listed. Returns
    /// whether the session was kept.
    pub fn end_session(&mut self, session: i64) -> Result<bool, HistoryError> {
        let answers: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM answers WHERE session_id = ?1",
                [session],
                |row| row.get(0),
            )
            .map_err(self.db_err())?;
        if answers > 0 {
            self.finish_session(session)?;
            return Ok(true);
        }
        let removed = self
            .conn
            .execute("DELETE FROM sessions WHERE id = ?1", [session])
            .map_err(self.db_err())?;
        if removed == 0 {
            return Err(HistoryError::NoSession(session));
        }
        Ok(false)
    }

    /// Marks a session finished.
    pub fn finish_session(&mut self, session: i64) -> Result<(), HistoryError> {
        let changed = self
            .conn
            .execute(
                "UPDATE sessions SET ended_at = ?1 WHERE id = ?2",
                params![records::now(), session],
            )
            .map_err(self.db_err())?;
        if changed == 0 {
            return Err(HistoryError::NoSession(session));
        }
        Ok(())
    }

    /// Where the recording of answer `position` of `session` goes (a private
    /// directory per session is created).
    pub fn recording_path(&self, session: i64, position: u32) -> Result<PathBuf, HistoryError> {
        let dir = self.recordings.join(format!("session-{session:05}"));
        paths::create_private_dir(&dir)?;
        // Created private now, so the recording is never readable by others,
        // not even while it is being written; and created new, so a file
        // already there (a session id reused after the database was lost)
        // is never overwritten: the next free name is taken instead.
        for copy in 1u32.. {
            let name = match copy {
                1 => format!("answer-{position:02}.wav"),
                n => format!("answer-{position:02}-{n}.wav"),
            };
            let path = dir.join(name);
            if paths::create_new_private_file(&path)? {
                return Ok(path);
            }
        }
        unreachable!("an unbounded range always yields a free name")
    }

    /// Stores one answer in a single transaction; the recording's sha256 is
    /// computed here and the file made private.
    pub fn add_answer(&mut self, session: i64, answer: &NewAnswer) -> Result<i64, HistoryError> {
        let sha256 = match &answer.recording {
            Some(path) => {
                paths::make_private_if_exists(path)?;
                Some(
                    crate::model::store::sha256_file(path).map_err(|e| HistoryError::Io {
                        path: path.clone(),
                        source: std::io::Error::other(e.to_string()),
                    })?,
                )
            }
            None => None,
        };
        let stored = answer.recording.as_deref().map(|p| self.stored_path(p));
        self.in_transaction(|tx| {
            records::insert_answer(tx, session, answer, stored.as_deref(), sha256.as_deref())?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Every session, newest first.
    pub fn sessions(&self) -> Result<Vec<SessionRecord>, HistoryError> {
        records::sessions(&self.conn).map_err(self.db_err())
    }

    /// One session.
    pub fn session(&self, id: i64) -> Result<SessionRecord, HistoryError> {
        records::session(&self.conn, id)
            .optional()
            .map_err(self.db_err())?
            .ok_or(HistoryError::NoSession(id))
    }

    /// The answers of a session in the order given.
    pub fn answers(&self, session: i64) -> Result<Vec<AnswerRecord>, HistoryError> {
        let answers = records::answers(&self.conn, Some(session)).map_err(self.db_err())?;
        Ok(answers.into_iter().map(|a| self.resolve(a)).collect())
    }

    /// Every answer ever given, oldest first.
    pub fn all_answers(&self) -> Result<Vec<AnswerRecord>, HistoryError> {
        let answers = records::answers(&self.conn, None).map_err(self.db_err())?;
        Ok(answers.into_iter().map(|a| self.resolve(a)).collect())
    }

    /// Replaces the stored transcript and analysis of an answer (re-analysis).
    pub fn update_analysis(
        &mut self,
        answer: i64,
        update: &AnalysisUpdate,
    ) -> Result<(), HistoryError> {
        self.in_transaction(|tx| records::update_analysis(tx, answer, update).map(|_| ()))
    }

    /// Runs `work` in one transaction, committed only if it succeeds.
    fn in_transaction<T>(
        &mut self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, HistoryError> {
        let db_err = |source| HistoryError::Database {
            path: self.db_path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(db_err)?;
        let value = work(&tx).map_err(db_err)?;
        tx.commit().map_err(db_err)?;
        Ok(value)
    }

    /// Each question's latest coverage score (0..1), for weighting draws
    /// toward the questions answered worst.
    pub fn question_scores(&self) -> Result<HashMap<String, f64>, HistoryError> {
        let mut scores = HashMap::new();
        let answers = self.all_answers()?;
        for answer in answers.iter().filter(|a| a.is_main()) {
            if let Some(coverage) = progress::combined_coverage(answer, &answers) {
                scores.insert(answer.question_id.clone(), coverage);
            }
        }
        Ok(scores)
    }
}

/// A read-only connection to an existing database. SQLite reads a WAL
/// database through its `-shm` side file, which it cannot create in a
/// read-only folder; the database is then read as immutable (no other
/// process can be writing to a folder no one may write to).
fn read_only_connection(db_path: &Path) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(db_path, flags)?;
    let readable = conn.pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0));
    if readable.is_ok() {
        return Ok(conn);
    }
    drop(conn);
    let uri = format!("file:{}?immutable=1", uri_path(db_path));
    Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
}

/// A path as the path of a `file:` URI: characters other than unreserved
/// ones and `/` percent-encoded.
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for byte in absolute.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Switches the database to write-ahead logging. The switch needs the
/// database to itself, and SQLite answers "busy" at once, without waiting
/// (its busy timeout does not cover this case), when another connection
/// opened the same new database a moment before and is switching it too:
/// two first runs at once. So it is tried again for up to 5 s.
fn set_wal_mode(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests;
