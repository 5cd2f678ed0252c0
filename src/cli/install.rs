//! Installing what agsekit generates where the user's system looks for it, in the XDG data
//! folder (`$XDG_DATA_HOME`, else `~/.local/share`): manual pages under `man/`, completion
//! scripts where bash-completion, zsh and fish expect them. Files are written atomically
//! (a temporary file beside, synced, renamed), so a reader never sees half a file.

use std::fs;
use std::path::{Path, PathBuf};

use clap_complete::Shell;

use crate::error::UserError;
use crate::t;

/// `$XDG_DATA_HOME` when it is set to an absolute path (the XDG rule: a relative value is
/// ignored), else `~/.local/share`.
pub fn data_home() -> PathBuf {
    match std::env::var_os("XDG_DATA_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => crate::config::home_dir().join(".local/share"),
    }
}

/// Where the completion script of `shell` goes, and `None` for shells with no standard
/// per-user folder (elvish, powershell):
/// - bash: bash-completion (2.8 and later) loads `agsekit` on first use from
///   `$BASH_COMPLETION_USER_DIR/completions`, else `$XDG_DATA_HOME/bash-completion/completions`;
/// - zsh: `$XDG_DATA_HOME/zsh/site-functions/_agsekit` (zsh has no per-user default: the
///   folder must be added to `fpath`, docs/shell.md says how);
/// - fish: `$XDG_DATA_HOME/fish/vendor_completions.d/agsekit.fish`, on fish's default
///   `$fish_complete_path`.
pub fn completion_path(shell: Shell) -> Option<PathBuf> {
    let data = data_home();
    match shell {
        Shell::Bash => {
            let base = match std::env::var_os("BASH_COMPLETION_USER_DIR").map(PathBuf::from) {
                Some(dir) if dir.is_absolute() => dir,
                _ => data.join("bash-completion"),
            };
            Some(base.join("completions/agsekit"))
        }
        Shell::Zsh => Some(data.join("zsh/site-functions/_agsekit")),
        Shell::Fish => Some(data.join("fish/vendor_completions.d/agsekit.fish")),
        _ => None,
    }
}

/// The folder of manual pages of section 1: `man1` under `$XDG_DATA_HOME/man`, or under
/// `$XDG_DATA_HOME/man/<lang>` for a translation.
pub fn man_dir(lang: Option<&str>) -> PathBuf {
    let base = data_home().join("man");
    match lang {
        Some(l) => base.join(l).join("man1"),
        None => base.join("man1"),
    }
}

/// Writes `bytes` to `path` (mode 0644), creating its folder: a temporary file in the same
/// folder, synced, then renamed over the old one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), UserError> {
    let fail = |e: std::io::Error| {
        UserError::failed(format!(
            "{}: {e}",
            t!("i12menu.cannot_write", path = path.display())
        ))
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(fail)?;
    // Pages and completion scripts are for everyone who reads them, whatever the umask.
    crate::statefile::replace_with_mode(path, bytes, 0o644).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_the_file_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a/b/agsekit.1");
        write_atomic(&path, b"one").expect("write");
        write_atomic(&path, b"two").expect("write again");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().expect("parent"))
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["agsekit.1"]);
    }
}
