//! `agsekit completions SHELL`: prints a completion script generated from the CLI definition;
//! `--install` writes it where the shell looks for it (bash, zsh, fish; every one of them
//! when no shell is named), see `install::completion_path`.

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::CompletionsArgs;
use super::install;
use super::Cli;
use crate::error::UserError;
use crate::t;

fn script(shell: Shell) -> Vec<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "agsekit", &mut out);
    out
}

pub fn run(args: &CompletionsArgs) -> anyhow::Result<i32> {
    if args.install {
        let shells = match args.shell {
            Some(shell) => vec![shell],
            None => vec![Shell::Bash, Shell::Zsh, Shell::Fish],
        };
        return install_for(&shells);
    }
    let Some(shell) = args.shell else {
        return Ok(2); // clap requires SHELL without --install
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(&script(shell))?;
    out.flush()?;
    Ok(0)
}

fn install_for(shells: &[Shell]) -> anyhow::Result<i32> {
    for shell in shells {
        let Some(path) = install::completion_path(*shell) else {
            return Err(
                UserError::usage(t!("i12menu.not_installable", shell = shell))
                    .hint(t!("i12menu.not_installable_hint", shell = shell))
                    .into(),
            );
        };
        install::write_atomic(&path, &script(*shell))?;
        println!("{}", t!("i12menu.installed", path = path.display()));
        let dir = path.parent().unwrap_or(&path).display().to_string();
        let note = match shell {
            Shell::Bash => t!("i12menu.bash_ready"),
            Shell::Zsh => t!("i12menu.zsh_ready", dir = dir),
            _ => t!("i12menu.fish_ready"),
        };
        println!("  {note}");
    }
    Ok(0)
}
