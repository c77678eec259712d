//! A run that would never end is stopped by a bound that names itself.
use sim::{Ctx, Duration, Error, Instant, LinkParams, Message, Node, NodeId, Sim, SimConfig};

#[derive(Clone, Hash)]
struct Never;
impl Message for Never {}

/// Re-arms a timer forever, `every` apart (zero: a livelock at one instant).
struct Ticker {
    every: Duration,
}

impl Node for Ticker {
    type Msg = Never;
    type Timer = ();
    type Output = ();
    type Volatile = ();
    fn boot(&mut self, ctx: &mut Ctx<Self>) {
        ctx.set_timer(self.every, ());
    }
    fn on_message(&mut self, _: &mut (), _: NodeId, _: Never, _: &mut Ctx<Self>) {}
    fn on_timer(&mut self, _: &mut (), _: (), ctx: &mut Ctx<Self>) {
        ctx.set_timer(self.every, ());
    }
}

fn ticker(every: Duration, events_max: u64) -> Sim<Ticker> {
    let mut config = SimConfig::new(1, LinkParams::default());
    config.events_max = events_max;
    Sim::new(config, vec![Ticker { every }], ())
}

#[test]
fn events_max_stops_a_livelock_that_never_advances_time() {
    let mut sim = ticker(Duration::ZERO, 10_000);
    let err = sim.run_until(Instant::from_secs(1)).unwrap_err();
    assert_eq!(
        err,
        Error::EventsMax {
            limit: 10_000,
            at: Instant::ZERO
        }
    );
    assert!(err.to_string().contains("events_max"));
    assert_eq!(sim.stats().events, 10_000);
}

#[test]
fn time_limit_stops_a_run_that_never_runs_dry() {
    let mut sim = ticker(Duration::from_secs(1), u64::MAX);
    let err = sim.run(Instant::from_secs(60)).unwrap_err();
    assert_eq!(
        err,
        Error::TimeMax {
            limit: Instant::from_secs(60),
            pending: 1
        }
    );
    assert!(err.to_string().contains("virtual-time limit"));
    assert_eq!(sim.stats().timers_fired, 60);
}

#[test]
fn a_run_that_ends_is_not_stopped() {
    struct Once;
    impl Node for Once {
        type Msg = Never;
        type Timer = ();
        type Output = ();
        type Volatile = ();
        fn boot(&mut self, ctx: &mut Ctx<Self>) {
            ctx.set_timer(Duration::from_secs(5), ());
        }
        fn on_message(&mut self, _: &mut (), _: NodeId, _: Never, _: &mut Ctx<Self>) {}
        fn on_timer(&mut self, _: &mut (), _: (), _: &mut Ctx<Self>) {}
    }
    let mut sim = Sim::new(SimConfig::new(1, LinkParams::default()), vec![Once], ());
    sim.run(Instant::from_secs(60)).unwrap();
    assert_eq!(sim.pending(), 0);
    assert_eq!(sim.stats().timers_fired, 1);
}
