//! The QEMU backend against a REAL VM (no fake anywhere): create from a disk booted with its
//! own kernel, the guest user's uid, commands over SSH (codes, bytes, a missing folder), a
//! virtiofs mount written from the guest and seen on the host, umount, stop/start keeping a
//! mount, suspend/resume, delete leaving nothing behind. It prints its timings.
//!
//! Needs `qemu-system-x86_64`, `qemu-img`, virtiofsd and a bootable image folder named by
//! `AGSEKIT_REALVM_IMAGE_DIR` holding `disk.qcow2`, `vmlinuz`, `initrd.img` and optionally
//! `cmdline` (tests/realvm builds one). Without them it prints `SKIPPED: <reason>` and
//! passes. Under software emulation it takes several minutes.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use agsekit::process::RealRunner;
use agsekit::vm::qemu::{state::Home, Qemu};
use agsekit::vm::{
    ExecSpec, ExecStdin, ImageSpec, LaunchSpec, StopMode, TransferEnd, TransferSpec, VmBackend,
    VmError, VmState,
};

const VM: &str = "agsekit-real";

fn skip(reason: &str) {
    println!("SKIPPED: {reason}");
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// Deletes the VM when the test ends, passed or not.
struct Cleanup<'a>(&'a Qemu<RealRunner>);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.delete(VM, true);
    }
}

fn exec(q: &Qemu<RealRunner>, workdir: &str, argv: &[&str]) -> agsekit::vm::ExecResult {
    q.exec(&ExecSpec::capture(VM, workdir, argv.iter().copied()))
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"))
}

fn stdout(q: &Qemu<RealRunner>, argv: &[&str]) -> String {
    let r = exec(q, "/", argv);
    assert_eq!(r.code, 0, "{argv:?}: {}", r.stderr_text());
    r.stdout_text().trim().to_string()
}

fn secs(t: Instant) -> String {
    format!("{:.1} s", t.elapsed().as_secs_f64())
}

#[test]
fn qemu_backend_real_vm_end_to_end() {
    let Some(images) = std::env::var_os("AGSEKIT_REALVM_IMAGE_DIR").map(PathBuf::from) else {
        return skip(
            "AGSEKIT_REALVM_IMAGE_DIR is not set (a folder with disk.qcow2, vmlinuz, initrd.img)",
        );
    };
    for file in ["disk.qcow2", "vmlinuz", "initrd.img"] {
        if !images.join(file).is_file() {
            return skip(&format!("{} is missing", images.join(file).display()));
        }
    }
    for program in ["qemu-system-x86_64", "qemu-img", "ssh", "ssh-keygen"] {
        if !on_path(program) {
            return skip(&format!("{program} is not installed"));
        }
    }
    if agsekit::vm::qemu::virtiofs::find().is_none() {
        return skip("virtiofsd is not installed");
    }
    let host_uid = nix::unistd::getuid().as_raw();
    if host_uid != 0 {
        // QEMU 7.2's virtiofsd needs root; the Rust virtiofsd runs unprivileged.
        println!("note: not root; the C virtiofsd of QEMU 7.2 cannot run unprivileged");
    }
    let expected_uid = if host_uid == 0 { 1000 } else { host_uid };
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    let q = Qemu::new(RealRunner, Home::under(&tmp.path().join("qemu")), &keys);
    let _cleanup = Cleanup(&q);
    let cmdline = std::fs::read_to_string(images.join("cmdline"))
        .ok()
        .map(|c| c.trim().to_string());
    let extra = "#cloud-config\nwrite_files:\n  - path: /etc/agsekit-extra\n    content: kept\n";
    let spec = LaunchSpec {
        name: VM.into(),
        cpus: 2,
        memory: "1G".into(),
        disk: "4G".into(),
        image: Some(ImageSpec::Kernel {
            disk: images.join("disk.qcow2"),
            kernel: images.join("vmlinuz"),
            initrd: Some(images.join("initrd.img")),
            cmdline,
        }),
        cloud_init: Some(extra.into()),
        timeout_secs: Some(900),
    };

    let t = Instant::now();
    q.create(&spec).unwrap_or_else(|e| panic!("create: {e}"));
    println!("timing: create (boot, SSH, cloud-init): {}", secs(t));
    let info = q.info(VM).unwrap();
    assert_eq!(info.state, VmState::Running);
    assert_eq!(info.ipv4, ["127.0.0.1"]);
    let settings = q.vm_dir(VM).load().unwrap();
    println!("accel used: {} ({:?})", settings.accel, settings.accel_note);

    // The guest user has the host's uid (1000 for root), and the caller's cloud-config ran
    // next to agsekit's.
    assert_eq!(stdout(&q, &["id", "-u"]), expected_uid.to_string());
    assert_eq!(stdout(&q, &["cat", "/etc/agsekit-extra"]), "kept");
    assert_eq!(stdout(&q, &["hostname"]), VM);
    assert_eq!(stdout(&q, &["sudo", "-n", "true"]), "");

    // Multiplexed exec latency.
    let t = Instant::now();
    for _ in 0..5 {
        exec(&q, "/", &["true"]);
    }
    println!(
        "timing: exec `true` over the control connection: {:.2} s each",
        t.elapsed().as_secs_f64() / 5.0
    );

    // Codes pass through; words arrive byte for byte; a missing folder is its own error.
    assert_eq!(exec(&q, "/", &["sh", "-c", "exit 7"]).code, 7);
    assert_eq!(exec(&q, "/", &["sh", "-c", "exit 254"]).code, 254);
    let odd: Vec<OsString> = vec![
        "a b".into(),
        "it's".into(),
        "$(id) `id` *".into(),
        "line\nbreak".into(),
        "".into(),
        OsString::from_vec(vec![0xff, b'x', 0x80]),
        "Проект".into(),
    ];
    let mut argv: Vec<OsString> = vec!["printf".into(), "%s\\0".into()];
    argv.extend(odd.iter().cloned());
    let r = q
        .exec(&ExecSpec {
            argv,
            ..ExecSpec::capture(VM, "/tmp", ["x"])
        })
        .unwrap();
    let expected: Vec<u8> = odd
        .iter()
        .flat_map(|w| {
            let mut b = w.clone().into_vec();
            b.push(0);
            b
        })
        .collect();
    assert_eq!(r.stdout, expected);
    let r = q
        .exec(
            &ExecSpec::capture(VM, "/", ["cat"]).with_stdin(ExecStdin::Bytes(b"fed\0in".to_vec())),
        )
        .unwrap();
    assert_eq!(r.stdout, b"fed\0in");
    assert_eq!(
        q.exec(&ExecSpec::capture(VM, "/no/such/folder", ["true"]))
            .unwrap_err(),
        VmError::WorkdirMissing {
            vm: VM.into(),
            dir: "/no/such/folder".into()
        }
    );

    // A hidden host folder with a space and non-ASCII letters, mounted while running.
    let project = tmp.path().join(".hidden proj ü");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("from-host.txt"), "host").unwrap();
    if host_uid == 0 {
        // Root's guest user is uid 1000: give it the folder, as a user's own folder would be.
        std::os::unix::fs::chown(&project, Some(1000), Some(1000)).unwrap();
    }
    let target = "/home/ubuntu/proj ü";
    let t = Instant::now();
    q.mount(&project, VM, target)
        .unwrap_or_else(|e| panic!("mount: {e}"));
    println!("timing: hot-plug mount: {}", secs(t));
    assert_eq!(
        exec(&q, target, &["cat", "from-host.txt"]).stdout_text(),
        "host"
    );
    let r = exec(&q, target, &["sh", "-c", "echo guest > from-guest.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr_text());
    let written = project.join("from-guest.txt");
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "guest\n");
    assert_eq!(std::fs::metadata(&written).unwrap().uid(), expected_uid);
    assert_eq!(q.info(VM).unwrap().mounts.len(), 1);
    // The agent is root in its VM: a device node of the host's first disk (block 8:0) made in
    // the share must not appear on the host, where anyone opening it would read that disk.
    let r = exec(
        &q,
        target,
        &["sudo", "-n", "mknod", "host-disk", "b", "8", "0"],
    );
    assert_ne!(r.code, 0, "mknod in the share succeeded");
    assert!(
        std::fs::symlink_metadata(project.join("host-disk")).is_err(),
        "a device node reached the host folder"
    );

    // Copies both ways, parents created.
    let upload = tmp.path().join("up load.txt");
    std::fs::write(&upload, "uploaded").unwrap();
    q.transfer(&TransferSpec {
        from: TransferEnd::Host(upload),
        to: TransferEnd::Vm {
            vm: VM.into(),
            path: "new dir/sub/copy.txt".into(),
        },
        recursive: false,
        parents: true,
    })
    .unwrap_or_else(|e| panic!("transfer to the VM: {e}"));
    assert_eq!(
        stdout(&q, &["cat", "/home/ubuntu/new dir/sub/copy.txt"]),
        "uploaded"
    );
    let download = tmp.path().join("down/hostname");
    q.transfer(&TransferSpec {
        from: TransferEnd::Vm {
            vm: VM.into(),
            path: "/etc/hostname".into(),
        },
        to: TransferEnd::Host(download.clone()),
        recursive: false,
        parents: true,
    })
    .unwrap_or_else(|e| panic!("transfer from the VM: {e}"));
    assert_eq!(std::fs::read_to_string(&download).unwrap().trim(), VM);
    // The guest's own figures: its root file system (at most the 4G disk) and used memory.
    let info = q.info(VM).unwrap();
    let disk = info.disk.unwrap();
    assert!(disk.used.is_some_and(|u| u > 0), "{disk:?}");
    assert!(
        disk.total
            .is_some_and(|t| t > 0 && t <= 4 << 30 && disk.used.unwrap() <= t),
        "{disk:?}"
    );
    let memory = info.memory.unwrap();
    assert!(
        memory
            .used
            .is_some_and(|u| u > 0 && u <= memory.total.unwrap()),
        "{memory:?}"
    );
    assert_eq!(info.load.len(), 3, "{info:?}");
    println!(
        "guest figures: disk {disk:?}, memory {memory:?}, release {:?}",
        info.release
    );

    // Umount: gone in the guest, forgotten, then mounted again for the restart.
    q.umount(VM, Some(target))
        .unwrap_or_else(|e| panic!("umount: {e}"));
    assert_ne!(exec(&q, "/", &["mountpoint", "-q", target]).code, 0);
    assert!(q.info(VM).unwrap().mounts.is_empty());
    q.mount(&project, VM, target)
        .unwrap_or_else(|e| panic!("mount again: {e}"));

    // Stop and start: the mount comes back by itself.
    let t = Instant::now();
    q.stop(VM, StopMode::Graceful).unwrap();
    println!("timing: graceful stop: {}", secs(t));
    assert_eq!(q.info(VM).unwrap().state, VmState::Stopped);
    let t = Instant::now();
    q.start(VM).unwrap_or_else(|e| panic!("start: {e}"));
    println!("timing: start to SSH and mounts: {}", secs(t));
    assert_eq!(
        exec(&q, target, &["cat", "from-guest.txt"]).stdout_text(),
        "guest\n"
    );

    // Suspend and resume: the clock is set from the host.
    q.suspend(VM).unwrap();
    assert_eq!(q.info(VM).unwrap().state, VmState::Suspended);
    std::thread::sleep(std::time::Duration::from_secs(5));
    let t = Instant::now();
    q.start(VM).unwrap_or_else(|e| panic!("resume: {e}"));
    println!("timing: resume: {}", secs(t));
    assert_eq!(q.info(VM).unwrap().state, VmState::Running);
    let guest_now: i64 = stdout(&q, &["date", "+%s"]).parse().unwrap();
    let host_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (guest_now - host_now).abs() <= 3,
        "guest {guest_now} host {host_now}"
    );

    // Delete: nothing left.
    let folder = q.vm_dir(VM).dir;
    let t = Instant::now();
    q.delete(VM, true).unwrap();
    println!("timing: delete: {}", secs(t));
    assert!(!folder.exists());
    assert!(q.list().unwrap().is_empty());
    assert!(std::fs::read_dir(tmp.path().join("qemu/vms"))
        .unwrap()
        .next()
        .is_none());
    assert!(Path::new(&project).join("from-guest.txt").is_file());
}
