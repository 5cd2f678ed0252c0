//! What can go wrong when talking to a VM backend, as typed errors. How a backend's own
//! output maps to them is the backend's business (Multipass: `multipass/classify.rs`).
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
    /// A failure only one backend knows, in its own words (already in the user's language)
    /// with its own hints; for what none of the variants above names.
    #[error("{backend}: {message}")]
    Backend {
        backend: &'static str,
        message: String,
        hints: Vec<String>,
    },
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

/// What a timeout without a Multipass message waited for (`--timeout` ran out).
pub(crate) const BECOME_READY: &str = "become ready";

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
            VmError::Backend {
                backend, message, ..
            } => format!("{backend}: {message}"),
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
            VmError::Backend { hints, .. } => hints.clone(),
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

    fn missing(name: &str) -> VmError {
        VmError::InstanceMissing { name: name.into() }
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

    /// A backend's own failure keeps its words and hints, whatever the language.
    #[test]
    fn a_backend_failure_keeps_its_message_and_hints() {
        let err = VmError::Backend {
            backend: "qemu",
            message: "the disk image is locked".into(),
            hints: vec!["agsekit stop-vm dev".into()],
        };
        assert_eq!(err.to_string(), "qemu: the disk image is locked");
        assert_eq!(err.message_in(Lang::Ru), err.to_string());
        assert_eq!(
            err.hints_in(Lang::Ru),
            vec!["agsekit stop-vm dev".to_string()]
        );
        let user = UserError::from(err);
        assert_eq!(user.kind, ErrorKind::Vm);
        assert_eq!(user.message, "qemu: the disk image is locked");
        assert_eq!(user.hints, vec!["agsekit stop-vm dev".to_string()]);
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
}
