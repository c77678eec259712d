//! `report.html`: one self-contained page a person opens after a run. The comparison
//! table with units, the availability and latency plots (inline SVG), every recovery
//! as a timeline with per-client lanes, the violations with their first offences, and
//! the command that replays the run. No script, no network, no other file; the same
//! run writes the same bytes (no timestamps, nothing from the machine).

mod page;
mod table;
mod timeline;
mod violations;

use super::summary::Summary;
use crate::run::Outcome;
use crate::scenario::Scenario;

/// Everything the page shows.
pub struct Report<'a> {
    pub scenario: &'a Scenario,
    pub summary: &'a Summary,
    pub outcomes: &'a [Outcome],
    /// The plots, as their SVG files hold them.
    pub availability_svg: &'a str,
    pub latency_svg: &'a str,
    /// The folder the run wrote, as the replay command names it.
    pub dir: &'a str,
}

/// Text for HTML: `&`, `<`, `>` and quotes escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The page.
pub fn report_html(r: &Report<'_>) -> String {
    let mut body = String::new();
    body.push_str(&page::header(r));
    body.push_str(&table::section(r));
    body.push_str(&page::figure(
        "availability",
        "Availability over time",
        r.availability_svg,
    ));
    body.push_str(&page::figure(
        "latency",
        "Latency of succeeded operations",
        r.latency_svg,
    ));
    body.push_str(&timeline::section(r));
    body.push_str(&violations::section(r));
    body.push_str(&page::replay(r));
    page::document(&r.scenario.name, &body)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
