//! Small nodes and an observer shared by the engine's integration tests.
#![allow(dead_code)]

use sim::{
    Ctx, DropReason, Duration, Fate, Instant, Message, Node, NodeId, Observer, Record, Sim,
    SimConfig,
};

#[derive(Clone, Hash, Debug, PartialEq)]
pub struct Data(pub u64);

impl Message for Data {}

/// Sends `count` messages to `to`, one every `every` of local time, from boot; replies
/// to nothing. Counts what it receives in volatile state and its boots durably.
#[derive(Clone, Hash, Debug)]
pub struct Blaster {
    pub to: Option<NodeId>,
    pub count: u64,
    pub every: Duration,
    pub boots: u32,
    pub echo: bool,
}

impl Blaster {
    pub fn quiet() -> Blaster {
        Blaster {
            to: None,
            count: 0,
            every: Duration::from_millis(1),
            boots: 0,
            echo: false,
        }
    }

    pub fn to(to: u32, count: u64, every: Duration) -> Blaster {
        Blaster {
            to: Some(NodeId(to)),
            count,
            every,
            ..Blaster::quiet()
        }
    }
}

#[derive(Clone, Hash, Default, Debug)]
pub struct Volatile {
    pub received: u64,
    pub sent: u64,
}

impl Node for Blaster {
    type Msg = Data;
    type Timer = ();
    type Output = u64;
    type Volatile = Volatile;

    fn boot(&mut self, ctx: &mut Ctx<Self>) -> Volatile {
        self.boots += 1;
        if self.to.is_some() && self.count > 0 {
            ctx.set_timer(self.every, ());
        }
        Volatile::default()
    }

    fn on_message(&mut self, v: &mut Volatile, from: NodeId, msg: Data, ctx: &mut Ctx<Self>) {
        v.received += 1;
        ctx.output(msg.0);
        if self.echo {
            ctx.send(from, Data(msg.0 + 1));
        }
    }

    fn on_timer(&mut self, v: &mut Volatile, _: (), ctx: &mut Ctx<Self>) {
        let to = self.to.expect("armed only with a target");
        ctx.send(to, Data(v.sent));
        v.sent += 1;
        if v.sent < self.count {
            ctx.set_timer(self.every, ());
        }
    }
}

/// What an observer saw, owned.
#[derive(Clone, Debug, PartialEq, Hash)]
pub enum Seen {
    Sent {
        from: u32,
        to: u32,
        value: u64,
        fate: Fate,
    },
    Delivered {
        from: u32,
        to: u32,
        value: u64,
    },
    Dropped {
        from: u32,
        to: u32,
        value: u64,
        reason: DropReason,
    },
    Timer {
        node: u32,
    },
    Fault {
        effective: bool,
    },
    Output {
        node: u32,
        value: u64,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct Log {
    pub seen: Vec<(Instant, Seen)>,
}

impl Log {
    pub fn count(&self, pred: impl Fn(&Seen) -> bool) -> usize {
        self.seen.iter().filter(|(_, s)| pred(s)).count()
    }
}

impl<N: Node<Msg = Data, Output = u64>> Observer<N> for Log {
    fn record(&mut self, now: Instant, record: Record<'_, N>) {
        let seen = match record {
            Record::Sent {
                from,
                to,
                msg,
                fate,
            } => Seen::Sent {
                from: from.0,
                to: to.0,
                value: msg.0,
                fate,
            },
            Record::Delivered { from, to, msg } => Seen::Delivered {
                from: from.0,
                to: to.0,
                value: msg.0,
            },
            Record::Dropped {
                from,
                to,
                msg,
                reason,
            } => Seen::Dropped {
                from: from.0,
                to: to.0,
                value: msg.0,
                reason,
            },
            Record::TimerFired { node, .. } => Seen::Timer { node: node.0 },
            Record::Fault { effective, .. } => Seen::Fault { effective },
            Record::Output { node, output } => Seen::Output {
                node: node.0,
                value: *output,
            },
        };
        self.seen.push((now, seen));
    }
}

pub fn sim_of(config: SimConfig, nodes: Vec<Blaster>) -> Sim<Blaster, Log> {
    Sim::new(config, nodes, Log::default())
}
