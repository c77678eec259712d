//! `afsim run --trace`: the trace.json of a small scenario is a Chrome trace that
//! viewers can read: the required fields on every event, a named track for every node
//! in every strategy's process, flows that pair up, spans that close, and the window.
mod command;

use command::{Workdir, afsim, stderr, workdir};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SMALL: &str = r#"{
  "name": "small-trace",
  "description": "A master crash in a tiny cell: token recovery and naive.",
  "seed": 11,
  "duration_s": 60,
  "cell": { "servers": 3, "clients": 4, "files": 5 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "network": { "latency_ms": { "min": 1, "max": 5 }, "loss": 0.01 },
  "workload": { "ops_per_client_s": 1 },
  "strategies": [
    { "name": "token recovery", "recovery": "token-recovery", "callback_lease_s": 10, "recovery_window_s": 5 },
    { "name": "naive", "recovery": "naive", "callback_lease_s": 10, "expect_violations": true }
  ],
  "faults": [ { "at_s": 20, "crash": "master", "for_s": 10 } ]
}"#;

/// A fresh working folder holding `small.json`.
fn with_small(test: &str) -> Workdir {
    let dir = workdir(test);
    std::fs::write(dir.join("small.json"), SMALL).unwrap();
    dir
}

fn trace(dir: &Path, out: &str, extra: &[&str]) -> (Vec<u8>, Vec<Value>) {
    let mut args = vec!["run", "small.json", "--out", out, "--trace"];
    args.extend_from_slice(extra);
    let o = afsim(dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(dir.join(out).join("small-trace/trace.json")).unwrap();
    let doc: Value = serde_json::from_slice(&bytes).expect("trace.json is JSON");
    let events = doc["traceEvents"].as_array().expect("traceEvents").clone();
    (bytes, events)
}

fn field<'a>(e: &'a Value, k: &str) -> &'a Value {
    e.get(k).unwrap_or_else(|| panic!("{k} missing in {e}"))
}

fn ph(e: &Value) -> &str {
    e["ph"].as_str().unwrap()
}

fn at(e: &Value) -> (u64, u64, u64) {
    let n = |k: &str| e[k].as_u64().unwrap();
    (n("pid"), n("tid"), n("ts"))
}

/// Every node has a named track in every strategy's process, named after it.
fn check_tracks(events: &[Value]) {
    let mut tracks: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    let mut processes = BTreeMap::new();
    for e in events.iter().filter(|e| ph(e) == "M") {
        let pid = e["pid"].as_u64().unwrap();
        let name = e["args"]["name"].as_str().map(String::from);
        match e["name"].as_str().unwrap() {
            "thread_name" => drop(tracks.entry(pid).or_default().insert(name.unwrap())),
            "process_name" => drop(processes.insert(pid, name.unwrap())),
            _ => {}
        }
    }
    let strategies: Vec<String> = processes.values().cloned().collect();
    assert_eq!(strategies, ["token recovery", "naive"]);
    for pid in processes.keys() {
        for node in ["fs0", "fs1", "fs2", "c0", "c1", "c2", "c3", "faults"] {
            assert!(tracks[pid].contains(node), "pid {pid} has no track {node}");
        }
    }
}

/// Flows pair up: one start and one end per id, same name and category, the end not
/// earlier, and each bound to a message slice on its own track at its instant.
fn check_flows(events: &[Value]) {
    let slices: BTreeSet<(u64, u64, u64)> =
        events.iter().filter(|e| ph(e) == "X").map(at).collect();
    let mut flows: BTreeMap<u64, Vec<&Value>> = BTreeMap::new();
    for e in events.iter().filter(|e| ph(e) == "s" || ph(e) == "f") {
        flows.entry(e["id"].as_u64().unwrap()).or_default().push(e);
        assert!(slices.contains(&at(e)), "flow event without its slice: {e}");
    }
    assert!(flows.len() > 100, "messages are traced: {}", flows.len());
    for (id, pair) in &flows {
        let phases: Vec<&str> = pair.iter().map(|e| ph(e)).collect();
        assert_eq!(phases, ["s", "f"], "flow {id}");
        assert_eq!(pair[0]["name"], pair[1]["name"]);
        assert_eq!(pair[0]["cat"], pair[1]["cat"]);
        assert!(pair[0]["ts"].as_u64() <= pair[1]["ts"].as_u64());
    }
}

/// Async spans close, and recovery, faults and nodes down are among them.
fn check_spans(events: &[Value]) {
    let mut spans: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for e in events.iter().filter(|e| ph(e) == "b" || ph(e) == "e") {
        spans
            .entry(e["id"].as_u64().unwrap())
            .or_default()
            .push(ph(e));
    }
    assert!(
        spans.values().all(|p| p == &["b", "e"]),
        "every span begins and ends"
    );
    let names: BTreeSet<&str> = events
        .iter()
        .filter(|e| ph(e) == "b")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("recovery window")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.ends_with("writes closed")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("crash master")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.ends_with(" down")), "{names:?}");
}

#[test]
fn the_trace_has_named_tracks_paired_flows_and_closed_spans() {
    let dir = with_small("full");
    let (bytes, events) = trace(&dir, "a", &[]);
    for e in &events {
        assert!(field(e, "name").is_string(), "{e}");
        assert!(field(e, "ph").is_string(), "{e}");
        assert!(field(e, "ts").is_u64(), "{e}");
        assert!(field(e, "pid").is_u64() && field(e, "tid").is_u64(), "{e}");
    }
    check_tracks(&events);
    check_flows(&events);
    check_spans(&events);
    let (again, _) = trace(&dir, "b", &[]);
    assert!(bytes == again, "the same run writes the same trace");
}

#[test]
fn a_window_keeps_only_its_seconds() {
    let dir = with_small("window");
    let (_, events) = trace(&dir, "w", &["--trace-window", "19.5..23"]);
    let timed: Vec<&Value> = events.iter().filter(|e| e["ph"] != "M").collect();
    assert!(!timed.is_empty());
    for e in timed {
        let ts = e["ts"].as_u64().unwrap();
        assert!((19_500_000..=23_000_000).contains(&ts), "{e}");
    }
    let bad = afsim(
        &dir,
        &["run", "small.json", "--trace", "--trace-window", "23..19"],
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_window_outside_the_run_is_refused_before_anything_runs() {
    let dir = with_small("outside");
    // The run lasts 60 s plus a liveness phase of a few minutes at most.
    for window in ["5000..6000", "100000..100001"] {
        let o = afsim(
            &dir,
            &["run", "small.json", "--trace", "--trace-window", window],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{window}: {err}");
        assert!(
            err.starts_with("error: --trace-window") && err.contains("small-trace"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(o.stdout.is_empty(), "nothing ran");
        assert!(!dir.join("results").exists(), "nothing written");
    }
    for empty in ["30..30", "30..20"] {
        let o = afsim(
            &dir,
            &["run", "small.json", "--trace", "--trace-window", empty],
        );
        assert_eq!(o.status.code(), Some(2), "{empty}: {}", stderr(&o));
    }
}

#[test]
fn the_help_says_how_big_a_whole_trace_gets() {
    let o = afsim(&workdir("help"), &["run", "--help"]);
    let help = command::stdout(&o);
    assert!(
        help.contains("4.9 GB") && help.contains("--trace-window"),
        "{help}"
    );
}

/// The headline's cell for 600 s: a trace of some seventy megabytes.
const MEDIUM: &str = r#"{
  "name": "medium-trace",
  "description": "The headline's cell for 600 s with 60 s callbacks, the master down for 200 s.",
  "seed": 42,
  "duration_s": 600,
  "cell": { "servers": 3, "clients": 50, "files": 200 },
  "strategies": [
    { "name": "lease timeout", "recovery": "lease-timeout", "callback_lease_s": 60 },
    { "name": "token recovery", "recovery": "token-recovery", "callback_lease_s": 60 },
    { "name": "quorum", "recovery": "quorum", "callback_lease_s": 60 },
    { "name": "naive", "recovery": "naive", "callback_lease_s": 60, "expect_violations": true }
  ],
  "faults": [ { "at_s": 100, "crash": "master", "for_s": 200 } ]
}"#;

#[test]
fn a_whole_trace_streams_to_disk_and_memory_stays_flat() {
    let dir = workdir("stream");
    std::fs::write(dir.join("medium.json"), MEDIUM).unwrap();
    let o = afsim(&dir, &["run", "medium.json", "--trace"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("results/medium-trace");
    let size = std::fs::metadata(out.join("trace.json")).unwrap().len();
    assert!(
        size > 60_000_000,
        "a big trace, to make the point: {size} bytes"
    );
    let perf: Value =
        serde_json::from_slice(&std::fs::read(out.join("perf.json")).unwrap()).unwrap();
    // Peak memory of the process at the end of each strategy's run (Linux only).
    for s in perf["strategies"].as_array().unwrap() {
        if let Some(mb) = s["peak_rss_mb"].as_f64() {
            assert!(mb < 48.0, "{} MiB for a {size}-byte trace: {s}", mb);
        }
    }
    let text = std::fs::read_to_string(out.join("trace.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).expect("one JSON document");
    assert!(doc["traceEvents"].as_array().unwrap().len() > 100_000);
    let _ = std::fs::remove_dir_all(&dir);
}
