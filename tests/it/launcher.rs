//! The VM-side launcher (`agent_scripts/agsekit-launch`), run directly with bash on this
//! machine. "The project is mounted" is modelled with a bubblewrap bind mount of the project
//! folder onto itself; no VM and no Multipass are involved.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn launcher() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("agent_scripts/agsekit-launch")
}

struct Vm {
    dir: tempfile::TempDir,
}

impl Vm {
    /// A temp "VM home" with a project folder holding one file and a fake agent that
    /// records its argv (NUL-separated), cwd and selected env, then exits with $AGENT_EXIT.
    fn new() -> Self {
        let vm = Vm {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(vm.project().join("sub")).unwrap();
        std::fs::write(vm.project().join("README"), "x").unwrap();
        let bin = vm.home().join(".local/bin");
        std::fs::create_dir_all(&bin).unwrap();
        let agent = bin.join("fakeagent");
        crate::support::write_executable(&agent, "#!/bin/bash\nout=\"$HOME/agent-out\"\nprintf '%s\\0' \"$@\" > \"$out.args\"\npwd > \"$out.cwd\"\nprintf '%s|%s|%s' \"${SECRET_TOKEN-unset}\" \"${HTTP_PROXY-unset}\" \"${HTTPS_PROXY-unset}\" > \"$out.env\"\nexit \"${AGENT_EXIT:-0}\"\n");
        vm
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn project(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    /// Runs the launcher with these arguments; `mounted` binds the project onto itself.
    fn run(&self, mounted: bool, args: &[OsString], stdin: &[u8], exit: i32) -> Output {
        let mut cmd = if mounted {
            let mut c = Command::new("bwrap");
            let p = self.project();
            c.args(["--dev-bind", "/", "/", "--bind"])
                .arg(&p)
                .arg(&p)
                .arg("bash");
            c
        } else {
            Command::new("bash")
        };
        cmd.arg(launcher())
            .args(args)
            .env("HOME", self.home())
            .env("AGENT_EXIT", exit.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("bash/bwrap");
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    fn base_args(&self, workdir: &Path) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        for a in ["--session", "s1", "--mount-root"] {
            args.push(a.into());
        }
        args.push(self.project().into());
        args.push("--workdir".into());
        args.push(workdir.into());
        for a in ["--binary", "fakeagent"] {
            args.push(a.into());
        }
        args
    }

    fn agent_args(&self) -> Vec<Vec<u8>> {
        let raw = std::fs::read(self.home().join("agent-out.args")).unwrap();
        let mut items: Vec<Vec<u8>> = raw.split(|b| *b == 0).map(|s| s.to_vec()).collect();
        items.pop(); // after the final NUL
        items
    }

    fn status(&self) -> String {
        std::fs::read_to_string(self.home().join(".cache/agsekit/launch/s1.status"))
            .unwrap_or_default()
    }
}

fn with_agent(mut args: Vec<OsString>, agent_args: &[OsString]) -> Vec<OsString> {
    args.push("--".into());
    args.push("fakeagent".into());
    args.extend(agent_args.iter().cloned());
    args
}

#[test]
fn arguments_reach_the_agent_byte_for_byte_in_the_workdir() {
    let vm = Vm::new();
    let tricky: Vec<OsString> = vec![
        "a b".into(),
        "it's \"quoted\"".into(),
        "$(touch /tmp/agsekit-pwned)".into(),
        "line1\nline2".into(),
        "".into(),
        "*".into(),
        OsString::from_vec(vec![0x66, 0xff, 0xfe, 0x6f]), // not UTF-8
        "--flag=$HOME".into(),
    ];
    let workdir = vm.project().join("sub");
    let out = vm.run(true, &with_agent(vm.base_args(&workdir), &tricky), b"", 0);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Vec<Vec<u8>> = tricky.iter().map(|a| a.as_bytes().to_vec()).collect();
    assert_eq!(vm.agent_args(), expected);
    let cwd = std::fs::read_to_string(vm.home().join("agent-out.cwd")).unwrap();
    assert_eq!(cwd.trim_end(), workdir.to_str().unwrap());
    assert!(!Path::new("/tmp/agsekit-pwned").exists());
}

#[test]
fn an_unmounted_project_exits_241_quietly_and_records_why() {
    let vm = Vm::new();
    let out = vm.run(false, &with_agent(vm.base_args(&vm.project()), &[]), b"", 0);
    assert_eq!(out.status.code(), Some(241));
    // The host mounts the folder and retries: nothing of this reaches the user.
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(vm.status().starts_with("launcher 241 "), "{}", vm.status());
    assert!(vm.status().contains("is not mounted"), "{}", vm.status());
    assert!(
        !vm.home().join("agent-out.args").exists(),
        "agent must not run"
    );
}

#[test]
fn an_empty_mount_exits_242() {
    let vm = Vm::new();
    std::fs::remove_dir_all(vm.project()).unwrap();
    std::fs::create_dir(vm.project()).unwrap();
    let out = vm.run(true, &with_agent(vm.base_args(&vm.project()), &[]), b"", 0);
    assert_eq!(out.status.code(), Some(242));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(!vm.home().join("agent-out.args").exists());
}

#[test]
fn a_missing_workdir_exits_243_and_a_missing_agent_244() {
    let vm = Vm::new();
    let gone = vm.project().join("nope");
    let out = vm.run(true, &with_agent(vm.base_args(&gone), &[]), b"", 0);
    assert_eq!(out.status.code(), Some(243));

    let mut args = vm.base_args(&vm.project());
    args[7] = "no-such-agent".into(); // the value of --binary
    let out = vm.run(true, &with_agent(args, &[]), b"", 0);
    assert_eq!(out.status.code(), Some(244));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-agent"));
}

#[test]
fn exit_codes_multipass_would_misread_are_mapped_to_254_with_the_real_code_recorded() {
    let vm = Vm::new();
    for (agent_code, expected) in [
        (0, 0),
        (1, 1),
        (3, 3),
        (127, 127),
        (4, 254),
        (250, 254),
        (255, 254),
    ] {
        let _ = std::fs::remove_file(vm.home().join(".cache/agsekit/launch/s1.status"));
        let out = vm.run(
            true,
            &with_agent(vm.base_args(&vm.project()), &[]),
            b"",
            agent_code,
        );
        assert_eq!(out.status.code(), Some(expected), "agent exit {agent_code}");
        if expected == 254 {
            // --read-status prints the record once and removes it.
            let read = Command::new("bash")
                .arg(launcher())
                .args(["--read-status", "s1"])
                .env("HOME", vm.home())
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&read.stdout),
                format!("agent {agent_code}\n")
            );
            assert_eq!(vm.status(), "");
        } else {
            assert_eq!(vm.status(), "");
        }
    }
}

#[test]
fn secrets_come_from_a_0600_env_file_checked_by_hash_never_from_argv() {
    let vm = Vm::new();
    let env_file = vm.home().join(".config/agsekit/env/fake.env");
    let write = vm.run(
        false,
        &["--write-env".into(), env_file.clone().into()],
        b"SECRET_TOKEN=s3cr3t value\nwith newline\0OTHER=1\0",
        0,
    );
    assert_eq!(write.status.code(), Some(0));
    let sha = String::from_utf8_lossy(&write.stdout).trim().to_string();
    assert_eq!(sha.len(), 64);
    let mode = std::fs::metadata(&env_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let mut args = vm.base_args(&vm.project());
    args.extend([
        "--env-file".into(),
        env_file.clone().into(),
        "--env-sha256".into(),
        sha.clone().into(),
    ]);
    let out = vm.run(true, &with_agent(args.clone(), &[]), b"", 0);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = std::fs::read_to_string(vm.home().join("agent-out.env")).unwrap();
    assert_eq!(env, "s3cr3t value\nwith newline|unset|unset");

    // A stale hash (the config changed) makes the launcher refuse, so the host re-sends.
    let stale: Vec<OsString> = args
        .iter()
        .map(|a| {
            if a.as_bytes() == sha.as_bytes() {
                OsString::from("0".repeat(64))
            } else {
                a.clone()
            }
        })
        .collect();
    let out = vm.run(true, &with_agent(stale, &[]), b"", 0);
    assert_eq!(out.status.code(), Some(245));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("s3cr3t"));
}

#[test]
fn a_direct_http_proxy_is_exported_and_proxy_modes_cannot_be_combined() {
    let vm = Vm::new();
    let mut args = vm.base_args(&vm.project());
    args.extend(["--http-proxy-url".into(), "http://127.0.0.1:3128".into()]);
    let out = vm.run(true, &with_agent(args.clone(), &[]), b"", 0);
    assert_eq!(out.status.code(), Some(0));
    let env = std::fs::read_to_string(vm.home().join("agent-out.env")).unwrap();
    assert_eq!(env, "unset|http://127.0.0.1:3128|http://127.0.0.1:3128");

    args.extend(["--proxychains".into(), "socks5://127.0.0.1:1080".into()]);
    let out = vm.run(true, &with_agent(args, &[]), b"", 0);
    assert_eq!(out.status.code(), Some(240));
}

#[test]
fn the_launcher_passes_shellcheck() {
    let out = Command::new("shellcheck").arg(launcher()).output();
    match out {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(e) => panic!("shellcheck is needed for this test (scripts/test installs it): {e}"),
    }
}

#[test]
fn the_host_side_launch_spec_drives_the_real_launcher() {
    use agsekit::config::AgentType;
    use agsekit::run::launch::{env_file_contents, sha256_hex};
    use agsekit::run::{AgentLaunch, ProxyMode};

    let vm = Vm::new();
    let mut agent = agsekit::config::AgentConfig {
        name: "fake".into(),
        agent_type: AgentType::Aider,
        version: None,
        env: Default::default(),
        default_args: vec![],
        vms: vec![],
        proxychains: None,
        http_proxy: None,
    };
    agent.env.insert("SECRET_TOKEN".into(), "tok 'x'".into());
    let contents = env_file_contents(&agent);
    let env_file = vm.home().join("fake.env");
    let write = vm.run(
        false,
        &["--write-env".into(), env_file.clone().into()],
        &contents,
        0,
    );
    // The host's hash and the VM's sha256sum agree, so the launcher accepts the file.
    assert_eq!(
        String::from_utf8_lossy(&write.stdout).trim(),
        sha256_hex(&contents)
    );

    let spec = AgentLaunch {
        session: "s1".into(),
        mount_root: Some(vm.project()),
        workdir: vm.project().join("sub"),
        binary: "fakeagent".into(),
        args: vec!["one two".into(), "--".into()],
        env_file: Some((
            env_file.to_string_lossy().into_owned(),
            sha256_hex(&contents),
        )),
        load_nvm: false,
        proxy: ProxyMode::None,
    };
    let out = vm.run(true, &spec.launcher_args(), b"", 0);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(vm.agent_args(), vec![b"one two".to_vec(), b"--".to_vec()]);
    let env = std::fs::read_to_string(vm.home().join("agent-out.env")).unwrap();
    assert_eq!(env, "tok 'x'|unset|unset");
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

/// `--kill ID` stops the agent of a running session (a launcher in a session of its own, as
/// under `multipass exec` without a terminal), lets the launcher record the agent's end,
/// and leaves the session's pid record removed.
#[test]
fn kill_stops_the_agent_of_a_running_session() {
    let vm = Vm::new();
    let bin = vm.home().join(".local/bin");
    crate::support::write_executable(
        bin.join("slowagent"),
        "#!/bin/sh\necho $$ > \"$HOME/agent.pid\"\nexec sleep 300\n",
    );
    let mut session = Command::new("setsid");
    session
        .arg("bash")
        .arg(launcher())
        .args(["--session", "s-kill", "--no-mount", "--workdir"])
        .arg(vm.project())
        .args(["--binary", "slowagent", "--", "slowagent"])
        .env("HOME", vm.home())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut launcher_child = session.spawn().expect("setsid bash");
    let pid_file = vm.home().join("agent.pid");
    let record = vm.home().join(".cache/agsekit/launch/s-kill.pid");
    for _ in 0..600 {
        if pid_file.exists() && record.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let agent: u32 = std::fs::read_to_string(&pid_file)
        .expect("the agent started")
        .trim()
        .parse()
        .unwrap();
    assert!(alive(agent));

    let out = Command::new("bash")
        .arg(launcher())
        .args(["--kill", "s-kill"])
        .env("HOME", vm.home())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let status = launcher_child.wait().unwrap();
    if alive(agent) {
        let _ = Command::new("kill")
            .args(["-9", &agent.to_string()])
            .status();
        panic!("the agent still runs after --kill");
    }
    // The launcher outlived TERM and recorded the agent's end (128 + 15 = 143).
    assert_eq!(status.code(), Some(143));
    assert!(
        !record.exists(),
        "the pid record is removed with the session"
    );
}

/// A stale pid record naming a process that is not this session's launcher (pids are
/// reused) is removed without signalling anything; an unknown session is not an error.
#[test]
fn kill_never_signals_a_process_that_is_not_the_session_s_launcher() {
    let vm = Vm::new();
    let mut bystander = Command::new("sleep").arg("300").spawn().unwrap();
    let dir = vm.home().join(".cache/agsekit/launch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("old.pid"), format!("{}\n", bystander.id())).unwrap();
    let kill = |session: &str| {
        Command::new("bash")
            .arg(launcher())
            .args(["--kill", session])
            .env("HOME", vm.home())
            .output()
            .unwrap()
    };
    let out = kill("old");
    let still_there = alive(bystander.id());
    let _ = bystander.kill();
    let _ = bystander.wait();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(still_there, "--kill signalled an unrelated process");
    assert!(!dir.join("old.pid").exists());
    assert_eq!(kill("never-ran").status.code(), Some(0));
    assert_eq!(kill("bad/name").status.code(), Some(240));
}

/// `--min-version N`: a launcher older than N refuses before anything runs (240, so the
/// host installs its own copy); N up to its own version runs the agent.
#[test]
fn min_version_refuses_when_the_host_needs_a_newer_launcher() {
    let vm = Vm::new();
    let with_min = |n: &str| {
        let mut args: Vec<OsString> = vec!["--min-version".into(), n.into()];
        args.extend(with_agent(vm.base_args(&vm.project()), &[]));
        vm.run(true, &args, b"", 0)
    };
    let newer = with_min("999");
    assert_eq!(newer.status.code(), Some(240));
    assert!(
        String::from_utf8_lossy(&newer.stderr).contains("the host needs 999"),
        "{newer:?}"
    );
    assert!(
        !vm.home().join("agent-out.args").exists(),
        "agent must not run"
    );
    assert_eq!(with_min("two").status.code(), Some(240));
    let ok = with_min("2");
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert!(vm.home().join("agent-out.args").exists());
}

/// `--http-proxy-upstream` with a pool: the launcher skips a port in use, writes a privoxy
/// config that listens on the first free port and forwards to the upstream, waits until it
/// listens, exports it to the agent, and stops it when the agent ends. `privoxy` is a
/// stand-in here (python3: it records its config and listens), not the real proxy.
#[test]
fn an_upstream_proxy_gets_a_private_privoxy_on_a_free_pool_port() {
    let vm = Vm::new();
    let stub = vm.home().join(".local/bin/privoxy");
    crate::support::write_executable(&stub, format!(
            "#!/usr/bin/env python3\nimport shutil, socket, sys\nconf = sys.argv[-1]\nshutil.copy(conf, {:?})\nlisten = [l.split()[1] for l in open(conf) if l.startswith('listen-address ')][0]\nhost, port = listen.rsplit(':', 1)\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind((host, int(port)))\ns.listen()\nwhile True:\n    s.accept()[0].close()\n",
            vm.home().join("privoxy.conf").display().to_string()
        ));
    // The first port of the pool is taken.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let first = busy.local_addr().unwrap().port();
    let last = first.saturating_add(20);
    let mut args = vm.base_args(&vm.project());
    args.extend([
        "--http-proxy-upstream".into(),
        "socks5://10.1.2.3:1080".into(),
        "--http-proxy-pool".into(),
        format!("{first}-{last}").into(),
    ]);
    let out = vm.run(true, &with_agent(args, &[]), b"", 0);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let env = std::fs::read_to_string(vm.home().join("agent-out.env")).unwrap();
    let proxy = env.split('|').nth(1).unwrap().to_string();
    let port: u16 = proxy
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("HTTP_PROXY is {proxy:?}"))
        .parse()
        .unwrap();
    assert!(
        port > first && port <= last,
        "{port} not in ({first}, {last}]"
    );
    assert_eq!(env, format!("unset|{proxy}|{proxy}"));
    let conf = std::fs::read_to_string(vm.home().join("privoxy.conf")).unwrap();
    assert!(
        conf.contains(&format!("listen-address 127.0.0.1:{port}\n")),
        "{conf}"
    );
    assert!(
        conf.contains("forward-socks5 / 10.1.2.3:1080 .\n"),
        "{conf}"
    );
    // Stopped with the session: the port is free again (bounded wait for the kill to land).
    let mut free = false;
    for _ in 0..50 {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            free = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(free, "the private privoxy still listens on {port}");
    drop(busy);
}

/// The mount checks read /proc/self/mountinfo (no `mountpoint` or `find` process): a mount
/// root whose name has a space and a backslash (escaped there) is found, a folder holding only
/// a hidden file counts as not empty, and the same path unmounted is refused with 241.
#[test]
fn mount_checks_read_mountinfo_with_escaped_names_and_hidden_entries() {
    let vm = Vm::new();
    let odd = vm.dir.path().join("my pro\\ject");
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::write(odd.join(".only-hidden"), "x").unwrap();
    let args = |root: &Path| {
        let mut a: Vec<OsString> = ["--session", "s1", "--mount-root"]
            .iter()
            .map(OsString::from)
            .collect();
        a.push(root.into());
        a.push("--workdir".into());
        a.push(root.into());
        a.extend(["--binary", "fakeagent"].iter().map(OsString::from));
        with_agent(a, &["x".into()])
    };
    let mounted = Command::new("bwrap")
        .args(["--dev-bind", "/", "/", "--bind"])
        .arg(&odd)
        .arg(&odd)
        .arg("bash")
        .arg(launcher())
        .args(args(&odd))
        .env("HOME", vm.home())
        .output()
        .unwrap();
    assert_eq!(
        mounted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&mounted.stderr)
    );
    assert_eq!(vm.agent_args(), [b"x".to_vec()]);
    let unmounted = Command::new("bash")
        .arg(launcher())
        .args(args(&odd))
        .env("HOME", vm.home())
        .output()
        .unwrap();
    assert_eq!(unmounted.status.code(), Some(241));
    // Bad base64 is refused before anything runs.
    let mut bad = args(&odd);
    bad.insert(0, "--b64".into());
    let bad = Command::new("bash")
        .arg(launcher())
        .args(bad)
        .env("HOME", vm.home())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(240));
}
