//! `prepare`: which host this is, what it lacks (Multipass, `ssh-keygen`, `rsync`) and the
//! exact commands that install it. The command shows the plan, asks before running anything
//! with sudo, runs it through [`crate::process::Runner`], then makes the SSH key pair.

use std::path::{Path, PathBuf};

use crate::error::UserError;
use crate::process::{Cmd, Runner};
use crate::t;

/// The install strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostOs {
    /// Debian, Ubuntu and derivatives: apt, and Multipass from the snap store.
    Debian,
    /// Arch and derivatives: pacman, and Multipass from the AUR.
    Arch,
    /// macOS with Homebrew.
    MacOs,
}

/// What is known about the host (read by [`HostFacts::read`], made up in tests).
#[derive(Debug, Clone, Default)]
pub struct HostFacts {
    /// `std::env::consts::OS`.
    pub os: String,
    /// `/etc/os-release` (or `/usr/lib/os-release`).
    pub os_release: Option<String>,
    /// `/proc/sys/kernel/osrelease` and `/proc/version`.
    pub kernel: Option<String>,
}

impl HostFacts {
    pub fn read() -> HostFacts {
        let read = |p: &str| std::fs::read_to_string(p).ok();
        HostFacts {
            os: std::env::consts::OS.to_string(),
            os_release: read("/etc/os-release").or_else(|| read("/usr/lib/os-release")),
            kernel: match (read("/proc/sys/kernel/osrelease"), read("/proc/version")) {
                (None, None) => None,
                (a, b) => Some(format!(
                    "{}\n{}",
                    a.unwrap_or_default(),
                    b.unwrap_or_default()
                )),
            },
        }
    }
}

/// A value of an os-release file (`ID=ubuntu`, `ID_LIKE="debian"`), read without running it.
fn os_release_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
    })
}

fn family(ids: &str) -> (bool, bool) {
    let words: Vec<String> = ids
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let debian = words.iter().any(|w| w == "debian" || w == "ubuntu");
    let arch = words.iter().any(|w| w == "arch" || w == "archlinux");
    (debian, arch)
}

/// Picks the strategy. WSL and unknown systems are refused with an explanation.
pub fn detect(facts: &HostFacts, has: &dyn Fn(&str) -> bool) -> Result<HostOs, UserError> {
    match facts.os.as_str() {
        "macos" => return Ok(HostOs::MacOs),
        "linux" => {}
        other => {
            return Err(
                UserError::failed(t!("lifecycle.prepare.unknown_os", os = other))
                    .hint(t!("lifecycle.prepare.by_hand_url")),
            )
        }
    }
    let kernel = facts.kernel.as_deref().unwrap_or("").to_ascii_lowercase();
    if kernel.contains("microsoft") || kernel.contains("wsl") {
        return Err(
            UserError::failed(t!("lifecycle.prepare.wsl")).hint(t!("lifecycle.prepare.wsl_hint"))
        );
    }
    let release = facts.os_release.as_deref().unwrap_or("");
    for key in ["ID", "ID_LIKE"] {
        if let Some(ids) = os_release_value(release, key) {
            match family(&ids) {
                (true, true) => {
                    return Err(UserError::failed(t!(
                        "lifecycle.prepare.both_families",
                        key = key,
                        ids = ids
                    ))
                    .hint(t!("lifecycle.prepare.by_hand")))
                }
                (true, false) => return Ok(HostOs::Debian),
                (false, true) => return Ok(HostOs::Arch),
                _ => {}
            }
        }
    }
    match (has("apt-get"), has("pacman")) {
        (true, false) => Ok(HostOs::Debian),
        (false, true) => Ok(HostOs::Arch),
        _ => Err(UserError::failed(t!("lifecycle.prepare.unknown_linux"))
            .hint(t!("lifecycle.prepare.unknown_linux_hint"))),
    }
}

/// One command of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub why: String,
    pub cmd: Cmd,
    /// Changes the system as root: through sudo, or directly when agsekit already runs as
    /// root (the user is asked first either way).
    pub sudo: bool,
}

/// What `prepare` will do on this host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Already there: nothing to do for these.
    pub present: Vec<String>,
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn needs_sudo(&self) -> bool {
        self.steps.iter().any(|s| s.sudo)
    }
}

/// Packages Multipass needs on Debian/Ubuntu besides the snap.
pub const DEBIAN_MULTIPASS_DEPS: [&str; 5] = [
    "snapd",
    "qemu-kvm",
    "libvirt-daemon-system",
    "libvirt-clients",
    "bridge-utils",
];

/// Whether a Debian package is installed (`dpkg-query -W -f=${Status}`).
pub fn dpkg_installed(runner: &dyn Runner, package: &str) -> bool {
    runner
        .capture(&Cmd::new("dpkg-query").args(["-W", "-f=${Status}", package]))
        .map(|o| o.success() && o.stdout_text().contains("ok installed"))
        .unwrap_or(false)
}

/// The commands that install what the host lacks. `as_root`: agsekit runs as root, so the
/// commands run directly (a root shell often has no sudo at all).
pub fn plan(
    os: HostOs,
    has: &dyn Fn(&str) -> bool,
    dpkg: &dyn Fn(&str) -> bool,
    as_root: bool,
) -> Result<Plan, UserError> {
    let mut plan = Plan::default();
    let need_mp = !has("multipass");
    let need_keygen = !has("ssh-keygen");
    let need_rsync = !has("rsync");
    for (name, need) in [
        ("multipass", need_mp),
        ("ssh-keygen", need_keygen),
        ("rsync", need_rsync),
    ] {
        if !need {
            plan.present.push(name.to_string());
        }
    }
    let sudo = |why: String, args: &[&str]| Step {
        why,
        cmd: match args.split_first() {
            Some((program, rest)) if as_root => Cmd::new(program).args(rest),
            _ => Cmd::new("sudo").args(args),
        },
        sudo: true,
    };
    match os {
        HostOs::Debian => {
            let mut packages: Vec<&str> = Vec::new();
            if need_mp {
                packages.extend(DEBIAN_MULTIPASS_DEPS.iter().filter(|p| !dpkg(p)));
            }
            if need_keygen {
                packages.push("openssh-client");
            }
            if need_rsync {
                packages.push("rsync");
            }
            if !packages.is_empty() {
                plan.steps.push(sudo(
                    t!("lifecycle.prepare.why_apt_update"),
                    &["apt-get", "update"],
                ));
                let mut args = vec![
                    "env",
                    "DEBIAN_FRONTEND=noninteractive",
                    "apt-get",
                    "install",
                    "-y",
                ];
                args.extend(&packages);
                plan.steps.push(sudo(
                    t!(
                        "lifecycle.prepare.why_install",
                        packages = packages.join(", ")
                    ),
                    &args,
                ));
            }
            if need_mp {
                plan.steps.push(sudo(
                    t!("lifecycle.prepare.why_snap"),
                    &["snap", "install", "multipass"],
                ));
            }
        }
        HostOs::Arch => {
            if need_mp {
                let helper = ["yay", "paru"]
                    .into_iter()
                    .find(|h| has(h))
                    .ok_or_else(|| {
                        UserError::failed(t!("lifecycle.prepare.no_aur_helper"))
                            .hint(t!("lifecycle.prepare.no_aur_helper_hint"))
                    })?;
                plan.steps.push(Step {
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
            let mut packages = Vec::new();
            if need_keygen {
                packages.push("openssh");
            }
            if need_rsync {
                packages.push("rsync");
            }
            if !packages.is_empty() {
                let mut args = vec!["pacman", "-S", "--needed", "--noconfirm"];
                args.extend(&packages);
                plan.steps.push(sudo(
                    t!(
                        "lifecycle.prepare.why_install",
                        packages = packages.join(", ")
                    ),
                    &args,
                ));
            }
        }
        HostOs::MacOs => {
            if need_keygen {
                return Err(UserError::failed(t!("lifecycle.prepare.mac_no_keygen"))
                    .hint(t!("lifecycle.prepare.mac_no_keygen_hint")));
            }
            if (need_mp || need_rsync) && !has("brew") {
                return Err(UserError::failed(t!("lifecycle.prepare.no_brew"))
                    .hint(t!("lifecycle.prepare.no_brew_hint")));
            }
            if need_mp {
                plan.steps.push(Step {
                    why: t!("lifecycle.prepare.why_brew_multipass"),
                    cmd: Cmd::new("brew").args(["install", "--cask", "multipass"]),
                    // The cask's installer asks for the password.
                    sudo: true,
                });
            }
            if need_rsync {
                plan.steps.push(Step {
                    why: t!("lifecycle.prepare.why_brew_rsync"),
                    cmd: Cmd::new("brew").args(["install", "rsync"]),
                    sudo: false,
                });
            }
        }
    }
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

/// The program `name` on PATH, if any (no process is started).
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{FakeRunner, Output};

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
        let p = plan(HostOs::Debian, &has, &dpkg, false).unwrap();
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
        let all = plan(HostOs::Debian, &|_| true, &dpkg, false).unwrap();
        assert!(all.steps.is_empty());
        assert!(!all.needs_sudo());
    }

    #[test]
    fn as_root_the_commands_run_without_sudo() {
        let has = |p: &str| p == "ssh-keygen";
        let p = plan(HostOs::Debian, &has, &|_| false, true).unwrap();
        let commands = argvs(&p);
        assert_eq!(commands[0], "apt-get update");
        assert!(
            commands[1].starts_with("env 'DEBIAN_FRONTEND=noninteractive' apt-get install -y"),
            "{commands:?}"
        );
        assert_eq!(commands[2], "snap install multipass");
        // Still changes the system: asked first (or -y).
        assert!(p.needs_sudo());
        let arch = plan(HostOs::Arch, &|p| p == "yay", &|_| false, true).unwrap();
        assert_eq!(
            argvs(&arch)[1],
            "pacman -S --needed --noconfirm openssh rsync"
        );
    }

    #[test]
    fn arch_and_macos_plans() {
        let has = |p: &str| p == "paru" || p == "ssh-keygen";
        let p = plan(HostOs::Arch, &has, &|_| false, false).unwrap();
        assert_eq!(
            argvs(&p),
            [
                "paru -S --needed --noconfirm multipass libvirt dnsmasq qemu-base",
                "sudo pacman -S --needed --noconfirm rsync"
            ]
        );
        assert!(plan(HostOs::Arch, &|p| p == "ssh-keygen", &|_| false, false).is_err());
        let p = plan(
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
        assert!(plan(HostOs::MacOs, &|p| p == "ssh-keygen", &|_| false, false).is_err());
    }

    #[test]
    fn execute_runs_each_step_and_stops_at_a_failure() {
        let p = plan(HostOs::Debian, &|p| p == "ssh-keygen", &|_| true, false).unwrap();
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
