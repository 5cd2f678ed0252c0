//! `agsekit config-gen [--config PATH] [--overwrite]`: builds a config by asking questions in
//! a terminal, in the 1.7.4 order (VMs, agents, mounts, global settings, destination). Every
//! answer is checked on the spot with the loader's rules and asked again when wrong; the file
//! written is commented and validated before it is written.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use super::args::ConfigGenArgs;
use super::mounts::DEFAULT_BACKUPIGNORE;
use super::GlobalArgs;
use crate::config::generate::{render, GenAgent, GenConfig, GenGlobal, GenMount, GenVm};
use crate::config::{self, example, layout, mountable, rules, AgentType};
use crate::error::UserError;
use crate::ui::prompt::{self, Prompter};

/// Every user-facing text of config-gen, from the message catalogues (`src/i18n/`).
mod msg {
    use std::path::Path;

    use crate::error::UserError;
    use crate::t;

    pub fn intro() -> String {
        t!("config_gen.intro")
    }
    pub fn vms() -> String {
        t!("config_gen.vms")
    }
    pub fn vm_name() -> String {
        t!("config_gen.vm_name")
    }
    pub fn vm_cpu() -> String {
        t!("config_gen.vm_cpu")
    }
    pub fn vm_ram() -> String {
        t!("config_gen.vm_ram")
    }
    pub fn vm_disk() -> String {
        t!("config_gen.vm_disk")
    }
    pub fn vm_bundles() -> String {
        t!("config_gen.vm_bundles")
    }
    pub fn vm_proxy() -> String {
        t!("config_gen.vm_proxy")
    }
    pub fn vm_proxychains() -> String {
        t!("config_gen.vm_proxychains")
    }
    pub fn vm_http_proxy() -> String {
        t!("config_gen.vm_http_proxy")
    }
    pub fn vm_more() -> String {
        t!("config_gen.vm_more")
    }
    pub fn agents() -> String {
        t!("config_gen.agents")
    }
    pub fn agent_add() -> String {
        t!("config_gen.agent_add")
    }
    pub fn agent_type() -> String {
        t!("config_gen.agent_type")
    }
    pub fn agent_name() -> String {
        t!("config_gen.agent_name")
    }
    pub fn agent_version() -> String {
        t!("config_gen.agent_version")
    }
    pub fn agent_vms() -> String {
        t!("config_gen.agent_vms")
    }
    pub fn agent_more() -> String {
        t!("config_gen.agent_more")
    }
    pub fn mounts() -> String {
        t!("config_gen.mounts")
    }
    pub fn mount_add() -> String {
        t!("config_gen.mount_add")
    }
    pub fn mount_source() -> String {
        t!("config_gen.mount_source")
    }
    pub fn mount_target() -> String {
        t!("config_gen.mount_target")
    }
    pub fn mount_backup() -> String {
        t!("config_gen.mount_backup")
    }
    pub fn mount_vm() -> String {
        t!("config_gen.mount_vm")
    }
    pub fn mount_interval() -> String {
        t!("config_gen.mount_interval")
    }
    pub fn mount_agents() -> String {
        t!("config_gen.mount_agents")
    }
    pub fn mount_ignore() -> String {
        t!("config_gen.mount_ignore")
    }
    pub fn mount_more() -> String {
        t!("config_gen.mount_more")
    }
    pub fn global() -> String {
        t!("config_gen.global")
    }
    pub fn global_add() -> String {
        t!("config_gen.global_add")
    }
    pub fn global_ssh() -> String {
        t!("config_gen.global_ssh")
    }
    pub fn global_pf() -> String {
        t!("config_gen.global_pf")
    }
    pub fn global_check() -> String {
        t!("config_gen.global_check")
    }
    pub fn global_pool_start() -> String {
        t!("config_gen.global_pool_start")
    }
    pub fn global_pool_end() -> String {
        t!("config_gen.global_pool_end")
    }
    pub fn destination() -> String {
        t!("config_gen.destination")
    }
    pub fn needs_tty() -> String {
        t!("config_gen.needs_tty")
    }
    pub fn hint_example() -> String {
        t!("config_gen.hint_example")
    }
    pub fn empty_folder() -> String {
        t!("config_gen.empty_folder")
    }
    pub fn target_relative() -> String {
        t!("config_gen.target_relative")
    }
    pub fn hint_overwrite() -> String {
        t!("config_gen.hint_overwrite")
    }
    pub fn hint_again() -> String {
        t!("config_gen.hint_again")
    }

    pub fn exists(path: &Path) -> String {
        t!("config_gen.exists", path = path.display())
    }
    pub fn choose_other(path: &Path) -> String {
        t!("config_gen.choose_other", path = path.display())
    }
    pub fn wrote(path: &Path) -> String {
        t!("config_gen.wrote", path = path.display())
    }
    pub fn replaced(backup: &Path) -> String {
        t!("config_gen.replaced", path = backup.display())
    }
    pub fn mount_warning(reason: &str, fix: &str) -> String {
        t!("config_gen.mount_warning", reason = reason, fix = fix)
    }

    // Reasons an answer is asked again.
    pub fn whole_number(max: u64) -> String {
        t!("config_gen.whole_number", max = max)
    }
    pub fn below_minimum(size: &str, min: u64) -> String {
        t!(
            "config_gen.below_minimum",
            size = size,
            min = crate::config::rules::format_size(min)
        )
    }
    pub fn name_taken(name: &str) -> String {
        t!("config_gen.name_taken", name = format!("{name:?}"))
    }
    pub fn no_such_vm(name: &str, vms: &[String]) -> String {
        t!(
            "config_gen.no_such_vm",
            name = format!("{name:?}"),
            vms = vms.join(", ")
        )
    }
    pub fn cannot_share(p: &Path) -> String {
        t!("config_gen.cannot_share", path = p.display())
    }
    pub fn already_shared(p: &Path) -> String {
        t!("config_gen.already_shared", path = p.display())
    }
    pub fn target_taken(p: &Path, vm: &str) -> String {
        t!(
            "config_gen.target_taken",
            path = p.display(),
            vm = format!("{vm:?}")
        )
    }
    pub fn backup_inside(p: &Path) -> String {
        t!("config_gen.backup_inside", path = p.display())
    }
    pub fn backup_taken(p: &Path) -> String {
        t!("config_gen.backup_taken", path = p.display())
    }
    pub fn unknown_agent(name: &str) -> String {
        t!("config_gen.unknown_agent", name = format!("{name:?}"))
    }
    pub fn pool_end(start: u16) -> String {
        t!("config_gen.pool_end", start = start)
    }
    pub fn dest_is_folder(p: &Path) -> String {
        t!("config_gen.dest_is_folder", path = p.display())
    }

    // After the questions.
    pub fn generated_invalid(detail: &str) -> UserError {
        UserError::failed(t!("config_gen.generated_invalid", detail = detail))
            .hint(t!("config_gen.hint_report"))
    }
    pub fn cannot_write(p: &Path, e: &std::io::Error) -> UserError {
        UserError::failed(t!("config_gen.cannot_write", path = p.display(), error = e))
            .hint(t!("config_gen.hint_permissions", path = p.display()))
    }
    pub fn no_folder_for_backupignore(folder: &Path) -> String {
        t!(
            "config_gen.no_folder_for_backupignore",
            path = folder.display()
        )
    }
    pub fn wrote_backupignore(p: &Path) -> String {
        t!("config_gen.wrote_backupignore", path = p.display())
    }
    pub fn kept_backupignore(p: &Path) -> String {
        t!("config_gen.kept_backupignore", path = p.display())
    }
    pub fn backupignore_failed(p: &Path, e: &std::io::Error) -> String {
        t!(
            "config_gen.backupignore_failed",
            path = p.display(),
            error = e
        )
    }
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

/// The size a new VM is offered: [`crate::config::example::vm_size_for`] this host, so that
/// Enter at every question gives a VM that `agsekit up` can create here.
pub(crate) fn host_vm_size() -> (u32, String) {
    match crate::lifecycle::create::host_resources(&crate::process::RealRunner) {
        Some(h) => crate::config::example::vm_size_for(h.cpus, h.memory),
        None => (
            crate::config::example::UNSIZED_CPU,
            crate::config::example::UNSIZED_RAM.to_string(),
        ),
    }
}

/// The wizard's questions; returns the answers and the `.backupignore` files to write.
/// `vm_size` is the `(cpu, ram)` offered for each VM. One function per group of questions.
pub(crate) fn ask<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    vm_size: &(u32, String),
) -> Result<(GenConfig, Vec<PathBuf>), UserError> {
    p.say(&msg::intro());
    let vms = ask_vms(p, vm_size)?;
    let vm_names: Vec<String> = vms.iter().map(|v| v.name.clone()).collect();
    let agents = ask_agents(p, &vm_names)?;
    let agent_names: Vec<String> = agents.iter().map(|a| a.name.clone()).collect();
    let mut backupignores = Vec::new();
    let mounts = ask_mounts(p, &vm_names, &agent_names, &mut backupignores)?;
    let global = ask_global(p)?;
    let config = GenConfig {
        vms,
        agents,
        mounts,
        global,
    };
    Ok((config, backupignores))
}

/// The VMs: name, size, bundles, proxies; at least one.
fn ask_vms<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    vm_size: &(u32, String),
) -> Result<Vec<GenVm>, UserError> {
    let mut vms: Vec<GenVm> = Vec::new();
    p.say(&msg::vms());
    loop {
        let taken: Vec<String> = vms.iter().map(|v| v.name.clone()).collect();
        let default = if taken.is_empty() {
            "agent-ubuntu".to_string()
        } else {
            (2..)
                .map(|n| format!("agent-ubuntu-{n}"))
                .find(|n| !taken.contains(n))
                .unwrap_or_default()
        };
        let name = p.valid(&msg::vm_name(), Some(&default), |a| {
            rules::check_vm_name(a)?;
            if taken.iter().any(|t| t == a) {
                return Err(msg::name_taken(a));
            }
            Ok(a.to_string())
        })?;
        let cpu = p.valid(&msg::vm_cpu(), Some(&vm_size.0.to_string()), |a| {
            positive(a, 1024)
        })? as u32;
        // The generated config names no backend: the default's minimums.
        let least = crate::backend::minimums(crate::config::BackendKind::default());
        let ram = p.valid(&msg::vm_ram(), Some(&vm_size.1), |a| {
            size(a, least.ram_bytes)
        })?;
        let disk = p.valid(&msg::vm_disk(), Some("20G"), |a| size(a, least.disk_bytes))?;
        let install = p.valid(&msg::vm_bundles(), None, |a| {
            let items = comma_list(a);
            for item in &items {
                rules::parse_bundle(item)?;
            }
            Ok(items)
        })?;
        let (proxychains, http_proxy) = if p.confirm(&msg::vm_proxy(), false)? {
            let url = |a: &str| {
                if a.trim().is_empty() {
                    Ok(None)
                } else {
                    rules::parse_proxy_url(a, &rules::PROXY_SCHEMES).map(Some)
                }
            };
            (
                p.valid(&msg::vm_proxychains(), None, url)?,
                p.valid(&msg::vm_http_proxy(), None, url)?,
            )
        } else {
            (None, None)
        };
        vms.push(GenVm {
            name,
            cpu,
            ram,
            disk,
            install,
            proxychains,
            http_proxy,
        });
        if !p.confirm(&msg::vm_more(), false)? {
            break;
        }
    }
    Ok(vms)
}

/// The agents: type, name, version, VMs (when there are several).
fn ask_agents<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    vm_names: &[String],
) -> Result<Vec<GenAgent>, UserError> {
    let mut agents: Vec<GenAgent> = Vec::new();
    p.say(&msg::agents());
    let types: Vec<String> = AgentType::ALL
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    let mut more = p.confirm(&msg::agent_add(), true)?;
    while more {
        let codex = AgentType::ALL.iter().position(|t| *t == AgentType::Codex);
        let agent_type = AgentType::ALL[p.choose(&msg::agent_type(), &types, codex)?];
        let taken: Vec<String> = agents.iter().map(|a| a.name.clone()).collect();
        let default = match agent_type {
            AgentType::CodexGlibc | AgentType::CodexGlibcPrebuilt => "codex",
            other => other.binary(),
        };
        let default = if taken.iter().any(|t| t == default) {
            format!("{default}-2")
        } else {
            default.to_string()
        };
        let name = p.valid(&msg::agent_name(), Some(&default), |a| {
            rules::check_agent_name(a)?;
            if taken.iter().any(|t| t == a) {
                return Err(msg::name_taken(a));
            }
            Ok(a.to_string())
        })?;
        let version = p.valid(&msg::agent_version(), None, |a| {
            if a.trim().is_empty() {
                Ok(None)
            } else {
                rules::parse_version(a).map(Some)
            }
        })?;
        let vms = if vm_names.len() > 1 {
            p.valid(&msg::agent_vms(), None, |a| {
                let items = comma_list(a);
                match items.iter().find(|i| !vm_names.contains(i)) {
                    Some(bad) => Err(msg::no_such_vm(bad, vm_names)),
                    None => Ok(items),
                }
            })?
        } else {
            Vec::new()
        };
        agents.push(GenAgent {
            name,
            agent_type,
            version,
            vms,
        });
        more = p.confirm(&msg::agent_more(), false)?;
    }
    Ok(agents)
}

/// The mounts: source, VM, target, backup folder, interval, agents, `.backupignore`.
fn ask_mounts<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    vm_names: &[String],
    agent_names: &[String],
    backupignores: &mut Vec<PathBuf>,
) -> Result<Vec<GenMount>, UserError> {
    let mut mounts: Vec<GenMount> = Vec::new();
    p.say(&msg::mounts());
    let guard = layout::Guarded::defaults();
    let mut more = p.confirm(&msg::mount_add(), false)?;
    while more {
        let source = loop {
            let source = p.valid(&msg::mount_source(), None, |a| {
                if a.trim().is_empty() {
                    return Err(msg::empty_folder());
                }
                let path = config::normalize_path(Path::new(a.trim()));
                if path.file_name().is_none() {
                    return Err(msg::cannot_share(&path));
                }
                if mounts.iter().any(|m| m.source == path) {
                    return Err(msg::already_shared(&path));
                }
                if let Some(why) = layout::source_refusal(&path, &guard) {
                    return Err(format!("{why}; {}", layout::source_fix()));
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
        let default_target = format!("{}/{name}", crate::vm::GUEST_HOME);
        let vm = if vm_names.len() > 1 {
            vm_names[p.choose(&msg::mount_vm(), vm_names, Some(0))?].clone()
        } else {
            vm_names.first().cloned().unwrap_or_default()
        };
        let target = p.valid(&msg::mount_target(), Some(&default_target), |a| {
            let t = a.trim();
            let expanded = match t.strip_prefix("~/") {
                Some(rest) => Path::new(crate::vm::GUEST_HOME).join(rest),
                None if t == "~" => PathBuf::from(crate::vm::GUEST_HOME),
                None => PathBuf::from(t),
            };
            if !expanded.is_absolute() {
                return Err(msg::target_relative());
            }
            let clean = rules::lexical_clean(&expanded);
            if let Some(problem) = mountable::target_problem(&clean) {
                return Err(format!("{}; {}", problem.reason, problem.fix));
            }
            if mounts.iter().any(|m| m.vm == vm && m.target == clean) {
                return Err(msg::target_taken(&clean, &vm));
            }
            Ok(clean)
        })?;
        let default_backup = source
            .parent()
            .unwrap_or(Path::new("/"))
            .join(format!("backups-{name}"));
        let backup = p.valid(
            &msg::mount_backup(),
            Some(&default_backup.to_string_lossy()),
            |a| {
                let b = config::normalize_path(Path::new(a.trim()));
                if b.starts_with(&source) {
                    return Err(msg::backup_inside(&b));
                }
                if mounts.iter().any(|m| m.backup == b) {
                    return Err(msg::backup_taken(&b));
                }
                // No backup folder may be reachable from a VM, and none may be shared.
                let keys: Vec<String> =
                    (0..=mounts.len()).map(|i| format!("mounts[{i}]")).collect();
                let mut paths: Vec<layout::MountPaths<'_>> = mounts
                    .iter()
                    .zip(&keys)
                    .map(|(m, key)| layout::MountPaths::new(key, &m.source, &m.backup, &m.vm))
                    .collect();
                paths.push(layout::MountPaths::new(
                    &keys[mounts.len()],
                    &source,
                    &b,
                    &vm,
                ));
                let same = (0..paths.len() - 1)
                    .any(|i| layout::same_backup(&paths[i], &paths[paths.len() - 1]));
                if same {
                    return Err(msg::backup_taken(&b));
                }
                if let Some((key, message)) =
                    layout::backup_problems(&paths, &config::default_config_path())
                        .into_iter()
                        .next()
                {
                    return Err(format!("{key}: {message}"));
                }
                Ok(b)
            },
        )?;
        let interval = p.valid(&msg::mount_interval(), Some("5"), |a| {
            positive(a, 1_000_000)
        })? as u32;
        let allowed = p.valid(&msg::mount_agents(), None, |a| {
            let items = comma_list(a);
            if let Some(bad) = items
                .iter()
                .find(|i| !agent_names.contains(i) && AgentType::parse(i).is_none())
            {
                return Err(msg::unknown_agent(bad));
            }
            Ok((!items.is_empty()).then_some(items))
        })?;
        if p.confirm(&msg::mount_ignore(), true)? {
            backupignores.push(source.join(".backupignore"));
        }
        mounts.push(GenMount {
            source,
            target,
            backup,
            vm,
            interval,
            allowed_agents: allowed,
        });
        more = p.confirm(&msg::mount_more(), false)?;
    }
    Ok(mounts)
}

/// The optional global settings (the defaults when the user declines).
fn ask_global<R: BufRead, W: Write>(p: &mut Prompter<R, W>) -> Result<GenGlobal, UserError> {
    p.say(&msg::global());
    if p.confirm(&msg::global_add(), false)? {
        let default_ssh = config::home_dir().join(".config/agsekit/ssh");
        let ssh = p.valid(
            &msg::global_ssh(),
            Some(&default_ssh.to_string_lossy()),
            |a| Ok::<_, String>(config::normalize_path(Path::new(a.trim()))),
        )?;
        let pf = p.valid(&msg::global_pf(), Some("10"), |a| {
            positive(a, u32::MAX as u64)
        })?;
        let check = p.confirm(&msg::global_check(), true)?;
        let start = p.valid(&msg::global_pool_start(), Some("48000"), |a| {
            positive(a, 65535)
        })? as u16;
        let end = p.valid(&msg::global_pool_end(), Some("49000"), |a| {
            let end = positive(a, 65535)?;
            if end < start as u64 {
                return Err(msg::pool_end(start));
            }
            Ok(end)
        })? as u16;
        return Ok(GenGlobal {
            ssh_keys_folder: (ssh != default_ssh).then_some(ssh),
            portforward_config_check_interval_sec: (pf != 10).then_some(pf),
            check_new_version: (!check).then_some(false),
            http_proxy_port_pool: ((start, end) != (48000, 49000)).then_some((start, end)),
        });
    }
    Ok(GenGlobal::default())
}

pub fn run(args: &ConfigGenArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    if !prompt::can_prompt(global.non_interactive) {
        return Err(UserError::usage(msg::needs_tty())
            .hint(msg::hint_example())
            .into());
    }
    let explicit = global.config.is_some();
    let default_dest = config::resolve_path(global.config.as_deref());
    if explicit && default_dest.exists() && !args.overwrite {
        return Err(UserError::failed(msg::exists(&default_dest))
            .hint(msg::hint_overwrite())
            .into());
    }
    let mut p = Prompter::terminal();
    let (answers, backupignores) = ask(&mut p, &host_vm_size())?;
    let dest = p
        .valid(
            &msg::destination(),
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
        )
        .map_err(UserError::from)?;

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
    if let Err(invalid) = config::load_from_str(&text, &dest, crate::backend::minimums) {
        // A bug in the wizard, not the user's doing: write nothing.
        return Err(msg::generated_invalid(&invalid.to_string()).into());
    }
    if dest.exists() {
        let old = config::read_text(&dest, &crate::t!("config.origin_destination"))?;
        let backup = config::write::replace_with_backup(&dest, &old, &text)?;
        println!("{}", msg::wrote(&dest));
        println!("{}", msg::replaced(&backup));
    } else {
        match example::write_new_private(&dest, text.as_bytes()) {
            Ok(example::Outcome::Written(_)) => println!("{}", msg::wrote(&dest)),
            Ok(example::Outcome::Exists(p)) => {
                return Err(UserError::failed(msg::exists(&p))
                    .hint(msg::hint_again())
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
    fn enter_at_every_question_gives_a_host_sized_vm_one_codex_and_room_for_addmount() {
        let input = "\n".repeat(40);
        let mut out = Vec::new();
        let mut p = Prompter::new(input.as_bytes(), &mut out);
        let (config, ignores) = ask(&mut p, &(1, "4G".to_string())).expect("answers");
        assert!(ignores.is_empty());
        assert_eq!(config.vms.len(), 1);
        let vm = &config.vms[0];
        assert_eq!(
            (vm.name.as_str(), vm.cpu, vm.ram.as_str()),
            ("agent-ubuntu", 1, "4G")
        );
        assert!(vm.install.is_empty());
        assert_eq!(config.agents.len(), 1);
        assert_eq!(config.agents[0].agent_type, AgentType::Codex);
        assert_eq!(config.agents[0].name, "codex");
        assert!(config.mounts.is_empty());
        let text = render(&config, "t");
        let loaded = config::load_from_str(&text, Path::new("/c.yaml"), crate::backend::minimums)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(loaded.mounts.is_empty() && loaded.warnings.is_empty());
        // `addmount` makes the first mount a block entry under `mounts:`.
        let entry = crate::config::edit::NewMount {
            source: "/home/me/code/myproject".into(),
            vm: "agent-ubuntu".into(),
            target: "/home/ubuntu/myproject".into(),
            backup: "/home/me/code/backups-myproject".into(),
            interval: 5,
            max_backups: 100,
            backup_clean_method: crate::config::CleanMethod::Thin,
            allowed_agents: None,
        };
        let added =
            crate::config::edit::append_mount(&text, Path::new("/c.yaml"), &entry).expect("append");
        assert!(
            added.contains("mounts:\n  - source: /home/me/code/myproject\n"),
            "{added}"
        );
        let loaded = config::load_from_str(&added, Path::new("/c.yaml"), crate::backend::minimums)
            .expect("valid");
        assert_eq!(loaded.mounts.len(), 1);
    }

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
        let (config, ignores) = ask(&mut p, &(2, "4G".to_string())).expect("answers");
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
        let loaded = config::load_from_str(&text, Path::new("/c.yaml"), crate::backend::minimums)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(loaded.mounts[0].vm, "agent-ubuntu-2");
    }
}
