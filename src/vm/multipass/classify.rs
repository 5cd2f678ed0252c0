//! How Multipass's stderr text and exit codes map to [`VmError`]s.
//!
//! Multipass prints `<command> failed: <message>` (sometimes followed by
//! `The following errors occurred:` and one line per instance) and exits 2; client-side
//! checks exit 1; a client-side `--timeout` exits 5. The mapping below goes by the message
//! text (the exact strings are in `tests/fixtures/multipass/errors.txt`), then by exit code.

use std::path::PathBuf;

use crate::vm::error::{Missing, Text, VmError, BECOME_READY};

/// The backend's name in [`VmError::Backend`] values (as the config spells it).
pub const BACKEND: &str = "multipass";

/// A failure only Multipass has, in its words and with its own way out.
fn own(message: Text, hints: Vec<Text>) -> VmError {
    VmError::Backend {
        backend: BACKEND,
        message,
        hints,
    }
}

/// Multipass is not installed (`detail`: where agsekit looked), with how to install it or
/// point agsekit at it.
pub fn not_installed(detail: Missing) -> VmError {
    VmError::NotInstalled {
        program: "Multipass".to_string(),
        detail,
        hints: vec![
            crate::text_key!("vm_hint.not_installed"),
            crate::text_key!("vm_hint.not_installed_env"),
        ],
    }
}

/// The daemon cannot be reached (its socket refuses connections).
pub fn daemon_unreachable() -> VmError {
    own(
        crate::text_key!("vm_error.daemon_unreachable"),
        vec![crate::text_key!("vm_hint.daemon_unreachable")],
    )
}

/// The user may not use the daemon's socket.
pub fn socket_denied() -> VmError {
    own(
        crate::text_key!("vm_error.socket_denied"),
        vec![crate::text_key!("vm_hint.socket_denied")],
    )
}

/// Mounts are switched off (`local.privileged-mounts`).
pub fn mounts_disabled() -> VmError {
    own(
        crate::text_key!("vm_error.mounts_disabled"),
        vec!["multipass set local.privileged-mounts=true".into()],
    )
}

/// A native mount was asked of a running VM.
pub fn native_mount_needs_stop(vm: &str) -> VmError {
    own(
        crate::text_key!("vm_error.native_mount", vm = vm),
        vec![format!("agsekit stop-vm {vm}").into()],
    )
}

/// `multipass-sshfs` could not be installed in the VM.
pub fn mount_support_missing(vm: &str) -> VmError {
    own(
        crate::text_key!("vm_error.mount_support", vm = vm),
        vec![crate::text_key!("vm_hint.mount_support", vm = vm)],
    )
}

/// Multipass cannot tell the VM's state; forcing it off is Multipass's own way out.
pub fn unknown_state(name: &str) -> VmError {
    own(
        crate::text_key!("vm_error.unknown_state", name = name),
        vec![crate::text_key!("vm_hint.unknown_state", name = name)],
    )
}

/// Multipass refuses a graceful stop of a suspended VM.
pub fn suspended_cannot_stop(name: &str) -> VmError {
    own(
        crate::text_key!("vm_error.suspended", name = name),
        vec![crate::text_key!("vm_hint.suspended", name = name)],
    )
}

/// The multipass client refused the arguments agsekit gave it (a bug in agsekit).
pub fn bad_invocation(detail: &str) -> VmError {
    own(
        crate::text_key!("vm_error.bad_invocation", detail = detail),
        vec![crate::text_key!("vm_hint.bug")],
    )
}

/// The text between `prefix` and `suffix` in `line`, when `line` has that shape.
fn between<'a>(line: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    let start = line.find(prefix)? + prefix.len();
    let rest = &line[start..];
    let end = rest.find(suffix)?;
    Some(&rest[..end])
}

/// Removes the `<command> failed: ` prefix Multipass puts on the first line.
fn strip_failed_prefix(line: &str) -> &str {
    let trimmed = line.trim();
    if let Some(pos) = trimmed.find(" failed: ") {
        let head = &trimmed[..pos];
        if !head.is_empty() && head.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return &trimmed[pos + " failed: ".len()..];
        }
    }
    trimmed
}

/// Maps one message line (prefix already removed) to an error, if it is one Multipass prints.
fn match_line(line: &str) -> Option<VmError> {
    let name = |s: &str| s.to_string();
    if line.contains("cannot connect to the multipass socket") {
        return Some(daemon_unreachable());
    }
    if line.contains("multipass socket access denied") {
        return Some(socket_denied());
    }
    for (prefix, suffix) in [
        ("instance \"", "\" does not exist"),
        ("instance '", "' does not exist"),
        ("Instance '", "' does not exist"),
    ] {
        if let Some(n) = between(line, prefix, suffix) {
            return Some(VmError::InstanceMissing { name: name(n) });
        }
    }
    for (prefix, suffix) in [
        ("instance \"", "\" is deleted"),
        ("Instance '", "' is deleted"),
    ] {
        if let Some(n) = between(line, prefix, suffix) {
            return Some(VmError::InstanceDeleted { name: name(n) });
        }
    }
    if let Some(n) = between(line, "instance \"", "\" is not running") {
        return Some(VmError::NotRunning { name: name(n) });
    }
    if let Some(n) = between(line, "instance \"", "\" already exists") {
        return Some(VmError::AlreadyExists { name: name(n) });
    }
    if let Some(n) = between(
        line,
        "Instance '",
        "' is already running, but in an unknown state",
    ) {
        return Some(unknown_state(n));
    }
    if let Some(n) = line
        .strip_prefix("Cannot shut down suspended instance ")
        .map(|r| r.trim_end_matches('.'))
    {
        return Some(suspended_cannot_stop(n));
    }
    if line.starts_with("Invalid instance name supplied")
        || line.starts_with("Invalid memory size value supplied")
        || line.starts_with("Invalid disk size value supplied")
        || line.contains("invalid CPU count")
    {
        let detail = line.strip_prefix("Error: ").unwrap_or(line);
        return Some(VmError::InvalidLaunch {
            detail: detail.to_string(),
        });
    }
    if let Some(image) = between(line, "Unable to find an image matching \"", "\"") {
        return Some(VmError::ImageNotFound { image: name(image) });
    }
    if line.contains("Remote ") && line.contains("unknown or unreachable") {
        return Some(VmError::ImageRemoteUnreachable {
            detail: line.to_string(),
        });
    }
    if let Some(what) = between(line, "Timed out waiting for instance ", ".") {
        // `launch.`, but `to start.` and `to restart.`: the message adds its own "to".
        let what = what.strip_prefix("to ").unwrap_or(what);
        return Some(VmError::Timeout { what: name(what) });
    }
    for prefix in ["Mount source path \"", "Source path \""] {
        if let Some(p) = between(line, prefix, "\" does not exist") {
            return Some(VmError::SourceMissing {
                path: PathBuf::from(p),
            });
        }
    }
    if let Some(p) = between(line, "Source path \"", "\" is not a directory") {
        return Some(VmError::SourceNotDirectory {
            path: PathBuf::from(p),
        });
    }
    if let Some(p) = between(line, "Source path \"", "\" is not readable") {
        return Some(VmError::SourceNotReadable {
            path: PathBuf::from(p),
        });
    }
    if let Some(t) = between(line, "unable to mount to \"", "\"") {
        return Some(VmError::TargetRefused { target: name(t) });
    }
    if let Some((t, vm)) = line
        .strip_prefix('"')
        .and_then(|rest| rest.split_once("\" is already mounted in '"))
    {
        return Some(VmError::AlreadyMounted {
            vm: vm.trim_end_matches('\'').to_string(),
            target: name(t),
        });
    }
    if let Some((t, reason)) = line
        .strip_prefix("error mounting \"")
        .and_then(|rest| rest.split_once("\": "))
    {
        return Some(VmError::MountFailed {
            target: name(t),
            reason: name(reason),
        });
    }
    if let Some(vm) = between(line, "Error enabling mount support in '", "'") {
        return Some(mount_support_missing(vm));
    }
    if line.contains("Mounts are disabled on this installation of Multipass") {
        return Some(mounts_disabled());
    }
    if let Some((t, vm)) = line
        .strip_prefix("path \"")
        .and_then(|rest| rest.split_once("\" is not mounted in '"))
    {
        return Some(VmError::NotMounted {
            vm: vm.trim_end_matches('\'').to_string(),
            target: name(t),
        });
    }
    if let Some((t, rest)) = line
        .strip_prefix("failed to unmount \"")
        .and_then(|rest| rest.split_once("\" from '"))
    {
        let (vm, reason) = rest.split_once("': ").unwrap_or((rest, ""));
        return Some(VmError::UmountFailed {
            vm: vm.trim_end_matches('\'').to_string(),
            target: name(t),
            reason: name(reason),
        });
    }
    if let Some(vm) = between(
        line,
        "Please stop the instance ",
        " before attempting native mounts",
    ) {
        return Some(native_mount_needs_stop(vm));
    }
    if (line.starts_with("Target \"") && line.ends_with("\" is not a directory"))
        || line.starts_with("Only one '-' allowed")
        || line.starts_with("Source must be from inside an instance")
        || line.starts_with("Target must be inside an instance")
        || line.starts_with("An instance name is needed for either source or destination")
        || line.starts_with("Cannot specify an instance name for both source and destination")
        || line.starts_with("[sftp]")
    {
        return Some(VmError::TransferFailed {
            detail: line.to_string(),
        });
    }
    if line.starts_with("Invalid UID map given")
        || line.starts_with("Invalid GID map given")
        || line.contains("Bad mount type")
        || line.starts_with("Not enough arguments given")
        || line.starts_with("Wrong number of arguments")
        || line.starts_with("This command takes no arguments")
        || line.contains("--working-directory and --no-map-working-directory clash")
        || line.starts_with("Options to the inner command should come after")
    {
        return Some(bad_invocation(line));
    }
    None
}

/// Maps a failed Multipass command (its exit code and stderr) to an error. `command` is the
/// command line, for the generic case.
pub fn classify(command: &str, code: i32, stderr: &str) -> VmError {
    for raw in stderr.lines() {
        let line = strip_failed_prefix(raw);
        if line.is_empty() || line == "The following errors occurred:" {
            continue;
        }
        if let Some(err) = match_line(line) {
            return err;
        }
    }
    // `exec failed: <libssh error>`: the SSH connection itself failed.
    if let Some(first) = stderr.lines().next() {
        if let Some(detail) = first.trim().strip_prefix("exec failed: ") {
            return VmError::SshFailed {
                detail: detail.to_string(),
            };
        }
    }
    if code == 5 {
        return VmError::Timeout {
            what: BECOME_READY.to_string(),
        };
    }
    VmError::Failed {
        command: command.to_string(),
        code,
        stderr: stderr.trim().to_string(),
    }
}

/// True when captured `exec` output is Multipass's own complaint (before the command ran in
/// the VM), not the remote command's output. Remote commands that exit 2 and print exactly
/// `exec failed: ...` would be misread; nothing agsekit runs does that.
pub fn is_exec_failure(code: i32, stderr: &str) -> bool {
    code == 2 && stderr.starts_with("exec failed: ")
}

/// True when captured `exec` output is the VM shell refusing to `cd` into `workdir`
/// (`bash: line 1: cd: DIR: No such file or directory`, exit 1).
pub fn is_missing_workdir(code: i32, stderr: &str, workdir: &str) -> bool {
    code == 1
        && stderr.lines().next().is_some_and(|first| {
            first.ends_with(&format!("cd: {workdir}: No such file or directory"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use proptest::prelude::prop;

    fn c(code: i32, stderr: &str) -> VmError {
        classify("multipass x", code, stderr)
    }

    fn missing(name: &str) -> VmError {
        VmError::InstanceMissing { name: name.into() }
    }

    /// Every error text in tests/fixtures/multipass/errors.txt (a copy of the Multipass
    /// contract notes), in file order, with the error it must map to.
    #[test]
    fn every_error_string_of_the_contract_maps_to_a_typed_error() {
        let vm = || "vm".to_string();
        let cases: Vec<(i32, &str, VmError)> = vec![
            // 1. Instance does not exist
            (2, "info failed: The following errors occurred:\ninstance \"nope\" does not exist\n", missing("nope")),
            (2, "exec failed: The following errors occurred:\ninstance \"nope\" does not exist\nexec failed: The following errors occurred:\ninstance \"nope\" does not exist\n", missing("nope")),
            (2, "shell failed: The following errors occurred:\ninstance \"nope\" does not exist\n", missing("nope")),
            (2, "start failed: instance(s) missing\nInstance 'nope' does not exist.\n\n", missing("nope")),
            (2, "stop failed: The following errors occurred:\ninstance \"nope\" does not exist\n", missing("nope")),
            (2, "delete failed: The following errors occurred:\ninstance \"nope\" does not exist\n", missing("nope")),
            (2, "mount failed: The following errors occurred:\ninstance 'nope' does not exist\n", missing("nope")),
            (2, "umount failed: The following errors occurred:\ninstance 'nope' does not exist\n", missing("nope")),
            (2, "transfer failed: The following errors occurred:\ninstance \"nope\" does not exist\n", missing("nope")),
            // 2. Stopped
            (2, "transfer failed: instance \"vm\" is not running\n", VmError::NotRunning { name: vm() }),
            (2, "restart failed: Instance 'vm' is already running, but in an unknown state.\nTry to stop and start it instead.\n", unknown_state("vm")),
            (2, "start failed: Instance 'vm' is already running, but in an unknown state.\nTry to stop it first.\n", unknown_state("vm")),
            (2, "stop failed: Cannot shut down suspended instance vm.\n", suspended_cannot_stop("vm")),
            (2, "mount failed: Please stop the instance vm before attempting native mounts.\n", native_mount_needs_stop("vm")),
            // 3. Deleted
            (2, "exec failed: The following errors occurred:\ninstance \"gone\" is deleted\n", VmError::InstanceDeleted { name: "gone".into() }),
            (2, "start failed: instance(s) missing\nInstance 'gone' is deleted. Use 'recover' to recover it or 'purge' to permanently delete it.\n\n", VmError::InstanceDeleted { name: "gone".into() }),
            // 4. Launch
            (2, "launch failed: instance \"vm\" already exists\n", VmError::AlreadyExists { name: vm() }),
            (2, "launch failed: Invalid arguments supplied\nInvalid instance name supplied: bad_name\n", VmError::InvalidLaunch { detail: "Invalid instance name supplied: bad_name".into() }),
            (2, "launch failed: Invalid arguments supplied\nInvalid memory size value supplied: 100M.\n", VmError::InvalidLaunch { detail: "Invalid memory size value supplied: 100M.".into() }),
            (2, "launch failed: Invalid arguments supplied\nInvalid disk size value supplied: 100M.\n", VmError::InvalidLaunch { detail: "Invalid disk size value supplied: 100M.".into() }),
            (1, "Error: invalid CPU count '0', need a positive integer value.\n", VmError::InvalidLaunch { detail: "invalid CPU count '0', need a positive integer value.".into() }),
            (2, "launch failed: Unable to find an image matching \"doesnotexist\" in remote \"release\".\n", VmError::ImageNotFound { image: "doesnotexist".into() }),
            (1, "Mount source path \"/nonexistent\" does not exist\n", VmError::SourceMissing { path: "/nonexistent".into() }),
            (5, "Timed out waiting for instance launch.\n", VmError::Timeout { what: "launch".into() }),
            // 5. Mount / umount
            (1, "Source path \"/srv/project\" does not exist\n", VmError::SourceMissing { path: "/srv/project".into() }),
            (1, "Source path \"/etc/hosts\" is not a directory\n", VmError::SourceNotDirectory { path: "/etc/hosts".into() }),
            (1, "Source path \"/root/x\" is not readable\n", VmError::SourceNotReadable { path: "/root/x".into() }),
            (1, "Invalid UID map given: 1000\n", bad_invocation("Invalid UID map given: 1000")),
            (1, "Invalid GID map given: x:y\n", bad_invocation("Invalid GID map given: x:y")),
            (1, "error: Bad mount type 'x' specified, please use 'classic' or 'native'\n", bad_invocation("error: Bad mount type 'x' specified, please use 'classic' or 'native'")),
            (1, "Not enough arguments given\n", bad_invocation("Not enough arguments given")),
            (2, "mount failed: The following errors occurred:\nunable to mount to \"/home/ubuntu\"\n", VmError::TargetRefused { target: "/home/ubuntu".into() }),
            (2, "mount failed: The following errors occurred:\n\"/home/ubuntu/proj\" is already mounted in 'vm'\n", VmError::AlreadyMounted { vm: vm(), target: "/home/ubuntu/proj".into() }),
            (2, "mount failed: The following errors occurred:\nerror mounting \"/home/ubuntu/proj\": sshfs died\n", VmError::MountFailed { target: "/home/ubuntu/proj".into(), reason: "sshfs died".into() }),
            (2, "mount failed: Error enabling mount support in 'vm'\n\nPlease install the 'multipass-sshfs' snap manually inside the instance.\n", mount_support_missing("vm")),
            (2, "mount failed: Mounts are disabled on this installation of Multipass.\n\nSee https://canonical.com/multipass/docs/set-command#local.privileged-mounts for information\non how to enable them.\n", mounts_disabled()),
            (2, "umount failed: The following errors occurred:\npath \"/home/ubuntu/other\" is not mounted in 'vm'\n", VmError::NotMounted { vm: vm(), target: "/home/ubuntu/other".into() }),
            (2, "umount failed: The following errors occurred:\nfailed to unmount \"/home/ubuntu/proj\" from 'vm': device busy\n", VmError::UmountFailed { vm: vm(), target: "/home/ubuntu/proj".into(), reason: "device busy".into() }),
            // 6. exec specifics
            (1, "Options --working-directory and --no-map-working-directory clash\n", bad_invocation("Options --working-directory and --no-map-working-directory clash")),
            (1, "Wrong number of arguments\n", bad_invocation("Wrong number of arguments")),
            (1, "Unknown option 'la'.\n\nOptions to the inner command should come after \"--\", like this:\nmultipass exec <instance> -- <command>\n", bad_invocation("Options to the inner command should come after \"--\", like this:")),
            (2, "exec failed: Connection refused\n", VmError::SshFailed { detail: "Connection refused".into() }),
            // 7. Daemon / socket
            (2, "list failed: cannot connect to the multipass socket\n", daemon_unreachable()),
            (2, "list failed: multipass socket access denied\n", socket_denied()),
            // B5/B7 lines of CLI.md
            (2, "transfer failed: Target \"vm:/x\" is not a directory\n", VmError::TransferFailed { detail: "Target \"vm:/x\" is not a directory".into() }),
            (1, "Only one '-' allowed\n", VmError::TransferFailed { detail: "Only one '-' allowed".into() }),
            (1, "Source must be from inside an instance\n", VmError::TransferFailed { detail: "Source must be from inside an instance".into() }),
            (1, "Target must be inside an instance\n", VmError::TransferFailed { detail: "Target must be inside an instance".into() }),
            (1, "An instance name is needed for either source or destination\n", VmError::TransferFailed { detail: "An instance name is needed for either source or destination".into() }),
            (1, "Cannot specify an instance name for both source and destination\n", VmError::TransferFailed { detail: "Cannot specify an instance name for both source and destination".into() }),
            (2, "transfer failed: [sftp] remote target does not exist\n", VmError::TransferFailed { detail: "[sftp] remote target does not exist".into() }),
            (1, "This command takes no arguments\n", bad_invocation("This command takes no arguments")),
        ];
        for (code, stderr, expected) in cases {
            assert_eq!(c(code, stderr), expected, "stderr: {stderr:?}");
        }
    }

    #[test]
    fn the_missing_workdir_line_from_the_vm_shell_is_recognised() {
        let stderr = "bash: line 1: cd: /nope: No such file or directory\n";
        assert!(is_missing_workdir(1, stderr, "/nope"));
        assert!(!is_missing_workdir(1, stderr, "/other"));
        assert!(!is_missing_workdir(2, stderr, "/nope"));
    }

    #[test]
    fn exec_failures_are_told_apart_from_remote_output() {
        assert!(is_exec_failure(
            2,
            "exec failed: The following errors occurred:\ninstance \"nope\" does not exist\n"
        ));
        assert!(!is_exec_failure(2, "grep: x: No such file\n"));
        assert!(!is_exec_failure(1, "exec failed: x"));
    }

    /// Multipass writes `...instance launch.` but `...instance to start.`: the step is kept
    /// without the "to", and each known step reads naturally in both languages.
    #[test]
    fn timeouts_name_the_step_in_each_language() {
        let start = c(5, "Timed out waiting for instance to start.\n");
        assert_eq!(
            start,
            VmError::Timeout {
                what: "start".into()
            }
        );
        assert_eq!(
            start.message_in(Lang::En),
            "gave up waiting for the VM to start"
        );
        assert_eq!(
            start.message_in(Lang::Ru),
            "истекло время ожидания запуска ВМ"
        );
        let ready = c(5, "something new\n");
        assert_eq!(
            ready.message_in(Lang::En),
            "gave up waiting for the VM to become ready"
        );
        assert_eq!(
            ready.message_in(Lang::Ru),
            "истекло время ожидания готовности ВМ"
        );
        let odd = VmError::Timeout {
            what: "warp".into(),
        };
        assert_eq!(odd.message_in(Lang::Ru), "истекло время ожидания ВМ (warp)");
    }

    #[test]
    fn unknown_text_falls_back_to_the_exit_code() {
        assert_eq!(
            c(5, "something new\n"),
            VmError::Timeout {
                what: "become ready".into()
            }
        );
        assert_eq!(
            c(2, "frobnicate failed: the flux capacitor is empty\n"),
            VmError::Failed {
                command: "multipass x".into(),
                code: 2,
                stderr: "frobnicate failed: the flux capacitor is empty".into()
            }
        );
    }

    /// The error texts in the contract notes (tests/fixtures/multipass/errors.txt), found
    /// mechanically: each `$ multipass ...` example up to its `exit: N` line, each
    /// `<text>   exit N` line, and the lists of daemon-side lines of the mount section.
    fn contract_errors() -> Vec<(i32, String)> {
        let text = include_str!("../../../tests/fixtures/multipass/errors.txt");
        let lines: Vec<&str> = text.lines().collect();
        let strip_note = |l: &str| -> String {
            let cut = l.find("  [").or_else(|| l.find("  (")).unwrap_or(l.len());
            l[..cut].trim_end().to_string()
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            if line.starts_with("$ ") && !line.contains("->") {
                let mut block: Vec<String> = Vec::new();
                while i < lines.len() {
                    let l = lines[i];
                    if l.starts_with("$ ") || l.starts_with("####") {
                        break;
                    }
                    i += 1;
                    if let Some(rest) = l.strip_prefix("exit:") {
                        let code: i32 = rest.split_whitespace().next().unwrap().parse().unwrap();
                        if code != 0 {
                            out.push((code, block.join("\n")));
                        }
                        break;
                    }
                    if l.starts_with('(') || l.starts_with('<') {
                        continue;
                    }
                    block.push(strip_note(l));
                }
            } else if let Some(pos) = line.find("  exit ") {
                let message = line[..pos].trim();
                let code = line[pos..].trim_start().trim_start_matches("exit ");
                let code: i32 = code.split_whitespace().next().unwrap().parse().unwrap();
                if !message.is_empty() && !line.starts_with(' ') {
                    out.push((code, message.to_string()));
                }
            } else if line.starts_with("Daemon-side errors")
                || line.starts_with("umount daemon-side")
            {
                while i < lines.len() && !lines[i].trim().is_empty() {
                    out.push((2, strip_note(lines[i])));
                    i += 1;
                }
            } else if line.starts_with("Other mount failures") {
                while i < lines.len() && !lines[i].starts_with("umount daemon-side") {
                    if lines[i].starts_with("mount failed:") {
                        out.push((2, lines[i].to_string()));
                    }
                    i += 1;
                }
            }
        }
        out
    }

    #[test]
    fn every_error_in_the_contract_file_is_recognised() {
        let errors = contract_errors();
        // The file has about fifty error texts; a parser that finds few has broken.
        assert!(
            errors.len() >= 40,
            "only {} found: {errors:#?}",
            errors.len()
        );
        for (code, stderr) in &errors {
            if let Some(dir) = between(stderr, "cd: ", ": No such file or directory") {
                assert!(is_missing_workdir(*code, stderr, dir), "{stderr:?}");
                continue;
            }
            let err = c(*code, stderr);
            assert!(
                !matches!(err, VmError::Failed { .. }),
                "not recognised (exit {code}): {stderr:?}"
            );
        }
    }

    #[test]
    fn image_server_trouble_is_transient() {
        let err = c(
            2,
            "launch failed: Remote \"release\" is unknown or unreachable.\n",
        );
        assert!(
            matches!(err, VmError::ImageRemoteUnreachable { .. }),
            "{err:?}"
        );
        assert!(err.is_transient());
        assert!(!missing("x").is_transient());
    }

    proptest::proptest! {
        /// Any stderr text maps to some error without panicking.
        #[test]
        fn classify_never_panics(code in -1i32..256, stderr in "(\\PC|\n){0,300}") {
            let _ = c(code, &stderr);
            let _ = is_missing_workdir(code, &stderr, "/w");
            let _ = is_exec_failure(code, &stderr);
        }

        #[test]
        fn classify_never_panics_on_near_misses(
            prefix in prop::sample::select(vec!["instance \"", "Instance '", "Source path \"", "\"", "path \"", "failed to unmount \"", "error mounting \"", "exec failed: ", "x failed: "]),
            middle in "\\PC{0,20}",
            suffix in prop::sample::select(vec!["", "\"", "'", "\" is already mounted in '", "\" from '", "': ", "\": "]),
        ) {
            let _ = c(2, &format!("{prefix}{middle}{suffix}"));
        }
    }
}
