//! Messages of the VM lifecycle commands: prepare, create-vm(s), start/stop/restart/destroy-vm,
//! up, down, install-agents, check-new-version, pip-upgrade, ssh, shell, list-bundles and the
//! shims' file errors (src/cli/vms.rs, src/cli/agents.rs, src/lifecycle/, src/provision/,
//! src/shim/manage.rs). English and Russian side by side; same keys, same `{placeholders}`.

pub const EN: &[(&str, &str)] = &[
    // prepare, create-vm(s), start/stop/restart/destroy-vm, up, down, shell, ssh, pip-upgrade (src/cli/vms.rs)
    ("lifecycle.prepare.present", "{name}: installed"),
    ("lifecycle.prepare.plan", "To install what is missing, agsekit will run:"),
    ("lifecycle.prepare.needs_sudo", "these commands need sudo and nobody can be asked here"),
    (
        "lifecycle.prepare.needs_sudo_hint",
        "run them yourself, or re-run with -y: `agsekit prepare -y`",
    ),
    ("lifecycle.prepare.confirm", "Run them now?"),
    ("lifecycle.prepare.declined", "stopped: nothing was installed"),
    (
        "lifecycle.prepare.declined_hint",
        "run the commands above yourself, then `agsekit prepare` again",
    ),
    ("lifecycle.prepare.key_created", "SSH key: {path} (created)"),
    ("lifecycle.prepare.key_kept", "SSH key: {path} (kept)"),
    ("lifecycle.create.spinner", "Creating VM {names}"),
    ("lifecycle.create.step_installed", "{name} installed"),
    ("lifecycle.create.step_installed_version", "{name} ({version}) installed"),
    ("lifecycle.create.step_already", "{name} already there"),
    ("lifecycle.create.step_already_version", "{name} ({version}) already there"),
    ("lifecycle.create.step_failed", "{name} failed"),
    ("lifecycle.create.step_failed_version", "{name} ({version}) failed"),
    ("lifecycle.create.vm_created", "VM {name}: created; {steps}"),
    ("lifecycle.create.vm_existed", "VM {name}: already existed; {steps}"),
    ("lifecycle.create.mismatch_cpu", "CPU {configured} in the config, {actual} in the VM"),
    ("lifecycle.create.mismatch_memory", "memory {configured} in the config, {actual} in the VM"),
    ("lifecycle.create.mismatch_disk", "disk {configured} in the config, {actual} in the VM"),
    (
        "lifecycle.create.differs",
        "VM `{name}` differs from the config and was not changed (resizing is not supported): {diffs}",
    ),
    (
        "lifecycle.create.differs_hint",
        "to apply the config, `agsekit destroy-vm {name}` then `agsekit create-vm {name}` (this deletes everything inside the VM)",
    ),
    ("lifecycle.spin.starting", "Starting"),
    ("lifecycle.spin.starting_vm", "Starting VM {name}"),
    ("lifecycle.spin.stopping", "Stopping"),
    ("lifecycle.spin.stopping_vm", "Stopping VM {name}"),
    ("lifecycle.spin.restarting", "Restarting"),
    ("lifecycle.spin.daemon_install", "Installing the daemon"),
    ("lifecycle.spin.daemon_stop", "Stopping the daemon"),
    ("lifecycle.vm.running", "VM {name}: running"),
    ("lifecycle.vm.was_down", "VM {name}: was not running"),
    ("lifecycle.vm.stopped", "VM {name}: stopped"),
    ("lifecycle.vm.forced", "VM {name}: stopped (forced)"),
    ("lifecycle.vm.restarted", "VM {name}: restarted"),
    ("lifecycle.vm.restarted_remounted", "VM {name}: restarted; mounted again: {targets}"),
    ("lifecycle.vm.deleted", "VM {name}: deleted"),
    ("lifecycle.vm.nothing_to_delete", "VM {name}: does not exist; nothing to delete"),
    (
        "lifecycle.destroy.needs_confirm",
        "deleting VM {names} needs confirmation, and nobody can be asked here",
    ),
    ("lifecycle.destroy.needs_confirm_hint", "re-run with -y: `{command}`"),
    (
        "lifecycle.destroy.warning",
        "This deletes VM {names} and everything inside it for good (installed agents, their logins, files outside the mounts). Mounted host folders and backups are not touched; other deleted VMs are not purged.",
    ),
    ("lifecycle.destroy.confirm", "Delete?"),
    ("lifecycle.destroy.nothing", "nothing deleted"),
    ("lifecycle.up.nothing", "nothing to do: every stage is switched off"),
    ("lifecycle.up.nothing_hint", "drop one of --no-prepare, --no-create-vms, --no-install-agents"),
    ("lifecycle.up.stage", "stage {n}: {stage}"),
    ("lifecycle.up.no_agents", "no agents are configured; nothing to install"),
    ("lifecycle.up.done", "Setup completed successfully"),
    ("lifecycle.up.daemon_failed", "the daemon was not installed: {error}"),
    (
        "lifecycle.up.daemon_failed_hint",
        "`agsekit daemon install` tries again; `agsekit daemon start` runs it without a service manager",
    ),
    ("lifecycle.daemon_line", "daemon: {line}"),
    ("lifecycle.down.daemon_failed", "the daemon was not stopped: {error}"),
    ("lifecycle.down.skipped", "VM {name}: {state} (skipped)"),
    ("lifecycle.down.missing", "VM {name}: does not exist (skipped)"),
    (
        "lifecycle.down.no_ps",
        "cannot list the processes of VM `{vm}`; it is stopped without checking for agents",
    ),
    ("lifecycle.down.agents_running", "configured agents are still running:"),
    ("lifecycle.down.agent_line", "  VM {vm}: pid {pid} {args}"),
    ("lifecycle.down.refuse", "agents are still running; stopping their VMs would kill them"),
    ("lifecycle.down.refuse_hint", "finish them first, or use `agsekit down --force`"),
    ("lifecycle.down.confirm", "Stop the VMs anyway?"),
    ("lifecycle.down.nothing", "nothing stopped"),
    ("lifecycle.vms_ambiguous", "{vms} are configured ({names}); say which one"),
    ("lifecycle.which_vm", "Which VM?"),
    ("lifecycle.ssh.no_key", "the agsekit SSH key {path} does not exist"),
    (
        "lifecycle.ssh.no_ip_wait",
        "wait a moment and retry; `multipass info {name}` shows its addresses",
    ),
    ("lifecycle.ssh.no_ip", "VM `{name}` has no IP address (it is {state})"),
    ("lifecycle.ssh.no_ssh", "`ssh` is not installed"),
    ("lifecycle.ssh.install_hint", "agsekit prepare (installs the OpenSSH client)"),
    // install-agents, check-new-version (src/cli/agents.rs, src/lifecycle/agents.rs, src/provision/versions.rs)
    ("lifecycle.agents.force_needs_upgrade", "--force-check-versions works only with --upgrade"),
    ("lifecycle.agents.all_agents", "all agents"),
    ("lifecycle.agents.which_agent", "Which agent?"),
    ("lifecycle.agents.bound_vms", "each agent's own VMs (its vm/vms, or every VM)"),
    ("lifecycle.agents.all_vms", "all VMs"),
    ("lifecycle.agents.which_vms", "Install into which VMs?"),
    ("lifecycle.agents.skipped", "skipped {what}"),
    ("lifecycle.agents.none_allowed", "no agent may be installed into any VM of this selection"),
    (
        "lifecycle.agents.none_allowed_hint",
        "check the agents' `vm`/`vms` and the VMs' `allowed_agents`",
    ),
    ("lifecycle.spin.installing_agents", "Installing agents"),
    ("lifecycle.agents.version_unknown", "(version unknown)"),
    ("lifecycle.agents.installed", "{agent} in VM {vm}: installed {version}"),
    ("lifecycle.agents.already", "{agent} in VM {vm}: already installed {version}"),
    ("lifecycle.agents.failed", "{agent} in VM {vm}: failed {version}"),
    ("lifecycle.agents.failed_upper", "{agent} in VM {vm}: FAILED"),
    ("lifecycle.agents.failed_hint", "rerun with --debug to see the installer's commands"),
    ("lifecycle.versions.lookup_failed", "could not look up the newest versions: {errors}"),
    (
        "lifecycle.versions.lookup_failed_hint",
        "check the network (and --debug); without --force-check-versions the cached versions are used",
    ),
    ("lifecycle.versions.unknown", "no newest version of {types} is known yet ({path} has none)"),
    (
        "lifecycle.versions.unknown_hint",
        "run `agsekit check-new-version` first, or add --force-check-versions",
    ),
    ("lifecycle.spin.versions", "Looking up the newest versions"),
    ("lifecycle.versions.no_agents", "No agents are configured; no agent versions to look up."),
    ("lifecycle.versions.fresh", "{agent_type}: {version} (checked less than a day ago)"),
    ("lifecycle.versions.failed", "{agent_type}: unknown"),
    ("lifecycle.versions.saved", "Saved in {path}"),
    (
        "lifecycle.versions.self",
        "agsekit {version}: its own newest version is not looked up (install it from source; see docs/compatibility.md)",
    ),
    (
        "lifecycle.versions.failed_hint",
        "rerun with --debug to see the lookup commands; npm types need `npm` on this host, aider needs `python3 -m pip`",
    ),
    ("lifecycle.versions.npm", "npm package {package}"),
    ("lifecycle.versions.pypi", "Python package {package}"),
    ("lifecycle.versions.github", "GitHub releases of {repo}"),
    (
        "lifecycle.versions.command_failed",
        "{what}: `{command}` failed with exit code {code}: {error}",
    ),
    ("lifecycle.versions.no_release", "{what}: no release version in the answer"),
    ("lifecycle.select.name_and_all", "give either a VM name or {flag}, not both"),
    ("lifecycle.select.hint", "give a VM name, or {flag} for every VM"),
    ("lifecycle.agents.name_and_all", "give either an agent name or --all-agents, not both"),
    ("lifecycle.agents.ambiguous", "{agents} are configured ({names}); say which one"),
    ("lifecycle.agents.ambiguous_hint", "agsekit install-agents AGENT, or --all-agents"),
    ("lifecycle.agents.none_defined", "no agents are defined in {path}"),
    (
        "lifecycle.agents.none_defined_hint",
        "add one under `agents:` (name and type); `agsekit config-example PATH` shows how",
    ),
    ("lifecycle.agents.not_allowed", "agent `{agent}` is not in `vms.{vm}.allowed_agents`"),
    ("lifecycle.agents.not_allowed_hint", "add it to vms.{vm}.allowed_agents in {path}"),
    ("lifecycle.agents.skip_not_allowed", "{agent} in {vm}: not in vms.{vm}.allowed_agents"),
    ("lifecycle.agents.installing", "installing {agent} ({agent_type}) in VM `{vm}`"),
    // create-vm(s) progress and failures (src/lifecycle/create.rs)
    (
        "lifecycle.create.no_room",
        "not enough resources to create {names}: they need {want_cpu} CPU and {want_mem} of memory; the host has {host_cpu} CPU and {host_mem} of memory, running VMs use {used_cpu} CPU and {used_mem}, and 1 CPU and 1.0 GiB must stay free for the host",
    ),
    (
        "lifecycle.create.no_room_hint",
        "lower `cpu`/`ram` of these VMs in the config, or stop other VMs (`agsekit stop-vm NAME`)",
    ),
    (
        "lifecycle.create.bad_timeout",
        "AGSEKIT_MULTIPASS_LAUNCH_TIMEOUT_SECONDS must be a positive number of seconds, not `{value}`",
    ),
    ("lifecycle.create.key_created", "created the SSH key {path}"),
    ("lifecycle.create.deleted", "VM `{name}` exists in Multipass but is deleted (not purged)"),
    (
        "lifecycle.create.deleted_hint",
        "`multipass recover {name}` to bring it back, or `multipass delete --purge {name}` to create it anew",
    ),
    ("lifecycle.create.exists", "VM `{name}` already exists; provisioning it"),
    (
        "lifecycle.create.no_host_facts",
        "cannot read the host's CPU count and memory; skipping the capacity check",
    ),
    ("lifecycle.create.launching", "launching VM `{name}` ({cpu} CPU, {ram} memory, {disk} disk)"),
    ("lifecycle.create.retrying", "{error}; retrying ({attempt}/2)"),
    ("lifecycle.create.script_failed", "`{name}` failed in VM `{vm}` (exit {code})"),
    (
        "lifecycle.create.script_failed_tail",
        "`{name}` failed in VM `{vm}` (exit {code}):\n  {tail}",
    ),
    (
        "lifecycle.create.script_failed_hint",
        "rerun with --debug to see the whole command; `agsekit shell {vm}` to look around",
    ),
    ("lifecycle.create.authorize_failed", "cannot add the agsekit SSH key to VM `{vm}`: {error}"),
    ("lifecycle.create.launcher_failed", "cannot install {path} in VM `{vm}`: {error}"),
    (
        "lifecycle.create.launcher_failed_hint",
        "the VM user needs passwordless sudo (Multipass's Ubuntu images have it)",
    ),
    ("lifecycle.create.step_starting", "VM `{name}`: starting"),
    ("lifecycle.create.step_key", "VM `{name}`: SSH key"),
    ("lifecycle.create.step_base", "VM `{name}`: base packages"),
    ("lifecycle.create.step_launcher", "VM `{name}`: agsekit launcher"),
    ("lifecycle.create.step_bundle", "VM `{name}`: bundle {bundle}"),
    // mount/umount selection, stopping VMs, the SSH key (src/lifecycle/mounts.rs, stop.rs, ssh.rs, procs.rs)
    ("lifecycle.mounts.path_and_all", "give either a folder or --all, not both"),
    ("lifecycle.mounts.not_covered", "no mount in {config} covers {path}"),
    ("lifecycle.mounts.ambiguous", "{mounts} are configured; say which folder"),
    (
        "lifecycle.mounts.ambiguous_hint",
        "give the folder (or a folder inside it), or --all for every mount",
    ),
    ("lifecycle.mounts.none", "no mounts are defined in {path}"),
    ("lifecycle.mounts.refused", "cannot mount into VM `{vm}`: {reason}"),
    ("lifecycle.mounts.no_source", "cannot mount {path}: the folder does not exist"),
    ("lifecycle.procs.agent_in", "{program} in {dir}"),
    ("lifecycle.stop.deleted", "VM `{name}` is deleted"),
    ("lifecycle.stop.resuming", "`{name}` is suspended: resuming it to shut it down cleanly"),
    ("lifecycle.stop.unmounted", "unmounted {target} from `{name}`"),
    ("lifecycle.stop.graceful_failed", "graceful stop of `{name}` failed ({error}); forcing it"),
    ("lifecycle.stop.timeout", "`{name}` did not stop within {secs}s; forcing it"),
    ("lifecycle.stop.still_running", "VM `{name}` is still not stopped after a forced stop"),
    (
        "lifecycle.stop.still_running_hint",
        "check `multipass info {name}`; `sudo snap restart multipass` may help",
    ),
    ("lifecycle.stop.remount_failed", "could not mount {path} again: {error}"),
    ("lifecycle.ssh.mkdir_failed", "cannot create {path}: {error}"),
    (
        "lifecycle.ssh.mkdir_failed_hint",
        "check `global.ssh_keys_folder` and the folder's permissions",
    ),
    ("lifecycle.ssh.no_keygen", "`ssh-keygen` is not installed"),
    ("lifecycle.ssh.keygen_failed", "ssh-keygen could not create {path}: {error}"),
    ("lifecycle.ssh.no_public", "cannot read the public key of {path}: {error}"),
    (
        "lifecycle.ssh.no_public_hint",
        "move {path} away and run `agsekit prepare` to make a new key (VMs made with the old key then need it again)",
    ),
    ("lifecycle.ssh.empty_public", "ssh-keygen printed no public key for {path}"),
    ("lifecycle.cannot_write", "cannot write {path}: {error}"),
    ("lifecycle.cannot_create", "cannot create {path}: {error}"),
    ("lifecycle.cannot_open", "cannot open {path}: {error}"),
    ("lifecycle.cannot_lock", "cannot lock {path}: {error}"),
    // prepare's host checks and plan (src/lifecycle/prepare.rs)
    ("lifecycle.prepare.unknown_os", "`agsekit prepare` does not know how to set up {os}"),
    (
        "lifecycle.prepare.by_hand_url",
        "install Multipass (https://canonical.com/multipass/install), ssh-keygen and rsync by hand",
    ),
    (
        "lifecycle.prepare.wsl",
        "this is WSL: Multipass cannot run its VMs inside WSL (there is no nested hypervisor there)",
    ),
    (
        "lifecycle.prepare.wsl_hint",
        "install Multipass on Windows itself, or use a Linux or macOS machine",
    ),
    (
        "lifecycle.prepare.both_families",
        "os-release {key}=\"{ids}\" names both Debian and Arch; cannot choose",
    ),
    ("lifecycle.prepare.by_hand", "install Multipass, ssh-keygen and rsync by hand"),
    (
        "lifecycle.prepare.unknown_linux",
        "cannot tell how to install packages on this Linux (neither a Debian/Ubuntu nor an Arch system)",
    ),
    (
        "lifecycle.prepare.unknown_linux_hint",
        "install Multipass (https://canonical.com/multipass/install), ssh-keygen and rsync by hand, then run `agsekit prepare` again for the SSH key",
    ),
    ("lifecycle.prepare.why_apt_update", "refresh the apt package lists"),
    ("lifecycle.prepare.why_install", "install {packages}"),
    ("lifecycle.prepare.why_snap", "install Multipass from the snap store"),
    (
        "lifecycle.prepare.no_aur_helper",
        "Multipass is not installed and no AUR helper (yay or paru) was found",
    ),
    (
        "lifecycle.prepare.no_aur_helper_hint",
        "install yay or paru, or build the `multipass` AUR package by hand, then run `agsekit prepare` again",
    ),
    ("lifecycle.prepare.why_aur", "install Multipass from the AUR with {helper}"),
    ("lifecycle.prepare.mac_no_keygen", "`ssh-keygen` is missing on this Mac"),
    (
        "lifecycle.prepare.mac_no_keygen_hint",
        "it ships with macOS; reinstall the Command Line Tools (`xcode-select --install`)",
    ),
    ("lifecycle.prepare.no_brew", "Homebrew is needed to install Multipass and rsync"),
    (
        "lifecycle.prepare.no_brew_hint",
        "install Homebrew (https://brew.sh), then run `agsekit prepare` again",
    ),
    ("lifecycle.prepare.why_brew_multipass", "install Multipass with Homebrew"),
    ("lifecycle.prepare.why_brew_rsync", "install rsync with Homebrew"),
    ("lifecycle.prepare.step_spawn_failed", "cannot {why}: {error}"),
    ("lifecycle.prepare.step_failed", "`{command}` failed with exit code {code}"),
    (
        "lifecycle.prepare.step_failed_hint",
        "fix the problem it printed, then run `agsekit prepare` again",
    ),
    // provisioning scripts and bundles (src/provision/)
    (
        "lifecycle.provision.bad_proxy",
        "invalid proxychains URL `{url}`: expected scheme://host:port with scheme http, https, socks4 or socks5",
    ),
    ("lifecycle.provision.bad_proxy_hint", "for example: --proxychains socks5://127.0.0.1:1080"),
    (
        "lifecycle.provision.bad_agent_version",
        "{key}: invalid version `{value}`; use latest, stable or an exact version such as 1.2.3",
    ),
    ("lifecycle.provision.set_stable", "set {key}: stable"),
    (
        "lifecycle.provision.bad_release_value",
        "invalid codex-glibc-prebuilt {flag} `{value}`: use letters, digits, `.`, `/`, `-`, `+` and `_`",
    ),
    ("lifecycle.provision.bad_release_value_hint", "check {var}"),
    ("lifecycle.provision.bad_version_for", "invalid version `{version}` for {agent_type}"),
    (
        "lifecycle.bundle.docker",
        "Docker Engine from Docker's apt repository, user added to the docker group",
    ),
    ("lifecycle.bundle.golang", "Go toolchain from the Ubuntu archive (golang-go)"),
    (
        "lifecycle.bundle.nodejs",
        "Node.js via nvm, made the default; the current LTS unless a version is given",
    ),
    ("lifecycle.bundle.nvm", "Node Version Manager in ~/.nvm"),
    ("lifecycle.bundle.pyenv", "pyenv in ~/.pyenv with the packages Python builds need"),
    (
        "lifecycle.bundle.python",
        "Python built with pyenv, made the global one; the newest unless a version is given",
    ),
    ("lifecycle.bundle.rust", "Rust via rustup; the stable toolchain unless a version is given"),
    ("lifecycle.bundle.depends_on", "depends on: {bundle}"),
    ("lifecycle.bundle.versioned", "supports version suffix"),
    ("lifecycle.bundle.unknown", "unknown bundle `{name}`; known bundles: {known}"),
    (
        "lifecycle.bundle.no_version",
        "bundle `{name}` takes no version (`{text}`); bundles with a version suffix: {versioned}",
    ),
    ("lifecycle.bundle.no_version_hint", "write `{name}` without `:{version}`"),
    (
        "lifecycle.bundle.bad_version",
        "invalid version `{version}` in bundle `{text}`: use letters, digits, `.`, `-`, `+` and `_`",
    ),
    ("lifecycle.bundle.bad_version_hint", "for example `{name}:22` or `{name}:3.12`"),
    // shims install/uninstall failures (src/shim/manage.rs)
    ("lifecycle.shims.lock_open_failed", "cannot open the shims lock {path}"),
    ("lifecycle.shims.mkdir_failed", "cannot create the shims folder {path}: {error}"),
    ("lifecycle.shims.mkdir_failed_hint", "pass another folder with --dir"),
    ("lifecycle.shims.remove_failed", "cannot remove the shim {path}"),
    ("lifecycle.shims.create_failed", "cannot create a shim in {dir}"),
    ("lifecycle.shims.install_failed", "cannot install the shim {path}"),
];

pub const RU: &[(&str, &str)] = &[
    // prepare, create-vm(s), start/stop/restart/destroy-vm, up, down, shell, ssh, pip-upgrade (src/cli/vms.rs)
    ("lifecycle.prepare.present", "{name}: установлен"),
    ("lifecycle.prepare.plan", "Чтобы установить недостающее, agsekit выполнит:"),
    (
        "lifecycle.prepare.needs_sudo",
        "этим командам нужен sudo, а спросить подтверждение здесь некого",
    ),
    (
        "lifecycle.prepare.needs_sudo_hint",
        "выполните их сами или запустите снова с -y: `agsekit prepare -y`",
    ),
    ("lifecycle.prepare.confirm", "Выполнить их сейчас?"),
    ("lifecycle.prepare.declined", "остановлено: ничего не установлено"),
    (
        "lifecycle.prepare.declined_hint",
        "выполните команды выше сами, затем снова `agsekit prepare`",
    ),
    ("lifecycle.prepare.key_created", "SSH-ключ: {path} (создан)"),
    ("lifecycle.prepare.key_kept", "SSH-ключ: {path} (уже был, оставлен)"),
    ("lifecycle.create.spinner", "Создание ВМ {names}"),
    ("lifecycle.create.step_installed", "{name}: установлен"),
    ("lifecycle.create.step_installed_version", "{name} ({version}): установлен"),
    ("lifecycle.create.step_already", "{name}: уже был установлен"),
    ("lifecycle.create.step_already_version", "{name} ({version}): уже был установлен"),
    ("lifecycle.create.step_failed", "{name}: ошибка"),
    ("lifecycle.create.step_failed_version", "{name} ({version}): ошибка"),
    ("lifecycle.create.vm_created", "ВМ {name}: создана; {steps}"),
    ("lifecycle.create.vm_existed", "ВМ {name}: уже существовала; {steps}"),
    ("lifecycle.create.mismatch_cpu", "CPU: {configured} в конфигурации, {actual} в ВМ"),
    ("lifecycle.create.mismatch_memory", "память: {configured} в конфигурации, {actual} в ВМ"),
    ("lifecycle.create.mismatch_disk", "диск: {configured} в конфигурации, {actual} в ВМ"),
    (
        "lifecycle.create.differs",
        "ВМ `{name}` отличается от конфигурации и не была изменена (изменение размеров не поддерживается): {diffs}",
    ),
    (
        "lifecycle.create.differs_hint",
        "чтобы применить конфигурацию, выполните `agsekit destroy-vm {name}`, затем `agsekit create-vm {name}` (это удалит всё внутри ВМ)",
    ),
    ("lifecycle.spin.starting", "Запуск"),
    ("lifecycle.spin.starting_vm", "Запуск ВМ {name}"),
    ("lifecycle.spin.stopping", "Остановка"),
    ("lifecycle.spin.stopping_vm", "Остановка ВМ {name}"),
    ("lifecycle.spin.restarting", "Перезапуск"),
    ("lifecycle.spin.daemon_install", "Установка фоновой службы"),
    ("lifecycle.spin.daemon_stop", "Остановка фоновой службы"),
    ("lifecycle.vm.running", "ВМ {name}: запущена"),
    ("lifecycle.vm.was_down", "ВМ {name}: не была запущена"),
    ("lifecycle.vm.stopped", "ВМ {name}: остановлена"),
    ("lifecycle.vm.forced", "ВМ {name}: остановлена (принудительно)"),
    ("lifecycle.vm.restarted", "ВМ {name}: перезапущена"),
    ("lifecycle.vm.restarted_remounted", "ВМ {name}: перезапущена; снова смонтированы: {targets}"),
    ("lifecycle.vm.deleted", "ВМ {name}: удалена"),
    ("lifecycle.vm.nothing_to_delete", "ВМ {name}: не существует; удалять нечего"),
    (
        "lifecycle.destroy.needs_confirm",
        "удаление ВМ {names} требует подтверждения, а спросить здесь некого",
    ),
    ("lifecycle.destroy.needs_confirm_hint", "запустите снова с -y: `{command}`"),
    (
        "lifecycle.destroy.warning",
        "ВМ {names} будет удалена навсегда вместе со всем содержимым (установленными агентами, их входами в аккаунты, файлами вне общих папок). Общие папки хоста и резервные копии не затрагиваются; другие удалённые ВМ не стираются (purge).",
    ),
    ("lifecycle.destroy.confirm", "Удалить?"),
    ("lifecycle.destroy.nothing", "ничего не удалено"),
    ("lifecycle.up.nothing", "делать нечего: все этапы отключены"),
    (
        "lifecycle.up.nothing_hint",
        "уберите один из флагов --no-prepare, --no-create-vms, --no-install-agents",
    ),
    ("lifecycle.up.stage", "этап {n}: {stage}"),
    ("lifecycle.up.no_agents", "агенты не настроены; устанавливать нечего"),
    ("lifecycle.up.done", "Настройка успешно завершена"),
    ("lifecycle.up.daemon_failed", "фоновая служба не установлена: {error}"),
    (
        "lifecycle.up.daemon_failed_hint",
        "`agsekit daemon install` попробует ещё раз; `agsekit daemon start` запустит его без менеджера служб",
    ),
    ("lifecycle.daemon_line", "фоновая служба: {line}"),
    ("lifecycle.down.daemon_failed", "фоновая служба не остановлена: {error}"),
    ("lifecycle.down.skipped", "ВМ {name}: {state} (пропущена)"),
    ("lifecycle.down.missing", "ВМ {name}: не существует (пропущена)"),
    (
        "lifecycle.down.no_ps",
        "не удалось получить список процессов ВМ `{vm}`; она будет остановлена без проверки агентов",
    ),
    ("lifecycle.down.agents_running", "настроенные агенты ещё работают:"),
    ("lifecycle.down.agent_line", "  ВМ {vm}: pid {pid} {args}"),
    ("lifecycle.down.refuse", "агенты ещё работают; остановка их ВМ завершит их"),
    ("lifecycle.down.refuse_hint", "сначала завершите их или используйте `agsekit down --force`"),
    ("lifecycle.down.confirm", "Всё равно остановить ВМ?"),
    ("lifecycle.down.nothing", "ничего не остановлено"),
    ("lifecycle.vms_ambiguous", "в конфигурации {vms} ({names}); укажите, какую именно"),
    ("lifecycle.which_vm", "Какая ВМ?"),
    ("lifecycle.ssh.no_key", "SSH-ключа agsekit {path} не существует"),
    (
        "lifecycle.ssh.no_ip_wait",
        "подождите немного и повторите; `multipass info {name}` покажет её адреса",
    ),
    ("lifecycle.ssh.no_ip", "у ВМ `{name}` нет IP-адреса (её состояние: {state})"),
    ("lifecycle.ssh.no_ssh", "`ssh` не установлен"),
    ("lifecycle.ssh.install_hint", "agsekit prepare (установит клиент OpenSSH)"),
    // install-agents, check-new-version (src/cli/agents.rs, src/lifecycle/agents.rs, src/provision/versions.rs)
    (
        "lifecycle.agents.force_needs_upgrade",
        "--force-check-versions работает только вместе с --upgrade",
    ),
    ("lifecycle.agents.all_agents", "все агенты"),
    ("lifecycle.agents.which_agent", "Какой агент?"),
    ("lifecycle.agents.bound_vms", "ВМ каждого агента (его vm/vms или все ВМ)"),
    ("lifecycle.agents.all_vms", "все ВМ"),
    ("lifecycle.agents.which_vms", "В какие ВМ установить?"),
    ("lifecycle.agents.skipped", "пропущено: {what}"),
    (
        "lifecycle.agents.none_allowed",
        "ни один агент из выбранных нельзя установить ни в одну из выбранных ВМ",
    ),
    ("lifecycle.agents.none_allowed_hint", "проверьте `vm`/`vms` агентов и `allowed_agents` ВМ"),
    ("lifecycle.spin.installing_agents", "Установка агентов"),
    ("lifecycle.agents.version_unknown", "(версия неизвестна)"),
    ("lifecycle.agents.installed", "{agent} в ВМ {vm}: установлен {version}"),
    ("lifecycle.agents.already", "{agent} в ВМ {vm}: уже установлен {version}"),
    ("lifecycle.agents.failed", "{agent} в ВМ {vm}: ошибка {version}"),
    ("lifecycle.agents.failed_upper", "{agent} в ВМ {vm}: ОШИБКА"),
    (
        "lifecycle.agents.failed_hint",
        "запустите снова с --debug, чтобы увидеть команды установщика",
    ),
    ("lifecycle.versions.lookup_failed", "не удалось узнать новейшие версии: {errors}"),
    (
        "lifecycle.versions.lookup_failed_hint",
        "проверьте сеть (и вывод --debug); без --force-check-versions используются сохранённые версии",
    ),
    ("lifecycle.versions.unknown", "новейшая версия {types} пока неизвестна (в {path} её нет)"),
    (
        "lifecycle.versions.unknown_hint",
        "сначала выполните `agsekit check-new-version` или добавьте --force-check-versions",
    ),
    ("lifecycle.spin.versions", "Поиск новейших версий"),
    ("lifecycle.versions.no_agents", "Агенты не настроены; проверять версии нечего."),
    ("lifecycle.versions.fresh", "{agent_type}: {version} (проверено меньше суток назад)"),
    ("lifecycle.versions.failed", "{agent_type}: неизвестно"),
    ("lifecycle.versions.saved", "Сохранено в {path}"),
    (
        "lifecycle.versions.self",
        "agsekit {version}: новейшая версия самого agsekit не проверяется (устанавливайте его из исходников; см. docs/compatibility.md)",
    ),
    (
        "lifecycle.versions.failed_hint",
        "запустите снова с --debug, чтобы увидеть команды проверки; типам из npm нужен `npm` на этом хосте, aider нужен `python3 -m pip`",
    ),
    ("lifecycle.versions.npm", "npm-пакет {package}"),
    ("lifecycle.versions.pypi", "Python-пакет {package}"),
    ("lifecycle.versions.github", "релизы {repo} на GitHub"),
    (
        "lifecycle.versions.command_failed",
        "{what}: `{command}` завершилась с кодом {code}: {error}",
    ),
    ("lifecycle.versions.no_release", "{what}: в ответе нет версии релиза"),
    ("lifecycle.select.name_and_all", "укажите либо имя ВМ, либо {flag}, но не то и другое"),
    ("lifecycle.select.hint", "укажите имя ВМ или {flag} для всех ВМ"),
    (
        "lifecycle.agents.name_and_all",
        "укажите либо имя агента, либо --all-agents, но не то и другое",
    ),
    ("lifecycle.agents.ambiguous", "в конфигурации {agents} ({names}); укажите, какой именно"),
    ("lifecycle.agents.ambiguous_hint", "agsekit install-agents АГЕНТ или --all-agents"),
    ("lifecycle.agents.none_defined", "в {path} не описано ни одного агента"),
    (
        "lifecycle.agents.none_defined_hint",
        "добавьте агента в раздел `agents:` (имя и type); как это сделать, показывает `agsekit config-example PATH`",
    ),
    ("lifecycle.agents.not_allowed", "агента `{agent}` нет в `vms.{vm}.allowed_agents`"),
    ("lifecycle.agents.not_allowed_hint", "добавьте его в vms.{vm}.allowed_agents в {path}"),
    ("lifecycle.agents.skip_not_allowed", "{agent} в {vm}: нет в vms.{vm}.allowed_agents"),
    ("lifecycle.agents.installing", "установка {agent} ({agent_type}) в ВМ `{vm}`"),
    // create-vm(s) progress and failures (src/lifecycle/create.rs)
    (
        "lifecycle.create.no_room",
        "недостаточно ресурсов для создания {names}: им нужно CPU: {want_cpu} и памяти: {want_mem}; на хосте CPU: {host_cpu} и памяти: {host_mem}, запущенные ВМ занимают CPU: {used_cpu} и памяти: {used_mem}, а 1 CPU и 1.0 GiB должны оставаться свободными для хоста",
    ),
    (
        "lifecycle.create.no_room_hint",
        "уменьшите `cpu`/`ram` этих ВМ в конфигурации или остановите другие ВМ (`agsekit stop-vm NAME`)",
    ),
    (
        "lifecycle.create.bad_timeout",
        "значение AGSEKIT_MULTIPASS_LAUNCH_TIMEOUT_SECONDS должно быть положительным числом секунд, а не `{value}`",
    ),
    ("lifecycle.create.key_created", "создан SSH-ключ {path}"),
    ("lifecycle.create.deleted", "ВМ `{name}` есть в Multipass, но удалена (без purge)"),
    (
        "lifecycle.create.deleted_hint",
        "`multipass recover {name}` вернёт её, а после `multipass delete --purge {name}` её можно создать заново",
    ),
    ("lifecycle.create.exists", "ВМ `{name}` уже существует; настраиваю её"),
    (
        "lifecycle.create.no_host_facts",
        "не удалось узнать число CPU и объём памяти хоста; проверка ресурсов пропущена",
    ),
    ("lifecycle.create.launching", "запуск ВМ `{name}` (CPU: {cpu}, память: {ram}, диск: {disk})"),
    ("lifecycle.create.retrying", "{error}; повторная попытка ({attempt}/2)"),
    ("lifecycle.create.script_failed", "скрипт `{name}` завершился с ошибкой в ВМ `{vm}` (код {code})"),
    (
        "lifecycle.create.script_failed_tail",
        "скрипт `{name}` завершился с ошибкой в ВМ `{vm}` (код {code}):\n  {tail}",
    ),
    (
        "lifecycle.create.script_failed_hint",
        "запустите снова с --debug, чтобы увидеть всю команду; `agsekit shell {vm}`, чтобы осмотреться в ВМ",
    ),
    (
        "lifecycle.create.authorize_failed",
        "не удалось добавить SSH-ключ agsekit в ВМ `{vm}`: {error}",
    ),
    ("lifecycle.create.launcher_failed", "не удалось установить {path} в ВМ `{vm}`: {error}"),
    (
        "lifecycle.create.launcher_failed_hint",
        "пользователю ВМ нужен sudo без пароля (в образах Ubuntu от Multipass он есть)",
    ),
    ("lifecycle.create.step_starting", "ВМ `{name}`: запуск"),
    ("lifecycle.create.step_key", "ВМ `{name}`: SSH-ключ"),
    ("lifecycle.create.step_base", "ВМ `{name}`: базовые пакеты"),
    ("lifecycle.create.step_launcher", "ВМ `{name}`: запускатель agsekit"),
    ("lifecycle.create.step_bundle", "ВМ `{name}`: набор {bundle}"),
    // mount/umount selection, stopping VMs, the SSH key (src/lifecycle/mounts.rs, stop.rs, ssh.rs, procs.rs)
    ("lifecycle.mounts.path_and_all", "укажите либо папку, либо --all, но не то и другое"),
    ("lifecycle.mounts.not_covered", "ни одна общая папка в {config} не включает {path}"),
    ("lifecycle.mounts.ambiguous", "в конфигурации {mounts}; укажите, какую именно"),
    (
        "lifecycle.mounts.ambiguous_hint",
        "укажите папку (или папку внутри неё) или --all для всех общих папок",
    ),
    ("lifecycle.mounts.none", "в {path} не описано ни одной общей папки"),
    ("lifecycle.mounts.refused", "нельзя смонтировать в ВМ `{vm}`: {reason}"),
    ("lifecycle.mounts.no_source", "нельзя смонтировать {path}: папка не существует"),
    ("lifecycle.procs.agent_in", "{program} в {dir}"),
    ("lifecycle.stop.deleted", "ВМ `{name}` удалена"),
    ("lifecycle.stop.resuming", "`{name}` приостановлена: возобновляю её, чтобы корректно выключить"),
    ("lifecycle.stop.unmounted", "{target}: отмонтировано из `{name}`"),
    (
        "lifecycle.stop.graceful_failed",
        "штатная остановка `{name}` не удалась ({error}); останавливаю принудительно",
    ),
    ("lifecycle.stop.timeout", "`{name}` не остановилась за {secs} с; останавливаю принудительно"),
    (
        "lifecycle.stop.still_running",
        "ВМ `{name}` так и не остановилась после принудительной остановки",
    ),
    (
        "lifecycle.stop.still_running_hint",
        "проверьте `multipass info {name}`; может помочь `sudo snap restart multipass`",
    ),
    ("lifecycle.stop.remount_failed", "не удалось снова смонтировать {path}: {error}"),
    ("lifecycle.ssh.mkdir_failed", "не удалось создать {path}: {error}"),
    ("lifecycle.ssh.mkdir_failed_hint", "проверьте `global.ssh_keys_folder` и права на эту папку"),
    ("lifecycle.ssh.no_keygen", "`ssh-keygen` не установлен"),
    ("lifecycle.ssh.keygen_failed", "ssh-keygen не смог создать {path}: {error}"),
    ("lifecycle.ssh.no_public", "не удалось прочитать открытый ключ {path}: {error}"),
    (
        "lifecycle.ssh.no_public_hint",
        "переместите {path} в другое место и выполните `agsekit prepare`, чтобы создать новый ключ (в ВМ, созданные со старым ключом, новый ключ придётся добавить заново)",
    ),
    ("lifecycle.ssh.empty_public", "ssh-keygen не вывел открытый ключ для {path}"),
    ("lifecycle.cannot_write", "не удалось записать {path}: {error}"),
    ("lifecycle.cannot_create", "не удалось создать {path}: {error}"),
    ("lifecycle.cannot_open", "не удалось открыть {path}: {error}"),
    ("lifecycle.cannot_lock", "не удалось заблокировать {path}: {error}"),
    // prepare's host checks and plan (src/lifecycle/prepare.rs)
    ("lifecycle.prepare.unknown_os", "`agsekit prepare` не умеет настраивать {os}"),
    (
        "lifecycle.prepare.by_hand_url",
        "установите Multipass (https://canonical.com/multipass/install), ssh-keygen и rsync вручную",
    ),
    (
        "lifecycle.prepare.wsl",
        "это WSL: Multipass не может запускать ВМ внутри WSL (там нет вложенного гипервизора)",
    ),
    (
        "lifecycle.prepare.wsl_hint",
        "установите Multipass в самой Windows или используйте машину с Linux или macOS",
    ),
    (
        "lifecycle.prepare.both_families",
        "os-release {key}=\"{ids}\" указывает и на Debian, и на Arch; выбрать нельзя",
    ),
    ("lifecycle.prepare.by_hand", "установите Multipass, ssh-keygen и rsync вручную"),
    (
        "lifecycle.prepare.unknown_linux",
        "непонятно, как устанавливать пакеты в этом Linux (это не Debian/Ubuntu и не Arch)",
    ),
    (
        "lifecycle.prepare.unknown_linux_hint",
        "установите Multipass (https://canonical.com/multipass/install), ssh-keygen и rsync вручную, затем снова выполните `agsekit prepare`, чтобы создать SSH-ключ",
    ),
    ("lifecycle.prepare.why_apt_update", "обновить списки пакетов apt"),
    ("lifecycle.prepare.why_install", "установить {packages}"),
    ("lifecycle.prepare.why_snap", "установить Multipass из Snap Store"),
    (
        "lifecycle.prepare.no_aur_helper",
        "Multipass не установлен, и не найден помощник AUR (yay или paru)",
    ),
    (
        "lifecycle.prepare.no_aur_helper_hint",
        "установите yay или paru либо соберите AUR-пакет `multipass` вручную, затем снова выполните `agsekit prepare`",
    ),
    ("lifecycle.prepare.why_aur", "установить Multipass из AUR через {helper}"),
    ("lifecycle.prepare.mac_no_keygen", "на этом Mac нет `ssh-keygen`"),
    (
        "lifecycle.prepare.mac_no_keygen_hint",
        "он входит в macOS; переустановите Command Line Tools (`xcode-select --install`)",
    ),
    ("lifecycle.prepare.no_brew", "для установки Multipass и rsync нужен Homebrew"),
    (
        "lifecycle.prepare.no_brew_hint",
        "установите Homebrew (https://brew.sh), затем снова выполните `agsekit prepare`",
    ),
    ("lifecycle.prepare.why_brew_multipass", "установить Multipass через Homebrew"),
    ("lifecycle.prepare.why_brew_rsync", "установить rsync через Homebrew"),
    ("lifecycle.prepare.step_spawn_failed", "не удалось выполнить шаг «{why}»: {error}"),
    ("lifecycle.prepare.step_failed", "`{command}` завершилась с кодом {code}"),
    (
        "lifecycle.prepare.step_failed_hint",
        "устраните проблему, о которой она сообщила, затем снова выполните `agsekit prepare`",
    ),
    // provisioning scripts and bundles (src/provision/)
    (
        "lifecycle.provision.bad_proxy",
        "неверный URL для proxychains `{url}`: нужен вид scheme://host:port со схемой http, https, socks4 или socks5",
    ),
    ("lifecycle.provision.bad_proxy_hint", "например: --proxychains socks5://127.0.0.1:1080"),
    (
        "lifecycle.provision.bad_agent_version",
        "{key}: неверная версия `{value}`; укажите latest, stable или точную версию, например 1.2.3",
    ),
    ("lifecycle.provision.set_stable", "задайте {key}: stable"),
    (
        "lifecycle.provision.bad_release_value",
        "неверное значение codex-glibc-prebuilt {flag} `{value}`: допустимы буквы, цифры, `.`, `/`, `-`, `+` и `_`",
    ),
    ("lifecycle.provision.bad_release_value_hint", "проверьте {var}"),
    ("lifecycle.provision.bad_version_for", "неверная версия `{version}` для {agent_type}"),
    (
        "lifecycle.bundle.docker",
        "Docker Engine из apt-репозитория Docker, пользователь добавлен в группу docker",
    ),
    ("lifecycle.bundle.golang", "инструменты Go из архива Ubuntu (golang-go)"),
    (
        "lifecycle.bundle.nodejs",
        "Node.js через nvm, выбирается по умолчанию; текущая LTS, если версия не указана",
    ),
    ("lifecycle.bundle.nvm", "Node Version Manager в ~/.nvm"),
    ("lifecycle.bundle.pyenv", "pyenv в ~/.pyenv с пакетами, нужными для сборки Python"),
    (
        "lifecycle.bundle.python",
        "Python, собранный через pyenv и выбранный глобальным; новейший, если версия не указана",
    ),
    ("lifecycle.bundle.rust", "Rust через rustup; стабильный тулчейн, если версия не указана"),
    ("lifecycle.bundle.depends_on", "зависит от: {bundle}"),
    ("lifecycle.bundle.versioned", "можно указать версию через двоеточие"),
    ("lifecycle.bundle.unknown", "неизвестный набор `{name}`; известные наборы: {known}"),
    (
        "lifecycle.bundle.no_version",
        "набор `{name}` не принимает версию (`{text}`); версию можно указать для наборов: {versioned}",
    ),
    ("lifecycle.bundle.no_version_hint", "напишите `{name}` без `:{version}`"),
    (
        "lifecycle.bundle.bad_version",
        "неверная версия `{version}` в наборе `{text}`: допустимы буквы, цифры, `.`, `-`, `+` и `_`",
    ),
    ("lifecycle.bundle.bad_version_hint", "например `{name}:22` или `{name}:3.12`"),
    // shims install/uninstall failures (src/shim/manage.rs)
    ("lifecycle.shims.lock_open_failed", "не удалось открыть файл блокировки шимов {path}"),
    ("lifecycle.shims.mkdir_failed", "не удалось создать папку шимов {path}: {error}"),
    ("lifecycle.shims.mkdir_failed_hint", "укажите другую папку через --dir"),
    ("lifecycle.shims.remove_failed", "не удалось удалить шим {path}"),
    ("lifecycle.shims.create_failed", "не удалось создать шим в {dir}"),
    ("lifecycle.shims.install_failed", "не удалось установить шим {path}"),
];

#[cfg(test)]
mod tests {
    use crate::i18n::{count_in, fill, text_in, Lang};

    fn ru(key: &str, args: &[(&str, String)]) -> String {
        fill(text_in(Lang::Ru, key), args)
    }

    /// "Which one?" refusals carry a count: every Russian plural form reads right.
    #[test]
    fn russian_refusals_agree_with_their_counts() {
        let names = ("names", "a, b".to_string());
        assert_eq!(
            ru(
                "lifecycle.vms_ambiguous",
                &[("vms", count_in(Lang::Ru, "count.vm", 2)), names.clone()]
            ),
            "в конфигурации 2 ВМ (a, b); укажите, какую именно"
        );
        let agents = |n| {
            ru(
                "lifecycle.agents.ambiguous",
                &[
                    ("agents", count_in(Lang::Ru, "count.agent", n)),
                    names.clone(),
                ],
            )
        };
        assert_eq!(
            agents(2),
            "в конфигурации 2 агента (a, b); укажите, какой именно"
        );
        assert_eq!(
            agents(5),
            "в конфигурации 5 агентов (a, b); укажите, какой именно"
        );
        let mounts = |n| {
            ru(
                "lifecycle.mounts.ambiguous",
                &[("mounts", count_in(Lang::Ru, "count.mount", n))],
            )
        };
        assert_eq!(
            mounts(3),
            "в конфигурации 3 общие папки; укажите, какую именно"
        );
        assert_eq!(
            mounts(11),
            "в конфигурации 11 общих папок; укажите, какую именно"
        );
        assert_eq!(
            mounts(21),
            "в конфигурации 21 общая папка; укажите, какую именно"
        );
        // English keeps the original sentence.
        assert_eq!(
            fill(
                text_in(Lang::En, "lifecycle.mounts.ambiguous"),
                &[("mounts", count_in(Lang::En, "count.mount", 3))]
            ),
            "3 mounts are configured; say which folder"
        );
    }

    /// Bundle descriptions are message keys: each exists in both languages and is translated.
    #[test]
    fn every_bundle_description_is_a_key_with_a_russian_text() {
        for bundle in crate::provision::BUNDLES {
            assert!(
                bundle.description.starts_with("lifecycle.bundle."),
                "{}",
                bundle.name
            );
            let en = text_in(Lang::En, bundle.description);
            let ru = text_in(Lang::Ru, bundle.description);
            assert_ne!(
                en, bundle.description,
                "{} has no English text",
                bundle.name
            );
            assert_ne!(en, ru, "{} has no Russian text", bundle.name);
        }
    }

    /// Progress and result lines keep names, versions and paths as given.
    #[test]
    fn russian_lines_keep_names_and_placeholders_in_place() {
        let line = ru(
            "lifecycle.create.step_installed_version",
            &[("name", "golang".into()), ("version", "1.22.2".into())],
        );
        assert_eq!(line, "golang (1.22.2): установлен");
        let line = ru(
            "lifecycle.create.launching",
            &[
                ("name", "dev".into()),
                ("cpu", "2".into()),
                ("ram", "4G".into()),
                ("disk", "20G".into()),
            ],
        );
        assert_eq!(line, "запуск ВМ `dev` (CPU: 2, память: 4G, диск: 20G)");
        let line = ru(
            "lifecycle.agents.installed",
            &[
                ("agent", "codex".into()),
                ("vm", "dev".into()),
                ("version", "0.130.0".into()),
            ],
        );
        assert_eq!(line, "codex в ВМ dev: установлен 0.130.0");
    }
}
