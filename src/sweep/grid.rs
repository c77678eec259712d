//! The grid of a sweep: `--set PATH=V1,V2,...` specs, their cartesian product, and
//! each point's scenario, validated like a file before anything runs.

use crate::scenario::{self, Scenario};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One `--set PATH=V1,V2,...`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetSpec {
    pub path: String,
    /// The values as typed (each read as JSON when it parses, else as a string).
    pub values: Vec<String>,
}

impl SetSpec {
    /// Parses `PATH=V1,V2,...`; commas inside brackets, braces or quotes do not split,
    /// so a value may be a JSON list (`downtime_s=[60,600],[10,20]`).
    pub fn parse(text: &str) -> Result<SetSpec, String> {
        let Some((path, list)) = text.split_once('=') else {
            return Err(format!(
                "--set {text}: expected PATH=V1,V2,... (e.g. network.loss=0,0.01,0.1)"
            ));
        };
        let path = path.trim();
        if path.is_empty() {
            return Err(format!("--set {text}: the path before '=' is empty"));
        }
        let values = split_top_level(list);
        if let Some(i) = values.iter().position(|v| v.trim().is_empty()) {
            return Err(format!("--set {text}: value {} is empty", i + 1));
        }
        Ok(SetSpec {
            path: path.to_string(),
            values: values.into_iter().map(|v| v.trim().to_string()).collect(),
        })
    }
}

fn split_top_level(list: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quoted, mut escaped) =
        (Vec::new(), String::new(), 0i32, false, false);
    for c in list.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// A command-line value as JSON: JSON if it parses, else the text as a string (the
/// rule `scenario::set_path` applies).
pub fn value_json(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// One point of the grid: a value for each spec (by index into its values) and the
/// scenario with them set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub index: Vec<usize>,
    pub scenario: Scenario,
}

impl Point {
    /// The values of this point, as typed, one per spec.
    pub fn values<'a>(&self, specs: &'a [SetSpec]) -> Vec<&'a str> {
        specs
            .iter()
            .zip(&self.index)
            .map(|(s, &i)| s.values[i].as_str())
            .collect()
    }
}

/// Every point of the grid, the first spec varying slowest; no specs give one point,
/// the scenario as it is. `origin` names the file in errors.
pub fn points(base: &Value, specs: &[SetSpec], origin: &str) -> Result<Vec<Point>, String> {
    for (i, s) in specs.iter().enumerate() {
        if specs[..i].iter().any(|o| o.path == s.path) {
            return Err(format!("{origin}: --set {} is given twice", s.path));
        }
    }
    let mut indices: Vec<Vec<usize>> = vec![Vec::new()];
    for s in specs {
        indices = indices
            .into_iter()
            .flat_map(|prefix| {
                (0..s.values.len()).map(move |k| {
                    let mut p = prefix.clone();
                    p.push(k);
                    p
                })
            })
            .collect();
    }
    indices
        .into_iter()
        .map(|index| {
            let mut doc = base.clone();
            let mut named = Vec::new();
            for (s, &k) in specs.iter().zip(&index) {
                let v = &s.values[k];
                scenario::set_path(&mut doc, &s.path, v)
                    .map_err(|e| format!("{origin}: --set {}={v}: {e}", s.path))?;
                named.push(format!("{}={v}", s.path));
            }
            let place = match named.is_empty() {
                true => origin.to_string(),
                false => format!("{origin} with {}", named.join(" ")),
            };
            let scenario = scenario::from_value(doc, &place).map_err(|e| e.to_string())?;
            Ok(Point { index, scenario })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_split_on_top_level_commas_only() {
        let s = SetSpec::parse("random_faults.downtime_s=[60,600],[1,2]").unwrap();
        assert_eq!(s.path, "random_faults.downtime_s");
        assert_eq!(s.values, vec!["[60,600]", "[1,2]"]);
        let s = SetSpec::parse(r#"strategies.0.name="a,b",c"#).unwrap();
        assert_eq!(s.values, vec![r#""a,b""#, "c"]);
        assert!(
            SetSpec::parse("network.loss")
                .unwrap_err()
                .contains("PATH=V1")
        );
        assert!(
            SetSpec::parse("network.loss=0,,1")
                .unwrap_err()
                .contains("value 2")
        );
        assert!(SetSpec::parse("=1").is_err());
    }

    #[test]
    fn values_read_as_json_or_text() {
        assert_eq!(value_json("10"), serde_json::json!(10));
        assert_eq!(value_json("afs"), serde_json::json!("afs"));
        assert_eq!(value_json("[1, 2]"), serde_json::json!([1, 2]));
    }
}
