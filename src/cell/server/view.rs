//! The master's view: what a master's handlers work on, borrowed once from the server
//! and its volatile state (after admission, for a client's request) rather than reached
//! as `vol.master` in every handler. Its fields are apart, so a handler can hold the
//! grant table and the master's leases at once.

use super::{Master, Server, ServerVol, peers};
use crate::cell::client_node;
use crate::cell::election::Election;
use crate::cell::grants::Grants;
use crate::cell::ids::{ClientNo, ServerNo, Term};
use crate::cell::params::Params;
use crate::cell::volume::Volume;
use crate::strategy::{Home, Mutant};
use sim::{Duration, Instant, NodeId};

/// A server while it holds the read-write site's state.
pub(super) struct MasterView<'a> {
    pub no: ServerNo,
    pub params: &'a Params,
    /// Our replica, with the replicated grant table.
    pub volume: &'a mut Volume,
    /// The read-write site's state, with the grant table it keeps itself.
    pub master: &'a mut Master,
    election: &'a Election,
}

impl Server {
    /// The master's view, if this server holds a master's state (serving or lapsed).
    pub(super) fn view<'a>(&'a mut self, vol: &'a mut ServerVol) -> Option<MasterView<'a>> {
        Some(MasterView {
            no: self.no,
            params: &self.params,
            volume: &mut self.volume,
            master: vol.master.as_mut()?,
            election: &vol.election,
        })
    }

    /// The master's view, if this server holds the state of the master of `term`.
    pub(super) fn view_of<'a>(
        &'a mut self,
        vol: &'a mut ServerVol,
        term: Term,
    ) -> Option<MasterView<'a>> {
        self.view(vol).filter(|v| v.master.term == term)
    }
}

impl MasterView<'_> {
    /// Whether our master lease is valid now.
    pub fn serving(&self, now: Instant) -> bool {
        self.election.is_master(now)
    }

    /// A client's node.
    pub fn to(&self, client: ClientNo) -> NodeId {
        client_node(client, self.params.servers)
    }

    /// Every other server of the cell.
    pub fn peers(&self) -> impl Iterator<Item = ServerNo> + use<> {
        peers(self.no, self.params.servers)
    }

    /// Whether we are resetting `client`'s callbacks: it is granted none until the reset
    /// is acknowledged, which drops every callback it holds.
    pub fn resetting(&self, client: ClientNo) -> bool {
        self.master.reset_pending[client.idx()]
            && self.params.mutant != Some(Mutant::ResetRacesGrant)
    }

    /// Whether `client`'s lease is valid here (always, without client leases).
    pub fn lease_valid(&self, client: ClientNo, now: Instant) -> bool {
        self.master.lease_valid(client, now, self.leased())
    }

    /// The table of callback grants the strategy keeps.
    pub fn callbacks(&mut self) -> &mut Grants {
        let home = self.params.strategy.homes().callbacks;
        table(home, &mut self.volume.grants, &mut self.master.grants)
    }

    /// The table of lock grants the strategy keeps.
    pub fn locks(&mut self) -> &mut Grants {
        self.locks_and_leases().0
    }

    /// The table of lock grants, with the client leases the master keeps beside it (to
    /// judge which holders are still alive).
    pub fn locks_and_leases(&mut self) -> (&mut Grants, &[Option<Instant>]) {
        let home = self.params.strategy.homes().locks;
        let table = table(home, &mut self.volume.grants, &mut self.master.grants);
        (table, &self.master.leases)
    }

    /// Where callback (`true`: lock) grants live.
    fn home(&self, locks: bool) -> Home {
        let homes = self.params.strategy.homes();
        if locks { homes.locks } else { homes.callbacks }
    }

    /// Whether callback (`true`: lock) grants take effect only once a majority holds
    /// them.
    pub fn replicated(&self, locks: bool) -> bool {
        self.home(locks) == Home::Replicated
    }

    /// The grant log's tail lease and batch interval, if callback (`true`: lock) grants
    /// go through one.
    pub fn logged(&self, locks: bool) -> Option<(Duration, Duration)> {
        match self.home(locks) {
            Home::Logged { tail, sync_every } => Some((tail, sync_every)),
            _ => None,
        }
    }

    /// Whether clients hold leases with the master.
    pub fn leased(&self) -> bool {
        self.params.strategy.client_lease().is_some()
    }
}

/// Where a master keeps grants of `home`: the replicated volume's table, or its own
/// (either borrowed, to change or to read).
pub(super) fn table<T>(home: Home, in_volume: T, own: T) -> T {
    match home {
        Home::Replicated | Home::Logged { .. } => in_volume,
        Home::Master => own,
    }
}
