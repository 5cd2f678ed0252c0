//! Shims and shell integration: the shell init scripts (`agsekit init`), the protection state
//! shown in prompts (`agsekit prompt-state`). Where shims live is `crate::config::shims_dir`.

pub mod decisions;
pub mod dispatch;
pub mod init;
pub mod manage;
pub mod protection;

use std::path::PathBuf;

/// The folder for caches: `$XDG_CACHE_HOME/agsekit`, else `~/.cache/agsekit`.
pub fn cache_dir() -> PathBuf {
    if let Some(cache) = std::env::var_os("XDG_CACHE_HOME") {
        if !cache.is_empty() {
            return PathBuf::from(cache).join("agsekit");
        }
    }
    crate::config::home_dir().join(".cache/agsekit")
}
