//! Per-snapshot summaries: what each snapshot changed against the one before it (files,
//! added, modified, deleted, new data), recorded when the snapshot is made, so that
//! `agsekit snapshots` reads one small file per snapshot instead of every manifest.
//!
//! `<dest>/.<name>.summary`, one line of UTF-8 text:
//!
//! ```text
//! agsekit-summary 1 seq=<n|-> prev=<name|-> prev-seq=<n|-> files=<n> added=<n> modified=<n> deleted=<n> bytes=<n>
//! ```
//!
//! The numbers are exactly those of [`super::history::timeline`]'s diff of the two listings
//! (the previous snapshot's manifest, or its files when it has none, against this snapshot's
//! manifest; see [`super::diff`]). `seq` is the snapshot's own sequence (its manifest header),
//! `prev` and `prev-seq` the snapshot it was compared with. A summary is used only when both
//! still hold: retention, 1.7.4's cleanup or a hand may delete the snapshot before, and then
//! `snapshots` compares with the one before that (the numbers change). After agsekit's own
//! cleanup the summaries of the snapshots that lost their predecessor are recomputed
//! ([`refresh`]); any other stale or missing summary makes `snapshots` compute that one row
//! from the manifests, as before summaries existed.
//!
//! Written to `.<name>.summary.tmp`, fsynced and renamed into place before the rename that
//! publishes the snapshot (like the manifest); a run killed in between leaves an orphan that
//! the next run removes ([`super::chain::remove_stale`]). Nothing here is needed for a
//! backup or a restore: a missing or unreadable summary only costs time.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use super::chain::{self, Snapshot};
use super::diff::{self, ChangeKind, DiffStat, Entry, Listing};
use super::manifest::{self, ChainPlace, ManifestEntry};
use super::Interrupt;

pub const HEADER: &str = "agsekit-summary 1";

/// What a snapshot changed against the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The snapshot's own sequence when the summary was written.
    pub seq: Option<u64>,
    /// The snapshot it was compared with (name and sequence); `None` for the first one.
    pub prev: Option<(String, Option<u64>)>,
    /// Files and symlinks (not folders) in the snapshot.
    pub files: u64,
    pub stat: DiffStat,
}

/// The summary file of snapshot `name`.
pub fn summary_path(dest: &Path, name: &str) -> PathBuf {
    dest.join(format!(".{name}.summary"))
}

fn tmp_path(dest: &Path, name: &str) -> PathBuf {
    dest.join(format!(".{name}.summary.tmp"))
}

fn opt(n: Option<u64>) -> String {
    n.map_or_else(|| "-".to_string(), |n| n.to_string())
}

impl Summary {
    /// The file's line (without its newline).
    pub fn line(&self) -> String {
        let (prev, prev_seq) = match &self.prev {
            Some((name, seq)) => (name.as_str(), opt(*seq)),
            None => ("-", "-".to_string()),
        };
        format!(
            "{HEADER} seq={} prev={prev} prev-seq={prev_seq} files={} added={} modified={} deleted={} bytes={}",
            opt(self.seq),
            self.files,
            self.stat.added,
            self.stat.modified,
            self.stat.deleted,
            self.stat.bytes_added
        )
    }

    /// Parses a summary line; `None` when anything required is missing or malformed.
    /// Fields a reader does not know are ignored.
    pub fn parse(text: &str) -> Option<Summary> {
        let line = text.lines().next()?;
        let rest = line.strip_prefix(HEADER)?;
        if !rest.is_empty() && !rest.starts_with(' ') {
            return None;
        }
        let (mut seq, mut prev, mut prev_seq) = (None, None, None);
        let (mut files, mut added, mut modified, mut deleted, mut bytes) =
            (None, None, None, None, None);
        let opt_num = |v: &str| -> Option<Option<u64>> {
            if v == "-" {
                Some(None)
            } else {
                v.parse().ok().map(Some)
            }
        };
        for field in rest.split(' ').filter(|f| !f.is_empty()) {
            let Some((key, value)) = field.split_once('=') else {
                continue;
            };
            match key {
                "seq" => seq = Some(opt_num(value)?),
                "prev" => prev = Some(value.to_string()),
                "prev-seq" => prev_seq = Some(opt_num(value)?),
                "files" => files = Some(value.parse().ok()?),
                "added" => added = Some(value.parse().ok()?),
                "modified" => modified = Some(value.parse().ok()?),
                "deleted" => deleted = Some(value.parse().ok()?),
                "bytes" => bytes = Some(value.parse().ok()?),
                _ => {}
            }
        }
        let prev = match prev? {
            p if p == "-" => None,
            p if chain::is_snapshot_name(&p) => Some((p, prev_seq?)),
            _ => return None,
        };
        Some(Summary {
            seq: seq?,
            prev,
            files: files?,
            stat: DiffStat {
                added: added?,
                modified: modified?,
                deleted: deleted?,
                bytes_added: bytes?,
            },
        })
    }

    /// Whether this summary describes `snap` as listed now, right after `before`.
    pub fn fits(&self, snap: &Snapshot, before: Option<&Snapshot>) -> bool {
        if self.seq != snap.place.seq {
            return false;
        }
        match (&self.prev, before) {
            (None, None) => true,
            (Some((name, seq)), Some(b)) => *name == b.name && *seq == b.place.seq,
            _ => false,
        }
    }
}

/// Reads the summary of `snap` (in the folder that holds it), if it has one that parses.
pub fn read(snap: &Snapshot) -> Option<Summary> {
    snap.manifest.as_ref()?;
    let dest = snap.path.parent()?;
    let mut text = String::new();
    File::open(summary_path(dest, &snap.name))
        .ok()?
        .take(4096)
        .read_to_string(&mut text)
        .ok()?;
    Summary::parse(&text)
}

/// Writes `.<name>.summary.tmp` (fsynced); [`publish`] renames it into place.
pub fn write_tmp(dest: &Path, name: &str, summary: &Summary) -> io::Result<()> {
    let tmp = tmp_path(dest, name);
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        writeln!(file, "{}", summary.line())?;
        file.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Renames the summary written by [`write_tmp`] into place.
pub fn publish(dest: &Path, name: &str) -> io::Result<()> {
    std::fs::rename(tmp_path(dest, name), summary_path(dest, name))
}

/// Removes the summary of `name` and its temporary file (best effort).
pub fn remove(dest: &Path, name: &str) {
    let _ = std::fs::remove_file(summary_path(dest, name));
    let _ = std::fs::remove_file(tmp_path(dest, name));
}

/// Writes the summary of `name` atomically (temporary file, fsync, rename).
pub fn write(dest: &Path, name: &str, summary: &Summary) -> io::Result<()> {
    write_tmp(dest, name, summary)?;
    publish(dest, name).inspect_err(|_| {
        let _ = std::fs::remove_file(tmp_path(dest, name));
    })
}

/// A listing item, or `Err` for a line that does not parse.
type Item = Result<(PathBuf, Entry), ()>;

fn item_of_line(line: &[u8]) -> Item {
    manifest::parse_raw(line)
        .map(|raw| diff::manifest_item(ManifestEntry::from(raw)))
        .ok_or(())
}

/// The entry lines of a manifest file, after checking its header.
fn file_items(path: &Path) -> Option<impl Iterator<Item = Item>> {
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path).ok()?);
    let mut header = Vec::new();
    reader.read_until(b'\n', &mut header).ok()?;
    if header.last() == Some(&b'\n') {
        header.pop();
    }
    ChainPlace::parse(&header)?;
    Some(
        reader
            .split(b'\n')
            .filter(|l| !matches!(l, Ok(l) if l.is_empty()))
            .map(|l| l.map_err(|_| ()).and_then(|l| item_of_line(&l))),
    )
}

/// Why a streamed comparison gave up (the caller then compares whole listings).
enum Gave {
    /// A line of the previous snapshot's manifest does not parse (so its listing comes
    /// from its files, as `snapshots` does).
    BadOld,
    /// Anything else: a bad line of the new manifest, entries out of order.
    Other,
}

/// Counts, from two streams of items in path order, what `snapshots` shows: the same
/// merge as [`diff::diff`] with [`DiffStat::count`], and the files of the new side.
fn merge(
    old: impl Iterator<Item = Item>,
    new: impl Iterator<Item = Item>,
) -> Result<(u64, DiffStat), Gave> {
    use std::cmp::Ordering;
    fn next_in_order(
        it: &mut impl Iterator<Item = Item>,
        last: &mut Option<PathBuf>,
        bad: fn() -> Gave,
    ) -> Result<Option<(PathBuf, Entry)>, Gave> {
        match it.next() {
            None => Ok(None),
            Some(Err(())) => Err(bad()),
            Some(Ok(item)) => {
                if last.as_ref().is_some_and(|l| *l >= item.0) || item.0.as_os_str().is_empty() {
                    return Err(Gave::Other);
                }
                *last = Some(item.0.clone());
                Ok(Some(item))
            }
        }
    }
    let (mut old, mut new) = (old, new);
    let (mut last_old, mut last_new) = (None, None);
    let mut stat = DiffStat::default();
    let mut files = 0u64;
    let mut a = next_in_order(&mut old, &mut last_old, || Gave::BadOld)?;
    let mut b = next_in_order(&mut new, &mut last_new, || Gave::Other)?;
    loop {
        let order = match (&a, &b) {
            (None, None) => break,
            (Some(x), Some(y)) => x.0.cmp(&y.0),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                let x = a.as_ref().map(|x| &x.1);
                stat.count(ChangeKind::Deleted, x, None);
                a = next_in_order(&mut old, &mut last_old, || Gave::BadOld)?;
            }
            Ordering::Greater => {
                let y = b.as_ref().map(|y| &y.1);
                stat.count(ChangeKind::Added, None, y);
                files += u64::from(y.is_some_and(|y| y.kind != super::EntryKind::Dir));
                b = next_in_order(&mut new, &mut last_new, || Gave::Other)?;
            }
            Ordering::Equal => {
                if let (Some(x), Some(y)) = (&a, &b) {
                    if !diff::same(&x.1, &y.1) {
                        stat.count(ChangeKind::Modified, Some(&x.1), Some(&y.1));
                    }
                    files += u64::from(y.1.kind != super::EntryKind::Dir);
                }
                a = next_in_order(&mut old, &mut last_old, || Gave::BadOld)?;
                b = next_in_order(&mut new, &mut last_new, || Gave::Other)?;
            }
        }
    }
    Ok((files, stat))
}

/// The files and the counts of a whole listing against the one before it (what
/// `snapshots` computes without summaries).
pub fn of_listings(previous: &Listing, listing: &Listing) -> (u64, DiffStat) {
    let files = listing
        .iter()
        .filter(|(_, e)| e.kind != super::EntryKind::Dir)
        .count() as u64;
    (files, DiffStat::of(&diff::diff(previous, listing)))
}

/// Where the new snapshot's manifest lines come from.
pub enum NewSide<'a> {
    /// Entry lines in memory (no header), as the engine collects them.
    Lines(&'a [u8]),
    /// A manifest file.
    File(&'a Path),
}

impl NewSide<'_> {
    fn items(&self) -> Option<Box<dyn Iterator<Item = Item> + '_>> {
        match self {
            NewSide::Lines(bytes) => Some(Box::new(
                bytes
                    .split(|b| *b == b'\n')
                    .filter(|l| !l.is_empty())
                    .map(item_of_line),
            )),
            NewSide::File(path) => Some(Box::new(file_items(path)?)),
        }
    }

    fn listing(&self) -> Option<Listing> {
        let mut listing = self.items()?.collect::<Result<Listing, ()>>().ok()?;
        listing.sort_by(|a, b| a.0.cmp(&b.0));
        Some(listing)
    }
}

/// The summary of a snapshot with manifest `new` (and sequence `seq`) made right after
/// `before`: streamed through both manifests when they are in path order (as the engine
/// writes them), else from whole listings; the numbers are the same either way. `None` when
/// the new manifest cannot be read or the previous snapshot cannot be listed.
pub fn compute(
    before: Option<&Snapshot>,
    seq: Option<u64>,
    new: NewSide<'_>,
    interrupt: &Interrupt,
) -> Option<Summary> {
    // A name that would not survive the line's `key=value` fields (a folder of 1.7.4's
    // with a space in its name) gets no summary: `snapshots` computes that row.
    if before.is_some_and(|b| !b.name.chars().all(|c| c.is_ascii_graphic())) {
        return None;
    }
    let prev = before.map(|b| (b.name.clone(), b.place.seq));
    let done = |(files, stat): (u64, DiffStat)| Summary {
        seq,
        prev: prev.clone(),
        files,
        stat,
    };
    let streamed = match before {
        None => merge(std::iter::empty(), new.items()?),
        Some(b) => match b.manifest.as_deref().and_then(file_items) {
            Some(old) => merge(old, new.items()?),
            None => Err(Gave::BadOld),
        },
    };
    match streamed {
        Ok(counts) => Some(done(counts)),
        Err(gave) => {
            let previous = match (before, gave) {
                (None, _) => Vec::new(),
                (Some(b), Gave::BadOld) => super::history::walk_snapshot(b, interrupt).ok()?,
                (Some(b), Gave::Other) => super::history::snapshot_listing(b, interrupt).ok()?.0,
            };
            Some(done(of_listings(&previous, &new.listing()?)))
        }
    }
}

/// After snapshots were deleted from `dest` (by agsekit's cleanup, under the lock):
/// recomputes the summaries that no longer describe their snapshot (the one before it is
/// gone), so `snapshots` keeps reading summaries only. Best effort; returns how many were
/// rewritten.
pub fn refresh(dest: &Path) -> usize {
    let Ok(snaps) = chain::list_snapshots(dest) else {
        return 0;
    };
    let mut rewritten = 0;
    for (i, snap) in snaps.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| &snaps[j]);
        let Some(old) = read(snap) else { continue };
        if old.fits(snap, before) {
            continue;
        }
        let Some(manifest) = snap.manifest.as_deref() else {
            continue;
        };
        let fresh = compute(
            before,
            snap.place.seq,
            NewSide::File(manifest),
            &Interrupt::none(),
        );
        match fresh {
            Some(s) if write(dest, &snap.name, &s).is_ok() => rewritten += 1,
            // Never leave one that does not fit: without it `snapshots` computes the row.
            _ => remove(dest, &snap.name),
        }
    }
    rewritten
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_round_trips_and_rejects_what_is_missing() {
        let s = Summary {
            seq: Some(4),
            prev: Some(("20261206-101500".into(), None)),
            files: 10,
            stat: DiffStat {
                added: 1,
                modified: 2,
                deleted: 3,
                bytes_added: 4096,
            },
        };
        assert_eq!(
            s.line(),
            "agsekit-summary 1 seq=4 prev=20261206-101500 prev-seq=- files=10 added=1 \
             modified=2 deleted=3 bytes=4096"
        );
        assert_eq!(Summary::parse(&s.line()), Some(s.clone()));
        assert_eq!(
            Summary::parse(&format!("{} future=1\n", s.line())),
            Some(s.clone())
        );
        let first = Summary { prev: None, ..s };
        assert_eq!(Summary::parse(&first.line()), Some(first.clone()));
        let line = first.line();
        assert_eq!(Summary::parse(&line.replace(" bytes=4096", "")), None);
        assert_eq!(Summary::parse(&line.replace("added=1", "added=x")), None);
        assert_eq!(Summary::parse(&line.replace("prev=-", "prev=../x")), None);
        assert_eq!(
            Summary::parse(&line.replace("summary 1", "summary 12")),
            None
        );
        assert_eq!(Summary::parse(""), None);
    }

    #[test]
    fn manifest_lines_out_of_order_give_the_same_counts() {
        use crate::backup::fsx::Meta;
        use crate::backup::EntryKind;
        let line = |path: &str, kind: EntryKind, size: u64| {
            let meta = Meta {
                mode: if kind == EntryKind::Dir {
                    0o40755
                } else {
                    0o100644
                },
                size,
                ..Meta::default()
            };
            manifest::format_entry(path.as_bytes(), kind, &meta, None, true) + "\n"
        };
        let ordered = [
            line("a", EntryKind::File, 1),
            line("d", EntryKind::Dir, 0),
            line("d/x", EntryKind::File, 2),
            line("e", EntryKind::File, 4),
        ]
        .concat();
        let shuffled = [
            line("e", EntryKind::File, 4),
            line("d/x", EntryKind::File, 2),
            line("a", EntryKind::File, 1),
            line("d", EntryKind::Dir, 0),
        ]
        .concat();
        let none = Interrupt::none();
        let a = compute(None, Some(1), NewSide::Lines(ordered.as_bytes()), &none);
        let b = compute(None, Some(1), NewSide::Lines(shuffled.as_bytes()), &none);
        assert_eq!(a, b);
        let a = a.expect("computed");
        assert_eq!((a.files, a.stat.added, a.stat.bytes_added), (3, 3, 7));
        // A line that does not parse: no summary (`snapshots` computes the row).
        let bad = format!("{ordered}f 644 broken\n");
        assert_eq!(
            compute(None, Some(1), NewSide::Lines(bad.as_bytes()), &none),
            None
        );
    }
}
