//! `rehearse devices` through the real cpal/ALSA code path, with ALSA
//! configurations written by the test (this machine has no sound card).

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn devices_with_alsa_config(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .arg("devices")
        .args(args)
        .env(
            "ALSA_CONFIG_PATH",
            format!("/usr/share/alsa/alsa.conf:{}", config.display()),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn file_backed_default_device_is_listed_as_default_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("answer16k.raw");
    std::fs::write(&input, vec![0u8; 32_000]).unwrap();
    let config = dir.path().join("test.conf");
    std::fs::write(
        &config,
        format!(
            r#"pcm.!default {{
  type asym
  capture.pcm {{ type file slave.pcm "null" file "/dev/null" infile "{}" format "raw" }}
  playback.pcm {{ type file slave.pcm "null" file "{}" format "raw" }}
}}
"#,
            input.display(),
            dir.path().join("out.raw").display()
        ),
    )
    .unwrap();
    let out = devices_with_alsa_config(&config, &["--json"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let default_input = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["direction"] == "Input" && d["is_default"] == true)
        .expect("a default input");
    assert_eq!(default_input["id"], "default");
    assert!(default_input["problem"].is_null(), "{default_input}");
    let accepts_16k_mono_i16 = default_input["formats"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| {
            f["channels"] == 1
                && f["sample_format"] == "i16"
                && f["min_rate"].as_u64().unwrap() <= 16_000
                && f["max_rate"].as_u64().unwrap() >= 16_000
        });
    assert!(accepts_16k_mono_i16, "{default_input}");

    let table = devices_with_alsa_config(&config, &[]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("Inputs (microphones):"), "{text}");
    assert!(text.contains("  * default"), "{text}");
}

#[test]
fn malformed_alsa_config_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("broken.conf");
    std::fs::write(&config, "pcm.!default { type asym capture.pcm {\n").unwrap();
    let out = devices_with_alsa_config(&config, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    let err = common::stderr(&out);
    assert!(err.contains("no audio system is available"), "{err}");
    assert!(err.contains("broken.conf"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
