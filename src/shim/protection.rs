//! The protection state of a folder, for prompts: which mount (and VM) covers it and how old
//! its newest snapshot is. It runs at every prompt, so it never calls Multipass and parses
//! the config only when the file changed: the mounts are kept in a small cache file keyed by
//! the config's path, size and modification time.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// What a prompt should show for a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protection {
    /// The folder is inside a configured mount.
    Protected {
        vm: String,
        /// The mount's folder name (last component of its source).
        mount: String,
        /// Age of the newest complete snapshot; `None` when there is none yet.
        last_snapshot_age: Option<Duration>,
        /// True when the newest snapshot is older than two backup intervals.
        stale: bool,
        /// A `.backupignore` changed and the user has not accepted it (the last backup
        /// run's note exists).
        rules_pending: bool,
    },
    /// No configured mount covers the folder (or there is no config).
    Unprotected,
    /// The config file exists but could not be read or is invalid.
    ConfigError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CachedMount {
    source: Vec<u8>,
    vm: String,
    backup: Vec<u8>,
    interval_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Cache {
    config: Vec<u8>,
    size: u64,
    mtime_ns: i128,
    valid: bool,
    mounts: Vec<CachedMount>,
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128
}

fn read_cache(path: &Path) -> Option<Cache> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes the cache atomically; a failure only costs a re-parse next time.
fn write_cache(path: &Path, cache: &Cache) {
    let Ok(text) = serde_json::to_vec(cache) else {
        return;
    };
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let _ = crate::statefile::replace(path, &text);
}

/// The mounts of the config at `config_path`, from the cache when the file is unchanged.
/// `Err(())` means the config exists but is invalid.
fn mounts_for(config_path: &Path, cache_path: &Path) -> Result<Vec<CachedMount>, ()> {
    let Ok(meta) = std::fs::metadata(config_path) else {
        return Ok(Vec::new()); // no config: nothing is protected
    };
    let key = (
        config_path.as_os_str().as_bytes().to_vec(),
        meta.len(),
        mtime_ns(&meta),
    );
    if let Some(cache) = read_cache(cache_path) {
        if (cache.config.clone(), cache.size, cache.mtime_ns) == key {
            return if cache.valid {
                Ok(cache.mounts)
            } else {
                Err(())
            };
        }
    }
    let loaded = crate::config::load(Some(config_path), crate::backend::minimums);
    let (valid, mounts) = match &loaded {
        Ok(config) => (
            true,
            config
                .mounts
                .iter()
                .map(|m| CachedMount {
                    source: m.source.as_os_str().as_bytes().to_vec(),
                    vm: m.vm.clone(),
                    backup: m.backup.as_os_str().as_bytes().to_vec(),
                    interval_minutes: m.interval,
                })
                .collect(),
        ),
        Err(_) => (false, Vec::new()),
    };
    write_cache(
        cache_path,
        &Cache {
            config: key.0,
            size: key.1,
            mtime_ns: key.2,
            valid,
            mounts: mounts.clone(),
        },
    );
    if valid {
        Ok(mounts)
    } else {
        Err(())
    }
}

fn to_path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(OsString::from_vec(bytes.to_vec()))
}

/// The mount with the longest source that contains `dir`.
fn covering_mount<'a>(mounts: &'a [CachedMount], dir: &Path) -> Option<&'a CachedMount> {
    mounts
        .iter()
        .filter(|m| dir.starts_with(to_path(&m.source)))
        .max_by_key(|m| to_path(&m.source).components().count())
}

/// Local time encoded in a snapshot name, as a system time.
fn time_from_name(name: &str) -> Option<SystemTime> {
    let num = |r: std::ops::Range<usize>| name.get(r)?.parse::<i32>().ok();
    // SAFETY: `tm` is a plain C struct, fully initialised by zeroing; mktime only reads and
    // normalises it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = num(0..4)? - 1900;
    tm.tm_mon = num(4..6)? - 1;
    tm.tm_mday = num(6..8)?;
    tm.tm_hour = num(9..11)?;
    tm.tm_min = num(11..13)?;
    tm.tm_sec = num(13..15)?;
    tm.tm_isdst = -1;
    // SAFETY: see above.
    let secs = unsafe { libc::mktime(&mut tm) };
    if secs < 0 {
        return None;
    }
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs as u64))
}

/// When the newest complete snapshot in `backup_dir` was taken.
fn newest_snapshot_time(backup_dir: &Path) -> Option<SystemTime> {
    let newest = std::fs::read_dir(backup_dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| crate::backup::chain::is_snapshot_name(n))
        .max()?;
    time_from_name(&newest).or_else(|| {
        std::fs::metadata(backup_dir.join(&newest))
            .and_then(|m| m.modified())
            .ok()
    })
}

/// The protection state of `dir` under the config at `config_path`.
pub fn protection_of(
    dir: &Path,
    config_path: &Path,
    cache_path: &Path,
    now: SystemTime,
) -> Protection {
    let mounts = match mounts_for(config_path, cache_path) {
        Ok(m) => m,
        Err(()) => return Protection::ConfigError,
    };
    let Some(mount) = covering_mount(&mounts, dir) else {
        return Protection::Unprotected;
    };
    let source = to_path(&mount.source);
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.to_string_lossy().into_owned());
    let age = newest_snapshot_time(&to_path(&mount.backup))
        .map(|t| now.duration_since(t).unwrap_or(Duration::ZERO));
    let limit = Duration::from_secs(u64::from(mount.interval_minutes.max(1)) * 60 * 2);
    Protection::Protected {
        vm: mount.vm.clone(),
        mount: name,
        last_snapshot_age: age,
        stale: age.map(|a| a > limit).unwrap_or(true),
        rules_pending: to_path(&mount.backup)
            .join(crate::backup::rules::PENDING_FILE)
            .exists(),
    }
}

/// A short age: `42s`, `7m`, `3h`, `2d`.
pub fn short_age(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(short_age(Duration::from_secs(5)), "5s");
        assert_eq!(short_age(Duration::from_secs(61)), "1m");
        assert_eq!(short_age(Duration::from_secs(7200)), "2h");
        assert_eq!(short_age(Duration::from_secs(200_000)), "2d");
    }

    #[test]
    fn the_deepest_mount_wins() {
        let m = |s: &str| CachedMount {
            source: s.as_bytes().to_vec(),
            vm: s.to_string(),
            backup: Vec::new(),
            interval_minutes: 5,
        };
        let mounts = vec![m("/home/a"), m("/home/a/b"), m("/home/ab")];
        assert_eq!(
            covering_mount(&mounts, Path::new("/home/a/b/c"))
                .unwrap()
                .vm,
            "/home/a/b"
        );
        assert_eq!(
            covering_mount(&mounts, Path::new("/home/a/x")).unwrap().vm,
            "/home/a"
        );
        assert_eq!(covering_mount(&mounts, Path::new("/home/abc")), None);
    }

    #[test]
    fn time_from_name_round_trips_local_time() {
        let t = time_from_name("20260110-120000").unwrap();
        let t2 = time_from_name("20260110-120500").unwrap();
        assert_eq!(t2.duration_since(t).unwrap(), Duration::from_secs(300));
        assert!(time_from_name("2026xx10-120000").is_none());
    }
}
