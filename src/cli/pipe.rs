//! What happens when the reader of agsekit's output goes away (`agsekit snapshots | head -1`).
//!
//! Rust ignores SIGPIPE, so a write to a closed pipe fails with EPIPE, and `println!` panics
//! on that (exit 101 and a backtrace). agsekit instead behaves like other Unix tools:
//! - commands that report (almost all of them) get the default action back: the kernel ends
//!   the process quietly at the first write nobody reads (the shell shows 141, 128 + SIGPIPE).
//!   Their work is crash-safe anyway (a snapshot is renamed into place only when complete);
//! - commands that supervise other processes (`run` and the shims, `daemon run`,
//!   `portforward`) keep SIGPIPE ignored, so a lost reader never kills them before they have
//!   stopped their snapshot loop or tunnels and returned the agent's exit code; they write
//!   their own output with [`line`] and [`err_text`] (`run`'s `eprintln!` and the error
//!   report use it), which drop what cannot be written.
//!
//! Programs agsekit starts are not affected either way: the standard library resets SIGPIPE
//! to its default in every child, so an agent's output behaves as it would without agsekit.

use std::io::Write;

/// Whether this command supervises other processes and must outlive its reader.
pub(super) fn supervises(command: &super::Command) -> bool {
    use super::args::DaemonAction;
    match command {
        super::Command::Run(_) | super::Command::Portforward => true,
        super::Command::Daemon(args) | super::Command::Systemd(args) => {
            matches!(args.action, DaemonAction::Run)
        }
        _ => false,
    }
}

/// A write to a closed pipe ends the process quietly, as it does for `cat` or `ls`.
pub(super) fn end_quietly_on_closed_pipe() {
    set(nix::sys::signal::SigHandler::SigDfl);
}

/// A write to a closed pipe fails with EPIPE (Rust's default), for supervisors.
pub(super) fn survive_closed_pipe() {
    set(nix::sys::signal::SigHandler::SigIgn);
}

fn set(handler: nix::sys::signal::SigHandler) {
    // SAFETY: SIG_DFL and SIG_IGN run no code of ours in signal context, and nothing else in
    // agsekit installs a SIGPIPE handler that this could replace.
    let _ = unsafe { nix::sys::signal::signal(nix::sys::signal::Signal::SIGPIPE, handler) };
}

/// Prints one line on stdout; a reader that went away is not an error for a supervisor
/// (what it reports is also in its log or visible through `agsekit status`).
pub(super) fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

/// Prints text on stderr, dropping it when nobody reads stderr any more (`eprint!` would
/// panic there, and a session would end without stopping its snapshot loop).
pub(super) fn err_text(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
