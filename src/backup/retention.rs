//! Which snapshots to delete: `tail` (keep the newest N) and `thin` (logarithmic thinning),
//! with exactly the choices agsekit 1.7.4 makes. The choice is a pure function over names and
//! times; [`clean_backups`] applies it.
//!
//! Pinned snapshots ([`super::tripwire`]) are set aside before choosing: every method works
//! on the unpinned snapshots as if the pinned ones did not exist, so KEEP unpinned snapshots
//! stay (exactly the ones that would stay without the pins) plus every pinned one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::chain::{self, Snapshot};
use super::tripwire;
use crate::t;

/// How a cleanup picks the snapshots to remove: the oldest first (`Tail`), or thinning the
/// older ones so the kept snapshots spread over time (`Thin`). The config's
/// `backup-clean-method` and the CLI's `--method` convert to this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanMethod {
    Tail,
    Thin,
}

/// The newest snapshots thinning never deletes (besides the newest overall).
const PROTECT_NEWEST: usize = 3;
/// A gap longer than this many intervals makes thinning fall back to deleting the oldest.
const MAX_INTERVALS_SPACE: i64 = 288;

/// A snapshot as retention sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub name: String,
    /// Naive local seconds.
    pub time: i64,
}

/// Names to delete with `tail`, oldest first: all but the `keep` newest by time (from
/// [`points`]: chain order).
pub fn select_tail(points: &[Point], keep: usize) -> Vec<String> {
    let mut list: Vec<&Point> = points.iter().collect();
    list.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.name.cmp(&b.name)));
    let excess = list.len().saturating_sub(keep);
    list[..excess].iter().map(|p| p.name.clone()).collect()
}

fn bucket(age_minutes: f64, interval: f64) -> i64 {
    if age_minutes <= 0.0 {
        return -1;
    }
    (age_minutes / interval).max(1.0).log2().floor() as i64
}

fn bucket_target(bucket: i64) -> usize {
    match bucket {
        b if b <= 0 => 3,
        1 => 2,
        _ => 1,
    }
}

/// Names to delete with `thin`, in deletion order. `interval_minutes` is the backup period.
pub fn select_thin(points: &[Point], keep: usize, interval_minutes: u32) -> Vec<String> {
    let interval = f64::from(interval_minutes.max(1));
    let mut list: Vec<Point> = points.to_vec();
    list.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.name.cmp(&b.name)));
    let mut deleted = Vec::new();
    while list.len() > keep {
        let i = thin_victim(&list, keep, interval);
        deleted.push(list.remove(i).name);
    }
    deleted
}

/// The index (in time order) of the next snapshot thinning deletes; `list.len() > keep`.
fn thin_victim(list: &[Point], keep: usize, interval: f64) -> usize {
    let n = list.len();
    if n <= 1 {
        return 0;
    }
    let gaps: Vec<i64> = list.windows(2).map(|w| w[1].time - w[0].time).collect();
    let max_gap = interval * MAX_INTERVALS_SPACE as f64 * 60.0;
    if gaps.iter().any(|g| *g as f64 > max_gap) {
        return 0;
    }
    let protect = PROTECT_NEWEST.min(keep).min(n).max(1);
    let candidates: Vec<usize> = (0..n - protect).collect();
    if candidates.is_empty() {
        return 0;
    }
    let newest = list[n - 1].time;
    let damage = |i: usize| -> (i64, i64, i64) {
        let (l, r) = if i == 0 {
            (gaps[0], gaps[0])
        } else if i == n - 1 {
            (gaps[n - 2], gaps[n - 2])
        } else {
            (gaps[i - 1], gaps[i])
        };
        (l + r, l.max(r), list[i].time)
    };
    // Buckets by age, in ascending bucket order.
    let mut buckets: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
    for &i in &candidates {
        let age = (newest - list[i].time) as f64 / 60.0;
        buckets.entry(bucket(age, interval)).or_default().push(i);
    }
    let mut worst: Option<(f64, i64)> = None;
    for (b, members) in &buckets {
        let target = bucket_target(*b);
        if members.len() > target {
            let ratio = members.len() as f64 / target as f64;
            // Ties go to the larger (older) bucket id.
            if worst.is_none_or(|(r, wb)| ratio > r || (ratio == r && *b > wb)) {
                worst = Some((ratio, *b));
            }
        }
    }
    let pool: &[usize] = match worst {
        Some((_, b)) => buckets.get(&b).map(Vec::as_slice).unwrap_or(&candidates),
        None => &candidates,
    };
    pool.iter().copied().min_by_key(|&i| damage(i)).unwrap_or(0)
}

/// The points that are not pinned.
pub fn unpinned(points: &[Point], pinned: &BTreeSet<String>) -> Vec<Point> {
    points
        .iter()
        .filter(|p| !pinned.contains(&p.name))
        .cloned()
        .collect()
}

/// Names to delete with `method`, never a pinned one.
pub fn select_unpinned(
    points: &[Point],
    pinned: &BTreeSet<String>,
    keep: usize,
    method: CleanMethod,
    interval: u32,
) -> Vec<String> {
    select(&unpinned(points, pinned), keep, method, interval)
}

/// Names to delete with `method`.
pub fn select(points: &[Point], keep: usize, method: CleanMethod, interval: u32) -> Vec<String> {
    match method {
        CleanMethod::Tail => select_tail(points, keep),
        CleanMethod::Thin => select_thin(points, keep, interval),
    }
}

/// The snapshot a disk budget deletes next: the one `method` would delete first if one fewer
/// were kept. The newest snapshot is never chosen (`None` with one snapshot or none).
pub fn next_for_space(points: &[Point], method: CleanMethod, interval: u32) -> Option<String> {
    if points.len() <= 1 {
        return None;
    }
    select(points, points.len() - 1, method, interval)
        .into_iter()
        .next()
}

/// Bytes available to unprivileged users on the filesystem holding `dest`.
pub fn free_bytes(dest: &Path) -> std::io::Result<u64> {
    let st = nix::sys::statvfs::statvfs(dest).map_err(super::fsx::io_err)?;
    Ok(st.blocks_available() as u64 * st.fragment_size() as u64)
}

/// Deletes snapshots (thinned or oldest first, never the newest, never a pinned one) until
/// `dest` has at least `min_free` bytes available. Returns the deleted paths; stops early when
/// only the newest unpinned snapshot is left.
pub fn ensure_free_space(
    dest: &Path,
    min_free: u64,
    method: CleanMethod,
    interval: u32,
) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context;
    let mut removed = Vec::new();
    // Read when first needed, once: nothing here deletes a pinned snapshot.
    let mut pinned: Option<BTreeSet<String>> = None;
    loop {
        let free = free_bytes(dest)
            .with_context(|| t!("backup.cannot_read_free_space", path = dest.display()))?;
        if free >= min_free {
            if !removed.is_empty() {
                super::summary::refresh(dest);
            }
            return Ok(removed);
        }
        let snaps = chain::list_snapshots(dest)
            .with_context(|| t!("backup.cannot_list_snapshots", path = dest.display()))?;
        let pinned = pinned.get_or_insert_with(|| tripwire::pinned_names(dest));
        let candidates = unpinned(&points(&snaps), pinned);
        let Some(name) = next_for_space(&candidates, method, interval) else {
            if !removed.is_empty() {
                super::summary::refresh(dest);
            }
            return Ok(removed);
        };
        chain::delete_snapshot(dest, &name).with_context(|| {
            t!(
                "backup.cannot_delete_snapshot",
                path = dest.join(&name).display()
            )
        })?;
        removed.push(dest.join(name));
    }
}

/// Parses a size such as `500M`, `10G`, `1.5T` or `4096` (binary units; a trailing `B` or
/// `iB` is accepted).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, mult) = match t.chars().last()? {
        'k' | 'K' => (&t[..t.len() - 1], 1u64 << 10),
        'm' | 'M' => (&t[..t.len() - 1], 1 << 20),
        'g' | 'G' => (&t[..t.len() - 1], 1 << 30),
        't' | 'T' => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let value: f64 = num.trim().parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    Some((value * mult as f64) as u64)
}

/// Points of a listed chain (in chain order). A snapshot's time is the one its name says,
/// or one second past the previous snapshot's when the clock had gone back: times never go
/// back along the chain, so `tail` and `thin` keep the newest state, whatever the names say.
pub fn points(snapshots: &[Snapshot]) -> Vec<Point> {
    let mut floor = i64::MIN;
    snapshots
        .iter()
        .map(|s| {
            let time = s.time.max(floor);
            floor = time.saturating_add(1);
            Point {
                name: s.name.clone(),
                time,
            }
        })
        .collect()
}

/// Deletes snapshots of `dest` beyond `keep` unpinned ones by `method` (pinned snapshots are
/// never deleted); returns the deleted paths. A missing destination has nothing to delete.
pub fn clean_backups(
    dest: &Path,
    keep: usize,
    method: CleanMethod,
    interval: u32,
) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context;
    let snaps = chain::list_snapshots(dest)
        .with_context(|| t!("backup.cannot_list_snapshots", path = dest.display()))?;
    let pinned = tripwire::pinned_names(dest);
    let doomed = select_unpinned(&points(&snaps), &pinned, keep, method, interval);
    let mut removed = Vec::new();
    for name in doomed {
        chain::delete_snapshot(dest, &name).with_context(|| {
            t!(
                "backup.cannot_delete_snapshot",
                path = dest.join(&name).display()
            )
        })?;
        removed.push(dest.join(name));
    }
    // The snapshots after the deleted ones now follow others: their summaries are redone.
    if !removed.is_empty() {
        super::summary::refresh(dest);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn series(count: usize, step_minutes: i64, newest: &str) -> Vec<Point> {
        let end = chain::parse_name(newest).expect("valid name");
        (0..count as i64)
            .map(|j| {
                let t = end - j * step_minutes * 60;
                Point {
                    name: chain::Civil::from_naive_seconds(t).snapshot_name(),
                    time: t,
                }
            })
            .collect()
    }

    fn kept(points: &[Point], deleted: &[String]) -> Vec<String> {
        let mut k: Vec<String> = points
            .iter()
            .map(|p| p.name.clone())
            .filter(|n| !deleted.contains(n))
            .collect();
        k.sort();
        k
    }

    #[test]
    fn thin_matches_the_originals_worked_example() {
        // Reference 3.7: 40 snapshots 5 minutes apart, keep 10.
        let pts = series(40, 5, "20260110-120000");
        let deleted = select_thin(&pts, 10, 5);
        let expect: Vec<String> = [
            "092000", "100000", "104500", "110500", "112500", "113500", "114500", "115000",
            "115500", "120000",
        ]
        .iter()
        .map(|t| format!("20260110-{t}"))
        .collect();
        assert_eq!(kept(&pts, &deleted), expect);
    }

    #[test]
    fn tail_keeps_the_newest_by_name() {
        let pts = series(5, 5, "20260110-120000");
        assert_eq!(
            select_tail(&pts, 2),
            ["20260110-114000", "20260110-114500", "20260110-115000"]
        );
        assert!(select_tail(&pts, 5).is_empty());
        assert_eq!(select_tail(&pts, 0).len(), 5);
    }

    #[test]
    fn thin_table() {
        // (count, step minutes, keep) -> kept count and invariants.
        for (count, step, keep) in [(1, 5, 0), (2, 5, 1), (5, 5, 5), (12, 5, 4), (30, 60, 7)] {
            let pts = series(count, step, "20260110-120000");
            let deleted = select_thin(&pts, keep, 5);
            let k = kept(&pts, &deleted);
            assert_eq!(k.len(), keep.min(count), "{count} {step} {keep}");
            if keep > 0 {
                assert!(k.contains(&"20260110-120000".to_string()), "newest kept");
            }
        }
    }

    #[test]
    fn disk_budget_victims_follow_the_method_and_spare_the_newest() {
        let pts = series(40, 5, "20260110-120000");
        assert_eq!(
            next_for_space(&pts, CleanMethod::Tail, 5).as_deref(),
            Some("20260110-084500")
        );
        let thin = next_for_space(&pts, CleanMethod::Thin, 5).expect("a victim");
        assert_eq!(Some(thin), select_thin(&pts, 39, 5).into_iter().next());
        assert_eq!(next_for_space(&pts[..1], CleanMethod::Tail, 5), None);
    }

    #[test]
    fn sizes_parse() {
        for (text, want) in [
            ("4096", Some(4096)),
            ("1K", Some(1024)),
            ("500M", Some(500 << 20)),
            ("10G", Some(10 << 30)),
            ("1.5GiB", Some(3 << 29)),
            ("2TB", Some(2 << 40)),
            ("", None),
            ("-1G", None),
            ("lots", None),
        ] {
            assert_eq!(parse_size(text), want, "{text}");
        }
    }

    #[test]
    fn after_the_clock_went_back_the_newest_snapshot_is_kept() {
        // Chain order: two snapshots named three hours ahead, then the newest, named before
        // them (the machine left that time zone).
        let chain: Vec<Snapshot> = ["20260110-150000", "20260110-150500", "20260110-120500"]
            .iter()
            .enumerate()
            .map(|(i, n)| Snapshot {
                name: n.to_string(),
                path: PathBuf::from(n),
                time: chain::parse_name(n).expect("valid"),
                manifest: None,
                place: super::super::manifest::ChainPlace {
                    seq: Some(i as u64 + 1),
                    legacy_upto: None,
                },
            })
            .collect();
        let pts = points(&chain);
        assert!(pts.windows(2).all(|w| w[0].time < w[1].time), "{pts:?}");
        for method in [CleanMethod::Tail, CleanMethod::Thin] {
            let deleted = select(&pts, 1, method, 5);
            assert_eq!(deleted.len(), 2, "{method:?}");
            assert!(
                !deleted.contains(&"20260110-120500".to_string()),
                "{method:?}"
            );
            assert_ne!(
                next_for_space(&pts, method, 5).as_deref(),
                Some("20260110-120500")
            );
        }
    }

    #[test]
    fn thin_with_a_long_gap_degenerates_to_tail() {
        let mut pts = series(5, 5, "20260110-120000");
        pts.push(Point {
            name: "20260101-000000".into(),
            time: chain::parse_name("20260101-000000").expect("valid"),
        });
        let deleted = select_thin(&pts, 4, 5);
        assert_eq!(deleted, ["20260101-000000", "20260110-114000"]);
    }

    fn pins(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn tail_never_deletes_a_pinned_snapshot_and_keeps_as_many_unpinned() {
        let pts = series(5, 5, "20260110-120000");
        // The oldest is pinned: keep 2 still keeps the two newest, and the pinned one.
        let pinned = pins(&["20260110-114000"]);
        let doomed = select_unpinned(&pts, &pinned, 2, CleanMethod::Tail, 5);
        assert_eq!(doomed, ["20260110-114500", "20260110-115000"]);
        // Keep 0 deletes every unpinned snapshot, never the pinned one.
        let doomed = select_unpinned(&pts, &pinned, 0, CleanMethod::Tail, 5);
        assert_eq!(doomed.len(), 4);
        assert!(!doomed.contains(&"20260110-114000".to_string()));
        // Without pins: the same as before.
        assert_eq!(
            select_unpinned(&pts, &BTreeSet::new(), 2, CleanMethod::Tail, 5),
            select_tail(&pts, 2)
        );
    }

    #[test]
    fn thin_never_deletes_a_pinned_snapshot() {
        let pts = series(40, 5, "20260110-120000");
        let without = select_thin(&pts, 10, 5);
        // Pin one that thinning deletes first.
        let victim = without[0].clone();
        let pinned = pins(&[&victim]);
        let doomed = select_unpinned(&pts, &pinned, 10, CleanMethod::Thin, 5);
        assert!(!doomed.contains(&victim));
        // 10 unpinned kept, plus the pinned one: no more unpinned deleted than before.
        assert_eq!(doomed.len(), 29);
        assert_eq!(kept(&pts, &doomed).len(), 11);
        assert!(kept(&pts, &doomed).contains(&victim));
    }

    #[test]
    fn disk_budget_skips_pinned_snapshots() {
        let pts = series(3, 5, "20260110-120000");
        let pinned = pins(&["20260110-115000"]);
        // Tail would take the oldest; it is pinned, so the middle one goes.
        assert_eq!(
            next_for_space(&unpinned(&pts, &pinned), CleanMethod::Tail, 5).as_deref(),
            Some("20260110-115500")
        );
        // Only the newest and a pinned one left: nothing more to delete for space.
        let two = unpinned(&pts[..2], &pins(&["20260110-115500"]));
        assert_eq!(next_for_space(&two, CleanMethod::Thin, 5), None);
        let all = pins(&["20260110-115000", "20260110-115500", "20260110-120000"]);
        assert_eq!(
            next_for_space(&unpinned(&pts, &all), CleanMethod::Tail, 5),
            None
        );
    }

    #[test]
    fn clean_backups_on_disk_keeps_pinned_snapshots() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dest = tmp.path();
        for name in ["20260110-114000", "20260110-114500", "20260110-115000"] {
            std::fs::create_dir(dest.join(name)).expect("mkdir");
        }
        tripwire::add_pin(dest, tripwire::Pin::manual("20260110-114000", 1)).expect("pin");
        let removed = clean_backups(dest, 1, CleanMethod::Tail, 5).expect("clean");
        assert_eq!(removed, [dest.join("20260110-114500")]);
        assert!(dest.join("20260110-114000").is_dir());
        assert!(dest.join("20260110-115000").is_dir());
    }

    proptest! {
        #[test]
        fn thin_keeps_exactly_keep_and_the_newest(
            gaps in proptest::collection::vec(1i64..2000, 1..60),
            keep in 0usize..20,
            interval in 1u32..30,
        ) {
            let mut t = chain::parse_name("20260101-000000").expect("valid");
            let mut pts = Vec::new();
            for g in &gaps {
                t += g * 60;
                pts.push(Point { name: chain::Civil::from_naive_seconds(t).snapshot_name(), time: t });
            }
            let deleted = select_thin(&pts, keep, interval);
            let k = kept(&pts, &deleted);
            prop_assert_eq!(k.len(), keep.min(pts.len()));
            let newest = pts.last().map(|p| p.name.clone()).unwrap_or_default();
            if keep > 0 {
                prop_assert!(k.contains(&newest));
            }
            let mut d = deleted.clone();
            d.sort();
            d.dedup();
            prop_assert_eq!(d.len(), deleted.len());
        }

        #[test]
        fn tail_keeps_the_newest(count in 0usize..50, keep in 0usize..60) {
            let pts = series(count, 5, "20260110-120000");
            let deleted = select_tail(&pts, keep);
            let k = kept(&pts, &deleted);
            prop_assert_eq!(k.len(), keep.min(count));
            let mut all: Vec<String> = pts.iter().map(|p| p.name.clone()).collect();
            all.sort();
            prop_assert_eq!(k, all[all.len() - keep.min(count)..].to_vec());
        }
    }
}
