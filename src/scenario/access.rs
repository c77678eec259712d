//! What the model asks of a scenario: each strategy's effective settings, and the
//! scenario written back out with every default in place.

use super::types::{ElectionSpec, NetworkSpec, Recovery, Scenario, StrategySpec, WorkloadSpec};

/// Default length of a token-recovery window, in seconds.
pub const DEFAULT_RECOVERY_WINDOW_S: f64 = 200.0;
/// By default a token-recovery window runs its full length.
pub const DEFAULT_END_WINDOW_WHEN_ALL_REASSERTED: bool = false;

impl Scenario {
    /// The election `s` runs: its own override, or the scenario's.
    pub fn election_for<'a>(&'a self, s: &'a StrategySpec) -> &'a ElectionSpec {
        s.election.as_ref().unwrap_or(&self.election)
    }

    /// The network `s` runs on: its own override, or the scenario's.
    pub fn network_for<'a>(&'a self, s: &'a StrategySpec) -> &'a NetworkSpec {
        s.network.as_ref().unwrap_or(&self.network)
    }

    /// The workload `s` serves: its own override, or the scenario's.
    pub fn workload_for<'a>(&'a self, s: &'a StrategySpec) -> &'a WorkloadSpec {
        s.workload.as_ref().unwrap_or(&self.workload)
    }

    /// The strategy called `name`, if any.
    pub fn strategy(&self, name: &str) -> Option<&StrategySpec> {
        self.strategies.iter().find(|s| s.name == name)
    }

    /// The scenario with every default written out, so that `scenario.json` shows what
    /// ran: token-recovery strategies get their window fields. Fields that are absent on
    /// purpose stay absent (a strategy without its own `network` uses the top-level one).
    pub fn with_defaults_filled(&self) -> Scenario {
        let mut filled = self.clone();
        for s in &mut filled.strategies {
            if s.recovery == Recovery::TokenRecovery {
                s.recovery_window_s.get_or_insert(DEFAULT_RECOVERY_WINDOW_S);
                s.end_window_when_all_reasserted
                    .get_or_insert(DEFAULT_END_WINDOW_WHEN_ALL_REASSERTED);
            }
        }
        filled
    }

    /// Pretty JSON ending in a newline; [`super::parse`] reads it back to an equal value.
    pub fn to_json_pretty(&self) -> String {
        // Serialising these types cannot fail: every map key is a string and serde_json
        // writes non-finite floats as null rather than failing.
        let mut text = serde_json::to_string_pretty(self).expect("a scenario serialises");
        text.push('\n');
        text
    }
}

impl StrategySpec {
    /// Seconds of the recovery window (meaningful for token-recovery; default 200).
    pub fn recovery_window_s(&self) -> f64 {
        self.recovery_window_s.unwrap_or(DEFAULT_RECOVERY_WINDOW_S)
    }

    /// Whether the window ends once every client has reasserted (token-recovery;
    /// default false).
    pub fn end_window_when_all_reasserted(&self) -> bool {
        self.end_window_when_all_reasserted
            .unwrap_or(DEFAULT_END_WINDOW_WHEN_ALL_REASSERTED)
    }
}
