//! Keeping a reduced scenario valid: a smaller cell or a shorter run can leave faults
//! naming clients that no longer exist or starting after the end. Those are trimmed
//! here rather than rejected, so that each reduction is judged on what it changes.

use crate::scenario::{FaultSpec, Scenario, Target, TargetRef};

/// Seconds rounded to the millisecond, as drawn faults are.
pub(super) fn ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// Drops faults at or after the end and trims targets to the cell's clients; keeps the
/// faults in time order.
pub(super) fn fix_up(s: &mut Scenario) {
    let (duration, clients) = (s.duration_s, s.cell.clients);
    s.faults.retain(|f| f.at_s < duration);
    s.faults = std::mem::take(&mut s.faults)
        .into_iter()
        .filter_map(|f| fit_fault(f, clients))
        .collect();
    s.faults.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
}

/// The fault with its targets trimmed to `clients` clients, or `None` if it no longer
/// names anything (a crash of a client that is gone, a partition with an empty group).
fn fit_fault(mut f: FaultSpec, clients: u32) -> Option<FaultSpec> {
    let one = |t: &mut Option<Target>| -> Option<()> {
        if let Some(target) = t {
            *target = fit(target, clients)?;
        }
        Some(())
    };
    one(&mut f.crash)?;
    one(&mut f.restart)?;
    one(&mut f.isolate)?;
    one(&mut f.node)?;
    if let Some(groups) = &mut f.partition {
        for g in groups.iter_mut() {
            fit_group(g, clients)?;
        }
    }
    if let Some(groups) = &mut f.between {
        for g in groups.iter_mut() {
            fit_group(g, clients)?;
        }
    }
    Some(f)
}

/// Trims a group's targets; `None` if nothing is left of it.
fn fit_group(group: &mut Vec<Target>, clients: u32) -> Option<()> {
    *group = group.iter().filter_map(|t| fit(t, clients)).collect();
    (!group.is_empty()).then_some(())
}

/// A target within `clients` clients: a range is cut at the last client, a client that
/// is gone names nothing. Servers, `master` and `*` are kept as they are.
pub(super) fn fit(t: &Target, clients: u32) -> Option<Target> {
    let Ok(r) = t.parse() else {
        return Some(t.clone());
    };
    let fitted = match r {
        TargetRef::Client(n) if n >= clients => return None,
        TargetRef::Clients(lo, _) if lo >= clients => return None,
        TargetRef::Clients(lo, hi) if hi >= clients => match clients - 1 {
            last if last == lo => TargetRef::Client(lo),
            last => TargetRef::Clients(lo, last),
        },
        other => other,
    };
    Some(Target(fitted.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        Target(s.to_string())
    }

    #[test]
    fn targets_are_cut_to_the_clients_left() {
        assert_eq!(fit(&t("c7"), 5), None);
        assert_eq!(fit(&t("c4"), 5), Some(t("c4")));
        assert_eq!(fit(&t("c2-c9"), 5), Some(t("c2-c4")));
        assert_eq!(fit(&t("c4-c9"), 5), Some(t("c4")));
        assert_eq!(fit(&t("c5-c9"), 5), None);
        assert_eq!(fit(&t("fs2"), 1), Some(t("fs2")));
        assert_eq!(fit(&t("master"), 1), Some(t("master")));
        assert_eq!(fit(&t("*"), 1), Some(t("*")));
    }

    #[test]
    fn faults_that_name_nothing_or_come_too_late_go() {
        let doc = serde_json::json!({
            "name": "x", "duration_s": 100,
            "cell": { "servers": 3, "clients": 10, "files": 2 },
            "strategies": [ { "name": "q", "recovery": "quorum" } ],
            "faults": [
                { "at_s": 10, "isolate": "c8" },
                { "at_s": 20, "partition": [["c6-c9"], ["*"]], "for_s": 5 },
                { "at_s": 30, "partition": [["c2-c9"], ["*"]], "for_s": 5 },
                { "at_s": 60, "crash": "master", "for_s": 5 }
            ]
        });
        let mut s = crate::scenario::from_value(doc, "test").unwrap();
        s.cell.clients = 4;
        s.duration_s = 50.0;
        fix_up(&mut s);
        assert_eq!(s.faults.len(), 1);
        assert_eq!(
            s.faults[0].partition,
            Some(vec![vec![t("c2-c3")], vec![t("*")]])
        );
        crate::scenario::validate(&s, "fixed").unwrap();
    }
}
