//! Issue 11: what an agent can do to the project folder must not break backups. Each test
//! plays one attack through the built binary and checks the outcome:
//! - sparse files (`truncate -s 1T`): holes kept, no ENOSPC, the size guard;
//! - read-only (`555`) and closed (`000`) folders, as a NORMAL user (root ignores permission
//!   bits, so when the tests run as root the binary is run as `nobody` with setpriv);
//! - folders of the user's named `*-partial` in the backup folder survive the cleanup.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{names, Sandbox};

const NOBODY: u32 = 65534;

/// Runs `agsekit` as a user that permission bits apply to: `nobody` through setpriv when the
/// tests run as root, else the current user.
struct NormalUser {
    setpriv: Option<PathBuf>,
    uid: u32,
}

impl NormalUser {
    /// `None` (with the reason printed) when root cannot switch users here.
    fn get() -> Option<NormalUser> {
        if !nix::unistd::geteuid().is_root() {
            return Some(NormalUser {
                setpriv: None,
                uid: nix::unistd::geteuid().as_raw(),
            });
        }
        let Some(setpriv) = ["/usr/bin/setpriv", "/bin/setpriv"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
        else {
            println!("SKIPPED: running as root and setpriv (util-linux) is not installed");
            return None;
        };
        let probe = Command::new(&setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .output();
        match probe {
            Ok(o) if o.status.success() => Some(NormalUser {
                setpriv: Some(setpriv),
                uid: NOBODY,
            }),
            Ok(o) => {
                println!(
                    "SKIPPED: setpriv cannot switch to nobody here: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                println!("SKIPPED: cannot run setpriv: {e}");
                None
            }
        }
    }

    fn agsekit(&self, home: &Path) -> Command {
        let bin = assert_cmd::cargo::cargo_bin("agsekit");
        let mut cmd = match &self.setpriv {
            Some(setpriv) => {
                let mut c = Command::new(setpriv);
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                    .arg(bin);
                c
            }
            None => Command::new(bin),
        };
        cmd.env("HOME", home)
            .env_remove("CONFIG_PATH")
            .env_remove("AGSEKIT_DEBUG")
            .env_remove("AGSEKIT_LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Gives the user the tree at `path` (symlinks not followed); nothing to do when the
    /// tests already run as that user.
    fn own(&self, path: &Path) {
        if self.setpriv.is_none() {
            return;
        }
        let uid = Some(nix::unistd::Uid::from_raw(self.uid));
        let gid = Some(nix::unistd::Gid::from_raw(self.uid));
        nix::unistd::fchownat(
            None,
            path,
            uid,
            gid,
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .expect("chown");
        if std::fs::symlink_metadata(path).expect("lstat").is_dir() {
            for e in std::fs::read_dir(path).expect("ls").flatten() {
                self.own(&e.path());
            }
        }
    }
}

/// A scratch folder everyone can traverse (temp folders are 0700), with a project, a backup
/// folder and a HOME inside, all the normal user's.
struct Scratch {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    src: PathBuf,
    dest: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let root = tmp.path().join("u");
        let src = root.join("project");
        let dest = root.join("backups-project");
        std::fs::create_dir_all(&src).expect("mkdir");
        std::fs::write(src.join("README.md"), "# demo\n").expect("write");
        Scratch {
            _tmp: tmp,
            root,
            src,
            dest,
        }
    }

    /// A config with the project as its one mount, backed up to `dest`.
    fn write_config(&self) -> PathBuf {
        let config = self.root.join("config.yaml");
        let text = format!(
            "vms:\n  agent-ubuntu: {{cpu: 1, ram: 1G, disk: 5G}}\nmounts:\n  - source: {}\n    backup: {}\n    interval: 5\n",
            self.src.display(),
            self.dest.display()
        );
        std::fs::write(&config, text).expect("config");
        config
    }

    fn backup_once(&self, user: &NormalUser) -> Output {
        user.agsekit(&self.root)
            .arg("backup-once")
            .arg("--source-dir")
            .arg(&self.src)
            .arg("--dest-dir")
            .arg(&self.dest)
            .output()
            .expect("run agsekit")
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).expect("lstat").mode() & 0o7777
}

fn snapshots(dest: &Path) -> Vec<String> {
    names(dest)
        .into_iter()
        .filter(|n| n.len() == 15 && n.as_bytes()[8] == b'-' && dest.join(n).is_dir())
        .collect()
}

fn leftovers(dest: &Path) -> Vec<String> {
    names(dest)
        .into_iter()
        .filter(|n| n.ends_with("-partial") || n.ends_with(".agsekit-owned"))
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn read_only_and_closed_folders_never_brick_backups_or_cleanup_for_a_normal_user() {
    let Some(user) = NormalUser::get() else {
        return;
    };
    let s = Scratch::new();
    // The agent: mkdir ro; touch ro/f; chmod 555 ro; and a closed (000) folder.
    std::fs::create_dir_all(s.src.join("ro/inner")).expect("mkdir");
    std::fs::write(s.src.join("ro/f"), "in a read-only folder").expect("write");
    std::fs::write(s.src.join("ro/inner/g"), "deeper").expect("write");
    std::fs::create_dir(s.src.join("closed")).expect("mkdir");
    std::fs::write(s.src.join("closed/secret"), "unreadable").expect("write");
    user.own(&s.root);
    chmod(&s.src.join("ro/inner"), 0o555);
    chmod(&s.src.join("ro"), 0o555);
    chmod(&s.src.join("closed"), 0o000);

    // The closed folder is a warning (exit 5), not a stop; the rest is snapshotted.
    let out = s.backup_once(&user);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("warning: closed: cannot open directory"),
        "{err}"
    );
    assert_eq!(
        err.matches("warning: closed:").count(),
        1,
        "reported once: {err}"
    );
    let first = snapshots(&s.dest);
    assert_eq!(first.len(), 1, "{:?}", names(&s.dest));
    let snap = s.dest.join(&first[0]);
    assert_eq!(
        mode(&snap.join("ro")),
        0o555,
        "the copy keeps 555, set after its contents"
    );
    assert_eq!(mode(&snap.join("ro/inner")), 0o555);
    assert_eq!(
        std::fs::read_to_string(snap.join("ro/inner/g")).expect("read"),
        "deeper"
    );
    assert_eq!(mode(&snap.join("closed")), 0o000);

    // A partial left by a crash, holding read-only and closed folders (as a killed run
    // leaves them), is removed by the next run.
    let crashed = s.dest.join("20200101-000000-partial");
    std::fs::create_dir_all(crashed.join("ro/closed")).expect("mkdir");
    std::fs::write(crashed.join("ro/closed/f"), "x").expect("write");
    user.own(&crashed);
    chmod(&crashed.join("ro/closed"), 0o000);
    chmod(&crashed.join("ro"), 0o555);
    std::fs::write(s.src.join("README.md"), "# changed\n").expect("write");
    let out = s.backup_once(&user);
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(5),
        "only the closed folder warns: {err}"
    );
    assert!(
        text(&out.stdout).contains(&format!(
            "Removed unfinished snapshot: {}",
            crashed.display()
        )),
        "{}",
        text(&out.stdout)
    );
    assert!(!crashed.exists());
    assert_eq!(snapshots(&s.dest).len(), 2);

    // backup-clean deletes snapshots holding 555 and 000 folders, leaving nothing behind.
    let config = s.write_config();
    user.own(&config);
    let out = user
        .agsekit(&s.root)
        .arg("--config")
        .arg(&config)
        .arg("backup-clean")
        .arg(&s.src)
        .args(["0", "tail"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).matches("Removing snapshot: ").count(),
        2,
        "{}",
        text(&out.stdout)
    );
    assert!(snapshots(&s.dest).is_empty(), "{:?}", names(&s.dest));
    assert!(leftovers(&s.dest).is_empty(), "{:?}", names(&s.dest));

    // And backups go on.
    let out = s.backup_once(&user);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert_eq!(snapshots(&s.dest).len(), 1);
    chmod(&s.src.join("closed"), 0o755); // let the temp dir be removed
}

#[test]
fn sigterm_during_a_snapshot_with_a_read_only_folder_leaves_no_partial_for_a_normal_user() {
    let Some(user) = NormalUser::get() else {
        return;
    };
    let s = Scratch::new();
    // One writer thread: `a/` (with the read-only folder) is written, closed with 555, and
    // only then `b/big.bin` is copied, which is when the stop arrives.
    std::fs::create_dir_all(s.src.join("a/ro")).expect("mkdir");
    std::fs::write(s.src.join("a/ro/f"), "x").expect("write");
    std::fs::create_dir(s.src.join("b")).expect("mkdir");
    std::fs::write(s.src.join("b/big.bin"), vec![7u8; 512 << 20]).expect("write");
    user.own(&s.root);
    chmod(&s.src.join("a/ro"), 0o555);
    for round in 0..3 {
        std::fs::write(s.src.join("README.md"), format!("round {round}\n")).expect("write");
        user.own(&s.src.join("README.md"));
        let before = snapshots(&s.dest);
        let mut child = user
            .agsekit(&s.root)
            .env("AGSEKIT_BACKUP_THREADS", "1")
            .arg("backup-once")
            .arg("--source-dir")
            .arg(&s.src)
            .arg("--dest-dir")
            .arg(&s.dest)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Wait (no timing assumption: polling) until the copy of `a/ro` is closed with 555.
        let start = Instant::now();
        let mut closed_ro = false;
        while start.elapsed() < Duration::from_secs(60) {
            let partial = names(&s.dest).into_iter().find(|n| n.ends_with("-partial"));
            if let Some(p) = partial {
                let ro = s.dest.join(p).join("a/ro");
                if std::fs::symlink_metadata(&ro).is_ok_and(|m| m.mode() & 0o7777 == 0o555) {
                    closed_ro = true;
                    break;
                }
            }
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if closed_ro {
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGTERM,
            )
            .expect("kill");
        }
        let out = child.wait_with_output().expect("wait");
        let err = text(&out.stderr);
        if out.status.code() == Some(0) {
            println!("round {round}: finished before the signal; trying again");
            continue;
        }
        assert_eq!(out.status.code(), Some(130), "{err}");
        assert!(
            err.contains("interrupted; no snapshot was left half-written"),
            "{err}"
        );
        assert_eq!(snapshots(&s.dest), before, "no snapshot added");
        assert!(
            leftovers(&s.dest).is_empty(),
            "the message is true: {:?}",
            names(&s.dest)
        );
        return;
    }
    println!("SKIPPED: every run finished before the signal could be sent");
}

#[test]
fn a_users_partial_folders_in_the_backup_folder_survive_the_cleanup() {
    let sb = Sandbox::new();
    let src = sb.home().join("project");
    let dest = sb.home().join("backups");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("a.txt"), "a").expect("write");
    for user in [
        "mystuff-partial",
        "old-inprogress",
        "20260101-000000-1-partial",
    ] {
        std::fs::create_dir_all(dest.join(user)).expect("mkdir");
        std::fs::write(dest.join(user).join("mine.txt"), "keep me").expect("write");
    }
    // A partial agsekit 1.7.4 (or a killed run) left: named exactly like a timestamp.
    std::fs::create_dir_all(dest.join("20200101-000000-partial/x")).expect("mkdir");
    let out = sb
        .agsekit()
        .arg("backup-once")
        .arg("--source-dir")
        .arg(&src)
        .arg("--dest-dir")
        .arg(&dest)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Removed unfinished snapshot: ")
            && stdout.contains("20200101-000000-partial"),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("Removed unfinished snapshot").count(),
        1,
        "{stdout}"
    );
    for user in [
        "mystuff-partial",
        "old-inprogress",
        "20260101-000000-1-partial",
    ] {
        assert_eq!(
            std::fs::read_to_string(dest.join(user).join("mine.txt")).expect("kept"),
            "keep me"
        );
    }
    assert!(!dest.join("20200101-000000-partial").exists());
}

#[test]
fn a_1_tib_sparse_file_is_snapshotted_in_almost_no_space() {
    let sb = Sandbox::new();
    let src = sb.home().join("project");
    let dest = sb.home().join("backups");
    std::fs::create_dir_all(&src).expect("mkdir");
    // truncate -s 1T, plus a 1 GiB file with data at three offsets.
    std::fs::File::create(src.join("tera.img"))
        .and_then(|f| f.set_len(1 << 40))
        .expect("truncate");
    let giga = src.join("giga.img");
    {
        use std::os::unix::fs::FileExt;
        let f = std::fs::File::create(&giga).expect("create");
        f.set_len(1 << 30).expect("truncate");
        f.write_all_at(b"head", 0).expect("write");
        f.write_all_at(b"middle", 400 << 20).expect("write");
        f.write_all_at(b"tail", (1 << 30) - 4).expect("write");
    }
    let out = sb
        .agsekit()
        .arg("backup-once")
        .arg("--source-dir")
        .arg(&src)
        .arg("--dest-dir")
        .arg(&dest)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let snap = dest.join(&snapshots(&dest)[0]);
    for (name, len) in [("tera.img", 1u64 << 40), ("giga.img", 1 << 30)] {
        let md = std::fs::metadata(snap.join(name)).expect("stat");
        println!("{name}: {} bytes, st_blocks {}", md.len(), md.blocks());
        assert_eq!(md.len(), len);
        assert!(
            md.blocks() * 512 < 1 << 20,
            "{name}: {} blocks",
            md.blocks()
        );
    }
    use std::os::unix::fs::FileExt;
    let copy = std::fs::File::open(snap.join("giga.img")).expect("open");
    for (at, want) in [
        (0u64, &b"head"[..]),
        (400 << 20, b"middle"),
        ((1 << 30) - 4, b"tail"),
    ] {
        let mut buf = vec![0u8; want.len()];
        copy.read_exact_at(&mut buf, at).expect("read");
        assert_eq!(buf, want);
    }
    let mut hole = vec![1u8; 4096];
    copy.read_exact_at(&mut hole, 800 << 20).expect("read");
    assert!(hole.iter().all(|b| *b == 0));
}

/// The size guard, on a destination that is a 2 MiB tmpfs (needs root to mount; skipped
/// otherwise): a file whose data can never fit is left out with a warning and exit 5, the
/// rest of the snapshot completes.
#[test]
fn a_file_too_big_for_the_destination_is_left_out_with_a_warning() {
    let sb = Sandbox::new();
    let src = sb.home().join("project");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("small.txt"), "small").expect("write");
    std::fs::write(src.join("huge.bin"), vec![3u8; 5 << 20]).expect("write");
    let mnt = sb.home().join("small-fs");
    std::fs::create_dir_all(&mnt).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&mnt)
        .output();
    match mounted {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            println!("SKIPPED: cannot mount a tmpfs: {}", text(&o.stderr).trim());
            return;
        }
        Err(e) => {
            println!("SKIPPED: cannot run mount: {e}");
            return;
        }
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let dest = mnt.join("backups");
    let out = sb
        .agsekit()
        .arg("backup-once")
        .arg("--source-dir")
        .arg(&src)
        .arg("--dest-dir")
        .arg(&dest)
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("warning: huge.bin: left out of this snapshot: its data needs 5.0 MiB"),
        "{err}"
    );
    let snaps = snapshots(&dest);
    assert_eq!(snaps.len(), 1, "the rest of the snapshot completes");
    assert_eq!(
        std::fs::read_to_string(dest.join(&snaps[0]).join("small.txt")).expect("read"),
        "small"
    );
    assert!(!dest.join(&snaps[0]).join("huge.bin").exists());
    assert!(leftovers(&dest).is_empty(), "{:?}", names(&dest));
}

/// What cannot be removed (here: a folder of another user's inside a crashed partial) is
/// named in a warning, and backups go on (before: every backup failed with "cannot remove
/// unfinished snapshots").
#[test]
fn an_unremovable_partial_is_a_warning_naming_it_not_a_stop_for_a_normal_user() {
    let Some(user) = NormalUser::get() else {
        return;
    };
    if user.setpriv.is_none() {
        println!("SKIPPED: needs root to make a folder the normal user cannot change");
        return;
    }
    let s = Scratch::new();
    let crashed = s.dest.join("20200101-000000-partial");
    std::fs::create_dir_all(crashed.join("roots/sub")).expect("mkdir");
    std::fs::write(crashed.join("roots/sub/f"), "root's").expect("write");
    std::fs::write(crashed.join("mine"), "x").expect("write");
    user.own(&s.root);
    // Back to root: nobody may neither chmod nor empty this folder.
    nix::unistd::chown(
        &crashed.join("roots/sub"),
        Some(nix::unistd::Uid::from_raw(0)),
        Some(nix::unistd::Gid::from_raw(0)),
    )
    .expect("chown");
    chmod(&crashed.join("roots/sub"), 0o755);
    let out = s.backup_once(&user);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains(&format!(
            "warning: an unfinished snapshot could not be removed: cannot remove {}: Permission denied",
            crashed.join("roots/sub/f").display()
        )),
        "{err}"
    );
    assert_eq!(snapshots(&s.dest).len(), 1, "the snapshot was taken anyway");
    assert!(!crashed.join("mine").exists(), "the rest of it was removed");
    assert!(crashed.join("roots/sub/f").exists());
}

/// Where the filesystem can share extents (XFS here, in a loop-mounted image; needs root and
/// `mkfs.xfs` from xfsprogs), a changed file is reflinked: the snapshot of a 64 MiB file
/// takes (almost) no new space.
#[test]
fn changed_files_are_reflinked_where_the_filesystem_can() {
    let sb = Sandbox::new();
    let Some(mkfs) = ["/usr/sbin/mkfs.xfs", "/sbin/mkfs.xfs"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
    else {
        println!("SKIPPED: mkfs.xfs (xfsprogs) is not installed");
        return;
    };
    if !nix::unistd::geteuid().is_root() {
        println!("SKIPPED: mounting a loop image needs root");
        return;
    }
    let image = sb.home().join("xfs.img");
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(320 << 20))
        .expect("image");
    let made = Command::new(mkfs)
        .args(["-q", "-m", "reflink=1"])
        .arg(&image)
        .output()
        .expect("mkfs.xfs");
    assert!(made.status.success(), "{}", text(&made.stderr));
    let mnt = sb.home().join("xfs");
    std::fs::create_dir(&mnt).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-o", "loop"])
        .arg(&image)
        .arg(&mnt)
        .output()
        .expect("mount");
    if !mounted.status.success() {
        println!(
            "SKIPPED: cannot loop-mount: {}",
            text(&mounted.stderr).trim()
        );
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let src = mnt.join("project");
    let dest = mnt.join("backups");
    std::fs::create_dir(&src).expect("mkdir");
    // Incompressible, non-repeating data, so only sharing can save the space.
    let mut data = vec![0u8; 64 << 20];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in data.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    std::fs::write(src.join("big.bin"), &data).expect("write");
    let used = || {
        let st = nix::sys::statvfs::statvfs(&mnt).expect("statvfs");
        (st.blocks() - st.blocks_free()) as u64 * st.fragment_size() as u64
    };
    nix::unistd::sync();
    let before = used();
    let out = sb
        .agsekit()
        .arg("backup-once")
        .arg("--source-dir")
        .arg(&src)
        .arg("--dest-dir")
        .arg(&dest)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    nix::unistd::sync();
    let grew = used().saturating_sub(before);
    println!("snapshot of a 64 MiB file on XFS used {grew} more bytes");
    assert!(grew < 8 << 20, "grew by {grew} bytes: not reflinked");
    let snap = dest.join(&snapshots(&dest)[0]);
    assert!(std::fs::read(snap.join("big.bin")).expect("read") == data);
    // The kernel's copy_file_range may share extents by itself; the engine's own FICLONE
    // path is checked here directly.
    let input = std::fs::File::open(src.join("big.bin")).expect("open");
    let out = std::fs::File::create(mnt.join("clone.bin")).expect("create");
    let copied =
        agsekit::backup::copy::copy_data(&input, &out, &agsekit::backup::Interrupt::none())
            .expect("copy");
    assert!(copied.cloned, "{copied:?}");
    assert_eq!(copied.len, 64 << 20);
    drop(out);
    assert!(std::fs::read(mnt.join("clone.bin")).expect("read") == data);
}

/// `doctor -y` removes a crashed partial holding read-only and closed folders for a normal
/// user (it said "cannot clean" before), and leaves a folder of the user's named
/// `*-partial` alone. No multipass here: the backup-folder checks do not need one.
#[test]
fn doctor_y_removes_a_read_only_partial_for_a_normal_user_and_keeps_the_users_folder() {
    let Some(user) = NormalUser::get() else {
        return;
    };
    let s = Scratch::new();
    std::fs::create_dir_all(&s.dest).expect("mkdir");
    let crashed = s.dest.join("20200101-000000-partial");
    std::fs::create_dir_all(crashed.join("ro/closed")).expect("mkdir");
    std::fs::write(crashed.join("ro/closed/f"), "x").expect("write");
    std::fs::create_dir_all(s.dest.join("mystuff-partial")).expect("mkdir");
    std::fs::write(s.dest.join("mystuff-partial/notes"), "mine").expect("write");
    let config = s.write_config();
    user.own(&s.root);
    chmod(&crashed.join("ro/closed"), 0o000);
    chmod(&crashed.join("ro"), 0o555);
    let out = user
        .agsekit(&s.root)
        .env("AGSEKIT_MULTIPASS", s.root.join("no-multipass"))
        .env("PATH", "/usr/bin:/bin")
        .arg("--config")
        .arg(&config)
        .args(["doctor", "-y"])
        .output()
        .expect("run doctor");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("unfinished snapshot folders left by a crash: 20200101-000000-partial\n"),
        "only agsekit's partial is listed: {stdout}"
    );
    assert!(!stdout.contains("mystuff-partial"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "removed 1 unfinished folder(s) in {}",
            s.dest.display()
        )),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(!crashed.exists());
    assert_eq!(
        std::fs::read_to_string(s.dest.join("mystuff-partial/notes")).expect("kept"),
        "mine"
    );
}

/// Restoring a sparse file keeps its holes too (a restore of the 1 GiB file below used to
/// write 1 GiB).
#[test]
fn restoring_a_sparse_file_keeps_its_holes() {
    use std::os::unix::fs::FileExt;
    let sb = Sandbox::new();
    let src = sb.home().join("project");
    let dest = sb.home().join("backups");
    std::fs::create_dir_all(&src).expect("mkdir");
    let img = src.join("disk.img");
    {
        let f = std::fs::File::create(&img).expect("create");
        f.set_len(1 << 30).expect("truncate");
        f.write_all_at(b"boot", 0).expect("write");
        f.write_all_at(b"data", 600 << 20).expect("write");
    }
    let run = |args: &[&str]| {
        let out = sb
            .agsekit()
            .args(args)
            .arg("--dest-dir")
            .arg(&dest)
            .arg("--source-dir")
            .arg(&src)
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
    };
    run(&["backup-once"]);
    let snap = snapshots(&dest).pop().expect("a snapshot");
    std::fs::remove_file(&img).expect("rm");
    run(&["restore", &snap, "disk.img"]);
    let md = std::fs::metadata(&img).expect("restored");
    println!("restored 1 GiB sparse file: st_blocks {}", md.blocks());
    assert_eq!(md.len(), 1 << 30);
    assert!(md.blocks() * 512 < 1 << 20, "{} blocks", md.blocks());
    let f = std::fs::File::open(&img).expect("open");
    let mut buf = [0u8; 4];
    f.read_exact_at(&mut buf, 600 << 20).expect("read");
    assert_eq!(&buf, b"data");
    f.read_exact_at(&mut buf, 0).expect("read");
    assert_eq!(&buf, b"boot");
}
