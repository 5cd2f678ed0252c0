//! The NoCloud seed: `meta-data` and `user-data` on a `cidata` FAT volume.
//!
//! agsekit's own cloud-config creates the guest user [`GUEST_USER`] with the given uid and gid,
//! passwordless sudo and agsekit's public key, and makes the hostname resolvable. When the
//! caller brings its own cloud-config, both travel as one MIME multipart `user-data` with two
//! `text/cloud-config` parts; the second (agsekit's) carries a `merge_how` that appends lists
//! and merges dictionaries, so the caller's `users:`, `packages:` or `runcmd:` are kept next to
//! agsekit's. Neither YAML is parsed here.

use super::fat;
use crate::vm::GUEST_USER;

/// The boundary between the parts of a multipart `user-data`. Chosen so no YAML contains it
/// by accident; [`user_data`] checks anyway.
const BOUNDARY: &str = "==agsekit-cloud-config-part==";

/// What the seed says about the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSpec<'a> {
    pub hostname: &'a str,
    pub uid: u32,
    pub gid: u32,
    /// The public key line (`ssh-rsa AAAA... comment`).
    pub public_key: &'a str,
    /// The caller's own cloud-config, kept as written.
    pub extra: Option<&'a str>,
}

/// A YAML double-quoted scalar of `text`.
fn yaml_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn meta_data(hostname: &str) -> String {
    format!("instance-id: agsekit-{hostname}\nlocal-hostname: {hostname}\n")
}

/// agsekit's own cloud-config. The group is created in `bootcmd` (before the users module)
/// with the host's gid, since cloud-init's user entries cannot set a gid.
pub fn own_cloud_config(spec: &SeedSpec<'_>) -> String {
    let user = GUEST_USER;
    let gid = spec.gid;
    let uid = spec.uid;
    format!(
        "#cloud-config\n\
hostname: {host}\n\
manage_etc_hosts: true\n\
bootcmd:\n\
\x20 - [sh, -c, 'getent group {user} >/dev/null || groupadd -o -g {gid} {user}']\n\
users:\n\
\x20 - name: {user}\n\
\x20   uid: {uid}\n\
\x20   primary_group: {user}\n\
\x20   shell: /bin/bash\n\
\x20   lock_passwd: true\n\
\x20   sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n\
\x20   ssh_authorized_keys:\n\
\x20     - {key}\n\
ssh_pwauth: false\n",
        host = spec.hostname,
        key = yaml_quoted(spec.public_key.trim()),
    )
}

/// The `user-data` file: agsekit's cloud-config alone, or a multipart of the caller's and
/// agsekit's. `None` when the caller's text contains the boundary line (never in practice).
pub fn user_data(spec: &SeedSpec<'_>) -> Option<String> {
    let own = own_cloud_config(spec);
    let Some(extra) = spec.extra.filter(|e| !e.trim().is_empty()) else {
        return Some(own);
    };
    if extra.contains(BOUNDARY) {
        return None;
    }
    let merge = "merge_how:\n\
\x20 - name: list\n\
\x20   settings: [append]\n\
\x20 - name: dict\n\
\x20   settings: [no_replace, recurse_list]\n";
    let mut out = String::new();
    out.push_str("Content-Type: multipart/mixed; boundary=\"");
    out.push_str(BOUNDARY);
    out.push_str("\"\nMIME-Version: 1.0\n\n");
    for (name, body) in [
        ("user.cfg", extra.to_string()),
        ("agsekit.cfg", format!("{own}{merge}")),
    ] {
        out.push_str("--");
        out.push_str(BOUNDARY);
        out.push_str("\nContent-Type: text/cloud-config; charset=\"utf-8\"\n");
        out.push_str("MIME-Version: 1.0\nContent-Transfer-Encoding: 8bit\n");
        out.push_str(&format!(
            "Content-Disposition: attachment; filename=\"{name}\"\n\n"
        ));
        out.push_str(&body);
        if !body.ends_with('\n') {
            out.push('\n');
        }
    }
    out.push_str("--");
    out.push_str(BOUNDARY);
    out.push_str("--\n");
    Some(out)
}

/// The seed volume's bytes.
pub fn image(spec: &SeedSpec<'_>) -> Option<Vec<u8>> {
    let user = user_data(spec)?;
    let meta = meta_data(spec.hostname);
    fat::build(
        "cidata",
        &[
            ("meta-data", meta.as_bytes()),
            ("user-data", user.as_bytes()),
        ],
    )
    .ok()
}

/// The guest's uid and gid for the host's: the same, except that root (0) becomes 1000
/// because the guest user cannot be root.
pub fn guest_ids(host_uid: u32, host_gid: u32) -> (u32, u32) {
    let uid = if host_uid == 0 { 1000 } else { host_uid };
    let gid = if host_uid == 0 || host_gid == 0 {
        1000
    } else {
        host_gid
    };
    (uid, gid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: Option<&str>) -> SeedSpec<'_> {
        SeedSpec {
            hostname: "agent",
            uid: 1234,
            gid: 567,
            public_key: "ssh-rsa AAAAB3Nza agsekit\n",
            extra,
        }
    }

    #[test]
    fn own_config_creates_the_user_with_the_host_ids_and_key() {
        let text = user_data(&spec(None)).unwrap();
        assert!(text.starts_with("#cloud-config\n"));
        assert!(text.contains("  - name: ubuntu\n    uid: 1234\n"));
        assert!(text.contains("groupadd -o -g 567 ubuntu"));
        assert!(text.contains("      - \"ssh-rsa AAAAB3Nza agsekit\"\n"));
        assert!(text.contains("sudo: \"ALL=(ALL) NOPASSWD:ALL\""));
        assert!(text.contains("hostname: agent\nmanage_etc_hosts: true\n"));
        // Not the distribution's default user.
        assert!(!text.contains("- default"));
    }

    #[test]
    fn the_callers_config_is_kept_whole_in_its_own_part() {
        let mine = "#cloud-config\npackages: [git]\nruncmd:\n  - echo 'hi'\n";
        let text = user_data(&spec(Some(mine))).unwrap();
        assert!(text.starts_with("Content-Type: multipart/mixed; boundary="));
        let parts: Vec<&str> = text.split("--==agsekit-cloud-config-part==").collect();
        // preamble, two parts, and the closing "--".
        assert_eq!(parts.len(), 4, "{text}");
        assert!(parts[1].contains("Content-Type: text/cloud-config"));
        assert!(parts[1].ends_with(&format!("\n\n{mine}")));
        assert!(parts[2].contains("uid: 1234"));
        assert!(parts[2].contains("settings: [append]"));
        assert_eq!(parts[3], "--\n");
    }

    #[test]
    fn the_seed_volume_holds_both_files() {
        let img = image(&spec(None)).unwrap();
        let (label, files) = fat::read(&img);
        assert_eq!(label, "CIDATA");
        assert_eq!(files[0].0, "meta-data");
        assert_eq!(
            String::from_utf8(files[0].1.clone()).unwrap(),
            "instance-id: agsekit-agent\nlocal-hostname: agent\n"
        );
        assert_eq!(files[1].0, "user-data");
        assert_eq!(files[1].1, user_data(&spec(None)).unwrap().into_bytes());
    }

    #[test]
    fn root_on_the_host_becomes_1000_in_the_guest() {
        assert_eq!(guest_ids(0, 0), (1000, 1000));
        assert_eq!(guest_ids(1001, 100), (1001, 100));
        assert_eq!(guest_ids(1001, 0), (1001, 1000));
    }

    #[test]
    fn quoted_keys_cannot_break_the_yaml() {
        assert_eq!(yaml_quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\\x0a\"");
    }
}
