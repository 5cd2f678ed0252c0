//! The CLI frame: version, completions, usage errors and their exit codes.

use predicates::prelude::*;

use crate::support::Sandbox;

#[test]
fn version_prints_the_crate_version() {
    let sb = Sandbox::new();
    sb.agsekit()
        .arg("version")
        .assert()
        .success()
        .stdout(format!(
            "Installed version: {}\n",
            env!("CARGO_PKG_VERSION")
        ));
}

#[test]
fn unknown_command_is_a_usage_error_with_exit_2() {
    let sb = Sandbox::new();
    sb.agsekit()
        .arg("no-such-command")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-command"));
}

#[test]
fn completions_for_bash_name_the_commands() {
    let sb = Sandbox::new();
    sb.agsekit()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_agsekit()").and(predicate::str::contains("version")));
}
