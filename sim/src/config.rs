//! How a run is set up, what it counts, and why it can stop before it is done.

use crate::clock::Clock;
use crate::fault::FaultError;
use crate::net::LinkParams;
use crate::schedule::Schedule;
use crate::time::Instant;
use std::fmt;

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The master seed; the network forks one stream per sender from it.
    pub seed: u64,
    /// Every link's parameters until a fault changes them.
    pub link: LinkParams,
    /// Each node's clock (by node index); missing ones are exact.
    pub clocks: Vec<Clock>,
    /// Stop with `Error::EventsMax` after this many events.
    pub events_max: u64,
    /// Follow this schedule instead of sampling message fates, from the boot on (see
    /// [`Sim::set_schedule`]); `None`, the default, samples.
    pub schedule: Option<Schedule>,
}

impl SimConfig {
    pub fn new(seed: u64, link: LinkParams) -> SimConfig {
        SimConfig {
            seed,
            link,
            clocks: Vec::new(),
            events_max: u64::MAX,
            schedule: None,
        }
    }
}

/// Why a run stopped before it was done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The run processed `events_max` events (a livelock, or a limit set too low).
    EventsMax { limit: u64, at: Instant },
    /// Events remain after the virtual-time limit (a run that would never end).
    TimeMax { limit: Instant, pending: usize },
    /// A scheduled fault could not be applied.
    Fault(FaultError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EventsMax { limit, at } => {
                write!(
                    f,
                    "stopped at limits.events_max = {limit} events (simulated time {at})"
                )
            }
            Error::TimeMax { limit, pending } => write!(
                f,
                "stopped at the virtual-time limit {limit} with {pending} events still queued"
            ),
            Error::Fault(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<FaultError> for Error {
    fn from(e: FaultError) -> Error {
        Error::Fault(e)
    }
}

/// Counters of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events popped from the queue.
    pub events: u64,
    /// Messages handlers sent (network duplicates not counted).
    pub sent: u64,
    /// Sent messages by `Message::kind`.
    pub sent_by_kind: Vec<u64>,
    pub delivered: u64,
    /// Lost at random.
    pub lost: u64,
    /// Dropped by a partition.
    pub cut: u64,
    /// Extra copies the network made.
    pub duplicated: u64,
    /// Arrived at a node that was down or had crashed since they were sent.
    pub dropped_at_receiver: u64,
    pub timers_set: u64,
    pub timers_fired: u64,
    pub timers_cancelled: u64,
    /// Timers of a node that crashed before they fired.
    pub timers_discarded: u64,
    pub crashes: u64,
    pub restarts: u64,
}
