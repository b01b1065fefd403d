//! Interop: rtcio's sans-IO agent on a real UDP socket against aioice (aiortc's ICE library) in
//! a python3 subprocess (`tests/aioice/peer.py`), over 127.0.0.1, in both roles. Each side must
//! select the same pair and application datagrams must flow both ways over it. Credentials and
//! candidates travel as JSON lines on the subprocess's stdin/stdout.
//!
//! aioice comes with aiortc (`scripts/install-deps`); without it these tests fail, they do not
//! skip. Run with `--nocapture` to see the time to connected of each run and the median.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtcio_ice::{
    Agent, AgentConfig, Candidate, CandidateKind, DEFAULT_LOCAL_PREFERENCE, DeterministicRandom,
    IceConnectionState, IceEvent, IceRole, Receive,
};
use serde_json::{Value, json};

/// Every wait is bounded by this (loopback under load drops packets; both sides retransmit).
const PATIENCE: Duration = Duration::from_secs(20);
/// Runs per role for the median time to connected.
const RUNS: usize = 5;

/// The aioice peer: a python3 subprocess speaking JSON lines.
struct AioicePeer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    transcript: Arc<Mutex<String>>,
}

impl AioicePeer {
    fn spawn(role: IceRole) -> AioicePeer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aioice/peer.py");
        let role = match role {
            IceRole::Controlling => "controlling",
            IceRole::Controlled => "controlled",
        };
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(role)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start python3 {script:?}: {e}"));
        let transcript = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = channel();
        let stdout = child.stdout.take().expect("piped");
        let log = transcript.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                log.lock().unwrap().push_str(&format!("{line}\n"));
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut stderr = child.stderr.take().expect("piped");
        let log = transcript.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            log.lock().unwrap().push_str(&text);
        });
        let stdin = child.stdin.take();
        AioicePeer {
            child,
            stdin,
            lines,
            transcript,
        }
    }

    fn fail(&self, what: &str) -> ! {
        std::thread::sleep(Duration::from_millis(100));
        let log = self.transcript.lock().unwrap().clone();
        panic!("aioice peer: {what}\n--- aioice output ---\n{log}");
    }

    /// The next JSON line, if one arrives within `wait`. An `{"error"}` line fails the test.
    fn try_message(&self, wait: Duration) -> Option<Value> {
        match self.lines.recv_timeout(wait) {
            Ok(line) => {
                let value: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| self.fail(&format!("bad line {line:?}: {e}")));
                if let Some(err) = value.get("error") {
                    self.fail(&format!("reported {err}"));
                }
                Some(value)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => self.fail("exited early"),
        }
    }

    fn message(&self, what: &str) -> Value {
        self.try_message(PATIENCE)
            .unwrap_or_else(|| self.fail(&format!("no {what} within {PATIENCE:?}")))
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        if writeln!(stdin, "{line}")
            .and_then(|_| stdin.flush())
            .is_err()
        {
            self.fail("stdin closed");
        }
    }

    /// Says stop and waits for a clean exit.
    fn finish(mut self) {
        self.send("stop");
        self.stdin = None;
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => return,
                Ok(Some(status)) => self.fail(&format!("exited with {status}")),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => self.fail("did not exit"),
            }
        }
    }
}

impl Drop for AioicePeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// rtcio's agent on one UDP socket, driven in real time.
struct Driver {
    agent: Agent,
    socket: UdpSocket,
    local: SocketAddr,
    connected_at: Option<Instant>,
    /// Non-STUN datagrams received (application data).
    data: Vec<String>,
}

impl Driver {
    fn new(role: IceRole) -> Driver {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let local = socket.local_addr().expect("local address");
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        let config = AgentConfig {
            role,
            ..AgentConfig::default()
        };
        let mut agent = Agent::new(config, Box::new(DeterministicRandom::new(seed)));
        agent.add_local_candidate(
            Instant::now(),
            Candidate::host(local, DEFAULT_LOCAL_PREFERENCE),
        );
        Driver {
            agent,
            socket,
            local,
            connected_at: None,
            data: Vec::new(),
        }
    }

    /// Local parameters in the peer script's format (candidates as SDP attribute values).
    fn parameters(&self) -> Value {
        let creds = self.agent.local_credentials();
        let candidates: Vec<String> = self
            .agent
            .local_candidates()
            .iter()
            .map(|c| {
                format!(
                    "{} {} udp {} {} {} typ {}",
                    c.foundation,
                    c.component,
                    c.priority,
                    c.addr.ip(),
                    c.addr.port(),
                    c.kind
                )
            })
            .collect();
        json!({"ufrag": creds.ufrag, "pwd": creds.pwd, "candidates": candidates})
    }

    fn flush(&mut self) {
        while let Some(t) = self.agent.poll_transmit() {
            // Loopback may refuse a datagram under load: the agent retransmits.
            let _ = self.socket.send_to(&t.data, t.to);
        }
        while let Some(event) = self.agent.poll_event() {
            if let IceEvent::ConnectionStateChange(IceConnectionState::Connected) = event {
                self.connected_at.get_or_insert_with(Instant::now);
            }
        }
    }

    /// Runs the agent for at most `max`: one receive (or the next timer), then its outputs.
    fn step(&mut self, max: Duration) {
        self.flush();
        let now = Instant::now();
        let until = self
            .agent
            .poll_timeout()
            .map_or(now + max, |t| t.min(now + max));
        let wait = until
            .saturating_duration_since(now)
            .max(Duration::from_millis(1));
        self.socket.set_read_timeout(Some(wait)).expect("timeout");
        let mut buf = [0u8; 2048];
        if let Ok((n, from)) = self.socket.recv_from(&mut buf) {
            let recv = Receive {
                local_addr: self.local,
                remote_addr: from,
                data: &buf[..n],
            };
            if !self.agent.handle_receive(Instant::now(), recv) {
                self.data
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        }
        let now = Instant::now();
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
        self.flush();
    }

    /// Runs the agent for `d`.
    fn run_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.step(end.saturating_duration_since(Instant::now()));
        }
    }

    fn is_connected(&self) -> bool {
        matches!(
            self.agent.state(),
            IceConnectionState::Connected | IceConnectionState::Completed
        )
    }
}

/// Parses an aioice candidate (`foundation component transport priority host port typ type`).
fn parse_candidate(sdp: &str) -> Candidate {
    let f: Vec<&str> = sdp.split_whitespace().collect();
    assert!(f.len() >= 8 && f[6] == "typ", "aioice candidate {sdp:?}");
    assert!(f[2].eq_ignore_ascii_case("udp"), "aioice candidate {sdp:?}");
    let ip: IpAddr = f[4].parse().expect("candidate address");
    let port: u16 = f[5].parse().expect("candidate port");
    let kind = match f[7] {
        "host" => CandidateKind::Host,
        "srflx" => CandidateKind::ServerReflexive,
        "prflx" => CandidateKind::PeerReflexive,
        "relay" => CandidateKind::Relayed,
        other => panic!("candidate type {other:?}"),
    };
    let priority: u32 = f[3].parse().expect("candidate priority");
    Candidate::remote(kind, SocketAddr::new(ip, port), priority, f[0])
}

fn addr_of(v: &Value) -> SocketAddr {
    let ip: IpAddr = v[0].as_str().and_then(|s| s.parse().ok()).expect("host");
    let port = v[1]
        .as_u64()
        .and_then(|p| u16::try_from(p).ok())
        .expect("port");
    SocketAddr::new(ip, port)
}

/// One session: connect, check the pair on both sides, exchange data. Returns rtcio's time
/// from receiving the remote parameters to `connected`, and aioice's `connect()` duration.
fn session(role: IceRole) -> (Duration, f64) {
    let mut peer = AioicePeer::spawn(role.opposite());
    let mut rtcio = Driver::new(role);

    let remote = peer.message("local parameters");
    let (Some(ufrag), Some(pwd), Some(cands)) = (
        remote["ufrag"].as_str(),
        remote["pwd"].as_str(),
        remote["candidates"].as_array(),
    ) else {
        peer.fail(&format!("bad parameters {remote}"));
    };
    assert!(!cands.is_empty(), "aioice gathered no candidate: {remote}");
    let start = Instant::now();
    rtcio.agent.set_remote_credentials(start, ufrag, pwd);
    for c in cands {
        let cand = parse_candidate(c.as_str().expect("candidate string"));
        assert!(rtcio.agent.add_remote_candidate(start, cand), "{c}");
    }
    rtcio.agent.end_of_remote_candidates(start);
    peer.send(&rtcio.parameters().to_string());

    // Both sides connected.
    let mut aioice = None;
    while !(rtcio.is_connected() && aioice.is_some()) {
        if start.elapsed() > PATIENCE {
            peer.fail(&format!(
                "not connected in {PATIENCE:?}: rtcio {} {:?}",
                rtcio.agent.state(),
                rtcio.agent.stats()
            ));
        }
        rtcio.step(Duration::from_millis(5));
        if let Some(msg) = peer.try_message(Duration::ZERO)
            && msg.get("connected").is_some()
        {
            aioice = Some(msg);
        }
    }
    let aioice = aioice.expect("connected");
    let took = rtcio.connected_at.expect("connected event") - start;
    let aioice_ms = aioice["ms"].as_f64().expect("ms");

    // The same pair on both sides.
    let pair = rtcio.agent.selected_pair().expect("selected pair").clone();
    assert_eq!(pair.from_base(), rtcio.local);
    assert_eq!(addr_of(&aioice["connected"]["local"]), pair.to());
    assert_eq!(addr_of(&aioice["connected"]["remote"]), rtcio.local);

    // Data both ways over the selected pair: pings echoed by aioice, its hellos received here.
    for i in 0..5 {
        let ping = format!("ping {i}");
        let echo = format!("echo {ping}");
        let deadline = Instant::now() + PATIENCE;
        while !rtcio.data.contains(&echo) {
            assert!(Instant::now() < deadline, "no {echo:?}: {:?}", rtcio.data);
            let _ = rtcio.socket.send_to(ping.as_bytes(), pair.to());
            rtcio.run_for(Duration::from_millis(100));
        }
    }
    let deadline = Instant::now() + PATIENCE;
    while rtcio
        .data
        .iter()
        .filter(|d| d.starts_with("hello "))
        .count()
        < 3
    {
        assert!(Instant::now() < deadline, "no hellos: {:?}", rtcio.data);
        rtcio.run_for(Duration::from_millis(50));
    }
    // aioice reported the pings it received.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let msg = peer.try_message(Duration::from_millis(50));
        if msg.is_some_and(|m| m["received"].as_str() == Some("ping 4")) {
            break;
        }
        assert!(Instant::now() < deadline, "aioice did not report ping 4");
        rtcio.step(Duration::from_millis(5));
    }
    assert!(rtcio.is_connected(), "state {}", rtcio.agent.state());
    peer.finish();
    (took, aioice_ms)
}

/// Runs `RUNS` sessions, prints each time to connected and the median, and returns the median.
fn measure(role: IceRole) -> Duration {
    let mut times = Vec::new();
    for run in 0..RUNS {
        let (took, aioice_ms) = session(role);
        println!(
            "rtcio {role:?} run {run}: rtcio connected after {:.1} ms, aioice connect() {aioice_ms:.1} ms",
            took.as_secs_f64() * 1000.0
        );
        times.push(took);
    }
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "rtcio {role:?} vs aioice: median time to connected {:.1} ms over {RUNS} runs",
        median.as_secs_f64() * 1000.0
    );
    median
}

#[test]
fn rtcio_controlling_aioice_controlled() {
    let median = measure(IceRole::Controlling);
    assert!(median < Duration::from_secs(5), "median {median:?}");
}

#[test]
fn rtcio_controlled_aioice_controlling() {
    let median = measure(IceRole::Controlled);
    assert!(median < Duration::from_secs(5), "median {median:?}");
}
