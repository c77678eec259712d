//! The panels under the lanes: each failover seen up close, in 10 s bins, with a marker
//! at the top where each strategy's writes opened again. Over six hours a 75 s outage
//! is a few pixels wide and every line sits on the others; here it is a third of a
//! panel.

use super::super::frame::{Style, trim};
use super::super::look::{self, look};
use super::{Availability, Outage, RIGHT};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A window of the run around one failover.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// The fault's instant: x = 0.
    pub at_s: f64,
    pub from_s: f64,
    pub to_s: f64,
    pub title: String,
}

/// Panels at most; failovers beyond are counted in the caption.
pub const MAX: usize = 8;
pub const PER_ROW: usize = 4;
pub const ROW_H: u32 = 250;
/// What a window shows before its fault, and at least and at most after it.
const BEFORE_S: f64 = 60.0;
const AFTER_MIN_S: f64 = 240.0;
const AFTER_MAX_S: f64 = 900.0;

/// One window per failover time (every strategy's recoveries pooled), from a minute
/// before the fault to a little after the longest outage that followed it (at most 15
/// minutes; windows of close failovers overlap rather than merge, so each panel stays
/// about one failover). Also how many were left out.
pub fn windows(
    outages: &[Vec<Outage>],
    duration_s: f64,
    name: &dyn Fn(f64) -> String,
) -> (Vec<Window>, usize) {
    let mut ats: Vec<f64> = outages.iter().flatten().map(|o| o.at_s).collect();
    ats.sort_by(f64::total_cmp);
    ats.dedup();
    let mut out: Vec<Window> = Vec::new();
    for at in ats {
        let longest = outages
            .iter()
            .flatten()
            .filter(|o| o.at_s == at)
            .map(|o| o.open_s.unwrap_or(duration_s) - at)
            .fold(0.0, f64::max);
        let to = (at + (longest * 1.3 + 60.0).clamp(AFTER_MIN_S, AFTER_MAX_S)).min(duration_s);
        let from = (at - BEFORE_S).max(0.0);
        out.push(Window {
            at_s: at,
            from_s: from,
            to_s: to,
            title: name(at),
        });
    }
    let left_out = out.len().saturating_sub(MAX);
    out.truncate(MAX);
    (out, left_out)
}

impl Availability {
    /// Rows of zoom panels.
    pub(super) fn zoom_rows(&self) -> u32 {
        self.zooms.len().div_ceil(PER_ROW) as u32
    }

    pub(super) fn draw_zooms<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let rows = self.zoom_rows() as usize;
        let per_row = self.zooms.len().min(PER_ROW);
        let (_, inner) = area.split_horizontally(super::MARGIN_LEFT);
        let (inner, _) = inner.split_horizontally(inner.dim_in_pixel().0 - RIGHT + 30);
        for (k, panel) in inner.split_evenly((rows, per_row)).iter().enumerate() {
            if let Some(w) = self.zooms.get(k) {
                self.draw_zoom(panel, w, k % per_row == 0)?;
            }
        }
        Ok(())
    }

    fn draw_zoom<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        w: &Window,
        first: bool,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (x0, x1) = (w.from_s - w.at_s, w.to_s - w.at_s);
        // Above 100%, a band for the markers of where writes opened.
        let (y0, y1) = (0.0, 1.0 + 0.08 * self.series.len().clamp(3, 8) as f64);
        let mut chart = ChartBuilder::on(area)
            .caption(&w.title, Style::text(Style::LABEL))
            .margin(8)
            .x_label_area_size(44)
            .y_label_area_size(if first { 56 } else { 40 })
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|v| trim(v.round()))
            .y_label_formatter(&|v| {
                if *v > 1.0001 {
                    String::new()
                } else {
                    format!("{:.0}%", v * 100.0)
                }
            })
            .x_desc("s after the fault")
            .label_style(Style::text(Style::NOTE))
            .axis_desc_style(Style::text(Style::NOTE))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(TRANSPARENT)
            .draw()?;
        for f in &self.faults {
            let a = (f.at_s - w.at_s).max(x0);
            let b = f.until_s.unwrap_or(f.at_s).min(w.to_s) - w.at_s;
            if b > a && a < x1 {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(a, y0), (b, 1.0)],
                    super::FAULT_FILL.mix(0.28).filled(),
                )))?;
            }
        }
        let n = self.series.len();
        for (i, fine) in self.fine.iter().enumerate() {
            let pts: Vec<(f64, f64)> = fine
                .iter()
                .flatten()
                .filter(|(t, _)| *t >= w.from_s && *t <= w.to_s)
                .map(|&(t, a)| (t - w.at_s, a))
                .collect();
            look::series(&chart, &pts, (i, n), 70.0)?;
        }
        self.mark_openings(&chart, w, y1)
    }

    /// Above 100%, a row per strategy: a marker where its writes opened again, and a
    /// thin line from the fault to there.
    fn mark_openings<DB, X, Y>(
        &self,
        chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
        w: &Window,
        y1: f64,
    ) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
        Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    {
        let n = self.series.len().max(1) as f64;
        let band = (y1 - 1.0) * 0.85;
        for (i, outages) in self.outages.iter().enumerate() {
            let l = look(i);
            let y = y1 - (y1 - 1.0) * 0.05 - band * (i as f64 + 0.5) / n;
            for o in outages
                .iter()
                .filter(|o| o.at_s >= w.from_s && o.at_s <= w.to_s)
            {
                let open = o.open_s.unwrap_or(f64::INFINITY).min(w.to_s) - w.at_s;
                let at = o.at_s - w.at_s;
                let (area, px) = look::to_pixels(chart, &[(at, y), (open, y)]);
                area.draw(&PathElement::new(
                    px.iter()
                        .map(|p| (p.0 as i32, p.1 as i32))
                        .collect::<Vec<_>>(),
                    l.color.mix(0.6).stroke_width(2),
                ))?;
                if o.open_s.is_some_and(|t| t <= w.to_s) {
                    l.marker.draw(&area, px[1], 4, l.color)?;
                }
            }
        }
        Ok(())
    }
}
