//! Messages of the tripwire (mass-deletion detection) and of snapshot pins.

pub const EN: &[(&str, &str)] = &[
    ("tripwire.config.what", "tripwire settings (enabled:, min_files:, min_percent:)"),
    ("tripwire.cannot_write_pins", "cannot write the pin file {path}"),
    ("tripwire.count.of_files.one", "{n} file"),
    ("tripwire.count.of_files.few", "{n} files"),
    ("tripwire.count.of_files.many", "{n} files"),
    (
        "tripwire.alert",
        "mass deletion: {gone} of {files} ({percent} %) are gone since snapshot {previous}; it is pinned (kept by cleanup). To bring them back: {command}",
    ),
    (
        "tripwire.alert_unpinned",
        "mass deletion: {gone} of {files} ({percent} %) are gone since snapshot {previous}; pinning it failed, so cleanup may delete it (see the warning above). To bring them back: {command}",
    ),
    ("tripwire.pinned_mark", "[pinned]"),
    ("tripwire.pinned_done", "Pinned snapshot {name} in {dest}: cleanup keeps it until you unpin it."),
    ("tripwire.already_pinned", "Snapshot {name} in {dest} is already pinned."),
    ("tripwire.unpinned_done", "Unpinned snapshot {name} in {dest}: cleanup may delete it again."),
    ("tripwire.not_pinned", "snapshot {name} in {dest} is not pinned"),
    ("tripwire.pinned_list_hint", "pinned snapshots: {list}"),
    ("tripwire.none_pinned_hint", "no snapshot of {dest} is pinned; `agsekit snapshots` lists them"),
    ("tripwire.status_pinned", "pinned snapshots: {list}"),
    (
        "tripwire.review",
        "mass deletion during this session: {gone} of {files} ({percent} %) are gone since snapshot {previous}; it is pinned (kept by cleanup). To bring them back: {command}",
    ),
];

pub const RU: &[(&str, &str)] = &[
    ("tripwire.config.what", "настройки защиты от массового удаления (enabled:, min_files:, min_percent:)"),
    ("tripwire.cannot_write_pins", "не удалось записать файл закреплённых снимков {path}"),
    ("tripwire.count.of_files.one", "{n} файла"),
    ("tripwire.count.of_files.few", "{n} файлов"),
    ("tripwire.count.of_files.many", "{n} файлов"),
    (
        "tripwire.alert",
        "массовое удаление: с момента снимка {previous} исчезли {gone} из {files} ({percent} %); этот снимок закреплён (очистка его не удалит). Чтобы вернуть файлы: {command}",
    ),
    (
        "tripwire.alert_unpinned",
        "массовое удаление: с момента снимка {previous} исчезли {gone} из {files} ({percent} %); закрепить снимок не удалось, очистка может его удалить (см. предупреждение выше). Чтобы вернуть файлы: {command}",
    ),
    ("tripwire.pinned_mark", "[закреплён]"),
    ("tripwire.pinned_done", "Снимок {name} в {dest} закреплён: очистка не удалит его, пока вы его не открепите."),
    ("tripwire.already_pinned", "Снимок {name} в {dest} уже закреплён."),
    ("tripwire.unpinned_done", "Снимок {name} в {dest} откреплён: очистка снова может его удалить."),
    ("tripwire.not_pinned", "снимок {name} в {dest} не закреплён"),
    ("tripwire.pinned_list_hint", "закреплённые снимки: {list}"),
    ("tripwire.none_pinned_hint", "в {dest} нет закреплённых снимков; список снимков: `agsekit snapshots`"),
    ("tripwire.status_pinned", "закреплённые снимки: {list}"),
    (
        "tripwire.review",
        "массовое удаление за эту сессию: с момента снимка {previous} исчезли {gone} из {files} ({percent} %); этот снимок закреплён (очистка его не удалит). Чтобы вернуть файлы: {command}",
    ),
];
