//! From YAML text to a validated [`Config`]: the text is parsed into a generic YAML value, then
//! every section is walked, checked and converted. Every problem is collected with its key
//! path (`mounts[1].vm`) and a fix; unknown keys become warnings with a "did you mean".

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_yaml_ng::{Mapping, Value};

use super::layout::{self, Guarded};
use super::model::*;
use super::rules::{self, quote};
use crate::error::UserError;
use crate::t;

/// One thing wrong with the configuration: the key path at fault and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `vms.agent-ubuntu.cpu`, `mounts[1].vm`, or `<file>:<line>:<column>` for syntax errors.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.key, self.message)
        }
    }
}

/// A configuration that did not validate: every problem found, plus the warnings.
#[derive(Debug, Clone)]
pub struct Invalid {
    pub file: PathBuf,
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
    /// When every problem is about where folders are (`config/layout.rs`: a source that
    /// exposes the home folder, a backup folder a VM could reach, a system target), the
    /// configuration as read. Only `removemount` uses it, to remove the entry at fault.
    pub layout_only: Option<Box<Config>>,
}

impl Invalid {
    /// The error a command shows: every problem on its own line, key path first.
    pub fn to_user_error(&self) -> UserError {
        let mut message = t!(
            "config.invalid",
            path = self.file.display(),
            problems = crate::count!("config.count_problem", self.problems.len())
        );
        for p in &self.problems {
            message.push_str("\n  ");
            message.push_str(&p.to_string());
        }
        let err = UserError::config(message)
            .hint(t!("config.invalid_hint_edit", path = self.file.display()))
            .hint(t!("config.invalid_hint_example"));
        if self.layout_only.is_some() {
            err.hint(t!("layout.removemount_hint"))
        } else {
            err
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_user_error().message)
    }
}

impl std::error::Error for Invalid {}

const TOP_KEYS: [&str; 4] = ["global", "vms", "mounts", "agents"];
const GLOBAL_KEYS: [&str; 12] = [
    "ssh_keys_folder",
    "systemd_env_folder",
    "state_file",
    "portforward_config_check_interval_sec",
    "check_new_version",
    "check_new_version_interval_sec",
    "http_proxy_port_pool",
    "shims",
    "review",
    "daemon",
    "tripwire",
    "backend",
];
const TRIPWIRE_KEYS: [&str; 3] = ["enabled", "min_files", "min_percent"];
const DAEMON_KEYS: [&str; 4] = [
    "backups",
    "idle_vm_stop_minutes",
    "idle_vm_action",
    "idle_unmount_minutes",
];
const SHIMS_KEYS: [&str; 1] = ["outside_mounts"];
const REVIEW_KEYS: [&str; 3] = ["enabled", "summary", "protected_paths"];
const POOL_KEYS: [&str; 2] = ["start", "end"];
const VM_KEYS: [&str; 11] = [
    "cpu",
    "ram",
    "disk",
    "cloud-init",
    "port-forwarding",
    "proxychains",
    "http_proxy",
    "allowed_agents",
    "install",
    "backend",
    "image",
];
const IMAGE_KEYS: [&str; 4] = ["disk", "kernel", "initrd", "cmdline"];
const FORWARD_KEYS: [&str; 3] = ["type", "host-addr", "vm-addr"];
const HTTP_PROXY_KEYS: [&str; 3] = ["url", "upstream", "listen"];
const MOUNT_KEYS: [&str; 9] = [
    "source",
    "target",
    "backup",
    "vm",
    "interval",
    "max_backups",
    "backup_clean_method",
    "first_backup",
    "allowed_agents",
];
const AGENT_KEYS: [&str; 8] = [
    "type",
    "version",
    "env",
    "default-args",
    "vm",
    "vms",
    "proxychains",
    "http_proxy",
];

/// Where the home folder of the VM user is; default mount targets live under it.
const VM_HOME: &str = crate::guest::GUEST_HOME;

/// Parses and validates `text`, read from `file`. `Err` lists every problem found. Each VM's
/// `ram:` and `disk:` are checked against `minimums` of the backend that VM uses.
pub fn load_from_str(text: &str, file: &Path, minimums: MinimumsOf) -> Result<Config, Invalid> {
    let mut w = Walk::default();
    // A byte order mark (editors on Windows add one) makes the YAML crate see two documents.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root: Value = match super::yaml_value::parse(text) {
        Ok(v) => v,
        Err(err) => {
            w.problems.push(syntax_problem(file, &err));
            return Err(w.into_invalid(file));
        }
    };
    let empty = Mapping::new();
    let root_map = match untag(&root) {
        Value::Null => &empty,
        Value::Mapping(m) => m,
        other => {
            w.problem("", t!("config.top_not_mapping", got = describe(other)));
            return Err(w.into_invalid(file));
        }
    };
    let top = w.entries("", root_map);
    w.unknown_keys("", &top, &TOP_KEYS);

    let global = parse_global(&mut w, lookup(&top, "global"));

    // Names first, so cross-references can be checked inline, in file order.
    let vms_map = section_map(&mut w, "vms", lookup(&top, "vms"));
    let agents_map = section_map(&mut w, "agents", lookup(&top, "agents"));
    let vm_entries = vms_map.map(|m| w.entries("vms", m)).unwrap_or_default();
    let agent_entries = agents_map
        .map(|m| w.entries("agents", m))
        .unwrap_or_default();
    let names = Names {
        vms: vm_entries.iter().map(|(k, _)| k.clone()).collect(),
        agents: agent_entries.iter().map(|(k, _)| k.clone()).collect(),
    };

    let default_backend = global.as_ref().map(|g| g.backend).unwrap_or_default();
    let base = file.parent().unwrap_or(Path::new("/"));
    let mut vms = IndexMap::new();
    for (name, value) in &vm_entries {
        if let Some(vm) = parse_vm(
            &mut w,
            name,
            value,
            &names,
            (default_backend, minimums, base),
        ) {
            vms.insert(name.clone(), vm);
        }
    }

    let fallback = default_global();
    let guard = Guarded::new(global.as_ref().unwrap_or(&fallback), file);
    let mounts = parse_mounts(&mut w, lookup(&top, "mounts"), &names, &guard);

    let mut agents = IndexMap::new();
    for (name, value) in &agent_entries {
        if let Some(agent) = parse_agent(&mut w, name, value, &names) {
            agents.insert(name.clone(), agent);
        }
    }

    match (global, w.hard == 0) {
        (Some(global), true) => {
            let config = Config {
                path: file.to_path_buf(),
                global,
                vms,
                mounts,
                agents,
                warnings: w.warnings.clone(),
            };
            if w.problems.is_empty() {
                Ok(config)
            } else {
                let mut invalid = w.into_invalid(file);
                invalid.layout_only = Some(Box::new(config));
                Err(invalid)
            }
        }
        _ => Err(w.into_invalid(file)),
    }
}

fn syntax_problem(file: &Path, err: &serde_yaml_ng::Error) -> Problem {
    let text = err.to_string();
    // The crate appends " at line L column C"; we show the position as file:line:column.
    let message = match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let key = match err.location() {
        Some(loc) => format!("{}:{}:{}", file.display(), loc.line(), loc.column()),
        None => file.display().to_string(),
    };
    Problem {
        key,
        message: t!("config.yaml_syntax", error = message),
    }
}

/// Problems and warnings collected while walking.
#[derive(Default)]
struct Walk {
    problems: Vec<Problem>,
    warnings: Vec<String>,
    /// How many of `problems` are not layout problems.
    hard: usize,
}

impl Walk {
    fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.hard += 1;
        self.problems.push(Problem {
            key: key.to_string(),
            message: message.into(),
        });
    }

    /// A problem of where folders are: the value is still read, so that `removemount` can
    /// load the file and remove the entry at fault.
    fn layout_problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            key: key.to_string(),
            message: message.into(),
        });
    }

    fn warn(&mut self, key: &str, message: impl Into<String>) {
        self.warnings.push(format!("{key}: {}", message.into()));
    }

    fn into_invalid(self, file: &Path) -> Invalid {
        Invalid {
            file: file.to_path_buf(),
            problems: self.problems,
            warnings: self.warnings,
            layout_only: None,
        }
    }

    /// The mapping's entries with keys as text, in file order. Keys that are not scalars
    /// are reported and skipped.
    fn entries<'a>(&mut self, path: &str, map: &'a Mapping) -> Vec<(String, &'a Value)> {
        let mut out = Vec::with_capacity(map.len());
        for (k, v) in map {
            match scalar_text(untag(k)) {
                Some(text) => out.push((text, v)),
                None => self.problem(path, t!("config.key_not_name", got = describe(k))),
            }
        }
        out
    }

    fn unknown_keys(&mut self, path: &str, entries: &[(String, &Value)], known: &[&str]) {
        for (key, _) in entries {
            if known.contains(&key.as_str()) {
                continue;
            }
            let at = join(path, key);
            match rules::suggest(key, known.iter().copied()) {
                Some(s) => self.warn(&at, t!("config.unknown_key_suggest", suggestion = quote(s))),
                None => self.warn(&at, t!("config.unknown_key", known = known.join(", "))),
            }
        }
    }

    /// A required key is missing: say so, pointing at a near-miss unknown key if there is one.
    fn missing(
        &mut self,
        path: &str,
        key: &str,
        entries: &[(String, &Value)],
        known: &[&str],
        fix: &str,
    ) {
        let typo = entries
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !known.contains(k))
            .find(|k| rules::suggest(k, [key]).is_some());
        let message = match typo {
            Some(typo) => t!(
                "config.missing_typo",
                typo = quote(typo),
                key = quote(key),
                fix = fix
            ),
            None => t!("config.missing", fix = fix),
        };
        self.problem(&join(path, key), message);
    }
}

/// Names defined in the file, for cross-references.
struct Names {
    vms: Vec<String>,
    agents: Vec<String>,
}

impl Names {
    fn vm_list(&self) -> String {
        if self.vms.is_empty() {
            t!("config.none")
        } else {
            self.vms.join(", ")
        }
    }

    /// Checks a VM reference; returns false (after reporting) when there is no such VM.
    fn check_vm(&self, w: &mut Walk, key: &str, name: &str) -> bool {
        if self.vms.iter().any(|v| v == name) {
            return true;
        }
        if self.vms.is_empty() {
            w.problem(key, t!("config.vm_ref_no_vms", name = quote(name)));
            return false;
        }
        let message = match rules::suggest(name, self.vms.iter().map(String::as_str)) {
            Some(s) => t!(
                "config.no_such_vm_suggest",
                name = quote(name),
                vms = self.vm_list(),
                suggestion = quote(s)
            ),
            None => t!(
                "config.no_such_vm",
                name = quote(name),
                vms = self.vm_list()
            ),
        };
        w.problem(key, message);
        false
    }

    /// `allowed_agents` items may name an agent profile or an agent type.
    fn check_allowed_agent(&self, w: &mut Walk, key: &str, item: &str) {
        if self.agents.iter().any(|a| a == item) || AgentType::parse(item).is_some() {
            return;
        }
        let mut candidates: Vec<&str> = self.agents.iter().map(String::as_str).collect();
        candidates.extend(AgentType::ALL.iter().map(|t| t.as_str()));
        let agents = if self.agents.is_empty() {
            t!("config.none")
        } else {
            self.agents.join(", ")
        };
        let message = match rules::suggest(item, candidates) {
            Some(s) => t!(
                "config.not_an_agent_suggest",
                item = quote(item),
                agents = agents,
                suggestion = quote(s)
            ),
            None => t!("config.not_an_agent", item = quote(item), agents = agents),
        };
        w.problem(key, message);
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn lookup<'a>(entries: &[(String, &'a Value)], key: &str) -> Option<&'a Value> {
    entries
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| untag(v))
}

fn untag(mut v: &Value) -> &Value {
    while let Value::Tagged(t) = v {
        v = &t.value;
    }
    v
}

fn describe(v: &Value) -> String {
    match untag(v) {
        Value::Null => t!("config.describe_null"),
        Value::Bool(_) => t!("config.describe_bool"),
        Value::Number(_) => t!("config.describe_number"),
        Value::String(_) => t!("config.describe_text"),
        Value::Sequence(_) => t!("config.describe_list"),
        Value::Mapping(_) => t!("config.describe_mapping"),
        Value::Tagged(_) => t!("config.describe_tagged"),
    }
}

/// Text of a scalar (strings, numbers, booleans); `None` for null, lists and mappings.
fn scalar_text(v: &Value) -> Option<String> {
    match untag(v) {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A section that must be a mapping (`vms:`, `agents:`); null means empty.
fn section_map<'a>(w: &mut Walk, key: &str, v: Option<&'a Value>) -> Option<&'a Mapping> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::Mapping(m)) => Some(m),
        Some(other) => {
            w.problem(key, t!("config.section_not_mapping", got = describe(other)));
            None
        }
    }
}

/// The entries of a nested mapping; null counts as empty. Reports anything else.
fn sub_entries<'a>(
    w: &mut Walk,
    key: &str,
    v: &'a Value,
    what: &str,
) -> Option<Vec<(String, &'a Value)>> {
    match untag(v) {
        Value::Null => Some(Vec::new()),
        Value::Mapping(m) => Some(w.entries(key, m)),
        other => {
            w.problem(
                key,
                t!("config.not_mapping", what = what, got = describe(other)),
            );
            None
        }
    }
}

fn positive_int(w: &mut Walk, key: &str, v: &Value, max: u64) -> Option<u64> {
    let n = match untag(v) {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f <= max as f64)
                .map(|f| f as u64)
        }),
        Value::String(s)
            if !s.trim().is_empty() && s.trim().chars().all(|c| c.is_ascii_digit()) =>
        {
            s.trim().parse::<u64>().ok()
        }
        _ => None,
    };
    match n {
        Some(n) if n >= 1 && n <= max => Some(n),
        _ => {
            let shown = scalar_text(v).unwrap_or_else(|| describe(v));
            w.problem(key, t!("config.not_positive", max = max, got = shown));
            None
        }
    }
}

fn strict_bool(w: &mut Walk, key: &str, v: &Value) -> Option<bool> {
    match untag(v) {
        Value::Bool(b) => Some(*b),
        other => {
            let shown = scalar_text(other).unwrap_or_else(|| describe(other));
            w.problem(key, t!("config.not_bool", got = shown));
            None
        }
    }
}

/// A path value: text, `~` expanded, made absolute and cleaned. `None` for null or "".
fn path_value(w: &mut Walk, key: &str, v: &Value) -> Result<Option<PathBuf>, ()> {
    match untag(v) {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => {
            if s.contains('\0') {
                w.problem(key, t!("config.path_nul"));
                return Err(());
            }
            Ok(Some(rules::normalize_path(Path::new(s.trim()))))
        }
        other => {
            w.problem(key, t!("config.not_path", got = describe(other)));
            Err(())
        }
    }
}

/// A list given as a YAML list or as a comma-separated string. `None` when null, empty
/// text or an empty list. Items are trimmed, must be non-empty, and are deduplicated.
fn name_list(w: &mut Walk, key: &str, v: &Value) -> Result<Option<Vec<(String, String)>>, ()> {
    let mut items: Vec<(String, String)> = Vec::new();
    let mut ok = true;
    match untag(v) {
        Value::Null => return Ok(None),
        Value::String(s) => {
            if s.trim().is_empty() {
                return Ok(None);
            }
            for (i, part) in s.split(',').enumerate() {
                let part = part.trim();
                if part.is_empty() {
                    w.problem(
                        key,
                        t!("config.list_item_empty", n = i + 1, text = quote(s)),
                    );
                    ok = false;
                } else {
                    items.push((key.to_string(), part.to_string()));
                }
            }
        }
        Value::Sequence(seq) => {
            if seq.is_empty() {
                return Ok(None);
            }
            for (i, item) in seq.iter().enumerate() {
                let item_key = format!("{key}[{i}]");
                match untag(item) {
                    Value::String(s) if !s.trim().is_empty() => {
                        items.push((item_key, s.trim().to_string()))
                    }
                    Value::String(_) | Value::Null => {
                        w.problem(&item_key, t!("config.list_name_empty"));
                        ok = false;
                    }
                    Value::Number(_) | Value::Bool(_) => match scalar_text(item) {
                        Some(t) => items.push((item_key, t)),
                        None => ok = false,
                    },
                    other => {
                        w.problem(&item_key, t!("config.not_name", got = describe(other)));
                        ok = false;
                    }
                }
            }
        }
        other => {
            w.problem(key, t!("config.not_name_list", got = describe(other)));
            return Err(());
        }
    }
    if !ok {
        return Err(());
    }
    let mut seen = HashSet::new();
    items.retain(|(_, name)| seen.insert(name.clone()));
    Ok(Some(items))
}

fn allowed_agents(
    w: &mut Walk,
    key: &str,
    v: &Value,
    names: &Names,
) -> Result<Option<Vec<String>>, ()> {
    let list = name_list(w, key, v)?;
    Ok(list.map(|items| {
        for (item_key, name) in &items {
            names.check_allowed_agent(w, item_key, name);
        }
        items.into_iter().map(|(_, n)| n).collect()
    }))
}

fn proxychains(w: &mut Walk, key: &str, v: &Value) -> Result<Option<String>, ()> {
    match untag(v) {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => rules::parse_proxy_url(s, &rules::PROXY_SCHEMES)
            .map(Some)
            .map_err(|e| w.problem(key, e)),
        other => {
            w.problem(key, t!("config.not_proxy_url", got = describe(other)));
            Err(())
        }
    }
}

fn http_proxy(w: &mut Walk, key: &str, v: &Value) -> Result<Option<HttpProxy>, ()> {
    match untag(v) {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => rules::parse_proxy_url(s, &rules::PROXY_SCHEMES)
            .map(|upstream| {
                Some(HttpProxy::Upstream {
                    upstream,
                    listen: None,
                })
            })
            .map_err(|e| w.problem(key, e)),
        Value::Mapping(m) => {
            let entries = w.entries(key, m);
            w.unknown_keys(key, &entries, &HTTP_PROXY_KEYS);
            let text = |name: &str| -> Option<&Value> {
                lookup(&entries, name).filter(|v| match v {
                    Value::Null => false,
                    Value::String(s) => !s.trim().is_empty(),
                    _ => true,
                })
            };
            let (url, upstream, listen) = (text("url"), text("upstream"), text("listen"));
            match (url, upstream) {
                (Some(_), Some(_)) => {
                    w.problem(key, t!("config.http_url_and_upstream"));
                    Err(())
                }
                (None, None) => {
                    if listen.is_some() {
                        w.problem(
                            &join(key, "listen"),
                            t!("config.http_listen_needs_upstream"),
                        );
                        Err(())
                    } else {
                        Ok(None)
                    }
                }
                (Some(url), None) => {
                    let url_key = join(key, "url");
                    let parsed = match untag(url) {
                        Value::String(s) => rules::parse_proxy_url(s, &rules::DIRECT_PROXY_SCHEMES)
                            .map_err(|e| w.problem(&url_key, e)),
                        other => {
                            w.problem(&url_key, t!("config.not_http_url", got = describe(other)));
                            Err(())
                        }
                    };
                    if listen.is_some() {
                        w.problem(&join(key, "listen"), t!("config.http_listen_with_url"));
                        return Err(());
                    }
                    parsed.map(|url| Some(HttpProxy::Direct { url }))
                }
                (None, Some(up)) => {
                    let up_key = join(key, "upstream");
                    let upstream = match untag(up) {
                        Value::String(s) => rules::parse_proxy_url(s, &rules::PROXY_SCHEMES)
                            .map_err(|e| w.problem(&up_key, e)),
                        other => {
                            w.problem(
                                &up_key,
                                t!("config.not_upstream_url", got = describe(other)),
                            );
                            Err(())
                        }
                    };
                    let listen_key = join(key, "listen");
                    let listen = match listen.map(untag) {
                        None => Ok(None),
                        Some(Value::Number(n)) => rules::parse_listen(&n.to_string())
                            .map(Some)
                            .map_err(|e| w.problem(&listen_key, e)),
                        Some(Value::String(s)) => rules::parse_listen(s)
                            .map(Some)
                            .map_err(|e| w.problem(&listen_key, e)),
                        Some(other) => {
                            w.problem(&listen_key, t!("config.not_listen", got = describe(other)));
                            Err(())
                        }
                    };
                    Ok(Some(HttpProxy::Upstream {
                        upstream: upstream?,
                        listen: listen?,
                    }))
                }
            }
        }
        other => {
            w.problem(key, t!("config.not_http_proxy", got = describe(other)));
            Err(())
        }
    }
}

pub(super) fn default_global() -> GlobalConfig {
    let base = super::home_dir().join(".config/agsekit");
    GlobalConfig {
        ssh_keys_folder: base.join("ssh"),
        systemd_env_folder: base.clone(),
        state_file: base.join("state.yaml"),
        portforward_config_check_interval_sec: 10,
        check_new_version: true,
        check_new_version_interval_sec: 600,
        http_proxy_port_pool: PortRange {
            start: 48000,
            end: 49000,
        },
        shims_outside_mounts: OutsideMounts::Refuse,
        review: ReviewConfig::default(),
        daemon: DaemonConfig::default(),
        tripwire: TripwireConfig::default(),
        backend: BackendKind::default(),
    }
}

fn parse_global(w: &mut Walk, v: Option<&Value>) -> Option<GlobalConfig> {
    let mut g = default_global();
    let Some(v) = v else { return Some(g) };
    let entries = sub_entries(w, "global", v, &t!("config.what_global"))?;
    w.unknown_keys("global", &entries, &GLOBAL_KEYS);
    let before = w.problems.len();
    for (field, target) in [
        ("ssh_keys_folder", &mut g.ssh_keys_folder),
        ("systemd_env_folder", &mut g.systemd_env_folder),
        ("state_file", &mut g.state_file),
    ] {
        if let Some(v) = lookup(&entries, field) {
            if let Ok(Some(p)) = path_value(w, &join("global", field), v) {
                *target = p;
            }
        }
    }
    for (field, target) in [
        (
            "portforward_config_check_interval_sec",
            &mut g.portforward_config_check_interval_sec,
        ),
        (
            "check_new_version_interval_sec",
            &mut g.check_new_version_interval_sec,
        ),
    ] {
        match lookup(&entries, field) {
            None | Some(Value::Null) => {}
            Some(v) => {
                if let Some(n) = positive_int(w, &join("global", field), v, u32::MAX as u64) {
                    *target = n;
                }
            }
        }
    }
    match lookup(&entries, "check_new_version") {
        None | Some(Value::Null) => {}
        Some(v) => {
            if let Some(b) = strict_bool(w, "global.check_new_version", v) {
                g.check_new_version = b;
            }
        }
    }
    match lookup(&entries, "http_proxy_port_pool") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let key = "global.http_proxy_port_pool";
            if let Some(pool) = sub_entries(w, key, v, &t!("config.what_pool")) {
                w.unknown_keys(key, &pool, &POOL_KEYS);
                let mut get = |name: &str| match lookup(&pool, name) {
                    None | Some(Value::Null) => {
                        w.problem(
                            &join(key, name),
                            t!(
                                "config.pool_missing",
                                key = name,
                                port = if name == "start" { 48000 } else { 49000 }
                            ),
                        );
                        None
                    }
                    Some(v) => positive_int(w, &join(key, name), v, 65535).map(|n| n as u16),
                };
                let (start, end) = (get("start"), get("end"));
                if let (Some(start), Some(end)) = (start, end) {
                    if start > end {
                        w.problem(key, t!("config.pool_reversed", start = start, end = end));
                    } else {
                        g.http_proxy_port_pool = PortRange { start, end };
                    }
                }
            }
        }
    }
    match lookup(&entries, "shims") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let key = "global.shims";
            if let Some(shims) = sub_entries(w, key, v, &t!("config.what_shims")) {
                w.unknown_keys(key, &shims, &SHIMS_KEYS);
                let value = lookup(&shims, "outside_mounts");
                match (
                    value,
                    value.and_then(Value::as_str).and_then(OutsideMounts::parse),
                ) {
                    (None | Some(Value::Null), _) => {}
                    (_, Some(mode)) => g.shims_outside_mounts = mode,
                    (Some(other), None) => w.problem(
                        &join(key, "outside_mounts"),
                        t!("config.not_outside_mounts", got = describe(other)),
                    ),
                }
            }
        }
    }
    if let Some(v) = lookup(&entries, "daemon").filter(|v| !v.is_null()) {
        parse_daemon(w, v, &mut g.daemon);
    }
    if let Some(v) = lookup(&entries, "tripwire").filter(|v| !v.is_null()) {
        parse_tripwire(w, v, &mut g.tripwire);
    }
    if let Some(v) = lookup(&entries, "backend").filter(|v| !v.is_null()) {
        if let Some(kind) = backend_kind(w, "global.backend", v) {
            g.backend = kind;
        }
    }
    if let Some(v) = lookup(&entries, "review").filter(|v| !v.is_null()) {
        let key = "global.review";
        if let Some(review) = sub_entries(w, key, v, &t!("config.what_review")) {
            w.unknown_keys(key, &review, &REVIEW_KEYS);
            if let Some(v) = lookup(&review, "enabled").filter(|v| !v.is_null()) {
                if let Some(b) = strict_bool(w, "global.review.enabled", v) {
                    g.review.enabled = b;
                }
            }
            if let Some(v) = lookup(&review, "summary").filter(|v| !v.is_null()) {
                if let Some(b) = strict_bool(w, "global.review.summary", v) {
                    g.review.summary = b;
                }
            }
            match lookup(&review, "protected_paths") {
                None | Some(Value::Null) => {}
                Some(Value::Sequence(seq)) => {
                    let mut paths = Vec::new();
                    for (i, item) in seq.iter().enumerate() {
                        let ikey = format!("global.review.protected_paths[{i}]");
                        match scalar_text(item) {
                            Some(t) if !t.trim().is_empty() && !t.starts_with('/') => {
                                paths.push(t.trim().to_string())
                            }
                            Some(_) => w.problem(&ikey, t!("config.protected_not_relative")),
                            None => w.problem(
                                &ikey,
                                t!("config.protected_not_text", got = describe(item)),
                            ),
                        }
                    }
                    g.review.protected_paths = paths;
                }
                Some(other) => w.problem(
                    "global.review.protected_paths",
                    t!("config.protected_not_list", got = describe(other)),
                ),
            }
        }
    }
    (w.problems.len() == before).then_some(g)
}

/// `backend:` (under `global:` or in a VM's entry): `multipass` or `qemu`.
fn backend_kind(w: &mut Walk, key: &str, v: &Value) -> Option<BackendKind> {
    let allowed = BackendKind::ALL.map(BackendKind::as_str).join(", ");
    let Some(word) = scalar_text(untag(v)) else {
        w.problem(
            key,
            t!("backend.not_text", got = describe(v), allowed = allowed),
        );
        return None;
    };
    match BackendKind::parse(word.trim()) {
        Some(kind) => Some(kind),
        None => {
            w.problem(
                key,
                t!(
                    "backend.unknown",
                    got = quote(word.trim()),
                    allowed = allowed
                ),
            );
            None
        }
    }
}

/// A path of `image:`: `~` expanded, relative to the config file's folder `base`, cleaned.
fn image_path(w: &mut Walk, key: &str, v: &Value, base: &Path) -> Option<PathBuf> {
    match untag(v) {
        Value::String(s) if !s.trim().is_empty() && !s.contains('\0') => {
            let path = super::expand_tilde(Path::new(s.trim()));
            Some(rules::lexical_clean(&base.join(path)))
        }
        other => {
            w.problem(key, t!("backend.image_path", got = describe(other)));
            None
        }
    }
}

/// Whether an `image:` word names a local file rather than an alias or a URL.
fn is_local_image(word: &str) -> bool {
    word.starts_with('/')
        || word.starts_with('~')
        || word.starts_with("./")
        || word.starts_with("../")
}

/// `image:`: one word (alias, URL or local path) or `{disk, kernel, initrd, cmdline}`.
fn vm_image(w: &mut Walk, key: &str, v: &Value, base: &Path) -> Result<Option<VmImage>, ()> {
    match untag(v) {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) if is_local_image(s.trim()) => image_path(w, key, v, base)
            .map(|p| Some(VmImage::Named(p.to_string_lossy().into_owned())))
            .ok_or(()),
        Value::String(s) => Ok(Some(VmImage::Named(s.trim().to_string()))),
        Value::Mapping(m) => {
            let entries = w.entries(key, m);
            let unknown: Vec<&str> = entries
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| !IMAGE_KEYS.contains(k))
                .collect();
            if !unknown.is_empty() {
                w.problem(
                    key,
                    t!(
                        "backend.image_unknown_keys",
                        keys = unknown.join(", "),
                        known = IMAGE_KEYS.join(", ")
                    ),
                );
                return Err(());
            }
            let required = |w: &mut Walk, field: &str| match lookup(&entries, field) {
                None | Some(Value::Null) => {
                    w.problem(&join(key, field), t!("backend.image_required"));
                    None
                }
                Some(v) => image_path(w, &join(key, field), v, base),
            };
            let disk = required(w, "disk");
            let kernel = required(w, "kernel");
            let initrd = match lookup(&entries, "initrd") {
                None | Some(Value::Null) => Some(None),
                Some(v) => image_path(w, &join(key, "initrd"), v, base).map(Some),
            };
            let cmdline = match lookup(&entries, "cmdline") {
                None | Some(Value::Null) => Some(None),
                Some(v) => match scalar_text(untag(v)) {
                    Some(text) => Some(Some(text)),
                    None => {
                        w.problem(
                            &join(key, "cmdline"),
                            t!("backend.cmdline_not_text", got = describe(v)),
                        );
                        None
                    }
                },
            };
            match (disk, kernel, initrd, cmdline) {
                (Some(disk), Some(kernel), Some(initrd), Some(cmdline)) => {
                    Ok(Some(VmImage::Kernel {
                        disk,
                        kernel,
                        initrd,
                        cmdline,
                    }))
                }
                _ => Err(()),
            }
        }
        other => {
            w.problem(key, t!("backend.image_shape", got = describe(other)));
            Err(())
        }
    }
}

/// [`vm_image`] alone, for tests of what a backend other than Multipass would get.
#[cfg(test)]
pub(super) fn tests_vm_image(v: &Value, base: &Path) -> Option<VmImage> {
    vm_image(&mut Walk::default(), "image", v, base)
        .ok()
        .flatten()
}

fn parse_vm(
    w: &mut Walk,
    name: &str,
    v: &Value,
    names: &Names,
    (default_backend, minimums, base): (BackendKind, MinimumsOf, &Path),
) -> Option<VmConfig> {
    let key = join("vms", name);
    if let Err(e) = rules::check_vm_name(name) {
        w.problem(&key, e);
    }
    let entries = sub_entries(w, &key, v, &t!("config.what_vm"))?;
    w.unknown_keys(&key, &entries, &VM_KEYS);

    let cpu = match lookup(&entries, "cpu") {
        None | Some(Value::Null) => {
            w.missing(&key, "cpu", &entries, &VM_KEYS, &t!("config.fix_cpu"));
            None
        }
        Some(v) => positive_int(w, &join(&key, "cpu"), v, 1024).map(|n| n as u32),
    };
    // The backend's minimums; a `backend:` that is not a backend is reported below, in
    // file order, and the default's minimums apply meanwhile.
    let least = minimums(
        lookup(&entries, "backend")
            .and_then(|v| scalar_text(untag(v)))
            .and_then(|word| BackendKind::parse(word.trim()))
            .unwrap_or(default_backend),
    );
    let ram = size(
        w,
        &key,
        "ram",
        &entries,
        (least.ram_bytes, least.backend),
        "4G",
    );
    let disk = size(
        w,
        &key,
        "disk",
        &entries,
        (least.disk_bytes, least.backend),
        "20G",
    );

    let cloud_init = match lookup(&entries, "cloud-init") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Mapping(m)) if m.is_empty() => Ok(None),
        Some(value @ Value::Mapping(_)) => serde_yaml_ng::to_string(value).map(Some).map_err(|e| {
            w.problem(
                &join(&key, "cloud-init"),
                t!("config.cloud_init_render", error = e),
            )
        }),
        Some(other) => {
            w.problem(
                &join(&key, "cloud-init"),
                t!("config.cloud_init_not_mapping", got = describe(other)),
            );
            Err(())
        }
    };

    let port_forwarding = match lookup(&entries, "port-forwarding") {
        None => Ok(Vec::new()),
        Some(v) => port_forwarding(w, &join(&key, "port-forwarding"), v),
    };
    let proxy_chains = match lookup(&entries, "proxychains") {
        None => Ok(None),
        Some(v) => proxychains(w, &join(&key, "proxychains"), v),
    };
    let http = match lookup(&entries, "http_proxy") {
        None => Ok(None),
        Some(v) => http_proxy(w, &join(&key, "http_proxy"), v),
    };
    let allowed = match lookup(&entries, "allowed_agents") {
        None => Ok(None),
        Some(v) => allowed_agents(w, &join(&key, "allowed_agents"), v, names),
    };
    let install = match lookup(&entries, "install") {
        None => Ok(Vec::new()),
        Some(v) => install(w, &join(&key, "install"), v),
    };
    let backend = match lookup(&entries, "backend") {
        None | Some(Value::Null) => Some(default_backend),
        Some(v) => backend_kind(w, &join(&key, "backend"), v),
    };
    let image = match lookup(&entries, "image") {
        None => Ok(None),
        Some(v) => vm_image(w, &join(&key, "image"), v, base),
    };
    if let (Some(BackendKind::Multipass), Ok(Some(VmImage::Kernel { .. }))) = (backend, &image) {
        w.problem(&join(&key, "image"), t!("backend.multipass_kernel"));
    }

    Some(VmConfig {
        name: name.to_string(),
        cpu: cpu?,
        ram: ram.as_ref()?.0.clone(),
        ram_bytes: ram?.1,
        disk: disk.as_ref()?.0.clone(),
        disk_bytes: disk?.1,
        cloud_init: cloud_init.ok()?,
        port_forwarding: port_forwarding.ok()?,
        proxychains: proxy_chains.ok()?,
        http_proxy: http.ok()?,
        allowed_agents: allowed.ok()?,
        install: install.ok()?,
        backend: backend?,
        image: image.ok()?,
    })
}

/// `ram:` / `disk:`: required; text or a number of bytes; at least `min`, the least that
/// `backend` (its name in the message) runs a VM with.
fn size(
    w: &mut Walk,
    vm_key: &str,
    field: &str,
    entries: &[(String, &Value)],
    (min, backend): (u64, &str),
    example: &str,
) -> Option<(String, u64)> {
    let key = join(vm_key, field);
    let written = match lookup(entries, field) {
        None | Some(Value::Null) => {
            w.missing(
                vm_key,
                field,
                entries,
                &VM_KEYS,
                &t!("config.fix_size", key = field, example = example),
            );
            return None;
        }
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => {
            w.problem(
                &key,
                t!("config.not_size", example = example, got = describe(other)),
            );
            return None;
        }
    };
    match rules::parse_size(&written) {
        Err(e) => {
            w.problem(&key, e);
            None
        }
        Ok(bytes) if bytes < min => {
            w.problem(
                &key,
                t!(
                    "config.size_below_min",
                    size = written,
                    backend = backend,
                    min = rules::format_size(min),
                    example = example
                ),
            );
            None
        }
        Ok(bytes) => Some((written, bytes)),
    }
}

fn port_forwarding(w: &mut Walk, key: &str, v: &Value) -> Result<Vec<PortForward>, ()> {
    let seq = match untag(v) {
        Value::Null => return Ok(Vec::new()),
        Value::Sequence(s) => s,
        other => {
            w.problem(key, t!("config.forward_not_list", got = describe(other)));
            return Err(());
        }
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (i, rule) in seq.iter().enumerate() {
        let rkey = format!("{key}[{i}]");
        let Some(entries) = sub_entries(w, &rkey, rule, &t!("config.what_forward")) else {
            ok = false;
            continue;
        };
        w.unknown_keys(&rkey, &entries, &FORWARD_KEYS);
        let kind = match lookup(&entries, "type").and_then(scalar_text) {
            None => {
                w.missing(
                    &rkey,
                    "type",
                    &entries,
                    &FORWARD_KEYS,
                    &t!("config.fix_forward_type"),
                );
                None
            }
            Some(t) => match t.trim().to_ascii_lowercase().as_str() {
                "local" => Some(ForwardKind::Local),
                "remote" => Some(ForwardKind::Remote),
                "socks5" => Some(ForwardKind::Socks5),
                _ => {
                    w.problem(
                        &join(&rkey, "type"),
                        t!("config.forward_type_unknown", kind = quote(&t)),
                    );
                    None
                }
            },
        };
        let addr = |w: &mut Walk, field: &str, required: bool| -> Result<Option<String>, ()> {
            let akey = join(&rkey, field);
            match lookup(&entries, field) {
                None | Some(Value::Null) => {
                    if required {
                        w.missing(
                            &rkey,
                            field,
                            &entries,
                            &FORWARD_KEYS,
                            &t!("config.fix_address"),
                        );
                        Err(())
                    } else {
                        Ok(None)
                    }
                }
                Some(Value::String(s)) => rules::parse_address(s)
                    .map(Some)
                    .map_err(|e| w.problem(&akey, e)),
                Some(other) => {
                    let shown = scalar_text(other).unwrap_or_else(|| describe(other));
                    w.problem(&akey, t!("config.address_not_text", got = shown));
                    Err(())
                }
            }
        };
        let vm_addr = addr(w, "vm-addr", true);
        let host_addr = match kind {
            Some(ForwardKind::Socks5) => {
                if lookup(&entries, "host-addr").is_some_and(|v| !v.is_null()) {
                    w.warn(&join(&rkey, "host-addr"), t!("config.forward_socks5_host"));
                }
                Ok(None)
            }
            Some(_) => addr(w, "host-addr", true),
            None => addr(w, "host-addr", false),
        };
        match (kind, vm_addr, host_addr) {
            (Some(kind), Ok(Some(vm_addr)), Ok(host_addr)) => out.push(PortForward {
                kind,
                host_addr,
                vm_addr,
            }),
            _ => ok = false,
        }
    }
    if ok {
        Ok(out)
    } else {
        Err(())
    }
}

fn install(w: &mut Walk, key: &str, v: &Value) -> Result<Vec<Bundle>, ()> {
    let seq = match untag(v) {
        Value::Null => return Ok(Vec::new()),
        Value::Sequence(s) => s,
        other => {
            w.problem(key, t!("config.install_not_list", got = describe(other)));
            return Err(());
        }
    };
    let mut out: Vec<Bundle> = Vec::new();
    let mut ok = true;
    for (i, item) in seq.iter().enumerate() {
        let ikey = format!("{key}[{i}]");
        let text = match untag(item) {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => {
                w.problem(&ikey, t!("config.install_not_name", got = describe(other)));
                ok = false;
                continue;
            }
        };
        match rules::parse_bundle(&text) {
            Ok(b) => {
                if !out.contains(&b) {
                    out.push(b)
                }
            }
            Err(e) => {
                w.problem(&ikey, e);
                ok = false;
            }
        }
    }
    if ok {
        Ok(out)
    } else {
        Err(())
    }
}

fn parse_mounts(
    w: &mut Walk,
    v: Option<&Value>,
    names: &Names,
    guard: &Guarded,
) -> Vec<MountConfig> {
    let seq = match v {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Sequence(s)) => s,
        Some(other) => {
            w.problem(
                "mounts",
                t!("config.mounts_not_list", got = describe(other)),
            );
            return Vec::new();
        }
    };
    let mut out: Vec<(String, MountConfig)> = Vec::new();
    for (i, item) in seq.iter().enumerate() {
        let key = format!("mounts[{i}]");
        if let Some(m) = parse_mount(w, &key, item, names, guard) {
            out.push((key, m));
        }
    }
    // Checks across mounts, on folders with their symlinks resolved.
    let paths: Vec<layout::MountPaths<'_>> = out
        .iter()
        .map(|(k, m)| layout::MountPaths::new(k, &m.source, &m.backup, &m.vm))
        .collect();
    let mut layout_problems = layout::backup_problems(&paths, guard.config_file());
    for j in 0..out.len() {
        for i in 0..j {
            let (ki, a) = &out[i];
            let (kj, b) = &out[j];
            if paths[i].same_source(&paths[j]) && a.vm == b.vm {
                w.layout_problem(
                    &format!("{kj}.source"),
                    t!(
                        "config.mount_duplicate_source",
                        source = b.source.display(),
                        vm = quote(&b.vm),
                        other = ki
                    ),
                );
            } else if layout::same_backup(&paths[i], &paths[j]) {
                w.layout_problem(
                    &format!("{kj}.backup"),
                    t!(
                        "config.mount_duplicate_backup",
                        backup = b.backup.display(),
                        other = ki,
                        source = a.source.display()
                    ),
                );
            } else if !paths[i].same_source(&paths[j]) && a.vm == b.vm && a.target == b.target {
                w.layout_problem(
                    &format!("{kj}.target"),
                    t!(
                        "config.mount_duplicate_target",
                        other = ki,
                        target = b.target.display(),
                        vm = quote(&b.vm)
                    ),
                );
            }
        }
    }
    for (key, message) in layout_problems.drain(..) {
        w.layout_problem(&key, message);
    }
    out.into_iter().map(|(_, m)| m).collect()
}

fn parse_mount(
    w: &mut Walk,
    key: &str,
    v: &Value,
    names: &Names,
    guard: &Guarded,
) -> Option<MountConfig> {
    let entries = match untag(v) {
        Value::Mapping(m) => w.entries(key, m),
        other => {
            w.problem(key, t!("config.mount_not_mapping", got = describe(other)));
            return None;
        }
    };
    w.unknown_keys(key, &entries, &MOUNT_KEYS);
    let before = w.hard;

    let source = match lookup(&entries, "source") {
        None => {
            w.missing(
                key,
                "source",
                &entries,
                &MOUNT_KEYS,
                &t!("config.fix_source"),
            );
            None
        }
        Some(v) => match path_value(w, &join(key, "source"), v) {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                w.problem(&join(key, "source"), t!("config.source_empty"));
                None
            }
            Err(()) => None,
        },
    };
    let source = source.and_then(|s| {
        if s.file_name().is_none() {
            w.problem(
                &join(key, "source"),
                t!("config.source_unshareable", path = s.display()),
            );
            None
        } else if let Some(why) = layout::source_refusal(&s, guard) {
            w.layout_problem(
                &join(key, "source"),
                format!("{why}; {}", layout::source_fix()),
            );
            Some(s)
        } else {
            Some(s)
        }
    });
    if let Some(raw) = lookup(&entries, "source").and_then(|v| v.as_str()) {
        let raw = raw.trim();
        if !raw.is_empty() && !raw.starts_with('/') && !raw.starts_with('~') {
            if let Some(s) = &source {
                w.warn(
                    &join(key, "source"),
                    t!(
                        "config.source_relative",
                        path = quote(raw),
                        resolved = s.display()
                    ),
                );
            }
        }
    }
    let folder_name = source
        .as_ref()
        .and_then(|s| s.file_name())
        .map(|n| n.to_string_lossy().into_owned());

    let target = match lookup(&entries, "target") {
        None | Some(Value::Null) => folder_name
            .as_ref()
            .map(|n| Path::new(VM_HOME).join(n))
            .and_then(|t| guest_target(w, &join(key, "target"), t)),
        Some(Value::String(s)) if s.trim().is_empty() => folder_name
            .as_ref()
            .map(|n| Path::new(VM_HOME).join(n))
            .and_then(|t| guest_target(w, &join(key, "target"), t)),
        Some(Value::String(s)) => vm_path(w, &join(key, "target"), s.trim()),
        Some(other) => {
            w.problem(
                &join(key, "target"),
                t!("config.not_vm_path", got = describe(other)),
            );
            None
        }
    };

    let backup = match lookup(&entries, "backup") {
        None => Ok(None),
        Some(v) => path_value(w, &join(key, "backup"), v),
    };
    let backup = match (backup, &source, &folder_name) {
        (Ok(Some(b)), _, _) => Some(b),
        (Ok(None), Some(src), Some(name)) => {
            src.parent().map(|p| p.join(format!("backups-{name}")))
        }
        _ => None,
    };
    if let (Some(src), Some(b)) = (&source, &backup) {
        if b.starts_with(src) || layout::resolve(b).starts_with(layout::resolve(src)) {
            w.layout_problem(
                &join(key, "backup"),
                t!(
                    "config.backup_inside_source",
                    backup = b.display(),
                    source = src.display(),
                    parent = src
                        .parent()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            );
        }
    }

    let vm = match lookup(&entries, "vm") {
        None | Some(Value::Null) => match names.vms.first() {
            Some(first) => Some(first.clone()),
            None => {
                w.problem(key, t!("config.mount_no_vms"));
                None
            }
        },
        Some(v) => match scalar_text(v) {
            Some(name) if !name.trim().is_empty() => {
                let name = name.trim().to_string();
                names.check_vm(w, &join(key, "vm"), &name).then_some(name)
            }
            _ => {
                w.problem(
                    &join(key, "vm"),
                    t!("config.not_vm_name", got = describe(v)),
                );
                None
            }
        },
    };

    let int_or = |w: &mut Walk, field: &str, default: u32| match lookup(&entries, field) {
        None | Some(Value::Null) => Some(default),
        Some(v) => positive_int(w, &join(key, field), v, u32::MAX as u64).map(|n| n as u32),
    };
    let interval = int_or(w, "interval", 5);
    let max_backups = int_or(w, "max_backups", 100);
    let method = match lookup(&entries, "backup_clean_method") {
        None | Some(Value::Null) => Some(CleanMethod::Thin),
        Some(v) => match scalar_text(v).and_then(|t| CleanMethod::parse(&t)) {
            Some(m) => Some(m),
            None => {
                let shown = scalar_text(v).unwrap_or_else(|| describe(v));
                w.problem(
                    &join(key, "backup_clean_method"),
                    t!("config.clean_method_unknown", method = quote(&shown)),
                );
                None
            }
        },
    };
    let first_backup = match lookup(&entries, "first_backup") {
        None | Some(Value::Null) => Some(true),
        Some(v) => strict_bool(w, &join(key, "first_backup"), v),
    };
    let allowed = match lookup(&entries, "allowed_agents") {
        None => Ok(None),
        Some(v) => allowed_agents(w, &join(key, "allowed_agents"), v, names),
    };

    if w.hard != before {
        return None;
    }
    Some(MountConfig {
        source: source?,
        target: target?,
        backup: backup?,
        vm: vm?,
        interval: interval?,
        max_backups: max_backups?,
        backup_clean_method: method?,
        first_backup: first_backup?,
        allowed_agents: allowed.ok()?,
    })
}

/// A path inside the VM: `~` means the VM user's home; must end up absolute.
fn vm_path(w: &mut Walk, key: &str, text: &str) -> Option<PathBuf> {
    if text.contains('\0') {
        w.problem(key, t!("config.path_nul"));
        return None;
    }
    let expanded = if text == "~" {
        PathBuf::from(VM_HOME)
    } else if let Some(rest) = text.strip_prefix("~/") {
        Path::new(VM_HOME).join(rest)
    } else {
        PathBuf::from(text)
    };
    if !expanded.is_absolute() {
        w.problem(
            key,
            t!(
                "config.vm_path_relative",
                path = quote(text),
                home = VM_HOME
            ),
        );
        return None;
    }
    let clean = rules::lexical_clean(&expanded);
    if clean == Path::new("/") {
        w.problem(key, t!("config.vm_path_root"));
        return None;
    }
    guest_target(w, key, clean)
}

/// Refuses a mount target that is, lies in or holds a system folder of the VM or the VM
/// user's home (`/etc`, `/home/ubuntu/../../etc`, `/home/ubuntu`), after `..` is resolved.
fn guest_target(w: &mut Walk, key: &str, target: PathBuf) -> Option<PathBuf> {
    match layout::target_refusal(&target) {
        Some(why) => {
            w.layout_problem(key, format!("{why}; {}", t!("config.target_refused_fix")));
            Some(target)
        }
        None => Some(target),
    }
}

fn parse_agent(w: &mut Walk, name: &str, v: &Value, names: &Names) -> Option<AgentConfig> {
    let key = join("agents", name);
    if let Err(e) = rules::check_agent_name(name) {
        w.problem(&key, e);
    }
    let entries = sub_entries(w, &key, v, &t!("config.what_agent"))?;
    w.unknown_keys(&key, &entries, &AGENT_KEYS);
    let before = w.problems.len();
    let supported: Vec<&str> = AgentType::ALL.iter().map(|t| t.as_str()).collect();

    let agent_type = match lookup(&entries, "type") {
        None | Some(Value::Null) => {
            w.missing(
                &key,
                "type",
                &entries,
                &AGENT_KEYS,
                &t!("config.fix_agent_type", types = supported.join(", ")),
            );
            None
        }
        Some(v) => {
            let text = scalar_text(v).unwrap_or_default();
            match AgentType::parse(&text) {
                Some(t) => Some(t),
                None => {
                    let message = match rules::suggest(&text, supported.iter().copied()) {
                        Some(s) => t!(
                            "config.agent_type_unknown_suggest",
                            kind = quote(&text),
                            types = supported.join(", "),
                            suggestion = quote(s)
                        ),
                        None => t!(
                            "config.agent_type_unknown",
                            kind = quote(&text),
                            types = supported.join(", ")
                        ),
                    };
                    w.problem(&join(&key, "type"), message);
                    None
                }
            }
        }
    };

    let version = match lookup(&entries, "version") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => rules::parse_version(s)
            .map_err(|e| w.problem(&join(&key, "version"), e))
            .ok(),
        Some(other) => {
            let shown = scalar_text(other).unwrap_or_else(|| describe(other));
            w.problem(
                &join(&key, "version"),
                t!("config.version_not_text", got = shown),
            );
            None
        }
    };

    let mut env = IndexMap::new();
    if let Some(v) = lookup(&entries, "env") {
        let ekey = join(&key, "env");
        if let Some(vars) = sub_entries(w, &ekey, v, &t!("config.what_env")) {
            for (var, value) in vars {
                let vkey = join(&ekey, &var);
                if let Err(e) = rules::check_env_name(&var) {
                    w.problem(&vkey, e);
                    continue;
                }
                let text = match untag(value) {
                    Value::Null => Some(String::new()),
                    other => scalar_text(other),
                };
                match text {
                    Some(t) => {
                        env.insert(var, t);
                    }
                    None => w.problem(&vkey, t!("config.env_not_scalar", got = describe(value))),
                }
            }
        }
    }

    let mut default_args = Vec::new();
    match lookup(&entries, "default-args") {
        None | Some(Value::Null) => {}
        Some(Value::Sequence(seq)) => {
            for (i, item) in seq.iter().enumerate() {
                let ikey = format!("{}[{i}]", join(&key, "default-args"));
                match scalar_text(item) {
                    Some(t) if !t.is_empty() => default_args.push(t),
                    Some(_) => w.problem(&ikey, t!("config.arg_empty")),
                    None => w.problem(&ikey, t!("config.arg_not_text", got = describe(item))),
                }
            }
        }
        Some(other) => w.problem(
            &join(&key, "default-args"),
            t!("config.args_not_list", got = describe(other)),
        ),
    }

    let mut vms: Vec<String> = Vec::new();
    match lookup(&entries, "vm") {
        None | Some(Value::Null) => {}
        Some(v) => match scalar_text(v) {
            Some(t) if t.trim().is_empty() => {}
            Some(t) => {
                let t = t.trim().to_string();
                if names.check_vm(w, &join(&key, "vm"), &t) {
                    vms.push(t);
                }
            }
            None => w.problem(
                &join(&key, "vm"),
                t!("config.not_vm_name", got = describe(v)),
            ),
        },
    }
    if let Some(v) = lookup(&entries, "vms") {
        if let Ok(Some(list)) = name_list(w, &join(&key, "vms"), v) {
            for (ikey, vm) in list {
                if names.check_vm(w, &ikey, &vm) && !vms.contains(&vm) {
                    vms.push(vm);
                }
            }
        }
    }

    // Presence matters: the key present with "" or null disables the VM's setting.
    let proxy_chains = match lookup(&entries, "proxychains") {
        None => None,
        Some(v) => proxychains(w, &join(&key, "proxychains"), v).ok(),
    };
    let http = match lookup(&entries, "http_proxy") {
        None => None,
        Some(v) => http_proxy(w, &join(&key, "http_proxy"), v).ok(),
    };

    if w.problems.len() != before {
        return None;
    }
    Some(AgentConfig {
        name: name.to_string(),
        agent_type: agent_type?,
        version,
        env,
        default_args,
        vms,
        proxychains: proxy_chains,
        http_proxy: http,
    })
}

/// `global.tripwire`: `enabled`, `min_files` (1 or more), `min_percent` (1..=100).
fn parse_tripwire(w: &mut Walk, v: &Value, out: &mut TripwireConfig) {
    let key = "global.tripwire";
    let Some(entries) = sub_entries(w, key, v, &t!("tripwire.config.what")) else {
        return;
    };
    w.unknown_keys(key, &entries, &TRIPWIRE_KEYS);
    if let Some(v) = lookup(&entries, "enabled").filter(|v| !v.is_null()) {
        if let Some(b) = strict_bool(w, "global.tripwire.enabled", v) {
            out.enabled = b;
        }
    }
    for (field, target, max) in [
        ("min_files", &mut out.min_files, u32::MAX as u64),
        ("min_percent", &mut out.min_percent, 100),
    ] {
        if let Some(v) = lookup(&entries, field).filter(|v| !v.is_null()) {
            if let Some(n) = positive_int(w, &join(key, field), v, max) {
                *target = n;
            }
        }
    }
}

/// `global.daemon`: `backups: active|all`, idle minutes (0 = never), `idle_vm_action: stop|suspend`.
fn parse_daemon(w: &mut Walk, v: &Value, out: &mut DaemonConfig) {
    let key = "global.daemon";
    let Some(entries) = sub_entries(w, key, v, &t!("config.what_daemon")) else {
        return;
    };
    w.unknown_keys(key, &entries, &DAEMON_KEYS);
    let value = lookup(&entries, "backups");
    match (
        value,
        value.and_then(Value::as_str).and_then(DaemonBackups::parse),
    ) {
        (None | Some(Value::Null), _) => {}
        (_, Some(mode)) => out.backups = mode,
        (Some(other), None) => w.problem(
            &join(key, "backups"),
            t!("config.not_daemon_backups", got = describe(other)),
        ),
    }
    let value = lookup(&entries, "idle_vm_action");
    match (
        value,
        value.and_then(Value::as_str).and_then(IdleVmAction::parse),
    ) {
        (None | Some(Value::Null), _) => {}
        (_, Some(action)) => out.idle_vm_action = action,
        (Some(other), None) => w.problem(
            &join(key, "idle_vm_action"),
            t!("suspend.config.not_action", got = describe(other)),
        ),
    }
    for (field, target) in [
        ("idle_vm_stop_minutes", &mut out.idle_vm_stop_minutes),
        ("idle_unmount_minutes", &mut out.idle_unmount_minutes),
    ] {
        match lookup(&entries, field) {
            None | Some(Value::Null) => {}
            Some(v) => {
                let zero = matches!(untag(v), Value::Number(n) if n.as_u64() == Some(0))
                    || matches!(untag(v), Value::String(s) if s.trim() == "0");
                if zero {
                    *target = 0;
                } else if let Some(n) = positive_int(w, &join(key, field), v, 525_600) {
                    *target = n;
                }
            }
        }
    }
}
