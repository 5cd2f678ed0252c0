//! The session's checks and calls around the launcher, driven through the in-memory backend
//! (`vm::testutil::Memory`): which calls the VM gets and what the session concludes. No CLI
//! text, no fake program.

use super::*;
use crate::vm::testutil::Memory;

fn user_error(err: &anyhow::Error) -> &UserError {
    find_user_error(err).expect("a user error")
}

#[test]
fn the_pre_run_check_needs_the_vm_to_exist_in_any_state_and_changes_nothing() {
    for state in [VmState::Running, VmState::Stopped, VmState::Suspended] {
        let m = Memory::new("m").with_vm("dev", state.clone());
        check_vm_exists(&m, "dev").unwrap();
        assert_eq!(m.calls(), ["state dev"], "{state:?}: one state call");
        assert_eq!(m.state_of("dev"), Some(state), "left as it was");
    }
    let m = Memory::new("m");
    let err = check_vm_exists(&m, "dev").unwrap_err();
    let user = user_error(&err);
    assert_eq!(user.kind, ErrorKind::Vm);
    assert_eq!(user.hints, ["agsekit create-vm dev"]);
    assert!(m.changes().is_empty());
}

#[test]
fn after_an_ambiguous_exit_a_stopped_vm_is_reported_with_the_command_that_starts_it() {
    let m = Memory::new("m").with_vm("dev", VmState::Running);
    check_vm_usable(&m, "dev").unwrap();
    let m = Memory::new("m").with_vm("dev", VmState::Stopped);
    let err = check_vm_usable(&m, "dev").unwrap_err();
    let user = user_error(&err);
    assert_eq!(user.kind, ErrorKind::Vm);
    assert_eq!(user.hints, ["agsekit start-vm dev"]);
    assert!(user.message.contains("dev"), "{}", user.message);
    assert!(m.changes().is_empty(), "the session starts nothing itself");
    assert_eq!(m.state_of("dev"), Some(VmState::Stopped));
}

#[test]
fn the_agents_exit_code_and_the_launchers_reason_come_from_the_status_record() {
    let m = Memory::new("m")
        .with_vm("dev", VmState::Running)
        .answer_exec("agent 3\n");
    assert_eq!(read_status(&m, "dev", "s1"), 3);
    assert_eq!(
        m.changes(),
        [format!("exec dev {LAUNCHER_PATH} --read-status s1")]
    );

    let odd = Memory::new("m")
        .with_vm("dev", VmState::Running)
        .answer_exec("nonsense\n");
    assert_eq!(read_status(&odd, "dev", "s1"), code::SEE_STATUS);
    // A VM that went away meanwhile: the launcher's own code stands.
    let stopped = Memory::new("m").with_vm("dev", VmState::Stopped);
    assert_eq!(read_status(&stopped, "dev", "s1"), code::SEE_STATUS);

    let m = Memory::new("m")
        .with_vm("dev", VmState::Running)
        .answer_exec("launcher 242 the folder is empty\n");
    assert_eq!(
        launcher_reason(&m, "dev", "s1").as_deref(),
        Some("the folder is empty")
    );
    let m = Memory::new("m")
        .with_vm("dev", VmState::Running)
        .answer_exec("agent 0\n");
    assert_eq!(launcher_reason(&m, "dev", "s1"), None);
}

#[test]
fn an_interrupted_session_asks_the_launcher_to_stop_it_and_a_gone_vm_is_no_error() {
    let m = Memory::new("m").with_vm("dev", VmState::Running);
    stop_remote_session(&m, "dev", "s1");
    assert_eq!(m.changes(), [format!("exec dev {LAUNCHER_PATH} --kill s1")]);
    let gone = Memory::new("m");
    stop_remote_session(&gone, "dev", "s1");
    assert_eq!(
        gone.changes(),
        [format!("exec dev {LAUNCHER_PATH} --kill s1")]
    );
}

#[test]
fn the_launcher_check_runs_test_x_and_a_missing_vm_is_an_error() {
    let m = Memory::new("m").with_vm("dev", VmState::Running);
    assert!(launcher_present(&m, "dev").unwrap());
    assert_eq!(m.changes(), [format!("exec dev test -x {LAUNCHER_PATH}")]);
    let err = launcher_present(&Memory::new("m"), "dev").unwrap_err();
    assert_eq!(user_error(&err).hints, ["agsekit create-vm dev"]);
}
