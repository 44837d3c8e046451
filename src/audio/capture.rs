//! Live microphone input through cpal: choosing the device and stream format,
//! and delivering mono f32 samples (at the device's rate) over a channel.

use std::sync::mpsc::{self, Receiver, Sender};

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, Sample, SampleFormat, SizedSample, SupportedStreamConfig};

use super::devices::{device_id, find_device, reason, DeviceError, Direction, LookupError};

/// The rate asked of devices first: whisper's own, so no resampling is needed.
pub const PREFERRED_RATE: u32 = 16_000;

/// Something the capture callback reports.
#[derive(Debug)]
pub enum CaptureEvent {
    /// Mono samples in [-1, 1] at the stream's rate.
    Audio(Vec<f32>),
    /// The stream failed; `device_lost` when the device went away.
    Failed { message: String, device_lost: bool },
}

/// Why recording could not start.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error(transparent)]
    Host(#[from] DeviceError),
    #[error("no microphone found: the audio system reports no default input device. Plug one in, or pick one with --device (see `rehearse devices`)")]
    NoInputDevice,
    #[error(
        "no input device called {wanted:?}; available inputs: {available}. See `rehearse devices`"
    )]
    UnknownDevice { wanted: String, available: String },
    #[error("input device {device:?} cannot be used: {reason}. Check that it is connected and not in use, or pick another with --device (see `rehearse devices`)")]
    Unavailable { device: String, reason: String },
    #[error("input device {device:?} offers only {format} samples, which rehearse cannot read; pick another with --device")]
    UnsupportedFormat {
        device: String,
        format: SampleFormat,
    },
}

/// Finds the input device `wanted` (its id or name), or the default one.
pub fn find_input_device(wanted: Option<&str>) -> Result<cpal::Device, CaptureError> {
    find_device(Direction::Input, wanted).map_err(|e| match e {
        LookupError::Host(e) => CaptureError::Host(e),
        LookupError::NoDefault => CaptureError::NoInputDevice,
        LookupError::Unknown { wanted, available } => {
            CaptureError::UnknownDevice { wanted, available }
        }
        LookupError::Unavailable { device, reason } => CaptureError::Unavailable { device, reason },
    })
}

fn format_rank(format: SampleFormat) -> Option<u8> {
    match format {
        SampleFormat::I16 => Some(0),
        SampleFormat::F32 => Some(1),
        SampleFormat::I32 => Some(2),
        SampleFormat::U16 => Some(3),
        SampleFormat::I8 => Some(4),
        SampleFormat::U8 => Some(5),
        SampleFormat::F64 => Some(6),
        _ => None,
    }
}

/// Picks a stream format: 16 kHz mono 16-bit when offered, else 16 kHz in
/// any layout, else the device's default (resampled later).
pub fn choose_input_config(device: &cpal::Device) -> Result<SupportedStreamConfig, CaptureError> {
    let name = device_id(device);
    let unavailable = |reason: String| CaptureError::Unavailable {
        device: name.clone(),
        reason,
    };
    let ranges: Vec<_> = device
        .supported_input_configs()
        .map_err(|e| unavailable(reason(e)))?
        .collect();
    let best_at_16k = ranges
        .iter()
        .filter(|r| r.min_sample_rate() <= PREFERRED_RATE && PREFERRED_RATE <= r.max_sample_rate())
        .filter_map(|r| format_rank(r.sample_format()).map(|rank| (r.channels() != 1, rank, r)))
        .min_by_key(|(not_mono, rank, r)| (*not_mono, *rank, r.channels()));
    if let Some((_, _, range)) = best_at_16k {
        return Ok(range.with_sample_rate(PREFERRED_RATE));
    }
    let default = device
        .default_input_config()
        .map_err(|e| unavailable(reason(e)))?;
    if format_rank(default.sample_format()).is_none() {
        return Err(CaptureError::UnsupportedFormat {
            device: name,
            format: default.sample_format(),
        });
    }
    Ok(default)
}

/// Where captured audio arrives, and what it is.
pub struct CaptureSource {
    pub events: Receiver<CaptureEvent>,
    pub sample_rate: u32,
    pub channels: u16,
    pub sample_format: SampleFormat,
    pub device: String,
}

/// A running input stream; dropping it stops the capture.
pub struct LiveInput {
    stream: cpal::Stream,
    pub source: CaptureSource,
}

impl LiveInput {
    /// Splits into the stream (keep it alive while recording) and the source.
    pub fn into_parts(self) -> (cpal::Stream, CaptureSource) {
        (self.stream, self.source)
    }
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    sender: Sender<CaptureEvent>,
) -> Result<cpal::Stream, cpal::BuildStreamError>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let channels = config.channels.max(1) as usize;
    let errors = sender.clone();
    device.build_input_stream(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            let mono: Vec<f32> = data
                .chunks(channels)
                .map(|frame| {
                    frame
                        .iter()
                        .map(|&s| <f32 as Sample>::from_sample(s))
                        .sum::<f32>()
                        / frame.len() as f32
                })
                .collect();
            let _ = sender.send(CaptureEvent::Audio(mono));
        },
        move |error| {
            let device_lost = matches!(
                error,
                cpal::StreamError::DeviceNotAvailable | cpal::StreamError::StreamInvalidated
            );
            let _ = errors.send(CaptureEvent::Failed {
                message: error.to_string(),
                device_lost,
            });
        },
        None,
    )
}

/// Opens and starts capturing from `device`.
pub fn open_input(device: &cpal::Device) -> Result<LiveInput, CaptureError> {
    let name = device_id(device);
    let supported = choose_input_config(device)?;
    let config = supported.config();
    let (sender, events) = mpsc::channel();
    let unavailable = |reason: String| CaptureError::Unavailable {
        device: name.clone(),
        reason,
    };
    let stream = match supported.sample_format() {
        SampleFormat::I16 => build::<i16>(device, &config, sender),
        SampleFormat::F32 => build::<f32>(device, &config, sender),
        SampleFormat::I32 => build::<i32>(device, &config, sender),
        SampleFormat::U16 => build::<u16>(device, &config, sender),
        SampleFormat::I8 => build::<i8>(device, &config, sender),
        SampleFormat::U8 => build::<u8>(device, &config, sender),
        SampleFormat::F64 => build::<f64>(device, &config, sender),
        other => {
            return Err(CaptureError::UnsupportedFormat {
                device: name,
                format: other,
            })
        }
    }
    .map_err(|e| unavailable(reason(e)))?;
    stream.play().map_err(|e| unavailable(reason(e)))?;
    Ok(LiveInput {
        stream,
        source: CaptureSource {
            events,
            sample_rate: config.sample_rate,
            channels: config.channels,
            sample_format: supported.sample_format(),
            device: name,
        },
    })
}
