//! `agsekit doctor`: checks, each with a verdict and the fix, and the repairs that are safe to
//! apply. [`diagnose`] runs every check and returns [`Check`]s; [`apply`] performs one
//! [`Repair`]. Nothing here prints.
//!
//! Checks: what each backend the config uses needs on the host (its `host` module under
//! `src/vm/`: the program and its version, its daemon, KVM...); each VM's state; each mount registered, live
//! and not empty inside its VM; the SSH key; shims on PATH ahead of the real agent programs;
//! the shell init line in the rc file; each backup folder writable, able to hold hardlinks,
//! with free space; stale `backup.pid` locks and leftover `-partial` folders; the daemon.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::backup;
use crate::config::{Config, MountConfig};
use crate::probe::host;
use crate::process::Runner;
use crate::t;
use crate::vm::{ExecSpec, VmBackend, VmInfo};

pub use crate::vm::host::Verdict;
use crate::vm::host::{HostCheck, HostRepair, HostReport};

/// A repair doctor can perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// Unmount (if registered) and mount the folder again.
    Remount {
        vm: String,
        source: PathBuf,
        target: String,
    },
    /// A backend's repair of the host (restarting its daemon, removing stale files...).
    Host(HostRepair),
    /// Clear the dead PID from an unheld `backup.pid`.
    ClearStaleLock { path: PathBuf },
    /// Remove unfinished `-partial` folders (under the destination's lock).
    RemovePartials { dest: PathBuf },
    /// Start (or restart, when another build runs) the daemon.
    StartDaemon,
}

impl Repair {
    /// Safe repairs are applied by `-y` without asking.
    pub fn is_safe(&self) -> bool {
        match self {
            Repair::Host(h) => h.safe,
            _ => true,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Repair::Remount { vm, source, target } => t!(
                "repair.remount",
                source = source.display(),
                vm = vm,
                target = target
            ),
            Repair::Host(h) => h.description.clone(),
            Repair::ClearStaleLock { path } => t!("repair.clear_lock", path = path.display()),
            Repair::RemovePartials { dest } => {
                t!("repair.remove_partials", path = dest.display())
            }
            Repair::StartDaemon => t!("repair.start_daemon"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    /// What was checked: the backend's host checks, `vm agent-ubuntu`, `mount /home/me/p`, ...
    pub subject: String,
    pub verdict: Verdict,
    pub detail: String,
    /// The command or step that fixes it.
    pub fix: Option<String>,
    pub repair: Option<Repair>,
}

fn check(subject: impl Into<String>, verdict: Verdict, detail: impl Into<String>) -> Check {
    Check {
        subject: subject.into(),
        verdict,
        detail: detail.into(),
        fix: None,
        repair: None,
    }
}

impl Check {
    fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }

    fn repair(mut self, r: Repair) -> Check {
        self.repair = Some(r);
        self
    }
}

/// What the checks need from the environment.
pub struct Env<'a> {
    pub config: &'a Config,
    pub backend: &'a dyn VmBackend,
    /// The host checks of each backend kind the config uses (`crate::backend::host_checks`).
    pub host_checks: &'a dyn Fn() -> Vec<HostReport>,
    /// `PATH` as seen by the user's shells.
    pub path_var: Option<std::ffi::OsString>,
    pub shims_dir: PathBuf,
    /// `$SHELL`.
    pub shell: Option<String>,
    pub home: PathBuf,
    /// Runs the SSH probe (`ssh ... true`) of the key check.
    pub runner: &'a dyn Runner,
}

/// Runs every check.
pub fn diagnose(env: &Env<'_>) -> Vec<Check> {
    let mut out = Vec::new();
    let (infos, unavailable) = check_backends(env, &mut out);
    check_vms(env, infos.as_deref(), &mut out);
    check_mounts(env, infos.as_deref(), &unavailable, &mut out);
    check_ssh_key(env, &mut out);
    check_config_mode(env.config, &mut out);
    check_ssh_accepted(env, infos.as_deref(), &mut out);
    check_shims(env, &mut out);
    check_shell_init(env, &mut out);
    for m in &env.config.mounts {
        check_backup_folder(m, &mut out);
    }
    check_daemon(&mut out);
    out
}

impl From<HostCheck> for Check {
    fn from(h: HostCheck) -> Check {
        Check {
            subject: h.subject,
            verdict: h.verdict,
            detail: h.detail,
            fix: h.fix,
            repair: h.repair.map(Repair::Host),
        }
    }
}

/// Each backend's host checks; the VMs of every backend (sorted by name), or `None` and the
/// names of the backends that could not be asked.
fn check_backends(env: &Env<'_>, out: &mut Vec<Check>) -> (Option<Vec<VmInfo>>, Vec<String>) {
    let mut infos = Some(Vec::new());
    let mut unavailable = Vec::new();
    for report in (env.host_checks)() {
        out.extend(report.checks.into_iter().map(Check::from));
        match (report.vms, infos.as_mut()) {
            (Some(vms), Some(all)) => all.extend(vms),
            (Some(_), None) => {}
            (None, _) => {
                infos = None;
                unavailable.push(report.backend.to_string());
            }
        }
    }
    if let Some(all) = infos.as_mut() {
        all.sort_by(|a, b| a.name.cmp(&b.name));
    }
    (infos, unavailable)
}

fn check_vms(env: &Env<'_>, infos: Option<&[VmInfo]>, out: &mut Vec<Check>) {
    let Some(infos) = infos else { return };
    for vm in env.config.vms.values() {
        let subject = t!("misc.doctor.subject.vm", vm = vm.name);
        match infos.iter().find(|i| i.name == vm.name) {
            None => out.push(
                check(subject, Verdict::Fail, t!("doctor_check.vm_not_created"))
                    .fix(format!("agsekit create-vm {}", vm.name)),
            ),
            Some(i) if i.state.is_running() => out.push(check(
                subject,
                Verdict::Ok,
                match i.ipv4.first() {
                    Some(ip) => t!("doctor_check.vm_running_at", ip = ip),
                    None => t!("doctor_check.vm_running"),
                },
            )),
            Some(i) if i.state.is_startable() => out.push(
                check(
                    subject,
                    Verdict::Warn,
                    t!(
                        "doctor_check.vm_startable",
                        state = crate::probe::state::state_label(&crate::probe::state::state_name(
                            &i.state
                        ))
                    ),
                )
                .fix(format!("agsekit start-vm {}", vm.name)),
            ),
            Some(i) => out.push(
                check(
                    subject,
                    Verdict::Fail,
                    crate::probe::state::state_label(&crate::probe::state::state_name(&i.state)),
                )
                .fix(t!("doctor_check.vm_force_fix", vm = vm.name)),
            ),
        }
    }
}

/// Prints `missing`, `not-mounted`, `empty` or `ok` for the folder `$1` in the VM. One line:
/// `multipass exec` turns a newline inside an argument into a backslash and an `n`.
const MOUNT_PROBE: &str = r#"t=$1; if [ ! -d "$t" ]; then echo missing; elif command -v mountpoint >/dev/null 2>&1 && ! mountpoint -q "$t"; then echo not-mounted; elif [ -z "$(ls -A "$t" 2>/dev/null)" ]; then echo empty; else echo ok; fi"#;

fn dir_is_empty(p: &Path) -> bool {
    std::fs::read_dir(p)
        .map(|mut r| r.next().is_none())
        .unwrap_or(true)
}

fn check_mounts(
    env: &Env<'_>,
    infos: Option<&[VmInfo]>,
    unavailable: &[String],
    out: &mut Vec<Check>,
) {
    for m in &env.config.mounts {
        let target = m.target.to_string_lossy().into_owned();
        let subject = t!("misc.doctor.subject.mount", path = m.source.display());
        let remount = Repair::Remount {
            vm: m.vm.clone(),
            source: m.source.clone(),
            target: target.clone(),
        };
        if !m.source.is_dir() {
            out.push(
                check(subject, Verdict::Fail, t!("doctor_check.source_missing")).fix(format!(
                    "mkdir -p {}",
                    shell_words::quote(&m.source.to_string_lossy())
                )),
            );
            continue;
        }
        let Some(infos) = infos else {
            out.push(check(
                subject,
                Verdict::Skip,
                t!("host.backend_unavailable", backend = unavailable.join(", ")),
            ));
            continue;
        };
        let Some(info) = infos.iter().find(|i| i.name == m.vm) else {
            out.push(check(
                subject,
                Verdict::Skip,
                t!("doctor_check.vm_missing", vm = m.vm),
            ));
            continue;
        };
        let registered = info.mount_at(&target);
        match registered {
            None => {
                out.push(
                    check(
                        subject,
                        Verdict::Warn,
                        t!("doctor_check.not_mounted", vm = m.vm),
                    )
                    .fix(format!("agsekit mount {}", m.source.display()))
                    .repair(remount),
                );
                continue;
            }
            Some(r) if r.source != m.source => {
                out.push(
                    check(
                        subject,
                        Verdict::Fail,
                        t!(
                            "doctor_check.wrong_source",
                            vm = m.vm,
                            target = target,
                            other = r.source.display()
                        ),
                    )
                    .fix(t!("doctor_check.remount_fix"))
                    .repair(remount),
                );
                continue;
            }
            Some(_) => {}
        }
        if !info.state.is_running() {
            out.push(check(
                subject,
                Verdict::Skip,
                t!("doctor_check.vm_stopped", vm = m.vm),
            ));
            continue;
        }
        if dir_is_empty(&m.source) {
            out.push(check(
                subject,
                Verdict::Skip,
                t!("doctor_check.source_empty"),
            ));
            continue;
        }
        let spec = ExecSpec::capture(&m.vm, "/", ["sh", "-c", MOUNT_PROBE, "sh", &target]);
        match env.backend.exec(&spec) {
            Ok(res) => match res.stdout_text().trim() {
                "ok" => out.push(check(
                    subject,
                    Verdict::Ok,
                    t!("doctor_check.live", vm = m.vm, target = target),
                )),
                state => out.push(
                    check(
                        subject,
                        Verdict::Fail,
                        t!(
                            match state {
                                "missing" => "doctor_check.probe_missing",
                                "not-mounted" => "doctor_check.probe_not_mount",
                                "empty" => "doctor_check.probe_empty",
                                _ => "doctor_check.probe_unreadable",
                            },
                            target = target
                        ),
                    )
                    .fix(t!("doctor_check.remount_fix"))
                    .repair(remount),
                ),
            },
            Err(err) => out.push(check(
                subject,
                Verdict::Fail,
                t!(
                    "doctor_check.probe_failed",
                    error = crate::UserError::from(err).message
                ),
            )),
        }
    }
}

fn check_ssh_key(env: &Env<'_>, out: &mut Vec<Check>) {
    let dir = &env.config.global.ssh_keys_folder;
    let key = dir.join("id_rsa");
    let public = dir.join("id_rsa.pub");
    let c = match std::fs::metadata(&key) {
        Err(_) => check(
            t!("misc.doctor.subject.ssh_key"),
            Verdict::Fail,
            t!("doctor_check.file_missing", path = key.display()),
        )
        .fix(t!("doctor_check.key_fix")),
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => check(
            t!("misc.doctor.subject.ssh_key"),
            Verdict::Warn,
            t!("doctor_check.key_open", path = key.display()),
        )
        .fix(format!(
            "chmod 600 {}",
            shell_words::quote(&key.to_string_lossy())
        )),
        Ok(_) if !public.is_file() => check(
            t!("misc.doctor.subject.ssh_key"),
            Verdict::Warn,
            t!("doctor_check.file_missing", path = public.display()),
        )
        .fix(t!("doctor_check.pub_fix")),
        Ok(_) => check(
            t!("misc.doctor.subject.ssh_key"),
            Verdict::Ok,
            format!("{}", key.display()),
        ),
    };
    out.push(c);
}

/// A config with `env:` values holds API keys: it must not be readable by other users. Only
/// shown when some agent has `env:` values.
fn check_config_mode(config: &Config, out: &mut Vec<Check>) {
    if config.agents.values().all(|a| a.env.is_empty()) {
        return;
    }
    let Ok(meta) = std::fs::metadata(&config.path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    let subject = t!("layout.doctor_subject_config");
    let c = if mode & 0o077 != 0 {
        check(
            subject,
            Verdict::Warn,
            t!(
                "layout.doctor_config_open",
                path = config.path.display(),
                mode = format!("{mode:04o}")
            ),
        )
        .fix(format!(
            "chmod 600 {}",
            shell_words::quote(&config.path.to_string_lossy())
        ))
    } else {
        check(
            subject,
            Verdict::Ok,
            t!("layout.doctor_config_private", path = config.path.display()),
        )
    };
    out.push(c);
}

/// For each running VM with an address: does it accept agsekit's key over SSH (what
/// `portforward` and `agsekit ssh` need)? One `ssh ... true` per VM, 5 s at most.
fn check_ssh_accepted(env: &Env<'_>, infos: Option<&[VmInfo]>, out: &mut Vec<Check>) {
    let Some(infos) = infos else { return };
    let keys = &env.config.global.ssh_keys_folder;
    if !keys.join("id_rsa").is_file() {
        return;
    }
    for vm in env.config.vms.values() {
        let Some(info) = infos.iter().find(|i| i.name == vm.name) else {
            continue;
        };
        if !info.state.is_running() {
            continue;
        }
        let Ok(endpoint) = env.backend.ssh_endpoint(&vm.name) else {
            continue;
        };
        let address = &endpoint.host;
        let subject = format!("ssh {}", vm.name);
        let cmd = crate::portforward::ssh_probe_command(keys, &endpoint);
        match env.runner.capture(&cmd) {
            Ok(o) if o.success() => out.push(check(
                subject,
                Verdict::Ok,
                t!("misc.doctor.key_accepted", address = address),
            )),
            Ok(o) => {
                let err = o.stderr_text();
                let last = err
                    .lines()
                    .rev()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with("Warning: Permanently added"))
                    .map(str::to_string)
                    .unwrap_or_else(|| t!("misc.doctor.no_message"));
                let refused = err.contains("Permission denied");
                out.push(
                    check(
                        subject,
                        Verdict::Warn,
                        if refused {
                            t!("doctor_check.ssh_refused", address = address, error = last)
                        } else {
                            t!(
                                "doctor_check.ssh_unreachable",
                                address = address,
                                error = last
                            )
                        },
                    )
                    .fix(if refused {
                        t!("doctor_check.ssh_refused_fix", vm = vm.name)
                    } else {
                        t!("doctor_check.ssh_unreachable_fix", vm = vm.name)
                    }),
                );
            }
            Err(e) => out.push(check(subject, Verdict::Skip, e.to_string())),
        }
    }
}

fn executable(p: &Path) -> bool {
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn check_shims(env: &Env<'_>, out: &mut Vec<Check>) {
    let mut names: Vec<&str> = env
        .config
        .agents
        .values()
        .map(|a| a.agent_type.binary())
        .collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return;
    }
    let dirs: Vec<PathBuf> = env
        .path_var
        .as_ref()
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    let shims = std::fs::canonicalize(&env.shims_dir).unwrap_or_else(|_| env.shims_dir.clone());
    let is_shims = |d: &Path| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf()) == shims;
    for name in names {
        let subject = t!("misc.doctor.subject.shim", name = name);
        if !executable(&env.shims_dir.join(name)) {
            out.push(
                check(
                    subject,
                    Verdict::Warn,
                    t!("doctor_check.no_shim", dir = env.shims_dir.display()),
                )
                .fix("agsekit shims install"),
            );
            continue;
        }
        match dirs.iter().find(|d| executable(&d.join(name))) {
            Some(d) if is_shims(d) => {
                out.push(check(subject, Verdict::Ok, t!("doctor_check.shim_first")))
            }
            Some(d) => out.push(
                check(
                    subject,
                    Verdict::Warn,
                    t!(
                        "doctor_check.shim_shadowed",
                        path = d.join(name).display(),
                        name = name
                    ),
                )
                .fix(t!("doctor_check.shim_shadowed_fix")),
            ),
            None => out.push(
                check(subject, Verdict::Warn, t!("doctor_check.shims_off_path"))
                    .fix(t!("doctor_check.shims_off_path_fix")),
            ),
        }
    }
}

fn check_shell_init(env: &Env<'_>, out: &mut Vec<Check>) {
    let shell = env
        .shell
        .as_deref()
        .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
        .unwrap_or_default();
    let (rc, line) = match shell.as_str() {
        "bash" => (env.home.join(".bashrc"), "eval \"$(agsekit init bash)\""),
        "zsh" => (env.home.join(".zshrc"), "eval \"$(agsekit init zsh)\""),
        "fish" => (
            env.home.join(".config/fish/config.fish"),
            "agsekit init fish | source",
        ),
        _ => {
            out.push(check(
                t!("misc.doctor.subject.shell_init"),
                Verdict::Skip,
                t!("doctor_check.unknown_shell", shell = format!("{shell:?}")),
            ));
            return;
        }
    };
    let text = std::fs::read_to_string(&rc).unwrap_or_default();
    if text.contains("agsekit init") {
        out.push(check(
            t!("misc.doctor.subject.shell_init"),
            Verdict::Ok,
            t!("doctor_check.rc_loads", path = rc.display()),
        ));
    } else {
        out.push(
            check(
                t!("misc.doctor.subject.shell_init"),
                Verdict::Warn,
                t!("doctor_check.rc_missing", path = rc.display()),
            )
            .fix(format!("echo '{line}' >> {}", rc.display())),
        );
    }
}

/// Tries to create a file and a hardlink to it in `dir`; says what failed.
fn probe_writes(dir: &Path) -> Result<(), String> {
    let probe = dir.join(format!(".agsekit-doctor-{}", std::process::id()));
    let link = dir.join(format!(".agsekit-doctor-{}-link", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&probe)
            .map_err(|e| t!("doctor_check.not_writable", error = e))?;
        f.write_all(b"agsekit doctor")
            .map_err(|e| t!("doctor_check.cannot_write", error = e))?;
        std::fs::hard_link(&probe, &link).map_err(|e| t!("doctor_check.no_hardlinks", error = e))
    })();
    let _ = std::fs::remove_file(&link);
    let _ = std::fs::remove_file(&probe);
    result
}

fn check_backup_folder(m: &MountConfig, out: &mut Vec<Check>) {
    let subject = t!("misc.doctor.subject.backups", path = m.backup.display());
    let Some(existing) = host::nearest_existing(&m.backup) else {
        out.push(check(subject, Verdict::Fail, t!("doctor_check.no_path")));
        return;
    };
    if !existing.is_dir() {
        out.push(check(
            subject,
            Verdict::Fail,
            t!("doctor_check.not_a_folder", path = existing.display()),
        ));
        return;
    }
    // A folder that does not exist yet is probed in its parent, where the first snapshot
    // creates it; never in a far ancestor such as `/` (nothing would be created there, and
    // "writable" would describe another folder).
    let missing = existing != m.backup;
    let parent = m.backup.parent().map(Path::to_path_buf);
    if missing && parent.as_ref() != Some(&existing) {
        out.push(
            check(
                subject,
                Verdict::Warn,
                t!(
                    "doctor_check.backup_parent_missing",
                    parent = parent.unwrap_or_default().display(),
                    existing = existing.display()
                ),
            )
            .fix(t!(
                "doctor_check.backup_parent_missing_fix",
                backup = shell_words::quote(&m.backup.to_string_lossy()),
                source = m.source.display()
            )),
        );
        return;
    }
    match probe_writes(&existing) {
        Err(why) => out.push(
            check(
                subject.clone(),
                Verdict::Fail,
                format!("{}: {why}", existing.display()),
            )
            .fix(t!("doctor_check.backup_fix", source = m.source.display())),
        ),
        Ok(()) => {
            let space = host::fs_space(&existing);
            match space {
                Some(s) if host::nearly_full(s) => out.push(
                    check(
                        subject.clone(),
                        Verdict::Warn,
                        t!(
                            "doctor_check.nearly_full",
                            free = crate::ui::human_bytes(s.available),
                            total = crate::ui::human_bytes(s.total)
                        ),
                    )
                    .fix(t!(
                        "doctor_check.nearly_full_fix",
                        source = m.source.display()
                    )),
                ),
                _ if missing => out.push(check(
                    subject.clone(),
                    Verdict::Ok,
                    t!(
                        "doctor_check.backup_not_created",
                        parent = existing.display()
                    ),
                )),
                _ => out.push(check(
                    subject.clone(),
                    Verdict::Ok,
                    match space {
                        Some(s) => t!(
                            "doctor_check.backup_ok_free",
                            free = crate::ui::human_bytes(s.available)
                        ),
                        None => t!("doctor_check.backup_ok"),
                    },
                )),
            }
        }
    }
    if !m.backup.is_dir() {
        return;
    }
    let lock = m.backup.join(backup::lock::LOCK_FILE);
    // Judged by the PID only: probing the flock, even for an instant, could make a writer
    // that starts at that moment skip its snapshot. A writer records its PID as soon as it
    // holds the lock.
    let pid = backup::lock::read_pid(&lock);
    let held = pid.is_some_and(host::pid_alive);
    let dead_pid = pid.filter(|_| !held);
    // Only agsekit's own unfinished folders: a user's `mystuff-partial` is not a problem.
    let partials = backup::chain::stale_partials(&m.backup).unwrap_or_default();
    // A dead PID alone is what every finished one-off snapshot leaves; next to unfinished
    // folders it is a writer that died mid-snapshot: a stale lock.
    if partials.is_empty() || held {
        return;
    }
    if let Some(pid) = dead_pid {
        out.push(
            check(
                t!("misc.doctor.subject.lock", path = lock.display()),
                Verdict::Warn,
                t!("doctor_check.stale_lock", pid = pid),
            )
            .fix(t!("doctor_check.stale_lock_fix"))
            .repair(Repair::ClearStaleLock { path: lock.clone() }),
        );
    }
    out.push(
        check(
            t!("misc.doctor.subject.partial", path = m.backup.display()),
            Verdict::Warn,
            t!("doctor_check.partials", list = partials.join(", ")),
        )
        .fix(t!("doctor_check.partials_fix"))
        .repair(Repair::RemovePartials {
            dest: m.backup.clone(),
        }),
    );
}

fn check_daemon(out: &mut Vec<Check>) {
    let p = crate::daemon::probe();
    let c = match (p.installed, p.running, p.version_mismatch) {
        (_, true, true) => check(
            t!("misc.doctor.subject.daemon"),
            Verdict::Warn,
            t!(
                "doctor_check.daemon_mismatch",
                version = p.version.as_deref().unwrap_or("unknown")
            ),
        )
        .fix("agsekit daemon restart")
        .repair(Repair::StartDaemon),
        (_, true, false) => check(
            t!("misc.doctor.subject.daemon"),
            Verdict::Ok,
            t!(
                "status.running_pid",
                pid = p.pid.map(|n| n.to_string()).unwrap_or_else(|| "?".into())
            ),
        ),
        (true, false, _) => check(
            t!("misc.doctor.subject.daemon"),
            Verdict::Fail,
            t!("doctor_check.daemon_down"),
        )
        .fix("agsekit daemon start")
        .repair(Repair::StartDaemon),
        (false, false, _) => check(
            t!("misc.doctor.subject.daemon"),
            Verdict::Skip,
            t!("doctor_check.daemon_absent"),
        )
        .fix("agsekit daemon install"),
    };
    out.push(c);
}

/// What a repair needs beyond the checks' environment.
pub struct RepairEnv<'a> {
    pub backend: &'a dyn VmBackend,
    pub runner: &'a dyn Runner,
    pub agsekit: PathBuf,
    pub config_path: PathBuf,
}

/// Performs one repair. Returns a line saying what was done.
pub fn apply(repair: &Repair, env: &RepairEnv<'_>) -> anyhow::Result<String> {
    match repair {
        Repair::Remount { vm, source, target } => {
            match env.backend.umount(vm, Some(target)) {
                Ok(()) | Err(crate::vm::VmError::NotMounted { .. }) => {}
                Err(e) => return Err(crate::UserError::from(e).into()),
            }
            env.backend
                .mount(source, vm, target)
                .map_err(crate::UserError::from)?;
            Ok(t!(
                "repair.mounted",
                source = source.display(),
                vm = vm,
                target = target
            ))
        }
        Repair::Host(h) => crate::vm::host::apply(h, env.runner),
        Repair::ClearStaleLock { path } => {
            clear_stale_lock(path)?;
            Ok(t!("repair.cleared", path = path.display()))
        }
        Repair::RemovePartials { dest } => {
            let held = backup::lock::try_lock(dest).map_err(|e| e.into_user_error(dest))?;
            let cleanup = backup::chain::remove_stale(dest).map_err(|e| {
                anyhow::anyhow!(t!("repair.clean_failed", path = dest.display(), error = e))
            })?;
            drop(held);
            if let Some(left) = cleanup.left.first() {
                let _ = clear_stale_lock(&dest.join(backup::lock::LOCK_FILE));
                anyhow::bail!(t!(
                    "repair.clean_failed",
                    path = dest.display(),
                    error = left
                ));
            }
            let removed = cleanup.removed;
            // Taking the lock wrote our PID; leave the file without a PID that will be stale.
            let _ = clear_stale_lock(&dest.join(backup::lock::LOCK_FILE));
            Ok(t!(
                "repair.removed_partials",
                n = removed.len(),
                path = dest.display()
            ))
        }
        Repair::StartDaemon => {
            let svc = crate::daemon::service::Service {
                runner: env.runner,
                platform: crate::daemon::service::platform(),
                agsekit: env.agsekit.clone(),
            };
            let probe = crate::daemon::probe();
            let lines = if probe.running {
                svc.restart(&env.config_path)?
            } else {
                svc.start(&env.config_path)?
            };
            Ok(lines.join("; "))
        }
    }
}

/// Empties a `backup.pid` nobody holds (taking the lock while doing so).
fn clear_stale_lock(path: &Path) -> anyhow::Result<()> {
    crate::pidlock::clear_stale(path).map_err(|e| match e {
        crate::pidlock::ClearError::Open(e) => {
            anyhow::anyhow!(t!("misc.io.cannot_open", path = path.display(), error = e))
        }
        crate::pidlock::ClearError::Held => {
            anyhow::anyhow!(t!("misc.doctor.lock_live", path = path.display()))
        }
        crate::pidlock::ClearError::Clear(e) => {
            anyhow::anyhow!(t!("misc.io.cannot_clear", path = path.display(), error = e))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unsafe_host_repairs_are_unsafe() {
        let host = |safe| {
            Repair::Host(HostRepair {
                description: "d".into(),
                safe,
                action: crate::vm::host::HostAction::RemoveStale {
                    root: "/x".into(),
                    files: Vec::new(),
                },
                done: "done".into(),
            })
        };
        assert!(!host(false).is_safe());
        assert!(host(true).is_safe());
        assert!(Repair::StartDaemon.is_safe());
        assert!(Repair::ClearStaleLock { path: "/x".into() }.is_safe());
    }

    #[test]
    fn write_probe_succeeds_in_a_temp_dir_and_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        probe_writes(dir.path()).expect("writable");
        assert!(dir_is_empty(dir.path()));
        assert!(probe_writes(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn stale_lock_is_emptied() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("backup.pid");
        std::fs::write(&p, "999999").expect("write");
        clear_stale_lock(&p).expect("clear");
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "");
    }
}
