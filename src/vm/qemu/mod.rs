//! The QEMU backend: VMs run by `qemu-system-<arch>` directly, without Multipass.
//!
//! Each VM is a folder of files ([`state`]): its settings, a qcow2 overlay on a base image
//! ([`image`]), a NoCloud seed written by agsekit itself ([`seed`], [`fat`]), and, while it
//! runs, QEMU's pidfile, QMP socket ([`qmp`]) and serial log. QEMU is started daemonized
//! ([`launch`]) with user-mode networking that forwards a free localhost port to the guest's
//! SSH; every command runs over SSH with a persistent control connection ([`ssh`]). Host
//! folders are shared with virtiofs, one `virtiofsd` per mount ([`virtiofs`]), hot-plugged
//! through QMP on a running VM and re-attached on every start. docs/qemu.md says how to use
//! it and why it is built this way.

pub mod fat;
pub mod host;
pub mod image;
pub mod launch;
pub mod net;
pub mod qmp;
pub mod seed;
pub mod ssh;
pub mod state;
pub mod virtiofs;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::process::{Cmd, RealRunner, Runner, SpawnError, SpawnIo};

use super::types::{
    BackendVersion, Capabilities, ExecOutput, ExecResult, ExecSpec, ExecStdin, ImageSpec,
    LaunchSpec, SshEndpoint, StopMode, TransferEnd, TransferSpec, Usage, VmInfo, VmMount, VmNotice,
    VmState, VmSummary, GUEST_USER,
};
use super::{VmBackend, VmError};
use state::{Boot, Home, Mount, Settings, VmDir};

/// How long `create` waits for SSH and cloud-init when the spec gives no timeout (software
/// emulation is slow: 30 to 60 s is usual, a loaded host takes longer).
const CREATE_TIMEOUT: Duration = Duration::from_secs(900);
/// How long `start` waits for SSH.
const START_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a graceful stop waits for the guest to power off before QEMU is told to quit.
const POWERDOWN_WAIT: Duration = Duration::from_secs(90);
/// How long a KVM start is watched before it counts as working (QEMU can abort right after
/// it daemonized).
const KVM_PROBE: Duration = Duration::from_secs(3);
/// How long a directly booted kernel may stay silent on the serial console under KVM.
const KVM_CONSOLE_PROBE: Duration = Duration::from_secs(10);
/// How long a KVM boot may take to reach SSH before TCG is tried instead.
const KVM_SSH: Duration = Duration::from_secs(120);

/// The least memory a QEMU VM gets: `-m` and the shared memory backend take whole MiB
/// (`memory_mib` rounds up) and QEMU 7.2 refuses a memory backend of size 0. Config
/// validation refuses less (handed to it by `backend::minimums`).
pub const MIN_RAM_BYTES: u64 = 1024 * 1024;
/// QEMU itself has no smallest disk: `qemu-img create` takes any size (0 too) and
/// `create` raises a disk smaller than its base image to the
/// image's size.
pub const MIN_DISK_BYTES: u64 = 0;

/// Drives QEMU for agsekit's VMs.
pub struct Qemu<R> {
    runner: R,
    home: Home,
    /// agsekit's SSH key pair (`id_rsa`, `id_rsa.pub`).
    keys: PathBuf,
    /// What the user should hear about (a KVM fallback), until the CLI takes it.
    notices: std::sync::Mutex<Vec<VmNotice>>,
    /// The VMs whose `lock` this backend holds now (an operation calls others: a restart
    /// stops and starts, an exec may resume, and they must not lock each other out).
    held: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// The per-VM lock while one operation changes the VM; released on drop. Only the outermost
/// operation of this process holds the file.
struct VmLock<'a> {
    _file: Option<crate::pidlock::PidLock>,
    held: &'a std::sync::Mutex<std::collections::HashSet<String>>,
    name: Option<String>,
}

impl Drop for VmLock<'_> {
    fn drop(&mut self) {
        if let (Some(name), Ok(mut held)) = (&self.name, self.held.lock()) {
            held.remove(name);
        }
    }
}

impl Qemu<RealRunner> {
    /// The backend for real use: state under the XDG data dir (or `AGSEKIT_QEMU_HOME`),
    /// agsekit's SSH keys in `ssh_keys_folder`.
    pub fn from_env(ssh_keys_folder: &Path) -> Qemu<RealRunner> {
        Qemu::new(RealRunner, Home::from_env(), ssh_keys_folder)
    }
}

fn spawn_err(err: SpawnError) -> VmError {
    VmError::Spawn {
        command: err.line.clone(),
        detail: err.to_string(),
    }
}

fn io_err(what: &Path, err: std::io::Error) -> VmError {
    VmError::Spawn {
        command: what.display().to_string(),
        detail: err.to_string(),
    }
}

/// The last lines of a log file, for error messages.
fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `~/x` as a path under `$HOME` (image paths come from the config as written).
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) if !home.is_empty() => Path::new(&home).join(rest),
        _ => path.to_path_buf(),
    }
}

/// A localhost port nobody listens on right now.
fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

fn port_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// How long a daemon beside QEMU (virtiofsd, passt) has to make its socket.
const SOCKET_WAIT: Duration = Duration::from_secs(10);

fn kill_pidfile(pidfile: &Path) {
    if let Some(pid) = state::live_pid(pidfile) {
        let pid = nix::unistd::Pid::from_raw(pid);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        for _ in 0..50 {
            if !state::alive(pid.as_raw()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
    }
    let _ = std::fs::remove_file(pidfile);
}

fn qmp_err(vm: &str, err: qmp::QmpError) -> VmError {
    match err {
        qmp::QmpError::Unreachable(_) => VmError::NotRunning {
            name: vm.to_string(),
        },
        other => VmError::SshFailed {
            detail: crate::t!("qemu.qmp_failed", vm = vm, detail = other),
        },
    }
}

impl<R: Runner> Qemu<R> {
    /// A backend with this runner, state folder and key folder (tests pass a fake runner and
    /// a temporary folder).
    pub fn new(runner: R, home: Home, ssh_keys_folder: &Path) -> Self {
        Qemu {
            runner,
            home,
            keys: ssh_keys_folder.to_path_buf(),
            notices: std::sync::Mutex::new(Vec::new()),
            held: std::sync::Mutex::new(std::collections::HashSet::new()),
        }
    }

    /// The runner, for tests that inspect what was run.
    pub fn runner(&self) -> &R {
        &self.runner
    }

    fn notice(&self, notice: VmNotice) {
        if let Ok(mut list) = self.notices.lock() {
            list.push(notice);
        }
    }

    /// Takes the VM's lock (`lock` in its folder) for one operation that changes it, without
    /// waiting: another agsekit process that holds it (a start that is booting, say) makes
    /// this fail with a message that names the VM and that process.
    fn lock(&self, dir: &VmDir, name: &str) -> Result<VmLock<'_>, VmError> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.contains(name) {
            return Ok(VmLock {
                _file: None,
                held: &self.held,
                name: None,
            });
        }
        match crate::pidlock::try_lock(&dir.lock()) {
            Ok(file) => {
                held.insert(name.to_string());
                Ok(VmLock {
                    _file: Some(file),
                    held: &self.held,
                    name: Some(name.to_string()),
                })
            }
            Err(crate::pidlock::PidLockError::Held { pid }) => Err(VmError::Backend {
                backend: "qemu",
                message: match pid {
                    Some(pid) => {
                        crate::text_key!("suspend.lock.held_pid", vm = name, pid = pid.to_string())
                    }
                    None => crate::text_key!("suspend.lock.held", vm = name),
                },
                hints: vec![crate::text_key!("suspend.lock.hint", vm = name)],
            }),
            Err(crate::pidlock::PidLockError::Io(e)) => Err(io_err(&dir.lock(), e)),
        }
    }

    /// The VM's folder.
    pub fn vm_dir(&self, name: &str) -> VmDir {
        self.home.vm(name)
    }

    fn load(&self, name: &str) -> Result<(VmDir, Settings), VmError> {
        if !state::valid_name(name) {
            return Err(VmError::InstanceMissing {
                name: name.to_string(),
            });
        }
        let dir = self.home.vm(name);
        if !dir.exists() {
            return Err(VmError::InstanceMissing {
                name: name.to_string(),
            });
        }
        let settings = dir.load().map_err(|e| VmError::BadOutput {
            command: dir.settings().display().to_string(),
            detail: e.to_string(),
        })?;
        Ok((dir, settings))
    }

    fn save(&self, dir: &VmDir, settings: &Settings) -> Result<(), VmError> {
        dir.save(settings).map_err(|e| io_err(&dir.settings(), e))
    }

    fn target(&self, dir: &VmDir, s: &Settings) -> ssh::Target {
        ssh::Target {
            port: s.ssh_port,
            user: GUEST_USER.to_string(),
            key: self.keys.join("id_rsa"),
            known_hosts: dir.known_hosts(),
            control: dir.ssh_control(),
        }
    }

    /// The VM's state from its pidfile and QMP.
    fn state_of(&self, dir: &VmDir) -> VmState {
        if dir.running_pid().is_none() {
            return VmState::Stopped;
        }
        match qmp::status(&dir.qmp()) {
            Ok(status) => match status.as_str() {
                "running" => VmState::Running,
                "paused" | "suspended" => VmState::Suspended,
                "inmigrate" | "prelaunch" => VmState::Starting,
                "shutdown" => VmState::Stopped,
                other => VmState::Unknown(other.to_string()),
            },
            Err(_) => VmState::Starting,
        }
    }

    /// Runs a captured command in the guest as the guest user (`sh` line already quoted).
    fn guest(
        &self,
        dir: &VmDir,
        s: &Settings,
        line: &OsStr,
    ) -> Result<crate::process::Output, VmError> {
        self.ensure_socket_dirs(dir);
        let cmd = self
            .target(dir, s)
            .ssh(false, Some(line))
            .stdin_bytes(Vec::new());
        self.runner.capture(&cmd).map_err(spawn_err)
    }

    fn ensure_socket_dirs(&self, dir: &VmDir) {
        for sock in [dir.qmp(), dir.ssh_control()] {
            if let Some(parent) = sock.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
        }
    }

    /// agsekit's public key, generated with `ssh-keygen` when the pair is missing.
    fn public_key(&self) -> Result<String, VmError> {
        let private = self.keys.join("id_rsa");
        let public = self.keys.join("id_rsa.pub");
        if !private.is_file() {
            std::fs::create_dir_all(&self.keys).map_err(|e| io_err(&self.keys, e))?;
            let cmd = Cmd::new("ssh-keygen")
                .args([
                    "-q", "-t", "rsa", "-b", "4096", "-N", "", "-C", "agsekit", "-f",
                ])
                .arg(&private);
            let out = self.runner.capture(&cmd).map_err(spawn_err)?;
            if !out.success() {
                return Err(VmError::Failed {
                    command: cmd.to_string(),
                    code: out.code,
                    stderr: out.stderr_text(),
                });
            }
        }
        if let Ok(text) = std::fs::read_to_string(&public) {
            return Ok(text);
        }
        // Only the private half is there: derive the public key from it.
        let cmd = Cmd::new("ssh-keygen").arg("-y").arg("-f").arg(&private);
        let out = self.runner.capture(&cmd).map_err(spawn_err)?;
        if !out.success() {
            return Err(VmError::Failed {
                command: cmd.to_string(),
                code: out.code,
                stderr: out.stderr_text(),
            });
        }
        Ok(out.stdout_text())
    }

    fn resolve_image(&self, spec: Option<&ImageSpec>) -> Result<Boot, VmError> {
        let exists = |p: &Path, image: &str| -> Result<PathBuf, VmError> {
            std::fs::canonicalize(p).map_err(|_| VmError::ImageNotFound {
                image: image.to_string(),
            })
        };
        let (base, image, kernel, initrd, cmdline) = match spec {
            None => {
                let url = image::default_url();
                let path = image::fetch(&self.runner, &self.home.images, &url)?;
                (path, url, None, None, None)
            }
            Some(ImageSpec::Named(name)) if image::is_url(name) => {
                let path = image::fetch(&self.runner, &self.home.images, name)?;
                (path, name.clone(), None, None, None)
            }
            Some(ImageSpec::Named(name)) => {
                let path = exists(&expand_home(Path::new(name)), name)?;
                (path, name.clone(), None, None, None)
            }
            Some(ImageSpec::Kernel {
                disk,
                kernel,
                initrd,
                cmdline,
            }) => {
                let shown = |p: &Path| p.display().to_string();
                let base = exists(&expand_home(disk), &shown(disk))?;
                let kernel = exists(&expand_home(kernel), &shown(kernel))?;
                let initrd = match initrd {
                    Some(i) => Some(exists(&expand_home(i), &shown(i))?),
                    None => None,
                };
                (base, shown(disk), Some(kernel), initrd, cmdline.clone())
            }
        };
        let info = image::info(&self.runner, &base)?;
        Ok(Boot {
            base,
            base_format: info.format,
            image,
            kernel,
            initrd,
            cmdline,
        })
    }

    /// Starts QEMU (and the virtiofsd of every recorded mount), trying the accelerators in
    /// order, and records the one that worked.
    fn launch(&self, dir: &VmDir, s: &mut Settings) -> Result<(), VmError> {
        self.ensure_socket_dirs(dir);
        if !port_free(s.ssh_port) {
            s.ssh_port = free_port().map_err(|e| io_err(&dir.dir, e))?;
        }
        let forced = std::env::var("AGSEKIT_QEMU_ACCEL").ok();
        let order = launch::accel_order(
            forced.as_deref().filter(|v| !v.is_empty()),
            (s.accel == "tcg" && s.accel_note.is_some()) || self.home.kvm_note().is_some(),
            launch::kvm_openable(),
        );
        let net = self.network();
        let mut last_error = None;
        for (i, accel) in order.iter().enumerate() {
            let _ = std::fs::remove_file(dir.pidfile());
            let _ = std::fs::remove_file(dir.qmp());
            self.start_virtiofsds(dir, s)?;
            if let net::Net::Passt(program) = &net {
                self.start_passt(dir, s, program)?;
            }
            let cmd = Cmd::new(launch::system_program())
                .args(launch::args(dir, s, accel, &net))
                .stdin_bytes(Vec::new());
            let out = self.runner.capture(&cmd).map_err(spawn_err)?;
            let failure = if !out.success() {
                Some(format!(
                    "{} {}",
                    out.stderr_text().trim(),
                    tail(&dir.serial_log(), 5)
                ))
            } else if *accel == "kvm" && !self.survives(dir, KVM_PROBE) {
                Some(tail(&dir.serial_log(), 5))
            } else if *accel == "kvm" && order.len() > 1 && !self.console_speaks(dir, s) {
                Some(crate::t!("qemu.kvm_silent"))
            } else {
                None
            };
            let Some(detail) = failure else {
                s.accel = accel.to_string();
                if *accel == "kvm" {
                    s.accel_note = None;
                }
                self.save(dir, s)?;
                return Ok(());
            };
            self.stop_virtiofsds(dir, s);
            self.stop_passt(dir);
            kill_pidfile(&dir.pidfile());
            if i + 1 < order.len() {
                self.notice(VmNotice::AccelFallback {
                    detail: detail.trim().to_string(),
                });
                s.accel_note = Some(detail.trim().to_string());
                if *accel == "kvm" {
                    let note = match detail.trim() {
                        "" => crate::t!("qemu.kvm_exited"),
                        text => text.to_string(),
                    };
                    self.home.set_kvm_note(Some(&note));
                }
            }
            last_error = Some(VmError::Failed {
                command: cmd.to_string(),
                code: out.code,
                stderr: detail,
            });
        }
        Err(last_error.unwrap_or(VmError::NotRunning {
            name: s.name.clone(),
        }))
    }

    /// True when QEMU is still alive after `wait`.
    fn survives(&self, dir: &VmDir, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if dir.running_pid().is_none() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        dir.running_pid().is_some()
    }

    /// For a kernel booted directly with its console on the serial port: true when the
    /// serial log shows output within [`KVM_CONSOLE_PROBE`]. On some hosts QEMU starts with
    /// KVM and the guest then never runs; a silent console tells that early. Other boots
    /// (firmware, then the disk's boot loader) say nothing reliable there and count as
    /// speaking.
    fn console_speaks(&self, dir: &VmDir, s: &Settings) -> bool {
        let cmdline = s.boot.cmdline.as_deref().unwrap_or(launch::DEFAULT_CMDLINE);
        let words: Vec<&str> = cmdline.split_whitespace().collect();
        // A `quiet` kernel may print nothing for a long while: leave it to the SSH deadline.
        let direct = s.boot.kernel.is_some()
            && words.contains(&"console=ttyS0")
            && !words.contains(&"quiet");
        if !direct {
            return true;
        }
        let deadline = Instant::now() + KVM_CONSOLE_PROBE;
        while Instant::now() < deadline {
            if std::fs::metadata(dir.serial_log()).is_ok_and(|m| m.len() > 0) {
                return true;
            }
            if dir.running_pid().is_none() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        false
    }

    /// Waits until `ssh true` works, QEMU dies or the deadline passes.
    fn wait_ssh(&self, dir: &VmDir, s: &Settings, deadline: Instant) -> Result<(), VmError> {
        loop {
            if dir.running_pid().is_none() {
                return Err(VmError::Failed {
                    command: launch::system_program(),
                    code: 1,
                    stderr: crate::t!(
                        "qemu.died",
                        vm = s.name,
                        log = dir.serial_log().display(),
                        tail = tail(&dir.serial_log(), 15)
                    ),
                });
            }
            if let Ok(out) = self.guest(dir, s, OsStr::new("true")) {
                if out.success() {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(VmError::Timeout {
                    what: crate::t!(
                        "qemu.wait_ssh",
                        log = dir.serial_log().display(),
                        tail = tail(&dir.serial_log(), 15)
                    ),
                });
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    }

    /// Boots a stopped VM and waits for SSH and its mounts.
    /// A KVM boot that does not reach SSH within [`KVM_SSH`] (KVM boots take seconds) is
    /// taken as a KVM that does not work here: QEMU is stopped and started again with TCG,
    /// and the failure is recorded so later starts go straight to TCG.
    fn boot(&self, dir: &VmDir, s: &mut Settings, wait: Duration) -> Result<(), VmError> {
        let deadline = Instant::now() + wait;
        self.launch(dir, s)?;
        let forced = std::env::var("AGSEKIT_QEMU_ACCEL").is_ok_and(|v| !v.trim().is_empty());
        if s.accel == "kvm" && !forced {
            let kvm_deadline = deadline.min(Instant::now() + KVM_SSH);
            if self.wait_ssh(dir, s, kvm_deadline).is_err() {
                let note = crate::t!("qemu.kvm_no_ssh", secs = KVM_SSH.as_secs());
                self.notice(VmNotice::AccelFallback {
                    detail: note.clone(),
                });
                let _ = qmp::call(&dir.qmp(), "quit", None);
                if !self.wait_exit(dir, Duration::from_secs(10)) {
                    kill_pidfile(&dir.pidfile());
                }
                self.clean_runtime(dir, s);
                s.accel = "tcg".into();
                self.home.set_kvm_note(Some(&note));
                s.accel_note = Some(note);
                self.save(dir, s)?;
                self.launch(dir, s)?;
            }
        }
        self.wait_ssh(dir, s, deadline)?;
        self.mount_in_guest_all(dir, s)
    }

    /// The network the next start gives the VM: passt when this host has it and QEMU can
    /// reach it, else QEMU's user-mode network ([`net`] says what that one lets the guest
    /// reach; `doctor` warns about it).
    fn network(&self) -> net::Net {
        let help = || {
            self.runner
                .capture(
                    &Cmd::new(launch::system_program())
                        .args(["-netdev", "help"])
                        .stdin_bytes(Vec::new()),
                )
                .map(|o| o.stdout_text())
                .unwrap_or_default()
        };
        match net::find_passt() {
            None => net::Net::User,
            Some(p) => net::choose(Some(p), &help()).unwrap_or(net::Net::User),
        }
    }

    /// Starts passt for the VM's network and waits for its socket.
    fn start_passt(&self, dir: &VmDir, s: &Settings, program: &Path) -> Result<(), VmError> {
        let socket = dir.passt_socket();
        self.stop_passt(dir);
        let log = dir.passt_log();
        let fail = |detail: String| VmError::Backend {
            backend: "qemu",
            message: crate::text_key!("qemu.passt_failed", vm = &s.name, detail = detail.trim()),
            hints: vec![crate::text_key!(
                "qemu.passt_failed_hint",
                log = shell_words::quote(&log.to_string_lossy())
            )],
        };
        // passt refuses to keep root's rights: started by root it becomes `nobody`, which
        // must be able to create its socket. Its folder is made for it alone.
        let runas = if nix::unistd::getuid().is_root() {
            let nobody = nix::unistd::User::from_name("nobody")
                .ok()
                .flatten()
                .map(|u| (u.uid, u.gid))
                .unwrap_or((
                    nix::unistd::Uid::from_raw(65534),
                    nix::unistd::Gid::from_raw(65534),
                ));
            Some(nobody)
        } else {
            None
        };
        if let Some(parent) = socket.parent() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
            std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| fail(e.to_string()))?;
            if let Some((uid, gid)) = runas {
                nix::unistd::chown(parent, Some(uid), Some(gid))
                    .map_err(|e| fail(e.to_string()))?;
            }
        }
        let mut cmd = Cmd::new("setsid").arg(program).args(net::passt_args(
            &socket,
            s.ssh_port,
            &net::guest_dns(
                &std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default(),
                std::fs::read_to_string(net::RESOLVED_UPSTREAM)
                    .ok()
                    .as_deref(),
            ),
        ));
        if let Some((uid, gid)) = runas {
            cmd = cmd.arg("--runas").arg(format!("{uid}:{gid}"));
        }
        self.spawn_daemon(cmd, &log, &dir.passt_pidfile(), &socket, SOCKET_WAIT)
            .map_err(fail)
    }

    /// Starts a daemon beside QEMU (virtiofsd, passt) in its own session with its output
    /// appended to `log`, records its pid in `pidfile` and waits up to `wait` for `socket`.
    /// A daemon that exits, or runs without making its socket in time, is an error with the
    /// end of its log; one still running is stopped (SIGTERM, then SIGKILL) and its pidfile
    /// removed, so a failed start leaves no process behind.
    fn spawn_daemon(
        &self,
        cmd: Cmd,
        log: &Path,
        pidfile: &Path,
        socket: &Path,
        wait: Duration,
    ) -> Result<(), String> {
        let cmd = cmd.stdin_bytes(Vec::new());
        let mut child = self
            .runner
            .spawn(
                &cmd,
                SpawnIo {
                    stdout: crate::process::Sink::Append(log.to_path_buf()),
                    stderr: crate::process::Sink::Append(log.to_path_buf()),
                },
            )
            .map_err(|e| e.to_string())?;
        let Some(pid) = child.id() else {
            // A fake runner: nothing really started.
            return Ok(());
        };
        if let Err(e) = std::fs::write(pidfile, format!("{pid}\n")) {
            let _ = child.terminate(Duration::from_secs(5));
            return Err(e.to_string());
        }
        let deadline = Instant::now() + wait;
        while !socket.exists() {
            let exited = matches!(child.try_wait(), Ok(Some(_)));
            if exited || Instant::now() > deadline {
                let _ = std::fs::remove_file(pidfile);
                if exited {
                    return Err(tail(log, 5));
                }
                let _ = child.terminate(Duration::from_secs(5));
                // `setsid PROGRAM ...`: the daemon's name.
                let program = cmd
                    .get_args()
                    .first()
                    .and_then(|p| Path::new(p).file_name())
                    .unwrap_or(cmd.get_program())
                    .to_string_lossy()
                    .into_owned();
                return Err(crate::t!(
                    "qemu.no_socket",
                    program = program,
                    secs = wait.as_secs_f64(),
                    tail = tail(log, 5)
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    fn stop_passt(&self, dir: &VmDir) {
        kill_pidfile(&dir.passt_pidfile());
        let _ = std::fs::remove_file(dir.passt_socket());
    }

    fn virtiofsd(&self) -> Result<(PathBuf, virtiofs::Flavor), String> {
        let program = virtiofs::find().ok_or_else(|| crate::t!("qemu.no_virtiofsd"))?;
        let help = self
            .runner
            .capture(&Cmd::new(&program).arg("--help"))
            .map(|o| format!("{}{}", o.stdout_text(), o.stderr_text()))
            .unwrap_or_default();
        Ok((program, virtiofs::flavor_of(&help)))
    }

    /// Starts the virtiofsd of one mount and waits for its socket.
    fn start_virtiofsd(&self, dir: &VmDir, m: &Mount) -> Result<(), VmError> {
        let fail = |reason: String| VmError::MountFailed {
            target: m.target.clone(),
            reason,
        };
        let (program, flavor) = self.virtiofsd().map_err(fail)?;
        let socket = dir.virtiofsd_socket(&m.tag);
        if let Some(parent) = socket.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        kill_pidfile(&dir.virtiofsd_pidfile(&m.tag));
        let _ = std::fs::remove_file(&socket);
        let root = nix::unistd::getuid().is_root();
        let cmd = Cmd::new("setsid")
            .arg(&program)
            .args(virtiofs::args(flavor, &socket, &m.source, root));
        let log = dir.virtiofsd_log(&m.tag);
        self.spawn_daemon(
            cmd,
            &log,
            &dir.virtiofsd_pidfile(&m.tag),
            &socket,
            SOCKET_WAIT,
        )
        .map_err(fail)
    }

    fn start_virtiofsds(&self, dir: &VmDir, s: &Settings) -> Result<(), VmError> {
        for m in &s.mounts {
            self.start_virtiofsd(dir, m)?;
        }
        Ok(())
    }

    fn stop_virtiofsds(&self, dir: &VmDir, s: &Settings) {
        for m in &s.mounts {
            kill_pidfile(&dir.virtiofsd_pidfile(&m.tag));
            let _ = std::fs::remove_file(dir.virtiofsd_socket(&m.tag));
        }
    }

    /// Mounts one share in the guest unless it is mounted already. The device may take a
    /// moment to appear after a hot-plug, so a failed mount is retried for a while.
    fn mount_in_guest(&self, dir: &VmDir, s: &Settings, m: &Mount) -> Result<(), VmError> {
        let target = OsStr::new(&m.target);
        let mut line = OsString::from("mountpoint -q ");
        line.push(ssh::quote(target));
        line.push(" || { ");
        line.push(ssh::sudo_line(&[
            OsStr::new("mkdir"),
            OsStr::new("-p"),
            target,
        ]));
        line.push(" && ");
        line.push(ssh::sudo_line(&[
            OsStr::new("mount"),
            OsStr::new("-t"),
            OsStr::new("virtiofs"),
            OsStr::new(&m.tag),
            target,
        ]));
        line.push("; }");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = self.guest(dir, s, &line)?;
            if out.success() {
                return Ok(());
            }
            if out.code == ssh::SSH_TRANSPORT || Instant::now() > deadline {
                return Err(VmError::MountFailed {
                    target: m.target.clone(),
                    reason: out.stderr_text().trim().to_string(),
                });
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    fn mount_in_guest_all(&self, dir: &VmDir, s: &Settings) -> Result<(), VmError> {
        for m in &s.mounts {
            self.mount_in_guest(dir, s, m)?;
        }
        Ok(())
    }

    /// Adds a share to a running VM: virtiofsd, then the device through QMP, then the mount.
    fn hotplug(&self, dir: &VmDir, s: &Settings, m: &Mount) -> Result<(), VmError> {
        let fail = |reason: String| VmError::MountFailed {
            target: m.target.clone(),
            reason,
        };
        self.start_virtiofsd(dir, m)?;
        let socket = dir.virtiofsd_socket(&m.tag);
        let attach = || -> Result<(), qmp::QmpError> {
            let mut q = qmp::Qmp::connect(&dir.qmp())?;
            q.execute(
                "chardev-add",
                Some(json!({
                    "id": format!("char-{}", m.tag),
                    "backend": {"type": "socket", "data": {
                        "addr": {"type": "unix", "data": {"path": socket.to_string_lossy()}},
                        "server": false
                    }}
                })),
            )?;
            q.execute(
                "device_add",
                Some(json!({
                    "driver": "vhost-user-fs-pci",
                    "id": format!("fs-{}", m.tag),
                    "chardev": format!("char-{}", m.tag),
                    "tag": m.tag,
                })),
            )?;
            Ok(())
        };
        if let Err(e) = attach() {
            self.detach(dir, m);
            return Err(fail(e.to_string()));
        }
        if let Err(e) = self.mount_in_guest(dir, s, m) {
            self.detach(dir, m);
            return Err(e);
        }
        Ok(())
    }

    /// Removes a share's device and chardev from a running VM and stops its virtiofsd.
    fn detach(&self, dir: &VmDir, m: &Mount) {
        let device = format!("fs-{}", m.tag);
        let chardev = format!("char-{}", m.tag);
        let _ = qmp::call(&dir.qmp(), "device_del", Some(json!({ "id": device })));
        // The guest acknowledges the unplug in its own time; the chardev can go after.
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            match qmp::call(&dir.qmp(), "chardev-remove", Some(json!({ "id": chardev }))) {
                Ok(_) => break,
                Err(qmp::QmpError::Command(text)) if text.contains("not found") => break,
                Err(qmp::QmpError::Command(_)) => std::thread::sleep(Duration::from_millis(300)),
                Err(_) => break,
            }
        }
        kill_pidfile(&dir.virtiofsd_pidfile(&m.tag));
        let _ = std::fs::remove_file(dir.virtiofsd_socket(&m.tag));
    }

    /// Sets the guest clock from the host's (after a resume the guest's clock lags).
    fn sync_clock(&self, dir: &VmDir, s: &Settings) -> Result<(), VmError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let at = format!("@{now}");
        let line = ssh::sudo_line(&["date", "-s", at.as_str()]);
        let out = self.guest(dir, s, &line)?;
        if out.code == ssh::SSH_TRANSPORT {
            return Err(VmError::SshFailed {
                detail: out.stderr_text(),
            });
        }
        Ok(())
    }

    /// Cleans up after QEMU has exited: virtiofsd, sockets, the pidfile.
    fn clean_runtime(&self, dir: &VmDir, s: &Settings) {
        self.stop_virtiofsds(dir, s);
        self.stop_passt(dir);
        let _ = std::fs::remove_file(dir.pidfile());
        let _ = std::fs::remove_file(dir.qmp());
        let _ = std::fs::remove_file(dir.ssh_control());
    }

    fn wait_exit(&self, dir: &VmDir, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if dir.running_pid().is_none() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        dir.running_pid().is_none()
    }

    fn exec_cmd(&self, spec: &ExecSpec) -> Result<(Cmd, VmDir, Settings), VmError> {
        if spec.argv.is_empty() {
            return Err(VmError::BadInvocation {
                detail: crate::t!("misc.vm.no_command", vm = spec.vm),
            });
        }
        let (dir, s) = self.load(&spec.vm)?;
        self.ensure_socket_dirs(&dir);
        // A suspended VM is resumed first, as `multipass exec` does (a paused guest would
        // leave ssh hanging until its timeout). Only a live QEMU is asked over QMP.
        if dir.running_pid().is_some() && self.state_of(&dir) == VmState::Suspended {
            self.start(&spec.vm)?;
        }
        let line = ssh::remote_line(&spec.workdir, &spec.argv);
        let tty = spec.stdin == ExecStdin::Inherit
            && spec.output == ExecOutput::Inherit
            && nix::unistd::isatty(0).unwrap_or(false);
        let mut cmd = self.target(&dir, &s).ssh(tty, Some(&line));
        cmd = match &spec.stdin {
            ExecStdin::Null => cmd.stdin_bytes(Vec::new()),
            ExecStdin::Inherit => cmd.stdin_inherit(),
            ExecStdin::Bytes(bytes) => cmd.stdin_bytes(bytes.clone()),
        };
        Ok((cmd, dir, s))
    }

    /// Maps ssh's transport code and the working-folder sentinel to errors.
    fn check_exit(
        &self,
        spec: &ExecSpec,
        dir: &VmDir,
        s: &Settings,
        code: i32,
        stderr: &str,
    ) -> Result<(), VmError> {
        if code == ssh::SSH_TRANSPORT {
            if !self.state_of(dir).is_running() {
                return Err(VmError::NotRunning {
                    name: spec.vm.clone(),
                });
            }
            return Err(VmError::SshFailed {
                detail: stderr.trim().to_string(),
            });
        }
        if code == ssh::WORKDIR_SENTINEL {
            let mut line = OsString::from("test -d ");
            line.push(ssh::quote(OsStr::new(&spec.workdir)));
            if let Ok(out) = self.guest(dir, s, &line) {
                if out.code == 1 {
                    return Err(VmError::WorkdirMissing {
                        vm: spec.vm.clone(),
                        dir: spec.workdir.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    fn require_running(&self, name: &str) -> Result<(VmDir, Settings), VmError> {
        let (dir, s) = self.load(name)?;
        if !self.state_of(&dir).is_running() {
            return Err(VmError::NotRunning {
                name: name.to_string(),
            });
        }
        Ok((dir, s))
    }

    fn create_in(&self, dir: &VmDir, spec: &LaunchSpec) -> Result<(), VmError> {
        let invalid = |detail: String| VmError::InvalidLaunch { detail };
        let memory = state::parse_size(&spec.memory).ok_or_else(|| {
            invalid(crate::t!(
                "qemu.bad_size",
                key = "memory",
                value = spec.memory
            ))
        })?;
        let disk = state::parse_size(&spec.disk)
            .ok_or_else(|| invalid(crate::t!("qemu.bad_size", key = "disk", value = spec.disk)))?;
        let boot = self.resolve_image(spec.image.as_ref())?;
        let base = image::info(&self.runner, &boot.base)?;
        let disk_bytes = disk.max(base.virtual_size);
        let create = Cmd::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2", "-F", &boot.base_format, "-b"])
            .arg(&boot.base)
            .arg(dir.disk())
            .arg(disk_bytes.to_string());
        let out = self.runner.capture(&create).map_err(spawn_err)?;
        if !out.success() {
            return Err(VmError::Failed {
                command: create.to_string(),
                code: out.code,
                stderr: out.stderr_text(),
            });
        }
        let key = self.public_key()?;
        let (uid, gid) = seed::guest_ids(
            nix::unistd::getuid().as_raw(),
            nix::unistd::getgid().as_raw(),
        );
        let seed_spec = seed::SeedSpec {
            hostname: &spec.name,
            uid,
            gid,
            public_key: &key,
            extra: spec.cloud_init.as_deref(),
        };
        let seed =
            seed::image(&seed_spec).ok_or_else(|| invalid(crate::t!("qemu.seed_too_large")))?;
        std::fs::write(dir.seed(), seed).map_err(|e| io_err(&dir.seed(), e))?;
        let mut s = Settings {
            name: spec.name.clone(),
            cpus: spec.cpus.max(1),
            memory_mib: memory.div_ceil(1 << 20),
            disk_bytes,
            boot,
            ssh_port: free_port().map_err(|e| io_err(&dir.dir, e))?,
            guest_uid: uid,
            guest_gid: gid,
            mounts: Vec::new(),
            accel: String::new(),
            accel_note: None,
        };
        self.save(dir, &s)?;
        let wait = spec
            .timeout_secs
            .map(|t| Duration::from_secs(t.into()))
            .unwrap_or(CREATE_TIMEOUT);
        let deadline = Instant::now() + wait;
        self.boot(dir, &mut s, wait)?;
        // Wait for the rest of cloud-init (the caller's packages and commands); its own
        // verdict is not ours to judge, only its end.
        let remaining = deadline
            .saturating_duration_since(Instant::now())
            .as_secs()
            .max(1);
        let line = format!("timeout {remaining} cloud-init status --wait >/dev/null 2>&1; true");
        self.guest(dir, &s, OsStr::new(&line))?;
        Ok(())
    }
}

/// QEMU operations outside the backend contract (the trait dropped them: no caller in agsekit).
impl<R: Runner> Qemu<R> {
    /// Nothing to purge: deleting removes a QEMU VM at once. Not part of the backend contract.
    pub fn purge(&self) -> Result<(), VmError> {
        // Deleting removes a VM at once: there is never anything to purge.
        Ok(())
    }

    /// Replaces this process with the command in the VM. Not part of the backend contract
    /// (agsekit runs agents through `exec_spawn`); returns only if that could not be done.
    pub fn exec_replace(&self, spec: &ExecSpec) -> VmError {
        match self.exec_cmd(spec) {
            Ok((cmd, _, _)) => spawn_err(self.runner.exec(&cmd)),
            Err(e) => e,
        }
    }

    /// Copies files between the host and a VM. Not part of the backend contract: nothing in
    /// agsekit copies files this way today; the real-VM test checks it.
    pub fn transfer(&self, spec: &TransferSpec) -> Result<(), VmError> {
        let vm = match (&spec.from, &spec.to) {
            (TransferEnd::Host(_), TransferEnd::Vm { vm, .. }) => vm,
            (TransferEnd::Vm { vm, .. }, TransferEnd::Host(_)) => vm,
            _ => {
                return Err(VmError::TransferFailed {
                    detail: crate::t!("misc.vm.transfer_sides"),
                })
            }
        };
        let (dir, s) = self.require_running(vm)?;
        self.ensure_socket_dirs(&dir);
        let target = self.target(&dir, &s);
        let end = |e: &TransferEnd| -> OsString {
            match e {
                TransferEnd::Host(p) => p.clone().into_os_string(),
                TransferEnd::Vm { path, .. } => target.remote_path(path),
            }
        };
        if spec.parents {
            match &spec.to {
                TransferEnd::Vm { path, .. } => {
                    let parent = Path::new(path).parent().unwrap_or(Path::new(""));
                    if !parent.as_os_str().is_empty() {
                        let mut line = OsString::from("mkdir -p -- ");
                        line.push(ssh::quote(parent.as_os_str()));
                        self.guest(&dir, &s, &line)?;
                    }
                }
                TransferEnd::Host(p) => {
                    if let Some(parent) = p.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| VmError::TransferFailed {
                            detail: e.to_string(),
                        })?;
                    }
                }
            }
        }
        let cmd = target.scp(spec.recursive, &end(&spec.from), &end(&spec.to));
        let out = self.runner.capture(&cmd).map_err(spawn_err)?;
        if !out.success() {
            return Err(VmError::TransferFailed {
                detail: out.stderr_text().trim().to_string(),
            });
        }
        Ok(())
    }
}

/// One command that prints what `info` reports from inside a running guest: memory (total and
/// used, from `MemAvailable`), the root file system (size and used), the CPUs, the load and
/// the OS name. A fixed text: nothing from the caller goes into it.
const GUEST_FIGURES: &str = "LC_ALL=C; export LC_ALL; \
awk '/^MemTotal:/{t=$2} /^MemAvailable:/{a=$2} END{printf \"mem %d %d\\n\", t*1024, (t-a)*1024}' /proc/meminfo; \
df -P -B1 / | awk 'NR==2{print \"disk\", $2, $3}'; \
echo \"cpus $(nproc)\"; \
echo \"load $(cut -d' ' -f1-3 /proc/loadavg)\"; \
. /etc/os-release 2>/dev/null; echo \"release ${PRETTY_NAME:-}\"";

/// What [`GUEST_FIGURES`] printed; each part `None` when its line is missing or malformed.
#[derive(Debug, Default, PartialEq)]
struct GuestFigures {
    /// (total, used) bytes.
    memory: Option<(u64, u64)>,
    disk: Option<(u64, u64)>,
    cpus: Option<u32>,
    load: Vec<f64>,
    release: Option<String>,
}

impl GuestFigures {
    fn parse(text: &str) -> GuestFigures {
        let mut out = GuestFigures::default();
        let pair = |rest: &str| {
            let mut w = rest.split_whitespace().map(|v| v.parse::<u64>().ok());
            match (w.next().flatten(), w.next().flatten()) {
                (Some(a), Some(b)) if a > 0 => Some((a, b.min(a))),
                _ => None,
            }
        };
        for line in text.lines() {
            let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "mem" => out.memory = pair(rest),
                "disk" => out.disk = pair(rest),
                "cpus" => out.cpus = rest.trim().parse().ok().filter(|n| *n > 0),
                "load" => {
                    out.load = rest
                        .split_whitespace()
                        .filter_map(|v| v.parse().ok())
                        .collect()
                }
                "release" => out.release = Some(rest.trim().to_string()).filter(|r| !r.is_empty()),
                _ => {}
            }
        }
        out
    }
}

impl<R: Runner> VmBackend for Qemu<R> {
    fn name(&self) -> &'static str {
        "qemu"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            shares_any_path: true,
            can_suspend: true,
            mounts_on_stopped: true,
            host_owned_files: true,
        }
    }

    fn ssh_endpoint(&self, name: &str) -> Result<SshEndpoint, VmError> {
        let (_, s) = self.require_running(name)?;
        Ok(SshEndpoint {
            host: "127.0.0.1".to_string(),
            port: s.ssh_port,
            user: GUEST_USER.to_string(),
        })
    }

    fn suspend(&self, name: &str) -> Result<(), VmError> {
        let (dir, _) = self.require_running(name)?;
        let _lock = self.lock(&dir, name)?;
        qmp::call(&dir.qmp(), "stop", None).map_err(|e| qmp_err(name, e))?;
        Ok(())
    }

    fn list(&self) -> Result<Vec<VmSummary>, VmError> {
        Ok(self
            .home
            .names()
            .into_iter()
            .map(|name| {
                let state = self.state_of(&self.home.vm(&name));
                let ipv4 = if state.is_running() {
                    vec!["127.0.0.1".to_string()]
                } else {
                    Vec::new()
                };
                VmSummary {
                    name,
                    state,
                    ipv4,
                    release: None,
                }
            })
            .collect())
    }

    fn info(&self, name: &str) -> Result<VmInfo, VmError> {
        let (dir, s) = self.load(name)?;
        let state = self.state_of(&dir);
        // What the guest itself reports, when it runs (one command on the control
        // connection); otherwise the configured sizes and the overlay's size on the host.
        let guest = if state.is_running() {
            self.guest(&dir, &s, OsStr::new(GUEST_FIGURES))
                .ok()
                .filter(|o| o.success())
                .map(|o| GuestFigures::parse(&o.stdout_text()))
        } else {
            None
        }
        .unwrap_or_default();
        let used = guest.disk.map(|d| d.1).or_else(|| {
            image::info(&self.runner, &dir.disk())
                .ok()
                .and_then(|i| i.actual_size)
        });
        let mut mounts: Vec<VmMount> = s
            .mounts
            .iter()
            .map(|m| VmMount {
                target: m.target.clone(),
                source: m.source.clone(),
            })
            .collect();
        mounts.sort_by(|a, b| a.target.cmp(&b.target));
        Ok(VmInfo {
            name: s.name.clone(),
            ipv4: if state.is_running() {
                vec!["127.0.0.1".to_string()]
            } else {
                Vec::new()
            },
            state,
            cpu_count: Some(guest.cpus.unwrap_or(s.cpus)),
            memory: Some(Usage {
                used: guest.memory.map(|m| m.1),
                total: Some(guest.memory.map_or(s.memory_mib << 20, |m| m.0)),
            }),
            disk: Some(Usage {
                used,
                total: Some(guest.disk.map_or(s.disk_bytes, |d| d.0)),
            }),
            load: guest.load,
            release: guest.release,
            image_release: Some(s.boot.image.clone()),
            image_hash: None,
            snapshot_count: None,
            mounts,
        })
    }

    /// From the VM folder and QMP only (no command in the guest).
    fn state(&self, name: &str) -> Result<VmState, VmError> {
        let (dir, _) = self.load(name)?;
        Ok(self.state_of(&dir))
    }

    fn info_all(&self) -> Result<Vec<VmInfo>, VmError> {
        self.home.names().iter().map(|n| self.info(n)).collect()
    }

    fn create(&self, spec: &LaunchSpec) -> Result<(), VmError> {
        if !state::valid_name(&spec.name) {
            return Err(VmError::InvalidLaunch {
                detail: crate::t!("qemu.bad_name", name = spec.name),
            });
        }
        let dir = self.home.vm(&spec.name);
        if dir.dir.exists() {
            return Err(VmError::AlreadyExists {
                name: spec.name.clone(),
            });
        }
        std::fs::create_dir_all(&dir.dir).map_err(|e| io_err(&dir.dir, e))?;
        // A second create of the same name racing this one finds the lock held and leaves
        // the folder to it.
        let _lock = self.lock(&dir, &spec.name)?;
        let result = self.create_in(&dir, spec);
        if result.is_err() {
            // Nothing half-made stays behind: QEMU, virtiofsd and the folder go.
            if let Ok(s) = dir.load() {
                let _ = self.runner.capture(&self.target(&dir, &s).close_master());
                self.stop_virtiofsds(&dir, &s);
            }
            self.stop_passt(&dir);
            kill_pidfile(&dir.pidfile());
            let _ = std::fs::remove_dir_all(&dir.dir);
            for sock in [dir.ssh_control(), dir.passt_socket()] {
                if let Some(parent) = sock.parent().filter(|p| !p.starts_with(&dir.dir)) {
                    let _ = std::fs::remove_dir_all(parent);
                }
            }
        }
        result
    }

    fn start(&self, name: &str) -> Result<(), VmError> {
        let (dir, _) = self.load(name)?;
        let _lock = self.lock(&dir, name)?;
        let (dir, mut s) = self.load(name)?;
        match self.state_of(&dir) {
            VmState::Running => Ok(()),
            VmState::Suspended => {
                qmp::call(&dir.qmp(), "cont", None).map_err(|e| qmp_err(name, e))?;
                self.sync_clock(&dir, &s)?;
                // Mounts recorded while it was suspended are attached now.
                for m in &s.mounts {
                    if state::live_pid(&dir.virtiofsd_pidfile(&m.tag)).is_none() {
                        self.hotplug(&dir, &s, m)?;
                    }
                }
                Ok(())
            }
            _ => {
                kill_pidfile(&dir.pidfile());
                self.clean_runtime(&dir, &s);
                self.boot(&dir, &mut s, START_TIMEOUT)
            }
        }
    }

    fn stop(&self, name: &str, mode: StopMode) -> Result<(), VmError> {
        let (dir, s) = self.load(name)?;
        let _lock = self.lock(&dir, name)?;
        if dir.running_pid().is_some() {
            let _ = self.runner.capture(&self.target(&dir, &s).close_master());
            let qmp_sock = dir.qmp();
            let graceful = mode == StopMode::Graceful && {
                if self.state_of(&dir) == VmState::Suspended {
                    let _ = qmp::call(&qmp_sock, "cont", None);
                }
                qmp::call(&qmp_sock, "system_powerdown", None).is_ok()
                    && self.wait_exit(&dir, POWERDOWN_WAIT)
            };
            if !graceful {
                let _ = qmp::call(&qmp_sock, "quit", None);
                if !self.wait_exit(&dir, Duration::from_secs(10)) {
                    kill_pidfile(&dir.pidfile());
                }
            }
        }
        self.clean_runtime(&dir, &s);
        Ok(())
    }

    fn restart(&self, name: &str) -> Result<(), VmError> {
        let (dir, _) = self.require_running(name)?;
        let _lock = self.lock(&dir, name)?;
        self.stop(name, StopMode::Graceful)?;
        self.start(name)
    }

    fn delete(&self, name: &str, _purge: bool) -> Result<(), VmError> {
        let (dir, _) = self.load(name)?;
        let _lock = self.lock(&dir, name)?;
        self.stop(name, StopMode::Force)?;
        std::fs::remove_dir_all(&dir.dir).map_err(|e| io_err(&dir.dir, e))?;
        // Sockets whose paths were too long live in folders of their own outside it.
        for sock in [dir.ssh_control(), dir.passt_socket()] {
            if let Some(parent) = sock.parent().filter(|p| !p.starts_with(&dir.dir)) {
                let _ = std::fs::remove_dir_all(parent);
            }
        }
        Ok(())
    }

    fn mount(&self, source: &Path, vm: &str, target: &str) -> Result<(), VmError> {
        let (dir, _) = self.load(vm)?;
        let _lock = self.lock(&dir, vm)?;
        let (dir, mut s) = self.load(vm)?;
        let source = std::fs::canonicalize(source).map_err(|_| VmError::SourceMissing {
            path: source.to_path_buf(),
        })?;
        if !source.is_dir() {
            return Err(VmError::SourceNotDirectory { path: source });
        }
        if s.mounts.iter().any(|m| m.target == target) {
            return Err(VmError::AlreadyMounted {
                vm: vm.to_string(),
                target: target.to_string(),
            });
        }
        let m = Mount {
            tag: s.free_tag(),
            source,
            target: target.to_string(),
        };
        if self.state_of(&dir).is_running() {
            self.hotplug(&dir, &s, &m)?;
        }
        s.mounts.push(m);
        self.save(&dir, &s)
    }

    fn umount(&self, vm: &str, target: Option<&str>) -> Result<(), VmError> {
        let (dir, _) = self.load(vm)?;
        let _lock = self.lock(&dir, vm)?;
        let (dir, mut s) = self.load(vm)?;
        let chosen: Vec<Mount> = s
            .mounts
            .iter()
            .filter(|m| target.is_none_or(|t| m.target == t))
            .cloned()
            .collect();
        if let (Some(t), true) = (target, chosen.is_empty()) {
            return Err(VmError::NotMounted {
                vm: vm.to_string(),
                target: t.to_string(),
            });
        }
        let state = self.state_of(&dir);
        if state == VmState::Suspended {
            // Its guest still has the share mounted: it must run to let go of it.
            return Err(VmError::NotRunning {
                name: vm.to_string(),
            });
        }
        let running = state.is_running();
        for m in &chosen {
            if running {
                let t = OsStr::new(&m.target);
                let mut line = OsString::from("! mountpoint -q ");
                line.push(ssh::quote(t));
                line.push(" || ");
                line.push(ssh::sudo_line(&[OsStr::new("umount"), t]));
                let out = self.guest(&dir, &s, &line)?;
                if !out.success() {
                    return Err(VmError::UmountFailed {
                        vm: vm.to_string(),
                        target: m.target.clone(),
                        reason: out.stderr_text().trim().to_string(),
                    });
                }
                self.detach(&dir, m);
            } else {
                kill_pidfile(&dir.virtiofsd_pidfile(&m.tag));
                let _ = std::fs::remove_file(dir.virtiofsd_socket(&m.tag));
            }
            s.mounts.retain(|x| x.tag != m.tag);
            self.save(&dir, &s)?;
        }
        Ok(())
    }

    fn exec(&self, spec: &ExecSpec) -> Result<ExecResult, VmError> {
        let (cmd, dir, s) = self.exec_cmd(spec)?;
        match spec.output {
            ExecOutput::Inherit => {
                let code = self.runner.inherit(&cmd).map_err(spawn_err)?;
                self.check_exit(spec, &dir, &s, code, "")?;
                Ok(ExecResult {
                    code,
                    ..ExecResult::default()
                })
            }
            ExecOutput::Capture => {
                let out = self.runner.capture(&cmd).map_err(spawn_err)?;
                self.check_exit(spec, &dir, &s, out.code, &out.stderr_text())?;
                Ok(ExecResult {
                    code: out.code,
                    stdout: out.stdout,
                    stderr: out.stderr,
                })
            }
        }
    }

    fn exec_spawn(&self, spec: &ExecSpec) -> Result<crate::process::Child, VmError> {
        let (cmd, _, _) = self.exec_cmd(spec)?;
        self.runner
            .spawn(&cmd, SpawnIo::default())
            .map_err(spawn_err)
    }

    fn shell(&self, name: &str) -> Result<i32, VmError> {
        let (dir, s) = self.require_running(name)?;
        self.ensure_socket_dirs(&dir);
        let tty = nix::unistd::isatty(0).unwrap_or(false);
        let cmd = self.target(&dir, &s).ssh(tty, None).stdin_inherit();
        let code = self.runner.inherit(&cmd).map_err(spawn_err)?;
        if code == ssh::SSH_TRANSPORT {
            return Err(VmError::SshFailed {
                detail: crate::t!("qemu.shell_failed", vm = name),
            });
        }
        Ok(code)
    }

    fn take_notices(&self) -> Vec<VmNotice> {
        self.notices
            .lock()
            .map(|mut list| std::mem::take(&mut *list))
            .unwrap_or_default()
    }

    fn version(&self) -> Result<BackendVersion, VmError> {
        let cmd = Cmd::new(launch::system_program()).arg("--version");
        let out = self.runner.capture(&cmd).map_err(spawn_err)?;
        let line = out
            .stdout_text()
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        if !out.success() || line.is_empty() {
            return Err(VmError::BadOutput {
                command: cmd.to_string(),
                detail: out.stderr_text(),
            });
        }
        Ok(BackendVersion {
            client: line,
            daemon: None,
        })
    }
}

#[cfg(test)]
mod tests;
