//! `agsekit portforward`: runs the SSH tunnels of every VM's `port-forwarding` rules until
//! Ctrl-C or SIGTERM (`crate::portforward`).

use std::path::Path;

use super::backup::install_stop_handlers;
use super::GlobalArgs;
use crate::config::{self, Config};
use crate::portforward::{self, Event};
use crate::process::RealRunner;

fn load(path: &Path) -> anyhow::Result<Config> {
    config::load(Some(path))
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
            "[{vm}] tunnel up to {address}{}: {command}",
            pid.map(|p| format!(" (PID {p})")).unwrap_or_default()
        ),
        Event::Exited {
            vm,
            code,
            error,
            retry_in,
        } => format!(
            "[{vm}] ssh exited with code {code}{}. Restarting in {} s",
            error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default(),
            retry_in.as_secs()
        ),
        Event::NotReady {
            vm,
            reason,
            retry_in,
        } => format!(
            "[{vm}] not forwarding yet: {reason}; retrying in {} s",
            retry_in.as_secs()
        ),
        Event::Note { vm, text } => format!("[{vm}] note: {text}"),
        Event::Stopped { vm } => format!("[{vm}] tunnel stopped (rules changed or removed)"),
        Event::NothingToForward => {
            "Nothing to forward. Watching the config file for changes.".to_string()
        }
        Event::OrphansStopped(n) => {
            format!("stopped {n} tunnel(s) left by a supervisor that was killed")
        }
        Event::ConfigReloaded => "config changed; tunnels updated".to_string(),
        Event::ConfigError(e) => {
            format!("warning: the config does not load; keeping the previous rules: {e}")
        }
        Event::ConfigRecovered => "the config loads again".to_string(),
    }
}

pub fn run(global: &GlobalArgs) -> anyhow::Result<i32> {
    let first = super::config::load_config(global)?;
    let path = std::fs::canonicalize(&first.path).unwrap_or(first.path.clone());
    let _held = portforward::lock()?;
    let interrupt = install_stop_handlers()?;
    let backend = crate::vm::default_backend(Some(&crate::shim::shims_dir()));
    let opts = portforward::Options {
        config_path: path,
        owner: "portforward".to_string(),
        load,
    };
    let on = |e: Event| println!("{}", crate::process::mask_secrets(&describe(&e)));
    portforward::supervise(&opts, &RealRunner, backend.as_ref(), &interrupt, &on)?;
    println!("port forwarding stopped");
    Ok(0)
}
