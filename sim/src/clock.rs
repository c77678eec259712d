//! Node-local clocks: a drift rate and jumps over the simulation's real time.
//!
//! A node reads only its local clock, and its timers are deadlines on that clock: a
//! clock that runs fast fires timers early in real time, and a clock set back delays
//! every pending timer by the jump. Leases granted and trusted on local clocks can
//! therefore break, which is what the model's checkers must see.

use crate::time::{Duration, Instant};

const PPB: i64 = 1_000_000_000;

/// The mapping from real time to one node's local clock reading:
/// `local = real + real × drift_ppb / 10⁹ + offset` (integer µs, floored).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Clock {
    drift_ppb: i64,
    offset_us: i64,
}

/// A clock jump that would set a clock before its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockBeforeStart {
    pub reading_us: i64,
}

impl Clock {
    /// A perfect clock: local time equals real time.
    pub const EXACT: Clock = Clock {
        drift_ppb: 0,
        offset_us: 0,
    };

    /// A clock that gains `drift_ppb` nanoseconds per second (negative: loses).
    ///
    /// # Panics
    /// If the drift is 50% or more: no oscillator is that wrong, and the inverse
    /// mapping assumes the clock runs forward.
    pub fn with_drift_ppb(drift_ppb: i64) -> Clock {
        assert!(drift_ppb.abs() < PPB / 2, "clock drift {drift_ppb} ppb");
        Clock {
            drift_ppb,
            offset_us: 0,
        }
    }

    /// A clock with the given drift in parts per million (rounded to whole ppb).
    pub fn with_drift_ppm(ppm: f64) -> Clock {
        Clock::with_drift_ppb((ppm * 1000.0).round() as i64)
    }

    pub fn drift_ppb(&self) -> i64 {
        self.drift_ppb
    }

    /// The local reading at real instant `real`.
    #[inline]
    pub fn read(&self, real: Instant) -> Instant {
        if self.drift_ppb == 0 && self.offset_us == 0 {
            return real;
        }
        let local = self.raw(real.as_micros());
        Instant::from_micros(u64::try_from(local).expect("clock reading before its start"))
    }

    /// Set the clock forward (`by_us > 0`) or back at real instant `real`.
    pub fn jump(&mut self, real: Instant, by_us: i64) -> Result<(), ClockBeforeStart> {
        let reading_us = self.raw(real.as_micros()).saturating_add(by_us);
        if reading_us < 0 {
            return Err(ClockBeforeStart { reading_us });
        }
        self.offset_us += by_us;
        Ok(())
    }

    /// The first real instant, not before `now`, at which the local clock reads at least
    /// `deadline`.
    ///
    /// In closed form: `raw(r) = r + ⌊r·d/P⌋ + offset = ⌊r·(P + d)/P⌋ + offset`, so
    /// `raw(r) ≥ target` exactly when `r·(P + d) ≥ (target − offset)·P`, that is when
    /// `r ≥ ⌈(target − offset)·P / (P + d)⌉`; the answer is the later of that and `now`.
    #[inline]
    pub fn real_at(&self, now: Instant, deadline: Instant) -> Instant {
        if self.drift_ppb == 0 {
            // Local time runs at the real rate: the deadline is just shifted by the offset.
            let current = self.raw(now.as_micros());
            let ahead = (deadline.as_micros() as i64).saturating_sub(current).max(0);
            return now + Duration::from_micros(ahead as u64);
        }
        let target = i64::try_from(deadline.as_micros()).expect("deadline beyond i64 µs");
        let rate = PPB + self.drift_ppb;
        // Split `target − offset = whole·rate + part` so that nothing overflows:
        // ⌈(whole·rate + part)·P / rate⌉ = whole·P + ⌈part·P / rate⌉, with part·P < rate·P.
        let local = target - self.offset_us;
        let (whole, part) = if local >= 0 {
            // The common case, and one division instead of the Euclidean pair.
            (local / rate, local % rate)
        } else {
            (local.div_euclid(rate), local.rem_euclid(rate))
        };
        let first = whole
            .checked_mul(PPB)
            .and_then(|w| w.checked_add((part * PPB + rate - 1) / rate))
            .expect("timer beyond i64 µs");
        Instant::from_micros(first.max(now.as_micros() as i64) as u64)
    }

    /// The real time the local clock takes to advance by `local` from real instant `now`.
    pub fn real_span(&self, now: Instant, local: Duration) -> Duration {
        self.real_at(now, self.read(now) + local) - now
    }

    #[inline]
    fn raw(&self, real_us: u64) -> i64 {
        let real = i64::try_from(real_us).expect("real time beyond i64 µs");
        let skew = if self.drift_ppb == 0 {
            0
        } else {
            match real.checked_mul(self.drift_ppb) {
                Some(p) => p.div_euclid(PPB),
                None => (i128::from(real) * i128::from(self.drift_ppb)).div_euclid(i128::from(PPB))
                    as i64,
            }
        };
        real + skew + self.offset_us
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_clock_reads_real_time() {
        let c = Clock::EXACT;
        let t = Instant::from_micros(123_456);
        assert_eq!(c.read(t), t);
        assert_eq!(
            c.real_at(t, Instant::from_micros(200_000)),
            Instant::from_micros(200_000)
        );
    }

    #[test]
    fn fast_clock_fires_early_by_its_drift() {
        // 100 ppm fast: 100 local seconds pass in 99.990001 real seconds.
        let c = Clock::with_drift_ppm(100.0);
        let span = c.real_span(Instant::ZERO, Duration::from_secs(100));
        assert_eq!(span.as_micros(), 99_990_001);
        assert!(c.read(Instant::ZERO + span) >= Instant::from_secs(100));
        assert!(c.read(Instant::ZERO + span - Duration::from_micros(1)) < Instant::from_secs(100));
    }

    #[test]
    fn slow_clock_fires_late() {
        let c = Clock::with_drift_ppm(-100.0);
        let start = Instant::from_secs(50);
        let span = c.real_span(start, Duration::from_secs(100));
        assert_eq!(span.as_micros(), 100_010_002);
    }

    proptest::proptest! {
        /// `real_at` is the first instant the clock reads the deadline, for timers of
        /// any length (the 64-bit shortcut and the 128-bit path alike).
        #[test]
        fn real_at_is_the_first_instant_reading_the_deadline(
            ppm in -500.0f64..500.0,
            now_us in 0u64..400_000_000_000,
            ahead_us in 0u64..40_000_000_000,
        ) {
            let c = Clock::with_drift_ppm(ppm);
            let now = Instant::from_micros(now_us);
            let deadline = c.read(now) + Duration::from_micros(ahead_us);
            let real = c.real_at(now, deadline);
            proptest::prop_assert!(c.read(real) >= deadline);
            if real > now {
                proptest::prop_assert!(c.read(real - Duration::from_micros(1)) < deadline);
            }
        }
    }

    /// `real_at` as it was before the closed form: an estimate, then steps of one µs
    /// until `raw` crosses the target. Kept as the oracle the closed form must match.
    fn real_at_by_steps(c: &Clock, now: Instant, deadline: Instant) -> Instant {
        if c.drift_ppb == 0 {
            return c.real_at(now, deadline);
        }
        let current = c.raw(now.as_micros());
        let target = i64::try_from(deadline.as_micros()).unwrap();
        if target <= current {
            return now;
        }
        let ahead = target - current;
        let rate = PPB + c.drift_ppb;
        let estimate = match ahead.checked_mul(PPB) {
            Some(scaled) => scaled / rate + i64::from(scaled % rate != 0),
            None => {
                let (scaled, rate) = (i128::from(ahead) * i128::from(PPB), i128::from(rate));
                i64::try_from((scaled + rate - 1) / rate).unwrap()
            }
        };
        let mut real = now.as_micros() as i64 + estimate;
        while c.raw(real as u64) < target {
            real += 1;
        }
        while real > now.as_micros() as i64 && c.raw(real as u64 - 1) >= target {
            real -= 1;
        }
        Instant::from_micros(real as u64)
    }

    /// `c`, jumped by `jump_us` at `now_us`, finds the same real time for a deadline
    /// `ahead_us` past its reading in closed form as by stepping.
    fn agrees(
        mut c: Clock,
        jump_us: i64,
        now_us: u64,
        ahead_us: i64,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        c.jump(Instant::from_micros(now_us), jump_us).unwrap();
        let now = Instant::from_micros(now_us);
        let reading = c.read(now).as_micros() as i64;
        let deadline = Instant::from_micros((reading + ahead_us).max(0) as u64);
        proptest::prop_assert_eq!(
            c.real_at(now, deadline),
            real_at_by_steps(&c, now, deadline)
        );
        Ok(())
    }

    proptest::proptest! {
        /// The closed form gives exactly what stepping gave, for clocks of any drift
        /// that were set back or forward, and deadlines behind the clock or far ahead.
        #[test]
        fn real_at_matches_stepping(
            ppm in -900.0f64..900.0,
            jump_us in -50_000_000i64..50_000_000,
            now_us in 60_000_000u64..400_000_000_000,
            ahead_us in -100_000_000i64..40_000_000_000,
        ) {
            agrees(Clock::with_drift_ppm(ppm), jump_us, now_us, ahead_us)?;
        }

        /// The same near the edges of rounding: drifts of a few ppb, deadlines a few µs
        /// away, where the floor in `raw` decides.
        #[test]
        fn real_at_matches_stepping_at_small_scales(
            drift_ppb in -2_000i64..2_000,
            jump_us in -1_000i64..1_000,
            now_us in 1_000u64..10_000_000,
            ahead_us in -5i64..5,
        ) {
            agrees(Clock::with_drift_ppb(drift_ppb), jump_us, now_us, ahead_us)?;
        }
    }

    #[test]
    fn jumps_move_the_reading_and_refuse_to_go_before_start() {
        let mut c = Clock::EXACT;
        let t = Instant::from_secs(10);
        c.jump(t, -4_000_000).unwrap();
        assert_eq!(c.read(t), Instant::from_secs(6));
        // A deadline at local 8 s is now 2 s of real time away.
        assert_eq!(c.real_at(t, Instant::from_secs(8)), Instant::from_secs(12));
        assert_eq!(
            c.jump(t, -7_000_000),
            Err(ClockBeforeStart {
                reading_us: -1_000_000
            })
        );
        assert_eq!(
            c.read(t),
            Instant::from_secs(6),
            "a refused jump changes nothing"
        );
    }
}
