//! `install-agents`: configured agents into their VMs through the installer scripts.

use super::args::InstallAgentsArgs;
use crate::config::AgentType;
use crate::config::Config;
use crate::error::UserError;
use crate::lifecycle::agents::{install, plan, InstallRequest};
use crate::process::RealRunner;
use crate::provision::versions::{self, Refreshed};
use crate::provision::{check_proxychains_url, ResultStatus};
use crate::t;
use crate::vm::VmBackend;

use super::GlobalArgs;

pub fn run(args: &InstallAgentsArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    if args.force_check_versions && !args.upgrade {
        return Err(UserError::usage(t!("lifecycle.agents.force_needs_upgrade"))
            .hint("agsekit install-agents --upgrade --force-check-versions")
            .into());
    }
    let proxychains = match args.proxychains.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(url) => {
            check_proxychains_url(url)?;
            Some(Some(url.to_string()))
        }
    };
    let config = super::config::load_config(global)?;
    let mut agent = args.agent_name.clone();
    let mut all_agents = args.all_agents;
    let mut vm = args.vm.clone();
    let mut all_vms = args.all_vms;
    // Nothing named and no selection flag, someone at the terminal: ask for the agents, then
    // for the VMs (as 1.7.4 did).
    let bare = agent.is_none() && vm.is_none() && !all_agents && !all_vms;
    if bare && super::vms::interactive(global) {
        if config.agents.len() > 1 {
            let every_agent = t!("lifecycle.agents.all_agents");
            let mut items = vec![every_agent.as_str()];
            items.extend(config.agents.keys().map(String::as_str));
            match super::vms::choose(&t!("lifecycle.agents.which_agent"), &items)? {
                name if name == every_agent => all_agents = true,
                name => agent = Some(name.to_string()),
            }
        }
        if config.vms.len() > 1 && !config.agents.is_empty() {
            let bound = t!("lifecycle.agents.bound_vms");
            let every_vm = t!("lifecycle.agents.all_vms");
            let mut items = vec![bound.as_str()];
            items.extend(config.vms.keys().map(String::as_str));
            items.push(every_vm.as_str());
            match super::vms::choose(&t!("lifecycle.agents.which_vms"), &items)? {
                name if name == bound => {}
                name if name == every_vm => all_vms = true,
                name => vm = Some(name.to_string()),
            }
        }
    }
    let mut req = InstallRequest {
        agent,
        vm,
        all_agents,
        all_vms,
        proxychains,
        upgrade: args.upgrade,
        ..Default::default()
    };
    if args.upgrade {
        req.upgrade_versions = cached_versions(&config, &req, args.force_check_versions)?;
    }
    let backend = crate::backend::open(&config);
    install_and_print(&config, backend.as_ref(), &req)
}

/// Plans, installs and prints one line per (agent, VM). Exit code 1 when any failed.
pub(crate) fn install_and_print(
    config: &Config,
    backend: &dyn VmBackend,
    req: &InstallRequest,
) -> anyhow::Result<i32> {
    let plan = plan(config, req)?;
    for skipped in &plan.skipped {
        eprintln!(
            "agsekit: {}",
            t!("lifecycle.agents.skipped", what = skipped)
        );
    }
    if plan.targets.is_empty() {
        return Err(UserError::config(t!("lifecycle.agents.none_allowed"))
            .hint(t!("lifecycle.agents.none_allowed_hint"))
            .into());
    }
    let progress = crate::ui::spinner::Progress::start(t!("lifecycle.spin.installing_agents"));
    let outcomes = install(backend, &plan, req, &|t| progress.notice(t))?;
    progress.finish();
    let mut failed = 0;
    for o in &outcomes {
        match &o.result {
            Ok(step) => {
                let version = match step.version.as_deref() {
                    Some(v) => v.to_string(),
                    None => t!("lifecycle.agents.version_unknown"),
                };
                let key = match step.status {
                    ResultStatus::Installed => {
                        crate::msg_key!("lifecycle.agents.installed", agent, vm, version)
                    }
                    ResultStatus::Already => {
                        crate::msg_key!("lifecycle.agents.already", agent, vm, version)
                    }
                    ResultStatus::Failed => {
                        crate::msg_key!("lifecycle.agents.failed", agent, vm, version)
                    }
                };
                println!("{}", t!(key, agent = o.agent, vm = o.vm, version = version));
            }
            Err(message) => {
                failed += 1;
                println!(
                    "{}",
                    t!("lifecycle.agents.failed_upper", agent = o.agent, vm = o.vm)
                );
                eprintln!("agsekit: error: {message}");
            }
        }
    }
    if failed > 0 {
        eprintln!("hint: {}", t!("lifecycle.agents.failed_hint"));
        return Ok(1);
    }
    Ok(0)
}

/// `--upgrade`: the newest version of each agent type to install, from the version cache
/// (refreshed first with `--force-check-versions`). A type with no cached version is an error
/// that names `check-new-version`, as in 1.7.4.
fn cached_versions(
    config: &Config,
    req: &InstallRequest,
    force_check: bool,
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let plan = plan(config, req)?;
    let mut types: Vec<AgentType> = Vec::new();
    for t in &plan.targets {
        if !types.contains(&t.agent.agent_type) {
            types.push(t.agent.agent_type);
        }
    }
    let path = &config.global.state_file;
    if force_check {
        let results = versions::refresh(&RealRunner, path, &types, true, versions::now())?;
        let failed: Vec<String> = results
            .iter()
            .filter_map(|r| match r {
                Refreshed::Failed { error, .. } => Some(error.clone()),
                _ => None,
            })
            .collect();
        if !failed.is_empty() {
            return Err(UserError::failed(t!(
                "lifecycle.versions.lookup_failed",
                errors = failed.join("; ")
            ))
            .hint(t!("lifecycle.versions.lookup_failed_hint"))
            .into());
        }
    }
    let state = versions::State::load(path);
    let mut out = std::collections::BTreeMap::new();
    let mut missing = Vec::new();
    for t in types {
        match state.agent_versions.get(t.as_str()) {
            Some(v) => {
                out.insert(t.as_str().to_string(), v.latest_version.clone());
            }
            None => missing.push(t.as_str()),
        }
    }
    if !missing.is_empty() {
        return Err(UserError::failed(t!(
            "lifecycle.versions.unknown",
            types = missing.join(", "),
            path = path.display()
        ))
        .hint(t!("lifecycle.versions.unknown_hint"))
        .into());
    }
    Ok(out)
}

/// `check-new-version`: looks up the newest release of every agent type the config uses
/// (entries younger than a day are kept) and stores them in `global.state_file`.
pub fn run_check_new_version(global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = super::config::load_config(global)?;
    let mut types: Vec<AgentType> = Vec::new();
    for a in config.agents.values() {
        if !types.contains(&a.agent_type) {
            types.push(a.agent_type);
        }
    }
    let path = &config.global.state_file;
    let progress = crate::ui::spinner::Progress::start(t!("lifecycle.spin.versions"));
    let results = versions::refresh(&RealRunner, path, &types, false, versions::now());
    progress.finish();
    let results = results?;
    if types.is_empty() {
        println!("{}", t!("lifecycle.versions.no_agents"));
    }
    let mut failed = 0;
    for r in &results {
        match r {
            Refreshed::Updated {
                agent_type,
                version,
            } => println!("{agent_type}: {version}"),
            Refreshed::Fresh {
                agent_type,
                version,
            } => println!(
                "{}",
                t!(
                    "lifecycle.versions.fresh",
                    agent_type = agent_type,
                    version = version
                )
            ),
            Refreshed::Failed { agent_type, error } => {
                failed += 1;
                println!(
                    "{}",
                    t!("lifecycle.versions.failed", agent_type = agent_type)
                );
                eprintln!("agsekit: error: {error}");
            }
        }
    }
    println!("{}", t!("lifecycle.versions.saved", path = path.display()));
    println!(
        "{}",
        t!("lifecycle.versions.self", version = crate::VERSION)
    );
    if failed > 0 {
        eprintln!("hint: {}", t!("lifecycle.versions.failed_hint"));
        return Ok(1);
    }
    Ok(0)
}
