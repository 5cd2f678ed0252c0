//! Facts about the host that status, doctor, the daemon and the port-forward supervisor read:
//! whether a PID is alive and what it runs, the size of a snapshot chain on disk, free space,
//! which filesystem a folder is on.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// True when a process with this PID exists (even if it belongs to another user).
pub fn pid_alive(pid: u32) -> bool {
    if pid == 0 || pid > i32::MAX as u32 {
        return false;
    }
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), None) {
        Ok(()) => !is_zombie(pid),
        Err(nix::errno::Errno::EPERM) => true,
        Err(_) => false,
    }
}

/// A zombie has exited; only its parent has not collected it yet.
fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

/// The command line of a live process (Linux `/proc`), words joined by spaces.
pub fn cmdline(pid: u32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let words: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    Some(words.join(" "))
}

/// Bytes used on disk by everything under `dir`, each inode counted once (hardlinked
/// snapshots share their unchanged files), like `du -s`. Symlinks are not followed.
pub fn disk_usage(dir: &Path) -> std::io::Result<u64> {
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    let mut total = 0u64;
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    let root = std::fs::symlink_metadata(dir)?;
    seen.insert((root.dev(), root.ino()));
    total += root.blocks() * 512;
    while let Some(folder) = stack.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(e) => e,
            Err(_) => continue,
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if seen.insert((meta.dev(), meta.ino())) {
                total += meta.blocks() * 512;
            }
            if meta.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    Ok(total)
}

/// [`disk_usage`] of a snapshot folder, remembered in `cache` (a JSON file) under a key made
/// of the folder and `names` (its snapshots and unfinished folders): snapshots never change
/// once complete, so the walk, which visits every file of every snapshot, is only repeated
/// when a snapshot appears or goes.
pub fn cached_disk_usage(dir: &Path, names: &[String], cache: &Path) -> Option<u64> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(dir.as_os_str().as_encoded_bytes());
    for n in names {
        hasher.update([0u8]);
        hasher.update(n.as_bytes());
    }
    let key: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut map: serde_json::Map<String, serde_json::Value> = std::fs::read_to_string(cache)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let slot = dir.to_string_lossy().into_owned();
    if let Some(entry) = map.get(&slot) {
        if entry["key"].as_str() == Some(&key) {
            if let Some(bytes) = entry["bytes"].as_u64() {
                return Some(bytes);
            }
        }
    }
    let bytes = disk_usage(dir).ok()?;
    map.insert(slot, serde_json::json!({"key": key, "bytes": bytes}));
    if let Some(parent) = cache.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = crate::statefile::replace(cache, serde_json::Value::Object(map).to_string().as_bytes());
    Some(bytes)
}

/// Space of the filesystem holding `path` (or its nearest existing ancestor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FsSpace {
    pub total: u64,
    pub available: u64,
}

pub fn fs_space(path: &Path) -> Option<FsSpace> {
    let existing = nearest_existing(path)?;
    let st = nix::sys::statvfs::statvfs(&existing).ok()?;
    let frag = st.fragment_size().max(1) as u64;
    Some(FsSpace {
        total: (st.blocks() as u64).saturating_mul(frag),
        available: (st.blocks_available() as u64).saturating_mul(frag),
    })
}

/// True when the filesystem is nearly full: less than 5% or less than 1 GiB available.
pub fn nearly_full(space: FsSpace) -> bool {
    const GIB: u64 = 1 << 30;
    space.total > 0 && (space.available < GIB || space.available.saturating_mul(20) < space.total)
}

/// The device of `path`, or of its nearest existing ancestor.
pub fn device_of(path: &Path) -> Option<u64> {
    let existing = nearest_existing(path)?;
    std::fs::metadata(existing).ok().map(|m| m.dev())
}

/// `path` itself if it exists, else its closest existing ancestor.
pub fn nearest_existing(path: &Path) -> Option<PathBuf> {
    let mut p = path.to_path_buf();
    loop {
        if std::fs::symlink_metadata(&p).is_ok() {
            return Some(p);
        }
        if !p.pop() {
            return None;
        }
    }
}

/// Seconds since the file was last modified, if it exists.
pub fn age_of_file(path: &Path) -> Option<u64> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(
        std::time::SystemTime::now()
            .duration_since(modified)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_pid_is_alive_and_a_huge_pid_is_not() {
        assert!(pid_alive(std::process::id()));
        assert!(!pid_alive(0));
        assert!(!pid_alive(u32::MAX));
    }

    #[test]
    fn disk_usage_counts_hardlinked_files_once() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::create_dir_all(&a).expect("a");
        std::fs::create_dir_all(&b).expect("b");
        std::fs::write(a.join("f"), vec![7u8; 64 * 1024]).expect("write");
        let one = disk_usage(dir.path()).expect("du");
        std::fs::hard_link(a.join("f"), b.join("f")).expect("link");
        let linked = disk_usage(dir.path()).expect("du");
        assert_eq!(one, linked, "a hardlink adds no data blocks");
        std::fs::write(b.join("g"), vec![1u8; 64 * 1024]).expect("write");
        assert!(disk_usage(dir.path()).expect("du") >= one + 64 * 1024);
    }

    #[test]
    fn disk_usage_is_cached_until_the_names_change() {
        let dir = tempfile::tempdir().expect("tmp");
        let chain = dir.path().join("chain");
        std::fs::create_dir_all(chain.join("a")).expect("a");
        std::fs::write(chain.join("a/f"), vec![1u8; 8192]).expect("f");
        let cache = dir.path().join("cache/sizes.json");
        let names = vec!["a".to_string()];
        let first = cached_disk_usage(&chain, &names, &cache).expect("size");
        std::fs::write(chain.join("a/g"), vec![2u8; 64 * 1024]).expect("g");
        assert_eq!(
            cached_disk_usage(&chain, &names, &cache),
            Some(first),
            "cached"
        );
        let more = vec!["a".to_string(), "b".to_string()];
        assert!(cached_disk_usage(&chain, &more, &cache).expect("size") > first);
    }

    #[test]
    fn nearly_full_thresholds() {
        const GIB: u64 = 1 << 30;
        assert!(nearly_full(FsSpace {
            total: 100 * GIB,
            available: GIB / 2
        }));
        assert!(nearly_full(FsSpace {
            total: 1000 * GIB,
            available: 40 * GIB
        }));
        assert!(!nearly_full(FsSpace {
            total: 100 * GIB,
            available: 50 * GIB
        }));
        assert!(!nearly_full(FsSpace {
            total: 0,
            available: 0
        }));
    }

    #[test]
    fn nearest_existing_climbs_to_a_parent() {
        let dir = tempfile::tempdir().expect("tmp");
        let deep = dir.path().join("x/y/z");
        assert_eq!(nearest_existing(&deep).as_deref(), Some(dir.path()));
    }
}
