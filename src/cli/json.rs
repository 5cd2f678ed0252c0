//! `--json` documents of `snapshots`, `history`, `config-check`, `doctor`, `list-bundles`,
//! `shims list` and `daemon status`: one stable schema each (`schema_version` 1, documented
//! in the matching page of docs/), built from what the domain modules return.
//!
//! Keys and values are English whatever the language: a command given `--json` switches its
//! messages to English first ([`english`]), as `status --json` does for its warnings, so a
//! script reads the same text on every desktop.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::backup::chain::Civil;
use crate::backup::history::{SnapshotInfo, Version, VersionChange};
use crate::backup::{EntryKind, Snapshot};
use crate::config::{Config, Invalid};
use crate::doctor::{Check, Verdict};

/// The version of every schema here: it changes when a field changes meaning or
/// disappears; new fields may be added without a change.
pub const SCHEMA_VERSION: u32 = 1;

/// Messages in English from now on (what `--json` documents and their errors say).
pub fn english() {
    crate::i18n::use_english();
}

/// Prints one document on stdout, pretty, with `env:` values masked.
pub fn print(doc: &impl Serialize) -> anyhow::Result<()> {
    let text = crate::process::mask_secrets(&serde_json::to_string_pretty(doc)?);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

fn path_text(p: &Path) -> String {
    p.display().to_string()
}

/// A snapshot's local time as `YYYY-MM-DDTHH:MM:SS` (no zone: snapshot names are local).
fn local_time(snap: &Snapshot) -> String {
    let c = Civil::from_naive_seconds(snap.time);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

// ---- snapshots ----

#[derive(Debug, Serialize)]
pub struct SnapshotsDoc {
    pub schema_version: u32,
    pub source: Option<String>,
    pub backup_dir: String,
    pub snapshots: Vec<SnapshotDoc>,
}

#[derive(Debug, Serialize)]
pub struct SnapshotDoc {
    pub name: String,
    pub path: String,
    pub time: String,
    pub pinned: bool,
    pub files: u64,
    pub added: u64,
    pub modified: u64,
    pub deleted: u64,
    pub bytes_added: u64,
    pub from_manifest: bool,
}

pub fn snapshots(
    source: Option<&Path>,
    dest: &Path,
    infos: &[SnapshotInfo],
    pinned: &std::collections::BTreeSet<String>,
) -> SnapshotsDoc {
    SnapshotsDoc {
        schema_version: SCHEMA_VERSION,
        source: source.map(path_text),
        backup_dir: path_text(dest),
        snapshots: infos
            .iter()
            .map(|i| SnapshotDoc {
                name: i.snapshot.name.clone(),
                path: path_text(&i.snapshot.path),
                time: local_time(&i.snapshot),
                pinned: pinned.contains(&i.snapshot.name),
                files: i.files,
                added: i.stat.added,
                modified: i.stat.modified,
                deleted: i.stat.deleted,
                bytes_added: i.stat.bytes_added,
                from_manifest: i.from_manifest,
            })
            .collect(),
    }
}

// ---- history ----

#[derive(Debug, Serialize)]
pub struct HistoryDoc {
    pub schema_version: u32,
    pub path: String,
    pub source: Option<String>,
    pub backup_dir: String,
    pub versions: Vec<VersionDoc>,
}

#[derive(Debug, Serialize)]
pub struct VersionDoc {
    /// `null` for the live folder now.
    pub snapshot: Option<String>,
    pub time: Option<String>,
    /// `file`, `symlink`, `folder`, or `null` when absent.
    pub kind: Option<&'static str>,
    pub size_bytes: Option<u64>,
    /// `absent`, `added`, `unchanged`, `changed`, `deleted` (against the version before).
    pub change: &'static str,
}

pub fn history(
    rel: &Path,
    source: Option<&Path>,
    dest: &Path,
    snapshots: &[Snapshot],
    versions: &[Version],
) -> HistoryDoc {
    let time_of = |name: &str| snapshots.iter().find(|s| s.name == name).map(local_time);
    HistoryDoc {
        schema_version: SCHEMA_VERSION,
        path: path_text(rel),
        source: source.map(path_text),
        backup_dir: path_text(dest),
        versions: versions
            .iter()
            .map(|v| VersionDoc {
                snapshot: v.snapshot.clone(),
                time: v.snapshot.as_deref().and_then(time_of),
                kind: v.entry.as_ref().map(|e| match e.kind {
                    EntryKind::File => "file",
                    EntryKind::Symlink => "symlink",
                    EntryKind::Dir => "folder",
                }),
                size_bytes: v
                    .entry
                    .as_ref()
                    .filter(|e| e.kind == EntryKind::File)
                    .map(|e| e.meta.size),
                change: match v.change {
                    VersionChange::Absent => "absent",
                    VersionChange::Added => "added",
                    VersionChange::Same => "unchanged",
                    VersionChange::Changed => "changed",
                    VersionChange::Deleted => "deleted",
                },
            })
            .collect(),
    }
}

// ---- config-check ----

#[derive(Debug, Serialize)]
pub struct ConfigCheckDoc {
    pub schema_version: u32,
    pub config_path: String,
    pub valid: bool,
    pub problems: Vec<ProblemDoc>,
    pub warnings: Vec<String>,
    pub vms: Vec<VmDoc>,
    pub mounts: Vec<MountDoc>,
    pub agents: Vec<AgentDoc>,
}

#[derive(Debug, Serialize)]
pub struct ProblemDoc {
    /// The key path at fault (`vms.box.cpu`); empty for the file as a whole.
    pub key: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct VmDoc {
    pub name: String,
    pub default: bool,
    pub cpu: u32,
    pub ram: String,
    pub ram_bytes: u64,
    pub disk: String,
    pub disk_bytes: u64,
    pub install: Vec<String>,
    pub allowed_agents: Option<Vec<String>>,
    pub port_forwarding: usize,
}

#[derive(Debug, Serialize)]
pub struct MountDoc {
    pub source: String,
    pub target: String,
    pub vm: String,
    pub backup: String,
    pub interval_minutes: u32,
    pub max_backups: u32,
    pub clean_method: &'static str,
    pub first_backup: bool,
    pub allowed_agents: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct AgentDoc {
    pub name: String,
    #[serde(rename = "type")]
    pub agent_type: &'static str,
    pub version: Option<String>,
    pub vms: Vec<String>,
    /// The names of its `env:` entries (never their values).
    pub env: Vec<String>,
}

pub fn config_check(result: &Result<Config, Invalid>) -> ConfigCheckDoc {
    let (config, problems, warnings) = match result {
        Ok(c) => (Some(c), Vec::new(), c.warnings.clone()),
        Err(invalid) => (
            None,
            invalid
                .problems
                .iter()
                .map(|p| ProblemDoc {
                    key: p.key.clone(),
                    message: p.message.clone(),
                })
                .collect(),
            invalid.warnings.clone(),
        ),
    };
    let mut doc = ConfigCheckDoc {
        schema_version: SCHEMA_VERSION,
        config_path: path_text(match result {
            Ok(c) => &c.path,
            Err(invalid) => &invalid.file,
        }),
        valid: config.is_some(),
        problems,
        warnings,
        vms: Vec::new(),
        mounts: Vec::new(),
        agents: Vec::new(),
    };
    let Some(config) = config else {
        return doc;
    };
    doc.vms = config
        .vms
        .values()
        .enumerate()
        .map(|(i, vm)| VmDoc {
            name: vm.name.clone(),
            default: i == 0,
            cpu: vm.cpu,
            ram: vm.ram.clone(),
            ram_bytes: vm.ram_bytes,
            disk: vm.disk.clone(),
            disk_bytes: vm.disk_bytes,
            install: vm
                .install
                .iter()
                .map(|b| match &b.version {
                    Some(v) => format!("{}:{v}", b.name),
                    None => b.name.clone(),
                })
                .collect(),
            allowed_agents: vm.allowed_agents.clone(),
            port_forwarding: vm.port_forwarding.len(),
        })
        .collect();
    doc.mounts = config
        .mounts
        .iter()
        .map(|m| MountDoc {
            source: path_text(&m.source),
            target: path_text(&m.target),
            vm: m.vm.clone(),
            backup: path_text(&m.backup),
            interval_minutes: m.interval,
            max_backups: m.max_backups,
            clean_method: m.backup_clean_method.as_str(),
            first_backup: m.first_backup,
            allowed_agents: m.allowed_agents.clone(),
        })
        .collect();
    doc.agents = config
        .agents
        .values()
        .map(|a| AgentDoc {
            name: a.name.clone(),
            agent_type: a.agent_type.as_str(),
            version: a.version.clone(),
            vms: a.vms.clone(),
            env: a.env.keys().cloned().collect(),
        })
        .collect();
    doc
}

// ---- doctor ----

#[derive(Debug, Serialize)]
pub struct DoctorDoc {
    pub schema_version: u32,
    pub checks: Vec<CheckDoc>,
    /// How many checks have each verdict.
    pub ok: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
}

#[derive(Debug, Serialize)]
pub struct CheckDoc {
    pub subject: String,
    /// `ok`, `warn`, `fail` or `skip`.
    pub verdict: &'static str,
    pub detail: String,
    pub fix: Option<String>,
    /// What `agsekit doctor -y` would do about it, when it can.
    pub repair: Option<String>,
    /// Whether that repair is applied by `-y` without a question.
    pub repair_safe: Option<bool>,
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Warn => "warn",
        Verdict::Fail => "fail",
        Verdict::Skip => "skip",
    }
}

pub fn doctor(checks: &[Check]) -> DoctorDoc {
    let count = |v: Verdict| checks.iter().filter(|c| c.verdict == v).count();
    DoctorDoc {
        schema_version: SCHEMA_VERSION,
        checks: checks
            .iter()
            .map(|c| CheckDoc {
                subject: c.subject.clone(),
                verdict: verdict_word(c.verdict),
                detail: c.detail.clone(),
                fix: c.fix.clone(),
                repair: c.repair.as_ref().map(|r| r.describe()),
                repair_safe: c.repair.as_ref().map(|r| r.is_safe()),
            })
            .collect(),
        ok: count(Verdict::Ok),
        warn: count(Verdict::Warn),
        fail: count(Verdict::Fail),
        skip: count(Verdict::Skip),
    }
}

// ---- list-bundles ----

#[derive(Debug, Serialize)]
pub struct BundlesDoc {
    pub schema_version: u32,
    pub bundles: Vec<BundleDoc>,
}

#[derive(Debug, Serialize)]
pub struct BundleDoc {
    pub name: &'static str,
    pub description: String,
    pub depends_on: Option<&'static str>,
    /// Whether `NAME:VERSION` is accepted in `install:`.
    pub supports_version: bool,
}

pub fn bundles() -> BundlesDoc {
    let mut bundles: Vec<BundleDoc> = crate::provision::BUNDLES
        .iter()
        .map(|b| BundleDoc {
            name: b.name,
            description: crate::i18n::tr(b.description, &[]),
            depends_on: b.depends_on,
            supports_version: b.supports_version,
        })
        .collect();
    bundles.sort_by_key(|b| b.name);
    BundlesDoc {
        schema_version: SCHEMA_VERSION,
        bundles,
    }
}

// ---- shims list ----

#[derive(Debug, Serialize)]
pub struct ShimsDoc {
    pub schema_version: u32,
    pub dir: String,
    /// The shims folder is on `PATH`.
    pub on_path: bool,
    /// ... and first there, so a plain `codex` finds the shim.
    pub first_on_path: bool,
    pub shims: Vec<ShimDoc>,
}

#[derive(Debug, Serialize)]
pub struct ShimDoc {
    pub name: String,
    pub target: String,
    /// Points at the agsekit binary that runs now (else `agsekit shims install` updates it).
    pub current: bool,
    /// The program of that name on `PATH` after the shims (`shims exec --host` runs it).
    pub host_program: Option<String>,
}

pub fn shims(
    dir: &Path,
    position: Option<usize>,
    shims: Vec<(crate::shim::manage::ShimEntry, Option<std::path::PathBuf>)>,
) -> ShimsDoc {
    ShimsDoc {
        schema_version: SCHEMA_VERSION,
        dir: path_text(dir),
        on_path: position.is_some(),
        first_on_path: position == Some(0),
        shims: shims
            .into_iter()
            .map(|(s, host)| ShimDoc {
                name: s.name,
                target: path_text(&s.target),
                current: s.current,
                host_program: host.as_deref().map(path_text),
            })
            .collect(),
    }
}

// ---- daemon status ----

#[derive(Debug, Serialize)]
pub struct DaemonDoc {
    pub schema_version: u32,
    #[serde(flatten)]
    pub probe: crate::daemon::DaemonProbe,
    /// What the service manager says (systemd: `active`, `enabled`; launchd: `loaded`),
    /// empty when nothing is installed.
    pub manager: indexmap::IndexMap<String, String>,
    pub log_path: String,
}

pub fn daemon(
    probe: crate::daemon::DaemonProbe,
    manager: Vec<(String, String)>,
    log: &Path,
) -> DaemonDoc {
    DaemonDoc {
        schema_version: SCHEMA_VERSION,
        probe,
        manager: manager.into_iter().collect(),
        log_path: path_text(log),
    }
}
