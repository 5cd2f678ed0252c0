//! The guest side every VM backend gives agsekit: the user agsekit works as in a VM and that
//! user's home, where mount targets, the launcher's start folder and the env files live.
//! A foundation module, so that `config` (which may not import `vm`) and `vm` name the same
//! values; `vm` re-exports them (`vm::GUEST_USER`, `vm::GUEST_HOME`).

/// The user agsekit works as in every VM, whatever the backend.
pub const GUEST_USER: &str = "ubuntu";

/// That user's home in the VM.
pub const GUEST_HOME: &str = "/home/ubuntu";
