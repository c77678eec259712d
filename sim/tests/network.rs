//! The network's distributions at a fixed seed, and partitions and overrides that cut
//! or change exactly the links they name, then heal.
mod common;

use common::{Blaster, Seen, sim_of};
use sim::{Duration, Fate, Fault, Instant, Latency, LinkChange, LinkParams, NodeId, SimConfig};

const N: u64 = 100_000;

/// Node 0 sends `N` messages to node 1, one per millisecond.
fn blast(link: LinkParams) -> common::Log {
    let nodes = vec![
        Blaster::to(1, N, Duration::from_millis(1)),
        Blaster::quiet(),
    ];
    let mut sim = sim_of(SimConfig::new(11, link), nodes);
    sim.run_until(Instant::from_secs(N / 1000 + 3_600)).unwrap();
    sim.into_observer()
}

fn latencies(log: &common::Log) -> Vec<u64> {
    log.seen
        .iter()
        .filter_map(|(_, s)| match s {
            Seen::Sent {
                fate: Fate::Arrives { latency, .. },
                ..
            } => Some(latency.as_micros()),
            _ => None,
        })
        .collect()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn loss_rate_matches() {
    let log = blast(LinkParams {
        loss: 0.1,
        ..LinkParams::default()
    });
    let lost = log.count(|s| {
        matches!(
            s,
            Seen::Sent {
                fate: Fate::Lost,
                ..
            }
        )
    });
    let delivered = log.count(|s| matches!(s, Seen::Delivered { .. }));
    // Standard deviation of the count is sqrt(N p (1-p)) ≈ 95: allow five of them.
    assert!((9_525..=10_475).contains(&lost), "lost {lost}");
    assert_eq!(delivered as u64 + lost as u64, N);
}

#[test]
fn duplication_rate_matches_and_copies_arrive() {
    let log = blast(LinkParams {
        duplicate: 0.2,
        ..LinkParams::default()
    });
    let copies = log.count(|s| {
        matches!(
            s,
            Seen::Sent {
                fate: Fate::Arrives {
                    duplicate: Some(_),
                    ..
                },
                ..
            }
        )
    });
    let delivered = log.count(|s| matches!(s, Seen::Delivered { .. }));
    assert!((19_370..=20_630).contains(&copies), "copies {copies}");
    assert_eq!(delivered as u64, N + copies as u64);
}

#[test]
fn uniform_latency_covers_its_range_evenly() {
    let log = blast(LinkParams {
        latency: Latency::Uniform {
            min: ms(1),
            max: ms(10),
        },
        ..LinkParams::default()
    });
    let lat = latencies(&log);
    assert_eq!(lat.len() as u64, N);
    assert_eq!(*lat.iter().min().unwrap(), 1_000);
    assert_eq!(*lat.iter().max().unwrap(), 10_000);
    let mean = lat.iter().sum::<u64>() as f64 / N as f64;
    // Uniform on 1000..=10000 µs: mean 5500, sd 2598; the mean's sd is 8.2 µs.
    assert!((mean - 5_500.0).abs() < 45.0, "mean {mean}");
    // Reordering falls out of random latency: deliveries are not in send order.
    let order: Vec<u64> = log
        .seen
        .iter()
        .filter_map(|(_, s)| match s {
            Seen::Delivered { value, .. } => Some(*value),
            _ => None,
        })
        .collect();
    assert!(order.windows(2).any(|w| w[1] < w[0]));
}

#[test]
fn lognormal_latency_has_its_median_and_fixed_is_fixed() {
    let log = blast(LinkParams {
        latency: Latency::LogNormal {
            median: ms(4),
            sigma: 0.5,
        },
        ..LinkParams::default()
    });
    let mut lat = latencies(&log);
    lat.sort_unstable();
    let median = lat[lat.len() / 2] as f64;
    assert!((median - 4_000.0).abs() < 40.0, "median {median}");
    // 84th percentile of a lognormal is median × e^sigma.
    let p84 = lat[(lat.len() as f64 * 0.8413) as usize] as f64;
    assert!(
        (p84 / (4_000.0 * 0.5f64.exp()) - 1.0).abs() < 0.02,
        "p84 {p84}"
    );
    let fixed = blast(LinkParams {
        latency: Latency::Fixed(ms(3)),
        ..LinkParams::default()
    });
    assert!(latencies(&fixed).iter().all(|&l| l == 3_000));
}

/// Four nodes each send to the next one every 10 ms (0→1→2→3→0), plus node 0 → 2.
fn ring() -> sim::Sim<Blaster, common::Log> {
    let mut nodes: Vec<Blaster> = (0..4)
        .map(|i| Blaster::to((i + 1) % 4, 10_000, ms(10)))
        .collect();
    nodes.push(Blaster::to(2, 10_000, ms(10)));
    nodes[4].to = Some(NodeId(2));
    let link = LinkParams {
        latency: Latency::Fixed(ms(1)),
        ..LinkParams::default()
    };
    sim_of(SimConfig::new(3, link), nodes)
}

/// Which (from, to) pairs had a message cut in the time window.
fn cut_links(log: &common::Log, from_s: u64, to_s: u64) -> Vec<(u32, u32)> {
    let mut links: Vec<(u32, u32)> = log
        .seen
        .iter()
        .filter(|(t, _)| *t >= Instant::from_secs(from_s) && *t < Instant::from_secs(to_s))
        .filter_map(|(_, s)| match s {
            Seen::Sent {
                from,
                to,
                fate: Fate::Cut,
                ..
            } => Some((*from, *to)),
            _ => None,
        })
        .collect();
    links.sort_unstable();
    links.dedup();
    links
}

#[test]
fn partition_cuts_exactly_the_links_between_groups_and_heals() {
    let mut sim = ring();
    sim.run_until(Instant::from_secs(1)).unwrap();
    // Node 4 is in no group: it keeps every link.
    let groups = vec![vec![NodeId(0), NodeId(1)], vec![NodeId(2), NodeId(3)]];
    let applied = sim
        .apply(
            Fault::Partition {
                groups,
                one_way: false,
            },
            Some(Duration::from_secs(2)),
        )
        .unwrap();
    assert!(applied.effective && applied.rule.is_some());
    sim.run_until(Instant::from_secs(5)).unwrap();
    let log = sim.observer();
    assert_eq!(cut_links(log, 1, 3), vec![(1, 2), (3, 0)]);
    assert_eq!(cut_links(log, 3, 5), vec![], "healed after the span");
    assert_eq!(cut_links(log, 0, 1), vec![]);
    assert_eq!(sim.network().rule_count(), 0);
}

#[test]
fn one_way_partition_drops_only_the_first_groups_messages() {
    let mut sim = ring();
    let groups = vec![vec![NodeId(3)], vec![NodeId(0), NodeId(2)]];
    sim.apply(
        Fault::Partition {
            groups,
            one_way: true,
        },
        None,
    )
    .unwrap();
    sim.run_until(Instant::from_secs(2)).unwrap();
    // 3 → 0 is cut; 0 → 1, 2 → 3 (into the first group) and 4 → 2 are not.
    assert_eq!(cut_links(sim.observer(), 0, 2), vec![(3, 0)]);
}

#[test]
fn isolate_cuts_a_node_off_in_both_directions() {
    let mut sim = ring();
    sim.apply(
        Fault::Isolate(vec![NodeId(2)]),
        Some(Duration::from_secs(1)),
    )
    .unwrap();
    sim.run_until(Instant::from_secs(3)).unwrap();
    assert_eq!(
        cut_links(sim.observer(), 0, 1),
        vec![(1, 2), (2, 3), (4, 2)]
    );
    assert_eq!(cut_links(sim.observer(), 1, 3), vec![]);
}

#[test]
fn link_override_changes_only_its_links_for_its_span() {
    let mut sim = ring();
    let change = LinkChange {
        latency: Some(Latency::Fixed(ms(50))),
        ..LinkChange::default()
    };
    sim.apply(
        Fault::Link {
            between: Some((vec![NodeId(0)], vec![NodeId(1), NodeId(3)])),
            change,
        },
        Some(Duration::from_secs(1)),
    )
    .unwrap();
    sim.run_until(Instant::from_secs(2)).unwrap();
    let slow: Vec<(u32, u32, bool)> = {
        let mut v: Vec<(u32, u32, bool)> = sim
            .observer()
            .seen
            .iter()
            .filter_map(|(t, s)| match s {
                Seen::Sent {
                    from,
                    to,
                    fate: Fate::Arrives { latency, .. },
                    ..
                } if *latency == ms(50) => Some((*from, *to, *t < Instant::from_secs(1))),
                _ => None,
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    // 0 → 1 and 3 → 0 are between the groups; 4 → 2 and the rest are not.
    assert_eq!(slow, vec![(0, 1, true), (3, 0, true)]);
}
