//! `afsim check --swarm`: swarm testing (Groce et al., ISSTA 2012). Besides the random
//! faults, each seed draws its own cell size, network and set of fault kinds, each kind
//! switched on or off entirely: a run with no loss bursts but many server crashes finds
//! bugs that a run with a little of everything hides.
//!
//! Everything drawn stays within what the safe strategies claim to survive (DESIGN.md,
//! and the assumptions `tests/properties.rs` settled on): crashes and restarts of the
//! master or any server, partitions that cut one server off from the others or the
//! master off from everyone, loss bursts, and clock drift far inside the skew
//! allowance; never a clock jump, never a partition that keeps clients from every
//! server that could become master. Token recovery gets no loss bursts: it is safe only
//! if every client reaches the new master within the window, and a burst over the
//! window can keep a client out as a partition would. A strategy with `"async"`
//! durability gets no loss at all: a master that acknowledges from memory loses a write
//! its readers saw when the acknowledgement is lost and the master is lost before its
//! writer's retry (async durability's known weakness). Naive and `afs` break promises
//! by design, so their violations are expected.

use crate::cell::streams;
use crate::run::RunError;
use crate::scenario::{
    Durability, FaultSpec, LatencySpec, NetworkSpec, Scenario, StrategySpec, Target, validate,
};
use serde::{Deserialize, Serialize};
use sim::Prng;

/// At most this many drawn faults per seed.
const FAULTS_MAX: u64 = 8;

/// What one seed drew: the cell, the network and which fault kinds are on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SwarmDraw {
    pub servers: u32,
    pub clients: u32,
    pub files: u32,
    /// Uniform latency bounds, in milliseconds.
    pub latency_ms: [f64; 2],
    pub loss: f64,
    pub duplicate: f64,
    pub clock_drift_ppm: f64,
    pub master_crashes: bool,
    pub server_crashes: bool,
    pub server_partitions: bool,
    pub loss_bursts: bool,
    /// How many faults were drawn.
    pub faults: usize,
}

/// `x` to `digits` decimals, so drawn values read as typed (0.0377, not 0.037700000000000004).
fn round(x: f64, digits: i32) -> f64 {
    crate::report::summary::round(x, digits)
}

/// The scenario `seed` runs under `--swarm`: `base` with its cell, network and faults
/// (explicit and random) replaced by ones drawn from the seed. Strategies, election,
/// workload and duration stay the scenario's.
pub fn draw(base: &Scenario, seed: u64) -> Result<(Scenario, SwarmDraw), RunError> {
    let mut rng = Prng::new(seed).fork(streams::SWARM);
    let mut s = base.clone();
    s.cell.servers = rng.range_inclusive(1, 5) as u32;
    s.cell.clients = rng.range_inclusive(1, 20) as u32;
    s.cell.files = rng.range_inclusive(1, 50) as u32;
    let network = network(&mut rng, base);
    for strategy in &mut s.strategies {
        if !faces_loss(strategy) {
            let lossless = NetworkSpec {
                loss: 0.0,
                ..network.clone()
            };
            strategy.network = Some(lossless);
        } else if strategy.network.is_some() {
            strategy.network = Some(network.clone());
        }
    }
    s.network = network;
    let kinds = [0; 4].map(|_| rng.chance(0.5));
    s.faults = faults(&mut rng, base, s.cell.servers, kinds);
    s.random_faults = None;
    validate(
        &s,
        &format!("{} drawn by --swarm for seed {seed}", base.name),
    )
    .map_err(|e| RunError::Fault(e.to_string()))?;
    let n = &s.network;
    let latency = match n.latency_ms.latency() {
        Some(crate::scenario::Latency::Uniform { min_ms, max_ms }) => [min_ms, max_ms],
        _ => unreachable!("swarm draws uniform latency"),
    };
    let drawn = SwarmDraw {
        servers: s.cell.servers,
        clients: s.cell.clients,
        files: s.cell.files,
        latency_ms: latency,
        loss: n.loss,
        duplicate: n.duplicate,
        clock_drift_ppm: n.clock_drift_ppm,
        master_crashes: kinds[0],
        server_crashes: kinds[1],
        server_partitions: kinds[2],
        loss_bursts: kinds[3],
        faults: s.faults.len(),
    };
    Ok((s, drawn))
}

/// `scenario` as `check --swarm` judges it: the strategies that break promises by design
/// (naive, `afs`) are expected to, whatever the scenario says, since the faults drawn
/// include failovers that its own faults may not.
pub fn judged(scenario: &Scenario) -> Scenario {
    let mut s = scenario.clone();
    for strategy in &mut s.strategies {
        if strategy
            .recovery
            .protocol(&*strategy)
            .breaks_promises_by_design()
        {
            strategy.expect_violations = true;
        }
    }
    s
}

/// Loss up to 5%, duplication up to 2%, latency from a few to some tens of ms, and
/// clock drift so small that drift over the whole run stays under a tenth of the
/// smallest skew allowance (and under 200 ppm, what real clocks do).
fn network(rng: &mut Prng, base: &Scenario) -> NetworkSpec {
    let min = round(rng.uniform(0.1, 5.0), 1);
    let max = round(min + rng.uniform(0.0, 45.0), 1);
    let allowance = base
        .strategies
        .iter()
        .map(|s| s.clock_skew_allowance_s)
        .fold(f64::INFINITY, f64::min);
    let cap = (0.1 * allowance / base.duration_s * 1e6).min(200.0);
    NetworkSpec {
        latency_ms: LatencySpec::uniform(min, max),
        loss: round(rng.uniform(0.0, 0.05), 4),
        duplicate: round(rng.uniform(0.0, 0.02), 4),
        clock_drift_ppm: round(rng.uniform(0.0, cap), 1).min(cap),
    }
}

/// The fault kinds `--swarm` switches on or off.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    MasterCrash,
    ServerCrash,
    ServerPartition,
    LossBurst,
}

/// Up to [`FAULTS_MAX`] faults of the kinds switched on, at uniform times; spans scale
/// with the election (a master lease plus a vote wait), crash downtimes follow the
/// scenario's `random_faults` when it has them.
fn faults(rng: &mut Prng, base: &Scenario, servers: u32, on: [bool; 4]) -> Vec<FaultSpec> {
    let all = [
        Kind::MasterCrash,
        Kind::ServerCrash,
        Kind::ServerPartition,
        Kind::LossBurst,
    ];
    let kinds: Vec<Kind> = all
        .into_iter()
        .zip(on)
        .filter(|&(k, on)| on && (k != Kind::ServerPartition || servers >= 2))
        .map(|(k, _)| k)
        .collect();
    if kinds.is_empty() {
        return Vec::new();
    }
    let e = base.election.master_lease_s + base.election.vote_wait_s;
    let downtime = base
        .random_faults
        .as_ref()
        .map_or([e / 2.0, 6.0 * e], |r| r.downtime_s);
    let ms = |x: f64| round(x, 3);
    let mut out: Vec<FaultSpec> = (0..rng.range_inclusive(1, FAULTS_MAX))
        .map(|_| {
            let at_s = ms(rng.uniform(0.02, 0.9) * base.duration_s);
            let span = |rng: &mut Prng, lo: f64, hi: f64| Some(ms(rng.uniform(lo, hi)).max(0.001));
            let mut f = FaultSpec {
                at_s,
                ..FaultSpec::default()
            };
            match kinds[rng.index(kinds.len())] {
                Kind::MasterCrash => f.crash = Some(Target("master".into())),
                Kind::ServerCrash => f.crash = Some(server(rng.below(servers.into()))),
                Kind::ServerPartition => f.partition = Some(partition(rng, servers)),
                Kind::LossBurst => f.loss = Some(round(rng.uniform(0.05, 0.4), 3)),
            }
            f.for_s = match f.crash {
                Some(_) => span(rng, downtime[0], downtime[1]),
                None if f.partition.is_some() => span(rng, e / 2.0, 4.0 * e),
                None => span(rng, e / 2.0, 3.0 * e),
            };
            f
        })
        .collect();
    out.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    out
}

fn server(n: u64) -> Target {
    Target(format!("fs{n}"))
}

/// One server cut off from the other servers (clients keep every link), or the master
/// cut off from everyone.
fn partition(rng: &mut Prng, servers: u32) -> Vec<Vec<Target>> {
    if rng.chance(0.5) {
        return vec![vec![Target("master".into())], vec![Target("*".into())]];
    }
    let cut = rng.below(servers.into());
    let rest = (0..u64::from(servers))
        .filter(|&s| s != cut)
        .map(server)
        .collect();
    vec![vec![server(cut)], rest]
}

/// Whether `strategy` claims to survive message loss: one that acknowledges writes from
/// memory loses a write its readers saw when the acknowledgement is lost and its master
/// is lost before the retry (async durability's known weakness).
fn faces_loss(strategy: &StrategySpec) -> bool {
    strategy.durability != Durability::Async
}

/// Whether `strategy` claims to survive loss bursts: besides loss itself, a burst over a
/// recovery period keeps a client out as a partition would, which token recovery does
/// not survive.
pub fn faces_loss_bursts(strategy: &StrategySpec) -> bool {
    faces_loss(strategy)
        && strategy
            .recovery
            .protocol(strategy)
            .protects_cut_off_clients()
}

/// `faults` without loss bursts: what a strategy that does not claim to protect a client
/// cut off through its recovery period, or that acknowledges writes from memory, faces
/// (see the module's doc).
pub fn without_loss_bursts(faults: &[FaultSpec]) -> Vec<FaultSpec> {
    faults
        .iter()
        .filter(|f| f.loss.is_none())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Scenario {
        let doc = serde_json::json!({
            "name": "base", "duration_s": 600,
            "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
            "strategies": [
                { "name": "lease", "recovery": "lease-timeout", "clock_skew_allowance_s": 2 },
                { "name": "token", "recovery": "token-recovery" }
            ],
            "faults": [ { "at_s": 10, "isolate": "c40" } ]
        });
        crate::scenario::from_value(doc, "test").unwrap()
    }

    #[test]
    fn each_seed_draws_its_own_valid_cell_and_always_the_same() {
        let b = base();
        let mut kinds_seen = [false; 4];
        for seed in 0..200 {
            let (s, d) = draw(&b, seed).unwrap();
            assert_eq!(draw(&b, seed).unwrap(), (s.clone(), d.clone()));
            assert!((1..=5).contains(&d.servers) && (1..=20).contains(&d.clients));
            assert!((1..=50).contains(&d.files) && d.loss <= 0.05 && d.duplicate <= 0.02);
            // 0.1 × 2 s allowance over 600 s.
            assert!(d.clock_drift_ppm <= 2.0 / 600.0 * 1e5 + 1e-9);
            assert!(s.random_faults.is_none() && s.faults.len() <= 8);
            assert!(
                s.faults
                    .iter()
                    .all(|f| f.clock_jump_s.is_none() && f.isolate.is_none())
            );
            for (seen, on) in kinds_seen.iter_mut().zip([
                d.master_crashes,
                d.server_crashes,
                d.server_partitions,
                d.loss_bursts,
            ]) {
                *seen |= on;
            }
        }
        assert_eq!(kinds_seen, [true; 4]);
        assert_ne!(draw(&b, 1).unwrap().1, draw(&b, 2).unwrap().1);
    }

    #[test]
    fn async_strategies_face_no_loss_and_naive_and_afs_are_expected_to_fail() {
        let doc = serde_json::json!({
            "name": "base", "duration_s": 600,
            "strategies": [
                { "name": "lease", "recovery": "lease-timeout" },
                { "name": "lease, async", "recovery": "lease-timeout", "durability": "async" },
                { "name": "naive", "recovery": "naive" },
                { "name": "afs", "recovery": "afs" }
            ]
        });
        let b: Scenario = crate::scenario::from_value(doc, "test").unwrap();
        let expected: Vec<bool> = judged(&b)
            .strategies
            .iter()
            .map(|s| s.expect_violations)
            .collect();
        assert_eq!(expected, [false, false, true, true]);
        let (s, d) = (0..100)
            .map(|seed| draw(&b, seed).unwrap())
            .find(|(_, d)| d.loss > 0.0)
            .expect("some seed draws loss");
        let [lease, lease_async, naive, afs] = &s.strategies[..] else {
            panic!("four strategies")
        };
        assert!(lease.network.is_none() && s.network.loss == d.loss);
        let lossless = lease_async.network.as_ref().expect("its own network");
        assert_eq!(lossless.loss, 0.0);
        assert_eq!(lossless.latency_ms, s.network.latency_ms);
        assert!(naive.network.is_none() && afs.network.is_none());
        assert!(faces_loss_bursts(lease) && !faces_loss_bursts(lease_async));
    }

    #[test]
    fn token_recovery_faces_no_loss_bursts() {
        let b = base();
        let with_bursts = (0..100)
            .map(|seed| draw(&b, seed).unwrap().0.faults)
            .find(|f| f.iter().any(|f| f.loss.is_some()))
            .expect("some seed draws a loss burst");
        assert!(!faces_loss_bursts(&b.strategies[1]) && faces_loss_bursts(&b.strategies[0]));
        let token = without_loss_bursts(&with_bursts);
        assert!(token.len() < with_bursts.len());
        assert!(token.iter().all(|f| f.loss.is_none()));
    }
}
