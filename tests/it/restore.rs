//! `snapshots`, `diff`, `restore` and `history` driven through the real binary on real files
//! in temp folders (no VM involved). Snapshots are taken with `backup-once`.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::support::Sandbox;

/// A project folder and its snapshot chain inside a sandbox.
struct Project {
    sb: Sandbox,
    src: PathBuf,
    dst: PathBuf,
}

impl Project {
    fn new() -> Project {
        let sb = Sandbox::new();
        let src = sb.home().join("proj");
        let dst = sb.home().join("backups");
        fs::create_dir_all(&src).expect("mkdir");
        Project { sb, src, dst }
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.src.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.src.join(rel)).expect("read")
    }

    /// Takes a snapshot; returns its name.
    fn snapshot(&self) -> String {
        let out = self
            .sb
            .agsekit()
            .args(["backup-once", "--source-dir"])
            .arg(&self.src)
            .arg("--dest-dir")
            .arg(&self.dst)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.names().pop().expect("a snapshot")
    }

    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(&self.dst)
            .expect("dst")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && !n.ends_with("-partial"))
            .collect();
        v.sort();
        v
    }

    /// Runs a command with `--dest-dir/--source-dir` appended; returns (code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self
            .sb
            .agsekit()
            .args(args)
            .arg("--dest-dir")
            .arg(&self.dst)
            .arg("--source-dir")
            .arg(&self.src)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "agsekit {args:?}\nstdout:\n{out}\nstderr:\n{err}");
        out
    }

    fn state(&self) -> BTreeMap<String, String> {
        tree(&self.src)
    }
}

/// Everything below `root`: file contents, `-> target` for symlinks, `/` for folders.
fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .expect("read_dir")
            .filter_map(|e| e.ok())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let rel = p.strip_prefix(root).expect("below").display().to_string();
            let ft = e.file_type().expect("type");
            if ft.is_symlink() {
                out.insert(
                    rel,
                    format!("-> {}", fs::read_link(&p).expect("link").display()),
                );
            } else if ft.is_dir() {
                out.insert(rel.clone(), "/".into());
                walk(root, &p, out);
            } else {
                out.insert(
                    rel,
                    fs::read_to_string(&p).unwrap_or_else(|_| "<binary>".into()),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A project with two snapshots: v1 (a, docs/x, docs/y, old) and v2 (a edited, docs/y
/// deleted, b added, old deleted).
fn two_versions() -> (Project, String, String) {
    let p = Project::new();
    p.write("a.txt", "alpha\nbeta\ngamma\n");
    p.write("docs/x.md", "x1\n");
    p.write("docs/y.md", "y1\n");
    p.write("old.txt", "old\n");
    let v1 = p.snapshot();
    p.write("a.txt", "alpha\nBETA\ngamma\n");
    fs::remove_file(p.src.join("docs/y.md")).expect("rm");
    fs::remove_file(p.src.join("old.txt")).expect("rm");
    p.write("b.txt", "bee\n");
    let v2 = p.snapshot();
    (p, v1, v2)
}

fn undo_line(out: &str) -> Vec<String> {
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("To undo: agsekit "))
        .unwrap_or_else(|| panic!("no undo line in:\n{out}"));
    shell_words::split(line).expect("undo line parses")
}

#[test]
fn restore_one_file_brings_back_that_file_only() {
    let (p, v1, _) = two_versions();
    p.write("b.txt", "bee edited\n");
    let out = p.ok(&["restore", &v1, "a.txt"]);
    assert_eq!(p.read("a.txt"), "alpha\nbeta\ngamma\n");
    assert_eq!(p.read("b.txt"), "bee edited\n", "other files untouched");
    assert!(
        !p.src.join("docs/y.md").exists(),
        "other deletions untouched"
    );
    assert!(out.contains("restored a.txt"), "{out}");
    assert!(out.contains("Saved the current state as snapshot"), "{out}");
}

#[test]
fn restore_a_folder_restores_its_files_and_nothing_else() {
    let (p, v1, _) = two_versions();
    p.ok(&["restore", &v1, "docs"]);
    assert_eq!(p.read("docs/y.md"), "y1\n");
    assert_eq!(
        p.read("a.txt"),
        "alpha\nBETA\ngamma\n",
        "outside the folder: untouched"
    );
    assert!(!p.src.join("old.txt").exists());
}

#[test]
fn restore_everything_keeps_new_files_unless_delete_new() {
    let (p, v1, _) = two_versions();
    p.ok(&["restore", &v1]);
    assert_eq!(p.read("a.txt"), "alpha\nbeta\ngamma\n");
    assert_eq!(p.read("old.txt"), "old\n");
    assert_eq!(p.read("docs/y.md"), "y1\n");
    assert!(
        p.src.join("b.txt").exists(),
        "new file kept without --delete-new"
    );

    p.ok(&["restore", &v1, "--delete-new"]);
    assert!(
        !p.src.join("b.txt").exists(),
        "--delete-new removes files created since"
    );
    let snap = tree(&p.dst.join(&v1));
    assert_eq!(p.state(), snap, "live folder equals the snapshot");
}

#[test]
fn delete_new_keeps_what_backupignore_leaves_out() {
    let p = Project::new();
    p.write(".backupignore", "node_modules/\n*.log\n");
    p.write("main.js", "v1\n");
    let v1 = p.snapshot();
    p.write("node_modules/dep/index.js", "dep\n");
    p.write("debug.log", "log\n");
    p.write("extra.js", "new\n");
    p.write("newdir/node_modules/x.js", "ignored inside a new folder\n");
    p.write("newdir/code.js", "new\n");
    let out = p.ok(&["restore", &v1, "--delete-new"]);
    assert!(!p.src.join("extra.js").exists(), "{out}");
    assert!(!p.src.join("newdir/code.js").exists(), "{out}");
    assert_eq!(p.read("node_modules/dep/index.js"), "dep\n");
    assert_eq!(p.read("debug.log"), "log\n");
    assert_eq!(
        p.read("newdir/node_modules/x.js"),
        "ignored inside a new folder\n"
    );
}

#[test]
fn restore_to_another_folder_leaves_the_live_folder_alone() {
    let (p, v1, _) = two_versions();
    let before = p.state();
    let elsewhere = p.sb.home().join("elsewhere");
    let out = p.ok(&[
        "restore",
        &v1,
        "docs",
        "--to",
        elsewhere.to_str().expect("utf8"),
    ]);
    assert_eq!(p.state(), before, "{out}");
    assert_eq!(
        fs::read_to_string(elsewhere.join("docs/y.md")).expect("read"),
        "y1\n"
    );
    assert_eq!(
        fs::read_to_string(elsewhere.join("docs/x.md")).expect("read"),
        "x1\n"
    );
    assert!(
        !elsewhere.join("a.txt").exists(),
        "only the requested folder"
    );
    assert!(out.contains("was not changed"), "{out}");
}

#[test]
fn a_restore_can_be_undone_with_the_printed_command() {
    let (p, v1, _) = two_versions();
    p.write("b.txt", "work in progress\n");
    p.write("c/new.txt", "created after v2\n");
    let before = p.state();
    let out = p.ok(&["restore", &v1, "--delete-new"]);
    assert_ne!(p.state(), before);
    assert_eq!(p.state(), tree(&p.dst.join(&v1)));

    let args = undo_line(&out);
    let status = p.sb.agsekit().args(&args).output().expect("run");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert_eq!(
        p.state(),
        before,
        "the undo brings back the state before the restore"
    );
}

#[test]
fn a_symlink_to_etc_is_kept_as_a_link_and_never_written_through() {
    let p = Project::new();
    p.write("a.txt", "a\n");
    symlink("/etc", p.src.join("etc")).expect("symlink");
    let v1 = p.snapshot();
    let in_snap = p.dst.join(&v1).join("etc");
    assert!(
        fs::symlink_metadata(&in_snap)
            .expect("lstat")
            .file_type()
            .is_symlink(),
        "stored as a link"
    );
    assert_eq!(fs::read_link(&in_snap).expect("link"), Path::new("/etc"));

    // Gone from the live folder: restore brings the link back, not a copy of /etc.
    fs::remove_file(p.src.join("etc")).expect("rm");
    p.ok(&["restore", &v1, "etc"]);
    let live = p.src.join("etc");
    assert!(fs::symlink_metadata(&live)
        .expect("lstat")
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_link(&live).expect("link"), Path::new("/etc"));

    // A path through the link is not in the snapshot: refused, nothing written.
    let (code, _, err) = p.run(&["restore", &v1, "etc/hostname"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not in snapshot"), "{err}");
}

#[test]
fn a_symlinked_parent_folder_pointing_outside_is_not_written_through() {
    let p = Project::new();
    p.write("conf/app.txt", "setting=1\n");
    let v1 = p.snapshot();
    let outside = p.sb.home().join("outside");
    fs::create_dir(&outside).expect("mkdir");
    fs::remove_dir_all(p.src.join("conf")).expect("rm");
    symlink(&outside, p.src.join("conf")).expect("symlink");

    let out = p.ok(&["restore", &v1, "conf/app.txt"]);
    assert!(
        fs::read_dir(&outside).expect("outside").next().is_none(),
        "nothing written outside: {out}"
    );
    let conf = p.src.join("conf");
    assert!(
        fs::symlink_metadata(&conf).expect("lstat").is_dir(),
        "the link became a folder"
    );
    assert_eq!(p.read("conf/app.txt"), "setting=1\n");

    // The same through a whole-tree restore.
    fs::remove_dir_all(&conf).expect("rm");
    symlink(&outside, &conf).expect("symlink");
    p.ok(&["restore", &v1]);
    assert!(fs::read_dir(&outside).expect("outside").next().is_none());
    assert_eq!(p.read("conf/app.txt"), "setting=1\n");
}

#[test]
fn diff_shows_added_modified_and_deleted() {
    let (p, v1, v2) = two_versions();
    let stat = p.ok(&["diff", &v1, &v2, "--stat"]);
    for line in ["M  a.txt", "A  b.txt", "D  docs/y.md", "D  old.txt"] {
        assert!(
            stat.lines().any(|l| l == line),
            "missing {line:?} in:\n{stat}"
        );
    }
    assert!(stat.contains("1 added, 1 modified, 2 deleted"), "{stat}");
    assert!(
        !stat.contains("docs/x.md"),
        "unchanged files are not listed:\n{stat}"
    );

    let full = p.ok(&["diff", &v1, &v2]);
    for line in [
        &format!("--- {v1}/a.txt"),
        &format!("+++ {v2}/a.txt"),
        "-beta",
        "+BETA",
        " alpha",
        "+bee",
        "-old",
    ] {
        assert!(
            full.lines().any(|l| l == line),
            "missing {line:?} in:\n{full}"
        );
    }

    // Default: the latest snapshot against the live folder.
    p.write("a.txt", "changed now\n");
    let now = p.ok(&["diff", "--stat"]);
    assert!(now.contains("M  a.txt"), "{now}");
    assert!(now.contains("the live folder"), "{now}");
    let none = p.ok(&["diff", &v2, &v2]);
    assert!(none.contains("No changes"), "{none}");
}

#[test]
fn diff_of_a_binary_file_says_so_instead_of_printing_it() {
    let p = Project::new();
    fs::write(p.src.join("blob.bin"), [0u8, 1, 2, 3]).expect("write");
    let v1 = p.snapshot();
    fs::write(p.src.join("blob.bin"), [0u8, 9, 9]).expect("write");
    let out = p.ok(&["diff", &v1]);
    assert!(
        out.contains("blob.bin") && out.contains("differ (binary)"),
        "{out}"
    );
}

#[test]
fn history_lists_the_versions_of_a_file() {
    let (p, v1, v2) = two_versions();
    p.write("a.txt", "third\n");
    let v3 = p.snapshot();
    let out = p.ok(&["history", "a.txt"]);
    let rows: Vec<(&str, &str)> = out
        .lines()
        .filter(|l| l.starts_with(char::is_numeric) || l.starts_with("now"))
        .map(|l| {
            let first = l.split_whitespace().next().unwrap_or("");
            let last = l.split_whitespace().last().unwrap_or("");
            (first, last)
        })
        .collect();
    assert_eq!(
        rows,
        [
            (v1.as_str(), "added"),
            (v2.as_str(), "changed"),
            (v3.as_str(), "changed"),
            ("now", "unchanged")
        ],
        "{out}"
    );
    let gone = p.ok(&["history", "old.txt"]);
    assert!(
        gone.lines()
            .any(|l| l.starts_with(&v2) && l.ends_with("deleted")),
        "{gone}"
    );
}

#[test]
fn snapshots_lists_each_snapshot_with_its_changes() {
    let (p, v1, v2) = two_versions();
    let out = p.ok(&["snapshots"]);
    let row = |name: &str| -> Vec<String> {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row {name} in:\n{out}"))
            .split_whitespace()
            .map(String::from)
            .collect()
    };
    // NAME DATE TIME FILES ADDED CHANGED DELETED NEW-DATA(2 words)
    let r1 = row(&v1);
    assert_eq!(&r1[3..7], ["4", "4", "0", "0"], "{out}");
    let r2 = row(&v2);
    assert_eq!(&r2[3..7], ["3", "1", "1", "2"], "{out}");
}

#[test]
fn a_snapshot_that_does_not_exist_is_an_error_naming_the_chain() {
    let (p, v1, _) = two_versions();
    let (code, _, err) = p.run(&["restore", "20990101"]);
    assert_eq!(code, 2);
    assert!(err.contains(&p.dst.display().to_string()), "{err}");
    assert!(err.contains(&v1[..8]), "lists nearby snapshots: {err}");
    assert!(err.contains("agsekit snapshots"), "{err}");
    let (code, _, err) = p.run(&["diff", "latest~5"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("past the oldest"), "{err}");
}

#[test]
fn snapshots_finds_the_chain_from_the_config_mount() {
    let p = Project::new();
    p.write("a.txt", "a\n");
    let config = p.sb.home().join("config.yaml");
    fs::write(
        &config,
        format!(
            "vms:\n  agent:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nmounts:\n  - source: {}\n    backup: {}\n",
            p.src.display(),
            p.dst.display()
        ),
    )
    .expect("config");
    let name = p.snapshot();
    fs::create_dir_all(p.src.join("sub")).expect("mkdir");
    let out =
        p.sb.agsekit()
            .arg("--config")
            .arg(&config)
            .arg("snapshots")
            .current_dir(p.src.join("sub"))
            .output()
            .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&name), "{stdout}");

    // A folder outside every mount: an error that lists the mounts and the way out.
    let out =
        p.sb.agsekit()
            .arg("--config")
            .arg(&config)
            .arg("snapshots")
            .current_dir(p.sb.home())
            .output()
            .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&p.src.display().to_string()) && stderr.contains("--dest-dir"),
        "{stderr}"
    );
}

#[test]
fn delete_new_on_a_path_the_snapshot_lacks_deletes_it_and_touches_no_link() {
    let p = Project::new();
    p.write("a.txt", "a\n");
    let v1 = p.snapshot();
    p.write("newdir/file.txt", "created later\n");
    p.ok(&["restore", &v1, "newdir/file.txt", "--delete-new"]);
    assert!(!p.src.join("newdir/file.txt").exists());

    // Through a symlinked folder pointing outside: neither followed nor replaced.
    let outside = p.sb.home().join("outside");
    fs::create_dir(&outside).expect("mkdir");
    fs::write(outside.join("victim.txt"), "keep me\n").expect("write");
    symlink(&outside, p.src.join("link")).expect("symlink");
    let (code, _, err) = p.run(&["restore", &v1, "link/victim.txt", "--delete-new"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        fs::read_to_string(outside.join("victim.txt")).expect("read"),
        "keep me\n"
    );
    assert!(fs::symlink_metadata(p.src.join("link"))
        .expect("lstat")
        .file_type()
        .is_symlink());
}

#[test]
fn a_chain_written_by_the_original_is_read_without_its_inodes_file() {
    // agsekit 1.7.4 writes `<snapshot>/.inodes` and no manifest; made by hand here, as the
    // original lays it out (the Python tool is not needed for the test).
    let p = Project::new();
    p.write("a.txt", "from the original\n");
    let snap = p.dst.join("20260101-120000");
    fs::create_dir_all(snap.join("sub")).expect("mkdir");
    fs::write(snap.join("a.txt"), "old text\n").expect("write");
    fs::write(snap.join("sub/b.txt"), "b\n").expect("write");
    fs::write(snap.join(".inodes"), ".inodes 3\na.txt 1\nsub/b.txt 2\n").expect("write");

    let stat = p.ok(&["diff", "--stat"]);
    assert!(!stat.contains(".inodes"), "{stat}");
    assert!(
        stat.contains("M  a.txt") && stat.contains("D  sub/b.txt"),
        "{stat}"
    );

    p.ok(&["restore", "20260101", "--delete-new"]);
    assert_eq!(p.read("a.txt"), "old text\n");
    assert_eq!(p.read("sub/b.txt"), "b\n");
    assert!(
        !p.src.join(".inodes").exists(),
        "the original's manifest is not project data"
    );

    let list = p.ok(&["snapshots"]);
    assert!(
        list.lines().any(|l| l.starts_with("20260101-120000")),
        "{list}"
    );
}

#[test]
fn diff_describes_symlink_and_type_changes_in_one_line_each() {
    let p = Project::new();
    symlink("target-one", p.src.join("ln")).expect("symlink");
    p.write("was-file", "f\n");
    let v1 = p.snapshot();
    fs::remove_file(p.src.join("ln")).expect("rm");
    symlink("target-two", p.src.join("ln")).expect("symlink");
    fs::remove_file(p.src.join("was-file")).expect("rm");
    fs::create_dir(p.src.join("was-file")).expect("mkdir");
    let out = p.ok(&["diff", &v1]);
    assert!(
        out.lines()
            .any(|l| l == "Changed symlink: ln: target-one -> target-two"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l == "Changed type: was-file (file -> folder)"),
        "{out}"
    );
}

#[test]
fn a_restore_whose_safety_snapshot_skips_a_fifo_exits_0_and_still_warns() {
    let (p, v1, _) = two_versions();
    nix::unistd::mkfifo(
        &p.src.join("pipe"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .expect("mkfifo");
    let (code, out, err) = p.run(&["restore", &v1, "a.txt"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert_eq!(p.read("a.txt"), "alpha\nbeta\ngamma\n");
    assert!(
        err.contains("warning: pipe: skipped: a fifo is not backed up"),
        "{err}"
    );
}

#[test]
fn after_the_clock_goes_back_latest_linking_and_cleanup_follow_the_order_snapshots_were_made() {
    // TZ=UTC-3 is three hours ahead of UTC: the third snapshot, taken after the machine
    // "moved" to UTC, is named three hours before the first two.
    let p = Project::new();
    p.write("a.txt", "one\n");
    p.write("big.txt", "unchanged\n");
    let snapshot_in = |tz: &str| {
        let out =
            p.sb.agsekit()
                .env("TZ", tz)
                .args(["backup-once", "--source-dir"])
                .arg(&p.src)
                .arg("--dest-dir")
                .arg(&p.dst)
                .output()
                .expect("run");
        assert!(out.status.success(), "{out:?}");
    };
    snapshot_in("UTC-3");
    p.write("a.txt", "two\n");
    snapshot_in("UTC-3");
    p.write("a.txt", "three\n");
    snapshot_in("UTC");
    let by_name = p.names();
    assert_eq!(by_name.len(), 3);
    let newest = by_name[0].clone();
    assert_eq!(
        fs::read_to_string(p.dst.join(&newest).join("a.txt")).expect("read"),
        "three\n",
        "the newest snapshot has the earliest name"
    );
    // `snapshots` lists it last; `latest` is it.
    let list = p.ok(&["snapshots"]);
    let at = |name: &str| list.find(name).unwrap_or_else(|| panic!("{name}:\n{list}"));
    assert!(
        at(&by_name[1]) < at(&by_name[2]) && at(&by_name[2]) < at(&newest),
        "{list}"
    );
    p.write("a.txt", "junk\n");
    let out = p.ok(&["restore", "latest", "a.txt"]);
    assert!(out.contains(&format!("Restored from {newest}")), "{out}");
    assert_eq!(p.read("a.txt"), "three\n");
    // The restore's safety snapshot (taken in UTC) was linked against the true newest.
    let safety = p
        .names()
        .into_iter()
        .find(|n| !by_name.contains(n))
        .expect("a safety snapshot");
    let ino = |name: &str| {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(p.dst.join(name).join("big.txt"))
            .expect("stat")
            .ino()
    };
    assert_eq!(ino(&safety), ino(&newest));
    assert_eq!(
        fs::read_to_string(p.dst.join(&safety).join("a.txt")).expect("read"),
        "junk\n"
    );
    // Keeping one keeps the newest state (the safety snapshot), whatever the names say.
    let config = p.sb.home().join("config.yaml");
    fs::write(
        &config,
        format!(
            "vms:\n  agent-ubuntu: {{cpu: 1, ram: 1G, disk: 5G}}\nmounts:\n  - source: {}\n    backup: {}\n",
            p.src.display(),
            p.dst.display()
        ),
    )
    .expect("config");
    let out =
        p.sb.agsekit()
            .arg("--config")
            .arg(&config)
            .arg("backup-clean")
            .arg(&p.src)
            .args(["1", "tail"])
            .output()
            .expect("run");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(p.names(), [safety]);
}

/// Terminal controls an agent can put in a name: CR, erase line, cursor up, the one-byte
/// CSI U+009B, a right-to-left override.
const HOSTILE: &str = "\r\x1b[2K\x1b[1Ano changes\u{9b}2J\u{202e}txt";
const HOSTILE_SHOWN: &str = "\\r\\x1b[2K\\x1b[1Ano changes\\u{9b}2J\\u{202e}txt";

fn assert_no_raw_controls(what: &str, text: &str) {
    for raw in ['\x1b', '\r', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(raw), "{what}: raw {raw:?} in:\n{text}");
    }
}

#[test]
fn diff_history_snapshots_and_restore_show_hostile_names_escaped() {
    let p = Project::new();
    let name = format!("dir/{HOSTILE}");
    p.write(&name, "line one\n");
    p.write("gone.txt", "bye\n");
    std::os::unix::fs::symlink(HOSTILE, p.src.join("link")).expect("symlink");
    let v1 = p.snapshot();
    // The content changes too, with an escape sequence in a line.
    p.write(&name, "line one\n\x1b[31mred\r\n");
    p.write(&format!("new-{HOSTILE}"), "new\n");
    fs::remove_file(p.src.join("gone.txt")).expect("rm");
    fs::remove_file(p.src.join("link")).expect("rm");
    std::os::unix::fs::symlink(format!("o{HOSTILE}"), p.src.join("link")).expect("symlink");
    let v2 = p.snapshot();

    let stat = p.ok(&["diff", &v1, &v2, "--stat"]);
    assert_no_raw_controls("diff --stat", &stat);
    assert!(
        stat.contains(&format!("M  dir/{HOSTILE_SHOWN}\n")),
        "{stat}"
    );
    assert!(
        stat.contains(&format!("A  new-{HOSTILE_SHOWN}\n")),
        "{stat}"
    );

    let full = p.ok(&["diff", &v1]);
    assert_no_raw_controls("diff", &full);
    assert!(
        full.contains(&format!("+++ now/dir/{HOSTILE_SHOWN}")),
        "{full}"
    );
    assert!(full.contains("+\\x1b[31mred\\r\n"), "{full}");
    assert!(
        full.contains(&format!(
            "Changed symlink: link: {HOSTILE_SHOWN} -> o{HOSTILE_SHOWN}\n"
        )),
        "{full}"
    );

    let (code, out, err) = p.run(&["history", &format!("dir/{HOSTILE}")]);
    assert_eq!(code, 0, "{err}");
    assert_no_raw_controls("history", &out);
    assert!(
        out.contains(&format!("History of dir/{HOSTILE_SHOWN}")),
        "{out}"
    );

    let list = p.ok(&["snapshots"]);
    assert_no_raw_controls("snapshots", &list);

    p.write(&name, "edited again\n");
    let (code, out, err) = p.run(&["restore", &v1, "--delete-new"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_no_raw_controls("restore", &out);
    assert_no_raw_controls("restore stderr", &err);
    assert!(
        out.contains(&format!("restored dir/{HOSTILE_SHOWN}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("deleted new-{HOSTILE_SHOWN}")),
        "{out}"
    );
    assert_eq!(p.read(&name), "line one\n");
    assert!(!p.src.join(format!("new-{HOSTILE}")).exists());
    // The undo command names the hostile path only in `$'...'` escapes.
    let undo = out
        .lines()
        .find(|l| l.starts_with("To undo: "))
        .expect("undo line");
    assert!(undo.contains("--delete-new"), "{undo}");
}

#[test]
fn backup_warnings_show_hostile_names_escaped() {
    let p = Project::new();
    nix::unistd::mkfifo(
        &p.src.join(HOSTILE),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .expect("mkfifo");
    let out =
        p.sb.agsekit()
            .args(["backup-once", "--source-dir"])
            .arg(&p.src)
            .arg("--dest-dir")
            .arg(&p.dst)
            .output()
            .expect("run");
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_no_raw_controls("backup-once", &err);
    assert!(
        err.contains(&format!(
            "warning: {HOSTILE_SHOWN}: skipped: a fifo is not backed up"
        )),
        "{err}"
    );
}

/// Moves every `.NAME.summary` of the chain aside, runs `snapshots` (text and JSON) the way
/// it worked before summaries, and puts them back.
fn snapshots_without_summaries(p: &Project) -> (String, String) {
    let aside = p.dst.with_extension("aside");
    fs::create_dir_all(&aside).expect("mkdir");
    let moved: Vec<String> = fs::read_dir(&p.dst)
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".summary"))
        .collect();
    for n in &moved {
        fs::rename(p.dst.join(n), aside.join(n)).expect("aside");
    }
    let out = (p.ok(&["snapshots"]), p.ok(&["snapshots", "--json"]));
    for n in &moved {
        fs::rename(aside.join(n), p.dst.join(n)).expect("back");
    }
    out
}

#[test]
fn snapshots_shows_the_same_rows_from_summaries_as_from_the_manifests() {
    let p = Project::new();
    p.write("a.txt", "alpha\n");
    p.write("docs/x.md", "x1\n");
    // A snapshot made by 1.7.4: a copy with its `.inodes` file, no manifest, no summary.
    fs::create_dir_all(&p.dst).expect("mkdir");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(&p.src)
        .arg(p.dst.join("20200101-000000"))
        .status()
        .expect("cp");
    assert!(status.success());
    fs::write(p.dst.join("20200101-000000/.inodes"), "a.txt 1\n").expect("write");
    p.write("a.txt", "alpha, edited\n");
    p.write("b.txt", "bee\n");
    let s1 = p.snapshot();
    fs::remove_file(p.src.join("docs/x.md")).expect("rm");
    p.write("docs/y.md", "y1\n");
    let s2 = p.snapshot();
    p.write("c.txt", "sea\n");
    p.write("b.txt", "bee, edited\n");
    let s3 = p.snapshot();
    for s in [&s1, &s2, &s3] {
        assert!(
            p.dst.join(format!(".{s}.summary")).is_file(),
            "{s} has a summary"
        );
    }
    let with = (p.ok(&["snapshots"]), p.ok(&["snapshots", "--json"]));
    assert_eq!(with, snapshots_without_summaries(&p));
    assert!(with.0.contains("20200101-000000"), "{}", with.0);
    // A snapshot deleted by hand (as 1.7.4's cleanup would): the next row compares with
    // the one before it, as it always did.
    fs::remove_dir_all(p.dst.join(&s2)).expect("rm");
    let with = (p.ok(&["snapshots"]), p.ok(&["snapshots", "--json"]));
    assert_eq!(with, snapshots_without_summaries(&p));
    assert!(!with.0.contains(&s2), "{}", with.0);
}
