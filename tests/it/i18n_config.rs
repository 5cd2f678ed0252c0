//! Russian messages of the configuration area through the real binary: `config-check`
//! problems and warnings (key paths, keys and values stay as written), the loader's
//! file errors, lookups by name, and `addmount` refusals. Each test also runs the same
//! command in English and checks the English text is unchanged.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::support::{FakeMultipass, Sandbox};
use crate::tmux::{command_line, Tmux};

fn write(sb: &Sandbox, name: &str, text: &str) -> PathBuf {
    let path = sb.home().join(name);
    fs::write(&path, text).expect("write config");
    path
}

/// Three mistakes: a CPU count of 0, a mount into a VM that does not exist, an agent type
/// with a typo; plus an unknown key (a warning, not a problem).
const THREE_MISTAKES: &str = "vms:\n  agent-ubuntu:\n    cpu: 0\n    ram: 4G\n    disk: 20G\n    cpus: 2\nmounts:\n  - source: /home/me/app\n    vm: dev\nagents:\n  q:\n    type: qwne\n";

fn check(sb: &Sandbox, config: &Path, lang: Option<&str>) -> assert_cmd::assert::Assert {
    let mut cmd = sb.agsekit();
    if let Some(lang) = lang {
        cmd.env("AGSEKIT_LANG", lang);
    }
    cmd.arg("--config").arg(config).arg("config-check").assert()
}

#[test]
fn config_check_lists_every_problem_in_russian_with_key_paths_unchanged() {
    let sb = Sandbox::new();
    let config = write(&sb, "bad.yaml", THREE_MISTAKES);
    check(&sb, &config, Some("ru"))
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "agsekit: error: некорректная конфигурация {} (3 ошибки):",
            config.display()
        )))
        .stderr(predicate::str::contains(
            "  vms.agent-ubuntu.cpu: должно быть целым числом от 1 до 1024, получено 0\n",
        ))
        .stderr(predicate::str::contains(
            "  mounts[0].vm: нет ВМ с именем \"dev\"; определены ВМ: agent-ubuntu\n",
        ))
        .stderr(predicate::str::contains(
            "  agents.q.type: неизвестный тип агента \"qwne\"; поддерживаются: aider, qwen,",
        ))
        .stderr(predicate::str::contains(
            "может быть, имелся в виду \"qwen\"?\n",
        ))
        .stderr(predicate::str::contains(
            "agsekit: warning: vms.agent-ubuntu.cpus: неизвестный ключ пропущен; может быть, имелся в виду \"cpu\"?",
        ))
        .stderr(predicate::str::contains(format!(
            "hint: исправьте в {} каждый из перечисленных ключей, затем запустите `agsekit config-check`",
            config.display()
        )))
        .stderr(predicate::str::contains("invalid configuration").not())
        .stderr(predicate::str::contains("did you mean").not());

    // The same file in English: the original words.
    check(&sb, &config, None)
        .code(3)
        .stderr(predicate::str::contains(format!(
            "agsekit: error: invalid configuration {} (3 problems):",
            config.display()
        )))
        .stderr(predicate::str::contains(
            "  mounts[0].vm: no VM named \"dev\"; defined VMs: agent-ubuntu\n",
        ))
        .stderr(predicate::str::contains(
            "vms.agent-ubuntu.cpus: unknown key, ignored; did you mean \"cpu\"?",
        ))
        .stderr(predicate::str::contains("ошибк").not());
}

#[test]
fn one_problem_is_counted_in_the_singular_and_yaml_errors_keep_their_position() {
    let sb = Sandbox::new();
    let config = write(&sb, "syntax.yaml", "vms: [\n");
    check(&sb, &config, Some("ru"))
        .code(3)
        .stderr(predicate::str::contains("(1 ошибка):"))
        .stderr(predicate::str::contains(format!(
            "  {}:2:1: синтаксическая ошибка YAML: ",
            config.display()
        )));
    check(&sb, &config, None)
        .code(3)
        .stderr(predicate::str::contains("(1 problem):"))
        .stderr(predicate::str::contains(format!(
            "  {}:2:1: YAML syntax error: ",
            config.display()
        )));
}

#[test]
fn a_value_of_the_wrong_kind_is_described_in_russian() {
    let sb = Sandbox::new();
    let config = write(
        &sb,
        "kinds.yaml",
        "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G, install: {python: 3}}\nmounts: {source: /home/me/a}\n",
    );
    check(&sb, &config, Some("ru"))
        .code(3)
        .stderr(predicate::str::contains(
            "  vms.v.install: должно быть списком наборов, например install: [python, nodejs:20], а не словарь\n",
        ))
        .stderr(predicate::str::contains(
            "  mounts: должно быть списком общих папок (- source: /path/to/project), а не словарь\n",
        ));
    check(&sb, &config, None)
        .code(3)
        .stderr(predicate::str::contains(
            "  vms.v.install: must be a list of bundles, like install: [python, nodejs:20], not a mapping\n",
        ));
}

#[test]
fn a_missing_config_file_is_explained_in_russian_with_where_the_path_came_from() {
    let sb = Sandbox::new();
    let given = sb.home().join("nope.yaml");
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("--config")
        .arg(&given)
        .arg("config-check")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "agsekit: error: файл конфигурации не найден: {} (источник: --config)",
            given.display()
        )))
        // The hints create the file where it was looked for (issue 12).
        .stderr(predicate::str::contains(format!(
            "hint: `agsekit config-example {}` запишет туда пример с комментариями",
            given.display()
        )))
        .stderr(predicate::str::contains(format!(
            "hint: `agsekit --config {} config-gen` составит его в диалоге",
            given.display()
        )))
        .stderr(predicate::str::contains(
            "hint: укажите существующий файл через `--config FILE` или $CONFIG_PATH",
        ));

    // No --config and no $CONFIG_PATH: the default location, named as such.
    let default = sb.home().join(".config/agsekit/config.yaml");
    sb.agsekit()
        .env("LANG", "ru_RU.UTF-8")
        .arg("config-check")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "файл конфигурации не найден: {} (источник: стандартное расположение)",
            default.display()
        )));
    sb.agsekit()
        .arg("config-check")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "agsekit: error: config file not found: {} (from the default location)",
            default.display()
        )))
        .stderr(predicate::str::contains(
            "hint: `--config FILE` or $CONFIG_PATH point at an existing file",
        ));
}

#[test]
fn addmount_refuses_a_folder_outside_home_in_russian_and_writes_nothing() {
    let sb = Sandbox::new();
    let original = "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\n";
    let config = write(&sb, "c.yaml", original);
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .env("AGSEKIT_MULTIPASS_SNAP", "1")
        .args(["addmount", "-y", "--config"])
        .arg(&config)
        .arg("/srv/proj")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "agsekit: error: /srv/proj находится вне /home; Multipass, установленный через snap, может открывать доступ только к папкам внутри /home",
        ))
        .stderr(predicate::str::contains(
            "hint: перенесите проект в нескрытую папку внутри /home, например ~/projects/proj",
        ));
    sb.agsekit()
        .env("AGSEKIT_MULTIPASS_SNAP", "1")
        .args(["addmount", "-y", "--config"])
        .arg(&config)
        .arg("/srv/proj")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "agsekit: error: /srv/proj is outside /home; Multipass installed as a snap can only share folders under /home",
        ));
    assert_eq!(fs::read_to_string(&config).expect("read"), original);
}

#[test]
fn addmount_says_in_russian_why_it_cannot_edit_a_flow_style_file() {
    let sb = Sandbox::new();
    let original = "{vms: {v: {cpu: 1, ram: 1G, disk: 1G}}}\n";
    let config = write(&sb, "flow.yaml", original);
    let project = sb.home().join("p");
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["addmount", "--force-path", "-y", "--config"])
        .arg(&config)
        .arg(&project)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "agsekit: error: не удаётся автоматически отредактировать {}: верхний уровень записан в строчном стиле ({{ ... }})",
            config.display()
        )))
        .stderr(predicate::str::contains(format!(
            "hint: исправьте список `mounts:` в {} вручную, затем запустите `agsekit config-check`",
            config.display()
        )));
    sb.agsekit()
        .args(["addmount", "--force-path", "-y", "--config"])
        .arg(&config)
        .arg(&project)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "agsekit: error: cannot edit {} automatically: the top level is written in flow style ({{ ... }})",
            config.display()
        )));
    assert_eq!(fs::read_to_string(&config).expect("read"), original);
}

#[test]
fn create_vm_with_fake_multipass_names_the_defined_vms_in_russian() {
    let sb = Sandbox::new();
    let fake = FakeMultipass::new(sb.home());
    let config = write(&sb, "c.yaml", "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\n");
    let mut ru = sb.agsekit();
    fake.apply(&mut ru);
    ru.env("AGSEKIT_LANG", "ru")
        .args(["create-vm", "nope", "--config"])
        .arg(&config)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "agsekit: error: в {} нет ВМ с именем \"nope\"; определены ВМ: v",
            config.display()
        )))
        .stderr(predicate::str::contains(format!(
            "hint: добавьте её в `vms:` в {}, затем запустите `agsekit config-check`",
            config.display()
        )));
    let mut en = sb.agsekit();
    fake.apply(&mut en);
    en.args(["create-vm", "nope", "--config"])
        .arg(&config)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "agsekit: error: no VM named \"nope\" in {}; defined VMs: v",
            config.display()
        )));
}

/// The wizard reuses the config rules for its answers: in Russian their reasons are Russian
/// too, with the typed value quoted as typed.
#[test]
fn config_gen_in_tmux_in_russian_explains_refused_answers_with_the_config_rules() {
    if !Tmux::available() {
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let sb = Sandbox::new();
    let dest = sb.home().join("conf/config.yaml");
    let dest_text = dest.display().to_string();
    let env = ["AGSEKIT_LANG=ru"]
        .iter()
        .chain(crate::config_gen::HOST_4_CPUS_8G.iter())
        .map(|s| s.to_string())
        .collect::<Vec<_>>();
    let tmux = Tmux::start(&command_line(
        &sb,
        &env,
        &["config-gen", "--config", &dest_text],
    ));
    tmux.answer("Имя ВМ [agent-ubuntu]:", "1bad"); // refused, asked again
    tmux.answer("Имя ВМ [agent-ubuntu]:", "dev");
    tmux.answer("Виртуальных процессоров [2]:", "");
    tmux.answer("Память (например, 4G или 4096M) [4G]:", "4Q"); // refused
    tmux.answer("Память (например, 4G или 4096M) [4G]:", "");
    tmux.answer("Размер диска (например, 20G) [20G]:", "");
    tmux.answer("пусто — ничего):", "pythn"); // refused
    tmux.answer("пусто — ничего):", "");
    tmux.answer("через прокси? [д/Н]:", "д");
    tmux.answer("(пусто — без него):", "ftp://h:1"); // refused
    tmux.answer("(пусто — без него):", ""); // proxychains
    tmux.answer("(пусто — без него):", ""); // privoxy upstream
    tmux.answer("Добавить ещё одну ВМ? [д/Н]:", "н");
    tmux.answer("Добавить агента? [Д/н]:", "н");
    tmux.answer("Открыть доступ ВМ к папке хоста сейчас? [д/Н]:", "");
    tmux.answer("пул портов прокси)? [д/Н]:", "");
    tmux.answer("Сохранить конфигурацию в", "");
    tmux.wait_for("EXIT:0");
    let screen = tmux.screen();
    for expected in [
        "\"1bad\" — недопустимое имя ВМ; имена в Multipass начинаются с буквы",
        "не удаётся разобрать размер \"4Q\"; напишите число с единицей K, M, G или T",
        "неизвестный набор \"pythn\"; используйте один из: pyenv, nvm, python, nodejs, rust, golang, docker (может быть, имелся в виду \"python\"?)",
        "\"ftp://h:1\": схема \"ftp\" здесь не поддерживается; используйте одну из: http, https, socks4, socks5",
    ] {
        assert!(screen.contains(expected), "missing {expected:?} in:\n{screen}");
    }
    assert!(!screen.contains("is not a valid VM name"), "{screen}");
    assert!(dest.exists(), "{screen}");
}

#[test]
fn unsafe_layouts_are_refused_in_russian_with_key_paths_unchanged() {
    let sb = Sandbox::new();
    let home = sb.home().display().to_string();
    // addmount of the home folder.
    let original = "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\n";
    let config = write(&sb, "c.yaml", original);
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["addmount", "-y", "--force-path", "--config"])
        .arg(&config)
        .arg(sb.home())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "agsekit: error: {home} — ваша домашняя папка"
        )))
        .stderr(predicate::str::contains(
            "hint: откройте доступ к папке проекта",
        ));
    assert_eq!(fs::read_to_string(&config).expect("read"), original);
    // A backup folder inside another mount, a system target, a bad env name.
    let text = format!(
        "vms:\n  v: {{cpu: 1, ram: 1G, disk: 1G}}\nmounts:\n  - source: {home}/code/proj\n  - source: {home}/code\n    target: /etc\nagents:\n  q:\n    type: qwen\n    env:\n      9LIVES: x\n"
    );
    let bad = write(&sb, "bad.yaml", &text);
    check(&sb, &bad, Some("ru"))
        .code(3)
        .stderr(predicate::str::contains(format!(
            "mounts[0].backup: папка резервных копий {home}/code/backups-proj лежит внутри общей папки {home}/code из mounts[1].source"
        )))
        .stderr(predicate::str::contains(
            "mounts[1].target: /etc — системная папка ВМ",
        ))
        .stderr(predicate::str::contains(
            "agents.q.env.9LIVES: имя переменной \"9LIVES\" недопустимо",
        ))
        .stderr(predicate::str::contains("agsekit removemount").not());
    check(&sb, &bad, None)
        .code(3)
        .stderr(predicate::str::contains(format!(
            "mounts[0].backup: the backup folder {home}/code/backups-proj is inside the shared folder {home}/code of mounts[1].source"
        )))
        .stderr(predicate::str::contains(
            "mounts[1].target: /etc is a system folder of the VM",
        ));
}

/// `config-check` checks each VM's sizes against its own backend's minimums: 64M of memory is
/// too little for Multipass (named in the message, with the key and the file) and enough for
/// QEMU; less than 1M is too little for QEMU. In Russian and in English.
#[test]
fn config_check_applies_the_minimums_of_each_vm_s_backend() {
    let sb = Sandbox::new();
    let config = write(
        &sb,
        "sizes.yaml",
        "vms:\n  q:\n    cpu: 1\n    ram: 64M\n    disk: 100M\n    backend: qemu\n  m:\n    cpu: 1\n    ram: 64M\n    disk: 1G\n  tiny:\n    cpu: 1\n    ram: 512K\n    disk: 1G\n    backend: qemu\n",
    );
    let header = |text: &str| format!("agsekit: error: {text} {}", config.display());
    check(&sb, &config, Some("en"))
        .code(3)
        .stderr(predicate::str::contains(header("invalid configuration")))
        .stderr(predicate::str::contains("(2 problems):"))
        .stderr(predicate::str::contains(
            "  vms.m.ram: 64M is below the Multipass minimum of 128M; use at least 128M, like 4G\n",
        ))
        .stderr(predicate::str::contains(
            "  vms.tiny.ram: 512K is below the QEMU minimum of 1M; use at least 1M, like 4G\n",
        ))
        .stderr(predicate::str::contains("vms.q.").not());
    check(&sb, &config, Some("ru"))
        .code(3)
        .stderr(predicate::str::contains(
            "  vms.m.ram: 64M меньше минимума Multipass (128M); укажите не меньше 128M, например 4G\n",
        ))
        .stderr(predicate::str::contains(
            "  vms.tiny.ram: 512K меньше минимума QEMU (1M); укажите не меньше 1M, например 4G\n",
        ));
    let fixed = write(
        &sb,
        "fixed.yaml",
        "vms:\n  q:\n    cpu: 1\n    ram: 64M\n    disk: 100M\n    backend: qemu\n",
    );
    check(&sb, &fixed, Some("en")).success();
}
