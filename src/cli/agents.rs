//! `install-agents`: configured agents into their VMs through the installer scripts.

use clap::Args;

use crate::config::AgentType;
use crate::config::Config;
use crate::error::UserError;
use crate::lifecycle::agents::{install, plan, InstallRequest};
use crate::lifecycle::versions::{self, Refreshed};
use crate::process::RealRunner;
use crate::provision::{check_proxychains_url, ResultStatus};
use crate::vm::VmBackend;

use super::GlobalArgs;

#[derive(Debug, Clone, Args)]
pub struct InstallAgentsArgs {
    /// The agent (a name under `agents:`); may be left out when only one is configured
    pub agent_name: Option<String>,

    /// Install into this VM only (default: the agent's `vm`/`vms`, or every VM)
    pub vm: Option<String>,

    /// Install the agent into every VM from the configuration
    #[arg(long)]
    pub all_vms: bool,

    /// Install every agent from the configuration
    #[arg(long)]
    pub all_agents: bool,

    /// Install the newest release, ignoring `version:` pins
    #[arg(long)]
    pub upgrade: bool,

    /// With --upgrade: look the newest versions up again before installing
    #[arg(long)]
    pub force_check_versions: bool,

    /// Proxy URL for the installers (scheme://host:port); "" disables proxychains
    #[arg(long, value_name = "URL")]
    pub proxychains: Option<String>,
}

const ALL_AGENTS: &str = "all agents";
const BOUND_VMS: &str = "each agent's own VMs (its vm/vms, or every VM)";
const ALL_VMS: &str = "all VMs";

pub fn run(args: &InstallAgentsArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    if args.force_check_versions && !args.upgrade {
        return Err(
            UserError::usage("--force-check-versions works only with --upgrade")
                .hint("agsekit install-agents --upgrade --force-check-versions")
                .into(),
        );
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
            let mut items = vec![ALL_AGENTS];
            items.extend(config.agents.keys().map(String::as_str));
            match super::vms::choose("Which agent?", &items)? {
                ALL_AGENTS => all_agents = true,
                name => agent = Some(name.to_string()),
            }
        }
        if config.vms.len() > 1 && !config.agents.is_empty() {
            let mut items = vec![BOUND_VMS];
            items.extend(config.vms.keys().map(String::as_str));
            items.push(ALL_VMS);
            match super::vms::choose("Install into which VMs?", &items)? {
                BOUND_VMS => {}
                ALL_VMS => all_vms = true,
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
    let backend = crate::vm::default_backend(Some(&crate::shim::shims_dir()));
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
        eprintln!("agsekit: skipped {skipped}");
    }
    if plan.targets.is_empty() {
        return Err(
            UserError::config("no agent may be installed into any VM of this selection")
                .hint("check the agents' `vm`/`vms` and the VMs' `allowed_agents`")
                .into(),
        );
    }
    let progress = super::vms::Progress::start("Installing agents");
    let outcomes = install(backend, &plan, req, &|t| progress.notice(t))?;
    progress.finish();
    let mut failed = 0;
    for o in &outcomes {
        match &o.result {
            Ok(step) => {
                let version = step.version.as_deref().unwrap_or("(version unknown)");
                let word = match step.status {
                    ResultStatus::Installed => "installed",
                    ResultStatus::Already => "already installed",
                    ResultStatus::Failed => "failed",
                };
                println!("{} in VM {}: {word} {version}", o.agent, o.vm);
            }
            Err(message) => {
                failed += 1;
                println!("{} in VM {}: FAILED", o.agent, o.vm);
                eprintln!("agsekit: error: {message}");
            }
        }
    }
    if failed > 0 {
        eprintln!("hint: rerun with --debug to see the installer's commands");
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
            return Err(UserError::failed(format!(
                "could not look up the newest versions: {}",
                failed.join("; ")
            ))
            .hint("check the network (and --debug); without --force-check-versions the cached versions are used")
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
        return Err(UserError::failed(format!(
            "no newest version of {} is known yet ({} has none)",
            missing.join(", "),
            path.display()
        ))
        .hint("run `agsekit check-new-version` first, or add --force-check-versions")
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
    let progress = super::vms::Progress::start("Looking up the newest versions");
    let results = versions::refresh(&RealRunner, path, &types, false, versions::now());
    progress.finish();
    let results = results?;
    if types.is_empty() {
        println!("No agents are configured; no agent versions to look up.");
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
            } => println!("{agent_type}: {version} (checked less than a day ago)"),
            Refreshed::Failed { agent_type, error } => {
                failed += 1;
                println!("{agent_type}: unknown");
                eprintln!("agsekit: error: {error}");
            }
        }
    }
    println!("Saved in {}", path.display());
    println!(
        "agsekit {}: its own newest version is not looked up (install it from source; see docs/compatibility.md)",
        crate::VERSION
    );
    if failed > 0 {
        eprintln!("hint: rerun with --debug to see the lookup commands; npm types need `npm` on this host, aider needs `python3 -m pip`");
        return Ok(1);
    }
    Ok(0)
}
