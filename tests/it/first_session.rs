//! README.md's install line and "A first session", run as written, line by line, in bash,
//! against the FAKE multipass (tests/README.md) on a host that says it has 2 CPUs and 8 GiB
//! (`AGSEKIT_HOST_CPUS`, `AGSEKIT_HOST_MEMORY`: the capacity check and the example's VM size
//! both read them). No real VM or Multipass is involved: the fake VM has no network, so the
//! agent's installer finds a stand-in `codex` already there (as after a real install) and the
//! VM's `sudo`/`apt-get` are stubs. Run with `--nocapture` to see the session's transcript.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::FakeMultipass;
use crate::vm_commands::stub_vm_tools;

/// The lines of the first ```sh block after the heading `heading` in README.md, without
/// their trailing `  # comment`.
fn readme_block(heading: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let after = readme
        .split_once(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README.md has no heading {heading:?}"))
        .1;
    let block = after
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .unwrap_or_else(|| panic!("no ```sh block after {heading:?}"))
        .0;
    block
        .lines()
        .map(|line| match line.find("  # ") {
            Some(i) => line[..i].trim_end().to_string(),
            None => line.trim_end().to_string(),
        })
        .filter(|line| !line.is_empty())
        .collect()
}

fn write_exec(path: &Path, text: &str) {
    crate::support::write_executable(path, text);
}

/// A temporary HOME named like a user's: below `/home` when it is writable (a snap Multipass
/// shares only folders there, and the README's `~/code/myproject` is one), else in the
/// system's temporary folder. Never a hidden name.
fn user_like_home() -> tempfile::TempDir {
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix("agsekit-first-session-");
        b
    };
    builder
        .tempdir_in("/home")
        .or_else(|_| builder.tempdir())
        .expect("temp HOME")
}

struct Session {
    home: tempfile::TempDir,
    fake: FakeMultipass,
    path: String,
    transcript: String,
}

impl Session {
    fn home(&self) -> &Path {
        self.home.path()
    }

    /// Runs `line` as a user would type it: in an interactive bash (it reads ~/.bashrc, as
    /// the README's `exec bash` does), from HOME, stdout and stderr together. Returns the exit
    /// code and the output, and adds both to the transcript.
    fn type_line(&mut self, line: &str) -> (i32, String) {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "exec bash -i -c \"$1\" 2>&1", "sh", line])
            .current_dir(self.home())
            .env_clear()
            .env("HOME", self.home())
            .env("USER", "me")
            .env("SHELL", "/bin/bash")
            .env("PATH", &self.path)
            .env("TERM", "dumb")
            .env("NO_COLOR", "1")
            .env("AGSEKIT_HOST_CPUS", "2")
            .env("AGSEKIT_HOST_MEMORY", "8G")
            // The fake is not a snap: it can share any folder (the real check asks the backend).
            .env("AGSEKIT_MULTIPASS_SNAP", "0")
            .stdin(std::process::Stdio::null());
        cmd.env("AGSEKIT_MULTIPASS", &self.fake.bin)
            .env("FAKE_MULTIPASS_STATE", &self.fake.state_dir);
        let out: Output = cmd.output().expect("bash");
        let text: String = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("bash: cannot set terminal process group"))
            .filter(|l| !l.starts_with("bash: no job control in this shell"))
            .map(|l| format!("{l}\n"))
            .collect();
        let code = out.status.code().unwrap_or(-1);
        self.transcript
            .push_str(&format!("$ {line}\n{text}[exit {code}]\n"));
        (code, text)
    }
}

fn session() -> Session {
    let home = user_like_home();
    let fake = FakeMultipass::new(home.path());
    // What `prepare` looks for on PATH: the fake as `multipass`, a `systemctl` that only logs
    // (for the daemon stage), and an `ssh` that fails at once (doctor's reachability check).
    let bin = home.path().join("fakebin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::os::unix::fs::symlink(fake.wrapper(), bin.join("multipass")).expect("symlink");
    write_exec(
        &bin.join("systemctl"),
        &format!(
            "#!/bin/sh\necho \"$*\" >> {}\n",
            home.path().join("systemctl.log").display()
        ),
    );
    write_exec(
        &bin.join("ssh"),
        "#!/bin/sh\necho 'ssh: no route to the fake VM' >&2\nexit 255\n",
    );
    let agsekit = assert_cmd::cargo::cargo_bin("agsekit");
    let agsekit_dir = agsekit.parent().expect("target dir");
    let path = format!(
        "{}:{}:/usr/local/bin:/usr/bin:/bin",
        bin.display(),
        agsekit_dir.display()
    );
    // The VM `agsekit up` creates: stubs for its system tools, and the agent as a real
    // install would leave it.
    stub_vm_tools(&fake, "agent-ubuntu");
    fake.install_agent(
        "agent-ubuntu",
        "codex",
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'codex-cli 0.130.0'; exit 0; fi\necho \"fake codex in $(pwd): $*\"\necho 'written by the agent' > NOTES.md\n",
    );
    // The user's project.
    let project = home.path().join("code/myproject");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(project.join("main.py"), "print('hi')\n").expect("write");
    Session {
        home,
        fake,
        path,
        transcript: String::new(),
    }
}

fn snapshots(dest: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dest)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_dir()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.len() == 15 && n.as_bytes()[8] == b'-')
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn readme_first_session_fake_multipass_on_a_2_cpu_8g_host_works_as_written() {
    let mut s = session();
    let home = s.home().to_path_buf();
    let config = home.join(".config/agsekit/config.yaml");

    // Install and first use: the binary under test is already built and on PATH.
    let install = readme_block("## Install and first use");
    assert_eq!(install.len(), 1, "{install:?}");
    // The install itself: .ci/run checks the same cargo build; .ci/packages the other ways.
    let rest = install[0]
        .strip_prefix("cargo install --locked --path . && ")
        .unwrap_or_else(|| panic!("the install line changed: {:?}", install[0]));
    let (code, out) = s.type_line(rest);
    assert_eq!(code, 0, "{}", s.transcript);
    assert!(
        out.contains("The VM is sized for this host (2 CPUs, 8.0 GiB memory): cpu 1, ram 4G"),
        "{out}"
    );
    assert!(
        out.contains("The configuration is valid: 1 VM, 0 mounts, 1 agent."),
        "{out}"
    );

    let lines = readme_block("## A first session");
    assert_eq!(
        lines,
        [
            "agsekit up",
            "agsekit addmount ~/code/myproject -y",
            "agsekit shims install",
            "echo 'eval \"$(agsekit init bash)\"' >> ~/.bashrc && exec bash",
            "cd ~/code/myproject && codex",
        ],
        "README's first session changed: update this test with it"
    );

    // agsekit up: prepare, the VM (sized to pass the capacity check), the agent, the daemon.
    let (code, out) = s.type_line(&lines[0]);
    assert_eq!(code, 0, "{}", s.transcript);
    assert!(
        out.contains("launching VM `agent-ubuntu` (1 CPU, 4G memory, 20G disk)"),
        "{out}"
    );
    assert!(!out.contains("skipping the capacity check"), "{out}");
    assert!(out.contains("VM agent-ubuntu: created"), "{out}");
    assert!(
        out.contains("codex in VM agent-ubuntu: already installed 0.130.0"),
        "{out}"
    );
    assert!(out.contains("Setup completed successfully"), "{out}");
    let launches: Vec<Vec<String>> = s
        .fake
        .calls()
        .into_iter()
        .filter(|c| c[0] == "launch")
        .collect();
    assert_eq!(launches.len(), 1, "{launches:?}");
    let launch = launches[0].join(" ");
    assert!(
        launch.contains("--cpus 1") && launch.contains("--memory 4G"),
        "{launch}"
    );

    // agsekit addmount: the project becomes the first (and only) mount; nothing to delete.
    let (code, out) = s.type_line(&lines[1]);
    assert_eq!(code, 0, "{}", s.transcript);
    assert!(out.contains("Added the mount"), "{out}");
    let text = std::fs::read_to_string(&config).expect("config");
    let first = text
        .split_once("\nmounts:")
        .and_then(|(_, rest)| rest.lines().nth(1))
        .unwrap_or_default();
    assert_eq!(
        first,
        format!("  - source: {}/code/myproject", home.display()),
        "{text}"
    );

    // Shims and the shell line.
    let (code, out) = s.type_line(&lines[2]);
    assert_eq!(code, 0, "{}", s.transcript);
    assert!(out.contains("codex"), "{out}");
    let (code, _) = s.type_line(&lines[3]);
    assert_eq!(code, 0, "{}", s.transcript);
    let rc = std::fs::read_to_string(home.join(".bashrc")).expect(".bashrc");
    assert!(rc.contains("eval \"$(agsekit init bash)\""), "{rc}");

    // codex in the project: runs in the (fake) VM in the mounted folder, writes through the
    // mount, and a snapshot of the project was taken first.
    let (code, out) = s.type_line(&lines[4]);
    assert_eq!(code, 0, "{}", s.transcript);
    assert!(
        out.contains("fake codex in /home/ubuntu/myproject:"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(home.join("code/myproject/NOTES.md")).expect("written"),
        "written by the agent\n"
    );
    let snaps = snapshots(&home.join("code/backups-myproject"));
    assert!(!snaps.is_empty(), "{}", s.transcript);
    assert_eq!(
        std::fs::read_to_string(snaps[0].join("main.py")).expect("snapshot"),
        "print('hi')\n"
    );

    // After the session: config-check has nothing to warn about, and doctor finds the mount
    // live (no placeholder folder fails it).
    let (code, out) = s.type_line("agsekit config-check");
    assert_eq!(code, 0, "{}", s.transcript);
    assert!(!out.contains("warning"), "{out}");
    assert!(
        out.contains("The configuration is valid: 1 VM, 1 mount, 1 agent."),
        "{out}"
    );
    let (_, out) = s.type_line("agsekit doctor");
    assert!(
        out.contains(&format!(
            "ok    mount {}/code/myproject: live at agent-ubuntu:/home/ubuntu/myproject",
            home.display()
        )),
        "{out}"
    );
    assert!(!out.contains("/host/path"), "{out}");
    assert!(out.contains("ok    shim codex: first on PATH"), "{out}");
    assert!(out.contains("ok    shell init:"), "{out}");
    assert!(
        !out.lines()
            .any(|l| l.starts_with("FAIL") && (l.contains("mount") || l.contains("vm "))),
        "{out}"
    );
    println!("{}", s.transcript);
}

#[test]
fn create_vm_fake_multipass_on_a_2_cpu_host_refuses_the_old_example_size_and_takes_the_new_one() {
    // The host the README session plays: AGSEKIT_HOST_CPUS/MEMORY reach the capacity check.
    let host = [("AGSEKIT_HOST_CPUS", "2"), ("AGSEKIT_HOST_MEMORY", "8G")];
    // 1.7.4's example (and this one before): 2 CPUs leave none for the host.
    let old = crate::vm_commands::Setup::new(
        "vms:\n  agent-ubuntu:\n    cpu: 2\n    ram: 4G\n    disk: 20G\n",
    );
    stub_vm_tools(&old.fake, "agent-ubuntu");
    let out = old.agsekit_env(&["create-vm"], &host);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("not enough resources to create agent-ubuntu"),
        "{err}"
    );
    assert!(!old.fake.calls().iter().any(|c| c[0] == "launch"));

    // What config-example writes on that host.
    let (cpu, ram) = agsekit::config::example::vm_size_for(2, 8 << 30);
    let new = crate::vm_commands::Setup::new(&format!(
        "vms:\n  agent-ubuntu:\n    cpu: {cpu}\n    ram: {ram}\n    disk: 20G\n"
    ));
    stub_vm_tools(&new.fake, "agent-ubuntu");
    let out = new.agsekit_env(&["create-vm"], &host);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        new.fake.calls().iter().filter(|c| c[0] == "launch").count(),
        1
    );
}
