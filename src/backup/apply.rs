//! Writing a planned snapshot into its `-partial` folder: directories created, unchanged files
//! hardlinked to the previous snapshot (`linkat` between open directory handles), changed files
//! reflinked or copied extent by extent with holes kept ([`super::copy`]), symlinks recreated
//! as links, then permissions, owners (when running as root) and mtimes set (a folder's after
//! its contents, so a `555` folder is written first and closed last); the manifest is written
//! on the way.
//!
//! Source-side problems (a file that vanished, cannot be read, or keeps changing while copied)
//! become warnings, and so does a file whose data is larger than the destination's free space
//! at the start (left out of the snapshot, instead of filling the disk). A full disk aborts.
//! A refused hardlink (EMLINK: too many links to one inode; or the previous copy is missing)
//! falls back to a copy.

use std::ffi::OsStr;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use nix::sys::stat::Mode;

use super::copy;
use super::fsx::{self, Dir, FileKind, Meta};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::manifest::{EntryKind, ManifestWriter};
use super::scan::{Action, Node, NodeKind};
use super::{Event, FaultHook, FaultPoint, Interrupt, Warning};
use crate::t;

/// How many times a file that changes while it is copied is copied again.
const COPY_ATTEMPTS: usize = 3;

/// How many paths of files copied because of the hard-link limit a report keeps.
pub const LINK_LIMIT_PATHS_KEPT: usize = 20;

/// Counters of what was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyStats {
    pub files_copied: u64,
    pub bytes_copied: u64,
    pub files_linked: u64,
    pub bytes_linked: u64,
    /// Hardlinks refused by the filesystem (EMLINK and the like) and copied instead.
    pub link_fallbacks: u64,
    /// Of those, the files copied because their inode had reached the filesystem's
    /// hard-link limit (EMLINK: about 65,000 links on ext4).
    pub link_limit_copies: u64,
    /// The first [`LINK_LIMIT_PATHS_KEPT`] of them (relative to the source), for `--debug`.
    pub link_limit_paths: Vec<PathBuf>,
    pub dirs: u64,
    pub symlinks: u64,
}

/// See [`Shared::expand`].
pub type Expand<'a> = dyn Fn(&[u8]) -> anyhow::Result<Option<Node>> + Sync + 'a;

/// What every writer thread shares.
pub struct Shared<'a> {
    pub interrupt: &'a Interrupt,
    pub on_event: &'a (dyn Fn(&Event) + Sync),
    pub fault: Option<&'a FaultHook>,
    /// Set owners (only root can).
    pub as_root: bool,
    /// The `-partial` folder, for messages.
    pub target: PathBuf,
    /// Space available on the destination when the snapshot started (the size guard: a file
    /// whose data alone is larger is left out with a warning); `None` when unknown.
    pub space_at_start: Option<u64>,
    /// Walks a deferred folder ([`Node::deferred`], at the given path) when it is written:
    /// the folder and everything below it, planned (`None`: it is gone, nothing is written).
    pub expand: Option<&'a Expand<'a>>,
    files_done: AtomicU64,
    bytes_done: AtomicU64,
    /// Set when one thread failed, so the others stop.
    abort: AtomicBool,
    /// The filesystems refused a reflink once: copy without trying again.
    clone_refused: AtomicBool,
}

impl<'a> Shared<'a> {
    pub fn new(
        interrupt: &'a Interrupt,
        on_event: &'a (dyn Fn(&Event) + Sync),
        fault: Option<&'a FaultHook>,
        as_root: bool,
        target: PathBuf,
    ) -> Shared<'a> {
        Shared {
            interrupt,
            on_event,
            fault,
            as_root,
            target,
            space_at_start: None,
            expand: None,
            files_done: AtomicU64::new(0),
            bytes_done: AtomicU64::new(0),
            abort: AtomicBool::new(false),
            clone_refused: AtomicBool::new(false),
        }
    }
}

/// One writer: a part of the tree, its manifest lines, counters and warnings.
pub struct Apply<'s, 'a> {
    shared: &'s Shared<'a>,
    pub manifest: ManifestWriter<Vec<u8>>,
    pub warnings: Vec<Warning>,
    pub stats: ApplyStats,
}

/// What writing a tree produced (its manifest lines went to the writer, in walk order).
pub struct Written {
    pub stats: ApplyStats,
    pub warnings: Vec<Warning>,
}

impl ApplyStats {
    fn add(&mut self, o: &ApplyStats) {
        self.files_copied += o.files_copied;
        self.bytes_copied += o.bytes_copied;
        self.files_linked += o.files_linked;
        self.bytes_linked += o.bytes_linked;
        self.link_fallbacks += o.link_fallbacks;
        self.link_limit_copies += o.link_limit_copies;
        for p in &o.link_limit_paths {
            if self.link_limit_paths.len() < LINK_LIMIT_PATHS_KEPT {
                self.link_limit_paths.push(p.clone());
            }
        }
        self.dirs += o.dirs;
        self.symlinks += o.symlinks;
    }
}

/// Writes the children of the source root into the new snapshot root. Folders are written by
/// up to `threads` threads (hardlinking is kernel-bound and overlaps across folders): the
/// top-level folders, or, when there are only a few, their sub-folders. The manifest lines
/// go to `out` in walk order as soon as the parts before them are done.
pub fn write_tree(
    shared: &Shared<'_>,
    children: &[Node],
    src: &Dir,
    prev: Option<&Dir>,
    dst: &Dir,
    threads: usize,
    out: &mut (dyn io::Write + Send),
) -> anyhow::Result<Written> {
    /// A part of the manifest, in order.
    enum Piece {
        Lines(Vec<u8>),
        Job(usize),
    }
    /// A folder for the pool: its node, the handles of its parent (`None` = the roots) and
    /// the parent's path.
    struct Job<'n> {
        node: &'n Node,
        parent: Option<usize>,
        prefix: Vec<u8>,
    }
    let threads = threads.clamp(1, 16);
    let top_dirs = children
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Dir(_)))
        .count();
    let split = threads > 1 && top_dirs < threads * 4;

    let mut main = Apply::new(shared);
    let mut pieces: Vec<Piece> = Vec::new();
    let mut jobs: Vec<Job<'_>> = Vec::new();
    // Handles of split top-level folders: (source, previous, new).
    let mut handles: Vec<(Dir, Option<Dir>, Dir)> = Vec::new();
    let mut to_finish: Vec<&Node> = Vec::new();
    for node in children {
        shared.interrupt.check()?;
        let NodeKind::Dir(grandchildren) = &node.kind else {
            let mut path = Vec::new();
            main.children(std::slice::from_ref(node), src, prev, dst, &mut path)?;
            pieces.push(Piece::Lines(main.take_lines()));
            continue;
        };
        // A deferred folder is walked by its job: never opened here as a shell.
        if !split || node.deferred {
            pieces.push(Piece::Job(jobs.len()));
            jobs.push(Job {
                node,
                parent: None,
                prefix: Vec::new(),
            });
            continue;
        }
        let path = node.name.as_bytes().to_vec();
        let opened = main.begin_dir(node, src, prev, dst, &path)?;
        pieces.push(Piece::Lines(main.take_lines()));
        to_finish.push(node);
        let Some(triple) = opened else { continue };
        handles.push(triple);
        let ix = handles.len() - 1;
        let (hs, hp, hd) = &handles[ix];
        for child in grandchildren {
            if matches!(child.kind, NodeKind::Dir(_)) {
                pieces.push(Piece::Job(jobs.len()));
                jobs.push(Job {
                    node: child,
                    parent: Some(ix),
                    prefix: path.clone(),
                });
            } else {
                let mut p = path.clone();
                main.children(std::slice::from_ref(child), hs, hp.as_ref(), hd, &mut p)?;
                pieces.push(Piece::Lines(main.take_lines()));
            }
        }
    }

    let results: Vec<Mutex<Slot<'_, '_>>> =
        jobs.iter().map(|_| Mutex::new(Slot::Running)).collect();
    let commit = Mutex::new(Commit {
        out,
        next: 0,
        error: None,
        stats: ApplyStats::default(),
        warnings: Vec::new(),
    });
    // Writes the pieces that are done, in walk order, and frees their lines: the manifest
    // is never held whole (140 MB at a million files).
    let drain = || {
        let Ok(mut c) = commit.lock() else { return };
        while c.error.is_none() {
            let Some(piece) = pieces.get(c.next) else {
                break;
            };
            let written = match piece {
                Piece::Lines(lines) => c.out.write_all(lines),
                Piece::Job(k) => {
                    let Some(Ok(mut slot)) = results.get(*k).map(Mutex::lock) else {
                        break;
                    };
                    let Slot::Done(one) = std::mem::replace(&mut *slot, Slot::Written) else {
                        break;
                    };
                    drop(slot);
                    c.stats.add(&one.stats);
                    c.warnings.extend(one.warnings);
                    c.out.write_all(&one.manifest.into_bytes())
                }
            };
            match written {
                Ok(()) => c.next += 1,
                Err(err) => c.error = Some(err),
            }
        }
    };
    let run_job = |k: usize| {
        let job = &jobs[k];
        let (s, p, d) = match job.parent {
            None => (src, prev, dst),
            Some(ix) => {
                let (hs, hp, hd) = &handles[ix];
                (hs, hp.as_ref(), hd)
            }
        };
        let mut one = Apply::new(shared);
        let mut path = job.prefix.clone();
        let r = one.children(std::slice::from_ref(job.node), s, p, d, &mut path);
        if r.is_err() {
            shared.abort.store(true, Ordering::Relaxed);
        }
        if let Ok(mut slot) = results[k].lock() {
            *slot = match r {
                Ok(()) => Slot::Done(one),
                Err(err) => Slot::Failed(err),
            };
        }
        drain();
    };
    let pool = threads.min(jobs.len());
    if pool <= 1 {
        for k in 0..jobs.len() {
            if shared.abort.load(Ordering::Relaxed) {
                break;
            }
            run_job(k);
        }
    } else {
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..pool {
                // A thread that cannot start leaves its share to the others and to the
                // sweep below.
                let _ = std::thread::Builder::new()
                    .stack_size(64 << 20)
                    .spawn_scoped(scope, || loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= jobs.len() || shared.abort.load(Ordering::Relaxed) {
                            break;
                        }
                        run_job(k);
                    });
            }
        });
        for (k, slot) in results.iter().enumerate() {
            let done = slot
                .lock()
                .map(|s| !matches!(*s, Slot::Running))
                .unwrap_or(true);
            if !done && !shared.abort.load(Ordering::Relaxed) {
                run_job(k);
            }
        }
    }
    drain();

    // Prefer the real error over the "interrupted" of stopped threads.
    let mut first_error: Option<anyhow::Error> = None;
    for slot in results {
        if let Ok(Slot::Failed(err)) = slot.into_inner() {
            let stopped = crate::error::exit_code_of(&err) == 130;
            let replace = match &first_error {
                None => true,
                Some(prev) => crate::error::exit_code_of(prev) == 130 && !stopped,
            };
            if replace {
                first_error = Some(err);
            }
        }
    }
    if let Some(err) = first_error {
        return Err(err);
    }
    shared.interrupt.check()?;
    let c = commit.into_inner().map_err(|_| super::interrupted())?;
    if let Some(err) = c.error {
        return Err(WriteManifest(err).into());
    }
    if c.next < pieces.len() {
        // Not reached: every job either wrote its piece or failed.
        return Err(super::interrupted());
    }
    for node in to_finish {
        let path = node.name.as_bytes().to_vec();
        main.end_dir(node, dst, &path)?;
    }
    let mut out = Written {
        stats: main.stats.clone(),
        warnings: std::mem::take(&mut main.warnings),
    };
    out.stats.add(&c.stats);
    out.warnings.extend(c.warnings);
    out.warnings.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// A job of the pool: still running, done (its lines not yet written), failed, or written.
enum Slot<'s, 'a> {
    Running,
    Done(Apply<'s, 'a>),
    Failed(anyhow::Error),
    Written,
}

/// The manifest as it is written, piece by piece in walk order, and what the written pieces
/// counted.
struct Commit<'o> {
    out: &'o mut (dyn io::Write + Send),
    /// The first piece not written yet.
    next: usize,
    error: Option<io::Error>,
    stats: ApplyStats,
    warnings: Vec<Warning>,
}

/// Writing the manifest failed (the caller names the file).
#[derive(Debug)]
pub struct WriteManifest(pub io::Error);

impl std::fmt::Display for WriteManifest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for WriteManifest {}

fn rel(path: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(path))
}

impl<'s, 'a> Apply<'s, 'a> {
    fn new(shared: &'s Shared<'a>) -> Apply<'s, 'a> {
        Apply {
            shared,
            manifest: ManifestWriter::buffer(),
            warnings: Vec::new(),
            stats: ApplyStats::default(),
        }
    }

    fn fault(&self, point: FaultPoint, path: &[u8]) -> io::Result<()> {
        match self.shared.fault.and_then(|f| f(point, &rel(path))) {
            Some(code) => Err(io::Error::from_raw_os_error(code)),
            None => Ok(()),
        }
    }

    /// An error writing the snapshot: a full disk gets its own message; anything else names
    /// the path. Either way the caller removes the partial folder.
    fn dest_error(&self, err: io::Error, path: &[u8]) -> anyhow::Error {
        let at = self.shared.target.join(rel(path));
        if fsx::is_no_space(&err) {
            let dest = self.shared.target.parent().unwrap_or(&self.shared.target);
            super::NoSpace {
                dest: dest.to_path_buf(),
                path: at,
                hint_names_dest: true,
            }
            .into()
        } else {
            anyhow::anyhow!(t!("backup.cannot_write", path = at.display(), error = err))
        }
    }

    fn warn(&mut self, path: &[u8], message: impl Into<String>) {
        let w = Warning::new(rel(path), message.into());
        (self.shared.on_event)(&Event::Warning(w.clone()));
        self.warnings.push(w);
    }

    fn progress(&self) {
        (self.shared.on_event)(&Event::Progress {
            files: self.shared.files_done.load(Ordering::Relaxed),
            bytes: self.shared.bytes_done.load(Ordering::Relaxed),
        });
    }

    /// Creates a folder of the snapshot and records it; returns the handles to fill it
    /// (`None` when the source folder cannot be opened any more: a warning, left empty).
    fn begin_dir(
        &mut self,
        node: &Node,
        src: &Dir,
        prev: Option<&Dir>,
        dst: &Dir,
        path: &[u8],
    ) -> anyhow::Result<Option<(Dir, Option<Dir>, Dir)>> {
        let name = node.name.as_os_str();
        dst.mkdir(name, 0o700)
            .map_err(|e| self.dest_error(e, path))?;
        self.manifest
            .entry(path, EntryKind::Dir, &node.meta, None, true)
            .map_err(|e| self.dest_error(e, path))?;
        self.stats.dirs += 1;
        match src.open_dir(name) {
            Ok(src_child) => {
                let dst_child = dst.open_dir(name).map_err(|e| self.dest_error(e, path))?;
                let prev_child = prev.and_then(|p| p.open_dir(name).ok());
                Ok(Some((src_child, prev_child, dst_child)))
            }
            Err(err) => {
                // A folder the walk could not read either has no entries here and was
                // already reported by the walk; say it again only when entries are lost.
                let lost = matches!(&node.kind, NodeKind::Dir(c) if !c.is_empty());
                if lost {
                    self.warn(path, t!("backup.warn.dir_unreadable", error = err));
                }
                Ok(None)
            }
        }
    }

    /// Owner, permissions and mtime of a finished folder (after its contents, so writing
    /// into it neither needs its final permissions nor moves its mtime).
    fn end_dir(&mut self, node: &Node, dst: &Dir, path: &[u8]) -> anyhow::Result<()> {
        let name = node.name.as_os_str();
        if self.shared.as_root {
            dst.set_owner(name, node.meta.uid, node.meta.gid)
                .map_err(|e| self.dest_error(e, path))?;
        }
        dst.set_perm(name, node.meta.perm())
            .map_err(|e| self.dest_error(e, path))?;
        dst.set_mtime(name, &node.meta)
            .map_err(|e| self.dest_error(e, path))
    }

    /// Takes the manifest lines written so far.
    fn take_lines(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.manifest, ManifestWriter::buffer()).into_bytes()
    }

    /// Writes the children of a directory.
    pub fn children(
        &mut self,
        nodes: &[Node],
        src: &Dir,
        prev: Option<&Dir>,
        dst: &Dir,
        path: &mut Vec<u8>,
    ) -> anyhow::Result<()> {
        for node in nodes {
            self.shared.interrupt.check()?;
            if self.shared.abort.load(Ordering::Relaxed) {
                return Err(super::interrupted());
            }
            let len = path.len();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(node.name.as_bytes());
            let r = self.node(node, src, prev, dst, path);
            path.truncate(len);
            r?;
        }
        Ok(())
    }

    fn node(
        &mut self,
        node: &Node,
        src: &Dir,
        prev: Option<&Dir>,
        dst: &Dir,
        path: &mut Vec<u8>,
    ) -> anyhow::Result<()> {
        let name = node.name.as_os_str();
        match &node.kind {
            NodeKind::Dir(_) if node.deferred => {
                // Walked now, written, and freed before the next one.
                let walked = match self.shared.expand {
                    Some(expand) => expand(path)?,
                    None => None,
                };
                if let Some(walked) = walked {
                    self.node(&walked, src, prev, dst, path)?;
                }
            }
            NodeKind::Dir(children) => {
                if let Some((src_child, prev_child, dst_child)) =
                    self.begin_dir(node, src, prev, dst, path)?
                {
                    self.children(children, &src_child, prev_child.as_ref(), &dst_child, path)?;
                }
                self.end_dir(node, dst, path)?;
            }
            NodeKind::Symlink(target) => {
                dst.symlink(target, name)
                    .map_err(|e| self.dest_error(e, path))?;
                if self.shared.as_root {
                    dst.set_owner(name, node.meta.uid, node.meta.gid)
                        .map_err(|e| self.dest_error(e, path))?;
                }
                dst.set_mtime(name, &node.meta)
                    .map_err(|e| self.dest_error(e, path))?;
                self.manifest
                    .entry(path, EntryKind::Symlink, &node.meta, Some(target), true)
                    .map_err(|e| self.dest_error(e, path))?;
                self.stats.symlinks += 1;
            }
            NodeKind::File => {
                if node.action == Action::Link {
                    if let Some(prev) = prev {
                        let linked = self
                            .fault(FaultPoint::Link, path)
                            .and_then(|()| dst.link_from(prev, name));
                        match linked {
                            Ok(()) => {
                                self.manifest
                                    .entry(path, EntryKind::File, &node.meta, None, true)
                                    .map_err(|e| self.dest_error(e, path))?;
                                self.stats.files_linked += 1;
                                self.stats.bytes_linked += node.meta.size;
                                self.shared.files_done.fetch_add(1, Ordering::Relaxed);
                                self.progress();
                                return Ok(());
                            }
                            Err(err) if fsx::is_no_space(&err) => {
                                return Err(self.dest_error(err, path));
                            }
                            Err(err) => {
                                // EMLINK (link limit of the inode), the previous copy deleted
                                // by hand, a filesystem without hardlinks: copy instead. The
                                // link limit is counted apart: the run summary names it.
                                self.stats.link_fallbacks += 1;
                                if err.raw_os_error() == Some(libc::EMLINK) {
                                    self.stats.link_limit_copies += 1;
                                    if self.stats.link_limit_paths.len() < LINK_LIMIT_PATHS_KEPT {
                                        self.stats.link_limit_paths.push(rel(path));
                                    }
                                }
                            }
                        }
                    }
                }
                self.copy_file(node, src, dst, path)?;
            }
        }
        Ok(())
    }

    fn copy_file(&mut self, node: &Node, src: &Dir, dst: &Dir, path: &[u8]) -> anyhow::Result<()> {
        let name = node.name.as_os_str();
        let mut last: Option<Meta> = None;
        for attempt in 0..COPY_ATTEMPTS {
            let opened = self
                .fault(FaultPoint::Open, path)
                .and_then(|()| src.open_read(name));
            let input = match opened {
                Ok(f) => f,
                Err(err) if err.raw_os_error() == Some(libc::ENOENT) => {
                    self.remove_partial_copy(dst, name, attempt);
                    self.warn(path, t!("backup.warn.vanished_before_copy"));
                    return Ok(());
                }
                Err(err) if err.raw_os_error() == Some(libc::ELOOP) => {
                    self.remove_partial_copy(dst, name, attempt);
                    self.warn(path, t!("backup.warn.became_symlink"));
                    return Ok(());
                }
                Err(err) => {
                    self.remove_partial_copy(dst, name, attempt);
                    self.warn(path, t!("backup.warn.cannot_read", error = err));
                    return Ok(());
                }
            };
            let (before, allocated) = match nix::sys::stat::fstat(input.as_raw_fd()) {
                Ok(st) => (Meta::from_stat(&st), copy::allocated_bytes(&st)),
                Err(err) => {
                    self.warn(path, t!("backup.warn.cannot_stat", error = err));
                    return Ok(());
                }
            };
            if before.kind() != FileKind::File {
                self.remove_partial_copy(dst, name, attempt);
                self.warn(
                    path,
                    t!("backup.warn.became_kind", kind = before.kind().describe()),
                );
                return Ok(());
            }
            self.remove_partial_copy(dst, name, attempt);
            // Size guard: a file whose data alone is larger than the space the destination
            // had when the snapshot started can never fit: it is left out with a warning and
            // the rest of the snapshot completes, instead of filling the disk and failing
            // every backup from now on. Holes cost nothing (see `copy`), so a
            // `truncate -s 1T` file passes; its allocated size is what counts. Ordinary files
            // that only together overflow the disk still end in a clean "no space" abort.
            let needed = allocated.min(before.size);
            if let Some(free) = self.shared.space_at_start {
                if needed > free {
                    self.warn(
                        path,
                        t!(
                            "backup.warn.too_big",
                            needed = crate::ui::human_bytes(needed),
                            free = crate::ui::human_bytes(free)
                        ),
                    );
                    return Ok(());
                }
            }
            let out = dst
                .create(name, 0o600)
                .map_err(|e| self.dest_error(e, path))?;
            let copied = self.fault(FaultPoint::Write, path).and_then(|()| {
                let options = copy::CopyOptions {
                    clone: !self.shared.clone_refused.load(Ordering::Relaxed),
                    // A file with at least its length allocated has no holes to keep.
                    holes: allocated < before.size,
                };
                copy::copy_with(&input, &out, self.shared.interrupt, options)
            });
            let copied = match copied {
                Ok((c, refused)) => {
                    if refused {
                        self.shared.clone_refused.store(true, Ordering::Relaxed);
                    }
                    c.len
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {
                    return Err(super::interrupted())
                }
                Err(err) if fsx::is_no_space(&err) => return Err(self.dest_error(err, path)),
                Err(err) => {
                    drop(out);
                    self.remove_partial_copy(dst, name, 1);
                    self.warn(path, t!("backup.warn.cannot_read", error = err));
                    return Ok(());
                }
            };
            let after = match nix::sys::stat::fstat(input.as_raw_fd()) {
                Ok(st) => Meta::from_stat(&st),
                Err(err) => {
                    self.warn(path, t!("backup.warn.cannot_stat", error = err));
                    return Ok(());
                }
            };
            let stable = before.size == after.size
                && before.mtime_s == after.mtime_s
                && before.mtime_ns == after.mtime_ns
                && before.ctime_s == after.ctime_s
                && before.ctime_ns == after.ctime_ns
                && copied == after.size;
            self.finish_file(&out, &after, path)?;
            self.stats.bytes_copied += copied;
            self.shared.bytes_done.fetch_add(copied, Ordering::Relaxed);
            if stable {
                self.manifest
                    .entry(path, EntryKind::File, &after, None, true)
                    .map_err(|e| self.dest_error(e, path))?;
                self.stats.files_copied += 1;
                self.shared.files_done.fetch_add(1, Ordering::Relaxed);
                self.progress();
                return Ok(());
            }
            last = Some(after);
        }
        let meta = last.unwrap_or(node.meta);
        self.manifest
            .entry(path, EntryKind::File, &meta, None, false)
            .map_err(|e| self.dest_error(e, path))?;
        self.stats.files_copied += 1;
        self.shared.files_done.fetch_add(1, Ordering::Relaxed);
        self.warn(
            path,
            t!("backup.warn.kept_changing", attempts = COPY_ATTEMPTS),
        );
        self.progress();
        Ok(())
    }

    fn remove_partial_copy(&self, dst: &Dir, name: &OsStr, attempt: usize) {
        if attempt > 0 {
            let _ = nix::unistd::unlinkat(
                Some(dst.raw()),
                name,
                nix::unistd::UnlinkatFlags::NoRemoveDir,
            );
        }
    }

    /// Owner, permissions and mtime of a copied file, set through its descriptor.
    fn finish_file(&self, out: &std::fs::File, meta: &Meta, path: &[u8]) -> anyhow::Result<()> {
        let fd = out.as_raw_fd();
        if self.shared.as_root {
            nix::unistd::fchown(
                fd,
                Some(nix::unistd::Uid::from_raw(meta.uid)),
                Some(nix::unistd::Gid::from_raw(meta.gid)),
            )
            .map_err(|e| self.dest_error(fsx::io_err(e), path))?;
        }
        nix::sys::stat::fchmod(fd, Mode::from_bits_truncate(meta.perm() as libc::mode_t))
            .map_err(|e| self.dest_error(fsx::io_err(e), path))?;
        nix::sys::stat::futimens(fd, &nix::sys::time::TimeSpec::UTIME_OMIT, &meta.mtime())
            .map_err(|e| self.dest_error(fsx::io_err(e), path))?;
        Ok(())
    }
}

/// Sets the snapshot root's permissions and mtime from the source root.
pub fn finish_root(dst: &Dir, meta: &Meta, as_root: bool) -> io::Result<()> {
    let fd = dst.raw();
    if as_root {
        nix::unistd::fchown(
            fd,
            Some(nix::unistd::Uid::from_raw(meta.uid)),
            Some(nix::unistd::Gid::from_raw(meta.gid)),
        )
        .map_err(fsx::io_err)?;
    }
    nix::sys::stat::fchmod(fd, Mode::from_bits_truncate(meta.perm() as libc::mode_t))
        .map_err(fsx::io_err)?;
    nix::sys::stat::futimens(fd, &nix::sys::time::TimeSpec::UTIME_OMIT, &meta.mtime())
        .map_err(fsx::io_err)
}
