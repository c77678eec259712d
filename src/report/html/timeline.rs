//! Every recovery as a timeline: the fault, the election, writes and locks open, the
//! first acknowledgements, and under them a lane per client that was refused,
//! reasserted or read stale in that recovery (at most [`MAX_LANES`], the rest counted).

use super::{Report, escape};
use crate::cell::ids::ClientNo;
use crate::metrics::lanes::{CAP, ClientMarks, Mark};
use crate::plot::text::Sized;
use crate::report::summary::RecoverySummary;
use std::fmt::Write;

/// Client lanes drawn per recovery at most.
pub const MAX_LANES: usize = 50;
const W: f64 = 1100.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 240.0;
const LANE_H: f64 = 18.0;
const LABEL_ROW_H: f64 = 16.0;
const AXIS_H: f64 = 34.0;
const FONT: f64 = 12.0;

/// A moment of a recovery: its name, its time, its colour and whether dashed.
struct Milestone {
    name: &'static str,
    at_s: f64,
    color: &'static str,
    dashed: bool,
}

fn milestones(r: &RecoverySummary) -> Vec<Milestone> {
    let m = |name, at: Option<f64>, color, dashed| {
        at.map(|at_s| Milestone {
            name,
            at_s,
            color,
            dashed,
        })
    };
    [
        m("fault", Some(r.at_s), "#6b6b6b", false),
        m("elected", r.elected_at_s, "#7b3294", false),
        m("writes open", r.writes_open_at_s, "#1b7837", false),
        m("locks open", r.locks_open_at_s, "#2166ac", false),
        m("first write ok", r.first_write_ok_at_s, "#1b7837", true),
        m("first lock ok", r.first_lock_ok_at_s, "#2166ac", true),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What a mark looks like: colour and shape (an SVG fragment centred on 0,0).
fn glyph(mark: Mark) -> (&'static str, &'static str) {
    match mark {
        Mark::Refused => (
            "#c51b7d",
            "<path d=\"M-4,-4L4,4M-4,4L4,-4\" stroke-width=\"2\"/>",
        ),
        Mark::Reasserted => ("#2166ac", "<circle r=\"4\"/>"),
        Mark::StaleRead => ("#e08214", "<path d=\"M0,-5L5,4L-5,4Z\"/>"),
    }
}

fn text_w(text: &str) -> f64 {
    f64::from(Sized::new(FONT * 1.24, false).measure(text).0)
}

/// `+75.1 s`, `+4 h 3 min` after the fault.
fn after(s: f64) -> String {
    if s < 600.0 {
        format!("+{s:.1} s")
    } else {
        format!("+{}", crate::plot::human_duration(s))
    }
}

pub fn section(r: &Report<'_>) -> String {
    let mut h = String::from(
        "<section id=\"recoveries\">\n<h2>Recoveries</h2>\n<p class=\"note\">Each fault that took the \
         master's majority away, per strategy: when a master was elected again, when it opened writes \
         and locks, the first acknowledgements; under it a lane per client that was \
         <span style=\"color:#c51b7d\">× refused</span> (by a server not yet master, or recovering), \
         <span style=\"color:#2166ac\">● reasserted</span> its tokens or replayed a write, or \
         <span style=\"color:#e08214\">▲ read stale</span> data, from the fault until five minutes \
         after writes opened (at most an hour).</p>\n",
    );
    for (i, (s, o)) in r.summary.strategies.iter().zip(r.outcomes).enumerate() {
        let _ = writeln!(h, "<h3>{}{}</h3>", super::table::swatch(i), escape(&s.name));
        if s.recoveries.is_empty() {
            h.push_str("<p class=\"note\">No fault took the master's majority away.</p>\n");
        }
        for (k, rec) in s.recoveries.iter().enumerate() {
            h.push_str(&figure(rec, &o.metrics().lanes.of(k)));
        }
    }
    h.push_str("</section>\n");
    h
}

/// One recovery: what happened when, in words, then the timeline.
fn figure(rec: &RecoverySummary, lanes: &[(ClientNo, &ClientMarks)]) -> String {
    let mut words = vec![format!("{} at {:.1} s", escape(&rec.fault), rec.at_s)];
    for m in milestones(rec).iter().skip(1) {
        words.push(format!("{} {}", m.name, after(m.at_s - rec.at_s)));
    }
    if rec.writes_open_at_s.is_none() {
        words.push("writes not open again by the end of the run".into());
    }
    words.push(format!(
        "{} operations invoked in the outage, {} failed",
        rec.ops_attempted_during, rec.ops_failed_during
    ));
    let left_out = lanes.len().saturating_sub(MAX_LANES);
    let mut caption = match lanes.len() {
        0 => "No client was refused, reasserted or read stale in this recovery.".to_string(),
        n => format!(
            "{n} client{} with something in this recovery",
            if n == 1 { "" } else { "s" }
        ),
    };
    if left_out > 0 {
        let _ = write!(
            caption,
            "; the first {MAX_LANES} shown, {left_out} more not shown"
        );
    }
    format!(
        "<figure class=\"timeline\">\n<figcaption>{}.</figcaption>\n{}<figcaption>{caption}.</figcaption>\n</figure>\n",
        words.join("; "),
        svg(rec, lanes)
    )
}

/// The view: from the fault to the last milestone or mark within [`CAP`], padded.
fn span(rec: &RecoverySummary, lanes: &[(ClientNo, &ClientMarks)]) -> (f64, f64) {
    let cap = rec.at_s + CAP.as_secs_f64();
    let marks = lanes
        .iter()
        .flat_map(|(_, c)| c.times.iter().flatten())
        .map(|t| t.as_micros() as f64 / 1e6);
    let last = milestones(rec)
        .iter()
        .map(|m| m.at_s)
        .chain(marks)
        .filter(|&t| t <= cap)
        .fold(rec.at_s, f64::max);
    let end = last.max(rec.at_s + 10.0);
    (
        rec.at_s - (end - rec.at_s) * 0.03,
        end + (end - rec.at_s) * 0.04,
    )
}

/// A round step for about six ticks over `span` seconds.
fn tick_step(span: f64) -> f64 {
    let raw = span / 6.0;
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * p)
}

fn svg(rec: &RecoverySummary, lanes: &[(ClientNo, &ClientMarks)]) -> String {
    let (t0, t1) = span(rec, lanes);
    let x = |t: f64| LEFT + (t - t0) / (t1 - t0) * (W - LEFT - RIGHT);
    let shown = &lanes[..lanes.len().min(MAX_LANES)];
    // Milestone labels on rows, so none overlaps another.
    let mut ends: Vec<f64> = Vec::new();
    let placed: Vec<(Milestone, usize, f64)> = milestones(rec)
        .into_iter()
        .filter(|m| m.at_s <= t1)
        .map(|m| {
            let label = label(&m, rec.at_s);
            let start = x(m.at_s) - 2.0;
            let row = ends
                .iter()
                .position(|&e| e + 8.0 < start)
                .unwrap_or(ends.len());
            let end = start + text_w(&label);
            if row == ends.len() {
                ends.push(end)
            } else {
                ends[row] = end
            }
            (m, row, start)
        })
        .collect();
    let top = ends.len().max(1) as f64 * LABEL_ROW_H + 6.0;
    let lanes_h = shown.len().max(1) as f64 * LANE_H;
    let h = top + lanes_h + AXIS_H;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\" \
         font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"{FONT}\">"
    );
    let bottom = top + lanes_h;
    for (k, _) in shown.iter().enumerate().filter(|(k, _)| k % 2 == 1) {
        let y = top + k as f64 * LANE_H;
        let _ = writeln!(
            s,
            "<rect x=\"{LEFT}\" y=\"{y}\" width=\"{}\" height=\"{LANE_H}\" fill=\"#f5f5f5\"/>",
            W - LEFT - RIGHT
        );
    }
    axis(&mut s, (t0, t1), rec.at_s, bottom, &x);
    for (m, row, start) in &placed {
        let (mx, ly) = (x(m.at_s), LABEL_ROW_H * (*row as f64 + 1.0));
        let dash = if m.dashed {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<line x1=\"{mx:.1}\" y1=\"{:.1}\" x2=\"{mx:.1}\" y2=\"{bottom:.1}\" stroke=\"{}\" stroke-width=\"2\"{dash}/>\
             <text x=\"{start:.1}\" y=\"{ly:.1}\" fill=\"{}\">{}</text>",
            ly + 3.0,
            m.color,
            m.color,
            escape(&label(m, rec.at_s))
        );
    }
    for (k, (client, marks)) in shown.iter().enumerate() {
        lane(&mut s, *client, marks, top + k as f64 * LANE_H, &x, t1);
    }
    if shown.is_empty() {
        let _ = writeln!(
            s,
            "<text x=\"{LEFT}\" y=\"{:.1}\" fill=\"#777\">no client lanes</text>",
            top + 13.0
        );
    }
    s.push_str("</svg>\n");
    s
}

fn label(m: &Milestone, at_s: f64) -> String {
    match m.name {
        "fault" => "fault".into(),
        name => format!("{name} {}", after(m.at_s - at_s)),
    }
}

/// The time axis under the lanes, in seconds after the fault.
fn axis(s: &mut String, (t0, t1): (f64, f64), at_s: f64, y: f64, x: &dyn Fn(f64) -> f64) {
    let _ = writeln!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#333\"/>",
        W - RIGHT
    );
    let step = tick_step(t1 - t0);
    let mut t = ((t0 - at_s) / step).ceil() * step;
    while at_s + t <= t1 {
        let tx = x(at_s + t);
        let _ = writeln!(
            s,
            "<line x1=\"{tx:.1}\" y1=\"{y}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\
             <text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            y + 5.0,
            y + 18.0,
            crate::plot::trim(t)
        );
        t += step;
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">s after the fault</text>",
        W - RIGHT,
        y + 31.0
    );
}

/// One client's lane: its name, its marks, and its counts.
fn lane(
    s: &mut String,
    client: ClientNo,
    marks: &ClientMarks,
    y: f64,
    x: &dyn Fn(f64) -> f64,
    t1: f64,
) {
    let mid = y + LANE_H / 2.0;
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">c{client}</text>",
        LEFT - 8.0,
        mid + 4.0
    );
    let mut counts = Vec::new();
    for mark in Mark::ALL {
        let (color, shape) = glyph(mark);
        let k = mark as usize;
        for t in marks.times[k]
            .iter()
            .map(|t| t.as_micros() as f64 / 1e6)
            .filter(|&t| t <= t1)
        {
            let _ = writeln!(
                s,
                "<g transform=\"translate({:.1},{mid:.1})\" fill=\"{color}\" stroke=\"{color}\">{shape}</g>",
                x(t)
            );
        }
        if marks.counts[k] > 0 {
            counts.push(format!("{} {}", marks.counts[k], mark.name()));
        }
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">{}</text>",
        W - RIGHT + 10.0,
        mid + 4.0,
        counts.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(75.0), 20.0);
        assert_eq!(tick_step(600.0), 100.0);
        assert_eq!(tick_step(3600.0), 1000.0);
    }
}
