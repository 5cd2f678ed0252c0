//! Backend-neutral scenarios, one code path run in two worlds:
//! - `backend_neutral_fake_multipass`: against the FAKE multipass (tests/README.md; bubblewrap
//!   stands in for the VM). Always runs.
//! - `backend_neutral_real_qemu`: against a REAL VM booted by QEMU (`backend: qemu`), from the
//!   image folder named by `AGSEKIT_REALVM_IMAGE_DIR` (tests/realvm/build-image.sh makes one).
//!   Without that variable it prints `SKIPPED` and passes; with it, a missing image or program
//!   is a failure. `.ci/realvm` runs it. One VM serves every scenario: under software
//!   emulation a boot costs a minute.
//!
//! Both drive the built `agsekit` binary in a temporary HOME; the agent is the same stand-in
//! script (`tests/realvm/fake-codex`) installed as `/usr/local/bin/codex` in the VM. The
//! scenarios run in order on the one VM (create first, destroy last); each prints
//! `PASS <world>: <scenario> (<seconds> s)` or `FAIL ...` and a failure does not stop the
//! ones after it (except a failed create-vm). What differs between the worlds is only how
//! the VM is configured, how the agent gets into it, which uid owns what it writes, and the
//! checks that only one world can make (the QEMU processes, the fake's records).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{FakeMultipass, Sandbox};

const VM: &str = "dev";
const AGENT: &str = include_str!("../realvm/fake-codex");
/// The value of the agent's secret (`agents.codex.env`): it must reach the agent and never
/// appear in a command line, on the host or in the VM.
const SECRET: &str = "neutral-s3cret-7f1c9a";

/// Where the VM runs.
enum Kind {
    FakeMultipass(FakeMultipass),
    /// A real QEMU VM (its image is in the config).
    RealQemu,
}

struct World {
    sb: Sandbox,
    kind: Kind,
    project: PathBuf,
    config: PathBuf,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a command printed, for failure messages.
fn shown(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

impl World {
    fn fake_multipass() -> World {
        let sb = Sandbox::new();
        let fake = FakeMultipass::new(sb.home());
        World::new(sb, Kind::FakeMultipass(fake), "")
    }

    fn real_qemu(images: PathBuf) -> World {
        let sb = Sandbox::new();
        // Run as root, passt runs as `nobody` with its socket in the VM's folder under this
        // HOME, and the guest user 1000 writes the project: both must get through it.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(sb.home(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let cmdline = std::fs::read_to_string(images.join("cmdline")).unwrap_or_default();
        let vm_keys = format!(
            "\n    image:\n      disk: {}\n      kernel: {}\n      initrd: {}\n      cmdline: {}",
            images.join("disk.qcow2").display(),
            images.join("vmlinuz").display(),
            images.join("initrd.img").display(),
            serde_json::to_string(cmdline.trim()).unwrap(),
        );
        World::new(sb, Kind::RealQemu, &vm_keys)
    }

    fn new(sb: Sandbox, kind: Kind, vm_keys: &str) -> World {
        let project = sb.home().join("proj");
        std::fs::create_dir_all(project.join("src")).unwrap();
        std::fs::write(project.join("host.txt"), "from the host\n").unwrap();
        let config = sb.home().join("config.yaml");
        let global = match kind {
            Kind::FakeMultipass(_) => "",
            Kind::RealQemu => "global:\n  backend: qemu\n",
        };
        std::fs::write(
            &config,
            format!(
                "{global}vms:\n  {VM}:\n    cpu: 1\n    ram: 1G\n    disk: 4G{vm_keys}\nmounts:\n  - source: {}\n    vm: {VM}\nagents:\n  codex:\n    type: codex\n    vm: {VM}\n    env:\n      AGSEKIT_TEST_SECRET: {SECRET}\n",
                project.display()
            ),
        )
        .unwrap();
        let world = World {
            sb,
            kind,
            project,
            config,
        };
        world.hand_project_to_guest();
        world
    }

    fn name(&self) -> &'static str {
        match self.kind {
            Kind::FakeMultipass(_) => "fake_multipass",
            Kind::RealQemu => "real_qemu",
        }
    }

    fn backend_name(&self) -> &'static str {
        match self.kind {
            Kind::FakeMultipass(_) => "multipass",
            Kind::RealQemu => "qemu",
        }
    }

    /// The uid that owns on the host what the agent writes: the fake runs the agent as the
    /// test's user; the real guest user has the host user's uid, except that root becomes
    /// 1000 (docs/qemu.md).
    fn guest_owner(&self) -> u32 {
        let me = nix::unistd::getuid().as_raw();
        match self.kind {
            Kind::RealQemu if me == 0 => 1000,
            _ => me,
        }
    }

    /// Run as root, the real VM's user is 1000: it must be able to write the project (as
    /// tests/realvm/e2e.sh does).
    fn hand_project_to_guest(&self) {
        let owner = self.guest_owner();
        if owner == nix::unistd::getuid().as_raw() {
            return;
        }
        let status = Command::new("chown")
            .args(["-R", &format!("{owner}:{owner}")])
            .arg(&self.project)
            .status()
            .expect("chown");
        assert!(status.success());
    }

    /// `agsekit --config CONFIG --non-interactive ARGS...` in `cwd`, in this world.
    fn agsekit_command(&self, args: &[&str], cwd: &Path) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("agsekit"));
        let home = self.sb.home();
        cmd.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("NO_COLOR", "1")
            .env("PWD", cwd)
            .env_remove("CONFIG_PATH")
            .env_remove("AGSEKIT_DEBUG")
            .env_remove("AGSEKIT_LANG")
            .env_remove("AGSEKIT_SHIMS_DIR")
            .env_remove("AGSEKIT_QEMU_HOME")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .env_remove("TMUX")
            .current_dir(cwd)
            .arg("--config")
            .arg(&self.config)
            .arg("--non-interactive")
            .args(args);
        if let Kind::FakeMultipass(fake) = &self.kind {
            cmd.env("AGSEKIT_MULTIPASS", &fake.bin)
                .env("FAKE_MULTIPASS_STATE", &fake.state_dir)
                .env_remove("FAKE_MULTIPASS_FAIL")
                .env_remove("FAKE_MULTIPASS_LATENCY_MS");
        }
        cmd
    }

    fn agsekit_in(&self, cwd: &Path, args: &[&str]) -> Output {
        self.agsekit_command(args, cwd)
            .stdin(Stdio::null())
            .output()
            .expect("run agsekit")
    }

    fn agsekit(&self, args: &[&str]) -> Output {
        self.agsekit_in(self.sb.home(), args)
    }

    /// `agsekit run --auto-mount codex ARGS...` in `cwd` (a folder of the project).
    fn codex_in(&self, cwd: &Path, args: &[&str]) -> Output {
        let mut all = vec!["run", "--auto-mount", "codex"];
        all.extend(args);
        self.agsekit_in(cwd, &all)
    }

    fn codex(&self, args: &[&str]) -> Output {
        self.codex_in(&self.project, args)
    }

    fn status(&self) -> serde_json::Value {
        let out = self.agsekit(&["status", "--json"]);
        assert!(out.status.success(), "status --json: {}", shown(&out));
        serde_json::from_slice(&out.stdout).expect("status --json is JSON")
    }

    fn vm_state(&self) -> String {
        self.status()["vms"][0]["state"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// What the VM needs before `create-vm`: the fake VM runs the host's tools, so stand-ins
    /// for the packages `base.sh` checks and for `sudo`; a real image has them.
    fn before_create(&self) {
        if let Kind::FakeMultipass(fake) = &self.kind {
            crate::vm_commands::stub_vm_tools(fake, VM);
        }
    }

    /// Installs the stand-in agent as `/usr/local/bin/codex` in the VM.
    fn install_agent(&self) {
        match &self.kind {
            Kind::FakeMultipass(fake) => {
                fake.install_agent(VM, "codex", AGENT);
            }
            Kind::RealQemu => {
                let mut child = self
                    .agsekit_command(
                        &[
                            "ssh",
                            VM,
                            "--",
                            "sudo tee /usr/local/bin/codex >/dev/null && sudo chmod 0755 /usr/local/bin/codex",
                        ],
                        self.sb.home(),
                    )
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("agsekit ssh");
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(AGENT.as_bytes())
                    .unwrap();
                let out = child.wait_with_output().unwrap();
                assert!(out.status.success(), "installing codex: {}", shown(&out));
            }
        }
    }

    /// The processes on this host whose command line names this world's HOME (QEMU,
    /// virtiofsd, passt, ssh masters of the real VM), as "pid args" lines.
    fn processes_of_home(&self, under: &Path) -> Vec<String> {
        let needle = under.as_os_str().as_encoded_bytes();
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if pid == std::process::id() {
                continue;
            }
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            if cmdline.windows(needle.len()).any(|w| w == needle) {
                found.push(format!(
                    "{pid} {}",
                    String::from_utf8_lossy(&cmdline).replace('\0', " ")
                ));
            }
        }
        found
    }

    /// The real VM's state folder.
    fn qemu_vm_dir(&self) -> PathBuf {
        self.sb
            .home()
            .join(".local/share/agsekit/qemu/vms")
            .join(VM)
    }

    /// After `stop-vm`: nothing of the VM runs any more (real: no QEMU, virtiofsd or passt of
    /// its folder; fake: the fake's record says Stopped).
    fn check_nothing_runs(&self) {
        match &self.kind {
            Kind::FakeMultipass(fake) => {
                let info = fake.ok(&["info", VM, "--format", "json"]);
                let v: serde_json::Value = serde_json::from_str(&info).unwrap();
                assert_eq!(v["info"][VM]["state"], "Stopped");
            }
            Kind::RealQemu => {
                let left = self.processes_of_home(&self.qemu_vm_dir());
                assert!(left.is_empty(), "processes of the stopped VM: {left:?}");
            }
        }
    }

    /// After `destroy-vm`: nothing of the VM is left (real: its folder and every process of
    /// this HOME; fake: the instance record).
    fn check_nothing_left(&self) {
        match &self.kind {
            Kind::FakeMultipass(fake) => {
                let list = fake.ok(&["list", "--format", "json"]);
                assert!(!list.contains(&format!("\"{VM}\"")), "{list}");
            }
            Kind::RealQemu => {
                let dir = self.qemu_vm_dir();
                assert!(!dir.exists(), "{} still exists", dir.display());
                let left = self.processes_of_home(self.sb.home());
                assert!(left.is_empty(), "processes left: {left:?}");
            }
        }
    }
}

impl Drop for World {
    /// A real VM is destroyed whatever happened, and anything still running from this HOME
    /// is stopped (by pid).
    fn drop(&mut self) {
        if let Kind::RealQemu = self.kind {
            if self.qemu_vm_dir().exists() {
                let _ = self.agsekit(&["destroy-vm", VM, "-y"]);
            }
            for line in self.processes_of_home(self.sb.home()) {
                if let Some(pid) = line.split(' ').next().and_then(|p| p.parse::<i32>().ok()) {
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The scenarios

fn create_vm(w: &World) {
    w.before_create();
    let out = w.agsekit(&["create-vm", VM]);
    assert!(out.status.success(), "create-vm: {}", shown(&out));
    assert!(
        text(&out.stdout).contains(&format!("VM {VM}: created")),
        "{}",
        shown(&out)
    );
    w.install_agent();
    let status = w.status();
    assert_eq!(status["backend"]["name"], w.backend_name());
    assert_eq!(status["vms"][0]["state"], "running", "{status}");
    assert_eq!(status["vms"][0]["cpus"]["actual"], 1, "{status}");
}

fn cwd_is_the_mount_target(w: &World) {
    let out = w.codex(&["whoami"]);
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("pwd=/home/ubuntu/proj\n"), "{stdout}");
    assert!(stdout.contains("host.txt"), "the host's files: {stdout}");
    assert!(
        stdout.contains(&format!("uid={} ", w.guest_owner())),
        "{stdout}"
    );
    // A folder inside the mount maps to the same folder under the target.
    let out = w.codex_in(&w.project.join("src"), &["whoami"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        text(&out.stdout).contains("pwd=/home/ubuntu/proj/src\n"),
        "{}",
        shown(&out)
    );
}

/// Arguments that a shell, a quoting bug or an encoding step would change.
const HOSTILE_ARGS: &[&str] = &[
    "two words",
    "it's",
    "\"double\"",
    "ünïcödé ✓ Ж",
    "$HOME",
    "`id`",
    "*",
    "",
    "a;b && c | d",
    "back\\slash",
    "line one\nline two",
    "--flag=value",
    "  edges  ",
];

fn arguments_arrive_byte_for_byte(w: &World) {
    let mut args = vec!["args"];
    args.extend(HOSTILE_ARGS);
    let out = w.codex(&args);
    assert!(out.status.success(), "{}", shown(&out));
    let expected: String = HOSTILE_ARGS.iter().map(|a| format!("[{a}]\n")).collect();
    assert_eq!(text(&out.stdout), expected, "{}", shown(&out));
}

fn exit_codes_pass_through(w: &World) {
    // 4 is the code `multipass exec` (<= 1.16) retries forever: mapped there and back.
    for code in [0, 1, 4, 7, 42, 130] {
        let out = w.codex(&["exit", &code.to_string()]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "exit {code}: {}",
            shown(&out)
        );
    }
}

fn a_written_file_lands_on_the_host_owned_by_the_user(w: &World) {
    let out = w.codex(&["write", "agent.txt", "written in the VM: ü"]);
    assert!(out.status.success(), "{}", shown(&out));
    let file = w.project.join("agent.txt");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap_or_default(),
        "written in the VM: ü\n"
    );
    let meta = std::fs::metadata(&file).unwrap();
    assert_eq!(meta.uid(), w.guest_owner(), "owner of {}", file.display());
    assert!(
        text(&out.stderr).contains("1 added"),
        "the review counts it: {}",
        shown(&out)
    );
}

/// The host's processes whose command line holds the secret.
fn host_argv_hits() -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            if cmdline
                .windows(SECRET.len())
                .any(|w| w == SECRET.as_bytes())
            {
                hits.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
            }
        }
    }
    hits
}

fn env_secrets_reach_the_agent_but_no_command_line(w: &World) {
    let ready = w.project.join(".secret-ready");
    let scanned = w.project.join(".secret-scanned");
    let _ = std::fs::remove_file(&ready);
    let _ = std::fs::remove_file(&scanned);
    let child = w
        .agsekit_command(
            &[
                "run",
                "--auto-mount",
                "codex",
                "secret",
                "AGSEKIT_TEST_SECRET",
            ],
            &w.project,
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("agsekit run");
    // While the agent waits: every process on the host (agsekit, ssh or the fake multipass,
    // the launcher's side) is looked at.
    let deadline = Instant::now() + Duration::from_secs(180);
    while !ready.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let on_host = host_argv_hits();
    std::fs::write(&scanned, "").unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_file(&ready);
    let _ = std::fs::remove_file(&scanned);
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("secret={SECRET}\n")), "{stdout}");
    assert!(
        stdout.contains("argv-hits=0\n"),
        "a process in the VM has the secret in its command line: {stdout}"
    );
    assert!(
        on_host.is_empty(),
        "host processes with the secret in their command line: {on_host:?}"
    );
}

fn status_json_shows_the_vm_and_the_mount(w: &World) {
    let status = w.status();
    assert_eq!(status["backend"]["name"], w.backend_name());
    let vm = &status["vms"][0];
    assert_eq!(vm["name"], VM);
    assert_eq!(vm["state"], "running", "{status}");
    assert_eq!(vm["cpus"]["configured"], 1);
    let mount = &status["mounts"][0];
    assert_eq!(mount["source"], w.project.display().to_string());
    assert_eq!(mount["target"], "/home/ubuntu/proj");
    assert_eq!(mount["mounted"], true, "{status}");
    assert!(
        mount["backup"]["snapshot_count"].as_u64().unwrap_or(0) >= 1,
        "the sessions took snapshots: {status}"
    );
}

fn umount_and_mount(w: &World) {
    let project = w.project.display().to_string();
    let out = w.agsekit(&["umount", &project]);
    assert!(out.status.success(), "umount: {}", shown(&out));
    assert_eq!(w.status()["mounts"][0]["mounted"], false);
    let out = w.agsekit(&["mount", &project]);
    assert!(out.status.success(), "mount: {}", shown(&out));
    assert_eq!(w.status()["mounts"][0]["mounted"], true);
    // A file made on the host now is there in the VM.
    std::fs::write(w.project.join("after-mount.txt"), "new\n").unwrap();
    let out = w.codex(&["whoami"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        text(&out.stdout).contains("after-mount.txt"),
        "{}",
        shown(&out)
    );
}

fn suspend_and_a_session_resumes(w: &World) {
    let out = w.agsekit(&["suspend-vm", VM]);
    assert!(out.status.success(), "suspend-vm: {}", shown(&out));
    assert_eq!(w.vm_state(), "suspended");
    let out = w.codex(&["whoami"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(text(&out.stdout).contains("pwd=/home/ubuntu/proj\n"));
    assert_eq!(w.vm_state(), "running");
}

fn stop_and_start_keep_the_mount(w: &World) {
    let out = w.agsekit(&["stop-vm", VM]);
    assert!(out.status.success(), "stop-vm: {}", shown(&out));
    assert_eq!(text(&out.stdout), format!("VM {VM}: stopped\n"));
    assert_eq!(w.vm_state(), "stopped");
    w.check_nothing_runs();
    let out = w.agsekit(&["start-vm", VM]);
    assert!(out.status.success(), "start-vm: {}", shown(&out));
    assert_eq!(w.vm_state(), "running");
    let out = w.codex(&["whoami"]);
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("pwd=/home/ubuntu/proj\n"), "{stdout}");
    assert!(stdout.contains("agent.txt"), "{stdout}");
}

fn destroy_leaves_nothing(w: &World) {
    let out = w.agsekit(&["destroy-vm", VM, "-y"]);
    assert!(out.status.success(), "destroy-vm: {}", shown(&out));
    assert_eq!(w.vm_state(), "absent");
    w.check_nothing_left();
    // The project and its files stay on the host.
    assert!(w.project.join("agent.txt").exists());
}

type Scenario = (&'static str, fn(&World));

/// The scenarios, in the order they run on the one VM.
const SCENARIOS: &[Scenario] = &[
    ("create-vm", create_vm),
    (
        "the agent runs at the mount target",
        cwd_is_the_mount_target,
    ),
    (
        "arguments arrive byte for byte",
        arguments_arrive_byte_for_byte,
    ),
    ("exit codes pass through", exit_codes_pass_through),
    (
        "a file the agent writes lands on the host, owned by the user",
        a_written_file_lands_on_the_host_owned_by_the_user,
    ),
    (
        "env secrets reach the agent, never a command line",
        env_secrets_reach_the_agent_but_no_command_line,
    ),
    (
        "status --json shows the VM and the mount",
        status_json_shows_the_vm_and_the_mount,
    ),
    ("umount, then mount again", umount_and_mount),
    (
        "suspend-vm, then a session resumes the VM",
        suspend_and_a_session_resumes,
    ),
    (
        "stop-vm, start-vm: the next session finds the folder",
        stop_and_start_keep_the_mount,
    ),
    ("destroy-vm leaves nothing behind", destroy_leaves_nothing),
];

/// Runs every scenario on `world`, printing each result and time; panics at the end with
/// the failures.
fn run_all(world: &World) {
    let started = Instant::now();
    let mut failures = Vec::new();
    for (i, (name, scenario)) in SCENARIOS.iter().enumerate() {
        let t = Instant::now();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scenario(world)));
        let secs = t.elapsed().as_secs_f64();
        match result {
            Ok(()) => println!("PASS {}: {name} ({secs:.1} s)", world.name()),
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                println!("FAIL {}: {name} ({secs:.1} s): {why}", world.name());
                failures.push(format!("{name}: {why}"));
                if i == 0 {
                    break;
                }
            }
        }
    }
    println!(
        "{}: {} scenarios in {:.1} s",
        world.name(),
        SCENARIOS.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        world.name(),
        failures.join("\n")
    );
}

#[test]
fn backend_neutral_fake_multipass() {
    run_all(&World::fake_multipass());
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

#[test]
fn backend_neutral_real_qemu() {
    let Some(images) = std::env::var_os("AGSEKIT_REALVM_IMAGE_DIR").map(PathBuf::from) else {
        println!("SKIPPED: AGSEKIT_REALVM_IMAGE_DIR is not set (tests/realvm/build-image.sh DIR makes an image folder)");
        return;
    };
    // Asked for: whatever is missing is a failure, not a skip.
    for file in ["disk.qcow2", "vmlinuz", "initrd.img", "cmdline"] {
        assert!(
            images.join(file).is_file(),
            "{} is missing",
            images.join(file).display()
        );
    }
    for program in ["qemu-system-x86_64", "qemu-img", "ssh", "ssh-keygen"] {
        assert!(on_path(program), "{program} is not installed");
    }
    run_all(&World::real_qemu(images));
}
