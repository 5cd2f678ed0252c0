//! Putting a snapshot's files back: one file, a folder, or everything, into the live folder
//! or another one. Safety rules:
//! - every path is reached through open directory handles, one component at a time, with
//!   `O_NOFOLLOW`: a symlink in the live folder is never written through (a symlink where
//!   the snapshot has a folder is replaced by a real folder; the link's target is untouched);
//! - a symlink in the snapshot is restored as a symlink, never as the file it points to;
//! - files are written to a temporary name in their folder and renamed over the old entry,
//!   so a reader never sees half a file, and the snapshot's files are copied, never
//!   hardlinked (the live folder is written in place by editors; snapshots must not be);
//! - with `delete_new`, entries the snapshot does not have are removed, but only those a
//!   backup would capture (what `.backupignore` leaves out, like `node_modules/`, stays) and
//!   never the snapshot chain itself.
//!
//! Taking the safety snapshot before a restore is the caller's job (`safe_restore.rs` does it
//! for `agsekit restore`).

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use anyhow::Context;
use nix::unistd::UnlinkatFlags;

use super::beneath;
use super::fsx::{io_err, Dir, FileKind, Meta};
use super::history::walk_live;
use super::rules::Protected;
use super::{Interrupt, Warning};
use crate::t;

/// What to restore where.
pub struct RestoreSpec<'a> {
    /// The snapshot folder.
    pub snapshot: &'a Path,
    /// The folder to write into (the live source, or `--to`).
    pub target: &'a Path,
    /// Paths relative to both roots; empty (or one empty path) means everything.
    pub paths: &'a [PathBuf],
    pub delete_new: bool,
    /// A folder below `target` never to touch (the snapshot chain, when it lies inside).
    pub protect: Option<&'a Path>,
    /// Paths no `.backupignore` leaves out, for `delete_new` (`None`: the built-in list).
    pub protected: Option<super::rules::Protected>,
    /// The snapshot was written by agsekit 1.7.4: its root `.inodes` file is not project data.
    pub skip_legacy_inodes: bool,
    pub interrupt: &'a Interrupt,
}

/// What a restore did.
#[derive(Debug, Default)]
pub struct RestoreReport {
    /// Files and symlinks written, folders created (relative paths).
    pub written: Vec<PathBuf>,
    /// Entries that already matched the snapshot.
    pub unchanged: u64,
    /// Entries removed because the snapshot does not have them (`delete_new`).
    pub deleted: Vec<PathBuf>,
    /// Entries of another type replaced (for example a symlink where a folder belongs).
    pub replaced: Vec<PathBuf>,
    /// Problems with single entries that did not stop the restore.
    pub warnings: Vec<Warning>,
}

/// A requested path is in neither the snapshot nor (for `delete_new`) the target.
#[derive(Debug)]
pub struct NotInSnapshot(pub PathBuf);

impl std::fmt::Display for NotInSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&t!("backup.not_in_the_snapshot", path = self.0.display()))
    }
}

impl std::error::Error for NotInSnapshot {}

struct Run<'a> {
    spec: &'a RestoreSpec<'a>,
    /// Live paths a backup would capture (only these may be deleted).
    deletable: Option<HashSet<PathBuf>>,
    protect: Option<(u64, u64)>,
    as_root: bool,
    tmp_counter: u64,
    report: RestoreReport,
}

/// Restores `spec.paths` from the snapshot.
pub fn restore(spec: &RestoreSpec<'_>) -> anyhow::Result<RestoreReport> {
    let snap_root = Dir::open_path(spec.snapshot).with_context(|| {
        t!(
            "backup.cannot_open_snapshot",
            path = spec.snapshot.display()
        )
    })?;
    std::fs::create_dir_all(spec.target)
        .with_context(|| t!("backup.cannot_create", path = spec.target.display()))?;
    let target_root = Dir::open_path(spec.target)
        .with_context(|| t!("backup.cannot_open", path = spec.target.display()))?;

    let protect = spec
        .protect
        .and_then(|p| Dir::open_path(p).and_then(|d| d.meta()).ok())
        .map(|m| (m.dev, m.ino));
    let deletable = if spec.delete_new {
        let protected = spec.protected.clone().unwrap_or_else(Protected::defaults);
        let listing =
            walk_live(spec.target, spec.protect, &protected, None, spec.interrupt)?.listing;
        Some(listing.into_iter().map(|(p, _)| p).collect())
    } else {
        None
    };
    let mut run = Run {
        spec,
        deletable,
        protect,
        as_root: nix::unistd::geteuid().is_root(),
        tmp_counter: 0,
        report: RestoreReport::default(),
    };

    let everything = spec.paths.is_empty() || spec.paths.iter().any(|p| p.as_os_str().is_empty());
    if everything {
        run.dir_contents(&snap_root, &target_root, Path::new(""))?;
        return Ok(run.report);
    }
    // Check every path first, so a typo restores nothing.
    for rel in spec.paths {
        let in_snapshot =
            !is_legacy_inodes(spec, rel) && beneath::entry(&snap_root, rel)?.is_some();
        let in_target = beneath::entry(&target_root, rel)?.is_some();
        if !(in_snapshot || (spec.delete_new && in_target)) {
            return Err(NotInSnapshot(rel.clone()).into());
        }
    }
    for rel in spec.paths {
        spec.interrupt.check()?;
        run.one_path(&snap_root, &target_root, rel)?;
    }
    Ok(run.report)
}

fn is_legacy_inodes(spec: &RestoreSpec<'_>, rel: &Path) -> bool {
    spec.skip_legacy_inodes && rel.as_os_str() == super::history::LEGACY_INODES
}

fn is_not_found(err: &io::Error) -> bool {
    err.raw_os_error() == Some(libc::ENOENT)
}

fn unlink(dir: &Dir, name: &OsStr) -> io::Result<()> {
    nix::unistd::unlinkat(Some(dir.raw()), name, UnlinkatFlags::NoRemoveDir).map_err(io_err)
}

/// Removes `name` from `dir`, a whole folder tree if it is one, never following a symlink.
fn remove_tree(dir: &Dir, name: &OsStr) -> io::Result<()> {
    let meta = dir.stat(name)?;
    if meta.kind() != FileKind::Dir {
        return unlink(dir, name);
    }
    let sub = dir.open_dir(name)?;
    for child in sub.list()? {
        remove_tree(&sub, &child)?;
    }
    drop(sub);
    nix::unistd::unlinkat(Some(dir.raw()), name, UnlinkatFlags::RemoveDir).map_err(io_err)
}

fn rename_over(dir: &Dir, from: &OsStr, to: &OsStr) -> io::Result<()> {
    nix::fcntl::renameat(Some(dir.raw()), from, Some(dir.raw()), to).map_err(io_err)
}

fn same_file(snap: &Meta, live: &Meta) -> bool {
    snap.size == live.size
        && snap.mtime_s == live.mtime_s
        && snap.mtime_ns == live.mtime_ns
        && snap.perm() == live.perm()
}

impl Run<'_> {
    fn warn(&mut self, rel: &Path, err: impl std::fmt::Display) {
        self.report
            .warnings
            .push(Warning::new(rel.to_path_buf(), err.to_string()));
    }

    fn is_protected(&self, meta: &Meta) -> bool {
        self.protect == Some((meta.dev, meta.ino))
    }

    /// A fresh temporary name in a folder.
    fn tmp_name(&mut self) -> OsString {
        self.tmp_counter += 1;
        OsString::from(format!(
            ".agsekit-restore.{}.{}",
            std::process::id(),
            self.tmp_counter
        ))
    }

    /// Restores one requested path: makes its parent folders real folders (as in the
    /// snapshot), then restores the entry (or deletes it when the snapshot lacks it).
    fn one_path(&mut self, snap_root: &Dir, target_root: &Dir, rel: &Path) -> anyhow::Result<()> {
        let parts = beneath::components(rel)?;
        let Some((last, parents)) = parts.split_last() else {
            return self.dir_contents(snap_root, target_root, Path::new(""));
        };
        // A path below a folder the snapshot does not have: only deleting it (delete_new)
        // makes sense, and the live parents are left exactly as they are.
        match beneath::open_dir(snap_root, &parents.iter().collect::<PathBuf>()) {
            Ok(_) => {}
            Err(e) if beneath::is_absent(&e) => {
                return match beneath::open_parent(target_root, rel) {
                    Ok((target_dir, _)) => self.delete_extra(&target_dir, last, rel),
                    Err(e) if beneath::is_absent(&e) => Ok(()),
                    Err(e) => Err(anyhow::anyhow!(t!(
                        "backup.cannot_read_err",
                        path = rel.display(),
                        error = e
                    ))),
                };
            }
            Err(e) => {
                return Err(anyhow::anyhow!(t!(
                    "backup.cannot_read_in_snapshot_err",
                    path = rel.display(),
                    error = e
                )))
            }
        }
        // The snapshot has every parent as a folder: make them real folders in the target
        // too (replacing a symlink, never following it).
        let mut snap_walk = snap_root.open_dir(OsStr::new("."))?;
        let mut target_dir = target_root.open_dir(OsStr::new("."))?;
        let mut sofar = PathBuf::new();
        for name in parents {
            sofar.push(name);
            snap_walk = snap_walk
                .open_dir(name)
                .with_context(|| t!("backup.cannot_open_in_snapshot", path = sofar.display()))?;
            let perm = snap_walk.meta().map(|m| m.perm()).unwrap_or(0o755);
            target_dir = self.ensure_dir(&target_dir, name, perm, &sofar)?;
        }
        if is_legacy_inodes(self.spec, rel) {
            return self.delete_extra(&target_dir, last, rel);
        }
        match snap_walk.stat(last) {
            Ok(_) => self.entry(&snap_walk, &target_dir, last, rel),
            Err(e) if beneath::is_absent(&e) => self.delete_extra(&target_dir, last, rel),
            Err(e) => Err(anyhow::anyhow!(t!(
                "backup.cannot_read_in_snapshot_err",
                path = rel.display(),
                error = e
            ))),
        }
    }

    /// Makes `name` in `parent` a real folder (replacing a symlink or file) and opens it.
    fn ensure_dir(
        &mut self,
        parent: &Dir,
        name: &OsStr,
        perm: u32,
        rel: &Path,
    ) -> anyhow::Result<Dir> {
        match parent.stat(name) {
            Ok(m) if m.kind() == FileKind::Dir => {}
            Ok(_) => {
                unlink(parent, name)
                    .with_context(|| t!("backup.cannot_replace", path = rel.display()))?;
                parent
                    .mkdir(name, perm | 0o700)
                    .with_context(|| t!("backup.cannot_create_folder", path = rel.display()))?;
                self.report.replaced.push(rel.to_path_buf());
            }
            Err(e) if is_not_found(&e) => {
                parent
                    .mkdir(name, perm | 0o700)
                    .with_context(|| t!("backup.cannot_create_folder", path = rel.display()))?;
                self.report.written.push(rel.to_path_buf());
            }
            Err(e) => {
                return Err(anyhow::anyhow!(t!(
                    "backup.cannot_read_err",
                    path = rel.display(),
                    error = e
                )))
            }
        }
        parent
            .open_dir(name)
            .with_context(|| t!("backup.cannot_open_folder_replaced", path = rel.display()))
    }

    /// `delete_new` for a requested path the snapshot does not have.
    fn delete_extra(&mut self, target_dir: &Dir, name: &OsStr, rel: &Path) -> anyhow::Result<()> {
        if !self.spec.delete_new {
            return Err(NotInSnapshot(rel.to_path_buf()).into());
        }
        match target_dir.stat(name) {
            Ok(m) if self.is_protected(&m) => Ok(()),
            Ok(_) if self.deletable.as_ref().is_some_and(|d| !d.contains(rel)) => Ok(()),
            Ok(m) if m.kind() == FileKind::Dir => {
                // Descend instead of removing the whole tree: what `.backupignore` leaves
                // out (a new project's node_modules/) is kept, and so is its folder.
                let sub = target_dir
                    .open_dir(name)
                    .with_context(|| t!("backup.cannot_open", path = rel.display()))?;
                let mut children = sub
                    .list()
                    .with_context(|| t!("backup.cannot_list", path = rel.display()))?;
                children.sort();
                for child in children {
                    self.delete_extra(&sub, &child, &rel.join(&child))?;
                }
                drop(sub);
                match nix::unistd::unlinkat(Some(target_dir.raw()), name, UnlinkatFlags::RemoveDir)
                {
                    Ok(()) => self.report.deleted.push(rel.to_path_buf()),
                    Err(nix::errno::Errno::ENOTEMPTY) | Err(nix::errno::Errno::EEXIST) => {}
                    Err(e) => {
                        return Err(anyhow::anyhow!(t!(
                            "backup.cannot_delete_err",
                            path = rel.display(),
                            error = e
                        )))
                    }
                }
                Ok(())
            }
            Ok(_) => {
                unlink(target_dir, name)
                    .with_context(|| t!("backup.cannot_delete", path = rel.display()))?;
                self.report.deleted.push(rel.to_path_buf());
                Ok(())
            }
            Err(e) if beneath::is_absent(&e) => Ok(()),
            Err(e) => Err(anyhow::anyhow!(t!(
                "backup.cannot_read_err",
                path = rel.display(),
                error = e
            ))),
        }
    }

    /// Restores the entry `name` of `snap_dir` into `target_dir`.
    fn entry(
        &mut self,
        snap_dir: &Dir,
        target_dir: &Dir,
        name: &OsStr,
        rel: &Path,
    ) -> anyhow::Result<()> {
        self.spec.interrupt.check()?;
        let snap = snap_dir
            .stat(name)
            .with_context(|| t!("backup.cannot_read_in_snapshot", path = rel.display()))?;
        let live = match target_dir.stat(name) {
            Ok(m) => Some(m),
            Err(e) if is_not_found(&e) => None,
            Err(e) => {
                return Err(anyhow::anyhow!(t!(
                    "backup.cannot_read_err",
                    path = rel.display(),
                    error = e
                )))
            }
        };
        if live.as_ref().is_some_and(|m| self.is_protected(m)) {
            return Ok(());
        }
        match snap.kind() {
            FileKind::Dir => {
                let dir = self.ensure_dir(target_dir, name, snap.perm(), rel)?;
                let sub = snap_dir
                    .open_dir(name)
                    .with_context(|| t!("backup.cannot_open_in_snapshot", path = rel.display()))?;
                self.dir_contents(&sub, &dir, rel)?;
                // Attributes last: writing the children changed the mtime.
                if let Err(e) = self.set_attrs(target_dir, name, &snap) {
                    self.warn(rel, t!("backup.warn.cannot_set_perms", error = e));
                }
                Ok(())
            }
            FileKind::File => {
                // Size, mtime and permissions can all be put back by whoever changed the
                // file (`touch -d`): only equal bytes make it unchanged.
                if live
                    .as_ref()
                    .is_some_and(|m| m.kind() == FileKind::File && same_file(&snap, m))
                    && super::fsx::same_file_below(snap_dir, target_dir, Path::new(name))
                {
                    self.report.unchanged += 1;
                    return Ok(());
                }
                if let Err(e) = self.copy_file(snap_dir, target_dir, name, &snap, live.as_ref()) {
                    self.warn(rel, t!("backup.warn.not_restored", error = e));
                    return Ok(());
                }
                self.note_written(rel, live.as_ref(), FileKind::File);
                Ok(())
            }
            FileKind::Symlink => {
                let target = snap_dir.readlink(name).with_context(|| {
                    t!(
                        "backup.cannot_read_symlink_in_snapshot",
                        path = rel.display()
                    )
                })?;
                if live.as_ref().is_some_and(|m| m.kind() == FileKind::Symlink)
                    && target_dir.readlink(name).ok().as_deref() == Some(target.as_os_str())
                {
                    self.report.unchanged += 1;
                    return Ok(());
                }
                if let Err(e) = self.place_symlink(target_dir, name, &target, &snap, live.as_ref())
                {
                    self.warn(rel, t!("backup.warn.not_restored", error = e));
                    return Ok(());
                }
                self.note_written(rel, live.as_ref(), FileKind::Symlink);
                Ok(())
            }
            other => {
                self.warn(
                    rel,
                    t!("backup.warn.never_restored", kind = other.describe()),
                );
                Ok(())
            }
        }
    }

    fn note_written(&mut self, rel: &Path, live: Option<&Meta>, kind: FileKind) {
        if live.is_some_and(|m| m.kind() != kind) {
            self.report.replaced.push(rel.to_path_buf());
        }
        self.report.written.push(rel.to_path_buf());
    }

    /// Restores the children of a snapshot folder into a target folder; with `delete_new`,
    /// removes target children the snapshot folder does not have.
    fn dir_contents(&mut self, snap_dir: &Dir, target_dir: &Dir, rel: &Path) -> anyhow::Result<()> {
        let mut names = snap_dir
            .list()
            .with_context(|| t!("backup.cannot_list_in_snapshot", path = rel.display()))?;
        names.retain(|n| !is_legacy_inodes(self.spec, &rel.join(n)));
        names.sort();
        for name in &names {
            self.entry(snap_dir, target_dir, name, &rel.join(name))?;
        }
        if self.spec.delete_new {
            let present: HashSet<&OsString> = names.iter().collect();
            let mut live = target_dir
                .list()
                .with_context(|| t!("backup.cannot_list", path = rel.display()))?;
            live.sort();
            for name in live {
                if present.contains(&name)
                    || name.to_string_lossy().starts_with(".agsekit-restore.")
                {
                    continue;
                }
                self.delete_extra(target_dir, &name, &rel.join(&name))?;
            }
        }
        Ok(())
    }

    /// Copies a snapshot file into place: temporary name, contents, attributes, rename.
    fn copy_file(
        &mut self,
        snap_dir: &Dir,
        target_dir: &Dir,
        name: &OsStr,
        snap: &Meta,
        live: Option<&Meta>,
    ) -> io::Result<()> {
        let tmp = self.tmp_name();
        let src = snap_dir.open_read(name)?;
        let dst = target_dir.create(&tmp, 0o600)?;
        let result = (|| {
            // Holes stay holes (and reflinks are used where possible): restoring a sparse
            // file never takes more space than its data.
            super::copy::copy_data(&src, &dst, &super::Interrupt::none())?;
            if self.as_root {
                nix::unistd::fchown(
                    dst.as_raw_fd(),
                    Some(nix::unistd::Uid::from_raw(snap.uid)),
                    Some(nix::unistd::Gid::from_raw(snap.gid)),
                )
                .map_err(io_err)?;
            }
            nix::sys::stat::fchmod(
                dst.as_raw_fd(),
                nix::sys::stat::Mode::from_bits_truncate(snap.perm() as libc::mode_t),
            )
            .map_err(io_err)?;
            nix::sys::stat::futimens(
                dst.as_raw_fd(),
                &nix::sys::time::TimeSpec::UTIME_OMIT,
                &snap.mtime(),
            )
            .map_err(io_err)?;
            drop(dst);
            if live.is_some_and(|m| m.kind() == FileKind::Dir) {
                remove_tree(target_dir, name)?;
            }
            rename_over(target_dir, &tmp, name)
        })();
        if result.is_err() {
            let _ = unlink(target_dir, &tmp);
        }
        result
    }

    fn place_symlink(
        &mut self,
        target_dir: &Dir,
        name: &OsStr,
        link_target: &OsStr,
        snap: &Meta,
        live: Option<&Meta>,
    ) -> io::Result<()> {
        let tmp = self.tmp_name();
        target_dir.symlink(link_target, &tmp)?;
        let result = (|| {
            if self.as_root {
                target_dir.set_owner(&tmp, snap.uid, snap.gid)?;
            }
            let _ = target_dir.set_mtime(&tmp, snap);
            if live.is_some_and(|m| m.kind() == FileKind::Dir) {
                remove_tree(target_dir, name)?;
            }
            rename_over(target_dir, &tmp, name)
        })();
        if result.is_err() {
            let _ = unlink(target_dir, &tmp);
        }
        result
    }

    /// Permissions, owner (as root) and mtime of a restored folder.
    fn set_attrs(&self, parent: &Dir, name: &OsStr, snap: &Meta) -> io::Result<()> {
        if self.as_root {
            parent.set_owner(name, snap.uid, snap.gid)?;
        }
        let dir = parent.open_dir(name)?;
        nix::sys::stat::fchmod(
            dir.raw(),
            nix::sys::stat::Mode::from_bits_truncate(snap.perm() as libc::mode_t),
        )
        .map_err(io_err)?;
        parent.set_mtime(name, snap)
    }
}
