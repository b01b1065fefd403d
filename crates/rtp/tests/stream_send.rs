//! SendStream: RTX answers to NACKs, retransmission limits, keyframe requests, RTT from report
//! blocks, sender reports, and bounds under hostile feedback.

use std::time::{Duration, Instant};

use rtcio_rtp::rtcp::{
    ExtendedReport, Fir, FirEntry, Nack, NackPair, Pli, ReceiverReport, ReportBlock, RtcpPacket,
    XrBlock,
};
use rtcio_rtp::stream::{
    MAX_NACKED_PER_FEEDBACK, MAX_PENDING_RETRANSMISSIONS, NtpClock, RtxConfig, SendConfig,
    SendEvent, SendStream,
};
use rtcio_rtp::{RtpHeader, RtpPacket};

const SSRC: u32 = 100;
const PEER: u32 = 300;
const RTX: RtxConfig = RtxConfig {
    ssrc: 200,
    payload_type: 97,
};

fn clock(t0: Instant) -> NtpClock {
    NtpClock::new(t0, Duration::from_secs(3_900_000_000))
}

fn config(t0: Instant) -> SendConfig {
    let mut c = SendConfig::new(SSRC, 96, 90_000, clock(t0));
    c.rtx = Some(RTX);
    c.rtx_initial_sequence = 65_535;
    c
}

/// Sends packets `seqs` (1000-byte payloads) at `now`.
fn send(tx: &mut SendStream, now: Instant, seqs: impl IntoIterator<Item = u16>) {
    for seq in seqs {
        let payload = vec![seq as u8; 1000];
        let header = RtpHeader {
            marker: seq % 2 == 0,
            payload_type: 96,
            sequence_number: seq,
            timestamp: u32::from(seq) * 100,
            ssrc: SSRC,
            ..Default::default()
        };
        assert!(tx.handle_sent(
            now,
            &RtpPacket {
                header,
                payload: &payload,
                padding: 0
            }
        ));
    }
}

fn nack(seqs: &[u16]) -> RtcpPacket {
    RtcpPacket::Nack(Nack::from_lost(PEER, SSRC, seqs))
}

fn drain(tx: &mut SendStream, now: Instant) -> Vec<(u16, u16)> {
    std::iter::from_fn(|| tx.poll_retransmit(now))
        .map(|p| {
            (
                p.header.sequence_number,
                u16::from_be_bytes([p.payload[0], p.payload[1]]),
            )
        })
        .collect()
}

#[test]
fn nack_is_answered_with_rtx() {
    let t0 = Instant::now();
    let mut tx = SendStream::new(config(t0));
    send(&mut tx, t0, 10..20);
    assert!(tx.handle_rtcp(t0, &nack(&[12, 14])));
    let p = tx.poll_retransmit(t0).unwrap();
    // RFC 4588: RTX SSRC and payload type, own sequence space, OSN first in the payload, the
    // original timestamp and marker.
    assert_eq!(p.header.ssrc, RTX.ssrc);
    assert_eq!(p.header.payload_type, RTX.payload_type);
    assert_eq!(p.header.sequence_number, 65_535);
    assert_eq!(p.header.timestamp, 1200);
    assert!(p.header.marker);
    assert_eq!(&p.payload[..2], &12u16.to_be_bytes());
    assert_eq!(&p.payload[2..], &[12u8; 1000][..]);
    let parsed_len = RtpPacket::parse(&p.to_bytes().unwrap())
        .unwrap()
        .payload
        .len();
    assert_eq!(parsed_len, 1002);
    assert_eq!(drain(&mut tx, t0), vec![(0, 14)], "RTX sequence wraps");
    let s = tx.stats().outbound;
    assert_eq!((s.nack_count, s.retransmitted_packets_sent), (1, 2));
    assert_eq!(s.retransmitted_bytes_sent, 2000);
    assert_eq!((s.packets_sent, s.bytes_sent), (10, 10_000));
    // Unknown sequence numbers and other SSRCs.
    tx.handle_rtcp(t0, &nack(&[5000]));
    assert_eq!(tx.stats().outbound.nacked_unknown, 1);
    let other = RtcpPacket::Nack(Nack::from_lost(PEER, 999, &[12]));
    assert!(!tx.handle_rtcp(t0, &other));
}

#[test]
fn without_rtx_the_packet_is_resent_as_is() {
    let t0 = Instant::now();
    let mut tx = SendStream::new(SendConfig::new(SSRC, 96, 90_000, clock(t0)));
    send(&mut tx, t0, [7]);
    tx.handle_rtcp(t0, &nack(&[7]));
    let p = tx.poll_retransmit(t0).unwrap();
    assert_eq!((p.header.ssrc, p.header.sequence_number), (SSRC, 7));
    assert_eq!(p.payload, vec![7u8; 1000]);
}

#[test]
fn not_resent_twice_within_an_rtt() {
    let t0 = Instant::now();
    let mut tx = SendStream::new(config(t0));
    send(&mut tx, t0, 0..5);
    tx.handle_rtcp(t0, &nack(&[3]));
    tx.handle_rtcp(t0, &nack(&[3])); // still queued
    assert_eq!(drain(&mut tx, t0).len(), 1);
    let soon = t0 + Duration::from_millis(50);
    tx.handle_rtcp(soon, &nack(&[3])); // within the default 100 ms RTT
    assert!(drain(&mut tx, soon).is_empty());
    assert_eq!(tx.stats().outbound.nacked_too_soon, 2);
    let later = t0 + Duration::from_millis(100);
    tx.handle_rtcp(later, &nack(&[3]));
    assert_eq!(drain(&mut tx, later).len(), 1);
}

#[test]
fn retransmissions_respect_the_rate_limit() {
    let t0 = Instant::now();
    let mut c = config(t0);
    c.max_retransmit_bitrate = 400_000; // 50 kB/s, a 12.5 kB burst
    let mut tx = SendStream::new(c);
    send(&mut tx, t0, 0..100);
    tx.handle_rtcp(t0, &nack(&(0..100).collect::<Vec<_>>()));
    let first = drain(&mut tx, t0).len();
    assert!((10..=13).contains(&first), "{first}");
    assert_eq!(tx.pending_retransmissions(), 100 - first);
    // The rest trickles out at 50 kB/s: about 1 s for 88 kB.
    let mut now = t0;
    let mut sent = first;
    while sent < 100 {
        now = tx
            .poll_timeout()
            .expect("a retransmission deadline")
            .max(now);
        tx.handle_timeout(now);
        while tx.poll_rtcp(now).is_some() {}
        sent += drain(&mut tx, now).len();
        assert!(now - t0 < Duration::from_secs(2));
    }
    // 101,400 bytes in all, 12,500 of them at once: (101,400 - 12,500) / 50,000 = 1.78 s.
    let secs = (now - t0).as_secs_f64();
    assert!((1.7..=1.85).contains(&secs), "{secs}");
}

#[test]
fn nack_with_10000_entries_is_bounded() {
    let t0 = Instant::now();
    let mut tx = SendStream::new(config(t0));
    send(&mut tx, t0, 0..1024);
    // Built directly (the parser would refuse it): 10,000 pairs, each naming 17 packets.
    let pairs = (0..10_000u32)
        .map(|i| NackPair {
            pid: (i * 17) as u16,
            blp: 0xffff,
        })
        .collect();
    let huge = RtcpPacket::Nack(Nack {
        sender_ssrc: PEER,
        media_ssrc: SSRC,
        pairs,
    });
    tx.handle_rtcp(t0, &huge);
    let s = tx.stats().outbound;
    assert_eq!(s.nacked_dropped, 170_000 - MAX_NACKED_PER_FEEDBACK as u64);
    assert!(tx.pending_retransmissions() <= MAX_PENDING_RETRANSMISSIONS);
    // Everything taken was in the history and is resent once, rate limit permitting.
    assert_eq!(tx.pending_retransmissions(), MAX_NACKED_PER_FEEDBACK);
    tx.handle_rtcp(t0, &huge);
    assert_eq!(tx.pending_retransmissions(), MAX_NACKED_PER_FEEDBACK);
}

#[test]
fn pli_and_fir_become_one_keyframe_request() {
    let t0 = Instant::now();
    let mut tx = SendStream::new(config(t0));
    let pli = RtcpPacket::Pli(Pli {
        sender_ssrc: PEER,
        media_ssrc: SSRC,
    });
    tx.handle_rtcp(t0, &pli);
    tx.handle_rtcp(t0, &pli);
    assert_eq!(
        tx.poll_event(),
        Some(SendEvent::KeyframeRequested { fir: false })
    );
    assert_eq!(tx.poll_event(), None);
    let fir = |seq_nr| {
        RtcpPacket::Fir(Fir {
            sender_ssrc: PEER,
            entries: vec![FirEntry { ssrc: SSRC, seq_nr }],
        })
    };
    tx.handle_rtcp(t0, &fir(1));
    assert_eq!(
        tx.poll_event(),
        Some(SendEvent::KeyframeRequested { fir: true })
    );
    tx.handle_rtcp(t0, &fir(1)); // a repeat of the same request
    assert_eq!(tx.poll_event(), None);
    tx.handle_rtcp(t0, &fir(2));
    assert_eq!(
        tx.poll_event(),
        Some(SendEvent::KeyframeRequested { fir: true })
    );
    let s = tx.stats().outbound;
    assert_eq!((s.pli_count, s.fir_count), (2, 2));
}

#[test]
fn sender_report_then_rtt_from_the_receiver_report() {
    let t0 = Instant::now();
    let mut tx = SendStream::new(config(t0));
    assert!(tx.poll_rtcp(t0).is_none(), "no SR before media");
    send(&mut tx, t0, 0..3);
    let t1 = t0 + Duration::from_millis(100);
    let c = tx.poll_rtcp(t1).unwrap();
    let RtcpPacket::SenderReport(sr) = &c[0] else {
        panic!("{c:?}")
    };
    assert_eq!(sr.ssrc, SSRC);
    assert_eq!(sr.ntp_time, clock(t0).ntp(t1));
    // The last packet had timestamp 200 at t0; 100 ms later is 9000 ticks on.
    assert_eq!(sr.rtp_time, 9200);
    assert_eq!((sr.packet_count, sr.octet_count), (3, 3000));
    assert!(tx.poll_rtcp(t1).is_none(), "next one in a second");
    assert_eq!(tx.poll_timeout(), Some(t1 + Duration::from_secs(1)));
    // The receiver held the SR 20 ms; its RR arrives 80 ms after the SR left: RTT 60 ms.
    let block = ReportBlock {
        ssrc: SSRC,
        fraction_lost: 64,
        cumulative_lost: 3,
        jitter: 900,
        last_sr: sr.ntp_time.middle_32(),
        delay_since_last_sr: 65536 / 50,
        ..Default::default()
    };
    let rr = RtcpPacket::ReceiverReport(ReceiverReport {
        ssrc: PEER,
        reports: vec![block],
        ..Default::default()
    });
    assert!(tx.handle_rtcp(t1 + Duration::from_millis(80), &rr));
    let r = tx.stats().remote_inbound;
    let rtt = r.round_trip_time.unwrap().as_secs_f64();
    assert!((rtt - 0.060).abs() < 0.001, "{rtt}");
    assert_eq!((r.packets_lost, r.fraction_lost, r.jitter), (3, 0.25, 0.01));
    assert_eq!(tx.rtt(), r.round_trip_time);
    // An XR RRTR is answered with a DLRR in the next SR compound.
    let rrtr = RtcpPacket::ExtendedReport(ExtendedReport {
        ssrc: PEER,
        blocks: vec![XrBlock::Rrtr {
            ntp_time: clock(t0).ntp(t1),
        }],
    });
    let t2 = t1 + Duration::from_millis(500);
    tx.handle_rtcp(t2, &rrtr);
    let c = tx.poll_rtcp(t1 + Duration::from_secs(1)).unwrap();
    let Some(RtcpPacket::ExtendedReport(xr)) = c.get(1) else {
        panic!("{c:?}")
    };
    let XrBlock::Dlrr(items) = &xr.blocks[0] else {
        panic!("{xr:?}")
    };
    assert_eq!(items[0].ssrc, PEER);
    assert_eq!(items[0].last_rr, clock(t0).ntp(t1).middle_32());
    assert_eq!(items[0].delay_since_last_rr, 65536 / 2);
}

#[test]
fn history_is_bounded_by_count_and_age() {
    let t0 = Instant::now();
    let mut c = config(t0);
    c.history_packets = 100;
    c.history_age = Duration::from_millis(500);
    let mut tx = SendStream::new(c);
    send(&mut tx, t0, 0..1000);
    assert_eq!(tx.history_len(), 100);
    tx.handle_rtcp(t0, &nack(&[850, 950]));
    assert_eq!(drain(&mut tx, t0), vec![(65_535, 950)]);
    let late = t0 + Duration::from_millis(501);
    tx.handle_timeout(late);
    assert_eq!(tx.history_len(), 0);
    tx.handle_rtcp(late, &nack(&[999]));
    assert!(drain(&mut tx, late).is_empty());
    assert_eq!(tx.stats().outbound.nacked_unknown, 2);
}

#[test]
fn a_packet_larger_than_the_bucket_still_leaves() {
    let t0 = Instant::now();
    let mut c = config(t0);
    c.max_retransmit_bitrate = 8_000; // 1 kB/s, a 250-byte bucket
    c.rtcp_interval = Duration::from_secs(10);
    let mut tx = SendStream::new(c);
    let big = vec![0u8; 1200];
    let header = RtpHeader {
        payload_type: 96,
        sequence_number: 1,
        ssrc: SSRC,
        ..Default::default()
    };
    tx.handle_sent(
        t0,
        &RtpPacket {
            header,
            payload: &big,
            padding: 0,
        },
    );
    send(&mut tx, t0, [2]);
    tx.handle_rtcp(t0, &nack(&[1, 2]));
    // The bucket starts full: the big one leaves at once, in debt; the next waits for the debt
    // and its own cost to be paid, and the deadline says exactly when.
    assert_eq!(drain(&mut tx, t0), vec![(65_535, 1)]);
    assert!(tx.poll_rtcp(t0).is_some(), "the first SR");
    let at = tx.poll_timeout().unwrap();
    // The debt (1214 - 250 bytes) plus the 250 the next one needs: 1214 bytes at 1 kB/s.
    let wait = (at - t0).as_secs_f64();
    assert!((1.214..1.215).contains(&wait), "{wait}");
    assert!(drain(&mut tx, at - Duration::from_millis(1)).is_empty());
    assert_eq!(drain(&mut tx, at), vec![(0, 2)]);
}

#[test]
fn probe_padding_prefers_redundant_rtx_then_padding_only() {
    let t0 = Instant::now();
    let mut tx = SendStream::new(config(t0));
    // Nothing sent yet: no stream for a receiver to put padding in.
    assert!(tx.generate_padding(t0, 1000, 0).is_empty());
    send(&mut tx, t0, 10..13);
    // 2500 bytes: the three history packets, newest first, as RTX with their OSN…
    let out = tx.generate_padding(t0, 2500, 0);
    let osns: Vec<u16> = out
        .iter()
        .map(|p| u16::from_be_bytes([p.payload[0], p.payload[1]]))
        .collect();
    assert_eq!(osns, vec![12, 11, 10]);
    assert!(out.iter().all(|p| p.header.ssrc == RTX.ssrc
        && p.header.payload_type == RTX.payload_type
        && p.padding == 0
        && p.payload.len() == 1002));
    // RTX sequence numbers continue from the configured start (65535, then wrap).
    let rtx_seqs: Vec<u16> = out.iter().map(|p| p.header.sequence_number).collect();
    assert_eq!(rtx_seqs, vec![65_535, 0, 1]);
    // …then, with every history packet used once, padding-only RTX packets (no OSN), each at
    // most 255 padding bytes, that parse back as padding.
    let out = tx.generate_padding(t0, 1000, 0);
    assert_eq!(out.len(), 4, "{out:?}");
    let total: usize = out.iter().map(|p| p.wire_len()).sum();
    assert!((1000..1000 + 255).contains(&total), "{total}");
    for p in &out {
        assert_eq!((p.header.ssrc, p.payload.len()), (RTX.ssrc, 0));
        let bytes = p.to_bytes().unwrap();
        let parsed = RtpPacket::parse(&bytes).unwrap();
        assert!(parsed.payload.is_empty() && parsed.padding == p.padding);
    }
    // A huge request is bounded.
    assert_eq!(
        tx.generate_padding(t0, 1 << 30, 0).len(),
        rtcio_rtp::stream::MAX_PADDING_PACKETS
    );
    let s = tx.stats().outbound;
    assert_eq!(s.redundant_packets_sent, 3);
    assert_eq!(s.padding_packets_sent, 4 + 16);
    assert!(
        s.padding_bytes_sent >= 1000 && s.redundant_bytes_sent > 3000,
        "{s:?}"
    );
    // Probes are not retransmissions.
    assert_eq!(s.retransmitted_packets_sent, 0);
}

#[test]
fn probe_padding_without_rtx_continues_the_media_sequence() {
    let t0 = Instant::now();
    let mut c = config(t0);
    c.rtx = None;
    let mut tx = SendStream::new(c);
    send(&mut tx, t0, [40]);
    let out = tx.generate_padding(t0, 600, 41);
    let seqs: Vec<u16> = out.iter().map(|p| p.header.sequence_number).collect();
    assert_eq!(seqs, vec![41, 42, 43]);
    for p in &out {
        // Same SSRC, payload type and timestamp as the last media packet, no payload.
        assert_eq!(
            (p.header.ssrc, p.header.payload_type, p.header.timestamp),
            (SSRC, 96, 4000)
        );
        assert!(p.payload.is_empty() && p.padding > 0);
    }
}
