//! The commented example configuration shipped with the binary, and writing it to disk
//! without ever replacing an existing file.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// `config-example.yaml` from the repository root: every key, commented.
pub const EXAMPLE: &str = include_str!("../../config-example.yaml");

/// What writing the example did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The file was created.
    Written(PathBuf),
    /// A file was already there; nothing was written.
    Exists(PathBuf),
}

/// Writes `contents` to `path` unless something already exists there. Parent folders are
/// created. The file appears whole or not at all: it is written to a temporary file in the
/// same folder, synced, then linked into place (which fails if `path` appeared meanwhile).
pub fn write_new(path: &Path, contents: &[u8]) -> io::Result<Outcome> {
    write_new_with_mode(path, contents, 0o666)
}

/// [`write_new`] for a config file: readable by its owner only (`0600`), as it is meant to
/// hold API keys in `env:`.
pub fn write_new_private(path: &Path, contents: &[u8]) -> io::Result<Outcome> {
    write_new_with_mode(path, contents, 0o600)
}

/// [`write_new`] creating the file with `mode` (less the umask).
fn write_new_with_mode(path: &Path, contents: &[u8], mode: u32) -> io::Result<Outcome> {
    if fs::symlink_metadata(path).is_ok() {
        return Ok(Outcome::Exists(path.to_path_buf()));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".to_string());
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let tmp = parent.join(format!(
        ".{file_name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_and_link(&tmp, path, contents, mode);
    let _ = fs::remove_file(&tmp);
    let outcome = result?;
    if let Ok(dir) = fs::File::open(&parent) {
        let _ = dir.sync_all();
    }
    Ok(outcome)
}

fn write_and_link(tmp: &Path, path: &Path, contents: &[u8], mode: u32) -> io::Result<Outcome> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(tmp)?;
    file.write_all(contents)?;
    file.sync_all()?;
    drop(file);
    match fs::hard_link(tmp, path) {
        Ok(()) => Ok(Outcome::Written(path.to_path_buf())),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            Ok(Outcome::Exists(path.to_path_buf()))
        }
        Err(_) => {
            // File systems without hard links: check again, then rename into place.
            if fs::symlink_metadata(path).is_ok() {
                return Ok(Outcome::Exists(path.to_path_buf()));
            }
            fs::rename(tmp, path)?;
            Ok(Outcome::Written(path.to_path_buf()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_example_is_valid_and_covers_every_section() {
        let config = crate::config::load_from_str(EXAMPLE, Path::new("/x/config.yaml"))
            .unwrap_or_else(|e| panic!("example does not validate: {e}"));
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        assert_eq!(config.vms.len(), 1);
        assert_eq!(config.mounts.len(), 1);
        assert!(config.agents.contains_key("gemini"));
        let vm = &config.vms["agent-ubuntu"];
        assert_eq!(vm.port_forwarding.len(), 3);
        assert_eq!(vm.install.len(), 3);
        assert!(matches!(
            config.agents["qwen"].http_proxy,
            Some(Some(crate::config::HttpProxy::Upstream { .. }))
        ));
    }

    #[test]
    fn example_mentions_every_key() {
        for key in [
            "ssh_keys_folder:",
            "systemd_env_folder:",
            "state_file:",
            "portforward_config_check_interval_sec:",
            "check_new_version:",
            "check_new_version_interval_sec:",
            "http_proxy_port_pool:",
            "start:",
            "end:",
            "cpu:",
            "ram:",
            "disk:",
            "allowed_agents:",
            "proxychains:",
            "http_proxy:",
            "cloud-init:",
            "port-forwarding:",
            "host-addr:",
            "vm-addr:",
            "install:",
            "source:",
            "target:",
            "backup:",
            "vm:",
            "interval:",
            "max_backups:",
            "backup_clean_method:",
            "first_backup:",
            "type:",
            "version:",
            "env:",
            "default-args:",
            "vms:",
            "upstream:",
            "listen:",
            "url:",
        ] {
            assert!(EXAMPLE.contains(key), "example lacks {key}");
        }
    }

    #[test]
    fn a_private_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("config.yaml");
        write_new_private(&path, b"x").expect("write");
        let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn write_new_creates_parents_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/config.yaml");
        assert_eq!(
            write_new(&path, b"one").unwrap(),
            Outcome::Written(path.clone())
        );
        assert_eq!(
            write_new(&path, b"two").unwrap(),
            Outcome::Exists(path.clone())
        );
        assert_eq!(fs::read(&path).unwrap(), b"one");
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("config.yaml")]);
    }
}
