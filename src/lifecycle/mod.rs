//! The VM commands' work: creating and provisioning VMs, starting and stopping them,
//! mounting folders, installing agents, preparing the host and building `ssh` command lines.
//! (The agent version cache is `provision::versions`.)
//! Everything goes through [`crate::vm::VmBackend`] and [`crate::process::Runner`]; nothing
//! here prints: progress goes to a [`Notice`] callback the command supplies, results are data.

pub mod agents;
pub mod create;
pub mod mounts;
pub mod prepare;
pub mod procs;
pub mod ssh;
pub mod stop;
pub mod suspend;

#[cfg(test)]
mod memory_tests;

use crate::config::{Config, VmConfig};
use crate::error::UserError;
use crate::t;
use crate::vm::VmError;

/// Where progress lines go (the command prints them, or a test collects them).
pub type Notice<'a> = &'a dyn Fn(&str);

/// A [`VmError`] as an agsekit error (kind `Vm`, with the driver's hints).
pub fn vm_err(err: VmError) -> anyhow::Error {
    UserError::from(err).into()
}

/// The VMs a command acts on: `name`, or every VM with `all`, or the only VM when the config
/// has exactly one. `all_flag` is how the command spells "all" in messages (`--all-vms`).
pub fn select_vms<'a>(
    config: &'a Config,
    name: Option<&str>,
    all: bool,
    all_flag: &str,
) -> Result<Vec<&'a VmConfig>, UserError> {
    match (name, all) {
        (Some(_), true) => Err(UserError::usage(t!(
            "lifecycle.select.name_and_all",
            flag = all_flag
        ))),
        (Some(name), false) => Ok(vec![config.vm(Some(name))?]),
        (None, true) => {
            if config.vms.is_empty() {
                Err(config.no_vms_error())
            } else {
                Ok(config.vms.values().collect())
            }
        }
        (None, false) => match config.vms.len() {
            0 => Err(config.no_vms_error()),
            1 => Ok(config.vms.values().collect()),
            _ => Err(UserError::usage(t!(
                "lifecycle.vms_ambiguous",
                vms = crate::count!("count.vm", config.vms.len()),
                names = config.vms.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
            .hint(t!("lifecycle.select.hint", flag = all_flag))),
        },
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::config::{load_from_str, Config};
    use std::path::Path;

    pub fn config(yaml: &str) -> Config {
        match load_from_str(
            yaml,
            Path::new("/cfg/config.yaml"),
            crate::backend::minimums,
        ) {
            Ok(c) => c,
            Err(e) => panic!("{:?}", e.to_user_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::config;
    use super::*;

    #[test]
    fn selection_by_name_all_or_the_only_vm() {
        let one = config("vms:\n  a:\n    cpu: 1\n    ram: 1G\n    disk: 10G\n");
        assert_eq!(
            select_vms(&one, None, false, "--all-vms").unwrap()[0].name,
            "a"
        );
        let two = config("vms:\n  a:\n    cpu: 1\n    ram: 1G\n    disk: 10G\n  b:\n    cpu: 1\n    ram: 1G\n    disk: 10G\n");
        let err = select_vms(&two, None, false, "--all-vms").unwrap_err();
        assert!(err.message.contains("a, b"), "{}", err.message);
        assert_eq!(select_vms(&two, None, true, "--all").unwrap().len(), 2);
        assert_eq!(
            select_vms(&two, Some("b"), false, "--all").unwrap()[0].name,
            "b"
        );
        assert!(select_vms(&two, Some("c"), false, "--all").is_err());
        assert!(select_vms(&two, Some("a"), true, "--all").is_err());
    }
}
