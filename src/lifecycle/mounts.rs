//! `mount` / `umount`: which configured mounts a command means, the snap path check, and
//! mounting that tolerates "already mounted" and "not mounted".

use std::path::Path;

use crate::config::mountable::source_problem;
use crate::config::{Config, MountConfig};
use crate::error::UserError;
use crate::t;
use crate::vm::{VmBackend, VmError};

use super::vm_err;

/// The mounts `mount`/`umount` act on: the one covering `path` (deepest source wins), every
/// mount with `all`, or the only mount when there is one.
/// `vm` limits every choice to the mounts into that VM.
pub fn select_mounts<'a>(
    config: &'a Config,
    path: Option<&Path>,
    all: bool,
    vm: Option<&str>,
) -> Result<Vec<&'a MountConfig>, UserError> {
    if let Some(name) = vm {
        config.vm(Some(name))?;
    }
    let of_vm: Vec<&MountConfig> = config
        .mounts
        .iter()
        .filter(|m| vm.is_none_or(|v| v == m.vm))
        .collect();
    match (path, all) {
        (Some(_), true) => Err(UserError::usage(t!("lifecycle.mounts.path_and_all"))),
        (Some(path), false) => match config.mount_for_path(path, vm)? {
            Some(m) => Ok(vec![m]),
            None => Err(UserError::config(t!(
                "lifecycle.mounts.not_covered",
                config = config.path.display(),
                path = path.display()
            ))
            .hint(
                crate::config::layout::not_shareable_hint(path, config)
                    .unwrap_or_else(|| format!("agsekit addmount {}", path.display())),
            )),
        },
        (None, true) => {
            if of_vm.is_empty() {
                Err(no_mounts(config))
            } else {
                Ok(of_vm)
            }
        }
        (None, false) => match of_vm.as_slice() {
            [] => Err(no_mounts(config)),
            [one] => Ok(vec![*one]),
            many => Err(UserError::usage(t!(
                "lifecycle.mounts.ambiguous",
                mounts = crate::count!("count.mount", many.len())
            ))
            .hint(t!("lifecycle.mounts.ambiguous_hint"))),
        },
    }
}

fn no_mounts(config: &Config) -> UserError {
    UserError::config(t!("lifecycle.mounts.none", path = config.path.display()))
        .hint("agsekit addmount PATH")
}

/// Refuses a source the backend cannot mount, before it is asked to: spaces and non-ASCII
/// everywhere, and the snap's limits when the backend is snap-confined
/// ([`crate::config::mountable`], shared with `addmount`).
pub fn check_source(backend: &dyn VmBackend, mount: &MountConfig) -> Result<(), UserError> {
    match source_problem(
        &mount.source,
        !backend.capabilities_of(&mount.vm).shares_any_path,
    ) {
        None => Ok(()),
        Some(problem) => Err(UserError::usage(t!(
            "lifecycle.mounts.refused",
            vm = mount.vm,
            reason = problem.reason
        ))
        .hint(problem.fix)),
    }
}

fn target_text(mount: &MountConfig) -> String {
    mount.target.to_string_lossy().into_owned()
}

/// Whether a mount call changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Already mounted (for mount) or not mounted (for umount): nothing to do.
    AlreadyThere,
}

/// Mounts one configured folder; "already mounted" is not an error.
pub fn mount_one(backend: &dyn VmBackend, mount: &MountConfig) -> anyhow::Result<Outcome> {
    check_source(backend, mount)?;
    if !mount.source.is_dir() {
        return Err(UserError::failed(t!(
            "lifecycle.mounts.no_source",
            path = mount.source.display()
        ))
        .hint(format!("mkdir -p {}", mount.source.display()))
        .into());
    }
    let target = target_text(mount);
    match backend.mount(&mount.source, &mount.vm, &target) {
        Ok(()) => Ok(Outcome::Done),
        Err(VmError::AlreadyMounted { .. }) => Ok(Outcome::AlreadyThere),
        Err(e) => Err(vm_err(e)),
    }
}

/// Unmounts one configured folder; "not mounted" is not an error.
pub fn umount_one(backend: &dyn VmBackend, mount: &MountConfig) -> anyhow::Result<Outcome> {
    let target = target_text(mount);
    match backend.umount(&mount.vm, Some(&target)) {
        Ok(()) => Ok(Outcome::Done),
        Err(VmError::NotMounted { .. }) => Ok(Outcome::AlreadyThere),
        Err(e) => Err(vm_err(e)),
    }
}

/// Unmounts the configured mounts of `vm` that the backend lists (before a stop).
pub fn umount_registered(
    config: &Config,
    backend: &dyn VmBackend,
    vm: &str,
    registered: &[crate::vm::VmMount],
) -> anyhow::Result<Vec<String>> {
    let mut done = Vec::new();
    for mount in config.mounts.iter().filter(|m| m.vm == vm) {
        let target = target_text(mount);
        if registered.iter().any(|r| r.target == target)
            && umount_one(backend, mount)? == Outcome::Done
        {
            done.push(target);
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testutil::config;

    #[test]
    fn the_deepest_mount_covering_a_path_is_chosen() {
        let c = config(
            "vms:\n  a:\n    cpu: 1\n    ram: 1G\n    disk: 10G\nmounts:\n  - source: /home/u/p\n    vm: a\n  - source: /home/u/p/inner\n    backup: /home/u/backups-inner\n    vm: a\n",
        );
        let got = select_mounts(&c, Some(Path::new("/home/u/p/inner/src")), false, None).unwrap();
        assert_eq!(got[0].source, Path::new("/home/u/p/inner"));
        let got = select_mounts(&c, Some(Path::new("/home/u/p/other")), false, None).unwrap();
        assert_eq!(got[0].source, Path::new("/home/u/p"));
        assert!(select_mounts(&c, Some(Path::new("/home/u/q")), false, None).is_err());
        assert_eq!(select_mounts(&c, None, true, None).unwrap().len(), 2);
        assert!(select_mounts(&c, None, false, None).is_err());
        assert!(select_mounts(&c, Some(Path::new("/home/u/p")), true, None).is_err());
    }

    #[test]
    fn vm_picks_among_mounts_of_the_same_folder() {
        let c = config(
            "vms:\n  a:\n    cpu: 1\n    ram: 1G\n    disk: 10G\n  b:\n    cpu: 1\n    ram: 1G\n    disk: 10G\nmounts:\n  - source: /home/u/p\n    vm: a\n  - source: /home/u/p\n    vm: b\n",
        );
        let p = Some(Path::new("/home/u/p/src"));
        let err = select_mounts(&c, p, false, None).unwrap_err();
        assert!(err.hints[0].contains("--vm"), "{:?}", err.hints);
        assert_eq!(select_mounts(&c, p, false, Some("b")).unwrap()[0].vm, "b");
        assert_eq!(
            select_mounts(&c, None, false, Some("a")).unwrap()[0].vm,
            "a"
        );
        assert_eq!(select_mounts(&c, None, true, Some("a")).unwrap().len(), 1);
        assert!(select_mounts(&c, None, true, Some("zzz")).is_err());
    }
}
