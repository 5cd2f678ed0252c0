//! Renders the shell init scripts in `shell/` for one shell, with the binary path and the
//! shims folder spliced in, quoted for that shell.

use std::path::Path;

const BASH: &str = include_str!("../../shell/agsekit.bash");
const ZSH: &str = include_str!("../../shell/agsekit.zsh");
const FISH: &str = include_str!("../../shell/agsekit.fish");

/// Shells `agsekit init` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitShell {
    Bash,
    Zsh,
    Fish,
}

/// What the init script should set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitOptions {
    /// Put the shims folder first on PATH.
    pub path: bool,
    /// Install the prompt hook that exports AGSEKIT_PROTECTION.
    pub prompt: bool,
}

/// Quotes a value for bash and zsh (POSIX single quotes).
fn quote_posix(value: &str) -> String {
    shell_words::quote(value).into_owned()
}

/// Quotes a value for fish: inside single quotes only `\` and `'` need escaping.
fn quote_fish(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('\'', "\\'");
    format!("'{escaped}'")
}

/// The init script for `shell`.
pub fn render(shell: InitShell, agsekit: &Path, shims_dir: &Path, opts: InitOptions) -> String {
    let (template, quote): (&str, fn(&str) -> String) = match shell {
        InitShell::Bash => (BASH, quote_posix),
        InitShell::Zsh => (ZSH, quote_posix),
        InitShell::Fish => (FISH, quote_fish),
    };
    let flag = |on: bool| if on { "1" } else { "" };
    template
        .replace("@AGSEKIT@", &quote(&agsekit.to_string_lossy()))
        .replace("@SHIMS_DIR@", &quote(&shims_dir.to_string_lossy()))
        .replace("@WANT_PATH@", flag(opts.path))
        .replace("@WANT_PROMPT@", flag(opts.prompt))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: InitOptions = InitOptions {
        path: true,
        prompt: true,
    };

    #[test]
    fn every_placeholder_is_filled_for_every_shell() {
        for shell in [InitShell::Bash, InitShell::Zsh, InitShell::Fish] {
            let script = render(shell, Path::new("/opt/a b/agsekit"), Path::new("/s"), ALL);
            assert!(!script.contains('@'), "{shell:?}: {script}");
        }
    }

    #[test]
    fn paths_are_quoted_for_the_shell() {
        let bash = render(
            InitShell::Bash,
            Path::new("/opt/it's/agsekit"),
            Path::new("/s"),
            ALL,
        );
        assert!(bash.contains(r#"'/opt/it'\''s/agsekit' prompt-state"#));
        let fish = render(
            InitShell::Fish,
            Path::new("/opt/it's/agsekit"),
            Path::new("/s"),
            ALL,
        );
        assert!(fish.contains(r#"'/opt/it\'s/agsekit' prompt-state"#));
    }
}
