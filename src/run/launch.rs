//! The launcher command line: what the host passes to `agsekit-launch` in the VM, and the
//! environment file it reads the agent's secrets from.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::policy::EffectiveProxy;
use crate::config::{AgentConfig, AgentType, HttpProxy, PortRange};
use crate::launcher::LAUNCHER_VERSION;

/// Standard base64 of a word's bytes.
fn b64(word: &std::ffi::OsStr) -> String {
    use base64::Engine;
    use std::os::unix::ffi::OsStrExt;
    base64::engine::general_purpose::STANDARD.encode(word.as_bytes())
}

/// The proxy part of a launch, as the launcher takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyMode {
    None,
    Proxychains(String),
    HttpDirect(String),
    HttpUpstream {
        upstream: String,
        listen: Option<String>,
        pool: PortRange,
    },
}

impl ProxyMode {
    pub fn from_effective(proxy: EffectiveProxy, pool: PortRange) -> Self {
        match proxy {
            EffectiveProxy::None => ProxyMode::None,
            EffectiveProxy::Proxychains(url) => ProxyMode::Proxychains(url),
            EffectiveProxy::Http(HttpProxy::Direct { url }) => ProxyMode::HttpDirect(url),
            EffectiveProxy::Http(HttpProxy::Upstream { upstream, listen }) => {
                ProxyMode::HttpUpstream {
                    upstream,
                    listen,
                    pool,
                }
            }
        }
    }
}

/// Everything the launcher needs for one agent session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLaunch {
    /// Names this session's status record in the VM (letters, digits, `-`, `_`).
    pub session: String,
    /// The mount's folder in the VM; `None` for a temporary folder that is not shared (the
    /// launcher then skips its mount checks).
    pub mount_root: Option<PathBuf>,
    /// The folder the agent starts in, inside the VM.
    pub workdir: PathBuf,
    /// The agent's program name in the VM.
    pub binary: String,
    /// Arguments after the program name, byte for byte.
    pub args: Vec<OsString>,
    /// The env file in the VM and the sha256 of its contents, when the agent has env.
    pub env_file: Option<(String, String)>,
    pub load_nvm: bool,
    pub proxy: ProxyMode,
}

/// The folder in the VM that matches `host_dir`, which lies under `source` (mounted at
/// `target`). `None` when `host_dir` is not under `source`.
pub fn vm_workdir(source: &Path, target: &Path, host_dir: &Path) -> Option<PathBuf> {
    let rest = host_dir.strip_prefix(source).ok()?;
    Some(if rest.as_os_str().is_empty() {
        target.to_path_buf()
    } else {
        target.join(rest)
    })
}

/// Agent types installed with npm under nvm: the launcher loads nvm for them.
pub fn needs_nvm(agent_type: AgentType) -> bool {
    matches!(
        agent_type,
        AgentType::Qwen
            | AgentType::Codex
            | AgentType::Opencode
            | AgentType::Claude
            | AgentType::Cline
            | AgentType::Gemini
    )
}

/// Environment every agent of a type gets unless the config overrides it (as 1.7.4).
pub fn default_env(agent_type: AgentType) -> &'static [(&'static str, &'static str)] {
    match agent_type {
        AgentType::Aider => &[("AIDER_CHECK_UPDATE", "false")],
        AgentType::Forgecode => &[("FORGE_TRACKER", "false")],
        AgentType::Opencode => &[("OPENCODE_DISABLE_AUTOUPDATE", "true")],
        AgentType::Claude => &[("DISABLE_AUTOUPDATER", "1")],
        AgentType::Cline => &[("CLINE_NO_AUTO_UPDATE", "1")],
        _ => &[],
    }
}

/// The env file for `agent`: NUL-separated `KEY=VALUE` records, the type's defaults first,
/// then the config's `env:` (later records win when the launcher exports them in order).
pub fn env_file_contents(agent: &AgentConfig) -> Vec<u8> {
    let mut out = Vec::new();
    let defaults = default_env(agent.agent_type)
        .iter()
        .filter(|(k, _)| !agent.env.contains_key(*k));
    for (key, value) in defaults {
        out.extend_from_slice(format!("{key}={value}").as_bytes());
        out.push(0);
    }
    for (key, value) in &agent.env {
        out.extend_from_slice(key.as_bytes());
        out.push(b'=');
        out.extend_from_slice(value.as_bytes());
        out.push(0);
    }
    out
}

/// Lowercase hex sha256 of `bytes`, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where an agent's env file lives in the VM. Names outside `[A-Za-z0-9._-]` are hex-encoded
/// so a profile name can never escape the folder.
pub fn env_file_path(agent_name: &str) -> String {
    let safe = !agent_name.is_empty()
        && !agent_name.starts_with('.')
        && agent_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
    let file = if safe {
        agent_name.to_string()
    } else {
        agent_name.bytes().map(|b| format!("{b:02x}")).collect()
    };
    format!("{}/.config/agsekit/env/{file}.env", crate::vm::GUEST_HOME)
}

impl AgentLaunch {
    /// The launcher's argv (after the launcher path itself). Values are separate argv items:
    /// nothing is joined into a shell string.
    pub fn launcher_args(&self) -> Vec<OsString> {
        fn flag(a: &mut Vec<OsString>, name: &str, value: &std::ffi::OsStr) {
            a.push(name.into());
            a.push(value.to_owned());
        }
        let mut a: Vec<OsString> = Vec::new();
        flag(
            &mut a,
            "--min-version",
            LAUNCHER_VERSION.to_string().as_ref(),
        );
        flag(&mut a, "--session", self.session.as_ref());
        match &self.mount_root {
            Some(root) => flag(&mut a, "--mount-root", root.as_os_str()),
            None => a.push("--no-mount".into()),
        }
        // The working folder and the agent's words travel base64-encoded (`--b64`):
        // `multipass exec` mangles newlines and Multipass's command line drops bytes that
        // are not UTF-8, so they could not reach the agent byte for byte otherwise.
        a.push("--b64".into());
        flag(&mut a, "--workdir", b64(self.workdir.as_os_str()).as_ref());
        flag(&mut a, "--binary", self.binary.as_ref());
        if let Some((file, sha)) = &self.env_file {
            flag(&mut a, "--env-file", file.as_ref());
            flag(&mut a, "--env-sha256", sha.as_ref());
        }
        match &self.proxy {
            ProxyMode::None => {}
            ProxyMode::Proxychains(url) => flag(&mut a, "--proxychains", url.as_ref()),
            ProxyMode::HttpDirect(url) => flag(&mut a, "--http-proxy-url", url.as_ref()),
            ProxyMode::HttpUpstream {
                upstream,
                listen,
                pool,
            } => {
                flag(&mut a, "--http-proxy-upstream", upstream.as_ref());
                let pool = format!("{}-{}", pool.start, pool.end);
                flag(&mut a, "--http-proxy-pool", pool.as_ref());
                if let Some(listen) = listen {
                    flag(&mut a, "--http-proxy-listen", listen.as_ref());
                }
            }
        }
        if self.load_nvm {
            a.push("--load-nvm".into());
        }
        a.push("--".into());
        a.push(b64(self.binary.as_ref()).into());
        a.extend(self.args.iter().map(|w| b64(w).into()));
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::policy::tests::agent;

    #[test]
    fn workdir_maps_subfolders() {
        let s = Path::new("/home/u/proj");
        let t = Path::new("/home/ubuntu/proj");
        assert_eq!(vm_workdir(s, t, s).unwrap(), t);
        assert_eq!(
            vm_workdir(s, t, Path::new("/home/u/proj/a/b")).unwrap(),
            Path::new("/home/ubuntu/proj/a/b")
        );
        assert_eq!(vm_workdir(s, t, Path::new("/home/u/project")), None);
    }

    #[test]
    fn env_file_puts_user_values_over_type_defaults() {
        let mut a = agent("c", AgentType::Claude);
        a.env.insert("DISABLE_AUTOUPDATER".into(), "0".into());
        a.env.insert("API_KEY".into(), "sk-x y".into());
        assert_eq!(
            env_file_contents(&a),
            b"DISABLE_AUTOUPDATER=0\0API_KEY=sk-x y\0"
        );
        let f = agent("f", AgentType::Forgecode);
        assert_eq!(env_file_contents(&f), b"FORGE_TRACKER=false\0");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn env_file_names_cannot_escape_their_folder() {
        assert_eq!(
            env_file_path("codex"),
            "/home/ubuntu/.config/agsekit/env/codex.env"
        );
        assert_eq!(
            env_file_path("../x"),
            "/home/ubuntu/.config/agsekit/env/2e2e2f78.env"
        );
    }

    #[test]
    fn launcher_args_keep_agent_args_separate_and_last() {
        let spec = AgentLaunch {
            session: "s1".into(),
            mount_root: Some("/home/ubuntu/p".into()),
            workdir: "/home/ubuntu/p/sub dir".into(),
            binary: "codex".into(),
            args: vec!["--".into(), "$(x)".into()],
            env_file: Some(("/e".into(), "ab".into())),
            load_nvm: true,
            proxy: ProxyMode::HttpUpstream {
                upstream: "socks5://h:1".into(),
                listen: None,
                pool: PortRange {
                    start: 48000,
                    end: 49000,
                },
            },
        };
        let args: Vec<String> = spec
            .launcher_args()
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "--min-version",
                "3",
                "--session",
                "s1",
                "--mount-root",
                "/home/ubuntu/p",
                "--b64",
                "--workdir",
                "L2hvbWUvdWJ1bnR1L3Avc3ViIGRpcg==",
                "--binary",
                "codex",
                "--env-file",
                "/e",
                "--env-sha256",
                "ab",
                "--http-proxy-upstream",
                "socks5://h:1",
                "--http-proxy-pool",
                "48000-49000",
                "--load-nvm",
                "--",
                "Y29kZXg=", // codex
                "LS0=",     // --
                "JCh4KQ==", // $(x)
            ]
        );
    }
}
