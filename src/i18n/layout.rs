//! Messages of the mount layout rules (`config/layout.rs`): folders that may not be shared,
//! backup folders a VM could reach, VM targets that would cover system folders, and the
//! config file's own safety (a regular file of sane size, private when it holds `env:`).

pub const EN: &[(&str, &str)] = &[
    ("layout.resolves_to", "{path} (which resolves to {resolved})"),
    (
        "layout.source_home",
        "{path} is your home folder ({home}) or holds it: the VM would see ~/.ssh, your credentials and agsekit's own SSH key",
    ),
    (
        "layout.source_system",
        "{path} is a system folder, lies inside one or holds one: the agent could change what the host runs",
    ),
    (
        "layout.source_private",
        "{path} would expose {private} to the VM: it holds credentials or agsekit's own keys and settings",
    ),
    (
        "layout.source_fix",
        "share a project folder instead: cd into it (for example ~/projects/app) and run `agsekit addmount .`",
    ),
    (
        "layout.cwd_not_shareable",
        "{path} itself cannot be shared (your home folder, a system folder, or a folder holding credentials): cd into a project folder (for example ~/projects/app) and run `agsekit addmount .` there",
    ),
    (
        "layout.target_system",
        "{target} is a system folder of the VM, the VM user's home or a folder the launcher and SSH rely on (or holds one)",
    ),
    (
        "layout.backup_is_source",
        "the backup folder {backup} is the shared folder {source} of {other} (VM {vm}): the agent there could rewrite every snapshot through the hardlinks",
    ),
    (
        "layout.backup_in_source",
        "the backup folder {backup} is inside the shared folder {source} of {other} (VM {vm}): the agent there could rewrite every snapshot through the hardlinks",
    ),
    (
        "layout.backup_holds_source",
        "the backup folder {backup} holds the shared folder {source} of {other} (VM {vm}): snapshots and a shared folder must not overlap",
    ),
    (
        "layout.backup_fix",
        "move the backup folder outside every shared folder (set `{key}:` in {config}) or remove {other}",
    ),
    (
        "layout.config_not_regular",
        "config path {path} is not a regular file ({kind}); agsekit reads only regular files",
    ),
    ("layout.config_not_regular_hint", "pass the YAML file itself with --config FILE"),
    (
        "layout.config_too_large",
        "config file {path} is {size} bytes; a config file is at most {limit} bytes",
    ),
    ("layout.config_too_large_hint", "check that --config or $CONFIG_PATH names the right file"),
    ("layout.kind_fifo", "a named pipe"),
    ("layout.kind_char", "a character device"),
    ("layout.kind_block", "a block device"),
    ("layout.kind_socket", "a socket"),
    ("layout.kind_other", "not a file"),
    (
        "layout.env_name_chars",
        "variable name {name} is not a valid name: use letters, digits and _, not starting with a digit (the VM-side launcher refuses others)",
    ),
    (
        "layout.removemount_hint",
        "`agsekit removemount FOLDER [--vm VM]` removes a mount entry even while these problems stand",
    ),
    ("layout.doctor_subject_config", "config file"),
    (
        "layout.doctor_config_open",
        "{path} holds `env:` values (API keys) and other users can read it (mode {mode})",
    ),
    ("layout.doctor_config_private", "{path} holds `env:` values and only you can read it"),
];

pub const RU: &[(&str, &str)] = &[
    ("layout.resolves_to", "{path} (указывает на {resolved})"),
    (
        "layout.source_home",
        "{path} — ваша домашняя папка ({home}) или содержит её: ВМ увидела бы ~/.ssh, ваши учётные данные и собственный SSH-ключ agsekit",
    ),
    (
        "layout.source_system",
        "{path} — системная папка, лежит внутри системной или содержит её: агент смог бы изменить то, что запускает хост",
    ),
    (
        "layout.source_private",
        "{path} открыла бы ВМ доступ к {private}: там учётные данные или собственные ключи и настройки agsekit",
    ),
    (
        "layout.source_fix",
        "откройте доступ к папке проекта: перейдите в неё (например, ~/projects/app) и выполните `agsekit addmount .`",
    ),
    (
        "layout.cwd_not_shareable",
        "к самой папке {path} нельзя открыть доступ (домашняя папка, системная папка или папка с учётными данными): перейдите в папку проекта (например, ~/projects/app) и выполните там `agsekit addmount .`",
    ),
    (
        "layout.target_system",
        "{target} — системная папка ВМ, домашняя папка пользователя ВМ или папка, на которую полагаются запускатель и SSH (или содержит такую)",
    ),
    (
        "layout.backup_is_source",
        "папка резервных копий {backup} совпадает с общей папкой {source} из {other} (ВМ {vm}): агент там смог бы переписать все снимки через жёсткие ссылки",
    ),
    (
        "layout.backup_in_source",
        "папка резервных копий {backup} лежит внутри общей папки {source} из {other} (ВМ {vm}): агент там смог бы переписать все снимки через жёсткие ссылки",
    ),
    (
        "layout.backup_holds_source",
        "папка резервных копий {backup} содержит общую папку {source} из {other} (ВМ {vm}): снимки и общая папка не должны пересекаться",
    ),
    (
        "layout.backup_fix",
        "перенесите папку резервных копий за пределы всех общих папок (задайте `{key}:` в {config}) или удалите {other}",
    ),
    (
        "layout.config_not_regular",
        "путь к конфигурации {path} — не обычный файл ({kind}); agsekit читает только обычные файлы",
    ),
    ("layout.config_not_regular_hint", "укажите сам YAML-файл через --config FILE"),
    (
        "layout.config_too_large",
        "файл конфигурации {path} занимает {size} байт; допускается не больше {limit} байт",
    ),
    ("layout.config_too_large_hint", "проверьте, что --config или $CONFIG_PATH указывает на нужный файл"),
    ("layout.kind_fifo", "именованный канал"),
    ("layout.kind_char", "символьное устройство"),
    ("layout.kind_block", "блочное устройство"),
    ("layout.kind_socket", "сокет"),
    ("layout.kind_other", "не файл"),
    (
        "layout.env_name_chars",
        "имя переменной {name} недопустимо: используйте буквы, цифры и _, не начиная с цифры (запускатель в ВМ отвергает другие имена)",
    ),
    (
        "layout.removemount_hint",
        "`agsekit removemount FOLDER [--vm VM]` удаляет запись о монтировании даже при этих ошибках",
    ),
    ("layout.doctor_subject_config", "файл конфигурации"),
    (
        "layout.doctor_config_open",
        "{path} содержит значения `env:` (API-ключи), и его могут читать другие пользователи (права {mode})",
    ),
    ("layout.doctor_config_private", "{path} содержит значения `env:`, и читать его можете только вы"),
];
