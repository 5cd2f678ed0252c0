//! The service definitions that start `agsekit daemon run`: a systemd user unit (Linux) and a
//! launchd agent plist (macOS). Pure text rendering; [`super::service`] writes and loads them.

use std::path::Path;

/// The systemd unit's name.
pub const SYSTEMD_UNIT: &str = "agsekit-daemon.service";
/// The unit agsekit 1.7.4 installed (it ran only `portforward`); replaced on install.
pub const LEGACY_SYSTEMD_UNIT: &str = "agsekit-portforward.service";
/// The launchd label.
pub const LAUNCHD_LABEL: &str = "org.agsekit.daemon";
/// The label agsekit 1.7.4 used.
pub const LEGACY_LAUNCHD_LABEL: &str = "org.agsekit.portforward";

/// One word of an `ExecStart=` line: quoted when needed; `%` and `$` escaped so systemd
/// takes them literally.
fn systemd_word(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    if escaped.is_empty()
        || escaped.chars().any(|c| c.is_whitespace() || c == ';')
        || escaped != word
    {
        format!("\"{escaped}\"")
    } else {
        escaped
    }
}

/// The systemd user unit that runs `AGSEKIT daemon run --config CONFIG`.
pub fn systemd_unit(agsekit: &Path, config: &Path) -> String {
    let exec = [
        agsekit.to_string_lossy().into_owned(),
        "daemon".into(),
        "run".into(),
        "--config".into(),
        config.to_string_lossy().into_owned(),
    ]
    .iter()
    .map(|w| systemd_word(w))
    .collect::<Vec<_>>()
    .join(" ");
    format!(
        "# Written by `agsekit daemon install`; `agsekit daemon uninstall` removes it.\n\
         [Unit]\n\
         Description=agsekit daemon: port forwards, backups, idle VMs\n\
         After=network-online.target\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={exec}\n\
         Restart=on-failure\n\
         RestartSec=2\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n"
    )
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The launchd agent plist that runs `AGSEKIT daemon run --config CONFIG`, logging into
/// `logs/daemon.stdout.log` and `logs/daemon.stderr.log`.
pub fn launchd_plist(agsekit: &Path, config: &Path, logs: &Path) -> String {
    let args: String = [
        agsekit.to_string_lossy().into_owned(),
        "daemon".into(),
        "run".into(),
        "--config".into(),
        config.to_string_lossy().into_owned(),
    ]
    .iter()
    .map(|a| format!("    <string>{}</string>\n", xml(a)))
    .collect();
    let out = xml(&logs.join("daemon.stdout.log").to_string_lossy());
    let err = xml(&logs.join("daemon.stderr.log").to_string_lossy());
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \x20 <key>Label</key>\n\
         \x20 <string>{LAUNCHD_LABEL}</string>\n\
         \x20 <key>ProgramArguments</key>\n\
         \x20 <array>\n\
         {args}\
         \x20 </array>\n\
         \x20 <key>RunAtLoad</key>\n\
         \x20 <true/>\n\
         \x20 <key>KeepAlive</key>\n\
         \x20 <dict>\n\
         \x20   <key>SuccessfulExit</key>\n\
         \x20   <false/>\n\
         \x20 </dict>\n\
         \x20 <key>StandardOutPath</key>\n\
         \x20 <string>{out}</string>\n\
         \x20 <key>StandardErrorPath</key>\n\
         \x20 <string>{err}</string>\n\
         </dict>\n\
         </plist>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systemd_unit_quotes_paths_with_spaces_and_escapes_specifiers() {
        let unit = systemd_unit(
            Path::new("/opt/my tools/agsekit"),
            Path::new("/home/u/100%/config.yaml"),
        );
        assert!(unit.contains(
            "ExecStart=\"/opt/my tools/agsekit\" daemon run --config \"/home/u/100%%/config.yaml\"\n"
        ));
        assert!(unit.contains("[Install]\nWantedBy=default.target\n"));
        assert!(unit.contains("Restart=on-failure\n"));
        let plain = systemd_unit(Path::new("/usr/bin/agsekit"), Path::new("/c.yaml"));
        assert!(plain.contains("ExecStart=/usr/bin/agsekit daemon run --config /c.yaml\n"));
    }

    #[test]
    fn launchd_plist_lists_arguments_and_escapes_xml() {
        let plist = launchd_plist(
            Path::new("/Users/a&b/bin/agsekit"),
            Path::new("/Users/a&b/.config/agsekit/config.yaml"),
            Path::new("/Users/a&b/Library/Logs/agsekit"),
        );
        assert!(plist.contains("<string>org.agsekit.daemon</string>"));
        assert!(plist.contains(
            "    <string>/Users/a&amp;b/bin/agsekit</string>\n    <string>daemon</string>\n    <string>run</string>\n    <string>--config</string>\n"
        ));
        assert!(plist.contains("<key>RunAtLoad</key>\n  <true/>"));
        assert!(plist.contains("/Users/a&amp;b/Library/Logs/agsekit/daemon.stderr.log"));
        assert!(!plist.contains("a&b"));
    }
}
