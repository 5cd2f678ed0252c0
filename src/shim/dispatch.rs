//! What a shim does when it runs: decide between the agent in its VM, the program of the same
//! name on the host, or a refusal. The decisions are [`super::decisions`] (plain functions
//! over plain data, compiled on their own as the `agsekit-shims` workspace crate in `shims/`,
//! so they cannot reach into agsekit); this module applies them to agsekit's config. The CLI
//! carries them out.

use super::decisions;
pub use decisions::{host_program, marker_with, path_without, reentered, MARKER};

use crate::config::{AgentConfig, Config};

/// The agent a shim called `name` stands for (`decisions::agent_for` over the config's
/// agents, in their order).
pub fn agent_for_shim<'c>(config: &'c Config, name: &str) -> Option<&'c AgentConfig> {
    let agents = config
        .agents
        .iter()
        .map(|(profile, agent)| (profile.as_str(), agent.agent_type.binary()));
    decisions::agent_for(name, agents).and_then(|profile| config.agents.get(profile))
}
