//! `agsekit shims install|uninstall|list|exec`, and what a shim does when it runs (argv[0]
//! is an agent name instead of `agsekit`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::args::{ShimsAction, ShimsArgs};
use crate::config::{Config, OutsideMounts};
use crate::error::UserError;
use crate::process::{Cmd, RealRunner, Runner};
use crate::shim::dispatch::{
    agent_for_shim, host_program, marker_with, path_without, reentered, MARKER,
};
use crate::shim::manage::{self, ShimChange, DEFAULT_NAMES};
use crate::t;

use crate::run::session::{Folder, SessionRequest};

use super::run::start_session;
use super::GlobalArgs;

fn agsekit_exe() -> anyhow::Result<PathBuf> {
    std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| UserError::failed(t!("run.no_exe", error = e)).into())
}

/// The shim names to install: the defaults plus every agent profile in the config.
fn wanted_names(global: &GlobalArgs) -> Vec<String> {
    let mut names: Vec<String> = DEFAULT_NAMES.iter().map(|s| s.to_string()).collect();
    if let Ok(config) = crate::config::load(global.config.as_deref(), crate::backend::minimums) {
        names.extend(config.agents.keys().cloned());
    }
    names.sort();
    names.dedup();
    names
}

fn on_path(dir: &Path) -> Option<usize> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).position(|p| p == dir)
}

pub fn run(args: &ShimsArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let default_dir = crate::config::shims_dir();
    match &args.action {
        ShimsAction::Install { dir, names } => {
            let dir = dir.clone().unwrap_or(default_dir);
            let names = if names.is_empty() {
                wanted_names(global)
            } else {
                names.clone()
            };
            let changes = manage::install(&dir, &agsekit_exe()?, &names)?;
            for change in &changes {
                match change {
                    ShimChange::Created(n) => println!("{}", t!("shims.created", name = n)),
                    ShimChange::Updated(n) => println!("{}", t!("shims.updated", name = n)),
                    ShimChange::Unchanged(n) => println!("{}", t!("shims.unchanged", name = n)),
                    ShimChange::Removed(n) => println!("{}", t!("shims.removed", name = n)),
                    ShimChange::SkippedForeign(n) => eprintln!(
                        "agsekit: warning: {}",
                        t!("shims.foreign", path = dir.join(n).display())
                    ),
                    ShimChange::SkippedInvalid(n) => eprintln!(
                        "agsekit: warning: {}",
                        t!("shims.invalid_name", name = format!("{n:?}"))
                    ),
                }
            }
            if on_path(&dir) != Some(0) {
                eprintln!("hint: {}", t!("shims.path_hint", dir = dir.display()));
            }
            Ok(0)
        }
        ShimsAction::Uninstall { dir } => {
            let dir = dir.clone().unwrap_or(default_dir);
            for change in manage::uninstall(&dir, &agsekit_exe()?)? {
                if let ShimChange::Removed(n) = change {
                    println!("{}", t!("shims.removed", name = n));
                }
            }
            Ok(0)
        }
        ShimsAction::List { dir, json } => {
            let dir = dir.clone().unwrap_or(default_dir);
            let exe = agsekit_exe()?;
            let shims = manage::list(&dir, &exe);
            if *json {
                super::json::english();
                let path = std::env::var_os("PATH").unwrap_or_default();
                let shims = shims
                    .into_iter()
                    .map(|s| {
                        let host = host_program(&s.name, &path, &dir, &exe);
                        (s, host)
                    })
                    .collect();
                super::json::print(&super::json::shims(&dir, on_path(&dir), shims))?;
                return Ok(0);
            }
            if shims.is_empty() {
                println!("{}", t!("shims.none", dir = dir.display()));
                return Ok(0);
            }
            println!("{}", t!("shims.list_title", dir = dir.display()));
            let path = std::env::var_os("PATH").unwrap_or_default();
            for shim in shims {
                let host = host_program(&shim.name, &path, &dir, &exe)
                    .map(|p| t!("shims.host", path = p.display()))
                    .unwrap_or_else(|| t!("shims.host_none"));
                let stale = if shim.current {
                    String::new()
                } else {
                    format!(" {}", t!("shims.stale"))
                };
                println!(
                    "  {:<12} -> {}{stale}  [{host}]",
                    shim.name,
                    shim.target.display()
                );
            }
            match on_path(&dir) {
                Some(0) => println!("{}", t!("shims.path_first", dir = dir.display())),
                Some(_) => println!("{}", t!("shims.path_not_first", dir = dir.display())),
                None => println!("{}", t!("shims.path_missing", dir = dir.display())),
            }
            Ok(0)
        }
        ShimsAction::Exec { name, args, .. } => exec_host(name, args, &default_dir),
    }
}

/// Replaces this process with the host program `name`, with the shims off PATH and the
/// recursion marker set.
fn exec_host(name: &str, args: &[OsString], shims_dir: &Path) -> anyhow::Result<i32> {
    let marker = std::env::var_os(MARKER);
    if reentered(name, marker.as_deref()) {
        return Err(UserError::usage(t!("shims.loop", name = name))
            .hint(t!("shims.loop_hint"))
            .into());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let exe = agsekit_exe()?;
    let Some(program) = host_program(name, &path, shims_dir, &exe) else {
        return Err(UserError::usage(t!(
            "shims.no_host_program",
            name = name,
            dir = shims_dir.display()
        ))
        .hint(t!("shims.no_host_program_hint", name = name))
        .into());
    };
    let cmd = Cmd::new(&program)
        .args(args)
        .env("PATH", path_without(&path, shims_dir))
        .env(MARKER, marker_with(name, marker.as_deref()))
        .stdin_inherit();
    Err(anyhow::Error::new(RealRunner.exec(&cmd)))
}

/// A shim: `codex ARGS` in a mounted folder is `agsekit run codex ARGS`; outside every mount
/// it refuses (or, with `global.shims.outside_mounts: host`, runs the host program).
pub fn shim_main(name: &str, args: Vec<OsString>) -> anyhow::Result<i32> {
    let shims_dir = crate::config::shims_dir();
    if reentered(name, std::env::var_os(MARKER).as_deref()) {
        return exec_host(name, &args, &shims_dir);
    }
    let global = GlobalArgs {
        config: None,
        non_interactive: false,
        debug: false,
    };
    // The config is loaded (and its warnings printed) once, and the folder resolved to its
    // mount once: the session takes both as they are.
    let config: Config = super::config::load_config(&global)?;
    let cwd = super::init::current_folder().ok_or_else(|| UserError::failed(t!("run.no_cwd")))?;
    let mount = config.mount_for_path(&cwd, None)?;
    let agent = agent_for_shim(&config, name);
    match (mount, agent) {
        (Some(_), Some(agent)) => {
            let request = SessionRequest {
                agent: agent.name.clone(),
                args,
                workdir: cwd.clone(),
                // The folder is configured for this VM: a shim mounts it without asking.
                auto_mount: true,
                ..SessionRequest::default()
            };
            let folder = Folder {
                host_dir: cwd,
                mount,
            };
            start_session(
                &config,
                &request,
                Some(&folder),
                global.non_interactive,
                true,
            )
        }
        (Some(m), None) => Err(UserError::config(t!(
            "shims.no_agent",
            path = m.source.display(),
            config = config.path.display(),
            name = name
        ))
        .hint(t!("shims.no_agent_hint", name = name))
        .into()),
        (None, _) if config.global.shims_outside_mounts == OutsideMounts::Host => {
            exec_host(name, &args, &shims_dir)
        }
        (None, _) => Err(
            UserError::usage(t!("shims.refuse", path = cwd.display(), name = name))
                .hint(
                    crate::config::layout::not_shareable_hint(&cwd, &config)
                        .unwrap_or_else(|| t!("shims.refuse_hint", path = cwd.display())),
                )
                .hint(t!("shims.refuse_hint_host", name = name))
                .into(),
        ),
    }
}
