//! Errors that name the right thing and the right way out (issue 12, item 6): an unknown
//! agent is a usage error, a missing `--config FILE` is created where it was looked for,
//! `doctor` never calls a missing backup folder writable, `run` reports a missing VM before
//! any snapshot, and `prepare -y` as root runs its commands without sudo. VMs are the FAKE
//! multipass's; no real VM.

use std::path::Path;

use crate::support::{link_host_program, stub, FakeSession, Sandbox};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const AGENT: &str = "#!/bin/sh\necho agent-ran\n";

#[test]
fn run_and_install_agents_with_an_unknown_agent_exit_2_with_a_suggestion_fake_multipass() {
    let s = FakeSession::new(AGENT);
    let before = s.fake.calls().len();
    for args in [
        &["--non-interactive", "run", "codx"][..],
        &["--non-interactive", "install-agents", "codx"][..],
    ] {
        let out = s.agsekit(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("no agent named \"codx\"") && err.contains("configured agents: codex"),
            "{err}"
        );
        assert!(err.contains("hint: did you mean `codex`?"), "{err}");
    }
    assert_eq!(s.fake.calls().len(), before, "no VM was touched");
}

#[test]
fn a_missing_config_named_with_config_is_the_file_the_hints_create() {
    let sb = Sandbox::new();
    let wanted = sb.home().join("elsewhere/my config.yaml");
    std::fs::create_dir_all(wanted.parent().expect("parent")).expect("dir");
    let out = sb
        .agsekit()
        .arg("--config")
        .arg(&wanted)
        .arg("config-check")
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let quoted = format!("'{}'", wanted.display());
    assert!(
        err.contains(&format!(
            "hint: `agsekit config-example {quoted}` writes a commented example there"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("hint: `agsekit --config {quoted} config-gen`")),
        "{err}"
    );
    assert!(
        !err.contains(".config/agsekit/config.yaml"),
        "the default path is not the one asked for: {err}"
    );
    // Following the hint writes exactly that file, and the command then finds it.
    sb.agsekit()
        .arg("config-example")
        .arg(&wanted)
        .assert()
        .success();
    assert!(wanted.is_file());
    assert!(!sb.home().join(".config/agsekit/config.yaml").exists());
    let again = sb
        .agsekit()
        .arg("--config")
        .arg(&wanted)
        .arg("config-check")
        .output()
        .expect("run");
    assert!(
        !text(&again.stderr).contains("config file not found"),
        "{}",
        text(&again.stderr)
    );

    // Without --config the hint names the default path, which config-example writes.
    let out = sb.agsekit().arg("config-check").output().expect("run");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let default = sb.home().join(".config/agsekit/config.yaml");
    assert!(
        err.contains(&format!(
            "hint: `agsekit config-example` writes a commented example to {}",
            default.display()
        )),
        "{err}"
    );
}

/// The `backups ...` line of `agsekit doctor` for `dest`.
fn doctor_backup_line(s: &FakeSession, dest: &Path) -> String {
    let out = s.agsekit(&["doctor"]);
    let stdout = text(&out.stdout);
    let needle = format!("backups {}:", dest.display());
    stdout
        .lines()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no line for {needle} in:\n{stdout}"))
        .to_string()
}

#[test]
fn doctor_fake_multipass_checks_a_missing_backup_folder_in_its_parent_never_in_a_far_ancestor() {
    let s = FakeSession::new(AGENT);
    // The default backup folder, beside the project: not made before the first snapshot.
    let beside = s.sb.home().join("backups-proj");
    assert!(!beside.exists());
    let line = doctor_backup_line(&s, &beside);
    assert!(line.starts_with("ok"), "{line}");
    assert!(
        line.contains(&format!(
            "not created yet: the first snapshot creates it; {} is writable, hardlinks work there",
            s.sb.home().display()
        )),
        "{line}"
    );

    // A backup folder whose parent is missing too: not probed in the nearest folder that
    // exists, and not called writable.
    let far = s.sb.home().join("no/such/backups");
    let config = std::fs::read_to_string(&s.config).expect("config");
    std::fs::write(
        &s.config,
        config.replace(
            "    vm: dev\n",
            &format!("    vm: dev\n    backup: {}\n", far.display()),
        ),
    )
    .expect("config");
    let line = doctor_backup_line(&s, &far);
    assert!(line.starts_with("warn"), "{line}");
    assert!(
        line.contains(&format!(
            "does not exist, nor does {}: the first snapshot would create them under {}",
            s.sb.home().join("no/such").display(),
            s.sb.home().display()
        )),
        "{line}"
    );
    assert!(!line.contains("writable"), "{line}");
    let out = s.agsekit(&["doctor"]);
    assert!(
        text(&out.stdout).contains(&format!("mkdir -p {}", far.display())),
        "{}",
        text(&out.stdout)
    );
    let probes: Vec<_> = std::fs::read_dir(s.sb.home())
        .expect("home")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("agsekit-doctor"))
        .collect();
    assert!(probes.is_empty(), "{probes:?}");
    assert!(!s.sb.home().join("no").exists(), "doctor created nothing");
}

#[test]
fn run_fake_multipass_with_a_missing_vm_reports_only_that_before_any_snapshot() {
    let s = FakeSession::new(AGENT);
    s.fake.ok(&["delete", "--purge", "dev"]);
    let out = s.run_agent();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert_eq!(
        err,
        "agsekit: error: VM \"dev\" does not exist\nhint: agsekit create-vm dev\n"
    );
    assert!(
        s.fake.calls().iter().all(|c| c[0] != "exec"),
        "{:?}",
        s.fake.calls()
    );
    assert!(
        !s.sb.home().join("backups-proj").exists(),
        "no snapshot was taken"
    );
}

#[test]
fn run_fake_multipass_says_starting_not_runs_before_the_single_exec() {
    let s = FakeSession::new(AGENT);
    std::fs::write(s.project.join("a.txt"), "one\n").expect("file");
    let out = s.run_agent();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("agsekit: starting agent `codex` in VM `dev` in /home/ubuntu/proj"),
        "{err}"
    );
    // With a snapshot already there, a ready VM still costs one multipass call; a VM deleted
    // since is reported by agsekit after Multipass's own line (the agent never started).
    s.fake.ok(&["delete", "--purge", "dev"]);
    let before = s.fake.calls().len();
    let out = s.run_agent();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.ends_with("agsekit: error: VM \"dev\" does not exist\nhint: agsekit create-vm dev\n"),
        "{err}"
    );
    assert_eq!(s.fake.calls()[before][0], "exec");
}

#[test]
fn prepare_y_as_root_without_sudo_runs_the_commands_itself() {
    if !nix::unistd::geteuid().is_root() {
        println!("SKIPPED: prepare runs its commands without sudo only as root");
        return;
    }
    let sb = Sandbox::new();
    let bin = sb.home().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    if !link_host_program(&bin, "ssh-keygen") || !link_host_program(&bin, "env") {
        println!("SKIPPED: ssh-keygen or env is not installed here");
        return;
    }
    // No sudo on PATH; the package managers log what they were asked to do.
    let log = sb.home().join("calls.log");
    let logger = format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\n", log.display());
    for name in ["apt-get", "snap", "pacman", "yay"] {
        stub(&bin, name, &logger);
    }
    let out = sb
        .agsekit()
        .env("PATH", &bin)
        .args(["--non-interactive", "prepare", "-y"])
        .output()
        .expect("run");
    let err = text(&out.stderr);
    if err.contains("cannot tell how") || err.contains("WSL") {
        println!("SKIPPED: this host's OS has no prepare plan: {err}");
        return;
    }
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("sudo"), "{err}");
    let calls = std::fs::read_to_string(&log).expect("the install commands ran");
    let ran: Vec<&str> = calls.lines().collect();
    let bin_s = bin.display().to_string();
    if ran[0].contains("apt-get") {
        assert_eq!(ran[0], format!("{bin_s}/apt-get update"));
        assert!(
            ran[1].starts_with(&format!("{bin_s}/apt-get install -y ")),
            "{ran:?}"
        );
        assert_eq!(ran[2], format!("{bin_s}/snap install multipass"));
    }
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("sudo "), "{stdout}");
    assert!(stdout.contains("(created)"), "{stdout}");
}

#[test]
fn addmount_fake_multipass_asks_the_backend_whether_the_snap_rules_apply() {
    // The sandbox is under /tmp, outside /home: only a snap-confined Multipass refuses it.
    let s = FakeSession::new(AGENT);
    let other = s.sb.home().join("other");
    std::fs::create_dir_all(&other).expect("folder");
    let add = |snap: &str| {
        let mut cmd = s.sb.agsekit_with(&s.fake);
        cmd.env("AGSEKIT_MULTIPASS_SNAP", snap)
            .arg("--config")
            .arg(&s.config)
            .args(["--non-interactive", "addmount", "-y"])
            .arg(&other)
            .output()
            .expect("run")
    };
    let refused = add("1");
    let err = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(err.contains("/home"), "{err}");
    assert!(!std::fs::read_to_string(&s.config)
        .expect("config")
        .contains(&other.display().to_string()));
    // The fake is not a snap: the same folder is added, without --force-path.
    let added = add("");
    assert_eq!(added.status.code(), Some(0), "{}", text(&added.stderr));
    assert!(std::fs::read_to_string(&s.config)
        .expect("config")
        .contains(&other.display().to_string()));
}
