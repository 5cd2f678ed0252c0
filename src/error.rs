//! Errors that users can hit, with the exit code each maps to and a hint that says how to
//! get out. Plumbing errors travel as `anyhow::Error`; a `UserError` anywhere in the chain
//! decides how the whole error is rendered and which exit code the process returns.

use std::fmt;

/// What went wrong, at the level a user cares about. Each kind has a documented exit code
/// (see README, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Anything that failed while doing the work (I/O, a child that failed).
    Failed,
    /// Wrong arguments or flags on the command line.
    Usage,
    /// The configuration file is missing, unreadable or invalid.
    Config,
    /// Multipass is not installed, or a VM is missing or not in a usable state.
    Vm,
    /// The work finished, but with warnings (for example files that could not be read).
    Warnings,
    /// Another agsekit process holds the lock this command needs.
    Locked,
    /// Stopped by SIGINT or SIGTERM.
    Interrupted,
}

impl ErrorKind {
    /// The process exit code for this kind of error.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Failed => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Config => 3,
            ErrorKind::Vm => 4,
            ErrorKind::Warnings => 5,
            ErrorKind::Locked => 6,
            ErrorKind::Interrupted => 130,
        }
    }
}

/// An error meant for a person: what happened (naming the file, key or path at fault) and,
/// where there is one, the command or change that fixes it.
#[derive(Debug, Clone)]
pub struct UserError {
    pub kind: ErrorKind,
    pub message: String,
    pub hints: Vec<String>,
}

impl UserError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        UserError {
            kind,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Failed, message)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    pub fn vm(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Vm, message)
    }

    /// Adds a `hint:` line (a command or a change that gets the user out).
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// A prompt whose input closed: the questions cannot go on (`ui::prompt`).
impl From<crate::ui::prompt::Closed> for UserError {
    fn from(_: crate::ui::prompt::Closed) -> Self {
        UserError::failed(crate::t!("prompt.closed")).hint(crate::t!("prompt.closed_hint"))
    }
}

/// The exit code for any error: the `UserError` in its chain decides; otherwise 1.
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    find_user_error(err)
        .map(|e| e.kind.exit_code())
        .unwrap_or(1)
}

/// The first `UserError` in the error's chain, if any.
pub fn find_user_error(err: &anyhow::Error) -> Option<&UserError> {
    err.chain().find_map(|e| e.downcast_ref::<UserError>())
}

/// The message of the first `UserError` in the chain (without its hints), else the error's
/// own text: what to show in one line where the full rendering does not fit.
pub fn message_of(err: &anyhow::Error) -> String {
    find_user_error(err)
        .map(|u| u.message.clone())
        .unwrap_or_else(|| err.to_string())
}

/// Renders an error as `agsekit: error: ...` lines plus `hint: ...` lines. A message can
/// quote a path an agent named: terminal controls in it are shown escaped, line by line
/// (crate::ui::untrusted::line), so no error can rewrite what was printed before it.
pub fn render(err: &anyhow::Error) -> String {
    render_raw(err)
        .split_inclusive('\n')
        .map(|piece| match piece.strip_suffix('\n') {
            Some(line) => format!("{}\n", crate::ui::untrusted::line(line)),
            None => crate::ui::untrusted::line(piece),
        })
        .collect()
}

fn render_raw(err: &anyhow::Error) -> String {
    let mut out = String::new();
    match find_user_error(err) {
        Some(user) => {
            // Context added above the user error comes first, outermost first.
            let mut lines: Vec<String> = Vec::new();
            for cause in err.chain() {
                if cause.downcast_ref::<UserError>().is_some() {
                    break;
                }
                lines.push(cause.to_string());
            }
            lines.push(user.message.clone());
            out.push_str(&format!("agsekit: error: {}\n", lines.join(": ")));
            for hint in &user.hints {
                out.push_str(&format!("hint: {hint}\n"));
            }
        }
        None => {
            let parts: Vec<String> = err.chain().map(|c| c.to_string()).collect();
            out.push_str(&format!("agsekit: error: {}\n", parts.join(": ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn a_path_in_an_error_cannot_drive_the_terminal() {
        let err: anyhow::Error = UserError::failed("cannot delete a\r\x1b[2Kb\u{9b}1A")
            .hint("see x\ty")
            .into();
        assert_eq!(
            render(&err),
            "agsekit: error: cannot delete a\\r\\x1b[2Kb\\u{9b}1A\nhint: see x\ty\n"
        );
    }

    #[test]
    fn user_error_decides_exit_code_and_rendering() {
        let err: anyhow::Error = UserError::config("mounts[0].vm: no VM named \"dev\"")
            .hint("agsekit config-check")
            .into();
        let err = Err::<(), _>(err)
            .context("loading /x/config.yaml")
            .unwrap_err();
        assert_eq!(exit_code_of(&err), 3);
        assert_eq!(
            render(&err),
            "agsekit: error: loading /x/config.yaml: mounts[0].vm: no VM named \"dev\"\nhint: agsekit config-check\n"
        );
    }

    #[test]
    fn plain_errors_exit_1() {
        let err = anyhow::anyhow!("disk on fire");
        assert_eq!(exit_code_of(&err), 1);
        assert_eq!(render(&err), "agsekit: error: disk on fire\n");
    }
}
