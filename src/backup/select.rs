//! Choosing a snapshot from what the user typed: a full name (`20260101-120000`), `latest`,
//! `latest~N` (N snapshots before the newest), or a unique prefix of a name (`20260101-12`).

use std::path::Path;

use crate::error::UserError;
use crate::t;

/// Why a snapshot could not be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectError {
    /// The chain has no snapshots at all.
    Empty,
    /// Nothing matches; `nearby` are the names around where it would sort.
    NotFound { spec: String, nearby: Vec<String> },
    /// More than one name starts with the prefix.
    Ambiguous { spec: String, matches: Vec<String> },
    /// `latest~N` with N at or past the number of snapshots.
    TooFarBack { spec: String, count: usize },
}

/// Picks the snapshot `spec` names among `names` (in chain order, oldest first: `latest` is
/// the last one, whatever the names say). Returns its index.
pub fn select(names: &[String], spec: &str) -> Result<usize, SelectError> {
    let spec = spec.trim();
    if names.is_empty() {
        return Err(SelectError::Empty);
    }
    if let Some(back) = parse_latest(spec) {
        return if back < names.len() {
            Ok(names.len() - 1 - back)
        } else {
            Err(SelectError::TooFarBack {
                spec: spec.to_owned(),
                count: names.len(),
            })
        };
    }
    if let Some(i) = names.iter().position(|n| n == spec) {
        return Ok(i);
    }
    let matches: Vec<usize> = if spec.is_empty() {
        Vec::new()
    } else {
        (0..names.len())
            .filter(|&i| names[i].starts_with(spec))
            .collect()
    };
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(SelectError::NotFound {
            spec: spec.to_owned(),
            nearby: nearby(names, spec),
        }),
        many => Err(SelectError::Ambiguous {
            spec: spec.to_owned(),
            matches: many.iter().map(|&i| names[i].clone()).collect(),
        }),
    }
}

/// `latest` -> 0, `latest~3` -> 3, `latest~` -> 1 (like git's `~`); anything else -> None.
fn parse_latest(spec: &str) -> Option<usize> {
    let rest = spec.strip_prefix("latest")?;
    if rest.is_empty() {
        return Some(0);
    }
    let n = rest.strip_prefix('~')?;
    if n.is_empty() {
        return Some(1);
    }
    n.parse().ok()
}

/// Up to two names on each side of where `spec` would sort.
fn nearby(names: &[String], spec: &str) -> Vec<String> {
    // By name: the chain's order need not be.
    let mut names = names.to_vec();
    names.sort();
    let at = names.partition_point(|n| n.as_str() < spec);
    let from = at.saturating_sub(2);
    let to = (at + 2).min(names.len());
    names[from..to].to_vec()
}

impl SelectError {
    /// The error as users see it: names the chain folder, lists nearby snapshots, points at
    /// `agsekit snapshots`.
    pub fn into_user_error(self, dest: &Path) -> UserError {
        let list_hint = t!(
            "backup.list_hint",
            dest = shell_words::quote(&dest.to_string_lossy())
        );
        match self {
            SelectError::Empty => UserError::failed(t!(
                "backup.no_snapshots_yet",
                path = dest.display()
            ))
            .hint(t!("backup.take_one_hint", source = "DIR", dest = "DIR")),
            SelectError::NotFound { spec, nearby } => {
                let mut e = UserError::usage(t!(
                    "backup.no_snapshot",
                    spec = format!("{spec:?}"),
                    path = dest.display()
                ));
                if !nearby.is_empty() {
                    e = e.hint(t!("backup.nearby", names = nearby.join(", ")));
                }
                e.hint(t!("backup.naming_hint")).hint(list_hint)
            }
            SelectError::Ambiguous { spec, matches } => {
                let shown: Vec<&str> = matches.iter().take(6).map(String::as_str).collect();
                let more = if matches.len() > shown.len() {
                    t!("backup.and_more", n = matches.len() - shown.len())
                } else {
                    String::new()
                };
                UserError::usage(t!(
                    "backup.ambiguous",
                    spec = format!("{spec:?}"),
                    count = matches.len(),
                    path = dest.display(),
                    names = shown.join(", "),
                    more = more
                ))
                .hint(t!("backup.ambiguous_hint"))
                .hint(list_hint)
            }
            SelectError::TooFarBack { spec, count } => UserError::usage(t!(
                "backup.too_far_back",
                spec = format!("{spec:?}"),
                path = dest.display(),
                count = count
            ))
            .hint(t!("backup.oldest_hint", n = count.saturating_sub(1)))
            .hint(list_hint),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Vec<String> {
        [
            "20260101-110000",
            "20260101-120000",
            "20260101-120500",
            "20260102-090000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn names_latest_and_prefixes() {
        let c = chain();
        let cases: &[(&str, Result<usize, ()>)] = &[
            ("20260101-120000", Ok(1)),
            ("latest", Ok(3)),
            ("latest~0", Ok(3)),
            ("latest~", Ok(2)),
            ("latest~3", Ok(0)),
            ("20260102", Ok(3)),
            ("20260101-1205", Ok(2)),
            (" latest ", Ok(3)),
        ];
        for (spec, want) in cases {
            assert_eq!(select(&c, spec).map_err(|_| ()), *want, "{spec}");
        }
    }

    #[test]
    fn errors_say_what_is_near() {
        let c = chain();
        assert_eq!(
            select(&c, "latest~4"),
            Err(SelectError::TooFarBack {
                spec: "latest~4".into(),
                count: 4
            })
        );
        match select(&c, "20260101-12") {
            Err(SelectError::Ambiguous { matches, .. }) => assert_eq!(matches.len(), 2),
            other => panic!("{other:?}"),
        }
        match select(&c, "20260101-115") {
            Err(SelectError::NotFound { nearby, .. }) => {
                assert_eq!(
                    nearby,
                    ["20260101-110000", "20260101-120000", "20260101-120500"][..]
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(select(&[], "latest"), Err(SelectError::Empty));
        assert!(matches!(
            select(&c, "latest~x"),
            Err(SelectError::NotFound { .. })
        ));
        assert!(matches!(select(&c, ""), Err(SelectError::NotFound { .. })));
    }

    #[test]
    fn user_error_names_the_chain_and_the_fix() {
        let e = select(&chain(), "2027")
            .unwrap_err()
            .into_user_error(Path::new("/backups/proj"));
        assert!(e.message.contains("/backups/proj"), "{}", e.message);
        assert!(e
            .hints
            .iter()
            .any(|h| h.contains("nearby: 20260101-120500, 20260102-090000")));
        assert!(e.hints.iter().any(|h| h.contains("agsekit snapshots")));
    }
}
