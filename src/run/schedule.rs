//! A scenario's `schedule` in engine terms and back: message deviations by sender and
//! count, and faults at points named by a node's count of messages.

use super::PointFault;
use crate::cell::node_name;
use crate::scenario::{
    DeviationSpec, FateSpec, FaultSpec, MessageRef, PointRef, Scenario, StrategySpec, Target,
    TargetRef,
};
use sim::{Duration, MessageDeviation, MessageName, NodeId, Schedule};

/// The engine schedule and the point faults that replay `deviations` (validated).
pub fn replay_plan(
    deviations: &[DeviationSpec],
    scenario: &Scenario,
    _strategy: &StrategySpec,
) -> (Schedule, Vec<PointFault>) {
    let servers = scenario.cell.servers;
    let node = |t: &Target| node_id(t, servers);
    let explore = scenario.explore.clone().unwrap_or_default();
    let downtime = explore.downtime_s;
    let mut schedule = Schedule::with_hold(hold(explore.hold_s));
    let mut points = Vec::new();
    for d in deviations {
        if let (Some(m), Some(fate)) = (&d.message, d.fate) {
            let name = MessageName {
                from: node(&m.from),
                nth: m.nth,
            };
            schedule.deviate(name, engine_fate(fate));
            continue;
        }
        let after = d.after.as_ref().expect("validated: a point");
        let fault = match (&d.crash, d.clock_jump_s) {
            (Some(t), _) => crash_fault(t.clone(), downtime),
            (None, Some(by_s)) => jump_fault(d.node.clone().expect("validated"), by_s),
            (None, None) => unreachable!("validated: a crash or a clock jump"),
        };
        points.push(PointFault {
            node: node(&after.node),
            io: after.io,
            fault,
        });
    }
    (schedule, points)
}

/// `explore.hold_s` (validated: more than zero) on the engine's grid.
pub fn hold(hold_s: f64) -> Duration {
    Duration::from_secs_f64(hold_s).max(Duration::from_micros(1))
}

/// A validated single-node target as an engine node.
fn node_id(t: &Target, servers: u32) -> NodeId {
    match t.parse() {
        Ok(TargetRef::Server(n)) => NodeId(n),
        Ok(TargetRef::Client(n)) => NodeId(servers + n),
        other => unreachable!("validated: one node, not {other:?}"),
    }
}

fn target(node: NodeId, servers: u32) -> Target {
    Target(node_name(node, servers))
}

/// The crash of a point: `node` down for `downtime_s`.
pub fn crash_fault(node: Target, downtime_s: f64) -> FaultSpec {
    FaultSpec {
        crash: Some(node),
        for_s: Some(downtime_s),
        ..FaultSpec::default()
    }
}

/// The clock jump of a point.
pub fn jump_fault(node: Target, by_s: f64) -> FaultSpec {
    FaultSpec {
        clock_jump_s: Some(by_s),
        node: Some(node),
        ..FaultSpec::default()
    }
}

pub fn engine_fate(fate: FateSpec) -> MessageDeviation {
    match fate {
        FateSpec::Lost => MessageDeviation::Lost,
        FateSpec::Early => MessageDeviation::Early,
        FateSpec::Late => MessageDeviation::Late,
        FateSpec::Duplicated => MessageDeviation::Duplicated,
        FateSpec::Held => MessageDeviation::Held,
    }
}

fn spec_fate(d: MessageDeviation) -> FateSpec {
    match d {
        MessageDeviation::Lost => FateSpec::Lost,
        MessageDeviation::Early => FateSpec::Early,
        MessageDeviation::Late => FateSpec::Late,
        MessageDeviation::Duplicated => FateSpec::Duplicated,
        MessageDeviation::Held => FateSpec::Held,
    }
}

/// A message's deviation as a scenario writes it.
pub fn message_spec(name: MessageName, d: MessageDeviation, servers: u32) -> DeviationSpec {
    DeviationSpec {
        message: Some(MessageRef {
            from: target(name.from, servers),
            nth: name.nth,
        }),
        fate: Some(spec_fate(d)),
        ..DeviationSpec::default()
    }
}

/// A crash of `victim` right after `node`'s event that brought its count to `io`.
pub fn crash_spec(node: NodeId, io: u64, victim: NodeId, servers: u32) -> DeviationSpec {
    DeviationSpec {
        after: Some(PointRef {
            node: target(node, servers),
            io,
        }),
        crash: Some(target(victim, servers)),
        ..DeviationSpec::default()
    }
}

/// A clock jump of `victim` by `by_s` right after `node`'s event that brought its count
/// to `io`.
pub fn jump_spec(node: NodeId, io: u64, victim: NodeId, by_s: f64, servers: u32) -> DeviationSpec {
    DeviationSpec {
        after: Some(PointRef {
            node: target(node, servers),
            io,
        }),
        clock_jump_s: Some(by_s),
        node: Some(target(victim, servers)),
        ..DeviationSpec::default()
    }
}
