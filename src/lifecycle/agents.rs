//! `install-agents`: which (agent, VM) pairs to install, and running each agent's installer
//! script in its VM.

use std::collections::HashSet;

use crate::config::{AgentConfig, Config, VmConfig};
use crate::error::UserError;
use crate::provision::{self, AgentInstallOptions, PrebuiltSource, ResultStatus, VersionRequest};
use crate::t;
use crate::vm::VmBackend;

use super::create::{run_script, StepReport};
use super::{vm_err, Notice};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct InstallRequest {
    pub agent: Option<String>,
    pub vm: Option<String>,
    pub all_agents: bool,
    pub all_vms: bool,
    /// `--proxychains`: `Some(None)` disables it (`""`), `Some(Some(url))` overrides.
    pub proxychains: Option<Option<String>>,
    /// Install the newest release, ignoring `version:` pins.
    pub upgrade: bool,
    /// With `upgrade`: the newest version of each agent type from the version cache
    /// (`crate::provision::versions`); a type not listed gets the installer's own latest.
    pub upgrade_versions: std::collections::BTreeMap<String, String>,
}

/// One agent to install into one VM.
#[derive(Debug, Clone, PartialEq)]
pub struct Target<'a> {
    pub agent: &'a AgentConfig,
    pub vm: &'a VmConfig,
}

/// The plan: what to install, and what was left out and why.
#[derive(Debug, Clone, Default)]
pub struct Plan<'a> {
    pub targets: Vec<Target<'a>>,
    pub skipped: Vec<String>,
}

/// Chooses agents (`AGENT`, `--all-agents`, or the only one) and their VMs (`VM`,
/// `--all-vms`, or the agent's `vm`/`vms` binding), leaving out VMs whose `allowed_agents`
/// excludes the agent. Naming both an agent and a VM that refuses it is an error.
pub fn plan<'a>(config: &'a Config, req: &InstallRequest) -> Result<Plan<'a>, UserError> {
    if req.agent.is_some() && req.all_agents {
        return Err(UserError::usage(t!("lifecycle.agents.name_and_all")));
    }
    let agents: Vec<&AgentConfig> = if req.all_agents {
        config.agents.values().collect()
    } else if let Some(name) = &req.agent {
        vec![config.agent(name)?]
    } else {
        match config.agents.len() {
            0 => Vec::new(),
            1 => config.agents.values().collect(),
            n => {
                return Err(UserError::usage(t!(
                    "lifecycle.agents.ambiguous",
                    agents = crate::count!("count.agent", n),
                    names = config.agents.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
                .hint(t!("lifecycle.agents.ambiguous_hint")))
            }
        }
    };
    if agents.is_empty() {
        return Err(UserError::config(t!(
            "lifecycle.agents.none_defined",
            path = config.path.display()
        ))
        .hint(t!("lifecycle.agents.none_defined_hint")));
    }
    let explicit_vm = match (&req.vm, req.all_vms) {
        (Some(name), false) => Some(config.vm(Some(name))?),
        _ => None,
    };
    let mut plan = Plan::default();
    for agent in agents {
        let vms: Vec<&VmConfig> = if req.all_vms {
            config.vms.values().collect()
        } else if let Some(vm) = explicit_vm {
            vec![vm]
        } else {
            agent
                .bound_vms(config)
                .into_iter()
                .filter_map(|n| config.vms.get(n))
                .collect()
        };
        for vm in vms {
            if !agent.is_allowed_by(vm.allowed_agents.as_deref()) {
                if req.agent.is_some() && explicit_vm.is_some() {
                    return Err(UserError::config(t!(
                        "lifecycle.agents.not_allowed",
                        agent = agent.name,
                        vm = vm.name
                    ))
                    .hint(t!(
                        "lifecycle.agents.not_allowed_hint",
                        vm = vm.name,
                        path = config.path.display()
                    )));
                }
                plan.skipped.push(t!(
                    "lifecycle.agents.skip_not_allowed",
                    agent = agent.name,
                    vm = vm.name
                ));
                continue;
            }
            plan.targets.push(Target { agent, vm });
        }
    }
    Ok(plan)
}

/// The installer options for one target.
pub fn options(
    target: &Target,
    req: &InstallRequest,
    skip_nvm_install: bool,
) -> Result<AgentInstallOptions, UserError> {
    let version = if req.upgrade {
        match req.upgrade_versions.get(target.agent.agent_type.as_str()) {
            Some(v) => VersionRequest::Exact(v.clone()),
            None => VersionRequest::Latest,
        }
    } else {
        VersionRequest::parse(
            target.agent.version.as_deref(),
            &format!("agents.{}.version", target.agent.name),
        )?
    };
    let proxychains = match &req.proxychains {
        Some(choice) => choice.clone(),
        None => match &target.agent.proxychains {
            Some(choice) => choice.clone(),
            None => target.vm.proxychains.clone(),
        },
    };
    Ok(AgentInstallOptions {
        version,
        force: false,
        proxychains,
        skip_nvm_install,
        prebuilt: PrebuiltSource::from_env(|k| std::env::var(k).ok()),
    })
}

/// How one install ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallOutcome {
    pub agent: String,
    pub vm: String,
    /// The script's result, or the error that stopped it.
    pub result: Result<StepReport, String>,
}

/// Installs every target in order; a failure is recorded and the rest still run. VMs are
/// started first. After the first nvm-based agent in a VM, later ones skip the nvm step.
pub fn install(
    backend: &dyn VmBackend,
    plan: &Plan,
    req: &InstallRequest,
    notice: Notice,
) -> anyhow::Result<Vec<InstallOutcome>> {
    let mut started: HashSet<&str> = HashSet::new();
    let mut nvm_ready: HashSet<&str> = HashSet::new();
    let mut outcomes = Vec::new();
    for target in &plan.targets {
        let vm = target.vm.name.as_str();
        if started.insert(vm) {
            backend.start(vm).map_err(vm_err)?;
        }
        let needs_nvm = provision::installer(target.agent.agent_type).needs_nvm;
        let opts = options(target, req, needs_nvm && nvm_ready.contains(vm))?;
        let run = provision::agent_run(target.agent.agent_type, &opts)?;
        notice(&t!(
            "lifecycle.agents.installing",
            agent = target.agent.name,
            agent_type = target.agent.agent_type.as_str(),
            vm = vm
        ));
        let result = run_script(backend, vm, &run).map_err(|e| crate::error::message_of(&e));
        if needs_nvm
            && result
                .as_ref()
                .is_ok_and(|r| r.status != ResultStatus::Failed)
        {
            nvm_ready.insert(vm);
        }
        outcomes.push(InstallOutcome {
            agent: target.agent.name.clone(),
            vm: vm.to_string(),
            result,
        });
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testutil::config;

    const CFG: &str = "vms:\n  a:\n    cpu: 1\n    ram: 1G\n    disk: 10G\n    proxychains: socks5://10.0.0.1:1080\n  b:\n    cpu: 1\n    ram: 1G\n    disk: 10G\n    allowed_agents: [claude]\nagents:\n  codex:\n    type: codex\n    version: stable\n  claude:\n    type: claude\n    vm: b\n    proxychains: \"\"\n";

    fn pairs(plan: &Plan) -> Vec<(String, String)> {
        plan.targets
            .iter()
            .map(|t| (t.agent.name.clone(), t.vm.name.clone()))
            .collect()
    }

    #[test]
    fn bindings_and_allowed_agents_decide_the_vms() {
        let c = config(CFG);
        let all = InstallRequest {
            all_agents: true,
            ..Default::default()
        };
        let p = plan(&c, &all).unwrap();
        assert_eq!(
            pairs(&p),
            [("codex".into(), "a".into()), ("claude".into(), "b".into())]
        );
        assert_eq!(p.skipped, ["codex in b: not in vms.b.allowed_agents"]);
        let every_vm = InstallRequest {
            agent: Some("claude".into()),
            all_vms: true,
            ..Default::default()
        };
        assert_eq!(pairs(&plan(&c, &every_vm).unwrap()).len(), 2);
        let refused = InstallRequest {
            agent: Some("codex".into()),
            vm: Some("b".into()),
            ..Default::default()
        };
        assert!(plan(&c, &refused)
            .unwrap_err()
            .message
            .contains("allowed_agents"));
        assert!(
            plan(&c, &InstallRequest::default()).is_err(),
            "two agents: say which"
        );
    }

    #[test]
    fn versions_and_proxies_follow_the_precedence() {
        let c = config(CFG);
        let req = InstallRequest::default();
        let codex_a = Target {
            agent: &c.agents["codex"],
            vm: &c.vms["a"],
        };
        let o = options(&codex_a, &req, false).unwrap();
        assert_eq!(o.version, VersionRequest::Stable);
        assert_eq!(o.proxychains.as_deref(), Some("socks5://10.0.0.1:1080"));
        let claude_a = Target {
            agent: &c.agents["claude"],
            vm: &c.vms["a"],
        };
        assert_eq!(options(&claude_a, &req, false).unwrap().proxychains, None);
        let cli = InstallRequest {
            proxychains: Some(Some("http://p:3128".into())),
            upgrade: true,
            ..Default::default()
        };
        let o = options(&claude_a, &cli, true).unwrap();
        assert_eq!(o.proxychains.as_deref(), Some("http://p:3128"));
        assert_eq!(o.version, VersionRequest::Latest);
        assert!(o.skip_nvm_install);
    }
}
