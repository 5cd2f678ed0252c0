//! `addmount` and `removemount` through the real binary: the config file keeps every byte
//! outside the edited entry, a backup copy is written first, refusals write nothing.
//! Calls to Multipass go to a stub script (named `stub multipass` in test names) that logs
//! its arguments and answers as the real CLI does in `shared/multipass/errors.txt`.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::support::Sandbox;

/// A config with comments above, inside and after entries, flow and block styles and blank
/// lines. `{root}` is the sandbox.
fn commented_config(root: &Path) -> String {
    format!(
        r#"# agsekit config, hand-written
global:
  check_new_version: false   # offline machine

vms:
  agent-ubuntu:   # the default VM
    cpu: 2
    ram: 4G
    disk: 20G
    install:
      - python    # for the tools
      - nodejs:20
  second: {{cpu: 1, ram: 1G, disk: 10G}}

# Shared folders.
mounts:
  # the main project
  - source: {root}/work/app   # keep this one
    vm: agent-ubuntu
    # snapshots every two minutes
    interval: 2

  - {{source: {root}/work/lib, vm: second, allowed_agents: [codex]}}
    # end of lib

# Agents follow.
agents:
  codex:
    type: codex   # the default agent
"#,
        root = root.display()
    )
}

fn write_config(sb: &Sandbox, text: &str) -> PathBuf {
    let path = sb.home().join("cfg/config.yaml");
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(&path, text).expect("write config");
    path
}

/// Files in the config's folder other than the config itself.
fn backups(config: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(config.parent().expect("parent"))
        .expect("ls")
        .map(|e| e.expect("entry").path())
        .filter(|p| p != config)
        .collect();
    out.sort();
    out
}

/// A stub `multipass` that appends its arguments to `<home>/multipass.log` and then runs
/// `body` (shell code) to answer.
fn stub_multipass(sb: &Sandbox, body: &str) -> PathBuf {
    let path = sb.home().join("bin/multipass");
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let log = sb.home().join("multipass.log");
    crate::support::write_executable(
        &path,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\n{body}\n",
            log.display()
        ),
    );
    path
}

fn multipass_log(sb: &Sandbox) -> String {
    fs::read_to_string(sb.home().join("multipass.log")).unwrap_or_default()
}

#[test]
fn addmount_then_removemount_with_stub_multipass_gives_back_the_same_bytes() {
    let sb = Sandbox::new();
    let original = commented_config(sb.home());
    let config = write_config(&sb, &original);
    let project = sb.home().join("work/new-proj");
    fs::create_dir_all(&project).expect("mkdir");
    let stub = stub_multipass(&sb, "exit 0");

    sb.agsekit()
        .args(["addmount", "--config"])
        .arg(&config)
        .arg(&project)
        .args(["--vm", "second", "--max-backups", "7"])
        .args(["--backup-clean-method", "tail", "--allowed-agents", "codex"])
        .args(["--force-path", "--create-backupignore", "-y", "--mount"])
        .env("AGSEKIT_MULTIPASS", &stub)
        .assert()
        .success()
        .stdout(predicate::str::contains("Added the mount to"))
        .stdout(predicate::str::contains("Mounted"));

    let added = fs::read_to_string(&config).expect("read");
    let entry = format!(
        "  - source: {p}\n    vm: second\n    target: /home/ubuntu/new-proj\n    backup: {root}/work/backups-new-proj\n    interval: 5\n    max_backups: 7\n    backup_clean_method: tail\n    allowed_agents: [codex]\n",
        p = project.display(),
        root = sb.home().display()
    );
    let marker = "    # end of lib\n";
    let expected = original.replacen(marker, &format!("{marker}{entry}"), 1);
    assert_eq!(added, expected);

    // The backup copy holds the old file.
    let copies = backups(&config);
    assert_eq!(copies.len(), 1, "{copies:?}");
    let name = copies[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("config-backup-") && name.ends_with(".yaml"),
        "{name}"
    );
    assert_eq!(fs::read_to_string(&copies[0]).expect("read"), original);

    // The result validates and has the new mount.
    sb.agsekit()
        .args(["config-check", "--config"])
        .arg(&config)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 mounts"))
        .stdout(predicate::str::contains(format!(
            "{} -> second:/home/ubuntu/new-proj",
            project.display()
        )));
    // The default .backupignore, and the mount call.
    let ignore = fs::read_to_string(project.join(".backupignore")).expect(".backupignore");
    assert!(
        ignore.contains("node_modules/\n") && ignore.contains(".venv/\n"),
        "{ignore}"
    );
    assert_eq!(
        multipass_log(&sb),
        format!("mount {} second:/home/ubuntu/new-proj\n", project.display())
    );

    sb.agsekit()
        .args(["removemount", "--config"])
        .arg(&config)
        .arg(&project)
        .args(["--vm", "second", "-y"])
        .env("AGSEKIT_MULTIPASS", &stub)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Unmounted second:/home/ubuntu/new-proj",
        ))
        .stdout(predicate::str::contains("Removed the mount"));
    assert_eq!(fs::read_to_string(&config).expect("read"), original);
    assert!(multipass_log(&sb).ends_with("umount second:/home/ubuntu/new-proj\n"));
    let copies = backups(&config);
    assert_eq!(copies.len(), 2, "{copies:?}");
    assert!(copies
        .iter()
        .any(|c| fs::read_to_string(c).expect("read") == added));
}

#[test]
fn round_trip_when_mounts_is_empty_or_absent() {
    for (label, original) in [
        (
            "absent",
            "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}   # one VM\n\n# no mounts yet\n",
        ),
        (
            "empty",
            "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\nmounts:\n# agents\nagents: {}\n",
        ),
        (
            "flow",
            "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\nmounts: []   # later\n",
        ),
    ] {
        let sb = Sandbox::new();
        let config = write_config(&sb, original);
        let project = sb.home().join("p");
        sb.agsekit()
            .args(["addmount", "--force-path", "-y", "--config"])
            .arg(&config)
            .arg(&project)
            .assert()
            .success()
            .stderr(predicate::str::contains("does not exist yet"));
        let added = fs::read_to_string(&config).expect("read");
        assert!(
            added.contains(&format!("source: {}", project.display())),
            "{label}: {added}"
        );
        // The VM is gone: removal warns and still removes the entry.
        let stub = stub_multipass(&sb, "printf 'umount failed: The following errors occurred:\\ninstance '\"'\"'v'\"'\"' does not exist\\n' >&2; exit 2");
        sb.agsekit()
            .args(["removemount", "-y", "--config"])
            .arg(&config)
            .arg(&project)
            .env("AGSEKIT_MULTIPASS", &stub)
            .assert()
            .success()
            .stderr(predicate::str::contains(
                "warning: could not unmount from VM \"v\"",
            ));
        assert_eq!(
            fs::read_to_string(&config).expect("read"),
            original,
            "{label}"
        );
    }
}

fn assert_untouched(config: &Path, original: &str) {
    assert_eq!(fs::read_to_string(config).expect("read"), original);
    assert!(backups(config).is_empty(), "{:?}", backups(config));
}

#[test]
fn refusals_write_nothing() {
    let sb = Sandbox::new();
    let original = commented_config(sb.home());
    let config = write_config(&sb, &original);
    let app = sb.home().join("work/app");

    // Same folder into the same VM.
    sb.agsekit()
        .args(["addmount", "--force-path", "-y", "--config"])
        .arg(&config)
        .arg(&app)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "already mounted into VM \"agent-ubuntu\"",
        ))
        .stderr(predicate::str::contains("hint: remove it first"));
    assert_untouched(&config, &original);

    // Same target in the same VM.
    sb.agsekit()
        .args(["addmount", "--force-path", "-y", "--config"])
        .arg(&config)
        .arg(sb.home().join("elsewhere/app"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already the target"));
    assert_untouched(&config, &original);

    // Paths a snap-installed Multipass cannot see, refused with the reason and a fix.
    for (path, reason) in [
        ("/home/me/.local/proj", "hidden folder \".local\""),
        ("/srv/proj", "outside /home"),
        ("/home/me/my proj", "contains a space"),
        ("/home/me/проект", "non-ASCII"),
    ] {
        let assert = sb
            .agsekit()
            // A snap Multipass (the rules follow the backend in use: errors_point_right.rs).
            .env("AGSEKIT_MULTIPASS_SNAP", "1")
            .args(["addmount", "-y", "--config"])
            .arg(&config)
            .arg(path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(reason))
            .stderr(predicate::str::contains("hint:"));
        let _ = assert;
        assert_untouched(&config, &original);
    }

    // No terminal and no -y.
    sb.agsekit()
        .args(["addmount", "--force-path", "--config"])
        .arg(&config)
        .arg(sb.home().join("new"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("confirmation needed"))
        .stderr(predicate::str::contains("hint: pass -y"));
    assert_untouched(&config, &original);
    sb.agsekit()
        .args(["removemount", "--config"])
        .arg(&config)
        .arg(&app)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hint: pass -y"));
    assert_untouched(&config, &original);

    // No folder given and no terminal to ask in.
    sb.agsekit()
        .args(["addmount", "-y", "--config"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs the folder to share"));
    assert_untouched(&config, &original);
}

#[test]
fn removemount_with_stub_multipass_stops_when_unmount_fails() {
    let sb = Sandbox::new();
    let original = commented_config(sb.home());
    let config = write_config(&sb, &original);
    let stub = stub_multipass(
        &sb,
        "printf 'umount failed: The following errors occurred:\\nfailed to unmount \"/home/ubuntu/app\" from '\"'\"'agent-ubuntu'\"'\"': busy\\n' >&2; exit 2",
    );
    sb.agsekit()
        .args(["removemount", "-y", "--config"])
        .arg(&config)
        .arg(sb.home().join("work/app"))
        .env("AGSEKIT_MULTIPASS", &stub)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("busy"))
        .stderr(predicate::str::contains("the config was not changed"));
    assert_untouched(&config, &original);
    assert_eq!(multipass_log(&sb), "umount agent-ubuntu:/home/ubuntu/app\n");
}

#[test]
fn removemount_lists_several_matches_without_a_terminal() {
    let sb = Sandbox::new();
    let root = sb.home().display().to_string();
    let original = format!(
        "vms:\n  a: {{cpu: 1, ram: 1G, disk: 1G}}\n  b: {{cpu: 1, ram: 1G, disk: 1G}}\nmounts:\n  - {{source: {root}/x, vm: a}}\n  - {{source: {root}/x, vm: b}}\n"
    );
    let config = write_config(&sb, &original);
    sb.agsekit()
        .args(["removemount", "-y", "--config"])
        .arg(&config)
        .arg(format!("{root}/x"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2 mounts match"))
        .stderr(predicate::str::contains(format!(
            "{root}/x -> b:/home/ubuntu/x"
        )))
        .stderr(predicate::str::contains("--vm a"));
    assert_untouched(&config, &original);
    sb.agsekit()
        .args(["removemount", "-y", "--config"])
        .arg(&config)
        .arg(format!("{root}/y"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no mount of"));
    assert_untouched(&config, &original);
}

#[test]
fn create_backupignore_keeps_an_existing_file() {
    let sb = Sandbox::new();
    let config = write_config(&sb, "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\n");
    let project = sb.home().join("proj");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(project.join(".backupignore"), "mine\n").expect("write");
    sb.agsekit()
        .args([
            "addmount",
            "--force-path",
            "--create-backupignore",
            "-y",
            "--config",
        ])
        .arg(&config)
        .arg(&project)
        .assert()
        .success()
        .stdout(predicate::str::contains("already exists; left unchanged"));
    assert_eq!(
        fs::read_to_string(project.join(".backupignore")).expect("read"),
        "mine\n"
    );
}

#[test]
fn addmount_and_removemount_ask_in_a_terminal_with_stub_multipass() {
    use crate::tmux::{command_line, Tmux};
    if !Tmux::available() {
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let sb = Sandbox::new();
    let root = sb.home().display().to_string();
    let original = format!(
        "vms:\n  a: {{cpu: 1, ram: 1G, disk: 1G}}\n  b: {{cpu: 1, ram: 1G, disk: 1G}}\n# mounts below\nmounts:\n  - source: {root}/x   # into a\n    vm: a\n"
    );
    let config = write_config(&sb, &original);
    let config_text = config.display().to_string();
    let stub = stub_multipass(&sb, "exit 0");
    let env = [format!("AGSEKIT_MULTIPASS={}", stub.display())];
    let x = format!("{root}/x");
    fs::create_dir_all(&x).expect("mkdir");

    // No folder given: asked for; two VMs: a numbered choice; then the offers and the
    // confirmation.
    let tmux = Tmux::start(&command_line(
        &sb,
        &env,
        &["addmount", "--force-path", "--config", &config_text],
    ));
    tmux.answer("Host folder to share [", &x);
    tmux.answer("Number [1]:", "2");
    tmux.answer("Folder inside the VM [/home/ubuntu/x]:", "");
    tmux.answer("Snapshot folder on the host [", "");
    tmux.answer("Minutes between snapshots [5]:", "0"); // refused, asked again
    tmux.answer("Minutes between snapshots [5]:", "2");
    tmux.answer("Snapshots to keep [100]:", "");
    tmux.answer("(the newest) [thin]:", "");
    tmux.answer("(empty for no restriction):", "");
    tmux.answer(".backupignore in the folder", "n");
    tmux.answer("right away? [Y/n]:", "y");
    tmux.answer("Save this mount to the config? [Y/n]:", "");
    tmux.wait_for("EXIT:0");
    let screen = tmux.screen();
    assert!(screen.contains("  2) b"), "{screen}");
    assert!(screen.contains("Mounted"), "{screen}");
    drop(tmux);
    let added = fs::read_to_string(&config).expect("read");
    assert!(
        added.starts_with(&original)
            && added[original.len()..].starts_with(&format!(
                "  - source: {x}\n    vm: b\n    target: /home/ubuntu/x\n    backup: {root}/backups-x\n    interval: 2\n    max_backups: 100\n"
            )),
        "{added}"
    );
    assert!(!Path::new(&x).join(".backupignore").exists());
    assert_eq!(multipass_log(&sb), format!("mount {x} b:/home/ubuntu/x\n"));

    // Saying no changes nothing.
    let tmux = Tmux::start(&command_line(
        &sb,
        &env,
        &["removemount", &x, "--vm", "b", "--config", &config_text],
    ));
    tmux.answer("Remove this mount from the config? [Y/n]:", "n");
    tmux.wait_for("EXIT:1");
    assert!(
        tmux.screen().contains("Nothing was changed."),
        "{}",
        tmux.screen()
    );
    drop(tmux);
    assert_eq!(fs::read_to_string(&config).expect("read"), added);

    // The folder is now in two VMs: removemount offers both.
    let tmux = Tmux::start(&command_line(
        &sb,
        &env,
        &["removemount", &x, "--config", &config_text],
    ));
    tmux.answer("Number:", "2");
    tmux.answer("Remove this mount from the config? [Y/n]:", "y");
    tmux.wait_for("EXIT:0");
    let screen = tmux.screen();
    assert!(
        screen.contains(&format!("  1) {x} -> a:/home/ubuntu/x")),
        "{screen}"
    );
    drop(tmux);
    assert_eq!(fs::read_to_string(&config).expect("read"), original);
    assert!(multipass_log(&sb).ends_with("umount b:/home/ubuntu/x\n"));
}

#[test]
fn addmount_refuses_the_home_folder_and_folders_holding_credentials_even_with_force_path() {
    let sb = Sandbox::new();
    let original = commented_config(sb.home());
    let config = write_config(&sb, &original);
    fs::create_dir_all(sb.home().join(".ssh")).expect("mkdir");
    std::os::unix::fs::symlink("/", sb.home().join("root-link")).expect("symlink");
    let cases = [
        (sb.home().to_path_buf(), "is your home folder"),
        (sb.home().join("."), "is your home folder"),
        (sb.home().join(".ssh"), ".ssh to the VM"),
        (sb.home().join("cfg"), "config.yaml to the VM"),
        (sb.home().join("root-link"), "resolves to /"),
        (PathBuf::from("/etc"), "system folder"),
    ];
    for (source, want) in &cases {
        for force in [false, true] {
            let mut cmd = sb.agsekit();
            cmd.args(["addmount", "-y", "--config"])
                .arg(&config)
                .arg(source);
            if force {
                cmd.arg("--force-path");
            }
            cmd.assert()
                .code(2)
                .stderr(predicate::str::contains(*want))
                .stderr(predicate::str::contains(
                    "hint: share a project folder instead",
                ))
                .stderr(predicate::str::contains("agsekit addmount ."));
            assert_untouched(&config, &original);
        }
    }
    // `addmount ~` as typed in a shell.
    sb.agsekit()
        .args(["addmount", "-y", "--force-path", "--config"])
        .arg(&config)
        .arg("~")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is your home folder"));
    assert_untouched(&config, &original);
}

#[test]
fn addmount_refuses_a_folder_that_holds_another_mounts_backups_and_system_targets() {
    let sb = Sandbox::new();
    let original = commented_config(sb.home());
    let config = write_config(&sb, &original);
    let home = sb.home().display().to_string();
    // work/app keeps its snapshots in work/backups-app: sharing work/ exposes them.
    sb.agsekit()
        .args(["addmount", "--force-path", "-y", "--config"])
        .arg(&config)
        .arg(sb.home().join("work"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "mounts[0].backup: the backup folder {home}/work/backups-app is inside the shared folder {home}/work of mounts[2].source"
        )));
    assert_untouched(&config, &original);
    // A backup folder inside another mount, spelled through a symlink.
    std::fs::create_dir_all(sb.home().join("work/lib")).expect("mkdir");
    std::os::unix::fs::symlink(sb.home().join("work/lib"), sb.home().join("lib-link"))
        .expect("symlink");
    sb.agsekit()
        .args(["addmount", "--force-path", "-y", "--config"])
        .arg(&config)
        .arg(sb.home().join("new"))
        .arg("/home/ubuntu/new")
        .arg(sb.home().join("lib-link/snapshots"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "mounts[2].backup: the backup folder",
        ))
        .stderr(predicate::str::contains("of mounts[1].source"));
    assert_untouched(&config, &original);
    // One backup folder spelled two ways is one folder.
    std::fs::create_dir_all(sb.home().join("work/backups-app")).expect("mkdir");
    std::os::unix::fs::symlink(
        sb.home().join("work/backups-app"),
        sb.home().join("bk-link"),
    )
    .expect("symlink");
    sb.agsekit()
        .args(["addmount", "--force-path", "-y", "--config"])
        .arg(&config)
        .arg(sb.home().join("other"))
        .arg("/home/ubuntu/other")
        .arg(format!("{home}/bk-link/"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is already the backup folder of"));
    assert_untouched(&config, &original);
    // Targets over system folders of the VM, after `..`.
    for target in [
        "/etc",
        "/home/ubuntu/../../etc",
        "/proc/x",
        "/home/ubuntu/.ssh",
    ] {
        sb.agsekit()
            .args(["addmount", "--force-path", "-y", "--config"])
            .arg(&config)
            .arg(sb.home().join("t"))
            .arg(target)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("system folder of the VM")
                    .or(predicate::str::contains("Multipass cannot mount")),
            );
        assert_untouched(&config, &original);
    }
}

#[test]
fn removemount_with_stub_multipass_removes_the_entry_that_makes_a_layout_unsafe() {
    let sb = Sandbox::new();
    let home = sb.home().display().to_string();
    let original = format!(
        "vms:\n  agent-ubuntu: {{cpu: 1, ram: 1G, disk: 10G}}\nmounts:\n  - source: {home}/code/proj\n  - source: {home}/code\n    target: /home/ubuntu/code\n"
    );
    let config = write_config(&sb, &original);
    let stub = stub_multipass(&sb, "exit 0");
    // Every other command refuses the file...
    sb.agsekit()
        .args(["config-check", "--config"])
        .arg(&config)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("mounts[0].backup: "))
        .stderr(predicate::str::contains(
            "hint: `agsekit removemount FOLDER [--vm VM]`",
        ));
    // ...but removemount can take the unsafe entry out, after showing the problem.
    sb.agsekit()
        .args(["removemount", "-y", "--config"])
        .arg(&config)
        .arg(sb.home().join("code"))
        .env("AGSEKIT_MULTIPASS", &stub)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: mounts[0].backup: "))
        .stdout(predicate::str::contains("Removed"));
    assert_eq!(
        fs::read_to_string(&config).expect("read"),
        format!("vms:\n  agent-ubuntu: {{cpu: 1, ram: 1G, disk: 10G}}\nmounts:\n  - source: {home}/code/proj\n")
    );
    assert!(multipass_log(&sb).contains("umount agent-ubuntu:/home/ubuntu/code"));
    sb.agsekit()
        .args(["config-check", "--config"])
        .arg(&config)
        .assert()
        .success();
}
