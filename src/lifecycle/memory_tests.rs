//! VM lifecycle driven through the in-memory backend (`vm::testutil::Memory`): which calls
//! the backend gets and what state the VMs end in. No CLI text, no fake program.

use std::cell::RefCell;
use std::time::Duration;

use super::mounts::{mount_one, Outcome};
use super::stop::{destroy_vm, remount, start_vm, stop_vm, DestroyOutcome, StopOutcome};
use super::testutil::config;
use crate::t;
use crate::vm::testutil::Memory;
use crate::vm::VmState;

const YAML: &str = "vms:\n  dev: {cpu: 1, ram: 1G, disk: 1G}\nmounts:\n  - {source: /home/u/p, target: /home/ubuntu/p, vm: dev}\n  - {source: /home/u/q, target: /home/ubuntu/q, vm: dev}\n";

/// A notice callback that keeps what it was told.
fn notices() -> RefCell<Vec<String>> {
    RefCell::new(Vec::new())
}

#[test]
fn stopping_a_running_vm_unmounts_its_configured_mounts_first_then_stops_it() {
    let c = config(YAML);
    // `q` is configured but not mounted; `/srv/other` is mounted but not configured.
    let m = Memory::new("m")
        .with_vm("dev", VmState::Running)
        .with_mount("dev", "/home/u/p", "/home/ubuntu/p")
        .with_mount("dev", "/x", "/srv/other");
    let told = notices();
    let out = stop_vm(&c, &m, "dev", Duration::from_secs(5), &|n| {
        told.borrow_mut().push(n.to_string())
    })
    .unwrap();
    assert_eq!(out, StopOutcome::Stopped);
    assert_eq!(
        m.changes(),
        ["umount dev /home/ubuntu/p", "stop dev graceful"]
    );
    assert_eq!(m.state_of("dev"), Some(VmState::Stopped));
    assert_eq!(
        m.mounts_of("dev"),
        ["/srv/other"],
        "only configured mounts go"
    );
    assert_eq!(
        told.into_inner(),
        [t!(
            "lifecycle.stop.unmounted",
            target = "/home/ubuntu/p",
            name = "dev"
        )]
    );
}

#[test]
fn a_stopped_vm_is_left_alone() {
    let c = config(YAML);
    let m = Memory::new("m")
        .with_vm("dev", VmState::Stopped)
        .with_mount("dev", "/home/u/p", "/home/ubuntu/p");
    let out = stop_vm(&c, &m, "dev", Duration::from_secs(5), &|_| {}).unwrap();
    assert_eq!(out, StopOutcome::WasDown);
    assert!(m.changes().is_empty(), "{:?}", m.changes());
    assert_eq!(m.state_of("dev"), Some(VmState::Stopped));
    assert_eq!(m.mounts_of("dev"), ["/home/ubuntu/p"]);
}

#[test]
fn a_suspended_vm_is_resumed_then_unmounted_and_shut_down() {
    // A paused guest cannot shut down: it is resumed first, then stopped like a running one
    // (it used to be reported as "was not running" and left suspended).
    let c = config(YAML);
    let m = Memory::new("m")
        .with_vm("dev", VmState::Suspended)
        .with_mount("dev", "/home/u/p", "/home/ubuntu/p");
    let told = notices();
    let out = stop_vm(&c, &m, "dev", Duration::from_secs(5), &|n| {
        told.borrow_mut().push(n.to_string())
    })
    .unwrap();
    assert_eq!(out, StopOutcome::Stopped);
    assert_eq!(
        m.changes(),
        [
            "start dev",
            "umount dev /home/ubuntu/p",
            "stop dev graceful"
        ]
    );
    assert_eq!(m.state_of("dev"), Some(VmState::Stopped));
    assert_eq!(
        told.into_inner()[0],
        t!("lifecycle.stop.resuming", name = "dev")
    );
}

#[test]
fn a_vm_that_ignores_the_graceful_stop_is_forced_off() {
    let c = config(YAML);
    let m = Memory::new("m")
        .with_vm("dev", VmState::Running)
        .ignoring_graceful_stop();
    let told = notices();
    // No time to wait: the first look after the graceful stop decides.
    let out = stop_vm(&c, &m, "dev", Duration::ZERO, &|n| {
        told.borrow_mut().push(n.to_string())
    })
    .unwrap();
    assert_eq!(out, StopOutcome::Forced);
    assert_eq!(m.changes(), ["stop dev graceful", "stop dev force"]);
    assert_eq!(m.state_of("dev"), Some(VmState::Stopped));
    assert_eq!(
        told.into_inner(),
        [t!("lifecycle.stop.timeout", name = "dev", secs = 0)]
    );
}

#[test]
fn stopping_a_missing_or_deleted_vm_fails_and_changes_nothing() {
    let c = config(YAML);
    let m = Memory::new("m").with_vm("gone", VmState::Deleted);
    let err = stop_vm(&c, &m, "dev", Duration::ZERO, &|_| {}).unwrap_err();
    let user = err.downcast_ref::<crate::error::UserError>().unwrap();
    assert!(
        user.hints.iter().any(|h| h == "agsekit create-vm dev"),
        "{user:?}"
    );
    let err = stop_vm(&c, &m, "gone", Duration::ZERO, &|_| {}).unwrap_err();
    let user = err.downcast_ref::<crate::error::UserError>().unwrap();
    assert_eq!(user.message, t!("lifecycle.stop.deleted", name = "gone"));
    assert!(m.changes().is_empty(), "{:?}", m.changes());
}

#[test]
fn start_resumes_a_suspended_vm_and_remount_mounts_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (p, q) = (dir.path().join("p"), dir.path().join("q"));
    std::fs::create_dir(&p).unwrap();
    std::fs::create_dir(&q).unwrap();
    let c = config(&format!(
        "vms:\n  dev: {{cpu: 1, ram: 1G, disk: 1G}}\nmounts:\n  - {{source: {}, target: /home/ubuntu/p, vm: dev}}\n  - {{source: {}, target: /home/ubuntu/q, vm: dev}}\n",
        p.display(),
        q.display()
    ));
    // `b` shares any host path (the sources are under the temporary folder).
    let m = Memory::new("b")
        .with_vm("dev", VmState::Suspended)
        .with_mount("dev", &p.display().to_string(), "/home/ubuntu/p");
    start_vm(&m, "dev").unwrap();
    assert_eq!(m.state_of("dev"), Some(VmState::Running));
    let done = remount(&c, &m, c.vms.get("dev").unwrap(), &|n| {
        panic!("no notice expected: {n}")
    });
    assert_eq!(done, ["/home/ubuntu/q"], "p was mounted already");
    assert_eq!(m.mounts_of("dev"), ["/home/ubuntu/p", "/home/ubuntu/q"]);
    assert_eq!(
        m.changes(),
        [
            "start dev",
            "mount dev /home/ubuntu/p",
            "mount dev /home/ubuntu/q"
        ]
    );
    assert_eq!(
        mount_one(&m, &c.mounts[0]).unwrap(),
        Outcome::AlreadyThere,
        "mounting twice is not an error"
    );
}

#[test]
fn destroy_purges_the_vm_and_a_missing_one_is_reported_as_such() {
    let m = Memory::new("m").with_vm("dev", VmState::Stopped);
    assert_eq!(destroy_vm(&m, "dev").unwrap(), DestroyOutcome::Destroyed);
    assert_eq!(m.state_of("dev"), None);
    assert_eq!(destroy_vm(&m, "dev").unwrap(), DestroyOutcome::Missing);
    assert_eq!(m.changes(), ["delete dev", "delete dev"]);
}
