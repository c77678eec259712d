//! Schedule mode: message fates chosen, not drawn.
//!
//! In schedule mode nothing is sampled. Every message on a working link takes the
//! **default** fate: delivered once, after the middle of its link's latency range
//! ([`Latency::middle`]); a link cut by a partition, or whose loss is 1, drops everything.
//! A [`Schedule`] holds **deviations** from that default, each for one message named by
//! its sender and that sender's count of messages sent before it ([`MessageName`]). A
//! schedule may also **hold** messages: deliver one a fixed time ([`Schedule::hold`])
//! after its default arrival, so that messages sent after it overtake it.
//! Names count every send of every handler from the start of the run, in either mode, so
//! a schedule written down replays exactly on a fresh run of the same seed.

use crate::NodeId;
use crate::net::{Fate, LinkParams};
use crate::time::Duration;
use crate::trace::TraceHash;
use std::collections::BTreeMap;
use std::fmt;

#[cfg(doc)]
use crate::net::Latency;

/// A message's stable name: its sender, and how many messages that sender's handlers had
/// sent before it (the first is 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageName {
    pub from: NodeId,
    pub nth: u64,
}

impl fmt::Display for MessageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "message {} of node {}", self.nth, self.from.0)
    }
}

/// One choice against the default schedule, for one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MessageDeviation {
    /// Never arrives.
    Lost,
    /// Arrives at the low end of the latency range ([`Latency::low`]).
    Early,
    /// Arrives at the high end of the latency range ([`Latency::high`]).
    Late,
    /// Arrives twice: after the middle of the range, and a copy at its high end.
    Duplicated,
    /// Held back: arrives the schedule's [hold](Schedule::hold) after the middle of the
    /// range, behind messages sent after it (a queue that stalls, a route that flaps).
    Held,
}

impl MessageDeviation {
    /// Every deviation, in the order [`Choices::iter`] lists them.
    pub const ALL: [MessageDeviation; 5] = [
        MessageDeviation::Lost,
        MessageDeviation::Early,
        MessageDeviation::Late,
        MessageDeviation::Duplicated,
        MessageDeviation::Held,
    ];

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The deviations possible for one message, given its link when it is sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Choices(u8);

impl Choices {
    pub const NONE: Choices = Choices(0);

    /// What a message on `link` (`None`: cut by a partition) may do against the default:
    /// nothing on a cut link or one whose loss is 1 (everything drops); otherwise it may
    /// be lost, early or late where the range has a low or high end apart from its
    /// middle (never with fixed latency), and duplicated where the link duplicates at
    /// all. Holding is the schedule's: see [`Schedule::choices`].
    pub fn of(link: Option<LinkParams>) -> Choices {
        let Some(link) = link.filter(|l| l.loss < 1.0) else {
            return Choices::NONE;
        };
        let middle = link.latency.middle();
        let mut choices = Choices::NONE;
        choices.insert(MessageDeviation::Lost);
        if link.latency.low() < middle {
            choices.insert(MessageDeviation::Early);
        }
        if link.latency.high() > middle {
            choices.insert(MessageDeviation::Late);
        }
        if link.duplicate > 0.0 {
            choices.insert(MessageDeviation::Duplicated);
        }
        choices
    }

    /// What a message on `link` may do in a schedule that holds messages for `hold`:
    /// [`Choices::of`] the link, and held wherever it delivers, if `hold` is not zero.
    pub fn with_hold(link: Option<LinkParams>, hold: Duration) -> Choices {
        let mut choices = Choices::of(link);
        if !choices.is_empty() && hold > Duration::ZERO {
            choices.insert(MessageDeviation::Held);
        }
        choices
    }

    pub fn contains(self, deviation: MessageDeviation) -> bool {
        self.0 & deviation.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The possible deviations, always in the order of [`MessageDeviation::ALL`].
    pub fn iter(self) -> impl Iterator<Item = MessageDeviation> {
        MessageDeviation::ALL
            .into_iter()
            .filter(move |&d| self.contains(d))
    }

    fn insert(&mut self, deviation: MessageDeviation) {
        self.0 |= deviation.bit();
    }
}

/// The fate a message on `link` (`None`: cut) gets under the default schedule, or with
/// `deviation`, which must be one of [`Choices::with_hold`] that link and `hold`; a held
/// message arrives `hold` after the middle of the range.
pub fn scheduled_fate(
    link: Option<LinkParams>,
    deviation: Option<MessageDeviation>,
    hold: Duration,
) -> Fate {
    if let Some(d) = deviation {
        let possible = Choices::with_hold(link, hold).contains(d);
        assert!(possible, "{d:?} is impossible here");
    }
    let Some(link) = link else {
        return Fate::Cut;
    };
    if link.loss >= 1.0 {
        return Fate::Lost;
    }
    let latency = &link.latency;
    let arrives = |latency, duplicate| Fate::Arrives { latency, duplicate };
    match deviation {
        None => arrives(latency.middle(), None),
        Some(MessageDeviation::Lost) => Fate::Lost,
        Some(MessageDeviation::Early) => arrives(latency.low(), None),
        Some(MessageDeviation::Late) => arrives(latency.high(), None),
        Some(MessageDeviation::Duplicated) => arrives(latency.middle(), Some(latency.high())),
        Some(MessageDeviation::Held) => arrives(latency.middle() + hold, None),
    }
}

/// The deviations of one schedule, by message. Empty, it is the default schedule.
///
/// A schedule keeps every deviation it was given, spent or not: whether a message has
/// been sent yet is the simulation's count, so a schedule taken from a finished run is
/// the whole schedule that run followed, ready to replay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    deviations: BTreeMap<MessageName, MessageDeviation>,
    /// How much later than its default arrival a held message arrives; zero: no holds.
    hold: Duration,
    /// Deviations whose message was sent on a link that did not allow them.
    refused: Vec<(MessageName, MessageDeviation)>,
}

impl Schedule {
    /// The default schedule: no deviation, and no holds.
    pub fn new() -> Schedule {
        Schedule::default()
    }

    /// The default schedule, where a message [held](MessageDeviation::Held) arrives
    /// `hold` (more than zero) after its default arrival.
    pub fn with_hold(hold: Duration) -> Schedule {
        assert!(hold > Duration::ZERO, "a hold of zero holds nothing back");
        Schedule {
            hold,
            ..Schedule::default()
        }
    }

    /// How much later than its default arrival a held message arrives (zero: this
    /// schedule holds nothing, and refuses [`MessageDeviation::Held`]).
    pub fn hold(&self) -> Duration {
        self.hold
    }

    /// The deviations this schedule allows a message on `link`: [`Choices::of`] the
    /// link, and holding it where it delivers if the schedule has a hold.
    pub fn choices(&self, link: Option<LinkParams>) -> Choices {
        Choices::with_hold(link, self.hold)
    }

    /// Make `name` deviate; returns the deviation it replaces, if any.
    pub fn deviate(
        &mut self,
        name: MessageName,
        deviation: MessageDeviation,
    ) -> Option<MessageDeviation> {
        self.deviations.insert(name, deviation)
    }

    /// The deviation for one message, if any.
    pub fn deviation(&self, name: MessageName) -> Option<MessageDeviation> {
        self.deviations.get(&name).copied()
    }

    /// Every deviation, by message name.
    pub fn deviations(&self) -> impl Iterator<Item = (MessageName, MessageDeviation)> + '_ {
        self.deviations.iter().map(|(&n, &d)| (n, d))
    }

    pub fn len(&self) -> usize {
        self.deviations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.deviations.is_empty()
    }

    /// Deviations that met their message on a link that did not allow them (see
    /// [`Schedule::choices`]); the message took the default fate instead. A replay that
    /// refuses anything has not followed the run it came from.
    pub fn refused(&self) -> &[(MessageName, MessageDeviation)] {
        &self.refused
    }

    /// The fate of message `name`, sent now on `link` (`None`: cut).
    pub(crate) fn fate(&mut self, name: MessageName, link: Option<LinkParams>) -> Fate {
        let mut deviation = self.deviation(name);
        if let Some(d) = deviation.filter(|&d| !self.choices(link).contains(d)) {
            self.refused.push((name, d));
            deviation = None;
        }
        scheduled_fate(link, deviation, self.hold)
    }

    /// Hash the deviations still ahead, by how many messages ahead of its sender's count
    /// (`sent`) each is: what matters is the choice to come, not how many messages it
    /// took to get here. Spent ones and refusals are history and stay out; the hold is
    /// in.
    pub(crate) fn hash_ahead(&self, sent: impl Fn(NodeId) -> u64, h: &mut TraceHash) {
        h.mix(self.hold.as_micros());
        for (name, deviation) in self.deviations() {
            let Some(ahead) = name.nth.checked_sub(sent(name.from)) else {
                continue;
            };
            h.mix(u64::from(name.from.0));
            h.mix(ahead);
            h.mix(deviation as u64);
        }
        h.mix(u64::MAX);
    }
}

impl FromIterator<(MessageName, MessageDeviation)> for Schedule {
    fn from_iter<I: IntoIterator<Item = (MessageName, MessageDeviation)>>(iter: I) -> Schedule {
        Schedule {
            deviations: iter.into_iter().collect(),
            ..Schedule::default()
        }
    }
}
