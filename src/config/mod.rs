//! Configuration: finding the file, reading the YAML, validating it into [`Config`].
//!
//! The YAML crate is used only inside this module. Reading happens in two steps: the text is
//! parsed into a generic YAML value, then every section is checked and converted, collecting
//! every problem with its key path in one pass.

mod model;

pub use model::*;

use std::path::{Path, PathBuf};

/// Where the config file is, by the 1.7.4 lookup order: `--config`, then `$CONFIG_PATH`, then
/// `~/.config/agsekit/config.yaml`. `~` is expanded.
pub fn resolve_path(explicit: Option<&Path>) -> PathBuf {
    if let Some(path) = explicit {
        return expand_tilde(path);
    }
    if let Some(env) = std::env::var_os("CONFIG_PATH") {
        if !env.is_empty() {
            return expand_tilde(Path::new(&env));
        }
    }
    default_config_path()
}

/// `~/.config/agsekit/config.yaml`.
pub fn default_config_path() -> PathBuf {
    home_dir().join(".config/agsekit/config.yaml")
}

/// The user's home folder (`$HOME`, else the password database).
pub fn home_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("HOME") {
        if !home.is_empty() {
            return PathBuf::from(home);
        }
    }
    directories::BaseDirs::new()
        .map(|b| b.home_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// Expands a leading `~` or `~/` to the home folder.
pub fn expand_tilde(path: &Path) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => home_dir().join(rest),
        Err(_) => path.to_path_buf(),
    }
}

/// Finds, reads and validates the configuration.
pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
    let path = resolve_path(explicit);
    anyhow::bail!("reading {} is not implemented yet", path.display())
}
