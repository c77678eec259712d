//! `afsim schema`: the JSON Schema of the scenario format.
//!
//! schemars derives the shape, descriptions (from doc comments), defaults of fields with
//! serde defaults, and `additionalProperties: false` from `deny_unknown_fields`. This
//! module adds what derive cannot see: each numeric field's unit, the defaults of
//! optional fields (absent means `null`, or the value the model uses), the ranges the
//! loader enforces where they are simple, and the form of fault targets.

use super::own_fields::default_of;
use super::types::Scenario;
use crate::strategy::{FieldDefault, Recovery};
use serde_json::{Map, Value, json};

/// The JSON Schema (draft 2020-12) of a scenario file, pretty-printed, ending in a
/// newline.
pub fn schema_json() -> String {
    let mut doc = schemars::schema_for!(Scenario).to_value();
    annotate(&mut doc);
    // Back to a `Schema` for its serialiser, which puts `$schema`, `title` and
    // `description` first and `$defs` last.
    let schema = schemars::Schema::try_from(doc).expect("an annotated schema is an object");
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

fn annotate(doc: &mut Value) {
    annotate_object(doc);
    let Some(defs) = doc.get_mut("$defs").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, def) in defs.iter_mut() {
        annotate_object(def);
        if let (true, Some(def)) = (name == "Target", def.as_object_mut()) {
            def.insert("pattern".into(), json!(TARGET_PATTERN));
        }
    }
}

/// Annotates the properties of one object schema (the root or a definition).
fn annotate_object(schema: &mut Value) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        annotate_properties(props, &required);
    }
}

/// `fsN`, `cN`, `fsA-fsB`, `cA-cB`, `master` or `*`.
const TARGET_PATTERN: &str =
    r"^(master|\*|fs(0|[1-9][0-9]*)(-fs(0|[1-9][0-9]*))?|c(0|[1-9][0-9]*)(-c(0|[1-9][0-9]*))?)$";

fn annotate_properties(props: &mut Map<String, Value>, required: &[String]) {
    for (name, prop) in props.iter_mut() {
        let Some(prop) = prop.as_object_mut() else {
            continue;
        };
        if let Some(unit) = unit(name) {
            prop.insert("unit".into(), json!(unit));
        }
        if let Some((min, max)) = range(name) {
            prop.insert("minimum".into(), json!(min));
            if let Some(max) = max {
                prop.insert("maximum".into(), json!(max));
            }
        }
        let is_required = required.iter().any(|r| r == name);
        if !is_required && !prop.contains_key("default") {
            prop.insert("default".into(), optional_default(name));
        }
    }
}

/// What an absent optional field means.
fn optional_default(name: &str) -> Value {
    if Recovery::owner_of(name).is_some() {
        return match default_of(name) {
            FieldDefault::Number(v) => json!(v),
            FieldDefault::Bool(v) => json!(v),
        };
    }
    match name {
        "one_way" => json!(false),
        _ => Value::Null,
    }
}

fn unit(name: &str) -> Option<&'static str> {
    Some(match name {
        "ops_per_client_s" => "operations per second per client",
        "min" | "max" | "fixed" | "lognormal_median" => "ms",
        "clock_drift_ppm" => "ppm",
        "loss" | "duplicate" | "exclusive_locks" | "read" | "write" | "lock" => "fraction (0 to 1)",
        "servers" | "clients" | "files" => "count",
        "events_max" => "events",
        "zipf" | "sigma" => "dimensionless",
        "callback_lease_s" => "s (or \"afs\")",
        n if n.ends_with("_ms") => "ms",
        n if n.ends_with("_s") => "s",
        _ => return None,
    })
}

/// Simple bounds the loader enforces (it also checks the ones a schema cannot say).
fn range(name: &str) -> Option<(f64, Option<f64>)> {
    Some(match name {
        "loss" | "duplicate" | "exclusive_locks" | "read" | "write" | "lock" => (0.0, Some(1.0)),
        "servers" => (1.0, Some(254.0)),
        "clients" | "files" | "events_max" => (1.0, None),
        "zipf" | "sigma" | "ops_per_client_s" | "clock_drift_ppm" => (0.0, None),
        "min" | "max" | "fixed" | "lognormal_median" => (0.0, None),
        "callback_lease_s" | "clock_jump_s" | "downtime_s" => return None,
        n if n.ends_with("_s") => (0.0, None),
        _ => return None,
    })
}
