//! `agsekit config-example [DESTINATION]` and `agsekit config-check`: writing the commented
//! example and validating a configuration with a summary of what it defines.

use std::fmt::Write as _;

use anyhow::Context;

use super::args::{ConfigCheckArgs, ConfigExampleArgs};
use super::GlobalArgs;
use crate::config::{self, example, Config, ForwardKind, HttpProxy};
use crate::error::UserError;
use crate::process;
use crate::t;

pub fn run_example(args: &ConfigExampleArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let (path, explicit) = match &args.destination {
        Some(dest) => (config::expand_tilde(dest), true),
        None => (config::resolve_path(global.config.as_deref()), false),
    };
    // The VM is sized for this host, so that `agsekit up` passes the capacity check.
    let host = crate::lifecycle::create::host_resources(&process::RealRunner);
    let (cpu, ram) = match host {
        Some(h) => example::vm_size_for(h.cpus, h.memory),
        None => (example::UNSIZED_CPU, example::UNSIZED_RAM.to_string()),
    };
    let text = example::example_with_size(cpu, &ram);
    let outcome = example::write_new_private(&path, text.as_bytes())
        .with_context(|| t!("config.example_writing", path = path.display()))?;
    match outcome {
        example::Outcome::Written(p) => {
            println!("{}", t!("example.written", path = p.display()));
            match host {
                Some(h) => println!(
                    "{}",
                    t!(
                        "first.example.sized",
                        host_cpus = h.cpus,
                        host_mem = crate::ui::human_bytes(h.memory),
                        cpu = cpu,
                        ram = ram
                    )
                ),
                None => println!("{}", t!("first.example.unsized", cpu = cpu, ram = ram)),
            }
            println!("{}", t!("example.next"));
            Ok(0)
        }
        example::Outcome::Exists(p) if explicit => {
            Err(UserError::failed(t!("example.exists", path = p.display()))
                .hint(t!("example.exists_hint"))
                .into())
        }
        example::Outcome::Exists(p) => {
            println!("{}", t!("example.skipped", path = p.display()));
            println!("{}", t!("example.elsewhere"));
            Ok(0)
        }
    }
}

/// Loads the configuration for a command (by `--config`, `$CONFIG_PATH`, default) and prints
/// its warnings (unknown keys) to stderr. Invalid configs become one error listing every
/// problem (exit 3). Commands in `cli/` call this rather than `config::load` directly.
pub(crate) fn load_config(global: &GlobalArgs) -> anyhow::Result<Config> {
    let config = config::load(global.config.as_deref(), crate::backend::minimums)?;
    print_warnings(&config.warnings);
    Ok(config)
}

fn print_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("agsekit: warning: {}", process::mask_secrets(w));
    }
}

pub fn run_check(args: &ConfigCheckArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    if args.json {
        super::json::english();
        let result = config::check(global.config.as_deref(), crate::backend::minimums)?;
        super::json::print(&super::json::config_check(&result))?;
        return Ok(if result.is_ok() { 0 } else { 3 });
    }
    let result = config::check(global.config.as_deref(), crate::backend::minimums)?;
    let warnings = match &result {
        Ok(c) => c.warnings.clone(),
        Err(invalid) => invalid.warnings.clone(),
    };
    print_warnings(&warnings);
    match result {
        Ok(config) => {
            if config.vms.is_empty() {
                eprintln!("agsekit: warning: {}", t!("check.no_vms"));
            }
            print_warnings(&missing_sources(&config));
            print!("{}", process::mask_secrets(&render_summary(&config)));
            Ok(0)
        }
        Err(invalid) => Err(invalid.to_user_error().into()),
    }
}

/// `config-check`'s warnings about shared folders that are not there: the loader accepts a
/// source that does not exist yet, but `mount`, `run` and the shims need it.
fn missing_sources(config: &Config) -> Vec<String> {
    let mut out = Vec::new();
    for (index, m) in config.mounts.iter().enumerate() {
        let path = m.source.display();
        match std::fs::metadata(&m.source) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => out.push(t!(
                "first.check.source_not_folder",
                index = index,
                path = path
            )),
            Err(_) => out.push(t!("first.check.source_missing", index = index, path = path)),
        }
    }
    out
}

fn http_proxy_text(proxy: &HttpProxy) -> String {
    match proxy {
        HttpProxy::Direct { url } => t!("check.http_direct", url = url),
        HttpProxy::Upstream { upstream, listen } => match listen {
            Some(l) => t!("check.http_privoxy", listen = l, upstream = upstream),
            None => t!("check.http_privoxy_pool", upstream = upstream),
        },
    }
}

/// The summary `config-check` prints for a valid configuration. Never includes `env:` values
/// or default arguments (they may hold secrets).
pub fn render_summary(config: &Config) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", t!("check.title", path = config.path.display()));

    let _ = writeln!(out, "\n{}", t!("check.vms", n = config.vms.len()));
    if config.vms.is_empty() {
        let _ = writeln!(out, "  {}", t!("check.none"));
    }
    for (i, vm) in config.vms.values().enumerate() {
        let _ = writeln!(
            out,
            "  {}",
            t!(
                "check.vm",
                name = vm.name,
                cpus = crate::count!("count.cpu", vm.cpu as usize),
                ram = vm.ram,
                disk = vm.disk,
                default = if i == 0 {
                    format!(" {}", t!("check.default"))
                } else {
                    String::new()
                }
            )
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
            let _ = writeln!(out, "    {}", t!("check.install", list = items.join(", ")));
        }
        for rule in &vm.port_forwarding {
            let line = match rule.kind {
                ForwardKind::Local => t!(
                    "check.forward_local",
                    host = rule.host_addr.as_deref().unwrap_or("?"),
                    vm = rule.vm_addr
                ),
                ForwardKind::Remote => t!(
                    "check.forward_remote",
                    vm = rule.vm_addr,
                    host = rule.host_addr.as_deref().unwrap_or("?")
                ),
                ForwardKind::Socks5 => t!("check.forward_socks5", vm = rule.vm_addr),
            };
            let _ = writeln!(out, "    {line}");
        }
        if let Some(p) = &vm.proxychains {
            let _ = writeln!(out, "    proxychains: {p}");
        }
        if let Some(p) = &vm.http_proxy {
            let _ = writeln!(
                out,
                "    {}",
                t!("check.http_proxy", proxy = http_proxy_text(p))
            );
        }
        if let Some(list) = &vm.allowed_agents {
            let _ = writeln!(out, "    {}", t!("check.allowed", list = list.join(", ")));
        }
        if vm.cloud_init.is_some() {
            let _ = writeln!(out, "    {}", t!("check.cloud_init"));
        }
    }

    let _ = writeln!(out, "\n{}", t!("check.mounts", n = config.mounts.len()));
    if config.mounts.is_empty() {
        let _ = writeln!(out, "  {}", t!("check.none"));
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
            "    {}",
            t!(
                "check.backups",
                path = m.backup.display(),
                interval = m.interval,
                keep = m.max_backups,
                method = m.backup_clean_method.as_str(),
                first = if m.first_backup {
                    String::new()
                } else {
                    format!(", {}", t!("check.no_first_backup"))
                }
            )
        );
        if let Some(list) = &m.allowed_agents {
            let _ = writeln!(out, "    {}", t!("check.allowed", list = list.join(", ")));
        }
    }

    let _ = writeln!(out, "\n{}", t!("check.agents", n = config.agents.len()));
    if config.agents.is_empty() {
        let _ = writeln!(out, "  {}", t!("check.none"));
    }
    for a in config.agents.values() {
        let vms = if a.vms.is_empty() {
            t!("check.all_vms")
        } else {
            a.vms.join(", ")
        };
        let version = a
            .version
            .as_deref()
            .map(|v| format!(", {}", t!("check.version", version = v)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}",
            t!(
                "check.agent",
                name = a.name,
                kind = a.agent_type.as_str(),
                version = version,
                vms = vms
            )
        );
        if !a.env.is_empty() {
            let names: Vec<&str> = a.env.keys().map(String::as_str).collect();
            let _ = writeln!(out, "    {}", t!("check.env", names = names.join(", ")));
        }
        if !a.default_args.is_empty() {
            let _ = writeln!(
                out,
                "    {}",
                t!(
                    "check.default_args",
                    count = crate::count!("count.argument", a.default_args.len())
                )
            );
        }
        match &a.proxychains {
            None => {}
            Some(None) => {
                let _ = writeln!(out, "    {}", t!("check.agent_proxychains_off"));
            }
            Some(Some(p)) => {
                let _ = writeln!(out, "    {}", t!("check.agent_proxychains", proxy = p));
            }
        }
        match &a.http_proxy {
            None => {}
            Some(None) => {
                let _ = writeln!(out, "    {}", t!("check.agent_http_off"));
            }
            Some(Some(p)) => {
                let _ = writeln!(
                    out,
                    "    {}",
                    t!("check.agent_http", proxy = http_proxy_text(p))
                );
            }
        }
    }

    let _ = writeln!(
        out,
        "\n{}",
        t!(
            "check.valid",
            vms = crate::count!("count.vm", config.vms.len()),
            mounts = crate::count!("count.mount", config.mounts.len()),
            agents = crate::count!("count.agent", config.agents.len())
        )
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_shows_settings_but_never_secrets() {
        let yaml = "vms:\n  a: {cpu: 1, ram: 1G, disk: 1G, proxychains: \"socks5://h:1\", http_proxy: {url: \"http://p:3128\"}, cloud-init: {packages: [git]}}\n  b: {cpu: 4, ram: 8G, disk: 50G}\nmounts:\n  - {source: /w/app, vm: b, interval: 2, max_backups: 9, backup_clean_method: tail, first_backup: false, allowed_agents: [c]}\nagents:\n  c: {type: claude, version: 1.2.3, vms: [b], env: {TOKEN: summary-secret-1}, default-args: [--key=summary-secret-2], proxychains: \"\", http_proxy: \"socks5://u:2\"}\n";
        let config = config::load_from_str(
            yaml,
            std::path::Path::new("/c.yaml"),
            crate::backend::minimums,
        )
        .expect("valid config");
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
