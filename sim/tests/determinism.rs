//! Same scenario and seed: the same run, bit for bit. Another seed: another run.
mod common;

use common::{Blaster, sim_of};
use sim::{Duration, Fault, Instant, Latency, LinkChange, LinkParams, NodeId, SimConfig};

fn busy_run(seed: u64) -> (u64, sim::Stats) {
    let link = LinkParams {
        latency: Latency::LogNormal {
            median: Duration::from_millis(3),
            sigma: 0.8,
        },
        loss: 0.02,
        duplicate: 0.01,
    };
    let nodes = (0..20)
        .map(|i| Blaster {
            echo: i % 2 == 1,
            ..Blaster::to((i + 1) % 20, 500, Duration::from_millis(7))
        })
        .collect();
    let mut sim = sim_of(SimConfig::new(seed, link), nodes);
    sim.run_until(Instant::from_millis(500)).unwrap();
    sim.apply(Fault::Crash(NodeId(3)), Some(Duration::from_millis(300)))
        .unwrap();
    let groups = vec![
        (0..10).map(NodeId).collect(),
        (10..20).map(NodeId).collect(),
    ];
    sim.apply(
        Fault::Partition {
            groups,
            one_way: false,
        },
        Some(Duration::from_millis(400)),
    )
    .unwrap();
    sim.schedule(
        Instant::from_millis(1500),
        Fault::Link {
            between: None,
            change: LinkChange {
                loss: Some(0.3),
                ..LinkChange::default()
            },
        },
    );
    sim.run_until(Instant::from_secs(5)).unwrap();
    (sim.trace_hash(), sim.stats().clone())
}

#[test]
fn same_seed_same_hash_and_counters() {
    let (a, stats_a) = busy_run(7);
    let (b, stats_b) = busy_run(7);
    assert_eq!(a, b);
    assert_eq!(stats_a, stats_b);
    assert!(
        stats_a.delivered > 5_000,
        "the run did something: {stats_a:?}"
    );
    assert!(stats_a.lost > 0 && stats_a.cut > 0 && stats_a.duplicated > 0);
    assert!(stats_a.dropped_at_receiver > 0 && stats_a.crashes == 1 && stats_a.restarts == 1);
}

#[test]
fn different_seeds_different_hashes() {
    let hashes: std::collections::BTreeSet<u64> = (0..8).map(|s| busy_run(s).0).collect();
    assert_eq!(hashes.len(), 8);
}

#[test]
fn one_changed_fault_changes_the_hash() {
    let run = |crash_at_ms: u64| {
        let nodes = vec![
            Blaster::to(1, 100, Duration::from_millis(10)),
            Blaster::quiet(),
        ];
        let mut sim = sim_of(SimConfig::new(1, LinkParams::default()), nodes);
        sim.schedule(Instant::from_millis(crash_at_ms), Fault::Crash(NodeId(1)));
        sim.run_until(Instant::from_secs(2)).unwrap();
        sim.trace_hash()
    };
    assert_eq!(run(500), run(500));
    assert_ne!(run(500), run(501));
}
