//! The checks of a new `mounts:` entry against the loaded config (`agsekit addmount`): each
//! value, given as a flag or typed as an answer, goes through the same function here, which
//! returns the value to write or the error naming the way out. Nothing here asks or prints:
//! `cli/mounts.rs` asks the questions and calls these.

use std::path::{Path, PathBuf};

use super::layout;
use super::mountable::{self, PathProblem};
use super::{normalize_path, rules, AgentType, CleanMethod, Config};
use crate::error::UserError;
use crate::guest::GUEST_HOME;
use crate::t;

/// The source folder (normalized) and its name. Refused: a path without a name, a file, a
/// layout an agent could abuse (never skipped), and, unless `force_path`, a folder the VM
/// cannot share (`snap_rules`: the backend is confined like the Multipass snap).
pub fn source(
    config: &Config,
    given: &Path,
    force_path: bool,
    snap_rules: bool,
) -> Result<(PathBuf, String), UserError> {
    let source = normalize_path(given);
    let Some(name) = source.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(cannot_share(&source));
    };
    if source.exists() && !source.is_dir() {
        return Err(not_a_folder(&source));
    }
    // Never skipped, not even with --force-path: this is about what the agent could reach.
    let guard = layout::Guarded::new(&config.global, &config.path);
    if let Some(why) = layout::source_refusal(&source, &guard) {
        return Err(UserError::usage(why).hint(layout::source_fix()));
    }
    if !force_path {
        if let Some(p) = mountable::source_problem(&source, snap_rules) {
            return Err(bad_source(p));
        }
    }
    Ok((source, name))
}

/// Refuses a source the config already mounts into `vm`.
pub fn unique_source(config: &Config, source: &Path, vm: &str) -> Result<(), UserError> {
    match config
        .mounts
        .iter()
        .enumerate()
        .find(|(_, m)| layout::same_source(&m.source, source) && m.vm == vm)
    {
        Some((i, _)) => Err(duplicate_source(source, vm, i, &config.path)),
        None => Ok(()),
    }
}

/// A VM path: `~` is the VM user's home; must be absolute.
pub fn vm_path(text: &Path) -> Result<PathBuf, UserError> {
    let s = text.to_string_lossy();
    let expanded = if s == "~" {
        PathBuf::from(GUEST_HOME)
    } else if let Some(rest) = s.strip_prefix("~/") {
        Path::new(GUEST_HOME).join(rest)
    } else {
        text.to_path_buf()
    };
    if !expanded.is_absolute() {
        return Err(target_not_absolute(&s));
    }
    Ok(rules::lexical_clean(&expanded))
}

/// The default target of a source called `name`.
pub fn default_target(name: &str) -> String {
    format!("{GUEST_HOME}/{name}")
}

/// The folder in the VM: a VM path that may be mounted over, and not another mount's target
/// in `vm`.
pub fn target(config: &Config, vm: &str, text: &str) -> Result<PathBuf, UserError> {
    let target = vm_path(Path::new(text.trim()))?;
    if let Some(p) = mountable::target_problem(&target) {
        return Err(UserError::usage(p.reason).hint(p.fix));
    }
    match config
        .mounts
        .iter()
        .enumerate()
        .find(|(_, m)| m.target == target && m.vm == vm)
    {
        Some((i, m)) => Err(duplicate_target(&target, vm, &m.source, i)),
        None => Ok(target),
    }
}

/// The default backup folder: `backups-NAME` beside the source.
pub fn default_backup(source: &Path, name: &str) -> PathBuf {
    source
        .parent()
        .unwrap_or(Path::new("/"))
        .join(format!("backups-{name}"))
}

/// The backup folder: outside the source, no other mount's, and the whole layout with the
/// new entry valid (no backup folder reachable from a VM or shared).
pub fn backup(config: &Config, source: &Path, vm: &str, text: &str) -> Result<PathBuf, UserError> {
    let backup = normalize_path(Path::new(text.trim()));
    if backup.starts_with(source) {
        return Err(backup_inside(&backup, source));
    }
    let new_key = format!("mounts[{}]", config.mounts.len());
    let keys: Vec<String> = (0..config.mounts.len())
        .map(|i| format!("mounts[{i}]"))
        .collect();
    let mut paths: Vec<layout::MountPaths<'_>> = config
        .mounts
        .iter()
        .zip(&keys)
        .map(|(m, key)| layout::MountPaths::new(key, &m.source, &m.backup, &m.vm))
        .collect();
    paths.push(layout::MountPaths::new(&new_key, source, &backup, vm));
    let new = paths.len() - 1;
    if let Some(i) = (0..new).find(|&i| layout::same_backup(&paths[i], &paths[new])) {
        return Err(duplicate_backup(&backup, &config.mounts[i].source, i));
    }
    // The existing layout was valid: whatever is wrong now comes from the new entry.
    let problems = layout::backup_problems(&paths, &config.path);
    if problems.is_empty() {
        Ok(backup)
    } else {
        let lines: Vec<String> = problems
            .into_iter()
            .map(|(key, message)| format!("{key}: {message}"))
            .collect();
        Err(UserError::usage(lines.join("\n")))
    }
}

/// A whole number of at least 1 (`what` names the value in the error).
pub fn positive(what: &str, text: &str) -> Result<u32, UserError> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| not_positive(what, text))
}

/// `tail` or `thin` (case-insensitive).
pub fn clean_method(text: &str) -> Result<CleanMethod, UserError> {
    CleanMethod::parse(text).ok_or_else(|| {
        UserError::usage(t!("mounts.bad_method", text = format!("{:?}", text.trim())))
            .hint(t!("mounts.bad_method_hint"))
    })
}

/// `--allowed-agents a,b`: each item an agent name from the config or an agent type; `None`
/// for an empty list.
pub fn allowed_agents(list: &str, config: &Config) -> Result<Option<Vec<String>>, UserError> {
    let mut out: Vec<String> = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let known = config.agents.contains_key(item) || AgentType::parse(item).is_some();
        if !known {
            let names: Vec<&str> = config.agents.keys().map(String::as_str).collect();
            return Err(unknown_agent(item, &names));
        }
        if !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

// Errors: what went wrong, then the way out.
fn target_not_absolute(target: &str) -> UserError {
    UserError::usage(t!(
        "mounts.target_not_absolute",
        target = format!("{target:?}")
    ))
    .hint(t!("mounts.target_not_absolute_hint"))
}
fn unknown_agent(item: &str, names: &[&str]) -> UserError {
    let names = if names.is_empty() {
        t!("check.none")
    } else {
        names.join(", ")
    };
    UserError::usage(t!(
        "mounts.unknown_agent",
        item = format!("{item:?}"),
        names = names
    ))
    .hint(t!("mounts.unknown_agent_hint"))
}
fn not_positive(what: &str, text: &str) -> UserError {
    UserError::usage(t!(
        "mounts.not_positive",
        what = what,
        text = format!("{:?}", text.trim())
    ))
    .hint(t!("mounts.not_positive_hint"))
}
fn cannot_share(source: &Path) -> UserError {
    UserError::usage(t!("mounts.cannot_share", path = source.display()))
        .hint(t!("mounts.cannot_share_hint"))
}
fn not_a_folder(source: &Path) -> UserError {
    UserError::usage(t!("mounts.not_a_folder", path = source.display()))
        .hint(t!("mounts.not_a_folder_hint"))
}
fn bad_source(p: PathProblem) -> UserError {
    UserError::usage(p.reason)
        .hint(p.fix)
        .hint(t!("mounts.force_path_hint"))
}
fn backup_inside(backup: &Path, source: &Path) -> UserError {
    UserError::usage(t!(
        "mounts.backup_inside",
        backup = backup.display(),
        source = source.display()
    ))
    .hint(t!("mounts.backup_inside_hint"))
}
fn duplicate_source(source: &Path, vm: &str, i: usize, config: &Path) -> UserError {
    UserError::usage(t!(
        "mounts.duplicate_source",
        source = source.display(),
        vm = format!("{vm:?}"),
        i = i,
        config = config.display()
    ))
    .hint(t!(
        "mounts.duplicate_source_hint",
        source = source.display()
    ))
}
fn duplicate_target(target: &Path, vm: &str, other: &Path, i: usize) -> UserError {
    UserError::usage(t!(
        "mounts.duplicate_target",
        target = target.display(),
        vm = format!("{vm:?}"),
        other = other.display(),
        i = i
    ))
    .hint(t!("mounts.duplicate_target_hint"))
}
fn duplicate_backup(backup: &Path, other: &Path, i: usize) -> UserError {
    UserError::usage(t!(
        "mounts.duplicate_backup",
        backup = backup.display(),
        other = other.display(),
        i = i
    ))
    .hint(t!("mounts.duplicate_backup_hint"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let yaml = "vms:\n  dev: {cpu: 1, ram: 1G, disk: 10G}\nmounts:\n  - source: /home/me/proj\nagents:\n  mine:\n    type: codex\n";
        super::super::load_from_str(yaml, Path::new("/c.yaml"), crate::backend::minimums)
            .expect("valid")
    }

    #[test]
    fn each_value_is_checked_the_same_way_as_flag_or_answer() {
        let c = config();
        assert_eq!(
            vm_path(Path::new("~/x/../y")).unwrap(),
            Path::new("/home/ubuntu/y")
        );
        assert!(vm_path(Path::new("rel")).is_err());
        assert_eq!(default_target("proj"), "/home/ubuntu/proj");
        let taken = target(&c, "dev", "/home/ubuntu/proj").unwrap_err();
        assert!(taken.message.contains("/home/me/proj"), "{}", taken.message);
        assert_eq!(
            target(&c, "dev", " ~/other ").unwrap(),
            Path::new("/home/ubuntu/other")
        );
        assert_eq!(positive("INTERVAL", " 7 ").unwrap(), 7);
        assert!(positive("INTERVAL", "0")
            .unwrap_err()
            .message
            .contains("INTERVAL"));
        assert_eq!(clean_method("TAIL").unwrap(), CleanMethod::Tail);
        assert!(clean_method("fast").is_err());
        assert_eq!(
            allowed_agents("mine, claude, mine", &c).unwrap(),
            Some(vec!["mine".to_string(), "claude".to_string()])
        );
        assert_eq!(allowed_agents(" , ", &c).unwrap(), None);
        assert!(allowed_agents("nobody", &c)
            .unwrap_err()
            .message
            .contains("nobody"));
        assert!(unique_source(&c, Path::new("/home/me/proj"), "dev").is_err());
        assert_eq!(
            default_backup(Path::new("/home/me/new"), "new"),
            Path::new("/home/me/backups-new")
        );
        let inside = backup(&c, Path::new("/home/me/new"), "dev", "/home/me/new/b").unwrap_err();
        assert!(
            inside.message.contains("/home/me/new/b"),
            "{}",
            inside.message
        );
    }
}
