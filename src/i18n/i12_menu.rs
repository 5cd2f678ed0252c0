//! Messages of the two-level menu (sections first, then commands) and of the installers of
//! the man page and the completion scripts (`agsekit man --install`,
//! `agsekit completions --install`).

#[rustfmt::skip]
pub const EN: &[(&str, &str)] = &[
    ("i12menu.title", "agsekit: pick a section by number, or type a command name (Ctrl-C quits)"),
    ("i12menu.pick_section", "Section (number) or command (name)"),
    ("i12menu.pick_section_again", "type a section number from 1 to {count} or a command name"),
    ("i12menu.back", "(back to the sections)"),
    ("i12menu.pick_command", "Command (number or name; Enter: back)"),
    ("i12menu.pick_command_again", "type a number from 0 to {count} or a command name"),
    ("i12menu.installed", "Installed {path}"),
    ("i12menu.cannot_write", "cannot write {path}"),
    ("i12menu.no_data_home", "cannot tell where to install: neither $XDG_DATA_HOME nor $HOME is set"),
    ("i12menu.no_data_home_hint", "set XDG_DATA_HOME (or HOME) and run the command again"),
    ("i12menu.man_ready", "`man agsekit` finds it when {dir} is on the manual path (man-db adds ~/.local/share/man for programs in ~/.local/bin; otherwise: export MANPATH=\"{dir}:\")"),
    ("i12menu.bash_ready", "bash-completion loads it in new shells (the package bash-completion must be installed)"),
    ("i12menu.zsh_ready", "zsh needs {dir} in fpath before compinit, in ~/.zshrc: fpath=({dir} $fpath); autoload -Uz compinit && compinit"),
    ("i12menu.fish_ready", "fish loads it in new shells"),
    ("i12menu.not_installable", "{shell} completions cannot be installed in a standard folder"),
    ("i12menu.not_installable_hint", "print the script instead: agsekit completions {shell} > FILE, and load FILE from that shell's startup file"),
    ("i12menu.shell_needed", "name a shell (bash, zsh, fish, elvish, powershell), or use --install"),
];

#[rustfmt::skip]
pub const RU: &[(&str, &str)] = &[
    ("i12menu.title", "agsekit: выберите раздел по номеру или введите имя команды (Ctrl-C — выход)"),
    ("i12menu.pick_section", "Раздел (номер) или команда (имя)"),
    ("i12menu.pick_section_again", "введите номер раздела от 1 до {count} или имя команды"),
    ("i12menu.back", "(назад к разделам)"),
    ("i12menu.pick_command", "Команда (номер или имя; Enter — назад)"),
    ("i12menu.pick_command_again", "введите число от 0 до {count} или имя команды"),
    ("i12menu.installed", "Установлен {path}"),
    ("i12menu.cannot_write", "не удалось записать {path}"),
    ("i12menu.no_data_home", "непонятно, куда устанавливать: не заданы ни $XDG_DATA_HOME, ни $HOME"),
    ("i12menu.no_data_home_hint", "задайте XDG_DATA_HOME (или HOME) и повторите команду"),
    ("i12menu.man_ready", "`man agsekit` найдёт её, если {dir} есть в пути поиска man (man-db добавляет ~/.local/share/man для программ из ~/.local/bin; иначе: export MANPATH=\"{dir}:\")"),
    ("i12menu.bash_ready", "bash-completion подхватит его в новых оболочках (нужен пакет bash-completion)"),
    ("i12menu.zsh_ready", "zsh нужна папка {dir} в fpath до compinit, в ~/.zshrc: fpath=({dir} $fpath); autoload -Uz compinit && compinit"),
    ("i12menu.fish_ready", "fish подхватит его в новых оболочках"),
    ("i12menu.not_installable", "дополнения для {shell} нельзя установить в стандартную папку"),
    ("i12menu.not_installable_hint", "выведите скрипт: agsekit completions {shell} > ФАЙЛ и подключите ФАЙЛ в файле запуска этой оболочки"),
    ("i12menu.shell_needed", "укажите оболочку (bash, zsh, fish, elvish, powershell) или --install"),
];
