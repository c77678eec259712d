//! `report.html` in a real browser: headless Chromium loads the page, its console stays
//! silent (any message from a page with no script is an error, and a page with a
//! deliberate error is caught), the table and every plot are in the DOM, and a
//! screenshot is taken. Skipped, saying so, where no Chromium is installed (`.ci/run`
//! installs one).
mod browser;
mod command;

use command::{afsim, stderr, workdir};
use std::path::Path;

fn skip() -> bool {
    if browser::chromium().is_none() {
        println!("skipped: no Chromium found (apt-get install chromium, or set AFSIM_CHROMIUM)");
        return true;
    }
    false
}

#[test]
fn a_page_with_a_script_error_is_caught() {
    if skip() {
        return;
    }
    let dir = workdir("broken");
    let page = dir.join("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>broken</title></head>\
         <body><p>text</p><script>noSuchFunction();</script></body></html>",
    )
    .unwrap();
    let loaded = browser::load(&page, None);
    assert!(loaded.dom.contains("<p>text</p>"), "{}", loaded.dom);
    assert!(
        loaded.console.iter().any(|l| l.contains("noSuchFunction")),
        "the error is seen: {:?}",
        loaded.console
    );
}

/// Runs `scenario` into `dir/results` and returns its report's path.
fn run(dir: &Path, scenario: &Path) -> std::path::PathBuf {
    let o = afsim(dir, &["run", scenario.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let name = scenario.file_stem().unwrap().to_str().unwrap();
    dir.join("results").join(name).join("report.html")
}

/// The loaded DOM holds the table with a row per strategy, both plots and a timeline
/// per recovery.
fn check_dom(dom: &str, strategies: usize, timelines: usize) {
    let table = dom
        .split("<table class=\"comparison\">")
        .nth(1)
        .expect("the table");
    let body = table.split("</tbody>").next().unwrap();
    assert_eq!(
        body.matches("<tr>").count(),
        2 + strategies,
        "header rows and a row per strategy"
    );
    for id in ["availability", "latency"] {
        let section = dom
            .split(&format!("<section id=\"{id}\">"))
            .nth(1)
            .expect(id);
        assert!(
            section.split("</section>").next().unwrap().contains("<svg"),
            "{id} plot"
        );
    }
    assert_eq!(
        dom.matches("<figure class=\"timeline\">").count(),
        timelines
    );
    assert!(dom.contains("<section id=\"violations\">") && dom.contains("afsim run "));
}

#[test]
fn the_report_renders_without_console_errors() {
    if skip() {
        return;
    }
    let dir = workdir("render");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = run(&dir, &root.join("scenarios/partition-master.json"));
    let loaded = browser::load(&page, None);
    assert!(loaded.console.is_empty(), "console: {:?}", loaded.console);
    check_dom(&loaded.dom, 4, 4);
}

#[test]
fn the_headline_report_renders_and_has_a_screenshot() {
    if skip() {
        return;
    }
    let dir = workdir("headline");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = run(&dir, &root.join("scenarios/afs-failover.json"));
    let loaded = browser::load(&page, None);
    assert!(loaded.console.is_empty(), "console: {:?}", loaded.console);
    // One crash: a timeline per strategy.
    let strategies = afsim::scenario::load(&root.join("scenarios/afs-failover.json"))
        .unwrap()
        .strategies
        .len();
    check_dom(&loaded.dom, strategies, strategies);
    let png = dir.join("report.png");
    let shot = browser::load(&page, Some((&png, (1400, 2400))));
    assert!(shot.console.is_empty(), "console: {:?}", shot.console);
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert_eq!(&bytes[1..4], b"PNG");
    let (w, h) = (
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (1400, 2400));
    assert!(
        bytes.len() > 50_000,
        "a page, not a blank: {} bytes",
        bytes.len()
    );
}
