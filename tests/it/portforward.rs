//! `agsekit portforward` against a REAL `sshd` on loopback standing in for the VM (the FAKE
//! multipass reports 127.0.0.1 as the VM's address via `FAKE_MULTIPASS_IPV4`): bytes must
//! really flow through the -L and -R tunnels, a killed tunnel must come back, and `status`
//! must see the tunnels; `doctor` must tell whether the "VM" accepts the key. Skipped, with
//! the reason printed, when sshd cannot run here.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{FakeMultipass, Sandbox};

const VM: &str = "agent-ubuntu";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Kills the child (and waits for it) when dropped, so a failed test leaves nothing running.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn keygen(path: &Path) {
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen");
    assert!(st.success());
}

fn user_name() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Starts sshd on a free loopback port as the current user, accepting `authorized`.
/// `Err(reason)` when it cannot run here.
fn start_sshd(dir: &Path, authorized: &Path) -> Result<(Killed, u16), String> {
    let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or("sshd is not installed (Debian: apt-get install openssh-server)")?;
    if Command::new("ssh").arg("-V").output().is_err() {
        return Err("the ssh client is not installed".into());
    }
    let host_key = dir.join("host_key");
    keygen(&host_key);
    let port = free_port();
    let config = dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {hk}\nAuthorizedKeysFile {ak}\nPidFile none\nUsePAM no\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nAllowTcpForwarding yes\nPermitRootLogin yes\nGatewayPorts no\n",
            hk = host_key.display(),
            ak = authorized.display()
        ),
    )
    .expect("sshd_config");
    // As root, sshd wants its privilege-separation folder.
    let _ = std::fs::create_dir_all("/run/sshd");
    let log = std::fs::File::create(dir.join("sshd.log")).expect("log");
    let child = Command::new(&sshd)
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", sshd.display()))?;
    let mut guard = Killed(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(st)) = guard.0.try_wait() {
            let text = std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default();
            return Err(format!("sshd exited with {st}: {text}"));
        }
        if Instant::now() > deadline {
            return Err("sshd did not listen within 20 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((guard, port))
}

/// A TCP echo server on a free port, in a thread.
fn echo_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind echo");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if conn.write_all(&buf[..n]).is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    port
}

/// Sends `msg` to `port` and reads it back; `None` while the tunnel is not up.
fn round_trip(port: u16, msg: &[u8]) -> Option<Vec<u8>> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(msg).ok()?;
    let mut got = vec![0u8; msg.len()];
    s.read_exact(&mut got).ok()?;
    Some(got)
}

/// Connects through a SOCKS5 proxy on `proxy` to 127.0.0.1:`target` and echoes `msg`.
fn socks5_round_trip(proxy: u16, target: u16, msg: &[u8]) -> Option<Vec<u8>> {
    let mut s = TcpStream::connect(("127.0.0.1", proxy)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(&[5, 1, 0]).ok()?;
    let mut hello = [0u8; 2];
    s.read_exact(&mut hello).ok()?;
    if hello != [5, 0] {
        return None;
    }
    let [hi, lo] = target.to_be_bytes();
    s.write_all(&[5, 1, 0, 1, 127, 0, 0, 1, hi, lo]).ok()?;
    let mut reply = [0u8; 10];
    s.read_exact(&mut reply).ok()?;
    if reply[1] != 0 {
        return None;
    }
    s.write_all(msg).ok()?;
    let mut got = vec![0u8; msg.len()];
    s.read_exact(&mut got).ok()?;
    Some(got)
}

fn wait_round_trip(port: u16, msg: &[u8], what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if round_trip(port, msg).as_deref() == Some(msg) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: no echo through the tunnel within 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn record(home: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(home.join(".local/state/agsekit/portforward.json")).ok()?;
    serde_json::from_str(&text).ok()
}

#[test]
fn portforward_real_sshd_fake_multipass_bytes_flow_through_local_and_remote_tunnels() {
    let sb = Sandbox::new();
    let keys = sb.home().join("keys");
    std::fs::create_dir_all(&keys).expect("keys");
    keygen(&keys.join("id_rsa"));
    let (_sshd, ssh_port) = match start_sshd(sb.home(), &keys.join("id_rsa.pub")) {
        Ok(s) => s,
        Err(why) => {
            println!("SKIPPED portforward_real_sshd test: {why}");
            return;
        }
    };
    let echo = echo_server();
    let local = free_port();
    let remote = free_port();
    let socks = free_port();
    // The ssh that agsekit runs: the real client, pointed at the test's sshd port and user.
    let wrapper = sb.home().join("ssh-wrapper");
    crate::support::write_executable(
        &wrapper,
        format!(
            "#!/bin/sh\nexec ssh -p {ssh_port} -l {} \"$@\"\n",
            user_name()
        ),
    );

    let config = sb.home().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "global:\n  ssh_keys_folder: {keys}\n  portforward_config_check_interval_sec: 1\nvms:\n  {VM}:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n    port-forwarding:\n      - {{type: local, host-addr: \"127.0.0.1:{local}\", vm-addr: \"127.0.0.1:{echo}\"}}\n      - {{type: remote, host-addr: \"127.0.0.1:{echo}\", vm-addr: \"127.0.0.1:{remote}\"}}\n      - {{type: socks5, vm-addr: \"127.0.0.1:{socks}\"}}\n",
            keys = keys.display()
        ),
    )
    .expect("config");
    let fake = FakeMultipass::new(sb.home());
    fake.launch(VM);

    let log = std::fs::File::create(sb.home().join("portforward.out")).expect("out");
    let child = Command::new(assert_cmd::cargo::cargo_bin("agsekit"))
        .arg("--config")
        .arg(&config)
        .arg("portforward")
        .env("HOME", sb.home())
        .env_remove("XDG_STATE_HOME")
        .env_remove("CONFIG_PATH")
        .env("AGSEKIT_MULTIPASS", &fake.bin)
        .env("FAKE_MULTIPASS_STATE", &fake.state_dir)
        .env("FAKE_MULTIPASS_IPV4", "127.0.0.1")
        .env("AGSEKIT_SSH", &wrapper)
        .stdout(log.try_clone().expect("clone"))
        .stderr(log)
        .spawn()
        .expect("start portforward");
    let mut pf = Killed(child);

    // -L: the host listens on `local`, sshd ("the VM") connects to the echo server.
    wait_round_trip(local, b"through -L", "local forward");
    // -R: sshd ("the VM") listens on `remote`, the host side connects to the echo server.
    wait_round_trip(remote, b"through -R", "remote forward");

    // socks5: a SOCKS proxy listening "in the VM" (sshd's side), leaving through the host.
    let deadline = Instant::now() + Duration::from_secs(60);
    while socks5_round_trip(socks, echo, b"through socks").as_deref()
        != Some(b"through socks".as_slice())
    {
        assert!(
            Instant::now() < deadline,
            "no echo through the SOCKS proxy in the VM"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // status sees the tunnel, run by the `portforward` command.
    let out = sb
        .agsekit_with(&fake)
        .env("FAKE_MULTIPASS_IPV4", "127.0.0.1")
        .env_remove("XDG_STATE_HOME")
        .arg("--config")
        .arg(&config)
        .args(["status", "--json"])
        .output()
        .expect("status");
    let j: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(j["port_forwards"][0]["up"], true, "{}", j["port_forwards"]);
    assert_eq!(j["port_forwards"][0]["managed_by"], "portforward");
    assert_eq!(j["port_forwards"][1]["up"], true);

    // A second supervisor is refused while this one runs.
    sb.agsekit_with(&fake)
        .env_remove("XDG_STATE_HOME")
        .arg("--config")
        .arg(&config)
        .arg("portforward")
        .assert()
        .code(6)
        .stderr(predicates::str::contains("already running"));

    // Kill the ssh process: the supervisor restarts it and bytes flow again.
    let rec = record(sb.home()).expect("record");
    let ssh_pid = rec["tunnels"][0]["pid"].as_u64().expect("ssh pid") as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(ssh_pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill ssh");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = record(sb.home()).and_then(|r| r["tunnels"][0]["pid"].as_u64());
        if now.is_some_and(|p| p as i32 != ssh_pid) {
            break;
        }
        assert!(Instant::now() < deadline, "the tunnel was not restarted");
        std::thread::sleep(Duration::from_millis(200));
    }
    wait_round_trip(local, b"again", "local forward after restart");

    // The config is re-read: a new rule gets its tunnel without a restart of the command.
    let extra = free_port();
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace(
            "    port-forwarding:\n",
            &format!(
                "    port-forwarding:\n      - {{type: local, host-addr: \"127.0.0.1:{extra}\", vm-addr: \"127.0.0.1:{echo}\"}}\n"
            ),
        ),
    )
    .expect("new rule");
    wait_round_trip(extra, b"new rule", "local forward added to the config");

    // SIGTERM stops the supervisor and its tunnels.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pf.0.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("term");
    let st = pf.0.wait().expect("wait");
    assert!(st.success(), "portforward exit: {st}");
    assert!(record(sb.home()).is_none(), "the record is removed on exit");
    let out = std::fs::read_to_string(sb.home().join("portforward.out")).unwrap_or_default();
    assert!(out.contains("tunnel up to 127.0.0.1"), "{out}");
    assert!(out.contains("ssh exited with code"), "{out}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", local)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the ssh tunnel outlived the supervisor"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // A supervisor killed outright leaves its ssh running; the next one stops it.
    let start = || {
        Command::new(assert_cmd::cargo::cargo_bin("agsekit"))
            .arg("--config")
            .arg(&config)
            .arg("portforward")
            .env("HOME", sb.home())
            .env_remove("XDG_STATE_HOME")
            .env_remove("CONFIG_PATH")
            .env("AGSEKIT_MULTIPASS", &fake.bin)
            .env("FAKE_MULTIPASS_STATE", &fake.state_dir)
            .env("FAKE_MULTIPASS_IPV4", "127.0.0.1")
            .env("AGSEKIT_SSH", &wrapper)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start portforward")
    };
    let mut killed = Killed(start());
    wait_round_trip(local, b"second", "local forward, second supervisor");
    let orphan = record(sb.home()).expect("record")["tunnels"][0]["pid"]
        .as_u64()
        .expect("pid") as i32;
    killed.0.kill().expect("kill -9");
    let _ = killed.0.wait();
    let orphan_alive = || {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(orphan), None).is_ok()
            && !std::fs::read_to_string(format!("/proc/{orphan}/stat"))
                .map(|s| s.contains(") Z"))
                .unwrap_or(true)
    };
    assert!(
        orphan_alive(),
        "SIGKILL gave the supervisor no chance to stop ssh"
    );
    let _third = Killed(start());
    let deadline = Instant::now() + Duration::from_secs(30);
    while orphan_alive() {
        assert!(
            Instant::now() < deadline,
            "the orphaned ssh was not stopped"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    wait_round_trip(local, b"third", "local forward, third supervisor");
}

#[test]
fn doctor_real_sshd_fake_multipass_says_whether_the_vm_accepts_the_key() {
    let sb = Sandbox::new();
    let keys = sb.home().join("keys");
    std::fs::create_dir_all(&keys).expect("keys");
    keygen(&keys.join("id_rsa"));
    let authorized = sb.home().join("authorized_keys");
    std::fs::copy(keys.join("id_rsa.pub"), &authorized).expect("authorize");
    let (_sshd, ssh_port) = match start_sshd(sb.home(), &authorized) {
        Ok(s) => s,
        Err(why) => {
            println!("SKIPPED doctor_real_sshd test: {why}");
            return;
        }
    };
    let wrapper = sb.home().join("ssh-wrapper");
    crate::support::write_executable(
        &wrapper,
        format!(
            "#!/bin/sh\nexec ssh -p {ssh_port} -l {} \"$@\"\n",
            user_name()
        ),
    );
    let config = sb.home().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "global:\n  ssh_keys_folder: {}\nvms:\n  {VM}: {{cpu: 1, ram: 1G, disk: 5G}}\n",
            keys.display()
        ),
    )
    .expect("config");
    let fake = FakeMultipass::new(sb.home());
    fake.launch(VM);
    let doctor = || {
        let out = sb
            .agsekit_with(&fake)
            .env_remove("XDG_STATE_HOME")
            .env("FAKE_MULTIPASS_IPV4", "127.0.0.1")
            .env("AGSEKIT_SSH", &wrapper)
            .arg("--config")
            .arg(&config)
            .arg("doctor")
            .output()
            .expect("doctor");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = doctor();
    assert!(
        out.contains("ok    ssh agent-ubuntu: 127.0.0.1 accepts the key"),
        "{out}"
    );

    // Another key pair: sshd refuses it, and doctor says so with the fix.
    std::fs::remove_file(keys.join("id_rsa")).expect("rm");
    std::fs::remove_file(keys.join("id_rsa.pub")).expect("rm");
    keygen(&keys.join("id_rsa"));
    let out = doctor();
    assert!(
        out.contains("warn  ssh agent-ubuntu: 127.0.0.1 refuses agsekit's key"),
        "{out}"
    );
    assert!(out.contains("Permission denied"), "{out}");
    assert!(out.contains("fix: agsekit create-vm agent-ubuntu"), "{out}");
}

#[test]
fn portforward_fake_multipass_explains_privileged_ports_and_waits_for_a_stopped_vm() {
    let sb = Sandbox::new();
    let config = sb.home().join("config.yaml");
    let keys = sb.home().join("keys");
    std::fs::create_dir_all(&keys).expect("keys");
    std::fs::write(keys.join("id_rsa"), "key").expect("key");
    std::fs::write(
        &config,
        format!(
            "global:\n  ssh_keys_folder: {}\nvms:\n  {VM}:\n    cpu: 1\n    ram: 1G\n    disk: 5G\n    port-forwarding:\n      - {{type: remote, host-addr: \"127.0.0.1:8080\", vm-addr: \"0.0.0.0:443\"}}\n",
            keys.display()
        ),
    )
    .expect("config");
    let fake = FakeMultipass::new(sb.home());
    fake.launch(VM);
    fake.ok(&["stop", VM]);
    let out_path = sb.home().join("out");
    let out = std::fs::File::create(&out_path).expect("out");
    let child = Command::new(assert_cmd::cargo::cargo_bin("agsekit"))
        .arg("--config")
        .arg(&config)
        .arg("portforward")
        .env("HOME", sb.home())
        .env_remove("XDG_STATE_HOME")
        .env("AGSEKIT_MULTIPASS", &fake.bin)
        .env("FAKE_MULTIPASS_STATE", &fake.state_dir)
        .stdout(out.try_clone().expect("clone"))
        .stderr(out)
        .spawn()
        .expect("start");
    let mut pf = Killed(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        let text = std::fs::read_to_string(&out_path).unwrap_or_default();
        if text.contains("not forwarding yet") {
            break text;
        }
        assert!(Instant::now() < deadline, "{text}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        text.contains("[agent-ubuntu] note: VM port 443 is privileged"),
        "{text}"
    );
    assert!(
        text.contains(
            "the VM is stopped (`agsekit start-vm agent-ubuntu` starts it); retrying in 1 s"
        ),
        "{text}"
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pf.0.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("term");
    assert!(pf.0.wait().expect("wait").success());
}
