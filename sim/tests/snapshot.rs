//! Whole simulations as values: a clone runs forward exactly like its original, a
//! schedule gives the same run from the start and from a clone at its choice point, and
//! the state hash is equal for equal states however they were reached, different for
//! different ones.
mod common;

use common::{Blaster, Log, sim_of};
use sim::{
    Ctx, Duration, Fault, Instant, Latency, LinkChange, LinkParams, Message, MessageDeviation,
    MessageName, Node, NodeId, Schedule, Sim, SimConfig, TimerId,
};
use std::hash::{Hash, Hasher};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn lossy() -> LinkParams {
    LinkParams {
        latency: Latency::LogNormal {
            median: ms(3),
            sigma: 0.8,
        },
        loss: 0.02,
        duplicate: 0.05,
    }
}

/// Twenty nodes in a ring, odd ones echoing, to 500 ms; then a crash, a partition and a
/// link change still pending.
fn busy(config: SimConfig) -> Sim<Blaster, Log> {
    let nodes = (0..20)
        .map(|i| Blaster {
            echo: i % 2 == 1,
            ..Blaster::to((i + 1) % 20, 500, ms(7))
        })
        .collect();
    let mut sim = sim_of(config, nodes);
    sim.run_until(Instant::from_millis(500)).unwrap();
    sim.apply(Fault::Crash(NodeId(3)), Some(ms(300))).unwrap();
    let groups = vec![
        (0..10).map(NodeId).collect(),
        (10..20).map(NodeId).collect(),
    ];
    let partition = Fault::Partition {
        groups,
        one_way: false,
    };
    sim.apply(partition, Some(ms(400))).unwrap();
    let change = LinkChange {
        loss: Some(0.3),
        ..LinkChange::default()
    };
    let fault = Fault::Link {
        between: None,
        change,
    };
    sim.schedule(Instant::from_millis(1500), fault);
    sim
}

fn scheduled(link: LinkParams, schedule: Schedule) -> SimConfig {
    let mut config = SimConfig::new(7, link);
    config.schedule = Some(schedule);
    config
}

#[test]
fn a_clone_runs_forward_exactly_like_its_original() {
    for config in [
        SimConfig::new(7, lossy()),
        scheduled(lossy(), Schedule::new()),
    ] {
        let mut original = busy(config);
        let mut copy = original.clone();
        assert_eq!(copy.state_hash(), original.state_hash());
        assert_eq!(copy.trace_hash(), original.trace_hash());
        for sim in [&mut original, &mut copy] {
            sim.run_until(Instant::from_secs(3)).unwrap();
        }
        assert_eq!(copy.trace_hash(), original.trace_hash());
        assert_eq!(copy.stats(), original.stats());
        assert_eq!(copy.observer(), original.observer());
        assert_eq!(copy.state_hash(), original.state_hash());
        assert!(original.stats().delivered > 5_000 && original.stats().restarts == 1);
    }
}

#[test]
fn a_clone_is_independent_of_its_original() {
    let original = busy(SimConfig::new(7, lossy()));
    let mut twin = original.clone();
    let mut copy = original.clone();
    copy.apply(Fault::Crash(NodeId(5)), None).unwrap();
    copy.run_until(Instant::from_secs(1)).unwrap();
    let mut original = original;
    original.run_until(Instant::from_secs(1)).unwrap();
    twin.run_until(Instant::from_secs(1)).unwrap();
    assert_eq!(original.trace_hash(), twin.trace_hash());
    assert_ne!(original.trace_hash(), copy.trace_hash());
}

/// Deviations for messages a few ahead of each of the first four nodes' counts.
fn deviations_ahead(sim: &Sim<Blaster, Log>) -> Vec<(MessageName, MessageDeviation)> {
    MessageDeviation::ALL
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let mut name = sim.next_message(NodeId(i as u32));
            name.nth += 2 + i as u64;
            (name, d)
        })
        .collect()
}

#[test]
fn a_schedule_gives_the_same_run_from_the_start_and_from_a_clone_at_its_choice_point() {
    let end = Instant::from_secs(3);
    let mut prefix = busy(scheduled(lossy(), Schedule::with_hold(ms(40))));
    let deviations = deviations_ahead(&prefix);
    let mut branch = prefix.clone();
    for &(name, deviation) in &deviations {
        assert_eq!(branch.deviate(name, deviation), None);
    }
    assert_ne!(
        branch.state_hash(),
        prefix.state_hash(),
        "choices ahead differ"
    );
    branch.run_until(end).unwrap();
    prefix.run_until(end).unwrap();
    assert_ne!(branch.trace_hash(), prefix.trace_hash());

    let mut schedule = Schedule::with_hold(ms(40));
    for &(name, deviation) in &deviations {
        schedule.deviate(name, deviation);
    }
    let mut fresh = busy(scheduled(lossy(), schedule));
    fresh.run_until(end).unwrap();
    assert_eq!(fresh.trace_hash(), branch.trace_hash());
    assert_eq!(fresh.state_hash(), branch.state_hash());
    let followed = branch.current_schedule().unwrap().clone();
    assert!(followed.refused().is_empty());
    assert_eq!(followed.len(), 5);

    // The schedule a run followed, written down, replays it.
    let mut replay = busy(scheduled(lossy(), followed));
    replay.run_until(end).unwrap();
    assert_eq!(replay.trace_hash(), branch.trace_hash());
}

#[test]
fn different_choices_give_different_state_hashes() {
    let base = busy(scheduled(lossy(), Schedule::with_hold(ms(40))));
    let next = base.next_message(NodeId(0));
    let mut hashes = vec![base.state_hash()];
    for deviation in MessageDeviation::ALL {
        let mut branch = base.clone();
        branch.deviate(next, deviation);
        hashes.push(branch.state_hash());
    }
    let mut sorted = hashes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        6,
        "default and five deviations ahead: {hashes:?}"
    );

    // Run until node 0 has sent that message: the branches now differ in what is in
    // flight, not in what is ahead.
    let until = |sim: &mut Sim<Blaster, Log>| {
        while sim.sent_count(NodeId(0)) <= next.nth {
            sim.step(Instant::MAX).unwrap();
        }
    };
    let mut late = base.clone();
    late.deviate(next, MessageDeviation::Late);
    let mut default = base.clone();
    until(&mut late);
    until(&mut default);
    assert_eq!(late.now(), default.now());
    assert_ne!(late.state_hash(), default.state_hash());
    let mut again = base.clone();
    again.deviate(next, MessageDeviation::Late);
    until(&mut again);
    assert_eq!(again.state_hash(), late.state_hash());
}

#[test]
fn the_state_hash_sees_every_part_of_the_state() {
    let base = busy(SimConfig::new(7, lossy()));
    let hash = base.state_hash();
    let changed = |change: &dyn Fn(&mut Sim<Blaster, Log>)| {
        let mut sim = base.clone();
        change(&mut sim);
        sim.state_hash()
    };
    let jump = Fault::ClockJump {
        node: NodeId(4),
        by_us: 1,
    };
    assert_ne!(
        changed(&|s| drop(s.apply(jump.clone(), None))),
        hash,
        "a clock"
    );
    let crash = Fault::Crash(NodeId(6));
    assert_ne!(
        changed(&|s| drop(s.apply(crash.clone(), None))),
        hash,
        "a node down"
    );
    let isolate = Fault::Isolate(vec![NodeId(1)]);
    assert_ne!(
        changed(&|s| drop(s.apply(isolate.clone(), None))),
        hash,
        "a rule"
    );
    let restart = Fault::Restart(NodeId(9));
    let later = Instant::from_secs(9);
    assert_ne!(
        changed(&|s| s.schedule(later, restart.clone())),
        hash,
        "a fault"
    );
    assert_ne!(
        changed(&|s| s.observer_mut().seen.clear()),
        hash,
        "the observer"
    );
    assert_ne!(
        changed(&|s| drop(s.set_schedule(Some(Schedule::new())))),
        hash,
        "the mode"
    );
    // A step moves time, the queue, a node and (when it sends) a stream.
    assert_ne!(changed(&|s| drop(s.step(Instant::MAX))), hash);
    assert_eq!(changed(&|_| {}), hash);
}

#[test]
fn spent_deviations_are_history_not_state() {
    let mut with = busy(scheduled(lossy(), Schedule::new()));
    let mut without = with.clone();
    let next = with.next_message(NodeId(2));
    with.deviate(next, MessageDeviation::Lost);
    let names = |sim: &Sim<Blaster, Log>| sim.sent_count(NodeId(2));
    while names(&with) <= next.nth {
        with.step(Instant::MAX).unwrap();
        without.step(Instant::MAX).unwrap();
    }
    assert_ne!(with.state_hash(), without.state_hash(), "one was lost");
    // Take the lost message out of the other too: only the schedules differ now.
    let mut lost = without.clone();
    lost.set_schedule(with.current_schedule().cloned());
    assert_ne!(lost.current_schedule(), without.current_schedule());
    assert_eq!(lost.state_hash(), without.state_hash());
}

// A node that arms one alarm at a time, for states reached by different paths.

#[derive(Clone, Hash)]
struct Arm(u64);
impl Message for Arm {}

/// Sends each alarm length in `to_send` to node 1 when its first timer fires (at time
/// zero), then forgets them.
#[derive(Clone, Hash)]
struct Alarm {
    to_send: Vec<u64>,
}

/// The alarm set, if any. It hashes as whether one is set: a timer id is a handle,
/// and the timer itself is in the queue.
#[derive(Clone)]
struct Armed(Option<TimerId>);

impl Hash for Armed {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.0.is_some().hash(h);
    }
}

impl Node for Alarm {
    type Msg = Arm;
    type Timer = ();
    type Output = ();
    type Volatile = Armed;
    fn boot(&mut self, ctx: &mut Ctx<Self>) -> Armed {
        if !self.to_send.is_empty() {
            ctx.set_timer(Duration::ZERO, ());
        }
        Armed(None)
    }
    fn on_message(&mut self, armed: &mut Armed, _: NodeId, arm: Arm, ctx: &mut Ctx<Self>) {
        if let Some(id) = armed.0.take() {
            ctx.cancel_timer(id);
        }
        armed.0 = Some(ctx.set_timer(ms(arm.0), ()));
    }
    fn on_timer(&mut self, armed: &mut Armed, _: (), ctx: &mut Ctx<Self>) {
        for after_ms in self.to_send.drain(..) {
            ctx.send(NodeId(1), Arm(after_ms));
        }
        armed.0 = None;
    }
}

/// Node 0 sends node 1 the alarms `to_send` at time zero; node 2 is kept apart until
/// 1 s. The detour crashes and restarts node 1 first, and installs and heals a rule.
fn alarms(to_send: Vec<u64>, detour: bool) -> Sim<Alarm> {
    let fixed = LinkParams {
        latency: Latency::Fixed(ms(1)),
        ..LinkParams::default()
    };
    let nodes = vec![
        Alarm { to_send },
        Alarm { to_send: vec![] },
        Alarm { to_send: vec![] },
    ];
    let mut sim = Sim::new(SimConfig::new(1, fixed), nodes, ());
    if detour {
        // Spend a rule id and a crash on the way: handles and counts, not state.
        let change = LinkChange {
            loss: Some(0.5),
            ..LinkChange::default()
        };
        let rule = sim
            .apply(
                Fault::Link {
                    between: None,
                    change,
                },
                None,
            )
            .unwrap();
        sim.apply(Fault::Heal(rule.rule.unwrap()), None).unwrap();
        sim.apply(Fault::Crash(NodeId(1)), None).unwrap();
        sim.apply(Fault::Restart(NodeId(1)), None).unwrap();
    }
    let isolate = Fault::Isolate(vec![NodeId(2)]);
    sim.apply(isolate, Some(Duration::from_secs(1))).unwrap();
    sim.run_until(Instant::from_millis(2)).unwrap();
    sim
}

#[test]
fn states_reached_by_different_paths_hash_alike() {
    // One alarm of 50 ms, or one of 10 ms replaced at once by one of 50 ms: either
    // way node 1 holds an alarm due at 51 ms, under another timer id, queue slot and
    // crash count.
    let direct = alarms(vec![50], false);
    let roundabout = alarms(vec![10, 50], true);
    assert_ne!(
        direct.trace_hash(),
        roundabout.trace_hash(),
        "different paths"
    );
    assert_eq!(direct.stats().timers_cancelled, 0);
    assert_eq!(roundabout.stats().timers_cancelled, 1);
    assert_eq!(direct.state_hash(), roundabout.state_hash());
    assert_ne!(alarms(vec![60], false).state_hash(), direct.state_hash());
    assert_ne!(
        alarms(vec![50, 10], false).state_hash(),
        direct.state_hash()
    );
    // And they go on alike: the alarm fires at the same instant.
    let fire = |mut sim: Sim<Alarm>| {
        sim.step(Instant::MAX).unwrap();
        (sim.now(), sim.state_hash())
    };
    assert_eq!(fire(direct), fire(roundabout));
}
