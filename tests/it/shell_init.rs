//! `agsekit init` scripts, sourced in real bash, zsh and fish, and `agsekit prompt-state`.

use std::process::Command;

use crate::support::Sandbox;

fn init_script(sb: &Sandbox, shell: &str) -> String {
    let out = sb
        .agsekit()
        .args(["init", shell])
        .env("AGSEKIT_SHIMS_DIR", sb.home().join("shims dir"))
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `body` in an interactive `shell` after loading the init script twice.
fn run_shell(sb: &Sandbox, shell: &str, interactive: bool, body: &str) -> String {
    let script = init_script(sb, shell);
    let file = sb.home().join(format!("init.{shell}"));
    std::fs::write(&file, script).unwrap();
    let load = format!(
        "source '{}'; source '{}'; {body}",
        file.display(),
        file.display()
    );
    // fish builds completions from every man page on its first start in a new HOME (a slow
    // background job); an existing generated_completions folder tells it that is done.
    std::fs::create_dir_all(sb.home().join(".local/share/fish/generated_completions")).unwrap();
    let mut cmd = Command::new(shell);
    if interactive {
        cmd.arg("-i");
    }
    if shell == "zsh" {
        cmd.arg("-f"); // no user rc files
    }
    let out = cmd
        .arg("-c")
        .arg(load)
        .env("HOME", sb.home())
        .env("PATH", "/usr/bin:/bin")
        .env_remove("PROMPT_COMMAND")
        .env_remove("CONFIG_PATH")
        .output()
        .unwrap_or_else(|e| {
            panic!("{shell} is needed for this test (scripts/test installs it): {e}")
        });
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn bash_init_twice_puts_shims_first_once_and_keeps_exit_status() {
    let sb = Sandbox::new();
    let shims = sb.home().join("shims dir");
    let out = run_shell(
        &sb,
        "bash",
        true,
        r#"printf 'PATH=%s\n' "$PATH"; printf 'PC=%s\n' "$PROMPT_COMMAND"; false; __agsekit_prompt_hook; echo "rc=$?"; echo "prot=$AGSEKIT_PROTECTION""#,
    );
    assert!(
        out.contains(&format!("PATH={}:/usr/bin:/bin\n", shims.display())),
        "{out}"
    );
    assert!(out.contains("PC=__agsekit_prompt_hook\n"), "{out}");
    assert!(out.contains("rc=1\n"), "{out}");
    assert!(out.contains("prot=unprotected\n"), "{out}");
}

#[test]
fn bash_init_does_nothing_in_a_non_interactive_shell() {
    let sb = Sandbox::new();
    let out = run_shell(
        &sb,
        "bash",
        false,
        r#"printf 'PATH=%s\n' "$PATH"; type __agsekit_prompt_hook >/dev/null 2>&1 && echo hooked; printf 'PC=%s\n' "${PROMPT_COMMAND-}""#,
    );
    assert!(out.contains("PATH=/usr/bin:/bin\n"), "{out}");
    assert!(out.contains("PC=\n"), "{out}");
}

#[test]
fn zsh_init_twice_puts_shims_first_once_and_keeps_exit_status() {
    let sb = Sandbox::new();
    let shims = sb.home().join("shims dir");
    let out = run_shell(
        &sb,
        "zsh",
        true,
        r#"print -r -- "PATH=$PATH"; print -r -- "HOOKS=${(j:,:)precmd_functions}"; false; __agsekit_prompt_hook; print -r -- "rc=$?"; print -r -- "prot=$AGSEKIT_PROTECTION""#,
    );
    assert!(
        out.contains(&format!("PATH={}:/usr/bin:/bin\n", shims.display())),
        "{out}"
    );
    assert!(out.contains("HOOKS=__agsekit_prompt_hook\n"), "{out}");
    assert!(out.contains("rc=1\n"), "{out}");
    assert!(out.contains("prot=unprotected\n"), "{out}");
}

#[test]
fn fish_init_twice_puts_shims_first_once_and_sets_the_state() {
    let sb = Sandbox::new();
    let shims = sb.home().join("shims dir");
    let out = run_shell(
        &sb,
        "fish",
        true,
        r#"echo "PATH=$PATH"; emit fish_prompt; echo "prot=$AGSEKIT_PROTECTION""#,
    );
    assert!(
        out.contains(&format!("PATH={}:/usr/bin:/bin\n", shims.display())),
        "{out}"
    );
    assert!(out.contains("prot=unprotected\n"), "{out}");
}

#[test]
fn the_rendered_bash_script_passes_shellcheck() {
    let sb = Sandbox::new();
    let file = sb.home().join("init.bash");
    std::fs::write(&file, init_script(&sb, "bash")).unwrap();
    let out = Command::new("shellcheck")
        .args(["--shell=bash"])
        .arg(&file)
        .output()
        .expect("shellcheck (scripts/test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn prompt_state_without_a_config_says_unprotected_or_the_given_text() {
    let sb = Sandbox::new();
    sb.agsekit()
        .args(["prompt-state", "--unprotected", "-"])
        .current_dir(sb.home())
        .assert()
        .success()
        .stdout("-\n");
}

fn local_snapshot_name(ago_secs: i64) -> String {
    let out = Command::new("date")
        .arg("-d")
        .arg(format!("@{}", now_secs() - ago_secs))
        .arg("+%Y%m%d-%H%M%S")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn prompt_state_names_the_mount_vm_and_snapshot_age_and_follows_config_changes() {
    let sb = Sandbox::new();
    let proj = sb.home().join("proj");
    let other = sb.home().join("other");
    let backups = sb.home().join("backups-proj");
    std::fs::create_dir_all(proj.join("src")).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    std::fs::create_dir_all(backups.join(local_snapshot_name(180))).unwrap();
    std::fs::create_dir_all(backups.join(local_snapshot_name(30) + "-partial")).unwrap();
    let config = sb.home().join("config.yaml");
    let write_config = |mounts: &str| {
        std::fs::write(
            &config,
            format!("vms:\n  dev:\n    cpu: 2\n    ram: 4G\n    disk: 20G\nmounts:\n{mounts}"),
        )
        .unwrap();
    };
    write_config(&format!("  - source: {}\n", proj.display()));

    let state = |dir: &std::path::Path| {
        let out = sb
            .agsekit()
            .args(["--config"])
            .arg(&config)
            .args(["prompt-state", "--dir"])
            .arg(dir)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    // The -partial snapshot is not counted: the newest complete one is 3 minutes old.
    assert_eq!(state(&proj.join("src")), "dev:proj 3m\n");
    assert_eq!(state(&other), "unprotected\n");

    // A config change is seen at once (the cache is keyed by size and mtime).
    write_config(&format!(
        "  - source: {}\n  - source: {}\n    interval: 1\n",
        proj.display(),
        other.display()
    ));
    assert_eq!(state(&other), "dev:other no-snapshot\n");

    std::fs::write(&config, "vms: [broken").unwrap();
    assert_eq!(state(&other), "config-error\n");
}
