//! Throughput of the stream engine, printed as a table (no timing is asserted). Run with
//! `cargo test --release -p rtcio-rtp --test stream_bench -- --ignored --nocapture`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rtcio_rtp::codec::Codec;
use rtcio_rtp::rtcp::{Nack, RtcpPacket};
use rtcio_rtp::stream::{NtpClock, ReceiveConfig, ReceiveStream, SendConfig, SendStream};
use rtcio_rtp::{RtpHeader, RtpPacket};

const SSRC: u32 = 1;
const N: u64 = 200_000;

fn header(seq: u16, ts: u32, marker: bool) -> RtpHeader {
    RtpHeader {
        marker,
        payload_type: 96,
        sequence_number: seq,
        timestamp: ts,
        ssrc: SSRC,
        ..Default::default()
    }
}

/// Feeds `N` packets produced by `packet(i)` 50 µs apart (20,000 packets/s of virtual time),
/// draining everything after each; returns wall-clock packets per second.
fn run_receive(mut packet: impl FnMut(u64) -> (RtpHeader, &'static [u8])) -> f64 {
    let t0 = Instant::now();
    let clock = NtpClock::new(t0, Duration::from_secs(3_900_000_000));
    let mut rx = ReceiveStream::new(ReceiveConfig::new(SSRC, Codec::Vp8, 96, 2, clock), t0);
    let start = Instant::now();
    for i in 0..N {
        let now = t0 + Duration::from_micros(50 * i);
        let (h, payload) = packet(i);
        rx.handle_rtp(
            now,
            &RtpPacket {
                header: h,
                payload,
                padding: 0,
            },
        );
        if rx.poll_timeout().is_some_and(|t| t <= now) {
            rx.handle_timeout(now);
        }
        while let Some(c) = rx.poll_rtcp(now) {
            black_box(c);
        }
        while let Some(e) = rx.poll_event() {
            black_box(e);
        }
    }
    N as f64 / start.elapsed().as_secs_f64()
}

static KEY: [u8; 1200] = {
    let mut p = [0u8; 1200];
    p[0] = 0x10;
    p[1] = 0x50;
    p[4] = 0x9d;
    p[5] = 0x01;
    p[6] = 0x2a;
    p
};
static CONT: [u8; 1200] = [0u8; 1200];

fn lcg(state: &mut u64) -> u32 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 33) as u32
}

#[test]
#[ignore = "benchmark: run with --release --ignored --nocapture"]
fn stream_throughput() {
    let mut rows = Vec::new();
    // Keyframes of 10 packets, in order.
    let in_order = run_receive(|i| {
        let first = i % 10 == 0;
        let payload: &'static [u8] = if first { &KEY } else { &CONT };
        (
            header(i as u16, (i / 10) as u32 * 3000, i % 10 == 9),
            payload,
        )
    });
    rows.push(("receive, in order (10-packet frames)", in_order));
    // Every 20th packet missing: NACKs, then the jitter buffer gives up.
    let lossy = run_receive(|i| {
        let seq = i + i / 19;
        let first = seq % 10 == 0;
        let payload: &'static [u8] = if first { &KEY } else { &CONT };
        (
            header(seq as u16, (seq / 10) as u32 * 3000, seq % 10 == 9),
            payload,
        )
    });
    rows.push(("receive, 5% missing (NACK + give-up)", lossy));
    // Hostile: random sequence numbers.
    let mut r = 7u64;
    let seq_flood =
        run_receive(move |_| (header(lcg(&mut r) as u16, lcg(&mut r), false), &CONT[..]));
    rows.push(("receive, random sequence numbers", seq_flood));
    // Hostile: random SSRCs.
    let mut r = 9u64;
    let ssrc_flood = run_receive(move |i| {
        let mut h = header(i as u16, 0, false);
        h.ssrc = lcg(&mut r) | 2;
        (h, &CONT[..])
    });
    rows.push(("receive, random SSRCs (dropped)", ssrc_flood));
    // Send side: record every packet, answer a NACK for every 20th.
    let t0 = Instant::now();
    let clock = NtpClock::new(t0, Duration::from_secs(3_900_000_000));
    let mut c = SendConfig::new(SSRC, 96, 90_000, clock);
    c.max_retransmit_bitrate = u64::MAX / 2;
    let mut tx = SendStream::new(c);
    let start = Instant::now();
    for i in 0..N {
        let now = t0 + Duration::from_micros(50 * i);
        let seq = i as u16;
        tx.handle_sent(
            now,
            &RtpPacket {
                header: header(seq, 0, false),
                payload: &CONT,
                padding: 0,
            },
        );
        if i % 20 == 19 {
            let nack = RtcpPacket::Nack(Nack::from_lost(2, SSRC, &[seq.wrapping_sub(5)]));
            tx.handle_rtcp(now, &nack);
            while let Some(p) = tx.poll_retransmit(now) {
                black_box(p);
            }
        }
        while let Some(c) = tx.poll_rtcp(now) {
            black_box(c);
        }
    }
    rows.push((
        "send, record + 5% NACKed",
        N as f64 / start.elapsed().as_secs_f64(),
    ));

    println!(
        "| {:<40} | {:>14} | {:>18} |",
        "case (1200-byte payloads)", "packets/s", "Mbit/s of payload"
    );
    println!("|{:-<42}|{:->16}|{:->20}|", "", "", "");
    for (name, pps) in rows {
        println!(
            "| {name:<40} | {pps:>14.0} | {:>18.0} |",
            pps * 1200.0 * 8.0 / 1e6
        );
    }
}
