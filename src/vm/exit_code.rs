//! Carrying a command's exit code 4 out of the VM.
//!
//! `multipass exec` up to 1.16 treats a remote exit code 4 as its own internal "retry" code
//! and runs the command again, forever (Multipass issue #3771). So a command that exits 4 in
//! the VM must never exit 4 there. The VM-side launcher agsekit installs ends with
//! [`LAUNCHER_EXIT_SNIPPET`]: an exit code 4 leaves the VM as [`REMOTE_4_SENT_AS`] (254), and
//! the host turns 254 back into 4 with [`host_exit_code`].
//!
//! 256 exit codes cannot fit into the 255 that are safe, so one pair collides: a command that
//! really exits 254 is also reported as 4 on the host. 254 was chosen because programs rarely
//! use it, while 4 is common. Codes 1, 2 and 3 cannot be told apart from Multipass's own
//! failures by the code alone; the driver reads stderr when it captures it.

/// The code a remote exit code 4 is sent as.
pub const REMOTE_4_SENT_AS: i32 = 254;

/// The code Multipass loops on.
pub const MULTIPASS_RETRY_CODE: i32 = 4;

/// The shell lines the VM-side launcher ends with: run the command, then leave with its code,
/// 4 mapped to [`REMOTE_4_SENT_AS`]. `"$@"` is the command; nothing is re-split.
pub const LAUNCHER_EXIT_SNIPPET: &str =
    "\"$@\"\nrc=$?\nif [ \"$rc\" -eq 4 ]; then exit 254; fi\nexit \"$rc\"\n";

/// What the VM side exits with when its command exited with `code`.
pub fn launcher_exit_code(code: i32) -> i32 {
    if code == MULTIPASS_RETRY_CODE {
        REMOTE_4_SENT_AS
    } else {
        code
    }
}

/// What the host reports for a VM-side launcher that exited with `code`.
pub fn host_exit_code(code: i32) -> i32 {
    if code == REMOTE_4_SENT_AS {
        MULTIPASS_RETRY_CODE
    } else {
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{Cmd, RealRunner, Runner};

    #[test]
    fn four_round_trips_and_other_codes_pass_through() {
        assert_eq!(launcher_exit_code(4), 254);
        assert_eq!(host_exit_code(launcher_exit_code(4)), 4);
        for code in [0, 1, 2, 3, 5, 127, 130, 255] {
            assert_eq!(launcher_exit_code(code), code);
            assert_eq!(host_exit_code(launcher_exit_code(code)), code);
        }
    }

    #[test]
    fn the_launcher_snippet_maps_4_in_a_real_shell() {
        for (inner, expected) in [("exit 4", 254), ("exit 0", 0), ("exit 7", 7)] {
            let script = format!("set -- sh -c '{inner}'\n{LAUNCHER_EXIT_SNIPPET}");
            let out = RealRunner
                .capture(&Cmd::new("sh").args(["-c", &script]))
                .unwrap();
            assert_eq!(out.code, expected, "{inner}");
        }
    }
}
