//! The engine benchmark: N nodes, each running a closed loop of RPCs.
//!
//! Each node sends a request to a uniformly random other node and sets a 50 ms timeout;
//! the receiver replies at once; on the reply the sender cancels its timeout and starts
//! the next RPC, on a timeout it starts the next RPC. Latency is uniform in [1 ms,
//! 10 ms], 1% of messages are lost. The run stops after `--rpcs` completed-or-timed-out
//! RPCs and prints one line of figures.
//!
//!     cargo run --release -p sim --example rpc_bench -- --nodes 1000 --rpcs 20000000 --seed 42

use sim::{
    Ctx, Duration, Instant, Latency, LinkParams, Message, Node, NodeId, Observer, Prng, Record,
    Sim, SimConfig, TimerId,
};
use std::process::ExitCode;

#[path = "common/args.rs"]
mod args;

#[derive(Clone, Hash)]
enum Rpc {
    Request(u64),
    Reply(u64),
}

impl Message for Rpc {
    fn kind(&self) -> usize {
        match self {
            Rpc::Request(_) => 0,
            Rpc::Reply(_) => 1,
        }
    }
}

/// A node's durable part: how many nodes there are and its own stream for peers.
struct Caller {
    nodes: u32,
    rng: Prng,
}

/// The RPC in progress.
struct Call {
    seq: u64,
    timeout: TimerId,
}

#[derive(Hash)]
enum Done {
    Replied,
    TimedOut,
}

impl Caller {
    fn start(&mut self, seq: u64, ctx: &mut Ctx<Self>) -> Call {
        let mut peer = self.rng.below(u64::from(self.nodes - 1)) as u32;
        if peer >= ctx.id().0 {
            peer += 1;
        }
        ctx.send(NodeId(peer), Rpc::Request(seq));
        let timeout = ctx.set_timer(Duration::from_millis(50), ());
        Call { seq, timeout }
    }
}

impl Node for Caller {
    type Msg = Rpc;
    type Timer = ();
    type Output = Done;
    type Volatile = Call;

    fn boot(&mut self, ctx: &mut Ctx<Self>) -> Call {
        self.start(0, ctx)
    }

    fn on_message(&mut self, call: &mut Call, from: NodeId, msg: Rpc, ctx: &mut Ctx<Self>) {
        match msg {
            Rpc::Request(seq) => ctx.send(from, Rpc::Reply(seq)),
            Rpc::Reply(seq) if seq == call.seq => {
                ctx.cancel_timer(call.timeout);
                ctx.output(Done::Replied);
                *call = self.start(seq + 1, ctx);
            }
            Rpc::Reply(_) => {} // the answer to an RPC that already timed out
        }
    }

    fn on_timer(&mut self, call: &mut Call, _: (), ctx: &mut Ctx<Self>) {
        ctx.output(Done::TimedOut);
        *call = self.start(call.seq + 1, ctx);
    }
}

#[derive(Default)]
struct Tally {
    done: u64,
    timeouts: u64,
}

impl Observer<Caller> for Tally {
    fn record(&mut self, _: Instant, record: Record<'_, Caller>) {
        if let Record::Output { output, .. } = record {
            self.done += 1;
            if let Done::TimedOut = output {
                self.timeouts += 1;
            }
        }
    }
}

fn main() -> ExitCode {
    let args = match args::from_command_line() {
        Ok(a) => a,
        Err(status) => return status,
    };
    let link = LinkParams {
        latency: Latency::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(10),
        },
        loss: 0.01,
        duplicate: 0.0,
    };
    let master = Prng::new(args.seed);
    let wall = std::time::Instant::now();
    let callers = (0..args.nodes)
        .map(|i| Caller {
            nodes: args.nodes,
            rng: master.fork(u64::from(u32::MAX) + u64::from(i)),
        })
        .collect();
    let mut sim = Sim::new(SimConfig::new(args.seed, link), callers, Tally::default());
    while sim.observer().done < args.rpcs {
        match sim.step(Instant::MAX) {
            Ok(Some(_)) => {}
            Ok(None) => unreachable!("closed loops never run dry"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(3);
            }
        }
    }
    let wall_s = wall.elapsed().as_secs_f64();
    let stats = sim.stats();
    let sim_s = sim.now().as_secs_f64();
    println!(
        "nodes={} rpcs={} delivered={} lost={} timeouts={} events={} sim_s={:.3} wall_s={:.3} delivered_per_s={:.0} sim_s_per_wall_s={:.1}",
        args.nodes,
        sim.observer().done,
        stats.delivered,
        stats.lost,
        sim.observer().timeouts,
        stats.events,
        sim_s,
        wall_s,
        stats.delivered as f64 / wall_s,
        sim_s / wall_s,
    );
    ExitCode::SUCCESS
}
