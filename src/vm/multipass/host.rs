//! What Multipass needs on the host: `doctor`'s checks and repairs (the client and its daemon,
//! `sudo snap restart multipass` for the snap) and `prepare`'s install plan (the snap with its
//! Debian dependencies, the AUR package, the Homebrew cask).

use std::path::Path;

use crate::error::UserError;
use crate::process::Cmd;
use crate::t;
use crate::vm::host::{root_step, CheckEnv, HostAction, HostCheck, HostOs, HostRepair, HostReport};
use crate::vm::host::{Needs, Probe, Step, Verdict};
use crate::vm::VmError;

use super::locate::{find_multipass, Lookup};

/// True when the multipass executable is the snap's (`/snap/...`): only then can doctor
/// restart it (`sudo snap restart multipass`).
pub fn is_snap(path: Option<&Path>) -> bool {
    path.map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
        .is_some_and(|p| p.starts_with("/snap"))
}

/// `sudo snap restart multipass`: never applied without asking.
pub fn restart_snap() -> HostRepair {
    HostRepair {
        description: t!("repair.restart_multipass"),
        safe: false,
        action: HostAction::Run(Cmd::new("sudo").args(["snap", "restart", "multipass"])),
        done: t!("repair.restarted_multipass"),
    }
}

fn snap_install(shims_dir: &Path) -> bool {
    is_snap(find_multipass(&Lookup::from_env(shims_dir)).ok().as_deref())
}

/// The repair offered when remounting a folder failed: restarting the snap's daemon (as
/// 1.7.4 did), for a snap install only.
pub fn after_failed_remount(shims_dir: &Path) -> Option<HostRepair> {
    snap_install(shims_dir).then(restart_snap)
}

/// The client and its version, then whether the daemon answers (`multipass info --all`, whose
/// VMs the report carries).
pub fn checks(env: &CheckEnv<'_>) -> HostReport {
    let mut report = HostReport {
        backend: "multipass",
        checks: Vec::new(),
        vms: None,
    };
    match env.backend.version() {
        Ok(v) => report.checks.push(HostCheck::new(
            "multipass",
            Verdict::Ok,
            format!(
                "multipass {}{}",
                v.client,
                v.daemon
                    .map(|d| format!(", {}", t!("doctor_check.daemon_version", version = d)))
                    .unwrap_or_else(|| format!(", {}", t!("doctor_check.daemon_silent")))
            ),
        )),
        Err(err) => {
            let missing = matches!(err, VmError::NotInstalled { .. });
            let user = UserError::from(err);
            report.checks.push(
                HostCheck::new("multipass", Verdict::Fail, user.message).fix(if missing {
                    t!("doctor_check.install_multipass")
                } else {
                    user.hints.first().cloned().unwrap_or_default()
                }),
            );
            return report;
        }
    }
    match env.backend.info_all() {
        Ok(infos) => report.vms = Some(infos),
        Err(err) => {
            let user = UserError::from(err);
            let mut c = HostCheck::new(
                t!("misc.doctor.subject.multipass_daemon"),
                Verdict::Fail,
                user.message,
            );
            if snap_install(env.shims_dir) {
                c = c.fix("sudo snap restart multipass").repair(restart_snap());
            } else if let Some(h) = user.hints.first() {
                c = c.fix(h.clone());
            }
            report.checks.push(c);
        }
    }
    report
}

/// Packages Multipass needs on Debian/Ubuntu besides the snap.
pub const DEBIAN_DEPS: [&str; 5] = [
    "snapd",
    "qemu-kvm",
    "libvirt-daemon-system",
    "libvirt-clients",
    "bridge-utils",
];

/// What installs Multipass on this host: nothing when `multipass` is on PATH.
pub fn needs(os: HostOs, probe: &Probe<'_>) -> Result<Needs, UserError> {
    let mut needs = Needs::default();
    if probe.wsl {
        return Err(crate::vm::host::wsl_refusal());
    }
    if (probe.has)("multipass") {
        needs.present.push("multipass".to_string());
        return Ok(needs);
    }
    match os {
        HostOs::Debian => {
            needs.packages = DEBIAN_DEPS
                .iter()
                .filter(|p| !(probe.dpkg)(p))
                .map(|p| p.to_string())
                .collect();
            needs.after.push(root_step(
                t!("lifecycle.prepare.why_snap"),
                &["snap", "install", "multipass"],
                probe.as_root,
            ));
        }
        HostOs::Arch => {
            let helper = ["yay", "paru"]
                .into_iter()
                .find(|h| (probe.has)(h))
                .ok_or_else(|| {
                    UserError::failed(t!("lifecycle.prepare.no_aur_helper"))
                        .hint(t!("lifecycle.prepare.no_aur_helper_hint"))
                })?;
            needs.before.push(Step {
                why: t!("lifecycle.prepare.why_aur", helper = helper),
                cmd: Cmd::new(helper).args([
                    "-S",
                    "--needed",
                    "--noconfirm",
                    "multipass",
                    "libvirt",
                    "dnsmasq",
                    "qemu-base",
                ]),
                // The helper asks for the sudo password itself.
                sudo: true,
            });
        }
        HostOs::Fedora => {
            return Err(UserError::failed(t!("host.multipass_fedora"))
                .hint(t!("host.multipass_fedora_hint")))
        }
        HostOs::MacOs => {
            needs.before.push(Step {
                why: t!("lifecycle.prepare.why_brew_multipass"),
                cmd: Cmd::new("brew").args(["install", "--cask", "multipass"]),
                // The cask's installer asks for the password.
                sudo: true,
            });
        }
    }
    Ok(needs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snap_restart_is_never_applied_without_asking() {
        let r = restart_snap();
        assert!(!r.safe);
        assert_eq!(
            r.action,
            HostAction::Run(Cmd::new("sudo").args(["snap", "restart", "multipass"]))
        );
    }

    #[test]
    fn the_client_version_then_a_daemon_that_does_not_answer() {
        use crate::process::{FakeRunner, Output};
        let runner = FakeRunner::new(|cmd| {
            let first = cmd
                .get_args()
                .first()
                .map(|a| a.to_string_lossy().into_owned());
            Ok(match first.as_deref() {
                Some("version") => Output::ok("multipass   1.16.3\nmultipassd  1.16.2\n"),
                _ => Output::failed(2, "cannot connect to the multipass socket"),
            })
        });
        let mp = super::super::Multipass::new(runner, "/opt/mp/multipass");
        let dir = tempfile::tempdir().expect("tmp");
        let report = checks(&CheckEnv {
            backend: &mp,
            runner: &crate::process::FakeRunner::new(|_| Ok(Output::default())),
            shims_dir: dir.path(),
        });
        assert_eq!(report.backend, "multipass");
        assert!(report.vms.is_none(), "the VMs could not be listed");
        assert_eq!(report.checks.len(), 2, "{:?}", report.checks);
        assert_eq!(report.checks[0].subject, "multipass");
        assert_eq!(report.checks[0].verdict, Verdict::Ok);
        assert_eq!(report.checks[0].detail, "multipass 1.16.3, daemon 1.16.2");
        assert_eq!(
            report.checks[1].subject,
            t!("misc.doctor.subject.multipass_daemon")
        );
        assert_eq!(report.checks[1].verdict, Verdict::Fail);
        assert!(report.checks[1].fix.is_some());
    }

    #[test]
    fn fedora_without_multipass_is_refused_with_a_hint() {
        let probe = Probe {
            has: &|_| false,
            dpkg: &|_| false,
            exists: &|_| false,
            as_root: false,
            wsl: false,
            arch: "x86_64",
            os_release: None,
        };
        let err = needs(HostOs::Fedora, &probe).unwrap_err();
        assert!(err.message.contains("Fedora"), "{}", err.message);
        assert!(!err.hints.is_empty());
        let has = Probe {
            has: &|p| p == "multipass",
            ..probe
        };
        let n = needs(HostOs::Fedora, &has).unwrap();
        assert_eq!(n.present, ["multipass"]);
    }
}
