//! `agsekit status`: what runs where. Per VM its state, resources (configured and actual) and
//! address; per mount whether it is mounted, its snapshot chain and whether a backup loop runs;
//! running agents; port forwards and whether each tunnel is up; the daemon.
//!
//! [`collect`] gathers it all into a [`Status`] (serialisable: `status --json`, schema in
//! docs/status.md) with as few backend calls as possible: one `info` for every VM, and one
//! `ps` per running VM. When the backend is missing or down, everything on the host (mounts,
//! snapshots, backup loops) is still reported. Nothing here prints.

pub mod warning;

#[cfg(test)]
mod memory_tests;

use serde::Serialize;

use crate::backup;
use crate::config::{Config, ForwardKind, MountConfig, VmConfig};
use crate::i18n::Lang;
use crate::portforward::{kind_name, ssh_forward};
pub use crate::probe::agents::RunningAgent;
use crate::probe::agents::{agent_entry, ps_agents};
use crate::probe::host;
use crate::probe::state::state_name;
use crate::vm::{VmBackend, VmError, VmInfo};
pub use warning::{human_age_in, ForwardDown, MountWarning, Resource, VmWarning, Warning};

/// The version of the `status --json` layout. Bumped when a field changes meaning or goes
/// away; new fields may appear without a bump.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub schema_version: u32,
    pub agsekit_version: String,
    pub config_path: String,
    pub backend: BackendStatus,
    pub vms: Vec<VmStatus>,
    pub mounts: Vec<MountStatus>,
    pub agents: Vec<RunningAgent>,
    pub port_forwards: Vec<ForwardStatus>,
    pub daemon: crate::daemon::DaemonProbe,
    /// Every warning of the sections above, prefixed with what it is about (English in
    /// JSON; tables show [`Warning::text`]).
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackendStatus {
    pub name: String,
    /// False when the backend could not be asked (not installed, daemon down).
    pub available: bool,
    /// Why not, in English (JSON); tables show [`BackendStatus::problem`].
    pub error: Option<String>,
    pub hints: Vec<String>,
    /// The failure itself, for messages in the user's language.
    #[serde(skip)]
    pub problem: Option<VmError>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VmStatus {
    pub name: String,
    /// `running`, `stopped`, `suspended`, `starting`, ..., `absent` (not created), or
    /// `unknown` when the backend could not be asked.
    pub state: String,
    pub ipv4: Option<String>,
    pub cpus: CpuStatus,
    pub memory: SizeStatus,
    pub disk: SizeStatus,
    /// `cpus`, `memory`, `disk`: configured and actual differ (memory and disk by more than 10%).
    pub mismatches: Vec<String>,
    pub warnings: Vec<VmWarning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CpuStatus {
    pub configured: u32,
    pub actual: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SizeStatus {
    /// As written in the config (`4G`).
    pub configured: String,
    pub configured_bytes: u64,
    /// What the running VM reports; `None` when it is not running.
    pub actual_bytes: Option<u64>,
    pub used_bytes: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MountStatus {
    pub source: String,
    pub target: String,
    pub vm: String,
    /// Registered with the VM; `None` when the backend could not be asked.
    pub mounted: Option<bool>,
    pub backup: BackupStatus,
    /// Agents running in this mount now (see `agents`).
    pub agents_running: usize,
    pub warnings: Vec<MountWarning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackupStatus {
    pub dir: String,
    pub interval_minutes: u32,
    pub max_backups: u32,
    pub clean_method: String,
    pub snapshot_count: usize,
    pub last_snapshot: Option<String>,
    pub last_snapshot_age_sec: Option<i64>,
    /// Seconds since a backup loop last checked for changes (the lock file's mtime: every
    /// cycle rewrites it, even when nothing changed and no snapshot was made).
    pub last_check_age_sec: Option<u64>,
    /// Bytes on disk, hardlinked files counted once.
    pub size_bytes: Option<u64>,
    /// A process that writes snapshots here is alive (the PID in `backup.pid`).
    pub loop_running: bool,
    pub loop_pid: Option<u32>,
    /// `backup.pid` names a process that is gone (normal after a one-off snapshot; with
    /// `partial_dirs`, a writer died mid-snapshot).
    pub stale_lock_pid: Option<u32>,
    /// Unfinished `-partial` folders (left by a crash, or being written now).
    pub partial_dirs: Vec<String>,
    /// Pinned snapshots (kept by every cleanup; see `backup::tripwire`), oldest first.
    pub pinned: Vec<String>,
    /// `.backupignore` files (from the source root) whose text is not accepted, as the last
    /// backup run found them (see `backup::rules`).
    pub pending_ignore_files: Vec<String>,
    pub fs_available_bytes: Option<u64>,
    pub fs_total_bytes: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForwardStatus {
    pub vm: String,
    /// `local`, `remote` or `socks5`.
    pub kind: String,
    pub host_addr: Option<String>,
    pub vm_addr: String,
    /// The ssh option that makes the tunnel, e.g. `-L 127.0.0.1:8080:127.0.0.1:80`.
    pub ssh_forward: String,
    /// Its ssh process is alive (and, for `local`, the host port accepts connections).
    pub up: bool,
    pub pid: Option<u32>,
    /// Who runs it: `portforward` or `daemon`; `None` when nothing does.
    pub managed_by: Option<String>,
    pub last_error: Option<String>,
}

/// Gathers the status. `backend` is asked once for every VM (`info`), then once per running
/// VM (`ps`).
pub fn collect(config: &Config, backend: &dyn VmBackend) -> Status {
    let mut warnings = Vec::new();
    let (infos, backend_status) = match backend.info_all() {
        Ok(infos) => (
            Some(infos),
            BackendStatus {
                name: backend.name().into(),
                available: true,
                error: None,
                hints: Vec::new(),
                problem: None,
            },
        ),
        Err(err) => {
            let missing = matches!(err, VmError::NotInstalled { .. });
            warnings.push(if missing {
                Warning::BackendMissing
            } else {
                Warning::BackendDown(err.clone())
            });
            (
                None,
                BackendStatus {
                    name: backend.name().into(),
                    available: false,
                    error: Some(err.message_in(Lang::En)),
                    hints: err.hints_in(Lang::En),
                    problem: Some(err),
                },
            )
        }
    };
    let info_of =
        |name: &str| -> Option<&VmInfo> { infos.as_ref()?.iter().find(|i| i.name == name) };

    let vms: Vec<VmStatus> = config
        .vms
        .values()
        .map(|vm| vm_status(vm, infos.as_ref().map(|_| info_of(&vm.name))))
        .collect();

    // One `ps` per running VM that matters (agents or mounts bound to it).
    let binaries: Vec<&str> = {
        let mut b: Vec<&str> = config
            .agents
            .values()
            .map(|a| a.agent_type.binary())
            .collect();
        b.sort();
        b.dedup();
        b
    };
    let mut running_agents = Vec::new();
    for vm in &vms {
        if vm.state != "running" {
            continue;
        }
        for found in ps_agents(backend, &vm.name, &binaries) {
            running_agents.push(agent_entry(config, &vm.name, found));
        }
    }

    let mounts: Vec<MountStatus> = config
        .mounts
        .iter()
        .map(|m| {
            // Mounted means: this folder, at this target (another folder shared at the
            // target does not count; `doctor` repairs that).
            let mounted = infos.as_ref().map(|_| {
                info_of(&m.vm).is_some_and(|i| {
                    i.mount_at(&m.target.to_string_lossy())
                        .is_some_and(|vm_mount| vm_mount.source == m.source)
                })
            });
            let agents_here = running_agents
                .iter()
                .filter(|a| {
                    a.vm == m.vm && a.mount_source.as_deref() == Some(&*m.source.to_string_lossy())
                })
                .count();
            mount_status(m, mounted, agents_here)
        })
        .collect();

    let record = crate::portforward::record::read();
    let port_forwards = forward_statuses(config, record.as_ref());
    let daemon = crate::daemon::probe();

    for vm in &vms {
        warnings.extend(vm.warnings.iter().map(|w| Warning::Vm {
            vm: vm.name.clone(),
            warning: w.clone(),
        }));
    }
    for m in &mounts {
        warnings.extend(m.warnings.iter().map(|w| Warning::Mount {
            source: m.source.clone(),
            warning: w.clone(),
        }));
    }
    for f in &port_forwards {
        if !f.up {
            warnings.push(Warning::ForwardDown {
                forward: f.ssh_forward.clone(),
                vm: f.vm.clone(),
                why: match (&f.managed_by, &f.last_error) {
                    (_, Some(e)) => ForwardDown::Error(e.clone()),
                    (None, None) => ForwardDown::Unmanaged,
                    (Some(_), None) => ForwardDown::Retrying,
                },
            });
        }
    }
    if daemon.version_mismatch {
        warnings.push(Warning::DaemonOld {
            version: daemon.version.clone(),
        });
    }

    Status {
        schema_version: SCHEMA_VERSION,
        agsekit_version: crate::VERSION.to_string(),
        config_path: config.path.display().to_string(),
        backend: backend_status,
        vms,
        mounts,
        agents: running_agents,
        port_forwards,
        daemon,
        warnings,
    }
}

/// Configured and actual differ by more than 10% (unknown actual values never differ).
pub fn size_differs(configured: u64, actual: Option<u64>) -> bool {
    match actual {
        None => false,
        Some(a) => {
            let diff = configured.abs_diff(a) as f64;
            diff > configured as f64 * 0.10
        }
    }
}

/// `info` is `None` when the backend could not be asked, `Some(None)` when the VM is absent.
fn vm_status(vm: &VmConfig, info: Option<Option<&VmInfo>>) -> VmStatus {
    let mut warnings = Vec::new();
    let (state, live) = match info {
        None => ("unknown".to_string(), None),
        Some(None) => {
            warnings.push(VmWarning::NotCreated {
                vm: vm.name.clone(),
            });
            ("absent".to_string(), None)
        }
        Some(Some(i)) => (state_name(&i.state), Some(i)),
    };
    let running = live.is_some_and(|i| i.state.is_running());
    let actual_cpus = live.and_then(|i| i.cpu_count).filter(|_| running);
    let mem = live.and_then(|i| i.memory).filter(|_| running);
    let disk = live.and_then(|i| i.disk).filter(|_| running);
    let mut resized = Vec::new();
    if actual_cpus.is_some_and(|c| c != vm.cpu) {
        resized.push(Resource::Cpus);
    }
    if size_differs(vm.ram_bytes, mem.and_then(|m| m.total)) {
        resized.push(Resource::Memory);
    }
    if size_differs(vm.disk_bytes, disk.and_then(|d| d.total)) {
        resized.push(Resource::Disk);
    }
    let mismatches: Vec<String> = resized.iter().map(|r| r.as_str().to_string()).collect();
    if !resized.is_empty() {
        warnings.push(VmWarning::Resized(resized));
    }
    if let Some(d) = disk {
        if let (Some(used), Some(total)) = (d.used, d.total) {
            if total > 0 && used.saturating_mul(10) > total.saturating_mul(9) {
                warnings.push(VmWarning::DiskNearlyFull {
                    used: human_bytes(used),
                    total: human_bytes(total),
                });
            }
        }
    }
    VmStatus {
        name: vm.name.clone(),
        state,
        ipv4: live.and_then(|i| i.ipv4.first().cloned()),
        cpus: CpuStatus {
            configured: vm.cpu,
            actual: actual_cpus,
        },
        memory: SizeStatus {
            configured: vm.ram.clone(),
            configured_bytes: vm.ram_bytes,
            actual_bytes: mem.and_then(|m| m.total),
            used_bytes: mem.and_then(|m| m.used),
        },
        disk: SizeStatus {
            configured: vm.disk.clone(),
            configured_bytes: vm.disk_bytes,
            actual_bytes: disk.and_then(|d| d.total),
            used_bytes: disk.and_then(|d| d.used),
        },
        mismatches,
        warnings,
    }
}

/// What the host knows about one mount's backups.
pub fn backup_status(m: &MountConfig) -> BackupStatus {
    let dir = &m.backup;
    let snapshots = backup::list_snapshots(dir).unwrap_or_default();
    let last = snapshots.last();
    let now = backup::chain::now_naive();
    let lock = dir.join(backup::lock::LOCK_FILE);
    let pid = backup::lock::read_pid(&lock);
    let alive = pid.filter(|p| host::pid_alive(*p));
    // agsekit's own unfinished folders only: a user's `mystuff-partial` is not one.
    let partial_dirs = backup::chain::stale_partials(dir).unwrap_or_default();
    let space = host::fs_space(dir);
    BackupStatus {
        dir: dir.display().to_string(),
        interval_minutes: m.interval,
        max_backups: m.max_backups,
        clean_method: m.backup_clean_method.as_str().to_string(),
        snapshot_count: snapshots.len(),
        last_snapshot: last.map(|s| s.name.clone()),
        last_snapshot_age_sec: last.map(|s| (now - s.time).max(0)),
        last_check_age_sec: host::age_of_file(&lock),
        size_bytes: if dir.is_dir() {
            let mut names: Vec<String> = snapshots.iter().map(|s| s.name.clone()).collect();
            names.extend(partial_dirs.iter().cloned());
            host::cached_disk_usage(
                dir,
                &names,
                &crate::shim::cache_dir().join("status-sizes.json"),
            )
        } else {
            None
        },
        loop_running: alive.is_some(),
        loop_pid: alive,
        stale_lock_pid: pid.filter(|p| !host::pid_alive(*p)),
        partial_dirs,
        // Sorted by name (a set), only those whose snapshot exists.
        pinned: backup::tripwire::pin_names(dir)
            .into_iter()
            .filter(|n| snapshots.iter().any(|s| &s.name == n))
            .collect(),
        pending_ignore_files: backup::rules::read_pending(dir)
            .iter()
            .map(|p| p.display_path())
            .collect(),
        fs_available_bytes: space.map(|s| s.available),
        fs_total_bytes: space.map(|s| s.total),
    }
}

fn mount_status(m: &MountConfig, mounted: Option<bool>, agents_running: usize) -> MountStatus {
    let backup = backup_status(m);
    let mut warnings = Vec::new();
    let interval = i64::from(m.interval.max(1)) * 60;
    let expected = backup.loop_running || agents_running > 0;
    if expected {
        let since_snapshot = backup.last_snapshot_age_sec;
        let since_check = backup.last_check_age_sec.map(|s| s as i64);
        let newest = match (since_snapshot, since_check) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match newest {
            Some(age) if age > 2 * interval => warnings.push(MountWarning::Stuck {
                age_secs: age as u64,
                interval_minutes: m.interval,
            }),
            None => warnings.push(MountWarning::NoSnapshot),
            _ => {}
        }
    }
    if agents_running > 0 && !backup.loop_running {
        warnings.push(MountWarning::AgentWithoutLoop);
    }
    // A dead PID in backup.pid alone is normal (every finished `backup-once` leaves one);
    // with unfinished folders next to it, a writer died mid-snapshot.
    if !backup.partial_dirs.is_empty() && !backup.loop_running {
        warnings.push(MountWarning::Partials {
            dead_pid: backup.stale_lock_pid,
            dirs: backup.partial_dirs.clone(),
        });
    }
    if let (Some(parent), Some(dev_backup)) = (m.source.parent(), host::device_of(&m.backup)) {
        if host::device_of(parent).is_some_and(|d| d != dev_backup) {
            warnings.push(MountWarning::OtherFilesystem {
                backup: m.backup.display().to_string(),
                folder: parent.display().to_string(),
            });
        }
    }
    if let (Some(avail), Some(total)) = (backup.fs_available_bytes, backup.fs_total_bytes) {
        if host::nearly_full(host::FsSpace {
            total,
            available: avail,
        }) {
            warnings.push(MountWarning::BackupDiskNearlyFull {
                free: human_bytes(avail),
                total: human_bytes(total),
            });
        }
    }
    if mounted == Some(false) && agents_running > 0 {
        warnings.push(MountWarning::AgentButNotMounted);
    }
    MountStatus {
        source: m.source.display().to_string(),
        target: m.target.display().to_string(),
        vm: m.vm.clone(),
        mounted,
        backup,
        agents_running,
        warnings,
    }
}

fn forward_statuses(
    config: &Config,
    record: Option<&crate::portforward::record::Record>,
) -> Vec<ForwardStatus> {
    let supervisor_alive = record.is_some_and(|r| host::pid_alive(r.pid));
    let mut out = Vec::new();
    for vm in config.vms.values() {
        for rule in &vm.port_forwarding {
            let (flag, spec) = ssh_forward(rule.kind, rule.host_addr.as_deref(), &rule.vm_addr);
            let ssh_forward = format!("{flag} {spec}");
            let tunnel = record.filter(|_| supervisor_alive).and_then(|r| {
                r.tunnels
                    .iter()
                    .find(|t| t.vm == vm.name && t.forwards.contains(&ssh_forward))
            });
            let pid = tunnel.and_then(|t| t.pid).filter(|p| host::pid_alive(*p));
            let listening = match (rule.kind, rule.host_addr.as_deref()) {
                (ForwardKind::Local, Some(addr)) => accepts(addr),
                _ => true,
            };
            out.push(ForwardStatus {
                vm: vm.name.clone(),
                kind: kind_name(rule.kind).to_string(),
                host_addr: rule.host_addr.clone(),
                vm_addr: rule.vm_addr.clone(),
                ssh_forward,
                up: pid.is_some() && listening,
                pid,
                managed_by: record.filter(|_| supervisor_alive).map(|r| r.owner.clone()),
                last_error: tunnel.and_then(|t| t.last_error.clone()),
            });
        }
    }
    out
}

/// True when something accepts TCP connections at `addr` (`host:port`).
pub fn accepts(addr: &str) -> bool {
    use std::net::ToSocketAddrs;
    let Ok(addrs) = addr.to_socket_addrs() else {
        return false;
    };
    addrs.into_iter().any(|a| {
        std::net::TcpStream::connect_timeout(&a, std::time::Duration::from_millis(300)).is_ok()
    })
}

pub use crate::ui::human_bytes;

/// An age for tables, in the current language (`1h02m`).
pub fn human_age(secs: u64) -> String {
    human_age_in(crate::i18n::current(), secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::VmState;
    use std::path::Path;

    #[test]
    fn sizes_differ_only_beyond_ten_percent() {
        let g = 1u64 << 30;
        assert!(!size_differs(4 * g, None));
        assert!(!size_differs(4 * g, Some(4 * g - g / 25)));
        assert!(size_differs(4 * g, Some(2 * g)));
        assert!(size_differs(4 * g, Some(5 * g)));
    }

    fn vm_config() -> VmConfig {
        let yaml = "vms:\n  v: {cpu: 2, ram: 4G, disk: 20G}\n";
        let c = crate::config::load_from_str(yaml, Path::new("/c.yaml"), crate::backend::minimums)
            .expect("config");
        c.vms["v"].clone()
    }

    fn running_info(disk_used: u64, disk_total: u64) -> VmInfo {
        VmInfo {
            name: "v".into(),
            state: VmState::Running,
            cpu_count: Some(2),
            memory: Some(crate::vm::Usage {
                used: Some(1 << 30),
                total: Some(4 << 30),
            }),
            disk: Some(crate::vm::Usage {
                used: Some(disk_used),
                total: Some(disk_total),
            }),
            load: vec![],
            ipv4: vec!["10.0.0.5".into()],
            release: None,
            image_release: None,
            image_hash: None,
            snapshot_count: None,
            mounts: vec![],
        }
    }

    #[test]
    fn a_nearly_full_vm_disk_is_a_warning() {
        let g = 1u64 << 30;
        let ok = vm_status(&vm_config(), Some(Some(&running_info(10 * g, 20 * g))));
        assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
        assert_eq!(ok.ipv4.as_deref(), Some("10.0.0.5"));
        let full = vm_status(&vm_config(), Some(Some(&running_info(19 * g, 20 * g))));
        assert!(
            full.warnings
                .iter()
                .any(|w| w.to_string().contains("disk is nearly full")),
            "{:?}",
            full.warnings
        );
    }

    #[test]
    fn unknown_and_absent_vms() {
        let unknown = vm_status(&vm_config(), None);
        assert_eq!(unknown.state, "unknown");
        assert!(unknown.warnings.is_empty());
        let absent = vm_status(&vm_config(), Some(None));
        assert_eq!(absent.state, "absent");
        assert_eq!(absent.cpus.actual, None);
    }

    #[test]
    fn ages_read_well() {
        assert_eq!(human_age_in(Lang::En, 42), "42s");
        assert_eq!(human_age_in(Lang::En, 90_000), "1d1h");
    }
}
