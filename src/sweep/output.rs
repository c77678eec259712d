//! What `afsim sweep` writes and prints: `sweep.json`, `sweep.csv` and the table.

use super::grid::value_json;
use super::stats::Estimate;
use super::{Cell, METRICS, Sweep};
use crate::report::files::{csv_field, json};
use crate::report::summary::{Ordered, VERSION};
use serde::Serialize;

#[derive(Serialize)]
struct SweepJson<'a> {
    afsim_version: &'static str,
    scenario: &'a str,
    seeds: &'a [u64],
    sets: Vec<SetJson<'a>>,
    metrics: Vec<MetricJson>,
    points: Vec<PointJson<'a>>,
}

#[derive(Serialize)]
struct SetJson<'a> {
    path: &'a str,
    values: Vec<serde_json::Value>,
}

#[derive(Serialize)]
struct MetricJson {
    key: &'static str,
    label: &'static str,
    description: &'static str,
}

#[derive(Serialize)]
struct PointJson<'a> {
    /// One per `--set`, in their order.
    values: Vec<serde_json::Value>,
    strategies: Vec<CellJson<'a>>,
}

#[derive(Serialize)]
struct CellJson<'a> {
    name: &'a str,
    recovery: &'static str,
    metrics: Ordered<MetricValues<'a>>,
}

#[derive(Serialize)]
struct MetricValues<'a> {
    #[serde(flatten)]
    estimate: &'a Estimate,
    per_seed: &'a [Option<f64>],
}

/// `sweep.json`: the seeds, the grid, and per point and strategy each metric's mean,
/// interval and per-seed values (in seed order).
pub fn sweep_json(sweep: &Sweep, cells: &[Vec<Cell>]) -> String {
    let points = sweep
        .points
        .iter()
        .zip(cells)
        .map(|(p, row)| PointJson {
            values: p.values(&sweep.specs).into_iter().map(value_json).collect(),
            strategies: row
                .iter()
                .map(|c| CellJson {
                    name: &c.strategy,
                    recovery: c.recovery,
                    metrics: Ordered(
                        METRICS
                            .iter()
                            .enumerate()
                            .map(|(m, metric)| {
                                let values = MetricValues {
                                    estimate: &c.estimates[m],
                                    per_seed: &c.per_seed[m],
                                };
                                (metric.key, values)
                            })
                            .collect(),
                    ),
                })
                .collect(),
        })
        .collect();
    json(&SweepJson {
        afsim_version: VERSION,
        scenario: &sweep.name,
        seeds: &sweep.seeds,
        sets: sweep
            .specs
            .iter()
            .map(|s| SetJson {
                path: &s.path,
                values: s.values.iter().map(|v| value_json(v)).collect(),
            })
            .collect(),
        metrics: METRICS
            .iter()
            .map(|m| MetricJson {
                key: m.key,
                label: m.label,
                description: m.description,
            })
            .collect(),
        points,
    })
}

fn number(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| x.to_string())
}

/// Words R does not take as column names.
const RESERVED: [&str; 16] = [
    "if", "else", "repeat", "while", "function", "for", "in", "next", "break", "TRUE", "FALSE",
    "NULL", "Inf", "NaN", "NA", "T",
];

/// Column names that R's `read.csv` keeps as they are (its `make.names` rewrites
/// `strategies.*.callback_lease_s` to `strategies...callback_lease_s`) and pandas does
/// not rename: ASCII letters, digits and `_`, starting with a letter, no reserved word,
/// each unique (a repeat gets `_2`, `_3`).
pub fn column_names(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in raw {
        let mapped: String = r
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut name = mapped
            .split('_')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            name = format!("x{}{name}", if name.is_empty() { "" } else { "_" });
        }
        if RESERVED.contains(&name.as_str()) {
            name.push_str("_value");
        }
        let base = name.clone();
        let mut k = 2;
        while out.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        out.push(name);
    }
    out
}

/// `sweep.csv`: one row per point and strategy: the swept values, the strategy, then
/// each metric's mean and 95% interval (empty where there is none). Column names are
/// syntactic ([`column_names`]): a swept path's dots and stars become `_`.
pub fn sweep_csv(sweep: &Sweep, cells: &[Vec<Cell>]) -> String {
    let mut header: Vec<String> = sweep.specs.iter().map(|s| s.path.clone()).collect();
    header.push("strategy".into());
    for m in &METRICS {
        for part in ["mean", "ci_low", "ci_high"] {
            header.push(format!("{}_{part}", m.key));
        }
    }
    let mut out = column_names(&header).join(",") + "\n";
    for (p, row) in sweep.points.iter().zip(cells) {
        let values: Vec<String> = p.values(&sweep.specs).into_iter().map(csv_field).collect();
        for c in row {
            let mut fields = values.clone();
            fields.push(csv_field(&c.strategy));
            for e in &c.estimates {
                fields.extend([number(e.mean), number(e.ci_low), number(e.ci_high)]);
            }
            out.push_str(&(fields.join(",") + "\n"));
        }
    }
    out
}

/// A mean for the table: enough digits to compare, no more.
fn short(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Some(x) if x.abs() < 1.0 && x != 0.0 => format!("{x:.4}"),
        Some(x) if x.abs() < 100.0 => format!("{x:.2}"),
        Some(x) => format!("{x:.0}"),
    }
}

/// The table `afsim sweep` prints: one line per point and strategy, each metric's mean.
pub fn table(sweep: &Sweep, cells: &[Vec<Cell>]) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut head: Vec<String> = sweep.specs.iter().map(|s| s.path.clone()).collect();
    head.push("strategy".into());
    head.extend(METRICS.iter().map(|m| m.label.to_string()));
    rows.push(head);
    for (p, row) in sweep.points.iter().zip(cells) {
        for c in row {
            let mut r: Vec<String> = p
                .values(&sweep.specs)
                .into_iter()
                .map(String::from)
                .collect();
            r.push(c.strategy.clone());
            r.extend(c.estimates.iter().map(|e| short(e.mean)));
            rows.push(r);
        }
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|k| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0))
        .collect();
    let text_columns = sweep.specs.len() + 1;
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(k, v)| match k < text_columns {
                true => format!("{v:<w$}", w = widths[k]),
                false => format!("{v:>w$}", w = widths[k]),
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::column_names;

    #[test]
    fn column_names_are_syntactic_and_unique() {
        let raw: Vec<String> = [
            "strategies.*.callback_lease_s",
            "network.loss",
            "strategies.0.callback_lease_s",
            "strategies.0.callback_lease_s ",
            "strategy",
            "2nd",
            "if",
            "availability_mean",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            column_names(&raw),
            [
                "strategies_callback_lease_s",
                "network_loss",
                "strategies_0_callback_lease_s",
                "strategies_0_callback_lease_s_2",
                "strategy",
                "x_2nd",
                "if_value",
                "availability_mean",
            ]
        );
    }
}
