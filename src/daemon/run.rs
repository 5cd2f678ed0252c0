//! `agsekit daemon run`: the daemon's loop. Every 30 s it looks at the VMs (one `info`,
//! one `ps` per running VM) and then:
//! - keeps a backup loop (`agsekit backup-repeated-mount`, output appended to
//!   `<backup>/backup.log`) running for each mount with an agent in it, or for every mount
//!   with `global.daemon.backups: all`; a mount whose loop another process already runs (an
//!   `agsekit run` session) is left to it;
//! - stops (or, with `global.daemon.idle_vm_action: suspend`, suspends) a VM no agent has
//!   used for `global.daemon.idle_vm_stop_minutes` and unmounts a folder no agent has used
//!   for `global.daemon.idle_unmount_minutes` (0 = never);
//! - runs the port-forward supervisor in a thread (unless `agsekit portforward` already runs).
//!
//! Nothing here prints: the caller gets [`DaemonEvent`]s.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::backup::Interrupt;
use crate::config::{Config, DaemonBackups, DaemonConfig, IdleVmAction};
use crate::portforward;
use crate::process::{Child, Cmd, Runner, Sink, SpawnIo};
use crate::vm::{StopMode, VmBackend};
use crate::{t, ErrorKind, UserError};

use crate::pidlock;

/// Time between looks at the VMs (each costs one `info` and one `ps` per running VM).
pub const TICK: Duration = Duration::from_secs(30);
/// Overrides [`TICK`] (whole seconds, at least 1).
pub const TICK_ENV: &str = "AGSEKIT_DAEMON_TICK_SEC";

fn tick() -> Duration {
    std::env::var(TICK_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n >= 1)
        .map(Duration::from_secs)
        .unwrap_or(TICK)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonEvent {
    Started {
        pid: u32,
        version: String,
    },
    Forward(portforward::Event),
    ForwardSkipped(String),
    BackupStarted {
        mount: PathBuf,
        pid: Option<u32>,
    },
    BackupStopped {
        mount: PathBuf,
    },
    BackupLeftToOther {
        mount: PathBuf,
        pid: u32,
    },
    VmStopped {
        vm: String,
        idle_minutes: u64,
    },
    VmSuspended {
        vm: String,
        idle_minutes: u64,
    },
    Unmounted {
        vm: String,
        target: String,
        idle_minutes: u64,
    },
    Problem(String),
    Stopping,
}

/// What one look at the VMs found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observation {
    /// VMs that run now.
    pub running_vms: BTreeSet<String>,
    /// VMs with at least one agent.
    pub active_vms: BTreeSet<String>,
    /// Registered mounts `(vm, target)` of running VMs, for configured mounts.
    pub mounted: BTreeSet<(String, String)>,
    /// Mounts `(vm, target)` with an agent in them.
    pub active_mounts: BTreeSet<(String, String)>,
}

/// What the idle rules decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdleAction {
    StopVm(String),
    /// `idle_vm_action: suspend`; the backend may not be able to (then it is stopped).
    SuspendVm(String),
    Unmount {
        vm: String,
        target: String,
    },
}

/// Remembers when each VM and mount last had an agent (or was first seen), in seconds of a
/// monotonic clock.
#[derive(Debug, Default)]
pub struct IdleTracker {
    vms: HashMap<String, u64>,
    mounts: HashMap<(String, String), u64>,
}

impl IdleTracker {
    /// Feeds one observation at time `now` (seconds) and returns what to do.
    pub fn observe(
        &mut self,
        now: u64,
        seen: &Observation,
        rules: &DaemonConfig,
    ) -> Vec<IdleAction> {
        let mut actions = Vec::new();
        self.vms.retain(|vm, _| seen.running_vms.contains(vm));
        self.mounts.retain(|m, _| seen.mounted.contains(m));
        for m in &seen.mounted {
            let last = self.mounts.entry(m.clone()).or_insert(now);
            if seen.active_mounts.contains(m) {
                *last = now;
            }
            if rules.idle_unmount_minutes > 0
                && now.saturating_sub(*last) >= rules.idle_unmount_minutes * 60
            {
                actions.push(IdleAction::Unmount {
                    vm: m.0.clone(),
                    target: m.1.clone(),
                });
            }
        }
        for vm in &seen.running_vms {
            let last = self.vms.entry(vm.clone()).or_insert(now);
            if seen.active_vms.contains(vm) {
                *last = now;
            }
            if rules.idle_vm_stop_minutes > 0
                && now.saturating_sub(*last) >= rules.idle_vm_stop_minutes * 60
            {
                actions.push(match rules.idle_vm_action {
                    IdleVmAction::Stop => IdleAction::StopVm(vm.clone()),
                    IdleVmAction::Suspend => IdleAction::SuspendVm(vm.clone()),
                });
            }
        }
        for a in &actions {
            match a {
                IdleAction::StopVm(vm) | IdleAction::SuspendVm(vm) => {
                    self.vms.remove(vm);
                }
                IdleAction::Unmount { vm, target } => {
                    self.mounts.remove(&(vm.clone(), target.clone()));
                }
            }
        }
        actions
    }
}

/// Which mounts (by source) should have a daemon backup loop.
pub fn wanted_backups(config: &Config, seen: Option<&Observation>) -> BTreeSet<PathBuf> {
    config
        .mounts
        .iter()
        .filter(|m| match config.global.daemon.backups {
            DaemonBackups::All => true,
            DaemonBackups::Active => seen.is_some_and(|s| {
                s.active_mounts
                    .contains(&(m.vm.clone(), m.target.to_string_lossy().into_owned()))
            }),
        })
        .map(|m| m.source.clone())
        .collect()
}

/// One look at the VMs: `info` for all, `ps` per running VM.
pub fn observe(config: &Config, backend: &dyn VmBackend) -> Option<Observation> {
    let infos = backend.info_all().ok()?;
    let mut seen = Observation::default();
    let binaries: Vec<&str> = config
        .agents
        .values()
        .map(|a| a.agent_type.binary())
        .collect();
    for info in infos.iter().filter(|i| i.state.is_running()) {
        if !config.vms.contains_key(&info.name) {
            continue;
        }
        seen.running_vms.insert(info.name.clone());
        for m in config.mounts.iter().filter(|m| m.vm == info.name) {
            let target = m.target.to_string_lossy().into_owned();
            if info.mount_at(&target).is_some() {
                seen.mounted.insert((m.vm.clone(), target));
            }
        }
        for found in crate::probe::agents::ps_agents(backend, &info.name, &binaries) {
            seen.active_vms.insert(info.name.clone());
            let agent = crate::probe::agents::agent_entry(config, &info.name, found);
            if let Some(src) = agent.mount_source {
                if let Some(m) = config
                    .mounts
                    .iter()
                    .find(|m| m.vm == info.name && m.source.display().to_string() == src)
                {
                    seen.active_mounts
                        .insert((m.vm.clone(), m.target.to_string_lossy().into_owned()));
                }
            }
        }
    }
    Some(seen)
}

pub struct RunOptions {
    pub config_path: PathBuf,
    /// The agsekit executable (for backup loops).
    pub agsekit: PathBuf,
    pub load: fn(&Path) -> anyhow::Result<Config>,
}

/// Takes the single-instance lock and writes the version file.
pub fn lock() -> anyhow::Result<pidlock::PidLock> {
    let path = super::pid_path();
    let held = match pidlock::try_lock_creating_folder(&path) {
        Ok(l) => l,
        Err(pidlock::PidLockError::Held { pid }) => {
            return Err(UserError::new(
                ErrorKind::Locked,
                match pid {
                    Some(pid) => t!("misc.daemon.lock_held_pid", pid = pid),
                    None => t!("misc.daemon.lock_held"),
                },
            )
            .hint(t!("misc.daemon.lock_held_hint"))
            .into())
        }
        Err(pidlock::PidLockError::Io(e)) => {
            return Err(anyhow::anyhow!(t!(
                "misc.io.cannot_lock",
                path = path.display(),
                error = e
            )))
        }
    };
    std::fs::write(super::version_path(), super::Identity::current().render()).map_err(|e| {
        anyhow::anyhow!(t!(
            "misc.io.cannot_write",
            path = super::version_path().display(),
            error = e
        ))
    })?;
    Ok(held)
}

/// Runs the daemon until `interrupt` is set. The caller holds [`lock`].
pub fn run(
    opts: &RunOptions,
    runner: &dyn Runner,
    backend: &dyn VmBackend,
    interrupt: &Interrupt,
    on: &(dyn Fn(DaemonEvent) + Sync),
) -> anyhow::Result<()> {
    let mut config = (opts.load)(&opts.config_path)?;
    on(DaemonEvent::Started {
        pid: std::process::id(),
        version: crate::VERSION.to_string(),
    });
    let orphans = reap_orphan_loops();
    if orphans > 0 {
        on(DaemonEvent::Problem(crate::count!(
            "misc.daemon.orphans",
            orphans,
        )));
    }
    std::thread::scope(|scope| {
        // Port forwards in their own thread, as long as no `agsekit portforward` runs.
        scope.spawn(|| {
            let mut said = false;
            loop {
                match portforward::lock() {
                    Ok(_held) => {
                        let pf = portforward::Options {
                            config_path: opts.config_path.clone(),
                            owner: "daemon".to_string(),
                            load: opts.load,
                        };
                        let forward = |e| on(DaemonEvent::Forward(e));
                        if let Err(err) =
                            portforward::supervise(&pf, runner, backend, interrupt, &forward)
                        {
                            on(DaemonEvent::Problem(t!(
                                "misc.daemon.forward_problem",
                                error = format!("{err:#}")
                            )));
                        }
                        return;
                    }
                    Err(err) => {
                        if !said {
                            on(DaemonEvent::ForwardSkipped(format!("{err:#}")));
                            said = true;
                        }
                    }
                }
                if !interrupt.sleep(Duration::from_secs(30)) {
                    return;
                }
            }
        });

        let started = Instant::now();
        let mut idle = IdleTracker::default();
        let mut loops: BTreeMap<PathBuf, Child> = BTreeMap::new();
        let mut left: BTreeSet<PathBuf> = BTreeSet::new();
        let mut config_broken = false;
        loop {
            match (opts.load)(&opts.config_path) {
                Ok(fresh) => {
                    config = fresh;
                    config_broken = false;
                }
                Err(err) => {
                    if !config_broken {
                        on(DaemonEvent::Problem(t!(
                            "misc.daemon.config_error",
                            error = format!("{err:#}")
                        )));
                        config_broken = true;
                    }
                }
            }
            let seen = observe(&config, backend);
            tend_backups(
                opts,
                &config,
                seen.as_ref(),
                runner,
                &mut loops,
                &mut left,
                on,
            );
            save_loops(&loops);
            if let Some(seen) = &seen {
                let now = started.elapsed().as_secs();
                handle_idle(&mut idle, now, seen, &config, backend, on);
            }
            if !interrupt.sleep(tick()) {
                break;
            }
        }
        on(DaemonEvent::Stopping);
        for (mount, mut child) in loops {
            let _ = child.terminate(Duration::from_secs(10));
            on(DaemonEvent::BackupStopped { mount });
        }
        let _ = std::fs::remove_file(loops_path());
    });
    let _ = std::fs::remove_file(super::version_path());
    Ok(())
}

/// What an idle VM gets on this backend: suspend when asked and the backend can, else stop
/// (with a note when suspend was asked for).
pub fn idle_vm_verb(action: &IdleAction, can_suspend: bool) -> (IdleVmAction, bool) {
    match action {
        IdleAction::SuspendVm(_) if can_suspend => (IdleVmAction::Suspend, false),
        IdleAction::SuspendVm(_) => (IdleVmAction::Stop, true),
        _ => (IdleVmAction::Stop, false),
    }
}

/// Feeds one observation to the idle rules and stops, suspends or unmounts what has been
/// idle long enough.
fn handle_idle(
    idle: &mut IdleTracker,
    now: u64,
    seen: &Observation,
    config: &Config,
    backend: &dyn VmBackend,
    on: &(dyn Fn(DaemonEvent) + Sync),
) {
    let idle_minutes = config.global.daemon.idle_vm_stop_minutes;
    for action in idle.observe(now, seen, &config.global.daemon) {
        let vm = match &action {
            IdleAction::StopVm(vm) | IdleAction::SuspendVm(vm) => vm.clone(),
            IdleAction::Unmount { vm, target } => {
                match backend.umount(vm, Some(target)) {
                    Ok(()) => on(DaemonEvent::Unmounted {
                        vm: vm.clone(),
                        target: target.clone(),
                        idle_minutes: config.global.daemon.idle_unmount_minutes,
                    }),
                    Err(e) => on(DaemonEvent::Problem(t!(
                        "misc.daemon.idle_unmount_failed",
                        vm = vm,
                        target = target,
                        error = UserError::from(e).message
                    ))),
                }
                continue;
            }
        };
        let (verb, fallback) = idle_vm_verb(&action, backend.capabilities_of(&vm).can_suspend);
        if fallback {
            on(DaemonEvent::Problem(t!(
                "suspend.daemon.fallback",
                vm = vm,
                backend = backend.name_of(&vm)
            )));
        }
        match verb {
            IdleVmAction::Suspend => match backend.suspend(&vm) {
                Ok(()) => on(DaemonEvent::VmSuspended { vm, idle_minutes }),
                Err(e) => on(DaemonEvent::Problem(t!(
                    "suspend.daemon.failed",
                    vm = vm,
                    error = UserError::from(e).message
                ))),
            },
            IdleVmAction::Stop => match backend.stop(&vm, StopMode::Graceful) {
                Ok(()) => on(DaemonEvent::VmStopped { vm, idle_minutes }),
                Err(e) => on(DaemonEvent::Problem(t!(
                    "misc.daemon.idle_stop_failed",
                    vm = vm,
                    error = UserError::from(e).message
                ))),
            },
        }
    }
}

/// The backup loops this daemon runs, so a daemon killed outright (SIGKILL) does not leave
/// them running forever: the next one stops them.
fn loops_path() -> PathBuf {
    super::state_dir().join("daemon-loops.json")
}

fn save_loops(loops: &BTreeMap<PathBuf, Child>) {
    let pids: Vec<u32> = loops.values().filter_map(Child::id).collect();
    let _ = std::fs::write(loops_path(), serde_json::json!(pids).to_string());
}

/// Stops backup loops a killed daemon left behind. Returns how many.
fn reap_orphan_loops() -> usize {
    let pids: Vec<u32> = std::fs::read_to_string(loops_path())
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let mut n = 0;
    for pid in pids {
        if crate::probe::host::cmdline(pid).is_some_and(|c| c.contains("backup-repeated-mount")) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
            n += 1;
        }
    }
    let _ = std::fs::remove_file(loops_path());
    n
}

fn tend_backups(
    opts: &RunOptions,
    config: &Config,
    seen: Option<&Observation>,
    runner: &dyn Runner,
    loops: &mut BTreeMap<PathBuf, Child>,
    left: &mut BTreeSet<PathBuf>,
    on: &(dyn Fn(DaemonEvent) + Sync),
) {
    // Reap loops that ended by themselves.
    loops.retain(|_, child| !matches!(child.try_wait(), Ok(Some(_))));
    let want = wanted_backups(config, seen);
    left.retain(|m| want.contains(m));
    let unwanted: Vec<PathBuf> = loops
        .keys()
        .filter(|m| !want.contains(*m))
        .cloned()
        .collect();
    for mount in unwanted {
        if let Some(mut child) = loops.remove(&mount) {
            let _ = child.terminate(Duration::from_secs(10));
            on(DaemonEvent::BackupStopped { mount });
        }
    }
    for source in want {
        if loops.contains_key(&source) {
            continue;
        }
        let Some(m) = config.mounts.iter().find(|m| m.source == source) else {
            continue;
        };
        let lock = m.backup.join(crate::backup::lock::LOCK_FILE);
        if let Some(pid) = crate::backup::lock::read_pid(&lock)
            .filter(|p| crate::probe::host::pid_alive(*p) && *p != std::process::id())
        {
            // Said once per mount, not at every look.
            if left.insert(source.clone()) {
                on(DaemonEvent::BackupLeftToOther {
                    mount: source.clone(),
                    pid,
                });
            }
            continue;
        }
        if std::fs::create_dir_all(&m.backup).is_err() {
            on(DaemonEvent::Problem(t!(
                "misc.daemon.backup_dir_failed",
                path = m.backup.display()
            )));
            continue;
        }
        let cmd = Cmd::new(&opts.agsekit)
            .arg("--config")
            .arg(&opts.config_path)
            .args(["backup-repeated-mount", "--mount"])
            .arg(&source)
            .stdin_bytes(Vec::new());
        let log = m.backup.join("backup.log");
        let io = SpawnIo {
            stdout: Sink::Append(log.clone()),
            stderr: Sink::Append(log),
        };
        match runner.spawn(&cmd, io) {
            Ok(child) => {
                on(DaemonEvent::BackupStarted {
                    mount: source.clone(),
                    pid: child.id(),
                });
                loops.insert(source, child);
            }
            Err(e) => on(DaemonEvent::Problem(t!(
                "misc.daemon.loop_failed",
                path = source.display(),
                error = e
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(
        running: &[&str],
        active: &[&str],
        mounted: &[(&str, &str)],
        busy: &[(&str, &str)],
    ) -> Observation {
        let pairs = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        Observation {
            running_vms: running.iter().map(|s| s.to_string()).collect(),
            active_vms: active.iter().map(|s| s.to_string()).collect(),
            mounted: pairs(mounted),
            active_mounts: pairs(busy),
        }
    }

    #[test]
    fn idle_vm_is_stopped_after_its_minutes_and_activity_resets_the_clock() {
        let rules = DaemonConfig {
            idle_vm_stop_minutes: 10,
            ..DaemonConfig::default()
        };
        let mut t = IdleTracker::default();
        assert!(t
            .observe(0, &obs(&["a"], &["a"], &[], &[]), &rules)
            .is_empty());
        assert!(t
            .observe(300, &obs(&["a"], &[], &[], &[]), &rules)
            .is_empty());
        assert!(t
            .observe(599, &obs(&["a"], &[], &[], &[]), &rules)
            .is_empty());
        assert_eq!(
            t.observe(600, &obs(&["a"], &[], &[], &[]), &rules),
            vec![IdleAction::StopVm("a".into())]
        );
        // Seen again (started by hand): the clock starts over.
        assert!(t
            .observe(700, &obs(&["a"], &[], &[], &[]), &rules)
            .is_empty());
        assert!(t
            .observe(1299, &obs(&["a"], &[], &[], &[]), &rules)
            .is_empty());
    }

    #[test]
    fn idle_mounts_are_unmounted_and_zero_means_never() {
        let rules = DaemonConfig {
            idle_unmount_minutes: 1,
            ..DaemonConfig::default()
        };
        let mut t = IdleTracker::default();
        let m = [("a", "/home/ubuntu/p")];
        assert!(t.observe(0, &obs(&["a"], &[], &m, &[]), &rules).is_empty());
        assert!(t
            .observe(30, &obs(&["a"], &["a"], &m, &m), &rules)
            .is_empty());
        assert_eq!(
            t.observe(90, &obs(&["a"], &[], &m, &[]), &rules),
            vec![IdleAction::Unmount {
                vm: "a".into(),
                target: "/home/ubuntu/p".into()
            }]
        );
        let never = DaemonConfig::default();
        let mut t = IdleTracker::default();
        assert!(t.observe(0, &obs(&["a"], &[], &m, &[]), &never).is_empty());
        assert!(t
            .observe(1_000_000, &obs(&["a"], &[], &m, &[]), &never)
            .is_empty());
    }

    #[test]
    fn idle_vm_and_mount_are_stopped_and_unmounted_through_the_backend() {
        use crate::process::{FakeRunner, Output};
        const INFO: &str = include_str!("../../tests/fixtures/multipass/info.json");
        let runner = FakeRunner::new(|cmd| {
            let argv = cmd.argv_lossy();
            Ok(match argv.get(1).map(String::as_str) {
                Some("info") => Output::ok(INFO),
                _ => Output::ok(""),
            })
        });
        let backend = crate::vm::Multipass::new(runner, "multipass");
        let yaml = "global:\n  daemon: {idle_vm_stop_minutes: 2, idle_unmount_minutes: 1}\nvms:\n  agent-vm: {cpu: 1, ram: 1G, disk: 5G}\nmounts:\n  - {source: /home/alice/code/myproject, target: /home/alice/code/myproject, vm: agent-vm}\n";
        let config =
            crate::config::load_from_str(yaml, Path::new("/c.yaml"), crate::backend::minimums)
                .expect("config");
        let events = std::sync::Mutex::new(Vec::new());
        let on = |e: DaemonEvent| events.lock().expect("events").push(e);
        let mut idle = IdleTracker::default();
        for now in [0, 60, 120] {
            let seen = observe(&config, &backend).expect("observation");
            assert!(seen.running_vms.contains("agent-vm"));
            handle_idle(&mut idle, now, &seen, &config, &backend, &on);
        }
        let calls = backend.runner().argvs();
        assert!(calls
            .iter()
            .any(|c| c == &["multipass", "umount", "agent-vm:/home/alice/code/myproject"]));
        assert!(calls
            .iter()
            .any(|c| c == &["multipass", "stop", "agent-vm"]));
        let events = events.into_inner().expect("events");
        assert_eq!(
            events,
            vec![
                DaemonEvent::Unmounted {
                    vm: "agent-vm".into(),
                    target: "/home/alice/code/myproject".into(),
                    idle_minutes: 1
                },
                DaemonEvent::VmStopped {
                    vm: "agent-vm".into(),
                    idle_minutes: 2
                },
            ]
        );
    }

    #[test]
    fn idle_vm_action_suspend_asks_for_a_suspend_and_falls_back_to_stop() {
        let rules = DaemonConfig {
            idle_vm_stop_minutes: 1,
            idle_vm_action: IdleVmAction::Suspend,
            ..DaemonConfig::default()
        };
        let mut t = IdleTracker::default();
        assert!(t.observe(0, &obs(&["a"], &[], &[], &[]), &rules).is_empty());
        let actions = t.observe(60, &obs(&["a"], &[], &[], &[]), &rules);
        assert_eq!(actions, vec![IdleAction::SuspendVm("a".into())]);
        assert_eq!(
            idle_vm_verb(&actions[0], true),
            (IdleVmAction::Suspend, false)
        );
        assert_eq!(idle_vm_verb(&actions[0], false), (IdleVmAction::Stop, true));
        // `stop` (the default) never suspends, whatever the backend can do.
        let stop = IdleAction::StopVm("a".into());
        assert_eq!(idle_vm_verb(&stop, true), (IdleVmAction::Stop, false));
    }

    #[test]
    fn an_idle_vm_is_suspended_or_stopped_with_a_note_when_its_backend_cannot_suspend() {
        use crate::vm::testutil::Memory;
        use crate::vm::VmState;
        let yaml = "global:\n  daemon: {idle_vm_stop_minutes: 1, idle_vm_action: suspend}\nvms:\n  vm: {cpu: 1, ram: 1G, disk: 5G}\n";
        let config =
            crate::config::load_from_str(yaml, Path::new("/c.yaml"), crate::backend::minimums)
                .expect("config");
        for can_suspend in [true, false] {
            let backend = Memory::new("mem").with_vm("vm", VmState::Running);
            let backend = if can_suspend {
                backend
            } else {
                backend.without_suspend()
            };
            let events = std::sync::Mutex::new(Vec::new());
            let on = |e: DaemonEvent| events.lock().expect("events").push(e);
            let mut idle = IdleTracker::default();
            for now in [0, 60] {
                let seen = observe(&config, &backend).expect("observation");
                handle_idle(&mut idle, now, &seen, &config, &backend, &on);
            }
            let events = events.into_inner().expect("events");
            let calls: Vec<String> = backend
                .calls()
                .into_iter()
                .filter(|c| c.starts_with("suspend ") || c.starts_with("stop "))
                .collect();
            if can_suspend {
                assert_eq!(calls, ["suspend vm"]);
                assert_eq!(
                    events,
                    vec![DaemonEvent::VmSuspended {
                        vm: "vm".into(),
                        idle_minutes: 1
                    }]
                );
            } else {
                assert_eq!(calls, ["stop vm graceful"]);
                assert_eq!(events.len(), 2, "{events:?}");
                assert!(
                    matches!(&events[0], DaemonEvent::Problem(note) if note.contains("mem") && note.contains("stopping it instead")),
                    "{events:?}"
                );
                assert_eq!(
                    events[1],
                    DaemonEvent::VmStopped {
                        vm: "vm".into(),
                        idle_minutes: 1
                    }
                );
            }
        }
    }

    #[test]
    fn backups_follow_active_mounts_or_all() {
        let yaml = "vms:\n  a: {cpu: 1, ram: 1G, disk: 1G}\nmounts:\n  - {source: /p1, target: /home/ubuntu/p1, vm: a}\n  - {source: /p2, target: /home/ubuntu/p2, vm: a}\n";
        let mut c =
            crate::config::load_from_str(yaml, Path::new("/c.yaml"), crate::backend::minimums)
                .expect("config");
        let seen = obs(&["a"], &["a"], &[], &[("a", "/home/ubuntu/p2")]);
        assert_eq!(
            wanted_backups(&c, Some(&seen))
                .into_iter()
                .collect::<Vec<_>>(),
            vec![PathBuf::from("/p2")]
        );
        assert!(wanted_backups(&c, None).is_empty());
        c.global.daemon.backups = DaemonBackups::All;
        assert_eq!(wanted_backups(&c, None).len(), 2);
    }
}
