//! `latency.{svg,png}`: the latency distribution of succeeded operations, a column per
//! kind (read, write, lock): one CDF per strategy on a log axis, the tail under it, and
//! at the bottom each strategy's percentiles on a row of its own ([`strips`]), where
//! distributions that coincide in the CDFs stay apart. Cache hits take no time; a log
//! axis has no zero, so they are drawn at `FLOOR_MS` and the axis says so.

mod strips;

use super::Plot;
use super::frame::{Series, Style, legend, log_label};
use super::look;
use crate::run::Outcome;
use crate::scenario::Scenario;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Where latencies below it (cache hits: 0) are drawn, in ms.
pub const FLOOR_MS: f64 = 0.01;

const KINDS: [&str; 3] = ["reads", "writes", "locks"];
const WIDTH: u32 = 1500;
const HEIGHT: u32 = 1060;
const X_DESC: &str = "latency (ms, log scale; 0 drawn at 0.01)";
/// Where the x axis starts: left of the floor, so the rise of cache hits shows.
const X_MIN: f64 = 0.005;

/// A CDF as (ms, cumulative fraction) points, and how many operations it counts.
type Cdf = (Vec<(f64, f64)>, u64);

pub struct Latency {
    title: String,
    series: Vec<Series>,
    /// Per kind, per strategy: the CDF as (ms, cumulative fraction), and the count.
    cdfs: [Vec<Cdf>; 3],
    /// Per kind, per strategy: p50, p99, p99.9.
    strips: [Vec<strips::Percentiles>; 3],
    x_max: f64,
}

impl Latency {
    pub fn new(scenario: &Scenario, seed: u64, outcomes: &[Outcome]) -> Latency {
        let cdfs: [Vec<Cdf>; 3] = std::array::from_fn(|k| {
            outcomes
                .iter()
                .map(|o| {
                    let l = &o.metrics().kinds[k].latency;
                    (l.cdf(), l.count())
                })
                .collect()
        });
        let strips = std::array::from_fn(|k| {
            outcomes
                .iter()
                .map(|o| {
                    let l = &o.metrics().kinds[k].latency;
                    let q = strips::QUANTILES.map(|q| l.quantile_ms(q));
                    match q {
                        [Some(a), Some(b), Some(c)] => Some([a, b, c]),
                        _ => None,
                    }
                })
                .collect()
        });
        let slowest = cdfs
            .iter()
            .flatten()
            .filter_map(|(c, _)| c.last().map(|p| p.0))
            .fold(1.0, f64::max);
        Latency {
            title: format!(
                "{}: latency of succeeded operations (seed {seed})",
                scenario.name
            ),
            series: scenario
                .strategies
                .iter()
                .enumerate()
                .map(|(i, s)| Series::strategy(i, &s.name))
                .collect(),
            cdfs,
            strips,
            x_max: 10f64.powf(slowest.log10().ceil()).max(10.0),
        }
    }
}

/// A CDF as the staircase it is: flat between buckets, rising at each one. Where
/// buckets are dense (within 5% of each other) the steps are too small to see, and
/// thick lines drawn through them jag, so there the points are simply joined.
fn steps(cdf: &[(f64, f64)], x_max: f64) -> Vec<(f64, f64)> {
    let mut pts = vec![(FLOOR_MS, 0.0)];
    let (mut last_x, mut last) = (FLOOR_MS, 0.0);
    for &(ms, f) in cdf {
        let x = ms.max(FLOOR_MS);
        if x > last_x * 1.05 || last == 0.0 {
            pts.push((x, last));
        }
        pts.push((x, f));
        (last_x, last) = (x, f);
    }
    pts.push((x_max, last));
    pts
}

/// Drops points closer than `min` (in the units `to_px` maps to) to the last one
/// kept: a thick line through many tiny segments draws spikes at their joints.
fn thin(
    pts: Vec<(f64, f64)>,
    to_px: impl Fn((f64, f64)) -> (f64, f64),
    min: f64,
) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
    let n = pts.len();
    for (i, p) in pts.into_iter().enumerate() {
        let keep = match out.last() {
            None => true,
            Some(&q) => {
                let (a, b) = (to_px(p), to_px(q));
                i + 1 == n || (a.0 - b.0).hypot(a.1 - b.1) >= min
            }
        };
        if keep {
            out.push(p);
        }
    }
    out
}

impl Plot for Latency {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT + self.strips_height())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        root.draw(&Text::new(self.title.clone(), (20, 14), Style::title()))?;
        let note = "Cumulative share of succeeded operations at or below each latency \
                    (invoke to result, retries included). Cache hits (0 ms) are drawn at 0.01 ms.";
        root.draw(&Text::new(note, (20, 44), Style::muted(Style::NOTE)))?;
        let legend_h = legend(root, &self.series, (90, 70), WIDTH as i32 - 130)?;
        let (_, body) = root.split_vertically(70 + legend_h as u32 + 10);
        let (body, strips) = body.split_vertically(body.dim_in_pixel().1 - self.strips_height());
        self.draw_strips(&strips)?;
        let panels = body.split_evenly((2, 3));
        for (i, panel) in panels.iter().enumerate() {
            let k = i % 3;
            if i < 3 {
                self.draw_cdf(panel, k)?;
            } else {
                self.draw_tail(panel, k)?;
            }
        }
        Ok(())
    }
}

impl Latency {
    fn draw_cdf<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        k: usize,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let mut chart = ChartBuilder::on(area)
            .caption(KINDS[k], Style::text(Style::LABEL + 1))
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(if k == 0 { 78 } else { 44 })
            .build_cartesian_2d((X_MIN..self.x_max).log_scale(), 0f64..1.0)?;
        {
            let mut mesh = chart.configure_mesh();
            mesh.x_label_formatter(&|v| log_label(*v))
                .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
                .y_labels(11)
                .x_desc(X_DESC);
            if k == 0 {
                mesh.y_desc("share at or below");
            }
            grid(&mut mesh).draw()?;
        }
        let n = self.series.len();
        for (i, _, cdf) in self.curves(k) {
            let pts = thin(
                steps(cdf, self.x_max),
                |(x, y)| (x.log10() * 50.0, y * 330.0),
                3.0,
            );
            look::series(&chart, &pts, (i, n), 90.0)?;
        }
        Ok(())
    }

    /// The tail the CDF squeezes into its top edge: the share slower than each
    /// latency, on a log axis down to one operation in the largest count.
    fn draw_tail<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        k: usize,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let most = self.cdfs[k].iter().map(|c| c.1).max().unwrap_or(1).max(1);
        let y_min = 10f64.powf((1.0 / most as f64).log10().floor());
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!("{} (tail)", KINDS[k]),
                Style::text(Style::LABEL + 1),
            )
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(if k == 0 { 78 } else { 44 })
            .build_cartesian_2d((X_MIN..self.x_max).log_scale(), (y_min..1.0).log_scale())?;
        {
            let mut mesh = chart.configure_mesh();
            mesh.x_label_formatter(&|v| log_label(*v))
                .y_label_formatter(&|v| percent(*v))
                .x_desc(X_DESC);
            if k == 0 {
                mesh.y_desc("share slower (log scale)");
            }
            grid(&mut mesh).draw()?;
        }
        let n = self.series.len();
        for (i, _, cdf) in self.curves(k) {
            let pts: Vec<(f64, f64)> = steps(cdf, self.x_max)
                .into_iter()
                .map(|(x, f)| (x, 1.0 - f))
                .take_while(|&(_, t)| t > 1e-12)
                .collect();
            let pts = thin(pts, |(x, y)| (x.log10() * 50.0, y.log10() * 60.0), 3.0);
            look::series(&chart, &pts, (i, n), 90.0)?;
        }
        Ok(())
    }

    /// The strategies with operations of kind `k`: index, series, CDF.
    fn curves(&self, k: usize) -> impl Iterator<Item = (usize, &Series, &Vec<(f64, f64)>)> {
        self.series
            .iter()
            .zip(&self.cdfs[k])
            .enumerate()
            .filter(|(_, (_, (_, count)))| *count > 0)
            .map(|(i, (s, (cdf, _)))| (i, s, cdf))
    }
}

/// The mesh style every panel shares.
fn grid<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>
        + plotters::coord::ranged1d::ValueFormatter<f64>,
    DB: DrawingBackend,
{
    mesh.label_style(Style::text(Style::TICK))
        .axis_desc_style(Style::text(Style::LABEL - 2))
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(TRANSPARENT)
}

/// `100%`, `1%`, `0.01%`.
fn percent(v: f64) -> String {
    format!("{}%", super::frame::trim(v * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_hits_rise_at_the_floor_and_the_curve_ends_flat() {
        let pts = steps(&[(0.0, 0.7), (2.0, 0.9), (30.0, 1.0)], 100.0);
        assert_eq!(pts[0], (FLOOR_MS, 0.0));
        assert_eq!(pts[2], (FLOOR_MS, 0.7));
        assert_eq!(pts[3], (2.0, 0.7));
        assert_eq!(*pts.last().unwrap(), (100.0, 1.0));
    }
}
