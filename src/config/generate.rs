//! Rendering the answers of `agsekit config-gen` as a commented config file. Pure: the
//! wizard that collects the answers lives in `cli/config_gen.rs`.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::edit::yaml_scalar;
use super::model::AgentType;

#[derive(Debug, Clone, PartialEq)]
pub struct GenVm {
    pub name: String,
    pub cpu: u32,
    pub ram: String,
    pub disk: String,
    /// Bundle specs as typed (`python`, `nodejs:20`).
    pub install: Vec<String>,
    /// `proxychains:` URL for the agents' traffic.
    pub proxychains: Option<String>,
    /// `http_proxy:` upstream (a VM-local privoxy forwards to it).
    pub http_proxy: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenAgent {
    pub name: String,
    pub agent_type: AgentType,
    pub version: Option<String>,
    /// Empty = every VM.
    pub vms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenMount {
    pub source: PathBuf,
    pub target: PathBuf,
    pub backup: PathBuf,
    pub vm: String,
    pub interval: u32,
    pub allowed_agents: Option<Vec<String>>,
}

/// Global settings that differ from the defaults; `None` fields are left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenGlobal {
    pub ssh_keys_folder: Option<PathBuf>,
    pub portforward_config_check_interval_sec: Option<u64>,
    pub check_new_version: Option<bool>,
    pub http_proxy_port_pool: Option<(u16, u16)>,
}

impl GenGlobal {
    fn is_empty(&self) -> bool {
        *self == GenGlobal::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenConfig {
    pub vms: Vec<GenVm>,
    pub agents: Vec<GenAgent>,
    pub mounts: Vec<GenMount>,
    pub global: GenGlobal,
}

fn list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|i| yaml_scalar(i)).collect();
    format!("[{}]", parts.join(", "))
}

fn path(p: &std::path::Path) -> String {
    yaml_scalar(&p.to_string_lossy())
}

/// The config file text, with comments that say what each part is for.
pub fn render(config: &GenConfig, stamp: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# agsekit configuration, written by `agsekit config-gen` ({stamp})."
    );
    out.push_str(
        "# Check it with `agsekit config-check`. Every key is described in docs/configuration.md;\n\
         # `agsekit config-example PATH` writes an example of every key (proxies, port forwarding,\n\
         # cloud-init, agent env) to copy from.\n",
    );

    let g = &config.global;
    if !g.is_empty() {
        out.push_str(
            "\n# Settings of agsekit itself; keys left out take their defaults.\nglobal:\n",
        );
        if let Some(p) = &g.ssh_keys_folder {
            let _ = writeln!(
                out,
                "  ssh_keys_folder: {}   # the tool's SSH key pair",
                path(p)
            );
        }
        if let Some(n) = g.portforward_config_check_interval_sec {
            let _ = writeln!(
                out,
                "  portforward_config_check_interval_sec: {n}   # seconds between config re-reads"
            );
        }
        if let Some(b) = g.check_new_version {
            let _ = writeln!(out, "  check_new_version: {b}");
        }
        if let Some((start, end)) = g.http_proxy_port_pool {
            out.push_str("  http_proxy_port_pool:   # ports for VM-local HTTP proxies\n");
            let _ = writeln!(out, "    start: {start}\n    end: {end}");
        }
    }

    out.push_str("\n# Virtual machines (Multipass). The first one is the default VM.\nvms:\n");
    if config.vms.is_empty() {
        out.truncate(out.len() - 1);
        out.push_str(" {}\n");
    }
    for vm in &config.vms {
        let _ = writeln!(out, "  {}:", yaml_scalar(&vm.name));
        let _ = writeln!(out, "    cpu: {}   # virtual CPUs", vm.cpu);
        let _ = writeln!(out, "    ram: {}   # memory", yaml_scalar(&vm.ram));
        let _ = writeln!(out, "    disk: {}   # disk size", yaml_scalar(&vm.disk));
        if let Some(url) = &vm.proxychains {
            let _ = writeln!(
                out,
                "    proxychains: {}   # agents' traffic goes through this proxy",
                yaml_scalar(url)
            );
        }
        if let Some(url) = &vm.http_proxy {
            let _ = writeln!(
                out,
                "    http_proxy: {}   # upstream of a VM-local HTTP proxy for the agents",
                yaml_scalar(url)
            );
        }
        if !vm.install.is_empty() {
            let _ = writeln!(
                out,
                "    install: {}   # bundles set up by create-vm",
                list(&vm.install)
            );
        }
    }

    out.push_str("\n# Host folders shared with a VM, each with rolling snapshots on the host.\n");
    if config.mounts.is_empty() {
        out.push_str("# None yet: `agsekit addmount DIR` adds the first one here.\nmounts:\n");
    } else {
        out.push_str("mounts:\n");
    }
    for m in &config.mounts {
        let _ = writeln!(out, "  - source: {}", path(&m.source));
        let _ = writeln!(
            out,
            "    target: {}   # folder inside the VM",
            path(&m.target)
        );
        let _ = writeln!(
            out,
            "    backup: {}   # snapshots on the host",
            path(&m.backup)
        );
        let _ = writeln!(out, "    vm: {}", yaml_scalar(&m.vm));
        let _ = writeln!(
            out,
            "    interval: {}   # minutes between snapshots",
            m.interval
        );
        if let Some(list_) = &m.allowed_agents {
            let _ = writeln!(
                out,
                "    allowed_agents: {}   # only these agents may run here",
                list(list_)
            );
        }
    }

    out.push_str("\n# Agent profiles: `agsekit run NAME` starts one in its VM.\n");
    if config.agents.is_empty() {
        out.push_str("agents: {}\n");
    } else {
        out.push_str("agents:\n");
    }
    for a in &config.agents {
        let _ = writeln!(out, "  {}:", yaml_scalar(&a.name));
        let _ = writeln!(out, "    type: {}", a.agent_type.as_str());
        if let Some(v) = &a.version {
            let _ = writeln!(
                out,
                "    version: {}   # `stable` or an exact version; leave out for the latest",
                serde_json::to_string(v).unwrap_or_else(|_| yaml_scalar(v))
            );
        }
        if !a.vms.is_empty() {
            let _ = writeln!(
                out,
                "    vms: {}   # the first one is its default",
                list(&a.vms)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_from_str, CleanMethod};
    use std::path::Path;

    #[test]
    fn rendered_config_validates_with_every_answer() {
        let config = GenConfig {
            vms: vec![
                GenVm {
                    name: "agent-ubuntu".into(),
                    cpu: 2,
                    ram: "4G".into(),
                    disk: "20G".into(),
                    install: vec!["python".into(), "nodejs:20".into()],
                    proxychains: Some("socks5://127.0.0.1:8181".into()),
                    http_proxy: Some("http://10.0.0.1:3128".into()),
                },
                GenVm {
                    name: "small".into(),
                    cpu: 1,
                    ram: "1.5G".into(),
                    disk: "10G".into(),
                    install: vec![],
                    proxychains: None,
                    http_proxy: None,
                },
            ],
            agents: vec![
                GenAgent {
                    name: "codex".into(),
                    agent_type: AgentType::CodexGlibc,
                    version: Some("1.2.3".into()),
                    vms: vec!["small".into(), "agent-ubuntu".into()],
                },
                GenAgent {
                    name: "q".into(),
                    agent_type: AgentType::Qwen,
                    version: None,
                    vms: vec![],
                },
            ],
            mounts: vec![GenMount {
                source: "/home/me/my app".into(),
                target: "/home/ubuntu/app".into(),
                backup: "/home/me/backups-app".into(),
                vm: "small".into(),
                interval: 3,
                allowed_agents: Some(vec!["codex".into(), "claude".into()]),
            }],
            global: GenGlobal {
                ssh_keys_folder: Some("/home/me/keys".into()),
                portforward_config_check_interval_sec: Some(30),
                check_new_version: Some(false),
                http_proxy_port_pool: Some((50000, 50010)),
            },
        };
        let text = render(&config, "2026-01-01 12:00");
        let c = load_from_str(&text, Path::new("/c.yaml"), crate::backend::minimums)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.vms.keys().collect::<Vec<_>>(), ["agent-ubuntu", "small"]);
        assert_eq!(c.vms["small"].ram_bytes, 1536 * 1024 * 1024);
        assert_eq!(c.vms["agent-ubuntu"].install.len(), 2);
        assert_eq!(
            c.vms["agent-ubuntu"].proxychains.as_deref(),
            Some("socks5://127.0.0.1:8181")
        );
        assert!(matches!(
            &c.vms["agent-ubuntu"].http_proxy,
            Some(crate::config::HttpProxy::Upstream { upstream, listen: None }) if upstream == "http://10.0.0.1:3128"
        ));
        assert_eq!(c.agents["codex"].version.as_deref(), Some("1.2.3"));
        assert_eq!(c.agents["codex"].vms, ["small", "agent-ubuntu"]);
        assert!(c.agents["q"].vms.is_empty());
        let m = &c.mounts[0];
        assert_eq!(m.source, Path::new("/home/me/my app"));
        assert_eq!((m.interval, m.max_backups), (3, 100));
        assert_eq!(m.backup_clean_method, CleanMethod::Thin);
        assert_eq!(
            m.allowed_agents.as_deref(),
            Some(&["codex".to_string(), "claude".to_string()][..])
        );
        assert_eq!(c.global.ssh_keys_folder, Path::new("/home/me/keys"));
        assert!(!c.global.check_new_version);
        assert_eq!(c.global.http_proxy_port_pool.start, 50000);
        assert!(text.contains("# Virtual machines"), "{text}");
    }

    #[test]
    fn minimal_config_validates() {
        let text = render(&GenConfig::default(), "now");
        let c = load_from_str(&text, Path::new("/c.yaml"), crate::backend::minimums)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(c.vms.is_empty() && c.mounts.is_empty() && c.agents.is_empty());
        assert!(!text.contains("global:"));
    }
}
