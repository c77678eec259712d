//! What the model asks of a scenario: each strategy's effective settings, and the
//! scenario written back out with every default in place.

use super::types::{ElectionSpec, NetworkSpec, Scenario, StrategySpec, WorkloadSpec};

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
    /// ran: each strategy gets its own fields. Fields that are absent on purpose stay
    /// absent (a strategy without its own `network` uses the top-level one).
    pub fn with_defaults_filled(&self) -> Scenario {
        let mut filled = self.clone();
        for s in &mut filled.strategies {
            s.fill_own_defaults();
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
