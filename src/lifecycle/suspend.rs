//! Suspending and resuming VMs (`suspend-vm`, `resume-vm`): the VM's memory is kept, so a
//! resume takes seconds where a boot takes a minute under emulation. Backend-neutral: a
//! backend says whether it can ([`crate::vm::Capabilities::can_suspend`]); resuming is the
//! backend's `start`, which resumes a suspended VM and boots a stopped one.

use crate::error::UserError;
use crate::t;
use crate::vm::{VmBackend, VmState};

use super::vm_err;

/// How a suspend ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuspendOutcome {
    Suspended,
    /// It was suspended already: nothing done.
    AlreadySuspended,
    /// It was stopped: nothing to suspend, nothing done.
    WasStopped,
}

/// How a resume ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeOutcome {
    /// It was suspended and runs again.
    Resumed,
    /// It was stopped and was booted.
    Started,
    /// It was running already: nothing done.
    WasRunning,
}

fn deleted(name: &str) -> anyhow::Error {
    UserError::vm(t!("suspend.deleted", name = name))
        .hint(format!("agsekit create-vm {name}"))
        .into()
}

/// Suspends a running VM. A backend that cannot suspend is an error that says so and points
/// at `stop-vm`; a stopped or suspended VM is left alone.
pub fn suspend_vm(backend: &dyn VmBackend, name: &str) -> anyhow::Result<SuspendOutcome> {
    let state = backend.state(name).map_err(vm_err)?;
    suspend_in_state(backend, name, state)
}

/// [`suspend_vm`] for a VM whose state the caller has just read (`suspend-vm` reads it once
/// to look for running agents first).
pub fn suspend_in_state(
    backend: &dyn VmBackend,
    name: &str,
    state: VmState,
) -> anyhow::Result<SuspendOutcome> {
    match state {
        VmState::Suspended => return Ok(SuspendOutcome::AlreadySuspended),
        VmState::Stopped => return Ok(SuspendOutcome::WasStopped),
        VmState::Deleted => return Err(deleted(name)),
        _ => {}
    }
    if !backend.capabilities_of(name).can_suspend {
        return Err(UserError::vm(t!(
            "suspend.unsupported",
            name = name,
            backend = backend.name_of(name)
        ))
        .hint(format!("agsekit stop-vm {name}"))
        .into());
    }
    backend.suspend(name).map_err(vm_err)?;
    Ok(SuspendOutcome::Suspended)
}

/// Resumes a suspended VM (a stopped one is started, a running one left alone).
pub fn resume_vm(backend: &dyn VmBackend, name: &str) -> anyhow::Result<ResumeOutcome> {
    let state = backend.state(name).map_err(vm_err)?;
    let outcome = match state {
        VmState::Deleted => return Err(deleted(name)),
        s if s.is_running() => return Ok(ResumeOutcome::WasRunning),
        VmState::Suspended | VmState::Suspending => ResumeOutcome::Resumed,
        _ => ResumeOutcome::Started,
    };
    backend.start(name).map_err(vm_err)?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::testutil::Memory;

    /// A backend called `mem` with VM `vm` in `state`.
    fn one_vm(state: VmState) -> Memory {
        Memory::new("mem").with_vm("vm", state)
    }

    #[test]
    fn a_running_vm_is_suspended_and_resumed_through_start() {
        let b = one_vm(VmState::Running);
        assert_eq!(suspend_vm(&b, "vm").unwrap(), SuspendOutcome::Suspended);
        assert_eq!(b.state_of("vm"), Some(VmState::Suspended));
        assert_eq!(
            suspend_vm(&b, "vm").unwrap(),
            SuspendOutcome::AlreadySuspended
        );
        assert_eq!(resume_vm(&b, "vm").unwrap(), ResumeOutcome::Resumed);
        assert_eq!(resume_vm(&b, "vm").unwrap(), ResumeOutcome::WasRunning);
        assert_eq!(b.changes(), ["suspend vm", "start vm"]);
    }

    #[test]
    fn a_stopped_vm_is_not_suspended_and_resume_boots_it() {
        let b = one_vm(VmState::Stopped);
        assert_eq!(suspend_vm(&b, "vm").unwrap(), SuspendOutcome::WasStopped);
        assert!(b.changes().is_empty());
        assert_eq!(resume_vm(&b, "vm").unwrap(), ResumeOutcome::Started);
        assert_eq!(b.changes(), ["start vm"]);
    }

    #[test]
    fn a_backend_that_cannot_suspend_says_so_and_points_at_stop_vm() {
        let b = Memory::new("mem")
            .with_vm("dev", VmState::Running)
            .without_suspend();
        let err = suspend_vm(&b, "dev").unwrap_err();
        let user = crate::error::find_user_error(&err).expect("a user error");
        assert!(user.message.contains("mem"), "{}", user.message);
        assert!(user.message.contains("dev"), "{}", user.message);
        assert_eq!(user.hints, ["agsekit stop-vm dev"]);
        assert!(b.changes().is_empty(), "nothing was asked of the backend");
    }

    #[test]
    fn a_deleted_vm_is_an_error_for_both() {
        let b = one_vm(VmState::Deleted);
        assert!(suspend_vm(&b, "vm").is_err());
        assert!(resume_vm(&b, "vm").is_err());
        assert!(b.changes().is_empty());
    }
}
