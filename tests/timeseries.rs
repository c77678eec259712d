//! `timeseries.csv`: the CONTRACT's columns first and in order, then attempted and
//! succeeded per kind, which add up to the pooled counts and to `summary.json`.
mod command;

use command::{afsim, stderr, workdir};
use serde_json::Value;

const TINY: &str = r#"{
  "name": "tiny",
  "description": "Two strategies, one crash, five minutes of simulated time.",
  "seed": 3,
  "duration_s": 300,
  "cell": { "servers": 3, "clients": 4, "files": 5 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "workload": { "ops_per_client_s": 1 },
  "strategies": [
    { "name": "lease, with a comma", "recovery": "lease-timeout", "callback_lease_s": 10 },
    { "name": "naive", "recovery": "naive", "callback_lease_s": 10, "expect_violations": true }
  ],
  "faults": [ { "at_s": 20, "crash": "master", "for_s": 10 } ]
}"#;

#[test]
fn per_kind_columns_follow_the_contract_columns_and_add_up() {
    let dir = workdir("kinds");
    std::fs::write(dir.join("tiny.json"), TINY).unwrap();
    let o = afsim(&dir, &["run", "tiny.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(dir.join("results/tiny/timeseries.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "strategy,t_s,attempted,succeeded,availability,messages,read_attempted,\
         read_succeeded,write_attempted,write_succeeded,lock_attempted,lock_succeeded"
    );
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.join("results/tiny/summary.json")).unwrap())
            .unwrap();
    let mut totals = [[0u64; 3]; 2];
    for line in lines {
        // The strategy's name is quoted when it holds a comma.
        let (k, rest) = match line.strip_prefix("\"lease, with a comma\",") {
            Some(rest) => (0, rest),
            None => (1, line.strip_prefix("naive,").unwrap()),
        };
        let f: Vec<&str> = rest.split(',').collect();
        assert_eq!(f.len(), 11, "{line}");
        let n = |i: usize| f[i].parse::<u64>().unwrap();
        assert_eq!(n(1), n(5) + n(7) + n(9), "attempted adds up: {line}");
        assert_eq!(n(2), n(6) + n(8) + n(10), "succeeded adds up: {line}");
        assert_eq!(
            f[3].is_empty(),
            n(1) == 0,
            "availability empty iff nothing attempted"
        );
        for (kind, col) in [(0, 5), (1, 7), (2, 9)] {
            totals[k][kind] += n(col);
        }
    }
    for (k, s) in summary["strategies"].as_array().unwrap().iter().enumerate() {
        for (kind, name) in ["read", "write", "lock"].iter().enumerate() {
            assert_eq!(Some(totals[k][kind]), s["ops"][name]["attempted"].as_u64());
        }
    }
}
