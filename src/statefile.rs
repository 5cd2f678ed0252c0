//! Small files agsekit keeps its own state in (snapshot pins, the agent version cache, the
//! daemon's service unit), replaced atomically: readers see the old contents or the new,
//! never a half-written file, even if agsekit is killed mid-write.

use std::io::{self, Write};
use std::path::Path;

/// Replaces `path` with `bytes`: written to a temporary file beside it (named with this
/// process's id, so two writers never share one), synced, then renamed over `path`. On
/// failure the temporary file is removed and `path` is left as it was.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
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
}
