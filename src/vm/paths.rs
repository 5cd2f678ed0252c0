//! Which host folders a Multipass installed as a snap can mount.
//!
//! The snap is confined: it sees only non-hidden paths under `/home` (the `home` interface),
//! and paths with spaces or non-ASCII characters are known to break its mount helper. Such a
//! mount fails late and obscurely (`Source path "P" does not exist`), so agsekit checks the
//! path first and says why and how to fix it. Pure: no file system access.

use std::path::{Component, Path};

/// Why a snap-installed Multipass cannot mount a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountPathProblem {
    /// Not an absolute path.
    NotAbsolute,
    /// Outside `/home` (the snap sees nothing else).
    OutsideHome,
    /// A folder on the way starts with `.` (the snap's `home` interface hides those).
    Hidden(String),
    /// Contains a space.
    Space,
    /// Contains characters outside ASCII (or bytes that are not UTF-8).
    NonAscii,
}

impl MountPathProblem {
    /// Why, in words.
    pub fn reason(&self) -> String {
        match self {
            MountPathProblem::NotAbsolute => "it is not an absolute path".to_string(),
            MountPathProblem::OutsideHome => {
                "it is outside /home, and Multipass installed as a snap can only see folders under /home"
                    .to_string()
            }
            MountPathProblem::Hidden(name) => format!(
                "the folder `{name}` on its way is hidden (starts with a dot), and Multipass installed as a snap cannot see hidden folders"
            ),
            MountPathProblem::Space => {
                "it contains a space, which Multipass's snap mount helper does not handle".to_string()
            }
            MountPathProblem::NonAscii => {
                "it contains non-ASCII characters, which Multipass's snap mount helper does not handle"
                    .to_string()
            }
        }
    }

    /// How to get out.
    pub fn fix(&self) -> &'static str {
        match self {
            MountPathProblem::NotAbsolute => "give the full path, starting with /",
            MountPathProblem::OutsideHome | MountPathProblem::Hidden(_) => {
                "move the project to a visible folder under your home (for example ~/projects/NAME) and update `mounts[].source`"
            }
            MountPathProblem::Space | MountPathProblem::NonAscii => {
                "rename the folder (or a symlink-free copy of it) to ASCII letters, digits, `-`, `_` and `.` and update `mounts[].source`"
            }
        }
    }
}

/// The first reason a snap-installed Multipass cannot mount `path`, or `None` when it can.
/// `path` should already be absolute and normalized (no `..`).
pub fn snap_mount_problem(path: &Path) -> Option<MountPathProblem> {
    if !path.is_absolute() {
        return Some(MountPathProblem::NotAbsolute);
    }
    let Some(text) = path.to_str() else {
        return Some(MountPathProblem::NonAscii);
    };
    let rest = match path.strip_prefix("/home") {
        Ok(rest) if rest.components().next().is_some() => rest,
        _ => return Some(MountPathProblem::OutsideHome),
    };
    for component in rest.components() {
        if let Component::Normal(name) = component {
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                return Some(MountPathProblem::Hidden(name.into_owned()));
            }
        }
    }
    if !text.is_ascii() {
        return Some(MountPathProblem::NonAscii);
    }
    if text.contains(' ') {
        return Some(MountPathProblem::Space);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    fn problem(p: &str) -> Option<MountPathProblem> {
        snap_mount_problem(Path::new(p))
    }

    #[test]
    fn visible_folders_under_home_are_fine() {
        for ok in ["/home/me/proj", "/home/me/a-b_c.d/x", "/home/me/proj.git"] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn each_problem_is_named() {
        assert_eq!(problem("proj"), Some(MountPathProblem::NotAbsolute));
        assert_eq!(problem("/srv/proj"), Some(MountPathProblem::OutsideHome));
        assert_eq!(problem("/home"), Some(MountPathProblem::OutsideHome));
        assert_eq!(problem("/homework/x"), Some(MountPathProblem::OutsideHome));
        assert_eq!(problem("/tmp/x"), Some(MountPathProblem::OutsideHome));
        assert_eq!(
            problem("/home/me/.local/share/p"),
            Some(MountPathProblem::Hidden(".local".into()))
        );
        assert_eq!(problem("/home/me/my proj"), Some(MountPathProblem::Space));
        assert_eq!(problem("/home/me/проект"), Some(MountPathProblem::NonAscii));
        let bytes = Path::new(OsStr::from_bytes(b"/home/me/\xff"));
        assert_eq!(snap_mount_problem(bytes), Some(MountPathProblem::NonAscii));
    }

    #[test]
    fn every_problem_has_a_reason_and_a_fix() {
        for p in [
            MountPathProblem::NotAbsolute,
            MountPathProblem::OutsideHome,
            MountPathProblem::Hidden(".x".into()),
            MountPathProblem::Space,
            MountPathProblem::NonAscii,
        ] {
            assert!(!p.reason().is_empty() && !p.fix().is_empty());
        }
    }
}
