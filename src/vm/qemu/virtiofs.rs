//! `virtiofsd`, one per shared folder: found among the places distributions install it,
//! started in its own session (so a Ctrl-C in the terminal does not reach it) with its pid
//! written beside its socket in the VM's folder. It exits by itself when QEMU goes away.
//!
//! Two programs answer to the name: QEMU's own C daemon up to QEMU 7.2 (Debian 12 ships it as
//! `/usr/lib/qemu/virtiofsd`; options `--socket-path=`, `-o source=`) and the Rust daemon that
//! replaced it (`--socket-path`, `--shared-dir`). `--help` tells them apart.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Where distributions put virtiofsd, checked in this order before PATH.
pub const KNOWN: &[&str] = &[
    "/usr/libexec/virtiofsd",
    "/usr/lib/qemu/virtiofsd",
    "/usr/lib/virtiofsd",
    "/usr/libexec/qemu/virtiofsd",
];

/// The virtiofsd to use: `AGSEKIT_VIRTIOFSD`, a known place, or PATH.
pub fn find() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AGSEKIT_VIRTIOFSD").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("virtiofsd"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    KNOWN
        .iter()
        .map(PathBuf::from)
        .chain(on_path)
        .find(|p| p.is_file())
}

/// Which virtiofsd it is, from its `--help` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// QEMU's C daemon (QEMU 7.2 and older).
    Legacy,
    /// The Rust daemon.
    Rust,
}

pub fn flavor_of(help: &str) -> Flavor {
    if help.contains("--shared-dir") {
        Flavor::Rust
    } else {
        Flavor::Legacy
    }
}

/// The daemon's arguments for sharing `source` on `socket`. `root` says whether agsekit runs
/// as root (otherwise the Rust daemon runs without its namespace sandbox, which needs
/// privileges, and every file it creates belongs to the host user).
///
/// A daemon running as root keeps root's capabilities for the guest's requests, and the agent
/// is root in its VM (passwordless sudo): without `mknod` dropped it could make a device node
/// of the host's disk inside the project folder, readable on the host by whoever opens it.
pub fn args(flavor: Flavor, socket: &Path, source: &Path, root: bool) -> Vec<OsString> {
    match flavor {
        Flavor::Legacy => {
            let mut sock = OsString::from("--socket-path=");
            sock.push(socket);
            let mut src = OsString::from("source=");
            src.push(fuse_escaped(source));
            vec![
                sock,
                "-o".into(),
                src,
                "-o".into(),
                "cache=auto".into(),
                "-o".into(),
                "modcaps=-mknod".into(),
                "-f".into(),
            ]
        }
        Flavor::Rust => {
            let mut out: Vec<OsString> = vec![
                "--socket-path".into(),
                socket.into(),
                "--shared-dir".into(),
                source.into(),
                "--cache".into(),
                "auto".into(),
            ];
            if root {
                out.push("--modcaps=-mknod".into());
            } else {
                out.extend(["--sandbox".into(), "none".into()]);
            }
            out
        }
    }
}

/// A path inside a FUSE `-o` option: `,` and `\\` escaped with a backslash.
fn fuse_escaped(path: &Path) -> OsString {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let mut out = Vec::new();
    for &b in path.as_os_str().as_bytes() {
        if b == b',' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    OsString::from_vec(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_daemons_get_their_own_spelling() {
        let legacy = args(
            Flavor::Legacy,
            Path::new("/s/agsekit0.sock"),
            Path::new("/p/a,b c"),
            true,
        );
        assert_eq!(
            legacy,
            [
                "--socket-path=/s/agsekit0.sock",
                "-o",
                "source=/p/a\\,b c",
                "-o",
                "cache=auto",
                "-o",
                "modcaps=-mknod",
                "-f"
            ]
            .map(OsString::from)
        );
        let rust = args(
            Flavor::Rust,
            Path::new("/s/agsekit0.sock"),
            Path::new("/p/a,b c"),
            false,
        );
        assert_eq!(
            rust,
            [
                "--socket-path",
                "/s/agsekit0.sock",
                "--shared-dir",
                "/p/a,b c",
                "--cache",
                "auto",
                "--sandbox",
                "none"
            ]
            .map(OsString::from)
        );
        assert_eq!(
            flavor_of("usage: virtiofsd [OPTIONS]\n --shared-dir <DIR>"),
            Flavor::Rust
        );
        assert_eq!(
            flavor_of("usage: virtiofsd [options]\n -o source=PATH"),
            Flavor::Legacy
        );
    }
}
