//! Finding the `multipass` executable.
//!
//! `AGSEKIT_MULTIPASS`, when set and not empty, wins (tests point it at the fake). Otherwise
//! `multipass` is looked up on `PATH`, skipping every entry that is the agsekit shims
//! directory (so a shim can never be mistaken for the real client) and any candidate that is
//! agsekit itself. The shims directory is given by the caller (`crate::config::shims_dir`).

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::vm::error::{Missing, VmError};

/// The environment variable that names the multipass executable outright.
pub const MULTIPASS_ENV: &str = "AGSEKIT_MULTIPASS";

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

fn is_executable_file(path: &Path) -> bool {
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Everything [`find_multipass`] looks at, so the lookup is a pure function of it.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// The value of `AGSEKIT_MULTIPASS`.
    pub override_value: Option<OsString>,
    /// The value of `PATH`.
    pub path_var: Option<OsString>,
    /// The shims directory to skip.
    pub shims_dir: Option<PathBuf>,
    /// The running agsekit executable, never taken for multipass.
    pub self_exe: Option<PathBuf>,
}

impl Lookup {
    /// Reads the process environment; `shims_dir` is the folder of agsekit's shims.
    pub fn from_env(shims_dir: &Path) -> Lookup {
        Lookup {
            override_value: std::env::var_os(MULTIPASS_ENV),
            path_var: std::env::var_os("PATH"),
            shims_dir: Some(shims_dir.to_path_buf()),
            self_exe: std::env::current_exe().ok(),
        }
    }
}

/// Finds the multipass executable, or says why there is none.
pub fn find_multipass(lookup: &Lookup) -> Result<PathBuf, VmError> {
    if let Some(value) = lookup.override_value.as_deref().filter(|v| !v.is_empty()) {
        let given = Path::new(value);
        if given.components().count() > 1 || given.is_absolute() {
            return if is_executable_file(given) {
                Ok(given.to_path_buf())
            } else {
                Err(super::classify::not_installed(Missing::NotExecutable {
                    var: MULTIPASS_ENV.to_string(),
                    path: given.display().to_string(),
                }))
            };
        }
        return search_path(lookup, value);
    }
    search_path(lookup, OsStr::new("multipass"))
}

fn search_path(lookup: &Lookup, name: &OsStr) -> Result<PathBuf, VmError> {
    let shims = lookup.shims_dir.as_deref().map(canonical);
    let me = lookup.self_exe.as_deref().map(canonical);
    if let Some(path_var) = &lookup.path_var {
        for dir in std::env::split_paths(path_var) {
            if dir.as_os_str().is_empty() {
                continue;
            }
            if shims.as_deref() == Some(canonical(&dir).as_path()) {
                continue;
            }
            let candidate = dir.join(name);
            if !is_executable_file(&candidate) {
                continue;
            }
            if me.is_some() && me == Some(canonical(&candidate)) {
                continue;
            }
            return Ok(candidate);
        }
    }
    Err(super::classify::not_installed(Missing::NotOnPath(
        name.to_string_lossy().into_owned(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn exe(dir: &Path, name: &str) -> PathBuf {
        fs::create_dir_all(dir).unwrap();
        let path = dir.join(name);
        fs::write(&path, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn path_of(dirs: &[&Path]) -> Option<OsString> {
        Some(std::env::join_paths(dirs).unwrap())
    }

    #[test]
    fn the_shims_directory_is_skipped_even_through_a_symlink() {
        let tmp = tempfile::tempdir().unwrap();
        let shims = tmp.path().join("shims");
        exe(&shims, "multipass");
        let link = tmp.path().join("shims-link");
        std::os::unix::fs::symlink(&shims, &link).unwrap();
        let real = exe(&tmp.path().join("bin"), "multipass");
        let lookup = Lookup {
            path_var: path_of(&[&link, &shims, &tmp.path().join("bin")]),
            shims_dir: Some(shims.clone()),
            ..Lookup::default()
        };
        assert_eq!(find_multipass(&lookup).unwrap(), real);
    }

    #[test]
    fn the_first_executable_on_path_wins_and_non_executables_are_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a");
        fs::create_dir_all(&a).unwrap();
        fs::write(a.join("multipass"), "not executable").unwrap();
        let b = exe(&tmp.path().join("b"), "multipass");
        exe(&tmp.path().join("c"), "multipass");
        let lookup = Lookup {
            path_var: path_of(&[&a, &tmp.path().join("b"), &tmp.path().join("c")]),
            ..Lookup::default()
        };
        assert_eq!(find_multipass(&lookup).unwrap(), b);
    }

    #[test]
    fn agsekit_itself_is_never_taken_for_multipass() {
        let tmp = tempfile::tempdir().unwrap();
        let me = exe(&tmp.path().join("opt"), "agsekit");
        let bin = tmp.path().join("bin");
        fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(&me, bin.join("multipass")).unwrap();
        let lookup = Lookup {
            path_var: path_of(&[&bin]),
            self_exe: Some(me),
            ..Lookup::default()
        };
        assert!(matches!(
            find_multipass(&lookup),
            Err(VmError::NotInstalled { .. })
        ));
    }

    #[test]
    fn the_override_wins_and_must_be_executable() {
        let tmp = tempfile::tempdir().unwrap();
        let fake = exe(tmp.path(), "fake-multipass");
        exe(&tmp.path().join("bin"), "multipass");
        let mut lookup = Lookup {
            override_value: Some(fake.clone().into_os_string()),
            path_var: path_of(&[&tmp.path().join("bin")]),
            ..Lookup::default()
        };
        assert_eq!(find_multipass(&lookup).unwrap(), fake);
        lookup.override_value = Some(tmp.path().join("missing").into_os_string());
        let err = find_multipass(&lookup).unwrap_err();
        assert!(err.to_string().contains("AGSEKIT_MULTIPASS="), "{err}");
        // A bare name is searched on PATH.
        lookup.override_value = Some("fake-multipass".into());
        lookup.path_var = path_of(&[tmp.path()]);
        assert_eq!(find_multipass(&lookup).unwrap(), fake);
        // Empty means unset.
        lookup.override_value = Some(OsString::new());
        lookup.path_var = path_of(&[&tmp.path().join("bin")]);
        assert_eq!(
            find_multipass(&lookup).unwrap(),
            tmp.path().join("bin/multipass")
        );
    }

    #[test]
    fn nothing_on_path_is_not_installed() {
        let lookup = Lookup {
            path_var: Some("/nonexistent-a:/nonexistent-b".into()),
            ..Lookup::default()
        };
        let err = find_multipass(&lookup).unwrap_err();
        assert!(matches!(err, VmError::NotInstalled { .. }));
        assert!(err.hints().iter().any(|h| h.contains("agsekit prepare")));
        assert!(find_multipass(&Lookup::default()).is_err());
    }
}
