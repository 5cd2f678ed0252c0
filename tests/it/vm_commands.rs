//! The VM commands (create-vm, start/stop/restart/destroy-vm, up, down, mount, umount,
//! install-agents, shell, ssh, prepare) end to end against the FAKE multipass
//! (tests/README.md): every test checks the exact multipass calls the command made. No real
//! VM or Multipass is involved.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{FakeMultipass, Sandbox};
use crate::tmux::{command_line, Tmux};

/// A sandbox with the fake multipass, a config and a `systemctl` stand-in (also used by
/// the Russian tests of these commands in i18n_lifecycle.rs).
pub(crate) struct Setup {
    pub(crate) sb: Sandbox,
    pub(crate) fake: FakeMultipass,
    pub(crate) config: PathBuf,
}

/// Stubs that stand in for the VM's system tools so `base.sh` finds every package installed
/// and `sudo` works: the fake VM runs the host's tools as the test user.
pub(crate) fn stub_vm_tools(fake: &FakeMultipass, vm: &str) {
    fake.install_agent(
        vm,
        "sudo",
        "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n",
    );
    fake.install_agent(vm, "dpkg-query", "#!/bin/sh\necho 'install ok installed'\n");
    fake.install_agent(vm, "7z", "#!/bin/sh\nexit 0\n");
    fake.install_agent(
        vm,
        "go",
        "#!/bin/sh\necho 'go version go1.22.2 linux/amd64'\n",
    );
    fake.install_agent(
        vm,
        "apt-get",
        "#!/bin/sh\necho \"apt-get $*\" >> /home/ubuntu/apt.log\n",
    );
}

impl Setup {
    /// A sandbox with the fake multipass and `config.yaml` holding `yaml` (`{HOME}` is
    /// replaced by the sandbox's HOME).
    pub(crate) fn new(yaml: &str) -> Setup {
        let sb = Sandbox::new();
        let fake = FakeMultipass::new(sb.home());
        let config = sb.home().join("config.yaml");
        let text = yaml.replace("{HOME}", &sb.home().to_string_lossy());
        std::fs::write(&config, text).unwrap();
        // `up` installs the daemon and `down` stops it: a `systemctl` stand-in that logs its
        // arguments, so no test reaches the real user service manager.
        let bin = sb.home().join("fakebin");
        std::fs::create_dir_all(&bin).unwrap();
        let systemctl = bin.join("systemctl");
        crate::support::write_executable(&systemctl, format!(
                "#!/bin/sh\necho \"$*\" >> {}\nif [ -n \"$FAKE_SYSTEMCTL_FAIL\" ]; then echo 'Failed to connect to bus' >&2; exit 1; fi\n",
                sb.home().join("systemctl.log").display()
            ));
        Setup { sb, fake, config }
    }

    fn agsekit(&self, args: &[&str]) -> std::process::Output {
        self.agsekit_env(args, &[])
    }

    pub(crate) fn agsekit_env(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut cmd = self.sb.agsekit_with(&self.fake);
        let path = format!(
            "{}:{}",
            self.home().join("fakebin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env("PATH", path)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_STATE_HOME")
            .env_remove("FAKE_SYSTEMCTL_FAIL");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.arg("--config")
            .arg(&self.config)
            .arg("--non-interactive")
            .args(args)
            .current_dir(self.sb.home());
        cmd.output().unwrap()
    }

    fn home(&self) -> &Path {
        self.sb.home()
    }

    /// The calls made since the last [`Setup::clear_calls`].
    fn calls(&self) -> Vec<Vec<String>> {
        self.fake.calls()
    }

    fn clear_calls(&self) {
        let _ = std::fs::remove_file(self.fake.state_dir.join("calls.log"));
    }

    fn state(&self, vm: &str) -> String {
        let out = self.fake.ok(&["info", vm, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["info"][vm]["state"].as_str().unwrap_or("").to_string()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn argv(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const ONE_VM: &str = "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n    install: [golang]\n    cloud-init:\n      packages: [git]\nmounts:\n  - source: {HOME}/proj\n    vm: dev\n";

#[test]
fn create_vm_fake_launches_once_with_cloud_init_and_provisions_each_time() {
    let s = Setup::new(ONE_VM);
    // The bin folder survives the launch: stubs can go in before the VM exists.
    stub_vm_tools(&s.fake, "dev");
    let out = s.agsekit(&["create-vm"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("VM dev: created"),
        "{}",
        text(&out.stdout)
    );

    let records = s.fake.call_records();
    let launches: Vec<_> = records
        .iter()
        .filter(|r| r["argv"][0] == "launch")
        .collect();
    assert_eq!(launches.len(), 1);
    assert_eq!(
        launches[0]["argv"],
        serde_json::json!([
            "launch",
            "--name",
            "dev",
            "--cpus",
            "1",
            "--memory",
            "1G",
            "--disk",
            "5G",
            "--cloud-init",
            "-"
        ])
    );
    let user_data = launches[0]["stdin"].as_str().unwrap();
    let public = std::fs::read_to_string(s.home().join(".config/agsekit/ssh/id_rsa.pub")).unwrap();
    assert!(user_data.starts_with("#cloud-config\n"), "{user_data}");
    assert!(user_data.contains("packages:\n- git\n"), "{user_data}");
    assert!(
        user_data.contains(public.trim()),
        "the tool's key is in ssh_authorized_keys"
    );

    // Provisioning: start, the key into authorized_keys, base.sh on stdin, the launcher.
    let calls = s.calls();
    let after: Vec<_> = calls
        .iter()
        .skip_while(|c| c[0] != "launch")
        .skip(1)
        .map(|c| c.iter().take(8).cloned().collect::<Vec<_>>())
        .collect();
    assert_eq!(after[0], argv(&["info", "dev", "--format", "json"]));
    let after = &after[1..];
    assert_eq!(after[0], argv(&["start", "dev"]));
    assert_eq!(
        after[1][..6],
        argv(&[
            "exec",
            "dev",
            "--working-directory",
            "/home/ubuntu",
            "--",
            "bash"
        ])
    );
    assert_eq!(
        after[2],
        argv(&[
            "exec",
            "dev",
            "--working-directory",
            "/home/ubuntu",
            "--",
            "bash",
            "-s",
            "--"
        ])
    );
    // The launcher: bash first, so Multipass does not rewrite a leading `sudo`.
    assert_eq!(after[3][5..7], argv(&["bash", "-c"]));
    assert!(after[3][7].starts_with("sudo -n install -m 0755 /dev/stdin"));
    assert_eq!(after[4], after[2], "the golang bundle, also on stdin");
    assert_eq!(after.len(), 5);
    let keys =
        std::fs::read_to_string(s.fake.home_dir("dev").join(".ssh/authorized_keys")).unwrap();
    assert_eq!(keys.trim(), public.trim());
    assert!(s.fake.bin_dir("dev").join("agsekit-launch").exists());

    // Twice: no second launch, the same provisioning again (idempotent scripts).
    let out = s.agsekit(&["create-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("VM dev: already existed"),
        "{}",
        text(&out.stdout)
    );
    let launches = s.calls().iter().filter(|c| c[0] == "launch").count();
    assert_eq!(launches, 1);
    let keys =
        std::fs::read_to_string(s.fake.home_dir("dev").join(".ssh/authorized_keys")).unwrap();
    assert_eq!(keys.lines().count(), 1, "the key is added once");
}

#[test]
fn create_vm_fake_reports_differences_and_never_resizes() {
    let s = Setup::new(ONE_VM);
    stub_vm_tools(&s.fake, "dev");
    s.fake.launch("dev"); // 2 CPUs, 4G, 20G
    s.clear_calls();
    let out = s.agsekit(&["create-vms"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("CPU 1 in the config, 2 in the VM"), "{err}");
    assert!(err.contains("was not changed"), "{err}");
    assert!(err.contains("agsekit destroy-vm dev"), "{err}");
    assert!(!s.calls().iter().any(|c| c[0] == "launch"));
}

#[test]
fn create_vm_fake_refuses_when_the_host_is_too_small() {
    let s = Setup::new("vms:\n  big:\n    cpu: 1000\n    ram: 1G\n    disk: 5G\n");
    let out = s.agsekit(&["create-vm", "big"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("not enough resources to create big"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(!s.calls().iter().any(|c| c[0] == "launch"));
}

#[test]
fn create_vm_fake_needs_a_name_when_several_vms_exist() {
    let s = Setup::new("vms:\n  a:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n  b:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n");
    let out = s.agsekit(&["create-vm"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("agsekit create-vms"),
        "{}",
        text(&out.stderr)
    );
    let out = s.agsekit(&["create-vm", "c"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(s.calls().is_empty(), "nothing reached multipass");
}

#[test]
fn missing_multipass_is_a_clear_error_not_a_panic() {
    let s = Setup::new(ONE_VM);
    let mut cmd = s.sb.agsekit();
    let out = cmd
        .env("AGSEKIT_MULTIPASS", s.home().join("no-such-multipass"))
        .args(["--config"])
        .arg(&s.config)
        .args(["start-vm"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = text(&out.stderr);
    assert!(err.starts_with("agsekit: error: "), "{err}");
    assert!(err.contains("agsekit prepare"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn start_stop_restart_fake_unmount_before_stop_and_mount_again_after() {
    let s = Setup::new(ONE_VM);
    std::fs::create_dir(s.home().join("proj")).unwrap();
    s.fake.launch("dev");
    let out = s.agsekit(&["mount"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    s.clear_calls();

    let out = s.agsekit(&["stop-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "VM dev: stopped\n");
    let calls = s.calls();
    let target = "dev:/home/ubuntu/proj";
    assert_eq!(calls[0], argv(&["info", "dev", "--format", "json"]));
    assert_eq!(calls[1], argv(&["umount", target]));
    assert_eq!(calls[2], argv(&["stop", "dev"]));
    assert_eq!(calls[3], argv(&["info", "dev", "--format", "json"]));
    assert_eq!(calls.len(), 4, "no forced stop, no fixed sleep: {calls:?}");
    assert_eq!(s.state("dev"), "Stopped");

    let out = s.agsekit(&["stop-vm"]);
    assert_eq!(text(&out.stdout), "VM dev: was not running\n");

    s.clear_calls();
    let out = s.agsekit(&["start-vm", "--all-vms"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.calls(), [argv(&["start", "dev"])]);

    // The mount is back after a restart.
    s.agsekit(&["mount"]);
    s.clear_calls();
    let out = s.agsekit(&["restart-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("mounted again: /home/ubuntu/proj"),
        "{}",
        text(&out.stdout)
    );
    let calls = s.calls();
    let names: Vec<&str> = calls.iter().map(|c| c[0].as_str()).collect();
    assert_eq!(names, ["info", "umount", "stop", "info", "start", "mount"]);
    let out = s.fake.ok(&["info", "dev", "--format", "json"]);
    assert!(out.contains("/home/ubuntu/proj"), "{out}");

    let out = s.agsekit(&["start-vm", "dev", "--all-vms"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn stop_vm_fake_forces_a_vm_whose_graceful_stop_fails() {
    let s = Setup::new(ONE_VM);
    s.fake.launch("dev");
    s.clear_calls();
    let mut cmd = s.sb.agsekit_with(&s.fake);
    let out = cmd
        .env(
            "FAKE_MULTIPASS_FAIL",
            "stop#1:2:stop failed: The following errors occurred:\\nsomething odd",
        )
        .arg("--config")
        .arg(&s.config)
        .args(["stop-vm", "dev"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "VM dev: stopped (forced)\n");
    let stops: Vec<_> = s.calls().into_iter().filter(|c| c[0] == "stop").collect();
    assert_eq!(
        stops,
        [argv(&["stop", "dev"]), argv(&["stop", "--force", "dev"])]
    );
}

#[test]
fn destroy_vm_fake_asks_and_purges_only_its_vm() {
    let s = Setup::new(ONE_VM);
    s.fake.launch("dev");
    s.fake.launch("other");
    s.fake.ok(&["delete", "other"]);
    s.clear_calls();
    let out = s.agsekit(&["destroy-vm", "dev"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-y"), "{}", text(&out.stderr));
    assert!(s.calls().is_empty(), "nothing deleted without confirmation");

    let out = s.agsekit(&["destroy-vm", "dev", "-y"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.calls(), [argv(&["delete", "--purge", "dev"])]);
    assert_eq!(
        s.state("other"),
        "Deleted",
        "another deleted VM is not purged"
    );

    let out = s.agsekit(&["destroy-vm", "--all", "-y"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("does not exist"),
        "{}",
        text(&out.stdout)
    );
}

const WITH_AGENT: &str =
    "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  codex:\n    type: codex\n";

#[test]
fn down_fake_refuses_while_agents_run_unless_forced() {
    let s = Setup::new(WITH_AGENT);
    s.fake.launch("dev");
    s.fake.install_agent(
        "dev",
        "ps",
        "#!/bin/sh\necho '    1     0 /sbin/init'\necho '  812     1 node /home/ubuntu/.nvm/versions/node/v22/bin/codex --yes'\n",
    );
    s.clear_calls();
    let out = s.agsekit(&["down"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("pid 812"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(s.calls().contains(&argv(&[
        "exec",
        "dev",
        "--working-directory",
        "/",
        "--",
        "ps",
        "-eo",
        "pid=,ppid=,args="
    ])));
    assert!(!s.calls().iter().any(|c| c[0] == "stop"));
    assert_eq!(s.state("dev"), "Running");

    let out = s.agsekit(&["down", "-f"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.state("dev"), "Stopped");
    let out = s.agsekit(&["down"]);
    assert!(
        text(&out.stdout).contains("VM dev: Stopped (skipped)"),
        "{}",
        text(&out.stdout)
    );
}

/// A mount inside another. The inner one keeps its snapshots outside the outer folder: its
/// default (`proj/backups-inner`) would lie inside the outer mount, which is refused.
const NESTED: &str = "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nmounts:\n  - source: {HOME}/proj\n    vm: dev\n  - source: {HOME}/proj/inner\n    target: /home/ubuntu/inner\n    backup: {HOME}/backups-inner\n    vm: dev\n";

#[test]
fn mount_fake_picks_the_deepest_mount_and_tolerates_repeats() {
    let s = Setup::new(NESTED);
    std::fs::create_dir_all(s.home().join("proj/inner/src")).unwrap();
    s.fake.launch("dev");
    s.clear_calls();
    let inner = s.home().join("proj/inner");
    let out = s.agsekit(&["mount", &inner.join("src").to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        s.calls(),
        [argv(&[
            "mount",
            &inner.to_string_lossy(),
            "dev:/home/ubuntu/inner"
        ])]
    );
    let out = s.agsekit(&["mount", "--source-dir", &inner.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("already mounted"),
        "{}",
        text(&out.stdout)
    );

    let out = s.agsekit(&["mount", "--all"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("proj -> dev:/home/ubuntu/proj: mounted"),
        "{stdout}"
    );
    assert!(stdout.contains("inner: already mounted"), "{stdout}");

    // A relative path is taken from the current folder (the sandbox HOME).
    s.clear_calls();
    let out = s.agsekit(&["umount", "proj"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.calls(), [argv(&["umount", "dev:/home/ubuntu/proj"])]);
    let out = s.agsekit(&["umount", "--all"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("proj -> dev:/home/ubuntu/proj: was not mounted"));

    let out = s.agsekit(&["mount"]);
    assert_eq!(out.status.code(), Some(2), "two mounts: say which");
    let out = s.agsekit(&["mount", "proj", "--all"]);
    assert_eq!(out.status.code(), Some(2));
    let out = s.agsekit(&["mount", "/nowhere"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("agsekit addmount /nowhere"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn mount_fake_refuses_paths_the_snap_cannot_see_before_calling_multipass() {
    let s = Setup::new(ONE_VM);
    std::fs::create_dir(s.home().join("proj")).unwrap();
    s.fake.launch("dev");
    s.clear_calls();
    let mut cmd = s.sb.agsekit_with(&s.fake);
    let out = cmd
        .env("AGSEKIT_MULTIPASS_SNAP", "1")
        .arg("--config")
        .arg(&s.config)
        .arg("mount")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    // The sandbox lives in a hidden temp folder, outside /home.
    assert!(err.contains("Multipass installed as a snap"), "{err}");
    assert!(err.contains("hint: move the project"), "{err}");
    assert!(
        s.calls().is_empty(),
        "multipass was not called: {:?}",
        s.calls()
    );
}

#[test]
fn mount_fake_into_a_missing_vm_says_how_to_create_it() {
    let s = Setup::new(ONE_VM);
    std::fs::create_dir(s.home().join("proj")).unwrap();
    let out = s.agsekit(&["mount"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("agsekit create-vm dev"),
        "{}",
        text(&out.stderr)
    );
    let out = s.agsekit(&["umount"]);
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn shell_fake_opens_the_only_vm_and_asks_which_of_several() {
    let s = Setup::new(ONE_VM);
    s.fake.launch("dev");
    s.clear_calls();
    let out = s.agsekit(&["shell"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.calls(), [argv(&["shell", "dev"])]);

    let two = Setup::new("vms:\n  a:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n  b:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n");
    let out = two.agsekit(&["shell"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("a, b"), "{}", text(&out.stderr));
    assert!(two.calls().is_empty());
}

/// A fake `ssh` on PATH that writes its argv, one per line, to `$HOME/ssh-argv`.
fn fake_ssh(dir: &Path) -> PathBuf {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let ssh = bin.join("ssh");
    crate::support::write_executable(
        &ssh,
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$HOME/ssh-argv\"\nexit 7\n",
    );
    bin
}

#[test]
fn ssh_fake_uses_the_tools_key_and_passes_the_command_after_one_dashdash() {
    let s = Setup::new(&format!(
        "global:\n  ssh_keys_folder: {{HOME}}/keys\n{ONE_VM}"
    ));
    s.fake.launch("dev");
    let out = s.agsekit(&["ssh", "dev"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("agsekit prepare"),
        "no key yet: {}",
        text(&out.stderr)
    );

    std::fs::create_dir(s.home().join("keys")).unwrap();
    std::fs::write(s.home().join("keys/id_rsa"), "KEY").unwrap();
    let bin = fake_ssh(s.home());
    let info = s.fake.ok(&["info", "dev", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&info).unwrap();
    let ip = v["info"]["dev"]["ipv4"][0].as_str().unwrap().to_string();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[&str]| {
        let mut cmd = s.sb.agsekit_with(&s.fake);
        cmd.env("PATH", &path)
            .arg("--config")
            .arg(&s.config)
            .arg("ssh")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["dev", "--", "echo", "a b"]);
    assert_eq!(
        out.status.code(),
        Some(7),
        "ssh's exit code: {}",
        text(&out.stderr)
    );
    let keys = s.home().join("keys");
    let got = std::fs::read_to_string(s.home().join("ssh-argv")).unwrap();
    let expected = [
        "-i".to_string(),
        keys.join("id_rsa").to_string_lossy().into_owned(),
        "-o".to_string(),
        format!("UserKnownHostsFile={}", keys.join("known_hosts").display()),
        "-o".to_string(),
        "StrictHostKeyChecking=accept-new".to_string(),
        "--".to_string(),
        format!("ubuntu@{ip}"),
        "echo".to_string(),
        "a b".to_string(),
    ];
    assert_eq!(got.lines().collect::<Vec<_>>(), expected);

    run(&["dev", "-p", "2222", "-v", "uptime"]);
    let got = std::fs::read_to_string(s.home().join("ssh-argv")).unwrap();
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(
        lines[6..],
        ["-p", "2222", "-v", "--", &format!("ubuntu@{ip}"), "uptime"]
    );

    s.fake.ok(&["stop", "dev"]);
    let out = run(&["dev"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("agsekit start-vm dev"),
        "{}",
        text(&out.stderr)
    );
}

const FORGE: &str = "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n  locked:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n    allowed_agents: [claude]\nagents:\n  forge:\n    type: forgecode\n    version: 2.12.14\n";

#[test]
fn install_agents_fake_skips_an_agent_installed_at_its_pin_and_respects_allowed_agents() {
    let s = Setup::new(FORGE);
    s.fake.launch("dev");
    s.fake.launch("locked");
    s.fake
        .install_agent("dev", "forge", "#!/bin/sh\necho 'forge 2.12.14'\n");
    s.clear_calls();
    let out = s.agsekit(&["install-agents"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "forge in VM dev: already installed 2.12.14\n"
    );
    assert!(
        text(&out.stderr).contains("skipped forge in locked"),
        "{}",
        text(&out.stderr)
    );
    let execs: Vec<_> = s.calls().into_iter().filter(|c| c[0] == "exec").collect();
    assert_eq!(
        execs,
        [argv(&[
            "exec",
            "dev",
            "--working-directory",
            "/home/ubuntu",
            "--",
            "bash",
            "-s",
            "--",
            "--version",
            "2.12.14"
        ])]
    );

    let out = s.agsekit(&["install-agents", "forge", "locked"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("allowed_agents"),
        "{}",
        text(&out.stderr)
    );

    let out = s.agsekit(&["install-agents", "--force-check-versions"]);
    assert_eq!(out.status.code(), Some(2));
    let out = s.agsekit(&["install-agents", "--proxychains", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn up_fake_runs_the_chosen_stages_and_refuses_none() {
    let s = Setup::new(ONE_VM);
    stub_vm_tools(&s.fake, "dev");
    let out = s.agsekit(&[
        "up",
        "--no-prepare",
        "--no-prepare",
        "--no-create-vms",
        "--no-install-agents",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(s.calls().is_empty());
    let out = s.agsekit(&["up", "--no-prepare", "--no-install-agents"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Setup completed successfully"));
    assert_eq!(s.calls().iter().filter(|c| c[0] == "launch").count(), 1);
}

/// A folder for PATH with the programs `prepare` looks for: the real `ssh-keygen` and stubs
/// for the rest; `sudo` logs what it would have run.
fn prepare_path(dir: &Path, with_multipass: bool) -> PathBuf {
    let bin = dir.join(if with_multipass {
        "bin-full"
    } else {
        "bin-bare"
    });
    std::fs::create_dir_all(&bin).unwrap();
    let keygen = [
        "/usr/bin/ssh-keygen",
        "/bin/ssh-keygen",
        "/usr/local/bin/ssh-keygen",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
    .expect("ssh-keygen is installed on the test machine");
    std::os::unix::fs::symlink(keygen, bin.join("ssh-keygen")).unwrap();
    let mut stubs = vec![
        ("rsync", "#!/bin/sh\nexit 0\n"),
        ("sudo", "#!/bin/sh\necho \"$@\" >> \"$HOME/sudo.log\"\n"),
    ];
    if with_multipass {
        stubs.push(("multipass", "#!/bin/sh\nexit 0\n"));
    }
    for (name, script) in stubs {
        crate::support::write_executable(bin.join(name), script);
    }
    bin
}

#[test]
fn prepare_with_everything_installed_only_makes_the_key_and_keeps_it() {
    let sb = Sandbox::new();
    let bin = prepare_path(sb.home(), true);
    let run = || {
        sb.agsekit()
            .env("PATH", &bin)
            .args(["--non-interactive", "prepare"])
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = text(&out.stdout);
    if text(&out.stderr).contains("cannot tell how") || text(&out.stderr).contains("WSL") {
        return; // not a Debian/Arch/macOS test machine: nothing more to check here
    }
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("multipass: installed"), "{stdout}");
    assert!(stdout.contains("(created)"), "{stdout}");
    let key = sb.home().join(".config/agsekit/ssh/id_rsa");
    let first = std::fs::read(&key).unwrap();
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let out = run();
    assert!(
        text(&out.stdout).contains("(kept)"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read(&key).unwrap(),
        first,
        "an existing key is reused"
    );
    assert!(!sb.home().join("sudo.log").exists());
}

#[test]
fn prepare_without_y_prints_the_plan_and_runs_no_sudo_when_nobody_can_answer() {
    let sb = Sandbox::new();
    let bin = prepare_path(sb.home(), false);
    let out = sb
        .agsekit()
        .env("PATH", &bin)
        .args(["--non-interactive", "prepare"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(!sb.home().join("sudo.log").exists(), "sudo was not run");
    if err.contains("cannot tell how") || err.contains("WSL") || err.contains("AUR") {
        return; // the plan depends on the test machine's OS
    }
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("agsekit prepare -y"), "{err}");
    assert!(
        text(&out.stdout).contains("multipass"),
        "{}",
        text(&out.stdout)
    );
}

/// Runs `agsekit ARGS` in a tmux pane (a real terminal, `crate::tmux`), waits for `prompt`,
/// types `answer` and Enter, and returns the exit code and the screen. `None` when tmux is
/// missing.
fn answer_in_tmux(s: &Setup, args: &[&str], prompt: &str, answer: &str) -> Option<(i32, String)> {
    if !Tmux::available() {
        return None;
    }
    let env = [
        format!("AGSEKIT_MULTIPASS={}", s.fake.bin.display()),
        format!("FAKE_MULTIPASS_STATE={}", s.fake.state_dir.display()),
    ];
    let config = s.config.to_string_lossy().into_owned();
    let mut all = vec!["--config", config.as_str()];
    all.extend(args);
    let t = Tmux::start(&command_line(&s.sb, &env, &all));
    t.answer(prompt, answer);
    t.wait_for("EXIT:");
    let screen = t.screen();
    let code = screen
        .lines()
        .find_map(|l| l.trim().strip_prefix("EXIT:"))
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(-1);
    Some((code, screen))
}

#[test]
fn destroy_vm_fake_asks_on_a_terminal_and_deletes_on_yes() {
    let s = Setup::new(ONE_VM);
    s.fake.launch("dev");
    s.clear_calls();
    let Some((code, screen)) = answer_in_tmux(&s, &["destroy-vm", "dev"], "Delete? [y/N]", "y")
    else {
        return;
    };
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("other deleted VMs are not purged"),
        "{screen}"
    );
    assert!(screen.contains("VM dev: deleted"), "{screen}");
    assert_eq!(s.calls(), [argv(&["delete", "--purge", "dev"])]);
}

#[test]
fn down_fake_on_a_terminal_keeps_the_vm_when_the_answer_is_no() {
    let s = Setup::new(WITH_AGENT);
    s.fake.launch("dev");
    s.fake.install_agent(
        "dev",
        "ps",
        "#!/bin/sh\necho '  900     1 /usr/local/bin/codex'\n",
    );
    let Some((code, screen)) = answer_in_tmux(&s, &["down"], "Stop the VMs anyway?", "n") else {
        return;
    };
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("pid 900"), "{screen}");
    assert!(screen.contains("nothing stopped"), "{screen}");
    assert_eq!(s.state("dev"), "Running");
}

#[test]
fn create_vm_fake_refuses_a_deleted_unpurged_vm_with_both_ways_out() {
    let s = Setup::new(ONE_VM);
    s.fake.launch("dev");
    s.fake.ok(&["delete", "dev"]);
    s.clear_calls();
    let out = s.agsekit(&["create-vm"]);
    assert_eq!(out.status.code(), Some(4));
    let err = text(&out.stderr);
    assert!(err.contains("multipass recover dev"), "{err}");
    assert!(err.contains("multipass delete --purge dev"), "{err}");
    assert!(!s
        .calls()
        .iter()
        .any(|c| c[0] == "launch" || c[0] == "start"));
}

#[test]
fn up_fake_creates_the_vm_and_installs_its_agent() {
    let s = Setup::new(
        "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  forge:\n    type: forgecode\n    version: 2.12.14\n",
    );
    stub_vm_tools(&s.fake, "dev");
    s.fake
        .install_agent("dev", "forge", "#!/bin/sh\necho 'forge 2.12.14'\n");
    let out = s.agsekit(&["up", "--no-prepare"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "VM dev: created; base (1) already there\nforge in VM dev: already installed 2.12.14\nSetup completed successfully\n"
    );
    let err = text(&out.stderr);
    assert!(!err.contains("stage 1"), "{err}");
    assert!(err.contains("stage 2: create-vms") && err.contains("stage 3: install-agents"));
}

#[test]
fn install_agents_fake_reports_a_failed_install_and_still_runs_the_rest() {
    let s = Setup::new(
        "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  newer:\n    type: forgecode\n    version: 9.9.9\n  pinned:\n    type: forgecode\n    version: 2.12.14\n",
    );
    s.fake.launch("dev");
    stub_vm_tools(&s.fake, "dev");
    s.fake
        .install_agent("dev", "forge", "#!/bin/sh\necho 'forge 2.12.14'\n");
    // No network in the fake VM: every download fails at once.
    for tool in ["curl", "wget"] {
        s.fake
            .install_agent("dev", tool, "#!/bin/sh\necho \"$0: offline\" >&2\nexit 7\n");
    }
    let out = s.agsekit(&["install-agents", "--all-agents"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "newer in VM dev: FAILED\npinned in VM dev: already installed 2.12.14\n"
    );
    let err = text(&out.stderr);
    assert!(err.contains("`forgecode` failed in VM `dev`"), "{err}");
}

/// The `systemctl` calls the stand-in logged.
fn systemctl_calls(s: &Setup) -> Vec<String> {
    std::fs::read_to_string(s.home().join("systemctl.log"))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn up_fake_installs_and_starts_the_daemon_after_the_config_stages() {
    if cfg!(target_os = "macos") {
        println!("SKIPPED: the systemd unit is for Linux");
        return;
    }
    let s = Setup::new(ONE_VM);
    stub_vm_tools(&s.fake, "dev");
    let out = s.agsekit(&["up", "--no-prepare", "--no-install-agents"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("stage 4: daemon install"), "{err}");
    assert!(
        err.contains("daemon: enabled and started agsekit-daemon.service"),
        "{err}"
    );
    let unit =
        std::fs::read_to_string(s.home().join(".config/systemd/user/agsekit-daemon.service"))
            .expect("unit written");
    assert!(
        unit.contains(&format!("daemon run --config {}\n", s.config.display())),
        "{unit}"
    );
    assert_eq!(
        systemctl_calls(&s),
        [
            "--user daemon-reload",
            "--user enable agsekit-daemon.service",
            "--user restart agsekit-daemon.service"
        ]
    );
    assert!(text(&out.stdout).ends_with("Setup completed successfully\n"));
}

#[test]
fn up_fake_without_a_service_manager_warns_and_still_succeeds() {
    if cfg!(target_os = "macos") {
        println!("SKIPPED: the systemd unit is for Linux");
        return;
    }
    let s = Setup::new(ONE_VM);
    stub_vm_tools(&s.fake, "dev");
    let out = s.agsekit_env(
        &["up", "--no-prepare", "--no-install-agents"],
        &[("FAKE_SYSTEMCTL_FAIL", "1")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("warning: the daemon was not installed")
            && err.contains("Failed to connect to bus"),
        "{err}"
    );
    assert!(err.contains("agsekit daemon start"), "{err}");
    assert!(text(&out.stdout).contains("Setup completed successfully"));
}

#[test]
fn down_fake_stops_an_installed_daemon_before_the_vms() {
    if cfg!(target_os = "macos") {
        println!("SKIPPED: the systemd unit is for Linux");
        return;
    }
    let s = Setup::new(ONE_VM);
    s.fake.launch("dev");
    // Nothing installed: `down` leaves the service manager alone.
    let out = s.agsekit(&["down", "-f"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(systemctl_calls(&s).is_empty(), "{:?}", systemctl_calls(&s));

    s.fake.ok(&["start", "dev"]);
    let unit = s.home().join(".config/systemd/user/agsekit-daemon.service");
    std::fs::create_dir_all(unit.parent().unwrap()).unwrap();
    std::fs::write(&unit, "[Unit]\n").unwrap();
    let out = s.agsekit(&["down", "-f"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(systemctl_calls(&s), ["--user stop agsekit-daemon.service"]);
    let err = text(&out.stderr);
    assert!(err.contains("daemon: stopped the daemon service"), "{err}");
    assert_eq!(s.state("dev"), "Stopped");
}

#[test]
fn pip_upgrade_outside_a_python_environment_says_how_to_upgrade_and_succeeds() {
    let sb = Sandbox::new();
    let out = sb.agsekit().arg("pip-upgrade").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("was not installed from its Python wheel"),
        "{stdout}"
    );
    assert!(stdout.contains("pipx upgrade agsekit"), "{stdout}");
    assert!(
        stdout.contains("cargo install --locked agsekit"),
        "{stdout}"
    );
    // It names the executable to replace, and runs no pip.
    let exe = env!("CARGO_BIN_EXE_agsekit");
    let exe = std::fs::canonicalize(exe).unwrap();
    assert!(stdout.contains(&exe.display().to_string()), "{stdout}");
    assert!(!stdout.contains("-m pip install"), "{stdout}");
}

/// `install-agents` with nothing named, on a terminal (tmux), against the FAKE multipass:
/// it asks for the agent, then for the VMs, and installs only the chosen pair.
#[test]
fn install_agents_fake_on_a_terminal_asks_the_agent_then_the_vms() {
    if !Tmux::available() {
        println!("SKIPPED: tmux is not installed");
        return;
    }
    let s = Setup::new(
        "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n  other:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  forge:\n    type: forgecode\n    version: 2.12.14\n  forge2:\n    type: forgecode\n    version: 2.12.14\n",
    );
    s.fake.launch("dev");
    s.fake.launch("other");
    for vm in ["dev", "other"] {
        s.fake
            .install_agent(vm, "forge", "#!/bin/sh\necho 'forge 2.12.14'\n");
    }
    s.clear_calls();
    let env = [
        format!("AGSEKIT_MULTIPASS={}", s.fake.bin.display()),
        format!("FAKE_MULTIPASS_STATE={}", s.fake.state_dir.display()),
    ];
    let config = s.config.to_string_lossy().into_owned();
    let t = Tmux::start(&command_line(
        &s.sb,
        &env,
        &["--config", config.as_str(), "install-agents"],
    ));
    // 1) all agents 2) forge 3) forge2
    wait_until_shown(&t, "3) forge2");
    t.answer("Number:", "3");
    // 1) each agent's own VMs 2) dev 3) other 4) all VMs
    wait_until_shown(&t, "4) all VMs");
    t.answer("Number:", "3");
    t.wait_for("EXIT:");
    let screen = t.screen();
    assert!(screen.contains("EXIT:0"), "{screen}");
    assert!(
        screen.contains("each agent's own VMs") && screen.contains("4) all VMs"),
        "{screen}"
    );
    assert!(
        screen.contains("forge2 in VM other: already installed 2.12.14"),
        "{screen}"
    );
    assert!(!screen.contains("in VM dev"), "{screen}");
    let exec_vms: Vec<String> = s
        .calls()
        .into_iter()
        .filter(|c| c[0] == "exec")
        .map(|c| c[1].clone())
        .collect();
    assert_eq!(exec_vms, ["other"]);
}

/// Waits until `text` is anywhere on the tmux screen (at most a minute).
fn wait_until_shown(t: &Tmux, text: &str) {
    for _ in 0..600 {
        if t.screen().contains(text) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("never saw {text:?}; screen:\n{}", t.screen());
}

/// `start-vm` on a terminal (tmux) against the FAKE multipass, slowed down: the spinner shows
/// the step while `multipass` works and leaves no trace once the command is done. Without a
/// terminal nothing of it is written.
#[test]
fn start_vm_fake_shows_a_spinner_only_on_a_terminal() {
    let s = Setup::new(ONE_VM);
    s.fake.launch("dev");
    s.fake.ok(&["stop", "dev"]);
    let out = s.agsekit(&["start-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "VM dev: running\n");
    assert!(
        !text(&out.stderr).contains("Starting VM"),
        "{}",
        text(&out.stderr)
    );
    s.fake.ok(&["stop", "dev"]);

    if !Tmux::available() {
        println!("SKIPPED: tmux is not installed");
        return;
    }
    let env = [
        format!("AGSEKIT_MULTIPASS={}", s.fake.bin.display()),
        format!("FAKE_MULTIPASS_STATE={}", s.fake.state_dir.display()),
        "FAKE_MULTIPASS_LATENCY_MS=1500".to_string(),
    ];
    let config = s.config.to_string_lossy().into_owned();
    let t = Tmux::start(&command_line(
        &s.sb,
        &env,
        &["--config", config.as_str(), "start-vm", "dev"],
    ));
    wait_until_shown(&t, "Starting VM dev");
    t.wait_for("EXIT:");
    let screen = t.screen();
    assert!(screen.contains("VM dev: running"), "{screen}");
    assert!(screen.contains("EXIT:0"), "{screen}");
    assert!(!screen.contains("Starting VM dev"), "{screen}");
}

/// Stand-ins for the lookup clients (`npm`, `python3 -m pip`, `curl`) in the Setup's fakebin:
/// each logs its arguments to `<name>.log` and answers like the real one; no network.
fn stub_lookup_clients(s: &Setup, forge_tags: &[&str]) {
    let bin = s.home().join("fakebin");
    let releases: Vec<String> = forge_tags
        .iter()
        .map(|t| {
            format!(
                "{{\"tag_name\": \"{t}\", \"draft\": false, \"prerelease\": {}}}",
                t.contains('-')
            )
        })
        .collect();
    let json_file = s.home().join("releases.json");
    std::fs::write(&json_file, format!("[{}]", releases.join(","))).unwrap();
    for (name, answer) in [
        ("npm", "echo 0.131.0".to_string()),
        (
            "python3",
            "echo 'aider-chat (0.86.2)'; echo 'Available versions: 0.86.2, 0.86.1'".to_string(),
        ),
        ("curl", format!("cat {}", json_file.display())),
    ] {
        let script = bin.join(name);
        crate::support::write_executable(
            &script,
            format!(
                "#!/bin/sh\necho \"$*\" >> {}\n{answer}\n",
                s.home().join(format!("{name}.log")).display()
            ),
        );
    }
}

fn log_lines(s: &Setup, name: &str) -> Vec<String> {
    std::fs::read_to_string(s.home().join(format!("{name}.log")))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn check_new_version_caches_each_agent_type_once_a_day_in_state_yaml() {
    let s = Setup::new(
        "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  codex:\n    type: codex\n  codex2:\n    type: codex\n  forge:\n    type: forgecode\n  aider:\n    type: aider\n",
    );
    stub_lookup_clients(&s, &["v2.13.0-rc.1", "v2.12.14", "v2.9.0"]);
    let out = s.agsekit(&["check-new-version"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for line in [
        "codex: 0.131.0\n",
        "forgecode: 2.12.14\n",
        "aider: 0.86.2\n",
    ] {
        assert!(stdout.contains(line), "{stdout}");
    }
    assert!(
        stdout.contains("its own newest version is not looked up"),
        "{stdout}"
    );
    assert_eq!(log_lines(&s, "npm"), ["view @openai/codex version"]);
    assert_eq!(
        log_lines(&s, "python3"),
        ["-m pip index versions aider-chat"]
    );
    let curl = log_lines(&s, "curl");
    assert_eq!(curl.len(), 1);
    assert!(
        curl[0].contains("/repos/tailcallhq/forgecode/releases"),
        "{curl:?}"
    );

    let state_path = s.home().join(".config/agsekit/state.yaml");
    let state = std::fs::read_to_string(&state_path).expect("state.yaml written");
    assert!(
        state.starts_with("# Do not edit this file manually"),
        "{state}"
    );
    let yaml: serde_json::Value =
        serde_json::to_value(serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&state).unwrap())
            .unwrap();
    assert_eq!(yaml["agent_versions"]["codex"]["latest_version"], "0.131.0");
    assert_eq!(
        yaml["agent_versions"]["forgecode"]["latest_version"],
        "2.12.14"
    );
    assert!(yaml["agent_versions"]["aider"]["updated_at"]
        .as_str()
        .unwrap_or("")
        .ends_with('Z'));
    assert!(s.home().join(".config/agsekit/state.yaml.lock").exists());

    // Within a day nothing is looked up again.
    let out = s.agsekit(&["check-new-version"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("codex: 0.131.0 (checked less than a day ago)"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(log_lines(&s, "npm").len(), 1);
}

#[test]
fn check_new_version_reads_a_1_7_4_state_file_and_keeps_its_entries() {
    let s = Setup::new(
        "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  codex:\n    type: codex\n",
    );
    stub_lookup_clients(&s, &[]);
    let dir = s.home().join(".config/agsekit");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("state.yaml"),
        "# Do not edit this file manually; it is generated by agsekit.\ncurrent_version: 1.7.4\nlast_Version: 1.7.4\nagent_versions:\n  qwen: {latest_version: 0.15.11, updated_at: '2026-01-01T00:00:00Z'}\n  junk: 3\n",
    )
    .unwrap();
    let out = s.agsekit(&["check-new-version"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let state = std::fs::read_to_string(dir.join("state.yaml")).unwrap();
    assert!(state.contains("last_Version: '1.7.4'"), "{state}");
    // This build is the next major version after 1.7.4: an upgrade reads as one.
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        state.contains(&format!("current_version: '{version}'")),
        "{state}"
    );
    let major: u64 = version
        .split('.')
        .next()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    assert!(major >= 2, "{version} must sort after 1.7.4");
    assert!(state.contains("latest_version: '0.15.11'"), "{state}");
    assert!(state.contains("latest_version: '0.131.0'"), "{state}");
    assert!(!state.contains("junk"), "{state}");
}

#[test]
fn install_agents_fake_upgrade_uses_the_cached_version_and_needs_it() {
    let s = Setup::new(
        "vms:\n  dev:\n    cpu: 1\n    ram: 1G\n    disk: 5G\nagents:\n  forge:\n    type: forgecode\n",
    );
    s.fake.launch("dev");
    s.fake
        .install_agent("dev", "forge", "#!/bin/sh\necho 'forge 2.12.14'\n");
    stub_lookup_clients(&s, &["v2.12.14", "v2.11.0"]);
    s.clear_calls();
    let out = s.agsekit(&["install-agents", "--upgrade"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("agsekit check-new-version"),
        "{}",
        text(&out.stderr)
    );
    assert!(!s.calls().iter().any(|c| c[0] == "exec"));
    assert!(log_lines(&s, "curl").is_empty());

    // --force-check-versions fills the cache, then the installer gets that version.
    let out = s.agsekit(&["install-agents", "--upgrade", "--force-check-versions"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(log_lines(&s, "curl").len(), 1);
    assert_eq!(
        text(&out.stdout),
        "forge in VM dev: already installed 2.12.14\n"
    );
    let exec = s
        .calls()
        .into_iter()
        .find(|c| c[0] == "exec")
        .expect("installer ran");
    assert!(exec.ends_with(&argv(&["--version", "2.12.14"])), "{exec:?}");

    // Now cached: --upgrade alone looks nothing up.
    let out = s.agsekit(&["install-agents", "--upgrade"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(log_lines(&s, "curl").len(), 1);
}

#[test]
fn mount_fake_refuses_a_layout_where_another_mount_holds_the_backups() {
    // ~/code/proj snapshots go to ~/code/backups-proj, and ~/code is mounted too.
    let s = Setup::new(
        "vms:\n  dev: {cpu: 1, ram: 1G, disk: 5G}\nmounts:\n  - source: {HOME}/code/proj\n    vm: dev\n  - source: {HOME}/code\n    target: /home/ubuntu/code\n    vm: dev\n",
    );
    std::fs::create_dir_all(s.home().join("code/proj")).unwrap();
    s.fake.launch("dev");
    s.clear_calls();
    for args in [&["mount", "--all"][..], &["mount", "code"][..]] {
        let out = s.agsekit(args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!(
                "mounts[0].backup: the backup folder {}/code/backups-proj is inside the shared folder {}/code of mounts[1].source",
                s.home().display(),
                s.home().display()
            )),
            "{err}"
        );
    }
    assert!(
        s.calls().is_empty(),
        "multipass was not called: {:?}",
        s.calls()
    );
}
