//! The machine's audio devices and the stream formats they accept, through
//! cpal. The host is opened with `host_from_id`, never `default_host()`,
//! which panics on a malformed ALSA configuration instead of returning an error.

use cpal::traits::{DeviceTrait, HostTrait};

/// Whether a device records or plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Direction {
    Input,
    Output,
}

/// A range of stream formats a device accepts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FormatRange {
    pub channels: u16,
    pub min_rate: u32,
    pub max_rate: u32,
    pub sample_format: String,
}

/// One device as the user would choose it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceInfo {
    /// Stable identifier to pass to `--device`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    pub direction: Direction,
    pub is_default: bool,
    pub formats: Vec<FormatRange>,
    /// Why the device's formats could not be read (e.g. it is busy or absent).
    pub problem: Option<String>,
}

/// Why audio devices could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("no audio system is available ({0}). On Linux: install ALSA (apt-get install libasound2) and fix or remove a malformed ALSA configuration ($ALSA_CONFIG_PATH, ~/.asoundrc, /etc/asound.conf)")]
    NoHost(String),
    #[error("cannot list {direction:?} devices: {reason}. Check the ALSA configuration ($ALSA_CONFIG_PATH, ~/.asoundrc, /etc/asound.conf)")]
    Listing {
        direction: Direction,
        reason: String,
    },
}

/// The platform's audio host, or a clear error.
pub fn audio_host() -> Result<cpal::Host, DeviceError> {
    let id = cpal::available_hosts()
        .into_iter()
        .next()
        .ok_or_else(|| DeviceError::NoHost("cpal found no audio host".into()))?;
    cpal::host_from_id(id).map_err(|e| {
        let config = std::env::var("ALSA_CONFIG_PATH")
            .map(|p| format!("; ALSA_CONFIG_PATH={p}"))
            .unwrap_or_default();
        DeviceError::NoHost(format!("{e}{config}"))
    })
}

/// A device's identifier as users pass it to `--device`.
pub fn device_id(device: &cpal::Device) -> String {
    device
        .id()
        .map(|id| id.1)
        .or_else(|_| device.description().map(|d| d.name().to_string()))
        .unwrap_or_else(|_| "unknown".into())
}

/// An error's text without the trailing full stop some backends add.
pub(crate) fn reason(error: impl std::fmt::Display) -> String {
    error.to_string().trim_end_matches('.').to_string()
}

/// Why [`find_device`] found no device; capture and playback turn it into
/// their own errors, worded for a microphone or a speaker.
#[derive(Debug)]
pub(crate) enum LookupError {
    Host(DeviceError),
    /// No device was named and the host has no default one.
    NoDefault,
    /// No device has the id or name asked for; `available` lists the ids.
    Unknown {
        wanted: String,
        available: String,
    },
    /// The devices could not be listed to look for the one named.
    Unavailable {
        device: String,
        reason: String,
    },
}

/// Finds the `direction` device `wanted` (its id or name), or the default one.
pub(crate) fn find_device(
    direction: Direction,
    wanted: Option<&str>,
) -> Result<cpal::Device, LookupError> {
    let host = audio_host().map_err(LookupError::Host)?;
    let default = match direction {
        Direction::Input => host.default_input_device(),
        Direction::Output => host.default_output_device(),
    };
    let Some(wanted) = wanted else {
        return default.ok_or(LookupError::NoDefault);
    };
    if let Some(default) = default.filter(|d| device_id(d) == wanted) {
        return Ok(default);
    }
    let devices: Vec<cpal::Device> = match direction {
        Direction::Input => host.input_devices().map(|d| d.collect()),
        Direction::Output => host.output_devices().map(|d| d.collect()),
    }
    .map_err(|e| LookupError::Unavailable {
        device: wanted.to_string(),
        reason: reason(e),
    })?;
    let name_of = |d: &cpal::Device| d.description().map(|d| d.name().to_string()).ok();
    if let Some(found) = devices
        .iter()
        .find(|d| device_id(d) == wanted || name_of(d).as_deref() == Some(wanted))
    {
        return Ok(found.clone());
    }
    Err(LookupError::Unknown {
        wanted: wanted.to_string(),
        available: devices.iter().map(device_id).collect::<Vec<_>>().join(", "),
    })
}

fn describe(device: &cpal::Device, direction: Direction, default_id: Option<&str>) -> DeviceInfo {
    let id = device_id(device);
    let name = device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| id.clone());
    let ranges = match direction {
        Direction::Input => device
            .supported_input_configs()
            .map(|r| r.collect::<Vec<_>>()),
        Direction::Output => device
            .supported_output_configs()
            .map(|r| r.collect::<Vec<_>>()),
    };
    let (formats, problem) = match ranges {
        Ok(ranges) => {
            let mut formats: Vec<FormatRange> = ranges
                .iter()
                .map(|r| FormatRange {
                    channels: r.channels(),
                    min_rate: r.min_sample_rate(),
                    max_rate: r.max_sample_rate(),
                    sample_format: r.sample_format().to_string(),
                })
                .collect();
            formats.dedup();
            (formats, None)
        }
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    DeviceInfo {
        is_default: default_id == Some(id.as_str()),
        id,
        name,
        direction,
        formats,
        problem,
    }
}

/// Every input and output device of `host`, defaults marked.
pub fn list_devices(host: &cpal::Host) -> Result<Vec<DeviceInfo>, DeviceError> {
    let default_in = host.default_input_device().map(|d| device_id(&d));
    let default_out = host.default_output_device().map(|d| device_id(&d));
    let mut out = Vec::new();
    let inputs = host.input_devices().map_err(|e| DeviceError::Listing {
        direction: Direction::Input,
        reason: e.to_string(),
    })?;
    out.extend(inputs.map(|d| describe(&d, Direction::Input, default_in.as_deref())));
    // ALSA's "default" is often not enumerated; show it anyway, it is what
    // rehearse records from unless told otherwise.
    if let Some(device) = host.default_input_device() {
        if !out
            .iter()
            .any(|d| d.direction == Direction::Input && d.is_default)
        {
            out.insert(
                0,
                describe(&device, Direction::Input, default_in.as_deref()),
            );
        }
    }
    let first_output = out.len();
    let outputs = host.output_devices().map_err(|e| DeviceError::Listing {
        direction: Direction::Output,
        reason: e.to_string(),
    })?;
    out.extend(outputs.map(|d| describe(&d, Direction::Output, default_out.as_deref())));
    if let Some(device) = host.default_output_device() {
        if !out
            .iter()
            .any(|d| d.direction == Direction::Output && d.is_default)
        {
            out.insert(
                first_output,
                describe(&device, Direction::Output, default_out.as_deref()),
            );
        }
    }
    Ok(out)
}
