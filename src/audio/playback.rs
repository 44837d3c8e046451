//! Playing recordings back through cpal, reporting the position as it goes
//! (so a transcript can follow along). The end is detected by counting the
//! samples handed to the device, with a wall-clock bound for a stalled one.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample, SupportedStreamConfig};

use super::devices::{device_id, find_device, reason, DeviceError, Direction, LookupError};
use super::resample::{resample_mono, ResampleError};

/// Why playback failed.
#[derive(Debug, thiserror::Error)]
pub enum PlaybackError {
    #[error(transparent)]
    Host(#[from] DeviceError),
    #[error("no speaker found: the audio system reports no default output device; pick one with --device (see `rehearse devices`)")]
    NoOutputDevice,
    #[error("no output device called {wanted:?}; available outputs: {available}. See `rehearse devices`")]
    UnknownDevice { wanted: String, available: String },
    #[error("output device {device:?} cannot be used: {reason}. Check that it is connected and not in use, or pick another with --device")]
    Unavailable { device: String, reason: String },
    #[error(transparent)]
    Resample(#[from] ResampleError),
    #[error("output device {device:?} stopped playing (played {played:.1} of {total:.1} s)")]
    Stalled {
        device: String,
        played: f64,
        total: f64,
    },
}

/// Finds the output device `wanted` (its id or name), or the default one.
pub fn find_output_device(wanted: Option<&str>) -> Result<cpal::Device, PlaybackError> {
    find_device(Direction::Output, wanted).map_err(|e| match e {
        LookupError::Host(e) => PlaybackError::Host(e),
        LookupError::NoDefault => PlaybackError::NoOutputDevice,
        LookupError::Unknown { wanted, available } => {
            PlaybackError::UnknownDevice { wanted, available }
        }
        LookupError::Unavailable { device, reason } => {
            PlaybackError::Unavailable { device, reason }
        }
    })
}

/// The clip's own rate in mono 16-bit when offered (exact), else the default.
fn choose_output_config(
    device: &cpal::Device,
    rate: u32,
) -> Result<SupportedStreamConfig, PlaybackError> {
    let unavailable = |e: String| PlaybackError::Unavailable {
        device: device_id(device),
        reason: e,
    };
    let ranges: Vec<_> = device
        .supported_output_configs()
        .map_err(|e| unavailable(reason(e)))?
        .collect();
    let exact = ranges.iter().find(|r| {
        r.channels() == 1
            && r.sample_format() == SampleFormat::I16
            && r.min_sample_rate() <= rate
            && rate <= r.max_sample_rate()
    });
    if let Some(range) = exact {
        return Ok(range.with_sample_rate(rate));
    }
    device
        .default_output_config()
        .map_err(|e| unavailable(reason(e)))
}

struct Shared {
    samples: Vec<f32>,
    position: AtomicUsize,
    failed: AtomicBool,
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    shared: Arc<Shared>,
    errors: mpsc::Sender<String>,
) -> Result<cpal::Stream, cpal::BuildStreamError>
where
    T: SizedSample + FromSample<f32> + Send + 'static,
{
    let channels = config.channels.max(1) as usize;
    let failed = shared.clone();
    device.build_output_stream(
        config,
        move |out: &mut [T], _: &cpal::OutputCallbackInfo| {
            let frames = out.len() / channels;
            let start = shared.position.load(Ordering::SeqCst);
            for (i, frame) in out.chunks_mut(channels).enumerate() {
                let value = shared.samples.get(start + i).copied().unwrap_or(0.0);
                let sample = T::from_sample(value);
                frame.iter_mut().for_each(|s| *s = sample);
            }
            shared
                .position
                .store((start + frames).min(shared.samples.len()), Ordering::SeqCst);
        },
        move |e| {
            failed.failed.store(true, Ordering::SeqCst);
            let _ = errors.send(e.to_string());
        },
        None,
    )
}

/// Plays mono `samples` at `rate` on `device`; `on_position` gets the seconds
/// played so far, about every 50 ms.
pub fn play(
    device: &cpal::Device,
    samples: &[f32],
    rate: u32,
    on_position: &mut dyn FnMut(f64),
) -> Result<(), PlaybackError> {
    let name = device_id(device);
    let supported = choose_output_config(device, rate)?;
    let config = supported.config();
    let device_rate = config.sample_rate;
    let samples = resample_mono(samples, rate, device_rate)?;
    let total_secs = samples.len() as f64 / device_rate as f64;
    let shared = Arc::new(Shared {
        samples,
        position: AtomicUsize::new(0),
        failed: AtomicBool::new(false),
    });
    let (error_tx, error_rx) = mpsc::channel();
    let unavailable = |e: String| PlaybackError::Unavailable {
        device: name.clone(),
        reason: e,
    };
    let stream = match supported.sample_format() {
        SampleFormat::I16 => build::<i16>(device, &config, shared.clone(), error_tx),
        SampleFormat::F32 => build::<f32>(device, &config, shared.clone(), error_tx),
        SampleFormat::I32 => build::<i32>(device, &config, shared.clone(), error_tx),
        SampleFormat::U16 => build::<u16>(device, &config, shared.clone(), error_tx),
        SampleFormat::U8 => build::<u8>(device, &config, shared.clone(), error_tx),
        SampleFormat::F64 => build::<f64>(device, &config, shared.clone(), error_tx),
        other => return Err(unavailable(format!("unsupported sample format {other}"))),
    }
    .map_err(|e| unavailable(reason(e)))?;
    stream.play().map_err(|e| unavailable(reason(e)))?;
    let started = Instant::now();
    let bound = Duration::from_secs_f64(total_secs * 2.0 + 5.0);
    loop {
        let position = shared.position.load(Ordering::SeqCst);
        on_position(position as f64 / device_rate as f64);
        if position >= shared.samples.len() {
            break;
        }
        if let Ok(message) = error_rx.try_recv() {
            if shared.failed.load(Ordering::SeqCst) {
                return Err(unavailable(message));
            }
        }
        if started.elapsed() > bound {
            return Err(PlaybackError::Stalled {
                device: name,
                played: position as f64 / device_rate as f64,
                total: total_secs,
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the device drain what it has buffered before the stream stops.
    std::thread::sleep(Duration::from_millis(250));
    drop(stream);
    Ok(())
}
