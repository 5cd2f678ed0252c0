//! The built-in protected paths: where an agent (or a prompt injection) can plant code that
//! runs later on the host. One list for the snapshot engine (its default when no list is
//! given, and the paths no `.backupignore` can leave out: `backup::rules::Protected`) and the
//! config (the default of `global.review.protected_paths`); a foundation module, because
//! `backup` may not import `config`.

/// Relative paths from a mount's source; a trailing `/` names a folder and everything in it.
pub const DEFAULT_PROTECTED_PATHS: [&str; 16] = [
    ".git/hooks/",
    ".git/config",
    ".gitmodules",
    ".gitattributes",
    ".envrc",
    ".env",
    ".github/workflows/",
    ".gitlab-ci.yml",
    ".vscode/",
    ".idea/",
    ".mcp.json",
    ".claude/",
    ".codex/",
    ".gemini/",
    ".qwen/",
    ".cursor/",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry is a relative path without `..` (it is joined to a mount's source), named
    /// once; folders end in `/`, and git's hooks and CI workflows are among them.
    #[test]
    fn the_list_is_relative_unique_and_covers_hooks_and_ci() {
        let mut seen = std::collections::BTreeSet::new();
        for p in DEFAULT_PROTECTED_PATHS {
            assert!(
                !p.starts_with('/') && !p.split('/').any(|c| c == ".."),
                "{p}"
            );
            assert!(seen.insert(p.trim_end_matches('/')), "{p} twice");
        }
        assert!(DEFAULT_PROTECTED_PATHS.contains(&".git/hooks/"));
        assert!(DEFAULT_PROTECTED_PATHS.contains(&".github/workflows/"));
    }
}
