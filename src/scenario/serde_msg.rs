//! serde's error messages, reworded for people who write scenario files.
//!
//! serde words its messages for Rust programmers (`expected u32`, `struct Scenario`,
//! `a sequence`); users see JSON. Messages this module does not recognise pass through.

/// serde_json's message without its ` at line N column M` suffix.
pub(crate) fn strip_position(message: &str) -> &str {
    let Some(i) = message.rfind(" at line ") else {
        return message;
    };
    let tail = &message[i + " at line ".len()..];
    let ok = tail.split_once(" column ").is_some_and(|(line, column)| {
        !line.is_empty()
            && !column.is_empty()
            && line.bytes().all(|b| b.is_ascii_digit())
            && column.bytes().all(|b| b.is_ascii_digit())
    });
    if ok { &message[..i] } else { message }
}

/// A reworded data error: a field to append to the path (for `missing field` and
/// `duplicate field`, which serde reports at the enclosing object) and the message.
pub(crate) struct Reworded {
    pub field: Option<String>,
    pub message: String,
}

/// `message` is serde's, without position; `field` is the name of the field it is about
/// (the last segment of its path), which some messages use to say what is allowed.
pub(crate) fn reword(message: &str, field: Option<&str>) -> Reworded {
    let plain = |message: String| Reworded {
        field: None,
        message,
    };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return plain(unknown("field", rest, false));
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return plain(unknown("value", rest, true));
    }
    if let Some(name) = message.strip_prefix("missing field ") {
        return Reworded {
            field: Some(unquote(name)),
            message: "missing; this field is required".to_string(),
        };
    }
    if let Some(name) = message.strip_prefix("duplicate field ") {
        return Reworded {
            field: Some(unquote(name)),
            message: "given twice; give each field once".to_string(),
        };
    }
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return plain(format!(
            "expected {}, found {}",
            allowed(expected, field),
            found_text(found)
        ));
    }
    if let Some(rest) = message.strip_prefix("invalid value: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return plain(format!(
            "{} is out of range; allowed: {}",
            found_text(found),
            allowed(expected, field)
        ));
    }
    if let Some(rest) = message.strip_prefix("invalid length ")
        && let Some((n, expected)) = rest.split_once(", expected ")
    {
        if expected.starts_with("struct ") {
            return plain("expected an object, found a list".to_string());
        }
        let items = if n == "1" { "item" } else { "items" };
        return plain(format!(
            "a list of {n} {items}; allowed: {}",
            expected_text(expected)
        ));
    }
    plain(message.to_string())
}

/// `unknown field `x`, expected one of `a`, `b`` → `unknown field; allowed: a, b`.
fn unknown(what: &str, rest: &str, name_it: bool) -> String {
    let (given, expected) = match rest.split_once(", expected ") {
        Some((given, expected)) => (given, Some(expected)),
        None => (rest.split(", ").next().unwrap_or(rest), None),
    };
    let head = if name_it {
        format!("unknown {what} \"{}\"", unquote(given))
    } else {
        format!("unknown {what}")
    };
    match expected {
        Some(expected) => format!("{head}; allowed: {}", quoted_list(expected).join(", ")),
        None => format!("{head}; this object takes no fields"),
    }
}

/// The names between backticks, in order.
fn quoted_list(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn unquote(text: &str) -> String {
    text.trim_matches('`').to_string()
}

/// What a field allows: the loader's own range for integer fields, else serde's
/// `expected` clause in JSON terms.
fn allowed(expected: &str, field: Option<&str>) -> String {
    let integer = matches!(expected, "u8" | "u16" | "u32" | "u64");
    let own = match field {
        Some("servers") => "a whole number from 1 to 254",
        Some("clients" | "files" | "events_max") => "a whole number, 1 or more",
        _ => "",
    };
    match integer && !own.is_empty() {
        true => own.to_string(),
        false => expected_text(expected),
    }
}

/// What an enum field allows, by the field's name.
pub(crate) fn enum_values(field: &str) -> Option<String> {
    match field {
        "recovery" => Some(recovery_names()),
        "durability" => Some("one of quorum, async".into()),
        _ => None,
    }
}

/// `one of lease-timeout, token-recovery, …`: every strategy of the list.
fn recovery_names() -> String {
    let names: Vec<&str> = crate::strategy::Recovery::ALL
        .iter()
        .map(|r| r.as_str())
        .collect();
    format!("one of {}", names.join(", "))
}

/// serde's `expected` clause in JSON terms.
fn expected_text(expected: &str) -> String {
    let named = match expected {
        "f64" | "f32" => "a number",
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "u64" => "a whole number from 0 to 18446744073709551615",
        "a boolean" | "bool" => "true or false",
        "a string" => "a string",
        "a sequence" => "a list",
        "enum Recovery" => return recovery_names(),
        "enum Durability" => "one of quorum, async",
        _ => "",
    };
    if !named.is_empty() {
        return named.to_string();
    }
    if expected.starts_with("struct ") || expected == "a map" {
        return "an object".to_string();
    }
    if let Some(n) = expected.strip_prefix("an array of length ") {
        return format!("a list of exactly {n} items");
    }
    expected.to_string()
}

/// serde's description of what it found, in JSON terms.
fn found_text(found: &str) -> String {
    let value = |prefix: &str| found.strip_prefix(prefix).map(|v| v.trim_matches('`'));
    if let Some(v) = value("integer ")
        .or_else(|| value("floating point "))
        .or_else(|| value("boolean "))
    {
        return v.to_string();
    }
    match found {
        "map" => "an object".to_string(),
        "sequence" => "a list".to_string(),
        "unit value" | "null" => "null".to_string(),
        _ => found.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_a_real_position() {
        assert_eq!(
            strip_position("expected `,` at line 3 column 14"),
            "expected `,`"
        );
        assert_eq!(strip_position("at line x column 1"), "at line x column 1");
        assert_eq!(strip_position("plain"), "plain");
    }

    #[test]
    fn rewords_unknown_fields_and_types() {
        let r = reword(
            "unknown field `zz`, expected `events_max` or `wall_s_max`",
            None,
        );
        assert_eq!(r.message, "unknown field; allowed: events_max, wall_s_max");
        let r = reword("invalid type: string \"1\", expected f64", None);
        assert_eq!(r.message, "expected a number, found string \"1\"");
        let r = reword("missing field `recovery`", None);
        assert_eq!(r.field.as_deref(), Some("recovery"));
        let r = reword("invalid value: integer `-1`, expected u32", Some("servers"));
        assert_eq!(
            r.message,
            "-1 is out of range; allowed: a whole number from 1 to 254"
        );
    }
}
