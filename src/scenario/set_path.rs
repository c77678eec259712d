//! `afsim sweep --set PATH=V`: set one field of a scenario held as JSON.
//!
//! The result is not checked here: the caller deserialises and validates it (see
//! [`super::from_value`]), so a typo in a field name becomes an "unknown field" error.

use serde_json::{Map, Value};

/// Sets the field at `path` (dot-separated: `network.loss`, `workload.mix.read`,
/// `strategies.*.callback_lease_s`) to `value`.
///
/// - In a list, a segment is `*` (every item), an index (`strategies.1`), or the name of
///   an item (`strategies.quorum`); a name may itself contain dots
///   (`strategies.v1.2.lock_lease_s` finds a strategy named `v1.2`).
/// - `value` is read as JSON (`0.1`, `true`, `"afs"`, `[60, 600]`); text that is not JSON
///   is a string, so `afs` gives `"afs"`.
/// - A missing field is created, with missing objects on the way. A strategy's missing
///   `election`, `network` or `workload` starts as a copy of the top-level one, so
///   `strategies.quorum.network.loss=0.1` changes only the loss for that strategy.
///
/// Errors name the segment that is wrong and what would be allowed there.
pub fn set_path(doc: &mut Value, path: &str, value: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty path; name a field with dots, e.g. network.loss".to_string());
    }
    let segments: Vec<&str> = path.split('.').collect();
    if let Some(i) = segments.iter().position(|s| s.is_empty()) {
        return Err(format!(
            "{path}: segment {} is empty; name a field with dots, e.g. network.loss",
            i + 1
        ));
    }
    let inherit: Map<String, Value> = ["election", "network", "workload"]
        .into_iter()
        .filter_map(|k| Some((k.to_string(), doc.get(k)?.clone())))
        .collect();
    let walk = Walk {
        segments,
        value: read_value(value),
        inherit,
    };
    // Work on a copy so that an error leaves `doc` as it was.
    let mut changed = doc.clone();
    walk.set(&mut changed, 0, Place::Root)?;
    *doc = changed;
    Ok(())
}

/// A command-line value: JSON if it parses, else the text as a string.
fn read_value(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|_| Value::String(text.to_string()))
}

struct Walk<'a> {
    segments: Vec<&'a str>,
    value: Value,
    /// The top-level `election`, `network` and `workload`, for strategy overrides.
    inherit: Map<String, Value>,
}

/// Where in the scenario a node is, for what a missing field starts as.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Root,
    Strategies,
    Strategy,
    Other,
}

impl Walk<'_> {
    /// The path up to and including segment `i`.
    fn upto(&self, i: usize) -> String {
        self.segments[..=i].join(".")
    }

    /// What the path up to (not including) segment `i` names.
    fn parent(&self, i: usize) -> String {
        match i {
            0 => "the scenario".to_string(),
            _ => self.segments[..i].join("."),
        }
    }

    fn set(&self, node: &mut Value, i: usize, place: Place) -> Result<(), String> {
        if node.is_null() {
            *node = Value::Object(Map::new());
        }
        match node {
            Value::Object(map) => self.set_field(map, i, place),
            Value::Array(items) => self.set_items(items, i, place),
            other => Err(format!(
                "{}: {} is {}, not an object or a list, so it has no field {:?}",
                self.upto(i),
                self.parent(i),
                kind(other),
                self.segments[i]
            )),
        }
    }

    fn set_field(
        &self,
        map: &mut Map<String, Value>,
        i: usize,
        place: Place,
    ) -> Result<(), String> {
        let seg = self.segments[i];
        if seg == "*" || seg.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{}: {} is an object; name one of its fields{}",
                self.upto(i),
                self.parent(i),
                field_list(map)
            ));
        }
        if i + 1 == self.segments.len() {
            map.insert(seg.to_string(), self.value.clone());
            return Ok(());
        }
        let child = map.entry(seg.to_string()).or_insert(Value::Null);
        if child.is_null()
            && place == Place::Strategy
            && let Some(top) = self.inherit.get(seg)
        {
            *child = top.clone();
        }
        let next = match (place, seg) {
            (Place::Root, "strategies") => Place::Strategies,
            _ => Place::Other,
        };
        self.set(child, i + 1, next)
    }

    fn set_items(&self, items: &mut [Value], i: usize, place: Place) -> Result<(), String> {
        let (chosen, used) = self.select(items, i)?;
        let next = i + used;
        let item_place = match place {
            Place::Strategies => Place::Strategy,
            _ => Place::Other,
        };
        for k in chosen {
            if next == self.segments.len() {
                items[k] = self.value.clone();
            } else {
                self.set(&mut items[k], next, item_place)?;
            }
        }
        Ok(())
    }

    /// The items segment `i` selects, and how many segments it used (a name with dots
    /// uses more than one).
    fn select(&self, items: &[Value], i: usize) -> Result<(Vec<usize>, usize), String> {
        let seg = self.segments[i];
        if seg == "*" {
            return Ok(((0..items.len()).collect(), 1));
        }
        if seg.bytes().all(|b| b.is_ascii_digit()) {
            return match seg.parse::<usize>() {
                Ok(k) if k < items.len() => Ok((vec![k], 1)),
                _ => Err(format!(
                    "{}: index {seg} is out of range; {} has {} item(s)",
                    self.upto(i),
                    self.parent(i),
                    items.len()
                )),
            };
        }
        let rest = self.segments.len() - i;
        for used in (1..=rest).rev() {
            let name = self.segments[i..i + used].join(".");
            let chosen: Vec<usize> = (0..items.len())
                .filter(|&k| items[k].get("name").and_then(Value::as_str) == Some(&name))
                .collect();
            if !chosen.is_empty() {
                return Ok((chosen, used));
            }
        }
        let names: Vec<String> = items
            .iter()
            .filter_map(|item| item.get("name").and_then(Value::as_str))
            .map(|n| format!("{n:?}"))
            .collect();
        let named = match names.is_empty() {
            true => String::new(),
            false => format!(", or a name: {}", names.join(", ")),
        };
        Err(format!(
            "{}: nothing in {} is named {seg:?}; allowed: *, an index below {}{named}",
            self.upto(i),
            self.parent(i),
            items.len()
        ))
    }
}

fn field_list(map: &Map<String, Value>) -> String {
    match map.is_empty() {
        true => String::new(),
        false => {
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            format!(" (it has {})", keys.join(", "))
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
