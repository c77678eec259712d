//! `--shard K/N` and `afsim merge`: four shards merged give exactly the bytes of one
//! unsharded run, for `check` (reproducers included) and for `sweep` (plots included);
//! shards that do not make one whole run are refused with one clear message.
mod command;

use command::{afsim, stderr, workdir};
use std::path::{Path, PathBuf};
use std::process::Output;

/// A tiny cell with random master crashes; naive is not marked expected, so `check`
/// finds it and writes a reproducer.
fn tiny(name: &str, clients: u32) -> String {
    format!(
        r#"{{
  "name": "{name}",
  "description": "Master crashes about every minute in a tiny cell, three minutes long.",
  "seed": 21,
  "duration_s": 180,
  "cell": {{ "servers": 3, "clients": {clients}, "files": 4 }},
  "election": {{ "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 }},
  "workload": {{ "ops_per_client_s": 1, "op_deadline_s": 10 }},
  "strategies": [
    {{ "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 10, "lock_lease_s": 10, "lock_renew_s": 3 }},
    {{ "name": "naive", "recovery": "naive", "callback_lease_s": 10 }}
  ],
  "random_faults": {{ "crash_master_every_s": 60, "downtime_s": [2, 10] }}
}}"#
    )
}

/// Every file under `dir` (one level of subfolders), by path relative to it, with its
/// bytes, in path order.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let inner: Vec<PathBuf> = match path.is_dir() {
            true => std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect(),
            false => vec![path],
        };
        for p in inner {
            let bytes = std::fs::read(&p).unwrap();
            out.push((p.strip_prefix(dir).unwrap().to_path_buf(), bytes));
        }
    }
    out.sort();
    out
}

fn run_shards(dir: &Path, args: &[&str], code: i32) {
    for k in 1..=4 {
        let shard = format!("{k}/4");
        let mut a = args.to_vec();
        a.extend(["--shard", &shard, "--out", "shards"]);
        let o = afsim(dir, &a);
        assert_eq!(o.status.code(), Some(code), "{shard}: {}", stderr(&o));
    }
}

#[test]
fn four_check_shards_merge_to_the_bytes_of_one_run() {
    let dir = workdir("check");
    std::fs::write(dir.join("tiny.json"), tiny("tiny", 3)).unwrap();
    let whole = afsim(
        &dir,
        &["check", "tiny.json", "--seeds", "10", "--out", "whole"],
    );
    assert_eq!(whole.status.code(), Some(1), "{}", stderr(&whole));
    run_shards(&dir, &["check", "tiny.json", "--seeds", "10"], 1);
    let shard_files = files(&dir.join("shards"));
    assert_eq!(shard_files.len(), 4, "shards write nothing else");
    assert!(shard_files[0].0.ends_with("tiny/check.shard-1-of-4.jsonl"));
    let merged = afsim(&dir, &["merge", "shards", "--out", "merged"]);
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    assert!(stderr(&merged).contains("replay: afsim run tiny.json --seed"));
    let (a, b) = (files(&dir.join("whole")), files(&dir.join("merged")));
    let names: Vec<&PathBuf> = a.iter().map(|(p, _)| p).collect();
    assert!(names.iter().any(|p| p.ends_with("check.json")), "{names:?}");
    assert!(
        names
            .iter()
            .any(|p| p.to_string_lossy().contains("repro-naive-seed")),
        "{names:?}"
    );
    assert_eq!(names, b.iter().map(|(p, _)| p).collect::<Vec<_>>());
    for ((p, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{} differs after merging", p.display());
    }
}

#[test]
fn four_sweep_shards_merge_to_the_bytes_of_one_run() {
    let dir = workdir("sweep");
    let mut doc: serde_json::Value = serde_json::from_str(&tiny("tiny", 3)).unwrap();
    doc["strategies"][1]["expect_violations"] = true.into();
    std::fs::write(dir.join("tiny.json"), doc.to_string()).unwrap();
    let args = [
        "sweep",
        "tiny.json",
        "--set",
        "strategies.*.callback_lease_s=5,20",
        "--seeds",
        "3",
    ];
    let mut whole = args.to_vec();
    whole.extend(["--out", "whole"]);
    let o = afsim(&dir, &whole);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    run_shards(&dir, &args, 0);
    assert_eq!(
        files(&dir.join("shards")).len(),
        4,
        "shards write nothing else"
    );
    let merged = afsim(&dir, &["merge", "shards", "--out", "merged"]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    let (a, b) = (files(&dir.join("whole")), files(&dir.join("merged")));
    assert!(
        a.len() >= 12,
        "csv, json and a plot pair per metric: {}",
        a.len()
    );
    assert_eq!(a.len(), b.len());
    for ((p, x), (q, y)) in a.iter().zip(&b) {
        assert_eq!(p, q);
        assert!(x == y, "{} differs after merging", p.display());
    }
}

fn assert_refused(o: &Output, mention: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains(mention), "{err}");
}

#[test]
fn incomplete_or_mixed_shards_are_refused_and_nothing_is_written() {
    let dir = workdir("bad");
    std::fs::write(dir.join("tiny.json"), tiny("tiny", 3)).unwrap();
    std::fs::write(dir.join("other.json"), tiny("tiny", 2)).unwrap();
    let shard = |file: &str, k: u32, out: &str| {
        let s = format!("{k}/4");
        let args = ["check", file, "--seeds", "4", "--shard", &s, "--out", out];
        afsim(&dir, &args);
    };
    for k in 1..=3 {
        shard("tiny.json", k, "missing");
    }
    let o = afsim(&dir, &["merge", "missing", "--out", "merged"]);
    assert_refused(&o, "check of tiny: shard 4 of 4 is missing (found 1, 2, 3)");
    // Shard 4 of the same name but another scenario: a different run.
    std::fs::create_dir_all(dir.join("mixed")).unwrap();
    shard("other.json", 4, "mixed");
    let o = afsim(&dir, &["merge", "missing", "mixed", "--out", "merged"]);
    assert_refused(&o, "differ in scenario");
    // The same shard twice.
    shard("tiny.json", 3, "again");
    let o = afsim(&dir, &["merge", "missing", "again", "--out", "merged"]);
    assert_refused(&o, "shard 3/4 is given twice");
    let o = afsim(&dir, &["merge", "tiny.json", "--out", "merged"]);
    assert_refused(&o, "cannot read the folder");
    assert!(!dir.join("merged").exists(), "nothing written");
}
