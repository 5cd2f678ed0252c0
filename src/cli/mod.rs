//! The command line: parsing, dispatch and error rendering. The clap definitions are all in
//! `args.rs` (a leaf); the other files are the handlers, functions over those arguments that
//! call domain modules and render what they return.

mod agents;
mod args;
mod backup;
mod bundles;
mod completions;
mod config;
mod config_gen;
mod daemon;
mod doctor;
mod init;
mod install;
mod json;
mod man;
mod menu;
mod mount_umount;
mod mounts;
mod pip_upgrade;
mod pipe;
mod portforward;
mod restore;
mod run;
mod shims;
mod status;
mod vms;

use std::ffi::OsString;

pub use args::{Cli, Command, GlobalArgs};

use crate::error;
use crate::process;

/// Whether `AGSEKIT_DEBUG` asks for debug output (`1`, `true`, `yes`, `on`).
fn debug_from_env() -> bool {
    std::env::var("AGSEKIT_DEBUG")
        .map(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        })
        .unwrap_or(false)
}

/// Parses `args` and runs the command. Returns the process exit code.
pub fn run_with_args(args: Vec<OsString>) -> i32 {
    // A reader that goes away ends a reporting command quietly (src/cli/pipe.rs), help and
    // usage errors included; supervisors switch back below once the command is known.
    pipe::end_quietly_on_closed_pipe();
    // Help texts in the user's language (src/i18n); parsing itself is unchanged.
    let ru = crate::i18n::current() == crate::i18n::Lang::Ru;
    let mut command = command_for_docs();
    if ru {
        command = crate::i18n::clap_ru::arrange(command);
    }
    let mut command = crate::i18n::localize_command(command, crate::i18n::current());
    if ru {
        // clap writes the Russian help pages itself (headings, usage line, defaults).
        command.build();
        command = crate::i18n::clap_ru::help_pages(command);
    }
    let parsed = command.try_get_matches_from(&args).and_then(|m| {
        let name = m.subcommand_name().map(str::to_string);
        <Cli as clap::FromArgMatches>::from_arg_matches(&m).map(|cli| (cli, name))
    });
    let (cli, name) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => {
            // In a terminal: no command opens the menu, a missing argument asks for it.
            if let Some(code) = menu::on_parse_error(&err, &args) {
                return code;
            }
            // Help and --version go to stdout with 0; usage errors to stderr with 2.
            let code = if err.use_stderr() { 2 } else { 0 };
            if crate::i18n::current() == crate::i18n::Lang::Ru {
                // clap's own phrases in Russian (its colours are dropped then).
                let mut text = crate::i18n::clap_ru::error_text(&err);
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                if err.use_stderr() {
                    eprint!("{text}");
                } else {
                    print!("{text}");
                }
            } else {
                let _ = err.print();
            }
            return code;
        }
    };
    if pipe::supervises(&cli.command) {
        pipe::survive_closed_pipe();
    }
    process::set_debug(cli.global.debug || debug_from_env());
    // In a terminal, a command that needs a config and finds none asks for it.
    if let Some(code) = menu::on_missing_config(&args, name.as_deref(), &cli.global) {
        return code;
    }
    match dispatch(cli) {
        Ok(code) => code,
        Err(err) => report(&err),
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Version => {
            println!("{}", crate::t!("cli.version", version = crate::VERSION));
            Ok(0)
        }
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
        Command::Init(args) => init::init(&args),
        Command::PromptState(args) => init::prompt_state(&args, cli.global.config.as_deref()),
        Command::ConfigExample(args) => config::run_example(&args, &cli.global),
        Command::ConfigCheck(args) => config::run_check(&args, &cli.global),
        Command::ConfigGen(args) => config_gen::run(&args, &cli.global),
        Command::Addmount(args) => mounts::run_add(&args, &cli.global),
        Command::Removemount(args) => mounts::run_remove(&args, &cli.global),
        Command::BackupOnce(args) => backup::run_once(&args, &cli.global),
        Command::BackupRepeated(args) => backup::run_repeated(&args, &cli.global),
        Command::BackupRepeatedMount(args) => backup::run_repeated_mount(&args, &cli.global),
        Command::BackupRepeatedAll(args) => backup::run_repeated_all(&args, &cli.global),
        Command::BackupClean(args) => backup::run_clean(&args, &cli.global),
        Command::Run(args) => run::run(&args, &cli.global),
        Command::Shims(args) => shims::run(&args, &cli.global),
        Command::Snapshots(args) => restore::run_snapshots(&args, &cli.global),
        Command::Diff(args) => restore::run_diff(&args, &cli.global),
        Command::Restore(args) => restore::run_restore(&args, &cli.global),
        Command::History(args) => restore::run_history(&args, &cli.global),
        Command::AcceptIgnore(args) => restore::run_accept_ignore(&args, &cli.global),
        Command::ListBundles(args) => bundles::run(&args),
        Command::Prepare(args) => vms::run_prepare(&args, &cli.global),
        Command::CreateVm(args) => vms::run_create_vm(&args, &cli.global),
        Command::CreateVms => vms::run_create_vms(&cli.global),
        Command::StartVm(args) => vms::run_start(&args, &cli.global),
        Command::StopVm(args) => vms::run_stop(&args, &cli.global),
        Command::RestartVm(args) => vms::run_restart(&args, &cli.global),
        Command::SuspendVm(args) => vms::run_suspend(&args, &cli.global),
        Command::ResumeVm(args) => vms::run_resume(&args, &cli.global),
        Command::DestroyVm(args) => vms::run_destroy(&args, &cli.global),
        Command::Up(args) => vms::run_up(&args, &cli.global),
        Command::Down(args) => vms::run_down(&args, &cli.global),
        Command::Shell(args) => vms::run_shell(&args, &cli.global),
        Command::Ssh(args) => vms::run_ssh(&args, &cli.global),
        Command::Mount(args) => mount_umount::run_mount(&args, &cli.global),
        Command::Umount(args) => mount_umount::run_umount(&args, &cli.global),
        Command::InstallAgents(args) => agents::run(&args, &cli.global),
        Command::Status(args) => status::run(&args, &cli.global),
        Command::Portforward => portforward::run(&cli.global),
        Command::Daemon(args) => daemon::run(&args, &cli.global),
        Command::Systemd(args) => daemon::run_systemd_alias(&args, &cli.global),
        Command::Doctor(args) => doctor::run(&args, &cli.global),
        Command::CheckNewVersion => agents::run_check_new_version(&cli.global),
        Command::PipUpgrade => pip_upgrade::run(),
    }
}

/// The whole command tree as clap defines it (English), for the man page, translations and
/// the menu.
pub fn command_for_docs() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// The binary's entry point: a shim when argv[0] is not `agsekit...`, else the CLI.
pub fn main_entry() -> i32 {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let name = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .and_then(|n| n.to_str())
        .map(str::to_string);
    match name {
        Some(name) if !name.is_empty() && !name.starts_with("agsekit") => {
            args.remove(0);
            process::set_debug(debug_from_env());
            match shims::shim_main(&name, args) {
                Ok(code) => code,
                Err(err) => report(&err),
            }
        }
        _ => run_with_args(args),
    }
}

fn report(err: &anyhow::Error) -> i32 {
    let text = process::mask_secrets(&error::render(err));
    pipe::err_text(&crate::ui::style::paint_report(
        crate::ui::style::stderr_allowed(),
        &text,
    ));
    error::exit_code_of(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
