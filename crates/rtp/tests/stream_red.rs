//! ReceiveStream with RED (RFC 2198) around VP8, as browsers send it when `red`/`ulpfec` are
//! negotiated: frames come from the primary blocks, ULPFEC packets fill their sequence numbers,
//! RTX of RED repairs losses, malformed RED leaves a gap.

use std::time::{Duration, Instant};

use rtcio_rtp::codec::{Codec, EncodedFrame};
use rtcio_rtp::rtcp::RtcpPacket;
use rtcio_rtp::stream::{
    NtpClock, PacketVerdict, ReceiveConfig, ReceiveEvent, ReceiveStream, RedConfig, RtxConfig,
};
use rtcio_rtp::{RtpHeader, RtpPacket};

const SSRC: u32 = 100;
const VP8: u8 = 96;
const RED: u8 = 118;
const RED_RTX: u8 = 119;
const ULPFEC: u8 = 120;
const RTX: RtxConfig = RtxConfig {
    ssrc: 200,
    payload_type: 97,
};

/// First packet of a VP8 keyframe: descriptor (S bit), frame tag, start code.
const KEY_HEAD: [u8; 11] = [
    0x10, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01,
];
/// Rest of the keyframe: descriptor without S.
const KEY_TAIL: [u8; 5] = [0x00, 1, 2, 3, 4];
/// A one-packet VP8 delta frame.
const DELTA: [u8; 5] = [0x10, 0x51, 0x2a, 0x00, 0x07];
/// Something shaped like an ULPFEC packet (its content is never read).
const FEC: [u8; 14] = [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

fn stream(t0: Instant, red: Option<RedConfig>) -> ReceiveStream {
    let clock = NtpClock::new(t0, Duration::from_secs(3_900_000_000));
    let mut c = ReceiveConfig::new(SSRC, Codec::Vp8, VP8, 300, clock);
    c.rtx = Some(RTX);
    c.red = red;
    ReceiveStream::new(c, t0)
}

fn red_config() -> RedConfig {
    RedConfig {
        payload_type: RED,
        rtx_payload_type: Some(RED_RTX),
        ulpfec_payload_type: Some(ULPFEC),
    }
}

/// A RED payload with only a primary block, as libwebrtc sends video.
fn red(pt: u8, block: &[u8]) -> Vec<u8> {
    let mut p = vec![pt];
    p.extend_from_slice(block);
    p
}

/// A RED payload with one redundant block before the primary (as audio RED does).
fn red_with_redundancy(redundant: &[u8], pt: u8, block: &[u8]) -> Vec<u8> {
    let len = redundant.len() as u16;
    let mut p = vec![0x80 | pt, 0x00, 0x0c | (len >> 8) as u8, len as u8, pt];
    p.extend_from_slice(redundant);
    p.extend_from_slice(block);
    p
}

/// One packet as sent: sequence number, timestamp, marker, payload type, payload.
struct Sent {
    seq: u16,
    ts: u32,
    marker: bool,
    pt: u8,
    payload: Vec<u8>,
}

fn sent(seq: u16, ts: u32, marker: bool, pt: u8, payload: Vec<u8>) -> Sent {
    Sent {
        seq,
        ts,
        marker,
        pt,
        payload,
    }
}

fn feed(rx: &mut ReceiveStream, now: Instant, s: &Sent) -> PacketVerdict {
    let header = RtpHeader {
        marker: s.marker,
        payload_type: s.pt,
        sequence_number: s.seq,
        timestamp: s.ts,
        ssrc: SSRC,
        ..Default::default()
    };
    rx.handle_rtp(
        now,
        &RtpPacket {
            header,
            payload: &s.payload,
            padding: 0,
        },
    )
}

fn feed_rtx(
    rx: &mut ReceiveStream,
    now: Instant,
    rtx_pt: u8,
    rtx_seq: u16,
    s: &Sent,
) -> PacketVerdict {
    let mut payload = s.seq.to_be_bytes().to_vec();
    payload.extend_from_slice(&s.payload);
    let header = RtpHeader {
        marker: s.marker,
        payload_type: rtx_pt,
        sequence_number: rtx_seq,
        timestamp: s.ts,
        ssrc: RTX.ssrc,
        ..Default::default()
    };
    rx.handle_rtp(
        now,
        &RtpPacket {
            header,
            payload: &payload,
            padding: 0,
        },
    )
}

fn frames(rx: &mut ReceiveStream) -> Vec<EncodedFrame> {
    std::iter::from_fn(|| rx.poll_event())
        .filter_map(|e| match e {
            ReceiveEvent::Frame(f) => Some(f.frame),
            _ => None,
        })
        .collect()
}

fn nacked(rx: &mut ReceiveStream, now: Instant) -> Vec<u16> {
    std::iter::from_fn(|| rx.poll_rtcp(now))
        .flatten()
        .filter_map(|p| match p {
            RtcpPacket::Nack(n) => Some(n.lost().collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// Runs the timers up to `t`.
fn advance(rx: &mut ReceiveStream, t: Instant) {
    while let Some(at) = rx.poll_timeout().filter(|&at| at <= t) {
        rx.handle_timeout(at);
        while rx.poll_rtcp(at).is_some() {}
    }
}

/// A keyframe in two packets and its FEC, a delta and its FEC, a delta, a delta with a
/// redundant block: every frame wrapped in RED.
fn red_stream() -> Vec<Sent> {
    vec![
        sent(1, 3000, false, RED, red(VP8, &KEY_HEAD)),
        sent(2, 3000, true, RED, red(VP8, &KEY_TAIL)),
        sent(3, 3000, false, RED, red(ULPFEC, &FEC)),
        sent(4, 6000, true, RED, red(VP8, &DELTA)),
        sent(5, 6000, false, RED, red(ULPFEC, &FEC)),
        sent(6, 9000, true, RED, red(VP8, &DELTA)),
        sent(
            7,
            12000,
            true,
            RED,
            red_with_redundancy(&DELTA, VP8, &DELTA),
        ),
    ]
}

/// The frames the same media gives when sent without RED or FEC.
fn plain_frames(t0: Instant) -> Vec<EncodedFrame> {
    let mut rx = stream(t0, None);
    for (seq, s) in [
        sent(1, 3000, false, VP8, KEY_HEAD.to_vec()),
        sent(2, 3000, true, VP8, KEY_TAIL.to_vec()),
        sent(3, 6000, true, VP8, DELTA.to_vec()),
        sent(4, 9000, true, VP8, DELTA.to_vec()),
        sent(5, 12000, true, VP8, DELTA.to_vec()),
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(seq as u16 + 1, s.seq);
        assert_eq!(feed(&mut rx, t0, s), PacketVerdict::Accepted);
    }
    advance(&mut rx, t0 + Duration::from_millis(50));
    frames(&mut rx)
}

/// Frame content as the decoder sees it (sequence numbers differ with FEC in between).
fn content(f: &EncodedFrame) -> (u8, u32, bool, Vec<u8>) {
    (f.payload_type, f.rtp_timestamp, f.keyframe, f.data.clone())
}

#[test]
fn red_wrapped_vp8_without_red_config_gives_no_frames() {
    let t0 = Instant::now();
    let mut rx = stream(t0, None);
    for s in red_stream() {
        assert_eq!(feed(&mut rx, t0, &s), PacketVerdict::UnknownPayloadType);
    }
    advance(&mut rx, t0 + Duration::from_secs(1));
    assert!(frames(&mut rx).is_empty());
    assert_eq!(rx.stats().inbound.packets_invalid, 7);
}

#[test]
fn red_wrapped_vp8_gives_the_frames_of_the_primary_blocks() {
    let t0 = Instant::now();
    let mut rx = stream(t0, Some(red_config()));
    for s in red_stream() {
        assert_eq!(feed(&mut rx, t0, &s), PacketVerdict::Accepted);
    }
    advance(&mut rx, t0 + Duration::from_millis(50));
    let got = frames(&mut rx);
    let want = plain_frames(t0);
    assert_eq!(want.len(), 4);
    assert_eq!(
        got.iter().map(content).collect::<Vec<_>>(),
        want.iter().map(content).collect::<Vec<_>>()
    );
    assert_eq!(
        got.iter()
            .map(|f| (f.first_sequence, f.last_sequence))
            .collect::<Vec<_>>(),
        vec![(1, 2), (4, 4), (6, 6), (7, 7)]
    );
    assert_eq!(nacked(&mut rx, t0 + Duration::from_millis(50)), vec![]);
    let s = rx.stats().inbound;
    assert_eq!((s.fec_packets_received, s.fec_packets_discarded), (2, 2));
    assert_eq!(
        (s.packets_received, s.packets_lost, s.packets_invalid),
        (7, 0, 0)
    );
    assert_eq!((s.frames_received, s.frames_dropped), (4, 0));
    let outer: usize = red_stream().iter().map(|s| s.payload.len()).sum();
    assert_eq!(s.bytes_received, outer as u64, "bytes as they arrived");
}

#[test]
fn lost_red_packet_is_nacked_and_recovered_through_rtx_of_red() {
    let t0 = Instant::now();
    let mut rx = stream(t0, Some(red_config()));
    rx.set_rtt(Duration::from_millis(20));
    let packets = red_stream();
    // 4 (a delta frame) and 5 (its FEC) are lost.
    for s in packets.iter().filter(|s| s.seq != 4 && s.seq != 5) {
        feed(&mut rx, t0, s);
    }
    assert_eq!(
        nacked(&mut rx, t0),
        vec![4, 5],
        "sequence numbers of the outer packets"
    );
    let t = t0 + Duration::from_millis(30);
    advance(&mut rx, t);
    let first: Vec<u32> = frames(&mut rx).iter().map(|f| f.rtp_timestamp).collect();
    assert_eq!(first, vec![3000], "held behind the gap");
    assert_eq!(
        feed_rtx(&mut rx, t, RED_RTX, 50, &packets[3]),
        PacketVerdict::Recovered
    );
    assert_eq!(
        feed_rtx(&mut rx, t, RED_RTX, 51, &packets[4]),
        PacketVerdict::Recovered
    );
    let rest: Vec<u32> = frames(&mut rx).iter().map(|f| f.rtp_timestamp).collect();
    assert_eq!(rest, vec![6000, 9000, 12000]);
    let s = rx.stats().inbound;
    assert_eq!((s.retransmitted_packets_received, s.packets_lost), (2, 0));
    assert_eq!(s.fec_packets_received, 2);
    // Plain RTX (apt = VP8) of an unwrapped packet is still accepted.
    let plain = sent(8, 15000, true, VP8, DELTA.to_vec());
    assert_eq!(
        feed_rtx(&mut rx, t, RTX.payload_type, 52, &plain),
        PacketVerdict::Accepted
    );
    let last: Vec<u32> = frames(&mut rx).iter().map(|f| f.rtp_timestamp).collect();
    assert_eq!(last, vec![15000]);
}

#[test]
fn malformed_or_foreign_red_is_dropped_and_leaves_a_gap() {
    let t0 = Instant::now();
    let mut rx = stream(t0, Some(red_config()));
    feed(&mut rx, t0, &sent(1, 3000, true, RED, red(VP8, &KEY_HEAD)));
    // A redundant block header announcing more bytes than there are.
    let mut truncated = red_with_redundancy(&DELTA, VP8, &DELTA);
    truncated.truncate(7);
    let bad = sent(2, 6000, true, RED, truncated);
    assert_eq!(feed(&mut rx, t0, &bad), PacketVerdict::Malformed);
    assert_eq!(
        feed(&mut rx, t0, &sent(3, 6000, true, RED, vec![])),
        PacketVerdict::Malformed
    );
    // A primary block of a payload type that is neither the codec nor ULPFEC.
    assert_eq!(
        feed(&mut rx, t0, &sent(4, 9000, true, RED, red(100, &DELTA))),
        PacketVerdict::UnknownPayloadType
    );
    feed(&mut rx, t0, &sent(5, 12000, true, RED, red(VP8, &DELTA)));
    let t = t0 + Duration::from_millis(30);
    advance(&mut rx, t);
    assert_eq!(rx.stats().inbound.packets_invalid, 3);
    assert_eq!(rx.missing_packets(), 3, "2..=4 are waited for as lost");
    let delivered: Vec<u32> = frames(&mut rx).iter().map(|f| f.rtp_timestamp).collect();
    assert_eq!(delivered, vec![3000]);
}

#[test]
fn padding_only_packet_with_the_red_payload_type_holds_its_place() {
    let t0 = Instant::now();
    let mut rx = stream(t0, Some(red_config()));
    feed(&mut rx, t0, &sent(1, 3000, true, RED, red(VP8, &KEY_HEAD)));
    let header = RtpHeader {
        payload_type: RED,
        sequence_number: 2,
        timestamp: 3000,
        ssrc: SSRC,
        ..Default::default()
    };
    let probe = RtpPacket {
        header,
        payload: &[],
        padding: 200,
    };
    assert_eq!(rx.handle_rtp(t0, &probe), PacketVerdict::Accepted);
    feed(&mut rx, t0, &sent(3, 6000, true, RED, red(VP8, &DELTA)));
    assert_eq!(nacked(&mut rx, t0), vec![]);
    advance(&mut rx, t0 + Duration::from_millis(30));
    let delivered: Vec<u32> = frames(&mut rx).iter().map(|f| f.rtp_timestamp).collect();
    assert_eq!(delivered, vec![3000, 6000]);
    let s = rx.stats().inbound;
    assert_eq!((s.padding_packets_received, s.packets_invalid), (1, 0));
}
