//! Recording, playback, microphone check and speech through the real cpal
//! and ALSA code path, on a file-backed sound card (see `AlsaRig`).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{spoken_fixture, stderr, wav_samples, AlsaRig};

const ANSWER: &str = "My biggest mistake was missing a deadline. I learned to ask for help early.";

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.code().is_some(),
        "killed by a signal: {}",
        stderr(out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

#[test]
fn recording_equals_the_microphone_input_and_silence_ends_it() {
    let fixture = spoken_fixture(ANSWER);
    let rig = AlsaRig::new(&fixture);
    let wav = rig.dir.path().join("answer.wav");
    let out = rig.run(&[
        "record",
        wav.to_str().unwrap(),
        "--time-limit",
        "60",
        "--silence",
        "2",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let result = json(&out);
    assert_eq!(result["ended_by"], "silence");
    assert_eq!(result["device_rate"], 16_000);
    let first_speech = result["time_to_first_speech"].as_f64().unwrap();
    assert!(
        (first_speech - 1.0).abs() <= 0.1,
        "first speech at {first_speech} s"
    );

    let recorded = wav_samples(&wav);
    assert!(
        recorded.len() >= fixture.len(),
        "{} < {}",
        recorded.len(),
        fixture.len()
    );
    assert_eq!(
        recorded[..fixture.len()],
        fixture[..],
        "recording differs from the input"
    );
    // After the input ends the device gives silence (measured: values of
    // 0 and +-1, about -90 dBFS); 2 s of it end the answer.
    let after = &recorded[fixture.len()..];
    assert!(
        after.iter().all(|s| s.abs() <= 1),
        "sound after the input ended"
    );
    let extra = (recorded.len() - fixture.len()) as f64 / 16_000.0;
    assert!(extra <= 2.05, "{extra:.2} s recorded after the input ended");
}

#[test]
fn time_limit_ends_the_answer_exactly() {
    let fixture = spoken_fixture(ANSWER);
    let rig = AlsaRig::new(&fixture);
    let wav = rig.dir.path().join("answer.wav");
    let out = rig.run(&[
        "record",
        wav.to_str().unwrap(),
        "--time-limit",
        "2.5",
        "--silence",
        "0",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["ended_by"], "time_limit");
    let recorded = wav_samples(&wav);
    assert_eq!(recorded.len(), 40_000);
    assert_eq!(recorded[..], fixture[..40_000]);
}

/// Starts a long recording and waits until at least `bytes` reached the file.
fn start_long_recording(rig: &AlsaRig, wav: &std::path::Path, bytes: u64) -> std::process::Child {
    let child = rig
        .command(&[
            "record",
            wav.to_str().unwrap(),
            "--time-limit",
            "3600",
            "--silence",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::fs::metadata(wav).map(|m| m.len()).unwrap_or(0) < bytes {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "recording never grew"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

#[test]
fn ctrl_c_leaves_a_valid_wav_with_everything_captured() {
    let fixture = spoken_fixture(ANSWER);
    let rig = AlsaRig::new(&fixture);
    let wav = rig.dir.path().join("answer.wav");
    let child = start_long_recording(&rig, &wav, 400_000);
    // SAFETY: plain kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("interrupted: the"),
        "{}",
        stderr(&out)
    );
    // The header was finalised: the WAV's length covers every byte on disk.
    let file_len = std::fs::metadata(&wav).unwrap().len();
    let recorded = wav_samples(&wav);
    assert_eq!(44 + recorded.len() as u64 * 2, file_len);
    assert!(recorded.len() >= 200_000);
    assert_eq!(recorded[..fixture.len()], fixture[..]);
}

#[test]
fn a_killed_recording_is_recovered_with_recover() {
    let fixture = spoken_fixture(ANSWER);
    let rig = AlsaRig::new(&fixture);
    let wav = rig.dir.path().join("answer.wav");
    let mut child = start_long_recording(&rig, &wav, 400_000);
    child.kill().unwrap(); // SIGKILL: no chance to finalise
    child.wait().unwrap();
    let out = common::rehearse(&["recover", wav.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file_len = std::fs::metadata(&wav).unwrap().len();
    let recorded = wav_samples(&wav);
    assert_eq!(
        44 + recorded.len() as u64 * 2,
        file_len,
        "every byte is in the WAV again"
    );
    assert!(recorded.len() as u64 * 2 >= 400_000 - 44);
    assert_eq!(recorded[..fixture.len()], fixture[..]);
    // Running it again finds nothing to do.
    let again = common::rehearse(&["recover", wav.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already complete"));
}

#[test]
fn mic_check_tells_silent_quiet_clipping_and_ok_apart() {
    let speech = spoken_fixture(ANSWER);
    let scaled = |factor: f32| -> Vec<i16> {
        speech
            .iter()
            .map(|&s| (s as f32 * factor).clamp(-32768.0, 32767.0) as i16)
            .collect()
    };
    let cases = [
        ("ok", speech.clone(), 0),
        ("silent", vec![0i16; 64_000], 1),
        ("too_quiet", scaled(0.01), 1),
        ("clipping", scaled(30.0), 1),
    ];
    for (verdict, samples, code) in cases {
        let rig = AlsaRig::new(&samples);
        let out = rig.run(&["mic-check", "--seconds", "3", "--json"]);
        assert_eq!(out.status.code(), Some(code), "{verdict}: {}", stderr(&out));
        assert_eq!(
            json(&out)["verdict"],
            verdict,
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn playback_sends_the_recording_to_the_speaker() {
    let fixture = spoken_fixture(ANSWER);
    let rig = AlsaRig::new(&[]);
    let wav = rig.dir.path().join("answer.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&wav, spec).unwrap();
    fixture
        .iter()
        .for_each(|&s| writer.write_sample(s).unwrap());
    writer.finalize().unwrap();
    let out = rig.run(&["play", wav.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let played = rig.played();
    assert!(played.len() >= fixture.len());
    assert_eq!(played[..fixture.len()], fixture[..]);
}

#[test]
fn a_missing_microphone_input_is_a_clear_error() {
    let rig = AlsaRig::new(&[]);
    std::fs::remove_file(&rig.input).unwrap();
    let wav = rig.dir.path().join("answer.wav");
    let out = rig.run(&["record", wav.to_str().unwrap(), "--time-limit", "2"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("input device \"default\" cannot be used"),
        "{err}"
    );
    assert!(err.contains("rehearse devices"), "{err}");
}

/// speech-dispatcher set up headless: espeak-ng through ALSA into the rig.
fn speech_env(rig: &AlsaRig, cmd: &mut Command, with_audio: bool) {
    let config_home = rig.dir.path().join("config");
    let runtime = rig.dir.path().join("runtime");
    std::fs::create_dir_all(config_home.join("speech-dispatcher")).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    std::fs::write(
        config_home.join("speech-dispatcher/speechd.conf"),
        "DefaultModule espeak-ng\nAudioOutputMethod \"alsa\"\nAddModule \"espeak-ng\" \"sd_espeak-ng\" \"espeak-ng.conf\"\n",
    )
    .unwrap();
    cmd.env("XDG_CONFIG_HOME", config_home)
        .env("XDG_RUNTIME_DIR", runtime);
    if !with_audio {
        cmd.env_remove("ALSA_CONFIG_PATH");
    }
}

#[test]
fn questions_are_spoken_through_speech_dispatcher() {
    let rig = AlsaRig::new(&[]);
    let mut cmd = rig.command(&["say", "Tell me about your biggest mistake."]);
    speech_env(&rig, &mut cmd, true);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("spoken with speech-dispatcher"),
        "{}",
        stderr(&out)
    );
    let played = rig.played();
    let loud = played.iter().filter(|s| s.unsigned_abs() > 1000).count();
    assert!(
        loud > 1000,
        "the speaker received {} samples, {loud} loud",
        played.len()
    );
}

/// `say` exists to speak: when speech never finishes it gives up in bounded
/// time, still prints the text, and fails (exit 2) saying why, instead of
/// reporting success.
#[test]
fn speech_that_never_finishes_gives_up_in_bounded_time_and_fails() {
    // No sound card: speech-dispatcher accepts the text but never finishes.
    let rig = AlsaRig::new(&[]);
    let mut cmd = rig.command(&["say", "Why do you want this job?"]);
    speech_env(&rig, &mut cmd, false);
    let started = Instant::now();
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(30));
    let err = stderr(&out);
    assert!(
        err.contains("gave up speaking") || err.contains("questions will be shown, not spoken"),
        "{err}"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Why do you want this job?"
    );
}

#[test]
fn enter_ends_the_answer() {
    let fixture = spoken_fixture(ANSWER);
    let rig = AlsaRig::new(&fixture);
    let wav = rig.dir.path().join("answer.wav");
    let mut child = rig
        .command(&[
            "record",
            wav.to_str().unwrap(),
            "--time-limit",
            "3600",
            "--silence",
            "0",
            "--json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::fs::metadata(&wav).map(|m| m.len()).unwrap_or(0) < 100_000 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "recording never grew"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    use std::io::Write;
    child.stdin.as_mut().unwrap().write_all(b"\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let result = json(&out);
    assert_eq!(result["ended_by"], "finished");
    let recorded = wav_samples(&wav);
    assert_eq!(recorded.len() as u64, result["samples"].as_u64().unwrap());
    assert!(recorded.len() >= 49_000, "{} samples", recorded.len());
    let n = recorded.len().min(fixture.len());
    assert_eq!(recorded[..n], fixture[..n]);
}

#[test]
fn devices_are_chosen_by_flag_and_unknown_ones_are_listed() {
    let rig = AlsaRig::new(&[]);
    let wav = rig.dir.path().join("answer.wav");
    // ALSA's `null` device: digital silence, so the time limit ends it.
    let out = rig.run(&[
        "record",
        wav.to_str().unwrap(),
        "--device",
        "null",
        "--time-limit",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let result = json(&out);
    assert_eq!(result["device"], "null");
    assert_eq!(result["samples"], 16_000);
    assert!(result["time_to_first_speech"].is_null());

    let out = rig.run(&["record", wav.to_str().unwrap(), "--device", "no-such-mic"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("no input device called \"no-such-mic\""),
        "{err}"
    );
    assert!(err.contains("null"), "available devices are listed: {err}");
}
