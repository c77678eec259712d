//! The command line as users meet it: exit statuses, one-line errors that name the file
//! and the field, nothing written on bad input, byte-identical reruns.
mod command;

use command::{afsim, stderr, workdir};
use std::process::Output;

const TINY: &str = r#"{
  "name": "tiny",
  "description": "Two strategies, one crash, a minute of simulated time.",
  "seed": 1,
  "duration_s": 60,
  "cell": { "servers": 3, "clients": 4, "files": 5 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "workload": { "ops_per_client_s": 1 },
  "strategies": [
    { "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 10, "lock_lease_s": 10, "lock_renew_s": 3,
      "clock_skew_allowance_s": 1 },
    { "name": "naive", "recovery": "naive", "callback_lease_s": 10, "expect_violations": true }
  ],
  "faults": [ { "at_s": 20, "crash": "master", "for_s": 10 } ],
  "random_faults": { "crash_master_every_s": 40, "downtime_s": [1, 3] }
}"#;

/// One line, starting `error: `, naming the file; no backtrace.
fn assert_one_error(o: &Output, file: &str, must_mention: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(file), "names the file: {err}");
    assert!(err.contains(must_mention), "mentions {must_mention}: {err}");
    assert!(
        !err.contains("backtrace") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn bad_scenarios_get_one_clear_error_and_exit_2_and_nothing_is_written() {
    let dir = workdir("bad");
    let cases: [(&str, String, &str); 6] = [
        (
            "malformed.json",
            TINY.replace("\"seed\": 1,", "\"seed\": 1"),
            "malformed.json:5:3",
        ),
        ("unknown.json", TINY.replace("\"seed\"", "\"sede\""), "sede"),
        (
            "type.json",
            TINY.replace("\"servers\": 3", "\"servers\": \"three\""),
            "cell.servers",
        ),
        (
            "range.json",
            TINY.replace("\"ops_per_client_s\": 1", "\"ops_per_client_s\": -1"),
            "workload.ops_per_client_s",
        ),
        (
            "node.json",
            TINY.replace("\"crash\": \"master\"", "\"crash\": \"fs7\""),
            "faults[0].crash",
        ),
        (
            "mix.json",
            TINY.replace(
                "\"ops_per_client_s\": 1",
                "\"ops_per_client_s\": 1, \"mix\": { \"read\": 0.9 }",
            ),
            "workload.mix",
        ),
    ];
    for (name, text, mention) in &cases {
        std::fs::write(dir.join(name), text).unwrap();
        let out = afsim(&dir, &["run", name]);
        assert_one_error(&out, name, mention);
        let out = afsim(&dir, &["validate", name]);
        assert_one_error(&out, name, mention);
    }
    let missing = afsim(&dir, &["run", "missing.json"]);
    assert_one_error(&missing, "missing.json", "cannot read");
    // A good file before a bad one: nothing is run, nothing is written.
    std::fs::write(dir.join("good.json"), TINY).unwrap();
    let out = afsim(&dir, &["run", "good.json", "unknown.json"]);
    assert_one_error(&out, "unknown.json", "sede");
    assert!(!dir.join("results").exists(), "no output on bad input");
    let usage = afsim(&dir, &["run", "good.json", "--seed", "many"]);
    assert_eq!(usage.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_writes_its_outputs_and_reruns_byte_for_byte() {
    let dir = workdir("good");
    std::fs::write(dir.join("tiny.json"), TINY).unwrap();
    let out = afsim(&dir, &["run", "tiny.json", "--out", "a"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().next(),
        Some("seed=1"),
        "the seed comes first"
    );
    assert!(
        stdout.contains("lease") && stdout.contains("naive"),
        "{stdout}"
    );
    let files = [
        "summary.json",
        "scenario.json",
        "perf.json",
        "timeseries.csv",
    ];
    for f in files {
        assert!(dir.join("a/tiny").join(f).exists(), "{f}");
    }
    let read = |p: &str| std::fs::read(dir.join(p)).unwrap();
    // Again: the same bytes (perf.json measures the machine, so it may differ).
    assert_eq!(
        afsim(&dir, &["run", "tiny.json", "--out", "b"])
            .status
            .code(),
        Some(0)
    );
    for f in ["summary.json", "scenario.json", "timeseries.csv"] {
        assert_eq!(
            read(&format!("a/tiny/{f}")),
            read(&format!("b/tiny/{f}")),
            "{f}"
        );
    }
    // The scenario as run (random faults drawn, defaults filled) replays the summary.
    let replay = afsim(&dir, &["run", "a/tiny/scenario.json", "--out", "c"]);
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    assert_eq!(read("a/tiny/summary.json"), read("c/tiny/summary.json"));
    let as_run: serde_json::Value = serde_json::from_slice(&read("a/tiny/scenario.json")).unwrap();
    assert!(as_run.get("random_faults").is_none());
    assert!(
        as_run["faults"].as_array().unwrap().len() > 1,
        "random crashes drawn into faults"
    );
    // Another seed, another run.
    assert_eq!(
        afsim(&dir, &["run", "tiny.json", "--out", "d", "--seed", "4"])
            .status
            .code(),
        Some(0)
    );
    assert_ne!(read("a/tiny/summary.json"), read("d/tiny/summary.json"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unexpected_violations_exit_1_and_limits_exit_3() {
    let dir = workdir("status");
    let unexpected = TINY.replace(", \"expect_violations\": true", "");
    std::fs::write(dir.join("strict.json"), unexpected).unwrap();
    let out = afsim(&dir, &["run", "strict.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("naive"), "{}", stderr(&out));
    let limited = TINY.replace(
        "\"seed\": 1,",
        "\"seed\": 1, \"limits\": { \"events_max\": 1000 },",
    );
    std::fs::write(dir.join("limited.json"), limited).unwrap();
    let out = afsim(&dir, &["run", "limited.json", "--out", "lim"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("limits.events_max"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("lim").exists(), "no partial output");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_arguments_run_the_headline_scenario_into_results() {
    let dir = workdir("headline");
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    let headline = TINY.replace("\"name\": \"tiny\"", "\"name\": \"afs-failover\"");
    std::fs::write(dir.join("scenarios/afs-failover.json"), headline).unwrap();
    let out = afsim(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("results/afs-failover/summary.json").exists());
    let ok = afsim(&dir, &["validate", "scenarios/afs-failover.json"]);
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "ok afs-failover\n");
    let schema = afsim(&dir, &["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    assert_eq!(schema["additionalProperties"], false);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn validate_warns_about_settings_that_defeat_their_strategy() {
    let dir = workdir("warnings");
    let doc = TINY.replace(
        r#"{ "name": "naive", "recovery": "naive", "callback_lease_s": 10, "expect_violations": true }"#,
        r#"{ "name": "token", "recovery": "token-recovery", "recovery_window_s": 30, "client_probe_s": 60 }"#,
    );
    std::fs::write(dir.join("warn.json"), doc).unwrap();
    let out = afsim(&dir, &["validate", "warn.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("warning: warn.json: strategies[1] (token): recovery_window_s (30 s) is no longer than client_probe_s (60 s)"), "{text}");
    assert!(lines[1].starts_with("warning: warn.json: strategies[1] (token): vote_wait_s - master_lease_s (2 s) is no greater than clock_skew_allowance_s (10 s)"), "{text}");
    assert_eq!(lines[2], "ok tiny");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn validate_warns_about_a_window_too_short_to_find_the_new_master_in() {
    // Longer than the probe interval, but not by the time a client takes to give up on
    // a silent master: explore found a lock conflict on this very file.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("scenarios/adversarial/short-window-cut-off.json");
    let dir = workdir("short-window");
    let out = afsim(&dir, &["validate", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let warnings: Vec<&str> = text.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(
        warnings.len(),
        1,
        "only the 1.5 s window, not the 10 s one: {text}"
    );
    assert!(
        warnings[0].contains("strategies[0] (token recovery): recovery_window_s (1.5 s) is no longer than client_probe_s (1 s) plus the 4 s a client takes to give up on a silent master"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
