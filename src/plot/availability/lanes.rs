//! The lanes under the availability chart: one per strategy, a bar per outage.

use super::super::frame::{Style, human_duration, text_width, trim};
use super::Outage;
use super::{Availability, MARGIN_LEFT, RIGHT, WIDTH};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// Where and how one outage is drawn.
struct Lane {
    y: f64,
    color: RGBColor,
    /// Pixels free for its label: after the previous label, before the next bar.
    room: (i32, i32),
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
            .y_label_area_size(self.left)
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
        let (bx, by) = area.get_base_pixel();
        for (i, (s, outages)) in self.series.iter().zip(&self.outages).enumerate() {
            let y = n - i as f64 - 0.5;
            let (_, yc) = chart.backend_coord(&(0.0, y));
            let w = text_width(area, &s.name, Style::NOTE);
            let x = (MARGIN_LEFT + self.left) as i32 - 10 - w;
            let pos = (x, yc - by - Style::NOTE as i32 / 2 - 1);
            area.draw(&Text::new(s.name.clone(), pos, Style::text(Style::NOTE)))?;
            let mut free_from = i32::MIN;
            for (k, o) in outages.iter().enumerate() {
                // A label must end before the next bar starts.
                let next = outages.get(k + 1).map_or(i32::MAX, |n| {
                    chart.backend_coord(&(n.at_s / self.unit.seconds, y)).0 - bx
                });
                let lane = Lane {
                    y,
                    color: s.color,
                    room: (free_from, next),
                };
                free_from = self.draw_outage(area, &mut chart, &lane, o)?;
            }
        }
        Ok(())
    }

    /// One outage's bar (light until a master is elected), and its length where it
    /// fits in the lane's room; returns where the next label may start.
    fn draw_outage<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        chart: &mut LaneChart<'_, DB>,
        lane: &Lane,
        o: &Outage,
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
        let label = what;
        // The chart places bars in absolute pixels; labels are drawn on `area`.
        let (bx, by) = area.get_base_pixel();
        let w = text_width(area, &label, Style::NOTE);
        let (x_start, yc) = chart.backend_coord(&(o.at_s / u, y));
        let x_end = chart.backend_coord(&(end / u, y)).0 - bx;
        let (x_start, yc) = (x_start - bx, yc - by);
        let right_edge = WIDTH as i32 - RIGHT as i32 - bx;
        let (free_from, next_bar) = lane.room;
        let x = if x_end + 8 + w <= right_edge.min(next_bar - 4) {
            x_end + 8
        } else {
            x_start - 8 - w
        };
        let plot_left = (MARGIN_LEFT + self.left) as i32 + 2;
        if x < free_from.max(plot_left) || x + w > next_bar - 4 {
            return Ok(free_from.max(x_end));
        }
        let pos = (x, yc - Style::NOTE as i32 / 2 - 1);
        area.draw(&Text::new(label, pos, Style::text(Style::NOTE)))?;
        Ok(x + w + 10)
    }
}
