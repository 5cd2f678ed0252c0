//! `agsekit status [--json]`: tables for people, a stable JSON document for scripts
//! (docs/status.md). The data comes from `crate::status::collect`.

use clap::Args;

use super::config::load_config;
use super::GlobalArgs;
use crate::status::{self, human_age, human_bytes, Status};

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Print JSON (schema in docs/status.md) instead of tables
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &StatusArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load_config(global)?;
    let backend = crate::vm::default_backend(Some(&crate::shim::shims_dir()));
    let status = status::collect(&config, backend.as_ref());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print!("{}", render(&status));
    }
    Ok(0)
}

/// Left-aligned columns separated by two spaces.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn size_cell(s: &status::SizeStatus) -> String {
    match (s.actual_bytes, s.used_bytes) {
        (Some(total), Some(used)) if total > 0 => format!(
            "{} (real {}, {}% used)",
            s.configured,
            human_bytes(total),
            used * 100 / total
        ),
        (Some(total), _) => format!("{} (real {})", s.configured, human_bytes(total)),
        _ => s.configured.clone(),
    }
}

pub fn render(s: &Status) -> String {
    let mut out = format!("Config: {}\n", s.config_path);
    if !s.backend.available {
        out.push_str(&format!(
            "multipass: unavailable: {}\n",
            s.backend.error.as_deref().unwrap_or("unknown error")
        ));
        for h in &s.backend.hints {
            out.push_str(&format!("  hint: {h}\n"));
        }
    }

    out.push_str("\nVMs\n");
    if s.vms.is_empty() {
        out.push_str("  none configured\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .vms
            .iter()
            .map(|v| {
                vec![
                    v.name.clone(),
                    v.state.clone(),
                    v.ipv4.clone().unwrap_or_else(|| "-".into()),
                    match v.cpus.actual {
                        Some(a) => format!("{} (real {a})", v.cpus.configured),
                        None => v.cpus.configured.to_string(),
                    },
                    size_cell(&v.memory),
                    size_cell(&v.disk),
                ]
            })
            .collect();
        out.push_str(&table(
            &["NAME", "STATE", "IP", "CPUS", "MEMORY", "DISK"],
            &rows,
        ));
    }

    out.push_str("\nMounts\n");
    if s.mounts.is_empty() {
        out.push_str("  none configured\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .mounts
            .iter()
            .map(|m| {
                let b = &m.backup;
                vec![
                    m.source.clone(),
                    format!("{}:{}", m.vm, m.target),
                    match m.mounted {
                        Some(true) => "yes".into(),
                        Some(false) => "no".into(),
                        None => "unknown".into(),
                    },
                    b.snapshot_count.to_string(),
                    b.last_snapshot_age_sec
                        .map(|a| format!("{} ago", human_age(a as u64)))
                        .unwrap_or_else(|| "never".into()),
                    b.size_bytes.map(human_bytes).unwrap_or_else(|| "-".into()),
                    match b.loop_pid {
                        Some(pid) => format!("running (PID {pid})"),
                        None => "not running".into(),
                    },
                    b.dir.clone(),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "SOURCE",
                "VM:TARGET",
                "MOUNTED",
                "SNAPSHOTS",
                "LAST",
                "SIZE",
                "BACKUP LOOP",
                "BACKUP FOLDER",
            ],
            &rows,
        ));
    }

    out.push_str("\nAgents\n");
    if s.agents.is_empty() {
        out.push_str(if s.backend.available {
            "  none running\n"
        } else {
            "  unknown (multipass unavailable)\n"
        });
    } else {
        let rows: Vec<Vec<String>> = s
            .agents
            .iter()
            .map(|a| {
                vec![
                    a.pid.to_string(),
                    a.vm.clone(),
                    if a.agents.is_empty() {
                        a.binary.clone()
                    } else {
                        format!("{} ({})", a.binary, a.agents.join(", "))
                    },
                    a.folder.clone().unwrap_or_else(|| "-".into()),
                    a.mount_source.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        out.push_str(&table(
            &["PID", "VM", "AGENT", "FOLDER", "HOST FOLDER"],
            &rows,
        ));
    }

    out.push_str("\nPort forwards\n");
    if s.port_forwards.is_empty() {
        out.push_str("  none configured\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .port_forwards
            .iter()
            .map(|f| {
                vec![
                    f.vm.clone(),
                    f.kind.clone(),
                    f.ssh_forward.clone(),
                    match (f.up, f.pid, &f.managed_by) {
                        (true, Some(pid), Some(by)) => format!("up (PID {pid}, {by})"),
                        (true, _, _) => "up".into(),
                        (false, _, Some(by)) => format!("down ({by} retries)"),
                        (false, _, None) => "down (not running)".into(),
                    },
                ]
            })
            .collect();
        out.push_str(&table(&["VM", "TYPE", "SSH FORWARD", "TUNNEL"], &rows));
    }

    let d = &s.daemon;
    out.push_str(&format!(
        "\nDaemon: {}{}\n",
        match (d.running, d.pid) {
            (true, Some(pid)) => format!(
                "running (PID {pid}, agsekit {})",
                d.version.as_deref().unwrap_or("?")
            ),
            (true, None) => "running".to_string(),
            (false, _) => "not running".to_string(),
        },
        if d.installed {
            ", installed"
        } else {
            ", not installed"
        }
    ));

    if !s.warnings.is_empty() {
        out.push_str("\nWarnings\n");
        for w in &s.warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    out
}
