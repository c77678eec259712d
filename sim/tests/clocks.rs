//! Timers are deadlines on the node's local clock: drift fires them early or late by
//! exactly the drift, and a jump moves every pending one.
mod common;

use common::{Blaster, Seen, sim_of};
use sim::{Clock, Duration, Fault, Instant, LinkParams, NodeId, SimConfig};

/// Node 0 sends once, 100 s after boot by its own clock; returns the real send time.
fn first_timer(clock: Clock, jump: Option<(Instant, i64)>) -> Instant {
    let mut config = SimConfig::new(1, LinkParams::default());
    config.clocks = vec![clock];
    let nodes = vec![
        Blaster::to(1, 1, Duration::from_secs(100)),
        Blaster::quiet(),
    ];
    let mut sim = sim_of(config, nodes);
    if let Some((at, by_us)) = jump {
        sim.run_until(at).unwrap();
        sim.apply(
            Fault::ClockJump {
                node: NodeId(0),
                by_us,
            },
            None,
        )
        .unwrap();
    }
    sim.run_until(Instant::from_secs(200)).unwrap();
    let fired: Vec<Instant> = sim
        .observer()
        .seen
        .iter()
        .filter(|(_, s)| matches!(s, Seen::Timer { node: 0 }))
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(fired.len(), 1);
    fired[0]
}

#[test]
fn exact_clock_fires_on_time() {
    assert_eq!(first_timer(Clock::EXACT, None), Instant::from_secs(100));
}

#[test]
fn fast_clock_fires_early_and_slow_clock_late_by_the_drift() {
    // +200 ppm: 100 local seconds take 100 / 1.0002 = 99.980004 real seconds.
    let early = first_timer(Clock::with_drift_ppm(200.0), None);
    assert_eq!(early, Instant::from_micros(99_980_004));
    // -200 ppm: 100 / 0.9998 = 100.020004 real seconds, and a microsecond of flooring.
    let late = first_timer(Clock::with_drift_ppm(-200.0), None);
    assert_eq!(late, Instant::from_micros(100_020_005));
}

#[test]
fn a_clock_set_back_delays_pending_timers_and_forward_hastens_them() {
    let back = first_timer(Clock::EXACT, Some((Instant::from_secs(30), -5_000_000)));
    assert_eq!(back, Instant::from_secs(105));
    let forward = first_timer(Clock::EXACT, Some((Instant::from_secs(30), 20_000_000)));
    assert_eq!(forward, Instant::from_secs(80));
    let past = first_timer(Clock::EXACT, Some((Instant::from_secs(30), 90_000_000)));
    assert_eq!(
        past,
        Instant::from_secs(30),
        "a deadline already passed fires at once"
    );
}

#[test]
fn a_jump_before_the_clocks_start_is_an_error() {
    let nodes = vec![Blaster::quiet()];
    let mut sim = sim_of(SimConfig::new(1, LinkParams::default()), nodes);
    sim.run_until(Instant::from_secs(3)).unwrap();
    let err = sim
        .apply(
            Fault::ClockJump {
                node: NodeId(0),
                by_us: -4_000_000,
            },
            None,
        )
        .unwrap_err();
    assert!(err.to_string().contains("before its start"), "{err}");
    let err = sim.apply(Fault::Crash(NodeId(9)), None).unwrap_err();
    assert!(err.to_string().contains("node 9"), "{err}");
}
