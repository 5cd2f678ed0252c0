//! How the packaged binary finds its own installation: `pip-upgrade` run from a copy of the
//! built binary laid out as pip installs the wheel into a venv (`bin/agsekit`, `bin/python3`,
//! `lib/python3.X/site-packages/agsekit-*.dist-info`). The `python3` there is a script that
//! records its arguments, so no pip and no network are involved.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{copy_executable, write_executable, Sandbox};

/// A venv-shaped folder under `root` holding a copy of the built agsekit and a `python3` that
/// writes its arguments, one per line, to `root/python-args` and exits with `exit_code`.
fn wheel_env(root: &Path, exit_code: i32) -> PathBuf {
    let env = root.join("venv");
    std::fs::create_dir_all(env.join("bin")).unwrap();
    std::fs::create_dir_all(env.join("lib/python3.11/site-packages/agsekit-2.0.0.dist-info"))
        .unwrap();
    let exe = env.join("bin/agsekit");
    copy_executable(&assert_cmd::cargo::cargo_bin("agsekit"), &exe);
    let python = env.join("bin/python3");
    let record = root.join("python-args");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nexit {exit_code}\n",
        record.display()
    );
    write_executable(&python, script.as_bytes());
    exe
}

fn run(sb: &Sandbox, exe: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(exe)
        .arg("pip-upgrade")
        .env("HOME", sb.home())
        .env_remove("AGSEKIT_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn pip_upgrade_in_a_wheel_environment_runs_that_environment_s_pip() {
    let sb = Sandbox::new();
    let exe = wheel_env(sb.home(), 0);
    let (code, out, err) = run(&sb, &exe);
    assert_eq!(code, Some(0), "{out}{err}");
    let args = std::fs::read_to_string(sb.home().join("python-args")).unwrap();
    assert_eq!(args, "-m\npip\ninstall\n-U\nagsekit\n");
    let env = sb.home().join("venv");
    assert!(
        out.contains(&format!(
            "agsekit was installed from its wheel into the Python environment {}; upgrading it there: {} -m pip install -U agsekit",
            env.display(),
            env.join("bin/python3").display()
        )),
        "{out}"
    );
    assert!(
        out.contains("pip is done; `agsekit version` shows the version now installed."),
        "{out}"
    );
    assert!(out.contains("agsekit daemon restart"), "{out}");
}

#[test]
fn pip_upgrade_passes_on_pip_s_failure() {
    let sb = Sandbox::new();
    let exe = wheel_env(sb.home(), 7);
    let (code, out, err) = run(&sb, &exe);
    assert_eq!(code, Some(7), "{out}{err}");
    assert!(
        err.contains("pip failed (exit 7); agsekit is unchanged."),
        "{err}"
    );
    assert!(!out.contains("pip is done"), "{out}");
}

#[test]
fn pip_upgrade_in_a_uv_tool_environment_sends_to_uv_and_runs_nothing() {
    let sb = Sandbox::new();
    let exe = wheel_env(sb.home(), 0);
    std::fs::write(sb.home().join("venv/uv-receipt.toml"), "[tool]\n").unwrap();
    let (code, out, _) = run(&sb, &exe);
    assert_eq!(code, Some(0));
    assert!(out.contains("  uv tool upgrade agsekit\n"), "{out}");
    assert!(
        !sb.home().join("python-args").exists(),
        "pip ran in a uv environment"
    );
}
