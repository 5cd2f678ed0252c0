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
pub(crate) mod tests {
    use super::*;
    use crate::vm::{
        BackendVersion, Capabilities, ExecResult, ExecSpec, LaunchSpec, StopMode, VmError, VmInfo,
        VmSummary,
    };
    use std::path::Path;
    use std::sync::Mutex;

    /// One VM in a state the test sets, a backend that can or cannot suspend, and the calls.
    pub(crate) struct OneVm {
        pub state: Mutex<VmState>,
        pub can_suspend: bool,
        pub calls: Mutex<Vec<String>>,
    }

    impl OneVm {
        pub(crate) fn new(state: VmState, can_suspend: bool) -> OneVm {
            OneVm {
                state: Mutex::new(state),
                can_suspend,
                calls: Mutex::new(Vec::new()),
            }
        }
        fn log(&self, call: &str) {
            self.calls.lock().unwrap().push(call.to_string());
        }
        pub(crate) fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap().clone()
        }
        fn set(&self, s: VmState) {
            *self.state.lock().unwrap() = s;
        }
    }

    impl VmBackend for OneVm {
        fn name(&self) -> &'static str {
            "onevm"
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities {
                shares_any_path: false,
                can_suspend: self.can_suspend,
                mounts_on_stopped: false,
                host_owned_files: false,
            }
        }
        fn suspend(&self, _name: &str) -> Result<(), VmError> {
            self.log("suspend");
            self.set(VmState::Suspended);
            Ok(())
        }
        fn list(&self) -> Result<Vec<VmSummary>, VmError> {
            Ok(Vec::new())
        }
        fn info(&self, name: &str) -> Result<VmInfo, VmError> {
            Ok(VmInfo {
                name: name.to_string(),
                state: self.state.lock().unwrap().clone(),
                cpu_count: None,
                memory: None,
                disk: None,
                load: vec![],
                ipv4: vec![],
                release: None,
                image_release: None,
                image_hash: None,
                snapshot_count: None,
                mounts: vec![],
            })
        }
        fn info_all(&self) -> Result<Vec<VmInfo>, VmError> {
            Ok(vec![self.info("vm")?])
        }
        fn create(&self, _spec: &LaunchSpec) -> Result<(), VmError> {
            Ok(())
        }
        fn start(&self, _name: &str) -> Result<(), VmError> {
            self.log("start");
            self.set(VmState::Running);
            Ok(())
        }
        fn stop(&self, _name: &str, _mode: StopMode) -> Result<(), VmError> {
            self.log("stop");
            self.set(VmState::Stopped);
            Ok(())
        }
        fn restart(&self, _name: &str) -> Result<(), VmError> {
            Ok(())
        }
        fn delete(&self, _name: &str, _purge: bool) -> Result<(), VmError> {
            Ok(())
        }
        fn mount(&self, _source: &Path, _vm: &str, _target: &str) -> Result<(), VmError> {
            Ok(())
        }
        fn umount(&self, _vm: &str, _target: Option<&str>) -> Result<(), VmError> {
            Ok(())
        }
        fn exec(&self, _spec: &ExecSpec) -> Result<ExecResult, VmError> {
            Ok(ExecResult::default())
        }
        fn shell(&self, _name: &str) -> Result<i32, VmError> {
            Ok(0)
        }
        fn version(&self) -> Result<BackendVersion, VmError> {
            Ok(BackendVersion {
                client: "onevm".into(),
                daemon: None,
            })
        }
    }

    #[test]
    fn a_running_vm_is_suspended_and_resumed_through_start() {
        let b = OneVm::new(VmState::Running, true);
        assert_eq!(suspend_vm(&b, "vm").unwrap(), SuspendOutcome::Suspended);
        assert_eq!(*b.state.lock().unwrap(), VmState::Suspended);
        assert_eq!(
            suspend_vm(&b, "vm").unwrap(),
            SuspendOutcome::AlreadySuspended
        );
        assert_eq!(resume_vm(&b, "vm").unwrap(), ResumeOutcome::Resumed);
        assert_eq!(resume_vm(&b, "vm").unwrap(), ResumeOutcome::WasRunning);
        assert_eq!(b.calls(), ["suspend", "start"]);
    }

    #[test]
    fn a_stopped_vm_is_not_suspended_and_resume_boots_it() {
        let b = OneVm::new(VmState::Stopped, true);
        assert_eq!(suspend_vm(&b, "vm").unwrap(), SuspendOutcome::WasStopped);
        assert!(b.calls().is_empty());
        assert_eq!(resume_vm(&b, "vm").unwrap(), ResumeOutcome::Started);
        assert_eq!(b.calls(), ["start"]);
    }

    #[test]
    fn a_backend_that_cannot_suspend_says_so_and_points_at_stop_vm() {
        let b = OneVm::new(VmState::Running, false);
        let err = suspend_vm(&b, "dev").unwrap_err();
        let user = crate::error::find_user_error(&err).expect("a user error");
        assert!(user.message.contains("onevm"), "{}", user.message);
        assert!(user.message.contains("dev"), "{}", user.message);
        assert_eq!(user.hints, ["agsekit stop-vm dev"]);
        assert!(b.calls().is_empty(), "nothing was asked of the backend");
    }

    #[test]
    fn a_deleted_vm_is_an_error_for_both() {
        let b = OneVm::new(VmState::Deleted, true);
        assert!(suspend_vm(&b, "vm").is_err());
        assert!(resume_vm(&b, "vm").is_err());
        assert!(b.calls().is_empty());
    }
}
