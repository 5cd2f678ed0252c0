//! The snapshot chain seen from the user's side: every snapshot with what it changed
//! ([`timeline`]), and the versions of one path across snapshots ([`history`]).

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::beneath;
use super::chain::Snapshot;
use super::diff::{self, DiffStat, Entry, Listing};
use super::fsx::Dir;
use super::rules::{Accepted, Protected};
use super::scan::{self, Reference, ScanSpec};
use super::Interrupt;
use crate::t;

/// One snapshot and how it differs from the one before it.
#[derive(Debug, Clone)]
pub struct SnapshotInfo {
    pub snapshot: Snapshot,
    /// Files, symlinks (not folders) in the snapshot.
    pub files: u64,
    /// Changes against the previous snapshot (everything is "added" for the first one).
    pub stat: DiffStat,
    /// Whether the numbers come from manifests (fast) or from walking the snapshot folders
    /// (chains written by the original have no manifest).
    pub from_manifest: bool,
}

/// The file agsekit 1.7.4 writes at the root of each of its snapshots (`relpath inode` lines);
/// it is not part of the project.
pub const LEGACY_INODES: &str = ".inodes";

/// Whether a snapshot was written by agsekit 1.7.4 (it has no manifest of ours).
pub fn is_legacy(snap: &Snapshot) -> bool {
    snap.manifest.is_none()
}

/// Walks a snapshot (no `.backupignore` rules: a snapshot holds what it holds), leaving out
/// the original's `.inodes` file in snapshots it wrote.
pub fn walk_snapshot(snap: &Snapshot, interrupt: &Interrupt) -> anyhow::Result<Listing> {
    let mut listing = walk_snapshot_dir(&snap.path, interrupt)?;
    if is_legacy(snap) {
        listing.retain(|(p, _)| p.as_os_str() != LEGACY_INODES);
    }
    Ok(listing)
}

/// Walks a snapshot folder as it is.
pub fn walk_snapshot_dir(path: &Path, interrupt: &Interrupt) -> anyhow::Result<Listing> {
    let walked = scan::scan(&ScanSpec::plain(path, interrupt))
        .with_context(|| t!("backup.cannot_read_snapshot", path = path.display()))?;
    Ok(diff::listing_from_tree(&walked.root))
}

/// Walks the live folder with the rules of the chain in `chain` (its snapshot folder, left
/// out of the walk when it lies inside the folder): no `--exclude`, the accepted
/// `.backupignore` rules only (a file whose text is not accepted has no effect, as in a
/// backup), and `protected` paths always in: what the next backup would capture.
///
/// `reference` (a snapshot's listing) only sorts what pending rules match into paths that
/// snapshot holds and new paths, for [`LiveWalk::pending`].
pub fn walk_live(
    source: &Path,
    chain: Option<&Path>,
    protected: &Protected,
    reference: Option<&Listing>,
    interrupt: &Interrupt,
) -> anyhow::Result<LiveWalk> {
    let skip_dir = chain
        .and_then(|d| Dir::open_path(d).and_then(|d| d.meta()).ok())
        .map(|m| (m.dev, m.ino));
    let accepted = match chain {
        Some(dest) => {
            let newest = super::chain::list_snapshots(dest)
                .ok()
                .and_then(|s| s.last().map(|s| s.path.clone()));
            Accepted::load(dest, newest.as_deref())
        }
        None => Accepted::All,
    };
    let held: std::collections::HashSet<Vec<u8>> = reference
        .map(|l| {
            l.iter()
                .map(|(p, _)| p.as_os_str().as_bytes().to_vec())
                .collect()
        })
        .unwrap_or_default();
    let holds = |rel: &[u8]| held.contains(rel);
    let spec = ScanSpec {
        source,
        excludes: &[],
        skip_dir,
        threads: 2,
        interrupt,
        use_ignore_files: true,
        protected: Some(protected),
        accepted: Some(&accepted),
        reference: Reference::Known(&holds),
    };
    let walked =
        scan::scan(&spec).with_context(|| t!("backup.cannot_read", path = source.display()))?;
    Ok(LiveWalk {
        listing: diff::listing_from_tree(&walked.root),
        pending: super::rules::pending_of(&walked.ignore_files, &walked.rule_counts),
        ignore_files: walked.ignore_files,
    })
}

/// The live folder as [`walk_live`] reads it.
#[derive(Debug)]
pub struct LiveWalk {
    pub listing: Listing,
    /// The `.backupignore` files whose text is not accepted (their rules were not applied).
    pub pending: Vec<super::rules::PendingRules>,
    /// Every `.backupignore` read.
    pub ignore_files: Vec<super::rules::IgnoreFile>,
}

/// A snapshot's listing: from its manifest when it has a readable one, else by walking it.
pub fn snapshot_listing(snap: &Snapshot, interrupt: &Interrupt) -> anyhow::Result<(Listing, bool)> {
    if let Some(m) = &snap.manifest {
        if let Ok(entries) = super::manifest::read_manifest(m) {
            return Ok((diff::listing_from_manifest(entries), true));
        }
    }
    Ok((walk_snapshot(snap, interrupt)?, false))
}

/// Every snapshot of the chain (oldest first) with what it changed: from its summary when it
/// has one recorded against the snapshot listed before it ([`super::summary`]), else (1.7.4's
/// snapshots, older agsekit's, a predecessor deleted since) by comparing the two listings,
/// for those rows only. The numbers are the same either way.
pub fn timeline(
    snapshots: &[Snapshot],
    interrupt: &Interrupt,
) -> anyhow::Result<Vec<SnapshotInfo>> {
    let mut out = Vec::with_capacity(snapshots.len());
    // The listing of the snapshot before, when the previous row needed it.
    let mut cached: Option<(usize, Listing)> = None;
    for (i, snap) in snapshots.iter().enumerate() {
        interrupt.check()?;
        let before = i.checked_sub(1).map(|j| &snapshots[j]);
        if let Some(s) = super::summary::read(snap).filter(|s| s.fits(snap, before)) {
            out.push(SnapshotInfo {
                snapshot: snap.clone(),
                files: s.files,
                stat: s.stat,
                from_manifest: true,
            });
            continue;
        }
        let previous = match (before, cached.take()) {
            (None, _) => Vec::new(),
            (Some(_), Some((j, listing))) if j + 1 == i => listing,
            (Some(b), _) => snapshot_listing(b, interrupt)?.0,
        };
        let (listing, from_manifest) = snapshot_listing(snap, interrupt)?;
        let (files, stat) = super::summary::of_listings(&previous, &listing);
        out.push(SnapshotInfo {
            snapshot: snap.clone(),
            files,
            stat,
            from_manifest,
        });
        cached = Some((i, listing));
    }
    Ok(out)
}

/// How one version of a path relates to the version before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionChange {
    /// Not there, and was not there before either.
    Absent,
    /// There for the first time (or again after being gone).
    Added,
    /// Same content as the version before.
    Same,
    /// Different from the version before.
    Changed,
    /// Gone since the version before.
    Deleted,
}

/// One row of a path's history.
#[derive(Debug, Clone)]
pub struct Version {
    /// The snapshot name, or `None` for the live folder ("now").
    pub snapshot: Option<String>,
    pub path: PathBuf,
    pub entry: Option<Entry>,
    pub change: VersionChange,
}

fn classify(prev: Option<&Entry>, cur: Option<&Entry>) -> VersionChange {
    match (prev, cur) {
        (None, None) => VersionChange::Absent,
        (None, Some(_)) => VersionChange::Added,
        (Some(_), None) => VersionChange::Deleted,
        (Some(a), Some(b)) if diff::same(a, b) => VersionChange::Same,
        (Some(_), Some(_)) => VersionChange::Changed,
    }
}

/// The versions of `rel` in every snapshot (oldest first), then in the live folder when
/// `live` is given. Never follows a symlink on the way to `rel`.
pub fn history(
    snapshots: &[Snapshot],
    live: Option<&Path>,
    rel: &Path,
) -> anyhow::Result<Vec<Version>> {
    let mut out = Vec::new();
    let mut prev: Option<Entry> = None;
    for snap in snapshots {
        let root = Dir::open_path(&snap.path)
            .with_context(|| t!("backup.cannot_open_snapshot", path = snap.path.display()))?;
        let cur = beneath::entry(&root, rel).with_context(|| {
            t!(
                "backup.cannot_read_in",
                path = rel.display(),
                snapshot = snap.path.display()
            )
        })?;
        out.push(Version {
            snapshot: Some(snap.name.clone()),
            path: snap.path.join(rel),
            change: classify(prev.as_ref(), cur.as_ref()),
            entry: cur.clone(),
        });
        prev = cur;
    }
    if let Some(live) = live {
        let root = Dir::open_path(live)
            .with_context(|| t!("backup.cannot_open", path = live.display()))?;
        let cur = beneath::entry(&root, rel)
            .with_context(|| t!("backup.cannot_read", path = live.join(rel).display()))?;
        out.push(Version {
            snapshot: None,
            path: live.join(rel),
            change: classify(prev.as_ref(), cur.as_ref()),
            entry: cur,
        });
    }
    Ok(out)
}
