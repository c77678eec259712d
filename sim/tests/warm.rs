//! A large run tells each node what it will likely handle next (`Node::warm`) before its
//! handler runs; a small one, whose queue never held thousands of events, does not
//! bother. A hint only: the test counts how often the guess was the input that came.
use sim::{Ctx, Duration, Instant, LinkParams, Message, Next, Node, NodeId, Prng, Sim, SimConfig};
use std::cell::Cell;

#[derive(Clone, Copy, Hash, PartialEq, Debug)]
struct Ping(u64);
impl Message for Ping {}

/// What a node's hooks were told last, and how often the next input matched it.
#[derive(Default)]
struct Told {
    warm: Cell<Option<Input>>,
    inputs: u32,
    warm_right: u32,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Input {
    Ping { from: NodeId, ping: Ping },
    Tick(u64),
}

impl From<Next<'_, Pinger>> for Input {
    fn from(next: Next<'_, Pinger>) -> Input {
        match next {
            Next::Message { from, msg } => Input::Ping { from, ping: *msg },
            Next::Timer(&tick) => Input::Tick(tick),
        }
    }
}

/// Every so often pings another node; each ping and tick is numbered.
struct Pinger {
    nodes: u32,
    told: Told,
    rng: Prng,
}

impl Pinger {
    fn came(&mut self, input: Input) {
        let t = &mut self.told;
        t.inputs += 1;
        t.warm_right += u32::from(t.warm.take() == Some(input));
    }

    fn tick(&mut self, ctx: &mut Ctx<Self>) {
        let after = Duration::from_micros(1_000 + self.rng.below(1_000_000));
        ctx.set_timer(after, self.rng.next_u64());
    }
}

impl Node for Pinger {
    type Msg = Ping;
    type Timer = u64;
    type Output = ();
    type Volatile = ();

    fn boot(&mut self, ctx: &mut Ctx<Self>) {
        self.tick(ctx);
    }

    fn on_message(&mut self, _: &mut (), from: NodeId, ping: Ping, _: &mut Ctx<Self>) {
        self.came(Input::Ping { from, ping });
    }

    fn on_timer(&mut self, _: &mut (), tick: u64, ctx: &mut Ctx<Self>) {
        self.came(Input::Tick(tick));
        let to = NodeId(self.rng.below(u64::from(self.nodes)) as u32);
        ctx.send(to, Ping(self.rng.next_u64()));
        self.tick(ctx);
    }

    fn warm(&self, _: &(), next: Next<'_, Self>) {
        self.told.warm.set(Some(next.into()));
    }
}

/// `nodes` pingers for ten simulated seconds; per node, what it was told.
fn run(nodes: u32) -> (u32, u32) {
    let root = Prng::new(9);
    let pingers = (0..nodes)
        .map(|i| Pinger {
            nodes,
            told: Told::default(),
            rng: root.fork(u64::from(i)),
        })
        .collect();
    let mut sim = Sim::new(SimConfig::new(1, LinkParams::default()), pingers, ());
    sim.run_until(Instant::from_secs(10)).unwrap();
    (0..nodes).fold((0, 0), |(n, w), i| {
        let t = &sim.node(NodeId(i)).told;
        (n + t.inputs, w + t.warm_right)
    })
}

#[test]
fn a_large_run_warns_each_node_of_its_next_input() {
    let (inputs, warm) = run(5_000);
    assert!(inputs > 50_000, "{inputs} inputs");
    // The guess is the event due first when the previous one was taken: only an event
    // pushed in between for an earlier time makes it wrong.
    assert!(warm * 10 > inputs * 9, "warm right {warm} of {inputs}");
}

#[test]
fn a_small_run_does_not_warm() {
    let (inputs, warm) = run(100);
    assert!(inputs > 1_000, "{inputs} inputs");
    assert_eq!(warm, 0);
}
