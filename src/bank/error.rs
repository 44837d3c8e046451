//! Problems found in question bank files, each naming the file, line and
//! column and saying what to do about it.

use std::fmt;

use super::locate::Pos;

/// What kind of problem a [`Diagnostic`] reports (tests and tools match on
/// this; people read the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The file or directory could not be read.
    Io,
    /// Not YAML, or more than one YAML document.
    Syntax,
    /// A key the schema does not know (often a typo).
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A key written twice in the same mapping.
    DuplicateKey,
    /// A value of the wrong type, or a word the schema does not know
    /// (`difficulty: extreme`).
    BadValue,
    /// An id (bank, question, element, red flag, set) used twice.
    DuplicateId,
    /// An id that is not lower-case kebab-case.
    BadId,
    /// A reference to an element, red flag or shared set that does not exist.
    UnknownReference,
    /// Required text (question, advice, follow-up...) is empty.
    EmptyText,
    /// An answer window or time limit that makes no sense.
    BadWindow,
    /// A cue pattern that is not a valid regular expression, or an empty cue.
    BadCue,
    /// An example or counter-example sentence that is empty, too long,
    /// repeated, or both an example and a counter-example.
    BadExample,
    /// A rubric element or red flag with no cue at all or no examples, a
    /// rubric element with no phase, a question with no rubric, or a bank
    /// with no questions.
    Incomplete,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as given (bundled banks are named `question-banks/NAME.yaml`).
    pub file: String,
    /// 1-based; 0 when the problem is the whole file (it cannot be read).
    pub line: usize,
    /// 1-based; 0 with `line`.
    pub column: usize,
    pub kind: ErrorKind,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl Diagnostic {
    /// A problem with the whole file, such as it not being readable.
    pub fn whole_file(file: &str, kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            line: 0,
            column: 0,
            kind,
            message: message.into(),
        }
    }

    pub fn new(file: &str, pos: Pos, kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `FILE:LINE:COLUMN: message`, the form editors and compilers use
    /// (`FILE: message` for a whole-file problem).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}: {}", self.file, self.message);
        }
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for Diagnostic {}

/// Question banks that failed to load: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.diagnostics))]
pub struct BankError {
    pub diagnostics: Vec<Diagnostic>,
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = match diagnostics.len() {
        1 => "invalid question bank:".to_string(),
        n => format!("{n} problems in question banks:"),
    };
    for d in diagnostics {
        out.push_str("\n  ");
        out.push_str(&d.to_string());
    }
    out
}

impl From<Vec<Diagnostic>> for BankError {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Self { diagnostics }
    }
}
