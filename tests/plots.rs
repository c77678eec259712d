//! The plots as people read them: fault labels rounded, a panel per failover, every
//! strategy's own colour in every plot, sweeps whose categories are not joined by lines,
//! whose colours stay with their strategy across a grid, whose axis is named in words
//! and whose intervals stay inside the metric's range.
mod command;

use command::{afsim, stderr, workdir};
use std::path::Path;

const TINY: &str = r#"{
  "name": "tiny",
  "description": "Four strategies, a crash and random ones, ten minutes of simulated time.",
  "seed": 3,
  "duration_s": 600,
  "cell": { "servers": 3, "clients": 5, "files": 5 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "workload": { "ops_per_client_s": 1 },
  "strategies": [
    { "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 20 },
    { "name": "token", "recovery": "token-recovery", "callback_lease_s": 20, "recovery_window_s": 10,
      "client_probe_s": 5 },
    { "name": "quorum", "recovery": "quorum", "callback_lease_s": 20 },
    { "name": "naive", "recovery": "naive", "callback_lease_s": 20, "expect_violations": true }
  ],
  "faults": [ { "at_s": 60, "crash": "master", "for_s": 30 } ],
  "random_faults": { "crash_master_every_s": 120, "downtime_s": [5, 40] }
}"#;

/// The colours of the first four strategies, as plotters writes them.
const COLOURS: [&str; 4] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
        .map(|rest| {
            rest.split("</text>")
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .collect()
}

/// Every `<polyline>`'s stroke and points.
fn polylines(svg: &str) -> Vec<(String, Vec<(f64, f64)>)> {
    svg.split("<polyline")
        .skip(1)
        .map(|p| {
            let attr = |name: &str| {
                p.split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                    .unwrap_or("")
                    .to_string()
            };
            let points = attr("points")
                .split_whitespace()
                .filter_map(|xy| xy.split_once(','))
                .map(|(x, y)| (x.parse().unwrap(), y.parse().unwrap()))
                .collect();
            (attr("stroke"), points)
        })
        .collect()
}

#[test]
fn fault_labels_are_rounded_and_every_failover_has_a_panel() {
    let dir = workdir("faults");
    std::fs::write(dir.join("tiny.json"), TINY).unwrap();
    let o = afsim(&dir, &["run", "tiny.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = read(&dir.join("results/tiny/availability.svg"));
    let words = texts(&svg);
    for t in &words {
        let three_decimals = t.split(' ').any(|w| {
            w.split_once('.').is_some_and(|(a, b)| {
                !a.is_empty()
                    && a.chars().all(|c| c.is_ascii_digit())
                    && b.len() >= 3
                    && b.chars().all(|c| c.is_ascii_digit())
            })
        });
        assert!(!three_decimals, "a label with three decimals: {t}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir.join("results/tiny/summary.json"))).unwrap();
    let failovers: std::collections::BTreeSet<String> = summary["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["recoveries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["at_s"].to_string())
        })
        .collect();
    let panels = words.iter().filter(|t| *t == "s after the fault").count();
    assert_eq!(
        panels,
        failovers.len().min(8),
        "a zoomed panel per failover"
    );
    for c in COLOURS {
        assert!(svg.contains(c), "strategy colour {c}");
    }
}

#[test]
fn eight_strategies_keep_their_own_colour_in_every_plot() {
    let dir = workdir("eight");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/eight-strategies.json");
    let o = afsim(&dir, &["run", scenario.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let colours = [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#E69F00", "#882255",
    ];
    for plot in ["availability.svg", "latency.svg"] {
        let svg = read(&dir.join("results/eight-strategies").join(plot));
        for c in colours {
            let uses = svg.matches(c).count();
            assert!(uses > 8, "{plot}: strategy colour {c} used {uses} times");
        }
        let names = texts(&svg);
        for name in [
            "lease timeout (AFS)",
            "quorum (fast election)",
            "naive (60 s callbacks)",
        ] {
            assert!(
                names.iter().any(|t| t == name),
                "{plot}: {name} in the legend"
            );
        }
    }
}

fn sweep(dir: &Path, out: &str, sets: &[&str]) -> std::path::PathBuf {
    let mut args = vec![
        "sweep",
        "tiny.json",
        "--seeds",
        "3",
        "--seed",
        "1",
        "--out",
        out,
    ];
    for s in sets {
        args.extend(["--set", s]);
    }
    let o = afsim(dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join(out).join("tiny")
}

#[test]
fn categorical_sweeps_are_not_joined_across_categories() {
    let dir = workdir("categories");
    std::fs::write(dir.join("tiny.json"), TINY).unwrap();
    let out = sweep(&dir, "cat", &["strategies.*.callback_lease_s=30,60,afs"]);
    let svg = read(&out.join("sweep-availability.svg"));
    let words = texts(&svg);
    for label in ["30", "60", "afs", "callback lease (s)"] {
        assert!(words.iter().any(|t| t == label), "{label} on the x axis");
    }
    for (stroke, points) in polylines(&svg)
        .iter()
        .filter(|(s, _)| COLOURS.contains(&s.as_str()))
    {
        let slanted = points
            .windows(2)
            .any(|w| w[0].0 != w[1].0 && w[0].1 != w[1].1);
        assert!(!slanted, "a {stroke} line joins categories: {points:?}");
    }
}

#[test]
fn a_grid_keeps_each_strategy_s_colour_and_intervals_stay_in_range() {
    let dir = workdir("grid");
    std::fs::write(dir.join("tiny.json"), TINY).unwrap();
    let out = sweep(
        &dir,
        "grid",
        &["strategies.*.callback_lease_s=10,40", "network.loss=0,0.05"],
    );
    let svg = read(&out.join("sweep-write_p99_ms.svg"));
    // Four strategies, two losses: eight lines, but only the strategies' four colours
    // (the next colours of the palette would mean a colour per line).
    for other in ["#56B4E9", "#E69F00", "#882255", "#F0E442"] {
        assert!(
            !svg.contains(other),
            "a fifth colour {other} for four strategies"
        );
    }
    for c in COLOURS {
        assert!(svg.contains(c), "{c}");
    }
    let csv = read(&out.join("sweep.csv"));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..3],
        ["strategies_callback_lease_s", "network_loss", "strategy"]
    );
    for h in &header {
        assert!(
            h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && h.starts_with(|c: char| c.is_ascii_alphabetic()),
            "{h}"
        );
    }
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        for (k, h) in header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.ends_with("_ci_low") || h.ends_with("_ci_high"))
        {
            if let Ok(v) = f[k].parse::<f64>() {
                assert!(v >= 0.0, "{h} = {v} below zero: {line}");
                if h.starts_with("availability") {
                    assert!(v <= 1.0, "{h} = {v} above one: {line}");
                }
            }
        }
    }
}

#[test]
fn a_kind_nobody_completed_still_gets_its_plot() {
    // No lock operations at all: the lock strip has nothing to show, and must not stall
    // the plot (an empty range once made the log axis loop for ever).
    let dir = workdir("no-locks");
    let doc = TINY
        .replace(
            r#""workload": { "ops_per_client_s": 1 }"#,
            r#""workload": { "ops_per_client_s": 1, "mix": { "read": 0.6, "write": 0.4, "lock": 0 } }"#,
        )
        .replace(r#""duration_s": 600"#, r#""duration_s": 120"#);
    std::fs::write(dir.join("tiny.json"), doc).unwrap();
    let o = afsim(&dir, &["run", "tiny.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = read(&dir.join("results/tiny/latency.svg"));
    assert!(
        texts(&svg).iter().any(|t| t.contains("locks")),
        "the lock strip is drawn"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_outage_after_the_workload_ends_does_not_break_the_plot() {
    // A 3.5 s run whose master's lease lapses in the liveness phase, well after the end
    // of the plotted run: its outage has no bar (once, it panicked drawing one).
    let dir = workdir("late-outage");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = root.join("scenarios/adversarial/lock-before-lease.json");
    let o = afsim(&dir, &["run", scenario.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = read(&dir.join("results/lock-before-lease/availability.svg"));
    assert!(svg.contains("<svg"));
    let _ = std::fs::remove_dir_all(&dir);
}
