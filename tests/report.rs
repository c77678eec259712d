//! `report.html`: one self-contained page per run (no script, no network, no other
//! file), the same bytes for the same run, with the comparison table, both plots, a
//! timeline per recovery with its client lanes (at most 50, the rest counted), the
//! violations with their first offences, and the replay command.
mod command;

use command::{afsim, stderr, workdir};

/// 60 clients (more lanes than a timeline shows), a crash, token recovery and naive.
const CROWD: &str = r#"{
  "name": "crowd",
  "description": "Sixty clients through a master crash: token recovery reasserts, naive reads stale.",
  "seed": 5,
  "duration_s": 150,
  "cell": { "servers": 3, "clients": 60, "files": 4 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "workload": { "ops_per_client_s": 0.5, "mix": { "read": 0.6, "write": 0.3, "lock": 0.1 } },
  "strategies": [
    { "name": "token <recovery>", "recovery": "token-recovery", "callback_lease_s": 30, "recovery_window_s": 10 },
    { "name": "naive", "recovery": "naive", "callback_lease_s": 30, "expect_violations": true }
  ],
  "faults": [ { "at_s": 40, "crash": "master", "for_s": 20 } ]
}"#;

fn report(dir: &std::path::Path, out: &str) -> String {
    let o = afsim(dir, &["run", "crowd.json", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(dir.join(out).join("crowd/report.html")).unwrap()
}

#[test]
fn the_report_is_one_page_with_every_part() {
    let dir = workdir("parts");
    std::fs::write(dir.join("crowd.json"), CROWD).unwrap();
    let html = report(&dir, "results");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in [
        "comparison",
        "availability",
        "latency",
        "recoveries",
        "violations",
        "replay",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
    }
    // Self-contained: nothing to fetch, nothing to run.
    for banned in ["<script", " src=", " href=", "url(", "@import", "https://"] {
        assert!(!html.contains(banned), "{banned}");
    }
    let namespaces = html.matches("http://").count();
    assert_eq!(
        namespaces,
        html.matches("http://www.w3.org/2000/svg").count(),
        "only SVG namespaces"
    );
    // The table: a row per strategy, names escaped, units in the headers.
    assert!(html.contains("token &lt;recovery&gt;") && !html.contains("token <recovery>"));
    assert!(html.contains("read (ms)") && html.contains("longest outage (s)"));
    for k in afsim::check::Kind::ALL {
        assert!(
            html.contains(&format!("<th>{}</th>", k.name().replace('_', " "))),
            "{k:?}"
        );
    }
    // Both plots inline, then a timeline per recovery of each strategy.
    let svgs = html.matches("<svg ").count();
    assert!(svgs >= 4, "{svgs} svgs");
    assert_eq!(html.matches("<figure class=\"timeline\">").count(), 2);
    // Lanes: at most 50 per recovery, the rest counted; what each client went through.
    assert!(
        html.contains("the first 50 shown, 10 more not shown"),
        "lanes capped"
    );
    assert!(
        html.contains(" reasserted"),
        "token recovery's clients reassert"
    );
    assert!(
        html.contains(" read stale"),
        "naive's clients read stale data"
    );
    assert!(
        html.contains("stale_read <span class=\"note\">(expected"),
        "violations listed"
    );
    assert!(html.contains("read write c"), "with the first offence");
    assert!(html.contains("<pre>afsim run results/crowd/scenario.json</pre>"));
    let again = report(&dir, "results");
    assert!(html == again, "the same run writes the same page");
}
