//! Russian for the texts clap itself writes (usage errors, `[default: ...]` in help): clap
//! has no translation hook, so its rendered text is rewritten phrase by phrase. The `error:`
//! prefix stays English, like `agsekit: error:`. A phrase clap changes in a later version
//! would be left English: a unit test renders every usage error kind through clap itself and
//! fails when English is left, so an upgrade of clap shows it.

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

/// clap's rendered text with the known phrases in Russian.
pub fn translate(text: &str) -> String {
    let mut out = text.to_string();
    for (en, ru) in PHRASES {
        out = out.replace(en, ru);
    }
    out
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
            let ru = translate(&err.render().to_string());
            let left: Vec<&&str> = ENGLISH.iter().filter(|w| ru.contains(**w)).collect();
            assert!(
                left.is_empty(),
                "{args:?} ({:?}): English left {left:?} in:\n{ru}",
                err.kind()
            );
        }
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
