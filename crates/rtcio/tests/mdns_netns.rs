//! mDNS resolution across a real link, IPv6 included: the test re-runs itself inside a network
//! namespace it creates (and always deletes) with a veth pair `va`–`vb`. The resolver queries
//! out of `va` (by its IPv4 address, and by its IPv6 address, so by interface index);
//! a responder joined to 224.0.0.251 and ff02::fb on `vb` answers. The loopback interface can
//! not carry IPv6 multicast here, so this is where ff02::fb is exercised. Then aioice's
//! responder, which answers on the group only, is resolved the same way.
//!
//! Needs root (CAP_NET_ADMIN) and `ip`; without them the test fails, it does not skip.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rtcio::mdns::MdnsResolver;
use rtcio_ice::mdns::{MDNS_IPV4, MDNS_IPV6, MDNS_PORT, Message, encode_response};
use socket2::{Domain, Protocol, Socket, Type};

/// Set in the re-run inside the namespace.
const INSIDE: &str = "RTCIO_MDNS_NETNS_INSIDE";
const TEST: &str = "resolves_over_a_veth_pair_in_ipv4_and_ipv6";
const VA_V4: Ipv4Addr = Ipv4Addr::new(10, 99, 0, 1);
const VB_V4: Ipv4Addr = Ipv4Addr::new(10, 99, 0, 2);

/// A network namespace, deleted on drop.
struct Netns(String);

impl Netns {
    fn create() -> Netns {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("rtcio-mdns-{}-{nanos:x}", std::process::id());
        ip(&["netns", "add", &name]);
        let ns = Netns(name);
        ns.exec(&["sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"]);
        ns.exec(&["sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0"]);
        // Both ends are in one namespace: vb must accept packets from va's (local) address.
        for conf in ["all", "default"] {
            ns.exec(&[
                "sysctl",
                "-qw",
                &format!("net.ipv4.conf.{conf}.accept_local=1"),
            ]);
            ns.exec(&[
                "sysctl",
                "-qw",
                &format!("net.ipv4.conf.{conf}.rp_filter=0"),
            ]);
        }
        let n = ns.0.clone();
        ip(&["-n", &n, "link", "set", "lo", "up"]);
        ip(&[
            "-n", &n, "link", "add", "va", "type", "veth", "peer", "name", "vb",
        ]);
        ip(&["-n", &n, "addr", "add", &format!("{VA_V4}/24"), "dev", "va"]);
        ip(&["-n", &n, "addr", "add", &format!("{VB_V4}/24"), "dev", "vb"]);
        // Fixed IPv6 addresses without duplicate address detection: usable at once.
        ip(&["-n", &n, "addr", "add", "fd99::1/64", "dev", "va", "nodad"]);
        ip(&["-n", &n, "addr", "add", "fd99::2/64", "dev", "vb", "nodad"]);
        ip(&["-n", &n, "link", "set", "va", "up"]);
        ip(&["-n", &n, "link", "set", "vb", "up"]);
        // Group traffic of sockets that name no interface (aioice's) goes out of vb.
        ip(&["-n", &n, "route", "add", "224.0.0.0/4", "dev", "vb"]);
        ns
    }

    fn exec(&self, args: &[&str]) {
        let mut all = vec!["netns", "exec", &self.0];
        all.extend_from_slice(args);
        ip(&all);
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ip {args:?}: {e}"));
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn resolves_over_a_veth_pair_in_ipv4_and_ipv6() {
    if std::env::var_os(INSIDE).is_some() {
        return inside();
    }
    let ns = Netns::create();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(&exe)
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .spawn()
        .expect("re-run the test in the namespace");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the run in the namespace took more than 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "the run in the namespace failed: {status}"
    );
}

/// Answers A/AAAA questions for `name` with `addr`, directly to the querier, until `stop`.
fn responder(socket: UdpSocket, name: String, addr: IpAddr, stop: Arc<AtomicBool>) {
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut buf = [0u8; 1500];
    while !stop.load(Ordering::Relaxed) {
        let Ok((n, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let Ok(msg) = Message::parse(&buf[..n]) else {
            continue;
        };
        if !msg.is_response && msg.questions.iter().any(|q| q.name == name) {
            let resp = encode_response(msg.id, &name, &[addr], 120).unwrap();
            let _ = socket.send_to(&resp, from);
        }
    }
}

fn mdns_socket(domain: Domain) -> Socket {
    let s = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).unwrap();
    s.set_reuse_address(true).unwrap();
    if domain == Domain::IPV6 {
        s.set_only_v6(true).unwrap();
        s.bind(&SocketAddr::from((Ipv6Addr::UNSPECIFIED, MDNS_PORT)).into())
            .unwrap();
    } else {
        s.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, MDNS_PORT)).into())
            .unwrap();
    }
    s
}

fn inside() {
    let interfaces = if_addrs::get_if_addrs().unwrap();
    let find = |name: &str, v6: bool| {
        interfaces
            .iter()
            .find(|i| i.name == name && i.ip().is_ipv6() == v6 && !i.is_link_local())
            .unwrap_or_else(|| panic!("{name} has no address (v6: {v6}): {interfaces:?}"))
    };
    let va_v6 = find("va", true).ip();
    let vb_index = find("vb", true).index.expect("vb index");

    let v4 = mdns_socket(Domain::IPV4);
    v4.join_multicast_v4(&MDNS_IPV4, &VB_V4).unwrap();
    let v6 = mdns_socket(Domain::IPV6);
    v6.join_multicast_v6(&MDNS_IPV6, vb_index).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let answer_v4: IpAddr = "192.0.2.80".parse().unwrap();
    let answer_v6: IpAddr = "2001:db8::80".parse().unwrap();
    let threads = [
        (v4, "veth4.local", answer_v4),
        (v6, "veth6.local", answer_v6),
    ]
    .map(|(s, name, addr)| {
        let stop = stop.clone();
        std::thread::spawn(move || responder(s.into(), name.into(), addr, stop))
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // IPv4: out of va by its address.
        let resolver = MdnsResolver::for_addresses(&[IpAddr::V4(VA_V4)]);
        assert_eq!(resolver.resolve("veth4.local").await.unwrap(), [answer_v4]);
        // IPv6 only: out of va by its index (found from its address), to ff02::fb.
        let resolver = MdnsResolver::for_addresses(&[va_v6]);
        assert!(resolver.has_interfaces());
        let start = Instant::now();
        assert_eq!(resolver.resolve("VETH6.local").await.unwrap(), [answer_v6]);
        assert!(start.elapsed() < Duration::from_secs(3));
    });
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    aioice_responder();
}

/// aioice's responder (behind vb, answering on the group only) resolved from va.
fn aioice_responder() {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aiortc/mdns_publish.py");
    let name = "aioice-8e0b1c9e-47f5-4d0c-9f4e-2b6f1a3c5d7e.local";
    let mut child = Command::new("python3")
        .arg(&script)
        .args([name, "192.0.2.81"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start python3 {script:?}: {e}"));
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let _ = std::io::BufRead::read_line(&mut stdout, &mut line);
    if line.trim() != "ready" {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "aioice's responder did not start (is aioice installed? scripts/install-deps): {line:?}"
        );
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = rt.block_on(MdnsResolver::for_addresses(&[IpAddr::V4(VA_V4)]).resolve(name));
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(result.unwrap(), ["192.0.2.81".parse::<IpAddr>().unwrap()]);
}
