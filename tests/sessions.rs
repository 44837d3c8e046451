//! Whole sessions end to end: the demo, a spoken interview through the
//! file-backed ALSA card, a typed interview, a kill -9 mid-session, practice
//! attempts, replay, progress and the thank-you note, on a real SQLite file.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{model_path, spoken_fixture, stderr, synth, AlsaRig};
use rehearse::history::History;

const STRONG: &str = "My biggest mistake was a billing migration I ran two years ago. \
    I skipped the final rehearsal because I was confident. It happened because I rushed the testing. \
    As a result, two hundred customers were charged twice. It was my responsibility. \
    I told my manager straight away, rolled the change back and refunded every customer. \
    I learned that a deadline is never a reason to skip a safety check. \
    Since then every migration I run has a written checklist and a rehearsal. \
    That experience made me a more careful engineer.";

const WEAK: &str =
    "Honestly it was not my fault. My manager never told me the deadline had moved, \
    and the client changed everything at the last minute. It was not a big deal in the end.";

fn models_dir() -> String {
    model_path().parent().unwrap().to_str().unwrap().to_string()
}

fn rehearse_in(data: &Path, args: &[&str]) -> Output {
    let _cpu = common::cpu_lock();
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["--models-dir", &models_dir()])
        .args(args)
        .env(rehearse::model::store::MODEL_ENV, common::PLUMBING_MODEL)
        .args(["--data-dir", data.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every follow-up of a demo session got the demo's scripted answer to that
/// very question, never the main answer again.
fn assert_follow_ups_have_their_own_answers(answers: &[rehearse::history::AnswerRecord]) {
    for follow_up in answers.iter().filter(|a| a.follow_up_of.is_some()) {
        let parent = answers
            .iter()
            .find(|a| Some(a.id) == follow_up.follow_up_of)
            .expect("a follow-up's main answer is stored");
        assert_ne!(
            follow_up.transcript_text, parent.transcript_text,
            "{}",
            follow_up.question_text
        );
    }
    if let Some(proud) = answers
        .iter()
        .find(|a| a.question_text == "What is one thing you have done that you are proud of?")
    {
        assert!(
            proud.transcript_text.to_lowercase().contains("proud"),
            "{}",
            proud.transcript_text
        );
    }
}

#[test]
fn demo_stores_a_session_that_replay_progress_and_thank_you_find() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = rehearse_in(&data, &["demo", "--no-tts", "--speed", "50"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Question 1 of 3: Tell me about yourself."),
        "{text}"
    );
    // The demo's mistake answer leaves out prevention: that follow-up is asked.
    assert!(
        text.contains("Follow-up: What did you do to prevent this from happening again?"),
        "{text}"
    );
    assert!(text.contains("Saved as session 1"), "{text}");

    let history = History::open(&data).unwrap();
    let answers = history.answers(1).unwrap();
    assert!(answers.len() >= 4, "{} answers", answers.len());
    for a in &answers {
        let wav = a.recording.as_ref().expect("every demo answer is recorded");
        assert_eq!(
            a.recording_sha256.as_deref(),
            Some(rehearse::model::store::sha256_file(wav).unwrap().as_str())
        );
        assert!(!a.transcript_text.is_empty());
        assert!(a.analysis.is_some());
    }
    let prevention = answers
        .iter()
        .find(|a| a.question_text == "What did you do to prevent this from happening again?")
        .expect("the prevention follow-up was asked and stored");
    assert!(prevention.follow_up_of.is_some());
    assert!(
        prevention
            .transcript_text
            .to_lowercase()
            .contains("checklist"),
        "{}",
        prevention.transcript_text
    );
    // The follow-up is judged by what it asked for: prevention only, in its
    // own 20-60 s window (not the main question's 1:15-2:30).
    let judged = prevention.analysis.as_ref().unwrap();
    let elements: Vec<&str> = judged["content"]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(elements, ["prevention"], "{judged:#}");
    assert_eq!(
        judged["question"]["target_seconds"]["max"], 60,
        "{judged:#}"
    );
    let replayed = rehearse_in(&data, &["replay", "1"]);
    assert!(
        !stdout(&replayed).contains("no clear mistake named"),
        "{}",
        stdout(&replayed)
    );

    assert_follow_ups_have_their_own_answers(&answers);

    // The session's row, not the header: its id, kind and answer count.
    let list = stdout(&rehearse_in(&data, &["replay"]));
    let row = list
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap_or_else(|| panic!("no row for session 1: {list}"));
    assert!(
        row.contains("demo") && row.contains(&format!("{} answers", answers.len())),
        "{list}"
    );
    let mistake = answers
        .iter()
        .find(|a| a.question_id == "biggest-mistake" && a.follow_up_of.is_none())
        .unwrap();
    let position = mistake.position.to_string();
    let one = rehearse_in(&data, &["replay", "1", "--answer", &position]);
    assert!(one.status.success(), "{}", stderr(&one));
    let shown = stdout(&one);
    // The stored transcript and the stored verdict on every element, not
    // only the question's title.
    assert!(
        shown.contains(&format!("\"{}\"", mistake.transcript_text.trim())),
        "{shown}"
    );
    let stored = mistake.analysis.as_ref().unwrap();
    for e in stored["content"]["elements"].as_array().unwrap() {
        let label = e["name"].as_str().unwrap();
        let line = shown
            .lines()
            .find(|l| l.contains(label) && (l.contains('✓') || l.contains('~') || l.contains('✗')))
            .unwrap_or_else(|| panic!("no content line for {label}: {shown}"));
        let mark = match e["status"].as_str() {
            Some("covered") => '✓',
            Some("partly") => '~',
            _ => '✗',
        };
        assert!(line.trim_start().starts_with(mark), "{label}: {e}\n{line}");
    }

    let chart = dir.path().join("progress.svg");
    let progress = rehearse_in(&data, &["progress", "--chart", chart.to_str().unwrap()]);
    assert!(progress.status.success(), "{}", stderr(&progress));
    let trends = stdout(&progress);
    // The session's row carries the coverage the demo reported at its end.
    let mean = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("mean coverage "))
        .unwrap_or_else(|| panic!("no mean coverage: {text}"));
    let session_row = trends
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap_or_else(|| panic!("{trends}"));
    assert!(session_row.contains(mean), "{mean}: {trends}");
    // "Needs more practice": every question answered, each with the
    // follow-ups drilled under it, as (question, follow-up, coverage).
    let mut entries: Vec<(String, Option<String>, u32)> = Vec::new();
    for l in trends
        .lines()
        .skip_while(|l| !l.starts_with("Needs more practice"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
    {
        let mut parts = l.split_whitespace();
        let first = parts.next().unwrap();
        let (question, follow_up) = if first == "follow-up" {
            let parent = entries
                .last()
                .expect("a follow-up under its question")
                .0
                .clone();
            (parent, Some(parts.next().unwrap().to_string()))
        } else {
            (first.to_string(), None)
        };
        let pct = parts.next().unwrap().trim_end_matches('%').parse().unwrap();
        entries.push((question, follow_up, pct));
    }
    // Every question answered, lowest first.
    let needs: Vec<(String, u32)> = entries
        .iter()
        .filter(|(_, follow_up, _)| follow_up.is_none())
        .map(|(question, _, pct)| (question.clone(), *pct))
        .collect();
    assert_eq!(needs.len(), 3, "{trends}");
    assert!(needs.windows(2).all(|w| w[0].1 <= w[1].1), "{trends}");
    // "Practise next" is the weakest entry listed, a follow-up drilled on its
    // own included (the prevention follow-up, when the judge found no
    // prevention in its answer): its command, whichever that is.
    let command = |question: &str, follow_up: &Option<String>| match follow_up {
        Some(id) => format!("rehearse practice {question} --follow-up {id}"),
        None => format!("rehearse practice {question}"),
    };
    let lowest = entries.iter().map(|(_, _, pct)| *pct).min().unwrap();
    assert!(lowest < 100, "{trends}");
    let next = trends
        .lines()
        .find_map(|l| l.strip_prefix("Practise next: "))
        .unwrap_or_else(|| panic!("no 'Practise next': {trends}"));
    assert!(
        entries.iter().any(
            |(question, follow_up, pct)| *pct == lowest && command(question, follow_up) == next
        ),
        "{next} is not the weakest entry: {trends}"
    );
    let svg = std::fs::read_to_string(&chart).unwrap();
    for (id, _) in needs
        .iter()
        .filter(|(id, _)| id != "tell-me-about-yourself")
    {
        assert!(svg.contains(id.as_str()), "the chart does not name {id}");
    }

    let note = rehearse_in(
        &data,
        &[
            "thank-you",
            "1",
            "--interviewer",
            "Ms Rivera",
            "--company",
            "Acme",
            "--position",
            "Backend Engineer",
            "--name",
            "Sam",
        ],
    );
    assert!(note.status.success(), "{}", stderr(&note));
    let note_text = stdout(&note);
    assert!(note_text.starts_with("Dear Ms Rivera,"), "{note_text}");
    // The topic recalled is the first question of the session that is not
    // about a weakness or a mistake: "Tell me about yourself".
    assert!(
        note_text.contains("Our conversation about my background"),
        "{note_text}"
    );
    assert!(!note_text.to_lowercase().contains("mistake"), "{note_text}");
}

#[test]
fn spoken_interview_through_the_sound_card_is_stored() {
    let rig = AlsaRig::new(&spoken_fixture(STRONG));
    let data = rig.dir.path().join("data");
    let _cpu = common::cpu_lock();
    let out = rig
        .command(&[
            "--models-dir",
            &models_dir(),
            "interview",
            "-n",
            "1",
            "--include",
            "biggest-mistake",
            "--no-tts",
            "--follow-ups",
            "1",
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let history = History::open(&data).unwrap();
    let sessions = history.sessions().unwrap();
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].ended_at.is_some());
    let answers = history.answers(sessions[0].id).unwrap();
    assert!(!answers.is_empty());
    let first = &answers[0];
    assert_eq!(first.question_id, "biggest-mistake");
    assert_eq!(first.ended_by.as_deref(), Some("silence"));
    let ttfs = first.time_to_first_speech.unwrap();
    assert!((ttfs - 1.0).abs() < 0.15, "first speech after {ttfs} s");
    assert!(
        first.coverage.unwrap() >= 0.75,
        "coverage {:?}",
        first.coverage
    );
    let heard = first.transcript_text.to_lowercase();
    assert!(
        heard.contains("migration") && heard.contains("customers"),
        "{heard}"
    );
}

/// The session's progress bar, as a person at a terminal sees it: the
/// interview runs on a pseudo-terminal (util-linux `script`), answers typed.
#[test]
fn the_progress_bar_follows_the_interview_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let command = format!(
        "{} interview --text -n 2 --seed 3 --no-tts --follow-ups 0 --data-dir {}",
        env!("CARGO_BIN_EXE_rehearse"),
        data.display()
    );
    let mut child = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{WEAK}\n\n{WEAK}\n\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}\n{}", stderr(&out));
    // Each drawing of the bar: "interview [###>---] 1/2 questions  00:00:00  Question 2 of 2".
    let drawings: Vec<&str> = screen
        .split(['\r', '\n'])
        .filter_map(|line| line.find("interview [").map(|at| &line[at..]))
        .collect();
    for (count, now) in [
        ("0/2 questions", "Question 1 of 2"),
        ("1/2 questions", "Question 2 of 2"),
        ("2/2 questions", "done"),
    ] {
        assert!(
            drawings
                .iter()
                .any(|d| d.contains(count) && d.contains(now)),
            "no bar showing {count} / {now} in {drawings:#?}"
        );
    }
    assert_eq!(
        History::open(&data).unwrap().all_answers().unwrap().len(),
        2
    );
}

#[test]
fn typed_interview_needs_no_microphone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args([
            "interview",
            "--text",
            "-n",
            "1",
            "--include",
            "biggest-mistake",
            "--no-tts",
            "--follow-ups",
            "0",
        ])
        .args(["--data-dir", data.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{WEAK}\n\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let history = History::open(&data).unwrap();
    let answers = history.all_answers().unwrap();
    assert_eq!(answers.len(), 1);
    let analysis = answers[0].analysis.as_ref().unwrap();
    assert_eq!(analysis["mode"], "typed");
    let fired = analysis["content"]["fired"].as_array().unwrap();
    assert!(fired.iter().any(|f| f == "blame"), "{fired:?}");
    assert!(answers[0].recording.is_none());

    // The list reads as a table: a header, minutes not nanoseconds, and
    // "1 answer".
    let list = rehearse_in(&data, &["replay"]);
    let text = stdout(&list);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("STARTED (UTC)"), "{text}");
    assert!(lines[1].contains(" 1 answer "), "{text}");
    let started = lines[1].split_whitespace().nth(1).unwrap_or_default();
    assert_eq!(started.len(), 10, "{text}");
    assert!(!lines[1].contains('T') || !lines[1].contains('Z'), "{text}");
}

#[test]
fn kill_9_mid_session_leaves_a_consistent_database_and_every_finished_wav() {
    let rig = AlsaRig::new(&spoken_fixture(STRONG));
    let data = rig.dir.path().join("data");
    let _cpu = common::cpu_lock();
    let mut child = rig
        .command(&[
            "--models-dir",
            &models_dir(),
            "interview",
            "-n",
            "3",
            "--seed",
            "1",
            "--include",
            "biggest-mistake",
            "--no-tts",
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first stored answer, then kill without warning.
    let started = Instant::now();
    let db = data.join("history.sqlite3");
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no answer was stored"
        );
        if db.exists() {
            if let Ok(conn) = rusqlite::Connection::open_with_flags(
                &db,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            ) {
                let n: i64 = conn
                    .query_row("SELECT COUNT(*) FROM answers", [], |r| r.get(0))
                    .unwrap_or(0);
                if n >= 1 {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(_cpu);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    let history = History::open(&data).unwrap();
    let session = &history.sessions().unwrap()[0];
    assert!(session.ended_at.is_none(), "the session was cut short");
    let answers = history.answers(session.id).unwrap();
    assert!(!answers.is_empty());
    for a in &answers {
        let wav = a.recording.as_ref().unwrap();
        let reader = hound::WavReader::open(wav).expect("every stored answer's WAV is valid");
        assert!(reader.len() > 16_000);
        assert_eq!(
            a.recording_sha256.as_deref(),
            Some(rehearse::model::store::sha256_file(wav).unwrap().as_str())
        );
    }
    assert_follow_ups_have_their_own_answers(&answers);

    let list = rehearse_in(&data, &["replay"]);
    assert!(stdout(&list).contains("(unfinished)"), "{}", stdout(&list));
}

#[test]
fn practice_shows_the_second_attempt_improving() {
    let dir = tempfile::tempdir().unwrap();
    let weak = dir.path().join("weak.wav");
    let strong = dir.path().join("strong.wav");
    synth(WEAK, &weak);
    synth(STRONG, &strong);
    let data = dir.path().join("data");
    let out = rehearse_in(
        &data,
        &[
            "practice",
            "biggest-mistake",
            "--no-tts",
            "--from-wav",
            weak.to_str().unwrap(),
            strong.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Attempt 2"), "{text}");
    assert!(
        text.contains("previous") && text.contains("this attempt"),
        "{text}"
    );
    let coverage_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("coverage"))
        .unwrap();
    assert!(
        coverage_line.trim_end().ends_with("better"),
        "{coverage_line}"
    );
    let history = History::open(&data).unwrap();
    let answers = history.all_answers().unwrap();
    assert_eq!(answers.len(), 2);
    assert!(answers[1].coverage.unwrap() > answers[0].coverage.unwrap());
    assert_eq!((answers[0].attempt, answers[1].attempt), (1, 2));
}

/// No empty session is stored: `-n 0` is refused before anything starts,
/// and a microphone that cannot be opened leaves no 0-answer session.
#[test]
fn nothing_answered_leaves_no_session_behind() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let zero = rehearse_in(&data, &["interview", "-n", "0", "--text"]);
    assert_eq!(zero.status.code(), Some(2), "{}", stderr(&zero));
    assert!(stderr(&zero).contains("at least 1"), "{}", stderr(&zero));

    let mic = rehearse_in(
        &data,
        &[
            "practice",
            "biggest-mistake",
            "--no-tts",
            "--device",
            "no-such-microphone",
        ],
    );
    assert!(!mic.status.success(), "{}", stdout(&mic));
    assert!(
        stderr(&mic).contains("no-such-microphone"),
        "{}",
        stderr(&mic)
    );
    let list = rehearse_in(&data, &["replay"]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(
        stdout(&list).contains("No sessions yet"),
        "{}",
        stdout(&list)
    );
}

/// Runs rehearse with `input` typed on its standard input.
fn rehearse_typed(data: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["--models-dir", &models_dir()])
        .args(args)
        .args(["--data-dir", data.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

const WEAK_PREVENTION: &str = "I was a lot more careful for a while after that.";
const STRONG_PREVENTION: &str = "Since then I run a written checklist before every migration, \
    and my team now reviews each plan with me before it goes live.";

/// One follow-up drilled on its own, spoken then typed: asked with its
/// question as context, judged by what it asks for, attempts compared; the
/// history keeps it apart from the question's own attempts and `progress`
/// shows its trend beside its question, with the command to drill it.
#[test]
fn one_follow_up_is_drilled_on_its_own_spoken_and_typed() {
    let dir = tempfile::tempdir().unwrap();
    let weak = dir.path().join("weak.wav");
    let strong = dir.path().join("strong.wav");
    synth(WEAK_PREVENTION, &weak);
    synth(STRONG_PREVENTION, &strong);
    let data = dir.path().join("data");
    let out = rehearse_in(
        &data,
        &[
            "practice",
            "biggest-mistake",
            "--follow-up",
            "prevention",
            "--no-tts",
            "--from-wav",
            weak.to_str().unwrap(),
            strong.to_str().unwrap(),
        ],
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("Question: Tell me about your biggest mistake.")
            && text.contains(
                "Follow-up `prevention`: What did you do to prevent this from happening again?"
            )
            && text.contains("Judged on: Prevention"),
        "{text}"
    );
    assert!(text.contains("Attempt 2"), "{text}");
    let coverage_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("coverage"))
        .unwrap_or_else(|| panic!("no comparison: {text}"));
    assert!(
        coverage_line.trim_end().ends_with("better"),
        "{coverage_line}"
    );

    // Typed, naming the follow-up by its number in `banks show`; the main
    // question's own practice in the same data folder.
    let typed = rehearse_typed(
        &data,
        &["practice", "biggest-mistake", "--follow-up", "1", "--text"],
        &format!("{WEAK_PREVENTION}\n\n"),
    );
    assert!(typed.status.success(), "{}", stderr(&typed));
    let main = rehearse_typed(
        &data,
        &["practice", "biggest-mistake", "--text", "--attempts", "1"],
        &format!("{STRONG}\n\n"),
    );
    assert!(main.status.success(), "{}", stderr(&main));

    let history = History::open(&data).unwrap();
    let answers = history.all_answers().unwrap();
    let drilled: Vec<_> = answers
        .iter()
        .filter(|a| a.follow_up_id.as_deref() == Some("prevention"))
        .collect();
    assert_eq!(drilled.len(), 3, "{answers:#?}");
    for a in &drilled {
        assert_eq!(a.question_id, "biggest-mistake");
        assert_eq!(
            a.question_text,
            "What did you do to prevent this from happening again?"
        );
        assert_eq!(a.follow_up_of, None);
        let elements = a.analysis.as_ref().unwrap()["content"]["elements"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(elements.len(), 1, "judged on its target only");
    }
    let coverage: Vec<f64> = drilled.iter().map(|a| a.coverage.unwrap()).collect();
    assert_eq!(coverage, [0.0, 1.0, 0.0], "{drilled:#?}");
    assert_eq!(answers.iter().filter(|a| a.is_main()).count(), 1);

    let progress = stdout(&rehearse_in(&data, &["progress"]));
    let question_line = progress
        .lines()
        .position(|l| l.trim_start().starts_with("biggest-mistake "))
        .unwrap_or_else(|| panic!("{progress}"));
    let follow_up_line = progress.lines().nth(question_line + 1).unwrap();
    assert!(
        progress
            .lines()
            .nth(question_line)
            .unwrap()
            .contains("1 attempt;"),
        "{progress}"
    );
    assert!(
        follow_up_line.contains("follow-up prevention")
            && follow_up_line.contains("3 attempts")
            && follow_up_line.contains("0 > 100 > 0%"),
        "{progress}"
    );
    assert!(
        progress
            .contains("Practise next: rehearse practice biggest-mistake --follow-up prevention"),
        "{progress}"
    );
}

/// `practice --follow-ups` links each follow-up answer to the attempt it
/// followed, with the follow-up's id: never counted as an attempt.
#[test]
fn drilled_follow_ups_are_linked_to_their_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = rehearse_typed(
        &data,
        &[
            "practice",
            "biggest-mistake",
            "--text",
            "--attempts",
            "1",
            "--follow-ups",
        ],
        &format!("{WEAK}\n\n{STRONG_PREVENTION}\n\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let answers = History::open(&data).unwrap().all_answers().unwrap();
    assert!(answers.len() >= 2, "{answers:#?}");
    assert!(answers[0].is_main());
    for a in &answers[1..] {
        assert_eq!(a.follow_up_of, Some(answers[0].id));
        assert!(a.follow_up_id.is_some(), "{a:#?}");
    }
    let progress = stdout(&rehearse_in(&data, &["progress"]));
    assert!(progress.contains("(best"), "{progress}");
    let question = progress
        .lines()
        .find(|l| l.trim_start().starts_with("biggest-mistake "))
        .unwrap_or_else(|| panic!("{progress}"));
    assert!(question.contains("1 attempt;"), "{progress}");
}

/// The interview summary names a follow-up answered weakly and prints the
/// command that drills it.
#[test]
fn the_interview_summary_points_at_weak_follow_ups() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = rehearse_typed(
        &data,
        &[
            "interview",
            "--text",
            "-n",
            "1",
            "--include",
            "biggest-mistake",
            "--follow-ups",
            "1",
        ],
        &format!("{WEAK}\n\n{WEAK_PREVENTION}\n\n"),
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    let answers = History::open(&data).unwrap().all_answers().unwrap();
    assert_eq!(answers.len(), 2, "{answers:#?}");
    let id = answers[1]
        .follow_up_id
        .clone()
        .expect("the follow-up's id is stored");
    let section = text
        .split("Follow-ups to practise:")
        .nth(1)
        .unwrap_or_else(|| panic!("no weak follow-up named: {text}"));
    assert!(
        section.contains(&format!("biggest-mistake / {id}"))
            && section.contains(&format!(
                "rehearse practice biggest-mistake --follow-up {id}"
            )),
        "{text}"
    );
}
