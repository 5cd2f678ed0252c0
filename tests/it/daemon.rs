//! The daemon with a real process (`agsekit daemon run`, started directly: no systemd here):
//! start, the lock refusing a second one, a stale version restarted by `daemon start`, stop;
//! backups it runs (with the FAKE multipass); the systemd unit rendered, checked with
//! `systemd-analyze verify` where it exists, and `systemctl --user` calls (a logging stand-in
//! on PATH); the deprecated `systemd` alias.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::support::{FakeMultipass, Sandbox};

const VM: &str = "agent-ubuntu";

struct Daemon {
    sb: Sandbox,
    fake: FakeMultipass,
    config: PathBuf,
    project: PathBuf,
    backups: PathBuf,
}

impl Daemon {
    fn new(global: &str) -> Daemon {
        let sb = Sandbox::new();
        let fake = FakeMultipass::new(sb.home());
        let project = sb.home().join("proj");
        let backups = sb.home().join("backups-proj");
        std::fs::create_dir_all(&project).expect("project");
        std::fs::write(project.join("a.txt"), "a").expect("file");
        let config = sb.home().join("config.yaml");
        std::fs::write(
            &config,
            format!(
                "global:\n{global}vms:\n  {VM}: {{cpu: 1, ram: 1G, disk: 5G}}\nmounts:\n  - {{source: {}, target: /home/ubuntu/proj, backup: {}, vm: {VM}}}\n",
                project.display(),
                backups.display()
            ),
        )
        .expect("config");
        Daemon {
            sb,
            fake,
            config,
            project,
            backups,
        }
    }

    fn agsekit(&self) -> assert_cmd::Command {
        let mut cmd = self.sb.agsekit_with(&self.fake);
        cmd.env_remove("XDG_STATE_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env("AGSEKIT_DAEMON_TICK_SEC", "1")
            .arg("--config")
            .arg(&self.config);
        cmd
    }

    fn state(&self) -> PathBuf {
        self.sb.home().join(".local/state/agsekit")
    }

    fn pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.state().join("daemon.pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    fn status_text(&self) -> String {
        let out = self
            .agsekit()
            .args(["daemon", "status"])
            .output()
            .expect("status");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Daemon {
    /// Never leave a daemon behind, even when an assertion failed.
    fn drop(&mut self) {
        let _ = self.agsekit().args(["daemon", "stop"]).output();
    }
}

fn alive(pid: u32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), None).is_ok()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| {
                s.rsplit_once(')')
                    .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
            })
            .unwrap_or(false)
}

#[test]
fn daemon_lifecycle_fake_multipass_start_lock_stale_version_restart_stop() {
    let d = Daemon::new("  check_new_version: false\n");
    assert!(d.status_text().contains("Daemon: not running"));

    d.agsekit()
        .args(["daemon", "start"])
        .assert()
        .success()
        .stdout(predicate::str::contains("started the daemon (PID"));
    let first = d.pid().expect("pidfile");
    assert!(alive(first));
    let status = d.status_text();
    assert!(
        status.contains(&format!("Daemon: running (PID {first})")),
        "{status}"
    );
    assert!(!status.contains("Version mismatch"), "{status}");
    let version = std::fs::read_to_string(d.state().join("daemon.version")).expect("version");
    assert!(version.starts_with("agsekit-daemon 1 "), "{version}");

    // The lock: a second daemon refuses to run, and `start` does not start another.
    d.agsekit()
        .args(["daemon", "run"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(format!(
            "the agsekit daemon is already running (PID {first})"
        )));
    d.agsekit()
        .args(["daemon", "start"])
        .assert()
        .success()
        .stdout(predicate::str::contains("already running"));
    assert_eq!(d.pid(), Some(first));

    // An upgrade: the running daemon's version file says another build.
    std::fs::write(
        d.state().join("daemon.version"),
        "agsekit-daemon 0 0.0.1 1\n",
    )
    .expect("stale version");
    let status = d.status_text();
    assert!(status.contains("Version mismatch"), "{status}");
    d.agsekit()
        .args(["daemon", "start"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "another build (0.0.1); restarting it",
        ));
    let second = d.pid().expect("pidfile");
    assert_ne!(first, second, "a new daemon process");
    let deadline = Instant::now() + Duration::from_secs(20);
    while alive(first) {
        assert!(Instant::now() < deadline, "the stale daemon did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!d.status_text().contains("Version mismatch"));

    d.agsekit()
        .args(["daemon", "stop"])
        .assert()
        .success()
        .stdout(predicate::str::contains("stopped the daemon"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while alive(second) {
        assert!(Instant::now() < deadline, "the daemon did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(d.status_text().contains("Daemon: not running"));
    let log = std::fs::read_to_string(d.state().join("daemon.log")).unwrap_or_default();
    assert!(log.contains("started (PID"), "{log}");
    assert!(log.contains("stopping"), "{log}");
}

#[test]
fn daemon_run_fake_multipass_keeps_backups_of_all_mounts_and_stops_them() {
    let d = Daemon::new("  daemon: {backups: all}\n");
    d.fake.launch(VM);
    d.agsekit().args(["daemon", "start"]).assert().success();
    // backup-repeated-mount takes its first snapshot at once.
    let deadline = Instant::now() + Duration::from_secs(60);
    let snapshots = |dir: &Path| {
        std::fs::read_dir(dir)
            .map(|r| {
                r.flatten()
                    .filter(|e| e.path().is_dir())
                    .filter(|e| !e.file_name().to_string_lossy().ends_with("-partial"))
                    .count()
            })
            .unwrap_or(0)
    };
    while snapshots(&d.backups) == 0 {
        assert!(
            Instant::now() < deadline,
            "no snapshot from the daemon's backup loop"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let loop_pid: u32 = std::fs::read_to_string(d.backups.join("backup.pid"))
        .expect("backup.pid")
        .trim()
        .parse()
        .expect("pid");
    assert!(alive(loop_pid), "the backup loop runs");
    let json = d
        .agsekit()
        .args(["status", "--json"])
        .output()
        .expect("status");
    let j: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(j["mounts"][0]["backup"]["loop_pid"], loop_pid);
    assert_eq!(j["daemon"]["running"], true);
    assert!(std::fs::read_to_string(d.backups.join("backup.log"))
        .unwrap_or_default()
        .contains("Snapshot created"));

    d.agsekit().args(["daemon", "stop"]).assert().success();
    let deadline = Instant::now() + Duration::from_secs(30);
    while alive(loop_pid) {
        assert!(
            Instant::now() < deadline,
            "the backup loop outlived the daemon"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = &d.project;
}

/// A `systemctl` stand-in that logs its arguments and succeeds.
fn fake_systemctl(dir: &Path) -> PathBuf {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).expect("bin");
    let script = bin.join("systemctl");
    crate::support::write_executable(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> {}\n",
            dir.join("systemctl.log").display()
        ),
    );
    bin
}

#[test]
fn daemon_install_writes_a_systemd_unit_and_drives_systemctl_user() {
    if cfg!(target_os = "macos") {
        println!("SKIPPED: the systemd unit is for Linux");
        return;
    }
    let d = Daemon::new("");
    let bin = fake_systemctl(d.sb.home());
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    d.agsekit()
        .env("PATH", &path)
        .args(["daemon", "install"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "enabled and started agsekit-daemon.service",
        ));
    let unit_path =
        d.sb.home()
            .join(".config/systemd/user/agsekit-daemon.service");
    let unit = std::fs::read_to_string(&unit_path).expect("unit written");
    let exe = assert_cmd::cargo::cargo_bin("agsekit");
    assert!(
        unit.contains(&format!(
            "ExecStart={} daemon run --config {}\n",
            exe.display(),
            d.config.display()
        )),
        "{unit}"
    );
    assert!(unit.contains("WantedBy=default.target"));
    let calls = std::fs::read_to_string(d.sb.home().join("systemctl.log")).expect("calls");
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        [
            "--user daemon-reload",
            "--user enable agsekit-daemon.service",
            "--user restart agsekit-daemon.service"
        ]
    );

    // systemd's own checker, where it exists.
    match Command::new("systemd-analyze")
        .args(["verify"])
        .arg(&unit_path)
        .output()
    {
        Err(e) => println!("SKIPPED systemd-analyze verify: {e}"),
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stderr).to_string();
            let own: Vec<&str> = text
                .lines()
                .filter(|l| l.contains("agsekit-daemon.service"))
                .collect();
            assert!(
                out.status.success() && own.is_empty(),
                "systemd-analyze verify: {text}"
            );
        }
    }

    // The deprecated alias: a notice, then the daemon command.
    d.agsekit()
        .env("PATH", &path)
        .args(["systemd", "status"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "the agsekit systemd command is deprecated; use agsekit daemon status.",
        ))
        .stdout(predicate::str::contains("Installed: yes"));

    d.agsekit()
        .env("PATH", &path)
        .args(["daemon", "uninstall"])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed"));
    assert!(!unit_path.exists());
    let calls = std::fs::read_to_string(d.sb.home().join("systemctl.log")).expect("calls");
    assert!(
        calls.contains("--user disable --now agsekit-daemon.service"),
        "{calls}"
    );
}

#[test]
fn daemon_install_replaces_the_1_7_4_portforward_unit() {
    if cfg!(target_os = "macos") {
        println!("SKIPPED: the systemd unit is for Linux");
        return;
    }
    let d = Daemon::new("");
    let bin = fake_systemctl(d.sb.home());
    let units = d.sb.home().join(".config/systemd/user");
    std::fs::create_dir_all(&units).expect("units");
    std::fs::write(units.join("agsekit-portforward.service"), "[Unit]\n").expect("legacy");
    d.agsekit()
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .args(["daemon", "install"])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed agsekit 1.7.4's unit"));
    assert!(!units.join("agsekit-portforward.service").exists());
    let calls = std::fs::read_to_string(d.sb.home().join("systemctl.log")).expect("calls");
    assert!(
        calls.starts_with("--user disable --now agsekit-portforward.service\n"),
        "{calls}"
    );
}

#[test]
fn daemon_run_fake_multipass_backs_up_only_mounts_with_an_active_agent() {
    let d = Daemon::new("");
    d.fake.launch(VM);
    d.fake.ok(&[
        "mount",
        &d.project.to_string_lossy(),
        &format!("{VM}:/home/ubuntu/proj"),
    ]);
    // No agent yet: the daemon starts no backup loop (default `backups: active`).
    d.agsekit().args(["daemon", "start"]).assert().success();
    let log = d.state().join("daemon.log");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !d.fake.calls().iter().any(|c| c[0] == "info") {
        assert!(
            Instant::now() < deadline,
            "the daemon never looked at the VMs"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !d.backups.join("backup.pid").exists(),
        "no loop without an agent"
    );

    // An agent session appears in the VM (a fake `ps` shows the launcher): a loop starts.
    d.fake.install_agent(
        VM,
        "ps",
        "#!/bin/sh\necho '  300     1 bash /usr/local/bin/agsekit-launch --session s --mount-root /home/ubuntu/proj --workdir /home/ubuntu/proj --binary codex -- x'\necho '  301   300 codex x'\n",
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !d.backups.join("backup.pid").exists() {
        assert!(
            Instant::now() < deadline,
            "no backup loop for the active mount: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        text.contains(&format!("backups of {} started", d.project.display())),
        "{text}"
    );
}

#[test]
fn daemon_killed_outright_leaves_loops_that_the_next_daemon_stops() {
    let d = Daemon::new("  daemon: {backups: all}\n");
    d.fake.launch(VM);
    d.agsekit().args(["daemon", "start"]).assert().success();
    let daemon_pid = d.pid().expect("pid");
    let deadline = Instant::now() + Duration::from_secs(60);
    // The loop process, found by its command line (its PID is in backup.pid only while it
    // writes a snapshot, and the daemon restarts a loop that ended).
    let pattern = format!("backup-repeated-mount --mount {}", d.project.display());
    let loop_pid = loop {
        let found = std::process::Command::new("pgrep")
            .args(["-f", &pattern])
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter_map(|l| l.trim().parse::<u32>().ok())
                    .find(|p| *p != daemon_pid && alive(*p))
            });
        if let Some(pid) = found {
            break pid;
        }
        assert!(Instant::now() < deadline, "no backup loop");
        std::thread::sleep(Duration::from_millis(200));
    };
    // The daemon records its loops right after starting them; a kill before that record is
    // written would leave a loop no later daemon knows of (a window of a few milliseconds
    // that a loaded machine can widen), so wait until the record names this loop.
    let record = d.state().join("daemon-loops.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    let recorded = || -> Vec<u32> {
        std::fs::read_to_string(&record)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    };
    while !recorded().contains(&loop_pid) {
        assert!(
            Instant::now() < deadline,
            "the daemon never recorded its loop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(daemon_pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill -9");
    let deadline = Instant::now() + Duration::from_secs(20);
    while alive(daemon_pid) {
        assert!(Instant::now() < deadline, "daemon still alive");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(alive(loop_pid), "the orphaned loop still runs");
    d.agsekit().args(["daemon", "start"]).assert().success();
    let deadline = Instant::now() + Duration::from_secs(30);
    while alive(loop_pid) {
        assert!(
            Instant::now() < deadline,
            "the new daemon did not stop the orphan"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(d.state().join("daemon.log")).unwrap_or_default();
    assert!(
        log.contains("stopped 1 backup loop(s) left by a daemon that was killed"),
        "{log}"
    );
}
