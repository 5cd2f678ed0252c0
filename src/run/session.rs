//! One agent session, end to end: resolve the folder to a mount, check policy, take the
//! pre-run snapshot, start the background snapshot loop, run the agent in the VM through the
//! launcher (one `exec` when everything is ready), repair what the launcher reports (mount
//! missing, env stale, launcher missing) and retry once, then stop the loop.
//!
//! Nothing here prints: questions and notices go through [`SessionUi`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::backup::{self, BackupOptions, Event};
use crate::config::{AgentConfig, Config, HttpProxy, MountConfig, VmConfig};
use crate::error::{find_user_error, ErrorKind, UserError};
use crate::launcher::{code, LAUNCHER_PATH};
use crate::process::{Child, Cmd, Runner, Sink, SpawnIo};
use crate::t;
use crate::vm::{ExecSpec, ExecStdin, VmBackend, VmError, VmState};

use super::launch::{
    env_file_contents, env_file_path, needs_nvm, sha256_hex, vm_workdir, AgentLaunch, ProxyMode,
};
use super::merge_default_args;
use super::policy::{check_agent_allowed, choose_vm, effective_proxy};
use super::review::{review, MassDeletionNote, Review};
use crate::backup::tripwire;
use crate::backup::TripwireOptions;

/// The VM folder the launcher is started from. It always exists, so `exec` never fails on
/// its own `cd`; the launcher itself enters the project folder after checking the mount.
const START_DIR: &str = crate::vm::GUEST_HOME;

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct SessionRequest {
    pub agent: String,
    pub args: Vec<OsString>,
    /// Host folder to resolve (default: the current folder).
    pub workdir: PathBuf,
    pub vm: Option<String>,
    pub auto_mount: bool,
    pub disable_backups: bool,
    /// `--first-backup` / `--no-first-backup`; `None` = the mount's `first_backup`.
    pub first_backup: Option<bool>,
    /// `--proxychains`: `Some(None)` = disabled with `""`.
    pub proxychains: Option<Option<String>>,
    /// `--http-proxy`: `Some(None)` = disabled with `""`.
    pub http_proxy: Option<Option<HttpProxy>>,
    pub skip_default_args: bool,
}

/// How the session talks to the person at the terminal.
pub trait SessionUi: Sync {
    /// A line worth showing (what runs where, a repair being made).
    fn notice(&self, text: &str);
    /// A yes/no question; `None` when nobody can answer (no TTY, `--non-interactive`).
    fn confirm(&self, question: &str, default: bool) -> Option<bool>;
    /// Progress of the blocking pre-run snapshot.
    fn backup_event(&self, event: &Event);
    /// The pre-run snapshot is over (successfully or not).
    fn backup_finished(&self);
    /// What the session changed (printed after the agent exits). `summary`: one line even
    /// when nothing needs attention (`global.review.summary`).
    fn review(&self, review: &Review, summary: bool);
}

/// Where the agent runs.
struct Place<'c> {
    mount: Option<&'c MountConfig>,
    vm: &'c VmConfig,
    /// `None` for a temporary folder.
    mount_root: Option<PathBuf>,
    workdir: PathBuf,
}

/// A VM backend result with its error turned into a [`UserError`] (kind `Vm`, with hints).
fn vm_ok<T>(result: Result<T, VmError>) -> anyhow::Result<T> {
    result.map_err(|e| UserError::from(e).into())
}

fn session_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}-{:x}", std::process::id(), nanos & 0xffff_ffff_ffff)
}

/// The host folder of a session resolved against the config: the folder (absolute) and the
/// mount that covers it, if any.
#[derive(Debug, Clone)]
pub struct Folder<'c> {
    pub host_dir: PathBuf,
    pub mount: Option<&'c MountConfig>,
}

/// Runs one agent session and returns the agent's exit code.
pub fn run_session(
    config: &Config,
    backend: &dyn VmBackend,
    runner: &dyn Runner,
    agsekit: &Path,
    req: &SessionRequest,
    ui: &dyn SessionUi,
) -> anyhow::Result<i32> {
    config.agent(&req.agent)?;
    let host_dir = std::path::absolute(&req.workdir).unwrap_or_else(|_| req.workdir.clone());
    if !host_dir.is_dir() {
        return Err(
            UserError::usage(t!("run.no_workdir", path = host_dir.display()))
                .hint(t!("run.no_workdir_hint"))
                .into(),
        );
    }
    let mount = config.mount_for_path(&host_dir, req.vm.as_deref())?;
    let folder = Folder { host_dir, mount };
    run_session_in(config, backend, runner, agsekit, req, &folder, ui)
}

/// [`run_session`] for a folder already resolved (the shims resolve the mount once to choose
/// between the VM and the host, and hand it over here). `req.workdir` is not read again.
pub fn run_session_in(
    config: &Config,
    backend: &dyn VmBackend,
    runner: &dyn Runner,
    agsekit: &Path,
    req: &SessionRequest,
    folder: &Folder<'_>,
    ui: &dyn SessionUi,
) -> anyhow::Result<i32> {
    let agent = config.agent(&req.agent)?;
    let host_dir = &folder.host_dir;
    let mount = folder.mount;
    let vm = choose_vm(config, req.vm.as_deref(), mount, agent)?;
    check_agent_allowed(agent, mount, vm)?;
    let proxy = effective_proxy(req.proxychains.clone(), req.http_proxy.clone(), agent, vm)?;
    let args = if req.skip_default_args {
        req.args.clone()
    } else {
        merge_default_args(&agent.default_args, &req.args)
    };

    let place = match mount {
        Some(m) => Place {
            mount: Some(m),
            vm,
            mount_root: Some(m.target.clone()),
            workdir: vm_workdir(&m.source, &m.target, host_dir).unwrap_or(m.target.clone()),
        },
        None => temporary_place(config, backend, vm, host_dir, ui)?,
    };

    let snapshot_loop = match place.mount {
        Some(m) => {
            if chain_is_empty(m) {
                // The first snapshot copies the whole folder: before it, one state check, so a
                // missing VM (typical of a first session) is reported alone, before any
                // copy or "starting" line. Later sessions stay a single `exec`.
                check_vm_exists(backend, &vm.name)?;
            }
            let skip_first = pre_run_snapshot(m, req, ui, config)?;
            (!req.disable_backups).then(|| snapshot_loop(m, agsekit, skip_first, &config.path))
        }
        None => None,
    };
    ui.notice(&match place.mount {
        Some(m) => t!(
            "run.starting_mounted",
            agent = agent.name,
            vm = vm.name,
            workdir = place.workdir.display(),
            source = m.source.display(),
            interval = m.interval
        ),
        None => t!(
            "run.starting_temporary",
            agent = agent.name,
            vm = vm.name,
            workdir = place.workdir.display()
        ),
    });

    let contents = env_file_contents(agent);
    let launch = AgentLaunch {
        session: session_id(),
        mount_root: place.mount_root.clone(),
        workdir: place.workdir.clone(),
        binary: agent.agent_type.binary().to_string(),
        args,
        env_file: (!contents.is_empty())
            .then(|| (env_file_path(&agent.name), sha256_hex(&contents))),
        load_nvm: needs_nvm(agent.agent_type),
        proxy: ProxyMode::from_effective(proxy, config.global.http_proxy_port_pool),
    };
    // The state the session starts from: the newest snapshot now.
    let baseline = place.mount.and_then(|m| {
        backup::list_snapshots(&m.backup)
            .ok()
            .and_then(|s| s.last().cloned())
    });
    let session_started = tripwire::now_unix();
    let mut loop_child: Option<Child> = None;
    let mut start_loop = || {
        if let Some((cmd, io)) = snapshot_loop.as_ref().filter(|_| loop_child.is_none()) {
            match runner.spawn(cmd, io.clone()) {
                Ok(child) => loop_child = Some(child),
                Err(e) => ui.notice(&t!("run.loop_failed", error = e)),
            }
        }
    };
    let result = launch_with_repairs(
        backend,
        &place,
        agent,
        &launch,
        &contents,
        req,
        ui,
        &mut start_loop,
    );
    if let Some(child) = loop_child.as_mut() {
        // The loop stops cleanly on SIGTERM (a snapshot in flight is finished or discarded).
        let _ = child.terminate(Duration::from_secs(30));
    }
    if let (Ok(_), Some(m), Some(snap)) = (&result, place.mount, baseline) {
        if config.global.review.enabled {
            match session_review(m, &snap, &config.global.review.protected_paths) {
                Ok((mut r, snapshot_files)) => {
                    r.mass_deletions = session_mass_deletions(
                        m,
                        &snap.name,
                        &r,
                        snapshot_files,
                        session_started,
                        &config.global.tripwire.into(),
                    );
                    ui.review(&r, config.global.review.summary)
                }
                Err(e) => ui.notice(&t!("run.review_failed", error = format!("{e:#}"))),
            }
        }
    }
    result
}

/// The mass deletions of a session: pins the snapshot loop's tripwire made since the session
/// started, and the session's own changes (the live folder against the snapshot taken
/// before it, `review`): when they reach the thresholds, that snapshot is pinned too, since
/// the loop may not have taken a snapshot after the deletion.
fn session_mass_deletions(
    mount: &MountConfig,
    baseline: &str,
    review: &Review,
    baseline_files: u64,
    since: i64,
    settings: &TripwireOptions,
) -> Vec<MassDeletionNote> {
    let mut notes: Vec<MassDeletionNote> = tripwire::live_pins(&mount.backup)
        .into_iter()
        .filter(|p| p.unix_time().is_some_and(|t| t >= since))
        .filter_map(|p| {
            let (gone, of, _) = p.tripwire_detail()?;
            Some(MassDeletionNote {
                previous: p.name,
                gone,
                of,
            })
        })
        .collect();
    if tripwire::is_mass_deletion(review.deleted_files, baseline_files, settings)
        && !notes.iter().any(|n| n.previous == baseline)
    {
        let found = tripwire::MassDeletion {
            gone: review.deleted_files,
            of: baseline_files,
            previous: baseline.to_string(),
            snapshot: String::new(),
            pinned: true,
        };
        let pin = tripwire::Pin::tripwire(baseline, &found, tripwire::now_unix());
        // Already pinned (by hand or earlier) is fine: it is kept either way.
        if tripwire::add_pin(&mount.backup, pin).is_ok()
            || tripwire::pinned_names(&mount.backup).contains(baseline)
        {
            notes.push(MassDeletionNote {
                previous: baseline.to_string(),
                gone: found.gone,
                of: found.of,
            });
        }
    }
    notes
}

/// Compares the live folder with the snapshot taken before the session; also returns how
/// many regular files that snapshot holds.
fn session_review(
    mount: &MountConfig,
    snap: &backup::Snapshot,
    protected: &[String],
) -> anyhow::Result<(Review, u64)> {
    let interrupt = backup::Interrupt::none();
    let (old, from_manifest) = backup::history::snapshot_listing(snap, &interrupt)?;
    let snapshot_files = old
        .iter()
        .filter(|(_, e)| e.kind == backup::EntryKind::File)
        .count() as u64;
    let live = backup::history::walk_live(
        &mount.source,
        Some(&mount.backup),
        &backup::rules::Protected::new(protected),
        Some(&old),
        &interrupt,
    )?;
    let mut changes = backup::diff::diff(&old, &live.listing);
    if from_manifest {
        // A file rewritten in place with its size and mtime put back: its ctime moved.
        let suspects = backup::diff::ctime_suspects(&old, &live.listing);
        backup::diff::verify_suspects(
            &mut changes,
            &suspects,
            &old,
            &live.listing,
            &snap.path,
            &mount.source,
        );
    }
    let mut r = review(&snap.name, &mount.source, &changes, protected);
    r.pending_rules = live.pending;
    Ok((r, snapshot_files))
}

/// Outside every mount: with the user's consent, a fresh unshared folder in the VM.
fn temporary_place<'c>(
    config: &'c Config,
    backend: &dyn VmBackend,
    vm: &'c VmConfig,
    host_dir: &Path,
    ui: &dyn SessionUi,
) -> anyhow::Result<Place<'c>> {
    let refuse = || {
        UserError::usage(t!(
            "run.outside_mounts",
            path = host_dir.display(),
            config = config.path.display()
        ))
        .hint(
            crate::config::layout::not_shareable_hint(host_dir, config)
                .unwrap_or_else(|| t!("run.outside_mounts_hint", path = host_dir.display())),
        )
    };
    match ui.confirm(&t!("run.ask_temporary"), false) {
        Some(true) => {}
        _ => return Err(refuse().into()),
    }
    let dir = format!("/tmp/agsekit-run-{}", session_id());
    let made = vm_ok(backend.exec(&ExecSpec::capture(
        &vm.name,
        "/",
        ["mkdir", "-p", dir.as_str()],
    )))?;
    if !made.success() {
        return Err(UserError::vm(t!(
            "run.mkdir_failed",
            dir = dir,
            vm = vm.name,
            error = String::from_utf8_lossy(&made.stderr).trim()
        ))
        .into());
    }
    Ok(Place {
        mount: None,
        vm,
        mount_root: None,
        workdir: PathBuf::from(dir),
    })
}

/// Whether the mount has no snapshot yet (the session's first one will copy everything).
fn chain_is_empty(mount: &MountConfig) -> bool {
    backup::list_snapshots(&mount.backup)
        .map(|s| s.is_empty())
        .unwrap_or(true)
}

/// The VM exists (any state: a stopped one is started by `exec`, other states are reported
/// by the launch as before).
fn check_vm_exists(backend: &dyn VmBackend, vm: &str) -> anyhow::Result<()> {
    vm_ok(backend.state(vm)).map(|_| ())
}

/// The blocking pre-run snapshot (when the chain is empty or `first_backup` asks for it).
/// Returns whether the chain has a snapshot now (so the loop can skip its first one).
fn pre_run_snapshot(
    mount: &MountConfig,
    req: &SessionRequest,
    ui: &dyn SessionUi,
    config: &Config,
) -> anyhow::Result<bool> {
    let existing = backup::list_snapshots(&mount.backup)
        .map(|s| !s.is_empty())
        .unwrap_or(false);
    let first = req.first_backup.unwrap_or(mount.first_backup);
    let mut took_first = false;
    if !existing || first {
        ui.notice(&if existing {
            t!("run.snapshot_before", source = mount.source.display())
        } else {
            t!("run.first_snapshot_before", source = mount.source.display())
        });
        let options = BackupOptions {
            source: mount.source.clone(),
            dest: mount.backup.clone(),
            tripwire: config.global.tripwire.into(),
            protected: Some(config.global.review.protected_paths.clone()),
            ..BackupOptions::default()
        };
        let result = backup::snapshot_once(&options, &|e| ui.backup_event(e));
        ui.backup_finished();
        match result {
            Ok(report) => {
                took_first = true;
                for w in &report.warnings {
                    ui.notice(&t!("run.backup_warning", warning = w));
                }
                if let Some(found) = &report.tripwire {
                    // Files went missing since the last snapshot (between sessions).
                    ui.notice(&format!(
                        "warning: {}",
                        tripwire::alert(found, &mount.source, &mount.backup, true)
                    ));
                }
                // Cleanup is a writer too: under the lock, skipped while another process
                // holds it (its own cleanup follows its snapshot).
                if let Ok(_lock) = backup::lock::try_lock(&mount.backup) {
                    if let Err(e) = backup::clean_backups(
                        &mount.backup,
                        mount.max_backups as usize,
                        mount.backup_clean_method.into(),
                        mount.interval,
                    ) {
                        ui.notice(&t!("run.clean_failed", error = format!("{e:#}")));
                    }
                }
            }
            Err(e) if find_user_error(&e).is_some_and(|u| u.kind == ErrorKind::Locked) => {
                // Another session is writing a snapshot of this folder right now: that one
                // protects the state we start from, so do not wait for it.
                ui.notice(&t!("run.snapshot_busy", source = mount.source.display()));
            }
            Err(e) => return Err(e.context(t!("run.pre_snapshot_failed"))),
        }
    }
    Ok(took_first || existing)
}

/// The background snapshot loop of a session, started once the agent is starting (so it
/// costs nothing before the `exec`); its output goes to `<backup>/backup.log`. It reads the
/// session's config file (for `global.tripwire`).
fn snapshot_loop(
    mount: &MountConfig,
    agsekit: &Path,
    skip_first: bool,
    config: &Path,
) -> (Cmd, SpawnIo) {
    let log = mount.backup.join("backup.log");
    let config = std::path::absolute(config).unwrap_or_else(|_| config.to_path_buf());
    let mut cmd = Cmd::new(agsekit)
        .arg("--config")
        .arg(&config)
        .arg("backup-repeated")
        .arg("--source-dir")
        .arg(&mount.source)
        .arg("--dest-dir")
        .arg(&mount.backup)
        .args(["--interval", &mount.interval.to_string()])
        .args(["--max-backups", &mount.max_backups.to_string()])
        .args(["--backup-clean-method", mount.backup_clean_method.as_str()])
        .stdin_bytes(Vec::new());
    if skip_first {
        cmd = cmd.arg("--skip-first");
    }
    let io = SpawnIo {
        stdout: Sink::Append(log.clone()),
        stderr: Sink::Append(log),
    };
    (cmd, io)
}

/// Runs the launcher, repairing and retrying once for each repairable report.
#[allow(clippy::too_many_arguments)]
fn launch_with_repairs(
    backend: &dyn VmBackend,
    place: &Place<'_>,
    agent: &AgentConfig,
    launch: &AgentLaunch,
    env_contents: &[u8],
    req: &SessionRequest,
    ui: &dyn SessionUi,
    on_started: &mut dyn FnMut(),
) -> anyhow::Result<i32> {
    let vm = &place.vm.name;
    let mut argv: Vec<OsString> = vec![LAUNCHER_PATH.into()];
    argv.extend(launch.launcher_args());
    let spec = ExecSpec::interactive(vm, START_DIR, argv.clone());
    let (mut remounted, mut env_sent, mut launcher_sent) = (false, false, false);
    loop {
        let (code, interrupted) = run_passing_signals(backend, &spec, on_started)?;
        if interrupted {
            // Without a terminal, the killed client leaves the agent running in the VM.
            stop_remote_session(backend, vm, &launch.session);
        }
        match code {
            code::NOT_MOUNTED | code::EMPTY_MOUNT if !remounted => {
                remounted = true;
                let Some(mount) = place.mount else {
                    return Err(UserError::failed(t!("run.unshared_mount_problem")).into());
                };
                repair_mount(backend, mount, code, req, ui)?;
            }
            code::NOT_MOUNTED | code::EMPTY_MOUNT => {
                return Err(UserError::vm(t!(
                    "run.still_not_usable",
                    path = place
                        .mount_root
                        .as_deref()
                        .unwrap_or(Path::new("?"))
                        .display(),
                    vm = vm
                ))
                .hint("agsekit doctor")
                .into())
            }
            code::ENV_STALE if !env_sent => {
                env_sent = true;
                send_env(backend, vm, agent, launch, env_contents)?;
            }
            code::NO_AGENT => {
                return Err(UserError::vm(t!(
                    "run.not_installed",
                    agent = agent.name,
                    binary = agent.agent_type.binary(),
                    vm = vm
                ))
                .hint(format!("agsekit install-agents {} {vm}", agent.name))
                .into())
            }
            code::NO_WORKDIR => {
                return Err(UserError::vm(t!(
                    "run.no_workdir_in_vm",
                    path = launch.workdir.display(),
                    vm = vm
                ))
                .hint(t!("run.no_workdir_in_vm_hint"))
                .into())
            }
            code::BAD_ARGS if !launcher_sent => {
                // An older launcher (from an earlier agsekit) refuses `--min-version` or the
                // arguments of this build: install this build's launcher and try once more.
                launcher_sent = true;
                ui.notice(&t!("run.updating_launcher", vm = vm));
                crate::launcher::install(backend, vm)?;
            }
            code::ENV_STALE => {
                // The launcher keeps quiet about what the host repairs (docs/launcher.md): its
                // reason is in the session's status record.
                let message = match launcher_reason(backend, vm, &launch.session) {
                    Some(reason) => t!(
                        "session.launcher_reason",
                        vm = vm,
                        code = code,
                        reason = reason
                    ),
                    None => t!("run.launcher_failed", vm = vm, code = code),
                };
                return Err(UserError::failed(message).into());
            }
            code::PROXY_FAILED | code::BAD_ARGS => {
                return Err(
                    UserError::failed(t!("run.launcher_failed", vm = vm, code = code)).into(),
                )
            }
            code::SEE_STATUS => return Ok(read_status(backend, vm, &launch.session)),
            127 if !launcher_sent && !launcher_present(backend, vm)? => {
                launcher_sent = true;
                ui.notice(&t!("run.installing_launcher", vm = vm));
                // VMs made by agsekit 1.7.4 (or before the launcher existed) lack it.
                crate::launcher::install(backend, vm)?;
            }
            1..=3 => {
                // Multipass uses these codes for its own failures too: tell them apart.
                check_vm_usable(backend, vm)?;
                return Ok(code);
            }
            _ => return Ok(code),
        }
    }
}

/// Runs the launcher and waits for it; returns its exit code and whether agsekit was
/// signalled meanwhile. SIGINT, SIGTERM and SIGHUP sent to agsekit do not end agsekit before
/// the session is cleaned up (the snapshot loop stopped, the review printed); SIGTERM and
/// SIGHUP are passed on to `multipass exec` (a terminal's Ctrl-C already reaches it: it is
/// in the same process group, or in raw mode with a PTY).
fn run_passing_signals(
    backend: &dyn VmBackend,
    spec: &ExecSpec,
    on_started: &mut dyn FnMut(),
) -> anyhow::Result<(i32, bool)> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
        .map_err(|e| anyhow::anyhow!(t!("run.signals_failed", error = e)))?;
    let handle = signals.handle();
    let mut child = match backend.exec_spawn(spec) {
        Ok(child) => child,
        Err(e) => {
            handle.close();
            return Err(UserError::from(e).into());
        }
    };
    on_started();
    let pid = child.id();
    let interrupted = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&interrupted);
    let forwarder = std::thread::spawn(move || {
        for sig in signals.forever() {
            seen.store(true, Ordering::SeqCst);
            if sig == SIGINT {
                continue;
            }
            if let (Some(pid), Ok(sig)) = (pid, nix::sys::signal::Signal::try_from(sig)) {
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), sig);
            }
        }
    });
    let waited = child.wait();
    handle.close();
    let _ = forwarder.join();
    let code = waited.map_err(|e| anyhow::anyhow!(t!("run.wait_failed", error = e)))?;
    Ok((code, interrupted.load(Ordering::SeqCst)))
}

/// After an interrupted session: asks the launcher to stop the session's agent (and what it
/// started) in the VM. A killed `multipass exec` client hangs up a terminal session, but a
/// session without one keeps running in the VM, unwatched and with no snapshots being taken.
/// Best effort: a VM that is gone or a launcher without `--kill` changes nothing.
fn stop_remote_session(backend: &dyn VmBackend, vm: &str, session: &str) {
    let spec = ExecSpec::capture(vm, START_DIR, [LAUNCHER_PATH, "--kill", session]);
    let _ = backend.exec(&spec);
}

/// The project is not mounted (or the mount is dead): mount it (after asking, unless
/// `--auto-mount`), or remount a registered mount that died.
fn repair_mount(
    backend: &dyn VmBackend,
    mount: &MountConfig,
    launcher_code: i32,
    req: &SessionRequest,
    ui: &dyn SessionUi,
) -> anyhow::Result<()> {
    let target = mount.target.to_string_lossy().into_owned();
    let info = vm_ok(backend.info(&mount.vm))?;
    let registered = info
        .mount_at(&target)
        .is_some_and(|m| m.source == mount.source);
    if registered {
        ui.notice(&t!(
            if launcher_code == code::EMPTY_MOUNT {
                "run.remount_empty"
            } else {
                "run.remount_dead"
            },
            source = mount.source.display(),
            vm = mount.vm
        ));
        match backend.umount(&mount.vm, Some(&target)) {
            Ok(()) | Err(VmError::NotMounted { .. }) => {}
            Err(e) => return Err(UserError::from(e).into()),
        }
    } else {
        let ok = req.auto_mount
            || ui
                .confirm(
                    &t!(
                        "run.ask_mount",
                        source = mount.source.display(),
                        vm = mount.vm
                    ),
                    true,
                )
                .unwrap_or(false);
        if ok {
            ui.notice(&t!(
                "session.mounting",
                source = mount.source.display(),
                vm = mount.vm
            ));
        } else {
            return Err(UserError::vm(t!(
                "run.not_mounted",
                source = mount.source.display(),
                vm = mount.vm
            ))
            .hint(t!("run.not_mounted_hint", source = mount.source.display()))
            .into());
        }
    }
    // The same path checks and "already mounted" tolerance as `agsekit mount`.
    crate::lifecycle::mounts::mount_one(backend, mount).map(|_| ())
}

/// Writes the agent's env file in the VM from stdin (never argv) and checks its hash.
fn send_env(
    backend: &dyn VmBackend,
    vm: &str,
    agent: &AgentConfig,
    launch: &AgentLaunch,
    contents: &[u8],
) -> anyhow::Result<()> {
    let Some((path, sha)) = &launch.env_file else {
        return Ok(());
    };
    let spec = ExecSpec::capture(vm, START_DIR, [LAUNCHER_PATH, "--write-env", path.as_str()])
        .with_stdin(ExecStdin::Bytes(contents.to_vec()));
    let out = vm_ok(backend.exec(&spec))?;
    let written = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.success() || &written != sha {
        return Err(UserError::vm(t!(
            "run.env_failed",
            agent = agent.name,
            vm = vm,
            code = out.code
        ))
        .hint("agsekit doctor")
        .into());
    }
    Ok(())
}

/// Why the launcher stopped, from the session's status record (`launcher CODE REASON`).
fn launcher_reason(backend: &dyn VmBackend, vm: &str, session: &str) -> Option<String> {
    let spec = ExecSpec::capture(vm, START_DIR, [LAUNCHER_PATH, "--read-status", session]);
    let out = backend.exec(&spec).ok().filter(|o| o.success())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let reason = text
        .trim()
        .strip_prefix("launcher ")?
        .split_once(' ')?
        .1
        .trim();
    (!reason.is_empty()).then(|| crate::ui::untrusted::text(reason))
}

/// The agent's real exit code after the launcher reported 254.
fn read_status(backend: &dyn VmBackend, vm: &str, session: &str) -> i32 {
    let spec = ExecSpec::capture(vm, START_DIR, [LAUNCHER_PATH, "--read-status", session]);
    match backend.exec(&spec) {
        Ok(out) if out.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            text.trim()
                .strip_prefix("agent ")
                .and_then(|c| c.parse().ok())
                .unwrap_or(code::SEE_STATUS)
        }
        _ => code::SEE_STATUS,
    }
}

fn launcher_present(backend: &dyn VmBackend, vm: &str) -> anyhow::Result<bool> {
    let out = vm_ok(backend.exec(&ExecSpec::capture(vm, "/", ["test", "-x", LAUNCHER_PATH])))?;
    Ok(out.success())
}

/// After an ambiguous exit code: an error if the VM is missing or not running, else Ok.
fn check_vm_usable(backend: &dyn VmBackend, vm: &str) -> anyhow::Result<()> {
    match vm_ok(backend.state(vm))? {
        VmState::Running => Ok(()),
        other => Err(UserError::vm(t!(
            "run.vm_not_running",
            vm = vm,
            state = match crate::i18n::current() {
                // English keeps its wording (`is Stopped`); Russian names the state in Russian.
                crate::i18n::Lang::En => format!("{other:?}"),
                crate::i18n::Lang::Ru => format!(
                    "«{}»",
                    crate::probe::state::state_label(&crate::probe::state::state_name(&other))
                ),
            }
        ))
        .hint(format!("agsekit start-vm {vm}"))
        .into()),
    }
}

#[cfg(test)]
mod tripwire_tests {
    use super::*;

    fn review_with(deleted_files: u64) -> Review {
        let mut r = review("20260101-000000", Path::new("/p"), &[], &[]);
        r.deleted_files = deleted_files;
        r
    }

    #[test]
    fn a_session_that_deleted_most_files_pins_its_starting_snapshot() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut mount = crate::run::policy::tests::mount("/p", "vm");
        mount.backup = tmp.path().to_path_buf();
        std::fs::create_dir(tmp.path().join("20260101-000000")).expect("mkdir");
        let on = TripwireOptions::default();
        // Below the thresholds: nothing.
        let notes =
            session_mass_deletions(&mount, "20260101-000000", &review_with(10), 100, 0, &on);
        assert!(notes.is_empty());
        assert!(tripwire::read_pins(&mount.backup).is_empty());
        // 80 of 100 files: the starting snapshot is pinned and reported once.
        let notes =
            session_mass_deletions(&mount, "20260101-000000", &review_with(80), 100, 0, &on);
        assert_eq!(
            notes,
            [MassDeletionNote {
                previous: "20260101-000000".into(),
                gone: 80,
                of: 100
            }]
        );
        let pins = tripwire::read_pins(&mount.backup);
        assert_eq!(pins.len(), 1);
        assert_eq!(
            pins[0].tripwire_detail().map(|d| (d.0, d.1)),
            Some((80, 100))
        );
        // A pin from before the session is not this session's news.
        let later = tripwire::now_unix() + 3600;
        let notes =
            session_mass_deletions(&mount, "20260101-000000", &review_with(0), 100, later, &on);
        assert!(notes.is_empty());
        // Disabled: nothing new.
        let off = TripwireOptions {
            enabled: false,
            ..on
        };
        assert!(
            session_mass_deletions(&mount, "x", &review_with(100), 100, later, &off).is_empty()
        );
    }
}

#[cfg(test)]
mod memory_tests;
