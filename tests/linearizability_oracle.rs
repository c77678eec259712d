//! An independent judge of `history.jsonl`: Wing and Gong's search for a linearization,
//! with Lowe's memo of (operations linearized, register value), per file, as Porcupine
//! runs it. It shares no code with afsim's checker (a streaming cluster test) and reads
//! only the history file; on every strategy of several runs, with violations and
//! without, both count the same files as having no linearization.
mod support;

use afsim::check::Kind;
use afsim::run::run_scenario_logged;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use support::{Shared, scenario, small};

/// One register operation: a write of `value`, or a read that returned it (0 is the
/// initial content; write ids are numbered from 1 per file).
#[derive(Clone, Debug)]
struct Op {
    call: u64,
    /// `None`: it never returned (a write that may take effect at any time, or never).
    ret: Option<u64>,
    write: bool,
    value: u32,
}

/// Whether the operations of one file have a linearization as a register that holds
/// `None` at first.
fn linearizable(ops: &[Op]) -> bool {
    // Entries in time order; at equal times calls come first: an operation precedes
    // another only if it returned strictly before the other was called.
    let mut entries: Vec<(u64, bool, usize)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        entries.push((op.call, false, i));
        entries.push((op.ret.unwrap_or(u64::MAX), true, i));
    }
    entries.sort();
    let n = ops.len();
    let words = n.div_ceil(64);
    let mut done = vec![0u64; words];
    let mut live: Vec<bool> = vec![true; entries.len()];
    let call_index: Vec<usize> = {
        let mut v = vec![0; n];
        for (k, &(_, ret, i)) in entries.iter().enumerate() {
            if !ret {
                v[i] = k;
            }
        }
        v
    };
    let ret_index: Vec<usize> = {
        let mut v = vec![0; n];
        for (k, &(_, ret, i)) in entries.iter().enumerate() {
            if ret {
                v[i] = k;
            }
        }
        v
    };
    let mut seen: HashSet<(Vec<u64>, u32)> = HashSet::new();
    let mut stack: Vec<(usize, u32)> = Vec::new();
    let mut state: u32 = 0;
    let mut k = 0;
    loop {
        // Success: every operation that returned is linearized.
        let pending_left = (0..entries.len())
            .filter(|&e| live[e])
            .all(|e| ops[entries[e].2].ret.is_none());
        if pending_left {
            return true;
        }
        while k < entries.len() && !live[k] {
            k += 1;
        }
        let (_, is_ret, i) = entries[k];
        if !is_ret {
            let op = &ops[i];
            let ok = op.write || op.value == state;
            let next = if op.write { op.value } else { state };
            let mut with = done.clone();
            with[i / 64] |= 1 << (i % 64);
            if ok && seen.insert((with.clone(), next)) {
                stack.push((i, state));
                state = next;
                done = with;
                live[call_index[i]] = false;
                live[ret_index[i]] = false;
                k = 0;
                continue;
            }
            k += 1;
            continue;
        }
        // A return of an operation not linearized yet: undo the last choice.
        let Some((j, before)) = stack.pop() else {
            return false;
        };
        state = before;
        done[j / 64] &= !(1 << (j % 64));
        live[call_index[j]] = true;
        live[ret_index[j]] = true;
        k = call_index[j] + 1;
    }
}

/// Files with no linearization, per strategy, judged from the history text alone.
fn oracle(text: &str) -> BTreeMap<String, usize> {
    let mut per: BTreeMap<(String, u64), Vec<Op>> = BTreeMap::new();
    let mut ids: BTreeMap<String, u32> = BTreeMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let strategy = v["strategy"].as_str().unwrap().to_string();
        let file = v["file"].as_u64().unwrap();
        let result = v["result"].as_str().unwrap();
        let call = v["invoke_us"].as_u64().unwrap();
        let ret = v["complete_us"].as_u64();
        let value = match v["value"].as_str() {
            None => 0,
            Some(w) => {
                let next = ids.len() as u32 + 1;
                *ids.entry(w.to_string()).or_insert(next)
            }
        };
        let op = match (v["op"].as_str().unwrap(), result) {
            ("write", "ok") => Op {
                call,
                ret,
                write: true,
                value,
            },
            ("write", "unknown") => Op {
                call,
                ret: None,
                write: true,
                value,
            },
            ("read", "ok") => Op {
                call,
                ret,
                write: false,
                value,
            },
            _ => continue,
        };
        per.entry((strategy, file)).or_default().push(op);
    }
    let mut out: BTreeMap<String, usize> = BTreeMap::new();
    for ((strategy, _), mut ops) in per {
        // A write that never returned and that no read saw may never have taken effect:
        // leaving it out changes nothing, and keeps the search from trying every place
        // for it.
        let read: HashSet<u32> = ops.iter().filter(|o| !o.write).map(|o| o.value).collect();
        ops.retain(|o| o.ret.is_some() || !o.write || read.contains(&o.value));
        let bad = usize::from(!linearizable(&ops));
        *out.entry(strategy).or_default() += bad;
    }
    out
}

fn compare(doc: Value, seed: u64) -> u64 {
    let s = scenario(doc);
    let buf = Shared::default();
    let (outcomes, _) = run_scenario_logged(&s, seed, Box::new(buf.clone())).unwrap();
    let text = buf.text();
    let judged = oracle(&text);
    let mut bad = 0;
    for (st, o) in s.strategies.iter().zip(&outcomes) {
        let mine = o.verdict.count(Kind::Linearizability);
        assert_eq!(
            judged.get(&st.name).copied().unwrap_or(0) as u64,
            mine,
            "{} on seed {seed}",
            st.name
        );
        bad += mine;
    }
    bad
}

#[test]
fn agrees_with_an_outside_search_for_a_linearization() {
    let strategies = json!([
        { "name": "naive", "recovery": "naive", "callback_lease_s": 30, "expect_violations": true },
        { "name": "token, short window", "recovery": "token-recovery", "callback_lease_s": 30,
          "recovery_window_s": 3, "client_probe_s": 20, "expect_violations": true },
        { "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 30, "clock_skew_allowance_s": 1 },
        { "name": "quorum, async", "recovery": "quorum", "callback_lease_s": 30,
          "clock_skew_allowance_s": 1, "durability": "async", "expect_violations": true }
    ]);
    let mut total = 0;
    for seed in 1..=5 {
        let faults = json!([
            { "at_s": 15, "crash": "master", "for_s": 5 },
            { "at_s": 30, "isolate": "c1", "for_s": 15 },
            { "at_s": 32, "crash": "master", "for_s": 5 },
            { "at_s": 50, "loss": 0.3, "for_s": 5 }
        ]);
        let mut doc = small(60.0, strategies.clone(), faults);
        doc["cell"] = json!({ "servers": 3, "clients": 5, "files": 6 });
        doc["election"] = json!({ "beacon_s": 0.5, "master_lease_s": 2, "vote_wait_s": 3.5 });
        doc["workload"] = json!({ "ops_per_client_s": 1.5, "op_deadline_s": 8,
                                  "mix": { "read": 0.6, "write": 0.35, "lock": 0.05 } });
        total += compare(doc, seed);
    }
    assert!(
        total > 0,
        "some files had no linearization, so agreeing means something"
    );
}
