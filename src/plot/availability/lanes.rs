//! The lanes under the availability chart: one per strategy, a bar per outage from the
//! fault to the moment writes open again (light until a master is elected), each with
//! its own length as label, inside the bar where it fits and right of it otherwise,
//! never left. Outages (with their labels) that would overlap go on separate rows of
//! the lane, so no label can be read as another bar's.

use super::super::frame::{Style, human_duration, text_width, trim};
use super::{Availability, MARGIN_LEFT, Outage, RIGHT};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Height of one row of a lane, and the gap between lanes.
const ROW_H: u32 = 24;
const LANE_GAP: u32 = 10;
/// Room for the time axis under the lanes.
pub const AXIS_H: u32 = 58;

/// One outage as drawn: its row in its lane, its label and where the label goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub at_s: f64,
    pub elected_s: f64,
    pub end_s: f64,
    pub label: String,
    pub inside: bool,
    pub row: usize,
}

/// The bars of one lane: each outage with its row, chosen so that no two bars (each
/// with its label) share pixels on a row. `px` maps seconds to pixels. An outage that
/// starts after the plotted run (in the liveness phase) has no bar.
pub fn bars(outages: &[Outage], duration_s: f64, px: &dyn Fn(f64) -> i32) -> Vec<Bar> {
    let mut ends: Vec<i32> = Vec::new();
    outages
        .iter()
        .filter(|o| o.at_s < duration_s)
        .map(|o| {
            let end_s = o.open_s.unwrap_or(duration_s).min(duration_s);
            let label = match o.open_s {
                Some(open) => human_duration(open - o.at_s),
                None => format!("{}+", human_duration(duration_s - o.at_s)),
            };
            let (a, b) = (px(o.at_s), px(end_s));
            let w = text_width(&label, Style::NOTE);
            let inside = b - a >= w + 10;
            let right = if inside { b } else { b + 6 + w };
            let row = ends.iter().position(|&e| e + 6 < a).unwrap_or(ends.len());
            if row == ends.len() {
                ends.push(right);
            } else {
                ends[row] = right;
            }
            Bar {
                at_s: o.at_s,
                elected_s: o.elected_s.unwrap_or(end_s).clamp(o.at_s, end_s),
                end_s,
                label,
                inside,
                row,
            }
        })
        .collect()
}

/// Rows of a lane.
pub fn rows(bars: &[Bar]) -> u32 {
    bars.iter().map(|b| b.row as u32 + 1).max().unwrap_or(1)
}

/// Height of the lanes, the axis included.
pub fn height(lanes: &[Vec<Bar>]) -> u32 {
    lanes
        .iter()
        .map(|l| rows(l) * ROW_H + LANE_GAP)
        .sum::<u32>()
        + AXIS_H
        + 8
}

/// Dark text on light colours, white on dark ones.
fn ink_on(c: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = c;
    let light = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if light > 150.0 { BLACK } else { WHITE }
}

impl Availability {
    pub(super) fn draw_lanes<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x_max: f64,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let total: u32 = self.lanes.iter().map(|l| rows(l) * ROW_H + LANE_GAP).sum();
        let total = f64::from(total);
        let mut chart = ChartBuilder::on(area)
            .margin_right(RIGHT)
            .margin_left(MARGIN_LEFT)
            .margin_top(8)
            .y_label_area_size(self.left)
            .x_label_area_size(AXIS_H)
            .build_cartesian_2d(0f64..x_max, 0f64..total)?;
        chart
            .configure_mesh()
            .x_labels(13)
            .y_labels(0)
            .disable_y_mesh()
            .x_label_formatter(&|v| trim(*v))
            .x_desc(format!("time since start ({})", self.unit.name))
            .label_style(Style::text(Style::TICK))
            .axis_desc_style(Style::text(Style::LABEL))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(TRANSPARENT)
            .draw()?;
        self.shade_faults(&mut chart, 0.0, total)?;
        let (bx, by) = area.get_base_pixel();
        let mut top = total;
        for (s, bars) in self.series.iter().zip(&self.lanes) {
            let h = f64::from(rows(bars) * ROW_H);
            let (_, yc) = chart.backend_coord(&(0.0, top - f64::from(ROW_H) / 2.0));
            let w = text_width(&s.name, Style::NOTE);
            let x = (MARGIN_LEFT + self.left) as i32 - 10 - w;
            let pos = (x, yc - by - Style::NOTE as i32 / 2 - 1);
            area.draw(&Text::new(s.name.clone(), pos, Style::text(Style::NOTE)))?;
            for bar in bars {
                let y = top - f64::from(ROW_H) * (bar.row as f64 + 0.5);
                self.draw_bar(area, &mut chart, bar, y, s.look.color, (bx, by))?;
            }
            top -= h + f64::from(LANE_GAP);
        }
        Ok(())
    }

    fn draw_bar<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        chart: &mut super::Chart<'_, DB>,
        bar: &Bar,
        y: f64,
        color: RGBColor,
        (bx, by): (i32, i32),
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (u, half) = (self.unit.seconds, f64::from(ROW_H) * 0.36);
        let parts = [
            (bar.at_s, bar.elected_s, color.mix(0.4)),
            (bar.elected_s, bar.end_s, color.to_rgba()),
        ];
        for (a, b, c) in parts.into_iter().filter(|(a, b, _)| b > a) {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a / u, y - half), (b / u, y + half)],
                c.filled(),
            )))?;
        }
        // A bar too short to see still shows where it is.
        let (xa, yc) = chart.backend_coord(&(bar.at_s / u, y));
        let xb = chart.backend_coord(&(bar.end_s / u, y)).0;
        if xb - xa < 2 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(bar.at_s / u, y - half), (bar.at_s / u, y + half)],
                color.stroke_width(2),
            )))?;
        }
        let w = text_width(&bar.label, Style::NOTE);
        let (x, ink) = match bar.inside {
            true => (xb - bx - w - 5, ink_on(color)),
            false => (xb.max(xa + 2) - bx + 6, BLACK),
        };
        let pos = (x, yc - by - Style::NOTE as i32 / 2 - 1);
        area.draw(&Text::new(
            bar.label.clone(),
            pos,
            Style::text(Style::NOTE).color(&ink),
        ))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outage(at_s: f64, open_s: Option<f64>) -> Outage {
        Outage {
            at_s,
            elected_s: Some(at_s + 10.0),
            open_s,
        }
    }

    #[test]
    fn every_bar_has_its_own_label_inside_or_right_and_overlaps_take_rows() {
        // 4 s = 1 px; two long outages, a short one that starts inside the second, an
        // open one at the end.
        let px = |s: f64| (s / 4.0) as i32;
        let outages = [
            outage(0.0, Some(1000.0)),
            outage(1100.0, Some(2100.0)),
            outage(1500.0, Some(1569.0)),
            outage(3500.0, None),
        ];
        let bars = bars(&outages, 3600.0, &px);
        let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["16.7 min", "16.7 min", "69 s", "100 s+"]);
        assert!(
            bars[0].inside && bars[1].inside,
            "long bars carry their label inside"
        );
        assert!(!bars[2].inside, "a short bar's label goes right of it");
        assert_eq!(
            (bars[0].row, bars[1].row, bars[2].row),
            (0, 0, 1),
            "the overlap takes a row of its own"
        );
        assert!(!bars[3].inside && bars[3].row == 0, "{:?}", bars[3]);
        assert_eq!(rows(&bars), 2);
    }
}
