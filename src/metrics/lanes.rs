//! Who went through what in each recovery, client by client: refused by a master that
//! was not serving, reasserting its tokens or replaying writes, reading stale data. The
//! report draws them as lanes under each recovery's timeline.
//!
//! Fed from the run's records (a refusal delivered to a client; a reassertion or a
//! write replay sent by one) and from the stale-read checker's count (a read that
//! raised it). Memory stays small: marks are kept only while a recovery is on (from
//! its fault until [`TAIL`] after writes open, at most [`CAP`]), per recovery only for
//! clients with something to show, and per client an exact count but at most
//! [`TIMES`] instants of each kind, spread over the recovery: when they are full, every
//! other one goes and the next must come twice as long after the last.

use super::Recovery;
use crate::cell::ids::ClientNo;
use crate::cell::msg::{Msg, Refusal};
use sim::{Duration, Instant};

/// How long after writes open a recovery's lanes keep collecting: naive and async
/// strategies show their stale reads right after they opened.
pub const TAIL: Duration = Duration::from_secs(300);
/// The longest a recovery's lanes collect, open or not (lease timeout waits hours).
pub const CAP: Duration = Duration::from_secs(3600);
/// Instants kept per client and kind.
pub const TIMES: usize = 16;
/// The least time between two kept instants, at first.
const SPACING: Duration = Duration::from_millis(500);

/// What a lane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// A master refused it: not master yet, or recovering.
    Refused = 0,
    /// It reasserted its tokens or replayed a write.
    Reasserted = 1,
    /// A read it invoked returned data older than an acknowledged write.
    StaleRead = 2,
}

impl Mark {
    pub const ALL: [Mark; 3] = [Mark::Refused, Mark::Reasserted, Mark::StaleRead];

    /// The mark a message leaves on the client it reaches: a refusal by a master that
    /// was not serving.
    #[inline]
    pub fn of_delivered(msg: &Msg) -> Option<Mark> {
        let refused = matches!(
            msg,
            Msg::Refused {
                why: Refusal::NotMaster(_) | Refusal::Recovering,
                ..
            }
        );
        refused.then_some(Mark::Refused)
    }

    /// The mark a message leaves on the client that sends it: a reassertion or a write
    /// replay.
    #[inline]
    pub fn of_sent(msg: &Msg) -> Option<Mark> {
        let reasserted = matches!(
            msg,
            Msg::Reassert { .. }
                | Msg::Store {
                    replay: Some(_),
                    ..
                }
        );
        reasserted.then_some(Mark::Reasserted)
    }

    pub fn name(self) -> &'static str {
        match self {
            Mark::Refused => "refused",
            Mark::Reasserted => "reasserted",
            Mark::StaleRead => "read stale",
        }
    }
}

/// One client's marks in one recovery.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientMarks {
    /// By [`Mark`].
    pub counts: [u64; 3],
    /// At most [`TIMES`] instants of each kind, spread over the recovery.
    pub times: [Vec<Instant>; 3],
    /// Per kind, the least time from the last kept instant to the next.
    spacing: [Duration; 3],
}

impl ClientMarks {
    fn add(&mut self, k: usize, now: Instant) {
        self.counts[k] += 1;
        let times = &mut self.times[k];
        if self.spacing[k] == Duration::ZERO {
            self.spacing[k] = SPACING;
        }
        if times
            .last()
            .is_some_and(|&last| now < last + self.spacing[k])
        {
            return;
        }
        times.push(now);
        if times.len() > TIMES {
            let mut keep = false;
            times.retain(|_| {
                keep = !keep;
                keep
            });
            self.spacing[k] = self.spacing[k] + self.spacing[k];
        }
    }
}

/// Per recovery (in the order of `Recoveries::list`), the clients with marks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lanes {
    pub recoveries: Vec<RecoveryLanes>,
}

/// One recovery's clients with marks, found by client number in O(1): a refusal marks a
/// client on every event of a recovery, so this is on the hot path. The index costs four
/// bytes per client up to the highest one marked; marks are kept only for those marked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecoveryLanes {
    /// By client number: where its marks are in `marks`, or `NONE`.
    at: Vec<u32>,
    /// In the order the clients were first marked.
    marks: Vec<(ClientNo, ClientMarks)>,
}

const NONE: u32 = u32::MAX;

impl RecoveryLanes {
    fn of(&mut self, client: ClientNo) -> &mut ClientMarks {
        if self.at.len() <= client.idx() {
            self.at.resize(client.idx() + 1, NONE);
        }
        if self.at[client.idx()] == NONE {
            self.at[client.idx()] = u32::try_from(self.marks.len()).expect("clients fit a u32");
            self.marks.push((client, ClientMarks::default()));
        }
        &mut self.marks[self.at[client.idx()] as usize].1
    }

    /// The clients with marks, by client number.
    pub fn by_client(&self) -> Vec<(ClientNo, &ClientMarks)> {
        let mut all: Vec<(ClientNo, &ClientMarks)> =
            self.marks.iter().map(|(c, m)| (*c, m)).collect();
        all.sort_unstable_by_key(|&(c, _)| c);
        all
    }

    pub fn get(&self, client: ClientNo) -> Option<&ClientMarks> {
        let &i = self.at.get(client.idx()).filter(|&&i| i != NONE)?;
        Some(&self.marks[i as usize].1)
    }
}

/// Whether `r`'s lanes are collecting at `now`.
pub fn collecting(r: &Recovery, now: Instant) -> bool {
    let until = match r.writes_open_at {
        Some(open) => (open + TAIL).min(r.at + CAP),
        None => r.at + CAP,
    };
    r.at <= now && now <= until
}

impl Lanes {
    /// `client` did `mark` at `now`: noted in every recovery collecting then.
    pub fn mark(&mut self, recoveries: &[Recovery], client: ClientNo, mark: Mark, now: Instant) {
        for (i, r) in recoveries.iter().enumerate() {
            if !collecting(r, now) {
                continue;
            }
            if self.recoveries.len() <= i {
                self.recoveries.resize_with(i + 1, RecoveryLanes::default);
            }
            self.recoveries[i].of(client).add(mark as usize, now);
        }
    }

    /// The lanes of recovery `i`, by client number (empty if nothing happened in it).
    pub fn of(&self, i: usize) -> Vec<(ClientNo, &ClientMarks)> {
        self.recoveries
            .get(i)
            .map(RecoveryLanes::by_client)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Recoveries;

    #[test]
    fn marks_are_kept_only_while_a_recovery_is_on_and_bounded() {
        let mut list = Recoveries::new(3);
        list.fault("crash fs0".into(), Instant::from_secs(100));
        let mut lanes = Lanes::default();
        lanes.mark(
            &list.list,
            ClientNo(3),
            Mark::Refused,
            Instant::from_secs(50),
        );
        assert!(lanes.recoveries.is_empty(), "before the fault: nothing");
        for s in 0..200 {
            lanes.mark(
                &list.list,
                ClientNo(3),
                Mark::Refused,
                Instant::from_secs(100 + s * 10),
            );
        }
        lanes.mark(
            &list.list,
            ClientNo(5),
            Mark::StaleRead,
            Instant::from_secs(200),
        );
        lanes.mark(
            &list.list,
            ClientNo(5),
            Mark::StaleRead,
            Instant::from_secs(100 + 3601),
        );
        let r = &lanes.recoveries[0];
        assert_eq!(r.get(ClientNo(3)).unwrap().counts, [200, 0, 0]);
        let times = &r.get(ClientNo(3)).unwrap().times[0];
        assert!(
            times.len() <= TIMES && times.len() >= TIMES / 2,
            "{times:?}"
        );
        let last = times.last().unwrap().as_micros() / 1_000_000;
        assert!(
            last > 1500,
            "the kept instants span the recovery, not its start: {last}"
        );
        assert_eq!(
            r.get(ClientNo(5)).unwrap().counts,
            [0, 0, 1],
            "after the cap: not kept"
        );
        let clients: Vec<ClientNo> = lanes.of(0).iter().map(|&(c, _)| c).collect();
        assert_eq!(clients, [ClientNo(3), ClientNo(5)]);
    }
}
