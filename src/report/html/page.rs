//! The page around the sections: its head and style, the header, the plots, the replay.

use super::{Report, escape};
use crate::report::table::count;

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 0 auto; max-width: 1440px;
       padding: 24px 32px 64px; color: #1a1a1a; background: #fff; line-height: 1.45; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 20px; margin: 36px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.lead { color: #444; margin: 4px 0 10px; max-width: 70em; }
p.facts, p.note { color: #555; font-size: 14px; margin: 4px 0; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0; }
th, td { padding: 5px 8px; border-bottom: 1px solid #e4e4e4; text-align: right; white-space: nowrap; }
th { background: #f6f6f6; font-weight: bold; vertical-align: bottom; white-space: normal; }
div.wide { overflow-x: auto; }
td.name, th.name, td.text { text-align: left; }
td.text { white-space: normal; max-width: 44em; }
td.bad { color: #b00020; font-weight: bold; }
span.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px;
              margin-right: 8px; vertical-align: -2px; }
figure { margin: 8px 0 20px; }
figure svg { width: 100%; height: auto; display: block; }
figure.timeline svg { max-width: 1100px; }
figcaption { color: #555; font-size: 14px; margin: 4px 0; }
pre { background: #f4f4f4; padding: 10px 14px; border-radius: 4px; font-size: 14px; overflow-x: auto; }
ul.milestones { font-size: 14px; color: #333; margin: 4px 0 8px; padding-left: 20px; }
"#;

/// The whole document around `body`.
pub fn document(name: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — afsim report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(name)
    )
}

/// The title, what the scenario shows, and its facts.
pub fn header(r: &Report<'_>) -> String {
    let s = r.scenario;
    let c = &s.cell;
    let faults = r.outcomes.first().map_or(0, |o| o.faults.len()) as u64;
    format!(
        "<header>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"facts\">seed {} · {} s simulated · \
         {}, {}, {} · {} · {} · afsim {}</p>\n</header>\n",
        escape(&s.name),
        escape(&s.description),
        r.summary.seed,
        s.duration_s,
        count(c.servers.into(), "server"),
        count(c.clients.into(), "client"),
        count(c.files.into(), "file"),
        count(faults, "fault"),
        count(s.strategies.len() as u64, "strategy"),
        r.summary.afsim_version,
    )
}

/// A plot, inline.
pub fn figure(id: &str, title: &str, svg: &str) -> String {
    format!(
        "<section id=\"{id}\">\n<h2>{title}</h2>\n<figure class=\"plot\" role=\"img\" aria-label=\"{title}\">\n{}\n</figure>\n</section>\n",
        svg.trim()
    )
}

/// The command that replays the run.
pub fn replay(r: &Report<'_>) -> String {
    format!(
        "<section id=\"replay\">\n<h2>Replay</h2>\n<p class=\"note\">scenario.json holds the scenario \
         as run: every default filled in, the seed, random faults drawn. Running it again \
         gives the same summary.json, byte for byte.</p>\n<pre>afsim run {}/scenario.json</pre>\n</section>\n",
        escape(r.dir)
    )
}
