//! The daemon's look at the VMs (`run::observe`) and what its rules make of it, driven
//! through the in-memory backend (`vm::testutil::Memory`). No CLI text, no fake program.

use std::collections::BTreeSet;
use std::path::PathBuf;

use base64::Engine;

use super::run::{observe, wanted_backups, IdleAction, IdleTracker};
use crate::config::{load_from_str, Config};
use crate::vm::testutil::Memory;
use crate::vm::VmState;

fn config(daemon: &str) -> Config {
    let yaml = format!(
        "global:\n  daemon: {{{daemon}}}\nvms:\n  dev: {{cpu: 1, ram: 1G, disk: 1G}}\n  idle: {{cpu: 1, ram: 1G, disk: 1G}}\nmounts:\n  - {{source: /home/u/p, target: /home/ubuntu/p, vm: dev}}\n  - {{source: /home/u/r, target: /home/ubuntu/r, vm: dev}}\n  - {{source: /home/u/q, target: /home/ubuntu/q, vm: idle}}\nagents:\n  cx: {{type: codex}}\n"
    );
    load_from_str(
        &yaml,
        std::path::Path::new("/cfg/config.yaml"),
        crate::backend::minimums,
    )
    .unwrap()
}

/// `ps` in a VM where the launcher runs codex in mount `/home/ubuntu/p`.
fn ps_with_codex() -> String {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    format!(
        "    1     0 /sbin/init\n  300     1 bash /usr/local/bin/agsekit-launch --session s1 --mount-root /home/ubuntu/p --workdir {} --binary codex --b64 -- {}\n  301   300 node /usr/local/bin/codex\n",
        b64("/home/ubuntu/p"),
        b64("")
    )
}

fn pair(vm: &str, target: &str) -> (String, String) {
    (vm.to_string(), target.to_string())
}

/// Two running VMs (one not in the config) and a stopped one; codex runs in `dev`'s `p`.
fn backend() -> Memory {
    Memory::new("m")
        .with_vm("dev", VmState::Running)
        .with_mount("dev", "/home/u/p", "/home/ubuntu/p")
        .with_mount("dev", "/home/u/r", "/home/ubuntu/r")
        .with_vm("idle", VmState::Stopped)
        .with_mount("idle", "/home/u/q", "/home/ubuntu/q")
        .with_vm("stranger", VmState::Running)
        .answer_exec(&ps_with_codex())
}

#[test]
fn observe_sees_running_configured_vms_their_mounts_and_where_agents_run() {
    let c = config("backups: active");
    let m = backend();
    let seen = observe(&c, &m).unwrap();
    assert_eq!(seen.running_vms, BTreeSet::from(["dev".to_string()]));
    assert_eq!(seen.active_vms, BTreeSet::from(["dev".to_string()]));
    assert_eq!(
        seen.mounted,
        BTreeSet::from([pair("dev", "/home/ubuntu/p"), pair("dev", "/home/ubuntu/r")])
    );
    assert_eq!(
        seen.active_mounts,
        BTreeSet::from([pair("dev", "/home/ubuntu/p")])
    );
    // One `ps` in the one running VM of the config; nothing else is asked or changed.
    let execs: Vec<String> = m
        .changes()
        .into_iter()
        .filter(|c| c.starts_with("exec "))
        .collect();
    assert_eq!(execs.len(), 1, "{:?}", m.calls());
    assert!(execs[0].starts_with("exec dev ps "), "{execs:?}");
    assert_eq!(m.changes().len(), 1, "{:?}", m.changes());

    // `backups: active`: a loop only for the mount with an agent in it.
    assert_eq!(
        wanted_backups(&c, Some(&seen)),
        BTreeSet::from([PathBuf::from("/home/u/p")])
    );
    let all = config("backups: all");
    assert_eq!(wanted_backups(&all, Some(&seen)).len(), 3);
}

#[test]
fn a_backend_that_is_down_gives_no_observation() {
    let c = config("backups: active");
    let m = backend().down(crate::vm::VmError::Timeout {
        what: "list".into(),
    });
    assert!(observe(&c, &m).is_none());
    assert!(wanted_backups(&c, None).is_empty());
}

#[test]
fn idle_rules_stop_a_vm_without_agents_and_unmount_folders_without_them() {
    let c = config("idle_vm_stop_minutes: 10, idle_unmount_minutes: 5");
    let rules = &c.global.daemon;
    let m = backend();
    let mut idle = IdleTracker::default();
    assert!(idle.observe(0, &observe(&c, &m).unwrap(), rules).is_empty());
    // Five minutes on, the agent still runs in `p`: only `r` has been idle long enough.
    assert_eq!(
        idle.observe(300, &observe(&c, &m).unwrap(), rules),
        [IdleAction::Unmount {
            vm: "dev".into(),
            target: "/home/ubuntu/r".into()
        }]
    );

    // Without agents, the VM is stopped once it has been idle for ten minutes.
    let quiet = backend().answer_exec("    1     0 /sbin/init\n");
    let mut idle = IdleTracker::default();
    idle.observe(0, &observe(&c, &quiet).unwrap(), rules);
    let actions = idle.observe(600, &observe(&c, &quiet).unwrap(), rules);
    assert!(
        actions.contains(&IdleAction::StopVm("dev".into())),
        "{actions:?}"
    );
    assert!(!actions.contains(&IdleAction::StopVm("idle".into())));
    assert!(!actions.contains(&IdleAction::StopVm("stranger".into())));
}
