//! Question banks: the YAML schema, loading (bundled banks and a user's bank
//! directory), validation with file:line:column errors, and drawing
//! questions for a session.
//!
//! The schema is documented for bank authors in `question-banks/README.md`.
//!
//! ```no_run
//! use rehearse::bank::{self, DrawRequest};
//!
//! let catalog = bank::load_catalog(None)?;
//! let request = DrawRequest { count: 3, seed: Some(7), include: vec!["biggest-mistake".into()], ..Default::default() };
//! for question in bank::draw(&catalog, &request)?.questions {
//!     println!("{}", question.text);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cue;
pub mod draw;
pub mod error;
pub mod load;
pub mod locate;
pub mod model;
mod nesting;
pub mod schema;
pub mod validate;

pub use cue::{CueMatch, CueMatcher};
pub use draw::{draw, Draw, DrawError, DrawRequest, Drawer, Filter, ScoreHistory};
pub use error::{BankError, Diagnostic, ErrorKind};
pub use load::{
    bundled, default_user_bank_dir, load_catalog, parse_bank, read_bank, validate_paths,
    Validation, BANK_DIR_ENV,
};
pub use model::{
    Bank, Catalog, Condition, Criterion, Difficulty, FollowUp, Location, Phase, Question, Stage,
    Window,
};
