//! `prepare`: which host this is, what it lacks (each backend's programs, as the backend's
//! `host` module says, and `ssh-keygen`, `rsync`) and the exact commands that install it. The command shows the plan, asks before running anything
//! with sudo, runs it through [`crate::process::Runner`], then makes the SSH key pair.

use crate::config::BackendKind;
use crate::error::UserError;
use crate::process::Runner;
use crate::t;

pub use crate::vm::host::{
    detect, detect_system, dpkg_installed, is_wsl, root_step, which, HostFacts, HostOs, Needs,
    Plan, Probe, Step,
};

/// The commands that install what the host lacks for the backend `kinds` and agsekit's own
/// tools (`ssh-keygen`, `rsync`). Each backend says what it needs
/// ([`crate::backend::needs`]); the packages of the system's package manager go into one
/// install command. `probe.as_root`: agsekit runs as root, so the commands run directly (a
/// root shell often has no sudo at all).
pub fn plan(os: HostOs, kinds: &[BackendKind], probe: &Probe<'_>) -> Result<Plan, UserError> {
    let has = probe.has;
    let mut all = Needs::default();
    for kind in kinds {
        let n = crate::backend::needs(*kind, os, probe)?;
        all.present.extend(n.present);
        for p in n.packages {
            if !all.packages.contains(&p) {
                all.packages.push(p);
            }
        }
        all.before.extend(n.before);
        all.after.extend(n.after);
        all.notes.extend(n.notes);
    }
    let mut plan = Plan {
        present: all.present,
        steps: Vec::new(),
        notes: Vec::new(),
    };
    let need_keygen = !has("ssh-keygen");
    let need_rsync = !has("rsync");
    for (name, need) in [("ssh-keygen", need_keygen), ("rsync", need_rsync)] {
        if !need {
            plan.present.push(name.to_string());
        }
    }
    let mut packages: Vec<String> = all.packages;
    let tools = |keygen: &str| {
        let mut t = Vec::new();
        if need_keygen {
            t.push(keygen.to_string());
        }
        if need_rsync {
            t.push("rsync".to_string());
        }
        t
    };
    let why = |packages: &[String]| {
        t!(
            "lifecycle.prepare.why_install",
            packages = packages.join(", ")
        )
    };
    let with = |head: &[&str], packages: &[String]| {
        let mut args: Vec<&str> = head.to_vec();
        args.extend(packages.iter().map(String::as_str));
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let root = |why: String, args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        root_step(why, &args, probe.as_root)
    };
    plan.steps.extend(all.before);
    match os {
        HostOs::Debian => {
            packages.extend(tools("openssh-client"));
            if !packages.is_empty() {
                plan.steps.push(root_step(
                    t!("lifecycle.prepare.why_apt_update"),
                    &["apt-get", "update"],
                    probe.as_root,
                ));
                plan.steps.push(root(
                    why(&packages),
                    with(
                        &[
                            "env",
                            "DEBIAN_FRONTEND=noninteractive",
                            "apt-get",
                            "install",
                            "-y",
                        ],
                        &packages,
                    ),
                ));
            }
        }
        HostOs::Arch => {
            packages.extend(tools("openssh"));
            if !packages.is_empty() {
                plan.steps.push(root(
                    why(&packages),
                    with(&["pacman", "-S", "--needed", "--noconfirm"], &packages),
                ));
            }
        }
        HostOs::Fedora => {
            packages.extend(tools("openssh-clients"));
            if !packages.is_empty() {
                plan.steps.push(root(
                    why(&packages),
                    with(&["dnf", "install", "-y"], &packages),
                ));
            }
        }
        HostOs::MacOs => {
            if need_keygen {
                return Err(UserError::failed(t!("lifecycle.prepare.mac_no_keygen"))
                    .hint(t!("lifecycle.prepare.mac_no_keygen_hint")));
            }
            let only_rsync = packages.is_empty();
            if need_rsync {
                packages.push("rsync".to_string());
            }
            let brew_steps = plan.steps.iter().any(|s| s.cmd.get_program() == "brew");
            if (brew_steps || !packages.is_empty()) && !has("brew") {
                return Err(UserError::failed(t!("lifecycle.prepare.no_brew"))
                    .hint(t!("lifecycle.prepare.no_brew_hint")));
            }
            if !packages.is_empty() {
                plan.steps.push(Step {
                    why: if only_rsync {
                        t!("lifecycle.prepare.why_brew_rsync")
                    } else {
                        t!("host.why_brew", packages = packages.join(", "))
                    },
                    cmd: crate::process::Cmd::new("brew")
                        .arg("install")
                        .args(&packages),
                    sudo: false,
                });
            }
        }
    }
    plan.steps.extend(all.after);
    plan.notes = all.notes;
    Ok(plan)
}

/// Runs the plan's commands in order, attached to the terminal; stops at the first failure.
pub fn execute(runner: &dyn Runner, plan: &Plan) -> anyhow::Result<()> {
    for step in &plan.steps {
        let code = runner.inherit(&step.cmd).map_err(|e| {
            let err = UserError::failed(t!(
                "lifecycle.prepare.step_spawn_failed",
                why = step.why,
                error = e
            ));
            if step.cmd.get_program() == "sudo" {
                err.hint(t!("lifecycle.prepare.no_sudo_hint"))
            } else {
                err
            }
        })?;
        if code != 0 {
            return Err(UserError::failed(t!(
                "lifecycle.prepare.step_failed",
                command = step.cmd,
                code = code
            ))
            .hint(t!("lifecycle.prepare.step_failed_hint"))
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{FakeRunner, Output};

    /// The plan for the default backend alone, as before backends had their own needs.
    fn mp(
        os: HostOs,
        has: &dyn Fn(&str) -> bool,
        dpkg: &dyn Fn(&str) -> bool,
        as_root: bool,
    ) -> Result<Plan, UserError> {
        plan(
            os,
            &[BackendKind::default()],
            &Probe {
                has,
                dpkg,
                exists: &|_| false,
                as_root,
                wsl: false,
                arch: "x86_64",
                os_release: None,
            },
        )
    }

    fn facts(os: &str, release: &str, kernel: &str) -> HostFacts {
        HostFacts {
            os: os.into(),
            os_release: Some(release.into()),
            kernel: Some(kernel.into()),
        }
    }

    /// Each step as a shell line built from its argv: unlike `Cmd`'s Display it masks
    /// nothing, so a value another test registered as a secret cannot change it.
    fn argvs(plan: &Plan) -> Vec<String> {
        plan.steps
            .iter()
            .map(|s| {
                s.cmd
                    .argv_lossy()
                    .iter()
                    .map(|w| shell_words::quote(w).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn the_os_is_detected_from_os_release_then_tools() {
        let none = |_: &str| false;
        let ubuntu = facts(
            "linux",
            "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\n",
            "6.8.0",
        );
        assert_eq!(detect(&ubuntu, &none).unwrap(), HostOs::Debian);
        let mint = facts(
            "linux",
            "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n",
            "6.8.0",
        );
        assert_eq!(detect(&mint, &none).unwrap(), HostOs::Debian);
        let manjaro = facts("linux", "ID=manjaro\nID_LIKE=arch\n", "6.8.0");
        assert_eq!(detect(&manjaro, &none).unwrap(), HostOs::Arch);
        let odd = facts("linux", "ID=odd\n", "6.8.0");
        assert!(detect(&odd, &none).is_err());
        assert_eq!(detect(&odd, &|p| p == "pacman").unwrap(), HostOs::Arch);
        assert!(
            detect(&odd, &|_| true).is_err(),
            "both apt and pacman: ambiguous"
        );
        let mac = facts("macos", "", "");
        assert_eq!(detect(&mac, &none).unwrap(), HostOs::MacOs);
    }

    #[test]
    fn fedora_and_rhel_likes_are_told_by_os_release_or_dnf() {
        let none = |_: &str| false;
        let rocky = facts(
            "linux",
            "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n",
            "6.8",
        );
        assert_eq!(detect(&rocky, &none).unwrap(), HostOs::Fedora);
        let odd = facts("linux", "ID=odd\n", "6.8");
        assert_eq!(detect(&odd, &|p| p == "dnf").unwrap(), HostOs::Fedora);
        let both = facts("linux", "ID=odd\nID_LIKE=\"fedora debian\"\n", "6.8");
        assert!(detect(&both, &none).is_err());
    }

    #[test]
    fn wsl_is_refused_with_a_reason() {
        let wsl = facts("linux", "ID=ubuntu\n", "5.15.153.1-microsoft-standard-WSL2");
        let err = detect(&wsl, &|_| true).unwrap_err();
        assert!(err.message.contains("WSL"), "{}", err.message);
        assert!(!err.hints.is_empty());
    }

    #[test]
    fn debian_installs_only_what_is_missing() {
        let has = |p: &str| p == "ssh-keygen";
        let dpkg = |p: &str| p == "snapd";
        let p = mp(HostOs::Debian, &has, &dpkg, false).unwrap();
        assert_eq!(
            argvs(&p),
            [
                "sudo apt-get update",
                "sudo env 'DEBIAN_FRONTEND=noninteractive' apt-get install -y qemu-kvm libvirt-daemon-system libvirt-clients bridge-utils rsync",
                "sudo snap install multipass",
            ]
        );
        assert!(p.needs_sudo());
        assert_eq!(p.present, ["ssh-keygen"]);
        let all = mp(HostOs::Debian, &|_| true, &dpkg, false).unwrap();
        assert!(all.steps.is_empty());
        assert!(!all.needs_sudo());
    }

    #[test]
    fn as_root_the_commands_run_without_sudo() {
        let has = |p: &str| p == "ssh-keygen";
        let p = mp(HostOs::Debian, &has, &|_| false, true).unwrap();
        let commands = argvs(&p);
        assert_eq!(commands[0], "apt-get update");
        assert!(
            commands[1].starts_with("env 'DEBIAN_FRONTEND=noninteractive' apt-get install -y"),
            "{commands:?}"
        );
        assert_eq!(commands[2], "snap install multipass");
        // Still changes the system: asked first (or -y).
        assert!(p.needs_sudo());
        let arch = mp(HostOs::Arch, &|p| p == "yay", &|_| false, true).unwrap();
        assert_eq!(
            argvs(&arch)[1],
            "pacman -S --needed --noconfirm openssh rsync"
        );
    }

    #[test]
    fn arch_and_macos_plans() {
        let has = |p: &str| p == "paru" || p == "ssh-keygen";
        let p = mp(HostOs::Arch, &has, &|_| false, false).unwrap();
        assert_eq!(
            argvs(&p),
            [
                "paru -S --needed --noconfirm multipass libvirt dnsmasq qemu-base",
                "sudo pacman -S --needed --noconfirm rsync"
            ]
        );
        assert!(mp(HostOs::Arch, &|p| p == "ssh-keygen", &|_| false, false).is_err());
        let p = mp(
            HostOs::MacOs,
            &|p| p == "brew" || p == "ssh-keygen",
            &|_| false,
            false,
        )
        .unwrap();
        assert_eq!(
            argvs(&p),
            ["brew install --cask multipass", "brew install rsync"]
        );
        assert!(mp(HostOs::MacOs, &|p| p == "ssh-keygen", &|_| false, false).is_err());
    }

    fn probe<'a>(has: &'a dyn Fn(&str) -> bool, os_release: &'a str, as_root: bool) -> Probe<'a> {
        Probe {
            has,
            dpkg: &|_| false,
            exists: &|_| false,
            as_root,
            wsl: false,
            arch: "x86_64",
            os_release: Some(os_release),
        }
    }

    #[test]
    fn qemu_packages_join_the_one_install_command_of_each_package_manager() {
        let keygen = |p: &str| p == "ssh-keygen";
        let bookworm = "ID=debian\nVERSION_ID=\"12\"\n";
        let p = plan(
            HostOs::Debian,
            &[BackendKind::Qemu],
            &probe(&keygen, bookworm, false),
        )
        .unwrap();
        assert_eq!(
            argvs(&p),
            [
                "sudo apt-get update",
                "sudo env 'DEBIAN_FRONTEND=noninteractive' apt-get install -y qemu-system-x86 qemu-utils qemu-system-common passt rsync",
            ]
        );
        assert_eq!(p.present, ["ssh-keygen"]);
        // Both backends: one apt command with both package lists, then the snap.
        let both = [BackendKind::Multipass, BackendKind::Qemu];
        let p = plan(HostOs::Debian, &both, &probe(&keygen, bookworm, true)).unwrap();
        assert_eq!(
            argvs(&p),
            [
                "apt-get update",
                "env 'DEBIAN_FRONTEND=noninteractive' apt-get install -y snapd qemu-kvm libvirt-daemon-system libvirt-clients bridge-utils qemu-system-x86 qemu-utils qemu-system-common passt rsync",
                "snap install multipass",
            ]
        );
        let fedora = "ID=fedora\n";
        let p = plan(
            HostOs::Fedora,
            &[BackendKind::Qemu],
            &probe(&|_| false, fedora, false),
        )
        .unwrap();
        assert_eq!(
            argvs(&p),
            ["sudo dnf install -y qemu-system-x86 qemu-img virtiofsd passt openssh-clients rsync"]
        );
        let p = plan(
            HostOs::Arch,
            &[BackendKind::Qemu],
            &probe(&keygen, "ID=arch\n", false),
        )
        .unwrap();
        assert_eq!(
            argvs(&p),
            ["sudo pacman -S --needed --noconfirm qemu-base virtiofsd passt rsync"]
        );
        // Multipass on Fedora cannot be installed by agsekit: said, with a way out.
        assert!(plan(HostOs::Fedora, &both, &probe(&|_| false, fedora, false)).is_err());
    }

    #[test]
    fn under_wsl_multipass_is_refused_and_qemu_is_planned() {
        let wsl = facts("linux", "ID=ubuntu\n", "5.15.153.1-microsoft-standard-WSL2");
        assert!(is_wsl(&wsl));
        assert_eq!(detect_system(&wsl, &|_| false).unwrap(), HostOs::Debian);
        let keygen = |p: &str| p == "ssh-keygen" || p == "rsync";
        let noble = "ID=ubuntu\nVERSION_ID=\"24.04\"\n";
        let p = Probe {
            wsl: true,
            ..probe(&keygen, noble, false)
        };
        let err = plan(HostOs::Debian, &[BackendKind::Multipass], &p).unwrap_err();
        assert!(err.message.contains("WSL"), "{}", err.message);
        let q = plan(HostOs::Debian, &[BackendKind::Qemu], &p).unwrap();
        assert_eq!(
            argvs(&q)[1],
            "sudo env 'DEBIAN_FRONTEND=noninteractive' apt-get install -y qemu-system-x86 qemu-utils virtiofsd passt"
        );
    }

    #[test]
    fn macos_installs_qemu_with_homebrew_and_says_virtiofs_is_missing() {
        let has = |p: &str| p == "brew" || p == "ssh-keygen";
        let p = plan(HostOs::MacOs, &[BackendKind::Qemu], &probe(&has, "", false)).unwrap();
        assert_eq!(argvs(&p), ["brew install qemu rsync"]);
        assert!(!p.needs_sudo());
        assert_eq!(p.notes.len(), 1);
        assert!(p.notes[0].contains("virtiofs"), "{:?}", p.notes);
        let no_brew = |p: &str| p == "ssh-keygen";
        assert!(plan(
            HostOs::MacOs,
            &[BackendKind::Qemu],
            &probe(&no_brew, "", false)
        )
        .is_err());
    }

    #[test]
    fn execute_runs_each_step_and_stops_at_a_failure() {
        let p = mp(HostOs::Debian, &|p| p == "ssh-keygen", &|_| true, false).unwrap();
        let fake = FakeRunner::new(|cmd| {
            let failing = cmd.get_args().iter().any(|a| a == "install");
            Ok(Output {
                code: if failing { 100 } else { 0 },
                ..Default::default()
            })
        });
        let err = execute(&fake, &p).unwrap_err();
        assert!(err.to_string().contains("exit code 100"), "{err}");
        assert_eq!(fake.argvs().len(), 2, "snap install is not reached");
        assert_eq!(fake.argvs()[0], ["sudo", "apt-get", "update"]);
    }

    #[test]
    fn dpkg_query_reads_the_status() {
        let fake = FakeRunner::new(|cmd| {
            let pkg = cmd
                .get_args()
                .last()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            Ok(if pkg == "snapd" {
                Output::ok("install ok installed")
            } else {
                Output::failed(1, "no packages found")
            })
        });
        assert!(dpkg_installed(&fake, "snapd"));
        assert!(!dpkg_installed(&fake, "qemu-kvm"));
        assert_eq!(
            fake.argvs()[0],
            ["dpkg-query", "-W", "-f=${Status}", "snapd"]
        );
    }
}
