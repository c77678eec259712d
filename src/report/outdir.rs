//! Checking where outputs go before anything runs: a run that would fail at its first
//! write after minutes of simulation, or after writing half of its scenarios, fails
//! at once instead, with nothing written.

use std::path::{Path, PathBuf};

/// Why outputs cannot go where they are asked to.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Something on the way is a file (or another non-folder).
    #[error("cannot write outputs into {folder}: {blocker} is a file, not a folder")]
    NotAFolder { folder: PathBuf, blocker: PathBuf },
    /// An output file's name is taken by a folder.
    #[error("cannot write {file}: a folder of that name is in the way")]
    FolderInTheWay { file: PathBuf },
    /// The folder (or the nearest one that exists) refuses a new file.
    #[error("cannot write outputs into {folder}: {at} refuses new files ({error})")]
    NotWritable {
        folder: PathBuf,
        at: PathBuf,
        error: std::io::Error,
    },
}

/// Checks that `folder` is, or can be created as, a folder that takes new files, and
/// that none of `files` inside it is a folder. Writes nothing: permissions are tested by
/// creating and removing a probe file in the nearest existing folder (permission bits
/// alone say nothing when running as root, or on a read-only file system).
pub fn check_writable(folder: &Path, files: &[&str]) -> Result<(), OutputError> {
    let existing = nearest_existing(folder)?;
    probe(folder, &existing)?;
    if existing == folder {
        for f in files {
            let file = folder.join(f);
            if file.is_dir() {
                return Err(OutputError::FolderInTheWay { file });
            }
        }
    }
    Ok(())
}

/// The deepest part of `folder` that exists; an error if it is not a folder.
fn nearest_existing(folder: &Path) -> Result<PathBuf, OutputError> {
    let mut at = folder.to_path_buf();
    loop {
        match std::fs::metadata(&at) {
            Ok(m) if m.is_dir() => return Ok(at),
            Ok(_) => {
                return Err(OutputError::NotAFolder {
                    folder: folder.to_path_buf(),
                    blocker: at,
                });
            }
            Err(_) => {}
        }
        // A relative path ends in the working folder (an empty parent).
        match at.parent() {
            Some(p) if !p.as_os_str().is_empty() => at = p.to_path_buf(),
            _ => return Ok(PathBuf::from(".")),
        }
    }
}

/// Creates and removes a probe file in `at`.
fn probe(folder: &Path, at: &Path) -> Result<(), OutputError> {
    let path = at.join(format!(".afsim-probe-{}", std::process::id()));
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    match made {
        Ok(file) => {
            drop(file);
            let _ = std::fs::remove_file(&path);
            Ok(())
        }
        Err(error) => Err(OutputError::NotWritable {
            folder: folder.to_path_buf(),
            at: at.to_path_buf(),
            error,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("afsim-outdir-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_on_the_way_is_named_and_nothing_is_created() {
        let dir = scratch("file");
        std::fs::write(dir.join("plain"), "x").unwrap();
        let err = check_writable(&dir.join("plain/sub/deeper"), &[]).unwrap_err();
        assert!(
            matches!(&err, OutputError::NotAFolder { blocker, .. } if blocker.ends_with("plain"))
        );
        assert!(err.to_string().contains("is a file"), "{err}");
        assert!(check_writable(&dir.join("new/folder"), &["summary.json"]).is_ok());
        assert!(!dir.join("new").exists(), "checking creates nothing");
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no probe file is left: {names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_output_name_taken_by_a_folder_is_refused() {
        let dir = scratch("taken");
        std::fs::create_dir_all(dir.join("summary.json")).unwrap();
        let err = check_writable(&dir, &["summary.json"]).unwrap_err();
        assert!(matches!(err, OutputError::FolderInTheWay { .. }), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
