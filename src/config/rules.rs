//! Pure checks for single config values: sizes, addresses, proxy URLs, versions, bundles,
//! names and paths. Each returns the normalized value or a message that says what is wrong
//! and how to write it instead. Nothing here knows about YAML or key paths.

use std::path::{Component, Path, PathBuf};

use super::model::Bundle;
use crate::t;

/// `text` in double quotes with escapes, as `{:?}` writes it: values inside messages.
pub(crate) fn quote(text: &str) -> String {
    format!("{text:?}")
}

/// Schemes proxychains (and the privoxy upstream) can speak.
pub const PROXY_SCHEMES: [&str; 4] = ["http", "https", "socks4", "socks5"];
/// Schemes an agent can use as a direct HTTP proxy.
pub const DIRECT_PROXY_SCHEMES: [&str; 2] = ["http", "https"];

/// Software bundles `vms.<name>.install` may name, and whether each takes a `:version`.
pub const BUNDLES: [(&str, bool); 7] = [
    ("pyenv", false),
    ("nvm", false),
    ("python", true),
    ("nodejs", true),
    ("rust", false),
    ("golang", false),
    ("docker", false),
];

/// Parses a size such as `4G`, `4096M`, `1.5G`, `512MiB`, `20GB` or a plain number of bytes.
/// Units are powers of 1024 and case-insensitive.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(t!("config.size_empty"));
    }
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let bad = || t!("config.size_bad", size = quote(trimmed));
    let number_ok = {
        let mut parts = number.split('.');
        let whole = parts.next().unwrap_or("");
        let frac = parts.next();
        !whole.is_empty()
            && whole.chars().all(|c| c.is_ascii_digit())
            && parts.next().is_none()
            && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
    };
    if !number_ok {
        return Err(bad());
    }
    let unit = unit.trim().to_ascii_uppercase();
    let (letter, rest) = match unit.chars().next() {
        Some(c @ ('K' | 'M' | 'G' | 'T')) => (Some(c), &unit[1..]),
        _ => (None, unit.as_str()),
    };
    let rest_ok = match letter {
        Some(_) => matches!(rest, "" | "B" | "IB"),
        None => matches!(rest, "" | "B"),
    };
    if !rest_ok {
        return Err(bad());
    }
    let factor: u64 = match letter {
        None => 1,
        Some('K') => 1 << 10,
        Some('M') => 1 << 20,
        Some('G') => 1 << 30,
        _ => 1 << 40,
    };
    let value: f64 = number.parse().map_err(|_| bad())?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(t!("config.size_too_large", size = quote(trimmed)));
    }
    Ok(bytes as u64)
}

/// Formats bytes for messages (`512M`, `1.5G`).
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("T", 1 << 40),
        ("G", 1 << 30),
        ("M", 1 << 20),
        ("K", 1 << 10),
    ];
    for (name, size) in UNITS {
        if bytes >= size {
            let value = bytes as f64 / size as f64;
            return if bytes.is_multiple_of(size) {
                format!("{}{name}", bytes / size)
            } else {
                format!("{value:.1}{name}")
            };
        }
    }
    format!("{bytes}B")
}

/// Checks a `host:port` address (split at the last `:`; host non-empty; port 1-65535) and
/// returns it normalized (`host:port`, no spaces, no leading zeros).
pub fn parse_address(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let hint = t!("config.address_hint");
    let Some((host, port)) = trimmed.rsplit_once(':') else {
        return Err(t!(
            "config.address_no_port",
            text = quote(trimmed),
            hint = hint
        ));
    };
    let host = host.trim();
    if host.is_empty() {
        return Err(t!(
            "config.address_no_host",
            text = quote(trimmed),
            hint = hint
        ));
    }
    if host.chars().any(char::is_whitespace) {
        return Err(t!(
            "config.address_space",
            text = quote(trimmed),
            hint = hint
        ));
    }
    let port = parse_port(port.trim()).map_err(|e| format!("{trimmed:?}: {e}; {hint}"))?;
    Ok(format!("{host}:{port}"))
}

fn parse_port(text: &str) -> Result<u16, String> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(t!("config.port_not_number", port = quote(text)));
    }
    match text.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
        _ => Err(t!("config.port_range", port = text)),
    }
}

/// The `listen:` of an HTTP proxy helper: a port (`8585`) means `127.0.0.1:8585`; otherwise
/// `host:port`.
pub fn parse_listen(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.chars().all(|c| c.is_ascii_digit()) {
        let port = parse_port(trimmed)?;
        return Ok(format!("127.0.0.1:{port}"));
    }
    parse_address(trimmed)
}

/// Checks a proxy URL `scheme://host:port` (no user, password, path, query or fragment) and
/// returns it normalized, with the scheme in lower case.
pub fn parse_proxy_url(text: &str, schemes: &[&str]) -> Result<String, String> {
    let trimmed = text.trim();
    let example = format!(
        "{}://127.0.0.1:8181",
        schemes.last().copied().unwrap_or("http")
    );
    let allowed = schemes.join(", ");
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return Err(t!(
            "config.proxy_not_url",
            text = quote(trimmed),
            allowed = allowed,
            example = example
        ));
    };
    let scheme = scheme.to_ascii_lowercase();
    if !schemes.contains(&scheme.as_str()) {
        return Err(t!(
            "config.proxy_scheme",
            text = quote(trimmed),
            scheme = quote(&scheme),
            allowed = allowed
        ));
    }
    if rest.contains('@') {
        // The URL is not echoed: it holds a password.
        return Err(t!("config.proxy_userinfo", scheme = scheme));
    }
    if rest.contains(['?', '#', ';']) {
        return Err(t!(
            "config.proxy_query",
            text = quote(trimmed),
            scheme = scheme
        ));
    }
    let authority = match rest.split_once('/') {
        Some((auth, "")) => auth,
        Some(_) => {
            return Err(t!(
                "config.proxy_path",
                text = quote(trimmed),
                scheme = scheme
            ))
        }
        None => rest,
    };
    let addr = parse_address(authority).map_err(|_| {
        t!(
            "config.proxy_no_address",
            text = quote(trimmed),
            example = example
        )
    })?;
    Ok(format!("{scheme}://{addr}"))
}

/// Checks an agent `version:`: `stable`, or `MAJOR.MINOR.PATCH` with an optional leading `v`
/// and an optional `-pre` or `+build` suffix. Returns it without the `v`.
pub fn parse_version(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("stable") {
        return Ok("stable".to_string());
    }
    let body = trimmed
        .strip_prefix('v')
        .or_else(|| trimmed.strip_prefix('V'))
        .unwrap_or(trimmed);
    let bad = || t!("config.version_bad", text = quote(trimmed));
    let core_end = body.find(['-', '+']).unwrap_or(body.len());
    let (core, suffix) = body.split_at(core_end);
    let parts: Vec<&str> = core.split('.').collect();
    let core_ok = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let suffix_ok = suffix.is_empty()
        || (suffix.len() > 1
            && suffix[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')));
    if core_ok && suffix_ok {
        Ok(body.to_string())
    } else {
        Err(bad())
    }
}

/// Checks one `install:` item (`name` or `name:version`).
pub fn parse_bundle(text: &str) -> Result<Bundle, String> {
    let trimmed = text.trim();
    let names: Vec<&str> = BUNDLES.iter().map(|(n, _)| *n).collect();
    if trimmed.is_empty() {
        return Err(t!("config.bundle_empty", names = names.join(", ")));
    }
    let (name, version) = match trimmed.split_once(':') {
        Some((n, v)) => (n.trim(), Some(v.trim())),
        None => (trimmed, None),
    };
    if name.is_empty() {
        return Err(t!(
            "config.bundle_no_name",
            text = quote(trimmed),
            names = names.join(", ")
        ));
    }
    let lower = name.to_ascii_lowercase();
    let Some((known, versioned)) = BUNDLES.iter().find(|(n, _)| *n == lower) else {
        return Err(match suggest(&lower, names.iter().copied()) {
            Some(s) => t!(
                "config.bundle_unknown_suggest",
                name = quote(name),
                names = names.join(", "),
                suggestion = quote(s)
            ),
            None => t!(
                "config.bundle_unknown",
                name = quote(name),
                names = names.join(", ")
            ),
        });
    };
    match version {
        None => Ok(Bundle {
            name: known.to_string(),
            version: None,
        }),
        Some("") => Err(t!(
            "config.bundle_no_version",
            text = quote(trimmed),
            bundle = known
        )),
        Some(_) if !versioned => Err(t!("config.bundle_unversioned", bundle = known)),
        Some(v)
            if v.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '\'' || c == '"') =>
        {
            Err(t!(
                "config.bundle_version_chars",
                version = quote(v),
                bundle = known
            ))
        }
        Some(v) => Ok(Bundle {
            name: known.to_string(),
            version: Some(v.to_string()),
        }),
    }
}

/// Multipass instance names: a letter first, then letters, digits and hyphens, not ending
/// with a hyphen.
pub fn check_vm_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if first_ok && rest_ok && !name.ends_with('-') {
        Ok(())
    } else {
        Err(t!("config.vm_name_bad", name = quote(name)))
    }
}

/// Agent profile names are used as `agsekit run NAME` and as shim names.
pub fn check_agent_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && !name.starts_with('-')
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(t!("config.agent_name_bad", name = quote(name)))
    }
}

/// Environment variable names as the VM-side launcher accepts them (`agent_scripts/
/// agsekit-launch`): `[A-Za-z_][A-Za-z0-9_]*`.
pub fn check_env_name(name: &str) -> Result<(), String> {
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() {
        Err(t!("config.env_name_empty"))
    } else if name.contains(['=', '\0']) {
        Err(t!("config.env_name_bad", name = quote(name)))
    } else if !(first_ok && rest_ok) {
        Err(t!("layout.env_name_chars", name = quote(name)))
    } else {
        Ok(())
    }
}

/// The closest candidate to `word` (case-insensitive, `-`/`_` insensitive, small edit
/// distance), for "did you mean" hints.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let canon = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let word_c = canon(word);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let cand_c = canon(cand);
        let dist = strsim::damerau_levenshtein(&word_c, &cand_c);
        let limit = (cand_c.chars().count().max(word_c.chars().count()) / 3).max(1);
        let prefix =
            word_c.len() >= 3 && (cand_c.starts_with(&word_c) || word_c.starts_with(&cand_c));
        if dist <= limit || prefix {
            let score = if prefix { dist.min(limit) } else { dist };
            if best.is_none_or(|(d, _)| score < d) {
                best = Some((score, cand));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// Makes `path` absolute (against the current folder) and removes `.` and `..` lexically,
/// after expanding a leading `~`. Does not touch the file system beyond reading the current
/// folder, so paths that do not exist yet are fine.
pub fn normalize_path(path: &Path) -> PathBuf {
    let expanded = super::expand_tilde(path);
    let absolute = if expanded.is_absolute() {
        expanded
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(expanded)
    };
    lexical_clean(&absolute)
}

/// Removes `.` and `..` components without looking at the disk; `..` above `/` stays at `/`.
pub fn lexical_clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::Prefix(p) => out.push(p.as_os_str()),
            Component::RootDir => out.push("/"),
            Component::CurDir => {}
            Component::ParentDir => {
                let last_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_normal {
                    out.pop();
                } else if !path.has_root() {
                    // A relative path starting with `..` keeps it.
                    out.push("..");
                }
            }
            Component::Normal(c) => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        if path.has_root() {
            out.push("/");
        } else {
            out.push(".");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let g = 1u64 << 30;
        let m = 1u64 << 20;
        let cases: &[(&str, Option<u64>)] = &[
            ("4G", Some(4 * g)),
            ("4g", Some(4 * g)),
            ("4096M", Some(4096 * m)),
            ("1.5G", Some(3 * g / 2)),
            ("20GB", Some(20 * g)),
            ("20GiB", Some(20 * g)),
            ("512MiB", Some(512 * m)),
            ("1T", Some(1 << 40)),
            ("1024", Some(1024)),
            ("1024B", Some(1024)),
            (" 2G ", Some(2 * g)),
            ("2 G", Some(2 * g)),
            ("", None),
            ("G", None),
            ("4P", None),
            ("4X", None),
            ("4GG", None),
            ("1.G", None),
            (".5G", None),
            ("1.2.3G", None),
            ("-1G", None),
            ("iB", None),
            ("4iB", None),
            ("99999999999999999999T", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_size(text).ok(), *want, "size {text:?}");
        }
    }

    #[test]
    fn size_formatting() {
        assert_eq!(format_size(512 << 20), "512M");
        assert_eq!(format_size(3 << 29), "1.5G");
        assert_eq!(format_size(100), "100B");
    }

    #[test]
    fn addresses() {
        let cases: &[(&str, Option<&str>)] = &[
            ("127.0.0.1:8080", Some("127.0.0.1:8080")),
            (" 0.0.0.0:015432 ", Some("0.0.0.0:15432")),
            ("localhost:1", Some("localhost:1")),
            ("[::1]:80", Some("[::1]:80")),
            ("host:65535", Some("host:65535")),
            ("host:65536", None),
            ("host:0", None),
            ("host:", None),
            (":80", None),
            ("8080", None),
            ("host:http", None),
            ("my host:80", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_address(text).ok().as_deref(),
                *want,
                "address {text:?}"
            );
        }
    }

    #[test]
    fn listen_addresses() {
        assert_eq!(parse_listen("8585").as_deref(), Ok("127.0.0.1:8585"));
        assert_eq!(parse_listen("0.0.0.0:8585").as_deref(), Ok("0.0.0.0:8585"));
        assert!(parse_listen("70000").is_err());
        assert!(parse_listen("x").is_err());
    }

    #[test]
    fn proxy_urls() {
        let cases: &[(&str, Option<&str>)] = &[
            ("socks5://127.0.0.1:8181", Some("socks5://127.0.0.1:8181")),
            ("SOCKS5://host:1080/", Some("socks5://host:1080")),
            ("http://proxy:3128", Some("http://proxy:3128")),
            ("https://proxy:443", Some("https://proxy:443")),
            ("socks4://h:1", Some("socks4://h:1")),
            ("ftp://h:21", None),
            ("socks5://user:pw@h:1080", None),
            ("socks5://h:1080/path", None),
            ("http://h:80?x=1", None),
            ("http://h:80#frag", None),
            ("http://h", None),
            ("http://:80", None),
            ("h:80", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_proxy_url(text, &PROXY_SCHEMES).ok().as_deref(),
                *want,
                "url {text:?}"
            );
        }
        assert!(parse_proxy_url("socks5://h:1", &DIRECT_PROXY_SCHEMES).is_err());
        let err = parse_proxy_url("socks5://me:hunter2@h:1", &PROXY_SCHEMES).unwrap_err();
        assert!(
            !err.contains("hunter2"),
            "a password is never echoed: {err}"
        );
    }

    #[test]
    fn versions() {
        let cases: &[(&str, Option<&str>)] = &[
            ("stable", Some("stable")),
            ("Stable", Some("stable")),
            ("1.2.3", Some("1.2.3")),
            ("v0.130.0", Some("0.130.0")),
            ("1.0.0-rc.1", Some("1.0.0-rc.1")),
            ("1.0.0+build5", Some("1.0.0+build5")),
            ("1.2", None),
            ("latest", None),
            ("1.2.3.4", None),
            ("1.2.x", None),
            ("1.2.3-", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_version(text).ok().as_deref(),
                *want,
                "version {text:?}"
            );
        }
    }

    #[test]
    fn bundles() {
        let b = |n: &str, v: Option<&str>| Bundle {
            name: n.to_string(),
            version: v.map(str::to_string),
        };
        let cases: &[(&str, Option<Bundle>)] = &[
            ("python", Some(b("python", None))),
            ("python:3.12", Some(b("python", Some("3.12")))),
            ("NodeJS:20", Some(b("nodejs", Some("20")))),
            ("rust", Some(b("rust", None))),
            ("docker", Some(b("docker", None))),
            ("golang", Some(b("golang", None))),
            ("pyenv", Some(b("pyenv", None))),
            ("nvm", Some(b("nvm", None))),
            ("rust:1.80", None),
            ("python:", None),
            (":3.12", None),
            ("", None),
            ("java", None),
            ("python:3 12", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_bundle(text).ok(), *want, "bundle {text:?}");
        }
        let err = parse_bundle("pyhton").unwrap_err();
        assert!(err.contains("did you mean \"python\""), "{err}");
    }

    #[test]
    fn vm_and_agent_names() {
        for ok in ["agent-ubuntu", "a", "vm2", "A-b-3"] {
            assert!(check_vm_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "2vm", "bad_name", "vm-", "a b", "-x", "ünï"] {
            assert!(check_vm_name(bad).is_err(), "{bad}");
        }
        for ok in ["codex", "qwen-local", "my_agent.2"] {
            assert!(check_agent_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", ".x", "a/b", "a b"] {
            assert!(check_agent_name(bad).is_err(), "{bad}");
        }
        assert!(check_env_name("A=B").is_err());
        assert!(check_env_name("").is_err());
        assert!(check_env_name("OPENAI_API_KEY").is_ok());
        assert!(check_env_name("_x9").is_ok());
        for bad in ["BAD NAME; x", "9LIVES", "A-B", "ÄPI", "a.b"] {
            let err = check_env_name(bad).expect_err(bad);
            assert!(err.contains("launcher"), "{bad}: {err}");
        }
    }

    #[test]
    fn suggestions() {
        let keys = [
            "type",
            "version",
            "env",
            "default-args",
            "vm",
            "vms",
            "proxychains",
            "http_proxy",
        ];
        let cases: &[(&str, Option<&str>)] = &[
            ("tpye", Some("type")),
            ("default_args", Some("default-args")),
            ("Version", Some("version")),
            ("proxychain", Some("proxychains")),
            ("http-proxy", Some("http_proxy")),
            ("zzzzzz", None),
        ];
        for (word, want) in cases {
            assert_eq!(suggest(word, keys), *want, "suggest {word:?}");
        }
    }

    #[test]
    fn lexical_paths() {
        let cases: &[(&str, &str)] = &[
            ("/a/b/../c", "/a/c"),
            ("/a/./b/", "/a/b"),
            ("/../..", "/"),
            ("/a/..", "/"),
            ("/", "/"),
        ];
        for (input, want) in cases {
            assert_eq!(
                lexical_clean(Path::new(input)),
                PathBuf::from(want),
                "{input}"
            );
        }
        assert!(normalize_path(Path::new("rel/x")).is_absolute());
    }
}
