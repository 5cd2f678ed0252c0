//! The commented example configuration shipped with the binary, and writing it to disk
//! without ever replacing an existing file.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// `config-example.yaml` from the repository root: every key, commented.
pub const EXAMPLE: &str = include_str!("../../config-example.yaml");

/// What the example's VM gets when the host is unknown: it fits a 2-CPU, 4 GiB host.
pub const UNSIZED_CPU: u32 = 1;
pub const UNSIZED_RAM: &str = "2G";

const GIB: u64 = 1024 * 1024 * 1024;

/// The VM size that fits a host with `cpus` CPUs and `memory` bytes, as `(cpu, ram)`: half its
/// CPUs (1 to 4) and half its memory in whole GiB (1G to 8G). `create-vm` refuses a VM that
/// would leave the host less than one CPU or 1 GiB free; this always leaves both on a host
/// with at least 2 CPUs and 3 GiB.
pub fn vm_size_for(cpus: u32, memory: u64) -> (u32, String) {
    let cpu = (cpus / 2).clamp(1, 4);
    let ram = (memory / 2 / GIB).clamp(1, 8);
    (cpu, format!("{ram}G"))
}

/// [`EXAMPLE`] with the first VM's `cpu:` and `ram:` values replaced (comments kept).
pub fn example_with_size(cpu: u32, ram: &str) -> String {
    let mut done_cpu = false;
    let mut done_ram = false;
    let mut out = String::with_capacity(EXAMPLE.len());
    for line in EXAMPLE.split_inclusive('\n') {
        let replace = |key: &str, value: &str| -> Option<String> {
            let rest = line.strip_prefix(key)?;
            let comment = rest.find(" #").map(|i| &rest[i..]).unwrap_or("\n");
            Some(format!("{key}{value}{comment}"))
        };
        let changed = if !done_cpu {
            replace("    cpu: ", &cpu.to_string()).inspect(|_| done_cpu = true)
        } else if !done_ram {
            replace("    ram: ", ram).inspect(|_| done_ram = true)
        } else {
            None
        };
        out.push_str(changed.as_deref().unwrap_or(line));
    }
    out
}

/// What writing the example did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The file was created.
    Written(PathBuf),
    /// A file was already there; nothing was written.
    Exists(PathBuf),
}

/// Writes `contents` to `path` unless something already exists there. Parent folders are
/// created. The file appears whole or not at all: it is written to a temporary file in the
/// same folder, synced, then linked into place (which fails if `path` appeared meanwhile).
pub fn write_new(path: &Path, contents: &[u8]) -> io::Result<Outcome> {
    write_new_with_mode(path, contents, 0o666)
}

/// [`write_new`] for a config file: readable by its owner only (`0600`), as it is meant to
/// hold API keys in `env:`.
pub fn write_new_private(path: &Path, contents: &[u8]) -> io::Result<Outcome> {
    write_new_with_mode(path, contents, 0o600)
}

/// [`write_new`] creating the file with `mode` (less the umask).
fn write_new_with_mode(path: &Path, contents: &[u8], mode: u32) -> io::Result<Outcome> {
    if fs::symlink_metadata(path).is_ok() {
        return Ok(Outcome::Exists(path.to_path_buf()));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    Ok(match crate::statefile::create(path, contents, mode)? {
        crate::statefile::Created::Written => Outcome::Written(path.to_path_buf()),
        crate::statefile::Created::Exists => Outcome::Exists(path.to_path_buf()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example with every commented-out setting turned on: a line that is `#` followed
    /// by an even number of spaces and then text is a setting (`#install:`, `#  - python`);
    /// `#` alone or `# ` and a note is a note.
    fn uncommented(text: &str) -> String {
        text.lines()
            .map(|line| match line.strip_prefix('#') {
                Some(rest) if is_setting(rest) => rest,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn is_setting(after_hash: &str) -> bool {
        let spaces = after_hash.len() - after_hash.trim_start_matches(' ').len();
        spaces.is_multiple_of(2) && !after_hash.trim().is_empty()
    }

    #[test]
    fn shipped_example_is_a_first_session_one_vm_one_agent_no_mount() {
        let config = crate::config::load_from_str(
            EXAMPLE,
            Path::new("/x/config.yaml"),
            crate::backend::minimums,
        )
        .unwrap_or_else(|e| panic!("example does not validate: {e}"));
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        assert_eq!(config.vms.len(), 1);
        let vm = &config.vms["agent-ubuntu"];
        assert_eq!((vm.cpu, vm.ram.as_str()), (UNSIZED_CPU, UNSIZED_RAM));
        assert!(
            vm.install.is_empty(),
            "no bundle makes the first `up` longer"
        );
        assert!(vm.port_forwarding.is_empty() && vm.allowed_agents.is_none());
        assert!(config.mounts.is_empty(), "no placeholder folder to delete");
        assert_eq!(config.agents.keys().collect::<Vec<_>>(), ["codex"]);
    }

    #[test]
    fn addmount_on_the_example_makes_the_first_and_only_mount() {
        let entry = crate::config::edit::NewMount {
            source: "/home/me/code/myproject".into(),
            vm: "agent-ubuntu".into(),
            target: "/home/ubuntu/myproject".into(),
            backup: "/home/me/code/backups-myproject".into(),
            interval: 5,
            max_backups: 100,
            backup_clean_method: crate::config::CleanMethod::Thin,
            allowed_agents: None,
        };
        let path = Path::new("/x/config.yaml");
        let added = crate::config::edit::append_mount(EXAMPLE, path, &entry).expect("append");
        let config =
            crate::config::load_from_str(&added, path, crate::backend::minimums).expect("valid");
        assert_eq!(config.mounts.len(), 1);
        assert_eq!(
            config.mounts[0].source,
            Path::new("/home/me/code/myproject")
        );
        let after_key = added.split_once("\nmounts:").expect("mounts key").1;
        let first_line = after_key.lines().nth(1).unwrap_or_default();
        assert_eq!(first_line, "  - source: /home/me/code/myproject", "{added}");
    }

    #[test]
    fn every_comment_line_of_the_example_is_a_note_or_a_setting() {
        for line in EXAMPLE.lines() {
            let Some(rest) = line.strip_prefix('#') else {
                assert!(
                    !line.trim_start().starts_with('#'),
                    "an indented comment line (write `#` in column 1): {line:?}"
                );
                continue;
            };
            let note = rest.is_empty() || (rest.starts_with(' ') && !rest[1..].starts_with(' '));
            assert!(
                note || is_setting(rest),
                "neither a note (`# text`) nor a setting (`#` + even indent): {line:?}"
            );
        }
    }

    #[test]
    fn example_with_every_setting_turned_on_is_valid_and_covers_every_section() {
        let full = uncommented(EXAMPLE);
        let config = crate::config::load_from_str(
            &full,
            Path::new("/x/config.yaml"),
            crate::backend::minimums,
        )
        .unwrap_or_else(|e| panic!("uncommented example does not validate: {e}\n{full}"));
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        assert_eq!(config.vms.len(), 1);
        assert_eq!(config.mounts.len(), 1);
        assert_eq!(config.mounts[0].interval, 5);
        assert!(config.agents.contains_key("gemini"));
        assert_eq!(config.agents.len(), 4);
        let vm = &config.vms["agent-ubuntu"];
        assert_eq!(vm.port_forwarding.len(), 3);
        assert_eq!(vm.install.len(), 3);
        assert!(matches!(
            config.agents["qwen"].http_proxy,
            Some(Some(crate::config::HttpProxy::Upstream { .. }))
        ));
        assert_eq!(
            config.global.daemon.backups,
            crate::config::DaemonBackups::Active
        );
        assert_eq!(config.global.tripwire.min_files, 50);
    }

    /// The keys and agent types agsekit 1.7.4 knows (docs/compatibility.md; the reference's
    /// section 2). 1.7.4 ignores other keys but refuses other agent types.
    const KEYS_1_7_4: &[&str] = &[
        "global",
        "vms",
        "mounts",
        "agents",
        "ssh_keys_folder",
        "systemd_env_folder",
        "state_file",
        "portforward_config_check_interval_sec",
        "check_new_version",
        "check_new_version_interval_sec",
        "http_proxy_port_pool",
        "start",
        "end",
        "cpu",
        "ram",
        "disk",
        "cloud-init",
        "port-forwarding",
        "proxychains",
        "http_proxy",
        "allowed_agents",
        "install",
        "type",
        "host-addr",
        "vm-addr",
        "source",
        "target",
        "backup",
        "vm",
        "interval",
        "max_backups",
        "backup_clean_method",
        "first_backup",
        "version",
        "env",
        "default-args",
        "vms",
        "upstream",
        "listen",
        "url",
    ];
    const TYPES_1_7_4: &[&str] = &[
        "aider",
        "qwen",
        "forgecode",
        "codex",
        "opencode",
        "codex-glibc",
        "codex-glibc-prebuilt",
        "claude",
        "cline",
    ];

    #[test]
    fn what_the_example_turns_on_is_known_to_agsekit_1_7_4() {
        use serde_yaml_ng::Value;
        let root: Value = serde_yaml_ng::from_str(EXAMPLE).expect("yaml");
        fn walk(v: &Value, path: &str, depth: usize) {
            let Value::Mapping(map) = v else { return };
            for (k, child) in map {
                let key = k.as_str().unwrap_or_default();
                // Below vms: and agents: the first level is a name of the user's choosing;
                // below env: and cloud-init: the keys are the user's too.
                let named = depth == 1 && (path == "vms" || path == "agents");
                let free = path.ends_with("env") || path.ends_with("cloud-init");
                if !named && !free {
                    assert!(
                        KEYS_1_7_4.contains(&key),
                        "{path}.{key} is unknown to 1.7.4"
                    );
                }
                if key == "type" && path.starts_with("agents") {
                    let t = child.as_str().unwrap_or_default();
                    assert!(
                        TYPES_1_7_4.contains(&t),
                        "{path}.type: {t} is refused by 1.7.4"
                    );
                }
                walk(
                    child,
                    format!("{path}.{key}").trim_start_matches('.'),
                    depth + 1,
                );
            }
        }
        walk(&root, "", 0);
        let turned_on = uncommented(EXAMPLE);
        assert!(
            turned_on.contains("  gemini: # agsekit 2: agsekit 1.7.4 refuses this type"),
            "the Rust-only agent type is marked"
        );
    }

    #[test]
    fn the_vm_is_sized_for_the_host_and_leaves_room_for_it() {
        let gib = GIB;
        assert_eq!(vm_size_for(2, 8 * gib), (1, "4G".to_string()));
        assert_eq!(vm_size_for(2, 7 * gib + gib / 2), (1, "3G".to_string()));
        assert_eq!(vm_size_for(1, 2 * gib), (1, "1G".to_string()));
        assert_eq!(vm_size_for(8, 32 * gib), (4, "8G".to_string()));
        assert_eq!(vm_size_for(64, 512 * gib), (4, "8G".to_string()));
        let text = example_with_size(1, "4G");
        let config = crate::config::load_from_str(
            &text,
            Path::new("/x/config.yaml"),
            crate::backend::minimums,
        )
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let vm = &config.vms["agent-ubuntu"];
        assert_eq!((vm.cpu, vm.ram.as_str()), (1, "4G"));
        assert_eq!(text.lines().count(), EXAMPLE.lines().count());
        assert!(text.contains("    cpu: 1 # virtual CPUs"), "comments kept");
        assert!(text.contains("    ram: 4G # memory"), "comments kept");
        assert_eq!(example_with_size(UNSIZED_CPU, UNSIZED_RAM), EXAMPLE);
    }

    #[test]
    fn example_mentions_every_key() {
        for key in [
            "ssh_keys_folder:",
            "systemd_env_folder:",
            "state_file:",
            "portforward_config_check_interval_sec:",
            "check_new_version:",
            "check_new_version_interval_sec:",
            "http_proxy_port_pool:",
            "start:",
            "end:",
            "cpu:",
            "ram:",
            "disk:",
            "allowed_agents:",
            "proxychains:",
            "http_proxy:",
            "cloud-init:",
            "port-forwarding:",
            "host-addr:",
            "vm-addr:",
            "install:",
            "source:",
            "target:",
            "backup:",
            "vm:",
            "interval:",
            "max_backups:",
            "backup_clean_method:",
            "first_backup:",
            "type:",
            "version:",
            "env:",
            "default-args:",
            "vms:",
            "upstream:",
            "listen:",
            "url:",
        ] {
            assert!(EXAMPLE.contains(key), "example lacks {key}");
        }
    }

    #[test]
    fn a_private_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("config.yaml");
        write_new_private(&path, b"x").expect("write");
        let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn write_new_creates_parents_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/config.yaml");
        assert_eq!(
            write_new(&path, b"one").unwrap(),
            Outcome::Written(path.clone())
        );
        assert_eq!(
            write_new(&path, b"two").unwrap(),
            Outcome::Exists(path.clone())
        );
        assert_eq!(fs::read(&path).unwrap(), b"one");
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("config.yaml")]);
    }
}
