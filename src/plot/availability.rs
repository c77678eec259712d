//! `availability.{svg,png}`: each strategy's availability in 60 s bins over the run,
//! the faults shaded and labelled, and below, one lane per strategy with a bar from each
//! fault to the moment writes open again (the outage `summary.json` reports).

use super::Plot;
use super::frame::{Series, Style, TimeUnit, legend, palette, text_width};
use crate::metrics::BIN;
use crate::run::Outcome;
use crate::scenario::Scenario;
use plotters::coord::Shift;
use plotters::prelude::*;
use sim::Instant;

/// A fault as shaded: its span (or instant) and its label.
#[derive(Clone, Debug, PartialEq)]
struct FaultMark {
    at_s: f64,
    until_s: Option<f64>,
    label: String,
}

/// One outage: fault, master elected, writes open (`None`: not before the end).
#[derive(Clone, Debug)]
struct Outage {
    at_s: f64,
    elected_s: Option<f64>,
    open_s: Option<f64>,
}

pub struct Availability {
    title: String,
    duration_s: f64,
    unit: TimeUnit,
    series: Vec<Series>,
    /// Per strategy, per bin: (bin middle in s, availability), `None` for an empty bin.
    bins: Vec<Vec<Option<(f64, f64)>>>,
    outages: Vec<Vec<Outage>>,
    faults: Vec<FaultMark>,
    y_low: f64,
    /// Width of the label area left of both charts (the lanes put names there).
    left: u32,
}

const WIDTH: u32 = 1400;
/// The narrowest the label area left of the charts gets (it widens for long names).
const LEFT: u32 = 100;
const RIGHT: u32 = 40;
/// Room left of the axis title, which plotters sets against the edge.
const MARGIN_LEFT: u32 = 14;
const LANE_H: u32 = 34;

fn secs(t: Instant) -> f64 {
    t.as_micros() as f64 / 1e6
}

impl Availability {
    pub fn new(scenario: &Scenario, seed: u64, outcomes: &[Outcome]) -> Availability {
        let duration_s = scenario.duration_s;
        let n_bins = (duration_s / BIN.as_secs_f64()).ceil() as usize;
        let width = BIN.as_secs_f64();
        let bins: Vec<Vec<Option<(f64, f64)>>> = outcomes
            .iter()
            .map(|o| {
                (0..n_bins)
                    .map(|i| {
                        let b = o.metrics.bins.get(i).copied().unwrap_or_default();
                        let mid = ((i as f64 + 0.5) * width).min(duration_s);
                        (b.attempted > 0).then(|| (mid, b.succeeded as f64 / b.attempted as f64))
                    })
                    .collect()
            })
            .collect();
        let lowest = bins
            .iter()
            .flatten()
            .flatten()
            .map(|p| p.1)
            .fold(1.0, f64::min);
        Availability {
            title: format!("{}: availability over time (seed {seed})", scenario.name),
            duration_s,
            unit: TimeUnit::for_span(duration_s),
            series: scenario
                .strategies
                .iter()
                .enumerate()
                .map(|(i, s)| Series {
                    name: s.name.clone(),
                    color: palette(i),
                })
                .collect(),
            bins,
            outages: outcomes.iter().map(outages).collect(),
            faults: fault_marks(outcomes),
            y_low: (((lowest - 0.02) * 10.0).floor() / 10.0).clamp(0.0, 0.9),
            left: label_area(scenario),
        }
    }

    fn lanes_height(&self) -> u32 {
        LANE_H * self.series.len() as u32 + 70
    }
}

/// Room for the axis labels, or for the longest strategy name beside its lane.
fn label_area(scenario: &Scenario) -> u32 {
    let font = super::text::Sized::new(Style::NOTE.into(), false);
    let widest = scenario
        .strategies
        .iter()
        .map(|s| font.measure(&s.name).0)
        .max()
        .unwrap_or(0);
    LEFT.max(widest + 24)
}

fn outages(o: &Outcome) -> Vec<Outage> {
    o.metrics
        .recoveries
        .list
        .iter()
        .map(|r| Outage {
            at_s: secs(r.at),
            elected_s: r.elected_at.map(secs),
            open_s: r.writes_open_at.map(secs),
        })
        .collect()
}

/// Every fault some strategy applied, once (they share the schedule; a symbolic target
/// may resolve differently, so the label lists each distinct node).
fn fault_marks(outcomes: &[Outcome]) -> Vec<FaultMark> {
    let mut marks: Vec<(FaultMark, Vec<String>)> = Vec::new();
    for f in outcomes.iter().flat_map(|o| &o.faults) {
        let Some(node) = &f.resolved else { continue };
        let at_s = secs(f.at);
        let until_s = f.until.map(secs);
        let same = |m: &FaultMark| m.at_s == at_s && m.until_s == until_s && m.label == f.fault;
        match marks.iter_mut().find(|(m, _)| same(m)) {
            Some((_, nodes)) if !nodes.contains(node) => nodes.push(node.clone()),
            Some(_) => {}
            None => marks.push((
                FaultMark {
                    at_s,
                    until_s,
                    label: f.fault.clone(),
                },
                vec![node.clone()],
            )),
        }
    }
    marks
        .into_iter()
        .map(|(mut m, nodes)| {
            if !m.label.contains(&nodes.join("/")) {
                m.label = format!("{} ({})", m.label, nodes.join("/"));
            }
            m
        })
        .collect()
}

/// Where a fault label `w` wide starts: right of its tick at `x`, or left of it where
/// it would run off the chart (never across the tick).
fn label_start(x: i32, w: i32) -> i32 {
    let right_edge = WIDTH as i32 - RIGHT as i32;
    if x + 4 + w <= right_edge {
        x
    } else {
        x - w - 8
    }
}

const FAULT_FILL: RGBColor = RGBColor(150, 150, 150);

impl Plot for Availability {
    fn size(&self) -> (u32, u32) {
        (
            WIDTH,
            560 + self.lanes_height() + 40 * self.faults.len().min(3) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        root.draw(&Text::new(self.title.clone(), (20, 14), Style::title()))?;
        let note = "Operations by invoke time, all kinds pooled. Grey: faults. \
                    Bars below: fault to writes open (light part: until a master is elected).";
        root.draw(&Text::new(note, (20, 44), Style::muted(Style::NOTE)))?;
        let at = ((MARGIN_LEFT + self.left) as i32, 70);
        let legend_h = legend(
            root,
            &self.series,
            at,
            (WIDTH - MARGIN_LEFT - self.left - RIGHT) as i32,
        )?;
        let (_, h) = self.size();
        let labels_h = self.fault_label_rows(root) * 20 + 8;
        let top = 70 + legend_h as u32 + labels_h;
        let lanes_top = h - self.lanes_height();
        let (upper, lanes) = root.split_vertically(lanes_top);
        let (_, main) = upper.split_vertically(top);
        let x_max = self.duration_s / self.unit.seconds;
        let mut chart = ChartBuilder::on(&main)
            .margin_right(RIGHT)
            .margin_left(MARGIN_LEFT)
            .margin_bottom(6)
            .y_label_area_size(self.left)
            .build_cartesian_2d(0f64..x_max, self.y_low..1.0 + (1.0 - self.y_low) * 0.04)?;
        chart
            .configure_mesh()
            .x_labels(13)
            .y_labels(11)
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .y_desc("availability")
            .label_style(Style::text(Style::TICK))
            .axis_desc_style(Style::text(Style::LABEL))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(TRANSPARENT)
            .draw()?;
        let (y0, y1) = (self.y_low, 1.0 + (1.0 - self.y_low) * 0.04);
        self.shade_faults(&mut chart, y0, y1)?;
        for (i, (s, bins)) in self.series.iter().zip(&self.bins).enumerate() {
            // Earlier strategies drawn wider, so lines that coincide (all at 100%) still
            // show every colour.
            let width = (self.series.len() - i) as u32 + 1;
            for run in bins.split(Option::is_none) {
                let pts = run
                    .iter()
                    .flatten()
                    .map(|&(t, a)| (t / self.unit.seconds, a));
                chart.draw_series(LineSeries::new(pts, s.color.stroke_width(width)))?;
            }
        }
        self.label_faults(root, top as i32 - labels_h as i32)?;
        self.draw_lanes(&lanes, x_max)
    }
}

type Chart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

impl Availability {
    /// Where each fault sits on the x axis, in pixels.
    fn fault_xs(&self) -> Vec<i32> {
        let plot_w = f64::from(WIDTH - MARGIN_LEFT - self.left - RIGHT);
        self.faults
            .iter()
            .map(|f| {
                (f64::from(MARGIN_LEFT + self.left) + f.at_s / self.duration_s * plot_w).round()
                    as i32
            })
            .collect()
    }

    /// Rows of fault labels needed above the chart (labels that would overlap move down).
    fn fault_label_rows<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> u32
    where
        DB::ErrorType: 'static,
    {
        let rows = self.label_rows(area, &self.fault_xs());
        rows.into_iter().max().map_or(0, |r| r + 1)
    }

    /// The row of each fault label: the first row where it does not overlap another.
    fn label_rows<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, xs: &[i32]) -> Vec<u32>
    where
        DB::ErrorType: 'static,
    {
        let mut ends: Vec<i32> = Vec::new();
        self.faults
            .iter()
            .zip(xs)
            .map(|(f, &x)| {
                let w = text_width(area, &f.label, Style::NOTE);
                let start = label_start(x, w);
                let row = ends
                    .iter()
                    .position(|&end| end + 12 < start)
                    .unwrap_or(ends.len());
                if row == ends.len() {
                    ends.push(start + w);
                } else {
                    ends[row] = start + w;
                }
                row as u32
            })
            .collect()
    }

    fn shade_faults<DB: DrawingBackend>(
        &self,
        chart: &mut Chart<'_, DB>,
        y0: f64,
        y1: f64,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let u = self.unit.seconds;
        for f in &self.faults {
            let a = f.at_s / u;
            match f.until_s {
                Some(b) if b > f.at_s => {
                    let b = b.min(self.duration_s) / u;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(a, y0), (b, y1)],
                        FAULT_FILL.mix(0.28).filled(),
                    )))?;
                }
                _ => {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(a, y0), (a, y1)],
                        FAULT_FILL.stroke_width(2),
                    )))?;
                }
            }
        }
        Ok(())
    }

    fn label_faults<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        y: i32,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let xs = self.fault_xs();
        let rows = self.label_rows(root, &xs);
        for ((f, &x), row) in self.faults.iter().zip(&xs).zip(rows) {
            let w = text_width(root, &f.label, Style::NOTE);
            let start = label_start(x, w);
            let ty = y + row as i32 * 20;
            root.draw(&PathElement::new(
                vec![(x, ty + 2), (x, ty + 16)],
                FAULT_FILL.stroke_width(2),
            ))?;
            root.draw(&Text::new(
                f.label.clone(),
                (start + 4, ty),
                Style::text(Style::NOTE),
            ))?;
        }
        Ok(())
    }
}

mod lanes;
