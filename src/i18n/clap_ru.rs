//! Russian for the texts clap itself writes (usage errors, `[default: ...]` in help): clap
//! has no translation hook, so its rendered text is rewritten phrase by phrase. The `error:`
//! prefix stays English, like `agsekit: error:`. A phrase clap changes in a later version is
//! simply left English.

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
];

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
}
