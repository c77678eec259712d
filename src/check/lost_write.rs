//! `lost_write`: an acknowledged write missing from the file's history at the master at
//! the end. One per write.
//!
//! Acknowledged writes are the run's [`AckedWrites`], ranges of each client's write
//! numbers, so memory grows with clients; writes not yet known durable also keep their
//! acknowledgement time and file, for the report.

use super::{AckedWrites, Example, Tally};
use crate::cell::ids::{ClientNo, FileNo, WriteId};
use crate::cell::volume::Volume;
use crate::rangeset::RangeSet;
use sim::Instant;
use std::collections::BTreeMap;

/// The history at the final master: per client, the writes applied. Built by the run
/// from the server it ends with.
pub struct FinalVolume {
    pub server: String,
    writes: BTreeMap<ClientNo, RangeSet>,
}

impl FinalVolume {
    pub fn of(server: String, volume: &Volume) -> FinalVolume {
        let writes = volume
            .writers()
            .map(|(c, seqs)| (c, seqs.clone()))
            .collect();
        FinalVolume { server, writes }
    }
}

/// The lost-write checker.
#[derive(Default, Clone, Hash)]
pub struct LostWrite {
    /// Acknowledged writes not yet known durable: their file and acknowledgement time.
    undurable: BTreeMap<(ClientNo, u32), (FileNo, Instant)>,
    pub tally: Tally,
}

impl LostWrite {
    /// A write was acknowledged at `now`; until it is durable its time is kept.
    pub fn acked(&mut self, write: WriteId, now: Instant, durable: bool) {
        if !durable {
            self.undurable
                .insert((write.client, write.seq), (write.file, now));
        }
    }

    pub fn durable(&mut self, write: WriteId) {
        self.undurable.remove(&(write.client, write.seq));
    }

    /// Compare with the final master's volume; `end` dates losses whose acknowledgement
    /// time was not kept.
    pub fn finish(&mut self, acked: &AckedWrites, volume: &FinalVolume, end: Instant) {
        let empty = RangeSet::default();
        let mut lost = Vec::new();
        for (client, acked) in acked.iter() {
            let applied = volume.writes.get(&client).unwrap_or(&empty);
            for seq in acked.missing_from(applied) {
                let undurable = self.undurable.get(&(client, seq)).copied();
                lost.push((undurable.map_or(end, |(_, at)| at), client, seq, undurable));
            }
        }
        lost.sort_by_key(|&(at, client, seq, _)| (at, client, seq));
        for (at, client, seq, undurable) in lost {
            self.tally.add(|| {
                let write = format!("c{client}#{seq}");
                let server = &volume.server;
                let (file, detail) = match undurable {
                    Some((file, at)) => (
                        Some(file),
                        format!(
                            "write {write} to file {file} was acknowledged at {:.1} s but is missing from the history at {server}",
                            at.as_secs_f64()
                        ),
                    ),
                    None => (
                        None,
                        format!(
                            "write {write} was acknowledged as durable but is missing from the history at {server}"
                        ),
                    ),
                };
                Example {
                    at_s: at.as_secs_f64(),
                    client: format!("c{client}"),
                    file,
                    detail,
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::ids::Pos;
    use crate::cell::volume::Update;

    #[test]
    fn fires_once_per_acknowledged_write_the_final_volume_lacks() {
        let mut vol = Volume::new(2);
        let w = |client, seq| WriteId {
            client: ClientNo(client),
            file: FileNo(1),
            seq,
        };
        for (i, write) in [w(1, 1), w(1, 3)].into_iter().enumerate() {
            let pos = Pos {
                term: Default::default(),
                seq: i as u32 + 1,
            };
            vol.apply(
                &Update::Write {
                    pos,
                    write,
                    place: pos,
                    callback: None,
                },
                Instant::ZERO,
            );
        }
        let mut c = LostWrite::default();
        let mut acked = AckedWrites::new(3);
        for (write, at) in [(w(1, 1), 5), (w(1, 2), 6), (w(1, 3), 7), (w(2, 1), 8)] {
            acked.insert(write);
            c.acked(write, Instant::from_secs(at), false);
        }
        c.durable(w(1, 1));
        c.finish(
            &acked,
            &FinalVolume::of("fs1".into(), &vol),
            Instant::from_secs(100),
        );
        assert_eq!(c.tally.count, 2, "c1#2 and c2#1");
        let first = c.tally.first.unwrap();
        assert_eq!(first.at_s, 6.0);
        assert_eq!(
            first.detail,
            "write c1#2 to file 1 was acknowledged at 6.0 s but is missing from the history at fs1"
        );
    }
}
