//! Whatever the text, `parse` returns a scenario or one line naming the place; it never
//! panics. Inputs: arbitrary strings, JSON-like token soup, and the CONTRACT example with
//! keys dropped or renamed, values replaced, and characters or numbers mangled.

mod common;

use afsim::scenario::{ScenarioError, from_value, parse, set_path};
use common::EXAMPLE;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Value, json};

const ORIGIN: &str = "fuzz/case.json";

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1024,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// The error is one non-empty line that names the origin and a line:column or a path;
/// an accepted scenario writes out and reads back equal.
fn check(text: &str) -> Result<(), TestCaseError> {
    match parse(text, ORIGIN) {
        Ok(s) => {
            let filled = s.with_defaults_filled();
            let again = parse(&filled.to_json_pretty(), ORIGIN);
            prop_assert!(again.as_ref().is_ok_and(|a| *a == filled), "{again:?}");
        }
        Err(e) => check_error(&e)?,
    }
    Ok(())
}

fn check_error(e: &ScenarioError) -> Result<(), TestCaseError> {
    let message = e.to_string();
    prop_assert!(!message.contains('\n'), "several lines: {message}");
    prop_assert!(message.starts_with(ORIGIN), "no origin: {message}");
    let rest = &message[ORIGIN.len()..];
    match (e.line_column(), e.path()) {
        (_, Some(path)) => {
            prop_assert!(
                !path.is_empty() && !path.contains('?'),
                "path {path:?}: {message}"
            );
            prop_assert!(rest.starts_with(&format!(": {path}: ")), "{message}");
        }
        (Some((line, column)), None) => {
            prop_assert!(
                rest.starts_with(&format!(":{line}:{column}: ")),
                "{message}"
            );
        }
        (None, None) => prop_assert!(false, "neither place nor path: {message}"),
    }
    let what = message.rsplit(": ").next().unwrap_or("");
    prop_assert!(!what.trim().is_empty(), "says nothing: {message}");
    Ok(())
}

fn token_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(","),
        Just(":"),
        Just("\"name\""),
        Just("\"strategies\""),
        Just("\"duration_s\""),
        Just("\"faults\""),
        Just("\"x\""),
        Just("1"),
        Just("-0.5"),
        Just("1e400"),
        Just("null"),
        Just("true"),
        Just(" "),
        Just("\n"),
    ];
    prop::collection::vec(token, 0..80).prop_map(|t| t.concat())
}

/// A value that might be right somewhere.
fn a_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!([])),
        Just(json!({})),
        Just(json!([["fs0"], ["*"]])),
        Just(json!({ "fixed": 3 })),
        prop::sample::select(vec![
            "master",
            "*",
            "fs9",
            "c0-c60",
            "c9-c3",
            "afs",
            "quorum",
            "token-recovery",
            "",
            "x y",
        ])
        .prop_map(|s| json!(s)),
        prop::sample::select(vec![-1.0, 0.0, 0.5, 1.0, 2.0, 254.0, 255.0, 1e9, 1e300])
            .prop_map(|n| json!(n)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |n| n.is_finite())
            .prop_map(|n| json!(n)),
    ]
}

#[derive(Clone, Debug)]
enum Edit {
    DropKey(Index),
    RenameKey(Index, char),
    SetValue(Index, Value),
    CopyItem(Index),
}

fn an_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<Index>().prop_map(Edit::DropKey),
        (any::<Index>(), prop::char::range('a', 'z')).prop_map(|(i, c)| Edit::RenameKey(i, c)),
        (any::<Index>(), a_value()).prop_map(|(i, v)| Edit::SetValue(i, v)),
        any::<Index>().prop_map(Edit::CopyItem),
    ]
}

/// JSON pointers to every value below the root.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match v {
        Value::Object(m) => m.iter().map(|(k, c)| (format!("{at}/{k}"), c)).collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("{at}/{i}"), c))
            .collect(),
        _ => return,
    };
    for (p, c) in children {
        out.push(p.clone());
        pointers(c, p, out);
    }
}

fn apply(doc: &mut Value, edit: &Edit) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let index = match edit {
        Edit::DropKey(i) | Edit::RenameKey(i, _) | Edit::SetValue(i, _) | Edit::CopyItem(i) => i,
    };
    let pointer = &all[index.index(all.len())];
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let parent = doc.pointer_mut(parent).unwrap();
    match (edit, parent) {
        (Edit::SetValue(_, v), _) => *doc.pointer_mut(pointer).unwrap() = v.clone(),
        (Edit::DropKey(_), Value::Object(m)) => drop(m.remove(last)),
        (Edit::DropKey(_), Value::Array(a)) => drop(a.remove(last.parse::<usize>().unwrap())),
        (Edit::RenameKey(_, c), Value::Object(m)) => {
            let v = m.remove(last).unwrap();
            m.insert(format!("{last}{c}"), v);
        }
        (Edit::CopyItem(_), Value::Array(a)) => {
            let k: usize = last.parse().unwrap();
            a.insert(k, a[k].clone());
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Mangle {
    Delete(Index),
    Duplicate(Index),
    Replace(Index, char),
    Number(Index, String),
}

fn a_mangle() -> impl Strategy<Value = Mangle> {
    let chars = prop::sample::select(vec![
        '{', '}', '[', ']', ',', ':', '"', '-', '0', 'e', '.', ' ', 'é',
    ]);
    let number = prop_oneof![
        any::<f64>().prop_map(|n| format!("{n}")),
        any::<f64>().prop_map(|n| format!("{n:e}")),
        any::<u64>().prop_map(|n| n.to_string()),
        Just("-0".to_string()),
        Just("1e999".to_string()),
        Just("0.30000000000000004".to_string()),
    ];
    prop_oneof![
        any::<Index>().prop_map(Mangle::Delete),
        any::<Index>().prop_map(Mangle::Duplicate),
        (any::<Index>(), chars).prop_map(|(i, c)| Mangle::Replace(i, c)),
        (any::<Index>(), number).prop_map(|(i, n)| Mangle::Number(i, n)),
    ]
}

fn mangle(text: &str, m: &Mangle) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let mut out = chars.clone();
    match m {
        Mangle::Delete(i) => drop(out.remove(i.index(chars.len()))),
        Mangle::Duplicate(i) => {
            let k = i.index(chars.len());
            out.insert(k, chars[k]);
        }
        Mangle::Replace(i, c) => out[i.index(chars.len())] = *c,
        Mangle::Number(i, n) => {
            // Replace the run of number characters starting at or after the chosen place.
            let is_num = |c: char| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+');
            let from = i.index(chars.len());
            let Some(start) = (from..chars.len()).find(|&k| chars[k].is_ascii_digit()) else {
                return text.to_string();
            };
            let end = (start..chars.len())
                .find(|&k| !is_num(chars[k]))
                .unwrap_or(chars.len());
            out.splice(start..end, n.chars());
        }
    }
    out.into_iter().collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn token_soups(text in token_soup()) {
        check(&text)?;
    }

    #[test]
    fn edited_examples(edits in prop::collection::vec(an_edit(), 1..4), pretty in any::<bool>()) {
        let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
        for e in &edits {
            apply(&mut doc, e);
        }
        let text = match pretty {
            true => serde_json::to_string_pretty(&doc).unwrap(),
            false => serde_json::to_string(&doc).unwrap(),
        };
        check(&text)?;
    }

    #[test]
    fn mangled_examples(mangles in prop::collection::vec(a_mangle(), 1..4)) {
        let mut text = EXAMPLE.to_string();
        for m in &mangles {
            text = mangle(&text, m);
        }
        check(&text)?;
    }

    #[test]
    fn set_path_on_the_example(
        path in prop_oneof![
            "[a-z_.*0-9]{0,30}",
            prop::sample::select(vec![
                "network.loss", "strategies.*.callback_lease_s", "strategies.quorum.lock_lease_s",
                "workload.mix.read", "cell.clients", "faults.*.at_s", "faults.2.partition.0",
                "random_faults.downtime_s.1", "strategies.lease (AFS callbacks).network.loss",
            ]).prop_map(String::from),
        ],
        value in "[ -~]{0,12}",
    ) {
        let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
        let before = doc.clone();
        match set_path(&mut doc, &path, &value) {
            Ok(()) => {
                if let Err(e) = from_value(doc, ORIGIN) {
                    check_error(&e)?;
                }
            }
            Err(e) => {
                prop_assert!(!e.is_empty() && !e.contains('\n'), "{e:?}");
                prop_assert_eq!(doc, before);
            }
        }
    }
}
