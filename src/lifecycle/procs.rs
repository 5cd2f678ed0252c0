//! Finding configured agents still running in a VM (`down` asks before stopping them).

use crate::config::Config;
use crate::probe::agents::{find_agents, parse_ps};
use crate::vm::{ExecSpec, VmBackend};

/// A process in a VM that looks like a configured agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningAgent {
    pub vm: String,
    pub pid: u32,
    /// The agent type's program (`codex`, `claude`...).
    pub program: String,
    /// What to show: the program and, when known, its folder in the VM.
    pub args: String,
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
    // One listing, read the way `status` reads it (launcher sessions and hand-started
    // agents alike).
    let spec = ExecSpec::capture(vm, "/", ["ps", "-eo", "pid=,ppid=,args="]);
    let out = match backend.exec(&spec) {
        Ok(out) if out.success() => out,
        _ => return None,
    };
    let lines = parse_ps(&out.stdout_text());
    Some(
        find_agents(&lines, &programs)
            .into_iter()
            .map(|found| RunningAgent {
                vm: vm.to_string(),
                pid: found.pid,
                args: match &found.workdir {
                    Some(dir) => crate::t!(
                        "lifecycle.procs.agent_in",
                        program = found.binary,
                        dir = dir
                    ),
                    None => found.binary.clone(),
                },
                program: found.binary,
            })
            .collect(),
    )
}
