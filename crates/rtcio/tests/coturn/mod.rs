//! A coturn server for tests: started on 127.0.0.1 (or ::1) on free ports with one long-term user,
//! loopback peers allowed, optional TLS with a self-signed certificate made by `openssl`; killed
//! on drop.

use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "rtcio";
pub const PASSWORD: &str = "s3cret";
pub const REALM: &str = "rtcio";

/// A running turnserver.
pub struct Coturn {
    child: Child,
    /// The listening and relay address.
    pub ip: IpAddr,
    /// Plain (UDP and TCP) port.
    pub port: u16,
    /// TLS port, when started with a certificate.
    pub tls_port: Option<u16>,
    /// Working directory (log, certificate).
    pub dir: PathBuf,
}

/// A port free for both UDP and TCP on 127.0.0.1 (best effort: nothing holds it afterwards).
pub fn free_port() -> u16 {
    for _ in 0..50 {
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = tcp.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port");
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("rtcio-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A self-signed certificate for IP 127.0.0.1: (certificate, key) paths.
pub fn self_signed_cert(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl req failed");
    (cert, key)
}

impl Coturn {
    /// Starts turnserver on 127.0.0.1; with `tls` a certificate (cert, key) enables the TLS
    /// listener.
    pub fn start(dir: &Path, tls: Option<(&Path, &Path)>) -> Coturn {
        Self::start_on(dir, IpAddr::from([127, 0, 0, 1]), tls)
    }

    /// Starts turnserver listening and relaying on `ip`.
    pub fn start_on(dir: &Path, ip: IpAddr, tls: Option<(&Path, &Path)>) -> Coturn {
        let port = free_port();
        let tls_port = tls.map(|_| free_port());
        let log = std::fs::File::create(dir.join("turnserver.log")).unwrap();
        let mut cmd = Command::new("turnserver");
        cmd.args(["-n", "-v", "--no-cli", "--log-file=stdout", "--simple-log"])
            .arg(format!(
                "--pidfile={}",
                dir.join("turnserver.pid").display()
            ))
            .arg(format!("--userdb={}", dir.join("turndb").display()))
            .arg(format!("--listening-ip={ip}"))
            .arg(format!("--relay-ip={ip}"))
            .arg(format!("--listening-port={port}"))
            .args(["--lt-cred-mech", "--allow-loopback-peers", "--no-dtls"])
            .arg(format!("--user={USER}:{PASSWORD}"))
            .arg(format!("--realm={REALM}"))
            .args(["--min-port=40000", "--max-port=60000", "--no-rfc5780"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        match (tls, tls_port) {
            (Some((cert, key)), Some(p)) => {
                cmd.arg(format!("--tls-listening-port={p}"))
                    .arg("--cert")
                    .arg(cert)
                    .arg("--pkey")
                    .arg(key);
            }
            _ => {
                cmd.arg("--no-tls");
            }
        }
        let child = cmd.spawn().expect("turnserver runs");
        let server = Coturn {
            child,
            ip,
            port,
            tls_port,
            dir: dir.to_path_buf(),
        };
        server.wait_listening(port);
        if let Some(p) = tls_port {
            server.wait_listening(p);
        }
        server.wait_answering();
        server
    }

    fn wait_listening(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let addr = SocketAddr::new(self.ip, port);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "turnserver not listening on {port}; log in {}",
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until an unauthenticated Allocate over UDP is answered (coturn opens its TCP
    /// listener before its relay threads are ready; a first client would measure the warm-up).
    fn wait_answering(&self) {
        use rtcio_stun::{
            Attribute, Class, MessageBuilder, Method, TransactionId, TransportProtocol,
        };
        let socket = UdpSocket::bind(SocketAddr::new(self.ip, 0)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 1500];
        for i in 0u8.. {
            assert!(Instant::now() < deadline, "turnserver does not answer");
            let mut b = MessageBuilder::new(
                Class::Request,
                Method::ALLOCATE,
                TransactionId::new([i; 12]),
            );
            b.add(&Attribute::RequestedTransport(TransportProtocol::UDP))
                .unwrap();
            let _ = socket.send_to(&b.build(), SocketAddr::new(self.ip, self.port));
            if socket.recv(&mut buf).is_ok() {
                return;
            }
        }
    }

    /// Waits (up to `timeout`) until `needle` occurs `count` times in the log; returns whether
    /// it did.
    pub fn wait_log(&self, needle: &str, count: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.log().matches(needle).count() >= count {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("turnserver.log")).unwrap_or_default()
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
