//! `status::collect` driven through the in-memory backend (`vm::testutil::Memory`): what it
//! reports for running, stopped and unknown VMs, mounts and agents, and for a backend that is
//! missing or down. No CLI text, no fake program.

use base64::Engine;

use super::collect;
use super::warning::Warning;
use crate::config::{load_from_str, Config};
use crate::i18n::Lang;
use crate::vm::testutil::Memory;
use crate::vm::{Missing, VmError, VmState};

fn config() -> Config {
    let yaml = "vms:\n  dev: {cpu: 1, ram: 1G, disk: 1G}\n  idle: {cpu: 1, ram: 1G, disk: 1G}\n  never: {cpu: 1, ram: 1G, disk: 1G}\nmounts:\n  - {source: /home/u/p, target: /home/ubuntu/p, vm: dev}\n  - {source: /home/u/q, target: /home/ubuntu/q, vm: idle}\nagents:\n  cx: {type: codex}\n";
    load_from_str(
        yaml,
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

#[test]
fn running_and_stopped_vms_their_mounts_and_the_agents_in_them() {
    let c = config();
    let m = Memory::new("m")
        .with_vm("dev", VmState::Running)
        .with_mount("dev", "/home/u/p", "/home/ubuntu/p")
        .with_vm("idle", VmState::Stopped)
        .with_mount("idle", "/home/u/q", "/home/ubuntu/q")
        .answer_exec(&ps_with_codex());
    let s = collect(&c, &m);

    assert!(s.backend.available);
    assert_eq!(s.backend.name, "m");
    let states: Vec<(&str, &str)> = s
        .vms
        .iter()
        .map(|v| (v.name.as_str(), v.state.as_str()))
        .collect();
    assert_eq!(
        states,
        [("dev", "running"), ("idle", "stopped"), ("never", "absent")]
    );

    // Only the running VM is asked for its processes.
    let execs: Vec<String> = m
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("exec "))
        .collect();
    assert_eq!(execs.len(), 1, "{execs:?}");
    assert!(execs[0].starts_with("exec dev ps "), "{execs:?}");

    assert_eq!(s.agents.len(), 1, "{:?}", s.agents);
    assert_eq!(s.agents[0].vm, "dev");
    assert_eq!(s.agents[0].mount_source.as_deref(), Some("/home/u/p"));

    let p = &s.mounts[0];
    assert_eq!(
        (p.vm.as_str(), p.mounted, p.agents_running),
        ("dev", Some(true), 1)
    );
    // A stopped VM keeps its registered mount: it counts as mounted, with no agent.
    let q = &s.mounts[1];
    assert_eq!(
        (q.vm.as_str(), q.mounted, q.agents_running),
        ("idle", Some(true), 0)
    );
    assert!(!s
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::BackendMissing | Warning::BackendDown(_))));
}

#[test]
fn a_folder_shared_at_the_target_from_elsewhere_is_not_the_mount() {
    let c = config();
    let m = Memory::new("m")
        .with_vm("dev", VmState::Running)
        .with_mount("dev", "/somewhere/else", "/home/ubuntu/p")
        .answer_exec("");
    let s = collect(&c, &m);
    assert_eq!(s.mounts[0].mounted, Some(false));
    assert!(s.agents.is_empty());
}

#[test]
fn a_missing_backend_and_a_backend_that_is_down_are_told_apart() {
    let c = config();
    let missing = Memory::new("m").down(VmError::NotInstalled {
        program: "Hypervisor".into(),
        detail: Missing::NotOnPath("hv".into()),
        hints: vec!["install it".into()],
    });
    let s = collect(&c, &missing);
    assert!(!s.backend.available);
    assert!(s
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::BackendMissing)));
    assert!(s
        .backend
        .error
        .as_deref()
        .is_some_and(|e| e.starts_with("Hypervisor is not installed: ")));
    assert_eq!(s.backend.hints, ["install it"]);
    // Nothing is known about the VMs or mounts, and no VM was asked anything.
    assert!(s.vms.iter().all(|v| v.state != "running"));
    assert!(s.mounts.iter().all(|m| m.mounted.is_none()));
    assert!(!missing.calls().iter().any(|c| c.starts_with("exec ")));

    let down = VmError::Timeout {
        what: "list".into(),
    };
    let s = collect(&c, &Memory::new("m").down(down.clone()));
    assert!(s
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::BackendDown(e) if *e == down)));
    // Scripts read the English text whatever the user's language.
    assert_eq!(s.backend.error, Some(down.message_in(Lang::En)));
    assert_eq!(s.backend.problem, Some(down));
}
