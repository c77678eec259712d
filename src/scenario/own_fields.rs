//! The fields of the scenario format that only one strategy reads (its knobs): which
//! strategy owns each is the strategy's to say (`Recovery::own_fields`); here they are
//! reached by name, checked, and given their defaults.

use super::error::Invalid;
use super::types::StrategySpec;
use super::validate::{Check, join, time, time_ms};
use crate::strategy::{FieldDefault, Recovery};

/// A strategy's own field, reached by name.
pub enum OwnValue<'a> {
    Number(&'a mut Option<f64>),
    Flag(&'a mut Option<bool>),
}

impl StrategySpec {
    /// The own field `name` (a name some strategy's `own_fields` lists).
    pub(crate) fn own_field(&mut self, name: &str) -> OwnValue<'_> {
        match name {
            "recovery_window_s" => OwnValue::Number(&mut self.recovery_window_s),
            "end_window_when_all_reasserted" => {
                OwnValue::Flag(&mut self.end_window_when_all_reasserted)
            }
            "break_dead_time_s" => OwnValue::Number(&mut self.break_dead_time_s),
            "lease_s" => OwnValue::Number(&mut self.lease_s),
            "grace_s" => OwnValue::Number(&mut self.grace_s),
            "session_lease_s" => OwnValue::Number(&mut self.session_lease_s),
            "jeopardy_s" => OwnValue::Number(&mut self.jeopardy_s),
            "tail_lease_s" => OwnValue::Number(&mut self.tail_lease_s),
            "grant_sync_ms" => OwnValue::Number(&mut self.grant_sync_ms),
            other => unreachable!("no strategy field {other}"),
        }
    }

    fn own_given(&self, name: &str) -> bool {
        match self.clone().own_field(name) {
            OwnValue::Number(v) => v.is_some(),
            OwnValue::Flag(v) => v.is_some(),
        }
    }

    /// Own number `name` as given, else the owning strategy's default.
    pub fn own_number(&self, name: &str) -> f64 {
        match (self.clone().own_field(name), default_of(name)) {
            (OwnValue::Number(v), FieldDefault::Number(d)) => v.unwrap_or(d),
            _ => unreachable!("{name} is a number"),
        }
    }

    /// Own flag `name` as given, else the owning strategy's default.
    pub fn own_flag(&self, name: &str) -> bool {
        match (self.clone().own_field(name), default_of(name)) {
            (OwnValue::Flag(v), FieldDefault::Bool(d)) => v.unwrap_or(d),
            _ => unreachable!("{name} is a flag"),
        }
    }

    /// Seconds of token recovery's window (default 200).
    pub fn recovery_window_s(&self) -> f64 {
        self.own_number("recovery_window_s")
    }

    /// Whether token recovery's window ends once every client has reasserted (default
    /// false).
    pub fn end_window_when_all_reasserted(&self) -> bool {
        self.own_flag("end_window_when_all_reasserted")
    }

    /// Every own field of this strategy's recovery written out with its default.
    pub(crate) fn fill_own_defaults(&mut self) {
        for f in self.recovery.own_fields() {
            match (self.own_field(f.name), f.default) {
                (OwnValue::Number(v), FieldDefault::Number(d)) => {
                    v.get_or_insert(d);
                }
                (OwnValue::Flag(v), FieldDefault::Bool(d)) => {
                    v.get_or_insert(d);
                }
                _ => unreachable!("{} has a default of its kind", f.name),
            }
        }
    }
}

/// The default of own field `name`.
pub(crate) fn default_of(name: &str) -> FieldDefault {
    let owner = Recovery::owner_of(name).expect("an own field");
    let field = owner.own_fields().iter().find(|f| f.name == name);
    field.expect("listed").default
}

/// A strategy's own fields mean nothing to other strategies; given there, they would be
/// silently ignored, so they are errors. Times among them are checked as times.
pub(crate) fn check(p: &str, s: &StrategySpec) -> Check {
    for &r in Recovery::ALL.iter().filter(|&&r| r != s.recovery) {
        if let Some(f) = r.own_fields().iter().find(|f| s.own_given(f.name)) {
            return Err(Invalid::new(
                join(p, f.name),
                format!(
                    "only allowed with recovery \"{}\"; this strategy is \"{}\"",
                    r.as_str(),
                    s.recovery.as_str()
                ),
            ));
        }
    }
    for f in s.recovery.own_fields() {
        let mut spec = s.clone();
        if let OwnValue::Number(Some(v)) = spec.own_field(f.name) {
            if f.name.ends_with("_ms") {
                time_ms(&join(p, f.name), *v)?;
            } else if f.name.ends_with("_s") {
                time(&join(p, f.name), *v)?;
            }
        }
    }
    if let Some((field, why)) = s.recovery.protocol(s).invalid() {
        return Err(Invalid::new(join(p, field), why));
    }
    Ok(())
}
