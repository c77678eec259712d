//! Integer time: microseconds, never floating point.
//!
//! `Instant` is a point on a timeline (the simulation's real time, or a node's local
//! clock reading); `Duration` is a span. Arithmetic that would wrap panics with a message
//! instead: a simulation that overflows 584,000 years of microseconds has a bug.

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// A point in time, in microseconds since the start of the run.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
pub struct Instant(u64);

/// A span of time, in microseconds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
pub struct Duration(u64);

impl Instant {
    /// The start of every run.
    pub const ZERO: Instant = Instant(0);
    /// The latest representable instant; a deadline that never comes.
    pub const MAX: Instant = Instant(u64::MAX);

    #[inline]
    pub const fn from_micros(us: u64) -> Instant {
        Instant(us)
    }

    #[inline]
    pub const fn from_millis(ms: u64) -> Instant {
        Instant(ms * 1_000)
    }

    #[inline]
    pub const fn from_secs(s: u64) -> Instant {
        Instant(s * 1_000_000)
    }

    #[inline]
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    #[inline]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    #[inline]
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        self.0.checked_add(d.0).map(Instant)
    }

    /// `self - earlier`, or zero if `earlier` is later (local clocks can be set back).
    #[inline]
    pub fn saturating_since(self, earlier: Instant) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }

    /// `self - d`, or `Instant::ZERO` if that would be before the start.
    #[inline]
    pub fn saturating_sub(self, d: Duration) -> Instant {
        Instant(self.0.saturating_sub(d.0))
    }
}

impl Duration {
    pub const ZERO: Duration = Duration(0);
    pub const MAX: Duration = Duration(u64::MAX);

    #[inline]
    pub const fn from_micros(us: u64) -> Duration {
        Duration(us)
    }

    #[inline]
    pub const fn from_millis(ms: u64) -> Duration {
        Duration(ms * 1_000)
    }

    #[inline]
    pub const fn from_secs(s: u64) -> Duration {
        Duration(s * 1_000_000)
    }

    /// Seconds from a configuration value, rounded to the nearest microsecond.
    ///
    /// # Panics
    /// On a negative, non-finite or absurdly large value: configuration is validated
    /// before it reaches the engine.
    #[inline]
    pub fn from_secs_f64(s: f64) -> Duration {
        let us = (s * 1e6).round();
        assert!(
            us.is_finite() && (0.0..1.8e19).contains(&us),
            "duration out of range: {s} s"
        );
        Duration(us as u64)
    }

    #[inline]
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    #[inline]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    #[inline]
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e3
    }

    #[inline]
    pub fn checked_add(self, d: Duration) -> Option<Duration> {
        self.0.checked_add(d.0).map(Duration)
    }

    #[inline]
    pub fn saturating_sub(self, d: Duration) -> Duration {
        Duration(self.0.saturating_sub(d.0))
    }

    #[inline]
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    #[inline]
    fn add(self, d: Duration) -> Instant {
        self.checked_add(d)
            .expect("time overflow: Instant + Duration")
    }
}

impl AddAssign<Duration> for Instant {
    #[inline]
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    #[inline]
    fn sub(self, d: Duration) -> Instant {
        Instant(
            self.0
                .checked_sub(d.0)
                .expect("time underflow: Instant - Duration before the start"),
        )
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    /// The span from `earlier` to `self`; panics if `earlier` is later.
    #[inline]
    fn sub(self, earlier: Instant) -> Duration {
        Duration(
            self.0
                .checked_sub(earlier.0)
                .expect("time underflow: later - earlier with the order reversed"),
        )
    }
}

impl Add for Duration {
    type Output = Duration;
    #[inline]
    fn add(self, d: Duration) -> Duration {
        self.checked_add(d)
            .expect("time overflow: Duration + Duration")
    }
}

impl Sub for Duration {
    type Output = Duration;
    #[inline]
    fn sub(self, d: Duration) -> Duration {
        Duration(
            self.0
                .checked_sub(d.0)
                .expect("time underflow: Duration - larger Duration"),
        )
    }
}

impl Mul<u64> for Duration {
    type Output = Duration;
    #[inline]
    fn mul(self, k: u64) -> Duration {
        Duration(self.0.checked_mul(k).expect("time overflow: Duration * k"))
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}s", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}s", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact_in_microseconds() {
        let t = Instant::from_secs(2) + Duration::from_millis(1500);
        assert_eq!(t.as_micros(), 3_500_000);
        assert_eq!(t - Instant::from_secs(1), Duration::from_micros(2_500_000));
        assert_eq!(Duration::from_secs_f64(0.0000015), Duration::from_micros(2));
        assert_eq!(format!("{t}"), "3.500000s");
    }

    #[test]
    #[should_panic(expected = "time overflow")]
    fn overflow_panics_instead_of_wrapping() {
        let _ = Instant::MAX + Duration::from_micros(1);
    }

    #[test]
    #[should_panic(expected = "time underflow")]
    fn reversed_subtraction_panics() {
        let _ = Instant::from_secs(1) - Instant::from_secs(2);
    }

    #[test]
    fn saturating_forms_clamp_at_zero() {
        let early = Instant::from_secs(1);
        let late = Instant::from_secs(3);
        assert_eq!(early.saturating_since(late), Duration::ZERO);
        assert_eq!(early.saturating_sub(Duration::from_secs(5)), Instant::ZERO);
    }
}
