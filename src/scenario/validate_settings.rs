//! Checks of the settings a strategy may override: election, network (with its latency)
//! and workload. Each takes the path of the object it checks.

use super::error::Invalid;
use super::types::{ElectionSpec, Latency, LatencySpec, NetworkSpec, WorkloadSpec};
use super::validate::{
    CLOCK_DRIFT_PPM_MAX, Check, MIX_TOLERANCE, join, positive_time, share, show, time, time_ms,
};

pub(crate) fn election(p: &str, e: &ElectionSpec) -> Check {
    positive_time(&join(p, "beacon_s"), e.beacon_s)?;
    positive_time(&join(p, "master_lease_s"), e.master_lease_s)?;
    time(&join(p, "vote_wait_s"), e.vote_wait_s)
}

pub(crate) fn network(p: &str, n: &NetworkSpec) -> Check {
    latency(&join(p, "latency_ms"), &n.latency_ms)?;
    share(&join(p, "loss"), n.loss)?;
    share(&join(p, "duplicate"), n.duplicate)?;
    if !(0.0..CLOCK_DRIFT_PPM_MAX).contains(&n.clock_drift_ppm) {
        return Err(Invalid::new(
            join(p, "clock_drift_ppm"),
            format!(
                "{} is out of range; allowed 0 to less than {}",
                show(n.clock_drift_ppm),
                show(CLOCK_DRIFT_PPM_MAX)
            ),
        ));
    }
    Ok(())
}

/// Exactly one complete form, with sensible numbers.
pub(crate) fn latency(p: &str, l: &LatencySpec) -> Check {
    const FORMS: &str = "give exactly one of {min, max}, {fixed}, {lognormal_median, sigma}";
    let forms: Vec<&str> = [
        (l.min.is_some() || l.max.is_some(), "min/max"),
        (l.fixed.is_some(), "fixed"),
        (
            l.lognormal_median.is_some() || l.sigma.is_some(),
            "lognormal_median/sigma",
        ),
    ]
    .into_iter()
    .filter_map(|(given, form)| given.then_some(form))
    .collect();
    match forms.len() {
        0 => return Err(Invalid::new(p, format!("no latency given; {FORMS}"))),
        1 => {}
        _ => {
            let named = forms.join(" and ");
            return Err(Invalid::new(
                p,
                format!("two forms given ({named}); {FORMS}"),
            ));
        }
    }
    let Some(form) = l.latency() else {
        // One form is given but not completely; `fixed` alone is always complete.
        let missing = match (forms[0], l.min.is_none(), l.lognormal_median.is_none()) {
            ("min/max", true, _) => "min",
            ("min/max", false, _) => "max",
            (_, _, true) => "lognormal_median",
            _ => "sigma",
        };
        return Err(Invalid::new(join(p, missing), format!("missing; {FORMS}")));
    };
    match form {
        Latency::Uniform { min_ms, max_ms } => {
            time_ms(&join(p, "min"), min_ms)?;
            time_ms(&join(p, "max"), max_ms)?;
            if min_ms > max_ms {
                return Err(Invalid::new(
                    join(p, "min"),
                    format!(
                        "{} is more than max ({}); allowed min ≤ max",
                        show(min_ms),
                        show(max_ms)
                    ),
                ));
            }
        }
        Latency::Fixed { ms } => time_ms(&join(p, "fixed"), ms)?,
        Latency::LogNormal { median_ms, sigma } => {
            let path = join(p, "lognormal_median");
            if median_ms <= 0.0 {
                return Err(Invalid::new(
                    path,
                    format!(
                        "{} is out of range; allowed more than 0 ms",
                        show(median_ms)
                    ),
                ));
            }
            time_ms(&path, median_ms)?;
            if !(sigma.is_finite() && (0.0..=10.0).contains(&sigma)) {
                return Err(Invalid::new(
                    join(p, "sigma"),
                    format!("{} is out of range; allowed 0 to 10", show(sigma)),
                ));
            }
        }
    }
    Ok(())
}

pub(crate) fn workload(p: &str, w: &WorkloadSpec) -> Check {
    let rate = w.ops_per_client_s;
    if !(rate.is_finite() && rate >= 0.0) {
        return Err(Invalid::new(
            join(p, "ops_per_client_s"),
            format!("{} is out of range; allowed 0 or more", show(rate)),
        ));
    }
    let mix = join(p, "mix");
    share(&join(&mix, "read"), w.mix.read)?;
    share(&join(&mix, "write"), w.mix.write)?;
    share(&join(&mix, "lock"), w.mix.lock)?;
    let sum = w.mix.read + w.mix.write + w.mix.lock;
    if (sum - 1.0).abs() > MIX_TOLERANCE {
        return Err(Invalid::new(
            mix,
            format!("read + write + lock = {}; they must sum to 1", show(sum)),
        ));
    }
    share(&join(p, "exclusive_locks"), w.exclusive_locks)?;
    if !(w.zipf.is_finite() && w.zipf >= 0.0) {
        return Err(Invalid::new(
            join(p, "zipf"),
            format!("{} is out of range; allowed 0 or more", show(w.zipf)),
        ));
    }
    time(&join(p, "lock_hold_s"), w.lock_hold_s)?;
    positive_time(&join(p, "op_deadline_s"), w.op_deadline_s)
}
