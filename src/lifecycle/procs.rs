//! Finding configured agents still running in a VM (`down` asks before stopping them).

use crate::config::Config;
use crate::vm::{ExecSpec, VmBackend};

/// A process in a VM that looks like a configured agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningAgent {
    pub vm: String,
    pub pid: u32,
    /// The agent type's program (`codex`, `claude`...).
    pub program: String,
    pub args: String,
}

/// Reads `ps -eo pid=,args=` output and keeps the processes whose program (or, for
/// interpreters such as `node`, whose script) is one of `programs`.
pub fn parse_ps(vm: &str, text: &str, programs: &[&str]) -> Vec<RunningAgent> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        let Some((pid, args)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let words: Vec<&str> = args.split_whitespace().take(2).collect();
        let found = words.iter().find_map(|w| {
            let base = w.rsplit('/').next().unwrap_or(w);
            programs.iter().find(|p| **p == base)
        });
        if let Some(program) = found {
            out.push(RunningAgent {
                vm: vm.to_string(),
                pid,
                program: program.to_string(),
                args: args.trim().to_string(),
            });
        }
    }
    out
}

/// The configured agents running in `vm`; `None` when the VM could not be asked.
pub fn running_agents(
    config: &Config,
    backend: &dyn VmBackend,
    vm: &str,
) -> Option<Vec<RunningAgent>> {
    let mut programs: Vec<&str> = config
        .agents
        .values()
        .map(|a| a.agent_type.binary())
        .collect();
    programs.sort();
    programs.dedup();
    if programs.is_empty() {
        return Some(Vec::new());
    }
    let spec = ExecSpec::capture(vm, "/", ["ps", "-eo", "pid=,args="]);
    match backend.exec(&spec) {
        Ok(out) if out.success() => Some(parse_ps(vm, &out.stdout_text(), &programs)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_are_found_by_program_or_script() {
        let ps = "    1 /sbin/init\n  812 node /home/ubuntu/.nvm/versions/node/v22/bin/codex --yes\n  900 /usr/local/bin/claude\n  901 bash -c echo codex\n  950 ps -eo pid=,args=\n";
        let got = parse_ps("dev", ps, &["claude", "codex"]);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].pid, got[0].program.as_str()), (812, "codex"));
        assert_eq!((got[1].pid, got[1].program.as_str()), (900, "claude"));
        assert!(parse_ps("dev", "garbage\n\n", &["codex"]).is_empty());
    }
}
