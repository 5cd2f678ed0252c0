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
    ("i12menu.man_installed", "Installed {n} manual pages in {dir} (agsekit.1 and agsekit-COMMAND.1)"),
    ("i12menu.cannot_write", "cannot write {path}"),
    ("i12menu.man_ready", "`man agsekit` finds these pages when {dir} is on man's search path: man-db adds it by itself when ~/.local/bin is on PATH; otherwise put this in your shell's startup file: export MANPATH=\"{dir}:\""),
    ("i12menu.bash_ready", "bash-completion loads it in new shells (the package bash-completion must be installed)"),
    ("i12menu.zsh_ready", "zsh needs {dir} in fpath before compinit, in ~/.zshrc: fpath=({dir} $fpath); autoload -Uz compinit && compinit"),
    ("i12menu.fish_ready", "fish loads it in new shells"),
    ("i12menu.not_installable", "{shell} completions cannot be installed in a standard folder"),
    ("i12menu.not_installable_hint", "print the script instead: agsekit completions {shell} > FILE, and load FILE from that shell's startup file"),
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
    ("i12menu.man_installed", "Установлено страниц руководства в {dir}: {n} (agsekit.1 и agsekit-КОМАНДА.1)"),
    ("i12menu.cannot_write", "не удалось записать {path}"),
    ("i12menu.man_ready", "`man agsekit` найдёт эти страницы, если {dir} есть в пути поиска man: man-db добавляет его сам, когда ~/.local/bin есть в PATH; иначе добавьте в файл запуска оболочки: export MANPATH=\"{dir}:\""),
    ("i12menu.bash_ready", "bash-completion подхватит его в новых оболочках (нужен пакет bash-completion)"),
    ("i12menu.zsh_ready", "zsh нужна папка {dir} в fpath до compinit, в ~/.zshrc: fpath=({dir} $fpath); autoload -Uz compinit && compinit"),
    ("i12menu.fish_ready", "fish подхватит его в новых оболочках"),
    ("i12menu.not_installable", "дополнения для {shell} нельзя установить в стандартную папку"),
    ("i12menu.not_installable_hint", "выведите скрипт: agsekit completions {shell} > ФАЙЛ и подключите ФАЙЛ в файле запуска этой оболочки"),
];
