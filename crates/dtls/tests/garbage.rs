//! Hostile input: random bytes, truncated and corrupted records never panic, never grow memory
//! without bound, and do not stop a legitimate handshake.

mod common;

use std::time::{Duration, Instant};

use common::{deliver, drain, handshake, pair};
use rtcio_dtls::{DtlsTransport, DtlsTransportState, MAX_DATAGRAM_LEN};
use rtcio_netsim::Rng;

fn random_datagram(rng: &mut Rng) -> Vec<u8> {
    let len = rng.below(1500) as usize;
    let mut d = vec![0u8; len];
    rng.fill(&mut d);
    if len > 0 && rng.chance(0.7) {
        // Make most of them pass the RFC 7983 DTLS byte range so OpenSSL sees them.
        d[0] = 20 + (d[0] % 4);
        if len > 2 {
            d[1] = 254;
            d[2] = 253;
        }
    }
    d
}

/// Every prefix and every single-byte corruption of `datagram`.
fn mutations(datagram: &[u8], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = (0..datagram.len())
        .map(|n| datagram[..n].to_vec())
        .collect();
    for _ in 0..64 {
        let mut d = datagram.to_vec();
        if d.is_empty() {
            break;
        }
        let i = rng.below(d.len() as u64) as usize;
        d[i] ^= 1 << rng.below(8);
        out.push(d);
    }
    out
}

#[test]
fn random_bytes_never_panic_in_any_state() {
    let mut rng = Rng::new(1);
    let now = Instant::now();
    // New, handshaking (both roles), connected.
    let (mut client, mut server) = pair();
    for _ in 0..300 {
        let d = random_datagram(&mut rng);
        client.handle_receive(now, &d);
        server.handle_receive(now, &d);
    }
    let (mut client, mut server) = pair();
    client.start(now);
    server.start(now);
    for _ in 0..300 {
        let d = random_datagram(&mut rng);
        client.handle_receive(now, &d);
        server.handle_receive(now, &d);
        while client.poll_transmit().is_some() {}
        while server.poll_transmit().is_some() {}
    }
    let (mut client, mut server) = pair();
    let mut t = now;
    handshake(&mut client, &mut server, &mut t);
    for _ in 0..300 {
        let d = random_datagram(&mut rng);
        client.handle_receive(t, &d);
        while client.poll_transmit().is_some() {}
    }
    // Random ciphertext is discarded by the record layer; the session survives.
    assert_eq!(client.state(), DtlsTransportState::Connected);
    drain(&mut client);
    server.send(b"still here").unwrap();
    deliver(t, &mut server, &mut client);
    assert_eq!(drain(&mut client).1, vec![b"still here".to_vec()]);
}

#[test]
fn truncated_and_corrupted_handshake_records_never_panic() {
    let mut rng = Rng::new(2);
    let now = Instant::now();
    // Capture a real flight from each side.
    let (mut client, mut server) = pair();
    client.start(now);
    server.start(now);
    let hello = client.poll_transmit().unwrap();
    server.handle_receive(now, &hello);
    let server_flight: Vec<Vec<u8>> = std::iter::from_fn(|| server.poll_transmit()).collect();

    for d in mutations(&hello, &mut rng) {
        let (_, mut fresh_server) = pair();
        fresh_server.start(now);
        fresh_server.handle_receive(now, &d);
        while fresh_server.poll_transmit().is_some() {}
        let _ = fresh_server.state();
    }
    for d in server_flight.iter().flat_map(|f| mutations(f, &mut rng)) {
        let (mut fresh_client, _) = pair();
        fresh_client.start(now);
        fresh_client.handle_receive(now, &d);
        while fresh_client.poll_transmit().is_some() {}
        let _ = fresh_client.state();
    }
}

/// Runs a handshake where `corrupt` turns each real datagram into junk delivered just before
/// it; returns the final states.
fn handshake_with_junk(
    seed: u64,
    corrupt: impl Fn(&[u8], &mut Rng) -> Vec<u8>,
) -> (DtlsTransport, DtlsTransport) {
    let mut rng = Rng::new(seed);
    let (mut client, mut server) = pair();
    let mut now = Instant::now();
    client.start(now);
    server.start(now);
    for _ in 0..50 {
        for (from, to) in [(0, 1), (1, 0)] {
            let ends: [&mut DtlsTransport; 2] = [&mut client, &mut server];
            let batch: Vec<Vec<u8>> = std::iter::from_fn(|| ends[from].poll_transmit()).collect();
            for d in batch {
                ends[to].handle_receive(now, &corrupt(&d, &mut rng));
                ends[to].handle_receive(now, &d);
            }
        }
        now += Duration::from_millis(10);
        let settled = |t: &DtlsTransport| {
            matches!(
                t.state(),
                DtlsTransportState::Connected | DtlsTransportState::Failed
            )
        };
        if settled(&client) && settled(&server) {
            break;
        }
    }
    (client, server)
}

#[test]
fn junk_from_foreign_epochs_does_not_disturb_a_handshake() {
    for seed in 0..10 {
        let (client, server) = handshake_with_junk(seed, |d, rng| {
            let mut junk = d.to_vec();
            rng.fill(&mut junk[3..]);
            // An epoch that is neither the current nor the next one.
            junk[3] = 0x80;
            junk
        });
        assert_eq!(client.state(), DtlsTransportState::Connected, "seed {seed}");
        assert_eq!(server.state(), DtlsTransportState::Connected, "seed {seed}");
    }
}

#[test]
fn forged_plaintext_handshake_records_fail_cleanly() {
    // Epoch-0 records are unauthenticated in DTLS 1.2: a forged record that takes the real
    // one's sequence number may abort the handshake, but only with a typed error.
    for seed in 0..10 {
        let (client, server) = handshake_with_junk(seed, |d, rng| {
            let mut junk = d.to_vec();
            let n = junk.len();
            rng.fill(&mut junk[13.min(n)..]);
            junk
        });
        for t in [&client, &server] {
            match t.state() {
                DtlsTransportState::Connected => assert!(t.error().is_none()),
                DtlsTransportState::Failed => assert!(t.error().is_some()),
                // Still retransmitting: it will connect or time out with a typed error.
                DtlsTransportState::Connecting => assert!(t.poll_timeout().is_some()),
                other => panic!("seed {seed}: left in {other:?}"),
            }
        }
    }
}

#[test]
fn oversized_and_non_dtls_datagrams_are_dropped_and_counted() {
    let (_, mut server) = pair();
    let now = Instant::now();
    server.start(now);
    server.handle_receive(now, &vec![22u8; MAX_DATAGRAM_LEN + 1]);
    server.handle_receive(now, &[0u8; 100]); // STUN range
    server.handle_receive(now, &[128u8; 100]); // RTP range
    server.handle_receive(now, &[22u8; 5]); // shorter than a record header
    assert_eq!(server.stats().malformed_dropped, 4);
    assert_eq!(server.state(), DtlsTransportState::Connecting);
}

#[test]
fn backlog_before_start_is_bounded() {
    let (_, mut server) = pair();
    let now = Instant::now();
    let d = [22u8, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    for _ in 0..10_000 {
        server.handle_receive(now, &d);
    }
    // Default bound is 256 queued datagrams; the rest are dropped and counted.
    assert_eq!(server.stats().queue_dropped, 10_000 - 256);
}
