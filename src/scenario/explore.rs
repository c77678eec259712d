//! The scenario fields of `afsim explore`: how it searches (`explore`), and the schedule
//! a reproducer replays (`schedule`). DESIGN.md "Exploration" defines both.

use super::error::Invalid;
use super::target::TargetRef;
use super::types::{Scenario, Target};
use super::validate::{Check, positive_time, show, time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How `afsim explore` searches this scenario's schedules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExploreSpec {
    /// `[A, B]`: seconds between which every deviation falls (default: the whole run,
    /// `[0, duration_s]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_s: Option<[f64; 2]>,
    /// The most deviations from the default schedule per schedule, unless
    /// `--deviations` says (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deviations: Option<u32>,
    /// Whether crashing the master right after one of its events is a deviation
    /// (default true).
    #[serde(default = "yes")]
    pub crash: bool,
    /// Seconds a master crashed by a deviation stays down (default 5).
    #[serde(default = "five")]
    pub downtime_s: f64,
    /// Whether jumping one server's clock by ± `clock_skew_allowance_s` / 2 is a
    /// deviation (at most one per schedule; default true).
    #[serde(default = "yes")]
    pub clock_jumps: bool,
    /// Whether holding a message back is a deviation (default true).
    #[serde(default = "yes")]
    pub holds: bool,
    /// Seconds a held message arrives after its default arrival, behind messages sent
    /// after it; also what a schedule's `"fate": "held"` replays with. Default 1: half a
    /// client's 2 s request timeout, so a held answer still finds its request waiting.
    #[serde(default = "one")]
    pub hold_s: f64,
}

impl Default for ExploreSpec {
    fn default() -> ExploreSpec {
        ExploreSpec {
            window_s: None,
            deviations: None,
            crash: true,
            downtime_s: 5.0,
            clock_jumps: true,
            holds: true,
            hold_s: 1.0,
        }
    }
}

fn yes() -> bool {
    true
}

fn five() -> f64 {
    5.0
}

fn one() -> f64 {
    1.0
}

/// The most deviations a schedule may have (a search of K deviations grows as the
/// number of choices to the power K: far below this is already out of reach).
pub const DEVIATIONS_MAX: u32 = 16;

/// A message by its sender and how many messages that sender had sent before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRef {
    /// The sending node (`fs1`, `c0`).
    pub from: Target,
    /// Messages that node sent before this one (the first is 0).
    pub nth: u64,
}

/// The instant right after a node's event that sends or receives its `io`-th message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointRef {
    /// The node whose event it is.
    pub node: Target,
    /// The node's count of messages sent plus messages received, right after the event.
    pub io: u64,
}

/// What happens to a message against the default schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FateSpec {
    /// Never arrives.
    Lost,
    /// Arrives at the low end of its latency range.
    Early,
    /// Arrives at the high end of its latency range.
    Late,
    /// Arrives twice: at the middle and at the high end of its range.
    Duplicated,
    /// Arrives `explore.hold_s` after the middle of its range, behind messages sent
    /// after it.
    Held,
}

/// One deviation from the default schedule: a message's `fate`, or at a point `after`
/// an event, a `crash` (restarting `explore.downtime_s` later) or a `clock_jump_s` of
/// `node`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviationSpec {
    /// With `fate`: which message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageRef>,
    /// With `message`: what happens to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fate: Option<FateSpec>,
    /// With `crash` or `clock_jump_s`: right after which event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<PointRef>,
    /// Crash this server there; it restarts `explore.downtime_s` later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<Target>,
    /// Set `node`'s clock forward (or back, negative) by this many seconds there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_jump_s: Option<f64>,
    /// With `clock_jump_s`: whose clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<Target>,
}

/// What one deviation is, once checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DeviationKind {
    Message,
    Crash,
    ClockJump,
}

impl DeviationSpec {
    pub fn kind(&self) -> DeviationKind {
        if self.message.is_some() {
            DeviationKind::Message
        } else if self.crash.is_some() {
            DeviationKind::Crash
        } else {
            DeviationKind::ClockJump
        }
    }
}

pub(crate) fn validate_explore(s: &Scenario) -> Check {
    let Some(e) = &s.explore else {
        return Ok(());
    };
    if let Some([a, b]) = e.window_s {
        time("explore.window_s[0]", a)?;
        time("explore.window_s[1]", b)?;
        if a > b {
            return Err(Invalid::new(
                "explore.window_s",
                format!(
                    "[{}, {}] ends before it starts; allowed [A, B] with 0 ≤ A ≤ B",
                    show(a),
                    show(b)
                ),
            ));
        }
    }
    if let Some(k) = e.deviations
        && k > DEVIATIONS_MAX
    {
        return Err(Invalid::new(
            "explore.deviations",
            format!("{k} is out of range; allowed 0 to {DEVIATIONS_MAX}"),
        ));
    }
    positive_time("explore.downtime_s", e.downtime_s)?;
    positive_time("explore.hold_s", e.hold_s)
}

pub(crate) fn validate_schedule(s: &Scenario) -> Check {
    let Some(schedule) = &s.schedule else {
        return Ok(());
    };
    if s.seed.is_none() {
        return Err(Invalid::new(
            "seed",
            "is missing; a schedule names the messages of one seed's run, so it needs that seed",
        ));
    }
    if s.strategies.len() != 1 {
        return Err(Invalid::new(
            "schedule",
            format!(
                "a schedule replays one strategy's run, but the scenario has {} strategies; \
                 keep one",
                s.strategies.len()
            ),
        ));
    }
    for (i, d) in schedule.iter().enumerate() {
        deviation(&format!("schedule[{i}]"), d, s)?;
    }
    Ok(())
}

fn deviation(p: &str, d: &DeviationSpec, s: &Scenario) -> Check {
    let forms = "allowed: {\"message\", \"fate\"}, {\"after\", \"crash\"} or \
                 {\"after\", \"clock_jump_s\", \"node\"}";
    let shape = (
        d.message.is_some(),
        d.fate.is_some(),
        d.after.is_some(),
        d.crash.is_some(),
        d.clock_jump_s.is_some(),
        d.node.is_some(),
    );
    match shape {
        (true, true, false, false, false, false) => {
            let m = d.message.as_ref().expect("checked");
            one_node(&format!("{p}.message.from"), &m.from, s, false)
        }
        (false, false, true, true, false, false) => {
            point(p, d, s)?;
            one_node(
                &format!("{p}.crash"),
                d.crash.as_ref().expect("checked"),
                s,
                true,
            )
        }
        (false, false, true, false, true, true) => {
            point(p, d, s)?;
            let jump = d.clock_jump_s.expect("checked");
            if !jump.is_finite() || jump.abs() > super::validate::TIME_MAX_S {
                return Err(Invalid::new(
                    format!("{p}.clock_jump_s"),
                    format!(
                        "{} is out of range; allowed a finite number of seconds",
                        show(jump)
                    ),
                ));
            }
            one_node(
                &format!("{p}.node"),
                d.node.as_ref().expect("checked"),
                s,
                false,
            )
        }
        _ => Err(Invalid::new(p, format!("is not one deviation; {forms}"))),
    }
}

fn point(p: &str, d: &DeviationSpec, s: &Scenario) -> Check {
    let after = d.after.as_ref().expect("checked");
    one_node(&format!("{p}.after.node"), &after.node, s, false)?;
    if after.io == 0 {
        return Err(Invalid::new(
            format!("{p}.after.io"),
            "0 names no event; allowed 1 or more",
        ));
    }
    Ok(())
}

/// One node of the cell (a server, if `server`).
fn one_node(p: &str, t: &Target, s: &Scenario, server: bool) -> Check {
    let allowed = if server { "fsN" } else { "fsN or cN" };
    let parsed = t.parse().map_err(|e| Invalid::new(p, e))?;
    let ok = match parsed {
        TargetRef::Server(_) => true,
        TargetRef::Client(_) => !server,
        _ => false,
    };
    if !ok {
        return Err(Invalid::new(
            p,
            format!("{:?} is not one node; allowed {allowed}", t.0),
        ));
    }
    if let Some(unknown) = parsed.first_unknown(&s.cell) {
        return Err(Invalid::new(
            p,
            format!(
                "{unknown} is not in the cell of {} servers and {} clients",
                s.cell.servers, s.cell.clients
            ),
        ));
    }
    Ok(())
}
