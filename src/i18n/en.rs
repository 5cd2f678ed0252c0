//! English messages: the source texts. Keys are `area.name`; `{name}` is a placeholder filled
//! by `t!(key, name = value)`. Every key here must be in `ru.rs` too (a unit test checks).

pub const MESSAGES: &[(&str, &str)] = &[
    // The CLI frame (src/cli/mod.rs)
    ("cli.version", "Installed version: {version}"),
    // Line prompts (src/cli/prompt.rs)
    ("prompt.number", "Number"),
    ("prompt.number_range", "type a number from 1 to {count}"),
    ("prompt.default_yes", "Y/n"),
    ("prompt.default_no", "y/N"),
    ("prompt.answer_yes_no", "answer y or n"),
    ("prompt.closed", "no answer: the input was closed"),
    (
        "prompt.closed_hint",
        "run the command again in a terminal, or pass every value as flags (see --help)",
    ),
    // The menu and the fallback (src/cli/menu.rs)
    ("menu.title", "agsekit: choose a command (Ctrl-C quits)"),
    ("menu.section.setup", "Setup and configuration"),
    ("menu.section.vms", "Virtual machines"),
    ("menu.section.mounts", "Mounts"),
    ("menu.section.agents", "Agents and shells"),
    ("menu.section.backups", "Backups and snapshots"),
    ("menu.section.status", "Status and services"),
    ("menu.pick", "Command (number or name)"),
    ("menu.pick_again", "type a number from 1 to {count} or a command name"),
    ("menu.leave_out", "(leave it out)"),
    ("menu.other", "(type another value)"),
    ("menu.value", "Value"),
    ("menu.optional", "empty to leave it out"),
    ("menu.several", "several values: separate with spaces, quote as in a shell"),
    ("menu.bad_words", "cannot split this as a shell would: {reason}"),
    ("menu.required", "a value is needed"),
    ("menu.mount_choice", "{source} -> {vm}:{target}"),
    ("menu.pick_mount", "Mount"),
    ("menu.no_snapshots", "no snapshots in {path} yet"),
    (
        "menu.no_config",
        "The config could not be used ({reason}); type values instead of picking them.",
    ),
    ("menu.preview", "Command: {command}"),
    ("menu.confirm", "Run it?"),
    ("menu.cancelled", "Not run."),
    (
        "menu.fallback",
        "Missing {missing}: asking for it (--non-interactive turns this off).",
    ),
    // config-gen (src/cli/config_gen.rs)
    (
        "config_gen.intro",
        "agsekit config-gen builds a config by asking questions.\nPress Enter to take the value in [brackets]; Ctrl-C stops without writing anything.",
    ),
    (
        "config_gen.vms",
        "\n== Virtual machines (the first one is the default VM)",
    ),
    ("config_gen.vm_name", "VM name"),
    ("config_gen.vm_cpu", "Virtual CPUs"),
    ("config_gen.vm_ram", "Memory (like 4G or 4096M)"),
    ("config_gen.vm_disk", "Disk size (like 20G)"),
    (
        "config_gen.vm_bundles",
        "Bundles to install, comma-separated (pyenv, nvm, python[:version], nodejs[:version], rust, golang, docker; empty for none)",
    ),
    (
        "config_gen.vm_proxy",
        "Send this VM's agent traffic through a proxy?",
    ),
    (
        "config_gen.vm_proxychains",
        "proxychains URL, like socks5://127.0.0.1:8181 (empty for none)",
    ),
    (
        "config_gen.vm_http_proxy",
        "HTTP proxy upstream for a VM-local privoxy, like socks5://127.0.0.1:8181 (empty for none)",
    ),
    ("config_gen.vm_more", "Add another VM?"),
    ("config_gen.agents", "\n== Agents"),
    ("config_gen.agent_add", "Add an agent?"),
    ("config_gen.agent_type", "Agent type:"),
    (
        "config_gen.agent_name",
        "Agent name (used as `agsekit run NAME`)",
    ),
    (
        "config_gen.agent_version",
        "Version (empty for the latest, `stable` for the tested one, or like 1.2.3)",
    ),
    (
        "config_gen.agent_vms",
        "VMs for this agent, comma-separated (empty for all)",
    ),
    ("config_gen.agent_more", "Add another agent?"),
    ("config_gen.mounts", "\n== Shared folders (mounts)"),
    ("config_gen.mount_add", "Share a host folder with a VM now?"),
    ("config_gen.mount_source", "Host folder to share"),
    ("config_gen.mount_target", "Folder inside the VM"),
    ("config_gen.mount_backup", "Snapshot folder on the host"),
    ("config_gen.mount_vm", "VM for this folder:"),
    ("config_gen.mount_interval", "Minutes between snapshots"),
    (
        "config_gen.mount_agents",
        "Agents allowed in this folder, comma-separated names or types (empty for no restriction)",
    ),
    (
        "config_gen.mount_ignore",
        "Write a default .backupignore into the folder (venv/, node_modules/, caches)?",
    ),
    ("config_gen.mount_more", "Share another folder?"),
    ("config_gen.global", "\n== Global settings"),
    (
        "config_gen.global_add",
        "Change global settings (SSH key folder, update checks, proxy port pool)?",
    ),
    ("config_gen.global_ssh", "Folder for the tool's SSH keys"),
    (
        "config_gen.global_pf",
        "Seconds between port-forwarding config checks",
    ),
    ("config_gen.global_check", "Check for new agsekit versions?"),
    (
        "config_gen.global_pool_start",
        "First port of the HTTP proxy pool",
    ),
    ("config_gen.global_pool_end", "Last port of the HTTP proxy pool"),
    ("config_gen.destination", "Save the config to"),
    (
        "config_gen.needs_tty",
        "config-gen asks questions and needs a terminal (stdin and stderr), and --non-interactive was given or there is none",
    ),
    (
        "config_gen.hint_example",
        "`agsekit config-example [PATH]` writes a commented example config to edit instead",
    ),
    (
        "config_gen.exists",
        "{path} already exists; config-gen never replaces a file without --overwrite",
    ),
    (
        "config_gen.choose_other",
        "{path} already exists; give another path (or run config-gen again with --overwrite)",
    ),
    (
        "config_gen.wrote",
        "Wrote {path}.\nNext: `agsekit config-check` to review it, then `agsekit create-vms`.",
    ),
    (
        "config_gen.replaced",
        "The previous file is saved as {path}.",
    ),
    (
        "config_gen.mount_warning",
        "warning: {reason}; {fix}. Keep this folder anyway?",
    ),
    ("config_gen.empty_folder", "type a folder, like ~/projects/app"),
    (
        "config_gen.target_relative",
        "write an absolute path, like /home/ubuntu/project",
    ),
    (
        "config_gen.hint_overwrite",
        "pass --overwrite to replace it, or choose another --config PATH",
    ),
    ("config_gen.hint_again", "run config-gen again"),
    ("config_gen.whole_number", "type a whole number from 1 to {max}"),
    (
        "config_gen.below_minimum",
        "{size} is below the Multipass minimum of {min}",
    ),
    (
        "config_gen.name_taken",
        "{name} is already used; choose another name",
    ),
    ("config_gen.no_such_vm", "no VM named {name}; the VMs are {vms}"),
    (
        "config_gen.cannot_share",
        "{path} cannot be shared; choose a project folder",
    ),
    ("config_gen.already_shared", "{path} is already shared"),
    ("config_gen.target_taken", "{path} is already used in VM {vm}"),
    (
        "config_gen.backup_inside",
        "{path} is inside the shared folder; snapshots would copy themselves",
    ),
    (
        "config_gen.backup_taken",
        "{path} is already used by another folder",
    ),
    (
        "config_gen.unknown_agent",
        "{name} is neither one of the agents above nor an agent type",
    ),
    ("config_gen.pool_end", "the last port must be at least {start}"),
    ("config_gen.dest_is_folder", "{path} is a folder; give a file path"),
    (
        "config_gen.generated_invalid",
        "the generated config does not validate, so nothing was written: {detail}",
    ),
    (
        "config_gen.hint_report",
        "please report this; `agsekit config-example` writes an example to edit meanwhile",
    ),
    ("config_gen.cannot_write", "cannot write {path}: {error}"),
    ("config_gen.hint_permissions", "check the permissions of {path}"),
    (
        "config_gen.no_folder_for_backupignore",
        "agsekit: warning: {path} does not exist yet, so no .backupignore was written",
    ),
    ("config_gen.wrote_backupignore", "Wrote a default {path}"),
    ("config_gen.kept_backupignore", "{path} already exists; left unchanged"),
    (
        "config_gen.backupignore_failed",
        "agsekit: warning: cannot write {path}: {error}",
    ),
    // agsekit run: the session (src/run/session.rs, src/run/policy.rs, src/cli/run.rs)
    ("run.no_workdir", "working folder {path} does not exist"),
    ("run.no_workdir_hint", "pass an existing folder with --workdir"),
    (
        "run.starts_mounted",
        "agent `{agent}` runs in VM `{vm}` in {workdir} (snapshots of {source} every {interval} min)",
    ),
    (
        "run.starts_temporary",
        "agent `{agent}` runs in VM `{vm}` in the temporary folder {workdir} (not shared, no backups)",
    ),
    ("run.loop_failed", "cannot start background snapshots: {error}"),
    ("run.review_failed", "could not review the session's changes: {error}"),
    (
        "run.outside_mounts",
        "{path} is not inside any mount in {config}: an agent started here would not be protected",
    ),
    (
        "run.outside_mounts_hint",
        "add it with `agsekit addmount {path}`, or run from a mounted folder",
    ),
    (
        "run.ask_temporary",
        "This folder is outside every mounted folder. Run the agent in a temporary, unshared folder in the VM (no backups)?",
    ),
    ("run.mkdir_failed", "cannot create {dir} in VM `{vm}`: {error}"),
    ("run.snapshot_before", "Taking a snapshot of {source} before the agent starts"),
    (
        "run.first_snapshot_before",
        "Taking the first snapshot of {source} before the agent starts",
    ),
    ("run.backup_warning", "backup warning: {warning}"),
    ("run.clean_failed", "could not remove old snapshots: {error}"),
    (
        "run.snapshot_busy",
        "another snapshot of {source} is being written now; not waiting for it",
    ),
    (
        "run.pre_snapshot_failed",
        "the pre-run snapshot failed; the agent was not started",
    ),
    (
        "run.unshared_mount_problem",
        "the launcher reported a mount problem for an unshared folder",
    ),
    (
        "run.still_not_usable",
        "{path} is still not usable inside VM `{vm}` after mounting it again",
    ),
    ("run.not_installed", "agent `{agent}` ({binary}) is not installed in VM `{vm}`"),
    ("run.no_workdir_in_vm", "{path} does not exist inside VM `{vm}`"),
    ("run.no_workdir_in_vm_hint", "agsekit doctor (the mount may be stale)"),
    (
        "run.launcher_failed",
        "the launcher in VM `{vm}` could not start the agent (exit {code}; its message is above)",
    ),
    ("run.installing_launcher", "installing the agsekit launcher in VM `{vm}`"),
    ("run.signals_failed", "cannot install signal handlers: {error}"),
    ("run.wait_failed", "waiting for the agent failed: {error}"),
    (
        "run.remount_empty",
        "{source} is registered in VM `{vm}` but looks empty there; mounting it again",
    ),
    (
        "run.remount_dead",
        "{source} is registered in VM `{vm}` but is not live; mounting it again",
    ),
    ("run.ask_mount", "{source} is not mounted in VM `{vm}`. Mount it now?"),
    ("run.not_mounted", "{source} is configured for VM `{vm}` but not mounted"),
    ("run.not_mounted_hint", "agsekit mount {source} (or pass --auto-mount)"),
    (
        "run.env_failed",
        "could not write the environment of agent `{agent}` into VM `{vm}` (exit {code})",
    ),
    ("run.vm_not_running", "VM `{vm}` is {state}"),
    ("run.scope_mount", "mount {path}"),
    ("run.scope_vm", "VM {vm}"),
    ("run.not_allowed", "agent `{agent}` is not allowed for {scope}; allowed_agents: {list}"),
    ("run.allowed_none", "(none)"),
    (
        "run.not_allowed_hint",
        "add `{agent}` to allowed_agents of the {scope} in the config, or run an allowed agent",
    ),
    ("run.vm_not_defined", "VM `{vm}` is not defined in {config}; defined VMs: {list}"),
    ("run.no_vms", "no VMs are defined in {config}"),
    ("run.no_vms_hint", "add a `vms:` section (agsekit config-example shows one)"),
    (
        "run.two_proxies",
        "an HTTP proxy and proxychains cannot both be enabled for agent `{agent}` in VM `{vm}`",
    ),
    (
        "run.two_proxies_hint",
        "disable one of them: `--proxychains \"\"` or `--http-proxy \"\"`, or set `proxychains: \"\"` on the agent",
    ),
    ("run.no_cwd", "cannot read the current folder (was it deleted?)"),
    ("run.no_cwd_hint", "cd into your project and try again"),
    ("run.no_exe", "cannot find the agsekit executable: {error}"),
    ("review.no_changes", "no changes in {source} during this session"),
    (
        "review.summary",
        "this session changed {source}: {added} added, {modified} modified, {deleted} deleted (compared with snapshot {snapshot})",
    ),
    ("review.largest_deletions", "largest deletions: {list}"),
    (
        "review.protected",
        "WARNING: protected paths changed (code here can run on your host later):",
    ),
    ("review.restore_all", "to restore everything: {command}"),
    ("review.restore_protected", "to restore them: {command}"),
    // Shims (src/cli/shims.rs)
    ("shims.created", "created   {name}"),
    ("shims.updated", "updated   {name}"),
    ("shims.unchanged", "unchanged {name}"),
    ("shims.removed", "removed   {name}"),
    ("shims.foreign", "{path} exists and was not made by agsekit; left alone"),
    ("shims.invalid_name", "{name} cannot be a shim name; skipped"),
    (
        "shims.path_hint",
        "put {dir} first on PATH: add `eval \"$(agsekit init bash)\"` to ~/.bashrc (zsh: init zsh; fish: `agsekit init fish | source`)",
    ),
    ("shims.none", "no shims in {dir}"),
    ("shims.list_title", "shims in {dir}:"),
    ("shims.host", "host: {path}"),
    ("shims.host_none", "host: none"),
    ("shims.stale", "(points at another agsekit; run `agsekit shims install`)"),
    ("shims.path_first", "{dir} is first on PATH"),
    ("shims.path_not_first", "{dir} is on PATH but not first"),
    ("shims.path_missing", "{dir} is not on PATH (see `agsekit init --help`)"),
    (
        "shims.loop",
        "the shim `{name}` ran itself again: the `{name}` found on PATH leads back to agsekit",
    ),
    (
        "shims.loop_hint",
        "check PATH and `agsekit shims list`; remove the loop (a wrapper script calling the shim?)",
    ),
    ("shims.no_host_program", "no `{name}` on PATH outside the shims folder {dir}"),
    (
        "shims.no_host_program_hint",
        "install {name} on the host, or use it in a mounted folder, where it runs in the VM",
    ),
    (
        "shims.no_agent",
        "{path} is a mounted folder, but no agent in {config} is called `{name}` or runs `{name}`",
    ),
    (
        "shims.no_agent_hint",
        "add an agent with `type: {name}` under `agents:`, or run `agsekit shims exec --host {name}`",
    ),
    (
        "shims.refuse",
        "{path} is not inside a mounted folder, so `{name}` would run unprotected; refusing",
    ),
    ("shims.refuse_hint", "protect this folder: agsekit addmount {path}"),
    (
        "shims.refuse_hint_host",
        "or run the host program once: agsekit shims exec --host {name} ...",
    ),
];
