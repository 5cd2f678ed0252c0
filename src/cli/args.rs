//! Every clap definition of the command line, and nothing else: the `Cli` parser, the
//! `Command` enum, each command's `*Args`, their value enums. The handlers (the other files
//! of `src/cli/`), the menu, the man page, the completions and the Russian help
//! (`i18n::localize_command`) read the tree from here. A leaf: it imports clap and std, and of
//! agsekit only the size parser `--min-free` needs and the message of its error
//! (`tests/it/layers.rs`, `ARGS_MAY_NAME`). Doc comments here are the English `--help`
//! texts; their Russian is in `src/i18n/help_ru.rs`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::t;

// ---- The whole command line: options every command accepts, the commands.

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
    Completions(CompletionsArgs),

    /// Print the manual page (roff) generated from the command definitions
    Man(ManArgs),

    /// Print the shell integration script: shims on PATH and a prompt hook
    Init(InitArgs),

    /// Print the protection state of the current folder (for prompts)
    PromptState(PromptStateArgs),

    /// Write a commented example config covering every key (never overwrites)
    ConfigExample(ConfigExampleArgs),

    /// Validate the config and summarize its VMs, mounts and agents
    ConfigCheck(ConfigCheckArgs),

    /// Build a commented config by answering questions (--config is where it is saved)
    ConfigGen(ConfigGenArgs),

    /// Add a mount entry to the config (keeps the file's comments and layout)
    Addmount(AddmountArgs),

    /// Remove a mount entry from the config (unmounts it first)
    Removemount(RemovemountArgs),
    /// Run a single backup of a directory
    BackupOnce(BackupOnceArgs),

    /// Start repeated backups of a directory
    BackupRepeated(BackupRepeatedArgs),

    /// Start a repeated backup for a mount from the config
    BackupRepeatedMount(BackupRepeatedMountArgs),

    /// Start repeated backups for every mount from config.yaml
    BackupRepeatedAll(BackupRepeatedAllArgs),

    /// Clean old backup snapshots for a configured mount
    BackupClean(BackupCleanArgs),

    /// Run an agent in its VM, with backups of the project folder
    Run(RunArgs),

    /// Manage the agent shims (codex, claude, ... that run in the VM)
    Shims(ShimsArgs),

    /// List the snapshots of a mount with what each one changed
    Snapshots(SnapshotsArgs),

    /// Show what changed between a snapshot and now, or between two snapshots
    Diff(DiffArgs),

    /// Restore files, folders or everything from a snapshot (undoable)
    Restore(RestoreArgs),

    /// Show the versions of one file across snapshots
    History(HistoryArgs),

    /// Accept changed .backupignore files (until then backups keep what they would leave out)
    AcceptIgnore(AcceptIgnoreArgs),

    /// List the software bundles a VM's `install:` list may name
    ListBundles(ListBundlesArgs),

    /// Check/install host dependencies and create the SSH keypair for VM access
    Prepare(PrepareArgs),

    /// Create a single VM by name from the YAML configuration
    CreateVm(CreateVmArgs),

    /// Create all VMs described in the YAML configuration
    CreateVms,

    /// Start one or all Multipass VMs
    StartVm(VmTargetArgs),

    /// Stop one or all Multipass VMs
    StopVm(VmTargetArgs),

    /// Restart one or all Multipass VMs (and mount their folders again)
    RestartVm(VmTargetArgs),

    /// Suspend one or all VMs (their memory is kept; resume-vm, or any agent session, resumes them)
    SuspendVm(SuspendVmArgs),

    /// Resume one or all suspended VMs (a stopped one is started)
    ResumeVm(VmTargetArgs),

    /// Delete one or all Multipass VMs
    DestroyVm(DestroyVmArgs),

    /// Run prepare, create-vms, and install-agents as one flow
    Up(UpArgs),

    /// Stop all configured VMs; if configured agents are still running, ask first
    Down(DownArgs),

    /// Open an interactive shell in a Multipass VM
    Shell(ShellArgs),

    /// Connect to a VM via SSH with additional arguments
    Ssh(SshArgs),

    /// Mount directories from config.yaml into VMs
    Mount(MountArgs),

    /// Unmount directories from config.yaml
    Umount(MountArgs),

    /// Install configured agents into Multipass VMs
    InstallAgents(InstallAgentsArgs),

    /// Show current status of configured VMs, mounts, backups, agents and port forwards
    Status(StatusArgs),

    /// Start SSH tunnels based on port-forwarding rules from the configuration
    Portforward,

    /// Commands for managing the agsekit background daemon
    Daemon(DaemonArgs),

    /// Deprecated alias of `agsekit daemon` (prints a notice)
    Systemd(DaemonArgs),

    /// Run diagnostics and attempt safe repairs for known installation and configuration issues
    Doctor(DoctorArgs),

    /// Refresh the cached newest versions of the configured agent types (for install-agents --upgrade)
    CheckNewVersion,

    /// Upgrade an agsekit installed from its Python wheel with that environment's pip; otherwise print how to upgrade it
    PipUpgrade,
}

// ---- `completions`

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum, required_unless_present = "install")]
    pub shell: Option<Shell>,
    /// Write the script into the user's data folder where the shell finds it (bash, zsh and fish without a SHELL)
    #[arg(long)]
    pub install: bool,
}

// ---- `man`

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// The command whose page to print (default: the page of agsekit itself)
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
    /// Write every page (agsekit.1, agsekit-COMMAND.1), in English and in Russian, into the user's data folder where man finds them
    #[arg(long, conflicts_with = "command")]
    pub install: bool,
}

// ---- `init`, `prompt-state`

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShellName {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The shell to print the integration script for
    #[arg(value_enum)]
    pub shell: ShellName,

    /// Do not put the shims folder on PATH
    #[arg(long)]
    pub no_path: bool,

    /// Do not install the prompt hook that exports AGSEKIT_PROTECTION
    #[arg(long)]
    pub no_prompt: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PromptStateArgs {
    /// The folder to describe (default: the current folder)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Output for a protected folder; {vm}, {mount} and {age} are replaced. {age} is the age
    /// of the newest snapshot (`3m`, `2h`) or `no-snapshot`, with `!` appended when it is
    /// older than two backup intervals, and ` ignore-rules?` when a changed .backupignore waits
    /// for `agsekit accept-ignore`
    #[arg(long, default_value = "{vm}:{mount} {age}")]
    pub format: String,

    /// Output for a folder that no mount covers
    #[arg(long, default_value = "unprotected")]
    pub unprotected: String,
}

// ---- `config-example`, `config-check`

#[derive(Debug, Clone, Args)]
pub struct ConfigExampleArgs {
    /// Where to write the example; an existing file is never replaced (default: the config
    /// path from --config, $CONFIG_PATH or ~/.config/agsekit/config.yaml, skipped if present)
    #[arg(value_name = "DESTINATION")]
    pub destination: Option<PathBuf>,
}

/// Flags of `config-check`.
#[derive(Debug, Clone, Args)]
pub struct ConfigCheckArgs {
    /// Print JSON (schema in docs/configuration.md) instead of the summary
    #[arg(long)]
    pub json: bool,
}

// ---- `config-gen`

#[derive(Debug, Clone, Args)]
pub struct ConfigGenArgs {
    /// Replace an existing file at the destination (a backup copy is kept next to it)
    #[arg(long)]
    pub overwrite: bool,
}

// ---- `addmount`, `removemount`

#[derive(Debug, Clone, Args)]
pub struct AddmountArgs {
    /// Host folder to share (asked for in a terminal when omitted)
    #[arg(value_name = "SOURCE_DIR")]
    pub source: Option<PathBuf>,
    /// Folder inside the VM (default: /home/ubuntu/<folder name>)
    #[arg(value_name = "TARGET_DIR")]
    pub target: Option<PathBuf>,
    /// Host folder for snapshots (default: <parent>/backups-<folder name>)
    #[arg(value_name = "BACKUP_DIR")]
    pub backup: Option<PathBuf>,
    /// Minutes between snapshots (default: 5)
    #[arg(value_name = "INTERVAL", value_parser = clap::value_parser!(u32).range(1..))]
    pub interval: Option<u32>,
    /// Host folder to share (same as SOURCE_DIR)
    #[arg(long = "source-dir", value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
    /// VM name for this mount (default: the first VM)
    #[arg(long, value_name = "VM")]
    pub vm: Option<String>,
    /// Maximum number of snapshots to keep (default: 100)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_backups: Option<u32>,
    /// Snapshot cleanup method (default: thin)
    #[arg(long, value_enum, value_name = "METHOD")]
    pub backup_clean_method: Option<MethodArg>,
    /// Mount the folder in the VM right after saving the config
    #[arg(long)]
    pub mount: bool,
    /// Comma-separated agent names or types allowed in this folder (e.g. qwen,codex)
    #[arg(long, value_name = "LIST")]
    pub allowed_agents: Option<String>,
    /// Write a default .backupignore into the folder (an existing one is kept)
    #[arg(long)]
    pub create_backupignore: bool,
    /// Skip the path checks (hidden folders, outside /home, spaces, non-ASCII), for a
    /// Multipass that is not a snap
    #[arg(long)]
    pub force_path: bool,
    /// Skip the confirmation prompt
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RemovemountArgs {
    /// Host folder of the mount to remove (asked for in a terminal when omitted)
    #[arg(value_name = "SOURCE_DIR")]
    pub source: Option<PathBuf>,
    /// Only mounts into this VM (when a folder is mounted into several)
    #[arg(long, value_name = "VM")]
    pub vm: Option<String>,
    /// Skip the confirmation prompt
    #[arg(short = 'y', long)]
    pub yes: bool,
}

// ---- `backup-once`, `backup-repeated*`, `backup-clean`

/// Cleanup methods as typed on the command line (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    Tail,
    Thin,
}

#[derive(Debug, Clone, Args)]
pub struct BackupOnceArgs {
    /// Directory to back up
    #[arg(long, value_name = "DIR")]
    pub source_dir: PathBuf,
    /// Folder that holds the snapshots
    #[arg(long, value_name = "DIR")]
    pub dest_dir: PathBuf,
    /// Gitignore-style pattern to leave out (repeatable); wins over .backupignore files
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Show a progress bar (files, bytes, ETA)
    #[arg(long)]
    pub progress: bool,
}

#[derive(Debug, Clone, Args)]
pub struct BackupRepeatedArgs {
    /// Directory to back up
    #[arg(long, value_name = "DIR")]
    pub source_dir: PathBuf,
    /// Folder that holds the snapshots
    #[arg(long, value_name = "DIR")]
    pub dest_dir: PathBuf,
    /// Gitignore-style pattern to leave out (repeatable)
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Interval in minutes between backups
    #[arg(long, default_value_t = 5, value_name = "INTEGER")]
    pub interval: u32,
    /// Number of backups to keep after cleanup
    #[arg(long, default_value_t = 100, value_name = "INTEGER")]
    pub max_backups: u32,
    /// Cleanup method after each backup
    #[arg(long, value_enum, ignore_case = true, default_value = "thin")]
    pub backup_clean_method: MethodArg,
    /// Skip the immediate first backup
    #[arg(long)]
    pub skip_first: bool,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// The optional disk budget.
#[derive(Debug, Clone, Args)]
pub struct BudgetArgs {
    /// After cleanup, also delete snapshots (thinned or oldest first, never the newest) until
    /// this much space is free on the backup disk, e.g. 20G
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    pub min_free: Option<u64>,
}

fn parse_size_arg(text: &str) -> Result<u64, String> {
    crate::backup::retention::parse_size(text)
        .ok_or_else(|| t!("backup.not_a_size", text = format!("{text:?}")))
}

#[derive(Debug, Clone, Args)]
pub struct BackupRepeatedMountArgs {
    /// The mount's source folder as configured (optional when exactly one mount exists)
    #[arg(long, value_name = "DIRECTORY")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BackupRepeatedAllArgs {
    #[command(flatten)]
    pub budget: BudgetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BackupCleanArgs {
    /// The mount's source folder as configured
    #[arg(value_name = "MOUNT_SOURCE")]
    pub mount_source: PathBuf,
    /// How many snapshots to keep
    #[arg(
        value_name = "KEEP",
        default_value_t = 50,
        allow_negative_numbers = true
    )]
    pub keep: i64,
    /// Which snapshots to delete: the oldest (tail) or by logarithmic thinning (thin)
    #[arg(
        value_enum,
        ignore_case = true,
        default_value = "thin",
        value_name = "tail|thin"
    )]
    pub method: MethodArg,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

// ---- `run`

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Use this VM (also limits the mount lookup to its mounts)
    #[arg(long, value_name = "VM")]
    pub vm: Option<String>,

    /// Host folder to resolve against the mounts (default: the current folder)
    #[arg(long, value_name = "DIRECTORY")]
    pub workdir: Option<PathBuf>,

    /// Mount the folder without asking when it is not mounted in the VM
    #[arg(long)]
    pub auto_mount: bool,

    /// Do not run background snapshots during the session
    #[arg(long)]
    pub disable_backups: bool,

    /// Take the blocking snapshot before the agent starts (overrides mounts[].first_backup)
    #[arg(long, overrides_with = "no_first_backup")]
    pub first_backup: bool,

    /// Skip the blocking snapshot before the agent starts (a first snapshot is always taken)
    #[arg(long)]
    pub no_first_backup: bool,

    /// Proxy URL for proxychains in this run (scheme://host:port); "" disables it
    #[arg(long, value_name = "URL")]
    pub proxychains: Option<String>,

    /// HTTP proxy for this run: an upstream URL for a VM-local privoxy; "" disables it
    #[arg(long, value_name = "URL")]
    pub http_proxy: Option<String>,

    /// Do not add the agent's default-args
    #[arg(long)]
    pub skip_default_args: bool,

    /// The agent (a name under `agents:` in the config)
    pub agent: String,

    /// Arguments for the agent, passed byte for byte
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "AGENT_ARGS"
    )]
    pub args: Vec<OsString>,
}

// ---- `shims`

#[derive(Debug, Clone, Args)]
pub struct ShimsArgs {
    #[command(subcommand)]
    pub action: ShimsAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ShimsAction {
    /// Create shims for codex, claude, qwen and every agent in the config (by difference)
    Install {
        /// Shims folder (default: $AGSEKIT_SHIMS_DIR or ~/.local/share/agsekit/shims)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Names to install instead of the defaults
        names: Vec<String>,
    },
    /// Remove every shim agsekit made (files it did not make are left alone)
    Uninstall {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// List the shims and what each name resolves to now
    List {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Print JSON (schema in docs/shims.md) instead of lines
        #[arg(long)]
        json: bool,
    },
    /// Run a program as if no shim existed (`--host`: the one on PATH after the shims)
    Exec {
        /// Run the host program of that name, unprotected
        #[arg(long, required = true)]
        host: bool,
        /// The program name (codex, claude, ...)
        name: String,
        /// Its arguments
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

// ---- `snapshots`, `diff`, `restore`, `history`, `accept-ignore`

/// Where the snapshots are: a configured mount, or folders given directly.
#[derive(Debug, Clone, Args)]
pub struct ChainArgs {
    /// Use this snapshot folder directly, without the config
    #[arg(long, value_name = "DIR")]
    pub dest_dir: Option<PathBuf>,
    /// The live folder the snapshots are of (with --dest-dir)
    #[arg(long, value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SnapshotsArgs {
    /// A configured mount (its source folder, or any folder inside it); default: the mount
    /// that contains the current folder
    #[arg(value_name = "MOUNT")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Pin a snapshot (name, unique prefix, latest, latest~N): no cleanup deletes it
    #[arg(long, value_name = "SNAP", conflicts_with = "unpin")]
    pub pin: Option<String>,
    /// Unpin a snapshot, so cleanup may delete it again
    #[arg(long, value_name = "SNAP")]
    pub unpin: Option<String>,
    /// Print JSON (schema in docs/restore.md) instead of a table
    #[arg(long, conflicts_with_all = ["pin", "unpin"])]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Snapshot to compare (name, unique prefix, latest, latest~N); default: latest
    #[arg(value_name = "SNAP")]
    pub snap: Option<String>,
    /// Second snapshot; default: the live folder now
    #[arg(value_name = "SNAP2")]
    pub snap2: Option<String>,
    /// Only list changed paths with a summary, no file contents
    #[arg(long)]
    pub stat: bool,
    /// Only these paths (files or folders, relative to the mount or absolute)
    #[arg(last = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The mount (its source folder, or a folder inside it); default: the current folder's
    #[arg(long, value_name = "DIRECTORY")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
}

#[derive(Debug, Clone, Args)]
pub struct AcceptIgnoreArgs {
    /// The mount (its source folder, or a folder inside it); default: the current folder's
    #[arg(long, value_name = "DIRECTORY")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Skip the confirmation prompt
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// Snapshot to restore from (name, unique prefix, latest, latest~N)
    #[arg(value_name = "SNAP")]
    pub snap: String,
    /// Files or folders to restore (relative to the mount or absolute); default: everything
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Restore into this folder instead of the live one
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// Also delete files and folders created since the snapshot (never what .backupignore
    /// leaves out)
    #[arg(long)]
    pub delete_new: bool,
    /// The mount (its source folder, or a folder inside it); default: the current folder's
    #[arg(long, value_name = "DIRECTORY")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
}

#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// The file (relative to the mount or absolute)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The mount (its source folder, or a folder inside it); default: the current folder's
    #[arg(long, value_name = "DIRECTORY")]
    pub mount: Option<PathBuf>,
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Print JSON (schema in docs/restore.md) instead of a table
    #[arg(long)]
    pub json: bool,
}

// ---- `list-bundles`

/// Flags of `list-bundles`.
#[derive(Debug, Clone, Args)]
pub struct ListBundlesArgs {
    /// Print JSON (schema in docs/provisioning.md) instead of lines
    #[arg(long)]
    pub json: bool,
}

// ---- `prepare`, `create-vm`, `start-vm`/`stop-vm`/`restart-vm`, `destroy-vm`, `up`, `down`,
// `shell`, `ssh`

#[derive(Debug, Clone, Args)]
pub struct PrepareArgs {
    /// Run the install commands (sudo) without asking
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CreateVmArgs {
    /// The VM (a name under `vms:`); may be left out when only one is configured
    pub vm_name: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct VmTargetArgs {
    /// The VM (a name under `vms:`); may be left out when only one is configured
    pub vm_name: Option<String>,

    /// Every VM from the configuration
    #[arg(long)]
    pub all_vms: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SuspendVmArgs {
    #[command(flatten)]
    pub target: VmTargetArgs,

    /// Suspend without asking even if configured agents are still running
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DestroyVmArgs {
    /// The VM to delete
    pub vm_name: Option<String>,

    /// Delete all VMs from the configuration
    #[arg(long)]
    pub all: bool,

    /// Confirm deletion without prompting
    #[arg(short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct UpArgs {
    /// Run the prepare stage (default)
    #[arg(long, overrides_with = "no_prepare")]
    pub prepare: bool,
    /// Skip the prepare stage
    #[arg(long)]
    pub no_prepare: bool,
    /// Run the create-vms stage (default)
    #[arg(long, overrides_with = "no_create_vms")]
    pub create_vms: bool,
    /// Skip the create-vms stage
    #[arg(long)]
    pub no_create_vms: bool,
    /// Run the install-agents stage (default)
    #[arg(long, overrides_with = "no_install_agents")]
    pub install_agents: bool,
    /// Skip the install-agents stage
    #[arg(long)]
    pub no_install_agents: bool,
    /// Let prepare run its install commands (sudo) without asking
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DownArgs {
    /// Stop all VMs without asking even if configured agents are still running
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ShellArgs {
    /// The VM; may be left out when only one is configured
    pub vm_name: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SshArgs {
    /// The VM (a name under `vms:`)
    pub vm_name: String,

    /// ssh options, then the remote command (`agsekit ssh vm -- uname -a`)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "SSH_ARGS"
    )]
    pub ssh_args: Vec<OsString>,
}

// ---- `mount`, `umount`

#[derive(Debug, Clone, Args)]
pub struct MountArgs {
    /// A configured folder, or a folder inside one (the deepest mount covering it is used)
    #[arg(value_name = "SOURCE_DIR")]
    pub source_dir: Option<PathBuf>,

    /// The same as SOURCE_DIR
    #[arg(long = "source-dir", value_name = "DIR", conflicts_with = "source_dir")]
    pub source_dir_flag: Option<PathBuf>,

    /// Every mount from the configuration
    #[arg(long)]
    pub all: bool,

    /// Only mounts into this VM (picks one when a folder is mounted into several VMs)
    #[arg(long, value_name = "VM")]
    pub vm: Option<String>,
}

// ---- `install-agents`

#[derive(Debug, Clone, Args)]
pub struct InstallAgentsArgs {
    /// The agent (a name under `agents:`); may be left out when only one is configured
    pub agent_name: Option<String>,

    /// Install into this VM only (default: the agent's `vm`/`vms`, or every VM)
    pub vm: Option<String>,

    /// Install the agent into every VM from the configuration
    #[arg(long)]
    pub all_vms: bool,

    /// Install every agent from the configuration
    #[arg(long)]
    pub all_agents: bool,

    /// Install the newest release, ignoring `version:` pins
    #[arg(long)]
    pub upgrade: bool,

    /// With --upgrade: look the newest versions up again before installing
    #[arg(long)]
    pub force_check_versions: bool,

    /// Proxy URL for the installers (scheme://host:port); "" disables proxychains
    #[arg(long, value_name = "URL")]
    pub proxychains: Option<String>,
}

// ---- `status`

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Print JSON (schema in docs/status.md) instead of tables
    #[arg(long)]
    pub json: bool,
}

// ---- `daemon` (and its deprecated alias `systemd`)

#[derive(Debug, Clone, Args)]
pub struct DaemonArgs {
    #[command(subcommand)]
    pub action: DaemonAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum DaemonAction {
    /// Install and start the agsekit background daemon.
    Install,
    /// Stop and remove the agsekit background daemon.
    Uninstall,
    /// Start the agsekit background daemon (restarts one of an older build).
    Start,
    /// Stop the agsekit background daemon.
    Stop,
    /// Restart the agsekit background daemon.
    Restart,
    /// Show the current agsekit daemon status.
    Status {
        /// Print JSON (schema in docs/daemon.md) instead of lines
        #[arg(long)]
        json: bool,
    },
    /// Run the daemon in the foreground (what the service starts).
    Run,
}

// ---- `doctor`

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// Apply doctor repairs without confirmation when a repairable issue is found
    #[arg(short = 'y', long = "yes")]
    pub yes: bool,
    /// Print the checks as JSON (schema in docs/doctor.md); repairs nothing
    #[arg(long, conflicts_with = "yes")]
    pub json: bool,
}
