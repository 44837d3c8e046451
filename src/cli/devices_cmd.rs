//! `rehearse devices`: list audio inputs and outputs with their formats.

use std::process::ExitCode;

use clap::Args;
use rehearse::audio::devices::{self, Direction, FormatRange};

#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: DevicesArgs) -> anyhow::Result<ExitCode> {
    let host = devices::audio_host()?;
    let list = devices::list_devices(&host)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    for direction in [Direction::Input, Direction::Output] {
        println!(
            "{}:",
            match direction {
                Direction::Input => "Inputs (microphones)",
                Direction::Output => "Outputs (speakers)",
            }
        );
        let mut any = false;
        for device in list.iter().filter(|d| d.direction == direction) {
            any = true;
            let marker = if device.is_default { "*" } else { " " };
            println!("  {marker} {}", device.id);
            if device.name != device.id {
                println!("      {}", device.name);
            }
            if let Some(problem) = &device.problem {
                println!("      unavailable: {problem}");
            }
            if !device.formats.is_empty() {
                println!("      {}", summarize_formats(&device.formats));
            }
        }
        if !any {
            println!("    (none)");
        }
    }
    println!("* = default device");
    Ok(ExitCode::SUCCESS)
}

/// One line for a device's formats: channel range, rate range(s), sample formats.
fn summarize_formats(formats: &[FormatRange]) -> String {
    let min_ch = formats.iter().map(|f| f.channels).min().unwrap_or(0);
    let max_ch = formats.iter().map(|f| f.channels).max().unwrap_or(0);
    let channels = if min_ch == max_ch {
        format!("{min_ch} ch")
    } else {
        format!("{min_ch}-{max_ch} ch")
    };
    let mut rates: Vec<String> = Vec::new();
    let mut sample_formats: Vec<&str> = Vec::new();
    for f in formats {
        let rate = match (f.min_rate, f.max_rate) {
            (min, max) if min <= 1 && max >= 1_000_000 => "any rate".to_string(),
            (min, max) if min == max => format!("{min} Hz"),
            (min, max) => format!("{min}-{max} Hz"),
        };
        if !rates.contains(&rate) {
            rates.push(rate);
        }
        if !sample_formats.contains(&f.sample_format.as_str()) {
            sample_formats.push(&f.sample_format);
        }
    }
    format!(
        "{channels}, {}, {}",
        rates.join(" / "),
        sample_formats.join(" ")
    )
}
