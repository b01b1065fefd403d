//! ReceiveStream: RTX recovery, NACK retries, keyframe requests, lip sync, reports, and bounds
//! under hostile input.

use std::time::{Duration, Instant};

use rtcio_rtp::codec::Codec;
use rtcio_rtp::rtcp::{DlrrItem, ExtendedReport, NtpTime, RtcpPacket, SenderReport, XrBlock};
use rtcio_rtp::stream::{
    MAX_JITTER_PACKETS, MAX_NACK_ENTRIES, MAX_PENDING_EVENTS, NtpClock, PacketVerdict,
    ReceiveConfig, ReceiveEvent, ReceiveStream, RtxConfig, nack_retry_interval,
};
use rtcio_rtp::{RtpHeader, RtpPacket};

const SSRC: u32 = 100;
const RTX: RtxConfig = RtxConfig {
    ssrc: 200,
    payload_type: 97,
};
const LOCAL: u32 = 300;
/// A one-packet VP8 keyframe: payload descriptor (S bit), frame tag, start code.
const KEY: [u8; 11] = [
    0x10, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01,
];
/// A one-packet VP8 delta frame.
const DELTA: [u8; 5] = [0x10, 0x51, 0x2a, 0x00, 0x07];

fn clock(t0: Instant) -> NtpClock {
    NtpClock::new(t0, Duration::from_secs(3_900_000_000))
}

fn stream(t0: Instant) -> ReceiveStream {
    let mut c = ReceiveConfig::new(SSRC, Codec::Vp8, 96, LOCAL, clock(t0));
    c.rtx = Some(RTX);
    ReceiveStream::new(c, t0)
}

fn header(seq: u16) -> RtpHeader {
    RtpHeader {
        marker: true,
        payload_type: 96,
        sequence_number: seq,
        timestamp: u32::from(seq) * 3000,
        ssrc: SSRC,
        ..Default::default()
    }
}

fn feed(rx: &mut ReceiveStream, now: Instant, seq: u16, payload: &[u8]) -> PacketVerdict {
    rx.handle_rtp(
        now,
        &RtpPacket {
            header: header(seq),
            payload,
            padding: 0,
        },
    )
}

fn rtx_payload(osn: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = osn.to_be_bytes().to_vec();
    p.extend_from_slice(payload);
    p
}

fn feed_rtx(
    rx: &mut ReceiveStream,
    now: Instant,
    rtx_seq: u16,
    osn: u16,
    payload: &[u8],
) -> PacketVerdict {
    let p = rtx_payload(osn, payload);
    let mut h = header(osn);
    h.ssrc = RTX.ssrc;
    h.payload_type = RTX.payload_type;
    h.sequence_number = rtx_seq;
    rx.handle_rtp(
        now,
        &RtpPacket {
            header: h,
            payload: &p,
            padding: 0,
        },
    )
}

fn events(rx: &mut ReceiveStream) -> Vec<ReceiveEvent> {
    std::iter::from_fn(|| rx.poll_event()).collect()
}

fn frames(rx: &mut ReceiveStream) -> Vec<u16> {
    events(rx)
        .into_iter()
        .filter_map(|e| match e {
            ReceiveEvent::Frame(f) => Some(f.frame.first_sequence),
            _ => None,
        })
        .collect()
}

fn nacked(packets: &[RtcpPacket]) -> Vec<u16> {
    packets
        .iter()
        .filter_map(|p| match p {
            RtcpPacket::Nack(n) => Some(n.lost().collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn has_pli(packets: &[RtcpPacket]) -> bool {
    packets.iter().any(|p| matches!(p, RtcpPacket::Pli(_)))
}

/// Runs timers up to `t` and returns the RTCP produced on the way.
fn advance(rx: &mut ReceiveStream, t: Instant) -> Vec<RtcpPacket> {
    let mut out = Vec::new();
    while let Some(at) = rx.poll_timeout().filter(|&at| at <= t) {
        rx.handle_timeout(at);
        while let Some(c) = rx.poll_rtcp(at) {
            out.extend(c);
        }
    }
    while let Some(c) = rx.poll_rtcp(t) {
        out.extend(c);
    }
    out
}

#[test]
fn nack_repeats_until_rtx_recovers_the_packet() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    rx.set_rtt(Duration::from_millis(40));
    assert_eq!(feed(&mut rx, t0, 1, &KEY), PacketVerdict::Accepted);
    assert_eq!(feed(&mut rx, t0, 2, &DELTA), PacketVerdict::Accepted);
    let t = t0 + Duration::from_millis(20);
    advance(&mut rx, t);
    assert_eq!(frames(&mut rx), vec![1, 2]);
    // 3 is lost; 4 shows the gap.
    feed(&mut rx, t, 4, &DELTA);
    let first = rx.poll_rtcp(t).expect("NACK at once (no reordering seen)");
    assert_eq!(nacked(&first), vec![3]);
    assert!(
        matches!(first[0], RtcpPacket::ReceiverReport(_)),
        "compound starts with RR"
    );
    // Asked again one retry interval later, and again, while it stays missing.
    let interval = nack_retry_interval(rx.rtt());
    assert_eq!(rx.poll_timeout(), Some(t + interval));
    assert!(nacked(&advance(&mut rx, t + interval - Duration::from_millis(1))).is_empty());
    assert_eq!(nacked(&advance(&mut rx, t + interval)), vec![3]);
    assert_eq!(nacked(&advance(&mut rx, t + interval * 2)), vec![3]);
    // The RTX arrives: frames 3 and 4 are released, the NACKs stop.
    let t = t + interval * 2 + Duration::from_millis(10);
    assert_eq!(
        feed_rtx(&mut rx, t, 500, 3, &DELTA),
        PacketVerdict::Recovered
    );
    assert_eq!(frames(&mut rx), vec![3, 4]);
    assert!(nacked(&advance(&mut rx, t + Duration::from_secs(1))).is_empty());
    let s = rx.stats().inbound;
    assert_eq!(s.nack_count, 3);
    assert_eq!(s.retransmitted_packets_received, 1);
    assert_eq!(s.retransmitted_bytes_received, DELTA.len() as u64);
    assert_eq!((s.packets_received, s.packets_lost), (4, 0));
    assert_eq!(s.frames_received, 4);
    // A second copy of the retransmission is a duplicate (it arrived before), not late.
    assert_eq!(
        feed_rtx(&mut rx, t, 501, 3, &DELTA),
        PacketVerdict::Duplicate
    );
    assert_eq!(rx.stats().inbound.packets_duplicated, 1);
}

#[test]
fn unrecoverable_loss_declares_frames_lost_and_asks_for_a_keyframe() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    feed(&mut rx, t0, 1, &KEY);
    let t = t0 + Duration::from_millis(20);
    advance(&mut rx, t);
    feed(&mut rx, t, 3, &DELTA);
    feed(&mut rx, t, 4, &DELTA);
    assert_eq!(frames(&mut rx), vec![1]);
    // The latency passes without 2: it is given up, deltas are held back, a PLI goes out.
    let latency = rx.config().latency;
    let rtcp = advance(&mut rx, t + latency);
    assert!(has_pli(&rtcp));
    let ev = events(&mut rx);
    assert!(ev.contains(&ReceiveEvent::FrameLost {
        first_sequence: 2,
        count: 1
    }));
    assert!(ev.contains(&ReceiveEvent::KeyframeNeeded));
    assert!(!ev.iter().any(|e| matches!(e, ReceiveEvent::Frame(_))));
    // No NACK for 2 any more; PLIs repeat at the keyframe request interval until a keyframe.
    let t = t + latency;
    assert_eq!(rx.missing_packets(), 0);
    let again = advance(&mut rx, t + Duration::from_millis(100));
    assert!(!has_pli(&again), "rate limited");
    assert!(has_pli(&advance(&mut rx, t + Duration::from_millis(250))));
    let t = t + Duration::from_millis(260);
    feed(&mut rx, t, 5, &DELTA);
    feed(&mut rx, t, 6, &KEY);
    feed(&mut rx, t, 7, &DELTA);
    assert_eq!(frames(&mut rx), vec![6, 7]);
    assert!(!has_pli(&advance(&mut rx, t + Duration::from_secs(2))));
    let s = rx.stats().inbound;
    assert_eq!(
        (s.pli_count, s.gaps_given_up, s.packets_given_up),
        (2, 1, 1)
    );
    assert_eq!(s.frames_dropped, 3); // 3, 4, 5
    assert_eq!(s.packets_lost, 1);
}

/// A gap that cannot be repaired is not waited out for the whole latency: one longer than the
/// NACK list can track is given up on as soon as it shows, one whose packet ran out of NACKs as
/// soon as the last one goes unanswered; either way a keyframe is asked for at once.
#[test]
fn clearly_unrecoverable_gaps_ask_for_a_keyframe_at_once() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    feed(&mut rx, t0, 1, &KEY);
    let t = t0 + Duration::from_millis(20);
    advance(&mut rx, t);
    assert_eq!(frames(&mut rx), vec![1]);
    let long = 2 + MAX_NACK_ENTRIES as u16 + 100;
    feed(&mut rx, t, long, &DELTA);
    let ev = events(&mut rx);
    assert!(
        ev.contains(&ReceiveEvent::FrameLost {
            first_sequence: 2,
            count: u64::from(long) - 2
        }),
        "{ev:?}"
    );
    assert!(ev.contains(&ReceiveEvent::KeyframeNeeded));
    let rtcp = rx.poll_rtcp(t).expect("a PLI now");
    assert!(has_pli(&rtcp) && nacked(&rtcp).is_empty());

    // A keyframe restores delivery; then one packet is lost and its NACKs go unanswered.
    let mut c = ReceiveConfig::new(SSRC, Codec::Vp8, 96, LOCAL, clock(t0));
    c.rtx = Some(RTX);
    c.max_nack_retries = 3;
    let mut rx = ReceiveStream::new(c, t0);
    rx.set_rtt(Duration::from_millis(20));
    feed(&mut rx, t0, 1, &KEY);
    advance(&mut rx, t);
    feed(&mut rx, t, 3, &DELTA);
    let mut asked = 0;
    let mut lost_at = None;
    let mut at = t;
    while lost_at.is_none() && at < t + rx.config().latency {
        let rtcp = advance(&mut rx, at);
        asked += nacked(&rtcp).len();
        if events(&mut rx).contains(&ReceiveEvent::FrameLost {
            first_sequence: 2,
            count: 1,
        }) {
            assert!(has_pli(&rtcp), "the PLI goes with the give-up");
            lost_at = Some(at);
        }
        at += Duration::from_millis(1);
    }
    assert_eq!(asked, 3);
    let lost_at = lost_at.expect("given up before the latency");
    let interval = nack_retry_interval(rx.rtt());
    assert!(
        lost_at - t <= interval * 3 + Duration::from_millis(1),
        "{:?}",
        lost_at - t
    );
}

#[test]
fn decoder_request_sends_pli_or_fir() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    feed(&mut rx, t0, 1, &KEY);
    advance(&mut rx, t0 + Duration::from_secs(2));
    rx.request_keyframe(t0 + Duration::from_secs(2));
    assert!(has_pli(&advance(&mut rx, t0 + Duration::from_secs(2))));

    let mut c = ReceiveConfig::new(SSRC, Codec::Vp8, 96, LOCAL, clock(t0));
    c.use_fir = true;
    let mut rx = ReceiveStream::new(c, t0);
    feed(&mut rx, t0, 1, &KEY);
    let t = t0 + Duration::from_secs(2);
    advance(&mut rx, t);
    let mut seqs = Vec::new();
    for i in 0..2u16 {
        let at = t + Duration::from_secs(u64::from(i));
        advance(&mut rx, at);
        rx.request_keyframe(at);
        let now = rx.poll_rtcp(at).unwrap_or_default();
        for p in now
            .into_iter()
            .chain(advance(&mut rx, at + Duration::from_millis(600)))
        {
            if let RtcpPacket::Fir(f) = p {
                assert_eq!(f.entries[0].ssrc, SSRC);
                assert_eq!(f.sender_ssrc, LOCAL);
                seqs.push(f.entries[0].seq_nr);
            }
        }
        // The keyframe ends the request.
        feed(&mut rx, at + Duration::from_millis(600), 2 + i, &KEY);
    }
    // Repeats of a request keep its command sequence number (RFC 5104 section 4.3.1.2).
    assert_eq!(seqs, vec![1, 1, 1, 2, 2, 2]);
    assert_eq!(rx.stats().inbound.fir_count, 6);
}

#[test]
fn sender_report_gives_lip_sync_and_lsr_dlsr() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    let ntp = NtpTime(0x0000_e000_8000_0000); // ...:0.5 s
    let sr = SenderReport {
        ssrc: SSRC,
        ntp_time: ntp,
        rtp_time: 9000,
        packet_count: 10,
        octet_count: 1000,
        ..Default::default()
    };
    assert!(rx.handle_rtcp(t0, &RtcpPacket::SenderReport(sr)));
    // Timestamp 9000 + 45000 is 0.5 s later: 0xe001:0000.
    assert_eq!(
        rx.sender_ntp_time(54_000),
        Some(NtpTime(0x0000_e001_0000_0000))
    );
    assert_eq!(
        rx.sender_ntp_time(0),
        Some(NtpTime(0x0000_e000_8000_0000 - (0x1_0000_0000 / 10)))
    );
    // Frames carry it.
    feed(&mut rx, t0, 3, &KEY); // timestamp 9000
    advance(&mut rx, t0 + Duration::from_millis(20));
    let ev = events(&mut rx);
    let ReceiveEvent::Frame(f) = &ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(f.sender_ntp_time, Some(ntp));
    // The report block echoes the SR.
    let b = rx.report_block(t0 + Duration::from_millis(250)).unwrap();
    assert_eq!(b.last_sr, 0xe000_8000);
    assert_eq!(b.delay_since_last_sr, 0x4000);
    let r = rx.remote_outbound_stats();
    assert_eq!(
        (r.packets_sent, r.bytes_sent, r.reports_sent),
        (10, 1000, 1)
    );
    // An SR of another SSRC is not ours.
    let other = SenderReport {
        ssrc: 5,
        ..Default::default()
    };
    assert!(!rx.handle_rtcp(t0, &RtcpPacket::SenderReport(other)));
}

#[test]
fn receiver_rtt_from_xr_dlrr() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    feed(&mut rx, t0, 1, &KEY);
    // The first compound carries RR + XR RRTR.
    let c = rx.poll_rtcp(t0).unwrap();
    let rrtr = c
        .iter()
        .find_map(|p| match p {
            RtcpPacket::ExtendedReport(x) => match x.blocks[0] {
                XrBlock::Rrtr { ntp_time } => Some(ntp_time),
                _ => None,
            },
            _ => None,
        })
        .expect("RRTR");
    assert_eq!(rrtr, clock(t0).ntp(t0));
    // The sender held it 20 ms; it arrives back 70 ms after it left: RTT 50 ms.
    let xr = ExtendedReport {
        ssrc: SSRC,
        blocks: vec![XrBlock::Dlrr(vec![DlrrItem {
            ssrc: LOCAL,
            last_rr: rrtr.middle_32(),
            delay_since_last_rr: 65536 / 50,
        }])],
    };
    assert!(rx.handle_rtcp(
        t0 + Duration::from_millis(70),
        &RtcpPacket::ExtendedReport(xr)
    ));
    let rtt = rx.rtt().as_secs_f64();
    assert!((rtt - 0.050).abs() < 0.001, "{rtt}");
    assert_eq!(rx.remote_outbound_stats().round_trip_time_measurements, 1);
}

#[test]
fn duplicates_jumps_and_resync_are_counted() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    feed(&mut rx, t0, 1000, &KEY);
    assert_eq!(feed(&mut rx, t0, 1000, &KEY), PacketVerdict::Duplicate);
    let t = t0 + Duration::from_millis(20);
    advance(&mut rx, t);
    // Released already, and known to have arrived: a duplicate still.
    assert_eq!(feed(&mut rx, t, 1000, &KEY), PacketVerdict::Duplicate);
    assert_eq!(feed(&mut rx, t, 1001, &DELTA), PacketVerdict::Accepted);
    // A jump of 20000: dropped, and dropped again unless the next packet continues it.
    assert_eq!(
        feed(&mut rx, t, 21_001, &DELTA),
        PacketVerdict::SequenceJump
    );
    assert_eq!(
        feed(&mut rx, t, 40_000, &DELTA),
        PacketVerdict::SequenceJump
    );
    assert_eq!(rx.missing_packets(), 0, "no NACKs for an unconfirmed jump");
    assert_eq!(feed(&mut rx, t, 40_001, &KEY), PacketVerdict::Accepted);
    assert_eq!(frames(&mut rx), vec![1000, 1001, 40_001]);
    let s = rx.stats().inbound;
    assert_eq!((s.sequence_jumps_dropped, s.sequence_resyncs), (2, 1));
    assert_eq!((s.packets_duplicated, s.packets_discarded), (2, 0));
    assert_eq!(s.packets_lost, 0, "a restart is not loss");
    // Wrong payload type, unknown SSRC, short RTX, padding-only RTX.
    let mut h = header(40_002);
    h.payload_type = 100;
    let bad = RtpPacket {
        header: h,
        payload: &DELTA,
        padding: 0,
    };
    assert_eq!(rx.handle_rtp(t, &bad), PacketVerdict::UnknownPayloadType);
    let mut h = header(40_002);
    h.ssrc = 7;
    let bad = RtpPacket {
        header: h,
        payload: &DELTA,
        padding: 0,
    };
    assert_eq!(rx.handle_rtp(t, &bad), PacketVerdict::UnknownSsrc);
    let mut h = header(1);
    h.ssrc = RTX.ssrc;
    h.payload_type = RTX.payload_type;
    let short = RtpPacket {
        header: h.clone(),
        payload: &[1],
        padding: 0,
    };
    assert_eq!(rx.handle_rtp(t, &short), PacketVerdict::Malformed);
    let probe = RtpPacket {
        header: h,
        payload: &[],
        padding: 200,
    };
    assert_eq!(rx.handle_rtp(t, &probe), PacketVerdict::Padding);
    let s = rx.stats().inbound;
    assert_eq!((s.packets_invalid, s.padding_packets_received), (3, 1));
}

/// Tiny deterministic generator for the floods.
fn lcg(state: &mut u64) -> u32 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 33) as u32
}

#[test]
fn ssrc_and_sequence_floods_stay_bounded() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    let mut r = 1u64;
    // 100,000 packets of random SSRCs: all dropped, nothing kept.
    for _ in 0..100_000 {
        let mut h = header(1);
        h.ssrc = lcg(&mut r) | 0x1000;
        rx.handle_rtp(
            t0,
            &RtpPacket {
                header: h,
                payload: &DELTA,
                padding: 0,
            },
        );
    }
    assert_eq!(rx.stats().inbound.packets_invalid, 100_000);
    assert_eq!(rx.buffered_packets(), 0);
    // 5,000 packets of random sequence numbers over 0.5 s, never drained by the application.
    let mut max = (0, 0);
    for i in 0..5_000u64 {
        let now = t0 + Duration::from_micros(100 * i);
        let payload = if lcg(&mut r).is_multiple_of(50) {
            &KEY[..]
        } else {
            &DELTA[..]
        };
        feed(&mut rx, now, lcg(&mut r) as u16, payload);
        rx.handle_timeout(now);
        while rx.poll_rtcp(now).is_some() {}
        max = (
            max.0.max(rx.buffered_packets()),
            max.1.max(rx.missing_packets()),
        );
    }
    assert!(max.0 <= MAX_JITTER_PACKETS + 1, "{max:?}");
    assert!(max.1 <= MAX_NACK_ENTRIES, "{max:?}");
    assert!(events(&mut rx).len() <= MAX_PENDING_EVENTS);
    let s = rx.stats().inbound;
    assert!(
        s.sequence_jumps_dropped > 0 && s.packets_discarded > 0,
        "{s:?}"
    );
}

#[test]
fn audio_loss_is_declared_without_keyframe_requests() {
    let t0 = Instant::now();
    let c = ReceiveConfig::new(SSRC, Codec::Opus, 111, LOCAL, clock(t0));
    assert!(!c.nack, "no NACK for audio by default");
    let mut rx = ReceiveStream::new(c, t0);
    let opus = |seq: u16| RtpPacket {
        header: RtpHeader {
            payload_type: 111,
            sequence_number: seq,
            timestamp: u32::from(seq) * 960,
            ssrc: SSRC,
            ..Default::default()
        },
        payload: &[0xfc, 0x01, 0x02],
        padding: 0,
    };
    for (i, seq) in [1u16, 2, 4, 5].into_iter().enumerate() {
        let now = t0 + Duration::from_millis(20 * i as u64);
        rx.handle_rtp(now, &opus(seq));
    }
    // 3 is waited for for the (audio) latency, then declared lost; 4 and 5 follow.
    let rtcp = advance(&mut rx, t0 + Duration::from_millis(200));
    assert!(nacked(&rtcp).is_empty() && !has_pli(&rtcp));
    let ev = events(&mut rx);
    let seqs: Vec<_> = ev
        .iter()
        .map(|e| match e {
            ReceiveEvent::Frame(f) => i64::from(f.frame.first_sequence),
            ReceiveEvent::FrameLost { first_sequence, .. } => -i64::from(*first_sequence),
            ReceiveEvent::KeyframeNeeded => panic!("audio needs no keyframe"),
        })
        .collect();
    assert_eq!(seqs, vec![1, 2, -3, 4, 5]);
    // A longer latency applies to the next gap.
    rx.set_latency(Duration::from_millis(500));
    let t = t0 + Duration::from_millis(200);
    rx.handle_rtp(t, &opus(7));
    advance(&mut rx, t + Duration::from_millis(499));
    assert!(events(&mut rx).is_empty());
    advance(&mut rx, t + Duration::from_millis(500));
    assert_eq!(events(&mut rx).len(), 2);
}

#[test]
fn packets_reordered_before_the_first_one_are_waited_for_and_nacked() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    // The burst of a first frame arrives shuffled: 13 first, then 10; 11 and 12 were unknown
    // until 10 showed up, and are asked for.
    feed(&mut rx, t0, 13, &DELTA);
    feed(&mut rx, t0 + Duration::from_millis(2), 10, &KEY);
    let rtcp = rx.poll_rtcp(t0 + Duration::from_millis(2)).unwrap();
    assert_eq!(nacked(&rtcp), vec![11, 12]);
    feed(&mut rx, t0 + Duration::from_millis(3), 11, &DELTA);
    feed(&mut rx, t0 + Duration::from_millis(4), 12, &DELTA);
    advance(&mut rx, t0 + Duration::from_millis(30));
    assert_eq!(frames(&mut rx), vec![10, 11, 12, 13]);
    assert_eq!(rx.missing_packets(), 0);
}

#[test]
fn probe_padding_and_redundant_copies_do_not_disturb_the_stream() {
    let t0 = Instant::now();
    let mut rx = stream(t0);
    feed(&mut rx, t0, 1, &KEY);
    let t = t0 + Duration::from_millis(30);
    advance(&mut rx, t);
    assert_eq!(frames(&mut rx), vec![1]);
    // Padding-only RTX packets: dropped, counted, no NACK.
    let mut h = header(0);
    h.ssrc = RTX.ssrc;
    h.payload_type = RTX.payload_type;
    for seq in 0..3 {
        h.sequence_number = seq;
        let p = RtpPacket {
            header: h.clone(),
            payload: &[],
            padding: 200,
        };
        assert_eq!(rx.handle_rtp(t, &p), PacketVerdict::Padding);
    }
    // A redundant RTX copy of packet 1, released long ago: a duplicate, not a late packet.
    assert_eq!(feed_rtx(&mut rx, t, 3, 1, &DELTA), PacketVerdict::Duplicate);
    // Padding-only on the media SSRC (a sender without RTX): takes seq 2, so 3 follows
    // without a gap, a NACK or a lost frame.
    let p = RtpPacket {
        header: header(2),
        payload: &[],
        padding: 255,
    };
    assert_eq!(rx.handle_rtp(t, &p), PacketVerdict::Accepted);
    feed(&mut rx, t, 3, &DELTA);
    let rtcp = advance(&mut rx, t + Duration::from_millis(500));
    assert!(nacked(&rtcp).is_empty(), "{rtcp:?}");
    assert_eq!(frames(&mut rx), vec![3]);
    let s = rx.stats().inbound;
    assert_eq!(s.padding_packets_received, 4);
    assert_eq!(s.packets_duplicated, 1);
    assert_eq!(
        (s.packets_discarded, s.packets_lost, s.frames_dropped),
        (0, 0, 0)
    );
    // A copy of a packet that never arrived and was given up on is still late, not duplicate.
    feed(&mut rx, t, 5, &DELTA);
    advance(&mut rx, t + Duration::from_secs(2));
    assert_eq!(
        feed_rtx(&mut rx, t + Duration::from_secs(2), 4, 4, &DELTA),
        PacketVerdict::Late
    );
}
