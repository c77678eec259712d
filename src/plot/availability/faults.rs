//! The faults above the availability chart: each applied fault once, its label tidied
//! (`for 143.127 s` reads `for 143 s`), laid out in at most two rows of labels beside
//! their ticks; when they do not fit, the ticks carry numbers instead and a key under
//! the plot says what each number was.

use super::super::frame::{Style, text_width, trim, wrap};
use super::{FAULT_FILL, MARGIN_LEFT, RIGHT, WIDTH, secs};
use crate::run::Outcome;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A fault as shaded: its span (or instant) and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultMark {
    pub at_s: f64,
    pub until_s: Option<f64>,
    pub label: String,
}

/// Rows of labels at most; beyond, numbers and a key.
const MAX_ROWS: usize = 2;
pub const ROW_H: i32 = 20;
/// Room kept between two labels on a row.
const GAP: i32 = 12;

/// How the fault labels are laid out.
#[derive(Clone, Debug, PartialEq)]
pub enum Labels {
    /// Each label beside its tick: (row, where the text starts) per fault.
    Inline(Vec<(usize, i32)>),
    /// Ticks numbered from 1, ticks closer than a label merged (`3-5`): per group its
    /// first and last fault (indices) and its row; then the key's lines.
    Numbered(Vec<(usize, usize, usize)>, Vec<String>),
}

/// Every fault some strategy applied, once (they share the schedule; a symbolic target
/// may resolve differently, so the label lists each distinct node).
pub fn marks(outcomes: &[Outcome]) -> Vec<FaultMark> {
    let mut marks: Vec<(FaultMark, Vec<String>)> = Vec::new();
    for f in outcomes.iter().flat_map(|o| &o.faults) {
        let Some(node) = &f.resolved else { continue };
        let (at_s, until_s) = (secs(f.at), f.until.map(secs));
        let same = |m: &FaultMark| m.at_s == at_s && m.until_s == until_s && m.label == f.fault;
        match marks.iter_mut().find(|(m, _)| same(m)) {
            Some((_, nodes)) if !nodes.contains(node) => nodes.push(node.clone()),
            Some(_) => {}
            None => marks.push((
                FaultMark {
                    at_s,
                    until_s,
                    label: f.fault.clone(),
                },
                vec![node.clone()],
            )),
        }
    }
    marks
        .into_iter()
        .map(|(mut m, nodes)| {
            if !m.label.contains(&nodes.join("/")) {
                m.label = format!("{} ({})", m.label, nodes.join("/"));
            }
            m.label = tidy(&m.label);
            m
        })
        .collect()
}

/// Numbers in a fault's label rounded as people read them: seconds to the second
/// (tenths below ten), other numbers to three decimals.
pub fn tidy(label: &str) -> String {
    let words: Vec<&str> = label.split(' ').collect();
    words
        .iter()
        .enumerate()
        .map(|(i, w)| match w.parse::<f64>() {
            Ok(v) if w.contains('.') => {
                let seconds = words.get(i + 1) == Some(&"s");
                let digits = if !seconds {
                    3
                } else if v.abs() >= 10.0 {
                    0
                } else {
                    1
                };
                let k = 10f64.powi(digits);
                trim((v * k).round() / k)
            }
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lays out labels for ticks at `xs` (pixels) in a chart ending at `right`: inline if
/// every label fits in [`MAX_ROWS`] rows, numbered otherwise (`when` names each
/// fault's time for the key, which wraps at `width`).
pub fn layout(
    marks: &[FaultMark],
    xs: &[i32],
    right: i32,
    when: &dyn Fn(f64) -> String,
    width: i32,
) -> Labels {
    let texts: Vec<&str> = marks.iter().map(|m| m.label.as_str()).collect();
    if let Some(rows) = rows(&texts, xs, right) {
        return Labels::Inline(rows);
    }
    let groups = merge_close(xs);
    let names: Vec<String> = groups.iter().map(|&(a, b)| group_name(a, b)).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let firsts: Vec<i32> = groups.iter().map(|&(a, _)| xs[a]).collect();
    let rows = groups
        .iter()
        .zip(rows_any(&refs, &firsts, right))
        .map(|(&(a, b), (row, _))| (a, b, row))
        .collect();
    let key = marks
        .iter()
        .enumerate()
        .map(|(k, m)| format!("{} {} at {}", k + 1, m.label, when(m.at_s)))
        .collect::<Vec<_>>()
        .join(";  ");
    Labels::Numbered(rows, wrap(&format!("Faults: {key}."), Style::NOTE, width))
}

/// Ticks within a number's width of the first of their group share one label.
fn merge_close(xs: &[i32]) -> Vec<(usize, usize)> {
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for (k, &x) in xs.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if x - xs[g.0] < 30 => g.1 = k,
            _ => groups.push((k, k)),
        }
    }
    groups
}

/// `3`, `3,4` or `3-5` for faults `a..=b` (from 0).
pub fn group_name(a: usize, b: usize) -> String {
    match b - a {
        0 => format!("{}", a + 1),
        1 => format!("{},{}", a + 1, b + 1),
        _ => format!("{}-{}", a + 1, b + 1),
    }
}

/// Where a label `w` wide starts: right of its tick at `x`, or left of it where it
/// would run off the chart.
fn start(x: i32, w: i32, right: i32) -> i32 {
    if x + 4 + w <= right { x } else { x - w - 8 }
}

/// The first free row for each label (unbounded), and where it starts.
fn rows_any(texts: &[&str], xs: &[i32], right: i32) -> Vec<(usize, i32)> {
    let mut ends: Vec<i32> = Vec::new();
    texts
        .iter()
        .zip(xs)
        .map(|(t, &x)| {
            let w = text_width(t, Style::NOTE);
            let s = start(x, w, right);
            let row = ends
                .iter()
                .position(|&end| end + GAP < s)
                .unwrap_or(ends.len());
            if row == ends.len() {
                ends.push(s + w + 4);
            } else {
                ends[row] = s + w + 4;
            }
            (row, s)
        })
        .collect()
}

fn rows(texts: &[&str], xs: &[i32], right: i32) -> Option<Vec<(usize, i32)>> {
    let placed = rows_any(texts, xs, right);
    placed.iter().all(|(r, _)| *r < MAX_ROWS).then_some(placed)
}

impl Labels {
    /// Rows above the chart.
    pub fn rows(&self) -> usize {
        let rows = match self {
            Labels::Inline(r) => r.iter().map(|(row, _)| *row).collect::<Vec<_>>(),
            Labels::Numbered(g, _) => g.iter().map(|&(_, _, row)| row).collect(),
        };
        rows.into_iter().max().map_or(0, |r| r + 1)
    }

    /// Lines of the key under the plot.
    pub fn key(&self) -> &[String] {
        match self {
            Labels::Inline(_) => &[],
            Labels::Numbered(_, key) => key,
        }
    }
}

impl super::Availability {
    /// Where each fault sits on the x axis, in pixels.
    fn fault_xs(&self) -> Vec<i32> {
        let plot_w = f64::from(WIDTH - MARGIN_LEFT - self.left - RIGHT);
        let x0 = f64::from(MARGIN_LEFT + self.left);
        self.faults
            .iter()
            .map(|f| (x0 + f.at_s / self.duration_s * plot_w).round() as i32)
            .collect()
    }

    pub(super) fn label_faults<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        y: i32,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let xs = self.fault_xs();
        let tick = |x: i32, ty: i32| {
            PathElement::new(vec![(x, ty + 2), (x, ty + 16)], FAULT_FILL.stroke_width(2))
        };
        match &self.labels {
            Labels::Inline(places) => {
                for ((f, &x), &(row, start)) in self.faults.iter().zip(&xs).zip(places) {
                    let ty = y + row as i32 * ROW_H;
                    root.draw(&tick(x, ty))?;
                    root.draw(&Text::new(
                        f.label.clone(),
                        (start + 4, ty),
                        Style::text(Style::NOTE),
                    ))?;
                }
            }
            Labels::Numbered(groups, _) => {
                for &(a, b, row) in groups {
                    let ty = y + row as i32 * ROW_H;
                    for &x in &xs[a..=b] {
                        root.draw(&tick(x, ty))?;
                    }
                    let name = group_name(a, b);
                    root.draw(&Text::new(name, (xs[a] + 4, ty), Style::text(Style::NOTE)))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(at_s: f64, label: &str) -> FaultMark {
        FaultMark {
            at_s,
            until_s: None,
            label: label.into(),
        }
    }

    #[test]
    fn labels_round_sensibly() {
        assert_eq!(
            tidy("crash master for 143.127 s (fs1)"),
            "crash master for 143 s (fs1)"
        );
        assert_eq!(tidy("loss 0.3 for 4.25 s"), "loss 0.3 for 4.3 s");
        assert_eq!(tidy("clock jump -5 s on c3"), "clock jump -5 s on c3");
        assert_eq!(tidy("loss 0.0012345"), "loss 0.001");
    }

    #[test]
    fn labels_never_stack_deeper_than_two_rows() {
        let marks: Vec<FaultMark> = (0..4)
            .map(|k| mark(k as f64, "crash master for 60 s (fs0)"))
            .collect();
        let xs = [100, 104, 108, 112];
        let when = |s: f64| format!("{s} s");
        let l = layout(&marks, &xs, 1300, &when, 1200);
        assert!(matches!(l, Labels::Numbered(..)), "{l:?}");
        assert!(l.rows() <= 2, "{l:?}");
        assert!(
            l.key()[0].starts_with("Faults: 1 crash master"),
            "{:?}",
            l.key()
        );
        let apart = layout(&marks[..2], &[100, 700], 1300, &when, 1200);
        assert_eq!(apart, Labels::Inline(vec![(0, 100), (0, 700)]));
    }
}
