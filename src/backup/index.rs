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

/// Record `i` of the record buffer `records` (all zeros past its end).
fn record_at(records: &[u8], i: usize) -> &[u8; RECORD] {
    let at = i * RECORD;
    match records.get(at..at + RECORD).map(<&[u8; RECORD]>::try_from) {
        Some(Ok(r)) => r,
        _ => &[0; RECORD],
    }
}

/// The path of the record `r`, whose byte buffer starts at offset `base` of the side
/// file's byte buffer and is `bytes` (empty when the record points elsewhere).
fn path_of<'a>(r: &[u8; RECORD], bytes: &'a [u8], base: u64) -> &'a [u8] {
    let len = field!(u32, r, 8) as u64;
    field!(u64, r, 0)
        .checked_sub(base)
        .and_then(|off| usize::try_from(off).ok())
        .and_then(|off| bytes.get(off..off.saturating_add(len as usize)))
        .unwrap_or(&[])
}

/// The entry of the record `r` (see [`path_of`] for `bytes` and `base`).
fn entry_of<'a>(r: &[u8; RECORD], bytes: &'a [u8], base: u64) -> Entry<'a> {
    let path = path_of(r, bytes, base);
    let target_len = field!(u32, r, 12);
    let target = (target_len != NO_TARGET).then(|| {
        let end = field!(u64, r, 0)
            .saturating_sub(base)
            .saturating_add(u64::from(field!(u32, r, 8)));
        usize::try_from(end)
            .ok()
            .and_then(|end| bytes.get(end..end.saturating_add(target_len as usize)))
            .unwrap_or(&[])
    });
    Entry {
        path,
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
        record_at(&self.records, i)
    }

    /// The path of entry `i` (empty past the end).
    pub fn path(&self, i: usize) -> &[u8] {
        path_of(self.record(i), &self.bytes, 0)
    }

    pub fn get(&self, i: usize) -> Entry<'_> {
        entry_of(self.record(i), &self.bytes, 0)
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

/// One record: the path at `off` of the byte buffer (`path_len` bytes, the target's
/// `target_len` right after it, [`NO_TARGET`] without one).
fn encode(
    off: u64,
    path_len: usize,
    target_len: u32,
    kind: EntryKind,
    meta: &Meta,
    exact: bool,
) -> [u8; RECORD] {
    let mut r = [0u8; RECORD];
    r[0..8].copy_from_slice(&off.to_le_bytes());
    r[8..12].copy_from_slice(&u32::try_from(path_len).unwrap_or(0).to_le_bytes());
    r[12..16].copy_from_slice(&target_len.to_le_bytes());
    r[16] = kind_code(kind);
    r[17] = u8::from(exact);
    r[24..28].copy_from_slice(&meta.mode.to_le_bytes());
    r[28..32].copy_from_slice(&meta.uid.to_le_bytes());
    r[32..36].copy_from_slice(&meta.gid.to_le_bytes());
    let words = [
        meta.size,
        meta.mtime_s as u64,
        meta.mtime_ns as u64,
        meta.ctime_s as u64,
        meta.ctime_ns as u64,
        meta.dev,
        meta.ino,
    ];
    for (k, w) in words.iter().enumerate() {
        r[40 + k * 8..48 + k * 8].copy_from_slice(&w.to_le_bytes());
    }
    r
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
        self.records.extend_from_slice(&encode(
            off as u64,
            path.len(),
            target_len,
            kind,
            meta,
            exact,
        ));
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
    let mut r = Lanes::new();
    r.feed(records);
    let mut b = Lanes::new();
    b.feed(bytes);
    combine(files, r, b)
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

fn step(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(K).rotate_left(31)
}

/// The running checksum of one part (records or byte buffer), fed in pieces of any size:
/// the same value as over the part in one piece.
struct Lanes {
    lanes: [u64; 4],
    block: [u8; 32],
    filled: usize,
    len: u64,
}

impl Lanes {
    fn new() -> Lanes {
        Lanes {
            lanes: [K, K ^ 1, K ^ 2, K ^ 3],
            block: [0; 32],
            filled: 0,
            len: 0,
        }
    }

    fn mix(&mut self, b: &[u8; 32]) {
        self.lanes[0] = step(self.lanes[0], field!(u64, b, 0));
        self.lanes[1] = step(self.lanes[1], field!(u64, b, 8));
        self.lanes[2] = step(self.lanes[2], field!(u64, b, 16));
        self.lanes[3] = step(self.lanes[3], field!(u64, b, 24));
    }

    fn feed(&mut self, mut part: &[u8]) {
        self.len += part.len() as u64;
        if self.filled > 0 {
            let take = (32 - self.filled).min(part.len());
            self.block[self.filled..self.filled + take].copy_from_slice(&part[..take]);
            self.filled += take;
            part = &part[take..];
            if self.filled < 32 {
                return;
            }
            let block = self.block;
            self.mix(&block);
            self.filled = 0;
        }
        let mut blocks = part.chunks_exact(32);
        for b in &mut blocks {
            if let Ok(b) = <&[u8; 32]>::try_from(b) {
                self.mix(b);
            }
        }
        let rest = blocks.remainder();
        self.block[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    /// The tail (zero-padded, mixed even when empty) and the lanes folded into `out`.
    fn fold(mut self, out: u64) -> u64 {
        let mut tail = [0u8; 32];
        tail[..self.filled].copy_from_slice(&self.block[..self.filled]);
        self.mix(&tail);
        let mut out = step(out, self.len);
        for lane in self.lanes {
            out = step(out, lane);
        }
        out
    }
}

fn combine(files: u64, records: Lanes, bytes: Lanes) -> u64 {
    bytes.fold(records.fold(K ^ files))
}

/// What a side file's header says: entries, byte buffer length, regular files, checksum.
struct Header {
    count: u64,
    bytes_len: u64,
    files: u64,
    sum: u64,
}

/// Reads and checks the header of the side file `file`: the magic, the manifest version
/// `id`, and sizes that add up to the file's (nothing is allocated for a header that lies).
fn header_of(file: &mut File, id: &FileId) -> Option<Header> {
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
    let h = Header {
        count: u64_at(&header, at),
        bytes_len: u64_at(&header, at + 8),
        files: u64_at(&header, at + 16),
        sum: u64_at(&header, at + 24),
    };
    let records_len = h.count.checked_mul(RECORD as u64)?;
    if (HEADER as u64)
        .checked_add(records_len)?
        .checked_add(h.bytes_len)?
        != size
    {
        return None;
    }
    Some(h)
}

/// Reads the side file at `path` when it was made from the manifest version `id` and passes
/// every check; `None` otherwise (missing, stale, torn, damaged).
pub fn read(path: &Path, id: &FileId) -> Option<Entries> {
    let mut file = File::open(path).ok()?;
    let h = header_of(&mut file, id)?;
    let mut records = vec![0u8; usize::try_from(h.count.checked_mul(RECORD as u64)?).ok()?];
    file.read_exact(&mut records).ok()?;
    let mut bytes = vec![0u8; usize::try_from(h.bytes_len).ok()?];
    file.read_exact(&mut bytes).ok()?;
    let entries = Entries {
        records,
        bytes,
        files: h.files,
    };
    (entries.checksum() == h.sum && entries.well_formed()).then_some(entries)
}

/// A side file read as it is used, a chunk at a time, never whole: the entries of a
/// million-file snapshot are about 140 MB, more than the whole engine may hold.
///
/// Opening checks the header only (magic, manifest version, sizes). The rest is checked
/// by [`Stream::verify`], which reads the file once from end to end (checksum, records,
/// strict walk order, and byte offsets that follow each other exactly, as every side file
/// is written); what was found through a [`StreamCursor`] counts only once `verify`
/// said yes. The file is read with `pread` (no mapping: mapped pages would count in the
/// process's memory too).
#[derive(Debug)]
pub struct Stream {
    file: File,
    count: usize,
    files: u64,
    bytes_len: u64,
    sum: u64,
}

/// Records per chunk a cursor reads at once (48 KiB).
const CHUNK: usize = 512;
/// A chunk whose paths and targets take more than this is damaged (paths and targets are
/// at most 4 KiB each).
const CHUNK_BYTES_MAX: u64 = (CHUNK as u64) * 2 * 4096 + 4096;

impl Stream {
    /// Opens the side file at `path` when its header names the manifest version `id`.
    pub fn open(path: &Path, id: &FileId) -> Option<Stream> {
        let mut file = File::open(path).ok()?;
        let h = header_of(&mut file, id)?;
        Some(Stream {
            file,
            count: usize::try_from(h.count).ok()?,
            files: h.files,
            bytes_len: h.bytes_len,
            sum: h.sum,
        })
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many entries are regular files (as the header says; see [`Stream::verify`]).
    pub fn files(&self) -> u64 {
        self.files
    }

    fn bytes_at(&self) -> u64 {
        HEADER as u64 + (self.count as u64) * RECORD as u64
    }

    /// Reads the whole file once, in chunks: true when the checksum matches, every record is
    /// well-formed, the paths are in strict walk order, each path and target follows the one
    /// before it in the byte buffer, and the file count is right.
    pub fn verify(&self) -> bool {
        let records_len = self.count as u64 * RECORD as u64;
        let mut records = Chunks::new(&self.file, HEADER as u64, records_len);
        let mut bytes = Chunks::new(&self.file, self.bytes_at(), self.bytes_len);
        let mut prev: Vec<u8> = Vec::new();
        let mut running = 0u64;
        let mut files = 0u64;
        for i in 0..self.count {
            let Some(r) = records
                .take(RECORD)
                .and_then(|r| <&[u8; RECORD]>::try_from(r).ok())
            else {
                return false;
            };
            let Some(kind) = kind_of(r[16]) else {
                return false;
            };
            if r[17] > 1 || r[18..24].iter().any(|b| *b != 0) {
                return false;
            }
            let len = u64::from(field!(u32, r, 8));
            let target_len = field!(u32, r, 12);
            let extra = if target_len == NO_TARGET {
                0
            } else {
                u64::from(target_len)
            };
            if field!(u64, r, 0) != running
                || len == 0
                || (kind == EntryKind::Symlink) != (target_len != NO_TARGET)
                || running + len + extra > self.bytes_len
            {
                return false;
            }
            files += u64::from(kind == EntryKind::File);
            running += len + extra;
            let Some(cur) = bytes.take((len + extra) as usize) else {
                return false;
            };
            let cur = &cur[..len as usize];
            if i > 0 && walk_cmp(&prev, cur) != Ordering::Less {
                return false;
            }
            prev.clear();
            prev.extend_from_slice(cur);
        }
        running == self.bytes_len
            && files == self.files
            && records.done()
            && bytes.done()
            && combine(files, records.lanes, bytes.lanes) == self.sum
    }

    /// A cursor at the first entry.
    pub fn cursor(&self) -> StreamCursor<'_> {
        StreamCursor {
            stream: self,
            first: 0,
            records: Vec::new(),
            bytes: Vec::new(),
            base: 0,
            pos: 0,
            scratch: Vec::new(),
            broken: false,
        }
    }
}

/// Sequential reads of one region of a file through a buffer of at least 64 KiB, with the
/// checksum of everything read, fed a buffer at a time.
struct Chunks<'f> {
    file: &'f File,
    at: u64,
    end: u64,
    /// `buf[start..valid]` is read and not taken yet (the buffer is only ever grown).
    buf: Vec<u8>,
    start: usize,
    valid: usize,
    lanes: Lanes,
}

impl<'f> Chunks<'f> {
    fn new(file: &'f File, at: u64, len: u64) -> Chunks<'f> {
        Chunks {
            file,
            at,
            end: at.saturating_add(len),
            buf: Vec::new(),
            start: 0,
            valid: 0,
            lanes: Lanes::new(),
        }
    }

    /// The next `n` bytes of the region (`None` past its end or on a read error).
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        use std::os::unix::fs::FileExt;
        if self.valid - self.start < n {
            let left = self.end - self.at;
            let have = self.valid - self.start;
            let want = ((n - have) as u64).max(1 << 16).min(left) as usize;
            if have + want < n {
                return None;
            }
            self.buf.copy_within(self.start..self.valid, 0);
            self.start = 0;
            self.valid = have;
            if self.buf.len() < have + want {
                self.buf.resize(have + want, 0);
            }
            let fresh = &mut self.buf[have..have + want];
            self.file.read_exact_at(fresh, self.at).ok()?;
            self.lanes.feed(fresh);
            self.valid += want;
            self.at += want as u64;
        }
        let out = &self.buf[self.start..self.start + n];
        self.start += n;
        Some(out)
    }

    /// Whether the whole region was read and taken.
    fn done(&self) -> bool {
        self.at == self.end && self.start == self.valid
    }
}

/// A position in a [`Stream`], advanced as a tree is visited in walk order: the same
/// answers as a walk-order cursor over the entries in memory (only an entry whose path is
/// byte for byte the one asked for is returned), reading a chunk of records at a time.
/// A path far ahead (another thread walked the folders between) or behind is found by a
/// binary search over the file.
pub struct StreamCursor<'s> {
    stream: &'s Stream,
    /// The index of the chunk's first record.
    first: usize,
    records: Vec<u8>,
    bytes: Vec<u8>,
    /// Where `bytes` starts in the side file's byte buffer.
    base: u64,
    /// The next entry to look at.
    pos: usize,
    scratch: Vec<u8>,
    /// A chunk that cannot be read (a damaged file: [`Stream::verify`] says no).
    broken: bool,
}

impl StreamCursor<'_> {
    fn chunk_end(&self) -> usize {
        self.first + self.records.len() / RECORD
    }

    fn record_in_chunk(&self, i: usize) -> &[u8; RECORD] {
        record_at(&self.records, i - self.first)
    }

    fn in_chunk(&self, i: usize) -> bool {
        i >= self.first && i < self.chunk_end()
    }

    /// Reads the chunk that starts at entry `at`.
    fn load(&mut self, at: usize) {
        use std::os::unix::fs::FileExt;
        let s = self.stream;
        let n = CHUNK.min(s.count.saturating_sub(at));
        self.first = at;
        // Resized, not cleared: only growth is zero-filled (the bytes are read over).
        self.records.resize(n * RECORD, 0);
        if n == 0 {
            self.bytes.clear();
            return;
        }
        let at_file = HEADER as u64 + at as u64 * RECORD as u64;
        if s.file.read_exact_at(&mut self.records, at_file).is_err() {
            return self.fail();
        }
        let mut lo = u64::MAX;
        let mut hi = 0u64;
        for i in 0..n {
            let r = self.record_in_chunk(at + i);
            let off = field!(u64, r, 0);
            let t = field!(u32, r, 12);
            let extra = if t == NO_TARGET { 0 } else { u64::from(t) };
            let end = off
                .saturating_add(u64::from(field!(u32, r, 8)))
                .saturating_add(extra);
            lo = lo.min(off);
            hi = hi.max(end);
        }
        if hi < lo || hi - lo > CHUNK_BYTES_MAX || hi > s.bytes_len {
            return self.fail();
        }
        self.base = lo;
        self.bytes.resize((hi - lo) as usize, 0);
        if s.file
            .read_exact_at(&mut self.bytes, s.bytes_at() + lo)
            .is_err()
        {
            self.fail();
        }
    }

    fn fail(&mut self) {
        self.broken = true;
        self.records.clear();
        self.bytes.clear();
    }

    /// Compares entry `i`'s path with `path` (reading it from the file when it is not in
    /// the chunk).
    fn cmp_at(&mut self, i: usize, path: &[u8]) -> Ordering {
        use std::os::unix::fs::FileExt;
        if self.in_chunk(i) {
            return walk_cmp(
                path_of(self.record_in_chunk(i), &self.bytes, self.base),
                path,
            );
        }
        let s = self.stream;
        let mut r = [0u8; RECORD];
        let at_file = HEADER as u64 + i as u64 * RECORD as u64;
        if s.file.read_exact_at(&mut r, at_file).is_err() {
            self.broken = true;
            return Ordering::Greater;
        }
        let off = field!(u64, r, 0);
        let len = u64::from(field!(u32, r, 8));
        if off.saturating_add(len) > s.bytes_len {
            self.broken = true;
            return Ordering::Greater;
        }
        self.scratch.resize(len as usize, 0);
        if s.file
            .read_exact_at(&mut self.scratch, s.bytes_at() + off)
            .is_err()
        {
            self.broken = true;
            return Ordering::Greater;
        }
        walk_cmp(&self.scratch, path)
    }

    /// The first entry in `lo..hi` whose path is not before `path`.
    fn lower_bound(&mut self, mut lo: usize, mut hi: usize, path: &[u8]) -> usize {
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.cmp_at(mid, path) == Ordering::Less {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The entry at `path`, if the side file has one; the cursor moves past it.
    pub fn find(&mut self, path: &[u8]) -> Option<Entry<'_>> {
        let count = self.stream.count;
        if self.pos > 0 && self.cmp_at(self.pos - 1, path) != Ordering::Less {
            // Behind the cursor.
            self.pos = self.lower_bound(0, self.pos, path);
        }
        loop {
            if self.broken || self.pos >= count {
                return None;
            }
            if !self.in_chunk(self.pos) {
                self.load(self.pos);
                let last = self.chunk_end().saturating_sub(1);
                if last > self.pos && self.cmp_at(last, path) == Ordering::Less {
                    // Far ahead: search the rest instead of reading it.
                    self.pos = self.lower_bound(last + 1, count, path);
                    continue;
                }
            }
            match self.cmp_at(self.pos, path) {
                // Entries of folders another thread walked: searched over, not stepped.
                Ordering::Less => self.pos = self.lower_bound(self.pos + 1, self.chunk_end(), path),
                Ordering::Greater => return None,
                Ordering::Equal => {
                    self.pos += 1;
                    let r = self.record_in_chunk(self.pos - 1);
                    return Some(entry_of(r, &self.bytes, self.base));
                }
            }
        }
    }

    /// Whether the side file holds `path` (the cursor moves as [`StreamCursor::find`]).
    pub fn holds(&mut self, path: &[u8]) -> bool {
        self.find(path).is_some()
    }
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

/// The side file of the manifest at `manifest`, opened for streaming, when its header
/// names the manifest as it is now (the rest is checked by [`Stream::verify`]).
pub fn open_current(manifest: &Path) -> Option<Stream> {
    let id = FileId::of(&std::fs::metadata(manifest).ok()?);
    Stream::open(&path_for(manifest)?, &id)
}

/// Makes the side file of the manifest at `manifest` from its text, a line at a time (the
/// entries are never all in memory), and opens it. `None` when the manifest cannot be read
/// or parsed, is not in strict walk order (then [`load`] sorts it in memory), changed while
/// it was read, or the side file cannot be written.
pub fn convert(manifest: &Path) -> Option<Stream> {
    use std::io::{Seek, SeekFrom};
    use std::os::unix::fs::FileExt;
    let file = File::open(manifest).ok()?;
    let id = FileId::of(&file.metadata().ok()?);
    let side = path_for(manifest)?;
    let mut tmp = side.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut bytes_tmp = tmp.as_os_str().to_os_string();
    bytes_tmp.push("-bytes");
    let bytes_tmp = PathBuf::from(bytes_tmp);
    let made = (|| -> Option<()> {
        let out = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .ok()?;
        // The path bytes go to a file of their own (unlinked at once), appended after the
        // records at the end.
        let mut bytes_file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&bytes_tmp)
            .ok()?;
        std::fs::remove_file(&bytes_tmp).ok()?;
        let mut records = io::BufWriter::with_capacity(1 << 16, &out);
        records.write_all(&[0u8; HEADER]).ok()?;
        let mut bytes = io::BufWriter::with_capacity(1 << 16, &bytes_file);
        let (mut rsum, mut bsum) = (Lanes::new(), Lanes::new());
        let (mut count, mut files, mut running) = (0u64, 0u64, 0u64);
        let mut last: Vec<u8> = Vec::new();
        let mut failed = false;
        super::manifest::each_raw(file, manifest, |e| {
            if failed || (count > 0 && walk_cmp(&last, &e.path) != Ordering::Less) {
                failed = true;
                return;
            }
            let target_len = match &e.target {
                Some(t) => u32::try_from(t.len()).unwrap_or(NO_TARGET - 1),
                None => NO_TARGET,
            };
            let r = encode(running, e.path.len(), target_len, e.kind, &e.meta, e.exact);
            rsum.feed(&r);
            bsum.feed(&e.path);
            let target = e.target.as_deref().unwrap_or(&[]);
            bsum.feed(target);
            failed |= records.write_all(&r).is_err()
                || bytes.write_all(&e.path).is_err()
                || bytes.write_all(target).is_err();
            running += (e.path.len() + target.len()) as u64;
            count += 1;
            files += u64::from(e.kind == EntryKind::File);
            last.clear();
            last.extend_from_slice(&e.path);
        })
        .ok()?;
        if failed {
            return None;
        }
        records.flush().ok()?;
        drop(records);
        bytes.flush().ok()?;
        drop(bytes);
        bytes_file.seek(SeekFrom::Start(0)).ok()?;
        let mut tail = &out;
        (&mut tail).seek(SeekFrom::End(0)).ok()?;
        io::copy(&mut bytes_file, &mut tail).ok()?;
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        for w in id.words() {
            header.extend_from_slice(&w.to_le_bytes());
        }
        for w in [count, running, files, combine(files, rsum, bsum)] {
            header.extend_from_slice(&w.to_le_bytes());
        }
        out.write_all_at(&header, 0).ok()?;
        // Only when the manifest is still the version that was read.
        let md = std::fs::metadata(manifest).ok()?;
        (FileId::of(&md) == id).then_some(())?;
        std::fs::rename(&tmp, &side).ok()
    })();
    if made.is_none() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&bytes_tmp);
        return None;
    }
    Stream::open(&side, &id)
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

    /// Many entries (several chunks), in a tree of folders with files and symlinks.
    fn many(n: usize) -> Vec<RawEntry> {
        let mut out = Vec::new();
        for d in 0..n / 50 {
            out.push(raw(&format!("d{d:03}"), EntryKind::Dir, 0));
            for f in 0..49 {
                let kind = if f % 7 == 0 {
                    EntryKind::Symlink
                } else {
                    EntryKind::File
                };
                out.push(raw(&format!("d{d:03}/f{f:02}"), kind, (d * 50 + f) as u64));
            }
        }
        out
    }

    #[test]
    fn a_stream_cursor_finds_what_the_entries_in_memory_find_in_any_order() {
        let tmp = tempfile::tempdir().expect("tmp");
        let manifest = tmp.path().join(".n.manifest");
        std::fs::write(&manifest, "x").expect("write");
        let id = FileId::of(&std::fs::metadata(&manifest).expect("md"));
        let entries = Entries::from_raw(many(5000));
        let side = path_for(&manifest).expect("side");
        write(&side, &id, &entries).expect("write");
        let stream = Stream::open(&side, &id).expect("open");
        assert!(stream.verify());
        assert_eq!(
            (stream.len(), stream.files()),
            (entries.len(), entries.files())
        );
        let paths: Vec<Vec<u8>> = (0..entries.len())
            .map(|i| entries.path(i).to_vec())
            .collect();
        // In walk order, with paths that are not there in between.
        let mut c = stream.cursor();
        for (i, p) in paths.iter().enumerate() {
            let mut missing = p.clone();
            missing.push(b'~');
            assert!(c.find(&missing).is_none());
            assert_eq!(c.find(p), Some(entries.get(i)), "{i}");
        }
        // Backwards, and jumping: every answer is the one in memory.
        let mut c = stream.cursor();
        for i in (0..paths.len()).rev().step_by(3) {
            assert_eq!(c.find(&paths[i]), Some(entries.get(i)));
        }
        let mut c = stream.cursor();
        for k in 0..paths.len() {
            let i = (k * 7919) % paths.len();
            assert_eq!(c.find(&paths[i]), Some(entries.get(i)));
            assert!(!c.holds(b"zzz"));
        }
        // Damaged anywhere: verify says no.
        let good = std::fs::read(&side).expect("read");
        for at in [HEADER + 3, HEADER + 700 * RECORD + 40, good.len() - 2] {
            let mut bad = good.clone();
            bad[at] ^= 4;
            std::fs::write(&side, &bad).expect("write");
            let s = Stream::open(&side, &id).expect("open");
            assert!(!s.verify(), "{at}");
        }
        // Out of walk order with a right checksum: no.
        let mut swapped = entries.clone();
        let (a, b) = (10 * RECORD, 11 * RECORD);
        let first: Vec<u8> = swapped.records[a..b].to_vec();
        let second: Vec<u8> = swapped.records[b..b + RECORD].to_vec();
        swapped.records[a..b].copy_from_slice(&second);
        swapped.records[b..b + RECORD].copy_from_slice(&first);
        write(&side, &id, &swapped).expect("write");
        assert!(!Stream::open(&side, &id).expect("open").verify());
        // Another manifest version: not opened.
        write(&side, &id, &entries).expect("write");
        let other = FileId {
            ino: id.ino + 1,
            ..id
        };
        assert!(Stream::open(&side, &other).is_none());
    }

    #[test]
    fn a_side_file_made_a_line_at_a_time_is_the_one_made_in_memory() {
        let tmp = tempfile::tempdir().expect("tmp");
        let manifest = tmp.path().join(".n.manifest");
        std::fs::write(&manifest, manifest_text(&many(3000))).expect("write");
        let side = path_for(&manifest).expect("side");
        let stream = convert(&manifest).expect("convert");
        assert!(stream.verify());
        let streamed = std::fs::read(&side).expect("read");
        std::fs::remove_file(&side).expect("rm");
        let in_memory = load(&manifest).expect("load");
        assert_eq!(std::fs::read(&side).expect("read"), streamed);
        assert_eq!(in_memory.len(), 3000 / 50 * 50);
        // Nothing left behind but the side file.
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        // Out of walk order: not converted (load sorts it), and no file is left.
        std::fs::remove_file(&side).expect("rm");
        let mut shuffled = many(100);
        shuffled.swap(3, 60);
        std::fs::write(&manifest, manifest_text(&shuffled)).expect("write");
        assert!(convert(&manifest).is_none());
        assert!(!side.exists());
        assert_eq!(std::fs::read_dir(tmp.path()).expect("ls").count(), 1);
    }
}
