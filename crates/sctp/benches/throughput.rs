//! Throughput of the sans-IO core alone: two associations in one thread exchanging packets in
//! memory without loss. Prints MB/s of delivered user data and the CPU time used.
//!
//! Run with `cargo bench -p rtcio-sctp` (optionally `-- <total MiB>`).

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

fn main() {
    let mib: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(512);
    let total = mib << 20;
    let r = Reliability::RELIABLE;
    let u = Reliability::UNORDERED;
    // (name, message size, reliability, zero-copy receive, I-DATA)
    let cases = [
        ("16 KiB ordered", 16 << 10, r, false, false),
        ("16 KiB ordered, zero-copy rx", 16 << 10, r, true, false),
        ("64 KiB ordered", 64 << 10, r, false, false),
        ("16 KiB unordered", 16 << 10, u, false, false),
        ("1 KiB ordered", 1 << 10, r, false, false),
        ("256 KiB ordered", 256 << 10, r, false, false),
        ("16 KiB ordered, I-DATA", 16 << 10, r, false, true),
    ];
    println!("sctp in-memory throughput, {mib} MiB per case, MTU 1200");
    for (name, size, rel, zero_copy, idata) in cases {
        let r = run(size, total, rel, zero_copy, idata);
        let mbps = r.bytes as f64 / r.wall.as_secs_f64() / 1e6;
        let cpu = r
            .cpu
            .map(|c| {
                let per_cpu = r.bytes as f64 / c.as_secs_f64() / 1e6;
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
