//! Installing, listing and removing shims: symlinks named after agents that point at the
//! agsekit binary, in one folder. Changes are made by difference under a lock; a file that
//! agsekit did not make is never touched.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::Context;
use nix::fcntl::{Flock, FlockArg};

use crate::error::UserError;
use crate::t;

/// Names that must never become shims: they would shadow agsekit itself or the tools it
/// runs.
pub const RESERVED: &[&str] = &["agsekit", "multipass", "ssh", "sh", "bash", "env", "sudo"];

/// Shims made when the config names no agents (and always offered).
pub const DEFAULT_NAMES: &[&str] = &["codex", "claude", "qwen"];

/// What happened to one shim name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShimChange {
    Created(String),
    Updated(String),
    Unchanged(String),
    Removed(String),
    /// A file of that name exists and agsekit did not make it.
    SkippedForeign(String),
    /// The name is reserved or not a plain file name.
    SkippedInvalid(String),
}

/// A shim found in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShimEntry {
    pub name: String,
    pub target: PathBuf,
    /// True when it points at the agsekit binary that is running now.
    pub current: bool,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains('/')
        && name != ".."
        && !RESERVED.contains(&name)
}

/// A symlink is ours when it points at a file named `agsekit`.
fn managed_target(path: &Path) -> Option<PathBuf> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    let target = std::fs::read_link(path).ok()?;
    (target.file_name()? == "agsekit").then_some(target)
}

fn lock(dir: &Path) -> anyhow::Result<Flock<File>> {
    let path = dir.join(".agsekit-shims.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| t!("lifecycle.shims.lock_open_failed", path = path.display()))?;
    Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| {
        anyhow::anyhow!(t!(
            "lifecycle.cannot_lock",
            path = path.display(),
            error = e
        ))
    })
}

/// The shims in `dir` that agsekit manages, sorted by name.
pub fn list(dir: &Path, agsekit: &Path) -> Vec<ShimEntry> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<ShimEntry> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let target = managed_target(&e.path())?;
            Some(ShimEntry {
                current: target == agsekit,
                name,
                target,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Makes `dir` hold exactly the managed shims `names`, each pointing at `agsekit`: creates
/// missing ones, repoints stale ones, removes managed shims no longer wanted, and leaves
/// every other file alone.
pub fn install(dir: &Path, agsekit: &Path, names: &[String]) -> anyhow::Result<Vec<ShimChange>> {
    std::fs::create_dir_all(dir).map_err(|e| {
        UserError::failed(t!(
            "lifecycle.shims.mkdir_failed",
            path = dir.display(),
            error = e
        ))
        .hint(t!("lifecycle.shims.mkdir_failed_hint"))
    })?;
    let _guard = lock(dir)?;
    let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let mut changes = Vec::new();
    for name in &wanted {
        if !valid_name(name) {
            changes.push(ShimChange::SkippedInvalid(name.to_string()));
            continue;
        }
        let path = dir.join(name);
        let exists = std::fs::symlink_metadata(&path).is_ok();
        match managed_target(&path) {
            Some(t) if t == agsekit => changes.push(ShimChange::Unchanged(name.to_string())),
            Some(_) => {
                replace_symlink(dir, &path, agsekit)?;
                changes.push(ShimChange::Updated(name.to_string()));
            }
            None if exists => changes.push(ShimChange::SkippedForeign(name.to_string())),
            None => {
                replace_symlink(dir, &path, agsekit)?;
                changes.push(ShimChange::Created(name.to_string()));
            }
        }
    }
    for entry in list(dir, agsekit) {
        if !wanted.contains(entry.name.as_str()) {
            remove(dir, &entry.name)?;
            changes.push(ShimChange::Removed(entry.name));
        }
    }
    Ok(changes)
}

/// Removes every managed shim in `dir` (and the folder, when that leaves it empty).
pub fn uninstall(dir: &Path, agsekit: &Path) -> anyhow::Result<Vec<ShimChange>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut changes = Vec::new();
    {
        let _guard = lock(dir)?;
        for entry in list(dir, agsekit) {
            remove(dir, &entry.name)?;
            changes.push(ShimChange::Removed(entry.name));
        }
        let _ = std::fs::remove_file(dir.join(".agsekit-shims.lock"));
    }
    let _ = std::fs::remove_dir(dir); // only succeeds when empty
    Ok(changes)
}

fn remove(dir: &Path, name: &str) -> anyhow::Result<()> {
    let path = dir.join(name);
    std::fs::remove_file(&path)
        .with_context(|| t!("lifecycle.shims.remove_failed", path = path.display()))
}

/// Points `path` at `target` atomically ([`crate::statefile::replace_symlink`]).
fn replace_symlink(dir: &Path, path: &Path, target: &Path) -> anyhow::Result<()> {
    use crate::statefile::SymlinkError;
    crate::statefile::replace_symlink(path, target).map_err(|e| match e {
        SymlinkError::Create(e) => {
            anyhow::Error::new(e).context(t!("lifecycle.shims.create_failed", dir = dir.display()))
        }
        SymlinkError::Rename(e) => anyhow::Error::new(e)
            .context(t!("lifecycle.shims.install_failed", path = path.display())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn install_by_difference_never_touches_foreign_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("shims");
        let bin = tmp.path().join("bin/agsekit");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("claude"), "#!/bin/sh\n").unwrap(); // the user's own file

        let changes = install(
            &dir,
            &bin,
            &names(&["codex", "claude", "qwen", "agsekit", "../x"]),
        )
        .unwrap();
        assert!(changes.contains(&ShimChange::Created("codex".into())));
        assert!(changes.contains(&ShimChange::SkippedForeign("claude".into())));
        assert!(changes.contains(&ShimChange::SkippedInvalid("agsekit".into())));
        assert!(changes.contains(&ShimChange::SkippedInvalid("../x".into())));
        assert_eq!(
            std::fs::read_to_string(dir.join("claude")).unwrap(),
            "#!/bin/sh\n"
        );
        assert_eq!(std::fs::read_link(dir.join("codex")).unwrap(), bin);

        // Second run: qwen dropped from the wanted set, binary moved.
        let bin2 = tmp.path().join("bin2/agsekit");
        let changes = install(&dir, &bin2, &names(&["codex"])).unwrap();
        assert_eq!(
            changes,
            vec![
                ShimChange::Updated("codex".into()),
                ShimChange::Removed("qwen".into())
            ]
        );
        let listed = list(&dir, &bin2);
        assert_eq!(listed.len(), 1);
        assert!(listed[0].current);

        let removed = uninstall(&dir, &bin2).unwrap();
        assert_eq!(removed, vec![ShimChange::Removed("codex".into())]);
        assert!(
            dir.join("claude").exists(),
            "foreign file survives uninstall"
        );
    }
}
