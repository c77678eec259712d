//! Means and 95% intervals over seeds: a percentile bootstrap of the mean.
//!
//! The per-seed figures are a small sample of skewed, bounded metrics (availability in
//! [0, 1]; outages, latencies, violations never negative, a few seeds far out). The
//! Student-t interval, symmetric around the mean, went below zero for them
//! (`write_p99_ms_ci_low = -432`) and off a log axis. Resampling the seeds' figures
//! and taking the 2.5th and 97.5th percentiles of the resampled means gives an interval
//! inside the range of the data, hence inside the metric's range, skewed as the data
//! are. It is deterministic: the resampling stream is seeded by a fixed constant and
//! the figures are taken in seed order, so the same figures always give the same bytes
//! (and sharded sweeps merge to the whole sweep's).

use serde::Serialize;
use sim::Prng;

/// Resampled means per interval.
pub const RESAMPLES: usize = 2000;

/// The resampling stream's seed: fixed, so intervals are a function of the figures.
const STREAM: u64 = 0x0b00_7575_7a70;

/// A metric over seeds: how many had a value, their mean, and the 95% interval
/// (`None` with fewer than two values).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub n: usize,
    pub mean: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The 2.5th and 97.5th percentiles of [`RESAMPLES`] means of `values` resampled with
/// replacement.
pub fn bootstrap(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    let mut rng = Prng::new(STREAM);
    let mut means: Vec<f64> = (0..RESAMPLES)
        .map(|_| (0..n).map(|_| values[rng.index(n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let tail = RESAMPLES / 40;
    (means[tail - 1], means[RESAMPLES - tail])
}

/// The estimate from per-seed values, taken in the order given (so the sums, and the
/// bytes written, never depend on how the runs were scheduled).
pub fn estimate(values: &[f64]) -> Estimate {
    let n = values.len();
    let (ci_low, ci_high) = match n {
        0 | 1 => (None, None),
        _ => {
            let (lo, hi) = bootstrap(values);
            (Some(lo), Some(hi))
        }
    };
    Estimate {
        n,
        mean: (n > 0).then(|| mean(values)),
        ci_low,
        ci_high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_hold_the_mean_and_stay_inside_the_data() {
        let e = estimate(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((e.n, e.mean), (4, Some(2.5)));
        let (lo, hi) = (e.ci_low.unwrap(), e.ci_high.unwrap());
        assert!(
            (1.0..2.5).contains(&lo) && hi > 2.5 && hi <= 4.0,
            "{lo} {hi}"
        );
        let one = estimate(&[7.0]);
        assert_eq!((one.mean, one.ci_low, one.ci_high), (Some(7.0), None, None));
        assert_eq!(estimate(&[]).mean, None);
        let same = estimate(&[0.5; 10]);
        assert_eq!((same.ci_low, same.ci_high), (Some(0.5), Some(0.5)));
    }

    /// The case that went below zero: one seed far out among small figures.
    #[test]
    fn a_skewed_non_negative_metric_keeps_a_non_negative_interval() {
        let mut p99 = vec![280.0; 19];
        p99.push(12_000.0);
        let e = estimate(&p99);
        let (lo, hi) = (e.ci_low.unwrap(), e.ci_high.unwrap());
        assert!(lo >= 280.0, "{lo}");
        assert!(hi > e.mean.unwrap(), "{hi}");
        let avail = estimate(&[1.0, 1.0, 1.0, 0.2, 1.0]);
        assert!(avail.ci_high.unwrap() <= 1.0 && avail.ci_low.unwrap() >= 0.2);
    }

    #[test]
    fn the_same_figures_give_the_same_interval() {
        let v: Vec<f64> = (0..37).map(|k| f64::from(k * k % 11)).collect();
        assert_eq!(estimate(&v), estimate(&v));
    }
}
