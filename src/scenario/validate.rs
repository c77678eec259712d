//! Semantic checks of a parsed scenario: what serde cannot see (ranges, sums, names,
//! which fields go together). Each check names the field path of the first problem.

use super::error::Invalid;
use super::types::{CallbackLease, CellSpec, LimitsSpec, RandomFaultsSpec, Scenario, StrategySpec};
use super::validate_faults::fault;
use super::validate_settings::{election, network, workload};
use std::collections::BTreeMap;

pub(crate) type Check = Result<(), Invalid>;

/// The longest time any `_s` field may hold (about 31 years). The engine counts
/// microseconds in a `u64`; this keeps sums of a few such times far from overflow.
pub const TIME_MAX_S: f64 = 1e9;
/// The most nodes (servers + clients) a cell may have.
pub const NODES_MAX: u64 = 1_000_000;
/// The most servers a cell may have.
pub const SERVERS_MAX: u32 = 254;
/// Clock drift must stay below this many parts per million (10%).
pub const CLOCK_DRIFT_PPM_MAX: f64 = 100_000.0;
/// How far the operation mix may sum from 1.
pub const MIX_TOLERANCE: f64 = 1e-9;

pub(crate) fn validate_scenario(s: &Scenario) -> Check {
    name(&s.name)?;
    positive_time("duration_s", s.duration_s)?;
    cell(&s.cell)?;
    election("election", &s.election)?;
    network("network", &s.network)?;
    workload("workload", &s.workload)?;
    strategies(&s.strategies)?;
    for (i, f) in s.faults.iter().enumerate() {
        fault(&format!("faults[{i}]"), f, s)?;
    }
    if let Some(r) = &s.random_faults {
        random_faults(r)?;
    }
    if let Some(l) = &s.limits {
        limits(l)?;
    }
    super::explore::validate_explore(s)?;
    super::explore::validate_schedule(s)
}

/// `path.field`, or `field` at the top.
pub(crate) fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// A number as users wrote it: `5`, `0.001`, `1e300`.
pub(crate) fn show(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A time in seconds: 0 to [`TIME_MAX_S`].
pub(crate) fn time(path: &str, v: f64) -> Check {
    if v.is_finite() && (0.0..=TIME_MAX_S).contains(&v) {
        return Ok(());
    }
    Err(Invalid::new(
        path,
        format!(
            "{} is out of range; allowed 0 to {} s",
            show(v),
            show(TIME_MAX_S)
        ),
    ))
}

/// A time in seconds that must be more than 0.
pub(crate) fn positive_time(path: &str, v: f64) -> Check {
    if v.is_finite() && v > 0.0 && v <= TIME_MAX_S {
        return Ok(());
    }
    Err(Invalid::new(
        path,
        format!(
            "{} is out of range; allowed more than 0 and at most {} s",
            show(v),
            show(TIME_MAX_S)
        ),
    ))
}

/// A time in milliseconds: 0 to [`TIME_MAX_S`] in ms.
pub(crate) fn time_ms(path: &str, v: f64) -> Check {
    let max = TIME_MAX_S * 1e3;
    if v.is_finite() && (0.0..=max).contains(&v) {
        return Ok(());
    }
    Err(Invalid::new(
        path,
        format!("{} is out of range; allowed 0 to {} ms", show(v), show(max)),
    ))
}

/// A probability or share: 0 to 1.
pub(crate) fn share(path: &str, v: f64) -> Check {
    if (0.0..=1.0).contains(&v) {
        return Ok(());
    }
    Err(Invalid::new(
        path,
        format!("{} is out of range; allowed 0 to 1", show(v)),
    ))
}

fn name(name: &str) -> Check {
    const ALLOWED: &str = "ASCII letters, digits, -, _ and .";
    if name.is_empty() {
        return Err(Invalid::new("name", format!("empty; allowed: {ALLOWED}")));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(Invalid::new(
            "name",
            format!("{name:?} contains {c:?}; allowed: {ALLOWED}"),
        ));
    }
    if name == "." || name == ".." {
        return Err(Invalid::new(
            "name",
            format!("{name:?} cannot name a folder; use at least one letter or digit"),
        ));
    }
    Ok(())
}

fn cell(c: &CellSpec) -> Check {
    if !(1..=SERVERS_MAX).contains(&c.servers) {
        return Err(Invalid::new(
            "cell.servers",
            format!("{} is out of range; allowed 1 to {SERVERS_MAX}", c.servers),
        ));
    }
    for (field, v) in [("cell.clients", c.clients), ("cell.files", c.files)] {
        if v == 0 {
            return Err(Invalid::new(field, "0 is out of range; allowed 1 or more"));
        }
    }
    let nodes = u64::from(c.servers) + u64::from(c.clients);
    if nodes > NODES_MAX {
        return Err(Invalid::new(
            "cell.clients",
            format!(
                "{} clients and {} servers make {nodes} nodes; allowed at most {NODES_MAX} in all",
                c.clients, c.servers
            ),
        ));
    }
    Ok(())
}

fn strategies(all: &[StrategySpec]) -> Check {
    if all.is_empty() {
        return Err(Invalid::new(
            "strategies",
            "empty; give at least one strategy",
        ));
    }
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in all.iter().enumerate() {
        let p = format!("strategies[{i}]");
        strategy(&p, s)?;
        if let Some(first) = names.insert(s.name.as_str(), i) {
            return Err(Invalid::new(
                join(&p, "name"),
                format!(
                    "{:?} is also the name of strategies[{first}]; strategy names must be unique",
                    s.name
                ),
            ));
        }
    }
    Ok(())
}

fn strategy(p: &str, s: &StrategySpec) -> Check {
    if s.name.trim().is_empty() {
        return Err(Invalid::new(
            join(p, "name"),
            "empty; give each strategy a name",
        ));
    }
    if let CallbackLease::Seconds(v) = s.callback_lease_s {
        positive_time(&join(p, "callback_lease_s"), v)?;
    }
    positive_time(&join(p, "lock_lease_s"), s.lock_lease_s)?;
    positive_time(&join(p, "lock_renew_s"), s.lock_renew_s)?;
    if s.lock_renew_s >= s.lock_lease_s {
        return Err(Invalid::new(
            join(p, "lock_renew_s"),
            format!(
                "{} is not less than lock_lease_s ({}); a holder must renew before its lock expires",
                show(s.lock_renew_s),
                show(s.lock_lease_s)
            ),
        ));
    }
    positive_time(&join(p, "client_probe_s"), s.client_probe_s)?;
    time(&join(p, "clock_skew_allowance_s"), s.clock_skew_allowance_s)?;
    super::own_fields::check(p, s)?;
    if let Some(e) = &s.election {
        election(&join(p, "election"), e)?;
    }
    if let Some(n) = &s.network {
        network(&join(p, "network"), n)?;
    }
    if let Some(w) = &s.workload {
        workload(&join(p, "workload"), w)?;
    }
    Ok(())
}

fn random_faults(r: &RandomFaultsSpec) -> Check {
    positive_time("random_faults.crash_master_every_s", r.crash_master_every_s)?;
    let [min, max] = r.downtime_s;
    time("random_faults.downtime_s[0]", min)?;
    time("random_faults.downtime_s[1]", max)?;
    if min > max {
        return Err(Invalid::new(
            "random_faults.downtime_s",
            format!(
                "[{}, {}] has min more than max; allowed [min, max] with 0 ≤ min ≤ max",
                show(min),
                show(max)
            ),
        ));
    }
    Ok(())
}

fn limits(l: &LimitsSpec) -> Check {
    if l.events_max == Some(0) {
        return Err(Invalid::new(
            "limits.events_max",
            "0 is out of range; allowed 1 or more",
        ));
    }
    if let Some(w) = l.wall_s_max {
        positive_time("limits.wall_s_max", w)?;
    }
    Ok(())
}
