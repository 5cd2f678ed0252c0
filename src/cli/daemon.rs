//! `agsekit daemon install|uninstall|start|stop|restart|status|run` and the deprecated
//! `agsekit systemd ...` alias (`crate::daemon`).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::backup::install_stop_handlers;
use super::GlobalArgs;
use crate::config::{self, Config};
use crate::daemon::{self, run::DaemonEvent, service::Service};
use crate::process::RealRunner;
use crate::UserError;

#[derive(Debug, Clone, Args)]
pub struct DaemonArgs {
    #[command(subcommand)]
    pub action: DaemonAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum DaemonAction {
    /// Install and start the agsekit background daemon.
    Install,
    /// Stop and remove the agsekit background daemon.
    Uninstall,
    /// Start the agsekit background daemon (restarts one of an older build).
    Start,
    /// Stop the agsekit background daemon.
    Stop,
    /// Restart the agsekit background daemon.
    Restart,
    /// Show the current agsekit daemon status.
    Status,
    /// Run the daemon in the foreground (what the service starts).
    Run,
}

fn load(path: &Path) -> anyhow::Result<Config> {
    config::load(Some(path))
}

fn agsekit_exe() -> anyhow::Result<PathBuf> {
    std::env::current_exe()
        .map_err(|e| UserError::failed(format!("cannot find the agsekit executable: {e}")).into())
}

/// The config path the daemon will read, absolute (it must not depend on a current folder).
fn config_path(global: &GlobalArgs) -> PathBuf {
    let path = config::resolve_path(global.config.as_deref());
    std::fs::canonicalize(&path).unwrap_or(path)
}

/// The deprecated `agsekit systemd ACTION`: a notice, then the same as `agsekit daemon`.
pub fn run_systemd_alias(args: &DaemonArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    eprintln!(
        "agsekit: the agsekit systemd command is deprecated; use agsekit daemon {}.",
        action_name(&args.action)
    );
    run(args, global)
}

fn action_name(a: &DaemonAction) -> &'static str {
    match a {
        DaemonAction::Install => "install",
        DaemonAction::Uninstall => "uninstall",
        DaemonAction::Start => "start",
        DaemonAction::Stop => "stop",
        DaemonAction::Restart => "restart",
        DaemonAction::Status => "status",
        DaemonAction::Run => "run",
    }
}

pub fn run(args: &DaemonArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let svc = Service {
        runner: &RealRunner,
        platform: daemon::service::platform(),
        agsekit: agsekit_exe()?,
    };
    let lines = match args.action {
        DaemonAction::Install => {
            let cfg = config_path(global);
            if !cfg.is_file() {
                return Err(UserError::config(format!(
                    "no config file at {}; the daemon needs one",
                    cfg.display()
                ))
                .hint("`agsekit config-example PATH` writes one; or pass --config FILE")
                .into());
            }
            svc.install(&cfg)?
        }
        DaemonAction::Uninstall => svc.uninstall()?,
        DaemonAction::Start => svc.start(&config_path(global))?,
        DaemonAction::Stop => svc.stop()?,
        DaemonAction::Restart => svc.restart(&config_path(global))?,
        DaemonAction::Status => return status(&svc),
        DaemonAction::Run => return run_foreground(global),
    };
    for line in lines {
        println!("{line}");
    }
    Ok(0)
}

fn status(svc: &Service<'_>) -> anyhow::Result<i32> {
    let p = daemon::probe();
    println!(
        "Daemon: {}",
        match (p.running, p.pid) {
            (true, Some(pid)) => format!("running (PID {pid})"),
            (true, None) => "running".to_string(),
            (false, _) => "not running".to_string(),
        }
    );
    if let Some(v) = &p.version {
        println!(
            "Version: agsekit {v} (protocol {})",
            p.protocol
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into())
        );
    }
    if p.version_mismatch {
        println!(
            "Version mismatch: the daemon runs another build than this agsekit ({}); `agsekit daemon start` or `agsekit daemon restart` replaces it",
            crate::VERSION
        );
    }
    println!(
        "Installed: {} ({})",
        if p.installed { "yes" } else { "no" },
        p.unit_path
    );
    for (k, v) in svc.manager_state() {
        println!("Service {k}: {v}");
    }
    println!("Log: {}", daemon::log_path().display());
    Ok(0)
}

fn describe(e: &DaemonEvent) -> String {
    match e {
        DaemonEvent::Started { pid, version } => {
            format!("agsekit daemon {version} started (PID {pid})")
        }
        DaemonEvent::Forward(f) => format!("portforward: {}", super::portforward::describe(f)),
        DaemonEvent::ForwardSkipped(why) => format!("portforward: not run by the daemon: {why}"),
        DaemonEvent::BackupStarted { mount, pid } => format!(
            "backups of {} started{}",
            mount.display(),
            pid.map(|p| format!(" (PID {p})")).unwrap_or_default()
        ),
        DaemonEvent::BackupStopped { mount } => format!("backups of {} stopped", mount.display()),
        DaemonEvent::BackupLeftToOther { mount, pid } => format!(
            "backups of {} are run by PID {pid}; leaving them to it",
            mount.display()
        ),
        DaemonEvent::VmStopped { vm, idle_minutes } => {
            format!("stopped VM {vm}: no agent for {idle_minutes} min")
        }
        DaemonEvent::Unmounted {
            vm,
            target,
            idle_minutes,
        } => format!("unmounted {vm}:{target}: no agent for {idle_minutes} min"),
        DaemonEvent::Problem(p) => format!("warning: {p}"),
        DaemonEvent::Stopping => "stopping".to_string(),
    }
}

fn run_foreground(global: &GlobalArgs) -> anyhow::Result<i32> {
    let cfg = super::config::load_config(global)?;
    let path = std::fs::canonicalize(&cfg.path).unwrap_or(cfg.path.clone());
    // Its own session: a terminal's Ctrl-C for the shell that started it must not reach it.
    let _ = nix::unistd::setsid();
    let _held = daemon::run::lock()?;
    let interrupt = install_stop_handlers()?;
    let backend = crate::vm::default_backend(Some(&crate::shim::shims_dir()));
    let opts = daemon::run::RunOptions {
        config_path: path,
        agsekit: agsekit_exe()?,
        load,
    };
    let on = |e: DaemonEvent| println!("{}", crate::process::mask_secrets(&describe(&e)));
    daemon::run::run(&opts, &RealRunner, backend.as_ref(), &interrupt, &on)?;
    Ok(0)
}
