//! `random_faults`: master crashes at exponential gaps, each restarted after a downtime
//! uniform in `downtime_s`. Drawn from the seed's fault stream, so every strategy of a
//! run (and `afsim run` of the written `scenario.json`) faces the same crashes.

use crate::cell::streams;
use crate::scenario::{FaultSpec, RandomFaultsSpec, Target};
use sim::Prng;

/// The crashes of one seed, as explicit faults (times rounded to the millisecond).
pub fn draw_random_faults(spec: &RandomFaultsSpec, duration_s: f64, seed: u64) -> Vec<FaultSpec> {
    let mut rng = Prng::new(seed).fork(streams::FAULTS);
    let round = |s: f64| (s * 1000.0).round() / 1000.0;
    let mut faults = Vec::new();
    let mut t = 0.0;
    loop {
        t += rng.exponential(spec.crash_master_every_s);
        let at_s = round(t);
        if at_s >= duration_s {
            return faults;
        }
        let [lo, hi] = spec.downtime_s;
        let downtime = round(rng.uniform(lo, hi).max(lo)).max(0.001);
        faults.push(FaultSpec {
            at_s,
            crash: Some(Target("master".into())),
            for_s: Some(downtime),
            ..FaultSpec::default()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crashes_are_spread_by_the_mean_and_fixed_by_the_seed() {
        let spec = RandomFaultsSpec {
            crash_master_every_s: 100.0,
            downtime_s: [10.0, 20.0],
        };
        let a = draw_random_faults(&spec, 100_000.0, 5);
        assert_eq!(a, draw_random_faults(&spec, 100_000.0, 5));
        assert_ne!(a, draw_random_faults(&spec, 100_000.0, 6));
        assert!((900..1100).contains(&a.len()), "{}", a.len());
        assert!(a.iter().all(|f| (10.0..=20.0).contains(&f.for_s.unwrap())));
        assert!(a.windows(2).all(|w| w[0].at_s <= w[1].at_s));
    }
}
