//! VP8 payload descriptor (RFC 7741 section 4.2), keyframe detection and (de)packetizing.

mod common;

use rtcio_rtp::codec::vp8::{PictureId, Vp8Depacketizer, Vp8Descriptor, is_keyframe};
use rtcio_rtp::codec::{Codec, Depacketizer, FrameAssembler};

/// A key frame: frame tag with P = 0, the start code, 640x480.
fn keyframe(len: usize) -> Vec<u8> {
    let mut f = vec![0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01];
    f.extend(common::noise(len - f.len(), 1));
    f
}

/// An inter frame: frame tag with P = 1.
fn interframe(len: usize) -> Vec<u8> {
    let mut f = vec![0x31, 0x02, 0x00];
    f.extend(common::noise(len - f.len(), 2));
    f
}

#[test]
fn minimal_descriptor() {
    // X=0, N=0, S=1, PID=0.
    let (d, len) = Vp8Descriptor::parse(&[0x10, 0xaa]).unwrap();
    assert_eq!(len, 1);
    assert!(d.start_of_partition);
    assert_eq!(d.picture_id, None);
}

#[test]
fn descriptor_with_every_optional_field() {
    // X=1 N=1 S=1 PID=2; I L T K; M=0 PictureID=0x11; TL0PICIDX=5; TID=2 Y=1 KEYIDX=3.
    let bytes = [0xb2, 0xf0, 0x11, 0x05, 0xa3];
    let (d, len) = Vp8Descriptor::parse(&bytes).unwrap();
    assert_eq!(len, 5);
    assert_eq!(
        d,
        Vp8Descriptor {
            non_reference: true,
            start_of_partition: true,
            partition_index: 2,
            picture_id: Some(PictureId::Short(0x11)),
            tl0_pic_idx: Some(5),
            tid: Some(2),
            layer_sync: true,
            key_idx: Some(3),
        }
    );
    let mut out = Vec::new();
    d.write(&mut out);
    assert_eq!(out, bytes);
}

#[test]
fn fifteen_bit_picture_id_and_k_without_t() {
    // X=1 S=1; I=1 K=1; M=1 PictureID=0x1234; KEYIDX=7 (TID bits ignored as T is 0).
    let bytes = [0x90, 0x90, 0x92, 0x34, 0x07];
    let (d, len) = Vp8Descriptor::parse(&bytes).unwrap();
    assert_eq!(len, 5);
    assert_eq!(d.picture_id, Some(PictureId::Long(0x1234)));
    assert_eq!(d.tid, None);
    assert_eq!(d.key_idx, Some(7));
    let mut out = Vec::new();
    d.write(&mut out);
    assert_eq!(out, bytes);
}

#[test]
fn truncated_descriptors_are_errors() {
    for bytes in [
        &[][..],
        &[0x80],
        &[0x80, 0x80],
        &[0x80, 0x80, 0x80],
        &[0x80, 0x40],
        &[0x80, 0x20],
    ] {
        assert!(Vp8Descriptor::parse(bytes).is_err(), "{bytes:?}");
    }
}

#[test]
fn keyframe_detection() {
    assert!(is_keyframe(&keyframe(100)));
    assert!(!is_keyframe(&interframe(100)));
    let mut d = Vp8Depacketizer;
    let mut frame = Vec::new();
    let mut payload = vec![0x10];
    payload.extend(keyframe(50));
    assert!(d.depacketize(&payload, &mut frame).unwrap().keyframe);
    // Same bytes in a continuation packet (S=0) say nothing.
    payload[0] = 0x00;
    assert!(!d.depacketize(&payload, &mut frame).unwrap().keyframe);
}

#[test]
fn packetize_and_assemble() {
    let frames = vec![keyframe(3000), interframe(500), interframe(1200)];
    let out = common::round_trip(Codec::Vp8, &frames, 1200);
    assert_eq!(out.len(), 3);
    assert!(out[0].keyframe && !out[1].keyframe && !out[2].keyframe);
    for (f, want) in out.iter().zip(&frames) {
        assert_eq!(&f.data, want);
    }
    assert_eq!(out[0].packets, 3);
}

#[test]
fn picture_ids_increment() {
    let mut p = Codec::Vp8.packetizer();
    let a = p.packetize(&interframe(10), 100).unwrap();
    let b = p.packetize(&interframe(10), 100).unwrap();
    let pid = |x: &[u8]| Vp8Descriptor::parse(x).unwrap().0.picture_id;
    assert_eq!(pid(&a[0]), Some(PictureId::Long(0)));
    assert_eq!(pid(&b[0]), Some(PictureId::Long(1)));
}

#[test]
fn loss_drops_the_frame_and_the_next_starts_clean() {
    let mut p = Codec::Vp8.packetizer();
    let mut a = FrameAssembler::new(Codec::Vp8);
    let f1 = common::packets(&p.packetize(&keyframe(3000), 1000).unwrap(), 1, 0);
    let f2 = common::packets(&p.packetize(&interframe(300), 1000).unwrap(), 5, 3000);
    // Lose the middle packet of frame 1.
    let mut input = vec![f1[0].clone(), f1[2].clone(), f1[3].clone()];
    input.extend(f2);
    let out = common::assemble(&mut a, &input);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].rtp_timestamp, 3000);
    assert_eq!(a.dropped_frames(), 1);
}
