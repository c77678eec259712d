//! How each strategy looks in every plot: a colour, a dash pattern and a marker, all
//! fixed by the strategy's position in the scenario, so that the same strategy looks the
//! same in the availability, latency and sweep plots and in the report, and so that
//! lines that coincide (every strategy at 100% most of a run) stay distinguishable:
//! dashes let the lines beneath show through, and markers, spaced along each line from
//! a different start, name each one.

use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::prelude::*;

/// The Okabe–Ito palette, ordered so that the first colours stand out on white; its
/// yellow, too pale for lines on white, gives way to a dark wine red (from Paul Tol's
/// colour-blind-safe sets).
const COLOURS: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(136, 34, 85),
];

/// On and off lengths in pixels, repeated; empty for a solid line.
const DASHES: [&[f64]; 8] = [
    &[],
    &[12.0, 5.0],
    &[4.0, 4.0],
    &[14.0, 4.0, 3.0, 4.0],
    &[2.0, 3.0],
    &[22.0, 6.0],
    &[8.0, 3.0, 2.0, 3.0, 2.0, 3.0],
    &[6.0, 8.0],
];

/// A marker's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
    TriangleDown,
    Plus,
    Ring,
}

const MARKERS: [Marker; 8] = [
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
    Marker::Cross,
    Marker::TriangleDown,
    Marker::Plus,
    Marker::Ring,
];

/// One strategy's colour, dash pattern and marker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub color: RGBColor,
    pub dash: &'static [f64],
    pub marker: Marker,
}

/// The look of the strategy at position `i` of its scenario (beyond eight, colours
/// repeat with other dashes and markers).
pub fn look(i: usize) -> Look {
    Look {
        color: COLOURS[i % 8],
        dash: DASHES[(i + i / 8) % 8],
        marker: MARKERS[(i + 2 * (i / 8)) % 8],
    }
}

/// The colour of strategy `i`, as CSS.
pub fn css(i: usize) -> String {
    let RGBColor(r, g, b) = look(i).color;
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The dash pattern number `k` (the same list strategies take theirs from).
pub fn dash(k: usize) -> &'static [f64] {
    DASHES[k % DASHES.len()]
}

/// A line's width: wider for earlier strategies, so that a line drawn over another
/// leaves its edges showing.
pub fn width(i: usize, n: usize) -> u32 {
    2 + (n.saturating_sub(i + 1)).min(3) as u32
}

/// `pts` (pixels) cut into the pieces `dash` draws.
pub fn dashed(pts: &[(f64, f64)], dash: &[f64]) -> Vec<Vec<(f64, f64)>> {
    if dash.is_empty() || pts.len() < 2 {
        return vec![pts.to_vec()];
    }
    let (mut out, mut piece) = (Vec::new(), vec![pts[0]]);
    let (mut k, mut left) = (0, dash[0]);
    for w in pts.windows(2) {
        let (mut a, b) = (w[0], w[1]);
        let mut d = (b.0 - a.0).hypot(b.1 - a.1);
        while d > left {
            let t = left / d;
            a = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            d -= left;
            if k % 2 == 0 {
                piece.push(a);
                out.push(std::mem::take(&mut piece));
            } else {
                piece = vec![a];
            }
            k = (k + 1) % dash.len();
            left = dash[k];
        }
        left -= d;
        if k % 2 == 0 {
            piece.push(b);
        }
    }
    if k % 2 == 0 && piece.len() > 1 {
        out.push(piece);
    }
    out
}

/// Points every `every` pixels along `pts`, the first `first` pixels in.
pub fn along(pts: &[(f64, f64)], first: f64, every: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut next = first;
    let mut walked = 0.0;
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let d = (b.0 - a.0).hypot(b.1 - a.1);
        while next <= walked + d && d > 0.0 {
            let t = (next - walked) / d;
            out.push((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t));
            next += every;
        }
        walked += d;
    }
    out
}

fn px(p: (f64, f64)) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

impl Marker {
    /// Draws the marker centred on `at` (pixels of `area`), `r` pixels in radius, with
    /// a white edge so it stands out from the lines under it.
    pub fn draw<DB: DrawingBackend>(
        self,
        area: &DrawingArea<DB, Shift>,
        at: (f64, f64),
        r: i32,
        color: RGBColor,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (x, y) = px(at);
        let shape = |r: i32| -> Vec<(i32, i32)> {
            match self {
                Marker::Square => vec![
                    (x - r, y - r),
                    (x + r, y - r),
                    (x + r, y + r),
                    (x - r, y + r),
                ],
                Marker::Triangle => vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
                Marker::TriangleDown => {
                    vec![(x, y + r + 1), (x + r + 1, y - r), (x - r - 1, y - r)]
                }
                _ => vec![
                    (x, y - r - 1),
                    (x + r + 1, y),
                    (x, y + r + 1),
                    (x - r - 1, y),
                ],
            }
        };
        match self {
            Marker::Circle => {
                area.draw(&Circle::new((x, y), r + 1, WHITE.filled()))?;
                area.draw(&Circle::new((x, y), r, color.filled()))?;
            }
            Marker::Ring => {
                area.draw(&Circle::new((x, y), r + 1, WHITE.filled()))?;
                area.draw(&Circle::new((x, y), r, color.stroke_width(2)))?;
            }
            Marker::Cross | Marker::Plus => {
                let arms = match self {
                    Marker::Cross => [
                        ((x - r, y - r), (x + r, y + r)),
                        ((x - r, y + r), (x + r, y - r)),
                    ],
                    _ => [
                        ((x - r - 1, y), (x + r + 1, y)),
                        ((x, y - r - 1), (x, y + r + 1)),
                    ],
                };
                for (width, c) in [(5, WHITE), (2, color)] {
                    for (a, b) in arms {
                        area.draw(&PathElement::new(vec![a, b], c.stroke_width(width)))?;
                    }
                }
            }
            _ => {
                area.draw(&Polygon::new(shape(r + 1), WHITE.filled()))?;
                area.draw(&Polygon::new(shape(r), color.filled()))?;
            }
        }
        Ok(())
    }
}

/// Draws a polyline (pixels of `area`) in `look`'s colour and dashes, `width` wide.
pub fn line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pts: &[(f64, f64)],
    look: &Look,
    width: u32,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    for piece in dashed(pts, look.dash) {
        let piece: Vec<(i32, i32)> = piece.into_iter().map(px).collect();
        area.draw(&PathElement::new(piece, look.color.stroke_width(width)))?;
    }
    Ok(())
}

/// A chart's plotting area as pixels, and `pts` (data) mapped into it.
pub fn to_pixels<DB, X, Y>(
    chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
    pts: &[(f64, f64)],
) -> (DrawingArea<DB, Shift>, Vec<(f64, f64)>)
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let area = chart.plotting_area().strip_coord_spec();
    let (bx, by) = area.get_base_pixel();
    let mapped = pts
        .iter()
        .map(|p| {
            let (x, y) = chart.backend_coord(p);
            (f64::from(x - bx), f64::from(y - by))
        })
        .collect();
    (area, mapped)
}

/// Strategy `i` of `n`'s line through `pts` (data) on `chart`, with its markers every
/// `every` pixels, starting at a different place for each strategy.
pub fn series<DB, X, Y>(
    chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
    pts: &[(f64, f64)],
    (i, n): (usize, usize),
    every: f64,
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let l = look(i);
    let (area, px) = to_pixels(chart, pts);
    line(&area, &px, &l, width(i, n))?;
    let first = every * (i as f64 + 0.5) / n.max(1) as f64;
    for at in along(&px, first, every) {
        l.marker.draw(&area, at, 4, l.color)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_strategies_look_different() {
        let looks: Vec<Look> = (0..8).map(look).collect();
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert!(a.color != b.color && a.dash != b.dash && a.marker != b.marker);
            }
        }
        assert_eq!(
            look(3),
            look(3),
            "the same strategy looks the same everywhere"
        );
        assert_eq!(css(0), "#0072b2");
    }

    #[test]
    fn dashes_alternate_along_the_whole_line() {
        let pts = [(0.0, 0.0), (10.0, 0.0), (30.0, 0.0)];
        let pieces = dashed(&pts, &[4.0, 6.0]);
        let starts: Vec<f64> = pieces.iter().map(|p| p[0].0).collect();
        assert_eq!(starts, [0.0, 10.0, 20.0]);
        assert!(
            pieces
                .iter()
                .all(|p| (p.last().unwrap().0 - p[0].0 - 4.0).abs() < 1e-9)
        );
        assert_eq!(dashed(&pts, &[]).len(), 1);
        let marks = along(&pts, 5.0, 10.0);
        assert_eq!(marks, [(5.0, 0.0), (15.0, 0.0), (25.0, 0.0)]);
    }
}
