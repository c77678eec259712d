//! Settings that are legal but defeat their strategy: `afsim validate` prints a
//! `warning:` line for each (CONTRACT.md), and `run`, `check` and `sweep` repeat them on
//! standard error, so a scenario that cannot show what it claims says so.

use super::types::Scenario;
use super::validate::show;

/// One warning per setting that defeats its strategy, naming the strategy's path.
pub fn warnings(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for (i, st) in s.strategies.iter().enumerate() {
        let at = format!("strategies[{i}] ({})", st.name);
        let own = st.recovery.protocol(st).warnings(s, st);
        out.extend(own.into_iter().map(|w| format!("{at}: {w}")));
        let e = s.election_for(st);
        let gap = e.vote_wait_s - e.master_lease_s;
        let honours = st.recovery.protocol(st).honours_old_lease();
        if honours && gap <= st.clock_skew_allowance_s {
            out.push(format!(
                "{at}: vote_wait_s - master_lease_s ({} s) is no greater than \
                 clock_skew_allowance_s ({} s): a new master can be elected before the old \
                 master's lease has run out on every clock, and then waits until T + the \
                 allowance before it grants anything",
                show(gap),
                show(st.clock_skew_allowance_s)
            ));
        }
    }
    out
}
