//! Test doubles of the VM layer: an in-memory backend (no CLI text), for unit tests of code
//! that takes a `&dyn VmBackend`.

use std::path::Path;
use std::sync::Mutex;

use super::{
    BackendVersion, Capabilities, ExecResult, ExecSpec, LaunchSpec, SshEndpoint, StopMode,
    VmBackend, VmError, VmInfo, VmState, VmSummary, GUEST_USER,
};

/// An in-memory backend: a fixed set of VMs, and a log of the calls it got. Capabilities
/// depend on its name (`b` shares any path, `a` mounts on stopped VMs) so tests can tell
/// backends apart; exec answers with the backend's name on stdout.
pub struct Memory {
    name: &'static str,
    vms: Vec<&'static str>,
    port: u16,
    calls: Mutex<Vec<String>>,
}

impl Memory {
    pub fn boxed(name: &'static str, vms: &[&'static str], port: u16) -> Box<dyn VmBackend> {
        Box::new(Memory {
            name,
            vms: vms.to_vec(),
            port,
            calls: Mutex::new(Vec::new()),
        })
    }

    fn log(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }

    fn vm_info(&self, name: &str) -> VmInfo {
        VmInfo {
            name: name.to_string(),
            state: VmState::Running,
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
            can_suspend: true,
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
        Ok(())
    }
    fn list(&self) -> Result<Vec<VmSummary>, VmError> {
        Ok(self
            .vms
            .iter()
            .map(|n| VmSummary {
                name: n.to_string(),
                state: VmState::Running,
                ipv4: vec![],
                release: None,
            })
            .collect())
    }
    fn info(&self, name: &str) -> Result<VmInfo, VmError> {
        self.log(format!("info {name}"));
        if self.vms.contains(&name) {
            Ok(self.vm_info(name))
        } else {
            Err(VmError::InstanceMissing { name: name.into() })
        }
    }
    fn info_all(&self) -> Result<Vec<VmInfo>, VmError> {
        Ok(self.vms.iter().map(|n| self.vm_info(n)).collect())
    }
    fn create(&self, spec: &LaunchSpec) -> Result<(), VmError> {
        self.log(format!("create {}", spec.name));
        Ok(())
    }
    fn start(&self, name: &str) -> Result<(), VmError> {
        self.log(format!("start {name}"));
        Ok(())
    }
    fn stop(&self, name: &str, _mode: StopMode) -> Result<(), VmError> {
        self.log(format!("stop {name}"));
        Ok(())
    }
    fn restart(&self, name: &str) -> Result<(), VmError> {
        self.log(format!("restart {name}"));
        Ok(())
    }
    fn delete(&self, name: &str, _purge: bool) -> Result<(), VmError> {
        self.log(format!("delete {name}"));
        Ok(())
    }
    fn mount(&self, _source: &Path, vm: &str, target: &str) -> Result<(), VmError> {
        self.log(format!("mount {vm} {target}"));
        Ok(())
    }
    fn umount(&self, vm: &str, _target: Option<&str>) -> Result<(), VmError> {
        self.log(format!("umount {vm}"));
        Ok(())
    }
    fn exec(&self, spec: &ExecSpec) -> Result<ExecResult, VmError> {
        self.log(format!("exec {}", spec.vm));
        Ok(ExecResult {
            code: 0,
            stdout: self.name.as_bytes().to_vec(),
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
