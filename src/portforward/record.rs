//! What the running port-forward supervisor is doing, for `status` and `doctor`:
//! `<state dir>/portforward.json`, rewritten (atomically) whenever a tunnel starts or stops.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The supervisor's PID.
    pub pid: u32,
    /// `portforward` (the command) or `daemon`.
    pub owner: String,
    pub tunnels: Vec<TunnelRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TunnelRecord {
    pub vm: String,
    /// The ssh process, while it runs.
    pub pid: Option<u32>,
    /// The VM address it connects to.
    pub address: Option<String>,
    /// Its forwarding options, each as `-L SPEC` / `-R SPEC`.
    pub forwards: Vec<String>,
    pub last_error: Option<String>,
}

pub fn path() -> PathBuf {
    crate::config::state_dir().join("portforward.json")
}

/// The record, if a supervisor wrote one that parses.
pub fn read() -> Option<Record> {
    let text = std::fs::read_to_string(path()).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes the record atomically ([`crate::statefile::replace`]).
pub fn write(record: &Record) -> std::io::Result<()> {
    let path = path();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = serde_json::to_string_pretty(record).map_err(std::io::Error::other)?;
    crate::statefile::replace(&path, text.as_bytes())
}

/// Removes the record (when the supervisor stops).
pub fn remove() {
    let _ = std::fs::remove_file(path());
}
