//! The background daemon: one process (`agsekit daemon run`) that keeps port forwards up,
//! runs the backup loops of mounts with an active agent (or of all mounts), and stops idle
//! VMs and unmounts idle folders after configurable times. Shims and `run` never need it.
//!
//! - One instance: `<state dir>/daemon.pid` held with `flock` ([`crate::pidlock`]).
//! - `<state dir>/daemon.version` says which build runs ([`Identity`]): protocol version,
//!   agsekit version and the executable's modification time, so `daemon status` can tell a
//!   stale daemon after an upgrade and `daemon start` restarts it.
//! - [`service`] installs and drives it as a systemd user unit (Linux) or a launchd agent
//!   (macOS) ([`units`] renders them); without an installed unit it starts the process
//!   directly, detached.
//! - [`run`] is the daemon's loop.

pub mod run;
pub mod service;
pub mod units;

#[cfg(test)]
mod memory_tests;

use std::path::PathBuf;

use serde::Serialize;

use crate::config::state_dir;

/// Bumped when the daemon's files or behaviour change in a way an older daemon would get
/// wrong; a daemon with another protocol is restarted by `daemon start`.
pub const PROTOCOL: u32 = 1;

pub fn pid_path() -> PathBuf {
    state_dir().join("daemon.pid")
}

pub fn version_path() -> PathBuf {
    state_dir().join("daemon.version")
}

pub fn log_path() -> PathBuf {
    state_dir().join("daemon.log")
}

/// Which build a daemon runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub protocol: u32,
    pub version: String,
    /// Modification time (seconds) of the executable when it started; changes on upgrade.
    pub exe_mtime: u64,
}

impl Identity {
    /// This build.
    pub fn current() -> Identity {
        let exe_mtime = std::env::current_exe()
            .and_then(std::fs::metadata)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Identity {
            protocol: PROTOCOL,
            version: crate::VERSION.to_string(),
            exe_mtime,
        }
    }

    /// `agsekit-daemon PROTOCOL VERSION EXE_MTIME`.
    pub fn render(&self) -> String {
        format!(
            "agsekit-daemon {} {} {}\n",
            self.protocol, self.version, self.exe_mtime
        )
    }

    pub fn parse(text: &str) -> Option<Identity> {
        let mut words = text.split_whitespace();
        if words.next()? != "agsekit-daemon" {
            return None;
        }
        Some(Identity {
            protocol: words.next()?.parse().ok()?,
            version: words.next()?.to_string(),
            exe_mtime: words.next().and_then(|w| w.parse().ok()).unwrap_or(0),
        })
    }
}

/// What the host says about the daemon process (not the service manager).
#[derive(Debug, Clone, Serialize)]
pub struct DaemonProbe {
    pub running: bool,
    pub pid: Option<u32>,
    /// The running daemon's agsekit version.
    pub version: Option<String>,
    pub protocol: Option<u32>,
    /// It runs another build than this one: restart it.
    pub version_mismatch: bool,
    /// A systemd unit or launchd agent is installed.
    pub installed: bool,
    pub unit_path: String,
}

/// Looks at the pidfile and the version file.
pub fn probe() -> DaemonProbe {
    let running = crate::pidlock::is_held(&pid_path());
    let pid = if running {
        crate::pidlock::read_pid(&pid_path())
    } else {
        None
    };
    let identity = std::fs::read_to_string(version_path())
        .ok()
        .and_then(|t| Identity::parse(&t));
    let version_mismatch = running
        && match &identity {
            Some(id) => *id != Identity::current(),
            None => true,
        };
    let unit = service::unit_path();
    DaemonProbe {
        running,
        pid,
        version: identity.as_ref().map(|i| i.version.clone()),
        protocol: identity.as_ref().map(|i| i.protocol),
        version_mismatch,
        installed: unit.is_file(),
        unit_path: unit.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_round_trips_and_rejects_other_text() {
        let id = Identity {
            protocol: 1,
            version: "2.0.0".into(),
            exe_mtime: 42,
        };
        assert_eq!(Identity::parse(&id.render()), Some(id));
        assert_eq!(Identity::parse("something else"), None);
        assert_eq!(Identity::parse("agsekit-daemon x 2.0.0 1"), None);
    }
}
