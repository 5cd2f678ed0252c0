//! What the QEMU backend needs on the host: `doctor`'s checks (`qemu-system-<arch>` and its
//! version, `qemu-img`, virtiofsd, access to `/dev/kvm`, the host-wide KVM verdict, what a
//! root host user means for file ownership, the image cache, stale pidfiles and sockets in
//! the VM folders, with a repair that removes them) and `prepare`'s install plan (apt, dnf,
//! pacman, Homebrew).

use std::path::{Path, PathBuf};

use crate::error::UserError;
use crate::process::Cmd;
use crate::t;
use crate::vm::host::{
    os_release_value, which, CheckEnv, HostAction, HostCheck, HostOs, HostRepair, HostReport,
    Needs, Probe, Verdict,
};

use super::launch::system_program;
use super::net;
use super::state::{live_pid, Home};
use super::virtiofs;

/// The device KVM is opened through.
const KVM: &str = "/dev/kvm";

/// Every check, in the order `doctor` shows them, with the VMs of the backend.
pub fn checks(env: &CheckEnv<'_>) -> HostReport {
    let home = Home::from_env();
    let mut out = vec![check_system(env), check_img()];
    out.push(check_virtiofsd());
    if std::env::consts::OS == "linux" {
        out.push(check_network(env));
    }
    if std::env::consts::OS == "linux" {
        out.push(check_kvm(Path::new(KVM)));
    }
    if let Some(note) = home.kvm_note() {
        out.push(
            HostCheck::new(
                t!("host.subject.kvm"),
                Verdict::Warn,
                t!("host.kvm_note", note = note),
            )
            .fix(t!(
                "host.kvm_note_fix",
                path = shell_words::quote(&home.kvm_note_path().to_string_lossy())
            )),
        );
    }
    if nix::unistd::getuid().is_root() {
        out.push(
            HostCheck::new(
                t!("host.subject.guest_user"),
                Verdict::Warn,
                t!("host.root_uid"),
            )
            .fix(t!("host.root_uid_fix")),
        );
    }
    out.push(check_images(&home.images));
    out.extend(check_stale(&home));
    let mut report = HostReport {
        backend: "qemu",
        checks: out,
        vms: None,
    };
    match env.backend.info_all() {
        Ok(vms) => report.vms = Some(vms),
        Err(err) => report.checks.push(HostCheck::new(
            t!("host.subject.qemu_vms"),
            Verdict::Fail,
            UserError::from(err).message,
        )),
    }
    report
}

/// The version in `qemu-system-x86_64 --version`'s first line (`QEMU emulator version 8.2.2
/// (Debian ...)`).
pub fn parse_version(text: &str) -> Option<String> {
    let line = text.lines().next()?;
    let at = line.find("version ")?;
    line[at + "version ".len()..]
        .split_whitespace()
        .next()
        .map(str::to_string)
}

/// A program as agsekit would run it: a path as it is, a name from PATH.
fn locate(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return crate::vm::host::is_executable(&p).then_some(p);
    }
    which(program)
}

fn check_system(env: &CheckEnv<'_>) -> HostCheck {
    let program = system_program();
    let Some(path) = locate(&program) else {
        return HostCheck::new(
            program.clone(),
            Verdict::Fail,
            t!("host.not_found", program = program),
        )
        .fix(t!("host.install_qemu_fix"));
    };
    match env.runner.capture(&Cmd::new(&path).arg("--version")) {
        Ok(out) if out.success() => match parse_version(&out.stdout_text()) {
            Some(v) => HostCheck::new(
                program,
                Verdict::Ok,
                t!("host.qemu_version", path = path.display(), version = v),
            ),
            None => HostCheck::new(
                program,
                Verdict::Warn,
                t!("host.qemu_no_version", path = path.display()),
            ),
        },
        Ok(out) => HostCheck::new(
            program,
            Verdict::Fail,
            t!(
                "host.qemu_version_failed",
                path = path.display(),
                code = out.code,
                stderr = out.stderr_text().trim()
            ),
        )
        .fix(t!("host.install_qemu_fix")),
        Err(e) => {
            HostCheck::new(program, Verdict::Fail, e.to_string()).fix(t!("host.install_qemu_fix"))
        }
    }
}

fn check_img() -> HostCheck {
    match which("qemu-img") {
        Some(p) => HostCheck::new("qemu-img", Verdict::Ok, format!("{}", p.display())),
        None => HostCheck::new(
            "qemu-img",
            Verdict::Fail,
            t!("host.not_found", program = "qemu-img"),
        )
        .fix(t!("host.install_qemu_fix")),
    }
}

fn check_virtiofsd() -> HostCheck {
    if std::env::consts::OS == "macos" {
        return HostCheck::new("virtiofsd", Verdict::Warn, t!("host.virtiofs_macos"));
    }
    match virtiofs::find().filter(|p| p.is_file()) {
        Some(p) => HostCheck::new("virtiofsd", Verdict::Ok, format!("{}", p.display())),
        None => HostCheck::new("virtiofsd", Verdict::Fail, t!("qemu.no_virtiofsd"))
            .fix(t!("host.install_virtiofsd_fix")),
    }
}

/// The network the next VM start uses: passt (the guest cannot reach this computer's
/// loopback) or QEMU's user-mode network (it can: a warning with the fix).
fn check_network(env: &CheckEnv<'_>) -> HostCheck {
    let subject = t!("host.subject.network");
    let Some(passt) = net::find_passt() else {
        return HostCheck::new(subject, Verdict::Warn, t!("host.net_no_passt"))
            .fix(t!("host.net_install_passt"));
    };
    let help = locate(&system_program())
        .and_then(|qemu| {
            env.runner
                .capture(&Cmd::new(qemu).args(["-netdev", "help"]))
                .ok()
        })
        .map(|o| o.stdout_text())
        .unwrap_or_default();
    match net::choose(Some(passt.clone()), &help) {
        Ok(_) => HostCheck::new(
            subject,
            Verdict::Ok,
            t!("host.net_passt", path = passt.display()),
        ),
        Err(_) => HostCheck::new(subject, Verdict::Warn, t!("host.net_old_qemu"))
            .fix(t!("host.install_qemu_fix")),
    }
}

/// `/dev/kvm`: missing (software emulation), open to this user, or how to get access.
pub fn check_kvm(dev: &Path) -> HostCheck {
    use std::os::unix::fs::MetadataExt;
    let subject = dev.display().to_string();
    let Ok(meta) = std::fs::metadata(dev) else {
        return HostCheck::new(subject, Verdict::Warn, t!("host.kvm_missing"))
            .fix(t!("host.kvm_missing_fix"));
    };
    let flags = nix::unistd::AccessFlags::R_OK | nix::unistd::AccessFlags::W_OK;
    if nix::unistd::access(dev, flags).is_ok() {
        return HostCheck::new(subject, Verdict::Ok, t!("host.kvm_ok"));
    }
    let gid = nix::unistd::Gid::from_raw(meta.gid());
    let group = nix::unistd::Group::from_gid(gid).ok().flatten();
    let user = nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten();
    let mode = format!("{:04o}", meta.mode() & 0o7777);
    match group {
        Some(g) if meta.gid() != 0 && meta.mode() & 0o060 == 0o060 => {
            // A member as the group file lists it, or by the user's primary group.
            let member = user
                .as_ref()
                .is_some_and(|u| g.mem.contains(&u.name) || u.gid == g.gid);
            if member {
                HostCheck::new(
                    subject,
                    Verdict::Warn,
                    t!("host.kvm_group_not_active", group = g.name),
                )
                .fix(t!("host.kvm_relogin_fix"))
            } else {
                HostCheck::new(
                    subject,
                    Verdict::Warn,
                    t!("host.kvm_not_member", group = g.name, mode = mode),
                )
                .fix(t!("host.kvm_usermod_fix", group = g.name))
            }
        }
        _ => HostCheck::new(subject, Verdict::Warn, t!("host.kvm_closed", mode = mode))
            .fix(t!("host.kvm_closed_fix")),
    }
}

/// The image cache: where it is, how much it holds, and whether new images can be written.
pub fn check_images(dir: &Path) -> HostCheck {
    let subject = t!("host.subject.images", path = dir.display());
    if !dir.is_dir() {
        return HostCheck::new(subject, Verdict::Ok, t!("host.images_not_created"));
    }
    let probe = dir.join(format!(".agsekit-doctor-{}", std::process::id()));
    if let Err(e) = std::fs::write(&probe, b"agsekit doctor") {
        return HostCheck::new(
            subject,
            Verdict::Fail,
            t!("doctor_check.not_writable", error = e),
        )
        .fix(t!(
            "host.images_fix",
            path = shell_words::quote(&dir.to_string_lossy())
        ));
    }
    let _ = std::fs::remove_file(&probe);
    let (count, bytes) = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok().filter(|m| m.is_file()))
        .fold((0usize, 0u64), |(n, b), m| (n + 1, b + m.len()));
    HostCheck::new(
        subject,
        Verdict::Ok,
        t!(
            "host.images_ok",
            n = count,
            size = crate::ui::human_bytes(bytes)
        ),
    )
}

/// Leftovers of QEMUs and virtiofsds that are gone, per VM folder: a pidfile whose process
/// is dead and the sockets beside it. Only files directly inside a VM folder (a real folder,
/// not a symlink) are named; a socket kept in the short temporary folder is left alone.
pub fn stale_files(home: &Home) -> Vec<(String, PathBuf, Vec<PathBuf>)> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&home.vms)
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let dir = entry.path();
        let is_dir = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if !is_dir {
            continue;
        }
        let mut pidfiles: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "pid"))
            .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
            .collect();
        pidfiles.sort();
        let mut stale = Vec::new();
        for pidfile in pidfiles {
            if live_pid(&pidfile).is_some() {
                continue;
            }
            let stem = pidfile
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let sockets: Vec<String> = if stem == "qemu" {
                vec!["qmp.sock".into(), "ssh.sock".into()]
            } else {
                vec![format!("{stem}.sock")]
            };
            stale.push(pidfile);
            for s in sockets {
                let p = dir.join(s);
                let plain = std::fs::symlink_metadata(&p).is_ok_and(|m| {
                    use std::os::unix::fs::FileTypeExt;
                    m.file_type().is_file() || m.file_type().is_socket()
                });
                if plain {
                    stale.push(p);
                }
            }
        }
        if !stale.is_empty() {
            out.push((name, dir, stale));
        }
    }
    out
}

fn check_stale(home: &Home) -> Vec<HostCheck> {
    let found = stale_files(home);
    if found.is_empty() {
        return vec![HostCheck::new(
            t!("host.subject.qemu_state"),
            Verdict::Ok,
            t!("host.no_stale", path = home.vms.display()),
        )];
    }
    found
        .into_iter()
        .map(|(vm, dir, files)| {
            let list = files
                .iter()
                .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect::<Vec<_>>()
                .join(", ");
            HostCheck::new(
                t!("host.subject.qemu_files", vm = vm),
                Verdict::Warn,
                t!("host.stale", list = list),
            )
            .fix(t!("host.stale_fix"))
            .repair(HostRepair {
                description: t!("host.repair_stale", list = list, path = dir.display()),
                safe: true,
                done: t!("host.repaired_stale", n = files.len(), path = dir.display()),
                action: HostAction::RemoveStale { root: dir, files },
            })
        })
        .collect()
}

/// Whether this Debian or Ubuntu release ships virtiofsd inside `qemu-system-common` (Debian
/// up to 12, Ubuntu before 23.10) rather than as its own `virtiofsd` package.
fn debian_bundles_virtiofsd(os_release: Option<&str>) -> bool {
    let text = os_release.unwrap_or("");
    let id = os_release_value(text, "ID").unwrap_or_default();
    let version = os_release_value(text, "VERSION_ID").unwrap_or_default();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    let major = parts.next().flatten();
    let minor = parts.next().flatten().unwrap_or(0);
    match (id.as_str(), major) {
        ("debian", Some(m)) => m <= 12,
        ("ubuntu", Some(m)) => m < 23 || (m == 23 && minor < 10),
        _ => false,
    }
}

/// What installs QEMU, qemu-img and virtiofsd on this host.
pub fn needs(os: HostOs, probe: &Probe<'_>) -> Result<Needs, UserError> {
    let mut needs = Needs::default();
    let arch = probe.arch;
    let system = format!("qemu-system-{arch}");
    let have_system = (probe.has)(&system);
    let have_img = (probe.has)("qemu-img");
    let have_virtiofsd = (probe.has)("virtiofsd")
        || std::env::var_os("AGSEKIT_VIRTIOFSD")
            .is_some_and(|v| !v.is_empty() && (probe.exists)(Path::new(&v)))
        || virtiofs::KNOWN.iter().any(|p| (probe.exists)(Path::new(p)));
    // passt keeps the guest off this computer's loopback (`net`); Linux only. Debian and
    // Ubuntu releases whose QEMU is older than 7.2 cannot use it, so it is not planned there.
    let want_passt = match os {
        HostOs::MacOs => false,
        HostOs::Debian => debian_has_stream_netdev(probe.os_release),
        HostOs::Arch | HostOs::Fedora => true,
    };
    let have_passt = (probe.has)("passt");
    for (name, have) in [
        (system.as_str(), have_system),
        ("qemu-img", have_img),
        ("virtiofsd", have_virtiofsd || os == HostOs::MacOs),
        ("passt", have_passt && want_passt),
    ] {
        if have {
            needs.present.push(name.to_string());
        }
    }
    let arm = matches!(arch, "aarch64" | "arm");
    let mut add = |p: &str| {
        if !needs.packages.iter().any(|q| q == p) {
            needs.packages.push(p.to_string());
        }
    };
    match os {
        HostOs::Debian => {
            if !have_system {
                add(if arm {
                    "qemu-system-arm"
                } else {
                    "qemu-system-x86"
                });
            }
            if !have_img {
                add("qemu-utils");
            }
            if !have_virtiofsd {
                if debian_bundles_virtiofsd(probe.os_release) {
                    add("qemu-system-common");
                } else {
                    add("virtiofsd");
                }
            }
        }
        HostOs::Arch => {
            if !have_system || !have_img {
                add("qemu-base");
            }
            if !have_virtiofsd {
                add("virtiofsd");
            }
        }
        HostOs::Fedora => {
            let text = probe.os_release.unwrap_or("");
            let fedora = os_release_value(text, "ID").is_some_and(|id| id == "fedora");
            if !have_system {
                if fedora {
                    add(if arm {
                        "qemu-system-aarch64"
                    } else {
                        "qemu-system-x86"
                    });
                } else {
                    add("qemu-kvm");
                    needs.notes.push(t!("host.qemu_kvm_note", program = system));
                }
            }
            if !have_img {
                add("qemu-img");
            }
            if !have_virtiofsd {
                add("virtiofsd");
            }
        }
        HostOs::MacOs => {
            if !have_system || !have_img {
                add("qemu");
            }
            needs.notes.push(t!("host.virtiofs_macos"));
        }
    }
    if want_passt && !have_passt {
        add("passt");
    }
    Ok(needs)
}

/// Whether this Debian or Ubuntu release's QEMU has the `stream` network backend passt
/// needs (QEMU 7.2: Debian 12, Ubuntu 23.04 and later).
fn debian_has_stream_netdev(os_release: Option<&str>) -> bool {
    let text = os_release.unwrap_or("");
    let id = os_release_value(text, "ID").unwrap_or_default();
    let version = os_release_value(text, "VERSION_ID").unwrap_or_default();
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    match (id.as_str(), major) {
        ("debian", Some(m)) => m >= 12,
        ("ubuntu", Some(m)) => m >= 23,
        // Testing and unstable have no VERSION_ID; derivatives are taken as recent.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe<'a>(
        has: &'a dyn Fn(&str) -> bool,
        exists: &'a dyn Fn(&Path) -> bool,
        arch: &'a str,
        os_release: &'a str,
    ) -> Probe<'a> {
        Probe {
            has,
            dpkg: &|_| false,
            exists,
            as_root: false,
            wsl: false,
            arch,
            os_release: Some(os_release),
        }
    }

    const BOOKWORM: &str = "ID=debian\nVERSION_ID=\"12\"\n";
    const NOBLE: &str = "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n";

    #[test]
    fn debian_packages_follow_the_release_and_the_arch() {
        let none = |_: &str| false;
        let nowhere = |_: &Path| false;
        let n = needs(HostOs::Debian, &probe(&none, &nowhere, "x86_64", BOOKWORM)).unwrap();
        assert_eq!(
            n.packages,
            [
                "qemu-system-x86",
                "qemu-utils",
                "qemu-system-common",
                "passt"
            ]
        );
        assert!(n.present.is_empty());
        let n = needs(HostOs::Debian, &probe(&none, &nowhere, "aarch64", NOBLE)).unwrap();
        assert_eq!(
            n.packages,
            ["qemu-system-arm", "qemu-utils", "virtiofsd", "passt"]
        );
        let jammy = "ID=ubuntu\nVERSION_ID=\"22.04\"\n";
        let n = needs(HostOs::Debian, &probe(&none, &nowhere, "x86_64", jammy)).unwrap();
        assert_eq!(n.packages[2], "qemu-system-common");
        // Jammy's QEMU 6.2 cannot connect to passt: it is not planned there.
        assert_eq!(n.packages.len(), 3, "{:?}", n.packages);
        // virtiofsd outside PATH (Debian 12 keeps it in /usr/lib/qemu) counts as present.
        let lib = |p: &Path| p == Path::new("/usr/lib/qemu/virtiofsd");
        let has = |p: &str| p == "qemu-system-x86_64" || p == "qemu-img";
        let n = needs(HostOs::Debian, &probe(&has, &lib, "x86_64", BOOKWORM)).unwrap();
        assert_eq!(n.packages, ["passt"]);
        assert_eq!(n.present, ["qemu-system-x86_64", "qemu-img", "virtiofsd"]);
        let has = |p: &str| p == "qemu-system-x86_64" || p == "qemu-img" || p == "passt";
        let n = needs(HostOs::Debian, &probe(&has, &lib, "x86_64", BOOKWORM)).unwrap();
        assert!(n.packages.is_empty());
        assert_eq!(
            n.present,
            ["qemu-system-x86_64", "qemu-img", "virtiofsd", "passt"]
        );
    }

    #[test]
    fn dnf_pacman_and_homebrew_packages() {
        let none = |_: &str| false;
        let nowhere = |_: &Path| false;
        let fedora = "ID=fedora\nVERSION_ID=41\n";
        let n = needs(HostOs::Fedora, &probe(&none, &nowhere, "x86_64", fedora)).unwrap();
        assert_eq!(
            n.packages,
            ["qemu-system-x86", "qemu-img", "virtiofsd", "passt"]
        );
        assert!(n.notes.is_empty());
        let rocky = "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n";
        let n = needs(HostOs::Fedora, &probe(&none, &nowhere, "x86_64", rocky)).unwrap();
        assert_eq!(n.packages, ["qemu-kvm", "qemu-img", "virtiofsd", "passt"]);
        assert!(n.notes[0].contains("AGSEKIT_QEMU_SYSTEM"), "{:?}", n.notes);
        let n = needs(HostOs::Arch, &probe(&none, &nowhere, "x86_64", "ID=arch\n")).unwrap();
        assert_eq!(n.packages, ["qemu-base", "virtiofsd", "passt"]);
        let n = needs(HostOs::MacOs, &probe(&none, &nowhere, "aarch64", "")).unwrap();
        assert_eq!(n.packages, ["qemu"]);
        assert!(n.notes[0].contains("macOS"), "{:?}", n.notes);
        let all = |_: &str| true;
        let n = needs(HostOs::MacOs, &probe(&all, &nowhere, "aarch64", "")).unwrap();
        assert!(n.packages.is_empty());
    }

    #[test]
    fn versions_are_read_from_the_first_line() {
        assert_eq!(
            parse_version("QEMU emulator version 7.2.11 (Debian 1:7.2+dfsg-7+deb12u12)\nCopyright")
                .as_deref(),
            Some("7.2.11")
        );
        assert_eq!(parse_version("nonsense"), None);
    }

    #[test]
    fn dead_pidfiles_and_their_sockets_are_stale_live_ones_and_symlinks_are_not() {
        let dir = tempfile::tempdir().expect("tmp");
        let home = Home::under(dir.path());
        let a = home.vms.join("a");
        std::fs::create_dir_all(&a).expect("a");
        std::fs::write(a.join("qemu.pid"), "999999999").expect("pid");
        std::fs::write(a.join("qmp.sock"), "").expect("qmp");
        std::fs::write(a.join("agsekit0.pid"), format!("{}", std::process::id())).expect("live");
        std::fs::write(a.join("agsekit0.sock"), "").expect("sock");
        std::fs::write(a.join("agsekit1.pid"), "999999998").expect("dead");
        // A socket name that is a symlink is never listed (nor followed).
        let outside = dir.path().join("outside");
        std::fs::write(&outside, "keep").expect("outside");
        std::os::unix::fs::symlink(&outside, a.join("agsekit1.sock")).expect("sock link");
        let b = home.vms.join("b");
        std::fs::create_dir_all(&b).expect("b");
        std::fs::write(b.join("qemu.pid"), format!("{}", std::process::id())).expect("live");
        // A VM folder that is a symlink is not looked into.
        std::os::unix::fs::symlink(&a, home.vms.join("c")).expect("link");
        let found = stale_files(&home);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "a");
        let names: Vec<String> = found[0]
            .2
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["agsekit1.pid", "qemu.pid", "qmp.sock"]);
        crate::vm::host::remove_stale(&found[0].1, &found[0].2).expect("remove");
        assert!(!a.join("qemu.pid").exists());
        assert!(a.join("agsekit0.sock").exists());
        assert!(outside.exists());
        assert!(stale_files(&home).is_empty());
    }

    #[test]
    fn the_image_cache_is_reported_with_its_size_or_as_not_created() {
        let dir = tempfile::tempdir().expect("tmp");
        let images = dir.path().join("images");
        let c = check_images(&images);
        assert_eq!(c.verdict, Verdict::Ok);
        assert!(c.detail.contains("not created yet"), "{}", c.detail);
        std::fs::create_dir_all(&images).expect("images");
        std::fs::write(images.join("a.img"), vec![0u8; 2048]).expect("a");
        std::fs::write(images.join("b.img"), vec![0u8; 2048]).expect("b");
        let c = check_images(&images);
        assert_eq!(c.verdict, Verdict::Ok);
        assert_eq!(
            c.detail,
            t!("host.images_ok", n = 2, size = crate::ui::human_bytes(4096))
        );
        let left: Vec<_> = std::fs::read_dir(&images).unwrap().collect();
        assert_eq!(left.len(), 2, "the write probe leaves nothing");
    }

    #[test]
    fn a_missing_kvm_device_is_a_warning_with_a_fix() {
        let c = check_kvm(Path::new("/nonexistent/kvm"));
        assert_eq!(c.verdict, Verdict::Warn);
        assert!(c.fix.is_some());
    }
}
