//! SSH to a QEMU VM: the options every call shares (agsekit's key, the VM's own
//! `known_hosts`, a persistent control connection in the VM's folder) and the remote command
//! line, built byte for byte from the argument words.
//!
//! The remote line is `cd 'DIR' || exit 254; exec 'ARG0' 'ARG1'...`: every word single-quoted
//! (a `'` inside becomes `'\''`), so the login shell in the guest passes each word to the
//! program unchanged, whatever bytes it holds. Exit code 254 is the sentinel of a working
//! folder that `cd` could not enter; since a program may exit 254 itself, the backend checks
//! the folder again before it reports [`crate::vm::VmError::WorkdirMissing`]. Exit code 255 is
//! ssh's own (the connection failed) and is never passed on as the command's.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::process::Cmd;

/// The exit code of the remote line when `cd` into the working folder failed.
pub const WORKDIR_SENTINEL: i32 = 254;
/// ssh's own exit code for a connection that failed.
pub const SSH_TRANSPORT: i32 = 255;
/// How long an idle control connection stays open.
const CONTROL_PERSIST: &str = "ControlPersist=600";

/// How to reach one VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub port: u16,
    pub user: String,
    pub key: PathBuf,
    pub known_hosts: PathBuf,
    pub control: PathBuf,
}

impl Target {
    fn options(&self, port_flag: &str) -> Vec<OsString> {
        let opt = |s: String| -> [OsString; 2] { ["-o".into(), s.into()] };
        let mut out: Vec<OsString> = vec![
            "-i".into(),
            self.key.clone().into_os_string(),
            port_flag.into(),
            self.port.to_string().into(),
        ];
        for o in [
            opt(format!("UserKnownHostsFile={}", self.known_hosts.display())),
            opt("StrictHostKeyChecking=accept-new".into()),
            opt("IdentitiesOnly=yes".into()),
            opt("BatchMode=yes".into()),
            opt("LogLevel=ERROR".into()),
            opt("ConnectTimeout=10".into()),
            opt("ServerAliveInterval=15".into()),
            opt("ControlMaster=auto".into()),
            opt(format!("ControlPath={}", self.control.display())),
            opt(CONTROL_PERSIST.into()),
        ] {
            out.extend(o);
        }
        out
    }

    fn destination(&self) -> String {
        format!("{}@127.0.0.1", self.user)
    }

    /// `ssh OPTIONS [-tt|-T] USER@127.0.0.1 -- REMOTE` (no remote line: a login shell).
    pub fn ssh(&self, tty: bool, remote: Option<&OsStr>) -> Cmd {
        let mut cmd = Cmd::new("ssh")
            .args(self.options("-p"))
            .arg(if tty { "-tt" } else { "-T" })
            .arg(self.destination());
        if let Some(line) = remote {
            cmd = cmd.arg("--").arg(line);
        }
        cmd
    }

    /// `scp OPTIONS [-r] FROM TO`, a VM side written as `vm:PATH`.
    pub fn scp(&self, recursive: bool, from: &OsStr, to: &OsStr) -> Cmd {
        let mut cmd = Cmd::new("scp").args(self.options("-P"));
        if recursive {
            cmd = cmd.arg("-r");
        }
        cmd.arg("--").arg(from).arg(to)
    }

    /// The `scp` spelling of a path in the VM.
    pub fn remote_path(&self, path: &str) -> OsString {
        format!("{}:{}", self.destination(), path).into()
    }

    /// `ssh -O exit`: closes the control connection (when there is one).
    pub fn close_master(&self) -> Cmd {
        Cmd::new("ssh")
            .args(self.options("-p"))
            .args(["-O", "exit"])
            .arg(self.destination())
    }

    /// The control socket's folder, created when missing (it may be a short folder under the
    /// temporary folder when the VM's path is long).
    pub fn control_dir(&self) -> Option<&Path> {
        self.control.parent()
    }
}

/// One word, single-quoted for a POSIX shell, byte for byte.
pub fn quote(word: &OsStr) -> OsString {
    let mut out = Vec::with_capacity(word.len() + 2);
    out.push(b'\'');
    for &b in word.as_bytes() {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    OsString::from_vec(out)
}

/// Words joined by spaces, each quoted.
pub fn quote_all<S: AsRef<OsStr>>(words: &[S]) -> OsString {
    let mut out = OsString::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(" ");
        }
        out.push(quote(w.as_ref()));
    }
    out
}

/// The remote line of a command: enter `workdir` (or exit with the sentinel), then replace
/// the shell with the program.
pub fn remote_line(workdir: &str, argv: &[OsString]) -> OsString {
    let mut out = OsString::from("cd ");
    out.push(quote(OsStr::new(workdir)));
    out.push(format!(" || exit {WORKDIR_SENTINEL}; exec "));
    out.push(quote_all(argv));
    out
}

/// The remote line of a shell snippet run as root with its arguments quoted
/// (`sudo mkdir -p 'T' && sudo mount ...` are built with this).
pub fn sudo_line<S: AsRef<OsStr>>(argv: &[S]) -> OsString {
    let mut out = OsString::from("sudo ");
    out.push(quote_all(argv));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            port: 40022,
            user: "ubuntu".into(),
            key: "/k/id_rsa".into(),
            known_hosts: "/s/vm/known_hosts".into(),
            control: "/s/vm/ssh.sock".into(),
        }
    }

    /// What a POSIX shell makes of a line: run it through `sh` and print each word.
    fn shell_words_of(line: &OsStr) -> Vec<Vec<u8>> {
        let mut script = OsString::from("for w in ");
        script.push(line);
        script.push("; do printf '%s\\0' \"$w\"; done");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        out.stdout
            .split(|&b| b == 0)
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>()
            .split_last()
            .map(|(_, rest)| rest.to_vec())
            .unwrap_or_default()
    }

    #[test]
    fn every_word_reaches_the_shell_byte_for_byte() {
        let words: Vec<OsString> = vec![
            "plain".into(),
            "a b".into(),
            "it's".into(),
            "$(touch /tmp/x) `id` ${HOME} *".into(),
            "line\nbreak".into(),
            "".into(),
            "'".into(),
            OsString::from_vec(vec![0xff, 0xfe, b'x', 0x80]),
            "Проект ünï".into(),
        ];
        let line = quote_all(&words);
        let back = shell_words_of(&line);
        let expected: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        assert_eq!(back, expected);
    }

    #[test]
    fn the_remote_line_enters_the_folder_or_exits_with_the_sentinel() {
        let line = remote_line("/home/ubuntu/my 'app'", &["echo".into(), "a;b".into()]);
        assert_eq!(
            line,
            OsString::from("cd '/home/ubuntu/my '\\''app'\\''' || exit 254; exec 'echo' 'a;b'")
        );
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone");
        let ok = std::process::Command::new("sh")
            .arg("-c")
            .arg(remote_line(
                dir.path().to_str().unwrap(),
                &["sh".into(), "-c".into(), "pwd; exit 7".into()],
            ))
            .output()
            .unwrap();
        assert_eq!(ok.status.code(), Some(7));
        assert_eq!(
            String::from_utf8_lossy(&ok.stdout).trim(),
            dir.path().to_str().unwrap()
        );
        let gone = std::process::Command::new("sh")
            .arg("-c")
            .arg(remote_line(missing.to_str().unwrap(), &["true".into()]))
            .output()
            .unwrap();
        assert_eq!(gone.status.code(), Some(WORKDIR_SENTINEL));
    }

    #[test]
    fn ssh_uses_the_key_the_vm_known_hosts_and_a_control_connection() {
        let cmd = target().ssh(false, Some(OsStr::new("cd '/' || exit 254; exec 'true'")));
        let argv = cmd.argv_lossy();
        assert_eq!(argv[0], "ssh");
        assert!(argv.windows(2).any(|w| w == ["-i", "/k/id_rsa"]));
        assert!(argv.windows(2).any(|w| w == ["-p", "40022"]));
        for option in [
            "UserKnownHostsFile=/s/vm/known_hosts",
            "ControlMaster=auto",
            "ControlPath=/s/vm/ssh.sock",
            "ControlPersist=600",
            "BatchMode=yes",
            "IdentitiesOnly=yes",
        ] {
            assert!(
                argv.windows(2).any(|w| w[0] == "-o" && w[1] == option),
                "{option}: {argv:?}"
            );
        }
        let n = argv.len();
        assert_eq!(
            &argv[n - 4..],
            [
                "-T",
                "ubuntu@127.0.0.1",
                "--",
                "cd '/' || exit 254; exec 'true'"
            ]
        );
        let shell = target().ssh(true, None).argv_lossy();
        assert_eq!(&shell[shell.len() - 2..], ["-tt", "ubuntu@127.0.0.1"]);
    }

    #[test]
    fn scp_takes_the_port_with_a_capital_p() {
        let t = target();
        let argv = t
            .scp(true, OsStr::new("/h/a b"), &t.remote_path("dir/x"))
            .argv_lossy();
        assert!(argv.windows(2).any(|w| w == ["-P", "40022"]));
        let n = argv.len();
        assert_eq!(
            &argv[n - 4..],
            ["-r", "--", "/h/a b", "ubuntu@127.0.0.1:dir/x"]
        );
    }
}
