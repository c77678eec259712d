//! Every class of bad scenario gets one line naming the file and the exact place.

mod common;

use afsim::scenario::{ScenarioError, load, parse};
use common::EXAMPLE;
use serde_json::{Value, json};

const FILE: &str = "scenarios/x.json";

/// The CONTRACT example with one change, parsed; the error's text.
fn error_after(edit: impl FnOnce(&mut Value)) -> String {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    edit(&mut doc);
    let text = serde_json::to_string_pretty(&doc).unwrap();
    match parse(&text, FILE) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The message is one line: `FILE: PATH: ...` and mentions every one of `words`.
fn assert_field(message: &str, path: &str, words: &[&str]) {
    assert!(!message.contains('\n'), "more than one line: {message}");
    let head = format!("{FILE}: {path}: ");
    assert!(
        message.starts_with(&head),
        "expected {head:?}…, got {message}"
    );
    for w in words {
        assert!(message.contains(w), "{message:?} lacks {w:?}");
    }
}

#[test]
fn the_contract_example_is_valid() {
    let s = parse(EXAMPLE, FILE).unwrap();
    assert_eq!(s.name, "format-example");
    assert_eq!(s.strategies.len(), 4);
    assert_eq!(s.faults.len(), 7);
}

#[test]
fn malformed_json_gives_line_and_column() {
    let text = "{\n  \"name\": \"x\",\n  \"duration_s\": 10\n  \"strategies\": []\n}\n";
    let e = parse(text, FILE).unwrap_err();
    assert_eq!(e.to_string(), "scenarios/x.json:4:3: expected `,` or `}`");
    assert_eq!(e.line_column(), Some((4, 3)));
    let e = parse("", FILE).unwrap_err().to_string();
    assert!(
        e.starts_with("scenarios/x.json:1:0: unexpected end of file"),
        "{e}"
    );
    let e = parse(&format!("{EXAMPLE}]"), FILE).unwrap_err().to_string();
    let line = EXAMPLE.lines().count() + 1;
    assert_eq!(e, format!("scenarios/x.json:{line}:1: trailing characters"));
}

#[test]
fn unknown_field_names_its_path_and_the_allowed_fields() {
    let e = error_after(|d| d["strategies"][0]["recoverry"] = json!("quorum"));
    assert_field(
        &e,
        "strategies[0].recoverry",
        &[
            "unknown field; allowed: name, recovery, callback_lease_s,",
            "(line ",
        ],
    );
    let e = error_after(|d| d["network"]["los"] = json!(0.1));
    assert_field(&e, "network.los", &["unknown field", "loss"]);
}

#[test]
fn wrong_type_says_what_was_expected() {
    let e = error_after(|d| d["duration_s"] = json!("long"));
    assert_field(
        &e,
        "duration_s",
        &["expected a number, found string \"long\""],
    );
    let e = error_after(|d| d["cell"]["servers"] = json!(3.5));
    assert_field(&e, "cell.servers", &["expected a whole number", "3.5"]);
    let e = error_after(|d| d["strategies"][1]["recovery"] = json!("tokens"));
    assert_field(
        &e,
        "strategies[1].recovery",
        &[
            "unknown value \"tokens\"",
            "lease-timeout, token-recovery, quorum, naive",
        ],
    );
    let e = error_after(|d| d["strategies"][0]["callback_lease_s"] = json!("nfs"));
    assert_field(&e, "strategies[0].callback_lease_s", &["\"afs\""]);
}

#[test]
fn missing_required_field_is_named() {
    let e = error_after(|d| {
        d["strategies"][2]
            .as_object_mut()
            .unwrap()
            .remove("recovery");
    });
    assert_field(&e, "strategies[2].recovery", &["missing"]);
}

#[test]
fn probabilities_out_of_range() {
    let e = error_after(|d| d["network"]["loss"] = json!(1.5));
    assert_eq!(
        e,
        "scenarios/x.json: network.loss: 1.5 is out of range; allowed 0 to 1"
    );
    let e = error_after(|d| d["workload"]["exclusive_locks"] = json!(-0.1));
    assert_field(&e, "workload.exclusive_locks", &["allowed 0 to 1"]);
    let e = error_after(|d| d["faults"][4]["loss"] = json!(2));
    assert_field(&e, "faults[4].loss", &["allowed 0 to 1"]);
}

#[test]
fn times_out_of_range() {
    let e = error_after(|d| d["duration_s"] = json!(0));
    assert_field(&e, "duration_s", &["0 is out of range", "more than 0"]);
    let e = error_after(|d| d["workload"]["lock_hold_s"] = json!(-1));
    assert_field(&e, "workload.lock_hold_s", &["-1 is out of range"]);
    let e = error_after(|d| d["election"]["beacon_s"] = json!(0));
    assert_field(&e, "election.beacon_s", &["more than 0"]);
    let e = error_after(|d| d["faults"][2]["for_s"] = json!(0));
    assert_field(&e, "faults[2].for_s", &["more than 0"]);
    let e = error_after(|d| d["duration_s"] = json!(1e12));
    assert_field(&e, "duration_s", &["at most"]);
}

#[test]
fn cell_sizes_out_of_range() {
    let e = error_after(|d| d["cell"]["servers"] = json!(255));
    assert_field(
        &e,
        "cell.servers",
        &["255 is out of range; allowed 1 to 254"],
    );
    let e = error_after(|d| d["cell"]["clients"] = json!(0));
    assert_field(&e, "cell.clients", &["allowed 1 or more"]);
    let e = error_after(|d| d["cell"]["clients"] = json!(999_999));
    assert_field(&e, "cell.clients", &["1000002 nodes", "at most 1000000"]);
}

#[test]
fn strategy_values_out_of_range() {
    let e = error_after(|d| d["strategies"][2]["lock_renew_s"] = json!(300));
    assert_field(&e, "strategies[2].lock_renew_s", &["lock_lease_s (300)"]);
    let e = error_after(|d| d["strategies"][0]["callback_lease_s"] = json!(0));
    assert_field(&e, "strategies[0].callback_lease_s", &["more than 0"]);
    let e = error_after(|d| d["strategies"][3]["network"] = json!({ "duplicate": 3 }));
    assert_field(&e, "strategies[3].network.duplicate", &["allowed 0 to 1"]);
}

#[test]
fn clock_drift_out_of_range() {
    let e = error_after(|d| d["network"]["clock_drift_ppm"] = json!(100_000));
    assert_field(&e, "network.clock_drift_ppm", &["less than 100000"]);
}

#[test]
fn mix_must_sum_to_one() {
    let e = error_after(|d| d["workload"]["mix"]["read"] = json!(0.8));
    assert_field(&e, "workload.mix", &["= 1.1", "sum to 1"]);
}

#[test]
fn unknown_node_names_the_cell() {
    let e = error_after(|d| d["faults"][2] = json!({ "at_s": 5, "crash": "fs9" }));
    assert_eq!(
        e,
        "scenarios/x.json: faults[2].crash: unknown node \"fs9\"; the cell has fs0-fs2 and c0-c49"
    );
    let e = error_after(|d| d["faults"][2]["partition"][1][0] = json!("c50"));
    assert_field(&e, "faults[2].partition[1][0]", &["unknown node \"c50\""]);
    let e = error_after(|d| d["faults"][1]["restart"] = json!("node1"));
    assert_field(&e, "faults[1].restart", &["is not a node", "fsN, cN"]);
}

#[test]
fn bad_ranges() {
    let e = error_after(|d| d["faults"][3]["partition"][0][0] = json!("c9-c3"));
    assert_field(
        &e,
        "faults[3].partition[0][0]",
        &["\"c9-c3\" is not a range"],
    );
    let e = error_after(|d| d["faults"][3]["partition"][0][0] = json!("c0-c60"));
    assert_field(
        &e,
        "faults[3].partition[0][0]",
        &["unknown node \"c60\" in \"c0-c60\""],
    );
    let e = error_after(|d| d["faults"][3]["partition"][0][0] = json!("c0-fs1"));
    assert_field(
        &e,
        "faults[3].partition[0][0]",
        &["mixes servers and clients"],
    );
}

#[test]
fn a_fault_has_exactly_one_kind() {
    let e = error_after(|d| d["faults"][0]["loss"] = json!(0.1));
    assert_field(
        &e,
        "faults[0]",
        &["2 kinds given (crash, loss)", "exactly one of"],
    );
    let e = error_after(|d| d["faults"][0] = json!({ "at_s": 10 }));
    assert_field(&e, "faults[0]", &["no kind given", "exactly one of crash,"]);
}

#[test]
fn fault_companions_belong_to_their_kinds() {
    let e = error_after(|d| d["faults"][0]["one_way"] = json!(true));
    assert_field(&e, "faults[0].one_way", &["only allowed with partition"]);
    let e = error_after(|d| d["faults"][2]["between"] = json!([["fs0"], ["*"]]));
    assert_field(&e, "faults[2].between", &["only allowed with loss"]);
    let e = error_after(|d| {
        d["faults"][6].as_object_mut().unwrap().remove("node");
    });
    assert_field(&e, "faults[6].node", &["missing"]);
    let e = error_after(|d| d["faults"][6]["node"] = json!("master"));
    assert_field(&e, "faults[6].node", &["master is not allowed"]);
    let e = error_after(|d| d["faults"][1]["for_s"] = json!(10));
    assert_field(&e, "faults[1].for_s", &["not allowed with restart"]);
}

#[test]
fn partitions_need_two_disjoint_groups() {
    let e = error_after(|d| d["faults"][2]["partition"] = json!([["fs0"]]));
    assert_field(&e, "faults[2].partition", &["two or more groups"]);
    let e = error_after(|d| d["faults"][2]["partition"] = json!([["fs0"], []]));
    assert_field(&e, "faults[2].partition[1]", &["empty group"]);
    let e = error_after(|d| d["faults"][2]["partition"] = json!([["fs0-fs1"], ["fs1"]]));
    assert_field(&e, "faults[2].partition[1][0]", &["overlaps \"fs0-fs1\""]);
}

#[test]
fn clock_jump_before_zero() {
    let e = error_after(|d| d["faults"][6]["clock_jump_s"] = json!(-20000));
    assert_field(&e, "faults[6].clock_jump_s", &["before zero"]);
}

#[test]
fn recovery_window_only_on_token_recovery() {
    let e = error_after(|d| d["strategies"][2]["recovery_window_s"] = json!(100));
    assert_field(
        &e,
        "strategies[2].recovery_window_s",
        &[
            "only allowed with recovery \"token-recovery\"",
            "\"quorum\"",
        ],
    );
    let e = error_after(|d| d["strategies"][0]["end_window_when_all_reasserted"] = json!(true));
    assert_field(
        &e,
        "strategies[0].end_window_when_all_reasserted",
        &["token-recovery"],
    );
}

#[test]
fn strategy_names_are_unique_and_present() {
    let e = error_after(|d| d["strategies"][3]["name"] = json!("quorum"));
    assert_field(&e, "strategies[3].name", &["strategies[2]", "unique"]);
    let e = error_after(|d| d["strategies"][1]["name"] = json!(""));
    assert_field(&e, "strategies[1].name", &["empty"]);
    let e = error_after(|d| d["strategies"] = json!([]));
    assert_field(&e, "strategies", &["at least one"]);
}

#[test]
fn scenario_name_is_a_folder_name() {
    let e = error_after(|d| d["name"] = json!("my scenario"));
    assert_field(&e, "name", &["' '", "letters, digits"]);
    let e = error_after(|d| d["name"] = json!(""));
    assert_field(&e, "name", &["empty"]);
}

#[test]
fn at_s_must_fall_before_the_end() {
    let e = error_after(|d| d["faults"][5]["at_s"] = json!(21600));
    assert_field(
        &e,
        "faults[5].at_s",
        &["21600 is out of range", "less than duration_s (21600)"],
    );
}

#[test]
fn latency_names_exactly_one_form() {
    let e = error_after(|d| d["network"]["latency_ms"]["fixed"] = json!(5));
    assert_field(
        &e,
        "network.latency_ms",
        &["two forms given (min/max and fixed)"],
    );
    let e = error_after(|d| d["faults"][5]["latency_ms"] = json!({ "lognormal_median": 3 }));
    assert_field(&e, "faults[5].latency_ms.sigma", &["missing"]);
    let e = error_after(|d| d["network"]["latency_ms"] = json!({ "min": 20, "max": 10 }));
    assert_field(&e, "network.latency_ms.min", &["more than max (10)"]);
    let e = error_after(|d| d["network"]["latency_ms"] = json!({}));
    assert_field(&e, "network.latency_ms", &["no latency given"]);
}

#[test]
fn random_faults_and_limits() {
    let e = error_after(|d| d["random_faults"]["downtime_s"] = json!([600, 60]));
    assert_field(&e, "random_faults.downtime_s", &["min more than max"]);
    let e = error_after(|d| d["random_faults"]["downtime_s"] = json!([60]));
    assert_field(
        &e,
        "random_faults.downtime_s",
        &["a list of 1 item", "exactly 2"],
    );
    let e = error_after(|d| d["random_faults"]["crash_master_every_s"] = json!(0));
    assert_field(&e, "random_faults.crash_master_every_s", &["more than 0"]);
    let e = error_after(|d| d["limits"] = json!({ "events_max": 0 }));
    assert_field(&e, "limits.events_max", &["1 or more"]);
    let e = error_after(|d| d["limits"] = json!({ "wall_s_max": 0 }));
    assert_field(&e, "limits.wall_s_max", &["more than 0"]);
}

#[test]
fn a_missing_file_is_named() {
    let path = std::path::Path::new("scenarios/does-not-exist.json");
    let e = load(path).unwrap_err();
    assert!(matches!(e, ScenarioError::Read { .. }));
    let text = e.to_string();
    assert!(
        text.starts_with("scenarios/does-not-exist.json: cannot read the file: "),
        "{text}"
    );
}
