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
    // An `env:` value: the first run also finds no env file in the VM (launcher exit 245).
    let config = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(
        &s.config,
        config.replace(
            "    type: codex\n",
            "    type: codex\n    env:\n      TOKEN: t0k\n",
        ),
    )
    .unwrap();
    assert!(!mounted(&s));
    let out = s.run_agent();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(text(&out.stdout), "agent-ran\n");
    assert!(mounted(&s));
    let env_sent = s
        .fake
        .calls()
        .iter()
        .any(|c| c.iter().any(|a| a == "--write-env"));
    assert!(env_sent, "{:?}", s.fake.calls());
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
    s.fake
        .install_agent("dev", "codex", "#!/bin/sh\nrm a.txt new.txt\n");
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

/// `install-agents` against the FAKE multipass, with an installer that fails after printing
/// more lines than the error shows: the error ends with the last ten lines of its output, as
/// they were shown, escaped; earlier lines and the progress redraws are left out.
#[test]
fn install_agents_fake_multipass_failure_shows_the_last_lines_of_the_installer_output() {
    use crate::vm_commands::{stub_vm_tools, Setup};
    let s = Setup::new(
        "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  newer:\n    type: forgecode\n    version: 9.9.9\n",
    );
    s.fake.launch("dev");
    stub_vm_tools(&s.fake, "dev");
    s.fake
        .install_agent("dev", "forge", "#!/bin/sh\necho 'forge 2.12.14'\n");
    // A download that prints 15 lines (one redrawn with \r, one with a terminal control) and
    // fails.
    for tool in ["curl", "wget"] {
        s.fake.install_agent(
            "dev",
            tool,
            "#!/bin/sh\ni=1\nwhile [ $i -le 13 ]; do echo \"fetch line $i\" >&2; i=$((i+1)); done\nprintf '  0%%\\r 50%%\\r100%%\\n' >&2\nprintf 'bad \\033[2K name\\n' >&2\nexit 7\n",
        );
    }
    let out = s.agsekit_env(&["install-agents", "--all-agents"], &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(text(&out.stdout), "newer in VM dev: FAILED\n");
    assert!(err.contains("`forgecode` failed in VM `dev`"), "{err}");
    let tail: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.contains("failed in VM `dev`"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .collect();
    assert_eq!(tail.len(), 10, "{err}");
    assert!(!err.contains("fetch line 3\n"), "{err}");
    assert!(tail.contains(&"fetch line 13"), "{err}");
    assert!(tail.contains(&"100%"), "{err}");
    assert!(tail.contains(&"bad \\x1b[2K name"), "{err}");
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(!err.contains(" 50%"), "{err}");
}

/// `backup-once --progress`: what a terminal shows at the end is the finished bar, with
/// nothing left of an earlier, longer line (`done0:00`).
#[test]
fn backup_progress_bar_ends_clean() {
    let sb = crate::support::Sandbox::new();
    let src = sb.home().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..20 {
        std::fs::write(src.join(format!("f{i}")), vec![1u8; 50_000]).unwrap();
    }
    let out = sb
        .agsekit()
        .args(["backup-once", "--progress", "--source-dir"])
        .arg(&src)
        .arg("--dest-dir")
        .arg(sb.home().join("dest"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let bar = err
        .lines()
        .find(|l| l.contains("Progress: ["))
        .unwrap_or_else(|| panic!("no bar: {err:?}"));
    // Replay the carriage returns as a terminal does.
    let mut shown: Vec<char> = Vec::new();
    let mut col = 0;
    for c in bar.chars() {
        if c == '\r' {
            col = 0;
        } else {
            if col < shown.len() {
                shown[col] = c;
            } else {
                shown.push(c);
            }
            col += 1;
        }
    }
    let shown: String = shown.into_iter().collect();
    assert!(
        shown
            .trim_end()
            .ends_with("20/20 files  976.6 KiB/976.6 KiB  done"),
        "{shown:?}"
    );
}

/// `install-agents` on a terminal (tmux) against the FAKE multipass, slowed down: the spinner
/// shows the step and how long it has been running, and nothing of it is left at the end.
#[test]
fn install_agents_fake_multipass_spinner_shows_the_step_and_its_elapsed_time_in_tmux() {
    use crate::tmux::{command_line, Tmux};
    use crate::vm_commands::{stub_vm_tools, Setup};
    if !Tmux::available() {
        println!("SKIPPED: tmux is not installed");
        return;
    }
    let s = Setup::new(
        "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  pinned:\n    type: forgecode\n    version: 2.12.14\n",
    );
    s.fake.launch("dev");
    stub_vm_tools(&s.fake, "dev");
    s.fake
        .install_agent("dev", "forge", "#!/bin/sh\necho 'forge 2.12.14'\n");
    let env = [
        format!("AGSEKIT_MULTIPASS={}", s.fake.bin.display()),
        format!("FAKE_MULTIPASS_STATE={}", s.fake.state_dir.display()),
        "FAKE_MULTIPASS_LATENCY_MS=1500".to_string(),
    ];
    let config = s.config.to_string_lossy().into_owned();
    let t = Tmux::start(&command_line(
        &s.sb,
        &env,
        &[
            "--config",
            config.as_str(),
            "install-agents",
            "--all-agents",
        ],
    ));
    let step = "installing pinned (forgecode) in VM `dev` 0:01";
    let mut seen = false;
    for _ in 0..600 {
        if t.screen().contains(step) {
            seen = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(seen, "never saw {step:?}; screen:\n{}", t.screen());
    t.wait_for("EXIT:");
    let screen = t.screen();
    assert!(
        screen.contains("pinned in VM dev: already installed 2.12.14"),
        "{screen}"
    );
    assert!(screen.contains("EXIT:0"), "{screen}");
    assert!(!screen.contains(" 0:01"), "{screen}");
}

/// When re-sending the env file does not help (here: the VM's `sha256sum` disagrees after
/// the first time), the session fails loudly with the launcher's reason, read from its status
/// record, since the launcher itself keeps quiet about what the host repairs. FAKE multipass.
#[test]
fn a_repair_that_does_not_help_fails_with_the_launchers_reason_fake_multipass() {
    let s = session();
    let config = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(
        &s.config,
        config.replace(
            "    type: codex\n",
            "    type: codex\n    env:\n      TOKEN: t0k\n",
        ),
    )
    .unwrap();
    s.fake.install_agent(
        "dev",
        "sha256sum",
        "#!/bin/sh\nif [ -e \"$HOME/.sha-once\" ]; then echo 0000; exit 0; fi\ntouch \"$HOME/.sha-once\"\nexec /usr/bin/sha256sum \"$@\"\n",
    );
    let out = s.run_agent();
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(text(&out.stdout), "", "the agent must not run");
    assert!(
        stderr.contains(
            "error: the launcher in VM `dev` could not start the agent (exit 245): env file "
        ) && stderr.contains(" is stale"),
        "{stderr}"
    );
    assert!(!stderr.contains("agsekit-launch:"), "{stderr}");
}
