//! Replacing the config file after an edit: a timestamped copy of the old file first
//! (`<stem>-backup-<YYYYmmdd-HHMMSS>.yaml` next to it, as 1.7.4 names it), then the new text
//! written to a temporary file in the same folder, synced and renamed over the old one, with
//! the old file's permissions. A symlinked config is edited where the link points.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::UserError;
use crate::t;

/// Writes `new_text` over the config at `path`, after copying `old_text` (what the edit was
/// based on) to a backup file. Refuses when the file changed since it was read. Returns the
/// backup's path.
pub fn replace_with_backup(
    path: &Path,
    old_text: &str,
    new_text: &str,
) -> Result<PathBuf, UserError> {
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    // `key` is a message with `{path}` and `{error}`.
    let io_err = |key: &str, p: &Path, e: std::io::Error| {
        UserError::failed(t!(key, path = p.display(), error = e))
            .hint(t!("config.check_permissions", path = p.display()))
    };
    let meta = fs::metadata(&real).map_err(|e| {
        io_err(
            crate::msg_key!("config.write_cannot_read", path, error),
            &real,
            e,
        )
    })?;
    let mode = meta.permissions().mode() & 0o7777;
    let current = fs::read(&real).map_err(|e| {
        io_err(
            crate::msg_key!("config.write_cannot_read", path, error),
            &real,
            e,
        )
    })?;
    if current != old_text.as_bytes() {
        return Err(
            UserError::failed(t!("config.write_changed", path = real.display()))
                .hint(t!("config.write_changed_hint")),
        );
    }
    let dir = match real.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = real
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".to_string());
    let backup =
        write_backup(&dir, &stem, &local_timestamp(), old_text.as_bytes(), mode).map_err(|e| {
            io_err(
                crate::msg_key!("config.write_backup_failed", path, error),
                &dir,
                e,
            )
        })?;

    let result = crate::statefile::replace_with_mode(&real, new_text.as_bytes(), mode);
    if let Err(e) = result {
        return Err(io_err(
            crate::msg_key!("config.write_failed", path, error),
            &real,
            e,
        )
        .hint(t!("config.write_saved_in", path = backup.display())));
    }
    Ok(backup)
}

/// Creates `<stem>-backup-<stamp>.yaml` (or `...-<stamp>-2.yaml` and so on when two edits
/// happen within one second) holding `bytes`.
fn write_backup(
    dir: &Path,
    stem: &str,
    stamp: &str,
    bytes: &[u8],
    mode: u32,
) -> std::io::Result<PathBuf> {
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}-backup-{stamp}.yaml")
        } else {
            format!("{stem}-backup-{stamp}-{n}.yaml")
        };
        let path = dir.join(name);
        match write_new_synced(&path, bytes, mode) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(t!("config.write_too_many_backups")))
}

fn write_new_synced(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    file.write_all(bytes)?;
    file.set_permissions(fs::Permissions::from_mode(mode))?;
    file.sync_all()
}

/// Local time as `YYYYmmdd-HHMMSS`.
pub fn local_timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let t = secs as libc::time_t;
    // SAFETY: `tm` is plain data that localtime_r fills in; both pointers are valid.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if !ok {
        return format!("{secs}");
    }
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_then_atomic_replace_keeps_mode() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("config.yaml");
        fs::write(&path, "old\n").expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
        let backup = replace_with_backup(&path, "old\n", "new\n").expect("replace");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new\n");
        assert_eq!(fs::read_to_string(&backup).expect("read"), "old\n");
        let name = backup
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with("config-backup-") && name.ends_with(".yaml"),
            "{name}"
        );
        assert_eq!(
            name.len(),
            "config-backup-20260101-120000.yaml".len(),
            "{name}"
        );
        for p in [&path, &backup] {
            let mode = fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
        // A second edit in the same second gets its own copy.
        let second = replace_with_backup(&path, "new\n", "newer\n").expect("replace");
        assert_ne!(second, backup);
        assert_eq!(fs::read_to_string(&second).expect("read"), "new\n");
        // No temporary files are left behind.
        let names: Vec<String> = fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    }

    #[test]
    fn refuses_when_the_file_changed_meanwhile() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("c.yaml");
        fs::write(&path, "changed\n").expect("write");
        assert!(replace_with_backup(&path, "old\n", "new\n").is_err());
        assert_eq!(fs::read_to_string(&path).expect("read"), "changed\n");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[test]
    fn a_symlinked_config_is_edited_in_place() {
        let dir = tempfile::tempdir().expect("tmp");
        let real = dir.path().join("real.yaml");
        let link = dir.path().join("config.yaml");
        fs::write(&real, "a\n").expect("write");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        replace_with_backup(&link, "a\n", "b\n").expect("replace");
        assert!(fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).expect("read"), "b\n");
    }
}
