//! A single-instance lock: an exclusive `flock` on a file that holds the owner's PID. The
//! kernel drops the lock when the owner dies, so a stale file never blocks anyone.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A held lock; released on drop or when the process dies.
#[derive(Debug)]
pub struct PidLock {
    _file: nix::fcntl::Flock<File>,
    pub path: PathBuf,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum PidLockError {
    /// Another live process holds it.
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

/// True when some process holds the lock now (probed without writing to the file).
pub fn is_held(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    match nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockSharedNonblock) {
        Ok(_) => false,
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => true,
        Err(_) => false,
    }
}

/// Takes the lock without waiting and writes this process's PID into the file.
pub fn try_lock(path: &Path) -> Result<PidLock, PidLockError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(PidLockError::Io)?;
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(PidLockError::Io)?;
    let mut file = match nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock)
    {
        Ok(f) => f,
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sub/daemon.pid");
        assert!(!is_held(&path));
        let first = try_lock(&path).expect("lock");
        assert!(is_held(&path));
        assert_eq!(read_pid(&path), Some(std::process::id()));
        assert!(matches!(
            try_lock(&path),
            Err(PidLockError::Held { pid: Some(p) }) if p == std::process::id()
        ));
        drop(first);
        assert!(!is_held(&path));
        assert!(try_lock(&path).is_ok());
    }
}
