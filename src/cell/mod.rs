//! The AFS-style cell: file servers holding replicas of one read-write volume, and
//! clients whose cache managers run the workload.
//!
//! Node numbering: servers `fs0..` are engine nodes `0..S`, clients `c0..` follow.

pub mod client;
pub mod election;
pub mod grants;
pub mod ids;
pub mod msg;
pub mod params;
pub mod popularity;
pub mod server;
pub mod volume;

use client::{Client, ClientVol};
use ids::{ClientNo, ServerNo};
use msg::{Msg, Output, Timer};
use params::Params;
use server::{Server, ServerVol};
use sim::{Ctx, Next, Node, NodeId, Prng};
use std::rc::Rc;

/// A node of the cell.
// Servers are the few and the larger (200 bytes to a client's 80): boxed, they leave
// each of the many clients' engine slots two cache lines smaller.
#[derive(Clone, Hash)]
pub enum AfsNode {
    Server(Box<Server>),
    Client(Client),
}

/// The volatile state of a node of the cell. A client's sits in its engine slot: the
/// engine asks for the slot two events ahead, so the state arrives with it, and the
/// node's hint an event ahead can already read it to ask for the tables it points to
/// (a boxed state left those to the handler, one miss after another).
#[derive(Clone, Hash)]
#[expect(
    clippy::large_enum_variant,
    reason = "clients are the many; a box would put their state a miss further away"
)]
pub enum AfsVolatile {
    Server(Box<ServerVol>),
    Client(ClientVol),
}

impl Node for AfsNode {
    type Msg = Msg;
    type Timer = Timer;
    type Output = Output;
    type Volatile = AfsVolatile;

    fn boot(&mut self, ctx: &mut Ctx<Self>) -> AfsVolatile {
        match self {
            AfsNode::Server(s) => AfsVolatile::Server(Box::new(s.boot(ctx))),
            AfsNode::Client(c) => AfsVolatile::Client(c.boot(ctx)),
        }
    }

    fn on_message(&mut self, vol: &mut AfsVolatile, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        match (self, vol) {
            (AfsNode::Server(s), AfsVolatile::Server(v)) => s.on_message(v, from, msg, ctx),
            (AfsNode::Client(c), AfsVolatile::Client(v)) => c.on_message(v, from, msg, ctx),
            _ => unreachable!("a node's volatile state is always of its own kind"),
        }
    }

    fn on_timer(&mut self, vol: &mut AfsVolatile, timer: Timer, ctx: &mut Ctx<Self>) {
        match (self, vol) {
            (AfsNode::Server(s), AfsVolatile::Server(v)) => s.on_timer(v, timer, ctx),
            (AfsNode::Client(c), AfsVolatile::Client(v)) => c.on_timer(v, timer, ctx),
            _ => unreachable!("a node's volatile state is always of its own kind"),
        }
    }

    /// A client's state came with its slot; a server's tables are per client: the lines
    /// they point to are the next event's first misses in a large cell.
    #[inline(always)]
    fn warm(&self, vol: &AfsVolatile, next: Next<'_, AfsNode>) {
        match (self, vol, next) {
            (AfsNode::Client(c), AfsVolatile::Client(v), next) => c.warm(v, next),
            (AfsNode::Server(s), AfsVolatile::Server(v), Next::Message { from, msg }) => {
                s.warm(v, from, msg)
            }
            _ => {}
        }
    }
}

/// Engine node of server `s`.
pub fn server_node(s: ServerNo) -> NodeId {
    NodeId(s.0)
}

/// Engine node of client `c` in a cell of `servers` servers.
pub fn client_node(c: ClientNo, servers: u32) -> NodeId {
    NodeId(servers + c.0)
}

/// Who an engine node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Server(ServerNo),
    Client(ClientNo),
}

pub fn who(node: NodeId, servers: u32) -> Who {
    if node.0 < servers {
        Who::Server(ServerNo(node.0))
    } else {
        Who::Client(ClientNo(node.0 - servers))
    }
}

/// The node's name as scenarios spell it: `fs2`, `c17`.
pub fn node_name(node: NodeId, servers: u32) -> String {
    match who(node, servers) {
        Who::Server(s) => format!("fs{s}"),
        Who::Client(c) => format!("c{c}"),
    }
}

/// Stream labels forked from a run's master seed, one per component.
pub mod streams {
    /// The engine's network (it forks one stream per sender from this).
    pub const NETWORK: u64 = 1;
    /// Clock drifts.
    pub const CLOCKS: u64 = 2;
    /// Random faults.
    pub const FAULTS: u64 = 3;
    /// Client `c`'s workload is `WORKLOAD + c`.
    pub const WORKLOAD: u64 = 1 << 32;
    /// Server `s`'s beacon phases are `BEACONS + s`.
    pub const BEACONS: u64 = 2 << 32;
    /// `afsim check --swarm` draws each seed's cell, network and fault kinds from this,
    /// far above every client's workload stream, so drawing never shifts a run's own
    /// randomness.
    pub const SWARM: u64 = 0x5357_4152_4d00_0000;
}

/// The cell at time zero: `fs0` the master with a fresh lease, every replica in sync,
/// every cache empty.
pub fn build(params: &Rc<Params>, master: &Prng) -> Vec<AfsNode> {
    let servers = (0..params.servers).map(|s| {
        let phases = master.fork(streams::BEACONS + u64::from(s));
        AfsNode::Server(Box::new(Server::new(ServerNo(s), params.clone(), phases)))
    });
    let clients = (0..params.clients).map(|c| {
        let rng = master.fork(streams::WORKLOAD + u64::from(c));
        AfsNode::Client(Client::new(ClientNo(c), params.clone(), rng))
    });
    servers.chain(clients).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event of a client reads its slot in the engine (two cache lines) and its
    /// volatile state kept in it (eight), which the engine asks for together, two
    /// events ahead.
    #[test]
    fn a_client_s_slot_and_state_fit_ten_cache_lines() {
        assert_eq!(sim::slot_bytes::<AfsNode>(), 640);
    }
}
