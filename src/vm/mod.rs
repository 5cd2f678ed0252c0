//! Talking to VMs. Outside `vm/multipass/` only the files `tests/it/layers.rs` lists name
//! Multipass.
//!
//! The rest of the code uses the [`VmBackend`] trait; [`Multipass`] (`multipass/`) and the
//! QEMU backend (`qemu/`) implement it, and [`Routing`] sends each VM's calls to its own
//! backend when a config mixes them (`crate::backend::open` decides). Every operation returns
//! typed data ([`VmInfo`], [`VmSummary`], [`ExecResult`]) and fails with a typed [`VmError`]
//! that converts into a [`crate::UserError`] with a hint.
//!
//! - [`types`]: states, `info`/`list` data, specs of launch, exec and transfer.
//! - [`routing`]: the backend made of backends; `testutil` (tests only): an in-memory one.
//! - [`error`]: typed errors, backend-neutral.
//! - [`host`]: what a backend needs on the host, as data: `doctor`'s checks and repairs,
//!   `prepare`'s install needs; each backend module has a `host` module providing them.
//! - [`multipass`]: everything Multipass: the driver, its stderr classifier, its JSON
//!   parsing, where its executable is, snap detection.

pub mod error;
pub mod host;
pub mod multipass;
pub mod qemu;
pub mod routing;
#[cfg(test)]
pub mod testutil;
pub mod types;

use std::path::Path;

pub use error::{Missing, Text, VmError};
pub use multipass::Multipass;
pub use routing::Routing;
pub use types::{
    BackendVersion, Capabilities, ExecOutput, ExecResult, ExecSpec, ExecStdin, ImageSpec,
    LaunchSpec, SshEndpoint, StopMode, TransferEnd, TransferSpec, Usage, VmInfo, VmMount, VmNotice,
    VmState, VmSummary, GUEST_HOME, GUEST_USER,
};

/// What agsekit needs from a VM backend. Each method is one backend call; none prints.
pub trait VmBackend: Send + Sync {
    /// The backend's name as the config spells it (`multipass`, `qemu`).
    fn name(&self) -> &'static str;

    /// The name of the backend of VM `vm`: [`VmBackend::name`] for a single backend; a
    /// [`Routing`] backend answers with that VM's own backend.
    fn name_of(&self, vm: &str) -> &'static str {
        let _ = vm;
        self.name()
    }

    /// What this backend can do, as data. Callers decide from these, never from the name.
    fn capabilities(&self) -> Capabilities;

    /// What the backend of VM `vm` can do. The same as [`VmBackend::capabilities`] for a
    /// single backend; a [`Routing`] backend answers with that VM's own backend.
    fn capabilities_of(&self, vm: &str) -> Capabilities {
        let _ = vm;
        self.capabilities()
    }

    /// Where `ssh` reaches the VM. The default asks `info` for the first IPv4 address and
    /// uses port 22 and [`GUEST_USER`] (how Multipass VMs are reached).
    fn ssh_endpoint(&self, name: &str) -> Result<SshEndpoint, VmError> {
        let info = self.info(name)?;
        if !info.state.is_running() {
            return Err(VmError::NotRunning {
                name: name.to_string(),
            });
        }
        let host = info
            .ipv4
            .first()
            .cloned()
            .ok_or_else(|| VmError::SshFailed {
                detail: crate::t!("misc.vm.no_address", vm = name),
            })?;
        Ok(SshEndpoint {
            host,
            port: 22,
            user: GUEST_USER.to_string(),
        })
    }

    /// Suspends a running VM (its memory kept, resumed by [`VmBackend::start`]). Only called
    /// when [`Capabilities::can_suspend`] is true.
    fn suspend(&self, name: &str) -> Result<(), VmError>;

    /// Every VM, cheaply (no resources). Order is the backend's.
    fn list(&self) -> Result<Vec<VmSummary>, VmError>;

    /// Details of one VM. A missing VM is [`VmError::InstanceMissing`]; a deleted one is
    /// returned with state [`VmState::Deleted`].
    fn info(&self, name: &str) -> Result<VmInfo, VmError>;

    /// Only the state of one VM (errors as [`VmBackend::info`]). Backends whose `info` asks
    /// the guest for its figures answer this without it.
    fn state(&self, name: &str) -> Result<VmState, VmError> {
        self.info(name).map(|i| i.state)
    }

    /// Details of every VM (deleted ones included), sorted by name.
    fn info_all(&self) -> Result<Vec<VmInfo>, VmError>;

    /// Creates and boots a VM.
    fn create(&self, spec: &LaunchSpec) -> Result<(), VmError>;

    /// Starts a stopped or suspended VM; a running one is left alone.
    fn start(&self, name: &str) -> Result<(), VmError>;

    /// Stops a VM; stopping a stopped one is not an error.
    fn stop(&self, name: &str, mode: StopMode) -> Result<(), VmError>;

    /// Reboots a running VM.
    fn restart(&self, name: &str) -> Result<(), VmError>;

    /// Deletes a VM; without `purge` it can still be recovered (Multipass: `multipass recover`).
    fn delete(&self, name: &str, purge: bool) -> Result<(), VmError>;

    /// Shares the host folder `source` at `target` in the VM. Works on stopped VMs too.
    fn mount(&self, source: &Path, vm: &str, target: &str) -> Result<(), VmError>;

    /// Removes the mount at `target`, or every mount of the VM when `target` is `None`.
    fn umount(&self, vm: &str, target: Option<&str>) -> Result<(), VmError>;

    /// Runs a command in the VM and returns its exit code (and output when captured). A
    /// command that ran and failed is `Ok` with a non-zero code; `Err` means it could not be
    /// run (VM missing, folder missing, backend down...). With inherited output the backend's
    /// own failures cannot be told apart from the command's: check the VM first. A suspended
    /// VM is resumed first (as [`VmBackend::start`] does), so a session finds it running.
    fn exec(&self, spec: &ExecSpec) -> Result<ExecResult, VmError>;

    /// Starts the command in the VM attached to this process's terminal and returns at once,
    /// so the caller can pass signals on while it waits. Backends that cannot do that run it
    /// to the end (the default) and return a finished child.
    fn exec_spawn(&self, spec: &ExecSpec) -> Result<crate::process::Child, VmError> {
        let result = self.exec(spec)?;
        Ok(crate::process::Child::finished(crate::process::Output {
            code: result.code,
            stdout: result.stdout,
            stderr: result.stderr,
        }))
    }

    /// Opens an interactive shell in the VM and returns its exit code.
    fn shell(&self, name: &str) -> Result<i32, VmError>;

    /// The backend's version.
    fn version(&self) -> Result<BackendVersion, VmError>;

    /// What the backend has to tell the user about the operations since the last call (a
    /// start that fell back to software emulation...), oldest first; each is returned once.
    /// The CLI shows them after `create`, `start`, `restart` and resume.
    fn take_notices(&self) -> Vec<VmNotice> {
        Vec::new()
    }
}
