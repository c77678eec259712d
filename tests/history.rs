//! `history.jsonl`: one line per operation, as CONTRACT.md says, and a faithful record:
//! the checkers fed from the file give the counts the run gave (every invariant but
//! lost_write, which needs the final volume).
mod support;

use afsim::check::Kind;
use afsim::history::replay::{Line, judge};
use afsim::run::run_scenario_logged;
use serde_json::json;
use support::{Shared, scenario, small};

#[test]
fn the_checkers_fed_from_the_history_give_the_run_s_counts() {
    let strategies = json!([
        { "name": "naive", "recovery": "naive", "callback_lease_s": 60, "expect_violations": true },
        { "name": "token, cut off", "recovery": "token-recovery", "callback_lease_s": 60,
          "recovery_window_s": 5, "client_probe_s": 30, "expect_violations": true },
        { "name": "quorum", "recovery": "quorum", "callback_lease_s": 60, "clock_skew_allowance_s": 1 }
    ]);
    let faults = json!([
        { "at_s": 60, "crash": "master", "for_s": 20 },
        { "at_s": 150, "isolate": "c1", "for_s": 30 },
        { "at_s": 155, "crash": "master", "for_s": 5 },
        { "at_s": 240, "crash": "c2", "for_s": 5 }
    ]);
    let mut doc = small(300.0, strategies, faults);
    doc["cell"] = json!({ "servers": 3, "clients": 8, "files": 3 });
    doc["workload"] = json!({ "ops_per_client_s": 2, "exclusive_locks": 1.0, "lock_hold_s": 20,
                              "op_deadline_s": 10, "mix": { "read": 0.6, "write": 0.25, "lock": 0.15 } });
    let s = scenario(doc);
    let buf = Shared::default();
    let (outcomes, _) = run_scenario_logged(&s, 7, Box::new(buf.clone())).unwrap();
    let text = buf.text();
    let lines: Vec<Line> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let mut fired = 0;
    for (st, outcome) in s.strategies.iter().zip(&outcomes) {
        let mine: Vec<Line> = lines
            .iter()
            .filter(|l| l.strategy == st.name)
            .cloned()
            .collect();
        assert!(!mine.is_empty());
        // Grouped by strategy, each in order of invocation, then client.
        let key = |l: &Line| (l.invoke_us, l.client[1..].parse::<u32>().unwrap());
        assert!(
            mine.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
            "{}",
            st.name
        );
        let judged = judge(&mine, 8, 3, outcome.end).unwrap();
        for kind in [
            Kind::StaleRead,
            Kind::LockConflict,
            Kind::Liveness,
            Kind::Linearizability,
        ] {
            assert_eq!(
                judged.count(kind),
                outcome.verdict.count(kind),
                "{}: {}",
                st.name,
                kind.name()
            );
            fired += outcome.verdict.count(kind);
        }
    }
    assert!(
        fired > 0,
        "some invariant fired, so the comparison means something"
    );
    // Lines are as CONTRACT.md spells them.
    let first_read = text
        .lines()
        .find(|l| l.contains("\"op\":\"read\""))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(first_read).unwrap();
    for key in [
        "strategy",
        "client",
        "op",
        "file",
        "invoke_us",
        "complete_us",
        "result",
    ] {
        assert!(v.get(key).is_some(), "{key} in {first_read}");
    }
    assert!(text.contains("\"phase\":\"liveness\""));
    assert!(text.contains("\"cached\":true"));
    assert!(text.contains("\"end\":\"crash\"") || text.contains("\"end\":\"released\""));
}

/// A run whose books are kept on a thread of their own gives what the same run with its
/// books on its own thread gives: verdict, metrics (recoveries, lanes, messages) and the
/// history, byte for byte. The run hands over several full batches and a partial one.
#[test]
fn books_kept_apart_take_the_same_notes_in_the_same_order() {
    use afsim::history::HistoryLog;
    use afsim::run::{RunSpec, fault_schedule, run_strategy};
    let strategies = json!([
        { "name": "naive", "recovery": "naive", "callback_lease_s": 60, "expect_violations": true },
        { "name": "token", "recovery": "token-recovery", "callback_lease_s": 60,
          "recovery_window_s": 40, "client_probe_s": 15 }
    ]);
    let faults = json!([
        { "at_s": 60, "crash": "master", "for_s": 20 },
        { "at_s": 200, "crash": "c2", "for_s": 5 }
    ]);
    let mut doc = small(300.0, strategies, faults);
    doc["cell"] = json!({ "servers": 3, "clients": 12, "files": 4 });
    doc["workload"] = json!({ "ops_per_client_s": 2, "exclusive_locks": 1.0, "lock_hold_s": 5,
                              "mix": { "read": 0.6, "write": 0.3, "lock": 0.1 } });
    let s = scenario(doc);
    let faults = fault_schedule(&s, 3);
    for strategy in &s.strategies {
        let run = |apart: bool| {
            let buf = Shared::default();
            let outcome = run_strategy(RunSpec {
                log: Some(HistoryLog::new(&strategy.name, Box::new(buf.clone()))),
                books_apart: apart,
                ..RunSpec::new(&s, strategy, 3, &faults)
            })
            .unwrap();
            drop(outcome.log.unwrap().into_writer().unwrap());
            let metrics = outcome.measured.unwrap();
            assert!(
                !metrics.lanes.of(0).is_empty(),
                "the crash's recovery has lanes"
            );
            (
                outcome.verdict,
                format!("{metrics:?}"),
                buf.text(),
                outcome.trace_hash,
            )
        };
        let (here, apart) = (run(false), run(true));
        assert!(here.2.lines().count() > 5_000, "several batches");
        assert_eq!(here.0, apart.0, "{}: verdict", strategy.name);
        assert_eq!(here.1, apart.1, "{}: metrics", strategy.name);
        assert_eq!(here.2, apart.2, "{}: history", strategy.name);
        assert_eq!(here.3, apart.3, "{}: trace", strategy.name);
    }
}
