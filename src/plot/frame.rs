//! What every plot shares: font sizes, the legend row drawn outside the data, and time
//! axes in readable units (each strategy's look is in [`super::look`]).

use super::look::{Look, look};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Font sizes in pixels.
pub struct Style;

impl Style {
    pub const TITLE: u32 = 22;
    pub const LABEL: u32 = 17;
    pub const TICK: u32 = 15;
    pub const NOTE: u32 = 14;
    pub const FAMILY: &'static str = super::text::FAMILY;

    pub fn title() -> TextStyle<'static> {
        (Self::FAMILY, Self::TITLE, FontStyle::Bold)
            .into_font()
            .color(&BLACK)
    }

    pub fn text(size: u32) -> TextStyle<'static> {
        (Self::FAMILY, size).into_font().color(&BLACK)
    }

    pub fn muted(size: u32) -> TextStyle<'static> {
        (Self::FAMILY, size)
            .into_font()
            .color(&RGBColor(80, 80, 80))
    }
}

/// A named line in a legend.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub look: Look,
    /// Whether the legend shows the look's marker (not for a dash-only entry).
    pub marker: bool,
}

impl Series {
    /// The series of strategy number `i`, named `name`.
    pub fn strategy(i: usize, name: &str) -> Series {
        Series {
            name: name.to_string(),
            look: look(i),
            marker: true,
        }
    }
}

/// Width of `text` in pixels at `size`, as the embedded font lays it out (the same in
/// the SVG and the PNG, so layout never depends on the backend).
pub fn text_width(text: &str, size: u32) -> i32 {
    super::text::Sized::new(size.into(), false).measure(text).0 as i32
}

/// `text` broken into lines no wider than `width` pixels at `size`, at spaces.
pub fn wrap(text: &str, size: u32, width: i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = match line.is_empty() {
            true => word.to_string(),
            false => format!("{line} {word}"),
        };
        if !line.is_empty() && text_width(&candidate, size) > width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    lines.push(line);
    lines
}

/// Where each legend entry goes when laid out from `(x, y)` and wrapped at `width`,
/// and the height used.
fn legend_layout(entries: &[Series], (x, y): (i32, i32), width: i32) -> (Vec<(i32, i32)>, i32) {
    let row_h = Style::LABEL as i32 + 10;
    let (mut cx, mut cy) = (x, y);
    let mut at = Vec::new();
    for e in entries {
        let w = 50 + text_width(&e.name, Style::LABEL) + 26;
        if cx > x && cx + w > x + width {
            cx = x;
            cy += row_h;
        }
        at.push((cx, cy));
        cx += w;
    }
    (at, cy + row_h - y)
}

/// The height [`legend`] takes for `entries` wrapped at `width`.
pub fn legend_height(entries: &[Series], width: i32) -> i32 {
    legend_layout(entries, (0, 0), width).1
}

/// Draws `entries` left to right from `(x, y)`, wrapping at `width`, each a short
/// line in its look (colour, dashes, marker) then its name; returns the height used.
/// Drawn above the plot area, so it never hides data.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Series],
    at: (i32, i32),
    width: i32,
) -> anyhow::Result<i32>
where
    DB::ErrorType: 'static,
{
    let size = Style::LABEL;
    let row_h = size as i32 + 10;
    let (places, height) = legend_layout(entries, at, width);
    for (e, (cx, cy)) in entries.iter().zip(places) {
        let mid = cy + row_h / 2;
        let sample = [
            (f64::from(cx), f64::from(mid)),
            (f64::from(cx + 42), f64::from(mid)),
        ];
        super::look::line(area, &sample, &e.look, 3)?;
        if e.marker {
            let at = (f64::from(cx + 21), f64::from(mid));
            e.look.marker.draw(area, at, 4, e.look.color)?;
        }
        area.draw(&Text::new(
            e.name.clone(),
            (cx + 50, mid - size as i32 / 2 - 1),
            Style::text(size),
        ))?;
    }
    Ok(height)
}

/// A time axis: seconds shown in minutes, or in hours for runs over three hours.
#[derive(Clone, Copy, Debug)]
pub struct TimeUnit {
    pub seconds: f64,
    pub name: &'static str,
}

impl TimeUnit {
    pub fn for_span(span_s: f64) -> TimeUnit {
        if span_s > 3.0 * 3600.0 {
            TimeUnit {
                seconds: 3600.0,
                name: "hours",
            }
        } else {
            TimeUnit {
                seconds: 60.0,
                name: "minutes",
            }
        }
    }
}

/// A duration for labels: `75 s`, `4.5 min`, `4 h 3 min`.
pub fn human_duration(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 3600.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        let m = (s / 60.0).round() as u64;
        format!("{} h {} min", m / 60, m % 60)
    }
}

/// Labels for a logarithmic axis: `0.01`, `1`, `1k`, `10k`.
pub fn log_label(v: f64) -> String {
    if v >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if v >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

/// A number with no trailing zeros (`0.01`, `2.5`, `10`).
pub fn trim(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_labels_read_naturally() {
        assert_eq!(human_duration(75.1), "75 s");
        assert_eq!(human_duration(275.1), "4.6 min");
        assert_eq!(human_duration(14597.4), "4 h 3 min");
        assert_eq!(log_label(0.01), "0.01");
        assert_eq!(log_label(1000.0), "1k");
        assert_eq!(log_label(14400.0), "14.4k");
        assert_eq!(TimeUnit::for_span(21600.0).name, "hours");
        assert_eq!(TimeUnit::for_span(3600.0).name, "minutes");
    }
}
