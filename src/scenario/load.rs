//! Reading scenarios: JSON text (or a JSON value) to a validated [`Scenario`].

use super::error::ScenarioError;
use super::serde_msg::{enum_values, reword, strip_position};
use super::types::Scenario;
use super::validate::validate_scenario;
use serde_json::error::Category;
use std::path::Path;

/// Reads, parses and validates the scenario in `path`; errors name the file as given.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| ScenarioError::Read {
        file: file.clone(),
        error,
    })?;
    parse(&text, &file)
}

/// Parses and validates scenario text. `origin` names it in errors (a file name, or
/// something like `<stdin>`).
pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    // Some editors start UTF-8 files with a byte-order mark; JSON has no use for it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let scenario: Scenario = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let error = from_json_error(origin, &e.path().to_string(), e.inner());
        wrong_type_as_field(error, text)
    })?;
    de.end().map_err(|e| from_json_error(origin, "", &e))?;
    validate(&scenario, origin)?;
    Ok(scenario)
}

/// Deserialises and validates a scenario held as a JSON value (e.g. after
/// [`super::set_path`]). Errors name the field path but no line, as there is no text.
pub fn from_value(doc: serde_json::Value, origin: &str) -> Result<Scenario, ScenarioError> {
    let scenario: Scenario = serde_path_to_error::deserialize(doc)
        .map_err(|e| from_json_error(origin, &e.path().to_string(), e.inner()))?;
    validate(&scenario, origin)?;
    Ok(scenario)
}

/// Checks what serde cannot (ranges, sums, names, targets, one kind per fault). A
/// scenario built in code (a drawn cell, a shrunk reproducer) should pass this before
/// it is run.
pub fn validate(scenario: &Scenario, origin: &str) -> Result<(), ScenarioError> {
    validate_scenario(scenario).map_err(|e| ScenarioError::invalid(origin, e))
}

/// One serde_json error as a [`ScenarioError`]: malformed text by line and column, a bad
/// field by its path (and the line and column where serde_json noticed).
fn from_json_error(origin: &str, path: &str, e: &serde_json::Error) -> ScenarioError {
    let message = strip_position(&e.to_string()).to_string();
    let located = e.line() > 0;
    let path = usable_path(path);
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            let message = syntax_message(&message, path);
            match located {
                true => ScenarioError::Syntax {
                    file: origin.to_string(),
                    line: e.line(),
                    column: e.column(),
                    message,
                },
                false => field(origin, "(the scenario)", message, None),
            }
        }
        Category::Data => {
            let reworded = reword(&message, path.and_then(last_field));
            let path = match (path, reworded.field) {
                (Some(p), Some(f)) => format!("{p}.{f}"),
                (None, Some(f)) => f,
                (Some(p), None) => p.to_string(),
                (None, None) => String::new(),
            };
            let at = located.then(|| (e.line(), e.column()));
            match (path.is_empty(), at) {
                (true, Some((line, column))) => ScenarioError::Syntax {
                    file: origin.to_string(),
                    line,
                    column,
                    message: reworded.message,
                },
                (true, None) => field(origin, "(the scenario)", reworded.message, None),
                (false, _) => field(origin, &path, reworded.message, at),
            }
        }
    }
}

/// serde_json reports a number or list where an enum's name belongs (`"recovery": 1`) as
/// a syntax error, `expected value`. When the text is valid JSON it is a wrong type:
/// say so by the field's path and what the field allows.
fn wrong_type_as_field(error: ScenarioError, text: &str) -> ScenarioError {
    let ScenarioError::Syntax {
        file,
        line,
        column,
        message,
    } = &error
    else {
        return error;
    };
    let Some(path) = message
        .strip_prefix("expected value (in ")
        .and_then(|p| p.strip_suffix(')'))
    else {
        return error;
    };
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
        return error;
    }
    let allowed = last_field(path)
        .and_then(enum_values)
        .unwrap_or_else(|| "a value of another type".into());
    field(
        file,
        path,
        format!("wrong type; allowed: {allowed}"),
        Some((*line, *column)),
    )
}

/// The field an error path ends in: `strategies[0].recovery` → `recovery`.
fn last_field(path: &str) -> Option<&str> {
    let last = path.rsplit('.').next()?;
    let name = last.split('[').next()?;
    (!name.is_empty()).then_some(name)
}

fn field(origin: &str, path: &str, message: String, at: Option<(usize, usize)>) -> ScenarioError {
    ScenarioError::Field {
        file: origin.to_string(),
        path: path.to_string(),
        message,
        at,
    }
}

/// serde_path_to_error writes the root as `.` and a map key it could not name as `?`.
fn usable_path(path: &str) -> Option<&str> {
    (!path.is_empty() && path != "." && !path.contains('?')).then_some(path)
}

fn syntax_message(message: &str, path: Option<&str>) -> String {
    let message = match message.strip_prefix("EOF while parsing ") {
        Some(what) => format!("unexpected end of file while parsing {what}"),
        None => message.to_string(),
    };
    match path {
        Some(p) if message == "trailing characters" => format!("too many items in {p}"),
        Some(p) => format!("{message} (in {p})"),
        None => message,
    }
}
