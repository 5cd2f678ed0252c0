//! `agsekit portforward`: runs the SSH tunnels of every VM's `port-forwarding` rules until
//! Ctrl-C or SIGTERM (`crate::portforward`).

use std::path::Path;

use super::backup::install_stop_handlers;
use super::GlobalArgs;
use crate::config::{self, Config};
use crate::portforward::{self, Event};
use crate::process::RealRunner;
use crate::t;

fn load(path: &Path) -> anyhow::Result<Config> {
    config::load(Some(path), crate::backend::minimums)
}

/// One line for an event (also used by the daemon's log).
pub(crate) fn describe(e: &Event) -> String {
    match e {
        Event::Started {
            vm,
            pid,
            address,
            command,
        } => format!(
            "[{vm}] {}",
            t!(
                "portforward.started",
                address = address,
                pid = pid.map(|p| format!(" (PID {p})")).unwrap_or_default(),
                command = command
            )
        ),
        Event::Exited {
            vm,
            code,
            error,
            retry_in,
        } => format!(
            "[{vm}] {}",
            t!(
                "portforward.exited",
                code = code,
                error = error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default(),
                seconds = retry_in.as_secs()
            )
        ),
        Event::NotReady {
            vm,
            reason,
            retry_in,
        } => format!(
            "[{vm}] {}",
            t!(
                "portforward.not_ready",
                reason = reason,
                seconds = retry_in.as_secs()
            )
        ),
        Event::Note { vm, text } => format!("[{vm}] {}", t!("portforward.note", text = text)),
        Event::Stopped { vm } => format!("[{vm}] {}", t!("portforward.stopped")),
        Event::NothingToForward => t!("portforward.nothing"),
        Event::OrphansStopped(n) => t!("portforward.orphans", n = n),
        Event::ConfigReloaded => t!("portforward.reloaded"),
        Event::ConfigError(e) => {
            format!("warning: {}", t!("portforward.config_error", error = e))
        }
        Event::ConfigRecovered => t!("portforward.recovered"),
    }
}

pub fn run(global: &GlobalArgs) -> anyhow::Result<i32> {
    let first = super::config::load_config(global)?;
    let path = std::fs::canonicalize(&first.path).unwrap_or(first.path.clone());
    let _held = portforward::lock()?;
    let interrupt = install_stop_handlers()?;
    let backend = crate::backend::open(&first);
    let opts = portforward::Options {
        config_path: path,
        owner: "portforward".to_string(),
        load,
    };
    let on = |e: Event| super::pipe::line(&crate::process::mask_secrets(&describe(&e)));
    portforward::supervise(&opts, &RealRunner, backend.as_ref(), &interrupt, &on)?;
    super::pipe::line(&t!("portforward.all_stopped"));
    Ok(0)
}
