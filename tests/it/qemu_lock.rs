//! Two agsekit processes changing the same QEMU VM at once, with FAKE QEMU programs (no VM):
//! the second is refused with a message naming the VM and the first one's pid, and runs once
//! the first is done.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::{stub, Sandbox};

/// A QEMU VM folder as `create` leaves it (stopped), under `AGSEKIT_QEMU_HOME` = `root`.
fn stopped_vm(root: &Path, base: &Path) -> PathBuf {
    let dir = root.join("vms/agent");
    std::fs::create_dir_all(&dir).unwrap();
    let settings = serde_json::json!({
        "name": "agent", "cpus": 1, "memory_mib": 1024, "disk_bytes": 4u64 << 30,
        "boot": {"base": base, "base_format": "raw", "image": base},
        "ssh_port": 40999, "guest_uid": 1000, "guest_gid": 1000,
        "mounts": [], "accel": "tcg"
    });
    std::fs::write(dir.join("settings.json"), settings.to_string()).unwrap();
    dir
}

#[test]
fn start_vm_and_destroy_vm_fake_qemu_at_once_the_second_names_the_first_and_runs_after() {
    let sb = Sandbox::new();
    let root = sb.home().join("qemu-home");
    let base = sb.home().join("base.raw");
    std::fs::write(&base, b"disk").unwrap();
    let dir = stopped_vm(&root, &base);
    let config = sb.home().join("config.yaml");
    std::fs::write(
        &config,
        "global:\n  backend: qemu\nvms:\n  agent:\n    cpu: 1\n    ram: 1G\n    disk: 4G\n",
    )
    .unwrap();
    // A "QEMU" that takes its time and then fails: the start holds the VM meanwhile.
    let bin = sb.home().join("bin");
    let release = sb.home().join("release");
    stub(
        &bin,
        &format!("qemu-system-{}", std::env::consts::ARCH),
        &format!(
            "#!/bin/sh\ni=0\nwhile [ ! -e '{}' ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\necho 'fake qemu gives up' >&2\nexit 1\n",
            release.display()
        ),
    );
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let agsekit = |args: &[&str]| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("agsekit"));
        cmd.env("HOME", sb.home())
            .env("PATH", &path)
            .env("AGSEKIT_QEMU_HOME", &root)
            .env("AGSEKIT_QEMU_ACCEL", "tcg")
            .env("NO_COLOR", "1")
            .env("AGSEKIT_LANG", "en")
            .env_remove("CONFIG_PATH")
            .env_remove("AGSEKIT_DEBUG")
            .env_remove("AGSEKIT_QEMU_SYSTEM")
            .arg("--config")
            .arg(&config)
            .arg("--non-interactive")
            .args(args);
        cmd
    };
    let first = agsekit(&["start-vm", "agent"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let first_pid = first.id();
    // Wait until the start holds the lock (the file names its pid).
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(dir.join("lock")).ok().as_deref()
        != Some(first_pid.to_string().as_str())
    {
        assert!(Instant::now() < deadline, "the start never took the lock");
        std::thread::sleep(Duration::from_millis(50));
    }

    let second = agsekit(&["destroy-vm", "agent", "-y"]).output().unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert_ne!(second.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "VM `agent` is busy: another agsekit process (pid {first_pid})"
        )),
        "{err}"
    );
    assert!(
        err.contains("hint: wait for that command to finish"),
        "{err}"
    );
    assert!(dir.join("settings.json").exists(), "the VM was not deleted");

    std::fs::write(&release, "").unwrap();
    let out = first.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(0), "the fake QEMU fails the start");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("fake qemu gives up"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The first is done: the lock is free and the same command runs.
    let again = agsekit(&["destroy-vm", "agent", "-y"]).output().unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        "VM agent: deleted\n"
    );
    assert!(!dir.exists());
}
