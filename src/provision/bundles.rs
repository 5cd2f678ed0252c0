//! The `install:` bundles of a VM: the registry behind `list-bundles`, parsing of items such
//! as `nodejs:20`, dependency resolution (nodejs needs nvm, python needs pyenv) and the
//! script run of each bundle.

use crate::config::Bundle;
use crate::error::UserError;
use crate::t;

use super::script::ScriptRun;
use super::{check_proxychains_url, is_valid_version};

/// One bundle `install:` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundleSpec {
    pub name: &'static str,
    /// The message key of the one-line description (`lifecycle.bundle.NAME`), shown in the
    /// language of the user by [`BundleSpec::list_line`].
    pub description: &'static str,
    /// The bundle that must be installed first, inserted by [`resolve`] when missing.
    pub depends_on: Option<&'static str>,
    /// Whether `name:VERSION` is accepted.
    pub supports_version: bool,
    /// The script (`agent_scripts/bundles/<name>.sh`), sent on stdin.
    pub script: &'static str,
}

impl BundleSpec {
    /// The `list-bundles` line: `name — description (depends on: x; supports version suffix)`.
    pub fn list_line(&self) -> String {
        let description = crate::i18n::tr(self.description, &[]);
        let mut notes = Vec::new();
        if let Some(dep) = self.depends_on {
            notes.push(t!("lifecycle.bundle.depends_on", bundle = dep));
        }
        if self.supports_version {
            notes.push(t!("lifecycle.bundle.versioned"));
        }
        if notes.is_empty() {
            format!("{} — {description}", self.name)
        } else {
            format!("{} — {description} ({})", self.name, notes.join("; "))
        }
    }
}

/// Every bundle, sorted by name.
pub const BUNDLES: [BundleSpec; 7] = [
    BundleSpec {
        name: "docker",
        description: crate::msg_key!("lifecycle.bundle.docker"),
        depends_on: None,
        supports_version: false,
        script: include_str!("../../agent_scripts/bundles/docker.sh"),
    },
    BundleSpec {
        name: "golang",
        description: crate::msg_key!("lifecycle.bundle.golang"),
        depends_on: None,
        supports_version: false,
        script: include_str!("../../agent_scripts/bundles/golang.sh"),
    },
    BundleSpec {
        name: "nodejs",
        description: crate::msg_key!("lifecycle.bundle.nodejs"),
        depends_on: Some("nvm"),
        supports_version: true,
        script: include_str!("../../agent_scripts/bundles/nodejs.sh"),
    },
    BundleSpec {
        name: "nvm",
        description: crate::msg_key!("lifecycle.bundle.nvm"),
        depends_on: None,
        supports_version: false,
        script: include_str!("../../agent_scripts/bundles/nvm.sh"),
    },
    BundleSpec {
        name: "pyenv",
        description: crate::msg_key!("lifecycle.bundle.pyenv"),
        depends_on: None,
        supports_version: false,
        script: include_str!("../../agent_scripts/bundles/pyenv.sh"),
    },
    BundleSpec {
        name: "python",
        description: crate::msg_key!("lifecycle.bundle.python"),
        depends_on: Some("pyenv"),
        supports_version: true,
        script: include_str!("../../agent_scripts/bundles/python.sh"),
    },
    BundleSpec {
        name: "rust",
        description: crate::msg_key!("lifecycle.bundle.rust"),
        depends_on: None,
        supports_version: true,
        script: include_str!("../../agent_scripts/bundles/rust.sh"),
    },
];

/// The bundle named `name` (exact, lower case).
pub fn find(name: &str) -> Option<&'static BundleSpec> {
    BUNDLES.iter().find(|b| b.name == name)
}

fn names() -> String {
    BUNDLES
        .iter()
        .map(|b| b.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses one `install:` item: `name` or `name:version` (`nodejs:20`, `python:3.12`).
/// Checks the name against the registry and that the bundle takes a version.
pub fn parse_install_item(text: &str) -> Result<Bundle, UserError> {
    let text = text.trim();
    let (name, version) = match text.split_once(':') {
        Some((name, version)) => (name.trim(), Some(version.trim())),
        None => (text, None),
    };
    let spec = find(name).ok_or_else(|| {
        UserError::config(t!("lifecycle.bundle.unknown", name = name, known = names()))
            .hint("agsekit list-bundles")
    })?;
    let version = match version {
        None => None,
        Some(v) if !spec.supports_version => {
            return Err(UserError::config(t!(
                "lifecycle.bundle.no_version",
                name = name,
                text = text,
                versioned = versioned_names()
            ))
            .hint(t!(
                "lifecycle.bundle.no_version_hint",
                name = name,
                version = v
            )));
        }
        Some(v) if !is_valid_version(v) => {
            return Err(UserError::config(t!(
                "lifecycle.bundle.bad_version",
                version = v,
                text = text
            ))
            .hint(t!("lifecycle.bundle.bad_version_hint", name = name)));
        }
        Some(v) => Some(v.to_string()),
    };
    Ok(Bundle {
        name: name.to_string(),
        version,
    })
}

fn versioned_names() -> String {
    BUNDLES
        .iter()
        .filter(|b| b.supports_version)
        .map(|b| b.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One bundle to install, in order, with its version when one was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleStep {
    pub spec: &'static BundleSpec,
    pub version: Option<String>,
}

/// Options shared by every bundle run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleOptions {
    pub force: bool,
    /// `scheme://host:port`; `None` or empty = direct.
    pub proxychains: Option<String>,
}

impl BundleStep {
    /// `name` or `name:version`, as written in `install:`.
    pub fn label(&self) -> String {
        match &self.version {
            Some(v) => format!("{}:{v}", self.spec.name),
            None => self.spec.name.to_string(),
        }
    }

    /// The script run that installs this bundle.
    pub fn run(&self, options: &BundleOptions) -> Result<ScriptRun, UserError> {
        let mut args = Vec::new();
        if let Some(v) = &self.version {
            args.push("--version".to_string());
            args.push(v.clone());
        }
        if options.force {
            args.push("--force".to_string());
        }
        if let Some(url) = options.proxychains.as_deref().filter(|u| !u.is_empty()) {
            check_proxychains_url(url)?;
            args.push("--proxychains".to_string());
            args.push(url.to_string());
        }
        Ok(ScriptRun {
            name: self.spec.name.to_string(),
            script: self.spec.script,
            args,
        })
    }
}

/// Orders an `install:` list for running: each bundle's dependency comes before it (added
/// when the list lacks it), repeated items (same name and version) run once, and the rest
/// keeps the list's order. `nodejs:20` alone gives `[nvm, nodejs:20]`. Unknown names and
/// versions on bundles that take none are all reported together.
pub fn resolve(items: &[Bundle]) -> Result<Vec<BundleStep>, UserError> {
    let mut problems = Vec::new();
    let mut steps: Vec<BundleStep> = Vec::new();
    for item in items {
        let text = match &item.version {
            Some(v) => format!("{}:{v}", item.name),
            None => item.name.clone(),
        };
        let bundle = match parse_install_item(&text) {
            Ok(b) => b,
            Err(err) => {
                problems.push(err.message);
                continue;
            }
        };
        let Some(spec) = find(&bundle.name) else {
            continue;
        };
        if let Some(dep) = spec.depends_on.and_then(find) {
            if !steps.iter().any(|s| s.spec.name == dep.name) {
                // A later explicit `nvm`/`pyenv` item then counts as a repeat.
                steps.push(BundleStep {
                    spec: dep,
                    version: None,
                });
            }
        }
        let step = BundleStep {
            spec,
            version: bundle.version,
        };
        if !steps.contains(&step) {
            steps.push(step);
        }
    }
    if problems.is_empty() {
        Ok(steps)
    } else {
        Err(
            UserError::config(format!("install: {}", problems.join("; ")))
                .hint("agsekit list-bundles"),
        )
    }
}

/// The script runs for a VM's `install:` list, in order ([`resolve`] then [`BundleStep::run`]).
pub fn bundle_runs(items: &[Bundle], options: &BundleOptions) -> Result<Vec<ScriptRun>, UserError> {
    resolve(items)?
        .iter()
        .map(|step| step.run(options))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(list: &[&str]) -> Vec<Bundle> {
        list.iter()
            .map(|t| parse_install_item(t).unwrap())
            .collect()
    }

    fn labels(list: &[&str]) -> Vec<String> {
        resolve(&items(list))
            .unwrap()
            .iter()
            .map(BundleStep::label)
            .collect()
    }

    #[test]
    fn the_registry_is_sorted_and_every_dependency_exists() {
        let names: Vec<_> = BUNDLES.iter().map(|b| b.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        for b in &BUNDLES {
            if let Some(dep) = b.depends_on {
                assert!(find(dep).is_some(), "{} depends on unknown {dep}", b.name);
            }
            assert!(
                b.script.contains(&format!("\nNAME={}\n", b.name)),
                "{}",
                b.name
            );
        }
    }

    #[test]
    fn list_lines_match_the_original_format() {
        assert_eq!(
            find("nodejs").unwrap().list_line(),
            "nodejs — Node.js via nvm, made the default; the current LTS unless a version is given (depends on: nvm; supports version suffix)"
        );
        assert_eq!(
            find("nvm").unwrap().list_line(),
            "nvm — Node Version Manager in ~/.nvm"
        );
        assert!(find("rust")
            .unwrap()
            .list_line()
            .ends_with("(supports version suffix)"));
    }

    #[test]
    fn dependencies_come_first_and_repeats_run_once() {
        assert_eq!(labels(&["nodejs:20"]), ["nvm", "nodejs:20"]);
        assert_eq!(
            labels(&["python", "nodejs"]),
            ["pyenv", "python", "nvm", "nodejs"]
        );
        assert_eq!(labels(&["nvm", "nodejs", "nvm"]), ["nvm", "nodejs"]);
        assert_eq!(labels(&["nodejs", "nvm"]), ["nvm", "nodejs"]);
        assert_eq!(
            labels(&["docker", "docker", "rust:1.82.0"]),
            ["docker", "rust:1.82.0"]
        );
        assert_eq!(
            labels(&["nodejs:20", "nodejs:22", "nodejs:20"]),
            ["nvm", "nodejs:20", "nodejs:22"]
        );
        assert_eq!(
            labels(&["python:3.12", "pyenv", "golang"]),
            ["pyenv", "python:3.12", "golang"]
        );
        assert!(labels(&[]).is_empty());
    }

    #[test]
    fn items_parse_with_and_without_versions() {
        assert_eq!(
            parse_install_item(" nodejs:20 ").unwrap(),
            Bundle {
                name: "nodejs".into(),
                version: Some("20".into())
            }
        );
        assert_eq!(parse_install_item("docker").unwrap().version, None);
        let err = parse_install_item("docker:27").unwrap_err();
        assert!(err.message.contains("takes no version"), "{}", err.message);
        let err = parse_install_item("python:3;rm").unwrap_err();
        assert!(err.message.contains("invalid version"), "{}", err.message);
        let err = parse_install_item("ruby").unwrap_err();
        assert!(
            err.message.contains("unknown bundle `ruby`"),
            "{}",
            err.message
        );
        assert_eq!(err.hints, ["agsekit list-bundles"]);
    }

    #[test]
    fn every_problem_of_a_list_is_reported_at_once() {
        let list = vec![
            Bundle {
                name: "ruby".into(),
                version: None,
            },
            Bundle {
                name: "golang".into(),
                version: Some("1.22".into()),
            },
        ];
        let err = resolve(&list).unwrap_err();
        assert!(
            err.message.contains("ruby") && err.message.contains("golang"),
            "{}",
            err.message
        );
    }

    #[test]
    fn bundle_runs_resolve_then_build_each_run() {
        let runs = bundle_runs(
            &items(&["python:3.12", "docker"]),
            &BundleOptions::default(),
        )
        .unwrap();
        let described: Vec<(String, Vec<String>)> =
            runs.into_iter().map(|r| (r.name, r.args)).collect();
        assert_eq!(
            described,
            [
                ("pyenv".to_string(), vec![]),
                (
                    "python".to_string(),
                    vec!["--version".to_string(), "3.12".to_string()]
                ),
                ("docker".to_string(), vec![]),
            ]
        );
        let bad = BundleOptions {
            force: false,
            proxychains: Some("nope".into()),
        };
        assert!(bundle_runs(&items(&["docker"]), &bad).is_err());
    }

    #[test]
    fn runs_carry_version_force_and_proxychains() {
        let steps = resolve(&items(&["nodejs:22"])).unwrap();
        let options = BundleOptions {
            force: true,
            proxychains: Some("socks5://10.0.0.2:1080".into()),
        };
        let run = steps[1].run(&options).unwrap();
        assert_eq!(run.name, "nodejs");
        assert_eq!(
            run.args,
            [
                "--version",
                "22",
                "--force",
                "--proxychains",
                "socks5://10.0.0.2:1080"
            ]
        );
        assert!(run.script.contains("NAME=nodejs"));
        let plain = steps[0].run(&BundleOptions::default()).unwrap();
        assert!(plain.args.is_empty());
        let empty_proxy = BundleOptions {
            force: false,
            proxychains: Some(String::new()),
        };
        assert!(steps[0].run(&empty_proxy).unwrap().args.is_empty());
        let bad = BundleOptions {
            force: false,
            proxychains: Some("10.0.0.2:1080".into()),
        };
        assert!(steps[0].run(&bad).is_err());
    }
}
