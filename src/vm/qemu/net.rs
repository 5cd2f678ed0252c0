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

/// The DNS address a guest with no DNS server of its own can ask, when the host's only
/// resolver listens on its loopback: passt forwards queries sent there to that resolver. It
/// is also the address QEMU's user-mode network answers DNS on.
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

/// The DNS servers passt hands the guest through DHCP.
///
/// This passt offers the guest a DNS server only when it is given one (`--dns`), and never a
/// loopback one once the gateway is not mapped to the host (checked on a real VM: with
/// neither, the guest's DHCP lease had no DNS server). So the host's own servers are given:
/// those in `/etc/resolv.conf`, or, when that names only a loopback stub (Ubuntu's and
/// Fedora's systemd-resolved, `127.0.0.53`), the servers behind the stub (`resolved`,
/// systemd-resolved's own list). The guest asks them through passt like any other address.
/// Empty when the host knows no such server: then queries the guest sends to [`DNS`] are
/// forwarded to the host's loopback resolver instead.
pub fn guest_dns(etc_resolv: &str, resolved: Option<&str>) -> Vec<std::net::IpAddr> {
    let usable = |a: &std::net::IpAddr| match a {
        std::net::IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_link_local(),
        // A link-local server means nothing on the guest's own link.
        std::net::IpAddr::V6(v6) => !v6.is_loopback() && !v6.is_unicast_link_local(),
    };
    let own: Vec<_> = nameservers(etc_resolv).into_iter().filter(usable).collect();
    let list = if own.is_empty() {
        resolved
            .map(nameservers)
            .unwrap_or_default()
            .into_iter()
            .filter(usable)
            .collect()
    } else {
        own
    };
    list.into_iter().take(3).collect()
}

/// `passt`'s arguments: in the foreground (agsekit starts it in its own session and records
/// its pid), quiet, gone when QEMU disconnects, no gateway-to-loopback mapping, `dns` as the
/// guest's DNS servers ([`guest_dns`]; when empty, queries to [`DNS`] go to the host's
/// loopback resolver), TCP from `127.0.0.1:ssh_port` to the guest's port 22, and no other
/// forwarded port.
pub fn passt_args(socket: &Path, ssh_port: u16, dns: &[std::net::IpAddr]) -> Vec<OsString> {
    let mut out: Vec<OsString> = [
        "--foreground",
        "--quiet",
        "--one-off",
        "--no-map-gw",
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
    // Given `--dns`, this passt forwards nothing sent to `--dns-forward` (seen on a real VM).
    if dns.is_empty() {
        out.push("--dns-forward".into());
        out.push(DNS.into());
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
        let tcp = words.iter().position(|w| *w == "--tcp-ports").unwrap();
        assert_eq!(words[tcp + 1], "127.0.0.1/40022:22");
        let udp = words.iter().position(|w| *w == "--udp-ports").unwrap();
        assert_eq!(words[udp + 1], "none");
        let sock = words.iter().position(|w| *w == "--socket").unwrap();
        assert_eq!(words[sock + 1], "/s/vms/a b/net.sock");
    }

    #[test]
    fn the_guest_gets_the_hosts_dns_servers_or_the_forward_to_its_loopback_resolver() {
        let ip = |a: &str| a.parse::<std::net::IpAddr>().unwrap();
        let stub = "# systemd-resolved\nnameserver 127.0.0.53\noptions edns0 trust-ad\n";
        let upstream = "nameserver 192.0.2.53\nnameserver fe80::1%eth0\nnameserver 127.0.0.1\n";
        // Behind a loopback stub: its upstream servers, not link-local or loopback ones.
        let dns = guest_dns(stub, Some(upstream));
        assert_eq!(dns, [ip("192.0.2.53")]);
        // A host with real servers in /etc/resolv.conf: those.
        assert_eq!(
            guest_dns("nameserver 10.1.2.3\nnameserver ::1\n", Some(upstream)),
            [ip("10.1.2.3")]
        );
        let args = passt_args(Path::new("/s"), 40022, &dns);
        let words: Vec<&str> = args.iter().map(|a| a.to_str().unwrap()).collect();
        assert!(words.windows(2).any(|w| w == ["--dns", "192.0.2.53"]));
        assert!(!words.contains(&"--dns-forward"));
        // Only a loopback resolver and nothing behind it known: the guest may ask 10.0.2.3,
        // which passt forwards to it.
        let none = guest_dns("nameserver 127.0.0.1\n", None);
        assert!(none.is_empty());
        let args = passt_args(Path::new("/s"), 40022, &none);
        let words: Vec<&str> = args.iter().map(|a| a.to_str().unwrap()).collect();
        assert!(words.windows(2).any(|w| w == ["--dns-forward", DNS]));
        assert!(!words.contains(&"--dns"));
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
