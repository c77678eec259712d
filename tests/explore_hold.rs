//! A held message in a scenario's `schedule`: `{"message": {...}, "fate": "held"}`
//! replays exactly (the same run every time, another run than the default schedule's),
//! `explore.hold_s` sets how long (default 1 s), and bad holds are refused naming the
//! file and the field.
mod command;

use command::{afsim, stderr, workdir};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// explore-tiny with lease timeout alone, seed 1, and `schedule`.
fn tiny_with(schedule: Value) -> Value {
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/explore-tiny.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(tiny).unwrap()).unwrap();
    doc["strategies"] = Value::Array(vec![doc["strategies"][0].clone()]);
    doc["schedule"] = schedule;
    doc
}

fn write(dir: &Path, file: &str, doc: &Value) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path
}

/// `afsim run` on `doc`: its summary's one strategy.
fn run(dir: &Path, file: &str, doc: &Value) -> Value {
    let path = write(dir, file, doc);
    let out = format!("out-{file}");
    let o = afsim(dir, &["run", path.to_str().unwrap(), "--out", &out]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary = dir.join(out).join("explore-tiny/summary.json");
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap();
    summary["strategies"][0].clone()
}

/// fs0's 41st message (a beacon to fs2 at about 7 s on the default schedule), held.
fn held() -> Value {
    json!([{ "message": { "from": "fs0", "nth": 40 }, "fate": "held" }])
}

#[test]
fn a_held_message_replays_exactly_and_differs_from_the_default() {
    let dir = workdir("replay");
    let hash = |s: &Value| s["trace_hash"].clone();
    let default = run(&dir, "default.json", &tiny_with(json!([])));
    let once = run(&dir, "held.json", &tiny_with(held()));
    let again = run(&dir, "again.json", &tiny_with(held()));
    assert!(hash(&once).is_string(), "{once}");
    assert_eq!(hash(&once), hash(&again), "the same schedule, the same run");
    assert_ne!(hash(&once), hash(&default), "a hold changes the run");

    // The hold is `explore.hold_s`, 1 s unless the scenario says.
    let mut one = tiny_with(held());
    one["explore"]["hold_s"] = json!(1);
    assert_eq!(hash(&run(&dir, "one.json", &one)), hash(&once), "1 s");
    let mut two = tiny_with(held());
    two["explore"]["hold_s"] = json!(2);
    assert_ne!(hash(&run(&dir, "two.json", &two)), hash(&once), "2 s");

    // Whether explore holds messages does not change what a schedule replays.
    let mut off = tiny_with(held());
    off["explore"]["holds"] = json!(false);
    assert_eq!(hash(&run(&dir, "off.json", &off)), hash(&once));
}

/// `afsim run` on `doc` fails with status 2, naming `file` and `field`.
fn refused(dir: &Path, file: &str, doc: &Value, field: &str) {
    let path = write(dir, file, doc);
    let o = afsim(dir, &["run", path.to_str().unwrap(), "--out", "out"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(file), "names the file: {err}");
    assert!(err.contains(field), "names {field}: {err}");
    assert!(!dir.join("out").exists(), "nothing written");
}

#[test]
fn bad_holds_are_refused_naming_the_file_and_the_field() {
    let dir = workdir("bad");
    for (file, hold) in [("negative.json", json!(-1)), ("zero.json", json!(0))] {
        let mut doc = tiny_with(held());
        doc["explore"]["hold_s"] = hold;
        refused(&dir, file, &doc, "explore.hold_s");
    }
    let mut doc = tiny_with(held());
    doc["explore"]["hold_s"] = json!("1 s");
    refused(&dir, "text.json", &doc, "hold_s");
    let misspelt = json!([{ "message": { "from": "fs0", "nth": 40 }, "fate": "hold" }]);
    refused(&dir, "misspelt.json", &tiny_with(misspelt), "held");
}
