//! Processes that run alongside agsekit: started with [`super::Runner::spawn`], waited for or
//! stopped later (the background backup loop of a session, the agent's `multipass exec`).

use std::path::PathBuf;
use std::process::{ChildStderr, ChildStdout};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::real::code_of;
use super::Output;

/// Where a spawned child's stdout or stderr goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Sink {
    /// This process's own stream.
    #[default]
    Inherit,
    /// Discarded.
    Null,
    /// A pipe the caller reads ([`Child::take_stdout`] / [`Child::take_stderr`]).
    Pipe,
    /// Appended to this file (created if missing).
    Append(PathBuf),
}

/// Where a spawned child's output goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpawnIo {
    pub stdout: Sink,
    pub stderr: Sink,
}

enum Inner {
    Real(std::process::Child),
    /// A child that already finished (fake runners).
    Done(Output),
}

/// A started child process.
pub struct Child {
    inner: Inner,
}

impl Child {
    pub(crate) fn real(child: std::process::Child) -> Self {
        Child {
            inner: Inner::Real(child),
        }
    }

    /// A child that has already exited with this output (used by fake runners).
    pub fn finished(output: Output) -> Self {
        Child {
            inner: Inner::Done(output),
        }
    }

    /// The process id, for a real child.
    pub fn id(&self) -> Option<u32> {
        match &self.inner {
            Inner::Real(c) => Some(c.id()),
            Inner::Done(_) => None,
        }
    }

    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        match &mut self.inner {
            Inner::Real(c) => c.stdout.take(),
            Inner::Done(_) => None,
        }
    }

    pub fn take_stderr(&mut self) -> Option<ChildStderr> {
        match &mut self.inner {
            Inner::Real(c) => c.stderr.take(),
            Inner::Done(_) => None,
        }
    }

    /// Waits for the child to exit; returns its exit code (128 + N for signal N).
    pub fn wait(&mut self) -> std::io::Result<i32> {
        match &mut self.inner {
            Inner::Real(c) => c.wait().map(code_of),
            Inner::Done(out) => Ok(out.code),
        }
    }

    /// The exit code if the child has exited, without waiting.
    pub fn try_wait(&mut self) -> std::io::Result<Option<i32>> {
        match &mut self.inner {
            Inner::Real(c) => Ok(c.try_wait()?.map(code_of)),
            Inner::Done(out) => Ok(Some(out.code)),
        }
    }

    /// Sends a signal to the child (ignored when it has already exited).
    pub fn signal(&self, sig: Signal) -> std::io::Result<()> {
        if let Inner::Real(c) = &self.inner {
            let pid = Pid::from_raw(c.id() as i32);
            match kill(pid, sig) {
                Ok(()) | Err(nix::errno::Errno::ESRCH) => {}
                Err(e) => return Err(std::io::Error::from(e)),
            }
        }
        Ok(())
    }

    /// Asks the child to stop with SIGTERM, waits up to `grace`, then kills it. Returns its
    /// exit code.
    pub fn terminate(&mut self, grace: Duration) -> std::io::Result<i32> {
        if let Some(code) = self.try_wait()? {
            return Ok(code);
        }
        self.signal(Signal::SIGTERM)?;
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(code) = self.try_wait()? {
                return Ok(code);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.signal(Signal::SIGKILL)?;
        self.wait()
    }
}
