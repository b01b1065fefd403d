//! Interoperability with a DTLS implementation nobody here wrote: the system `openssl s_server`
//! and `openssl s_client` over real UDP on 127.0.0.1. The test owns the socket and drives the
//! sans-IO transport; the exported DTLS-SRTP keys must equal what openssl prints.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use rtcio_dtls::{
    Certificate, DtlsConfig, DtlsEvent, DtlsRole, DtlsTransport, DtlsTransportState, KeyType,
    SrtpKeyingMaterial, SrtpProfile,
};

/// Upper bound of each interop test.
const TEST_DEADLINE: Duration = Duration::from_secs(30);

/// An openssl child process whose stdout is collected line by line.
struct OpensslPeer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    output: String,
    dir: PathBuf,
}

impl OpensslPeer {
    fn spawn(tag: &str, cert: &Certificate, args: &[&str]) -> OpensslPeer {
        let dir = std::env::temp_dir().join(format!("rtcio-dtls-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pem = cert.to_pem().unwrap();
        std::fs::write(dir.join("cert.pem"), pem.certificate).unwrap();
        std::fs::write(dir.join("key.pem"), pem.private_key).unwrap();
        let mut child = Command::new("openssl")
            .args(args)
            .arg("-cert")
            .arg(dir.join("cert.pem"))
            .arg("-key")
            .arg(dir.join("key.pem"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the `openssl` command-line tool is required (apt-get install openssl)");
        let (tx, lines) = channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        OpensslPeer {
            child,
            stdin,
            lines,
            output: String::new(),
            dir,
        }
    }

    /// Collects pending output; true if it contains `needle`.
    fn saw(&mut self, needle: &str) -> bool {
        while let Ok(line) = self.lines.try_recv() {
            self.output.push_str(&line);
            self.output.push('\n');
        }
        self.output.contains(needle)
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// The hex string openssl printed after `Keying material: `.
    fn keying_material(&mut self) -> Option<String> {
        self.saw("Keying material: ");
        let line = self
            .output
            .lines()
            .find(|l| l.contains("Keying material: "))?;
        Some(line.split("Keying material: ").nth(1)?.trim().to_string())
    }

    fn diagnostics(&mut self) -> String {
        let _ = self.child.kill();
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        self.saw("");
        format!("stdout:\n{}\nstderr:\n{stderr}", self.output)
    }
}

impl Drop for OpensslPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Owns the UDP socket and drives the transport in real time.
struct Driver {
    socket: UdpSocket,
    peer: Option<SocketAddr>,
    dtls: DtlsTransport,
    received: Vec<Vec<u8>>,
    states: Vec<DtlsTransportState>,
    deadline: Instant,
}

impl Driver {
    fn new(socket: UdpSocket, peer: Option<SocketAddr>, dtls: DtlsTransport) -> Driver {
        Driver {
            socket,
            peer,
            dtls,
            received: Vec::new(),
            states: Vec::new(),
            deadline: Instant::now() + TEST_DEADLINE,
        }
    }

    /// One turn of the loop: send, wait for a datagram or the timer (at most 20 ms).
    fn turn(&mut self) {
        while let Some(datagram) = self.dtls.poll_transmit() {
            let peer = self.peer.expect("nothing to send before the peer is known");
            self.socket.send_to(&datagram, peer).unwrap();
        }
        let now = Instant::now();
        let wait = self
            .dtls
            .poll_timeout()
            .map_or(Duration::from_millis(20), |t| {
                t.saturating_duration_since(now)
            })
            .clamp(Duration::from_millis(1), Duration::from_millis(20));
        self.socket.set_read_timeout(Some(wait)).unwrap();
        let mut buf = [0u8; 2048];
        if let Ok((n, from)) = self.socket.recv_from(&mut buf) {
            self.peer.get_or_insert(from);
            self.dtls.handle_receive(Instant::now(), &buf[..n]);
        }
        let now = Instant::now();
        if self.dtls.poll_timeout().is_some_and(|t| t <= now) {
            self.dtls.handle_timeout(now);
        }
        while let Some(event) = self.dtls.poll_event() {
            match event {
                DtlsEvent::StateChange(s) => self.states.push(s),
                DtlsEvent::Data(d) => self.received.push(d),
            }
        }
    }

    /// Turns until `done`, panicking with the peer's output at the deadline.
    fn until(
        &mut self,
        peer: &mut OpensslPeer,
        what: &str,
        mut done: impl FnMut(&mut Self, &mut OpensslPeer) -> bool,
    ) {
        while !done(self, peer) {
            if Instant::now() > self.deadline || self.dtls.state() == DtlsTransportState::Failed {
                panic!(
                    "waiting for {what}: state {:?}, error {:?}\n{}",
                    self.dtls.state(),
                    self.dtls.error(),
                    peer.diagnostics()
                );
            }
            self.turn();
        }
    }
}

/// Exporter output laid out as RFC 5764 defines it, rebuilt from the role-split keys.
fn exporter_hex(keys: &SrtpKeyingMaterial, role: DtlsRole) -> String {
    let (client, server) = match role {
        DtlsRole::Client => (
            (&keys.local_key, &keys.local_salt),
            (&keys.remote_key, &keys.remote_salt),
        ),
        DtlsRole::Server => (
            (&keys.remote_key, &keys.remote_salt),
            (&keys.local_key, &keys.local_salt),
        ),
    };
    [client.0, server.0, client.1, server.1]
        .iter()
        .flat_map(|part| part.iter())
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn transport(role: DtlsRole, remote: &Certificate) -> DtlsTransport {
    let mut config = DtlsConfig::new(role, Certificate::generate(KeyType::EcdsaP256).unwrap());
    config.remote_fingerprints = vec![remote.fingerprint()];
    DtlsTransport::new(config).unwrap()
}

/// Exercises data both ways and checks the keys once connected.
fn converse(driver: &mut Driver, peer: &mut OpensslPeer, role: DtlsRole, profile: SrtpProfile) {
    driver.until(peer, "handshake", |d, _| {
        d.dtls.state() == DtlsTransportState::Connected
    });
    driver.until(peer, "openssl's keying material", |_, p| {
        p.keying_material().is_some()
    });
    let keys = driver
        .dtls
        .srtp_keying_material()
        .expect("use_srtp negotiated")
        .clone();
    assert_eq!(keys.profile, profile);
    assert_eq!(peer.keying_material().unwrap(), exporter_hex(&keys, role));
    assert_eq!(
        peer.keying_material().unwrap().len(),
        2 * profile.keying_material_len()
    );

    peer.type_line("hello from openssl\n");
    driver.until(peer, "data from openssl", |d, _| {
        d.received.iter().any(|m| m == b"hello from openssl\n")
    });
    driver.dtls.send(b"hello from rtcio\n").unwrap();
    driver.until(peer, "openssl printing our data", |_, p| {
        p.saw("hello from rtcio")
    });
}

#[test]
fn rtcio_server_with_openssl_s_client() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port().to_string();
    let openssl_cert = Certificate::generate(KeyType::EcdsaP256).unwrap();
    let mut dtls = transport(DtlsRole::Server, &openssl_cert);
    dtls.start(Instant::now());
    let connect = format!("127.0.0.1:{port}");
    let mut peer = OpensslPeer::spawn(
        "s_client",
        &openssl_cert,
        &[
            "s_client",
            "-dtls1_2",
            "-connect",
            &connect,
            "-use_srtp",
            "SRTP_AES128_CM_SHA1_80",
            "-keymatexport",
            "EXTRACTOR-dtls_srtp",
            "-keymatexportlen",
            "60",
        ],
    );
    let mut driver = Driver::new(socket, None, dtls);
    converse(
        &mut driver,
        &mut peer,
        DtlsRole::Server,
        SrtpProfile::Aes128CmHmacSha1_80,
    );

    // End of input makes s_client send close_notify.
    drop(peer.stdin.take());
    driver.until(&mut peer, "close_notify from s_client", |d, _| {
        d.dtls.state() == DtlsTransportState::Closed
    });
    assert_eq!(
        driver.states,
        [
            DtlsTransportState::Connecting,
            DtlsTransportState::Connected,
            DtlsTransportState::Closed
        ]
    );
}

#[test]
fn rtcio_client_with_openssl_s_server() {
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let accept = format!("127.0.0.1:{port}");
    let openssl_cert = Certificate::generate(KeyType::Rsa2048).unwrap();
    // s_server uses a HelloVerifyRequest cookie exchange and requests our certificate.
    let mut peer = OpensslPeer::spawn(
        "s_server",
        &openssl_cert,
        &[
            "s_server",
            "-dtls1_2",
            "-accept",
            &accept,
            "-naccept",
            "1",
            "-verify",
            "1",
            "-use_srtp",
            "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
            "-keymatexport",
            "EXTRACTOR-dtls_srtp",
            "-keymatexportlen",
            "56",
        ],
    );
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let dtls = transport(DtlsRole::Client, &openssl_cert);
    let mut driver = Driver::new(socket, Some(accept.parse().unwrap()), dtls);
    driver.until(&mut peer, "s_server to listen", |_, p| p.saw("ACCEPT"));
    driver.dtls.start(Instant::now());
    converse(
        &mut driver,
        &mut peer,
        DtlsRole::Client,
        SrtpProfile::AeadAes128Gcm,
    );
    // ClientHello, ClientHello with the cookie, then the key exchange flight.
    assert_eq!(driver.dtls.stats().handshake_flights_sent, 3);

    driver.dtls.close();
    driver.turn();
    driver.until(&mut peer, "s_server to see close_notify", |_, p| {
        p.saw("DONE")
    });
}
