//! Loading a page in headless Chromium, as a person opening it would: its DOM once
//! loaded, what it wrote to the console, and a screenshot.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium to use: `$AFSIM_CHROMIUM`, else the first of the usual names on the
/// path; `None` where there is none (the tests then say so and skip).
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AFSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// What loading a page gave.
pub struct Loaded {
    /// The DOM after load (`--dump-dom`), or empty when taking a screenshot.
    pub dom: String,
    /// The lines Chromium logged from the page's console: errors, uncaught exceptions.
    pub console: Vec<String>,
}

/// Loads `page` headless (as root: no sandbox; a fresh profile; nothing from the
/// network), dumping the DOM, or with `screenshot` saving one of `size` pixels there.
pub fn load(page: &Path, screenshot: Option<(&Path, (u32, u32))>) -> Loaded {
    let exe = chromium().expect("chromium found");
    let profile = page.with_extension("chromium-profile");
    let _ = std::fs::remove_dir_all(&profile);
    let mut cmd = Command::new(exe);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    match screenshot {
        Some((png, (w, h))) => cmd
            .arg(format!("--window-size={w},{h}"))
            .arg(format!("--screenshot={}", png.display())),
        None => cmd.arg("--dump-dom"),
    };
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    // To files, not pipes: a page's DOM is more than a pipe holds while we wait.
    let (out, err) = (page.with_extension("dom"), page.with_extension("log"));
    let child = cmd
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err).unwrap()))
        .spawn()
        .expect("chromium starts");
    wait(child, Duration::from_secs(180));
    let _ = std::fs::remove_dir_all(&profile);
    let log = std::fs::read_to_string(&err).unwrap_or_default();
    Loaded {
        dom: std::fs::read_to_string(&out).unwrap_or_default(),
        console: log
            .lines()
            .filter(|l| l.contains("CONSOLE"))
            .map(String::from)
            .collect(),
    }
}

/// Waits for the child, killing it if it has not finished within `limit`.
fn wait(mut child: std::process::Child, limit: Duration) {
    let start = Instant::now();
    while child.try_wait().expect("chromium runs").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
