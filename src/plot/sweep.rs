//! `sweep-<metric>.{svg,png}`: one metric of a sweep against the first swept setting,
//! a line per strategy (per strategy and value of the other settings, if several
//! `--set`s), each with its 95% confidence band.

use super::Plot;
use super::frame::{Series, Style, legend, palette, wrap};
use crate::sweep::grid::value_json;
use crate::sweep::{Cell, METRICS, Sweep};
use plotters::coord::Shift;
use plotters::prelude::*;

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 760;

/// A point of a line: x, mean, and the interval if there is one.
type Mark = (f64, f64, Option<(f64, f64)>);

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
    lines: Vec<(Series, Vec<Mark>)>,
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

impl SweepPlot {
    pub fn new(sweep: &Sweep, cells: &[Vec<Cell>], metric: usize) -> SweepPlot {
        let m = METRICS[metric];
        let (xs, categories, x_log) = x_axis(sweep);
        let mut lines: Vec<(Series, Vec<Mark>)> = Vec::new();
        for (point, row) in sweep.points.iter().zip(cells) {
            let x = xs[point.index.first().copied().unwrap_or(0)];
            let others: Vec<String> = sweep
                .specs
                .iter()
                .zip(&point.index)
                .skip(1)
                .map(|(s, &i)| format!("{}={}", s.path, s.values[i]))
                .collect();
            for c in row {
                let name = match others.is_empty() {
                    true => c.strategy.clone(),
                    false => format!("{} ({})", c.strategy, others.join(", ")),
                };
                let e = &c.estimates[metric];
                let Some(mean) = e.mean else { continue };
                let mark = (x, mean, e.ci_low.zip(e.ci_high));
                match lines.iter_mut().find(|(s, _)| s.name == name) {
                    Some((_, marks)) => marks.push(mark),
                    None => {
                        let color = palette(lines.len());
                        lines.push((Series { name, color }, vec![mark]));
                    }
                }
            }
        }
        let ys: Vec<f64> = lines
            .iter()
            .flat_map(|(_, ms)| ms.iter().map(|m| m.1))
            .collect();
        let (lo, hi) = ys
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &y| (a.min(y), b.max(y)));
        let y_log = !ys.is_empty() && lo > 0.0 && hi / lo > 50.0;
        let y_nonnegative = ys.iter().all(|&y| y >= 0.0);
        let path = sweep
            .specs
            .first()
            .map_or("(no --set)".to_string(), |s| s.path.clone());
        let seeds = match (sweep.seeds.first(), sweep.seeds.last()) {
            (Some(a), Some(b)) if a != b => format!("seeds {a}..{b}"),
            (Some(a), _) => format!("seed {a}"),
            _ => String::new(),
        };
        SweepPlot {
            title: format!("{}: {} against {path}", sweep.name, m.label),
            note: format!(
                "Mean over {} runs per point ({seeds}, the same at every point), band: 95% \
                 confidence interval. {}: {}.",
                sweep.seeds.len(),
                m.key,
                m.description
            ),
            x_desc: format!("{path}{}", if x_log { " (log scale)" } else { "" }),
            y_desc: format!("{}{}", m.label, if y_log { " (log scale)" } else { "" }),
            categories,
            x_log,
            y_log,
            y_nonnegative,
            lines,
        }
    }

    fn x_range(&self) -> (f64, f64) {
        let xs = self.lines.iter().flat_map(|(_, ms)| ms.iter().map(|m| m.0));
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
        let ys = self.lines.iter().flat_map(|(_, ms)| {
            ms.iter().flat_map(|m| {
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
            let means = self.lines.iter().flat_map(|(_, ms)| ms.iter().map(|m| m.1));
            let lowest_mean = means.fold(f64::MAX, f64::min);
            return (lo.max(lowest_mean / 3.0) / 1.5, hi * 1.5);
        }
        // Padded on both sides, so a line at zero does not hide in the axis.
        let pad = if hi > lo {
            (hi - lo) * 0.08
        } else {
            hi.abs().max(1.0) * 0.5
        };
        (lo - pad, hi + pad)
    }
}

impl Plot for SweepPlot {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        root.draw(&Text::new(self.title.clone(), (20, 14), Style::title()))?;
        let mut y = 44;
        for line in wrap(root, &self.note, Style::NOTE, WIDTH as i32 - 40) {
            root.draw(&Text::new(line, (20, y), Style::muted(Style::NOTE)))?;
            y += Style::NOTE as i32 + 6;
        }
        let series: Vec<Series> = self.lines.iter().map(|(s, _)| s.clone()).collect();
        let legend_h = legend(root, &series, (110, y + 8), WIDTH as i32 - 150)?;
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
