//! Held messages: a schedule with a hold may hold any message its link delivers, and
//! delivers it that long after its default arrival, so messages sent after it overtake
//! it; a schedule without a hold refuses to hold; a hold replays exactly and is named
//! like every other deviation.
mod common;

use common::{Blaster, Log, Seen, sim_of};
use sim::{
    Choices, Duration, Fate, Instant, Latency, LinkParams, MessageDeviation, MessageName, NodeId,
    Schedule, Sim, SimConfig,
};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn link() -> LinkParams {
    LinkParams {
        latency: Latency::Uniform {
            min: ms(1),
            max: ms(9),
        },
        loss: 0.1,
        duplicate: 0.0,
    }
}

fn uniform(min_ms: u64, max_ms: u64) -> Latency {
    Latency::Uniform {
        min: ms(min_ms),
        max: ms(max_ms),
    }
}

fn link_of(latency: Latency, loss: f64) -> LinkParams {
    LinkParams {
        latency,
        loss,
        duplicate: 0.0,
    }
}

fn name(nth: u64) -> MessageName {
    MessageName {
        from: NodeId(0),
        nth,
    }
}

/// Node 0 sends 20 messages to node 1, one per millisecond from 1 ms, following
/// `schedule`; message `n` carries `n`.
fn pair(schedule: Schedule) -> Sim<Blaster, Log> {
    let mut config = SimConfig::new(3, link());
    config.schedule = Some(schedule);
    let nodes = vec![Blaster::to(1, 20, ms(1)), Blaster::quiet()];
    let mut sim = sim_of(config, nodes);
    sim.run_until(Instant::from_secs(1)).unwrap();
    sim
}

/// The values node 1 received, in order of arrival, and when.
fn received(sim: &Sim<Blaster, Log>) -> Vec<(u64, Instant)> {
    let of = |(t, s): &(Instant, Seen)| match s {
        Seen::Delivered { from: 0, value, .. } => Some((*value, *t)),
        _ => None,
    };
    sim.observer().seen.iter().filter_map(of).collect()
}

fn held(nth: u64, hold: Duration) -> Schedule {
    let mut schedule = Schedule::with_hold(hold);
    schedule.deviate(name(nth), MessageDeviation::Held);
    schedule
}

#[test]
fn a_held_message_arrives_the_hold_after_its_default_arrival_behind_later_ones() {
    let hold = Duration::from_micros(10_500);
    let sim = pair(held(3, hold));
    let order: Vec<u64> = received(&sim).iter().map(|r| r.0).collect();
    let mut want: Vec<u64> = (0..20).filter(|&v| v != 3).collect();
    // Sent at 4 ms, due at 4 + 5 + 10.5 ms: after message 13 (14 + 5 ms), before 14.
    want.insert(want.iter().position(|&v| v == 14).unwrap(), 3);
    assert_eq!(order, want);
    let at = received(&sim).iter().find(|r| r.0 == 3).unwrap().1;
    assert_eq!(at, Instant::from_micros(19_500));
    let fate = sim.observer().seen.iter().find_map(|(_, s)| match s {
        Seen::Sent {
            from: 0,
            value: 3,
            fate,
            ..
        } => Some(*fate),
        _ => None,
    });
    let latency = Duration::from_micros(15_500);
    assert_eq!(
        fate,
        Some(Fate::Arrives {
            latency,
            duplicate: None
        })
    );
    assert!(sim.current_schedule().unwrap().refused().is_empty());
    assert_eq!(sim.stats().delivered, 20, "held, not lost");
}

#[test]
fn a_schedule_without_a_hold_refuses_to_hold() {
    let mut schedule = Schedule::new();
    schedule.deviate(name(3), MessageDeviation::Held);
    let sim = pair(schedule);
    let order: Vec<u64> = received(&sim).iter().map(|r| r.0).collect();
    assert_eq!(order, (0..20).collect::<Vec<_>>(), "the default order");
    let refused = sim.current_schedule().unwrap().refused();
    assert_eq!(refused, [(name(3), MessageDeviation::Held)]);
    assert_eq!(Schedule::new().hold(), Duration::ZERO);
}

#[test]
#[should_panic(expected = "holds nothing")]
fn a_hold_of_zero_is_a_mistake() {
    Schedule::with_hold(Duration::ZERO);
}

#[test]
fn a_hold_is_named_by_its_message_and_replays_exactly() {
    // Deviate on the way, from a clone at the choice point, as a search does.
    let mut config = SimConfig::new(3, link());
    config.schedule = Some(Schedule::with_hold(ms(10)));
    let nodes = vec![Blaster::to(1, 20, ms(1)), Blaster::quiet()];
    let mut branch = sim_of(config, nodes);
    branch.run_until(Instant::from_millis(3)).unwrap();
    let next = branch.next_message(NodeId(0));
    assert_eq!(next, name(3), "messages 0 to 2 left at 1 to 3 ms");
    branch.deviate(next, MessageDeviation::Held);
    branch.run_until(Instant::from_secs(1)).unwrap();

    let followed = branch.current_schedule().unwrap().clone();
    assert_eq!(followed.deviation(name(3)), Some(MessageDeviation::Held));
    assert_eq!(followed.hold(), ms(10));
    let fresh = pair(followed);
    assert_eq!(fresh.trace_hash(), branch.trace_hash());
    assert_eq!(fresh.trace_hash(), pair(held(3, ms(10))).trace_hash());
    assert_ne!(
        fresh.trace_hash(),
        pair(held(3, ms(11))).trace_hash(),
        "the hold is part of the schedule"
    );
}

#[test]
fn the_state_hash_sees_the_hold_ahead() {
    let mut config = SimConfig::new(3, link());
    config.schedule = Some(Schedule::with_hold(ms(10)));
    let nodes = vec![Blaster::to(1, 20, ms(1)), Blaster::quiet()];
    let base = sim_of(config, nodes);
    let next = base.next_message(NodeId(0));
    let mut held = base.clone();
    held.deviate(next, MessageDeviation::Held);
    let mut late = base.clone();
    late.deviate(next, MessageDeviation::Late);
    let hashes = [base.state_hash(), held.state_hash(), late.state_hash()];
    assert_ne!(hashes[0], hashes[1]);
    assert_ne!(hashes[1], hashes[2]);
}

#[test]
fn a_schedule_with_a_hold_may_hold_any_message_its_link_delivers() {
    use MessageDeviation::*;
    let held = |link| {
        let choices = Schedule::with_hold(ms(1)).choices(link);
        choices.iter().collect::<Vec<_>>()
    };
    assert_eq!(
        held(Some(link_of(uniform(1, 10), 0.1))),
        [Lost, Early, Late, Held]
    );
    assert_eq!(
        held(Some(link_of(Latency::Fixed(ms(3)), 0.0))),
        [Lost, Held]
    );
    assert!(held(None).is_empty(), "cut");
    assert!(
        held(Some(link_of(uniform(1, 10), 1.0))).is_empty(),
        "all lost"
    );
    let working = Some(link_of(uniform(1, 10), 0.0));
    assert_eq!(
        Schedule::new().choices(working),
        Choices::of(working),
        "no hold"
    );
}
