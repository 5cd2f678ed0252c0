//! `pip-upgrade`: 1.7.4 upgraded itself with pip, and agsekit 2 ships as a wheel too
//! (pyproject.toml, docs/install.md). When the running binary was installed from that wheel
//! into a Python environment (a venv, pipx's venv), the command runs that environment's
//! `python -m pip install -U agsekit`; otherwise (a `.deb`, `cargo install`, a copied
//! executable, uv's tool environments, which have no pip) it says how to upgrade this kind of
//! installation and changes nothing.

use std::path::{Path, PathBuf};

use crate::error::UserError;
use crate::process::{Cmd, RealRunner, Runner};
use crate::t;

/// How the running binary was installed, as far as its folder tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installation {
    /// From the wheel into a Python environment whose `bin` holds this binary and an
    /// interpreter, with agsekit's `*.dist-info` in the environment's site-packages.
    PythonEnv { env: PathBuf, python: PathBuf },
    /// A `uv tool install` environment: it has no pip, `uv tool upgrade agsekit` upgrades it.
    UvTool { env: PathBuf },
    /// Anything else: a `.deb`, `cargo install`, a copied executable.
    Other,
}

/// The installation `exe` (the running binary, symlinks resolved) belongs to.
pub fn installation_of(exe: &Path) -> Installation {
    let Some(bin) = exe.parent() else {
        return Installation::Other;
    };
    let Some(env) = bin.parent() else {
        return Installation::Other;
    };
    let Some(python) = ["python3", "python"]
        .iter()
        .map(|n| bin.join(n))
        .find(|p| p.is_file())
    else {
        return Installation::Other;
    };
    if !has_agsekit_dist_info(env) {
        return Installation::Other;
    }
    if env.join("uv-receipt.toml").is_file() {
        return Installation::UvTool {
            env: env.to_path_buf(),
        };
    }
    Installation::PythonEnv {
        env: env.to_path_buf(),
        python,
    }
}

/// Whether `env/lib*/python*/site-packages` holds an `agsekit-*.dist-info` folder (what pip
/// leaves for an installed wheel).
fn has_agsekit_dist_info(env: &Path) -> bool {
    let dirs_in = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|it| {
                it.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default()
    };
    let name_of = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    ["lib", "lib64"].iter().any(|lib| {
        dirs_in(&env.join(lib))
            .iter()
            .filter(|p| name_of(p).starts_with("python"))
            .any(|py| {
                dirs_in(&py.join("site-packages")).iter().any(|d| {
                    let n = name_of(d);
                    n.starts_with("agsekit-") && n.ends_with(".dist-info")
                })
            })
    })
}

/// The upgrade command for a Python environment: its own interpreter's pip, so the wheel lands
/// in the environment the running binary came from (not whatever `pip` is first on PATH).
pub fn pip_command(python: &Path) -> Cmd {
    Cmd::new(python).args(["-m", "pip", "install", "-U", "agsekit"])
}

pub fn run() -> anyhow::Result<i32> {
    let exe = std::env::current_exe().ok();
    let installation = exe
        .as_deref()
        .map(installation_of)
        .unwrap_or(Installation::Other);
    match installation {
        Installation::PythonEnv { env, python } => {
            let cmd = pip_command(&python);
            println!(
                "{}",
                t!("pkg.pip_upgrade.running", env = env.display(), cmd = cmd)
            );
            let code = RealRunner.inherit(&cmd).map_err(|e| {
                UserError::failed(e.to_string()).hint(t!("pkg.pip_upgrade.pip_hint"))
            })?;
            if code != 0 {
                eprintln!("{}", t!("pkg.pip_upgrade.failed", code = code, cmd = cmd));
                return Ok(code);
            }
            println!("{}", t!("pkg.pip_upgrade.done"));
            println!("{}", t!("pkg.pip_upgrade.restart"));
            Ok(0)
        }
        Installation::UvTool { env } => {
            println!("{}", t!("pkg.pip_upgrade.uv", env = env.display()));
            println!("  uv tool upgrade agsekit");
            println!("{}", t!("pkg.pip_upgrade.restart"));
            Ok(0)
        }
        Installation::Other => {
            println!(
                "{}",
                t!("pkg.pip_upgrade.not_wheel", version = crate::VERSION)
            );
            println!("  {}", t!("pkg.pip_upgrade.way_pipx"));
            println!("  {}", t!("pkg.pip_upgrade.way_deb"));
            println!("  {}", t!("pkg.pip_upgrade.way_cargo"));
            let place = match &exe {
                Some(exe) => exe.display().to_string(),
                None => t!("pkg.pip_upgrade.on_path"),
            };
            println!("  {}", t!("pkg.pip_upgrade.way_copy", path = place));
            println!("{}", t!("pkg.pip_upgrade.restart"));
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Python environment laid out as venv, pipx and pip make it: `bin/agsekit`,
    /// `bin/python3` and, when `dist_info`, agsekit's dist-info in site-packages.
    fn env(root: &Path, python: &str, dist_info: bool) -> PathBuf {
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(root.join("bin/agsekit"), b"binary").unwrap();
        if !python.is_empty() {
            std::fs::write(root.join("bin").join(python), b"interpreter").unwrap();
        }
        let site = root.join("lib/python3.11/site-packages");
        std::fs::create_dir_all(site.join("click")).unwrap();
        if dist_info {
            std::fs::create_dir_all(site.join("agsekit-2.0.0.dist-info")).unwrap();
        }
        root.join("bin/agsekit")
    }

    #[test]
    fn a_venv_with_an_interpreter_and_agsekit_s_dist_info_is_upgraded_by_its_own_pip() {
        let dir = tempfile::tempdir().unwrap();
        let exe = env(dir.path(), "python3", true);
        assert_eq!(
            installation_of(&exe),
            Installation::PythonEnv {
                env: dir.path().to_path_buf(),
                python: dir.path().join("bin/python3")
            }
        );
        let cmd = pip_command(&dir.path().join("bin/python3"));
        assert_eq!(
            cmd.get_program(),
            dir.path().join("bin/python3").as_os_str()
        );
        assert_eq!(
            cmd.argv_lossy()[1..],
            ["-m", "pip", "install", "-U", "agsekit"]
        );
    }

    #[test]
    fn an_environment_with_only_python_and_lib64_is_found_too() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::write(dir.path().join("bin/agsekit"), b"binary").unwrap();
        std::fs::write(dir.path().join("bin/python"), b"interpreter").unwrap();
        let info = dir
            .path()
            .join("lib64/python3.12/site-packages/agsekit-2.1.0.dist-info");
        std::fs::create_dir_all(info).unwrap();
        assert_eq!(
            installation_of(&dir.path().join("bin/agsekit")),
            Installation::PythonEnv {
                env: dir.path().to_path_buf(),
                python: dir.path().join("bin/python")
            }
        );
    }

    #[test]
    fn a_uv_tool_environment_is_not_given_to_pip() {
        let dir = tempfile::tempdir().unwrap();
        let exe = env(dir.path(), "python3", true);
        std::fs::write(dir.path().join("uv-receipt.toml"), b"[tool]\n").unwrap();
        assert_eq!(
            installation_of(&exe),
            Installation::UvTool {
                env: dir.path().to_path_buf()
            }
        );
    }

    #[test]
    fn a_bin_folder_without_an_interpreter_is_not_a_python_environment() {
        // `/usr/bin/agsekit` from the .deb, `~/.cargo/bin/agsekit`: python3 is elsewhere.
        let dir = tempfile::tempdir().unwrap();
        let exe = env(dir.path(), "", true);
        assert_eq!(installation_of(&exe), Installation::Other);
    }

    #[test]
    fn an_environment_without_agsekit_s_dist_info_is_not_ours_to_upgrade() {
        // A binary copied into some venv's bin: pip there does not manage it.
        let dir = tempfile::tempdir().unwrap();
        let exe = env(dir.path(), "python3", false);
        assert_eq!(installation_of(&exe), Installation::Other);
        // Another package's dist-info whose name only starts like ours does not count either.
        let site = dir.path().join("lib/python3.11/site-packages");
        std::fs::create_dir_all(site.join("agsekitx-1.0.dist-info")).unwrap();
        std::fs::create_dir_all(site.join("agsekit-2.0.0.egg-info")).unwrap();
        assert_eq!(installation_of(&exe), Installation::Other);
    }

    #[test]
    fn a_path_without_a_parent_folder_is_other() {
        assert_eq!(installation_of(Path::new("/")), Installation::Other);
        assert_eq!(installation_of(Path::new("agsekit")), Installation::Other);
    }
}
