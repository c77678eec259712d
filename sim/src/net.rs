//! The network: per-message latency, loss and duplication, partitions and per-link
//! overrides, all of which faults can change for a while.
//!
//! Every message is judged when it is sent, on the link from its sender to its
//! receiver: first the partitions (a cut link drops it), then the loss draw, then a
//! latency draw for it and, with the duplication chance, one for a second copy.
//! Reordering falls out of random latency. Draws come from the sender's own stream, so
//! what one node sends never shifts the fate of another node's messages. In schedule
//! mode (see `schedule.rs`) the engine reads the link instead and draws nothing.

use crate::NodeId;
use crate::prng::Prng;
use crate::time::Duration;
use crate::trace::TraceHash;
use std::hash::Hash;

/// How long a message takes on a link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Latency {
    /// Always the same.
    Fixed(Duration),
    /// Uniform between the bounds, inclusive.
    Uniform { min: Duration, max: Duration },
    /// Lognormal with this median and shape `sigma`; long tails, as on real networks.
    LogNormal { median: Duration, sigma: f64 },
}

/// The longest latency a lognormal draw may produce: one hour.
const LATENCY_CAP_US: f64 = 3_600e6;

/// The 95th percentile of the standard normal distribution.
const Z_95: f64 = 1.644_853_626_951_472_2;

impl Latency {
    #[inline]
    pub fn draw(&self, rng: &mut Prng) -> Duration {
        match *self {
            Latency::Fixed(d) => d,
            Latency::Uniform { min, max } => {
                Duration::from_micros(rng.range_inclusive(min.as_micros(), max.as_micros()))
            }
            Latency::LogNormal { median, sigma } => {
                lognormal_us(rng.lognormal(median.as_micros() as f64, sigma))
            }
        }
    }

    /// The middle of the range, which the default schedule gives every message:
    /// uniform (min + max) / 2 (rounded down), lognormal the median, fixed the value.
    pub fn middle(&self) -> Duration {
        match *self {
            Latency::Fixed(d) => d,
            Latency::Uniform { min, max } => {
                assert!(min <= max, "uniform latency from {min:?} to {max:?}");
                let (lo, hi) = (min.as_micros(), max.as_micros());
                Duration::from_micros(lo + (hi - lo) / 2)
            }
            Latency::LogNormal { median, .. } => lognormal_us(median.as_micros() as f64),
        }
    }

    /// The low end of the range, an early delivery: uniform min, lognormal the 5th
    /// percentile, fixed the value.
    pub fn low(&self) -> Duration {
        self.end(-Z_95)
    }

    /// The high end of the range, a late delivery: uniform max, lognormal the 95th
    /// percentile, fixed the value.
    pub fn high(&self) -> Duration {
        self.end(Z_95)
    }

    fn end(&self, z: f64) -> Duration {
        match *self {
            Latency::Fixed(d) => d,
            Latency::Uniform { min, max } => {
                if z < 0.0 {
                    min
                } else {
                    max
                }
            }
            Latency::LogNormal { median, sigma } => {
                lognormal_us(median.as_micros() as f64 * libm::exp(z * sigma))
            }
        }
    }
}

/// A lognormal latency on the integer-µs grid, capped like every draw.
fn lognormal_us(us: f64) -> Duration {
    Duration::from_micros(us.clamp(0.0, LATENCY_CAP_US).round() as u64)
}

/// What every link does unless a rule says otherwise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkParams {
    pub latency: Latency,
    /// Chance that a message is lost, in `[0, 1]`.
    pub loss: f64,
    /// Chance that a delivered message arrives twice, in `[0, 1]`.
    pub duplicate: f64,
}

impl Default for LinkParams {
    fn default() -> Self {
        LinkParams {
            latency: Latency::Fixed(Duration::from_millis(1)),
            loss: 0.0,
            duplicate: 0.0,
        }
    }
}

/// A change to some link parameters; `None` fields keep what was there.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinkChange {
    pub latency: Option<Latency>,
    pub loss: Option<f64>,
    pub duplicate: Option<f64>,
}

/// Identifies an installed rule, for removing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub u64);

/// A partition or a link override, installed until removed.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// Messages between nodes of different groups are dropped; nodes in no group keep
    /// every link. With `one_way`, only the first group's messages to the others drop.
    Partition {
        groups: Vec<Vec<NodeId>>,
        one_way: bool,
    },
    /// Change links: all of them (`between: None`), or those between the two groups in
    /// either direction.
    Override {
        between: Option<(Vec<NodeId>, Vec<NodeId>)>,
        change: LinkChange,
    },
}

/// A rule compiled for constant-time lookups: a small tag per node.
#[derive(Clone)]
struct Compiled {
    id: RuleId,
    /// Per node: 0 for none, else the group number + 1 (partition) or a side mask
    /// (override: 1 first group, 2 second).
    tag: Vec<u8>,
    kind: CompiledKind,
}

#[derive(Clone)]
enum CompiledKind {
    Partition {
        one_way: bool,
    },
    Override {
        everywhere: bool,
        change: LinkChange,
    },
}

/// The fate of one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fate {
    /// Cut by a partition.
    Cut,
    /// Lost at random.
    Lost,
    /// Arrives after the latency; `duplicate` is a second copy's latency.
    Arrives {
        latency: Duration,
        duplicate: Option<Duration>,
    },
}

/// The network of a run.
#[derive(Clone)]
pub struct Network {
    base: LinkParams,
    rules: Vec<Compiled>,
    streams: Vec<Prng>,
    next_rule: u64,
}

impl Network {
    /// A network of `nodes` nodes; sender `i` draws from `master.fork(i)`.
    pub fn new(base: LinkParams, nodes: usize, master: &Prng) -> Network {
        Network {
            base,
            rules: Vec::new(),
            streams: (0..nodes as u64).map(|i| master.fork(i)).collect(),
            next_rule: 0,
        }
    }

    pub fn base(&self) -> &LinkParams {
        &self.base
    }

    /// Ask for the line of `node`'s random stream, which its next message draws from (a
    /// hint: see `engine::ahead`).
    #[inline(always)]
    pub(crate) fn prefetch_stream(&self, node: NodeId) {
        crate::prefetch_item(&self.streams, node.index());
    }

    /// Decide what happens to a message sent now from `from` to `to`.
    #[inline]
    pub fn judge(&mut self, from: NodeId, to: NodeId) -> Fate {
        let link = if self.rules.is_empty() {
            self.base
        } else {
            match self.link(from, to) {
                Some(link) => link,
                None => return Fate::Cut,
            }
        };
        let rng = &mut self.streams[from.index()];
        if rng.chance(link.loss) {
            return Fate::Lost;
        }
        let latency = link.latency.draw(rng);
        let duplicate = rng.chance(link.duplicate).then(|| link.latency.draw(rng));
        Fate::Arrives { latency, duplicate }
    }

    /// The parameters of the link now, or `None` if a partition cuts it.
    pub fn link(&self, from: NodeId, to: NodeId) -> Option<LinkParams> {
        let mut link = self.base;
        for rule in &self.rules {
            let (a, b) = (rule.tag[from.index()], rule.tag[to.index()]);
            match &rule.kind {
                CompiledKind::Partition { one_way } => {
                    let cut = a != 0 && b != 0 && a != b && (!*one_way || a == 1);
                    if cut {
                        return None;
                    }
                }
                CompiledKind::Override { everywhere, change } => {
                    if *everywhere || (a & 1 != 0 && b & 2 != 0) || (a & 2 != 0 && b & 1 != 0) {
                        link.latency = change.latency.unwrap_or(link.latency);
                        link.loss = change.loss.unwrap_or(link.loss);
                        link.duplicate = change.duplicate.unwrap_or(link.duplicate);
                    }
                }
            }
        }
        Some(link)
    }

    /// Install a rule; later rules override earlier ones.
    pub fn add_rule(&mut self, rule: &Rule) -> RuleId {
        let id = RuleId(self.next_rule);
        self.next_rule += 1;
        let mut tag = vec![0u8; self.streams.len()];
        let kind = match rule {
            Rule::Partition { groups, one_way } => {
                assert!(groups.len() < 255, "at most 254 partition groups");
                for (g, members) in groups.iter().enumerate() {
                    for n in members {
                        tag[n.index()] = g as u8 + 1;
                    }
                }
                CompiledKind::Partition { one_way: *one_way }
            }
            Rule::Override { between, change } => {
                if let Some((a, b)) = between {
                    a.iter().for_each(|n| tag[n.index()] |= 1);
                    b.iter().for_each(|n| tag[n.index()] |= 2);
                }
                CompiledKind::Override {
                    everywhere: between.is_none(),
                    change: *change,
                }
            }
        };
        self.rules.push(Compiled { id, tag, kind });
        id
    }

    /// Remove a rule; returns whether it was installed.
    pub fn remove_rule(&mut self, id: RuleId) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Where a rule stands among those in force (later ones override earlier ones).
    pub(crate) fn rule_position(&self, id: RuleId) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }

    /// Hash what decides every later fate: the base link, the rules in force in their
    /// order, and each stream's position. Rule ids are only handles and stay out.
    pub(crate) fn hash_state(&self, h: &mut TraceHash) {
        hash_latency(&self.base.latency, h);
        (self.base.loss.to_bits(), self.base.duplicate.to_bits()).hash(h);
        h.mix(self.rules.len() as u64);
        for rule in &self.rules {
            rule.tag.hash(h);
            match &rule.kind {
                CompiledKind::Partition { one_way } => (1u8, one_way).hash(h),
                CompiledKind::Override { everywhere, change } => {
                    (2u8, everywhere).hash(h);
                    hash_change(change, h);
                }
            }
        }
        self.streams.iter().for_each(|s| s.hash(h));
    }
}

pub(crate) fn hash_latency(latency: &Latency, h: &mut TraceHash) {
    match *latency {
        Latency::Fixed(d) => (1u8, d).hash(h),
        Latency::Uniform { min, max } => (2u8, min, max).hash(h),
        Latency::LogNormal { median, sigma } => (3u8, median, sigma.to_bits()).hash(h),
    }
}

pub(crate) fn hash_change(change: &LinkChange, h: &mut TraceHash) {
    match &change.latency {
        None => h.mix(0),
        Some(latency) => hash_latency(latency, h),
    }
    (
        change.loss.map(f64::to_bits),
        change.duplicate.map(f64::to_bits),
    )
        .hash(h);
}
