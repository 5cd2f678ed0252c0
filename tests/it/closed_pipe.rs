//! Every command with its stdout on a pipe whose reader is already gone (`agsekit ... | head`
//! after head exited): none may panic. The commands come from the clap command tree, so a new
//! command is covered without editing this file. VMs are the FAKE multipass's (no real VM);
//! programs that would reach the network or the host's services (sudo, apt-get, curl,
//! systemctl, ssh...) are stubs on PATH that fail at once.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::support::FakeSession;

/// What the agent in the fake VM does: prints (its stdout is the closed pipe too), survives
/// the EPIPE, and exits 7, which `agsekit run` must return unchanged.
const AGENT: &str = "#!/bin/sh\ntrap '' PIPE\necho from-the-agent 2>/dev/null\nexit 7\n";

/// Host programs that must not run for real in a test: each stub fails at once.
const HOST_STUBS: &[&str] = &[
    "sudo",
    "apt-get",
    "apt",
    "dnf",
    "pacman",
    "brew",
    "snap",
    "curl",
    "wget",
    "npm",
    "systemctl",
    "launchctl",
    "loginctl",
    "ssh",
    "xdg-open",
];

/// Programs in the fake VM that would reach the network during installs.
const VM_STUBS: &[&str] = &["curl", "wget", "apt-get", "npm", "pip", "pip3", "git"];

struct Setup {
    s: FakeSession,
    path: String,
    backups: PathBuf,
}

fn stub(dir: &Path, name: &str) {
    let file = dir.join(name);
    crate::support::write_executable(&file, "#!/bin/sh\nexit 1\n");
}

/// A FakeSession (VM `dev`, the project as its mount, agent `codex`) with one snapshot of the
/// project, so the snapshot commands have something to print.
fn setup() -> Setup {
    let s = FakeSession::new(AGENT);
    std::fs::write(s.project.join("a.txt"), "one\n").expect("file");
    let stubs = s.sb.home().join("host-stubs");
    std::fs::create_dir_all(&stubs).expect("stubs");
    for name in HOST_STUBS {
        stub(&stubs, name);
    }
    for name in VM_STUBS {
        s.fake.install_agent("dev", name, "#!/bin/sh\nexit 1\n");
    }
    let path = format!(
        "{}:{}",
        stubs.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let backups = s.sb.home().join("backups-proj");
    let out = s.agsekit(&[
        "backup-once",
        "--source-dir",
        &s.project.display().to_string(),
        "--dest-dir",
        &backups.display().to_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Setup { s, path, backups }
}

/// Every leaf command of the tree as its words (`["shims", "list"]`), without `help`.
fn leaves(cmd: &clap::Command, prefix: &[String], out: &mut Vec<(Vec<String>, clap::Command)>) {
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let mut words = prefix.to_vec();
        words.push(sub.get_name().to_string());
        if sub.has_subcommands() {
            leaves(sub, &words, out);
        } else {
            out.push((words, sub.clone()));
        }
    }
}

/// A harmless value for an argument this test must give, by its value name.
fn value_for(setup: &Setup, value_name: &str) -> String {
    let project = setup.s.project.display().to_string();
    match value_name {
        "DIR" | "DIRECTORY" | "SOURCE_DIR" | "MOUNT_SOURCE" | "MOUNT" => project,
        "SNAP" => "latest".to_string(),
        "FILE" | "PATH" => "a.txt".to_string(),
        "AGENT" | "AGENT_NAME" => "codex".to_string(),
        "NAME" => "echo".to_string(),
        _ => "dev".to_string(),
    }
}

/// The argument lists to run a leaf with: its required arguments filled in, one list per
/// possible value when a required positional has a fixed set (every shell of `completions`).
fn argument_lists(setup: &Setup, words: &[String], cmd: &clap::Command) -> Vec<Vec<String>> {
    let key = words.join(" ");
    // Options that keep a command short and on this machine (the rest needs none).
    let extra: Vec<String> = match key.as_str() {
        "up" => vec!["--no-prepare".into()],
        "run" => vec!["--auto-mount".into()],
        "backup-once" | "backup-repeated" => vec![
            "--source-dir".into(),
            setup.s.project.display().to_string(),
            "--dest-dir".into(),
            setup.backups.display().to_string(),
        ],
        "backup-repeated-mount" => vec!["--mount".into(), setup.s.project.display().to_string()],
        _ => Vec::new(),
    };
    let mut lists = vec![[words.to_vec(), extra.clone()].concat()];
    for arg in cmd.get_arguments() {
        // `completions SHELL` is required unless `--install` is given: give it every shell.
        let needed = arg.is_required_set() || (key == "completions" && arg.get_id() == "shell");
        if !needed || arg.is_global_set() {
            continue;
        }
        let long = arg.get_long().map(|l| format!("--{l}"));
        if long.as_ref().is_some_and(|l| extra.contains(l)) {
            continue;
        }
        let value_name = arg
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string())
            .unwrap_or_else(|| arg.get_id().to_string().to_uppercase());
        let choices: Vec<String> = arg
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect();
        let values = if choices.is_empty() {
            vec![value_for(setup, &value_name)]
        } else {
            choices
        };
        let mut next = Vec::new();
        for list in &lists {
            for v in &values {
                let mut l = list.clone();
                if let Some(long) = &long {
                    l.push(long.clone());
                }
                l.push(v.clone());
                next.push(l);
            }
        }
        lists = next;
    }
    lists
}

struct Outcome {
    status: ExitStatus,
    stderr: String,
}

/// Runs agsekit with `args`, stdout on a pipe whose reading end is closed, stdin empty.
/// `until_file`: a long-running command is sent SIGTERM once this file exists.
fn run_into_closed_pipe(setup: &Setup, args: &[String], until_file: Option<&Path>) -> Outcome {
    run_with_closed(setup, args, until_file, false)
}

/// Like [`run_into_closed_pipe`]; with `stderr_too`, stderr goes into the same closed pipe
/// (`agsekit ... 2>&1 | head` after head exited) and the outcome's stderr is empty.
fn run_with_closed(
    setup: &Setup,
    args: &[String],
    until_file: Option<&Path>,
    stderr_too: bool,
) -> Outcome {
    let (reader, writer) = nix::unistd::pipe().expect("pipe");
    drop(reader);
    let stderr = if stderr_too {
        Stdio::from(writer.try_clone().expect("dup"))
    } else {
        Stdio::piped()
    };
    let s = &setup.s;
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("agsekit"))
        .arg("--config")
        .arg(&s.config)
        .arg("--non-interactive")
        .args(args)
        .current_dir(&s.project)
        .env("PWD", &s.project)
        .env("HOME", s.sb.home())
        .env("PATH", &setup.path)
        .env("AGSEKIT_SHIMS_DIR", s.sb.home().join("shims"))
        .env("AGSEKIT_MULTIPASS", &s.fake.bin)
        .env("FAKE_MULTIPASS_STATE", &s.fake.state_dir)
        .env("AGSEKIT_DAEMON_TICK_SEC", "1")
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("XDG_STATE_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("CONFIG_PATH")
        .env_remove("AGSEKIT_DEBUG")
        .env_remove("AGSEKIT_LANG")
        .env_remove("AGSEKIT_SSH")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("FAKE_MULTIPASS_FAIL")
        .env_remove("FAKE_MULTIPASS_LATENCY_MS")
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer))
        .stderr(stderr)
        .spawn()
        .expect("spawn agsekit");
    let stderr_pipe = child.stderr.take();
    let reading = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = stderr_pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    });
    // A guard against a hang, not a timing assertion: a command that never ends fails.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut signalled = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if !signalled && until_file.is_some_and(Path::exists) {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            signalled = true;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("agsekit {} did not end", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Outcome {
        status,
        stderr: reading.join().expect("stderr reader"),
    }
}

#[test]
fn every_command_into_a_closed_pipe_ends_without_a_panic_fake_multipass() {
    let mut all = Vec::new();
    leaves(&agsekit::cli::command_for_docs(), &[], &mut all);
    assert!(all.len() >= 50, "the command tree has {} leaves", all.len());
    let mut failures = Vec::new();
    let mut runs = 0;
    let mut quiet_sigpipe = Vec::new();
    for (words, cmd) in &all {
        let setup = setup();
        let key = words.join(" ");
        // Supervisors run until stopped: SIGTERM once they hold their lock.
        let state = setup.s.sb.home().join(".local/state/agsekit");
        let until = match key.as_str() {
            "daemon run" | "systemd run" => Some(state.join("daemon.pid")),
            "portforward" => Some(state.join("portforward.lock")),
            _ => None,
        };
        for args in argument_lists(&setup, words, cmd) {
            runs += 1;
            let out = run_into_closed_pipe(&setup, &args, until.as_deref());
            let line = format!(
                "agsekit {}: {:?}\n{}",
                args.join(" "),
                out.status,
                out.stderr
            );
            if out.status.code() == Some(101) || out.stderr.contains("panicked") {
                failures.push(line);
            } else if key == "run" && out.status.code() != Some(7) {
                // The agent's exit code passes through even when nobody reads its output.
                failures.push(format!("run did not return the agent's 7: {line}"));
            } else if out.status.signal() == Some(libc_sigpipe()) {
                quiet_sigpipe.push(key.clone());
                // Quietly: notices on stderr before it are fine, a complaint about it is not.
                if out.stderr.contains("Broken pipe") || out.stderr.contains("os error 32") {
                    failures.push(format!("ended by SIGPIPE but not quietly: {line}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
    assert!(runs > all.len(), "every shell of completions runs: {runs}");
    // Reporting commands end at their first write, as `cat` does (README, exit codes).
    for expected in [
        "version",
        "completions",
        "list-bundles",
        "status",
        "snapshots",
    ] {
        assert!(
            quiet_sigpipe.iter().any(|k| k == expected),
            "{expected} did not end by SIGPIPE; those that did: {quiet_sigpipe:?}"
        );
    }
}

fn libc_sigpipe() -> i32 {
    nix::sys::signal::Signal::SIGPIPE as i32
}

/// Processes whose command line names `needle` (the snapshot loop names the project).
fn processes_naming(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Ok(raw) = std::fs::read(entry.path().join("cmdline")) {
            let line = String::from_utf8_lossy(&raw).replace('\0', " ");
            if line.contains(needle) && line.contains("backup-repeated") {
                found.push(line);
            }
        }
    }
    found
}

#[test]
fn run_fake_multipass_with_stdout_and_stderr_closed_returns_the_agents_code_and_stops_its_loop() {
    let setup = setup();
    // A session first, so the launcher is installed and the folder mounted: the launcher's
    // own repair messages (on the closed stderr) are not what this test is about.
    let warm = setup.s.run_agent();
    assert_eq!(
        warm.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&warm.stderr)
    );
    let args: Vec<String> = ["run", "--auto-mount", "codex"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let out = run_with_closed(&setup, &args, None, true);
    assert_eq!(out.status.code(), Some(7), "{:?}", out.status);
    // The session ended normally: its background snapshot loop was stopped.
    let project = setup.s.project.display().to_string();
    assert!(
        processes_naming(&project).is_empty(),
        "{:?}",
        processes_naming(&project)
    );
    // And the agent really ran (the session's snapshot is there).
    assert!(setup.backups.is_dir());
}
