//! `agsekit daemon install|uninstall|start|stop|restart|status|run` and the deprecated
//! `agsekit systemd ...` alias (`crate::daemon`).

use std::path::{Path, PathBuf};

use super::args::{DaemonAction, DaemonArgs};
use super::backup::install_stop_handlers;
use super::GlobalArgs;
use crate::config::{self, Config};
use crate::daemon::{self, run::DaemonEvent, service::Service};
use crate::process::RealRunner;
use crate::t;
use crate::UserError;

fn load(path: &Path) -> anyhow::Result<Config> {
    config::load(Some(path), crate::backend::minimums)
}

fn agsekit_exe() -> anyhow::Result<PathBuf> {
    std::env::current_exe().map_err(|e| UserError::failed(t!("run.no_exe", error = e)).into())
}

/// The config path the daemon will read, absolute (it must not depend on a current folder).
fn config_path(global: &GlobalArgs) -> PathBuf {
    let path = config::resolve_path(global.config.as_deref());
    std::fs::canonicalize(&path).unwrap_or(path)
}

/// The deprecated `agsekit systemd ACTION`: a notice, then the same as `agsekit daemon`.
pub fn run_systemd_alias(args: &DaemonArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    eprintln!(
        "agsekit: {}",
        t!(
            "daemon.systemd_deprecated",
            action = action_name(&args.action)
        )
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
        DaemonAction::Status { .. } => "status",
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
                return Err(
                    UserError::config(t!("daemon.no_config", path = cfg.display()))
                        .hint(t!("daemon.no_config_hint"))
                        .into(),
                );
            }
            svc.install(&cfg)?
        }
        DaemonAction::Uninstall => svc.uninstall()?,
        DaemonAction::Start => svc.start(&config_path(global))?,
        DaemonAction::Stop => svc.stop()?,
        DaemonAction::Restart => svc.restart(&config_path(global))?,
        DaemonAction::Status { json: true } => {
            super::json::english();
            let doc =
                super::json::daemon(daemon::probe(), svc.manager_state(), &daemon::log_path());
            super::json::print(&doc)?;
            return Ok(0);
        }
        DaemonAction::Status { json: false } => return status(&svc),
        DaemonAction::Run => return run_foreground(global),
    };
    for line in lines {
        println!("{line}");
    }
    Ok(0)
}

fn status(svc: &Service<'_>) -> anyhow::Result<i32> {
    let p = daemon::probe();
    let state = match (p.running, p.pid) {
        (true, Some(pid)) => t!("status.running_pid", pid = pid),
        (true, None) => t!("status.daemon_running"),
        (false, _) => t!("status.daemon_not_running"),
    };
    println!("{}", t!("daemon.state", state = state));
    if let Some(v) = &p.version {
        println!(
            "{}",
            t!(
                "daemon.version",
                version = v,
                protocol = p
                    .protocol
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "?".into())
            )
        );
    }
    if p.version_mismatch {
        println!("{}", t!("daemon.mismatch", version = crate::VERSION));
    }
    println!(
        "{}",
        t!(
            "daemon.installed",
            answer = if p.installed {
                t!("status.yes")
            } else {
                t!("status.no")
            },
            unit = p.unit_path
        )
    );
    for (k, v) in svc.manager_state() {
        println!("{}", t!("daemon.service", key = k, value = v));
    }
    println!("{}", t!("daemon.log", path = daemon::log_path().display()));
    Ok(0)
}

fn describe(e: &DaemonEvent) -> String {
    match e {
        DaemonEvent::Started { pid, version } => {
            t!("daemon.started", version = version, pid = pid)
        }
        DaemonEvent::Forward(f) => format!("portforward: {}", super::portforward::describe(f)),
        DaemonEvent::ForwardSkipped(why) => {
            format!("portforward: {}", t!("daemon.forward_skipped", why = why))
        }
        DaemonEvent::BackupStarted { mount, pid } => match pid {
            Some(pid) => t!(
                "daemon.backup_started_pid",
                mount = mount.display(),
                pid = pid
            ),
            None => t!("daemon.backup_started", mount = mount.display()),
        },
        DaemonEvent::BackupStopped { mount } => {
            t!("daemon.backup_stopped", mount = mount.display())
        }
        DaemonEvent::BackupLeftToOther { mount, pid } => {
            t!("daemon.backup_other", mount = mount.display(), pid = pid)
        }
        DaemonEvent::VmStopped { vm, idle_minutes } => {
            t!("daemon.vm_stopped", vm = vm, minutes = idle_minutes)
        }
        DaemonEvent::VmSuspended { vm, idle_minutes } => {
            t!("suspend.daemon.suspended", vm = vm, minutes = idle_minutes)
        }
        DaemonEvent::Unmounted {
            vm,
            target,
            idle_minutes,
        } => t!(
            "daemon.unmounted",
            vm = vm,
            target = target,
            minutes = idle_minutes
        ),
        DaemonEvent::Problem(p) => format!("warning: {p}"),
        DaemonEvent::Stopping => t!("daemon.stopping"),
    }
}

fn run_foreground(global: &GlobalArgs) -> anyhow::Result<i32> {
    let cfg = super::config::load_config(global)?;
    let path = std::fs::canonicalize(&cfg.path).unwrap_or(cfg.path.clone());
    // Its own session: a terminal's Ctrl-C for the shell that started it must not reach it.
    let _ = nix::unistd::setsid();
    let _held = daemon::run::lock()?;
    let interrupt = install_stop_handlers()?;
    let backend = crate::backend::open(&cfg);
    let opts = daemon::run::RunOptions {
        config_path: path,
        agsekit: agsekit_exe()?,
        load,
    };
    let on = |e: DaemonEvent| super::pipe::line(&crate::process::mask_secrets(&describe(&e)));
    daemon::run::run(&opts, &RealRunner, backend.as_ref(), &interrupt, &on)?;
    Ok(0)
}
