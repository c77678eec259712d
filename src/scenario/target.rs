//! Fault targets: the text users write (`fs1`, `c0-c24`, `master`, `*`) and what it names.

use super::types::{CellSpec, Target};
use std::fmt;

/// A parsed fault target. Node numbers are checked against the cell by validation, not
/// by [`Target::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetRef {
    /// `fsN`: one file server.
    Server(u32),
    /// `cN`: one client.
    Client(u32),
    /// `fsA-fsB`: servers A to B, both included (A ≤ B).
    Servers(u32, u32),
    /// `cA-cB`: clients A to B, both included (A ≤ B).
    Clients(u32, u32),
    /// `master`: the server holding a valid master lease at the fault's instant, resolved
    /// by the model in each strategy's run.
    Master,
    /// `*`: every node not named elsewhere in the same fault.
    Rest,
}

/// What a target may be, for error messages.
pub(crate) const TARGET_FORMS: &str = "fsN, cN, fsA-fsB, cA-cB, master or *";

impl Target {
    /// Reads the target's text. Errors say what is wrong and what is allowed; they do not
    /// name the field (the caller knows it).
    pub fn parse(&self) -> Result<TargetRef, String> {
        let text = self.0.as_str();
        match text {
            "master" => return Ok(TargetRef::Master),
            "*" => return Ok(TargetRef::Rest),
            _ => {}
        }
        let not_a_target = || format!("{text:?} is not a node; allowed: {TARGET_FORMS}");
        let Some((a, b)) = text.split_once('-') else {
            return match node(text) {
                Some(Node::Server(n)) => Ok(TargetRef::Server(n)),
                Some(Node::Client(n)) => Ok(TargetRef::Client(n)),
                None => Err(not_a_target()),
            };
        };
        let (Some(a), Some(b)) = (node(a), node(b)) else {
            return Err(not_a_target());
        };
        let (range, lo, hi) = match (a, b) {
            (Node::Server(lo), Node::Server(hi)) => (TargetRef::Servers(lo, hi), lo, hi),
            (Node::Client(lo), Node::Client(hi)) => (TargetRef::Clients(lo, hi), lo, hi),
            _ => {
                return Err(format!(
                    "{text:?} mixes servers and clients; a range is fsA-fsB or cA-cB"
                ));
            }
        };
        if lo > hi {
            return Err(format!(
                "{text:?} is not a range: {lo} is more than {hi}; write fsA-fsB or cA-cB with A ≤ B"
            ));
        }
        Ok(range)
    }
}

enum Node {
    Server(u32),
    Client(u32),
}

/// `fsN` or `cN` with N written canonically (no sign, no leading zero).
fn node(text: &str) -> Option<Node> {
    if let Some(n) = text.strip_prefix("fs") {
        number(n).map(Node::Server)
    } else if let Some(n) = text.strip_prefix('c') {
        number(n).map(Node::Client)
    } else {
        None
    }
}

fn number(digits: &str) -> Option<u32> {
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if canonical { digits.parse().ok() } else { None }
}

impl TargetRef {
    /// The first node this target names that the cell does not have, if any.
    pub fn first_unknown(&self, cell: &CellSpec) -> Option<String> {
        let server = |n: u32| (n >= cell.servers).then(|| format!("fs{n}"));
        let client = |n: u32| (n >= cell.clients).then(|| format!("c{n}"));
        match *self {
            TargetRef::Server(n) => server(n),
            TargetRef::Client(n) => client(n),
            TargetRef::Servers(lo, hi) => server(lo).or_else(|| server(hi)),
            TargetRef::Clients(lo, hi) => client(lo).or_else(|| client(hi)),
            TargetRef::Master | TargetRef::Rest => None,
        }
    }

    /// The servers this target names explicitly, as an inclusive range (`master` names
    /// none until the model resolves it).
    pub fn servers(&self) -> Option<(u32, u32)> {
        match *self {
            TargetRef::Server(n) => Some((n, n)),
            TargetRef::Servers(lo, hi) => Some((lo, hi)),
            _ => None,
        }
    }

    /// The clients this target names explicitly, as an inclusive range.
    pub fn clients(&self) -> Option<(u32, u32)> {
        match *self {
            TargetRef::Client(n) => Some((n, n)),
            TargetRef::Clients(lo, hi) => Some((lo, hi)),
            _ => None,
        }
    }
}

/// Writes the target as users write it, so that `Target(t.to_string()).parse() == Ok(t)`.
impl fmt::Display for TargetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TargetRef::Server(n) => write!(f, "fs{n}"),
            TargetRef::Client(n) => write!(f, "c{n}"),
            TargetRef::Servers(lo, hi) => write!(f, "fs{lo}-fs{hi}"),
            TargetRef::Clients(lo, hi) => write!(f, "c{lo}-c{hi}"),
            TargetRef::Master => f.write_str("master"),
            TargetRef::Rest => f.write_str("*"),
        }
    }
}

/// The cell's node names, for "unknown node" messages: `fs0-fs2 and c0-c49`.
pub(crate) fn cell_nodes(cell: &CellSpec) -> String {
    let span = |prefix: &str, count: u32| match count {
        0 => format!("no {prefix} nodes"),
        1 => format!("{prefix}0"),
        n => format!("{prefix}0-{prefix}{}", n - 1),
    };
    format!(
        "{} and {}",
        span("fs", cell.servers),
        span("c", cell.clients)
    )
}
