//! `config-check` and `config-example` driven through the real binary (no VM involved).

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::support::Sandbox;

/// The 1.7.4 shipped example (reference section 2.1) with host paths moved into `root`.
fn original_example(root: &Path) -> String {
    format!(
        r#"global: # global agsekit settings
  ssh_keys_folder: null
  systemd_env_folder: null
  state_file: null
  portforward_config_check_interval_sec: 10
  check_new_version: true
  check_new_version_interval_sec: 600
  http_proxy_port_pool:
    start: 48000
    end: 49000
vms:
  agent-ubuntu:
    cpu: 2      # number of vCPUs
    ram: 4G     # amount of RAM
    disk: 20G   # disk size
    allowed_agents: aider, qwen, forgecode, codex, opencode, claude, cline
    proxychains: ""
    http_proxy: ""
    cloud-init: {{}}
    port-forwarding:
      - type: remote
        host-addr: 127.0.0.1:80
        vm-addr: 127.0.0.1:8080
      - type: local
        host-addr: 0.0.0.0:15432
        vm-addr: 127.0.0.1:5432
      - type: socks5
        vm-addr: 127.0.0.1:8088
    install:
      - python
      - nodejs:20
      - rust
mounts:
  - source: {root}/project
    target: /home/ubuntu/project
    backup: {root}/backups/project
    allowed_agents: qwen, codex
    interval: 5
    max_backups: 100
    backup_clean_method: thin
    first_backup: true
    vm: agent-ubuntu
agents:
  qwen:
    type: qwen
    proxychains: ""
    http_proxy:
      upstream: socks5://127.0.0.1:8181
      listen: 127.0.0.1:8585
    env:
      OPENAI_API_KEY: "my_local_key"
      OPENAI_BASE_URL: "https://127.0.0.1:11556/v1"
      OPENAI_MODEL: "Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8"
    default-args:
      - "--openai-api-key=my_local_key"
      - "--openai-base-url=https://127.0.0.1:11556/v1"
    vm: agent-ubuntu
    vms: agent-ubuntu
  aider:
    type: aider
  forgecode:
    type: forgecode
"#,
        root = root.display()
    )
}

fn write(sb: &Sandbox, name: &str, text: &str) -> PathBuf {
    let path = sb.home().join(name);
    fs::write(&path, text).expect("write config");
    path
}

fn default_config(sb: &Sandbox) -> PathBuf {
    sb.home().join(".config/agsekit/config.yaml")
}

#[test]
fn config_check_accepts_the_original_example_and_summarizes_it() {
    let sb = Sandbox::new();
    let path = write(&sb, "c.yaml", &original_example(sb.home()));
    fs::create_dir_all(sb.home().join("project")).expect("the shared folder exists");
    let home = sb.home().display().to_string();
    sb.agsekit()
        .args(["--config"])
        .arg(&path)
        .arg("config-check")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("agent-ubuntu: 2 CPUs, 4G RAM, 20G disk (default)")
                .and(predicate::str::contains(format!(
                    "{home}/project -> agent-ubuntu:/home/ubuntu/project"
                )))
                .and(predicate::str::contains(format!(
                    "backups: {home}/backups/project (every 5 min, keep 100, thin)"
                )))
                .and(predicate::str::contains(
                    "qwen: type qwen, VMs: agent-ubuntu",
                ))
                .and(predicate::str::contains("aider: type aider, VMs: all"))
                .and(predicate::str::contains(
                    "port forward remote: VM 127.0.0.1:8080 -> host 127.0.0.1:80",
                ))
                .and(predicate::str::contains(
                    "env: OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL (values hidden)",
                ))
                .and(predicate::str::contains(
                    "The configuration is valid: 1 VM, 1 mount, 3 agents.",
                ))
                // Secrets (env values, default args) never appear.
                .and(predicate::str::contains("my_local_key").not())
                .and(predicate::str::contains("Qwen3-Coder").not()),
        )
        .stderr("");
}

#[test]
fn config_check_summary_reads_in_russian_with_russian_plurals() {
    let sb = Sandbox::new();
    let path = write(&sb, "c.yaml", &original_example(sb.home()));
    fs::create_dir_all(sb.home().join("project")).expect("the shared folder exists");
    sb.agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["--config"])
        .arg(&path)
        .arg("config-check")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Конфигурация: ")
                .and(predicate::str::contains(
                    "agent-ubuntu: 2 процессора, 4G ОЗУ, 20G диск (по умолчанию)",
                ))
                .and(predicate::str::contains("aider: тип aider, ВМ: все"))
                .and(predicate::str::contains(
                    "Конфигурация корректна: 1 ВМ, 1 общая папка, 3 агента.",
                ))
                .and(predicate::str::contains("The configuration is valid").not())
                .and(predicate::str::contains("my_local_key").not()),
        )
        .stderr("");
}

#[test]
fn config_check_reports_five_mistakes_at_once_with_exit_3() {
    let sb = Sandbox::new();
    let text = "vms:\n  agent-ubuntu:\n    cpu: 0\n    ram: 4G\n    disk: 20G\n    port-forwarding:\n      - {type: local, host-addr: 127.0.0.1, vm-addr: \"127.0.0.1:5432\"}\nmounts:\n  - source: /srv/app\n    vm: dev\n    backup_clean_method: fat\nagents:\n  q:\n    type: qwne\n";
    let path = write(&sb, "bad.yaml", text);
    sb.agsekit()
        .arg("--config")
        .arg(&path)
        .arg("config-check")
        .assert()
        .code(3)
        .stdout("")
        .stderr(
            predicate::str::contains("(5 problems):")
                .and(predicate::str::contains(
                    "\n  vms.agent-ubuntu.cpu: must be a whole number",
                ))
                .and(predicate::str::contains(
                    "\n  vms.agent-ubuntu.port-forwarding[0].host-addr: \"127.0.0.1\" has no port",
                ))
                .and(predicate::str::contains(
                    "\n  mounts[0].vm: no VM named \"dev\"; defined VMs: agent-ubuntu",
                ))
                .and(predicate::str::contains(
                    "\n  mounts[0].backup_clean_method: unknown method \"fat\"",
                ))
                .and(predicate::str::contains(
                    "\n  agents.q.type: unknown agent type \"qwne\"",
                ))
                .and(predicate::str::contains("did you mean \"qwen\"?"))
                .and(predicate::str::contains("hint: ")),
        );
}

#[test]
fn config_check_honours_config_path_env() {
    // `config-check` with $CONFIG_PATH instead of --config: same lookup as every command.
    let sb = Sandbox::new();
    let path = write(
        &sb,
        "env.yaml",
        "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\nmounts: [{source: /p, vm: nope}]\n",
    );
    sb.agsekit()
        .env("CONFIG_PATH", &path)
        .arg("config-check")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "invalid configuration {} (1 problem):\n  mounts[0].vm: no VM named \"nope\"; defined VMs: v",
            path.display()
        )));
}

#[test]
fn syntax_error_shows_file_line_and_column() {
    let sb = Sandbox::new();
    let path = write(&sb, "syn.yaml", "vms:\n  a:\n    cpu: 1\n   ram: 2\n");
    sb.agsekit()
        .arg("--config")
        .arg(&path)
        .arg("config-check")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "{}:4:4: YAML syntax error",
            path.display()
        )));
}

#[test]
fn unknown_keys_are_warnings_with_a_suggestion() {
    let sb = Sandbox::new();
    let path = write(
        &sb,
        "warn.yaml",
        "vms:\n  v:\n    cpu: 1\n    ram: 1G\n    disk: 1G\n    dsik: 2G\nagents:\n  a:\n    type: codex\n    default_args: [--x]\n",
    );
    sb.agsekit()
        .arg("--config")
        .arg(&path)
        .arg("config-check")
        .assert()
        .success()
        .stderr(
            predicate::str::contains(
                "agsekit: warning: vms.v.dsik: unknown key, ignored; did you mean \"disk\"?",
            )
            .and(predicate::str::contains(
                "agsekit: warning: agents.a.default_args: unknown key, ignored; did you mean \"default-args\"?",
            )),
        )
        .stdout(predicate::str::contains("The configuration is valid: 1 VM, 0 mounts, 1 agent."));
}

#[test]
fn missing_config_is_exit_3_with_the_ways_out() {
    let sb = Sandbox::new();
    sb.agsekit().arg("config-check").assert().code(3).stderr(
        predicate::str::contains(format!(
            "agsekit: error: config file not found: {}",
            default_config(&sb).display()
        ))
        .and(predicate::str::contains("hint: `agsekit config-example`"))
        .and(predicate::str::contains("agsekit config-gen"))
        .and(predicate::str::contains("--config FILE")),
    );
}

#[test]
fn empty_config_is_valid_but_warns_that_no_vms_are_defined() {
    let sb = Sandbox::new();
    let path = write(&sb, "empty.yaml", "");
    sb.agsekit()
        .arg("--config")
        .arg(&path)
        .arg("config-check")
        .assert()
        .success()
        .stderr(predicate::str::contains("vms: no VMs are defined"))
        .stdout(predicate::str::contains("0 VMs, 0 mounts, 0 agents"));
}

#[test]
fn config_example_writes_the_default_path_and_passes_config_check() {
    let sb = Sandbox::new();
    let target = default_config(&sb);
    // A 2-CPU, 8 GiB laptop: the VM gets 1 CPU and 4G, so one CPU and 4 GiB stay free.
    sb.agsekit()
        .env("AGSEKIT_HOST_CPUS", "2")
        .env("AGSEKIT_HOST_MEMORY", "8G")
        .arg("config-example")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Wrote the example configuration to {}",
            target.display()
        )))
        .stdout(predicate::str::contains(
            "The VM is sized for this host (2 CPUs, 8.0 GiB memory): cpu 1, ram 4G",
        ));
    let written = fs::read_to_string(&target).expect("example written");
    assert!(
        written.contains("#  http_proxy_port_pool:"),
        "every key, commented"
    );
    assert!(written.contains("\n    cpu: 1 # virtual CPUs"), "{written}");
    assert!(written.contains("\n    ram: 4G # memory"), "{written}");
    // The written example is a valid config with nothing to delete first.
    sb.agsekit()
        .arg("config-check")
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains(
            "agent-ubuntu: 1 CPU, 4G RAM, 20G disk (default)",
        ))
        .stdout(predicate::str::contains(
            "The configuration is valid: 1 VM, 0 mounts, 1 agent.",
        ));
}

#[test]
fn config_check_warns_about_mount_sources_that_do_not_exist_or_are_not_folders() {
    let sb = Sandbox::new();
    let home = sb.home().display().to_string();
    fs::create_dir_all(sb.home().join("code/here")).unwrap();
    fs::write(sb.home().join("code/file"), "x").unwrap();
    let path = write(
        &sb,
        "c.yaml",
        &format!(
            "vms:\n  v: {{cpu: 1, ram: 1G, disk: 5G}}\nmounts:\n  - source: {home}/code/here\n  - source: {home}/code/not-yet\n  - source: {home}/code/file\n"
        ),
    );
    sb.agsekit()
        .arg("--config")
        .arg(&path)
        .arg("config-check")
        .assert()
        .success()
        .stderr(format!(
            "agsekit: warning: mounts[1].source: {home}/code/not-yet does not exist; `agsekit mount`, `agsekit run` and the shims need it: create the folder or correct the path\n\
             agsekit: warning: mounts[2].source: {home}/code/file is not a folder; `agsekit mount`, `agsekit run` and the shims need a folder there\n"
        ))
        .stdout(predicate::str::contains(
            "The configuration is valid: 1 VM, 3 mounts, 0 agents.",
        ));
}

#[test]
fn config_example_skips_an_existing_default_config() {
    let sb = Sandbox::new();
    let target = default_config(&sb);
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    fs::write(&target, "mine: true\n").unwrap();
    sb.agsekit()
        .arg("config-example")
        .assert()
        .success()
        .stdout(predicate::str::contains("already exists; skipped"));
    assert_eq!(fs::read_to_string(&target).unwrap(), "mine: true\n");
}

#[test]
fn config_example_never_overwrites_a_destination() {
    let sb = Sandbox::new();
    let dest = sb.home().join("deep/er/example.yaml");
    sb.agsekit()
        .arg("config-example")
        .arg(&dest)
        .assert()
        .success();
    assert!(fs::read_to_string(&dest)
        .unwrap()
        .starts_with("# agsekit configuration"));
    fs::write(&dest, "edited\n").unwrap();
    sb.agsekit()
        .arg("config-example")
        .arg(&dest)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "already exists; config-example never overwrites",
        ));
    assert_eq!(fs::read_to_string(&dest).unwrap(), "edited\n");
    // No temporary files left next to it.
    assert_eq!(fs::read_dir(dest.parent().unwrap()).unwrap().count(), 1);
}

#[test]
fn config_example_follows_config_path_env() {
    let sb = Sandbox::new();
    let target = sb.home().join("custom/agsekit.yaml");
    sb.agsekit()
        .env("CONFIG_PATH", &target)
        .arg("config-example")
        .assert()
        .success();
    assert!(target.exists());
    assert!(!default_config(&sb).exists());
}

// Issue 11: unsafe mount layouts and config files (config/layout.rs).

const ONE_VM: &str = "vms:\n  agent-ubuntu: {cpu: 1, ram: 1G, disk: 10G}\n";

fn check_fails(sb: &Sandbox, path: &Path) -> String {
    let out = sb
        .agsekit()
        .arg("--config")
        .arg(path)
        .arg("config-check")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run config-check");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    stderr
}

#[test]
fn config_check_refuses_a_backup_folder_inside_another_mount_naming_both_entries() {
    // The attack: ~/code/proj snapshots go to ~/code/backups-proj (the default), and ~/code is
    // mounted too (into another VM even): the agent there could rewrite every snapshot.
    let sb = Sandbox::new();
    let home = sb.home().display().to_string();
    let text = format!(
        "vms:\n  agent-ubuntu: {{cpu: 1, ram: 1G, disk: 10G}}\n  other: {{cpu: 1, ram: 1G, disk: 10G}}\nmounts:\n  - source: {home}/code/proj\n  - source: {home}/code\n    vm: other\n"
    );
    let path = write(&sb, "c.yaml", &text);
    let stderr = check_fails(&sb, &path);
    for want in [
        format!("mounts[0].backup: the backup folder {home}/code/backups-proj is inside the shared folder {home}/code of mounts[1].source (VM \"other\")"),
        "rewrite every snapshot through the hardlinks".to_string(),
        format!("set `mounts[0].backup:` in {}", path.display()),
        "agsekit removemount".to_string(),
    ] {
        assert!(stderr.contains(&want), "missing {want:?} in:\n{stderr}");
    }
    // Through a symlink: a backup folder that does not exist yet, below a link into a mount.
    std::fs::create_dir_all(sb.home().join("shared")).expect("mkdir");
    std::os::unix::fs::symlink(sb.home().join("shared"), sb.home().join("link")).expect("symlink");
    let linked = format!(
        "{ONE_VM}mounts:\n  - {{source: {home}/p, backup: {home}/link/new/bk}}\n  - {{source: {home}/shared}}\n"
    );
    let path = write(&sb, "linked.yaml", &linked);
    let stderr = check_fails(&sb, &path);
    assert!(
        stderr.contains("mounts[0].backup: ") && stderr.contains("of mounts[1].source"),
        "{stderr}"
    );
    // The safe layout (siblings) still loads.
    let safe =
        format!("{ONE_VM}mounts:\n  - {{source: {home}/code/a}}\n  - {{source: {home}/code/b}}\n");
    let path = write(&sb, "safe.yaml", &safe);
    sb.agsekit()
        .arg("--config")
        .arg(&path)
        .arg("config-check")
        .assert()
        .success()
        .stdout(predicate::str::contains("The configuration is valid"));
}

#[test]
fn config_check_refuses_sharing_home_system_and_credential_folders() {
    let sb = Sandbox::new();
    let home = sb.home();
    std::fs::create_dir_all(home.join(".ssh")).expect("mkdir");
    std::os::unix::fs::symlink("/", home.join("root-link")).expect("symlink");
    let cases = [
        ("\"~\"".to_string(), "is your home folder"),
        (home.join("..").display().to_string(), "is your home folder"),
        ("/".to_string(), "cannot be shared"),
        (
            home.join("root-link").display().to_string(),
            "resolves to /",
        ),
        ("/etc".to_string(), "is a system folder"),
        ("/usr/local/src/app".to_string(), "is a system folder"),
        ("~/.ssh".to_string(), ".ssh to the VM"),
        ("~/.config".to_string(), ".config/agsekit to the VM"),
    ];
    for (source, want) in cases {
        let text = format!(
            "{ONE_VM}mounts:\n  - {{source: {source}, target: /home/ubuntu/p, backup: /home/nobody/bk}}\n"
        );
        let path = write(&sb, "c.yaml", &text);
        let stderr = check_fails(&sb, &path);
        assert!(
            stderr.contains("mounts[0].source: ") && stderr.contains(want),
            "{source}: missing {want:?} in:\n{stderr}"
        );
        if want != "cannot be shared" {
            assert!(stderr.contains("agsekit addmount ."), "{stderr}");
        }
    }
}

#[test]
fn config_check_reads_only_a_regular_config_file_of_bounded_size() {
    let sb = Sandbox::new();
    // A character device that never ends.
    let out = check_fails(&sb, Path::new("/dev/zero"));
    assert!(
        out.contains("config path /dev/zero is not a regular file (a character device)"),
        "{out}"
    );
    // A named pipe nobody writes to: reading it would wait forever.
    let fifo = sb.home().join("fifo.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let out = check_fails(&sb, &fifo);
    assert!(
        out.contains(&format!(
            "{} is not a regular file (a named pipe)",
            fifo.display()
        )),
        "{out}"
    );
    // A link to the pipe is the pipe.
    let link = sb.home().join("link.yaml");
    std::os::unix::fs::symlink(&fifo, &link).expect("symlink");
    let out = check_fails(&sb, &link);
    assert!(out.contains("a named pipe"), "{out}");
    // Too large.
    let big = sb.home().join("big.yaml");
    let mut text = String::from(ONE_VM);
    text.push_str(&format!("# {}\n", "x".repeat(2 * 1024 * 1024)));
    fs::write(&big, text).expect("write");
    let out = check_fails(&sb, &big);
    assert!(
        out.contains(&format!("config file {} is ", big.display()))
            && out.contains("at most 1048576 bytes"),
        "{out}"
    );
}

#[test]
fn config_check_reports_a_huge_integer_at_its_key_with_the_other_problems() {
    let sb = Sandbox::new();
    let text = "vms:\n  agent-ubuntu: {cpu: 99999999999999999999999, ram: 1G, disk: 10G}\nagents:\n  q: {type: qwne}\n";
    let path = write(&sb, "c.yaml", text);
    let stderr = check_fails(&sb, &path);
    assert!(!stderr.contains("YAML syntax"), "{stderr}");
    assert!(stderr.contains("(2 problems)"), "{stderr}");
    assert!(
        stderr.contains("vms.agent-ubuntu.cpu: must be a whole number")
            && stderr.contains("99999999999999999999999"),
        "{stderr}"
    );
    assert!(stderr.contains("agents.q.type: "), "{stderr}");
}

#[test]
fn config_check_rejects_env_names_the_launcher_refuses() {
    let sb = Sandbox::new();
    let text = "agents:\n  q:\n    type: qwen\n    env:\n      \"BAD NAME; x\": secret-one\n      9LIVES: secret-two\n      \"\": x\n      OK_NAME: fine\n";
    let path = write(&sb, "c.yaml", text);
    let stderr = check_fails(&sb, &path);
    assert!(stderr.contains("(3 problems)"), "{stderr}");
    for key in ["agents.q.env.BAD NAME; x: ", "agents.q.env.9LIVES: "] {
        assert!(
            stderr.contains(key) && stderr.contains("launcher refuses others"),
            "missing {key:?} in:\n{stderr}"
        );
    }
    assert!(stderr.contains("empty variable name"), "{stderr}");
    assert!(!stderr.contains("secret-"), "{stderr}");
}

#[test]
fn config_check_refuses_vm_targets_over_system_folders() {
    let sb = Sandbox::new();
    let home = sb.home().display().to_string();
    let text = format!(
        "{ONE_VM}mounts:\n  - {{source: {home}/a, target: /etc}}\n  - {{source: {home}/b, target: /proc}}\n  - {{source: {home}/c, target: /home/ubuntu/../../etc/cron.d}}\n  - {{source: {home}/d, target: /home/ubuntu}}\n  - {{source: {home}/e, target: /home/ubuntu/e}}\n"
    );
    let path = write(&sb, "c.yaml", &text);
    let stderr = check_fails(&sb, &path);
    assert!(stderr.contains("(4 problems)"), "{stderr}");
    for (i, target) in ["/etc", "/proc", "/etc/cron.d", "/home/ubuntu"]
        .iter()
        .enumerate()
    {
        assert!(
            stderr.contains(&format!(
                "mounts[{i}].target: {target} is a system folder of the VM"
            )),
            "{target}: {stderr}"
        );
    }
}

#[test]
fn config_example_writes_a_file_only_its_owner_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let dest = sb.home().join("new/config.yaml");
    sb.agsekit()
        .arg("config-example")
        .arg(&dest)
        .assert()
        .success();
    let mode = fs::metadata(&dest).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let text = fs::read_to_string(&dest).expect("read");
    assert!(
        text.contains("env:"),
        "the example is meant to hold API keys"
    );
}
