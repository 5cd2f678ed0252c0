//! The per-snapshot manifest: what a snapshot holds, with the *source* metadata each entry had
//! when it was captured, so the next run decides "changed?" from one walk of the source.
//!
//! It lives next to the snapshot, outside the browsable tree, as `<dest>/.<name>.manifest`
//! (a hidden file: the original's tools only look at sub-directories of `<dest>`). Format
//! (UTF-8 text, one entry per line, pre-order, parents before children):
//!
//! ```text
//! agsekit-manifest 1 [seq=<n>] [legacy-upto=<name>]
//! <kind> <mode> <uid> <gid> <size> <mtime> <ctime> <dev> <ino> <path> [<target>]
//! ```
//!
//! The header's optional fields place the snapshot in its chain ([`super::chain`]): `seq` is
//! one more than the largest sequence in the chain when it was written (the clock can go back,
//! a sequence cannot); `legacy-upto` is the greatest name among the snapshots without a
//! sequence (made by 1.7.4) that existed then, all of which are older. Readers ignore fields
//! they do not know.
//!
//! `kind` is `f` (file), `d` (directory) or `l` (symlink); `mode` is the full `st_mode` in
//! octal; `mtime`/`ctime` are `seconds.nanoseconds` (`ctime` is `-` when the file changed
//! while it was copied, which forces a copy next time); `path` is relative to the snapshot
//! root and, like a symlink's `target`, escaped: bytes that are not printable UTF-8, a space
//! or `%` are written as `%XX`.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufWriter, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::fsx::Meta;

pub const HEADER: &str = "agsekit-manifest 1";

/// Where a snapshot stands in its chain, from its manifest's header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainPlace {
    /// Written in this order: larger is newer, whatever the names say.
    pub seq: Option<u64>,
    /// Every snapshot without a sequence named up to this existed before this one.
    pub legacy_upto: Option<String>,
}

impl ChainPlace {
    /// The header line (without its newline).
    pub fn header(&self) -> String {
        let mut line = HEADER.to_string();
        if let Some(seq) = self.seq {
            line.push_str(&format!(" seq={seq}"));
        }
        if let Some(name) = self.legacy_upto.as_deref().filter(|n| is_token(n)) {
            line.push_str(&format!(" legacy-upto={name}"));
        }
        line
    }

    /// Parses a header line; `None` when it is not a manifest header.
    pub fn parse(line: &[u8]) -> Option<ChainPlace> {
        let text = std::str::from_utf8(line).ok()?;
        let rest = text.strip_prefix(HEADER)?;
        if !rest.is_empty() && !rest.starts_with(' ') {
            return None;
        }
        let mut place = ChainPlace::default();
        for field in rest.split(' ').filter(|f| !f.is_empty()) {
            match field.split_once('=') {
                Some(("seq", v)) => place.seq = v.parse().ok(),
                Some(("legacy-upto", v)) if is_token(v) => place.legacy_upto = Some(v.into()),
                _ => {}
            }
        }
        Some(place)
    }
}

fn is_token(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_graphic())
}

/// Reads only the header of a manifest (what [`super::chain::list_snapshots`] needs).
pub fn read_place(path: &Path) -> Option<ChainPlace> {
    use std::io::{BufRead, Read};
    let file = File::open(path).ok()?;
    let mut line = Vec::new();
    io::BufReader::new(file.take(512))
        .read_until(b'\n', &mut line)
        .ok()?;
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    ChainPlace::parse(&line)
}

/// What kind of entry a manifest line describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
}

/// One manifest line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Relative to the snapshot root.
    pub path: PathBuf,
    pub kind: EntryKind,
    /// A symlink's target, verbatim.
    pub target: Option<OsString>,
    /// Source metadata at capture time.
    pub meta: Meta,
    /// False when the file changed while it was copied (its content may be torn).
    pub exact: bool,
}

/// Escapes bytes for a manifest field.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '%' || c == ' ' || c.is_control() {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`escape`].
pub fn unescape(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn kind_char(kind: EntryKind) -> char {
    match kind {
        EntryKind::File => 'f',
        EntryKind::Dir => 'd',
        EntryKind::Symlink => 'l',
    }
}

/// Formats one entry line (without the newline).
pub fn format_entry(
    path: &[u8],
    kind: EntryKind,
    meta: &Meta,
    target: Option<&[u8]>,
    exact: bool,
) -> String {
    let ctime = if exact {
        format!("{}.{:09}", meta.ctime_s, meta.ctime_ns)
    } else {
        "-".to_string()
    };
    let mut line = format!(
        "{} {:o} {} {} {} {}.{:09} {} {} {} {}",
        kind_char(kind),
        meta.mode,
        meta.uid,
        meta.gid,
        meta.size,
        meta.mtime_s,
        meta.mtime_ns,
        ctime,
        meta.dev,
        meta.ino,
        escape(path)
    );
    if let Some(t) = target {
        line.push(' ');
        line.push_str(&escape(t));
    }
    line
}

/// A manifest line with its path as raw bytes (what the planner indexes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry {
    pub path: Vec<u8>,
    pub kind: EntryKind,
    pub target: Option<Vec<u8>>,
    pub meta: Meta,
    pub exact: bool,
}

/// A decimal number as the writer prints it: digits only (no sign, no `+`), at most 20 of
/// them, no overflow of `T`. Read byte by byte: this runs ten times per line of a
/// 100,000-line manifest on every snapshot check.
fn num<T: TryFrom<u64>>(field: &[u8]) -> Option<T> {
    if field.is_empty() || field.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in field {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
    }
    T::try_from(value).ok()
}

/// A signed decimal number (`-` allowed first, for times before 1970).
fn signed(field: &[u8]) -> Option<i64> {
    match field.split_first() {
        Some((b'-', rest)) => num::<u64>(rest).and_then(|v| 0i64.checked_sub_unsigned(v)),
        _ => num(field),
    }
}

fn parse_time(field: &[u8]) -> Option<(i64, i64)> {
    let dot = field.iter().position(|b| *b == b'.')?;
    Some((signed(&field[..dot])?, signed(&field[dot + 1..])?))
}

fn unescape_bytes(field: &[u8]) -> Option<Vec<u8>> {
    if field.contains(&b'%') {
        unescape(std::str::from_utf8(field).ok()?)
    } else {
        Some(field.to_vec())
    }
}

/// Parses one entry line (without its newline).
pub fn parse_raw(line: &[u8]) -> Option<RawEntry> {
    let mut f = line.split(|b| *b == b' ');
    let kind = match f.next()? {
        b"f" => EntryKind::File,
        b"d" => EntryKind::Dir,
        b"l" => EntryKind::Symlink,
        _ => return None,
    };
    let mode = u32::from_str_radix(std::str::from_utf8(f.next()?).ok()?, 8).ok()?;
    let uid = num(f.next()?)?;
    let gid = num(f.next()?)?;
    let size = num(f.next()?)?;
    let (mtime_s, mtime_ns) = parse_time(f.next()?)?;
    let ctime_field = f.next()?;
    let (exact, (ctime_s, ctime_ns)) = if ctime_field == b"-" {
        (false, (0, 0))
    } else {
        (true, parse_time(ctime_field)?)
    };
    let dev = num(f.next()?)?;
    let ino = num(f.next()?)?;
    let path = unescape_bytes(f.next()?)?;
    let target = match f.next() {
        Some(t) => Some(unescape_bytes(t)?),
        None => None,
    };
    if path.is_empty() || f.next().is_some() || (kind == EntryKind::Symlink) != target.is_some() {
        return None;
    }
    Some(RawEntry {
        path,
        kind,
        target,
        meta: Meta {
            mode,
            uid,
            gid,
            size,
            mtime_s,
            mtime_ns,
            ctime_s,
            ctime_ns,
            dev,
            ino,
        },
        exact,
    })
}

/// Parses one entry line.
pub fn parse_entry(line: &str) -> Option<ManifestEntry> {
    parse_raw(line.as_bytes()).map(ManifestEntry::from)
}

impl From<RawEntry> for ManifestEntry {
    fn from(r: RawEntry) -> ManifestEntry {
        ManifestEntry {
            path: PathBuf::from(OsString::from_vec(r.path)),
            kind: r.kind,
            target: r.target.map(OsString::from_vec),
            meta: r.meta,
            exact: r.exact,
        }
    }
}

/// Reads a whole manifest with raw paths. Any malformed line makes the whole file unusable
/// (the caller then compares against the snapshot's files instead). Streamed line by line:
/// the file's bytes are never all in memory next to the entries parsed from them (at a
/// million files the manifest is about 140 MB).
pub fn read_raw(path: &Path) -> anyhow::Result<Vec<RawEntry>> {
    let file = File::open(path)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut entries = Vec::with_capacity(usize::try_from(size / 120).unwrap_or(0));
    each_raw(file, path, |e| entries.push(e))?;
    entries.shrink_to_fit();
    Ok(entries)
}

/// Parses the manifest `file` (opened from `path`, which error messages name) line by line,
/// passing each entry to `each`; an error at the header or at the first malformed line.
pub fn each_raw(file: File, path: &Path, mut each: impl FnMut(RawEntry)) -> anyhow::Result<()> {
    let mut reader = io::BufReader::with_capacity(256 * 1024, file);
    let mut line = Vec::with_capacity(512);
    let strip = |line: &mut Vec<u8>| {
        if line.last() == Some(&b'\n') {
            line.pop();
        }
    };
    reader.read_until(b'\n', &mut line)?;
    strip(&mut line);
    if ChainPlace::parse(&line).is_none() {
        anyhow::bail!(crate::t!(
            "backup.manifest_bad_header",
            path = path.display()
        ));
    }
    let mut n = 1usize;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        n += 1;
        strip(&mut line);
        if line.is_empty() {
            continue;
        }
        match parse_raw(&line) {
            Some(e) => each(e),
            None => anyhow::bail!(crate::t!(
                "backup.manifest_bad_line",
                path = path.display(),
                line = n
            )),
        }
    }
    Ok(())
}

/// Reads a whole manifest (see [`read_raw`]).
pub fn read_manifest(path: &Path) -> anyhow::Result<Vec<ManifestEntry>> {
    Ok(read_raw(path)?
        .into_iter()
        .map(ManifestEntry::from)
        .collect())
}

/// Writes manifest lines, to a file (with the header) or to a memory buffer (a part of a
/// manifest built by one thread).
pub struct ManifestWriter<W: Write> {
    out: W,
}

impl ManifestWriter<BufWriter<File>> {
    /// A manifest file; writes the header (without a place in the chain).
    pub fn new(file: File) -> io::Result<Self> {
        Self::placed(file, &ChainPlace::default())
    }

    /// A manifest file whose header records the snapshot's place in its chain.
    pub fn placed(file: File, place: &ChainPlace) -> io::Result<Self> {
        let mut out = BufWriter::with_capacity(1 << 16, file);
        writeln!(out, "{}", place.header())?;
        Ok(ManifestWriter { out })
    }

    /// Flushes and fsyncs.
    pub fn finish(self) -> io::Result<()> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    }
}

impl ManifestWriter<Vec<u8>> {
    /// Lines in memory, without a header.
    pub fn buffer() -> Self {
        ManifestWriter { out: Vec::new() }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }
}

impl<W: Write> ManifestWriter<W> {
    pub fn entry(
        &mut self,
        path: &[u8],
        kind: EntryKind,
        meta: &Meta,
        target: Option<&OsString>,
        exact: bool,
    ) -> io::Result<()> {
        let line = format_entry(path, kind, meta, target.map(|t| t.as_bytes()), exact);
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Appends lines produced by [`ManifestWriter::buffer`].
    pub fn append(&mut self, lines: &[u8]) -> io::Result<()> {
        self.out.write_all(lines)
    }
}

/// Lines produced by [`ManifestWriter::buffer`], appended as they come.
impl<W: Write> Write for ManifestWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes the manifest of a scanned tree (every entry exact) to `path` atomically. Used to
/// give a snapshot made by the original a manifest once a run found it equal to the source.
pub fn write_tree(root: &super::scan::Node, path: &Path, place: &ChainPlace) -> io::Result<()> {
    use super::scan::NodeKind;
    fn walk(
        node: &super::scan::Node,
        buf: &mut Vec<u8>,
        w: &mut ManifestWriter<BufWriter<File>>,
    ) -> io::Result<()> {
        if let NodeKind::Dir(children) = &node.kind {
            for child in children {
                let len = buf.len();
                if !buf.is_empty() {
                    buf.push(b'/');
                }
                buf.extend_from_slice(child.name.as_bytes());
                match &child.kind {
                    NodeKind::File => w.entry(buf, EntryKind::File, &child.meta, None, true)?,
                    NodeKind::Symlink(t) => {
                        w.entry(buf, EntryKind::Symlink, &child.meta, Some(t), true)?
                    }
                    NodeKind::Dir(_) => {
                        w.entry(buf, EntryKind::Dir, &child.meta, None, true)?;
                        walk(child, buf, w)?;
                    }
                }
                buf.truncate(len);
            }
        }
        Ok(())
    }
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    let mut w = ManifestWriter::placed(file, place)?;
    let mut buf = Vec::new();
    let written = walk(root, &mut buf, &mut w).and_then(|()| w.finish());
    match written.and_then(|()| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(err) => {
            let _ = std::fs::remove_file(&tmp);
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escape_keeps_readable_utf8() {
        assert_eq!(escape("src/main.rs".as_bytes()), "src/main.rs");
        assert_eq!(escape("проект/файл".as_bytes()), "проект/файл");
        assert_eq!(escape(b"a b%c\n\xff"), "a%20b%25c%0A%FF");
    }

    #[test]
    fn entry_round_trip() {
        let meta = Meta {
            mode: 0o100644,
            uid: 1000,
            gid: 1000,
            size: 42,
            mtime_s: 1_700_000_000,
            mtime_ns: 5,
            ctime_s: -3,
            ctime_ns: 999_999_999,
            dev: 2049,
            ino: 77,
        };
        let line = format_entry(
            b"dir/a file",
            EntryKind::Symlink,
            &meta,
            Some(b"../x y"),
            true,
        );
        let e = parse_entry(&line).expect("parses");
        assert_eq!(e.path, PathBuf::from("dir/a file"));
        assert_eq!(e.target, Some(OsString::from("../x y")));
        assert_eq!(e.meta, meta);
        assert!(e.exact);
        let line = format_entry(b"f", EntryKind::File, &meta, None, false);
        let e = parse_entry(&line).expect("parses");
        assert!(!e.exact);
        assert_eq!(parse_entry("f 644 x"), None);
        // Numbers are digits only, as written: no sign where none is written, no overflow.
        let good = "f 100644 1 1 5 10.000000001 10.000000002 1 2 p";
        assert!(parse_entry(good).is_some());
        for bad in [
            "f 100644 +1 1 5 10.000000001 10.000000002 1 2 p",
            "f 100644 1 1 -5 10.000000001 10.000000002 1 2 p",
            "f 100644 4294967296 1 5 10.000000001 10.000000002 1 2 p",
            "f 100644 1 1 18446744073709551616 10.000000001 10.000000002 1 2 p",
            "f 100644 1 1 5 10.x 10.000000002 1 2 p",
            "f 100644 1 1 5 10. 10.000000002 1 2 p",
            "f 100644 1 1 5 - 10.000000002 1 2 p",
        ] {
            assert_eq!(parse_entry(bad), None, "{bad}");
        }
        assert_eq!(parse_entry(""), None);
    }

    #[test]
    fn header_records_the_place_in_the_chain() {
        let place = ChainPlace {
            seq: Some(7),
            legacy_upto: Some("20260101-120000".into()),
        };
        assert_eq!(
            place.header(),
            "agsekit-manifest 1 seq=7 legacy-upto=20260101-120000"
        );
        assert_eq!(ChainPlace::parse(place.header().as_bytes()), Some(place));
        assert_eq!(
            ChainPlace::parse(b"agsekit-manifest 1"),
            Some(ChainPlace::default())
        );
        assert_eq!(
            ChainPlace::parse(b"agsekit-manifest 1 seq=x future=1").map(|p| p.seq),
            Some(None)
        );
        assert_eq!(ChainPlace::parse(b"agsekit-manifest 12"), None);
        assert_eq!(ChainPlace::parse(b"other"), None);

        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("m");
        let file = File::create(&path).expect("create");
        let mut w = ManifestWriter::placed(
            file,
            &ChainPlace {
                seq: Some(3),
                legacy_upto: None,
            },
        )
        .expect("header");
        w.entry(b"a", EntryKind::File, &Meta::default(), None, true)
            .expect("entry");
        w.finish().expect("finish");
        assert_eq!(read_place(&path).and_then(|p| p.seq), Some(3));
        assert_eq!(read_raw(&path).expect("readable").len(), 1);
    }

    proptest! {
        #[test]
        /// Every metadata value the writer can print reads back as itself.
        #[test]
        fn entry_numbers_round_trip(
            mode in any::<u32>(), uid in any::<u32>(), gid in any::<u32>(), size in any::<u64>(),
            mtime_s in any::<i64>(), mtime_ns in 0i64..1_000_000_000,
            ctime_s in any::<i64>(), ctime_ns in 0i64..1_000_000_000,
            dev in any::<u64>(), ino in any::<u64>(),
        ) {
            let meta = Meta { mode, uid, gid, size, mtime_s, mtime_ns, ctime_s, ctime_ns, dev, ino };
            let line = format_entry(b"p", EntryKind::File, &meta, None, true);
            prop_assert_eq!(parse_entry(&line).expect("parses").meta, meta);
        }

        #[test]
        fn escape_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let e = escape(&bytes);
            prop_assert!(!e.contains(' ') && !e.contains('\n'));
            prop_assert_eq!(unescape(&e), Some(bytes));
        }
    }
}
