//! Writing outputs: every file atomically (a temporary file, then a rename), so an
//! interrupted run never leaves half a file behind.

use crate::metrics::BIN;
use crate::run::Outcome;
use crate::scenario::Scenario;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Every file `afsim run` writes into a scenario's folder (`trace.json` and
/// `history.jsonl` only when asked for).
pub const RUN_FILES: [&str; 11] = [
    "summary.json",
    "scenario.json",
    "perf.json",
    "timeseries.csv",
    "availability.svg",
    "availability.png",
    "latency.svg",
    "latency.png",
    "report.html",
    "trace.json",
    "history.jsonl",
];

/// Write `bytes` to `path` atomically, creating its folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp: PathBuf = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

/// A file written in pieces over a long time (a trace as the run goes): it grows under
/// a temporary name in its folder and is renamed into place by [`PendingFile::commit`];
/// dropped uncommitted (a run stopped at a limit), the temporary file is removed.
pub struct PendingFile {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl PendingFile {
    /// Creates the temporary file (and the folder); the file to write to.
    pub fn create(path: &Path) -> std::io::Result<(PendingFile, std::fs::File)> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
        let file = std::fs::File::create(&tmp)?;
        let pending = PendingFile {
            tmp,
            path: path.to_path_buf(),
            committed: false,
        };
        Ok((pending, file))
    }

    /// `file` (written through) is complete: sync it and rename it into place.
    pub fn commit(self, file: std::fs::File) -> std::io::Result<()> {
        file.sync_all()?;
        drop(file);
        self.rename_into_place()
    }

    /// The file is complete, written, flushed and closed: rename it into place.
    pub fn rename_into_place(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.tmp, &self.path)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Pretty JSON with a final newline.
pub fn json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("outputs serialise");
    s.push('\n');
    s
}

#[derive(Serialize)]
struct Perf<'a> {
    afsim_version: &'a str,
    scenario: &'a str,
    strategies: Vec<StrategyPerf<'a>>,
}

#[derive(Serialize)]
struct StrategyPerf<'a> {
    name: &'a str,
    wall_s: f64,
    events: u64,
    events_per_s: f64,
    sim_s_per_wall_s: f64,
    peak_rss_mb: Option<f64>,
}

/// `perf.json`: machine-dependent figures, one entry per strategy.
pub fn perf_json(scenario: &Scenario, outcomes: &[Outcome]) -> String {
    let strategies = scenario
        .strategies
        .iter()
        .zip(outcomes)
        .map(|(s, o)| {
            let wall = o.wall_s.max(1e-9);
            StrategyPerf {
                name: &s.name,
                wall_s: o.wall_s,
                events: o.stats.events,
                events_per_s: (o.stats.events as f64 / wall).round(),
                sim_s_per_wall_s: (o.end.as_secs_f64() / wall * 10.0).round() / 10.0,
                peak_rss_mb: o.peak_rss_mb,
            }
        })
        .collect();
    json(&Perf {
        afsim_version: super::summary::VERSION,
        scenario: &scenario.name,
        strategies,
    })
}

/// A CSV field, quoted if it needs to be.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `timeseries.csv`: one row per 60 s bin of `[0, duration_s)` per strategy: the
/// CONTRACT's columns first, then attempted and succeeded per kind.
pub fn timeseries_csv(scenario: &Scenario, outcomes: &[Outcome]) -> String {
    let mut out = String::from(
        "strategy,t_s,attempted,succeeded,availability,messages,read_attempted,\
         read_succeeded,write_attempted,write_succeeded,lock_attempted,lock_succeeded\n",
    );
    let bins = (scenario.duration_s / BIN.as_secs_f64()).ceil() as usize;
    for (s, o) in scenario.strategies.iter().zip(outcomes) {
        let name = csv_field(&s.name);
        for i in 0..bins {
            let b = o.metrics().bins.get(i).copied().unwrap_or_default();
            let avail = if b.attempted > 0 {
                format!("{:.6}", b.succeeded as f64 / b.attempted as f64)
            } else {
                String::new()
            };
            let t = i as u64 * BIN.as_micros() / 1_000_000;
            out.push_str(&format!(
                "{name},{t},{},{},{avail},{}",
                b.attempted, b.succeeded, b.messages
            ));
            for k in &b.kinds {
                out.push_str(&format!(",{},{}", k.attempted, k.succeeded));
            }
            out.push('\n');
        }
    }
    out
}
