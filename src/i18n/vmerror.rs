//! Backend-neutral texts of `VmError` (`src/vm/error.rs`): messages and hints that fit any
//! backend. A backend's own words (its daemon, its socket, its settings...) are
//! `VmError::Backend` values its module makes with its own keys.

pub const EN: &[(&str, &str)] = &[
    ("vmerror.not_installed", "{program} is not installed: {detail}"),
    (
        "vmerror.source_missing",
        "mount source {path} does not exist (or the VM backend cannot see it)",
    ),
    (
        "vmerror.bad_invocation",
        "the VM backend refused the command agsekit built: {detail}",
    ),
    (
        "vmerror.hint.deleted",
        "`agsekit destroy-vm {name}` removes it for good, then `agsekit create-vm {name}` creates it anew",
    ),
    (
        "vmerror.hint.unknown_state",
        "stop it with `agsekit stop-vm {name}`, then `agsekit start-vm {name}`",
    ),
    ("vmerror.hint.suspended", "resume it first with `agsekit start-vm {name}`"),
    (
        "vmerror.hint.image_not_found",
        "check vms.<name>.image in the config, then run `agsekit config-check`",
    ),
    ("vmerror.hint.image_remote", "check the network connection, then retry"),
    (
        "vmerror.hint.timeout",
        "the VM may still come up: check with `agsekit status`, then retry",
    ),
    (
        "vmerror.hint.source_missing",
        "check that {path} exists and that your user and the VM backend can read it",
    ),
    (
        "vmerror.hint.mount_failed",
        "stop whatever uses the folder in the VM, then retry; `--debug` shows the VM backend's calls",
    ),
    (
        "vmerror.hint.bug",
        "this is a bug in agsekit: please report it with the `--debug` output and `agsekit --version`",
    ),
    ("vmerror.hint.spawn", "check that the program named above can be run by your user"),
    (
        "vmerror.hint.failed",
        "rerun with `--debug` to see every call to the VM backend and its output",
    ),
];

pub const RU: &[(&str, &str)] = &[
    ("vmerror.not_installed", "{program} не установлен: {detail}"),
    (
        "vmerror.source_missing",
        "папка для монтирования {path} не существует (или бэкенд ВМ её не видит)",
    ),
    (
        "vmerror.bad_invocation",
        "бэкенд ВМ отверг команду, собранную agsekit: {detail}",
    ),
    (
        "vmerror.hint.deleted",
        "`agsekit destroy-vm {name}` удалит её насовсем, затем `agsekit create-vm {name}` создаст заново",
    ),
    (
        "vmerror.hint.unknown_state",
        "остановите её командой `agsekit stop-vm {name}`, затем `agsekit start-vm {name}`",
    ),
    ("vmerror.hint.suspended", "сначала возобновите её командой `agsekit start-vm {name}`"),
    (
        "vmerror.hint.image_not_found",
        "проверьте vms.<name>.image в конфигурации, затем запустите `agsekit config-check`",
    ),
    ("vmerror.hint.image_remote", "проверьте подключение к сети и повторите"),
    (
        "vmerror.hint.timeout",
        "ВМ может ещё запуститься: проверьте `agsekit status` и повторите",
    ),
    (
        "vmerror.hint.source_missing",
        "проверьте, что {path} существует и что ваш пользователь и бэкенд ВМ могут её читать",
    ),
    (
        "vmerror.hint.mount_failed",
        "остановите то, что использует папку в ВМ, и повторите; `--debug` покажет вызовы бэкенда ВМ",
    ),
    (
        "vmerror.hint.bug",
        "это ошибка в agsekit: сообщите о ней, приложив вывод с `--debug` и `agsekit --version`",
    ),
    ("vmerror.hint.spawn", "проверьте, что ваш пользователь может запускать названную выше программу"),
    (
        "vmerror.hint.failed",
        "запустите с `--debug`, чтобы увидеть каждый вызов бэкенда ВМ и его вывод",
    ),
];
