//! The command line: clap definitions (one file per command group), parsing, dispatch and
//! error rendering. Commands call domain modules and render what they return.

mod agents;
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
mod prompt;
mod restore;
mod run;
mod shims;
mod status;
mod vms;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error;
use crate::process;

/// The `--help` section of the options every command accepts (translated like help texts).
pub const GLOBAL_OPTIONS_HEADING: &str = "Global options";

/// Options every command accepts, listed in their own section after each command's own.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Path to the config file (default: $CONFIG_PATH, then ~/.config/agsekit/config.yaml)
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL_OPTIONS_HEADING)]
    pub config: Option<PathBuf>,

    /// Never fall back to interactive prompts
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS_HEADING)]
    pub non_interactive: bool,

    /// Show executed commands and their outputs (secrets masked)
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS_HEADING)]
    pub debug: bool,
}

/// Agent Safety Kit: run AI coding agents inside Multipass VMs with rolling backups.
#[derive(Debug, Parser)]
#[command(name = "agsekit", version, about, propagate_version = false)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the agsekit version
    Version,

    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(completions::CompletionsArgs),

    /// Print the manual page (roff) generated from the command definitions
    Man(man::ManArgs),

    /// Print the shell integration script: shims on PATH and a prompt hook
    Init(init::InitArgs),

    /// Print the protection state of the current folder (for prompts)
    PromptState(init::PromptStateArgs),

    /// Write a commented example config covering every key (never overwrites)
    ConfigExample(config::ConfigExampleArgs),

    /// Validate the config and summarize its VMs, mounts and agents
    ConfigCheck(config::ConfigCheckArgs),

    /// Build a commented config by answering questions (--config is where it is saved)
    ConfigGen(config_gen::ConfigGenArgs),

    /// Add a mount entry to the config (keeps the file's comments and layout)
    Addmount(mounts::AddmountArgs),

    /// Remove a mount entry from the config (unmounts it first)
    Removemount(mounts::RemovemountArgs),
    /// Run a single backup of a directory
    BackupOnce(backup::BackupOnceArgs),

    /// Start repeated backups of a directory
    BackupRepeated(backup::BackupRepeatedArgs),

    /// Start a repeated backup for a mount from the config
    BackupRepeatedMount(backup::BackupRepeatedMountArgs),

    /// Start repeated backups for every mount from config.yaml
    BackupRepeatedAll(backup::BackupRepeatedAllArgs),

    /// Clean old backup snapshots for a configured mount
    BackupClean(backup::BackupCleanArgs),

    /// Run an agent in its VM, with backups of the project folder
    Run(run::RunArgs),

    /// Manage the agent shims (codex, claude, ... that run in the VM)
    Shims(shims::ShimsArgs),

    /// List the snapshots of a mount with what each one changed
    Snapshots(restore::SnapshotsArgs),

    /// Show what changed between a snapshot and now, or between two snapshots
    Diff(restore::DiffArgs),

    /// Restore files, folders or everything from a snapshot (undoable)
    Restore(restore::RestoreArgs),

    /// Show the versions of one file across snapshots
    History(restore::HistoryArgs),

    /// Accept changed .backupignore files (until then backups keep what they would leave out)
    AcceptIgnore(restore::AcceptIgnoreArgs),

    /// List the software bundles a VM's `install:` list may name
    ListBundles(bundles::ListBundlesArgs),

    /// Check/install host dependencies and create the SSH keypair for VM access
    Prepare(vms::PrepareArgs),

    /// Create a single VM by name from the YAML configuration
    CreateVm(vms::CreateVmArgs),

    /// Create all VMs described in the YAML configuration
    CreateVms,

    /// Start one or all Multipass VMs
    StartVm(vms::VmTargetArgs),

    /// Stop one or all Multipass VMs
    StopVm(vms::VmTargetArgs),

    /// Restart one or all Multipass VMs (and mount their folders again)
    RestartVm(vms::VmTargetArgs),

    /// Delete one or all Multipass VMs
    DestroyVm(vms::DestroyVmArgs),

    /// Run prepare, create-vms, and install-agents as one flow
    Up(vms::UpArgs),

    /// Stop all configured VMs; if configured agents are still running, ask first
    Down(vms::DownArgs),

    /// Open an interactive shell in a Multipass VM
    Shell(vms::ShellArgs),

    /// Connect to a VM via SSH with additional arguments
    Ssh(vms::SshArgs),

    /// Mount directories from config.yaml into VMs
    Mount(mount_umount::MountArgs),

    /// Unmount directories from config.yaml
    Umount(mount_umount::MountArgs),

    /// Install configured agents into Multipass VMs
    InstallAgents(agents::InstallAgentsArgs),

    /// Show current status of configured VMs, mounts, backups, agents and port forwards
    Status(status::StatusArgs),

    /// Start SSH tunnels based on port-forwarding rules from the configuration
    Portforward,

    /// Commands for managing the agsekit background daemon
    Daemon(daemon::DaemonArgs),

    /// Deprecated alias of `agsekit daemon` (prints a notice)
    Systemd(daemon::DaemonArgs),

    /// Run diagnostics and attempt safe repairs for known installation and configuration issues
    Doctor(doctor::DoctorArgs),

    /// Refresh the cached newest versions of the configured agent types (for install-agents --upgrade)
    CheckNewVersion,

    /// Upgrade an agsekit installed from its Python wheel with that environment's pip; otherwise print how to upgrade it
    PipUpgrade,
}

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
    let command = crate::i18n::localize_command(command_for_docs(), crate::i18n::current());
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
