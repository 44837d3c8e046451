//! Report files the user asked for (`--html`, `--markdown`, `-o`): checked
//! before any work starts, so a bad path never throws away a finished
//! transcription, and written after the report is shown, so a failure to
//! save still leaves the user with the report on screen.

use std::path::Path;

use anyhow::{bail, Context};

/// Fails early, naming the path, if `path` cannot be written: its folder is
/// missing or read-only, or it is a folder itself. Leaves nothing behind.
pub fn check_writable(path: &Path, option: &str) -> anyhow::Result<()> {
    if path.is_dir() {
        bail!(
            "{option} {}: is a folder; give a file name such as {}",
            path.display(),
            path.join("report.html").display()
        );
    }
    if path.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("{option} {}: cannot be written", path.display()))?;
        return Ok(());
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        bail!(
            "{option} {}: the folder {} does not exist; create it first or choose another path",
            path.display(),
            parent.display()
        );
    }
    tempfile::Builder::new()
        .prefix(".rehearse-write-check")
        .tempfile_in(parent)
        .with_context(|| {
            format!(
                "{option} {}: cannot write in {}; choose a folder you can write to",
                path.display(),
                parent.display()
            )
        })?;
    Ok(())
}

/// Writes one report file; the error names the file.
pub fn save(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
