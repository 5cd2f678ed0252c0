//! Repeated backups: a snapshot every `interval` minutes followed by retention, until stopped.
//!
//! Unlike agsekit 1.7.4 (which held the lock for the loop's whole life, so a second session on
//! the same folder waited for the first one to end), the lock is held only while a snapshot
//! and its cleanup are written. If another writer holds it at that moment, this cycle is
//! skipped: that writer is making the snapshot.

use std::path::Path;
use std::time::Duration;

use super::retention::CleanMethod;
use super::{lock, retention, BackupOptions, Event, SnapshotReport};
use crate::{t, UserError};

/// One repeating backup.
#[derive(Debug, Clone)]
pub struct RepeatSpec {
    pub options: BackupOptions,
    /// Minutes between cycles (also the thinning time unit).
    pub interval_minutes: u32,
    pub max_backups: u32,
    pub method: CleanMethod,
    /// Wait one interval before the first snapshot.
    pub skip_first: bool,
    /// Disk budget: after each cycle, delete snapshots (never the newest) until this many
    /// bytes are free on the destination's filesystem.
    pub min_free: Option<u64>,
}

/// What a cycle did.
pub enum RepeatEvent<'a> {
    /// Progress and warnings from inside a snapshot.
    Engine(&'a Event),
    Snapshot(&'a SnapshotReport),
    /// The snapshot failed; the loop goes on.
    Failed(&'a anyhow::Error),
    /// Another process holds the destination lock; this cycle is skipped.
    Skipped {
        pid: Option<u32>,
        dest: &'a Path,
    },
    Removed(&'a Path),
    Waiting {
        minutes: u32,
    },
}

/// Checks the numbers the original checks.
pub fn validate(interval_minutes: u32, max_backups: u32) -> anyhow::Result<()> {
    if interval_minutes == 0 {
        return Err(UserError::usage(t!("backup.interval_positive")).into());
    }
    if max_backups == 0 {
        return Err(UserError::usage(t!("backup.max_backups_min")).into());
    }
    Ok(())
}

/// Runs cycles until the interrupt is set; then returns the "interrupted" error (exit 130).
pub fn run_repeated(
    spec: &RepeatSpec,
    on: &(dyn Fn(RepeatEvent<'_>) + Sync),
) -> anyhow::Result<()> {
    validate(spec.interval_minutes, spec.max_backups)?;
    let interrupt = spec.options.interrupt.clone();
    let (source, dest) = super::resolve_paths(&spec.options.source, &spec.options.dest)?;
    let period = Duration::from_secs(u64::from(spec.interval_minutes) * 60);
    if spec.skip_first {
        // `backup.pid` keeps the pid of its last holder (as in 1.7.4), which is how `status`
        // sees a loop between its snapshots: a loop that skips its first cycle takes the lock
        // once now, or it would look absent for its whole first interval. Held by another
        // writer: that one is working, and this loop shows once its first cycle runs.
        drop(lock::try_lock(&dest));
    }
    let mut first = true;
    loop {
        if !(first && spec.skip_first) {
            cycle(spec, &source, &dest, on)?;
        }
        first = false;
        on(RepeatEvent::Waiting {
            minutes: spec.interval_minutes,
        });
        if !interrupt.sleep(period) {
            return Err(super::interrupted());
        }
    }
}

/// One snapshot plus cleanup under the lock. Only an interruption is returned as an error.
pub fn cycle(
    spec: &RepeatSpec,
    source: &Path,
    dest: &Path,
    on: &(dyn Fn(RepeatEvent<'_>) + Sync),
) -> anyhow::Result<()> {
    let held = match lock::try_lock(dest) {
        Ok(l) => l,
        Err(lock::LockError::Held { pid, .. }) => {
            on(RepeatEvent::Skipped { pid, dest });
            return Ok(());
        }
        Err(err) => {
            let err = err.into_user_error(dest);
            on(RepeatEvent::Failed(&err));
            return Ok(());
        }
    };
    let engine = |e: &Event| on(RepeatEvent::Engine(e));
    match super::snapshot_locked(source, dest, &spec.options, &engine) {
        Ok(report) => on(RepeatEvent::Snapshot(&report)),
        Err(err) if spec.options.interrupt.is_set() => return Err(err),
        Err(err) => on(RepeatEvent::Failed(&err)),
    }
    match retention::clean_backups(
        dest,
        spec.max_backups as usize,
        spec.method,
        spec.interval_minutes,
    ) {
        Ok(removed) => {
            for p in removed {
                on(RepeatEvent::Removed(&p));
            }
        }
        Err(err) => on(RepeatEvent::Failed(&err)),
    }
    if let Some(min_free) = spec.min_free {
        match retention::ensure_free_space(dest, min_free, spec.method, spec.interval_minutes) {
            Ok(removed) => {
                for p in removed {
                    on(RepeatEvent::Removed(&p));
                }
            }
            Err(err) => on(RepeatEvent::Failed(&err)),
        }
    }
    drop(held);
    Ok(())
}
