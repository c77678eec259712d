//! The comparison table: per strategy, availability, latency per kind, the longest
//! write outage, violations per invariant and messages, each header with its unit.

use super::{Report, escape};
use crate::check::Kind;
use crate::plot::look;
use crate::report::summary::OpStats;
use crate::report::table::longest_outage;

fn ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.1}"))
}

fn latency(o: &OpStats) -> String {
    format!("<td>{}</td><td>{}</td>", ms(o.p50_ms), ms(o.p99_ms))
}

/// The coloured square that ties a strategy to its lines in the plots.
pub fn swatch(i: usize) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:{}\"></span>",
        look::css(i)
    )
}

pub fn section(r: &Report<'_>) -> String {
    let mut h = String::from(
        "<section id=\"comparison\">\n<h2>Comparison</h2>\n<div class=\"wide\">\n<table class=\"comparison\">\n<thead>\n<tr>\
         <th class=\"name\" rowspan=\"2\">strategy</th><th rowspan=\"2\">availability</th>\
         <th colspan=\"2\">read (ms)</th><th colspan=\"2\">write (ms)</th><th colspan=\"2\">lock (ms)</th>\
         <th rowspan=\"2\">longest outage (s)</th>",
    );
    h.push_str(&format!(
        "<th colspan=\"{}\">violations</th>",
        Kind::ALL.len()
    ));
    h.push_str("<th rowspan=\"2\">messages</th></tr>\n<tr>");
    h.push_str(&"<th>p50</th><th>p99</th>".repeat(3));
    for k in Kind::ALL {
        h.push_str(&format!("<th>{}</th>", k.name().replace('_', " ")));
    }
    h.push_str("</tr>\n</thead>\n<tbody>\n");
    let mut open = false;
    for (i, (s, o)) in r.summary.strategies.iter().zip(r.outcomes).enumerate() {
        let outage = match longest_outage(s, o.end.as_secs_f64()) {
            None => "–".to_string(),
            Some((u, still)) => {
                open |= still;
                format!("{u:.1}{}", if still { "+" } else { "" })
            }
        };
        h.push_str(&format!(
            "<tr><td class=\"name\">{}{}</td><td>{}</td>{}{}{}<td>{outage}</td>",
            swatch(i),
            escape(&s.name),
            s.availability.map_or("–".into(), |a| format!("{a:.4}")),
            latency(&s.ops.read),
            latency(&s.ops.write),
            latency(&s.ops.lock),
        ));
        for k in Kind::ALL {
            let n = s
                .violations
                .0
                .iter()
                .find(|(name, _)| *name == k.name())
                .map_or(0, |e| e.1);
            let class = if n > 0 { " class=\"bad\"" } else { "" };
            h.push_str(&format!("<td{class}>{n}</td>"));
        }
        h.push_str(&format!("<td>{}</td></tr>\n", s.messages.total));
    }
    h.push_str("</tbody>\n</table>\n</div>\n");
    h.push_str(
        "<p class=\"note\">Availability: succeeded over attempted operations of every kind \
         invoked in the run. Latency: of succeeded operations, invoke to result. Longest \
         outage: from a fault to the moment writes open again",
    );
    if open {
        h.push_str("; + an outage that had not ended when the run did, counted to the run's end");
    }
    h.push_str(". Messages: sent in the run, retries and lost ones included.</p>\n</section>\n");
    h
}
