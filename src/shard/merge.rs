//! `afsim merge`: find shard files, check that they make whole runs, and put each run's
//! jobs back in order. Every problem is one message naming the files involved.

use super::{Header, Record, Shard};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One shard file, read.
#[derive(Clone, Debug)]
pub struct ShardFile {
    pub path: PathBuf,
    pub header: Header,
    pub records: Vec<Record>,
}

/// A whole run put back together from its shards.
#[derive(Clone, Debug)]
pub struct Merged {
    /// Shard 1's header (every shard's agrees but for `shard`).
    pub header: Header,
    /// Each job's result, in job order.
    pub results: Vec<serde_json::Value>,
    pub files: Vec<PathBuf>,
}

/// Shard files directly in each folder and in its subfolders (where `--out DIR`
/// puts them: `DIR/<scenario>/`), in name order.
pub fn find(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for dir in dirs {
        let entries = read_dir(dir)?;
        for path in &entries {
            if path.is_dir() {
                found.extend(read_dir(path)?.into_iter().filter(|p| is_shard(p)));
            } else if is_shard(path) {
                found.push(path.clone());
            }
        }
    }
    if found.is_empty() {
        let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        return Err(format!(
            "no shard files in {} (looked for check.shard-K-of-N.jsonl and \
             sweep.shard-K-of-N.jsonl in them and their subfolders)",
            names.join(", ")
        ));
    }
    Ok(found)
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot read the folder: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    Ok(paths)
}

fn is_shard(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    path.is_file() && Shard::from_file_name(name).is_some()
}

/// Reads one shard file: its header must match its name.
pub fn read(path: &Path) -> Result<ShardFile, String> {
    let p = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{p}: cannot read: {e}"))?;
    let mut lines = text.lines().enumerate();
    let (_, first) = lines.next().ok_or_else(|| format!("{p}: empty"))?;
    let header: Header =
        serde_json::from_str(first).map_err(|e| format!("{p}:1: not a shard header: {e}"))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let named = Shard::from_file_name(name);
    if named != Some((header.command.clone(), header.shard)) {
        return Err(format!(
            "{p}: its header says {} shard {}; the file name says otherwise",
            header.command, header.shard
        ));
    }
    let records = lines
        .map(|(i, line)| {
            serde_json::from_str::<Record>(line)
                .map_err(|e| format!("{p}:{}: not a shard record: {e}", i + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let expected = header.shard.jobs(header.jobs);
    let got: Vec<u64> = records.iter().map(|r| r.job).collect();
    if got != expected {
        return Err(format!(
            "{p}: holds {} of the {} runs of shard {} (or others); the shard did not finish \
             or the file was changed: run it again",
            got.len(),
            expected.len(),
            header.shard
        ));
    }
    Ok(ShardFile {
        path: path.to_path_buf(),
        header,
        records,
    })
}

/// Finds, reads and merges every run in `dirs`: one [`Merged`] per command and
/// scenario, in that order.
pub fn merge(dirs: &[PathBuf]) -> Result<Vec<Merged>, String> {
    let files = find(dirs)?
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut groups: BTreeMap<(String, String), Vec<ShardFile>> = BTreeMap::new();
    for f in files {
        let key = (f.header.command.clone(), f.header.scenario.clone());
        groups.entry(key).or_default().push(f);
    }
    let names: Vec<String> = groups.keys().map(|(_, s)| s.clone()).collect();
    groups
        .into_values()
        .map(|group| merge_one(group, &names))
        .collect()
}

/// One run's shards: the same split, every shard once, the same settings.
fn merge_one(mut group: Vec<ShardFile>, names: &[String]) -> Result<Merged, String> {
    group.sort_by_key(|f| f.header.shard);
    let first = &group[0];
    let h = &first.header;
    let what = format!("{} of {}", h.command, h.scenario);
    for f in &group[1..] {
        if f.header.shard.n != h.shard.n {
            return Err(format!(
                "{what}: {} is shard {} but {} is shard {}: shards of different splits",
                first.path.display(),
                h.shard,
                f.path.display(),
                f.header.shard
            ));
        }
        if let Some(field) = differs(h, &f.header) {
            return Err(format!(
                "{what}: {} and {} differ in {field}: they come from different runs; \
                 merge the shards of one run",
                first.path.display(),
                f.path.display()
            ));
        }
    }
    for w in group.windows(2) {
        if w[0].header.shard == w[1].header.shard {
            return Err(format!(
                "{what}: shard {} is given twice ({} and {})",
                w[0].header.shard,
                w[0].path.display(),
                w[1].path.display()
            ));
        }
    }
    missing(&group, &what, names)?;
    let mut results: Vec<Option<serde_json::Value>> = vec![None; h.jobs as usize];
    for f in &group {
        for r in &f.records {
            results[r.job as usize] = Some(r.result.clone());
        }
    }
    Ok(Merged {
        header: h.clone(),
        results: results
            .into_iter()
            .map(|r| r.expect("every shard present, each with all its jobs"))
            .collect(),
        files: group.iter().map(|f| f.path.clone()).collect(),
    })
}

/// The first thing two shards of a run disagree on, if any (`shard` aside).
fn differs(a: &Header, b: &Header) -> Option<String> {
    if a.afsim_version != b.afsim_version {
        return Some(format!(
            "afsim version ({} and {})",
            a.afsim_version, b.afsim_version
        ));
    }
    if a.jobs != b.jobs {
        return Some(format!("how many runs ({} and {})", a.jobs, b.jobs));
    }
    if a.settings == b.settings {
        return None;
    }
    let (Some(x), Some(y)) = (a.settings.as_object(), b.settings.as_object()) else {
        return Some("settings".into());
    };
    let key = x
        .keys()
        .chain(y.keys())
        .find(|k| x.get(*k) != y.get(*k))
        .map_or("settings".to_string(), |k| k.clone());
    Some(key)
}

fn missing(group: &[ShardFile], what: &str, names: &[String]) -> Result<(), String> {
    let n = group[0].header.shard.n;
    let have: Vec<u64> = group.iter().map(|f| f.header.shard.k).collect();
    let Some(gap) = (1..=n).find(|k| !have.contains(k)) else {
        return Ok(());
    };
    let found: Vec<String> = have.iter().map(u64::to_string).collect();
    let others: Vec<&String> = names
        .iter()
        .filter(|s| **s != group[0].header.scenario)
        .collect();
    let hint = match others.is_empty() {
        true => String::new(),
        false => format!(
            "; the other shards given are of {}",
            others
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Err(format!(
        "{what}: shard {gap} of {n} is missing (found {}{hint})",
        found.join(", ")
    ))
}
