//! `afsim explore` on `scenarios/explore-tiny.json`: the safe strategies come out clean
//! and complete, naive is caught with a reproducer of at most two deviations that
//! `afsim run` replays to the same violation, the figures do not depend on `--jobs` or
//! `--shard`, a budget leaves the search incomplete, and a schedule refuses `--seed`.
mod command;

use command::{afsim, stderr, workdir};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/explore-tiny.json")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// explore-tiny with naive's violations unexpected, so that explore writes its
/// reproducer.
fn naive_unexpected(dir: &Path) -> PathBuf {
    let mut doc = read_json(&tiny());
    doc["name"] = "tiny-naive".into();
    let strategies = doc["strategies"].as_array().unwrap();
    let mut naive = strategies.last().unwrap().clone();
    naive.as_object_mut().unwrap().remove("expect_violations");
    doc["strategies"] = Value::Array(vec![naive]);
    let path = dir.join("naive.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}

#[test]
fn safe_strategies_complete_clean_and_naive_is_caught_at_k1() {
    let dir = workdir("clean");
    let o = afsim(
        &dir,
        &[
            "explore",
            tiny().to_str().unwrap(),
            "--deviations",
            "1",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = read_json(&dir.join("out/explore-tiny/explore.json"));
    for s in json["strategies"].as_array().unwrap() {
        assert_eq!(s["complete"], true, "{}", s["name"]);
        assert!(s["schedules"].as_u64().unwrap() > 100, "{}", s["name"]);
        let violating = s["violating_schedules"].as_u64().unwrap();
        if s["recovery"] == "naive" {
            assert!(violating > 0, "naive is caught");
            let best = &s["fewest_deviations"]["deviations"];
            assert!(best.as_array().unwrap().len() <= 2);
        } else {
            assert_eq!(violating, 0, "{} is clean", s["name"]);
        }
    }
}

#[test]
fn naive_reproducer_replays_to_the_same_violation_and_refuses_a_seed() {
    let dir = workdir("repro");
    let file = naive_unexpected(&dir);
    let o = afsim(
        &dir,
        &[
            "explore",
            file.to_str().unwrap(),
            "--deviations",
            "2",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "an unexpected violation exits 1");
    let json = read_json(&dir.join("out/tiny-naive/explore.json"));
    let best = &json["strategies"][0]["fewest_deviations"];
    assert!(best["deviations"].as_array().unwrap().len() <= 2);
    let repro = dir.join("out/tiny-naive/repro-naive-explore.json");
    let o = afsim(&dir, &["run", repro.to_str().unwrap(), "--out", "replay"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let summary = read_json(&dir.join("replay/tiny-naive/summary.json"));
    let violations = &summary["strategies"][0]["violations"];
    for (kind, n) in best["violations"].as_object().unwrap() {
        assert!(violations[kind].as_u64().unwrap() > 0, "{kind}: {n}");
        assert_eq!(&violations[kind], n, "{kind}");
    }
    let o = afsim(
        &dir,
        &["run", repro.to_str().unwrap(), "--seed", "2", "--out", "x"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("schedule"), "{}", stderr(&o));
    assert!(!dir.join("x").exists(), "nothing written");
}

#[test]
fn jobs_and_shards_give_the_same_explore_json() {
    let dir = workdir("split");
    let t = tiny();
    let t = t.to_str().unwrap();
    let explore = |out: &str, extra: &[&str]| {
        let mut args = vec!["explore", t, "--deviations", "1", "--out", out];
        args.extend_from_slice(extra);
        let o = afsim(&dir, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    };
    explore("one", &["--jobs", "1"]);
    explore("two", &["--jobs", "2"]);
    explore("again", &["--jobs", "2"]);
    for k in 1..=3 {
        explore("shards", &["--shard", &format!("{k}/3"), "--jobs", "1"]);
    }
    let o = afsim(&dir, &["merge", "shards", "--out", "merged"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = |d: &str| std::fs::read(dir.join(d).join("explore-tiny/explore.json")).unwrap();
    let one = bytes("one");
    assert_eq!(one, bytes("two"), "--jobs 1 and --jobs 2");
    assert_eq!(one, bytes("again"), "the same explore twice");
    assert_eq!(one, bytes("merged"), "three shards merged");
}

#[test]
fn a_budget_leaves_the_search_incomplete() {
    let dir = workdir("budget");
    let o = afsim(
        &dir,
        &[
            "explore",
            tiny().to_str().unwrap(),
            "--deviations",
            "2",
            "--max-schedules",
            "50",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = read_json(&dir.join("out/explore-tiny/explore.json"));
    for s in json["strategies"].as_array().unwrap() {
        assert_eq!(s["complete"], false, "{}", s["name"]);
        assert!(s["schedules"].as_u64().unwrap() <= 50);
    }
}

#[test]
fn bad_schedules_are_refused_naming_the_field() {
    let dir = workdir("bad");
    let mut doc = read_json(&tiny());
    doc["strategies"] = Value::Array(vec![doc["strategies"][0].clone()]);
    doc["schedule"] =
        serde_json::json!([{ "message": { "from": "fs9", "nth": 3 }, "fate": "lost" }]);
    let path = dir.join("bad.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let o = afsim(&dir, &["run", path.to_str().unwrap(), "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("schedule[0].message.from"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("out").exists());
}
