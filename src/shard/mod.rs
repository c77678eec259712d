//! `--shard K/N`: split a `check` or `sweep` over machines (or GNU parallel slots), and
//! `afsim merge` to put the pieces back together.
//!
//! A command's jobs (seeds for `check`, points × seeds for `sweep`) are numbered in the
//! order the unsharded command runs them; shard K of N runs the jobs whose number is
//! ≡ K − 1 (mod N), round-robin, so every shard gets a fair share of slow points. A
//! shard writes only `<command>.shard-K-of-N.jsonl`: a header line with everything that
//! shaped its results, then one line per job. Merging checks that the shards belong to
//! one run and are all there, puts the jobs back in order, and hands them to the same
//! code that writes the unsharded outputs, so the bytes are the same.

pub mod merge;

use serde::{Deserialize, Serialize};

/// Shard `k` of `n` (1 ≤ k ≤ n).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    /// Reads `K/N` as users type it.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("{text:?} is not a shard; write K/N with 1 ≤ K ≤ N, e.g. 2/4");
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// Whether job number `job` (from 0) is this shard's.
    pub fn selects(&self, job: u64) -> bool {
        job % self.n == self.k - 1
    }

    /// This shard's job numbers among `total`.
    pub fn jobs(&self, total: u64) -> Vec<u64> {
        (self.k - 1..total).step_by(self.n as usize).collect()
    }

    /// `<command>.shard-K-of-N.jsonl`.
    pub fn file_name(&self, command: &str) -> String {
        format!("{command}.shard-{}-of-{}.jsonl", self.k, self.n)
    }

    /// The command and shard a file name stands for, if it is a shard file's.
    pub fn from_file_name(name: &str) -> Option<(String, Shard)> {
        let stem = name.strip_suffix(".jsonl")?;
        let (command, rest) = stem.split_once(".shard-")?;
        let (k, n) = rest.split_once("-of-")?;
        let shard = Shard::parse(&format!("{k}/{n}")).ok()?;
        let canonical = shard.file_name(command) == name;
        (canonical && !command.is_empty()).then(|| (command.to_string(), shard))
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// The first line of a shard file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// `check` or `sweep`.
    pub command: String,
    pub afsim_version: String,
    /// The scenario's name (its output folder).
    pub scenario: String,
    /// The scenario file as given on the command line, for replay commands.
    pub file: String,
    pub shard: Shard,
    /// How many jobs the whole run has.
    pub jobs: u64,
    /// Everything else that shaped the results (the scenario, the seeds, the grid):
    /// shards merge only if these are equal.
    pub settings: serde_json::Value,
}

/// One job's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub job: u64,
    pub result: serde_json::Value,
}

/// A shard file's text: the header, then one record per line.
pub fn jsonl(header: &Header, records: &[Record]) -> String {
    let mut out = serde_json::to_string(header).expect("headers serialise");
    out.push('\n');
    for r in records {
        out.push_str(&serde_json::to_string(r).expect("records serialise"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_jobs_round_robin_and_cover_them_once() {
        let shards: Vec<Shard> = (1..=4).map(|k| Shard { k, n: 4 }).collect();
        let mut all: Vec<u64> = shards.iter().flat_map(|s| s.jobs(10)).collect();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(shards[1].jobs(10), vec![1, 5, 9]);
        assert!(shards[1].selects(5) && !shards[1].selects(6));
        assert_eq!(Shard { k: 4, n: 4 }.jobs(3), Vec::<u64>::new());
    }

    #[test]
    fn shard_texts_and_file_names() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { k: 2, n: 4 }));
        for bad in ["0/4", "5/4", "2", "a/b", "2/0", "-1/3"] {
            assert!(Shard::parse(bad).unwrap_err().contains("K/N"), "{bad}");
        }
        let s = Shard { k: 3, n: 8 };
        assert_eq!(s.file_name("check"), "check.shard-3-of-8.jsonl");
        assert_eq!(
            Shard::from_file_name("check.shard-3-of-8.jsonl"),
            Some(("check".to_string(), s))
        );
        assert_eq!(Shard::from_file_name("check.shard-03-of-8.jsonl"), None);
        assert_eq!(Shard::from_file_name("check.shard-9-of-8.jsonl"), None);
        assert_eq!(Shard::from_file_name("check.json"), None);
    }
}
