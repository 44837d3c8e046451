//! Bad input gets a clear error naming the file and what to do: broken WAVs,
//! missing, truncated, foreign or altered model files. Never a crash.

mod common;

use std::path::Path;

use common::{model_path, rehearse, stderr, synth};

fn transcribe_with_models(models_dir: &Path, wav: &Path) -> std::process::Output {
    rehearse(&[
        "--models-dir",
        models_dir.to_str().unwrap(),
        "transcribe",
        wav.to_str().unwrap(),
    ])
}

/// A clear error is exit code 2 with the message on stderr, not a signal.
fn assert_clear_error(out: &std::process::Output, needles: &[&str]) {
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected a clean error exit: {}",
        stderr(out)
    );
    let err = stderr(out);
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

fn spoken_clip(dir: &Path) -> std::path::PathBuf {
    let wav = dir.join("clip.wav");
    synth("I learned to ask for help early.", &wav);
    wav
}

#[test]
fn not_a_wav_file_is_named_with_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("notes.wav");
    std::fs::write(&fake, "these are my interview notes, not audio").unwrap();
    let models = model_path();
    let out = transcribe_with_models(models.parent().unwrap(), &fake);
    assert_clear_error(&out, &["notes.wav", "is not a readable WAV file", "sox"]);
}

#[test]
fn missing_and_empty_wavs_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let models = model_path();
    let missing = dir.path().join("nowhere.wav");
    let out = transcribe_with_models(models.parent().unwrap(), &missing);
    assert_clear_error(&out, &["cannot open", "nowhere.wav"]);

    let empty = dir.path().join("empty.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    hound::WavWriter::create(&empty, spec)
        .unwrap()
        .finalize()
        .unwrap();
    let out = transcribe_with_models(models.parent().unwrap(), &empty);
    assert_clear_error(&out, &["empty.wav", "holds no audio"]);

    // A WAV cut off inside its data chunk is still refused clearly.
    let clip = spoken_clip(dir.path());
    let bytes = std::fs::read(&clip).unwrap();
    let cut = dir.path().join("cut.wav");
    std::fs::write(&cut, &bytes[..30]).unwrap();
    let out = transcribe_with_models(models.parent().unwrap(), &cut);
    assert_clear_error(&out, &["cut.wav"]);
}

#[test]
fn missing_model_says_how_to_fetch_it() {
    let dir = tempfile::tempdir().unwrap();
    let clip = spoken_clip(dir.path());
    let empty_models = dir.path().join("models");
    std::fs::create_dir(&empty_models).unwrap();
    let out = transcribe_with_models(&empty_models, &clip);
    assert_clear_error(&out, &["no tiny.en model", "rehearse model fetch tiny.en"]);
}

/// Runs `rehearse --models-dir DIR transcribe WAV --json` with no model named
/// anywhere (no `--model`, no `$REHEARSE_MODEL`): the default model's path.
fn transcribe_with_default_model(models_dir: &Path, wav: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["--models-dir", models_dir.to_str().unwrap(), "transcribe"])
        .arg(wav)
        .arg("--json")
        .env_remove(rehearse::model::store::MODEL_ENV)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn the_default_model_is_base_q8_0_and_tiny_en_stands_in_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let clip = spoken_clip(dir.path());
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    // Nothing fetched: the error names the default model and how to get it.
    let out = transcribe_with_default_model(&models, &clip);
    assert_clear_error(
        &out,
        &["no base-q8_0 model", "rehearse model fetch base-q8_0"],
    );
    // Only tiny.en: it is used, with one warning line saying how to get base-q8_0.
    std::os::unix::fs::symlink(model_path(), models.join("ggml-tiny.en.bin")).unwrap();
    let out = transcribe_with_default_model(&models, &clip);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("no base-q8_0 model"))
        .collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("warning:")
            && warnings[0].contains("using tiny.en")
            && warnings[0].contains("rehearse model fetch base-q8_0"),
        "{err}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["model"]
            .as_str()
            .unwrap()
            .ends_with("ggml-tiny.en.bin"),
        "{json}"
    );
    assert!(!json["text"].as_str().unwrap().is_empty(), "{json}");
    // A model named explicitly never falls back.
    let out = rehearse(&[
        "--models-dir",
        models.to_str().unwrap(),
        "transcribe",
        clip.to_str().unwrap(),
        "--model",
        "base",
    ]);
    assert_clear_error(&out, &["no base model", "rehearse model fetch base"]);
}

#[test]
fn truncated_model_is_refused_before_whisper_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let clip = spoken_clip(dir.path());
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    let original = std::fs::read(model_path()).unwrap();
    for keep in [100, 20_000_000, original.len() - 1] {
        std::fs::write(models.join("ggml-tiny.en.bin"), &original[..keep]).unwrap();
        let out = transcribe_with_models(&models, &clip);
        assert_clear_error(
            &out,
            &[
                "ggml-tiny.en.bin",
                "file ends inside",
                "truncated",
                "rehearse model fetch --force",
            ],
        );
        let verify = rehearse(&["--models-dir", models.to_str().unwrap(), "model", "verify"]);
        assert_eq!(verify.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&verify.stdout).contains("FAILED   tiny.en"));
    }
}

#[test]
fn foreign_file_and_altered_model_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clip = spoken_clip(dir.path());
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    let target = models.join("ggml-tiny.en.bin");

    std::fs::write(&target, b"<html>404 Not Found</html>").unwrap();
    let out = transcribe_with_models(&models, &clip);
    assert_clear_error(&out, &["is not a usable whisper model", "bad magic"]);

    // Same size and structure, one weight byte changed: only the recorded
    // sha256 can tell, and it does.
    let mut bytes = std::fs::read(model_path()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&target, &bytes).unwrap();
    std::fs::copy(
        rehearse::model::store::record_path(&model_path()),
        rehearse::model::store::record_path(&target),
    )
    .unwrap();
    let out = transcribe_with_models(&models, &clip);
    assert_clear_error(
        &out,
        &[
            "does not match its recorded sha256",
            "rehearse model fetch --force",
        ],
    );
}

#[test]
fn fetched_model_has_whisper_tiny_en_layout() {
    let summary = rehearse::model::ggml::inspect(&model_path()).unwrap();
    let h = summary.hparams;
    assert_eq!(
        [
            h.n_vocab,
            h.n_audio_ctx,
            h.n_audio_state,
            h.n_audio_head,
            h.n_audio_layer
        ],
        [51864, 1500, 384, 6, 4]
    );
    assert_eq!(
        [
            h.n_text_ctx,
            h.n_text_state,
            h.n_text_head,
            h.n_text_layer,
            h.n_mels,
            h.ftype
        ],
        [448, 384, 6, 4, 80, 1]
    );
    assert_eq!(summary.tensors.len(), 167);
    assert_eq!(summary.vocab_size, 50256);
    assert_eq!((summary.mel_rows, summary.mel_cols), (80, 201));
    let conv_bias = summary.tensor("encoder.conv1.bias").unwrap();
    assert_eq!(conv_bias.dims, vec![1, 384]);
    assert_eq!(
        summary
            .tensor("decoder.token_embedding.weight")
            .unwrap()
            .dims,
        vec![384, 51864]
    );
    assert!(summary.tensor("encoder.blocks.3.attn.key.bias").is_none());
    assert!(summary
        .tensor("decoder.blocks.3.cross_attn.value.bias")
        .is_some());
}

/// A report path that cannot be written is refused before any work, naming
/// the path and what to do (it used to fail only after the analysis).
#[test]
fn an_unwritable_report_path_is_refused_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let answer = dir.path().join("answer.txt");
    std::fs::write(&answer, "I missed a deadline and told my manager.").unwrap();
    let missing = dir.path().join("no-such-folder").join("report.html");
    let out = rehearse(&[
        "analyze",
        "--keywords-only",
        "--text-file",
        answer.to_str().unwrap(),
        "-q",
        "biggest-mistake",
        "--html",
        missing.to_str().unwrap(),
    ]);
    assert_clear_error(&out, &["--html", "no-such-folder", "does not exist"]);
    assert!(String::from_utf8_lossy(&out.stdout).is_empty());

    let folder = dir.path().to_str().unwrap();
    let out = rehearse(&[
        "analyze",
        "--keywords-only",
        "--text-file",
        answer.to_str().unwrap(),
        "-q",
        "biggest-mistake",
        "--markdown",
        folder,
    ]);
    assert_clear_error(&out, &["--markdown", "is a folder"]);
}

/// An error's cause is printed once, not once per layer that quotes it.
#[test]
fn an_error_names_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "not a folder").unwrap();
    let data = file.join("data");
    let out = rehearse(&["replay", "--data-dir", data.to_str().unwrap()]);
    assert_clear_error(&out, &["notes.txt"]);
    let err = stderr(&out);
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}
