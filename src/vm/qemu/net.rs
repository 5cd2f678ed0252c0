//! The VM's network: `passt` when the host has it, QEMU's built-in user-mode network
//! otherwise.
//!
//! Both give the guest outbound access and forward a localhost port to its SSH port. They
//! differ in one thing that matters when the agent is the adversary: QEMU's user-mode network
//! (libslirp) maps the guest's gateway address, 10.0.2.2, to the host's own loopback, so a
//! program in the VM reaches every service on the host that listens on 127.0.0.1 only (a
//! development database, a cache, a local web UI, another VM's forwarded SSH port), services
//! their owners believe no other machine can reach. QEMU offers no option to turn that off.
//! `passt` with `--no-map-gw` gives the guest the same outbound access without that mapping;
//! QEMU connects to it through a Unix socket (`-netdev stream`, QEMU 7.2 and later).
//!
//! `passt` runs beside QEMU like virtiofsd: in its own session, its pid beside its socket in
//! the VM's folder, and `--one-off`, so it exits when QEMU closes the connection.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The DNS address the guest is given: passt answers queries sent to it with the host's
/// resolver (also one that listens on the host's loopback, as systemd-resolved's stub does),
/// and it is the address QEMU's user-mode network uses for its own DNS, so a guest configured
/// for either finds it.
pub const DNS: &str = "10.0.2.3";

/// How the VM is connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Net {
    /// `passt` at this path, reached through a Unix socket.
    Passt(PathBuf),
    /// QEMU's user-mode network (the guest reaches the host's loopback at 10.0.2.2).
    User,
}

/// Why the VM gets QEMU's user-mode network, when it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoPasst {
    /// No `passt` program on this host.
    Missing,
    /// This QEMU has no `stream` network backend (QEMU before 7.2).
    OldQemu,
}

/// The `passt` to use: `AGSEKIT_PASST` when set (an empty value or `none` means none, for a
/// host where passt must not be used), else `passt` on PATH.
pub fn find_passt() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AGSEKIT_PASST") {
        if p.is_empty() || p == "none" {
            return None;
        }
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("passt"))
            .find(|p| p.is_file())
    })
}

/// True when `qemu-system-* -netdev help` lists the `stream` backend.
pub fn qemu_has_stream(netdev_help: &str) -> bool {
    netdev_help
        .split(|c: char| c.is_whitespace() || c == ',')
        .any(|word| word == "stream")
}

/// The network a VM gets, from what the host has.
pub fn choose(passt: Option<PathBuf>, netdev_help: &str) -> Result<Net, NoPasst> {
    match passt {
        None => Err(NoPasst::Missing),
        Some(_) if !qemu_has_stream(netdev_help) => Err(NoPasst::OldQemu),
        Some(p) => Ok(Net::Passt(p)),
    }
}

/// Where systemd-resolved lists the servers it asks, when `/etc/resolv.conf` names only its
/// stub on the loopback.
pub const RESOLVED_UPSTREAM: &str = "/run/systemd/resolve/resolv.conf";

/// The `nameserver` addresses of a resolv.conf text, in order.
fn nameservers(text: &str) -> Vec<std::net::IpAddr> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next())
                .flatten()
                .and_then(|a| a.split('%').next())
                .and_then(|a| a.parse().ok())
        })
        .collect()
}

/// The DNS servers passt must hand the guest itself, or none to let passt use the host's
/// `/etc/resolv.conf` as it is.
///
/// With the gateway not mapped to the host, passt leaves loopback resolvers out of what its
/// DHCP offers; on a host whose `/etc/resolv.conf` names only a loopback stub (Ubuntu's and
/// Fedora's systemd-resolved, `127.0.0.53`) the guest would get no DNS server at all. Then
/// the servers behind the stub are given instead (from `resolved`, systemd-resolved's own
/// list), which a guest reaches through passt like any other address. Queries the guest
/// sends to [`DNS`] go to the first of whatever passt uses.
pub fn guest_dns(etc_resolv: &str, resolved: Option<&str>) -> Vec<std::net::IpAddr> {
    if nameservers(etc_resolv).iter().any(|a| !a.is_loopback()) {
        return Vec::new();
    }
    resolved
        .map(nameservers)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| match a {
            std::net::IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_link_local(),
            // A link-local server means nothing on the guest's own link.
            std::net::IpAddr::V6(v6) => !v6.is_loopback() && !v6.is_unicast_link_local(),
        })
        .take(3)
        .collect()
}

/// `passt`'s arguments: in the foreground (agsekit starts it in its own session and records
/// its pid), quiet, gone when QEMU disconnects, no gateway-to-loopback mapping, queries to
/// [`DNS`] answered by the host's resolver, `dns` as the guest's DNS servers when not empty
/// ([`guest_dns`]), TCP from `127.0.0.1:ssh_port` to the guest's port 22, and no other
/// forwarded port.
pub fn passt_args(socket: &Path, ssh_port: u16, dns: &[std::net::IpAddr]) -> Vec<OsString> {
    let mut out: Vec<OsString> = [
        "--foreground",
        "--quiet",
        "--one-off",
        "--no-map-gw",
        "--dns-forward",
        DNS,
        "--udp-ports",
        "none",
        "--tcp-ports",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    out.push(format!("127.0.0.1/{ssh_port}:22").into());
    for addr in dns {
        out.push("--dns".into());
        out.push(addr.to_string().into());
    }
    out.push("--socket".into());
    out.push(socket.into());
    out
}

/// The value of QEMU's `-netdev` option for `net`.
pub fn netdev(net: &Net, socket: &Path, ssh_port: u16) -> OsString {
    match net {
        Net::User => format!("user,id=net0,hostfwd=tcp:127.0.0.1:{ssh_port}-:22").into(),
        Net::Passt(_) => {
            let mut v = OsString::from("stream,id=net0,server=off,addr.type=unix,addr.path=");
            v.push(super::launch::opt_path(socket));
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP_72: &str = "Available netdev backend types:\nsocket\nstream\ndgram\nhubport\ntap\nuser\nvde\nbridge\nvhost-user\nvhost-vdpa\n";
    const HELP_62: &str = "Available netdev backend types:\nsocket\nhubport\ntap\nuser\nvde\nbridge\nvhost-user\nvhost-vdpa\n";

    #[test]
    fn passt_is_used_only_when_it_exists_and_qemu_can_reach_it() {
        let p = PathBuf::from("/usr/bin/passt");
        assert_eq!(choose(Some(p.clone()), HELP_72), Ok(Net::Passt(p.clone())));
        assert_eq!(choose(Some(p), HELP_62), Err(NoPasst::OldQemu));
        assert_eq!(choose(None, HELP_72), Err(NoPasst::Missing));
        // `vhost-user` is not `stream`, nor is a word that merely contains it.
        assert!(!qemu_has_stream("upstream vhost-user"));
    }

    #[test]
    fn passt_keeps_the_guest_off_the_host_loopback_and_forwards_only_ssh() {
        let args = passt_args(Path::new("/s/vms/a b/net.sock"), 40022, &[]);
        let words: Vec<&str> = args.iter().map(|a| a.to_str().unwrap()).collect();
        assert!(words.contains(&"--no-map-gw"));
        assert!(words.contains(&"--one-off"));
        assert!(!words.contains(&"--dns"));
        let tcp = words.iter().position(|w| *w == "--tcp-ports").unwrap();
        assert_eq!(words[tcp + 1], "127.0.0.1/40022:22");
        let udp = words.iter().position(|w| *w == "--udp-ports").unwrap();
        assert_eq!(words[udp + 1], "none");
        let sock = words.iter().position(|w| *w == "--socket").unwrap();
        assert_eq!(words[sock + 1], "/s/vms/a b/net.sock");
    }

    #[test]
    fn the_guest_gets_the_servers_behind_a_loopback_stub_and_nothing_else_changes() {
        let stub = "# systemd-resolved\nnameserver 127.0.0.53\noptions edns0 trust-ad\n";
        let upstream = "nameserver 192.0.2.53\nnameserver fe80::1%eth0\nnameserver 127.0.0.1\n";
        let dns = guest_dns(stub, Some(upstream));
        assert_eq!(dns, ["192.0.2.53".parse::<std::net::IpAddr>().unwrap()]);
        // A host with a real server in /etc/resolv.conf: passt's own reading is right.
        assert!(guest_dns("nameserver 10.1.2.3\n", Some(upstream)).is_empty());
        // Only a loopback resolver and nothing behind it known: nothing to add (the guest can
        // still ask 10.0.2.3, which passt forwards to it).
        assert!(guest_dns("nameserver 127.0.0.1\n", None).is_empty());
        let args = passt_args(Path::new("/s"), 40022, &dns);
        let words: Vec<&str> = args.iter().map(|a| a.to_str().unwrap()).collect();
        assert!(words.windows(2).any(|w| w == ["--dns", "192.0.2.53"]));
        assert!(words.windows(2).any(|w| w == ["--dns-forward", DNS]));
    }

    #[test]
    fn each_network_gets_its_netdev_spelling() {
        assert_eq!(
            netdev(&Net::User, Path::new("/unused"), 40022),
            "user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22"
        );
        assert_eq!(
            netdev(
                &Net::Passt("/usr/bin/passt".into()),
                Path::new("/s/a,b/net.sock"),
                40022
            ),
            "stream,id=net0,server=off,addr.type=unix,addr.path=/s/a,,b/net.sock"
        );
    }
}
