//! What changed between two states of a project: two snapshots, or a snapshot and the live
//! folder. Both sides become a flat, sorted [`Listing`] (from a walk of a snapshot, a walk of
//! the live folder under its `.backupignore` rules, or a snapshot's manifest), and a pure
//! merge of the two lists gives added, modified and deleted paths.
//!
//! "Modified" uses the same quick check as the engine and `rsync`: a regular file is unchanged
//! when it is the same inode (a hardlink between snapshots) or when its type, size, mtime
//! (to the nanosecond) and permission bits are all equal; a symlink when its target text is;
//! directories never count as modified (their contents do).

use std::cmp::Ordering;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::fsx::{Dir, Meta};
use super::manifest::{EntryKind, ManifestEntry};
use super::scan::{Node, NodeKind};

/// One path of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub meta: Meta,
    /// A symlink's target text.
    pub target: Option<OsString>,
}

/// Every path of a tree (relative, without the root itself), sorted component by component.
pub type Listing = Vec<(PathBuf, Entry)>;

/// Flattens a walked tree.
pub fn listing_from_tree(root: &Node) -> Listing {
    let mut out = Vec::new();
    if let NodeKind::Dir(children) = &root.kind {
        flatten(children, &PathBuf::new(), &mut out);
    }
    out
}

fn flatten(children: &[Node], parent: &Path, out: &mut Listing) {
    for child in children {
        let path = parent.join(&child.name);
        let (kind, target) = match &child.kind {
            NodeKind::File => (EntryKind::File, None),
            NodeKind::Symlink(t) => (EntryKind::Symlink, Some(t.clone())),
            NodeKind::Dir(_) => (EntryKind::Dir, None),
        };
        out.push((
            path.clone(),
            Entry {
                kind,
                meta: child.meta,
                target,
            },
        ));
        if let NodeKind::Dir(grand) = &child.kind {
            flatten(grand, &path, out);
        }
    }
    // Children are sorted by name bytes, which is not the same as component order when a
    // name sorts before '/': sort the whole list once at the top.
    if parent.as_os_str().is_empty() {
        out.sort_by(|a, b| a.0.cmp(&b.0));
    }
}

/// A listing from a snapshot's manifest (source metadata at capture time).
pub fn listing_from_manifest(entries: Vec<ManifestEntry>) -> Listing {
    let mut out: Listing = entries
        .into_iter()
        .filter(|e| !e.path.as_os_str().is_empty())
        .map(manifest_item)
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// One manifest entry as a listing item (see [`listing_from_manifest`]).
pub fn manifest_item(e: ManifestEntry) -> (PathBuf, Entry) {
    let mut meta = e.meta;
    // The manifest records the *source* inode, which an in-place edit keeps: it says
    // nothing about sameness. Only snapshot inodes (hardlinks) do.
    meta.dev = 0;
    meta.ino = 0;
    if !e.exact {
        // Copied while it changed: never equal to anything.
        meta.mtime_ns = -1;
    }
    (
        e.path,
        Entry {
            kind: e.kind,
            meta,
            target: e.target,
        },
    )
}

/// What happened to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

impl ChangeKind {
    /// One letter, as in `git diff --name-status`.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Modified => 'M',
            ChangeKind::Deleted => 'D',
        }
    }
}

/// One changed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: PathBuf,
    pub kind: ChangeKind,
    pub old: Option<Entry>,
    pub new: Option<Entry>,
}

impl Change {
    /// The entry kind after the change (before it, for a deletion).
    pub fn entry_kind(&self) -> EntryKind {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .map(|e| e.kind)
            .unwrap_or(EntryKind::File)
    }
}

/// Whether two entries at the same path hold the same thing (see the module docs).
pub fn same(old: &Entry, new: &Entry) -> bool {
    if old.kind != new.kind {
        return false;
    }
    match old.kind {
        EntryKind::Dir => true,
        EntryKind::Symlink => old.target == new.target,
        EntryKind::File => {
            (old.meta.ino != 0 && old.meta.dev == new.meta.dev && old.meta.ino == new.meta.ino)
                || (old.meta.size == new.meta.size
                    && old.meta.mtime_s == new.meta.mtime_s
                    && old.meta.mtime_ns == new.meta.mtime_ns
                    && old.meta.perm() == new.meta.perm())
        }
    }
}

/// Compares two listings. The result is in path order.
pub fn diff(old: &Listing, new: &Listing) -> Vec<Change> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => a.0.cmp(&b.0),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                out.push(Change {
                    path: old[i].0.clone(),
                    kind: ChangeKind::Deleted,
                    old: Some(old[i].1.clone()),
                    new: None,
                });
                i += 1;
            }
            Ordering::Greater => {
                out.push(Change {
                    path: new[j].0.clone(),
                    kind: ChangeKind::Added,
                    old: None,
                    new: Some(new[j].1.clone()),
                });
                j += 1;
            }
            Ordering::Equal => {
                if !same(&old[i].1, &new[j].1) {
                    out.push(Change {
                        path: new[j].0.clone(),
                        kind: ChangeKind::Modified,
                        old: Some(old[i].1.clone()),
                        new: Some(new[j].1.clone()),
                    });
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Files that the quick check finds unchanged between a snapshot's manifest listing (`old`,
/// with the source's ctime at capture) and a walk of the live folder (`new`) but whose
/// ctime moved: something wrote them (an in-place rewrite that put size and mtime back is
/// the way to hide a change from the quick check; nobody can set ctime). Their bytes decide
/// ([`verify_suspects`]).
pub fn ctime_suspects(old: &Listing, new: &Listing) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        match old[i].0.cmp(&new[j].0) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                let (a, b) = (&old[i].1, &new[j].1);
                if a.kind == EntryKind::File
                    && same(a, b)
                    && (a.meta.ctime_s, a.meta.ctime_ns) != (b.meta.ctime_s, b.meta.ctime_ns)
                {
                    out.push(old[i].0.clone());
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Adds a Modified change for every suspect whose bytes differ between the snapshot folder
/// `snap` and the live folder `live` (keeping `changes` in path order).
pub fn verify_suspects(
    changes: &mut Vec<Change>,
    suspects: &[PathBuf],
    old: &Listing,
    new: &Listing,
    snap: &Path,
    live: &Path,
) {
    if suspects.is_empty() {
        return;
    }
    let (Ok(snap_dir), Ok(live_dir)) = (Dir::open_path(snap), Dir::open_path(live)) else {
        return;
    };
    let find = |l: &Listing, p: &Path| {
        l.binary_search_by(|(q, _)| q.as_path().cmp(p))
            .ok()
            .map(|i| l[i].1.clone())
    };
    let mut added = false;
    for path in suspects {
        if !super::fsx::same_file_below(&snap_dir, &live_dir, path) {
            changes.push(Change {
                path: path.clone(),
                kind: ChangeKind::Modified,
                old: find(old, path),
                new: find(new, path),
            });
            added = true;
        }
    }
    if added {
        changes.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// Keeps the changes at or below one of `paths` (all of them when `paths` is empty).
pub fn restrict(changes: Vec<Change>, paths: &[PathBuf]) -> Vec<Change> {
    if paths.is_empty() || paths.iter().any(|p| p.as_os_str().is_empty()) {
        return changes;
    }
    changes
        .into_iter()
        .filter(|c| paths.iter().any(|p| c.path.starts_with(p)))
        .collect()
}

/// Counts for a summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffStat {
    pub added: u64,
    pub modified: u64,
    pub deleted: u64,
    /// Bytes of the new versions of added and modified files.
    pub bytes_added: u64,
}

impl DiffStat {
    pub fn of(changes: &[Change]) -> DiffStat {
        let mut s = DiffStat::default();
        for c in changes {
            s.count(c.kind, c.old.as_ref(), c.new.as_ref());
        }
        s
    }

    /// Counts one change (folders are not counted; see [`Change::entry_kind`]). The one rule
    /// for every count `snapshots` shows, whether from a diff or from a summary.
    pub fn count(&mut self, kind: ChangeKind, old: Option<&Entry>, new: Option<&Entry>) {
        let entry_kind = new.or(old).map(|e| e.kind).unwrap_or(EntryKind::File);
        if entry_kind == EntryKind::Dir {
            return;
        }
        match kind {
            ChangeKind::Added => self.added += 1,
            ChangeKind::Modified => self.modified += 1,
            ChangeKind::Deleted => self.deleted += 1,
        }
        if let Some(new) = new {
            if new.kind == EntryKind::File {
                self.bytes_added += new.meta.size;
            }
        }
    }

    pub fn files_changed(&self) -> u64 {
        self.added + self.modified + self.deleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(size: u64, mtime: i64, ino: u64) -> Entry {
        Entry {
            kind: EntryKind::File,
            meta: Meta {
                mode: libc::S_IFREG | 0o644,
                size,
                mtime_s: mtime,
                ino,
                dev: 1,
                ..Meta::default()
            },
            target: None,
        }
    }

    fn dir() -> Entry {
        Entry {
            kind: EntryKind::Dir,
            meta: Meta {
                mode: libc::S_IFDIR | 0o755,
                ..Meta::default()
            },
            target: None,
        }
    }

    fn link(t: &str) -> Entry {
        Entry {
            kind: EntryKind::Symlink,
            meta: Meta::default(),
            target: Some(t.into()),
        }
    }

    fn l(items: &[(&str, Entry)]) -> Listing {
        let mut v: Listing = items
            .iter()
            .map(|(p, e)| (PathBuf::from(p), e.clone()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    #[test]
    fn added_modified_deleted_in_path_order() {
        let old = l(&[
            ("a", dir()),
            ("a/keep", file(1, 10, 1)),
            ("a/edit", file(1, 10, 2)),
            ("gone", file(5, 10, 3)),
            ("ln", link("x")),
            ("same-link", link("y")),
            ("old-dir", dir()),
            ("old-dir/f", file(1, 1, 9)),
        ]);
        let new = l(&[
            ("a", dir()),
            ("a/keep", file(1, 10, 1)),
            ("a/edit", file(2, 11, 7)),
            ("a/new", file(4, 12, 8)),
            ("ln", link("z")),
            ("same-link", link("y")),
        ]);
        let got: Vec<(String, char)> = diff(&old, &new)
            .iter()
            .map(|c| (c.path.display().to_string(), c.kind.letter()))
            .collect();
        let want: Vec<(String, char)> = [
            ("a/edit", 'M'),
            ("a/new", 'A'),
            ("gone", 'D'),
            ("ln", 'M'),
            ("old-dir", 'D'),
            ("old-dir/f", 'D'),
        ]
        .iter()
        .map(|(p, k)| (p.to_string(), *k))
        .collect();
        assert_eq!(got, want);
        let stat = DiffStat::of(&diff(&old, &new));
        assert_eq!((stat.added, stat.modified, stat.deleted), (1, 2, 2));
        assert_eq!(stat.bytes_added, 2 + 4);
    }

    #[test]
    fn same_inode_or_same_quick_check_is_unchanged() {
        // Same inode: unchanged even if the recorded metadata differs (hardlink chain).
        assert!(same(&file(1, 10, 5), &file(1, 10, 5)));
        // A copy with the same size, mtime and mode: unchanged.
        assert!(same(&file(1, 10, 5), &file(1, 10, 6)));
        assert!(!same(&file(1, 10, 5), &file(1, 11, 6)));
        let mut exec = file(1, 10, 6);
        exec.meta.mode = libc::S_IFREG | 0o755;
        assert!(!same(&file(1, 10, 5), &exec));
        assert!(!same(&file(1, 10, 5), &dir()));
    }

    #[test]
    fn manifest_listings_never_match_by_source_inode() {
        let entry = |mtime: i64| ManifestEntry {
            path: PathBuf::from("a"),
            kind: EntryKind::File,
            target: None,
            meta: file(3, mtime, 42).meta,
            exact: true,
        };
        // An in-place edit keeps the source inode; only size/mtime tell.
        let old = listing_from_manifest(vec![entry(10)]);
        let new = listing_from_manifest(vec![entry(11)]);
        assert_eq!(diff(&old, &new).len(), 1);
        assert!(diff(&old, &listing_from_manifest(vec![entry(10)])).is_empty());
    }

    #[test]
    fn restrict_keeps_paths_below_the_given_ones() {
        let new = l(&[("a", dir()), ("a/x", file(1, 1, 1)), ("ab", file(1, 1, 2))]);
        let changes = diff(&Vec::new(), &new);
        let kept = restrict(changes, &[PathBuf::from("a")]);
        let paths: Vec<_> = kept.iter().map(|c| c.path.clone()).collect();
        assert_eq!(paths, [PathBuf::from("a"), PathBuf::from("a/x")]);
    }
}
