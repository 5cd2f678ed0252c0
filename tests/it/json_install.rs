//! Issue 12, item 7: `--json` on the commands scripts use (`snapshots`, `history`,
//! `config-check`, `doctor`, `list-bundles`, `shims list`, `daemon status`), each parsed and
//! its fields checked, in Russian too (keys and values stay English); and
//! `man --install` / `completions --install`, each file checked at the place its consumer
//! searches (and, where the program is installed, found by it: `man -w`, bash `complete -p`,
//! zsh `compinit`, fish `complete -C`). `doctor` runs against the FAKE multipass.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command as Std;

use predicates::prelude::*;
use serde_json::Value;

use crate::status::Setup;
use crate::support::Sandbox;

const VM: &str = "agent-ubuntu";

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn has_cyrillic(v: &Value) -> bool {
    v.to_string()
        .chars()
        .any(|c| ('\u{0400}'..='\u{04ff}').contains(&c))
}

fn program_works(name: &str) -> bool {
    Std::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `agsekit --config CONFIG` with no Multipass at all (a path that does not exist): the
/// commands tested with it work on host folders only.
fn host_only(s: &Setup) -> assert_cmd::Command {
    let mut cmd = s.sb.agsekit();
    cmd.env("AGSEKIT_MULTIPASS", s.sb.home().join("no-multipass"))
        .arg("--config")
        .arg(&s.config);
    cmd
}

#[test]
fn snapshots_and_history_json_list_every_snapshot_in_english_whatever_the_language() {
    let s = Setup::new("", "");
    s.snapshot();
    std::fs::write(s.project.join("main.rs"), "fn main() { changed() }\n").expect("change");
    std::fs::write(s.project.join("new.txt"), "new").expect("add");
    s.snapshot();
    let names: Vec<String> = {
        let mut v: Vec<String> = std::fs::read_dir(&s.backups)
            .expect("backups")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("20"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names.len(), 2, "{names:?}");
    host_only(&s)
        .args(["snapshots", "--pin", &names[0]])
        .arg(&s.project)
        .assert()
        .success();

    let out = host_only(&s)
        .env("AGSEKIT_LANG", "ru")
        .args(["snapshots", "--json"])
        .arg(&s.project)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let j = json_of(&out);
    assert!(!has_cyrillic(&j), "{j}");
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["source"], s.project.display().to_string());
    assert_eq!(j["backup_dir"], s.backups.display().to_string());
    let snaps = j["snapshots"].as_array().expect("snapshots");
    assert_eq!(snaps.len(), 2);
    assert_eq!(snaps[0]["name"], names[0].as_str());
    assert_eq!(snaps[0]["pinned"], true);
    assert_eq!(snaps[0]["files"], 1);
    assert_eq!(snaps[0]["added"], 1);
    assert_eq!(
        snaps[0]["path"],
        s.backups.join(&names[0]).display().to_string()
    );
    let time = snaps[0]["time"].as_str().expect("time");
    assert_eq!(time.len(), 19, "{time}");
    assert_eq!(&time[10..11], "T", "{time}");
    assert_eq!(&time[..4], &names[0][..4], "{time}");
    assert_eq!(snaps[1]["pinned"], false);
    assert_eq!(snaps[1]["files"], 2);
    assert_eq!(snaps[1]["added"], 1);
    assert_eq!(snaps[1]["modified"], 1);
    assert_eq!(snaps[1]["deleted"], 0);
    assert_eq!(snaps[1]["bytes_added"], 3 + 24);
    assert_eq!(snaps[1]["from_manifest"], true);

    // history: both snapshots and the live folder ("snapshot": null).
    std::fs::remove_file(s.project.join("main.rs")).expect("delete");
    let out = host_only(&s)
        .env("AGSEKIT_LANG", "ru")
        .args(["history", "--json", "main.rs", "--mount"])
        .arg(&s.project)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = json_of(&out);
    assert!(!has_cyrillic(&j), "{j}");
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["path"], "main.rs");
    let v = j["versions"].as_array().expect("versions");
    assert_eq!(v.len(), 3, "{j}");
    assert_eq!(v[0]["snapshot"], names[0].as_str());
    assert_eq!(v[0]["change"], "added");
    assert_eq!(v[0]["kind"], "file");
    assert_eq!(v[0]["size_bytes"], 13);
    assert!(v[0]["time"].is_string());
    assert_eq!(v[1]["change"], "changed");
    assert_eq!(v[1]["size_bytes"], 24);
    assert_eq!(v[2]["snapshot"], Value::Null);
    assert_eq!(v[2]["change"], "deleted");
    assert_eq!(v[2]["kind"], Value::Null);
}

#[test]
fn snapshots_json_of_a_mount_without_snapshots_is_an_empty_list() {
    let s = Setup::new("", "");
    std::fs::create_dir_all(&s.backups).expect("backups");
    let out = host_only(&s)
        .args(["snapshots", "--json"])
        .arg(&s.project)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_of(&out)["snapshots"], serde_json::json!([]));
    // --json with --pin makes no sense: a usage error.
    host_only(&s)
        .args(["snapshots", "--json", "--pin", "latest"])
        .assert()
        .code(2);
}

#[test]
fn config_check_json_summarizes_a_valid_config_without_secrets_and_lists_problems() {
    let sb = Sandbox::new();
    let project = sb.home().join("proj");
    std::fs::create_dir_all(&project).expect("project");
    let config = sb.home().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "vms:\n  box:\n    cpu: 1\n    ram: 2G\n    disk: 10G\n    install: [nodejs:20]\n  other:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nmounts:\n  - source: {}\n    vm: box\n    interval: 7\nagents:\n  codex:\n    type: codex\n    env:\n      OPENAI_API_KEY: sk-very-secret-value\n",
            project.display()
        ),
    )
    .expect("config");
    let out = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["config-check", "--json", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("sk-very-secret-value"), "{text}");
    let j = json_of(&out);
    assert!(!has_cyrillic(&j), "{j}");
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["valid"], true);
    assert_eq!(j["config_path"], config.display().to_string());
    assert_eq!(j["problems"], serde_json::json!([]));
    assert_eq!(j["vms"][0]["name"], "box");
    assert_eq!(j["vms"][0]["default"], true);
    assert_eq!(j["vms"][0]["cpu"], 1);
    assert_eq!(j["vms"][0]["ram"], "2G");
    assert_eq!(j["vms"][0]["ram_bytes"], 2u64 << 30);
    assert_eq!(j["vms"][0]["install"], serde_json::json!(["nodejs:20"]));
    assert_eq!(j["vms"][1]["default"], false);
    assert_eq!(j["mounts"][0]["source"], project.display().to_string());
    assert_eq!(j["mounts"][0]["vm"], "box");
    assert_eq!(j["mounts"][0]["target"], "/home/ubuntu/proj");
    assert_eq!(j["mounts"][0]["interval_minutes"], 7);
    assert!(j["mounts"][0]["backup"].is_string());
    assert_eq!(j["agents"][0]["name"], "codex");
    assert_eq!(j["agents"][0]["type"], "codex");
    assert_eq!(j["agents"][0]["env"], serde_json::json!(["OPENAI_API_KEY"]));

    // Invalid: exit 3, the problems with their key paths, in English.
    std::fs::write(&config, "vms:\n  box:\n    cpu: lots\n").expect("config");
    let out = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["config-check", "--json", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let j = json_of(&out);
    assert!(!has_cyrillic(&j), "{j}");
    assert_eq!(j["valid"], false);
    let problems = j["problems"].as_array().expect("problems");
    assert!(
        problems
            .iter()
            .any(|p| p["key"] == "vms.box.cpu"
                && p["message"].as_str().is_some_and(|m| !m.is_empty())),
        "{j}"
    );
    assert_eq!(j["vms"], serde_json::json!([]));
}

/// A healthy host for doctor, as tests/it/doctor.rs builds it: a key pair, a codex shim first
/// on PATH, bash with the init line.
fn doctor_host(s: &Setup) -> (std::path::PathBuf, String) {
    let keys = s.sb.home().join("keys");
    std::fs::create_dir_all(&keys).expect("keys");
    std::fs::write(keys.join("id_rsa"), "private").expect("key");
    std::fs::set_permissions(keys.join("id_rsa"), std::fs::Permissions::from_mode(0o600))
        .expect("chmod");
    std::fs::write(keys.join("id_rsa.pub"), "ssh-ed25519 AAAA test").expect("pub");
    let shims = s.sb.home().join("shims");
    std::fs::create_dir_all(&shims).expect("shims");
    crate::support::write_executable(shims.join("codex"), "#!/bin/sh\n");
    std::fs::write(
        s.sb.home().join(".bashrc"),
        "eval \"$(agsekit init bash)\"\n",
    )
    .expect("bashrc");
    let path = format!("{}:/usr/bin:/bin", shims.display());
    (shims, path)
}

#[test]
fn doctor_json_fake_multipass_reports_each_check_and_repairs_nothing() {
    let s = Setup::new("", "");
    let (shims, path) = doctor_host(&s);
    let doctor = |lang: &str| {
        s.agsekit()
            .env("AGSEKIT_LANG", lang)
            .env("SHELL", "/bin/bash")
            .env("PATH", &path)
            .env("AGSEKIT_SHIMS_DIR", &shims)
            .env("AGSEKIT_SSH", "true")
            .args(["doctor", "--json"])
            .output()
            .expect("run doctor")
    };
    // No VM yet: a failing check with its fix, exit 1, nothing repaired.
    let out = doctor("ru");
    assert_eq!(out.status.code(), Some(1));
    let j = json_of(&out);
    assert!(!has_cyrillic(&j), "{j}");
    assert_eq!(j["schema_version"], 1);
    let checks = j["checks"].as_array().expect("checks");
    let vm = checks
        .iter()
        .find(|c| c["subject"] == format!("vm {VM}"))
        .unwrap_or_else(|| panic!("no vm check: {j}"));
    assert_eq!(vm["verdict"], "fail");
    assert_eq!(vm["detail"], "not created");
    assert_eq!(vm["fix"], format!("agsekit create-vm {VM}"));
    assert!(j["fail"].as_u64().is_some_and(|n| n >= 1), "{j}");
    let total = ["ok", "warn", "fail", "skip"]
        .iter()
        .map(|k| j[*k].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(total as usize, checks.len());

    // Running and mounted: every check ok or skip, exit 0.
    s.fake.launch(VM);
    s.mount_in_fake();
    let out = doctor("en");
    assert_eq!(out.status.code(), Some(0), "{}", json_of(&out));
    let j = json_of(&out);
    let multipass = j["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["subject"] == "multipass")
        .cloned()
        .expect("multipass check");
    assert_eq!(multipass["verdict"], "ok");
    assert_eq!(multipass["repair"], Value::Null);
    assert_eq!(j["fail"], 0);

    // -y repairs, --json only reports: together they are a usage error.
    s.agsekit()
        .args(["doctor", "--json", "-y"])
        .assert()
        .code(2);
}

#[test]
fn list_bundles_json_has_names_dependencies_and_english_descriptions() {
    let sb = Sandbox::new();
    let out = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["list-bundles", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let j = json_of(&out);
    assert!(!has_cyrillic(&j), "{j}");
    assert_eq!(j["schema_version"], 1);
    let bundles = j["bundles"].as_array().expect("bundles");
    let names: Vec<&str> = bundles.iter().filter_map(|b| b["name"].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let nodejs = bundles
        .iter()
        .find(|b| b["name"] == "nodejs")
        .expect("nodejs");
    assert_eq!(nodejs["depends_on"], "nvm");
    assert_eq!(nodejs["supports_version"], true);
    assert!(
        nodejs["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Node.js via nvm")),
        "{nodejs}"
    );
    let nvm = bundles.iter().find(|b| b["name"] == "nvm").expect("nvm");
    assert_eq!(nvm["depends_on"], Value::Null);
}

#[test]
fn shims_list_json_names_each_shim_its_target_and_the_path_position() {
    let sb = Sandbox::new();
    let dir = sb.home().join("shims");
    sb.agsekit()
        .args(["shims", "install", "--dir"])
        .arg(&dir)
        .args(["codex", "claude"])
        .assert()
        .success();
    let host_bin = sb.home().join("hostbin");
    std::fs::create_dir_all(&host_bin).expect("host bin");
    crate::support::write_executable(host_bin.join("codex"), "#!/bin/sh\n");
    let out = sb
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .env(
            "PATH",
            format!("{}:{}:/usr/bin:/bin", dir.display(), host_bin.display()),
        )
        .args(["shims", "list", "--json", "--dir"])
        .arg(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let j = json_of(&out);
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["dir"], dir.display().to_string());
    assert_eq!(j["on_path"], true);
    assert_eq!(j["first_on_path"], true);
    let shims = j["shims"].as_array().expect("shims");
    let names: Vec<&str> = shims.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["claude", "codex"]);
    let codex = &shims[1];
    assert_eq!(codex["current"], true);
    assert_eq!(
        codex["host_program"],
        host_bin.join("codex").display().to_string()
    );
    assert!(codex["target"]
        .as_str()
        .is_some_and(|t| t.ends_with("agsekit")));
    assert_eq!(shims[0]["host_program"], Value::Null);

    // Not on PATH at all.
    let out = sb
        .agsekit()
        .env("PATH", "/usr/bin:/bin")
        .args(["shims", "list", "--json", "--dir"])
        .arg(&dir)
        .output()
        .expect("run");
    let j = json_of(&out);
    assert_eq!(j["on_path"], false);
    assert_eq!(j["first_on_path"], false);
}

#[test]
fn daemon_status_json_reports_the_probe_and_the_service_manager() {
    if cfg!(target_os = "macos") {
        println!("SKIPPED: the systemd unit is for Linux");
        return;
    }
    let sb = Sandbox::new();
    let status = |path: Option<&str>| {
        let mut cmd = sb.agsekit();
        cmd.env_remove("XDG_STATE_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env("AGSEKIT_LANG", "ru")
            .args(["daemon", "status", "--json"]);
        if let Some(p) = path {
            cmd.env("PATH", p);
        }
        cmd.output().expect("run")
    };
    let out = status(None);
    assert_eq!(out.status.code(), Some(0));
    let j = json_of(&out);
    assert!(!has_cyrillic(&j), "{j}");
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["running"], false);
    assert_eq!(j["pid"], Value::Null);
    assert_eq!(j["installed"], false);
    assert_eq!(j["version_mismatch"], false);
    assert_eq!(j["manager"], serde_json::json!({}));
    assert_eq!(
        j["log_path"],
        sb.home()
            .join(".local/state/agsekit/daemon.log")
            .display()
            .to_string()
    );
    let unit = sb
        .home()
        .join(".config/systemd/user/agsekit-daemon.service");
    assert_eq!(j["unit_path"], unit.display().to_string());

    // Installed: what systemctl says, key by key.
    std::fs::create_dir_all(unit.parent().expect("parent")).expect("dir");
    std::fs::write(&unit, "[Unit]\n").expect("unit");
    let bin = sb.home().join("fakebin");
    std::fs::create_dir_all(&bin).expect("bin");
    crate::support::write_executable(bin.join("systemctl"), "#!/bin/sh\ncase \"$*\" in *is-active*) echo inactive;; *is-enabled*) echo enabled;; esac\n");
    let out = status(Some(&format!("{}:/usr/bin:/bin", bin.display())));
    let j = json_of(&out);
    assert_eq!(j["installed"], true);
    assert_eq!(
        j["manager"],
        serde_json::json!({"active": "inactive", "enabled": "enabled"})
    );
}

fn data_home(sb: &Sandbox) -> std::path::PathBuf {
    sb.home().join("data")
}

#[test]
fn man_install_writes_every_page_where_man_finds_them() {
    let sb = Sandbox::new();
    let data = data_home(&sb);
    sb.agsekit()
        .env("XDG_DATA_HOME", &data)
        .args(["man", "--install"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "manual pages in {}",
            data.join("man/man1").display()
        )))
        .stdout(predicate::str::contains(format!(
            "export MANPATH=\"{}:\"",
            data.join("man").display()
        )));
    let en = std::fs::read_to_string(data.join("man/man1/agsekit.1")).expect("agsekit.1");
    assert!(en.contains(".TH agsekit"), "{}", &en[..200.min(en.len())]);
    assert!(en.contains("snapshots"), "the page lists the commands");
    let run = std::fs::read_to_string(data.join("man/man1/agsekit-run.1")).expect("run page");
    assert!(
        run.contains(".TH agsekit-run"),
        "{}",
        &run[..200.min(run.len())]
    );
    let ru = std::fs::read_to_string(data.join("man/ru/man1/agsekit.1")).expect("ru page");
    assert!(ru.contains("НАЗВАНИЕ"), "{}", &ru[..300.min(ru.len())]);
    assert!(!data.join("man/man1/agsekit-help.1").exists());
    // Installing again replaces the pages and leaves no temporary files behind.
    sb.agsekit()
        .env("XDG_DATA_HOME", &data)
        .args(["man", "--install"])
        .assert()
        .success();
    let leftovers: Vec<_> = std::fs::read_dir(data.join("man/man1"))
        .expect("man1")
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().ends_with(".1"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    sb.agsekit()
        .args(["man", "--install", "run"])
        .assert()
        .code(2);

    // Without XDG_DATA_HOME: ~/.local/share/man, which man-db searches by itself when
    // ~/.local/bin is on PATH.
    sb.agsekit()
        .env_remove("XDG_DATA_HOME")
        .args(["man", "--install"])
        .assert()
        .success();
    let page = sb.home().join(".local/share/man/man1/agsekit.1");
    assert!(page.is_file());
    if !program_works("man") {
        println!("SKIPPED man -w: man is not installed");
        return;
    }
    std::fs::create_dir_all(sb.home().join(".local/bin")).expect("bin");
    let found = Std::new("man")
        .env_clear()
        .env("HOME", sb.home())
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", sb.home().join(".local/bin").display()),
        )
        .args(["-w", "agsekit", "agsekit-snapshots"])
        .output()
        .expect("man -w");
    let text = String::from_utf8_lossy(&found.stdout);
    assert!(
        found.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&found.stderr)
    );
    assert!(text.contains(&page.display().to_string()), "{text}");
    // With XDG_DATA_HOME elsewhere: found through the MANPATH line the install prints.
    let found = Std::new("man")
        .env_clear()
        .env("HOME", sb.home())
        .env("PATH", "/usr/bin:/bin")
        .env("MANPATH", format!("{}:", data.join("man").display()))
        .args(["-w", "agsekit"])
        .output()
        .expect("man -w");
    let text = String::from_utf8_lossy(&found.stdout);
    assert!(
        text.contains(&data.join("man/man1/agsekit.1").display().to_string()),
        "{text}{}",
        String::from_utf8_lossy(&found.stderr)
    );
}

fn installed(sb: &Sandbox, data: &Path, args: &[&str]) -> String {
    let out = sb
        .agsekit()
        .env("XDG_DATA_HOME", data)
        .env_remove("BASH_COMPLETION_USER_DIR")
        .arg("completions")
        .args(args)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completions_install_puts_each_script_where_its_shell_loads_it() {
    let sb = Sandbox::new();
    let data = data_home(&sb);
    let out = installed(&sb, &data, &["--install"]);
    let bash = data.join("bash-completion/completions/agsekit");
    let zsh = data.join("zsh/site-functions/_agsekit");
    let fish = data.join("fish/vendor_completions.d/agsekit.fish");
    for path in [&bash, &zsh, &fish] {
        assert!(
            out.contains(&format!("Installed {}", path.display())),
            "{out}"
        );
    }
    assert!(
        out.contains(&format!(
            "fpath=({} $fpath)",
            data.join("zsh/site-functions").display()
        )),
        "{out}"
    );
    let zsh_text = std::fs::read_to_string(&zsh).expect("zsh script");
    assert!(zsh_text.starts_with("#compdef agsekit"), "{zsh_text}");
    let bash_text = std::fs::read_to_string(&bash).expect("bash script");
    assert!(bash_text.contains("complete -F"), "{bash_text}");
    assert!(std::fs::read_to_string(&fish)
        .expect("fish script")
        .contains("complete -c agsekit"));

    // bash: sourcing the installed file registers the completion.
    if program_works("bash") {
        let out = Std::new("bash")
            .arg("-c")
            .arg(format!(
                "source {} && complete -p agsekit",
                shell_words::quote(&bash.display().to_string())
            ))
            .output()
            .expect("bash");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("agsekit"), "{text}");
    }
    // zsh: with the folder on fpath (as the printed note says), compinit binds _agsekit.
    if program_works("zsh") {
        let out = Std::new("zsh")
            .arg("-fc")
            .arg(format!(
                "fpath=({} $fpath); autoload -Uz compinit && compinit -u -d {}; print -r -- ${{_comps[agsekit]}}",
                shell_words::quote(&data.join("zsh/site-functions").display().to_string()),
                shell_words::quote(&sb.home().join(".zcompdump").display().to_string())
            ))
            .env("HOME", sb.home())
            .output()
            .expect("zsh");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.trim(),
            "_agsekit",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // fish: found on its default search path, with no configuration at all (fish loads
    // completions only for a command that is on PATH).
    if program_works("fish") {
        let bin = sb.home().join("bin");
        std::fs::create_dir_all(&bin).expect("bin");
        std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("agsekit"), bin.join("agsekit"))
            .expect("link");
        let out = Std::new("fish")
            .args(["-c", "complete -C 'agsekit config-c'"])
            .env("HOME", sb.home())
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CONFIG_HOME", sb.home().join("fish-config"))
            .output()
            .expect("fish");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("config-check"),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn completions_install_follows_bash_completion_user_dir_and_refuses_other_shells() {
    let sb = Sandbox::new();
    let data = data_home(&sb);
    let user_dir = sb.home().join("bc");
    sb.agsekit()
        .env("XDG_DATA_HOME", &data)
        .env("BASH_COMPLETION_USER_DIR", &user_dir)
        .args(["completions", "bash", "--install"])
        .assert()
        .success();
    assert!(user_dir.join("completions/agsekit").is_file());
    assert!(!data.join("bash-completion").exists());
    assert!(!data.join("zsh").exists(), "only the shell named");

    sb.agsekit()
        .env("XDG_DATA_HOME", &data)
        .env("AGSEKIT_LANG", "ru")
        .args(["completions", "powershell", "--install"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "дополнения для powershell нельзя установить в стандартную папку",
        ))
        .stderr(predicate::str::contains(
            "agsekit completions powershell > ФАЙЛ",
        ));
    // A shell or --install is needed; printing still works as before.
    sb.agsekit().arg("completions").assert().code(2);
    sb.agsekit()
        .args(["completions", "fish"])
        .assert()
        .success()
        .stdout(predicate::str::contains("complete -c agsekit"));
    // A relative XDG_DATA_HOME is ignored, as the XDG rules say.
    installed(&sb, Path::new("relative/data"), &["zsh", "--install"]);
    assert!(sb
        .home()
        .join(".local/share/zsh/site-functions/_agsekit")
        .is_file());
}
