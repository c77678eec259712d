//! Drawing a sweep plot on linear or log axes.

use super::super::frame::{Style, log_label, trim};
use super::{Mark, SweepPlot};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

impl SweepPlot {
    pub(super) fn chart<DB, X, Y>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: X,
        y: Y,
    ) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let mut chart = ChartBuilder::on(area)
            .margin(16)
            .margin_left(24)
            .margin_right(40)
            .x_label_area_size(60)
            .y_label_area_size(96)
            .build_cartesian_2d(x, y)?;
        let categories = self.categories.clone();
        let x_label = move |v: &f64| match &categories {
            Some(names) => {
                let i = v.round();
                match (v - i).abs() < 1e-9 && i >= 0.0 {
                    true => names.get(i as usize).cloned().unwrap_or_default(),
                    false => String::new(),
                }
            }
            None => log_label(*v),
        };
        let (x_log, y_log) = (self.x_log, self.y_log);
        let nonnegative = self.y_nonnegative;
        let y_label = move |v: &f64| match (y_log, nonnegative && *v < 0.0) {
            (_, true) => String::new(),
            (true, _) => log_label(*v),
            (false, _) => trim(round_to(*v, 4)),
        };
        let mut mesh = chart.configure_mesh();
        mesh.x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc(self.x_desc.clone())
            .y_desc(self.y_desc.clone())
            .label_style(Style::text(Style::TICK))
            .axis_desc_style(Style::text(Style::LABEL))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(TRANSPARENT);
        if let Some(names) = &self.categories {
            mesh.x_labels(names.len().max(2));
        } else if !x_log {
            mesh.x_labels(10);
        }
        mesh.draw()?;
        self.draw_lines(&mut chart)
    }
}

impl SweepPlot {
    /// Each line with its band, its points and their interval whiskers.
    fn draw_lines<DB, X, Y>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    ) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        X: Ranged<ValueType = f64>,
        Y: Ranged<ValueType = f64>,
    {
        // A log axis has no room for an interval reaching zero: clip it at the floor.
        let floor = if self.y_log {
            self.y_range().0
        } else {
            f64::MIN
        };
        let n = self.lines.len();
        for (i, (s, marks)) in self.lines.iter().enumerate() {
            // Earlier lines drawn wider, so lines that coincide still show every colour.
            let wide = (n - 1 - i).min(4) as u32;
            for band in bands(marks, floor) {
                chart.draw_series(std::iter::once(Polygon::new(
                    band,
                    s.color.mix(0.15).filled(),
                )))?;
            }
            let pts: Vec<(f64, f64)> = marks.iter().map(|m| (m.0, m.1)).collect();
            chart.draw_series(LineSeries::new(pts.clone(), s.color.stroke_width(2 + wide)))?;
            chart.draw_series(
                pts.into_iter()
                    .map(|p| Circle::new(p, 4 + wide, s.color.filled())),
            )?;
            for m in marks {
                if let Some((lo, hi)) = m.2 {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(m.0, lo.max(floor)), (m.0, hi)],
                        s.color.stroke_width(2),
                    )))?;
                }
            }
        }
        Ok(())
    }
}

/// `v` to `digits` significant digits, so axis labels do not show float noise.
fn round_to(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// The confidence band as polygons, one per run of consecutive points that have an
/// interval (a point from a single seed has none).
fn bands(marks: &[Mark], floor: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    for run in marks.split(|m| m.2.is_none()) {
        if run.len() < 2 {
            continue;
        }
        let mut poly: Vec<(f64, f64)> = run
            .iter()
            .map(|m| (m.0, m.2.map_or(m.1, |c| c.0).max(floor)))
            .collect();
        poly.extend(run.iter().rev().map(|m| (m.0, m.2.map_or(m.1, |c| c.1))));
        out.push(poly);
    }
    out
}
