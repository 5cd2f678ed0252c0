//! `snapshots`, `diff`, `restore` and `history`: browsing and restoring the snapshot chain
//! (commands the original does not have). The work is done by `crate::backup`; this file
//! finds the chain (a configured mount, or `--dest-dir`/`--source-dir`), renders and prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::backup::chain::Civil;
use crate::backup::diff::{self, Change, ChangeKind, DiffStat, Listing};
use crate::backup::fsx::Dir;
use crate::backup::history::{self, VersionChange};
use crate::backup::restore::{self, NotInSnapshot, RestoreSpec};
use crate::backup::select::select;
use crate::backup::{self, beneath, lock, BackupOptions, EntryKind, Interrupt, Snapshot};
use crate::cli::GlobalArgs;
use crate::config;
use crate::ui::human_bytes;
use crate::{ErrorKind, UserError};

/// Where the snapshots are: a configured mount, or folders given directly.
#[derive(Debug, Clone, Args)]
pub struct ChainArgs {
    /// Use this snapshot folder directly, without the config
    #[arg(long, value_name = "DIR")]
    pub dest_dir: Option<PathBuf>,
    /// The live folder the snapshots are of (with --dest-dir)
    #[arg(long, value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SnapshotsArgs {
    /// A configured mount (its source folder, or any folder inside it); default: the mount
    /// that contains the current folder
    #[arg(value_name = "MOUNT")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Snapshot to compare (name, unique prefix, latest, latest~N); default: latest
    #[arg(value_name = "SNAP")]
    pub snap: Option<String>,
    /// Second snapshot; default: the live folder now
    #[arg(value_name = "SNAP2")]
    pub snap2: Option<String>,
    /// Only list changed paths with a summary, no file contents
    #[arg(long)]
    pub stat: bool,
    /// Only these paths (files or folders, relative to the mount or absolute)
    #[arg(last = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The mount (its source folder, or a folder inside it); default: the current folder's
    #[arg(long, value_name = "DIRECTORY")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// Snapshot to restore from (name, unique prefix, latest, latest~N)
    #[arg(value_name = "SNAP")]
    pub snap: String,
    /// Files or folders to restore (relative to the mount or absolute); default: everything
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Restore into this folder instead of the live one
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// Also delete files and folders created since the snapshot (never what .backupignore
    /// leaves out)
    #[arg(long)]
    pub delete_new: bool,
    /// The mount (its source folder, or a folder inside it); default: the current folder's
    #[arg(long, value_name = "DIRECTORY")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
}

#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// The file (relative to the mount or absolute)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The mount (its source folder, or a folder inside it); default: the current folder's
    #[arg(long, value_name = "DIRECTORY")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
}

/// A resolved chain.
struct Chain {
    /// The live folder (canonical), when known.
    source: Option<PathBuf>,
    /// The snapshot folder (canonical).
    dest: PathBuf,
    /// How to name this chain again on a command line (`--mount X` or `--dest-dir ...`).
    flags: Vec<String>,
}

impl Chain {
    fn source(&self, what: &str) -> anyhow::Result<&Path> {
        self.source.as_deref().ok_or_else(|| {
            UserError::usage(format!(
                "{what} needs the live folder of the snapshots in {}",
                self.dest.display()
            ))
            .hint("add --source-dir DIR (the folder that was backed up)")
            .into()
        })
    }

    fn snapshots(&self) -> anyhow::Result<Vec<Snapshot>> {
        backup::list_snapshots(&self.dest)
            .map_err(|e| anyhow::anyhow!("cannot list snapshots in {}: {e}", self.dest.display()))
    }

    fn pick<'s>(&self, snapshots: &'s [Snapshot], spec: &str) -> anyhow::Result<&'s Snapshot> {
        let names: Vec<String> = snapshots.iter().map(|s| s.name.clone()).collect();
        select(&names, spec)
            .map(|i| &snapshots[i])
            .map_err(|e| e.into_user_error(&self.dest).into())
    }

    fn flags_text(&self) -> String {
        self.flags
            .iter()
            .map(|f| shell_words::quote(f).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn absolute(path: &Path) -> PathBuf {
    let expanded = config::expand_tilde(path);
    let abs = if expanded.is_absolute() {
        expanded
    } else {
        std::env::current_dir()
            .map(|d| d.join(&expanded))
            .unwrap_or(expanded)
    };
    std::fs::canonicalize(&abs).unwrap_or(abs)
}

fn existing_dir(path: &Path, what: &str, flag: &str) -> anyhow::Result<PathBuf> {
    let abs = absolute(path);
    if abs.is_dir() {
        Ok(abs)
    } else {
        Err(
            UserError::usage(format!("{what} {} is not a folder", abs.display()))
                .hint(format!("check the path given to {flag}"))
                .into(),
        )
    }
}

/// Finds the chain: `--dest-dir` (with an optional `--source-dir`), else the configured mount
/// named by `mount` (any folder inside it), by `--source-dir`, or containing the current folder.
fn resolve_chain(
    global: &GlobalArgs,
    mount: Option<&Path>,
    chain: &ChainArgs,
) -> anyhow::Result<Chain> {
    if let Some(dest) = &chain.dest_dir {
        if mount.is_some() {
            return Err(UserError::usage("give either a mount or --dest-dir, not both").into());
        }
        let dest = existing_dir(dest, "snapshot folder", "--dest-dir")?;
        let source = match &chain.source_dir {
            Some(s) => Some(existing_dir(s, "source folder", "--source-dir")?),
            None => None,
        };
        let mut flags = vec!["--dest-dir".to_string(), dest.display().to_string()];
        if let Some(s) = &source {
            flags.push("--source-dir".into());
            flags.push(s.display().to_string());
        }
        return Ok(Chain {
            source,
            dest,
            flags,
        });
    }
    let cfg = config::load(global.config.as_deref())?;
    let (wanted, how) = match (mount, &chain.source_dir) {
        (Some(m), _) => (absolute(m), "the mount given"),
        (None, Some(s)) => (absolute(s), "--source-dir"),
        (None, None) => (
            std::env::current_dir()
                .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?,
            "the current folder",
        ),
    };
    let found = match cfg.mount_by_source(&wanted) {
        Some(m) => Some(m),
        None => cfg.mount_for_path(&wanted, None)?,
    };
    let Some(m) = found else {
        let known: Vec<String> = cfg
            .mounts
            .iter()
            .map(|m| m.source.display().to_string())
            .collect();
        return Err(UserError::usage(format!(
            "{} ({how}) is not inside any mount of {}; configured mounts: {}",
            wanted.display(),
            cfg.path.display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ))
        .hint("name a mount: agsekit snapshots <mount source>")
        .hint("or point at a snapshot folder directly: --dest-dir DIR [--source-dir DIR]")
        .into());
    };
    let dest = absolute(&m.backup);
    Ok(Chain {
        source: Some(absolute(&m.source)),
        dest,
        flags: vec!["--mount".to_string(), m.source.display().to_string()],
    })
}

fn when(snap: &Snapshot) -> String {
    let c = Civil::from_naive_seconds(snap.time);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

fn no_snapshots(chain: &Chain) -> anyhow::Error {
    UserError::failed(format!("no snapshots in {} yet", chain.dest.display()))
        .hint(match &chain.source {
            Some(s) => format!(
                "take one with: agsekit backup-once --source-dir {} --dest-dir {}",
                shell_words::quote(&s.display().to_string()),
                shell_words::quote(&chain.dest.display().to_string())
            ),
            None => "take one with: agsekit backup-once --source-dir DIR --dest-dir DIR".into(),
        })
        .into()
}

/// `agsekit snapshots`.
pub fn run_snapshots(args: &SnapshotsArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let chain = resolve_chain(global, args.mount.as_deref(), &args.chain)?;
    let snapshots = chain.snapshots()?;
    if snapshots.is_empty() {
        return Err(no_snapshots(&chain));
    }
    let infos = history::timeline(&snapshots, &Interrupt::none())?;
    let mut out = std::io::stdout().lock();
    match &chain.source {
        Some(s) => writeln!(
            out,
            "Snapshots of {} in {}:",
            s.display(),
            chain.dest.display()
        )?,
        None => writeln!(out, "Snapshots in {}:", chain.dest.display())?,
    }
    writeln!(
        out,
        "{:<17} {:<19} {:>8} {:>8} {:>8} {:>8} {:>10}",
        "NAME", "TIME", "FILES", "ADDED", "CHANGED", "DELETED", "NEW DATA"
    )?;
    for info in &infos {
        writeln!(
            out,
            "{:<17} {:<19} {:>8} {:>8} {:>8} {:>8} {:>10}",
            info.snapshot.name,
            when(&info.snapshot),
            info.files,
            info.stat.added,
            info.stat.modified,
            info.stat.deleted,
            human_bytes(info.stat.bytes_added)
        )?;
    }
    writeln!(
        out,
        "{} snapshots. Compare with: agsekit diff SNAP; restore with: agsekit restore SNAP [PATH...]",
        infos.len()
    )?;
    Ok(0)
}

/// Paths typed by the user, made relative to the live folder.
fn relative_paths(chain: &Chain, paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let root = match &chain.source {
        Some(s) => s.clone(),
        None => {
            // Without the live folder, paths are relative to the snapshot root.
            return paths
                .iter()
                .map(|p| {
                    beneath::components(p)
                        .map(|c| c.iter().collect::<PathBuf>())
                        .map_err(|_| {
                            UserError::usage(format!(
                                "{} must be relative to the snapshot root (or give --source-dir)",
                                p.display()
                            ))
                            .into()
                        })
                })
                .collect();
        }
    };
    paths
        .iter()
        .map(|p| {
            beneath::relative_to(&root, &config::expand_tilde(p), &cwd).ok_or_else(|| {
                UserError::usage(format!("{} is outside {}", p.display(), root.display()))
                    .hint("give a path inside the mount, relative to it or absolute")
                    .into()
            })
        })
        .collect()
}

const SHOW_LIMIT: u64 = 1024 * 1024;

/// One side of a comparison: a snapshot or the live folder.
struct Side {
    label: String,
    root: PathBuf,
    listing: Listing,
}

fn side_snapshot(snap: &Snapshot) -> anyhow::Result<Side> {
    Ok(Side {
        label: snap.name.clone(),
        root: snap.path.clone(),
        listing: history::walk_snapshot(&snap.path, &Interrupt::none())?,
    })
}

/// Text of one side of a change, or why it cannot be shown as text.
fn text_of(side: &Side, rel: &Path, entry: Option<&diff::Entry>) -> Result<String, String> {
    let Some(entry) = entry else {
        return Ok(String::new());
    };
    if entry.kind != EntryKind::File {
        return Err("not a file".into());
    }
    if entry.meta.size > SHOW_LIMIT {
        return Err(format!(
            "{} is larger than 1 MiB",
            human_bytes(entry.meta.size)
        ));
    }
    let root = Dir::open_path(&side.root).map_err(|e| e.to_string())?;
    let bytes = beneath::read_small(&root, rel, SHOW_LIMIT)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "larger than 1 MiB".to_string())?;
    if bytes.contains(&0) {
        return Err("binary".into());
    }
    String::from_utf8(bytes).map_err(|_| "binary".into())
}

fn render_change(out: &mut impl Write, old: &Side, new: &Side, c: &Change) -> std::io::Result<()> {
    let p = c.path.display();
    match c.entry_kind() {
        EntryKind::Dir => {
            return match c.kind {
                ChangeKind::Added => writeln!(out, "New folder: {p}/"),
                ChangeKind::Deleted => writeln!(out, "Deleted folder: {p}/"),
                ChangeKind::Modified => writeln!(out, "Changed type: {p}"),
            };
        }
        EntryKind::Symlink
            if c.kind != ChangeKind::Modified
                || c.old.as_ref().map(|e| e.kind) == Some(EntryKind::Symlink)
                    && c.new.as_ref().map(|e| e.kind) == Some(EntryKind::Symlink) =>
        {
            let t = |e: &Option<diff::Entry>| {
                e.as_ref()
                    .and_then(|e| e.target.as_ref())
                    .map(|t| t.to_string_lossy().into_owned())
            };
            return match (t(&c.old), t(&c.new)) {
                (None, Some(n)) => writeln!(out, "New symlink: {p} -> {n}"),
                (Some(o), None) => writeln!(out, "Deleted symlink: {p} -> {o}"),
                (Some(o), Some(n)) => writeln!(out, "Changed symlink: {p}: {o} -> {n}"),
                (None, None) => writeln!(out, "Changed: {p}"),
            };
        }
        _ => {}
    }
    let old_label = if c.old.is_some() {
        format!("{}/{p}", old.label)
    } else {
        "/dev/null".into()
    };
    let new_label = if c.new.is_some() {
        format!("{}/{p}", new.label)
    } else {
        "/dev/null".into()
    };
    match (
        text_of(old, &c.path, c.old.as_ref()),
        text_of(new, &c.path, c.new.as_ref()),
    ) {
        (Ok(a), Ok(b)) => {
            if a == b {
                // Same bytes, other metadata (mode or mtime).
                return writeln!(out, "Changed attributes: {p}");
            }
            let text = similar::TextDiff::from_lines(&a, &b);
            write!(
                out,
                "{}",
                text.unified_diff()
                    .context_radius(3)
                    .header(&old_label, &new_label)
            )?;
            if !b.is_empty() && !b.ends_with('\n') || !a.is_empty() && !a.ends_with('\n') {
                writeln!(out)?;
            }
            Ok(())
        }
        (a, b) => {
            let why = a.err().or(b.err()).unwrap_or_default();
            match c.kind {
                ChangeKind::Added => writeln!(out, "New file: {p} ({why})"),
                ChangeKind::Deleted => writeln!(out, "Deleted file: {p} ({why})"),
                ChangeKind::Modified => {
                    writeln!(out, "Files {old_label} and {new_label} differ ({why})")
                }
            }
        }
    }
}

fn summary(stat: &DiffStat) -> String {
    format!(
        "{} added, {} modified, {} deleted ({} of new data)",
        stat.added,
        stat.modified,
        stat.deleted,
        human_bytes(stat.bytes_added)
    )
}

/// `agsekit diff`.
pub fn run_diff(args: &DiffArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let chain = resolve_chain(global, args.mount.as_deref(), &args.chain)?;
    let snapshots = chain.snapshots()?;
    if snapshots.is_empty() {
        return Err(no_snapshots(&chain));
    }
    let old_snap = chain.pick(&snapshots, args.snap.as_deref().unwrap_or("latest"))?;
    let old = side_snapshot(old_snap)?;
    let new = match &args.snap2 {
        Some(spec) => side_snapshot(chain.pick(&snapshots, spec)?)?,
        None => {
            let source = chain.source("comparing with the live folder")?;
            Side {
                label: "now".into(),
                root: source.to_path_buf(),
                listing: history::walk_live(source, Some(&chain.dest), &Interrupt::none())?,
            }
        }
    };
    let paths = relative_paths(&chain, &args.paths)?;
    let changes = diff::restrict(diff::diff(&old.listing, &new.listing), &paths);
    let stat = DiffStat::of(&changes);
    let mut out = std::io::stdout().lock();
    let new_desc = if new.label == "now" {
        format!("the live folder {}", new.root.display())
    } else {
        new.label.clone()
    };
    if changes.is_empty() {
        writeln!(out, "No changes between {} and {new_desc}.", old.label)?;
        return Ok(0);
    }
    if args.stat {
        writeln!(out, "Changes from {} to {new_desc}:", old.label)?;
        for c in &changes {
            let slash = if c.entry_kind() == EntryKind::Dir {
                "/"
            } else {
                ""
            };
            writeln!(out, "{}  {}{slash}", c.kind.letter(), c.path.display())?;
        }
    } else {
        for c in &changes {
            render_change(&mut out, &old, &new, c)?;
        }
    }
    writeln!(out, "{}", summary(&stat))?;
    Ok(0)
}

/// `agsekit history`.
pub fn run_history(args: &HistoryArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let chain = resolve_chain(global, args.mount.as_deref(), &args.chain)?;
    let snapshots = chain.snapshots()?;
    if snapshots.is_empty() {
        return Err(no_snapshots(&chain));
    }
    let rel = relative_paths(&chain, std::slice::from_ref(&args.file))?
        .pop()
        .unwrap_or_default();
    if rel.as_os_str().is_empty() {
        return Err(
            UserError::usage("history needs a file, not the whole folder")
                .hint("agsekit history path/to/file")
                .into(),
        );
    }
    let versions = history::history(&snapshots, chain.source.as_deref(), &rel)?;
    if versions.iter().all(|v| v.entry.is_none()) {
        return Err(UserError::failed(format!(
            "{} is in none of the {} snapshots in {}{}",
            rel.display(),
            snapshots.len(),
            chain.dest.display(),
            if chain.source.is_some() {
                " nor in the live folder"
            } else {
                ""
            }
        ))
        .hint("check the path (relative to the mount root, or absolute)")
        .hint(format!(
            "see what changed: agsekit diff --stat {}",
            chain.flags_text()
        ))
        .into());
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "History of {} in {}:",
        rel.display(),
        chain.dest.display()
    )?;
    writeln!(
        out,
        "{:<17} {:<19} {:>10}  STATE",
        "SNAPSHOT", "TIME", "SIZE"
    )?;
    let by_name: std::collections::HashMap<&str, &Snapshot> =
        snapshots.iter().map(|s| (s.name.as_str(), s)).collect();
    for v in &versions {
        let (name, time) = match &v.snapshot {
            Some(n) => (
                n.clone(),
                by_name.get(n.as_str()).map(|s| when(s)).unwrap_or_default(),
            ),
            None => ("now".to_string(), "(live folder)".to_string()),
        };
        let size = match &v.entry {
            Some(e) if e.kind == EntryKind::File => human_bytes(e.meta.size),
            Some(e) if e.kind == EntryKind::Symlink => "symlink".into(),
            Some(_) => "folder".into(),
            None => "-".into(),
        };
        let state = match v.change {
            VersionChange::Absent => "absent",
            VersionChange::Added => "added",
            VersionChange::Same => "unchanged",
            VersionChange::Changed => "changed",
            VersionChange::Deleted => "deleted",
        };
        writeln!(out, "{name:<17} {time:<19} {size:>10}  {state}")?;
    }
    writeln!(
        out,
        "Show a version: agsekit diff SNAP -- {0}; restore it: agsekit restore SNAP {0}",
        shell_words::quote(&rel.display().to_string())
    )?;
    Ok(0)
}

/// Takes the destination lock, waiting a little for a background snapshot to finish.
fn lock_chain(dest: &Path) -> anyhow::Result<lock::DestLock> {
    let mut waited = Duration::ZERO;
    loop {
        match lock::try_lock(dest) {
            Ok(l) => return Ok(l),
            Err(lock::LockError::Held { .. }) if waited < Duration::from_secs(30) => {
                if waited.is_zero() {
                    eprintln!(
                        "Waiting for the backup being written in {} ...",
                        dest.display()
                    );
                }
                std::thread::sleep(Duration::from_millis(250));
                waited += Duration::from_millis(250);
            }
            Err(e) => return Err(e.into_user_error(dest)),
        }
    }
}

/// `agsekit restore`.
pub fn run_restore(args: &RestoreArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let chain = resolve_chain(global, args.mount.as_deref(), &args.chain)?;
    let source = chain.source("restore")?.to_path_buf();
    let snapshots = chain.snapshots()?;
    if snapshots.is_empty() {
        return Err(no_snapshots(&chain));
    }
    // Choose before the safety snapshot: `latest` means the latest the user has seen.
    let snap = chain.pick(&snapshots, &args.snap)?.clone();
    let paths = relative_paths(&chain, &args.paths)?;
    let target = match &args.to {
        Some(t) => absolute(t),
        None => source.clone(),
    };
    if args.to.is_some() && (target.starts_with(&chain.dest) || chain.dest.starts_with(&target)) {
        return Err(UserError::usage(format!(
            "--to {} overlaps the snapshot folder {}",
            target.display(),
            chain.dest.display()
        ))
        .hint("restore into a folder outside the snapshot folder")
        .into());
    }

    let interrupt = super::backup::install_stop_handlers()?;
    let _lock = lock_chain(&chain.dest)?;
    // The safety net: the current state becomes a snapshot first, so the restore can be undone.
    let options = BackupOptions {
        source: source.clone(),
        dest: chain.dest.clone(),
        interrupt: interrupt.clone(),
        ..BackupOptions::default()
    };
    let report = backup::snapshot_locked(&source, &chain.dest, &options, &|_| {})?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let safety = match (&report.created, &report.previous) {
        (Some(s), _) => {
            println!("Saved the current state as snapshot {}.", s.name);
            s.name.clone()
        }
        (None, Some(prev)) => {
            println!("The current state is already saved as snapshot {prev} (no changes since).");
            prev.clone()
        }
        (None, None) => {
            // Unreachable in practice (the chain has a snapshot); never restore without one.
            return Err(UserError::failed(format!(
                "could not save the current state of {} before restoring",
                source.display()
            ))
            .into());
        }
    };

    let spec = RestoreSpec {
        snapshot: &snap.path,
        target: &target,
        paths: &paths,
        delete_new: args.delete_new,
        protect: Some(&chain.dest),
        interrupt: &interrupt,
    };
    let done = match restore::restore(&spec) {
        Ok(r) => r,
        Err(e) => {
            if let Some(nis) = e.downcast_ref::<NotInSnapshot>() {
                return Err(UserError::usage(format!(
                    "{} is not in snapshot {} ({})",
                    nis.0.display(),
                    snap.name,
                    chain.dest.display()
                ))
                .hint(format!(
                    "find the snapshots that have it: agsekit history {} {}",
                    shell_words::quote(&source.join(&nis.0).display().to_string()),
                    chain.flags_text()
                ))
                .into());
            }
            return Err(e.context(format!(
                "restore from {} stopped; the state before it is snapshot {safety}",
                snap.name
            )));
        }
    };

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Restored from {} into {}: {} written, {} already matching, {} deleted.",
        snap.name,
        target.display(),
        done.written.len(),
        done.unchanged,
        done.deleted.len()
    )?;
    const SHOW: usize = 50;
    for (label, list) in [("restored", &done.written), ("deleted", &done.deleted)] {
        for p in list.iter().take(SHOW) {
            writeln!(out, "  {label} {}", p.display())?;
        }
        if list.len() > SHOW {
            writeln!(out, "  ... and {} more {label}", list.len() - SHOW)?;
        }
    }
    for p in &done.replaced {
        writeln!(
            out,
            "  replaced {} (it was of another type; a symlink is never written through)",
            p.display()
        )?;
    }
    if args.to.is_some() {
        writeln!(out, "The live folder {} was not changed.", source.display())?;
    } else {
        let mut undo = format!("agsekit restore {safety}");
        for p in &paths {
            undo.push(' ');
            undo.push_str(&shell_words::quote(&source.join(p).display().to_string()));
        }
        undo.push_str(" --delete-new ");
        undo.push_str(&chain.flags_text());
        writeln!(out, "To undo: {undo}")?;
    }
    drop(out);
    for w in &done.warnings {
        eprintln!("warning: {w}");
    }
    if done.warnings.is_empty() && report.warnings.is_empty() {
        Ok(0)
    } else {
        Ok(ErrorKind::Warnings.exit_code())
    }
}
