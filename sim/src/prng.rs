//! The one source of randomness: a counter-based SplitMix64 stream behind the few draws
//! the model needs.
//!
//! Draw `n` of a stream keyed `k` is `mix(k + n·γ)`, SplitMix64's finaliser over a Weyl
//! sequence: 16 bytes of state, a handful of instructions per draw, no buffered blocks to
//! refill, and nothing platform-dependent. Every draw is built from `next_u64` here, and
//! transcendental maths goes through `libm`: a seed gives the same bits on every
//! platform.

use std::hash::{Hash, Hasher};

/// The Weyl increment of SplitMix64 (2^64 / φ, odd).
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's finaliser (Stafford's "Mix13"): a bijection of `u64` whose outputs pass
/// BigCrush when fed a Weyl sequence.
#[inline]
fn mix(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A seeded, portable pseudo-random stream.
#[derive(Clone, Debug)]
pub struct Prng {
    /// What the stream was forked with: children depend on this alone.
    key: u64,
    /// `key + n·γ` after `n` draws.
    state: u64,
}

impl Prng {
    fn keyed(key: u64) -> Prng {
        Prng { key, state: key }
    }

    /// The master stream of a run.
    pub fn new(seed: u64) -> Prng {
        Prng::keyed(mix(seed.wrapping_add(GAMMA)))
    }

    /// An independent stream for one component, named by `label`.
    ///
    /// The child depends only on this stream's key and the label, never on how many
    /// draws were taken from the parent or from other children: adding a draw in one
    /// component does not shift any other. Keys are hashed apart, so streams start at
    /// unrelated points of SplitMix64's 2^64 cycle.
    pub fn fork(&self, label: u64) -> Prng {
        Prng::keyed(mix(self.key ^ mix(label.wrapping_add(GAMMA))))
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p` (clamped to `[0, 1]`); draws nothing when `p` is 0 or 1.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            false
        } else if p >= 1.0 {
            true
        } else {
            self.unit() < p
        }
    }

    /// Uniform in `[0, n)`, without modulo bias (Lemire's method).
    ///
    /// # Panics
    /// If `n` is zero.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Prng::below(0)");
        let mut product = u128::from(self.next_u64()) * u128::from(n);
        if (product as u64) < n {
            // Only now is the (slow) exact rejection threshold needed.
            let threshold = n.wrapping_neg() % n;
            while (product as u64) < threshold {
                product = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (product >> 64) as u64
    }

    /// Uniform index into a collection of `len` elements.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Uniform in `[lo, hi]`, both inclusive.
    #[inline]
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi, "Prng::range_inclusive({lo}, {hi})");
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.next_u64(),
        }
    }

    /// Uniform real in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Exponentially distributed with the given mean (inter-arrival times of a Poisson
    /// process).
    pub fn exponential(&mut self, mean: f64) -> f64 {
        // 1 - unit() is in (0, 1]: the logarithm is finite.
        -mean * libm::log(1.0 - self.unit())
    }

    /// Standard normal, by the Box–Muller transform.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }

    /// Lognormal with the given median and shape `sigma` (the standard deviation of the
    /// underlying normal).
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * libm::exp(sigma * self.normal())
    }
}

/// A stream hashes as what decides its future: its key (its children) and its position.
/// Two streams that hash equal draw the same bits from here on.
impl Hash for Prng {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.key);
        h.write_u64(self.state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::TraceHash;

    fn hash_of(p: &Prng) -> u64 {
        TraceHash::of(p)
    }

    #[test]
    fn a_stream_hashes_by_its_seed_and_position() {
        let mut a = Prng::new(5);
        let mut b = a.clone();
        assert_eq!(hash_of(&a), hash_of(&b));
        a.next_u64();
        assert_ne!(hash_of(&a), hash_of(&b), "a draw moves the position");
        b.next_u64();
        assert_eq!(hash_of(&a), hash_of(&b));
        assert_eq!(a.next_u64(), b.next_u64(), "equal hashes, equal futures");
        assert_ne!(hash_of(&Prng::new(5)), hash_of(&Prng::new(6)));
        assert_ne!(hash_of(&a.fork(1)), hash_of(&a.fork(2)));
    }

    #[test]
    fn same_seed_same_stream_and_forks_are_independent_of_parent_draws() {
        let mut a = Prng::new(7);
        let mut b = Prng::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        let fa = a.fork(3);
        for _ in 0..10 {
            b.next_u64();
        }
        let fb = b.fork(3);
        let (mut fa, mut fb) = (fa, fb);
        assert_eq!(fa.next_u64(), fb.next_u64());
        assert_ne!(a.fork(3).next_u64(), a.fork(4).next_u64());
    }

    #[test]
    fn the_stream_is_splitmix64() {
        // The reference SplitMix64 from state 0 (Steele, Lea and Flood; Vigna's C code).
        let mut zero = Prng::keyed(0);
        assert_eq!(zero.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(zero.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(zero.next_u64(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn golden_values_pin_the_stream() {
        // These pin our seeding and forking: a change here changes every trace hash and
        // must be deliberate.
        assert_eq!(Prng::new(42).next_u64(), 6_332_618_229_526_065_668);
        assert_eq!(Prng::new(42).fork(1).next_u64(), 6_229_531_841_850_878_132);
        assert_eq!(Prng::new(42).unit(), 0.34329192209867343);
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut p = Prng::new(1);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            counts[p.below(10) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "bucket {c}");
        }
        assert_eq!(p.range_inclusive(5, 5), 5);
        // The full range cannot be spanned by `below`; it must still reach the top half.
        assert!((0..64).any(|_| p.range_inclusive(0, u64::MAX) > u64::MAX / 2));
        assert!((0..1000).all(|_| (3..=9).contains(&p.range_inclusive(3, 9))));
    }

    #[test]
    fn chance_matches_probability() {
        let mut p = Prng::new(2);
        let hits = (0..200_000).filter(|_| p.chance(0.25)).count();
        assert!((49_000..51_000).contains(&hits), "{hits}");
        assert!(!p.chance(0.0));
        assert!(p.chance(1.0));
    }

    #[test]
    fn exponential_and_lognormal_have_the_right_centre() {
        let mut p = Prng::new(3);
        let n = 200_000;
        let mean = (0..n).map(|_| p.exponential(4.0)).sum::<f64>() / n as f64;
        assert!((mean - 4.0).abs() < 0.05, "mean {mean}");
        let mut xs: Vec<f64> = (0..n).map(|_| p.lognormal(10.0, 0.5)).collect();
        xs.sort_by(f64::total_cmp);
        let median = xs[n / 2];
        assert!((median - 10.0).abs() < 0.1, "median {median}");
        let normals: Vec<f64> = (0..n).map(|_| p.normal()).collect();
        let m = normals.iter().sum::<f64>() / n as f64;
        let var = normals.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
        assert!(
            m.abs() < 0.01 && (var - 1.0).abs() < 0.02,
            "mean {m} var {var}"
        );
    }
}
