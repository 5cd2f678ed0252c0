//! Probes of the host and of running VMs that several commands read: whether a PID is alive
//! and what it runs, disk usage and free space ([`host`]); which agents run in a VM, from one
//! `ps` listing ([`agents`]); VM state names as agsekit shows them ([`state`]). It sits below
//! every user (status, doctor, the daemon, the port-forward supervisor, run, lifecycle) and
//! imports none of them. Nothing here prints.

pub mod agents;
pub mod host;
pub mod state;
