//! Messages of the error and consistency fixes of issue 12: where a missing config file is
//! written, the doctor's backup folder check, `run` with a missing VM, `prepare` as root,
//! `addmount` asking the backend, and the help section of the global options.

#[rustfmt::skip]
pub const EN: &[(&str, &str)] = &[
    ("config.not_found_hint_example_at", "`agsekit config-example {path}` writes a commented example there"),
    ("config.not_found_hint_gen_at", "`agsekit --config {path} config-gen` builds it interactively"),
    ("doctor_check.backup_not_created", "not created yet: the first snapshot creates it; {parent} is writable, hardlinks work there"),
    ("doctor_check.backup_parent_missing", "does not exist, nor does {parent}: the first snapshot would create them under {existing}"),
    ("doctor_check.backup_parent_missing_fix", "mkdir -p {backup} if that is the folder you mean; else correct mounts[].backup (or source) of the mount {source}"),
    ("lifecycle.prepare.no_sudo_hint", "sudo is not installed: run `agsekit prepare -y` as root (it then runs the commands itself), or install sudo"),
    ("run.starting_mounted", "starting agent `{agent}` in VM `{vm}` in {workdir} (snapshots of {source} every {interval} min)"),
    ("run.starting_temporary", "starting agent `{agent}` in VM `{vm}` in the temporary folder {workdir} (not shared, no backups)"),
];

#[rustfmt::skip]
pub const RU: &[(&str, &str)] = &[
    ("config.not_found_hint_example_at", "`agsekit config-example {path}` запишет туда пример с комментариями"),
    ("config.not_found_hint_gen_at", "`agsekit --config {path} config-gen` составит его в диалоге"),
    ("doctor_check.backup_not_created", "ещё не создана: её создаст первый снимок; в {parent} можно писать, жёсткие ссылки работают"),
    ("doctor_check.backup_parent_missing", "не существует, как и {parent}: первый снимок создал бы их внутри {existing}"),
    ("doctor_check.backup_parent_missing_fix", "mkdir -p {backup}, если имеется в виду эта папка; иначе исправьте mounts[].backup (или source) у монтирования {source}"),
    ("lifecycle.prepare.no_sudo_hint", "sudo не установлен: запустите `agsekit prepare -y` от root (тогда команды выполняются напрямую) или установите sudo"),
    ("run.starting_mounted", "запускаю агента `{agent}` в ВМ `{vm}` в {workdir} (снимки {source} каждые {interval} мин)"),
    ("run.starting_temporary", "запускаю агента `{agent}` в ВМ `{vm}` во временной папке {workdir} (не общая, без резервных копий)"),
];
