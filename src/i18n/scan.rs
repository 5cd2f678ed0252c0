//! A test-only check that user-facing text goes through the catalogue: it reads every source
//! file under `src/` (not tests, not attributes, not the catalogue itself) and lists string
//! literals that look like English prose (two words in a row). Each one must either become a
//! `t!()` message or be named in `not_messages.txt` (commands, file formats, debug lines...).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A piece of a Rust source file, as far as this check cares.
#[derive(Debug, PartialEq)]
enum Tok {
    /// A string literal (normal or raw; byte strings are dropped) and its first line.
    Str {
        line: usize,
        text: String,
    },
    /// Any other character that is not whitespace, and identifiers as one token.
    Punct(char),
    Word(String),
}

fn tokens(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                if chars[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\'', '\u{..}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c == '"' || ((c == 'r' || c == 'b') && starts_raw_or_byte(&chars, i)) {
            let start_line = line;
            let mut byte = false;
            let mut raw_hashes = None;
            if c == 'b' {
                byte = true;
                i += 1;
            }
            if at(i) == 'r' {
                i += 1;
                let mut n = 0;
                while at(i) == '#' {
                    n += 1;
                    i += 1;
                }
                raw_hashes = Some(n);
            }
            i += 1; // the opening quote
            let mut text = String::new();
            while let Some(&ch) = chars.get(i) {
                if ch == '\n' {
                    line += 1;
                }
                match raw_hashes {
                    None if ch == '\\' => {
                        text.push(ch);
                        text.push(at(i + 1));
                        if at(i + 1) == '\n' {
                            line += 1;
                        }
                        i += 2;
                        continue;
                    }
                    None if ch == '"' => {
                        i += 1;
                        break;
                    }
                    Some(n) if ch == '"' && (1..=n).all(|k| at(i + k) == '#') => {
                        i += 1 + n;
                        break;
                    }
                    _ => {}
                }
                text.push(ch);
                i += 1;
            }
            if !byte {
                out.push(Tok::Str {
                    line: start_line,
                    text,
                });
            }
        } else if c.is_alphanumeric() || c == '_' {
            let mut word = String::new();
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                word.push(chars[i]);
                i += 1;
            }
            out.push(Tok::Word(word));
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    out
}

/// `r"`, `r#"`, `b"`, `br"`, `br#"` at `i`, not inside an identifier.
fn starts_raw_or_byte(chars: &[char], i: usize) -> bool {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return false;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
        if chars.get(j) == Some(&'"') {
            return true;
        }
    }
    if chars.get(j) != Some(&'r') {
        return false;
    }
    j += 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

/// The string literals outside attributes and outside items marked `#[cfg(test)]`.
fn message_candidates(src: &str) -> Vec<(usize, String)> {
    let toks = tokens(src);
    let mut out = Vec::new();
    let mut i = 0;
    let mut skip_next_item = false;
    while i < toks.len() {
        if toks[i] == Tok::Punct('#') {
            let mut j = i + 1;
            if toks.get(j) == Some(&Tok::Punct('!')) {
                j += 1;
            }
            if toks.get(j) == Some(&Tok::Punct('[')) {
                let mut depth = 0;
                let mut words = Vec::new();
                while j < toks.len() {
                    match &toks[j] {
                        Tok::Punct('[') => depth += 1,
                        Tok::Punct(']') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Tok::Word(w) => words.push(w.as_str()),
                        _ => {}
                    }
                    j += 1;
                }
                if words.first() == Some(&"cfg") && words.contains(&"test") {
                    skip_next_item = true;
                }
                i = j + 1;
                continue;
            }
        }
        if skip_next_item {
            // Skip to the end of the item: a `;` before any brace, or its `{ ... }` block.
            let mut depth = 0;
            while i < toks.len() {
                match toks[i] {
                    Tok::Punct('{') => depth += 1,
                    Tok::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Tok::Punct(';') if depth == 0 => break,
                    _ => {}
                }
                i += 1;
            }
            skip_next_item = false;
            i += 1;
            continue;
        }
        if let Tok::Str { line, text } = &toks[i] {
            if looks_like_prose(text) {
                out.push((*line, text.clone()));
            }
        }
        i += 1;
    }
    out
}

/// Two words in a row: a word of two or more letters (a `,` or `:` may end it), a space, and
/// a word that starts with two lowercase letters. Catches "no such file", "Press Enter";
/// leaves alone "--flag", "{name}: {path}", "ls -la".
fn looks_like_prose(text: &str) -> bool {
    let words: Vec<&str> = text.split([' ', '\n']).collect();
    words.windows(2).any(|pair| {
        let first = pair[0].trim_end_matches([',', ':']);
        let second = pair[1];
        first.len() >= 2
            && first.chars().all(|c| c.is_ascii_alphabetic())
            && second
                .chars()
                .take(2)
                .filter(|c| c.is_ascii_lowercase())
                .count()
                == 2
    })
}

/// `path: literal` lines of `not_messages.txt` (`path: *` exempts a whole file).
fn exemptions() -> BTreeSet<(String, String)> {
    let text = include_str!("not_messages.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(": "))
        .map(|(p, lit)| {
            // `path: "text"` keeps spaces at the ends visible (and safe from editors).
            let lit = match lit.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
                Some(quoted) => quoted,
                None => lit,
            };
            (p.to_string(), lit.to_string())
        })
        .collect()
}

fn sources(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("i18n") {
                    stack.push(path);
                }
            } else if path.extension().and_then(|e| e.to_str()) == Some("rs")
                // Test files: `tests.rs` and `*_tests.rs` (declared `#[cfg(test)] mod`).
                && !path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with("tests.rs"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every prose literal not in the catalogue and not exempted, as `path:line: "text"`.
pub fn untranslated() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let exempt = exemptions();
    let mut found = Vec::new();
    for path in sources(&root) {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if exempt.contains(&(rel.clone(), "*".to_string())) {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (line, text) in message_candidates(&src) {
            if !exempt.contains(&(rel.clone(), text.clone())) {
                found.push(format!("{rel}:{line}: {text:?}"));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanner_finds_prose_outside_attributes_tests_and_comments() {
        let src = r###"
            // "a comment with words"
            #[arg(help = "help text with words")]
            fn f() -> char {
                let _ = "first message here";
                let _ = r#"raw message "here""#;
                let _ = b"bytes with words";
                let _ = "--flag";
                let _ = '"';
                println!("{}: {}", "second message", x);
                'a'
            }
            #[cfg(test)]
            mod tests { fn g() { let _ = "test words here"; } }
            fn h<'a>() { let _ = "after tests too"; }
        "###;
        let found: Vec<String> = message_candidates(src)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(
            found,
            [
                "first message here",
                "raw message \"here\"",
                "second message",
                "after tests too"
            ]
        );
    }

    #[test]
    fn every_message_in_the_sources_goes_through_the_catalogue() {
        let failures = untranslated();
        assert!(
            failures.is_empty(),
            "text that looks like a message but is not a t!() key; translate it (src/i18n/) \
             or, if it is not shown to users, add `path: text` to src/i18n/not_messages.txt:\n{}",
            failures.join("\n")
        );
    }
}
