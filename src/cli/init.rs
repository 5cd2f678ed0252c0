//! `agsekit init SHELL` (print the shell integration script) and `agsekit prompt-state`
//! (print the protection state of the current folder for a prompt).

use std::path::PathBuf;
use std::time::SystemTime;

use super::args::{InitArgs, PromptStateArgs, ShellName};
use crate::shim::init::{render, InitOptions, InitShell};
use crate::shim::protection::{protection_of, short_age, Protection};

pub fn init(args: &InitArgs) -> anyhow::Result<i32> {
    let shell = match args.shell {
        ShellName::Bash => InitShell::Bash,
        ShellName::Zsh => InitShell::Zsh,
        ShellName::Fish => InitShell::Fish,
    };
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("agsekit"));
    let script = render(
        shell,
        &exe,
        &crate::config::shims_dir(),
        InitOptions {
            path: !args.no_path,
            prompt: !args.no_prompt,
        },
    );
    print!("{script}");
    Ok(0)
}

/// The folder the user is in, as they see it: `$PWD` when it names the current folder,
/// otherwise the canonical current folder.
pub(crate) fn current_folder() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    if let Some(pwd) = std::env::var_os("PWD").map(PathBuf::from) {
        if pwd.is_absolute() && same_file(&pwd, &cwd) {
            return Some(pwd);
        }
    }
    Some(cwd)
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

pub fn prompt_state(
    args: &PromptStateArgs,
    config: Option<&std::path::Path>,
) -> anyhow::Result<i32> {
    let dir = match &args.dir {
        Some(d) => Some(std::path::absolute(d).unwrap_or_else(|_| d.clone())),
        None => current_folder(),
    };
    let config_path = crate::config::resolve_path(config);
    let cache = crate::shim::cache_dir().join("prompt-state.json");
    let state = match dir {
        Some(dir) => protection_of(&dir, &config_path, &cache, SystemTime::now()),
        None => Protection::Unprotected,
    };
    let text = match state {
        Protection::Protected {
            vm,
            mount,
            last_snapshot_age,
            stale,
            rules_pending,
        } => {
            let mut age = last_snapshot_age
                .map(short_age)
                .unwrap_or_else(|| "no-snapshot".to_string());
            if stale && last_snapshot_age.is_some() {
                age.push('!');
            }
            if rules_pending {
                age.push_str(" ignore-rules?");
            }
            args.format
                .replace("{vm}", &vm)
                .replace("{mount}", &mount)
                .replace("{age}", &age)
        }
        Protection::Unprotected => args.unprotected.clone(),
        Protection::ConfigError => "config-error".to_string(),
    };
    println!("{text}");
    Ok(0)
}
