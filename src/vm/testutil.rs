//! Test doubles of the VM layer: an in-memory backend (no CLI text, no fake program), for unit
//! tests of code that takes a `&dyn VmBackend` (session, daemon, stop, status, routing).

use std::path::Path;
use std::sync::Mutex;

use super::{
    BackendVersion, Capabilities, ExecResult, ExecSpec, LaunchSpec, SshEndpoint, StopMode,
    VmBackend, VmError, VmInfo, VmMount, VmState, VmSummary, GUEST_USER,
};

/// One VM as the in-memory backend keeps it.
#[derive(Debug, Clone)]
struct Vm {
    state: VmState,
    mounts: Vec<VmMount>,
}

/// An in-memory backend: VMs with a state and mounts that the calls change as a backend
/// would (start runs a stopped or suspended VM, stop stops it, mount/umount add and remove),
/// and a log of the calls it got (`start dev`, `stop dev graceful`, `umount dev /t`...).
///
/// Capabilities depend on its name (`b` shares any path, `a` mounts on stopped VMs) so tests
/// can tell backends apart; `exec` answers with [`Memory::answer_exec`]'s text, or the
/// backend's name, on stdout.
pub struct Memory {
    name: &'static str,
    port: u16,
    /// In the order they were added (`list` answers in it, as a backend answers in its own).
    vms: Mutex<Vec<(String, Vm)>>,
    calls: Mutex<Vec<String>>,
    /// A graceful stop is acknowledged but the VM keeps running (a guest that ignores it).
    ignores_graceful_stop: bool,
    exec_stdout: Option<String>,
    /// Every listing and lookup fails with this (the backend is missing or down).
    down: Option<VmError>,
    /// What `capabilities().can_suspend` says.
    can_suspend: bool,
}

impl Memory {
    /// A backend without VMs.
    pub fn new(name: &'static str) -> Memory {
        Memory {
            name,
            port: 22,
            vms: Mutex::new(Vec::new()),
            calls: Mutex::new(Vec::new()),
            ignores_graceful_stop: false,
            exec_stdout: None,
            down: None,
            can_suspend: true,
        }
    }

    /// Running VMs `vms`, reached by SSH on `port`.
    pub fn boxed(name: &'static str, vms: &[&'static str], port: u16) -> Box<dyn VmBackend> {
        let mut memory = Memory::new(name);
        memory.port = port;
        for vm in vms {
            memory = memory.with_vm(vm, VmState::Running);
        }
        Box::new(memory)
    }

    /// Adds VM `name` in `state`.
    pub fn with_vm(self, name: &str, state: VmState) -> Memory {
        self.vms.lock().unwrap().push((
            name.to_string(),
            Vm {
                state,
                mounts: Vec::new(),
            },
        ));
        self
    }

    /// Registers a mount of `source` at `target` in VM `vm` (which must exist).
    pub fn with_mount(self, vm: &str, source: &str, target: &str) -> Memory {
        self.with(vm, |v| {
            v.mounts.push(VmMount {
                target: target.to_string(),
                source: source.into(),
            })
        })
        .expect("with_vm first");
        self
    }

    /// Graceful stops leave the VM running (only a forced stop stops it).
    pub fn ignoring_graceful_stop(mut self) -> Memory {
        self.ignores_graceful_stop = true;
        self
    }

    /// What every `exec` prints on stdout (exit 0).
    pub fn answer_exec(mut self, stdout: &str) -> Memory {
        self.exec_stdout = Some(stdout.to_string());
        self
    }

    /// Its capabilities say it cannot suspend a VM.
    pub fn without_suspend(mut self) -> Memory {
        self.can_suspend = false;
        self
    }

    /// Every `list`, `info`, `state` and `info_all` fails with `err`.
    pub fn down(mut self, err: VmError) -> Memory {
        self.down = Some(err);
        self
    }

    fn up(&self) -> Result<(), VmError> {
        self.down.clone().map_or(Ok(()), Err)
    }

    /// The calls so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    /// The calls so far that change something (`info`, `state`, `list` left out).
    pub fn changes(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| !c.starts_with("info ") && !c.starts_with("state "))
            .collect()
    }

    /// The state of VM `name` now, `None` when there is no such VM.
    pub fn state_of(&self, name: &str) -> Option<VmState> {
        self.with(name, |v| v.state.clone()).ok()
    }

    /// The mount targets of VM `name` now.
    pub fn mounts_of(&self, name: &str) -> Vec<String> {
        self.with(name, |v| {
            v.mounts.iter().map(|m| m.target.clone()).collect()
        })
        .unwrap_or_default()
    }

    fn log(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }

    fn missing(name: &str) -> VmError {
        VmError::InstanceMissing { name: name.into() }
    }

    /// Runs `change` on VM `name`, or fails as a backend does for a missing VM.
    fn with<T>(&self, name: &str, change: impl FnOnce(&mut Vm) -> T) -> Result<T, VmError> {
        let mut vms = self.vms.lock().unwrap();
        let vm = vms
            .iter_mut()
            .find(|(n, _)| n == name)
            .ok_or_else(|| Self::missing(name))?;
        Ok(change(&mut vm.1))
    }

    fn vm_info(name: &str, vm: &Vm) -> VmInfo {
        let running = vm.state.is_running();
        VmInfo {
            name: name.to_string(),
            state: vm.state.clone(),
            cpu_count: None,
            memory: None,
            disk: None,
            load: vec![],
            ipv4: if running {
                vec!["10.0.0.2".into()]
            } else {
                vec![]
            },
            release: None,
            image_release: None,
            image_hash: None,
            snapshot_count: None,
            mounts: vm.mounts.clone(),
        }
    }
}

impl VmBackend for Memory {
    fn name(&self) -> &'static str {
        self.name
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            shares_any_path: self.name == "b",
            can_suspend: self.can_suspend,
            mounts_on_stopped: self.name == "a",
            host_owned_files: false,
        }
    }
    fn ssh_endpoint(&self, name: &str) -> Result<SshEndpoint, VmError> {
        Ok(SshEndpoint {
            host: format!("{}.{name}", self.name),
            port: self.port,
            user: GUEST_USER.to_string(),
        })
    }
    fn suspend(&self, name: &str) -> Result<(), VmError> {
        self.log(format!("suspend {name}"));
        self.with(name, |vm| vm.state = VmState::Suspended)
    }
    fn list(&self) -> Result<Vec<VmSummary>, VmError> {
        self.up()?;
        Ok(self
            .vms
            .lock()
            .unwrap()
            .iter()
            .map(|(n, vm)| VmSummary {
                name: n.clone(),
                state: vm.state.clone(),
                ipv4: vec![],
                release: None,
            })
            .collect())
    }
    fn info(&self, name: &str) -> Result<VmInfo, VmError> {
        self.log(format!("info {name}"));
        self.up()?;
        self.with(name, |vm| Self::vm_info(name, vm))
    }
    fn state(&self, name: &str) -> Result<VmState, VmError> {
        self.log(format!("state {name}"));
        self.up()?;
        self.with(name, |vm| vm.state.clone())
    }
    fn info_all(&self) -> Result<Vec<VmInfo>, VmError> {
        self.up()?;
        let mut all: Vec<VmInfo> = self
            .vms
            .lock()
            .unwrap()
            .iter()
            .map(|(n, vm)| Self::vm_info(n, vm))
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }
    fn create(&self, spec: &LaunchSpec) -> Result<(), VmError> {
        self.log(format!("create {}", spec.name));
        let mut vms = self.vms.lock().unwrap();
        if vms.iter().any(|(n, _)| *n == spec.name) {
            return Err(VmError::AlreadyExists {
                name: spec.name.clone(),
            });
        }
        vms.push((
            spec.name.clone(),
            Vm {
                state: VmState::Running,
                mounts: Vec::new(),
            },
        ));
        Ok(())
    }
    fn start(&self, name: &str) -> Result<(), VmError> {
        self.log(format!("start {name}"));
        self.with(name, |vm| vm.state = VmState::Running)
    }
    fn stop(&self, name: &str, mode: StopMode) -> Result<(), VmError> {
        let graceful = matches!(mode, StopMode::Graceful);
        self.log(format!(
            "stop {name} {}",
            if graceful { "graceful" } else { "force" }
        ));
        let ignore = graceful && self.ignores_graceful_stop;
        self.with(name, |vm| {
            if !ignore && vm.state.is_running() {
                vm.state = VmState::Stopped;
            }
        })
    }
    fn restart(&self, name: &str) -> Result<(), VmError> {
        self.log(format!("restart {name}"));
        self.with(name, |vm| vm.state = VmState::Running)
    }
    fn delete(&self, name: &str, purge: bool) -> Result<(), VmError> {
        self.log(format!("delete {name}"));
        if purge {
            let mut vms = self.vms.lock().unwrap();
            let before = vms.len();
            vms.retain(|(n, _)| n != name);
            if vms.len() == before {
                return Err(Self::missing(name));
            }
            Ok(())
        } else {
            self.with(name, |vm| vm.state = VmState::Deleted)
        }
    }
    fn mount(&self, source: &Path, vm: &str, target: &str) -> Result<(), VmError> {
        self.log(format!("mount {vm} {target}"));
        self.with(vm, |v| {
            if v.mounts.iter().any(|m| m.target == target) {
                return Err(VmError::AlreadyMounted {
                    vm: vm.into(),
                    target: target.into(),
                });
            }
            v.mounts.push(VmMount {
                target: target.to_string(),
                source: source.to_path_buf(),
            });
            Ok(())
        })?
    }
    fn umount(&self, vm: &str, target: Option<&str>) -> Result<(), VmError> {
        self.log(match target {
            Some(t) => format!("umount {vm} {t}"),
            None => format!("umount {vm}"),
        });
        self.with(vm, |v| match target {
            None => {
                v.mounts.clear();
                Ok(())
            }
            Some(t) if v.mounts.iter().any(|m| m.target == t) => {
                v.mounts.retain(|m| m.target != t);
                Ok(())
            }
            Some(t) => Err(VmError::NotMounted {
                vm: vm.into(),
                target: t.into(),
            }),
        })?
    }
    fn exec(&self, spec: &ExecSpec) -> Result<ExecResult, VmError> {
        let argv: Vec<String> = spec
            .argv
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        self.log(format!("exec {} {}", spec.vm, argv.join(" ")));
        let running = self.with(&spec.vm, |vm| vm.state.is_running())?;
        if !running {
            return Err(VmError::NotRunning {
                name: spec.vm.clone(),
            });
        }
        Ok(ExecResult {
            code: 0,
            stdout: self
                .exec_stdout
                .clone()
                .unwrap_or_else(|| self.name.to_string())
                .into_bytes(),
            stderr: vec![],
        })
    }
    fn shell(&self, name: &str) -> Result<i32, VmError> {
        self.log(format!("shell {name}"));
        Ok(0)
    }
    fn version(&self) -> Result<BackendVersion, VmError> {
        Ok(BackendVersion {
            client: self.name.to_string(),
            daemon: None,
        })
    }
}
