//! Drives a ReceiveStream and a SendStream with arbitrary RTP packets, RTCP compounds, sent
//! packets and time steps decoded from the input. Nothing may panic, every documented bound
//! must hold after every step, and whatever RTCP the streams produce must serialize and parse.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rtcio_rtp::codec::Codec;
use rtcio_rtp::rtcp::{parse_compound, write_compound};
use rtcio_rtp::stream::{
    MAX_JITTER_PACKETS, MAX_NACK_ENTRIES, MAX_PENDING_EVENTS, MAX_PENDING_RETRANSMISSIONS,
    NtpClock, ReceiveConfig, ReceiveStream, RtxConfig, SendConfig, SendStream,
};
use rtcio_rtp::{RtpHeader, RtpPacket};

const SSRC: u32 = 0x0102_0304;
const RTX: RtxConfig = RtxConfig {
    ssrc: 0x0506_0708,
    payload_type: 97,
};

fn check_rtcp(packets: Option<Vec<rtcio_rtp::rtcp::RtcpPacket>>) {
    if let Some(p) = packets {
        let bytes = write_compound(&p).expect("produced RTCP serializes");
        assert_eq!(parse_compound(&bytes).expect("produced RTCP parses").packets, p);
    }
}

fuzz_target!(|data: &[u8]| {
    let t0 = Instant::now();
    let clock = NtpClock::new(t0, Duration::from_secs(3_900_000_000));
    let codec = match data.first().map(|b| b % 3) {
        Some(0) => Codec::Opus,
        Some(1) => Codec::H264,
        _ => Codec::Vp8,
    };
    let mut rc = ReceiveConfig::new(SSRC, codec, 96, 9, clock);
    rc.rtx = Some(RTX);
    rc.nack = true;
    rc.use_fir = data.get(1).is_some_and(|b| b & 1 == 1);
    let mut rx = ReceiveStream::new(rc, t0);
    let mut sc = SendConfig::new(SSRC, 96, 90_000, clock);
    sc.rtx = Some(RTX);
    sc.history_packets = 64;
    let mut tx = SendStream::new(sc);
    let mut now = t0;
    let mut rest = data.get(2..).unwrap_or_default();
    while let [op, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (chunk, next) = tail.split_at(n);
        rest = next;
        match op % 6 {
            0 | 1 => {
                // RTP, its SSRC forced to the media or RTX stream half the time.
                if let Ok(mut p) = RtpPacket::parse(chunk) {
                    if op & 0x10 != 0 {
                        p.header.ssrc = if op & 0x20 != 0 { RTX.ssrc } else { SSRC };
                        p.header.payload_type = if op & 0x20 != 0 { 97 } else { 96 };
                    }
                    rx.handle_rtp(now, &p);
                }
            }
            2 => {
                if let Ok(c) = parse_compound(chunk) {
                    for p in &c.packets {
                        rx.handle_rtcp(now, p);
                        tx.handle_rtcp(now, p);
                    }
                }
            }
            3 => {
                let seq = u16::from_be_bytes([*len, chunk.first().copied().unwrap_or(0)]);
                let header = RtpHeader {
                    payload_type: 96,
                    sequence_number: seq,
                    timestamp: u32::from(seq) * 3000,
                    ssrc: SSRC,
                    ..Default::default()
                };
                tx.handle_sent(
                    now,
                    &RtpPacket {
                        header,
                        payload: chunk,
                        padding: 0,
                    },
                );
            }
            4 => {
                now += Duration::from_micros(u64::from(*len) * 1000);
                rx.handle_timeout(now);
                tx.handle_timeout(now);
            }
            _ => {
                if op & 0x40 != 0 {
                    rx.request_keyframe(now);
                }
                if let Some(at) = rx.poll_timeout() {
                    now = now.max(at);
                    rx.handle_timeout(now);
                }
            }
        }
        assert!(rx.buffered_packets() <= MAX_JITTER_PACKETS + 1);
        assert!(rx.missing_packets() <= MAX_NACK_ENTRIES);
        assert!(tx.pending_retransmissions() <= MAX_PENDING_RETRANSMISSIONS);
        assert!(tx.history_len() <= 64);
        check_rtcp(rx.poll_rtcp(now));
        check_rtcp(tx.poll_rtcp(now));
        let mut events = 0;
        while rx.poll_event().is_some() {
            events += 1;
        }
        assert!(events <= MAX_PENDING_EVENTS);
        while tx.poll_event().is_some() {}
        while let Some(p) = tx.poll_retransmit(now) {
            let bytes = p.to_bytes().expect("RTX serializes");
            RtpPacket::parse(&bytes).expect("RTX parses");
        }
    }
    let _ = (rx.stats(), tx.stats());
});
