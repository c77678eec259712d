//! `availability.{svg,png}`: each strategy's availability in 60 s bins over the run,
//! faults shaded and labelled; under it one lane per strategy with a bar from each fault
//! to the moment writes open again (the outage `summary.json` reports); and at the
//! bottom a panel per failover, zoomed in, in 10 s bins.

mod faults;
mod lanes;
mod zoom;

use super::Plot;
use super::frame::{Series, Style, TimeUnit, human_duration, legend, legend_height};
use super::look;
use crate::metrics::{BIN, FINE_BIN};
use crate::run::Outcome;
use crate::scenario::Scenario;
use faults::{FaultMark, Labels};
use plotters::coord::Shift;
use plotters::prelude::*;
use sim::Instant;

/// One outage: fault, master elected, writes open (`None`: not before the end).
#[derive(Clone, Debug)]
pub struct Outage {
    at_s: f64,
    elected_s: Option<f64>,
    open_s: Option<f64>,
}

/// Per strategy, per bin: (bin middle in s, availability), `None` for an empty bin.
type Line = Vec<Option<(f64, f64)>>;

pub struct Availability {
    title: String,
    duration_s: f64,
    unit: TimeUnit,
    series: Vec<Series>,
    bins: Vec<Line>,
    fine: Vec<Line>,
    outages: Vec<Vec<Outage>>,
    lanes: Vec<Vec<lanes::Bar>>,
    faults: Vec<FaultMark>,
    labels: Labels,
    zooms: Vec<zoom::Window>,
    zooms_left_out: usize,
    y_low: f64,
    /// Width of the label area left of the charts (the lanes put names there).
    left: u32,
}

const WIDTH: u32 = 1400;
/// The narrowest the label area left of the charts gets (it widens for long names).
const LEFT: u32 = 100;
/// Room right of the charts, for the label of an outage that ends at the run's end.
const RIGHT: u32 = 90;
/// Room left of the axis title, which plotters sets against the edge.
const MARGIN_LEFT: u32 = 14;
const MAIN_H: u32 = 420;
const LEGEND_Y: i32 = 70;
const FAULT_FILL: RGBColor = RGBColor(150, 150, 150);

fn secs(t: Instant) -> f64 {
    t.as_micros() as f64 / 1e6
}

/// Each bin's middle and availability, `None` where nothing was attempted.
fn line(counts: impl Iterator<Item = (u64, u64)>, width_s: f64, duration_s: f64) -> Line {
    counts
        .enumerate()
        .map(|(i, (attempted, succeeded))| {
            let mid = ((i as f64 + 0.5) * width_s).min(duration_s);
            (attempted > 0).then(|| (mid, succeeded as f64 / attempted as f64))
        })
        .collect()
}

/// A run's availability in [`BIN`]s over `[0, duration_s)`.
fn minute_line(o: &Outcome, duration_s: f64) -> Line {
    let width = BIN.as_secs_f64();
    let b = |i| o.metrics().bins.get(i).copied().unwrap_or_default();
    let n = (duration_s / width).ceil() as usize;
    line(
        (0..n).map(|i| (b(i).attempted, b(i).succeeded)),
        width,
        duration_s,
    )
}

/// A run's availability in [`FINE_BIN`]s over `[0, duration_s)`.
fn fine_line(o: &Outcome, duration_s: f64) -> Line {
    let width = FINE_BIN.as_secs_f64();
    let b = |i| o.metrics().fine.get(i).copied().unwrap_or_default();
    let n = (duration_s / width).ceil() as usize;
    let counts = (0..n).map(|i| (u64::from(b(i).attempted), u64::from(b(i).succeeded)));
    line(counts, width, duration_s)
}

fn outages(o: &Outcome) -> Vec<Outage> {
    let list = &o.metrics().recoveries.list;
    list.iter()
        .map(|r| Outage {
            at_s: secs(r.at),
            elected_s: r.elected_at.map(secs),
            open_s: r.writes_open_at.map(secs),
        })
        .collect()
}

impl Availability {
    pub fn new(scenario: &Scenario, seed: u64, outcomes: &[Outcome]) -> Availability {
        let duration_s = scenario.duration_s;
        let bins: Vec<Line> = outcomes
            .iter()
            .map(|o| minute_line(o, duration_s))
            .collect();
        let fine: Vec<Line> = outcomes.iter().map(|o| fine_line(o, duration_s)).collect();
        let lowest = bins
            .iter()
            .flatten()
            .flatten()
            .map(|p| p.1)
            .fold(1.0, f64::min);
        let unit = TimeUnit::for_span(duration_s);
        let left = label_area(scenario);
        let outages: Vec<Vec<Outage>> = outcomes.iter().map(outages).collect();
        let plot_w = f64::from(WIDTH - MARGIN_LEFT - left - RIGHT);
        let x_of =
            |s: f64| (f64::from(MARGIN_LEFT + left) + s / duration_s * plot_w).round() as i32;
        let faults = faults::marks(outcomes);
        let when = |s: f64| at_time(s, unit);
        let xs: Vec<i32> = faults.iter().map(|f| x_of(f.at_s)).collect();
        let labels = faults::layout(
            &faults,
            &xs,
            (WIDTH - RIGHT) as i32,
            &when,
            WIDTH as i32 - 40,
        );
        let name = |at: f64| {
            let what = faults
                .iter()
                .rev()
                .find(|f| f.at_s <= at)
                .filter(|f| f.at_s == at);
            let what = what.map_or("lease lapse".to_string(), |f| f.label.clone());
            format!("{what} at {}", when(at))
        };
        let (zooms, zooms_left_out) = zoom::windows(&outages, duration_s, &name);
        Availability {
            title: format!("{}: availability over time (seed {seed})", scenario.name),
            duration_s,
            unit,
            series: scenario
                .strategies
                .iter()
                .enumerate()
                .map(|(i, s)| Series::strategy(i, &s.name))
                .collect(),
            bins,
            fine,
            lanes: outages
                .iter()
                .map(|o| lanes::bars(o, duration_s, &x_of))
                .collect(),
            outages,
            faults,
            labels,
            zooms,
            zooms_left_out,
            y_low: (((lowest - 0.02) * 10.0).floor() / 10.0).clamp(0.0, 0.9),
            left,
        }
    }

    /// Where the main chart starts: under the title, note, legend and fault labels.
    fn main_top(&self) -> u32 {
        let legend_w = (WIDTH - MARGIN_LEFT - self.left - RIGHT) as i32;
        let legend_h = legend_height(&self.series, legend_w);
        (LEGEND_Y + legend_h) as u32 + self.labels.rows() as u32 * faults::ROW_H as u32 + 8
    }

    fn key_height(&self) -> u32 {
        let key = self.labels.key().len() as u32;
        let zoom_note = u32::from(!self.zooms.is_empty());
        (key + zoom_note) * (Style::NOTE + 6) + 16
    }
}

/// An instant of the run for labels: `30 min`, `27.4 min`, `4.5 h`.
fn at_time(s: f64, unit: TimeUnit) -> String {
    let v = s / unit.seconds;
    let short = if unit.seconds >= 3600.0 { "h" } else { "min" };
    let v = if (v - v.round()).abs() < 0.05 {
        v.round()
    } else {
        (v * 10.0).round() / 10.0
    };
    format!("{} {short}", super::frame::trim(v))
}

/// Room for the axis labels, or for the longest strategy name beside its lane.
fn label_area(scenario: &Scenario) -> u32 {
    let widest = scenario
        .strategies
        .iter()
        .map(|s| super::frame::text_width(&s.name, Style::NOTE))
        .max()
        .unwrap_or(0);
    LEFT.max(widest as u32 + 24)
}

impl Plot for Availability {
    fn size(&self) -> (u32, u32) {
        let lanes = lanes::height(&self.lanes);
        let zooms = self.zoom_rows() * zoom::ROW_H;
        (
            WIDTH,
            self.main_top() + MAIN_H + lanes + zooms + self.key_height(),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        root.draw(&Text::new(self.title.clone(), (20, 14), Style::title()))?;
        let note = "Operations by invoke time, all kinds pooled, in 60 s bins. Grey: faults. Bars: fault to \
                    writes open (light part: until a master is elected; +: not open by the end).";
        root.draw(&Text::new(note, (20, 44), Style::muted(Style::NOTE)))?;
        let legend_x = (MARGIN_LEFT + self.left) as i32;
        legend(
            root,
            &self.series,
            (legend_x, LEGEND_Y),
            (WIDTH - MARGIN_LEFT - self.left - RIGHT) as i32,
        )?;
        let top = self.main_top();
        self.label_faults(
            root,
            top as i32 - self.labels.rows() as i32 * faults::ROW_H - 4,
        )?;
        let (_, rest) = root.split_vertically(top);
        let (main, rest) = rest.split_vertically(MAIN_H);
        let (lane_area, rest) = rest.split_vertically(lanes::height(&self.lanes));
        let (zoom_area, key_area) = rest.split_vertically(self.zoom_rows() * zoom::ROW_H);
        let x_max = self.duration_s / self.unit.seconds;
        self.draw_main(&main, x_max)?;
        self.draw_lanes(&lane_area, x_max)?;
        self.draw_zooms(&zoom_area)?;
        self.draw_key(&key_area)
    }
}

type Chart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

impl Availability {
    fn draw_main<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x_max: f64,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (y0, y1) = (self.y_low, 1.0 + (1.0 - self.y_low) * 0.04);
        let mut chart = ChartBuilder::on(area)
            .margin_right(RIGHT)
            .margin_left(MARGIN_LEFT)
            .margin_bottom(6)
            .y_label_area_size(self.left)
            .build_cartesian_2d(0f64..x_max, y0..y1)?;
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
        self.shade_faults(&mut chart, y0, y1)?;
        let n = self.series.len();
        for (i, bins) in self.bins.iter().enumerate() {
            for run in bins.split(Option::is_none) {
                let pts: Vec<(f64, f64)> = run
                    .iter()
                    .flatten()
                    .map(|&(t, a)| (t / self.unit.seconds, a))
                    .collect();
                look::series(&chart, &pts, (i, n), 140.0)?;
            }
        }
        Ok(())
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

    /// Under the plot: what the zoomed panels show, and the faults' key when the ticks
    /// carry numbers.
    fn draw_key<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let mut y = 8;
        if !self.zooms.is_empty() {
            let more = match self.zooms_left_out {
                0 => String::new(),
                n => format!(" ({n} later failovers not shown)"),
            };
            let text = format!(
                "Panels: each failover up close, in {} bins; a line per strategy from the fault to where its writes opened (marker){more}.",
                human_duration(FINE_BIN.as_secs_f64())
            );
            area.draw(&Text::new(text, (20, y), Style::muted(Style::NOTE)))?;
            y += Style::NOTE as i32 + 6;
        }
        for line in self.labels.key() {
            area.draw(&Text::new(line.clone(), (20, y), Style::muted(Style::NOTE)))?;
            y += Style::NOTE as i32 + 6;
        }
        Ok(())
    }
}
