//! Who decides what a backup leaves out. `.backupignore` files live in the project, where the
//! agent can write them, so their rules are not trusted as they stand:
//!
//! - **Accepted rules.** agsekit records, beside the snapshots and outside every mount, the
//!   SHA-256 of each `.backupignore` the user accepted (`<dest>/.agsekit-ignore-accepted`).
//!   A file whose text is not accepted is *pending*: its rules have no effect at all (what
//!   they would leave out is still backed up, new paths included: leaving out only "paths
//!   no snapshot held" would let an agent move files under a new rule and delete them), and
//!   every backup, the review, `status` and the prompt say so, until the user runs
//!   `agsekit accept-ignore`. The first snapshot of a chain accepts the rules it finds
//!   (nothing was protected before it); a chain made before this record existed accepts the
//!   files that equal their copy in its newest snapshot.
//! - **Protected paths.** Git hooks, CI files, editor and agent settings, `.envrc` (the
//!   config's `global.review.protected_paths`) and every `.backupignore` itself are backed up
//!   whatever any `.backupignore` says; a folder that the rules leave out is still entered to
//!   reach them. Only `--exclude` (the user's own command line) can leave them out.
//! - **Limits.** A `.backupignore` over [`MAX_IGNORE_BYTES`] or [`MAX_IGNORE_PATTERNS`] is not
//!   applied at all (so it can only make the backup bigger), with a warning naming it.
//!
//! Record format (UTF-8 text): a header line `agsekit-ignore-accepted 1`, then one line per
//! file, `<sha256 hex> <path>`, the path escaped as in manifests. The pending note
//! (`<dest>/.agsekit-ignore-pending`), rewritten by every snapshot run: header
//! `agsekit-ignore-pending 1`, then `<held> <hidden> <path>` per pending file (`held`: paths
//! its rules would leave out that the last snapshot has; `hidden`: new paths they would
//! leave out; both are still backed up).

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

use super::fsx::Dir;
use super::ignore::IGNORE_FILE;
use super::manifest::{escape, unescape};
use crate::t;

/// The record of accepted `.backupignore` texts, in the snapshot folder.
pub const ACCEPTED_FILE: &str = ".agsekit-ignore-accepted";
/// The pending note written by each snapshot run, in the snapshot folder.
pub const PENDING_FILE: &str = ".agsekit-ignore-pending";
/// The largest `.backupignore` that is applied.
pub const MAX_IGNORE_BYTES: u64 = 256 * 1024;
/// The most pattern lines a `.backupignore` may have to be applied.
pub const MAX_IGNORE_PATTERNS: usize = 10_000;

const ACCEPTED_HEADER: &str = "agsekit-ignore-accepted 1";
const PENDING_HEADER: &str = "agsekit-ignore-pending 1";

/// The paths no `.backupignore` can leave out: pattern bases relative to the source root
/// (`dir/` covers the folder and everything in it; `name` covers that path and, if it is a
/// folder, everything in it), plus any file named `.backupignore`.
/// The built-in protected paths (the engine uses them when no list is given): the one list
/// in the foundation module `protected`, also the config's default.
pub use crate::protected::DEFAULT_PROTECTED_PATHS;

#[derive(Debug, Clone, Default)]
pub struct Protected {
    bases: Vec<Vec<u8>>,
}

impl Protected {
    pub fn new(patterns: &[String]) -> Protected {
        let mut bases: Vec<Vec<u8>> = patterns
            .iter()
            .map(|p| p.trim_matches('/').as_bytes().to_vec())
            .filter(|b| !b.is_empty())
            .collect();
        bases.sort();
        bases.dedup();
        Protected { bases }
    }

    /// The config's `global.review.protected_paths`, or the built-in list without a config.
    pub fn of(patterns: Option<&[String]>) -> Protected {
        patterns.map_or_else(Protected::defaults, Protected::new)
    }

    /// The built-in list (`global.review.protected_paths` when the config does not set it).
    pub fn defaults() -> Protected {
        let patterns: Vec<String> = DEFAULT_PROTECTED_PATHS
            .iter()
            .map(|s| s.to_string())
            .collect();
        Protected::new(&patterns)
    }

    /// Whether `rel` (bytes, `/`-separated, from the source root) is protected.
    pub fn covers(&self, rel: &[u8]) -> bool {
        let name = rel.rsplit(|b| *b == b'/').next().unwrap_or(rel);
        name == IGNORE_FILE.as_bytes()
            || self.bases.iter().any(|base| {
                rel.starts_with(base) && (rel.len() == base.len() || rel[base.len()] == b'/')
            })
    }

    /// Whether `rel` is a folder above a protected path (`.git` for `.git/hooks/`).
    pub fn leads_to(&self, rel: &[u8]) -> bool {
        self.bases
            .iter()
            .any(|base| base.len() > rel.len() && base.starts_with(rel) && base[rel.len()] == b'/')
    }
}

/// The SHA-256 of a `.backupignore`'s bytes, in hex.
pub fn text_hash(text: &[u8]) -> String {
    let digest = Sha256::digest(text);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Which `.backupignore` texts the user accepted.
#[derive(Debug, Clone)]
pub enum Accepted {
    /// A chain with no snapshot yet: every rule found is accepted (no snapshot holds anything
    /// that rules could take away).
    All,
    /// A chain without a record (made before agsekit kept one, or by 1.7.4): a file is
    /// accepted when its text equals its copy in this snapshot folder.
    SameAs(PathBuf),
    /// The record: path (from the source root) to SHA-256.
    Record(BTreeMap<Vec<u8>, String>),
}

impl Accepted {
    /// What `dest` says: its record, else [`Accepted::SameAs`] its newest snapshot, else
    /// [`Accepted::All`].
    pub fn load(dest: &Path, newest: Option<&Path>) -> Accepted {
        match read_record(dest) {
            Some(record) => Accepted::Record(record),
            None => match newest {
                Some(snapshot) => Accepted::SameAs(snapshot.to_path_buf()),
                None => Accepted::All,
            },
        }
    }

    /// Whether the `.backupignore` at `rel` with text `text` (hash `hash`) is accepted.
    pub fn accepts(&self, rel: &[u8], text: &[u8], hash: &str) -> bool {
        match self {
            Accepted::All => true,
            Accepted::Record(map) => map.get(rel).is_some_and(|h| h == hash),
            Accepted::SameAs(snapshot) => read_below(snapshot, rel)
                .ok()
                .flatten()
                .is_some_and(|old| old == text),
        }
    }

    /// True unless this is a real record (a run that found the record missing writes one).
    pub fn needs_record(&self) -> bool {
        !matches!(self, Accepted::Record(_))
    }
}

/// Reads `<root>/<rel>` without following any symlink (at most [`MAX_IGNORE_BYTES`]).
fn read_below(root: &Path, rel: &[u8]) -> std::io::Result<Option<Vec<u8>>> {
    let root = Dir::open_path(root)?;
    let rel = Path::new(std::ffi::OsStr::from_bytes(rel));
    super::beneath::read_small(&root, rel, MAX_IGNORE_BYTES)
}

/// The accepted record of `dest`, `None` when there is none or it does not parse.
pub fn read_record(dest: &Path) -> Option<BTreeMap<Vec<u8>, String>> {
    let mut text = String::new();
    std::fs::File::open(dest.join(ACCEPTED_FILE))
        .ok()?
        .take(16 << 20)
        .read_to_string(&mut text)
        .ok()?;
    let mut lines = text.lines();
    if lines.next()? != ACCEPTED_HEADER {
        return None;
    }
    let mut map = BTreeMap::new();
    for line in lines {
        let (hash, path) = line.split_once(' ')?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        map.insert(unescape(path)?, hash.to_ascii_lowercase());
    }
    Some(map)
}

/// Replaces the accepted record of `dest` atomically.
pub fn write_record(dest: &Path, record: &BTreeMap<Vec<u8>, String>) -> anyhow::Result<()> {
    let mut text = format!("{ACCEPTED_HEADER}\n");
    for (path, hash) in record {
        text.push_str(&format!("{hash} {}\n", escape(path)));
    }
    let path = dest.join(ACCEPTED_FILE);
    crate::statefile::replace(&path, text.as_bytes())
        .with_context(|| t!("rules.cannot_write", path = path.display()))
}

/// One `.backupignore` found by a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreFile {
    /// From the source root, `/`-separated.
    pub path: Vec<u8>,
    pub hash: String,
    pub accepted: bool,
    /// Not applied: larger than the limits.
    pub over_limit: bool,
}

/// A `.backupignore` whose text is not accepted, and what its rules would take away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRules {
    pub path: Vec<u8>,
    /// Paths the last snapshot holds that these rules would leave out (still backed up).
    pub held: u64,
    /// New paths these rules would leave out (still backed up).
    pub hidden: u64,
}

impl PendingRules {
    pub fn display_path(&self) -> String {
        crate::ui::untrusted::bytes(&self.path)
    }
}

/// Reads the pending note of `dest` (none when missing or unreadable).
pub fn read_pending(dest: &Path) -> Vec<PendingRules> {
    let Ok(text) = std::fs::read_to_string(dest.join(PENDING_FILE)) else {
        return Vec::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(PENDING_HEADER) {
        return Vec::new();
    }
    lines
        .filter_map(|line| {
            let mut words = line.splitn(3, ' ');
            let held = words.next()?.parse().ok()?;
            let hidden = words.next()?.parse().ok()?;
            let path = unescape(words.next()?)?;
            Some(PendingRules { path, held, hidden })
        })
        .collect()
}

/// Rewrites the pending note of `dest` (removes it when nothing is pending).
pub fn write_pending(dest: &Path, pending: &[PendingRules]) -> anyhow::Result<()> {
    let path = dest.join(PENDING_FILE);
    if pending.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| t!("rules.cannot_write", path = path.display()))
            }
            _ => Ok(()),
        };
    }
    let mut text = format!("{PENDING_HEADER}\n");
    for p in pending {
        text.push_str(&format!("{} {} {}\n", p.held, p.hidden, escape(&p.path)));
    }
    crate::statefile::replace(&path, text.as_bytes())
        .with_context(|| t!("rules.cannot_write", path = path.display()))
}

/// The pending rules of a walk: every `.backupignore` found that is not accepted, with the
/// counts the walk made (`counts`: file path to (held, hidden)).
pub fn pending_of(
    files: &[IgnoreFile],
    counts: &BTreeMap<Vec<u8>, (u64, u64)>,
) -> Vec<PendingRules> {
    files
        .iter()
        .filter(|f| !f.accepted && !f.over_limit)
        .map(|f| {
            let (held, hidden) = counts.get(&f.path).copied().unwrap_or((0, 0));
            PendingRules {
                path: f.path.clone(),
                held,
                hidden,
            }
        })
        .collect()
}

/// The record that accepts every file of a walk as it is now.
pub fn record_of(files: &[IgnoreFile]) -> BTreeMap<Vec<u8>, String> {
    files
        .iter()
        .map(|f| (f.path.clone(), f.hash.clone()))
        .collect()
}

/// The record to keep after a snapshot run that had no record: the files it accepted.
pub fn bootstrap_record(files: &[IgnoreFile]) -> BTreeMap<Vec<u8>, String> {
    files
        .iter()
        .filter(|f| f.accepted)
        .map(|f| (f.path.clone(), f.hash.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_paths_cover_their_folders_and_every_ignore_file() {
        let p = Protected::defaults();
        assert!(p.covers(b".git/hooks"));
        assert!(p.covers(b".git/hooks/pre-commit"));
        assert!(!p.covers(b".git/hooksy"));
        assert!(!p.covers(b".git/objects/ab"));
        assert!(p.covers(b".envrc"));
        assert!(!p.covers(b"src/.envrc"));
        assert!(p.covers(b".backupignore"));
        assert!(p.covers(b"deep/down/.backupignore"));
        assert!(!p.covers(b"deep/x.backupignore"));
        assert!(p.leads_to(b".git"));
        assert!(p.leads_to(b".github"));
        assert!(!p.leads_to(b".git/hooks"));
        assert!(!p.leads_to(b".gi"));
        assert!(!p.leads_to(b"src"));
    }

    #[test]
    fn records_round_trip_with_odd_names() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut record = BTreeMap::new();
        record.insert(b".backupignore".to_vec(), text_hash(b"target/\n"));
        record.insert(b"a b/\x1b[2J\xff/.backupignore".to_vec(), text_hash(b"*\n"));
        write_record(tmp.path(), &record).expect("write");
        assert_eq!(read_record(tmp.path()), Some(record));
        std::fs::write(tmp.path().join(ACCEPTED_FILE), "junk\n").expect("write");
        assert_eq!(read_record(tmp.path()), None);

        let pending = vec![PendingRules {
            path: b"src/.backupignore".to_vec(),
            held: 3,
            hidden: 7,
        }];
        write_pending(tmp.path(), &pending).expect("write");
        assert_eq!(read_pending(tmp.path()), pending);
        write_pending(tmp.path(), &[]).expect("write");
        assert!(!tmp.path().join(PENDING_FILE).exists());
    }

    #[test]
    fn acceptance_by_record_by_snapshot_copy_or_all() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let snap = tmp.path().join("20260101-000000");
        std::fs::create_dir_all(snap.join("sub")).expect("mkdir");
        std::fs::write(snap.join("sub/.backupignore"), "*.o\n").expect("write");
        let same = Accepted::SameAs(snap.clone());
        let rel = b"sub/.backupignore";
        assert!(same.accepts(rel, b"*.o\n", &text_hash(b"*.o\n")));
        assert!(!same.accepts(rel, b"*\n", &text_hash(b"*\n")));
        assert!(!same.accepts(b".backupignore", b"*.o\n", &text_hash(b"*.o\n")));
        assert!(Accepted::All.accepts(rel, b"*\n", &text_hash(b"*\n")));
        let mut map = BTreeMap::new();
        map.insert(rel.to_vec(), text_hash(b"*.o\n"));
        let record = Accepted::Record(map);
        assert!(record.accepts(rel, b"*.o\n", &text_hash(b"*.o\n")));
        assert!(!record.accepts(rel, b"*\n", &text_hash(b"*\n")));
        // A symlink in the snapshot is never followed to read the old text.
        std::fs::remove_file(snap.join("sub/.backupignore")).expect("rm");
        std::os::unix::fs::symlink("/etc/hostname", snap.join("sub/.backupignore"))
            .expect("symlink");
        let host = std::fs::read("/etc/hostname").unwrap_or_default();
        assert!(!same.accepts(rel, &host, &text_hash(&host)));
    }
}
