//! The validated configuration: what the rest of agsekit works with. Every value here has
//! passed validation and has its default filled in; nothing here depends on the YAML crate.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::rules::quote;
use crate::error::UserError;
use crate::t;

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

/// Which VM backend runs a VM (`backend:` under `global:` or in a VM's entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum BackendKind {
    #[default]
    Multipass,
    Qemu,
}

impl BackendKind {
    /// Every value, as the config spells them.
    pub const ALL: [BackendKind; 2] = [BackendKind::Multipass, BackendKind::Qemu];

    /// The config's spelling (`multipass`, `qemu`).
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Multipass => "multipass",
            BackendKind::Qemu => "qemu",
        }
    }

    /// The value for a config word, if it is one.
    pub fn parse(word: &str) -> Option<BackendKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == word)
    }
}

/// The least `ram:` and `disk:` a backend runs a VM with. The numbers are each backend's own
/// (in `vm::multipass`, `vm::qemu`); `config` may not name `vm`, so the composition root
/// (`backend::minimums`) hands them to validation as a [`MinimumsOf`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minimums {
    /// The backend's name in messages (`Multipass`, `QEMU`).
    pub backend: &'static str,
    pub ram_bytes: u64,
    pub disk_bytes: u64,
}

/// The [`Minimums`] of each backend kind: what every function that validates a config takes.
pub type MinimumsOf = fn(BackendKind) -> Minimums;

/// What a VM boots from (`image:` in a VM's entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmImage {
    /// An alias (`24.04`), a URL, or a local disk image (made absolute: `~` expanded, relative
    /// to the config file's folder).
    Named(String),
    /// A disk booted directly with its kernel (paths absolute, as for `Named`).
    Kernel {
        disk: PathBuf,
        kernel: PathBuf,
        initrd: Option<PathBuf>,
        cmdline: Option<String>,
    },
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
    /// What a shim does in a folder that no mount covers (`global.shims.outside_mounts`).
    pub shims_outside_mounts: OutsideMounts,
    /// The review printed after an agent session (`global.review`).
    pub review: ReviewConfig,
    /// What the background daemon does (`global.daemon`).
    pub daemon: DaemonConfig,
    /// Mass-deletion detection after each snapshot (`global.tripwire`).
    pub tripwire: TripwireConfig,
    /// The VM backend of VMs that name none (`global.backend`, default `multipass`).
    pub backend: BackendKind,
}

/// `global.tripwire`: a new snapshot that lost at least `min_files` files and at least
/// `min_percent` % of the previous snapshot's files is a mass deletion; the previous snapshot
/// is then pinned (kept by every cleanup) and a warning names the restore command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TripwireConfig {
    pub enabled: bool,
    pub min_files: u64,
    /// 1..=100.
    pub min_percent: u64,
}

impl Default for TripwireConfig {
    fn default() -> Self {
        TripwireConfig {
            enabled: true,
            min_files: 50,
            min_percent: 30,
        }
    }
}

/// `global.daemon`: what `agsekit daemon run` keeps going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DaemonConfig {
    /// Which mounts get a backup loop from the daemon.
    pub backups: DaemonBackups,
    /// Stop (or suspend, see `idle_vm_action`) a running VM after this many minutes without
    /// an agent in it; 0 = never.
    pub idle_vm_stop_minutes: u64,
    /// What happens to a VM idle for `idle_vm_stop_minutes`.
    pub idle_vm_action: IdleVmAction,
    /// Unmount a folder after this many minutes without an agent in it; 0 = never.
    pub idle_unmount_minutes: u64,
}

/// `global.daemon.idle_vm_action`: what the daemon does with an idle VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdleVmAction {
    /// Shut it down (the default, as agsekit 1.7.4 configs expect).
    #[default]
    Stop,
    /// Suspend it (memory kept, resumed by the next session); a backend that cannot suspend
    /// stops it instead.
    Suspend,
}

impl IdleVmAction {
    pub fn parse(text: &str) -> Option<IdleVmAction> {
        match text.trim().to_ascii_lowercase().as_str() {
            "stop" => Some(IdleVmAction::Stop),
            "suspend" => Some(IdleVmAction::Suspend),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IdleVmAction::Stop => "stop",
            IdleVmAction::Suspend => "suspend",
        }
    }
}

/// `global.daemon.backups`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DaemonBackups {
    /// Only mounts where an agent runs now (the default).
    #[default]
    Active,
    /// Every configured mount, always.
    All,
}

impl DaemonBackups {
    pub fn parse(text: &str) -> Option<DaemonBackups> {
        match text.trim().to_ascii_lowercase().as_str() {
            "active" => Some(DaemonBackups::Active),
            "all" => Some(DaemonBackups::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DaemonBackups::Active => "active",
            DaemonBackups::All => "all",
        }
    }
}

/// Paths whose change after a session deserves a loud warning: agents (or prompt injections)
/// can plant code there that runs later on the host. The one list is in the foundation
/// module `protected` (the snapshot engine uses it too).
pub use crate::protected::DEFAULT_PROTECTED_PATHS;

/// `global.review`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewConfig {
    pub enabled: bool,
    /// One line after every session, "no changes" included (`global.review.summary`); the
    /// detailed block is printed when something needs attention either way.
    pub summary: bool,
    /// Relative paths; a trailing `/` names a folder and everything in it.
    pub protected_paths: Vec<String>,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            enabled: true,
            summary: true,
            protected_paths: DEFAULT_PROTECTED_PATHS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// What a shim does outside every mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutsideMounts {
    /// Refuse, with a hint (the default: an agent never runs unprotected by accident).
    #[default]
    Refuse,
    /// Run the program of the same name found on PATH after the shims folder, on the host.
    Host,
}

impl OutsideMounts {
    pub fn parse(text: &str) -> Option<OutsideMounts> {
        match text.trim().to_ascii_lowercase().as_str() {
            "refuse" => Some(OutsideMounts::Refuse),
            "host" => Some(OutsideMounts::Host),
            _ => None,
        }
    }
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
    /// The backend that runs this VM: its own `backend:`, else `global.backend`.
    pub backend: BackendKind,
    /// `image:`; `None` = the backend's default (an Ubuntu LTS).
    pub image: Option<VmImage>,
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

impl Config {
    /// The default VM: the first one in the file. `None` when `vms:` is empty or absent.
    pub fn default_vm(&self) -> Option<&VmConfig> {
        self.vms.values().next()
    }

    /// The VM called `name`, or the default VM when `name` is `None`. The error names the
    /// defined VMs and the way out.
    pub fn vm(&self, name: Option<&str>) -> Result<&VmConfig, UserError> {
        match name {
            Some(name) => self.vms.get(name).ok_or_else(|| {
                UserError::config(t!(
                    "config.lookup_no_vm",
                    name = quote(name),
                    path = self.path.display(),
                    vms = list_or_none(self.vms.keys())
                ))
                .hint(t!("config.lookup_no_vm_hint", path = self.path.display()))
            }),
            None => self.default_vm().ok_or_else(|| self.no_vms_error()),
        }
    }

    /// The error for commands that need a VM when `vms:` is empty.
    pub fn no_vms_error(&self) -> UserError {
        UserError::config(t!("config.lookup_no_vms", path = self.path.display()))
            .hint(t!("config.lookup_no_vms_hint", path = self.path.display()))
    }

    /// The agent profile called `name` (a name given on the command line: an unknown one is
    /// a usage error, exit 2, not a problem of the file).
    pub fn agent(&self, name: &str) -> Result<&AgentConfig, UserError> {
        self.agents.get(name).ok_or_else(|| {
            let err = UserError::usage(t!(
                "config.lookup_no_agent",
                name = quote(name),
                path = self.path.display(),
                agents = list_or_none(self.agents.keys())
            ));
            match super::rules::suggest(name, self.agents.keys().map(String::as_str)) {
                Some(s) => err.hint(t!("config.lookup_agent_suggest", name = s)),
                None => err.hint(t!(
                    "config.lookup_no_agent_hint",
                    path = self.path.display()
                )),
            }
        })
    }

    /// The mount that covers `path` (the mount's source itself or a folder below it),
    /// optionally only among mounts into `vm`. The deepest source wins; two mounts of the
    /// same folder into different VMs are ambiguous unless `vm` picks one.
    pub fn mount_for_path(
        &self,
        path: &Path,
        vm: Option<&str>,
    ) -> Result<Option<&MountConfig>, UserError> {
        let path = super::rules::normalize_path(path);
        let mut best: Vec<&MountConfig> = Vec::new();
        let mut best_depth = 0usize;
        for mount in &self.mounts {
            if vm.is_some_and(|v| v != mount.vm) || !mount.contains(&path) {
                continue;
            }
            let depth = mount.source.components().count();
            if best.is_empty() || depth > best_depth {
                best = vec![mount];
                best_depth = depth;
            } else if depth == best_depth {
                best.push(mount);
            }
        }
        match best.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => {
                let vms: Vec<&str> = many.iter().map(|m| m.vm.as_str()).collect();
                Err(UserError::usage(t!(
                    "config.mount_ambiguous",
                    source = many[0].source.display(),
                    vms = vms.join(", ")
                ))
                .hint(t!("config.mount_ambiguous_hint", vm = vms[0])))
            }
        }
    }

    /// The mount whose source is exactly `source` (after `~` expansion and normalization).
    pub fn mount_by_source(&self, source: &Path) -> Option<&MountConfig> {
        let source = super::rules::normalize_path(source);
        self.mounts.iter().find(|m| m.source == source)
    }

    /// The `allowed_agents` list that applies to `mount` in `vm`: the mount's own list
    /// replaces the VM's. `None` means every agent may run.
    pub fn allowed_agents<'a>(
        &'a self,
        vm: &'a VmConfig,
        mount: Option<&'a MountConfig>,
    ) -> Option<&'a [String]> {
        mount
            .and_then(|m| m.allowed_agents.as_deref())
            .or(vm.allowed_agents.as_deref())
    }
}

impl AgentConfig {
    /// Whether an `allowed_agents` list admits this agent (by profile name or by type).
    pub fn is_allowed_by(&self, list: Option<&[String]>) -> bool {
        match list {
            None => true,
            Some(items) => items
                .iter()
                .any(|item| item == &self.name || AgentType::parse(item) == Some(self.agent_type)),
        }
    }

    /// The VMs this agent is bound to: its `vm`/`vms`, or every VM when it names none.
    pub fn bound_vms<'a>(&'a self, config: &'a Config) -> Vec<&'a str> {
        if self.vms.is_empty() {
            config.vms.keys().map(String::as_str).collect()
        } else {
            self.vms.iter().map(String::as_str).collect()
        }
    }
}

fn list_or_none<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let list: Vec<&str> = names.map(String::as_str).collect();
    if list.is_empty() {
        t!("config.none")
    } else {
        list.join(", ")
    }
}
