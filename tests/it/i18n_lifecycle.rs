//! Russian messages of the VM lifecycle commands (prepare, create/start/stop/restart/destroy-vm,
//! up, down, install-agents, check-new-version, pip-upgrade, ssh, list-bundles): the same
//! commands run with `AGSEKIT_LANG=ru` and without it. The machine-readable prefixes
//! (`agsekit: error:`, `hint:`) stay English; the text after them is Russian. Tests whose names
//! say "fake" drive the FAKE multipass (tests/README.md); no real VM is involved.

use crate::tmux::{command_line, Tmux};
use crate::vm_commands::{stub_vm_tools, Setup};

/// Output of a command in Russian or English, as (code, stdout, stderr).
impl Setup {
    /// `agsekit --config CONFIG --non-interactive ARGS` in Russian (`ru`) or English.
    fn run(&self, ru: bool, args: &[&str]) -> (Option<i32>, String, String) {
        let env: &[(&str, &str)] = if ru { &[("AGSEKIT_LANG", "ru")] } else { &[] };
        let out = self.agsekit_env(args, env);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ru(&self, args: &[&str]) -> (Option<i32>, String, String) {
        self.run(true, args)
    }

    fn en(&self, args: &[&str]) -> (Option<i32>, String, String) {
        self.run(false, args)
    }
}

const ONE_VM: &str = "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n";

const TWO_VMS_TWO_AGENTS: &str = "vms:\n  a:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n  b:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  claude:\n    type: claude\n  codex:\n    type: codex\nmounts:\n  - source: {HOME}/p1\n    vm: a\n  - source: {HOME}/p2\n    vm: a\n  - source: {HOME}/p3\n    vm: a\n";

#[test]
fn list_bundles_describes_the_bundles_in_russian_and_english_is_unchanged() {
    let s = Setup::new(ONE_VM);
    let (code, out, _) = s.ru(&["list-bundles"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("nodejs — Node.js через nvm, выбирается по умолчанию; текущая LTS, если версия не указана (зависит от: nvm; можно указать версию через двоеточие)\n"),
        "{out}"
    );
    assert!(
        out.contains("docker — Docker Engine из apt-репозитория Docker"),
        "{out}"
    );
    // Still one line per bundle, sorted by name: the names are not translated.
    let names: Vec<&str> = out.lines().filter_map(|l| l.split(' ').next()).collect();
    assert_eq!(
        names,
        ["docker", "golang", "nodejs", "nvm", "pyenv", "python", "rust"]
    );

    let (code, out, _) = s.en(&["list-bundles"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("nodejs — Node.js via nvm, made the default; the current LTS unless a version is given (depends on: nvm; supports version suffix)\n"),
        "{out}"
    );
}

#[test]
fn pip_upgrade_explains_in_russian_and_keeps_the_command_lines() {
    // The test binary lives in target/, not in a Python environment: nothing to upgrade.
    let s = Setup::new(ONE_VM);
    let (code, out, _) = s.ru(&["pip-upgrade"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("установлен не из wheel-пакета Python, поэтому pip-upgrade ничего не меняет."),
        "{out}"
    );
    assert!(out.contains("  pipx:   pipx upgrade agsekit\n"), "{out}");
    assert!(
        out.contains(
            "  cargo:  cargo install --locked agsekit (или --path . в папке с исходниками)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("Перезапустите фоновую службу, если она работает, чтобы она запускала новый файл: agsekit daemon restart"),
        "{out}"
    );
    let (_, out, _) = s.en(&["pip-upgrade"]);
    assert!(
        out.contains("was not installed from its Python wheel, so pip-upgrade changes nothing."),
        "{out}"
    );
}

#[test]
fn start_stop_destroy_fake_report_each_vm_in_russian() {
    let s = Setup::new(ONE_VM);
    s.fake.launch("dev");

    let (code, out, err) = s.ru(&["stop-vm", "dev"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "ВМ dev: остановлена\n");
    let (_, out, _) = s.ru(&["stop-vm", "dev"]);
    assert_eq!(out, "ВМ dev: не была запущена\n");
    // The same command in English prints the English line.
    let (_, out, _) = s.en(&["stop-vm", "dev"]);
    assert_eq!(out, "VM dev: was not running\n");

    let (code, out, err) = s.ru(&["start-vm", "dev"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "ВМ dev: запущена\n");
    let (code, out, err) = s.ru(&["restart-vm", "dev"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "ВМ dev: перезапущена\n");

    let (code, out, err) = s.ru(&["destroy-vm", "dev", "-y"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "ВМ dev: удалена\n");
    let (code, out, _) = s.ru(&["destroy-vm", "dev", "-y"]);
    assert_eq!(code, Some(0));
    assert_eq!(out, "ВМ dev: не существует; удалять нечего\n");
    let (_, out, _) = s.en(&["destroy-vm", "dev", "-y"]);
    assert_eq!(out, "VM dev: does not exist; nothing to delete\n");
}

#[test]
fn refusals_fake_are_russian_after_english_prefixes_with_plural_counts() {
    let s = Setup::new(TWO_VMS_TWO_AGENTS);

    // Two VMs and no name: "2 ВМ" and the flag in the hint.
    let (code, _, err) = s.ru(&["start-vm"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("agsekit: error: в конфигурации 2 ВМ (a, b); укажите, какую именно\n"),
        "{err}"
    );
    assert!(
        err.contains("hint: укажите имя ВМ или --all-vms для всех ВМ"),
        "{err}"
    );
    let (_, _, err) = s.en(&["start-vm"]);
    assert!(
        err.contains("agsekit: error: 2 VMs are configured (a, b); say which one\n"),
        "{err}"
    );
    assert!(
        err.contains("hint: give a VM name, or --all-vms for every VM"),
        "{err}"
    );

    // Two agents: the "few" form of агент.
    let (code, _, err) = s.ru(&["install-agents"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("в конфигурации 2 агента (claude, codex); укажите, какой именно"),
        "{err}"
    );
    let (_, _, err) = s.en(&["install-agents"]);
    assert!(
        err.contains("2 agents are configured (claude, codex); say which one"),
        "{err}"
    );

    // Three mounts of VM a: the "few" form of общая папка.
    let (code, _, err) = s.ru(&["mount", "--vm", "a"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("в конфигурации 3 общие папки; укажите, какую именно"),
        "{err}"
    );
    let (_, _, err) = s.en(&["mount", "--vm", "a"]);
    assert!(
        err.contains("3 mounts are configured; say which folder"),
        "{err}"
    );

    // destroy-vm without -y and nobody to ask: the command line in the hint is unchanged.
    let (code, _, err) = s.ru(&["destroy-vm", "a"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("удаление ВМ a требует подтверждения, а спросить здесь некого"),
        "{err}"
    );
    assert!(
        err.contains("hint: запустите снова с -y: `agsekit destroy-vm a -y`"),
        "{err}"
    );

    let (code, _, err) = s.ru(&[
        "up",
        "--no-prepare",
        "--no-create-vms",
        "--no-install-agents",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("agsekit: error: делать нечего: все этапы отключены"),
        "{err}"
    );

    let (code, _, err) = s.ru(&["install-agents", "--force-check-versions"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--force-check-versions работает только вместе с --upgrade"),
        "{err}"
    );
    assert!(
        err.contains("hint: agsekit install-agents --upgrade --force-check-versions"),
        "{err}"
    );

    let (code, _, err) = s.ru(&["install-agents", "--proxychains", "nonsense"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("неверный URL для proxychains `nonsense`"),
        "{err}"
    );
    assert!(
        err.contains("hint: например: --proxychains socks5://127.0.0.1:1080"),
        "{err}"
    );

    let (code, _, err) = s.ru(&["ssh", "a"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("SSH-ключа agsekit "), "{err}");
    assert!(err.contains("не существует"), "{err}");
    assert!(err.contains("hint: agsekit prepare\n"), "{err}");

    // None of these reached a VM.
    assert!(s
        .fake
        .calls()
        .iter()
        .all(|c| c[0] != "start" && c[0] != "delete" && c[0] != "mount" && c[0] != "exec"));
}

#[test]
fn down_fake_lists_running_agents_in_russian_and_stops_when_forced() {
    let s = Setup::new(
        "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  codex:\n    type: codex\n",
    );
    s.fake.launch("dev");
    s.fake.install_agent(
        "dev",
        "ps",
        "#!/bin/sh\necho '    1     0 /sbin/init'\necho '  812     1 node /home/ubuntu/.nvm/versions/node/v22/bin/codex --yes'\n",
    );
    let (code, _, err) = s.ru(&["down"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("agsekit: настроенные агенты ещё работают:\n  ВМ dev: pid 812 codex"),
        "{err}"
    );
    assert!(
        err.contains("agsekit: error: агенты ещё работают; остановка их ВМ завершит их"),
        "{err}"
    );
    assert!(
        err.contains("hint: сначала завершите их или используйте `agsekit down --force`"),
        "{err}"
    );
    let (_, _, err) = s.en(&["down"]);
    assert!(
        err.contains("agsekit: configured agents are still running:\n  VM dev: pid 812 codex"),
        "{err}"
    );

    let (code, out, err) = s.ru(&["down", "--force"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("ВМ dev: остановлена\n"), "{out}");
    // Already stopped: skipped, the state named in Russian (Multipass's word in English).
    let (code, out, err) = s.ru(&["down"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        format!("{out}{err}").contains("ВМ dev: остановлена (пропущена)"),
        "{out}{err}"
    );
    let (_, out, err) = s.en(&["down"]);
    assert!(
        format!("{out}{err}").contains("VM dev: Stopped (skipped)"),
        "{out}{err}"
    );
}

#[test]
fn check_new_version_without_agents_says_so_in_russian() {
    let s = Setup::new(ONE_VM);
    let (code, out, err) = s.ru(&["check-new-version"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with("Агенты не настроены; проверять версии нечего.\nСохранено в "),
        "{out}"
    );
    assert!(
        out.contains(": новейшая версия самого agsekit не проверяется"),
        "{out}"
    );
    let (_, out, _) = s.en(&["check-new-version"]);
    assert!(
        out.starts_with("No agents are configured; no agent versions to look up.\nSaved in "),
        "{out}"
    );
}

#[test]
fn install_agents_fake_refuses_an_agent_the_vm_does_not_allow_in_russian() {
    let s = Setup::new("vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n    allowed_agents: [claude]\nagents:\n  codex:\n    type: codex\n  claude:\n    type: claude\n");
    let (code, _, err) = s.ru(&["install-agents", "codex", "dev"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("agsekit: error: агента `codex` нет в `vms.dev.allowed_agents`"),
        "{err}"
    );
    assert!(
        err.contains("hint: добавьте его в vms.dev.allowed_agents в "),
        "{err}"
    );
    // With every agent, the one not allowed is skipped with a Russian note.
    let (_, _, err) = s.ru(&["install-agents", "codex"]);
    assert!(
        err.contains("agsekit: пропущено: codex в dev: нет в vms.dev.allowed_agents"),
        "{err}"
    );
    assert!(
        err.contains("ни один агент из выбранных нельзя установить ни в одну из выбранных ВМ"),
        "{err}"
    );
    assert!(s.fake.calls().iter().all(|c| c[0] != "exec"));
}

#[test]
fn create_vm_fake_reports_the_vm_and_its_steps_in_russian() {
    let s = Setup::new(ONE_VM);
    stub_vm_tools(&s.fake, "dev");
    let (code, out, err) = s.ru(&["create-vm"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("ВМ dev: создана; base"), "{out}");
    assert!(
        out.contains("): установлен") || out.contains(": уже был установлен"),
        "{out}"
    );
    // Progress lines (stderr) are Russian too, after the `agsekit:` prefix.
    assert!(err.contains("agsekit: создан SSH-ключ "), "{err}");
    assert!(
        err.contains("agsekit: запуск ВМ `dev` (CPU: 1, память: 1G, диск: 5G)"),
        "{err}"
    );
    assert!(err.contains("agsekit: ВМ `dev`: базовые пакеты"), "{err}");

    // Again: it exists; in English the line keeps its English words.
    let (code, out, err) = s.en(&["create-vm"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("VM dev: already existed; base"), "{out}");
    assert!(
        err.contains("agsekit: VM `dev` already exists; provisioning it"),
        "{err}"
    );
}

/// On a terminal, `destroy-vm` warns and asks in Russian (`[д/Н]`) and takes `д` for yes.
#[test]
fn destroy_vm_fake_asks_in_russian_on_a_terminal_and_deletes_on_d() {
    if !Tmux::available() {
        return;
    }
    let s = Setup::new(ONE_VM);
    s.fake.launch("dev");
    let env = [
        "AGSEKIT_LANG=ru".to_string(),
        format!("AGSEKIT_MULTIPASS={}", s.fake.bin.display()),
        format!("FAKE_MULTIPASS_STATE={}", s.fake.state_dir.display()),
    ];
    let config = s.config.to_string_lossy().into_owned();
    let t = Tmux::start(&command_line(
        &s.sb,
        &env,
        &["--config", config.as_str(), "destroy-vm", "dev"],
    ));
    t.answer("Удалить? [д/Н]", "д");
    t.wait_for("EXIT:");
    let screen = t.screen();
    assert!(
        screen.contains("ВМ dev будет удалена навсегда вместе со всем содержимым"),
        "{screen}"
    );
    assert!(screen.contains("ВМ dev: удалена"), "{screen}");
    assert!(screen.contains("EXIT:0"), "{screen}");
    assert!(s.fake.calls().contains(&vec![
        "delete".to_string(),
        "--purge".to_string(),
        "dev".to_string()
    ]));
}
