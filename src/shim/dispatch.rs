//! What a shim does when it runs: decide between the agent in its VM, the program of the same
//! name on the host, or a refusal. The decisions are the `agsekit-shims` crate (`shims/` at
//! the top of the repository); this module applies them to agsekit's config. The CLI carries
//! them out.

pub use agsekit_shims::{host_program, marker_with, path_without, reentered, MARKER};

use crate::config::{AgentConfig, Config};

/// The agent a shim called `name` stands for (`agsekit_shims::agent_for` over the config's
/// agents, in their order).
pub fn agent_for_shim<'c>(config: &'c Config, name: &str) -> Option<&'c AgentConfig> {
    let agents = config
        .agents
        .iter()
        .map(|(profile, agent)| (profile.as_str(), agent.agent_type.binary()));
    agsekit_shims::agent_for(name, agents).and_then(|profile| config.agents.get(profile))
}
