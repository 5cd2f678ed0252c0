//! VM commands: `prepare`, `create-vm`, `create-vms`, `start-vm`, `stop-vm`, `restart-vm`,
//! `suspend-vm`, `resume-vm`, `destroy-vm`, `up`, `down`, `shell`, `ssh`. The work is in `crate::lifecycle`; this file
//! parses, asks and prints.

use super::args::{
    CreateVmArgs, DestroyVmArgs, DownArgs, PrepareArgs, ShellArgs, SshArgs, SuspendVmArgs, UpArgs,
    VmTargetArgs,
};
use crate::config::{self, Config};
use crate::error::UserError;
use crate::lifecycle::{
    self, create, prepare,
    procs::{running_agents, RunningAgent},
    ssh,
    stop::{self, DestroyOutcome, StopOutcome},
    suspend::{self, ResumeOutcome, SuspendOutcome},
};
use crate::process::{RealRunner, Runner};
use crate::provision::ResultStatus;
use crate::t;
use crate::ui::spinner::{notice, Progress};
use crate::vm::{VmBackend, VmError, VmState};

use super::GlobalArgs;
use crate::ui::prompt::{self, Prompter};

/// True when questions can be asked on the terminal.
pub(crate) fn interactive(global: &GlobalArgs) -> bool {
    prompt::can_prompt(global.non_interactive)
}

/// Asks a yes/no question on the terminal (the shared prompt).
pub(crate) fn ask(question: &str, default: bool) -> Result<bool, UserError> {
    Ok(Prompter::terminal().confirm(question, default)?)
}

/// Asks for one of `items` by number.
pub(crate) fn choose<'a>(question: &str, items: &[&'a str]) -> Result<&'a str, UserError> {
    let options: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    let i = Prompter::terminal().choose(question, &options, None)?;
    Ok(items[i])
}

/// Shows what the backend has to tell about its last operations (a start that fell back to
/// software emulation...) as warnings, above the spinner.
pub(crate) fn show_notices(backend: &dyn VmBackend, progress: &Progress) {
    for notice in backend.take_notices() {
        progress.eprintln(&notice.message());
    }
}

fn backend(config: &Config) -> Box<dyn VmBackend> {
    crate::backend::open(config)
}

/// A VM state in a sentence: Multipass's own word in English (`Stopped`, as before), the
/// state's Russian name (as `status` shows it) in Russian.
fn shown_state(state: &VmState) -> String {
    match crate::i18n::current() {
        crate::i18n::Lang::En => state.to_string(),
        crate::i18n::Lang::Ru => {
            crate::probe::state::state_label(&crate::probe::state::state_name(state))
        }
    }
}

fn load(global: &GlobalArgs) -> anyhow::Result<Config> {
    super::config::load_config(global)
}

// ---------------------------------------------------------------------------------------------
// prepare

/// The config for `prepare`, when there is one: its keys folder and the backends its VMs use.
fn prepare_config(global: &GlobalArgs) -> anyhow::Result<Option<config::Config>> {
    let path = config::resolve_path(global.config.as_deref());
    if path.exists() {
        Ok(Some(load(global)?))
    } else {
        Ok(None)
    }
}

pub fn run_prepare(args: &PrepareArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    prepare_host(args.yes, global, &RealRunner)?;
    Ok(0)
}

fn prepare_host(yes: bool, global: &GlobalArgs, runner: &dyn Runner) -> anyhow::Result<()> {
    let loaded = prepare_config(global)?;
    let folder = match &loaded {
        Some(c) => c.global.ssh_keys_folder.clone(),
        None => config::home_dir().join(".config/agsekit/ssh"),
    };
    let kinds = crate::backend::used_kinds(loaded.as_ref());
    let facts = prepare::HostFacts::read();
    let has = |p: &str| prepare::which(p).is_some();
    // WSL is refused by the backends that cannot run there (Multipass), not for all of them.
    let os = prepare::detect_system(&facts, &has)?;
    let dpkg = |p: &str| prepare::dpkg_installed(runner, p);
    let as_root = nix::unistd::geteuid().is_root();
    let probe = prepare::Probe {
        has: &has,
        dpkg: &dpkg,
        exists: &|p| p.is_file(),
        as_root,
        wsl: prepare::is_wsl(&facts),
        arch: std::env::consts::ARCH,
        os_release: facts.os_release.as_deref(),
    };
    let plan = prepare::plan(os, &kinds, &probe)?;
    for name in &plan.present {
        println!("{}", t!("lifecycle.prepare.present", name = name));
    }
    for note in &plan.notes {
        println!("{}", t!("host.prepare_note", note = note));
    }
    if !plan.steps.is_empty() {
        println!("{}", t!("lifecycle.prepare.plan"));
        for step in &plan.steps {
            println!("  {}    # {}", step.cmd, step.why);
        }
        if plan.needs_sudo() && !yes {
            if !interactive(global) {
                return Err(UserError::usage(t!("lifecycle.prepare.needs_sudo"))
                    .hint(t!("lifecycle.prepare.needs_sudo_hint"))
                    .into());
            }
            if !ask(&t!("lifecycle.prepare.confirm"), true)? {
                return Err(UserError::failed(t!("lifecycle.prepare.declined"))
                    .hint(t!("lifecycle.prepare.declined_hint"))
                    .into());
            }
        }
        prepare::execute(runner, &plan)?;
    }
    let pair = ssh::ensure_keypair(runner, &folder)?;
    let path = pair.private.display();
    if pair.created {
        println!("{}", t!("lifecycle.prepare.key_created", path = path));
    } else {
        println!("{}", t!("lifecycle.prepare.key_kept", path = path));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// create-vm, create-vms

pub fn run_create_vm(args: &CreateVmArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let vms = lifecycle::select_vms(
        &config,
        args.vm_name.as_deref(),
        false,
        "`agsekit create-vms`",
    )?;
    create_and_print(&config, backend(&config).as_ref(), &vms)
}

pub fn run_create_vms(global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let vms = lifecycle::select_vms(&config, None, true, "")?;
    create_and_print(&config, backend(&config).as_ref(), &vms)
}

fn create_and_print(
    config: &Config,
    backend: &dyn VmBackend,
    vms: &[&config::VmConfig],
) -> anyhow::Result<i32> {
    let names: Vec<&str> = vms.iter().map(|v| v.name.as_str()).collect();
    let progress = Progress::start(t!("lifecycle.create.spinner", names = names.join(", ")));
    let reports = create::create_vms(config, backend, &RealRunner, vms, &|t| {
        show_notices(backend, &progress);
        progress.notice(t)
    });
    show_notices(backend, &progress);
    let reports = reports?;
    progress.finish();
    for report in &reports {
        let steps: Vec<String> = report
            .steps
            .iter()
            .map(|s| step_text(&s.name, s.version.as_deref(), s.status))
            .collect();
        let key = if report.launched {
            crate::msg_key!("lifecycle.create.vm_created", name, steps)
        } else {
            crate::msg_key!("lifecycle.create.vm_existed", name, steps)
        };
        println!("{}", t!(key, name = report.name, steps = steps.join(", ")));
        if !report.mismatches.is_empty() {
            let diffs: Vec<String> = report.mismatches.iter().map(mismatch_text).collect();
            eprintln!(
                "agsekit: warning: {}",
                t!(
                    "lifecycle.create.differs",
                    name = report.name,
                    diffs = diffs.join("; ")
                )
            );
            eprintln!(
                "hint: {}",
                t!("lifecycle.create.differs_hint", name = report.name)
            );
        }
    }
    Ok(0)
}

/// One provisioning step of `create-vm`'s result line: `golang (1.22.2) installed`.
pub(crate) fn step_text(name: &str, version: Option<&str>, status: ResultStatus) -> String {
    let key = match (status, version.is_some()) {
        (ResultStatus::Installed, false) => {
            crate::msg_key!("lifecycle.create.step_installed", name, version)
        }
        (ResultStatus::Installed, true) => {
            crate::msg_key!("lifecycle.create.step_installed_version", name, version)
        }
        (ResultStatus::Already, false) => {
            crate::msg_key!("lifecycle.create.step_already", name, version)
        }
        (ResultStatus::Already, true) => {
            crate::msg_key!("lifecycle.create.step_already_version", name, version)
        }
        (ResultStatus::Failed, false) => {
            crate::msg_key!("lifecycle.create.step_failed", name, version)
        }
        (ResultStatus::Failed, true) => {
            crate::msg_key!("lifecycle.create.step_failed_version", name, version)
        }
    };
    t!(key, name = name, version = version.unwrap_or_default())
}

/// One difference between a VM and its config: `memory 4G in the config, 2.0 GiB in the VM`.
fn mismatch_text(m: &create::Mismatch) -> String {
    let key = match m.what {
        "CPU" => crate::msg_key!("lifecycle.create.mismatch_cpu", configured, actual),
        "memory" => crate::msg_key!("lifecycle.create.mismatch_memory", configured, actual),
        _ => crate::msg_key!("lifecycle.create.mismatch_disk", configured, actual),
    };
    t!(key, configured = m.configured, actual = m.actual)
}

// ---------------------------------------------------------------------------------------------
// start, stop, restart, destroy

pub fn run_start(args: &VmTargetArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let vms = lifecycle::select_vms(&config, args.vm_name.as_deref(), args.all_vms, "--all-vms")?;
    let backend = backend(&config);
    let progress = Progress::start(t!("lifecycle.spin.starting"));
    for vm in vms {
        progress.step(t!("lifecycle.spin.starting_vm", name = vm.name));
        let started = stop::start_vm(backend.as_ref(), &vm.name);
        show_notices(backend.as_ref(), &progress);
        started?;
        progress.println(&t!("lifecycle.vm.running", name = vm.name));
    }
    progress.finish();
    Ok(0)
}

pub fn run_stop(args: &VmTargetArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let vms = lifecycle::select_vms(&config, args.vm_name.as_deref(), args.all_vms, "--all-vms")?;
    let backend = backend(&config);
    let progress = Progress::start(t!("lifecycle.spin.stopping"));
    for vm in vms {
        progress.step(t!("lifecycle.spin.stopping_vm", name = vm.name));
        let outcome = stop::stop_vm(
            &config,
            backend.as_ref(),
            &vm.name,
            stop::stop_timeout(),
            &|t| progress.notice(t),
        )?;
        progress.println(&stop_line(&vm.name, outcome));
    }
    progress.finish();
    Ok(0)
}

fn stop_line(name: &str, outcome: StopOutcome) -> String {
    match outcome {
        StopOutcome::WasDown => t!("lifecycle.vm.was_down", name = name),
        StopOutcome::Stopped => t!("lifecycle.vm.stopped", name = name),
        StopOutcome::Forced => t!("lifecycle.vm.forced", name = name),
    }
}

pub fn run_restart(args: &VmTargetArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let vms = lifecycle::select_vms(&config, args.vm_name.as_deref(), args.all_vms, "--all-vms")?;
    let backend = backend(&config);
    let progress = Progress::start(t!("lifecycle.spin.restarting"));
    for vm in &vms {
        progress.step(t!("lifecycle.spin.stopping_vm", name = vm.name));
        stop::stop_vm(
            &config,
            backend.as_ref(),
            &vm.name,
            stop::stop_timeout(),
            &|t| progress.notice(t),
        )?;
    }
    for vm in &vms {
        progress.step(t!("lifecycle.spin.starting_vm", name = vm.name));
        let started = stop::start_vm(backend.as_ref(), &vm.name);
        show_notices(backend.as_ref(), &progress);
        started?;
        let mounted = stop::remount(&config, backend.as_ref(), vm, &|t| progress.notice(t));
        if mounted.is_empty() {
            progress.println(&t!("lifecycle.vm.restarted", name = vm.name));
        } else {
            progress.println(&t!(
                "lifecycle.vm.restarted_remounted",
                name = vm.name,
                targets = mounted.join(", ")
            ));
        }
    }
    progress.finish();
    Ok(0)
}

/// What `down` and `suspend-vm` say when configured agents still run in the VMs they are
/// about to stop or suspend.
struct AgentsRunning<'a> {
    /// The warning for a VM whose processes could not be listed.
    no_ps: &'a dyn Fn(&str) -> String,
    refuse: String,
    hint: String,
    confirm: String,
    nothing: String,
}

/// Lists the configured agents running in `vms`. When there are some: on a terminal, asks
/// (default no); without one, refuses. True when the command may go on.
fn agents_may_be_interrupted(
    config: &Config,
    backend: &dyn VmBackend,
    vms: &[&str],
    global: &GlobalArgs,
    texts: &AgentsRunning,
) -> anyhow::Result<bool> {
    let mut agents: Vec<RunningAgent> = Vec::new();
    for vm in vms {
        match running_agents(config, backend, vm) {
            Some(found) => agents.extend(found),
            None => notice(&format!("warning: {}", (texts.no_ps)(vm))),
        }
    }
    if agents.is_empty() {
        return Ok(true);
    }
    eprintln!("agsekit: {}", t!("lifecycle.down.agents_running"));
    for a in &agents {
        eprintln!(
            "{}",
            t!(
                "lifecycle.down.agent_line",
                vm = a.vm,
                pid = a.pid,
                args = a.args
            )
        );
    }
    if !interactive(global) {
        return Err(UserError::usage(texts.refuse.clone())
            .hint(texts.hint.clone())
            .into());
    }
    if !ask(&texts.confirm, false)? {
        eprintln!("agsekit: {}", texts.nothing);
        return Ok(false);
    }
    Ok(true)
}

pub fn run_suspend(args: &SuspendVmArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let target = &args.target;
    let vms = lifecycle::select_vms(
        &config,
        target.vm_name.as_deref(),
        target.all_vms,
        "--all-vms",
    )?;
    let backend = backend(&config);
    // A suspended agent's session does not survive a long pause (its connection times out),
    // so running agents are checked for as `down` does.
    let states: Vec<(&str, Result<VmState, VmError>)> = vms
        .iter()
        .map(|vm| (vm.name.as_str(), backend.state(&vm.name)))
        .collect();
    let running: Vec<&str> = states
        .iter()
        .filter(|(_, state)| matches!(state, Ok(s) if s.is_running()))
        .map(|(name, _)| *name)
        .collect();
    let texts = AgentsRunning {
        no_ps: &|vm| t!("suspend.agents.no_ps", vm = vm),
        refuse: t!("suspend.agents.refuse"),
        hint: t!("suspend.agents.refuse_hint"),
        confirm: t!("suspend.agents.confirm"),
        nothing: t!("suspend.agents.nothing"),
    };
    if !args.force
        && !agents_may_be_interrupted(&config, backend.as_ref(), &running, global, &texts)?
    {
        return Ok(1);
    }
    let progress = Progress::start(t!("suspend.spin.suspending"));
    for (name, state) in states {
        progress.step(t!("suspend.spin.suspending_vm", name = name));
        let state = state.map_err(lifecycle::vm_err)?;
        let line = match suspend::suspend_in_state(backend.as_ref(), name, state)? {
            SuspendOutcome::Suspended => t!("suspend.vm.suspended", name = name),
            SuspendOutcome::AlreadySuspended => t!("suspend.vm.already_suspended", name = name),
            SuspendOutcome::WasStopped => t!("suspend.vm.was_stopped", name = name),
        };
        progress.println(&line);
    }
    progress.finish();
    Ok(0)
}

pub fn run_resume(args: &VmTargetArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let vms = lifecycle::select_vms(&config, args.vm_name.as_deref(), args.all_vms, "--all-vms")?;
    let backend = backend(&config);
    let progress = Progress::start(t!("suspend.spin.resuming"));
    for vm in vms {
        progress.step(t!("suspend.spin.resuming_vm", name = vm.name));
        let resumed = suspend::resume_vm(backend.as_ref(), &vm.name);
        show_notices(backend.as_ref(), &progress);
        let line = match resumed? {
            ResumeOutcome::Resumed => t!("suspend.vm.resumed", name = vm.name),
            ResumeOutcome::Started => t!("suspend.vm.started", name = vm.name),
            ResumeOutcome::WasRunning => t!("suspend.vm.was_running", name = vm.name),
        };
        progress.println(&line);
    }
    progress.finish();
    Ok(0)
}

pub fn run_destroy(args: &DestroyVmArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let vms = lifecycle::select_vms(&config, args.vm_name.as_deref(), args.all, "--all")?;
    let names: Vec<&str> = vms.iter().map(|v| v.name.as_str()).collect();
    if !args.yes {
        if !interactive(global) {
            let command = format!(
                "agsekit destroy-vm {}-y",
                if args.all {
                    "--all ".to_string()
                } else {
                    format!("{} ", names.join(" "))
                }
            );
            return Err(UserError::usage(t!(
                "lifecycle.destroy.needs_confirm",
                names = names.join(", ")
            ))
            .hint(t!(
                "lifecycle.destroy.needs_confirm_hint",
                command = command
            ))
            .into());
        }
        eprintln!(
            "{}",
            t!("lifecycle.destroy.warning", names = names.join(", "))
        );
        if !ask(&t!("lifecycle.destroy.confirm"), false)? {
            eprintln!("agsekit: {}", t!("lifecycle.destroy.nothing"));
            return Ok(1);
        }
    }
    let backend = backend(&config);
    for name in names {
        match stop::destroy_vm(backend.as_ref(), name)? {
            DestroyOutcome::Destroyed => println!("{}", t!("lifecycle.vm.deleted", name = name)),
            DestroyOutcome::Missing => {
                println!("{}", t!("lifecycle.vm.nothing_to_delete", name = name))
            }
        }
    }
    Ok(0)
}

// ---------------------------------------------------------------------------------------------
// up, down

pub fn run_up(args: &UpArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let do_prepare = !args.no_prepare;
    let do_create = !args.no_create_vms;
    let do_install = !args.no_install_agents;
    if !(do_prepare || do_create || do_install) {
        return Err(UserError::usage(t!("lifecycle.up.nothing"))
            .hint(t!("lifecycle.up.nothing_hint"))
            .into());
    }
    if do_prepare {
        notice(&t!("lifecycle.up.stage", n = 1, stage = "prepare"));
        prepare_host(args.yes, global, &RealRunner)?;
    }
    if do_create || do_install {
        let config = load(global)?;
        let backend = backend(&config);
        if do_create {
            notice(&t!("lifecycle.up.stage", n = 2, stage = "create-vms"));
            let vms = lifecycle::select_vms(&config, None, true, "")?;
            create_and_print(&config, backend.as_ref(), &vms)?;
        }
        if do_install {
            notice(&t!("lifecycle.up.stage", n = 3, stage = "install-agents"));
            if config.agents.is_empty() {
                notice(&t!("lifecycle.up.no_agents"));
            } else {
                let req = lifecycle::agents::InstallRequest {
                    all_agents: true,
                    ..Default::default()
                };
                let code = super::agents::install_and_print(&config, backend.as_ref(), &req)?;
                if code != 0 {
                    return Ok(code);
                }
            }
        }
    }
    if do_create || do_install {
        install_daemon(global);
    }
    println!("{}", t!("lifecycle.up.done"));
    Ok(0)
}

/// The background daemon's service manager (systemd or launchd) as `agsekit daemon` drives it.
fn daemon_service(runner: &dyn Runner) -> anyhow::Result<crate::daemon::service::Service<'_>> {
    let agsekit =
        std::env::current_exe().map_err(|e| UserError::failed(t!("run.no_exe", error = e)))?;
    Ok(crate::daemon::service::Service {
        runner,
        platform: crate::daemon::service::platform(),
        agsekit,
    })
}

/// `up`'s last stage, as `agsekit daemon install` (Linux and macOS only). A failure is a
/// warning: the VMs and agents are ready, and the daemon is optional.
fn install_daemon(global: &GlobalArgs) {
    if !cfg!(any(target_os = "linux", target_os = "macos")) {
        return;
    }
    notice(&t!("lifecycle.up.stage", n = 4, stage = "daemon install"));
    let path = config::resolve_path(global.config.as_deref());
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let progress = Progress::start(t!("lifecycle.spin.daemon_install"));
    let result = daemon_service(&RealRunner).and_then(|svc| svc.install(&path));
    progress.finish();
    match result {
        Ok(lines) => {
            for line in lines {
                notice(&t!("lifecycle.daemon_line", line = line));
            }
        }
        Err(e) => {
            notice(&format!(
                "warning: {}",
                t!("lifecycle.up.daemon_failed", error = e)
            ));
            eprintln!("hint: {}", t!("lifecycle.up.daemon_failed_hint"));
        }
    }
}

/// `down`'s first step: stop the daemon when it is installed or running, so that it does not
/// start backups or port forwards against VMs being stopped. A failure is a warning.
fn stop_daemon(progress: &Progress) {
    let probe = crate::daemon::probe();
    if !(probe.installed || probe.running) {
        return;
    }
    match daemon_service(&RealRunner).and_then(|svc| svc.stop()) {
        Ok(lines) => {
            for line in lines {
                progress.notice(&t!("lifecycle.daemon_line", line = line));
            }
        }
        Err(e) => {
            progress.notice(&format!(
                "warning: {}",
                t!("lifecycle.down.daemon_failed", error = e)
            ));
            progress.eprintln("hint: agsekit daemon stop");
        }
    }
}

pub fn run_down(args: &DownArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let backend = backend(&config);
    let mut running: Vec<&str> = Vec::new();
    for name in config.vms.keys() {
        match backend.info(name) {
            Ok(info) if info.state.is_running() => running.push(name),
            Ok(info) => println!(
                "{}",
                t!(
                    "lifecycle.down.skipped",
                    name = name,
                    state = shown_state(&info.state)
                )
            ),
            Err(VmError::InstanceMissing { .. }) => {
                println!("{}", t!("lifecycle.down.missing", name = name))
            }
            Err(e) => return Err(lifecycle::vm_err(e)),
        }
    }
    if !args.force {
        let texts = AgentsRunning {
            no_ps: &|vm| t!("lifecycle.down.no_ps", vm = vm),
            refuse: t!("lifecycle.down.refuse"),
            hint: t!("lifecycle.down.refuse_hint"),
            confirm: t!("lifecycle.down.confirm"),
            nothing: t!("lifecycle.down.nothing"),
        };
        if !agents_may_be_interrupted(&config, backend.as_ref(), &running, global, &texts)? {
            return Ok(1);
        }
    }
    let progress = Progress::start(t!("lifecycle.spin.daemon_stop"));
    stop_daemon(&progress);
    for name in running {
        progress.step(t!("lifecycle.spin.stopping_vm", name = name));
        let outcome = stop::stop_vm(
            &config,
            backend.as_ref(),
            name,
            stop::stop_timeout(),
            &|t| progress.notice(t),
        )?;
        progress.println(&stop_line(name, outcome));
    }
    progress.finish();
    Ok(0)
}

// ---------------------------------------------------------------------------------------------
// shell, ssh

pub fn run_shell(args: &ShellArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let name = match &args.vm_name {
        Some(name) => config.vm(Some(name))?.name.clone(),
        None => match config.vms.len() {
            0 => return Err(config.no_vms_error().into()),
            1 => config.vms.keys().next().cloned().unwrap_or_default(),
            _ => {
                let names: Vec<&str> = config.vms.keys().map(String::as_str).collect();
                if !interactive(global) {
                    return Err(UserError::usage(t!(
                        "lifecycle.vms_ambiguous",
                        vms = crate::count!("count.vm", names.len()),
                        names = names.join(", ")
                    ))
                    .hint(format!("agsekit shell {}", names[0]))
                    .into());
                }
                choose(&t!("lifecycle.which_vm"), &names)?.to_string()
            }
        },
    };
    let backend = backend(&config);
    backend.shell(&name).map_err(lifecycle::vm_err)
}

pub fn run_ssh(args: &SshArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load(global)?;
    let vm = config.vm(Some(&args.vm_name))?;
    let folder = &config.global.ssh_keys_folder;
    if !folder.join("id_rsa").is_file() {
        return Err(UserError::failed(t!(
            "lifecycle.ssh.no_key",
            path = folder.join("id_rsa").display()
        ))
        .hint("agsekit prepare")
        .into());
    }
    let backend = backend(&config);
    let endpoint = match backend.ssh_endpoint(&vm.name) {
        Ok(endpoint) => Some(endpoint),
        // Not running, or running without an address yet: said below with the VM's state.
        Err(VmError::NotRunning { .. } | VmError::SshFailed { .. }) => None,
        Err(err) => return Err(lifecycle::vm_err(err)),
    };
    let Some(endpoint) = endpoint else {
        let info = backend.info(&vm.name).map_err(lifecycle::vm_err)?;
        let hint = if info.state == VmState::Running {
            t!("lifecycle.ssh.no_ip_wait", name = vm.name)
        } else {
            format!("agsekit start-vm {}", vm.name)
        };
        return Err(UserError::vm(t!(
            "lifecycle.ssh.no_ip",
            name = vm.name,
            state = shown_state(&info.state)
        ))
        .hint(hint)
        .into());
    };
    let cmd = ssh::ssh_command(folder, &endpoint, &args.ssh_args);
    let err = RealRunner.exec(&cmd);
    if err.not_found() {
        return Err(UserError::failed(t!("lifecycle.ssh.no_ssh"))
            .hint(t!("lifecycle.ssh.install_hint"))
            .into());
    }
    Err(UserError::failed(err.to_string()).into())
}
