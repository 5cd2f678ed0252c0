//! The interactive side of the command line:
//! - `agsekit` with no command, in a terminal: a menu of commands grouped by section; the
//!   chosen command's parameters are asked for (with choices from the config: VMs, mounts,
//!   agents, snapshots), the equivalent command line is shown, and after a confirmation the
//!   command runs in this process;
//! - a command missing a required argument, in a terminal: one line saying what is missing,
//!   then the same questions for the missing values, the command line and the confirmation.
//!
//! Both need stdin, stdout and stderr to be terminals and no `--non-interactive`; otherwise
//! clap's usual help or usage error stands (exit 2). The questions are built from the clap
//! definition itself (help texts, possible values, defaults), so commands added later get
//! them too; the table below only says where a command appears and which optional
//! parameters are worth asking. Entries whose command does not exist in this build are not
//! shown.

use std::collections::HashSet;
use std::ffi::OsString;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Command};

use crate::config::Config;
use crate::error::UserError;
use crate::i18n;
use crate::t;
use crate::ui::menu::{fit, menu_line, terminal_width};
use crate::ui::prompt::{self, Prompter};
use crate::ui::style::{self, Tone};

/// One menu entry: a command path (`"daemon install"`) and the optional parameters (clap
/// ids) to ask for besides the required ones, in the order asked. Ids that the command does
/// not have are skipped, so entries can name parameters of commands not merged yet.
struct Entry {
    path: &'static str,
    ask: &'static [&'static str],
}

struct Section {
    key: &'static str,
    entries: &'static [Entry],
}

const fn e(path: &'static str, ask: &'static [&'static str]) -> Entry {
    Entry { path, ask }
}

/// VM-name parameters of the VM commands, whatever their id.
const VM: &[&str] = &["vm", "vm_name", "name"];

const SECTIONS: &[Section] = &[
    Section {
        key: crate::msg_key!("menu.section.setup"),
        entries: &[
            e("up", &[]),
            e("prepare", &[]),
            e("config-gen", &[]),
            e("config-example", &[]),
            e("config-check", &[]),
            e("list-bundles", &[]),
        ],
    },
    Section {
        key: crate::msg_key!("menu.section.vms"),
        entries: &[
            e("create-vms", &[]),
            e("create-vm", VM),
            e("start-vm", VM),
            e("stop-vm", VM),
            e("restart-vm", VM),
            e("suspend-vm", VM),
            e("resume-vm", VM),
            e("destroy-vm", VM),
            e("down", &[]),
        ],
    },
    Section {
        key: crate::msg_key!("menu.section.mounts"),
        entries: &[
            e("mount", &["source_dir", "vm"]),
            e("umount", &["source_dir", "vm"]),
            e("addmount", &[]),
            e("removemount", &[]),
        ],
    },
    Section {
        key: crate::msg_key!("menu.section.agents"),
        entries: &[
            e("install-agents", &["agent_name", "vm"]),
            e(
                "run",
                &["agent", "workdir", "vm", "disable_backups", "args"],
            ),
            e("shell", VM),
            e("ssh", VM),
            e("portforward", &[]),
            e("shims install", &[]),
            e("shims list", &[]),
        ],
    },
    Section {
        key: crate::msg_key!("menu.section.backups"),
        entries: &[
            e("backup-once", &["source_dir", "dest_dir", "progress"]),
            e("backup-repeated", &["source_dir", "dest_dir", "interval"]),
            e("backup-repeated-mount", &["mount"]),
            e("backup-repeated-all", &[]),
            e("backup-clean", &["mount_source", "keep", "method"]),
            e("snapshots", &["mount"]),
            e("diff", &["mount", "snap", "stat"]),
            e("restore", &["mount", "snap", "paths"]),
            e("history", &["mount", "file"]),
            e("accept-ignore", &["mount"]),
        ],
    },
    Section {
        key: crate::msg_key!("menu.section.status"),
        entries: &[
            e("status", &[]),
            e("doctor", &[]),
            e("daemon install", &[]),
            e("daemon uninstall", &[]),
            e("daemon start", &[]),
            e("daemon stop", &[]),
            e("daemon restart", &[]),
            e("daemon status", &[]),
        ],
    },
];

/// Ids of the options every command has; never asked.
const GLOBAL_IDS: &[&str] = &["config", "non_interactive", "debug", "help", "version"];

/// What a command does with the config file, for the question the menu asks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// The file must exist (it is read as it is: `config-check`).
    File,
    /// The file must exist and load without errors.
    Loads,
}

/// Commands that run without a config: the menu asks no config question for them.
const NO_CONFIG: &[&str] = &[
    "prepare",
    "config-gen",
    "config-example",
    "list-bundles",
    "backup-once",
    "backup-repeated",
    "shims list",
    "daemon uninstall",
    "daemon stop",
    "daemon status",
];

fn config_need(path: &str) -> Option<Need> {
    match path {
        p if NO_CONFIG.contains(&p) => None,
        "config-check" => Some(Need::File),
        _ => Some(Need::Loads),
    }
}

/// Commands that, run in a terminal with no config file, open the questions (config first)
/// instead of failing, as 1.7.4 does.
const ASK_WHEN_NO_CONFIG: &[&str] = &["backup-clean", "addmount", "removemount", "run", "ssh"];

/// Whether the menu or the fallback may ask: stdin, stdout and stderr are terminals (the
/// command's own output must be seen) and `--non-interactive` is off.
fn interactive(non_interactive: bool) -> bool {
    prompt::can_prompt(non_interactive) && std::io::stdout().is_terminal()
}

/// The literal `--non-interactive` anywhere before `--` (as 1.7.4 looks for it).
fn non_interactive_in(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--non-interactive")
}

/// Called with a clap parse error: opens the menu (no command given) or the fallback
/// (a required argument missing) when the terminal allows; `None` leaves the error to be
/// printed as usual.
pub fn on_parse_error(err: &clap::Error, args: &[OsString]) -> Option<i32> {
    use clap::error::ErrorKind as K;
    let wanted = matches!(
        err.kind(),
        K::DisplayHelpOnMissingArgumentOrSubcommand | K::MissingSubcommand
    ) || err.kind() == K::MissingRequiredArgument;
    if !wanted || non_interactive_in(args) || !interactive(false) {
        return None;
    }
    let english = super::command_for_docs();
    let matches = relaxed(english.clone()).try_get_matches_from(args).ok()?;
    let globals = Globals::from(&matches);
    let path = subcommand_path(&matches);
    if !path.is_empty() && err.kind() != K::MissingRequiredArgument {
        // A group without its subcommand (`agsekit shims`): clap's help says what exists.
        return None;
    }
    let missing = if path.is_empty() {
        None
    } else {
        // Nothing we can ask for (a required group, say): leave clap's error.
        Some(missing_ids(&path, &matches)?)
    };
    let mut p = Prompter::terminal();
    let result = match missing {
        None => menu(&mut p, &globals),
        Some((present, missing)) => fallback(&mut p, &globals, args, &path, &present, &missing),
    };
    Some(match result {
        Ok(code) => code,
        Err(err) => super::report(&err.into()),
    })
}

/// The options given before the command, carried into the command line the menu builds.
struct Globals {
    config: Option<PathBuf>,
    debug: bool,
}

impl Globals {
    fn from(m: &ArgMatches) -> Globals {
        Globals {
            config: m.get_one::<PathBuf>("config").cloned(),
            debug: m.get_flag("debug"),
        }
    }

    fn words(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(c) = &self.config {
            out.push("--config".to_string());
            out.push(c.display().to_string());
        }
        if self.debug {
            out.push("--debug".to_string());
        }
        out
    }
}

/// The command with nothing required, to learn what a short command line did give.
fn relaxed(cmd: Command) -> Command {
    let mut cmd = cmd.subcommand_required(false).arg_required_else_help(false);
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| a.required(false));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, relaxed);
    }
    cmd
}

fn subcommand_path(m: &ArgMatches) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = m;
    while let Some((name, sub)) = cur.subcommand() {
        out.push(name.to_string());
        cur = sub;
    }
    out
}

fn leaf_matches<'a>(m: &'a ArgMatches, path: &[String]) -> &'a ArgMatches {
    let mut cur = m;
    for name in path {
        match cur.subcommand_matches(name) {
            Some(sub) => cur = sub,
            None => break,
        }
    }
    cur
}

fn find<'a>(cmd: &'a Command, path: &[&str]) -> Option<&'a Command> {
    let mut cur = cmd;
    for name in path {
        cur = cur.find_subcommand(name)?;
    }
    Some(cur)
}

/// The command tree in the user's language, for the questions.
fn localized() -> Command {
    i18n::localize_command(super::command_for_docs(), i18n::current())
}

fn is_global(arg: &Arg) -> bool {
    GLOBAL_IDS.contains(&arg.get_id().as_str())
}

/// How a parameter is shown: its value name (`<DIR>`) or its flag (`--keep`).
fn arg_label(arg: &Arg) -> String {
    match (arg.get_long(), arg.get_value_names()) {
        (Some(long), _) => format!("--{long}"),
        (None, Some(names)) if !names.is_empty() => names
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        _ => arg.get_id().to_string().to_ascii_uppercase(),
    }
}

/// Asks which config file to use, the resolved one (`--config`, `$CONFIG_PATH`, the default
/// path) offered with Enter. While the answer is not an existing file it asks again, and
/// when the offered file is missing it first offers to create it with `config-gen`. With
/// [`Need::Loads`] a file that does not load is refused with the loader's first lines, and
/// asked for again. Returns the path and the loaded config.
fn ask_config<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    g: &Globals,
    need: Need,
) -> Result<(PathBuf, Option<Config>), UserError> {
    let offered = crate::config::resolve_path(g.config.as_deref());
    let dim = |text: &str| style::paint(style::stderr_allowed(), Tone::Dim, text);
    if !offered.exists() {
        p.say(&dim(&t!("menu.config_missing", path = offered.display())));
        if p.confirm(&t!("menu.offer_config_gen"), true)? {
            let argv = [
                "agsekit",
                "--config",
                &offered.to_string_lossy(),
                "config-gen",
            ];
            super::run_with_args(argv.iter().map(OsString::from).collect());
        }
    }
    let offered_text = offered.display().to_string();
    let default = offered.exists().then_some(offered_text.as_str());
    Ok(p.valid(&t!("menu.config_path"), default, |answer| {
        let answer = answer.trim();
        if answer.is_empty() {
            return Err(t!("menu.required"));
        }
        let path = crate::config::normalize_path(std::path::Path::new(answer));
        if !path.is_file() {
            return Err(t!("menu.config_not_a_file", path = path.display()));
        }
        if need == Need::File {
            return Ok((path, None));
        }
        match crate::config::load(Some(&path), crate::backend::minimums) {
            Ok(config) => Ok((path, Some(config))),
            Err(err) => {
                let reason = crate::error::message_of(&err);
                let lines: Vec<&str> = reason.lines().take(4).collect();
                Err(t!(
                    "menu.config_unusable",
                    path = path.display(),
                    reason = lines.join("\n    ")
                ))
            }
        }
    })?)
}

/// Called after a successful parse: `backup-clean`, `addmount`, `removemount`, `run` and
/// `ssh` in a terminal, with no `--config` and no file at `$CONFIG_PATH` or the default
/// path, say so and ask for the config (or offer to create it) instead of failing; then
/// the same command line runs with `--config` and the chosen file, after a confirmation.
/// `None`: nothing to do, the command runs as given.
pub fn on_missing_config(
    args: &[OsString],
    command: Option<&str>,
    global: &super::GlobalArgs,
) -> Option<i32> {
    let command = command?;
    if !ASK_WHEN_NO_CONFIG.contains(&command)
        || global.config.is_some()
        || global.non_interactive
        || non_interactive_in(args)
        || !interactive(false)
    {
        return None;
    }
    let offered = crate::config::resolve_path(None);
    if offered.exists() {
        return None;
    }
    let mut p = Prompter::terminal();
    p.say(&style::paint(
        style::stderr_allowed(),
        Tone::Hint,
        &t!("menu.config_not_found"),
    ));
    let g = Globals {
        config: None,
        debug: false,
    };
    let result = ask_config(&mut p, &g, Need::Loads).and_then(|(path, _)| {
        let mut argv: Vec<OsString> = Vec::with_capacity(args.len() + 2);
        argv.push(OsString::from("agsekit"));
        // The default path (just written by config-gen) is found without naming it.
        if path != offered {
            argv.push(OsString::from("--config"));
            argv.push(path.into_os_string());
        }
        argv.extend(args.iter().skip(1).cloned());
        confirm_and_run_os(&mut p, argv, 2)
    });
    Some(match result {
        Ok(code) => code,
        Err(err) => super::report(&err.into()),
    })
}

/// What an answer at one of the menu's two levels picked.
enum Pick {
    Section(usize),
    Command(usize),
    Back,
}

/// A section of the menu as shown: its title and the entries this build has, each with its
/// help text in the user's language.
struct ShownSection {
    title: String,
    entries: Vec<(&'static Entry, String)>,
}

fn shown_sections(cmd: &Command) -> Vec<ShownSection> {
    SECTIONS
        .iter()
        .filter_map(|section| {
            let entries: Vec<(&'static Entry, String)> = section
                .entries
                .iter()
                .filter_map(|e| {
                    let words: Vec<&str> = e.path.split(' ').collect();
                    let c = find(cmd, &words)?;
                    Some((e, c.get_about().map(|a| a.to_string()).unwrap_or_default()))
                })
                .collect();
            (!entries.is_empty()).then(|| ShownSection {
                title: t!(section.key),
                entries,
            })
        })
        .collect()
}

/// The entry whose command path is `answer`, as an index into `all`.
fn by_name(all: &[&Entry], answer: &str) -> Option<usize> {
    let words: Vec<&str> = answer.split_whitespace().collect();
    let answer = words.join(" ");
    all.iter().position(|e| e.path == answer)
}

/// The menu, sections first so that every screen fits a 24-line terminal: the sections
/// (each with the names of its commands), then the chosen section's commands with their
/// help texts, every line cut to the terminal's width. A command's name is accepted at
/// both levels; Enter or 0 goes back to the sections.
fn menu<R: BufRead, W: Write>(p: &mut Prompter<R, W>, g: &Globals) -> Result<i32, UserError> {
    let cmd = localized();
    let color = style::stderr_allowed();
    let width = terminal_width();
    let sections = shown_sections(&cmd);
    let all: Vec<&Entry> = sections
        .iter()
        .flat_map(|s| s.entries.iter().map(|(e, _)| *e))
        .collect();
    let title_width = sections
        .iter()
        .map(|s| s.title.chars().count())
        .max()
        .unwrap_or(0);
    let index = loop {
        p.say(&style::paint(
            color,
            Tone::Heading,
            &fit(&t!("i12menu.title"), width),
        ));
        for (i, s) in sections.iter().enumerate() {
            let names: Vec<&str> = s.entries.iter().map(|(e, _)| e.path).collect();
            p.say(&menu_line(
                false,
                &format!("  {}) ", i + 1),
                &s.title,
                title_width,
                &names.join(", "),
                width,
            ));
        }
        let count = sections.len();
        let pick = p.valid(&t!("i12menu.pick_section"), None, |a| {
            let a = a.trim();
            match a.parse::<usize>() {
                Ok(n) if (1..=count).contains(&n) => Ok(Pick::Section(n - 1)),
                _ => by_name(&all, a)
                    .map(Pick::Command)
                    .ok_or_else(|| t!("i12menu.pick_section_again", count = count)),
            }
        })?;
        let section = match pick {
            Pick::Command(i) => break i,
            Pick::Back => continue,
            Pick::Section(i) => &sections[i],
        };
        p.say("");
        p.say(&style::paint(
            color,
            Tone::Heading,
            &fit(&section.title, width),
        ));
        let name_width = section
            .entries
            .iter()
            .map(|(e, _)| e.path.chars().count())
            .max()
            .unwrap_or(0);
        for (i, (entry, about)) in section.entries.iter().enumerate() {
            p.say(&menu_line(
                color,
                &format!("  {:>2}) ", i + 1),
                entry.path,
                name_width,
                about,
                width,
            ));
        }
        p.say(&fit(&format!("   0) {}", t!("i12menu.back")), width));
        let count = section.entries.len();
        let pick = p.valid(&t!("i12menu.pick_command"), None, |a| {
            let a = a.trim();
            match a.parse::<usize>() {
                _ if a.is_empty() => Ok(Pick::Back),
                Ok(0) => Ok(Pick::Back),
                Ok(n) if n <= count => {
                    let path = section.entries[n - 1].0.path;
                    Ok(Pick::Command(by_name(&all, path).unwrap_or(0)))
                }
                _ => by_name(&all, a)
                    .map(Pick::Command)
                    .ok_or_else(|| t!("i12menu.pick_command_again", count = count)),
            }
        })?;
        match pick {
            Pick::Command(i) => break i,
            Pick::Back | Pick::Section(_) => p.say(""),
        }
    };
    let entry = all[index];
    let words: Vec<&str> = entry.path.split(' ').collect();
    let Some(sub) = find(&cmd, &words) else {
        return Ok(2);
    };
    let mut ids: Vec<String> = entry.ask.iter().map(|s| s.to_string()).collect();
    for arg in sub.get_arguments() {
        let id = arg.get_id().to_string();
        if arg.is_required_set() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut g = Globals {
        config: g.config.clone(),
        debug: g.debug,
    };
    let mut ctx = match config_need(entry.path) {
        None => Context::load(&g, p, sub, &ids),
        Some(need) => {
            let (path, config) = ask_config(p, &g, need)?;
            // A file other than the one found anyway is named on the command line.
            if path != crate::config::resolve_path(g.config.as_deref()) {
                g.config = Some(path);
            }
            Context {
                config,
                mount: None,
            }
        }
    };
    let answers = ask_all(p, sub, &ids, &HashSet::new(), &mut ctx)?;
    let mut argv: Vec<String> = vec!["agsekit".into()];
    argv.extend(g.words());
    argv.extend(words.iter().map(|w| w.to_string()));
    let (options, positionals) = answers.into_words();
    argv.extend(options);
    argv.extend(positionals);
    confirm_and_run(p, argv, 0)
}

/// The parameters the command line gave and the required ones it lacks (`None` when none
/// is lacking).
fn missing_ids(path: &[String], matches: &ArgMatches) -> Option<(HashSet<String>, Vec<String>)> {
    let cmd = super::command_for_docs();
    let words: Vec<&str> = path.iter().map(String::as_str).collect();
    let sub = find(&cmd, &words)?;
    let leaf = leaf_matches(matches, path);
    let present: HashSet<String> = sub
        .get_arguments()
        .filter(|a| !is_global(a))
        .filter(|a| leaf.value_source(a.get_id().as_str()) == Some(ValueSource::CommandLine))
        .map(|a| a.get_id().to_string())
        .collect();
    let missing: Vec<String> = sub
        .get_arguments()
        .filter(|a| a.is_required_set() && !present.contains(a.get_id().as_str()))
        .map(|a| a.get_id().to_string())
        .collect();
    (!missing.is_empty()).then_some((present, missing))
}

fn fallback<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    g: &Globals,
    args: &[OsString],
    path: &[String],
    present: &HashSet<String>,
    ids: &[String],
) -> Result<i32, UserError> {
    let cmd = localized();
    let words: Vec<&str> = path.iter().map(String::as_str).collect();
    let Some(sub) = find(&cmd, &words) else {
        return Ok(2);
    };
    let missing: Vec<&Arg> = sub
        .get_arguments()
        .filter(|a| ids.iter().any(|id| a.get_id() == id.as_str()))
        .collect();
    let names: Vec<String> = missing.iter().map(|a| arg_label(a)).collect();
    let color = style::stderr_allowed();
    p.say(&style::paint(
        color,
        Tone::Hint,
        &t!("menu.fallback", missing = names.join(", ")),
    ));
    let mut ctx = Context::load(g, p, sub, ids);
    let answers = ask_all(p, sub, ids, present, &mut ctx)?;
    let (options, positionals) = answers.into_words();
    // Options go right after the command's name; positionals at the end, before any `--`.
    let mut argv: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // Shown and run as `agsekit ...`, whatever path the binary was started by.
    if let Some(first) = argv.first_mut() {
        *first = "agsekit".to_string();
    }
    let mut at = 1;
    for name in path {
        if let Some(i) = argv.iter().skip(at).position(|a| a == name) {
            at += i + 1;
        }
    }
    for (i, w) in options.into_iter().enumerate() {
        argv.insert(at + i, w);
    }
    let end = argv.iter().position(|a| a == "--").unwrap_or(argv.len());
    for (i, w) in positionals.into_iter().enumerate() {
        argv.insert(end + i, w);
    }
    confirm_and_run(p, argv, 2)
}

fn confirm_and_run<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    argv: Vec<String>,
    cancelled_code: i32,
) -> Result<i32, UserError> {
    confirm_and_run_os(
        p,
        argv.into_iter().map(OsString::from).collect(),
        cancelled_code,
    )
}

/// Shows the command line (shell-quoted; bytes that are not UTF-8 shown replaced, but run
/// as given) and runs it in this process after a confirmation.
fn confirm_and_run_os<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    argv: Vec<OsString>,
    cancelled_code: i32,
) -> Result<i32, UserError> {
    let color = style::stderr_allowed();
    let shown: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let line = shell_words::join(&shown);
    p.say(&t!(
        "menu.preview",
        command = style::paint(color, Tone::Command, &line)
    ));
    if !p.confirm(&t!("menu.confirm"), true)? {
        p.say(&t!("menu.cancelled"));
        return Ok(cancelled_code);
    }
    Ok(super::run_with_args(argv))
}

/// What the config offers as choices; loaded once, problems reported once.
struct Context {
    config: Option<Config>,
    /// The mount chosen earlier in this command (for snapshot choices).
    mount: Option<PathBuf>,
}

impl Context {
    /// Loads the config when one of the parameters to ask offers choices from it.
    fn load<R: BufRead, W: Write>(
        g: &Globals,
        p: &mut Prompter<R, W>,
        sub: &Command,
        ids: &[String],
    ) -> Context {
        let needed = sub.get_arguments().any(|a| {
            ids.iter().any(|id| a.get_id() == id.as_str())
                && kind_of(sub.get_name(), a) != Kind::Plain
        });
        if !needed {
            return Context {
                config: None,
                mount: None,
            };
        }
        let config = match crate::config::load(g.config.as_deref(), crate::backend::minimums) {
            Ok(c) => Some(c),
            Err(err) => {
                let reason = crate::error::message_of(&err);
                let first = reason.lines().next().unwrap_or("").to_string();
                p.say(&style::paint(
                    style::stderr_allowed(),
                    Tone::Dim,
                    &t!("menu.no_config", reason = first),
                ));
                None
            }
        };
        Context {
            config,
            mount: None,
        }
    }

    /// Choices for a parameter: (shown text, value).
    fn choices(&self, kind: Kind) -> Vec<(String, String)> {
        let Some(cfg) = &self.config else {
            return Vec::new();
        };
        match kind {
            Kind::Vm => cfg.vms.keys().map(|k| (k.clone(), k.clone())).collect(),
            Kind::Agent => cfg.agents.keys().map(|k| (k.clone(), k.clone())).collect(),
            Kind::Mount => cfg
                .mounts
                .iter()
                .map(|m| {
                    (
                        t!(
                            "menu.mount_choice",
                            source = m.source.display(),
                            vm = m.vm,
                            target = m.target.display()
                        ),
                        m.source.display().to_string(),
                    )
                })
                .collect(),
            Kind::Snapshot => {
                let mount = match &self.mount {
                    Some(chosen) => cfg.mounts.iter().find(|m| &m.source == chosen),
                    None => std::env::current_dir().ok().and_then(|cwd| {
                        cfg.mounts
                            .iter()
                            .filter(|m| cwd.starts_with(&m.source))
                            .max_by_key(|m| m.source.components().count())
                    }),
                };
                let Some(mount) = mount else {
                    return Vec::new();
                };
                let mut names: Vec<String> = crate::backup::list_snapshots(&mount.backup)
                    .map(|list| list.into_iter().map(|s| s.name).collect())
                    .unwrap_or_default();
                names.reverse(); // newest first
                names.truncate(20);
                names.into_iter().map(|n| (n.clone(), n)).collect()
            }
            Kind::Plain => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Vm,
    Mount,
    Agent,
    Snapshot,
    Plain,
}

fn kind_of(command: &str, arg: &Arg) -> Kind {
    let value_name = arg
        .get_value_names()
        .and_then(|n| n.first().map(|s| s.to_string()))
        .unwrap_or_default();
    match arg.get_id().as_str() {
        "vm" | "vm_name" => Kind::Vm,
        "name" if command.ends_with("-vm") || command == "shell" || command == "ssh" => Kind::Vm,
        "mount" | "mount_source" => Kind::Mount,
        "workdir" if command == "run" => Kind::Mount,
        "source_dir" if command == "mount" || command == "umount" => Kind::Mount,
        "agent" | "agent_name" => Kind::Agent,
        "snap" | "snap2" | "snapshot" => Kind::Snapshot,
        _ if value_name == "VM" => Kind::Vm,
        _ => Kind::Plain,
    }
}

/// The answers, as command-line words.
#[derive(Default)]
struct Answers {
    options: Vec<String>,
    /// (index, `last = true`, values, only a filler for a left-out optional positional).
    positionals: Vec<(usize, bool, Vec<String>, bool)>,
}

impl Answers {
    fn into_words(mut self) -> (Vec<String>, Vec<String>) {
        self.positionals.sort_by_key(|(i, _, _, _)| *i);
        // A left-out optional positional keeps its default only when a later one is given.
        while self
            .positionals
            .last()
            .is_some_and(|(_, _, _, filler)| *filler)
        {
            self.positionals.pop();
        }
        let mut pos = Vec::new();
        for (_, last, values, _) in self.positionals {
            if last {
                pos.push("--".to_string());
            }
            pos.extend(values);
        }
        (self.options, pos)
    }
}

fn ask_all<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    sub: &Command,
    ids: &[String],
    present: &HashSet<String>,
    ctx: &mut Context,
) -> Result<Answers, UserError> {
    let mut answers = Answers::default();
    for id in ids {
        let Some(arg) = sub.get_arguments().find(|a| a.get_id() == id.as_str()) else {
            continue;
        };
        if is_global(arg) || present.contains(id) {
            continue;
        }
        let kind = kind_of(sub.get_name(), arg);
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .collect();
        let answer = ask_one(p, arg, kind, ctx)?;
        // The default, typed or taken with Enter, is left to clap: a shorter command line.
        let answer = answer.filter(|v| defaults.is_empty() || *v != defaults);
        let Some(values) = answer else {
            if arg.is_positional() && !defaults.is_empty() {
                let index = arg.get_index().unwrap_or(usize::MAX);
                answers.positionals.push((index, false, defaults, true));
            }
            continue;
        };
        if kind == Kind::Mount {
            ctx.mount = values.first().map(PathBuf::from);
        }
        if arg.is_positional() {
            let index = arg.get_index().unwrap_or(usize::MAX);
            answers
                .positionals
                .push((index, arg.is_last_set(), values, false));
        } else if let Some(long) = arg.get_long() {
            if arg.get_action().takes_values() {
                for v in values {
                    answers.options.push(format!("--{long}"));
                    answers.options.push(v);
                }
            } else {
                answers.options.push(format!("--{long}"));
            }
        }
    }
    Ok(answers)
}

fn takes_many(arg: &Arg) -> bool {
    arg.get_num_args().is_some_and(|n| n.max_values() > 1)
        || matches!(arg.get_action(), clap::ArgAction::Append)
}

/// Asks for one parameter; `None` leaves it out.
fn ask_one<R: BufRead, W: Write>(
    p: &mut Prompter<R, W>,
    arg: &Arg,
    kind: Kind,
    ctx: &Context,
) -> Result<Option<Vec<String>>, UserError> {
    let required = arg.is_required_set();
    let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    let question = if help.is_empty() {
        arg_label(arg)
    } else {
        format!("{help} ({})", arg_label(arg))
    };
    if !arg.get_action().takes_values() {
        return Ok(p.confirm(&question, false)?.then(Vec::new));
    }
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    let mut choices: Vec<(String, String)> = if possible.is_empty() {
        ctx.choices(kind)
    } else {
        possible.iter().map(|v| (v.clone(), v.clone())).collect()
    };
    if kind == Kind::Snapshot && choices.is_empty() {
        if let Some(m) = ctx.config.as_ref().and_then(|c| {
            c.mounts
                .iter()
                .find(|m| Some(&m.source) == ctx.mount.as_ref())
        }) {
            p.say(&format!(
                "  {}",
                t!("menu.no_snapshots", path = m.backup.display())
            ));
        }
    }
    if !choices.is_empty() {
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .collect();
        let mut shown: Vec<String> = choices.iter().map(|(s, _)| s.clone()).collect();
        let other = shown.len();
        if possible.is_empty() {
            shown.push(t!("menu.other"));
        }
        let leave_out = shown.len();
        if !required {
            shown.push(t!("menu.leave_out"));
        }
        let default = choices
            .iter()
            .position(|(_, v)| defaults.contains(v))
            .or((!required).then_some(leave_out));
        let picked = p.choose(&question, &shown, default)?;
        if picked < other {
            return Ok(Some(vec![choices.swap_remove(picked).1]));
        }
        if !required && picked == leave_out {
            return Ok(None);
        }
    }
    let many = takes_many(arg);
    let mut question = question;
    if many {
        question = format!("{question}; {}", t!("menu.several"));
    }
    if !required {
        question = format!("{question} ({})", t!("menu.optional"));
    }
    let default = arg
        .get_default_values()
        .first()
        .map(|d| d.to_string_lossy().into_owned());
    let answer = p.valid(&question, default.as_deref(), |a| {
        let a = a.trim();
        if a.is_empty() {
            return if required {
                Err(t!("menu.required"))
            } else {
                Ok(None)
            };
        }
        if many {
            shell_words::split(a)
                .map(Some)
                .map_err(|e| t!("menu.bad_words", reason = e))
        } else {
            Ok(Some(vec![a.to_string()]))
        }
    })?;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripted(answers: &str) -> Prompter<&[u8], Vec<u8>> {
        Prompter::new(answers.as_bytes(), Vec::new())
    }

    #[test]
    fn every_menu_entry_on_this_build_is_a_real_command_and_asks_real_ids() {
        let cmd = super::super::command_for_docs();
        let mut seen = 0;
        for section in SECTIONS {
            for entry in section.entries {
                let words: Vec<&str> = entry.path.split(' ').collect();
                let Some(sub) = find(&cmd, &words) else {
                    continue; // not merged into this build yet
                };
                seen += 1;
                let ids: Vec<&str> = sub.get_arguments().map(|a| a.get_id().as_str()).collect();
                // Lists shared between VM commands may name ids a command lacks.
                if entry.ask != VM {
                    for id in entry.ask {
                        assert!(ids.contains(id), "{}: no parameter {id:?}", entry.path);
                    }
                }
            }
        }
        assert!(seen >= 15, "only {seen} menu entries exist");
    }

    #[test]
    fn non_interactive_is_seen_before_the_separator_only() {
        let a = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(non_interactive_in(&a(&[
            "agsekit",
            "run",
            "--non-interactive"
        ])));
        assert!(!non_interactive_in(&a(&[
            "agsekit",
            "run",
            "x",
            "--",
            "--non-interactive"
        ])));
    }

    #[test]
    fn answers_become_words_in_clap_order() {
        let cmd = super::super::command_for_docs();
        let sub = find(&cmd, &["backup-clean"]).expect("backup-clean");
        let mut ctx = Context {
            config: None,
            mount: None,
        };
        // mount_source (free text, no config), keep (default 50 -> typed 7), method (choice 1: tail)
        let mut p = scripted("/src/app\n7\n1\n/src/app\n\n1\n/src/app\n\n\n");
        let ids: Vec<String> = ["mount_source", "keep", "method"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut ask = || {
            ask_all(&mut p, sub, &ids, &HashSet::new(), &mut ctx)
                .expect("answers")
                .into_words()
        };
        assert_eq!(
            ask(),
            (vec![], vec!["/src/app".into(), "7".into(), "tail".into()])
        );
        // KEEP taken by default but METHOD chosen: KEEP's default fills its place.
        assert_eq!(
            ask(),
            (vec![], vec!["/src/app".into(), "50".into(), "tail".into()])
        );
        // Both by default: nothing after the folder.
        assert_eq!(ask(), (vec![], vec!["/src/app".into()]));
    }

    #[test]
    fn optional_values_can_be_left_out_and_required_ones_cannot() {
        let cmd = super::super::command_for_docs();
        let sub = find(&cmd, &["restore"]).expect("restore");
        let mut ctx = Context {
            config: None,
            mount: None,
        };
        // snap: empty refused, then "latest"; paths: two words with quoting.
        let mut p = scripted("\nlatest\n'a b' c\n");
        let ids: Vec<String> = ["snap", "paths"].iter().map(|s| s.to_string()).collect();
        let answers = ask_all(&mut p, sub, &ids, &HashSet::new(), &mut ctx).expect("answers");
        let (_, positionals) = answers.into_words();
        assert_eq!(positionals, ["latest", "a b", "c"]);
        let shown = String::from_utf8(p_out(p)).expect("utf8");
        assert!(shown.contains("a value is needed"), "{shown}");
    }

    #[test]
    fn the_sections_screen_and_the_biggest_section_fit_24_lines_together() {
        // Title, sections, prompt; then a blank line, the heading, the entries, "0) back"
        // and the prompt: 23 lines at most leaves the first line of the screen in view.
        let biggest = SECTIONS.iter().map(|s| s.entries.len()).max().unwrap_or(0);
        assert!(1 + SECTIONS.len() + 1 + 4 + biggest <= 23);
    }

    fn p_out(p: Prompter<&[u8], Vec<u8>>) -> Vec<u8> {
        p.into_output()
    }
}
