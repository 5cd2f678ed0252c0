//! `config-gen`: refused without a terminal; driven for real in a tmux pane (send-keys,
//! capture-pane), checking that the written file validates and holds the answers. The tmux
//! tests are skipped, with a printed reason, when tmux is not installed.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

use crate::support::Sandbox;
use crate::tmux::{command_line, Tmux};

/// `agsekit ARGS` for tmux, on a host of 4 CPUs and 8 GiB: config-gen offers a VM of half
/// of each (`[2]`, `[4G]`).
fn shell_command(sb: &Sandbox, args: &[&str]) -> String {
    command_line(sb, &HOST_4_CPUS_8G.map(String::from), args)
}

pub(crate) const HOST_4_CPUS_8G: [&str; 2] = ["AGSEKIT_HOST_CPUS=4", "AGSEKIT_HOST_MEMORY=8G"];

#[test]
fn config_gen_needs_a_terminal() {
    let sb = Sandbox::new();
    let dest = sb.home().join("c.yaml");
    for extra in [&[][..], &["--non-interactive"][..]] {
        sb.agsekit()
            .arg("config-gen")
            .args(extra)
            .arg("--config")
            .arg(&dest)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("needs a terminal"))
            .stderr(predicate::str::contains("hint: `agsekit config-example"));
    }
    assert!(!dest.exists());
}

#[test]
fn config_gen_in_tmux_writes_a_valid_commented_config() {
    if !Tmux::available() {
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let sb = Sandbox::new();
    let dest = sb.home().join("conf/config.yaml");
    let project = sb.home().join("proj");
    fs::create_dir_all(&project).expect("mkdir");
    let dest_text = dest.display().to_string();
    let tmux = Tmux::start(&shell_command(&sb, &["config-gen", "--config", &dest_text]));

    tmux.answer("VM name [agent-ubuntu]:", "");
    tmux.answer("Virtual CPUs [2]:", "0"); // refused, asked again
    tmux.answer("Virtual CPUs [2]:", "3");
    tmux.answer("[4G]:", "");
    tmux.answer("[20G]:", "30G");
    tmux.answer("empty for none):", "python, nodejs:20");
    tmux.answer("through a proxy? [y/N]:", "y");
    tmux.answer(
        "like socks5://127.0.0.1:8181 (empty for none):",
        "socks5://127.0.0.1:8181",
    );
    tmux.answer("for a VM-local privoxy", "");
    tmux.answer("Add another VM? [y/N]:", "");
    tmux.answer("Add an agent? [Y/n]:", "");
    tmux.answer("Number [4]:", "8"); // claude (codex is offered)
    tmux.answer("[claude]:", "");
    tmux.answer("like 1.2.3):", "");
    tmux.answer("Add another agent? [y/N]:", "");
    tmux.answer("Share a host folder with a VM now? [y/N]:", "y");
    // The home folder is refused (the VM would see ~/.ssh), and asked again.
    tmux.answer("Host folder to share:", &sb.home().display().to_string());
    tmux.answer("Host folder to share:", &project.display().to_string());
    // The sandbox lives in a hidden temp folder: the wizard warns and asks.
    tmux.answer("Keep this folder anyway? [y/N]:", "y");
    tmux.answer("[/home/ubuntu/proj]:", "");
    tmux.answer("Snapshot folder on the host", "");
    tmux.answer("Minutes between snapshots [5]:", "2");
    tmux.answer("no restriction):", "claude");
    tmux.answer("caches)? [Y/n]:", "");
    tmux.answer("Share another folder? [y/N]:", "");
    tmux.answer("proxy port pool)? [y/N]:", "");
    tmux.answer("Save the config to", "");
    tmux.wait_for("EXIT:0");
    let screen = tmux.screen();
    assert!(
        screen.contains("type a whole number from 1 to 1024"),
        "{screen}"
    );
    assert!(screen.contains("Wrote "), "{screen}");
    assert!(screen.contains("is your home folder"), "{screen}");
    // The file is meant to hold API keys: only its owner can read it.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&dest).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }

    let text = fs::read_to_string(&dest).expect("config written");
    assert!(text.starts_with("# agsekit configuration, written by `agsekit config-gen`"));
    assert!(text.contains("    cpu: 3   # virtual CPUs\n"), "{text}");
    assert!(text.contains("install: [python, \"nodejs:20\"]"), "{text}");
    assert!(text.contains("  claude:\n    type: claude\n"), "{text}");
    assert!(
        text.contains("    proxychains: \"socks5://127.0.0.1:8181\""),
        "{text}"
    );
    assert!(
        text.contains("    interval: 2   # minutes between snapshots\n"),
        "{text}"
    );
    assert!(fs::read_to_string(project.join(".backupignore"))
        .expect(".backupignore")
        .contains("node_modules/"));
    sb.agsekit()
        .args(["config-check", "--config"])
        .arg(&dest)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "agent-ubuntu: 3 CPUs, 4G RAM, 30G disk",
        ))
        .stdout(predicate::str::contains(format!(
            "{} -> agent-ubuntu:/home/ubuntu/proj",
            project.display()
        )))
        .stdout(predicate::str::contains("allowed agents: claude"));
    drop(tmux);
    assert_eq!(backups_next_to(&dest), 0);
}

#[test]
fn config_gen_in_tmux_never_replaces_without_overwrite() {
    if !Tmux::available() {
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let sb = Sandbox::new();
    let dest = sb.home().join("config.yaml");
    fs::write(&dest, "# mine\n").expect("write");
    let dest_text = dest.display().to_string();
    let tmux = Tmux::start(&shell_command(&sb, &["config-gen", "--config", &dest_text]));
    tmux.wait_for("EXIT:1");
    assert!(tmux.screen().contains("--overwrite"), "{}", tmux.screen());
    assert_eq!(fs::read_to_string(&dest).expect("read"), "# mine\n");
    drop(tmux);

    // With --overwrite: the old file is kept as a backup copy.
    let tmux = Tmux::start(&shell_command(
        &sb,
        &["config-gen", "--overwrite", "--config", &dest_text],
    ));
    tmux.answer_minimal_config_gen("dev");
    tmux.wait_for("EXIT:0");
    let text = fs::read_to_string(&dest).expect("read");
    assert!(text.contains("vms:\n  dev:\n"), "{text}");
    assert_eq!(backups_next_to(&dest), 1);
}

fn backups_next_to(config: &Path) -> usize {
    fs::read_dir(config.parent().expect("parent"))
        .expect("ls")
        .filter(|e| {
            e.as_ref()
                .map(|e| e.file_name().to_string_lossy().contains("-backup-"))
                .unwrap_or(false)
        })
        .count()
}
