//! Policy decisions for a launch: is the agent allowed here, which VM, which proxy.

use crate::config::{AgentConfig, Config, HttpProxy, MountConfig, VmConfig};
use crate::error::UserError;
use crate::t;

/// Whether `agent` may run for `mount` in `vm`. A mount's `allowed_agents` replaces the VM's;
/// entries may name an agent or an agent type. Checked before anything is mounted or backed up.
pub fn check_agent_allowed(
    agent: &AgentConfig,
    mount: Option<&MountConfig>,
    vm: &VmConfig,
) -> Result<(), UserError> {
    let (list, scope) = match (mount.and_then(|m| m.allowed_agents.as_deref()), mount) {
        (Some(list), Some(m)) => (list, t!("run.scope_mount", path = m.source.display())),
        _ => match vm.allowed_agents.as_deref() {
            Some(list) => (list, t!("run.scope_vm", vm = vm.name)),
            None => return Ok(()),
        },
    };
    if agent.is_allowed_by(Some(list)) {
        return Ok(());
    }
    Err(UserError::usage(t!(
        "run.not_allowed",
        agent = agent.name,
        scope = scope,
        list = if list.is_empty() {
            t!("run.allowed_none")
        } else {
            list.join(", ")
        }
    ))
    .hint(t!(
        "run.not_allowed_hint",
        agent = agent.name,
        scope = scope
    )))
}

/// The VM a launch uses: `--vm`, else the mount's VM, else the agent's first bound VM that
/// exists, else the first VM. It must be defined in the config.
pub fn choose_vm<'a>(
    config: &'a Config,
    cli_vm: Option<&str>,
    mount: Option<&MountConfig>,
    agent: &AgentConfig,
) -> Result<&'a VmConfig, UserError> {
    let wanted: Option<&str> = cli_vm.or(mount.map(|m| m.vm.as_str())).or_else(|| {
        agent
            .vms
            .iter()
            .map(String::as_str)
            .find(|v| config.vms.contains_key(*v))
    });
    match wanted {
        Some(name) => config.vms.get(name).ok_or_else(|| {
            UserError::config(t!(
                "run.vm_not_defined",
                vm = name,
                config = config.path.display(),
                list = config.vms.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
            .hint("agsekit config-check")
        }),
        None => config.vms.values().next().ok_or_else(|| {
            UserError::config(t!("run.no_vms", config = config.path.display()))
                .hint(t!("run.no_vms_hint"))
        }),
    }
}

/// The proxy an agent runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectiveProxy {
    None,
    Proxychains(String),
    Http(HttpProxy),
}

/// Resolves proxychains and http_proxy by precedence: command line (`Some(None)` = disabled
/// with `""`), then the agent's key when present (even empty), then the VM's. Both at once is
/// an error.
pub fn effective_proxy(
    cli_proxychains: Option<Option<String>>,
    cli_http_proxy: Option<Option<HttpProxy>>,
    agent: &AgentConfig,
    vm: &VmConfig,
) -> Result<EffectiveProxy, UserError> {
    let proxychains = cli_proxychains
        .or_else(|| agent.proxychains.clone())
        .unwrap_or_else(|| vm.proxychains.clone());
    let http = cli_http_proxy
        .or_else(|| agent.http_proxy.clone())
        .unwrap_or_else(|| vm.http_proxy.clone());
    match (proxychains, http) {
        (Some(_), Some(_)) => {
            Err(
                UserError::usage(t!("run.two_proxies", agent = agent.name, vm = vm.name))
                    .hint(t!("run.two_proxies_hint")),
            )
        }
        (Some(url), None) => Ok(EffectiveProxy::Proxychains(url)),
        (None, Some(http)) => Ok(EffectiveProxy::Http(http)),
        (None, None) => Ok(EffectiveProxy::None),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::{AgentType, CleanMethod, GlobalConfig, PortRange};
    use indexmap::IndexMap;
    use std::path::PathBuf;

    pub fn vm(name: &str) -> VmConfig {
        VmConfig {
            name: name.into(),
            cpu: 2,
            ram: "4G".into(),
            ram_bytes: 4 << 30,
            disk: "20G".into(),
            disk_bytes: 20 << 30,
            cloud_init: None,
            port_forwarding: vec![],
            proxychains: None,
            http_proxy: None,
            allowed_agents: None,
            install: vec![],
            backend: Default::default(),
            image: None,
        }
    }

    pub fn agent(name: &str, t: AgentType) -> AgentConfig {
        AgentConfig {
            name: name.into(),
            agent_type: t,
            version: None,
            env: IndexMap::new(),
            default_args: vec![],
            vms: vec![],
            proxychains: None,
            http_proxy: None,
        }
    }

    pub fn mount(source: &str, vm: &str) -> MountConfig {
        MountConfig {
            source: source.into(),
            target: PathBuf::from("/home/ubuntu").join(PathBuf::from(source).file_name().unwrap()),
            backup: PathBuf::from(format!("{source}-backups")),
            vm: vm.into(),
            interval: 5,
            max_backups: 100,
            backup_clean_method: CleanMethod::Thin,
            first_backup: true,
            allowed_agents: None,
        }
    }

    pub fn config(vms: &[&str]) -> Config {
        Config {
            path: "/cfg.yaml".into(),
            global: GlobalConfig {
                ssh_keys_folder: "/k".into(),
                systemd_env_folder: "/s".into(),
                state_file: "/st".into(),
                portforward_config_check_interval_sec: 10,
                check_new_version: true,
                check_new_version_interval_sec: 600,
                http_proxy_port_pool: PortRange {
                    start: 48000,
                    end: 49000,
                },
                shims_outside_mounts: Default::default(),
                review: Default::default(),
                daemon: Default::default(),
                tripwire: Default::default(),
                backend: Default::default(),
            },
            vms: vms.iter().map(|n| (n.to_string(), vm(n))).collect(),
            mounts: vec![],
            agents: IndexMap::new(),
            warnings: vec![],
        }
    }

    #[test]
    fn mount_list_replaces_the_vm_list_and_accepts_types() {
        let codex = agent("work-codex", AgentType::Codex);
        let mut v = vm("a");
        v.allowed_agents = Some(vec!["qwen".into()]);
        assert!(check_agent_allowed(&codex, None, &v).is_err());
        let mut m = mount("/home/u/p", "a");
        m.allowed_agents = Some(vec!["codex".into()]); // a type
        assert!(check_agent_allowed(&codex, Some(&m), &v).is_ok());
        m.allowed_agents = Some(vec!["other".into()]);
        let err = check_agent_allowed(&codex, Some(&m), &v).unwrap_err();
        assert!(err.message.contains("mount /home/u/p"), "{}", err.message);
        assert!(err.message.contains("allowed_agents: other"));
        assert!(check_agent_allowed(&codex, None, &vm("free")).is_ok());
    }

    #[test]
    fn vm_precedence() {
        let cfg = config(&["first", "second", "third"]);
        let mut a = agent("q", AgentType::Qwen);
        a.vms = vec!["missing".into(), "third".into()];
        let m = mount("/home/u/p", "second");
        assert_eq!(
            choose_vm(&cfg, Some("first"), Some(&m), &a).unwrap().name,
            "first"
        );
        assert_eq!(choose_vm(&cfg, None, Some(&m), &a).unwrap().name, "second");
        assert_eq!(choose_vm(&cfg, None, None, &a).unwrap().name, "third");
        assert_eq!(
            choose_vm(&cfg, None, None, &agent("x", AgentType::Aider))
                .unwrap()
                .name,
            "first"
        );
        let err = choose_vm(&cfg, Some("nope"), None, &a).unwrap_err();
        assert!(err.message.contains("first, second, third"));
    }

    #[test]
    fn proxy_precedence_and_conflict() {
        let mut v = vm("a");
        v.proxychains = Some("socks5://h:1".into());
        let mut a = agent("q", AgentType::Qwen);
        assert_eq!(
            effective_proxy(None, None, &a, &v).unwrap(),
            EffectiveProxy::Proxychains("socks5://h:1".into())
        );
        // The agent's key, even empty, overrides the VM's.
        a.proxychains = Some(None);
        assert_eq!(
            effective_proxy(None, None, &a, &v).unwrap(),
            EffectiveProxy::None
        );
        // The command line wins over both.
        assert_eq!(
            effective_proxy(Some(Some("http://p:2".into())), None, &a, &v).unwrap(),
            EffectiveProxy::Proxychains("http://p:2".into())
        );
        let http = HttpProxy::Direct {
            url: "http://x:3".into(),
        };
        v.http_proxy = Some(http.clone());
        a.proxychains = None;
        assert!(effective_proxy(None, None, &a, &v).is_err());
        assert_eq!(
            effective_proxy(Some(None), None, &a, &v).unwrap(),
            EffectiveProxy::Http(http)
        );
    }
}
