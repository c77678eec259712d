//! The bare-heap baseline: `rpc_bench`'s workload on the standard library's binary heap,
//! with no engine at all. The README states the engine's and the model's speeds as a
//! ratio to this program's deliveries per second, measured back to back on the same
//! machine, since the machine's own speed moves from hour to hour.
//!
//! N nodes each run a closed loop of RPCs: a request to a uniformly random other node and
//! a 50 ms timeout; the receiver replies at once; the reply, if its RPC is still the
//! sender's current one, or else the timeout starts the sender's next RPC. Latency is
//! uniform in [1 ms, 10 ms] in µs, 1% of messages are lost. A heap cannot take a timeout
//! out once its reply came: the stale timeout pops, and is passed over by its generation.
//!
//!     cargo run --release -p sim --example heap_baseline -- --nodes 1000 --rpcs 5000000 --seed 42
//!
//! It draws from ChaCha8 (`rand_chacha`, seeded by `seed_from_u64`) in the order the
//! reference program of the speed targets does, so that it prints the same counts
//! (`--nodes 1000 --rpcs 5000000 --seed 42`: 9,851,387 deliveries) at about its speed
//! (the README's Performance section gives the pairs).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::process::ExitCode;

#[path = "common/args.rs"]
mod args;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Request,
    Reply,
    Timeout,
}

/// A queued event: (time µs, sequence, kind, the node it happens at, the other node, the
/// generation of the RPC it belongs to). Ordered by time, then by sequence.
type Event = (u64, u64, Kind, u32, u32, u64);

struct Loop {
    rng: ChaCha8Rng,
    heap: BinaryHeap<Reverse<Event>>,
    /// Per node, the generation of its current RPC.
    current: Vec<u64>,
    seq: u64,
    lost: u64,
}

impl Loop {
    fn push(&mut self, at: u64, kind: Kind, node: u32, other: u32, generation: u64) {
        self.seq += 1;
        self.heap
            .push(Reverse((at, self.seq, kind, node, other, generation)));
    }

    /// Send a message to `to`: lost one time in a hundred, else delivered 1–10 ms on.
    fn send(&mut self, now: u64, kind: Kind, to: u32, from: u32, generation: u64) {
        if self.rng.random_range(0..100u32) == 0 {
            self.lost += 1;
            return;
        }
        let latency = self.rng.random_range(1000..=10_000u64);
        self.push(now + latency, kind, to, from, generation);
    }

    /// `node`'s next RPC: a request to a random other node, and its timeout.
    fn start(&mut self, now: u64, node: u32) {
        let nodes = self.current.len() as u32;
        let mut peer = self.rng.random_range(0..nodes - 1);
        if peer >= node {
            peer += 1;
        }
        self.current[node as usize] += 1;
        let generation = self.current[node as usize];
        self.send(now, Kind::Request, peer, node, generation);
        self.push(now + 50_000, Kind::Timeout, node, node, generation);
    }
}

/// What a run counted.
#[derive(Debug, PartialEq)]
struct Counts {
    done: u64,
    delivered: u64,
    lost: u64,
    timeouts: u64,
    events: u64,
    /// The last event's time, µs.
    end: u64,
}

/// Run the loop until `args.rpcs` RPCs are done (replied to or timed out).
fn run(args: &args::Args) -> Counts {
    let mut run = Loop {
        rng: ChaCha8Rng::seed_from_u64(args.seed),
        heap: BinaryHeap::new(),
        current: vec![0; args.nodes as usize],
        seq: 0,
        lost: 0,
    };
    let (mut done, mut delivered, mut timeouts, mut events, mut end) = (0, 0, 0, 0, 0);
    for node in 0..args.nodes {
        run.start(0, node);
    }
    while done < args.rpcs {
        let Some(Reverse((t, _, kind, node, other, generation))) = run.heap.pop() else {
            unreachable!("closed loops never run dry");
        };
        end = t;
        events += 1;
        // A reply or a timeout counts only for the RPC still current at its node.
        let current = |run: &Loop| run.current[node as usize] == generation;
        match kind {
            Kind::Request => {
                delivered += 1;
                run.send(t, Kind::Reply, other, node, generation);
            }
            Kind::Reply => {
                delivered += 1;
                if current(&run) {
                    done += 1;
                    run.start(t, node);
                }
            }
            Kind::Timeout => {
                if current(&run) {
                    timeouts += 1;
                    done += 1;
                    run.start(t, node);
                }
            }
        }
    }
    Counts {
        done,
        delivered,
        lost: run.lost,
        timeouts,
        events,
        end,
    }
}

fn main() -> ExitCode {
    let args = match args::from_command_line() {
        Ok(a) => a,
        Err(status) => return status,
    };
    let wall = std::time::Instant::now();
    let c = run(&args);
    let wall_s = wall.elapsed().as_secs_f64();
    let sim_s = c.end as f64 / 1e6;
    println!(
        "nodes={} rpcs={} delivered={} lost={} timeouts={} events={} sim_s={sim_s:.3} wall_s={wall_s:.3} delivered_per_s={:.0} sim_s_per_wall_s={:.1}",
        args.nodes,
        c.done,
        c.delivered,
        c.lost,
        c.timeouts,
        c.events,
        c.delivered as f64 / wall_s,
        sim_s / wall_s,
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts the reference program prints for the same arguments: the same draws in
    /// the same order, so the same workload.
    #[test]
    fn it_runs_the_reference_program_s_workload() {
        let cases = [
            ((1000, 200_000, 42), (394_699, 3957, 3869, 591_465, "2.357")),
            ((10, 50_000, 7), (98_376, 1054, 1052, 148_346, "59.125")),
        ];
        for ((nodes, rpcs, seed), (delivered, lost, timeouts, events, sim_s)) in cases {
            let c = run(&args::Args { nodes, rpcs, seed });
            let got = (c.done, c.delivered, c.lost, c.timeouts, c.events);
            assert_eq!(
                got,
                (rpcs, delivered, lost, timeouts, events),
                "{nodes} {rpcs} {seed}"
            );
            let end = format!("{:.3}", c.end as f64 / 1e6);
            assert_eq!(end, sim_s, "the last event's time, s");
        }
    }
}
