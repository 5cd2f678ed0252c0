//! Installing and driving the daemon: a systemd user unit on Linux, a launchd agent on macOS
//! (every `systemctl`/`launchctl` call goes through the [`Runner`]). Without an installed
//! unit, `start` runs `agsekit daemon run` directly, detached, logging to
//! `<state dir>/daemon.log`, and `stop` signals it, so the daemon also works where no user
//! service manager runs (containers, WSL, CI).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::units;
use crate::process::{Cmd, Runner, Sink, SpawnIo};
use crate::{t, ErrorKind, UserError};

/// The service manager of this platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Systemd,
    Launchd,
}

pub fn platform() -> Platform {
    if cfg!(target_os = "macos") {
        Platform::Launchd
    } else {
        Platform::Systemd
    }
}

fn config_home() -> PathBuf {
    match std::env::var_os("XDG_CONFIG_HOME") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => crate::config::home_dir().join(".config"),
    }
}

/// Where the unit (or plist) is written.
pub fn unit_path() -> PathBuf {
    unit_path_for(platform())
}

pub fn unit_path_for(p: Platform) -> PathBuf {
    match p {
        Platform::Systemd => config_home().join("systemd/user").join(units::SYSTEMD_UNIT),
        Platform::Launchd => crate::config::home_dir()
            .join("Library/LaunchAgents")
            .join(format!("{}.plist", units::LAUNCHD_LABEL)),
    }
}

fn legacy_unit_path(p: Platform) -> PathBuf {
    match p {
        Platform::Systemd => config_home()
            .join("systemd/user")
            .join(units::LEGACY_SYSTEMD_UNIT),
        Platform::Launchd => crate::config::home_dir()
            .join("Library/LaunchAgents")
            .join(format!("{}.plist", units::LEGACY_LAUNCHD_LABEL)),
    }
}

fn launchd_logs() -> PathBuf {
    crate::config::home_dir().join("Library/Logs/agsekit")
}

fn gui_domain() -> String {
    format!("gui/{}", nix::unistd::getuid())
}

/// Drives the daemon through a service manager (or directly).
pub struct Service<'a> {
    pub runner: &'a dyn Runner,
    pub platform: Platform,
    /// The agsekit executable the service runs.
    pub agsekit: PathBuf,
}

/// Creates the folder `path` goes in, if it is missing.
fn create_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            anyhow::anyhow!(t!(
                "misc.io.cannot_create",
                path = parent.display(),
                error = e
            ))
        })?;
    }
    Ok(())
}

fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    create_parent(path)?;
    crate::statefile::replace(path, text.as_bytes())
        .map_err(|e| anyhow::anyhow!(t!("misc.io.cannot_write", path = path.display(), error = e)))
}

impl Service<'_> {
    fn manager(&self, args: &[&str]) -> Cmd {
        match self.platform {
            Platform::Systemd => Cmd::new("systemctl").arg("--user").args(args),
            Platform::Launchd => Cmd::new("launchctl").args(args),
        }
    }

    /// Runs a manager command; a failure is an error naming it, with a way out.
    fn must(&self, args: &[&str]) -> anyhow::Result<()> {
        let cmd = self.manager(args);
        let out = self.runner.capture(&cmd).map_err(|e| {
            UserError::new(ErrorKind::Failed, e.to_string()).hint(t!("misc.daemon.no_manager_hint"))
        })?;
        if out.success() {
            return Ok(());
        }
        Err(UserError::new(
            ErrorKind::Failed,
            t!(
                "misc.daemon.manager_failed",
                command = cmd,
                code = out.code,
                stderr = out.stderr_text().trim()
            ),
        )
        .hint(match self.platform {
            Platform::Systemd => t!("misc.daemon.systemd_hint"),
            Platform::Launchd => t!("misc.daemon.launchd_hint"),
        })
        .into())
    }

    /// Runs a manager command whose failure does not matter (returns whether it worked).
    fn best_effort(&self, args: &[&str]) -> bool {
        self.runner
            .capture(&self.manager(args))
            .map(|o| o.success())
            .unwrap_or(false)
    }

    pub fn installed(&self) -> bool {
        unit_path_for(self.platform).is_file()
    }

    /// Writes the unit, replaces 1.7.4's, and starts it. Returns what was done.
    pub fn install(&self, config: &Path) -> anyhow::Result<Vec<String>> {
        let mut done = Vec::new();
        let path = unit_path_for(self.platform);
        let legacy = legacy_unit_path(self.platform);
        if super::probe().running && !self.installed() {
            stop_direct()?;
            done.push(t!("misc.daemon.stopped_direct"));
        }
        match self.platform {
            Platform::Systemd => {
                if std::fs::symlink_metadata(&legacy).is_ok() {
                    self.best_effort(&["disable", "--now", units::LEGACY_SYSTEMD_UNIT]);
                    let _ = std::fs::remove_file(&legacy);
                    done.push(t!(
                        "misc.daemon.removed_legacy_unit",
                        unit = units::LEGACY_SYSTEMD_UNIT
                    ));
                }
                write_atomic(&path, &units::systemd_unit(&self.agsekit, config))?;
                done.push(t!("misc.daemon.wrote", path = path.display()));
                self.must(&["daemon-reload"])?;
                self.must(&["enable", units::SYSTEMD_UNIT])?;
                self.must(&["restart", units::SYSTEMD_UNIT])?;
                done.push(t!(
                    "misc.daemon.enabled_started",
                    unit = units::SYSTEMD_UNIT
                ));
            }
            Platform::Launchd => {
                let domain = gui_domain();
                if legacy.is_file() {
                    self.best_effort(&["bootout", &domain, &legacy.to_string_lossy()]);
                    let _ = std::fs::remove_file(&legacy);
                    done.push(t!(
                        "misc.daemon.removed_legacy_agent",
                        label = units::LEGACY_LAUNCHD_LABEL
                    ));
                }
                let _ = std::fs::create_dir_all(launchd_logs());
                write_atomic(
                    &path,
                    &units::launchd_plist(&self.agsekit, config, &launchd_logs()),
                )?;
                done.push(t!("misc.daemon.wrote", path = path.display()));
                let plist = path.to_string_lossy().into_owned();
                self.best_effort(&["bootout", &domain, &plist]);
                self.must(&["bootstrap", &domain, &plist])?;
                let target = format!("{domain}/{}", units::LAUNCHD_LABEL);
                self.must(&["enable", &target])?;
                self.must(&["kickstart", "-k", &target])?;
                done.push(t!(
                    "misc.daemon.loaded_started",
                    label = units::LAUNCHD_LABEL
                ));
            }
        }
        Ok(done)
    }

    /// Stops and removes the unit (and a directly started daemon).
    pub fn uninstall(&self) -> anyhow::Result<Vec<String>> {
        let mut done = Vec::new();
        let path = unit_path_for(self.platform);
        if path.is_file() {
            match self.platform {
                Platform::Systemd => {
                    self.best_effort(&["disable", "--now", units::SYSTEMD_UNIT]);
                }
                Platform::Launchd => {
                    self.best_effort(&["bootout", &gui_domain(), &path.to_string_lossy()]);
                }
            }
            std::fs::remove_file(&path).map_err(|e| {
                anyhow::anyhow!(t!(
                    "misc.io.cannot_remove",
                    path = path.display(),
                    error = e
                ))
            })?;
            if self.platform == Platform::Systemd {
                self.best_effort(&["daemon-reload"]);
            }
            done.push(t!("misc.daemon.removed", path = path.display()));
        }
        if super::probe().running {
            stop_direct()?;
            done.push(t!("misc.daemon.stopped"));
        }
        if done.is_empty() {
            done.push(t!("misc.daemon.not_installed"));
        }
        Ok(done)
    }

    /// Starts the daemon; a running daemon of another build is restarted.
    pub fn start(&self, config: &Path) -> anyhow::Result<Vec<String>> {
        let mut done = Vec::new();
        let probe = super::probe();
        if probe.running && !probe.version_mismatch {
            done.push(t!(
                "misc.daemon.already_running",
                pid = probe
                    .pid
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "?".into())
            ));
            return Ok(done);
        }
        if probe.running {
            done.push(t!(
                "misc.daemon.other_build",
                version = probe
                    .version
                    .clone()
                    .unwrap_or_else(|| t!("misc.daemon.unknown_version"))
            ));
            if self.installed() {
                return self.restart(config).map(|mut d| {
                    done.append(&mut d);
                    done
                });
            }
            stop_direct()?;
        }
        if self.installed() {
            match self.platform {
                Platform::Systemd => self.must(&["start", units::SYSTEMD_UNIT])?,
                Platform::Launchd => {
                    let target = format!("{}/{}", gui_domain(), units::LAUNCHD_LABEL);
                    if !self.best_effort(&["print", &target]) {
                        let plist = unit_path_for(self.platform).to_string_lossy().into_owned();
                        self.must(&["bootstrap", &gui_domain(), &plist])?;
                        self.must(&["enable", &target])?;
                    }
                    self.must(&["kickstart", &target])?;
                }
            }
            done.push(t!("misc.daemon.started_service"));
        } else {
            let pid = start_direct(self.runner, &self.agsekit, config)?;
            done.push(t!(
                "misc.daemon.started_direct",
                pid = pid,
                log = super::log_path().display()
            ));
        }
        Ok(done)
    }

    pub fn stop(&self) -> anyhow::Result<Vec<String>> {
        let mut done = Vec::new();
        if self.installed() {
            match self.platform {
                Platform::Systemd => self.must(&["stop", units::SYSTEMD_UNIT])?,
                Platform::Launchd => {
                    let plist = unit_path_for(self.platform).to_string_lossy().into_owned();
                    self.best_effort(&["bootout", &gui_domain(), &plist]);
                }
            }
            done.push(t!("misc.daemon.stopped_service"));
        }
        if super::probe().running {
            stop_direct()?;
            done.push(t!("misc.daemon.stopped"));
        }
        if done.is_empty() {
            done.push(t!("misc.daemon.not_running"));
        }
        Ok(done)
    }

    pub fn restart(&self, config: &Path) -> anyhow::Result<Vec<String>> {
        if self.installed() {
            match self.platform {
                Platform::Systemd => self.must(&["restart", units::SYSTEMD_UNIT])?,
                Platform::Launchd => {
                    let target = format!("{}/{}", gui_domain(), units::LAUNCHD_LABEL);
                    self.must(&["kickstart", "-k", &target])?;
                }
            }
            return Ok(vec![t!("misc.daemon.restarted_service")]);
        }
        let mut done = Vec::new();
        if super::probe().running {
            stop_direct()?;
            done.push(t!("misc.daemon.stopped"));
        }
        done.extend(self.start(config)?);
        Ok(done)
    }

    /// The service manager's own view (`is-active`, `is-enabled` / `print`), when installed.
    pub fn manager_state(&self) -> Vec<(String, String)> {
        if !self.installed() {
            return Vec::new();
        }
        let ask = |args: &[&str]| -> String {
            match self.runner.capture(&self.manager(args)) {
                Ok(o) => {
                    let text = o.stdout_text();
                    let first = text.lines().next().unwrap_or("").trim().to_string();
                    if first.is_empty() {
                        t!("misc.daemon.state_unknown_exit", code = o.code)
                    } else {
                        first
                    }
                }
                Err(e) => t!("misc.daemon.state_unknown", error = e),
            }
        };
        match self.platform {
            Platform::Systemd => vec![
                ("active".into(), ask(&["is-active", units::SYSTEMD_UNIT])),
                ("enabled".into(), ask(&["is-enabled", units::SYSTEMD_UNIT])),
            ],
            Platform::Launchd => {
                let target = format!("{}/{}", gui_domain(), units::LAUNCHD_LABEL);
                let loaded = self.best_effort(&["print", &target]);
                let answer = if loaded {
                    t!("status.yes")
                } else {
                    t!("status.no")
                };
                vec![("loaded".into(), answer)]
            }
        }
    }
}

/// Starts `agsekit daemon run` detached and waits until it holds its lock. Returns its PID.
pub fn start_direct(runner: &dyn Runner, agsekit: &Path, config: &Path) -> anyhow::Result<u32> {
    let log = super::log_path();
    create_parent(&log)?;
    let cmd = Cmd::new(agsekit)
        .args(["daemon", "run", "--config"])
        .arg(config)
        .stdin_bytes(Vec::new());
    let io = SpawnIo {
        stdout: Sink::Append(log.clone()),
        stderr: Sink::Append(log.clone()),
    };
    let mut child = runner.spawn(&cmd, io).map_err(|e| anyhow::anyhow!("{e}"))?;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if crate::pidlock::is_held(&super::pid_path()) {
            if let Some(pid) = crate::pidlock::read_pid(&super::pid_path()) {
                return Ok(pid);
            }
        }
        if let Ok(Some(code)) = child.try_wait() {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let last = tail
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return Err(UserError::new(
                ErrorKind::Failed,
                t!("misc.daemon.exited", code = code, last = last),
            )
            .hint(t!("misc.daemon.see_log", path = log.display()))
            .into());
        }
        if Instant::now() >= deadline {
            return Err(
                UserError::new(ErrorKind::Failed, t!("misc.daemon.start_timeout"))
                    .hint(t!("misc.daemon.see_log", path = log.display()))
                    .into(),
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Stops the daemon that holds the pidfile: SIGTERM, up to 15 s, then SIGKILL.
pub fn stop_direct() -> anyhow::Result<()> {
    let path = super::pid_path();
    let Some(pid) = crate::pidlock::read_pid(&path) else {
        return Ok(());
    };
    if !crate::pidlock::is_held(&path) {
        return Ok(());
    }
    let target = nix::unistd::Pid::from_raw(pid as i32);
    let _ = nix::sys::signal::kill(target, nix::sys::signal::Signal::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(15);
    while crate::pidlock::is_held(&path) {
        if Instant::now() >= deadline {
            let _ = nix::sys::signal::kill(target, nix::sys::signal::Signal::SIGKILL);
            std::thread::sleep(Duration::from_millis(200));
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{FakeRunner, Output};

    #[test]
    fn systemd_calls_go_through_the_runner_with_user_flag() {
        let runner = FakeRunner::always_ok();
        let svc = Service {
            runner: &runner,
            platform: Platform::Systemd,
            agsekit: "/usr/bin/agsekit".into(),
        };
        svc.must(&["daemon-reload"]).expect("ok");
        assert_eq!(
            runner.argvs(),
            vec![vec!["systemctl", "--user", "daemon-reload"]]
        );
    }

    #[test]
    fn a_failing_manager_call_is_an_error_with_a_way_out() {
        let runner = FakeRunner::new(|_| Ok(Output::failed(1, "Failed to connect to bus")));
        let svc = Service {
            runner: &runner,
            platform: Platform::Systemd,
            agsekit: "/usr/bin/agsekit".into(),
        };
        let err = svc
            .must(&["start", units::SYSTEMD_UNIT])
            .expect_err("fails");
        let text = format!("{err:#}");
        assert!(text.contains("Failed to connect to bus"), "{text}");
    }
}
