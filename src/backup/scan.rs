//! One walk of the live source tree: what exists, with its `lstat` metadata, after
//! `.backupignore` / `--exclude` rules. Symlinks are recorded as links (their target text),
//! never followed; fifos, sockets and devices are skipped with a warning. Unreadable or
//! vanishing entries become warnings, never a failed walk (only an unreadable root fails).
//!
//! The top-level sub-directories are walked by a small pool of threads (the walk is
//! dominated by `lstat` latency, which overlaps well even on two cores).

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::fsx::{Dir, FileKind, Meta};
use super::ignore::{IgnoreStack, RuleSet, Verdict, IGNORE_FILE};
use super::index;
use super::plan::{judge, Matched, PlanSummary, Seen};
use super::rules::{self, Accepted, IgnoreFile, Protected};
use super::{Interrupt, Warning};
use crate::t;

/// What a node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    File,
    Symlink(OsString),
    /// Children sorted by name bytes.
    Dir(Vec<Node>),
}

/// What the snapshot does with a regular file (decided by [`super::plan`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Action {
    /// Copy from the source.
    #[default]
    Copy,
    /// Unchanged since the previous snapshot: hardlink to it.
    Link,
}

/// One entry of the scanned tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: OsString,
    pub meta: Meta,
    pub kind: NodeKind,
    pub action: Action,
    /// A folder of a [`shallow`] walk whose contents are not walked yet: its writer walks
    /// them ([`Shallow::expand`]) when it comes to it, and frees them once written.
    pub deferred: bool,
}

/// The result of a walk.
#[derive(Debug)]
pub struct Scan {
    /// The source root (its `name` is empty).
    pub root: Node,
    pub warnings: Vec<Warning>,
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    pub bytes: u64,
    /// Every `.backupignore` read, in path order.
    pub ignore_files: Vec<IgnoreFile>,
    /// Per `.backupignore` that is not accepted: how many of the paths its rules match (and
    /// that are kept anyway) the reference holds, and how many are new.
    pub rule_counts: BTreeMap<Vec<u8>, (u64, u64)>,
    /// Paths matched only by rules not accepted, to count once the reference is known
    /// ([`Reference::Later`], see [`count_pending`]): (path, the `.backupignore`).
    pub pending_matches: Vec<(Vec<u8>, Arc<[u8]>)>,
}

/// What the paths that only rules the user has not accepted would leave out are counted
/// against. Such paths are always walked and kept: the counts only say how many the
/// reference (the last snapshot) holds and how many are new.
#[derive(Clone, Copy, Default)]
pub enum Reference<'a> {
    /// No reference: such paths count as new.
    #[default]
    Nothing,
    /// Known after the walk: such paths are collected in [`Scan::pending_matches`].
    Later,
    /// Whether the reference holds a path (`/`-separated bytes from the root).
    Known(&'a (dyn Fn(&[u8]) -> bool + Sync)),
}

/// Inputs of a walk.
pub struct ScanSpec<'a> {
    pub source: &'a Path,
    /// `--exclude` patterns (gitignore syntax, relative to the source root).
    pub excludes: &'a [String],
    /// A directory never to enter (the destination when it lies inside the source).
    pub skip_dir: Option<(u64, u64)>,
    pub threads: usize,
    pub interrupt: &'a Interrupt,
    /// Read `.backupignore` files (false when walking a previous snapshot).
    pub use_ignore_files: bool,
    /// Paths no `.backupignore` leaves out (`None`: no such protection, for walks of
    /// snapshots).
    pub protected: Option<&'a Protected>,
    /// Which `.backupignore` texts are accepted (`None`: all of them).
    pub accepted: Option<&'a Accepted>,
    pub reference: Reference<'a>,
}

impl<'a> ScanSpec<'a> {
    /// A walk of a snapshot folder (or any tree taken as it is: no ignore files).
    pub fn plain(source: &'a Path, interrupt: &'a Interrupt) -> ScanSpec<'a> {
        ScanSpec {
            source,
            excludes: &[],
            skip_dir: None,
            threads: 2,
            interrupt,
            use_ignore_files: false,
            protected: None,
            accepted: None,
            reference: Reference::Nothing,
        }
    }
}

/// A walk that judges every path against the previous snapshot as it goes, keeping no
/// tree (see [`check`]).
pub struct CheckCtx<'a> {
    /// The previous snapshot's side file (`None`: there is none, every path is new).
    stream: Option<&'a index::Stream>,
    /// Stop at the first path that is new or changed (or a file that needs its bytes read)
    /// instead of judging the whole tree.
    stop_early: bool,
    /// Set once a path is new or changed (or a file needs its bytes read) and `stop_early`:
    /// the walk stops, a snapshot is due (or the full comparison decides).
    stop: AtomicBool,
}

/// One thread's share of a [`check`].
struct Judging<'s> {
    cursor: Option<index::StreamCursor<'s>>,
    /// A second cursor, for what the rules not accepted match (looked up in listing order,
    /// ahead of the judging): counted as the walk goes instead of collected.
    holds: Option<index::StreamCursor<'s>>,
    sum: PlanSummary,
    matched: Matched,
    path: Vec<u8>,
}

#[derive(Default)]
struct Acc<'s> {
    judging: Option<Judging<'s>>,
    warnings: Vec<Warning>,
    files: u64,
    dirs: u64,
    symlinks: u64,
    bytes: u64,
    ignore_files: Vec<IgnoreFile>,
    counts: BTreeMap<Vec<u8>, (u64, u64)>,
    pending_matches: Vec<(Vec<u8>, Arc<[u8]>)>,
}

impl<'s> Acc<'s> {
    fn merge(&mut self, other: Acc<'s>) {
        if let (Some(mine), Some(theirs)) = (self.judging.as_mut(), other.judging) {
            mine.sum.add(theirs.sum);
            mine.matched.add(theirs.matched);
        }
        self.warnings.extend(other.warnings);
        self.files += other.files;
        self.dirs += other.dirs;
        self.symlinks += other.symlinks;
        self.bytes += other.bytes;
        self.ignore_files.extend(other.ignore_files);
        for (k, (held, hidden)) in other.counts {
            let c = self.counts.entry(k).or_default();
            c.0 += held;
            c.1 += hidden;
        }
        self.pending_matches.extend(other.pending_matches);
    }

    fn count(&mut self, file: &Arc<[u8]>, held: bool) {
        let c = self.counts.entry(file.to_vec()).or_default();
        if held {
            c.0 += 1;
        } else {
            c.1 += 1;
        }
    }
}

/// The path of `name` in the folder `parts`, as `/`-separated bytes.
fn rel_bytes(parts: &[&OsStr], name: &OsStr) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(p.as_bytes());
        out.push(b'/');
    }
    out.extend_from_slice(name.as_bytes());
    out
}

/// Byte order of two names, eight bytes at a time as big-endian words (names in one folder
/// share long prefixes, `module-file-`, `index.`; a call of `memcmp` per comparison costs
/// more than the comparison). The same loop as [`super::plan::walk_cmp`]'s, kept apart on
/// purpose: here the words' own order is the answer, while a shared "first differing byte"
/// helper cost this sort 3.5% more instructions in a no-change check.
fn name_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let word = |s: &[u8], i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        u64::from_be_bytes(w)
    };
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let (x, y) = (word(a, i), word(b, i));
        if x != y {
            return x.cmp(&y);
        }
        i += 8;
    }
    while i < n {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

/// What the walk does with one entry.
enum Take {
    Drop,
    Keep,
    /// A folder the rules leave out, entered only for the protected paths below it.
    ProtectedOnly,
}

fn rel_path(parts: &[&OsStr]) -> PathBuf {
    parts.iter().collect()
}

/// Walks the source.
pub fn scan(spec: &ScanSpec<'_>) -> anyhow::Result<Scan> {
    Ok(walk_with(spec, None, None)?.0)
}

/// What [`check`] found.
pub struct Checked {
    /// The walk (its root has no children: no tree is kept).
    pub scan: Scan,
    /// The comparison, complete (see [`PlanSummary::finish`]) when the walk was not stopped.
    pub plan: PlanSummary,
    /// Stopped at the first path that is new or changed, or at a file whose ctime moved:
    /// the counts are partial, and the full comparison must decide.
    pub stopped: bool,
}

/// Walks the source and compares every path with the previous snapshot's side file as
/// it goes, in walk order, keeping no tree: the memory of a no-change check does not grow
/// with the number of files. The answer counts only if `stream` passes
/// [`index::Stream::verify`] (the caller's part). Without `stream` (no previous snapshot)
/// every path is new. With `stop_early` the walk stops at the first path that is new or
/// changed, or at a file whose bytes must be read; else every path is judged and the plan's
/// counts are complete (the totals a snapshot's writing is shown against).
pub fn check(
    spec: &ScanSpec<'_>,
    stream: Option<&index::Stream>,
    stop_early: bool,
) -> anyhow::Result<Checked> {
    let ctx = CheckCtx {
        stream,
        stop_early,
        stop: AtomicBool::new(false),
    };
    let (scan, judged) = walk_with(spec, Some(&ctx), None)?;
    let stopped = ctx.stop.load(Ordering::Relaxed);
    let mut plan = PlanSummary::default();
    if let Some((sum, matched)) = judged {
        plan = sum;
        plan.finish(matched, stream.map(|s| (s.len() as u64, s.files())));
    }
    Ok(Checked {
        scan,
        plan,
        stopped,
    })
}

/// A walk of the source that stops at the folders the writer's threads share out (the
/// top-level folders, or their sub-folders when there are only a few): those are in the
/// tree as [`Node::deferred`] folders, walked one at a time by [`Shallow::expand`] when
/// they are written. A snapshot is written this way with no more of the tree in memory
/// than the folders being written.
pub struct Shallow<'a> {
    /// The walk down to the deferred folders (their own entries included).
    pub scan: Scan,
    walker: Walker<'a>,
    deferred: std::collections::HashMap<Vec<u8>, Unit>,
}

/// What [`Shallow::expand`] walked.
pub struct Expanded {
    /// The folder and everything below it (`None`: it is gone, or it is the folder the
    /// walk never enters).
    pub node: Option<Node>,
    pub warnings: Vec<Warning>,
}

/// Walks the source down to the folders its writers share out (see [`Shallow`]).
pub fn shallow<'a>(spec: &ScanSpec<'a>) -> anyhow::Result<Shallow<'a>> {
    let mut deferred = std::collections::HashMap::new();
    let (scan, _) = walk_with(spec, None, Some(&mut deferred))?;
    Ok(Shallow {
        scan,
        walker: Walker::of(spec, Reference::Nothing, None),
        deferred,
    })
}

impl Shallow<'_> {
    /// Walks the deferred folder at `rel` (`/`-separated bytes from the root) and
    /// everything below it. A path that is not a deferred folder walks nothing.
    pub fn expand(&self, rel: &[u8]) -> anyhow::Result<Expanded> {
        let Some(unit) = self.deferred.get(rel) else {
            return Ok(Expanded {
                node: None,
                warnings: Vec::new(),
            });
        };
        let mut acc = self.walker.new_acc();
        let parts: Vec<&OsStr> = unit.parts.iter().map(OsString::as_os_str).collect();
        let node = self.walker.dir_node(
            &unit.parent,
            &parts,
            unit.name.clone(),
            unit.meta,
            &unit.stack,
            &mut acc,
        )?;
        Ok(Expanded {
            node,
            warnings: acc.warnings,
        })
    }
}

/// Walks the source; with `check`, judges every path instead of keeping it; with `defer`,
/// leaves the folders the pool would walk unwalked, recording them there by path.
fn walk_with<'a>(
    spec: &ScanSpec<'a>,
    check: Option<&'a CheckCtx<'a>>,
    defer: Option<&mut std::collections::HashMap<Vec<u8>, Unit>>,
) -> anyhow::Result<(Scan, Option<(PlanSummary, Matched)>)> {
    use anyhow::Context;
    let root_dir = Dir::open_path(spec.source)
        .with_context(|| t!("backup.cannot_open_source", path = spec.source.display()))?;
    let root_meta = root_dir.meta()?;
    let root_dir = Arc::new(root_dir);
    let walker = Walker::of(spec, spec.reference, check);
    let mut acc = walker.new_acc();
    let cli = if spec.excludes.is_empty() {
        None
    } else {
        let (rules, problems) = RuleSet::parse(spec.excludes.iter().map(String::as_str));
        for p in problems {
            acc.warnings
                .push(Warning::new(PathBuf::new(), format!("--exclude: {p}")));
        }
        Some(rules)
    };
    let base = IgnoreStack::new(cli);
    let (stack, entries) = walker.rules_and_entries(&root_dir, &[], &base, &mut acc)?;

    // Stat-only entries are done here; directories become units for the pool.
    let mut children: Vec<Option<Node>> = Vec::with_capacity(entries.len());
    let mut units: Vec<Unit> = Vec::new();
    for (name, meta, only_protected) in entries {
        if meta.kind() == FileKind::Dir {
            units.push(Unit {
                parent: Arc::clone(&root_dir),
                parts: Vec::new(),
                name,
                meta,
                stack: sub_stack(&stack, only_protected),
                slot: (children.len(), None),
            });
            children.push(None);
        } else {
            children.push(walker.leaf(&root_dir, &[], name, meta, &mut acc));
        }
    }
    let threads = spec.threads.clamp(1, 16);
    // Few top-level folders (a project with one big `src/` or `node_modules/`): list them
    // here and hand their sub-folders to the pool instead, so the work spreads.
    let mut shells: Vec<Option<Shell>> = children.iter().map(|_| None).collect();
    if threads > 1 && units.len() < threads * 4 {
        let mut expanded = Vec::new();
        for unit in units {
            spec.interrupt.check()?;
            let parts = [unit.name.as_os_str()];
            let listing = walker.open_listing(
                &unit.parent,
                &[],
                &unit.name,
                &unit.meta,
                &unit.stack,
                &mut acc,
            );
            let mut kids: Vec<Option<Node>> = Vec::new();
            match listing {
                Listing::Skipped => continue,
                Listing::Empty => {}
                Listing::Entries(dir, st, entries) => {
                    let dir = Arc::new(dir);
                    for (child, child_meta, only_protected) in entries {
                        if child_meta.kind() == FileKind::Dir {
                            expanded.push(Unit {
                                parent: Arc::clone(&dir),
                                parts: vec![unit.name.clone()],
                                name: child,
                                meta: child_meta,
                                stack: sub_stack(&st, only_protected),
                                slot: (unit.slot.0, Some(kids.len())),
                            });
                            kids.push(None);
                        } else {
                            kids.push(walker.leaf(&dir, &parts, child, child_meta, &mut acc));
                        }
                    }
                }
            }
            shells[unit.slot.0] = Some((unit.name, unit.meta, kids));
        }
        units = expanded;
    }

    let results = match defer {
        None => run_units(&walker, &units, threads, &mut acc)?,
        Some(deferred) => {
            let mut out = Vec::with_capacity(units.len());
            for unit in units {
                if spec.skip_dir == Some((unit.meta.dev, unit.meta.ino)) {
                    continue;
                }
                let parts: Vec<&OsStr> = unit.parts.iter().map(OsString::as_os_str).collect();
                let rel = rel_bytes(&parts, &unit.name);
                let node = Node {
                    name: unit.name.clone(),
                    meta: unit.meta,
                    kind: NodeKind::Dir(Vec::new()),
                    action: Action::Copy,
                    deferred: true,
                };
                out.push((unit.slot, Some(node)));
                deferred.insert(rel, unit);
            }
            out
        }
    };
    for ((top, inner), node) in results {
        match inner {
            None => children[top] = node,
            Some(j) => {
                if let Some((_, _, kids)) = shells.get_mut(top).and_then(Option::as_mut) {
                    if let Some(slot) = kids.get_mut(j) {
                        *slot = node;
                    }
                }
            }
        }
    }
    for (i, shell) in shells.into_iter().enumerate() {
        if let Some((name, meta, kids)) = shell {
            children[i] = Some(Node {
                name,
                meta,
                kind: NodeKind::Dir(kids.into_iter().flatten().collect()),
                action: Action::Copy,
                deferred: false,
            });
        }
    }
    acc.warnings.sort_by(|a, b| a.path.cmp(&b.path));
    acc.ignore_files.sort_by(|a, b| a.path.cmp(&b.path));
    let root = Node {
        name: OsString::new(),
        meta: root_meta,
        kind: NodeKind::Dir(children.into_iter().flatten().collect()),
        action: Action::Copy,
        deferred: false,
    };
    let judged = acc.judging.take().map(|j| (j.sum, j.matched));
    let scan = Scan {
        root,
        warnings: acc.warnings,
        files: acc.files,
        dirs: acc.dirs,
        symlinks: acc.symlinks,
        bytes: acc.bytes,
        ignore_files: acc.ignore_files,
        rule_counts: acc.counts,
        pending_matches: acc.pending_matches,
    };
    Ok((scan, judged))
}

/// The stack a sub-folder is walked with.
fn sub_stack(stack: &IgnoreStack, only_protected: bool) -> IgnoreStack {
    if only_protected && !stack.only_protected() {
        stack.for_protected_only()
    } else {
        stack.clone()
    }
}

/// Counts the paths a walk made with [`Reference::Later`] collected, now that `holds` tells
/// what the reference (the last snapshot) has.
pub fn count_pending(scan: &mut Scan, holds: &dyn Fn(&[u8]) -> bool) {
    for (rel, file) in std::mem::take(&mut scan.pending_matches) {
        let c = scan.rule_counts.entry(file.to_vec()).or_default();
        if holds(&rel) {
            c.0 += 1;
        } else {
            c.1 += 1;
        }
    }
}

/// A folder to walk completely, and where its node goes: (top-level index, index inside
/// that top-level folder when the top level was split).
struct Unit {
    parent: Arc<Dir>,
    parts: Vec<OsString>,
    name: OsString,
    meta: Meta,
    stack: IgnoreStack,
    slot: (usize, Option<usize>),
}

type Slot = (usize, Option<usize>);

/// A split top-level folder: name, metadata and its children (sub-folders filled in later).
type Shell = (OsString, Meta, Vec<Option<Node>>);

/// Walks every unit, on `threads` threads when there is more than one unit.
fn run_units<'a>(
    walker: &Walker<'a>,
    units: &[Unit],
    threads: usize,
    acc: &mut Acc<'a>,
) -> anyhow::Result<Vec<(Slot, Option<Node>)>> {
    let walk = |unit: &Unit, acc: &mut Acc<'_>| {
        let parts: Vec<&OsStr> = unit.parts.iter().map(OsString::as_os_str).collect();
        walker.dir_node(
            &unit.parent,
            &parts,
            unit.name.clone(),
            unit.meta,
            &unit.stack,
            acc,
        )
    };
    let threads = threads.min(units.len().max(1));
    if threads <= 1 {
        let mut out = Vec::with_capacity(units.len());
        for unit in units {
            walker.interrupt.check()?;
            let node = walk(unit, acc)?;
            if walker.check.is_none() {
                out.push((unit.slot, node));
            }
        }
        return Ok(out);
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(Slot, Option<Node>)>> = Mutex::new(Vec::new());
    let accs: Mutex<Vec<Acc>> = Mutex::new(Vec::new());
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let spawned = std::thread::Builder::new()
                .stack_size(64 << 20)
                .spawn_scoped(scope, || {
                    let mut local = walker.new_acc();
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(unit) = units.get(i) else { break };
                        if walker.stopped() {
                            break;
                        }
                        match walk(unit, &mut local) {
                            // A check keeps no tree: not even the folders it shares out.
                            Ok(node) if walker.check.is_none() => out.push((unit.slot, node)),
                            Ok(_) => {}
                            Err(err) => {
                                if let Ok(mut f) = failure.lock() {
                                    f.get_or_insert(err);
                                }
                                // Make the other workers stop picking up work.
                                next.store(usize::MAX / 2, Ordering::Relaxed);
                                break;
                            }
                        }
                    }
                    if let Ok(mut r) = results.lock() {
                        r.extend(out);
                    }
                    if let Ok(mut a) = accs.lock() {
                        a.push(local);
                    }
                });
            if let Err(err) = spawned {
                if let Ok(mut f) = failure.lock() {
                    f.get_or_insert(anyhow::anyhow!(t!(
                        "backup.cannot_start_thread",
                        error = err
                    )));
                }
                next.store(usize::MAX / 2, Ordering::Relaxed);
            }
        }
    });
    if let Some(err) = failure.into_inner().ok().flatten() {
        return Err(err);
    }
    for a in accs.into_inner().unwrap_or_default() {
        acc.merge(a);
    }
    Ok(results.into_inner().unwrap_or_default())
}

/// What opening a folder gave.
enum Listing {
    /// Not part of the tree (vanished, or the folder to skip).
    Skipped,
    /// Kept, but its contents could not be read (a warning was recorded).
    Empty,
    Entries(Dir, IgnoreStack, Vec<(OsString, Meta, bool)>),
}

struct Walker<'a> {
    check: Option<&'a CheckCtx<'a>>,
    skip_dir: Option<(u64, u64)>,
    interrupt: &'a Interrupt,
    use_ignore_files: bool,
    protected: Option<&'a Protected>,
    accepted: Option<&'a Accepted>,
    reference: Reference<'a>,
}

impl<'a> Walker<'a> {
    fn of(
        spec: &ScanSpec<'a>,
        reference: Reference<'a>,
        check: Option<&'a CheckCtx<'a>>,
    ) -> Walker<'a> {
        Walker {
            check,
            skip_dir: spec.skip_dir,
            interrupt: spec.interrupt,
            use_ignore_files: spec.use_ignore_files,
            protected: spec.protected,
            accepted: spec.accepted,
            reference,
        }
    }

    /// A thread's accumulator (with its own cursor when judging).
    fn new_acc(&self) -> Acc<'a> {
        Acc {
            judging: self.check.map(|c| Judging {
                cursor: c.stream.map(index::Stream::cursor),
                holds: c.stream.map(index::Stream::cursor),
                sum: PlanSummary::default(),
                matched: Matched::default(),
                path: Vec::new(),
            }),
            ..Acc::default()
        }
    }

    /// Whether a check found what stops it.
    fn stopped(&self) -> bool {
        self.check.is_some_and(|c| c.stop.load(Ordering::Relaxed))
    }

    /// When checking: judges the entry `name` of the folder `parts` (see [`check`]).
    fn see(&self, parts: &[&OsStr], name: &OsStr, seen: Seen<'_>, meta: &Meta, acc: &mut Acc<'_>) {
        let (Some(ctx), Some(j)) = (self.check, acc.judging.as_mut()) else {
            return;
        };
        j.path.clear();
        for p in parts {
            j.path.extend_from_slice(p.as_bytes());
            j.path.push(b'/');
        }
        j.path.extend_from_slice(name.as_bytes());
        let before = j.cursor.as_mut().and_then(|c| c.find(&j.path));
        judge(
            &j.path,
            seen,
            meta,
            before.as_ref(),
            false,
            &mut j.sum,
            &mut j.matched,
        );
        if ctx.stop_early && (j.sum.added > 0 || j.sum.modified > 0 || !j.sum.suspects.is_empty()) {
            ctx.stop.store(true, Ordering::Relaxed);
        }
    }

    /// Whether an entry the rules do not simply keep is protected, or a folder above a
    /// protected path.
    fn protection(&self, rel: &[u8], is_dir: bool) -> Take {
        match self.protected {
            Some(p) if p.covers(rel) => Take::Keep,
            Some(p) if is_dir && p.leads_to(rel) => Take::ProtectedOnly,
            _ => Take::Drop,
        }
    }

    /// What to do with the entry `name` of the folder `parts`.
    fn take(
        &self,
        stack: &IgnoreStack,
        parts: &[&OsStr],
        name: &OsStr,
        is_dir: bool,
        acc: &mut Acc<'_>,
    ) -> Take {
        if stack.only_protected() {
            return self.protection(&rel_bytes(parts, name), is_dir);
        }
        match stack.verdict(parts, name, is_dir) {
            Verdict::Keep => Take::Keep,
            Verdict::ExcludeByCommandLine => Take::Drop,
            Verdict::Exclude => self.protection(&rel_bytes(parts, name), is_dir),
            Verdict::Pending(file) => {
                // Not accepted: no effect. Only counted, for the reports (protected paths
                // are never left out, so they do not count).
                let rel = rel_bytes(parts, name);
                if self.protected.is_some_and(|p| p.covers(&rel)) {
                    return Take::Keep;
                }
                let held = acc
                    .judging
                    .as_mut()
                    .and_then(|j| j.holds.as_mut())
                    .map(|c| c.holds(&rel));
                match self.reference {
                    Reference::Later => match held {
                        Some(held) => acc.count(&file, held),
                        None => acc.pending_matches.push((rel, file)),
                    },
                    Reference::Known(holds) => acc.count(&file, holds(&rel)),
                    Reference::Nothing => acc.count(&file, false),
                }
                Take::Keep
            }
        }
    }

    /// Reads `dir/.backupignore` (if any) into a new layer.
    fn load_rules(
        &self,
        dir: &Dir,
        parts: &[&OsStr],
        stack: &IgnoreStack,
        acc: &mut Acc<'_>,
    ) -> IgnoreStack {
        if !self.use_ignore_files {
            return stack.clone();
        }
        let name = OsStr::new(IGNORE_FILE);
        let mut p = parts.to_vec();
        p.push(name);
        let text = match dir.open_read(name) {
            Ok(file) => {
                let mut buf = Vec::new();
                match file.take(rules::MAX_IGNORE_BYTES + 1).read_to_end(&mut buf) {
                    Ok(_) => buf,
                    Err(err) => {
                        acc.warnings.push(Warning::new(
                            rel_path(&p),
                            t!("backup.warn.cannot_read", error = err),
                        ));
                        return stack.clone();
                    }
                }
            }
            Err(err) if err.raw_os_error() == Some(libc::ENOENT) => return stack.clone(),
            Err(err) => {
                acc.warnings.push(Warning::new(
                    rel_path(&p),
                    t!("backup.warn.cannot_read", error = err),
                ));
                return stack.clone();
            }
        };
        let rel = rel_bytes(parts, name);
        let hash = rules::text_hash(&text);
        let patterns = text
            .split(|b| *b == b'\n')
            .filter(|l| {
                let l = l.trim_ascii();
                !l.is_empty() && !l.starts_with(b"#")
            })
            .count();
        if text.len() as u64 > rules::MAX_IGNORE_BYTES || patterns > rules::MAX_IGNORE_PATTERNS {
            acc.warnings.push(Warning::new(
                rel_path(&p),
                t!(
                    "backup.warn.ignore_too_big",
                    bytes = crate::ui::human_bytes(rules::MAX_IGNORE_BYTES),
                    patterns = rules::MAX_IGNORE_PATTERNS
                ),
            ));
            acc.ignore_files.push(IgnoreFile {
                path: rel,
                hash,
                accepted: false,
                over_limit: true,
            });
            return stack.clone();
        }
        let accepted = self.accepted.is_none_or(|a| a.accepts(&rel, &text, &hash));
        let (rules, problems) = RuleSet::parse_text(&text);
        for problem in problems {
            acc.warnings.push(Warning::new(rel_path(&p), problem));
        }
        acc.ignore_files.push(IgnoreFile {
            path: rel.clone(),
            hash,
            accepted,
            over_limit: false,
        });
        stack.with_file(parts.len(), rules, accepted, Arc::from(rel))
    }

    /// Lists a directory, reads its `.backupignore` when the listing has one (no probe of a
    /// file that is not there: most folders have none), stats every entry and drops excluded
    /// ones; sorted by name bytes.
    #[allow(clippy::type_complexity)]
    fn rules_and_entries(
        &self,
        dir: &Dir,
        parts: &[&OsStr],
        stack: &IgnoreStack,
        acc: &mut Acc<'_>,
    ) -> io::Result<(IgnoreStack, Vec<(OsString, Meta, bool)>)> {
        let names = dir.list()?;
        let stack = if names.iter().any(|n| n == IGNORE_FILE) {
            self.load_rules(dir, parts, stack, acc)
        } else {
            stack.clone()
        };
        let entries = self.read_entries(names, dir, parts, &stack, acc);
        Ok((stack, entries))
    }

    /// Stats the listed entries and drops excluded ones; sorted by name bytes.
    fn read_entries(
        &self,
        mut names: Vec<OsString>,
        dir: &Dir,
        parts: &[&OsStr],
        stack: &IgnoreStack,
        acc: &mut Acc<'_>,
    ) -> Vec<(OsString, Meta, bool)> {
        // Names in a folder are unique: an unstable sort gives the one order, and faster.
        names.sort_unstable_by(|a, b| name_cmp(a.as_bytes(), b.as_bytes()));
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let meta = match dir.stat(&name) {
                Ok(m) => m,
                Err(err) => {
                    let msg = if err.raw_os_error() == Some(libc::ENOENT) {
                        t!("backup.warn.vanished_scan")
                    } else {
                        t!("backup.warn.cannot_stat", error = err)
                    };
                    acc.warnings
                        .push(Warning::new(rel_path(parts).join(&name), msg));
                    continue;
                }
            };
            let is_dir = meta.kind() == FileKind::Dir;
            match self.take(stack, parts, &name, is_dir, acc) {
                Take::Keep => out.push((name, meta, false)),
                Take::ProtectedOnly => out.push((name, meta, true)),
                Take::Drop => {}
            }
        }
        out
    }

    /// A non-directory entry (already stat'ed and not excluded).
    fn leaf(
        &self,
        dir: &Dir,
        parts: &[&OsStr],
        name: OsString,
        meta: Meta,
        acc: &mut Acc<'_>,
    ) -> Option<Node> {
        let kind = match meta.kind() {
            FileKind::File => {
                acc.files += 1;
                acc.bytes += meta.size;
                NodeKind::File
            }
            FileKind::Symlink => match dir.readlink(&name) {
                Ok(target) => {
                    acc.symlinks += 1;
                    NodeKind::Symlink(target)
                }
                Err(err) => {
                    let mut p = parts.to_vec();
                    p.push(&name);
                    acc.warnings.push(Warning::new(
                        rel_path(&p),
                        t!("backup.warn.cannot_readlink", error = err),
                    ));
                    return None;
                }
            },
            other => {
                let mut p = parts.to_vec();
                p.push(&name);
                acc.warnings.push(Warning::new(
                    rel_path(&p),
                    t!("backup.warn.skipped_kind", kind = other.describe()),
                ));
                return None;
            }
        };
        let seen = match &kind {
            NodeKind::Symlink(t) => Seen::Symlink(t.as_bytes()),
            _ => Seen::File,
        };
        self.see(parts, &name, seen, &meta, acc);
        if self.check.is_some() {
            return None;
        }
        Some(Node {
            name,
            meta,
            kind,
            action: Action::Copy,
            deferred: false,
        })
    }

    /// Opens a folder, reads its `.backupignore` and lists it (counting it as a folder).
    fn open_listing(
        &self,
        parent: &Dir,
        parts: &[&OsStr],
        name: &OsStr,
        meta: &Meta,
        stack: &IgnoreStack,
        acc: &mut Acc<'_>,
    ) -> Listing {
        if self.skip_dir == Some((meta.dev, meta.ino)) {
            return Listing::Skipped;
        }
        let mut my_parts: Vec<&OsStr> = parts.to_vec();
        my_parts.push(name);
        match parent.open_dir(name) {
            Ok(dir) => {
                acc.dirs += 1;
                self.see(parts, name, Seen::Dir, meta, acc);
                match self.rules_and_entries(&dir, &my_parts, stack, acc) {
                    Ok((stack, entries)) => Listing::Entries(dir, stack, entries),
                    Err(err) => {
                        acc.warnings.push(Warning::new(
                            rel_path(&my_parts),
                            t!("backup.warn.cannot_list_dir", error = err),
                        ));
                        Listing::Empty
                    }
                }
            }
            Err(err) if err.raw_os_error() == Some(libc::ENOENT) => {
                acc.warnings.push(Warning::new(
                    rel_path(&my_parts),
                    t!("backup.warn.vanished_scan"),
                ));
                Listing::Skipped
            }
            Err(err) => {
                acc.dirs += 1;
                self.see(parts, name, Seen::Dir, meta, acc);
                acc.warnings.push(Warning::new(
                    rel_path(&my_parts),
                    t!("backup.warn.cannot_open_dir", error = err),
                ));
                Listing::Empty
            }
        }
    }

    /// A directory entry and everything below it.
    fn dir_node(
        &self,
        parent: &Dir,
        parts: &[&OsStr],
        name: OsString,
        meta: Meta,
        stack: &IgnoreStack,
        acc: &mut Acc<'_>,
    ) -> anyhow::Result<Option<Node>> {
        let children = match self.open_listing(parent, parts, &name, &meta, stack, acc) {
            Listing::Skipped => return Ok(None),
            Listing::Empty => Vec::new(),
            Listing::Entries(dir, stack, entries) => {
                let mut my_parts: Vec<&OsStr> = parts.to_vec();
                my_parts.push(&name);
                // A check keeps no tree: no room for one either.
                let mut children = match self.check {
                    None => Vec::with_capacity(entries.len()),
                    Some(_) => Vec::new(),
                };
                for (child, child_meta, only_protected) in entries {
                    self.interrupt.check()?;
                    if self.stopped() {
                        break;
                    }
                    let node = if child_meta.kind() == FileKind::Dir {
                        let sub = sub_stack(&stack, only_protected);
                        self.dir_node(&dir, &my_parts, child, child_meta, &sub, acc)?
                    } else {
                        self.leaf(&dir, &my_parts, child, child_meta, acc)
                    };
                    // A check keeps no tree: not even the folders.
                    if self.check.is_none() {
                        children.extend(node);
                    }
                }
                children
            }
        };
        Ok(Some(Node {
            name,
            meta,
            kind: NodeKind::Dir(children),
            action: Action::Copy,
            deferred: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::name_cmp;

    #[test]
    fn name_cmp_is_byte_order_at_every_length_and_offset() {
        let parts: [&[u8]; 5] = [b"a", b"module-file-", b"\xff", b"0", b""];
        let mut names: Vec<Vec<u8>> = Vec::new();
        for p in parts {
            for q in parts {
                for r in parts {
                    names.push([p, q, r].concat());
                }
            }
        }
        for a in &names {
            for b in &names {
                assert_eq!(name_cmp(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}
