//! The interactive side, driven for real in tmux (send-keys, capture-pane): the menu
//! (`agsekit` alone), the fallback when a required argument is missing, config-gen in Russian;
//! and the paths without a terminal or with `--non-interactive` (exact exit codes and
//! messages), the language selection, colours and the man page. No VM is involved: the
//! commands driven here (backup-once, restore, config-gen) work on host folders only. The
//! tmux tests are skipped, with a printed reason, when tmux is not installed.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

use crate::support::Sandbox;
use crate::tmux::{command_line, Tmux};

fn tmux_or_skip() -> bool {
    if Tmux::available() {
        return true;
    }
    eprintln!("skipped: tmux is not installed (apt-get install tmux)");
    false
}

fn snapshot_count(dest: &Path) -> usize {
    fs::read_dir(dest)
        .map(|r| {
            r.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("20"))
                .count()
        })
        .unwrap_or(0)
}

/// A config with one VM, one mount (`proj`, snapshots in `bk`) and one agent.
fn write_config(sb: &Sandbox) -> (std::path::PathBuf, std::path::PathBuf) {
    let project = sb.home().join("proj");
    let backup = sb.home().join("bk");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(project.join("a.txt"), "first\n").expect("write");
    let dir = sb.home().join(".config/agsekit");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(
        dir.join("config.yaml"),
        format!(
            "vms:\n  agent-ubuntu:\n    cpu: 2\n    ram: 4G\n    disk: 20G\nmounts:\n  - source: {}\n    backup: {}\nagents:\n  claude:\n    type: claude\n",
            project.display(),
            backup.display()
        ),
    )
    .expect("config");
    (project, backup)
}

#[test]
fn menu_in_tmux_picks_a_command_asks_shows_the_line_and_runs_it() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let src = sb.home().join("src");
    let dest = sb.home().join("snaps");
    fs::create_dir_all(&src).expect("mkdir");
    fs::write(src.join("f.txt"), "x\n").expect("write");
    let tmux = Tmux::start(&command_line(&sb, &[], &[]));
    tmux.wait_for("Section (number) or command (name):");
    let screen = tmux.screen();
    for text in [
        "Setup and configuration",
        "Backups and snapshots",
        "config-gen",
        "5) Backups and snapshots",
    ] {
        assert!(screen.contains(text), "missing {text:?}:\n{screen}");
    }
    tmux.answer("Section (number) or command (name):", "no-such-command");
    // Refused and asked again (typed-ahead input waits in the terminal).
    tmux.answer("Section (number) or command (name):", "5");
    tmux.wait_for("Command (number or name; Enter: back):");
    let screen = tmux.screen();
    assert!(
        screen.contains("type a section number from 1 to 6 or a command name"),
        "{screen}"
    );
    assert!(
        screen.contains("   1) backup-once            Run a single backup of a directory"),
        "{screen}"
    );
    assert!(screen.contains("   0) (back to the sections)"), "{screen}");
    tmux.answer("Command (number or name; Enter: back):", "1");
    tmux.answer(
        "Directory to back up (--source-dir):",
        &src.display().to_string(),
    );
    tmux.answer(
        "Folder that holds the snapshots (--dest-dir):",
        &dest.display().to_string(),
    );
    tmux.answer("(--progress) [y/N]:", "");
    tmux.wait_for("Run it? [Y/n]:");
    let screen = tmux.screen();
    let expected = format!(
        "Command: agsekit backup-once --source-dir {} --dest-dir {}",
        src.display(),
        dest.display()
    );
    assert!(screen.contains(&expected), "{screen}");
    assert_eq!(
        snapshot_count(&dest),
        0,
        "nothing runs before the confirmation"
    );
    tmux.answer("Run it? [Y/n]:", "");
    tmux.wait_for("EXIT:0");
    assert!(
        tmux.screen().contains("Snapshot created:"),
        "{}",
        tmux.screen()
    );
    assert_eq!(snapshot_count(&dest), 1);
}

#[test]
fn menu_in_tmux_in_russian_offers_mounts_and_snapshots_from_the_config() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let (project, backup) = write_config(&sb);
    sb.agsekit()
        .args(["backup-once", "--source-dir"])
        .arg(&project)
        .arg("--dest-dir")
        .arg(&backup)
        .assert()
        .success();
    let snap = fs::read_dir(&backup)
        .expect("snapshots")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("20"))
        .expect("one snapshot");
    fs::write(project.join("a.txt"), "changed by the agent\n").expect("write");

    let tmux = Tmux::start(&command_line(&sb, &["AGSEKIT_LANG=ru".into()], &[]));
    tmux.wait_for("Раздел (номер) или команда (имя):");
    assert!(
        tmux.screen().contains("5) Резервные копии и снимки"),
        "{}",
        tmux.screen()
    );
    tmux.answer("Раздел (номер) или команда (имя):", "5");
    tmux.wait_for("Команда (номер или имя; Enter — назад):");
    let screen = tmux.screen();
    assert!(
        screen.contains("Восстановить файлы, папки или всё из снимка"),
        "{screen}"
    );
    // A command name works at the second level too.
    tmux.answer("Команда (номер или имя; Enter — назад):", "restore");
    // The config first, the one found offered with Enter.
    tmux.answer("Файл конфигурации [", "");
    // The mount, from the config.
    tmux.wait_for("Номер [3]:");
    let choice = format!("1) {} -> agent-ubuntu:/home/ubuntu/proj", project.display());
    assert!(tmux.screen().contains(&choice), "{}", tmux.screen());
    tmux.answer("Номер [3]:", "1");
    // The snapshot, from that mount's snapshot folder.
    tmux.wait_for("Номер:");
    assert!(
        tmux.screen().contains(&format!("1) {snap}")),
        "{}",
        tmux.screen()
    );
    tmux.answer("Номер:", "1");
    tmux.answer("(пусто — не указывать):", "");
    tmux.wait_for("Выполнить? [Д/н]:");
    let expected = format!(
        "Команда: agsekit restore --mount {} {snap}",
        project.display()
    );
    assert!(tmux.screen().contains(&expected), "{}", tmux.screen());
    tmux.answer("Выполнить? [Д/н]:", "д");
    tmux.wait_for("EXIT:0");
    assert_eq!(
        fs::read_to_string(project.join("a.txt")).expect("read"),
        "first\n"
    );
}

#[test]
fn menu_in_tmux_declined_runs_nothing() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let dest = sb.home().join("snaps");
    let tmux = Tmux::start(&command_line(&sb, &[], &[]));
    tmux.answer("Section (number) or command (name):", "backup-once");
    tmux.answer("(--source-dir):", &sb.home().display().to_string());
    tmux.answer("(--dest-dir):", &dest.display().to_string());
    tmux.answer("[y/N]:", "");
    tmux.answer("Run it? [Y/n]:", "n");
    tmux.wait_for("EXIT:0");
    assert!(tmux.screen().contains("Not run."), "{}", tmux.screen());
    assert!(!dest.exists());
}

#[test]
fn missing_argument_in_tmux_falls_back_to_a_prompt() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let src = sb.home().join("src");
    let dest = sb.home().join("snaps");
    fs::create_dir_all(&src).expect("mkdir");
    fs::write(src.join("f.txt"), "x\n").expect("write");
    let dest_text = dest.display().to_string();
    let tmux = Tmux::start(&command_line(
        &sb,
        &[],
        &["backup-once", "--dest-dir", &dest_text],
    ));
    tmux.wait_for("Directory to back up (--source-dir):");
    let screen = tmux.screen();
    assert!(
        screen.contains("Missing --source-dir: asking for it (--non-interactive turns this off)."),
        "{screen}"
    );
    // Only the missing value is asked for.
    assert!(!screen.contains("--dest-dir):"), "{screen}");
    tmux.answer(
        "Directory to back up (--source-dir):",
        &src.display().to_string(),
    );
    tmux.wait_for("Run it? [Y/n]:");
    let expected = format!(
        "Command: agsekit backup-once --source-dir {} --dest-dir {dest_text}",
        src.display()
    );
    assert!(tmux.screen().contains(&expected), "{}", tmux.screen());
    tmux.answer("Run it? [Y/n]:", "y");
    tmux.wait_for("EXIT:0");
    assert_eq!(snapshot_count(&dest), 1);
}

#[test]
fn missing_argument_in_tmux_in_russian_asks_in_russian() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let src = sb.home().join("src");
    let dest = sb.home().join("snaps");
    fs::create_dir_all(&src).expect("mkdir");
    let tmux = Tmux::start(&command_line(
        &sb,
        &["LANG=ru_RU.UTF-8".into()],
        &["backup-once"],
    ));
    tmux.wait_for("Папка, которую нужно копировать (--source-dir):");
    assert!(
        tmux.screen()
            .contains("Не хватает --source-dir, --dest-dir: спрашиваю"),
        "{}",
        tmux.screen()
    );
    tmux.answer("(--source-dir):", &src.display().to_string());
    tmux.answer(
        "Папка, в которой хранятся снимки (--dest-dir):",
        &dest.display().to_string(),
    );
    tmux.answer("Выполнить? [Д/н]:", "н");
    tmux.wait_for("EXIT:2");
    assert!(tmux.screen().contains("Не выполнено."), "{}", tmux.screen());
    assert!(!dest.exists());
}

#[test]
fn non_interactive_in_a_terminal_keeps_the_usage_error_and_the_help() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let tmux = Tmux::start(&command_line(
        &sb,
        &[],
        &["backup-once", "--non-interactive"],
    ));
    tmux.wait_for("EXIT:2");
    let screen = tmux.screen();
    assert!(
        screen.contains("the following required arguments were not provided"),
        "{screen}"
    );
    assert!(!screen.contains("Missing"), "{screen}");
    drop(tmux);

    let tmux = Tmux::start(&command_line(&sb, &[], &["--non-interactive"]));
    tmux.wait_for("EXIT:2");
    let screen = tmux.screen();
    assert!(
        screen.contains("Usage: agsekit [OPTIONS] <COMMAND>"),
        "{screen}"
    );
    assert!(
        !screen.contains("Section (number) or command (name)"),
        "{screen}"
    );
}

#[test]
fn without_a_terminal_there_are_no_prompts() {
    let sb = Sandbox::new();
    // No command: clap's help on stderr, exit 2 (as for any missing subcommand).
    sb.agsekit()
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "Usage: agsekit [OPTIONS] <COMMAND>",
        ))
        .stderr(predicate::str::contains("Section (number) or command (name)").not());
    // A missing argument: the usage error, exit 2, no question.
    sb.agsekit()
        .args(["backup-once", "--dest-dir", "/tmp/x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: the following required arguments were not provided:\n  --source-dir <DIR>",
        ))
        .stderr(predicate::str::contains("Missing").not());
    // The same with --non-interactive.
    sb.agsekit()
        .args(["restore", "--non-interactive"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<SNAP>"));
}

#[test]
fn help_follows_agsekit_lang_then_the_locale() {
    let sb = Sandbox::new();
    let ru = "Сделать один снимок папки";
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["backup-once", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(ru))
        .stdout(predicate::str::contains(
            "Использование: agsekit backup-once",
        ))
        .stdout(predicate::str::contains("Папка, которую нужно копировать"));
    sb.agsekit()
        .env("LANG", "ru_RU.UTF-8")
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Команды:"))
        .stdout(predicate::str::contains("Показать справку"));
    // AGSEKIT_LANG wins over the locale; LC_ALL over LANG.
    sb.agsekit()
        .env("AGSEKIT_LANG", "en")
        .env("LANG", "ru_RU.UTF-8")
        .args(["backup-once", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Run a single backup of a directory",
        ))
        .stdout(predicate::str::contains(ru).not());
    sb.agsekit()
        .env("LC_ALL", "C.UTF-8")
        .env("LANG", "ru_RU.UTF-8")
        .args(["backup-once", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(ru).not());
}

#[test]
fn config_gen_messages_follow_the_language_without_a_terminal() {
    let sb = Sandbox::new();
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("config-gen")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "agsekit: error: config-gen задаёт вопросы и требует терминал",
        ))
        .stderr(predicate::str::contains(
            "hint: `agsekit config-example [ПУТЬ]`",
        ));
}

#[test]
fn config_gen_in_tmux_in_russian_writes_a_valid_config() {
    if !tmux_or_skip() {
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
    tmux.answer("Имя ВМ [agent-ubuntu]:", "dev");
    tmux.answer("Виртуальных процессоров [2]:", "0"); // refused, asked again
    tmux.answer("Виртуальных процессоров [2]:", "4");
    tmux.answer("Память (например, 4G или 4096M) [4G]:", "");
    tmux.answer("Размер диска (например, 20G) [20G]:", "");
    tmux.answer("пусто — ничего):", "");
    tmux.answer("через прокси? [д/Н]:", "");
    tmux.answer("Добавить ещё одну ВМ? [д/Н]:", "н");
    tmux.answer("Добавить агента? [Д/н]:", "д");
    tmux.answer("Номер [4]:", "8"); // claude (codex is offered)
    tmux.answer("[claude]:", "");
    tmux.answer("например 1.2.3):", "");
    tmux.answer("Добавить ещё одного агента? [д/Н]:", "");
    tmux.answer("Открыть доступ ВМ к папке хоста сейчас? [д/Н]:", "");
    tmux.answer("пул портов прокси)? [д/Н]:", "");
    tmux.answer("Сохранить конфигурацию в", "");
    tmux.wait_for("EXIT:0");
    let screen = tmux.screen();
    assert!(
        screen.contains("введите целое число от 1 до 1024"),
        "{screen}"
    );
    assert!(screen.contains("== Виртуальные машины"), "{screen}");
    assert!(
        screen.contains(&format!("Записан {dest_text}.")),
        "{screen}"
    );
    sb.agsekit()
        .args(["config-check", "--config"])
        .arg(&dest)
        .assert()
        .success()
        .stdout(predicate::str::contains("dev: 4 CPUs, 4G RAM, 20G disk"))
        .stdout(predicate::str::contains("claude: type claude"));
}

#[test]
fn error_prefixes_are_coloured_on_a_terminal_only() {
    let sb = Sandbox::new();
    // Not a terminal: no escapes even without NO_COLOR.
    sb.agsekit()
        .env_remove("NO_COLOR")
        .arg("config-check")
        .assert()
        .code(3)
        .stderr(predicate::str::starts_with("agsekit: error: "))
        .stderr(predicate::str::contains("\x1b[").not());
    if !tmux_or_skip() {
        return;
    }
    // A terminal with NO_COLOR set (command_line sets it): plain.
    let tmux = Tmux::start(&command_line(&sb, &[], &["config-check"]));
    tmux.wait_for("EXIT:3");
    assert!(
        !tmux.screen_with_escapes().contains("\x1b[31m"),
        "{}",
        tmux.screen_with_escapes()
    );
    assert!(tmux
        .screen()
        .contains("agsekit: error: config file not found"));
    drop(tmux);
    // A terminal, NO_COLOR empty: the prefixes are coloured, the text is not.
    let tmux = Tmux::start(&command_line(&sb, &["NO_COLOR=".into()], &["config-check"]));
    tmux.wait_for("EXIT:3");
    let coloured = tmux.screen_with_escapes();
    assert!(
        coloured.contains("\x1b[31magsekit: error:\x1b[0m"),
        "{coloured:?}"
    );
    assert!(coloured.contains("\x1b[33mhint:\x1b[39m"), "{coloured:?}");
}

#[test]
fn man_prints_roff_for_the_tool_and_each_command() {
    let sb = Sandbox::new();
    sb.agsekit()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH agsekit 1"))
        .stdout(predicate::str::contains("backup\\-once"))
        .stdout(predicate::str::contains(".SH SYNOPSIS"));
    sb.agsekit()
        .args(["man", "run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH agsekit-run 1"))
        .stdout(predicate::str::contains("\\-\\-disable\\-backups"));
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["man", "backup-once"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Сделать один снимок папки"));
    sb.agsekit()
        .args(["man", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no command named \"nope\""))
        .stderr(predicate::str::contains("hint: the commands are: version,"));
}

#[test]
fn clap_usage_errors_read_in_russian_with_the_english_prefix() {
    let sb = Sandbox::new();
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["backup-once", "--dest-dir", "/tmp/x"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: не указаны обязательные аргументы:\n  --source-dir <DIR>\n",
        ))
        .stderr(predicate::str::contains(
            "Использование: agsekit backup-once --source-dir <DIR> --dest-dir <DIR>",
        ));
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["backup-clean", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\nАргументы:\n  <MOUNT_SOURCE>"))
        .stdout(predicate::str::contains("[по умолчанию: 50]"))
        .stdout(predicate::str::ends_with("\n"));
}

#[test]
fn a_group_without_its_subcommand_in_tmux_shows_clap_help() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let tmux = Tmux::start(&command_line(&sb, &[], &["shims"]));
    tmux.wait_for("EXIT:2");
    let screen = tmux.screen();
    assert!(screen.contains("Usage: agsekit shims"), "{screen}");
    assert!(!screen.contains("Missing"), "{screen}");
}

#[test]
fn menu_in_tmux_carries_the_config_option_into_the_command_line() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let (project, _) = write_config(&sb);
    let moved = sb.home().join("elsewhere.yaml");
    fs::rename(sb.home().join(".config/agsekit/config.yaml"), &moved).expect("move");
    let moved_text = moved.display().to_string();
    let tmux = Tmux::start(&command_line(&sb, &[], &["--config", &moved_text]));
    tmux.answer("Section (number) or command (name):", "snapshots");
    tmux.answer(&format!("Config file [{moved_text}]:"), "");
    // The mount list comes from the file given with --config.
    tmux.wait_for("Number [3]:");
    assert!(
        tmux.screen()
            .contains(&format!("1) {} -> agent-ubuntu", project.display())),
        "{}",
        tmux.screen()
    );
    tmux.answer("Number [3]:", "1");
    let expected = format!(
        "Command: agsekit --config {moved_text} snapshots {}",
        project.display()
    );
    let screen = tmux.confirm_command("Run it? [Y/n]:", &expected, 1);
    // It ran with that config: it found the mount and says its snapshot folder is empty.
    assert!(
        screen.contains("agsekit: error: no snapshots in "),
        "{screen}"
    );
}

/// With the FAKE multipass (no real VM): the menu offers the config's VMs for `stop-vm` and
/// stops only the one picked.
#[test]
fn menu_in_tmux_stops_the_vm_picked_from_the_config_fake_multipass() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let fake = crate::support::FakeMultipass::new(sb.home());
    fake.launch("dev");
    fake.launch("web");
    let config = sb.home().join("config.yaml");
    fs::write(
        &config,
        "vms:\n  dev:\n    cpu: 2\n    ram: 4G\n    disk: 20G\n  web:\n    cpu: 2\n    ram: 4G\n    disk: 20G\n",
    )
    .expect("config");
    let config_text = config.display().to_string();
    let env = [
        format!("AGSEKIT_MULTIPASS={}", fake.bin.display()),
        format!("FAKE_MULTIPASS_STATE={}", fake.state_dir.display()),
    ];
    let tmux = Tmux::start(&command_line(&sb, &env, &["--config", &config_text]));
    tmux.answer("Section (number) or command (name):", "stop-vm");
    tmux.answer(&format!("Config file [{config_text}]:"), "");
    tmux.wait_for("Number [4]:");
    let screen = tmux.screen();
    assert!(
        screen.contains("  1) dev\n  2) web\n  3) (type another value)\n  4) (leave it out)"),
        "{screen}"
    );
    tmux.answer("Number [4]:", "2");
    tmux.wait_for("Run it? [Y/n]:");
    let expected = format!("Command: agsekit --config {config_text} stop-vm web");
    assert!(tmux.screen().contains(&expected), "{}", tmux.screen());
    tmux.answer("Run it? [Y/n]:", "");
    tmux.wait_for("EXIT:0");
    let state = |vm: &str| {
        let out = fake.ok(&["info", vm, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        v["info"][vm]["state"].as_str().unwrap_or("").to_string()
    };
    assert_eq!(state("web"), "Stopped");
    assert_eq!(state("dev"), "Running");
}

#[test]
fn version_line_follows_the_language() {
    let sb = Sandbox::new();
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("version")
        .assert()
        .success()
        .stdout(format!(
            "Установленная версия: {}\n",
            env!("CARGO_PKG_VERSION")
        ));
}

/// Makes `n` snapshots of `project` in `backup` (a second apart, so names differ).
fn make_snapshots(sb: &Sandbox, project: &Path, backup: &Path, n: usize) {
    for i in 0..n {
        fs::write(project.join("a.txt"), format!("version {i}\n")).expect("write");
        sb.agsekit()
            .args(["backup-once", "--source-dir"])
            .arg(project)
            .arg("--dest-dir")
            .arg(backup)
            .assert()
            .success();
        if i + 1 < n {
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
    }
}

/// The menu asks which config to use before anything else (as 1.7.4's builders do): a
/// missing file and a config that does not load are refused with the reason and asked
/// again; the file finally picked supplies the choices and is named on the command line.
#[test]
fn menu_in_tmux_asks_for_the_config_first_and_refuses_unusable_ones() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let (project, _) = write_config(&sb);
    let default = sb.home().join(".config/agsekit/config.yaml");
    // Another config, with its own mount.
    let other_project = sb.home().join("other");
    fs::create_dir_all(&other_project).expect("mkdir");
    let other = sb.home().join("other.yaml");
    fs::write(
        &other,
        format!(
            "vms:\n  box:\n    cpu: 2\n    ram: 4G\n    disk: 20G\nmounts:\n  - source: {}\n    backup: {}\n",
            other_project.display(),
            sb.home().join("other-bk").display()
        ),
    )
    .expect("config");
    let broken = sb.home().join("broken.yaml");
    fs::write(&broken, "vms:\n  box:\n    cpu: lots\n").expect("config");
    let missing = sb.home().join("nowhere.yaml");

    let tmux = Tmux::start(&command_line(&sb, &[], &[]));
    tmux.answer("Section (number) or command (name):", "snapshots");
    tmux.answer(
        &format!("Config file [{}]:", default.display()),
        &missing.display().to_string(),
    );
    tmux.answer("Config file [", &broken.display().to_string());
    tmux.answer("Config file [", &other.display().to_string());
    tmux.wait_for("Number [3]:");
    let screen = tmux.screen();
    assert!(
        screen.contains(&format!("no config file at {}", missing.display())),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("{} cannot be used:", broken.display()))
            && screen.contains("vms.box.cpu"),
        "{screen}"
    );
    // The choices come from the file picked, not from the default one.
    assert!(
        screen.contains(&format!("1) {} -> box:", other_project.display())),
        "{screen}"
    );
    assert!(
        !screen.contains(&format!("{} -> agent-ubuntu", project.display())),
        "{screen}"
    );
    tmux.answer("Number [3]:", "1");
    let expected = format!(
        "Command: agsekit --config {} snapshots {}",
        other.display(),
        other_project.display()
    );
    let screen = tmux.confirm_command("Run it? [Y/n]:", &expected, 1);
    // It ran with the other config: its mount has no snapshots yet.
    assert!(
        screen.contains("agsekit: error: no snapshots in "),
        "{screen}"
    );
}

/// `backup-clean` in a terminal with no config anywhere asks for one (declining config-gen),
/// keeps the command line as typed, adds `--config`, and after the confirmation cleans the
/// snapshots of the mount that config names.
#[test]
fn missing_config_in_tmux_asks_for_a_config_and_runs_the_command_with_it() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let (project, backup) = write_config(&sb);
    let moved = sb.home().join("configs/agsekit.yaml");
    fs::create_dir_all(moved.parent().expect("parent")).expect("mkdir");
    fs::rename(sb.home().join(".config/agsekit/config.yaml"), &moved).expect("move");
    make_snapshots(&sb, &project, &backup, 3);
    assert_eq!(snapshot_count(&backup), 3);
    let project_text = project.display().to_string();
    let tmux = Tmux::start(&command_line(
        &sb,
        &[],
        &["backup-clean", &project_text, "1", "tail"],
    ));
    tmux.answer("Create one now with agsekit config-gen? [Y/n]:", "n");
    tmux.wait_for("Config file:");
    let screen = tmux.screen();
    assert!(
        screen.contains("Configuration not found (checked --config, $CONFIG_PATH and ~/.config/agsekit/config.yaml)"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "There is no config at {}/.config/agsekit/config.yaml yet.",
            sb.home().display()
        )),
        "{screen}"
    );
    assert_eq!(snapshot_count(&backup), 3, "nothing is cleaned before");
    tmux.answer("Config file:", &moved.display().to_string());
    tmux.wait_for("Run it? [Y/n]:");
    let expected = format!(
        "Command: agsekit --config {} backup-clean {project_text} 1 tail",
        moved.display()
    );
    assert!(tmux.screen().contains(&expected), "{}", tmux.screen());
    tmux.answer("Run it? [Y/n]:", "y");
    tmux.wait_for("EXIT:0");
    assert_eq!(snapshot_count(&backup), 1, "{}", tmux.screen());
}

/// The same in Russian, for `run`: the questions are Russian, and declining the command at
/// the end runs nothing (exit 2).
#[test]
fn missing_config_in_tmux_in_russian_asks_in_russian() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    write_config(&sb);
    let moved = sb.home().join("agsekit.yaml");
    fs::rename(sb.home().join(".config/agsekit/config.yaml"), &moved).expect("move");
    let missing = sb.home().join("nowhere.yaml");
    let tmux = Tmux::start(&command_line(
        &sb,
        &["AGSEKIT_LANG=ru".into()],
        &["run", "claude", "--", "ый аргумент"],
    ));
    tmux.answer(
        "Создать её сейчас с помощью agsekit config-gen? [Д/н]:",
        "н",
    );
    tmux.answer("Файл конфигурации:", &missing.display().to_string());
    tmux.answer("Файл конфигурации:", &moved.display().to_string());
    tmux.wait_for("Выполнить? [Д/н]:");
    let screen = tmux.screen();
    for text in [
        "Конфигурация не найдена (проверены --config, $CONFIG_PATH и ~/.config/agsekit/config.yaml)",
        &format!("файла конфигурации {} нет", missing.display()),
        &format!(
            "Команда: agsekit --config {} run claude -- 'ый аргумент'",
            moved.display()
        ),
    ] {
        assert!(screen.contains(text), "missing {text:?}:\n{screen}");
    }
    tmux.answer("Выполнить? [Д/н]:", "н");
    tmux.wait_for("EXIT:2");
    assert!(tmux.screen().contains("Не выполнено."), "{}", tmux.screen());
}

/// With `--non-interactive` (in a terminal) or without a terminal, a missing config is the
/// usual error (exit 3) and nothing is asked.
#[test]
fn missing_config_without_questions_is_the_usual_error() {
    let sb = Sandbox::new();
    sb.agsekit()
        .args(["backup-clean", "/nowhere", "1"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("config file not found"))
        .stderr(predicate::str::contains("Config file").not());
    if !tmux_or_skip() {
        return;
    }
    let tmux = Tmux::start(&command_line(
        &sb,
        &[],
        &["--non-interactive", "backup-clean", "/nowhere", "1"],
    ));
    tmux.wait_for("EXIT:3");
    let screen = tmux.screen();
    assert!(
        screen.contains("agsekit: error: config file not found"),
        "{screen}"
    );
    assert!(!screen.contains("Configuration not found"), "{screen}");
}

/// Saying yes to the config-gen offer runs the wizard in the same terminal; the config it
/// writes at the default path is then offered with Enter, and the command line needs no
/// `--config` (it is where agsekit looks anyway).
#[test]
fn missing_config_in_tmux_can_create_one_with_config_gen_first() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let default = sb.home().join(".config/agsekit/config.yaml");
    let tmux = Tmux::start(&command_line(&sb, &[], &["ssh", "agent-ubuntu"]));
    tmux.answer("Create one now with agsekit config-gen? [Y/n]:", "");
    // The wizard, with its defaults: one VM, no proxy, no agent, no shared folder.
    tmux.answer_minimal_config_gen("agent-ubuntu");
    tmux.answer(&format!("Config file [{}]:", default.display()), "");
    tmux.wait_for("Run it? [Y/n]:");
    assert!(
        tmux.screen()
            .contains("Command: agsekit ssh agent-ubuntu\n"),
        "{}",
        tmux.screen()
    );
    let text = fs::read_to_string(&default).expect("config-gen wrote the default config");
    assert!(text.contains("agent-ubuntu:"), "{text}");
    tmux.answer("Run it? [Y/n]:", "n");
    tmux.wait_for("EXIT:2");
}

/// A command run from the menu that asks its own questions gets the terminal: the menu's
/// prompts do not keep stdin to themselves (they once did, and such a command waited
/// forever). `removemount` asks which mount and whether to remove it; saying no changes
/// nothing.
#[test]
fn menu_in_tmux_hands_the_terminal_to_a_command_that_asks_its_own_questions() {
    if !tmux_or_skip() {
        return;
    }
    let sb = Sandbox::new();
    let (project, _) = write_config(&sb);
    let config = sb.home().join(".config/agsekit/config.yaml");
    let before = fs::read_to_string(&config).expect("config");
    let tmux = Tmux::start(&command_line(&sb, &[], &[]));
    tmux.answer("Section (number) or command (name):", "removemount");
    tmux.answer("Config file [", "");
    tmux.answer("Run it? [Y/n]:", "");
    tmux.answer("Number:", "1");
    tmux.answer("Remove this mount from the config? [Y/n]:", "n");
    tmux.wait_for("EXIT:1");
    let screen = tmux.screen();
    assert!(
        screen.contains("Command: agsekit removemount\n"),
        "{screen}"
    );
    assert!(screen.contains(&project.display().to_string()), "{screen}");
    assert!(screen.contains("Nothing was changed."), "{screen}");
    assert_eq!(fs::read_to_string(&config).expect("config"), before);
}

/// The commands of each menu section, in the order the menu numbers them.
const MENU_SECTIONS: &[&[&str]] = &[
    &[
        "up",
        "prepare",
        "config-gen",
        "config-example",
        "config-check",
        "list-bundles",
    ],
    &[
        "create-vms",
        "create-vm",
        "start-vm",
        "stop-vm",
        "restart-vm",
        "suspend-vm",
        "resume-vm",
        "destroy-vm",
        "down",
    ],
    &["mount", "umount", "addmount", "removemount"],
    &[
        "install-agents",
        "run",
        "shell",
        "ssh",
        "portforward",
        "shims install",
        "shims list",
    ],
    &[
        "backup-once",
        "backup-repeated",
        "backup-repeated-mount",
        "backup-repeated-all",
        "backup-clean",
        "snapshots",
        "diff",
        "restore",
        "history",
        "accept-ignore",
    ],
    &[
        "status",
        "doctor",
        "daemon install",
        "daemon uninstall",
        "daemon start",
        "daemon stop",
        "daemon restart",
        "daemon status",
    ],
];

/// Issue 12: on an 80x24 terminal the menu used to print 54 lines, descriptions wrapped
/// mid-word and the first half scrolled away. Now, in English and in Russian: the sections
/// screen and then the biggest section's screen fit together without anything scrolling off
/// the top; every section, picked after going back, shows every entry and the
/// prompt on the visible screen; and no line anywhere is wider than 80 columns (lines are
/// joined when captured, so a wrapped line counts whole).
#[test]
fn menu_in_tmux_at_80x24_fits_the_screen_in_english_and_russian() {
    if !tmux_or_skip() {
        return;
    }
    for (env, section_prompt, command_prompt, back) in [
        (
            Vec::new(),
            "Section (number) or command (name):",
            "Command (number or name; Enter: back):",
            "   0) (back to the sections)",
        ),
        (
            vec!["AGSEKIT_LANG=ru".to_string()],
            "Раздел (номер) или команда (имя):",
            "Команда (номер или имя; Enter — назад):",
            "   0) (назад к разделам)",
        ),
    ] {
        let sb = Sandbox::new();
        let tmux = Tmux::start_sized(&command_line(&sb, &env, &[]), 80, 24);
        tmux.wait_for(section_prompt);
        assert_eq!(tmux.history_size(), 0, "{}", tmux.screen());
        let first = tmux.visible();
        let title = first.lines().next().unwrap_or("").to_string();
        assert!(title.starts_with("agsekit: "), "{first}");
        for (i, names) in MENU_SECTIONS.iter().enumerate() {
            let line = first
                .lines()
                .find(|l| l.starts_with(&format!("  {}) ", i + 1)))
                .unwrap_or_else(|| panic!("no section {}:\n{first}", i + 1));
            // The section's first command names are on its line.
            assert!(line.contains(names[0]), "{line}");
        }
        // The biggest section: both screens fit together, nothing scrolled away.
        tmux.answer(section_prompt, "5");
        tmux.wait_for(command_prompt);
        assert_eq!(tmux.history_size(), 0, "{}", tmux.screen());
        let visible = tmux.visible();
        assert!(visible.contains(&title), "{visible}");
        for (i, name) in MENU_SECTIONS[4].iter().enumerate() {
            let entry = format!("{:>4}) {name}  ", i + 1);
            assert!(visible.contains(&entry), "missing {entry:?}:\n{visible}");
        }
        assert!(visible.contains(back), "{visible}");
        // Every other section, after going back: all of it on the visible screen.
        for n in [1, 2, 3, 4, 6] {
            tmux.answer(command_prompt, "");
            tmux.answer(section_prompt, &n.to_string());
            tmux.wait_for(command_prompt);
            let visible = tmux.visible();
            for (i, name) in MENU_SECTIONS[n - 1].iter().enumerate() {
                let entry = format!("{:>4}) {name}  ", i + 1);
                assert!(visible.contains(&entry), "missing {entry:?}:\n{visible}");
            }
            assert!(visible.contains(back), "{visible}");
        }
        let all = tmux.screen();
        for line in all.lines() {
            assert!(
                line.chars().count() <= 80,
                "{} columns: {line:?}",
                line.chars().count()
            );
        }
        // Cut descriptions end at a word, marked with an ellipsis.
        assert!(all.contains('…'), "{all}");
    }
}
