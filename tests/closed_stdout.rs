//! A closed standard output (`afsim run … | head -1`) ends afsim quietly: exit status 0,
//! nothing on stderr (no panic, no backtrace), and every file it wrote is whole.
mod command;

use command::{afsim_stdout_closed, stderr, workdir};

const TINY: &str = r#"{
  "name": "tiny",
  "description": "Two strategies, one crash, a minute of simulated time.",
  "seed": 3,
  "duration_s": 60,
  "cell": { "servers": 3, "clients": 4, "files": 5 },
  "election": { "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 },
  "workload": { "ops_per_client_s": 1 },
  "strategies": [
    { "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 10 },
    { "name": "naive", "recovery": "naive", "callback_lease_s": 10, "expect_violations": true }
  ],
  "faults": [ { "at_s": 20, "crash": "master", "for_s": 10 } ]
}"#;

fn assert_quiet(test: &str, args: &[&str]) {
    let dir = workdir(test);
    std::fs::write(dir.join("tiny.json"), TINY).unwrap();
    let o = afsim_stdout_closed(&dir, args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "afsim {args:?}: {err}");
    assert!(err.is_empty(), "afsim {args:?} printed on stderr: {err}");
    // Whatever was written is whole: no temporary file is left behind.
    for entry in walk(&dir) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp"), "left behind: {}", entry.display());
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn run_with_stdout_closed_ends_quietly() {
    assert_quiet("run", &["run", "tiny.json"]);
}

#[test]
fn check_with_stdout_closed_ends_quietly() {
    assert_quiet(
        "check",
        &["check", "tiny.json", "--seeds", "2", "--jobs", "1"],
    );
}

#[test]
fn sweep_with_stdout_closed_ends_quietly() {
    assert_quiet(
        "sweep",
        &["sweep", "tiny.json", "--seeds", "2", "--jobs", "1"],
    );
}

#[test]
fn validate_and_schema_with_stdout_closed_end_quietly() {
    assert_quiet("validate", &["validate", "tiny.json"]);
    assert_quiet("schema", &["schema"]);
}
