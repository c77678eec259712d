//! The table `afsim run` prints: units in the headers, the longest write outage (not the
//! mean), a column per invariant, counts in the right number.
mod command;

use command::{afsim, stderr, stdout, workdir};

/// Two outages of different lengths per strategy.
const TWO_OUTAGES: &str = r#"{
  "name": "two-outages",
  "description": "A crash of the master, then a partition that cuts it off: two outages.",
  "seed": 3,
  "duration_s": 120,
  "cell": { "servers": 3, "clients": 4, "files": 5 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "workload": { "ops_per_client_s": 1 },
  "strategies": [
    { "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 30, "lock_lease_s": 10, "lock_renew_s": 3 },
    { "name": "token", "recovery": "token-recovery", "callback_lease_s": 30, "recovery_window_s": 5 }
  ],
  "faults": [
    { "at_s": 20, "crash": "master", "for_s": 10 },
    { "at_s": 80, "partition": [["master"], ["*"]], "for_s": 5 }
  ]
}"#;

#[test]
fn the_table_shows_the_longest_outage_with_units_in_its_headers() {
    let dir = workdir("longest");
    std::fs::write(dir.join("two.json"), TWO_OUTAGES).unwrap();
    let o = afsim(&dir, &["run", "two.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("(120 s, 3 servers, 4 clients, 5 files, 2 faults)"),
        "{out}"
    );
    let head = out.lines().find(|l| l.starts_with("strategy")).unwrap();
    for h in [
        "write p50 ms",
        "write p99 ms",
        "longest outage s",
        "messages",
    ] {
        assert!(head.contains(h), "{head}");
    }
    for kind in afsim::check::Kind::ALL {
        let short = kind.name().split('_').next().unwrap();
        assert!(head.contains(short), "a column for {kind:?}: {head}");
    }
    let row = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_string()
    };
    // Each strategy's row shows the longest of its outages, never their mean.
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("results/two-outages/summary.json")).unwrap(),
    )
    .unwrap();
    for st in summary["strategies"].as_array().unwrap() {
        let outages: Vec<f64> = st["recoveries"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["unavailable_s"].as_f64())
            .collect();
        assert!(outages.len() >= 2, "two outages: {st}");
        let longest = outages.iter().cloned().fold(f64::MIN, f64::max);
        let mean = outages.iter().sum::<f64>() / outages.len() as f64;
        let name = st["name"].as_str().unwrap();
        let line = row(&format!("{name} "));
        assert!(
            line.contains(&format!(" {longest:.1} ")),
            "longest {longest:.1}: {line}"
        );
        if format!("{mean:.1}") != format!("{longest:.1}") {
            assert!(
                !line.contains(&format!(" {mean:.1} ")),
                "not the mean: {line}"
            );
        }
    }
    let one = TWO_OUTAGES.replace(
        r#",
    { "at_s": 80, "partition": [["master"], ["*"]], "for_s": 5 }"#,
        "",
    );
    std::fs::write(dir.join("one.json"), one).unwrap();
    let o = afsim(&dir, &["run", "one.json"]);
    assert!(stdout(&o).contains("5 files, 1 fault)"), "{}", stdout(&o));
}
