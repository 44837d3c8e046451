//! Where the history lives and how its files are kept private.

use std::path::{Path, PathBuf};

use super::HistoryError;

/// Environment variable overriding the data directory.
pub const DATA_DIR_ENV: &str = "REHEARSE_DATA_DIR";

/// `$REHEARSE_DATA_DIR`, else the platform's data directory for rehearse
/// (`~/.local/share/rehearse` on Linux).
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "rehearse")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".rehearse"))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HistoryError + '_ {
    move |source| HistoryError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), HistoryError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(io(path))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<(), HistoryError> {
    Ok(())
}

/// Creates `dir` (and parents) readable by the user only.
pub fn create_private_dir(dir: &Path) -> Result<(), HistoryError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    set_mode(dir, 0o700)
}

/// Creates `file` if missing, readable and writable by the user only.
pub fn create_private_file(file: &Path) -> Result<(), HistoryError> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file).map_err(io(file))?;
    set_mode(file, 0o600)
}

/// Makes an existing file private (0600); a missing file is fine.
pub fn make_private_if_exists(file: &Path) -> Result<(), HistoryError> {
    if file.exists() {
        set_mode(file, 0o600)?;
    }
    Ok(())
}
