//! Rows of the history: what is stored for a session and an answer, and the
//! SQL that reads and writes them.

use std::path::PathBuf;

use rusqlite::{params, Connection, Row};

/// Current UTC time as RFC 3339.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// What kind of session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SessionKind {
    Interview,
    Practice,
    Demo,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interview => "interview",
            Self::Practice => "practice",
            Self::Demo => "demo",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "practice" => Self::Practice,
            "demo" => Self::Demo,
            _ => Self::Interview,
        }
    }
}

/// A stored session.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionRecord {
    pub id: i64,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub kind: SessionKind,
    pub title: String,
    pub settings: serde_json::Value,
    pub answer_count: i64,
}

/// An answer to store.
#[derive(Debug, Clone, Default)]
pub struct NewAnswer {
    pub position: u32,
    pub attempt: u32,
    pub question_id: String,
    pub question_text: String,
    /// Id of the answer this follow-up question followed.
    pub follow_up_of: Option<i64>,
    /// The follow-up's id in the bank (`prevention`) when the answer is to a
    /// follow-up question, asked after an answer or drilled on its own.
    pub follow_up_id: Option<String>,
    pub recording: Option<PathBuf>,
    pub duration_secs: Option<f64>,
    pub ended_by: Option<String>,
    pub time_to_first_speech: Option<f64>,
    pub transcript_text: String,
    pub transcript: Option<serde_json::Value>,
    pub analysis: Option<serde_json::Value>,
    /// Share of rubric elements covered, 0..1.
    pub coverage: Option<f64>,
    pub fillers_per_minute: Option<f64>,
    pub words_per_minute: Option<f64>,
    pub target_secs: Option<(f64, f64)>,
}

/// A stored answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AnswerRecord {
    pub id: i64,
    pub session_id: i64,
    pub position: u32,
    pub attempt: u32,
    pub question_id: String,
    pub question_text: String,
    pub follow_up_of: Option<i64>,
    /// The follow-up's id in the bank, for answers to a follow-up.
    pub follow_up_id: Option<String>,
    pub recorded_at: String,
    pub recording: Option<PathBuf>,
    pub recording_sha256: Option<String>,
    pub duration_secs: Option<f64>,
    pub ended_by: Option<String>,
    pub time_to_first_speech: Option<f64>,
    pub transcript_text: String,
    pub transcript: Option<serde_json::Value>,
    pub analysis: Option<serde_json::Value>,
    pub coverage: Option<f64>,
    pub fillers_per_minute: Option<f64>,
    pub words_per_minute: Option<f64>,
    pub target_secs: Option<(f64, f64)>,
}

/// New transcript and analysis for an answer (after re-analysis).
#[derive(Debug, Clone, Default)]
pub struct AnalysisUpdate {
    pub transcript_text: String,
    pub transcript: Option<serde_json::Value>,
    pub analysis: Option<serde_json::Value>,
    pub coverage: Option<f64>,
    pub fillers_per_minute: Option<f64>,
    pub words_per_minute: Option<f64>,
}

fn json_text(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().map(|v| v.to_string())
}

fn parse_json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

pub fn insert_answer(
    conn: &Connection,
    session: i64,
    a: &NewAnswer,
    recording: Option<&str>,
    sha256: Option<&str>,
) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO answers (session_id, position, attempt, question_id, question_text, follow_up_of,
            recorded_at, recording_path, recording_sha256, duration_secs, ended_by, time_to_first_speech,
            transcript_text, transcript_json, analysis_json, coverage, fillers_per_minute,
            words_per_minute, target_min_secs, target_max_secs, follow_up_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        params![
            session,
            a.position,
            a.attempt.max(1),
            a.question_id,
            a.question_text,
            a.follow_up_of,
            now(),
            recording,
            sha256,
            a.duration_secs,
            a.ended_by,
            a.time_to_first_speech,
            a.transcript_text,
            json_text(&a.transcript),
            json_text(&a.analysis),
            a.coverage,
            a.fillers_per_minute,
            a.words_per_minute,
            a.target_secs.map(|t| t.0),
            a.target_secs.map(|t| t.1),
            a.follow_up_id,
        ],
    )
}

pub fn update_analysis(
    conn: &Connection,
    answer: i64,
    u: &AnalysisUpdate,
) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE answers SET transcript_text = ?1, transcript_json = ?2, analysis_json = ?3,
            coverage = ?4, fillers_per_minute = ?5, words_per_minute = ?6 WHERE id = ?7",
        params![
            u.transcript_text,
            json_text(&u.transcript),
            json_text(&u.analysis),
            u.coverage,
            u.fillers_per_minute,
            u.words_per_minute,
            answer
        ],
    )
}

const SESSION_COLUMNS: &str = "s.id, s.started_at, s.ended_at, s.kind, s.title, s.settings_json,
    (SELECT COUNT(*) FROM answers a WHERE a.session_id = s.id)";

fn session_row(row: &Row) -> rusqlite::Result<SessionRecord> {
    let kind: String = row.get(3)?;
    let settings: String = row.get(5)?;
    Ok(SessionRecord {
        id: row.get(0)?,
        started_at: row.get(1)?,
        ended_at: row.get(2)?,
        kind: SessionKind::parse(&kind),
        title: row.get(4)?,
        settings: serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null),
        answer_count: row.get(6)?,
    })
}

pub fn sessions(conn: &Connection) -> rusqlite::Result<Vec<SessionRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s ORDER BY s.id DESC"
    ))?;
    let rows = stmt.query_map([], session_row)?;
    rows.collect()
}

pub fn session(conn: &Connection, id: i64) -> rusqlite::Result<SessionRecord> {
    conn.query_row(
        &format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = ?1"),
        [id],
        session_row,
    )
}

fn answer_row(row: &Row) -> rusqlite::Result<AnswerRecord> {
    let min: Option<f64> = row.get(18)?;
    let max: Option<f64> = row.get(19)?;
    Ok(AnswerRecord {
        id: row.get(0)?,
        session_id: row.get(1)?,
        position: row.get(2)?,
        attempt: row.get(3)?,
        question_id: row.get(4)?,
        question_text: row.get(5)?,
        follow_up_of: row.get(6)?,
        recorded_at: row.get(7)?,
        recording: row.get::<_, Option<String>>(8)?.map(PathBuf::from),
        recording_sha256: row.get(9)?,
        duration_secs: row.get(10)?,
        ended_by: row.get(11)?,
        time_to_first_speech: row.get(12)?,
        transcript_text: row.get(13)?,
        transcript: parse_json(row.get(14)?),
        analysis: parse_json(row.get(15)?),
        coverage: row.get(16)?,
        fillers_per_minute: row.get(17)?,
        words_per_minute: row.get(20)?,
        follow_up_id: row.get(21)?,
        target_secs: min.zip(max),
    })
}

pub fn answers(conn: &Connection, session: Option<i64>) -> rusqlite::Result<Vec<AnswerRecord>> {
    // A database opened read-only is not migrated: one from before follow-up
    // ids (schema 1) has no such column.
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let follow_up_id = if version >= 2 { "follow_up_id" } else { "NULL" };
    let sql = format!(
        "SELECT id, session_id, position, attempt, question_id, question_text, follow_up_of,
            recorded_at, recording_path, recording_sha256, duration_secs, ended_by,
            time_to_first_speech, transcript_text, transcript_json, analysis_json, coverage,
            fillers_per_minute, target_min_secs, target_max_secs, words_per_minute, {follow_up_id}
         FROM answers WHERE (?1 IS NULL OR session_id = ?1) ORDER BY session_id, position, id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([session], answer_row)?;
    rows.collect()
}
