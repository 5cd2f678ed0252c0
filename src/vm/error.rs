//! What can go wrong when talking to a VM backend, as typed errors, and how Multipass's
//! stderr text and exit codes map to them.
//!
//! Multipass prints `<command> failed: <message>` (sometimes followed by
//! `The following errors occurred:` and one line per instance) and exits 2; client-side
//! checks exit 1; a client-side `--timeout` exits 5. The mapping below goes by the message
//! text (the exact strings are in `tests/fixtures/multipass/errors.txt`), then by exit code.
//! Every [`VmError`] converts into a [`UserError`] of kind `Vm` with a hint that says how to
//! get out.

use std::path::PathBuf;

use crate::error::UserError;
use crate::i18n::Lang;

/// A failure talking to a VM backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VmError {
    #[error("Multipass is not installed: {detail}")]
    NotInstalled { detail: Missing },
    #[error("the Multipass daemon cannot be reached (cannot connect to the multipass socket)")]
    DaemonUnreachable,
    #[error("access to the Multipass socket was denied")]
    SocketAccessDenied,
    #[error("VM \"{name}\" does not exist")]
    InstanceMissing { name: String },
    #[error("VM \"{name}\" is deleted (not yet purged)")]
    InstanceDeleted { name: String },
    #[error("VM \"{name}\" is not running")]
    NotRunning { name: String },
    #[error("VM \"{name}\" already exists")]
    AlreadyExists { name: String },
    #[error("VM \"{name}\" is in an unknown state")]
    UnknownState { name: String },
    #[error("VM \"{name}\" is suspended and cannot be shut down gracefully")]
    SuspendedCannotStop { name: String },
    #[error("invalid VM settings: {detail}")]
    InvalidLaunch { detail: String },
    #[error("no image matches \"{image}\"")]
    ImageNotFound { image: String },
    #[error("the image server cannot be reached: {detail}")]
    ImageRemoteUnreachable { detail: String },
    #[error("gave up waiting for the VM to {what}")]
    Timeout { what: String },
    #[error("mount source {} does not exist (or Multipass cannot see it)", path.display())]
    SourceMissing { path: PathBuf },
    #[error("mount source {} is not a directory", path.display())]
    SourceNotDirectory { path: PathBuf },
    #[error("mount source {} is not readable", path.display())]
    SourceNotReadable { path: PathBuf },
    #[error("cannot mount to \"{target}\" in a VM")]
    TargetRefused { target: String },
    #[error("\"{target}\" is already mounted in VM \"{vm}\"")]
    AlreadyMounted { vm: String, target: String },
    #[error("\"{target}\" is not mounted in VM \"{vm}\"")]
    NotMounted { vm: String, target: String },
    #[error("mounting \"{target}\" failed: {reason}")]
    MountFailed { target: String, reason: String },
    #[error("unmounting \"{target}\" from VM \"{vm}\" failed: {reason}")]
    UmountFailed {
        vm: String,
        target: String,
        reason: String,
    },
    #[error("mount support could not be enabled in VM \"{vm}\"")]
    MountSupportMissing { vm: String },
    #[error("mounts are disabled on this installation of Multipass")]
    MountsDisabled,
    #[error("VM \"{vm}\" must be stopped before a native mount")]
    NativeMountNeedsStop { vm: String },
    #[error("folder {dir} does not exist in VM \"{vm}\"")]
    WorkdirMissing { vm: String, dir: String },
    #[error("file transfer failed: {detail}")]
    TransferFailed { detail: String },
    #[error("could not reach the VM over SSH: {detail}")]
    SshFailed { detail: String },
    #[error("multipass rejected the command line agsekit built: {detail}")]
    BadInvocation { detail: String },
    #[error("`{command}` printed output agsekit cannot read: {detail}")]
    BadOutput { command: String, detail: String },
    #[error("could not start `{command}`: {detail}")]
    Spawn { command: String, detail: String },
    #[error("`{command}` failed with exit code {code}{}", stderr_suffix(stderr))]
    Failed {
        command: String,
        code: i32,
        stderr: String,
    },
}

/// Why Multipass counts as not installed; shown in each language (and in English where
/// scripts read it, such as `status --json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The program at this path does not exist.
    Program(String),
    /// The variable (`AGSEKIT_MULTIPASS`) names a path that is no executable file.
    NotExecutable { var: String, path: String },
    /// No program of this name on PATH (the shims directory left out).
    NotOnPath(String),
}

impl Missing {
    pub fn text_in(&self, lang: Lang) -> String {
        match self {
            Missing::Program(path) => {
                tr(lang, "misc.vm.program_missing", &[("path", path.clone())])
            }
            Missing::NotExecutable { var, path } => tr(
                lang,
                "misc.vm.override_not_executable",
                &[("var", var.clone()), ("path", path.clone())],
            ),
            Missing::NotOnPath(name) => tr(lang, "misc.vm.not_on_path", &[("name", name.clone())]),
        }
    }
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text_in(Lang::En))
    }
}

fn stderr_suffix(stderr: &str) -> String {
    let text = stderr.trim();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {}", text.replace('\n', " "))
    }
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
        return Some(VmError::DaemonUnreachable);
    }
    if line.contains("multipass socket access denied") {
        return Some(VmError::SocketAccessDenied);
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
        return Some(VmError::UnknownState { name: name(n) });
    }
    if let Some(n) = line
        .strip_prefix("Cannot shut down suspended instance ")
        .map(|r| r.trim_end_matches('.'))
    {
        return Some(VmError::SuspendedCannotStop { name: name(n) });
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
        return Some(VmError::MountSupportMissing { vm: name(vm) });
    }
    if line.contains("Mounts are disabled on this installation of Multipass") {
        return Some(VmError::MountsDisabled);
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
        return Some(VmError::NativeMountNeedsStop { vm: name(vm) });
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
        return Some(VmError::BadInvocation {
            detail: line.to_string(),
        });
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

/// What a timeout without a Multipass message waited for (`--timeout` ran out).
const BECOME_READY: &str = "become ready";

/// The message of a timeout: the steps Multipass names (and ours) have their own message
/// in each language; anything else is shown as Multipass wrote it.
fn timeout_message(lang: Lang, what: &str) -> String {
    let key = match what {
        "launch" => "misc.vm.timeout.launch",
        "start" => "misc.vm.timeout.start",
        "restart" => "misc.vm.timeout.restart",
        BECOME_READY => "misc.vm.timeout.ready",
        _ => return tr(lang, "vm_error.timeout", &[("what", what.to_string())]),
    };
    tr(lang, key, &[])
}

fn tr(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    crate::i18n::fill(crate::i18n::text_in(lang, key), args)
}

impl VmError {
    /// The message for a person in `lang` (English: the same text as `Display`).
    pub fn message_in(&self, lang: Lang) -> String {
        let s = |v: &str| v.to_string();
        let p = |v: &PathBuf| v.display().to_string();
        match self {
            VmError::NotInstalled { detail } => tr(
                lang,
                "vm_error.not_installed",
                &[("detail", detail.text_in(lang))],
            ),
            VmError::DaemonUnreachable => tr(lang, "vm_error.daemon_unreachable", &[]),
            VmError::SocketAccessDenied => tr(lang, "vm_error.socket_denied", &[]),
            VmError::InstanceMissing { name } => tr(lang, "vm_error.missing", &[("name", s(name))]),
            VmError::InstanceDeleted { name } => tr(lang, "vm_error.deleted", &[("name", s(name))]),
            VmError::NotRunning { name } => tr(lang, "vm_error.not_running", &[("name", s(name))]),
            VmError::AlreadyExists { name } => tr(lang, "vm_error.exists", &[("name", s(name))]),
            VmError::UnknownState { name } => {
                tr(lang, "vm_error.unknown_state", &[("name", s(name))])
            }
            VmError::SuspendedCannotStop { name } => {
                tr(lang, "vm_error.suspended", &[("name", s(name))])
            }
            VmError::InvalidLaunch { detail } => {
                tr(lang, "vm_error.invalid_launch", &[("detail", s(detail))])
            }
            VmError::ImageNotFound { image } => {
                tr(lang, "vm_error.image_not_found", &[("image", s(image))])
            }
            VmError::ImageRemoteUnreachable { detail } => {
                tr(lang, "vm_error.image_remote", &[("detail", s(detail))])
            }
            VmError::Timeout { what } => timeout_message(lang, what),
            VmError::SourceMissing { path } => {
                tr(lang, "vm_error.source_missing", &[("path", p(path))])
            }
            VmError::SourceNotDirectory { path } => {
                tr(lang, "vm_error.source_not_dir", &[("path", p(path))])
            }
            VmError::SourceNotReadable { path } => {
                tr(lang, "vm_error.source_unreadable", &[("path", p(path))])
            }
            VmError::TargetRefused { target } => {
                tr(lang, "vm_error.target_refused", &[("target", s(target))])
            }
            VmError::AlreadyMounted { vm, target } => tr(
                lang,
                "vm_error.already_mounted",
                &[("vm", s(vm)), ("target", s(target))],
            ),
            VmError::NotMounted { vm, target } => tr(
                lang,
                "vm_error.not_mounted",
                &[("vm", s(vm)), ("target", s(target))],
            ),
            VmError::MountFailed { target, reason } => tr(
                lang,
                "vm_error.mount_failed",
                &[("target", s(target)), ("reason", s(reason))],
            ),
            VmError::UmountFailed { vm, target, reason } => tr(
                lang,
                "vm_error.umount_failed",
                &[("vm", s(vm)), ("target", s(target)), ("reason", s(reason))],
            ),
            VmError::MountSupportMissing { vm } => {
                tr(lang, "vm_error.mount_support", &[("vm", s(vm))])
            }
            VmError::MountsDisabled => tr(lang, "vm_error.mounts_disabled", &[]),
            VmError::NativeMountNeedsStop { vm } => {
                tr(lang, "vm_error.native_mount", &[("vm", s(vm))])
            }
            VmError::WorkdirMissing { vm, dir } => tr(
                lang,
                "vm_error.workdir_missing",
                &[("vm", s(vm)), ("dir", s(dir))],
            ),
            VmError::TransferFailed { detail } => {
                tr(lang, "vm_error.transfer", &[("detail", s(detail))])
            }
            VmError::SshFailed { detail } => tr(lang, "vm_error.ssh", &[("detail", s(detail))]),
            VmError::BadInvocation { detail } => {
                tr(lang, "vm_error.bad_invocation", &[("detail", s(detail))])
            }
            VmError::BadOutput { command, detail } => tr(
                lang,
                "vm_error.bad_output",
                &[("command", s(command)), ("detail", s(detail))],
            ),
            VmError::Spawn { command, detail } => tr(
                lang,
                "vm_error.spawn",
                &[("command", s(command)), ("detail", s(detail))],
            ),
            VmError::Failed {
                command,
                code,
                stderr,
            } => tr(
                lang,
                "vm_error.failed",
                &[
                    ("command", s(command)),
                    ("code", code.to_string()),
                    ("stderr", stderr_suffix(stderr)),
                ],
            ),
        }
    }
}

impl VmError {
    /// True for failures that may go away when the same call is retried a little later
    /// (the image server or the daemon was unreachable, a launch or start timed out).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            VmError::ImageRemoteUnreachable { .. }
                | VmError::DaemonUnreachable
                | VmError::Timeout { .. }
                | VmError::SshFailed { .. }
        )
    }

    /// Hints for a person, each a command or a change that gets them out.
    pub fn hints(&self) -> Vec<String> {
        self.hints_in(crate::i18n::current())
    }

    /// [`VmError::hints`] in `lang`.
    pub fn hints_in(&self, lang: Lang) -> Vec<String> {
        let h = |key: &str| tr(lang, key, &[]);
        let n = |key: &str, name: &str| tr(lang, key, &[("name", name.to_string())]);
        match self {
            VmError::NotInstalled { .. } => {
                vec![h("vm_hint.not_installed"), h("vm_hint.not_installed_env")]
            }
            VmError::DaemonUnreachable => vec![h("vm_hint.daemon_unreachable")],
            VmError::SocketAccessDenied => vec![h("vm_hint.socket_denied")],
            VmError::InstanceMissing { name } => vec![format!("agsekit create-vm {name}")],
            VmError::InstanceDeleted { name } => vec![
                n("vm_hint.deleted_recover", name),
                n("vm_hint.deleted_purge", name),
            ],
            VmError::NotRunning { name } => vec![format!("agsekit start-vm {name}")],
            VmError::AlreadyExists { name } => vec![n("vm_hint.exists", name)],
            VmError::UnknownState { name } => vec![n("vm_hint.unknown_state", name)],
            VmError::SuspendedCannotStop { name } => vec![n("vm_hint.suspended", name)],
            VmError::InvalidLaunch { .. } => vec![h("vm_hint.invalid_launch")],
            VmError::ImageNotFound { .. } => vec![h("vm_hint.image_not_found")],
            VmError::ImageRemoteUnreachable { .. } => vec![h("vm_hint.image_remote")],
            VmError::Timeout { .. } => vec![h("vm_hint.timeout")],
            VmError::SourceMissing { path } => vec![tr(
                lang,
                "vm_hint.source_missing",
                &[("path", path.display().to_string())],
            )],
            VmError::SourceNotDirectory { .. } => vec![h("vm_hint.source_not_dir")],
            VmError::SourceNotReadable { path } => vec![tr(
                lang,
                "vm_hint.source_unreadable",
                &[("path", path.display().to_string())],
            )],
            VmError::TargetRefused { .. } => vec![h("vm_hint.target_refused")],
            VmError::AlreadyMounted { .. } => vec![h("vm_hint.already_mounted")],
            VmError::NotMounted { .. } => vec![h("vm_hint.not_mounted")],
            VmError::MountFailed { .. } | VmError::UmountFailed { .. } => {
                vec![h("vm_hint.mount_failed")]
            }
            VmError::MountSupportMissing { vm } => {
                vec![tr(lang, "vm_hint.mount_support", &[("vm", vm.to_string())])]
            }
            VmError::MountsDisabled => {
                vec!["multipass set local.privileged-mounts=true".to_string()]
            }
            VmError::NativeMountNeedsStop { vm } => vec![format!("agsekit stop-vm {vm}")],
            VmError::WorkdirMissing { .. } => vec![h("vm_hint.workdir_missing")],
            VmError::TransferFailed { .. } => vec![h("vm_hint.transfer")],
            VmError::SshFailed { .. } => vec![h("vm_hint.ssh")],
            VmError::BadInvocation { .. } | VmError::BadOutput { .. } => {
                vec![h("vm_hint.bug")]
            }
            VmError::Spawn { .. } => vec![h("vm_hint.spawn")],
            VmError::Failed { .. } => vec![h("vm_hint.failed")],
        }
    }
}

impl From<VmError> for UserError {
    fn from(err: VmError) -> UserError {
        let hints = err.hints();
        hints.into_iter().fold(
            UserError::vm(err.message_in(crate::i18n::current())),
            UserError::hint,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One value of every variant (with both an empty and a multi-line stderr for `Failed`).
    fn every_variant() -> Vec<VmError> {
        let s = || "x".to_string();
        vec![
            VmError::NotInstalled {
                detail: Missing::NotOnPath(s()),
            },
            VmError::DaemonUnreachable,
            VmError::SocketAccessDenied,
            VmError::InstanceMissing { name: s() },
            VmError::InstanceDeleted { name: s() },
            VmError::NotRunning { name: s() },
            VmError::AlreadyExists { name: s() },
            VmError::UnknownState { name: s() },
            VmError::SuspendedCannotStop { name: s() },
            VmError::InvalidLaunch { detail: s() },
            VmError::ImageNotFound { image: s() },
            VmError::ImageRemoteUnreachable { detail: s() },
            VmError::Timeout { what: s() },
            VmError::SourceMissing { path: "/p".into() },
            VmError::SourceNotDirectory { path: "/p".into() },
            VmError::SourceNotReadable { path: "/p".into() },
            VmError::TargetRefused { target: s() },
            VmError::AlreadyMounted {
                vm: s(),
                target: s(),
            },
            VmError::NotMounted {
                vm: s(),
                target: s(),
            },
            VmError::MountFailed {
                target: s(),
                reason: s(),
            },
            VmError::UmountFailed {
                vm: s(),
                target: s(),
                reason: s(),
            },
            VmError::MountSupportMissing { vm: s() },
            VmError::MountsDisabled,
            VmError::NativeMountNeedsStop { vm: s() },
            VmError::WorkdirMissing { vm: s(), dir: s() },
            VmError::TransferFailed { detail: s() },
            VmError::SshFailed { detail: s() },
            VmError::BadInvocation { detail: s() },
            VmError::BadOutput {
                command: s(),
                detail: s(),
            },
            VmError::Spawn {
                command: s(),
                detail: s(),
            },
            VmError::Failed {
                command: s(),
                code: 2,
                stderr: "boom\nagain".into(),
            },
            VmError::Failed {
                command: s(),
                code: 2,
                stderr: String::new(),
            },
        ]
    }
    use crate::error::ErrorKind;
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
            (2, "restart failed: Instance 'vm' is already running, but in an unknown state.\nTry to stop and start it instead.\n", VmError::UnknownState { name: vm() }),
            (2, "start failed: Instance 'vm' is already running, but in an unknown state.\nTry to stop it first.\n", VmError::UnknownState { name: vm() }),
            (2, "stop failed: Cannot shut down suspended instance vm.\n", VmError::SuspendedCannotStop { name: vm() }),
            (2, "mount failed: Please stop the instance vm before attempting native mounts.\n", VmError::NativeMountNeedsStop { vm: vm() }),
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
            (1, "Invalid UID map given: 1000\n", VmError::BadInvocation { detail: "Invalid UID map given: 1000".into() }),
            (1, "Invalid GID map given: x:y\n", VmError::BadInvocation { detail: "Invalid GID map given: x:y".into() }),
            (1, "error: Bad mount type 'x' specified, please use 'classic' or 'native'\n", VmError::BadInvocation { detail: "error: Bad mount type 'x' specified, please use 'classic' or 'native'".into() }),
            (1, "Not enough arguments given\n", VmError::BadInvocation { detail: "Not enough arguments given".into() }),
            (2, "mount failed: The following errors occurred:\nunable to mount to \"/home/ubuntu\"\n", VmError::TargetRefused { target: "/home/ubuntu".into() }),
            (2, "mount failed: The following errors occurred:\n\"/home/ubuntu/proj\" is already mounted in 'vm'\n", VmError::AlreadyMounted { vm: vm(), target: "/home/ubuntu/proj".into() }),
            (2, "mount failed: The following errors occurred:\nerror mounting \"/home/ubuntu/proj\": sshfs died\n", VmError::MountFailed { target: "/home/ubuntu/proj".into(), reason: "sshfs died".into() }),
            (2, "mount failed: Error enabling mount support in 'vm'\n\nPlease install the 'multipass-sshfs' snap manually inside the instance.\n", VmError::MountSupportMissing { vm: vm() }),
            (2, "mount failed: Mounts are disabled on this installation of Multipass.\n\nSee https://canonical.com/multipass/docs/set-command#local.privileged-mounts for information\non how to enable them.\n", VmError::MountsDisabled),
            (2, "umount failed: The following errors occurred:\npath \"/home/ubuntu/other\" is not mounted in 'vm'\n", VmError::NotMounted { vm: vm(), target: "/home/ubuntu/other".into() }),
            (2, "umount failed: The following errors occurred:\nfailed to unmount \"/home/ubuntu/proj\" from 'vm': device busy\n", VmError::UmountFailed { vm: vm(), target: "/home/ubuntu/proj".into(), reason: "device busy".into() }),
            // 6. exec specifics
            (1, "Options --working-directory and --no-map-working-directory clash\n", VmError::BadInvocation { detail: "Options --working-directory and --no-map-working-directory clash".into() }),
            (1, "Wrong number of arguments\n", VmError::BadInvocation { detail: "Wrong number of arguments".into() }),
            (1, "Unknown option 'la'.\n\nOptions to the inner command should come after \"--\", like this:\nmultipass exec <instance> -- <command>\n", VmError::BadInvocation { detail: "Options to the inner command should come after \"--\", like this:".into() }),
            (2, "exec failed: Connection refused\n", VmError::SshFailed { detail: "Connection refused".into() }),
            // 7. Daemon / socket
            (2, "list failed: cannot connect to the multipass socket\n", VmError::DaemonUnreachable),
            (2, "list failed: multipass socket access denied\n", VmError::SocketAccessDenied),
            // B5/B7 lines of CLI.md
            (2, "transfer failed: Target \"vm:/x\" is not a directory\n", VmError::TransferFailed { detail: "Target \"vm:/x\" is not a directory".into() }),
            (1, "Only one '-' allowed\n", VmError::TransferFailed { detail: "Only one '-' allowed".into() }),
            (1, "Source must be from inside an instance\n", VmError::TransferFailed { detail: "Source must be from inside an instance".into() }),
            (1, "Target must be inside an instance\n", VmError::TransferFailed { detail: "Target must be inside an instance".into() }),
            (1, "An instance name is needed for either source or destination\n", VmError::TransferFailed { detail: "An instance name is needed for either source or destination".into() }),
            (1, "Cannot specify an instance name for both source and destination\n", VmError::TransferFailed { detail: "Cannot specify an instance name for both source and destination".into() }),
            (2, "transfer failed: [sftp] remote target does not exist\n", VmError::TransferFailed { detail: "[sftp] remote target does not exist".into() }),
            (1, "This command takes no arguments\n", VmError::BadInvocation { detail: "This command takes no arguments".into() }),
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

    /// The English messages are exactly the `Display` texts (logs and user errors agree);
    /// every variant has a Russian message and Russian hints.
    #[test]
    fn english_messages_are_the_display_texts_and_russian_ones_exist() {
        let all = every_variant();
        for e in &all {
            assert_eq!(e.message_in(Lang::En), e.to_string());
            assert_ne!(e.message_in(Lang::Ru), e.to_string(), "{e:?}");
            assert!(!e.message_in(Lang::Ru).contains('{'), "{e:?}");
            assert_eq!(e.hints_in(Lang::En).len(), e.hints_in(Lang::Ru).len());
        }
        assert_eq!(
            VmError::NotRunning { name: "dev".into() }.hints_in(Lang::Ru),
            vec!["agsekit start-vm dev".to_string()]
        );
    }

    #[test]
    fn user_errors_have_kind_vm_and_a_hint_with_the_fixing_command() {
        let cases: Vec<(VmError, &str)> = vec![
            (missing("dev"), "agsekit create-vm dev"),
            (
                VmError::NotRunning { name: "dev".into() },
                "agsekit start-vm dev",
            ),
            (
                VmError::NotInstalled {
                    detail: Missing::NotOnPath("multipass".into()),
                },
                "agsekit prepare",
            ),
            (VmError::MountsDisabled, "local.privileged-mounts=true"),
            (
                VmError::NativeMountNeedsStop { vm: "dev".into() },
                "agsekit stop-vm dev",
            ),
            (
                VmError::InstanceDeleted { name: "dev".into() },
                "multipass recover dev",
            ),
        ];
        for (err, hint) in cases {
            let message = err.to_string();
            let user = UserError::from(err);
            assert_eq!(user.kind, ErrorKind::Vm);
            assert_eq!(user.message, message);
            assert!(
                user.hints.iter().any(|h| h.contains(hint)),
                "{message}: hints {:?} lack {hint}",
                user.hints
            );
        }
        let rendered = crate::error::render(&anyhow::Error::from(UserError::from(missing("dev"))));
        assert_eq!(
            rendered,
            "agsekit: error: VM \"dev\" does not exist\nhint: agsekit create-vm dev\n"
        );
    }

    /// The error texts in the contract notes (tests/fixtures/multipass/errors.txt), found
    /// mechanically: each `$ multipass ...` example up to its `exit: N` line, each
    /// `<text>   exit N` line, and the lists of daemon-side lines of the mount section.
    fn contract_errors() -> Vec<(i32, String)> {
        let text = include_str!("../../tests/fixtures/multipass/errors.txt");
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
    fn every_error_has_a_hint_and_kind_vm() {
        let all = every_variant();
        for err in all {
            let user = UserError::from(err.clone());
            assert_eq!(user.kind, ErrorKind::Vm, "{err:?}");
            assert!(!user.hints.is_empty(), "{err:?} has no hint");
            assert!(!user.message.is_empty());
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
