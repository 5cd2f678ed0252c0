//! `agsekit doctor` through the binary with the FAKE multipass: a healthy setup passes, and
//! each failure, injected, is detected with its fix; `-y` applies the safe repairs.
//! The fake VM has no sshd, so `AGSEKIT_SSH=true` stands in for ssh in the key check
//! (tests/it/portforward.rs checks it against a real sshd).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::status::Setup;

const VM: &str = "agent-ubuntu";

/// Everything doctor checks on the host, healthy: SSH key pair, shims folder with a codex
/// shim first on PATH, bash with the init line in ~/.bashrc.
struct Host {
    shims: PathBuf,
    path: String,
}

fn healthy_host(s: &Setup) -> Host {
    let keys = s.sb.home().join("keys");
    std::fs::create_dir_all(&keys).expect("keys");
    std::fs::write(keys.join("id_rsa"), "private").expect("key");
    std::fs::set_permissions(keys.join("id_rsa"), std::fs::Permissions::from_mode(0o600))
        .expect("chmod");
    std::fs::write(keys.join("id_rsa.pub"), "ssh-ed25519 AAAA test").expect("pub");
    let shims = s.sb.home().join("shims");
    make_exe(&shims.join("codex"));
    std::fs::write(
        s.sb.home().join(".bashrc"),
        "eval \"$(agsekit init bash)\"\n",
    )
    .expect("bashrc");
    Host {
        path: format!("{}:/usr/bin:/bin", shims.display()),
        shims,
    }
}

fn make_exe(path: &Path) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
    crate::support::write_executable(path, "#!/bin/sh\n");
}

fn doctor(s: &Setup, h: &Host, args: &[&str]) -> (i32, String) {
    let out = s
        .agsekit()
        .env("SHELL", "/bin/bash")
        .env("PATH", &h.path)
        .env("AGSEKIT_SHIMS_DIR", &h.shims)
        .env("AGSEKIT_SSH", "true")
        .arg("doctor")
        .args(args)
        .output()
        .expect("run doctor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn running_and_mounted() -> (Setup, Host) {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    s.mount_in_fake();
    let h = healthy_host(&s);
    (s, h)
}

#[test]
fn doctor_fake_multipass_healthy_setup_passes_every_check() {
    let (s, h) = running_and_mounted();
    // A folder that exists (a missing one is "not created yet": errors_point_right.rs).
    std::fs::create_dir_all(&s.backups).expect("backups");
    let (code, out) = doctor(&s, &h, &[]);
    assert_eq!(code, 0, "{out}");
    for line in [
        "ok    multipass: multipass 1.16.3+fake, daemon 1.16.3+fake".to_string(),
        "ok    vm agent-ubuntu: running at 10.97.0.".to_string(),
        format!(
            "ok    mount {}: live at agent-ubuntu:/home/ubuntu/proj",
            s.project.display()
        ),
        "ok    ssh key: ".to_string(),
        "ok    ssh agent-ubuntu: 10.97.0.".to_string(),
        "ok    shim codex: first on PATH".to_string(),
        "ok    shell init: ".to_string(),
        format!(
            "ok    backups {}: writable, hardlinks work",
            s.backups.display()
        ),
        "skip  daemon: not installed".to_string(),
    ] {
        assert!(out.contains(&line), "missing {line:?} in:\n{out}");
    }
    assert!(out.contains("No problems that need repair."), "{out}");
}

#[test]
fn doctor_fake_multipass_injected_multipass_failure_is_a_fail_with_a_fix() {
    let (s, h) = running_and_mounted();
    let out = s
        .agsekit()
        .env("SHELL", "/bin/bash")
        .env("PATH", &h.path)
        .env("AGSEKIT_SHIMS_DIR", &h.shims)
        .env("AGSEKIT_SSH", "true")
        .env(
            "FAKE_MULTIPASS_FAIL",
            "version:2:version failed: cannot connect to the multipass socket",
        )
        .arg("doctor")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  multipass: "), "{text}");
    assert!(text.contains("socket"), "{text}");
    assert!(
        text.contains("skip  mount"),
        "mounts cannot be checked: {text}"
    );
}

#[test]
fn doctor_fake_multipass_absent_and_stopped_vms() {
    let s = Setup::new("", "");
    let h = healthy_host(&s);
    let (code, out) = doctor(&s, &h, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "FAIL  vm agent-ubuntu: not created\n      fix: agsekit create-vm agent-ubuntu"
        ),
        "{out}"
    );

    s.fake.launch(VM);
    s.fake.ok(&["stop", VM]);
    let (code, out) = doctor(&s, &h, &[]);
    assert!(out.contains("warn  vm agent-ubuntu: stopped"), "{out}");
    assert!(out.contains("fix: agsekit start-vm agent-ubuntu"), "{out}");
    assert!(out.contains("not mounted in agent-ubuntu"), "{out}");
    assert_eq!(code, 0, "warnings only: {out}");
}

#[test]
fn doctor_fake_multipass_missing_mount_is_mounted_by_y() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    let h = healthy_host(&s);
    let (_, out) = doctor(&s, &h, &[]);
    assert!(
        out.contains(&format!(
            "warn  mount {}: not mounted in agent-ubuntu",
            s.project.display()
        )),
        "{out}"
    );
    assert!(out.contains("Doctor found 1 repairable issue(s)."), "{out}");
    assert!(out.contains("Run `agsekit doctor -y`"), "{out}");
    assert!(
        !s.fake.calls().iter().any(|c| c[0] == "mount"),
        "nothing repaired without -y"
    );

    let (code, out) = doctor(&s, &h, &["-y"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("repaired: mounted"), "{out}");
    assert!(
        out.contains(&format!("ok    mount {}: live at", s.project.display())),
        "{out}"
    );
    assert!(s.fake.calls().iter().any(|c| c[0] == "mount"
        && c.contains(&s.project.to_string_lossy().into_owned())
        && c.contains(&format!("{VM}:/home/ubuntu/proj"))));
}

#[test]
fn doctor_fake_multipass_mount_of_another_folder_is_remounted() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    let other = s.sb.home().join("empty");
    std::fs::create_dir_all(&other).expect("other");
    s.fake.ok(&[
        "mount",
        &other.to_string_lossy(),
        &format!("{VM}:/home/ubuntu/proj"),
    ]);
    let h = healthy_host(&s);
    let (code, out) = doctor(&s, &h, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("shares {} instead", other.display())),
        "{out}"
    );
    let (code, out) = doctor(&s, &h, &["--yes"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        s.fake.calls().iter().any(|c| c[0] == "umount"),
        "unmounted first"
    );
    assert!(
        out.contains(&format!("ok    mount {}: live at", s.project.display())),
        "{out}"
    );
}

#[test]
fn doctor_fake_multipass_mount_empty_inside_the_vm_is_a_fail_and_y_remounts() {
    let (s, h) = running_and_mounted();
    // A dead SSHFS mount shows an empty folder. The fake cannot kill its bind mount, so a
    // VM-side `ls` that lists nothing (once: it removes itself) stands in for it.
    s.fake
        .install_agent(VM, "ls", "#!/bin/sh\nrm -f /usr/local/bin/ls\n");
    let (code, out) = doctor(&s, &h, &["-y"]);
    assert!(
        out.contains(&format!(
            "FAIL  mount {}: registered, but /home/ubuntu/proj is empty inside the VM",
            s.project.display()
        )),
        "{out}"
    );
    assert!(out.contains("repaired: mounted"), "{out}");
    assert!(s.fake.calls().iter().any(|c| c[0] == "umount"));
    assert_eq!(code, 0, "healthy after the remount: {out}");
}

#[test]
fn doctor_fake_multipass_missing_key_shadowed_shim_and_missing_shell_init() {
    let (s, mut h) = running_and_mounted();
    std::fs::remove_file(s.sb.home().join("keys/id_rsa")).expect("rm key");
    std::fs::write(s.sb.home().join(".bashrc"), "# nothing\n").expect("bashrc");
    let real = s.sb.home().join("realbin");
    make_exe(&real.join("codex"));
    h.path = format!("{}:{}:/usr/bin:/bin", real.display(), h.shims.display());
    let (code, out) = doctor(&s, &h, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL  ssh key: ") && out.contains("id_rsa is missing"),
        "{out}"
    );
    assert!(out.contains("fix: agsekit prepare"), "{out}");
    assert!(
        out.contains(&format!(
            "warn  shim codex: PATH finds {} before the shim",
            real.join("codex").display()
        )),
        "{out}"
    );
    assert!(
        out.contains("warn  shell init: ") && out.contains("does not load `agsekit init`"),
        "{out}"
    );
    assert!(
        out.contains("fix: echo 'eval \"$(agsekit init bash)\"' >> "),
        "{out}"
    );
}

#[test]
fn doctor_fake_multipass_y_clears_stale_lock_and_partial_folders() {
    let (s, h) = running_and_mounted();
    s.snapshot();
    std::fs::create_dir_all(s.backups.join("20990101-000000-partial/x")).expect("partial");
    // A folder of the user's that merely ends in -partial: not listed, never removed.
    std::fs::create_dir_all(s.backups.join("mystuff-partial/x")).expect("user's folder");
    let mut child = std::process::Command::new("true").spawn().expect("true");
    let dead = child.id();
    child.wait().expect("wait");
    std::fs::write(s.backups.join("backup.pid"), dead.to_string()).expect("pid");

    let (_, out) = doctor(&s, &h, &[]);
    assert!(out.contains(&format!("stale: names PID {dead}")), "{out}");
    assert!(
        out.contains("unfinished snapshot folders left by a crash: 20990101-000000-partial"),
        "{out}"
    );
    let (code, out) = doctor(&s, &h, &["-y"]);
    assert_eq!(code, 0, "{out}");
    assert!(!s.backups.join("20990101-000000-partial").exists());
    assert!(s.backups.join("mystuff-partial/x").is_dir());
    assert_eq!(
        std::fs::read_to_string(s.backups.join("backup.pid")).expect("pid"),
        ""
    );
    let again = out.split("Checking again:").nth(1).expect("recheck");
    assert!(!again.contains("stale"), "{again}");
    assert!(!again.contains("unfinished"), "{again}");
}

#[test]
fn doctor_fake_multipass_installed_daemon_not_running_is_started_by_y() {
    let (s, h) = running_and_mounted();
    let unit =
        s.sb.home()
            .join(".config/systemd/user/agsekit-daemon.service");
    std::fs::create_dir_all(unit.parent().expect("dir")).expect("units");
    std::fs::write(&unit, "[Unit]\n").expect("unit");
    let log = s.sb.home().join("systemctl.log");
    let bin = s.sb.home().join("fakebin");
    std::fs::create_dir_all(&bin).expect("bin");
    crate::support::write_executable(
        bin.join("systemctl"),
        format!("#!/bin/sh\necho \"$*\" >> {}\n", log.display()),
    );
    let h = Host {
        path: format!("{}:{}", bin.display(), h.path),
        shims: h.shims,
    };
    let (code, out) = doctor(&s, &h, &["-y"]);
    assert!(
        out.contains("FAIL  daemon: installed but not running"),
        "{out}"
    );
    assert!(
        out.contains("repaired: started the daemon service"),
        "{out}"
    );
    let calls = std::fs::read_to_string(&log).expect("calls");
    assert!(
        calls.contains("--user start agsekit-daemon.service"),
        "{calls}"
    );
    // The stand-in systemctl starts nothing: still failing, and doctor says so.
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("could not repair"), "{out}");
}

#[test]
fn doctor_fake_multipass_failed_remount_is_reported_and_the_wrong_folder_is_no_longer_shared() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    let other = s.sb.home().join("empty");
    std::fs::create_dir_all(&other).expect("other");
    s.fake.ok(&[
        "mount",
        &other.to_string_lossy(),
        &format!("{VM}:/home/ubuntu/proj"),
    ]);
    let h = healthy_host(&s);
    let out = s
        .agsekit()
        .env("SHELL", "/bin/bash")
        .env("PATH", &h.path)
        .env("AGSEKIT_SHIMS_DIR", &h.shims)
        .env("AGSEKIT_SSH", "true")
        .env(
            "FAKE_MULTIPASS_FAIL",
            "mount:2:mount failed: Mounts are disabled on this installation of Multipass.",
        )
        .args(["doctor", "-y"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("could not remount"), "{text}");
    assert!(text.contains("mounts are disabled"), "{text}");
    // Not a snap install: no offer to restart Multipass.
    assert!(!text.contains("snap restart"), "{text}");
    // The unmount worked, the mount did not: the other folder is no longer shared, and the
    // check now says "not mounted" (a warning: agents mount on demand).
    let again = text.split("Checking again:").nth(1).expect("recheck");
    assert!(again.contains("not mounted in agent-ubuntu"), "{again}");
    assert!(!again.contains("instead"), "{again}");
    assert_eq!(out.status.code(), Some(0), "{text}");
}

/// A detached tmux session on a private socket running one shell line: read the pane, send
/// keys; the server is killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(script_line: &str) -> Option<Tmux> {
        let socket = format!("agsekit-doctor-{}", std::process::id());
        let st = std::process::Command::new("tmux")
            .args(["-L", &socket, "new-session", "-d", "-x", "200", "-y", "50"])
            .arg(script_line)
            .status()
            .ok()?;
        st.success().then_some(Tmux { socket })
    }

    fn pane(&self) -> String {
        let out = std::process::Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-S", "-200"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        std::process::Command::new("tmux")
            .args(["-L", &self.socket, "send-keys"])
            .args(keys)
            .status()
            .expect("send-keys");
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let pane = self.pane();
            if pane.contains(text) {
                return pane;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{text:?} never appeared:\n{pane}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = std::process::Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn doctor_fake_multipass_in_a_terminal_asks_before_repairing() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    let h = healthy_host(&s);
    let q = |p: &Path| shell_words::quote(&p.to_string_lossy()).into_owned();
    let line = format!(
        "env HOME={home} SHELL=/bin/bash PATH={path} AGSEKIT_SHIMS_DIR={shims} AGSEKIT_SSH=true AGSEKIT_MULTIPASS={mp} FAKE_MULTIPASS_STATE={state} NO_COLOR=1 {agsekit} --config {config} doctor; echo EXIT=$?; sleep 60",
        home = q(s.sb.home()),
        path = shell_words::quote(&h.path),
        shims = q(&h.shims),
        mp = q(&s.fake.bin),
        state = q(&s.fake.state_dir),
        agsekit = q(&assert_cmd::cargo::cargo_bin("agsekit")),
        config = q(&s.config),
    );
    let Some(tmux) = Tmux::start(&line) else {
        println!("SKIPPED: tmux cannot start here");
        return;
    };
    tmux.wait_for("Apply fixes now? [Y/n]");
    assert!(
        !s.fake.calls().iter().any(|c| c[0] == "mount"),
        "nothing is repaired before the answer"
    );
    tmux.keys(&["y", "Enter"]);
    let pane = tmux.wait_for("EXIT=");
    assert!(pane.contains("repaired: mounted"), "{pane}");
    assert!(pane.contains("EXIT=0"), "{pane}");
    assert!(s.fake.calls().iter().any(|c| c[0] == "mount"));
}

#[test]
fn doctor_fake_multipass_warns_about_a_config_with_env_values_others_can_read() {
    let (s, h) = running_and_mounted();
    let text = std::fs::read_to_string(&s.config).expect("read");
    let text = text.replace(
        "    type: codex\n",
        "    type: codex\n    env:\n      OPENAI_API_KEY: sk-very-secret-42\n",
    );
    std::fs::write(&s.config, text).expect("write");
    std::fs::set_permissions(&s.config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let (_, out) = doctor(&s, &h, &[]);
    let path = s.config.display().to_string();
    assert!(
        out.contains(&format!(
            "warn  config file: {path} holds `env:` values (API keys) and other users can read it (mode 0644)"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("fix: chmod 600 {path}")), "{out}");
    assert!(!out.contains("sk-very-secret-42"), "{out}");
    // After the fix: ok.
    std::fs::set_permissions(&s.config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let (_, out) = doctor(&s, &h, &[]);
    assert!(
        out.contains(&format!("ok    config file: {path} holds `env:` values")),
        "{out}"
    );
    assert!(!out.contains("chmod 600"), "{out}");
}
