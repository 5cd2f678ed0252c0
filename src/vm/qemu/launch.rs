//! The `qemu-system-*` command line of one VM, built from its settings (pure, so unit tests
//! check it word by word).

use std::ffi::OsString;
use std::path::Path;

use super::net::Net;
use super::state::{Settings, VmDir};

/// The default kernel command line for a disk booted with its own kernel.
pub const DEFAULT_CMDLINE: &str = "root=/dev/vda rw console=ttyS0";

/// `qemu-system-<arch>` for this host.
pub fn system_program() -> String {
    if let Some(p) = std::env::var_os("AGSEKIT_QEMU_SYSTEM").filter(|v| !v.is_empty()) {
        return p.to_string_lossy().into_owned();
    }
    format!("qemu-system-{}", std::env::consts::ARCH)
}

/// A path inside a QEMU option value (`file=PATH,...`): commas doubled.
pub fn opt_path(path: &Path) -> OsString {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let bytes = path.as_os_str().as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        out.push(b);
        if b == b',' {
            out.push(b',');
        }
    }
    OsString::from_vec(out)
}

fn joined(prefix: &str, path: &Path, suffix: &str) -> OsString {
    let mut out = OsString::from(prefix);
    out.push(opt_path(path));
    out.push(suffix);
    out
}

/// Every argument after the program name. `accel` is `kvm` or `tcg`; `net` says how the VM
/// is connected ([`super::net`]).
pub fn args(dir: &VmDir, s: &Settings, accel: &str, net: &Net) -> Vec<OsString> {
    let mut a: Vec<OsString> = Vec::new();
    let mut push = |items: &[&str]| a.extend(items.iter().map(OsString::from));
    let mem = format!("{}M", s.memory_mib);
    let machine = if cfg!(target_arch = "aarch64") {
        "virt"
    } else {
        "pc"
    };
    push(&["-name", &format!("agsekit-{}", s.name)]);
    push(&[
        "-machine",
        &format!("{machine},accel={accel},memory-backend=mem"),
    ]);
    push(&["-cpu", if accel == "tcg" { "max" } else { "host" }]);
    push(&["-smp", &s.cpus.to_string()]);
    push(&["-m", &mem]);
    // Guest memory shared with virtiofsd: virtiofs needs it.
    push(&[
        "-object",
        &format!("memory-backend-memfd,id=mem,size={mem},share=on"),
    ]);
    push(&["-display", "none", "-monitor", "none"]);
    push(&[
        "-device",
        "virtio-rng-pci",
        "-device",
        "virtio-net-pci,netdev=net0",
    ]);
    a.push("-netdev".into());
    a.push(super::net::netdev(net, &dir.passt_socket(), s.ssh_port));
    a.push("-drive".into());
    a.push(joined(
        "file=",
        &dir.disk(),
        ",if=virtio,format=qcow2,discard=unmap",
    ));
    a.push("-drive".into());
    a.push(joined(
        "file=",
        &dir.seed(),
        ",if=virtio,format=raw,readonly=on",
    ));
    if let Some(kernel) = &s.boot.kernel {
        a.push("-kernel".into());
        a.push(kernel.clone().into_os_string());
        if let Some(initrd) = &s.boot.initrd {
            a.push("-initrd".into());
            a.push(initrd.clone().into_os_string());
        }
        a.push("-append".into());
        a.push(
            s.boot
                .cmdline
                .clone()
                .unwrap_or_else(|| DEFAULT_CMDLINE.to_string())
                .into(),
        );
    }
    for m in &s.mounts {
        a.push("-chardev".into());
        a.push(joined(
            &format!("socket,id=char-{},path=", m.tag),
            &dir.virtiofsd_socket(&m.tag),
            "",
        ));
        a.push("-device".into());
        a.push(
            format!(
                "vhost-user-fs-pci,chardev=char-{t},tag={t},id=fs-{t}",
                t = m.tag
            )
            .into(),
        );
    }
    a.push("-serial".into());
    a.push(joined("file:", &dir.serial_log(), ""));
    a.push("-qmp".into());
    a.push(joined("unix:", &dir.qmp(), ",server=on,wait=off"));
    a.push("-pidfile".into());
    a.push(dir.pidfile().into_os_string());
    a.push("-daemonize".into());
    a
}

/// True when `/dev/kvm` opens for reading and writing (QEMU may still fail to use it).
pub fn kvm_openable() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok()
}

/// The accelerators to try, in order: `AGSEKIT_QEMU_ACCEL` alone when set; TCG when an
/// earlier start recorded that KVM failed; else KVM (when `/dev/kvm` opens) then TCG.
pub fn accel_order(forced: Option<&str>, recorded_failure: bool, kvm: bool) -> Vec<&'static str> {
    match forced.map(str::trim) {
        Some("kvm") => vec!["kvm"],
        Some("tcg") => vec!["tcg"],
        _ if recorded_failure || !kvm => vec!["tcg"],
        _ => vec!["kvm", "tcg"],
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::{Boot, Mount};
    use super::*;

    fn settings() -> Settings {
        Settings {
            name: "agent".into(),
            cpus: 2,
            memory_mib: 2048,
            disk_bytes: 10 << 30,
            boot: Boot {
                base: "/img/base.raw".into(),
                base_format: "raw".into(),
                image: "/img/base.raw".into(),
                kernel: Some("/img/vmlinuz".into()),
                initrd: Some("/img/initrd.img".into()),
                cmdline: None,
            },
            ssh_port: 40022,
            guest_uid: 1000,
            guest_gid: 1000,
            mounts: vec![Mount {
                tag: "agsekit0".into(),
                source: "/p/a b".into(),
                target: "/home/ubuntu/a b".into(),
            }],
            accel: String::new(),
            accel_note: None,
        }
    }

    fn has(args: &[String], flag: &str, value: &str) -> bool {
        args.windows(2).any(|w| w[0] == flag && w[1] == value)
    }

    #[test]
    fn the_command_line_has_everything_a_vm_needs() {
        let dir = VmDir {
            dir: "/s/vms/a,b".into(),
        };
        let args: Vec<String> = args(&dir, &settings(), "tcg", &Net::User)
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(has(&args, "-m", "2048M"));
        assert!(has(&args, "-smp", "2"));
        assert!(has(&args, "-cpu", "max"));
        assert!(has(
            &args,
            "-object",
            "memory-backend-memfd,id=mem,size=2048M,share=on"
        ));
        assert!(args
            .iter()
            .any(|a| a.ends_with(",accel=tcg,memory-backend=mem")));
        assert!(has(
            &args,
            "-netdev",
            "user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22"
        ));
        // Commas in paths are doubled inside option values.
        assert!(has(
            &args,
            "-drive",
            "file=/s/vms/a,,b/disk.qcow2,if=virtio,format=qcow2,discard=unmap"
        ));
        assert!(has(
            &args,
            "-drive",
            "file=/s/vms/a,,b/seed.img,if=virtio,format=raw,readonly=on"
        ));
        assert!(has(&args, "-kernel", "/img/vmlinuz"));
        assert!(has(&args, "-initrd", "/img/initrd.img"));
        assert!(has(&args, "-append", DEFAULT_CMDLINE));
        assert!(has(
            &args,
            "-chardev",
            "socket,id=char-agsekit0,path=/s/vms/a,,b/agsekit0.sock"
        ));
        assert!(has(
            &args,
            "-device",
            "vhost-user-fs-pci,chardev=char-agsekit0,tag=agsekit0,id=fs-agsekit0"
        ));
        assert!(has(&args, "-serial", "file:/s/vms/a,,b/serial.log"));
        assert!(has(
            &args,
            "-qmp",
            "unix:/s/vms/a,,b/qmp.sock,server=on,wait=off"
        ));
        assert!(has(&args, "-pidfile", "/s/vms/a,b/qemu.pid"));
        assert_eq!(args.last().unwrap(), "-daemonize");
    }

    #[test]
    fn kvm_is_tried_first_unless_forced_or_known_broken() {
        assert_eq!(accel_order(None, false, true), ["kvm", "tcg"]);
        assert_eq!(accel_order(None, false, false), ["tcg"]);
        assert_eq!(accel_order(None, true, true), ["tcg"]);
        assert_eq!(accel_order(Some("kvm"), true, false), ["kvm"]);
        assert_eq!(accel_order(Some("tcg"), false, true), ["tcg"]);
    }
}
