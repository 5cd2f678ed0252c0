//! The tool's SSH key pair and the `ssh` command line of `agsekit ssh`.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::UserError;
use crate::process::{Cmd, Runner};
use crate::t;
use crate::vm::SshEndpoint;

/// The key pair in `global.ssh_keys_folder`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    pub private: PathBuf,
    /// The public key line (`ssh-rsa AAAA... comment`).
    pub public: String,
    /// True when this call generated the key.
    pub created: bool,
}

/// Makes sure `folder/id_rsa` and `folder/id_rsa.pub` exist: an existing `id_rsa` (made by
/// agsekit 1.7.4 or before) is kept so its VMs keep working, and its public half is rewritten
/// when missing or different. Runs `ssh-keygen` through `runner`.
pub fn ensure_keypair(runner: &dyn Runner, folder: &Path) -> anyhow::Result<KeyPair> {
    std::fs::create_dir_all(folder).map_err(|e| {
        UserError::failed(t!(
            "lifecycle.ssh.mkdir_failed",
            path = folder.display(),
            error = e
        ))
        .hint(t!("lifecycle.ssh.mkdir_failed_hint"))
    })?;
    let _ = std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700));
    let private = folder.join("id_rsa");
    let public_path = folder.join("id_rsa.pub");
    let no_keygen = |e: crate::process::SpawnError| -> anyhow::Error {
        if e.not_found() {
            UserError::failed(t!("lifecycle.ssh.no_keygen"))
                .hint(t!("lifecycle.ssh.install_hint"))
                .into()
        } else {
            UserError::failed(e.to_string()).into()
        }
    };
    let mut created = false;
    if !private.exists() {
        let cmd = Cmd::new("ssh-keygen")
            .args([
                "-q", "-t", "rsa", "-b", "4096", "-N", "", "-C", "agsekit", "-f",
            ])
            .arg(&private);
        let out = runner.capture(&cmd).map_err(no_keygen)?;
        if !out.success() {
            return Err(UserError::failed(t!(
                "lifecycle.ssh.keygen_failed",
                path = private.display(),
                error = out.stderr_text().trim()
            ))
            .into());
        }
        created = true;
    }
    let out = runner
        .capture(&Cmd::new("ssh-keygen").args(["-y", "-f"]).arg(&private))
        .map_err(no_keygen)?;
    if !out.success() {
        return Err(UserError::failed(t!(
            "lifecycle.ssh.no_public",
            path = private.display(),
            error = out.stderr_text().trim()
        ))
        .hint(t!("lifecycle.ssh.no_public_hint", path = private.display()))
        .into());
    }
    let public = out.stdout_text().trim().to_string();
    if public.is_empty() {
        return Err(
            UserError::failed(t!("lifecycle.ssh.empty_public", path = private.display())).into(),
        );
    }
    let current = std::fs::read_to_string(&public_path).unwrap_or_default();
    // The comment may differ; the key type and body must match.
    let body = |line: &str| {
        line.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    };
    if body(&current) != body(&public) {
        std::fs::write(&public_path, format!("{public}\n")).map_err(|e| {
            UserError::failed(t!(
                "lifecycle.cannot_write",
                path = public_path.display(),
                error = e
            ))
        })?;
    }
    let _ = std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600));
    let _ = std::fs::set_permissions(&public_path, std::fs::Permissions::from_mode(0o644));
    Ok(KeyPair {
        private,
        public,
        created,
    })
}

/// Removes the host keys recorded for `hosts` from the tool's `known_hosts` (a new VM often
/// gets the address of a deleted one, and `agsekit ssh` would then refuse its new key).
/// Nothing happens when the file does not exist; failures are ignored (ssh reports them).
pub fn forget_host_keys(runner: &dyn Runner, keys_folder: &Path, hosts: &[String]) {
    let known = keys_folder.join("known_hosts");
    if !known.is_file() {
        return;
    }
    for host in hosts {
        let cmd = Cmd::new("ssh-keygen")
            .arg("-R")
            .arg(host)
            .arg("-f")
            .arg(&known);
        let _ = runner.capture(&cmd);
    }
}

/// ssh options that take a value (OpenSSH's getopt string).
const OPTS_WITH_VALUE: &str = "BbcDEeFIiJLlmOopQRSWw";

/// Splits `agsekit ssh VM ARGS...` into ssh options and the remote command: options come
/// first (with their values); the first word that is not an option, or everything after a
/// `--`, is the command.
pub fn split_ssh_args(args: &[OsString]) -> (Vec<OsString>, Vec<OsString>) {
    let mut options = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].to_string_lossy();
        if arg == "--" {
            return (options, args[i + 1..].to_vec());
        }
        if !arg.starts_with('-') || arg == "-" {
            break;
        }
        options.push(args[i].clone());
        // `-p 22` takes the next word unless the value is attached (`-p22`).
        if arg.len() == 2
            && arg
                .chars()
                .nth(1)
                .is_some_and(|c| OPTS_WITH_VALUE.contains(c))
        {
            if let Some(value) = args.get(i + 1) {
                options.push(value.clone());
                i += 1;
            }
        }
        i += 1;
    }
    (options, args[i..].to_vec())
}

/// `ssh -i KEY -o UserKnownHostsFile=FOLDER/known_hosts -o StrictHostKeyChecking=accept-new
/// [-p PORT] [OPTIONS] -- USER@HOST [COMMAND...]` for the VM's [`SshEndpoint`] (`-p` only when
/// the port is not 22). The `--` before the host keeps ssh from reading the command's words as
/// its own options.
pub fn ssh_command(keys_folder: &Path, endpoint: &SshEndpoint, args: &[OsString]) -> Cmd {
    let (options, command) = split_ssh_args(args);
    let mut known = OsString::from("UserKnownHostsFile=");
    known.push(keys_folder.join("known_hosts"));
    Cmd::new("ssh")
        .arg("-i")
        .arg(keys_folder.join("id_rsa"))
        .arg("-o")
        .arg(known)
        .args(["-o", "StrictHostKeyChecking=accept-new"])
        .args(endpoint.port_args())
        .args(options)
        .arg("--")
        .arg(endpoint.destination())
        .args(command)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{FakeRunner, Output};

    fn os(items: &[&str]) -> Vec<OsString> {
        items.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_and_command_are_told_apart() {
        assert_eq!(split_ssh_args(&os(&["uptime"])), (vec![], os(&["uptime"])));
        assert_eq!(
            split_ssh_args(&os(&["-p", "2222", "-v", "ls", "-la"])),
            (os(&["-p", "2222", "-v"]), os(&["ls", "-la"]))
        );
        assert_eq!(
            split_ssh_args(&os(&["-L8080:localhost:80", "--", "-x"])),
            (os(&["-L8080:localhost:80"]), os(&["-x"]))
        );
        assert_eq!(split_ssh_args(&os(&["-N"])), (os(&["-N"]), vec![]));
        assert_eq!(
            split_ssh_args(&os(&["/bin/sh"])),
            (vec![], os(&["/bin/sh"]))
        );
    }

    fn endpoint(host: &str, port: u16) -> SshEndpoint {
        SshEndpoint {
            host: host.into(),
            port,
            user: "ubuntu".into(),
        }
    }

    /// A backend whose VMs listen on another port and user gets `-p PORT USER@HOST`.
    #[test]
    fn an_endpoint_off_port_22_passes_its_port_and_user() {
        let mut end = endpoint("127.0.0.1", 2222);
        end.user = "agent".into();
        let argv = ssh_command(Path::new("/k"), &end, &os(&["uptime"])).argv_lossy();
        assert_eq!(
            argv[7..],
            ["-p", "2222", "--", "agent@127.0.0.1", "uptime"].map(String::from)
        );
    }

    #[test]
    fn the_command_line_uses_the_tools_key_and_known_hosts() {
        let cmd = ssh_command(
            Path::new("/k"),
            &endpoint("10.0.0.5", 22),
            &os(&["-p", "22", "echo", "a b"]),
        );
        let argv: Vec<String> = std::iter::once(cmd.get_program())
            .chain(cmd.get_args().iter().map(|a| a.as_os_str()))
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            argv,
            [
                "ssh",
                "-i",
                "/k/id_rsa",
                "-o",
                "UserKnownHostsFile=/k/known_hosts",
                "-o",
                "StrictHostKeyChecking=accept-new",
                "-p",
                "22",
                "--",
                "ubuntu@10.0.0.5",
                "echo",
                "a b"
            ]
        );
    }

    #[test]
    fn an_existing_key_is_kept_and_its_public_half_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("id_rsa"), "PRIVATE").unwrap();
        let fake = FakeRunner::new(|_| Ok(Output::ok("ssh-rsa AAAA old\n")));
        let pair = ensure_keypair(&fake, dir.path()).unwrap();
        assert!(!pair.created);
        assert_eq!(pair.public, "ssh-rsa AAAA old");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("id_rsa.pub")).unwrap(),
            "ssh-rsa AAAA old\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("id_rsa")).unwrap(),
            "PRIVATE"
        );
        let argvs = fake.argvs();
        assert_eq!(argvs.len(), 1);
        assert_eq!(argvs[0][..3], ["ssh-keygen", "-y", "-f"]);
    }

    #[test]
    fn a_missing_key_is_generated() {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeRunner::new(|_| Ok(Output::ok("ssh-rsa BBBB agsekit\n")));
        let pair = ensure_keypair(&fake, &dir.path().join("ssh")).unwrap();
        assert!(pair.created);
        let argvs = fake.argvs();
        assert_eq!(argvs[0][..5], ["ssh-keygen", "-q", "-t", "rsa", "-b"]);
        assert!(argvs[0].last().unwrap().ends_with("ssh/id_rsa"));
    }

    #[test]
    fn a_missing_ssh_keygen_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeRunner::new(|_| Err(std::io::ErrorKind::NotFound));
        let err = ensure_keypair(&fake, dir.path()).unwrap_err();
        let user = crate::error::find_user_error(&err).unwrap();
        assert!(user.message.contains("ssh-keygen"));
        assert!(user.hints[0].contains("agsekit prepare"));
    }

    #[test]
    fn old_host_keys_are_forgotten_only_when_known_hosts_exists() {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeRunner::always_ok();
        forget_host_keys(&fake, dir.path(), &["10.0.0.5".to_string()]);
        assert!(fake.argvs().is_empty());
        std::fs::write(dir.path().join("known_hosts"), "10.0.0.5 ssh-ed25519 AAA\n").unwrap();
        forget_host_keys(&fake, dir.path(), &["10.0.0.5".to_string()]);
        let known = dir
            .path()
            .join("known_hosts")
            .to_string_lossy()
            .into_owned();
        assert_eq!(
            fake.argvs(),
            [["ssh-keygen", "-R", "10.0.0.5", "-f", known.as_str()]]
        );
    }
}
