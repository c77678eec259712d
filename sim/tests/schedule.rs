//! Schedule mode: the default schedule delivers every message once at the middle of its
//! range; each deviation changes exactly the message it names; names and counters are
//! the same in both modes; traced steps show every choice point.
mod common;

use common::{Blaster, Log, Seen, sim_of};
use sim::{
    Choices, Duration, Fate, Fault, Instant, Latency, LinkParams, MessageDeviation, MessageName,
    NodeId, Schedule, Sim, SimConfig, Step,
};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn uniform(min_ms: u64, max_ms: u64) -> Latency {
    Latency::Uniform {
        min: ms(min_ms),
        max: ms(max_ms),
    }
}

fn link(latency: Latency, loss: f64, duplicate: f64) -> LinkParams {
    LinkParams {
        latency,
        loss,
        duplicate,
    }
}

fn scheduled(link: LinkParams, schedule: Schedule) -> SimConfig {
    let mut config = SimConfig::new(11, link);
    config.schedule = Some(schedule);
    config
}

/// Node 0 sends `count` messages to node 1, one per millisecond from 1 ms; message
/// `n` carries `n`, which is also its name's `nth`.
fn pair(config: SimConfig, count: u64) -> Sim<Blaster, Log> {
    let nodes = vec![Blaster::to(1, count, ms(1)), Blaster::quiet()];
    let mut sim = sim_of(config, nodes);
    sim.run_until(Instant::from_secs(5)).unwrap();
    sim
}

fn name(from: u32, nth: u64) -> MessageName {
    MessageName {
        from: NodeId(from),
        nth,
    }
}

/// Node 0's messages: (value, when sent, fate).
fn sent(log: &Log) -> Vec<(u64, Instant, Fate)> {
    let of = |(t, s): &(Instant, Seen)| match s {
        Seen::Sent {
            from: 0,
            value,
            fate,
            ..
        } => Some((*value, *t, *fate)),
        _ => None,
    };
    log.seen.iter().filter_map(of).collect()
}

/// When message `value` from node 0 reached node 1 (every copy).
fn arrivals(log: &Log, value: u64) -> Vec<Instant> {
    let of = |(t, s): &(Instant, Seen)| match s {
        Seen::Delivered {
            from: 0, value: v, ..
        } if *v == value => Some(*t),
        _ => None,
    };
    log.seen.iter().filter_map(of).collect()
}

fn arrives(latency_us: u64, duplicate_us: Option<u64>) -> Fate {
    Fate::Arrives {
        latency: Duration::from_micros(latency_us),
        duplicate: duplicate_us.map(Duration::from_micros),
    }
}

#[test]
fn the_default_schedule_delivers_each_message_once_at_the_middle_of_its_range() {
    let cases = [
        (uniform(1, 10), 5_500),
        (
            Latency::LogNormal {
                median: ms(4),
                sigma: 0.5,
            },
            4_000,
        ),
        (Latency::Fixed(ms(3)), 3_000),
    ];
    for (latency, middle_us) in cases {
        // Loss and duplication chances are for sampling; the default ignores them.
        let sim = pair(scheduled(link(latency, 0.3, 0.5), Schedule::new()), 100);
        let log = sim.observer();
        let fates = sent(log);
        assert_eq!(fates.len(), 100);
        for (value, at, fate) in fates {
            assert_eq!(fate, arrives(middle_us, None), "{latency:?}");
            let due = at + Duration::from_micros(middle_us);
            assert_eq!(arrivals(log, value), vec![due], "{latency:?}");
        }
        let stats = sim.stats();
        assert_eq!((stats.lost, stats.duplicated, stats.delivered), (0, 0, 100));
    }
}

#[test]
fn cut_links_and_certain_loss_drop_everything() {
    let mut config = scheduled(link(uniform(1, 10), 0.0, 0.5), Schedule::new());
    config
        .schedule
        .as_mut()
        .unwrap()
        .deviate(name(0, 3), MessageDeviation::Late);
    let nodes = vec![Blaster::to(1, 10, ms(1)), Blaster::quiet()];
    let mut sim = sim_of(config, nodes);
    let groups = vec![vec![NodeId(0)], vec![NodeId(1)]];
    let partition = Fault::Partition {
        groups,
        one_way: false,
    };
    sim.apply(partition, None).unwrap();
    assert_eq!(sim.choices(NodeId(0), NodeId(1)), Choices::NONE);
    sim.run_until(Instant::from_secs(1)).unwrap();
    let fates = sent(sim.observer());
    assert_eq!(fates.len(), 10);
    assert!(fates.iter().all(|&(_, _, f)| f == Fate::Cut));
    let refused = sim.current_schedule().unwrap().refused();
    assert_eq!(refused, [(name(0, 3), MessageDeviation::Late)]);

    let sim = pair(
        scheduled(link(uniform(1, 10), 1.0, 0.5), Schedule::new()),
        10,
    );
    assert!(
        sent(sim.observer())
            .iter()
            .all(|&(_, _, f)| f == Fate::Lost)
    );
    assert_eq!(sim.stats().delivered, 0);
    assert_eq!(sim.choices(NodeId(0), NodeId(1)), Choices::NONE);
}

#[test]
fn choices_follow_the_link() {
    use MessageDeviation::*;
    let of = |latency, duplicate| {
        let choices = Choices::of(Some(link(latency, 0.1, duplicate)));
        choices.iter().collect::<Vec<_>>()
    };
    let lognormal = |sigma| Latency::LogNormal {
        median: ms(4),
        sigma,
    };
    assert_eq!(of(Latency::Fixed(ms(3)), 0.0), [Lost]);
    assert_eq!(of(Latency::Fixed(ms(3)), 0.1), [Lost, Duplicated]);
    assert_eq!(of(uniform(1, 10), 0.0), [Lost, Early, Late]);
    assert_eq!(of(uniform(1, 10), 1.0), [Lost, Early, Late, Duplicated]);
    assert_eq!(of(uniform(5, 5), 0.0), [Lost], "a range of one value");
    assert_eq!(of(lognormal(0.5), 0.0), [Lost, Early, Late]);
    assert_eq!(of(lognormal(0.0), 0.0), [Lost]);
    assert!(Choices::of(None).is_empty(), "cut");
    assert!(Choices::of(Some(link(uniform(1, 10), 1.0, 0.5))).is_empty());
    assert_eq!(Choices::of(Some(link(uniform(1, 10), 0.0, 0.5))).len(), 4);
}

#[test]
fn the_ends_of_a_range_are_its_bounds_or_its_5th_and_95th_percentiles() {
    let ends = |l: Latency| {
        let us = |d: Duration| d.as_micros();
        (us(l.low()), us(l.middle()), us(l.high()))
    };
    assert_eq!(ends(uniform(1, 10)), (1_000, 5_500, 10_000));
    let odd = Latency::Uniform {
        min: Duration::from_micros(1_000),
        max: Duration::from_micros(1_001),
    };
    assert_eq!(ends(odd), (1_000, 1_000, 1_001), "the middle rounds down");
    assert_eq!(ends(Latency::Fixed(ms(3))), (3_000, 3_000, 3_000));
    // median × exp(∓1.6449 σ), rounded to the µs.
    let lognormal = |median, sigma| Latency::LogNormal { median, sigma };
    assert_eq!(ends(lognormal(ms(4), 0.5)), (1_757, 4_000, 9_104));
    assert_eq!(ends(lognormal(ms(3), 0.8)), (805, 3_000, 11_184));
}

#[test]
fn each_deviation_changes_exactly_the_message_it_names() {
    use MessageDeviation::*;
    let expected = [
        (Lost, Fate::Lost, vec![]),
        (Early, arrives(1_000, None), vec![1_000]),
        (Late, arrives(10_000, None), vec![10_000]),
        (
            Duplicated,
            arrives(5_500, Some(10_000)),
            vec![5_500, 10_000],
        ),
    ];
    for (deviation, fate, after_us) in expected {
        let schedule: Schedule = [(name(0, 5), deviation)].into_iter().collect();
        let sim = pair(scheduled(link(uniform(1, 10), 0.0, 0.1), schedule), 20);
        let log = sim.observer();
        for (value, at, got) in sent(log) {
            let (want, after) = if value == 5 {
                (fate, after_us.clone())
            } else {
                (arrives(5_500, None), vec![5_500])
            };
            assert_eq!(got, want, "{deviation:?}, message {value}");
            let due: Vec<Instant> = after
                .iter()
                .map(|&us| at + Duration::from_micros(us))
                .collect();
            assert_eq!(arrivals(log, value), due, "{deviation:?}, message {value}");
        }
        assert!(sim.current_schedule().unwrap().refused().is_empty());
    }
}

#[test]
fn a_deviation_its_link_does_not_allow_is_refused_and_recorded() {
    let schedule: Schedule = [
        (name(0, 2), MessageDeviation::Early),
        (name(0, 3), MessageDeviation::Duplicated),
        (name(0, 4), MessageDeviation::Lost),
    ]
    .into_iter()
    .collect();
    let sim = pair(
        scheduled(link(Latency::Fixed(ms(3)), 0.0, 0.0), schedule),
        10,
    );
    let fates: Vec<Fate> = sent(sim.observer()).iter().map(|s| s.2).collect();
    let mut want = vec![arrives(3_000, None); 10];
    want[4] = Fate::Lost;
    assert_eq!(fates, want);
    let refused = sim.current_schedule().unwrap().refused();
    assert_eq!(
        refused,
        [
            (name(0, 2), MessageDeviation::Early),
            (name(0, 3), MessageDeviation::Duplicated)
        ]
    );
}

/// Five nodes in a ring, each sending to the next every 3 ms; odd ones echo.
fn ring(config: SimConfig) -> Sim<Blaster, Log> {
    let nodes = (0..5)
        .map(|i| Blaster {
            echo: i % 2 == 1,
            ..Blaster::to((i + 1) % 5, 50, ms(3))
        })
        .collect();
    sim_of(config, nodes)
}

fn traced(sim: &mut Sim<Blaster, Log>, until: Instant) -> Vec<Step> {
    std::iter::from_fn(|| sim.step_traced(until).unwrap()).collect()
}

#[test]
fn on_a_link_with_nothing_random_the_default_schedule_is_the_sampled_run() {
    let fixed = link(Latency::Fixed(ms(2)), 0.0, 0.0);
    let mut sampled = ring(SimConfig::new(3, fixed));
    let mut default = ring(scheduled(fixed, Schedule::new()));
    let end = Instant::from_secs(1);
    let steps = traced(&mut sampled, end);
    assert_eq!(steps, traced(&mut default, end), "same names, same fates");
    assert_eq!(sampled.trace_hash(), default.trace_hash());
    assert!(steps.len() > 400);
}

#[test]
fn counters_count_every_send_and_every_delivery_to_a_handler() {
    let lossy = link(uniform(1, 10), 0.2, 0.1);
    let mut sim = ring(SimConfig::new(5, lossy));
    sim.run_until(Instant::from_millis(60)).unwrap();
    sim.apply(Fault::Crash(NodeId(2)), Some(ms(20))).unwrap();
    sim.run_until(Instant::from_secs(1)).unwrap();
    let log = sim.observer();
    let mut sent_total = 0;
    for n in 0..5u32 {
        let node = NodeId(n);
        let sent = log.count(|s| matches!(s, Seen::Sent { from, .. } if *from == n));
        let got = log.count(|s| matches!(s, Seen::Delivered { to, .. } if *to == n));
        assert_eq!(sim.sent_count(node), sent as u64);
        assert_eq!(sim.io_count(node), (sent + got) as u64);
        assert_eq!(sim.next_message(node), name(n, sent as u64));
        sent_total += sent as u64;
    }
    assert_eq!(sent_total, sim.stats().sent);
    assert!(
        sim.stats().dropped_at_receiver > 0,
        "drops do not count as received"
    );
}

#[test]
fn names_are_the_same_on_every_run_and_keep_counting_across_a_change_of_mode() {
    let lossy = link(uniform(1, 10), 0.2, 0.1);
    let run = || {
        let mut sim = ring(SimConfig::new(5, lossy));
        let mut steps = traced(&mut sim, Instant::from_millis(50));
        let before = sim.sent_count(NodeId(0));
        assert!(sim.set_schedule(Some(Schedule::new())).is_none());
        steps.extend(traced(&mut sim, Instant::from_millis(100)));
        assert_eq!(sim.set_schedule(None), Some(Schedule::new()));
        steps.extend(traced(&mut sim, Instant::from_millis(150)));
        (steps, before)
    };
    let (steps, before) = run();
    assert_eq!(run().0, steps);
    assert!(before > 0);
    // Each node's names run 0, 1, 2, … through both modes, whoever handles what.
    for n in 0..5u32 {
        let nths: Vec<u64> = steps
            .iter()
            .flat_map(|s| &s.sent)
            .filter(|m| m.name.from == NodeId(n))
            .map(|m| m.name.nth)
            .collect();
        assert_eq!(nths, (0..nths.len() as u64).collect::<Vec<_>>());
    }
    for step in &steps {
        assert!(step.sent.iter().all(|m| Some(m.name.from) == step.handler));
    }
}

#[test]
fn a_traced_step_names_its_handler_and_what_it_sent() {
    // Node 0 sends every 10 ms; node 1 echoes; every message takes 1 ms.
    let fixed = link(Latency::Fixed(ms(1)), 0.0, 0.0);
    let nodes = vec![
        Blaster::to(1, 3, ms(10)),
        Blaster {
            echo: true,
            ..Blaster::quiet()
        },
    ];
    let mut sim = sim_of(SimConfig::new(1, fixed), nodes);
    let lost_only: Choices = Choices::of(Some(fixed));
    let one = |from, nth, to| {
        vec![sim::SentMessage {
            name: name(from, nth),
            to: NodeId(to),
            fate: arrives(1_000, None),
            choices: lost_only,
        }]
    };
    let step = |at_ms, handler: u32, sent| Step {
        at: Instant::from_millis(at_ms),
        handler: Some(NodeId(handler)),
        sent,
    };
    let steps = traced(&mut sim, Instant::from_millis(15));
    assert_eq!(
        steps,
        vec![
            step(10, 0, one(0, 0, 1)), // node 0's timer: its first message
            step(11, 1, one(1, 0, 0)), // delivered to node 1, which echoes
            step(12, 0, vec![]),       // the echo reaches node 0
        ]
    );
    assert_eq!((sim.io_count(NodeId(0)), sim.io_count(NodeId(1))), (2, 2));
    sim.apply(Fault::Crash(NodeId(1)), None).unwrap();
    let steps = traced(&mut sim, Instant::from_millis(21));
    let dropped = Step {
        at: Instant::from_millis(21),
        handler: None,
        sent: vec![],
    };
    assert_eq!(steps, vec![step(20, 0, one(0, 1, 1)), dropped]);
    assert_eq!(sim.io_count(NodeId(1)), 2, "a drop is not a receipt");
}

#[test]
fn deviations_added_on_the_way_apply_to_the_messages_they_name() {
    let mut sim = {
        let nodes = vec![Blaster::to(1, 20, ms(1)), Blaster::quiet()];
        sim_of(
            scheduled(link(uniform(1, 10), 0.0, 0.0), Schedule::new()),
            nodes,
        )
    };
    sim.run_until(Instant::from_millis(5)).unwrap();
    let next = sim.next_message(NodeId(0));
    assert_eq!(next, name(0, 5), "messages 0 to 4 left at 1 to 5 ms");
    assert_eq!(sim.deviate(next, MessageDeviation::Early), None);
    assert_eq!(
        sim.deviate(next, MessageDeviation::Late),
        Some(MessageDeviation::Early)
    );
    sim.run_until(Instant::from_secs(1)).unwrap();
    let fates = sent(sim.observer());
    assert_eq!(fates[5].2, arrives(10_000, None));
    assert!(
        fates
            .iter()
            .filter(|s| s.0 != 5)
            .all(|s| s.2 == arrives(5_500, None))
    );
}

#[test]
#[should_panic(expected = "already sent")]
fn a_message_already_sent_cannot_deviate() {
    let nodes = vec![Blaster::to(1, 20, ms(1)), Blaster::quiet()];
    let mut sim = sim_of(scheduled(LinkParams::default(), Schedule::new()), nodes);
    sim.run_until(Instant::from_millis(5)).unwrap();
    sim.deviate(name(0, 0), MessageDeviation::Lost);
}
