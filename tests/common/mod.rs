//! Shared helpers for the integration tests: the real model, speech synthesised
//! with espeak-ng, format conversion with sox, and running the built binary.
#![allow(dead_code)]

pub mod real_speech;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

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

/// The default model (base), which sessions, `analyze` and `transcribe` use
/// when none is named (fetched by `scripts/fetch-model.sh`).
pub fn default_model_path() -> PathBuf {
    let name = rehearse::model::store::ModelName::DEFAULT;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name.file_name());
    assert!(
        path.exists(),
        "{} is missing: run `scripts/fetch-model.sh` (or `cargo run --release -- model fetch {name}`) before the tests",
        path.display()
    );
    path
}

/// Like [`transcriber`], for the default model: one load per test binary.
/// Use one of the two in a test binary, not both (each model loaded costs
/// memory and time).
pub fn default_transcriber() -> MutexGuard<'static, Arc<Transcriber>> {
    static LOADED: OnceLock<Mutex<Arc<Transcriber>>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            Mutex::new(Arc::new(
                Transcriber::load(&default_model_path()).expect("the fetched default model loads"),
            ))
        })
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One transcriber shared by every test in a test binary, behind a lock:
/// whisper already uses every core, and tests decoding side by side would
/// only slow each other down (spinning threads on 2 cores). Clone the `Arc`
/// to hand the model to a streaming transcriber.
pub fn transcriber() -> MutexGuard<'static, Arc<Transcriber>> {
    static LOADED: OnceLock<Mutex<Arc<Transcriber>>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            Mutex::new(Arc::new(
                Transcriber::load(&model_path()).expect("the fetched model loads"),
            ))
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
    synth_with(text, out, &[]);
}

/// [`synth`] at `wpm` words per minute (espeak's default is 175).
pub fn synth_at(text: &str, wpm: u32, out: &Path) {
    synth_with(text, out, &["-s", &wpm.to_string()]);
}

/// Speaks `text` with espeak-ng `espeak_options` into a 16 kHz mono 16-bit WAV.
pub fn synth_with(text: &str, out: &Path, espeak_options: &[&str]) {
    let raw = out.with_extension("espeak.wav");
    run_tool(
        Command::new("espeak-ng")
            .args(espeak_options)
            .arg("-w")
            .arg(&raw)
            .arg(text),
        "espeak-ng",
    );
    sox(&raw, out, &["-r", "16000", "-c", "1", "-b", "16"]);
    std::fs::remove_file(raw).ok();
}

/// `sox input [options] output`: options describe the output format.
pub fn sox(input: &Path, output: &Path, options: &[&str]) {
    run_tool(sox_command().arg(input).args(options).arg(output), "sox");
}

/// `sox -R`: sox dithers with a random seed when it changes rate, depth or
/// level, so without it every run fed whisper slightly different audio (an
/// 8-bit copy of one sentence read "smaller steps" in some runs and "small
/// less test" in others). Every clip the tests make is the same each run.
pub fn sox_command() -> Command {
    let mut command = Command::new("sox");
    command.arg("-R");
    command
}

/// The whisper model the plumbing tests run the binary with when they name
/// none (via `$REHEARSE_MODEL`): tiny.en, the fastest, to keep the suite
/// short. The default model (base) is what `tests/real_speech.rs` measures.
pub const PLUMBING_MODEL: &str = "tiny.en";

/// Runs the built `rehearse` binary with no standard input (and
/// [`PLUMBING_MODEL`] unless `--model` says otherwise).
pub fn rehearse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .env(rehearse::model::store::MODEL_ENV, PLUMBING_MODEL)
        .stdin(Stdio::null())
        .output()
        .expect("the rehearse binary runs")
}

/// Lossy stderr of an output.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A headless sound card made of ALSA's `file` plugin: the default capture
/// device reads `input` (raw 16 kHz mono S16_LE) and the default playback
/// device writes raw samples to `output`. The `null` device under it is not
/// paced, so tests stop on sample counts, never on wall time.
pub struct AlsaRig {
    pub dir: tempfile::TempDir,
    pub input: PathBuf,
    pub output: PathBuf,
    pub config: PathBuf,
}

impl AlsaRig {
    /// A rig whose microphone "says" the raw samples `input_samples`.
    pub fn new(input_samples: &[i16]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("mic.raw");
        let output = dir.path().join("speaker.raw");
        let config = dir.path().join("asound.conf");
        let bytes: Vec<u8> = input_samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        std::fs::write(&input, bytes).unwrap();
        std::fs::write(
            &config,
            format!(
                "pcm.!default {{\n  type asym\n  capture.pcm {{ type file slave.pcm \"null\" file \"/dev/null\" infile \"{}\" format \"raw\" }}\n  playback.pcm {{ type file slave.pcm \"null\" file \"{}\" format \"raw\" }}\n}}\n",
                input.display(),
                output.display()
            ),
        )
        .unwrap();
        Self {
            dir,
            input,
            output,
            config,
        }
    }

    /// `ALSA_CONFIG_PATH` for this rig.
    pub fn alsa_config_path(&self) -> String {
        format!("/usr/share/alsa/alsa.conf:{}", self.config.display())
    }

    /// A `rehearse` command using this rig as the sound card.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rehearse"));
        cmd.args(args)
            .env("ALSA_CONFIG_PATH", self.alsa_config_path())
            .env(rehearse::model::store::MODEL_ENV, PLUMBING_MODEL)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `rehearse` with this rig and waits.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Samples the rig's speaker received.
    pub fn played(&self) -> Vec<i16> {
        std::fs::read(&self.output)
            .unwrap_or_default()
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect()
    }
}

/// Samples of a 16-bit WAV file.
pub fn wav_samples(path: &Path) -> Vec<i16> {
    hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("{} is not a valid WAV: {e}", path.display()))
        .into_samples::<i16>()
        .map(Result::unwrap)
        .collect()
}

/// Speech for the microphone: 1 s of silence, then `text` spoken by espeak-ng,
/// as 16 kHz mono samples.
pub fn spoken_fixture(text: &str) -> Vec<i16> {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.wav");
    synth(text, &plain);
    let padded = dir.path().join("padded.wav");
    run_tool(
        sox_command()
            .arg(&plain)
            .arg(&padded)
            .args(["pad", "1", "0"]),
        "sox",
    );
    wav_samples(&padded)
}

/// espeak-ng options for answers: an American voice at 150 words a minute
/// with 30 ms between words. At espeak's default pace words run together and
/// tiny.en misses one word in six; this way about one in fifty.
pub const ANSWER_VOICE: [&str; 6] = ["-v", "en-us", "-s", "150", "-g", "3"];

/// A spoken answer: each sentence synthesised with espeak-ng
/// ([`ANSWER_VOICE`]), followed by the matching pause (seconds of silence;
/// the last sentence gets none), after `lead_in` seconds of silence. Returns
/// the whole text.
pub fn spoken_answer(sentences: &[&str], pauses: &[f64], lead_in: f64, out: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut parts = Vec::new();
    for (i, sentence) in sentences.iter().enumerate() {
        let plain = dir.path().join(format!("s{i}.wav"));
        synth_with(sentence, &plain, &ANSWER_VOICE);
        let pause = if i + 1 < sentences.len() {
            pauses[i % pauses.len()]
        } else {
            0.0
        };
        let padded = dir.path().join(format!("p{i}.wav"));
        run_tool(
            sox_command()
                .arg(&plain)
                .arg(&padded)
                .args(["pad", "0", &pause.to_string()]),
            "sox",
        );
        parts.push(padded);
    }
    run_tool(
        sox_command()
            .args(&parts)
            .arg(out)
            .args(["pad", &lead_in.to_string(), "0"]),
        "sox",
    );
    sentences.join(" ")
}
