//! Russian messages: the same keys and `{placeholders}` as `en.rs` (a unit test checks).
//! Machine-readable prefixes (`agsekit: error:`, `agsekit: warning:`, `hint:`) stay English
//! so that scripts and bug reports can match them; the text after them is translated.

pub const MESSAGES: &[(&str, &str)] = &[
    // The CLI frame (src/cli/mod.rs)
    ("cli.version", "Установленная версия: {version}"),
    ("prompt.number", "Номер"),
    ("prompt.number_range", "введите число от 1 до {count}"),
    ("prompt.default_yes", "Д/н"),
    ("prompt.default_no", "д/Н"),
    ("prompt.answer_yes_no", "ответьте д (да) или н (нет)"),
    ("prompt.closed", "нет ответа: ввод закрыт"),
    (
        "prompt.closed_hint",
        "запустите команду снова в терминале или передайте все значения флагами (см. --help)",
    ),
    ("menu.title", "agsekit: выберите команду (Ctrl-C — выход)"),
    ("menu.section.setup", "Подготовка и конфигурация"),
    ("menu.section.vms", "Виртуальные машины"),
    ("menu.section.mounts", "Монтирования"),
    ("menu.section.agents", "Агенты и оболочки"),
    ("menu.section.backups", "Резервные копии и снимки"),
    ("menu.section.status", "Состояние и службы"),
    ("menu.pick", "Команда (номер или имя)"),
    ("menu.pick_again", "введите число от 1 до {count} или имя команды"),
    ("menu.leave_out", "(не указывать)"),
    ("menu.other", "(ввести другое значение)"),
    ("menu.value", "Значение"),
    ("menu.optional", "пусто — не указывать"),
    (
        "menu.several",
        "несколько значений: через пробел, с кавычками как в оболочке",
    ),
    (
        "menu.bad_words",
        "не удалось разобрать как в оболочке: {reason}",
    ),
    ("menu.required", "нужно значение"),
    ("menu.mount_choice", "{source} -> {vm}:{target}"),
    ("menu.pick_mount", "Монтирование"),
    ("menu.no_snapshots", "в {path} пока нет снимков"),
    (
        "menu.no_config",
        "Конфигурацию использовать не удалось ({reason}); вводите значения вручную.",
    ),
    ("menu.preview", "Команда: {command}"),
    ("menu.confirm", "Выполнить?"),
    ("menu.cancelled", "Не выполнено."),
    (
        "menu.fallback",
        "Не хватает {missing}: спрашиваю (--non-interactive отключает вопросы).",
    ),
    (
        "config_gen.intro",
        "agsekit config-gen создаёт конфигурацию по ответам на вопросы.\nEnter — принять значение в [скобках]; Ctrl-C — выйти, ничего не записывая.",
    ),
    (
        "config_gen.vms",
        "\n== Виртуальные машины (первая — ВМ по умолчанию)",
    ),
    ("config_gen.vm_name", "Имя ВМ"),
    ("config_gen.vm_cpu", "Виртуальных процессоров"),
    ("config_gen.vm_ram", "Память (например, 4G или 4096M)"),
    ("config_gen.vm_disk", "Размер диска (например, 20G)"),
    (
        "config_gen.vm_bundles",
        "Наборы для установки через запятую (pyenv, nvm, python[:версия], nodejs[:версия], rust, golang, docker; пусто — ничего)",
    ),
    (
        "config_gen.vm_proxy",
        "Пускать трафик агентов этой ВМ через прокси?",
    ),
    (
        "config_gen.vm_proxychains",
        "URL для proxychains, например socks5://127.0.0.1:8181 (пусто — без него)",
    ),
    (
        "config_gen.vm_http_proxy",
        "Вышестоящий прокси для privoxy внутри ВМ, например socks5://127.0.0.1:8181 (пусто — без него)",
    ),
    ("config_gen.vm_more", "Добавить ещё одну ВМ?"),
    ("config_gen.agents", "\n== Агенты"),
    ("config_gen.agent_add", "Добавить агента?"),
    ("config_gen.agent_type", "Тип агента:"),
    (
        "config_gen.agent_name",
        "Имя агента (для `agsekit run ИМЯ`)",
    ),
    (
        "config_gen.agent_version",
        "Версия (пусто — последняя, `stable` — проверенная, или например 1.2.3)",
    ),
    (
        "config_gen.agent_vms",
        "ВМ для этого агента через запятую (пусто — все)",
    ),
    ("config_gen.agent_more", "Добавить ещё одного агента?"),
    ("config_gen.mounts", "\n== Общие папки (монтирования)"),
    (
        "config_gen.mount_add",
        "Открыть доступ ВМ к папке хоста сейчас?",
    ),
    ("config_gen.mount_source", "Папка хоста для общего доступа"),
    ("config_gen.mount_target", "Папка внутри ВМ"),
    ("config_gen.mount_backup", "Папка для снимков на хосте"),
    ("config_gen.mount_vm", "ВМ для этой папки:"),
    ("config_gen.mount_interval", "Минут между снимками"),
    (
        "config_gen.mount_agents",
        "Агенты, которым разрешена эта папка: имена или типы через запятую (пусто — без ограничений)",
    ),
    (
        "config_gen.mount_ignore",
        "Записать в папку стандартный .backupignore (venv/, node_modules/, кэши)?",
    ),
    ("config_gen.mount_more", "Добавить ещё одну папку?"),
    ("config_gen.global", "\n== Общие настройки"),
    (
        "config_gen.global_add",
        "Изменить общие настройки (папка SSH-ключей, проверка обновлений, пул портов прокси)?",
    ),
    ("config_gen.global_ssh", "Папка для SSH-ключей agsekit"),
    (
        "config_gen.global_pf",
        "Секунд между проверками конфигурации проброса портов",
    ),
    (
        "config_gen.global_check",
        "Проверять выход новых версий agsekit?",
    ),
    (
        "config_gen.global_pool_start",
        "Первый порт пула HTTP-прокси",
    ),
    ("config_gen.global_pool_end", "Последний порт пула HTTP-прокси"),
    ("config_gen.destination", "Сохранить конфигурацию в"),
    (
        "config_gen.needs_tty",
        "config-gen задаёт вопросы и требует терминал (stdin и stderr), а его нет или указан --non-interactive",
    ),
    (
        "config_gen.hint_example",
        "`agsekit config-example [ПУТЬ]` запишет пример конфигурации с комментариями, который можно отредактировать",
    ),
    (
        "config_gen.exists",
        "{path} уже существует; config-gen не заменяет файл без --overwrite",
    ),
    (
        "config_gen.choose_other",
        "{path} уже существует; укажите другой путь (или запустите config-gen с --overwrite)",
    ),
    (
        "config_gen.wrote",
        "Записан {path}.\nДальше: `agsekit config-check`, чтобы проверить его, затем `agsekit create-vms`.",
    ),
    (
        "config_gen.replaced",
        "Прежний файл сохранён как {path}.",
    ),
    (
        "config_gen.mount_warning",
        "внимание: {reason}; {fix}. Всё равно оставить эту папку?",
    ),
    (
        "config_gen.empty_folder",
        "введите папку, например ~/projects/app",
    ),
    (
        "config_gen.target_relative",
        "укажите абсолютный путь, например /home/ubuntu/project",
    ),
    (
        "config_gen.hint_overwrite",
        "добавьте --overwrite, чтобы заменить его, или укажите другой --config ПУТЬ",
    ),
    ("config_gen.hint_again", "запустите config-gen ещё раз"),
    (
        "config_gen.whole_number",
        "введите целое число от 1 до {max}",
    ),
    (
        "config_gen.below_minimum",
        "{size} меньше минимума Multipass ({min})",
    ),
    (
        "config_gen.name_taken",
        "{name} уже занято; выберите другое имя",
    ),
    ("config_gen.no_such_vm", "нет ВМ {name}; есть ВМ: {vms}"),
    (
        "config_gen.cannot_share",
        "к {path} нельзя открыть доступ; выберите папку проекта",
    ),
    ("config_gen.already_shared", "к {path} доступ уже открыт"),
    ("config_gen.target_taken", "{path} уже занята в ВМ {vm}"),
    (
        "config_gen.backup_inside",
        "{path} находится внутри общей папки; снимки копировали бы сами себя",
    ),
    (
        "config_gen.backup_taken",
        "{path} уже используется другой папкой",
    ),
    (
        "config_gen.unknown_agent",
        "{name} — не агент из списка выше и не тип агента",
    ),
    (
        "config_gen.pool_end",
        "последний порт должен быть не меньше {start}",
    ),
    (
        "config_gen.dest_is_folder",
        "{path} — папка; укажите путь к файлу",
    ),
    (
        "config_gen.generated_invalid",
        "созданная конфигурация не прошла проверку, поэтому ничего не записано: {detail}",
    ),
    (
        "config_gen.hint_report",
        "пожалуйста, сообщите об этом; пока можно отредактировать пример из `agsekit config-example`",
    ),
    ("config_gen.cannot_write", "не удалось записать {path}: {error}"),
    ("config_gen.hint_permissions", "проверьте права доступа к {path}"),
    (
        "config_gen.no_folder_for_backupignore",
        "agsekit: warning: {path} пока не существует, поэтому .backupignore не записан",
    ),
    ("config_gen.wrote_backupignore", "Записан стандартный {path}"),
    (
        "config_gen.kept_backupignore",
        "{path} уже существует; оставлен без изменений",
    ),
    (
        "config_gen.backupignore_failed",
        "agsekit: warning: не удалось записать {path}: {error}",
    ),
    // agsekit run: the session (src/run/session.rs, src/run/policy.rs, src/cli/run.rs)
    ("run.no_workdir", "рабочей папки {path} не существует"),
    ("run.no_workdir_hint", "укажите существующую папку в --workdir"),
    (
        "run.starts_mounted",
        "агент `{agent}` работает в ВМ `{vm}` в {workdir} (снимки {source} каждые {interval} мин)",
    ),
    (
        "run.starts_temporary",
        "агент `{agent}` работает в ВМ `{vm}` во временной папке {workdir} (не общая, без резервных копий)",
    ),
    ("run.loop_failed", "не удалось запустить фоновые снимки: {error}"),
    ("run.review_failed", "не удалось проверить изменения сессии: {error}"),
    (
        "run.outside_mounts",
        "{path} не входит ни в одну общую папку из {config}: агент, запущенный здесь, не был бы защищён",
    ),
    (
        "run.outside_mounts_hint",
        "добавьте её командой `agsekit addmount {path}` или запускайте из общей папки",
    ),
    (
        "run.ask_temporary",
        "Эта папка вне всех общих папок. Запустить агента во временной, не общей папке внутри ВМ (без резервных копий)?",
    ),
    ("run.mkdir_failed", "не удалось создать {dir} в ВМ `{vm}`: {error}"),
    ("run.snapshot_before", "Делаю снимок {source} перед запуском агента"),
    (
        "run.first_snapshot_before",
        "Делаю первый снимок {source} перед запуском агента",
    ),
    ("run.backup_warning", "предупреждение резервного копирования: {warning}"),
    ("run.clean_failed", "не удалось удалить старые снимки: {error}"),
    (
        "run.snapshot_busy",
        "сейчас записывается другой снимок {source}; не жду его",
    ),
    (
        "run.pre_snapshot_failed",
        "снимок перед запуском не удался; агент не запущен",
    ),
    (
        "run.unshared_mount_problem",
        "запускатель сообщил о проблеме монтирования для не общей папки",
    ),
    (
        "run.still_not_usable",
        "{path} всё ещё недоступна внутри ВМ `{vm}` после повторного монтирования",
    ),
    ("run.not_installed", "агент `{agent}` ({binary}) не установлен в ВМ `{vm}`"),
    ("run.no_workdir_in_vm", "{path} не существует внутри ВМ `{vm}`"),
    ("run.no_workdir_in_vm_hint", "agsekit doctor (монтирование могло устареть)"),
    (
        "run.launcher_failed",
        "запускатель в ВМ `{vm}` не смог запустить агента (код {code}; его сообщение выше)",
    ),
    ("run.installing_launcher", "устанавливаю запускатель agsekit в ВМ `{vm}`"),
    ("run.signals_failed", "не удалось установить обработчики сигналов: {error}"),
    ("run.wait_failed", "ошибка ожидания агента: {error}"),
    (
        "run.remount_empty",
        "{source} подключена в ВМ `{vm}`, но выглядит там пустой; монтирую заново",
    ),
    (
        "run.remount_dead",
        "{source} подключена в ВМ `{vm}`, но не работает; монтирую заново",
    ),
    ("run.ask_mount", "{source} не смонтирована в ВМ `{vm}`. Смонтировать сейчас?"),
    ("run.not_mounted", "{source} настроена для ВМ `{vm}`, но не смонтирована"),
    ("run.not_mounted_hint", "agsekit mount {source} (или передайте --auto-mount)"),
    (
        "run.env_failed",
        "не удалось записать окружение агента `{agent}` в ВМ `{vm}` (код {code})",
    ),
    ("run.vm_not_running", "ВМ `{vm}` в состоянии {state}"),
    ("run.scope_mount", "общей папки {path}"),
    ("run.scope_vm", "ВМ {vm}"),
    ("run.not_allowed", "агент `{agent}` не разрешён для {scope}; allowed_agents: {list}"),
    ("run.allowed_none", "(пусто)"),
    (
        "run.not_allowed_hint",
        "добавьте `{agent}` в allowed_agents для {scope} в конфигурации или запустите разрешённого агента",
    ),
    ("run.vm_not_defined", "ВМ `{vm}` не описана в {config}; описанные ВМ: {list}"),
    ("run.no_vms", "в {config} не описано ни одной ВМ"),
    ("run.no_vms_hint", "добавьте раздел `vms:` (пример показывает agsekit config-example)"),
    (
        "run.two_proxies",
        "HTTP-прокси и proxychains нельзя включить одновременно для агента `{agent}` в ВМ `{vm}`",
    ),
    (
        "run.two_proxies_hint",
        "отключите одно из них: `--proxychains \"\"` или `--http-proxy \"\"`, или задайте агенту `proxychains: \"\"`",
    ),
    ("run.no_cwd", "не удалось прочитать текущую папку (её удалили?)"),
    ("run.no_cwd_hint", "перейдите (cd) в папку проекта и попробуйте снова"),
    ("run.no_exe", "не удалось найти исполняемый файл agsekit: {error}"),
    ("review.no_changes", "за эту сессию в {source} ничего не изменилось"),
    (
        "review.summary",
        "эта сессия изменила {source}: добавлено {added}, изменено {modified}, удалено {deleted} (по сравнению со снимком {snapshot})",
    ),
    ("review.largest_deletions", "крупнейшие удаления: {list}"),
    (
        "review.protected",
        "ВНИМАНИЕ: изменены защищённые пути (код отсюда может позже выполниться на вашем хосте):",
    ),
    ("review.restore_all", "восстановить всё: {command}"),
    ("review.restore_protected", "восстановить их: {command}"),
    // Shims (src/cli/shims.rs)
    ("shims.created", "создан        {name}"),
    ("shims.updated", "обновлён      {name}"),
    ("shims.unchanged", "без изменений {name}"),
    ("shims.removed", "удалён        {name}"),
    ("shims.foreign", "{path} существует и создан не agsekit; оставлен как есть"),
    ("shims.invalid_name", "{name} не может быть именем шима; пропущено"),
    (
        "shims.path_hint",
        "поставьте {dir} первым в PATH: добавьте `eval \"$(agsekit init bash)\"` в ~/.bashrc (zsh: init zsh; fish: `agsekit init fish | source`)",
    ),
    ("shims.none", "в {dir} нет шимов"),
    ("shims.list_title", "шимы в {dir}:"),
    ("shims.host", "на хосте: {path}"),
    ("shims.host_none", "на хосте: нет"),
    ("shims.stale", "(указывает на другой agsekit; выполните `agsekit shims install`)"),
    ("shims.path_first", "{dir} стоит первым в PATH"),
    ("shims.path_not_first", "{dir} есть в PATH, но не первым"),
    ("shims.path_missing", "{dir} нет в PATH (см. `agsekit init --help`)"),
    (
        "shims.loop",
        "шим `{name}` снова запустил сам себя: `{name}`, найденный в PATH, ведёт обратно в agsekit",
    ),
    (
        "shims.loop_hint",
        "проверьте PATH и `agsekit shims list`; уберите цикл (скрипт-обёртка, вызывающий шим?)",
    ),
    ("shims.no_host_program", "в PATH нет `{name}` вне папки шимов {dir}"),
    (
        "shims.no_host_program_hint",
        "установите {name} на хост или используйте его в общей папке, где он работает в ВМ",
    ),
    (
        "shims.no_agent",
        "{path} — общая папка, но ни один агент в {config} не называется `{name}` и не запускает `{name}`",
    ),
    (
        "shims.no_agent_hint",
        "добавьте агента с `type: {name}` в раздел `agents:` или выполните `agsekit shims exec --host {name}`",
    ),
    (
        "shims.refuse",
        "{path} не входит в общую папку, и `{name}` работал бы без защиты; отказ",
    ),
    ("shims.refuse_hint", "защитите эту папку: agsekit addmount {path}"),
    (
        "shims.refuse_hint_host",
        "или запустите программу хоста один раз: agsekit shims exec --host {name} ...",
    ),
];
