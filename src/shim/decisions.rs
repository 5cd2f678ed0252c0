//! The decisions of agsekit's agent shims, apart from the program that carries them out: a
//! shim is a link to agsekit named after an agent (`codex`, `claude`, ...). When it runs it
//! needs three answers, each here as a plain function over plain data:
//! - which configured agent its name stands for ([`agent_for`]);
//! - for `--host`, or when the current folder is not protected, the host program of that
//!   name on `PATH`, never the shims folder and never agsekit itself ([`host_program`],
//!   [`path_without`]);
//! - whether it has re-entered itself through such a host program ([`reentered`], with the
//!   [`MARKER`] variable a shim sets for its children, [`marker_with`]).
//!
//! No dependency: the agsekit binary reads its config and environment and passes the values.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// Set in the environment of a host program started by a shim: the names of the shims on
/// the way, `:`-separated. A shim that finds its own name there has re-entered itself.
pub const MARKER: &str = "AGSEKIT_SHIM_ACTIVE";

/// True when the shim `name` is already on the way (recursion).
pub fn reentered(name: &str, marker: Option<&OsStr>) -> bool {
    marker
        .and_then(OsStr::to_str)
        .is_some_and(|list| list.split(':').any(|n| n == name))
}

/// The marker value for a child of the shim `name`.
pub fn marker_with(name: &str, marker: Option<&OsStr>) -> OsString {
    match marker.and_then(OsStr::to_str).filter(|s| !s.is_empty()) {
        Some(list) => format!("{list}:{name}").into(),
        None => name.into(),
    }
}

/// The agent a shim called `name` stands for, among `agents` given in the config's order as
/// `(profile name, program name)`: the profile of that name, else the first profile whose
/// program has that name (a `codex` shim runs a `work-codex` profile of type codex when no
/// profile is called `codex`). Returns the profile's name.
pub fn agent_for<'a>(
    name: &str,
    agents: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<&'a str> {
    agents
        .clone()
        .into_iter()
        .find(|(profile, _)| *profile == name)
        .or_else(|| agents.into_iter().find(|(_, program)| *program == name))
        .map(|(profile, _)| profile)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The program `name` on `path`, skipping the shims folder and anything that is agsekit
/// itself (a symlink or copy of it), so a shim can never run itself.
pub fn host_program(name: &str, path: &OsStr, shims_dir: &Path, agsekit: &Path) -> Option<PathBuf> {
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty() && !same_file(dir, shims_dir))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable_file(candidate) && !same_file(candidate, agsekit))
}

/// `path` without the shims folder.
pub fn path_without(path: &OsStr, shims_dir: &Path) -> OsString {
    let kept: Vec<PathBuf> = std::env::split_paths(path)
        .filter(|dir| !same_file(dir, shims_dir) && dir != shims_dir)
        .collect();
    std::env::join_paths(kept).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_profile_of_the_name_wins_over_a_program_of_the_name() {
        let agents = [
            ("work-codex", "codex"),
            ("claude", "claude"),
            ("codex2", "codex"),
        ];
        assert_eq!(agent_for("codex", agents), Some("work-codex"));
        assert_eq!(agent_for("claude", agents), Some("claude"));
        let named = [("x", "codex"), ("codex", "qwen")];
        assert_eq!(agent_for("codex", named), Some("codex"));
        assert_eq!(agent_for("gemini", agents), None);
    }

    #[test]
    fn recursion_marker() {
        assert!(!reentered("codex", None));
        assert!(reentered("codex", Some(OsStr::new("claude:codex"))));
        assert!(!reentered("codex", Some(OsStr::new("codex2"))));
        assert_eq!(
            marker_with("codex", Some(OsStr::new("claude"))),
            "claude:codex"
        );
        assert_eq!(marker_with("codex", None), "codex");
    }

    #[test]
    fn host_program_skips_the_shims_and_agsekit_itself() {
        let tmp = tempfile::tempdir().unwrap();
        let shims = tmp.path().join("shims");
        let selfbin = tmp.path().join("self");
        let real = tmp.path().join("real");
        for d in [&shims, &selfbin, &real] {
            std::fs::create_dir_all(d).unwrap();
        }
        let agsekit = selfbin.join("agsekit");
        std::fs::write(&agsekit, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&agsekit, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink(&agsekit, shims.join("codex")).unwrap();
        // A second link to agsekit elsewhere on PATH must be skipped too.
        std::os::unix::fs::symlink(&agsekit, selfbin.join("codex")).unwrap();
        let host = real.join("codex");
        std::fs::write(&host, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&host, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths([&shims, &selfbin, &real]).unwrap();
        assert_eq!(
            host_program("codex", &path, &shims, &agsekit),
            Some(host.clone())
        );
        let only_shims = std::env::join_paths([&shims, &selfbin]).unwrap();
        assert_eq!(host_program("codex", &only_shims, &shims, &agsekit), None);
        assert_eq!(
            path_without(&path, &shims),
            std::env::join_paths([&selfbin, &real]).unwrap()
        );
    }
}
