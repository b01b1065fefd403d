//! DTLS handshake cost in memory (no sockets): what one connection's DTLS set-up costs in CPU,
//! step by step, so connect-time work can be told apart from network round trips.
//!
//! `cargo bench -p rtcio-dtls --bench handshake` (`HANDSHAKE_ROUNDS`, default 300) prints
//! microseconds per step, median and p90 over the rounds.

use std::time::{Duration, Instant};

use rtcio_dtls::{Certificate, DtlsConfig, DtlsRole, DtlsTransport, DtlsTransportState, KeyType};

/// The steps of one handshake, in the order they run on a loopback connect's critical path.
const STEPS: [&str; 7] = [
    "new (client + server)",
    "client: ClientHello",
    "server: ServerHello..ServerHelloDone",
    "client: Certificate..Finished",
    "server: ChangeCipherSpec, Finished",
    "client: process Finished",
    "total",
];

fn transports(certs: &[Certificate; 2]) -> (DtlsTransport, DtlsTransport) {
    let mut client = DtlsConfig::new(DtlsRole::Client, certs[0].clone());
    client.remote_fingerprints = vec![certs[1].fingerprint()];
    let mut server = DtlsConfig::new(DtlsRole::Server, certs[1].clone());
    server.remote_fingerprints = vec![certs[0].fingerprint()];
    let c = DtlsTransport::new(client).expect("client config");
    let s = DtlsTransport::new(server).expect("server config");
    (c, s)
}

/// Moves every queued datagram from `from` to `to`.
fn deliver(now: Instant, from: &mut DtlsTransport, to: &mut DtlsTransport) {
    while let Some(d) = from.poll_transmit() {
        to.handle_receive(now, &d);
    }
}

/// One handshake, timed step by step.
fn one(certs: &[Certificate; 2]) -> [Duration; 7] {
    let now = Instant::now();
    let mut t = [Duration::ZERO; 7];
    let start = Instant::now();
    let (mut c, mut s) = transports(certs);
    t[0] = start.elapsed();
    s.start(now);
    let step = Instant::now();
    c.start(now);
    t[1] = step.elapsed();
    let mut queued = Vec::new();
    while let Some(d) = c.poll_transmit() {
        queued.push(d);
    }
    let step = Instant::now();
    for d in &queued {
        s.handle_receive(now, d);
    }
    t[2] = step.elapsed();
    let step = Instant::now();
    deliver(now, &mut s, &mut c);
    t[3] = step.elapsed();
    let step = Instant::now();
    deliver(now, &mut c, &mut s);
    t[4] = step.elapsed();
    let step = Instant::now();
    deliver(now, &mut s, &mut c);
    t[5] = step.elapsed();
    t[6] = start.elapsed();
    assert_eq!(c.state(), DtlsTransportState::Connected);
    assert_eq!(s.state(), DtlsTransportState::Connected);
    t
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let rounds: usize = std::env::var("HANDSHAKE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let certs = [
        Certificate::generate(KeyType::EcdsaP256).expect("certificate"),
        Certificate::generate(KeyType::EcdsaP256).expect("certificate"),
    ];
    // Warm-up: one-time OpenSSL initialisation is not a per-connection cost.
    for _ in 0..10 {
        one(&certs);
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); STEPS.len()];
    for _ in 0..rounds {
        for (i, d) in one(&certs).iter().enumerate() {
            samples[i].push(d.as_secs_f64() * 1e6);
        }
    }
    println!("DTLS 1.2 handshake in memory, ECDSA P-256 certificates, {rounds} rounds");
    println!("| step | median µs | p90 µs |");
    println!("|---|---|---|");
    for (name, v) in STEPS.iter().zip(samples.iter_mut()) {
        let median = percentile(v, 0.5);
        let p90 = percentile(v, 0.9);
        println!("| {name} | {median:.1} | {p90:.1} |");
    }
}
