//! What can go wrong when talking to a VM backend, as typed errors. How a backend's own
//! output maps to them is the backend's business (each backend's module has its classifier).
//! Every [`VmError`] converts into a [`UserError`] of kind `Vm` with a hint that says how to
//! get out.

use std::path::PathBuf;

use crate::error::UserError;
use crate::i18n::Lang;

/// A failure talking to a VM backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VmError {
    /// The backend's program is missing; `program` names it as people know it, `hints` are
    /// the backend's own ways to install it.
    #[error("{program} is not installed: {detail}")]
    NotInstalled {
        program: String,
        detail: Missing,
        hints: Vec<Text>,
    },
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
    #[error("mount source {} does not exist (or the VM backend cannot see it)", path.display())]
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
    #[error("folder {dir} does not exist in VM \"{vm}\"")]
    WorkdirMissing { vm: String, dir: String },
    #[error("file transfer failed: {detail}")]
    TransferFailed { detail: String },
    #[error("could not reach the VM over SSH: {detail}")]
    SshFailed { detail: String },
    #[error("the VM backend refused the command agsekit built: {detail}")]
    BadInvocation { detail: String },
    #[error("`{command}` printed output agsekit cannot read: {detail}")]
    BadOutput { command: String, detail: String },
    #[error("could not start `{command}`: {detail}")]
    Spawn { command: String, detail: String },
    /// A failure only one backend knows, in its own words (naming the backend as people
    /// know it) with its own hints; for what none of the variants above names. Each backend
    /// makes its own in its module (its stderr classifier).
    #[error("{message}")]
    Backend {
        backend: &'static str,
        message: Text,
        hints: Vec<Text>,
    },
    #[error("`{command}` failed with exit code {code}{}", stderr_suffix(stderr))]
    Failed {
        command: String,
        code: i32,
        stderr: String,
    },
}

/// Words a backend gives a [`VmError`] (its message or a hint), shown in each language: a
/// catalogue key with its arguments, or words that read the same in every language (a
/// command line). `Display` is the English text, as for every `VmError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Key(&'static str, Vec<(&'static str, String)>),
    Plain(String),
}

impl Text {
    /// The catalogue's text `key` with its placeholders filled from `args`.
    pub fn key(key: &'static str, args: &[(&'static str, &str)]) -> Text {
        Text::Key(key, args.iter().map(|(n, v)| (*n, v.to_string())).collect())
    }

    pub fn text_in(&self, lang: Lang) -> String {
        match self {
            Text::Key(key, args) => crate::i18n::fill(crate::i18n::text_in(lang, key), args),
            Text::Plain(text) => text.clone(),
        }
    }
}

/// `text_key!("key", name = value, ...)`: a [`Text::Key`] with a literal key, checked by the
/// build against the English catalogue as [`crate::t!`] is (the key exists; the names passed
/// are exactly its placeholders). Values are anything that derefs to `str`.
///
/// ```
/// let text = agsekit::text_key!("cli.version", version = "2.0.0");
/// assert!(text.to_string().contains("2.0.0"));
/// ```
///
/// ```compile_fail,E0080
/// let text = agsekit::text_key!("cli.version", release = "2.0.0");
/// ```
#[macro_export]
macro_rules! text_key {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        const _: () =
            $crate::i18n::check::check("text_key!", $key, &[$(stringify!($name)),*], false);
        $crate::vm::Text::key($key, &[$((stringify!($name), &*$value)),*])
    }};
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text::Plain(text)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::Plain(text.to_string())
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text_in(Lang::En))
    }
}

/// Why a backend's program counts as not installed; shown in each language (and in English where
/// scripts read it, such as `status --json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The program at this path does not exist.
    Program(String),
    /// The backend's override variable names a path that is no executable file.
    NotExecutable { var: String, path: String },
    /// No program of this name on PATH (the shims directory left out).
    NotOnPath(String),
}

impl Missing {
    pub fn text_in(&self, lang: Lang) -> String {
        match self {
            Missing::Program(path) => {
                crate::t_in!(lang, "misc.vm.program_missing", path = path)
            }
            Missing::NotExecutable { var, path } => crate::t_in!(
                lang,
                "misc.vm.override_not_executable",
                var = var,
                path = path
            ),
            Missing::NotOnPath(name) => crate::t_in!(lang, "misc.vm.not_on_path", name = name),
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

/// What a timeout without a backend's message waited for (its own timeout ran out).
pub(crate) const BECOME_READY: &str = "become ready";

/// The message of a timeout: the steps backends name (and ours) have their own message
/// in each language; anything else is shown as the backend wrote it.
fn timeout_message(lang: Lang, what: &str) -> String {
    let key = match what {
        "launch" => crate::msg_key!("misc.vm.timeout.launch"),
        "start" => crate::msg_key!("misc.vm.timeout.start"),
        "restart" => crate::msg_key!("misc.vm.timeout.restart"),
        BECOME_READY => crate::msg_key!("misc.vm.timeout.ready"),
        _ => return crate::t_in!(lang, "vm_error.timeout", what = what),
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
            VmError::NotInstalled {
                program, detail, ..
            } => crate::t_in!(
                lang,
                "vmerror.not_installed",
                program = s(program),
                detail = detail.text_in(lang)
            ),
            VmError::InstanceMissing { name } => {
                crate::t_in!(lang, "vm_error.missing", name = s(name))
            }
            VmError::InstanceDeleted { name } => {
                crate::t_in!(lang, "vm_error.deleted", name = s(name))
            }
            VmError::NotRunning { name } => {
                crate::t_in!(lang, "vm_error.not_running", name = s(name))
            }
            VmError::AlreadyExists { name } => {
                crate::t_in!(lang, "vm_error.exists", name = s(name))
            }
            VmError::UnknownState { name } => {
                crate::t_in!(lang, "vm_error.unknown_state", name = s(name))
            }
            VmError::SuspendedCannotStop { name } => {
                crate::t_in!(lang, "vm_error.suspended", name = s(name))
            }
            VmError::InvalidLaunch { detail } => {
                crate::t_in!(lang, "vm_error.invalid_launch", detail = s(detail))
            }
            VmError::ImageNotFound { image } => {
                crate::t_in!(lang, "vm_error.image_not_found", image = s(image))
            }
            VmError::ImageRemoteUnreachable { detail } => {
                crate::t_in!(lang, "vm_error.image_remote", detail = s(detail))
            }
            VmError::Timeout { what } => timeout_message(lang, what),
            VmError::SourceMissing { path } => {
                crate::t_in!(lang, "vmerror.source_missing", path = p(path))
            }
            VmError::SourceNotDirectory { path } => {
                crate::t_in!(lang, "vm_error.source_not_dir", path = p(path))
            }
            VmError::SourceNotReadable { path } => {
                crate::t_in!(lang, "vm_error.source_unreadable", path = p(path))
            }
            VmError::TargetRefused { target } => {
                crate::t_in!(lang, "vm_error.target_refused", target = s(target))
            }
            VmError::AlreadyMounted { vm, target } => crate::t_in!(
                lang,
                "vm_error.already_mounted",
                vm = s(vm),
                target = s(target)
            ),
            VmError::NotMounted { vm, target } => {
                crate::t_in!(lang, "vm_error.not_mounted", vm = s(vm), target = s(target))
            }
            VmError::MountFailed { target, reason } => crate::t_in!(
                lang,
                "vm_error.mount_failed",
                target = s(target),
                reason = s(reason)
            ),
            VmError::UmountFailed { vm, target, reason } => crate::t_in!(
                lang,
                "vm_error.umount_failed",
                vm = s(vm),
                target = s(target),
                reason = s(reason)
            ),
            VmError::WorkdirMissing { vm, dir } => {
                crate::t_in!(lang, "vm_error.workdir_missing", vm = s(vm), dir = s(dir))
            }
            VmError::TransferFailed { detail } => {
                crate::t_in!(lang, "vm_error.transfer", detail = s(detail))
            }
            VmError::SshFailed { detail } => crate::t_in!(lang, "vm_error.ssh", detail = s(detail)),
            VmError::BadInvocation { detail } => {
                crate::t_in!(lang, "vmerror.bad_invocation", detail = s(detail))
            }
            VmError::BadOutput { command, detail } => crate::t_in!(
                lang,
                "vm_error.bad_output",
                command = s(command),
                detail = s(detail)
            ),
            VmError::Spawn { command, detail } => crate::t_in!(
                lang,
                "vm_error.spawn",
                command = s(command),
                detail = s(detail)
            ),
            VmError::Backend { message, .. } => message.text_in(lang),
            VmError::Failed {
                command,
                code,
                stderr,
            } => crate::t_in!(
                lang,
                "vm_error.failed",
                command = s(command),
                code = code,
                stderr = stderr_suffix(stderr)
            ),
        }
    }
}

impl VmError {
    /// True for failures that may go away when the same call is retried a little later
    /// (the image server was unreachable, a launch or start timed out, SSH not up yet).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            VmError::ImageRemoteUnreachable { .. }
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
        match self {
            VmError::NotInstalled { hints, .. } => hints.iter().map(|h| h.text_in(lang)).collect(),
            VmError::InstanceMissing { name } => vec![format!("agsekit create-vm {name}")],
            VmError::InstanceDeleted { name } => {
                vec![crate::t_in!(lang, "vmerror.hint.deleted", name = name)]
            }
            VmError::NotRunning { name } => vec![format!("agsekit start-vm {name}")],
            VmError::AlreadyExists { name } => {
                vec![crate::t_in!(lang, "vm_hint.exists", name = name)]
            }
            VmError::UnknownState { name } => vec![crate::t_in!(
                lang,
                "vmerror.hint.unknown_state",
                name = name
            )],
            VmError::SuspendedCannotStop { name } => {
                vec![crate::t_in!(lang, "vmerror.hint.suspended", name = name)]
            }
            VmError::InvalidLaunch { .. } => vec![crate::t_in!(lang, "vm_hint.invalid_launch")],
            VmError::ImageNotFound { .. } => {
                vec![crate::t_in!(lang, "vmerror.hint.image_not_found")]
            }
            VmError::ImageRemoteUnreachable { .. } => {
                vec![crate::t_in!(lang, "vmerror.hint.image_remote")]
            }
            VmError::Timeout { .. } => vec![crate::t_in!(lang, "vmerror.hint.timeout")],
            VmError::SourceMissing { path } => vec![crate::t_in!(
                lang,
                "vmerror.hint.source_missing",
                path = path.display().to_string()
            )],
            VmError::SourceNotDirectory { .. } => {
                vec![crate::t_in!(lang, "vm_hint.source_not_dir")]
            }
            VmError::SourceNotReadable { path } => vec![crate::t_in!(
                lang,
                "vm_hint.source_unreadable",
                path = path.display().to_string()
            )],
            VmError::TargetRefused { .. } => vec![crate::t_in!(lang, "vm_hint.target_refused")],
            VmError::AlreadyMounted { .. } => vec![crate::t_in!(lang, "vm_hint.already_mounted")],
            VmError::NotMounted { .. } => vec![crate::t_in!(lang, "vm_hint.not_mounted")],
            VmError::MountFailed { .. } | VmError::UmountFailed { .. } => {
                vec![crate::t_in!(lang, "vmerror.hint.mount_failed")]
            }
            VmError::WorkdirMissing { .. } => vec![crate::t_in!(lang, "vm_hint.workdir_missing")],
            VmError::TransferFailed { .. } => vec![crate::t_in!(lang, "vm_hint.transfer")],
            VmError::SshFailed { .. } => vec![crate::t_in!(lang, "vm_hint.ssh")],
            VmError::BadInvocation { .. } | VmError::BadOutput { .. } => {
                vec![crate::t_in!(lang, "vmerror.hint.bug")]
            }
            VmError::Spawn { .. } => vec![crate::t_in!(lang, "vmerror.hint.spawn")],
            VmError::Failed { .. } => vec![crate::t_in!(lang, "vmerror.hint.failed")],
            VmError::Backend { hints, .. } => hints.iter().map(|h| h.text_in(lang)).collect(),
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
                program: s(),
                detail: Missing::NotOnPath(s()),
                hints: vec![crate::text_key!("vmerror.hint.failed")],
            },
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
            VmError::Backend {
                backend: "x",
                message: crate::text_key!("vmerror.bad_invocation", detail = "x"),
                hints: vec![crate::text_key!("vmerror.hint.bug")],
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
                    program: "Hypervisor".into(),
                    detail: Missing::NotOnPath("hv".into()),
                    hints: vec!["install it with `agsekit prepare`".into()],
                },
                "agsekit prepare",
            ),
            (
                VmError::InstanceDeleted { name: "dev".into() },
                "agsekit destroy-vm dev",
            ),
            (
                VmError::UnknownState { name: "dev".into() },
                "agsekit stop-vm dev",
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

    /// A backend's own failure keeps its words (which name the backend) and hints, whatever
    /// the language.
    #[test]
    fn a_backend_failure_keeps_its_message_and_hints() {
        let err = VmError::Backend {
            backend: "qemu",
            message: "qemu: the disk image is locked".into(),
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

    /// The neutral variants' texts fit any backend: none names one (a backend's own words
    /// are `VmError::Backend` values its module makes).
    #[test]
    fn neutral_texts_name_no_backend() {
        for err in every_variant() {
            for lang in [Lang::En, Lang::Ru] {
                let text = format!("{} {:?}", err.message_in(lang), err.hints_in(lang));
                let kinds = crate::config::BackendKind::ALL.map(|k| k.as_str());
                for backend in kinds.into_iter().chain(["snap"]) {
                    assert!(
                        !text.to_lowercase().contains(backend),
                        "{err:?} names {backend} in {lang:?}: {text}"
                    );
                }
            }
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
}
