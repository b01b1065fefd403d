//! AV1 RTP payload format: aggregation header, OBU elements, fragmentation.

mod common;

use rtcio_rtp::codec::av1::{
    Av1Depacketizer, Av1Packetizer, leb128_len, read_leb128, write_leb128,
};
use rtcio_rtp::codec::{Codec, Depacketizer, Packetizer};

/// An OBU with a size field.
fn obu(obu_type: u8, payload: &[u8]) -> Vec<u8> {
    let mut o = vec![(obu_type << 3) | 0x02];
    write_leb128(payload.len() as u32, &mut o);
    o.extend_from_slice(payload);
    o
}

const TD: [u8; 2] = [0x12, 0x00];

fn temporal_unit(key: bool, frame_len: usize) -> Vec<u8> {
    let mut tu = TD.to_vec();
    if key {
        tu.extend(obu(1, &[0, 0, 0, 0x42, 0xab, 0xbf, 0xc3]));
    }
    tu.extend(obu(6, &common::noise(frame_len, 7)));
    tu
}

#[test]
fn leb128() {
    for v in [0u32, 1, 127, 128, 300, 16_383, 16_384, u32::MAX] {
        let mut b = Vec::new();
        write_leb128(v, &mut b);
        assert_eq!(b.len(), leb128_len(v as usize));
        let mut s = b.as_slice();
        assert_eq!(read_leb128(&mut s), Ok(v));
        assert!(s.is_empty());
    }
    assert!(read_leb128(&mut &[0x80u8, 0x80][..]).is_err());
    assert!(read_leb128(&mut &[0xffu8; 9][..]).is_err());
}

#[test]
fn aggregation_header_w2_last_element_without_length() {
    // Z=0 Y=0 W=2 N=1: first element length-prefixed, second takes the rest.
    let seq = [0x08, 0, 0, 0x42];
    let frame = [0x30, 1, 2, 3]; // OBU_FRAME without size field
    let mut payload = vec![0x28, seq.len() as u8];
    payload.extend_from_slice(&seq);
    payload.extend_from_slice(&frame);
    let mut d = Av1Depacketizer::default();
    let mut out = Vec::new();
    let info = d.depacketize(&payload, &mut out).unwrap();
    assert!(info.keyframe);
    let mut want = TD.to_vec();
    want.extend(obu(1, &seq[1..]));
    want.extend(obu(6, &frame[1..]));
    assert_eq!(out, want);
}

#[test]
fn fragment_across_packets_with_z_and_y() {
    let element = [0x30, 1, 2, 3, 4, 5, 6];
    // Packet 1: Y=1, W=1, first fragment. Packet 2: Z=1, W=1, rest.
    let p1 = [&[0x50][..], &element[..3]].concat();
    let p2 = [&[0x90][..], &element[3..]].concat();
    let mut d = Av1Depacketizer::default();
    let mut out = Vec::new();
    d.depacketize(&p1, &mut out).unwrap();
    assert!(out.is_empty());
    let info = d.depacketize(&p2, &mut out).unwrap();
    assert_eq!(info.frame_start, Some(false));
    let mut want = TD.to_vec();
    want.extend(obu(6, &element[1..]));
    assert_eq!(out, want);
}

#[test]
fn continuation_without_start_and_missing_continuation_are_errors() {
    let mut d = Av1Depacketizer::default();
    assert!(d.depacketize(&[0x90, 0x30, 1], &mut Vec::new()).is_err());
    d.reset();
    d.depacketize(&[0x50, 0x30, 1], &mut Vec::new()).unwrap();
    assert!(d.depacketize(&[0x10, 0x30, 1], &mut Vec::new()).is_err());
}

#[test]
fn element_length_past_the_end() {
    let mut d = Av1Depacketizer::default();
    assert!(d.depacketize(&[0x00, 0x09, 0x30], &mut Vec::new()).is_err());
    assert!(d.depacketize(&[], &mut Vec::new()).is_err());
    // OBU with a size field larger than its element.
    assert!(
        d.depacketize(&[0x10, 0x32, 0x05, 1], &mut Vec::new())
            .is_err()
    );
}

#[test]
fn packetizer_sets_n_on_sequence_headers_and_drops_temporal_delimiters() {
    let payloads = Av1Packetizer
        .packetize(&temporal_unit(true, 50), 1200)
        .unwrap();
    assert_eq!(payloads.len(), 1);
    assert_eq!(payloads[0][0], 0x08);
    let payloads = Av1Packetizer
        .packetize(&temporal_unit(false, 50), 1200)
        .unwrap();
    assert_eq!(payloads[0][0], 0x00);
}

#[test]
fn round_trip_through_the_assembler_at_many_mtus() {
    for mtu in [3, 4, 5, 50, 129, 130, 131, 1200] {
        let frames = vec![temporal_unit(true, 3000), temporal_unit(false, 100)];
        let out = common::round_trip(Codec::Av1, &frames, mtu);
        assert_eq!(out.len(), 2, "mtu {mtu}");
        assert_eq!(out[0].data, frames[0], "mtu {mtu}");
        assert_eq!(out[1].data, frames[1], "mtu {mtu}");
        assert!(out[0].keyframe && !out[1].keyframe);
    }
}

#[test]
fn obu_extension_headers_survive() {
    // OBU_FRAME with obu_extension_flag: temporal_id 1, spatial_id 0.
    let mut ext_obu = vec![(6 << 3) | 0x04 | 0x02, 0x20];
    write_leb128(300, &mut ext_obu);
    ext_obu.extend(common::noise(300, 9));
    let mut tu = TD.to_vec();
    tu.extend(&ext_obu);
    let out = common::round_trip(Codec::Av1, &[tu.clone()], 100);
    assert_eq!(out[0].data, tu);
}
