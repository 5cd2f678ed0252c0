//! Provisioning scripts run inside a VM: the base packages, the `install:` bundles and the
//! agent installers of `agent_scripts/`. This module embeds every script, knows which flags
//! each takes, resolves bundle dependencies and builds what the host sends (the script on
//! stdin, its arguments after `bash -s --`). It never spawns anything: `create-vm` and
//! `install-agents` run the returned [`ScriptRun`]s through `crate::process`. [`versions`]
//! is the cache of the newest agent releases that `install-agents --upgrade` and
//! `check-new-version` install from; it asks upstream through an injected
//! [`crate::process::Runner`].
//!
//! The scripts' conventions (output contract, idempotency, proxychains) are in
//! `docs/provisioning.md`.

pub mod agents;
pub mod bundles;
pub mod script;
pub mod versions;

pub use agents::{
    agent_run, installer, AgentInstallOptions, AgentInstaller, PrebuiltSource, VersionRequest,
};
pub use bundles::{
    bundle_runs, parse_install_item, resolve, BundleOptions, BundleSpec, BundleStep, BUNDLES,
};
pub use script::{base_run, compose, parse_result, ResultStatus, ScriptResult, ScriptRun};

use crate::error::UserError;
use crate::t;

/// Whether `text` is a version the scripts accept: letters, digits, `.`, `+`, `_`, `-`,
/// starting with a letter or digit (`22`, `3.12`, `0.130.0`, `v1.2.3`, `lts`, `nightly`).
pub(crate) fn is_valid_version(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '_' | '-'))
}

/// Checks a `--proxychains` URL the way the scripts do (`scheme://host:port`, scheme one of
/// http, https, socks4, socks5) so a bad value is refused before anything runs in the VM.
pub fn check_proxychains_url(url: &str) -> Result<(), UserError> {
    let bad = || {
        UserError::usage(t!("lifecycle.provision.bad_proxy", url = url))
            .hint(t!("lifecycle.provision.bad_proxy_hint"))
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    if !matches!(scheme, "http" | "https" | "socks4" | "socks5") {
        return Err(bad());
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '_' | '-'));
    let port_ok = !port.is_empty() && port.chars().all(|c| c.is_ascii_digit());
    if host_ok && port_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_the_scripts_accept() {
        for ok in [
            "22",
            "3.12",
            "0.130.0",
            "v1.2.3",
            "lts",
            "1.0.0-beta.1+b2",
            "nightly",
        ] {
            assert!(is_valid_version(ok), "{ok}");
        }
        for bad in ["", "-1", ".1", "1 2", "1;rm", "$(x)", "1/2", "é"] {
            assert!(!is_valid_version(bad), "{bad}");
        }
    }

    #[test]
    fn proxychains_urls() {
        for ok in [
            "socks5://127.0.0.1:1080",
            "http://proxy.local:3128/",
            "https://p:443",
            "socks4://::1:9050",
        ] {
            assert!(check_proxychains_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "127.0.0.1:1080",
            "ftp://h:1",
            "socks5://h",
            "socks5://:1",
            "socks5://h:x",
            "socks5://h h:1",
        ] {
            assert!(check_proxychains_url(bad).is_err(), "{bad}");
        }
    }
}
