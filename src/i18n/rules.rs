//! Messages about `.backupignore` rules the agent may have written: pending (not accepted)
//! rule files, `agsekit accept-ignore`, and ignore files over the size limits.

#[rustfmt::skip]
pub const EN: &[(&str, &str)] = &[
    ("rules.cannot_write", "cannot write {path}"),
    ("rules.pending", "{file} changed and is not accepted yet, so it has no effect: the {held} path(s) from the snapshots and {hidden} new path(s) it would leave out are still backed up. If you made this change, accept it: agsekit accept-ignore {flags}"),
    ("rules.status_pending", ".backupignore not accepted yet (backups keep what it would leave out): {list}; to accept: {command}"),
    ("rules.accept.what", "accepting its .backupignore files"),
    ("rules.accept.none", "Nothing to accept: every .backupignore in {source} is accepted."),
    ("rules.accept.header", "These .backupignore files in {source} changed since their rules were last accepted:"),
    ("rules.accept.item", "{file}: would stop backing up {held} path(s) the newest snapshot holds and {hidden} new path(s)"),
    ("rules.accept.ask", "Accept them? The next snapshot leaves out what they match"),
    ("rules.accept.declined", "Nothing was accepted; backups keep what these files would leave out."),
    ("rules.accept.done", "Accepted {n} changed .backupignore file(s) of {source}; the next snapshot follows their rules."),
    ("rules.accept.confirmation_needed", "accepting .backupignore changes needs a confirmation"),
    ("rules.accept.hint_yes", "check the files listed above, then: agsekit accept-ignore {flags} -y"),
];

#[rustfmt::skip]
pub const RU: &[(&str, &str)] = &[
    ("rules.cannot_write", "не удалось записать {path}"),
    ("rules.pending", "{file} изменён и ещё не принят, поэтому не действует: {held} путь(ей) из снимков и {hidden} новых путь(ей), которые он исключил бы, по-прежнему копируются. Если это изменение ваше, примите его: agsekit accept-ignore {flags}"),
    ("rules.status_pending", ".backupignore ещё не принят (копии сохраняют то, что он исключил бы): {list}; принять: {command}"),
    ("rules.accept.what", "принятия его файлов .backupignore"),
    ("rules.accept.none", "Принимать нечего: все .backupignore в {source} приняты."),
    ("rules.accept.header", "Эти файлы .backupignore в {source} изменились с тех пор, как их правила были приняты:"),
    ("rules.accept.item", "{file}: перестал бы копировать {held} путь(ей) из последнего снимка и {hidden} новых путь(ей)"),
    ("rules.accept.ask", "Принять их? Следующий снимок исключит то, что они описывают"),
    ("rules.accept.declined", "Ничего не принято; копии сохраняют то, что эти файлы исключили бы."),
    ("rules.accept.done", "Принято изменённых файлов .backupignore в {source}: {n}; следующий снимок следует их правилам."),
    ("rules.accept.confirmation_needed", "принятие изменений .backupignore требует подтверждения"),
    ("rules.accept.hint_yes", "проверьте файлы из списка выше, затем: agsekit accept-ignore {flags} -y"),
];
