//! agsekit, the Agent Safety Kit: runs AI coding agents inside Multipass VMs and keeps
//! rolling hardlinked snapshots of the shared project folder on the host.
//!
//! The crate is a library plus a thin binary (`src/main.rs`). Domain modules return data and
//! never print; `cli` and `ui` render. Nothing outside `process` spawns a process.

pub mod backend;
pub mod backup;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod doctor;
pub mod error;
pub mod guest;
pub mod i18n;
pub mod launcher;
pub mod lifecycle;
pub mod pidlock;
pub mod portforward;
pub mod probe;
pub mod process;
pub mod protected;
pub mod provision;
pub mod run;
pub mod shim;
pub mod statefile;
pub mod status;
pub mod ui;
pub mod vm;

pub use error::{ErrorKind, UserError};

/// The version of this build, as printed by `agsekit version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
