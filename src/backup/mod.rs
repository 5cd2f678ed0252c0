//! The snapshot engine: rolling, hardlinked, browsable snapshots of a folder.
//!
//! A run: lock the destination ([`lock`]), remove stale `-partial` folders ([`chain`]), walk
//! the source ([`scan::check`]) applying `.backupignore` rules ([`ignore`]) and comparing each
//! path with the previous snapshot's manifest as it goes ([`manifest`], read through its side
//! file, [`index`]; [`plan`]), keeping no tree; when something changed, walk the source again
//! and write the new snapshot into `<name>-partial` a folder at a time ([`scan::shallow`],
//! [`apply`]; file data by [`copy`], holes kept), sync, and rename it into place. (A chain
//! made by 1.7.4, or a side file that does not verify, takes the full way: the whole tree
//! walked into memory, compared, then written.) Removing trees (stale partials, deleted snapshots) goes through
//! [`fsx::remove_tree`], which copes with read-only folders and names what it leaves. Retention
//! ([`retention`]) and the repeating loop ([`repeat`]) build on that. Nothing here prints:
//! callers receive [`Event`]s and a [`SnapshotReport`].

pub mod apply;
pub mod chain;
pub mod copy;
pub mod fsx;
pub mod ignore;
pub mod index;
pub mod lock;
pub mod manifest;
pub mod plan;
pub mod repeat;
pub mod retention;
pub mod rules;
pub mod scan;
pub mod tripwire;
// Restore side (snapshots, diff, history, restore commands).
pub mod beneath;
pub mod diff;
pub mod history;
pub mod restore;
pub mod safe_restore;
pub mod select;
pub mod summary;

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

pub use apply::ApplyStats;
pub use chain::{list_snapshots, manifest_path, Snapshot};
pub use manifest::{read_manifest, EntryKind, ManifestEntry};
pub use plan::PlanSummary;
pub use retention::{clean_backups, CleanMethod};
pub use tripwire::TripwireOptions;

use crate::{t, ErrorKind, UserError};

/// A problem with one path that did not stop the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Relative to the source root (empty for the root or for option problems).
    pub path: PathBuf,
    pub message: String,
}

impl Warning {
    pub fn new(path: PathBuf, message: String) -> Warning {
        Warning { path, message }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The path, and what a message quotes (a `.backupignore` line), are the agent's to
        // choose: shown escaped (crate::ui::untrusted).
        let message = crate::ui::untrusted::line(&self.message);
        if self.path.as_os_str().is_empty() {
            f.write_str(&message)
        } else {
            write!(f, "{}: {message}", crate::ui::untrusted::path(&self.path))
        }
    }
}

/// A cooperative stop request (set by a signal handler).
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Option<Arc<AtomicBool>>, Option<Arc<Wakeup>>);

/// The read end of a pipe that a signal handler writes to: sleeping on it wakes at once
/// when the stop is requested (a session's end waits for the snapshot loop to notice).
#[derive(Debug)]
pub struct Wakeup(std::os::unix::net::UnixStream);

impl Wakeup {
    /// Makes the pair: the reader for [`Interrupt::with_wakeup`] and the writer to hand to
    /// `signal_hook::low_level::pipe::register`.
    pub fn pair() -> std::io::Result<(Wakeup, std::os::unix::net::UnixStream)> {
        let (read, write) = std::os::unix::net::UnixStream::pair()?;
        read.set_nonblocking(true)?;
        write.set_nonblocking(true)?;
        Ok((Wakeup(read), write))
    }

    /// Waits until something was written or `limit` passed; true when something was. The
    /// pipe is never emptied: a stop is for good, and every thread sleeping on this pipe (one
    /// per mount in `backup-repeated-all`) must see it.
    fn wait(&self, limit: Duration) -> bool {
        use std::os::fd::AsFd;
        crate::process::wait_readable(self.0.as_fd(), limit)
    }
}

impl Interrupt {
    pub fn new(flag: Arc<AtomicBool>) -> Interrupt {
        Interrupt(Some(flag), None)
    }

    /// A stop request whose setter also writes to `wakeup`'s pipe, so [`Interrupt::sleep`]
    /// returns at once instead of on its next check.
    pub fn with_wakeup(flag: Arc<AtomicBool>, wakeup: Wakeup) -> Interrupt {
        Interrupt(Some(flag), Some(Arc::new(wakeup)))
    }

    /// Never set.
    pub fn none() -> Interrupt {
        Interrupt(None, None)
    }

    pub fn is_set(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// `Err` (exit status 130) once a stop was requested.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.is_set() {
            Err(interrupted())
        } else {
            Ok(())
        }
    }

    /// Sleeps up to `total`; returns false if a stop was requested meanwhile. With a wakeup
    /// pipe the request ends the sleep at once; without one it is checked every 100 ms.
    pub fn sleep(&self, total: Duration) -> bool {
        let deadline = std::time::Instant::now() + total;
        loop {
            if self.is_set() {
                return false;
            }
            let now = std::time::Instant::now();
            if now >= deadline {
                return true;
            }
            let left = deadline - now;
            match &self.1 {
                // Written to but no stop requested (not done by agsekit's handlers, which set
                // the flag first): back to checking every 100 ms rather than spinning.
                Some(wakeup) if wakeup.wait(left) && !self.is_set() => {
                    std::thread::sleep(left.min(Duration::from_millis(100)))
                }
                Some(_) => {}
                None => std::thread::sleep(left.min(Duration::from_millis(100))),
            }
        }
    }
}

/// The error for "stopped by a signal".
pub fn interrupted() -> anyhow::Error {
    UserError::new(ErrorKind::Interrupted, t!("backup.interrupted")).into()
}

/// Where a test can make an operation fail (fault injection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPoint {
    /// Hardlinking an unchanged file to the previous snapshot.
    Link,
    /// Opening a source file for copying.
    Open,
    /// Copying a file's data.
    Write,
}

/// Returns an errno to inject at a point for a path (relative to the source), or `None`.
pub type FaultHook = Arc<dyn Fn(FaultPoint, &Path) -> Option<i32> + Send + Sync>;

/// Progress and diagnostics, in the order they happen.
#[derive(Debug, Clone)]
pub enum Event {
    RemovedStale(PathBuf),
    Scanned {
        files: u64,
        dirs: u64,
        bytes: u64,
    },
    /// The plan of a snapshot about to be written (not sent when nothing changed).
    Planned(PlanSummary),
    /// Files written so far (linked or copied) and bytes copied so far.
    Progress {
        files: u64,
        bytes: u64,
    },
    Warning(Warning),
}

/// What to back up where.
#[derive(Clone, Default)]
pub struct BackupOptions {
    pub source: PathBuf,
    pub dest: PathBuf,
    /// Extra gitignore-style patterns, relative to the source root (`--exclude`).
    pub excludes: Vec<String>,
    pub interrupt: Interrupt,
    /// Walk and write threads; 0 = automatic.
    pub threads: usize,
    /// How long [`snapshot_once`] waits for another writer to finish (default: not at all,
    /// a held lock is an error with exit status 6).
    pub lock_wait: Duration,
    pub fault: Option<FaultHook>,
    /// Mass-deletion detection (`global.tripwire`; on with 50 files / 30 % by default).
    pub tripwire: tripwire::TripwireOptions,
    /// Paths no `.backupignore` can leave out (`global.review.protected_paths`); `None`:
    /// the built-in list.
    pub protected: Option<Vec<String>>,
}

impl BackupOptions {
    /// The protected paths in force.
    pub fn protection(&self) -> rules::Protected {
        rules::Protected::of(self.protected.as_deref())
    }
}

impl fmt::Debug for BackupOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackupOptions")
            .field("source", &self.source)
            .field("dest", &self.dest)
            .field("excludes", &self.excludes)
            .field("threads", &self.threads)
            .finish()
    }
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct SnapshotReport {
    pub source: PathBuf,
    pub dest: PathBuf,
    /// The new snapshot; `None` when nothing changed since the previous one.
    pub created: Option<Snapshot>,
    /// The snapshot compared against.
    pub previous: Option<String>,
    /// Whether the previous snapshot had a manifest (false: a chain made by the original).
    pub previous_had_manifest: bool,
    pub removed_stale: Vec<PathBuf>,
    pub plan: PlanSummary,
    pub stats: ApplyStats,
    pub warnings: Vec<Warning>,
    /// A mass deletion found by the tripwire (the previous snapshot was pinned).
    pub tripwire: Option<tripwire::MassDeletion>,
    /// `.backupignore` files whose text the user has not accepted (see [`rules`]).
    pub pending_rules: Vec<rules::PendingRules>,
}

/// Resolves and checks the source (must be a directory) and creates the destination. The
/// paths are taken as given (callers expand `~`).
pub fn resolve_paths(source: &Path, dest: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let source_in = source.to_path_buf();
    let source = match std::fs::canonicalize(&source_in) {
        Ok(p) if p.is_dir() => p,
        _ => {
            return Err(
                UserError::failed(t!("backup.source_missing", path = source_in.display()))
                    .hint(t!("backup.source_missing_hint"))
                    .into(),
            )
        }
    };
    let dest_in = dest.to_path_buf();
    std::fs::create_dir_all(&dest_in)
        .with_context(|| t!("backup.cannot_create_dest", path = dest_in.display()))?;
    let dest = std::fs::canonicalize(&dest_in)
        .with_context(|| t!("backup.cannot_resolve_dest", path = dest_in.display()))?;
    if dest == source {
        return Err(
            UserError::usage(t!("backup.dest_is_source", path = dest.display()))
                .hint(t!("backup.dest_is_source_hint"))
                .into(),
        );
    }
    Ok((source, dest))
}

/// Takes one snapshot of `options.source` into `options.dest`, holding the destination lock
/// (held by another process for longer than `options.lock_wait`: an error with exit status 6).
pub fn snapshot_once(
    options: &BackupOptions,
    on_event: &(dyn Fn(&Event) + Sync),
) -> anyhow::Result<SnapshotReport> {
    let (source, dest) = resolve_paths(&options.source, &options.dest)?;
    let _lock = lock::lock_waiting(&dest, options.lock_wait, &options.interrupt)
        .map_err(|e| e.into_user_error(&dest))?;
    snapshot_locked(&source, &dest, options, on_event)
}

fn auto_threads(requested: usize) -> usize {
    if requested > 0 {
        return requested;
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
}

/// Takes one snapshot; the caller holds the lock and passes resolved paths.
pub fn snapshot_locked(
    source: &Path,
    dest: &Path,
    options: &BackupOptions,
    on_event: &(dyn Fn(&Event) + Sync),
) -> anyhow::Result<SnapshotReport> {
    fsx::raise_fd_limit();
    let interrupt = &options.interrupt;
    let stale = chain::remove_stale(dest)
        .with_context(|| t!("backup.cannot_remove_stale", path = dest.display()))?;
    for p in &stale.removed {
        on_event(&Event::RemovedStale(p.clone()));
    }
    // An unfinished folder that cannot be removed never looks like a snapshot: it does not
    // stop this one. Say what is left, and where.
    let mut stale_warnings = Vec::new();
    for left in &stale.left {
        let w = Warning::new(PathBuf::new(), t!("backup.warn.stale_left", detail = left));
        on_event(&Event::Warning(w.clone()));
        stale_warnings.push(w);
    }
    let removed_stale = stale.removed;
    let snapshots = chain::list_snapshots(dest)
        .with_context(|| t!("backup.cannot_list_snapshots", path = dest.display()))?;
    let previous = snapshots.last().cloned();
    let threads = auto_threads(options.threads);

    // One walk of the source.
    let dest_meta = fsx::Dir::open_path(dest).and_then(|d| d.meta()).ok();
    let protection = options.protection();
    let accepted = rules::Accepted::load(dest, previous.as_ref().map(|p| p.path.as_path()));
    let spec = scan::ScanSpec {
        source,
        excludes: &options.excludes,
        skip_dir: dest_meta.map(|m| (m.dev, m.ino)),
        threads,
        interrupt,
        use_ignore_files: true,
        protected: Some(&protection),
        accepted: Some(&accepted),
        // Rules the user has not accepted leave nothing out; what they match is counted
        // against the previous snapshot once its manifest is read (on the other thread).
        reference: if previous.is_some() {
            scan::Reference::Later
        } else {
            scan::Reference::Nothing
        },
    };
    let stream = match &previous {
        Some(prev) => prev
            .manifest
            .as_deref()
            .and_then(|m| index::open_current(m).or_else(|| index::convert(m))),
        None => None,
    };
    // The streamed way, whenever the previous snapshot is read from its side file (or there
    // is none): one walk judges every path, keeping no tree; a second walk writes the
    // snapshot a folder at a time.
    let mut checked: Option<index::Stream> = None;
    if previous.is_none() || stream.is_some() {
        let base = Base {
            dest,
            accepted: &accepted,
            stale_warnings: &stale_warnings,
            removed_stale: &removed_stale,
        };
        match check_whole(&spec, previous.as_ref(), stream, &base, on_event)? {
            Pass1::Unchanged(report) => return Ok(*report),
            Pass1::Changed(whole) => {
                return write_streamed(
                    &spec,
                    previous.as_ref(),
                    &snapshots,
                    *whole,
                    &base,
                    options,
                    on_event,
                );
            }
            Pass1::Undecided(stream) => checked = stream,
        }
    }
    let checked_stream: std::sync::Mutex<Option<index::Stream>> = std::sync::Mutex::new(checked);
    let load_previous = || -> anyhow::Result<(Option<plan::PrevIndex>, bool)> {
        let Some(prev) = &previous else {
            return Ok((None, false));
        };
        // From the manifest's side file, read as it is used, when it is current and
        // verifies, else made from the text first (a line at a time); from the text in memory
        // when the manifest is not in walk order.
        if let Some(m) = prev.manifest.as_deref() {
            let checked = checked_stream.lock().ok().and_then(|mut s| s.take());
            let stream = checked
                .or_else(|| index::open_current(m).filter(index::Stream::verify))
                .or_else(|| index::convert(m).filter(index::Stream::verify));
            if let Some(stream) = stream {
                return Ok((Some(plan::PrevIndex::streamed(stream)), true));
            }
            if let Ok(entries) = index::load(m) {
                return Ok((Some(plan::PrevIndex::of(entries, false)), true));
            }
        }
        let spec = scan::ScanSpec {
            threads,
            ..scan::ScanSpec::plain(&prev.path, interrupt)
        };
        let walked = scan::scan(&spec)
            .with_context(|| t!("backup.cannot_read_previous", path = prev.path.display()))?;
        Ok((Some(plan::PrevIndex::from_legacy_tree(&walked.root)), false))
    };

    // The full way (a previous snapshot made by the original, without a manifest; a side
    // file that does not verify; files found to hold the same bytes, whose new ctimes the
    // previous manifest then records): the whole tree is walked into memory first.
    let (walked, loaded) = std::thread::scope(|scope| {
        let loader = scope.spawn(load_previous);
        let walked = scan::scan(&spec);
        let loaded = loader
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!(t!("backup.previous_failed"))));
        (walked, loaded)
    });
    let mut walked = walked?;
    let (prev_index, previous_had_manifest) = loaded?;
    let holder = prev_index.as_ref().map(plan::PrevIndex::holder);
    let holds = |rel: &[u8]| holder.as_ref().is_some_and(|h| h(rel));
    let pending_rules = settle_walk(&mut walked, dest, &accepted, &holds, on_event);
    drop(holder);
    let mut summary = plan::plan(&mut walked.root, prev_index.as_ref());
    drop(prev_index);
    let suspects = std::mem::take(&mut summary.suspects);
    let same_bytes = match &previous {
        Some(prev) if !suspects.is_empty() => {
            let (same, differ) = verify_suspects(source, &prev.path, &mut summary, suspects);
            for rel in &differ {
                if let Some(node) = tree_file_mut(&mut walked.root, rel) {
                    node.action = scan::Action::Copy;
                }
            }
            same.len()
        }
        _ => 0,
    };
    let mut report = SnapshotReport {
        source: source.to_path_buf(),
        dest: dest.to_path_buf(),
        created: None,
        previous: previous.as_ref().map(|p| p.name.clone()),
        previous_had_manifest,
        removed_stale,
        plan: summary.clone(),
        stats: ApplyStats::default(),
        warnings: stale_warnings,
        tripwire: None,
        pending_rules,
    };
    report.warnings.append(&mut walked.warnings);
    if !summary.changed {
        // The previous snapshot, found equal to the source, gets a manifest of the source as
        // it is now when it has none (made by the original: the next check is then a single
        // walk) or when files whose ctime moved held its bytes (their new ctimes are recorded,
        // so the next run does not read them again). Best effort: without it the next run
        // compares by stat, or reads those files, again.
        if let Some(prev) = previous
            .as_ref()
            .filter(|_| !previous_had_manifest || same_bytes > 0)
        {
            let _ = manifest::write_tree(
                &walked.root,
                &chain::manifest_path(dest, &prev.name),
                &prev.place,
            );
        }
        free_later(walked.root);
        return Ok(report);
    }
    interrupt.check()?;
    on_event(&Event::Planned(summary.clone()));
    let written = write_and_guard(
        source,
        dest,
        previous.as_ref(),
        &snapshots,
        &walked.root,
        None,
        &|| summary.clone(),
        options,
        on_event,
    )?;
    Ok(written.into_report(report))
}

/// A new snapshot written, and what the tripwire found.
struct Written {
    created: Snapshot,
    /// What was written, as compared with the previous snapshot.
    plan: PlanSummary,
    stats: ApplyStats,
    warnings: Vec<Warning>,
    tripwire: Option<tripwire::MassDeletion>,
}

impl Written {
    /// The run's report, completed with what was written.
    fn into_report(self, mut report: SnapshotReport) -> SnapshotReport {
        report.plan = self.plan;
        report.stats = self.stats;
        report.warnings.extend(self.warnings);
        report.tripwire = self.tripwire;
        report.created = Some(self.created);
        report
    }
}

/// Names and writes the new snapshot of the tree `root` (its deferred folders walked by
/// `expand` as they are written), then runs the tripwire against what was written (`plan`,
/// asked once the writing is done). On failure nothing that looks like a snapshot is left:
/// the unfinished folder and its manifest are removed, and what cannot be is named.
#[allow(clippy::too_many_arguments)]
fn write_and_guard(
    source: &Path,
    dest: &Path,
    previous: Option<&Snapshot>,
    snapshots: &[Snapshot],
    root: &scan::Node,
    expand: Option<&apply::Expand<'_>>,
    plan: &dyn Fn() -> PlanSummary,
    options: &BackupOptions,
    on_event: &(dyn Fn(&Event) + Sync),
) -> anyhow::Result<Written> {
    let name = chain::new_snapshot_name(dest, previous.map(|p| p.name.as_str()))
        .with_context(|| t!("backup.cannot_name_snapshot", path = dest.display()))?;
    // Recorded in the manifest before the snapshot is published: its order in the chain.
    let place = chain::next_place(snapshots);
    let partial_name = format!("{name}{}", chain::PARTIAL_SUFFIX);
    let tmp_manifest = dest.join(format!(".{name}.manifest.tmp"));
    let result = write_snapshot(
        source,
        dest,
        previous,
        &name,
        &place,
        &partial_name,
        &tmp_manifest,
        root,
        expand,
        options,
        on_event,
    );
    match result {
        Ok((stats, mut warnings)) => {
            let plan = plan();
            let mut found = None;
            if let Some(prev) = previous {
                let (trip, warning) = check_tripwire(dest, &prev.name, &name, &plan, options);
                found = trip;
                if let Some(w) = warning {
                    on_event(&Event::Warning(w.clone()));
                    warnings.push(w);
                }
            }
            if found.is_none() && plan.deleted_files > 0 {
                // Slow erosion: a little gone each cycle never trips the check against the
                // previous snapshot, so compare with the oldest snapshot since the last pin.
                let (trip, warning) = check_erosion(dest, snapshots, &name, options);
                found = trip;
                if let Some(w) = warning {
                    on_event(&Event::Warning(w.clone()));
                    warnings.push(w);
                }
            }
            Ok(Written {
                created: Snapshot {
                    path: dest.join(&name),
                    time: chain::parse_name(&name).unwrap_or(0),
                    manifest: Some(chain::manifest_path(dest, &name)),
                    place,
                    name,
                },
                plan,
                stats,
                warnings,
                tripwire: found,
            })
        }
        Err(err) => {
            // Never leave anything that looks complete: drop the partial and its manifest.
            // What cannot be removed is said, with its path (it never looks complete).
            let left = match fsx::Dir::open_path(dest) {
                Ok(dir) => {
                    let partial_path = dest.join(&partial_name);
                    match fsx::remove_tree(&dir, OsStr::new(&partial_name), &partial_path) {
                        Ok(()) => {
                            let _ =
                                std::fs::remove_file(chain::owned_marker_path(dest, &partial_name));
                            None
                        }
                        Err(failure) => Some(failure),
                    }
                }
                Err(error) => Some(fsx::RemoveFailure {
                    path: dest.join(&partial_name),
                    error,
                }),
            };
            let _ = std::fs::remove_file(&tmp_manifest);
            summary::remove(dest, &name);
            Err(explain_failure(err, left.as_ref()))
        }
    }
}

/// What the run knows from its start, for the reports.
struct Base<'b> {
    dest: &'b Path,
    accepted: &'b rules::Accepted,
    stale_warnings: &'b [Warning],
    removed_stale: &'b [PathBuf],
}

/// A change found by [`check_whole`]: the walk (its bookkeeping; no tree), the complete
/// comparison, the files whose ctime moved that hold the same bytes, and the previous
/// snapshot's verified side file.
struct Whole {
    scan: scan::Scan,
    plan: PlanSummary,
    /// Files whose ctime moved that hold the same bytes, with that ctime: one written
    /// again since (its ctime moved once more) is copied.
    same: std::collections::HashMap<Vec<u8>, (i64, i64)>,
    stream: Option<index::Stream>,
}

/// What [`check_whole`] decided.
enum Pass1 {
    Unchanged(Box<SnapshotReport>),
    Changed(Box<Whole>),
    /// The full way decides (with the side file when it verified).
    Undecided(Option<index::Stream>),
}

/// The rules' bookkeeping after a walk (what not-accepted `.backupignore` rules match,
/// counted against the previous snapshot through `holds`; the record of accepted texts on
/// the first run), then the `Scanned` event and the walk's warnings. Returns the pending
/// rules for the report.
fn settle_walk(
    walked: &mut scan::Scan,
    dest: &Path,
    accepted: &rules::Accepted,
    holds: &dyn Fn(&[u8]) -> bool,
    on_event: &(dyn Fn(&Event) + Sync),
) -> Vec<rules::PendingRules> {
    // Counted in walk order: a cursor over the previous snapshot reads it forwards.
    walked
        .pending_matches
        .sort_by(|a, b| plan::walk_cmp(&a.0, &b.0));
    scan::count_pending(walked, holds);
    let pending_rules = rules::pending_of(&walked.ignore_files, &walked.rule_counts);
    let mut rule_warnings = Vec::new();
    if rules::read_pending(dest) != pending_rules {
        if let Err(err) = rules::write_pending(dest, &pending_rules) {
            rule_warnings.push(Warning::new(PathBuf::new(), format!("{err:#}")));
        }
    }
    if accepted.needs_record() {
        if let Err(err) = rules::write_record(dest, &rules::bootstrap_record(&walked.ignore_files))
        {
            rule_warnings.push(Warning::new(PathBuf::new(), format!("{err:#}")));
        }
    }
    walked.warnings.extend(rule_warnings);
    on_event(&Event::Scanned {
        files: walked.files,
        dirs: walked.dirs,
        bytes: walked.bytes,
    });
    for w in &walked.warnings {
        on_event(&Event::Warning(w.clone()));
    }
    pending_rules
}

/// The first walk of the streamed way: every path of the source judged against the
/// previous snapshot's side file (`stream`, verified on a second thread meanwhile) or
/// against nothing (no previous snapshot), keeping no tree; then the bytes of each file
/// whose ctime moved are compared. Unchanged: the run's report. Changed: the counts the
/// writing is shown against. Undecided (the side file does not verify, or files held the
/// same bytes and the previous manifest should record their new ctimes): the full way.
fn check_whole(
    spec: &scan::ScanSpec<'_>,
    previous: Option<&Snapshot>,
    stream: Option<index::Stream>,
    base: &Base<'_>,
    on_event: &(dyn Fn(&Event) + Sync),
) -> anyhow::Result<Pass1> {
    let (checked, verified) = std::thread::scope(|scope| {
        let verifier = scope.spawn(|| stream.as_ref().is_none_or(index::Stream::verify));
        let checked = scan::check(spec, stream.as_ref(), false);
        (checked, verifier.join().unwrap_or(false))
    });
    let checked = checked?;
    if !verified {
        return Ok(Pass1::Undecided(None));
    }
    let mut plan = checked.plan;
    let mut same = std::collections::HashMap::new();
    if let Some(prev) = previous {
        let suspects = std::mem::take(&mut plan.suspects);
        if !suspects.is_empty() {
            let (equal, _) = verify_suspects(spec.source, &prev.path, &mut plan, suspects);
            same = equal
                .into_iter()
                .map(|(rel, meta)| (rel, (meta.ctime_s, meta.ctime_ns)))
                .collect();
        }
    }
    if !plan.changed && !same.is_empty() {
        return Ok(Pass1::Undecided(stream));
    }
    let mut walked = checked.scan;
    if plan.changed {
        return Ok(Pass1::Changed(Box::new(Whole {
            scan: walked,
            plan,
            same,
            stream,
        })));
    }
    let Some(prev) = previous else {
        // Not reached: without a previous snapshot everything is new.
        return Ok(Pass1::Undecided(stream));
    };
    let pending_rules = match &stream {
        Some(stream) => {
            let cursor = std::cell::RefCell::new(stream.cursor());
            let holds = |rel: &[u8]| cursor.borrow_mut().holds(rel);
            settle_walk(&mut walked, base.dest, base.accepted, &holds, on_event)
        }
        None => settle_walk(&mut walked, base.dest, base.accepted, &|_| false, on_event),
    };
    let mut warnings = base.stale_warnings.to_vec();
    warnings.append(&mut walked.warnings);
    Ok(Pass1::Unchanged(Box::new(SnapshotReport {
        source: spec.source.to_path_buf(),
        dest: base.dest.to_path_buf(),
        created: None,
        previous: Some(prev.name.clone()),
        previous_had_manifest: true,
        removed_stale: base.removed_stale.to_vec(),
        plan,
        stats: ApplyStats::default(),
        warnings,
        tripwire: None,
        pending_rules,
    })))
}

/// The second walk of the streamed way: the source walked down to the folders the writer
/// threads share out, each of those walked, compared with the previous snapshot, written
/// and freed in turn. The report counts what was written (the source may have changed
/// since the first walk); warnings of the second walk that the first did not give are
/// added.
fn write_streamed(
    spec: &scan::ScanSpec<'_>,
    previous: Option<&Snapshot>,
    snapshots: &[Snapshot],
    whole: Whole,
    base: &Base<'_>,
    options: &BackupOptions,
    on_event: &(dyn Fn(&Event) + Sync),
) -> anyhow::Result<SnapshotReport> {
    let Whole {
        scan: mut walked,
        plan: planned,
        same,
        stream,
    } = whole;
    let prev_index = stream.map(plan::PrevIndex::streamed);
    let pending_rules = {
        let holder = prev_index.as_ref().map(plan::PrevIndex::holder);
        let holds = |rel: &[u8]| holder.as_ref().is_some_and(|h| h(rel));
        settle_walk(&mut walked, base.dest, base.accepted, &holds, on_event)
    };
    let mut report = SnapshotReport {
        source: spec.source.to_path_buf(),
        dest: base.dest.to_path_buf(),
        created: None,
        previous: previous.map(|p| p.name.clone()),
        previous_had_manifest: previous.is_some(),
        removed_stale: base.removed_stale.to_vec(),
        plan: planned.clone(),
        stats: ApplyStats::default(),
        warnings: base.stale_warnings.to_vec(),
        tripwire: None,
        pending_rules,
    };
    report.warnings.append(&mut walked.warnings);
    options.interrupt.check()?;
    on_event(&Event::Planned(planned));

    let same_bytes =
        |rel: &[u8], meta: &fsx::Meta| same.get(rel) == Some(&(meta.ctime_s, meta.ctime_ns));
    let mut shallow = scan::shallow(spec)?;
    let (top, top_matched) = plan::plan_below(
        &mut shallow.scan.root,
        &[],
        prev_index.as_ref(),
        Some(&same_bytes),
    );
    let below =
        std::sync::Mutex::new((PlanSummary::default(), plan::Matched::default(), Vec::new()));
    let shallow = &shallow;
    let expand = |rel: &[u8]| -> anyhow::Result<Option<scan::Node>> {
        let scan::Expanded { node, warnings } = shallow.expand(rel)?;
        let mut counts = (PlanSummary::default(), plan::Matched::default());
        let node = node.map(|mut node| {
            counts = plan::plan_below(&mut node, rel, prev_index.as_ref(), Some(&same_bytes));
            node
        });
        if let Ok(mut b) = below.lock() {
            b.0.add(counts.0);
            b.1.add(counts.1);
            b.2.extend(warnings);
        }
        Ok(node)
    };
    let written_plan = || {
        let mut sum = top.clone();
        let mut matched = top_matched;
        if let Ok(b) = below.lock() {
            sum.add(b.0.clone());
            matched.add(b.1);
        }
        sum.finish(matched, prev_index.as_ref().map(plan::PrevIndex::totals));
        sum
    };
    let written = write_and_guard(
        spec.source,
        base.dest,
        previous,
        snapshots,
        &shallow.scan.root,
        Some(&expand),
        &written_plan,
        options,
        on_event,
    )?;
    let later: Vec<Warning> = below
        .into_inner()
        .map(|b| b.2)
        .unwrap_or_default()
        .into_iter()
        .filter(|w| {
            !report
                .warnings
                .iter()
                .any(|o| o.path == w.path && o.message == w.message)
        })
        .collect();
    for w in &later {
        on_event(&Event::Warning(w.clone()));
    }
    report.warnings.extend(later);
    Ok(written.into_report(report))
}

/// Frees a scanned tree on a thread of its own: freeing 100,000 nodes one by one costs about
/// a fifth of a no-change check, and a one-shot run exits without waiting for it (a loop's
/// next cycle overlaps it). The thread has the walk threads' large stack (dropping a deep
/// tree recurses); when it cannot start, the tree is freed here.
fn free_later(root: scan::Node) {
    let _ = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || drop(root));
}

/// Reads each suspect file (see [`PlanSummary::suspects`]) in the source and in the
/// previous snapshot: one whose bytes differ (or cannot be compared) counts as modified in
/// `summary`, to be copied. Returns the suspects that held the same bytes, and the paths of
/// those that did not.
#[allow(clippy::type_complexity)]
fn verify_suspects(
    source: &Path,
    previous: &Path,
    summary: &mut PlanSummary,
    suspects: Vec<(Vec<u8>, fsx::Meta)>,
) -> (Vec<(Vec<u8>, fsx::Meta)>, Vec<Vec<u8>>) {
    use std::os::unix::ffi::OsStrExt;
    let dirs = (fsx::Dir::open_path(source), fsx::Dir::open_path(previous));
    let mut same = Vec::new();
    let mut differ = Vec::new();
    for (rel, meta) in suspects {
        let path = Path::new(OsStr::from_bytes(&rel));
        let equal = match &dirs {
            (Ok(s), Ok(p)) => fsx::same_file_below(s, p, path),
            _ => false,
        };
        if equal {
            same.push((rel, meta));
        } else {
            summary.recount_as_modified(meta.size);
            differ.push(rel);
        }
    }
    (same, differ)
}

/// The regular file at `rel` in the scanned tree.
fn tree_file_mut<'a>(root: &'a mut scan::Node, rel: &[u8]) -> Option<&'a mut scan::Node> {
    use std::os::unix::ffi::OsStrExt;
    let mut here = root;
    for part in rel.split(|b| *b == b'/') {
        let scan::NodeKind::Dir(children) = &mut here.kind else {
            return None;
        };
        let i = children
            .binary_search_by(|c| c.name.as_bytes().cmp(part))
            .ok()?;
        here = &mut children[i];
    }
    matches!(here.kind, scan::NodeKind::File).then_some(here)
}

/// A full destination, turned into the user's error once it is known whether the unfinished
/// snapshot could be removed (the message says which).
#[derive(Debug)]
pub struct NoSpace {
    pub dest: PathBuf,
    /// What was being written.
    pub path: PathBuf,
    /// The hint names the destination (when the failing path alone does not show it).
    pub hint_names_dest: bool,
}

impl fmt::Display for NoSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&t!(
            "backup.no_space",
            dest = self.dest.display(),
            path = self.path.display()
        ))
    }
}

impl std::error::Error for NoSpace {}

/// The error of a failed snapshot whose partial folder was removed (`left` is `None`) or not:
/// a full disk and a stop request say which, every other error is followed by a line naming
/// what is left.
fn explain_failure(err: anyhow::Error, left: Option<&fsx::RemoveFailure>) -> anyhow::Error {
    let err = match err.downcast::<NoSpace>() {
        Ok(ns) => {
            let message = match left {
                None => t!(
                    "backup.no_space",
                    dest = ns.dest.display(),
                    path = ns.path.display()
                ),
                Some(left) => t!(
                    "backup.no_space_left",
                    dest = ns.dest.display(),
                    path = ns.path.display(),
                    detail = left
                ),
            };
            let hint = if ns.hint_names_dest {
                t!("backup.no_space_hint_dest", dest = ns.dest.display())
            } else {
                t!("backup.no_space_hint")
            };
            return UserError::failed(message).hint(hint).into();
        }
        Err(err) => err,
    };
    let Some(left) = left else { return err };
    if crate::error::exit_code_of(&err) == ErrorKind::Interrupted.exit_code() {
        return UserError::new(
            ErrorKind::Interrupted,
            t!("backup.interrupted_left", detail = left),
        )
        .into();
    }
    err.context(t!("backup.failed_partial_left", detail = left))
}

/// After snapshot `name` is complete: when it lost enough of `previous`'s files, pin
/// `previous`. Returns what was found, and a warning when the pin could not be written.
fn check_tripwire(
    dest: &Path,
    previous: &str,
    name: &str,
    plan: &PlanSummary,
    options: &BackupOptions,
) -> (Option<tripwire::MassDeletion>, Option<Warning>) {
    trip(
        dest,
        plan.deleted_files,
        plan.prev_files,
        previous,
        name,
        options,
    )
}

/// When `gone` of the `of` files of snapshot `before` are missing from the new snapshot
/// `name` and that reaches the tripwire's thresholds: pins `before`. Returns what was found,
/// and a warning when the pin could not be written.
fn trip(
    dest: &Path,
    gone: u64,
    of: u64,
    before: &str,
    name: &str,
    options: &BackupOptions,
) -> (Option<tripwire::MassDeletion>, Option<Warning>) {
    if !tripwire::is_mass_deletion(gone, of, &options.tripwire) {
        return (None, None);
    }
    let mut found = tripwire::MassDeletion {
        gone,
        of,
        previous: before.to_string(),
        snapshot: name.to_string(),
        pinned: false,
    };
    let pin = tripwire::Pin::tripwire(before, &found, tripwire::now_unix());
    match tripwire::add_pin(dest, pin) {
        Ok(_) => {
            found.pinned = true;
            (Some(found), None)
        }
        Err(err) => (
            Some(found),
            Some(Warning::new(PathBuf::new(), format!("{err:#}"))),
        ),
    }
}

/// After snapshot `name` is complete: the files of the baseline (the oldest snapshot newer
/// than the newest pin, or the oldest snapshot when none is pinned) that are gone from it.
/// When they reach the tripwire's thresholds, the baseline is pinned. Skipped when the
/// baseline is the previous snapshot (already checked) or has no manifest. Both manifests
/// are read as they are compared (the new one through its side file, made here, which the
/// next run's check then finds current), so this holds neither in memory.
fn check_erosion(
    dest: &Path,
    snapshots: &[Snapshot],
    name: &str,
    options: &BackupOptions,
) -> (Option<tripwire::MassDeletion>, Option<Warning>) {
    if !options.tripwire.enabled || snapshots.len() < 2 {
        return (None, None);
    }
    let pins = tripwire::pinned_names(dest);
    let after_pin = snapshots
        .iter()
        .rposition(|s| pins.contains(&s.name))
        .map_or(0, |i| i + 1);
    // The last one is the previous snapshot, which the ordinary check already compared.
    let Some(baseline) = snapshots[..snapshots.len() - 1].get(after_pin) else {
        return (None, None);
    };
    let Some(old) = baseline.manifest.as_ref() else {
        return (None, None);
    };
    let Some(new) = index::convert(&chain::manifest_path(dest, name)) else {
        return (None, None);
    };
    let Ok(file) = std::fs::File::open(old) else {
        return (None, None);
    };
    let mut cursor = new.cursor();
    let mut of = 0u64;
    let mut gone = 0u64;
    let read = manifest::each_raw(file, old, |e| {
        if e.kind == EntryKind::File {
            of += 1;
            let kept = cursor
                .find(&e.path)
                .is_some_and(|n| n.kind == EntryKind::File);
            if !kept {
                gone += 1;
            }
        }
    });
    if read.is_err() {
        return (None, None);
    }
    trip(dest, gone, of, &baseline.name, name, options)
}

#[allow(clippy::too_many_arguments)]
fn write_snapshot(
    source: &Path,
    dest: &Path,
    previous: Option<&Snapshot>,
    name: &str,
    place: &manifest::ChainPlace,
    partial_name: &str,
    tmp_manifest: &Path,
    root: &scan::Node,
    expand: Option<&apply::Expand<'_>>,
    options: &BackupOptions,
    on_event: &(dyn Fn(&Event) + Sync),
) -> anyhow::Result<(ApplyStats, Vec<Warning>)> {
    let dest_dir = fsx::Dir::open_path(dest)
        .with_context(|| t!("backup.cannot_open_dest", path = dest.display()))?;
    let partial_path = dest.join(partial_name);
    let no_space = |err: std::io::Error, what: &Path| -> anyhow::Error {
        if fsx::is_no_space(&err) {
            NoSpace {
                dest: dest.to_path_buf(),
                path: what.to_path_buf(),
                hint_names_dest: false,
            }
            .into()
        } else {
            anyhow::anyhow!(t!(
                "backup.cannot_write",
                path = what.display(),
                error = err
            ))
        }
    };
    dest_dir
        .mkdir(OsStr::new(partial_name), 0o700)
        .map_err(|e| no_space(e, &partial_path))?;
    // Marked as agsekit's, so that only this kind of `-partial` folder is ever cleaned up
    // (best effort: its `YYYYMMDD-HHMMSS-partial` name is recognised even without it).
    let _ = chain::mark_owned(dest, partial_name);
    let new_root = dest_dir
        .open_dir(OsStr::new(partial_name))
        .with_context(|| t!("backup.cannot_open", path = partial_path.display()))?;
    let src_root = fsx::Dir::open_path(source)
        .with_context(|| t!("backup.cannot_open_source", path = source.display()))?;
    let prev_root = previous.and_then(|p| fsx::Dir::open_path(&p.path).ok());
    let as_root = nix::unistd::geteuid().is_root();
    let mut shared = apply::Shared::new(
        &options.interrupt,
        on_event,
        options.fault.as_ref(),
        as_root,
        partial_path.clone(),
    );
    shared.space_at_start = copy::available_bytes(&new_root).ok();
    shared.expand = expand;
    let children: &[scan::Node] = match &root.kind {
        scan::NodeKind::Dir(children) => children,
        _ => &[],
    };
    // The manifest is written as the tree is, a part at a time in walk order.
    let manifest_file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp_manifest)
        .map_err(|e| no_space(e, tmp_manifest))?;
    let mut writer = manifest::ManifestWriter::placed(manifest_file, place)
        .map_err(|e| no_space(e, tmp_manifest))?;
    let written = apply::write_tree(
        &shared,
        children,
        &src_root,
        prev_root.as_ref(),
        &new_root,
        auto_threads(options.threads),
        &mut writer,
    )
    .map_err(|err| match err.downcast::<apply::WriteManifest>() {
        Ok(apply::WriteManifest(e)) => no_space(e, tmp_manifest),
        Err(err) => err,
    })?;
    writer.finish().map_err(|e| no_space(e, tmp_manifest))?;
    // What this snapshot changed, for `agsekit snapshots` (the same numbers it would compute
    // from the two manifests), counted on a second thread while the folder's attributes are
    // set and the filesystem syncs. Best effort: without it, `snapshots` computes the row.
    let summarize = || {
        summary::compute(
            previous,
            place.seq,
            summary::NewSide::File(tmp_manifest),
            &options.interrupt,
        )
        .is_some_and(|s| summary::write_tmp(dest, name, &s).is_ok())
    };
    let (synced, summarized) = std::thread::scope(|scope| {
        let counting = std::thread::Builder::new().spawn_scoped(scope, summarize);
        let synced = options
            .interrupt
            .check()
            .and_then(|()| {
                apply::finish_root(&new_root, &root.meta, as_root)
                    .with_context(|| t!("backup.cannot_set_attrs", path = partial_path.display()))
            })
            .and_then(|()| new_root.syncfs().map_err(|e| no_space(e, &partial_path)));
        let summarized = match counting {
            Ok(handle) => handle.join().unwrap_or(false),
            Err(_) => synced.is_ok() && summarize(),
        };
        (synced, summarized)
    });
    let (stats, warnings) = (written.stats, written.warnings);
    if let Err(err) = synced {
        summary::remove(dest, name);
        return Err(err);
    }
    options.interrupt.check()?;
    // The summary, then the manifest, then the folder: a crash between the renames leaves
    // orphans (removed by the next run), never a snapshot whose summary or manifest is
    // missing or wrong.
    if summarized && summary::publish(dest, name).is_err() {
        summary::remove(dest, name);
    }
    let manifest_final = chain::manifest_path(dest, name);
    std::fs::rename(tmp_manifest, &manifest_final)
        .with_context(|| t!("backup.cannot_rename", path = tmp_manifest.display()))?;
    if let Err(err) = dest_dir.rename_noreplace(OsStr::new(partial_name), OsStr::new(name)) {
        let _ = std::fs::remove_file(&manifest_final);
        summary::remove(dest, name);
        return Err(anyhow::anyhow!(t!(
            "backup.cannot_rename_to",
            from = partial_path.display(),
            to = dest.join(name).display(),
            error = err
        )));
    }
    let _ = std::fs::remove_file(chain::owned_marker_path(dest, partial_name));
    dest_dir
        .fsync()
        .with_context(|| t!("backup.cannot_sync", path = dest.display()))?;
    Ok((stats, warnings))
}

#[cfg(test)]
mod tests;
