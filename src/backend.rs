//! The composition root of the VM layer: the one place that picks the backend of each VM from
//! the config (`backend:` under `global:` and in each VM's entry). Everything else takes a
//! `&dyn VmBackend` and never asks which one it is.
//!
//! When every VM uses one backend, that backend is returned as it is (for a config that names
//! none: Multipass, exactly as before `backend:` existed). When VMs use different backends, a
//! [`Routing`] backend sends each VM's calls to its own backend.

use std::path::Path;

use crate::config::{BackendKind, Config};
use crate::process::RealRunner;
use crate::vm::{Multipass, Routing, VmBackend};

/// The backend for the VMs of `config`, run for real.
pub fn open(config: &Config) -> Box<dyn VmBackend> {
    let shims_dir = crate::config::shims_dir();
    compose(config, |kind| open_kind(kind, config, &shims_dir))
}

/// The backend for the VMs of `config`, each backend made by `make`: the one backend itself
/// when every VM (and `global.backend`) uses it, else a [`Routing`] over them with
/// `global.backend` as the default.
fn compose(
    config: &Config,
    mut make: impl FnMut(BackendKind) -> Box<dyn VmBackend>,
) -> Box<dyn VmBackend> {
    let default = config.global.backend;
    let mut kinds: Vec<BackendKind> = config.vms.values().map(|vm| vm.backend).collect();
    kinds.push(default);
    kinds.sort();
    kinds.dedup();
    if kinds.len() == 1 {
        return make(default);
    }
    let others = kinds
        .iter()
        .filter(|k| **k != default)
        .map(|k| make(*k))
        .collect();
    let routes = config
        .vms
        .values()
        .map(|vm| (vm.name.clone(), vm.backend.as_str()))
        .collect::<Vec<_>>();
    Box::new(Routing::new(make(default), others, routes))
}

/// One backend of `kind`. `shims_dir` is skipped when looking for a backend's program.
fn open_kind(kind: BackendKind, config: &Config, shims_dir: &Path) -> Box<dyn VmBackend> {
    match kind {
        BackendKind::Multipass => Box::new(Multipass::from_env(RealRunner, shims_dir)),
        BackendKind::Qemu => Box::new(crate::vm::qemu::Qemu::from_env(
            &config.global.ssh_keys_folder,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load_from_str;

    fn config(yaml: &str) -> Config {
        load_from_str(yaml, Path::new("/cfg/config.yaml")).expect("valid config")
    }

    #[test]
    fn a_config_without_backend_keys_gets_multipass_itself() {
        let c =
            config("vms:\n  a: {cpu: 1, ram: 1G, disk: 1G}\n  b: {cpu: 1, ram: 1G, disk: 1G}\n");
        let backend = open(&c);
        assert_eq!(backend.name(), "multipass");
        // Multipass as it is, not wrapped: the routing backend would still answer "multipass"
        // as its default's name, so look at what only a lone Multipass says.
        assert_eq!(
            backend.capabilities(),
            Multipass::from_env(RealRunner, &crate::config::shims_dir()).capabilities()
        );
        let empty = config("");
        assert_eq!(open(&empty).name(), "multipass");
    }

    /// Memory backends named as the config spells their kind.
    fn memory(kind: BackendKind) -> Box<dyn VmBackend> {
        crate::vm::testutil::Memory::boxed(kind.as_str(), &[], 22)
    }

    #[test]
    fn vms_on_different_backends_are_routed_to_their_own() {
        // Validation refuses qemu while it is not in the build; set it after loading.
        let mut c =
            config("vms:\n  a: {cpu: 1, ram: 1G, disk: 1G}\n  b: {cpu: 1, ram: 1G, disk: 1G}\n");
        let mut made = Vec::new();
        let one = compose(&c, |k| {
            made.push(k);
            memory(k)
        });
        assert_eq!(made, [BackendKind::Multipass], "one backend, made once");
        assert_eq!(one.name(), "multipass");

        c.vms.get_mut("b").unwrap().backend = BackendKind::Qemu;
        let mut made = Vec::new();
        let routed = compose(&c, |k| {
            made.push(k);
            memory(k)
        });
        made.sort();
        assert_eq!(made, [BackendKind::Multipass, BackendKind::Qemu]);
        let who = |vm: &str| {
            let out = routed
                .exec(&crate::vm::ExecSpec::capture(vm, "/", ["true"]))
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        assert_eq!(who("a"), "multipass");
        assert_eq!(who("b"), "qemu");
        assert_eq!(who("not-in-config"), "multipass");
        assert_eq!(routed.name(), "multipass");

        // global.backend is the default of VMs that name none, and of unknown VMs.
        c.global.backend = BackendKind::Qemu;
        c.vms.get_mut("a").unwrap().backend = BackendKind::Multipass;
        let routed = compose(&c, memory);
        let out = routed
            .exec(&crate::vm::ExecSpec::capture("elsewhere", "/", ["true"]))
            .unwrap();
        assert_eq!(out.stdout, b"qemu");
    }
}
