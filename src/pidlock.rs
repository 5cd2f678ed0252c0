//! The one pid-lock: an exclusive `flock` on a file that holds the owner's PID, used for the
//! daemon (`daemon.pid`), the port-forward supervisor (`portforward.lock`) and each backup
//! destination (`backup.pid`, the same lock agsekit 1.7.4 takes: portalocker uses `flock` on
//! POSIX, so the two tools exclude each other). The kernel drops the lock when the owner dies,
//! so a stale PID never blocks anyone, and the file itself is never deleted (deleting a locked
//! file would let a second owner lock a new inode).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

/// A held lock; released on drop or when the process dies.
#[derive(Debug)]
pub struct PidLock {
    _file: Flock<File>,
    pub path: PathBuf,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum PidLockError {
    /// Another live process holds it; its PID when the file names one.
    Held {
        pid: Option<u32>,
    },
    Io(std::io::Error),
}

/// The PID written in the file, if any.
pub fn read_pid(path: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    text.trim().parse().ok().filter(|p| *p > 0)
}

/// True when some process holds the lock now (probed with a shared lock, without writing to
/// the file).
pub fn is_held(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    matches!(
        Flock::lock(file, FlockArg::LockSharedNonblock),
        Err((_, Errno::EWOULDBLOCK))
    )
}

/// Takes the lock without waiting and writes this process's PID into the file, which is
/// created if missing (its folder must exist).
pub fn try_lock(path: &Path) -> Result<PidLock, PidLockError> {
    // Append mode, as 1.7.4 opens `backup.pid`; the file is emptied once the lock is ours.
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(PidLockError::Io)?;
    let mut file = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(f) => f,
        Err((_, Errno::EWOULDBLOCK)) => {
            return Err(PidLockError::Held {
                pid: read_pid(path),
            })
        }
        Err((_, e)) => return Err(PidLockError::Io(e.into())),
    };
    file.set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)).map(|_| ()))
        .and_then(|()| file.write_all(std::process::id().to_string().as_bytes()))
        .and_then(|()| file.flush())
        .map_err(PidLockError::Io)?;
    Ok(PidLock {
        _file: file,
        path: path.to_path_buf(),
    })
}

/// [`try_lock`], creating the file's folder first (for agsekit's own state folder).
pub fn try_lock_creating_folder(path: &Path) -> Result<PidLock, PidLockError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(PidLockError::Io)?;
    }
    try_lock(path)
}

/// Why [`clear_stale`] did not empty the file.
#[derive(Debug)]
pub enum ClearError {
    /// The file could not be opened.
    Open(std::io::Error),
    /// Someone holds the lock (or it could not be taken).
    Held,
    /// The lock was taken but the file could not be emptied.
    Clear(std::io::Error),
}

/// Empties an existing pid file nobody holds, taking the lock while doing so.
pub fn clear_stale(path: &Path) -> Result<(), ClearError> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(ClearError::Open)?;
    let locked =
        Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|_| ClearError::Held)?;
    locked.set_len(0).map_err(ClearError::Clear)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sub/daemon.pid");
        assert!(!is_held(&path));
        let first = try_lock_creating_folder(&path).expect("lock");
        assert!(is_held(&path));
        assert_eq!(read_pid(&path), Some(std::process::id()));
        assert!(matches!(
            try_lock(&path),
            Err(PidLockError::Held { pid: Some(p) }) if p == std::process::id()
        ));
        assert!(matches!(clear_stale(&path), Err(ClearError::Held)));
        drop(first);
        assert!(!is_held(&path));
        assert!(path.exists(), "the file is never deleted");
        clear_stale(&path).expect("clear");
        assert_eq!(read_pid(&path), None);
        assert!(try_lock(&path).is_ok());
    }

    #[test]
    fn a_stale_pid_does_not_block_and_is_replaced() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("backup.pid");
        std::fs::write(&path, "999999999").expect("write");
        let lock = try_lock(&path).expect("a stale file is no lock");
        assert_eq!(read_pid(&lock.path), Some(std::process::id()));
    }
}
