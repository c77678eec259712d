//! Trace hashes pinned to their values before schedule mode existed: the normal
//! (random) mode must keep drawing the same bits in the same order, so that every
//! committed result keeps its hash. A change here changes every run's hash and must be
//! deliberate.
mod common;

use common::{Blaster, sim_of};
use sim::{
    Ctx, Duration, Fault, Instant, Latency, LinkChange, LinkParams, Message, Node, NodeId, Sim,
    SimConfig, TimerId,
};

/// Every kind of network draw (loss, lognormal latency, duplicates), a crash and its
/// restart, a partition and its heal, and a scheduled link change.
fn busy_run(seed: u64) -> (u64, sim::Stats) {
    let link = LinkParams {
        latency: Latency::LogNormal {
            median: Duration::from_millis(3),
            sigma: 0.8,
        },
        loss: 0.02,
        duplicate: 0.01,
    };
    let nodes = (0..20)
        .map(|i| Blaster {
            echo: i % 2 == 1,
            ..Blaster::to((i + 1) % 20, 500, Duration::from_millis(7))
        })
        .collect();
    let mut sim = sim_of(SimConfig::new(seed, link), nodes);
    sim.run_until(Instant::from_millis(500)).unwrap();
    sim.apply(Fault::Crash(NodeId(3)), Some(Duration::from_millis(300)))
        .unwrap();
    let groups = vec![
        (0..10).map(NodeId).collect(),
        (10..20).map(NodeId).collect(),
    ];
    sim.apply(
        Fault::Partition {
            groups,
            one_way: false,
        },
        Some(Duration::from_millis(400)),
    )
    .unwrap();
    sim.schedule(
        Instant::from_millis(1500),
        Fault::Link {
            between: None,
            change: LinkChange {
                loss: Some(0.3),
                latency: Some(Latency::Uniform {
                    min: Duration::from_millis(2),
                    max: Duration::from_millis(9),
                }),
                duplicate: Some(0.05),
            },
        },
    );
    sim.run_until(Instant::from_secs(5)).unwrap();
    (sim.trace_hash(), sim.stats().clone())
}

#[test]
fn busy_runs_keep_their_hashes() {
    let (hash, stats) = busy_run(7);
    assert_eq!(
        (stats.delivered, stats.lost, stats.duplicated),
        (11_895, 2_559, 342),
        "{stats:?}"
    );
    assert_eq!(hash, 6_855_776_530_851_623_066);
    assert_eq!(busy_run(8).0, 14_107_003_988_597_362_288);
}

#[derive(Clone, Hash)]
struct Ball(u32);
impl Message for Ball {}

/// The crate documentation's ping-pong: node 0 serves, node 1 returns, node 0 serves
/// again when the ball is lost.
struct Player {
    returns: u32,
}

struct Rally {
    timeout: Option<TimerId>,
}

impl Node for Player {
    type Msg = Ball;
    type Timer = ();
    type Output = ();
    type Volatile = Rally;
    fn boot(&mut self, ctx: &mut Ctx<Self>) -> Rally {
        let mut rally = Rally { timeout: None };
        if ctx.id() == NodeId(0) {
            serve(&mut rally, ctx);
        }
        rally
    }
    fn on_message(&mut self, rally: &mut Rally, from: NodeId, ball: Ball, ctx: &mut Ctx<Self>) {
        self.returns += 1;
        if ctx.id() == NodeId(0) {
            ctx.cancel_timer(rally.timeout.take().unwrap());
            serve(rally, ctx);
        } else {
            ctx.send(from, Ball(ball.0 + 1));
        }
    }
    fn on_timer(&mut self, rally: &mut Rally, _: (), ctx: &mut Ctx<Self>) {
        serve(rally, ctx);
    }
}

fn serve(rally: &mut Rally, ctx: &mut Ctx<Player>) {
    ctx.send(NodeId(1), Ball(0));
    rally.timeout = Some(ctx.set_timer(Duration::from_millis(20), ()));
}

#[test]
fn the_documented_rally_keeps_its_hash() {
    let link = LinkParams {
        latency: Latency::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(5),
        },
        loss: 0.1,
        duplicate: 0.0,
    };
    let players = vec![Player { returns: 0 }, Player { returns: 0 }];
    let mut sim = Sim::new(SimConfig::new(42, link), players, ());
    sim.run_until(Instant::from_secs(10)).unwrap();
    assert_eq!(sim.node(NodeId(1)).returns, 1_044);
    assert_eq!(sim.trace_hash(), 7_957_262_041_097_375_964);
}
