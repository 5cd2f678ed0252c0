//! `agsekit addmount` and `agsekit removemount`: adding and removing `mounts:` entries in the
//! config file, keeping the rest of the file byte for byte (see `config::edit`), with a
//! timestamped copy of the old file and an atomic write. `--mount` and the unmount before a
//! removal go through the VM driver.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use super::args::{AddmountArgs, MethodArg, RemovemountArgs};
use super::GlobalArgs;
use crate::config::edit::{self, NewMount};
use crate::config::{self, layout, new_mount, CleanMethod, Config};
use crate::error::UserError;
use crate::ui::prompt::{self, Prompter};
use crate::vm::VmError;

/// Every user-facing text of these two commands, in one place for translation.
mod msg {
    use std::path::Path;

    use crate::config::MountConfig;
    use crate::error::UserError;
    use crate::t;

    pub fn ask_source() -> String {
        t!("mounts.ask_source")
    }
    pub fn ask_vm() -> String {
        t!("mounts.ask_vm")
    }
    pub fn ask_target() -> String {
        t!("mounts.ask_target")
    }
    pub fn ask_backup() -> String {
        t!("mounts.ask_backup")
    }
    pub fn ask_interval() -> String {
        t!("mounts.ask_interval")
    }
    pub fn ask_max_backups() -> String {
        t!("mounts.ask_max_backups")
    }
    pub fn ask_method() -> String {
        t!("mounts.ask_method")
    }
    pub fn ask_agents() -> String {
        t!("mounts.ask_agents")
    }
    pub fn ask_backupignore() -> String {
        t!("mounts.ask_backupignore")
    }
    pub fn ask_mount() -> String {
        t!("mounts.ask_mount")
    }
    pub fn ask_save() -> String {
        t!("mounts.ask_save")
    }
    pub fn ask_remove() -> String {
        t!("mounts.ask_remove")
    }
    pub fn ask_which() -> String {
        t!("mounts.ask_which")
    }
    pub fn cancelled() -> String {
        t!("mounts.cancelled")
    }

    pub fn folder_missing(p: &Path) -> String {
        format!(
            "agsekit: warning: {}",
            t!("mounts.folder_missing", path = p.display())
        )
    }

    pub fn added(config: &Path, backup: &Path) -> String {
        t!(
            "mounts.added",
            config = config.display(),
            backup = backup.display()
        )
    }
    pub fn removed(config: &Path, backup: &Path) -> String {
        t!(
            "mounts.removed",
            config = config.display(),
            backup = backup.display()
        )
    }
    pub fn wrote_backupignore(p: &Path) -> String {
        t!("mounts.wrote_backupignore", path = p.display())
    }
    pub fn kept_backupignore(p: &Path) -> String {
        t!("mounts.kept_backupignore", path = p.display())
    }
    pub fn no_folder_for_backupignore(p: &Path) -> String {
        format!(
            "agsekit: warning: {}",
            t!("mounts.no_folder_for_backupignore", path = p.display())
        )
    }
    pub fn mounted(source: &Path, vm: &str, target: &Path) -> String {
        t!(
            "mounts.mounted",
            source = source.display(),
            vm = vm,
            target = target.display()
        )
    }
    pub fn already_mounted(vm: &str, target: &Path) -> String {
        t!("mounts.already_mounted", vm = vm, target = target.display())
    }
    pub fn unmounted(vm: &str, target: &Path) -> String {
        t!("mounts.unmounted", vm = vm, target = target.display())
    }
    pub fn not_mounted(vm: &str, target: &Path) -> String {
        t!("mounts.not_mounted", vm = vm, target = target.display())
    }
    pub fn vm_gone(vm: &str, why: &str) -> String {
        format!(
            "agsekit: warning: {}",
            t!("mounts.vm_gone", vm = format!("{vm:?}"), why = why)
        )
    }
    pub fn default_vm_note(vm: &str) -> String {
        t!("mounts.default_vm", vm = format!("{vm:?}"))
    }
    pub fn add_heading(config: &Path) -> String {
        t!("mounts.add_heading", config = config.display())
    }
    pub fn removal_heading(config: &Path) -> String {
        t!("mounts.removal_heading", config = config.display())
    }
    pub fn mount_label(m: &MountConfig) -> String {
        format!("{} -> {}:{}", m.source.display(), m.vm, m.target.display())
    }
    /// The summary shown before saving or removing.
    pub fn describe(m: &MountConfig) -> String {
        let mut out = t!(
            "mounts.describe",
            source = m.source.display(),
            vm = m.vm,
            target = m.target.display(),
            backup = m.backup.display(),
            interval = m.interval,
            keep = m.max_backups,
            method = m.backup_clean_method.as_str()
        );
        if let Some(list) = &m.allowed_agents {
            out.push_str(&format!(
                "\n  {}",
                t!("check.allowed", list = list.join(", "))
            ));
        }
        out
    }

    // Errors: what went wrong, then the way out.
    pub fn sources_disagree(a: &Path, b: &Path) -> UserError {
        UserError::usage(t!(
            "mounts.sources_disagree",
            a = a.display(),
            b = b.display()
        ))
        .hint(t!("mounts.sources_disagree_hint"))
    }
    pub fn need_source() -> UserError {
        UserError::usage(t!("mounts.need_source")).hint(t!("mounts.need_source_hint"))
    }
    pub fn mount_missing_folder(source: &Path) -> UserError {
        UserError::usage(t!("mounts.missing_folder", source = source.display()))
            .hint(t!("mounts.missing_folder_hint", source = source.display()))
    }
    pub fn confirmation_needed() -> UserError {
        UserError::usage(t!("mounts.confirmation_needed")).hint(t!("mounts.hint_yes"))
    }
    pub fn cannot_write(file: &Path, e: &std::io::Error) -> UserError {
        UserError::failed(t!("mounts.cannot_write", path = file.display(), error = e)).hint(t!(
            "mounts.cannot_write_hint",
            dir = file.parent().unwrap_or(file).display()
        ))
    }
    pub fn mount_failed(err: UserError, source: &Path) -> UserError {
        err.hint(t!("mounts.mount_failed_hint", source = source.display()))
    }
    pub fn umount_failed(err: UserError, m: &MountConfig) -> UserError {
        err.hint(t!(
            "mounts.umount_failed_hint",
            source = m.source.display(),
            vm = m.vm
        ))
    }
    pub fn no_such_mount(
        source: &Path,
        vm: Option<&str>,
        config: &Path,
        all: &[String],
    ) -> UserError {
        let listing = if all.is_empty() {
            format!("  ({})", t!("check.none"))
        } else {
            all.iter()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let message = match vm {
            Some(vm) => t!(
                "mounts.no_such_mount_vm",
                source = source.display(),
                vm = format!("{vm:?}"),
                config = config.display()
            ),
            None => t!(
                "mounts.no_such_mount",
                source = source.display(),
                config = config.display()
            ),
        };
        UserError::config(format!("{message}\n{listing}")).hint(t!("mounts.no_such_mount_hint"))
    }
    pub fn no_mounts(vm: Option<&str>, config: &Path) -> UserError {
        let message = match vm {
            Some(vm) => t!(
                "mounts.no_mounts_vm",
                vm = format!("{vm:?}"),
                config = config.display()
            ),
            None => t!("mounts.no_mounts", config = config.display()),
        };
        UserError::config(message).hint(t!("mounts.no_mounts_hint"))
    }
    pub fn need_removal_source(only: &Path) -> UserError {
        UserError::usage(t!("mounts.need_removal_source"))
            .hint(format!("agsekit removemount {}", only.display()))
    }
    pub fn ambiguous(labels: &[String], source: Option<&Path>, first: &MountConfig) -> UserError {
        let lines: Vec<String> = labels.iter().map(|l| format!("  {l}")).collect();
        UserError::usage(format!(
            "{}\n{}",
            t!("mounts.ambiguous", n = labels.len()),
            lines.join("\n")
        ))
        .hint(match source {
            Some(s) => format!("agsekit removemount {} --vm {}", s.display(), first.vm),
            None => format!("agsekit removemount {}", first.source.display()),
        })
    }
}

/// The default `.backupignore` (the 1.7.4 list): regenerable folders and caches.
pub const DEFAULT_BACKUPIGNORE: &str = "# Paths left out of agsekit snapshots (gitignore syntax).\nvenv/\n.venv/\n__pycache__/\n*.pyc\nnode_modules/\n.mypy_cache/\n.pytest_cache/\n.ruff_cache/\n.tox/\n";

fn load(global: &GlobalArgs) -> anyhow::Result<(Config, String)> {
    let (config, text) =
        config::load_with_text(global.config.as_deref(), crate::backend::minimums)?;
    for w in &config.warnings {
        eprintln!("agsekit: warning: {}", crate::process::mask_secrets(w));
    }
    Ok((config, text))
}

/// With a prompter: asks `question` until `check` accepts the answer (Enter takes
/// `default`), showing each refusal. Without: checks `default`.
fn answer<T, R: BufRead, W: Write>(
    prompter: Option<&mut Prompter<R, W>>,
    question: &str,
    default: &str,
    check: impl Fn(&str) -> Result<T, UserError>,
) -> Result<T, UserError> {
    match prompter {
        Some(p) => Ok(p.valid(question, Some(default), |a| {
            check(a).map_err(|e| {
                std::iter::once(e.message)
                    .chain(e.hints)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })?),
        None => check(default),
    }
}

/// What `addmount` decided, before anything is written.
struct AddPlan {
    entry: NewMount,
    backupignore: bool,
    mount: bool,
}

/// `snap_rules`: the VM backend in use is confined like the Multipass snap (it says so, as it
/// does for `mount`), so its path limits apply to the source.
fn plan_add<R: BufRead, W: Write>(
    args: &AddmountArgs,
    config: &Config,
    mut prompter: Option<&mut Prompter<R, W>>,
    snap_rules: bool,
) -> Result<AddPlan, UserError> {
    let source = match (&args.source, &args.source_dir) {
        (Some(a), Some(b)) if config::normalize_path(a) != config::normalize_path(b) => {
            return Err(msg::sources_disagree(a, b));
        }
        (Some(a), _) | (None, Some(a)) => a.clone(),
        (None, None) => match prompter.as_deref_mut() {
            Some(p) => {
                // The current folder is offered only when it could be shared.
                let cwd = std::env::current_dir()
                    .ok()
                    .filter(|d| layout::not_shareable_hint(d, config).is_none())
                    .map(|d| d.display().to_string());
                PathBuf::from(p.text(&msg::ask_source(), cwd.as_deref())?)
            }
            None => return Err(msg::need_source()),
        },
    };
    let (source, name) = new_mount::source(config, &source, args.force_path, snap_rules)?;

    let vm = match &args.vm {
        Some(v) => config.vm(Some(v))?.name.clone(),
        None if config.vms.len() > 1 && prompter.is_some() && !args.yes => {
            let names: Vec<String> = config.vms.keys().cloned().collect();
            match prompter.as_deref_mut() {
                Some(p) => names[p.choose(&msg::ask_vm(), &names, Some(0))?].clone(),
                None => names[0].clone(),
            }
        }
        None => {
            let vm = config.vm(None)?.name.clone();
            if config.vms.len() > 1 {
                eprintln!("{}", msg::default_vm_note(&vm));
            }
            vm
        }
    };
    new_mount::unique_source(config, &source, &vm)?;

    // Each value: the flag, else in a terminal (without -y) a question whose Enter takes
    // the default, else the default. Every answer is checked like a flag would be.
    let check_target = |text: &str| new_mount::target(config, &vm, text);
    let target = match &args.target {
        Some(t) => check_target(&t.to_string_lossy())?,
        None => answer(
            prompter.as_deref_mut().filter(|_| !args.yes),
            &msg::ask_target(),
            &new_mount::default_target(&name),
            check_target,
        )?,
    };
    let check_backup = |text: &str| new_mount::backup(config, &source, &vm, text);
    let default_backup = new_mount::default_backup(&source, &name);
    let backup = match &args.backup {
        Some(b) => check_backup(&b.to_string_lossy())?,
        None => answer(
            prompter.as_deref_mut().filter(|_| !args.yes),
            &msg::ask_backup(),
            &default_backup.to_string_lossy(),
            check_backup,
        )?,
    };
    let positive = |what: &'static str| move |text: &str| new_mount::positive(what, text);
    let interval = match args.interval {
        Some(n) => n,
        None => answer(
            prompter.as_deref_mut().filter(|_| !args.yes),
            &msg::ask_interval(),
            "5",
            positive("INTERVAL"),
        )?,
    };
    let max_backups = match args.max_backups {
        Some(n) => n,
        None => answer(
            prompter.as_deref_mut().filter(|_| !args.yes),
            &msg::ask_max_backups(),
            "100",
            positive("--max-backups"),
        )?,
    };
    let method = match args.backup_clean_method {
        Some(MethodArg::Tail) => CleanMethod::Tail,
        Some(MethodArg::Thin) => CleanMethod::Thin,
        None => answer(
            prompter.as_deref_mut().filter(|_| !args.yes),
            &msg::ask_method(),
            "thin",
            new_mount::clean_method,
        )?,
    };
    let allowed = match &args.allowed_agents {
        Some(list) => new_mount::allowed_agents(list, config)?,
        None => answer(
            prompter.as_deref_mut().filter(|_| !args.yes),
            &msg::ask_agents(),
            "",
            |text| new_mount::allowed_agents(text, config),
        )?,
    };
    let entry = NewMount {
        source,
        vm,
        target,
        backup,
        interval,
        max_backups,
        backup_clean_method: method,
        allowed_agents: allowed,
    };

    let ask = |p: &mut Prompter<R, W>, q: &str| p.confirm(q, true);
    let (backupignore, mount) = match prompter {
        Some(p) if !args.yes => (
            args.create_backupignore || ask(p, &msg::ask_backupignore())?,
            args.mount || ask(p, &msg::ask_mount())?,
        ),
        _ => (args.create_backupignore, args.mount),
    };
    if mount && !entry.source.is_dir() {
        return Err(msg::mount_missing_folder(&entry.source));
    }
    Ok(AddPlan {
        entry,
        backupignore,
        mount,
    })
}

/// Asks to go ahead unless `-y`; without a terminal that is an error naming `-y`.
fn confirm<R: BufRead, W: Write>(
    yes: bool,
    prompter: Option<&mut Prompter<R, W>>,
    question: &str,
) -> Result<bool, UserError> {
    if yes {
        return Ok(true);
    }
    match prompter {
        Some(p) => Ok(p.confirm(question, true)?),
        None => Err(msg::confirmation_needed()),
    }
}

pub fn run_add(args: &AddmountArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let (config, text) = load(global)?;
    let interactive = prompt::can_prompt(global.non_interactive);
    let mut terminal = interactive.then(Prompter::terminal);
    let backend = crate::backend::open(&config);
    let plan = plan_add(
        args,
        &config,
        terminal.as_mut(),
        !backend.capabilities().shares_any_path,
    )?;

    // Build and check the new file before asking or touching anything.
    let new_text = edit::append_mount(&text, &config.path, &plan.entry)?;
    let mut expected = config.mounts.clone();
    expected.push(plan.entry.expected());
    edit::verify_mounts(
        &config,
        &new_text,
        &config.path,
        &expected,
        crate::backend::minimums,
    )?;

    println!("{}", msg::add_heading(&config.path));
    println!("{}", msg::describe(&plan.entry.expected()));
    if !plan.entry.source.exists() {
        eprintln!("{}", msg::folder_missing(&plan.entry.source));
    }
    if !confirm(args.yes, terminal.as_mut(), &msg::ask_save())? {
        println!("{}", msg::cancelled());
        return Ok(1);
    }
    let backup = config::write::replace_with_backup(&config.path, &text, &new_text)?;
    println!("{}", msg::added(&config.path, &backup));

    if plan.backupignore {
        let source = &plan.entry.source;
        let file = source.join(".backupignore");
        if !source.is_dir() {
            eprintln!("{}", msg::no_folder_for_backupignore(source));
        } else {
            match config::example::write_new(&file, DEFAULT_BACKUPIGNORE.as_bytes()) {
                Ok(config::example::Outcome::Written(p)) => {
                    println!("{}", msg::wrote_backupignore(&p))
                }
                Ok(config::example::Outcome::Exists(p)) => {
                    println!("{}", msg::kept_backupignore(&p))
                }
                Err(e) => return Err(msg::cannot_write(&file, &e).into()),
            }
        }
    }
    if plan.mount {
        let e = &plan.entry;
        let backend = crate::backend::open(&config);
        match backend.mount(&e.source, &e.vm, &e.target.to_string_lossy()) {
            Ok(()) => println!("{}", msg::mounted(&e.source, &e.vm, &e.target)),
            Err(VmError::AlreadyMounted { .. }) => {
                println!("{}", msg::already_mounted(&e.vm, &e.target))
            }
            Err(err) => {
                return Err(msg::mount_failed(err.into(), &e.source).into());
            }
        }
    }
    Ok(0)
}

/// The mounts `removemount` would act on.
fn pick_removal<R: BufRead, W: Write>(
    args: &RemovemountArgs,
    config: &Config,
    prompter: Option<&mut Prompter<R, W>>,
) -> Result<usize, UserError> {
    if let Some(vm) = &args.vm {
        config.vm(Some(vm))?;
    }
    let source = args.source.as_deref().map(config::normalize_path);
    let candidates: Vec<usize> = config
        .mounts
        .iter()
        .enumerate()
        .filter(|(_, m)| source.as_ref().is_none_or(|s| &m.source == s))
        .filter(|(_, m)| args.vm.as_ref().is_none_or(|v| &m.vm == v))
        .map(|(i, _)| i)
        .collect();
    let label = |i: usize| msg::mount_label(&config.mounts[i]);
    let vm = args.vm.as_deref();
    match (candidates.as_slice(), &source, prompter) {
        ([], Some(s), _) => {
            let all: Vec<String> = (0..config.mounts.len()).map(label).collect();
            Err(msg::no_such_mount(s, vm, &config.path, &all))
        }
        ([], None, _) => Err(msg::no_mounts(vm, &config.path)),
        ([one], Some(_), _) => Ok(*one),
        (many, _, Some(p)) => {
            let labels: Vec<String> = many.iter().map(|&i| label(i)).collect();
            Ok(many[p.choose(&msg::ask_which(), &labels, None)?])
        }
        (many, None, None) if many.len() == 1 => {
            Err(msg::need_removal_source(&config.mounts[many[0]].source))
        }
        (many, _, None) => {
            let labels: Vec<String> = many.iter().map(|&i| label(i)).collect();
            let first = &config.mounts[many[0]];
            Err(msg::ambiguous(&labels, source.as_deref(), first))
        }
    }
}

pub fn run_remove(args: &RemovemountArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    // A file whose only problems are unsafe mounts still loads: removing one is the fix.
    let (config, text, problems) =
        config::load_with_text_for_removal(global.config.as_deref(), crate::backend::minimums)?;
    for w in &config.warnings {
        eprintln!("agsekit: warning: {}", crate::process::mask_secrets(w));
    }
    for p in &problems {
        eprintln!(
            "agsekit: warning: {}",
            crate::process::mask_secrets(&p.to_string())
        );
    }
    let interactive = prompt::can_prompt(global.non_interactive);
    let mut terminal = interactive.then(Prompter::terminal);
    let index = pick_removal(args, &config, terminal.as_mut())?;
    let mount = config.mounts[index].clone();

    let new_text = edit::remove_mount(&text, &config.path, index)?;
    let mut expected = config.mounts.clone();
    expected.remove(index);
    edit::verify_removal(
        &config,
        &new_text,
        &config.path,
        &expected,
        crate::backend::minimums,
    )?;

    println!("{}", msg::removal_heading(&config.path));
    println!("{}", msg::describe(&mount));
    if !confirm(args.yes, terminal.as_mut(), &msg::ask_remove())? {
        println!("{}", msg::cancelled());
        return Ok(1);
    }

    // Unmount first: a failure leaves the config untouched, unless the VM is gone.
    let backend = crate::backend::open(&config);
    let target = mount.target.to_string_lossy().into_owned();
    match backend.umount(&mount.vm, Some(&target)) {
        Ok(()) => println!("{}", msg::unmounted(&mount.vm, &mount.target)),
        Err(VmError::NotMounted { .. }) => {
            println!("{}", msg::not_mounted(&mount.vm, &mount.target))
        }
        Err(
            err @ (VmError::InstanceMissing { .. }
            | VmError::InstanceDeleted { .. }
            | VmError::NotInstalled { .. }),
        ) => eprintln!("{}", msg::vm_gone(&mount.vm, &err.to_string())),
        Err(err) => {
            return Err(msg::umount_failed(err.into(), &mount).into());
        }
    }

    let backup = config::write::replace_with_backup(&config.path, &text, &new_text)?;
    println!("{}", msg::removed(&config.path, &backup));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config() -> Config {
        let yaml = "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\n  w: {cpu: 1, ram: 1G, disk: 1G}\nmounts:\n  - {source: /home/me/a}\n  - {source: /home/me/a, vm: w}\n  - {source: /home/me/b, target: /home/ubuntu/bee}\nagents:\n  q: {type: qwen}\n";
        config::load_from_str(yaml, Path::new("/c.yaml"), crate::backend::minimums).expect("valid")
    }

    fn add_args(source: &str) -> AddmountArgs {
        AddmountArgs {
            source: Some(PathBuf::from(source)),
            target: None,
            backup: None,
            interval: None,
            source_dir: None,
            vm: None,
            max_backups: None,
            backup_clean_method: None,
            mount: false,
            allowed_agents: None,
            create_backupignore: false,
            force_path: false,
            yes: true,
        }
    }

    type NoPrompt = Prompter<&'static [u8], Vec<u8>>;

    #[test]
    fn add_defaults_and_refusals() {
        let c = config();
        let plan =
            plan_add(&add_args("/home/me/new"), &c, None::<&mut NoPrompt>, true).expect("plan");
        assert_eq!(plan.entry.vm, "v");
        assert_eq!(plan.entry.target, Path::new("/home/ubuntu/new"));
        assert_eq!(plan.entry.backup, Path::new("/home/me/backups-new"));
        assert_eq!((plan.entry.interval, plan.entry.max_backups), (5, 100));

        let refused = |args: AddmountArgs| {
            plan_add(&args, &c, None::<&mut NoPrompt>, true)
                .err()
                .map(|e| e.message)
                .unwrap_or_default()
        };
        assert!(refused(add_args("/home/me/a")).contains("already mounted into VM \"v\""));
        let mut same_target = add_args("/home/me/other");
        same_target.target = Some(PathBuf::from("/home/ubuntu/bee"));
        assert!(refused(same_target).contains("already the target"));
        assert!(refused(add_args("/home/me/.hidden/x")).contains("hidden"));
        assert!(refused(add_args("/home/me/a b")).contains("space"));
        let mut bad_agent = add_args("/home/me/n");
        bad_agent.allowed_agents = Some("q, nope".into());
        assert!(refused(bad_agent).contains("\"nope\""));
        let mut inside = add_args("/home/me/n");
        inside.backup = Some(PathBuf::from("/home/me/n/bk"));
        assert!(refused(inside).contains("inside the shared folder"));
        let mut root_target = add_args("/home/me/n");
        root_target.target = Some(PathBuf::from("~"));
        assert!(refused(root_target).contains("cannot mount to /home/ubuntu"));
        let mut forced = add_args("/srv/app");
        forced.force_path = true;
        assert!(plan_add(&forced, &c, None::<&mut NoPrompt>, true).is_ok());
        // Outside /home: refused for a snap-confined backend only (the backend decides).
        let outside = add_args("/srv/app");
        let err = plan_add(&outside, &c, None::<&mut NoPrompt>, true)
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(err.contains("/home"), "{err}");
        assert!(plan_add(&outside, &c, None::<&mut NoPrompt>, false).is_ok());

        let mut w = add_args("/home/me/a");
        w.vm = Some("w2".into());
        assert!(refused(w).contains("no VM named \"w2\""));
        let mut listed = add_args("/home/me/n");
        listed.allowed_agents = Some("q,codex,q".into());
        let plan = plan_add(&listed, &c, None::<&mut NoPrompt>, true).expect("plan");
        assert_eq!(
            plan.entry.allowed_agents,
            Some(vec!["q".to_string(), "codex".to_string()])
        );
    }

    #[test]
    fn add_asks_in_a_terminal() {
        let c = config();
        let mut args = add_args("/home/me/new");
        args.source = None;
        args.yes = false;
        // Folder, VM 2, target "/" refused then the default, backup default, interval 0
        // refused then 3, max default, method "x" refused then tail, agents "nope" refused
        // then q, no .backupignore, no mount.
        let answers = "/home/me/asked\n2\n/\n\n\n0\n3\n\nx\ntail\nnope\nq\nn\nn\n";
        let mut out = Vec::new();
        let mut p = Prompter::new(answers.as_bytes(), &mut out);
        let plan = plan_add(&args, &c, Some(&mut p), true).expect("plan");
        assert_eq!(plan.entry.source, Path::new("/home/me/asked"));
        assert_eq!(plan.entry.vm, "w");
        assert_eq!(plan.entry.target, Path::new("/home/ubuntu/asked"));
        assert_eq!(plan.entry.backup, Path::new("/home/me/backups-asked"));
        assert_eq!((plan.entry.interval, plan.entry.max_backups), (3, 100));
        assert_eq!(plan.entry.backup_clean_method, CleanMethod::Tail);
        assert_eq!(plan.entry.allowed_agents, Some(vec!["q".to_string()]));
        assert!(!plan.backupignore && !plan.mount);
        let shown = String::from_utf8(out).expect("utf8");
        for refusal in [
            "Multipass cannot mount to / in a VM",
            "INTERVAL must be a whole number",
            "unknown cleanup method \"x\"",
            "\"nope\" is neither",
        ] {
            assert!(shown.contains(refusal), "missing {refusal:?} in:\n{shown}");
        }

        // With -y only the missing folder is asked; the rest takes the defaults.
        args.yes = true;
        let mut p = Prompter::new(&b"/home/me/quick\n"[..], Vec::new());
        let plan = plan_add(&args, &c, Some(&mut p), true).expect("plan");
        assert_eq!(plan.entry.vm, "v");
        assert_eq!(plan.entry.interval, 5);
    }

    #[test]
    fn removal_picks_exactly_one() {
        let c = config();
        let args = |s: Option<&str>, vm: Option<&str>| RemovemountArgs {
            source: s.map(PathBuf::from),
            vm: vm.map(String::from),
            yes: true,
        };
        let pick = |a: RemovemountArgs| pick_removal(&a, &c, None::<&mut NoPrompt>);
        assert_eq!(pick(args(Some("/home/me/b"), None)).expect("one"), 2);
        assert_eq!(pick(args(Some("/home/me/a"), Some("w"))).expect("one"), 1);
        let many = pick(args(Some("/home/me/a"), None)).expect_err("ambiguous");
        assert!(many.message.contains("2 mounts match"), "{}", many.message);
        assert!(many.hints[0].contains("--vm v"), "{:?}", many.hints);
        // Exact match only: a folder below a mount is not that mount.
        assert!(pick(args(Some("/home/me/a/sub"), None)).is_err());
        assert!(pick(args(None, None)).is_err());
        let mut p = Prompter::new(&b"3\n"[..], Vec::new());
        assert_eq!(
            pick_removal(&args(None, None), &c, Some(&mut p)).expect("chosen"),
            2
        );
    }
}
