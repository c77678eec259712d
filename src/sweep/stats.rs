//! Means and 95% confidence intervals over seeds: mean ± t(0.975, n−1)·s/√n.
//!
//! The seeds are independent draws of the workload, network and random faults, so the
//! per-seed figures are a small sample; Student's t keeps the interval honest at 10–20
//! seeds where the normal 1.96 would be too narrow.

use serde::Serialize;

/// t(0.975, df) for df = 1..=30.
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// Larger df: (df, t). Between rows, t is interpolated linearly in 1/df, which is
/// accurate to the third decimal.
const T_975_LARGE: [(f64, f64); 6] = [
    (30.0, 2.042),
    (40.0, 2.021),
    (60.0, 2.000),
    (120.0, 1.980),
    (1000.0, 1.962),
    (f64::INFINITY, 1.960),
];

/// The 97.5% quantile of Student's t with `df` degrees of freedom (`df` ≥ 1).
pub fn t_975(df: usize) -> f64 {
    assert!(df >= 1, "t needs at least one degree of freedom");
    if df <= 30 {
        return T_975[df - 1];
    }
    let x = 1.0 / df as f64;
    let k = T_975_LARGE
        .windows(2)
        .position(|w| (df as f64) <= w[1].0)
        .expect("the last row is infinite");
    let ((d0, t0), (d1, t1)) = (T_975_LARGE[k], T_975_LARGE[k + 1]);
    let (x0, x1) = (1.0 / d0, 1.0 / d1);
    t0 + (t1 - t0) * (x - x0) / (x1 - x0)
}

/// A metric over seeds: how many had a value, their mean, and the 95% interval
/// (`None` with fewer than two values).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub n: usize,
    pub mean: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// The estimate from per-seed values, taken in the order given (so the sums, and the
/// bytes written, never depend on how the runs were scheduled).
pub fn estimate(values: &[f64]) -> Estimate {
    let n = values.len();
    if n == 0 {
        return Estimate {
            n,
            mean: None,
            ci_low: None,
            ci_high: None,
        };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let (ci_low, ci_high) = if n >= 2 {
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t_975(n - 1) * var.sqrt() / (n as f64).sqrt();
        (Some(mean - half), Some(mean + half))
    } else {
        (None, None)
    };
    Estimate {
        n,
        mean: Some(mean),
        ci_low,
        ci_high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_matches_the_table_and_tends_to_the_normal() {
        assert_eq!(t_975(1), 12.706);
        assert_eq!(t_975(19), 2.093);
        assert!((t_975(50) - 2.009).abs() < 0.002, "{}", t_975(50));
        assert!((t_975(100) - 1.984).abs() < 0.002, "{}", t_975(100));
        assert!((t_975(1_000_000) - 1.960).abs() < 0.001);
        for df in 1..500 {
            assert!(t_975(df + 1) <= t_975(df), "t falls with df at {df}");
        }
    }

    #[test]
    fn intervals_follow_the_formula() {
        let e = estimate(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e.n, 4);
        assert_eq!(e.mean, Some(2.5));
        // s = sqrt(5/3), t(3) = 3.182
        let half = 3.182 * (5.0f64 / 3.0).sqrt() / 2.0;
        assert!((e.ci_high.unwrap() - (2.5 + half)).abs() < 1e-12);
        assert!((e.ci_low.unwrap() - (2.5 - half)).abs() < 1e-12);
        let one = estimate(&[7.0]);
        assert_eq!((one.mean, one.ci_low, one.ci_high), (Some(7.0), None, None));
        assert_eq!(estimate(&[]).mean, None);
        let same = estimate(&[0.5; 10]);
        assert_eq!((same.ci_low, same.ci_high), (Some(0.5), Some(0.5)));
    }
}
