//! What a backend needs on the host, as data: the checks `doctor` shows ([`HostCheck`], with an
//! optional [`HostRepair`]) and what `prepare` installs ([`Needs`], composed into a [`Plan`]).
//!
//! Each backend module provides both per backend KIND, as plain functions (`host::checks`,
//! `host::needs`), not trait methods: `prepare` runs before any backend can be opened. The
//! composition root (`crate::backend`) asks the kinds a config uses. Nothing here prints.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::UserError;
use crate::process::{Cmd, Runner};
use crate::t;

use super::{VmBackend, VmInfo};

// ---------------------------------------------------------------------------------------------
// doctor

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Warn,
    Fail,
    Skip,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "skip",
        }
    }
}

/// One thing a backend checked on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCheck {
    /// What was checked (`multipass`, `qemu-img`, `/dev/kvm`...).
    pub subject: String,
    pub verdict: Verdict,
    pub detail: String,
    /// The command or step that fixes it.
    pub fix: Option<String>,
    pub repair: Option<HostRepair>,
}

impl HostCheck {
    pub fn new(subject: impl Into<String>, verdict: Verdict, detail: impl Into<String>) -> Self {
        HostCheck {
            subject: subject.into(),
            verdict,
            detail: detail.into(),
            fix: None,
            repair: None,
        }
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub fn repair(mut self, r: HostRepair) -> Self {
        self.repair = Some(r);
        self
    }
}

/// A repair of the host that `doctor` can perform for a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRepair {
    /// What it does, as the user reads it before saying yes.
    pub description: String,
    /// Safe repairs are applied by `doctor -y` without asking; the others are always asked.
    pub safe: bool,
    pub action: HostAction,
    /// The line shown when it worked.
    pub done: String,
}

/// What a [`HostRepair`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostAction {
    /// Runs a command attached to the terminal (it may ask for a password).
    Run(Cmd),
    /// Removes leftover files, each directly inside `root` (a backend's own folder): a file
    /// that is a symlink, a folder, or not directly inside `root` is left alone.
    RemoveStale { root: PathBuf, files: Vec<PathBuf> },
}

/// What one backend kind found on the host for `doctor`.
#[derive(Debug, Clone)]
pub struct HostReport {
    /// The backend's name as the config spells it.
    pub backend: &'static str,
    pub checks: Vec<HostCheck>,
    /// The VMs the backend reported, or `None` when it could not be asked (the VM and mount
    /// checks are then skipped).
    pub vms: Option<Vec<VmInfo>>,
}

/// What a backend's doctor checks are given.
pub struct CheckEnv<'a> {
    /// The backend of this kind, opened for real.
    pub backend: &'a dyn VmBackend,
    /// Runs version probes (`qemu-system-x86_64 --version`).
    pub runner: &'a dyn Runner,
    /// agsekit's shims folder, skipped when looking for a backend's program.
    pub shims_dir: &'a Path,
}

/// Performs one host repair; returns the line saying what was done, or why it failed.
pub fn apply(repair: &HostRepair, runner: &dyn Runner) -> anyhow::Result<String> {
    match &repair.action {
        HostAction::Run(cmd) => {
            let code = runner.inherit(cmd)?;
            if code != 0 {
                anyhow::bail!(t!("misc.cmd_failed", command = cmd, code = code));
            }
        }
        HostAction::RemoveStale { root, files } => remove_stale(root, files)?,
    }
    Ok(repair.done.clone())
}

/// Removes each of `files` that is a regular file or a socket directly inside `root` (never
/// through a symlink: neither `root` nor the file may be one). Files already gone are fine.
pub fn remove_stale(root: &Path, files: &[PathBuf]) -> anyhow::Result<()> {
    let root_meta = std::fs::symlink_metadata(root).map_err(|e| {
        anyhow::anyhow!(t!("misc.io.cannot_open", path = root.display(), error = e))
    })?;
    if !root_meta.is_dir() {
        anyhow::bail!(t!("host.repair_not_folder", path = root.display()));
    }
    for file in files {
        if file.parent() != Some(root) {
            anyhow::bail!(t!(
                "host.repair_outside",
                path = file.display(),
                root = root.display()
            ));
        }
        let meta = match std::fs::symlink_metadata(file) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => anyhow::bail!(t!("misc.io.cannot_open", path = file.display(), error = e)),
        };
        let kind = meta.file_type();
        if !(kind.is_file() || kind.is_socket()) {
            anyhow::bail!(t!("host.repair_not_plain", path = file.display()));
        }
        match std::fs::remove_file(file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => anyhow::bail!(t!(
                "host.repair_remove_failed",
                path = file.display(),
                error = e
            )),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// prepare

/// The install strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostOs {
    /// Debian, Ubuntu and derivatives: apt (Multipass from the snap store).
    Debian,
    /// Arch and derivatives: pacman (Multipass from the AUR).
    Arch,
    /// Fedora, RHEL and derivatives: dnf.
    Fedora,
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
pub fn os_release_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
    })
}

/// The families the words of an `ID`/`ID_LIKE` value name.
fn families(ids: &str) -> Vec<HostOs> {
    let words: Vec<String> = ids
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let any = |names: &[&str]| words.iter().any(|w| names.contains(&w.as_str()));
    let mut out = Vec::new();
    if any(&["debian", "ubuntu"]) {
        out.push(HostOs::Debian);
    }
    if any(&["arch", "archlinux"]) {
        out.push(HostOs::Arch);
    }
    if any(&["fedora", "rhel", "centos"]) {
        out.push(HostOs::Fedora);
    }
    out
}

/// Whether the kernel is WSL's (`microsoft` or `WSL` in its release or version).
pub fn is_wsl(facts: &HostFacts) -> bool {
    let kernel = facts.kernel.as_deref().unwrap_or("").to_ascii_lowercase();
    kernel.contains("microsoft") || kernel.contains("wsl")
}

/// The refusal of a backend that cannot run its VMs inside WSL.
pub fn wsl_refusal() -> UserError {
    UserError::failed(t!("lifecycle.prepare.wsl")).hint(t!("lifecycle.prepare.wsl_hint"))
}

/// Picks the strategy. WSL and unknown systems are refused with an explanation.
pub fn detect(facts: &HostFacts, has: &dyn Fn(&str) -> bool) -> Result<HostOs, UserError> {
    if facts.os == "linux" && is_wsl(facts) {
        return Err(wsl_refusal());
    }
    detect_system(facts, has)
}

/// Picks the strategy from the system alone; WSL is told by [`is_wsl`] (and refused by the
/// backends that cannot run there), unknown systems are refused with an explanation.
pub fn detect_system(facts: &HostFacts, has: &dyn Fn(&str) -> bool) -> Result<HostOs, UserError> {
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
    let release = facts.os_release.as_deref().unwrap_or("");
    for key in ["ID", "ID_LIKE"] {
        if let Some(ids) = os_release_value(release, key) {
            match families(&ids).as_slice() {
                [] => {}
                [one] => return Ok(*one),
                _ => {
                    return Err(UserError::failed(t!(
                        "lifecycle.prepare.both_families",
                        key = key,
                        ids = ids
                    ))
                    .hint(t!("lifecycle.prepare.by_hand")))
                }
            }
        }
    }
    match (has("apt-get"), has("pacman"), has("dnf")) {
        (true, false, false) => Ok(HostOs::Debian),
        (false, true, false) => Ok(HostOs::Arch),
        (false, false, true) => Ok(HostOs::Fedora),
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

/// A step run as root: through sudo, or directly when agsekit already runs as root (a root
/// shell often has no sudo at all).
pub fn root_step(why: String, args: &[&str], as_root: bool) -> Step {
    Step {
        why,
        cmd: match args.split_first() {
            Some((program, rest)) if as_root => Cmd::new(program).args(rest),
            _ => Cmd::new("sudo").args(args),
        },
        sudo: true,
    }
}

/// What `prepare` will do on this host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Already there: nothing to do for these.
    pub present: Vec<String>,
    pub steps: Vec<Step>,
    /// Said with the plan: what cannot be installed here, or needs a setting.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn needs_sudo(&self) -> bool {
        self.steps.iter().any(|s| s.sudo)
    }
}

/// What the host lacks for one backend kind, as `prepare` composes it with the other kinds
/// and its own tools: packages of the system's package manager go into one install command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Programs already there (`multipass: installed`).
    pub present: Vec<String>,
    /// Packages of the system's package manager (apt, pacman, dnf, or Homebrew formulae).
    pub packages: Vec<String>,
    /// Steps before the package manager's (an AUR helper, a Homebrew cask).
    pub before: Vec<Step>,
    /// Steps after it (the snap of Multipass).
    pub after: Vec<Step>,
    /// Said to the user with the plan (what cannot be installed here).
    pub notes: Vec<String>,
}

/// What a backend's install plan may look at (made up in tests).
pub struct Probe<'a> {
    /// Whether a program is on PATH.
    pub has: &'a dyn Fn(&str) -> bool,
    /// Whether a Debian package is installed.
    pub dpkg: &'a dyn Fn(&str) -> bool,
    /// Whether a file exists (programs kept outside PATH, such as virtiofsd).
    pub exists: &'a dyn Fn(&Path) -> bool,
    /// agsekit runs as root: commands run without sudo.
    pub as_root: bool,
    /// The host is WSL ([`is_wsl`]).
    pub wsl: bool,
    /// `std::env::consts::ARCH`.
    pub arch: &'a str,
    /// The os-release text, for versions (`VERSION_ID`).
    pub os_release: Option<&'a str>,
}

/// Whether a Debian package is installed (`dpkg-query -W -f=${Status}`).
pub fn dpkg_installed(runner: &dyn Runner, package: &str) -> bool {
    runner
        .capture(&Cmd::new("dpkg-query").args(["-W", "-f=${Status}", package]))
        .map(|o| o.success() && o.stdout_text().contains("ok installed"))
        .unwrap_or(false)
}

/// The program `name` on PATH, if any (no process is started).
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_files_are_removed_only_inside_the_root_and_never_through_symlinks() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("vm");
        std::fs::create_dir(&root).expect("root");
        let pid = root.join("qemu.pid");
        std::fs::write(&pid, "999999").expect("pid");
        let outside = dir.path().join("precious");
        std::fs::write(&outside, "keep").expect("outside");
        let link = root.join("qmp.sock");
        std::os::unix::fs::symlink(&outside, &link).expect("link");

        remove_stale(&root, std::slice::from_ref(&pid)).expect("remove");
        assert!(!pid.exists());
        // A symlink inside the root is refused, its target untouched.
        assert!(remove_stale(&root, std::slice::from_ref(&link)).is_err());
        assert!(outside.exists());
        assert!(link.symlink_metadata().is_ok());
        // A file outside the root is refused.
        assert!(remove_stale(&root, std::slice::from_ref(&outside)).is_err());
        assert!(outside.exists());
        // A root that is a symlink is refused.
        let root_link = dir.path().join("vm-link");
        std::os::unix::fs::symlink(&root, &root_link).expect("root link");
        let through = root_link.join("x.pid");
        std::fs::write(root.join("x.pid"), "1").expect("x");
        assert!(remove_stale(&root_link, &[through]).is_err());
        assert!(root.join("x.pid").exists());
        // Gone already: fine.
        remove_stale(&root, &[root.join("gone.pid")]).expect("gone");
    }

    #[test]
    fn a_run_repair_reports_a_failing_command() {
        let fake = crate::process::FakeRunner::new(|_| {
            Ok(crate::process::Output {
                code: 3,
                ..Default::default()
            })
        });
        let r = HostRepair {
            description: "d".into(),
            safe: false,
            action: HostAction::Run(Cmd::new("sudo").args(["true"])),
            done: "done".into(),
        };
        let err = apply(&r, &fake).unwrap_err();
        assert!(err.to_string().contains("3"), "{err}");
        let ok = crate::process::FakeRunner::new(|_| Ok(crate::process::Output::default()));
        assert_eq!(apply(&r, &ok).unwrap(), "done");
        assert_eq!(ok.argvs()[0], ["sudo", "true"]);
    }
}
