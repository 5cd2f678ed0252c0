//! Port forwarding: one `ssh -N` per VM carrying all of its `port-forwarding` rules, kept up
//! by a supervisor (`agsekit portforward`, or the daemon).
//!
//! - `local` → `-L HOST_ADDR:VM_ADDR` (the host listens), `remote` → `-R VM_ADDR:HOST_ADDR`
//!   (the VM listens), `socks5` → `-R VM_ADDR`: a SOCKS proxy listening in the VM whose
//!   connections leave through the host, as the config documents (1.7.4 passed `-D`, which
//!   opened the proxy on the host instead).
//! - ssh runs with the tool's key (`global.ssh_keys_folder/id_rsa`) as `ubuntu@<first IPv4>`,
//!   ignoring the user's ssh config (`-F none`), with `ExitOnForwardFailure`, keep-alives and
//!   agsekit's own known-hosts file (a VM's address can change between boots).
//! - A tunnel that dies is restarted with a backoff (1 s doubling to 60 s; reset once it stayed
//!   up 30 s). The config is re-read every `global.portforward_config_check_interval_sec`; a
//!   broken config keeps the old rules running.
//! - One supervisor at a time (`<state dir>/portforward.lock`); what it does is written to
//!   [`record`] for `status`. Nothing here prints: the caller gets [`Event`]s.

pub mod record;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::backup::Interrupt;
use crate::config::{Config, ForwardKind, VmConfig};
use crate::pidlock;
use crate::process::{Child, Cmd, Runner, Sink, SpawnIo};
use crate::vm::{SshEndpoint, VmBackend, GUEST_USER};
use crate::{t, ErrorKind, UserError};

/// The ssh client to run: `AGSEKIT_SSH` (a path or a name on PATH), else `ssh`.
pub const SSH_ENV: &str = "AGSEKIT_SSH";
const BACKOFF_MAX: Duration = Duration::from_secs(60);
const STABLE_AFTER: Duration = Duration::from_secs(30);

/// The ssh forwarding options of one VM, in rule order: `["-L", "a:b", "-R", "c:d"]`.
pub fn forward_args(vm: &VmConfig) -> Vec<String> {
    vm.port_forwarding
        .iter()
        .flat_map(|r| {
            let (flag, spec) = ssh_forward(r.kind, r.host_addr.as_deref(), &r.vm_addr);
            [flag, spec]
        })
        .collect()
}

/// Notes about privileged ports (below 1024) in a VM's rules: who may listen there.
pub fn privileged_notes(vm: &VmConfig, host_is_root: bool) -> Vec<String> {
    let port = |addr: &str| -> Option<u16> { addr.rsplit(':').next()?.parse().ok() };
    let mut notes = Vec::new();
    for rule in &vm.port_forwarding {
        match rule.kind {
            ForwardKind::Local => {
                if let Some(p) = rule.host_addr.as_deref().and_then(port) {
                    if p < 1024 && !host_is_root {
                        notes.push(t!(
                            "misc.pf.host_privileged",
                            port = p,
                            addr = rule.host_addr.as_deref().unwrap_or_default()
                        ));
                    }
                }
            }
            ForwardKind::Remote | ForwardKind::Socks5 => {
                if let Some(p) = port(&rule.vm_addr) {
                    if p < 1024 {
                        notes.push(t!("misc.pf.vm_privileged", port = p, user = GUEST_USER));
                    }
                }
            }
        }
    }
    notes
}

/// What the supervisor needs to know.
pub struct Options {
    pub config_path: PathBuf,
    /// `portforward` or `daemon` (written to the record).
    pub owner: String,
    /// Loads the config; called at start and on every re-read.
    pub load: fn(&Path) -> anyhow::Result<Config>,
}

/// What happens, for the caller to print or log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Started {
        vm: String,
        pid: Option<u32>,
        address: String,
        command: String,
    },
    Exited {
        vm: String,
        code: i32,
        error: Option<String>,
        retry_in: Duration,
    },
    NotReady {
        vm: String,
        reason: String,
        retry_in: Duration,
    },
    Note {
        vm: String,
        text: String,
    },
    Stopped {
        vm: String,
    },
    NothingToForward,
    /// Tunnels of a supervisor that was killed were stopped.
    OrphansStopped(usize),
    ConfigReloaded,
    ConfigError(String),
    ConfigRecovered,
}

struct Tunnel {
    vm: String,
    forwards: Vec<String>,
    child: Option<Child>,
    started: Option<Instant>,
    failures: u32,
    next_start: Instant,
    address: Option<String>,
    last_error: Option<String>,
}

impl Tunnel {
    fn new(vm: &str, forwards: Vec<String>) -> Tunnel {
        Tunnel {
            vm: vm.to_string(),
            forwards,
            child: None,
            started: None,
            failures: 0,
            next_start: Instant::now(),
            address: None,
            last_error: None,
        }
    }

    fn backoff(&mut self) -> Duration {
        let secs = 1u64 << self.failures.min(6);
        self.failures += 1;
        let wait = Duration::from_secs(secs).min(BACKOFF_MAX);
        self.next_start = Instant::now() + wait;
        wait
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.terminate(Duration::from_secs(5));
        }
    }

    /// `-L a:b -R c:d` pairs as single strings, for the record and status.
    fn forward_strings(&self) -> Vec<String> {
        self.forwards.chunks(2).map(|pair| pair.join(" ")).collect()
    }
}

pub(crate) fn ssh_program() -> String {
    std::env::var(SSH_ENV)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "ssh".to_string())
}

/// The ssh command of one tunnel.
pub fn ssh_command(keys_folder: &Path, endpoint: &SshEndpoint, forwards: &[String]) -> Cmd {
    Cmd::new(ssh_program())
        .args(["-F", "none", "-N", "-n", "-i"])
        .arg(keys_folder.join("id_rsa"))
        .args([
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "ExitOnForwardFailure=yes",
            "-o",
            "ServerAliveInterval=15",
            "-o",
            "ServerAliveCountMax=3",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
        ])
        .arg(format!(
            "UserKnownHostsFile={}",
            keys_folder.join("known_hosts").display()
        ))
        .args(endpoint.port_args())
        .args(forwards)
        .arg(endpoint.destination())
}

/// `ssh ... [-p PORT] USER@HOST true` with the tool's key and nothing else: does the VM accept
/// the key? (`doctor`). Gives up after 5 s.
pub fn ssh_probe_command(keys_folder: &Path, endpoint: &SshEndpoint) -> Cmd {
    Cmd::new(ssh_program())
        .args(["-F", "none", "-n", "-i"])
        .arg(keys_folder.join("id_rsa"))
        .args([
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=5",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
        ])
        .arg(format!(
            "UserKnownHostsFile={}",
            keys_folder.join("known_hosts").display()
        ))
        .args(endpoint.port_args())
        .arg(endpoint.destination())
        .arg("true")
}

fn log_path(vm: &str) -> PathBuf {
    crate::config::state_dir().join(format!("portforward-{vm}.log"))
}

/// The last non-empty line ssh wrote, as the reason it stopped.
fn last_line(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

fn desired(config: &Config) -> BTreeMap<String, Vec<String>> {
    config
        .vms
        .values()
        .filter(|vm| !vm.port_forwarding.is_empty())
        .map(|vm| (vm.name.clone(), forward_args(vm)))
        .collect()
}

/// Who runs the tunnels (`daemon` or `portforward`, as the record says), for people.
pub fn owner_label(owner: &str) -> String {
    match owner {
        "daemon" => t!("misc.owner.daemon"),
        "portforward" => t!("misc.owner.portforward"),
        other => other.to_string(),
    }
}

/// Takes the single-supervisor lock, or says who holds it.
pub fn lock() -> anyhow::Result<pidlock::PidLock> {
    let path = crate::config::state_dir().join("portforward.lock");
    match pidlock::try_lock_creating_folder(&path) {
        Ok(l) => Ok(l),
        Err(pidlock::PidLockError::Held { pid }) => {
            let owner = record::read()
                .map(|r| owner_label(&r.owner))
                .unwrap_or_else(|| t!("misc.pf.another"));
            Err(UserError::new(
                ErrorKind::Locked,
                match pid {
                    Some(pid) => t!("misc.pf.locked_pid", owner = owner, pid = pid),
                    None => t!("misc.pf.locked", owner = owner),
                },
            )
            .hint(t!("misc.pf.locked_hint"))
            .into())
        }
        Err(pidlock::PidLockError::Io(e)) => Err(anyhow::anyhow!(t!(
            "misc.io.cannot_lock",
            path = path.display(),
            error = e
        ))),
    }
}

/// Stops the ssh processes a previous supervisor left behind when it was killed outright
/// (SIGKILL gives it no chance to stop them). Only processes that are still its tunnels
/// (an ssh running with our options) are signalled. Returns how many.
fn reap_orphans() -> usize {
    let Some(old) = record::read() else { return 0 };
    if crate::probe::host::pid_alive(old.pid) {
        return 0;
    }
    let mut n = 0;
    for pid in old.tunnels.iter().filter_map(|t| t.pid) {
        let ours = crate::probe::host::cmdline(pid).is_some_and(|c| {
            c.contains("ExitOnForwardFailure=yes") && c.contains(&format!("{GUEST_USER}@"))
        });
        if ours {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
            n += 1;
        }
    }
    record::remove();
    n
}

/// Runs the supervisor until `interrupt` is set. The caller holds [`lock`].
pub fn supervise(
    opts: &Options,
    runner: &dyn Runner,
    backend: &dyn VmBackend,
    interrupt: &Interrupt,
    on: &(dyn Fn(Event) + Sync),
) -> anyhow::Result<()> {
    let mut config = (opts.load)(&opts.config_path)?;
    let orphans = reap_orphans();
    if orphans > 0 {
        on(Event::OrphansStopped(orphans));
    }
    let mut tunnels: BTreeMap<String, Tunnel> = BTreeMap::new();
    let mut config_broken = false;
    let mut last_reload = Instant::now();
    let mut said_nothing = false;
    let host_is_root = nix::unistd::geteuid().is_root();
    let mut last_record: Option<record::Record> = None;
    loop {
        // Reconcile with the rules.
        let want = desired(&config);
        let gone: Vec<String> = tunnels
            .keys()
            .filter(|vm| want.get(*vm) != tunnels.get(*vm).map(|t| &t.forwards))
            .cloned()
            .collect();
        for vm in gone {
            if let Some(mut t) = tunnels.remove(&vm) {
                t.stop();
                on(Event::Stopped { vm });
            }
        }
        for (vm, forwards) in &want {
            if tunnels.contains_key(vm) {
                continue;
            }
            tunnels.insert(vm.clone(), Tunnel::new(vm, forwards.clone()));
            if let Some(vm_config) = config.vms.get(vm) {
                for text in privileged_notes(vm_config, host_is_root) {
                    on(Event::Note {
                        vm: vm.clone(),
                        text,
                    });
                }
            }
        }
        if want.is_empty() && !said_nothing {
            on(Event::NothingToForward);
        }
        said_nothing = want.is_empty();

        // Children that died; tunnels due to (re)start.
        for t in tunnels.values_mut() {
            if let Some(child) = t.child.as_mut() {
                if let Ok(Some(code)) = child.try_wait() {
                    t.child = None;
                    if t.started.is_some_and(|s| s.elapsed() >= STABLE_AFTER) {
                        t.failures = 0;
                    }
                    t.last_error = last_line(&log_path(&t.vm));
                    let retry_in = t.backoff();
                    on(Event::Exited {
                        vm: t.vm.clone(),
                        code,
                        error: t.last_error.clone(),
                        retry_in,
                    });
                    if let Some(vm) = config.vms.get(&t.vm) {
                        for text in privileged_notes(vm, host_is_root) {
                            on(Event::Note {
                                vm: t.vm.clone(),
                                text,
                            });
                        }
                    }
                }
            }
            if t.child.is_none() && Instant::now() >= t.next_start {
                start(t, &config, runner, backend, on);
            }
        }

        let rec = record::Record {
            pid: std::process::id(),
            owner: opts.owner.clone(),
            tunnels: tunnels
                .values()
                .map(|t| record::TunnelRecord {
                    vm: t.vm.clone(),
                    pid: t.child.as_ref().and_then(Child::id),
                    address: t.address.clone(),
                    forwards: t.forward_strings(),
                    last_error: t.last_error.clone(),
                })
                .collect(),
        };
        if last_record.as_ref() != Some(&rec) {
            let _ = record::write(&rec);
            last_record = Some(rec);
        }

        if !interrupt.sleep(Duration::from_secs(1)) {
            break;
        }
        let every = Duration::from_secs(config.global.portforward_config_check_interval_sec.max(1));
        if last_reload.elapsed() >= every {
            last_reload = Instant::now();
            match (opts.load)(&opts.config_path) {
                Ok(fresh) => {
                    if config_broken {
                        on(Event::ConfigRecovered);
                        config_broken = false;
                    }
                    if desired(&fresh) != desired(&config) {
                        on(Event::ConfigReloaded);
                    }
                    config = fresh;
                }
                Err(err) => {
                    if !config_broken {
                        on(Event::ConfigError(format!("{err:#}")));
                        config_broken = true;
                    }
                }
            }
        }
    }
    for t in tunnels.values_mut() {
        t.stop();
    }
    record::remove();
    Ok(())
}

fn start(
    t: &mut Tunnel,
    config: &Config,
    runner: &dyn Runner,
    backend: &dyn VmBackend,
    on: &(dyn Fn(Event) + Sync),
) {
    let not_ready = |t: &mut Tunnel, reason: String| {
        t.last_error = Some(reason.clone());
        let retry_in = t.backoff();
        on(Event::NotReady {
            vm: t.vm.clone(),
            reason,
            retry_in,
        });
    };
    let key = config.global.ssh_keys_folder.join("id_rsa");
    if !key.is_file() {
        return not_ready(t, t!("misc.pf.no_key", path = key.display()));
    }
    let endpoint = match backend.info(&t.vm) {
        Ok(info) if !info.state.is_running() => {
            return not_ready(
                t,
                t!(
                    "misc.pf.vm_state",
                    state = crate::probe::state::state_label(&crate::probe::state::state_name(
                        &info.state
                    )),
                    vm = t.vm
                ),
            )
        }
        Ok(_) => match backend.ssh_endpoint(&t.vm) {
            Ok(endpoint) => endpoint,
            Err(crate::vm::VmError::SshFailed { .. }) => {
                return not_ready(t, t!("misc.pf.no_ipv4"))
            }
            Err(err) => return not_ready(t, crate::UserError::from(err).message),
        },
        Err(err) => return not_ready(t, crate::UserError::from(err).message),
    };
    let log = log_path(&t.vm);
    if let Some(parent) = log.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&log, b"");
    let address = endpoint.host.clone();
    let cmd = ssh_command(&config.global.ssh_keys_folder, &endpoint, &t.forwards);
    let io = SpawnIo {
        stdout: Sink::Append(log.clone()),
        stderr: Sink::Append(log),
    };
    match runner.spawn(&cmd, io) {
        Ok(child) => {
            on(Event::Started {
                vm: t.vm.clone(),
                pid: child.id(),
                address: address.clone(),
                command: cmd.to_string(),
            });
            t.child = Some(child);
            t.started = Some(Instant::now());
            t.address = Some(address);
            t.last_error = None;
        }
        Err(err) => not_ready(t, err.to_string()),
    }
}

/// The ssh option for one rule: `-L host:vm`, `-R vm:host`, or `-R vm` (a SOCKS proxy in
/// the VM whose traffic leaves through the host).
pub fn ssh_forward(kind: ForwardKind, host_addr: Option<&str>, vm_addr: &str) -> (String, String) {
    match kind {
        ForwardKind::Local => (
            "-L".into(),
            format!("{}:{vm_addr}", host_addr.unwrap_or("127.0.0.1:0")),
        ),
        ForwardKind::Remote => (
            "-R".into(),
            format!("{vm_addr}:{}", host_addr.unwrap_or("127.0.0.1:0")),
        ),
        ForwardKind::Socks5 => ("-R".into(), vm_addr.to_string()),
    }
}

pub fn kind_name(kind: ForwardKind) -> &'static str {
    match kind {
        ForwardKind::Local => "local",
        ForwardKind::Remote => "remote",
        ForwardKind::Socks5 => "socks5",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_options_for_each_kind() {
        assert_eq!(
            ssh_forward(ForwardKind::Local, Some("127.0.0.1:8080"), "127.0.0.1:80"),
            ("-L".to_string(), "127.0.0.1:8080:127.0.0.1:80".to_string())
        );
        assert_eq!(
            ssh_forward(
                ForwardKind::Remote,
                Some("127.0.0.1:9000"),
                "127.0.0.1:9001"
            ),
            (
                "-R".to_string(),
                "127.0.0.1:9001:127.0.0.1:9000".to_string()
            )
        );
        assert_eq!(
            ssh_forward(ForwardKind::Socks5, None, "127.0.0.1:1080"),
            ("-R".to_string(), "127.0.0.1:1080".to_string())
        );
    }
    use crate::config::PortForward;

    fn vm_with(rules: Vec<PortForward>) -> VmConfig {
        let yaml = "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\n";
        let mut c =
            crate::config::load_from_str(yaml, Path::new("/c.yaml"), crate::backend::minimums)
                .expect("config");
        let mut vm = c.vms.swap_remove("v").expect("vm");
        vm.port_forwarding = rules;
        vm
    }

    fn rule(kind: ForwardKind, host: Option<&str>, vm: &str) -> PortForward {
        PortForward {
            kind,
            host_addr: host.map(str::to_string),
            vm_addr: vm.to_string(),
        }
    }

    #[test]
    fn rules_become_ssh_options_in_order() {
        let vm = vm_with(vec![
            rule(
                ForwardKind::Local,
                Some("127.0.0.1:15432"),
                "127.0.0.1:5432",
            ),
            rule(
                ForwardKind::Remote,
                Some("127.0.0.1:8080"),
                "127.0.0.1:18080",
            ),
            rule(ForwardKind::Socks5, None, "127.0.0.1:1080"),
        ]);
        assert_eq!(
            forward_args(&vm),
            [
                "-L",
                "127.0.0.1:15432:127.0.0.1:5432",
                "-R",
                "127.0.0.1:18080:127.0.0.1:8080",
                "-R",
                "127.0.0.1:1080"
            ]
        );
    }

    #[test]
    fn privileged_ports_are_explained() {
        let vm = vm_with(vec![
            rule(ForwardKind::Local, Some("127.0.0.1:80"), "127.0.0.1:8080"),
            rule(ForwardKind::Remote, Some("127.0.0.1:8080"), "0.0.0.0:443"),
            rule(ForwardKind::Local, Some("127.0.0.1:8081"), "127.0.0.1:22"),
        ]);
        let notes = privileged_notes(&vm, false);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("host port 80 is privileged"));
        assert!(notes[1].contains("VM port 443 is privileged"));
        assert_eq!(
            privileged_notes(&vm, true).len(),
            1,
            "root may bind host port 80"
        );
    }

    #[test]
    fn ssh_command_uses_the_tools_key_and_known_hosts() {
        let end = SshEndpoint {
            host: "10.0.0.2".into(),
            port: 22,
            user: "ubuntu".into(),
        };
        let cmd = ssh_command(Path::new("/k"), &end, &["-L".into(), "1:2".into()]);
        let argv = cmd.argv_lossy();
        assert!(argv.windows(2).any(|w| w == ["-i", "/k/id_rsa"]));
        assert!(argv.contains(&"UserKnownHostsFile=/k/known_hosts".to_string()));
        assert!(argv.contains(&"ExitOnForwardFailure=yes".to_string()));
        assert_eq!(argv.last().map(String::as_str), Some("ubuntu@10.0.0.2"));
        assert!(argv.windows(2).any(|w| w == ["-L", "1:2"]));
        assert!(!argv.contains(&"-p".to_string()));
        let end = SshEndpoint {
            host: "127.0.0.1".into(),
            port: 2222,
            user: "agent".into(),
        };
        let argv = ssh_command(Path::new("/k"), &end, &[]).argv_lossy();
        assert!(argv.windows(2).any(|w| w == ["-p", "2222"]));
        assert_eq!(argv.last().map(String::as_str), Some("agent@127.0.0.1"));
        let argv = ssh_probe_command(Path::new("/k"), &end).argv_lossy();
        assert!(argv
            .windows(3)
            .any(|w| w == ["2222", "agent@127.0.0.1", "true"]));
    }
}
