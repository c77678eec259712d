//! The comparison table `afsim run` prints.

use super::summary::{StrategySummary, Summary};

fn cell_ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

fn outage(s: &StrategySummary) -> String {
    let outages: Vec<f64> = s
        .recoveries
        .iter()
        .filter_map(|r| r.unavailable_s)
        .collect();
    let missing = s.recoveries.len() - outages.len();
    match (outages.is_empty(), missing) {
        (true, 0) => "-".into(),
        (true, _) => "never".into(),
        _ => {
            let mean = outages.iter().sum::<f64>() / outages.len() as f64;
            let text = format!("{mean:.1}");
            if missing > 0 {
                format!("{text}+")
            } else {
                text
            }
        }
    }
}

/// One line per strategy: availability, write latency, outage, violations, messages.
pub fn table(summary: &Summary) -> String {
    let width = summary
        .strategies
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = format!(
        "{:width$}  {:>8}  {:>9}  {:>9}  {:>10}  {:>5} {:>5} {:>5} {:>5}  {:>9}\n",
        "strategy",
        "avail",
        "write p50",
        "write p99",
        "outage s",
        "stale",
        "lock",
        "lost",
        "live",
        "messages"
    );
    for s in &summary.strategies {
        let v = &s.violations.0;
        out.push_str(&format!(
            "{:width$}  {:>8}  {:>9}  {:>9}  {:>10}  {:>5} {:>5} {:>5} {:>5}  {:>9}\n",
            s.name,
            s.availability.map_or("-".into(), |a| format!("{a:.4}")),
            cell_ms(s.ops.write.p50_ms),
            cell_ms(s.ops.write.p99_ms),
            outage(s),
            v[0].1,
            v[1].1,
            v[2].1,
            v[3].1,
            s.messages.total,
        ));
    }
    out
}
