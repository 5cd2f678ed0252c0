//! Messages of the backup area: backup-once, backup-repeated*, backup-clean, snapshots,
//! diff, history, restore and the snapshot engine's errors and warnings (`src/backup/`,
//! `src/cli/backup.rs`, `src/cli/restore.rs`). English first, Russian second, same keys.

#[rustfmt::skip]
pub const EN: &[(&str, &str)] = &[
    ("backup.not_a_size", "not a size: {text} (examples: 500M, 20G, 1T)"),
    ("backup.progress.line", "Progress: [{bar}] {percent}%  {files}/{total_files} files  {bytes}/{total_bytes}  {eta}"),
    ("backup.progress.eta", "ETA {time}"),
    ("backup.progress.done", "done"),
    ("backup.no_changes", "No changes detected since last backup; skipping new snapshot."),
    ("backup.created", "Snapshot created: {path}"),
    ("backup.created_stats", "  {copied} files copied ({bytes}), {linked} unchanged files linked, {deleted} paths deleted since the previous snapshot"),
    ("backup.count.warning.one", "{n} warning(s)"),
    ("backup.count.warning.few", "{n} warning(s)"),
    ("backup.count.warning.many", "{n} warning(s)"),
    ("backup.finished_with_warnings", "finished with {warnings}; see the lines above"),
    ("backup.removed_stale", "Removed unfinished snapshot: {path}"),
    ("backup.another_process", "another process"),
    ("backup.skipping_cycle", "Backup for {dest} is being written by {who}; skipping this cycle."),
    ("backup.removing_snapshot", "Removing snapshot: {path}"),
    ("backup.waiting", "Done, waiting {minutes} minutes"),
    ("backup.no_mount_with_source", "no mount with source {source} in {config}; configured: {known}"),
    ("backup.none", "none"),
    ("backup.no_mount_hint", "agsekit addmount <folder>, or pass one of the configured sources"),
    ("backup.no_mounts", "no mounts are configured in {config}"),
    ("backup.which_mount", "{n} mounts are configured; say which one with --mount <source>"),
    ("backup.stop_requested", "stop requested"),
    ("backup.keep_negative", "KEEP must be 0 or more, got {keep}"),
    ("backup.no_backup_folder", "backup folder {backup} of mount {source} does not exist"),
    ("backup.no_backup_folder_hint", "snapshots appear there after the first backup: agsekit backup-repeated-mount --mount <source>"),
    ("backup.nothing_removed", "No snapshots removed; keeping {keep} most recent backups."),
    ("backup.interrupted", "interrupted; no snapshot was left half-written"),
    ("backup.source_missing", "Source directory does not exist: {path}"),
    ("backup.source_missing_hint", "check the path (mounts[].source in the config, or --source-dir)"),
    ("backup.cannot_create_dest", "cannot create backup destination {path}"),
    ("backup.cannot_resolve_dest", "cannot resolve backup destination {path}"),
    ("backup.dest_is_source", "the backup destination is the source folder itself: {path}"),
    ("backup.dest_is_source_hint", "choose a destination outside the folder, e.g. <parent>/backups-<name>"),
    ("backup.cannot_remove_stale", "cannot remove unfinished snapshots in {path}"),
    ("backup.cannot_list_snapshots", "cannot list snapshots in {path}"),
    ("backup.cannot_list_snapshots_err", "cannot list snapshots in {path}: {error}"),
    ("backup.cannot_read_previous", "cannot read previous snapshot {path}"),
    ("backup.previous_failed", "reading the previous snapshot failed"),
    ("backup.cannot_name_snapshot", "cannot name a new snapshot in {path}"),
    ("backup.cannot_open_dest", "cannot open backup destination {path}"),
    ("backup.no_space", "no space left on the backup destination {dest} (writing {path}); the unfinished snapshot was removed, older snapshots are intact"),
    ("backup.no_space_hint", "free space there, or keep fewer snapshots: agsekit backup-clean <mount source> <keep>"),
    ("backup.no_space_hint_dest", "free space there, or keep fewer snapshots: agsekit backup-clean <mount source> <keep> (destination {dest})"),
    ("backup.cannot_write", "cannot write {path}: {error}"),
    ("backup.cannot_open", "cannot open {path}"),
    ("backup.cannot_open_source", "cannot open source directory {path}"),
    ("backup.cannot_set_attrs", "cannot set attributes of {path}"),
    ("backup.cannot_rename", "cannot rename {path}"),
    ("backup.cannot_rename_to", "cannot rename {from} to {to}: {error}"),
    ("backup.cannot_sync", "cannot sync {path}"),
    ("backup.warn.dir_unreadable", "cannot open directory, its contents are missing from the snapshot: {error}"),
    ("backup.warn.vanished_before_copy", "vanished before it could be copied"),
    ("backup.warn.became_symlink", "became a symlink during the backup; skipped"),
    ("backup.warn.cannot_read", "cannot read: {error}"),
    ("backup.warn.cannot_stat", "cannot stat: {error}"),
    ("backup.warn.became_kind", "became a {kind} during the backup; skipped"),
    ("backup.warn.kept_changing", "kept changing while it was copied ({attempts} attempts); the copy may mix old and new content and will be copied again next time"),
    ("backup.warn.vanished_scan", "vanished during the scan"),
    ("backup.warn.cannot_readlink", "cannot read link: {error}"),
    ("backup.warn.skipped_kind", "skipped: a {kind} is not backed up"),
    ("backup.warn.never_restored", "skipped: a {kind} is never restored"),
    ("backup.warn.cannot_list_dir", "cannot list directory: {error}"),
    ("backup.warn.cannot_open_dir", "cannot open directory: {error}"),
    ("backup.warn.cannot_set_perms", "cannot set permissions or times: {error}"),
    ("backup.warn.not_restored", "not restored: {error}"),
    ("backup.ignore_line", "line {line}: {error}"),
    ("backup.kind.file", "file"),
    ("backup.kind.directory", "directory"),
    ("backup.kind.symlink", "symlink"),
    ("backup.kind.fifo", "fifo"),
    ("backup.kind.socket", "socket"),
    ("backup.kind.char_device", "character device"),
    ("backup.kind.block_device", "block device"),
    ("backup.not_plain_relative", "{path} is not a plain relative path"),
    ("backup.root_no_parent", "the root itself has no parent"),
    ("backup.clock_stuck", "snapshot {path} already exists and the clock does not advance"),
    ("backup.cannot_read_snapshot", "cannot read snapshot {path}"),
    ("backup.cannot_read", "cannot read {path}"),
    ("backup.cannot_read_err", "cannot read {path}: {error}"),
    ("backup.cannot_open_snapshot", "cannot open snapshot {path}"),
    ("backup.cannot_read_in", "cannot read {path} in {snapshot}"),
    ("backup.locked", "a backup of {dest} is already being written by {who} (lock {lock})"),
    ("backup.locked_hint", "wait for it to finish and run the command again"),
    ("backup.cannot_lock", "cannot lock {path}: {error}"),
    ("backup.manifest_bad_header", "{path}: not an agsekit manifest (first line)"),
    ("backup.manifest_bad_line", "{path}: line {line}: malformed manifest entry"),
    ("backup.interval_positive", "--interval must be a positive number of minutes"),
    ("backup.max_backups_min", "--max-backups must be at least 1"),
    ("backup.not_in_the_snapshot", "{path} is not in the snapshot"),
    ("backup.cannot_create", "cannot create {path}"),
    ("backup.cannot_read_in_snapshot", "cannot read {path} in the snapshot"),
    ("backup.cannot_read_in_snapshot_err", "cannot read {path} in the snapshot: {error}"),
    ("backup.cannot_open_in_snapshot", "cannot open {path} in the snapshot"),
    ("backup.cannot_replace", "cannot replace {path}"),
    ("backup.cannot_create_folder", "cannot create folder {path}"),
    ("backup.cannot_open_folder_replaced", "cannot open folder {path} (was it replaced meanwhile?)"),
    ("backup.cannot_list", "cannot list {path}"),
    ("backup.cannot_list_in_snapshot", "cannot list {path} in the snapshot"),
    ("backup.cannot_delete", "cannot delete {path}"),
    ("backup.cannot_delete_err", "cannot delete {path}: {error}"),
    ("backup.cannot_read_symlink_in_snapshot", "cannot read symlink {path} in the snapshot"),
    ("backup.cannot_read_free_space", "cannot read free space of {path}"),
    ("backup.cannot_delete_snapshot", "cannot delete snapshot {path}"),
    ("backup.cannot_start_thread", "cannot start a scan thread: {error}"),
    ("backup.list_hint", "list them with: agsekit snapshots --dest-dir {dest}"),
    ("backup.no_snapshots_yet", "no snapshots in {path} yet"),
    ("backup.take_one_hint", "take one with: agsekit backup-once --source-dir {source} --dest-dir {dest}"),
    ("backup.no_snapshot", "no snapshot {spec} in {path}"),
    ("backup.nearby", "nearby: {names}"),
    ("backup.naming_hint", "a snapshot is named by its full name, a unique prefix, `latest` or `latest~N`"),
    ("backup.and_more", " and {n} more"),
    ("backup.ambiguous", "{spec} matches {count} snapshots in {path}: {names}{more}"),
    ("backup.ambiguous_hint", "type more of the name"),
    ("backup.too_far_back", "{spec} goes back past the oldest snapshot: {path} has {count}"),
    ("backup.oldest_hint", "the oldest is latest~{n}"),
    ("backup.needs_source", "{what} needs the live folder of the snapshots in {dest}"),
    ("backup.needs_source_hint", "add --source-dir DIR (the folder that was backed up)"),
    ("backup.comparing_live", "comparing with the live folder"),
    ("backup.not_a_folder", "{what} {path} is not a folder"),
    ("backup.what.snapshot_folder", "snapshot folder"),
    ("backup.what.source_folder", "source folder"),
    ("backup.check_path_flag", "check the path given to {flag}"),
    ("backup.mount_or_dest", "give either a mount or --dest-dir, not both"),
    ("backup.how.mount_given", "the mount given"),
    ("backup.how.current_folder", "the current folder"),
    ("backup.cannot_read_cwd", "cannot read the current folder: {error}"),
    ("backup.not_in_any_mount", "{path} ({how}) is not inside any mount of {config}; configured mounts: {known}"),
    ("backup.name_mount_hint", "name a mount: agsekit snapshots <mount source>"),
    ("backup.point_dest_hint", "or point at a snapshot folder directly: --dest-dir DIR [--source-dir DIR]"),
    ("backup.snapshots_of", "Snapshots of {source} in {dest}:"),
    ("backup.snapshots_in", "Snapshots in {dest}:"),
    ("backup.col.name", "NAME"),
    ("backup.col.time", "TIME"),
    ("backup.col.files", "FILES"),
    ("backup.col.added", "ADDED"),
    ("backup.col.changed", "CHANGED"),
    ("backup.col.deleted", "DELETED"),
    ("backup.col.new_data", "NEW DATA"),
    ("backup.col.snapshot", "SNAPSHOT"),
    ("backup.col.size", "SIZE"),
    ("backup.col.state", "STATE"),
    ("backup.snapshots_footer", "{n} snapshots. Compare with: agsekit diff SNAP; restore with: agsekit restore SNAP [PATH...]"),
    ("backup.relative_to_root", "{path} must be relative to the snapshot root (or give --source-dir)"),
    ("backup.outside", "{path} is outside {root}"),
    ("backup.outside_hint", "give a path inside the mount, relative to it or absolute"),
    ("backup.why.not_a_file", "not a file"),
    ("backup.why.too_large", "{size} is larger than 1 MiB"),
    ("backup.why.larger", "larger than 1 MiB"),
    ("backup.why.binary", "binary"),
    ("backup.word.file", "file"),
    ("backup.word.folder", "folder"),
    ("backup.word.symlink", "symlink"),
    ("backup.diff.changed_type", "Changed type: {path} ({old} -> {new})"),
    ("backup.diff.new_folder", "New folder: {path}/"),
    ("backup.diff.deleted_folder", "Deleted folder: {path}/"),
    ("backup.diff.new_symlink", "New symlink: {path} -> {target}"),
    ("backup.diff.deleted_symlink", "Deleted symlink: {path} -> {target}"),
    ("backup.diff.changed_symlink", "Changed symlink: {path}: {old} -> {new}"),
    ("backup.diff.changed_attrs", "Changed attributes: {path}"),
    ("backup.diff.new_file", "New file: {path} ({why})"),
    ("backup.diff.deleted_file", "Deleted file: {path} ({why})"),
    ("backup.diff.files_differ", "Files {old} and {new} differ ({why})"),
    ("backup.diff.summary", "{added} added, {modified} modified, {deleted} deleted ({bytes} of new data)"),
    ("backup.diff.no_changes", "No changes between {old} and {new}."),
    ("backup.diff.no_changes_live", "No changes between {old} and the live folder {path}."),
    ("backup.diff.changes", "Changes from {old} to {new}:"),
    ("backup.diff.changes_live", "Changes from {old} to the live folder {path}:"),
    ("backup.history.needs_file", "history needs a file, not the whole folder"),
    ("backup.history.nowhere", "{path} is in none of the {count} snapshots in {dest}"),
    ("backup.history.nowhere_live", "{path} is in none of the {count} snapshots in {dest} nor in the live folder"),
    ("backup.history.check_path", "check the path (relative to the mount root, or absolute)"),
    ("backup.history.see_diff", "see what changed: agsekit diff --stat {flags}"),
    ("backup.history.title", "History of {path} in {dest}:"),
    ("backup.history.live", "(live folder)"),
    ("backup.history.absent", "absent"),
    ("backup.history.added", "added"),
    ("backup.history.unchanged", "unchanged"),
    ("backup.history.changed", "changed"),
    ("backup.history.deleted", "deleted"),
    ("backup.history.footer", "Show a version: agsekit diff SNAP -- {path}; restore it: agsekit restore SNAP {path}"),
    ("backup.restore.waiting", "Waiting for the backup being written in {dest} ..."),
    ("backup.restore.overlaps", "--to {to} overlaps the snapshot folder {dest}"),
    ("backup.restore.overlaps_hint", "restore into a folder outside the snapshot folder"),
    ("backup.restore.saved", "Saved the current state as snapshot {name}."),
    ("backup.restore.already_saved", "The current state is already saved as snapshot {name} (no changes since)."),
    ("backup.restore.cannot_save", "could not save the current state of {path} before restoring"),
    ("backup.restore.not_in_snapshot", "{path} is not in snapshot {snapshot} ({dest})"),
    ("backup.restore.find_hint", "find the snapshots that have it: agsekit history {path} {flags}"),
    ("backup.restore.stopped", "restore from {snapshot} stopped; the state before it is snapshot {safety}"),
    ("backup.restore.done", "Restored from {snapshot} into {target}: {written} written, {matching} already matching, {deleted} deleted."),
    ("backup.restore.restored_item", "  restored {path}"),
    ("backup.restore.deleted_item", "  deleted {path}"),
    ("backup.restore.more_restored", "  ... and {n} more restored"),
    ("backup.restore.more_deleted", "  ... and {n} more deleted"),
    ("backup.restore.replaced", "  replaced {path} (it was of another type; a symlink is never written through)"),
    ("backup.restore.live_unchanged", "The live folder {path} was not changed."),
    ("backup.restore.undo", "To undo: {undo}"),
];

#[rustfmt::skip]
pub const RU: &[(&str, &str)] = &[
    ("backup.not_a_size", "это не размер: {text} (примеры: 500M, 20G, 1T)"),
    ("backup.progress.line", "Прогресс: [{bar}] {percent}%  файлов {files}/{total_files}  {bytes}/{total_bytes}  {eta}"),
    ("backup.progress.eta", "осталось {time}"),
    ("backup.progress.done", "готово"),
    ("backup.no_changes", "С последней резервной копии изменений нет; новый снимок не создаётся."),
    ("backup.created", "Снимок создан: {path}"),
    ("backup.created_stats", "  скопировано файлов: {copied} ({bytes}), неизменённых файлов связано жёсткими ссылками: {linked}, путей удалено с предыдущего снимка: {deleted}"),
    ("backup.count.warning.one", "{n} предупреждение"),
    ("backup.count.warning.few", "{n} предупреждения"),
    ("backup.count.warning.many", "{n} предупреждений"),
    ("backup.finished_with_warnings", "завершено, {warnings}; подробности в строках выше"),
    ("backup.removed_stale", "Удалён незавершённый снимок: {path}"),
    ("backup.another_process", "другой процесс"),
    ("backup.skipping_cycle", "Резервную копию {dest} сейчас записывает {who}; этот цикл пропущен."),
    ("backup.removing_snapshot", "Удаляю снимок: {path}"),
    ("backup.waiting", "Готово, следующий снимок через {minutes} мин."),
    ("backup.no_mount_with_source", "в {config} нет общей папки с источником {source}; настроены: {known}"),
    ("backup.none", "нет"),
    ("backup.no_mount_hint", "agsekit addmount <folder> или укажите один из настроенных источников"),
    ("backup.no_mounts", "в {config} не настроено ни одной общей папки"),
    ("backup.which_mount", "настроено общих папок: {n}; укажите нужную через --mount <source>"),
    ("backup.stop_requested", "запрошена остановка"),
    ("backup.keep_negative", "KEEP должно быть 0 или больше, получено {keep}"),
    ("backup.no_backup_folder", "папка снимков {backup} общей папки {source} не существует"),
    ("backup.no_backup_folder_hint", "снимки появятся там после первого резервного копирования: agsekit backup-repeated-mount --mount <source>"),
    ("backup.nothing_removed", "Ни один снимок не удалён; хранятся последние снимки: {keep}."),
    ("backup.interrupted", "прервано; недописанных снимков не осталось"),
    ("backup.source_missing", "Исходная папка не существует: {path}"),
    ("backup.source_missing_hint", "проверьте путь (mounts[].source в конфигурации или --source-dir)"),
    ("backup.cannot_create_dest", "не удалось создать папку снимков {path}"),
    ("backup.cannot_resolve_dest", "не удалось определить полный путь папки снимков {path}"),
    ("backup.dest_is_source", "папка снимков совпадает с самой исходной папкой: {path}"),
    ("backup.dest_is_source_hint", "выберите папку снимков вне исходной папки, например <parent>/backups-<name>"),
    ("backup.cannot_remove_stale", "не удалось удалить незавершённые снимки в {path}"),
    ("backup.cannot_list_snapshots", "не удалось получить список снимков в {path}"),
    ("backup.cannot_list_snapshots_err", "не удалось получить список снимков в {path}: {error}"),
    ("backup.cannot_read_previous", "не удалось прочитать предыдущий снимок {path}"),
    ("backup.previous_failed", "не удалось прочитать предыдущий снимок"),
    ("backup.cannot_name_snapshot", "не удалось подобрать имя для нового снимка в {path}"),
    ("backup.cannot_open_dest", "не удалось открыть папку снимков {path}"),
    ("backup.no_space", "в папке снимков {dest} закончилось место (при записи {path}); незавершённый снимок удалён, прежние снимки не пострадали"),
    ("backup.no_space_hint", "освободите там место или храните меньше снимков: agsekit backup-clean <mount source> <keep>"),
    ("backup.no_space_hint_dest", "освободите там место или храните меньше снимков: agsekit backup-clean <mount source> <keep> (папка снимков {dest})"),
    ("backup.cannot_write", "не удалось записать {path}: {error}"),
    ("backup.cannot_open", "не удалось открыть {path}"),
    ("backup.cannot_open_source", "не удалось открыть исходную папку {path}"),
    ("backup.cannot_set_attrs", "не удалось установить атрибуты {path}"),
    ("backup.cannot_rename", "не удалось переименовать {path}"),
    ("backup.cannot_rename_to", "не удалось переименовать {from} в {to}: {error}"),
    ("backup.cannot_sync", "не удалось сбросить на диск {path}"),
    ("backup.warn.dir_unreadable", "не удалось открыть папку, её содержимого нет в снимке: {error}"),
    ("backup.warn.vanished_before_copy", "исчез до того, как его успели скопировать"),
    ("backup.warn.became_symlink", "во время резервного копирования стал символической ссылкой; пропущен"),
    ("backup.warn.cannot_read", "не удалось прочитать: {error}"),
    ("backup.warn.cannot_stat", "не удалось получить сведения о файле (stat): {error}"),
    ("backup.warn.became_kind", "во время резервного копирования тип сменился на «{kind}»; пропущен"),
    ("backup.warn.kept_changing", "менялся, пока его копировали (попыток: {attempts}); в копии может смешаться старое и новое содержимое, в следующий раз файл будет скопирован заново"),
    ("backup.warn.vanished_scan", "исчез во время обхода"),
    ("backup.warn.cannot_readlink", "не удалось прочитать ссылку: {error}"),
    ("backup.warn.skipped_kind", "пропущен: {kind} — такие объекты в резервную копию не попадают"),
    ("backup.warn.never_restored", "пропущен: {kind} — такие объекты не восстанавливаются"),
    ("backup.warn.cannot_list_dir", "не удалось прочитать содержимое папки: {error}"),
    ("backup.warn.cannot_open_dir", "не удалось открыть папку: {error}"),
    ("backup.warn.cannot_set_perms", "не удалось установить права доступа или время: {error}"),
    ("backup.warn.not_restored", "не восстановлен: {error}"),
    ("backup.ignore_line", "строка {line}: {error}"),
    ("backup.kind.file", "файл"),
    ("backup.kind.directory", "каталог"),
    ("backup.kind.symlink", "символическая ссылка"),
    ("backup.kind.fifo", "именованный канал (fifo)"),
    ("backup.kind.socket", "сокет"),
    ("backup.kind.char_device", "символьное устройство"),
    ("backup.kind.block_device", "блочное устройство"),
    ("backup.not_plain_relative", "{path} — не простой относительный путь"),
    ("backup.root_no_parent", "у самого корня нет родительской папки"),
    ("backup.clock_stuck", "снимок {path} уже существует, а системные часы не идут вперёд"),
    ("backup.cannot_read_snapshot", "не удалось прочитать снимок {path}"),
    ("backup.cannot_read", "не удалось прочитать {path}"),
    ("backup.cannot_read_err", "не удалось прочитать {path}: {error}"),
    ("backup.cannot_open_snapshot", "не удалось открыть снимок {path}"),
    ("backup.cannot_read_in", "не удалось прочитать {path} в {snapshot}"),
    ("backup.locked", "резервную копию {dest} уже записывает {who} (блокировка {lock})"),
    ("backup.locked_hint", "дождитесь, пока запись закончится, и запустите команду снова"),
    ("backup.cannot_lock", "не удалось заблокировать {path}: {error}"),
    ("backup.manifest_bad_header", "{path}: это не манифест agsekit (первая строка)"),
    ("backup.manifest_bad_line", "{path}: строка {line}: повреждённая запись манифеста"),
    ("backup.interval_positive", "--interval должен быть положительным числом минут"),
    ("backup.max_backups_min", "--max-backups должен быть не меньше 1"),
    ("backup.not_in_the_snapshot", "{path} нет в снимке"),
    ("backup.cannot_create", "не удалось создать {path}"),
    ("backup.cannot_read_in_snapshot", "не удалось прочитать {path} в снимке"),
    ("backup.cannot_read_in_snapshot_err", "не удалось прочитать {path} в снимке: {error}"),
    ("backup.cannot_open_in_snapshot", "не удалось открыть {path} в снимке"),
    ("backup.cannot_replace", "не удалось заменить {path}"),
    ("backup.cannot_create_folder", "не удалось создать папку {path}"),
    ("backup.cannot_open_folder_replaced", "не удалось открыть папку {path} (не заменили ли её тем временем?)"),
    ("backup.cannot_list", "не удалось получить содержимое {path}"),
    ("backup.cannot_list_in_snapshot", "не удалось получить содержимое {path} в снимке"),
    ("backup.cannot_delete", "не удалось удалить {path}"),
    ("backup.cannot_delete_err", "не удалось удалить {path}: {error}"),
    ("backup.cannot_read_symlink_in_snapshot", "не удалось прочитать символическую ссылку {path} в снимке"),
    ("backup.cannot_read_free_space", "не удалось узнать, сколько свободного места на {path}"),
    ("backup.cannot_delete_snapshot", "не удалось удалить снимок {path}"),
    ("backup.cannot_start_thread", "не удалось запустить поток обхода: {error}"),
    ("backup.list_hint", "список снимков: agsekit snapshots --dest-dir {dest}"),
    ("backup.no_snapshots_yet", "в {path} пока нет снимков"),
    ("backup.take_one_hint", "сделайте снимок: agsekit backup-once --source-dir {source} --dest-dir {dest}"),
    ("backup.no_snapshot", "в {path} нет снимка {spec}"),
    ("backup.nearby", "ближайшие: {names}"),
    ("backup.naming_hint", "снимок указывается полным именем, уникальным префиксом, `latest` или `latest~N`"),
    ("backup.and_more", " и ещё {n}"),
    ("backup.ambiguous", "под {spec} подходят несколько снимков в {path} ({count}): {names}{more}"),
    ("backup.ambiguous_hint", "введите больше символов имени"),
    ("backup.too_far_back", "{spec} уходит дальше самого старого снимка: в {path} всего снимков: {count}"),
    ("backup.oldest_hint", "самый старый — latest~{n}"),
    ("backup.needs_source", "{what}: неизвестна рабочая папка, с которой сделаны снимки в {dest}"),
    ("backup.needs_source_hint", "добавьте --source-dir DIR (папку, с которой делались снимки)"),
    ("backup.comparing_live", "сравнение с рабочей папкой"),
    ("backup.not_a_folder", "{what} {path} не является папкой"),
    ("backup.what.snapshot_folder", "папка снимков"),
    ("backup.what.source_folder", "исходная папка"),
    ("backup.check_path_flag", "проверьте путь, указанный в {flag}"),
    ("backup.mount_or_dest", "укажите либо общую папку, либо --dest-dir, но не то и другое сразу"),
    ("backup.how.mount_given", "указанная общая папка"),
    ("backup.how.current_folder", "текущая папка"),
    ("backup.cannot_read_cwd", "не удалось определить текущую папку: {error}"),
    ("backup.not_in_any_mount", "{path} ({how}) не находится ни в одной общей папке из {config}; настроенные общие папки: {known}"),
    ("backup.name_mount_hint", "укажите общую папку: agsekit snapshots <mount source>"),
    ("backup.point_dest_hint", "или укажите папку снимков напрямую: --dest-dir DIR [--source-dir DIR]"),
    ("backup.snapshots_of", "Снимки {source} в {dest}:"),
    ("backup.snapshots_in", "Снимки в {dest}:"),
    ("backup.col.name", "ИМЯ"),
    ("backup.col.time", "ВРЕМЯ"),
    ("backup.col.files", "ФАЙЛОВ"),
    ("backup.col.added", "ДОБАВЛЕНО"),
    ("backup.col.changed", "ИЗМЕНЕНО"),
    ("backup.col.deleted", "УДАЛЕНО"),
    ("backup.col.new_data", "НОВЫЕ ДАННЫЕ"),
    ("backup.col.snapshot", "СНИМОК"),
    ("backup.col.size", "РАЗМЕР"),
    ("backup.col.state", "СОСТОЯНИЕ"),
    ("backup.snapshots_footer", "Снимков: {n}. Сравнить: agsekit diff SNAP; восстановить: agsekit restore SNAP [PATH...]"),
    ("backup.relative_to_root", "{path} должен быть задан относительно корня снимка (или укажите --source-dir)"),
    ("backup.outside", "{path} находится вне {root}"),
    ("backup.outside_hint", "укажите путь внутри общей папки: относительный или абсолютный"),
    ("backup.why.not_a_file", "не файл"),
    ("backup.why.too_large", "{size} — больше 1 MiB"),
    ("backup.why.larger", "больше 1 MiB"),
    ("backup.why.binary", "двоичный файл"),
    ("backup.word.file", "файл"),
    ("backup.word.folder", "папка"),
    ("backup.word.symlink", "символическая ссылка"),
    ("backup.diff.changed_type", "Изменён тип: {path} ({old} -> {new})"),
    ("backup.diff.new_folder", "Новая папка: {path}/"),
    ("backup.diff.deleted_folder", "Удалена папка: {path}/"),
    ("backup.diff.new_symlink", "Новая символическая ссылка: {path} -> {target}"),
    ("backup.diff.deleted_symlink", "Удалена символическая ссылка: {path} -> {target}"),
    ("backup.diff.changed_symlink", "Изменена символическая ссылка: {path}: {old} -> {new}"),
    ("backup.diff.changed_attrs", "Изменены атрибуты: {path}"),
    ("backup.diff.new_file", "Новый файл: {path} ({why})"),
    ("backup.diff.deleted_file", "Удалён файл: {path} ({why})"),
    ("backup.diff.files_differ", "Файлы {old} и {new} различаются ({why})"),
    ("backup.diff.summary", "добавлено: {added}, изменено: {modified}, удалено: {deleted} (новых данных: {bytes})"),
    ("backup.diff.no_changes", "Между {old} и {new} изменений нет."),
    ("backup.diff.no_changes_live", "Между {old} и рабочей папкой {path} изменений нет."),
    ("backup.diff.changes", "Изменения от {old} до {new}:"),
    ("backup.diff.changes_live", "Изменения от {old} до рабочей папки {path}:"),
    ("backup.history.needs_file", "для history нужен файл, а не вся папка"),
    ("backup.history.nowhere", "{path} нет ни в одном из снимков в {dest} (всего снимков: {count})"),
    ("backup.history.nowhere_live", "{path} нет ни в одном из снимков в {dest} (всего снимков: {count}), ни в рабочей папке"),
    ("backup.history.check_path", "проверьте путь (относительно корня общей папки или абсолютный)"),
    ("backup.history.see_diff", "посмотрите, что изменилось: agsekit diff --stat {flags}"),
    ("backup.history.title", "История {path} в {dest}:"),
    ("backup.history.live", "(рабочая папка)"),
    ("backup.history.absent", "нет"),
    ("backup.history.added", "добавлен"),
    ("backup.history.unchanged", "без изменений"),
    ("backup.history.changed", "изменён"),
    ("backup.history.deleted", "удалён"),
    ("backup.history.footer", "Показать версию: agsekit diff SNAP -- {path}; восстановить её: agsekit restore SNAP {path}"),
    ("backup.restore.waiting", "Жду, пока допишется резервная копия в {dest} ..."),
    ("backup.restore.overlaps", "--to {to} пересекается с папкой снимков {dest}"),
    ("backup.restore.overlaps_hint", "восстанавливайте в папку вне папки снимков"),
    ("backup.restore.saved", "Текущее состояние сохранено как снимок {name}."),
    ("backup.restore.already_saved", "Текущее состояние уже сохранено как снимок {name} (изменений с тех пор нет)."),
    ("backup.restore.cannot_save", "не удалось сохранить текущее состояние {path} перед восстановлением"),
    ("backup.restore.not_in_snapshot", "{path} нет в снимке {snapshot} ({dest})"),
    ("backup.restore.find_hint", "найдите снимки, в которых есть этот путь: agsekit history {path} {flags}"),
    ("backup.restore.stopped", "восстановление из {snapshot} прервано; состояние до него — снимок {safety}"),
    ("backup.restore.done", "Восстановлено из {snapshot} в {target}: записано: {written}, уже совпадало: {matching}, удалено: {deleted}."),
    ("backup.restore.restored_item", "  восстановлено {path}"),
    ("backup.restore.deleted_item", "  удалено {path}"),
    ("backup.restore.more_restored", "  ... и ещё восстановлено: {n}"),
    ("backup.restore.more_deleted", "  ... и ещё удалено: {n}"),
    ("backup.restore.replaced", "  заменено {path} (там был объект другого типа; через символическую ссылку запись не ведётся)"),
    ("backup.restore.live_unchanged", "Рабочая папка {path} не изменена."),
    ("backup.restore.undo", "Чтобы отменить: {undo}"),
];

#[cfg(test)]
mod tests {
    use super::super::{count_in, fill, text_in, Lang};

    #[test]
    fn the_warning_count_follows_russian_plurals_and_keeps_the_english_text() {
        let ru = |n| count_in(Lang::Ru, "backup.count.warning", n);
        assert_eq!(ru(1), "1 предупреждение");
        assert_eq!(ru(3), "3 предупреждения");
        assert_eq!(ru(11), "11 предупреждений");
        assert_eq!(ru(21), "21 предупреждение");
        // English says "warning(s)" for every number, as it always did.
        assert_eq!(
            count_in(Lang::En, "backup.count.warning", 1),
            "1 warning(s)"
        );
        assert_eq!(
            count_in(Lang::En, "backup.count.warning", 2),
            "2 warning(s)"
        );
    }

    /// The lines of agsekit 1.7.4 that docs/backups.md quotes stay exactly those in English.
    #[test]
    fn the_original_s_english_lines_are_unchanged() {
        let en = |key: &str, args: &[(&str, &str)]| {
            let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, v.to_string())).collect();
            fill(text_in(Lang::En, key), &args)
        };
        assert_eq!(
            en("backup.created", &[("path", "/b/x")]),
            "Snapshot created: /b/x"
        );
        assert_eq!(
            en("backup.no_changes", &[]),
            "No changes detected since last backup; skipping new snapshot."
        );
        assert_eq!(
            en("backup.removed_stale", &[("path", "P")]),
            "Removed unfinished snapshot: P"
        );
        assert_eq!(
            en("backup.removing_snapshot", &[("path", "P")]),
            "Removing snapshot: P"
        );
        assert_eq!(
            en("backup.waiting", &[("minutes", "5")]),
            "Done, waiting 5 minutes"
        );
        assert_eq!(
            en("backup.nothing_removed", &[("keep", "3")]),
            "No snapshots removed; keeping 3 most recent backups."
        );
        assert_eq!(
            fill(
                text_in(Lang::Ru, "backup.waiting"),
                &[("minutes", "5".into())]
            ),
            "Готово, следующий снимок через 5 мин."
        );
    }

    /// Keys chosen at run time (`t!(match ... { ... => "backup.x" })`, a key in a variable)
    /// escape the check of `t!("...")` calls; every `"backup.` literal in the area's sources
    /// must name a message (or a plural family).
    #[test]
    fn every_backup_key_named_in_the_area_s_sources_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![root.join("cli/backup.rs"), root.join("cli/restore.rs")];
        for entry in std::fs::read_dir(root.join("backup")).expect("src/backup") {
            files.push(entry.expect("entry").path());
        }
        let mut missing = Vec::new();
        let mut seen = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).expect("source");
            for (at, _) in text.match_indices("\"backup.") {
                let rest = &text[at + 1..];
                let end = rest.find('"').unwrap_or(rest.len());
                let key = &rest[..end];
                // File names of the chain folder are not keys.
                let file_name = ["backup.pid", "backup.log"].contains(&key);
                let key_like = key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
                if file_name || !key_like {
                    continue;
                }
                seen += 1;
                let known = |k: &str| super::EN.iter().any(|(key, _)| *key == k);
                if !known(key) && !known(&format!("{key}.one")) {
                    missing.push(format!("{}: {key}", file.display()));
                }
            }
        }
        assert!(seen > 100, "the sources were read ({seen} keys)");
        assert!(
            missing.is_empty(),
            "keys with no message:\n{}",
            missing.join("\n")
        );
    }
}
