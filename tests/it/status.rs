//! `agsekit status` through the binary, against the FAKE multipass (no VM is involved): every
//! field of the JSON document, the tables, and the state without multipass at all.

use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::Value;

use crate::support::{FakeMultipass, Sandbox};

const VM: &str = "agent-ubuntu";

/// A sandbox with a project folder (one file), its config and the fake multipass.
pub(crate) struct Setup {
    pub sb: Sandbox,
    pub fake: FakeMultipass,
    pub project: PathBuf,
    pub backups: PathBuf,
    pub config: PathBuf,
}

impl Setup {
    pub fn new(extra_vm_yaml: &str, extra_global: &str) -> Setup {
        let sb = Sandbox::new();
        let fake = FakeMultipass::new(sb.home());
        let project = sb.home().join("proj");
        let backups = sb.home().join("backups-proj");
        std::fs::create_dir_all(project.join("sub")).expect("project");
        std::fs::write(project.join("main.rs"), "fn main() {}\n").expect("file");
        let config = sb.home().join("config.yaml");
        std::fs::write(
            &config,
            format!(
                "global:\n  ssh_keys_folder: {keys}\n{extra_global}vms:\n  {VM}:\n    cpu: 2\n    ram: 4G\n    disk: 20G\n{extra_vm_yaml}mounts:\n  - source: {src}\n    target: /home/ubuntu/proj\n    backup: {bk}\n    vm: {VM}\n    interval: 5\nagents:\n  codex:\n    type: codex\n",
                keys = sb.home().join("keys").display(),
                src = project.display(),
                bk = backups.display()
            ),
        )
        .expect("config");
        Setup {
            sb,
            fake,
            project,
            backups,
            config,
        }
    }

    pub fn agsekit(&self) -> assert_cmd::Command {
        let mut cmd = self.sb.agsekit_with(&self.fake);
        cmd.env_remove("XDG_STATE_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .arg("--config")
            .arg(&self.config);
        cmd
    }

    pub fn status_json(&self) -> Value {
        let out = self
            .agsekit()
            .args(["status", "--json"])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "status failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("status --json is JSON")
    }

    pub fn snapshot(&self) {
        self.sb
            .agsekit()
            .args(["backup-once", "--source-dir"])
            .arg(&self.project)
            .arg("--dest-dir")
            .arg(&self.backups)
            .assert()
            .success();
    }

    pub fn mount_in_fake(&self) {
        self.fake.ok(&[
            "mount",
            &self.project.to_string_lossy(),
            &format!("{VM}:/home/ubuntu/proj"),
        ]);
    }
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A fake `ps` in the fake VM: a launcher session of codex in /home/ubuntu/proj/sub, its
/// node child, a codex started by hand and a claude (no agent of that type is configured).
fn install_fake_ps(fake: &FakeMultipass) {
    let script = format!(
        "#!/bin/sh\ncat <<'EOF'\n    1     0 /sbin/init\n  300     1 bash /usr/local/bin/agsekit-launch --session s1 --mount-root /home/ubuntu/proj --workdir {} --binary codex --b64 -- {}\n  301   300 node /usr/local/bin/codex --yolo\n  410     1 /usr/local/bin/codex exec hi\n  411     1 /usr/local/bin/claude\nEOF\n",
        b64("/home/ubuntu/proj/sub"),
        b64("--yolo")
    );
    fake.install_agent(VM, "ps", &script);
}

fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true")
        .spawn()
        .expect("spawn true");
    let pid = child.id();
    child.wait().expect("wait");
    pid
}

#[test]
fn status_fake_multipass_reports_every_field_of_a_running_vm_and_its_mount() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    s.mount_in_fake();
    install_fake_ps(&s.fake);
    s.snapshot();
    std::fs::write(s.project.join("more.txt"), "x").expect("change");
    s.snapshot();
    std::fs::create_dir_all(s.backups.join("20990101-000000-partial")).expect("partial");
    // A live backup loop: the lock file names a live process (this test).
    std::fs::write(s.backups.join("backup.pid"), std::process::id().to_string()).expect("pid");

    let j = s.status_json();
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["config_path"], s.config.display().to_string());
    assert_eq!(j["backend"]["available"], true);

    let vm = &j["vms"][0];
    assert_eq!(vm["name"], VM);
    assert_eq!(vm["state"], "running");
    assert!(vm["ipv4"].as_str().expect("ip").starts_with("10.97.0."));
    assert_eq!(vm["cpus"]["configured"], 2);
    assert_eq!(vm["cpus"]["actual"], 2);
    assert_eq!(vm["memory"]["configured"], "4G");
    assert_eq!(vm["memory"]["configured_bytes"], 4u64 << 30);
    assert!(vm["memory"]["actual_bytes"].as_u64().expect("memory") > 3 << 30);
    assert!(vm["memory"]["used_bytes"].as_u64().is_some());
    assert!(vm["disk"]["actual_bytes"].as_u64().expect("disk") > 18 << 30);
    assert_eq!(vm["mismatches"], serde_json::json!([]));

    let m = &j["mounts"][0];
    assert_eq!(m["source"], s.project.display().to_string());
    assert_eq!(m["target"], "/home/ubuntu/proj");
    assert_eq!(m["mounted"], true);
    assert_eq!(m["agents_running"], 1);
    let b = &m["backup"];
    assert_eq!(b["dir"], s.backups.display().to_string());
    assert_eq!(b["interval_minutes"], 5);
    assert_eq!(b["snapshot_count"], 2);
    assert!(b["last_snapshot"].as_str().is_some());
    assert!(b["last_snapshot_age_sec"].as_i64().expect("age") < 600);
    assert!(b["last_check_age_sec"].as_u64().is_some());
    assert!(b["size_bytes"].as_u64().expect("size") > 0);
    assert_eq!(b["loop_running"], true);
    assert_eq!(b["loop_pid"], std::process::id());
    assert_eq!(b["stale_lock_pid"], Value::Null);
    assert_eq!(
        b["partial_dirs"],
        serde_json::json!(["20990101-000000-partial"])
    );
    assert!(b["fs_total_bytes"].as_u64().expect("fs") > 0);

    let agents = j["agents"].as_array().expect("agents");
    assert_eq!(agents.len(), 2, "{agents:?}");
    assert_eq!(agents[0]["pid"], 301);
    assert_eq!(agents[0]["launcher_pid"], 300);
    assert_eq!(agents[0]["binary"], "codex");
    assert_eq!(agents[0]["agents"], serde_json::json!(["codex"]));
    assert_eq!(agents[0]["folder"], "/home/ubuntu/proj/sub");
    assert_eq!(agents[0]["mount_source"], s.project.display().to_string());
    assert_eq!(agents[0]["session"], "s1");
    assert_eq!(
        agents[1]["pid"], 410,
        "a codex started by hand; claude is not configured"
    );
    assert_eq!(agents[1]["binary"], "codex");
    assert_eq!(agents[1]["folder"], Value::Null);

    // One info for every VM, one ps for the running VM: nothing more.
    let calls = s.fake.calls();
    let ours: Vec<&Vec<String>> = calls
        .iter()
        .filter(|c| c[0] == "info" || c[0] == "exec" || c[0] == "list")
        .collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert_eq!(ours[0], &["info", "--format", "json"]);
    assert_eq!(ours[1][0], "exec");
    assert!(ours[1].ends_with(&["ps".to_string(), "-eo".into(), "pid=,ppid=,args=".into()]));
}

#[test]
fn status_fake_multipass_stopped_vm_unmounted_folder_and_stale_lock() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    s.fake.ok(&["stop", VM]);
    std::fs::create_dir_all(&s.backups).expect("backups");
    let dead = dead_pid();
    std::fs::write(s.backups.join("backup.pid"), dead.to_string()).expect("pid");
    std::fs::create_dir_all(s.backups.join("20990101-000000-partial")).expect("partial");

    let j = s.status_json();
    assert_eq!(j["vms"][0]["state"], "stopped");
    assert_eq!(j["vms"][0]["ipv4"], Value::Null);
    assert_eq!(j["vms"][0]["cpus"]["actual"], Value::Null);
    let m = &j["mounts"][0];
    assert_eq!(m["mounted"], false);
    assert_eq!(m["backup"]["snapshot_count"], 0);
    assert_eq!(m["backup"]["last_snapshot"], Value::Null);
    assert_eq!(m["backup"]["loop_running"], false);
    assert_eq!(m["backup"]["loop_pid"], Value::Null);
    assert_eq!(m["backup"]["stale_lock_pid"], dead);
    let warnings: Vec<String> = j["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("unfinished snapshot folders")
                && w.contains(&format!("PID {dead}, which is gone"))),
        "{warnings:?}"
    );
    assert!(j["agents"].as_array().expect("agents").is_empty());
    assert!(
        !s.fake.calls().iter().any(|c| c[0] == "exec"),
        "no ps in a stopped VM"
    );
}

#[test]
fn status_fake_multipass_absent_vm_and_resource_mismatch() {
    let s = Setup::new("", "");
    let j = s.status_json();
    assert_eq!(j["vms"][0]["state"], "absent");
    assert!(j["vms"][0]["warnings"][0]
        .as_str()
        .expect("warning")
        .contains("agsekit create-vm agent-ubuntu"));

    // The config asks for 2 CPUs; a VM with 1 CPU and 1G differs.
    s.fake.ok(&[
        "launch", "--name", VM, "--cpus", "1", "--memory", "1G", "--disk", "20G",
    ]);
    let j = s.status_json();
    assert_eq!(j["vms"][0]["cpus"]["actual"], 1);
    assert_eq!(
        j["vms"][0]["mismatches"],
        serde_json::json!(["cpus", "memory"])
    );
}

#[test]
fn status_fake_multipass_injected_failure_still_reports_the_host_side() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    s.snapshot();
    let out = s
        .agsekit()
        .env(
            "FAKE_MULTIPASS_FAIL",
            "info:2:info failed: cannot connect to the multipass socket",
        )
        .args(["status", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let j: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(j["backend"]["available"], false);
    assert!(j["backend"]["error"]
        .as_str()
        .expect("error")
        .contains("socket"));
    assert_eq!(j["vms"][0]["state"], "unknown");
    assert_eq!(j["mounts"][0]["mounted"], Value::Null);
    assert_eq!(j["mounts"][0]["backup"]["snapshot_count"], 1);
}

#[test]
fn status_without_multipass_installed_shows_mounts_and_backups_and_says_so() {
    let s = Setup::new("", "");
    s.snapshot();
    let out =
        s.sb.agsekit()
            .env("AGSEKIT_MULTIPASS", s.sb.home().join("no-such-multipass"))
            .env_remove("XDG_STATE_HOME")
            .arg("--config")
            .arg(&s.config)
            .arg("status")
            .output()
            .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("multipass: unavailable: Multipass is not installed"),
        "{text}"
    );
    assert!(text.contains("agent-ubuntu  unknown"), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with(&*s.project.to_string_lossy()))
        .expect("mount row");
    assert!(row.contains("unknown"), "{row}");
    assert!(row.contains("  1  "), "one snapshot: {row}");
    assert!(row.contains(&*s.backups.to_string_lossy()), "{row}");
    assert!(text.contains("unknown (multipass unavailable)"), "{text}");
    assert!(text.contains("multipass is not installed"), "{text}");
}

#[test]
fn status_fake_multipass_text_tables_show_agents_and_loops() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    s.mount_in_fake();
    install_fake_ps(&s.fake);
    s.snapshot();
    let out = s.agsekit().arg("status").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("NAME          STATE    IP"), "{text}");
    assert!(text.contains("agent-ubuntu  running  10.97.0."), "{text}");
    assert!(text.contains("  2 (real 2)  4G (real 3.8 GiB"), "{text}");
    assert!(text.contains("  yes  "), "mounted: {text}");
    assert!(
        text.contains("301  agent-ubuntu  codex (codex)  /home/ubuntu/proj/sub"),
        "{text}"
    );
    assert!(
        text.contains("Daemon: not running, not installed"),
        "{text}"
    );
}

#[test]
fn status_fake_multipass_text_tables_read_in_russian_and_json_stays_english() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    s.mount_in_fake();
    s.snapshot();
    let out = s
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .arg("status")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ИМЯ           СОСТОЯНИЕ  IP"), "{text}");
    assert!(text.contains("\nОбщие папки\n"), "{text}");
    assert!(text.contains("ПАПКА СНИМКОВ"), "{text}");
    assert!(text.contains("  да  "), "mounted: {text}");
    assert!(
        text.contains("Служба: не запущена, не установлена"),
        "{text}"
    );
    assert!(!text.contains("BACKUP FOLDER"), "{text}");
    // The JSON schema does not depend on the language.
    let out = s
        .agsekit()
        .env("AGSEKIT_LANG", "ru")
        .args(["status", "--json"])
        .output()
        .expect("run");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["mounts"][0]["mounted"], Value::Bool(true), "{json}");
}

fn write_record(home: &Path, record: &Value) {
    let dir = home.join(".local/state/agsekit");
    std::fs::create_dir_all(&dir).expect("state dir");
    std::fs::write(dir.join("portforward.json"), record.to_string()).expect("record");
}

#[test]
fn status_fake_multipass_port_forward_up_only_with_a_live_tunnel_and_listener() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("addr").port();
    let s = Setup::new(
        &format!(
            "    port-forwarding:\n      - {{type: local, host-addr: \"127.0.0.1:{port}\", vm-addr: \"127.0.0.1:5432\"}}\n      - {{type: socks5, vm-addr: \"127.0.0.1:1080\"}}\n"
        ),
        "",
    );
    let j = s.status_json();
    let f = &j["port_forwards"];
    assert_eq!(f[0]["kind"], "local");
    assert_eq!(
        f[0]["ssh_forward"],
        format!("-L 127.0.0.1:{port}:127.0.0.1:5432")
    );
    assert_eq!(f[0]["up"], false);
    assert_eq!(f[0]["managed_by"], Value::Null);
    assert_eq!(f[1]["ssh_forward"], "-R 127.0.0.1:1080");

    let me = std::process::id();
    write_record(
        s.sb.home(),
        &serde_json::json!({"pid": me, "owner": "daemon", "tunnels": [
            {"vm": VM, "pid": me, "address": "10.97.0.2",
             "forwards": [format!("-L 127.0.0.1:{port}:127.0.0.1:5432"), "-R 127.0.0.1:1080"],
             "last_error": null}]}),
    );
    let j = s.status_json();
    assert_eq!(j["port_forwards"][0]["up"], true);
    assert_eq!(j["port_forwards"][0]["pid"], me);
    assert_eq!(j["port_forwards"][0]["managed_by"], "daemon");
    assert_eq!(j["port_forwards"][1]["up"], true);

    // The ssh process is gone: down, with the reason it left.
    let dead = dead_pid();
    write_record(
        s.sb.home(),
        &serde_json::json!({"pid": me, "owner": "portforward", "tunnels": [
            {"vm": VM, "pid": dead, "address": "10.97.0.2",
             "forwards": [format!("-L 127.0.0.1:{port}:127.0.0.1:5432")],
             "last_error": "Permission denied (publickey)."}]}),
    );
    let j = s.status_json();
    assert_eq!(j["port_forwards"][0]["up"], false);
    assert_eq!(
        j["port_forwards"][0]["last_error"],
        "Permission denied (publickey)."
    );
    drop(listener);
}

#[test]
fn status_fake_multipass_warns_when_a_running_loop_made_no_backup_for_two_intervals() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    std::fs::create_dir_all(s.backups.join("20200101-000000")).expect("old snapshot");
    let lock = s.backups.join("backup.pid");
    std::fs::write(&lock, std::process::id().to_string()).expect("pid");
    let st = std::process::Command::new("touch")
        .args(["-d", "2020-01-01 00:00:00"])
        .arg(&lock)
        .status()
        .expect("touch");
    assert!(st.success());
    let j = s.status_json();
    let w = j["mounts"][0]["warnings"].to_string();
    assert!(
        w.contains("no backup for") && w.contains("interval 5 min"),
        "{w}"
    );
    assert!(
        j["mounts"][0]["backup"]["last_check_age_sec"]
            .as_u64()
            .expect("age")
            > 86_400
    );
}

#[test]
fn status_fake_multipass_warns_about_a_backup_folder_on_another_filesystem() {
    use std::os::unix::fs::MetadataExt;
    let shm = Path::new("/dev/shm");
    let s = Setup::new("", "");
    let here = std::fs::metadata(s.sb.home()).expect("home").dev();
    let Ok(meta) = std::fs::metadata(shm) else {
        println!("SKIPPED: no /dev/shm here");
        return;
    };
    if meta.dev() == here {
        println!("SKIPPED: /dev/shm is on the same filesystem as the temp folder");
        return;
    }
    let other = tempfile::tempdir_in(shm).expect("tmp in /dev/shm");
    let text = std::fs::read_to_string(&s.config).expect("config");
    std::fs::write(
        &s.config,
        text.replace(
            &s.backups.display().to_string(),
            &other.path().join("bk").display().to_string(),
        ),
    )
    .expect("config");
    let j = s.status_json();
    let w = j["mounts"][0]["warnings"].to_string();
    assert!(w.contains("is on another filesystem than"), "{w}");
}

#[test]
fn status_fake_multipass_another_folder_at_the_target_is_not_mounted() {
    let s = Setup::new("", "");
    s.fake.launch(VM);
    let other = s.sb.home().join("other");
    std::fs::create_dir_all(&other).expect("other");
    s.fake.ok(&[
        "mount",
        &other.to_string_lossy(),
        &format!("{VM}:/home/ubuntu/proj"),
    ]);
    assert_eq!(s.status_json()["mounts"][0]["mounted"], false);
}

#[test]
fn status_fake_multipass_shows_hostile_folder_and_snapshot_names_escaped() {
    // The agent chooses the folder it works in (its name reaches the agents table) and, were
    // it ever to reach the backup folder, snapshot names; neither may drive the terminal.
    let s = Setup::new("", "");
    s.fake.launch(VM);
    s.mount_in_fake();
    let workdir = "/home/ubuntu/proj/\r\x1b[2Kx\u{9b}1A\u{202e}";
    let script = format!(
        "#!/bin/sh\ncat <<'EOF'\n    1     0 /sbin/init\n  300     1 bash /usr/local/bin/agsekit-launch --session s1 --mount-root /home/ubuntu/proj --workdir {} --binary codex --b64 -- {}\n  301   300 node /usr/local/bin/codex --yolo\nEOF\n",
        b64(workdir),
        b64("--yolo")
    );
    s.fake.install_agent(VM, "ps", &script);
    s.snapshot();
    let hostile = "20260101-120000\x1b[2K";
    std::fs::create_dir_all(s.backups.join(hostile)).expect("mkdir");
    std::fs::write(
        s.backups.join(".agsekit-pinned"),
        format!("{hostile}\tmanual\n"),
    )
    .expect("pin");
    let out = s.agsekit().arg("status").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for raw in ['\x1b', '\r', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(raw), "raw {raw:?} in:\n{text}");
    }
    assert!(
        text.contains("codex (codex)  /home/ubuntu/proj/\\r\\x1b[2Kx\\u{9b}1A\\u{202e}"),
        "{text}"
    );
    assert!(text.contains("20260101-120000\\x1b[2K"), "{text}");
    // JSON keeps the value, JSON-escaped.
    let j = s.status_json();
    assert!(j.to_string().contains("\\u001b[2K"), "{j}");
}
