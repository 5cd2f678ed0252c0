//! The build-time check of [`crate::t!`]: for a literal key, the macro expands to
//! `const _: () = check::call("key", &["name", ...]);`, which the compiler evaluates while it
//! builds the crate. It fails the build (error E0080, "evaluation panicked: ...", pointing at
//! the `t!` call) when the key is in no English table, when the call passes a placeholder
//! the English text does not have, or when the English text has a placeholder the call does
//! not pass.
//!
//! The English keys are sorted once per build into [`SORTED`] (a heap sort the compiler runs
//! in const evaluation; about 2,000 keys), so each call site costs a binary search (about a
//! dozen key comparisons) and one pass over its own text. The sort also fails the build on a
//! key that two English tables define.
//!
//! Everything here is `const fn` over bytes: `str` comparison, slicing and formatting are not
//! available in const evaluation, so the error text is built in a fixed buffer.

use super::{Table, PARTS};

/// How many English messages all parts hold.
const COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < PARTS.len() {
        n += PARTS[i].0.len();
        i += 1;
    }
    n
};

/// Every English `(key, text)`, sorted by key. A reference, so that a lookup in const
/// evaluation reads one entry instead of copying the whole array at each use.
pub const SORTED: &[(&str, &str)] = &sorted();

const fn cmp(a: &str, b: &str) -> core::cmp::Ordering {
    use core::cmp::Ordering::*;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] < b[i] {
            return Less;
        }
        if a[i] > b[i] {
            return Greater;
        }
        i += 1;
    }
    if a.len() < b.len() {
        Less
    } else if a.len() > b.len() {
        Greater
    } else {
        Equal
    }
}

const fn less(a: &str, b: &str) -> bool {
    matches!(cmp(a, b), core::cmp::Ordering::Less)
}

const fn sorted() -> [(&'static str, &'static str); COUNT] {
    let mut all: [(&str, &str); COUNT] = [("", ""); COUNT];
    let mut n = 0;
    let mut p = 0;
    while p < PARTS.len() {
        let table: Table = PARTS[p].0;
        let mut i = 0;
        while i < table.len() {
            all[n] = table[i];
            n += 1;
            i += 1;
        }
        p += 1;
    }
    // Heap sort: build a max-heap, then move the largest to the end one by one.
    let mut start = COUNT / 2;
    while start > 0 {
        start -= 1;
        sift_down(&mut all, start, COUNT);
    }
    let mut end = COUNT;
    while end > 1 {
        end -= 1;
        let top = all[0];
        all[0] = all[end];
        all[end] = top;
        sift_down(&mut all, 0, end);
    }
    let mut i = 1;
    while i < COUNT {
        if matches!(cmp(all[i - 1].0, all[i].0), core::cmp::Ordering::Equal) {
            fail(&[
                "message key \"",
                all[i].0,
                "\" is defined twice in the English tables of src/i18n/",
            ]);
        }
        i += 1;
    }
    all
}

const fn sift_down(all: &mut [(&'static str, &'static str); COUNT], mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(all[child].0, all[child + 1].0) {
            child += 1;
        }
        if !less(all[root].0, all[child].0) {
            return;
        }
        let t = all[root];
        all[root] = all[child];
        all[child] = t;
        root = child;
    }
}

/// The English text of `key`, by binary search.
pub const fn english(key: &str) -> Option<&'static str> {
    let (mut lo, mut hi) = (0, COUNT);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match cmp(SORTED[mid].0, key) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return Some(SORTED[mid].1),
        }
    }
    None
}

/// The placeholder that starts at byte `at` of `text` (`{name}` with `name` made of ASCII
/// letters, digits and `_`): the byte range of `name`.
const fn placeholder_at(text: &[u8], at: usize) -> Option<(usize, usize)> {
    if text[at] != b'{' {
        return None;
    }
    let mut end = at + 1;
    while end < text.len() && (text[end].is_ascii_alphanumeric() || text[end] == b'_') {
        end += 1;
    }
    if end == at + 1 || end >= text.len() || text[end] != b'}' {
        return None;
    }
    Some((at + 1, end))
}

const fn same(a: &[u8], from: usize, to: usize, b: &str) -> bool {
    let b = b.as_bytes();
    if to - from != b.len() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if a[from + i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
const fn has_placeholder(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some((from, to)) = placeholder_at(bytes, i) {
            if same(bytes, from, to, name) {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// Checks one `t!("key", name = value, ...)` call: `names` are the placeholder names it
/// passes. Fails const evaluation (so the build) with a message naming the key and the
/// placeholder.
pub const fn call(key: &str, names: &[&str]) {
    check("t!", key, names, false);
}

/// [`call`] for another macro (`what`: its name in the message, `t_in!`, `count!`,
/// `text_key!`, `msg_key!`). With `extra_ok`, names the English text does not use are
/// allowed: `msg_key!` lists what one call passes to any of the keys it chooses among.
pub const fn check(what: &str, key: &str, names: &[&str], extra_ok: bool) {
    let Some(text) = english(key) else {
        fail(&[
            what,
            "(\"",
            key,
            "\"): no such message key in the English tables of src/i18n/ (misspelled? a new \
             key goes into an area file there, in English and Russian)",
        ]);
    };
    // One pass over the text: each placeholder must be passed; mark the names that are used.
    let mut used: u64 = 0;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'{' {
            if let Some((from, to)) = placeholder_at(bytes, at) {
                let mut i = 0;
                while i < names.len() && !same(bytes, from, to, names[i]) {
                    i += 1;
                }
                if i == names.len() {
                    let (head, _) = bytes.split_at(to);
                    let (_, name) = head.split_at(from);
                    let name = match core::str::from_utf8(name) {
                        Ok(name) => name,
                        Err(_) => "?",
                    };
                    fail(&[
                        what,
                        "(\"",
                        key,
                        "\"): its English text has {",
                        name,
                        "}, but the call does not pass `",
                        name,
                        " = ...`: \"",
                        text,
                        "\"",
                    ]);
                }
                if i < 64 {
                    used |= 1 << i;
                }
                at = to;
            }
        }
        at += 1;
    }
    let mut i = 0;
    while !extra_ok && i < names.len() && i < 64 {
        if used & (1 << i) == 0 {
            fail(&[
                what,
                "(\"",
                key,
                "\"): passes `",
                names[i],
                "`, but its English text has no {",
                names[i],
                "}: \"",
                text,
                "\"",
            ]);
        }
        i += 1;
    }
}

/// Checks a `count!("key", n)` call: `key.one`, `key.few` and `key.many` all exist, each
/// with `{n}` and no other placeholder.
pub const fn count(one: &str, few: &str, many: &str) {
    check("count!", one, &["n"], false);
    check("count!", few, &["n"], false);
    check("count!", many, &["n"], false);
}

/// Fails const evaluation with the pieces joined (cut at 1,000 bytes).
const fn fail(pieces: &[&str]) -> ! {
    let mut buf = [0u8; 1000];
    let mut n = 0;
    let mut p = 0;
    while p < pieces.len() {
        let piece = pieces[p].as_bytes();
        let mut i = 0;
        while i < piece.len() && n < buf.len() {
            buf[n] = piece[i];
            n += 1;
            i += 1;
        }
        p += 1;
    }
    // Cut back to a character boundary if the buffer filled up.
    while n > 0 && n < buf.len() && (buf[n] & 0xC0) == 0x80 {
        n -= 1;
    }
    let (message, _) = buf.split_at(n);
    match core::str::from_utf8(message) {
        Ok(message) => panic!("{}", message),
        Err(_) => panic!("a t!() call does not match the catalogue"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sorted_table_holds_every_english_key_once_in_order() {
        assert!(SORTED.windows(2).all(|w| w[0].0 < w[1].0));
        for (en, _) in PARTS {
            for (key, text) in en.iter() {
                assert_eq!(english(key), Some(*text), "{key}");
            }
        }
        assert_eq!(english("no.such.key"), None);
        assert_eq!(english(""), None);
    }

    #[test]
    fn placeholders_are_found_as_the_runtime_fill_reads_them() {
        assert!(has_placeholder("a {path} b", "path"));
        assert!(!has_placeholder("a {path} b", "pat"));
        assert!(!has_placeholder("a {pa th} b", "pa"));
        assert!(!has_placeholder("a {path b", "path"));
        assert!(has_placeholder("{{n}}", "n"));
        assert!(has_placeholder("тест {n}", "n"));
        // The build-time scan and the run-time one agree on every English text.
        for (_, text) in SORTED {
            for name in super::super::placeholder_names(text) {
                assert!(has_placeholder(text, name), "{text}");
            }
        }
    }
}
