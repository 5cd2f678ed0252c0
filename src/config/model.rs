//! The validated configuration: what the rest of agsekit works with. Every value here has
//! passed validation and has its default filled in; nothing here depends on the YAML crate.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

/// The whole configuration file, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    pub global: GlobalConfig,
    /// VMs in file order; the first one is the default VM.
    pub vms: IndexMap<String, VmConfig>,
    pub mounts: Vec<MountConfig>,
    pub agents: IndexMap<String, AgentConfig>,
    /// Problems that do not stop the tool (unknown keys, with a "did you mean").
    pub warnings: Vec<String>,
}

/// `global:` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalConfig {
    pub ssh_keys_folder: PathBuf,
    pub systemd_env_folder: PathBuf,
    pub state_file: PathBuf,
    pub portforward_config_check_interval_sec: u64,
    pub check_new_version: bool,
    pub check_new_version_interval_sec: u64,
    pub http_proxy_port_pool: PortRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub start: u16,
    pub end: u16,
}

/// `vms.<name>:`.
#[derive(Debug, Clone, PartialEq)]
pub struct VmConfig {
    pub name: String,
    pub cpu: u32,
    /// As written (passed verbatim to `multipass launch --memory`).
    pub ram: String,
    /// Parsed size in bytes.
    pub ram_bytes: u64,
    /// As written (passed verbatim to `multipass launch --disk`).
    pub disk: String,
    pub disk_bytes: u64,
    /// The `cloud-init:` mapping rendered as YAML text, or `None` when empty or absent.
    pub cloud_init: Option<String>,
    pub port_forwarding: Vec<PortForward>,
    pub proxychains: Option<String>,
    pub http_proxy: Option<HttpProxy>,
    /// `None` = every agent may run here.
    pub allowed_agents: Option<Vec<String>>,
    pub install: Vec<Bundle>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardKind {
    Local,
    Remote,
    Socks5,
}

/// One `port-forwarding:` rule. Addresses are normalized `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortForward {
    pub kind: ForwardKind,
    /// Required for local and remote; `None` for socks5.
    pub host_addr: Option<String>,
    pub vm_addr: String,
}

/// `http_proxy:` in its two modes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpProxy {
    /// `url:`: the agent talks to this HTTP proxy directly.
    Direct { url: String },
    /// `upstream:`: a VM-local privoxy listens on `listen` (or a port from the pool) and
    /// forwards to `upstream`.
    Upstream {
        upstream: String,
        listen: Option<String>,
    },
}

/// One `install:` item: a bundle name and an optional version (`nodejs:20`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub name: String,
    pub version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanMethod {
    Tail,
    Thin,
}

impl CleanMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            CleanMethod::Tail => "tail",
            CleanMethod::Thin => "thin",
        }
    }

    /// Case-insensitive, as the original.
    pub fn parse(text: &str) -> Option<CleanMethod> {
        match text.trim().to_ascii_lowercase().as_str() {
            "tail" => Some(CleanMethod::Tail),
            "thin" => Some(CleanMethod::Thin),
            _ => None,
        }
    }
}

/// One `mounts:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct MountConfig {
    /// Absolute host folder.
    pub source: PathBuf,
    /// Folder inside the VM.
    pub target: PathBuf,
    /// Snapshot chain folder on the host.
    pub backup: PathBuf,
    pub vm: String,
    /// Minutes between snapshots.
    pub interval: u32,
    pub max_backups: u32,
    pub backup_clean_method: CleanMethod,
    pub first_backup: bool,
    /// `None` = the VM's list applies; `Some` replaces it.
    pub allowed_agents: Option<Vec<String>>,
}

impl MountConfig {
    /// True when `path` is the mount's source or lies below it.
    pub fn contains(&self, path: &Path) -> bool {
        path.starts_with(&self.source)
    }
}

/// Agent types agsekit knows how to install and launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentType {
    Aider,
    Qwen,
    Forgecode,
    Codex,
    Opencode,
    CodexGlibc,
    CodexGlibcPrebuilt,
    Claude,
    Cline,
    Gemini,
}

impl AgentType {
    pub const ALL: [AgentType; 10] = [
        AgentType::Aider,
        AgentType::Qwen,
        AgentType::Forgecode,
        AgentType::Codex,
        AgentType::Opencode,
        AgentType::CodexGlibc,
        AgentType::CodexGlibcPrebuilt,
        AgentType::Claude,
        AgentType::Cline,
        AgentType::Gemini,
    ];

    /// The name used in the config's `type:` key.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentType::Aider => "aider",
            AgentType::Qwen => "qwen",
            AgentType::Forgecode => "forgecode",
            AgentType::Codex => "codex",
            AgentType::Opencode => "opencode",
            AgentType::CodexGlibc => "codex-glibc",
            AgentType::CodexGlibcPrebuilt => "codex-glibc-prebuilt",
            AgentType::Claude => "claude",
            AgentType::Cline => "cline",
            AgentType::Gemini => "gemini",
        }
    }

    /// Case-insensitive lookup of a `type:` value.
    pub fn parse(text: &str) -> Option<AgentType> {
        let lower = text.trim().to_ascii_lowercase();
        AgentType::ALL.into_iter().find(|t| t.as_str() == lower)
    }

    /// The program the agent runs as inside the VM.
    pub fn binary(self) -> &'static str {
        match self {
            AgentType::Forgecode => "forge",
            AgentType::CodexGlibc => "codex-glibc",
            AgentType::CodexGlibcPrebuilt => "codex-glibc-prebuilt",
            other => other.as_str(),
        }
    }
}

/// One `agents:` entry (a profile; several may share a type).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentConfig {
    pub name: String,
    pub agent_type: AgentType,
    /// `None` = upstream latest; `Some("stable")` or an exact version.
    pub version: Option<String>,
    /// Environment for the agent. Values are secrets: never log them.
    pub env: IndexMap<String, String>,
    pub default_args: Vec<String>,
    /// `vm` + `vms` merged, deduplicated; empty = bound to every VM.
    pub vms: Vec<String>,
    /// `None` = key absent (inherit the VM's); `Some(None)` = explicitly disabled.
    pub proxychains: Option<Option<String>>,
    /// `None` = key absent (inherit the VM's); `Some(None)` = explicitly disabled.
    pub http_proxy: Option<Option<HttpProxy>>,
}
