//! `agsekit config-example [DESTINATION]` and `agsekit config-check`: writing the commented
//! example and validating a configuration with a summary of what it defines.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::GlobalArgs;
use crate::config::{self, example, Config, ForwardKind, HttpProxy};
use crate::error::UserError;
use crate::process;

#[derive(Debug, Clone, Args)]
pub struct ConfigExampleArgs {
    /// Where to write the example; an existing file is never replaced (default: the config
    /// path from --config, $CONFIG_PATH or ~/.config/agsekit/config.yaml, skipped if present)
    #[arg(value_name = "DESTINATION")]
    pub destination: Option<PathBuf>,
}

pub fn run_example(args: &ConfigExampleArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let (path, explicit) = match &args.destination {
        Some(dest) => (config::expand_tilde(dest), true),
        None => (config::resolve_path(global.config.as_deref()), false),
    };
    let outcome = example::write_new(&path, example::EXAMPLE.as_bytes())
        .with_context(|| format!("writing the example config to {}", path.display()))?;
    match outcome {
        example::Outcome::Written(p) => {
            println!("Wrote the example configuration to {}", p.display());
            println!("Edit it, then run `agsekit config-check` to validate it.");
            Ok(0)
        }
        example::Outcome::Exists(p) if explicit => Err(UserError::failed(format!(
            "{} already exists; config-example never overwrites a file",
            p.display()
        ))
        .hint("choose another DESTINATION, or move the existing file away first")
        .into()),
        example::Outcome::Exists(p) => {
            println!(
                "{} already exists; skipped (config-example never overwrites a file)",
                p.display()
            );
            println!("Run `agsekit config-example PATH` to write the example somewhere else.");
            Ok(0)
        }
    }
}

/// Loads the configuration for a command (by `--config`, `$CONFIG_PATH`, default) and prints
/// its warnings (unknown keys) to stderr. Invalid configs become one error listing every
/// problem (exit 3). Commands in `cli/` call this rather than `config::load` directly.
pub(crate) fn load_config(global: &GlobalArgs) -> anyhow::Result<Config> {
    let config = config::load(global.config.as_deref())?;
    print_warnings(&config.warnings);
    Ok(config)
}

fn print_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("agsekit: warning: {}", process::mask_secrets(w));
    }
}

pub fn run_check(global: &GlobalArgs) -> anyhow::Result<i32> {
    let result = config::check(global.config.as_deref())?;
    let warnings = match &result {
        Ok(c) => c.warnings.clone(),
        Err(invalid) => invalid.warnings.clone(),
    };
    print_warnings(&warnings);
    match result {
        Ok(config) => {
            if config.vms.is_empty() {
                eprintln!(
                    "agsekit: warning: vms: no VMs are defined; commands that create or use a VM need at least one under `vms:`"
                );
            }
            print!("{}", process::mask_secrets(&render_summary(&config)));
            Ok(0)
        }
        Err(invalid) => Err(invalid.to_user_error().into()),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn http_proxy_text(proxy: &HttpProxy) -> String {
    match proxy {
        HttpProxy::Direct { url } => format!("direct {url}"),
        HttpProxy::Upstream { upstream, listen } => match listen {
            Some(l) => format!("privoxy on {l} -> {upstream}"),
            None => format!("privoxy (port from the pool) -> {upstream}"),
        },
    }
}

/// The summary `config-check` prints for a valid configuration. Never includes `env:` values
/// or default arguments (they may hold secrets).
pub fn render_summary(config: &Config) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Configuration: {}", config.path.display());

    let _ = writeln!(out, "\nVMs ({}):", config.vms.len());
    if config.vms.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for (i, vm) in config.vms.values().enumerate() {
        let _ = writeln!(
            out,
            "  {}: {}, {} RAM, {} disk{}",
            vm.name,
            plural(vm.cpu as usize, "CPU", "CPUs"),
            vm.ram,
            vm.disk,
            if i == 0 { " (default)" } else { "" }
        );
        if !vm.install.is_empty() {
            let items: Vec<String> = vm
                .install
                .iter()
                .map(|b| match &b.version {
                    Some(v) => format!("{}:{v}", b.name),
                    None => b.name.clone(),
                })
                .collect();
            let _ = writeln!(out, "    install: {}", items.join(", "));
        }
        for rule in &vm.port_forwarding {
            let line = match rule.kind {
                ForwardKind::Local => format!(
                    "local: host {} -> VM {}",
                    rule.host_addr.as_deref().unwrap_or("?"),
                    rule.vm_addr
                ),
                ForwardKind::Remote => format!(
                    "remote: VM {} -> host {}",
                    rule.vm_addr,
                    rule.host_addr.as_deref().unwrap_or("?")
                ),
                ForwardKind::Socks5 => format!("socks5: {}", rule.vm_addr),
            };
            let _ = writeln!(out, "    port forward {line}");
        }
        if let Some(p) = &vm.proxychains {
            let _ = writeln!(out, "    proxychains: {p}");
        }
        if let Some(p) = &vm.http_proxy {
            let _ = writeln!(out, "    http proxy: {}", http_proxy_text(p));
        }
        if let Some(list) = &vm.allowed_agents {
            let _ = writeln!(out, "    allowed agents: {}", list.join(", "));
        }
        if vm.cloud_init.is_some() {
            let _ = writeln!(out, "    cloud-init: set (applied at creation)");
        }
    }

    let _ = writeln!(out, "\nMounts ({}):", config.mounts.len());
    if config.mounts.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for m in &config.mounts {
        let _ = writeln!(
            out,
            "  {} -> {}:{}",
            m.source.display(),
            m.vm,
            m.target.display()
        );
        let _ = writeln!(
            out,
            "    backups: {} (every {} min, keep {}, {}{})",
            m.backup.display(),
            m.interval,
            m.max_backups,
            m.backup_clean_method.as_str(),
            if m.first_backup {
                ""
            } else {
                ", no pre-run snapshot"
            }
        );
        if let Some(list) = &m.allowed_agents {
            let _ = writeln!(out, "    allowed agents: {}", list.join(", "));
        }
    }

    let _ = writeln!(out, "\nAgents ({}):", config.agents.len());
    if config.agents.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for a in config.agents.values() {
        let vms = if a.vms.is_empty() {
            "all".to_string()
        } else {
            a.vms.join(", ")
        };
        let version = a
            .version
            .as_deref()
            .map(|v| format!(", version {v}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}: type {}{version}, VMs: {vms}",
            a.name,
            a.agent_type.as_str()
        );
        if !a.env.is_empty() {
            let names: Vec<&str> = a.env.keys().map(String::as_str).collect();
            let _ = writeln!(out, "    env: {} (values hidden)", names.join(", "));
        }
        if !a.default_args.is_empty() {
            let _ = writeln!(
                out,
                "    default args: {} (not shown)",
                plural(a.default_args.len(), "argument", "arguments")
            );
        }
        match &a.proxychains {
            None => {}
            Some(None) => {
                let _ = writeln!(out, "    proxychains: off (overrides the VM)");
            }
            Some(Some(p)) => {
                let _ = writeln!(out, "    proxychains: {p} (overrides the VM)");
            }
        }
        match &a.http_proxy {
            None => {}
            Some(None) => {
                let _ = writeln!(out, "    http proxy: off (overrides the VM)");
            }
            Some(Some(p)) => {
                let _ = writeln!(
                    out,
                    "    http proxy: {} (overrides the VM)",
                    http_proxy_text(p)
                );
            }
        }
    }

    let _ = writeln!(
        out,
        "\nThe configuration is valid: {}, {}, {}.",
        plural(config.vms.len(), "VM", "VMs"),
        plural(config.mounts.len(), "mount", "mounts"),
        plural(config.agents.len(), "agent", "agents")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_shows_settings_but_never_secrets() {
        let yaml = "vms:\n  a: {cpu: 1, ram: 1G, disk: 1G, proxychains: \"socks5://h:1\", http_proxy: {url: \"http://p:3128\"}, cloud-init: {packages: [git]}}\n  b: {cpu: 4, ram: 8G, disk: 50G}\nmounts:\n  - {source: /w/app, vm: b, interval: 2, max_backups: 9, backup_clean_method: tail, first_backup: false, allowed_agents: [c]}\nagents:\n  c: {type: claude, version: 1.2.3, vms: [b], env: {TOKEN: summary-secret-1}, default-args: [--key=summary-secret-2], proxychains: \"\", http_proxy: \"socks5://u:2\"}\n";
        let config =
            config::load_from_str(yaml, std::path::Path::new("/c.yaml")).expect("valid config");
        let out = render_summary(&config);
        for expected in [
            "Configuration: /c.yaml",
            "  a: 1 CPU, 1G RAM, 1G disk (default)",
            "  b: 4 CPUs, 8G RAM, 50G disk\n",
            "    proxychains: socks5://h:1",
            "    http proxy: direct http://p:3128",
            "    cloud-init: set (applied at creation)",
            "  /w/app -> b:/home/ubuntu/app",
            "    backups: /w/backups-app (every 2 min, keep 9, tail, no pre-run snapshot)",
            "    allowed agents: c",
            "  c: type claude, version 1.2.3, VMs: b",
            "    env: TOKEN (values hidden)",
            "    default args: 1 argument (not shown)",
            "    proxychains: off (overrides the VM)",
            "    http proxy: privoxy (port from the pool) -> socks5://u:2 (overrides the VM)",
            "The configuration is valid: 2 VMs, 1 mount, 1 agent.",
        ] {
            assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
        }
        assert!(!out.contains("summary-secret"), "{out}");
    }
}
