//! The review printed when an agent session ends: what changed in the project since the
//! snapshot taken before the session, the largest deletions, and loud warnings for changes to
//! protected paths (git hooks, CI files, editor and agent settings: places where code planted
//! by an agent runs later on the host), with the one command that restores them.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::backup::diff::{Change, ChangeKind};
use crate::backup::manifest::EntryKind;
use crate::backup::rules::Protected;

/// A summary of one session's changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The snapshot the live folder was compared with (taken before the session).
    pub snapshot: String,
    /// The project folder on the host.
    pub source: PathBuf,
    /// Counts of files and links (folders are not counted).
    pub added: usize,
    pub modified: usize,
    pub deleted: usize,
    /// The largest deleted files, largest first (at most five).
    pub largest_deletions: Vec<(PathBuf, u64)>,
    /// Changed paths under `protected_paths`, in path order.
    pub protected: Vec<(PathBuf, ChangeKind)>,
    /// Regular files of the snapshot that are gone (the tripwire's count; `deleted` also
    /// counts symlinks).
    pub deleted_files: u64,
    /// Mass deletions the tripwire caught during the session (each pinned a snapshot).
    pub mass_deletions: Vec<MassDeletionNote>,
    /// `.backupignore` files whose text is not accepted: their rules were not applied to
    /// this review, and backups keep what the last snapshot held until they are accepted.
    pub pending_rules: Vec<crate::backup::rules::PendingRules>,
}

/// A mass deletion to show in the review: `gone` of `of` files of snapshot `previous`
/// (now pinned) were gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MassDeletionNote {
    pub previous: String,
    pub gone: u64,
    pub of: u64,
}

impl Review {
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.modified == 0 && self.deleted == 0
    }

    /// Worth interrupting a quiet session for: something was deleted or a protected path
    /// changed.
    pub fn needs_attention(&self) -> bool {
        self.deleted > 0
            || !self.protected.is_empty()
            || !self.mass_deletions.is_empty()
            || !self.pending_rules.is_empty()
    }
}

/// True when `path` (relative to the project) is covered by a protected pattern: `dir/`
/// covers the folder and everything in it, a name without `/` at the end covers that path
/// and, if it is a folder, everything in it. Every `.backupignore` is protected too: a
/// changed ignore file changes what the snapshots keep.
pub fn is_protected(path: &Path, patterns: &[String]) -> bool {
    Protected::new(patterns).covers(path.as_os_str().as_bytes())
}

/// Builds the review from the changes between the pre-session snapshot and the live folder.
pub fn review(snapshot: &str, source: &Path, changes: &[Change], patterns: &[String]) -> Review {
    let mut r = Review {
        snapshot: snapshot.to_string(),
        source: source.to_path_buf(),
        added: 0,
        modified: 0,
        deleted: 0,
        largest_deletions: Vec::new(),
        protected: Vec::new(),
        deleted_files: 0,
        mass_deletions: Vec::new(),
        pending_rules: Vec::new(),
    };
    let mut deletions: Vec<(PathBuf, u64)> = Vec::new();
    let protection = Protected::new(patterns);
    for change in changes {
        if protection.covers(change.path.as_os_str().as_bytes()) {
            r.protected.push((change.path.clone(), change.kind));
        }
        if change.entry_kind() == EntryKind::Dir {
            continue;
        }
        match change.kind {
            ChangeKind::Added => r.added += 1,
            ChangeKind::Modified => r.modified += 1,
            ChangeKind::Deleted => {
                r.deleted += 1;
                r.deleted_files += u64::from(change.entry_kind() == EntryKind::File);
                let size = change.old.as_ref().map(|e| e.meta.size).unwrap_or(0);
                deletions.push((change.path.clone(), size));
            }
        }
    }
    deletions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    deletions.truncate(5);
    r.largest_deletions = deletions;
    r
}

/// The command that restores the protected paths that changed (or everything deleted when
/// no protected path changed), shell-quoted (a path with terminal controls or bytes that are
/// not UTF-8 in `$'...'` with `\xNN` escapes: shown safely, and still the same path).
pub fn restore_command(r: &Review) -> Option<String> {
    let paths: Vec<&Path> = if !r.protected.is_empty() {
        r.protected.iter().map(|(p, _)| p.as_path()).collect()
    } else if r.deleted > 0 {
        return Some(format!(
            "agsekit restore --mount {} {}",
            shell_words::quote(&r.source.to_string_lossy()),
            r.snapshot
        ));
    } else {
        return None;
    };
    // Only the top-most protected paths: restoring a folder restores what is inside it.
    let mut top: Vec<&Path> = Vec::new();
    for p in paths {
        if !top.iter().any(|t| p.starts_with(t)) {
            top.push(p);
        }
    }
    // Files the agent created there are removed only with --delete-new.
    let added = r.protected.iter().any(|(_, k)| *k == ChangeKind::Added);
    Some(format!(
        "agsekit restore --mount {}{} {} {}",
        shell_words::quote(&r.source.to_string_lossy()),
        if added { " --delete-new" } else { "" },
        r.snapshot,
        top.iter()
            .map(|p| crate::ui::untrusted::shell_word(p))
            .collect::<Vec<_>>()
            .join(" ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::diff::Entry;
    use crate::backup::fsx::Meta;

    fn entry(kind: EntryKind, size: u64) -> Entry {
        Entry {
            kind,
            meta: Meta {
                size,
                ..Meta::default()
            },
            target: None,
        }
    }

    fn change(path: &str, kind: ChangeKind, ek: EntryKind, size: u64) -> Change {
        let e = entry(ek, size);
        Change {
            path: path.into(),
            kind,
            old: (kind != ChangeKind::Added).then(|| e.clone()),
            new: (kind != ChangeKind::Deleted).then_some(e),
        }
    }

    fn defaults() -> Vec<String> {
        crate::config::DEFAULT_PROTECTED_PATHS
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn protected_patterns() {
        let p = defaults();
        assert!(is_protected(Path::new(".git/hooks/pre-commit"), &p));
        assert!(is_protected(Path::new(".git/config"), &p));
        assert!(!is_protected(Path::new(".git/objects/ab/cd"), &p));
        assert!(is_protected(Path::new(".github/workflows/ci.yml"), &p));
        assert!(!is_protected(Path::new(".github/CODEOWNERS"), &p));
        assert!(is_protected(Path::new(".envrc"), &p));
        assert!(!is_protected(Path::new("src/.envrc.md"), &p));
        assert!(!is_protected(Path::new(".envrc2"), &p));
    }

    #[test]
    fn review_counts_files_ranks_deletions_and_flags_protected_paths() {
        let changes = vec![
            change(".git/hooks", ChangeKind::Added, EntryKind::Dir, 0),
            change(
                ".git/hooks/post-checkout",
                ChangeKind::Added,
                EntryKind::File,
                10,
            ),
            change("big.bin", ChangeKind::Deleted, EntryKind::File, 5000),
            change("src", ChangeKind::Deleted, EntryKind::Dir, 0),
            change("src/a.rs", ChangeKind::Deleted, EntryKind::File, 300),
            change("src/b.rs", ChangeKind::Modified, EntryKind::File, 20),
        ];
        let r = review(
            "20260101-120000",
            Path::new("/home/u/p x"),
            &changes,
            &defaults(),
        );
        assert_eq!((r.added, r.modified, r.deleted), (1, 1, 2));
        assert_eq!(
            r.largest_deletions,
            vec![
                (PathBuf::from("big.bin"), 5000),
                (PathBuf::from("src/a.rs"), 300)
            ]
        );
        assert_eq!(
            r.protected,
            vec![
                (PathBuf::from(".git/hooks"), ChangeKind::Added),
                (PathBuf::from(".git/hooks/post-checkout"), ChangeKind::Added)
            ]
        );
        assert!(r.needs_attention());
        assert_eq!(
            restore_command(&r).unwrap(),
            "agsekit restore --mount '/home/u/p x' --delete-new 20260101-120000 .git/hooks"
        );
    }

    #[test]
    fn a_hostile_protected_path_is_quoted_so_the_command_shows_nothing_raw() {
        let changes = vec![change(
            ".git/hooks/\r\x1b[2Kok\n",
            ChangeKind::Added,
            EntryKind::File,
            1,
        )];
        let r = review("s", Path::new("/p"), &changes, &defaults());
        assert_eq!(
            restore_command(&r).unwrap(),
            "agsekit restore --mount /p --delete-new s $'.git/hooks/\\r\\x1b[2Kok\\n'"
        );
    }

    #[test]
    fn a_quiet_session_needs_no_attention() {
        let changes = vec![change("a", ChangeKind::Modified, EntryKind::File, 1)];
        let r = review("s", Path::new("/p"), &changes, &defaults());
        assert!(!r.needs_attention());
        assert_eq!(restore_command(&r), None);
    }
}
