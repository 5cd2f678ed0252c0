//! A runner for unit tests: answers from a script and records every command it was given.

use std::sync::Mutex;

use super::cmd::Cmd;
use super::{Output, Runner, SpawnError};

type Responder = Box<dyn Fn(&Cmd) -> Result<Output, std::io::ErrorKind> + Send + Sync>;

/// Answers each command with the responder's reply and keeps the list of commands.
/// A responder returning `Err(kind)` makes the command fail to start with that I/O error
/// kind (`NotFound` models a program that is not installed).
pub struct FakeRunner {
    responder: Responder,
    calls: Mutex<Vec<Cmd>>,
}

impl FakeRunner {
    pub fn new(
        responder: impl Fn(&Cmd) -> Result<Output, std::io::ErrorKind> + Send + Sync + 'static,
    ) -> Self {
        FakeRunner {
            responder: Box::new(responder),
            calls: Mutex::new(Vec::new()),
        }
    }

    /// A runner whose every command succeeds with empty output.
    pub fn always_ok() -> Self {
        Self::new(|_| Ok(Output::default()))
    }

    /// Every command given so far, in order.
    pub fn calls(&self) -> Vec<Cmd> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Every command given so far, each as its argv (lossy UTF-8).
    pub fn argvs(&self) -> Vec<Vec<String>> {
        self.calls().iter().map(Cmd::argv_lossy).collect()
    }

    fn answer(&self, cmd: &Cmd) -> Result<Output, SpawnError> {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(cmd.clone());
        (self.responder)(cmd).map_err(|kind| SpawnError {
            program: cmd.get_program().to_owned(),
            line: cmd.to_string(),
            source: std::io::Error::from(kind),
        })
    }
}

impl Runner for FakeRunner {
    fn capture(&self, cmd: &Cmd) -> Result<Output, SpawnError> {
        self.answer(cmd)
    }

    fn inherit(&self, cmd: &Cmd) -> Result<i32, SpawnError> {
        self.answer(cmd).map(|o| o.code)
    }

    fn exec(&self, cmd: &Cmd) -> SpawnError {
        match self.answer(cmd) {
            Ok(out) => SpawnError {
                program: cmd.get_program().to_owned(),
                line: cmd.to_string(),
                source: std::io::Error::other(format!("fake exec exited with {}", out.code)),
            },
            Err(e) => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_calls_and_replies_from_the_script() {
        let fake = FakeRunner::new(|cmd| {
            if cmd.get_args().first().map(|a| a == "list").unwrap_or(false) {
                Ok(Output::ok("{}"))
            } else {
                Err(std::io::ErrorKind::NotFound)
            }
        });
        assert_eq!(
            fake.capture(&Cmd::new("multipass").arg("list"))
                .unwrap()
                .stdout,
            b"{}"
        );
        assert!(fake.capture(&Cmd::new("other")).unwrap_err().not_found());
        assert_eq!(
            fake.argvs(),
            vec![
                vec!["multipass".to_string(), "list".to_string()],
                vec!["other".to_string()]
            ]
        );
    }
}
