//! Small files agsekit keeps its own state in (snapshot pins, the agent version cache, the
//! daemon's service unit, the config, caches, installed man pages), written atomically:
//! readers see the old contents or the new, never a half-written file, even if agsekit is
//! killed mid-write. This is the one place that writes a file through a temporary file and a
//! rename (and points a shim through a temporary symlink); the backup engine's snapshots and
//! manifests keep their own protocol (`src/backup/`).

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Replaces `path` with `bytes`: written to a temporary file beside it, synced, then renamed
/// over `path`, and the folder synced. The new file gets the default mode (0666 less the
/// umask). On failure the temporary file is removed and `path` is left as it was. The parent
/// folder must exist.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_replacing(path, bytes, None)
}

/// [`replace`], the new file getting exactly `mode` (not reduced by the umask), e.g. `0o600`
/// for a config that holds API keys or `0o644` for a man page.
pub fn replace_with_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_replacing(path, bytes, Some(mode))
}

/// What [`create`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The file was created.
    Written,
    /// Something was already at the path; nothing was written.
    Exists,
}

/// Writes `bytes` to `path` unless something already exists there; never replaces. The file
/// appears whole or not at all: written to a temporary file beside it with `mode` (less the
/// umask), synced, then linked into place (which fails if `path` appeared meanwhile; on file
/// systems without hard links it is checked again and renamed). The parent folder must exist.
pub fn create(path: &Path, bytes: &[u8], mode: u32) -> io::Result<Created> {
    if fs::symlink_metadata(path).is_ok() {
        return Ok(Created::Exists);
    }
    let tmp = temporary_beside(path);
    let result = write_and_link(&tmp, path, bytes, mode);
    let _ = fs::remove_file(&tmp);
    let created = result?;
    sync_folder_of(path);
    Ok(created)
}

/// Why [`replace_symlink`] failed (`path` is left as it was either way).
#[derive(Debug)]
pub enum SymlinkError {
    /// The temporary link could not be made in the folder.
    Create(io::Error),
    /// It could not be renamed over `path`.
    Rename(io::Error),
}

/// Points the symlink `path` at `target` atomically: a temporary link beside it, renamed over
/// `path` (whatever was there). On failure the temporary link is removed.
pub fn replace_symlink(path: &Path, target: &Path) -> Result<(), SymlinkError> {
    let tmp = temporary_beside(path);
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).map_err(SymlinkError::Create)?;
    if let Err(err) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(SymlinkError::Rename(err));
    }
    Ok(())
}

fn write_replacing(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    let tmp = temporary_beside(path);
    let written = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode.unwrap_or(0o666))
            .open(&tmp)?;
        f.write_all(bytes)?;
        if let Some(mode) = mode {
            f.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
        return written;
    }
    sync_folder_of(path);
    Ok(())
}

fn write_and_link(tmp: &Path, path: &Path, bytes: &[u8], mode: u32) -> io::Result<Created> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    match fs::hard_link(tmp, path) {
        Ok(()) => Ok(Created::Written),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(Created::Exists),
        Err(_) => {
            // File systems without hard links: check again, then rename into place.
            if fs::symlink_metadata(path).is_ok() {
                return Ok(Created::Exists);
            }
            fs::rename(tmp, path)?;
            Ok(Created::Written)
        }
    }
}

/// `.<name>.tmp-<pid>-<n>` in `path`'s folder: hidden, and unique per process and per write,
/// so two writers (processes or threads) never share one.
fn temporary_beside(path: &Path) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_string());
    folder_of(path).join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes the rename durable; best effort (some file systems refuse to sync a folder).
fn sync_folder_of(path: &Path) {
    if let Ok(dir) = fs::File::open(folder_of(path)) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_contents_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state");
        replace(&path, b"one").expect("write");
        replace(&path, b"two").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["state"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("no-such-folder/state");
        assert!(replace(&missing, b"x").is_err());
        assert!(!missing.exists());
    }

    #[test]
    fn a_mode_is_set_exactly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.yaml");
        replace_with_mode(&path, b"k: v", 0o600).expect("write");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o7777, 0o600);
    }

    #[test]
    fn create_never_replaces() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("new");
        assert_eq!(
            create(&path, b"one", 0o600).expect("create"),
            Created::Written
        );
        assert_eq!(
            create(&path, b"two", 0o600).expect("create"),
            Created::Exists
        );
        assert_eq!(std::fs::read(&path).expect("read"), b"one");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn a_symlink_is_replaced_and_no_temporary_link_is_left() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("codex");
        std::fs::write(&path, b"a file first").expect("write");
        replace_symlink(&path, Path::new("/usr/bin/agsekit")).expect("link");
        assert_eq!(
            std::fs::read_link(&path).expect("read link"),
            Path::new("/usr/bin/agsekit")
        );
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
