//! The Ubik-like election every strategy shares.
//!
//! A server that holds the master lease, or hears neither a master nor a lower-numbered
//! candidate, sends a beacon every `beacon_s` and votes for itself. A voter says yes to
//! the candidate it last said yes to, or to anyone once `vote_wait_s` has passed since
//! that yes (OpenAFS Ubik's BIGTIME rule), so it never backs two masters whose leases
//! overlap. A candidate holding yes-votes from a majority for a beacon sent at `t` is
//! master until `t + master_lease_s` on its own clock (SMALLTIME), and keeps renewing.
//!
//! Each yes-vote also carries how long ago the voter last said yes to someone else: an
//! age, never a reading of the voter's clock, since two clocks drifting 50 ppm apart
//! differ by seconds after a day while an age is off only by the drift over itself. From
//! the ages the new master learns `T`, the last instant a previous master could still
//! have granted, on its own clock (the transit of the vote only makes it later).

use super::ids::{ServerNo, Term};
use sim::{Duration, Instant};

/// A server's vote record: durable, so a restart cannot vote twice within `vote_wait`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ballot {
    /// The candidate of our last yes, and when (local clock).
    pub last_yes: Option<(ServerNo, Instant)>,
    /// Our last yes to a different candidate than `last_yes`.
    pub before: Option<(ServerNo, Instant)>,
    /// The latest master term we know of.
    pub known_term: Term,
}

impl Ballot {
    /// Vote on a beacon from `candidate` at local `now`; returns the yes-vote's report of
    /// how long ago we last said yes to someone else, or `None` for a no.
    pub fn vote(&mut self, candidate: ServerNo, now: Instant, wait: Duration) -> Option<VoteYes> {
        let yes = match self.last_yes {
            None => true,
            Some((c, at)) => c == candidate || now.saturating_since(at) >= wait,
        };
        if !yes {
            return None;
        }
        if let Some((c, at)) = self.last_yes
            && c != candidate
        {
            self.before = Some((c, at));
        }
        self.last_yes = Some((candidate, now));
        let other = self.before.filter(|&(c, _)| c != candidate);
        Some(VoteYes {
            prev_yes_age: other.map(|(_, at)| now.saturating_since(at)),
        })
    }
}

/// A yes-vote's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VoteYes {
    /// How long ago the voter last said yes to a different candidate.
    pub prev_yes_age: Option<Duration>,
}

/// A yes-vote as the candidate receives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Yes {
    pub round: u64,
    pub voter: ServerNo,
    pub report: VoteYes,
    /// The latest term the voter knows.
    pub term: Term,
}

/// What a server knows of the election since it booted (volatile).
#[derive(Clone, Debug, Hash)]
pub struct Election {
    pub round: u64,
    round_sent: Instant,
    yes: Vec<ServerNo>,
    /// Over this round's yes-votes: the latest yes to a previous candidate (local).
    prev_yes_latest: Option<Instant>,
    max_term: Term,
    /// Our master lease, if we hold or held one (local).
    pub lease_until: Option<Instant>,
    /// Per server: when we last heard its beacon, and whether it claimed to be master.
    heard: Vec<Option<(Instant, bool)>>,
    /// What the round that first made us master reported, for `T`.
    pub won: Option<Won>,
}

/// The report of the round that made a server master.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Won {
    pub prev_yes_latest: Option<Instant>,
    pub max_term: Term,
}

impl Election {
    pub fn new(servers: u32) -> Election {
        Election {
            round: 0,
            round_sent: Instant::ZERO,
            yes: Vec::new(),
            prev_yes_latest: None,
            max_term: Term::default(),
            lease_until: None,
            heard: vec![None; servers as usize],
            won: None,
        }
    }

    pub fn is_master(&self, now: Instant) -> bool {
        self.lease_until.is_some_and(|until| until > now)
    }

    /// Whether `me` should send a beacon now. A server stands once it has heard no master
    /// for a lease, plus one beacon interval per server numbered below it, so that the
    /// lowest-numbered survivor stands first and the others hear it before they would.
    pub fn is_candidate(
        &self,
        me: ServerNo,
        now: Instant,
        lease: Duration,
        beacon: Duration,
    ) -> bool {
        if self.is_master(now) {
            return true;
        }
        let recent = |at: Instant, within: Duration| now.saturating_since(at) < within;
        let patience = lease + beacon * u64::from(me.0);
        let someone_master = self.heard.iter().enumerate().any(|(j, h)| {
            j != me.idx() && h.is_some_and(|(at, master)| master && recent(at, patience))
        });
        let lower_candidate = self.heard[..me.idx()]
            .iter()
            .any(|h| h.is_some_and(|(at, _)| recent(at, beacon * 2)));
        !someone_master && !lower_candidate
    }

    /// Start a new round at `now`; the caller sends the beacons and casts its own vote.
    pub fn start_round(&mut self, now: Instant) -> u64 {
        self.round += 1;
        self.round_sent = now;
        self.yes.clear();
        self.prev_yes_latest = None;
        self.max_term = Term::default();
        self.round
    }

    /// Note a beacon from `from`.
    pub fn heard(&mut self, from: ServerNo, now: Instant, claims_master: bool) {
        self.heard[from.idx()] = Some((now, claims_master));
    }

    /// The master we believe in: ourselves, or one whose beacon we heard within `lease`.
    pub fn believed_master(&self, me: ServerNo, now: Instant, lease: Duration) -> Option<ServerNo> {
        if self.is_master(now) {
            return Some(me);
        }
        self.heard
            .iter()
            .enumerate()
            .filter_map(|(j, h)| h.map(|(at, master)| (ServerNo::from_idx(j), at, master)))
            .filter(|&(_, at, master)| master && now.saturating_since(at) < lease)
            .max_by_key(|&(_, at, _)| at)
            .map(|(j, _, _)| j)
    }

    /// Count a yes-vote for round `round`, received at `now`. Returns the new lease end
    /// when this vote completes a majority (every later vote of the round renews nothing).
    pub fn count_yes(
        &mut self,
        vote: Yes,
        now: Instant,
        majority: usize,
        lease: Duration,
    ) -> Option<Instant> {
        let Yes {
            round,
            voter,
            report,
            term,
        } = vote;
        if round != self.round || self.yes.contains(&voter) {
            return None;
        }
        self.yes.push(voter);
        if let Some(age) = report.prev_yes_age {
            let at = now.saturating_sub(age);
            self.prev_yes_latest = Some(self.prev_yes_latest.map_or(at, |p| p.max(at)));
        }
        self.max_term = self.max_term.max(term);
        if self.yes.len() != majority {
            return None;
        }
        let until = self.round_sent + lease;
        if !self.is_master(now) {
            self.won = Some(Won {
                prev_yes_latest: self.prev_yes_latest,
                max_term: self.max_term,
            });
        }
        self.lease_until = Some(self.lease_until.map_or(until, |u| u.max(until)));
        Some(until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Duration = Duration::from_secs(75);
    const FS0: ServerNo = ServerNo(0);
    const FS1: ServerNo = ServerNo(1);
    const FS2: ServerNo = ServerNo(2);

    #[test]
    fn a_voter_sticks_to_its_candidate_until_vote_wait_passes() {
        let mut b = Ballot::default();
        let t = Instant::from_secs;
        let none = Some(VoteYes { prev_yes_age: None });
        assert_eq!(b.vote(FS0, t(10), WAIT), none);
        assert_eq!(b.vote(FS1, t(40), WAIT), None);
        assert_eq!(b.vote(FS0, t(40), WAIT), none);
        assert_eq!(b.vote(FS1, t(114), WAIT), None, "74 s after the last yes");
        let yes = b.vote(FS1, t(115), WAIT).expect("75 s after the last yes");
        assert_eq!(yes.prev_yes_age, Some(Duration::from_secs(75)));
        // Later votes for the new candidate still report the yes to the old one.
        let again = b.vote(FS1, t(130), WAIT).unwrap();
        assert_eq!(again.prev_yes_age, Some(Duration::from_secs(90)));
    }

    #[test]
    fn majority_of_yes_votes_grants_a_lease_from_the_beacon_time() {
        let mut e = Election::new(3);
        let lease = Duration::from_secs(60);
        let round = e.start_round(Instant::from_secs(100));
        let term = Term {
            number: 4,
            server: FS0,
        };
        let vote = Yes {
            round,
            voter: FS1,
            report: VoteYes {
                prev_yes_age: Some(Duration::from_secs(80)),
            },
            term,
        };
        let now = Instant::from_secs(101);
        assert_eq!(e.count_yes(vote, now, 2, lease), None);
        assert_eq!(e.count_yes(vote, now, 2, lease), None, "counted once");
        let other = Yes {
            voter: FS2,
            report: VoteYes { prev_yes_age: None },
            term: Term::default(),
            ..vote
        };
        let until = e.count_yes(other, now, 2, lease);
        assert_eq!(until, Some(Instant::from_secs(160)));
        assert!(e.is_master(now));
        let won = e.won.unwrap();
        assert_eq!(won.prev_yes_latest, Some(Instant::from_secs(21)));
        assert_eq!(won.max_term, term);
        assert!(!e.is_master(Instant::from_secs(160)));
    }

    #[test]
    fn candidacy_defers_to_a_master_or_a_lower_candidate() {
        let lease = Duration::from_secs(60);
        let beacon = Duration::from_secs(15);
        let mut e = Election::new(3);
        let now = Instant::from_secs(1000);
        assert!(e.is_candidate(FS1, now, lease, beacon), "nobody heard");
        e.heard(FS2, now, true);
        assert!(!e.is_candidate(FS1, now, lease, beacon), "fs2 is master");
        assert!(
            !e.is_candidate(FS1, now + lease, lease, beacon),
            "fs1 waits a beacon more"
        );
        let later = now + lease + beacon;
        assert!(
            e.is_candidate(FS1, later, lease, beacon),
            "fs2 silent for long enough"
        );
        assert!(
            e.is_candidate(FS0, now + lease, lease, beacon),
            "fs0 stands first"
        );
        e.heard(FS0, later, false);
        assert!(
            !e.is_candidate(FS1, later, lease, beacon),
            "fs0 is a lower candidate"
        );
        assert!(e.is_candidate(FS1, later + beacon * 2, lease, beacon));
        assert_eq!(e.believed_master(FS1, now, lease), Some(FS2));
    }
}
