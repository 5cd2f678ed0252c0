//! Russian for the texts clap itself writes. clap has no translation hook, so:
//! - **usage errors** are written anew from what the error carries, [`clap::Error::kind`] and
//!   its context (`err.get(ContextKind::InvalidArg)`...), not from clap's English sentences:
//!   [`error_text`]. A kind this module does not cover, or one whose context is not what it
//!   expects, is shown in clap's English, whole; a clap upgrade can thus leave a message
//!   English, never half-translated or garbled. The `error:` prefix stays English, like
//!   `agsekit: error:`.
//! - **help pages** (`--help`, `[default: ...]`, `Usage:`...) are clap's rendering with its
//!   few fixed words replaced ([`translate`]); the help texts themselves come translated from
//!   `help_ru.rs`.
//!
//! Unit tests make clap produce every covered kind and check the Russian text, and render
//! the usage errors agsekit's users meet and fail on any English left.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// (English phrase, Russian phrase), applied in this order (longer phrases first).
const PHRASES: &[(&str, &str)] = &[
    (
        "the following required arguments were not provided:",
        "не указаны обязательные аргументы:",
    ),
    (
        "requires a subcommand but one was not provided",
        "требует команду, но она не указана",
    ),
    ("' but none was supplied", "', но оно не указано"),
    ("a value is required for '", "нужно значение для '"),
    (
        "' found; no more were expected",
        "'; больше значений не ожидалось",
    ),
    ("unexpected argument '", "неожиданный аргумент '"),
    ("unexpected value '", "неожиданное значение '"),
    ("' found", "'"),
    ("unrecognized subcommand '", "неизвестная команда '"),
    ("invalid value '", "недопустимое значение '"),
    ("' for '", "' для '"),
    (
        "cannot be used multiple times",
        "нельзя указывать несколько раз",
    ),
    ("cannot be used with", "нельзя использовать вместе с"),
    (
        "one or more of the other specified arguments",
        "одним из других указанных аргументов",
    ),
    ("the argument '", "аргумент '"),
    ("the subcommand '", "команда '"),
    (
        "tip: a similar subcommand exists:",
        "подсказка: есть похожая команда:",
    ),
    (
        "tip: some similar subcommands exist:",
        "подсказка: есть похожие команды:",
    ),
    (
        "tip: a similar argument exists:",
        "подсказка: есть похожий аргумент:",
    ),
    (
        "tip: some similar arguments exist:",
        "подсказка: есть похожие аргументы:",
    ),
    ("tip: to pass '", "подсказка: чтобы передать '"),
    ("' as a value, use '", "' как значение, используйте '"),
    ("For more information, try '", "Подробнее: '"),
    ("[possible values: ", "[допустимые значения: "),
    ("[subcommands: ", "[команды: "),
    ("[default: ", "[по умолчанию: "),
    ("possible values:", "допустимые значения:"),
    (
        "invalid digit found in string",
        "в числе недопустимый символ",
    ),
    ("Usage: ", "Использование: "),
    ("\nArguments:\n", "\nАргументы:\n"),
    ("\nOptions:\n", "\nПараметры:\n"),
    ("\nCommands:\n", "\nКоманды:\n"),
    // The usage line's placeholder for options (clap's own; value names such as `<VM>` stay,
    // and the placeholder for a subcommand is set with `subcommand_value_name`).
    ("[OPTIONS]", "[ПАРАМЕТРЫ]"),
];

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

/// clap's rendered help (or version) text with its fixed words in Russian.
pub fn translate(text: &str) -> String {
    let mut out = text.to_string();
    for (en, ru) in PHRASES {
        out = out.replace(en, ru);
    }
    out
}

/// What to print for a clap error shown to a Russian reader: a usage error written in
/// Russian from its kind and context, help and version pages with clap's words translated,
/// anything else in clap's English.
pub fn error_text(err: &clap::Error) -> String {
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            translate(&err.render().to_string())
        }
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
        out.push_str(&translate(&usage.to_string()));
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
    fn usage_errors_read_in_russian_with_values_kept() {
        let en = "error: the following required arguments were not provided:\n  --source-dir <DIR>\n\nUsage: agsekit backup-once --source-dir <DIR> --dest-dir <DIR>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            translate(en),
            "error: не указаны обязательные аргументы:\n  --source-dir <DIR>\n\nИспользование: agsekit backup-once --source-dir <DIR> --dest-dir <DIR>\n\nПодробнее: '--help'.\n"
        );
        assert_eq!(
            translate("error: unexpected argument '--frob' found\n"),
            "error: неожиданный аргумент '--frob'\n"
        );
        assert_eq!(
            translate("error: invalid value 'x' for '[KEEP]': invalid digit found in string\n"),
            "error: недопустимое значение 'x' для '[KEEP]': в числе недопустимый символ\n"
        );
    }

    #[test]
    fn the_options_placeholder_is_russian_and_value_names_stay() {
        assert_eq!(
            translate("Usage: agsekit run [OPTIONS] <AGENT> [AGENT_ARGS]...\n"),
            "Использование: agsekit run [ПАРАМЕТРЫ] <AGENT> [AGENT_ARGS]...\n"
        );
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
