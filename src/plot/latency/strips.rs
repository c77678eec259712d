//! The bottom row of `latency.png`: per kind, one row per strategy with its percentiles
//! (p50, p99, p99.9) on a log axis of its own range. Distributions that coincide draw
//! on top of each other in the CDFs above (every strategy's writes take the same
//! replicated round trip); here each strategy has a row, so none hides another.

use super::super::frame::{Style, log_label, text_width};
use super::super::look::look;
use super::{KINDS, Latency};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The percentiles drawn: the marker, the end of the thick bar, the end of the line.
pub const QUANTILES: [f64; 3] = [0.5, 0.99, 0.999];
const ROW_H: u32 = 26;
/// Room under the rows for the axis, and above them for the caption.
const FRAME_H: u32 = 96;

/// One strategy's percentiles of one kind, in ms (`None`: no operation succeeded).
pub type Percentiles = Option<[f64; 3]>;

impl Latency {
    /// Height of the row of strips.
    pub(super) fn strips_height(&self) -> u32 {
        self.series.len() as u32 * ROW_H + FRAME_H
    }

    /// Width of the names' column left of the strips.
    fn names_width(&self) -> u32 {
        let widest = self
            .series
            .iter()
            .map(|s| text_width(&s.name, Style::NOTE))
            .max();
        widest.unwrap_or(0) as u32 + 30
    }

    pub(super) fn draw_strips<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (_, panels) = area.split_horizontally(self.names_width());
        let n = self.series.len();
        let mut rows = Vec::new();
        for (k, panel) in panels.split_evenly((1, 3)).iter().enumerate() {
            rows = self.draw_strip(panel, k, n)?;
        }
        // Each name level with its row (the rows' pixels come from the charts).
        let (_, base_y) = area.get_base_pixel();
        for (s, y) in self.series.iter().zip(rows) {
            let w = text_width(&s.name, Style::NOTE);
            let x = self.names_width() as i32 - 12 - w;
            let at = (x, y - base_y - Style::NOTE as i32 / 2 - 1);
            area.draw(&Text::new(s.name.clone(), at, Style::text(Style::NOTE)))?;
        }
        Ok(())
    }

    /// One kind's strip; the rows' middles, in pixels of the whole drawing.
    fn draw_strip<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        k: usize,
        n: usize,
    ) -> anyhow::Result<Vec<i32>>
    where
        DB::ErrorType: 'static,
    {
        let known: Vec<[f64; 3]> = self.strips[k].iter().flatten().copied().collect();
        // A kind nobody completed (a workload without locks) still gets its axis.
        let (lo, hi) = match known.is_empty() {
            true => (1.0, 1000.0),
            false => (
                known.iter().map(|p| p[0]).fold(f64::MAX, f64::min),
                known.iter().map(|p| p[2]).fold(0.0, f64::max),
            ),
        };
        let lo = lo.max(super::FLOOR_MS);
        let hi = hi.max(lo * 10.0);
        let (x0, x1) = (
            10f64.powf((lo / 1.5).log10().floor()),
            10f64.powf((hi * 1.5).log10().ceil()),
        );
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!("{}: p50, p99, p99.9", KINDS[k]),
                Style::text(Style::LABEL),
            )
            .margin(12)
            .margin_top(4)
            .x_label_area_size(44)
            .y_label_area_size(8)
            .build_cartesian_2d((x0..x1).log_scale(), 0f64..n as f64)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|v| log_label(*v))
            .y_labels(0)
            .disable_y_mesh()
            .x_desc("latency (ms, log scale)")
            .label_style(Style::text(Style::TICK))
            .axis_desc_style(Style::text(Style::LABEL - 2))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(TRANSPARENT)
            .draw()?;
        let area = chart.plotting_area().strip_coord_spec();
        let (bx, by) = area.get_base_pixel();
        let px = |x: f64, y: f64| {
            let (a, b) = chart.backend_coord(&(x.max(x0), y));
            (a - bx, b - by)
        };
        let middle = |i: usize| n as f64 - i as f64 - 0.5;
        let rows = (0..n)
            .map(|i| chart.backend_coord(&(x0, middle(i))).1)
            .collect();
        for (i, p) in self.strips[k].iter().enumerate() {
            let Some([p50, p99, p999]) = *p else { continue };
            let l = look(i);
            let y = n as f64 - i as f64 - 0.5;
            let (a, b, c) = (px(p50, y), px(p99, y), px(p999, y));
            area.draw(&PathElement::new(vec![a, c], l.color.stroke_width(2)))?;
            area.draw(&PathElement::new(
                vec![(c.0, c.1 - 6), (c.0, c.1 + 6)],
                l.color.stroke_width(2),
            ))?;
            area.draw(&Rectangle::new(
                [(a.0, a.1 - 4), (b.0.max(a.0 + 1), b.1 + 4)],
                l.color.mix(0.55).filled(),
            ))?;
            l.marker
                .draw(&area, (f64::from(a.0), f64::from(a.1)), 5, l.color)?;
        }
        Ok(rows)
    }
}
