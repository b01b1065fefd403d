//! H.264 (RFC 6184): single NAL unit packets, STAP-A (section 5.7.1), FU-A (section 5.8).

mod common;

use rtcio_rtp::codec::h264::{H264Depacketizer, H264Format, H264Packetizer, split_annex_b};
use rtcio_rtp::codec::{Codec, Depacketizer, FrameAssembler, Packetizer};

const SPS: &[u8] = &[0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01];
const PPS: &[u8] = &[0x68, 0xce, 0x3c, 0x80];

fn idr(len: usize) -> Vec<u8> {
    let mut n = vec![0x65];
    n.extend(common::noise(len - 1, 3));
    n
}

fn slice(len: usize) -> Vec<u8> {
    let mut n = vec![0x41];
    n.extend(common::noise(len - 1, 4));
    n
}

fn annex_b(nals: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for n in nals {
        out.extend_from_slice(&[0, 0, 0, 1]);
        out.extend_from_slice(n);
    }
    out
}

#[test]
fn stap_a_structure() {
    // Figure 7: STAP-A header, then (16-bit size, NAL unit) pairs.
    let mut payload = vec![0x78]; // F=0 NRI=3 type=24
    payload.extend_from_slice(&(SPS.len() as u16).to_be_bytes());
    payload.extend_from_slice(SPS);
    payload.extend_from_slice(&(PPS.len() as u16).to_be_bytes());
    payload.extend_from_slice(PPS);
    let mut d = H264Depacketizer::new(H264Format::AnnexB);
    let mut frame = Vec::new();
    let info = d.depacketize(&payload, &mut frame).unwrap();
    assert!(info.keyframe);
    assert_eq!(frame, annex_b(&[SPS, PPS]));

    let mut d = H264Depacketizer::new(H264Format::Avc);
    let mut frame = Vec::new();
    d.depacketize(&payload, &mut frame).unwrap();
    assert_eq!(&frame[..4], &[0, 0, 0, 6]);
    assert_eq!(&frame[4..10], SPS);
    assert_eq!(&frame[10..14], &[0, 0, 0, 4]);
}

#[test]
fn fu_a_structure() {
    // Figure 14: FU indicator (F, NRI, type 28), FU header (S, E, R, type), fragment.
    let nal = idr(10);
    let p1 = [&[0x7c, 0x85][..], &nal[1..5]].concat(); // NRI 3, S, type 5
    let p2 = [&[0x7c, 0x05][..], &nal[5..8]].concat();
    let p3 = [&[0x7c, 0x45][..], &nal[8..]].concat(); // E
    let mut d = H264Depacketizer::new(H264Format::AnnexB);
    let mut frame = Vec::new();
    assert!(!d.depacketize(&p1, &mut frame).unwrap().keyframe);
    d.depacketize(&p2, &mut frame).unwrap();
    assert!(d.depacketize(&p3, &mut frame).unwrap().keyframe);
    let mut want = vec![0, 0, 0, 1, 0x65 | 0x60];
    want.extend_from_slice(&nal[1..]);
    // NRI comes from the FU indicator.
    assert_eq!(frame, want);
}

#[test]
fn fu_a_continuation_without_start_is_an_error() {
    let mut d = H264Depacketizer::new(H264Format::AnnexB);
    assert!(d.depacketize(&[0x7c, 0x05, 1, 2], &mut Vec::new()).is_err());
    assert!(d.depacketize(&[0x7c, 0x45, 1, 2], &mut Vec::new()).is_err());
}

#[test]
fn interleaved_mode_units_are_rejected() {
    let mut d = H264Depacketizer::new(H264Format::AnnexB);
    for t in [25u8, 26, 27, 29, 0, 30, 31] {
        assert!(
            d.depacketize(&[t, 0, 0, 0], &mut Vec::new()).is_err(),
            "type {t}"
        );
    }
}

#[test]
fn stap_a_with_length_past_the_end() {
    let mut d = H264Depacketizer::new(H264Format::AnnexB);
    assert!(d.depacketize(&[0x78, 0, 9, 0x67], &mut Vec::new()).is_err());
    assert!(d.depacketize(&[0x78, 0, 0], &mut Vec::new()).is_err());
}

#[test]
fn annex_b_splitting() {
    let s = [
        0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x68, 2, 0, 0, 0, 0, 1, 0x65, 3, 0,
    ];
    let nals = split_annex_b(&s);
    assert_eq!(nals, vec![&[0x67, 1][..], &[0x68, 2], &[0x65, 3]]);
}

#[test]
fn packetizer_aggregates_small_units_and_fragments_large_ones() {
    let big = idr(3000);
    let frame = annex_b(&[SPS, PPS, &big]);
    let payloads = H264Packetizer::default().packetize(&frame, 1200).unwrap();
    assert_eq!(payloads[0][0] & 0x1f, 24, "SPS+PPS in a STAP-A");
    assert!(payloads[1..].iter().all(|p| p[0] & 0x1f == 28));
    assert_eq!(payloads[1][1] & 0x80, 0x80);
    assert_eq!(payloads.last().unwrap()[1] & 0x40, 0x40);
    assert!(payloads.iter().all(|p| p.len() <= 1200));
}

#[test]
fn round_trip_through_the_assembler() {
    let frames = vec![
        annex_b(&[SPS, PPS, &idr(5000)]),
        annex_b(&[&slice(700)]),
        annex_b(&[&slice(100), &slice(200)]),
    ];
    let out = common::round_trip(Codec::H264, &frames, 1000);
    assert_eq!(out.len(), 3);
    for (f, want) in out.iter().zip(&frames) {
        assert_eq!(&f.data, want);
    }
    assert!(out[0].keyframe && !out[1].keyframe && !out[2].keyframe);
}

#[test]
fn avc_output_from_the_assembler() {
    let frame = annex_b(&[SPS, &slice(3000)]);
    let payloads = H264Packetizer::default().packetize(&frame, 500).unwrap();
    let mut a = FrameAssembler::with_depacketizer(
        Codec::H264,
        Box::new(H264Depacketizer::new(H264Format::Avc)),
    );
    let out = common::assemble(&mut a, &common::packets(&payloads, 0, 0));
    let mut want = vec![0, 0, 0, 6];
    want.extend_from_slice(SPS);
    want.extend_from_slice(&3000u32.to_be_bytes());
    want.extend_from_slice(&slice(3000));
    assert_eq!(out[0].data, want);
}

#[test]
fn tiny_mtu_is_an_error() {
    assert!(
        H264Packetizer::default()
            .packetize(&annex_b(&[SPS]), 2)
            .is_err()
    );
}
