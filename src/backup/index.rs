//! The previous snapshot's entries in walk order, compact, and their side file
//! `<dest>/.<name>.index` next to the manifest, so the no-change check reads them instead of
//! parsing the text manifest (13.8 MB at 100,000 files) on every run.
//!
//! In memory, entries are fixed-size records followed by one buffer of path and target bytes:
//! no allocation per entry, and the side file is those two buffers as they are, behind a
//! header. The text manifest stays the snapshot's record (agsekit 1.7.4 never reads either;
//! it looks only at the sub-folders of `<dest>`): the side file is a cache of it and is used
//! only when
//!
//! - its header names the manifest it was made from: device, inode, size, mtime and ctime of
//!   that file, all to the nanosecond (a manifest rewritten in any way, renamed, copied or
//!   replaced, does not match: the kernel sets ctime on every change);
//! - its checksum matches its bytes (a torn or damaged file does not); and
//! - every record is well-formed and the paths are in strict walk order.
//!
//! Otherwise it is ignored and the text manifest is parsed, as if there were none, and the
//! side file is written again (best effort, temporary file and rename; no fsync: a side file
//! lost or torn by a crash fails the checks above and costs one parse). The checksum is not
//! cryptographic: the backup folder is out of the agent's reach, and the checks guard against
//! stale and damaged files, not forged ones.
//!
//! Layout (little-endian): the 16-byte magic `agsekit-index 1\n`; the manifest's device,
//! inode, size, mtime seconds, mtime nanoseconds, ctime seconds, ctime nanoseconds (7 x 8
//! bytes); the number of entries, the length of the byte buffer, the number of regular files
//! and the checksum (4 x 8 bytes); the records ([`RECORD`] bytes each); the byte buffer.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::fsx::Meta;
use super::manifest::{EntryKind, RawEntry};
use super::plan::walk_cmp;

pub const MAGIC: &[u8; 16] = b"agsekit-index 1\n";
/// Bytes per record.
pub const RECORD: usize = 96;
const HEADER: usize = 16 + 7 * 8 + 4 * 8;
/// `target_len` of an entry without a target.
const NO_TARGET: u32 = u32::MAX;

/// The side file of the manifest at `manifest` (`.<name>.manifest` -> `.<name>.index`).
pub fn path_for(manifest: &Path) -> Option<PathBuf> {
    let name = manifest.file_name()?.to_str()?;
    let stem = name.strip_suffix(".manifest")?;
    Some(manifest.with_file_name(format!("{stem}.index")))
}

/// What identifies one version of a manifest file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_s: i64,
    pub mtime_ns: i64,
    pub ctime_s: i64,
    pub ctime_ns: i64,
}

impl FileId {
    pub fn of(md: &std::fs::Metadata) -> FileId {
        FileId {
            dev: md.dev(),
            ino: md.ino(),
            size: md.size(),
            mtime_s: md.mtime(),
            mtime_ns: md.mtime_nsec(),
            ctime_s: md.ctime(),
            ctime_ns: md.ctime_nsec(),
        }
    }

    fn words(&self) -> [u64; 7] {
        [
            self.dev,
            self.ino,
            self.size,
            self.mtime_s as u64,
            self.mtime_ns as u64,
            self.ctime_s as u64,
            self.ctime_ns as u64,
        ]
    }
}

/// One entry, borrowed from [`Entries`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub path: &'a [u8],
    pub kind: EntryKind,
    pub target: Option<&'a [u8]>,
    pub meta: Meta,
    /// False when the file changed while it was copied.
    pub exact: bool,
}

impl Entry<'_> {
    pub fn to_raw(&self) -> RawEntry {
        RawEntry {
            path: self.path.to_vec(),
            kind: self.kind,
            target: self.target.map(<[u8]>::to_vec),
            meta: self.meta,
            exact: self.exact,
        }
    }
}

/// Entries in strict walk order ([`walk_cmp`]), at most one per path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entries {
    records: Vec<u8>,
    bytes: Vec<u8>,
    files: u64,
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Field readers of one record (constant offsets into a fixed-size array: no bounds checks
/// at run time).
macro_rules! field {
    (u32, $r:expr, $at:literal) => {
        u32::from_le_bytes([$r[$at], $r[$at + 1], $r[$at + 2], $r[$at + 3]])
    };
    (u64, $r:expr, $at:literal) => {
        u64::from_le_bytes([
            $r[$at],
            $r[$at + 1],
            $r[$at + 2],
            $r[$at + 3],
            $r[$at + 4],
            $r[$at + 5],
            $r[$at + 6],
            $r[$at + 7],
        ])
    };
}

fn kind_code(kind: EntryKind) -> u8 {
    match kind {
        EntryKind::File => 0,
        EntryKind::Dir => 1,
        EntryKind::Symlink => 2,
    }
}

fn kind_of(code: u8) -> Option<EntryKind> {
    match code {
        0 => Some(EntryKind::File),
        1 => Some(EntryKind::Dir),
        2 => Some(EntryKind::Symlink),
        _ => None,
    }
}

impl Entries {
    pub fn len(&self) -> usize {
        self.records.len() / RECORD
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// How many entries are regular files.
    pub fn files(&self) -> u64 {
        self.files
    }

    fn record(&self, i: usize) -> &[u8; RECORD] {
        let at = i * RECORD;
        match self
            .records
            .get(at..at + RECORD)
            .map(<&[u8; RECORD]>::try_from)
        {
            Some(Ok(r)) => r,
            _ => &[0; RECORD],
        }
    }

    /// The path of entry `i` (empty past the end).
    pub fn path(&self, i: usize) -> &[u8] {
        let r = self.record(i);
        let off = field!(u64, r, 0) as usize;
        let len = field!(u32, r, 8) as usize;
        self.bytes.get(off..off.saturating_add(len)).unwrap_or(&[])
    }

    pub fn get(&self, i: usize) -> Entry<'_> {
        let r = self.record(i);
        let off = field!(u64, r, 0) as usize;
        let len = field!(u32, r, 8) as usize;
        let target_len = field!(u32, r, 12);
        let end = off.saturating_add(len);
        let target = (target_len != NO_TARGET).then(|| {
            self.bytes
                .get(end..end.saturating_add(target_len as usize))
                .unwrap_or(&[])
        });
        Entry {
            path: self.bytes.get(off..end).unwrap_or(&[]),
            kind: kind_of(r[16]).unwrap_or(EntryKind::File),
            target,
            meta: Meta {
                mode: field!(u32, r, 24),
                uid: field!(u32, r, 28),
                gid: field!(u32, r, 32),
                size: field!(u64, r, 40),
                mtime_s: field!(u64, r, 48) as i64,
                mtime_ns: field!(u64, r, 56) as i64,
                ctime_s: field!(u64, r, 64) as i64,
                ctime_ns: field!(u64, r, 72) as i64,
                dev: field!(u64, r, 80),
                ino: field!(u64, r, 88),
            },
            exact: r[17] == 1,
        }
    }

    /// Where `path` is (a binary search in walk order).
    pub fn find(&self, path: &[u8]) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match walk_cmp(self.path(mid), path) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Entries in any order; sorted into walk order, one per path (the first one kept, as
    /// the index of a manifest always did).
    pub fn from_raw(mut entries: Vec<RawEntry>) -> Entries {
        if !entries
            .windows(2)
            .all(|w| walk_cmp(&w[0].path, &w[1].path) == Ordering::Less)
        {
            entries.sort_by(|a, b| walk_cmp(&a.path, &b.path));
            entries.dedup_by(|later, first| later.path == first.path);
        }
        let mut b = Builder::default();
        for e in &entries {
            b.push_raw(e);
        }
        // Sorted and deduplicated above: finish never has to sort again.
        b.finish()
    }

    fn checksum(&self) -> u64 {
        checksum(&self.records, &self.bytes, self.files)
    }

    /// Checks every record: a known kind, a path inside the byte buffer, a target exactly for
    /// symlinks, strict walk order, and the file count.
    fn well_formed(&self) -> bool {
        if !self.records.len().is_multiple_of(RECORD) {
            return false;
        }
        let mut files = 0u64;
        for i in 0..self.len() {
            let r = self.record(i);
            let Some(kind) = kind_of(r[16]) else {
                return false;
            };
            if r[17] > 1 || r[18..24].iter().any(|b| *b != 0) {
                return false;
            }
            let off = field!(u64, r, 0);
            let len = u64::from(field!(u32, r, 8));
            let target_len = field!(u32, r, 12);
            let extra = if target_len == NO_TARGET {
                0
            } else {
                u64::from(target_len)
            };
            let end = off.checked_add(len).and_then(|e| e.checked_add(extra));
            if len == 0 || end.is_none_or(|e| e > self.bytes.len() as u64) {
                return false;
            }
            if (kind == EntryKind::Symlink) != (target_len != NO_TARGET) {
                return false;
            }
            if i > 0 && walk_cmp(self.path(i - 1), self.path(i)) != Ordering::Less {
                return false;
            }
            files += u64::from(kind == EntryKind::File);
        }
        files == self.files
    }

    /// The side file's bytes: header, records, byte buffer.
    fn write_to(&self, id: &FileId, out: &mut impl Write) -> io::Result<()> {
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        for w in id.words() {
            header.extend_from_slice(&w.to_le_bytes());
        }
        for w in [
            self.len() as u64,
            self.bytes.len() as u64,
            self.files,
            self.checksum(),
        ] {
            header.extend_from_slice(&w.to_le_bytes());
        }
        out.write_all(&header)?;
        out.write_all(&self.records)?;
        out.write_all(&self.bytes)
    }
}

/// Builds [`Entries`] one entry at a time.
#[derive(Default)]
pub struct Builder {
    records: Vec<u8>,
    bytes: Vec<u8>,
    files: u64,
    /// Some entry did not come after the one before it in walk order.
    unordered: bool,
    last: Option<(usize, usize)>,
}

impl Builder {
    pub fn push_raw(&mut self, e: &RawEntry) {
        self.push(&e.path, e.kind, e.target.as_deref(), &e.meta, e.exact);
    }

    pub fn push(
        &mut self,
        path: &[u8],
        kind: EntryKind,
        target: Option<&[u8]>,
        meta: &Meta,
        exact: bool,
    ) {
        let off = self.bytes.len();
        if let Some((o, l)) = self.last {
            self.unordered |= walk_cmp(&self.bytes[o..o + l], path) != Ordering::Less;
        }
        self.bytes.extend_from_slice(path);
        let target_len = match target {
            Some(t) => {
                self.bytes.extend_from_slice(t);
                // A target of 4 GiB cannot exist (PATH_MAX); saturate rather than wrap.
                u32::try_from(t.len()).unwrap_or(NO_TARGET - 1)
            }
            None => NO_TARGET,
        };
        self.last = Some((off, path.len()));
        let r = &mut self.records;
        r.extend_from_slice(&(off as u64).to_le_bytes());
        r.extend_from_slice(&u32::try_from(path.len()).unwrap_or(0).to_le_bytes());
        r.extend_from_slice(&target_len.to_le_bytes());
        r.extend_from_slice(&[kind_code(kind), u8::from(exact), 0, 0, 0, 0, 0, 0]);
        r.extend_from_slice(&meta.mode.to_le_bytes());
        r.extend_from_slice(&meta.uid.to_le_bytes());
        r.extend_from_slice(&meta.gid.to_le_bytes());
        r.extend_from_slice(&0u32.to_le_bytes());
        for w in [
            meta.size,
            meta.mtime_s as u64,
            meta.mtime_ns as u64,
            meta.ctime_s as u64,
            meta.ctime_ns as u64,
            meta.dev,
            meta.ino,
        ] {
            r.extend_from_slice(&w.to_le_bytes());
        }
        self.files += u64::from(kind == EntryKind::File);
    }

    /// The entries in walk order (sorted here when they were not pushed in it).
    pub fn finish(mut self) -> Entries {
        self.records.shrink_to_fit();
        self.bytes.shrink_to_fit();
        let entries = Entries {
            records: self.records,
            bytes: self.bytes,
            files: self.files,
        };
        if !self.unordered {
            return entries;
        }
        let raw: Vec<RawEntry> = (0..entries.len())
            .map(|i| entries.get(i).to_raw())
            .collect();
        drop(entries);
        Entries::from_raw(raw)
    }
}

/// A word-at-a-time checksum of the records, the byte buffer and the file count: every
/// change of one 8-byte word changes it (each step is a bijection of its lane's running
/// value; four lanes, so the steps of neighbouring words do not wait for each other).
fn checksum(records: &[u8], bytes: &[u8], files: u64) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let step = |h: u64, w: u64| (h ^ w).wrapping_mul(K).rotate_left(31);
    let mut out = K ^ files;
    for part in [records, bytes] {
        let mut lanes = [K, K ^ 1, K ^ 2, K ^ 3];
        let mut mix = |b: &[u8; 32]| {
            lanes[0] = step(lanes[0], field!(u64, b, 0));
            lanes[1] = step(lanes[1], field!(u64, b, 8));
            lanes[2] = step(lanes[2], field!(u64, b, 16));
            lanes[3] = step(lanes[3], field!(u64, b, 24));
        };
        let mut blocks = part.chunks_exact(32);
        for b in &mut blocks {
            if let Ok(b) = <&[u8; 32]>::try_from(b) {
                mix(b);
            }
        }
        let mut tail = [0u8; 32];
        let rest = blocks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        mix(&tail);
        out = step(out, part.len() as u64);
        for lane in lanes {
            out = step(out, lane);
        }
    }
    out
}

/// Reads the side file at `path` when it was made from the manifest version `id` and passes
/// every check; `None` otherwise (missing, stale, torn, damaged).
pub fn read(path: &Path, id: &FileId) -> Option<Entries> {
    let mut file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    let mut header = [0u8; HEADER];
    file.read_exact(&mut header).ok()?;
    if &header[..16] != MAGIC {
        return None;
    }
    for (i, w) in id.words().iter().enumerate() {
        if u64_at(&header, 16 + i * 8) != *w {
            return None;
        }
    }
    let at = 16 + 7 * 8;
    let count = u64_at(&header, at);
    let bytes_len = u64_at(&header, at + 8);
    let files = u64_at(&header, at + 16);
    let sum = u64_at(&header, at + 24);
    let records_len = count.checked_mul(RECORD as u64)?;
    // The sizes must add up to the file's: nothing is allocated for a header that lies.
    if (HEADER as u64)
        .checked_add(records_len)?
        .checked_add(bytes_len)?
        != size
    {
        return None;
    }
    let mut records = vec![0u8; usize::try_from(records_len).ok()?];
    file.read_exact(&mut records).ok()?;
    let mut bytes = vec![0u8; usize::try_from(bytes_len).ok()?];
    file.read_exact(&mut bytes).ok()?;
    let entries = Entries {
        records,
        bytes,
        files,
    };
    (entries.checksum() == sum && entries.well_formed()).then_some(entries)
}

/// Writes the side file of the manifest version `id` at `path` (temporary file, rename).
pub fn write(path: &Path, id: &FileId, entries: &Entries) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let written = (|| {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        let mut out = io::BufWriter::with_capacity(1 << 16, file);
        entries.write_to(id, &mut out)?;
        out.flush()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The entries of the manifest at `manifest`: from its side file when that is current (see
/// the module documentation), else parsed from the text, after which the side file is
/// written for the next run (best effort). An error when the manifest cannot be read or
/// does not parse.
pub fn load(manifest: &Path) -> anyhow::Result<Entries> {
    let file = File::open(manifest)?;
    let id = FileId::of(&file.metadata()?);
    let side = path_for(manifest);
    if let Some(entries) = side.as_deref().and_then(|p| read(p, &id)) {
        return Ok(entries);
    }
    let mut builder = Builder::default();
    super::manifest::each_raw(file, manifest, |e| builder.push_raw(&e))?;
    let entries = builder.finish();
    // Only when the manifest is still the version that was read.
    let unchanged = std::fs::symlink_metadata(manifest).is_ok_and(|md| FileId::of(&md) == id);
    if let (Some(side), true) = (side, unchanged) {
        let _ = write(&side, &id, &entries);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::manifest::{parse_raw, read_raw};

    fn raw(path: &str, kind: EntryKind, size: u64) -> RawEntry {
        RawEntry {
            path: path.as_bytes().to_vec(),
            kind,
            target: (kind == EntryKind::Symlink).then(|| b"../t a%rget".to_vec()),
            meta: Meta {
                mode: 0o100644,
                uid: 1000,
                gid: 1000,
                size,
                mtime_s: 1_700_000_000,
                mtime_ns: 123_456_789,
                ctime_s: -5,
                ctime_ns: 7,
                dev: 64769,
                ino: size + 17,
            },
            exact: size != 3,
        }
    }

    fn sample() -> Vec<RawEntry> {
        vec![
            raw("a", EntryKind::Dir, 0),
            raw("a/x", EntryKind::File, 3),
            raw("a/y", EntryKind::Symlink, 0),
            raw("a-b", EntryKind::File, 4),
            raw("z", EntryKind::File, 5),
        ]
    }

    fn manifest_text(entries: &[RawEntry]) -> String {
        let mut text = format!("{}\n", super::super::manifest::HEADER);
        for e in entries {
            text.push_str(&super::super::manifest::format_entry(
                &e.path,
                e.kind,
                &e.meta,
                e.target.as_deref(),
                e.exact,
            ));
            text.push('\n');
        }
        text
    }

    #[test]
    fn entries_hold_exactly_what_the_manifest_lines_say() {
        let entries = Entries::from_raw(sample());
        assert_eq!(entries.len(), 5);
        assert_eq!(entries.files(), 3);
        let back: Vec<RawEntry> = (0..entries.len())
            .map(|i| entries.get(i).to_raw())
            .collect();
        assert_eq!(back, sample());
        assert_eq!(entries.find(b"a-b"), Some(3));
        assert_eq!(entries.find(b"a/z"), None);
        // Out of order and duplicated: sorted, first kept.
        let mut shuffled = sample();
        shuffled.reverse();
        let mut dup = raw("z", EntryKind::File, 99);
        dup.path = b"z".to_vec();
        shuffled.push(dup);
        let mut b = Builder::default();
        for e in &shuffled {
            b.push_raw(e);
        }
        let sorted = b.finish();
        let paths: Vec<&[u8]> = (0..sorted.len()).map(|i| sorted.path(i)).collect();
        assert_eq!(paths, vec![&b"a"[..], b"a/x", b"a/y", b"a-b", b"z"]);
        assert_eq!(sorted.len(), 5);
    }

    #[test]
    fn the_side_file_is_written_once_and_then_read_instead_of_the_text() {
        let tmp = tempfile::tempdir().expect("tmp");
        let manifest = tmp.path().join(".20260101-000000.manifest");
        std::fs::write(&manifest, manifest_text(&sample())).expect("write");
        let side = path_for(&manifest).expect("side");
        assert_eq!(side, tmp.path().join(".20260101-000000.index"));
        let first = load(&manifest).expect("load");
        assert!(side.is_file(), "written after the text was parsed");
        let parsed = read_raw(&manifest).expect("read");
        let from_text: Vec<RawEntry> = (0..first.len()).map(|i| first.get(i).to_raw()).collect();
        assert_eq!(from_text, parsed);
        let id = FileId::of(&std::fs::metadata(&manifest).expect("md"));
        let again = read(&side, &id).expect("the side file is current");
        assert_eq!(again, first);
        assert_eq!(load(&manifest).expect("load"), first);
    }

    #[test]
    fn a_stale_or_damaged_side_file_is_never_used() {
        let tmp = tempfile::tempdir().expect("tmp");
        let manifest = tmp.path().join(".20260101-000000.manifest");
        std::fs::write(&manifest, manifest_text(&sample())).expect("write");
        let entries = load(&manifest).expect("load");
        let side = path_for(&manifest).expect("side");
        let good = std::fs::read(&side).expect("read");
        let id = FileId::of(&std::fs::metadata(&manifest).expect("md"));
        assert!(read(&side, &id).is_some());
        // Another version of the manifest (same bytes, but rewritten: a new ctime or inode).
        let other = FileId {
            ctime_ns: id.ctime_ns + 1,
            ..id
        };
        assert!(read(&side, &other).is_none());
        let other = FileId {
            ino: id.ino + 1,
            ..id
        };
        assert!(read(&side, &other).is_none());
        // One byte of one record changed (the size of `a/x`), checksum left as it was.
        let mut damaged = good.clone();
        damaged[HEADER + RECORD + 40] ^= 1;
        std::fs::write(&side, &damaged).expect("write");
        assert!(read(&side, &id).is_none());
        // Torn: cut short, or zeros where the data was.
        std::fs::write(&side, &good[..good.len() - 1]).expect("write");
        assert!(read(&side, &id).is_none());
        let mut zeroed = good.clone();
        for b in &mut zeroed[HEADER..] {
            *b = 0;
        }
        std::fs::write(&side, &zeroed).expect("write");
        assert!(read(&side, &id).is_none());
        std::fs::write(&side, b"garbage").expect("write");
        assert!(read(&side, &id).is_none());
        // A header whose sizes lie is rejected before anything is allocated.
        let mut lying = good.clone();
        lying[16 + 7 * 8..16 + 8 * 8].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&side, &lying).expect("write");
        assert!(read(&side, &id).is_none());
        // Whatever the side file holds, load gives the manifest's entries (and repairs it).
        std::fs::write(&side, &damaged).expect("write");
        assert_eq!(load(&manifest).expect("load"), entries);
        assert!(read(&side, &id).is_some(), "written again");
    }

    #[test]
    fn records_out_of_walk_order_are_rejected_even_with_a_right_checksum() {
        let tmp = tempfile::tempdir().expect("tmp");
        let manifest = tmp.path().join(".n.manifest");
        std::fs::write(&manifest, manifest_text(&sample())).expect("write");
        let id = FileId::of(&std::fs::metadata(&manifest).expect("md"));
        let entries = Entries::from_raw(sample());
        // Swap two records and recompute the checksum: well-formed bytes, wrong order.
        let mut bad = entries.clone();
        let (a, b) = (RECORD, 2 * RECORD);
        let first: Vec<u8> = bad.records[a..b].to_vec();
        let second: Vec<u8> = bad.records[b..b + RECORD].to_vec();
        bad.records[a..b].copy_from_slice(&second);
        bad.records[b..b + RECORD].copy_from_slice(&first);
        let side = path_for(&manifest).expect("side");
        write(&side, &id, &bad).expect("write");
        assert!(read(&side, &id).is_none());
        write(&side, &id, &entries).expect("write");
        assert_eq!(read(&side, &id), Some(entries));
        // A line the text reader takes is what the side file holds, byte for byte.
        let line = super::super::manifest::format_entry(
            b"a/y",
            EntryKind::Symlink,
            &sample()[2].meta,
            Some(b"../t a%rget"),
            true,
        );
        assert_eq!(parse_raw(line.as_bytes()).expect("parse"), sample()[2]);
    }
}
