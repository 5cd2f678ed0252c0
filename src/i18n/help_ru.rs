//! Russian texts for the clap help: each English help text (as written in the derive doc
//! comments, paragraph lines joined by spaces) mapped to its Russian text. Keyed by the
//! English text so that changing a help text in English shows up as "not translated" in the
//! tests instead of silently keeping a stale translation.

pub const HELP: &[(&str, &str)] = &[
    // clap's own
    ("Print help", "Показать справку"),
    ("Print help (see more with '--help')", "Показать справку (подробнее: --help)"),
    ("Print help (see a summary with '-h')", "Показать справку (кратко: -h)"),
    ("Print version", "Показать версию"),
    (
        "Print this message or the help of the given subcommand(s)",
        "Показать эту справку или справку по указанным командам",
    ),
    ("Print help for the subcommand(s)", "Показать справку по командам"),
    // agsekit
    (
        "Agent Safety Kit: run AI coding agents inside Multipass VMs with rolling hardlinked backups",
        "Agent Safety Kit: запуск ИИ-агентов для программирования в виртуальных машинах Multipass с регулярными резервными копиями на жёстких ссылках",
    ),
    (
        "Path to the config file (default: $CONFIG_PATH, then ~/.config/agsekit/config.yaml)",
        "Путь к файлу конфигурации (по умолчанию: $CONFIG_PATH, затем ~/.config/agsekit/config.yaml)",
    ),
    (
        "Never fall back to interactive prompts",
        "Никогда не переходить к интерактивным вопросам",
    ),
    // The section of the three options above in every command's --help.
    ("Global options", "Общие параметры"),
    (
        "Show executed commands and their outputs (secrets masked)",
        "Показывать выполняемые команды и их вывод (секреты скрыты)",
    ),
    ("Show the agsekit version", "Показать версию agsekit"),
    (
        "Refresh the cached newest versions of the configured agent types (for install-agents --upgrade)",
        "Обновить сохранённые последние версии настроенных типов агентов (для install-agents --upgrade)",
    ),
    (
        "Upgrade an agsekit installed from its Python wheel with that environment's pip; otherwise print how to upgrade it",
        "Обновить agsekit, установленный из wheel-пакета Python, через pip его окружения; иначе показать, как его обновить",
    ),
    (
        "Print a shell completion script (bash, zsh, fish, elvish, powershell)",
        "Вывести скрипт автодополнения для оболочки (bash, zsh, fish, elvish, powershell)",
    ),
    (
        "The shell to generate completions for",
        "Оболочка, для которой нужен скрипт автодополнения",
    ),
    (
        "Print the shell integration script: shims on PATH and a prompt hook",
        "Вывести скрипт интеграции с оболочкой: прокладки в PATH и хук приглашения",
    ),
    (
        "The shell to print the integration script for",
        "Оболочка, для которой нужен скрипт интеграции",
    ),
    (
        "Do not put the shims folder on PATH",
        "Не добавлять папку прокладок в PATH",
    ),
    (
        "Do not install the prompt hook that exports AGSEKIT_PROTECTION",
        "Не устанавливать хук приглашения, который экспортирует AGSEKIT_PROTECTION",
    ),
    (
        "Print the protection state of the current folder (for prompts)",
        "Вывести состояние защиты текущей папки (для приглашения оболочки)",
    ),
    (
        "The folder to describe (default: the current folder)",
        "Папка, состояние которой нужно вывести (по умолчанию: текущая)",
    ),
    (
        "Output for a protected folder; {vm}, {mount} and {age} are replaced. {age} is the age of the newest snapshot (`3m`, `2h`) or `no-snapshot`, with `!` appended when it is older than two backup intervals, and ` ignore-rules?` when a changed .backupignore waits for `agsekit accept-ignore`",
        "Вывод для защищённой папки; {vm}, {mount} и {age} заменяются. {age} — возраст последнего снимка (`3m`, `2h`) или `no-snapshot`, с `!` в конце, если он старше двух интервалов резервного копирования, и с ` ignore-rules?`, если изменённый .backupignore ждёт `agsekit accept-ignore`",
    ),
    (
        "Output for a folder that no mount covers",
        "Вывод для папки, которую не покрывает ни одно монтирование",
    ),
    (
        "Write a commented example config covering every key (never overwrites)",
        "Записать пример конфигурации с комментариями ко всем ключам (никогда не перезаписывает)",
    ),
    (
        "Where to write the example; an existing file is never replaced (default: the config path from --config, $CONFIG_PATH or ~/.config/agsekit/config.yaml, skipped if present)",
        "Куда записать пример; существующий файл никогда не заменяется (по умолчанию: путь конфигурации из --config, $CONFIG_PATH или ~/.config/agsekit/config.yaml; пропускается, если файл есть)",
    ),
    (
        "Validate the config and summarize its VMs, mounts and agents",
        "Проверить конфигурацию и кратко показать её ВМ, монтирования и агентов",
    ),
    (
        "Build a commented config by answering questions (--config is where it is saved)",
        "Создать конфигурацию с комментариями, отвечая на вопросы (--config — куда её сохранить)",
    ),
    (
        "Replace an existing file at the destination (a backup copy is kept next to it)",
        "Заменить существующий файл (рядом сохраняется резервная копия)",
    ),
    (
        "Add a mount entry to the config (keeps the file's comments and layout)",
        "Добавить монтирование в конфигурацию (комментарии и оформление файла сохраняются)",
    ),
    (
        "Host folder to share (asked for in a terminal when omitted)",
        "Папка хоста для общего доступа (если не указана, спрашивается в терминале)",
    ),
    (
        "Folder inside the VM (default: /home/ubuntu/<folder name>)",
        "Папка внутри ВМ (по умолчанию: /home/ubuntu/<имя папки>)",
    ),
    (
        "Host folder for snapshots (default: <parent>/backups-<folder name>)",
        "Папка хоста для снимков (по умолчанию: <родитель>/backups-<имя папки>)",
    ),
    (
        "Minutes between snapshots (default: 5)",
        "Минут между снимками (по умолчанию: 5)",
    ),
    (
        "Host folder to share (same as SOURCE_DIR)",
        "Папка хоста для общего доступа (то же, что SOURCE_DIR)",
    ),
    (
        "VM name for this mount (default: the first VM)",
        "Имя ВМ для этого монтирования (по умолчанию: первая ВМ)",
    ),
    (
        "Maximum number of snapshots to keep (default: 100)",
        "Сколько снимков хранить максимум (по умолчанию: 100)",
    ),
    (
        "Snapshot cleanup method (default: thin)",
        "Способ очистки снимков (по умолчанию: thin)",
    ),
    (
        "Mount the folder in the VM right after saving the config",
        "Смонтировать папку в ВМ сразу после сохранения конфигурации",
    ),
    (
        "Comma-separated agent names or types allowed in this folder (e.g. qwen,codex)",
        "Имена или типы агентов через запятую, которым разрешена эта папка (например, qwen,codex)",
    ),
    (
        "Write a default .backupignore into the folder (an existing one is kept)",
        "Записать в папку стандартный .backupignore (существующий сохраняется)",
    ),
    (
        "Skip the path checks (hidden folders, outside /home, spaces, non-ASCII), for a Multipass that is not a snap",
        "Пропустить проверки пути (скрытые папки, вне /home, пробелы, не-ASCII) — для Multipass, установленного не через snap",
    ),
    ("Skip the confirmation prompt", "Не спрашивать подтверждение"),
    (
        "Remove a mount entry from the config (unmounts it first)",
        "Удалить монтирование из конфигурации (сначала размонтирует его)",
    ),
    (
        "Host folder of the mount to remove (asked for in a terminal when omitted)",
        "Папка хоста удаляемого монтирования (если не указана, спрашивается в терминале)",
    ),
    (
        "Only mounts into this VM (when a folder is mounted into several)",
        "Только монтирования в эту ВМ (если папка смонтирована в несколько)",
    ),
    ("Run a single backup of a directory", "Сделать один снимок папки"),
    ("Directory to back up", "Папка, которую нужно копировать"),
    ("Folder that holds the snapshots", "Папка, в которой хранятся снимки"),
    (
        "Gitignore-style pattern to leave out (repeatable); wins over .backupignore files",
        "Шаблон в стиле gitignore для исключения (можно повторять); важнее файлов .backupignore",
    ),
    (
        "Show a progress bar (files, bytes, ETA)",
        "Показывать индикатор хода работы (файлы, байты, оставшееся время)",
    ),
    (
        "Start repeated backups of a directory",
        "Запустить регулярные снимки папки",
    ),
    (
        "Gitignore-style pattern to leave out (repeatable)",
        "Шаблон в стиле gitignore для исключения (можно повторять)",
    ),
    (
        "Interval in minutes between backups",
        "Интервал между снимками в минутах",
    ),
    (
        "Number of backups to keep after cleanup",
        "Сколько снимков оставлять после очистки",
    ),
    ("Cleanup method after each backup", "Способ очистки после каждого снимка"),
    ("Skip the immediate first backup", "Не делать первый снимок сразу"),
    (
        "After cleanup, also delete snapshots (thinned or oldest first, never the newest) until this much space is free on the backup disk, e.g. 20G",
        "После очистки удалять ещё снимки (сначала прореживаемые или самые старые, никогда не самый новый), пока на диске с копиями не освободится столько места, например 20G",
    ),
    (
        "Start a repeated backup for a mount from the config",
        "Запустить регулярные снимки для монтирования из конфигурации",
    ),
    (
        "The mount's source folder as configured (optional when exactly one mount exists)",
        "Исходная папка монтирования, как в конфигурации (необязательно, если монтирование одно)",
    ),
    (
        "Start repeated backups for every mount from config.yaml",
        "Запустить регулярные снимки для всех монтирований из config.yaml",
    ),
    (
        "Clean old backup snapshots for a configured mount",
        "Удалить старые снимки монтирования из конфигурации",
    ),
    (
        "The mount's source folder as configured",
        "Исходная папка монтирования, как в конфигурации",
    ),
    ("How many snapshots to keep", "Сколько снимков оставить"),
    (
        "Which snapshots to delete: the oldest (tail) or by logarithmic thinning (thin)",
        "Какие снимки удалять: самые старые (tail) или с логарифмическим прореживанием (thin)",
    ),
    (
        "Run an agent in its VM, with backups of the project folder",
        "Запустить агента в его ВМ с резервным копированием папки проекта",
    ),
    (
        "Use this VM (also limits the mount lookup to its mounts)",
        "Использовать эту ВМ (и искать только среди её монтирований)",
    ),
    (
        "Host folder to resolve against the mounts (default: the current folder)",
        "Папка хоста, для которой ищется монтирование (по умолчанию: текущая)",
    ),
    (
        "Mount the folder without asking when it is not mounted in the VM",
        "Смонтировать папку без вопроса, если она не смонтирована в ВМ",
    ),
    (
        "Do not run background snapshots during the session",
        "Не делать фоновые снимки во время сеанса",
    ),
    (
        "Take the blocking snapshot before the agent starts (overrides mounts[].first_backup)",
        "Сделать блокирующий снимок перед запуском агента (важнее mounts[].first_backup)",
    ),
    (
        "Skip the blocking snapshot before the agent starts (a first snapshot is always taken)",
        "Не делать блокирующий снимок перед запуском агента (самый первый снимок делается всегда)",
    ),
    (
        "Proxy URL for proxychains in this run (scheme://host:port); \"\" disables it",
        "URL прокси для proxychains в этом запуске (scheme://host:port); \"\" отключает",
    ),
    (
        "HTTP proxy for this run: an upstream URL for a VM-local privoxy; \"\" disables it",
        "HTTP-прокси для этого запуска: вышестоящий URL для privoxy внутри ВМ; \"\" отключает",
    ),
    (
        "Do not add the agent's default-args",
        "Не добавлять default-args агента",
    ),
    (
        "The agent (a name under `agents:` in the config)",
        "Агент (имя из раздела `agents:` конфигурации)",
    ),
    (
        "Arguments for the agent, passed byte for byte",
        "Аргументы агента, передаются байт в байт",
    ),
    (
        "Manage the agent shims (codex, claude, ... that run in the VM)",
        "Управлять прокладками агентов (codex, claude, ..., которые запускаются в ВМ)",
    ),
    (
        "Create shims for codex, claude, qwen and every agent in the config (by difference)",
        "Создать прокладки для codex, claude, qwen и всех агентов из конфигурации (только недостающие)",
    ),
    (
        "Shims folder (default: $AGSEKIT_SHIMS_DIR or ~/.local/share/agsekit/shims)",
        "Папка прокладок (по умолчанию: $AGSEKIT_SHIMS_DIR или ~/.local/share/agsekit/shims)",
    ),
    (
        "Names to install instead of the defaults",
        "Имена, которые установить вместо стандартных",
    ),
    (
        "Remove every shim agsekit made (files it did not make are left alone)",
        "Удалить все прокладки, созданные agsekit (чужие файлы не трогаются)",
    ),
    (
        "List the shims and what each name resolves to now",
        "Показать прокладки и на что сейчас указывает каждое имя",
    ),
    (
        "Run a program as if no shim existed (`--host`: the one on PATH after the shims)",
        "Запустить программу, как будто прокладок нет (`--host`: ту, что в PATH после прокладок)",
    ),
    (
        "Run the host program of that name, unprotected",
        "Запустить программу хоста с этим именем, без защиты",
    ),
    ("The program name (codex, claude, ...)", "Имя программы (codex, claude, ...)"),
    ("Its arguments", "Её аргументы"),
    (
        "Accept changed .backupignore files (until then backups keep what they would leave out)",
        "Принять изменённые файлы .backupignore (до этого копии сохраняют то, что они исключили бы)",
    ),
    (
        "List the snapshots of a mount with what each one changed",
        "Показать снимки монтирования и что изменилось в каждом",
    ),
    (
        "A configured mount (its source folder, or any folder inside it); default: the mount that contains the current folder",
        "Монтирование из конфигурации (его исходная папка или любая папка внутри); по умолчанию: монтирование, содержащее текущую папку",
    ),
    (
        "Pin a snapshot (name, unique prefix, latest, latest~N): no cleanup deletes it",
        "Закрепить снимок (имя, уникальное начало имени, latest, latest~N): очистка его не удалит",
    ),
    (
        "Unpin a snapshot, so cleanup may delete it again",
        "Открепить снимок, чтобы очистка снова могла его удалить",
    ),
    (
        "Use this snapshot folder directly, without the config",
        "Использовать эту папку снимков напрямую, без конфигурации",
    ),
    (
        "The live folder the snapshots are of (with --dest-dir)",
        "Рабочая папка, снимки которой хранятся (вместе с --dest-dir)",
    ),
    (
        "Show what changed between a snapshot and now, or between two snapshots",
        "Показать, что изменилось со снимка до текущего состояния или между двумя снимками",
    ),
    (
        "Snapshot to compare (name, unique prefix, latest, latest~N); default: latest",
        "Снимок для сравнения (имя, уникальный префикс, latest, latest~N); по умолчанию: latest",
    ),
    (
        "Second snapshot; default: the live folder now",
        "Второй снимок; по умолчанию: текущее состояние папки",
    ),
    (
        "Only list changed paths with a summary, no file contents",
        "Только список изменённых путей и итог, без содержимого файлов",
    ),
    (
        "Only these paths (files or folders, relative to the mount or absolute)",
        "Только эти пути (файлы или папки, относительно монтирования или абсолютные)",
    ),
    (
        "The mount (its source folder, or a folder inside it); default: the current folder's",
        "Монтирование (его исходная папка или папка внутри); по умолчанию: монтирование текущей папки",
    ),
    (
        "Restore files, folders or everything from a snapshot (undoable)",
        "Восстановить файлы, папки или всё из снимка (можно отменить)",
    ),
    (
        "Snapshot to restore from (name, unique prefix, latest, latest~N)",
        "Снимок, из которого восстановить (имя, уникальный префикс, latest, latest~N)",
    ),
    (
        "Files or folders to restore (relative to the mount or absolute); default: everything",
        "Файлы или папки для восстановления (относительно монтирования или абсолютные); по умолчанию: всё",
    ),
    (
        "Restore into this folder instead of the live one",
        "Восстановить в эту папку вместо рабочей",
    ),
    (
        "Also delete files and folders created since the snapshot (never what .backupignore leaves out)",
        "Также удалить файлы и папки, созданные после снимка (кроме исключённых .backupignore)",
    ),
    (
        "Show the versions of one file across snapshots",
        "Показать версии одного файла во всех снимках",
    ),
    (
        "The file (relative to the mount or absolute)",
        "Файл (относительно монтирования или абсолютный)",
    ),
    (
        "List the software bundles a VM's `install:` list may name",
        "Показать наборы программ, которые можно указать в списке `install:` ВМ",
    ),
    (
        "Print the manual page (roff) generated from the command definitions",
        "Вывести страницу руководства (roff), созданную из описания команд",
    ),
    (
        "The command whose page to print (default: the page of agsekit itself)",
        "Команда, страницу которой вывести (по умолчанию: страница самого agsekit)",
    ),
    // VM commands, mounts, install-agents, status, port forwarding, daemon, doctor.
    (
        "Check/install host dependencies and create the SSH keypair for VM access",
        "Проверить и установить зависимости хоста и создать пару SSH-ключей для доступа к ВМ",
    ),
    (
        "Create a single VM by name from the YAML configuration",
        "Создать одну ВМ по имени из конфигурации YAML",
    ),
    (
        "Create all VMs described in the YAML configuration",
        "Создать все ВМ, описанные в конфигурации YAML",
    ),
    ("Start one or all Multipass VMs", "Запустить одну или все ВМ Multipass"),
    ("Stop one or all Multipass VMs", "Остановить одну или все ВМ Multipass"),
    (
        "Suspend one or all VMs (their memory is kept; resume-vm, or any agent session, resumes them)",
        "Приостановить одну или все ВМ (их память сохраняется; возобновляет resume-vm или любой сеанс агента)",
    ),
    (
        "Resume one or all suspended VMs (a stopped one is started)",
        "Возобновить одну или все приостановленные ВМ (остановленная будет запущена)",
    ),
    (
        "Restart one or all Multipass VMs (and mount their folders again)",
        "Перезапустить одну или все ВМ Multipass (и снова смонтировать их папки)",
    ),
    ("Delete one or all Multipass VMs", "Удалить одну или все ВМ Multipass"),
    (
        "Run prepare, create-vms, and install-agents as one flow",
        "Выполнить prepare, create-vms и install-agents одним шагом",
    ),
    (
        "Stop all configured VMs; if configured agents are still running, ask first",
        "Остановить все ВМ из конфигурации; если агенты ещё работают, сначала спросить",
    ),
    (
        "Open an interactive shell in a Multipass VM",
        "Открыть интерактивную оболочку в ВМ Multipass",
    ),
    (
        "Connect to a VM via SSH with additional arguments",
        "Подключиться к ВМ по SSH с дополнительными аргументами",
    ),
    (
        "Mount directories from config.yaml into VMs",
        "Смонтировать папки из config.yaml в ВМ",
    ),
    (
        "Unmount directories from config.yaml",
        "Размонтировать папки из config.yaml",
    ),
    (
        "Install configured agents into Multipass VMs",
        "Установить агентов из конфигурации в ВМ Multipass",
    ),
    (
        "Run the install commands (sudo) without asking",
        "Выполнить команды установки (sudo) без вопросов",
    ),
    (
        "The VM (a name under `vms:`); may be left out when only one is configured",
        "ВМ (имя из раздела `vms:`); можно не указывать, если ВМ одна",
    ),
    ("Every VM from the configuration", "Все ВМ из конфигурации"),
    ("The VM to delete", "ВМ, которую нужно удалить"),
    ("Delete all VMs from the configuration", "Удалить все ВМ из конфигурации"),
    ("Confirm deletion without prompting", "Подтвердить удаление без вопроса"),
    ("Run the prepare stage (default)", "Выполнить этап prepare (по умолчанию)"),
    ("Skip the prepare stage", "Пропустить этап prepare"),
    (
        "Run the create-vms stage (default)",
        "Выполнить этап create-vms (по умолчанию)",
    ),
    ("Skip the create-vms stage", "Пропустить этап create-vms"),
    (
        "Run the install-agents stage (default)",
        "Выполнить этап install-agents (по умолчанию)",
    ),
    ("Skip the install-agents stage", "Пропустить этап install-agents"),
    (
        "Let prepare run its install commands (sudo) without asking",
        "Разрешить prepare выполнять команды установки (sudo) без вопросов",
    ),
    (
        "Suspend without asking even if configured agents are still running",
        "Приостановить без вопросов, даже если агенты ещё работают",
    ),
    (
        "Stop all VMs without asking even if configured agents are still running",
        "Остановить все ВМ без вопросов, даже если агенты ещё работают",
    ),
    (
        "The VM; may be left out when only one is configured",
        "ВМ; можно не указывать, если ВМ одна",
    ),
    ("The VM (a name under `vms:`)", "ВМ (имя из раздела `vms:`)"),
    (
        "ssh options, then the remote command (`agsekit ssh vm -- uname -a`)",
        "параметры ssh, затем команда для ВМ (`agsekit ssh vm -- uname -a`)",
    ),
    (
        "A configured folder, or a folder inside one (the deepest mount covering it is used)",
        "Папка из конфигурации или папка внутри неё (берётся самое глубокое подходящее монтирование)",
    ),
    ("The same as SOURCE_DIR", "То же, что SOURCE_DIR"),
    ("Every mount from the configuration", "Все монтирования из конфигурации"),
    (
        "Only mounts into this VM (picks one when a folder is mounted into several VMs)",
        "Только монтирования в эту ВМ (выбирает одно, если папка смонтирована в несколько ВМ)",
    ),
    (
        "The agent (a name under `agents:`); may be left out when only one is configured",
        "Агент (имя из раздела `agents:`); можно не указывать, если агент один",
    ),
    (
        "Install into this VM only (default: the agent's `vm`/`vms`, or every VM)",
        "Установить только в эту ВМ (по умолчанию: `vm`/`vms` агента или все ВМ)",
    ),
    (
        "Install the agent into every VM from the configuration",
        "Установить агента во все ВМ из конфигурации",
    ),
    (
        "Install every agent from the configuration",
        "Установить всех агентов из конфигурации",
    ),
    (
        "Install the newest release, ignoring `version:` pins",
        "Установить самый новый выпуск, не глядя на закреплённые `version:`",
    ),
    (
        "With --upgrade: look the newest versions up again before installing",
        "С --upgrade: сначала заново узнать новейшие версии",
    ),
    (
        "Proxy URL for the installers (scheme://host:port); \"\" disables proxychains",
        "URL прокси для установщиков (scheme://host:port); \"\" отключает proxychains",
    ),
    (
        "Show current status of configured VMs, mounts, backups, agents and port forwards",
        "Показать текущее состояние ВМ, монтирований, резервных копий, агентов и проброса портов",
    ),
    (
        "Print JSON (schema in docs/status.md) instead of tables",
        "Вывести JSON (схема в docs/status.md) вместо таблиц",
    ),
    (
        "Start SSH tunnels based on port-forwarding rules from the configuration",
        "Запустить SSH-туннели по правилам проброса портов из конфигурации",
    ),
    (
        "Commands for managing the agsekit background daemon",
        "Команды управления фоновой службой agsekit",
    ),
    (
        "Deprecated alias of `agsekit daemon` (prints a notice)",
        "Устаревший синоним `agsekit daemon` (выводит предупреждение)",
    ),
    (
        "Run diagnostics and attempt safe repairs for known installation and configuration issues",
        "Провести диагностику и попробовать безопасно исправить известные проблемы установки и конфигурации",
    ),
    (
        "Apply doctor repairs without confirmation when a repairable issue is found",
        "Применять исправления doctor без подтверждения, если найдена исправимая проблема",
    ),
    (
        "Install and start the agsekit background daemon",
        "Установить и запустить фоновую службу agsekit",
    ),
    (
        "Stop and remove the agsekit background daemon",
        "Остановить и удалить фоновую службу agsekit",
    ),
    (
        "Start the agsekit background daemon (restarts one of an older build)",
        "Запустить фоновую службу agsekit (перезапускает службу старой сборки)",
    ),
    ("Stop the agsekit background daemon", "Остановить фоновую службу agsekit"),
    ("Restart the agsekit background daemon", "Перезапустить фоновую службу agsekit"),
    (
        "Show the current agsekit daemon status",
        "Показать текущее состояние службы agsekit",
    ),
    (
        "Run the daemon in the foreground (what the service starts)",
        "Запустить службу на переднем плане (так её запускает менеджер служб)",
    ),
    // Issue 12 (menu branch): `--json` of scripts' commands, `--install` of man and completions
    (
        "Print JSON (schema in docs/restore.md) instead of a table",
        "Вывести JSON (схема в docs/restore.md) вместо таблицы",
    ),
    (
        "Print JSON (schema in docs/configuration.md) instead of the summary",
        "Вывести JSON (схема в docs/configuration.md) вместо сводки",
    ),
    (
        "Print the checks as JSON (schema in docs/doctor.md); repairs nothing",
        "Вывести проверки в JSON (схема в docs/doctor.md); ничего не исправляет",
    ),
    (
        "Print JSON (schema in docs/provisioning.md) instead of lines",
        "Вывести JSON (схема в docs/provisioning.md) вместо строк",
    ),
    (
        "Print JSON (schema in docs/shims.md) instead of lines",
        "Вывести JSON (схема в docs/shims.md) вместо строк",
    ),
    (
        "Print JSON (schema in docs/daemon.md) instead of lines",
        "Вывести JSON (схема в docs/daemon.md) вместо строк",
    ),
    (
        "Write the script into the user's data folder where the shell finds it (bash, zsh and fish without a SHELL)",
        "Записать скрипт в папку данных пользователя, где его найдёт оболочка (без SHELL — для bash, zsh и fish)",
    ),
    (
        "Write every page (agsekit.1, agsekit-COMMAND.1), in English and in Russian, into the user's data folder where man finds them",
        "Записать все страницы (agsekit.1, agsekit-КОМАНДА.1) на английском и русском в папку данных пользователя, где их найдёт man",
    ),
];
