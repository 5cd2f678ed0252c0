//! `Cmd`: a command to run, and how it prints itself.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};

use super::debug::mask_secrets;

/// Where the child's standard input comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Stdin {
    /// `/dev/null`. The default for captured commands, so a child never waits for input.
    #[default]
    Null,
    /// This process's own stdin.
    Inherit,
    /// These bytes, then end of file.
    Bytes(Vec<u8>),
}

/// One environment change for the child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EnvChange {
    Set {
        key: OsString,
        value: OsString,
        secret: bool,
    },
    Remove(OsString),
}

/// A command to run: program, arguments, environment changes, working directory, stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    pub(crate) program: OsString,
    pub(crate) args: Vec<OsString>,
    pub(crate) env: Vec<EnvChange>,
    pub(crate) cwd: Option<PathBuf>,
    pub(crate) stdin: Stdin,
    pub(crate) stdin_set: bool,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
            stdin: Stdin::Null,
            stdin_set: false,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable whose value may be shown in `--debug` output.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env.push(EnvChange::Set {
            key: key.as_ref().to_owned(),
            value: value.as_ref().to_owned(),
            secret: false,
        });
        self
    }

    /// Sets an environment variable whose value is never shown (printed as `***`).
    pub fn secret_env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env.push(EnvChange::Set {
            key: key.as_ref().to_owned(),
            value: value.as_ref().to_owned(),
            secret: true,
        });
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.push(EnvChange::Remove(key.as_ref().to_owned()));
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Feeds these bytes to the child's stdin, then closes it.
    pub fn stdin_bytes(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Stdin::Bytes(bytes.into());
        self.stdin_set = true;
        self
    }

    /// Lets the child read this process's stdin.
    pub fn stdin_inherit(mut self) -> Self {
        self.stdin = Stdin::Inherit;
        self.stdin_set = true;
        self
    }

    pub fn get_program(&self) -> &OsStr {
        &self.program
    }

    pub fn get_args(&self) -> &[OsString] {
        &self.args
    }

    pub fn get_cwd(&self) -> Option<&Path> {
        self.cwd.as_deref()
    }

    pub fn get_stdin(&self) -> &Stdin {
        &self.stdin
    }

    /// The value this command sets for `key`, if it sets one.
    pub fn get_env(&self, key: &str) -> Option<&OsStr> {
        self.env.iter().rev().find_map(|change| match change {
            EnvChange::Set { key: k, value, .. } if k == key => Some(value.as_os_str()),
            EnvChange::Remove(k) if k == key => None,
            _ => None,
        })
    }

    /// Program and arguments as UTF-8 (lossy), for assertions and messages.
    pub fn argv_lossy(&self) -> Vec<String> {
        std::iter::once(&self.program)
            .chain(self.args.iter())
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }
}

fn quote(word: &OsStr) -> String {
    let text = word.to_string_lossy();
    shell_words::quote(&text).into_owned()
}

impl fmt::Display for Cmd {
    /// A pasteable shell line: `[cd DIR &&] [env KEY=VALUE ...] program args...`, every word
    /// quoted, secret values shown as `***`, and any registered secret value masked wherever
    /// it appears.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words: Vec<String> = Vec::new();
        if let Some(dir) = &self.cwd {
            words.push(format!("cd {} &&", quote(dir.as_os_str())));
        }
        let mut env_words = Vec::new();
        for change in &self.env {
            match change {
                EnvChange::Set { key, value, secret } => {
                    let shown = if *secret {
                        "***".to_string()
                    } else {
                        quote(value)
                    };
                    env_words.push(format!("{}={}", key.to_string_lossy(), shown));
                }
                EnvChange::Remove(key) => env_words.push(format!("-u {}", quote(key))),
            }
        }
        if !env_words.is_empty() {
            words.push("env".to_string());
            words.extend(env_words);
        }
        words.push(quote(&self.program));
        words.extend(self.args.iter().map(|a| quote(a)));
        f.write_str(&mask_secrets(&words.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_a_pasteable_line_with_secrets_masked() {
        let cmd = Cmd::new("multipass")
            .args(["exec", "vm one", "--", "echo", "it's"])
            .env("LANG", "C")
            .secret_env("OPENAI_API_KEY", "sk-123")
            .current_dir("/tmp/a b");
        let line = cmd.to_string();
        assert_eq!(
            line,
            "cd '/tmp/a b' && env LANG=C OPENAI_API_KEY=*** multipass exec 'vm one' -- echo 'it'\\''s'"
        );
        assert!(!line.contains("sk-123"));
    }

    #[test]
    fn round_trips_through_a_shell_parser() {
        let args = ["a b", "$(rm -rf /)", "x\ny", "", "'\""];
        let cmd = Cmd::new("prog").args(args);
        let parsed = shell_words::split(&cmd.to_string()).unwrap();
        assert_eq!(parsed[0], "prog");
        assert_eq!(&parsed[1..], &args);
    }

    #[test]
    fn get_env_returns_the_last_setting() {
        let cmd = Cmd::new("x").env("A", "1").env("A", "2");
        assert_eq!(cmd.get_env("A"), Some(OsStr::new("2")));
        assert_eq!(cmd.get_env("B"), None);
    }
}
