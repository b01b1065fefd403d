//! Helpers shared by the codec tests: turn payloads into packets and run them through a
//! [`FrameAssembler`].
#![allow(dead_code)]

use rtcio_rtp::codec::{Codec, EncodedFrame, FrameAssembler};
use rtcio_rtp::packet::write_packet;
use rtcio_rtp::{RtpHeader, RtpPacket};

/// Serialized packets for `payloads` of one frame, marker on the last.
pub fn packets(payloads: &[Vec<u8>], first_seq: u16, ts: u32) -> Vec<Vec<u8>> {
    payloads
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let h = RtpHeader {
                marker: i + 1 == payloads.len(),
                payload_type: 96,
                sequence_number: first_seq.wrapping_add(i as u16),
                timestamp: ts,
                ssrc: 42,
                ..Default::default()
            };
            write_packet(&h, p, 0).unwrap()
        })
        .collect()
}

/// Feeds packets and collects frames.
pub fn assemble(a: &mut FrameAssembler, packets: &[Vec<u8>]) -> Vec<EncodedFrame> {
    let mut out = Vec::new();
    for p in packets {
        a.handle_packet(&RtpPacket::parse(p).unwrap());
        while let Some(f) = a.poll_frame() {
            out.push(f);
        }
    }
    out
}

/// Packetizes `frames` with `codec` at `mtu`, assembles them back, checks every payload fits.
pub fn round_trip(codec: Codec, frames: &[Vec<u8>], mtu: usize) -> Vec<EncodedFrame> {
    let mut p = codec.packetizer();
    let mut a = FrameAssembler::new(codec);
    let mut seq = 65530u16;
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let payloads = p.packetize(f, mtu).unwrap();
        assert!(payloads.iter().all(|p| p.len() <= mtu), "payload over MTU");
        let pk = packets(&payloads, seq, 3000 * i as u32);
        seq = seq.wrapping_add(payloads.len() as u16);
        out.extend(assemble(&mut a, &pk));
    }
    assert_eq!(a.dropped_frames(), 0);
    out
}

/// Deterministic pseudo-random bytes.
pub fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}
