//! Planning a snapshot: compare the scanned source with what the previous snapshot holds and
//! decide, per file, "hardlink" or "copy", and whether anything changed at all. Pure: no I/O.
//!
//! Two kinds of "previous": a manifest written by this tool (exact source metadata: a file is
//! unchanged when type, size, mtime to the nanosecond, mode, owner and inode all match; ctime
//! is deliberately not compared, since it also moves when anything hardlinks the file, as
//! `cp -al` or pnpm's store do), or, for a chain
//! made by the Python original (no manifest), the `lstat` of the previous snapshot's files
//! (unchanged when type, size, mtime and permission bits match, as rsync decides).

use std::cmp::Ordering;
use std::os::unix::ffi::OsStrExt;

use super::fsx::{FileKind, Meta};
use super::index::{self, Entries};
use super::manifest::{EntryKind, RawEntry};
use super::scan::{Action, Node, NodeKind};

/// What the previous snapshot holds, in walk order.
///
/// No hash map: the entries are kept sorted by [`walk_cmp`] of their paths, which is the order
/// of a pre-order walk whose folders list their children by name bytes. That is the order a
/// manifest is written in and the order [`plan`] visits the scanned tree in, so the planner
/// merges the two in one pass, without hashing a path. The entries are compact records in
/// two buffers ([`index::Entries`]), read from the manifest's side file when it is current.
#[derive(Debug, Default)]
pub struct PrevIndex {
    /// The entries in memory (empty when they are read from `stream`).
    pub entries: Entries,
    /// The side file, read a chunk at a time as the tree is visited (verified by the
    /// caller, [`index::Stream::verify`]).
    pub stream: Option<index::Stream>,
    /// True when built from the snapshot's files (no manifest).
    pub legacy: bool,
    /// How many entries are regular files.
    pub files: u64,
}

/// One entry of the previous snapshot (a manifest line as read).
pub type PrevEntry<'a> = index::Entry<'a>;

/// Compares two `/`-separated relative paths in walk order: `/` sorts before every byte a
/// name can hold (a name holds neither `/` nor NUL), so a folder's whole subtree comes right
/// after it and before its next sibling, and siblings come in name-byte order.
pub fn walk_cmp(a: &[u8], b: &[u8]) -> Ordering {
    let key = |c: u8| if c == b'/' { 0 } else { c };
    let word = |s: &[u8], i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        u64::from_le_bytes(w)
    };
    // The common prefix eight bytes at a time as machine words (paths next to each other in
    // walk order share most of theirs; the lowest differing bit names the first differing
    // byte), then byte by byte.
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let diff = word(a, i) ^ word(b, i);
        if diff != 0 {
            let j = i + (diff.trailing_zeros() / 8) as usize;
            return key(a[j]).cmp(&key(b[j]));
        }
        i += 8;
    }
    while i < n {
        if a[i] != b[i] {
            return key(a[i]).cmp(&key(b[i]));
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

impl PrevIndex {
    /// Manifest entries in any order (sorted into walk order here when they are not).
    pub fn from_manifest(entries: Vec<RawEntry>) -> PrevIndex {
        PrevIndex::of(Entries::from_raw(entries), false)
    }

    /// Entries already in walk order ([`index::load`]).
    pub fn of(entries: Entries, legacy: bool) -> PrevIndex {
        let files = entries.files();
        PrevIndex {
            entries,
            stream: None,
            legacy,
            files,
        }
    }

    /// The entries of a verified side file, read as they are used.
    pub fn streamed(stream: index::Stream) -> PrevIndex {
        PrevIndex {
            files: stream.files(),
            entries: Entries::default(),
            stream: Some(stream),
            legacy: false,
        }
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        match &self.stream {
            Some(s) => s.len(),
            None => self.entries.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its entries and its regular files, for [`PlanSummary::finish`].
    pub fn totals(&self) -> (u64, u64) {
        (self.len() as u64, self.files)
    }

    /// A cursor at the first entry.
    fn cursor(&self) -> PrevCursor<'_> {
        match &self.stream {
            Some(s) => PrevCursor::Stream(s.cursor()),
            None => PrevCursor::Memory(Cursor {
                entries: &self.entries,
                next: 0,
            }),
        }
    }

    /// Whether the previous snapshot holds each path asked for; fastest when asked in walk
    /// order (see [`walk_cmp`]).
    pub fn holder(&self) -> impl Fn(&[u8]) -> bool + '_ {
        let cursor = std::cell::RefCell::new(self.cursor());
        move |rel: &[u8]| cursor.borrow_mut().find(rel).is_some()
    }

    /// Builds an index from a scan of a previous snapshot made without a manifest. The
    /// original's own `.inodes` manifest at the snapshot root is not part of the source.
    pub fn from_legacy_tree(root: &Node) -> PrevIndex {
        let mut entries = index::Builder::default();
        let mut path = Vec::new();
        if let NodeKind::Dir(children) = &root.kind {
            for child in children {
                if child.name.as_bytes() == b".inodes" {
                    continue;
                }
                index_node(child, &mut path, &mut entries);
            }
        }
        PrevIndex::of(entries.finish(), true)
    }

    /// Whether the previous snapshot holds `rel` (binary search in walk order).
    pub fn contains(&self, rel: &[u8]) -> bool {
        match &self.stream {
            Some(s) => s.cursor().holds(rel),
            None => self.entries.find(rel).is_some(),
        }
    }
}

fn index_node(node: &Node, path: &mut Vec<u8>, entries: &mut index::Builder) {
    let len = path.len();
    if !path.is_empty() {
        path.push(b'/');
    }
    path.extend_from_slice(node.name.as_bytes());
    let (kind, target) = match &node.kind {
        NodeKind::File => (EntryKind::File, None),
        NodeKind::Symlink(t) => (EntryKind::Symlink, Some(t.as_bytes())),
        NodeKind::Dir(_) => (EntryKind::Dir, None),
    };
    entries.push(path, kind, target, &node.meta, true);
    if let NodeKind::Dir(children) = &node.kind {
        for child in children {
            index_node(child, path, entries);
        }
    }
    path.truncate(len);
}

/// A cursor over the previous snapshot's entries, advanced as the scanned tree is visited in
/// walk order (a scan lists every folder by name bytes). Only an entry whose path is byte for
/// byte the visited path is ever returned. A path not found ahead of the cursor is looked up
/// behind it too (a binary search, paid only for paths that are new), so a tree visited in
/// any other order still finds every entry.
struct Cursor<'p> {
    entries: &'p Entries,
    next: usize,
}

impl<'p> Cursor<'p> {
    fn find(&mut self, path: &[u8]) -> Option<PrevEntry<'p>> {
        let entries = self.entries;
        while self.next < entries.len() {
            match walk_cmp(entries.path(self.next), path) {
                Ordering::Less => self.next += 1,
                Ordering::Equal => {
                    self.next += 1;
                    return Some(entries.get(self.next - 1));
                }
                Ordering::Greater => break,
            }
        }
        let (mut lo, mut hi) = (0, self.next);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match walk_cmp(entries.path(mid), path) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(entries.get(mid)),
            }
        }
        None
    }
}

/// A cursor over the entries in memory or over the side file.
enum PrevCursor<'p> {
    Memory(Cursor<'p>),
    Stream(index::StreamCursor<'p>),
}

impl PrevCursor<'_> {
    fn find(&mut self, path: &[u8]) -> Option<PrevEntry<'_>> {
        match self {
            PrevCursor::Memory(c) => c.find(path),
            PrevCursor::Stream(c) => c.find(path),
        }
    }
}

/// What the plan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanSummary {
    /// Anything added, modified or deleted (directory attribute changes alone do not count,
    /// as in the original).
    pub changed: bool,
    pub copy_files: u64,
    pub copy_bytes: u64,
    pub link_files: u64,
    pub link_bytes: u64,
    /// Paths that did not exist in the previous snapshot (any kind).
    pub added: u64,
    /// Paths that exist in both but differ (files with new content, retargeted symlinks,
    /// type changes).
    pub modified: u64,
    /// Paths of the previous snapshot that are gone.
    pub deleted: u64,
    /// Regular files in the previous snapshot (0 without one).
    pub prev_files: u64,
    /// Regular files of the previous snapshot whose path no longer exists (the tripwire's
    /// count; folders and symlinks are not counted).
    pub deleted_files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    /// Files the quick check (size, mtime, mode, owner, inode) finds unchanged but whose
    /// ctime moved since the manifest: something wrote them, maybe putting size and mtime
    /// back. Planned as links; their bytes decide (`verify_suspects` in the engine).
    /// Each with its metadata as the walk saw it.
    pub suspects: Vec<(Vec<u8>, Meta)>,
}

/// Whether a file is unchanged since the previous snapshot.
pub fn file_unchanged(now: &Meta, prev: &PrevEntry, legacy: bool) -> bool {
    if prev.kind != EntryKind::File || now.kind() != FileKind::File || !prev.exact {
        return false;
    }
    if now.size != prev.meta.size || now.mtime_s != prev.meta.mtime_s {
        return false;
    }
    if legacy {
        // rsync without nanosecond support leaves 0 in the snapshot.
        (prev.meta.mtime_ns == 0 || prev.meta.mtime_ns == now.mtime_ns)
            && now.perm() == prev.meta.perm()
    } else {
        now.mtime_ns == prev.meta.mtime_ns
            && now.mode == prev.meta.mode
            && now.uid == prev.meta.uid
            && now.gid == prev.meta.gid
            && now.ino == prev.meta.ino
    }
}

/// Marks every file of `root` Link or Copy and summarises the differences.
pub fn plan(root: &mut Node, prev: Option<&PrevIndex>) -> PlanSummary {
    let (mut sum, matched) = plan_below(root, &[], prev, None);
    sum.finish(matched, prev.map(PrevIndex::totals));
    sum
}

/// Whether a file whose ctime moved (see [`PlanSummary::suspects`]), at this path and with
/// this metadata now, was found to hold the same bytes as in the previous snapshot.
pub type SameBytes<'a> = &'a (dyn Fn(&[u8], &Meta) -> bool + Sync);

/// Marks every file below `node` (at `at`, `/`-separated bytes from the root; empty for the
/// root) Link or Copy and counts the differences, not finished (see [`PlanSummary::finish`]):
/// the counts of the parts of one tree are added up first. With `same`, a file whose ctime
/// moved is linked only when `same` says its bytes were compared and found equal, and is
/// otherwise copied and counted as modified (it is not listed in `suspects`).
pub fn plan_below(
    node: &mut Node,
    at: &[u8],
    prev: Option<&PrevIndex>,
    same: Option<SameBytes<'_>>,
) -> (PlanSummary, Matched) {
    let mut sum = PlanSummary::default();
    let mut matched = Matched::default();
    let mut path = at.to_vec();
    let legacy = prev.map(|p| p.legacy).unwrap_or(false);
    let mut cursor = prev.map(PrevIndex::cursor);
    let mut visit = Visit {
        prev: &mut cursor,
        legacy,
        same,
        sum: &mut sum,
        matched: &mut matched,
    };
    if let NodeKind::Dir(children) = &mut node.kind {
        for child in children {
            plan_node(child, &mut visit, &mut path);
        }
    }
    (sum, matched)
}

/// Paths of the previous snapshot seen again: all of them, and those that were files.
#[derive(Debug, Default, Clone, Copy)]
pub struct Matched {
    pub paths: u64,
    pub files: u64,
}

impl Matched {
    pub fn add(&mut self, other: Matched) {
        self.paths += other.paths;
        self.files += other.files;
    }
}

impl PlanSummary {
    /// Adds the counts of another part of the same tree (walked on another thread).
    pub fn add(&mut self, o: PlanSummary) {
        self.copy_files += o.copy_files;
        self.copy_bytes += o.copy_bytes;
        self.link_files += o.link_files;
        self.link_bytes += o.link_bytes;
        self.added += o.added;
        self.modified += o.modified;
        self.dirs += o.dirs;
        self.symlinks += o.symlinks;
        self.suspects.extend(o.suspects);
    }

    /// A file planned as a link (its ctime moved) whose bytes differ: copied, and modified.
    pub fn recount_as_modified(&mut self, size: u64) {
        self.link_files = self.link_files.saturating_sub(1);
        self.link_bytes = self.link_bytes.saturating_sub(size);
        self.copy_files += 1;
        self.copy_bytes += size;
        self.modified += 1;
        self.changed = true;
    }

    /// The totals once every path was judged: what the previous snapshot (`prev`: its
    /// entries and regular files) held that was not seen again is deleted.
    pub fn finish(&mut self, matched: Matched, prev: Option<(u64, u64)>) {
        let (count, files) = prev.unwrap_or((0, 0));
        self.deleted = count.saturating_sub(matched.paths);
        self.prev_files = files;
        self.deleted_files = files.saturating_sub(matched.files);
        self.changed = prev.is_none() || self.added > 0 || self.modified > 0 || self.deleted > 0;
    }
}

/// What the walk found at a path, for [`judge`].
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    File,
    Symlink(&'a [u8]),
    Dir,
}

/// Judges one path of the scanned tree against what the previous snapshot held there
/// (`before`): counts it in `sum` and `matched`, and says whether a file is linked or
/// copied.
pub fn judge(
    path: &[u8],
    seen: Seen<'_>,
    meta: &Meta,
    before: Option<&PrevEntry<'_>>,
    legacy: bool,
    sum: &mut PlanSummary,
    matched: &mut Matched,
) -> Action {
    if let Some(b) = before {
        matched.paths += 1;
        matched.files += u64::from(b.kind == EntryKind::File);
    } else {
        sum.added += 1;
    }
    match seen {
        Seen::File => {
            let unchanged = before
                .map(|b| file_unchanged(meta, b, legacy))
                .unwrap_or(false);
            if unchanged {
                sum.link_files += 1;
                sum.link_bytes += meta.size;
                if let Some(b) = before.filter(|_| !legacy) {
                    if (b.meta.ctime_s, b.meta.ctime_ns) != (meta.ctime_s, meta.ctime_ns) {
                        sum.suspects.push((path.to_vec(), *meta));
                    }
                }
                return Action::Link;
            }
            sum.copy_files += 1;
            sum.copy_bytes += meta.size;
            if before.is_some() {
                sum.modified += 1;
            }
        }
        Seen::Symlink(target) => {
            sum.symlinks += 1;
            if let Some(b) = before {
                if b.kind != EntryKind::Symlink || b.target != Some(target) {
                    sum.modified += 1;
                }
            }
        }
        Seen::Dir => {
            sum.dirs += 1;
            if let Some(b) = before {
                if b.kind != EntryKind::Dir {
                    sum.modified += 1;
                }
            }
        }
    }
    Action::Copy
}

/// What [`plan_node`] carries down the tree.
struct Visit<'v, 'p> {
    prev: &'v mut Option<PrevCursor<'p>>,
    legacy: bool,
    same: Option<SameBytes<'v>>,
    sum: &'v mut PlanSummary,
    matched: &'v mut Matched,
}

fn plan_node(node: &mut Node, v: &mut Visit<'_, '_>, path: &mut Vec<u8>) {
    let len = path.len();
    if !path.is_empty() {
        path.push(b'/');
    }
    path.extend_from_slice(node.name.as_bytes());
    let before = v.prev.as_mut().and_then(|c| c.find(path));
    let seen = match &node.kind {
        NodeKind::File => Seen::File,
        NodeKind::Symlink(t) => Seen::Symlink(t.as_bytes()),
        NodeKind::Dir(_) => Seen::Dir,
    };
    let suspects = v.sum.suspects.len();
    node.action = judge(
        path,
        seen,
        &node.meta,
        before.as_ref(),
        v.legacy,
        v.sum,
        v.matched,
    );
    if let Some(same) = v.same {
        if v.sum.suspects.len() > suspects {
            v.sum.suspects.truncate(suspects);
            if !same(path, &node.meta) {
                node.action = Action::Copy;
                v.sum.recount_as_modified(node.meta.size);
            }
        }
    }
    if let NodeKind::Dir(children) = &mut node.kind {
        for child in children {
            plan_node(child, v, path);
        }
    }
    path.truncate(len);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(mode: u32, size: u64, mtime: i64) -> Meta {
        Meta {
            mode,
            size,
            mtime_s: mtime,
            ctime_s: mtime,
            ino: size + 1000,
            ..Meta::default()
        }
    }

    fn file(name: &str, size: u64, mtime: i64) -> Node {
        Node {
            name: name.into(),
            meta: meta(0o100644, size, mtime),
            kind: NodeKind::File,
            action: Action::Copy,
            deferred: false,
        }
    }

    fn dir(name: &str, children: Vec<Node>) -> Node {
        Node {
            name: name.into(),
            meta: meta(0o40755, 0, 1),
            kind: NodeKind::Dir(children),
            action: Action::Copy,
            deferred: false,
        }
    }

    fn raw_of(idx: &PrevIndex) -> Vec<RawEntry> {
        (0..idx.entries.len())
            .map(|i| idx.entries.get(i).to_raw())
            .collect()
    }

    fn manifest_of(root: &Node) -> PrevIndex {
        let mut idx = PrevIndex::from_legacy_tree(root);
        idx.legacy = false;
        idx
    }

    #[test]
    fn walk_order_is_the_order_a_manifest_is_written_in() {
        // Siblings by name bytes, each folder's subtree right after it ("a/x" before "a-b",
        // although '/' > '-' as bytes).
        let mut paths: Vec<&[u8]> = vec![b"a-b", b"a/x", b"a", b"b", b"a/x/y", b"a.c", b"a0"];
        paths.sort_by(|x, y| walk_cmp(x, y));
        let want: Vec<&[u8]> = vec![b"a", b"a/x", b"a/x/y", b"a-b", b"a.c", b"a0", b"b"];
        assert_eq!(paths, want);
        let root = dir(
            "",
            vec![
                dir("a", vec![file("x", 1, 1)]),
                file("a-b", 1, 1),
                file("a.c", 1, 1),
            ],
        );
        let idx = manifest_of(&root);
        let written: Vec<&[u8]> = (0..idx.entries.len())
            .map(|i| idx.entries.path(i))
            .collect();
        assert_eq!(written, vec![&b"a"[..], b"a/x", b"a-b", b"a.c"]);
        assert!(idx.contains(b"a/x") && idx.contains(b"a-b") && !idx.contains(b"a/y"));
    }

    #[test]
    fn walk_cmp_is_byte_order_with_the_separator_first_at_every_length() {
        // The eight-bytes-at-a-time prefix compare agrees with the plain definition.
        let plain = |a: &[u8], b: &[u8]| {
            let key = |c: u8| if c == b'/' { 0 } else { c };
            let ka: Vec<u8> = a.iter().map(|c| key(*c)).collect();
            let kb: Vec<u8> = b.iter().map(|c| key(*c)).collect();
            ka.cmp(&kb)
        };
        let parts: [&[u8]; 6] = [b"a", b"/", b"-", b"node_modules", b"\xff", b"0"];
        let mut paths: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for p in &paths {
                for q in parts {
                    next.push([p.as_slice(), q].concat());
                }
            }
            paths.extend(next);
            paths.sort();
            paths.dedup();
        }
        for a in &paths {
            for b in &paths {
                assert_eq!(walk_cmp(a, b), plain(a, b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn a_manifest_out_of_walk_order_still_matches_every_path() {
        let root = dir(
            "",
            vec![
                dir("a", vec![file("x", 1, 1), file("y", 2, 1)]),
                file("a-b", 3, 1),
                file("z", 4, 1),
            ],
        );
        let mut entries = raw_of(&manifest_of(&root));
        entries.reverse();
        let prev = PrevIndex::from_manifest(entries);
        let s = plan(&mut root.clone(), Some(&prev));
        assert!(!s.changed);
        assert_eq!((s.link_files, s.copy_files, s.deleted), (4, 0, 0));
    }

    #[test]
    fn a_changed_file_between_unchanged_ones_is_copied_and_a_gone_folder_counts_as_deleted() {
        let before = dir(
            "",
            vec![
                dir("a", vec![file("x", 1, 1), file("y", 2, 1)]),
                dir("gone", vec![file("g", 1, 1)]),
                file("z", 4, 1),
            ],
        );
        let prev = manifest_of(&before);
        let mut now = dir(
            "",
            vec![
                dir("a", vec![file("x", 1, 1), file("y", 2, 2)]),
                file("z", 4, 1),
            ],
        );
        let s = plan(&mut now, Some(&prev));
        assert!(s.changed);
        assert_eq!((s.link_files, s.copy_files, s.modified), (2, 1, 1));
        assert_eq!((s.deleted, s.deleted_files), (2, 1));
    }

    #[test]
    fn first_snapshot_copies_everything() {
        let mut root = dir("", vec![file("a", 3, 1), dir("d", vec![file("b", 5, 1)])]);
        let s = plan(&mut root, None);
        assert!(s.changed);
        assert_eq!((s.copy_files, s.copy_bytes, s.link_files), (2, 8, 0));
    }

    #[test]
    fn no_change_links_everything_and_reports_unchanged() {
        let tree = dir("", vec![file("a", 3, 1), dir("d", vec![file("b", 5, 1)])]);
        let prev = manifest_of(&tree);
        let mut now = tree.clone();
        let s = plan(&mut now, Some(&prev));
        assert!(!s.changed, "{s:?}");
        assert_eq!((s.copy_files, s.link_files, s.deleted), (0, 2, 0));
    }

    #[test]
    fn modified_added_deleted_are_counted() {
        let before = dir(
            "",
            vec![file("a", 3, 1), file("gone", 1, 1), dir("d", vec![])],
        );
        let prev = manifest_of(&before);
        let mut now = dir(
            "",
            vec![file("a", 4, 2), file("new", 1, 1), dir("d", vec![])],
        );
        let s = plan(&mut now, Some(&prev));
        assert!(s.changed);
        assert_eq!((s.modified, s.added, s.deleted), (1, 1, 1));
        assert_eq!(s.copy_files, 2);
    }

    #[test]
    fn deleted_files_count_only_files_of_the_previous_snapshot() {
        let before = dir(
            "",
            vec![
                file("keep", 1, 1),
                dir(
                    "gone",
                    vec![file("x", 1, 1), file("y", 1, 1), dir("e", vec![])],
                ),
                dir("empty", vec![]),
                file("became_dir", 1, 1),
            ],
        );
        let prev = manifest_of(&before);
        assert_eq!(prev.files, 4);
        let mut now = dir(
            "",
            vec![
                file("keep", 1, 1),
                dir("became_dir", vec![]),
                file("new", 1, 1),
            ],
        );
        let s = plan(&mut now, Some(&prev));
        // x and y are gone; folders (gone, gone/e, empty) are not files; a path that is now
        // a folder still exists.
        assert_eq!((s.prev_files, s.deleted_files), (4, 2));
        assert_eq!(s.deleted, 5, "paths of any kind");
    }

    #[test]
    fn folders_only_and_no_previous_snapshot_delete_no_files() {
        let before = dir("", vec![dir("a", vec![dir("b", vec![])]), dir("c", vec![])]);
        let prev = manifest_of(&before);
        let mut now = dir("", vec![]);
        let s = plan(&mut now, Some(&prev));
        assert!(s.changed);
        assert_eq!((s.prev_files, s.deleted_files, s.deleted), (0, 0, 3));
        let mut first = dir("", vec![file("a", 1, 1)]);
        let s = plan(&mut first, None);
        assert_eq!((s.prev_files, s.deleted_files), (0, 0));
        // An empty previous snapshot.
        let empty = manifest_of(&dir("", vec![]));
        let s = plan(&mut dir("", vec![file("a", 1, 1)]), Some(&empty));
        assert_eq!((s.prev_files, s.deleted_files), (0, 0));
    }

    #[test]
    fn directory_attribute_change_alone_is_not_a_change() {
        let before = dir("", vec![dir("d", vec![])]);
        let prev = manifest_of(&before);
        let mut now = before.clone();
        if let NodeKind::Dir(c) = &mut now.kind {
            c[0].meta.mode = 0o40700;
            c[0].meta.mtime_s = 99;
        }
        assert!(!plan(&mut now, Some(&prev)).changed);
    }

    #[test]
    fn inode_change_forces_copy_but_not_in_legacy_mode_and_ctime_alone_does_not() {
        let before = dir("", vec![file("a", 3, 1)]);
        let prev = manifest_of(&before);
        let legacy = PrevIndex::from_legacy_tree(&before);
        let mut replaced = before.clone();
        if let NodeKind::Dir(c) = &mut replaced.kind {
            c[0].meta.ino += 1;
        }
        assert_eq!(plan(&mut replaced.clone(), Some(&prev)).copy_files, 1);
        assert_eq!(plan(&mut replaced, Some(&legacy)).copy_files, 0);
        // A link count change (cp -al, a package store) moves only ctime.
        let mut relinked = before.clone();
        if let NodeKind::Dir(c) = &mut relinked.kind {
            c[0].meta.ctime_s = 50;
        }
        assert_eq!(plan(&mut relinked, Some(&prev)).copy_files, 0);
    }

    #[test]
    fn legacy_inodes_file_is_not_a_deletion() {
        let before = dir("", vec![file(".inodes", 10, 1), file("a", 3, 1)]);
        let legacy = PrevIndex::from_legacy_tree(&before);
        let mut now = dir("", vec![file("a", 3, 1)]);
        let s = plan(&mut now, Some(&legacy));
        assert!(!s.changed, "{s:?}");
    }

    #[test]
    fn inexact_previous_entry_is_recopied() {
        let before = dir("", vec![file("a", 3, 1)]);
        let mut entries = raw_of(&manifest_of(&before));
        for e in entries.iter_mut() {
            e.exact = false;
        }
        let prev = PrevIndex::from_manifest(entries);
        let mut now = before.clone();
        let s = plan(&mut now, Some(&prev));
        assert_eq!(s.copy_files, 1);
        assert!(s.changed);
    }
}
