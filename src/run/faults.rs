//! Faults from the scenario, made concrete at their instant: `"master"` is whichever
//! server holds a valid master lease in this strategy's run right then, `"*"` every node
//! the fault does not name elsewhere.

use crate::cell::ids::Term;
use crate::cell::{AfsNode, AfsVolatile, node_name};
use crate::history::Recorder;
use crate::scenario::{FaultKind, FaultSpec, LatencySpec, Target, TargetRef};
use sim::{Duration, Fault, LinkChange, NodeId, Sim};

pub type CellSim = Sim<AfsNode, Recorder>;

/// A fault ready for the engine.
pub struct Concrete {
    pub faults: Vec<Fault>,
    pub span: Option<Duration>,
    /// The nodes it hit, as the summary names them.
    pub resolved: String,
    /// Whether it can take the master's majority away (crash, isolate, partition).
    pub can_depose: bool,
    /// What the recovery entry calls it: `crash fs0`.
    pub label: String,
}

/// The server holding a valid master lease now (the newest term, if two think so).
pub fn current_master(sim: &CellSim, servers: u32) -> Option<NodeId> {
    (0..servers)
        .map(NodeId)
        .filter_map(|n| {
            let AfsVolatile::Server(v) = sim.volatile(n)? else {
                return None;
            };
            let local = sim.clock(n).read(sim.now());
            let term: Term = v.master.as_ref()?.term;
            v.election.is_master(local).then_some((term, n))
        })
        .max()
        .map(|(_, n)| n)
}

/// Whether `master` is up and reaches a majority of live servers both ways.
pub fn has_majority(sim: &CellSim, master: NodeId, servers: u32) -> bool {
    if !sim.is_up(master) {
        return false;
    }
    let net = sim.network();
    let reachable = (0..servers)
        .map(NodeId)
        .filter(|&s| {
            sim.is_up(s)
                && (s == master || (net.link(master, s).is_some() && net.link(s, master).is_some()))
        })
        .count();
    reachable > servers as usize / 2
}

/// Why a fault was skipped, as the summary's `note` says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// It targets `"master"` and no server held a master lease.
    NoMaster,
    /// `"master"` resolved to a server another group of the fault also names: of a
    /// partition, or of the two sides of a link fault.
    NamedTwice { node: String, partition: bool },
    /// A target that does not name a node of the cell.
    BadTarget(String),
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skipped::NoMaster => write!(f, "no server held a master lease"),
            Skipped::NamedTwice {
                node,
                partition: true,
            } => write!(
                f,
                "{node} is in two groups (\"master\" resolved to a server another group names)"
            ),
            Skipped::NamedTwice { node, .. } => write!(
                f,
                "{node} is in both groups (\"master\" resolved to a server the other group names)"
            ),
            Skipped::BadTarget(why) => write!(f, "{why}"),
        }
    }
}

/// Resolve a fault's targets in the current state of the run.
pub fn resolve(spec: &FaultSpec, sim: &CellSim, servers: u32) -> Result<Concrete, Skipped> {
    let all = sim.node_count() as u32;
    let master = current_master(sim, servers);
    let one = |t: &Target, named: &[NodeId]| resolve_target(t, master, named, servers, all);
    let span = spec.for_s.map(Duration::from_secs_f64);
    let name = |nodes: &[NodeId]| names(nodes, servers);
    // A fault on named nodes: what the engine applies to them, and what it is called.
    let on_nodes = |faults: Vec<Fault>, nodes: &[NodeId], what: &str, can_depose| Concrete {
        faults,
        span,
        resolved: name(nodes),
        can_depose,
        label: format!("{what} {}", name(nodes)),
    };
    let concrete = match spec.kind() {
        FaultKind::Crash(t) => {
            let nodes = one(t, &[])?;
            let faults = nodes.iter().map(|&n| Fault::Crash(n)).collect();
            on_nodes(faults, &nodes, "crash", true)
        }
        FaultKind::Restart(t) => {
            let nodes = one(t, &[])?;
            let faults = nodes.iter().map(|&n| Fault::Restart(n)).collect();
            on_nodes(faults, &nodes, "restart", false)
        }
        FaultKind::Isolate(t) => {
            let nodes = one(t, &[])?;
            on_nodes(vec![Fault::Isolate(nodes.clone())], &nodes, "isolate", true)
        }
        FaultKind::Partition { groups, one_way } => {
            let groups = resolve_groups(groups, master, servers, all)?;
            if let Some(twice) = named_twice(&groups) {
                return Err(Skipped::NamedTwice {
                    node: node_name(twice, servers),
                    partition: true,
                });
            }
            let text = groups
                .iter()
                .map(|g| format!("[{}]", name(g)))
                .collect::<Vec<_>>()
                .join(" ");
            Concrete {
                faults: vec![Fault::Partition { groups, one_way }],
                span,
                label: format!("partition {text}"),
                resolved: text,
                can_depose: true,
            }
        }
        FaultKind::Loss { loss, between } => {
            let change = LinkChange {
                loss: Some(loss),
                ..LinkChange::default()
            };
            link_fault(between, change, (master, servers, all), "loss", span)?
        }
        FaultKind::Duplicate { duplicate, between } => {
            let change = LinkChange {
                duplicate: Some(duplicate),
                ..LinkChange::default()
            };
            link_fault(between, change, (master, servers, all), "duplicate", span)?
        }
        FaultKind::Latency { latency, between } => {
            let change = LinkChange {
                latency: Some(engine_latency(latency)),
                ..LinkChange::default()
            };
            link_fault(between, change, (master, servers, all), "latency", span)?
        }
        FaultKind::ClockJump { by_s, node } => {
            let nodes = one(node, &[])?;
            let by_us = (by_s * 1e6).round() as i64;
            let faults = nodes
                .iter()
                .map(|&n| Fault::ClockJump { node: n, by_us })
                .collect();
            on_nodes(faults, &nodes, &format!("clock jump {by_s} s on"), false)
        }
    };
    Ok(concrete)
}

/// A change to links: everywhere, or between two groups.
fn link_fault(
    between: Option<&[Vec<Target>; 2]>,
    change: LinkChange,
    (master, servers, all): (Option<NodeId>, u32, u32),
    what: &str,
    span: Option<Duration>,
) -> Result<Concrete, Skipped> {
    let Some(pair) = between else {
        return Ok(Concrete {
            faults: vec![Fault::Link {
                between: None,
                change,
            }],
            span,
            resolved: "every link".into(),
            can_depose: false,
            label: what.into(),
        });
    };
    let groups = resolve_groups(pair, master, servers, all)?;
    if let Some(twice) = named_twice(&groups) {
        return Err(Skipped::NamedTwice {
            node: node_name(twice, servers),
            partition: false,
        });
    }
    let text = format!(
        "[{}] [{}]",
        names(&groups[0], servers),
        names(&groups[1], servers)
    );
    let between = Some((groups[0].clone(), groups[1].clone()));
    Ok(Concrete {
        faults: vec![Fault::Link { between, change }],
        span,
        label: format!("{what} {text}"),
        resolved: text,
        can_depose: false,
    })
}

/// A node two groups of a partition both hold, if any.
fn named_twice(groups: &[Vec<NodeId>]) -> Option<NodeId> {
    let mut all: Vec<NodeId> = groups.iter().flatten().copied().collect();
    all.sort_unstable();
    all.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

/// Resolve groups; `"*"` in a group means every node in no other group.
fn resolve_groups(
    groups: &[Vec<Target>],
    master: Option<NodeId>,
    servers: u32,
    all: u32,
) -> Result<Vec<Vec<NodeId>>, Skipped> {
    let mut explicit: Vec<NodeId> = Vec::new();
    for t in groups.iter().flatten() {
        if !matches!(t.parse(), Ok(TargetRef::Rest)) {
            explicit.extend(resolve_target(t, master, &[], servers, all)?);
        }
    }
    groups
        .iter()
        .map(|g| {
            let mut nodes = Vec::new();
            for t in g {
                nodes.extend(resolve_target(t, master, &explicit, servers, all)?);
            }
            nodes.sort_unstable();
            nodes.dedup();
            Ok(nodes)
        })
        .collect()
}

fn resolve_target(
    t: &Target,
    master: Option<NodeId>,
    named: &[NodeId],
    servers: u32,
    all: u32,
) -> Result<Vec<NodeId>, Skipped> {
    let parsed = t.parse().map_err(Skipped::BadTarget)?;
    Ok(match parsed {
        TargetRef::Server(s) => vec![NodeId(s)],
        TargetRef::Client(c) => vec![NodeId(servers + c)],
        TargetRef::Servers(a, b) => (a..=b).map(NodeId).collect(),
        TargetRef::Clients(a, b) => (a..=b).map(|c| NodeId(servers + c)).collect(),
        TargetRef::Master => {
            vec![master.ok_or(Skipped::NoMaster)?]
        }
        TargetRef::Rest => (0..all)
            .map(NodeId)
            .filter(|n| !named.contains(n))
            .collect(),
    })
}

fn engine_latency(spec: &LatencySpec) -> sim::Latency {
    crate::run::link::latency(spec)
}

/// Node names, with runs of consecutive clients or servers written as ranges.
pub fn names(nodes: &[NodeId], servers: u32) -> String {
    let mut sorted = nodes.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        let same_kind = |a: NodeId, b: NodeId| (a.0 < servers) == (b.0 < servers);
        while j + 1 < sorted.len()
            && sorted[j + 1].0 == sorted[j].0 + 1
            && same_kind(sorted[i], sorted[j + 1])
        {
            j += 1;
        }
        let first = node_name(sorted[i], servers);
        out.push(match j - i {
            0 => first,
            1 => format!("{first} {}", node_name(sorted[j], servers)),
            _ => format!("{first}-{}", node_name(sorted[j], servers)),
        });
        i = j + 1;
    }
    out.join(" ")
}

/// How the scenario wrote the fault, for `faults_applied`.
pub fn describe(spec: &FaultSpec) -> String {
    let targets = |ts: &[Target]| {
        ts.iter()
            .map(|t| t.0.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let groups = |gs: &[Vec<Target>]| {
        gs.iter()
            .map(|g| format!("[{}]", targets(g)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let between = |b: Option<&[Vec<Target>; 2]>| {
        b.map_or(String::new(), |b| format!(" between {}", groups(b)))
    };
    let mut text = match spec.kind() {
        FaultKind::Crash(t) => format!("crash {}", t.0),
        FaultKind::Restart(t) => format!("restart {}", t.0),
        FaultKind::Isolate(t) => format!("isolate {}", t.0),
        FaultKind::Partition { groups: g, one_way } => {
            format!(
                "partition {}{}",
                groups(g),
                if one_way { " one-way" } else { "" }
            )
        }
        FaultKind::Loss { loss, between: b } => format!("loss {loss}{}", between(b)),
        FaultKind::Duplicate {
            duplicate,
            between: b,
        } => format!("duplicate {duplicate}{}", between(b)),
        FaultKind::Latency {
            latency,
            between: b,
        } => format!("latency {}{}", describe_latency(latency), between(b)),
        FaultKind::ClockJump { by_s, node } => format!("clock jump {by_s} s on {}", node.0),
    };
    if let Some(s) = spec.for_s {
        text.push_str(&format!(" for {s} s"));
    }
    text
}

fn describe_latency(spec: &LatencySpec) -> String {
    match spec.latency() {
        Some(crate::scenario::Latency::Fixed { ms }) => format!("{ms} ms"),
        Some(crate::scenario::Latency::Uniform { min_ms, max_ms }) => {
            format!("{min_ms}-{max_ms} ms")
        }
        Some(crate::scenario::Latency::LogNormal { median_ms, sigma }) => {
            format!("lognormal {median_ms} ms sigma {sigma}")
        }
        None => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::Skipped;

    #[test]
    fn skipped_faults_are_named_as_the_summary_says() {
        assert_eq!(
            Skipped::NoMaster.to_string(),
            "no server held a master lease"
        );
        let twice = |partition| Skipped::NamedTwice {
            node: "fs1".into(),
            partition,
        };
        assert_eq!(
            twice(true).to_string(),
            "fs1 is in two groups (\"master\" resolved to a server another group names)"
        );
        assert_eq!(
            twice(false).to_string(),
            "fs1 is in both groups (\"master\" resolved to a server the other group names)"
        );
    }
}
