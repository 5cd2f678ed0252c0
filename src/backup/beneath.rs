//! Reaching a path below a root one component at a time through open directory handles,
//! never following a symlink: what `diff`, `history` and `restore` use to read snapshots
//! and the live folder, so a symlink (or a folder swapped for one meanwhile) can never make
//! them read or write outside the tree they were pointed at.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::diff::Entry;
use super::fsx::{Dir, FileKind};
use super::manifest::EntryKind;

/// The normal components of a relative path; `..`, a root or a prefix are refused.
pub fn components(rel: &Path) -> io::Result<Vec<&OsStr>> {
    let mut out = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    crate::t!("backup.not_plain_relative", path = rel.display()),
                ))
            }
        }
    }
    Ok(out)
}

/// Lexically normalizes a path typed by the user relative to `root`: absolute paths must lie
/// below `root`; `.` and `..` are resolved without touching the disk. `None` when it points
/// outside `root`.
pub fn relative_to(root: &Path, path: &Path, cwd: &Path) -> Option<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else if cwd.starts_with(root) {
        cwd.join(path)
    } else {
        root.join(path)
    };
    let mut parts: Vec<&OsStr> = Vec::new();
    for c in absolute.components() {
        match c {
            Component::Normal(n) => parts.push(n),
            Component::ParentDir => {
                parts.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    let normal: PathBuf = std::iter::once(OsStr::new("/")).chain(parts).collect();
    normal.strip_prefix(root).ok().map(Path::to_path_buf)
}

/// Opens the directory `rel` below `root` (`root` itself for an empty path).
pub fn open_dir(root: &Dir, rel: &Path) -> io::Result<Dir> {
    let mut cur = root.open_dir(OsStr::new("."))?;
    for name in components(rel)? {
        cur = cur.open_dir(name)?;
    }
    Ok(cur)
}

/// Opens the parent directory of `rel` and returns it with the last component.
pub fn open_parent<'a>(root: &Dir, rel: &'a Path) -> io::Result<(Dir, &'a OsStr)> {
    let parts = components(rel)?;
    let Some((last, parents)) = parts.split_last() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            crate::t!("backup.root_no_parent"),
        ));
    };
    let mut cur = root.open_dir(OsStr::new("."))?;
    for name in parents {
        cur = cur.open_dir(name)?;
    }
    Ok((cur, last))
}

/// True for the errors that mean "nothing (reachable without following a link) is there".
pub fn is_absent(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::ENOENT) | Some(libc::ENOTDIR) | Some(libc::ELOOP)
    )
}

/// What is at `rel` below `root` (`None` when nothing is, or a parent is not a real folder).
pub fn entry(root: &Dir, rel: &Path) -> io::Result<Option<Entry>> {
    let (parent, name) = match open_parent(root, rel) {
        Ok(p) => p,
        Err(e) if is_absent(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = match parent.stat(name) {
        Ok(m) => m,
        Err(e) if is_absent(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let (kind, target) = match meta.kind() {
        FileKind::Dir => (EntryKind::Dir, None),
        FileKind::Symlink => (EntryKind::Symlink, Some(parent.readlink(name)?)),
        FileKind::File => (EntryKind::File, None),
        // Fifos, sockets and devices are never backed up or restored.
        _ => return Ok(None),
    };
    Ok(Some(Entry { kind, meta, target }))
}

/// Opens the regular file `rel` below `root` for reading.
pub fn open_file(root: &Dir, rel: &Path) -> io::Result<File> {
    let (parent, name) = open_parent(root, rel)?;
    parent.open_read(name)
}

/// Reads at most `limit` bytes of the regular file `rel`; `Ok(None)` when it is larger.
pub fn read_small(root: &Dir, rel: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = open_file(root, rel)?;
    let mut buf = Vec::new();
    file.take(limit + 1).read_to_end(&mut buf)?;
    Ok((buf.len() as u64 <= limit).then_some(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_paths_become_paths_below_the_root() {
        let root = Path::new("/p/proj");
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("src/a.rs", "/p/proj", Some("src/a.rs")),
            ("a.rs", "/p/proj/src", Some("src/a.rs")),
            ("src/a.rs", "/elsewhere", Some("src/a.rs")),
            ("/p/proj/x/../y", "/", Some("y")),
            ("/p/proj", "/", Some("")),
            ("../other", "/p/proj", None),
            ("/etc/passwd", "/p/proj", None),
            ("./", "/p/proj/sub", Some("sub")),
        ];
        for (path, cwd, want) in cases {
            let got = relative_to(root, Path::new(path), Path::new(cwd));
            assert_eq!(got.as_deref(), want.map(Path::new), "{path} from {cwd}");
        }
    }

    #[test]
    fn never_follows_a_symlinked_folder() {
        let tmp = tempfile::tempdir().expect("tmp");
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).expect("mkdir");
        std::fs::write(outside.join("secret"), "s").expect("write");
        let root = tmp.path().join("root");
        std::fs::create_dir(&root).expect("mkdir");
        std::os::unix::fs::symlink(&outside, root.join("link")).expect("symlink");
        let dir = Dir::open_path(&root).expect("open");
        assert!(entry(&dir, Path::new("link/secret"))
            .expect("entry")
            .is_none());
        assert!(open_file(&dir, Path::new("link/secret")).is_err());
        let link = entry(&dir, Path::new("link"))
            .expect("entry")
            .expect("some");
        assert_eq!(link.kind, EntryKind::Symlink);
        assert_eq!(link.target.as_deref(), Some(outside.as_os_str()));
    }
}
