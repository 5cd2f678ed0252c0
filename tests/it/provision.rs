//! The provisioning scripts of `agent_scripts/` (base, bundles, agent installers) and
//! `list-bundles`. Scripts run here in bubblewrap with the host file system read-only, a temp
//! HOME, uid 1000 and stub commands first on PATH (apt-get, sudo, curl, npm, git,
//! proxychains4, dpkg-query... each logs its argv to a file). No VM, no Multipass and no
//! network are involved; nothing is downloaded.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use assert_cmd::Command as BinCommand;

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("agent_scripts")
}

fn script(rel: &str) -> PathBuf {
    scripts_dir().join(rel)
}

/// A provisioning script as the host sends it (shared helpers in place of the marker), as a
/// readable file for a child's stdin.
fn composed(rel: &str) -> std::fs::File {
    let text = agsekit::provision::compose(&std::fs::read_to_string(script(rel)).unwrap());
    let mut file = tempfile::tempfile().unwrap();
    use std::io::{Seek, Write};
    file.write_all(text.as_bytes()).unwrap();
    file.rewind().unwrap();
    file
}

/// Every file under agent_scripts/, recursively.
fn all_script_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&scripts_dir(), &mut out);
    out.sort();
    out
}

/// The provisioning scripts (everything but the launcher and the shared helper source).
fn provisioning_scripts() -> Vec<String> {
    let mut out = vec!["base.sh".to_string()];
    for dir in ["bundles", "agents"] {
        let mut names: Vec<String> = std::fs::read_dir(script(dir))
            .unwrap()
            .map(|e| format!("{dir}/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        names.sort();
        out.extend(names);
    }
    out
}

const STUB: &str = r#"#!/bin/bash
# A stub command: logs its argv (one line, shell-quoted), then acts per its name. Like a
# careless real program, most stubs read their stdin to the end.
me=$(basename "$0")
{ printf '%s' "$me"; printf ' %q' "$@"; printf '\n'; } >>"$FAKE/log"
case "$me" in
    sudo | proxychains4 | tee) ;;
    *) cat >/dev/null ;;
esac
case "$me" in
    dpkg-query)
        pkg=${!#}
        if grep -qxF "$pkg" "$FAKE/dpkg-installed" 2>/dev/null; then
            printf 'install ok installed'
            exit 0
        fi
        exit 1
        ;;
    sudo)
        [ -z "${FAKE_NO_SUDO:-}" ] || exit 1
        while [ "${1:-}" = -n ]; do shift; done
        if [ "$1" = env ]; then
            shift
            while [[ ${1:-} == *=* ]]; do shift; done
        fi
        # Stubs run; `install` runs for real only into /usr/local/bin (a tmpfs in the
        # sandbox); `mktemp` hands out a file in the fake VM; anything else is only logged.
        if [ -x "$FAKE/stubs/$1" ]; then exec "$@"; fi
        case "$1" in
            install) [[ ${!#} == /usr/local/bin/* ]] && exec "$@" ;;
            mktemp) echo "$FAKE/swapfile" ;;
        esac
        exit 0
        ;;
    tee)
        mkdir -p "$FAKE/tee"
        cat >"$FAKE/tee/$(basename "${!#}")"
        ;;
    apt-get)
        # Packages listed in $FAKE/apt-provides/<package>/ bring those programs along.
        for pkg in "$@"; do
            if [ -d "$FAKE/apt-provides/$pkg" ]; then cp "$FAKE/apt-provides/$pkg"/* "$FAKE/stubs/"; fi
        done
        ;;
    git)
        if [ "$1" = clone ]; then
            dest=${!#}
            mkdir -p "$dest/codex-rs/cli/src" "$dest/codex-rs/core"
            printf '[package]\nname = "codex-core"\n' >"$dest/codex-rs/core/Cargo.toml"
            printf '[package]\nname = "codex-cli"\n' >"$dest/codex-rs/cli/Cargo.toml"
            printf '//! The codex binary.\nfn main() {}\n' >"$dest/codex-rs/cli/src/main.rs"
        fi
        ;;
    cargo)
        { echo "cargo env: jobs=$CARGO_BUILD_JOBS lto=$CARGO_PROFILE_RELEASE_LTO cgu=$CARGO_PROFILE_RELEASE_CODEGEN_UNITS debug=$CARGO_PROFILE_RELEASE_DEBUG cwd=$PWD"; } >>"$FAKE/log"
        cp src/main.rs "$FAKE/built-main.rs"
        triple=''
        while [ $# -gt 0 ]; do [ "$1" = --target ] && triple=$2; shift; done
        mkdir -p "$CARGO_TARGET_DIR/$triple/release"
        printf '#!/bin/bash\necho "codex-cli 0.130.0"\n' >"$CARGO_TARGET_DIR/$triple/release/codex"
        chmod +x "$CARGO_TARGET_DIR/$triple/release/codex"
        ;;
    proxychains4)
        cp "$3" "$FAKE/proxychains.conf"
        shift 3
        exec "$@"
        ;;
    npm)
        case "$1" in
            view) [ -n "${FAKE_NPM_LATEST:-}" ] || exit 1; echo "$FAKE_NPM_LATEST" ;;
            install)
                spec=${3##*@}
                [ "$spec" = latest ] && spec=${FAKE_NPM_LATEST:-9.9.9}
                printf '#!/bin/bash\necho "%s %s"\n' "$FAKE_BIN" "$spec" >"$HOME/.local/bin/$FAKE_BIN"
                chmod +x "$HOME/.local/bin/$FAKE_BIN"
                ;;
        esac
        ;;
    dpkg) echo amd64 ;;
    curl)
        out=''
        while [ $# -gt 0 ]; do
            [ "$1" = -o ] && out=$2
            shift
        done
        if [ -n "$out" ]; then
            if [ -f "$FAKE/curl-body" ]; then cp "$FAKE/curl-body" "$out"; else echo 'exit 0' >"$out"; fi
        fi
        ;;
esac
exit 0
"#;

const STUB_NAMES: &[&str] = &[
    "apt-get",
    "apt-cache",
    "dpkg-query",
    "sudo",
    "proxychains4",
    "npm",
    "curl",
    "git",
    "cloud-init",
    "tee",
    "usermod",
    "rustup",
    "cargo",
    "dpkg",
];

struct FakeVm {
    dir: tempfile::TempDir,
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    log: Vec<String>,
}

impl Outcome {
    fn calls(&self, prefix: &str) -> Vec<&String> {
        self.log.iter().filter(|l| l.starts_with(prefix)).collect()
    }

    fn made(&self, needle: &str) -> bool {
        self.log.iter().any(|l| l.contains(needle))
    }

    fn describe(&self) -> String {
        format!(
            "exit {:?}\nstdout:\n{}\nstderr:\n{}\nlog:\n{}",
            self.code,
            self.stdout,
            self.stderr,
            self.log.join("\n")
        )
    }
}

impl FakeVm {
    fn new() -> Self {
        let vm = FakeVm {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(vm.home().join(".local/bin")).unwrap();
        std::fs::create_dir_all(vm.path("stubs")).unwrap();
        for name in STUB_NAMES {
            vm.executable(&vm.path("stubs").join(name), STUB);
        }
        vm
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn home(&self) -> PathBuf {
        self.path("home")
    }

    fn executable(&self, path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        crate::support::write_executable(path, text);
    }

    /// A program in ~/.local/bin that prints `OUTPUT` for `--version`.
    fn installed(&self, bin: &str, output: &str) {
        self.executable(
            &self.home().join(".local/bin").join(bin),
            &format!("#!/bin/bash\necho '{output}'\n"),
        );
    }

    /// What the last run left in the VM's /tmp (apart from the mount point bwrap makes there
    /// for the fake VM's own folder, which lives under the host's /tmp).
    fn leftover_tmp(&self) -> Vec<String> {
        let own = self
            .dir
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        std::fs::read_dir(self.path("tmp"))
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| *n != own)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An extra stub command on PATH.
    fn stub(&self, name: &str, text: &str) {
        self.executable(&self.path("stubs").join(name), text);
    }

    fn dpkg_installed(&self, packages: &[&str]) {
        std::fs::write(self.path("dpkg-installed"), packages.join("\n") + "\n").unwrap();
    }

    /// A fake nvm: ~/.nvm/nvm.sh defines an `nvm` function that logs, keeps its default
    /// alias in a file and answers `version`, `version-remote` and `use` (which sets NVM_BIN
    /// to the stubs, where `npm` and `node` are, once a default exists).
    fn nvm(&self, default_node: Option<&str>) {
        std::fs::create_dir_all(self.home().join(".nvm")).unwrap();
        if let Some(v) = default_node {
            std::fs::write(self.path("nvm-default"), format!("{v}\n")).unwrap();
        }
        std::fs::write(
            self.home().join(".nvm/nvm.sh"),
            r#"nvm() {
    echo "nvm $*" >>"$FAKE/log"
    local d
    d=$(cat "$FAKE/nvm-default" 2>/dev/null || echo N/A)
    case "$1" in
        use) [ "$d" = N/A ] || export NVM_BIN="$FAKE/stubs" ;;
        version) if [ "$2" = default ] || [[ $d == "v${2#v}"* ]]; then echo "$d"; else echo N/A; fi ;;
        alias) echo "v${3#v}" >"$FAKE/nvm-default" ;;
        --version) echo 0.40.3 ;;
        version-remote) if [ "$2" = --lts ]; then echo v22.11.0; else echo "v${2#v}.0.0"; fi ;;
    esac
}
"#,
        )
        .unwrap();
        self.stub("node", "#!/bin/bash\necho v22.11.0\n");
    }

    /// Shows `text` as the file `target` (for example /proc/meminfo) inside the sandbox.
    fn overlay(&self, target: &str, text: &str) {
        let dir = self.path("overlay");
        std::fs::create_dir_all(&dir).unwrap();
        let name = target.trim_start_matches('/').replace('/', "_");
        std::fs::write(dir.join(&name), text).unwrap();
        std::fs::write(dir.join(format!("{name}.target")), target).unwrap();
    }

    /// Makes the apt package `package` bring the program `bin` printing `output`.
    fn apt_provides(&self, package: &str, bin: &str, output: &str) {
        self.executable(
            &self.path("apt-provides").join(package).join(bin),
            &format!("#!/bin/bash\necho '{output}'\n"),
        );
    }

    fn run(&self, rel: &str, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let _ = std::fs::remove_file(self.path("log"));
        let root = self.dir.path();
        let mut cmd = Command::new("bwrap");
        // The VM's /tmp is a folder of the fake VM, so tests can see what a run leaves there.
        let tmp = self.path("tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        cmd.args(["--ro-bind", "/", "/", "--dev", "/dev", "--bind"])
            .arg(&tmp)
            .arg("/tmp")
            .args(["--tmpfs", "/usr/local/bin"])
            .arg("--bind")
            .arg(root)
            .arg(root);
        if let Ok(entries) = std::fs::read_dir(self.path("overlay")) {
            for entry in entries {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "target") {
                    let target = std::fs::read_to_string(&path).unwrap();
                    cmd.arg("--ro-bind")
                        .arg(path.with_extension(""))
                        .arg(target);
                }
            }
        }
        cmd.args([
            "--unshare-user",
            "--uid",
            "1000",
            "--gid",
            "1000",
            "--die-with-parent",
        ])
        .args(["env", "-i"])
        .arg(format!("HOME={}", self.home().display()))
        .arg(format!(
            "PATH={}:/usr/bin:/bin",
            self.path("stubs").display()
        ))
        .arg(format!("FAKE={}", root.display()));
        for (k, v) in env {
            cmd.arg(format!("{k}={v}"));
        }
        // The script goes through a pipe, as `multipass exec ... bash -s` gets it.
        cmd.args(["bash", "-s", "--"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("bwrap runs");
        // As the host sends it: with the shared helpers in place of the marker line.
        let text = agsekit::provision::compose(&std::fs::read_to_string(script(rel)).unwrap())
            .into_bytes();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            // The script may finish before reading everything (an early `exit`).
            let _ = stdin.write_all(&text);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        let log = std::fs::read_to_string(self.path("log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        Outcome {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            log,
        }
    }
}

#[test]
fn every_script_in_agent_scripts_passes_shellcheck() {
    // Provisioning scripts are checked as they are sent (with lib/common.sh in place of the
    // marker line); the launcher and lib/common.sh itself as they are.
    let tmp = tempfile::tempdir().unwrap();
    let provisioning = provisioning_scripts();
    let mut files: Vec<PathBuf> = all_script_files()
        .into_iter()
        .filter(|f| {
            let rel = f
                .strip_prefix(scripts_dir())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            !provisioning.contains(&rel)
        })
        .collect();
    for rel in &provisioning {
        let composed = tmp.path().join(rel.replace('/', "_"));
        let text = std::fs::read_to_string(script(rel)).unwrap();
        std::fs::write(&composed, agsekit::provision::compose(&text)).unwrap();
        files.push(composed);
    }
    assert!(files.len() >= 18, "found only {files:?}");
    for file in files {
        let out = Command::new("shellcheck")
            .args(["--shell=bash", "--severity=style"])
            .arg(&file)
            .output()
            .expect("shellcheck is installed (scripts/test installs it)");
        assert!(
            out.status.success(),
            "{}:\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn every_script_has_one_marker_for_the_shared_helpers_inside_its_group() {
    for rel in provisioning_scripts() {
        let text = std::fs::read_to_string(script(&rel)).unwrap();
        assert_eq!(
            text.matches(agsekit::provision::script::COMMON_MARKER)
                .count(),
            1,
            "{rel}"
        );
        assert!(text.starts_with("#!/usr/bin/env bash\n"), "{rel}");
        // One { } group, so bash reads the whole script from stdin before running it (the
        // stubs read their stdin, so a script without it loses its tail in the tests below).
        assert!(text.contains("\n{\nset -euo pipefail\n"), "{rel}");
        assert!(text.ends_with("\n}\n"), "{rel}");
        let group = text.find("\n{\n").unwrap();
        assert!(
            text.find(agsekit::provision::script::COMMON_MARKER)
                .unwrap()
                > group,
            "{rel}"
        );
    }
}

#[test]
fn list_bundles_prints_every_bundle_sorted_with_dependencies_and_version_support() {
    let out = BinCommand::cargo_bin("agsekit")
        .unwrap()
        .arg("list-bundles")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split(" — ").next().unwrap())
        .collect();
    assert_eq!(
        names,
        ["docker", "golang", "nodejs", "nvm", "pyenv", "python", "rust"]
    );
    assert!(text.contains("\nnodejs — Node.js via nvm, made the default; the current LTS unless a version is given (depends on: nvm; supports version suffix)\n"), "{text}");
    assert!(
        text.contains("python — ") && text.contains("(depends on: pyenv; supports version suffix)"),
        "{text}"
    );
    assert!(
        text.contains("\nnvm — Node Version Manager in ~/.nvm\n"),
        "{text}"
    );
}

#[test]
fn unknown_flags_fail_with_usage_and_a_failed_result_and_run_nothing() {
    let vm = FakeVm::new();
    for rel in provisioning_scripts() {
        let out = vm.run(&rel, &["--bogus"], &[]);
        assert_eq!(out.code, Some(2), "{rel}: {}", out.describe());
        assert!(
            out.stderr.contains("unknown option or argument: --bogus"),
            "{rel}: {}",
            out.stderr
        );
        assert!(out.stderr.contains("usage: "), "{rel}");
        assert!(
            out.stdout.starts_with("AGSEKIT-RESULT ") && out.stdout.ends_with(" failed -\n"),
            "{rel}: {}",
            out.stdout
        );
        assert!(out.log.is_empty(), "{rel} ran commands: {:?}", out.log);
    }
}

#[test]
fn bad_values_are_refused_before_any_step() {
    let vm = FakeVm::new();
    let cases: &[(&str, &[&str], &str)] = &[
        ("agents/codex.sh", &["--version"], "--version needs a value"),
        (
            "agents/codex.sh",
            &["--version", "1.0;reboot"],
            "invalid version",
        ),
        (
            "agents/codex.sh",
            &["--proxychains", "10.0.0.1:1080"],
            "invalid --proxychains URL",
        ),
        (
            "agents/codex.sh",
            &["--proxychains=ftp://h:21"],
            "unsupported --proxychains scheme",
        ),
        ("agents/aider.sh", &["--skip-nvm-install"], "unknown option"),
        ("agents/codex.sh", &["--repo", "me/fork"], "unknown option"),
        (
            "agents/codex-glibc-prebuilt.sh",
            &["--repo", "nofork"],
            "OWNER/NAME",
        ),
        (
            "bundles/golang.sh",
            &["--version", "1.22"],
            "unknown option",
        ),
        ("base.sh", &["extra"], "unknown option or argument: extra"),
    ];
    for (rel, args, message) in cases {
        let out = vm.run(rel, args, &[]);
        assert_eq!(out.code, Some(2), "{rel} {args:?}: {}", out.describe());
        assert!(
            out.stderr.contains(message),
            "{rel} {args:?}: {}",
            out.stderr
        );
        assert!(out.log.is_empty(), "{rel} {args:?} ran {:?}", out.log);
    }
}

#[test]
fn help_prints_usage_and_no_result() {
    let vm = FakeVm::new();
    let out = vm.run("agents/codex-glibc-prebuilt.sh", &["--help"], &[]);
    assert_eq!(out.code, Some(0));
    assert!(
        out.stdout
            .starts_with("usage: codex-glibc-prebuilt.sh [--version"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("AGSEKIT-RESULT"));
}

/// (script, binary, `--version` output, stable version)
const PINNED_AGENTS: &[(&str, &str, &str, &str)] = &[
    ("aider", "aider", "aider 0.86.2", "0.86.2"),
    ("qwen", "qwen", "0.15.11", "0.15.11"),
    ("forgecode", "forge", "forge 2.12.14", "2.12.14"),
    ("codex", "codex", "codex-cli 0.130.0", "0.130.0"),
    ("opencode", "opencode", "1.14.50", "1.14.50"),
    ("codex-glibc", "codex-glibc", "codex-cli 0.130.0", "0.130.0"),
    (
        "codex-glibc-prebuilt",
        "codex-glibc-prebuilt",
        "codex-cli v0.130.0",
        "0.130.0",
    ),
    ("claude", "claude", "2.1.141 (Claude Code)", "2.1.141"),
    ("cline", "cline", "Cline CLI version 2.17.0", "2.17.0"),
];

#[test]
fn an_installed_stable_version_is_left_alone_without_network_or_apt() {
    for (name, bin, version_output, stable) in PINNED_AGENTS {
        let vm = FakeVm::new();
        vm.nvm(Some("v22.11.0"));
        vm.installed(bin, version_output);
        let out = vm.run(&format!("agents/{name}.sh"), &["--version", "stable"], &[]);
        assert_eq!(out.code, Some(0), "{name}: {}", out.describe());
        assert_eq!(
            out.stdout,
            format!("AGSEKIT-RESULT {name} already {stable}\n"),
            "{name}"
        );
        assert!(
            out.stderr
                .contains(&format!("already installed: {name} {stable}")),
            "{name}: {}",
            out.stderr
        );
        for tool in ["npm", "curl", "apt-get", "git", "sudo", "proxychains4"] {
            assert!(
                out.calls(tool).is_empty(),
                "{name} called {tool}: {:?}",
                out.log
            );
        }
    }
}

#[test]
fn an_exact_version_that_is_installed_is_kept_and_a_different_one_is_installed() {
    let vm = FakeVm::new();
    vm.nvm(Some("v22.11.0"));
    vm.installed("opencode", "1.14.50");
    let env = [("FAKE_BIN", "opencode")];
    let same = vm.run("agents/opencode.sh", &["--version", "v1.14.50"], &env);
    assert_eq!(
        same.stdout,
        "AGSEKIT-RESULT opencode already 1.14.50\n",
        "{}",
        same.describe()
    );
    assert!(same.calls("npm").is_empty());

    let other = vm.run("agents/opencode.sh", &["--version", "1.15.0"], &env);
    assert_eq!(other.code, Some(0), "{}", other.describe());
    assert_eq!(other.stdout, "AGSEKIT-RESULT opencode installed 1.15.0\n");
    assert_eq!(other.calls("npm"), ["npm install -g opencode-ai@1.15.0"]);
}

#[test]
fn latest_asks_npm_for_the_newest_version_and_skips_when_it_is_installed() {
    let vm = FakeVm::new();
    vm.nvm(Some("v22.11.0"));
    vm.installed("gemini", "0.20.1");
    let env = [("FAKE_BIN", "gemini"), ("FAKE_NPM_LATEST", "0.20.1")];
    // gemini has no pinned stable version: stable means latest.
    let out = vm.run("agents/gemini.sh", &["--version", "stable"], &env);
    assert_eq!(
        out.stdout,
        "AGSEKIT-RESULT gemini already 0.20.1\n",
        "{}",
        out.describe()
    );
    assert_eq!(out.calls("npm"), ["npm view @google/gemini-cli version"]);

    // The lookup runs in a subshell; its proxychains config must still be cleaned up.
    let env = [("FAKE_BIN", "gemini"), ("FAKE_NPM_LATEST", "0.21.0")];
    let out = vm.run(
        "agents/gemini.sh",
        &["--proxychains", "socks5://10.0.0.3:1080"],
        &env,
    );
    assert!(
        vm.leftover_tmp().is_empty(),
        "left in /tmp: {:?}",
        vm.leftover_tmp()
    );
    assert_eq!(
        out.stdout,
        "AGSEKIT-RESULT gemini installed 0.21.0\n",
        "{}",
        out.describe()
    );
    assert!(
        out.made("npm install -g @google/gemini-cli@0.21.0"),
        "{:?}",
        out.log
    );
}

#[test]
fn force_reinstalls_the_same_version() {
    let vm = FakeVm::new();
    vm.nvm(Some("v22.11.0"));
    vm.installed("codex", "codex-cli 0.130.0");
    vm.dpkg_installed(&["bubblewrap", "curl", "ca-certificates", "logrotate"]);
    let out = vm.run(
        "agents/codex.sh",
        &["--version", "0.130.0", "--force"],
        &[("FAKE_BIN", "codex")],
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "AGSEKIT-RESULT codex installed 0.130.0\n");
    assert_eq!(
        out.calls("npm"),
        [
            "npm uninstall -g @openai/codex",
            "npm install -g @openai/codex@0.130.0"
        ]
    );
    assert!(
        out.calls("apt-get").is_empty(),
        "packages were there: {:?}",
        out.log
    );
    assert!(out.made("tee /etc/logrotate.d/codex-tui"), "{:?}", out.log);
}

#[test]
fn proxychains_wraps_network_steps_only_never_apt() {
    let vm = FakeVm::new();
    vm.nvm(Some("v22.11.0"));
    let out = vm.run(
        "agents/claude.sh",
        &[
            "--version",
            "stable",
            "--proxychains",
            "socks5://10.1.2.3:1080",
        ],
        &[("FAKE_BIN", "claude")],
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "AGSEKIT-RESULT claude installed 2.1.141\n");
    let wrapped = out.calls("proxychains4");
    assert_eq!(wrapped.len(), 1, "{:?}", out.log);
    assert!(
        wrapped[0].starts_with("proxychains4 -q -f /tmp/agsekit-provision-")
            && wrapped[0]
                .ends_with("/proxychains.conf npm install -g @anthropic-ai/claude-code@2.1.141"),
        "{}",
        wrapped[0]
    );
    let apt: Vec<_> = out.log.iter().filter(|l| l.contains("apt-get")).collect();
    assert!(
        !apt.is_empty(),
        "curl was missing, so apt ran: {:?}",
        out.log
    );
    for line in apt {
        assert!(!line.contains("proxychains"), "apt was proxied: {line}");
        assert!(
            line.starts_with("sudo -n ") || line.starts_with("apt-get "),
            "{line}"
        );
    }
    assert!(
        vm.leftover_tmp().is_empty(),
        "left in /tmp: {:?}",
        vm.leftover_tmp()
    );
    let conf = std::fs::read_to_string(vm.path("proxychains.conf")).unwrap();
    assert_eq!(
        conf,
        "strict_chain\nproxy_dns\nremote_dns_subnet 224\ntcp_read_time_out 15000\ntcp_connect_time_out 8000\nlocalnet 127.0.0.0/255.0.0.0\n[ProxyList]\nsocks5 10.1.2.3 1080\n"
    );
}

#[test]
fn a_missing_nvm_is_installed_through_the_proxy_unless_skip_nvm_install() {
    let vm = FakeVm::new();
    let out = vm.run(
        "agents/cline.sh",
        &["--skip-nvm-install"],
        &[("FAKE_BIN", "cline")],
    );
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(out.stderr.contains("--skip-nvm-install"), "{}", out.stderr);
    assert_eq!(out.stdout, "AGSEKIT-RESULT cline failed -\n");
    assert!(
        out.calls("curl").is_empty() && out.calls("npm").is_empty(),
        "{:?}",
        out.log
    );

    // Without the flag the nvm installer is fetched and run under proxychains (it is a stub
    // here, so nvm is still missing afterwards and the script says so).
    let out = vm.run(
        "agents/cline.sh",
        &["--proxychains", "http://10.0.0.9:3128"],
        &[("FAKE_BIN", "cline")],
    );
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(
        out.log.iter().any(|l| l.starts_with("proxychains4 -q -f ")
            && l.contains(" curl ")
            && l.contains("nvm-sh/nvm/v0.40.3/install.sh")),
        "{:?}",
        out.log
    );
    assert!(
        out.stderr
            .contains("nvm is missing after its installer ran"),
        "{}",
        out.stderr
    );
}

#[test]
fn bundles_refuse_clearly_when_their_dependency_is_missing() {
    let vm = FakeVm::new();
    let out = vm.run("bundles/nodejs.sh", &["--version", "20"], &[]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(
        out.stderr.contains("nvm is not installed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("install the nvm bundle first"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "AGSEKIT-RESULT nodejs failed -\n");
    assert!(out.log.is_empty(), "{:?}", out.log);

    let out = vm.run("bundles/python.sh", &[], &[]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(
        out.stderr.contains("install the pyenv bundle first"),
        "{}",
        out.stderr
    );
    assert!(out.log.is_empty(), "{:?}", out.log);
}

#[test]
fn bundles_already_present_are_skipped() {
    let vm = FakeVm::new();
    vm.nvm(Some("v22.11.0"));
    vm.stub(
        "go",
        "#!/bin/bash\necho 'go version go1.22.2 linux/amd64'\n",
    );
    vm.stub(
        "docker",
        "#!/bin/bash\necho 'Docker version 27.3.1, build ce12230'\n",
    );
    vm.stub(
        "rustc",
        "#!/bin/bash\necho 'rustc 1.82.0 (f6e511eec 2024-10-15)'\n",
    );
    vm.executable(
        &vm.home().join(".pyenv/bin/pyenv"),
        "#!/bin/bash\ncase \"$1\" in\n --version) echo 'pyenv 2.4.17' ;;\n install) [ \"$2\" = --list ] && printf '  3.12.7\\n  3.13.0\\n  3.14-dev\\n' ;;\n versions) echo 3.13.0 ;;\n global) echo 3.13.0 ;;\n latest) echo 3.12.7 ;;\nesac\n",
    );
    let cases: &[(&str, &[&str], &str)] = &[
        ("bundles/nvm.sh", &[], "AGSEKIT-RESULT nvm already 0.40.3\n"),
        (
            "bundles/nodejs.sh",
            &[],
            "AGSEKIT-RESULT nodejs already 22.11.0\n",
        ),
        (
            "bundles/nodejs.sh",
            &["--version", "22"],
            "AGSEKIT-RESULT nodejs already 22.11.0\n",
        ),
        (
            "bundles/golang.sh",
            &[],
            "AGSEKIT-RESULT golang already 1.22.2\n",
        ),
        (
            "bundles/docker.sh",
            &[],
            "AGSEKIT-RESULT docker already 27.3.1\n",
        ),
        (
            "bundles/rust.sh",
            &[],
            "AGSEKIT-RESULT rust already 1.82.0\n",
        ),
        (
            "bundles/pyenv.sh",
            &[],
            "AGSEKIT-RESULT pyenv already 2.4.17\n",
        ),
        (
            "bundles/python.sh",
            &[],
            "AGSEKIT-RESULT python already 3.13.0\n",
        ),
    ];
    for (rel, args, expected) in cases {
        let out = vm.run(rel, args, &[]);
        assert_eq!(out.code, Some(0), "{rel}: {}", out.describe());
        assert_eq!(&out.stdout, expected, "{rel}: {}", out.describe());
        for tool in ["curl", "apt-get", "git", "sudo", "proxychains4", "rustup"] {
            assert!(
                out.calls(tool).is_empty(),
                "{rel} called {tool}: {:?}",
                out.log
            );
        }
    }
    // The marked profile blocks are written once, however often the bundles run.
    let profile = std::fs::read_to_string(vm.home().join(".profile")).unwrap();
    assert_eq!(
        profile.matches("# >>> agsekit nvm >>>").count(),
        1,
        "{profile}"
    );
    assert_eq!(
        profile.matches("# >>> agsekit pyenv >>>").count(),
        1,
        "{profile}"
    );
}

#[test]
fn a_python_version_not_yet_built_is_built_with_pyenv_and_made_global() {
    let vm = FakeVm::new();
    vm.dpkg_installed(&[]);
    vm.executable(
        &vm.home().join(".pyenv/bin/pyenv"),
        "#!/bin/bash\n{ printf 'pyenv'; printf ' %s' \"$@\"; echo; } >>\"$FAKE/log\"\ncase \"$1\" in\n versions) echo 3.13.0 ;;\n global) [ $# -eq 1 ] && echo 3.13.0 ;;\n latest) echo 3.12.7 ;;\nesac\nexit 0\n",
    );
    let out = vm.run("bundles/python.sh", &["--version", "3.12"], &[]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "AGSEKIT-RESULT python installed 3.12.7\n");
    assert!(
        out.made("pyenv install --skip-existing 3.12.7"),
        "{:?}",
        out.log
    );
    assert!(out.made("pyenv global 3.12.7"), "{:?}", out.log);
    assert!(
        out.made("apt-get") && out.made("libssl-dev"),
        "{:?}",
        out.log
    );
}

#[test]
fn base_provisioning_installs_what_is_missing_and_then_nothing() {
    const BASE: &[&str] = &[
        "bubblewrap",
        "proxychains4",
        "privoxy",
        "curl",
        "git",
        "ca-certificates",
        "logrotate",
        "gzip",
        "ripgrep",
        "zip",
        "unzip",
        "zstd",
        "zsh",
        "mc",
    ];
    let vm = FakeVm::new();
    vm.dpkg_installed(&BASE[..5]);
    let out = vm.run("base.sh", &[], &[]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "AGSEKIT-RESULT base installed 1\n");
    assert!(out.made("cloud-init status --wait"), "{:?}", out.log);
    let install: Vec<_> = out
        .calls("apt-get")
        .into_iter()
        .filter(|l| l.contains(" install "))
        .collect();
    assert_eq!(install.len(), 1, "{:?}", out.log);
    assert!(
        install[0]
            .ends_with(" ca-certificates logrotate gzip ripgrep zip unzip zstd zsh mc p7zip-full")
            || install[0].ends_with(" mc 7zip"),
        "{}",
        install[0]
    );
    assert!(
        !install[0].contains("privoxy"),
        "installed packages are not reinstalled: {}",
        install[0]
    );

    vm.dpkg_installed(BASE);
    vm.stub("7z", "#!/bin/bash\n");
    let again = vm.run("base.sh", &[], &[]);
    assert_eq!(
        again.stdout,
        "AGSEKIT-RESULT base already 1\n",
        "{}",
        again.describe()
    );
    assert!(
        again.calls("apt-get").is_empty() && again.calls("sudo").is_empty(),
        "{:?}",
        again.log
    );

    let forced = vm.run("base.sh", &["--force"], &[]);
    assert_eq!(forced.stdout, "AGSEKIT-RESULT base installed 1\n");
    assert!(
        forced.made("apt-get -o DPkg::Lock::Timeout=600 -q update"),
        "{:?}",
        forced.log
    );
}

#[test]
fn prebuilt_codex_downloads_the_asset_of_the_given_repo_and_tag() {
    let vm = FakeVm::new();
    vm.dpkg_installed(&["bubblewrap", "curl", "gzip", "ca-certificates", "git"]);
    // The "release asset": a gzipped program printing a codex version.
    let body = vm.path("curl-body");
    let gz = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "printf '#!/bin/bash\\necho \"codex-cli 0.131.0\"\\n' | gzip -c > '{}'",
            body.display()
        ))
        .status()
        .unwrap();
    assert!(gz.success());
    let out = vm.run(
        "agents/codex-glibc-prebuilt.sh",
        &[
            "--repo",
            "me/fork",
            "--tag",
            "codex-glibc-rust-v0.131.0",
            "--asset",
            "codex-glibc-linux-amd64.gz",
        ],
        &[("FAKE_NO_SUDO", "1")],
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(
        out.stdout,
        "AGSEKIT-RESULT codex-glibc-prebuilt installed 0.131.0\n"
    );
    assert!(
        out.made("https://github.com/me/fork/releases/download/codex-glibc-rust-v0.131.0/codex-glibc-linux-amd64.gz"),
        "{:?}",
        out.log
    );
    // Without passwordless sudo it lands in ~/.local/bin, which the profile puts on PATH.
    assert!(vm.home().join(".local/bin/codex-glibc-prebuilt").exists());
    let profile = std::fs::read_to_string(vm.home().join(".profile")).unwrap();
    assert!(profile.contains("# >>> agsekit local-bin >>>"), "{profile}");
    assert!(out.stderr.contains("is not rotated"), "{}", out.stderr);
    assert!(
        vm.leftover_tmp().is_empty(),
        "left in /tmp: {:?}",
        vm.leftover_tmp()
    );

    // The same tag again: already there, nothing downloaded.
    let again = vm.run(
        "agents/codex-glibc-prebuilt.sh",
        &["--repo", "me/fork", "--tag", "codex-glibc-rust-v0.131.0"],
        &[("FAKE_NO_SUDO", "1")],
    );
    assert_eq!(
        again.stdout,
        "AGSEKIT-RESULT codex-glibc-prebuilt already 0.131.0\n",
        "{}",
        again.describe()
    );
    assert!(again.calls("curl").is_empty(), "{:?}", again.log);
}

#[test]
fn embedded_scripts_are_the_files_on_disk() {
    use agsekit::config::AgentType;
    for t in AgentType::ALL {
        let on_disk =
            std::fs::read_to_string(script(&format!("agents/{}.sh", t.as_str()))).unwrap();
        assert_eq!(agsekit::provision::installer(t).script, on_disk, "{t:?}");
    }
    for b in agsekit::provision::BUNDLES {
        let on_disk = std::fs::read_to_string(script(&format!("bundles/{}.sh", b.name))).unwrap();
        assert_eq!(b.script, on_disk, "{}", b.name);
    }
    assert_eq!(
        agsekit::provision::base_run(false).script,
        std::fs::read_to_string(script("base.sh")).unwrap()
    );
}

/// The packages the codex-glibc build script wants, all marked installed in the fake VM.
const CODEX_GLIBC_BUILD_PACKAGES: &[&str] = &[
    "bubblewrap",
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "curl",
    "git",
    "ca-certificates",
    "logrotate",
];

#[test]
fn codex_glibc_builds_with_one_job_through_the_proxy_and_cleans_up() {
    let vm = FakeVm::new();
    vm.dpkg_installed(CODEX_GLIBC_BUILD_PACKAGES);
    // 1 GiB available and no swap: the build gets a 2 GiB swap file.
    vm.overlay(
        "/proc/meminfo",
        "MemTotal:        2000000 kB\nMemAvailable:    1048576 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n",
    );
    let out = vm.run(
        "agents/codex-glibc.sh",
        &[
            "--version",
            "stable",
            "--proxychains",
            "http://10.0.0.7:3128",
        ],
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "AGSEKIT-RESULT codex-glibc installed 0.130.0\n");

    let triple = match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-gnu",
        _ => "x86_64-unknown-linux-gnu",
    };
    let proxied = |needle: &str| {
        out.log
            .iter()
            .any(|l| l.starts_with("proxychains4 -q -f ") && l.contains(needle))
    };
    assert!(
        proxied("rustup toolchain install 1.95.0 --profile minimal"),
        "{:?}",
        out.log
    );
    assert!(
        proxied("git clone --quiet --depth 1 --branch rust-v0.130.0 https://github.com/openai/codex.git"),
        "{:?}",
        out.log
    );
    assert!(
        proxied(&format!(
            "cargo +1.95.0 build --release --bin codex --target {triple}"
        )),
        "{:?}",
        out.log
    );
    let env = out.calls("cargo env:");
    assert_eq!(env.len(), 1, "{:?}", out.log);
    assert!(
        env[0].contains("jobs=1 lto=false cgu=1 debug=false"),
        "{}",
        env[0]
    );
    assert!(env[0].ends_with("/codex-rs/cli"), "{}", env[0]);
    let main_rs = std::fs::read_to_string(vm.path("built-main.rs")).unwrap();
    assert!(
        main_rs.starts_with("#![recursion_limit = \"256\"]\n//! The codex binary."),
        "{main_rs}"
    );

    let swap = vm.path("swapfile").display().to_string();
    for step in [
        "sudo -n mktemp /var/tmp/codex-glibc-swap-XXXXXX".to_string(),
        format!("sudo -n fallocate -l 2097152K {swap}"),
        format!("sudo -n mkswap {swap}"),
        format!("sudo -n swapon {swap}"),
        format!("sudo -n swapoff {swap}"),
        format!("sudo -n rm -f {swap}"),
    ] {
        assert!(out.log.contains(&step), "missing `{step}` in {:?}", out.log);
    }
    // The toolchain the build added goes again; apt is never proxied.
    assert!(
        out.log
            .contains(&"rustup toolchain uninstall 1.95.0".to_string()),
        "{:?}",
        out.log
    );
    assert!(out
        .log
        .iter()
        .all(|l| !(l.contains("proxychains") && l.contains("apt-get"))));
    assert!(!vm.home().join(".tmp/build-codex-glibc").exists());
    assert!(
        vm.leftover_tmp().is_empty(),
        "left in /tmp: {:?}",
        vm.leftover_tmp()
    );
    let logrotate = std::fs::read_to_string(vm.path("tee/codex-tui")).unwrap();
    assert!(
        logrotate.contains("/.codex/log/codex-tui.log {\n    size 100M\n    rotate 10\n"),
        "{logrotate}"
    );
}

#[test]
fn enough_memory_means_no_swap_file() {
    let vm = FakeVm::new();
    vm.dpkg_installed(CODEX_GLIBC_BUILD_PACKAGES);
    vm.overlay(
        "/proc/meminfo",
        "MemAvailable:    2097152 kB\nSwapFree:        1048576 kB\n",
    );
    let out = vm.run("agents/codex-glibc.sh", &["--version", "0.130.0"], &[]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(!out.made("swap"), "{:?}", out.log);
}

#[test]
fn docker_adds_its_apt_repository_for_the_release_and_the_user_to_the_group() {
    let vm = FakeVm::new();
    vm.overlay(
        "/etc/os-release",
        "NAME=\"Ubuntu\"\nVERSION_CODENAME=noble\nUBUNTU_CODENAME=noble\n",
    );
    vm.apt_provides(
        "docker-ce",
        "docker",
        "Docker version 27.3.1, build ce12230",
    );
    let out = vm.run(
        "bundles/docker.sh",
        &["--proxychains", "socks5://10.0.0.3:1080"],
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "AGSEKIT-RESULT docker installed 27.3.1\n");
    assert!(
        out.log.iter().any(|l| l.starts_with("proxychains4 ")
            && l.contains(" curl ")
            && l.ends_with("https://download.docker.com/linux/ubuntu/gpg")),
        "{:?}",
        out.log
    );
    let sources = std::fs::read_to_string(vm.path("tee/docker.sources")).unwrap();
    assert_eq!(
        sources,
        "Types: deb\nURIs: https://download.docker.com/linux/ubuntu\nSuites: noble\nComponents: stable\nArchitectures: amd64\nSigned-By: /etc/apt/keyrings/docker.asc\n"
    );
    let apt: Vec<_> = out.calls("apt-get");
    let updates = apt.iter().filter(|l| l.ends_with(" update")).count();
    assert_eq!(
        updates, 2,
        "once at first, again after adding the repository: {apt:?}"
    );
    assert!(
        apt.last().unwrap().ends_with(
            "install --no-install-recommends docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin"
        ),
        "{apt:?}"
    );
    assert!(out.made("usermod -aG docker"), "{:?}", out.log);
    assert!(out
        .log
        .iter()
        .all(|l| !(l.contains("proxychains") && l.contains("apt-get"))));
}

#[test]
fn nodejs_installs_the_current_lts_through_the_proxy_and_makes_it_the_default() {
    let vm = FakeVm::new();
    vm.nvm(None);
    let out = vm.run(
        "bundles/nodejs.sh",
        &["--proxychains", "socks5://10.0.0.3:1080"],
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "AGSEKIT-RESULT nodejs installed 22.11.0\n");
    let proxied: Vec<_> = out.calls("proxychains4 ");
    for nvm_args in [
        "version-remote --lts",
        "install 22.11.0",
        "alias default 22.11.0",
    ] {
        let words: Vec<&str> = nvm_args.split(' ').collect();
        assert!(
            proxied
                .iter()
                .any(|l| l.contains(" bash -c ")
                    && l.ends_with(&format!(" nvm {}", words.join(" ")))),
            "nvm {nvm_args} not proxied: {proxied:?}"
        );
    }
    let profile = std::fs::read_to_string(vm.home().join(".profile")).unwrap();
    assert!(
        profile.contains("# >>> agsekit nvm >>>\nexport NVM_DIR=\"$HOME/.nvm\"\n"),
        "{profile}"
    );

    // Now it is nvm's default: a second run needs no network.
    let again = vm.run("bundles/nodejs.sh", &[], &[]);
    assert_eq!(
        again.stdout,
        "AGSEKIT-RESULT nodejs already 22.11.0\n",
        "{}",
        again.describe()
    );
    assert!(
        again.calls("proxychains4").is_empty() && !again.made("nvm install"),
        "{:?}",
        again.log
    );

    // Another major version is installed even though a default exists.
    let other = vm.run("bundles/nodejs.sh", &["--version", "20"], &[]);
    assert_eq!(
        other.stdout,
        "AGSEKIT-RESULT nodejs installed 20.0.0\n",
        "{}",
        other.describe()
    );
    assert!(other.made("nvm install 20.0.0"), "{:?}", other.log);
}

#[test]
fn a_failed_forced_pyenv_reinstall_puts_the_built_pythons_back() {
    let vm = FakeVm::new();
    vm.dpkg_installed(&[]);
    vm.executable(
        &vm.home().join(".pyenv/bin/pyenv"),
        "#!/bin/bash\necho 'pyenv 2.4.17'\n",
    );
    let marker = vm.home().join(".pyenv/versions/3.12.7/bin/python3");
    vm.executable(&marker, "#!/bin/bash\n");
    // The downloaded "installer" is a stub that installs nothing.
    let out = vm.run("bundles/pyenv.sh", &["--force"], &[]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(
        out.stderr
            .contains("pyenv is missing after its installer ran"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "AGSEKIT-RESULT pyenv failed -\n");
    assert!(marker.exists(), "the built Python was lost");
    let strays: Vec<_> = std::fs::read_dir(vm.home())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".pyenv-versions-"))
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
    assert!(
        vm.leftover_tmp().is_empty(),
        "left in /tmp: {:?}",
        vm.leftover_tmp()
    );
}

#[test]
fn a_missing_home_still_ends_with_a_result_line() {
    // `set -u` would kill a script on $HOME before its exit trap exists; it falls back to
    // the passwd entry (or /home/ubuntu) instead.
    let out = Command::new("env")
        .args(["-i", "PATH=/usr/bin:/bin", "bash", "-s", "--", "--bogus"])
        .stdin(composed("bundles/golang.sh"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "AGSEKIT-RESULT golang failed -\n"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("unbound"));
}

#[test]
fn an_unwritable_tmp_fails_with_the_result_line_on_stdout() {
    let out = Command::new("bwrap")
        .args(["--ro-bind", "/", "/", "--dev", "/dev", "--remount-ro", "/"])
        .args(["--tmpfs", "/tmp", "--remount-ro", "/tmp"])
        .args(["--unshare-user", "--uid", "1000", "--gid", "1000"])
        .args([
            "env",
            "-i",
            "HOME=/nonexistent",
            "PATH=/usr/bin:/bin",
            "bash",
            "-s",
        ])
        .stdin(composed("bundles/nvm.sh"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "AGSEKIT-RESULT nvm failed -\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot create a temp folder in /tmp"));
}
