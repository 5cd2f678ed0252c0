//! Russian messages of the smaller areas through the binary (`AGSEKIT_LANG=ru`): `agsekit man`
//! section headers, clap's usage placeholders, `status` tables and warnings (the JSON stays
//! English), port forwarding's lock, the daemon's start/stop lines and lock error, doctor's
//! check names. Each test also runs the English command and checks its text is unchanged.
//! Tests that use the FAKE multipass say so in their names; no VM is involved anywhere.

use serde_json::Value;

use crate::status::Setup;
use crate::support::Sandbox;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn i18n_man_page_has_russian_section_headers_and_english_ones_unchanged() {
    let sb = Sandbox::new();
    let ru = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["man", "run"])
        .output()
        .expect("run");
    assert!(ru.status.success(), "{}", stderr(&ru));
    let page = stdout(&ru);
    let headers: Vec<&str> = page.lines().filter(|l| l.starts_with(".SH ")).collect();
    assert_eq!(
        headers,
        [
            ".SH НАЗВАНИЕ",
            ".SH ОБЗОР",
            ".SH ОПИСАНИЕ",
            ".SH ПАРАМЕТРЫ",
            ".SH \"ОБЩИЕ ПАРАМЕТРЫ\""
        ],
        "{page}"
    );
    // Only the headers change: the options and their roff markup are as clap_mangen wrote them.
    assert!(page.contains("\\fB\\-\\-vm\\fR \\fI<VM>\\fR"), "{page}");

    let root = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("man")
        .output()
        .expect("run");
    let page = stdout(&root);
    assert!(page.contains("\n.SH КОМАНДЫ\n"), "{page}");
    assert!(page.contains("\n.SH ВЕРСИЯ\n"), "{page}");
    assert!(page.contains("<\\fIкоманда\\fR>"), "{page}");

    let en = sb.agsekit().args(["man", "run"]).output().expect("run");
    let page = stdout(&en);
    let headers: Vec<&str> = page.lines().filter(|l| l.starts_with(".SH ")).collect();
    assert_eq!(
        headers,
        [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH OPTIONS",
            ".SH \"GLOBAL OPTIONS\""
        ]
    );
    let root = sb.agsekit().arg("man").output().expect("run");
    assert!(stdout(&root).contains("\n.SH SUBCOMMANDS\n"));
    assert!(stdout(&root).contains("<\\fIsubcommands\\fR>"));
}

#[test]
fn i18n_man_for_an_unknown_command_says_so_in_russian() {
    let sb = Sandbox::new();
    let ru = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["man", "frob"])
        .output()
        .expect("run");
    assert_eq!(ru.status.code(), Some(2));
    let err = stderr(&ru);
    assert!(
        err.starts_with("agsekit: error: нет команды \"frob\"\nhint: доступные команды: "),
        "{err}"
    );
    assert!(err.contains("backup-once"), "{err}");
    let en = sb.agsekit().args(["man", "frob"]).output().expect("run");
    assert!(
        stderr(&en)
            .starts_with("agsekit: error: no command named \"frob\"\nhint: the commands are: "),
        "{}",
        stderr(&en)
    );
}

#[test]
fn i18n_help_usage_placeholders_are_russian_and_value_names_stay() {
    let sb = Sandbox::new();
    let ru = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["run", "--help"])
        .output()
        .expect("run");
    assert!(ru.status.success());
    assert!(
        stdout(&ru).contains("Использование: agsekit run [ПАРАМЕТРЫ] <AGENT> [AGENT_ARGS]...\n"),
        "{}",
        stdout(&ru)
    );
    let ru = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["daemon", "--help"])
        .output()
        .expect("run");
    assert!(
        stdout(&ru).contains("Использование: agsekit daemon [ПАРАМЕТРЫ] <КОМАНДА>\n"),
        "{}",
        stdout(&ru)
    );
    // A usage error shows the same placeholders.
    let ru = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("daemon")
        .output()
        .expect("run");
    assert_eq!(ru.status.code(), Some(2));
    assert!(
        stderr(&ru).contains("agsekit daemon [ПАРАМЕТРЫ] <КОМАНДА>"),
        "{}",
        stderr(&ru)
    );

    let en = sb.agsekit().args(["run", "--help"]).output().expect("run");
    assert!(stdout(&en).contains("Usage: agsekit run [OPTIONS] <AGENT> [AGENT_ARGS]...\n"));
    let en = sb
        .agsekit()
        .args(["daemon", "--help"])
        .output()
        .expect("run");
    assert!(stdout(&en).contains("Usage: agsekit daemon [OPTIONS] <COMMAND>\n"));
}

/// Without multipass: the table and the warnings are Russian, `--json` is English (the
/// backend error and every warning text), whatever the language.
#[test]
fn i18n_status_without_multipass_is_russian_for_people_and_english_in_json() {
    let s = Setup::new("", "");
    s.snapshot();
    // A stale unfinished snapshot folder: a warning with the dead writer's folders.
    std::fs::create_dir_all(s.backups.join("20990101-000000-partial")).expect("partial");
    let status = |lang: &str, json: bool| {
        let mut cmd = s.sb.agsekit();
        cmd.env("AGSEKIT_MULTIPASS", s.sb.home().join("no-such-multipass"))
            .env_remove("XDG_STATE_HOME")
            .env("AGSEKIT_LANG", lang)
            .arg("--config")
            .arg(&s.config)
            .arg("status");
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().expect("run");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };

    let text = status("ru", false);
    assert!(
        text.contains("multipass: недоступен: Multipass не установлен: AGSEKIT_MULTIPASS="),
        "{text}"
    );
    assert!(text.contains("— не исполняемый файл"), "{text}");
    assert!(text.contains("agent-ubuntu  неизвестно"), "{text}");
    assert!(
        text.contains(
            "  - multipass не установлен: состояние ВМ, монтирования в ВМ и агенты неизвестны\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  - общая папка {}: остались незавершённые папки снимков",
            s.project.display()
        )),
        "{text}"
    );
    assert!(!text.contains("is not installed"), "{text}");

    let en_text = status("en", false);
    assert!(en_text.contains("agent-ubuntu  unknown"), "{en_text}");
    assert!(
        en_text.contains(
            "  - multipass is not installed: VM state, mounts in VMs and agents are unknown\n"
        ),
        "{en_text}"
    );
    assert!(
        en_text.contains(&format!(
            "  - mount {}: unfinished snapshot folders left behind",
            s.project.display()
        )),
        "{en_text}"
    );

    let ru_json: Value = serde_json::from_str(&status("ru", true)).expect("json");
    let en_json: Value = serde_json::from_str(&status("en", true)).expect("json");
    assert_eq!(ru_json["warnings"], en_json["warnings"]);
    assert_eq!(ru_json["backend"], en_json["backend"]);
    assert_eq!(ru_json["vms"][0]["state"], "unknown");
    assert_eq!(
        ru_json["warnings"][0],
        "multipass is not installed: VM state, mounts in VMs and agents are unknown"
    );
    let error = ru_json["backend"]["error"].as_str().expect("error");
    assert!(
        error.starts_with("Multipass is not installed: AGSEKIT_MULTIPASS=")
            && error.ends_with(" is not an executable file"),
        "{error}"
    );
    assert!(
        ru_json["backend"]["hints"][0]
            .as_str()
            .expect("hint")
            .is_ascii(),
        "{ru_json}"
    );
}

/// The fake multipass has the VM but it is not created in the config's eyes: the VM table
/// shows the Russian state, and the VM warning reads in Russian.
#[test]
fn i18n_status_fake_multipass_vm_state_and_warnings_in_russian() {
    let s = Setup::new("", "");
    // Not launched: the configured VM is absent.
    let out = s
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("status")
        .output()
        .expect("run");
    let text = stdout(&out);
    assert!(text.contains("agent-ubuntu  не создана"), "{text}");
    assert!(
        text.contains(
            "  - ВМ agent-ubuntu: ещё не создана; `agsekit create-vm agent-ubuntu` создаст её\n"
        ),
        "{text}"
    );
    let out = s.agsekit().arg("status").output().expect("run");
    let text = stdout(&out);
    assert!(text.contains("agent-ubuntu  absent"), "{text}");
    assert!(
        text.contains(
            "  - VM agent-ubuntu: not created yet; `agsekit create-vm agent-ubuntu` creates it\n"
        ),
        "{text}"
    );
    s.fake.launch("agent-ubuntu");
    let out = s
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("status")
        .output()
        .expect("run");
    assert!(
        stdout(&out).contains("agent-ubuntu  работает"),
        "{}",
        stdout(&out)
    );
}

/// A second port-forward supervisor is refused in the user's language.
#[test]
fn i18n_portforward_fake_multipass_lock_held_in_russian() {
    let s = Setup::new(
        "    port-forwarding:\n      - {type: socks5, vm-addr: \"127.0.0.1:1080\"}\n",
        "",
    );
    // Hold the lock the way a running supervisor does: an flock on the lock file.
    let state = s.sb.home().join(".local/state/agsekit");
    std::fs::create_dir_all(&state).expect("state");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(state.join("portforward.lock"))
        .expect("lock file");
    let _held =
        nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock).expect("lock");
    let ru = s
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("portforward")
        .output()
        .expect("run");
    assert_eq!(ru.status.code(), Some(6), "{}", stderr(&ru));
    let err = stderr(&ru);
    assert!(
        err.contains("agsekit: error: проброс портов уже запущен (другой agsekit"),
        "{err}"
    );
    assert!(
        err.contains("hint: `agsekit status` покажет его туннели"),
        "{err}"
    );
    let en = s.agsekit().arg("portforward").output().expect("run");
    assert_eq!(en.status.code(), Some(6));
    assert!(
        stderr(&en).contains("agsekit: error: port forwarding is already running (another agsekit"),
        "{}",
        stderr(&en)
    );
    // The record names the daemon as the owner: named so in each language.
    std::fs::write(
        state.join("portforward.json"),
        r#"{"pid": 1, "owner": "daemon", "tunnels": []}"#,
    )
    .expect("record");
    let ru = s
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("portforward")
        .output()
        .expect("run");
    assert!(
        stderr(&ru).contains("проброс портов уже запущен (служба"),
        "{}",
        stderr(&ru)
    );
    let en = s.agsekit().arg("portforward").output().expect("run");
    assert!(
        stderr(&en).contains("port forwarding is already running (daemon"),
        "{}",
        stderr(&en)
    );
}

/// `daemon stop` with nothing running, and `daemon uninstall` with nothing installed: one
/// line each, in the user's language.
#[test]
fn i18n_daemon_stop_and_uninstall_lines_in_russian() {
    let s = Setup::new("", "");
    let run = |lang: &str, what: &str| {
        let out = s
            .agsekit()
            .env("AGSEKIT_LANG", lang)
            .env("PATH", "/usr/bin:/bin")
            .args(["daemon", what])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(run("ru", "stop"), "служба не была запущена\n");
    assert_eq!(run("en", "stop"), "the daemon was not running\n");
    assert_eq!(run("ru", "uninstall"), "служба не была установлена\n");
    assert_eq!(run("en", "uninstall"), "the daemon was not installed\n");
}

/// Doctor without multipass and without an SSH key: check names and details in Russian,
/// the English run unchanged.
#[test]
fn i18n_doctor_check_names_in_russian() {
    let s = Setup::new("", "");
    let run = |lang: &str| {
        let out =
            s.sb.agsekit()
                .env("AGSEKIT_MULTIPASS", s.sb.home().join("no-such-multipass"))
                .env_remove("XDG_STATE_HOME")
                .env("AGSEKIT_LANG", lang)
                .env("SHELL", "/bin/bash")
                .arg("--config")
                .arg(&s.config)
                .arg("doctor")
                .output()
                .expect("run");
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        stdout(&out)
    };
    let ru = run("ru");
    assert!(
        ru.contains("FAIL  multipass: Multipass не установлен: AGSEKIT_MULTIPASS="),
        "{ru}"
    );
    assert!(ru.contains("FAIL  SSH-ключ: "), "{ru}");
    assert!(ru.contains("  настройка оболочки: "), "{ru}");
    assert!(ru.contains("  служба: "), "{ru}");
    assert!(!ru.contains("ssh key"), "{ru}");
    let en = run("en");
    assert!(
        en.contains("FAIL  multipass: Multipass is not installed: AGSEKIT_MULTIPASS="),
        "{en}"
    );
    assert!(en.contains("FAIL  ssh key: "), "{en}");
    assert!(en.contains("  shell init: "), "{en}");
    assert!(en.contains("  daemon: "), "{en}");
}

/// Stops the daemon a test started, even when an assertion failed.
struct StopDaemon<'a>(&'a Setup);

impl Drop for StopDaemon<'_> {
    fn drop(&mut self) {
        let _ = self
            .0
            .agsekit()
            .env_remove("XDG_STATE_HOME")
            .args(["daemon", "stop"])
            .output();
    }
}

/// A real daemon process (started directly, with the FAKE multipass behind it): start,
/// start again and stop say so in Russian; the English lines are unchanged.
#[test]
fn i18n_daemon_fake_multipass_start_and_stop_lines_in_russian() {
    let s = Setup::new("", "  check_new_version: false\n");
    let _guard = StopDaemon(&s);
    let daemon = |lang: &str, what: &str| {
        let out = s
            .agsekit()
            .env_remove("XDG_STATE_HOME")
            .env("AGSEKIT_DAEMON_TICK_SEC", "1")
            .env("PATH", "/usr/bin:/bin")
            .env("AGSEKIT_LANG", lang)
            .args(["daemon", what])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let started = daemon("ru", "start");
    assert!(started.starts_with("служба запущена (PID "), "{started}");
    assert!(
        started.contains("`agsekit daemon install` будет запускать её при входе в систему"),
        "{started}"
    );
    let again = daemon("ru", "start");
    assert!(again.starts_with("служба уже работает (PID "), "{again}");
    let again = daemon("en", "start");
    assert!(
        again.starts_with("the daemon is already running (PID "),
        "{again}"
    );
    assert_eq!(daemon("ru", "stop"), "служба остановлена\n");
    let started = daemon("en", "start");
    assert!(started.starts_with("started the daemon (PID "), "{started}");
    assert_eq!(daemon("en", "stop"), "stopped the daemon\n");
}
