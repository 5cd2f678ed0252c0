//! Helpers shared by the integration tests: a temp HOME, the built binaries.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A sandbox for one test: a temporary HOME with nothing in it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// `agsekit` with HOME pointing into the sandbox and no inherited config or debug.
    pub fn agsekit(&self) -> Command {
        let mut cmd = Command::cargo_bin("agsekit").expect("agsekit binary");
        cmd.env("HOME", self.home())
            .env_remove("CONFIG_PATH")
            .env_remove("AGSEKIT_DEBUG")
            .env_remove("AGSEKIT_LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .env("NO_COLOR", "1");
        cmd
    }
}

/// The fake multipass binary, built by `cargo test --workspace` next to `agsekit`.
pub fn fake_multipass_bin() -> PathBuf {
    let agsekit = assert_cmd::cargo::cargo_bin("agsekit");
    agsekit.parent().expect("target dir").join("fake-multipass")
}

/// A fake multipass for one test (see tests/README.md): its own state directory, and the
/// built `fake-multipass` binary. It is a fake; no VM is involved.
pub struct FakeMultipass {
    /// The state directory (`FAKE_MULTIPASS_STATE`).
    pub state_dir: PathBuf,
    /// The `fake-multipass` executable.
    pub bin: PathBuf,
}

impl FakeMultipass {
    /// A fresh fake whose state lives in `root/fake-multipass-state`.
    pub fn new(root: &Path) -> Self {
        let bin = fake_multipass_bin();
        assert!(
            bin.exists(),
            "{} is missing: run `cargo test --workspace` (or `cargo build -p fake-multipass`)",
            bin.display()
        );
        let state_dir = root.join("fake-multipass-state");
        std::fs::create_dir_all(&state_dir).expect("fake multipass state dir");
        FakeMultipass { state_dir, bin }
    }

    /// Points an `agsekit` command at the fake: `AGSEKIT_MULTIPASS` and the state directory,
    /// with no injected failures or latency left over from the environment.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env("AGSEKIT_MULTIPASS", &self.bin)
            .env("FAKE_MULTIPASS_STATE", &self.state_dir)
            .env_remove("FAKE_MULTIPASS_FAIL")
            .env_remove("FAKE_MULTIPASS_LATENCY_MS");
    }

    /// The fake run directly (to set up VMs before the command under test).
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(&self.bin);
        cmd.args(args)
            .env("FAKE_MULTIPASS_STATE", &self.state_dir)
            .env_remove("FAKE_MULTIPASS_FAIL")
            .env_remove("FAKE_MULTIPASS_LATENCY_MS");
        cmd
    }

    /// Runs the fake directly and returns its stdout; panics (with its stderr) on failure.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("run fake-multipass");
        assert!(
            out.status.success(),
            "fake-multipass {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Launches a running VM with 2 CPUs, 4G of memory and a 20G disk.
    pub fn launch(&self, name: &str) {
        self.ok(&[
            "launch", "--name", name, "--cpus", "2", "--memory", "4G", "--disk", "20G",
        ]);
    }

    /// Every call made so far, each as its argv (without the program).
    pub fn calls(&self) -> Vec<Vec<String>> {
        self.call_records()
            .iter()
            .map(|r| {
                r["argv"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Every call made so far as logged: `{"argv": [...], "stdin": "..."}`.
    pub fn call_records(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.state_dir.join("calls.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The host folder that is `/home/ubuntu` in the VM.
    pub fn home_dir(&self, vm: &str) -> PathBuf {
        self.state_dir.join("instances").join(vm).join("home")
    }

    /// The host folder that is `/usr/local/bin` in the VM.
    pub fn bin_dir(&self, vm: &str) -> PathBuf {
        self.state_dir.join("instances").join(vm).join("bin")
    }

    /// Installs an executable script as `/usr/local/bin/NAME` in the VM (a fake agent).
    pub fn install_agent(&self, vm: &str, name: &str, script: &str) -> PathBuf {
        let path = self.bin_dir(vm).join(name);
        std::fs::create_dir_all(self.bin_dir(vm)).expect("fake VM bin dir");
        write_executable(&path, script.as_bytes());
        path
    }

    /// A script that runs the fake with this state directory (and these extra variables),
    /// for code that starts `multipass` without setting its environment.
    pub fn wrapper_with_env(&self, env: &[(&str, &str)]) -> PathBuf {
        let mut script = String::from("#!/bin/sh\n");
        let mut assignments = vec![format!(
            "FAKE_MULTIPASS_STATE={}",
            shell_words::quote(&self.state_dir.to_string_lossy())
        )];
        for (k, v) in env {
            assignments.push(format!("{k}={}", shell_words::quote(v)));
        }
        script.push_str(&format!(
            "{} exec {} \"$@\"\n",
            assignments.join(" "),
            shell_words::quote(&self.bin.to_string_lossy())
        ));
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = self
            .state_dir
            .with_file_name(format!("fake-multipass-wrapper-{n}"));
        write_executable(&path, script.as_bytes());
        path
    }

    /// [`FakeMultipass::wrapper_with_env`] with no extra variables.
    pub fn wrapper(&self) -> PathBuf {
        self.wrapper_with_env(&[])
    }
}

impl Sandbox {
    /// `agsekit` in this sandbox, talking to the fake multipass.
    pub fn agsekit_with(&self, fake: &FakeMultipass) -> Command {
        let mut cmd = self.agsekit();
        fake.apply(&mut cmd);
        cmd
    }
}

/// Holds the snapshot folder's lock the way a running backup does (an flock on
/// `<dest>/backup.pid`, which names `pid`); released when the returned guard is dropped.
pub fn hold_backup_lock(dest: &Path, pid: u32) -> nix::fcntl::Flock<std::fs::File> {
    std::fs::create_dir_all(dest).expect("mkdir");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dest.join("backup.pid"))
        .expect("open");
    let held = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock)
        .map_err(|(_, e)| e)
        .expect("flock");
    std::fs::write(dest.join("backup.pid"), pid.to_string()).expect("write pid");
    held
}

/// One project, one VM `dev` in the FAKE multipass (running) and a config with the project
/// as its only mount and an agent `codex`; the fake `codex` in the VM is a script given by
/// the test (the agent). No VM is involved: the fake runs the script in bubblewrap.
pub struct FakeSession {
    pub sb: Sandbox,
    pub fake: FakeMultipass,
    pub project: PathBuf,
    pub config: PathBuf,
}

impl FakeSession {
    pub fn new(agent_script: &str) -> FakeSession {
        let sb = Sandbox::new();
        let fake = FakeMultipass::new(sb.home());
        fake.launch("dev");
        let project = sb.home().join("proj");
        std::fs::create_dir_all(&project).expect("project");
        let config = sb.home().join("config.yaml");
        std::fs::write(
            &config,
            format!(
                "vms:\n  dev:\n    cpu: 2\n    ram: 4G\n    disk: 20G\nmounts:\n  - source: {}\n    vm: dev\nagents:\n  codex:\n    type: codex\n",
                project.display()
            ),
        )
        .expect("config");
        fake.install_agent("dev", "codex", agent_script);
        // The fake VM has no sudo; the launcher install path uses it.
        fake.install_agent(
            "dev",
            "sudo",
            "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n",
        );
        FakeSession {
            sb,
            fake,
            project,
            config,
        }
    }

    /// `agsekit --config CONFIG ARGS...` in the project folder, talking to the fake.
    pub fn agsekit(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = self.sb.agsekit_with(&self.fake);
        cmd.arg("--config")
            .arg(&self.config)
            .args(args)
            .current_dir(&self.project)
            .env("PWD", &self.project);
        cmd.output().expect("run agsekit")
    }

    /// `agsekit run --auto-mount codex` without a terminal.
    pub fn run_agent(&self) -> std::process::Output {
        self.agsekit(&["--non-interactive", "run", "--auto-mount", "codex"])
    }
}

/// Names in `dest`, sorted (none when it cannot be read).
pub fn names(dest: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dest)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Writes an executable (mode 0755) at `path` that a test runs right after, without the
/// "Text file busy" race: a file this multi-threaded test process opens for writing can still
/// be open in a child that another test thread has forked but not yet exec'd, and running the
/// file then fails with ETXTBSY. So the file is written by a `cat` process of its own, which
/// nothing forks, from a pipe; this process never holds it open for writing.
pub fn write_executable(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
    let (path, contents) = (path.as_ref(), contents.as_ref());
    use std::io::Write;
    use std::process::Stdio;
    let mut cat = std::process::Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 0755 \"$1\"", "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .expect("start sh to write an executable");
    cat.stdin
        .take()
        .expect("its stdin")
        .write_all(contents)
        .expect("write the executable through the pipe");
    let status = cat.wait().expect("wait for sh");
    assert!(
        status.success(),
        "writing {} failed: {status}",
        path.display()
    );
}

/// [`write_executable`] with the bytes of `source` (a copy of a built binary, say).
pub fn copy_executable(source: &Path, path: &Path) {
    let bytes = std::fs::read(source).expect("read the executable to copy");
    write_executable(path, &bytes);
}

/// An executable script `bin/NAME` (the folder is made when missing): a fake program on PATH.
pub fn stub(bin: &Path, name: &str, script: &str) {
    std::fs::create_dir_all(bin).expect("bin");
    write_executable(bin.join(name), script.as_bytes());
}

/// Links the host's own `NAME` (from /usr/bin, /bin or /usr/local/bin) into `bin`, for a PATH
/// made only of chosen programs; false when the host has none.
pub fn link_host_program(bin: &Path, name: &str) -> bool {
    let found: Option<PathBuf> = ["/usr/bin", "/bin", "/usr/local/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists());
    match found {
        Some(p) => std::os::unix::fs::symlink(p, bin.join(name)).is_ok(),
        None => false,
    }
}
