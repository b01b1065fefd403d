//! Feeds arbitrary transport-wide feedback (parsed from the wire, or built field by field with
//! out-of-range counts), REMB and timing to the send-side estimator, and arbitrary sequence
//! numbers to the feedback generator. Nothing may panic; the target stays within its bounds,
//! and generated feedback serializes and parses back.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rtcio_bwe::{BweConfig, SendSideBwe, TwccReceiver};
use rtcio_rtp::rtcp::{
    PacketStatus, RtcpPacket, TransportFeedback, parse_compound, write_compound,
};

/// An RTPFB FMT 15 packet around `fci`.
fn rtpfb(fci: &[u8]) -> Vec<u8> {
    let mut b = vec![0x8f, 205, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2];
    b.extend_from_slice(fci);
    while b.len() % 4 != 0 {
        b.push(0);
    }
    let words = (b.len() / 4 - 1) as u16;
    b[2..4].copy_from_slice(&words.to_be_bytes());
    b
}

fuzz_target!(|data: &[u8]| {
    let start = Instant::now();
    let config = BweConfig::default();
    let mut bwe = SendSideBwe::new(config, start);
    let mut rx = TwccReceiver::new(start, 1, 2);
    let mut now = start;
    let mut rest = data;
    while let [op, a, b, tail @ ..] = rest {
        rest = tail;
        let arg = u16::from_be_bytes([*a, *b]);
        match op % 6 {
            // Send `arg % 512` packets, 1 ms apart (sometimes skipping sequence numbers; some
            // as probes of the clusters the estimator asks for, or of made-up clusters).
            0 => {
                let cluster = bwe.poll_probe().map_or(u32::from(*b), |c| c.id);
                for i in 0..(arg % 512) {
                    let seq = bwe.next_twcc_seq();
                    let size = 200 + usize::from(*a);
                    if op & 0x40 != 0 && i % 2 == 0 {
                        bwe.on_probe_packet_sent(now, seq, size, cluster);
                    } else if op & 0x80 == 0 || i % 3 != 0 {
                        bwe.on_packet_sent(now, seq, size);
                    }
                    now += Duration::from_millis(1);
                }
            }
            // Feedback from the wire: the next `arg % 256` bytes are the FCI.
            1 => {
                let n = usize::from(arg % 256).min(rest.len());
                let (fci, tail) = rest.split_at(n);
                rest = tail;
                if let Ok(c) = parse_compound(&rtpfb(fci)) {
                    for p in c.packets {
                        if let RtcpPacket::TransportFeedback(fb) = p {
                            bwe.on_feedback(now, &fb);
                        }
                    }
                }
            }
            // Feedback built directly: any count (beyond the wire limit too), base `arg`.
            2 => {
                let n = usize::from(*a) * 97;
                let statuses = (0..n)
                    .map(|i| match (i + usize::from(*b)) % 3 {
                        0 => PacketStatus::NotReceived,
                        1 => PacketStatus::SmallDelta(i as u8),
                        _ => PacketStatus::LargeDelta((i as i16).wrapping_mul(i16::from(*b))),
                    })
                    .collect();
                let fb = TransportFeedback {
                    base_seq: arg,
                    reference_time: i32::from(arg as i16) * i32::from(*op),
                    statuses,
                    ..TransportFeedback::default()
                };
                bwe.on_feedback(now, &fb);
            }
            // Time passes.
            3 => {
                now += Duration::from_millis(u64::from(arg));
                bwe.handle_timeout(now);
            }
            // REMB and receiver reports.
            4 => {
                bwe.on_remb(now, u64::from(arg) << (op >> 3));
                bwe.on_receiver_report(now, *a, u64::from(*b));
            }
            // The receive side: an arrival, then whatever feedback is due, which must round-trip.
            _ => {
                rx.on_packet(now, arg);
                now += Duration::from_micros(u64::from(*op) * 100);
                while let Some(fb) = rx.poll_feedback(now) {
                    let bytes =
                        write_compound(&[RtcpPacket::TransportFeedback(fb.clone())]).unwrap();
                    let back = parse_compound(&bytes).unwrap();
                    assert_eq!(
                        back.packets,
                        vec![RtcpPacket::TransportFeedback(fb.clone())]
                    );
                    bwe.on_feedback(now, &fb);
                }
            }
        }
        let t = bwe.target_bitrate();
        assert!(
            (config.min_bitrate..=config.max_bitrate).contains(&t),
            "target {t}"
        );
        assert!(bwe.pacing_rate() >= t);
    }
});
