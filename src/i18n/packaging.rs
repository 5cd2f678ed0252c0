//! Messages of installing and upgrading agsekit itself: `pip-upgrade` (src/cli/pip_upgrade.rs).

pub const EN: &[(&str, &str)] = &[
    (
        "pkg.pip_upgrade.running",
        "agsekit was installed from its wheel into the Python environment {env}; upgrading it there: {cmd}",
    ),
    (
        "pkg.pip_upgrade.pip_hint",
        "run the command yourself, or reinstall with pipx: pipx install --force agsekit",
    ),
    ("pkg.pip_upgrade.failed", "pip failed (exit {code}); agsekit is unchanged. The command was: {cmd}"),
    ("pkg.pip_upgrade.done", "pip is done; `agsekit version` shows the version now installed."),
    (
        "pkg.pip_upgrade.restart",
        "Restart the daemon if it runs, so that it runs the new binary: agsekit daemon restart",
    ),
    (
        "pkg.pip_upgrade.uv",
        "agsekit was installed with `uv tool install` ({env}), which has no pip; upgrade it with uv:",
    ),
    (
        "pkg.pip_upgrade.not_wheel",
        "This agsekit {version} was not installed from its Python wheel, so pip-upgrade changes nothing. Upgrade it the way it was installed (docs/install.md):",
    ),
    ("pkg.pip_upgrade.way_pipx", "pipx:   pipx upgrade agsekit"),
    ("pkg.pip_upgrade.way_deb", ".deb:   sudo apt install ./agsekit_VERSION_amd64.deb (the new release's package)"),
    ("pkg.pip_upgrade.way_cargo", "cargo:  cargo install --locked agsekit (or --path . in a source folder)"),
    ("pkg.pip_upgrade.way_copy", "a copied executable: put the new release's agsekit in place of {path}"),
    ("pkg.pip_upgrade.on_path", "the agsekit on your PATH"),
];

pub const RU: &[(&str, &str)] = &[
    (
        "pkg.pip_upgrade.running",
        "agsekit установлен из своего wheel-пакета в окружение Python {env}; обновляю его там: {cmd}",
    ),
    (
        "pkg.pip_upgrade.pip_hint",
        "выполните команду сами или переустановите через pipx: pipx install --force agsekit",
    ),
    ("pkg.pip_upgrade.failed", "pip завершился с ошибкой (код {code}); agsekit не изменён. Команда: {cmd}"),
    ("pkg.pip_upgrade.done", "pip закончил; `agsekit version` покажет установленную теперь версию."),
    (
        "pkg.pip_upgrade.restart",
        "Перезапустите фоновую службу, если она работает, чтобы она запускала новый файл: agsekit daemon restart",
    ),
    (
        "pkg.pip_upgrade.uv",
        "agsekit установлен через `uv tool install` ({env}), там нет pip; обновите его через uv:",
    ),
    (
        "pkg.pip_upgrade.not_wheel",
        "Этот agsekit {version} установлен не из wheel-пакета Python, поэтому pip-upgrade ничего не меняет. Обновите его тем же способом, каким устанавливали (docs/install.md):",
    ),
    ("pkg.pip_upgrade.way_pipx", "pipx:   pipx upgrade agsekit"),
    ("pkg.pip_upgrade.way_deb", ".deb:   sudo apt install ./agsekit_ВЕРСИЯ_amd64.deb (пакет нового релиза)"),
    ("pkg.pip_upgrade.way_cargo", "cargo:  cargo install --locked agsekit (или --path . в папке с исходниками)"),
    ("pkg.pip_upgrade.way_copy", "скопированный файл: положите agsekit из нового релиза на место {path}"),
    ("pkg.pip_upgrade.on_path", "agsekit из вашего PATH"),
];
