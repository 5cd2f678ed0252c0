//! Issue 12, the everyday session path against the FAKE multipass (tests/README.md; no real
//! VM): the first run after a VM start mounts the folder without a false alarm, and every
//! session ends with one review line (`global.review.summary`), through `run` and a shim.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::support::FakeSession;

/// An agent that adds `new.txt` when `$HOME/add` exists in the VM, else changes nothing.
const AGENT: &str =
    "#!/bin/sh\nif [ -e \"$HOME/add\" ]; then echo new > new.txt; fi\necho agent-ran\nexit 0\n";

fn session() -> FakeSession {
    let s = FakeSession::new(AGENT);
    std::fs::write(s.project.join("a.txt"), "a").unwrap();
    // The VM as `create-vm` leaves it: the launcher is installed.
    s.fake.install_agent(
        "dev",
        "agsekit-launch",
        include_str!("../../agent_scripts/agsekit-launch"),
    );
    s
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The `codex` shim (a symlink to the built agsekit), run like a user typing `codex` in the
/// project folder; the config comes from `CONFIG_PATH`.
fn shim(s: &FakeSession) -> Output {
    let shims = s.sb.home().join("shims");
    std::fs::create_dir_all(&shims).unwrap();
    let link = shims.join("codex");
    if !link.exists() {
        let agsekit = PathBuf::from(env!("CARGO_BIN_EXE_agsekit"));
        std::os::unix::fs::symlink(agsekit, &link).unwrap();
    }
    Command::new(&link)
        .current_dir(&s.project)
        .env("PWD", &s.project)
        .env("HOME", s.sb.home())
        .env("PATH", format!("{}:/usr/bin:/bin", shims.display()))
        .env("CONFIG_PATH", &s.config)
        .env("AGSEKIT_SHIMS_DIR", &shims)
        .env("AGSEKIT_MULTIPASS", &s.fake.bin)
        .env("FAKE_MULTIPASS_STATE", &s.fake.state_dir)
        .env("NO_COLOR", "1")
        .env_remove("AGSEKIT_SHIM_ACTIVE")
        .env_remove("AGSEKIT_LANG")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("AGSEKIT_DEBUG")
        .output()
        .unwrap()
}

fn mounted(s: &FakeSession) -> bool {
    let info = s.fake.ok(&["info", "dev", "--format", "json"]);
    info.contains(&s.project.display().to_string())
}

#[test]
fn first_run_after_a_vm_start_mounts_without_a_false_alarm_fake_multipass() {
    let s = session();
    assert!(!mounted(&s));
    let out = s.run_agent();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(text(&out.stdout), "agent-ran\n");
    assert!(mounted(&s));
    // The repair is one calm line; nothing from the launcher reads like a failure.
    assert!(!stderr.contains("agsekit-launch"), "{stderr}");
    assert!(!stderr.contains("not mounted"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    let mounting = format!("agsekit: mounting {} in VM `dev`\n", s.project.display());
    assert_eq!(stderr.matches(&mounting).count(), 1, "{stderr}");
    // The session ends with its one review line.
    assert!(
        stderr.ends_with(&format!(
            "agsekit: no changes in {} during this session\n",
            s.project.display()
        )),
        "{stderr}"
    );
}

#[test]
fn shim_first_run_is_silent_and_says_what_the_session_added_fake_multipass() {
    let s = session();
    std::fs::create_dir_all(s.fake.home_dir("dev")).unwrap();
    std::fs::write(s.fake.home_dir("dev").join("add"), "").unwrap();
    let out = shim(&s);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(text(&out.stdout), "agent-ran\n");
    assert!(mounted(&s), "the shim mounted the folder");
    assert!(s.project.join("new.txt").exists());
    // Quiet: no launcher message, no repair line, only the review's one line.
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "agsekit: this session changed {}: 1 added, 0 modified, 0 deleted (compared with snapshot ",
            s.project.display()
        )),
        "{stderr}"
    );

    // A second session that changes nothing says so, in one line.
    std::fs::remove_file(s.fake.home_dir("dev").join("add")).unwrap();
    let out = shim(&s);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stderr),
        format!(
            "agsekit: no changes in {} during this session\n",
            s.project.display()
        )
    );
}

#[test]
fn review_summary_false_keeps_quiet_sessions_silent_but_not_deletions_fake_multipass() {
    let s = session();
    let config = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(
        &s.config,
        format!("global:\n  review:\n    summary: false\n{config}"),
    )
    .unwrap();
    std::fs::create_dir_all(s.fake.home_dir("dev")).unwrap();
    std::fs::write(s.fake.home_dir("dev").join("add"), "").unwrap();
    let out = shim(&s);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    let out = s.run_agent();
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("no changes"), "{stderr}");
    assert!(!stderr.contains("this session changed"), "{stderr}");

    // A deletion still gets the detailed block, with the restore command.
    std::fs::remove_file(s.fake.home_dir("dev").join("add")).unwrap();
    s.fake.install_agent("dev", "codex", "#!/bin/sh\nrm a.txt new.txt\n");
    let out = shim(&s);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("0 added, 0 modified, 2 deleted"),
        "{stderr}"
    );
    assert!(
        stderr.contains("to restore everything: agsekit restore --mount "),
        "{stderr}"
    );
}
