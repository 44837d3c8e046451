//! Nothing typed or recorded is lost, whatever goes wrong (issue 14): the
//! end of input during a follow-up, a disk that fills while an answer is
//! typed, a read-only history, a recording cut off by a crash, Ctrl-C in a
//! typed session, and the thank-you note of a typed session. Every test
//! types its answers: no whisper model is loaded.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::stderr;
use rehearse::history::{History, NewAnswer, SessionKind};

const WEAK: &str =
    "Honestly it was not my fault. My manager never told me the deadline had moved, \
    and the client changed everything at the last minute. It was not a big deal in the end.";

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `rehearse ARGS --data-dir DATA` with piped standard streams.
fn spawn_in(data: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rehearse"));
    command
        .args(args)
        .args(["--data-dir", data.to_str().unwrap()])
        .env(rehearse::model::store::MODEL_ENV, common::PLUMBING_MODEL)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    setup(&mut command);
    command.spawn().expect("the rehearse binary runs")
}

/// Runs `rehearse ARGS --data-dir DATA` with `input` on standard input.
fn typed_in(data: &Path, args: &[&str], input: &str) -> Output {
    let mut child = spawn_in(data, args, |_| {});
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    wait_at_most(child, Duration::from_secs(60)).expect("the session ends at the end of input")
}

/// The child's output if it ends within `limit`; `None` (and the child
/// killed) if it does not.
fn wait_at_most(mut child: Child, limit: Duration) -> Option<Output> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// The lines a child prints, as they come (the child's stdout is taken).
fn stdout_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a printed line containing `needle`; every line seen is kept
/// in `seen` for the failure message.
fn wait_for_line(lines: &mpsc::Receiver<String>, needle: &str, seen: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(needle);
                seen.push(line);
                if found {
                    return;
                }
            }
            Err(_) => break,
        }
    }
    panic!(
        "{needle:?} never printed; output so far:\n{}",
        seen.join("\n")
    );
}

/// EOF during a follow-up stores nothing for it: the session ends cleanly
/// with the main answer kept, and no empty answer is stored.
#[test]
fn end_of_input_during_a_follow_up_stores_nothing_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = typed_in(
        &data,
        &[
            "interview",
            "--text",
            "-n",
            "1",
            "--include",
            "biggest-mistake",
            "--no-tts",
            "--follow-ups",
            "1",
        ],
        &format!("{WEAK}\n\n"),
    );
    let text = stdout(&out);
    assert!(text.contains("Follow-up:"), "no follow-up asked:\n{text}");
    assert!(
        out.status.success(),
        "the end of input ends the session cleanly: {:?}\n{text}\n{}",
        out.status,
        stderr(&out)
    );
    assert!(text.contains("Saved as session 1"), "{text}");
    let answers = History::open(&data).unwrap().all_answers().unwrap();
    let typed: Vec<&str> = answers.iter().map(|a| a.transcript_text.as_str()).collect();
    assert_eq!(typed, [WEAK], "only the main answer is stored");
}

/// The end of input before the second question stores nothing for it.
#[test]
fn end_of_input_before_an_answer_stores_no_empty_answer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = typed_in(
        &data,
        &[
            "interview",
            "--text",
            "-n",
            "2",
            "--no-tts",
            "--follow-ups",
            "0",
        ],
        &format!("{WEAK}\n\n"),
    );
    assert!(out.status.success(), "{:?}\n{}", out.status, stderr(&out));
    let answers = History::open(&data).unwrap().all_answers().unwrap();
    assert_eq!(answers.len(), 1, "{answers:#?}");
    assert_eq!(answers[0].transcript_text, WEAK);
}

/// A disk that fills while an answer is typed: the answer is not lost. The
/// write failure is real: once the session has started, the child may
/// write no byte to any file (RLIMIT_FSIZE, with SIGXFSZ ignored so writes
/// fail with EFBIG as on a full disk), so the history cannot store the
/// answer. The answer is printed back in full with an error naming the
/// database.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_while_typing_gives_the_answer_back() {
    use std::os::unix::process::CommandExt;

    const ANSWER: &str = "I have spent six years building payment systems for small shops, \
        and for the last two I led a team of five engineers through a rewrite of our checkout.";
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = spawn_in(
        &data,
        &[
            "interview",
            "--text",
            "-n",
            "1",
            "--include",
            "tell-me-about-yourself",
            "--no-tts",
            "--follow-ups",
            "0",
        ],
        |command| {
            // SAFETY: only async-signal-safe libc calls between fork and exec.
            unsafe {
                command.pre_exec(|| {
                    libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                    Ok(())
                });
            }
        },
    );
    let lines = stdout_lines(&mut child);
    let mut seen = Vec::new();
    wait_for_line(&lines, "Type your answer", &mut seen);
    // The session is started and the database open: from now on no file
    // may grow.
    let limit = libc::rlimit {
        rlim_cur: 1,
        rlim_max: 1,
    };
    // SAFETY: a plain system call on our own child's pid.
    let set = unsafe {
        libc::prlimit(
            child.id() as libc::pid_t,
            libc::RLIMIT_FSIZE,
            &limit,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(set, 0, "prlimit: {}", std::io::Error::last_os_error());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{ANSWER}\n\n").as_bytes())
        .unwrap();
    let out = wait_at_most(child, Duration::from_secs(60)).expect("the session ends");
    seen.extend(lines.try_iter());
    let printed = format!("{}\n{}", seen.join("\n"), stderr(&out));
    assert_eq!(out.status.code(), Some(2), "{printed}");
    assert!(
        printed.contains(ANSWER),
        "the answer is not given back:\n{printed}"
    );
    assert!(printed.contains("history.sqlite3"), "{printed}");
    assert!(printed.contains("not saved"), "{printed}");
    assert!(!printed.contains("panicked"), "{printed}");
}

/// A history with one typed session (answered "I like calm, focused teams").
fn history_with_a_typed_session(data: &Path) {
    let mut history = History::open(data).unwrap();
    let session = history
        .start_session(
            SessionKind::Interview,
            "Mock interview (1 question)",
            &serde_json::json!({}),
        )
        .unwrap();
    history
        .add_answer(
            session,
            &NewAnswer {
                position: 1,
                attempt: 1,
                question_id: "ideal-environment".into(),
                question_text: "Describe your ideal work environment.".into(),
                transcript_text: "I like calm, focused teams.".into(),
                coverage: Some(0.5),
                ..NewAnswer::default()
            },
        )
        .unwrap();
    assert!(history.end_session(session).unwrap());
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Everything under `root` owned by `uid` (root only).
#[cfg(unix)]
fn chown_all(root: &Path, uid: u32) {
    std::os::unix::fs::lchown(root, Some(uid), Some(uid)).unwrap();
    if root.is_dir() {
        for entry in std::fs::read_dir(root).unwrap() {
            chown_all(&entry.unwrap().path(), uid);
        }
    }
}

/// The uid the read-only tests run rehearse as: root ignores file modes, so
/// as root the data is given to `nobody` and rehearse runs as `nobody`.
#[cfg(unix)]
fn unprivileged() -> Option<u32> {
    // SAFETY: geteuid has no preconditions.
    (unsafe { libc::geteuid() } == 0).then_some(65534)
}

#[cfg(unix)]
fn run_as(data: &Path, args: &[&str], uid: Option<u32>) -> Output {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_rehearse"));
    command
        .args(args)
        .args(["--data-dir", data.to_str().unwrap()])
        .env(rehearse::model::store::MODEL_ENV, common::PLUMBING_MODEL)
        .stdin(Stdio::null());
    if let Some(uid) = uid {
        command.uid(uid).gid(uid);
    }
    command.output().unwrap()
}

/// A history the user may not write to (the file, or the file and its
/// folder, or only its folder, read-only): `replay`, `progress` and
/// `thank-you` read it as it
/// is and change nothing; a command that would write says the database
/// exists but is read-only.
#[cfg(unix)]
#[test]
fn a_read_only_history_is_read_and_never_changed() {
    // (file read-only, folder read-only)
    for (file_read_only, folder_read_only) in [(true, false), (true, true), (false, true)] {
        let case = (file_read_only, folder_read_only);
        let dir = tempfile::tempdir().unwrap();
        chmod(dir.path(), 0o755);
        let data = dir.path().join("data");
        history_with_a_typed_session(&data);
        let db = data.join("history.sqlite3");
        let before = std::fs::read(&db).unwrap();
        let uid = unprivileged();
        if let Some(uid) = uid {
            chown_all(&data, uid);
        }
        if file_read_only {
            chmod(&db, 0o444);
        }
        if folder_read_only {
            chmod(&data, 0o555);
            chmod(&data.join("recordings"), 0o555);
        }
        let listed = run_as(&data, &["replay"], uid);
        assert!(
            listed.status.success(),
            "(file, folder) read-only: {case:?}: {}",
            stderr(&listed)
        );
        assert!(
            stdout(&listed).contains("Mock interview (1 question)"),
            "{}",
            stdout(&listed)
        );
        let shown = run_as(&data, &["replay", "1"], uid);
        assert!(shown.status.success(), "{}", stderr(&shown));
        assert!(
            stdout(&shown).contains("I like calm, focused teams."),
            "{}",
            stdout(&shown)
        );
        let progress = run_as(&data, &["progress", "--json"], uid);
        assert!(progress.status.success(), "{}", stderr(&progress));
        assert!(
            stdout(&progress).contains("ideal-environment"),
            "{}",
            stdout(&progress)
        );
        let note = run_as(
            &data,
            &[
                "thank-you",
                "1",
                "--interviewer",
                "Ms Rivera",
                "--company",
                "Acme",
                "--position",
                "Engineer",
            ],
            uid,
        );
        assert!(note.status.success(), "{}", stderr(&note));
        assert!(
            stdout(&note).contains("Dear Ms Rivera"),
            "{}",
            stdout(&note)
        );

        let write = run_as(&data, &["interview", "--text", "-n", "1", "--no-tts"], uid);
        let err = stderr(&write);
        assert_eq!(write.status.code(), Some(2), "{err}");
        assert!(err.contains("read-only"), "{err}");
        if !file_read_only {
            assert!(err.contains("its folder"), "{err}");
        }
        assert!(err.contains("history.sqlite3"), "{err}");
        assert!(!err.contains("cannot create"), "{err}");

        assert_eq!(std::fs::read(&db).unwrap(), before, "the database changed");
        chmod(&data, 0o755);
        chmod(&data.join("recordings"), 0o755);
    }
}

/// `replay` on a data folder with no history yet creates nothing.
#[test]
fn listing_an_empty_data_folder_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let out = typed_in(&data, &["replay"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("No sessions yet"), "{}", stdout(&out));
    let left: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A 16 kHz mono WAV of `secs` seconds of a tone, cut after `keep` of its
/// bytes (its header still claims every sample).
fn cut_wav(path: &Path, secs: f64, keep: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(secs * 16_000.0) as usize {
        let t = i as f32 / 16_000.0;
        writer
            .write_sample(((t * 440.0 * std::f32::consts::TAU).sin() * 8000.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
    let bytes = std::fs::read(path).unwrap();
    let kept = (bytes.len() as f64 * keep) as usize & !1;
    std::fs::write(path, &bytes[..kept]).unwrap();
}

/// A WAV whose header claims more audio than the file holds (a recording
/// cut off by a crash): `analyze` and `replay --play` say so and point to
/// `rehearse recover`, which makes the audio present readable again.
#[test]
fn a_cut_recording_points_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("answer.wav");
    cut_wav(&cut, 2.0, 0.5);
    let analyze = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args([
            "analyze",
            cut.to_str().unwrap(),
            "--question",
            "biggest-mistake",
            "--keywords-only",
        ])
        .args([
            "--models-dir",
            dir.path().join("no-models").to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = stderr(&analyze);
    assert_eq!(analyze.status.code(), Some(2), "{err}");
    assert!(err.contains("answer.wav"), "{err}");
    assert!(err.contains("rehearse recover"), "{err}");
    assert!(err.contains("2.0 s"), "the claimed length is named: {err}");
    assert!(!err.contains("sox"), "not a format problem: {err}");

    // The same recording stored in a session: replay --play says so too.
    let data = dir.path().join("data");
    let mut history = History::open(&data).unwrap();
    let session = history
        .start_session(SessionKind::Interview, "cut", &serde_json::json!({}))
        .unwrap();
    let stored = history.recording_path(session, 1).unwrap();
    std::fs::copy(&cut, &stored).unwrap();
    history
        .add_answer(
            session,
            &NewAnswer {
                position: 1,
                attempt: 1,
                question_id: "biggest-mistake".into(),
                question_text: "Tell me about your biggest mistake.".into(),
                recording: Some(stored.clone()),
                transcript_text: "cut".into(),
                ..NewAnswer::default()
            },
        )
        .unwrap();
    history.end_session(session).unwrap();
    drop(history);
    let replay = typed_in(&data, &["replay", "1", "--play"], "");
    let err = stderr(&replay);
    assert_eq!(replay.status.code(), Some(2), "{err}");
    assert!(err.contains("rehearse recover"), "{err}");

    let recovered = common::rehearse(&["recover", cut.to_str().unwrap()]);
    assert!(recovered.status.success(), "{}", stderr(&recovered));
    let reader = hound::WavReader::open(&cut).unwrap();
    assert_eq!(reader.len() as usize, common_len(&cut));
}

/// Samples a 16-bit mono WAV really holds after its 44-byte header.
fn common_len(path: &Path) -> usize {
    (std::fs::metadata(path).unwrap().len() as usize - 44) / 2
}

/// The first Ctrl-C in a typed session stops it at once (no need to
/// finish the answer or press Enter), keeping what was answered and the
/// lines already typed.
#[cfg(unix)]
#[test]
fn the_first_ctrl_c_in_a_typed_session_stops_it_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = spawn_in(
        &data,
        &[
            "interview",
            "--text",
            "-n",
            "2",
            "--no-tts",
            "--follow-ups",
            "0",
        ],
        |_| {},
    );
    let lines = stdout_lines(&mut child);
    let mut seen = Vec::new();
    let mut stdin = child.stdin.take().unwrap();
    wait_for_line(&lines, "Type your answer", &mut seen);
    stdin.write_all(format!("{WEAK}\n\n").as_bytes()).unwrap();
    wait_for_line(&lines, "Question 2 of 2", &mut seen);
    wait_for_line(&lines, "Type your answer", &mut seen);
    stdin.write_all(b"I would start by\n").unwrap();
    stdin.flush().unwrap();
    // Time for the line to reach the child (generous: the machine may be
    // loaded); the answer is not finished, so without the fix the child
    // waits for more input for ever.
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let out = wait_at_most(child, Duration::from_secs(15));
    drop(stdin);
    let out = out.unwrap_or_else(|| {
        panic!(
            "still running 15 s after Ctrl-C; output:\n{}",
            seen.join("\n")
        )
    });
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let answers = History::open(&data).unwrap().all_answers().unwrap();
    let typed: Vec<&str> = answers.iter().map(|a| a.transcript_text.as_str()).collect();
    assert_eq!(typed, [WEAK, "I would start by"]);
}

/// A typed session's thank-you note recalls a question that was answered,
/// never the placeholder.
#[test]
fn a_typed_sessions_thank_you_note_names_a_question_answered() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = typed_in(
        &data,
        &[
            "interview",
            "--text",
            "-n",
            "1",
            "--include",
            "why-this-company",
            "--no-tts",
            "--follow-ups",
            "0",
        ],
        "I admire how your team builds tools that small shops can afford.\n\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let note = typed_in(
        &data,
        &[
            "thank-you",
            "1",
            "--interviewer",
            "Ms Rivera",
            "--company",
            "Acme",
            "--position",
            "Engineer",
        ],
        "",
    );
    let text = stdout(&note);
    assert!(note.status.success(), "{}", stderr(&note));
    assert!(!text.contains("[a specific topic"), "{text}");
    assert!(
        text.contains("Our conversation about why I want to work for you"),
        "{text}"
    );
}
