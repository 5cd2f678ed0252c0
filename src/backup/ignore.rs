//! `.backupignore` rules: gitignore syntax and precedence, evaluated while walking.
//!
//! Each directory may hold a `.backupignore`; its patterns are relative to that directory.
//! For a path, the deepest file with a matching pattern decides, and inside one file the last
//! matching line wins (so `!keep.log` after `*.log` re-includes). `--exclude` patterns are
//! gitignore patterns relative to the source root and take precedence over every
//! `.backupignore` (as git gives command-line patterns precedence). An excluded directory is
//! not entered, so nothing below it can be re-included (git behaves the same).

use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

/// The file name read in every directory.
pub const IGNORE_FILE: &str = ".backupignore";

/// Rules of one `.backupignore` (or of the `--exclude` list).
#[derive(Debug, Clone)]
pub struct RuleSet {
    matcher: Arc<Gitignore>,
}

impl RuleSet {
    /// Builds rules from gitignore-syntax lines. Returns the rules and one message per line
    /// that is not a valid pattern (those lines are skipped).
    pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>) -> (RuleSet, Vec<String>) {
        let mut builder = GitignoreBuilder::new("");
        let mut problems = Vec::new();
        for (n, line) in lines.into_iter().enumerate() {
            if let Err(err) = builder.add_line(None, line) {
                problems.push(crate::t!("backup.ignore_line", line = n + 1, error = err));
            }
        }
        let matcher = match builder.build() {
            Ok(m) => m,
            Err(err) => {
                problems.push(err.to_string());
                Gitignore::empty()
            }
        };
        (
            RuleSet {
                matcher: Arc::new(matcher),
            },
            problems,
        )
    }

    /// Parses the text of a `.backupignore` (any bytes; invalid UTF-8 is replaced).
    pub fn parse_text(text: &[u8]) -> (RuleSet, Vec<String>) {
        let text = String::from_utf8_lossy(text);
        Self::parse(text.lines())
    }

    pub fn is_empty(&self) -> bool {
        self.matcher.is_empty()
    }

    /// `Some(true)` = excluded, `Some(false)` = re-included by `!`, `None` = no pattern matched.
    fn decide(&self, rel: &Path, is_dir: bool) -> Option<bool> {
        match self.matcher.matched(rel, is_dir) {
            Match::None => None,
            Match::Ignore(_) => Some(true),
            Match::Whitelist(_) => Some(false),
        }
    }
}

/// The rules in force in one directory of the walk: `--exclude` plus every `.backupignore`
/// from the root down to here. Cheap to clone (shared matchers).
#[derive(Debug, Clone, Default)]
pub struct IgnoreStack {
    cli: Option<RuleSet>,
    /// (depth of the directory holding the file, its rules); depth 0 = source root.
    layers: Vec<(usize, RuleSet)>,
}

impl IgnoreStack {
    pub fn new(cli: Option<RuleSet>) -> IgnoreStack {
        IgnoreStack {
            cli: cli.filter(|c| !c.is_empty()),
            layers: Vec::new(),
        }
    }

    /// The stack for a directory at `depth` that has its own `.backupignore`.
    pub fn with_layer(&self, depth: usize, rules: RuleSet) -> IgnoreStack {
        let mut next = self.clone();
        if !rules.is_empty() {
            next.layers.push((depth, rules));
        }
        next
    }

    /// Whether the entry `name` in the directory with components `parent` (from the source
    /// root) is excluded.
    pub fn is_excluded(&self, parent: &[&OsStr], name: &OsStr, is_dir: bool) -> bool {
        if let Some(cli) = &self.cli {
            if let Some(decision) = cli.decide(&join(parent, name), is_dir) {
                return decision;
            }
        }
        for (depth, rules) in self.layers.iter().rev() {
            let rel = join(&parent[(*depth).min(parent.len())..], name);
            if let Some(decision) = rules.decide(&rel, is_dir) {
                return decision;
            }
        }
        false
    }
}

fn join(parts: &[&OsStr], name: &OsStr) -> std::path::PathBuf {
    let mut p = std::path::PathBuf::new();
    for part in parts {
        p.push(part);
    }
    p.push(name);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(files: &[(usize, &str)]) -> IgnoreStack {
        let mut s = IgnoreStack::new(None);
        for (depth, text) in files {
            let (rules, problems) = RuleSet::parse_text(text.as_bytes());
            assert!(problems.is_empty(), "{problems:?}");
            s = s.with_layer(*depth, rules);
        }
        s
    }

    fn excluded(s: &IgnoreStack, path: &str, is_dir: bool) -> bool {
        let parts: Vec<&OsStr> = path.split('/').map(OsStr::new).collect();
        let (name, parent) = parts.split_last().expect("non-empty test path");
        s.is_excluded(parent, name, is_dir)
    }

    #[test]
    fn last_match_wins_and_negation_reincludes() {
        let s = stack(&[(0, "*.log\n!logs/important.log\n")]);
        assert!(excluded(&s, "a.log", false));
        assert!(excluded(&s, "logs/other.log", false));
        assert!(!excluded(&s, "logs/important.log", false));
        // Reversed order: the broad exclude comes last and wins.
        let s = stack(&[(0, "!logs/important.log\n*.log\n")]);
        assert!(excluded(&s, "logs/important.log", false));
    }

    #[test]
    fn anchored_patterns_match_only_at_their_directory() {
        let s = stack(&[(0, "/only_root.txt\nsub/x.txt\n")]);
        assert!(excluded(&s, "only_root.txt", false));
        assert!(!excluded(&s, "a/only_root.txt", false));
        assert!(excluded(&s, "sub/x.txt", false));
        assert!(!excluded(&s, "a/sub/x.txt", false));
    }

    #[test]
    fn dir_patterns_match_directories_only() {
        let s = stack(&[(0, "build/\n")]);
        assert!(excluded(&s, "build", true));
        assert!(excluded(&s, "a/build", true));
        assert!(!excluded(&s, "build", false));
    }

    #[test]
    fn deeper_file_overrides_parent() {
        let s = stack(&[(0, "*.tmp\n"), (1, "!keep.tmp\n")]);
        assert!(!excluded(&s, "sub/keep.tmp", false));
        assert!(excluded(&s, "sub/other.tmp", false));
        // At the root only the root file is in force.
        assert!(excluded(&stack(&[(0, "*.tmp\n")]), "keep.tmp", false));
        // Patterns of sub/.backupignore are relative to sub/.
        let s = stack(&[(1, "/x.log\n")]);
        assert!(excluded(&s, "sub/x.log", false));
        assert!(!excluded(&s, "sub/deeper/x.log", false));
    }

    #[test]
    fn comments_blank_lines_and_escapes() {
        let s = stack(&[(0, "# comment\n\n\\#hash\n\\!bang\n")]);
        assert!(excluded(&s, "#hash", false));
        assert!(excluded(&s, "!bang", false));
        assert!(!excluded(&s, "comment", false));
    }

    #[test]
    fn cli_excludes_take_precedence() {
        let (cli, _) = RuleSet::parse(["*.secret"]);
        let (rules, _) = RuleSet::parse_text(b"!keep.secret\n");
        let s = IgnoreStack::new(Some(cli)).with_layer(0, rules);
        assert!(excluded(&s, "keep.secret", false));
        assert!(excluded(&s, "a/b.secret", false));
    }

    #[test]
    fn double_star() {
        let s = stack(&[(0, "**/cache/**\na/**/z\n")]);
        assert!(excluded(&s, "x/cache/f", false));
        assert!(excluded(&s, "a/b/c/z", false));
        assert!(excluded(&s, "a/z", false));
    }
}
