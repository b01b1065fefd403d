//! Throughput of the sans-IO core alone: two associations in one thread exchanging packets in
//! memory without loss. Prints MB/s of delivered user data and the CPU time used.
//!
//! Run with `cargo bench -p rtcio-sctp` (optionally `-- <total MiB>`).
//!
//! With `--features compare-sctp-proto` the same workload also runs through the sans-IO
//! `sctp-proto` crate (the SCTP of webrtc-rs) and the table shows both side by side.

use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcio_sctp::{Association, Config, Event, Reliability};

/// CPU time consumed by this thread so far (Linux `schedstat`), if available.
fn thread_cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

struct Run {
    bytes: usize,
    wall: Duration,
    cpu: Option<Duration>,
    packets: u64,
}

fn connect(cfg: &Config) -> (Association, Association) {
    let now = Instant::now();
    let mut a = Association::new(cfg.clone(), now, b"bench-a");
    let mut b = Association::new(cfg.clone(), now, b"bench-b");
    a.connect(now);
    let mut buf = Vec::new();
    for _ in 0..10 {
        while a.poll_transmit_into(now, &mut buf) {
            b.handle_receive(now, &buf);
        }
        while b.poll_transmit_into(now, &mut buf) {
            a.handle_receive(now, &buf);
        }
    }
    assert!(a.is_established() && b.is_established());
    while a.poll_event().is_some() {}
    while b.poll_event().is_some() {}
    (a, b)
}

fn run(msg_size: usize, total: usize, rel: Reliability, zero_copy: bool, idata: bool) -> Run {
    let cfg = Config {
        max_message_size: msg_size.max(1024),
        enable_interleaving: idata,
        ..Config::default()
    };
    let (mut a, mut b) = connect(&cfg);
    let msg = Bytes::from((0..msg_size).map(|i| i as u8).collect::<Vec<u8>>());
    let mut buf = Vec::with_capacity(cfg.mtu);
    let mut queued = 0usize;
    let mut received = 0usize;
    let cpu0 = thread_cpu_time();
    let t0 = Instant::now();
    while received < total {
        let now = Instant::now();
        while queued < total && a.total_buffered_amount() < 1 << 20 {
            a.send(now, 1, 53, msg.clone(), rel).expect("send");
            queued += msg_size;
        }
        if zero_copy {
            // The DTLS layer hands over each decrypted record as its own buffer.
            while let Some(p) = a.poll_transmit(now) {
                b.handle_receive_bytes(now, Bytes::from(p));
            }
        } else {
            while a.poll_transmit_into(now, &mut buf) {
                b.handle_receive(now, &buf);
            }
        }
        while let Some(e) = b.poll_event() {
            if let Event::StreamData { data, .. } = e {
                received += data.len();
            }
        }
        while b.poll_transmit_into(now, &mut buf) {
            a.handle_receive(now, &buf);
        }
        while a.poll_event().is_some() {}
        if let Some(t) = a.poll_timeout()
            && t <= now
        {
            a.handle_timeout(now);
        }
        if let Some(t) = b.poll_timeout()
            && t <= now
        {
            b.handle_timeout(now);
        }
    }
    let wall = t0.elapsed();
    let cpu = match (cpu0, thread_cpu_time()) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    Run {
        bytes: received,
        wall,
        cpu,
        packets: a.stats().packets_sent + b.stats().packets_sent,
    }
}

/// The same workload through `sctp-proto`: two `Endpoint`/`Association` pairs in one thread,
/// every datagram moved to the other side at once, timers driven like the rtcio loop.
#[cfg(feature = "compare-sctp-proto")]
mod proto {
    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::time::Instant;

    use bytes::Bytes;
    use sctp_proto::{
        Association, AssociationHandle, ClientConfig, DatagramEvent, Endpoint, EndpointConfig,
        Event, Payload, PayloadProtocolIdentifier, ReliabilityType, ServerConfig, StreamEvent,
        TransportConfig,
    };

    use super::{Run, thread_cpu_time};

    const STREAM: u16 = 1;

    struct Peer {
        endpoint: Endpoint,
        handle: Option<AssociationHandle>,
        assoc: Option<Association>,
        addr: SocketAddr,
    }

    impl Peer {
        fn assoc(&mut self) -> &mut Association {
            self.assoc.as_mut().expect("association")
        }
    }

    fn transport(msg_size: usize) -> TransportConfig {
        let max = u32::try_from(msg_size.max(1024)).expect("message size");
        // Same receive window as rtcio's default `Config::max_receive_buffer`.
        TransportConfig::default()
            .with_max_receive_buffer_size(4 << 20)
            .with_max_send_message_size(max)
            .with_max_receive_message_size(max)
    }

    /// Moves every datagram `from` wants to send into `to`; returns the number of datagrams.
    /// Without `zero_copy` each datagram is copied first, as `handle_receive(&[u8])` would.
    fn deliver(from: &mut Peer, to: &mut Peer, now: Instant, zero_copy: bool) -> u64 {
        let mut n = 0;
        let mut out = Vec::new();
        if let Some(a) = from.assoc.as_mut() {
            while let Some(t) = a.poll_transmit(now) {
                out.push(t);
            }
            while let Some(ev) = a.poll_endpoint_event() {
                let h = from.handle.expect("handle");
                if let Some(ev) = from.endpoint.handle_event(h, ev) {
                    a.handle_event(ev);
                }
            }
        }
        while let Some(t) = from.endpoint.poll_transmit() {
            out.push(t);
        }
        for t in out {
            let Payload::RawEncode(datagrams) = t.payload else {
                continue;
            };
            for d in datagrams {
                n += 1;
                let d = if zero_copy {
                    d
                } else {
                    Bytes::copy_from_slice(&d)
                };
                match to.endpoint.handle(now, from.addr, None, None, d) {
                    Some((h, DatagramEvent::NewAssociation(a))) => {
                        to.handle = Some(h);
                        to.assoc = Some(a);
                    }
                    Some((_, DatagramEvent::AssociationEvent(ev))) => to.assoc().handle_event(ev),
                    None => {}
                }
            }
        }
        n
    }

    fn connect(msg_size: usize, mtu: usize) -> (Peer, Peer) {
        let mut ep = EndpointConfig::new();
        // sctp-proto's packet limit is `max_payload_size` + 12 (common header) + 16 (DATA header).
        ep.max_payload_size(u32::try_from(mtu - 28).expect("mtu"));
        let ep = Arc::new(ep);
        let mut server = ServerConfig::new();
        server.transport = Arc::new(transport(msg_size));
        let mut client = ClientConfig::new();
        client.transport = Arc::new(transport(msg_size));
        let mut a = Peer {
            endpoint: Endpoint::new(ep.clone(), None),
            handle: None,
            assoc: None,
            addr: "127.0.0.1:1".parse().expect("addr"),
        };
        let mut b = Peer {
            endpoint: Endpoint::new(ep, Some(Arc::new(server))),
            handle: None,
            assoc: None,
            addr: "127.0.0.1:2".parse().expect("addr"),
        };
        let (h, assoc) = a.endpoint.connect(client, b.addr).expect("connect");
        a.handle = Some(h);
        a.assoc = Some(assoc);
        let now = Instant::now();
        for _ in 0..10 {
            deliver(&mut a, &mut b, now, true);
            deliver(&mut b, &mut a, now, true);
        }
        assert!(!a.assoc().is_handshaking() && !b.assoc().is_handshaking());
        while a.assoc().poll().is_some() {}
        while b.assoc().poll().is_some() {}
        (a, b)
    }

    pub(super) fn run(msg_size: usize, total: usize, unordered: bool, zero_copy: bool) -> Run {
        let (mut a, mut b) = connect(msg_size, 1200);
        let mut stream = a
            .assoc()
            .open_stream(STREAM, PayloadProtocolIdentifier::Binary)
            .expect("open_stream");
        stream
            .set_reliability_params(unordered, ReliabilityType::Reliable, 0)
            .expect("reliability");
        let msg = Bytes::from((0..msg_size).map(|i| i as u8).collect::<Vec<u8>>());
        // rtcio hands the application each message as one contiguous buffer; do the same.
        let mut rx = vec![0u8; msg_size];
        let mut queued = 0usize;
        let mut received = 0usize;
        let mut packets = 0u64;
        let cpu0 = thread_cpu_time();
        let t0 = Instant::now();
        while received < total {
            let now = Instant::now();
            {
                let mut s = a.assoc().stream(STREAM).expect("stream");
                // sctp-proto's buffered amount also counts bytes in flight.
                while queued < total && s.buffered_amount().expect("buffered") < 1 << 20 {
                    s.write_chunks(&mut [msg.clone()]).expect("write");
                    queued += msg_size;
                }
            }
            packets += deliver(&mut a, &mut b, now, zero_copy);
            while let Some(e) = b.assoc().poll() {
                if let Event::Stream(StreamEvent::Opened { .. }) = e {
                    while b.assoc().accept_stream().is_some() {}
                }
            }
            if let Ok(mut s) = b.assoc().stream(STREAM) {
                while let Some(chunks) = s.read_sctp().expect("read") {
                    received += chunks.read(&mut rx).expect("chunks");
                }
            }
            packets += deliver(&mut b, &mut a, now, zero_copy);
            while a.assoc().poll().is_some() {}
            for p in [&mut a, &mut b] {
                if p.assoc().poll_timeout().is_some_and(|t| t <= now) {
                    p.assoc().handle_timeout(now);
                }
            }
        }
        let wall = t0.elapsed();
        let cpu = match (cpu0, thread_cpu_time()) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        let (mut sa, mut sb) = (a.assoc().stats(), b.assoc().stats());
        let t3 = sa.get_num_t3timeouts() + sb.get_num_t3timeouts();
        let fr = sa.get_num_fast_retrans() + sb.get_num_fast_retrans();
        let ack = sa.get_num_ack_timeouts() + sb.get_num_ack_timeouts();
        if t3 + fr + ack > 0 {
            eprintln!("  sctp-proto: {t3} T3 timeouts, {fr} fast retransmits, {ack} SACK timeouts");
        }
        Run {
            bytes: received,
            wall,
            cpu,
            packets,
        }
    }
}

fn rates(r: &Run) -> (f64, Option<f64>) {
    let mbps = r.bytes as f64 / r.wall.as_secs_f64() / 1e6;
    (mbps, r.cpu.map(|c| r.bytes as f64 / c.as_secs_f64() / 1e6))
}

/// Side-by-side table: rtcio and sctp-proto on each case.
#[cfg(feature = "compare-sctp-proto")]
fn compare(mib: usize, cases: &[Case]) {
    let total = mib << 20;
    println!(
        "sctp in-memory throughput, {mib} MiB per case, MTU 1200: rtcio vs sctp-proto \
         (MB/s wall, MB/s per CPU second, packets)"
    );
    println!(
        "{:30} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9} | {:>6}",
        "case", "rtcio", "/CPU-s", "packets", "proto", "/CPU-s", "packets", "ratio"
    );
    let cell = |v: Option<f64>| v.map_or("n/a".into(), |v| format!("{v:.1}"));
    for &(name, size, rel, zero_copy, idata) in cases {
        let ours = run(size, total, rel, zero_copy, idata);
        let (mbps, per_cpu) = rates(&ours);
        let theirs = (!idata).then(|| {
            let unordered = rel == Reliability::UNORDERED;
            proto::run(size, total, unordered, zero_copy)
        });
        let (tm, tc, tp) = match &theirs {
            Some(t) => {
                let (m, c) = rates(t);
                (cell(Some(m)), cell(c), t.packets.to_string())
            }
            // sctp-proto has no I-DATA (RFC 8260) support.
            None => ("no I-DATA".into(), "-".into(), "-".into()),
        };
        let ratio = theirs
            .as_ref()
            .and_then(|t| Some(per_cpu? / rates(t).1?))
            .map_or("-".into(), |r| format!("{r:.2}x"));
        println!(
            "{name:30} {mbps:>9.1} {:>9} {:>9} | {tm:>9} {tc:>9} {tp:>9} | {ratio:>6}",
            cell(per_cpu),
            ours.packets
        );
    }
    println!("ratio = rtcio / sctp-proto, MB per CPU second");
}

/// (name, message size, reliability, zero-copy receive, I-DATA)
type Case = (&'static str, usize, Reliability, bool, bool);

/// rtcio alone, one line per case.
#[cfg(not(feature = "compare-sctp-proto"))]
fn report(mib: usize, cases: &[Case]) {
    let total = mib << 20;
    println!("sctp in-memory throughput, {mib} MiB per case, MTU 1200");
    for &(name, size, rel, zero_copy, idata) in cases {
        let r = run(size, total, rel, zero_copy, idata);
        let (mbps, per_cpu) = rates(&r);
        let cpu = r
            .cpu
            .zip(per_cpu)
            .map(|(c, per_cpu)| {
                format!(
                    "CPU {:.3} s ({per_cpu:.0} MB/s per CPU second)",
                    c.as_secs_f64()
                )
            })
            .unwrap_or_else(|| "CPU n/a".into());
        println!(
            "{name:30} {mbps:8.1} MB/s  wall {:.3} s  {cpu}  {} packets",
            r.wall.as_secs_f64(),
            r.packets
        );
    }
}

fn main() {
    let mib: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(512);
    let r = Reliability::RELIABLE;
    let u = Reliability::UNORDERED;
    let cases: [Case; 7] = [
        ("16 KiB ordered", 16 << 10, r, false, false),
        ("16 KiB ordered, zero-copy rx", 16 << 10, r, true, false),
        ("64 KiB ordered", 64 << 10, r, false, false),
        ("16 KiB unordered", 16 << 10, u, false, false),
        ("1 KiB ordered", 1 << 10, r, false, false),
        ("256 KiB ordered", 256 << 10, r, false, false),
        ("16 KiB ordered, I-DATA", 16 << 10, r, false, true),
    ];
    #[cfg(feature = "compare-sctp-proto")]
    compare(mib, &cases);
    #[cfg(not(feature = "compare-sctp-proto"))]
    report(mib, &cases);
}
