//! Agent installers: which script installs each agent type, the flags it takes, and the
//! `stable` versions (the versions agsekit was tested with).

use crate::config::AgentType;
use crate::error::UserError;
use crate::t;

use super::script::ScriptRun;
use super::{check_proxychains_url, is_valid_version};

/// How an agent type is installed in a VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentInstaller {
    pub agent_type: AgentType,
    /// `agent_scripts/agents/<type>.sh`, sent on stdin.
    pub script: &'static str,
    /// Installed with npm under nvm's Node.js (takes `--skip-nvm-install`; the launcher
    /// needs `--load-nvm` to find it).
    pub needs_nvm: bool,
    /// What `version: stable` installs; `None` = no tested pin yet, `stable` means latest.
    pub stable_version: Option<&'static str>,
}

/// The installer of `agent_type`. The pinned versions are those of agsekit 1.7.4; gemini has
/// no tested pin yet.
pub fn installer(agent_type: AgentType) -> AgentInstaller {
    let (script, needs_nvm, stable_version): (&'static str, bool, Option<&'static str>) =
        match agent_type {
            AgentType::Aider => (
                include_str!("../../agent_scripts/agents/aider.sh"),
                false,
                Some("0.86.2"),
            ),
            AgentType::Qwen => (
                include_str!("../../agent_scripts/agents/qwen.sh"),
                true,
                Some("0.15.11"),
            ),
            AgentType::Forgecode => (
                include_str!("../../agent_scripts/agents/forgecode.sh"),
                false,
                Some("2.12.14"),
            ),
            AgentType::Codex => (
                include_str!("../../agent_scripts/agents/codex.sh"),
                true,
                Some("0.130.0"),
            ),
            AgentType::Opencode => (
                include_str!("../../agent_scripts/agents/opencode.sh"),
                true,
                Some("1.14.50"),
            ),
            AgentType::CodexGlibc => (
                include_str!("../../agent_scripts/agents/codex-glibc.sh"),
                false,
                Some("0.130.0"),
            ),
            AgentType::CodexGlibcPrebuilt => (
                include_str!("../../agent_scripts/agents/codex-glibc-prebuilt.sh"),
                false,
                Some("0.130.0"),
            ),
            AgentType::Claude => (
                include_str!("../../agent_scripts/agents/claude.sh"),
                true,
                Some("2.1.141"),
            ),
            AgentType::Cline => (
                include_str!("../../agent_scripts/agents/cline.sh"),
                true,
                Some("2.17.0"),
            ),
            AgentType::Gemini => (
                include_str!("../../agent_scripts/agents/gemini.sh"),
                true,
                None,
            ),
        };
    AgentInstaller {
        agent_type,
        script,
        needs_nvm,
        stable_version,
    }
}

/// An agent's `version:`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum VersionRequest {
    /// Key absent or `latest`: the newest upstream release.
    #[default]
    Latest,
    /// `stable`: the tested version of [`AgentInstaller::stable_version`].
    Stable,
    /// An exact version (`0.130.0`; a leading `v` is dropped).
    Exact(String),
}

impl VersionRequest {
    /// Reads a `version:` value; `key` names it in errors (`agents.codex.version`).
    pub fn parse(value: Option<&str>, key: &str) -> Result<VersionRequest, UserError> {
        let Some(text) = value.map(str::trim) else {
            return Ok(VersionRequest::Latest);
        };
        match text {
            "" | "latest" => Ok(VersionRequest::Latest),
            "stable" => Ok(VersionRequest::Stable),
            other if is_valid_version(other) => Ok(VersionRequest::Exact(
                other.strip_prefix('v').unwrap_or(other).to_string(),
            )),
            other => Err(UserError::config(t!(
                "lifecycle.provision.bad_agent_version",
                key = key,
                value = other
            ))
            .hint(t!("lifecycle.provision.set_stable", key = key))),
        }
    }
}

/// Where `codex-glibc-prebuilt` downloads from (the host fills these from
/// `AGSEKIT_CODEX_GLIBC_PREBUILT_REPO`, `_TAG` and `_ASSET`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrebuiltSource {
    /// `owner/name` of the GitHub project whose releases hold the binaries.
    pub repo: Option<String>,
    /// A release tag; wins over the version.
    pub tag: Option<String>,
    /// The release asset's file name.
    pub asset: Option<String>,
}

impl PrebuiltSource {
    /// Reads the three `AGSEKIT_CODEX_GLIBC_PREBUILT_*` variables through `lookup` (empty
    /// values count as unset).
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> PrebuiltSource {
        let get = |suffix: &str| {
            lookup(&format!("AGSEKIT_CODEX_GLIBC_PREBUILT_{suffix}"))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        PrebuiltSource {
            repo: get("REPO"),
            tag: get("TAG"),
            asset: get("ASSET"),
        }
    }
}

/// Everything `install-agents` decides for one agent install.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentInstallOptions {
    pub version: VersionRequest,
    /// Reinstall even when the requested version is there.
    pub force: bool,
    /// `scheme://host:port` for the network steps; `None` or empty = direct.
    pub proxychains: Option<String>,
    /// Do not install nvm/Node.js (the VM's bundles already did); npm agents only.
    pub skip_nvm_install: bool,
    /// codex-glibc-prebuilt only.
    pub prebuilt: PrebuiltSource,
}

fn check_release_value(flag: &str, value: &str) -> Result<(), UserError> {
    let ok = !value.starts_with('.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '+' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(UserError::usage(t!(
            "lifecycle.provision.bad_release_value",
            flag = flag,
            value = value
        ))
        .hint(t!(
            "lifecycle.provision.bad_release_value_hint",
            var = format!(
                "AGSEKIT_CODEX_GLIBC_PREBUILT_{}",
                flag.trim_start_matches("--").to_ascii_uppercase()
            )
        )))
    }
}

/// The script run that installs `agent_type` with `options`. `stable` is resolved here to
/// the pinned version, so the VM receives an exact `--version` (or none, for latest).
pub fn agent_run(
    agent_type: AgentType,
    options: &AgentInstallOptions,
) -> Result<ScriptRun, UserError> {
    let installer = installer(agent_type);
    let mut args = Vec::new();
    let version = match &options.version {
        VersionRequest::Latest => None,
        VersionRequest::Stable => installer.stable_version.map(str::to_string),
        VersionRequest::Exact(v) => Some(v.clone()),
    };
    if let Some(v) = version {
        if !is_valid_version(&v) {
            return Err(UserError::usage(t!(
                "lifecycle.provision.bad_version_for",
                version = v,
                agent_type = agent_type.as_str()
            )));
        }
        args.push("--version".to_string());
        args.push(v);
    }
    if options.force {
        args.push("--force".to_string());
    }
    if let Some(url) = options.proxychains.as_deref().filter(|u| !u.is_empty()) {
        check_proxychains_url(url)?;
        args.push("--proxychains".to_string());
        args.push(url.to_string());
    }
    if options.skip_nvm_install && installer.needs_nvm {
        args.push("--skip-nvm-install".to_string());
    }
    if agent_type == AgentType::CodexGlibcPrebuilt {
        let source = &options.prebuilt;
        for (flag, value) in [
            ("--repo", &source.repo),
            ("--tag", &source.tag),
            ("--asset", &source.asset),
        ] {
            if let Some(value) = value {
                check_release_value(flag, value)?;
                args.push(flag.to_string());
                args.push(value.clone());
            }
        }
    }
    Ok(ScriptRun {
        name: agent_type.as_str().to_string(),
        script: installer.script,
        args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: AgentType, options: AgentInstallOptions) -> Vec<String> {
        agent_run(t, &options).unwrap().args
    }

    #[test]
    fn every_type_has_its_own_script_naming_itself_with_the_same_stable_pin() {
        for t in AgentType::ALL {
            let i = installer(t);
            assert!(
                i.script.contains(&format!("\nNAME={}\n", t.as_str())),
                "{t:?}"
            );
            let pin = format!("\nSTABLE_VERSION={}\n", i.stable_version.unwrap_or(""));
            assert!(
                i.script.contains(&pin),
                "{t:?}: script pin differs from {pin:?}"
            );
            let takes_skip_nvm = i.script.contains("skip-nvm-install'");
            assert_eq!(takes_skip_nvm, i.needs_nvm, "{t:?}");
        }
    }

    #[test]
    fn versions_parse() {
        assert_eq!(
            VersionRequest::parse(None, "k").unwrap(),
            VersionRequest::Latest
        );
        assert_eq!(
            VersionRequest::parse(Some("latest"), "k").unwrap(),
            VersionRequest::Latest
        );
        assert_eq!(
            VersionRequest::parse(Some(" stable "), "k").unwrap(),
            VersionRequest::Stable
        );
        assert_eq!(
            VersionRequest::parse(Some("v0.130.0"), "k").unwrap(),
            VersionRequest::Exact("0.130.0".into())
        );
        let err = VersionRequest::parse(Some("1.0; rm -rf /"), "agents.c.version").unwrap_err();
        assert!(
            err.message.starts_with("agents.c.version: invalid version"),
            "{}",
            err.message
        );
    }

    #[test]
    fn stable_becomes_the_pinned_version_and_latest_passes_nothing() {
        let stable = AgentInstallOptions {
            version: VersionRequest::Stable,
            ..Default::default()
        };
        assert_eq!(
            run(AgentType::Codex, stable.clone()),
            ["--version", "0.130.0"]
        );
        assert_eq!(
            run(AgentType::Claude, stable.clone()),
            ["--version", "2.1.141"]
        );
        assert!(
            run(AgentType::Gemini, stable).is_empty(),
            "gemini has no pin: stable = latest"
        );
        assert!(run(AgentType::Aider, AgentInstallOptions::default()).is_empty());
        let exact = AgentInstallOptions {
            version: VersionRequest::Exact("1.2.3".into()),
            ..Default::default()
        };
        assert_eq!(run(AgentType::Opencode, exact), ["--version", "1.2.3"]);
    }

    #[test]
    fn flags_go_only_to_scripts_that_take_them() {
        let all = AgentInstallOptions {
            version: VersionRequest::Latest,
            force: true,
            proxychains: Some("http://10.0.0.1:3128".into()),
            skip_nvm_install: true,
            prebuilt: PrebuiltSource {
                repo: Some("me/fork".into()),
                tag: Some("codex-glibc-rust-v0.131.0".into()),
                asset: None,
            },
        };
        assert_eq!(
            run(AgentType::Qwen, all.clone()),
            [
                "--force",
                "--proxychains",
                "http://10.0.0.1:3128",
                "--skip-nvm-install"
            ]
        );
        assert_eq!(
            run(AgentType::Aider, all.clone()),
            ["--force", "--proxychains", "http://10.0.0.1:3128"]
        );
        assert_eq!(
            run(AgentType::CodexGlibcPrebuilt, all.clone()),
            [
                "--force",
                "--proxychains",
                "http://10.0.0.1:3128",
                "--repo",
                "me/fork",
                "--tag",
                "codex-glibc-rust-v0.131.0"
            ]
        );
        let no_proxy = AgentInstallOptions {
            proxychains: Some(String::new()),
            ..Default::default()
        };
        assert!(run(AgentType::Cline, no_proxy).is_empty());
    }

    #[test]
    fn bad_values_are_refused_before_reaching_the_vm() {
        let bad_proxy = AgentInstallOptions {
            proxychains: Some("socks5://h".into()),
            ..Default::default()
        };
        assert!(agent_run(AgentType::Codex, &bad_proxy).is_err());
        let bad_tag = AgentInstallOptions {
            prebuilt: PrebuiltSource {
                tag: Some("$(reboot)".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let err = agent_run(AgentType::CodexGlibcPrebuilt, &bad_tag).unwrap_err();
        assert!(err.message.contains("--tag"), "{}", err.message);
        assert!(err.hints[0].contains("AGSEKIT_CODEX_GLIBC_PREBUILT_TAG"));
    }

    #[test]
    fn prebuilt_source_reads_the_environment() {
        let env = |k: &str| match k {
            "AGSEKIT_CODEX_GLIBC_PREBUILT_REPO" => Some("me/fork".to_string()),
            "AGSEKIT_CODEX_GLIBC_PREBUILT_TAG" => Some("  ".to_string()),
            _ => None,
        };
        assert_eq!(
            PrebuiltSource::from_env(env),
            PrebuiltSource {
                repo: Some("me/fork".into()),
                tag: None,
                asset: None
            }
        );
    }
}
