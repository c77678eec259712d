//! A latency histogram with bounded memory: exact below 128 µs, then 128 buckets per
//! power of two (relative error under 0.4%), like HdrHistogram.

const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Latencies {
    counts: Vec<u64>,
    total: u64,
}

fn index(us: u64) -> usize {
    if us < SUB {
        return us as usize;
    }
    let shift = 63 - us.leading_zeros() - SUB_BITS;
    (SUB as usize) * (shift as usize + 1) + ((us >> shift) & (SUB - 1)) as usize
}

/// The middle of bucket `i`, in µs.
fn middle(i: usize) -> f64 {
    if (i as u64) < SUB {
        return i as f64;
    }
    let shift = (i as u64 / SUB - 1) as u32;
    let low = (SUB + i as u64 % SUB) << shift;
    low as f64 + ((1u64 << shift) - 1) as f64 / 2.0
}

impl Latencies {
    pub fn add(&mut self, us: u64) {
        let i = index(us);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.total += 1;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The `q`-quantile (0 < q ≤ 1) in milliseconds; `None` with no samples.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(middle(i) / 1000.0);
            }
        }
        unreachable!("rank within total")
    }

    /// Every non-empty bucket as (milliseconds, cumulative fraction), for CDF plots.
    pub fn cdf(&self) -> Vec<(f64, f64)> {
        let mut seen = 0;
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| {
                seen += c;
                (middle(i) / 1000.0, seen as f64 / self.total as f64)
            })
            .collect()
    }

    pub fn merge(&mut self, other: &Latencies) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_exact_when_small_and_close_when_large() {
        let mut l = Latencies::default();
        assert_eq!(l.quantile_ms(0.5), None);
        for us in [0, 0, 0, 50, 100] {
            l.add(us);
        }
        assert_eq!(l.quantile_ms(0.5), Some(0.0));
        assert_eq!(l.quantile_ms(0.99), Some(0.1));
        let mut big = Latencies::default();
        for ms in 1..=1000u64 {
            big.add(ms * 1000);
        }
        let p50 = big.quantile_ms(0.5).unwrap();
        let p99 = big.quantile_ms(0.99).unwrap();
        assert!((p50 - 500.0).abs() / 500.0 < 0.004, "{p50}");
        assert!((p99 - 990.0).abs() / 990.0 < 0.004, "{p99}");
        let cdf = big.cdf();
        assert_eq!(cdf.last().unwrap().1, 1.0);
    }

    #[test]
    fn every_value_lands_in_a_bucket_that_contains_it() {
        for us in (0..2_000_000u64)
            .step_by(997)
            .chain([u64::MAX / 2, 1 << 40])
        {
            let m = middle(index(us));
            assert!(
                (m - us as f64).abs() <= us as f64 / 256.0 + 0.5,
                "{us} -> {m}"
            );
        }
    }
}
