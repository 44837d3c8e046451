//! Shared helpers for the integration tests: the real model, speech synthesised
//! with espeak-ng, format conversion with sox, and running the built binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};

use rehearse::transcribe::Transcriber;

/// The tiny.en model the tests run against (fetched by `scripts/fetch-model.sh`).
pub fn model_path() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ggml-tiny.en.bin");
    assert!(
        path.exists(),
        "{} is missing: run `scripts/fetch-model.sh` (or `cargo run --release -- model fetch tiny.en`) before the tests",
        path.display()
    );
    path
}

/// One transcriber shared by every test in a test binary, behind a lock:
/// whisper already uses every core, and tests decoding side by side would
/// only slow each other down (spinning threads on 2 cores).
pub fn transcriber() -> MutexGuard<'static, Transcriber> {
    static LOADED: OnceLock<Mutex<Transcriber>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            Mutex::new(Transcriber::load(&model_path()).expect("the fetched model loads"))
        })
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Held while a test runs whisper in a child process, for the same reason.
pub fn cpu_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn run_tool(cmd: &mut Command, what: &str) {
    let out = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| {
        panic!("{what} could not run ({e}): run `scripts/setup.sh` to install it")
    });
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Speaks `text` with espeak-ng into a 16 kHz mono 16-bit WAV at `out`.
pub fn synth(text: &str, out: &Path) {
    let raw = out.with_extension("espeak.wav");
    run_tool(
        Command::new("espeak-ng").arg("-w").arg(&raw).arg(text),
        "espeak-ng",
    );
    sox(&raw, out, &["-r", "16000", "-c", "1", "-b", "16"]);
    std::fs::remove_file(raw).ok();
}

/// `sox input [options] output`: options describe the output format.
pub fn sox(input: &Path, output: &Path, options: &[&str]) {
    run_tool(
        Command::new("sox").arg(input).args(options).arg(output),
        "sox",
    );
}

/// Runs the built `rehearse` binary with no standard input.
pub fn rehearse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the rehearse binary runs")
}

/// Lossy stderr of an output.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
