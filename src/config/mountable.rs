//! Whether Multipass can share a host folder, checked before anything is written or run.
//!
//! Multipass installed as a snap (the usual Linux install) sees only non-hidden folders under
//! `/home`; a folder elsewhere fails later with a misleading "does not exist". Spaces and
//! non-ASCII characters in the path break mounts and the tools around them, so they are
//! refused everywhere. Some targets inside the VM are refused by Multipass itself.

use std::path::Path;

use super::rules::quote;
use crate::t;

/// Why a path cannot be used, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathProblem {
    pub reason: String,
    pub fix: String,
}

fn problem(reason: String, fix: String) -> Option<PathProblem> {
    Some(PathProblem { reason, fix })
}

/// Checks a host folder to be shared. `snap_rules` adds the snap's limits (Linux).
pub fn source_problem(path: &Path, snap_rules: bool) -> Option<PathProblem> {
    let text = path.to_string_lossy();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".to_string());
    let plain_name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if let Some(c) = text.chars().find(|c| !c.is_ascii()) {
        return problem(
            t!(
                "config.path_non_ascii",
                path = path.display(),
                char = format!("{c:?}")
            ),
            t!("config.path_non_ascii_fix", example = quote(&plain_name)),
        );
    }
    if text.chars().any(char::is_whitespace) {
        return problem(
            t!("config.path_space", path = path.display()),
            t!("config.path_space_fix", example = quote(&plain_name)),
        );
    }
    if !snap_rules {
        return None;
    }
    let move_hint = t!(
        "config.path_move_fix",
        name = plain_name.trim_start_matches('.')
    );
    if let Some(hidden) = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .find(|c| c.starts_with('.') && c != "." && c != "..")
    {
        return problem(
            t!(
                "config.path_hidden",
                path = path.display(),
                hidden = quote(&hidden)
            ),
            move_hint,
        );
    }
    let under_home = path.starts_with("/home") && path.components().count() > 2;
    if !under_home {
        return problem(
            t!("config.path_outside_home", path = path.display()),
            move_hint,
        );
    }
    None
}

/// Checks a target folder inside the VM against the ones Multipass refuses, then against
/// the system folders agsekit refuses ([`super::layout::target_refusal`]).
pub fn target_problem(target: &Path) -> Option<PathProblem> {
    let refused = target == Path::new("/")
        || target == Path::new("/home")
        || target == Path::new(crate::guest::GUEST_HOME)
        || ["/dev", "/proc", "/sys"]
            .iter()
            .any(|p| target.starts_with(p));
    if refused {
        return problem(
            t!("config.target_refused", target = target.display()),
            t!("config.target_refused_fix"),
        );
    }
    super::layout::target_refusal(target)
        .and_then(|why| problem(why, t!("config.target_refused_fix")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_rules() {
        let ok = |p: &str| source_problem(Path::new(p), true).is_none();
        assert!(ok("/home/me/code/app"));
        assert!(ok("/home/me/my-app_2.0"));
        for bad in [
            "/home/me/.local/app",
            "/home/me/code/.hidden",
            "/srv/app",
            "/home",
            "/home/me/my app",
            "/home/me/проект",
            "/tmp/x",
        ] {
            let p = source_problem(Path::new(bad), true).expect(bad);
            assert!(p.reason.contains(bad), "{p:?}");
            assert!(!p.fix.is_empty());
        }
        // Without the snap's limits only spaces and non-ASCII are refused.
        assert!(source_problem(Path::new("/srv/app"), false).is_none());
        assert!(source_problem(Path::new("/Users/me/.x/app"), false).is_none());
        assert!(source_problem(Path::new("/srv/a b"), false).is_some());
        let hidden = source_problem(Path::new("/home/me/.config/agsekit"), true).expect("hidden");
        assert!(hidden.reason.contains("\".config\""), "{hidden:?}");
        assert!(hidden.fix.contains("~/projects/agsekit"), "{hidden:?}");
    }

    #[test]
    fn target_rules() {
        for bad in ["/", "/home", "/home/ubuntu", "/dev/x", "/proc", "/sys/fs"] {
            assert!(target_problem(Path::new(bad)).is_some(), "{bad}");
        }
        for bad in ["/etc", "/usr/local/bin", "/home/ubuntu/.ssh"] {
            let p = target_problem(Path::new(bad)).expect(bad);
            assert!(p.reason.contains("system folder of the VM"), "{p:?}");
        }
        for good in ["/home/ubuntu/app", "/srv/app", "/home/other", "/device"] {
            assert!(target_problem(Path::new(good)).is_none(), "{good}");
        }
    }
}
