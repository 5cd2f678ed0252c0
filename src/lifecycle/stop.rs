//! Stopping, starting, restarting and destroying VMs.

use std::time::{Duration, Instant};

use crate::config::{Config, VmConfig};
use crate::error::UserError;
use crate::t;
use crate::vm::{StopMode, VmBackend, VmError, VmState};

use super::mounts::{mount_one, umount_registered, Outcome};
use super::{vm_err, Notice};

/// How long to wait for a VM to reach `Stopped` after each stop request:
/// `AGSEKIT_STOP_TIMEOUT_SECONDS`, default 60.
pub fn stop_timeout() -> Duration {
    let secs = std::env::var("AGSEKIT_STOP_TIMEOUT_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// How a stop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOutcome {
    /// It was stopped already: nothing done.
    WasDown,
    Stopped,
    /// The graceful stop did not finish in time; it was powered off.
    Forced,
}

fn state(backend: &dyn VmBackend, name: &str) -> Result<VmState, VmError> {
    backend.info(name).map(|i| i.state)
}

/// Polls until the VM is stopped or `timeout` passes.
fn wait_down(backend: &dyn VmBackend, name: &str, timeout: Duration) -> Result<bool, VmError> {
    let start = Instant::now();
    loop {
        let s = state(backend, name)?;
        if s == VmState::Stopped {
            return Ok(true);
        }
        if start.elapsed() >= timeout {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Unmounts the VM's configured mounts, asks it to shut down, waits (bounded) for it to
/// stop, and powers it off when it does not. A suspended VM is resumed first: a paused guest
/// cannot shut down (Multipass refuses to stop one, QEMU's guest would not see the request),
/// and pulling its plug would lose what it has not written to its disk.
pub fn stop_vm(
    config: &Config,
    backend: &dyn VmBackend,
    name: &str,
    timeout: Duration,
    notice: Notice,
) -> anyhow::Result<StopOutcome> {
    let mut info = backend.info(name).map_err(vm_err)?;
    match info.state {
        VmState::Stopped => return Ok(StopOutcome::WasDown),
        VmState::Suspended => {
            notice(&t!("lifecycle.stop.resuming", name = name));
            backend.start(name).map_err(vm_err)?;
            info = backend.info(name).map_err(vm_err)?;
        }
        VmState::Deleted => {
            return Err(UserError::vm(t!("lifecycle.stop.deleted", name = name))
                .hint(format!("agsekit create-vm {name}"))
                .into())
        }
        _ => {}
    }
    for target in umount_registered(config, backend, name, &info.mounts)? {
        notice(&t!(
            "lifecycle.stop.unmounted",
            target = target,
            name = name
        ));
    }
    let graceful = backend.stop(name, StopMode::Graceful);
    if let Err(e) = &graceful {
        if matches!(e, VmError::InstanceMissing { .. }) {
            return Err(vm_err(graceful.unwrap_err()));
        }
        notice(&t!(
            "lifecycle.stop.graceful_failed",
            name = name,
            error = e.message_in(crate::i18n::current())
        ));
    } else if wait_down(backend, name, timeout).map_err(vm_err)? {
        return Ok(StopOutcome::Stopped);
    } else {
        notice(&t!(
            "lifecycle.stop.timeout",
            name = name,
            secs = timeout.as_secs()
        ));
    }
    backend.stop(name, StopMode::Force).map_err(vm_err)?;
    if wait_down(backend, name, timeout).map_err(vm_err)? {
        Ok(StopOutcome::Forced)
    } else {
        Err(
            UserError::vm(t!("lifecycle.stop.still_running", name = name))
                .hint(t!("lifecycle.stop.still_running_hint", name = name))
                .into(),
        )
    }
}

/// Starts a VM (a running one is left alone).
pub fn start_vm(backend: &dyn VmBackend, name: &str) -> anyhow::Result<()> {
    backend.start(name).map_err(vm_err)
}

/// Mounts every configured mount of `vm` (after a restart). Returns the targets mounted; a
/// mount that fails is reported through `notice` and the others still run.
pub fn remount(
    config: &Config,
    backend: &dyn VmBackend,
    vm: &VmConfig,
    notice: Notice,
) -> Vec<String> {
    let mut done = Vec::new();
    for mount in config.mounts.iter().filter(|m| m.vm == vm.name) {
        match mount_one(backend, mount) {
            Ok(Outcome::Done) => done.push(mount.target.to_string_lossy().into_owned()),
            Ok(Outcome::AlreadyThere) => {}
            Err(e) => notice(&format!(
                "warning: {}",
                t!(
                    "lifecycle.stop.remount_failed",
                    path = mount.source.display(),
                    error = crate::error::render(&e).trim_end()
                )
            )),
        }
    }
    done
}

/// How a destroy ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestroyOutcome {
    Destroyed,
    /// There was no such VM.
    Missing,
}

/// Deletes and purges one VM (`delete --purge NAME` removes only this VM, unlike `purge`).
pub fn destroy_vm(backend: &dyn VmBackend, name: &str) -> anyhow::Result<DestroyOutcome> {
    match backend.delete(name, true) {
        Ok(()) => Ok(DestroyOutcome::Destroyed),
        Err(VmError::InstanceMissing { .. }) => Ok(DestroyOutcome::Missing),
        Err(e) => Err(vm_err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testutil::config;
    use crate::process::{FakeRunner, Output};
    use crate::vm::Multipass;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    fn info_json(state: &str) -> String {
        format!(
            "{{\"errors\": [], \"info\": {{\"dev\": {{\"state\": \"{state}\", \"mounts\": {{\"/home/ubuntu/p\": {{\"source_path\": \"/home/u/p\"}}}}}}}}}}"
        )
    }

    /// A Multipass whose VM stays Running until a `stop` with `--force` (when `stubborn`) or
    /// any `stop`.
    fn multipass(stubborn: bool) -> Multipass<FakeRunner> {
        let stopped = Arc::new(AtomicBool::new(false));
        let fake = FakeRunner::new(move |cmd| {
            let args: Vec<String> = cmd
                .get_args()
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            match args[0].as_str() {
                "info" => Ok(Output::ok(info_json(if stopped.load(Ordering::SeqCst) {
                    "Stopped"
                } else {
                    "Running"
                }))),
                "stop" => {
                    if !stubborn || args.iter().any(|a| a == "--force") {
                        stopped.store(true, Ordering::SeqCst);
                    }
                    Ok(Output::ok(""))
                }
                _ => Ok(Output::ok("")),
            }
        });
        Multipass::new(fake, "multipass")
    }

    fn names(mp: &Multipass<FakeRunner>) -> Vec<String> {
        mp.runner()
            .argvs()
            .into_iter()
            .map(|a| a[1..].join(" "))
            .collect()
    }

    const CFG: &str = "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nmounts:\n  - source: /home/u/p\n    target: /home/ubuntu/p\n    vm: dev\n  - source: /home/u/q\n    vm: dev\n";

    #[test]
    fn a_graceful_stop_unmounts_registered_mounts_first() {
        let c = config(CFG);
        let mp = multipass(false);
        let out = stop_vm(&c, &mp, "dev", Duration::from_secs(5), &|_| {}).unwrap();
        assert_eq!(out, StopOutcome::Stopped);
        assert_eq!(
            names(&mp),
            [
                "info dev --format json",
                "umount dev:/home/ubuntu/p",
                "stop dev",
                "info dev --format json"
            ]
        );
    }

    #[test]
    fn a_vm_that_does_not_stop_in_time_is_forced() {
        let c = config(CFG);
        let mp = multipass(true);
        let notes = std::sync::Mutex::new(Vec::new());
        let out = stop_vm(&c, &mp, "dev", Duration::ZERO, &|t| {
            notes.lock().unwrap().push(t.to_string())
        })
        .unwrap();
        assert_eq!(out, StopOutcome::Forced);
        let calls = names(&mp);
        assert_eq!(
            calls[2..],
            [
                "stop dev",
                "info dev --format json",
                "stop --force dev",
                "info dev --format json"
            ]
        );
        assert!(notes
            .lock()
            .unwrap()
            .iter()
            .any(|n| n.contains("forcing it")));
    }
}
