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

/// Creates `dir` (and missing parents) readable by the user only. Only
/// what is created here is made private: an existing directory keeps its
/// mode (a shared 1777 folder keeps its sticky bit, a deliberate read-only
/// folder stays read-only).
pub fn create_private_dir(dir: &Path) -> Result<(), HistoryError> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .collect();
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for created in missing {
        set_mode(created, 0o700)?;
    }
    Ok(())
}

/// Creates `file` private (0600) only if nothing is there yet: `Ok(false)`
/// when the name is taken.
pub fn create_new_private_file(file: &Path) -> Result<bool, HistoryError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => {
            set_mode(file, 0o600)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(HistoryError::Io {
            path: file.to_path_buf(),
            source: e,
        }),
    }
}

/// Refuses a database that exists but that the user may not write to
/// (the file or its folder read-only), so a writing command says so
/// instead of failing later at its first write. A missing database is fine.
pub fn refuse_read_only(db: &Path) -> Result<(), HistoryError> {
    if !db.exists() {
        return Ok(());
    }
    let read_only = |what: &str| HistoryError::ReadOnly {
        path: db.to_path_buf(),
        folder: what.to_string(),
    };
    if let Err(e) = std::fs::OpenOptions::new().append(true).open(db) {
        if e.kind() == std::io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(libc::EROFS)
        {
            return Err(read_only(""));
        }
    }
    // SQLite writes its journal beside the database: the folder must be
    // writable too.
    let folder = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !writable(folder) {
        return Err(read_only(&format!(" (its folder {} is)", folder.display())));
    }
    Ok(())
}

#[cfg(unix)]
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return true;
    };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(not(unix))]
fn writable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

/// How many recordings (`*.wav`) lie under `recordings` (0 if unreadable).
pub fn count_recordings(recordings: &Path) -> usize {
    let Ok(sessions) = std::fs::read_dir(recordings) else {
        return 0;
    };
    sessions
        .flatten()
        .filter_map(|s| std::fs::read_dir(s.path()).ok())
        .flat_map(|files| files.flatten())
        .filter(|f| f.path().extension().is_some_and(|e| e == "wav"))
        .count()
}

/// Creates `file` if missing, readable and writable by the user only; an
/// existing file is left as it is.
pub fn create_private_file(file: &Path) -> Result<(), HistoryError> {
    create_new_private_file(file).map(|_| ())
}

/// Makes an existing file private (0600); a missing file is fine.
pub fn make_private_if_exists(file: &Path) -> Result<(), HistoryError> {
    if file.exists() {
        set_mode(file, 0o600)?;
    }
    Ok(())
}
