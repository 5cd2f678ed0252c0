//! One script run in a VM ([`ScriptRun`]), the base provisioning script, and the parser of
//! the scripts' final `AGSEKIT-RESULT` line.

use crate::vm::{ExecSpec, ExecStdin};

/// The folder scripts run in (the VM user's home).
pub const VM_WORKDIR: &str = crate::vm::GUEST_HOME;

/// `agent_scripts/lib/common.sh`: the helpers every provisioning script uses. It is kept once
/// and put into each script when the script is sent ([`compose`]).
pub const COMMON: &str = include_str!("../../agent_scripts/lib/common.sh");

/// The line of each provisioning script that the helpers replace.
pub const COMMON_MARKER: &str =
    "# @agsekit-provision-common@ (the host sends agent_scripts/lib/common.sh in place of this line)\n";

/// A script as it is sent: its text with the shared helpers in place of [`COMMON_MARKER`],
/// so what reaches `bash -s` is self-contained.
pub fn compose(script: &str) -> String {
    script.replacen(COMMON_MARKER, COMMON, 1)
}

/// `agent_scripts/base.sh`: the apt packages every agsekit VM needs.
pub const BASE_SCRIPT: &str = include_str!("../../agent_scripts/base.sh");

/// A provisioning script ready to run in a VM: the host runs `bash -s -- ARGS...` in
/// `/home/ubuntu` with the script's text on stdin (see [`ScriptRun::exec_spec`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRun {
    /// What the run installs, as the script names itself in its result line
    /// (`base`, `nodejs`, `codex`...).
    pub name: String,
    /// The script as stored (the shared helpers are added when it is sent).
    pub script: &'static str,
    /// Arguments after `bash -s --`. Never secrets.
    pub args: Vec<String>,
}

impl ScriptRun {
    /// The bytes to write to the remote bash's stdin: the script with the shared helpers.
    pub fn stdin(&self) -> Vec<u8> {
        compose(self.script).into_bytes()
    }

    /// The command that runs this script in `vm`: `bash -s -- ARGS...` in [`VM_WORKDIR`],
    /// the script (with the shared helpers) on stdin, the output captured.
    pub fn exec_spec(&self, vm: &str) -> ExecSpec {
        let mut argv = vec!["bash".to_string(), "-s".to_string(), "--".to_string()];
        argv.extend(self.args.iter().cloned());
        ExecSpec::capture(vm, VM_WORKDIR, argv).with_stdin(ExecStdin::Bytes(self.stdin()))
    }
}

/// The base provisioning run; `force` runs apt even when nothing is missing.
pub fn base_run(force: bool) -> ScriptRun {
    ScriptRun {
        name: "base".to_string(),
        script: BASE_SCRIPT,
        args: if force {
            vec!["--force".to_string()]
        } else {
            Vec::new()
        },
    }
}

/// How a script ended, from its `AGSEKIT-RESULT` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultStatus {
    /// It installed (or reinstalled) something.
    Installed,
    /// What was asked for was already there; nothing changed.
    Already,
    /// It failed; its stderr says why.
    Failed,
}

/// The parsed `AGSEKIT-RESULT NAME STATUS VERSION` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptResult {
    pub name: String,
    pub status: ResultStatus,
    /// `None` when the script printed `-` (unknown).
    pub version: Option<String>,
}

/// Finds the last well-formed `AGSEKIT-RESULT` line in a script's stdout. `None` means the
/// script died before printing one (for example the VM went away), which callers treat as a
/// failure.
pub fn parse_result(stdout: &str) -> Option<ScriptResult> {
    stdout.lines().rev().find_map(|line| {
        let mut parts = line.trim_end_matches('\r').split(' ');
        if parts.next()? != "AGSEKIT-RESULT" {
            return None;
        }
        let name = parts.next()?.to_string();
        let status = match parts.next()? {
            "installed" => ResultStatus::Installed,
            "already" => ResultStatus::Already,
            "failed" => ResultStatus::Failed,
            _ => return None,
        };
        let version = parts.next()?;
        if parts.next().is_some() || name.is_empty() || version.is_empty() {
            return None;
        }
        Some(ScriptResult {
            name,
            status,
            version: (version != "-").then(|| version.to_string()),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_on_stdin_and_the_args_after_bash_s() {
        let run = base_run(true);
        let spec = run.exec_spec("agent-ubuntu");
        assert_eq!(spec.vm, "agent-ubuntu");
        assert_eq!(spec.workdir, "/home/ubuntu");
        assert_eq!(
            spec.argv,
            ["bash", "-s", "--", "--force"].map(std::ffi::OsString::from)
        );
        assert_eq!(spec.output, crate::vm::ExecOutput::Capture);
        assert_eq!(spec.stdin, ExecStdin::Bytes(run.stdin()));
        assert!(run.stdin().starts_with(b"#!/usr/bin/env bash\n"));
        assert!(base_run(false).args.is_empty());
    }

    #[test]
    fn every_script_is_sent_with_the_shared_helpers_in_place_of_its_marker() {
        let scripts = std::iter::once(BASE_SCRIPT)
            .chain(crate::provision::BUNDLES.iter().map(|b| b.script))
            .chain(
                crate::config::AgentType::ALL
                    .iter()
                    .map(|t| crate::provision::installer(*t).script),
            );
        for script in scripts {
            assert_eq!(script.matches(COMMON_MARKER).count(), 1);
            let sent = compose(script);
            assert!(!sent.contains(COMMON_MARKER));
            assert_eq!(sent.matches(COMMON).count(), 1);
            assert_eq!(
                sent.len(),
                script.len() - COMMON_MARKER.len() + COMMON.len()
            );
        }
    }

    #[test]
    fn result_lines_are_parsed_from_the_end() {
        let out = "noise\nAGSEKIT-RESULT codex already 0.130.0\n";
        assert_eq!(
            parse_result(out),
            Some(ScriptResult {
                name: "codex".into(),
                status: ResultStatus::Already,
                version: Some("0.130.0".into())
            })
        );
        let failed = parse_result("AGSEKIT-RESULT nodejs failed -\r\n").unwrap();
        assert_eq!(failed.status, ResultStatus::Failed);
        assert_eq!(failed.version, None);
        let two = "AGSEKIT-RESULT a installed 1\nAGSEKIT-RESULT b installed 2\n";
        assert_eq!(parse_result(two).unwrap().name, "b");
    }

    #[test]
    fn malformed_result_lines_are_ignored() {
        for out in [
            "",
            "AGSEKIT-RESULT",
            "AGSEKIT-RESULT x done 1",
            "AGSEKIT-RESULT x installed",
            "AGSEKIT-RESULT x installed 1 extra",
            "agsekit-result x installed 1",
            " AGSEKIT-RESULT x installed 1",
        ] {
            assert_eq!(parse_result(out), None, "{out:?}");
        }
    }
}
