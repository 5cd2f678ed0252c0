//! Merging an agent's `default-args` with the arguments the user typed.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

/// The long option name of an argument (`--model` for `--model=x` or `--model`), if it is one.
fn long_name(arg: &[u8]) -> Option<&[u8]> {
    if arg.len() <= 2 || !arg.starts_with(b"--") {
        return None;
    }
    Some(match arg.iter().position(|b| *b == b'=') {
        Some(eq) => &arg[..eq],
        None => arg,
    })
}

/// `default-args` first, minus every default whose long option the user gave themselves,
/// then the user's arguments unchanged. A bare default `--x` followed by a value that does
/// not start with `-` loses that value too. Short options are never deduplicated (1.7.4's
/// rule). User arguments after a bare `--` are not options and are not looked at.
pub fn merge_default_args(defaults: &[String], user: &[OsString]) -> Vec<OsString> {
    let user_longs: HashSet<&[u8]> = user
        .iter()
        .map(|a| a.as_bytes())
        .take_while(|a| *a != b"--")
        .filter_map(long_name)
        .collect();
    let mut merged: Vec<OsString> = Vec::with_capacity(defaults.len() + user.len());
    let mut i = 0;
    while i < defaults.len() {
        let arg = defaults[i].as_bytes();
        match long_name(arg) {
            Some(name) if user_longs.contains(name) => {
                let bare = !arg.contains(&b'=');
                let next_is_value = defaults
                    .get(i + 1)
                    .map(|n| !n.starts_with('-'))
                    .unwrap_or(false);
                i += if bare && next_is_value { 2 } else { 1 };
            }
            _ => {
                merged.push(OsStr::from_bytes(arg).to_owned());
                i += 1;
            }
        }
    }
    merged.extend(user.iter().cloned());
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(defaults: &[&str], user: &[&str]) -> Vec<String> {
        let defaults: Vec<String> = defaults.iter().map(|s| s.to_string()).collect();
        let user: Vec<OsString> = user.iter().map(OsString::from).collect();
        merge_default_args(&defaults, &user)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn merge_table() {
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            // defaults, user, expected
            (&["--model=a"], &[], &["--model=a"]),
            (&["--model=a"], &["--model=b"], &["--model=b"]),
            (&["--model=a"], &["--model", "b"], &["--model", "b"]),
            (&["--model", "a"], &["--model=b"], &["--model=b"]),
            (
                &["--model", "a", "--yes"],
                &["--model=b"],
                &["--yes", "--model=b"],
            ),
            (
                &["--verbose", "--model=a"],
                &["--verbose"],
                &["--model=a", "--verbose"],
            ),
            (&["--flag", "--other"], &["--flag"], &["--other", "--flag"]),
            (&["-m", "a"], &["-m", "b"], &["-m", "a", "-m", "b"]),
            (
                &["--model=a"],
                &["--", "--model=b"],
                &["--model=a", "--", "--model=b"],
            ),
            (
                &["--model=a"],
                &["--modelx=b"],
                &["--model=a", "--modelx=b"],
            ),
            (&[], &["auth", "login"], &["auth", "login"]),
        ];
        for (defaults, user, expected) in cases {
            assert_eq!(
                &merge(defaults, user),
                expected,
                "defaults {defaults:?} user {user:?}"
            );
        }
    }

    #[test]
    fn non_utf8_user_arguments_pass_unchanged() {
        use std::os::unix::ffi::OsStringExt;
        let odd = OsString::from_vec(vec![0x2d, 0x2d, 0xff, 0x3d, 0x01]);
        let merged = merge_default_args(&["--x=1".to_string()], std::slice::from_ref(&odd));
        assert_eq!(merged, vec![OsString::from("--x=1"), odd]);
    }
}
