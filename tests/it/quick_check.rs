//! An agent that rewrites a file in place and puts its size and mtime back (what `touch -r`
//! does) must not slip past the snapshots, the review, `diff` or `restore`: its ctime moved,
//! which nobody can set, and then the bytes decide. Played through the real binary; the
//! session test runs the agent in the FAKE multipass's bubblewrap sandbox (no real VM).

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::support::{FakeSession, Sandbox};

/// Rewrites `path` with `text` (same length as before) and puts its mtime back.
fn rewrite_keeping_size_and_mtime(path: &Path, text: &str) {
    let before = fs::metadata(path).expect("stat");
    assert_eq!(before.len(), text.len() as u64, "same size on purpose");
    let mtime = before.modified().expect("mtime");
    // Let the clock move on, so a ctime from the same tick cannot hide the change.
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(path, text).expect("write");
    fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(mtime))
        .expect("set mtime");
    let after = fs::metadata(path).expect("stat");
    assert_eq!(after.len(), before.len());
    assert_eq!(after.mtime(), before.mtime());
    assert_eq!(after.mtime_nsec(), before.mtime_nsec());
}

fn snapshots(dst: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dst)
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

#[test]
fn agent_rewrite_that_puts_size_and_mtime_back_is_snapshotted_diffed_and_restored() {
    let sb = Sandbox::new();
    let src = sb.home().join("proj");
    let dst = sb.home().join("backups");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("main.rs"), "fn main() { safe() }\n").unwrap();
    fs::write(src.join("other.rs"), "// other\n").unwrap();
    let backup = || {
        let out = sb
            .agsekit()
            .args(["backup-once", "--source-dir"])
            .arg(&src)
            .arg("--dest-dir")
            .arg(&dst)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    backup();
    // Only the ctime moves (chmod and back): same bytes, so no new snapshot.
    let f = src.join("other.rs");
    let mode = fs::metadata(&f).unwrap().mode();
    fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    assert!(backup().contains("No changes detected"));
    assert_eq!(snapshots(&dst).len(), 1);

    rewrite_keeping_size_and_mtime(&src.join("main.rs"), "fn main() { evil() }\n");
    let out = backup();
    assert!(out.contains("Snapshot created"), "{out}");
    let snaps = snapshots(&dst);
    assert_eq!(snaps.len(), 2);
    assert_eq!(
        fs::read_to_string(snaps[1].join("main.rs")).unwrap(),
        "fn main() { evil() }\n"
    );
    assert_eq!(
        fs::read_to_string(snaps[0].join("main.rs")).unwrap(),
        "fn main() { safe() }\n",
        "the older snapshot is untouched"
    );
    let first = snaps[0].file_name().unwrap().to_string_lossy().into_owned();

    // Rewrite again, then diff against the first snapshot and restore it.
    rewrite_keeping_size_and_mtime(&src.join("main.rs"), "fn main() { bad1() }\n");
    let chain = |cmd: &mut assert_cmd::Command| {
        cmd.arg("--dest-dir")
            .arg(&dst)
            .arg("--source-dir")
            .arg(&src);
    };
    let mut diff = sb.agsekit();
    diff.args(["diff", "--stat", &first]);
    chain(&mut diff);
    let out = diff.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("main.rs"), "{stdout}");
    assert!(!stdout.contains("other.rs"), "{stdout}");

    let mut restore = sb.agsekit();
    restore.args(["restore", &first, "main.rs"]);
    chain(&mut restore);
    let out = restore.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fs::read_to_string(src.join("main.rs")).unwrap(),
        "fn main() { safe() }\n"
    );
}

#[test]
fn run_with_fake_multipass_review_sees_a_rewrite_that_puts_size_and_mtime_back() {
    // Same length, then the old mtime back from a reference copy.
    let s = FakeSession::new(
        "#!/bin/sh\ncp -p main.rs /tmp/ref\nsleep 0.05\nprintf 'fn main() { evil() }\\n' > main.rs\ntouch -r /tmp/ref main.rs\n",
    );
    let project = &s.project;
    fs::write(project.join("main.rs"), "fn main() { safe() }\n").unwrap();
    let out = s.run_agent();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        fs::read_to_string(project.join("main.rs")).unwrap(),
        "fn main() { evil() }\n"
    );
    assert!(
        stderr.contains("0 added, 1 modified, 0 deleted"),
        "{stderr}"
    );
}
