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
        // Woken by the child's exit (a pidfd) where the kernel has them, else by polling that
        // starts at 1 ms and backs off: a session's end waits for this, so no fixed tick.
        let exit = self.id().and_then(ExitNotice::open);
        let mut nap = Duration::from_millis(1);
        loop {
            if let Some(code) = self.try_wait()? {
                return Ok(code);
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let left = deadline - now;
            match &exit {
                Some(notice) => notice.wait(left),
                None => {
                    std::thread::sleep(nap.min(left));
                    nap = (nap * 2).min(Duration::from_millis(50));
                }
            }
        }
        self.signal(Signal::SIGKILL)?;
        self.wait()
    }
}

/// A pidfd: becomes readable when the process exits (Linux 5.3 and later).
struct ExitNotice(std::os::fd::OwnedFd);

impl ExitNotice {
    fn open(pid: u32) -> Option<ExitNotice> {
        use std::os::fd::FromRawFd;
        // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
        if fd < 0 {
            return None;
        }
        // SAFETY: the descriptor was just created and is owned by nobody else.
        Some(ExitNotice(unsafe {
            std::os::fd::OwnedFd::from_raw_fd(fd as i32)
        }))
    }

    /// Returns when the process has exited or `limit` has passed (or a signal came).
    fn wait(&self, limit: Duration) {
        use std::os::fd::AsFd;
        wait_readable(self.0.as_fd(), limit);
    }
}

/// Waits until `fd` is readable or `limit` has passed (or a signal came); true when it is
/// readable. One `poll` of one descriptor: the wake-ups of a stopping session (a pidfd here,
/// the snapshot loop's signal pipe in `crate::backup::Wakeup`).
pub fn wait_readable(fd: std::os::fd::BorrowedFd<'_>, limit: Duration) -> bool {
    use std::os::fd::AsRawFd;
    let mut fds = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = limit.as_millis().clamp(1, i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd, its count, a timeout.
    let ready = unsafe { libc::poll(&mut fds, 1, ms) };
    ready > 0 && fds.revents & libc::POLLIN != 0
}
