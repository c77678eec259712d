//! A crash drops volatile state, pending timers and messages in flight to the node;
//! a restart boots from durable state alone.
mod common;

use common::{Blaster, Seen, sim_of};
use sim::{DropReason, Duration, Fault, Instant, Latency, LinkParams, NodeId, SimConfig};

fn fixed(ms: u64) -> LinkParams {
    LinkParams {
        latency: Latency::Fixed(Duration::from_millis(ms)),
        ..LinkParams::default()
    }
}

fn ms(n: u64) -> Instant {
    Instant::from_micros(n * 1000)
}

#[test]
fn crash_loses_volatile_state_and_restart_boots_from_durable() {
    // Node 0 sends every 10 ms from t = 10 ms; messages take 1 ms.
    let nodes = vec![
        Blaster::to(1, 1000, Duration::from_millis(10)),
        Blaster::quiet(),
    ];
    let mut sim = sim_of(SimConfig::new(1, fixed(1)), nodes);
    sim.run_until(ms(105)).unwrap();
    assert_eq!(sim.volatile(NodeId(1)).unwrap().received, 10);
    assert!(sim.apply(Fault::Crash(NodeId(1)), None).unwrap().effective);
    assert!(sim.volatile(NodeId(1)).is_none() && !sim.is_up(NodeId(1)));
    assert!(
        !sim.apply(Fault::Crash(NodeId(1)), None).unwrap().effective,
        "already down"
    );
    sim.run_until(ms(155)).unwrap();
    let dropped = sim
        .observer()
        .count(|s| matches!(s, Seen::Dropped { to: 1, .. }));
    assert_eq!(dropped, 5, "messages arriving at 111..151 ms while down");
    assert!(
        sim.apply(Fault::Restart(NodeId(1)), None)
            .unwrap()
            .effective
    );
    assert!(
        !sim.apply(Fault::Restart(NodeId(1)), None)
            .unwrap()
            .effective,
        "already up"
    );
    assert_eq!(sim.node(NodeId(1)).boots, 2, "durable state survived");
    assert_eq!(
        sim.volatile(NodeId(1)).unwrap().received,
        0,
        "volatile state was rebuilt"
    );
    sim.run_until(ms(205)).unwrap();
    assert_eq!(sim.volatile(NodeId(1)).unwrap().received, 5);
}

#[test]
fn crash_drops_pending_timers() {
    let nodes = vec![
        Blaster::to(1, 1000, Duration::from_millis(10)),
        Blaster::quiet(),
    ];
    let mut sim = sim_of(SimConfig::new(1, fixed(1)), nodes);
    sim.run_until(ms(105)).unwrap();
    sim.apply(Fault::Crash(NodeId(0)), Some(Duration::from_millis(100)))
        .unwrap();
    sim.run_until(ms(204)).unwrap();
    let timers_while_down = sim
        .observer()
        .seen
        .iter()
        .filter(|(t, s)| *t > ms(105) && matches!(s, Seen::Timer { node: 0 }))
        .count();
    assert_eq!(timers_while_down, 0);
    assert_eq!(sim.stats().timers_discarded, 1, "the timer due at 110 ms");
    // Restarted at 205 ms by the span: it boots, re-arms, and counts from zero again.
    sim.run_until(ms(216)).unwrap();
    assert_eq!(sim.node(NodeId(0)).boots, 2);
    let sent_after: Vec<u64> = sim
        .observer()
        .seen
        .iter()
        .filter_map(|(t, s)| match s {
            Seen::Sent { from: 0, value, .. } if *t > ms(205) => Some(*value),
            _ => None,
        })
        .collect();
    assert_eq!(sent_after, vec![0]);
}

#[test]
fn messages_in_flight_die_with_the_receiver_but_not_those_sent_while_it_was_down() {
    // Node 0 sends at 45, 90, 135 ms; messages take 100 ms. Node 1 is down from 50 to
    // 100 ms. The message sent at 45 ms was in flight over the crash and arrives at
    // 145 ms, after the restart: its connection is gone. The one sent at 90 ms (node 1
    // down) arrives at 190 ms, to a live node: delivered.
    let nodes = vec![
        Blaster::to(1, 100, Duration::from_millis(45)),
        Blaster::quiet(),
    ];
    let mut sim = sim_of(SimConfig::new(1, fixed(100)), nodes);
    sim.run_until(ms(50)).unwrap();
    sim.apply(Fault::Crash(NodeId(1)), Some(Duration::from_millis(50)))
        .unwrap();
    sim.run_until(ms(200)).unwrap();
    let fates: Vec<(Instant, Option<DropReason>)> = sim
        .observer()
        .seen
        .iter()
        .filter_map(|(t, s)| match s {
            Seen::Delivered { to: 1, .. } => Some((*t, None)),
            Seen::Dropped { to: 1, reason, .. } => Some((*t, Some(*reason))),
            _ => None,
        })
        .collect();
    assert_eq!(
        fates,
        vec![
            (ms(145), Some(DropReason::ReceiverCrashed)),
            (ms(190), None)
        ]
    );
}
