//! Reading question banks: the bundled ones (embedded in the binary, so
//! rehearse works from any directory), a user's bank files or directory,
//! and merging them into one [`Catalog`].
//!
//! A user bank whose `id` equals a bundled bank's replaces that bundled bank
//! (see [`validate::merge`]).

use std::path::{Path, PathBuf};

use super::error::{BankError, Diagnostic, ErrorKind};
use super::locate::{Locator, Pos};
use super::model::{Bank, Catalog};
use super::schema::BankFile;
use super::validate;

/// Environment variable naming a directory of user bank files.
pub const BANK_DIR_ENV: &str = "REHEARSE_BANK_DIR";

/// Bank files larger than this are refused (a bank is a few tens of KB).
pub const MAX_BANK_FILE_BYTES: u64 = 4 << 20;

/// A bank shipped inside rehearse.
#[derive(Debug, Clone, Copy)]
pub struct BundledBank {
    /// Its path in the rehearse source tree, used in messages.
    pub file: &'static str,
    pub source: &'static str,
}

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(BundledBank {
            file: concat!("question-banks/", $name),
            source: include_str!(concat!("../../question-banks/", $name)),
        }),*]
    };
}

/// The bundled banks, in the order they are listed.
pub const BUNDLED: &[BundledBank] = bundled![
    "motivation-fit.yaml",
    "behavioral.yaml",
    "strengths-weaknesses.yaml",
    "closing.yaml",
];

/// Parses and checks one bank file's text; `file` names it in messages.
pub fn parse_bank(source: &str, file: &str) -> Result<Bank, Vec<Diagnostic>> {
    parse(source, file, false)
}

fn parse(source: &str, file: &str, bundled: bool) -> Result<Bank, Vec<Diagnostic>> {
    if let Some(pos) = super::nesting::too_deep(source) {
        return Err(vec![Diagnostic::new(
            file,
            pos,
            ErrorKind::Syntax,
            format!(
                "brackets nested more than {} deep start here: a bank needs only a few levels; \
                 close the brackets or write the lists as indented `- item` lines",
                super::nesting::MAX_DEPTH
            ),
        )]);
    }
    let loc = Locator::new(source);
    if matches!(
        serde_yaml::from_str::<serde_yaml::Value>(source),
        Ok(serde_yaml::Value::Null)
    ) {
        return Err(vec![Diagnostic::new(
            file,
            Pos::START,
            ErrorKind::Incomplete,
            "the file holds no bank: write `id`, `title` and `questions` (see question-banks/README.md)",
        )]);
    }
    if let Some(second) = loc.documents().get(1) {
        return Err(vec![Diagnostic::new(
            file,
            *second,
            ErrorKind::Syntax,
            "a second YAML document starts here: put one bank per file (remove the `---` or split the file)",
        )]);
    }
    if !loc.duplicate_keys().is_empty() {
        return Err(loc
            .duplicate_keys()
            .iter()
            .map(|(path, pos)| {
                let key = path.rsplit('.').next().unwrap_or(path);
                let first = loc.key(path).map(|p| p.line).unwrap_or(pos.line);
                Diagnostic::new(
                    file,
                    *pos,
                    ErrorKind::DuplicateKey,
                    format!("key `{key}` is written twice in the same place (first on line {first}): keep one"),
                )
            })
            .collect());
    }
    let spec: BankFile = serde_yaml::from_str(source).map_err(|e| vec![from_serde(&e, file)])?;
    validate::check_bank(&spec, file, &loc, bundled)
}

/// Turns a serde_yaml error into a diagnostic with its own position and a
/// hint on what to do.
fn from_serde(error: &serde_yaml::Error, file: &str) -> Diagnostic {
    let mut message = error.to_string();
    let pos = match error.location() {
        Some(l) => {
            let suffix = format!(" at line {} column {}", l.line(), l.column());
            if let Some(cut) = message.rfind(&suffix) {
                message.truncate(cut);
            }
            Pos {
                line: l.line().max(1),
                column: l.column().max(1),
            }
        }
        None => Pos::START,
    };
    let (kind, hint) = if message.contains("unknown field") {
        (
            ErrorKind::UnknownKey,
            "remove it or fix its spelling (the schema is in question-banks/README.md)",
        )
    } else if message.contains("missing field") {
        (
            ErrorKind::MissingKey,
            "add it (see question-banks/README.md)",
        )
    } else if message.contains("duplicate field") || message.contains("duplicate entry") {
        (ErrorKind::DuplicateKey, "keep only one of them")
    } else if message.contains("unknown variant") {
        (ErrorKind::BadValue, "use one of the values listed")
    } else if message.contains("condition") {
        (ErrorKind::BadValue, "")
    } else if message.contains("invalid type")
        || message.contains("invalid value")
        || message.contains("invalid length")
    {
        (
            ErrorKind::BadValue,
            "write the kind of value shown (see question-banks/README.md)",
        )
    } else {
        (ErrorKind::Syntax, "fix the YAML syntax here")
    };
    if !hint.is_empty() {
        message = format!("{message}: {hint}");
    }
    Diagnostic::new(file, pos, kind, message)
}

/// Reads and checks one bank file.
pub fn read_bank(path: &Path) -> Result<Bank, Vec<Diagnostic>> {
    let file = path.display().to_string();
    let unreadable = |why: String| vec![Diagnostic::whole_file(&file, ErrorKind::Io, why)];
    let meta = std::fs::metadata(path).map_err(|e| unreadable(format!("cannot read: {e}")))?;
    if meta.len() > MAX_BANK_FILE_BYTES {
        return Err(unreadable(format!(
            "{} bytes is too large for a bank file (limit {MAX_BANK_FILE_BYTES}): split it",
            meta.len()
        )));
    }
    let source = std::fs::read_to_string(path).map_err(|e| {
        unreadable(if e.kind() == std::io::ErrorKind::InvalidData {
            "not UTF-8 text: save it as UTF-8".to_string()
        } else {
            format!("cannot read: {e}")
        })
    })?;
    parse(&source, &file, false)
}

/// The bank files a path stands for: a file is itself; a directory gives
/// its `*.yaml` and `*.yml` files (not hidden, not recursive), sorted.
pub fn bank_files(path: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| Diagnostic::whole_file(&file, ErrorKind::Io, format!("cannot read: {e}")))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        Diagnostic::whole_file(&file, ErrorKind::Io, format!("cannot list directory: {e}"))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            let lower = name.to_ascii_lowercase();
            !name.starts_with('.')
                && (lower.ends_with(".yaml") || lower.ends_with(".yml"))
                && p.is_file()
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The bundled banks, checked.
pub fn bundled_banks() -> Result<Vec<Bank>, BankError> {
    let mut banks = Vec::new();
    let mut found = Vec::new();
    for b in BUNDLED {
        match parse(b.source, b.file, true) {
            Ok(bank) => banks.push(bank),
            Err(mut d) => found.append(&mut d),
        }
    }
    if found.is_empty() {
        Ok(banks)
    } else {
        Err(found.into())
    }
}

/// A catalog of the bundled banks only.
pub fn bundled() -> Result<Catalog, BankError> {
    validate::merge(bundled_banks()?, Vec::new()).map_err(BankError::from)
}

/// Reads every bank under `paths` (files or directories), reporting every
/// problem; banks that load are returned too.
pub fn read_paths(paths: &[PathBuf]) -> (Vec<Bank>, Vec<Diagnostic>) {
    let mut banks = Vec::new();
    let mut found = Vec::new();
    for path in paths {
        let files = match bank_files(path) {
            Ok(files) => files,
            Err(d) => {
                found.push(d);
                continue;
            }
        };
        if files.is_empty() {
            found.push(Diagnostic::whole_file(
                &path.display().to_string(),
                ErrorKind::Io,
                "no .yaml or .yml files in this directory",
            ));
        }
        for file in files {
            match read_bank(&file) {
                Ok(bank) => banks.push(bank),
                Err(mut d) => found.append(&mut d),
            }
        }
    }
    (banks, found)
}

/// The bundled banks merged with the user's banks in `user_dir` (if any).
/// An empty user directory is fine; a missing one is an error.
pub fn load_catalog(user_dir: Option<&Path>) -> Result<Catalog, BankError> {
    let bundled = bundled_banks()?;
    let Some(dir) = user_dir else {
        return validate::merge(bundled, Vec::new()).map_err(BankError::from);
    };
    let file = dir.display().to_string();
    if !dir.is_dir() {
        return Err(vec![Diagnostic::whole_file(
            &file,
            ErrorKind::Io,
            "bank directory does not exist or is not a directory: create it or fix --bank-dir / $REHEARSE_BANK_DIR",
        )]
        .into());
    }
    let (user, found) = read_paths(&[dir.to_path_buf()]);
    let found: Vec<Diagnostic> = found.into_iter().filter(|d| d.file != file).collect();
    if !found.is_empty() {
        return Err(found.into());
    }
    validate::merge(bundled, user).map_err(BankError::from)
}

/// What [`validate_paths`] found.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The banks that passed their own file's checks.
    pub banks: Vec<Bank>,
    /// Every problem, file by file; empty means all valid.
    pub diagnostics: Vec<Diagnostic>,
}

impl Validation {
    pub fn is_ok(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Checks bank files (or directories of them) the way [`load_catalog`] would
/// use them: each file alone, then merged with the bundled banks (so a
/// question id that clashes with a bundled one is reported too).
pub fn validate_paths(paths: &[PathBuf]) -> Validation {
    let (banks, mut diagnostics) = read_paths(paths);
    match bundled_banks() {
        Ok(bundled) => {
            if let Err(mut d) = validate::merge(bundled, banks.clone()) {
                diagnostics.append(&mut d);
            }
        }
        Err(e) => diagnostics.extend(e.diagnostics),
    }
    Validation { banks, diagnostics }
}

/// The user bank directory when none is given on the command line:
/// `$REHEARSE_BANK_DIR`, else `banks/` in the user's config directory if it
/// exists (e.g. `~/.config/rehearse/banks`), else none.
pub fn default_user_bank_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(BANK_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "rehearse")
        .map(|d| d.config_dir().join("banks"))
        .filter(|d| d.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_errors_keep_their_position_without_repeating_it() {
        let d = parse_bank("id: x\ntitle: T\nquestions: []\ncolour: red\n", "f.yaml").unwrap_err();
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].line, d[0].column, d[0].kind),
            (4, 1, ErrorKind::UnknownKey)
        );
        assert!(!d[0].message.contains("at line"), "{}", d[0].message);
        assert!(
            d[0].message.contains("unknown field `colour`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn empty_and_comment_only_files_say_what_a_bank_needs() {
        for source in ["", "# nothing yet\n", "---\n", "~\n"] {
            let d = parse_bank(source, "f.yaml").unwrap_err();
            assert_eq!(d[0].kind, ErrorKind::Incomplete, "{source:?}: {}", d[0]);
            assert!(d[0].message.contains("`id`, `title` and `questions`"));
        }
    }

    #[test]
    fn whole_file_problems_print_without_a_position() {
        let d = read_bank(Path::new("/nonexistent/bank.yaml")).unwrap_err();
        assert_eq!(d[0].kind, ErrorKind::Io);
        assert!(
            d[0].to_string()
                .starts_with("/nonexistent/bank.yaml: cannot read"),
            "{}",
            d[0]
        );
    }
}
