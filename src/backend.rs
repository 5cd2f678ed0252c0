//! The composition root of the VM layer: the one place that picks the backend of each VM from
//! the config (`backend:` under `global:` and in each VM's entry). Everything else takes a
//! `&dyn VmBackend` and never asks which one it is.
//!
//! When every VM uses one backend, that backend is returned as it is (for a config that names
//! none: Multipass, exactly as before `backend:` existed). When VMs use different backends, a
//! [`Routing`] backend sends each VM's calls to its own backend.

use std::path::Path;

use crate::config::{BackendKind, Config, Minimums};
use crate::error::UserError;
use crate::process::{RealRunner, Runner};
use crate::vm::host::{CheckEnv, HostOs, HostRepair, HostReport, Needs, Probe};
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

/// The backend kinds the VMs of `config` use, sorted; `global.backend` (Multipass unless
/// the config says otherwise) when there are no VMs. Without a config: [`BackendKind::default`].
pub fn used_kinds(config: Option<&Config>) -> Vec<BackendKind> {
    let Some(config) = config else {
        return vec![BackendKind::default()];
    };
    let mut kinds: Vec<BackendKind> = config.vms.values().map(|vm| vm.backend).collect();
    if kinds.is_empty() {
        kinds.push(config.global.backend);
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

/// The least `ram:` and `disk:` a backend of `kind` runs a VM with: each backend's own numbers,
/// handed to every config load (a [`crate::config::MinimumsOf`]) so that a VM is checked
/// against the backend it uses.
pub fn minimums(kind: BackendKind) -> Minimums {
    match kind {
        BackendKind::Multipass => Minimums {
            backend: "Multipass",
            ram_bytes: crate::vm::multipass::MIN_RAM_BYTES,
            disk_bytes: crate::vm::multipass::MIN_DISK_BYTES,
        },
        BackendKind::Qemu => Minimums {
            backend: "QEMU",
            ram_bytes: crate::vm::qemu::MIN_RAM_BYTES,
            disk_bytes: crate::vm::qemu::MIN_DISK_BYTES,
        },
    }
}

/// What `prepare` installs for a backend of `kind` on this host.
pub fn needs(kind: BackendKind, os: HostOs, probe: &Probe<'_>) -> Result<Needs, UserError> {
    match kind {
        BackendKind::Multipass => crate::vm::multipass::host::needs(os, probe),
        BackendKind::Qemu => crate::vm::qemu::host::needs(os, probe),
    }
}

/// `doctor`'s host checks of every backend kind `config` uses, each asked through its own
/// backend opened for real.
pub fn host_checks(config: &Config, runner: &dyn Runner) -> Vec<HostReport> {
    let shims_dir = crate::config::shims_dir();
    used_kinds(Some(config))
        .into_iter()
        .map(|kind| {
            let backend = open_kind(kind, config, &shims_dir);
            let env = CheckEnv {
                backend: backend.as_ref(),
                runner,
                shims_dir: &shims_dir,
            };
            match kind {
                BackendKind::Multipass => crate::vm::multipass::host::checks(&env),
                BackendKind::Qemu => crate::vm::qemu::host::checks(&env),
            }
        })
        .collect()
}

/// The host repair `doctor` offers when remounting a folder of VM `vm` failed (restarting
/// Multipass's snap daemon), if that VM's backend has one.
pub fn after_failed_remount(config: &Config, vm: &str) -> Option<HostRepair> {
    let kind = config
        .vms
        .get(vm)
        .map(|v| v.backend)
        .unwrap_or(config.global.backend);
    match kind {
        BackendKind::Multipass => {
            crate::vm::multipass::host::after_failed_remount(&crate::config::shims_dir())
        }
        BackendKind::Qemu => None,
    }
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
        load_from_str(yaml, Path::new("/cfg/config.yaml"), minimums).expect("valid config")
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

    /// Memory backends named as the config spells their kind, each holding the VMs the
    /// tests ask for (which one answers tells the routing).
    fn memory(kind: BackendKind) -> Box<dyn VmBackend> {
        crate::vm::testutil::Memory::boxed(
            kind.as_str(),
            &["a", "b", "not-in-config", "elsewhere"],
            22,
        )
    }

    #[test]
    fn the_kinds_a_config_uses() {
        assert_eq!(used_kinds(None), [BackendKind::Multipass]);
        let empty = config("");
        assert_eq!(used_kinds(Some(&empty)), [BackendKind::Multipass]);
        let mut c =
            config("vms:\n  a: {cpu: 1, ram: 1G, disk: 1G}\n  b: {cpu: 1, ram: 1G, disk: 1G}\n");
        assert_eq!(used_kinds(Some(&c)), [BackendKind::Multipass]);
        c.vms.get_mut("b").unwrap().backend = BackendKind::Qemu;
        assert_eq!(
            used_kinds(Some(&c)),
            [BackendKind::Multipass, BackendKind::Qemu]
        );
        c.vms.get_mut("a").unwrap().backend = BackendKind::Qemu;
        assert_eq!(used_kinds(Some(&c)), [BackendKind::Qemu]);
        let mut none = config("");
        none.global.backend = BackendKind::Qemu;
        assert_eq!(used_kinds(Some(&none)), [BackendKind::Qemu]);
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
