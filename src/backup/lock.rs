//! One writer per destination: the pid-lock ([`crate::pidlock`]) on `<dest>/backup.pid`, the
//! same lock agsekit 1.7.4 takes (portalocker uses `flock` on POSIX), so the two tools exclude
//! each other. The holder's PID is written into the file. The kernel releases the lock when
//! the holder dies, so a dead holder's stale PID never blocks anyone; the file itself is never
//! deleted (deleting a locked file would let a second writer lock a new inode).

use std::path::{Path, PathBuf};

use crate::pidlock::{self, PidLockError};
use crate::{t, ErrorKind, UserError};

/// The lock file's name inside the destination.
pub const LOCK_FILE: &str = "backup.pid";

/// A held destination lock; released on drop (or when the process dies).
pub type DestLock = pidlock::PidLock;

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it; its PID when the file names one.
    Held {
        pid: Option<u32>,
        path: PathBuf,
    },
    Io(std::io::Error, PathBuf),
}

impl LockError {
    /// The error a user sees (exit status 6 for a held lock).
    pub fn into_user_error(self, dest: &Path) -> anyhow::Error {
        match self {
            LockError::Held { pid, path } => {
                let who = pid
                    .map(|p| format!("PID {p}"))
                    .unwrap_or_else(|| t!("backup.another_process"));
                UserError::new(
                    ErrorKind::Locked,
                    t!(
                        "backup.locked",
                        dest = dest.display(),
                        who = who,
                        lock = path.display()
                    ),
                )
                .hint(t!("backup.locked_hint"))
                .into()
            }
            LockError::Io(err, path) => {
                anyhow::anyhow!(t!("backup.cannot_lock", path = path.display(), error = err))
            }
        }
    }
}

/// Reads the PID recorded in a lock file.
pub fn read_pid(path: &Path) -> Option<u32> {
    pidlock::read_pid(path)
}

/// Takes the lock without waiting. The destination folder must exist.
pub fn try_lock(dest: &Path) -> Result<DestLock, LockError> {
    let path = dest.join(LOCK_FILE);
    pidlock::try_lock(&path).map_err(|e| match e {
        PidLockError::Held { pid } => LockError::Held { pid, path },
        PidLockError::Io(err) => LockError::Io(err, path),
    })
}

/// Takes the lock, retrying for up to `max_wait` while another process holds it (for a
/// blocking snapshot that should wait for a snapshot in progress to finish rather than fail).
pub fn lock_waiting(
    dest: &Path,
    max_wait: std::time::Duration,
    interrupt: &super::Interrupt,
) -> Result<DestLock, LockError> {
    let deadline = std::time::Instant::now() + max_wait;
    loop {
        match try_lock(dest) {
            Err(LockError::Held { .. })
                if std::time::Instant::now() < deadline && !interrupt.is_set() =>
            {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_with_holder_pid_and_released_on_drop() {
        let dir = tempfile::tempdir().expect("tmp");
        let held = try_lock(dir.path()).expect("first lock");
        assert_eq!(read_pid(&held.path), Some(std::process::id()));
        match try_lock(dir.path()) {
            Err(LockError::Held { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(held);
        let again = try_lock(dir.path()).expect("lock after release");
        drop(again);
    }

    #[test]
    fn lock_waiting_gets_the_lock_once_the_holder_lets_go() {
        let dir = tempfile::tempdir().expect("tmp");
        let held = try_lock(dir.path()).expect("first lock");
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            drop(held);
        });
        let got = lock_waiting(
            dir.path(),
            std::time::Duration::from_secs(60),
            &super::super::Interrupt::none(),
        );
        assert!(got.is_ok(), "{got:?}");
        releaser.join().expect("join");
        // Without waiting, a held lock is refused at once.
        let _held = got.expect("lock");
        let refused = lock_waiting(
            dir.path(),
            std::time::Duration::ZERO,
            &super::super::Interrupt::none(),
        );
        assert!(matches!(refused, Err(LockError::Held { .. })));
    }

    #[test]
    fn stale_pid_file_does_not_block() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join(LOCK_FILE), "999999").expect("write");
        let lock = try_lock(dir.path()).expect("stale file is no lock");
        assert_eq!(read_pid(&lock.path), Some(std::process::id()));
    }
}
