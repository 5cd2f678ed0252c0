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

/// One `.backupignore` in force: the depth of its folder (0 = source root), its rules,
/// whether the user accepted its current text (see [`super::rules`]), and its path from the
/// source root (for reports).
#[derive(Debug, Clone)]
struct Layer {
    depth: usize,
    rules: RuleSet,
    accepted: bool,
    file: Arc<[u8]>,
}

/// What the rules say about one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Backed up.
    Keep,
    /// Left out by `--exclude` (the user's own command line: even protected paths).
    ExcludeByCommandLine,
    /// Left out by accepted `.backupignore` rules.
    Exclude,
    /// Left out only by a `.backupignore` whose text the user has not accepted (the file's
    /// path from the source root): such rules have no effect; the walk keeps the path and
    /// counts it for the reports.
    Pending(Arc<[u8]>),
}

/// The rules in force in one directory of the walk: `--exclude` plus every `.backupignore`
/// from the root down to here. Cheap to clone (shared matchers).
#[derive(Debug, Clone, Default)]
pub struct IgnoreStack {
    cli: Option<RuleSet>,
    layers: Vec<Layer>,
    /// Inside a folder the rules leave out, entered only to reach protected paths: nothing
    /// here is backed up except those paths.
    only_protected: bool,
}

impl IgnoreStack {
    pub fn new(cli: Option<RuleSet>) -> IgnoreStack {
        IgnoreStack {
            cli: cli.filter(|c| !c.is_empty()),
            layers: Vec::new(),
            only_protected: false,
        }
    }

    /// The stack for a directory at `depth` that has its own `.backupignore` (accepted).
    pub fn with_layer(&self, depth: usize, rules: RuleSet) -> IgnoreStack {
        self.with_file(depth, rules, true, Arc::from(&b""[..]))
    }

    /// The stack for a directory at `depth` with the `.backupignore` at `file`, whose text
    /// the user has (`accepted`) or has not accepted.
    pub fn with_file(
        &self,
        depth: usize,
        rules: RuleSet,
        accepted: bool,
        file: Arc<[u8]>,
    ) -> IgnoreStack {
        let mut next = self.clone();
        if !rules.is_empty() {
            next.layers.push(Layer {
                depth,
                rules,
                accepted,
                file,
            });
        }
        next
    }

    /// The stack for a folder the rules leave out but that is entered to reach protected
    /// paths below it.
    pub fn for_protected_only(&self) -> IgnoreStack {
        let mut next = self.clone();
        next.only_protected = true;
        next
    }

    /// Whether this folder was entered only for the protected paths below it.
    pub fn only_protected(&self) -> bool {
        self.only_protected
    }

    /// What the rules say about the entry `name` in the directory with components `parent`
    /// (from the source root). `--exclude` wins over every file; then the deepest file with
    /// a matching line decides. When that file is not accepted, the accepted files alone are
    /// asked: if they leave the path out too, it is [`Verdict::Exclude`], else
    /// [`Verdict::Pending`].
    pub fn verdict(&self, parent: &[&OsStr], name: &OsStr, is_dir: bool) -> Verdict {
        if let Some(cli) = &self.cli {
            match cli.decide(&join(parent, name), is_dir) {
                Some(true) => return Verdict::ExcludeByCommandLine,
                Some(false) => return Verdict::Keep,
                None => {}
            }
        }
        let decide = |layer: &Layer| {
            let rel = join(&parent[layer.depth.min(parent.len())..], name);
            layer.rules.decide(&rel, is_dir)
        };
        let Some((decider, excluded)) = self
            .layers
            .iter()
            .rev()
            .find_map(|l| decide(l).map(|d| (l, d)))
        else {
            return Verdict::Keep;
        };
        if !excluded {
            return Verdict::Keep;
        }
        if decider.accepted {
            return Verdict::Exclude;
        }
        let accepted_says = self
            .layers
            .iter()
            .rev()
            .filter(|l| l.accepted)
            .find_map(decide);
        if accepted_says == Some(true) {
            Verdict::Exclude
        } else {
            Verdict::Pending(Arc::clone(&decider.file))
        }
    }

    /// Whether the entry is left out (pending rules count as leaving it out).
    pub fn is_excluded(&self, parent: &[&OsStr], name: &OsStr, is_dir: bool) -> bool {
        self.verdict(parent, name, is_dir) != Verdict::Keep
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
    fn rules_not_accepted_are_pending_unless_accepted_rules_agree() {
        let accepted = |text: &str| RuleSet::parse_text(text.as_bytes()).0;
        let file: Arc<[u8]> = Arc::from(&b"sub/.backupignore"[..]);
        // Accepted root: *.log. Not accepted sub/: everything.
        let s = IgnoreStack::new(None)
            .with_layer(0, accepted("*.log\n"))
            .with_file(1, accepted("*\n!keep.txt\n"), false, Arc::clone(&file));
        let v = |p: &str| {
            let parts: Vec<&OsStr> = p.split('/').map(OsStr::new).collect();
            let (name, parent) = parts.split_last().expect("path");
            s.verdict(parent, name, false)
        };
        assert_eq!(v("sub/a.rs"), Verdict::Pending(Arc::clone(&file)));
        assert_eq!(
            v("sub/x.log"),
            Verdict::Exclude,
            "the accepted rules exclude it too"
        );
        assert_eq!(v("sub/keep.txt"), Verdict::Keep);
        // An accepted `!` does not stop a pending exclusion from being pending.
        let s = IgnoreStack::new(None)
            .with_layer(0, accepted("!important\n"))
            .with_file(0, accepted("important\n"), false, Arc::clone(&file));
        assert_eq!(
            s.verdict(&[], OsStr::new("important"), false),
            Verdict::Pending(file)
        );
    }

    #[test]
    fn double_star() {
        let s = stack(&[(0, "**/cache/**\na/**/z\n")]);
        assert!(excluded(&s, "x/cache/f", false));
        assert!(excluded(&s, "a/b/c/z", false));
        assert!(excluded(&s, "a/z", false));
    }
}
