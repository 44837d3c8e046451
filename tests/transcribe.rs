//! Real transcription: espeak-ng speech through the real whisper model.

mod common;

use common::{rehearse, sox, stderr, synth, transcriber};
use rehearse::audio::{resample, wav};
use rehearse::transcribe::{DecodeOptions, Transcript};
use rehearse::wer::word_error_rate;

const SENTENCES: [&str; 4] = [
    "My biggest mistake was missing a deadline on a client project.",
    "I underestimated the work and did not tell my manager early enough.",
    "Since then I break large tasks into smaller steps and share progress every week.",
    "The experience taught me to ask for help before a problem becomes urgent.",
];

/// About a minute of a spoken answer at espeak's default pace.
const LONG_ANSWER: &str = "In my last role I was responsible for migrating our billing system to a new provider. \
I was confident, so I planned the cut over for a Friday evening and skipped the final rehearsal. \
That was my mistake. When we switched, about two hundred customers were charged twice. \
I owned it immediately. I called my manager, explained what happened, and rolled the change back within an hour. \
Then I worked with the support team to refund every customer and wrote to each of them personally. \
Looking at the causes, I had rushed the testing because I wanted to hit the date, and I had not asked anyone to review my plan. \
What I learned is that a deadline is never a reason to skip a safety check. \
Today every migration I run has a written checklist, a rehearsal on a copy of the data, and a second engineer who signs off. \
We have done six migrations that way since, with no customer impact. \
I think that experience made me a more careful engineer and a better teammate.";

fn transcribe_file(path: &std::path::Path) -> Transcript {
    let clip = wav::read_mono(path).expect("readable WAV");
    let pcm = resample::to_whisper_rate(&clip).expect("resamples");
    let _cpu = common::cpu_lock();
    transcriber()
        .transcribe(&pcm, &DecodeOptions::default())
        .expect("transcribes")
}

fn assert_timestamps_sane(t: &Transcript) {
    assert!(!t.words.is_empty(), "no words in {:?}", t.text);
    for pair in t.words.windows(2) {
        assert!(
            pair[0].start <= pair[1].start,
            "word starts go backwards: {:?} then {:?}",
            pair[0],
            pair[1]
        );
        assert!(
            pair[0].end <= pair[1].start + 1e-9,
            "words overlap: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    for w in &t.words {
        assert!(
            0.0 <= w.start && w.start <= w.end && w.end <= t.duration,
            "word outside the audio ({:.2} s): {w:?}",
            t.duration
        );
        assert!((0.0..=1.0).contains(&w.probability), "{w:?}");
    }
    for s in &t.segments {
        assert!(s.start <= s.end && s.end <= t.duration, "{s:?}");
    }
}

#[test]
fn short_sentences_are_transcribed_within_20_percent_wer() {
    let dir = tempfile::tempdir().unwrap();
    for (i, sentence) in SENTENCES.iter().enumerate() {
        let path = dir.path().join(format!("s{i}.wav"));
        synth(sentence, &path);
        let t = transcribe_file(&path);
        let wer = word_error_rate(sentence, &t.text);
        assert!(
            wer <= 0.20,
            "WER {wer:.2} for {sentence:?}: got {:?}",
            t.text
        );
        assert_timestamps_sane(&t);
    }
}

#[test]
fn a_sixty_second_answer_is_transcribed_with_word_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.wav");
    synth(LONG_ANSWER, &path);
    let t = transcribe_file(&path);
    assert!(
        (50.0..80.0).contains(&t.duration),
        "clip lasts {:.1} s",
        t.duration
    );
    let wer = word_error_rate(LONG_ANSWER, &t.text);
    assert!(wer <= 0.20, "WER {wer:.3}: got {:?}", t.text);
    assert_timestamps_sane(&t);
    // Words are spread over the whole clip, not bunched at one end.
    let first = &t.words[0];
    let last = t.words.last().unwrap();
    assert!(first.start < 2.0, "first word at {:.2} s", first.start);
    assert!(
        last.end > t.duration - 5.0,
        "last word ends at {:.2} s of {:.2}",
        last.end,
        t.duration
    );
    // Word count is close to the reference's.
    let reference_words = rehearse::wer::normalize_words(LONG_ANSWER).len() as f64;
    let ratio = t.words.len() as f64 / reference_words;
    assert!(
        (0.85..1.15).contains(&ratio),
        "{} words vs {reference_words}",
        t.words.len()
    );
}

#[test]
fn any_wav_layout_is_resampled_and_transcribed() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("src.wav");
    let sentence = SENTENCES[2];
    synth(sentence, &source);
    let reference_duration = wav::read_mono(&source).unwrap().duration_secs();
    let layouts: [(&str, &[&str]); 4] = [
        (
            "stereo-44k-float",
            &["-r", "44100", "-c", "2", "-e", "floating-point", "-b", "32"],
        ),
        ("mono-48k-24bit", &["-r", "48000", "-c", "1", "-b", "24"]),
        ("mono-11k-16bit", &["-r", "11025", "-c", "1", "-b", "16"]),
        (
            "stereo-22k-8bit",
            &[
                "-r",
                "22050",
                "-c",
                "2",
                "-b",
                "8",
                "-e",
                "unsigned-integer",
            ],
        ),
    ];
    for (name, options) in layouts {
        let path = dir.path().join(format!("{name}.wav"));
        sox(&source, &path, options);
        let clip = wav::read_mono(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            (clip.duration_secs() - reference_duration).abs() < 0.01,
            "{name}: {} s vs {reference_duration} s",
            clip.duration_secs()
        );
        let t = transcribe_file(&path);
        let wer = word_error_rate(sentence, &t.text);
        assert!(wer <= 0.20, "{name}: WER {wer:.2}, got {:?}", t.text);
    }
}

#[test]
fn cli_prints_json_with_words_and_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    synth(SENTENCES[0], &path);
    let models = common::model_path();
    let _cpu = common::cpu_lock();
    let out = rehearse(&[
        "--models-dir",
        models.parent().unwrap().to_str().unwrap(),
        "transcribe",
        path.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let text = json["text"].as_str().unwrap();
    assert!(word_error_rate(SENTENCES[0], text) <= 0.2, "{text}");
    let words = json["words"].as_array().unwrap();
    assert!(words.len() >= 9, "{words:?}");
    for w in words {
        let (start, end) = (w["start"].as_f64().unwrap(), w["end"].as_f64().unwrap());
        assert!(start <= end && end <= json["duration"].as_f64().unwrap());
        assert!(w["probability"].as_f64().unwrap() > 0.0);
        assert!(!w["word"].as_str().unwrap().is_empty());
    }

    // The plain output has one timestamped line per segment.
    let out = rehearse(&[
        "--models-dir",
        models.parent().unwrap().to_str().unwrap(),
        "transcribe",
        path.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("[00:00.00 -> "), "{stdout}");
    let plain_text: Vec<&str> = stdout
        .lines()
        .map(|line| line.split_once("] ").expect("timestamped line").1)
        .collect();
    assert!(
        word_error_rate(SENTENCES[0], &plain_text.join(" ")) <= 0.2,
        "{stdout}"
    );
}
