//! Running a command "in the VM": a bubblewrap sandbox where the host's root is visible
//! read-only, `/home` holds only `/home/ubuntu` (the instance's home, writable), `/tmp` and
//! `/usr/local/bin` are the instance's own writable folders, and each mount of the instance
//! is bound read-write at its target. The environment is cleared, as `multipass exec`
//! forwards none: HOME, USER, LOGNAME, PATH and LANG are set, and TERM when stdin and stdout
//! are terminals.
//!
//! bubblewrap cannot create a mount point inside a read-only bind, so the host root is
//! mirrored: every top-level entry is bound read-only as is, except the directories on the way
//! to a mount point, which are recreated on the sandbox's tmpfs root and filled with
//! read-only binds of their own entries.

use std::collections::BTreeSet;
use std::fs;
use std::io::IsTerminal;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::state::{Instance, Store};

pub const VM_HOME: &str = "/home/ubuntu";
pub const VM_BIN: &str = "/usr/local/bin";
const VM_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Paths the sandbox sets up itself: never mirrored from the host.
const OWN: [&str; 5] = ["/proc", "/dev", "/tmp", "/home", "/sys"];

/// A target as the VM sees it: relative targets are relative to the home.
pub fn vm_absolute(target: &str) -> PathBuf {
    let p = Path::new(target);
    if p.is_absolute() {
        normalize(p)
    } else {
        normalize(&Path::new(VM_HOME).join(p))
    }
}

/// Removes `.` and resolves `..` lexically.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}

/// Where a path of the VM lives on the host, for writing: in a mount, the home, the bin dir
/// or /tmp. `None` for the read-only rest.
pub fn host_path_for(
    store: &Store,
    name: &str,
    inst: &Instance,
    vm_path: &Path,
) -> Option<PathBuf> {
    let mut roots: Vec<(PathBuf, PathBuf)> = inst
        .mounts
        .iter()
        .map(|(t, m)| (vm_absolute(t), PathBuf::from(&m.source)))
        .collect();
    roots.push((PathBuf::from(VM_HOME), store.home_dir(name)));
    roots.push((PathBuf::from(VM_BIN), store.bin_dir(name)));
    roots.push((PathBuf::from("/tmp"), store.tmp_dir(name)));
    roots
        .iter()
        .filter(|(vm_root, _)| vm_path.starts_with(vm_root))
        .max_by_key(|(vm_root, _)| vm_root.components().count())
        .map(|(vm_root, host_root)| {
            let rest = vm_path.strip_prefix(vm_root).unwrap_or(Path::new(""));
            host_root.join(rest)
        })
}

fn mirror(dir: &Path, needed: &BTreeSet<PathBuf>, args: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if OWN.iter().any(|o| Path::new(o) == p) || needed.contains(&p) {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(&p) else {
            continue;
        };
        let s = p.to_string_lossy().into_owned();
        if meta.file_type().is_symlink() {
            if let Ok(target) = fs::read_link(&p) {
                args.extend(["--symlink".into(), target.to_string_lossy().into_owned(), s]);
            }
        } else if meta.is_dir() && needed.iter().any(|n| n.starts_with(&p)) {
            args.extend(["--dir".into(), s]);
            mirror(&p, needed, args);
        } else {
            args.extend(["--ro-bind".into(), s.clone(), s]);
        }
    }
}

/// The bubblewrap arguments (everything before the command) for this instance.
pub fn bwrap_args(store: &Store, name: &str, inst: &Instance) -> Vec<String> {
    let mut binds: Vec<(PathBuf, PathBuf)> = vec![
        (store.home_dir(name), PathBuf::from(VM_HOME)),
        (store.bin_dir(name), PathBuf::from(VM_BIN)),
    ];
    let mut mounts: Vec<(PathBuf, PathBuf)> = inst
        .mounts
        .iter()
        .map(|(t, m)| (PathBuf::from(&m.source), vm_absolute(t)))
        .collect();
    mounts.sort_by_key(|(_, t)| t.components().count());
    binds.extend(mounts);
    let needed: BTreeSet<PathBuf> = binds.iter().map(|(_, t)| t.clone()).collect();

    // By default a command dies with the fake client and has a PID namespace of its own.
    // FAKE_MULTIPASS_DETACHED=1 models a real VM more closely: one PID namespace for every
    // command (the host's, here), and a command without a terminal in a session of its own
    // that outlives a killed client (nothing hangs it up).
    let detached = std::env::var("FAKE_MULTIPASS_DETACHED").is_ok_and(|v| v == "1");
    let mut args: Vec<String> = if detached {
        if std::io::stdin().is_terminal() {
            Vec::new()
        } else {
            vec!["--new-session".into()]
        }
    } else {
        vec!["--die-with-parent".into(), "--unshare-pid".into()]
    };
    mirror(Path::new("/"), &needed, &mut args);
    args.extend(
        [
            "--ro-bind",
            "/sys",
            "/sys",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/home",
        ]
        .map(String::from),
    );
    let tmp = store.tmp_dir(name);
    args.extend([
        "--bind".into(),
        tmp.to_string_lossy().into_owned(),
        "/tmp".into(),
    ]);
    for (source, target) in binds {
        args.extend([
            "--bind".into(),
            source.to_string_lossy().into_owned(),
            target.to_string_lossy().into_owned(),
        ]);
    }
    args.extend(
        [
            "--chdir",
            "/",
            "--clearenv",
            "--setenv",
            "HOME",
            VM_HOME,
            "--setenv",
            "USER",
            "ubuntu",
            "--setenv",
            "LOGNAME",
            "ubuntu",
            "--setenv",
            "PATH",
            VM_PATH,
            "--setenv",
            "LANG",
            "C.UTF-8",
        ]
        .map(String::from),
    );
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        let term = std::env::var("TERM").unwrap_or_else(|_| "xterm".into());
        args.extend(["--setenv".into(), "TERM".into(), term]);
    }
    args
}

/// The script run by `bash -c` in the sandbox: `cd` into `$1` (bash's own words if it is
/// missing, as the VM's shell would print them), then run the rest.
const RUN_SCRIPT: &str = r#"if ! cd -- "$1" 2>/dev/null; then printf 'bash: line 1: cd: %s: No such file or directory\n' "$1" >&2; exit 1; fi
shift
if ! command -v -- "$1" >/dev/null 2>&1; then printf 'bash: line 1: %s: command not found\n' "$1" >&2; exit 127; fi
exec "$@""#;

/// Builds the command that runs `argv` in the instance, in `workdir`.
pub fn command(
    store: &Store,
    name: &str,
    inst: &Instance,
    workdir: &str,
    argv: &[String],
) -> Command {
    let mut cmd =
        Command::new(std::env::var("FAKE_MULTIPASS_BWRAP").unwrap_or_else(|_| "bwrap".into()));
    cmd.args(bwrap_args(store, name, inst));
    cmd.args(["--", "/bin/bash", "-c", RUN_SCRIPT, "bash", workdir]);
    cmd.args(argv);
    cmd
}
