//! `agsekit restore`'s protocol over the engine: take the chain's lock (waiting a while for
//! another writer), find the chosen snapshot again under it (a cleanup may have deleted it
//! before the lock was taken), turn the live folder into a snapshot first (the safety net, so
//! the restore can be undone), then restore. The lock is held until the restore ends, so no
//! cleanup deletes the snapshot while it is read. Nothing here prints: the caller hears of
//! each step through [`Step`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::restore::{restore, RestoreReport, RestoreSpec};
use super::select::select;
use super::{history, list_snapshots, lock, snapshot_locked, BackupOptions, SnapshotReport};
use crate::{t, UserError};

/// How long a restore waits for another writer of the chain before it gives up.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);
const LOCK_POLL: Duration = Duration::from_millis(250);

/// What to restore: `options.source` is the live folder and `options.dest` the chain (both
/// resolved), with the tripwire and protected paths of the safety snapshot.
pub struct SafeRestore<'a> {
    pub options: &'a BackupOptions,
    /// The snapshot the user chose (its name), before the lock.
    pub snapshot: &'a str,
    /// The folder to write into (the live source, or `--to`).
    pub target: &'a Path,
    /// Paths relative to both roots; empty means everything.
    pub paths: &'a [PathBuf],
    pub delete_new: bool,
}

/// The safety snapshot: a new one, or the latest when nothing changed since it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Safety {
    Saved(String),
    AlreadySaved(String),
}

impl Safety {
    pub fn name(&self) -> &str {
        match self {
            Safety::Saved(n) | Safety::AlreadySaved(n) => n,
        }
    }
}

/// What a safe restore did.
#[derive(Debug)]
pub struct SafeRestoreDone {
    pub safety: Safety,
    pub restored: RestoreReport,
}

/// What the caller hears while the restore goes on.
pub enum Step<'r> {
    /// Another process holds the chain's lock: waiting (told once).
    Waiting,
    /// The safety snapshot is taken; the restore starts next.
    Safety {
        report: &'r SnapshotReport,
        safety: &'r Safety,
    },
}

/// Takes the lock, the safety snapshot, and restores. An error of the restore itself carries
/// the context "stopped; the safety snapshot is ..." (its [`super::restore::NotInSnapshot`]
/// is still there for `downcast_ref`).
pub fn safe_restore(
    req: &SafeRestore<'_>,
    on_step: &dyn Fn(Step<'_>),
) -> anyhow::Result<SafeRestoreDone> {
    let source = &req.options.source;
    let dest = &req.options.dest;
    let _lock = lock_chain(dest, &|| on_step(Step::Waiting))?;
    let snapshots = list_snapshots(dest).map_err(|e| {
        anyhow::anyhow!(t!(
            "backup.cannot_list_snapshots_err",
            path = dest.display(),
            error = e
        ))
    })?;
    let names: Vec<String> = snapshots.iter().map(|s| s.name.clone()).collect();
    let snap = &snapshots[select(&names, req.snapshot).map_err(|e| e.into_user_error(dest))?];

    let report = snapshot_locked(source, dest, req.options, &|_| {})?;
    let safety = match (&report.created, &report.previous) {
        (Some(s), _) => Safety::Saved(s.name.clone()),
        (None, Some(prev)) => Safety::AlreadySaved(prev.clone()),
        (None, None) => {
            // Unreachable in practice (the chain has a snapshot); never restore without one.
            return Err(UserError::failed(t!(
                "backup.restore.cannot_save",
                path = source.display()
            ))
            .into());
        }
    };
    on_step(Step::Safety {
        report: &report,
        safety: &safety,
    });

    let spec = RestoreSpec {
        snapshot: &snap.path,
        target: req.target,
        paths: req.paths,
        delete_new: req.delete_new,
        protect: Some(dest),
        protected: Some(req.options.protection()),
        skip_legacy_inodes: history::is_legacy(snap),
        interrupt: &req.options.interrupt,
    };
    match restore(&spec) {
        Ok(restored) => Ok(SafeRestoreDone { safety, restored }),
        Err(e) => Err(e.context(t!(
            "backup.restore.stopped",
            snapshot = snap.name,
            safety = safety.name()
        ))),
    }
}

/// The chain's lock, waiting up to [`LOCK_WAIT`] while another process holds it
/// (`on_wait` once, when the wait starts). Also for `accept-ignore`.
pub fn lock_chain(dest: &Path, on_wait: &dyn Fn()) -> anyhow::Result<lock::DestLock> {
    let mut waited = Duration::ZERO;
    loop {
        match lock::try_lock(dest) {
            Ok(l) => return Ok(l),
            Err(lock::LockError::Held { .. }) if waited < LOCK_WAIT => {
                if waited.is_zero() {
                    on_wait();
                }
                std::thread::sleep(LOCK_POLL);
                waited += LOCK_POLL;
            }
            Err(e) => return Err(e.into_user_error(dest)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn the_live_state_is_saved_first_then_the_snapshot_comes_back() {
        let tmp = tempfile::tempdir().unwrap();
        let source = tmp.path().join("proj");
        let dest = tmp.path().join("backups");
        std::fs::create_dir_all(&source).unwrap();
        std::fs::write(source.join("a.txt"), "first").unwrap();
        let (source, dest) = super::super::resolve_paths(&source, &dest).unwrap();
        let options = BackupOptions {
            source: source.clone(),
            dest: dest.clone(),
            ..BackupOptions::default()
        };
        let first = super::super::snapshot_once(&options, &|_| {}).unwrap();
        let first = first.created.expect("a first snapshot").name;
        std::fs::write(source.join("a.txt"), "second, longer").unwrap();

        let steps = RefCell::new(Vec::new());
        let request = SafeRestore {
            options: &options,
            snapshot: &first,
            target: &source,
            paths: &[],
            delete_new: false,
        };
        let done = safe_restore(&request, &|step| {
            let text = match step {
                Step::Waiting => "waiting".to_string(),
                Step::Safety { safety, .. } => format!("safety {}", safety.name()),
            };
            steps.borrow_mut().push(text);
        })
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(source.join("a.txt")).unwrap(),
            "first"
        );
        let Safety::Saved(saved) = &done.safety else {
            panic!(
                "a changed folder gets a new safety snapshot: {:?}",
                done.safety
            );
        };
        assert_ne!(saved, &first);
        assert_eq!(steps.borrow().as_slice(), [format!("safety {saved}")]);
        // The saved state holds what the restore replaced.
        let saved_file = dest.join(saved).join("a.txt");
        assert_eq!(
            std::fs::read_to_string(saved_file).unwrap(),
            "second, longer"
        );

        // Nothing changed since the newest snapshot: it is the safety net, no new one.
        let newest = super::super::snapshot_once(&options, &|_| {}).unwrap();
        let newest = newest.created.expect("the restore changed the folder").name;
        let again = SafeRestore {
            snapshot: saved,
            ..request
        };
        let done = safe_restore(&again, &|_| {}).unwrap();
        assert_eq!(
            std::fs::read_to_string(source.join("a.txt")).unwrap(),
            "second, longer"
        );
        assert_eq!(done.safety, Safety::AlreadySaved(newest));
    }
}
