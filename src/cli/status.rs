//! `agsekit status [--json]`: tables for people, a stable JSON document for scripts
//! (docs/status.md). The data comes from `crate::status::collect`.

use super::args::StatusArgs;
use super::config::load_config;
use super::GlobalArgs;
use crate::status::{self, human_age, human_bytes, Status};
use crate::t;
use crate::ui::untrusted;

pub fn run(args: &StatusArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let config = load_config(global)?;
    let backend = crate::backend::open(&config);
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
        (Some(total), Some(used)) if total > 0 => t!(
            "status.size_used",
            configured = s.configured,
            real = human_bytes(total),
            percent = used * 100 / total
        ),
        (Some(total), _) => t!(
            "status.size",
            configured = s.configured,
            real = human_bytes(total)
        ),
        _ => s.configured.clone(),
    }
}

pub fn render(s: &Status) -> String {
    let mut out = format!("{}\n", t!("status.config", path = s.config_path));
    if !s.backend.available {
        // In the user's language when the failure is known (the JSON fields are English).
        let (error, hints) = match &s.backend.problem {
            Some(err) => (err.message_in(crate::i18n::current()), err.hints()),
            None => (
                s.backend
                    .error
                    .clone()
                    .unwrap_or_else(|| t!("status.unknown_error")),
                s.backend.hints.clone(),
            ),
        };
        out.push_str(&format!(
            "{}\n",
            t!(
                "status.backend_unavailable",
                backend = s.backend.name,
                error = error
            )
        ));
        for h in &hints {
            out.push_str(&format!("  hint: {h}\n"));
        }
    }

    out.push_str(&format!("\n{}\n", t!("status.vms")));
    if s.vms.is_empty() {
        out.push_str(&format!("  {}\n", t!("status.none_configured")));
    } else {
        let rows: Vec<Vec<String>> = s
            .vms
            .iter()
            .map(|v| {
                vec![
                    v.name.clone(),
                    crate::probe::state::state_label(&v.state),
                    v.ipv4.clone().unwrap_or_else(|| "-".into()),
                    match v.cpus.actual {
                        Some(a) => t!("status.cpus", configured = v.cpus.configured, real = a),
                        None => v.cpus.configured.to_string(),
                    },
                    size_cell(&v.memory),
                    size_cell(&v.disk),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                &t!("status.col.name"),
                &t!("status.col.state"),
                "IP",
                &t!("status.col.cpus"),
                &t!("status.col.memory"),
                &t!("status.col.disk"),
            ],
            &rows,
        ));
    }

    out.push_str(&format!("\n{}\n", t!("status.mounts")));
    if s.mounts.is_empty() {
        out.push_str(&format!("  {}\n", t!("status.none_configured")));
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
                        Some(true) => t!("status.yes"),
                        Some(false) => t!("status.no"),
                        None => t!("status.unknown"),
                    },
                    b.snapshot_count.to_string(),
                    b.last_snapshot_age_sec
                        .map(|a| t!("status.ago", age = human_age(a as u64)))
                        .unwrap_or_else(|| t!("status.never")),
                    b.size_bytes.map(human_bytes).unwrap_or_else(|| "-".into()),
                    match b.loop_pid {
                        Some(pid) => t!("status.running_pid", pid = pid),
                        None => t!("status.not_running"),
                    },
                    b.dir.clone(),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                &t!("status.col.source"),
                &t!("status.col.vm_target"),
                &t!("status.col.mounted"),
                &t!("status.col.snapshots"),
                &t!("status.col.last"),
                &t!("status.col.size"),
                &t!("status.col.backup_loop"),
                &t!("status.col.backup_folder"),
            ],
            &rows,
        ));
        for m in s.mounts.iter().filter(|m| !m.backup.pinned.is_empty()) {
            out.push_str(&format!(
                "  {}: {}\n",
                m.source,
                t!(
                    "tripwire.status_pinned",
                    list = m
                        .backup
                        .pinned
                        .iter()
                        .map(|n| untrusted::text(n))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            ));
        }
        for m in s
            .mounts
            .iter()
            .filter(|m| !m.backup.pending_ignore_files.is_empty())
        {
            out.push_str(&format!(
                "  {}: {}\n",
                m.source,
                t!(
                    "rules.status_pending",
                    list = m.backup.pending_ignore_files.join(", "),
                    command = format!(
                        "agsekit accept-ignore {}",
                        crate::backup::chain::command_flags(
                            std::path::Path::new(&m.source),
                            std::path::Path::new(""),
                            true
                        )
                    )
                )
            ));
        }
    }

    out.push_str(&format!("\n{}\n", t!("status.agents")));
    if s.agents.is_empty() {
        out.push_str(&format!(
            "  {}\n",
            if s.backend.available {
                t!("status.none_running")
            } else {
                t!("status.agents_unknown")
            }
        ));
    } else {
        let rows: Vec<Vec<String>> = s
            .agents
            .iter()
            .map(|a| {
                vec![
                    // What a process in the VM reports is the agent's to choose: escaped.
                    a.pid.to_string(),
                    untrusted::text(&a.vm),
                    untrusted::text(&if a.agents.is_empty() {
                        a.binary.clone()
                    } else {
                        format!("{} ({})", a.binary, a.agents.join(", "))
                    }),
                    a.folder
                        .as_deref()
                        .map(untrusted::text)
                        .unwrap_or_else(|| "-".into()),
                    a.mount_source
                        .as_deref()
                        .map(untrusted::text)
                        .unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "PID",
                &t!("status.col.vm"),
                &t!("status.col.agent"),
                &t!("status.col.folder"),
                &t!("status.col.host_folder"),
            ],
            &rows,
        ));
    }

    out.push_str(&format!("\n{}\n", t!("status.port_forwards")));
    if s.port_forwards.is_empty() {
        out.push_str(&format!("  {}\n", t!("status.none_configured")));
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
                        (true, Some(pid), Some(by)) => t!(
                            "status.up_pid",
                            pid = pid,
                            by = crate::portforward::owner_label(by)
                        ),
                        (true, _, _) => t!("status.up"),
                        (false, _, Some(by)) => t!(
                            "status.down_retries",
                            by = crate::portforward::owner_label(by)
                        ),
                        (false, _, None) => t!("status.down"),
                    },
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                &t!("status.col.vm"),
                &t!("status.col.type"),
                &t!("status.col.ssh_forward"),
                &t!("status.col.tunnel"),
            ],
            &rows,
        ));
    }

    let d = &s.daemon;
    out.push_str(&format!(
        "\n{}\n",
        t!(
            "status.daemon",
            state = match (d.running, d.pid) {
                (true, Some(pid)) => t!(
                    "status.daemon_running_pid",
                    pid = pid,
                    version = d.version.as_deref().unwrap_or("?")
                ),
                (true, None) => t!("status.daemon_running"),
                (false, _) => t!("status.daemon_not_running"),
            },
            installed = if d.installed {
                t!("status.installed")
            } else {
                t!("status.not_installed")
            }
        )
    ));

    if !s.warnings.is_empty() {
        out.push_str(&format!("\n{}\n", t!("status.warnings")));
        for w in &s.warnings {
            out.push_str(&format!("  - {}\n", w.text()));
        }
    }
    out
}
