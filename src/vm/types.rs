//! The data the VM backends speak: states, what `info` and `list` report, and the specs of
//! the operations that take more than a name.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

/// The state of a VM as the backend reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmState {
    Running,
    Stopped,
    Suspended,
    Starting,
    Restarting,
    Suspending,
    /// Shutting down after a delay (`multipass stop -t MINUTES`).
    DelayedShutdown,
    /// Deleted but not purged: it can be recovered, it cannot run.
    Deleted,
    /// Multipass main (1.17 development line) reports this when the zone is down.
    Unavailable,
    /// Anything else, including Multipass's own `Unknown`, kept as the backend spelled it.
    Unknown(String),
}

impl VmState {
    /// Parses the backend's spelling (`"Running"`, `"Delayed Shutdown"`, ...). Never fails:
    /// text it does not know becomes [`VmState::Unknown`].
    pub fn parse(text: &str) -> VmState {
        match text.trim() {
            "Running" => VmState::Running,
            "Stopped" => VmState::Stopped,
            "Suspended" => VmState::Suspended,
            "Starting" => VmState::Starting,
            "Restarting" => VmState::Restarting,
            "Suspending" => VmState::Suspending,
            "Delayed Shutdown" => VmState::DelayedShutdown,
            "Deleted" => VmState::Deleted,
            "Unavailable" => VmState::Unavailable,
            other => VmState::Unknown(other.to_string()),
        }
    }

    /// True when commands can run in the VM right now.
    pub fn is_running(&self) -> bool {
        matches!(self, VmState::Running | VmState::DelayedShutdown)
    }

    /// True when the VM is down and can be started (stopped or suspended).
    pub fn is_startable(&self) -> bool {
        matches!(self, VmState::Stopped | VmState::Suspended)
    }

    /// The backend's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            VmState::Running => "Running",
            VmState::Stopped => "Stopped",
            VmState::Suspended => "Suspended",
            VmState::Starting => "Starting",
            VmState::Restarting => "Restarting",
            VmState::Suspending => "Suspending",
            VmState::DelayedShutdown => "Delayed Shutdown",
            VmState::Deleted => "Deleted",
            VmState::Unavailable => "Unavailable",
            VmState::Unknown(text) => text,
        }
    }
}

impl fmt::Display for VmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `list`: cheap to get, no resources.
#[derive(Debug, Clone, PartialEq)]
pub struct VmSummary {
    pub name: String,
    pub state: VmState,
    /// Addresses; empty unless running. Placeholders such as `N/A` are left out.
    pub ipv4: Vec<String>,
    /// For example `Ubuntu 24.04 LTS`; `None` when the backend does not know.
    pub release: Option<String>,
}

/// Used and total bytes of memory or disk, as the guest sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub used: Option<u64>,
    pub total: Option<u64>,
}

/// A folder of the host shared into the VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmMount {
    /// Where it appears in the VM, as given when mounting (it may be relative to the home).
    pub target: String,
    /// The host folder.
    pub source: PathBuf,
}

/// What `info` says about one VM. Runtime fields are `None` or empty when it is not running.
#[derive(Debug, Clone, PartialEq)]
pub struct VmInfo {
    pub name: String,
    pub state: VmState,
    pub cpu_count: Option<u32>,
    pub memory: Option<Usage>,
    pub disk: Option<Usage>,
    pub load: Vec<f64>,
    /// Addresses, the management address first. `N/A` and empty strings are left out.
    pub ipv4: Vec<String>,
    /// The running OS, for example `Ubuntu 24.04.3 LTS`.
    pub release: Option<String>,
    /// The image it was made from, for example `24.04 LTS`.
    pub image_release: Option<String>,
    pub image_hash: Option<String>,
    pub snapshot_count: Option<u32>,
    /// Mounts, sorted by target. Listed even when the VM is stopped.
    pub mounts: Vec<VmMount>,
}

impl VmInfo {
    /// The mount at this target, if any.
    pub fn mount_at(&self, target: &str) -> Option<&VmMount> {
        self.mounts.iter().find(|m| m.target == target)
    }
}

/// The user agsekit works as in every VM, whatever the backend, and that user's home (kept
/// in the foundation module `guest`, which `config` may import too).
pub use crate::guest::{GUEST_HOME, GUEST_USER};

/// What a backend can do. Decisions about mounts, suspend and ownership read these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Any host folder can be shared (hidden ones, outside `/home`, on other disks). False for
    /// the Multipass snap, which reaches only non-hidden folders under `/home`.
    pub shares_any_path: bool,
    /// [`crate::vm::VmBackend::suspend`] works, and `start` resumes.
    pub can_suspend: bool,
    /// Mounts can be added and removed while the VM is stopped (kept for its next start).
    pub mounts_on_stopped: bool,
    /// Files created in a mount from inside the VM belong to the host user on the host.
    pub host_owned_files: bool,
}

/// How `ssh` reaches a VM: `ssh -p PORT USER@HOST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshEndpoint {
    pub host: String,
    pub port: u16,
    pub user: String,
}

impl SshEndpoint {
    /// `USER@HOST`, the destination word of an ssh command line.
    pub fn destination(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }

    /// `-p PORT` when the port is not ssh's default 22, else nothing (so command lines for
    /// port 22 read as they always did).
    pub fn port_args(&self) -> Vec<String> {
        if self.port == 22 {
            Vec::new()
        } else {
            vec!["-p".to_string(), self.port.to_string()]
        }
    }

    /// The host as `known_hosts` records it: `HOST` on port 22, `[HOST]:PORT` otherwise.
    pub fn known_hosts_name(&self) -> String {
        if self.port == 22 {
            self.host.clone()
        } else {
            format!("[{}]:{}", self.host, self.port)
        }
    }
}

/// What a VM boots from, as the config's `image:` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSpec {
    /// One word: a backend alias (`24.04`, `noble`), a URL or a local path of a bootable disk.
    Named(String),
    /// A disk booted directly with its kernel (`{disk, kernel, initrd, cmdline}`).
    Kernel {
        disk: PathBuf,
        kernel: PathBuf,
        initrd: Option<PathBuf>,
        cmdline: Option<String>,
    },
}

/// What to create. Sizes are passed through as written in the config (`4G`, `20G`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchSpec {
    pub name: String,
    pub cpus: u32,
    pub memory: String,
    pub disk: String,
    /// What to boot; `None` means the backend's default (an Ubuntu LTS).
    pub image: Option<ImageSpec>,
    /// cloud-init user data (YAML), sent on stdin so a confined backend need not read a file.
    pub cloud_init: Option<String>,
    /// Seconds to wait for the launch before giving up (exit code 5 from Multipass).
    pub timeout_secs: Option<u32>,
}

/// Something a backend has to tell the user about an operation that still succeeded, as
/// data (backends never print): the CLI asks for them with
/// [`crate::vm::VmBackend::take_notices`] and shows [`VmNotice::message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmNotice {
    /// Hardware acceleration (KVM) did not work; the VM runs under software emulation (TCG),
    /// much slower. `detail` is what QEMU said, or why it counted as not working.
    AccelFallback { detail: String },
}

impl VmNotice {
    /// The notice in the user's language, as one warning line.
    pub fn message(&self) -> String {
        match self {
            VmNotice::AccelFallback { detail } => crate::t!("qemu.kvm_fallback", detail = detail),
        }
    }
}

/// How `stop` stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopMode {
    /// Ask the guest to shut down.
    Graceful,
    /// Power off at once.
    Force,
}

/// Where the standard input of a command in the VM comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecStdin {
    /// Nothing: end of file at once. The safe default when nobody types.
    Null,
    /// This process's stdin (a terminal, a pipe).
    Inherit,
    /// These bytes, then end of file.
    Bytes(Vec<u8>),
}

/// Where the output of a command in the VM goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecOutput {
    /// Collected and returned.
    Capture,
    /// Straight to this process's stdout and stderr.
    Inherit,
}

/// A command to run in a VM. Arguments travel as separate words, byte for byte: nothing here
/// joins them into a shell line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecSpec {
    pub vm: String,
    /// The directory in the VM to run in. Always passed, so the backend never guesses it
    /// from the host's current directory.
    pub workdir: String,
    /// Program and arguments; must not be empty.
    pub argv: Vec<OsString>,
    pub stdin: ExecStdin,
    pub output: ExecOutput,
}

impl ExecSpec {
    /// A command whose output is captured and whose stdin is empty.
    pub fn capture<I, S>(vm: &str, workdir: &str, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        ExecSpec {
            vm: vm.to_string(),
            workdir: workdir.to_string(),
            argv: argv.into_iter().map(Into::into).collect(),
            stdin: ExecStdin::Null,
            output: ExecOutput::Capture,
        }
    }

    /// A command attached to this process's stdin, stdout and stderr.
    pub fn interactive<I, S>(vm: &str, workdir: &str, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        ExecSpec {
            stdin: ExecStdin::Inherit,
            output: ExecOutput::Inherit,
            ..Self::capture(vm, workdir, argv)
        }
    }

    pub fn with_stdin(mut self, stdin: ExecStdin) -> Self {
        self.stdin = stdin;
        self
    }
}

/// What a command in the VM left behind. With [`ExecOutput::Inherit`] the output went to the
/// terminal and `stdout`/`stderr` are empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecResult {
    /// The command's exit code as the backend reports it (for agents started through the
    /// VM-side launcher, see `crate::launcher::code` and docs/launcher.md).
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl ExecResult {
    pub fn success(&self) -> bool {
        self.code == 0
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// One end of a file transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferEnd {
    /// A path on the host.
    Host(PathBuf),
    /// A path in a VM; a relative path is relative to the VM user's home.
    Vm { vm: String, path: String },
}

/// A file transfer between the host and a VM (one side must be a VM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferSpec {
    pub from: TransferEnd,
    pub to: TransferEnd,
    /// Copy folders with their contents.
    pub recursive: bool,
    /// Create missing parent folders at the destination.
    pub parents: bool,
}

/// Versions of the backend's client and, when it answered, its daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendVersion {
    pub client: String,
    pub daemon: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_multipass_state_parses_and_prints_back() {
        for text in [
            "Running",
            "Stopped",
            "Suspended",
            "Starting",
            "Restarting",
            "Suspending",
            "Delayed Shutdown",
            "Deleted",
            "Unavailable",
            "Unknown",
        ] {
            let state = VmState::parse(text);
            assert_eq!(state.as_str(), text);
            assert_eq!(state.to_string(), text);
        }
        assert_eq!(
            VmState::parse("Unknown"),
            VmState::Unknown("Unknown".into())
        );
        assert_eq!(
            VmState::parse("Hibernating"),
            VmState::Unknown("Hibernating".into())
        );
        assert_eq!(VmState::parse("Delayed Shutdown"), VmState::DelayedShutdown);
    }

    #[test]
    fn running_and_startable_states() {
        assert!(VmState::Running.is_running());
        assert!(VmState::DelayedShutdown.is_running());
        assert!(!VmState::Stopped.is_running());
        assert!(VmState::Stopped.is_startable());
        assert!(VmState::Suspended.is_startable());
        assert!(!VmState::Deleted.is_startable());
        assert!(!VmState::Unknown("x".into()).is_startable());
    }
}
