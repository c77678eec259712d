//! Checks of explicit faults and their targets.

use super::error::Invalid;
use super::fault::FAULT_KINDS;
use super::target::{TargetRef, cell_nodes};
use super::types::{CellSpec, FaultKind, FaultSpec, Scenario, Target};
use super::validate::{Check, TIME_MAX_S, join, positive_time, share, show};
use super::validate_settings::latency;

pub(crate) fn fault(p: &str, f: &FaultSpec, s: &Scenario) -> Check {
    at_s(p, f.at_s, s.duration_s)?;
    let key = one_kind(p, f)?;
    companions(p, f, key)?;
    // One kind, and `node` if it is a clock jump: `kind` cannot panic.
    let kind = f.kind();
    let cell = &s.cell;
    let field = join(p, kind.key());
    match kind {
        FaultKind::Crash(t) | FaultKind::Restart(t) | FaultKind::Isolate(t) => {
            target(&field, t, cell)?;
        }
        FaultKind::Partition { groups, .. } => {
            if groups.len() < 2 {
                return Err(Invalid::new(
                    field,
                    format!("{} group(s); allowed: two or more groups", groups.len()),
                ));
            }
            disjoint_groups(&field, groups, cell)?;
        }
        FaultKind::Loss { loss: v, between }
        | FaultKind::Duplicate {
            duplicate: v,
            between,
        } => {
            share(&field, v)?;
            between_groups(p, between, cell)?;
        }
        FaultKind::Latency {
            latency: l,
            between,
        } => {
            latency(&field, l)?;
            between_groups(p, between, cell)?;
        }
        FaultKind::ClockJump { by_s, node } => clock_jump(p, f.at_s, by_s, node, cell)?,
    }
    Ok(())
}

fn at_s(p: &str, at: f64, duration_s: f64) -> Check {
    if at.is_finite() && at >= 0.0 && at < duration_s {
        return Ok(());
    }
    Err(Invalid::new(
        join(p, "at_s"),
        format!(
            "{} is out of range; allowed 0 to less than duration_s ({})",
            show(at),
            show(duration_s)
        ),
    ))
}

/// The fault's one kind key.
fn one_kind(p: &str, f: &FaultSpec) -> Result<&'static str, Invalid> {
    let keys = f.kind_keys();
    let allowed = FAULT_KINDS.join(", ");
    match keys.len() {
        1 => Ok(keys[0]),
        0 => Err(Invalid::new(
            p,
            format!("no kind given; give exactly one of {allowed}"),
        )),
        _ => Err(Invalid::new(
            p,
            format!(
                "{} kinds given ({}); give exactly one of {allowed}",
                keys.len(),
                keys.join(", ")
            ),
        )),
    }
}

/// `one_way`, `between`, `node` and `for_s` each belong to some kinds only: given with
/// another they would be ignored, so they are errors.
fn companions(p: &str, f: &FaultSpec, key: &str) -> Check {
    let only_with = |field: &str, kinds: &str| {
        Err(Invalid::new(
            join(p, field),
            format!("only allowed with {kinds}; this fault's kind is {key}"),
        ))
    };
    if f.one_way.is_some() && key != "partition" {
        return only_with("one_way", "partition");
    }
    let takes_between = matches!(key, "loss" | "latency_ms" | "duplicate");
    if f.between.is_some() && !takes_between {
        return only_with("between", "loss, latency_ms or duplicate");
    }
    let is_jump = key == "clock_jump_s";
    if f.node.is_some() && !is_jump {
        return only_with("node", "clock_jump_s");
    }
    if f.node.is_none() && is_jump {
        return Err(Invalid::new(
            join(p, "node"),
            "missing; clock_jump_s needs the node whose clock jumps",
        ));
    }
    if let Some(for_s) = f.for_s {
        if matches!(key, "restart" | "clock_jump_s") {
            return Err(Invalid::new(
                join(p, "for_s"),
                format!("not allowed with {key}: it happens at once and has nothing to heal"),
            ));
        }
        positive_time(&join(p, "for_s"), for_s)?;
    }
    Ok(())
}

fn clock_jump(p: &str, at: f64, by_s: f64, node: &Target, cell: &CellSpec) -> Check {
    let field = join(p, "clock_jump_s");
    if !(by_s.is_finite() && by_s.abs() <= TIME_MAX_S) {
        return Err(Invalid::new(
            field,
            format!(
                "{} is out of range; allowed -{max} to {max} s",
                show(by_s),
                max = show(TIME_MAX_S)
            ),
        ));
    }
    if at + by_s < 0.0 {
        return Err(Invalid::new(
            field,
            format!(
                "{} at {} s would set the clock before zero; allowed -{} or more",
                show(by_s),
                show(at),
                show(at)
            ),
        ));
    }
    let node_path = join(p, "node");
    if target(&node_path, node, cell)? == TargetRef::Master {
        return Err(Invalid::new(
            node_path,
            "master is not allowed here; name a node (fs1, c7), a range or *",
        ));
    }
    Ok(())
}

fn between_groups(p: &str, between: Option<&[Vec<Target>; 2]>, cell: &CellSpec) -> Check {
    match between {
        Some(groups) => disjoint_groups(&join(p, "between"), groups, cell),
        None => Ok(()),
    }
}

/// Every group non-empty, every target in the cell, and no node in two groups (`*`
/// means "every node not named elsewhere", so it may stand in one group only).
fn disjoint_groups(p: &str, groups: &[Vec<Target>], cell: &CellSpec) -> Check {
    let mut seen: Vec<(usize, TargetRef)> = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        if group.is_empty() {
            return Err(Invalid::new(
                format!("{p}[{g}]"),
                "empty group; each group names at least one node",
            ));
        }
        for (k, t) in group.iter().enumerate() {
            let path = format!("{p}[{g}][{k}]");
            let r = target(&path, t, cell)?;
            if let Some((other, o)) = seen.iter().find(|(h, o)| *h != g && overlap(*o, r)) {
                let message = match r {
                    TargetRef::Rest => format!(
                        "\"*\" is also in group {other}; it means every node not named elsewhere, so it may stand in one group only"
                    ),
                    _ => format!(
                        "\"{r}\" overlaps \"{o}\" in group {other}; a node may be in one group only"
                    ),
                };
                return Err(Invalid::new(path, message));
            }
            seen.push((g, r));
        }
    }
    Ok(())
}

fn overlap(a: TargetRef, b: TargetRef) -> bool {
    let same_symbol = |x| a == x && b == x;
    if same_symbol(TargetRef::Rest) || same_symbol(TargetRef::Master) {
        return true;
    }
    let meets = |x: Option<(u32, u32)>, y: Option<(u32, u32)>| match (x, y) {
        (Some((x0, x1)), Some((y0, y1))) => x0 <= y1 && y0 <= x1,
        _ => false,
    };
    meets(a.servers(), b.servers()) || meets(a.clients(), b.clients())
}

/// A target that parses and names only nodes the cell has.
pub(crate) fn target(path: &str, t: &Target, cell: &CellSpec) -> Result<TargetRef, Invalid> {
    let r = t.parse().map_err(|message| Invalid::new(path, message))?;
    if let Some(node) = r.first_unknown(cell) {
        let within = match r {
            TargetRef::Servers(..) | TargetRef::Clients(..) => format!(" in \"{r}\""),
            _ => String::new(),
        };
        return Err(Invalid::new(
            path,
            format!(
                "unknown node \"{node}\"{within}; the cell has {}",
                cell_nodes(cell)
            ),
        ));
    }
    Ok(r)
}
