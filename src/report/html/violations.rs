//! The violations: per strategy, each invariant that fired, how often, and its first
//! offence (when, who, which file, what).

use super::{Report, escape};
use crate::check::Kind;

pub fn section(r: &Report<'_>) -> String {
    let mut h = String::from("<section id=\"violations\">\n<h2>Violations</h2>\n");
    let any = r
        .summary
        .strategies
        .iter()
        .any(|s| s.violations.0.iter().any(|(_, n)| *n > 0));
    if !any {
        h.push_str(
            "<p class=\"note\">No invariant was violated by any strategy.</p>\n</section>\n",
        );
        return h;
    }
    h.push_str(
        "<table class=\"violations\">\n<thead><tr><th class=\"name\">strategy</th><th class=\"name\">\
         invariant</th><th>count</th><th>first at (s)</th><th class=\"name\">client</th><th>file</th>\
         <th class=\"name\">first offence</th></tr></thead>\n<tbody>\n",
    );
    for (i, (s, spec)) in r
        .summary
        .strategies
        .iter()
        .zip(&r.scenario.strategies)
        .enumerate()
    {
        let fired: Vec<(Kind, u64)> = Kind::ALL
            .iter()
            .filter_map(|&k| {
                let n = s
                    .violations
                    .0
                    .iter()
                    .find(|(name, _)| *name == k.name())
                    .map_or(0, |e| e.1);
                (n > 0).then_some((k, n))
            })
            .collect();
        let name = format!("{}{}", super::table::swatch(i), escape(&s.name));
        if fired.is_empty() {
            h.push_str(&format!("<tr><td class=\"name\">{name}</td><td class=\"text\" colspan=\"6\">none</td></tr>\n"));
        }
        let expected = match spec.expect_violations {
            true => {
                " <span class=\"note\">(expected: the scenario marks it expect_violations)</span>"
            }
            false => "",
        };
        for (k, n) in fired {
            let first = s
                .first_violations
                .0
                .iter()
                .find(|(name, _)| *name == k.name())
                .map(|e| &e.1);
            let (at, client, file, detail) = match first {
                Some(e) => (
                    format!("{:.3}", e.at_s),
                    escape(&e.client),
                    e.file.map_or("–".into(), |f| f.to_string()),
                    escape(&e.detail),
                ),
                None => ("–".into(), "–".into(), "–".into(), String::new()),
            };
            h.push_str(&format!(
                "<tr><td class=\"name\">{name}</td><td class=\"name\">{}{expected}</td><td class=\"bad\">{n}</td>\
                 <td>{at}</td><td class=\"name\">{client}</td><td>{file}</td><td class=\"text\">{detail}</td></tr>\n",
                k.name()
            ));
        }
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
    h
}
