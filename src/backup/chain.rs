//! The snapshot chain in a destination folder: listing completed snapshots, naming new ones,
//! removing stale `-partial` folders and orphan manifests, deleting a snapshot safely.
//!
//! Layout (compatible with agsekit 1.7.4): `<dest>/YYYYMMDD-HHMMSS/` per snapshot (local
//! time), `<dest>/<name>-partial/` while one is being written, `<dest>/backup.pid` (lock).
//! A snapshot is any sub-directory named like one whose name does not end in `-partial` or
//! `-inprogress`. An unfinished folder is removed only when it is agsekit's own: marked by
//! `<dest>/.<folder>.agsekit-owned` (its device and inode), or named exactly
//! `YYYYMMDD-HHMMSS-partial` / `-inprogress` as 1.7.4 named them.
//!
//! Chain order is not name order: names are local wall-clock time, which goes back (a time
//! zone change, the end of daylight saving time, a clock set back). Each snapshot this tool
//! writes records its place in its manifest's header, written before the rename that
//! publishes the snapshot ([`super::manifest::ChainPlace`]): a sequence one more than the
//! chain's largest, and the greatest name among the snapshots without one (made by 1.7.4) that
//! existed then. [`chain_order`] orders by sequence and slots the snapshots without one in by
//! name; for a chain made only by 1.7.4 that is name order, as before.

use std::io;
use std::path::{Path, PathBuf};

use super::manifest::ChainPlace;

/// How a command line names the chain of `source` snapshotted into `dest`, shell-quoted:
/// `--mount SOURCE` when the folder is a configured mount backed up there (`by_mount`; `dest`
/// is then not used), else `--dest-dir DEST --source-dir SOURCE`.
pub fn command_flags(source: &Path, dest: &Path, by_mount: bool) -> String {
    let q = |p: &Path| shell_words::quote(&p.to_string_lossy()).into_owned();
    if by_mount {
        format!("--mount {}", q(source))
    } else {
        format!("--dest-dir {} --source-dir {}", q(dest), q(source))
    }
}

/// Suffix of a snapshot being written (or abandoned by a crash).
pub const PARTIAL_SUFFIX: &str = "-partial";
/// Legacy suffix, never created, still ignored and cleaned (as the original does).
pub const INPROGRESS_SUFFIX: &str = "-inprogress";

/// A completed snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub name: String,
    pub path: PathBuf,
    /// Local wall-clock time as seconds on a naive calendar (from the name, else the folder's
    /// mtime), the same clock the original's thinning uses.
    pub time: i64,
    /// The manifest file, when this tool wrote one.
    pub manifest: Option<PathBuf>,
    /// Its place in the chain, from the manifest's header (empty for 1.7.4's snapshots).
    pub place: ChainPlace,
}

/// The manifest file of snapshot `name`.
pub fn manifest_path(dest: &Path, name: &str) -> PathBuf {
    dest.join(format!(".{name}.manifest"))
}

fn is_unfinished(name: &str) -> bool {
    name.ends_with(PARTIAL_SUFFIX) || name.ends_with(INPROGRESS_SUFFIX)
}

/// True for a completed snapshot's folder name: `YYYYMMDD-HHMMSS`, optionally followed by a
/// suffix (a name made by another tool in the same second), but not `-partial` or
/// `-inprogress`.
pub fn is_snapshot_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 15
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'-'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && !is_unfinished(name)
}

/// Completed snapshots in `dest`, oldest first (in [`chain_order`]). A missing `dest` has none. Only
/// folders named like snapshots count: a folder of the user's that happens to sit in the
/// backup folder is never linked against, listed or deleted by retention (1.7.4 counted
/// every folder).
pub fn list_snapshots(dest: &Path) -> io::Result<Vec<Snapshot>> {
    let read = match std::fs::read_dir(dest) {
        Ok(r) => r,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut out = Vec::new();
    for entry in read {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !is_snapshot_name(&name) {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if !ft.is_dir() {
            continue;
        }
        let path = entry.path();
        let time = match parse_name(&name) {
            Some(t) => t,
            None => entry
                .metadata()
                .ok()
                .and_then(|m| {
                    use std::os::unix::fs::MetadataExt;
                    local_naive(m.mtime())
                })
                .unwrap_or(0),
        };
        let manifest = Some(manifest_path(dest, &name)).filter(|p| p.is_file());
        let place = manifest
            .as_deref()
            .and_then(super::manifest::read_place)
            .unwrap_or_default();
        out.push(Snapshot {
            name,
            path,
            time,
            manifest,
            place,
        });
    }
    Ok(chain_order(out))
}

/// Orders snapshots oldest first: the ones with a sequence by sequence (then name); each one
/// without a sequence (1.7.4's) right before the first sequenced snapshot that recorded it as
/// older (`legacy-upto` at or past its name), the rest after them all, by name.
pub fn chain_order(mut snaps: Vec<Snapshot>) -> Vec<Snapshot> {
    snaps.sort_by(|a, b| a.name.cmp(&b.name));
    let (mut sequenced, legacy): (Vec<Snapshot>, Vec<Snapshot>) =
        snaps.into_iter().partition(|s| s.place.seq.is_some());
    sequenced.sort_by(|a, b| {
        a.place
            .seq
            .cmp(&b.place.seq)
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut out = Vec::with_capacity(sequenced.len() + legacy.len());
    let mut legacy = legacy.into_iter().peekable();
    for s in sequenced {
        if let Some(upto) = s.place.legacy_upto.as_deref() {
            while let Some(l) = legacy.next_if(|l| l.name.as_str() <= upto) {
                out.push(l);
            }
        }
        out.push(s);
    }
    out.extend(legacy);
    out
}

/// The place a new snapshot takes after `chain` (listed by [`list_snapshots`]).
pub fn next_place(chain: &[Snapshot]) -> ChainPlace {
    let seq = chain
        .iter()
        .filter_map(|s| s.place.seq)
        .max()
        .map_or(1, |m| m + 1);
    let legacy_upto = chain
        .iter()
        .filter(|s| s.place.seq.is_none())
        .map(|s| s.name.clone())
        .max();
    ChainPlace {
        seq: Some(seq),
        legacy_upto,
    }
}

/// Suffix of the marker file that says "this `-partial` folder is agsekit's":
/// `<dest>/.<folder>.agsekit-owned`, holding the folder's device and inode numbers.
pub const OWNED_SUFFIX: &str = ".agsekit-owned";

/// The ownership marker of the unfinished folder `folder` (a `...-partial` name).
pub fn owned_marker_path(dest: &Path, folder: &str) -> PathBuf {
    dest.join(format!(".{folder}{OWNED_SUFFIX}"))
}

/// Marks the folder `folder` of `dest` (existing, not a symlink) as agsekit's own, so the
/// stale cleanup may remove it: writes its device and inode numbers into its marker. A
/// folder of the user's that later takes the same name has another inode and is left alone.
pub fn mark_owned(dest: &Path, folder: &str) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let md = std::fs::symlink_metadata(dest.join(folder))?;
    write_marker(dest, folder, md.dev(), md.ino())
}

fn write_marker(dest: &Path, folder: &str, dev: u64, ino: u64) -> io::Result<()> {
    std::fs::write(
        owned_marker_path(dest, folder),
        format!("agsekit-partial {dev} {ino}\n"),
    )
}

/// True when `folder` (a `-partial` / `-inprogress` folder of `dest`) is agsekit's to remove:
/// its marker names exactly this folder (device and inode), or its name is exactly
/// `YYYYMMDD-HHMMSS-partial` / `YYYYMMDD-HHMMSS-inprogress`, the only names agsekit 1.7.4
/// (which wrote no marker) gave its unfinished snapshots. A folder of the user's that
/// merely ends in `-partial` (`mystuff-partial`) is never agsekit's.
pub fn is_owned_unfinished(dest: &Path, folder: &str) -> bool {
    if !is_unfinished(folder) {
        return false;
    }
    let legacy = [PARTIAL_SUFFIX, INPROGRESS_SUFFIX].iter().any(|suffix| {
        folder
            .strip_suffix(suffix)
            .is_some_and(|stem| parse_name(stem).is_some())
    });
    legacy || marker_matches(dest, folder)
}

/// True when `folder`'s ownership marker names exactly this folder (device and inode).
fn marker_matches(dest: &Path, folder: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(md) = std::fs::symlink_metadata(dest.join(folder)) else {
        return false;
    };
    if !md.is_dir() {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(owned_marker_path(dest, folder)) else {
        return false;
    };
    let mut words = text.split_whitespace();
    words.next() == Some("agsekit-partial")
        && words.next().and_then(|w| w.parse::<u64>().ok()) == Some(md.dev())
        && words.next().and_then(|w| w.parse::<u64>().ok()) == Some(md.ino())
}

/// The unfinished folders in `dest` that the stale cleanup removes (see
/// [`is_owned_unfinished`]), sorted.
pub fn stale_partials(dest: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dest)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir && is_owned_unfinished(dest, &name) {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// What [`remove_stale`] did.
#[derive(Debug, Default)]
pub struct StaleCleanup {
    /// Unfinished folders removed.
    pub removed: Vec<PathBuf>,
    /// Unfinished folders (or parts of them) that could not be removed and are left.
    pub left: Vec<super::fsx::RemoveFailure>,
}

/// Removes agsekit's unfinished folders (`*-partial` / `*-inprogress` that
/// [`is_owned_unfinished`] recognises; any other folder is the user's and stays), every
/// manifest (or temporary manifest) whose snapshot does not exist, and ownership markers
/// whose folder is gone. A folder that cannot be removed completely is reported in `left`
/// (it never looks like a snapshot, so it does not stop new ones); only an unreadable `dest`
/// is an error.
pub fn remove_stale(dest: &Path) -> io::Result<StaleCleanup> {
    let mut out = StaleCleanup::default();
    let mut manifests = Vec::new();
    let mut summaries = Vec::new();
    let mut markers = Vec::new();
    let dest_dir = super::fsx::Dir::open_path(dest)?;
    for name in stale_partials(dest)? {
        let path = dest.join(&name);
        match super::fsx::remove_tree(&dest_dir, std::ffi::OsStr::new(&name), &path) {
            Ok(()) => {
                let _ = std::fs::remove_file(owned_marker_path(dest, &name));
                out.removed.push(path);
            }
            Err(failure) => out.left.push(failure),
        }
    }
    for entry in std::fs::read_dir(dest)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir || !name.starts_with('.') {
            continue;
        }
        if name.ends_with(OWNED_SUFFIX) {
            markers.push(name.to_string());
        } else if name.contains(".manifest") {
            manifests.push(name.to_string());
        } else if name.ends_with(".summary")
            || name.ends_with(".summary.tmp")
            || is_index_file(name)
        {
            summaries.push(name.to_string());
        }
    }
    for m in manifests {
        let snapshot = m
            .strip_prefix('.')
            .and_then(|s| s.strip_suffix(".manifest"))
            .map(|s| dest.join(s));
        let keep = match snapshot {
            Some(s) => std::fs::symlink_metadata(&s)
                .map(|md| md.is_dir())
                .unwrap_or(false),
            None => false, // temporary `.name.manifest.tmp` of a run that died
        };
        if !keep {
            let _ = std::fs::remove_file(dest.join(&m));
        }
    }
    for m in summaries {
        // `.<name>.summary` and `.<name>.index` (the manifest's side file, see
        // [`super::index`]) of a snapshot that exists stay; a temporary one never does.
        let snapshot = m
            .strip_prefix('.')
            .and_then(|s| {
                s.strip_suffix(".summary")
                    .or_else(|| s.strip_suffix(".index"))
            })
            .map(|s| dest.join(s));
        let keep = snapshot.is_some_and(|s| {
            std::fs::symlink_metadata(&s)
                .map(|md| md.is_dir())
                .unwrap_or(false)
        });
        if !keep {
            let _ = std::fs::remove_file(dest.join(&m));
        }
    }
    for m in markers {
        let folder = m
            .strip_prefix('.')
            .and_then(|s| s.strip_suffix(OWNED_SUFFIX))
            .unwrap_or("");
        let still_marks = !folder.is_empty() && marker_matches(dest, folder);
        if !still_marks {
            let _ = std::fs::remove_file(dest.join(&m));
        }
    }
    Ok(out)
}

/// `.<snapshot name>.index` or `.<snapshot name>.index.tmp` (a manifest's side file).
fn is_index_file(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|s| s.strip_suffix(".tmp").or(Some(s)))
        .and_then(|s| s.strip_suffix(".index"))
        .is_some_and(is_snapshot_name)
}

/// Deletes a snapshot without ever leaving a half-deleted folder that looks complete: it is
/// first marked as agsekit's and renamed to `<name>-partial` (which every run ignores and
/// removes; the rename never replaces an existing folder), then its manifest and its files
/// are removed, read-only folders included. Other snapshots are untouched: their files are
/// hardlinks, so removing one name of an inode leaves the others intact. An error names
/// what was left.
pub fn delete_snapshot(dest: &Path, name: &str) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let dest_dir = super::fsx::Dir::open_path(dest)?;
    let doomed_name = format!("{name}{PARTIAL_SUFFIX}");
    let md = std::fs::symlink_metadata(dest.join(name))?;
    if !md.is_dir() {
        return Err(io::Error::from_raw_os_error(libc::ENOTDIR));
    }
    // The marker first (the inode survives the rename): a crash right after the rename
    // still leaves a folder the next run knows as its own.
    write_marker(dest, &doomed_name, md.dev(), md.ino())?;
    if let Err(err) = dest_dir.rename_noreplace(
        std::ffi::OsStr::new(name),
        std::ffi::OsStr::new(&doomed_name),
    ) {
        let _ = std::fs::remove_file(owned_marker_path(dest, &doomed_name));
        return Err(err);
    }
    let _ = std::fs::remove_file(manifest_path(dest, name));
    if let Some(side) = super::index::path_for(&manifest_path(dest, name)) {
        let _ = std::fs::remove_file(side);
    }
    super::summary::remove(dest, name);
    let doomed = dest.join(&doomed_name);
    super::fsx::remove_tree(&dest_dir, std::ffi::OsStr::new(&doomed_name), &doomed)?;
    let _ = std::fs::remove_file(owned_marker_path(dest, &doomed_name));
    Ok(())
}

/// Civil date-time fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

// Days from 1970-01-01 to a civil date (proleptic Gregorian), after H. Hinnant's algorithm.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Civil {
    /// Seconds on a naive calendar (no time zone): only differences are meaningful.
    pub fn naive_seconds(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86400
            + (self.hour * 3600 + self.minute * 60 + self.second) as i64
    }

    pub fn from_naive_seconds(t: i64) -> Civil {
        let days = t.div_euclid(86400);
        let secs = t.rem_euclid(86400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
        }
    }

    /// `YYYYMMDD-HHMMSS`.
    pub fn snapshot_name(&self) -> String {
        format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Parses a `YYYYMMDD-HHMMSS` name into naive seconds.
pub fn parse_name(name: &str) -> Option<i64> {
    let b = name.as_bytes();
    if b.len() != 15 || b[8] != b'-' || !name.is_char_boundary(8) {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = name.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let c = Civil {
        year: digits(0..4)? as i64,
        month: digits(4..6)?,
        day: digits(6..8)?,
        hour: digits(9..11)?,
        minute: digits(11..13)?,
        second: digits(13..15)?,
    };
    let valid = (1..=12).contains(&c.month)
        && (1..=31).contains(&c.day)
        && c.hour < 24
        && c.minute < 60
        && c.second < 60;
    valid.then(|| c.naive_seconds())
}

/// A Unix time as naive local seconds (what `datetime.fromtimestamp` gives in Python).
pub fn local_naive(unix: i64) -> Option<i64> {
    let t: libc::time_t = unix;
    // SAFETY: localtime_r writes into the zeroed struct we pass; both pointers are valid.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return None;
        }
        tm
    };
    Some(
        Civil {
            year: tm.tm_year as i64 + 1900,
            month: (tm.tm_mon + 1) as u32,
            day: tm.tm_mday as u32,
            hour: tm.tm_hour as u32,
            minute: tm.tm_min as u32,
            second: tm.tm_sec.min(59) as u32,
        }
        .naive_seconds(),
    )
}

/// Now, as naive local seconds.
pub fn now_naive() -> i64 {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    local_naive(unix).unwrap_or(unix)
}

/// The name for a new snapshot: the current local second as `YYYYMMDD-HHMMSS` (what 1.7.4's
/// tools expect). When the newest snapshot `last` has this second's name or one a second or
/// two later (a clock nudged back a little), it waits for the next second, so names follow the
/// chain whenever a short wait can make them. When the clock went back further, no waiting:
/// the name is the first free second from now on; it may sort before older snapshots, whose
/// order comes from the chain's sequence ([`chain_order`]), but it is never a name that is
/// already taken (by a snapshot, a partial or a manifest).
pub fn new_snapshot_name(dest: &Path, last: Option<&str>) -> io::Result<String> {
    const SHORT_WAIT: i64 = 2;
    for _ in 0..=SHORT_WAIT {
        let now = now_naive();
        let behind = last
            .and_then(parse_name)
            .map(|l| l - now)
            .filter(|d| (0..=SHORT_WAIT).contains(d));
        if behind.is_none() {
            return first_free_name(dest, now);
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        std::thread::sleep(std::time::Duration::from_nanos(
            1_000_000_000 - nanos as u64 + 1_000_000,
        ));
    }
    first_free_name(dest, now_naive())
}

/// The first second from `from` (naive local seconds) whose name nothing in `dest` uses.
fn first_free_name(dest: &Path, from: i64) -> io::Result<String> {
    // A day of seconds: far more names than any chain holds.
    for step in 0..86_400 {
        let name = Civil::from_naive_seconds(from + step).snapshot_name();
        let used = [
            dest.join(&name),
            dest.join(format!("{name}{PARTIAL_SUFFIX}")),
            manifest_path(dest, &name),
            dest.join(format!(".{name}.manifest.tmp")),
        ]
        .iter()
        .any(|p| std::fs::symlink_metadata(p).is_ok());
        if !used {
            return Ok(name);
        }
    }
    let name = Civil::from_naive_seconds(from).snapshot_name();
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        crate::t!("backup.clock_stuck", path = dest.join(&name).display()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_names() {
        assert!(is_snapshot_name("20260110-120000"));
        assert!(is_snapshot_name("20260110-120000-1"));
        assert!(!is_snapshot_name("20260110-120000-partial"));
        assert!(!is_snapshot_name("20260110-120000-inprogress"));
        assert!(!is_snapshot_name("backup.pid"));
        assert!(!is_snapshot_name("my-notes"));
        assert!(!is_snapshot_name("2026011-1200000"));
    }

    #[test]
    fn folders_not_named_like_snapshots_are_never_listed_or_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["20260101-000000", "20260101-000500", "my-notes", "old"] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        let names: Vec<String> = list_snapshots(dir.path())
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["20260101-000000", "20260101-000500"]);
        crate::backup::clean_backups(dir.path(), 1, crate::backup::CleanMethod::Tail, 5).unwrap();
        assert!(dir.path().join("my-notes").is_dir());
        assert!(dir.path().join("old").is_dir());
        assert!(dir.path().join("20260101-000500").is_dir());
        assert!(!dir.path().join("20260101-000000").exists());
    }

    fn snap(name: &str, seq: Option<u64>, legacy_upto: Option<&str>) -> Snapshot {
        Snapshot {
            name: name.into(),
            path: PathBuf::from(name),
            time: parse_name(name).unwrap_or(0),
            manifest: None,
            place: ChainPlace {
                seq,
                legacy_upto: legacy_upto.map(String::from),
            },
        }
    }

    fn order(snaps: Vec<Snapshot>) -> Vec<String> {
        chain_order(snaps).into_iter().map(|s| s.name).collect()
    }

    #[test]
    fn chain_order_follows_the_sequence_not_the_names() {
        // Only 1.7.4's snapshots: by name, as 1.7.4 orders them.
        assert_eq!(
            order(vec![
                snap("20260101-120000", None, None),
                snap("20260101-110000", None, None),
            ]),
            ["20260101-110000", "20260101-120000"]
        );
        // The clock went back three hours between the second and the third snapshot.
        assert_eq!(
            order(vec![
                snap("20260101-090500", Some(3), None),
                snap("20260101-120000", Some(1), None),
                snap("20260101-120500", Some(2), None),
            ]),
            ["20260101-120000", "20260101-120500", "20260101-090500"]
        );
        // A chain begun by 1.7.4, continued here after the clock went back: the old ones
        // (recorded as older by the first new one) come first; one 1.7.4 made afterwards,
        // named later than any recorded, comes last.
        assert_eq!(
            order(vec![
                snap("20260101-120000", None, None),
                snap("20260101-120500", None, None),
                snap("20260101-100000", Some(1), Some("20260101-120500")),
                snap("20260101-100500", Some(2), Some("20260101-120500")),
                snap("20260101-130000", None, None),
            ]),
            [
                "20260101-120000",
                "20260101-120500",
                "20260101-100000",
                "20260101-100500",
                "20260101-130000"
            ]
        );
        // A 1.7.4 snapshot made between two of ours goes between them.
        assert_eq!(
            order(vec![
                snap("20260101-110000", Some(1), None),
                snap("20260101-111000", None, None),
                snap("20260101-112000", Some(2), Some("20260101-111000")),
            ]),
            ["20260101-110000", "20260101-111000", "20260101-112000"]
        );
    }

    #[test]
    fn next_place_is_past_the_largest_sequence_and_records_the_legacy_names() {
        let chain = chain_order(vec![
            snap("20260101-120000", None, None),
            snap("20260101-120500", Some(4), Some("20260101-120000")),
            snap("20260101-090000", Some(5), Some("20260101-120000")),
        ]);
        let place = next_place(&chain);
        assert_eq!(place.seq, Some(6));
        assert_eq!(place.legacy_upto.as_deref(), Some("20260101-120000"));
        assert_eq!(next_place(&[]).seq, Some(1));
        assert_eq!(next_place(&[]).legacy_upto, None);
    }

    #[test]
    fn a_name_the_clock_already_used_is_never_reused() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path();
        let t = parse_name("20260101-120000").expect("valid");
        std::fs::create_dir(d.join("20260101-120000")).expect("mkdir");
        std::fs::create_dir(d.join("20260101-120001-partial")).expect("mkdir");
        std::fs::write(manifest_path(d, "20260101-120002"), "x").expect("write");
        assert_eq!(first_free_name(d, t).expect("a name"), "20260101-120003");
        // The clock far behind the newest snapshot: no waiting, the current second.
        std::fs::create_dir(d.join("29991231-235959")).expect("mkdir");
        let name = new_snapshot_name(d, Some("29991231-235959")).expect("a name");
        assert!(name.as_str() < "29991231-235959", "{name}");
        assert!(!d.join(&name).exists());
    }

    #[test]
    fn names_round_trip() {
        let t = parse_name("20260110-120000").expect("valid");
        assert_eq!(
            Civil::from_naive_seconds(t).snapshot_name(),
            "20260110-120000"
        );
        assert_eq!(
            parse_name("20260110-120500").map(|x| x - t),
            Some(300),
            "five minutes apart"
        );
        assert_eq!(
            parse_name("20240229-235959").map(|x| x + 1),
            parse_name("20240301-000000")
        );
        assert_eq!(parse_name("2026011-120000"), None);
        assert_eq!(parse_name("20261310-120000"), None);
        assert_eq!(parse_name("20260110-120000-partial"), None);
        assert_eq!(parse_name("2026011x-120000"), None);
    }

    #[test]
    fn listing_skips_partials_files_and_hidden() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path();
        for n in [
            "20260110-120000",
            "20260110-110000",
            "20260110-130000-partial",
            "x-inprogress",
            "odd",
        ] {
            std::fs::create_dir(d.join(n)).expect("mkdir");
        }
        std::fs::write(d.join("backup.pid"), "1").expect("write");
        std::fs::write(manifest_path(d, "20260110-120000"), "x").expect("write");
        let names: Vec<String> = list_snapshots(d)
            .expect("list")
            .into_iter()
            .map(|s| s.name)
            .collect();
        // "odd" is not named like a snapshot: never listed (so never linked or cleaned).
        assert_eq!(names, ["20260110-110000", "20260110-120000"]);
        let snaps = list_snapshots(d).expect("list");
        assert!(snaps[1].manifest.is_some() && snaps[0].manifest.is_none());

        std::fs::write(manifest_path(d, "20990101-000000"), "orphan").expect("write");
        std::fs::write(d.join(".20990101-000001.manifest.tmp"), "tmp").expect("write");
        let removed = remove_stale(d).expect("clean").removed;
        // The timestamp-named partial is agsekit's; `x-inprogress` has no marker: the user's.
        assert_eq!(removed, [d.join("20260110-130000-partial")]);
        assert!(d.join("x-inprogress").is_dir());
        assert!(!manifest_path(d, "20990101-000000").exists());
        assert!(!d.join(".20990101-000001.manifest.tmp").exists());
        assert!(manifest_path(d, "20260110-120000").exists());
    }
}
