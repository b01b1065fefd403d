//! Feeds arbitrary payloads to every depacketizer and frame assembler, and arbitrary frames to
//! every packetizer. Nothing may panic; packetized frames must fit the MTU and assemble back to
//! the frame (exactly for audio, VP8 and VP9; normalized for H.264 and AV1).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcio_rtp::codec::h264::split_annex_b;
use rtcio_rtp::codec::{Codec, FrameAssembler};
use rtcio_rtp::packet::write_packet;
use rtcio_rtp::{RtpHeader, RtpPacket};

const CODECS: [Codec; 8] = [
    Codec::Opus,
    Codec::Pcmu,
    Codec::Pcma,
    Codec::G722,
    Codec::Vp8,
    Codec::Vp9,
    Codec::H264,
    Codec::Av1,
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let codec = CODECS[usize::from(sel & 7)];
    depacketize(codec, rest);
    let mtu = 3 + usize::from(sel >> 3) * 37;
    packetize(codec, rest, mtu);
});

fn packet(seq: u16, ts: u32, marker: bool, payload: &[u8]) -> Vec<u8> {
    let h = RtpHeader {
        marker,
        payload_type: 96,
        sequence_number: seq,
        timestamp: ts,
        ssrc: 7,
        ..Default::default()
    };
    write_packet(&h, payload, 0).unwrap()
}

/// Splits the input into packets: each a control byte (marker, sequence skip, timestamp step)
/// and a length byte, then the payload.
fn depacketize(codec: Codec, mut data: &[u8]) {
    let mut d = codec.depacketizer();
    let mut a = FrameAssembler::new(codec);
    a.set_max_frame_bytes(1 << 16);
    let (mut seq, mut ts) = (0u16, 0u32);
    while let [ctl, len, rest @ ..] = data {
        let len = usize::from(*len).min(rest.len());
        let (payload, tail) = rest.split_at(len);
        data = tail;
        let mut frame = Vec::new();
        if ctl & 0x40 != 0 {
            d.reset();
        }
        let _ = d.depacketize(payload, &mut frame);
        seq = seq.wrapping_add(1 + u16::from(ctl & 0x20 != 0));
        ts = ts.wrapping_add(u32::from(ctl & 0x0f) * 100);
        let bytes = packet(seq, ts, ctl & 0x80 != 0, payload);
        a.handle_packet(&RtpPacket::parse(&bytes).unwrap());
        while let Some(f) = a.poll_frame() {
            assert!(f.data.len() <= 1 << 16);
            assert_eq!(f.codec, codec);
        }
    }
}

fn packetize(codec: Codec, frame: &[u8], mtu: usize) {
    let Ok(payloads) = codec.packetizer().packetize(frame, mtu) else { return };
    assert!(!payloads.is_empty());
    assert!(payloads.iter().all(|p| p.len() <= mtu), "payload over MTU {mtu}");
    let mut a = FrameAssembler::new(codec);
    let n = payloads.len();
    let mut frames = Vec::new();
    for (i, p) in payloads.iter().enumerate() {
        let bytes = packet(i as u16, 0, i + 1 == n, p);
        a.handle_packet(&RtpPacket::parse(&bytes).unwrap());
        frames.extend(std::iter::from_fn(|| a.poll_frame()));
    }
    match codec {
        Codec::Vp8 | Codec::Vp9 | Codec::Opus | Codec::Pcmu | Codec::Pcma | Codec::G722 => {
            assert_eq!(frames.len(), 1);
            assert_eq!(frames[0].data, frame);
        }
        Codec::H264 => {
            let nals = split_annex_b(frame);
            if nals.iter().all(|n| (1..=23).contains(&(n[0] & 0x1f))) {
                let mut want = Vec::new();
                for n in nals {
                    want.extend_from_slice(&[0, 0, 0, 1]);
                    want.extend_from_slice(n);
                }
                assert_eq!(frames.len(), 1);
                assert_eq!(frames[0].data, want);
            }
        }
        Codec::Av1 => {
            // The depacketized temporal unit is normalized: packetizing it again at the same MTU
            // and depacketizing gives it back.
            if let [f] = frames.as_slice() {
                let again = Codec::Av1.packetizer().packetize(&f.data, mtu).unwrap();
                let mut a = FrameAssembler::new(codec);
                let n = again.len();
                let mut out = Vec::new();
                for (i, p) in again.iter().enumerate() {
                    let bytes = packet(i as u16, 0, i + 1 == n, p);
                    a.handle_packet(&RtpPacket::parse(&bytes).unwrap());
                    out.extend(std::iter::from_fn(|| a.poll_frame()));
                }
                assert_eq!(out.len(), 1);
                assert_eq!(out[0].data, f.data);
            }
        }
    }
}
