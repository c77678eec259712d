//! Progress bars as a person at a terminal sees them: `run` counts simulated seconds
//! of each strategy's run, `check` counts seeds and the seeds with violations so far.
//! Run under `script`, which gives afsim a terminal; skipped (with a message) where
//! `script` is missing. Without a terminal, no bar is drawn at all.
mod command;

use command::{afsim, stderr, workdir};
use std::path::Path;
use std::process::Command;

const TINY: &str = r#"{
  "name": "tiny",
  "description": "Two strategies, one crash, ten minutes of simulated time.",
  "seed": 3,
  "duration_s": 600,
  "cell": { "servers": 3, "clients": 4, "files": 5 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "workload": { "ops_per_client_s": 1 },
  "strategies": [
    { "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 10 },
    { "name": "naive", "recovery": "naive", "callback_lease_s": 10, "expect_violations": true }
  ],
  "faults": [ { "at_s": 20, "crash": "master", "for_s": 10 } ]
}"#;

/// What afsim wrote to its terminal under `script`, or `None` without `script`.
fn on_a_terminal(dir: &Path, args: &str) -> Option<String> {
    let exe = env!("CARGO_BIN_EXE_afsim");
    let o = Command::new("script")
        .args(["-qec", &format!("{exe} {args}"), "/dev/null"])
        .current_dir(dir)
        .output()
        .ok()?;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn run_shows_simulated_time_and_check_shows_seeds_with_violations() {
    let dir = workdir("terminal");
    std::fs::write(dir.join("tiny.json"), TINY).unwrap();
    let Some(screen) = on_a_terminal(&dir, "run tiny.json") else {
        println!("skipped: `script` (util-linux) is not installed, so no terminal to test on");
        return;
    };
    assert!(screen.contains("simulated s"), "{screen}");
    assert!(
        screen.contains("tiny: lease ["),
        "names the strategy running: {screen}"
    );
    let screen = on_a_terminal(&dir, "check tiny.json --seeds 4 --jobs 1").unwrap();
    assert!(screen.contains("/4 seeds"), "{screen}");
    assert!(
        !screen.contains(" runs,"),
        "counts seeds, not runs: {screen}"
    );
    // naive breaks callback promises on some seeds: the bar says on how many so far.
    assert!(screen.contains("0 seeds with violations ["), "{screen}");
    assert!(screen.contains("1 seed with violations ["), "{screen}");
}

#[test]
fn without_a_terminal_no_bar_is_drawn() {
    let dir = workdir("pipe");
    std::fs::write(dir.join("tiny.json"), TINY).unwrap();
    for args in [
        &["run", "tiny.json"][..],
        &["check", "tiny.json", "--seeds", "2"][..],
    ] {
        let o = afsim(&dir, args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}");
    }
}
