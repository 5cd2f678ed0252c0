//! Unit tests of the backend with a fake runner (no QEMU, no VM): the argv it builds, how it
//! reads exit codes, and what it records in the state folder. The real-VM test is
//! tests/qemu_backend_real.rs.

use super::*;
use crate::process::{FakeRunner, Output};
use crate::vm::types::ExecSpec;

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        std::fs::create_dir_all(root.join("keys")).unwrap();
        std::fs::write(root.join("keys/id_rsa"), "private").unwrap();
        std::fs::write(root.join("keys/id_rsa.pub"), "ssh-rsa AAAA agsekit\n").unwrap();
        Fixture { _tmp: tmp, root }
    }

    fn backend(&self, fake: FakeRunner) -> Qemu<FakeRunner> {
        Qemu::new(
            fake,
            Home::under(&self.root.join("home")),
            &self.root.join("keys"),
        )
    }

    /// A VM folder with settings, as `create` leaves it.
    fn vm(&self, name: &str) -> VmDir {
        let dir = Home::under(&self.root.join("home")).vm(name);
        std::fs::create_dir_all(&dir.dir).unwrap();
        dir.save(&Settings {
            name: name.into(),
            cpus: 2,
            memory_mib: 2048,
            disk_bytes: 10 << 30,
            boot: Boot {
                base: "/img/base.raw".into(),
                base_format: "raw".into(),
                image: "/img/base.raw".into(),
                kernel: None,
                initrd: None,
                cmdline: None,
            },
            ssh_port: 40022,
            guest_uid: 1000,
            guest_gid: 1000,
            mounts: Vec::new(),
            accel: "tcg".into(),
            accel_note: None,
        })
        .unwrap();
        dir
    }
}

/// Makes the VM look alive: this test process's pid in `qemu.pid` and a QMP server that
/// reports `status`.
fn pretend_running(
    dir: &VmDir,
    status: &'static str,
    connections: usize,
) -> std::thread::JoinHandle<()> {
    std::fs::write(dir.pidfile(), std::process::id().to_string()).unwrap();
    let (_, handle) = qmp::testserver::serve(&dir.qmp(), connections, move |req| {
        match req["execute"].as_str() {
            Some("query-status") => json!({"return": {"status": status}}),
            _ => json!({"return": {}}),
        }
    });
    handle
}

/// Makes the VM look alive with a QMP server that keeps its run state: `status` at first,
/// `stop` pauses it and `cont` runs it again. Returns that state, the server's request log
/// and its thread (which ends after `connections`).
fn pretend_pausable(
    dir: &VmDir,
    status: &'static str,
    connections: usize,
) -> (
    std::sync::Arc<std::sync::Mutex<&'static str>>,
    qmp::testserver::Log,
    std::thread::JoinHandle<()>,
) {
    std::fs::write(dir.pidfile(), std::process::id().to_string()).unwrap();
    let status = std::sync::Arc::new(std::sync::Mutex::new(status));
    let shared = status.clone();
    let (log, server) = qmp::testserver::serve(&dir.qmp(), connections, move |req| {
        let mut s = shared.lock().unwrap();
        match req["execute"].as_str() {
            Some("query-status") => json!({"return": {"status": *s}}),
            Some("stop") => {
                *s = "paused";
                json!({"return": {}})
            }
            Some("cont") => {
                *s = "running";
                json!({"return": {}})
            }
            _ => json!({"return": {}}),
        }
    });
    (status, log, server)
}

/// The QMP commands the server got, in order, without the greeting's `qmp_capabilities`.
fn qmp_commands(log: &qmp::testserver::Log) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .map(|r| r["execute"].as_str().unwrap().to_string())
        .filter(|c| c != "qmp_capabilities")
        .collect()
}

fn is_ssh(cmd: &Cmd) -> bool {
    cmd.get_program() == "ssh"
}

fn remote(cmd: &Cmd) -> String {
    cmd.argv_lossy().last().unwrap().clone()
}

#[test]
fn exec_runs_one_quoted_line_over_ssh_and_passes_the_code_on() {
    let fx = Fixture::new();
    fx.vm("agent");
    let q = fx.backend(FakeRunner::new(|_| {
        Ok(Output {
            code: 3,
            stdout: b"out".to_vec(),
            stderr: b"err".to_vec(),
        })
    }));
    let spec = ExecSpec::capture(
        "agent",
        "/home/ubuntu/my project",
        ["printf", "%s", "it's $(x)"],
    )
    .with_stdin(ExecStdin::Bytes(b"input".to_vec()));
    let result = q.exec(&spec).unwrap();
    assert_eq!(result.code, 3);
    assert_eq!(result.stdout, b"out");
    let calls = q.runner().calls();
    assert_eq!(calls.len(), 1);
    let argv = calls[0].argv_lossy();
    assert!(is_ssh(&calls[0]));
    assert!(argv.windows(2).any(|w| w == ["-p", "40022"]));
    assert!(argv.contains(&"-T".to_string()));
    assert_eq!(
        remote(&calls[0]),
        "cd '/home/ubuntu/my project' || exit 254; exec 'printf' '%s' 'it'\\''s $(x)'"
    );
    assert_eq!(
        calls[0].get_stdin(),
        &crate::process::Stdin::Bytes(b"input".to_vec())
    );
}

#[test]
fn a_missing_workdir_is_told_apart_from_a_command_that_exits_254() {
    for (folder_exists, expect_missing) in [(false, true), (true, false)] {
        let fx = Fixture::new();
        fx.vm("agent");
        let q = fx.backend(FakeRunner::new(move |cmd| {
            let line = remote(cmd);
            if line.starts_with("test -d ") {
                Ok(Output::failed(if folder_exists { 0 } else { 1 }, ""))
            } else {
                Ok(Output::failed(254, "cd: can't cd"))
            }
        }));
        let got = q.exec(&ExecSpec::capture("agent", "/work/gone", ["true"]));
        if expect_missing {
            assert_eq!(
                got.unwrap_err(),
                VmError::WorkdirMissing {
                    vm: "agent".into(),
                    dir: "/work/gone".into()
                }
            );
        } else {
            assert_eq!(got.unwrap().code, 254);
        }
        let lines: Vec<String> = q.runner().calls().iter().map(remote).collect();
        assert_eq!(lines[1], "test -d '/work/gone'");
    }
}

#[test]
fn exit_255_is_the_transport_never_the_commands_code() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let q = fx.backend(FakeRunner::new(|_| {
        Ok(Output::failed(255, "Connection refused"))
    }));
    // Not running: the VM is down, not the network.
    assert_eq!(
        q.exec(&ExecSpec::capture("agent", "/", ["true"]))
            .unwrap_err(),
        VmError::NotRunning {
            name: "agent".into()
        }
    );
    // One QMP look before the command (is it suspended?), one after its 255.
    let server = pretend_running(&dir, "running", 2);
    assert_eq!(
        q.exec(&ExecSpec::capture("agent", "/", ["true"]))
            .unwrap_err(),
        VmError::SshFailed {
            detail: "Connection refused".into()
        }
    );
    server.join().unwrap();
}

#[test]
fn info_reads_the_folder_and_qmp() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let q = fx.backend(FakeRunner::new(|cmd| {
        assert_eq!(cmd.get_program(), "qemu-img");
        Ok(Output::ok(
            r#"{"format": "qcow2", "virtual-size": 10737418240, "actual-size": 123456}"#,
        ))
    }));
    let info = q.info("agent").unwrap();
    assert_eq!(info.state, VmState::Stopped);
    assert!(info.ipv4.is_empty());
    assert_eq!(info.cpu_count, Some(2));
    assert_eq!(info.memory.unwrap().total, Some(2048 << 20));
    assert_eq!(
        info.disk.unwrap(),
        Usage {
            used: Some(123456),
            total: Some(10 << 30)
        }
    );
    let server = pretend_running(&dir, "paused", 1);
    let info = q.info("agent").unwrap();
    server.join().unwrap();
    assert_eq!(info.state, VmState::Suspended);
    assert_eq!(
        q.info("nope").unwrap_err(),
        VmError::InstanceMissing {
            name: "nope".into()
        }
    );
}

#[test]
fn list_names_every_vm_folder() {
    let fx = Fixture::new();
    fx.vm("b");
    fx.vm("a");
    let q = fx.backend(FakeRunner::always_ok());
    let names: Vec<String> = q.list().unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["a", "b"]);
    assert!(q
        .list()
        .unwrap()
        .iter()
        .all(|s| s.state == VmState::Stopped));
}

#[test]
fn mounts_on_a_stopped_vm_are_recorded_and_forgotten() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let q = fx.backend(FakeRunner::always_ok());
    let source = fx.root.join(".hidden proj ü");
    std::fs::create_dir_all(&source).unwrap();
    q.mount(&source, "agent", "/home/ubuntu/.hidden proj ü")
        .unwrap();
    let other = fx.root.join("other");
    std::fs::create_dir_all(&other).unwrap();
    q.mount(&other, "agent", "other").unwrap();
    let s = dir.load().unwrap();
    assert_eq!(s.mounts.len(), 2);
    assert_eq!(s.mounts[0].tag, "agsekit0");
    assert_eq!(s.mounts[0].source, source.canonicalize().unwrap());
    assert_eq!(s.mounts[1].tag, "agsekit1");
    assert_eq!(
        q.mount(&other, "agent", "other").unwrap_err(),
        VmError::AlreadyMounted {
            vm: "agent".into(),
            target: "other".into()
        }
    );
    assert!(matches!(
        q.mount(&fx.root.join("missing"), "agent", "x"),
        Err(VmError::SourceMissing { .. })
    ));
    // Nothing ran: a stopped VM only records.
    assert!(q.runner().calls().is_empty());
    q.umount("agent", Some("other")).unwrap();
    assert_eq!(dir.load().unwrap().mounts.len(), 1);
    assert_eq!(
        q.umount("agent", Some("other")).unwrap_err(),
        VmError::NotMounted {
            vm: "agent".into(),
            target: "other".into()
        }
    );
    q.umount("agent", None).unwrap();
    assert!(dir.load().unwrap().mounts.is_empty());
}

#[test]
fn delete_leaves_nothing_behind_and_purge_has_nothing_to_do() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let q = fx.backend(FakeRunner::always_ok());
    q.delete("agent", false).unwrap();
    assert!(!dir.dir.exists());
    q.purge().unwrap();
    assert!(matches!(
        q.delete("agent", true),
        Err(VmError::InstanceMissing { .. })
    ));
}

#[test]
fn a_create_that_fails_removes_its_folder() {
    let fx = Fixture::new();
    let base = fx.root.join("base.raw");
    std::fs::write(&base, b"disk").unwrap();
    let q = fx.backend(FakeRunner::new(|cmd| {
        if cmd.get_program() == "qemu-img" && cmd.get_args()[0] == "info" {
            return Ok(Output::ok(
                r#"{"format": "raw", "virtual-size": 1073741824}"#,
            ));
        }
        Ok(Output::ok(""))
    }));
    let spec = LaunchSpec {
        name: "agent".into(),
        cpus: 2,
        memory: "1G".into(),
        disk: "4G".into(),
        image: Some(ImageSpec::Named(base.to_string_lossy().into_owned())),
        cloud_init: None,
        timeout_secs: Some(1),
    };
    // The fake "QEMU" writes no pidfile: the VM never comes up.
    assert!(q.create(&spec).is_err());
    assert!(!fx.root.join("home/vms/agent").exists());
    let argvs = q.runner().argvs();
    let create = argvs
        .iter()
        .find(|a| a[0] == "qemu-img" && a[1] == "create")
        .unwrap();
    let base = base.canonicalize().unwrap();
    assert_eq!(
        create[2..],
        [
            "-q".to_string(),
            "-f".into(),
            "qcow2".into(),
            "-F".into(),
            "raw".into(),
            "-b".into(),
            base.to_string_lossy().into_owned(),
            fx.root
                .join("home/vms/agent/disk.qcow2")
                .to_string_lossy()
                .into_owned(),
            (4u64 << 30).to_string()
        ]
    );
    // KVM first when /dev/kvm opens, TCG last: the fake QEMU never stays up.
    let qemu = argvs
        .iter()
        .rfind(|a| a[0].starts_with("qemu-system-"))
        .unwrap();
    assert!(qemu.iter().any(|a| a.contains("accel=tcg")));
}

#[test]
fn a_second_create_of_the_same_name_is_refused() {
    let fx = Fixture::new();
    fx.vm("agent");
    let q = fx.backend(FakeRunner::always_ok());
    let spec = LaunchSpec {
        name: "agent".into(),
        cpus: 1,
        memory: "1G".into(),
        disk: "4G".into(),
        image: None,
        cloud_init: None,
        timeout_secs: None,
    };
    assert_eq!(
        q.create(&spec).unwrap_err(),
        VmError::AlreadyExists {
            name: "agent".into()
        }
    );
    let bad = LaunchSpec {
        name: "../x".into(),
        ..spec
    };
    assert!(matches!(q.create(&bad), Err(VmError::InvalidLaunch { .. })));
    assert!(q.runner().calls().is_empty());
}

#[test]
fn suspend_and_resume_speak_qmp_and_set_the_clock() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let (status, log, server) = pretend_pausable(&dir, "running", 4);
    let q = fx.backend(FakeRunner::always_ok());
    q.suspend("agent").unwrap(); // query-status, stop
    q.start("agent").unwrap(); // query-status, cont
    server.join().unwrap();
    assert_eq!(
        qmp_commands(&log),
        ["query-status", "stop", "query-status", "cont"]
    );
    let lines: Vec<String> = q.runner().calls().iter().map(remote).collect();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("sudo 'date' '-s' '@"), "{lines:?}");
    assert_eq!(*status.lock().unwrap(), "running");
}

#[test]
fn exec_on_a_suspended_vm_resumes_it_first() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let (status, log, server) = pretend_pausable(&dir, "paused", 3);
    let q = fx.backend(FakeRunner::always_ok());
    let result = q
        .exec(&ExecSpec::capture("agent", "/home/ubuntu", ["true"]))
        .unwrap();
    server.join().unwrap();
    assert_eq!(result.code, 0);
    assert_eq!(qmp_commands(&log), ["query-status", "query-status", "cont"]);
    // The clock is set after the resume, then the command runs.
    let lines: Vec<String> = q.runner().calls().iter().map(remote).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("sudo 'date' '-s' '@"), "{lines:?}");
    assert_eq!(lines[1], "cd '/home/ubuntu' || exit 254; exec 'true'");
    assert_eq!(*status.lock().unwrap(), "running");
}

#[test]
fn a_vm_locked_by_another_process_is_refused_with_its_pid_and_released_after() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let q = fx.backend(FakeRunner::always_ok());
    // This test stands in for the other agsekit: it holds the VM's lock.
    let other = crate::pidlock::try_lock(&dir.lock()).unwrap();
    for result in [
        q.stop("agent", StopMode::Force),
        q.start("agent"),
        q.delete("agent", true),
        q.umount("agent", None),
    ] {
        match result {
            Err(VmError::Backend {
                backend, message, ..
            }) => {
                assert_eq!(backend, "qemu");
                let message = message.text_in(crate::i18n::Lang::En);
                assert!(message.contains("`agent`"), "{message}");
                assert!(
                    message.contains(&format!("pid {}", std::process::id())),
                    "{message}"
                );
            }
            other => panic!("expected the lock error, got {other:?}"),
        }
    }
    assert!(dir.exists(), "nothing was deleted");
    assert!(q.runner().calls().is_empty(), "nothing was run");
    drop(other);
    // Free again: the operations run, and one that calls another (delete stops first) does
    // not lock itself out; each lets go when it ends.
    q.stop("agent", StopMode::Force).unwrap();
    assert!(crate::pidlock::try_lock(&dir.lock()).is_ok());
    q.delete("agent", true).unwrap();
    assert!(!dir.dir.exists());
}

#[test]
fn the_endpoint_is_the_forwarded_port_and_capabilities_say_what_qemu_can() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let q = fx.backend(FakeRunner::always_ok());
    assert!(matches!(
        q.ssh_endpoint("agent"),
        Err(VmError::NotRunning { .. })
    ));
    let server = pretend_running(&dir, "running", 1);
    let endpoint = q.ssh_endpoint("agent").unwrap();
    server.join().unwrap();
    assert_eq!(
        endpoint,
        SshEndpoint {
            host: "127.0.0.1".into(),
            port: 40022,
            user: "ubuntu".into()
        }
    );
    let caps = q.capabilities();
    assert!(caps.shares_any_path && caps.can_suspend && caps.mounts_on_stopped);
    assert!(caps.host_owned_files);
    assert_eq!(q.name(), "qemu");
    assert!(q.capabilities().shares_any_path);
}

#[test]
fn version_is_the_first_line_of_qemu_version() {
    let fx = Fixture::new();
    let q = fx.backend(FakeRunner::new(|_| {
        Ok(Output::ok(
            "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)\nCopyright (c) 2003-2022\n",
        ))
    }));
    let v = q.version().unwrap();
    assert_eq!(
        v.client,
        "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)"
    );
    assert_eq!(v.daemon, None);
    assert_eq!(q.runner().argvs()[0][1], "--version");
}

#[test]
fn the_backend_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Qemu<RealRunner>>();
}

#[test]
fn a_suspended_vm_keeps_its_shares_until_it_runs() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let q = fx.backend(FakeRunner::always_ok());
    let source = fx.root.join("p");
    std::fs::create_dir_all(&source).unwrap();
    q.mount(&source, "agent", "/home/ubuntu/p").unwrap();
    let server = pretend_running(&dir, "paused", 1);
    assert_eq!(
        q.umount("agent", None).unwrap_err(),
        VmError::NotRunning {
            name: "agent".into()
        }
    );
    server.join().unwrap();
    assert_eq!(dir.load().unwrap().mounts.len(), 1);
}

#[test]
fn a_missing_public_key_is_derived_from_the_private_one() {
    let fx = Fixture::new();
    std::fs::remove_file(fx.root.join("keys/id_rsa.pub")).unwrap();
    let q = fx.backend(FakeRunner::new(|_| Ok(Output::ok("ssh-rsa DERIVED\n"))));
    assert_eq!(q.public_key().unwrap(), "ssh-rsa DERIVED\n");
    let argv = &q.runner().argvs()[0];
    assert_eq!(argv[..3], ["ssh-keygen", "-y", "-f"]);
}

/// Once one VM found that KVM does not work on this host, the next VM does not probe it again
/// (each probe costs seconds to minutes under emulation): it starts with TCG only.
#[test]
fn a_kvm_failure_recorded_for_the_host_sends_the_next_vm_straight_to_tcg() {
    let fx = Fixture::new();
    let base = fx.root.join("base.raw");
    std::fs::write(&base, b"disk").unwrap();
    let fake = || {
        FakeRunner::new(|cmd| {
            if cmd.get_program() == "qemu-img" && cmd.get_args()[0] == "info" {
                return Ok(Output::ok(
                    r#"{"format": "raw", "virtual-size": 1073741824}"#,
                ));
            }
            Ok(Output::ok(""))
        })
    };
    let spec = |name: &str| LaunchSpec {
        name: name.into(),
        cpus: 1,
        memory: "1G".into(),
        disk: "4G".into(),
        image: Some(ImageSpec::Named(base.to_string_lossy().into_owned())),
        cloud_init: None,
        timeout_secs: Some(1),
    };
    let home = Home::under(&fx.root.join("home"));
    let tries_kvm = |q: &Qemu<FakeRunner>| {
        q.runner()
            .argvs()
            .iter()
            .any(|a| a[0].starts_with("qemu-system-") && a.iter().any(|w| w.contains("accel=kvm")))
    };
    if launch::kvm_openable() && std::env::var_os("AGSEKIT_QEMU_ACCEL").is_none() {
        // The fake QEMU never stays up: KVM "fails" and that is recorded for the host.
        let first = fx.backend(fake());
        assert!(first.create(&spec("one")).is_err());
        assert!(tries_kvm(&first));
        assert!(
            home.kvm_note().is_some(),
            "the failure is recorded for the host"
        );
        // The fallback is told as data, once, for the CLI to show (the backend prints nothing).
        let notices = first.take_notices();
        assert!(
            matches!(notices.first(), Some(VmNotice::AccelFallback { .. })),
            "{notices:?}"
        );
        assert!(notices[0].message().contains("TCG"), "{notices:?}");
        assert!(first.take_notices().is_empty());
    } else {
        home.set_kvm_note(Some("QEMU aborted with KVM"));
    }
    let second = fx.backend(fake());
    assert!(second.create(&spec("two")).is_err());
    assert!(
        !tries_kvm(&second),
        "TCG only once KVM is known not to work"
    );
    home.set_kvm_note(None);
    assert_eq!(home.kvm_note(), None);
}

/// A running guest's own figures (memory used, root file system, CPUs, load, OS) reach `info`;
/// a missing or odd line leaves that figure to the configured value.
#[test]
fn guest_figures_are_read_from_what_the_guest_prints() {
    let figures = GuestFigures::parse(
        "mem 1023410176 301989888\ndisk 4123000832 1250000000\ncpus 1\nload 0.52 0.31 0.10\nrelease Debian GNU/Linux 12 (bookworm)\n",
    );
    assert_eq!(
        figures,
        GuestFigures {
            memory: Some((1023410176, 301989888)),
            disk: Some((4123000832, 1250000000)),
            cpus: Some(1),
            load: vec![0.52, 0.31, 0.10],
            release: Some("Debian GNU/Linux 12 (bookworm)".into()),
        }
    );
    assert_eq!(
        GuestFigures::parse("mem x 5\ndisk 0 0\ncpus 0\nrelease \nnoise\n"),
        GuestFigures::default()
    );
}

/// The guest command is valid shell and prints every figure on a Linux system (run here on the
/// host, which has the same /proc and df as a guest).
#[test]
fn the_guest_figures_command_runs_on_linux() {
    let out = std::process::Command::new("sh")
        .args(["-c", GUEST_FIGURES])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let figures = GuestFigures::parse(&String::from_utf8_lossy(&out.stdout));
    assert!(
        figures.memory.is_some_and(|(t, u)| t > 0 && u <= t),
        "{figures:?}"
    );
    assert!(
        figures.disk.is_some_and(|(t, u)| t > 0 && u <= t),
        "{figures:?}"
    );
    assert!(figures.cpus.is_some_and(|n| n >= 1), "{figures:?}");
    assert_eq!(figures.load.len(), 3, "{figures:?}");
}

/// `state` answers from the folder and QMP alone: no program runs (no ssh into the guest, no
/// qemu-img), so a session's checks after an exit code stay cheap.
#[test]
fn state_runs_no_program() {
    let fx = Fixture::new();
    let dir = fx.vm("agent");
    let q = fx.backend(FakeRunner::new(|cmd| {
        panic!("no program expected, got {:?}", cmd.get_program())
    }));
    assert_eq!(q.state("agent").unwrap(), VmState::Stopped);
    let server = pretend_running(&dir, "paused", 1);
    assert_eq!(q.state("agent").unwrap(), VmState::Suspended);
    server.join().unwrap();
    assert_eq!(
        q.state("nope").unwrap_err(),
        VmError::InstanceMissing {
            name: "nope".into()
        }
    );
    assert!(q.runner().argvs().is_empty());
}

/// A stand-in daemon (a real process, no QEMU): a shell script that writes its pid to
/// `pid` and then runs `body`.
fn fake_daemon(dir: &Path, body: &str) -> PathBuf {
    use std::io::Write;
    let script = dir.join("fake-daemon");
    let text = format!(
        "#!/bin/sh\necho \"$$\" > '{}'\necho fake daemon starting\n{body}\n",
        dir.join("pid").display()
    );
    // Written by a `cat` of its own: a file this multi-threaded test process had open for
    // writing could still be open in a child another test forked and has not exec'd yet, and
    // starting it would then fail with "Text file busy".
    let mut cat = std::process::Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 0755 \"$1\"", "sh"])
        .arg(&script)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    cat.stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(cat.wait().unwrap().success());
    script
}

/// The pid the stand-in daemon wrote, once it has.
fn daemon_pid(dir: &Path) -> i32 {
    for _ in 0..200 {
        if let Some(pid) = std::fs::read_to_string(dir.join("pid"))
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the stand-in daemon wrote no pid");
}

fn spawn_fake_daemon(fx: &Fixture, body: &str, wait: Duration) -> (Result<(), String>, i32) {
    let dir = fx.root.join("daemon");
    std::fs::create_dir_all(&dir).unwrap();
    let script = fake_daemon(&dir, body);
    let q = Qemu::new(
        crate::process::RealRunner,
        Home::under(&fx.root.join("home")),
        &fx.root.join("keys"),
    );
    let result = q.spawn_daemon(
        Cmd::new("setsid").arg(&script),
        &dir.join("daemon.log"),
        &dir.join("daemon.pid"),
        &dir.join("daemon.sock"),
        wait,
    );
    (result, daemon_pid(&dir))
}

#[test]
fn a_daemon_that_runs_without_making_its_socket_is_stopped_and_forgotten() {
    // virtiofsd and passt both start through spawn_daemon: one that hangs before making its
    // socket must not be left running (a virtiofsd used to be).
    let fx = Fixture::new();
    let (result, pid) = spawn_fake_daemon(&fx, "exec sleep 600", Duration::from_millis(300));
    let err = result.unwrap_err();
    assert!(err.contains("fake-daemon made no socket"), "{err}");
    assert!(err.contains("fake daemon starting"), "the log's end: {err}");
    assert!(
        !state::alive(pid),
        "the stand-in daemon (pid {pid}) still runs"
    );
    assert!(!fx.root.join("daemon/daemon.pid").exists());
}

#[test]
fn a_daemon_that_exits_is_an_error_with_its_log_and_one_that_makes_its_socket_runs_on() {
    let fx = Fixture::new();
    let (result, _) = spawn_fake_daemon(&fx, "echo no such share >&2; exit 1", SOCKET_WAIT);
    let err = result.unwrap_err();
    assert!(err.contains("no such share"), "{err}");
    assert!(!fx.root.join("daemon/daemon.pid").exists());

    let fx = Fixture::new();
    let sock = fx.root.join("daemon/daemon.sock");
    let (result, pid) = spawn_fake_daemon(
        &fx,
        &format!(": > '{}'; exec sleep 600", sock.display()),
        SOCKET_WAIT,
    );
    result.unwrap();
    let pidfile = fx.root.join("daemon/daemon.pid");
    assert_eq!(
        std::fs::read_to_string(&pidfile).unwrap().trim(),
        pid.to_string()
    );
    assert!(state::alive(pid));
    kill_pidfile(&pidfile);
    assert!(!pidfile.exists());
}
