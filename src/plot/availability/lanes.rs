//! The lanes under the availability chart: one per strategy, a bar per outage.

use super::super::frame::{Style, human_duration, text_width, trim};
use super::Outage;
use super::{Availability, LEFT, MARGIN_LEFT, RIGHT, WIDTH};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// Where and how one strategy's outages are drawn.
struct Lane<'a> {
    y: f64,
    color: RGBColor,
    /// The strategy's name, on the lane's first label only.
    name: Option<&'a str>,
}

type LaneChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

impl Availability {
    pub(super) fn draw_lanes<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x_max: f64,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let n = self.series.len() as f64;
        let mut chart = ChartBuilder::on(area)
            .margin_right(RIGHT)
            .margin_left(MARGIN_LEFT)
            .margin_top(6)
            .y_label_area_size(LEFT)
            .x_label_area_size(58)
            .build_cartesian_2d(0f64..x_max, 0f64..n)?;
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
        self.shade_faults(&mut chart, 0.0, n)?;
        for (k, line) in ["writes", "closed"].into_iter().enumerate() {
            let pos = (12, 14 + k as i32 * (Style::LABEL as i32 + 4));
            area.draw(&Text::new(line, pos, Style::text(Style::LABEL)))?;
        }
        for (i, (s, outages)) in self.series.iter().zip(&self.outages).enumerate() {
            let mut free_from = i32::MIN;
            for (k, o) in outages.iter().enumerate() {
                let lane = Lane {
                    y: n - i as f64 - 0.5,
                    color: s.color,
                    name: (k == 0).then_some(s.name.as_str()),
                };
                free_from = self.draw_outage(area, &mut chart, &lane, o, free_from)?;
            }
        }
        Ok(())
    }

    /// One outage's bar (light until a master is elected), and its label where it
    /// fits right of `free_from`; returns where the next label may start.
    fn draw_outage<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        chart: &mut LaneChart<'_, DB>,
        lane: &Lane<'_>,
        o: &Outage,
        free_from: i32,
    ) -> anyhow::Result<i32>
    where
        DB::ErrorType: 'static,
    {
        let (u, y) = (self.unit.seconds, lane.y);
        let end = o.open_s.unwrap_or(self.duration_s).min(self.duration_s);
        let elected = o.elected_s.unwrap_or(end).min(end);
        let bars = [
            (o.at_s, elected, lane.color.mix(0.4)),
            (elected, end, lane.color.to_rgba()),
        ];
        for (a, b, color) in bars.into_iter().filter(|(a, b, _)| b > a) {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a / u, y - 0.3), (b / u, y + 0.3)],
                color.filled(),
            )))?;
        }
        let what = match o.open_s {
            Some(open) => human_duration(open - o.at_s),
            None => "not open by the end".to_string(),
        };
        let label = match lane.name {
            Some(name) => format!("{name}: {what}"),
            None => what,
        };
        // The chart places bars in absolute pixels; labels are drawn on `area`.
        let (bx, by) = area.get_base_pixel();
        let w = text_width(area, &label, Style::NOTE);
        let (x_start, yc) = chart.backend_coord(&(o.at_s / u, y));
        let x_end = chart.backend_coord(&(end / u, y)).0 - bx;
        let (x_start, yc) = (x_start - bx, yc - by);
        let right_edge = WIDTH as i32 - RIGHT as i32 - bx;
        let x = if x_end + 8 + w <= right_edge {
            x_end + 8
        } else {
            x_start - 8 - w
        };
        if x < free_from {
            return Ok(free_from);
        }
        let pos = (x, yc - Style::NOTE as i32 / 2 - 1);
        area.draw(&Text::new(label, pos, Style::text(Style::NOTE)))?;
        Ok(x + w + 10)
    }
}
