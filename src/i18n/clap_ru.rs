//! Russian for the texts clap itself writes. clap has no translation hook, so:
//! - **usage errors** are written anew from what the error carries, [`clap::Error::kind`] and
//!   its context (`err.get(ContextKind::InvalidArg)`...), not from clap's English sentences:
//!   [`error_text`]. A kind this module does not cover, or one whose context is not what it
//!   expects, is shown in clap's English, whole; a clap upgrade can thus leave a message
//!   English, never half-translated or garbled. The `error:` prefix stays English, like
//!   `agsekit: error:`.
//! - **help pages** (`--help`, `-h`, `help CMD`) are written by clap itself from a tree set up
//!   for Russian ([`arrange`] before it is built, [`help_pages`] after): a help template with
//!   the Russian usage line, Russian headings on every argument and on the subcommands, and
//!   default and possible values in each argument's Russian help; nothing of clap's English
//!   rendering is rewritten. The help texts themselves come translated from `help_ru.rs`.
//!   Only the usage line inside a usage error has its two fixed words (`Usage:`,
//!   `[OPTIONS]`) put in Russian ([`usage_in_russian`]).
//!
//! Unit tests make clap produce every covered kind and check the Russian text, and render
//! the usage errors agsekit's users meet and fail on any English left.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The name clap shows for "a subcommand goes here" (`agsekit <КОМАНДА>`), matching the
/// `Команды:` heading.
pub const SUBCOMMAND_VALUE_NAME: &str = "КОМАНДА";

/// Section headers of a man page as `clap_mangen` writes them, and their usual Russian names
/// (as in Russian man pages).
const MAN_SECTIONS: &[(&str, &str)] = &[
    ("NAME", "НАЗВАНИЕ"),
    ("SYNOPSIS", "ОБЗОР"),
    ("DESCRIPTION", "ОПИСАНИЕ"),
    ("OPTIONS", "ПАРАМЕТРЫ"),
    ("SUBCOMMANDS", "КОМАНДЫ"),
    ("EXTRA", "ДОПОЛНИТЕЛЬНО"),
    ("VERSION", "ВЕРСИЯ"),
    ("AUTHORS", "АВТОРЫ"),
];

/// A roff man page with its known section headers (`.SH NAME` lines, nothing else) in
/// Russian. Headers it does not know stay as they are.
pub fn man_sections(roff: &str) -> String {
    roff.split_inclusive('\n')
        .map(|line| {
            let (body, end) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            let heading = body
                .strip_prefix(".SH ")
                .map(|h| h.trim().trim_matches('"'));
            match heading.and_then(|h| MAN_SECTIONS.iter().find(|(en, _)| *en == h)) {
                Some((_, ru)) => format!(".SH {ru}{end}"),
                None => line.to_string(),
            }
        })
        .collect()
}

/// The section headings of a Russian help page, where clap writes `Arguments:`, `Options:`
/// and `Commands:` for arguments and subcommands without a heading of their own.
const ARGUMENTS: &str = "Аргументы";
const OPTIONS: &str = "Параметры";
const COMMANDS: &str = "Команды";

/// The tree `localize_command` translated, set up so that clap itself writes Russian help
/// pages (`--help`, `-h`, `help CMD`): a help template with the Russian usage line, the
/// Russian headings given to every argument and to the subcommands, and each argument's
/// default and possible values shown in its Russian help instead of clap's `[default: ...]`.
/// Nothing of clap's English rendering is rewritten. `cmd` must be built.
pub fn help_pages(cmd: clap::Command) -> clap::Command {
    let mut cmd = cmd;
    let long = long_help_exists(&cmd);
    let usage = usage_line(&cmd);
    // In the order they are (`arrange` made it the order of the headings): `mut_arg` moves
    // the argument it changes to the end, and a built tree must keep its order to parse.
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |arg| values_in_help(with_heading(arg), long));
    }
    cmd = cmd.subcommand_help_heading(COMMANDS).help_template(format!(
        "{{before-help}}{{about-with-newline}}\nИспользование: {usage}\n\n{{all-args}}{{after-help}}"
    ));
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, help_pages);
    }
    cmd
}

/// The id of the hidden flag [`arrange`] adds (its long name, a NUL, cannot be typed).
const ORDER_MARK: &str = "agsekit-ru-options-heading";

/// Before the tree is built: each command's own arguments in the order of their Russian
/// headings, positionals, then options, then those with a heading of their own, and a hidden
/// flag under `Параметры` after the options. clap writes the sections with a heading in the
/// order of their first argument (hidden ones count), and adds `--help` and the global
/// options when the tree is built: the mark keeps `Параметры` (where `--help` goes) before
/// `Общие параметры`, as clap keeps `Options:` before its custom headings. Only the tree
/// that shows Russian help gets it.
pub fn arrange(cmd: clap::Command) -> clap::Command {
    let mut cmd = cmd.arg(
        clap::Arg::new(ORDER_MARK)
            .long("\u{0}")
            .action(clap::ArgAction::SetTrue)
            .hide(true)
            .help_heading(OPTIONS),
    );
    let rank = |a: &clap::Arg| match (a.get_help_heading(), a.is_positional()) {
        _ if a.get_id() == ORDER_MARK => 2,
        (None, true) => 0,
        (None, false) => 1,
        (Some(_), _) => 3,
    };
    let mut ids: Vec<(u8, String)> = cmd
        .get_arguments()
        .map(|a| (rank(a), a.get_id().to_string()))
        .collect();
    // `mut_arg` moves the argument to the end: moved in this order, they end up in it.
    ids.sort_by_key(|(rank, _)| *rank);
    for (_, id) in ids {
        cmd = cmd.mut_arg(id, |a| a);
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, arrange);
    }
    cmd
}

/// Whether `--help` shows the long help of `cmd` (clap's own rule, which it keeps from when
/// the tree was built): a long about, or an argument with a long help or with possible
/// values that have help.
fn long_help_exists(cmd: &clap::Command) -> bool {
    cmd.get_long_about().is_some()
        || cmd.get_before_long_help().is_some()
        || cmd.get_after_long_help().is_some()
        || cmd.get_arguments().any(|a| {
            !a.is_hide_set()
                && (a.get_long_help().is_some()
                    || a.is_hide_long_help_set()
                    || a.is_hide_short_help_set()
                    || (!a.is_hide_possible_values_set() && values_have_help(a)))
        })
}

fn values_have_help(arg: &clap::Arg) -> bool {
    arg.get_possible_values()
        .iter()
        .any(|v| !v.is_hide_set() && v.get_help().is_some())
}

/// An argument without a heading of its own under the Russian one clap would give it.
fn with_heading(arg: clap::Arg) -> clap::Arg {
    if arg.get_help_heading().is_some() {
        arg
    } else if arg.is_positional() {
        // Under a heading clap sorts by display order; positionals stay in their order.
        let at = arg.get_index().unwrap_or(0);
        arg.help_heading(ARGUMENTS).display_order(at)
    } else {
        arg.help_heading(OPTIONS)
    }
}

/// A value as clap shows it in `[default: ...]` and `[possible values: ...]`: quoted when it
/// has a space.
fn shown_value(value: &str) -> String {
    if value.chars().any(char::is_whitespace) {
        format!("{value:?}")
    } else {
        value.to_string()
    }
}

/// `arg` with its default and possible values in its Russian help, where clap would add them
/// in English: after a space (`-h`, and `--help` when the command has no long help) or after a
/// blank line (the long help).
fn values_in_help(arg: clap::Arg, long: bool) -> clap::Arg {
    let mut arg = arg;
    let mut shown = Vec::new();
    if arg.get_action().takes_values()
        && !arg.is_hide_default_value_set()
        && !arg.get_default_values().is_empty()
    {
        let values: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| shown_value(&v.to_string_lossy()))
            .collect();
        shown.push(format!("[по умолчанию: {}]", values.join(" ")));
        arg = arg.hide_default_value(true);
    }
    // Values with help of their own are a list of their own in the long help: left to clap.
    if !arg.is_hide_possible_values_set() && !values_have_help(&arg) {
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| shown_value(v.get_name()))
            .collect();
        if !values.is_empty() {
            shown.push(format!("[допустимые значения: {}]", values.join(", ")));
            arg = arg.hide_possible_values(true);
        }
    }
    if shown.is_empty() {
        return arg;
    }
    let shown = shown.join(" ");
    let short = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    let joined = |text: &str, sep: &str| {
        if text.is_empty() {
            shown.clone()
        } else {
            format!("{text}{sep}{shown}")
        }
    };
    let long_text = arg
        .get_long_help()
        .map(|h| h.to_string())
        .unwrap_or_else(|| short.clone());
    arg = arg.help(joined(&short, " "));
    if long {
        arg = arg.long_help(joined(&long_text, "\n\n"));
    }
    arg
}

/// The usage line of `cmd` as clap writes it, with `[ПАРАМЕТРЫ]` where clap writes
/// `[OPTIONS]`: clap's own usage of a copy whose optional options are hidden (so it has no
/// such placeholder), and the placeholder put after the command's name when `cmd` has an
/// option clap would stand it for (its rule: shown, not required, not in a required group,
/// not `--help`/`--version`).
fn usage_line(cmd: &clap::Command) -> String {
    use clap::ArgAction;
    let required_group = |id: &clap::Id| {
        cmd.get_groups()
            .any(|g| g.is_required_set() && g.get_args().any(|a| a == id))
    };
    let placeholder_for = |a: &clap::Arg| {
        !a.is_positional()
            && !matches!(
                a.get_action(),
                ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
            )
            && a.get_long() != Some("help")
            && a.get_long() != Some("version")
            && !a.is_hide_set()
            && !a.is_required_set()
            && !required_group(a.get_id())
    };
    let hidden: Vec<String> = cmd
        .get_arguments()
        .filter(|a| placeholder_for(a))
        .map(|a| a.get_id().to_string())
        .collect();
    let mut bare = cmd.clone().help_template("{usage}");
    for id in &hidden {
        bare = bare.mut_arg(id, |a| a.hide(true));
    }
    let usage = bare.render_help().to_string().trim_end().to_string();
    let name = cmd.get_bin_name().unwrap_or(cmd.get_name());
    match usage.strip_prefix(name) {
        Some(rest) if !hidden.is_empty() => format!("{name} [ПАРАМЕТРЫ]{rest}"),
        _ => usage,
    }
}

/// The usage line a usage error carries (`Usage: agsekit run [OPTIONS] <AGENT>`, as clap
/// wrote it for the arguments given) in Russian: the heading and the options placeholder are
/// the two words clap puts in it. A line not in that shape is kept as clap wrote it.
fn usage_in_russian(usage: &str) -> String {
    match usage.strip_prefix("Usage: ") {
        Some(line) => format!(
            "Использование: {}",
            line.replacen("[OPTIONS]", "[ПАРАМЕТРЫ]", 1)
        ),
        None => usage.to_string(),
    }
}

/// What to print for a clap error shown to a Russian reader: a usage error written in
/// Russian from its kind and context, help and version pages as clap wrote them (in Russian
/// when the tree went through [`help_pages`]),
/// anything else in clap's English.
pub fn error_text(err: &clap::Error) -> String {
    match err.kind() {
        // Written in Russian by clap itself (`help_pages`).
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => err.render().to_string(),
        _ => usage_error(err).unwrap_or_else(|| err.render().to_string()),
    }
}

fn string(err: &clap::Error, kind: ContextKind) -> Option<&str> {
    match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s),
        _ => None,
    }
}

fn strings(err: &clap::Error, kind: ContextKind) -> Option<&[String]> {
    match err.get(kind) {
        Some(ContextValue::Strings(s)) => Some(s),
        _ => None,
    }
}

fn number(err: &clap::Error, kind: ContextKind) -> Option<isize> {
    match err.get(kind) {
        Some(ContextValue::Number(n)) => Some(*n),
        _ => None,
    }
}

/// `\n  [name: a, b]` when `values` is not empty.
fn values_list(name: &str, values: Option<&[String]>) -> String {
    match values {
        Some(values) if !values.is_empty() => format!("\n  [{name}: {}]", values.join(", ")),
        _ => String::new(),
    }
}

/// The first line(s) of a usage error, in Russian; `None` for a kind not covered or a
/// context that is not as expected.
fn usage_error_body(err: &clap::Error) -> Option<String> {
    use ContextKind as C;
    Some(match err.kind() {
        ErrorKind::ArgumentConflict => {
            let invalid = string(err, C::InvalidArg);
            let prior = err.get(C::PriorArg);
            let mut body = match (invalid, string(err, C::InvalidSubcommand)) {
                (Some(arg), _) if string(err, C::PriorArg) == Some(arg) => {
                    return Some(format!("аргумент '{arg}' нельзя указывать несколько раз"));
                }
                (Some(arg), _) => format!("аргумент '{arg}' нельзя использовать вместе с"),
                (None, Some(sub)) => format!("команду '{sub}' нельзя использовать вместе с"),
                (None, None) => return None,
            };
            match prior {
                Some(ContextValue::Strings(values)) => {
                    body.push(':');
                    for v in values {
                        body.push_str(&format!("\n  {v}"));
                    }
                }
                Some(ContextValue::String(value)) => body.push_str(&format!(" '{value}'")),
                _ => body.push_str(" одним из других указанных аргументов"),
            }
            body
        }
        ErrorKind::NoEquals => format!(
            "значение для '{}' нужно передавать через знак '='",
            string(err, C::InvalidArg)?
        ),
        ErrorKind::InvalidValue => {
            let arg = string(err, C::InvalidArg)?;
            let value = string(err, C::InvalidValue)?;
            let head = if value.is_empty() {
                format!("нужно значение для '{arg}', но оно не указано")
            } else {
                format!("недопустимое значение '{value}' для '{arg}'")
            };
            head + &values_list("допустимые значения", strings(err, C::ValidValue))
        }
        ErrorKind::InvalidSubcommand => {
            format!(
                "неизвестная команда '{}'",
                string(err, C::InvalidSubcommand)?
            )
        }
        ErrorKind::MissingRequiredArgument => {
            let mut body = "не указаны обязательные аргументы:".to_string();
            for v in strings(err, C::InvalidArg)? {
                body.push_str(&format!("\n  {v}"));
            }
            body
        }
        ErrorKind::MissingSubcommand => {
            format!(
                "'{}' требует команду, но она не указана",
                string(err, C::InvalidSubcommand)?
            ) + &values_list("команды", strings(err, C::ValidSubcommand))
        }
        ErrorKind::TooManyValues => format!(
            "неожиданное значение '{}' для '{}'; больше значений не ожидалось",
            string(err, C::InvalidValue)?,
            string(err, C::InvalidArg)?
        ),
        ErrorKind::TooFewValues => format!(
            "для '{}' нужно не меньше {} значений, указано: {}",
            string(err, C::InvalidArg)?,
            number(err, C::MinValues)?,
            number(err, C::ActualNumValues)?
        ),
        ErrorKind::WrongNumberOfValues => format!(
            "для '{}' нужно значений: {}, указано: {}",
            string(err, C::InvalidArg)?,
            number(err, C::ExpectedNumValues)?,
            number(err, C::ActualNumValues)?
        ),
        ErrorKind::ValueValidation => {
            let mut body = format!(
                "недопустимое значение '{}' для '{}'",
                string(err, C::InvalidValue)?,
                string(err, C::InvalidArg)?
            );
            if let Some(source) = std::error::Error::source(err) {
                body.push_str(&format!(": {}", value_problem(&source.to_string())));
            }
            body
        }
        ErrorKind::UnknownArgument => {
            format!("неожиданный аргумент '{}'", string(err, C::InvalidArg)?)
        }
        _ => return None,
    })
}

/// The standard library's number parse errors (the value parsers of `u32`, `u64`...) in
/// Russian; other problems (agsekit's own value parsers) as they are.
fn value_problem(text: &str) -> String {
    match text {
        "invalid digit found in string" => "в числе недопустимый символ".into(),
        "cannot parse integer from empty string" => "пустая строка вместо числа".into(),
        "number too large to fit in target type" => "слишком большое число".into(),
        "number too small to fit in target type" => "слишком маленькое число".into(),
        "number would be zero for non-zero type" => "число не может быть нулём".into(),
        other => other.to_string(),
    }
}

/// `tip: ...` lines: clap's suggestions of a similar name, and its free-form tips (known
/// shapes in Russian, others as clap wrote them).
fn tips(err: &clap::Error) -> Vec<String> {
    let mut out = Vec::new();
    for (kind, one, many) in [
        (
            ContextKind::SuggestedSubcommand,
            "есть похожая команда",
            "есть похожие команды",
        ),
        (
            ContextKind::SuggestedArg,
            "есть похожий аргумент",
            "есть похожие аргументы",
        ),
        (
            ContextKind::SuggestedValue,
            "есть похожее значение",
            "есть похожие значения",
        ),
    ] {
        match err.get(kind) {
            Some(ContextValue::String(s)) => out.push(format!("{one}: '{s}'")),
            Some(ContextValue::Strings(list)) if !list.is_empty() => {
                let quoted: Vec<String> = list.iter().map(|s| format!("'{s}'")).collect();
                let what = if list.len() == 1 { one } else { many };
                out.push(format!("{what}: {}", quoted.join(", ")));
            }
            _ => {}
        }
    }
    if let Some(ContextValue::StyledStrs(tips)) = err.get(ContextKind::Suggested) {
        for tip in tips {
            out.push(free_tip(&tip.to_string()));
        }
    }
    out
}

/// clap's free-form tips: "to pass 'X' as a value, use 'Y'" and "'X' exists".
fn free_tip(tip: &str) -> String {
    let quoted: Vec<&str> = tip.split('\'').skip(1).step_by(2).collect();
    match quoted.as_slice() {
        [value, usage] if tip.starts_with("to pass '") => {
            format!("чтобы передать '{value}' как значение, используйте '{usage}'")
        }
        [name] if tip.ends_with("' exists") => format!("есть '{name}'"),
        _ => tip.to_string(),
    }
}

/// A usage error in Russian, laid out as clap lays it out: the problem, tips, the usage line,
/// where to read more.
fn usage_error(err: &clap::Error) -> Option<String> {
    let mut out = format!("error: {}", usage_error_body(err)?);
    let tips = tips(err);
    if !tips.is_empty() {
        out.push('\n');
    }
    for tip in tips {
        out.push_str(&format!("\n  подсказка: {tip}"));
    }
    if let Some(ContextValue::StyledStr(usage)) = err.get(ContextKind::Usage) {
        out.push_str("\n\n");
        out.push_str(&usage_in_russian(&usage.to_string()));
    }
    match help_flag(err) {
        Some(flag) => out.push_str(&format!("\n\nПодробнее: '{flag}'.\n")),
        None => out.push('\n'),
    }
    Some(out)
}

/// The help flag clap's own rendering suggests (`--help`, or `help` for a command without
/// the flag): clap keeps it out of the error's context, so it is read from the rendering's
/// last line.
fn help_flag(err: &clap::Error) -> Option<String> {
    let english = err.render().to_string();
    let last = english.trim_end().lines().last()?;
    let rest = last.strip_prefix("For more information, try '")?;
    Some(rest.strip_suffix("'.")?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usage_line_of_an_error_is_russian_and_value_names_stay() {
        assert_eq!(
            usage_in_russian("Usage: agsekit run [OPTIONS] <AGENT> [AGENT_ARGS]..."),
            "Использование: agsekit run [ПАРАМЕТРЫ] <AGENT> [AGENT_ARGS]..."
        );
        assert_eq!(
            usage_in_russian("Usage: agsekit backup-once --source-dir <DIR> --dest-dir <DIR>"),
            "Использование: agsekit backup-once --source-dir <DIR> --dest-dir <DIR>"
        );
        assert_eq!(usage_in_russian("something else"), "something else");
    }

    /// The tree `cli` parses with in Russian: arranged, translated, built, set up for help.
    fn russian_tree() -> clap::Command {
        let cmd = arrange(crate::cli::command_for_docs());
        let mut cmd = crate::i18n::localize_command(cmd, crate::i18n::Lang::Ru);
        cmd.build();
        help_pages(cmd)
    }

    /// Every command path (`run`, `daemon stop`...).
    fn paths(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands() {
            let mut path = prefix.clone();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            paths(sub, path, out);
        }
    }

    /// Setting the Russian help up must not change what parses: `--help` and `-h` of every
    /// command are still help (a tree whose arguments moved after it was built loses them).
    #[test]
    fn every_command_of_the_russian_tree_still_shows_help() {
        let tree = russian_tree();
        let mut all = vec![Vec::new()];
        paths(&tree, Vec::new(), &mut all);
        assert!(all.len() > 40, "{}", all.len());
        // `help` and its tree take command names, not `--help` (in English too).
        for path in all.into_iter().filter(|p| !p.iter().any(|n| n == "help")) {
            for flag in ["--help", "-h"] {
                let mut argv = vec!["agsekit".to_string()];
                argv.extend(path.iter().cloned());
                argv.push(flag.to_string());
                let err = tree
                    .clone()
                    .try_get_matches_from(&argv)
                    .expect_err("help is an error");
                assert_eq!(err.kind(), ErrorKind::DisplayHelp, "{argv:?}");
            }
        }
    }

    /// clap writes the Russian page: Russian usage line and headings in clap's order, the
    /// default and possible values in Russian inside the argument's help, no English word of
    /// clap's left.
    #[test]
    fn clap_writes_russian_help_pages() {
        let mut tree = russian_tree();
        let clean = tree
            .find_subcommand_mut("backup-clean")
            .expect("backup-clean")
            .render_help()
            .to_string();
        assert!(
            clean.contains("Использование: agsekit backup-clean [ПАРАМЕТРЫ] <MOUNT_SOURCE> [KEEP] [tail|thin]\n"),
            "{clean}"
        );
        let at = |heading: &str| {
            clean
                .find(heading)
                .unwrap_or_else(|| panic!("{heading}: {clean}"))
        };
        assert!(at("\nАргументы:\n") < at("\nПараметры:\n"));
        assert!(at("\nПараметры:\n") < at("\nОбщие параметры:\n"));
        assert!(clean.contains("[по умолчанию: 50]"), "{clean}");
        assert!(
            clean.contains("[по умолчанию: thin] [допустимые значения: tail, thin]"),
            "{clean}"
        );
        let root = tree.render_help().to_string();
        assert!(root.contains("\nКоманды:\n"), "{root}");
        for english in [
            "Usage:",
            "Arguments:",
            "Options:",
            "Commands:",
            "[default:",
            "[possible values:",
            "[OPTIONS]",
        ] {
            assert!(
                !clean.contains(english) && !root.contains(english),
                "{english}"
            );
        }
    }

    /// The usage errors clap renders today, produced by clap itself (not copied text): each
    /// must come out with no English phrase left, so a clap upgrade that rewords one fails
    /// here instead of leaving Russian users a half-English error.
    #[test]
    fn every_usage_error_kind_clap_renders_today_is_fully_russian() {
        use clap::{Arg, ArgAction, Command};
        let cmd = || {
            Command::new("agsekit")
                .subcommand_required(true)
                .subcommand(
                    Command::new("backup-once")
                        .arg(Arg::new("source").long("source-dir").required(true))
                        .arg(
                            Arg::new("keep")
                                .long("keep")
                                .value_parser(clap::value_parser!(u32)),
                        )
                        .arg(
                            Arg::new("method")
                                .long("method")
                                .value_parser(["tail", "thin"]),
                        )
                        .arg(
                            Arg::new("all")
                                .long("all")
                                .action(ArgAction::SetTrue)
                                .conflicts_with("source"),
                        )
                        .arg(
                            Arg::new("progress")
                                .long("progress")
                                .action(ArgAction::SetTrue),
                        ),
                )
                .subcommand(Command::new("restore"))
        };
        let cases: &[&[&str]] = &[
            &["agsekit", "backup-once"],
            &["agsekit", "backup-once", "--source-dir", "a", "--frob"],
            &["agsekit", "backup-once", "--source-dir", "a", "--progres"],
            &["agsekit", "backup-once", "--source-dir", "a", "--keep", "x"],
            &[
                "agsekit",
                "backup-once",
                "--source-dir",
                "a",
                "--method",
                "fast",
            ],
            &["agsekit", "backup-once", "--source-dir", "a", "--all"],
            &["agsekit", "backup-once", "--source-dir"],
            &["agsekit", "backup-once", "--source-dir", "a", "extra"],
            &[
                "agsekit",
                "backup-once",
                "--source-dir",
                "a",
                "--progress",
                "--progress",
            ],
            &["agsekit", "restor"],
            &["agsekit"],
        ];
        const ENGLISH: &[&str] = &[
            "error: the",
            "required",
            "provided",
            "unexpected",
            "found",
            "invalid",
            "value",
            "tip:",
            "similar",
            "Usage",
            "For more",
            "cannot",
            "subcommand",
            "expected",
            "digit",
            "Options",
            "Commands",
            "supplied",
            "[OPTIONS]",
        ];
        for args in cases {
            let err = cmd()
                .try_get_matches_from(*args)
                .expect_err("a usage error");
            let ru = error_text(&err);
            let left: Vec<&&str> = ENGLISH.iter().filter(|w| ru.contains(**w)).collect();
            assert!(
                left.is_empty(),
                "{args:?} ({:?}): English left {left:?} in:\n{ru}",
                err.kind()
            );
        }
    }

    /// One command that can produce every usage error kind [`usage_error`] covers.
    fn kinds_cmd() -> clap::Command {
        use clap::{Arg, ArgAction, Command};
        Command::new("agsekit")
            .subcommand_required(true)
            .subcommand(
                Command::new("run")
                    .arg(Arg::new("vm").long("vm").required(true))
                    .arg(
                        Arg::new("cpus")
                            .long("cpus")
                            .value_parser(clap::value_parser!(u32)),
                    )
                    .arg(Arg::new("mode").long("mode").value_parser(["tail", "thin"]))
                    .arg(Arg::new("eq").long("eq").require_equals(true))
                    .arg(Arg::new("pair").long("pair").num_args(2))
                    .arg(Arg::new("many").long("many").num_args(2..))
                    .arg(
                        Arg::new("all")
                            .long("all")
                            .action(ArgAction::SetTrue)
                            .conflicts_with("vm"),
                    )
                    .arg(Arg::new("quiet").long("quiet").action(ArgAction::SetTrue)),
            )
            .subcommand(
                Command::new("vms")
                    .subcommand_required(true)
                    .subcommand(Command::new("list")),
            )
            .subcommand(Command::new("restore"))
            .subcommand(Command::new("exec").arg(Arg::new("words").num_args(0..)))
    }

    fn russian(args: &[&str]) -> (ErrorKind, String) {
        let err = kinds_cmd()
            .try_get_matches_from(args)
            .expect_err("a usage error");
        (err.kind(), error_text(&err))
    }

    const MORE: &str = "Подробнее: '--help'.\n";

    #[test]
    fn each_covered_usage_error_kind_is_written_in_russian_from_its_context() {
        let run = |rest: &[&str]| {
            let mut args = vec!["agsekit", "run"];
            args.extend_from_slice(rest);
            russian(&args)
        };
        let cases: Vec<((ErrorKind, String), ErrorKind, String)> = vec![
            (
                run(&[]),
                ErrorKind::MissingRequiredArgument,
                "error: не указаны обязательные аргументы:\n  --vm <vm>".to_string(),
            ),
            (
                russian(&["agsekit", "exec", "--frob"]),
                ErrorKind::UnknownArgument,
                "error: неожиданный аргумент '--frob'\n\n  подсказка: чтобы передать '--frob' как значение, используйте '-- --frob'".to_string(),
            ),
            (
                run(&["--vm", "a", "--quie"]),
                ErrorKind::UnknownArgument,
                "error: неожиданный аргумент '--quie'\n\n  подсказка: есть похожий аргумент: '--quiet'".to_string(),
            ),
            (
                run(&["--vm", "a", "--cpus", "x"]),
                ErrorKind::ValueValidation,
                "error: недопустимое значение 'x' для '--cpus <cpus>': в числе недопустимый символ".to_string(),
            ),
            (
                run(&["--vm", "a", "--mode", "fast"]),
                ErrorKind::InvalidValue,
                "error: недопустимое значение 'fast' для '--mode <mode>'\n  [допустимые значения: tail, thin]".to_string(),
            ),
            (
                run(&["--vm"]),
                ErrorKind::InvalidValue,
                "error: нужно значение для '--vm <vm>', но оно не указано".to_string(),
            ),
            (
                run(&["--vm", "a", "--all"]),
                ErrorKind::ArgumentConflict,
                "error: аргумент '--vm <vm>' нельзя использовать вместе с '--all'".to_string(),
            ),
            (
                run(&["--vm", "a", "--quiet", "--quiet"]),
                ErrorKind::ArgumentConflict,
                "error: аргумент '--quiet' нельзя указывать несколько раз".to_string(),
            ),
            (
                run(&["--vm", "a", "--eq", "v"]),
                ErrorKind::NoEquals,
                "error: значение для '--eq=<eq>' нужно передавать через знак '='".to_string(),
            ),
            (
                run(&["--vm", "a", "--quiet=yes"]),
                ErrorKind::TooManyValues,
                "error: неожиданное значение 'yes' для '--quiet'; больше значений не ожидалось".to_string(),
            ),
            (
                run(&["--vm", "a", "--many", "1"]),
                ErrorKind::TooFewValues,
                "error: для '--many <many> <many>...' нужно не меньше 2 значений, указано: 1".to_string(),
            ),
            (
                run(&["--vm", "a", "--pair", "1"]),
                ErrorKind::WrongNumberOfValues,
                "error: для '--pair <pair> <pair>' нужно значений: 2, указано: 1".to_string(),
            ),
            (
                russian(&["agsekit", "restor"]),
                ErrorKind::InvalidSubcommand,
                "error: неизвестная команда 'restor'\n\n  подсказка: есть похожая команда: 'restore'".to_string(),
            ),
            (
                russian(&["agsekit", "vms"]),
                ErrorKind::MissingSubcommand,
                "error: 'agsekit vms' требует команду, но она не указана\n  [команды: list, help]".to_string(),
            ),
        ];
        let mut wrong = Vec::new();
        for ((kind, text), want_kind, want) in cases {
            // The problem and the tips, then clap's usage line (if any) and where to read more.
            if kind != want_kind || !text.starts_with(&want) || !text.ends_with(MORE) {
                wrong.push("{kind:?} (want {want_kind:?}):\n{text}\nwant:\n{want}".to_string());
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n-----\n"));
    }

    /// clap's free-form tips in the shapes it writes them; an unknown shape stays as it is.
    #[test]
    fn free_form_tips_of_known_shapes_are_russian() {
        assert_eq!(
            free_tip("to pass 'x' as a value, use 'agsekit -- x'"),
            "чтобы передать 'x' как значение, используйте 'agsekit -- x'"
        );
        assert_eq!(free_tip("'run --vm' exists"), "есть 'run --vm'");
        assert_eq!(free_tip("something new"), "something new");
    }

    /// A kind this module does not write (here an I/O error) comes out as clap renders it.
    #[test]
    fn a_kind_not_covered_is_shown_in_clap_s_english_whole() {
        let err = clap::Error::raw(ErrorKind::Io, "broken pipe\n");
        assert_eq!(error_text(&err), err.render().to_string());
        assert!(error_text(&err).contains("broken pipe"));
    }

    /// Only whole `.SH` lines with a known header change; text that merely contains the
    /// words (or a header of our own) stays.
    #[test]
    fn man_section_headers_are_russian_and_nothing_else_changes() {
        let page = ".TH agsekit 1\n.SH NAME\nagsekit \\- NAME and OPTIONS\n.SH SYNOPSIS\n.SH \"OPTIONS\"\n.SH SUBCOMMANDS\n.SH CUSTOM\n.SH VERSION";
        assert_eq!(
            man_sections(page),
            ".TH agsekit 1\n.SH НАЗВАНИЕ\nagsekit \\- NAME and OPTIONS\n.SH ОБЗОР\n.SH ПАРАМЕТРЫ\n.SH КОМАНДЫ\n.SH CUSTOM\n.SH ВЕРСИЯ"
        );
    }
}
