//! Where each QEMU VM lives on the host and what is recorded about it.
//!
//! Every VM is one folder `<data dir>/agsekit/qemu/vms/<name>/` (the data dir is
//! `AGSEKIT_QEMU_HOME` when set, else the XDG data dir) holding:
//! `settings.json` (this module's [`Settings`]), `disk.qcow2` (an overlay on the base image),
//! `seed.img` (the NoCloud `cidata` volume), `qemu.pid`, `qmp.sock`, `serial.log`,
//! `known_hosts`, the SSH control socket `ssh.sock`, one `virtiofsd` socket, pidfile and log
//! per mount, and `lock` (held with `flock` by the agsekit process changing the VM, holding
//! its pid). Deleting the folder deletes the VM: nothing else is kept elsewhere except
//! downloaded base images in the cache folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The longest path a Unix socket can have on Linux (108 bytes with the final NUL).
const SOCKET_PATH_MAX: usize = 100;

/// The folders the backend keeps its files in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// Holds one folder per VM.
    pub vms: PathBuf,
    /// Downloaded base images.
    pub images: PathBuf,
}

impl Home {
    /// `AGSEKIT_QEMU_HOME` (VMs in `vms/`, images in `images/`), else the XDG data dir for VMs
    /// and the XDG cache dir for images.
    pub fn from_env() -> Home {
        if let Some(root) = std::env::var_os("AGSEKIT_QEMU_HOME").filter(|v| !v.is_empty()) {
            return Home::under(Path::new(&root));
        }
        match directories::BaseDirs::new() {
            Some(dirs) => Home {
                vms: dirs.data_dir().join("agsekit").join("qemu").join("vms"),
                images: dirs.cache_dir().join("agsekit").join("qemu").join("images"),
            },
            None => Home::under(&std::env::temp_dir().join("agsekit-qemu")),
        }
    }

    /// Everything under one folder (tests, `AGSEKIT_QEMU_HOME`).
    pub fn under(root: &Path) -> Home {
        Home {
            vms: root.join("vms"),
            images: root.join("images"),
        }
    }

    /// Why KVM did not work on this host, recorded by the first VM that found out (beside
    /// the VM folders), so the next VM goes straight to TCG instead of probing again.
    pub fn kvm_note_path(&self) -> PathBuf {
        self.vms.with_file_name("kvm-unusable")
    }

    pub fn kvm_note(&self) -> Option<String> {
        std::fs::read_to_string(self.kvm_note_path())
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// Records (or, with `None`, forgets) that KVM does not work here. Best effort: without
    /// the note the next VM only probes again.
    pub fn set_kvm_note(&self, note: Option<&str>) {
        match note {
            Some(text) => {
                let _ = std::fs::create_dir_all(&self.vms);
                let _ = crate::statefile::replace(
                    &self.kvm_note_path(),
                    format!("{text}\n").as_bytes(),
                );
            }
            None => {
                let _ = std::fs::remove_file(self.kvm_note_path());
            }
        }
    }

    pub fn vm(&self, name: &str) -> VmDir {
        VmDir {
            dir: self.vms.join(name),
        }
    }

    /// Names of every VM folder that has settings, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.vms)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join(SETTINGS).is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    }
}

const SETTINGS: &str = "settings.json";

/// The files of one VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmDir {
    pub dir: PathBuf,
}

impl VmDir {
    pub fn settings(&self) -> PathBuf {
        self.dir.join(SETTINGS)
    }
    pub fn disk(&self) -> PathBuf {
        self.dir.join("disk.qcow2")
    }
    pub fn seed(&self) -> PathBuf {
        self.dir.join("seed.img")
    }
    pub fn pidfile(&self) -> PathBuf {
        self.dir.join("qemu.pid")
    }
    pub fn serial_log(&self) -> PathBuf {
        self.dir.join("serial.log")
    }
    pub fn known_hosts(&self) -> PathBuf {
        self.dir.join("known_hosts")
    }
    pub fn qmp(&self) -> PathBuf {
        socket_path(&self.dir, "qmp.sock")
    }
    pub fn ssh_control(&self) -> PathBuf {
        socket_path(&self.dir, "ssh.sock")
    }
    pub fn virtiofsd_socket(&self, tag: &str) -> PathBuf {
        socket_path(&self.dir, &format!("{tag}.sock"))
    }
    pub fn virtiofsd_pidfile(&self, tag: &str) -> PathBuf {
        self.dir.join(format!("{tag}.pid"))
    }
    pub fn virtiofsd_log(&self, tag: &str) -> PathBuf {
        self.dir.join(format!("{tag}.log"))
    }
    /// passt's socket, alone in a folder of its own: passt started by root runs as
    /// `nobody`, and that folder is the only one it may write.
    pub fn passt_socket(&self) -> PathBuf {
        socket_path(&self.dir.join("net"), "passt.sock")
    }
    pub fn passt_pidfile(&self) -> PathBuf {
        self.dir.join("passt.pid")
    }
    pub fn passt_log(&self) -> PathBuf {
        self.dir.join("passt.log")
    }
    /// Held by the agsekit process that starts, stops, suspends, deletes or mounts the VM.
    pub fn lock(&self) -> PathBuf {
        self.dir.join("lock")
    }

    pub fn exists(&self) -> bool {
        self.settings().is_file()
    }

    pub fn load(&self) -> std::io::Result<Settings> {
        let text = std::fs::read(self.settings())?;
        serde_json::from_slice(&text)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }

    /// Writes the settings atomically and durably ([`crate::statefile::replace`]): a reader
    /// never sees half a file, and a crash right after leaves the old or the new settings.
    pub fn save(&self, settings: &Settings) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(settings)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        crate::statefile::replace(&self.settings(), &text)
    }

    /// The pid in `qemu.pid` when that process is alive.
    pub fn running_pid(&self) -> Option<i32> {
        live_pid(&self.pidfile())
    }
}

/// The pid written in `pidfile` when that process still runs.
pub fn live_pid(pidfile: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(pidfile).ok()?;
    let pid: i32 = text.trim().parse().ok()?;
    if pid <= 0 {
        return None;
    }
    alive(pid).then_some(pid)
}

/// True while the process runs. A child of this process that exited (a `virtiofsd` started
/// by a long-lived agsekit) is reaped first, so it does not linger as a zombie that still
/// answers signals.
pub fn alive(pid: i32) -> bool {
    let pid = nix::unistd::Pid::from_raw(pid);
    let _ = nix::sys::wait::waitpid(pid, Some(nix::sys::wait::WaitPidFlag::WNOHANG));
    matches!(
        nix::sys::signal::kill(pid, None),
        Ok(()) | Err(nix::errno::Errno::EPERM)
    )
}

/// `dir/name`, or, when that is too long for a Unix socket, a path of the same name in a
/// short per-user folder under the temporary folder, keyed by a hash of `dir`.
pub fn socket_path(dir: &Path, name: &str) -> PathBuf {
    let full = dir.join(name);
    if full.as_os_str().len() <= SOCKET_PATH_MAX {
        return full;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(dir.as_os_str().as_encoded_bytes());
    let key: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let uid = nix::unistd::getuid().as_raw();
    std::env::temp_dir()
        .join(format!("agsekit-qemu-{uid}"))
        .join(key)
        .join(name)
}

/// What the VM boots from, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boot {
    /// The base image the overlay is backed by.
    pub base: PathBuf,
    /// Its format as `qemu-img info` reported it (`qcow2`, `raw`).
    pub base_format: String,
    /// The image as the config named it (a URL, a path, or empty for the default).
    pub image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initrd: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmdline: Option<String>,
}

/// One shared folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    /// The virtiofs tag (`agsekit0`, `agsekit1`...), also the name of its socket.
    pub tag: String,
    pub source: PathBuf,
    pub target: String,
}

/// `settings.json`: what the VM was created with and what it uses now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub cpus: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Disk size in bytes (the overlay's virtual size).
    pub disk_bytes: u64,
    pub boot: Boot,
    /// The localhost port forwarded to the guest's SSH port.
    pub ssh_port: u16,
    /// The guest user's uid and gid (the host user's, or 1000 for root).
    pub guest_uid: u32,
    pub guest_gid: u32,
    #[serde(default)]
    pub mounts: Vec<Mount>,
    /// `kvm` or `tcg`: what the last start used.
    #[serde(default)]
    pub accel: String,
    /// Why KVM was not used, when it was tried and failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accel_note: Option<String>,
}

impl Settings {
    /// A virtiofs tag no mount of this VM uses yet.
    pub fn free_tag(&self) -> String {
        (0..)
            .map(|i| format!("agsekit{i}"))
            .find(|tag| self.mounts.iter().all(|m| &m.tag != tag))
            .unwrap_or_default()
    }
}

/// Parses a size as the config writes it (`4G`, `512M`, `20GiB`, `1024`): a number with an
/// optional K/M/G/T suffix (powers of 1024, `B`/`iB` optional). Plain numbers are bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits_end);
    let number: f64 = number.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit
        .strip_suffix("ib")
        .or_else(|| unit.strip_suffix('b'))
        .unwrap_or(&unit);
    let factor: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return None,
    };
    let bytes = number * factor as f64;
    (bytes.is_finite() && bytes >= 1.0).then_some(bytes as u64)
}

/// True for a VM name that is safe as a folder name, a hostname and a QEMU `-name`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_like_the_config_writes_them() {
        assert_eq!(parse_size("4G"), Some(4 << 30));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("20GiB"), Some(20 << 30));
        assert_eq!(parse_size("1.5G"), Some(3 << 29));
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("4 gb"), Some(4 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("4X"), None);
        assert_eq!(parse_size("0"), None);
    }

    #[test]
    fn names_are_hostnames() {
        assert!(valid_name("agent-1"));
        assert!(!valid_name("../x"));
        assert!(!valid_name("a b"));
        assert!(!valid_name("-a"));
        assert!(!valid_name(""));
    }

    #[test]
    fn settings_round_trip_and_list_by_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::under(tmp.path());
        let vm = home.vm("one");
        std::fs::create_dir_all(&vm.dir).unwrap();
        let settings = Settings {
            name: "one".into(),
            cpus: 2,
            memory_mib: 2048,
            disk_bytes: 10 << 30,
            boot: Boot {
                base: "/img/base.raw".into(),
                base_format: "raw".into(),
                image: "/img/base.raw".into(),
                kernel: Some("/img/vmlinuz".into()),
                initrd: None,
                cmdline: Some("root=/dev/vda".into()),
            },
            ssh_port: 40022,
            guest_uid: 1000,
            guest_gid: 1000,
            mounts: vec![Mount {
                tag: "agsekit0".into(),
                source: "/p/a b".into(),
                target: "/home/ubuntu/a b".into(),
            }],
            accel: "tcg".into(),
            accel_note: None,
        };
        vm.save(&settings).unwrap();
        assert_eq!(vm.load().unwrap(), settings);
        std::fs::create_dir_all(home.vms.join("no-settings")).unwrap();
        assert_eq!(home.names(), vec!["one".to_string()]);
        assert_eq!(settings.free_tag(), "agsekit1");
    }

    #[test]
    fn long_socket_paths_move_to_a_short_folder() {
        let short = socket_path(Path::new("/a/b"), "qmp.sock");
        assert_eq!(short, Path::new("/a/b/qmp.sock"));
        let deep = PathBuf::from("/x".repeat(60));
        let moved = socket_path(&deep, "qmp.sock");
        assert!(moved.as_os_str().len() <= SOCKET_PATH_MAX + 40, "{moved:?}");
        assert!(moved.ends_with("qmp.sock"));
        assert_eq!(moved, socket_path(&deep, "qmp.sock"));
    }
}
