//! `--debug` logging of commands, and the registry of secret values that must never be
//! printed (values of `env:` entries in the config, tokens...).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

static DEBUG: AtomicBool = AtomicBool::new(false);

fn secrets() -> &'static Mutex<Vec<String>> {
    static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Turns `--debug` logging on or off for this process.
pub fn set_debug(on: bool) {
    DEBUG.store(on, Ordering::Relaxed);
}

/// Whether `--debug` (or `AGSEKIT_DEBUG=1|true|yes|on`) is on.
pub fn debug_enabled() -> bool {
    DEBUG.load(Ordering::Relaxed)
}

/// Remembers a value that must never be printed. Values shorter than 8 bytes are not
/// registered: `env:` also holds plain settings such as `true`, `1` or `install`, and masking
/// those everywhere would garble ordinary output (real keys and tokens are longer). Such values are still never put in argv (the
/// env travels in a file) and are shown as `***` wherever a command prints its env.
pub fn register_secret(value: &str) {
    if value.len() < 8 {
        return;
    }
    let mut list = secrets().lock().unwrap_or_else(|p| p.into_inner());
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
        // Longest first, so a secret that contains another is masked whole.
        list.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// Replaces every registered secret value in `text` with `***`.
pub fn mask_secrets(text: &str) -> String {
    let list = secrets().lock().unwrap_or_else(|p| p.into_inner());
    let mut out = text.to_string();
    for secret in list.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "***");
        }
    }
    out
}

/// Writes one `[debug]` record to stderr when debug is on. Secrets are masked.
pub(crate) fn log(label: &str, text: &str) {
    if !debug_enabled() {
        return;
    }
    let masked = mask_secrets(text);
    let masked = masked.trim_end_matches('\n');
    if masked.contains('\n') {
        eprintln!("[debug] {label}:");
        for line in masked.lines() {
            eprintln!("[debug]   {line}");
        }
    } else {
        eprintln!("[debug] {label}: {masked}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_masked_everywhere() {
        register_secret("hunter2-very-secret");
        register_secret("false"); // too short: ignored
        assert_eq!(
            mask_secrets("key=hunter2-very-secret and again hunter2-very-secret; false"),
            "key=*** and again ***; false"
        );
    }
}
