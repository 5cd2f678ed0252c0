//! Engine tests on real files in temporary folders.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use super::scan::NodeKind;
use super::*;

/// What a tree holds, for comparing a snapshot with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    File {
        perm: u32,
        mtime: (i64, i64),
        data: Vec<u8>,
    },
    Dir {
        perm: u32,
    },
    Link(PathBuf),
}

fn tree(root: &Path) -> BTreeMap<PathBuf, Item> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Item>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let e = e.expect("entry");
            let p = e.path();
            let md = std::fs::symlink_metadata(&p).expect("lstat");
            let rel = p.strip_prefix(root).expect("prefix").to_path_buf();
            if md.file_type().is_symlink() {
                out.insert(rel, Item::Link(std::fs::read_link(&p).expect("readlink")));
            } else if md.is_dir() {
                out.insert(
                    rel,
                    Item::Dir {
                        perm: md.mode() & 0o7777,
                    },
                );
                walk(root, &p, out);
            } else if md.is_file() {
                out.insert(
                    rel,
                    Item::File {
                        perm: md.mode() & 0o7777,
                        mtime: (md.mtime(), md.mtime_nsec()),
                        data: std::fs::read(&p).expect("read"),
                    },
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn ino(p: &Path) -> u64 {
    std::fs::symlink_metadata(p).expect("lstat").ino()
}

struct Fixture {
    _tmp: tempfile::TempDir,
    src: PathBuf,
    dest: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("tmp");
        let src = tmp.path().join("project");
        let dest = tmp.path().join("backups-project");
        std::fs::create_dir_all(src.join("sub/deeper")).expect("mkdir");
        std::fs::write(src.join("a.txt"), "alpha").expect("write");
        std::fs::write(src.join("sub/b.txt"), "bravo").expect("write");
        std::fs::write(src.join("sub/deeper/c.bin"), vec![7u8; 100_000]).expect("write");
        std::fs::set_permissions(src.join("a.txt"), std::fs::Permissions::from_mode(0o640))
            .expect("chmod");
        Fixture {
            _tmp: tmp,
            src,
            dest,
        }
    }

    fn options(&self) -> BackupOptions {
        BackupOptions {
            source: self.src.clone(),
            dest: self.dest.clone(),
            ..BackupOptions::default()
        }
    }

    fn snap(&self) -> SnapshotReport {
        self.snap_with(&self.options())
    }

    fn snap_with(&self, opts: &BackupOptions) -> SnapshotReport {
        snapshot_once(opts, &|_| {}).expect("snapshot")
    }

    fn snapshots(&self) -> Vec<Snapshot> {
        list_snapshots(&self.dest).expect("list")
    }
}

fn created(r: &SnapshotReport) -> PathBuf {
    r.created
        .as_ref()
        .expect("a snapshot was created")
        .path
        .clone()
}

#[test]
fn first_snapshot_mirrors_the_source_with_modes_and_mtimes() {
    let f = Fixture::new();
    let r = f.snap();
    let snap = created(&r);
    assert_eq!(tree(&snap), tree(&f.src));
    assert_eq!(r.stats.files_copied, 3);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert!(chain::manifest_path(
        &f.dest,
        &r.created
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default()
    )
    .is_file());
    // The manifest lists every entry.
    let entries =
        read_manifest(&chain::manifest_path(&f.dest, &f.snapshots()[0].name)).expect("manifest");
    let paths: Vec<String> = entries
        .iter()
        .map(|e| e.path.display().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "a.txt",
            "sub",
            "sub/b.txt",
            "sub/deeper",
            "sub/deeper/c.bin"
        ]
    );
}

#[test]
fn no_change_makes_no_snapshot() {
    let f = Fixture::new();
    f.snap();
    let r = f.snap();
    assert!(r.created.is_none());
    assert!(!r.plan.changed);
    assert_eq!(f.snapshots().len(), 1);
}

#[test]
fn hardlinking_the_source_elsewhere_is_not_a_change() {
    // cp -al (or a package store) raises link counts, which moves ctime only.
    let f = Fixture::new();
    f.snap();
    let farm = f.src.parent().expect("parent").join("farm");
    let status = std::process::Command::new("cp")
        .arg("-al")
        .arg(&f.src)
        .arg(&farm)
        .status()
        .expect("cp");
    assert!(status.success());
    assert!(f.snap().created.is_none());
}

#[test]
fn unchanged_files_are_hardlinked_changed_ones_copied_and_old_snapshots_untouched() {
    let f = Fixture::new();
    let first = created(&f.snap());
    let before = tree(&first);
    std::fs::write(f.src.join("a.txt"), "ALPHA changed").expect("write");
    std::fs::remove_file(f.src.join("sub/b.txt")).expect("rm");
    std::fs::write(f.src.join("new.txt"), "new").expect("write");
    let r = f.snap();
    let second = created(&r);
    assert_eq!(tree(&second), tree(&f.src));
    assert_eq!(
        tree(&first),
        before,
        "the previous snapshot is never written to"
    );
    assert_eq!(
        ino(&first.join("sub/deeper/c.bin")),
        ino(&second.join("sub/deeper/c.bin"))
    );
    assert_ne!(ino(&first.join("a.txt")), ino(&second.join("a.txt")));
    assert_ne!(
        ino(&f.src.join("sub/deeper/c.bin")),
        ino(&second.join("sub/deeper/c.bin")),
        "never linked to the live tree"
    );
    assert_eq!((r.plan.modified, r.plan.added, r.plan.deleted), (1, 1, 1));
    assert_eq!((r.stats.files_copied, r.stats.files_linked), (2, 1));
}

#[test]
fn symlinks_are_stored_as_links_and_never_followed() {
    let f = Fixture::new();
    std::os::unix::fs::symlink("/etc", f.src.join("etc-link")).expect("symlink");
    std::os::unix::fs::symlink("../a.txt", f.src.join("sub/rel-link")).expect("symlink");
    std::os::unix::fs::symlink("/nonexistent/dangling", f.src.join("dangling")).expect("symlink");
    let snap = created(&f.snap());
    let md = std::fs::symlink_metadata(snap.join("etc-link")).expect("lstat");
    assert!(md.file_type().is_symlink());
    assert_eq!(
        std::fs::read_link(snap.join("etc-link")).expect("readlink"),
        PathBuf::from("/etc")
    );
    assert_eq!(tree(&snap), tree(&f.src));
    // Retargeting a link is a change.
    std::fs::remove_file(f.src.join("dangling")).expect("rm");
    std::os::unix::fs::symlink("/elsewhere", f.src.join("dangling")).expect("symlink");
    let r = f.snap();
    assert_eq!(r.plan.modified, 1);
    assert_eq!(tree(&created(&r)), tree(&f.src));
}

#[test]
fn fifos_are_skipped_with_a_warning() {
    let f = Fixture::new();
    nix::unistd::mkfifo(
        &f.src.join("pipe"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .expect("mkfifo");
    let r = f.snap();
    assert!(!created(&r).join("pipe").exists());
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].message.contains("fifo"), "{:?}", r.warnings);
}

#[test]
fn backupignore_uses_gitignore_precedence() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.src.join("logs")).expect("mkdir");
    std::fs::create_dir_all(f.src.join("node_modules/pkg")).expect("mkdir");
    std::fs::create_dir_all(f.src.join("sub/node_modules")).expect("mkdir");
    for p in [
        "x.log",
        "logs/important.log",
        "logs/other.log",
        "node_modules/pkg/i.js",
        "sub/node_modules/j.js",
        "sub/keep.tmp",
        "sub/drop.tmp",
        "only_root.txt",
        "sub/only_root.txt",
    ] {
        std::fs::write(f.src.join(p), "x").expect("write");
    }
    std::fs::write(
        f.src.join(".backupignore"),
        "*.log\n!logs/important.log\nnode_modules/\n*.tmp\n/only_root.txt\n",
    )
    .expect("write");
    std::fs::write(f.src.join("sub/.backupignore"), "!keep.tmp\n").expect("write");
    let snap = created(&f.snap());
    let has = |p: &str| snap.join(p).exists();
    assert!(
        has("logs/important.log"),
        "! re-includes after a broader exclude"
    );
    assert!(!has("logs/other.log") && !has("x.log"));
    assert!(
        !has("node_modules") && !has("sub/node_modules"),
        "dir/ matches at any depth"
    );
    assert!(
        has("sub/keep.tmp") && !has("sub/drop.tmp"),
        "a deeper file overrides"
    );
    assert!(
        !has("only_root.txt") && has("sub/only_root.txt"),
        "anchored /x"
    );
    assert!(
        has(".backupignore") && has("sub/.backupignore"),
        "rule files are backed up"
    );
}

#[test]
fn cli_excludes_apply_and_win() {
    let f = Fixture::new();
    std::fs::write(f.src.join(".backupignore"), "!*.secret\n").expect("write");
    std::fs::write(f.src.join("k.secret"), "s").expect("write");
    let mut o = f.options();
    o.excludes = vec!["*.secret".into(), "sub/deeper/".into()];
    let snap = created(&f.snap_with(&o));
    assert!(!snap.join("k.secret").exists());
    assert!(!snap.join("sub/deeper").exists());
    assert!(snap.join("sub/b.txt").exists());
}

/// A chain made by the Python original: a plain copy plus its `.inodes` file, no manifest.
fn make_original_snapshot(f: &Fixture, name: &str) -> PathBuf {
    std::fs::create_dir_all(&f.dest).expect("mkdir");
    let snap = f.dest.join(name);
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(&f.src)
        .arg(&snap)
        .status()
        .expect("cp");
    assert!(status.success());
    std::fs::write(snap.join(".inodes"), "a.txt 1\n").expect("write");
    snap
}

#[test]
fn a_chain_made_by_the_original_is_continued() {
    let f = Fixture::new();
    let old = make_original_snapshot(&f, "20200101-000000");
    // Unchanged: no snapshot, and the old snapshot gains a manifest.
    let r = f.snap();
    assert!(r.created.is_none(), "{:?}", r.plan);
    assert!(!r.previous_had_manifest);
    assert!(chain::manifest_path(&f.dest, "20200101-000000").is_file());
    let r = f.snap();
    assert!(r.created.is_none() && r.previous_had_manifest);
    // A change: unchanged files are linked to the original's snapshot.
    std::fs::remove_file(chain::manifest_path(&f.dest, "20200101-000000")).expect("rm");
    std::fs::write(f.src.join("a.txt"), "changed!").expect("write");
    let r = f.snap();
    let new = created(&r);
    assert_eq!(tree(&new), tree(&f.src));
    assert!(!new.join(".inodes").exists());
    assert_eq!(ino(&old.join("sub/b.txt")), ino(&new.join("sub/b.txt")));
    assert_eq!(r.stats.files_copied, 1);
    assert!(chain::manifest_path(
        &f.dest,
        &r.created
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default()
    )
    .is_file());
}

#[test]
fn emlink_falls_back_to_a_copy() {
    let f = Fixture::new();
    f.snap();
    std::fs::write(f.src.join("a.txt"), "changed").expect("write");
    let mut o = f.options();
    o.fault = Some(Arc::new(|point, _path| {
        (point == FaultPoint::Link).then_some(libc::EMLINK)
    }));
    let r = f.snap_with(&o);
    let snap = created(&r);
    assert_eq!(tree(&snap), tree(&f.src));
    assert_eq!(r.stats.link_fallbacks, 2);
    // Both refusals were the link limit: counted apart, with their paths, for the summary.
    assert_eq!(r.stats.link_limit_copies, 2);
    let mut limited = r.stats.link_limit_paths.clone();
    limited.sort();
    assert_eq!(limited.len(), 2);
    assert!(!limited.contains(&PathBuf::from("a.txt")), "{limited:?}");
    assert_eq!(r.stats.files_linked, 0);
    assert_eq!(r.stats.files_copied, 3);
    assert!(r.warnings.is_empty());
}

#[test]
fn other_link_refusals_are_not_counted_as_the_link_limit() {
    let f = Fixture::new();
    f.snap();
    std::fs::write(f.src.join("a.txt"), "changed").expect("write");
    let mut o = f.options();
    o.fault = Some(Arc::new(|point, _path| {
        (point == FaultPoint::Link).then_some(libc::EXDEV)
    }));
    let r = f.snap_with(&o);
    assert_eq!(r.stats.link_fallbacks, 2);
    assert_eq!(r.stats.link_limit_copies, 0);
    assert!(r.stats.link_limit_paths.is_empty());
}

#[test]
fn a_deleted_previous_copy_falls_back_to_a_copy() {
    let f = Fixture::new();
    let first = created(&f.snap());
    std::fs::remove_file(first.join("sub/b.txt")).expect("rm");
    std::fs::write(f.src.join("a.txt"), "changed").expect("write");
    let snap = created(&f.snap());
    assert_eq!(tree(&snap), tree(&f.src));
}

#[test]
fn vanishing_and_unreadable_files_are_warnings_and_the_snapshot_completes() {
    let f = Fixture::new();
    let src = f.src.clone();
    let mut o = f.options();
    o.fault = Some(Arc::new(move |point, path| {
        if point != FaultPoint::Open {
            return None;
        }
        if path == Path::new("sub/b.txt") {
            // Really vanish between the scan and the copy.
            let _ = std::fs::remove_file(src.join(path));
            return None;
        }
        (path == Path::new("a.txt")).then_some(libc::EACCES)
    }));
    let r = f.snap_with(&o);
    let snap = created(&r);
    assert!(snap.join("sub/deeper/c.bin").is_file());
    assert!(!snap.join("a.txt").exists() && !snap.join("sub/b.txt").exists());
    let msgs: Vec<String> = r.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(
        msgs.iter().any(|m| m.starts_with("a.txt: cannot read")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.starts_with("sub/b.txt: vanished")),
        "{msgs:?}"
    );
    // The unreadable file is not in the manifest, so the next run tries again.
    let r = f.snap();
    assert!(created(&r).join("a.txt").is_file());
}

#[test]
fn a_file_changing_while_copied_is_recopied() {
    let f = Fixture::new();
    let src = f.src.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let mut o = f.options();
    o.fault = Some(Arc::new(move |point, path| {
        if point == FaultPoint::Write
            && path == Path::new("a.txt")
            && c.fetch_add(1, Ordering::SeqCst) == 0
        {
            std::fs::write(src.join("a.txt"), "rewritten while copying").expect("write");
        }
        None
    }));
    let r = f.snap_with(&o);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(
        std::fs::read(created(&r).join("a.txt")).expect("read"),
        b"rewritten while copying"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_file_that_keeps_changing_is_flagged_and_recopied_next_time() {
    let f = Fixture::new();
    let src = f.src.clone();
    let n = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&n);
    let mut o = f.options();
    o.fault = Some(Arc::new(move |point, path| {
        if point == FaultPoint::Write && path == Path::new("a.txt") {
            let i = c.fetch_add(1, Ordering::SeqCst);
            std::fs::write(src.join("a.txt"), format!("version {i}")).expect("write");
        }
        None
    }));
    let r = f.snap_with(&o);
    assert_eq!(r.warnings.len(), 1);
    assert!(
        r.warnings[0].message.contains("kept changing"),
        "{:?}",
        r.warnings
    );
    let r = f.snap();
    assert!(r.created.is_some(), "an inexact copy is never trusted");
    assert_eq!(tree(&created(&r)), tree(&f.src));
}

#[test]
fn no_space_aborts_removes_the_partial_and_keeps_older_snapshots() {
    let f = Fixture::new();
    let first = created(&f.snap());
    let before = tree(&first);
    std::fs::write(f.src.join("a.txt"), "changed").expect("write");
    let mut o = f.options();
    o.fault = Some(Arc::new(|point, _| {
        (point == FaultPoint::Write).then_some(libc::ENOSPC)
    }));
    let err = snapshot_once(&o, &|_| {}).expect_err("must fail");
    let text = crate::error::render(&err);
    assert!(text.contains("no space left"), "{text}");
    assert!(
        text.contains(&f.dest.canonicalize().expect("dest").display().to_string()),
        "{text}"
    );
    let names: Vec<String> = std::fs::read_dir(&f.dest)
        .expect("ls")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("-partial") || n.ends_with(".tmp")),
        "{names:?}"
    );
    assert_eq!(f.snapshots().len(), 1);
    assert_eq!(tree(&first), before);
}

#[test]
fn interrupt_leaves_no_snapshot_and_no_partial() {
    let f = Fixture::new();
    let flag = Arc::new(AtomicBool::new(false));
    let mut o = f.options();
    o.interrupt = Interrupt::new(Arc::clone(&flag));
    let fl = Arc::clone(&flag);
    o.fault = Some(Arc::new(move |_, _| {
        fl.store(true, Ordering::SeqCst);
        None
    }));
    let err = snapshot_once(&o, &|_| {}).expect_err("interrupted");
    assert_eq!(crate::error::exit_code_of(&err), 130);
    assert_eq!(
        std::fs::read_dir(&f.dest)
            .expect("ls")
            .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
            .count(),
        0
    );
}

#[test]
fn non_utf8_names_and_4000_byte_paths_work() {
    let f = Fixture::new();
    let odd = OsString::from_vec(b"caf\xe9 \xff\n.txt".to_vec());
    std::fs::write(f.src.join(&odd), "latin1").expect("write");
    let mut deep = f.src.clone();
    let component = "d".repeat(200);
    for _ in 0..20 {
        deep.push(&component);
    }
    std::fs::create_dir_all(&deep).expect("mkdir");
    let rel_len = deep.strip_prefix(&f.src).expect("prefix").as_os_str().len();
    assert!(rel_len >= 4000, "{rel_len}");
    write_deep(&deep, "leaf.txt", b"deep");
    let snap = created(&f.snap());
    assert_eq!(std::fs::read(snap.join(&odd)).expect("read"), b"latin1");
    let entries =
        read_manifest(&chain::manifest_path(&f.dest, &f.snapshots()[0].name)).expect("manifest");
    let longest = entries
        .iter()
        .map(|e| e.path.as_os_str().len())
        .max()
        .unwrap_or(0);
    assert!(longest > 4000, "{longest}");
    assert!(entries
        .iter()
        .any(|e| e.path.as_os_str().as_bytes() == odd.as_bytes()));
    // No change is seen as no change with such names.
    assert!(f.snap().created.is_none());
}

/// Writes a file by walking directory handles (the full path may exceed PATH_MAX).
fn write_deep(dir: &Path, name: &str, data: &[u8]) {
    let mut handle = fsx::Dir::open_path(Path::new("/")).expect("root");
    for part in dir.iter().skip(1) {
        handle = handle.open_dir(part).expect("open");
    }
    let mut f = handle
        .create(std::ffi::OsStr::new(name), 0o644)
        .expect("create");
    std::io::Write::write_all(&mut f, data).expect("write");
}

#[test]
fn stale_partials_are_removed_and_a_destination_inside_the_source_is_skipped() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.dest.join("20200101-000000-partial/x")).expect("mkdir");
    let r = f.snap();
    assert_eq!(r.removed_stale.len(), 1);
    assert!(!f.dest.join("20200101-000000-partial").exists());

    let inner = Fixture::new();
    let mut o = inner.options();
    o.dest = inner.src.join(".backups");
    let r = inner.snap_with(&o);
    assert!(!created(&r).join(".backups").exists());
}

#[test]
fn the_source_is_never_written() {
    let f = Fixture::new();
    let stamp = |p: &Path| {
        let md = std::fs::symlink_metadata(p).expect("lstat");
        (
            md.mtime(),
            md.mtime_nsec(),
            md.ctime(),
            md.ctime_nsec(),
            md.mode(),
        )
    };
    let paths = ["", "a.txt", "sub", "sub/b.txt", "sub/deeper/c.bin"];
    // Old access times, which a read would move even under relatime; the copy opens files
    // with O_NOATIME (allowed for the owner and root), so they stay.
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    for p in ["a.txt", "sub/b.txt", "sub/deeper/c.bin"] {
        let file = std::fs::File::options()
            .write(true)
            .open(f.src.join(p))
            .expect("open");
        file.set_times(std::fs::FileTimes::new().set_accessed(old))
            .expect("set atime");
    }
    let atimes = || -> Vec<i64> {
        ["a.txt", "sub/b.txt", "sub/deeper/c.bin"]
            .iter()
            .map(|p| std::fs::metadata(f.src.join(p)).expect("stat").atime())
            .collect()
    };
    let atimes_before = atimes();
    let before: Vec<_> = paths.iter().map(|p| stamp(&f.src.join(p))).collect();
    f.snap();
    std::fs::write(f.dest.join("unrelated"), "x").expect("write");
    f.snap();
    let after: Vec<_> = paths.iter().map(|p| stamp(&f.src.join(p))).collect();
    assert_eq!(before, after);
    assert_eq!(
        atimes(),
        atimes_before,
        "reading for the copy leaves atime alone"
    );
}

#[test]
fn deleting_a_snapshot_never_breaks_another() {
    let f = Fixture::new();
    let mut snaps = Vec::new();
    for i in 0..3 {
        std::fs::write(f.src.join("a.txt"), format!("v{i}")).expect("write");
        let r = f.snap();
        snaps.push((created(&r), tree(&created(&r))));
    }
    chain::delete_snapshot(&f.dest, &f.snapshots()[1].name).expect("delete");
    chain::delete_snapshot(&f.dest, &f.snapshots()[0].name).expect("delete");
    assert_eq!(f.snapshots().len(), 1);
    assert_eq!(tree(&snaps[2].0), snaps[2].1);
    // The chain goes on from the survivor.
    std::fs::write(f.src.join("a.txt"), "v3").expect("write");
    let r = f.snap();
    assert_eq!(tree(&created(&r)), tree(&f.src));
    assert_eq!(r.stats.files_linked, 2);
}

#[test]
fn a_held_lock_is_refused_with_exit_6() {
    let f = Fixture::new();
    std::fs::create_dir_all(&f.dest).expect("mkdir");
    let _held = lock::try_lock(&f.dest).expect("lock");
    let err = snapshot_once(&f.options(), &|_| {}).expect_err("locked");
    assert_eq!(crate::error::exit_code_of(&err), 6);
    assert!(crate::error::render(&err).contains(&format!("PID {}", std::process::id())));
}

#[test]
fn single_and_multi_threaded_scans_agree() {
    let f = Fixture::new();
    for i in 0..20 {
        std::fs::create_dir_all(f.src.join(format!("d{i}/e"))).expect("mkdir");
        std::fs::write(f.src.join(format!("d{i}/e/f")), "x").expect("write");
        // One big folder whose sub-folders are split across threads.
        std::fs::create_dir_all(f.src.join(format!("big/s{i}/t"))).expect("mkdir");
        std::fs::write(f.src.join(format!("big/s{i}/t/x.log")), "x").expect("write");
        std::fs::write(f.src.join(format!("big/s{i}/keep.txt")), "x").expect("write");
    }
    std::fs::write(f.src.join("big/.backupignore"), "*.log\ns1?/\n").expect("write");
    std::fs::write(f.src.join("big/top.txt"), "x").expect("write");
    let interrupt = Interrupt::none();
    let scan_with = |threads| {
        scan::scan(&scan::ScanSpec {
            source: &f.src,
            excludes: &[],
            skip_dir: None,
            threads,
            interrupt: &interrupt,
            use_ignore_files: true,
            protected: None,
            accepted: None,
            reference: scan::Reference::Nothing,
        })
        .expect("scan")
        .root
    };
    let one = scan_with(1);
    assert_eq!(one, scan_with(2));
    assert_eq!(one, scan_with(4));
    // The split level still applies big/.backupignore.
    let NodeKind::Dir(top) = &one.kind else {
        panic!("root is a folder")
    };
    let big = top.iter().find(|n| n.name == "big").expect("big");
    let NodeKind::Dir(subs) = &big.kind else {
        panic!("big is a folder")
    };
    let names: Vec<String> = subs
        .iter()
        .map(|n| n.name.to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"s1".to_string()) && !names.contains(&"s10".to_string()),
        "{names:?}"
    );
    assert_eq!(names.len(), 20 - 10 + 2, "{names:?}");
    // Only one layout: the other fixture content is unchanged.
    let r = f.snap();
    let snap = created(&r);
    assert!(snap.join("big/s2/keep.txt").is_file() && !snap.join("big/s2/t/x.log").exists());
}

#[test]
fn one_and_several_writer_threads_make_the_same_snapshot_and_manifest() {
    let f = Fixture::new();
    for i in 0..6 {
        std::fs::create_dir_all(f.src.join(format!("sub/p{i}/q"))).expect("mkdir");
        std::fs::write(f.src.join(format!("sub/p{i}/q/z")), format!("{i}")).expect("write");
        std::fs::write(f.src.join(format!("sub/p{i}/y")), "y").expect("write");
    }
    std::os::unix::fs::symlink("p0", f.src.join("sub/link")).expect("symlink");
    let mut manifests = Vec::new();
    for threads in [1, 2, 4] {
        let mut o = f.options();
        o.dest = f.dest.with_file_name(format!("dest-{threads}"));
        o.threads = threads;
        let r = f.snap_with(&o);
        let snap = created(&r);
        assert_eq!(tree(&snap), tree(&f.src), "threads {threads}");
        let name = r
            .created
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default();
        manifests.push(std::fs::read(chain::manifest_path(&o.dest, &name)).expect("manifest"));
        // A second run links everything, whatever the thread count.
        std::fs::write(f.src.join("a.txt"), format!("changed for {threads}")).expect("write");
        let r = f.snap_with(&o);
        assert_eq!(tree(&created(&r)), tree(&f.src));
        assert_eq!(r.stats.files_copied, 1);
        std::fs::write(f.src.join("a.txt"), "alpha").expect("write");
        std::fs::set_permissions(f.src.join("a.txt"), std::fs::Permissions::from_mode(0o640))
            .expect("chmod");
    }
    // Same source state for the first snapshot of each: the manifests differ at most in
    // a.txt's line (its mtime/inode changed between rounds).
    let strip = |m: &Vec<u8>| -> Vec<String> {
        String::from_utf8_lossy(m)
            .lines()
            .filter(|l| !l.ends_with(" a.txt"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(strip(&manifests[0]), strip(&manifests[1]));
    assert_eq!(strip(&manifests[0]), strip(&manifests[2]));
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// A change to the source tree, on one of a few names so operations collide.
    #[derive(Debug, Clone)]
    enum Op {
        Write { dir: u8, file: u8, len: u8 },
        Remove { dir: u8, file: u8 },
        Chmod { dir: u8, file: u8, exec: bool },
        Link { dir: u8, file: u8, target: u8 },
        Mkdir { dir: u8 },
        Rmdir { dir: u8 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..3, 0u8..4, 0u8..40).prop_map(|(dir, file, len)| Op::Write { dir, file, len }),
            2 => (0u8..3, 0u8..4).prop_map(|(dir, file)| Op::Remove { dir, file }),
            1 => (0u8..3, 0u8..4, any::<bool>()).prop_map(|(dir, file, exec)| Op::Chmod { dir, file, exec }),
            1 => (0u8..3, 0u8..4, 0u8..4).prop_map(|(dir, file, target)| Op::Link { dir, file, target }),
            1 => (0u8..3).prop_map(|dir| Op::Mkdir { dir }),
            1 => (1u8..3).prop_map(|dir| Op::Rmdir { dir }),
        ]
    }

    fn dir_path(root: &Path, dir: u8) -> PathBuf {
        if dir == 0 {
            root.to_path_buf()
        } else {
            root.join(format!("d{dir}"))
        }
    }

    fn apply_op(root: &Path, op: &Op, clock: &mut u64) {
        let file_path = |dir: u8, file: u8| dir_path(root, dir).join(format!("f{file}"));
        match op {
            Op::Write { dir, file, len } => {
                let p = file_path(*dir, *file);
                if !dir_path(root, *dir).is_dir() || p.is_symlink() {
                    return;
                }
                let _ = std::fs::write(&p, vec![b'a' + (*clock % 26) as u8; *len as usize]);
                // Every write gets a distinct mtime (a same-size rewrite that keeps the old
                // mtime is, by design, not seen: see docs/backups.md).
                *clock += 1;
                if let Ok(f) = std::fs::File::options().write(true).open(&p) {
                    let t = std::time::UNIX_EPOCH
                        + std::time::Duration::from_secs(1_600_000_000 + *clock);
                    let _ = f.set_modified(t);
                }
            }
            Op::Remove { dir, file } => {
                let _ = std::fs::remove_file(file_path(*dir, *file));
            }
            Op::Chmod { dir, file, exec } => {
                let p = file_path(*dir, *file);
                if p.is_file() && !p.is_symlink() {
                    let mode = if *exec { 0o755 } else { 0o644 };
                    let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode));
                }
            }
            Op::Link { dir, file, target } => {
                let p = file_path(*dir, *file);
                if dir_path(root, *dir).is_dir() && std::fs::symlink_metadata(&p).is_err() {
                    let _ = std::os::unix::fs::symlink(format!("f{target}"), &p);
                }
            }
            Op::Mkdir { dir } => {
                let _ = std::fs::create_dir(dir_path(root, *dir));
            }
            Op::Rmdir { dir } => {
                let _ = std::fs::remove_dir_all(dir_path(root, *dir));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// After any sequence of changes, each snapshot equals the source, earlier snapshots
        /// keep their content, and a run right after a snapshot sees no change.
        #[test]
        fn snapshots_track_any_sequence_of_changes(
            rounds in proptest::collection::vec(proptest::collection::vec(op(), 1..8), 1..5)
        ) {
            let tmp = tempfile::tempdir().expect("tmp");
            let src = tmp.path().join("src");
            let dest = tmp.path().join("dest");
            std::fs::create_dir_all(&src).expect("mkdir");
            let opts = BackupOptions { source: src.clone(), dest: dest.clone(), ..BackupOptions::default() };
            let mut clock = 0;
            let mut kept: Vec<(PathBuf, BTreeMap<PathBuf, Item>)> = Vec::new();
            for ops in &rounds {
                for op in ops {
                    apply_op(&src, op, &mut clock);
                }
                let report = snapshot_once(&opts, &|_| {}).expect("snapshot");
                let want = tree(&src);
                if let Some(snap) = &report.created {
                    prop_assert_eq!(&tree(&snap.path), &want);
                    kept.push((snap.path.clone(), want.clone()));
                } else {
                    let last = &kept.last().expect("a previous snapshot").1;
                    prop_assert_eq!(last, &want, "no snapshot although the source changed");
                }
                let again = snapshot_once(&opts, &|_| {}).expect("snapshot");
                prop_assert!(again.created.is_none(), "{:?}", again.plan);
            }
            for (path, content) in &kept {
                prop_assert_eq!(&tree(path), content);
            }
        }
    }
}

/// 100 more files under `many/`.
fn add_many(f: &Fixture) {
    std::fs::create_dir_all(f.src.join("many")).expect("mkdir");
    for i in 0..100 {
        std::fs::write(f.src.join(format!("many/f{i:03}.txt")), format!("{i}")).expect("write");
    }
}

#[test]
fn tripwire_pins_the_snapshot_before_a_mass_deletion() {
    let f = Fixture::new();
    add_many(&f);
    let first = f.snap();
    let first_name = first.created.as_ref().expect("created").name.clone();
    assert_eq!(first.tripwire, None, "a first snapshot deletes nothing");
    for i in 0..80 {
        std::fs::remove_file(f.src.join(format!("many/f{i:03}.txt"))).expect("rm");
    }
    let second = f.snap();
    let found = second.tripwire.clone().expect("a mass deletion");
    assert_eq!((found.gone, found.of), (80, 103));
    assert_eq!(found.previous, first_name);
    assert_eq!(
        Some(found.snapshot.as_str()),
        second.created.as_ref().map(|s| s.name.as_str())
    );
    assert!(found.pinned);
    let pins = tripwire::read_pins(&f.dest);
    assert_eq!(pins.len(), 1);
    assert_eq!(pins[0].name, first_name);
    assert_eq!(pins[0].kind(), tripwire::PinKind::Tripwire);
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);
}

#[test]
fn tripwire_skips_small_deletions_folders_ignored_files_and_disabled_configs() {
    let f = Fixture::new();
    add_many(&f);
    // 60 empty folders and 100 ignored files.
    for i in 0..60 {
        std::fs::create_dir_all(f.src.join(format!("dirs/d{i}"))).expect("mkdir");
    }
    std::fs::write(f.src.join(".backupignore"), "cache/\n").expect("write");
    std::fs::create_dir_all(f.src.join("cache")).expect("mkdir");
    for i in 0..100 {
        std::fs::write(f.src.join(format!("cache/c{i}")), "x").expect("write");
    }
    f.snap();
    // A small deletion: 3 files.
    for i in 0..3 {
        std::fs::remove_file(f.src.join(format!("many/f{i:03}.txt"))).expect("rm");
    }
    assert_eq!(f.snap().tripwire, None);
    // Folders only, and every ignored file.
    std::fs::remove_dir_all(f.src.join("dirs")).expect("rm");
    std::fs::remove_dir_all(f.src.join("cache")).expect("rm");
    let r = f.snap();
    assert!(r.created.is_some(), "the folders' deletion is a change");
    assert_eq!(r.plan.deleted_files, 0);
    assert_eq!(r.tripwire, None);
    // Disabled: a real mass deletion pins nothing.
    let off = BackupOptions {
        tripwire: crate::backup::tripwire::TripwireOptions {
            enabled: false,
            ..Default::default()
        },
        ..f.options()
    };
    std::fs::remove_dir_all(f.src.join("many")).expect("rm");
    let r = f.snap_with(&off);
    assert_eq!(r.plan.deleted_files, 97);
    assert_eq!(r.tripwire, None);
    assert!(tripwire::read_pins(&f.dest).is_empty());
}

/// Renames a snapshot (and its manifest) as if the clock had named it `name`.
fn rename_snapshot(f: &Fixture, from: &str, name: &str) -> PathBuf {
    std::fs::rename(f.dest.join(from), f.dest.join(name)).expect("rename");
    std::fs::rename(
        chain::manifest_path(&f.dest, from),
        chain::manifest_path(&f.dest, name),
    )
    .expect("rename manifest");
    f.dest.join(name)
}

#[test]
fn after_the_clock_went_back_the_chain_follows_the_order_snapshots_were_made() {
    let f = Fixture::new();
    // Two snapshots named three hours in the future (a time zone the machine has left).
    let r = f.snap();
    let first = r.created.as_ref().map(|s| s.name.clone()).expect("made");
    rename_snapshot(&f, &first, "29990101-120000");
    std::fs::write(f.src.join("a.txt"), "second").expect("write");
    let r = f.snap();
    let second = r.created.as_ref().map(|s| s.name.clone()).expect("made");
    let newest = rename_snapshot(&f, &second, "29990101-120500");
    // Now, with the clock back: a third one, named before both.
    std::fs::write(f.src.join("a.txt"), "third").expect("write");
    let r = f.snap();
    assert_eq!(r.previous.as_deref(), Some("29990101-120500"));
    let third = created(&r);
    let third_name = r.created.as_ref().map(|s| s.name.clone()).expect("made");
    assert!(third_name.as_str() < "29990101-120000", "{third_name}");
    // Linked against the true newest snapshot.
    assert_eq!(
        ino(&newest.join("sub/deeper/c.bin")),
        ino(&third.join("sub/deeper/c.bin"))
    );
    assert_eq!(r.stats.files_copied, 1);
    let names: Vec<String> = f.snapshots().into_iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        ["29990101-120000", "29990101-120500", third_name.as_str()]
    );
    let picked = select::select(&names, "latest").expect("latest");
    assert_eq!(
        std::fs::read_to_string(f.dest.join(&names[picked]).join("a.txt")).expect("read"),
        "third"
    );
    // Unchanged now: compared with the true newest, so no new snapshot.
    assert!(f.snap().created.is_none());
    // Keeping one keeps the newest state, with either method.
    for method in [
        crate::backup::CleanMethod::Thin,
        crate::backup::CleanMethod::Tail,
    ] {
        clean_backups(&f.dest, 1, method, 5).expect("clean");
        let left: Vec<String> = f.snapshots().into_iter().map(|s| s.name).collect();
        assert_eq!(left, std::slice::from_ref(&third_name), "{method:?}");
    }
    assert_eq!(
        std::fs::read_to_string(third.join("a.txt")).expect("read"),
        "third"
    );
}

/// Issue 11, hole 2: `truncate -s 1G` in the project must not become 1 GiB in the snapshot.
#[test]
fn a_sparse_file_keeps_its_holes_in_the_snapshot_and_its_logical_size_in_the_manifest() {
    use std::io::{Read, Seek, SeekFrom, Write};
    let f = Fixture::new();
    let path = f.src.join("sparse.img");
    let mut file = std::fs::File::create(&path).expect("create");
    file.set_len(1 << 30).expect("truncate");
    let pieces: [(u64, &[u8]); 3] = [
        (0, b"start"),
        (512 << 20, b"middle"),
        ((1 << 30) - 4, b"end!"),
    ];
    for (at, text) in pieces {
        file.seek(SeekFrom::Start(at)).expect("seek");
        file.write_all(text).expect("write");
    }
    drop(file);
    // The agent's 1 TiB file with no data at all.
    std::fs::File::create(f.src.join("huge.img"))
        .and_then(|h| h.set_len(1 << 40))
        .expect("truncate 1T");
    let r = f.snap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let snap = created(&r);
    for (name, logical) in [("sparse.img", 1u64 << 30), ("huge.img", 1 << 40)] {
        let md = std::fs::metadata(snap.join(name)).expect("stat");
        println!(
            "{name}: logical {} bytes, st_blocks {} ({} bytes allocated)",
            md.len(),
            md.blocks(),
            md.blocks() * 512
        );
        assert_eq!(md.len(), logical);
        assert!(
            md.blocks() * 512 < 1 << 20,
            "{name}: {} blocks",
            md.blocks()
        );
    }
    let mut copy = std::fs::File::open(snap.join("sparse.img")).expect("open");
    for (at, text) in pieces {
        let mut buf = vec![0u8; text.len()];
        copy.seek(SeekFrom::Start(at)).expect("seek");
        copy.read_exact(&mut buf).expect("read");
        assert_eq!(buf, text, "data at {at}");
    }
    let mut hole = vec![9u8; 1 << 16];
    copy.seek(SeekFrom::Start(700 << 20)).expect("seek");
    copy.read_exact(&mut hole).expect("read");
    assert!(hole.iter().all(|b| *b == 0), "holes read as zeros");
    let manifest =
        read_manifest(&chain::manifest_path(&f.dest, &f.snapshots()[0].name)).expect("manifest");
    let size_of = |name: &str| {
        manifest
            .iter()
            .find(|e| e.path == Path::new(name))
            .map(|e| e.meta.size)
    };
    assert_eq!(
        size_of("sparse.img"),
        Some(1 << 30),
        "manifest keeps the logical size"
    );
    assert_eq!(size_of("huge.img"), Some(1 << 40));
    // Unchanged next time: linked, not copied again.
    std::fs::write(f.src.join("a.txt"), "changed").expect("write");
    let r = f.snap();
    assert_eq!(r.stats.files_copied, 1);
    assert_eq!(
        ino(&created(&r).join("huge.img")),
        ino(&snap.join("huge.img"))
    );
}

/// Issue 11, hole 9a: only agsekit's own unfinished folders are cleaned up.
#[test]
fn the_stale_cleanup_removes_only_agsekits_own_partials() {
    let f = Fixture::new();
    let d = &f.dest;
    std::fs::create_dir_all(d).expect("mkdir");
    // The user's folders that happen to end like unfinished snapshots.
    for user in [
        "mystuff-partial",
        "notes-inprogress",
        "20260110-120000-1-partial", // no marker: not agsekit's
        "20260110-120000-2-partial", // a marker for another folder (inode differs)
    ] {
        std::fs::create_dir_all(d.join(user).join("keep")).expect("mkdir");
        std::fs::write(d.join(user).join("keep/file"), "mine").expect("write");
    }
    std::fs::create_dir(d.join("gone")).expect("mkdir");
    chain::mark_owned(d, "gone").expect("mark");
    std::fs::rename(
        chain::owned_marker_path(d, "gone"),
        chain::owned_marker_path(d, "20260110-120000-2-partial"),
    )
    .expect("rename marker");
    std::fs::remove_dir(d.join("gone")).expect("rmdir");
    // agsekit's: 1.7.4's timestamp names, and a marked folder with another name.
    for ours in [
        "20200101-000000-partial",
        "20200101-000001-inprogress",
        "20200101-000002-3-partial",
    ] {
        std::fs::create_dir_all(d.join(ours).join("x")).expect("mkdir");
    }
    chain::mark_owned(d, "20200101-000002-3-partial").expect("mark");
    // An orphan marker (its folder is gone).
    std::fs::write(
        chain::owned_marker_path(d, "19990101-000000-partial"),
        "agsekit-partial 1 2\n",
    )
    .expect("write");

    assert_eq!(
        chain::stale_partials(d).expect("list"),
        [
            "20200101-000000-partial",
            "20200101-000001-inprogress",
            "20200101-000002-3-partial"
        ]
    );
    let r = f.snap();
    let mut removed: Vec<_> = r
        .removed_stale
        .iter()
        .map(|p| p.file_name().expect("name").to_owned())
        .collect();
    removed.sort();
    assert_eq!(
        removed,
        [
            "20200101-000000-partial",
            "20200101-000001-inprogress",
            "20200101-000002-3-partial"
        ]
    );
    for user in [
        "mystuff-partial",
        "notes-inprogress",
        "20260110-120000-1-partial",
        "20260110-120000-2-partial",
    ] {
        assert_eq!(
            std::fs::read_to_string(d.join(user).join("keep/file")).expect("kept"),
            "mine",
            "{user}"
        );
    }
    let markers: Vec<String> = std::fs::read_dir(d)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(chain::OWNED_SUFFIX))
        .collect();
    assert!(
        markers.is_empty(),
        "markers of removed or missing folders go: {markers:?}"
    );
    // The user's folders are never listed as snapshots either.
    assert_eq!(f.snapshots().len(), 1);
}

#[test]
fn deleting_a_snapshot_never_replaces_a_users_folder_of_the_same_partial_name() {
    let f = Fixture::new();
    let r = f.snap();
    let name = r.created.expect("created").name;
    let users = f.dest.join(format!("{name}-partial"));
    std::fs::create_dir(&users).expect("mkdir"); // empty: a plain rename would replace it
    let err = chain::delete_snapshot(&f.dest, &name).expect_err("refused");
    assert_eq!(err.raw_os_error(), Some(libc::EEXIST), "{err}");
    assert!(users.is_dir());
    assert_eq!(f.snapshots().len(), 1, "the snapshot is still there");
    assert!(!chain::owned_marker_path(&f.dest, &format!("{name}-partial")).exists());
}

/// Issue 11, hole 3 (the engine side; the non-root runs are in tests/it/backup.rs): read-only
/// and closed folders copy with their modes and are removed with their snapshot.
#[test]
fn read_only_and_closed_folders_keep_their_modes_and_are_deleted_with_their_snapshot() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.src.join("ro/inner")).expect("mkdir");
    std::fs::write(f.src.join("ro/f"), "x").expect("write");
    std::fs::write(f.src.join("ro/inner/g"), "y").expect("write");
    std::fs::set_permissions(
        f.src.join("ro/inner"),
        std::fs::Permissions::from_mode(0o555),
    )
    .expect("chmod");
    std::fs::set_permissions(f.src.join("ro"), std::fs::Permissions::from_mode(0o555))
        .expect("chmod");
    let r = f.snap();
    let snap = created(&r);
    let mode = |p: &Path| std::fs::symlink_metadata(p).expect("lstat").mode() & 0o7777;
    assert_eq!(mode(&snap.join("ro")), 0o555);
    assert_eq!(mode(&snap.join("ro/inner")), 0o555);
    assert_eq!(
        std::fs::read_to_string(snap.join("ro/inner/g")).expect("read"),
        "y"
    );
    // A closed folder in the snapshot too (as root the copy can read it).
    std::fs::create_dir(snap.join("ro/inner/closed")).ok();
    let name = f.snapshots()[0].name.clone();
    chain::delete_snapshot(&f.dest, &name).expect("delete");
    assert!(f.snapshots().is_empty());
    assert!(!f.dest.join(format!("{name}-partial")).exists());
}

#[test]
fn remove_tree_chmods_folders_on_the_way_down_and_never_follows_symlinks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    std::fs::write(outside.join("precious"), "keep").expect("write");
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let doomed = tmp.path().join("doomed");
    std::fs::create_dir_all(doomed.join("ro/closed")).expect("mkdir");
    std::fs::write(doomed.join("ro/closed/f"), "x").expect("write");
    std::os::unix::fs::symlink(&outside, doomed.join("ro/link")).expect("symlink");
    std::fs::set_permissions(
        doomed.join("ro/closed"),
        std::fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    std::fs::set_permissions(doomed.join("ro"), std::fs::Permissions::from_mode(0o555))
        .expect("chmod");
    fsx::remove_tree_path(&doomed).expect("removed");
    assert!(!doomed.exists());
    assert_eq!(
        std::fs::read_to_string(outside.join("precious")).expect("read"),
        "keep"
    );
    assert_eq!(
        std::fs::metadata(&outside).expect("stat").mode() & 0o7777,
        0o555,
        "the symlink's target was not chmod-ed"
    );
    // A missing tree is already removed.
    fsx::remove_tree_path(&doomed).expect("nothing to do");
}

/// Issue 11, hole 3: what a failed or stopped run says about its partial must be true.
#[test]
fn failure_messages_say_whether_the_partial_was_removed() {
    let left = fsx::RemoveFailure {
        path: PathBuf::from("/b/20260101-000000-partial/ro/f"),
        error: std::io::Error::from_raw_os_error(libc::EACCES),
    };
    // Stopped, partial removed: the usual message.
    let err = explain_failure(interrupted(), None);
    assert_eq!(crate::error::exit_code_of(&err), 130);
    assert!(format!("{err:#}").contains("no snapshot was left half-written"));
    // Stopped, something left: named, and no claim that nothing was left.
    let err = explain_failure(interrupted(), Some(&left));
    assert_eq!(crate::error::exit_code_of(&err), 130);
    let text = crate::error::message_of(&err);
    assert!(!text.contains("half-written"), "{text}");
    assert!(
        text.contains("could not be removed: cannot remove /b/20260101-000000-partial/ro/f"),
        "{text}"
    );
    // A full disk, both ways.
    let no_space = || -> anyhow::Error {
        NoSpace {
            dest: PathBuf::from("/b"),
            path: PathBuf::from("/b/x-partial/big"),
            hint_names_dest: false,
        }
        .into()
    };
    let err = explain_failure(no_space(), None);
    assert_eq!(crate::error::exit_code_of(&err), 1);
    assert!(crate::error::message_of(&err).contains("the unfinished snapshot was removed"));
    let err = explain_failure(no_space(), Some(&left));
    let text = crate::error::message_of(&err);
    assert!(!text.contains("was removed"), "{text}");
    assert!(text.contains("could not be removed"), "{text}");
    // Any other error keeps its message and gains a line naming what is left.
    let err = explain_failure(anyhow::anyhow!("cannot write /b/x"), Some(&left));
    let text = format!("{err:#}");
    assert!(
        text.contains("cannot write /b/x") && text.contains("ro/f"),
        "{text}"
    );
}

/// The rows of `snapshots` (name, files, counts, from a manifest) for the chain in `dest`.
fn timeline_rows(dest: &Path) -> Vec<(String, u64, history_stat::Row, bool)> {
    let snaps = list_snapshots(dest).expect("list");
    history::timeline(&snaps, &Interrupt::none())
        .expect("timeline")
        .into_iter()
        .map(|i| {
            (
                i.snapshot.name,
                i.files,
                (
                    i.stat.added,
                    i.stat.modified,
                    i.stat.deleted,
                    i.stat.bytes_added,
                ),
                i.from_manifest,
            )
        })
        .collect()
}

mod history_stat {
    pub type Row = (u64, u64, u64, u64);
}

/// The same rows computed the way `snapshots` did before summaries: with every summary
/// file moved away (and put back afterwards).
fn timeline_rows_without_summaries(dest: &Path) -> Vec<(String, u64, history_stat::Row, bool)> {
    let aside = dest.with_extension("summaries-aside");
    std::fs::create_dir_all(&aside).expect("mkdir");
    let mut moved = Vec::new();
    for e in std::fs::read_dir(dest).expect("read_dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".summary") {
            std::fs::rename(e.path(), aside.join(&name)).expect("move aside");
            moved.push(name);
        }
    }
    let rows = timeline_rows(dest);
    for name in moved {
        std::fs::rename(aside.join(&name), dest.join(&name)).expect("move back");
    }
    rows
}

fn summaries_fitting(dest: &Path) -> Vec<String> {
    let snaps = list_snapshots(dest).expect("list");
    (0..snaps.len())
        .filter(|&i| {
            summary::read(&snaps[i])
                .is_some_and(|s| s.fits(&snaps[i], i.checked_sub(1).map(|j| &snaps[j])))
        })
        .map(|i| snaps[i].name.clone())
        .collect()
}

#[test]
fn summaries_give_snapshots_the_numbers_it_computes_from_the_manifests() {
    let f = Fixture::new();
    // Two snapshots made by 1.7.4 (no manifest, an `.inodes` file), a change between them.
    make_original_snapshot(&f, "20200101-000000");
    std::fs::write(f.src.join("sub/b.txt"), "bravo, edited").expect("write");
    make_original_snapshot(&f, "20200101-000500");
    // agsekit continues the chain: modified, added, deleted, a symlink, a file that
    // becomes a folder.
    std::fs::write(f.src.join("a.txt"), "changed!").expect("write");
    std::fs::write(f.src.join("new.txt"), "new file").expect("write");
    std::os::unix::fs::symlink("a.txt", f.src.join("ln")).expect("symlink");
    let s1 = created(&f.snap());
    std::fs::remove_file(f.src.join("sub/b.txt")).expect("rm");
    std::fs::remove_file(f.src.join("new.txt")).expect("rm");
    std::fs::create_dir(f.src.join("new.txt")).expect("mkdir");
    std::fs::write(f.src.join("new.txt/inside"), "x").expect("write");
    std::fs::remove_file(f.src.join("ln")).expect("rm");
    std::os::unix::fs::symlink("sub", f.src.join("ln")).expect("symlink");
    let s2 = created(&f.snap());
    // Replaced by a copy with the same size, mtime and mode (the engine copies it, the
    // listings call it unchanged), a mode change, a folder removed with its files.
    let c = f.src.join("sub/deeper/c.bin");
    let mtime = std::fs::metadata(&c)
        .expect("stat")
        .modified()
        .expect("mtime");
    std::fs::remove_file(&c).expect("rm");
    std::fs::write(&c, vec![7u8; 100_000]).expect("write");
    std::fs::File::options()
        .write(true)
        .open(&c)
        .and_then(|h| h.set_modified(mtime))
        .expect("set mtime");
    std::fs::set_permissions(f.src.join("a.txt"), std::fs::Permissions::from_mode(0o600))
        .expect("chmod");
    std::fs::remove_dir_all(f.src.join("new.txt")).expect("rm");
    let s3 = created(&f.snap());
    std::fs::write(f.src.join("z.txt"), "zulu").expect("write");
    let s4 = created(&f.snap());
    let names: Vec<String> = [&s1, &s2, &s3, &s4]
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        summaries_fitting(&f.dest),
        names,
        "each agsekit snapshot has one"
    );

    let rows = timeline_rows(&f.dest);
    assert_eq!(rows, timeline_rows_without_summaries(&f.dest));
    assert_eq!(rows.len(), 6);
    // Spot checks: the first 1.7.4 row adds everything (its `.inodes` left out); the
    // replaced copy with the same size and mtime is not "modified" (only a.txt, whose mode
    // changed, is), and a removed folder counts its file as deleted, not itself.
    assert_eq!(rows[0].2 .0, 3, "{rows:?}");
    assert_eq!(rows[4].2, (0, 1, 1, 8), "{rows:?}");

    // Retention deletes the snapshot before s3: its summary no longer fits; `snapshots`
    // computes that row (the same numbers as without summaries), and the cleanup's refresh
    // records the new one.
    chain::delete_snapshot(&f.dest, &names[1]).expect("delete");
    assert!(!summary::summary_path(&f.dest, &names[1]).exists());
    assert_eq!(
        summaries_fitting(&f.dest),
        [names[0].clone(), names[3].clone()]
    );
    let rows = timeline_rows(&f.dest);
    assert_eq!(rows, timeline_rows_without_summaries(&f.dest));
    assert_eq!(summary::refresh(&f.dest), 1);
    assert_eq!(
        summaries_fitting(&f.dest),
        [names[0].clone(), names[2].clone(), names[3].clone()]
    );
    assert_eq!(timeline_rows(&f.dest), rows);

    // Tail cleanup deletes the oldest (1.7.4's and s1): the new first row adds everything.
    clean_backups(&f.dest, 2, crate::backup::CleanMethod::Tail, 5).expect("clean");
    assert_eq!(
        summaries_fitting(&f.dest),
        [names[2].clone(), names[3].clone()]
    );
    let rows = timeline_rows(&f.dest);
    assert_eq!(rows, timeline_rows_without_summaries(&f.dest));
    assert_eq!(rows[0].2 .2, 0);
    assert_eq!(rows[0].2 .0, rows[0].1);
}

#[test]
fn a_run_killed_before_publishing_leaves_no_summary_behind() {
    let f = Fixture::new();
    f.snap();
    // What a crash between the summary's rename and the snapshot's leaves.
    std::fs::write(
        summary::summary_path(&f.dest, "20991231-235959"),
        "agsekit-summary 1 seq=9 prev=- prev-seq=- files=1 added=1 modified=0 deleted=0 bytes=1\n",
    )
    .expect("write");
    std::fs::write(f.dest.join(".20991231-235959.summary.tmp"), "x").expect("write");
    chain::remove_stale(&f.dest).expect("clean");
    let left: Vec<String> = std::fs::read_dir(&f.dest)
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".summary"))
        .collect();
    assert_eq!(left.len(), 1, "only the real snapshot's: {left:?}");
}

/// A stop request with a wakeup pipe ends long sleeps at once, in every thread (the snapshot loop of a session
/// notices SIGTERM without waiting for its next check); without the pipe, the sleep would
/// last the hour and the 60 s this test allows would run out.
#[test]
fn interrupt_with_a_wakeup_pipe_ends_a_long_sleep_at_once() {
    use std::io::Write;
    let flag = Arc::new(AtomicBool::new(false));
    let (wakeup, mut writer) = super::Wakeup::pair().unwrap();
    let interrupt = Interrupt::with_wakeup(Arc::clone(&flag), wakeup);
    // Two sleepers on one pipe, as `backup-repeated-all` has one per mount: both wake.
    let (tx, rx) = std::sync::mpsc::channel();
    for _ in 0..2 {
        let sleeper = interrupt.clone();
        let tx = tx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(sleeper.sleep(std::time::Duration::from_secs(3600)));
        });
    }
    // What the signal handlers do, in their order: the flag, then a byte into the pipe.
    std::thread::sleep(std::time::Duration::from_millis(50));
    flag.store(true, Ordering::SeqCst);
    writer.write_all(b"x").unwrap();
    for _ in 0..2 {
        let slept_through = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("a sleep did not wake up");
        assert!(!slept_through, "a stop was requested: sleep returns false");
    }
    assert!(interrupt.is_set());
}

/// Entries that describe the source as it is now (what a side file would have to hold to
/// hide a change).
fn entries_of_source(src: &Path) -> index::Entries {
    let interrupt = Interrupt::none();
    let walked = scan::scan(&scan::ScanSpec::plain(src, &interrupt)).expect("scan");
    plan::PrevIndex::from_legacy_tree(&walked.root).entries
}

#[test]
fn a_side_file_that_would_hide_a_change_is_used_only_when_current_and_intact() {
    let f = Fixture::new();
    let s1 = f.snap().created.expect("first").name;
    let manifest = chain::manifest_path(&f.dest, &s1);
    let side = index::path_for(&manifest).expect("side path");
    assert!(
        !side.exists(),
        "made by the first check that reads the manifest"
    );
    assert!(f.snap().created.is_none());
    assert!(side.is_file(), "the no-change check wrote the side file");
    let id = index::FileId::of(&std::fs::metadata(&manifest).expect("md"));
    assert!(index::read(&side, &id).is_some());

    // A change, and a side file that says the source is as it is now, made for another
    // version of the manifest (a rewritten or copied one): ignored, the change is found.
    std::fs::write(f.src.join("a.txt"), "alpha, longer now").expect("write");
    let stale = index::FileId {
        ino: id.ino + 1,
        ..id
    };
    index::write(&side, &stale, &entries_of_source(&f.src)).expect("forge");
    let r = f.snap();
    let s2 = created(&r);
    assert_eq!(r.plan.modified, 1, "{:?}", r.plan);
    assert_eq!(
        std::fs::read(s2.join("a.txt")).expect("read"),
        b"alpha, longer now"
    );

    // The same with the right identity but damaged bytes (the checksum no longer matches).
    let s2_name = r.created.expect("second").name;
    assert!(f.snap().created.is_none());
    let manifest = chain::manifest_path(&f.dest, &s2_name);
    let side = index::path_for(&manifest).expect("side path");
    let id = index::FileId::of(&std::fs::metadata(&manifest).expect("md"));
    std::fs::write(f.src.join("sub/b.txt"), "bravo, longer now").expect("write");
    index::write(&side, &id, &entries_of_source(&f.src)).expect("forge");
    let mut bytes = std::fs::read(&side).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x20;
    std::fs::write(&side, &bytes).expect("damage");
    let r = f.snap();
    assert_eq!(r.plan.modified, 1, "{:?}", r.plan);
    assert_eq!(
        std::fs::read(created(&r).join("sub/b.txt")).expect("read"),
        b"bravo, longer now"
    );
    // The damaged side file was replaced by one made from the manifest.
    assert_eq!(
        index::read(&side, &id),
        Some(index::Entries::from_raw(
            manifest::read_raw(&manifest).expect("manifest")
        ))
    );
}

#[test]
fn side_files_go_with_their_snapshot_and_other_files_stay() {
    let f = Fixture::new();
    let s1 = f.snap().created.expect("first").name;
    assert!(f.snap().created.is_none());
    let side = index::path_for(&chain::manifest_path(&f.dest, &s1)).expect("side");
    assert!(side.is_file());
    // An orphan (its snapshot is gone), a temporary one, and a file of the user's.
    std::fs::write(f.dest.join(".20990101-000000.index"), "x").expect("write");
    std::fs::write(f.dest.join(format!(".{s1}.index.tmp")), "x").expect("write");
    std::fs::write(f.dest.join(".notes.index"), "mine").expect("write");
    assert!(f.snap().created.is_none());
    assert!(!f.dest.join(".20990101-000000.index").exists());
    assert!(!f.dest.join(format!(".{s1}.index.tmp")).exists());
    assert!(f.dest.join(".notes.index").is_file());
    assert!(
        side.is_file(),
        "the side file of a snapshot that exists stays"
    );
    std::fs::write(f.src.join("a.txt"), "new").expect("write");
    f.snap();
    chain::delete_snapshot(&f.dest, &s1).expect("delete");
    assert!(!side.exists(), "deleted with its snapshot");
}

#[test]
fn the_check_that_keeps_no_tree_reports_what_the_full_comparison_reports() {
    let f = Fixture::new();
    std::os::unix::fs::symlink("../a.txt", f.src.join("sub/link")).expect("symlink");
    f.snap().created.expect("first");
    // Rules added after the first run are not accepted: counted, never applied.
    std::fs::write(f.src.join("sub/.backupignore"), "*.txt\n").expect("write");
    std::fs::write(f.src.join("sub/new.txt"), "new").expect("write");
    f.snap().created.expect("second");
    let s2 = f.snapshots().last().expect("s2").clone();
    let side = index::path_for(s2.manifest.as_ref().expect("manifest")).expect("side");
    // The first check parses the manifest (the full comparison) and writes the side file;
    // the next one walks and compares against the side file, keeping no tree.
    let full = f.snap();
    assert!(full.created.is_none() && side.is_file());
    let quick = f.snap();
    assert!(quick.created.is_none());
    assert_eq!(quick.plan, full.plan);
    assert_eq!(
        (quick.plan.link_files, quick.plan.symlinks),
        (5, 1),
        "{:?}",
        quick.plan
    );
    assert_eq!(quick.pending_rules, full.pending_rules);
    assert_eq!(quick.pending_rules.len(), 1, "{:?}", quick.pending_rules);
    assert_eq!(quick.warnings, full.warnings);
    assert_eq!(quick.previous, full.previous);
    // A deletion is seen only at the end of the walk: still a snapshot.
    std::fs::remove_file(f.src.join("sub/deeper/c.bin")).expect("rm");
    let r = f.snap();
    assert_eq!(
        (r.plan.deleted, r.plan.deleted_files),
        (1, 1),
        "{:?}",
        r.plan
    );
    assert!(!created(&r).join("sub/deeper/c.bin").exists());
    // A retargeted symlink, with the side file of the last snapshot current.
    assert!(f.snap().created.is_none());
    std::fs::remove_file(f.src.join("sub/link")).expect("rm");
    std::os::unix::fs::symlink("b.txt", f.src.join("sub/link")).expect("symlink");
    let r = f.snap();
    assert_eq!(r.plan.modified, 1, "{:?}", r.plan);
}

/// The agent may change the source between the walk that compares it with the previous
/// snapshot and the walk that writes the new one (the fault hook plays the agent here,
/// while the first file is being copied). What counts is what is written.
mod between_the_walks {
    use super::*;

    /// Runs `act` once, when the writer opens `a.txt` (written before any folder: the
    /// top-level files are written first, the folders after, on one thread).
    fn snap_acting(f: &Fixture, act: impl Fn(&Path) + Send + Sync + 'static) -> SnapshotReport {
        let src = f.src.clone();
        let once = Arc::new(AtomicBool::new(false));
        let mut o = f.options();
        o.threads = 1;
        o.fault = Some(Arc::new(move |point, path| {
            if point == FaultPoint::Open
                && path == Path::new("a.txt")
                && !once.swap(true, Ordering::SeqCst)
            {
                act(&src);
            }
            None
        }));
        f.snap_with(&o)
    }

    #[test]
    fn a_mass_deletion_after_the_check_still_trips_the_tripwire() {
        let f = Fixture::new();
        add_many(&f);
        let first = f.snap();
        std::fs::write(f.src.join("a.txt"), "changed").expect("write");
        let r = snap_acting(&f, |src| {
            for i in 0..80 {
                std::fs::remove_file(src.join(format!("many/f{i:03}.txt"))).expect("rm");
            }
        });
        assert_eq!(r.plan.deleted_files, 80, "counted from what was written");
        let found = r.tripwire.clone().expect("a mass deletion");
        assert_eq!((found.gone, found.of), (80, 103));
        assert_eq!(
            Some(&found.previous),
            first.created.as_ref().map(|s| &s.name)
        );
        assert!(found.pinned);
        let written = created(&r);
        assert!(!written.join("many/f000.txt").exists());
        assert!(written.join("many/f080.txt").exists());
        assert_eq!(tree(&written), tree(&f.src));
    }

    #[test]
    fn a_file_with_the_same_bytes_rewritten_after_the_check_is_copied() {
        let f = Fixture::new();
        let first = f.snap();
        // Only the ctime of sub/b.txt moves: its bytes are compared and found the same.
        let b = f.src.join("sub/b.txt");
        std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::write(f.src.join("a.txt"), "changed").expect("write");
        // Then, after the check, the agent rewrites it and puts its size and mtime back.
        let r = snap_acting(&f, |src| {
            let b = src.join("sub/b.txt");
            let mtime = std::fs::metadata(&b)
                .and_then(|m| m.modified())
                .expect("mtime");
            std::thread::sleep(std::time::Duration::from_millis(20));
            std::fs::write(&b, "BRAVO").expect("write");
            std::fs::File::options()
                .write(true)
                .open(&b)
                .and_then(|file| file.set_modified(mtime))
                .expect("set mtime");
        });
        let written = created(&r);
        assert_eq!(
            std::fs::read(written.join("sub/b.txt")).expect("read"),
            b"BRAVO"
        );
        assert_ne!(
            ino(&written.join("sub/b.txt")),
            ino(&created(&first).join("sub/b.txt")),
            "copied, not linked to the old bytes"
        );
        assert_eq!(
            std::fs::read(created(&first).join("sub/b.txt")).expect("read"),
            b"bravo",
            "the older snapshot is untouched"
        );
        assert_eq!(r.plan.modified, 2, "{:?}", r.plan);
    }

    #[test]
    fn a_folder_removed_after_the_check_is_left_out_with_a_warning() {
        let f = Fixture::new();
        f.snap();
        std::fs::write(f.src.join("a.txt"), "changed").expect("write");
        let r = snap_acting(&f, |src| {
            std::fs::remove_dir_all(src.join("sub")).expect("rm");
        });
        let written = created(&r);
        assert!(!written.join("sub").exists());
        assert_eq!(tree(&written), tree(&f.src));
        assert!(
            r.warnings.iter().any(|w| w.path == Path::new("sub")),
            "{:?}",
            r.warnings
        );
        assert_eq!(r.plan.deleted_files, 2, "{:?}", r.plan);
    }
}
