//! Helpers shared by the integration tests: a temp HOME, the built binaries.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A sandbox for one test: a temporary HOME with nothing in it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// `agsekit` with HOME pointing into the sandbox and no inherited config or debug.
    pub fn agsekit(&self) -> Command {
        let mut cmd = Command::cargo_bin("agsekit").expect("agsekit binary");
        cmd.env("HOME", self.home())
            .env_remove("CONFIG_PATH")
            .env_remove("AGSEKIT_DEBUG")
            .env_remove("AGSEKIT_LANG")
            .env("NO_COLOR", "1");
        cmd
    }
}

/// The fake multipass binary, built by `cargo test --workspace` next to `agsekit`.
pub fn fake_multipass_bin() -> PathBuf {
    let agsekit = assert_cmd::cargo::cargo_bin("agsekit");
    agsekit.parent().expect("target dir").join("fake-multipass")
}
