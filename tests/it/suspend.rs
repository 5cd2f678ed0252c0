//! `suspend-vm` and `resume-vm`, and a session (shim or `run`) that finds its VM suspended,
//! against the FAKE multipass (tests/README.md). No real VM: the real-VM test of the same
//! steps is in tests/realvm/e2e.sh.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{FakeMultipass, Sandbox};

struct Setup {
    sb: Sandbox,
    fake: FakeMultipass,
    config: PathBuf,
    project: PathBuf,
    shims: PathBuf,
}

/// A running VM `dev`, a project mounted from the config, and a `codex` in the VM that
/// prints its arguments and exits 7.
fn setup() -> Setup {
    let sb = Sandbox::new();
    let fake = FakeMultipass::new(sb.home());
    fake.launch("dev");
    let project = sb.home().join("proj");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("a.txt"), "a").unwrap();
    let config = sb.home().join(".config/agsekit/config.yaml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "vms:\n  dev: {{cpu: 2, ram: 4G, disk: 20G}}\nmounts:\n  - source: {}\nagents:\n  codex:\n    type: codex\n",
            project.display()
        ),
    )
    .unwrap();
    fake.install_agent("dev", "codex", "#!/bin/sh\necho \"vm-codex $*\"\nexit 7\n");
    fake.install_agent(
        "dev",
        "sudo",
        "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n",
    );
    let shims = sb.home().join("shims");
    Setup {
        sb,
        fake,
        config,
        project,
        shims,
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Setup {
    fn agsekit(&self, args: &[&str]) -> std::process::Output {
        self.sb
            .agsekit_with(&self.fake)
            .env("AGSEKIT_SHIMS_DIR", &self.shims)
            .arg("--config")
            .arg(&self.config)
            .arg("--non-interactive")
            .args(args)
            .current_dir(self.sb.home())
            .output()
            .unwrap()
    }

    fn state(&self) -> String {
        let out = self.fake.ok(&["info", "dev", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["info"]["dev"]["state"].as_str().unwrap_or("").to_string()
    }

    fn clear_calls(&self) {
        let _ = std::fs::remove_file(self.fake.state_dir.join("calls.log"));
    }

    /// The multipass subcommands called since the last [`Setup::clear_calls`].
    fn subcommands(&self) -> Vec<String> {
        self.fake
            .calls()
            .into_iter()
            .filter_map(|c| c.first().cloned())
            .collect()
    }

    /// The `codex` shim, run like a user typing it in `cwd`.
    fn shim(&self, cwd: &Path, args: &[&str]) -> std::process::Output {
        Command::new(self.shims.join("codex"))
            .args(args)
            .current_dir(cwd)
            .env("PWD", cwd)
            .env("HOME", self.sb.home())
            .env("PATH", format!("{}:/usr/bin:/bin", self.shims.display()))
            .env("AGSEKIT_SHIMS_DIR", &self.shims)
            .env("AGSEKIT_MULTIPASS", &self.fake.bin)
            .env("FAKE_MULTIPASS_STATE", &self.fake.state_dir)
            .env_remove("CONFIG_PATH")
            .env_remove("AGSEKIT_SHIM_ACTIVE")
            .env_remove("AGSEKIT_LANG")
            .env_remove("LC_ALL")
            .env_remove("LANG")
            .output()
            .unwrap()
    }

    fn status_state(&self) -> String {
        let out = self.agsekit(&["status", "--json"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["vms"][0]["state"].as_str().unwrap_or("").to_string()
    }
}

#[test]
fn suspend_vm_and_resume_vm_fake_multipass_suspend_and_start_once_and_status_shows_it() {
    let s = setup();
    s.clear_calls();
    let out = s.agsekit(&["suspend-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "VM dev: suspended\n");
    // Its state once, the processes (agents running?), the suspend.
    assert_eq!(s.subcommands(), ["info", "exec", "suspend"]);
    assert_eq!(
        s.fake.calls()[2],
        ["suspend", "dev"].map(String::from).to_vec()
    );
    assert_eq!(s.state(), "Suspended");
    assert_eq!(s.status_state(), "suspended");
    let out = s.agsekit(&["status"]);
    assert!(
        text(&out.stdout).contains("suspended"),
        "{}",
        text(&out.stdout)
    );

    // Suspending again changes nothing and says so.
    s.clear_calls();
    let out = s.agsekit(&["suspend-vm", "--all-vms"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "VM dev: was suspended already\n");
    assert_eq!(s.subcommands(), ["info"]);

    s.clear_calls();
    let out = s.agsekit(&["resume-vm"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "VM dev: resumed\n");
    assert_eq!(s.subcommands(), ["info", "start"]);
    assert_eq!(s.state(), "Running");
    assert_eq!(s.status_state(), "running");

    s.clear_calls();
    let out = s.agsekit(&["resume-vm", "dev"]);
    assert_eq!(text(&out.stdout), "VM dev: was running already\n");
    assert_eq!(s.subcommands(), ["info"]);

    // A stopped VM has nothing to suspend; resume-vm starts it.
    s.fake.ok(&["stop", "dev"]);
    let out = s.agsekit(&["suspend-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "VM dev: is stopped; nothing to suspend\n"
    );
    assert_eq!(s.state(), "Stopped");
    let out = s.agsekit(&["resume-vm", "dev"]);
    assert_eq!(text(&out.stdout), "VM dev: was stopped; started\n");
    assert_eq!(s.state(), "Running");

    // A name and --all-vms together is a usage error.
    let out = s.agsekit(&["suspend-vm", "dev", "--all-vms"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn suspend_vm_fake_multipass_on_a_missing_vm_says_how_to_create_it() {
    let s = setup();
    s.fake.ok(&["delete", "--purge", "dev"]);
    let out = s.agsekit(&["suspend-vm", "dev"]);
    assert_ne!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(err.contains("dev"), "{err}");
    assert!(err.contains("agsekit create-vm dev"), "{err}");
}

#[test]
fn suspend_vm_and_resume_vm_in_russian_fake_multipass() {
    let s = setup();
    let out =
        s.sb.agsekit_with(&s.fake)
            .env("AGSEKIT_LANG", "ru")
            .arg("--config")
            .arg(&s.config)
            .args(["suspend-vm", "dev"])
            .output()
            .unwrap();
    assert_eq!(text(&out.stdout), "ВМ dev: приостановлена\n");
    let out =
        s.sb.agsekit_with(&s.fake)
            .env("AGSEKIT_LANG", "ru")
            .args(["resume-vm", "--help"])
            .output()
            .unwrap();
    assert!(
        text(&out.stdout).contains("Возобновить одну или все приостановленные ВМ"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_shim_and_run_resume_a_suspended_vm_fake_multipass() {
    let s = setup();
    let out = s.agsekit(&["shims", "install"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = s.shim(&s.project, &["first"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));

    let out = s.agsekit(&["suspend-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.state(), "Suspended");
    let out = s.shim(&s.project, &["after", "suspend"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "vm-codex after suspend\n");
    assert_eq!(s.state(), "Running");

    let out = s.agsekit(&["suspend-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out =
        s.sb.agsekit_with(&s.fake)
            .arg("--config")
            .arg(&s.config)
            .args(["--non-interactive", "run", "codex", "again"])
            .current_dir(&s.project)
            .env("PWD", &s.project)
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("vm-codex again"));
    assert_eq!(s.state(), "Running");
}

/// A `ps` in the fake VM that lists a running `codex` (pid 812) among other processes.
fn agent_running(s: &Setup) {
    s.fake.install_agent(
        "dev",
        "ps",
        "#!/bin/sh\necho '    1     0 /sbin/init'\necho '  812     1 /usr/local/bin/codex --yes'\n",
    );
}

#[test]
fn suspend_vm_fake_multipass_refuses_without_a_terminal_while_an_agent_runs() {
    // As `down`: suspending pauses the agents and a session whose connection times out during
    // the pause ends, so running agents are looked for first.
    let s = setup();
    agent_running(&s);
    s.clear_calls();
    let out = s.agsekit(&["suspend-vm", "dev"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("configured agents are still running"), "{err}");
    assert!(err.contains("VM dev: pid 812"), "{err}");
    assert!(err.contains("let them finish"), "{err}");
    assert!(err.contains("agsekit suspend-vm --force"), "{err}");
    assert!(!s.subcommands().contains(&"suspend".to_string()));
    assert_eq!(s.state(), "Running");

    // Without an agent the same command suspends (the listing is what decided).
    s.fake
        .install_agent("dev", "ps", "#!/bin/sh\necho '    1     0 /sbin/init'\n");
    let out = s.agsekit(&["suspend-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.state(), "Suspended");
}

#[test]
fn suspend_vm_force_fake_multipass_suspends_while_an_agent_runs_without_asking() {
    let s = setup();
    agent_running(&s);
    s.clear_calls();
    let out = s.agsekit(&["suspend-vm", "--force", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "VM dev: suspended\n");
    assert!(
        !text(&out.stderr).contains("still running"),
        "{}",
        text(&out.stderr)
    );
    // --force skips the listing: no command ran in the VM, the VM was suspended.
    assert!(
        !s.subcommands().contains(&"exec".to_string()),
        "{:?}",
        s.subcommands()
    );
    assert!(s.subcommands().contains(&"suspend".to_string()));
    assert_eq!(s.state(), "Suspended");
}

#[test]
fn suspend_vm_fake_multipass_on_a_terminal_asks_and_suspends_on_yes() {
    let s = setup();
    agent_running(&s);
    if !crate::tmux::Tmux::available() {
        return;
    }
    let env = [
        format!("AGSEKIT_MULTIPASS={}", s.fake.bin.display()),
        format!("FAKE_MULTIPASS_STATE={}", s.fake.state_dir.display()),
    ];
    let config = s.config.to_string_lossy().into_owned();
    let run = |answer: &str| {
        let t = crate::tmux::Tmux::start(&crate::tmux::command_line(
            &s.sb,
            &env,
            &["--config", &config, "suspend-vm", "dev"],
        ));
        t.answer("Suspend the VMs anyway?", answer);
        t.wait_for("EXIT:");
        t.screen()
    };
    let screen = run("n");
    assert!(screen.contains("pid 812"), "{screen}");
    assert!(screen.contains("nothing suspended"), "{screen}");
    assert!(screen.contains("EXIT:1"), "{screen}");
    assert_eq!(s.state(), "Running");
    let screen = run("y");
    assert!(screen.contains("VM dev: suspended"), "{screen}");
    assert!(screen.contains("EXIT:0"), "{screen}");
    assert_eq!(s.state(), "Suspended");
}

#[test]
fn stop_vm_fake_multipass_resumes_a_suspended_vm_and_shuts_it_down() {
    // Multipass refuses to stop a suspended VM ("Cannot shut down suspended instance"), and a
    // paused guest cannot shut down cleanly: stop-vm resumes it first (it used to say "was
    // not running" and leave it suspended).
    let s = setup();
    let out = s.agsekit(&["suspend-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.state(), "Suspended");
    s.clear_calls();
    let out = s.agsekit(&["stop-vm", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "VM dev: stopped\n");
    assert!(
        text(&out.stderr).contains("`dev` is suspended: resuming it to shut it down cleanly"),
        "{}",
        text(&out.stderr)
    );
    let calls = s.subcommands();
    let start = calls.iter().position(|c| c == "start").expect("a start");
    let stop = calls.iter().position(|c| c == "stop").expect("a stop");
    assert!(start < stop, "{calls:?}");
    assert_eq!(s.state(), "Stopped");
    assert_eq!(s.status_state(), "stopped");

    // A stopped VM is still left alone.
    s.clear_calls();
    let out = s.agsekit(&["stop-vm", "dev"]);
    assert_eq!(text(&out.stdout), "VM dev: was not running\n");
    assert_eq!(s.subcommands(), ["info"]);
}
