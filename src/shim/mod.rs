//! Shims and shell integration: the shell init scripts (`agsekit init`), the protection state
//! shown in prompts (`agsekit prompt-state`), and where shims live.

pub mod dispatch;
pub mod init;
pub mod manage;
pub mod protection;

use std::path::PathBuf;

/// The folder that holds the shims: `$AGSEKIT_SHIMS_DIR`, else `~/.local/share/agsekit/shims`
/// (`$XDG_DATA_HOME/agsekit/shims` when that is set).
pub fn shims_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AGSEKIT_SHIMS_DIR") {
        if !dir.is_empty() {
            return PathBuf::from(dir);
        }
    }
    if let Some(data) = std::env::var_os("XDG_DATA_HOME") {
        if !data.is_empty() {
            return PathBuf::from(data).join("agsekit/shims");
        }
    }
    crate::config::home_dir().join(".local/share/agsekit/shims")
}

/// The folder for caches: `$XDG_CACHE_HOME/agsekit`, else `~/.cache/agsekit`.
pub fn cache_dir() -> PathBuf {
    if let Some(cache) = std::env::var_os("XDG_CACHE_HOME") {
        if !cache.is_empty() {
            return PathBuf::from(cache).join("agsekit");
        }
    }
    crate::config::home_dir().join(".cache/agsekit")
}
