//! One walk of the live source tree: what exists, with its `lstat` metadata, after
//! `.backupignore` / `--exclude` rules. Symlinks are recorded as links (their target text),
//! never followed; fifos, sockets and devices are skipped with a warning. Unreadable or
//! vanishing entries become warnings, never a failed walk (only an unreadable root fails).
//!
//! The top-level sub-directories are walked by a small pool of threads (the walk is
//! dominated by `lstat` latency, which overlaps well even on two cores).

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::fsx::{Dir, FileKind, Meta};
use super::ignore::{IgnoreStack, RuleSet, IGNORE_FILE};
use super::{Interrupt, Warning};

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
}

#[derive(Default)]
struct Acc {
    warnings: Vec<Warning>,
    files: u64,
    dirs: u64,
    symlinks: u64,
    bytes: u64,
}

impl Acc {
    fn merge(&mut self, other: Acc) {
        self.warnings.extend(other.warnings);
        self.files += other.files;
        self.dirs += other.dirs;
        self.symlinks += other.symlinks;
        self.bytes += other.bytes;
    }
}

fn rel_path(parts: &[&OsStr]) -> PathBuf {
    parts.iter().collect()
}

/// Walks the source.
pub fn scan(spec: &ScanSpec<'_>) -> anyhow::Result<Scan> {
    use anyhow::Context;
    let root_dir = Dir::open_path(spec.source)
        .with_context(|| format!("cannot open source directory {}", spec.source.display()))?;
    let root_meta = root_dir.meta()?;
    let mut acc = Acc::default();
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
    let walker = Walker {
        skip_dir: spec.skip_dir,
        interrupt: spec.interrupt,
        use_ignore_files: spec.use_ignore_files,
    };
    let stack = walker.load_rules(&root_dir, &[], &base, &mut acc);
    let entries = walker.read_entries(&root_dir, &[], &stack, &mut acc)?;

    // Stat-only entries are done here; directories are walked by the pool.
    let mut children: Vec<Option<Node>> = Vec::with_capacity(entries.len());
    let mut pending: Vec<(usize, OsString, Meta)> = Vec::new();
    for (name, meta) in entries {
        if meta.kind() == FileKind::Dir {
            pending.push((children.len(), name, meta));
            children.push(None);
        } else {
            children.push(walker.leaf(&root_dir, &[], name, meta, &mut acc));
        }
    }
    let threads = spec.threads.clamp(1, 16).min(pending.len().max(1));
    if threads <= 1 {
        for (slot, name, meta) in pending {
            walker.interrupt.check()?;
            children[slot] = walker.dir_node(&root_dir, &[], name, meta, &stack, &mut acc)?;
        }
    } else {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<(usize, Option<Node>)>> = Mutex::new(Vec::new());
        let accs: Mutex<Vec<Acc>> = Mutex::new(Vec::new());
        let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                std::thread::Builder::new()
                    .stack_size(64 << 20)
                    .spawn_scoped(scope, || {
                        let mut local = Acc::default();
                        let mut out = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some((slot, name, meta)) = pending.get(i) else {
                                break;
                            };
                            let r = walker.dir_node(
                                &root_dir,
                                &[],
                                name.clone(),
                                *meta,
                                &stack,
                                &mut local,
                            );
                            match r {
                                Ok(node) => out.push((*slot, node)),
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
                    })
                    .map(|_| ())
                    .unwrap_or_else(|err| {
                        if let Ok(mut f) = failure.lock() {
                            f.get_or_insert(anyhow::anyhow!("cannot start a scan thread: {err}"));
                        }
                    });
            }
        });
        if let Some(err) = failure.into_inner().ok().flatten() {
            return Err(err);
        }
        for (slot, node) in results.into_inner().unwrap_or_default() {
            children[slot] = node;
        }
        for a in accs.into_inner().unwrap_or_default() {
            acc.merge(a);
        }
    }
    acc.warnings.sort_by(|a, b| a.path.cmp(&b.path));
    let root = Node {
        name: OsString::new(),
        meta: root_meta,
        kind: NodeKind::Dir(children.into_iter().flatten().collect()),
        action: Action::Copy,
    };
    Ok(Scan {
        root,
        warnings: acc.warnings,
        files: acc.files,
        dirs: acc.dirs,
        symlinks: acc.symlinks,
        bytes: acc.bytes,
    })
}

struct Walker<'a> {
    skip_dir: Option<(u64, u64)>,
    interrupt: &'a Interrupt,
    use_ignore_files: bool,
}

impl Walker<'_> {
    /// Reads `dir/.backupignore` (if any) into a new layer.
    fn load_rules(
        &self,
        dir: &Dir,
        parts: &[&OsStr],
        stack: &IgnoreStack,
        acc: &mut Acc,
    ) -> IgnoreStack {
        if !self.use_ignore_files {
            return stack.clone();
        }
        let name = OsStr::new(IGNORE_FILE);
        let text = match dir.open_read(name) {
            Ok(mut file) => {
                let mut buf = Vec::new();
                match io::Read::read_to_end(&mut file, &mut buf) {
                    Ok(_) => buf,
                    Err(err) => {
                        let mut p = parts.to_vec();
                        p.push(name);
                        acc.warnings
                            .push(Warning::new(rel_path(&p), format!("cannot read: {err}")));
                        return stack.clone();
                    }
                }
            }
            Err(err) if err.raw_os_error() == Some(libc::ENOENT) => return stack.clone(),
            Err(err) => {
                let mut p = parts.to_vec();
                p.push(name);
                acc.warnings
                    .push(Warning::new(rel_path(&p), format!("cannot read: {err}")));
                return stack.clone();
            }
        };
        let (rules, problems) = RuleSet::parse_text(&text);
        let mut p = parts.to_vec();
        p.push(name);
        for problem in problems {
            acc.warnings.push(Warning::new(rel_path(&p), problem));
        }
        stack.with_layer(parts.len(), rules)
    }

    /// Lists a directory, stats every entry and drops excluded ones; sorted by name bytes.
    fn read_entries(
        &self,
        dir: &Dir,
        parts: &[&OsStr],
        stack: &IgnoreStack,
        acc: &mut Acc,
    ) -> io::Result<Vec<(OsString, Meta)>> {
        let mut names = dir.list()?;
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let meta = match dir.stat(&name) {
                Ok(m) => m,
                Err(err) => {
                    let msg = if err.raw_os_error() == Some(libc::ENOENT) {
                        "vanished during the scan".to_string()
                    } else {
                        format!("cannot stat: {err}")
                    };
                    acc.warnings
                        .push(Warning::new(rel_path(parts).join(&name), msg));
                    continue;
                }
            };
            let excluded = stack.is_excluded(parts, &name, meta.kind() == FileKind::Dir);
            if !excluded {
                out.push((name, meta));
            }
        }
        Ok(out)
    }

    /// A non-directory entry (already stat'ed and not excluded).
    fn leaf(
        &self,
        dir: &Dir,
        parts: &[&OsStr],
        name: OsString,
        meta: Meta,
        acc: &mut Acc,
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
                        format!("cannot read link: {err}"),
                    ));
                    return None;
                }
            },
            other => {
                let mut p = parts.to_vec();
                p.push(&name);
                acc.warnings.push(Warning::new(
                    rel_path(&p),
                    format!("skipped: a {} is not backed up", other.describe()),
                ));
                return None;
            }
        };
        Some(Node {
            name,
            meta,
            kind,
            action: Action::Copy,
        })
    }

    /// A directory entry and everything below it.
    fn dir_node(
        &self,
        parent: &Dir,
        parts: &[&OsStr],
        name: OsString,
        meta: Meta,
        stack: &IgnoreStack,
        acc: &mut Acc,
    ) -> anyhow::Result<Option<Node>> {
        if self.skip_dir == Some((meta.dev, meta.ino)) {
            return Ok(None);
        }
        acc.dirs += 1;
        let mut my_parts: Vec<&OsStr> = parts.to_vec();
        my_parts.push(&name);
        let children = match parent.open_dir(&name) {
            Ok(dir) => {
                let stack = self.load_rules(&dir, &my_parts, stack, acc);
                match self.read_entries(&dir, &my_parts, &stack, acc) {
                    Ok(entries) => {
                        let mut children = Vec::with_capacity(entries.len());
                        for (child, child_meta) in entries {
                            self.interrupt.check()?;
                            let node = if child_meta.kind() == FileKind::Dir {
                                self.dir_node(&dir, &my_parts, child, child_meta, &stack, acc)?
                            } else {
                                self.leaf(&dir, &my_parts, child, child_meta, acc)
                            };
                            children.extend(node);
                        }
                        children
                    }
                    Err(err) => {
                        acc.warnings.push(Warning::new(
                            rel_path(&my_parts),
                            format!("cannot list directory: {err}"),
                        ));
                        Vec::new()
                    }
                }
            }
            Err(err) if err.raw_os_error() == Some(libc::ENOENT) => {
                acc.warnings.push(Warning::new(
                    rel_path(&my_parts),
                    "vanished during the scan".to_string(),
                ));
                return Ok(None);
            }
            Err(err) => {
                acc.warnings.push(Warning::new(
                    rel_path(&my_parts),
                    format!("cannot open directory: {err}"),
                ));
                Vec::new()
            }
        };
        Ok(Some(Node {
            name,
            meta,
            kind: NodeKind::Dir(children),
            action: Action::Copy,
        }))
    }
}
