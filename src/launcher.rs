//! The VM-side launcher (`agsekit-launch`, docs/launcher.md) as the host knows it: where it is
//! installed, the script and version this build ships, its exit codes, and installing it into
//! a VM. `create-vm` installs it (lifecycle) and `run` installs it again when a VM lacks it or
//! has an older one; the command line it takes is built in `run::launch`. It imports neither.

use crate::error::UserError;
use crate::t;
use crate::vm::{ExecSpec, ExecStdin, VmBackend};

/// Where `create-vm` installs the launcher inside the VM.
pub const LAUNCHER_PATH: &str = "/usr/local/bin/agsekit-launch";

/// The launcher version this build needs (`LAUNCH_VERSION` in `agent_scripts/agsekit-launch`;
/// bumped when the host passes something an older launcher does not know). An older
/// launcher refuses (exit 240, an unknown option for version 1), and `run` then installs
/// this build's launcher and tries once more.
pub const LAUNCHER_VERSION: u32 = 3;

/// The launcher script, as installed into VMs.
pub const LAUNCHER_SCRIPT: &str = include_str!("../agent_scripts/agsekit-launch");

/// Launcher exit codes (docs/launcher.md).
pub mod code {
    pub const BAD_ARGS: i32 = 240;
    pub const NOT_MOUNTED: i32 = 241;
    pub const EMPTY_MOUNT: i32 = 242;
    pub const NO_WORKDIR: i32 = 243;
    pub const NO_AGENT: i32 = 244;
    pub const ENV_STALE: i32 = 245;
    pub const PROXY_FAILED: i32 = 246;
    pub const SEE_STATUS: i32 = 254;
}

/// Installs the VM-side launcher as root. `bash` comes first on purpose:
/// `multipass exec --working-directory DIR -- sudo ...` is rewritten by Multipass into
/// `sudo sh -c "cd DIR && sudo -u ubuntu ..."` (Multipass's `exec` special-cases a leading
/// `sudo`), which would run the install as `ubuntu`.
pub fn install(backend: &dyn VmBackend, vm: &str) -> anyhow::Result<()> {
    let spec = ExecSpec::capture(
        vm,
        crate::provision::script::VM_WORKDIR,
        [
            "bash",
            "-c",
            "sudo -n install -m 0755 /dev/stdin \"$1\"",
            "agsekit-install-launcher",
            LAUNCHER_PATH,
        ],
    )
    .with_stdin(ExecStdin::Bytes(LAUNCHER_SCRIPT.as_bytes().to_vec()));
    let out = backend.exec(&spec).map_err(UserError::from)?;
    if !out.success() {
        return Err(UserError::vm(t!(
            "lifecycle.create.launcher_failed",
            path = LAUNCHER_PATH,
            vm = vm,
            error = out.stderr_text().trim()
        ))
        .hint(t!("lifecycle.create.launcher_failed_hint"))
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_script_has_the_version_this_build_asks_for() {
        let script = include_str!("../agent_scripts/agsekit-launch");
        assert!(
            script.contains(&format!("\nLAUNCH_VERSION={LAUNCHER_VERSION}\n")),
            "agent_scripts/agsekit-launch must set LAUNCH_VERSION={LAUNCHER_VERSION}"
        );
    }
}
