//! The tripwire: a new snapshot that lost many of the previous snapshot's files is a mass
//! deletion; the previous snapshot (the last good one) is then pinned so no cleanup deletes
//! it. Pins live in `<dest>/.agsekit-pinned`, outside every snapshot folder (agsekit 1.7.4
//! only counts folders as snapshots, so it never sees the file).
//!
//! The check uses counts the planner already has ([`super::PlanSummary::prev_files`] and
//! [`super::PlanSummary::deleted_files`]): no extra walk of either tree.
//!
//! Pin file format: UTF-8 text, one pin per line, `NAME<TAB>REASON`. REASON starts with a
//! kind and a Unix time (`tripwire 1795000000 80/100` or `manual 1795000000`); the rest is
//! free text. Lines that do not start with a snapshot name are ignored, so the format can
//! grow. The file is replaced atomically (written to a temporary name, then renamed).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::chain;
use crate::t;

/// When a snapshot is a mass deletion: at least `min_files` files and at least
/// `min_percent` % of the previous snapshot's files gone (the config's `global.tripwire`
/// converts to this; the default is the config's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TripwireOptions {
    pub enabled: bool,
    pub min_files: u64,
    /// 1..=100.
    pub min_percent: u64,
}

impl Default for TripwireOptions {
    fn default() -> Self {
        TripwireOptions {
            enabled: true,
            min_files: 50,
            min_percent: 30,
        }
    }
}

/// The pin file's name inside the snapshot folder.
pub const PIN_FILE: &str = ".agsekit-pinned";

/// Whether `gone` of `total` files is a mass deletion under `settings`: at least
/// `min_files` files AND at least `min_percent` % of the previous snapshot's files.
pub fn is_mass_deletion(gone: u64, total: u64, settings: &TripwireOptions) -> bool {
    settings.enabled
        && total > 0
        && gone >= settings.min_files.max(1)
        && u128::from(gone) * 100 >= u128::from(settings.min_percent) * u128::from(total)
}

/// `gone` as a whole percentage of `total` (rounded down).
pub fn percent(gone: u64, total: u64) -> u64 {
    if total == 0 {
        return 0;
    }
    (u128::from(gone) * 100 / u128::from(total)) as u64
}

/// A mass deletion the tripwire caught.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MassDeletion {
    /// Files of the previous snapshot that are gone.
    pub gone: u64,
    /// Files the previous snapshot held.
    pub of: u64,
    /// The last snapshot before the deletion (pinned).
    pub previous: String,
    /// The new snapshot, without those files.
    pub snapshot: String,
    /// False when writing the pin file failed (the reason is in the report's warnings).
    pub pinned: bool,
}

/// Why a snapshot is pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinKind {
    Tripwire,
    Manual,
    /// A kind written by a newer version.
    Other,
}

/// One line of the pin file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub name: String,
    pub reason: String,
}

impl Pin {
    /// A pin made by the tripwire now.
    pub fn tripwire(name: &str, found: &MassDeletion, unix: i64) -> Pin {
        Pin {
            name: name.to_string(),
            reason: format!(
                "tripwire {unix} {}/{} {}",
                found.gone, found.of, found.snapshot
            ),
        }
    }

    /// A pin made by hand now.
    pub fn manual(name: &str, unix: i64) -> Pin {
        Pin {
            name: name.to_string(),
            reason: format!("manual {unix}"),
        }
    }

    pub fn kind(&self) -> PinKind {
        match self.reason.split_whitespace().next() {
            Some("tripwire") => PinKind::Tripwire,
            Some("manual") => PinKind::Manual,
            _ => PinKind::Other,
        }
    }

    /// When the pin was made (Unix seconds), if the reason says.
    pub fn unix_time(&self) -> Option<i64> {
        self.reason.split_whitespace().nth(1)?.parse().ok()
    }

    /// For a tripwire pin: `(gone, of, new snapshot)`.
    pub fn tripwire_detail(&self) -> Option<(u64, u64, String)> {
        if self.kind() != PinKind::Tripwire {
            return None;
        }
        let mut words = self.reason.split_whitespace().skip(2);
        let (gone, of) = words.next()?.split_once('/')?;
        let snapshot = words.next().unwrap_or("").to_string();
        Some((gone.parse().ok()?, of.parse().ok()?, snapshot))
    }
}

/// Parses the pin file's text; tolerant: unknown or malformed lines are skipped, a name
/// pinned twice keeps its first line.
pub fn parse_pins(text: &str) -> Vec<Pin> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let (name, reason) = line.split_once('\t').unwrap_or((line, ""));
        let name = name.trim();
        if !chain::is_snapshot_name(name) || name.contains('/') || !seen.insert(name) {
            continue;
        }
        out.push(Pin {
            name: name.to_string(),
            reason: reason.trim().to_string(),
        });
    }
    out
}

/// The pin file's text for `pins`.
pub fn render_pins(pins: &[Pin]) -> String {
    let mut s = String::new();
    for p in pins {
        let reason: String = p
            .reason
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        s.push_str(&p.name);
        s.push('\t');
        s.push_str(&reason);
        s.push('\n');
    }
    s
}

fn pin_path(dest: &Path) -> PathBuf {
    dest.join(PIN_FILE)
}

/// The pins of `dest` as written (a missing or unreadable file has none).
pub fn read_pins(dest: &Path) -> Vec<Pin> {
    std::fs::read(pin_path(dest))
        .map(|b| parse_pins(&String::from_utf8_lossy(&b)))
        .unwrap_or_default()
}

/// The names in the pin file as written, for views that must not change anything (a pin
/// whose snapshot is gone is still listed; [`pinned_names`] drops those from the file).
pub fn pin_names(dest: &Path) -> BTreeSet<String> {
    read_pins(dest).into_iter().map(|p| p.name).collect()
}

/// Replaces the pin file atomically; no pins removes it.
pub fn write_pins(dest: &Path, pins: &[Pin]) -> anyhow::Result<()> {
    let path = pin_path(dest);
    if pins.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| t!("tripwire.cannot_write_pins", path = path.display()))
            }
            _ => Ok(()),
        };
    }
    crate::statefile::replace(&path, render_pins(pins).as_bytes())
        .with_context(|| t!("tripwire.cannot_write_pins", path = path.display()))
}

/// The pins of `dest` whose snapshot folder still exists; pins of deleted snapshots are
/// dropped from the file (best effort: a read-only destination keeps them).
pub fn live_pins(dest: &Path) -> Vec<Pin> {
    let pins = read_pins(dest);
    let live: Vec<Pin> = pins
        .iter()
        .filter(|p| dest.join(&p.name).is_dir())
        .cloned()
        .collect();
    if live.len() != pins.len() {
        let _ = write_pins(dest, &live);
    }
    live
}

/// The names of [`live_pins`].
pub fn pinned_names(dest: &Path) -> BTreeSet<String> {
    live_pins(dest).into_iter().map(|p| p.name).collect()
}

/// Adds `pin` (no change when its snapshot is already pinned). Returns whether it was added.
pub fn add_pin(dest: &Path, pin: Pin) -> anyhow::Result<bool> {
    let mut pins = live_pins(dest);
    if pins.iter().any(|p| p.name == pin.name) {
        return Ok(false);
    }
    pins.push(pin);
    pins.sort_by(|a, b| a.name.cmp(&b.name));
    write_pins(dest, &pins)?;
    Ok(true)
}

/// Removes the pin of `name`. Returns whether it was pinned.
pub fn remove_pin(dest: &Path, name: &str) -> anyhow::Result<bool> {
    let mut pins = read_pins(dest);
    let before = pins.len();
    pins.retain(|p| p.name != name);
    if pins.len() == before {
        return Ok(false);
    }
    write_pins(dest, &pins)?;
    Ok(true)
}

/// The command that brings back what `previous` holds (every deleted file; files created
/// since are kept): by mount when `source` is a configured mount whose snapshots are in this
/// folder, else by folders.
pub fn restore_command(source: &Path, dest: &Path, previous: &str, by_mount: bool) -> String {
    let flags = chain::command_flags(source, dest, by_mount);
    if by_mount {
        format!("agsekit restore {flags} {previous}")
    } else {
        format!("agsekit restore {previous} {flags}")
    }
}

/// The alert for a mass deletion (without any `warning:` prefix): the counts, the pinned
/// snapshot and the command that brings the files back (by mount when `by_mount`). Says so
/// when the pin could not be written.
pub fn alert(found: &MassDeletion, source: &Path, dest: &Path, by_mount: bool) -> String {
    let key = if found.pinned {
        "tripwire.alert"
    } else {
        "tripwire.alert_unpinned"
    };
    t!(
        key,
        gone = found.gone,
        files = crate::count!("tripwire.count.of_files", found.of as usize),
        percent = percent(found.gone, found.of),
        previous = found.previous,
        command = restore_command(source, dest, &found.previous, by_mount)
    )
}

/// The current time as Unix seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> TripwireOptions {
        TripwireOptions::default()
    }

    #[test]
    fn thresholds_need_both_the_count_and_the_share() {
        // Exactly at both thresholds: 50 of 166 is 30.1 %, 30 of 100 fails on the count.
        assert!(is_mass_deletion(50, 166, &on()));
        assert!(is_mass_deletion(60, 200, &on()), "exactly 30 %");
        assert!(!is_mass_deletion(59, 200, &on()), "29.5 %");
        assert!(!is_mass_deletion(49, 100, &on()), "49 files");
        assert!(is_mass_deletion(50, 100, &on()), "exactly 50 files");
        assert!(!is_mass_deletion(30, 100, &on()), "30 % but only 30 files");
        assert!(!is_mass_deletion(100, 1000, &on()), "100 files but 10 %");
        assert!(is_mass_deletion(1000, 1000, &on()), "everything");
    }

    #[test]
    fn empty_previous_snapshot_or_disabled_never_trips() {
        assert!(!is_mass_deletion(0, 0, &on()));
        let off = TripwireOptions {
            enabled: false,
            ..on()
        };
        assert!(!is_mass_deletion(1000, 1000, &off));
        let low = TripwireOptions {
            enabled: true,
            min_files: 1,
            min_percent: 1,
        };
        assert!(is_mass_deletion(1, 100, &low));
        assert!(!is_mass_deletion(0, 100, &low));
    }

    #[test]
    fn restore_commands_quote_paths() {
        assert_eq!(
            restore_command(
                Path::new("/home/me/my proj"),
                Path::new("/b"),
                "20261127-101500",
                true
            ),
            "agsekit restore --mount '/home/me/my proj' 20261127-101500"
        );
        assert_eq!(
            restore_command(Path::new("/s"), Path::new("/b k"), "20261127-101500", false),
            "agsekit restore 20261127-101500 --dest-dir '/b k' --source-dir /s"
        );
    }

    #[test]
    fn percentages_round_down() {
        assert_eq!(percent(1234, 3000), 41);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(5, 0), 0);
    }

    #[test]
    fn pin_file_round_trips_and_skips_junk() {
        let found = MassDeletion {
            gone: 80,
            of: 100,
            previous: "20261127-101500".into(),
            snapshot: "20261127-102000".into(),
            pinned: true,
        };
        let pins = vec![
            Pin::tripwire("20261127-101500", &found, 1_795_000_000),
            Pin::manual("20261126-090000", 1_794_000_000),
        ];
        let text = render_pins(&pins);
        assert_eq!(
            text,
            "20261127-101500\ttripwire 1795000000 80/100 20261127-102000\n\
             20261126-090000\tmanual 1794000000\n"
        );
        assert_eq!(parse_pins(&text), pins);
        assert_eq!(pins[0].kind(), PinKind::Tripwire);
        assert_eq!(pins[0].unix_time(), Some(1_795_000_000));
        assert_eq!(
            pins[0].tripwire_detail(),
            Some((80, 100, "20261127-102000".to_string()))
        );
        assert_eq!(pins[1].kind(), PinKind::Manual);
        assert_eq!(pins[1].tripwire_detail(), None);

        let messy = "# comment\n\nnot-a-name\tx\n20260101-000000\r\n\
                     20260101-000000\tsecond copy\n../20260101-000000\tx\n\
                     20260102-000000-partial\tx\n20260103-000000\tfuture 12 stuff\n";
        let parsed = parse_pins(messy);
        assert_eq!(
            parsed,
            vec![
                Pin {
                    name: "20260101-000000".into(),
                    reason: String::new()
                },
                Pin {
                    name: "20260103-000000".into(),
                    reason: "future 12 stuff".into()
                },
            ]
        );
        assert_eq!(parsed[1].kind(), PinKind::Other);
        assert_eq!(parsed[0].unix_time(), None);
    }

    #[test]
    fn pins_are_added_removed_and_dropped_with_their_folder() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dest = tmp.path();
        std::fs::create_dir(dest.join("20260101-000000")).expect("mkdir");
        std::fs::create_dir(dest.join("20260102-000000")).expect("mkdir");
        assert!(read_pins(dest).is_empty());
        assert!(add_pin(dest, Pin::manual("20260102-000000", 5)).expect("pin"));
        assert!(add_pin(dest, Pin::manual("20260101-000000", 6)).expect("pin"));
        assert!(!add_pin(dest, Pin::manual("20260101-000000", 7)).expect("pin"));
        let names: Vec<String> = read_pins(dest).into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["20260101-000000", "20260102-000000"]);
        assert_eq!(
            std::fs::read_dir(dest).expect("list").count(),
            3,
            "two snapshots and the pin file, no temporary file"
        );
        std::fs::remove_dir(dest.join("20260101-000000")).expect("rmdir");
        assert_eq!(
            pinned_names(dest).into_iter().collect::<Vec<_>>(),
            ["20260102-000000"]
        );
        assert_eq!(read_pins(dest).len(), 1, "the gone pin left the file");
        assert!(!remove_pin(dest, "20260101-000000").expect("unpin"));
        assert!(remove_pin(dest, "20260102-000000").expect("unpin"));
        assert!(!dest.join(PIN_FILE).exists(), "no pins, no file");
    }
}
