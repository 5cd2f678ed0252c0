//! Russian output of the backup area (`backup-once`, `backup-clean`, `backup-repeated`,
//! `snapshots`, `diff`, `history`, `restore`) with `AGSEKIT_LANG=ru`, and the same commands in
//! English still printing the English text. Real files in temp folders; no VM involved.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::Sandbox;

struct Chain {
    sb: Sandbox,
    src: PathBuf,
    dst: PathBuf,
}

impl Chain {
    fn new() -> Chain {
        let sb = Sandbox::new();
        let src = sb.home().join("proj");
        let dst = sb.home().join("backups");
        fs::create_dir_all(&src).expect("mkdir");
        fs::write(src.join("a.txt"), "one\n").expect("write");
        fs::write(src.join("b.txt"), "two\n").expect("write");
        Chain { sb, src, dst }
    }

    /// `agsekit ARGS` in `lang` (`None`: no language variable at all, so English).
    fn run(&self, lang: Option<&str>, args: &[&str], chain_flags: bool) -> Output {
        let mut cmd = self.sb.agsekit();
        if let Some(lang) = lang {
            cmd.env("AGSEKIT_LANG", lang);
        }
        cmd.args(args);
        if chain_flags {
            cmd.arg("--dest-dir")
                .arg(&self.dst)
                .arg("--source-dir")
                .arg(&self.src);
        }
        cmd.output().expect("run agsekit")
    }

    fn once(&self, lang: Option<&str>) -> Output {
        self.run(lang, &["backup-once"], true)
    }

    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(&self.dst)
            .expect("dst")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && !n.ends_with("-partial"))
            .collect();
        v.sort();
        v
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn mkfifo(path: &Path) {
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600)).expect("mkfifo");
}

#[test]
fn backup_once_reports_the_snapshot_and_its_warnings_in_russian() {
    let c = Chain::new();
    mkfifo(&c.src.join("pipe"));
    let out = c.once(Some("ru"));
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let snap = c.dst.join(&c.names()[0]);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("Снимок создан: {}\n", snap.display())),
        "{text}"
    );
    assert!(
        text.contains("  скопировано файлов: 2 ("),
        "the counts are in Russian: {text}"
    );
    let err = stderr(&out);
    // The `warning:` prefix stays English; the text after it is Russian, with the plural.
    assert!(
        err.contains(
            "warning: pipe: пропущен: именованный канал (fifo) — такие объекты в резервную копию не попадают"
        ),
        "{err}"
    );
    assert!(
        err.contains("warning: завершено, 1 предупреждение; подробности в строках выше"),
        "{err}"
    );

    let again = c.once(Some("ru"));
    assert_eq!(
        stdout(&again),
        "С последней резервной копии изменений нет; новый снимок не создаётся.\n"
    );
}

#[test]
fn backup_once_in_english_keeps_the_english_text() {
    let c = Chain::new();
    mkfifo(&c.src.join("pipe"));
    let out = c.once(None);
    assert_eq!(out.status.code(), Some(5));
    let snap = c.dst.join(&c.names()[0]);
    assert!(stdout(&out).starts_with(&format!(
        "Snapshot created: {}\n  2 files copied (",
        snap.display()
    )));
    let err = stderr(&out);
    assert!(
        err.contains("warning: pipe: skipped: a fifo is not backed up"),
        "{err}"
    );
    assert!(
        err.contains("warning: finished with 1 warning(s); see the lines above"),
        "{err}"
    );
    // A locale that is not Russian is English too.
    let mut cmd = c.sb.agsekit();
    let out = cmd
        .env("LANG", "de_DE.UTF-8")
        .args(["backup-once", "--source-dir"])
        .arg(&c.src)
        .arg("--dest-dir")
        .arg(&c.dst)
        .output()
        .expect("run");
    assert!(stderr(&out).contains("skipped: a fifo is not backed up"));
}

#[test]
fn errors_and_hints_of_the_engine_are_russian_with_english_prefixes() {
    let c = Chain::new();
    let missing = c.sb.home().join("nope");
    let out =
        c.sb.agsekit()
            .env("AGSEKIT_LANG", "ru")
            .args(["backup-once", "--source-dir"])
            .arg(&missing)
            .arg("--dest-dir")
            .arg(&c.dst)
            .output()
            .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "agsekit: error: Исходная папка не существует: {}\n\
             hint: проверьте путь (mounts[].source в конфигурации или --source-dir)\n",
            missing.display()
        )
    );

    let out = c.run(Some("ru"), &["backup-clean", "/x", "-1"], false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("agsekit: error: KEEP должно быть 0 или больше, получено -1"),
        "{}",
        stderr(&out)
    );

    let out = c.run(Some("ru"), &["backup-repeated", "--interval", "0"], true);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--interval должен быть положительным числом минут"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_held_lock_is_reported_in_russian_with_exit_6() {
    let c = Chain::new();
    let _held = crate::support::hold_backup_lock(&c.dst, 4243);
    let out = c.once(Some("ru"));
    assert_eq!(out.status.code(), Some(6));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "agsekit: error: резервную копию {} уже записывает PID 4243 (блокировка ",
            fs::canonicalize(&c.dst).expect("dst").display()
        )),
        "{err}"
    );
    assert!(
        err.contains("hint: дождитесь, пока запись закончится, и запустите команду снова"),
        "{err}"
    );
}

#[test]
fn snapshots_table_has_russian_headings_aligned_and_english_stays_as_it_was() {
    let c = Chain::new();
    assert!(c.once(None).status.success());
    let name = c.names()[0].clone();

    let ru = stdout(&c.run(Some("ru"), &["snapshots"], true));
    let lines: Vec<&str> = ru.lines().collect();
    assert!(
        lines[0].starts_with(&format!("Снимки {} в ", c.src.display())),
        "{ru}"
    );
    // A heading longer than its column widens it, so every row lines up with it.
    assert_eq!(
        lines[1],
        "ИМЯ               ВРЕМЯ                 ФАЙЛОВ ДОБАВЛЕНО ИЗМЕНЕНО  УДАЛЕНО НОВЫЕ ДАННЫЕ"
    );
    let width = |s: &str| s.chars().count();
    assert_eq!(width(lines[2]), width(lines[1]), "{ru}");
    assert!(lines[2].starts_with(&name));
    assert_eq!(
        lines[3],
        "Снимков: 1. Сравнить: agsekit diff SNAP; восстановить: agsekit restore SNAP [PATH...]"
    );

    let en = stdout(&c.run(None, &["snapshots"], true));
    let lines: Vec<&str> = en.lines().collect();
    assert_eq!(
        lines[1],
        "NAME              TIME                   FILES    ADDED  CHANGED  DELETED   NEW DATA"
    );
    assert_eq!(width(lines[2]), width(lines[1]));
    assert!(lines[3].starts_with("1 snapshots. Compare with: agsekit diff SNAP;"));
}

#[test]
fn diff_and_history_speak_russian() {
    let c = Chain::new();
    assert!(c.once(None).status.success());
    let name = c.names()[0].clone();

    let same = stdout(&c.run(Some("ru"), &["diff"], true));
    assert_eq!(
        same,
        format!(
            "Между {name} и рабочей папкой {} изменений нет.\n",
            c.src.display()
        )
    );

    fs::write(c.src.join("a.txt"), "one\nmore\n").expect("write");
    fs::write(c.src.join("new.bin"), b"\0\x01").expect("write");
    let stat = stdout(&c.run(Some("ru"), &["diff", "--stat"], true));
    assert!(
        stat.starts_with(&format!(
            "Изменения от {name} до рабочей папки {}:\n",
            c.src.display()
        )),
        "{stat}"
    );
    assert!(
        stat.ends_with("добавлено: 1, изменено: 1, удалено: 0 (новых данных: 11 B)\n"),
        "{stat}"
    );
    let full = stdout(&c.run(Some("ru"), &["diff"], true));
    assert!(
        full.contains("Новый файл: new.bin (двоичный файл)"),
        "{full}"
    );
    let full_en = stdout(&c.run(None, &["diff"], true));
    assert!(full_en.contains("New file: new.bin (binary)"), "{full_en}");
    assert!(full_en.ends_with("1 added, 1 modified, 0 deleted (11 B of new data)\n"));

    let hist = stdout(&c.run(Some("ru"), &["history", "a.txt"], true));
    let lines: Vec<&str> = hist.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "История a.txt в {}:",
            fs::canonicalize(&c.dst).expect("dst").display()
        )
    );
    assert!(lines[1].starts_with("СНИМОК"), "{hist}");
    assert!(lines[1].ends_with("  СОСТОЯНИЕ"), "{hist}");
    assert!(
        lines[2].starts_with(&name) && lines[2].ends_with("добавлен"),
        "{hist}"
    );
    assert!(
        lines[3].starts_with("now")
            && lines[3].contains("(рабочая папка)")
            && lines[3].ends_with("изменён"),
        "{hist}"
    );
    assert!(lines[4].starts_with("Показать версию: agsekit diff SNAP -- a.txt;"));
}

#[test]
fn restore_reports_in_russian_and_a_bad_snapshot_name_gets_russian_hints() {
    let c = Chain::new();
    assert!(c.once(None).status.success());
    let name = c.names()[0].clone();
    fs::write(c.src.join("a.txt"), "changed\n").expect("write");

    let out = c.run(Some("ru"), &["restore", &name, "a.txt"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let safety = c.names().pop().expect("the safety snapshot");
    assert_eq!(
        lines[0],
        format!("Текущее состояние сохранено как снимок {safety}.")
    );
    assert_eq!(
        lines[1],
        format!(
            "Восстановлено из {name} в {}: записано: 1, уже совпадало: 0, удалено: 0.",
            c.src.display()
        )
    );
    assert_eq!(lines[2], "  восстановлено a.txt");
    assert!(
        lines[3].starts_with(&format!("Чтобы отменить: agsekit restore {safety} ")),
        "{text}"
    );
    assert_eq!(
        fs::read_to_string(c.src.join("a.txt")).expect("read"),
        "one\n"
    );

    let out = c.run(Some("ru"), &["diff", "nosuch"], true);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "agsekit: error: в {} нет снимка \"nosuch\"\n",
            fs::canonicalize(&c.dst).expect("dst").display()
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "hint: снимок указывается полным именем, уникальным префиксом, `latest` или `latest~N`"
        ),
        "{err}"
    );
    assert!(err.contains("hint: список снимков: agsekit snapshots --dest-dir "));
}

/// What `backup-repeated` writes goes to `backup.log` when `agsekit run` or the daemon starts
/// it: those lines are in the user's language too, and the stop on SIGINT is reported in it.
#[test]
fn backup_repeated_writes_its_log_lines_in_russian_and_stops_in_russian() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let c = Chain::new();
    let log = c.sb.home().join("backup.log");
    let child = Command::new(assert_cmd::cargo::cargo_bin("agsekit"))
        .args(["backup-repeated", "--interval", "60", "--source-dir"])
        .arg(&c.src)
        .arg("--dest-dir")
        .arg(&c.dst)
        .env("HOME", c.sb.home())
        .env_remove("CONFIG_PATH")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env("AGSEKIT_LANG", "ru")
        .stdout(Stdio::from(fs::File::create(&log).expect("log")))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn agsekit");
    let start = Instant::now();
    while !fs::read_to_string(&log)
        .is_ok_and(|t| t.contains("Готово, следующий снимок через 60 мин."))
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no first cycle: {:?}",
            fs::read_to_string(&log)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .expect("kill");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130));
    let text = fs::read_to_string(&log).expect("log");
    assert!(text.starts_with("Снимок создан: "), "{text}");
    assert_eq!(
        stderr(&out),
        "agsekit: error: прервано; недописанных снимков не осталось\n"
    );
}
