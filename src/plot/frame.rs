//! What every plot shares: the colour-blind-safe palette, font sizes, the legend row
//! drawn outside the data, and time axes in readable units.

use plotters::coord::Shift;
use plotters::prelude::*;

/// The Okabe–Ito palette, ordered so that the first colours stand out on white (its
/// yellow last): distinguishable with every common colour-vision deficiency.
const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

/// The colour of series `i`.
pub fn palette(i: usize) -> RGBColor {
    OKABE_ITO[i % OKABE_ITO.len()]
}

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
    pub color: RGBColor,
}

/// Width of `text` in pixels at `size`, as the embedded font lays it out.
pub fn text_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, size: u32) -> i32
where
    DB::ErrorType: 'static,
{
    area.estimate_text_size(text, &Style::text(size))
        .map(|(w, _)| w as i32)
        .unwrap_or((text.len() as u32 * size / 2) as i32)
}

/// `text` broken into lines no wider than `width` pixels at `size`, at spaces.
pub fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: u32,
    width: i32,
) -> Vec<String>
where
    DB::ErrorType: 'static,
{
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = match line.is_empty() {
            true => word.to_string(),
            false => format!("{line} {word}"),
        };
        if !line.is_empty() && text_width(area, &candidate, size) > width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    lines.push(line);
    lines
}

/// Draws `entries` left to right from `(x, y)`, wrapping at `width`, each a short
/// line of its colour then its name; returns the height used. Drawn above the plot
/// area, so it never hides data.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Series],
    (x, y): (i32, i32),
    width: i32,
) -> anyhow::Result<i32>
where
    DB::ErrorType: 'static,
{
    let size = Style::LABEL;
    let row_h = size as i32 + 10;
    let (mut cx, mut cy) = (x, y);
    for e in entries {
        let w = 34 + text_width(area, &e.name, size) + 26;
        if cx > x && cx + w > x + width {
            cx = x;
            cy += row_h;
        }
        let mid = cy + row_h / 2;
        area.draw(&PathElement::new(
            vec![(cx, mid), (cx + 26, mid)],
            e.color.stroke_width(4),
        ))?;
        area.draw(&Text::new(
            e.name.clone(),
            (cx + 34, mid - size as i32 / 2 - 1),
            Style::text(size),
        ))?;
        cx += w;
    }
    Ok(cy + row_h - y)
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
