//! Terminal plumbing for live recording: Ctrl-C and Enter handling, and the
//! countdown with an input level meter.

use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use rehearse::audio::answer::{LiveStatus, StopSignals};

/// Process-wide stop signals: Ctrl-C sets `interrupt` (a second Ctrl-C exits
/// at once); a line on standard input sets `finish`.
pub fn stop_signals() -> StopSignals {
    static SIGNALS: OnceLock<StopSignals> = OnceLock::new();
    SIGNALS
        .get_or_init(|| {
            let signals = StopSignals::default();
            let interrupt = signals.interrupt.clone();
            let _ = ctrlc::set_handler(move || {
                if interrupt.swap(true, Ordering::SeqCst) {
                    eprintln!("\ninterrupted again: exiting now");
                    std::process::exit(130);
                }
            });
            signals
        })
        .clone()
}

/// Watches standard input for Enter; EOF (no terminal, as in CI) never counts.
pub fn watch_enter(signals: &StopSignals) {
    static STARTED: OnceLock<()> = OnceLock::new();
    let finish = signals.finish.clone();
    STARTED.get_or_init(|| {
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin();
            let mut byte = [0u8; 1];
            while let Ok(1) = stdin.read(&mut byte) {
                if byte[0] == b'\n' {
                    finish.store(true, Ordering::SeqCst);
                }
            }
        });
    });
}

/// A level meter: ten cells from -60 dBFS to 0.
fn meter(level_db: f64) -> String {
    let cells = (((level_db + 60.0) / 6.0).round().clamp(0.0, 10.0)) as usize;
    format!("{}{}", "#".repeat(cells), ".".repeat(10 - cells))
}

/// The countdown bar shown while an answer is recorded.
pub struct Countdown {
    bar: ProgressBar,
    last_draw: Instant,
}

impl Countdown {
    pub fn new(time_limit_secs: f64) -> Self {
        Self::with_bar(ProgressBar::new((time_limit_secs * 10.0).round() as u64))
    }

    /// A countdown drawn under the other bars of `multi` (the session bar).
    pub fn in_multi(multi: &MultiProgress, time_limit_secs: f64) -> Self {
        Self::with_bar(multi.add(ProgressBar::new((time_limit_secs * 10.0).round() as u64)))
    }

    fn with_bar(bar: ProgressBar) -> Self {
        let bar = bar.with_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix("recording");
        Self {
            bar,
            last_draw: Instant::now() - Duration::from_secs(1),
        }
    }

    /// Redraws at most ten times a second.
    pub fn update(&mut self, status: &LiveStatus) {
        if self.last_draw.elapsed() < Duration::from_millis(100) {
            return;
        }
        self.last_draw = Instant::now();
        let left = (status.time_limit_secs - status.recorded_secs).max(0.0);
        let state = if status.speaking {
            "speaking"
        } else if status.speech_started {
            "pause   "
        } else {
            "waiting "
        };
        self.bar.set_position((status.recorded_secs * 10.0) as u64);
        self.bar.set_message(format!(
            "{:>3.0} s left  level {} {state}",
            left,
            meter(status.level_db)
        ));
    }

    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn meter_spans_silence_to_full_scale() {
        assert_eq!(super::meter(-120.0), "..........");
        assert_eq!(super::meter(-30.0), "#####.....");
        assert_eq!(super::meter(0.0), "##########");
    }
}
