//! `snapshots`, `diff`, `restore` and `history`: browsing and restoring the snapshot chain
//! (commands the original does not have). The work is done by `crate::backup`; this file
//! finds the chain (a configured mount, or `--dest-dir`/`--source-dir`), renders and prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::args::{AcceptIgnoreArgs, ChainArgs, DiffArgs, HistoryArgs, RestoreArgs, SnapshotsArgs};
use crate::backup::chain::Civil;
use crate::backup::diff::{self, Change, ChangeKind, DiffStat, Listing};
use crate::backup::fsx::Dir;
use crate::backup::history::{self, VersionChange};
use crate::backup::restore::NotInSnapshot;
use crate::backup::safe_restore::{self, safe_restore, SafeRestore, Safety, Step};
use crate::backup::select::select;
use crate::backup::{self, beneath, lock, tripwire, BackupOptions, EntryKind, Interrupt, Snapshot};
use crate::cli::GlobalArgs;
use crate::config;
use crate::ui::{human_bytes, untrusted};
use crate::{t, ErrorKind, UserError};

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
            UserError::usage(t!(
                "backup.needs_source",
                what = what,
                dest = self.dest.display()
            ))
            .hint(t!("backup.needs_source_hint"))
            .into()
        })
    }

    fn snapshots(&self) -> anyhow::Result<Vec<Snapshot>> {
        backup::list_snapshots(&self.dest).map_err(|e| {
            anyhow::anyhow!(t!(
                "backup.cannot_list_snapshots_err",
                path = self.dest.display(),
                error = e
            ))
        })
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
            UserError::usage(t!("backup.not_a_folder", what = what, path = abs.display()))
                .hint(t!("backup.check_path_flag", flag = flag))
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
            return Err(UserError::usage(t!("backup.mount_or_dest")).into());
        }
        let dest = existing_dir(dest, &t!("backup.what.snapshot_folder"), "--dest-dir")?;
        let source = match &chain.source_dir {
            Some(s) => Some(existing_dir(
                s,
                &t!("backup.what.source_folder"),
                "--source-dir",
            )?),
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
    let cfg = config::load(global.config.as_deref(), crate::backend::minimums)?;
    let (wanted, how) = match (mount, &chain.source_dir) {
        (Some(m), _) => (absolute(m), t!("backup.how.mount_given")),
        (None, Some(s)) => (absolute(s), "--source-dir".to_string()),
        (None, None) => (
            std::env::current_dir()
                .map_err(|e| anyhow::anyhow!(t!("backup.cannot_read_cwd", error = e)))?,
            t!("backup.how.current_folder"),
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
        return Err(UserError::usage(t!(
            "backup.not_in_any_mount",
            path = wanted.display(),
            how = how,
            config = cfg.path.display(),
            known = if known.is_empty() {
                t!("backup.none")
            } else {
                known.join(", ")
            },
        ))
        .hint(t!("backup.name_mount_hint"))
        .hint(t!("backup.point_dest_hint"))
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
    UserError::failed(t!("backup.no_snapshots_yet", path = chain.dest.display()))
        .hint(match &chain.source {
            Some(s) => t!(
                "backup.take_one_hint",
                source = shell_words::quote(&s.display().to_string()),
                dest = shell_words::quote(&chain.dest.display().to_string())
            ),
            None => t!("backup.take_one_hint", source = "DIR", dest = "DIR"),
        })
        .into()
}

/// The column headings of `agsekit snapshots`, in the current language.
fn snapshot_columns() -> [String; 7] {
    [
        t!("backup.col.name"),
        t!("backup.col.time"),
        t!("backup.col.files"),
        t!("backup.col.added"),
        t!("backup.col.changed"),
        t!("backup.col.deleted"),
        t!("backup.col.new_data"),
    ]
}

/// `file`, `folder` or `symlink`, in the current language.
fn kind_word(kind: EntryKind) -> String {
    t!(match kind {
        EntryKind::File => crate::msg_key!("backup.word.file"),
        EntryKind::Dir => crate::msg_key!("backup.word.folder"),
        EntryKind::Symlink => crate::msg_key!("backup.word.symlink"),
    })
}

/// `agsekit snapshots`.
pub fn run_snapshots(args: &SnapshotsArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    if args.json {
        super::json::english();
    }
    let chain = resolve_chain(global, args.mount.as_deref(), &args.chain)?;
    let snapshots = chain.snapshots()?;
    if let Some(spec) = &args.pin {
        return pin_snapshot(&chain, &snapshots, spec);
    }
    if let Some(spec) = &args.unpin {
        return unpin_snapshot(&chain, &snapshots, spec);
    }
    if snapshots.is_empty() && !args.json {
        return Err(no_snapshots(&chain));
    }
    let pinned = tripwire::pin_names(&chain.dest);
    let infos = history::timeline(&snapshots, &Interrupt::none())?;
    if args.json {
        let doc = super::json::snapshots(chain.source.as_deref(), &chain.dest, &infos, &pinned);
        super::json::print(&doc)?;
        return Ok(0);
    }
    let mut out = std::io::stdout().lock();
    match &chain.source {
        Some(s) => writeln!(
            out,
            "{}",
            t!(
                "backup.snapshots_of",
                source = s.display(),
                dest = chain.dest.display()
            )
        )?,
        None => writeln!(
            out,
            "{}",
            t!("backup.snapshots_in", dest = chain.dest.display())
        )?,
    }
    let head = snapshot_columns();
    let w = |i: usize, min: usize| head[i].chars().count().max(min);
    let (w0, w1, w2, w3, w4, w5, w6) = (
        w(0, 17),
        w(1, 19),
        w(2, 8),
        w(3, 8),
        w(4, 8),
        w(5, 8),
        w(6, 10),
    );
    writeln!(
        out,
        "{:<w0$} {:<w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} {:>w6$}",
        head[0], head[1], head[2], head[3], head[4], head[5], head[6]
    )?;
    for info in &infos {
        // Pinned snapshots get a mark after the row; other rows are unchanged.
        let mark = if pinned.contains(&info.snapshot.name) {
            format!("  {}", t!("tripwire.pinned_mark"))
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:<w0$} {:<w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} {:>w6$}{mark}",
            untrusted::text(&info.snapshot.name),
            when(&info.snapshot),
            info.files,
            info.stat.added,
            info.stat.modified,
            info.stat.deleted,
            human_bytes(info.stat.bytes_added)
        )?;
    }
    writeln!(out, "{}", t!("backup.snapshots_footer", n = infos.len()))?;
    Ok(0)
}

/// Holds the chain's lock while the pin file changes, so a pin made by a backup at the same
/// moment is not lost.
fn lock_for_pins(chain: &Chain) -> anyhow::Result<lock::DestLock> {
    lock::lock_waiting(&chain.dest, Duration::from_secs(30), &Interrupt::none())
        .map_err(|e| e.into_user_error(&chain.dest))
}

/// `snapshots --pin SNAP`.
fn pin_snapshot(chain: &Chain, snapshots: &[Snapshot], spec: &str) -> anyhow::Result<i32> {
    let snap = chain.pick(snapshots, spec)?;
    let _lock = lock_for_pins(chain)?;
    let added = tripwire::add_pin(
        &chain.dest,
        tripwire::Pin::manual(&snap.name, tripwire::now_unix()),
    )?;
    let key = if added {
        crate::msg_key!("tripwire.pinned_done", name, dest)
    } else {
        crate::msg_key!("tripwire.already_pinned", name, dest)
    };
    println!("{}", t!(key, name = snap.name, dest = chain.dest.display()));
    Ok(0)
}

/// `snapshots --unpin SNAP`: SNAP is a pinned name, or anything `--pin` accepts.
fn unpin_snapshot(chain: &Chain, snapshots: &[Snapshot], spec: &str) -> anyhow::Result<i32> {
    let _lock = lock_for_pins(chain)?;
    let pins = tripwire::read_pins(&chain.dest);
    let name = if pins.iter().any(|p| p.name == spec.trim()) {
        spec.trim().to_string()
    } else {
        let names: Vec<String> = snapshots.iter().map(|s| s.name.clone()).collect();
        select(&names, spec)
            .map(|i| names[i].clone())
            .unwrap_or_else(|_| spec.trim().to_string())
    };
    if !tripwire::remove_pin(&chain.dest, &name)? {
        let listed: Vec<String> = pins.into_iter().map(|p| p.name).collect();
        let hint = if listed.is_empty() {
            t!("tripwire.none_pinned_hint", dest = chain.dest.display())
        } else {
            t!("tripwire.pinned_list_hint", list = listed.join(", "))
        };
        return Err(UserError::failed(t!(
            "tripwire.not_pinned",
            name = name,
            dest = chain.dest.display()
        ))
        .hint(hint)
        .into());
    }
    println!(
        "{}",
        t!(
            "tripwire.unpinned_done",
            name = name,
            dest = chain.dest.display()
        )
    );
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
                            UserError::usage(t!("backup.relative_to_root", path = p.display()))
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
                UserError::usage(t!(
                    "backup.outside",
                    path = p.display(),
                    root = root.display()
                ))
                .hint(t!("backup.outside_hint"))
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
        listing: history::walk_snapshot(snap, &Interrupt::none())?,
    })
}

/// Text of one side of a change, or why it cannot be shown as text.
fn text_of(side: &Side, rel: &Path, entry: Option<&diff::Entry>) -> Result<String, String> {
    let Some(entry) = entry else {
        return Ok(String::new());
    };
    if entry.kind != EntryKind::File {
        return Err(t!("backup.why.not_a_file"));
    }
    if entry.meta.size > SHOW_LIMIT {
        return Err(t!(
            "backup.why.too_large",
            size = human_bytes(entry.meta.size)
        ));
    }
    let root = Dir::open_path(&side.root).map_err(|e| e.to_string())?;
    let bytes = beneath::read_small(&root, rel, SHOW_LIMIT)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| t!("backup.why.larger"))?;
    if bytes.contains(&0) {
        return Err(t!("backup.why.binary"));
    }
    String::from_utf8(bytes).map_err(|_| t!("backup.why.binary"))
}

fn render_change(out: &mut impl Write, old: &Side, new: &Side, c: &Change) -> std::io::Result<()> {
    // Names, link targets and lines are the agent's: all shown escaped.
    let p = untrusted::path(&c.path);
    if let (Some(a), Some(b)) = (&c.old, &c.new) {
        if a.kind != b.kind {
            return writeln!(
                out,
                "{}",
                t!(
                    "backup.diff.changed_type",
                    path = p,
                    old = kind_word(a.kind),
                    new = kind_word(b.kind)
                )
            );
        }
    }
    match c.entry_kind() {
        EntryKind::Dir => {
            return match c.kind {
                ChangeKind::Added => writeln!(out, "{}", t!("backup.diff.new_folder", path = p)),
                ChangeKind::Deleted => {
                    writeln!(out, "{}", t!("backup.diff.deleted_folder", path = p))
                }
                // Folders of the same type never count as modified.
                ChangeKind::Modified => Ok(()),
            };
        }
        EntryKind::Symlink => {
            let target = |e: &Option<diff::Entry>| {
                e.as_ref()
                    .and_then(|e| e.target.as_ref())
                    .map(|t| untrusted::os(t))
                    .unwrap_or_default()
            };
            return match c.kind {
                ChangeKind::Added => writeln!(
                    out,
                    "{}",
                    t!("backup.diff.new_symlink", path = p, target = target(&c.new))
                ),
                ChangeKind::Deleted => writeln!(
                    out,
                    "{}",
                    t!(
                        "backup.diff.deleted_symlink",
                        path = p,
                        target = target(&c.old)
                    )
                ),
                ChangeKind::Modified => writeln!(
                    out,
                    "{}",
                    t!(
                        "backup.diff.changed_symlink",
                        path = p,
                        old = target(&c.old),
                        new = target(&c.new)
                    )
                ),
            };
        }
        EntryKind::File => {}
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
                return writeln!(out, "{}", t!("backup.diff.changed_attrs", path = p));
            }
            let text = similar::TextDiff::from_lines(&a, &b);
            let rendered = text
                .unified_diff()
                .context_radius(3)
                .header(&old_label, &new_label)
                .to_string();
            // The file's own lines may hold terminal controls too.
            for piece in rendered.split_inclusive('\n') {
                match piece.strip_suffix('\n') {
                    Some(l) => writeln!(out, "{}", untrusted::line(l))?,
                    None => write!(out, "{}", untrusted::line(piece))?,
                }
            }
            if !b.is_empty() && !b.ends_with('\n') || !a.is_empty() && !a.ends_with('\n') {
                writeln!(out)?;
            }
            Ok(())
        }
        (a, b) => {
            let why = a.err().or(b.err()).unwrap_or_default();
            match c.kind {
                ChangeKind::Added => {
                    writeln!(out, "{}", t!("backup.diff.new_file", path = p, why = why))
                }
                ChangeKind::Deleted => {
                    writeln!(
                        out,
                        "{}",
                        t!("backup.diff.deleted_file", path = p, why = why)
                    )
                }
                ChangeKind::Modified => writeln!(
                    out,
                    "{}",
                    t!(
                        "backup.diff.files_differ",
                        old = old_label,
                        new = new_label,
                        why = why
                    )
                ),
            }
        }
    }
}

fn summary(stat: &DiffStat) -> String {
    t!(
        "backup.diff.summary",
        added = stat.added,
        modified = stat.modified,
        deleted = stat.deleted,
        bytes = human_bytes(stat.bytes_added)
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
            let source = chain.source(&t!("backup.comparing_live"))?;
            let protected = protection(global);
            let live = history::walk_live(
                source,
                Some(&chain.dest),
                &protected,
                Some(&old.listing),
                &Interrupt::none(),
            )?;
            for line in
                super::backup::pending_rules_lines(&live.pending, source, &chain.flags_text())
            {
                eprintln!("agsekit: warning: {line}");
            }
            Side {
                label: "now".into(),
                root: source.to_path_buf(),
                listing: live.listing,
            }
        }
    };
    let paths = relative_paths(&chain, &args.paths)?;
    let mut all = diff::diff(&old.listing, &new.listing);
    if args.snap2.is_none() {
        // Against the live folder: a file rewritten in place with its size and mtime put
        // back looks unchanged; its ctime moved, and its bytes decide.
        if let Ok((recorded, true)) = history::snapshot_listing(old_snap, &Interrupt::none()) {
            let suspects = diff::ctime_suspects(&recorded, &new.listing);
            diff::verify_suspects(
                &mut all,
                &suspects,
                &old.listing,
                &new.listing,
                &old.root,
                &new.root,
            );
        }
    }
    let changes = diff::restrict(all, &paths);
    let stat = DiffStat::of(&changes);
    let mut out = std::io::stdout().lock();
    let live = new.label == "now";
    if changes.is_empty() {
        let line = if live {
            t!(
                "backup.diff.no_changes_live",
                old = old.label,
                path = new.root.display()
            )
        } else {
            t!("backup.diff.no_changes", old = old.label, new = new.label)
        };
        writeln!(out, "{line}")?;
        return Ok(0);
    }
    if args.stat {
        let line = if live {
            t!(
                "backup.diff.changes_live",
                old = old.label,
                path = new.root.display()
            )
        } else {
            t!("backup.diff.changes", old = old.label, new = new.label)
        };
        writeln!(out, "{line}")?;
        for c in &changes {
            let slash = if c.entry_kind() == EntryKind::Dir {
                "/"
            } else {
                ""
            };
            writeln!(
                out,
                "{}  {}{slash}",
                c.kind.letter(),
                untrusted::path(&c.path)
            )?;
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
    if args.json {
        super::json::english();
    }
    let chain = resolve_chain(global, args.mount.as_deref(), &args.chain)?;
    let snapshots = chain.snapshots()?;
    if snapshots.is_empty() {
        return Err(no_snapshots(&chain));
    }
    let rel = relative_paths(&chain, std::slice::from_ref(&args.file))?
        .pop()
        .unwrap_or_default();
    if rel.as_os_str().is_empty() {
        return Err(UserError::usage(t!("backup.history.needs_file"))
            .hint("agsekit history path/to/file")
            .into());
    }
    let versions = history::history(&snapshots, chain.source.as_deref(), &rel)?;
    if versions.iter().all(|v| v.entry.is_none()) {
        let key = if chain.source.is_some() {
            "backup.history.nowhere_live"
        } else {
            "backup.history.nowhere"
        };
        return Err(UserError::failed(t!(
            key,
            path = untrusted::path(&rel),
            count = snapshots.len(),
            dest = chain.dest.display()
        ))
        .hint(t!("backup.history.check_path"))
        .hint(t!("backup.history.see_diff", flags = chain.flags_text()))
        .into());
    }
    if args.json {
        let doc = super::json::history(
            &rel,
            chain.source.as_deref(),
            &chain.dest,
            &snapshots,
            &versions,
        );
        super::json::print(&doc)?;
        return Ok(0);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        t!(
            "backup.history.title",
            path = untrusted::path(&rel),
            dest = chain.dest.display()
        )
    )?;
    writeln!(
        out,
        "{:<17} {:<19} {:>10}  {}",
        t!("backup.col.snapshot"),
        t!("backup.col.time"),
        t!("backup.col.size"),
        t!("backup.col.state")
    )?;
    let by_name: std::collections::HashMap<&str, &Snapshot> =
        snapshots.iter().map(|s| (s.name.as_str(), s)).collect();
    for v in &versions {
        let (name, time) = match &v.snapshot {
            Some(n) => (
                n.clone(),
                by_name.get(n.as_str()).map(|s| when(s)).unwrap_or_default(),
            ),
            None => ("now".to_string(), t!("backup.history.live")),
        };
        let size = match &v.entry {
            Some(e) if e.kind == EntryKind::File => human_bytes(e.meta.size),
            Some(e) if e.kind == EntryKind::Symlink => t!("backup.word.symlink"),
            Some(_) => t!("backup.word.folder"),
            None => "-".into(),
        };
        let state = t!(match v.change {
            VersionChange::Absent => crate::msg_key!("backup.history.absent"),
            VersionChange::Added => crate::msg_key!("backup.history.added"),
            VersionChange::Same => crate::msg_key!("backup.history.unchanged"),
            VersionChange::Changed => crate::msg_key!("backup.history.changed"),
            VersionChange::Deleted => crate::msg_key!("backup.history.deleted"),
        });
        writeln!(out, "{name:<17} {time:<19} {size:>10}  {state}")?;
    }
    writeln!(
        out,
        "{}",
        t!("backup.history.footer", path = untrusted::shell_word(&rel))
    )?;
    Ok(0)
}

/// Takes the destination lock, waiting a little for a background snapshot to finish.
fn lock_chain(dest: &Path) -> anyhow::Result<lock::DestLock> {
    safe_restore::lock_chain(dest, &|| {
        eprintln!("{}", t!("backup.restore.waiting", dest = dest.display()))
    })
}

/// `agsekit accept-ignore`: shows the `.backupignore` files whose text changed since their
/// rules were last accepted, with what each would stop backing up, and, once the user says
/// so, records every `.backupignore` of the folder as accepted (beside the snapshots).
pub fn run_accept_ignore(args: &AcceptIgnoreArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let chain = resolve_chain(global, args.mount.as_deref(), &args.chain)?;
    let source = chain.source(&t!("rules.accept.what"))?.to_path_buf();
    // No backup writes the chain's rules while they are being replaced.
    let _lock = lock_chain(&chain.dest)?;
    let snapshots = chain.snapshots()?;
    let protected = protection(global);
    let reference = match snapshots.last() {
        Some(newest) => Some(history::snapshot_listing(newest, &Interrupt::none())?.0),
        None => None,
    };
    let live = history::walk_live(
        &source,
        Some(&chain.dest),
        &protected,
        reference.as_ref(),
        &Interrupt::none(),
    )?;
    if live.pending.is_empty() {
        println!("{}", t!("rules.accept.none", source = source.display()));
        // Keep the record and the note in step with the folder anyway.
        backup::rules::write_record(&chain.dest, &backup::rules::record_of(&live.ignore_files))?;
        backup::rules::write_pending(&chain.dest, &[])?;
        return Ok(0);
    }
    println!("{}", t!("rules.accept.header", source = source.display()));
    for p in &live.pending {
        println!(
            "  {}",
            t!(
                "rules.accept.item",
                file = p.display_path(),
                held = p.held,
                hidden = p.hidden
            )
        );
    }
    if !args.yes {
        if !crate::ui::prompt::can_prompt(global.non_interactive) {
            return Err(UserError::usage(t!("rules.accept.confirmation_needed"))
                .hint(t!("rules.accept.hint_yes", flags = chain.flags_text()))
                .into());
        }
        let mut prompter = crate::ui::prompt::Prompter::terminal();
        if !prompter
            .confirm(&t!("rules.accept.ask"), false)
            .map_err(UserError::from)?
        {
            println!("{}", t!("rules.accept.declined"));
            return Ok(1);
        }
    }
    backup::rules::write_record(&chain.dest, &backup::rules::record_of(&live.ignore_files))?;
    backup::rules::write_pending(&chain.dest, &[])?;
    println!(
        "{}",
        t!(
            "rules.accept.done",
            n = live.pending.len(),
            source = source.display()
        )
    );
    Ok(0)
}

/// The paths no `.backupignore` leaves out: the config's, else the built-in list.
fn protection(global: &GlobalArgs) -> backup::rules::Protected {
    backup::rules::Protected::of(super::backup::snapshot_settings(global).1.as_deref())
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
        return Err(UserError::usage(t!(
            "backup.restore.overlaps",
            to = target.display(),
            dest = chain.dest.display()
        ))
        .hint(t!("backup.restore.overlaps_hint"))
        .into());
    }

    let interrupt = super::backup::install_stop_handlers()?;
    // The engine takes the lock, finds the snapshot again under it, saves the current state
    // as a snapshot first (so the restore can be undone) and restores.
    let (tripwire, protected) = super::backup::snapshot_settings(global);
    let options = BackupOptions {
        source: source.clone(),
        dest: chain.dest.clone(),
        interrupt,
        tripwire: tripwire.into(),
        protected,
        ..BackupOptions::default()
    };
    let by_mount = chain.flags.first().is_some_and(|f| f == "--mount");
    let request = SafeRestore {
        options: &options,
        snapshot: &snap.name,
        target: &target,
        paths: &paths,
        delete_new: args.delete_new,
    };
    let on_step = |step: Step<'_>| match step {
        Step::Waiting => eprintln!(
            "{}",
            t!("backup.restore.waiting", dest = chain.dest.display())
        ),
        Step::Safety { report, safety } => {
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            // The current state lost most files: the snapshot before it is now pinned.
            if let Some(line) = super::backup::tripwire_alert(report, by_mount) {
                eprintln!("agsekit: warning: {line}");
            }
            match safety {
                Safety::Saved(name) => println!("{}", t!("backup.restore.saved", name = name)),
                Safety::AlreadySaved(name) => {
                    println!("{}", t!("backup.restore.already_saved", name = name))
                }
            }
        }
    };
    let (safety, done) = match safe_restore(&request, &on_step) {
        Ok(r) => (r.safety.name().to_string(), r.restored),
        Err(e) => {
            if let Some(nis) = e.downcast_ref::<NotInSnapshot>() {
                return Err(UserError::usage(t!(
                    "backup.restore.not_in_snapshot",
                    path = untrusted::path(&nis.0),
                    snapshot = snap.name,
                    dest = chain.dest.display()
                ))
                .hint(t!(
                    "backup.restore.find_hint",
                    path = untrusted::shell_word(&source.join(&nis.0)),
                    flags = chain.flags_text()
                ))
                .into());
            }
            return Err(e);
        }
    };

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        t!(
            "backup.restore.done",
            snapshot = snap.name,
            target = target.display(),
            written = done.written.len(),
            matching = done.unchanged,
            deleted = done.deleted.len()
        )
    )?;
    const SHOW: usize = 50;
    let lists = [
        (
            crate::msg_key!("backup.restore.restored_item", path),
            crate::msg_key!("backup.restore.more_restored", n),
            &done.written,
        ),
        (
            crate::msg_key!("backup.restore.deleted_item", path),
            crate::msg_key!("backup.restore.more_deleted", n),
            &done.deleted,
        ),
    ];
    for (item, more, list) in lists {
        for p in list.iter().take(SHOW) {
            writeln!(out, "{}", t!(item, path = untrusted::path(p)))?;
        }
        if list.len() > SHOW {
            writeln!(out, "{}", t!(more, n = list.len() - SHOW))?;
        }
    }
    for p in &done.replaced {
        writeln!(
            out,
            "{}",
            t!("backup.restore.replaced", path = untrusted::path(p))
        )?;
    }
    if args.to.is_some() {
        writeln!(
            out,
            "{}",
            t!("backup.restore.live_unchanged", path = source.display())
        )?;
    } else {
        let mut undo = format!("agsekit restore {safety}");
        for p in &paths {
            undo.push(' ');
            undo.push_str(&untrusted::shell_word(&source.join(p)));
        }
        undo.push_str(" --delete-new ");
        undo.push_str(&chain.flags_text());
        writeln!(out, "{}", t!("backup.restore.undo", undo = undo))?;
    }
    drop(out);
    for w in &done.warnings {
        eprintln!("warning: {w}");
    }
    // Warnings of the safety snapshot were shown above; only what the restore itself could
    // not do changes the exit status.
    if done.warnings.is_empty() {
        Ok(0)
    } else {
        Ok(ErrorKind::Warnings.exit_code())
    }
}
