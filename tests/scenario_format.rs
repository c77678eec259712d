//! The format beyond errors: round trips, helpers, targets, the schema and `--set`.

mod common;

use afsim::scenario::{
    CallbackLease, FaultKind, Recovery, Target, TargetRef, from_value, parse, schema_json, set_path,
};
use common::EXAMPLE;
use serde_json::{Value, json};

#[test]
fn written_scenarios_read_back_equal() {
    let s = parse(EXAMPLE, "example").unwrap();
    let filled = s.with_defaults_filled();
    let text = filled.to_json_pretty();
    assert!(text.ends_with("}\n"));
    let again = parse(&text, "written").unwrap();
    assert_eq!(again, filled);
    // Filling is idempotent, and the written file lists the window defaults.
    assert_eq!(again.with_defaults_filled(), filled);
    let token: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(token["strategies"][1]["recovery_window_s"], json!(200.0));
    assert_eq!(
        token["strategies"][1]["end_window_when_all_reasserted"],
        json!(false)
    );
    assert!(token["strategies"][0].get("recovery_window_s").is_none());
}

#[test]
fn overrides_and_limits_round_trip() {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["strategies"][2]["network"] =
        json!({ "latency_ms": { "lognormal_median": 2.5, "sigma": 0.7 }, "loss": 0.1 });
    doc["strategies"][2]["election"] = json!({ "beacon_s": 1.5 });
    doc["strategies"][3]["workload"] = json!({ "mix": { "read": 0.1, "write": 0.2, "lock": 0.7 } });
    doc["strategies"][0]["callback_lease_s"] = json!(0.30000000000000004);
    doc["limits"] = json!({ "events_max": 1_000_000, "wall_s_max": 60 });
    let s = from_value(doc, "edited").unwrap();
    let again = parse(&s.with_defaults_filled().to_json_pretty(), "written").unwrap();
    assert_eq!(again, s.with_defaults_filled());
}

/// `scenario.json` must replay the run: every float must read back bit for bit, even
/// ones with 17 significant digits such as drawn fault times.
#[test]
fn floats_read_back_bit_for_bit() {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["faults"][5]["latency_ms"] = json!({ "fixed": 2.457161212588998e-273 });
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let faults = doc["faults"].as_array_mut().unwrap();
    for _ in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let at_s = (x >> 11) as f64 / (1u64 << 53) as f64 * 21600.0;
        faults.push(json!({ "at_s": at_s, "crash": "c1", "for_s": at_s / 7.0 }));
    }
    let s = from_value(doc, "drawn").unwrap();
    let again = parse(&s.to_json_pretty(), "written").unwrap();
    assert_eq!(again, s);
}

#[test]
fn strategies_see_their_overrides_or_the_top_level() {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["strategies"][2]["network"] = json!({ "loss": 0.25 });
    let s = from_value(doc, "edited").unwrap();
    assert_eq!(s.network_for(&s.strategies[2]).loss, 0.25);
    assert_eq!(s.network_for(&s.strategies[0]).loss, 0.001);
    assert_eq!(s.election_for(&s.strategies[2]).beacon_s, 15.0);
    assert_eq!(s.workload_for(&s.strategies[1]).zipf, 1.0);
    assert_eq!(s.strategies[1].recovery_window_s(), 200.0);
    assert!(!s.strategies[1].end_window_when_all_reasserted());
    assert_eq!(s.strategies[0].callback_lease_s, CallbackLease::Afs);
    assert_eq!(s.strategies[2].recovery, Recovery::Quorum);
}

#[test]
fn fault_kinds_of_the_example() {
    let s = parse(EXAMPLE, "example").unwrap();
    let keys: Vec<&str> = s.faults.iter().map(|f| f.kind().key()).collect();
    assert_eq!(
        keys,
        [
            "crash",
            "restart",
            "partition",
            "partition",
            "loss",
            "latency_ms",
            "clock_jump_s"
        ]
    );
    match s.faults[3].kind() {
        FaultKind::Partition { groups, one_way } => {
            assert!(one_way);
            assert_eq!(groups[0][0].parse(), Ok(TargetRef::Clients(0, 9)));
        }
        other => panic!("not a partition: {other:?}"),
    }
    match s.faults[6].kind() {
        FaultKind::ClockJump { by_s, node } => {
            assert_eq!(by_s, -5.0);
            assert_eq!(node.parse(), Ok(TargetRef::Client(3)));
        }
        other => panic!("not a clock jump: {other:?}"),
    }
}

#[test]
fn targets_parse_and_print_back() {
    let cases = [
        ("fs0", TargetRef::Server(0)),
        ("c49", TargetRef::Client(49)),
        ("c0-c24", TargetRef::Clients(0, 24)),
        ("fs1-fs2", TargetRef::Servers(1, 2)),
        ("c3-c3", TargetRef::Clients(3, 3)),
        ("master", TargetRef::Master),
        ("*", TargetRef::Rest),
    ];
    for (text, want) in cases {
        assert_eq!(Target(text.to_string()).parse(), Ok(want), "{text}");
        assert_eq!(want.to_string(), text);
    }
    for bad in [
        "",
        "fs",
        "c",
        "c-1",
        "c01",
        "fs+1",
        "c1-",
        "c1-c2-c3",
        "C1",
        "c5-c4",
        "fs1-c2",
        "c99999999999",
    ] {
        let e = Target(bad.to_string()).parse().unwrap_err();
        assert!(!e.is_empty(), "{bad}");
    }
}

#[test]
fn schema_is_json_with_closed_objects_and_descriptions() {
    let text = schema_json();
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(schema["title"], json!("Scenario"));
    let defs = schema["$defs"].as_object().unwrap();
    for (name, def) in defs {
        if def["type"] == json!("object") {
            assert_eq!(def["additionalProperties"], json!(false), "{name}");
        }
    }
    let mut objects = vec![("Scenario", &schema)];
    objects.extend(defs.iter().map(|(n, d)| (n.as_str(), d)));
    for (name, object) in objects {
        let Some(props) = object["properties"].as_object() else {
            continue;
        };
        let required = object["required"].as_array().cloned().unwrap_or_default();
        for (field, prop) in props {
            let described = prop["description"].as_str().is_some_and(|d| !d.is_empty());
            assert!(described, "{name}.{field} has no description");
            let needed = required.contains(&json!(field));
            assert!(
                needed || prop.get("default").is_some(),
                "{name}.{field}: no default"
            );
            if field.ends_with("_s") && field != "ops_per_client_s" {
                assert!(
                    prop["unit"].as_str().unwrap().starts_with('s'),
                    "{name}.{field}"
                );
            }
        }
    }
    let window = &defs["StrategySpec"]["properties"]["recovery_window_s"];
    assert_eq!(window["default"], json!(200.0));
}

fn example() -> Value {
    serde_json::from_str(EXAMPLE).unwrap()
}

#[test]
fn set_path_sets_fields_anywhere() {
    let mut doc = example();
    set_path(&mut doc, "network.loss", "0.05").unwrap();
    set_path(&mut doc, "workload.mix.read", "0.6").unwrap();
    set_path(&mut doc, "workload.mix.write", "0.3").unwrap();
    set_path(&mut doc, "cell.clients", "10").unwrap();
    set_path(&mut doc, "strategies.*.callback_lease_s", "afs").unwrap();
    set_path(&mut doc, "strategies.quorum.lock_lease_s", "30").unwrap();
    let e = from_value(doc.clone(), "swept").unwrap_err().to_string();
    assert!(
        e.starts_with("swept: strategies[2].lock_renew_s: 60 is not less"),
        "{e}"
    );
    set_path(&mut doc, "strategies.quorum.lock_renew_s", "10").unwrap();
    set_path(&mut doc, "strategies.1.recovery_window_s", "50").unwrap();
    set_path(
        &mut doc,
        "strategies.lease (AFS callbacks).callback_lease_s",
        "600",
    )
    .unwrap();
    set_path(&mut doc, "limits.events_max", "5000").unwrap();
    assert_eq!(doc["network"]["loss"], json!(0.05));
    assert_eq!(doc["cell"]["clients"], json!(10));
    for k in 1..4 {
        assert_eq!(doc["strategies"][k]["callback_lease_s"], json!("afs"));
    }
    assert_eq!(doc["strategies"][0]["callback_lease_s"], json!(600));
    assert_eq!(doc["strategies"][2]["lock_lease_s"], json!(30));
    assert_eq!(doc["limits"]["events_max"], json!(5000));
    // c3 and c0-c9 still exist with 10 clients.
    let s = from_value(doc, "swept").unwrap();
    assert_eq!(s.strategies[1].recovery_window_s(), 50.0);
}

#[test]
fn set_path_seeds_a_strategy_override_from_the_top_level() {
    let mut doc = example();
    set_path(&mut doc, "strategies.quorum.network.loss", "0.2").unwrap();
    let s = from_value(doc, "swept").unwrap();
    let net = s.network_for(&s.strategies[2]);
    assert_eq!(net.loss, 0.2);
    assert_eq!(
        net.clock_drift_ppm, 50.0,
        "the rest comes from the top-level network"
    );
}

#[test]
fn set_path_names_the_wrong_segment() {
    let mut doc = example();
    let before = doc.clone();
    let e = set_path(&mut doc, "strategies.nosuch.lock_lease_s", "30").unwrap_err();
    assert!(e.starts_with("strategies.nosuch: "), "{e}");
    assert!(e.contains("\"quorum\""), "{e}");
    let e = set_path(&mut doc, "strategies.9.lock_lease_s", "30").unwrap_err();
    assert!(
        e.starts_with("strategies.9: index 9 is out of range"),
        "{e}"
    );
    let e = set_path(&mut doc, "network.loss.x", "1").unwrap_err();
    assert!(
        e.starts_with("network.loss.x: network.loss is a number"),
        "{e}"
    );
    let e = set_path(&mut doc, "network.*", "1").unwrap_err();
    assert!(e.starts_with("network.*: network is an object"), "{e}");
    let e = set_path(&mut doc, "network..loss", "1").unwrap_err();
    assert!(e.contains("segment 2 is empty"), "{e}");
    assert_eq!(doc, before, "a failed set changes nothing");
    // An unknown field is created; the loader then names it.
    set_path(&mut doc, "network.los", "0.1").unwrap();
    let e = from_value(doc, "swept").unwrap_err().to_string();
    assert!(e.starts_with("swept: network.los: unknown field"), "{e}");
}
