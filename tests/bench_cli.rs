//! `afsim bench`: one row of figures per strategy, each run in its own process.
mod command;

use command::{afsim, workdir};
use std::process::Output;

const SMALL: &str = r#"{
  "name": "small",
  "description": "Two strategies on a small cell for two simulated minutes, to time.",
  "seed": 4,
  "duration_s": 120,
  "cell": { "servers": 3, "clients": 20, "files": 10 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "workload": { "ops_per_client_s": 1 },
  "strategies": [
    { "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 10, "lock_lease_s": 10, "lock_renew_s": 3 },
    { "name": "quorum", "recovery": "quorum", "callback_lease_s": 10, "lock_lease_s": 10, "lock_renew_s": 3 }
  ],
  "faults": [ { "at_s": 30, "crash": "master", "for_s": 10 } ]
}"#;

fn bench(args: &[&str]) -> Output {
    let dir = workdir(&args.join("-").replace(['/', '.'], "_"));
    std::fs::write(dir.join("small.json"), SMALL).unwrap();
    afsim(&dir, &[&["bench"], args].concat())
}

/// The numbers of a table row after its scenario and strategy names.
fn figures(row: &str, names: usize) -> Vec<f64> {
    row.split_whitespace()
        .skip(names)
        .map(|f| f.parse().unwrap_or_else(|_| panic!("{f:?} in {row:?}")))
        .collect()
}

#[test]
fn prints_events_speed_and_memory_per_strategy() {
    let o = bench(&["small.json"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "a header and one row per strategy: {out}");
    assert!(lines[0].contains("events/s") && lines[0].contains("peak MiB"));
    for (row, name) in lines[1..].iter().zip(["lease", "quorum"]) {
        assert!(row.starts_with("small"), "{row}");
        assert_eq!(row.split_whitespace().nth(1), Some(name), "{row}");
        let f = figures(row, 2);
        let [events, wall, per_s, sim_per_wall, peak] = f[..] else {
            panic!("five figures: {row}")
        };
        assert!(events > 1000.0 && wall > 0.0 && peak > 0.0, "{row}");
        // Wall time is printed to the millisecond.
        let (lo, hi) = (wall - 0.0005, wall + 0.0005);
        assert!(
            per_s * lo <= events + 1.0 && events <= per_s * hi + 1.0,
            "{row}"
        );
        // The run includes its liveness phase, so it simulates more than 120 s.
        assert!(sim_per_wall * wall > 120.0, "{row}");
    }
    // The same strategy processes the same events whenever it runs.
    let again = bench(&["small.json", "--strategy", "quorum"]);
    let again = String::from_utf8_lossy(&again.stdout);
    let quorum = |text: &str| figures(text.lines().nth(1).expect("a row"), 2)[0];
    assert_eq!(quorum(&again), figures(lines[2], 2)[0]);
}

#[test]
fn unknown_strategies_and_files_are_errors() {
    let o = bench(&["small.json", "--strategy", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("\"nope\"") && err.contains("lease"), "{err}");
    assert!(o.stdout.is_empty(), "nothing printed before the error");
    let o = bench(&["missing.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.json"));
}
