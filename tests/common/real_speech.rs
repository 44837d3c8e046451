//! Real human speech for the tests: the clips `scripts/fetch-fixtures.sh`
//! makes from pinned packages, and their verbatim references and
//! hand-measured timing truth from `tests/fixtures/real-speech/manifest.yaml`.
//!
//! Use from a test binary with `mod common;` and `common::real_speech::clips()`,
//! or include it alone with `#[path = "common/real_speech.rs"] mod real_speech;`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

/// Read aloud from a text, or unscripted (or disfluent on purpose).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Read,
    Spontaneous,
}

/// A silence longer than 2 s between two words, in seconds from the start.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Pause {
    pub start: f64,
    pub end: f64,
}

/// One clip of the manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct Clip {
    pub id: String,
    pub kind: Kind,
    /// Package the recording comes from (absent for joined clips).
    #[serde(default)]
    pub source: Option<String>,
    /// The clips (and inserted room tone) a joined clip is made of.
    #[serde(default)]
    pub joined: Vec<String>,
    /// Length in seconds.
    pub duration: f64,
    /// What is said, verbatim (fillers kept as "uh", "um", "hm").
    pub reference: String,
    /// Hesitation sounds in the reference, by label.
    pub fillers: BTreeMap<String, usize>,
    /// Onset of the first word.
    pub first_word: f64,
    /// End of the last word.
    pub last_word_end: f64,
    /// Silences over 2 s between words.
    pub pauses: Vec<Pause>,
    /// The longest silence between words that is not in `pauses`.
    pub longest_other_gap: f64,
    /// Every other silence of 0.5 s or more (by the energy envelope).
    #[serde(default)]
    pub silences: Vec<Pause>,
    #[serde(default)]
    pub notes: String,
    /// Where the clip is on disk (filled in by [`clips`]).
    #[serde(skip)]
    pub wav: PathBuf,
}

impl Clip {
    /// Answer-length: 30 s or more.
    pub fn answer_length(&self) -> bool {
        self.duration >= 29.0
    }

    /// Hesitation sounds in the reference.
    pub fn filler_count(&self) -> usize {
        self.fillers.values().sum()
    }

    /// The pauses as (start, end) pairs.
    pub fn pause_spans(&self) -> Vec<(f64, f64)> {
        self.pauses.iter().map(|p| (p.start, p.end)).collect()
    }

    /// Every known silence, the long pauses included, as (start, end) pairs:
    /// what is not speech between the first word and the last.
    pub fn silence_spans(&self) -> Vec<(f64, f64)> {
        let mut all = self.pause_spans();
        all.extend(self.silences.iter().map(|p| (p.start, p.end)));
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        all
    }
}

#[derive(Deserialize)]
struct Manifest {
    version: u32,
    clips: Vec<Clip>,
}

/// The manifest in the repository.
pub fn manifest_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-speech/manifest.yaml")
}

/// Where `scripts/fetch-fixtures.sh` puts the clips (`REHEARSE_REAL_SPEECH`
/// moves it, as for the script).
pub fn clip_dir() -> PathBuf {
    let base = std::env::var_os("REHEARSE_REAL_SPEECH")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/real-speech"));
    base.join("clips")
}

/// Every clip of the manifest, each checked to be on disk with the length the
/// manifest gives (so a stale or broken fetch fails here, by name).
pub fn clips() -> &'static [Clip] {
    static CLIPS: OnceLock<Vec<Clip>> = OnceLock::new();
    CLIPS.get_or_init(|| {
        let path = manifest_path();
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let manifest: Manifest =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(manifest.version, 1, "{}: unknown version", path.display());
        let dir = clip_dir();
        manifest
            .clips
            .into_iter()
            .map(|mut clip| {
                clip.wav = dir.join(format!("{}.wav", clip.id));
                check_on_disk(&clip);
                clip
            })
            .collect()
    })
}

/// The clip with this id.
pub fn clip(id: &str) -> &'static Clip {
    clips()
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no clip {id:?} in {}", manifest_path().display()))
}

fn check_on_disk(clip: &Clip) {
    let reader = hound::WavReader::open(&clip.wav).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: run `scripts/fetch-fixtures.sh` to fetch the real speech clips",
            clip.wav.display()
        )
    });
    let spec = reader.spec();
    assert!(
        spec.sample_rate == 16_000 && spec.channels == 1 && spec.bits_per_sample == 16,
        "{}: not 16 kHz mono 16-bit: run `scripts/fetch-fixtures.sh --force`",
        clip.wav.display()
    );
    let seconds = f64::from(reader.duration()) / 16_000.0;
    assert!(
        (seconds - clip.duration).abs() < 0.01,
        "{}: {seconds:.3} s, the manifest says {:.3} s: run `scripts/fetch-fixtures.sh --force`",
        clip.wav.display(),
        clip.duration
    );
}

/// What a faithful transcript of real speech (`name`) shows: no phrase
/// repeated like a loop (a string of hesitations the detector heard as
/// separate sounds is what the speaker said, see
/// [`find_loop_in`](rehearse::transcribe::guard::find_loop_in)), no
/// stretch of the speech the detector heard (`speech`) over 2 s without a
/// word, and words that never overlap.
pub fn assert_faithful(
    name: &str,
    t: &rehearse::transcribe::Transcript,
    speech: &[rehearse::audio::silero::Span],
) {
    use rehearse::transcribe::guard::{find_loop_in, holes, HOLE_SECS};
    let looped = find_loop_in(&t.words, speech);
    assert!(looped.is_none(), "{name}: loop {looped:?} in {}", t.text);
    let dropped = holes(speech, &t.words, t.duration);
    assert!(
        dropped.is_empty(),
        "{name}: speech with no word over {HOLE_SECS} s at {dropped:?}: {}",
        t.text
    );
    for pair in t.words.windows(2) {
        assert!(
            pair[0].end <= pair[1].start + 1e-9,
            "{name}: {:?} {:?}",
            pair[0],
            pair[1]
        );
    }
}
