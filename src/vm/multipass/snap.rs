//! Whether Multipass is the snap: the snap's confinement lets it mount only non-hidden
//! folders under `/home`, which agsekit reports as [`crate::vm::Capabilities::shares_any_path`]
//! being false.

use std::path::Path;

/// `AGSEKIT_MULTIPASS_SNAP=1|0` decides when set; otherwise the executable is a snap when it
/// lives under `/snap/` or resolves to the `snap` launcher (`/snap/bin/multipass`).
pub fn is_confined(program: Option<&Path>) -> bool {
    if let Some(value) = std::env::var_os("AGSEKIT_MULTIPASS_SNAP") {
        let value = value.to_string_lossy().trim().to_ascii_lowercase();
        if !value.is_empty() {
            return matches!(value.as_str(), "1" | "true" | "yes" | "on");
        }
    }
    program.is_some_and(is_snap_path)
}

/// Whether `path` is a snap's command (`/snap/bin/NAME`, a symlink to `/usr/bin/snap`).
pub(super) fn is_snap_path(path: &Path) -> bool {
    if path.starts_with("/snap/") {
        return true;
    }
    std::fs::canonicalize(path)
        .map(|real| real.starts_with("/snap/") || real.file_name().is_some_and(|n| n == "snap"))
        .unwrap_or(false)
}
