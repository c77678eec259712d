//! Scenario errors: one line for people, naming the file and the place.

use std::fmt;

/// Why a scenario could not be loaded. Each displays as one line that names the file and
/// either `LINE:COLUMN` (the text is not JSON) or the field path, then what is wrong and
/// what is allowed.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read (missing, a directory, no permission, not UTF-8).
    #[error("{file}: cannot read the file: {error}")]
    Read { file: String, error: std::io::Error },
    /// The text is not a JSON document: where the parser stopped and what it expected.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A field has the wrong type or an impossible value, is unknown or is missing.
    /// `at` is serde_json's line and column when the error was found while reading text.
    #[error("{file}: {path}: {message}{}", Position(*at))]
    Field {
        file: String,
        path: String,
        message: String,
        at: Option<(usize, usize)>,
    },
}

impl ScenarioError {
    /// The file (or other origin) the error is about.
    pub fn file(&self) -> &str {
        match self {
            ScenarioError::Read { file, .. }
            | ScenarioError::Syntax { file, .. }
            | ScenarioError::Field { file, .. } => file,
        }
    }

    /// The field path (`strategies[1].recovery`), if the error is about a field.
    pub fn path(&self) -> Option<&str> {
        match self {
            ScenarioError::Field { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Line and column in the text, when known.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        match self {
            ScenarioError::Syntax { line, column, .. } => Some((*line, *column)),
            ScenarioError::Field { at, .. } => *at,
            ScenarioError::Read { .. } => None,
        }
    }

    pub(crate) fn invalid(file: &str, e: Invalid) -> ScenarioError {
        ScenarioError::Field {
            file: file.to_string(),
            path: e.path,
            message: e.message,
            at: None,
        }
    }
}

struct Position(Option<(usize, usize)>);

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some((line, column)) => write!(f, " (line {line} column {column})"),
            None => Ok(()),
        }
    }
}

/// A semantic error before it is tied to a file: the field path and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// Where, e.g. `strategies[2].network.loss`.
    pub path: String,
    /// What is wrong; what is allowed.
    pub message: String,
}

impl Invalid {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for Invalid {}
