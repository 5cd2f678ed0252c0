//! Parsing of `multipass info --format json` and `multipass list --format json`.
//!
//! The layout is not a stable contract, so parsing is lenient in the ways Multipass varies:
//! numbers may come as strings (`"cpu_count": "2"`) or as numbers, runtime fields are empty
//! strings, arrays or objects when the VM is stopped, keys come in any order (sorted in 1.16,
//! insertion order on main), unknown keys (`zone`, ...) are ignored, and `ipv4` may hold the
//! placeholder `"N/A"`. Only a document that is not JSON, or lacks `info`/`list`, is an error.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::vm::types::{Usage, VmInfo, VmMount, VmState, VmSummary};

/// Why a JSON document from the backend could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

fn parse_document(text: &str) -> Result<Value, ParseError> {
    serde_json::from_str(text).map_err(|e| ParseError(crate::t!("misc.vm.bad_json", error = e)))
}

/// A number that may be written as a JSON number or a string of digits; empty -> None.
fn number(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
}

fn small_number(value: Option<&Value>) -> Option<u32> {
    number(value).and_then(|n| u32::try_from(n).ok())
}

/// A non-empty string.
fn string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A list of addresses: an array of strings or one string. `N/A` and blanks are dropped.
fn addresses(value: Option<&Value>) -> Vec<String> {
    let keep = |s: &str| {
        let s = s.trim();
        !s.is_empty() && !s.eq_ignore_ascii_case("N/A")
    };
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| keep(s))
            .map(|s| s.trim().to_string())
            .collect(),
        Some(Value::String(s)) if keep(s) => vec![s.trim().to_string()],
        _ => Vec::new(),
    }
}

fn usage(value: Option<&Value>) -> Option<Usage> {
    let obj = value?.as_object()?;
    let usage = Usage {
        used: number(obj.get("used")),
        total: number(obj.get("total")),
    };
    if usage.used.is_none() && usage.total.is_none() {
        None
    } else {
        Some(usage)
    }
}

/// `disks` is keyed by device (always `sda1` in 1.16); add up whatever devices are listed.
fn disk_usage(value: Option<&Value>) -> Option<Usage> {
    let disks = value?.as_object()?;
    let mut sum: Option<Usage> = None;
    for disk in disks.values() {
        if let Some(u) = usage(Some(disk)) {
            let acc = sum.get_or_insert(Usage {
                used: None,
                total: None,
            });
            acc.used = add(acc.used, u.used);
            acc.total = add(acc.total, u.total);
        }
    }
    sum
}

fn add(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.saturating_add(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn load(value: Option<&Value>) -> Vec<f64> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_f64).collect(),
        _ => Vec::new(),
    }
}

/// `mounts` is keyed by target, each with a `source_path`. Entries without a source are
/// skipped (nothing useful can be said about them).
fn mounts(value: Option<&Value>) -> Vec<VmMount> {
    let Some(Value::Object(map)) = value else {
        return Vec::new();
    };
    let mut out: Vec<VmMount> = map
        .iter()
        .filter_map(|(target, entry)| {
            let source = string(entry.get("source_path"))?;
            Some(VmMount {
                target: target.clone(),
                source: PathBuf::from(source),
            })
        })
        .collect();
    out.sort_by(|a, b| a.target.cmp(&b.target));
    out
}

fn state(value: Option<&Value>) -> VmState {
    match value.and_then(Value::as_str) {
        Some(s) => VmState::parse(s),
        None => VmState::Unknown(String::new()),
    }
}

fn info_entry(name: &str, obj: &Map<String, Value>) -> VmInfo {
    VmInfo {
        name: name.to_string(),
        state: state(obj.get("state")),
        cpu_count: small_number(obj.get("cpu_count")),
        memory: usage(obj.get("memory")),
        disk: disk_usage(obj.get("disks")),
        load: load(obj.get("load")),
        ipv4: addresses(obj.get("ipv4")),
        release: string(obj.get("release")),
        image_release: string(obj.get("image_release")),
        image_hash: string(obj.get("image_hash")),
        snapshot_count: small_number(obj.get("snapshot_count")),
        mounts: mounts(obj.get("mounts")),
    }
}

/// Parses `multipass info [NAME...] --format json`: every instance in the document, sorted by
/// name.
pub fn parse_info(json: &str) -> Result<Vec<VmInfo>, ParseError> {
    let doc = parse_document(json)?;
    let info = doc
        .get("info")
        .and_then(Value::as_object)
        .ok_or_else(|| ParseError(crate::t!("misc.vm.no_info_object")))?;
    let mut out: Vec<VmInfo> = info
        .iter()
        .filter_map(|(name, entry)| entry.as_object().map(|obj| info_entry(name, obj)))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Parses `multipass list --format json`, in the order given (which Multipass does not
/// guarantee). Entries without a name are skipped.
pub fn parse_list(json: &str) -> Result<Vec<VmSummary>, ParseError> {
    let doc = parse_document(json)?;
    let list = doc
        .get("list")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError(crate::t!("misc.vm.no_list_array")))?;
    Ok(list
        .iter()
        .filter_map(|entry| {
            let obj = entry.as_object()?;
            let name = string(obj.get("name"))?;
            let release = string(obj.get("release")).filter(|r| r != "Not Available");
            Some(VmSummary {
                name,
                state: state(obj.get("state")),
                ipv4: addresses(obj.get("ipv4")),
                release,
            })
        })
        .collect())
}

/// Parses `multipass version`: lines such as `multipass   1.16.3` and `multipassd  1.16.3`.
pub fn parse_version(text: &str) -> Option<(String, Option<String>)> {
    let mut client = None;
    let mut daemon = None;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("multipass"), Some(v)) => client = Some(v.to_string()),
            (Some("multipassd"), Some(v)) => daemon = Some(v.to_string()),
            _ => {}
        }
    }
    client.map(|c| (c, daemon))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = include_str!("../../../tests/fixtures/multipass/info.json");
    const INFO_STOPPED: &str = include_str!("../../../tests/fixtures/multipass/info_stopped.json");
    const INFO_MAIN: &str =
        include_str!("../../../tests/fixtures/multipass/info_main_1.17dev.json");
    const LIST: &str = include_str!("../../../tests/fixtures/multipass/list.json");

    fn running_agent_vm() -> VmInfo {
        VmInfo {
            name: "agent-vm".into(),
            state: VmState::Running,
            cpu_count: Some(2),
            memory: Some(Usage {
                used: Some(398_450_688),
                total: Some(4_102_787_072),
            }),
            disk: Some(Usage {
                used: Some(2_701_541_376),
                total: Some(20_663_136_256),
            }),
            load: vec![0.08, 0.03, 0.01],
            ipv4: vec!["10.97.0.76".into()],
            release: Some("Ubuntu 24.04.3 LTS".into()),
            image_release: Some("24.04 LTS".into()),
            image_hash: Some(
                "5f8c0b4d3a2e1f6071829a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f".into(),
            ),
            snapshot_count: Some(0),
            mounts: vec![VmMount {
                target: "/home/alice/code/myproject".into(),
                source: PathBuf::from("/home/alice/code/myproject"),
            }],
        }
    }

    #[test]
    fn info_of_a_running_vm_sample() {
        assert_eq!(parse_info(INFO).unwrap(), vec![running_agent_vm()]);
    }

    #[test]
    fn info_of_a_stopped_vm_sample_has_empty_runtime_fields_but_keeps_mounts() {
        let info = parse_info(INFO_STOPPED).unwrap();
        let expected = VmInfo {
            state: VmState::Stopped,
            cpu_count: None,
            memory: None,
            disk: None,
            load: vec![],
            ipv4: vec![],
            release: None,
            ..running_agent_vm()
        };
        assert_eq!(info, vec![expected]);
        assert_eq!(
            info[0]
                .mount_at("/home/alice/code/myproject")
                .map(|m| m.source.clone()),
            Some(PathBuf::from("/home/alice/code/myproject"))
        );
    }

    #[test]
    fn info_in_the_main_branch_layout_parses_the_same() {
        // Insertion order and an extra `zone` object: same result as the 1.16 sample.
        assert_eq!(parse_info(INFO_MAIN).unwrap(), parse_info(INFO).unwrap());
    }

    #[test]
    fn list_sample() {
        assert_eq!(
            parse_list(LIST).unwrap(),
            vec![
                VmSummary {
                    name: "agent-vm".into(),
                    state: VmState::Running,
                    ipv4: vec!["10.97.0.76".into()],
                    release: Some("Ubuntu 24.04 LTS".into()),
                },
                VmSummary {
                    name: "scratch-vm".into(),
                    state: VmState::Stopped,
                    ipv4: vec![],
                    release: Some("Ubuntu 24.04 LTS".into()),
                },
            ]
        );
    }

    #[test]
    fn empty_list_and_empty_info_as_qt_prints_them() {
        assert_eq!(
            parse_list("{\n    \"list\": [\n    ]\n}\n").unwrap(),
            vec![]
        );
        assert_eq!(
            parse_info("{\"errors\": [\n    ], \"info\": {\n    }}").unwrap(),
            vec![]
        );
    }

    #[test]
    fn placeholders_numbers_and_odd_shapes() {
        let doc = r#"{"info": {"b": {"state": "Starting", "ipv4": ["N/A"], "cpu_count": 4,
            "memory": {"total": "1024", "used": 12}, "disks": {"sda1": {"total": "10"}, "sdb": {"total": 5, "used": "1"}},
            "mounts": {"Documents": {"source_path": "/home/a/Documents"}, "/x": {"uid_mappings": []}},
            "zone": {"name": "z", "available": true}, "future_key": [1, 2]},
            "a": {"state": "Delayed Shutdown", "ipv4": "10.0.0.2", "release": "Not Available", "load": "n/a"}}}"#;
        let info = parse_info(doc).unwrap();
        assert_eq!(info.len(), 2);
        assert_eq!(info[0].name, "a");
        assert_eq!(info[0].state, VmState::DelayedShutdown);
        assert_eq!(info[0].ipv4, vec!["10.0.0.2".to_string()]);
        assert!(info[0].load.is_empty());
        let b = &info[1];
        assert_eq!(b.state, VmState::Starting);
        assert!(b.ipv4.is_empty(), "N/A is not an address");
        assert_eq!(b.cpu_count, Some(4));
        assert_eq!(
            b.memory,
            Some(Usage {
                used: Some(12),
                total: Some(1024)
            })
        );
        assert_eq!(
            b.disk,
            Some(Usage {
                used: Some(1),
                total: Some(15)
            })
        );
        // A relative target is kept as given; an entry without a source is skipped.
        assert_eq!(
            b.mounts,
            vec![VmMount {
                target: "Documents".into(),
                source: PathBuf::from("/home/a/Documents")
            }]
        );
    }

    #[test]
    fn list_entries_with_odd_values() {
        let doc = r#"{"list": [{"name": "x", "state": "Suspended", "ipv4": [], "release": "Not Available", "zone": {}},
            {"state": "Running"}, {"name": "y"}, 7]}"#;
        let list = parse_list(doc).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].state, VmState::Suspended);
        assert_eq!(list[0].release, None);
        assert_eq!(list[1].name, "y");
        assert_eq!(list[1].state, VmState::Unknown(String::new()));
    }

    #[test]
    fn documents_that_are_not_info_or_list_are_errors() {
        assert!(parse_info("").is_err());
        assert!(parse_info("{\"list\": []}").is_err());
        assert!(parse_list("{\"info\": {}}").is_err());
        assert!(parse_list("[1, 2").is_err());
        assert!(parse_list("null").is_err());
    }

    #[test]
    fn version_lines() {
        assert_eq!(
            parse_version("multipass   1.16.3\nmultipassd  1.16.3\n"),
            Some(("1.16.3".to_string(), Some("1.16.3".to_string())))
        );
        assert_eq!(
            parse_version("multipass   1.16.3+mac\n"),
            Some(("1.16.3+mac".to_string(), None))
        );
        assert_eq!(parse_version("garbage"), None);
    }

    fn arb_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or(Value::Null)),
            "[a-zA-Z0-9 ./:_-]{0,12}".prop_map(Value::from),
            prop::sample::select(vec!["Running", "Stopped", "N/A", "", "2", "-1", "1e30"])
                .prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            let keys = prop::sample::select(vec![
                "info",
                "list",
                "name",
                "state",
                "ipv4",
                "cpu_count",
                "memory",
                "disks",
                "sda1",
                "total",
                "used",
                "mounts",
                "source_path",
                "load",
                "release",
                "snapshot_count",
                "x",
            ]);
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((keys, inner), 0..6).prop_map(|kv| Value::Object(
                    kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                )),
            ]
        })
    }

    proptest::proptest! {
        /// No document, however odd, makes the parsers panic.
        #[test]
        fn parsers_never_panic_on_any_json(doc in arb_json()) {
            let text = doc.to_string();
            let _ = parse_info(&text);
            let _ = parse_list(&text);
            let wrapped = serde_json::json!({"info": {"vm": doc.clone()}, "list": [doc]}).to_string();
            let _ = parse_info(&wrapped);
            let _ = parse_list(&wrapped);
        }

        #[test]
        fn parsers_never_panic_on_any_text(text in "\\PC{0,200}") {
            let _ = parse_info(&text);
            let _ = parse_list(&text);
            let _ = parse_version(&text);
        }
    }
}
