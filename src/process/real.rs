//! The runner that really starts processes.

use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};

use super::child::{Child, Sink, SpawnIo};
use super::cmd::{Cmd, EnvChange, Stdin};
use super::debug::log;
use super::{Output, Runner, SpawnError};

/// Starts real processes.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealRunner;

fn build(cmd: &Cmd) -> Command {
    let mut command = Command::new(&cmd.program);
    command.args(&cmd.args);
    for change in &cmd.env {
        match change {
            EnvChange::Set { key, value, .. } => {
                command.env(key, value);
            }
            EnvChange::Remove(key) => {
                command.env_remove(key);
            }
        }
    }
    if let Some(dir) = &cmd.cwd {
        command.current_dir(dir);
    }
    command
}

fn spawn_error(cmd: &Cmd, source: std::io::Error) -> SpawnError {
    SpawnError {
        program: cmd.program.clone(),
        line: cmd.to_string(),
        source,
    }
}

/// Exit code of a finished child: its code, or 128 + signal number.
pub(crate) fn code_of(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

impl Runner for RealRunner {
    fn capture(&self, cmd: &Cmd) -> Result<Output, SpawnError> {
        log("command", &cmd.to_string());
        let mut command = build(cmd);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command.stdin(match cmd.stdin {
            Stdin::Null => Stdio::null(),
            Stdin::Inherit => Stdio::inherit(),
            Stdin::Bytes(_) => Stdio::piped(),
        });
        let mut child = command.spawn().map_err(|e| spawn_error(cmd, e))?;
        // Feed stdin from a thread so a child that writes a lot before reading cannot
        // deadlock against us.
        let feeder = match (&cmd.stdin, child.stdin.take()) {
            (Stdin::Bytes(bytes), Some(mut pipe)) => {
                let bytes = bytes.clone();
                Some(std::thread::spawn(move || {
                    // A child that exits without reading gives EPIPE; that is its business.
                    let _ = pipe.write_all(&bytes);
                }))
            }
            _ => None,
        };
        let out = child.wait_with_output().map_err(|e| spawn_error(cmd, e))?;
        if let Some(handle) = feeder {
            let _ = handle.join();
        }
        let output = Output {
            code: code_of(out.status),
            stdout: out.stdout,
            stderr: out.stderr,
        };
        log("exit code", &output.code.to_string());
        if !output.stdout.is_empty() {
            log("stdout", &output.stdout_text());
        }
        if !output.stderr.is_empty() {
            log("stderr", &output.stderr_text());
        }
        Ok(output)
    }

    fn inherit(&self, cmd: &Cmd) -> Result<i32, SpawnError> {
        log("command", &cmd.to_string());
        let mut command = build(cmd);
        command.stdin(match cmd.stdin {
            Stdin::Null if !cmd.stdin_set => Stdio::inherit(),
            Stdin::Null => Stdio::null(),
            Stdin::Inherit => Stdio::inherit(),
            Stdin::Bytes(_) => Stdio::piped(),
        });
        let mut child = command.spawn().map_err(|e| spawn_error(cmd, e))?;
        if let (Stdin::Bytes(bytes), Some(mut pipe)) = (&cmd.stdin, child.stdin.take()) {
            let _ = pipe.write_all(bytes);
            drop(pipe);
        }
        let status = child.wait().map_err(|e| spawn_error(cmd, e))?;
        let code = code_of(status);
        log("exit code", &code.to_string());
        Ok(code)
    }

    fn spawn(&self, cmd: &Cmd, io: SpawnIo) -> Result<Child, SpawnError> {
        log("spawn", &cmd.to_string());
        let mut command = build(cmd);
        command.stdin(match cmd.stdin {
            Stdin::Null if !cmd.stdin_set => Stdio::inherit(),
            Stdin::Null => Stdio::null(),
            Stdin::Inherit => Stdio::inherit(),
            Stdin::Bytes(_) => Stdio::piped(),
        });
        command.stdout(sink(&io.stdout).map_err(|e| spawn_error(cmd, e))?);
        command.stderr(sink(&io.stderr).map_err(|e| spawn_error(cmd, e))?);
        let mut child = command.spawn().map_err(|e| spawn_error(cmd, e))?;
        if let (Stdin::Bytes(bytes), Some(mut pipe)) = (&cmd.stdin, child.stdin.take()) {
            let bytes = bytes.clone();
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            });
        }
        Ok(Child::real(child))
    }

    fn exec(&self, cmd: &Cmd) -> SpawnError {
        log("exec", &cmd.to_string());
        let mut command = build(cmd);
        if cmd.stdin_set && cmd.stdin == Stdin::Null {
            command.stdin(Stdio::null());
        }
        let err = command.exec();
        spawn_error(cmd, err)
    }
}

fn sink(s: &Sink) -> std::io::Result<Stdio> {
    Ok(match s {
        Sink::Inherit => Stdio::inherit(),
        Sink::Null => Stdio::null(),
        Sink::Pipe => Stdio::piped(),
        Sink::Append(path) => Stdio::from(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_output_code_and_stdin() {
        let cmd = Cmd::new("sh")
            .args(["-c", "cat; echo err >&2; exit 3"])
            .stdin_bytes("hello");
        let out = RealRunner.capture(&cmd).unwrap();
        assert_eq!(out.code, 3);
        assert_eq!(out.stdout, b"hello");
        assert_eq!(out.stderr, b"err\n");
    }

    #[test]
    fn a_missing_program_is_a_spawn_error_not_a_failure() {
        let err = RealRunner
            .capture(&Cmd::new("/nonexistent/agsekit-test-program"))
            .unwrap_err();
        assert!(err.not_found());
        assert!(err.to_string().contains("program not found"));
    }

    #[test]
    fn a_signal_death_reports_128_plus_signal() {
        let out = RealRunner
            .capture(&Cmd::new("sh").args(["-c", "kill -TERM $$"]))
            .unwrap();
        assert_eq!(out.code, 128 + 15);
    }

    #[test]
    fn env_and_cwd_reach_the_child() {
        let dir = tempfile::tempdir().unwrap();
        let out = RealRunner
            .capture(
                &Cmd::new("sh")
                    .args(["-c", "printf '%s %s' \"$PWD\" \"$AGSEKIT_T\""])
                    .env("AGSEKIT_T", "v a l")
                    .current_dir(dir.path()),
            )
            .unwrap();
        let expected = format!("{} v a l", dir.path().canonicalize().unwrap().display());
        assert_eq!(out.stdout_text(), expected);
    }

    #[test]
    fn spawned_children_append_to_files_and_can_be_terminated() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("out.log");
        std::fs::write(&log, "before\n").unwrap();
        let mut child = RealRunner
            .spawn(
                &Cmd::new("sh").args(["-c", "echo started; exec sleep 30"]),
                SpawnIo {
                    stdout: Sink::Append(log.clone()),
                    stderr: Sink::Null,
                },
            )
            .unwrap();
        assert!(child.id().is_some());
        // Wait until the child has written its line, then stop it.
        for _ in 0..500 {
            if std::fs::read_to_string(&log).unwrap().contains("started") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let code = child.terminate(std::time::Duration::from_secs(5)).unwrap();
        assert_eq!(code, 128 + 15);
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "before\nstarted\n");
    }

    /// A child that exits on SIGTERM is collected when it exits, not at the end of the grace
    /// period: `terminate` is woken by the exit (a grace of an hour would otherwise block the
    /// waiting thread far beyond the 60 s this test allows).
    #[test]
    fn terminate_returns_when_the_child_exits_not_when_the_grace_ends() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("out.log");
        let mut child = RealRunner
            .spawn(
                &Cmd::new("sh").args([
                    "-c",
                    "trap 'exit 3' TERM; echo started; while :; do sleep 0.05; done",
                ]),
                SpawnIo {
                    stdout: Sink::Append(log.clone()),
                    stderr: Sink::Null,
                },
            )
            .unwrap();
        for _ in 0..1000 {
            if std::fs::read_to_string(&log).is_ok_and(|t| t.contains("started")) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.terminate(std::time::Duration::from_secs(3600)));
        });
        let code = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("terminate did not notice the exit")
            .unwrap();
        assert_eq!(code, 3, "the child's own exit code, not a kill");
    }
}
