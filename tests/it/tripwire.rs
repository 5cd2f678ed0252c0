//! The tripwire through the real binary: `backup-once` after a mass deletion warns, pins the
//! snapshot before it, and cleanup keeps that snapshot until it is unpinned. No VM involved.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::Sandbox;

struct Project {
    sb: Sandbox,
    src: PathBuf,
    dst: PathBuf,
}

impl Project {
    /// A project with 100 files, configured as a mount (in the default config file) unless
    /// `configured` is false.
    fn new(configured: bool, tripwire_yaml: &str) -> Project {
        let sb = Sandbox::new();
        let src = sb.home().join("proj");
        let dst = sb.home().join("backups");
        fs::create_dir_all(src.join("files")).expect("mkdir");
        for i in 0..100 {
            fs::write(src.join(format!("files/f{i:03}.txt")), format!("{i}\n")).expect("write");
        }
        if configured {
            let cfg = sb.home().join(".config/agsekit/config.yaml");
            fs::create_dir_all(cfg.parent().expect("parent")).expect("mkdir");
            fs::write(
                &cfg,
                format!(
                    "{tripwire_yaml}vms:\n  agent-ubuntu: {{cpu: 1, ram: 1G, disk: 5G}}\n\
                     mounts:\n  - source: {}\n    backup: {}\n    interval: 5\n",
                    src.display(),
                    dst.display()
                ),
            )
            .expect("write config");
        }
        Project { sb, src, dst }
    }

    fn delete(&self, count: usize) {
        for i in 0..count {
            fs::remove_file(self.src.join(format!("files/f{i:03}.txt"))).expect("rm");
        }
    }

    /// `backup-once`; returns (stdout, stderr); asserts exit status 0.
    fn backup(&self, lang: Option<&str>) -> (String, String) {
        let mut cmd = self.sb.agsekit();
        cmd.args(["backup-once", "--source-dir"])
            .arg(&self.src)
            .arg("--dest-dir")
            .arg(&self.dst);
        if let Some(l) = lang {
            cmd.env("AGSEKIT_LANG", l);
        }
        let out = cmd.output().expect("run");
        let (o, e) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        assert_eq!(out.status.code(), Some(0), "{o}{e}");
        (o, e)
    }

    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(&self.dst)
            .expect("dst")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn pins(&self) -> Option<String> {
        fs::read_to_string(self.dst.join(".agsekit-pinned")).ok()
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.sb.agsekit().args(args).output().expect("run")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn src_arg(p: &Project) -> String {
    p.src.display().to_string()
}

#[test]
fn mass_deletion_warns_pins_and_cleanup_keeps_the_snapshot_until_unpinned() {
    let p = Project::new(true, "");
    p.backup(None);
    let first = p.names().pop().expect("first snapshot");
    p.delete(80);
    let (_, err) = p.backup(None);
    let second = p.names().pop().expect("second snapshot");
    assert_ne!(first, second);
    let src = fs::canonicalize(&p.src).expect("canon");
    let want = format!(
        "agsekit: warning: mass deletion: 80 of 100 files (80 %) are gone since snapshot \
         {first}; it is pinned (kept by cleanup). To bring them back: agsekit restore --mount \
         {} {first}\n",
        src.display()
    );
    assert!(err.contains(&want), "{err}");
    let pins = p.pins().expect("pin file");
    assert!(pins.starts_with(&format!("{first}\ttripwire ")), "{pins:?}");
    assert_eq!(pins.lines().count(), 1);

    // Cleanup keeps the pinned snapshot: KEEP 1 counts the unpinned ones only.
    let s = src_arg(&p);
    let out = p.run(&["backup-clean", &s, "1", "tail"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "No snapshots removed; keeping 1 most recent backups.\n"
    );
    assert_eq!(p.names(), [first.clone(), second.clone()]);

    // `snapshots` marks it, and only it.
    let out = p.run(&["snapshots", &s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&out.stdout);
    let row = |name: &str| {
        list.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row(&first).ends_with("  [pinned]"), "{list}");
    assert!(!row(&second).contains("[pinned]"), "{list}");

    // The command in the warning brings the files back.
    let out = p.run(&["restore", "--mount", &s, &first]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(fs::read_dir(p.src.join("files")).expect("ls").count(), 100);
    assert_eq!(
        fs::read_to_string(p.src.join("files/f000.txt")).expect("read"),
        "0\n"
    );

    // Unpinned, the next cleanup deletes it.
    let out = p.run(&["snapshots", &s, "--unpin", &first]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with(&format!("Unpinned snapshot {first} in ")));
    assert_eq!(p.pins(), None, "the last pin removed the file");
    let out = p.run(&["snapshots", &s, "--unpin", &first]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("agsekit: error: snapshot {first} in "))
            && err.contains("is not pinned"),
        "{err}"
    );
    assert!(err.contains("hint: no snapshot of "), "{err}");
    let out = p.run(&["backup-clean", &s, "1", "tail"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!p.names().contains(&first), "{:?}", p.names());
}

#[test]
fn pin_by_hand_and_pin_of_a_missing_snapshot() {
    let p = Project::new(true, "");
    p.backup(None);
    let first = p.names().pop().expect("snapshot");
    p.delete(1);
    p.backup(None);
    let s = src_arg(&p);
    let out = p.run(&["snapshots", &s, "--pin", "latest~1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with(&format!("Pinned snapshot {first} in ")));
    let out = p.run(&["snapshots", &s, "--pin", &first]);
    assert!(text(&out.stdout).starts_with(&format!("Snapshot {first} in ")));
    assert!(p
        .pins()
        .expect("pins")
        .starts_with(&format!("{first}\tmanual ")));
    // KEEP 0 deletes every unpinned snapshot, never the pinned one.
    let out = p.run(&["backup-clean", &s, "0", "thin"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(p.names(), vec![first.clone()]);
    let out = p.run(&["snapshots", &s, "--pin", "19990101-000000"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("19990101-000000"), "{err}");
    assert!(err.contains("agsekit snapshots"), "{err}");
    assert_eq!(p.pins().expect("pins").lines().count(), 1);
}

#[test]
fn small_deletions_and_a_disabled_tripwire_pin_nothing() {
    let p = Project::new(true, "global:\n  tripwire: {enabled: false}\n");
    p.backup(None);
    p.delete(90);
    let (_, err) = p.backup(None);
    assert!(!err.contains("mass deletion"), "{err}");
    assert_eq!(p.pins(), None);
    assert_eq!(p.names().len(), 2);

    let p = Project::new(true, "");
    p.backup(None);
    p.delete(3);
    let (out, err) = p.backup(None);
    assert!(out.contains("Snapshot created: "), "{out}");
    assert!(!err.contains("mass deletion"), "{err}");
    assert_eq!(p.pins(), None);
}

#[test]
fn the_warning_is_russian_with_agsekit_lang_and_names_folders_without_a_config() {
    let p = Project::new(false, "");
    p.backup(Some("ru"));
    let first = p.names().pop().expect("snapshot");
    p.delete(80);
    let (_, err) = p.backup(Some("ru"));
    let src = fs::canonicalize(&p.src).expect("canon");
    let dst = fs::canonicalize(&p.dst).expect("canon");
    let want = format!(
        "agsekit: warning: массовое удаление: с момента снимка {first} исчезли 80 из 100 \
         файлов (80 %); этот снимок закреплён (очистка его не удалит). Чтобы вернуть файлы: \
         agsekit restore {first} --dest-dir {} --source-dir {}\n",
        dst.display(),
        src.display()
    );
    assert!(err.contains(&want), "{err}");
    assert!(Path::new(&p.dst.join(".agsekit-pinned")).is_file());
}

#[test]
fn status_fake_multipass_lists_pinned_snapshots_per_mount() {
    let s = crate::status::Setup::new("", "");
    s.fake.launch("agent-ubuntu");
    s.snapshot();
    let j = s.status_json();
    assert_eq!(j["mounts"][0]["backup"]["pinned"], serde_json::json!([]));
    let out = s.agsekit().args(["status"]).output().expect("run");
    assert!(
        !text(&out.stdout).contains("pinned"),
        "{}",
        text(&out.stdout)
    );

    let out = s
        .agsekit()
        .args(["snapshots", "--pin", "latest"])
        .arg(&s.project)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let name = fs::read_dir(&s.backups)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("20"))
        .expect("snapshot");
    let j = s.status_json();
    assert_eq!(
        j["mounts"][0]["backup"]["pinned"],
        serde_json::json!([name])
    );
    let out = s.agsekit().args(["status"]).output().expect("run");
    let shown = text(&out.stdout);
    assert!(
        shown.contains(&format!(
            "  {}: pinned snapshots: {name}\n",
            s.project.display()
        )),
        "{shown}"
    );
}

#[test]
fn restore_after_a_mass_deletion_pins_the_snapshot_and_says_so() {
    let p = Project::new(true, "");
    p.backup(None);
    let first = p.names().pop().expect("snapshot");
    p.delete(80);
    // No snapshot since the deletion: restore's safety snapshot is the one that trips.
    let s = src_arg(&p);
    let out = p.run(&["restore", "--mount", &s, &first]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "agsekit: warning: mass deletion: 80 of 100 files (80 %) are gone since snapshot \
             {first}; it is pinned"
        )),
        "{err}"
    );
    assert!(p.pins().expect("pins").starts_with(&format!("{first}\t")));
    assert_eq!(fs::read_dir(p.src.join("files")).expect("ls").count(), 100);
}
