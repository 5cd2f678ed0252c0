//! `doctor` and `prepare` for a config whose VMs use the QEMU backend, through the binary with
//! FAKE QEMU programs: `qemu-system-<arch>` and `qemu-img` are shell scripts on PATH,
//! virtiofsd a file named by `AGSEKIT_VIRTIOFSD`, the package managers stubs that log what
//! they were asked. No VM is started and no package is installed.

use std::path::PathBuf;

use crate::support::{link_host_program, stub, Sandbox};

fn system() -> String {
    format!("qemu-system-{}", std::env::consts::ARCH)
}

/// A config with one VM on the QEMU backend.
fn qemu_config(sb: &Sandbox) -> PathBuf {
    let path = sb.home().join("config.yaml");
    std::fs::write(
        &path,
        "global:\n  backend: qemu\nvms:\n  agent:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n",
    )
    .expect("config");
    path
}

struct Qemu {
    sb: Sandbox,
    config: PathBuf,
    bin: PathBuf,
    /// `AGSEKIT_QEMU_HOME`.
    root: PathBuf,
    virtiofsd: PathBuf,
}

/// A host with fake QEMU programs on PATH (and the real `sh` they need), a fake virtiofsd,
/// and the QEMU backend's folders in the sandbox.
fn fake_qemu_host() -> Qemu {
    let sb = Sandbox::new();
    let config = qemu_config(&sb);
    let bin = sb.home().join("bin");
    stub(
        &bin,
        &system(),
        "#!/bin/sh\necho 'QEMU emulator version 9.9.9 (fake)'\necho 'Copyright (c) fake'\n",
    );
    stub(&bin, "qemu-img", "#!/bin/sh\nexit 0\n");
    let virtiofsd = sb.home().join("libexec/virtiofsd");
    stub(virtiofsd.parent().unwrap(), "virtiofsd", "#!/bin/sh\n");
    let root = sb.home().join("qemu-home");
    std::fs::create_dir_all(root.join("vms")).expect("vms");
    Qemu {
        sb,
        config,
        bin,
        root,
        virtiofsd,
    }
}

impl Qemu {
    fn doctor(&self, path: &str, args: &[&str]) -> (i32, String) {
        let out = self
            .sb
            .agsekit()
            .env("PATH", path)
            .env("SHELL", "/bin/bash")
            .env("AGSEKIT_QEMU_HOME", &self.root)
            .env("AGSEKIT_VIRTIOFSD", &self.virtiofsd)
            .env_remove("AGSEKIT_QEMU_SYSTEM")
            .arg("--config")
            .arg(&self.config)
            .arg("--non-interactive")
            .arg("doctor")
            .args(args)
            .output()
            .expect("run doctor");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    fn path(&self) -> String {
        format!("{}:/usr/bin:/bin", self.bin.display())
    }
}

#[test]
fn doctor_fake_qemu_lists_the_qemu_checks_and_none_of_multipass() {
    let q = fake_qemu_host();
    std::fs::write(
        q.root.join("kvm-unusable"),
        "QEMU aborted with an MSR assertion\n",
    )
    .expect("note");
    let (code, out) = q.doctor(&q.path(), &[]);
    // The VM is not created yet: that check fails.
    assert_eq!(code, 1, "{out}");
    for line in [
        format!(
            "ok    {}: {}, version 9.9.9",
            system(),
            q.bin.join(system()).display()
        ),
        format!("ok    qemu-img: {}", q.bin.join("qemu-img").display()),
        format!("ok    virtiofsd: {}", q.virtiofsd.display()),
        "warn  kvm: an earlier start found KVM unusable on this host, so QEMU VMs start with software emulation: QEMU aborted with an MSR assertion".to_string(),
        format!(
            "fix: rm {} (the next VM start tries KVM again)",
            q.root.join("kvm-unusable").display()
        ),
        format!(
            "ok    qemu images {}: not created yet",
            q.root.join("images").display()
        ),
        format!(
            "ok    qemu state: no stale pidfiles or sockets in {}",
            q.root.join("vms").display()
        ),
        "FAIL  vm agent: not created".to_string(),
        "agsekit create-vm agent".to_string(),
    ] {
        assert!(out.contains(&line), "missing {line:?} in:\n{out}");
    }
    assert!(
        !out.to_lowercase().contains("multipass"),
        "a QEMU-only config gets no Multipass check:\n{out}"
    );
    if nix::unistd::getuid().is_root() {
        assert!(
            out.contains("warn  guest user: agsekit runs as root: the guest user gets uid 1000"),
            "{out}"
        );
    } else {
        assert!(!out.contains("guest user"), "{out}");
    }
}

#[test]
fn doctor_fake_qemu_missing_programs_fail_with_prepare_as_the_fix() {
    let q = fake_qemu_host();
    // PATH without the fake QEMU; the test machine's own QEMU must not be found either.
    let empty = q.sb.home().join("empty-bin");
    std::fs::create_dir_all(&empty).expect("empty");
    let (code, out) = q.doctor(&empty.display().to_string(), &[]);
    assert_eq!(code, 1, "{out}");
    let sys = system();
    for line in [
        format!("FAIL  {sys}: {sys} is not installed (not found on PATH)"),
        "FAIL  qemu-img: qemu-img is not installed (not found on PATH)".to_string(),
        "fix: agsekit prepare (installs QEMU)".to_string(),
    ] {
        assert!(out.contains(&line), "missing {line:?} in:\n{out}");
    }
}

#[test]
fn doctor_fake_qemu_y_removes_stale_pidfiles_and_sockets_and_nothing_else() {
    let q = fake_qemu_host();
    let vm = q.root.join("vms/agent");
    std::fs::create_dir_all(&vm).expect("vm dir");
    // A pid that cannot be alive (above the kernel's pid_max).
    std::fs::write(vm.join("qemu.pid"), "2147483600\n").expect("pid");
    std::fs::write(vm.join("qmp.sock"), "").expect("qmp");
    std::fs::write(vm.join("disk.qcow2"), "disk").expect("disk");
    // A virtiofsd that still runs (this test's own pid) keeps its files.
    std::fs::write(vm.join("agsekit0.pid"), std::process::id().to_string()).expect("live");
    std::fs::write(vm.join("agsekit0.sock"), "").expect("live sock");
    // A dead virtiofsd whose socket name is a symlink out of the folder: the pidfile goes,
    // the symlink and its target stay.
    let precious = q.sb.home().join("precious");
    std::fs::write(&precious, "keep").expect("precious");
    std::fs::write(vm.join("agsekit1.pid"), "2147483601").expect("dead");
    std::os::unix::fs::symlink(&precious, vm.join("agsekit1.sock")).expect("link");

    let (_, out) = q.doctor(&q.path(), &[]);
    assert!(
        out.contains(
            "warn  qemu files agent: left by a QEMU or virtiofsd that is gone: agsekit1.pid, qemu.pid, qmp.sock"
        ),
        "{out}"
    );
    assert!(
        out.contains("fix: agsekit doctor -y (removes them)"),
        "{out}"
    );
    assert!(
        vm.join("qemu.pid").exists(),
        "nothing is removed without -y"
    );

    let (_, out) = q.doctor(&q.path(), &["-y"]);
    assert!(
        out.contains(&format!("removed 3 stale file(s) in {}", vm.display())),
        "{out}"
    );
    for gone in ["qemu.pid", "qmp.sock", "agsekit1.pid"] {
        assert!(!vm.join(gone).exists(), "{gone} is still there");
    }
    for kept in ["disk.qcow2", "agsekit0.pid", "agsekit0.sock"] {
        assert!(vm.join(kept).exists(), "{kept} was removed");
    }
    assert!(vm.join("agsekit1.sock").symlink_metadata().is_ok());
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep");
    assert!(
        out.contains(&format!(
            "ok    qemu state: no stale pidfiles or sockets in {}",
            q.root.join("vms").display()
        )),
        "the checks run again after the repair:\n{out}"
    );
}

/// `prepare -y` with the package managers stubbed: they log what they were asked (through a
/// logging `sudo` when not root, directly as root).
#[test]
fn prepare_fake_qemu_installs_the_qemu_packages_and_no_multipass() {
    let sb = Sandbox::new();
    let config = qemu_config(&sb);
    let bin = sb.home().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    if !link_host_program(&bin, "ssh-keygen") || !link_host_program(&bin, "env") {
        println!("SKIPPED: ssh-keygen or env is not installed here");
        return;
    }
    let log = sb.home().join("calls.log");
    let logger = format!(
        "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> '{}'\n",
        log.display()
    );
    for name in ["apt-get", "snap", "pacman", "yay", "dnf", "brew"] {
        stub(&bin, name, &logger);
    }
    // sudo: log as the program it runs.
    stub(
        &bin,
        "sudo",
        &format!("#!/bin/sh\necho \"$*\" >> '{}'\n", log.display()),
    );
    stub(&bin, "rsync", "#!/bin/sh\nexit 0\n");
    let run = |args: &[&str]| {
        sb.agsekit()
            .env("PATH", &bin)
            .env_remove("AGSEKIT_VIRTIOFSD")
            .arg("--config")
            .arg(&config)
            .arg("--non-interactive")
            .args(args)
            .output()
            .expect("run")
    };
    let out = run(&["prepare"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if err.contains("cannot tell how") || err.contains("WSL") {
        println!("SKIPPED: this host's OS has no prepare plan: {err}");
        return;
    }
    // Without -y and nobody to ask: the plan is shown, nothing runs.
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!log.exists(), "nothing ran without -y");
    assert!(stdout.contains("qemu"), "{stdout}");
    assert!(!stdout.contains("multipass"), "{stdout}");

    let out = run(&["prepare", "-y"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let calls = std::fs::read_to_string(&log).expect("the install commands ran");
    assert!(!calls.contains("multipass"), "{calls}");
    let install = calls
        .lines()
        .find(|l| l.contains("install") || l.contains(" -S "))
        .unwrap_or_else(|| panic!("no install command in {calls}"));
    let arm = matches!(std::env::consts::ARCH, "aarch64" | "arm");
    if calls.starts_with("apt-get update") {
        let system = if arm {
            "qemu-system-arm"
        } else {
            "qemu-system-x86"
        };
        assert!(
            install.starts_with(&format!("apt-get install -y {system} qemu-utils"))
                || install.starts_with(&format!(
                    "env DEBIAN_FRONTEND=noninteractive apt-get install -y {system} qemu-utils"
                )),
            "{calls}"
        );
        // passt (the VM network that keeps the guest off the host's loopback) comes with
        // QEMU where the distribution's QEMU can use it: Debian 12 and later.
        let os = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        let debian_12_up = os.lines().any(|l| l == "ID=debian")
            && os.lines().any(|l| {
                l.strip_prefix("VERSION_ID=")
                    .map(|v| v.trim_matches('"'))
                    .and_then(|v| v.parse::<u32>().ok())
                    .is_some_and(|v| v >= 12)
            });
        if debian_12_up {
            assert!(install.split_whitespace().any(|w| w == "passt"), "{calls}");
        }
    } else if install.starts_with("pacman") {
        assert!(
            install.starts_with("pacman -S --needed --noconfirm qemu-base"),
            "{calls}"
        );
    } else if install.starts_with("dnf") {
        assert!(install.contains("qemu-img"), "{calls}");
    }
}

/// A config with a Multipass VM (the FAKE multipass) and a QEMU VM (fake QEMU programs): the
/// checks of both backends, Multipass's first, and each VM judged by its own backend.
#[test]
fn doctor_fake_multipass_and_fake_qemu_mixed_config_checks_both_backends() {
    let s = crate::status::Setup::new(
        "  qvm:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n    backend: qemu\n",
        "",
    );
    s.fake.launch("agent-ubuntu");
    s.mount_in_fake();
    let q = fake_qemu_host();
    let out = s
        .agsekit()
        .env("PATH", q.path())
        .env("SHELL", "/bin/bash")
        .env("AGSEKIT_SSH", "true")
        .env("AGSEKIT_QEMU_HOME", &q.root)
        .env("AGSEKIT_VIRTIOFSD", &q.virtiofsd)
        .env_remove("AGSEKIT_QEMU_SYSTEM")
        .args(["--non-interactive", "doctor"])
        .output()
        .expect("run doctor");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the QEMU VM is not created: {text}"
    );
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("missing {needle:?} in:\n{text}"))
    };
    let multipass = at("ok    multipass: multipass 1.16.3+fake, daemon 1.16.3+fake");
    let qemu = at(&format!("ok    {}: ", system()));
    assert!(multipass < qemu, "Multipass's checks come first:\n{text}");
    at("ok    vm agent-ubuntu: running at 10.97.0.");
    at("FAIL  vm qvm: not created");
    at(&format!(
        "ok    mount {}: live at agent-ubuntu:/home/ubuntu/proj",
        s.project.display()
    ));
}
