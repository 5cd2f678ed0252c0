//! Finding running agents in a VM from one `ps -eo pid=,ppid=,args=` listing.
//!
//! Agents started by agsekit run under the VM-side launcher (`agsekit-launch --session ID
//! --mount-root DIR --workdir DIR --binary NAME ... -- ARGS`, docs/launcher.md), so its
//! arguments say which agent runs in which folder; the agent is the launcher's child. An agent
//! started by hand (no launcher) is recognised by its program name; its folder is unknown.

use std::path::Path;

use base64::Engine;
use serde::Serialize;

use crate::config::Config;
use crate::vm::{ExecSpec, VmBackend};

/// One line of `ps -eo pid=,ppid=,args=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsLine {
    pub pid: u32,
    pub ppid: u32,
    /// The command line split on spaces (ps joins argv with spaces, so this is lossy).
    pub args: Vec<String>,
}

/// Parses `ps -eo pid=,ppid=,args=`; malformed lines are skipped.
pub fn parse_ps(text: &str) -> Vec<PsLine> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let pid = words.next()?.parse().ok()?;
            let ppid = words.next()?.parse().ok()?;
            let args: Vec<String> = words.map(str::to_string).collect();
            if args.is_empty() {
                return None;
            }
            Some(PsLine { pid, ppid, args })
        })
        .collect()
}

/// An agent process found in a VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundAgent {
    /// The agent's PID (the launcher's child), or the launcher's when it has no child yet.
    pub pid: u32,
    pub launcher_pid: Option<u32>,
    /// The program name (`codex`, `claude`, ...).
    pub binary: String,
    /// The working folder in the VM, when known.
    pub workdir: Option<String>,
    /// The mount root the launcher checked, when it ran in a mount.
    pub mount_root: Option<String>,
    pub session: Option<String>,
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn b64(text: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The launcher's options, when this line is the VM-side launcher.
fn launcher_of(line: &PsLine) -> Option<FoundAgent> {
    let at = line
        .args
        .iter()
        .take(3)
        .position(|w| basename(w) == "agsekit-launch")?;
    let opts: Vec<&str> = line.args[at + 1..]
        .iter()
        .map(String::as_str)
        .take_while(|w| *w != "--")
        .collect();
    let value = |name: &str| {
        opts.iter()
            .position(|w| *w == name)
            .and_then(|i| opts.get(i + 1))
            .map(|s| s.to_string())
    };
    let session = value("--session")?;
    let binary = value("--binary")?;
    let encoded = opts.contains(&"--b64");
    let workdir = value("--workdir").map(|w| if encoded { b64(&w).unwrap_or(w) } else { w });
    Some(FoundAgent {
        pid: line.pid,
        launcher_pid: Some(line.pid),
        binary,
        workdir,
        mount_root: value("--mount-root"),
        session: Some(session),
    })
}

/// Agents in a `ps` listing: launcher sessions first (the agent is the launcher's child),
/// then processes named like one of `binaries` that no launcher started.
pub fn find_agents(lines: &[PsLine], binaries: &[&str]) -> Vec<FoundAgent> {
    let mut found: Vec<FoundAgent> = Vec::new();
    for line in lines {
        if let Some(mut agent) = launcher_of(line) {
            if let Some(child) = lines.iter().find(|l| l.ppid == line.pid) {
                agent.pid = child.pid;
            }
            found.push(agent);
        }
    }
    let launchers: Vec<u32> = found.iter().filter_map(|a| a.launcher_pid).collect();
    let by_pid = |pid: u32| lines.iter().find(|l| l.pid == pid);
    let under_launcher = |line: &PsLine| {
        let mut ppid = line.ppid;
        for _ in 0..64 {
            if launchers.contains(&ppid) {
                return true;
            }
            match by_pid(ppid) {
                Some(parent) if parent.pid != parent.ppid => ppid = parent.ppid,
                _ => return false,
            }
        }
        false
    };
    let program = |line: &PsLine| -> Option<String> {
        let first = basename(&line.args[0]);
        if binaries.contains(&first) {
            return Some(first.to_string());
        }
        let interpreter = first == "node" || first.starts_with("python");
        line.args
            .get(1)
            .map(|w| basename(w))
            .filter(|w| interpreter && binaries.contains(w))
            .map(str::to_string)
    };
    let mut manual: Vec<(u32, u32, String)> = Vec::new();
    for line in lines {
        if launcher_of(line).is_some() || under_launcher(line) {
            continue;
        }
        if let Some(binary) = program(line) {
            manual.push((line.pid, line.ppid, binary));
        }
    }
    // A program that forks itself (node agents do) counts once: drop children of a match.
    let pids: Vec<u32> = manual.iter().map(|m| m.0).collect();
    for (pid, ppid, binary) in &manual {
        if pids.contains(ppid) {
            continue;
        }
        found.push(FoundAgent {
            pid: *pid,
            launcher_pid: None,
            binary: binary.clone(),
            workdir: None,
            mount_root: None,
            session: None,
        });
    }
    found
}

/// A running agent as status and the daemon see it.
#[derive(Debug, Clone, Serialize)]
pub struct RunningAgent {
    pub vm: String,
    pub pid: u32,
    pub launcher_pid: Option<u32>,
    /// The program (`codex`).
    pub binary: String,
    /// Configured agent profiles that run this program in this VM.
    pub agents: Vec<String>,
    /// Folder in the VM, when known.
    pub folder: Option<String>,
    /// The host folder of the mount it runs in, when known.
    pub mount_source: Option<String>,
    pub session: Option<String>,
}

/// The agents running in `vm`, from one `ps` there (none when it cannot be listed).
pub fn ps_agents(backend: &dyn VmBackend, vm: &str, binaries: &[&str]) -> Vec<FoundAgent> {
    let spec = ExecSpec::capture(vm, "/", ["ps", "-eo", "pid=,ppid=,args="]);
    match backend.exec(&spec) {
        Ok(res) if res.success() => find_agents(&parse_ps(&res.stdout_text()), binaries),
        _ => Vec::new(),
    }
}

/// What `found` is in the config's terms: which agent profiles run it, in which mount.
pub fn agent_entry(config: &Config, vm: &str, found: FoundAgent) -> RunningAgent {
    let names: Vec<String> = config
        .agents
        .values()
        .filter(|a| a.agent_type.binary() == found.binary && a.bound_vms(config).contains(&vm))
        .map(|a| a.name.clone())
        .collect();
    let folder = found.workdir.clone().or(found.mount_root.clone());
    let mount_source = config
        .mounts
        .iter()
        .filter(|m| m.vm == vm)
        .filter(|m| {
            let target = m.target.to_string_lossy();
            found.mount_root.as_deref() == Some(&*target)
                || folder
                    .as_deref()
                    .is_some_and(|f| Path::new(f).starts_with(&m.target))
        })
        .max_by_key(|m| m.target.components().count())
        .map(|m| m.source.display().to_string());
    RunningAgent {
        vm: vm.to_string(),
        pid: found.pid,
        launcher_pid: found.launcher_pid,
        binary: found.binary,
        agents: names,
        folder,
        mount_source,
        session: found.session,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn launcher_sessions_give_agent_pid_binary_and_decoded_folder() {
        let text = format!(
            "    1     0 /sbin/init\n  200     1 sshd: ubuntu\n  300   200 bash /usr/local/bin/agsekit-launch --session s1 --mount-root /home/ubuntu/p --workdir {} --binary codex --b64 -- {}\n  301   300 node /usr/local/bin/codex --yolo\n  302   301 node /usr/local/bin/codex worker\n  400     1 /usr/local/bin/claude\n  500     1 vim codex.txt\n",
            enc("/home/ubuntu/p/sub dir"),
            enc("--yolo")
        );
        let lines = parse_ps(&text);
        let found = find_agents(&lines, &["codex", "claude"]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].pid, 301);
        assert_eq!(found[0].launcher_pid, Some(300));
        assert_eq!(found[0].binary, "codex");
        assert_eq!(found[0].workdir.as_deref(), Some("/home/ubuntu/p/sub dir"));
        assert_eq!(found[0].mount_root.as_deref(), Some("/home/ubuntu/p"));
        assert_eq!(found[0].session.as_deref(), Some("s1"));
        assert_eq!(found[1].pid, 400);
        assert_eq!(found[1].binary, "claude");
        assert_eq!(found[1].workdir, None);
    }

    #[test]
    fn a_launcher_without_child_yet_reports_itself_and_plain_workdir() {
        let lines = parse_ps(
            "10 1 /bin/bash /usr/local/bin/agsekit-launch --session x --no-mount --workdir /tmp/w --binary qwen -- a\n",
        );
        let found = find_agents(&lines, &["qwen"]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pid, 10);
        assert_eq!(found[0].workdir.as_deref(), Some("/tmp/w"));
        assert_eq!(found[0].mount_root, None);
    }

    #[test]
    fn garbage_lines_are_skipped() {
        assert!(parse_ps("x y z\n\n 12\n").is_empty());
        assert!(find_agents(&parse_ps("abc\n"), &["codex"]).is_empty());
    }
}
