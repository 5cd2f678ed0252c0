//! Base images: a local disk used as it is, or a URL downloaded once into the cache folder
//! (with `curl` and its progress bar) and checked against the `SHA256SUMS` file published
//! next to it when there is one. No image given means the Ubuntu LTS cloud image.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::process::{Cmd, Runner};
use crate::vm::VmError;

/// The default image: Ubuntu's current LTS cloud image for this host's architecture.
pub fn default_url() -> String {
    let arch = match std::env::consts::ARCH {
        "aarch64" => "arm64",
        _ => "amd64",
    };
    format!(
        "https://cloud-images.ubuntu.com/releases/24.04/release/ubuntu-24.04-server-cloudimg-{arch}.img"
    )
}

pub fn is_url(text: &str) -> bool {
    text.starts_with("https://") || text.starts_with("http://")
}

/// The file name a URL ends with (`image.img` when it ends with a slash).
fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or("");
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if clean.is_empty() || clean.starts_with('.') {
        "image.img".to_string()
    } else {
        clean
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a URL's image is cached: `<images>/<hash of the URL>/<file name>`.
pub fn cache_path(images: &Path, url: &str) -> PathBuf {
    let key = hex(&Sha256::digest(url.as_bytes())[..8]);
    images.join(key).join(url_file_name(url))
}

/// The SHA-256 of a file, in hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The sum a `SHA256SUMS` text gives for `name` (`HASH *name` or `HASH  name`).
pub fn sum_for(sums: &str, name: &str) -> Option<String> {
    sums.lines().find_map(|line| {
        let (hash, file) = line.trim().split_once(char::is_whitespace)?;
        let file = file.trim_start().trim_start_matches('*');
        (file == name && hash.len() == 64).then(|| hash.to_ascii_lowercase())
    })
}

/// The cached copy of `url`, downloaded first when missing.
pub fn fetch(runner: &dyn Runner, images: &Path, url: &str) -> Result<PathBuf, VmError> {
    let target = cache_path(images, url);
    if target.is_file() {
        return Ok(target);
    }
    let folder = target.parent().unwrap_or(images);
    std::fs::create_dir_all(folder).map_err(|e| VmError::Spawn {
        command: folder.display().to_string(),
        detail: e.to_string(),
    })?;
    let part = target.with_extension("part");
    let cmd = Cmd::new("curl")
        .args(["-fL", "--progress-bar", "-o"])
        .arg(&part)
        .arg(url);
    let code = runner.inherit(&cmd).map_err(|e| VmError::Spawn {
        command: e.line.clone(),
        detail: e.to_string(),
    })?;
    if code != 0 {
        let _ = std::fs::remove_file(&part);
        return Err(VmError::ImageRemoteUnreachable {
            detail: crate::t!("qemu.download_failed", url = url, code = code),
        });
    }
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    let sums_url = format!("{base}/SHA256SUMS");
    let sums = runner
        .capture(&Cmd::new("curl").args(["-fsSL", &sums_url]))
        .ok()
        .filter(|o| o.success())
        .map(|o| o.stdout_text());
    if let Some(expected) = sums.and_then(|s| sum_for(&s, &url_file_name(url))) {
        let actual = sha256_file(&part).unwrap_or_default();
        if actual != expected {
            let _ = std::fs::remove_file(&part);
            return Err(VmError::InvalidLaunch {
                detail: crate::t!(
                    "qemu.checksum_mismatch",
                    url = url,
                    expected = expected,
                    actual = actual
                ),
            });
        }
    }
    std::fs::rename(&part, &target).map_err(|e| VmError::Spawn {
        command: target.display().to_string(),
        detail: e.to_string(),
    })?;
    Ok(target)
}

/// What `qemu-img info` says about a disk: its format and virtual size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskInfo {
    pub format: String,
    pub virtual_size: u64,
    pub actual_size: Option<u64>,
}

pub fn parse_info(json: &str) -> Option<DiskInfo> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    Some(DiskInfo {
        format: v.get("format")?.as_str()?.to_string(),
        virtual_size: v.get("virtual-size")?.as_u64()?,
        actual_size: v.get("actual-size").and_then(serde_json::Value::as_u64),
    })
}

/// `qemu-img info -U --output=json PATH` (`-U`: also while QEMU holds the disk).
pub fn info(runner: &dyn Runner, path: &Path) -> Result<DiskInfo, VmError> {
    let cmd = Cmd::new("qemu-img")
        .args(["info", "-U", "--output=json"])
        .arg(path);
    let out = runner.capture(&cmd).map_err(|e| VmError::Spawn {
        command: e.line.clone(),
        detail: e.to_string(),
    })?;
    if !out.success() {
        return Err(VmError::Failed {
            command: cmd.to_string(),
            code: out.code,
            stderr: out.stderr_text(),
        });
    }
    parse_info(&out.stdout_text()).ok_or_else(|| VmError::BadOutput {
        command: cmd.to_string(),
        detail: out.stdout_text(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{FakeRunner, Output};

    #[test]
    fn sums_are_found_by_file_name() {
        let sums = format!(
            "{a} *other.img\n{b} *noble.img\n{c}  plain.img\n",
            a = "1".repeat(64),
            b = "AB".repeat(32),
            c = "2".repeat(64)
        );
        assert_eq!(sum_for(&sums, "noble.img"), Some("ab".repeat(32)));
        assert_eq!(sum_for(&sums, "plain.img"), Some("2".repeat(64)));
        assert_eq!(sum_for(&sums, "missing.img"), None);
    }

    #[test]
    fn cached_images_are_keyed_by_url() {
        let a = cache_path(Path::new("/c"), "https://h/x/disk.img?sig=1");
        let b = cache_path(Path::new("/c"), "https://other/x/disk.img");
        assert!(a.ends_with("disk.img"));
        assert_ne!(a, b);
        assert!(cache_path(Path::new("/c"), "https://h/").ends_with("image.img"));
    }

    #[test]
    fn a_download_is_checked_against_the_published_sums() {
        let dir = tempfile::tempdir().unwrap();
        let url = "https://example.invalid/rel/disk.img";
        let part = cache_path(dir.path(), url).with_extension("part");
        let content = b"disk bytes".to_vec();
        let good = hex(&Sha256::digest(&content));
        for (sum, ok) in [(good.clone(), true), ("0".repeat(64), false)] {
            let part_path = part.clone();
            let bytes = content.clone();
            let fake = FakeRunner::new(move |cmd| {
                let argv = cmd.argv_lossy();
                if argv.contains(&"--progress-bar".to_string()) {
                    std::fs::create_dir_all(part_path.parent().unwrap()).unwrap();
                    std::fs::write(&part_path, &bytes).unwrap();
                    Ok(Output::ok(""))
                } else {
                    assert_eq!(
                        argv.last().unwrap(),
                        "https://example.invalid/rel/SHA256SUMS"
                    );
                    Ok(Output::ok(format!("{sum} *disk.img\n")))
                }
            });
            let got = fetch(&fake, dir.path(), url);
            if ok {
                let path = got.unwrap();
                assert_eq!(std::fs::read(&path).unwrap(), content);
                // Cached: a second fetch runs nothing.
                let idle = FakeRunner::always_ok();
                assert_eq!(fetch(&idle, dir.path(), url).unwrap(), path);
                assert!(idle.calls().is_empty());
                std::fs::remove_file(&path).unwrap();
            } else {
                assert!(matches!(got, Err(VmError::InvalidLaunch { .. })), "{got:?}");
                assert!(!part.exists());
                assert!(!cache_path(dir.path(), url).exists());
            }
        }
    }

    #[test]
    fn qemu_img_info_json_parses() {
        let info = parse_info(
            r#"{"virtual-size": 2147483648, "filename": "d.qcow2", "format": "qcow2", "actual-size": 200704}"#,
        )
        .unwrap();
        assert_eq!(info.format, "qcow2");
        assert_eq!(info.virtual_size, 2 << 30);
        assert_eq!(info.actual_size, Some(200704));
    }
}
