//! `fake-multipass`: a stand-in for the `multipass` CLI, for agsekit's integration tests.
//! It is a fake: there is no VM. Instances are records in a state directory, and `exec` and
//! `shell` run the command on this machine inside bubblewrap, where each mount of the
//! instance is bound at its target. See `tests/README.md` for what it does and how tests use
//! it.
//!
//! Environment:
//! - `FAKE_MULTIPASS_STATE` (required): the state directory.
//! - `FAKE_MULTIPASS_LATENCY_MS`: sleep this long at the start of every call.
//! - `FAKE_MULTIPASS_FAIL`: failures to inject, one rule per line:
//!   `COMMAND[#N]:EXIT_CODE:STDERR`. Every call of `COMMAND` (or only its first N calls with
//!   `#N`) prints STDERR (`\n` in it becomes a newline) and exits with EXIT_CODE without doing
//!   anything. Example: `mount:2:mount failed: Mounts are disabled on this installation of
//!   Multipass.`
//! - `FAKE_MULTIPASS_BWRAP`: the bubblewrap executable (default `bwrap` on PATH).
//! - `FAKE_MULTIPASS_DETACHED=1`: `exec`'d commands share one PID namespace and, without a
//!   terminal, outlive a killed client, as in a real VM (default: each has its own and dies
//!   with the client).

mod commands;
mod qtjson;
mod sandbox;
mod state;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use state::Store;

/// Exit code of `exec` when the command in the VM exited with 4: real Multipass 1.16 would
/// have re-run it forever (its issue #3771), so the fake stops and says so instead.
pub const REMOTE_4_EXIT: i32 = 199;

/// A failed command: what it prints on stderr and its exit code.
#[derive(Debug)]
pub struct Exit {
    pub code: i32,
    pub stderr: String,
}

impl Exit {
    pub fn new(code: i32, stderr: impl Into<String>) -> Exit {
        Exit {
            code,
            stderr: stderr.into(),
        }
    }
}

/// What every command gets.
pub struct Ctx {
    pub store: Store,
    /// Bytes read from stdin before the command ran (`launch --cloud-init -`).
    pub stdin: Option<Vec<u8>>,
}

fn fail_rule(store: &Store, command: &str) -> Option<Exit> {
    let rules = std::env::var("FAKE_MULTIPASS_FAIL").ok()?;
    for (i, rule) in rules.lines().enumerate() {
        let mut parts = rule.splitn(3, ':');
        let (Some(which), Some(code), Some(text)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (name, limit) = match which.split_once('#') {
            Some((n, l)) => (n, l.parse::<u64>().ok()),
            None => (which, None),
        };
        if name != command {
            continue;
        }
        let Ok(code) = code.trim().parse::<i32>() else {
            continue;
        };
        if let Some(limit) = limit {
            match store.bump_fail_count(&format!("{i}:{rule}")) {
                Ok(seen) if seen < limit => {}
                _ => continue,
            }
        }
        let mut text = text.replace("\\n", "\n");
        if !text.ends_with('\n') {
            text.push('\n');
        }
        return Some(Exit::new(code, text));
    }
    None
}

fn wants_stdin(args: &[String]) -> bool {
    args.first().map(String::as_str) == Some("launch")
        && args
            .windows(2)
            .any(|w| w[0] == "--cloud-init" && w[1] == "-")
}

fn run() -> i32 {
    // Multipass reads its command line through Qt, which replaces bytes that are not UTF-8;
    // the fake does the same (and never panics on them).
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let Some(dir) = std::env::var_os("FAKE_MULTIPASS_STATE").filter(|d| !d.is_empty()) else {
        eprintln!("fake-multipass: FAKE_MULTIPASS_STATE must name the state directory");
        return 70;
    };
    let store = Store::new(PathBuf::from(dir));
    let stdin = if wants_stdin(&args) {
        let mut buf = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut buf);
        Some(buf)
    } else {
        None
    };
    let mut record = json!({ "argv": args });
    if let Some(bytes) = &stdin {
        record["stdin"] = json!(String::from_utf8_lossy(bytes));
    }
    store.log_call(&record);

    if let Some(ms) = std::env::var("FAKE_MULTIPASS_LATENCY_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        std::thread::sleep(Duration::from_millis(ms));
    }
    let command = args.first().cloned().unwrap_or_default();
    if let Some(exit) = fail_rule(&store, &command) {
        eprint!("{}", exit.stderr);
        return exit.code;
    }
    let ctx = Ctx { store, stdin };
    match commands::dispatch(&ctx, &command, &args[1.min(args.len())..]) {
        Ok(code) => code,
        Err(exit) => {
            eprint!("{}", exit.stderr);
            let _ = std::io::stderr().flush();
            exit.code
        }
    }
}

fn main() {
    let code = run();
    let _ = std::io::stdout().flush();
    std::process::exit(code);
}
