//! Copying one regular file's data so that the copy never needs more space than the data:
//!
//! 1. a reflink (`FICLONE`) where the filesystem can share extents (btrfs, XFS with reflink,
//!    bcachefs): instant and free until either side changes; refused (`EOPNOTSUPP`, `EXDEV`,
//!    `EINVAL`, ...) on ext4, tmpfs or across filesystems, then silently
//! 2. only the data extents, found with `SEEK_DATA` / `SEEK_HOLE`, copied with the kernel's
//!    `copy_file_range` (or `pread`/`pwrite` where that is refused), holes left as holes, and
//!    the length set with `ftruncate`. A file the agent made with `truncate -s 1T` (no data)
//!    costs nothing; on a filesystem without hole reporting the whole file counts as data.
//!
//! Used by snapshots and by restore. Checks for a stop request between chunks, so a huge
//! file does not delay Ctrl-C.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;

use nix::errno::Errno;
use nix::unistd::{lseek, Whence};

use super::fsx::io_err;
use super::Interrupt;

/// The most copied in one call between two stop checks.
const CHUNK: u64 = 64 << 20;

/// What [`copy_data`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Copied {
    /// The copy's length (the source's logical size when the copy ended).
    pub len: u64,
    /// Bytes of data actually written (0 for a reflink).
    pub data: u64,
    /// Made by a reflink.
    pub cloned: bool,
}

/// How [`copy_with`] may copy (both on for [`copy_data`]): a caller copying many files
/// between the same two filesystems skips what it learnt does not work, and files without
/// holes skip the hole search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyOptions {
    /// Try a reflink first.
    pub clone: bool,
    /// Look for holes (`SEEK_DATA`); without it the whole length is copied as data, so pass
    /// `false` only for a file whose allocated size is at least its length.
    pub holes: bool,
}

/// Copies all of `input` into the empty file `out` (both open; `out` for writing). A stop
/// request is an `Interrupted` error; `ENOSPC`/`EDQUOT` come back as they are.
pub fn copy_data(input: &File, out: &File, interrupt: &Interrupt) -> io::Result<Copied> {
    copy_with(
        input,
        out,
        interrupt,
        CopyOptions {
            clone: true,
            holes: true,
        },
    )
    .map(|(copied, _)| copied)
}

/// [`copy_data`] with options; also says whether this filesystem pair refused to clone
/// (`EOPNOTSUPP`, `EXDEV`, ...: no use trying again for other files between them).
pub fn copy_with(
    input: &File,
    out: &File,
    interrupt: &Interrupt,
    options: CopyOptions,
) -> io::Result<(Copied, bool)> {
    let mut refused = false;
    if options.clone {
        match try_clone(input, out)? {
            Cloned::Done(done) => return Ok((done, false)),
            Cloned::Refused => refused = true,
            Cloned::Failed => {}
        }
    }
    let copied = if options.holes {
        copy_extents(input, out, interrupt)?
    } else {
        copy_range(input, out, interrupt)?
    };
    Ok((copied, refused))
}

/// What a reflink attempt gave.
enum Cloned {
    Done(Copied),
    /// The filesystem (pair) cannot clone at all.
    Refused,
    /// Not this time (for example `EINVAL`); copy instead.
    Failed,
}

/// `FICLONE`; anything but a full disk falls back to copying.
fn try_clone(input: &File, out: &File) -> io::Result<Cloned> {
    // SAFETY: FICLONE takes the source descriptor as its argument; both descriptors are open
    // for the duration of the call.
    let rc = unsafe { libc::ioctl(out.as_raw_fd(), libc::FICLONE, input.as_raw_fd()) };
    if rc == 0 {
        let len = out.metadata()?.len();
        return Ok(Cloned::Done(Copied {
            len,
            data: 0,
            cloned: true,
        }));
    }
    let err = io::Error::last_os_error();
    if super::fsx::is_no_space(&err) {
        return Err(err);
    }
    // EOPNOTSUPP, EXDEV, EINVAL, ENOTTY, ENOSYS, ...: no cloning here. Make sure nothing of
    // a failed attempt stays in `out`.
    out.set_len(0)?;
    let refused = matches!(
        err.raw_os_error(),
        Some(libc::EOPNOTSUPP | libc::EXDEV | libc::ENOTTY | libc::ENOSYS)
    );
    Ok(if refused {
        Cloned::Refused
    } else {
        Cloned::Failed
    })
}

/// Copies the length `input` has now as data (a file without holes). Never more: a file
/// made huge and sparse while it is copied is not filled in with zeros (its change of size is
/// seen by the caller, which copies it again, holes kept).
fn copy_range(input: &File, out: &File, interrupt: &Interrupt) -> io::Result<Copied> {
    let limit = input.metadata()?.len();
    let mut plain = false;
    let mut pos: i64 = 0;
    let mut data = 0u64;
    while data < limit {
        if interrupt.is_set() {
            return Err(stopped());
        }
        let n = copy_chunk(input, out, pos, (limit - data).min(CHUNK), &mut plain)?;
        if n == 0 {
            break;
        }
        data += n;
        pos += n as i64;
    }
    Ok(Copied {
        len: data,
        data,
        cloned: false,
    })
}

/// Copies up to `want` bytes at `pos` (same offset on both sides) with `copy_file_range`,
/// or `pread`/`pwrite` once the kernel's copy was refused; 0 at the end of the file.
fn copy_chunk(input: &File, out: &File, pos: i64, want: u64, plain: &mut bool) -> io::Result<u64> {
    if *plain {
        return copy_plain(input, out, pos as u64, want);
    }
    let mut off_in = pos;
    let mut off_out = pos;
    match nix::fcntl::copy_file_range(
        input,
        Some(&mut off_in),
        out,
        Some(&mut off_out),
        want as usize,
    ) {
        Ok(n) => Ok(n as u64),
        Err(Errno::EXDEV | Errno::ENOSYS | Errno::EOPNOTSUPP | Errno::EINVAL) => {
            *plain = true;
            copy_plain(input, out, pos as u64, want)
        }
        Err(e) => Err(io_err(e)),
    }
}

fn stopped() -> io::Error {
    io::Error::new(
        io::ErrorKind::Interrupted,
        crate::t!("backup.stop_requested"),
    )
}

fn copy_extents(input: &File, out: &File, interrupt: &Interrupt) -> io::Result<Copied> {
    let fd = input.as_raw_fd();
    let mut data_total = 0u64;
    let mut at: i64 = 0;
    // When the kernel's copy is refused (some filesystem pairs), read and write instead.
    let mut plain = false;
    loop {
        if interrupt.is_set() {
            return Err(stopped());
        }
        let start = match lseek(fd, at, Whence::SeekData) {
            Ok(o) => o,
            // No data after `at`: the rest is a hole (or the end of the file).
            Err(Errno::ENXIO) => break,
            // No hole reporting: everything from here is data.
            Err(Errno::EINVAL) => at,
            Err(e) => return Err(io_err(e)),
        };
        let end = match lseek(fd, start, Whence::SeekHole) {
            Ok(o) => o,
            Err(Errno::ENXIO) => break, // shrank meanwhile
            Err(Errno::EINVAL) => lseek(fd, 0, Whence::SeekEnd).map_err(io_err)?,
            Err(e) => return Err(io_err(e)),
        };
        if end <= start {
            break;
        }
        let mut pos = start;
        while pos < end {
            if interrupt.is_set() {
                return Err(stopped());
            }
            let want = ((end - pos) as u64).min(CHUNK);
            let n = copy_chunk(input, out, pos, want, &mut plain)?;
            if n == 0 {
                break; // the file shrank meanwhile
            }
            data_total += n;
            pos += n as i64;
        }
        at = end;
    }
    let len = input.metadata()?.len();
    out.set_len(len)?;
    Ok(Copied {
        len,
        data: data_total,
        cloned: false,
    })
}

/// Copies up to `len` bytes at offset `at` with `pread`/`pwrite`; returns the bytes copied
/// (fewer at the end of the file).
fn copy_plain(input: &File, out: &File, at: u64, len: u64) -> io::Result<u64> {
    let mut buf = vec![0u8; len.min(1 << 20) as usize];
    let mut done = 0u64;
    while done < len {
        let want = (len - done).min(buf.len() as u64) as usize;
        let n = match input.read_at(&mut buf[..want], at + done) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all_at(&buf[..n], at + done)?;
        done += n as u64;
    }
    Ok(done)
}

/// Bytes a file occupies on disk (`st_blocks` × 512): for a sparse file much less than its
/// length, for a file with preallocated space possibly more.
pub fn allocated_bytes(st: &nix::sys::stat::FileStat) -> u64 {
    (st.st_blocks.max(0) as u64).saturating_mul(512)
}

/// Space available to an unprivileged writer on the filesystem of `dir` (`f_bavail`).
pub fn available_bytes(dir: &super::fsx::Dir) -> io::Result<u64> {
    let st = nix::sys::statvfs::fstatvfs(dir).map_err(io_err)?;
    Ok((st.blocks_available() as u64).saturating_mul(st.fragment_size() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn holes_stay_holes_and_the_content_is_identical() {
        let dir = tempfile::tempdir().expect("tmp");
        let src_path = dir.path().join("sparse");
        let mut src = File::create(&src_path).expect("create");
        src.set_len(1 << 30).expect("truncate"); // 1 GiB, no data
        for (at, text) in [
            (0u64, &b"head"[..]),
            (300 << 20, b"middle"),
            ((1 << 30) - 3, b"end"),
        ] {
            src.seek(SeekFrom::Start(at)).expect("seek");
            src.write_all(text).expect("write");
        }
        src.sync_all().expect("sync");
        drop(src);
        let input = File::open(&src_path).expect("open");
        let out_path = dir.path().join("copy");
        let out = File::create(&out_path).expect("create");
        let copied = copy_data(&input, &out, &Interrupt::none()).expect("copy");
        drop(out);
        let md = std::fs::metadata(&out_path).expect("stat");
        assert_eq!(md.len(), 1 << 30, "logical size kept");
        assert_eq!(copied.len, 1 << 30);
        let allocated = md.blocks() * 512;
        println!(
            "1 GiB sparse copy: st_blocks {} ({} bytes allocated), data written {}, cloned {}",
            md.blocks(),
            allocated,
            copied.data,
            copied.cloned
        );
        assert!(
            allocated < 16 << 20,
            "allocated {allocated} bytes for 1 GiB"
        );
        let mut f = File::open(&out_path).expect("open");
        for (at, text) in [
            (0u64, &b"head"[..]),
            (300 << 20, b"middle"),
            ((1 << 30) - 3, b"end"),
        ] {
            let mut buf = vec![0u8; text.len()];
            f.seek(SeekFrom::Start(at)).expect("seek");
            f.read_exact(&mut buf).expect("read");
            assert_eq!(buf, text);
        }
        let mut zeros = vec![1u8; 4096];
        f.seek(SeekFrom::Start(500 << 20)).expect("seek");
        f.read_exact(&mut zeros).expect("read");
        assert!(zeros.iter().all(|b| *b == 0), "a hole reads as zeros");
    }

    #[test]
    fn a_dense_file_and_an_empty_file_copy_exactly() {
        let dir = tempfile::tempdir().expect("tmp");
        for content in [
            Vec::new(),
            (0..200_000u32).map(|i| (i % 251) as u8).collect(),
        ] {
            let src_path = dir.path().join("in");
            std::fs::write(&src_path, &content).expect("write");
            let out_path = dir.path().join("out");
            let _ = std::fs::remove_file(&out_path);
            let input = File::open(&src_path).expect("open");
            let out = File::create(&out_path).expect("create");
            let copied = copy_data(&input, &out, &Interrupt::none()).expect("copy");
            assert_eq!(copied.len, content.len() as u64);
            assert_eq!(std::fs::read(&out_path).expect("read"), content);
        }
    }

    #[test]
    fn every_option_combination_copies_exactly() {
        let dir = tempfile::tempdir().expect("tmp");
        let content: Vec<u8> = (0..300_000u32).map(|i| (i % 241) as u8).collect();
        let src_path = dir.path().join("in");
        std::fs::write(&src_path, &content).expect("write");
        for clone in [false, true] {
            for holes in [false, true] {
                let out_path = dir.path().join(format!("out-{clone}-{holes}"));
                let input = File::open(&src_path).expect("open");
                let out = File::create(&out_path).expect("create");
                let (copied, _) = copy_with(
                    &input,
                    &out,
                    &Interrupt::none(),
                    CopyOptions { clone, holes },
                )
                .expect("copy");
                assert_eq!(copied.len, content.len() as u64);
                assert_eq!(std::fs::read(&out_path).expect("read"), content);
            }
        }
    }

    #[test]
    fn a_stop_request_interrupts_the_copy() {
        let dir = tempfile::tempdir().expect("tmp");
        let src_path = dir.path().join("in");
        std::fs::write(&src_path, b"data").expect("write");
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let input = File::open(&src_path).expect("open");
        let out = File::create(dir.path().join("out")).expect("create");
        let r = copy_extents(&input, &out, &Interrupt::new(flag));
        assert_eq!(r.map_err(|e| e.kind()), Err(io::ErrorKind::Interrupted));
    }
}
