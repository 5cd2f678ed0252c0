//! Configuration: finding the file, reading the YAML, validating it into [`Config`].
//!
//! The YAML crate is used only inside this module. Reading happens in two steps: the text is
//! parsed into a generic YAML value, then every section is checked and converted, collecting
//! every problem with its key path in one pass.

pub mod cloud_init;
pub mod edit;
pub mod example;
pub mod generate;
pub mod layout;
mod model;
pub mod mountable;
pub mod new_mount;
pub mod rules;
mod validate;
pub mod write;
mod yaml_value;

#[cfg(test)]
mod tests;

pub use model::*;
pub use rules::normalize_path;
pub use validate::{load_from_str, Invalid, Problem};

use crate::error::UserError;
use crate::t;

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

/// agsekit's state folder: `$XDG_STATE_HOME/agsekit`, else `~/.local/state/agsekit`. Holds
/// the daemon's pidfile, version file and log, and the port-forward supervisor's lock, record
/// and logs.
pub fn state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_STATE_HOME") {
        if !dir.is_empty() {
            return PathBuf::from(dir).join("agsekit");
        }
    }
    home_dir().join(".local/state/agsekit")
}

/// The folder that holds the shims: `$AGSEKIT_SHIMS_DIR`, else `$XDG_DATA_HOME/agsekit/shims`,
/// else `~/.local/share/agsekit/shims`. The one answer for everything that installs shims or
/// skips them on PATH.
pub fn shims_dir() -> PathBuf {
    shims_dir_from(
        std::env::var_os("AGSEKIT_SHIMS_DIR").as_deref(),
        std::env::var_os("XDG_DATA_HOME").as_deref(),
        &home_dir(),
    )
}

/// [`shims_dir`] from the values of `AGSEKIT_SHIMS_DIR`, `XDG_DATA_HOME` and the home folder
/// (empty values count as unset).
pub fn shims_dir_from(
    shims_env: Option<&std::ffi::OsStr>,
    xdg_data: Option<&std::ffi::OsStr>,
    home: &Path,
) -> PathBuf {
    if let Some(dir) = shims_env.filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(data) = xdg_data.filter(|d| !d.is_empty()) {
        return PathBuf::from(data).join("agsekit/shims");
    }
    home.join(".local/share/agsekit/shims")
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

/// Where the config path came from, for messages.
fn path_origin(explicit: Option<&Path>) -> String {
    if explicit.is_some() {
        "--config".to_string()
    } else if std::env::var_os("CONFIG_PATH").is_some_and(|v| !v.is_empty()) {
        "$CONFIG_PATH".to_string()
    } else {
        t!("config.origin_default")
    }
}

/// The largest config file agsekit reads (a real one is a few kilobytes).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads the config file's text. A missing file is a config error (exit 3) with hints on how
/// to create one. Only a regular file (after symlinks) of at most [`MAX_CONFIG_BYTES`] is
/// read: `/dev/zero` or a named pipe would never end.
pub fn read_text(path: &Path, origin: &str) -> Result<String, UserError> {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};

    let failed = |err: std::io::Error| {
        UserError::config(t!("config.read_failed", path = path.display(), error = err))
            .hint(t!("config.check_permissions", path = path.display()))
    };
    // Opening a named pipe without O_NONBLOCK would wait for a writer.
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path);
    let file = match opened {
        Ok(f) => f,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let err = UserError::config(t!(
                "config.not_found",
                path = path.display(),
                origin = origin
            ));
            // The hints write the file where it was looked for: a path given with --config or
            // $CONFIG_PATH is named in the commands, the default one needs no argument.
            let err = if path == default_config_path() {
                err.hint(t!("config.not_found_hint_example", path = path.display()))
                    .hint(t!("config.not_found_hint_gen"))
            } else {
                let quoted = shell_words::quote(&path.to_string_lossy()).into_owned();
                err.hint(t!("config.not_found_hint_example_at", path = quoted))
                    .hint(t!("config.not_found_hint_gen_at", path = quoted))
            };
            return Err(err.hint(t!("config.not_found_hint_flag")));
        }
        Err(err) if err.kind() == std::io::ErrorKind::IsADirectory => {
            return Err(
                UserError::config(t!("config.path_is_folder", path = path.display()))
                    .hint(t!("config.path_is_folder_hint")),
            );
        }
        Err(err) => return Err(failed(err)),
    };
    let meta = file.metadata().map_err(failed)?;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(
            UserError::config(t!("config.path_is_folder", path = path.display()))
                .hint(t!("config.path_is_folder_hint")),
        );
    }
    if !kind.is_file() {
        let what = if kind.is_fifo() {
            t!("layout.kind_fifo")
        } else if kind.is_char_device() {
            t!("layout.kind_char")
        } else if kind.is_block_device() {
            t!("layout.kind_block")
        } else if kind.is_socket() {
            t!("layout.kind_socket")
        } else {
            t!("layout.kind_other")
        };
        return Err(UserError::config(t!(
            "layout.config_not_regular",
            path = path.display(),
            kind = what
        ))
        .hint(t!("layout.config_not_regular_hint")));
    }
    let too_large = |size: u64| {
        UserError::config(t!(
            "layout.config_too_large",
            path = path.display(),
            size = size,
            limit = MAX_CONFIG_BYTES
        ))
        .hint(t!("layout.config_too_large_hint"))
    };
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        UserError::config(t!(
            "config.not_utf8",
            path = path.display(),
            offset = e.utf8_error().valid_up_to()
        ))
        .hint(t!("config.not_utf8_hint"))
    })
}

/// Reads and validates the file at `explicit` (or the looked-up path) without turning
/// validation problems into an error: `Ok(Err(invalid))` lists them. Used by `config-check`.
pub fn check(
    explicit: Option<&Path>,
    minimums: MinimumsOf,
) -> Result<Result<Config, Invalid>, UserError> {
    let path = resolve_path(explicit);
    let path = std::path::absolute(&path).unwrap_or(path);
    let text = read_text(&path, &path_origin(explicit))?;
    let result = load_from_str(&text, &path, minimums);
    if let Ok(config) = &result {
        register_env_secrets(config);
    }
    Ok(result)
}

/// Every `env:` value of a config read from disk is a secret: `--debug` output and error
/// messages mask it from now on. (Parsing alone, as in tests, registers nothing.)
pub fn register_env_secrets(config: &Config) {
    for agent in config.agents.values() {
        for value in agent.env.values() {
            crate::process::register_secret(value);
        }
    }
}

/// Finds, reads and validates the configuration. Every validation problem is listed in one
/// error (exit code 3). `minimums`: each backend's least `ram:`/`disk:`
/// (`backend::minimums`).
pub fn load(explicit: Option<&Path>, minimums: MinimumsOf) -> anyhow::Result<Config> {
    match check(explicit, minimums)? {
        Ok(config) => Ok(config),
        Err(invalid) => Err(invalid.to_user_error().into()),
    }
}

/// Like [`load`], but also returns the file's text and absolute path, for commands that edit
/// the file (the edit must be based on exactly what was validated).
pub fn load_with_text(
    explicit: Option<&Path>,
    minimums: MinimumsOf,
) -> Result<(Config, String), UserError> {
    let path = resolve_path(explicit);
    let path = std::path::absolute(&path).unwrap_or(path);
    let text = read_text(&path, &path_origin(explicit))?;
    match load_from_str(&text, &path, minimums) {
        Ok(config) => {
            register_env_secrets(&config);
            Ok((config, text))
        }
        Err(invalid) => Err(invalid.to_user_error()),
    }
}

/// Like [`load_with_text`], for `removemount`: a file whose only problems are about where
/// folders are (a mount exposing the home folder, a backup folder a VM could reach...) still
/// loads, so the entry at fault can be removed; those problems are returned for display.
pub fn load_with_text_for_removal(
    explicit: Option<&Path>,
    minimums: MinimumsOf,
) -> Result<(Config, String, Vec<Problem>), UserError> {
    let path = resolve_path(explicit);
    let path = std::path::absolute(&path).unwrap_or(path);
    let text = read_text(&path, &path_origin(explicit))?;
    match load_from_str(&text, &path, minimums) {
        Ok(config) => {
            register_env_secrets(&config);
            Ok((config, text, Vec::new()))
        }
        Err(Invalid {
            layout_only: Some(config),
            problems,
            ..
        }) => {
            register_env_secrets(&config);
            Ok((*config, text, problems))
        }
        Err(invalid) => Err(invalid.to_user_error()),
    }
}
