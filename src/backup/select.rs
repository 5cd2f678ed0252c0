//! Choosing a snapshot from what the user typed: a full name (`20260101-120000`), `latest`,
//! `latest~N` (N snapshots before the newest), or a unique prefix of a name (`20260101-12`).

use std::path::Path;

use crate::error::UserError;

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

/// Picks the snapshot `spec` names among `names` (sorted oldest first). Returns its index.
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
    let at = names.partition_point(|n| n.as_str() < spec);
    let from = at.saturating_sub(2);
    let to = (at + 2).min(names.len());
    names[from..to].to_vec()
}

impl SelectError {
    /// The error as users see it: names the chain folder, lists nearby snapshots, points at
    /// `agsekit snapshots`.
    pub fn into_user_error(self, dest: &Path) -> UserError {
        let list_hint = format!(
            "list them with: agsekit snapshots --dest-dir {}",
            shell_words::quote(&dest.to_string_lossy())
        );
        match self {
            SelectError::Empty => {
                UserError::failed(format!("no snapshots in {} yet", dest.display()))
                    .hint("take one with: agsekit backup-once --source-dir DIR --dest-dir DIR")
            }
            SelectError::NotFound { spec, nearby } => {
                let mut e = UserError::usage(format!("no snapshot {spec:?} in {}", dest.display()));
                if !nearby.is_empty() {
                    e = e.hint(format!("nearby: {}", nearby.join(", ")));
                }
                e.hint(
                    "a snapshot is named by its full name, a unique prefix, `latest` or `latest~N`",
                )
                .hint(list_hint)
            }
            SelectError::Ambiguous { spec, matches } => {
                let shown: Vec<&str> = matches.iter().take(6).map(String::as_str).collect();
                let more = if matches.len() > shown.len() {
                    format!(" and {} more", matches.len() - shown.len())
                } else {
                    String::new()
                };
                UserError::usage(format!(
                    "{spec:?} matches {} snapshots in {}: {}{more}",
                    matches.len(),
                    dest.display(),
                    shown.join(", ")
                ))
                .hint("type more of the name")
                .hint(list_hint)
            }
            SelectError::TooFarBack { spec, count } => UserError::usage(format!(
                "{spec:?} goes back past the oldest snapshot: {} has {count}",
                dest.display()
            ))
            .hint(format!("the oldest is latest~{}", count.saturating_sub(1)))
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
