//! `sweep-<metric>.{svg,png}`: one metric of a sweep against the first swept setting.
//! Each strategy keeps its colour and marker from the other plots; with more than one
//! `--set`, each combination of the other settings has its own dash pattern. A numeric
//! setting is a numeric axis (log when its values span decades), each line with its 95%
//! interval as a band; values that are not all numbers are categories: points with
//! interval whiskers, side by side, never joined by lines across categories.

use super::Plot;
use super::frame::{Series, Style, legend, legend_height, wrap};
use super::look::{self, Look, look};
use crate::sweep::grid::value_json;
use crate::sweep::{Cell, METRICS, Sweep};
use plotters::coord::Shift;
use plotters::prelude::*;

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 760;

/// A point of a line: x, mean, and the interval if there is one.
type Mark = (f64, f64, Option<(f64, f64)>);

/// One line: a strategy (by its position) at one combination of the other settings.
pub(super) struct Line {
    pub strategy: usize,
    pub look: Look,
    pub marks: Vec<Mark>,
}

pub struct SweepPlot {
    title: String,
    note: String,
    x_desc: String,
    y_desc: String,
    /// Category labels when the swept values are not all numbers (x is their index).
    categories: Option<Vec<String>>,
    x_log: bool,
    y_log: bool,
    /// No label below zero for a metric that cannot be negative.
    y_nonnegative: bool,
    lines: Vec<Line>,
    legend: Vec<Series>,
}

/// A setting's path as an axis title: its field in words, the unit from its suffix
/// (`strategies.*.callback_lease_s` reads `callback lease (s)`, `network.loss` reads
/// `network loss`, `workload.ops_per_client_s` reads `workload ops per client (per s)`).
pub fn axis_name(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let field = parts.last().copied().unwrap_or(path);
    let parent = parts.len().checked_sub(2).map(|i| parts[i]);
    let (stem, unit) = split_unit(field);
    let mut name = stem.replace('_', " ");
    let mut unit = unit;
    match (parts.as_slice(), parent) {
        (["strategies", which, _], _) if *which != "*" => name = format!("{name} of {which}"),
        (_, Some(p)) if p != "strategies" && p != "*" && p.parse::<usize>().is_err() => {
            // `network.latency_ms.max`: the unit is on the parent.
            let (p_stem, p_unit) = split_unit(p);
            unit = unit.or(p_unit);
            name = format!("{} {name}", p_stem.replace('_', " "));
        }
        _ => {}
    }
    match unit {
        Some(u) => format!("{name} ({u})"),
        None => name,
    }
}

/// A field name and the unit its suffix gives (`_s`, `_ms`, `_ppm`; `…_per_…_s` is a
/// rate per second).
fn split_unit(field: &str) -> (&str, Option<&'static str>) {
    if field.contains("_per_") && field.ends_with("_s") {
        (&field[..field.len() - 2], Some("per s"))
    } else if let Some(stem) = field.strip_suffix("_ms") {
        (stem, Some("ms"))
    } else if let Some(stem) = field.strip_suffix("_s") {
        (stem, Some("s"))
    } else if let Some(stem) = field.strip_suffix("_ppm") {
        (stem, Some("ppm"))
    } else {
        (field, None)
    }
}

/// Where each value of the first setting goes on the x axis, and whether that axis is
/// numeric (log when the values span more than two decades) or a list of categories.
fn x_axis(sweep: &Sweep) -> (Vec<f64>, Option<Vec<String>>, bool) {
    let Some(first) = sweep.specs.first() else {
        return (vec![0.0], Some(vec!["(as in the file)".into()]), false);
    };
    let numbers: Option<Vec<f64>> = first
        .values
        .iter()
        .map(|v| value_json(v).as_f64())
        .collect();
    match numbers {
        Some(xs) if xs.len() > 1 => {
            let (lo, hi) = xs
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
            (xs, None, lo > 0.0 && hi / lo > 100.0)
        }
        _ => {
            let xs = (0..first.values.len()).map(|i| i as f64).collect();
            (xs, Some(first.values.clone()), false)
        }
    }
}

/// The combination of the other settings at each point (its index among them, in
/// order of appearance), and their names.
fn combinations(sweep: &Sweep) -> (Vec<usize>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let combo = sweep
        .points
        .iter()
        .map(|p| {
            let name = sweep
                .specs
                .iter()
                .zip(&p.index)
                .skip(1)
                .map(|(s, &i)| format!("{} = {}", axis_name(&s.path), s.values[i]))
                .collect::<Vec<_>>()
                .join(", ");
            names.iter().position(|n| *n == name).unwrap_or_else(|| {
                names.push(name);
                names.len() - 1
            })
        })
        .collect();
    (combo, names)
}

/// Each strategy's line per combination of the other settings: `xs` places the first
/// setting's values, `combo` is each point's combination; with `several`
/// combinations, each has its dash pattern.
fn lines(
    sweep: &Sweep,
    cells: &[Vec<Cell>],
    metric: usize,
    (xs, combo, several): (&[f64], &[usize], bool),
) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for ((point, row), &c) in sweep.points.iter().zip(cells).zip(combo) {
        let x = xs[point.index.first().copied().unwrap_or(0)];
        for (k, cell) in row.iter().enumerate() {
            let e = &cell.estimates[metric];
            let Some(mean) = e.mean else { continue };
            let mut l = look(k);
            if several {
                l.dash = look::dash(c);
            }
            let mark = (x, mean, e.ci_low.zip(e.ci_high));
            match lines
                .iter_mut()
                .find(|line| line.strategy == k && line.look == l)
            {
                Some(line) => line.marks.push(mark),
                None => lines.push(Line {
                    strategy: k,
                    look: l,
                    marks: vec![mark],
                }),
            }
        }
    }
    lines
}

/// The strategies (colour and marker), then, with several combinations of the other
/// settings, each one's dash pattern in grey.
fn legend_entries(cells: &[Vec<Cell>], combos: &[String]) -> Vec<Series> {
    let first_row = cells.first().map(|r| r.as_slice()).unwrap_or_default();
    let mut legend: Vec<Series> = first_row
        .iter()
        .enumerate()
        .map(|(k, c)| Series::strategy(k, &c.strategy))
        .collect();
    if combos.len() > 1 {
        // Dashes tell the other settings apart, so a strategy is its colour and marker.
        legend.iter_mut().for_each(|s| s.look.dash = look::dash(0));
        for (c, name) in combos.iter().enumerate() {
            let grey = Look {
                color: RGBColor(90, 90, 90),
                dash: look::dash(c),
                marker: look(0).marker,
            };
            legend.push(Series {
                name: name.clone(),
                look: grey,
                marker: false,
            });
        }
    }
    legend
}

impl SweepPlot {
    pub fn new(sweep: &Sweep, cells: &[Vec<Cell>], metric: usize) -> SweepPlot {
        let m = METRICS[metric];
        let (xs, categories, x_log) = x_axis(sweep);
        let (combo, combos) = combinations(sweep);
        let several = combos.len() > 1;
        let lines = lines(sweep, cells, metric, (&xs, &combo, several));
        let legend = legend_entries(cells, &combos);
        let ys: Vec<f64> = lines
            .iter()
            .flat_map(|l| l.marks.iter().map(|m| m.1))
            .collect();
        let (lo, hi) = ys
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &y| (a.min(y), b.max(y)));
        let y_log = !ys.is_empty() && lo > 0.0 && hi / lo > 50.0;
        let axis = sweep
            .specs
            .first()
            .map_or("(no --set)".to_string(), |s| axis_name(&s.path));
        let seeds = match (sweep.seeds.first(), sweep.seeds.last()) {
            (Some(a), Some(b)) if a != b => format!("seeds {a}..{b}"),
            (Some(a), _) => format!("seed {a}"),
            _ => String::new(),
        };
        let shown = match categories.is_some() {
            true => "whiskers",
            false => "band",
        };
        SweepPlot {
            title: format!("{}: {} against {axis}", sweep.name, m.label),
            note: format!(
                "Mean over {} runs per point ({seeds}, the same at every point); {shown}: 95% \
                 bootstrap interval of the mean. {}: {}.",
                sweep.seeds.len(),
                m.key,
                m.description
            ),
            x_desc: format!("{axis}{}", if x_log { " (log scale)" } else { "" }),
            y_desc: format!("{}{}", m.label, if y_log { " (log scale)" } else { "" }),
            categories,
            x_log,
            y_log,
            y_nonnegative: ys.iter().all(|&y| y >= 0.0),
            lines,
            legend,
        }
    }

    fn x_range(&self) -> (f64, f64) {
        let xs = self.lines.iter().flat_map(|l| l.marks.iter().map(|m| m.0));
        let (lo, hi) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
        match (self.x_log, self.categories.is_some()) {
            _ if lo > hi => (0.0, 1.0),
            (true, _) => (lo / 1.5, hi * 1.5),
            (false, true) => (lo - 0.5, hi + 0.5),
            (false, false) if lo == hi => (lo - 1.0, hi + 1.0),
            (false, false) => (lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05),
        }
    }

    pub(super) fn y_range(&self) -> (f64, f64) {
        let ys = self.lines.iter().flat_map(|l| {
            l.marks.iter().flat_map(|m| {
                [Some(m.1), m.2.map(|c| c.0), m.2.map(|c| c.1)]
                    .into_iter()
                    .flatten()
            })
        });
        let (lo, hi) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
        if lo > hi {
            return (0.0, 1.0);
        }
        if self.y_log {
            let means = self.lines.iter().flat_map(|l| l.marks.iter().map(|m| m.1));
            let lowest_mean = means.fold(f64::MAX, f64::min);
            let floor = if lowest_mean < f64::MAX {
                lowest_mean / 3.0
            } else {
                lo
            };
            return (lo.max(floor).min(hi) / 1.5, hi * 1.5);
        }
        // Padded on both sides, so a line at zero does not hide in the axis; never
        // below zero for a metric that cannot be negative.
        let pad = if hi > lo {
            (hi - lo) * 0.08
        } else {
            hi.abs().max(1.0) * 0.5
        };
        let low = if self.y_nonnegative && lo >= 0.0 {
            (lo - pad).max(-pad * 0.5)
        } else {
            lo - pad
        };
        (low, hi + pad)
    }
}

impl Plot for SweepPlot {
    fn size(&self) -> (u32, u32) {
        (
            WIDTH,
            HEIGHT + legend_height(&self.legend, WIDTH as i32 - 150) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        root.draw(&Text::new(self.title.clone(), (20, 14), Style::title()))?;
        let mut y = 44;
        for line in wrap(&self.note, Style::NOTE, WIDTH as i32 - 40) {
            root.draw(&Text::new(line, (20, y), Style::muted(Style::NOTE)))?;
            y += Style::NOTE as i32 + 6;
        }
        let legend_h = legend(root, &self.legend, (110, y + 8), WIDTH as i32 - 150)?;
        let (_, body) = root.split_vertically((y + 8 + legend_h + 10) as u32);
        let (x0, x1) = self.x_range();
        let (y0, y1) = self.y_range();
        let (x, y) = (x0..x1, y0..y1);
        match (self.x_log, self.y_log) {
            (false, false) => self.chart(&body, x, y),
            (true, false) => self.chart(&body, x.log_scale(), y),
            (false, true) => self.chart(&body, x, y.log_scale()),
            (true, true) => self.chart(&body, x.log_scale(), y.log_scale()),
        }
    }
}

mod chart;

#[cfg(test)]
mod tests {
    use super::axis_name;

    #[test]
    fn axes_are_named_in_words_with_units() {
        assert_eq!(
            axis_name("strategies.*.callback_lease_s"),
            "callback lease (s)"
        );
        assert_eq!(
            axis_name("strategies.quorum.lock_lease_s"),
            "lock lease of quorum (s)"
        );
        assert_eq!(axis_name("network.loss"), "network loss");
        assert_eq!(axis_name("cell.clients"), "cell clients");
        assert_eq!(
            axis_name("workload.ops_per_client_s"),
            "workload ops per client (per s)"
        );
        assert_eq!(axis_name("network.latency_ms.max"), "latency max (ms)");
        assert_eq!(axis_name("duration_s"), "duration (s)");
    }
}
