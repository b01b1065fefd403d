//! Audio (de)packetizers (RFC 7587, RFC 3551) and the frame assembler's edge cases.

mod common;

use rtcio_rtp::codec::{Codec, FrameAssembler};
use rtcio_rtp::packet::write_packet;
use rtcio_rtp::{RtpHeader, RtpPacket};

#[test]
fn audio_codecs_are_one_frame_per_packet() {
    for codec in [Codec::Opus, Codec::Pcmu, Codec::Pcma, Codec::G722] {
        let frames: Vec<Vec<u8>> = (0..5).map(|i| common::noise(160, i)).collect();
        let out = common::round_trip(codec, &frames, 1200);
        assert_eq!(out.len(), 5);
        for (f, want) in out.iter().zip(&frames) {
            assert_eq!(&f.data, want);
            assert!(f.keyframe);
            assert_eq!(f.packets, 1);
        }
        assert!(codec.packetizer().packetize(&[0; 200], 100).is_err());
    }
    assert_eq!(Codec::Opus.clock_rate(), 48_000);
    assert_eq!(Codec::G722.clock_rate(), 8_000);
}

#[test]
fn audio_loss_drops_nothing_but_the_lost_packet() {
    let mut a = FrameAssembler::new(Codec::Opus);
    let pk: Vec<Vec<u8>> = (0..5u16)
        .map(|i| common::packets(&[vec![i as u8]], i, 960 * u32::from(i)).remove(0))
        .collect();
    let out = common::assemble(&mut a, &[pk[0].clone(), pk[2].clone(), pk[3].clone()]);
    assert_eq!(out.len(), 3);
}

fn packet(seq: u16, ts: u32, marker: bool, payload: &[u8]) -> Vec<u8> {
    let h = RtpHeader {
        marker,
        payload_type: 96,
        sequence_number: seq,
        timestamp: ts,
        ssrc: 1,
        ..Default::default()
    };
    write_packet(&h, payload, 0).unwrap()
}

#[test]
fn timestamp_change_ends_a_frame_without_marker() {
    let mut a = FrameAssembler::new(Codec::Vp8);
    let out = common::assemble(
        &mut a,
        &[
            packet(1, 100, false, &[0x10, 1]),
            packet(2, 200, true, &[0x10, 2]),
        ],
    );
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].data, vec![1]);
}

#[test]
fn padding_only_packets_only_advance_the_sequence() {
    let mut a = FrameAssembler::new(Codec::Vp8);
    let out = common::assemble(
        &mut a,
        &[
            packet(1, 100, true, &[0x10, 1]),
            packet(2, 100, false, &[]),
            packet(3, 200, true, &[0x10, 2]),
        ],
    );
    assert_eq!(out.len(), 2);
    assert_eq!(a.dropped_frames(), 0);
}

#[test]
fn frame_after_a_gap_without_start_is_dropped() {
    let mut a = FrameAssembler::new(Codec::Vp8);
    let out = common::assemble(
        &mut a,
        &[
            packet(1, 100, true, &[0x10, 1]),
            // seq 2 (start of the next frame) lost
            packet(3, 200, true, &[0x00, 2]),
            packet(4, 300, true, &[0x10, 3]),
        ],
    );
    assert_eq!(
        out.iter().map(|f| f.rtp_timestamp).collect::<Vec<_>>(),
        vec![100, 300]
    );
    assert_eq!(a.dropped_frames(), 1);
}

#[test]
fn oversized_frames_are_dropped() {
    let mut a = FrameAssembler::new(Codec::Vp8);
    a.set_max_frame_bytes(10);
    let out = common::assemble(
        &mut a,
        &[
            packet(1, 100, false, &[0x10; 8]),
            packet(2, 100, true, &[0x00; 8]),
        ],
    );
    assert!(out.is_empty());
    assert_eq!(a.dropped_frames(), 1);
}

#[test]
fn bad_payloads_drop_the_frame() {
    let mut a = FrameAssembler::new(Codec::H264);
    let out = common::assemble(
        &mut a,
        &[
            packet(1, 100, true, &[0x1f, 1]),
            packet(2, 200, true, &[0x41, 2]),
        ],
    );
    assert_eq!(out.len(), 1);
    assert_eq!(a.dropped_frames(), 1);
    let _ = RtpPacket::parse(&packet(1, 1, true, &[])).unwrap();
}

#[test]
fn empty_audio_frames_are_errors() {
    // An empty payload would read as padding only: found by fuzzing.
    for codec in [Codec::Opus, Codec::Pcmu, Codec::Pcma, Codec::G722] {
        assert!(codec.packetizer().packetize(&[], 1200).is_err());
    }
}
