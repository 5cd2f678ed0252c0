//! Launching an agent: the pure decisions `agsekit run` and the shims make before the single
//! `multipass exec` (which mount, which VM, is the agent allowed, which arguments, which
//! proxy), and the launcher command line they produce.

pub mod args;
pub mod backup_options;
pub mod launch;
pub mod policy;
pub mod review;
pub mod session;

pub use args::merge_default_args;
pub use launch::{env_file_contents, AgentLaunch, ProxyMode};
pub use policy::{check_agent_allowed, choose_vm, effective_proxy};
