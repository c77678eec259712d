//! Output problems are found before any simulation starts: an `--out` that is a file, a
//! scenario's folder that is a file, a folder that refuses new files. One `error:` line
//! naming the place, exit status 2, nothing printed on stdout (nothing ran), nothing
//! written.
mod command;

use command::{Workdir, afsim, stderr, stdout, workdir};
use std::path::Path;
use std::process::Output;

fn scenario(name: &str) -> String {
    format!(
        r#"{{
  "name": "{name}",
  "description": "Two strategies, one crash, a minute of simulated time.",
  "seed": 3,
  "duration_s": 60,
  "cell": {{ "servers": 3, "clients": 4, "files": 5 }},
  "election": {{ "beacon_s": 1, "master_lease_s": 4, "vote_wait_s": 6 }},
  "workload": {{ "ops_per_client_s": 1 }},
  "strategies": [
    {{ "name": "lease", "recovery": "lease-timeout", "callback_lease_s": 10 }},
    {{ "name": "naive", "recovery": "naive", "callback_lease_s": 10, "expect_violations": true }}
  ],
  "faults": [ {{ "at_s": 20, "crash": "master", "for_s": 10 }} ]
}}"#
    )
}

/// A working folder with `a.json` and `b.json` (scenarios `a` and `b`).
fn with_scenarios(test: &str) -> Workdir {
    let dir = workdir(test);
    for n in ["a", "b"] {
        std::fs::write(dir.join(format!("{n}.json")), scenario(n)).unwrap();
    }
    dir
}

/// Refused before anything ran: exit 2, one error line naming `place`, no stdout.
fn assert_refused_up_front(o: &Output, place: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: ") && err.contains(place), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(stdout(o), "", "nothing ran, so nothing was printed");
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(
                files(&p)
                    .into_iter()
                    .map(|f| format!("{}/{f}", e.file_name().to_string_lossy())),
            );
        } else {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

#[test]
fn run_refuses_a_scenario_folder_that_is_a_file_before_running_any() {
    let dir = with_scenarios("folder-is-file");
    std::fs::create_dir_all(dir.join("pw")).unwrap();
    std::fs::write(dir.join("pw/b"), "not a folder").unwrap();
    let o = afsim(&dir, &["run", "a.json", "b.json", "--out", "pw"]);
    assert_refused_up_front(&o, "pw/b");
    assert_eq!(
        files(&dir.join("pw")),
        ["b"],
        "a's outputs were not written"
    );
}

#[test]
fn every_command_refuses_an_out_that_is_a_file() {
    let dir = with_scenarios("out-is-file");
    std::fs::write(dir.join("taken"), "a file").unwrap();
    let commands: [&[&str]; 4] = [
        &["run", "a.json", "--out", "taken"],
        &["check", "a.json", "--seeds", "3", "--out", "taken"],
        &["sweep", "a.json", "--seeds", "2", "--out", "taken"],
        &[
            "sweep", "a.json", "--seeds", "2", "--shard", "1/2", "--out", "taken",
        ],
    ];
    for args in commands {
        let o = afsim(&dir, args);
        assert_refused_up_front(&o, "taken");
    }
    // merge: good shards, an --out under a file.
    for k in ["1/2", "2/2"] {
        let o = afsim(
            &dir,
            &[
                "sweep", "a.json", "--seeds", "2", "--shard", k, "--out", "shards",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = afsim(&dir, &["merge", "shards", "--out", "taken/merged"]);
    assert_refused_up_front(&o, "taken");
    assert_eq!(
        std::fs::read_to_string(dir.join("taken")).unwrap(),
        "a file"
    );
    assert_eq!(
        files(&dir),
        [
            "a.json",
            "b.json",
            "shards/a/sweep.shard-1-of-2.jsonl",
            "shards/a/sweep.shard-2-of-2.jsonl",
            "taken"
        ]
    );
}

#[test]
fn an_output_file_name_taken_by_a_folder_is_refused_before_running() {
    let dir = with_scenarios("name-taken");
    std::fs::create_dir_all(dir.join("results/a/summary.json")).unwrap();
    let o = afsim(&dir, &["run", "a.json"]);
    assert_refused_up_front(&o, "results/a/summary.json");
}

#[test]
fn a_folder_that_refuses_new_files_is_found_before_running() {
    use std::os::unix::fs::PermissionsExt;
    let dir = with_scenarios("read-only");
    let locked = dir.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Permission bits do not stop root (CI runs as root): there the check is covered by
    // the file-on-the-way cases above, as it is the same probe.
    if std::fs::write(locked.join("probe"), "x").is_ok() {
        println!(
            "skipped: this user can write into a read-only folder (root), so permissions cannot make one"
        );
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    for args in [
        &["run", "a.json", "--out", "locked"][..],
        &["check", "a.json", "--seeds", "3", "--out", "locked/deeper"][..],
    ] {
        let o = afsim(&dir, args);
        assert_refused_up_front(&o, "locked");
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(files(&locked).is_empty());
}
