//! `agsekit config-gen [--config PATH] [--overwrite]`: builds a config by asking questions in
//! a terminal, in the 1.7.4 order (VMs, agents, mounts, global settings, destination). Every
//! answer is checked on the spot with the loader's rules and asked again when wrong; the file
//! written is commented and validated before it is written.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use super::mounts::DEFAULT_BACKUPIGNORE;
use super::prompt::{self, Prompter};
use super::GlobalArgs;
use crate::config::generate::{render, GenAgent, GenConfig, GenGlobal, GenMount, GenVm};
use crate::config::{self, example, mountable, rules, AgentType};
use crate::error::UserError;

/// Every user-facing text of config-gen, in one place for translation.
mod msg {
    use std::path::Path;

    use crate::error::UserError;

    pub const INTRO: &str = "agsekit config-gen builds a config by asking questions.\nPress Enter to take the value in [brackets]; Ctrl-C stops without writing anything.";
    pub const VMS: &str = "\n== Virtual machines (the first one is the default VM)";
    pub const VM_NAME: &str = "VM name";
    pub const VM_CPU: &str = "Virtual CPUs";
    pub const VM_RAM: &str = "Memory (like 4G or 4096M)";
    pub const VM_DISK: &str = "Disk size (like 20G)";
    pub const VM_BUNDLES: &str = "Bundles to install, comma-separated (pyenv, nvm, python[:version], nodejs[:version], rust, golang, docker; empty for none)";
    pub const VM_PROXY: &str = "Send this VM's agent traffic through a proxy?";
    pub const VM_PROXYCHAINS: &str =
        "proxychains URL, like socks5://127.0.0.1:8181 (empty for none)";
    pub const VM_HTTP_PROXY: &str =
        "HTTP proxy upstream for a VM-local privoxy, like socks5://127.0.0.1:8181 (empty for none)";
    pub const VM_MORE: &str = "Add another VM?";
    pub const AGENTS: &str = "\n== Agents";
    pub const AGENT_ADD: &str = "Add an agent?";
    pub const AGENT_TYPE: &str = "Agent type:";
    pub const AGENT_NAME: &str = "Agent name (used as `agsekit run NAME`)";
    pub const AGENT_VERSION: &str =
        "Version (empty for the latest, `stable` for the tested one, or like 1.2.3)";
    pub const AGENT_VMS: &str = "VMs for this agent, comma-separated (empty for all)";
    pub const AGENT_MORE: &str = "Add another agent?";
    pub const MOUNTS: &str = "\n== Shared folders (mounts)";
    pub const MOUNT_ADD: &str = "Share a host folder with a VM now?";
    pub const MOUNT_SOURCE: &str = "Host folder to share";
    pub const MOUNT_TARGET: &str = "Folder inside the VM";
    pub const MOUNT_BACKUP: &str = "Snapshot folder on the host";
    pub const MOUNT_VM: &str = "VM for this folder:";
    pub const MOUNT_INTERVAL: &str = "Minutes between snapshots";
    pub const MOUNT_AGENTS: &str =
        "Agents allowed in this folder, comma-separated names or types (empty for no restriction)";
    pub const MOUNT_IGNORE: &str =
        "Write a default .backupignore into the folder (venv/, node_modules/, caches)?";
    pub const MOUNT_MORE: &str = "Share another folder?";
    pub const GLOBAL: &str = "\n== Global settings";
    pub const GLOBAL_ADD: &str =
        "Change global settings (SSH key folder, update checks, proxy port pool)?";
    pub const GLOBAL_SSH: &str = "Folder for the tool's SSH keys";
    pub const GLOBAL_PF: &str = "Seconds between port-forwarding config checks";
    pub const GLOBAL_CHECK: &str = "Check for new agsekit versions?";
    pub const GLOBAL_POOL_START: &str = "First port of the HTTP proxy pool";
    pub const GLOBAL_POOL_END: &str = "Last port of the HTTP proxy pool";
    pub const DESTINATION: &str = "Save the config to";
    pub const NEEDS_TTY: &str = "config-gen asks questions and needs a terminal (stdin and stderr), and --non-interactive was given or there is none";
    pub const HINT_EXAMPLE: &str =
        "`agsekit config-example [PATH]` writes a commented example config to edit instead";

    pub fn exists(path: &Path) -> String {
        format!(
            "{} already exists; config-gen never replaces a file without --overwrite",
            path.display()
        )
    }
    pub fn choose_other(path: &Path) -> String {
        format!(
            "{} already exists; give another path (or run config-gen again with --overwrite)",
            path.display()
        )
    }
    pub fn wrote(path: &Path) -> String {
        format!(
            "Wrote {}.\nNext: `agsekit config-check` to review it, then `agsekit create-vms`.",
            path.display()
        )
    }
    pub fn replaced(backup: &Path) -> String {
        format!("The previous file is saved as {}.", backup.display())
    }
    pub fn mount_warning(reason: &str, fix: &str) -> String {
        format!("warning: {reason}; {fix}. Keep this folder anyway?")
    }
    pub const EMPTY_FOLDER: &str = "type a folder, like ~/projects/app";
    pub const TARGET_RELATIVE: &str = "write an absolute path, like /home/ubuntu/project";
    pub const HINT_OVERWRITE: &str =
        "pass --overwrite to replace it, or choose another --config PATH";
    pub const HINT_AGAIN: &str = "run config-gen again";

    // Reasons an answer is asked again.
    pub fn whole_number(max: u64) -> String {
        format!("type a whole number from 1 to {max}")
    }
    pub fn below_minimum(size: &str, min: u64) -> String {
        format!(
            "{size} is below the Multipass minimum of {}",
            crate::config::rules::format_size(min)
        )
    }
    pub fn name_taken(name: &str) -> String {
        format!("{name:?} is already used; choose another name")
    }
    pub fn no_such_vm(name: &str, vms: &[String]) -> String {
        format!("no VM named {name:?}; the VMs are {}", vms.join(", "))
    }
    pub fn cannot_share(p: &Path) -> String {
        format!("{} cannot be shared; choose a project folder", p.display())
    }
    pub fn already_shared(p: &Path) -> String {
        format!("{} is already shared", p.display())
    }
    pub fn target_taken(p: &Path, vm: &str) -> String {
        format!("{} is already used in VM {vm:?}", p.display())
    }
    pub fn backup_inside(p: &Path) -> String {
        format!(
            "{} is inside the shared folder; snapshots would copy themselves",
            p.display()
        )
    }
    pub fn backup_taken(p: &Path) -> String {
        format!("{} is already used by another folder", p.display())
    }
    pub fn unknown_agent(name: &str) -> String {
        format!("{name:?} is neither one of the agents above nor an agent type")
    }
    pub fn pool_end(start: u16) -> String {
        format!("the last port must be at least {start}")
    }
    pub fn dest_is_folder(p: &Path) -> String {
        format!("{} is a folder; give a file path", p.display())
    }

    // After the questions.
    pub fn generated_invalid(detail: &str) -> UserError {
        UserError::failed(format!(
            "the generated config does not validate, so nothing was written: {detail}"
        ))
        .hint("please report this; `agsekit config-example` writes an example to edit meanwhile")
    }
    pub fn cannot_write(p: &Path, e: &std::io::Error) -> UserError {
        UserError::failed(format!("cannot write {}: {e}", p.display()))
            .hint(format!("check the permissions of {}", p.display()))
    }
    pub fn no_folder_for_backupignore(folder: &Path) -> String {
        format!(
            "agsekit: warning: {} does not exist yet, so no .backupignore was written",
            folder.display()
        )
    }
    pub fn wrote_backupignore(p: &Path) -> String {
        format!("Wrote a default {}", p.display())
    }
    pub fn kept_backupignore(p: &Path) -> String {
        format!("{} already exists; left unchanged", p.display())
    }
    pub fn backupignore_failed(p: &Path, e: &std::io::Error) -> String {
        format!("agsekit: warning: cannot write {}: {e}", p.display())
    }
}

#[derive(Debug, Clone, Args)]
pub struct ConfigGenArgs {
    /// Replace an existing file at the destination (a backup copy is kept next to it)
    #[arg(long)]
    pub overwrite: bool,
}

fn positive(text: &str, max: u64) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(msg::whole_number(max)),
    }
}

fn size(text: &str, min: u64) -> Result<String, String> {
    let bytes = rules::parse_size(text)?;
    if bytes < min {
        return Err(msg::below_minimum(text.trim(), min));
    }
    Ok(text.trim().to_string())
}

fn comma_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}

/// The wizard's questions; returns the answers and the `.backupignore` files to write.
pub(crate) fn ask<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
) -> Result<(GenConfig, Vec<PathBuf>), UserError> {
    let mut config = GenConfig::default();
    let mut backupignores = Vec::new();
    p.say(msg::INTRO);

    p.say(msg::VMS);
    loop {
        let taken: Vec<String> = config.vms.iter().map(|v| v.name.clone()).collect();
        let default = if taken.is_empty() {
            "agent-ubuntu".to_string()
        } else {
            (2..)
                .map(|n| format!("agent-ubuntu-{n}"))
                .find(|n| !taken.contains(n))
                .unwrap_or_default()
        };
        let name = p.valid(msg::VM_NAME, Some(&default), |a| {
            rules::check_vm_name(a)?;
            if taken.iter().any(|t| t == a) {
                return Err(msg::name_taken(a));
            }
            Ok(a.to_string())
        })?;
        let cpu = p.valid(msg::VM_CPU, Some("2"), |a| positive(a, 1024))? as u32;
        let ram = p.valid(msg::VM_RAM, Some("4G"), |a| size(a, rules::MIN_RAM_BYTES))?;
        let disk = p.valid(msg::VM_DISK, Some("20G"), |a| {
            size(a, rules::MIN_DISK_BYTES)
        })?;
        let install = p.valid(msg::VM_BUNDLES, None, |a| {
            let items = comma_list(a);
            for item in &items {
                rules::parse_bundle(item)?;
            }
            Ok(items)
        })?;
        let (proxychains, http_proxy) = if p.confirm(msg::VM_PROXY, false)? {
            let url = |a: &str| {
                if a.trim().is_empty() {
                    Ok(None)
                } else {
                    rules::parse_proxy_url(a, &rules::PROXY_SCHEMES).map(Some)
                }
            };
            (
                p.valid(msg::VM_PROXYCHAINS, None, url)?,
                p.valid(msg::VM_HTTP_PROXY, None, url)?,
            )
        } else {
            (None, None)
        };
        config.vms.push(GenVm {
            name,
            cpu,
            ram,
            disk,
            install,
            proxychains,
            http_proxy,
        });
        if !p.confirm(msg::VM_MORE, false)? {
            break;
        }
    }
    let vm_names: Vec<String> = config.vms.iter().map(|v| v.name.clone()).collect();

    p.say(msg::AGENTS);
    let types: Vec<String> = AgentType::ALL
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    let mut more = p.confirm(msg::AGENT_ADD, true)?;
    while more {
        let agent_type = AgentType::ALL[p.choose(msg::AGENT_TYPE, &types, None)?];
        let taken: Vec<String> = config.agents.iter().map(|a| a.name.clone()).collect();
        let default = match agent_type {
            AgentType::CodexGlibc | AgentType::CodexGlibcPrebuilt => "codex",
            other => other.binary(),
        };
        let default = if taken.iter().any(|t| t == default) {
            format!("{default}-2")
        } else {
            default.to_string()
        };
        let name = p.valid(msg::AGENT_NAME, Some(&default), |a| {
            rules::check_agent_name(a)?;
            if taken.iter().any(|t| t == a) {
                return Err(msg::name_taken(a));
            }
            Ok(a.to_string())
        })?;
        let version = p.valid(msg::AGENT_VERSION, None, |a| {
            if a.trim().is_empty() {
                Ok(None)
            } else {
                rules::parse_version(a).map(Some)
            }
        })?;
        let vms = if vm_names.len() > 1 {
            p.valid(msg::AGENT_VMS, None, |a| {
                let items = comma_list(a);
                match items.iter().find(|i| !vm_names.contains(i)) {
                    Some(bad) => Err(msg::no_such_vm(bad, &vm_names)),
                    None => Ok(items),
                }
            })?
        } else {
            Vec::new()
        };
        config.agents.push(GenAgent {
            name,
            agent_type,
            version,
            vms,
        });
        more = p.confirm(msg::AGENT_MORE, false)?;
    }
    let agent_names: Vec<String> = config.agents.iter().map(|a| a.name.clone()).collect();

    p.say(msg::MOUNTS);
    let mut more = p.confirm(msg::MOUNT_ADD, false)?;
    while more {
        let source = loop {
            let source = p.valid(msg::MOUNT_SOURCE, None, |a| {
                if a.trim().is_empty() {
                    return Err(msg::EMPTY_FOLDER.to_string());
                }
                let path = config::normalize_path(Path::new(a.trim()));
                if path.file_name().is_none() {
                    return Err(msg::cannot_share(&path));
                }
                if config.mounts.iter().any(|m| m.source == path) {
                    return Err(msg::already_shared(&path));
                }
                Ok(path)
            })?;
            match mountable::source_problem(&source, cfg!(target_os = "linux")) {
                None => break source,
                Some(problem) => {
                    if p.confirm(&msg::mount_warning(&problem.reason, &problem.fix), false)? {
                        break source;
                    }
                }
            }
        };
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let default_target = format!("/home/ubuntu/{name}");
        let vm = if vm_names.len() > 1 {
            vm_names[p.choose(msg::MOUNT_VM, &vm_names, Some(0))?].clone()
        } else {
            vm_names.first().cloned().unwrap_or_default()
        };
        let target = p.valid(msg::MOUNT_TARGET, Some(&default_target), |a| {
            let t = a.trim();
            let expanded = match t.strip_prefix("~/") {
                Some(rest) => Path::new("/home/ubuntu").join(rest),
                None if t == "~" => PathBuf::from("/home/ubuntu"),
                None => PathBuf::from(t),
            };
            if !expanded.is_absolute() {
                return Err(msg::TARGET_RELATIVE.to_string());
            }
            let clean = rules::lexical_clean(&expanded);
            if let Some(problem) = mountable::target_problem(&clean) {
                return Err(format!("{}; {}", problem.reason, problem.fix));
            }
            if config
                .mounts
                .iter()
                .any(|m| m.vm == vm && m.target == clean)
            {
                return Err(msg::target_taken(&clean, &vm));
            }
            Ok(clean)
        })?;
        let default_backup = source
            .parent()
            .unwrap_or(Path::new("/"))
            .join(format!("backups-{name}"));
        let backup = p.valid(
            msg::MOUNT_BACKUP,
            Some(&default_backup.to_string_lossy()),
            |a| {
                let b = config::normalize_path(Path::new(a.trim()));
                if b.starts_with(&source) {
                    return Err(msg::backup_inside(&b));
                }
                if config.mounts.iter().any(|m| m.backup == b) {
                    return Err(msg::backup_taken(&b));
                }
                Ok(b)
            },
        )?;
        let interval = p.valid(msg::MOUNT_INTERVAL, Some("5"), |a| positive(a, 1_000_000))? as u32;
        let allowed = p.valid(msg::MOUNT_AGENTS, None, |a| {
            let items = comma_list(a);
            if let Some(bad) = items
                .iter()
                .find(|i| !agent_names.contains(i) && AgentType::parse(i).is_none())
            {
                return Err(msg::unknown_agent(bad));
            }
            Ok((!items.is_empty()).then_some(items))
        })?;
        if p.confirm(msg::MOUNT_IGNORE, true)? {
            backupignores.push(source.join(".backupignore"));
        }
        config.mounts.push(GenMount {
            source,
            target,
            backup,
            vm,
            interval,
            allowed_agents: allowed,
        });
        more = p.confirm(msg::MOUNT_MORE, false)?;
    }

    p.say(msg::GLOBAL);
    if p.confirm(msg::GLOBAL_ADD, false)? {
        let default_ssh = config::home_dir().join(".config/agsekit/ssh");
        let ssh = p.valid(msg::GLOBAL_SSH, Some(&default_ssh.to_string_lossy()), |a| {
            Ok::<_, String>(config::normalize_path(Path::new(a.trim())))
        })?;
        let pf = p.valid(msg::GLOBAL_PF, Some("10"), |a| positive(a, u32::MAX as u64))?;
        let check = p.confirm(msg::GLOBAL_CHECK, true)?;
        let start = p.valid(msg::GLOBAL_POOL_START, Some("48000"), |a| {
            positive(a, 65535)
        })? as u16;
        let end = p.valid(msg::GLOBAL_POOL_END, Some("49000"), |a| {
            let end = positive(a, 65535)?;
            if end < start as u64 {
                return Err(msg::pool_end(start));
            }
            Ok(end)
        })? as u16;
        config.global = GenGlobal {
            ssh_keys_folder: (ssh != default_ssh).then_some(ssh),
            portforward_config_check_interval_sec: (pf != 10).then_some(pf),
            check_new_version: (!check).then_some(false),
            http_proxy_port_pool: ((start, end) != (48000, 49000)).then_some((start, end)),
        };
    }
    Ok((config, backupignores))
}

pub fn run(args: &ConfigGenArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    if !prompt::can_prompt(global.non_interactive) {
        return Err(UserError::usage(msg::NEEDS_TTY)
            .hint(msg::HINT_EXAMPLE)
            .into());
    }
    let explicit = global.config.is_some();
    let default_dest = config::resolve_path(global.config.as_deref());
    if explicit && default_dest.exists() && !args.overwrite {
        return Err(UserError::failed(msg::exists(&default_dest))
            .hint(msg::HINT_OVERWRITE)
            .into());
    }
    let mut p = Prompter::terminal();
    let (answers, backupignores) = ask(&mut p)?;
    let dest = p.valid(
        msg::DESTINATION,
        Some(&default_dest.to_string_lossy()),
        |a| {
            let path = config::normalize_path(Path::new(a.trim()));
            if path.is_dir() {
                return Err(msg::dest_is_folder(&path));
            }
            if path.exists() && !args.overwrite {
                return Err(msg::choose_other(&path));
            }
            Ok(path)
        },
    )?;

    let stamp = crate::config::write::local_timestamp();
    let pretty = match (
        stamp.get(0..4),
        stamp.get(4..6),
        stamp.get(6..8),
        stamp.get(9..11),
        stamp.get(11..13),
    ) {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi)) => format!("{y}-{mo}-{d} {h}:{mi}"),
        _ => stamp.clone(),
    };
    let text = render(&answers, &pretty);
    if let Err(invalid) = config::load_from_str(&text, &dest) {
        // A bug in the wizard, not the user's doing: write nothing.
        return Err(msg::generated_invalid(&invalid.to_string()).into());
    }
    if dest.exists() {
        let old = config::read_text(&dest, "the destination")?;
        let backup = config::write::replace_with_backup(&dest, &old, &text)?;
        println!("{}", msg::wrote(&dest));
        println!("{}", msg::replaced(&backup));
    } else {
        match example::write_new(&dest, text.as_bytes()) {
            Ok(example::Outcome::Written(_)) => println!("{}", msg::wrote(&dest)),
            Ok(example::Outcome::Exists(p)) => {
                return Err(UserError::failed(msg::exists(&p))
                    .hint(msg::HINT_AGAIN)
                    .into())
            }
            Err(e) => return Err(msg::cannot_write(&dest, &e).into()),
        }
    }
    for file in backupignores {
        let Some(folder) = file.parent() else {
            continue;
        };
        if !folder.is_dir() {
            eprintln!("{}", msg::no_folder_for_backupignore(folder));
            continue;
        }
        match example::write_new(&file, DEFAULT_BACKUPIGNORE.as_bytes()) {
            Ok(example::Outcome::Written(p)) => println!("{}", msg::wrote_backupignore(&p)),
            Ok(example::Outcome::Exists(p)) => {
                println!("{}", msg::kept_backupignore(&p))
            }
            Err(e) => eprintln!("{}", msg::backupignore_failed(&file, &e)),
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wizard_checks_each_answer_and_asks_again() {
        let answers = [
            "1bad",  // VM name refused
            "",      // agent-ubuntu
            "0",     // cpu refused
            "4",     // cpu
            "64M",   // below minimum
            "8G",    // ram
            "",      // disk 20G
            "pythn", // unknown bundle
            "python, nodejs:20",
            "y",                       // a proxy
            "ftp://h:1",               // refused scheme
            "socks5://127.0.0.1:8181", // proxychains
            "",                        // no http proxy
            "y",                       // another VM
            "agent-ubuntu",            // name taken
            "",                        // agent-ubuntu-2
            "1",
            "1G",
            "10G",
            "",
            "",    // no proxy
            "n",   // no more VMs
            "",    // add an agent: yes
            "11",  // out of range
            "6",   // codex-glibc
            "",    // name: codex
            "1.2", // bad version
            "stable",
            "agent-ubuntu-3", // no such VM
            "agent-ubuntu-2",
            "n", // no more agents
            "y", // add a mount
            "/home/me/app",
            "2",               // VM agent-ubuntu-2
            "",                // target default
            "/home/me/app/bk", // inside the folder
            "",                // backup default
            "",                // interval 5
            "nobody",          // unknown agent
            "codex, claude",
            "n", // no .backupignore
            "n", // no more mounts
            "y", // change globals
            "",  // ssh default
            "30",
            "n", // no version checks
            "",
            "100", // below start
            "48100",
        ];
        let input = answers.join("\n") + "\n";
        let mut out = Vec::new();
        let mut p = Prompter::new(input.as_bytes(), &mut out);
        let (config, ignores) = ask(&mut p).expect("answers");
        let shown = String::from_utf8(out).expect("utf8");
        for refusal in [
            "is not a valid VM name",
            "type a whole number from 1 to 1024",
            "below the Multipass minimum",
            "unknown bundle \"pythn\"",
            "\"agent-ubuntu\" is already used",
            "type a number from 1 to 10",
            "is not a version",
            "no VM named \"agent-ubuntu-3\"",
            "inside the shared folder",
            "\"nobody\" is neither",
            "the last port must be at least 48000",
        ] {
            assert!(shown.contains(refusal), "missing {refusal:?} in:\n{shown}");
        }
        assert!(ignores.is_empty());
        assert_eq!(config.vms.len(), 2);
        assert_eq!(config.vms[0].name, "agent-ubuntu");
        assert_eq!((config.vms[0].cpu, config.vms[0].ram.as_str()), (4, "8G"));
        assert_eq!(config.vms[0].install, ["python", "nodejs:20"]);
        assert_eq!(
            config.vms[0].proxychains.as_deref(),
            Some("socks5://127.0.0.1:8181")
        );
        assert_eq!(config.vms[0].http_proxy, None);
        assert_eq!(config.vms[1].proxychains, None);
        assert_eq!(config.vms[1].name, "agent-ubuntu-2");
        assert_eq!(config.agents[0].agent_type, AgentType::CodexGlibc);
        assert_eq!(config.agents[0].name, "codex");
        assert_eq!(config.agents[0].version.as_deref(), Some("stable"));
        assert_eq!(config.agents[0].vms, ["agent-ubuntu-2"]);
        let m = &config.mounts[0];
        assert_eq!(m.vm, "agent-ubuntu-2");
        assert_eq!(m.target, Path::new("/home/ubuntu/app"));
        assert_eq!(m.backup, Path::new("/home/me/backups-app"));
        assert_eq!(m.interval, 5);
        assert_eq!(
            m.allowed_agents.as_deref(),
            Some(&["codex".to_string(), "claude".to_string()][..])
        );
        assert_eq!(
            config.global.portforward_config_check_interval_sec,
            Some(30)
        );
        assert_eq!(config.global.check_new_version, Some(false));
        assert_eq!(config.global.http_proxy_port_pool, Some((48000, 48100)));
        assert_eq!(config.global.ssh_keys_folder, None);
        let text = render(&config, "t");
        let loaded = config::load_from_str(&text, Path::new("/c.yaml"))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(loaded.mounts[0].vm, "agent-ubuntu-2");
    }
}
