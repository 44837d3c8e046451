//! A capture source that "speaks" a WAV file into the recorder, as if a person
//! answered into the microphone: the file's samples, then room silence, so the
//! same recording pipeline (VAD, limits, WAV sink) ends the answer. Used by the
//! demo and by tests; never a substitute for the real microphone path.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use crate::audio::capture::{CaptureEvent, CaptureSource};
use crate::audio::wav::{self, WavError};

/// A file being played into the recorder.
pub struct FileInput {
    pub source: CaptureSource,
    /// Keep this alive while recording; dropping it stops the feeder thread.
    pub feeder: FeederGuard,
}

/// Stops the feeder thread when dropped.
pub struct FeederGuard(Arc<AtomicBool>);

impl Drop for FeederGuard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Starts feeding `path` in 100 ms chunks. `speed` 1.0 paces it in real time
/// (so countdowns look real); larger values run faster. After the file, near-silence
/// (a -70 dBFS hiss) follows until the recorder stops listening.
pub fn play_into_recorder(path: &Path, speed: f64) -> Result<FileInput, WavError> {
    let clip = wav::read_mono(path)?;
    let (tx, events) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let stop_feeder = stop.clone();
    let rate = clip.sample_rate;
    let chunk = (rate as usize / 10).max(1);
    let pause = Duration::from_secs_f64(0.1 / speed.max(0.01));
    std::thread::spawn(move || {
        let mut seed = 0x2545_f491u32;
        let mut hiss = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.0006
        };
        let mut position = 0;
        while !stop_feeder.load(Ordering::SeqCst) {
            let samples: Vec<f32> = if position < clip.samples.len() {
                let end = (position + chunk).min(clip.samples.len());
                let part = clip.samples[position..end].to_vec();
                position = end;
                part
            } else {
                (0..chunk).map(|_| hiss()).collect()
            };
            if tx.send(CaptureEvent::Audio(samples)).is_err() {
                break;
            }
            std::thread::sleep(pause);
        }
    });
    Ok(FileInput {
        source: CaptureSource {
            events,
            sample_rate: rate,
            channels: 1,
            sample_format: cpal::SampleFormat::F32,
            device: format!("file {}", path.display()),
        },
        feeder: FeederGuard(stop),
    })
}
