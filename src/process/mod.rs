//! The one door to the outside: every child process agsekit starts goes through here.
//!
//! A [`Cmd`] describes a command (program, arguments, environment, working directory,
//! standard input) and displays itself as a line that can be pasted into a shell, with the
//! values of secret environment variables masked. A [`Runner`] starts it; [`RealRunner`]
//! really does, [`FakeRunner`] answers from a script for unit tests and records every call.

mod child;
mod cmd;
mod debug;
mod fake;
mod real;

pub use child::{wait_readable, Child, Sink, SpawnIo};
pub use cmd::{Cmd, Stdin};
pub use debug::{debug_enabled, mask_secrets, register_secret, set_debug};
pub use fake::FakeRunner;
pub use real::RealRunner;

use std::ffi::OsString;
use std::fmt;

/// What a finished command left behind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The exit code; a child killed by signal N reports 128 + N, as a shell would.
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn ok(stdout: impl Into<Vec<u8>>) -> Self {
        Output {
            code: 0,
            stdout: stdout.into(),
            stderr: Vec::new(),
        }
    }

    pub fn failed(code: i32, stderr: impl Into<Vec<u8>>) -> Self {
        Output {
            code,
            stdout: Vec::new(),
            stderr: stderr.into(),
        }
    }

    pub fn success(&self) -> bool {
        self.code == 0
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// The command could not be started at all (as opposed to: it ran and failed).
#[derive(Debug)]
pub struct SpawnError {
    pub program: OsString,
    pub line: String,
    pub source: std::io::Error,
}

impl SpawnError {
    /// True when the program was not found on PATH (or at the given path).
    pub fn not_found(&self) -> bool {
        self.source.kind() == std::io::ErrorKind::NotFound
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.not_found() {
            f.write_str(&crate::t!(
                "misc.spawn.not_found",
                program = self.program.to_string_lossy()
            ))
        } else {
            f.write_str(&crate::t!(
                "misc.spawn.failed",
                command = self.line,
                error = self.source
            ))
        }
    }
}

impl std::error::Error for SpawnError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Starts commands. Implementations: [`RealRunner`] and, for tests, [`FakeRunner`].
pub trait Runner: Send + Sync {
    /// Runs the command to the end and captures its stdout and stderr.
    fn capture(&self, cmd: &Cmd) -> Result<Output, SpawnError>;

    /// Runs the command with this process's stdout and stderr (and stdin unless the command
    /// says otherwise) and returns its exit code.
    fn inherit(&self, cmd: &Cmd) -> Result<i32, SpawnError>;

    /// Replaces this process with the command (exec). Returns only if that failed. Runners
    /// that cannot replace the process (the fake) run it as `inherit` and exit with its code.
    fn exec(&self, cmd: &Cmd) -> SpawnError;

    /// Starts the command and returns at once; its stdout and stderr go where `io` says.
    /// The default (used by fakes) runs it to the end with `capture` and returns a finished
    /// child.
    fn spawn(&self, cmd: &Cmd, io: SpawnIo) -> Result<Child, SpawnError> {
        let _ = io;
        self.capture(cmd).map(Child::finished)
    }
}
