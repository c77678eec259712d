//! `afsim check` as users meet it: the seeds line, bytes that do not depend on `--jobs`,
//! exit 1 with a replay command and a shrunk reproducer on an unexpected violation,
//! and `--swarm` draws fixed by the seed.
mod command;

use command::{afsim, stderr, stdout, workdir};
use serde_json::Value;
use std::path::Path;

/// Five minutes of a tiny cell with a master crash about every minute; `naive_expected`
/// says whether naive may violate.
fn quick(naive_expected: bool) -> String {
    format!(
        r#"{{
  "name": "quick-check",
  "description": "Master crashes about every minute in a tiny cell, five minutes long.",
  "duration_s": 300,
  "cell": {{ "servers": 3, "clients": 4, "files": 4 }},
  "election": {{ "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 }},
  "network": {{ "latency_ms": {{ "min": 1, "max": 5 }} }},
  "workload": {{ "ops_per_client_s": 1, "op_deadline_s": 10 }},
  "strategies": [
    {{ "name": "quorum", "recovery": "quorum", "callback_lease_s": 30, "lock_lease_s": 10, "lock_renew_s": 3 }},
    {{ "name": "naive (unsafe)", "recovery": "naive", "callback_lease_s": 30, "expect_violations": {naive_expected} }}
  ],
  "faults": [ {{ "at_s": 150, "partition": [["fs1"], ["fs0", "fs2"]], "for_s": 20 }} ],
  "random_faults": {{ "crash_master_every_s": 60, "downtime_s": [2, 10] }}
}}"#
    )
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn check_json_is_the_same_whatever_the_number_of_jobs() {
    let dir = workdir("jobs");
    std::fs::write(dir.join("quick.json"), quick(true)).unwrap();
    let check = |jobs: &str, out: &str| {
        let args = [
            "check",
            "quick.json",
            "--seed",
            "11",
            "--seeds",
            "6",
            "--jobs",
            jobs,
            "--out",
            out,
        ];
        let o = afsim(&dir, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o
    };
    let one = check("1", "one");
    check("2", "two");
    assert_eq!(stdout(&one).lines().next(), Some("seeds=11..16"));
    let a = std::fs::read(dir.join("one/quick-check/check.json")).unwrap();
    let b = std::fs::read(dir.join("two/quick-check/check.json")).unwrap();
    assert!(a == b, "check.json differs between --jobs 1 and --jobs 2");
    let report = json(&dir.join("one/quick-check/check.json"));
    assert_eq!(
        report["seeds"],
        serde_json::json!({ "first": 11, "count": 6 })
    );
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 6);
    assert_eq!(runs[5]["seed"], 16);
    let naive = &report["totals"][1];
    assert_eq!(naive["expect_violations"], true);
    assert!(
        naive["seeds_with_violations"].as_u64().unwrap() > 0,
        "{naive}"
    );
    assert_eq!(report["totals"][0]["seeds_with_violations"], 0);
    let hash = runs[0]["strategies"][0]["trace_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 16);
    let table = stdout(&one);
    assert!(table.contains("seeds with violations"), "{table}");
    assert!(table.contains("/6"), "{table}");
}

#[test]
fn an_unexpected_violation_exits_1_with_a_replay_command_and_a_smaller_reproducer() {
    let dir = workdir("repro");
    std::fs::write(dir.join("quick.json"), quick(false)).unwrap();
    let o = afsim(
        &dir,
        &[
            "check",
            "quick.json",
            "--seed",
            "3",
            "--seeds",
            "4",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let report = json(&dir.join("out/quick-check/check.json"));
    let seed = report["totals"][1]["first_seed"]
        .as_u64()
        .expect("naive failed");
    assert!(
        err.contains(&format!("replay: afsim run quick.json --seed {seed}")),
        "{err}"
    );
    let name = format!("repro-naive-unsafe-seed{seed}.json");
    let path = dir.join("out/quick-check").join(&name);
    assert!(err.contains(&name), "prints the reproducer's path: {err}");
    let repro = json(&path);
    assert!(repro.get("random_faults").is_none());
    assert_eq!(repro["seed"], seed);
    assert_eq!(repro["strategies"].as_array().unwrap().len(), 1);
    // Smaller than the run that failed (as `afsim run` of the seed shows it).
    let seed_text = seed.to_string();
    let args = ["run", "quick.json", "--seed", &seed_text, "--out", "orig"];
    assert_eq!(afsim(&dir, &args).status.code(), Some(1));
    let original = json(&dir.join("orig/quick-check/scenario.json"));
    let count = |s: &Value| s["faults"].as_array().unwrap().len();
    let smaller = count(&repro) < count(&original)
        || repro["cell"]["clients"].as_u64() < original["cell"]["clients"].as_u64()
        || repro["duration_s"].as_f64() < original["duration_s"].as_f64();
    assert!(smaller, "{repro}");
    // The reproducer replays the same violation on its own.
    let kind = ["stale_read", "lock_conflict", "lost_write", "liveness"]
        .into_iter()
        .find(|k| err.contains(&format!("naive (unsafe): {k} on seed {seed}")))
        .expect("names the kind");
    let run = afsim(&dir, &["run", path.to_str().unwrap(), "--out", "replay"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let summary = json(
        &dir.join("replay")
            .join(repro["name"].as_str().unwrap())
            .join("summary.json"),
    );
    assert!(
        summary["strategies"][0]["violations"][kind]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn swarm_draws_are_fixed_by_the_seed() {
    let dir = workdir("swarm");
    std::fs::write(dir.join("quick.json"), quick(true)).unwrap();
    let run = |seed: &str, seeds: &str, out: &str| {
        let args = [
            "check",
            "quick.json",
            "--swarm",
            "--seed",
            seed,
            "--seeds",
            seeds,
            "--out",
            out,
        ];
        let o = afsim(&dir, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        json(&dir.join(out).join("quick-check/check.json"))
    };
    let a = run("40", "3", "a");
    let b = run("40", "3", "b");
    let c = run("42", "1", "c");
    assert_eq!(a, b);
    assert_eq!(a["swarm"], true);
    assert_eq!(a["runs"][2], c["runs"][0], "seed 42 draws the same alone");
    let draws: Vec<&Value> = (0..3).map(|k| &a["runs"][k]["swarm"]).collect();
    assert!(draws[0]["servers"].as_u64().is_some(), "{}", draws[0]);
    assert!(draws[0] != draws[1] || draws[1] != draws[2]);
}

#[test]
fn sharding_needs_a_fixed_seed() {
    let dir = workdir("unseeded");
    std::fs::write(dir.join("quick.json"), quick(true)).unwrap();
    let o = afsim(&dir, &["check", "quick.json", "--shard", "1/2"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with("error: quick.json: --shard needs a fixed first seed"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    let o = afsim(
        &dir,
        &["check", "quick.json", "--shard", "3/2", "--seed", "1"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!dir.join("results").exists(), "nothing written");
}
