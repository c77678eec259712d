//! `afsim sweep` as users meet it: the seeds line, the grid, identical bytes whatever
//! `--jobs`, and bad `--set`s refused before anything runs.
mod command;

use command::{afsim, stderr, stdout, workdir};
use std::process::Output;

const QUICK: &str = r#"{
  "name": "quick",
  "description": "A master crash in a tiny cell with fast Ubik timings, two minutes long.",
  "seed": 5,
  "duration_s": 120,
  "cell": { "servers": 3, "clients": 4, "files": 6 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "network": { "latency_ms": { "min": 1, "max": 5 } },
  "workload": { "ops_per_client_s": 1 },
  "strategies": [
    { "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 10, "lock_lease_s": 10, "lock_renew_s": 3 },
    { "name": "quorum", "recovery": "quorum", "callback_lease_s": 10, "lock_lease_s": 10, "lock_renew_s": 3 }
  ],
  "faults": [ { "at_s": 30, "crash": "master", "for_s": 10 } ]
}"#;

#[test]
fn sweeps_give_the_same_bytes_whatever_the_number_of_jobs() {
    let dir = workdir("jobs");
    std::fs::write(dir.join("quick.json"), QUICK).unwrap();
    let sweep = |jobs: &str, out: &str| {
        let args = [
            "sweep",
            "quick.json",
            "--set",
            "strategies.*.callback_lease_s=5,20,80",
            "--set",
            "network.loss=0,0.01",
            "--seeds",
            "4",
            "--jobs",
            jobs,
            "--out",
            out,
        ];
        let o = afsim(&dir, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o
    };
    let one = sweep("1", "one");
    let two = sweep("2", "two");
    assert_eq!(stdout(&one).lines().next(), Some("seeds=5..8"));
    let table = |o: &Output| -> Vec<String> {
        let text = stdout(o);
        let keep = |l: &&str| !l.contains(" at a time") && !l.starts_with("wrote ");
        text.lines().filter(keep).map(String::from).collect()
    };
    assert_eq!(table(&one), table(&two));
    for file in [
        "sweep.json",
        "sweep.csv",
        "sweep-availability.svg",
        "sweep-unavailable_s.png",
    ] {
        let a = std::fs::read(dir.join("one/quick").join(file)).unwrap();
        let b = std::fs::read(dir.join("two/quick").join(file)).unwrap();
        assert!(a == b, "{file} differs between --jobs 1 and --jobs 2");
    }
    let csv = std::fs::read_to_string(dir.join("one/quick/sweep.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with(
        "strategies_callback_lease_s,network_loss,strategy,availability_mean,availability_ci_low"
    ));
    assert_eq!(lines.count(), 3 * 2 * 2, "a row per point and strategy");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("one/quick/sweep.json")).unwrap()).unwrap();
    assert_eq!(json["seeds"], serde_json::json!([5, 6, 7, 8]));
    let first = &json["points"][0]["strategies"][0]["metrics"]["availability"];
    assert_eq!(first["n"], 4);
    assert_eq!(first["per_seed"].as_array().unwrap().len(), 4);
    let (lo, mean, hi) = (
        first["ci_low"].as_f64().unwrap(),
        first["mean"].as_f64().unwrap(),
        first["ci_high"].as_f64().unwrap(),
    );
    assert!(lo <= mean && mean <= hi && hi <= 1.5, "{lo} {mean} {hi}");
}

#[test]
fn a_bad_set_is_refused_before_anything_runs() {
    let dir = workdir("bad");
    std::fs::write(dir.join("quick.json"), QUICK).unwrap();
    let cases: [(&str, &str); 4] = [
        ("strategies.*.callback_lease_z=5,20", "callback_lease_z"),
        ("strategies.nobody.callback_lease_s=5", "nobody"),
        ("network.loss=0,2", "network.loss"),
        ("network.loss", "PATH=V1"),
    ];
    for (set, mention) in cases {
        let o = afsim(&dir, &["sweep", "quick.json", "--set", set, "--seeds", "2"]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ") && err.contains(mention),
            "{set}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(stdout(&o).is_empty(), "nothing printed before the error");
    }
    assert!(!dir.join("results").exists(), "nothing written");
}
