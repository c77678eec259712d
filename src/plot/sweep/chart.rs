//! Drawing a sweep plot on linear or log axes.

use super::super::frame::{Style, log_label, trim};
use super::super::look::{self, Look};
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
        let (y_log, nonnegative) = (self.y_log, self.y_nonnegative);
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
            mesh.x_labels(names.len().max(2)).disable_x_mesh();
        } else if !self.x_log {
            mesh.x_labels(10);
        }
        mesh.draw()?;
        match self.categories.is_some() {
            true => self.draw_categories(&chart),
            false => self.draw_lines(&chart),
        }
    }

    /// A log axis has no room for an interval reaching zero: where it is clipped.
    fn floor(&self) -> f64 {
        if self.y_log {
            self.y_range().0
        } else {
            f64::MIN
        }
    }

    /// Each line with its band, its markers at the points and their whiskers.
    fn draw_lines<DB, X, Y>(
        &self,
        chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
    ) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        X: Ranged<ValueType = f64>,
        Y: Ranged<ValueType = f64>,
    {
        let floor = self.floor();
        let n = self.legend.iter().filter(|s| s.marker).count().max(1);
        for line in &self.lines {
            for band in bands(&line.marks, floor) {
                let (area, px) = look::to_pixels(chart, &band);
                let px: Vec<(i32, i32)> = px.iter().map(|p| (p.0 as i32, p.1 as i32)).collect();
                area.draw(&Polygon::new(px, line.look.color.mix(0.12).filled()))?;
            }
        }
        for line in &self.lines {
            let pts: Vec<(f64, f64)> = line.marks.iter().map(|m| (m.0, m.1)).collect();
            let (area, px) = look::to_pixels(chart, &pts);
            look::line(&area, &px, &line.look, look::width(line.strategy, n))?;
            // Points of strategies that coincide sit a few pixels apart, so each shows.
            let shift = ((line.strategy as f64 - (n as f64 - 1.0) / 2.0) * 7.0).round() as i32;
            for (m, p) in line.marks.iter().zip(&px) {
                whisker(chart, m, floor, &line.look, (0.0, shift))?;
                let at = (p.0 + f64::from(shift), p.1);
                line.look.marker.draw(&area, at, 5, line.look.color)?;
            }
        }
        Ok(())
    }

    /// Categories: each line's points side by side within its category, with whiskers,
    /// and no line joining one category to the next.
    fn draw_categories<DB, X, Y>(
        &self,
        chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
    ) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        X: Ranged<ValueType = f64>,
        Y: Ranged<ValueType = f64>,
    {
        let floor = self.floor();
        let k = self.lines.len().max(1) as f64;
        for (j, line) in self.lines.iter().enumerate() {
            let dodge = (j as f64 - (k - 1.0) / 2.0) * (0.7 / k);
            for m in &line.marks {
                whisker(chart, m, floor, &line.look, (dodge, 0))?;
                let (area, px) = look::to_pixels(chart, &[(m.0 + dodge, m.1)]);
                line.look.marker.draw(&area, px[0], 6, line.look.color)?;
            }
        }
        Ok(())
    }
}

/// A point's interval as a vertical whisker with caps, `dodge` to the side (in x
/// units) and `shift` pixels further.
fn whisker<DB, X, Y>(
    chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
    m: &Mark,
    floor: f64,
    look: &Look,
    (dodge, shift): (f64, i32),
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let Some((lo, hi)) = m.2 else { return Ok(()) };
    let (area, px) = look::to_pixels(chart, &[(m.0 + dodge, lo.max(floor)), (m.0 + dodge, hi)]);
    let (x, a, b) = (px[0].0 as i32 + shift, px[0].1 as i32, px[1].1 as i32);
    let stroke = look.color.stroke_width(2);
    area.draw(&PathElement::new(vec![(x, a), (x, b)], stroke))?;
    for y in [a, b] {
        area.draw(&PathElement::new(vec![(x - 5, y), (x + 5, y)], stroke))?;
    }
    Ok(())
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
