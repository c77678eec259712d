//! A file server: a voter and candidate in the election, a replica of the volume, and,
//! while it holds the master lease, the read-write site that serves clients.

mod ahead;
mod catch_up;
mod held;
mod leases;
mod line;
mod master;
mod replica;
mod requests;
mod seen;
mod view;
mod warm;
mod writes;

use super::election::{Ballot, Election, VoteYes, Yes};
use super::ids::{ServerNo, Term};
use super::msg::{Msg, Output, Timer};
use super::params::Params;
use super::volume::Volume;
use super::{AfsNode, Who, server_node, who};
use crate::strategy::Mutant;
use ahead::Ahead;
pub use master::Master;
use seen::Seen;
use sim::{Ctx, Duration, Instant, NodeId, Prng};
use std::rc::Rc;

type SCtx = Ctx<AfsNode>;

/// A server's durable state: its vote record and its replica.
#[derive(Clone)]
pub struct Server {
    pub no: ServerNo,
    pub params: Rc<Params>,
    pub ballot: Ballot,
    pub volume: Volume,
    /// `fs0` starts the run as master with a fresh lease (used at its first boot).
    starts_as_master: bool,
    /// Draws the phase of the beacon timer at each boot.
    phases: Prng,
}

/// Everything but the parameters, which every state of one run shares.
impl std::hash::Hash for Server {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Server {
            no,
            params: _,
            ballot,
            volume,
            starts_as_master,
            phases,
        } = self;
        (no, ballot, volume, starts_as_master, phases).hash(h);
    }
}

/// What a server loses when it crashes.
#[derive(Clone, Hash)]
pub struct ServerVol {
    pub booted_at: Instant,
    pub election: Election,
    /// The read-write site's state while this server is master, and after it lost its
    /// lease until a newer term appears: a server that wins the lease back first keeps
    /// its grant table (a lease lapse is not a failover).
    pub master: Option<Master>,
    /// The end of the last master lease this server held since it booted.
    pub held_lease_until: Option<Instant>,
    /// Updates of the current term that arrived ahead of a gap, by sequence.
    pub ahead: Ahead,
    /// The client requests taken since boot, so that a copy is not acted on again.
    seen: Seen,
}

impl Server {
    pub fn new(no: ServerNo, params: Rc<Params>, phases: Prng) -> Server {
        let first = Term::FIRST;
        Server {
            no,
            ballot: Ballot {
                last_yes: Some((first.server, Instant::ZERO)),
                before: None,
                known_term: first,
            },
            volume: Volume::new(params.files),
            starts_as_master: no == first.server,
            params,
            phases,
        }
    }

    pub fn boot(&mut self, ctx: &mut SCtx) -> ServerVol {
        let now = ctx.now();
        let mut vol = ServerVol {
            booted_at: now,
            election: Election::new(self.params.servers),
            master: None,
            held_lease_until: None,
            ahead: Ahead::default(),
            seen: Seen::default(),
        };
        if std::mem::take(&mut self.starts_as_master) {
            self.start_as_initial_master(&mut vol, ctx);
        }
        // Real servers' timers do not tick in lockstep: with no drift, lockstep beacons
        // would make Ubik's strict comparisons cost a whole extra beacon interval.
        let beacon = self.params.beacon.as_micros();
        let phase = Duration::from_micros(self.phases.below(beacon.max(1)));
        ctx.set_timer(phase, Timer::Beacon);
        vol
    }

    pub fn on_message(&mut self, vol: &mut ServerVol, from: NodeId, msg: Msg, ctx: &mut SCtx) {
        match who(from, self.params.servers) {
            Who::Server(peer) => self.on_server_msg(vol, peer, msg, ctx),
            Who::Client(client) => self.on_client_msg(vol, client, msg, ctx),
        }
    }

    fn on_server_msg(&mut self, vol: &mut ServerVol, peer: ServerNo, msg: Msg, ctx: &mut SCtx) {
        match msg {
            Msg::Beacon { round, master } => self.on_beacon(vol, peer, round, master, ctx),
            Msg::Vote {
                round,
                yes,
                prev_yes_age,
                term,
            } => {
                if yes {
                    let prev_yes_age = prev_yes_age.map(|age| self.vote_age(age, ctx.now()));
                    let report = VoteYes { prev_yes_age };
                    let vote = Yes {
                        round,
                        voter: peer,
                        report,
                        term,
                    };
                    self.count_yes(vol, vote, ctx);
                }
            }
            Msg::SyncAsk { term } => self.on_sync_ask(vol, peer, term, ctx),
            Msg::SyncInfo { term, version } => {
                if let Some(mut v) = self.view_of(vol, term) {
                    v.on_sync_info(peer, version, ctx);
                }
            }
            Msg::SyncFetch => {
                let snapshot = Box::new(self.volume.snapshot(ctx.now()));
                ctx.send(server_node(peer), Msg::SyncData { snapshot });
            }
            Msg::SyncData { snapshot } => {
                if let Some(mut v) = self.view(vol) {
                    v.on_sync_data(peer, &snapshot, ctx);
                }
            }
            Msg::Replicate { term, updates } => self.on_replicate(vol, peer, term, &updates, ctx),
            Msg::ReplicateSnapshot { term, snapshot } => {
                self.on_replica_snapshot(vol, peer, term, &snapshot, ctx)
            }
            Msg::ReplicateAck { term, version } => {
                if let Some(mut v) = self.view_of(vol, term) {
                    v.on_replicate_ack(peer, version, ctx);
                }
            }
            _ => unreachable!("servers send servers only election and replication messages"),
        }
    }

    pub fn on_timer(&mut self, vol: &mut ServerVol, timer: Timer, ctx: &mut SCtx) {
        match timer {
            Timer::Beacon => self.beacon(vol, ctx),
            Timer::LeaseCheck => self.check_lease(vol, ctx),
            _ => self.on_master_timer(vol, timer, ctx),
        }
    }

    /// A timer of the master's: it finds the master it was set by (a term's timers name
    /// it) or does nothing.
    fn on_master_timer(&mut self, vol: &mut ServerVol, timer: Timer, ctx: &mut SCtx) {
        let view = match timer {
            Timer::ReplicateTick { term } | Timer::GrantShip { term } => self.view_of(vol, term),
            _ => self.view(vol),
        };
        let Some(mut v) = view else { return };
        match timer {
            Timer::SyncRetry => v.retry_sync(ctx),
            Timer::ReplicateTick { .. } => v.replicate_tick(ctx),
            Timer::BreakRetry { file } => v.retry_breaks(file, ctx),
            Timer::Reopen => v.announce_openings(ctx),
            Timer::GrantShip { .. } => v.ship_grant_batch(ctx),
            _ => unreachable!("client timer {timer:?} on a server"),
        }
    }

    /// Every `beacon_s`: if a candidate (or the master), start a round and vote for
    /// ourselves.
    fn beacon(&mut self, vol: &mut ServerVol, ctx: &mut SCtx) {
        let p = self.params.clone();
        ctx.set_timer(p.beacon, Timer::Beacon);
        let now = ctx.now();
        if !vol
            .election
            .is_candidate(self.no, now, p.master_lease, p.beacon)
        {
            return;
        }
        let round = vol.election.start_round(now);
        ctx.output(Output::BeaconSent { round });
        let master = vol.master.as_ref().map(|m| m.term);
        for peer in self.peers() {
            ctx.send(server_node(peer), Msg::Beacon { round, master });
        }
        if let Some(report) = self.ballot.vote(self.no, now, p.vote_wait) {
            let term = self.ballot.known_term;
            let vote = Yes {
                round,
                voter: self.no,
                report,
                term,
            };
            self.count_yes(vol, vote, ctx);
        }
    }

    fn on_beacon(
        &mut self,
        vol: &mut ServerVol,
        peer: ServerNo,
        round: u64,
        master: Option<Term>,
        ctx: &mut SCtx,
    ) {
        let now = ctx.now();
        vol.election.heard(peer, now, master.is_some());
        if let Some(term) = master {
            self.learn_term(vol, term, ctx);
        }
        let yes = self.ballot.vote(peer, now, self.params.vote_wait);
        let vote = Msg::Vote {
            round,
            yes: yes.is_some(),
            prev_yes_age: yes
                .and_then(|y| y.prev_yes_age)
                .map(|age| self.vote_age(age, now)),
            term: self.ballot.known_term,
        };
        ctx.send(server_node(peer), vote);
    }

    fn count_yes(&mut self, vol: &mut ServerVol, vote: Yes, ctx: &mut SCtx) {
        let p = &self.params;
        let now = ctx.now();
        let was_master = vol.election.is_master(now);
        let Some(until) = vol
            .election
            .count_yes(vote, now, p.majority(), p.master_lease)
        else {
            return;
        };
        ctx.output(Output::LeaseWon { round: vote.round });
        ctx.set_timer_at(until, Timer::LeaseCheck);
        if was_master {
            return;
        }
        let won = vol.election.won.expect("elected by a round");
        let newest = won.max_term.max(self.ballot.known_term);
        let lapsed = vol.master.as_ref().map(|m| m.term);
        match lapsed {
            Some(term)
                if term >= newest && self.params.mutant != Some(Mutant::LapseForgetsGrants) =>
            {
                let lapsed = vol.held_lease_until;
                let v = self.view(vol).expect("a lapsed master");
                v.resume(lapsed, ctx)
            }
            _ => {
                vol.master = None;
                self.become_master(vol, ctx);
            }
        }
    }

    /// At the end of a lease: stop serving if no round renewed it. The master's state is
    /// kept until a newer term appears, for a lease won back first.
    fn check_lease(&mut self, vol: &mut ServerVol, ctx: &mut SCtx) {
        let now = ctx.now();
        if vol.election.lease_until.is_some() && !vol.election.is_master(now) {
            vol.held_lease_until = vol.election.lease_until;
            vol.election.lease_until = None;
            ctx.output(Output::MasterEnd);
        }
    }

    /// A higher term exists: a master of an older term steps down for good, and our
    /// replica now takes updates only from that term on.
    pub(super) fn learn_term(&mut self, vol: &mut ServerVol, term: Term, ctx: &mut SCtx) {
        if term <= self.ballot.known_term {
            return;
        }
        self.ballot.known_term = term;
        if vol.master.as_ref().is_some_and(|m| m.term < term) {
            if vol.election.lease_until.is_some() {
                vol.held_lease_until = vol.election.lease_until;
                vol.election.lease_until = None;
                ctx.output(Output::MasterEnd);
            }
            vol.master = None;
        }
    }

    /// An age in a vote, as the voter sends it and the candidate reads it; the mutant
    /// that forgets ages sends the voter's clock reading and reads it on the candidate's.
    fn vote_age(&self, age: Duration, now: Instant) -> Duration {
        match self.params.mutant {
            Some(Mutant::VoteCarriesReading) => now.saturating_since(Instant::ZERO + age),
            _ => age,
        }
    }

    /// Whether we are the master and our lease is valid now.
    fn serving_master(&self, vol: &ServerVol, now: Instant) -> bool {
        vol.master.is_some() && vol.election.is_master(now)
    }

    /// Every other server of the cell.
    fn peers(&self) -> impl Iterator<Item = ServerNo> + use<> {
        peers(self.no, self.params.servers)
    }
}

/// Every server of a cell of `servers` but `me`.
fn peers(me: ServerNo, servers: u32) -> impl Iterator<Item = ServerNo> {
    (0..servers).map(ServerNo).filter(move |&s| s != me)
}
