//! Backups through the real binary: `backup-once`, `backup-repeated`, the destination lock,
//! kill -9 during snapshots, a full disk (a small tmpfs), signals.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::support::{names, Sandbox};

/// Path -> (kind, permissions, mtime, content or link target), symlinks never followed.
type Tree = BTreeMap<PathBuf, (char, u32, i64, Vec<u8>)>;

fn tree(root: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, out: &mut Tree) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(md) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            let rel = p.strip_prefix(root).expect("under root").to_path_buf();
            let perm = md.mode() & 0o7777;
            if md.file_type().is_symlink() {
                let t = std::fs::read_link(&p).expect("readlink");
                out.insert(
                    rel,
                    ('l', 0, md.mtime(), t.into_os_string().into_encoded_bytes()),
                );
            } else if md.is_dir() {
                out.insert(rel, ('d', perm, 0, Vec::new()));
                walk(root, &p, out);
            } else {
                out.insert(
                    rel,
                    ('f', perm, md.mtime(), std::fs::read(&p).expect("read")),
                );
            }
        }
    }
    let mut out = Tree::new();
    walk(root, root, &mut out);
    out
}

/// Completed snapshot names (the original's rule: directories not ending in -partial).
fn snapshots(dest: &Path) -> Vec<String> {
    names(dest)
        .into_iter()
        .filter(|n| !n.starts_with('.') && !n.ends_with("-partial") && dest.join(n).is_dir())
        .collect()
}

fn project(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let src = sb.home().join("project");
    let dest = sb.home().join("backups-project");
    std::fs::create_dir_all(src.join("src")).expect("mkdir");
    std::fs::write(src.join("README.md"), "# demo\n").expect("write");
    std::fs::write(src.join("src/main.rs"), "fn main() {}\n").expect("write");
    std::fs::set_permissions(
        src.join("src/main.rs"),
        std::fs::Permissions::from_mode(0o750),
    )
    .expect("chmod");
    std::os::unix::fs::symlink("/etc", src.join("etc")).expect("symlink");
    (src, dest)
}

fn once(sb: &Sandbox, src: &Path, dest: &Path) -> assert_cmd::Command {
    let mut cmd = sb.agsekit();
    cmd.arg("backup-once")
        .arg("--source-dir")
        .arg(src)
        .arg("--dest-dir")
        .arg(dest);
    cmd
}

#[test]
fn backup_once_creates_a_browsable_snapshot_then_sees_no_change() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    let out = once(&sb, &src, &dest)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8_lossy(&out);
    let snaps = snapshots(&dest);
    assert_eq!(snaps.len(), 1);
    let snap = dest.canonicalize().expect("dest").join(&snaps[0]);
    assert!(
        out.starts_with(&format!("Snapshot created: {}\n", snap.display())),
        "{out}"
    );
    assert_eq!(tree(&snap), tree(&src));
    // The symlink to /etc is a link in the snapshot, /etc itself was not copied.
    assert!(std::fs::symlink_metadata(snap.join("etc"))
        .expect("lstat")
        .file_type()
        .is_symlink());
    assert!(names(&dest).contains(&format!(".{}.manifest", snaps[0])));

    once(&sb, &src, &dest)
        .assert()
        .success()
        .stdout("No changes detected since last backup; skipping new snapshot.\n");
    assert_eq!(snapshots(&dest).len(), 1);
}

#[test]
fn backup_once_with_a_fifo_finishes_with_warnings_exit_5() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    nix::unistd::mkfifo(
        &src.join("pipe"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .expect("mkfifo");
    once(&sb, &src, &dest)
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "warning: pipe: skipped: a fifo is not backed up",
        ));
    let snaps = snapshots(&dest);
    assert_eq!(snaps.len(), 1, "the snapshot completes despite the warning");
    assert!(dest.join(&snaps[0]).join("README.md").is_file());
}

#[test]
fn backup_once_of_a_missing_source_fails_with_exit_1() {
    let sb = Sandbox::new();
    let missing = sb.home().join("nope");
    once(&sb, &missing, &sb.home().join("b"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "agsekit: error: Source directory does not exist: {}",
            missing.display()
        )));
}

#[test]
fn a_held_lock_makes_backup_once_exit_6_naming_the_holder() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    let _held = crate::support::hold_backup_lock(&dest, 4242);
    once(&sb, &src, &dest)
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "already being written by PID 4242",
        ));
    assert!(snapshots(&dest).is_empty());
}

#[test]
fn backup_repeated_rejects_a_zero_interval() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    sb.agsekit()
        .args(["backup-repeated", "--interval", "0", "--source-dir"])
        .arg(&src)
        .arg("--dest-dir")
        .arg(&dest)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--interval"));
}

fn spawn(sb: &Sandbox, args: &[&std::ffi::OsStr], stdout: Stdio) -> Child {
    StdCommand::new(assert_cmd::cargo::cargo_bin("agsekit"))
        .args(args)
        .env("HOME", sb.home())
        .env_remove("CONFIG_PATH")
        // English, whatever the machine's locale (as Sandbox::agsekit does).
        .env_remove("AGSEKIT_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn agsekit")
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signal(child: &Child, sig: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).expect("kill");
}

#[test]
fn backup_repeated_stops_on_sigint_with_exit_130_and_keeps_its_snapshot() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    let log = sb.home().join("out.log");
    let out = std::fs::File::create(&log).expect("log");
    let mut child = spawn(
        &sb,
        &[
            "backup-repeated".as_ref(),
            "--interval".as_ref(),
            "60".as_ref(),
            "--source-dir".as_ref(),
            src.as_os_str(),
            "--dest-dir".as_ref(),
            dest.as_os_str(),
        ],
        Stdio::from(out),
    );
    wait_for("the first cycle", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("Done, waiting 60 minutes"))
    });
    signal(&child, nix::sys::signal::Signal::SIGINT);
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    let snaps = snapshots(&dest);
    assert_eq!(snaps.len(), 1);
    assert_eq!(tree(&dest.join(&snaps[0])), tree(&src));
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.starts_with("Snapshot created: "), "{text}");
}

/// A session's loop starts with `--skip-first` (the pre-run snapshot was just made): it must
/// still show as the folder's loop (its pid in `backup.pid`, which `status` reads) during its
/// first interval, without making a snapshot.
#[test]
fn backup_repeated_skip_first_marks_its_pid_before_its_first_cycle() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    std::fs::create_dir_all(&dest).expect("mkdir");
    std::fs::write(dest.join("backup.pid"), "999999").expect("a dead writer's pid");
    let mut child = spawn(
        &sb,
        &[
            "backup-repeated".as_ref(),
            "--skip-first".as_ref(),
            "--interval".as_ref(),
            "60".as_ref(),
            "--source-dir".as_ref(),
            src.as_os_str(),
            "--dest-dir".as_ref(),
            dest.as_os_str(),
        ],
        Stdio::null(),
    );
    let pid = child.id().to_string();
    wait_for("the loop's pid in backup.pid", || {
        std::fs::read_to_string(dest.join("backup.pid")).is_ok_and(|t| t.trim() == pid)
    });
    assert!(
        snapshots(&dest).is_empty(),
        "no snapshot before the interval"
    );
    signal(&child, nix::sys::signal::Signal::SIGTERM);
    assert_eq!(child.wait().expect("wait").code(), Some(130));
}

#[test]
fn backup_repeated_skips_a_cycle_while_another_writer_holds_the_lock() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    let held = crate::support::hold_backup_lock(&dest, 4243);
    let log = sb.home().join("out.log");
    let mut child = spawn(
        &sb,
        &[
            "backup-repeated".as_ref(),
            "--source-dir".as_ref(),
            src.as_os_str(),
            "--dest-dir".as_ref(),
            dest.as_os_str(),
        ],
        Stdio::from(std::fs::File::create(&log).expect("log")),
    );
    wait_for("the skipped cycle", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("Done, waiting 5 minutes"))
    });
    signal(&child, nix::sys::signal::Signal::SIGTERM);
    assert_eq!(child.wait().expect("wait").code(), Some(130));
    drop(held);
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(
        text.contains("is being written by PID 4243; skipping this cycle."),
        "{text}"
    );
    assert!(snapshots(&dest).is_empty());
}

/// A small deterministic generator (no extra crates), seeded per run and printed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn kill_9_at_random_moments_never_leaves_a_wrong_complete_snapshot() {
    let sb = Sandbox::new();
    let src = sb.home().join("project");
    let dest = sb.home().join("backups");
    for d in 0..20 {
        std::fs::create_dir_all(src.join(format!("dir{d}"))).expect("mkdir");
        for f in 0..60 {
            std::fs::write(src.join(format!("dir{d}/f{f}.txt")), format!("{d}/{f}\n"))
                .expect("write");
        }
    }
    std::fs::write(src.join("big.bin"), vec![1u8; 8 << 20]).expect("write");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    println!("kill -9 trials, seed {seed}");
    let mut rng = Lcg(seed);
    // Snapshot name -> the source as it was when that run started.
    let mut expected: BTreeMap<String, Tree> = BTreeMap::new();
    // Calibrate: how long a full run takes here, so kills land anywhere from start to end.
    let start = Instant::now();
    let mut cmd = sb.agsekit();
    cmd.arg("backup-once")
        .arg("--source-dir")
        .arg(&src)
        .arg("--dest-dir")
        .arg(&dest);
    cmd.assert().success();
    let full_ms = (start.elapsed().as_millis() as u64).max(20);
    for name in snapshots(&dest) {
        expected.insert(name, tree(&src));
    }
    let trials = 30;
    for trial in 0..trials {
        // Change something every trial so that every run has work to do.
        std::fs::write(
            src.join(format!("dir{}/f0.txt", trial % 20)),
            format!("trial {trial}\n"),
        )
        .expect("write");
        std::fs::write(src.join("big.bin"), vec![trial as u8; (8 << 20) + trial]).expect("write");
        let state = tree(&src);
        let before = snapshots(&dest);
        let mut child = spawn(
            &sb,
            &[
                "backup-once".as_ref(),
                "--source-dir".as_ref(),
                src.as_os_str(),
                "--dest-dir".as_ref(),
                dest.as_os_str(),
            ],
            Stdio::null(),
        );
        let delay = rng.next() % (full_ms * 3 / 2);
        std::thread::sleep(Duration::from_millis(delay));
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
        let _ = child.wait();
        for name in snapshots(&dest) {
            if !before.contains(&name) {
                expected.insert(name, state.clone());
            }
        }
    }
    // Every complete-looking snapshot equals the source at its time.
    for name in snapshots(&dest) {
        let want = expected
            .get(&name)
            .unwrap_or_else(|| panic!("unexpected snapshot {name}"));
        assert!(
            tree(&dest.join(&name)) == *want,
            "snapshot {name} differs from the source at its time (seed {seed})"
        );
    }
    println!(
        "full run {full_ms} ms; {} of {trials} killed runs completed a snapshot; leftovers: {:?}",
        expected.len() - 1,
        names(&dest)
            .iter()
            .filter(|n| n.ends_with("-partial") || n.ends_with(".tmp"))
            .collect::<Vec<_>>()
    );
    // The next run cleans up whatever the kills left and makes a correct snapshot.
    std::fs::write(src.join("final.txt"), "final").expect("write");
    let mut cmd = sb.agsekit();
    cmd.arg("backup-once")
        .arg("--source-dir")
        .arg(&src)
        .arg("--dest-dir")
        .arg(&dest);
    cmd.assert().success();
    let leftovers: Vec<String> = names(&dest)
        .into_iter()
        .filter(|n| n.ends_with("-partial") || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let last = snapshots(&dest).pop().expect("a snapshot");
    assert_eq!(tree(&dest.join(last)), tree(&src));
}

/// A tmpfs mounted for one test; unmounted on drop.
struct SmallFs(PathBuf);

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = StdCommand::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_aborts_cleanly_and_keeps_older_snapshots() {
    let sb = Sandbox::new();
    let (src, _) = project(&sb);
    let mnt = sb.home().join("small");
    std::fs::create_dir_all(&mnt).expect("mkdir");
    let mounted = StdCommand::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::piped())
        .output();
    match mounted {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            println!(
                "skipped: cannot mount a tmpfs: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Err(e) => {
            println!("skipped: cannot run mount: {e}");
            return;
        }
    }
    let _guard = SmallFs(mnt.clone());
    let dest = mnt.join("backups");
    once(&sb, &src, &dest).assert().success();
    let first = snapshots(&dest);
    assert_eq!(first.len(), 1);
    let first_tree = tree(&dest.join(&first[0]));

    // Files that each fit but together do not (one file that can never fit is left out by
    // the size guard instead: tests/it/backup_hostile.rs).
    for i in 0..4 {
        std::fs::write(src.join(format!("part{i}.bin")), vec![9u8; 400 << 10]).expect("write");
    }
    once(&sb, &src, &dest)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "no space left on the backup destination {}",
            dest.display()
        )));
    assert_eq!(snapshots(&dest), first, "no new snapshot");
    assert!(
        !names(&dest)
            .iter()
            .any(|n| n.ends_with("-partial") || n.ends_with(".tmp")),
        "{:?}",
        names(&dest)
    );
    assert_eq!(
        tree(&dest.join(&first[0])),
        first_tree,
        "older snapshot intact"
    );
}

/// A config with one mount of `src` backed up to `dest`.
fn write_config(sb: &Sandbox, mounts: &[(&Path, &Path)]) -> PathBuf {
    let mut text = String::from("vms:\n  agent-ubuntu: {cpu: 1, ram: 1G, disk: 5G}\nmounts:\n");
    for (src, dest) in mounts {
        text.push_str(&format!(
            "  - source: {}\n    backup: {}\n    interval: 5\n",
            src.display(),
            dest.display()
        ));
    }
    let path = sb.home().join("config.yaml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// Makes `count` fake snapshots 5 minutes apart ending at 12:00, with a file in each.
fn fake_chain(dest: &Path, count: usize) -> Vec<String> {
    let mut names = Vec::new();
    for j in (0..count).rev() {
        let minutes = 12 * 60 - 5 * j;
        let name = format!("20260110-{:02}{:02}00", minutes / 60, minutes % 60);
        std::fs::create_dir_all(dest.join(&name)).expect("mkdir");
        std::fs::write(dest.join(&name).join("f"), &name).expect("write");
        names.push(name);
    }
    names
}

#[test]
fn backup_clean_thins_like_the_original_by_default() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    let config = write_config(&sb, &[(&src, &dest)]);
    fake_chain(&dest, 40);
    sb.agsekit()
        .arg("--config")
        .arg(&config)
        .arg("backup-clean")
        .arg(&src)
        .arg("10")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Removing snapshot: {}",
            dest.join("20260110-084500").display()
        )));
    let kept: Vec<String> = snapshots(&dest);
    let want: Vec<String> = [
        "092000", "100000", "104500", "110500", "112500", "113500", "114500", "115000", "115500",
        "120000",
    ]
    .iter()
    .map(|t| format!("20260110-{t}"))
    .collect();
    assert_eq!(kept, want);
    for name in &kept {
        assert_eq!(
            std::fs::read_to_string(dest.join(name).join("f")).expect("read"),
            *name
        );
    }
}

#[test]
fn backup_clean_tail_keep_zero_and_errors() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    let config = write_config(&sb, &[(&src, &dest)]);
    fake_chain(&dest, 4);
    let clean = |args: &[&str]| {
        let mut cmd = sb.agsekit();
        cmd.arg("--config")
            .arg(&config)
            .arg("backup-clean")
            .arg(&src)
            .args(args);
        cmd
    };
    clean(&["2", "TAIL"]).assert().success();
    assert_eq!(snapshots(&dest), ["20260110-115500", "20260110-120000"]);
    clean(&["5", "tail"])
        .assert()
        .success()
        .stdout("No snapshots removed; keeping 5 most recent backups.\n");
    clean(&["-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KEEP must be 0 or more"));
    clean(&["0", "tail"]).assert().success();
    assert!(snapshots(&dest).is_empty());
    sb.agsekit()
        .arg("--config")
        .arg(&config)
        .args(["backup-clean", "/not/configured"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "no mount with source /not/configured",
        ));
}

#[test]
fn backup_repeated_mount_and_all_snapshot_every_configured_mount() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    let src2 = sb.home().join("second");
    let dest2 = sb.home().join("backups-second");
    std::fs::create_dir_all(&src2).expect("mkdir");
    std::fs::write(src2.join("x.txt"), "x").expect("write");
    let config = write_config(&sb, &[(&src, &dest), (&src2, &dest2)]);

    // Two mounts: --mount is required.
    sb.agsekit()
        .arg("--config")
        .arg(&config)
        .arg("backup-repeated-mount")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--mount"));

    let log = sb.home().join("mount.log");
    let mut child = spawn(
        &sb,
        &[
            "--config".as_ref(),
            config.as_os_str(),
            "backup-repeated-mount".as_ref(),
            "--mount".as_ref(),
            src2.as_os_str(),
        ],
        Stdio::from(std::fs::File::create(&log).expect("log")),
    );
    wait_for("the mount's first cycle", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("Done, waiting 5 minutes"))
    });
    signal(&child, nix::sys::signal::Signal::SIGTERM);
    assert_eq!(child.wait().expect("wait").code(), Some(130));
    assert_eq!(snapshots(&dest2).len(), 1);
    assert!(snapshots(&dest).is_empty(), "only the chosen mount");

    std::fs::write(src2.join("x.txt"), "changed").expect("write");
    let log = sb.home().join("all.log");
    let mut child = spawn(
        &sb,
        &[
            "--config".as_ref(),
            config.as_os_str(),
            "backup-repeated-all".as_ref(),
        ],
        Stdio::from(std::fs::File::create(&log).expect("log")),
    );
    wait_for("both mounts' first cycles", || {
        std::fs::read_to_string(&log)
            .is_ok_and(|t| t.matches("Done, waiting 5 minutes").count() == 2)
    });
    signal(&child, nix::sys::signal::Signal::SIGINT);
    assert_eq!(child.wait().expect("wait").code(), Some(130));
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.contains("stop requested"), "{text}");
    assert!(
        text.contains(&format!("[{}] Snapshot created: ", src.display())),
        "{text}"
    );
    assert_eq!(snapshots(&dest).len(), 1);
    assert_eq!(snapshots(&dest2).len(), 2);
    let last = snapshots(&dest2).pop().expect("snapshot");
    assert_eq!(
        std::fs::read_to_string(dest2.join(last).join("x.txt")).expect("read"),
        "changed"
    );
}

#[test]
fn progress_shows_files_bytes_and_completion() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    std::fs::write(src.join("data.bin"), vec![3u8; 300_000]).expect("write");
    let out = once(&sb, &src, &dest)
        .arg("--progress")
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    let last = err.rsplit('\r').next().unwrap_or_default();
    assert!(
        last.starts_with("Progress: [##############################] 100%"),
        "{err:?}"
    );
    assert!(last.contains("3/3 files"), "{err:?}");
    assert!(last.contains("293.0 KiB/293.0 KiB"), "{err:?}");
}

#[test]
fn sigint_or_sigterm_during_backup_once_never_leaves_a_partial_or_wrong_snapshot() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    std::fs::write(src.join("big.bin"), vec![5u8; 64 << 20]).expect("write");
    for (i, sig) in [
        nix::sys::signal::Signal::SIGINT,
        nix::sys::signal::Signal::SIGTERM,
    ]
    .into_iter()
    .cycle()
    .take(6)
    .enumerate()
    {
        std::fs::write(src.join("README.md"), format!("round {i}\n")).expect("write");
        let before = snapshots(&dest);
        let child = spawn(
            &sb,
            &[
                "backup-once".as_ref(),
                "--source-dir".as_ref(),
                src.as_os_str(),
                "--dest-dir".as_ref(),
                dest.as_os_str(),
            ],
            Stdio::null(),
        );
        std::thread::sleep(Duration::from_millis(50 + 40 * i as u64));
        signal(&child, sig);
        let out = child.wait_with_output().expect("wait");
        let after = snapshots(&dest);
        println!("round {i}: {sig:?} -> exit {:?}", out.status.code());
        match out.status.code() {
            Some(130) => {
                assert_eq!(after, before, "an interrupted run adds no snapshot");
                assert!(
                    !names(&dest).iter().any(|n| n.ends_with("-partial")),
                    "the partial is removed: {:?}",
                    names(&dest)
                );
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(err.contains("interrupted"), "{err}");
            }
            Some(0) => {
                // Finished before the signal arrived: then it must be complete and right.
                let new = after.last().expect("a snapshot");
                assert_eq!(tree(&dest.join(new)), tree(&src));
            }
            None => {
                // The signal came before the handlers were installed (default action):
                // like a kill -9, nothing complete-looking may be wrong.
                for new in after.iter().filter(|n| !before.contains(n)) {
                    assert_eq!(tree(&dest.join(new)), tree(&src));
                }
            }
            other => panic!(
                "unexpected exit {other:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
}

#[test]
fn unreadable_files_are_reported_with_exit_5_when_not_root() {
    // Root reads everything, so the run drops to the `nobody` user with setpriv.
    let Ok(setpriv) = which_setpriv() else {
        println!("skipped: setpriv not found");
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let src = tmp.path().join("project");
    let dest = tmp.path().join("backups");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::create_dir_all(&dest).expect("mkdir");
    std::fs::write(src.join("ok.txt"), "fine").expect("write");
    std::fs::write(src.join("secret.txt"), "no").expect("write");
    std::fs::set_permissions(
        src.join("secret.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    nix::unistd::chown(&dest, Some(nix::unistd::Uid::from_raw(65534)), None).expect("chown");
    let out = StdCommand::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(assert_cmd::cargo::cargo_bin("agsekit"))
        .arg("backup-once")
        .arg("--source-dir")
        .arg(&src)
        .arg("--dest-dir")
        .arg(&dest)
        .env("HOME", tmp.path())
        .env_remove("AGSEKIT_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("setpriv:") {
        println!("skipped: setpriv cannot switch users here: {err}");
        return;
    }
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("warning: secret.txt: cannot read"), "{err}");
    let snaps = snapshots(&dest);
    assert_eq!(snaps.len(), 1);
    assert_eq!(
        std::fs::read_to_string(dest.join(&snaps[0]).join("ok.txt")).expect("read"),
        "fine"
    );
    assert!(!dest.join(&snaps[0]).join("secret.txt").exists());
}

fn which_setpriv() -> Result<PathBuf, ()> {
    ["/usr/bin/setpriv", "/bin/setpriv"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn a_free_space_floor_deletes_oldest_snapshots_but_never_the_newest() {
    let sb = Sandbox::new();
    let (src, _) = project(&sb);
    let mnt = sb.home().join("budget");
    std::fs::create_dir_all(&mnt).expect("mkdir");
    let mounted = StdCommand::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
        .arg(&mnt)
        .output();
    if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
        println!("skipped: cannot mount a tmpfs: {mounted:?}");
        return;
    }
    let _guard = SmallFs(mnt.clone());
    let dest = mnt.join("backups");
    let names = fake_chain(&dest, 5);
    for n in &names {
        std::fs::write(dest.join(n).join("blob"), vec![1u8; 1 << 20]).expect("write");
    }
    let config = write_config(&sb, &[(&src, &dest)]);
    let free = |p: &Path| {
        let st = nix::sys::statvfs::statvfs(p).expect("statvfs");
        st.blocks_available() as u64 * st.fragment_size() as u64
    };
    assert!(free(&dest) < 5 << 20);
    sb.agsekit()
        .arg("--config")
        .arg(&config)
        .args(["backup-clean"])
        .arg(&src)
        .args(["50", "tail", "--min-free", "5M"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Removing snapshot: {}",
            dest.join(&names[0]).display()
        )));
    let left = snapshots(&dest);
    assert!(free(&dest) >= 5 << 20);
    assert!(left.len() < names.len() && !left.is_empty());
    assert_eq!(
        left,
        names[names.len() - left.len()..].to_vec(),
        "the oldest went first"
    );

    // Impossible floors stop at the newest snapshot.
    sb.agsekit()
        .arg("--config")
        .arg(&config)
        .args(["backup-clean"])
        .arg(&src)
        .args(["50", "thin", "--min-free", "1T"])
        .assert()
        .success();
    assert_eq!(snapshots(&dest), [names[4].clone()]);
}

#[test]
fn backup_clean_refuses_while_another_process_holds_the_lock_and_deletes_nothing() {
    // A restore (or a snapshot) holding the lock reads a snapshot: cleanup must not delete
    // it under the reader. Held: exit status 6 at once, naming the holder, like backup-once.
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    let config = write_config(&sb, &[(&src, &dest)]);
    let names = fake_chain(&dest, 4);
    let held = crate::support::hold_backup_lock(&dest, 4242);
    sb.agsekit()
        .arg("--config")
        .arg(&config)
        .arg("backup-clean")
        .arg(&src)
        .args(["1", "tail"])
        .assert()
        .code(6)
        .stdout(predicate::str::contains("Removing").not())
        .stderr(predicate::str::contains("PID 4242"));
    assert_eq!(snapshots(&dest), names, "no snapshot deleted");
    drop(held);
    sb.agsekit()
        .arg("--config")
        .arg(&config)
        .arg("backup-clean")
        .arg(&src)
        .args(["1", "tail"])
        .assert()
        .success();
    assert_eq!(snapshots(&dest), [names[3].clone()]);
}

/// A file whose copy in the previous snapshot already has the filesystem's maximum number of
/// hard links (ext4: 65,000) cannot be linked again: it is copied, and the run summary and
/// `--debug` say so. The links are made for real (a second or two on ext4); on a filesystem
/// without such a limit the test has nothing to check and says so.
#[test]
fn files_at_the_hard_link_limit_are_copied_and_counted() {
    let sb = Sandbox::new();
    let (src, dest) = project(&sb);
    once(&sb, &src, &dest).assert().success();
    let first = dest.join(&snapshots(&dest)[0]);
    // Fill README.md's inode up to the limit, from a folder of ours in the destination
    // (not a snapshot: never linked against, listed or deleted).
    let farm = dest.join("link-farm");
    std::fs::create_dir(&farm).expect("mkdir");
    let target = first.join("README.md");
    let mut made = 0u64;
    loop {
        match std::fs::hard_link(&target, farm.join(made.to_string())) {
            Ok(()) => made += 1,
            Err(err) if err.raw_os_error() == Some(libc::EMLINK) => break,
            Err(err) => panic!("link: {err}"),
        }
        if made > 200_000 {
            eprintln!("no hard-link limit on this filesystem: nothing to check");
            return;
        }
    }
    std::fs::write(src.join("new.txt"), "new\n").expect("write");
    std::thread::sleep(Duration::from_millis(1100));
    let out = once(&sb, &src, &dest)
        .arg("--debug")
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("  2 files copied (")
            && stdout.contains("1 of them unchanged but at the filesystem's hard-link limit)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("[debug] 1 unchanged file(s) copied instead of hardlinked")
            && stderr.contains("[debug]   README.md"),
        "{stderr}"
    );
    let snaps = snapshots(&dest);
    let second = dest.join(&snaps[1]);
    assert_eq!(
        std::fs::read(second.join("README.md")).expect("read"),
        b"# demo\n"
    );
    assert_ne!(
        std::fs::metadata(second.join("README.md"))
            .expect("stat")
            .ino(),
        std::fs::metadata(&target).expect("stat").ino(),
        "copied, not linked"
    );
    // Without --debug: the summary line only.
    std::fs::write(src.join("new2.txt"), "new\n").expect("write");
    std::thread::sleep(Duration::from_millis(1100));
    let out = once(&sb, &src, &dest)
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("[debug]"));
    std::fs::remove_dir_all(&farm).expect("rm farm");
}
