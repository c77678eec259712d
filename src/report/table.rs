//! The comparison table `afsim run` prints: units in the headers, the longest write
//! outage, one column per invariant, and a footnote for what a mark means.

use super::summary::{StrategySummary, Summary};
use crate::check::Kind;

/// `1 fault`, `3 faults`, `1 strategy`, `4 strategies`.
pub fn count(n: u64, one: &str) -> String {
    let many = match one.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{one}s"),
    };
    format!("{n} {}", if n == 1 { one } else { &many })
}

fn cell_ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

/// The longest write outage of a run, in seconds, and whether it is a lower bound (an
/// outage that had not ended when the run did, counted to the run's end, `end_s`).
pub fn longest_outage(s: &StrategySummary, end_s: f64) -> Option<(f64, bool)> {
    s.recoveries
        .iter()
        .map(|r| match r.unavailable_s {
            Some(u) => (u, false),
            None => ((end_s - r.at_s).max(0.0), true),
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
}

fn outage(s: &StrategySummary, end_s: f64) -> String {
    match longest_outage(s, end_s) {
        None => "-".into(),
        Some((u, open)) => format!("{u:.1}{}", if open { "+" } else { "" }),
    }
}

/// A violation column's header: the invariant's name up to its first `_` (`stale`,
/// `lock`, `lost`, `liveness`), so that the table stays narrow as invariants are added.
fn short(kind: Kind) -> &'static str {
    let name = kind.name();
    name.split('_').next().unwrap_or(name)
}

/// One line per strategy: availability, write latency, longest outage, violations per
/// invariant (every one in [`Kind::ALL`]), messages; `ends_s` is when each strategy's
/// run ended. A footnote explains a `+`, when there is one.
pub fn table(summary: &Summary, ends_s: &[f64]) -> String {
    let width = summary
        .strategies
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let kinds: Vec<(Kind, usize)> = Kind::ALL
        .iter()
        .map(|&k| (k, short(k).len().max(5)))
        .collect();
    let mut head = format!(
        "{:width$}  {:>12}  {:>12}  {:>12}  {:>16}",
        "strategy", "availability", "write p50 ms", "write p99 ms", "longest outage s"
    );
    for &(k, w) in &kinds {
        head.push_str(&format!("  {:>w$}", short(k)));
    }
    head.push_str(&format!("  {:>9}\n", "messages"));
    let mut out = head;
    let mut marked = false;
    for (s, &end_s) in summary.strategies.iter().zip(ends_s) {
        let longest = outage(s, end_s);
        marked |= longest.ends_with('+');
        out.push_str(&format!(
            "{:width$}  {:>12}  {:>12}  {:>12}  {:>16}",
            s.name,
            s.availability.map_or("-".into(), |a| format!("{a:.4}")),
            cell_ms(s.ops.write.p50_ms),
            cell_ms(s.ops.write.p99_ms),
            longest,
        ));
        for &(k, w) in &kinds {
            let n = s
                .violations
                .0
                .iter()
                .find(|(name, _)| *name == k.name())
                .map_or(0, |e| e.1);
            out.push_str(&format!("  {n:>w$}"));
        }
        out.push_str(&format!("  {:>9}\n", s.messages.total));
    }
    if marked {
        out.push_str("+ an outage that had not ended when the run did: counted to the run's end\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::summary::{Messages, OpStats, Ops, Ordered, RecoverySummary};

    fn recovery(at_s: f64, unavailable_s: Option<f64>) -> RecoverySummary {
        RecoverySummary {
            fault: "crash fs0".into(),
            at_s,
            elected_at_s: None,
            writes_open_at_s: unavailable_s.map(|u| at_s + u),
            locks_open_at_s: None,
            first_write_ok_at_s: None,
            first_lock_ok_at_s: None,
            unavailable_s,
            ops_attempted_during: 0,
            ops_failed_during: 0,
        }
    }

    fn strategy(name: &str, recoveries: Vec<RecoverySummary>) -> StrategySummary {
        let ops = || OpStats {
            attempted: 10,
            succeeded: 9,
            p50_ms: Some(20.0),
            p99_ms: Some(40.0),
        };
        StrategySummary {
            name: name.into(),
            recovery: "naive",
            ops: Ops {
                read: ops(),
                write: ops(),
                lock: ops(),
            },
            availability: Some(0.9),
            faults_applied: Vec::new(),
            recoveries,
            violations: Ordered(Kind::ALL.iter().map(|k| (k.name(), 7)).collect()),
            first_violations: Ordered(Vec::new()),
            messages: Messages {
                total: 100,
                by_kind: Ordered(Vec::new()),
            },
            events: 1,
            trace_hash: "0".into(),
        }
    }

    fn summary(strategies: Vec<StrategySummary>) -> Summary {
        Summary {
            afsim_version: "0",
            scenario: "t".into(),
            seed: 1,
            duration_s: 3600.0,
            strategies,
        }
    }

    #[test]
    fn the_outage_is_the_longest_and_a_plus_is_explained() {
        let s = summary(vec![
            strategy(
                "a",
                vec![recovery(100.0, Some(1000.0)), recovery(2000.0, Some(60.0))],
            ),
            strategy(
                "b",
                vec![recovery(100.0, Some(30.0)), recovery(3000.0, None)],
            ),
            strategy("c", vec![]),
        ]);
        let t = table(&s, &[3900.0, 3900.0, 3900.0]);
        let lines: Vec<&str> = t.lines().collect();
        assert!(
            lines[1].contains(" 1000.0 "),
            "the longest, not the mean (530): {t}"
        );
        assert!(
            lines[2].contains(" 900.0+ "),
            "counted to the run's end: {t}"
        );
        assert!(lines[3].contains(" - "), "{t}");
        assert!(
            lines[4].starts_with("+ an outage that had not ended"),
            "{t}"
        );
        let clean = summary(vec![strategy("a", vec![recovery(100.0, Some(75.0))])]);
        assert!(!table(&clean, &[3900.0]).contains("+ an outage"));
    }

    #[test]
    fn headers_carry_units_and_every_invariant_has_a_column() {
        let t = table(&summary(vec![strategy("quorum", vec![])]), &[3900.0]);
        let head = t.lines().next().unwrap();
        for h in [
            "availability",
            "write p50 ms",
            "write p99 ms",
            "longest outage s",
            "messages",
        ] {
            assert!(head.contains(h), "{head}");
        }
        for k in Kind::ALL {
            assert!(head.contains(short(k)), "{k:?}: {head}");
        }
        let row = t.lines().nth(1).unwrap();
        assert_eq!(row.matches(" 7").count(), Kind::ALL.len(), "{row}");
    }

    #[test]
    fn counts_are_singular_or_plural() {
        assert_eq!(count(1, "fault"), "1 fault");
        assert_eq!(count(0, "fault"), "0 faults");
        assert_eq!(count(4, "strategy"), "4 strategies");
        assert_eq!(count(1, "strategy"), "1 strategy");
        assert_eq!(count(2, "day"), "2 days");
    }
}
