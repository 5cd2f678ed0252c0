//! A backend made of backends: each VM is run by the backend its config names, and this one
//! passes every call about a VM to that VM's backend. Calls about every VM (`list`,
//! `info_all`) ask each backend and merge the answers. Used only when the VMs of a config do
//! not all use the same backend; otherwise that backend is used as it is.

use std::collections::HashMap;
use std::path::Path;

use super::{
    BackendVersion, Capabilities, ExecResult, ExecSpec, LaunchSpec, SshEndpoint, StopMode,
    VmBackend, VmError, VmInfo, VmSummary,
};

/// Routes each VM's calls to its backend.
pub struct Routing {
    /// The backends, the first being the default one (for VMs no route names).
    backends: Vec<Box<dyn VmBackend>>,
    /// VM name → index in `backends`.
    routes: HashMap<String, usize>,
}

impl Routing {
    /// `default` runs the VMs `routes` does not name; `others` the rest. `routes` maps a VM
    /// name to the [`VmBackend::name`] of its backend; a name no backend has goes to
    /// `default`.
    pub fn new(
        default: Box<dyn VmBackend>,
        others: Vec<Box<dyn VmBackend>>,
        routes: impl IntoIterator<Item = (String, &'static str)>,
    ) -> Routing {
        let mut backends = vec![default];
        backends.extend(others);
        let routes = routes
            .into_iter()
            .map(|(vm, name)| {
                let at = backends.iter().position(|b| b.name() == name).unwrap_or(0);
                (vm, at)
            })
            .collect();
        Routing { backends, routes }
    }

    /// The backend that runs `vm`.
    pub fn backend_of(&self, vm: &str) -> &dyn VmBackend {
        let at = self.routes.get(vm).copied().unwrap_or(0);
        self.backends[at].as_ref()
    }
}

impl VmBackend for Routing {
    /// The default backend's name.
    fn name(&self) -> &'static str {
        self.backends[0].name()
    }

    /// What every backend can do (a capability any of them lacks is reported as missing);
    /// [`VmBackend::capabilities_of`] answers for one VM.
    fn capabilities(&self) -> Capabilities {
        let all: Vec<Capabilities> = self.backends.iter().map(|b| b.capabilities()).collect();
        Capabilities {
            shares_any_path: all.iter().all(|c| c.shares_any_path),
            can_suspend: all.iter().all(|c| c.can_suspend),
            mounts_on_stopped: all.iter().all(|c| c.mounts_on_stopped),
            host_owned_files: all.iter().all(|c| c.host_owned_files),
        }
    }

    fn capabilities_of(&self, vm: &str) -> Capabilities {
        self.backend_of(vm).capabilities()
    }

    fn name_of(&self, vm: &str) -> &'static str {
        self.backend_of(vm).name()
    }

    fn take_notices(&self) -> Vec<super::VmNotice> {
        self.backends
            .iter()
            .flat_map(|b| b.take_notices())
            .collect()
    }

    fn ssh_endpoint(&self, name: &str) -> Result<SshEndpoint, VmError> {
        self.backend_of(name).ssh_endpoint(name)
    }

    fn suspend(&self, name: &str) -> Result<(), VmError> {
        self.backend_of(name).suspend(name)
    }

    /// Every backend's VMs, in backend order.
    fn list(&self) -> Result<Vec<VmSummary>, VmError> {
        let mut out = Vec::new();
        for backend in &self.backends {
            out.extend(backend.list()?);
        }
        Ok(out)
    }

    fn info(&self, name: &str) -> Result<VmInfo, VmError> {
        self.backend_of(name).info(name)
    }

    fn state(&self, name: &str) -> Result<crate::vm::VmState, VmError> {
        self.backend_of(name).state(name)
    }

    /// Every backend's VMs, sorted by name.
    fn info_all(&self) -> Result<Vec<VmInfo>, VmError> {
        let mut out = Vec::new();
        for backend in &self.backends {
            out.extend(backend.info_all()?);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn create(&self, spec: &LaunchSpec) -> Result<(), VmError> {
        self.backend_of(&spec.name).create(spec)
    }

    fn start(&self, name: &str) -> Result<(), VmError> {
        self.backend_of(name).start(name)
    }

    fn stop(&self, name: &str, mode: StopMode) -> Result<(), VmError> {
        self.backend_of(name).stop(name, mode)
    }

    fn restart(&self, name: &str) -> Result<(), VmError> {
        self.backend_of(name).restart(name)
    }

    fn delete(&self, name: &str, purge: bool) -> Result<(), VmError> {
        self.backend_of(name).delete(name, purge)
    }

    fn mount(&self, source: &Path, vm: &str, target: &str) -> Result<(), VmError> {
        self.backend_of(vm).mount(source, vm, target)
    }

    fn umount(&self, vm: &str, target: Option<&str>) -> Result<(), VmError> {
        self.backend_of(vm).umount(vm, target)
    }

    fn exec(&self, spec: &ExecSpec) -> Result<ExecResult, VmError> {
        self.backend_of(&spec.vm).exec(spec)
    }

    fn exec_spawn(&self, spec: &ExecSpec) -> Result<crate::process::Child, VmError> {
        self.backend_of(&spec.vm).exec_spawn(spec)
    }

    fn shell(&self, name: &str) -> Result<i32, VmError> {
        self.backend_of(name).shell(name)
    }

    /// The default backend's version.
    fn version(&self) -> Result<BackendVersion, VmError> {
        self.backends[0].version()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::testutil::Memory;

    fn routing() -> Routing {
        Routing::new(
            Memory::boxed("a", &["zeta", "one"], 22),
            vec![Memory::boxed("b", &["two"], 2222)],
            [("one".to_string(), "a"), ("two".to_string(), "b")],
        )
    }

    #[test]
    fn each_vm_goes_to_its_backend_and_unknown_ones_to_the_default() {
        let r = routing();
        assert_eq!(r.backend_of("one").name(), "a");
        assert_eq!(r.backend_of("two").name(), "b");
        assert_eq!(r.backend_of("zeta").name(), "a");
        let out = r.exec(&ExecSpec::capture("two", "/", ["true"])).unwrap();
        assert_eq!(out.stdout, b"b");
        let out = r.exec(&ExecSpec::capture("one", "/", ["true"])).unwrap();
        assert_eq!(out.stdout, b"a");
        assert_eq!(r.ssh_endpoint("two").unwrap().port, 2222);
        assert_eq!(r.ssh_endpoint("one").unwrap().host, "a.one");
        assert!(r.info("two").is_ok());
        assert_eq!(
            r.info("nope").unwrap_err(),
            VmError::InstanceMissing {
                name: "nope".into()
            }
        );
        assert_eq!(r.name(), "a");
        assert_eq!(r.version().unwrap().client, "a");
    }

    #[test]
    fn listings_merge_every_backend() {
        let r = routing();
        let names: Vec<String> = r.list().unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["zeta", "one", "two"]);
        let names: Vec<String> = r.info_all().unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["one", "two", "zeta"]);
    }

    #[test]
    fn capabilities_are_per_vm_and_the_common_ones_overall() {
        let r = routing();
        assert!(r.capabilities_of("two").shares_any_path);
        assert!(!r.capabilities_of("one").shares_any_path);
        assert!(r.capabilities_of("one").mounts_on_stopped);
        let all = r.capabilities();
        assert!(!all.shares_any_path && !all.mounts_on_stopped && all.can_suspend);
    }
}
