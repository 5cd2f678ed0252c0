//! The no-change check's floor: a bare `lstat` of every entry of the tree, spread over as
//! many threads as there are cores (what agsekit's walk can use). The bench runs itself with
//! `--stat-walk DIR` so this is a process of its own, timed like every other column.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Walks `root` on `threads` threads; returns how many entries it stat'ed.
pub fn stat_walk(root: PathBuf, threads: usize) -> usize {
    let stack = Mutex::new(vec![root]);
    // Folders queued or being listed: the walk ends when this reaches zero.
    let pending = AtomicUsize::new(1);
    let seen = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let next = stack.lock().unwrap().pop();
                let Some(dir) = next else {
                    if pending.load(Ordering::Acquire) == 0 {
                        return;
                    }
                    std::thread::yield_now();
                    continue;
                };
                let mut n = 0;
                if let Ok(rd) = fs::read_dir(&dir) {
                    for entry in rd.flatten() {
                        // DirEntry::metadata is an lstat relative to the folder's fd.
                        let Ok(meta) = entry.metadata() else { continue };
                        n += 1;
                        if meta.is_dir() {
                            pending.fetch_add(1, Ordering::AcqRel);
                            stack.lock().unwrap().push(entry.path());
                        }
                    }
                }
                seen.fetch_add(n, Ordering::Relaxed);
                pending.fetch_sub(1, Ordering::AcqRel);
            });
        }
    });
    seen.into_inner()
}
