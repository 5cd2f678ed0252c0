//! Showing text someone else chose (a file name an agent wrote, a symlink's target, a line of
//! a file, a process's folder in the VM) on a terminal, so that it cannot move the cursor,
//! erase or recolour lines, or reorder what follows it: the agent is the adversary, and a name
//! like `"\r\x1b[2K\x1b[1Ano changes"` would otherwise rewrite the warning printed above it.
//!
//! Escaped, in a visible form: C0 controls and DEL (`\n`, `\r`, `\t`, else `\x1b`), C1 controls
//! including the one-character CSI U+009B, the bidirectional controls (U+202E and the like,
//! which reorder the rest of a line) and the line and paragraph separators (`\u{202e}`),
//! bytes that are not UTF-8 (`\xff`), and the backslash itself (`\\`), so that an escaped
//! name never looks like another one. Every renderer of such text uses these functions;
//! `--json` output is JSON-escaped instead.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// True for a character that changes how a terminal shows what follows it.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// An untrusted path, escaped for display.
pub fn path(p: &Path) -> String {
    bytes(p.as_os_str().as_bytes())
}

/// An untrusted OS string (a symlink target, a file name), escaped for display.
pub fn os(s: &OsStr) -> String {
    bytes(s.as_bytes())
}

/// Untrusted text, escaped for display.
pub fn text(s: &str) -> String {
    bytes(s.as_bytes())
}

/// Untrusted bytes, escaped for display.
pub fn bytes(b: &[u8]) -> String {
    escape(b, Mode::Name)
}

/// A line of an untrusted file (a diff): like [`text`], but tabs stay tabs and backslashes
/// stay single (source code is full of them; a line is not a name to tell apart).
pub fn line(s: &str) -> String {
    escape(s.as_bytes(), Mode::Line)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Name,
    Line,
}

fn escape(b: &[u8], mode: Mode) -> String {
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' if mode == Mode::Name => out.push_str("\\\\"),
                '\t' if mode == Mode::Line => out.push('\t'),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if is_unsafe(c) => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out
}

/// A path as one word of a command line to paste into a shell: single-quoted as usual when
/// that is safe to show; otherwise in bash/zsh `$'...'` quoting with every unsafe or non-UTF-8
/// byte written as `\xNN`, so the command shows nothing raw and still names the same bytes.
pub fn shell_word(p: &Path) -> String {
    shell_word_bytes(p.as_os_str().as_bytes())
}

/// [`shell_word`] for bytes.
pub fn shell_word_bytes(b: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(b) {
        if !text.chars().any(is_unsafe) {
            return shell_words::quote(text).into_owned();
        }
    }
    let mut out = String::from("$'");
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if is_unsafe(c) => {
                    let mut buf = [0u8; 4];
                    for byte in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(out, "\\x{byte:02x}");
                    }
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn terminal_controls_are_shown_escaped() {
        assert_eq!(text("src/main.rs"), "src/main.rs");
        assert_eq!(text("проект/файл 1.txt"), "проект/файл 1.txt");
        assert_eq!(
            text("\r\x1b[2K\x1b[1Ano changes in this session\n"),
            "\\r\\x1b[2K\\x1b[1Ano changes in this session\\n"
        );
        assert_eq!(text("a\tb\x7f\u{9b}2J"), "a\\tb\\x7f\\u{9b}2J");
        assert_eq!(text("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(bytes(b"bad\xff\xfe"), "bad\\xff\\xfe");
        assert_eq!(
            text("a\\x1b"),
            "a\\\\x1b",
            "a literal backslash is told apart"
        );
        assert_eq!(line("\tlet s = \"\\n\";\r"), "\tlet s = \"\\n\";\\r");
    }

    #[test]
    fn shell_words_stay_pasteable() {
        assert_eq!(shell_word(Path::new("a b")), "'a b'");
        assert_eq!(shell_word(Path::new(".envrc")), ".envrc");
        assert_eq!(
            shell_word(Path::new("x\x1b[2K'y\u{9b}")),
            "$'x\\x1b[2K\\'y\\xc2\\x9b'"
        );
        assert_eq!(shell_word_bytes(b"n\xff\\"), "$'n\\xff\\\\'");
    }

    proptest! {
        #[test]
        fn nothing_unsafe_survives(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            for shown in [bytes(&b), shell_word_bytes(&b)] {
                prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
            }
            let s = String::from_utf8_lossy(&b);
            prop_assert!(!line(&s).chars().any(|c| c != '\t' && is_unsafe(c)));
        }

        #[test]
        fn any_char_is_escaped(c in any::<char>()) {
            let shown = text(&c.to_string());
            prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
        }
    }
}
