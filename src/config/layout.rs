//! Where mounts and backup folders may be. The agent writes anything in its mounts, so no
//! mount source may expose the user's home, credentials, agsekit's own files or a system
//! folder; no backup folder may be reachable from any VM (inside, equal to or holding any
//! mount's source); and no mount target may cover a system folder of the VM or the VM user's
//! home. Host paths are compared after resolving symlinks, also for paths that do not exist
//! yet (the existing part is resolved and the rest appended), so two spellings of one folder
//! are one folder.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use super::model::{Config, GlobalConfig};
use super::rules::lexical_clean;
use crate::guest::GUEST_HOME;
use crate::t;

/// Host folders whose content the host runs or trusts: a source that is one of them, lies
/// inside one, or holds one (only `/` and `/private`) is refused.
const HOST_SYSTEM: &[&str] = &[
    "/etc",
    "/usr",
    "/var",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/boot",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/snap",
    "/System",
    "/Library",
    "/private/etc",
    "/private/var",
];

/// Host folders refused as a source themselves (they hold other users' or other programs'
/// folders), while a project folder below them is fine.
const HOST_EXACT: &[&str] = &[
    "/", "/home", "/Users", "/root", "/tmp", "/var/tmp", "/mnt", "/media", "/srv", "/opt",
    "/private",
];

/// Folders below which a project is fine even though a system folder holds them.
const HOST_TEMP: &[&str] = &["/tmp", "/var/tmp", "/private/tmp"];

/// Folders and files under the home folder that hold credentials: a source may neither hold
/// nor lie inside one of them.
const PRIVATE_IN_HOME: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".aws",
    ".config/agsekit",
    ".kube",
    ".docker",
    ".config/gh",
    ".password-store",
    ".netrc",
    ".git-credentials",
];

/// Folders of the VM a mount target may not be, lie in or hold.
const GUEST_SYSTEM: &[&str] = &[
    "/etc", "/usr", "/var", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot",
    "/proc", "/sys", "/dev", "/run", "/root", "/snap",
];

/// The VM user's home, and the folders in it the launcher, the agents and the SSH access
/// (port forwarding, `agsekit ssh`) rely on: a target may not be one of them or lie inside
/// the hidden ones.
const GUEST_EXACT: &[&str] = &["/", "/home", "/tmp", GUEST_HOME];
/// Inside [`GUEST_HOME`].
const GUEST_HIDDEN: &[&str] = &[
    ".ssh",
    ".local",
    ".config",
    ".nvm",
    ".pyenv",
    ".cargo",
    ".rustup",
    ".profile",
    ".bashrc",
    ".bash_profile",
];

/// `path` with every symlink resolved, as far as it exists; the part that does not exist is
/// appended as written. `..` written in `path` is removed lexically first (as everywhere in
/// the config); `..` inside a link's target goes up from where the link points, as the
/// kernel does. A loop of links stops after 40 links.
pub fn resolve(path: &Path) -> PathBuf {
    let clean = lexical_clean(path);
    let mut queue: VecDeque<OsString> = VecDeque::new();
    for comp in clean.components() {
        if let Component::Normal(c) = comp {
            queue.push_back(c.to_os_string());
        }
    }
    let mut out = PathBuf::from("/");
    let mut links = 0;
    while let Some(name) = queue.pop_front() {
        if name == ".." {
            out.pop();
            continue;
        }
        if name == "." {
            continue;
        }
        let next = out.join(&name);
        let is_link = std::fs::symlink_metadata(&next)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false);
        if !is_link || links >= 40 {
            out = next;
            continue;
        }
        links += 1;
        match std::fs::read_link(&next) {
            Ok(target) => {
                if target.is_absolute() {
                    out = PathBuf::from("/");
                }
                let mut parts: Vec<OsString> = Vec::new();
                for comp in target.components() {
                    match comp {
                        Component::Normal(c) => parts.push(c.to_os_string()),
                        Component::ParentDir => parts.push(OsString::from("..")),
                        _ => {}
                    }
                }
                for part in parts.into_iter().rev() {
                    queue.push_front(part);
                }
            }
            Err(_) => out = next,
        }
    }
    out
}

/// `a` is `b` or holds it.
fn holds(a: &Path, b: &Path) -> bool {
    b.starts_with(a)
}

/// What a host folder must keep away from: the home folder and the private folders in it,
/// agsekit's key and env folders, the config file and the state file.
#[derive(Debug, Clone)]
pub struct Guarded {
    home: PathBuf,
    home_real: PathBuf,
    /// The system's temporary folder, resolved.
    temp_real: PathBuf,
    config_file: PathBuf,
    /// `(as written, resolved, folder)`: folders are refused both ways (holding and inside),
    /// files only when held.
    private: Vec<(PathBuf, PathBuf, bool)>,
}

impl Guarded {
    pub fn new(global: &GlobalConfig, config_file: &Path) -> Guarded {
        let home = lexical_clean(&super::home_dir());
        let mut private: Vec<(PathBuf, PathBuf, bool)> = Vec::new();
        let mut add = |p: PathBuf, folder: bool| {
            let p = lexical_clean(&p);
            let r = resolve(&p);
            if !private.iter().any(|(q, _, _)| *q == p) {
                private.push((p, r, folder));
            }
        };
        for name in PRIVATE_IN_HOME {
            let folder = !name.starts_with(".netrc") && !name.starts_with(".git-credentials");
            add(home.join(name), folder);
        }
        // A configured folder that is the home folder (or holds it) guards only itself:
        // everything below it would be refused otherwise.
        for folder in [&global.ssh_keys_folder, &global.systemd_env_folder] {
            let whole = !holds(&lexical_clean(folder), &home);
            add(folder.clone(), whole);
        }
        add(global.state_file.clone(), false);
        if config_file.is_absolute() {
            add(config_file.to_path_buf(), false);
        }
        Guarded {
            home_real: resolve(&home),
            temp_real: resolve(&std::env::temp_dir()),
            home,
            config_file: config_file.to_path_buf(),
            private,
        }
    }

    /// Before there is a config (`config-gen`): the home folder's private folders, agsekit's
    /// default folders and the default config file.
    pub fn defaults() -> Guarded {
        Guarded::new(
            &super::validate::default_global(),
            &super::default_config_path(),
        )
    }

    /// The config file the layout belongs to (for messages).
    pub fn config_file(&self) -> &Path {
        &self.config_file
    }
}

/// Why `source` may not be shared with a VM, or `None`. The message names the folder (and
/// what it resolves to) and says to share a project folder instead.
pub fn source_refusal(source: &Path, guard: &Guarded) -> Option<String> {
    let lexical = lexical_clean(source);
    let resolved = resolve(&lexical);
    let shown = if resolved == lexical {
        lexical.display().to_string()
    } else {
        t!(
            "layout.resolves_to",
            path = lexical.display(),
            resolved = resolved.display()
        )
    };
    let home_resolved = &guard.home_real;
    if holds(&lexical, &guard.home) || holds(&resolved, home_resolved) {
        return Some(t!(
            "layout.source_home",
            path = shown,
            home = guard.home.display()
        ));
    }
    if is_host_system(&lexical, &guard.home, &guard.temp_real)
        || is_host_system(&resolved, home_resolved, &guard.temp_real)
    {
        return Some(t!("layout.source_system", path = shown));
    }
    for (written, real, folder) in &guard.private {
        let hit = holds(&lexical, written)
            || holds(&resolved, real)
            || (*folder && (lexical.starts_with(written) || resolved.starts_with(real)));
        if hit {
            return Some(t!(
                "layout.source_private",
                path = shown,
                private = written.display()
            ));
        }
    }
    None
}

/// `path` is refused as a system folder. A folder inside the home folder (or a temporary
/// folder) is a user's folder even when the home lies below a system folder (`/var/lib/ci`).
fn is_host_system(path: &Path, home: &Path, temp: &Path) -> bool {
    if HOST_EXACT.iter().any(|e| path == Path::new(e)) {
        return true;
    }
    if home.components().count() >= 2 && path.starts_with(home) && path != home {
        return false;
    }
    let in_temp = HOST_TEMP
        .iter()
        .map(PathBuf::from)
        .chain(std::iter::once(temp.to_path_buf()))
        .filter(|t| t.components().count() >= 2)
        .any(|t| path.starts_with(&t) && path != t);
    if in_temp {
        return false;
    }
    HOST_SYSTEM
        .iter()
        .any(|s| holds(path, Path::new(s)) || path.starts_with(s))
}

/// The way out after [`source_refusal`]: a project folder instead.
pub fn source_fix() -> String {
    t!("layout.source_fix")
}

/// The hint for "this folder is outside every mount" when `path` cannot be shared (to cd
/// into a project folder and share that); `None` when `agsekit addmount PATH` is the way.
pub fn not_shareable_hint(path: &Path, config: &Config) -> Option<String> {
    let guard = Guarded::new(&config.global, &config.path);
    let path = super::normalize_path(path);
    let refused = path.file_name().is_none() || source_refusal(&path, &guard).is_some();
    refused.then(|| t!("layout.cwd_not_shareable", path = path.display()))
}

/// Why `target` (absolute and clean) may not be a mount target in the VM, or `None`.
pub fn target_refusal(target: &Path) -> Option<String> {
    let refused = GUEST_EXACT.iter().any(|e| target == Path::new(e))
        || GUEST_SYSTEM
            .iter()
            .any(|s| holds(target, Path::new(s)) || target.starts_with(s))
        || GUEST_HIDDEN
            .iter()
            .any(|h| target.starts_with(Path::new(GUEST_HOME).join(h)));
    refused.then(|| t!("layout.target_system", target = target.display()))
}

/// One mount's host folders for the layout checks, under its key path (`mounts[2]`), with
/// their symlinks resolved once.
pub struct MountPaths<'a> {
    pub key: &'a str,
    pub source: &'a Path,
    pub backup: &'a Path,
    pub vm: &'a str,
    real_source: PathBuf,
    real_backup: PathBuf,
}

impl<'a> MountPaths<'a> {
    pub fn new(key: &'a str, source: &'a Path, backup: &'a Path, vm: &'a str) -> Self {
        MountPaths {
            key,
            source,
            backup,
            vm,
            real_source: resolve(source),
            real_backup: resolve(backup),
        }
    }

    /// Both name one source folder (after resolving symlinks).
    pub fn same_source(&self, other: &MountPaths<'_>) -> bool {
        self.real_source == other.real_source
    }
}

/// A problem of the layout: the key path at fault and the message.
pub type LayoutProblem = (String, String);

/// Every backup folder that is, lies inside or holds a mount's source (of any VM), and every
/// two mounts of different folders that share one backup folder, compared after resolving
/// symlinks. The problem is put at `mounts[i].backup` and names `mounts[j].source`.
pub fn backup_problems(mounts: &[MountPaths<'_>], config_file: &Path) -> Vec<LayoutProblem> {
    let mut out = Vec::new();
    for (i, a) in mounts.iter().enumerate() {
        let backup = &a.real_backup;
        for (j, b) in mounts.iter().enumerate() {
            let source = &b.real_source;
            let key = format!("{}.backup", a.key);
            let other = format!("{}.source", b.key);
            // A backup inside its own source has its own message in the validator.
            if i == j && backup.starts_with(source) {
                continue;
            }
            let message_key = if backup == source {
                "layout.backup_is_source"
            } else if backup.starts_with(source) {
                "layout.backup_in_source"
            } else if source.starts_with(backup) {
                "layout.backup_holds_source"
            } else {
                continue;
            };
            let message = t!(
                message_key,
                backup = a.backup.display(),
                source = b.source.display(),
                other = other,
                vm = format!("{:?}", b.vm)
            );
            let fix = t!(
                "layout.backup_fix",
                key = key,
                other = b.key,
                config = config_file.display()
            );
            out.push((key, format!("{message}; {fix}")));
            // One problem per backup folder is enough to act on.
            break;
        }
    }
    out
}

/// `a.backup` and `b.backup` name one folder (after resolving symlinks) while the sources are
/// different folders.
pub fn same_backup(a: &MountPaths<'_>, b: &MountPaths<'_>) -> bool {
    a.real_backup == b.real_backup && a.real_source != b.real_source
}

/// `a.source` and `b.source` name one folder (after resolving symlinks).
pub fn same_source(a: &Path, b: &Path) -> bool {
    a == b || resolve(a) == resolve(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn resolving_follows_links_and_keeps_the_missing_rest() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = resolve(dir.path());
        std::fs::create_dir_all(root.join("real/sub")).expect("mkdir");
        symlink(root.join("real"), root.join("link")).expect("link");
        symlink("real/sub", root.join("rel")).expect("link");
        symlink(root.join("nowhere"), root.join("dangling")).expect("link");
        symlink("rel/..", root.join("up")).expect("link");
        let cases: &[(&str, &str)] = &[
            ("link", "real"),
            ("link/sub/new/deeper", "real/sub/new/deeper"),
            ("rel", "real/sub"),
            // `..` in a link's target goes up from where the link points.
            ("up", "real"),
            ("up/x", "real/x"),
            ("dangling/x", "nowhere/x"),
            ("real/./sub/", "real/sub"),
        ];
        for (input, want) in cases {
            assert_eq!(resolve(&root.join(input)), root.join(want), "{input}");
        }
        symlink(root.join("loop2"), root.join("loop1")).expect("link");
        symlink(root.join("loop1"), root.join("loop2")).expect("link");
        // A loop ends.
        let _ = resolve(&root.join("loop1/x"));
        symlink("/", root.join("to-root")).expect("link");
        assert_eq!(resolve(&root.join("to-root")), PathBuf::from("/"));
    }

    #[test]
    fn targets_in_the_vm() {
        for bad in [
            "/",
            "/etc",
            "/etc/x",
            "/proc",
            "/usr/local/bin",
            "/home",
            "/home/ubuntu",
            "/home/ubuntu/.ssh",
            "/home/ubuntu/.local/bin",
            "/root",
            "/tmp",
        ] {
            assert!(target_refusal(Path::new(bad)).is_some(), "{bad}");
        }
        for good in [
            "/home/ubuntu/app",
            "/home/ubuntu/.codex-shared",
            "/srv/app",
            "/home/other",
            "/tmp/x",
            "/etcetera",
        ] {
            assert!(target_refusal(Path::new(good)).is_none(), "{good}");
        }
    }

    #[test]
    fn host_system_folders_but_not_temporary_ones() {
        for bad in [
            "/",
            "/etc",
            "/etc/ssh",
            "/usr/src/app",
            "/var/lib/x",
            "/tmp",
            "/home",
        ] {
            assert!(
                is_host_system(Path::new(bad), Path::new("/home/me"), Path::new("/tmp")),
                "{bad}"
            );
        }
        for good in ["/tmp/x", "/var/tmp/x", "/srv/app", "/opt/app", "/home/me/p"] {
            assert!(
                !is_host_system(Path::new(good), Path::new("/home/me"), Path::new("/tmp")),
                "{good}"
            );
        }
        // A home below a system folder holds user folders.
        assert!(!is_host_system(
            Path::new("/var/lib/ci/p"),
            Path::new("/var/lib/ci"),
            Path::new("/tmp")
        ));
        assert!(is_host_system(
            Path::new("/var/lib/other"),
            Path::new("/var/lib/ci"),
            Path::new("/tmp")
        ));
    }
}
