//! The lanes under the availability chart: one per strategy, a bar per outage.

use super::super::frame::{Style, human_duration, text_width, trim};
use super::{Availability, LEFT, MARGIN_LEFT, RIGHT, WIDTH};
use plotters::coord::Shift;
use plotters::prelude::*;

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
        let u = self.unit.seconds;
        // Bars are placed by the chart in absolute pixels; labels are drawn on `area`.
        let (bx, by) = area.get_base_pixel();
        for (i, (s, outages)) in self.series.iter().zip(&self.outages).enumerate() {
            let y = n - i as f64 - 0.5;
            let mut free_from = i32::MIN;
            for (k, o) in outages.iter().enumerate() {
                let end = o.open_s.unwrap_or(self.duration_s).min(self.duration_s);
                let elected = o.elected_s.unwrap_or(end).min(end);
                let bars = [
                    (o.at_s, elected, s.color.mix(0.4)),
                    (elected, end, s.color.to_rgba()),
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
                let label = if k == 0 {
                    format!("{}: {what}", s.name)
                } else {
                    what
                };
                let w = text_width(area, &label, Style::NOTE);
                let (x_start, yc) = chart.backend_coord(&(o.at_s / u, y));
                let (x_end, yc) = (chart.backend_coord(&(end / u, y)).0 - bx, yc - by);
                let x_start = x_start - bx;
                let right_edge = WIDTH as i32 - RIGHT as i32 - bx;
                let x = if x_end + 8 + w <= right_edge {
                    x_end + 8
                } else {
                    x_start - 8 - w
                };
                if x >= free_from {
                    let pos = (x, yc - Style::NOTE as i32 / 2 - 1);
                    area.draw(&Text::new(label, pos, Style::text(Style::NOTE)))?;
                    free_from = x + w + 10;
                }
            }
        }
        Ok(())
    }
}
