//! The snapshot chain in a destination folder: listing completed snapshots, naming new ones,
//! removing stale `-partial` folders and orphan manifests, deleting a snapshot safely.
//!
//! Layout (compatible with agsekit 1.7.4): `<dest>/YYYYMMDD-HHMMSS/` per snapshot (local
//! time), `<dest>/<name>-partial/` while one is being written, `<dest>/backup.pid` (lock).
//! A snapshot is any sub-directory named like one whose name does not end in `-partial` or
//! `-inprogress`; the chain is ordered by name. An unfinished folder is removed only when it
//! is agsekit's own: marked by `<dest>/.<folder>.agsekit-owned` (its device and inode), or
//! named exactly `YYYYMMDD-HHMMSS-partial` / `-inprogress` as 1.7.4 named them.

use std::io;
use std::path::{Path, PathBuf};

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

/// Completed snapshots in `dest`, oldest first (by name). A missing `dest` has none. Only
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
        out.push(Snapshot {
            name,
            path,
            time,
            manifest,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
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

/// The name for a new snapshot: the current local second, unless a snapshot (or a partial)
/// with that name exists or the newest snapshot's name is not older; then it waits for the
/// next second, so names stay `YYYYMMDD-HHMMSS`, unique and in chain order, exactly as the
/// original's tools expect. Gives up after a few seconds of waiting (clock set back): then
/// the current second is used if free.
pub fn new_snapshot_name(dest: &Path, last: Option<&str>) -> io::Result<String> {
    for _ in 0..3 {
        let name = Civil::from_naive_seconds(now_naive()).snapshot_name();
        let taken = dest.join(&name).exists()
            || dest.join(format!("{name}{PARTIAL_SUFFIX}")).exists()
            || last.is_some_and(|l| l >= name.as_str());
        if !taken {
            return Ok(name);
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        std::thread::sleep(std::time::Duration::from_nanos(
            1_000_000_000 - nanos as u64 + 1_000_000,
        ));
    }
    let name = Civil::from_naive_seconds(now_naive()).snapshot_name();
    if dest.join(&name).exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            crate::t!("backup.clock_stuck", path = dest.join(&name).display()),
        ));
    }
    Ok(name)
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
        crate::backup::clean_backups(dir.path(), 1, crate::config::CleanMethod::Tail, 5).unwrap();
        assert!(dir.path().join("my-notes").is_dir());
        assert!(dir.path().join("old").is_dir());
        assert!(dir.path().join("20260101-000500").is_dir());
        assert!(!dir.path().join("20260101-000000").exists());
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
