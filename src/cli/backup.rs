//! `backup-once`, `backup-repeated`, `backup-repeated-mount`, `backup-repeated-all` and
//! `backup-clean`: flags as in agsekit 1.7.4; the work is done by `crate::backup`.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use super::args::{
    BackupCleanArgs, BackupOnceArgs, BackupRepeatedAllArgs, BackupRepeatedArgs,
    BackupRepeatedMountArgs, BudgetArgs, MethodArg,
};
use super::config::load_config;
use super::GlobalArgs;
use crate::backup::repeat::{self, RepeatEvent, RepeatSpec};
use crate::backup::CleanMethod;
use crate::backup::{self, BackupOptions, Event, Interrupt, SnapshotReport};
use crate::config::{self, Config, MountConfig};
use crate::ui::human_bytes;
use crate::ui::progress::Bar;
use crate::{t, ErrorKind, UserError};

impl From<MethodArg> for CleanMethod {
    fn from(m: MethodArg) -> CleanMethod {
        match m {
            MethodArg::Tail => CleanMethod::Tail,
            MethodArg::Thin => CleanMethod::Thin,
        }
    }
}

/// Walk/write threads from `AGSEKIT_BACKUP_THREADS` (0 or unset = automatic).
fn threads_from_env() -> usize {
    std::env::var("AGSEKIT_BACKUP_THREADS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Installs SIGINT/SIGTERM handlers that request a clean stop; a second signal ends the
/// process at once.
pub fn install_stop_handlers() -> anyhow::Result<Interrupt> {
    let flag = Arc::new(AtomicBool::new(false));
    let (wakeup, writer) = backup::Wakeup::pair()?;
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&flag))?;
        // The flag first, then the pipe: a sleeper woken by the pipe finds the flag set.
        signal_hook::flag::register(sig, Arc::clone(&flag))?;
        signal_hook::low_level::pipe::register(sig, writer.try_clone()?)?;
    }
    Ok(Interrupt::with_wakeup(flag, wakeup))
}

/// The `--progress` bar (`ui::progress::Bar`) fed by the engine's events.
pub(crate) struct ProgressBar {
    bar: Bar,
}

impl ProgressBar {
    pub(crate) fn new() -> ProgressBar {
        ProgressBar { bar: Bar::new() }
    }

    pub(crate) fn on_event(&self, event: &Event) {
        match event {
            Event::Planned(plan) => self
                .bar
                .planned(plan.copy_files + plan.link_files, plan.copy_bytes),
            Event::Progress { files, bytes } => self.bar.progress(*files, *bytes),
            Event::Warning(_) => self.bar.before_a_line(),
            _ => {}
        }
    }

    pub(crate) fn finish(&self) {
        self.bar.finish();
    }

    /// Prints `line` on its own line, above the bar.
    pub(crate) fn line(&self, line: &str) {
        self.bar.line(line);
    }
}

fn print_warning(prefix: &str, w: &backup::Warning) {
    eprintln!("{prefix}warning: {w}");
}

/// What the tripwire needs from the config: its settings, and the mounts (to name the
/// restore command by mount when the folder is one).
#[derive(Debug, Clone, Default)]
struct TripwireContext {
    settings: config::TripwireConfig,
    /// `(source, backup)` of every configured mount.
    mounts: Vec<(PathBuf, PathBuf)>,
    /// `global.review.protected_paths` (`None` without a config: the built-in list).
    protected: Option<Vec<String>>,
}

impl TripwireContext {
    fn of(cfg: &Config) -> TripwireContext {
        TripwireContext {
            settings: cfg.global.tripwire,
            mounts: cfg
                .mounts
                .iter()
                .map(|m| (m.source.clone(), m.backup.clone()))
                .collect(),
            protected: Some(cfg.global.review.protected_paths.clone()),
        }
    }

    /// For the commands that work without a config: the config's settings when it loads,
    /// else the defaults (the tripwire stays on).
    fn load(global: &GlobalArgs) -> TripwireContext {
        config::load(global.config.as_deref(), crate::backend::minimums)
            .map(|c| TripwireContext::of(&c))
            .unwrap_or_default()
    }

    fn is_mount(&self, source: &Path, dest: &Path) -> bool {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        self.mounts
            .iter()
            .any(|(s, b)| canon(s) == canon(source) && canon(b) == canon(dest))
    }
}

/// The tripwire's alert for a report that found a mass deletion (without the
/// `agsekit: warning: ` prefix); `by_mount` names the restore command by mount.
pub(crate) fn tripwire_alert(report: &SnapshotReport, by_mount: bool) -> Option<String> {
    let found = report.tripwire.as_ref()?;
    Some(backup::tripwire::alert(
        found,
        &report.source,
        &report.dest,
        by_mount,
    ))
}

/// What a snapshot takes from the config, for commands that work without one: the
/// tripwire's settings and `global.review.protected_paths` when the config loads, else the
/// defaults (the tripwire stays on) and `None` (the built-in protected paths). The config is
/// read once.
pub(crate) fn snapshot_settings(
    global: &GlobalArgs,
) -> (config::TripwireConfig, Option<Vec<String>>) {
    let ctx = TripwireContext::load(global);
    (ctx.settings, ctx.protected)
}

/// One line per `.backupignore` whose text the user has not accepted (without the
/// `agsekit: warning: ` prefix); `flags` names the chain for `agsekit accept-ignore`.
pub(crate) fn pending_rules_lines(
    pending: &[backup::rules::PendingRules],
    source: &Path,
    flags: &str,
) -> Vec<String> {
    pending
        .iter()
        .map(|p| {
            t!(
                "rules.pending",
                file =
                    crate::ui::untrusted::path(&source.join(std::ffi::OsStr::from_bytes(&p.path))),
                held = p.held,
                hidden = p.hidden,
                flags = flags
            )
        })
        .collect()
}

/// Prints the tripwire's alert, if any, on stderr (`backup.log` for the background loop).
fn print_tripwire(prefix: &str, report: &SnapshotReport, ctx: &TripwireContext) {
    if report.tripwire.is_none() {
        return;
    }
    let by_mount = ctx.is_mount(&report.source, &report.dest);
    if let Some(line) = tripwire_alert(report, by_mount) {
        eprintln!("{prefix}agsekit: warning: {line}");
    }
}

/// The lines the original prints for one snapshot, plus a summary.
fn print_report(prefix: &str, report: &SnapshotReport, ctx: &TripwireContext) {
    match &report.created {
        None => println!("{prefix}{}", t!("backup.no_changes")),
        Some(snap) => {
            println!(
                "{prefix}{}",
                t!("backup.created", path = snap.path.display())
            );
            let s = &report.stats;
            // Files copied only because their inode reached the hard-link limit (EMLINK)
            // are said on the same line: they cost space that a link would not.
            let key = if s.link_limit_copies > 0 {
                "backup.created_stats_link_limit"
            } else {
                "backup.created_stats"
            };
            println!(
                "{prefix}{}",
                t!(
                    key,
                    copied = s.files_copied,
                    bytes = human_bytes(s.bytes_copied),
                    limit = s.link_limit_copies,
                    linked = s.files_linked,
                    deleted = report.plan.deleted,
                )
            );
            if crate::process::debug_enabled() && s.link_limit_copies > 0 {
                eprintln!(
                    "[debug] {prefix}{}",
                    t!("backup.debug.link_limit", n = s.link_limit_copies)
                );
                for path in &s.link_limit_paths {
                    eprintln!("[debug] {prefix}  {}", crate::ui::untrusted::path(path));
                }
                let more = s.link_limit_copies - s.link_limit_paths.len() as u64;
                if more > 0 {
                    eprintln!(
                        "[debug] {prefix}{}",
                        t!("backup.debug.link_limit_more", n = more)
                    );
                }
            }
        }
    }
    if !report.warnings.is_empty() {
        let warnings = crate::count!("backup.count.warning", report.warnings.len());
        // `warning:` stays English (a prefix scripts look for); the text after it is translated.
        eprintln!(
            "{prefix}warning: {}",
            t!("backup.finished_with_warnings", warnings = warnings)
        );
    }
    print_tripwire(prefix, report, ctx);
    if !report.pending_rules.is_empty() {
        let flags = backup::chain::command_flags(
            &report.source,
            &report.dest,
            ctx.is_mount(&report.source, &report.dest),
        );
        for line in pending_rules_lines(&report.pending_rules, &report.source, &flags) {
            eprintln!("{prefix}agsekit: warning: {line}");
        }
    }
}

pub fn run_once(args: &BackupOnceArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let interrupt = install_stop_handlers()?;
    let ctx = TripwireContext::load(global);
    let options = BackupOptions {
        tripwire: ctx.settings.into(),
        protected: ctx.protected.clone(),
        // The engine takes paths as given: a quoted `~/x` is expanded here.
        source: config::expand_tilde(&args.source_dir),
        dest: config::expand_tilde(&args.dest_dir),
        excludes: args.exclude.clone(),
        interrupt,
        threads: threads_from_env(),
        ..BackupOptions::default()
    };
    let bar = args.progress.then(ProgressBar::new);
    let on_event = |e: &Event| {
        match e {
            Event::RemovedStale(p) => {
                println!("{}", t!("backup.removed_stale", path = p.display()))
            }
            Event::Warning(w) => {
                match &bar {
                    Some(b) => b.line(&format!("warning: {w}")),
                    None => print_warning("", w),
                }
                return;
            }
            _ => {}
        }
        if let Some(b) = &bar {
            b.on_event(e);
        }
    };
    let result = backup::snapshot_once(&options, &on_event);
    if let Some(b) = &bar {
        b.finish();
    }
    let report = result?;
    print_report("", &report, &ctx);
    Ok(if report.warnings.is_empty() {
        0
    } else {
        ErrorKind::Warnings.exit_code()
    })
}

/// Prints a loop's events, each line prefixed (for `backup-repeated-all`).
fn loop_printer(prefix: String, ctx: TripwireContext) -> impl Fn(RepeatEvent<'_>) + Sync {
    move |event| match event {
        RepeatEvent::Engine(Event::RemovedStale(p)) => {
            println!("{prefix}{}", t!("backup.removed_stale", path = p.display()))
        }
        RepeatEvent::Engine(Event::Warning(w)) => print_warning(&prefix, w),
        RepeatEvent::Engine(_) => {}
        RepeatEvent::Snapshot(report) => print_report(&prefix, report, &ctx),
        RepeatEvent::Failed(err) => {
            eprint!("{prefix}{}", crate::error::render(err));
        }
        RepeatEvent::Skipped { pid, dest } => {
            let who = pid
                .map(|p| format!("PID {p}"))
                .unwrap_or_else(|| t!("backup.another_process"));
            println!(
                "{prefix}{}",
                t!("backup.skipping_cycle", dest = dest.display(), who = who)
            );
        }
        RepeatEvent::Removed(p) => println!(
            "{prefix}{}",
            t!("backup.removing_snapshot", path = p.display())
        ),
        RepeatEvent::Waiting { minutes } => {
            println!("{prefix}{}", t!("backup.waiting", minutes = minutes))
        }
    }
}

pub fn run_repeated(args: &BackupRepeatedArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    repeat::validate(args.interval, args.max_backups)?;
    let interrupt = install_stop_handlers()?;
    let ctx = TripwireContext::load(global);
    let spec = RepeatSpec {
        options: BackupOptions {
            tripwire: ctx.settings.into(),
            protected: ctx.protected.clone(),
            source: config::expand_tilde(&args.source_dir),
            dest: config::expand_tilde(&args.dest_dir),
            excludes: args.exclude.clone(),
            interrupt,
            threads: threads_from_env(),
            ..BackupOptions::default()
        },
        interval_minutes: args.interval,
        max_backups: args.max_backups,
        method: args.backup_clean_method.into(),
        skip_first: args.skip_first,
        min_free: args.budget.min_free,
    };
    repeat::run_repeated(&spec, &loop_printer(String::new(), ctx))?;
    Ok(0)
}

fn spec_for_mount(
    mount: &MountConfig,
    interrupt: &Interrupt,
    budget: &BudgetArgs,
    cfg: &Config,
) -> RepeatSpec {
    RepeatSpec {
        options: BackupOptions {
            tripwire: cfg.global.tripwire.into(),
            protected: Some(cfg.global.review.protected_paths.clone()),
            source: mount.source.clone(),
            dest: mount.backup.clone(),
            interrupt: interrupt.clone(),
            threads: threads_from_env(),
            ..BackupOptions::default()
        },
        interval_minutes: mount.interval,
        max_backups: mount.max_backups,
        method: mount.backup_clean_method.into(),
        skip_first: false,
        min_free: budget.min_free,
    }
}

/// The configured mount whose `source` is exactly `path` (after `~` expansion and resolving).
fn mount_by_source<'c>(cfg: &'c Config, path: &Path) -> anyhow::Result<&'c MountConfig> {
    let expanded = config::expand_tilde(path);
    let absolute = if expanded.is_absolute() {
        expanded
    } else {
        std::env::current_dir()
            .map(|d| d.join(&expanded))
            .unwrap_or(expanded)
    };
    let resolved = std::fs::canonicalize(&absolute).unwrap_or_else(|_| absolute.clone());
    cfg.mounts
        .iter()
        .find(|m| m.source == resolved || m.source == absolute)
        .ok_or_else(|| {
            let known: Vec<String> = cfg
                .mounts
                .iter()
                .map(|m| m.source.display().to_string())
                .collect();
            UserError::config(t!(
                "backup.no_mount_with_source",
                source = resolved.display(),
                config = cfg.path.display(),
                known = if known.is_empty() {
                    t!("backup.none")
                } else {
                    known.join(", ")
                },
            ))
            .hint(t!("backup.no_mount_hint"))
            .into()
        })
}

pub fn run_repeated_mount(
    args: &BackupRepeatedMountArgs,
    global: &GlobalArgs,
) -> anyhow::Result<i32> {
    let cfg = load_config(global)?;
    let mount = match &args.mount {
        Some(p) => mount_by_source(&cfg, p)?,
        None => match cfg.mounts.as_slice() {
            [only] => only,
            [] => {
                return Err(
                    UserError::config(t!("backup.no_mounts", config = cfg.path.display()))
                        .hint("agsekit addmount <folder>")
                        .into(),
                )
            }
            _ => {
                return Err(UserError::usage(t!("backup.which_mount", n = cfg.mounts.len())).into())
            }
        },
    };
    let interrupt = install_stop_handlers()?;
    let spec = spec_for_mount(mount, &interrupt, &args.budget, &cfg);
    repeat::run_repeated(
        &spec,
        &loop_printer(String::new(), TripwireContext::of(&cfg)),
    )?;
    Ok(0)
}

pub fn run_repeated_all(args: &BackupRepeatedAllArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let cfg = load_config(global)?;
    if cfg.mounts.is_empty() {
        return Err(
            UserError::config(t!("backup.no_mounts", config = cfg.path.display()))
                .hint("agsekit addmount <folder>")
                .into(),
        );
    }
    let interrupt = install_stop_handlers()?;
    let results: Mutex<Vec<anyhow::Error>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for mount in &cfg.mounts {
            let spec = spec_for_mount(mount, &interrupt, &args.budget, &cfg);
            let prefix = format!("[{}] ", mount.source.display());
            let results = &results;
            let ctx = TripwireContext::of(&cfg);
            scope.spawn(move || {
                let printer = loop_printer(prefix.clone(), ctx);
                if let Err(err) = repeat::run_repeated(&spec, &printer) {
                    if let Ok(mut r) = results.lock() {
                        r.push(err.context(prefix.trim().to_string()));
                    }
                }
            });
        }
    });
    let errors = results.into_inner().unwrap_or_default();
    if interrupt.is_set() {
        println!("{}", t!("backup.stop_requested"));
        return Err(backup::interrupted());
    }
    // A loop only ends early on a startup error (bad source or destination).
    for err in &errors {
        eprint!("{}", crate::error::render(err));
    }
    Ok(if errors.is_empty() { 0 } else { 1 })
}

pub fn run_clean(args: &BackupCleanArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    if args.keep < 0 {
        return Err(UserError::usage(t!("backup.keep_negative", keep = args.keep)).into());
    }
    let cfg = load_config(global)?;
    let mount = mount_by_source(&cfg, &args.mount_source)?;
    if !mount.backup.is_dir() {
        return Err(UserError::failed(t!(
            "backup.no_backup_folder",
            backup = mount.backup.display(),
            source = mount.source.display()
        ))
        .hint(t!("backup.no_backup_folder_hint"))
        .into());
    }
    let keep = args.keep as usize;
    // Like every writer: a snapshot being written (or read by a restore) is never deleted
    // under it. Held by another process: exit status 6 at once, as `backup-once`.
    let dest = std::fs::canonicalize(&mount.backup).unwrap_or_else(|_| mount.backup.clone());
    let _lock = backup::lock::try_lock(&dest).map_err(|e| e.into_user_error(&dest))?;
    let mut removed =
        backup::clean_backups(&mount.backup, keep, args.method.into(), mount.interval)?;
    if let Some(min_free) = args.budget.min_free {
        removed.extend(backup::retention::ensure_free_space(
            &mount.backup,
            min_free,
            args.method.into(),
            mount.interval,
        )?);
    }
    if removed.is_empty() {
        println!("{}", t!("backup.nothing_removed", keep = keep));
    }
    for p in &removed {
        println!("{}", t!("backup.removing_snapshot", path = p.display()));
    }
    Ok(0)
}
