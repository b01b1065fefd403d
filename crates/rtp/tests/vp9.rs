//! VP9 payload descriptor (RFC 9628 section 4.2) and (de)packetizing.

mod common;

use rtcio_rtp::codec::Codec;
use rtcio_rtp::codec::vp8::PictureId;
use rtcio_rtp::codec::vp9::{LayerIndices, Vp9Descriptor, is_keyframe};

/// Profile 0 key frame: frame_marker 2, profile 0, show_existing 0, frame_type 0.
fn keyframe(len: usize) -> Vec<u8> {
    let mut f = vec![0x82, 0x49, 0x83, 0x42];
    f.extend(common::noise(len - 4, 5));
    f
}

/// Profile 0 inter frame: frame_type 1.
fn interframe(len: usize) -> Vec<u8> {
    let mut f = vec![0x86];
    f.extend(common::noise(len - 1, 6));
    f
}

#[test]
fn non_flexible_descriptor_with_layers() {
    // I P L F B E V Z = 1 1 1 0 1 0 0 0; M=1 PictureID 0x0102; TID=1 U=1 SID=2 D=1; TL0PICIDX=9.
    let bytes = [0xe8, 0x81, 0x02, 0x35, 0x09];
    let (d, len) = Vp9Descriptor::parse(&bytes).unwrap();
    assert_eq!(len, 5);
    assert_eq!(d.picture_id, Some(PictureId::Long(0x0102)));
    assert_eq!(
        d.layer,
        Some(LayerIndices {
            tid: 1,
            switching_up: true,
            sid: 2,
            inter_layer_dependency: true,
            tl0_pic_idx: Some(9)
        })
    );
    assert!(d.begin_of_frame && !d.end_of_frame && d.inter_predicted);
    let mut out = Vec::new();
    d.write(&mut out).unwrap();
    assert_eq!(out, bytes);
}

#[test]
fn flexible_descriptor_with_reference_indices() {
    // I P L F B E = 1 1 1 1 0 1; short PictureID 5; layer byte; P_DIFF 1 (N=1), 3 (N=0).
    let bytes = [0xf4, 0x05, 0x20, 0x03, 0x06];
    let (d, len) = Vp9Descriptor::parse(&bytes).unwrap();
    assert_eq!(len, 5);
    assert!(d.flexible);
    assert_eq!(d.p_diff, vec![1, 3]);
    assert_eq!(d.layer.unwrap().tl0_pic_idx, None);
    let mut out = Vec::new();
    d.write(&mut out).unwrap();
    assert_eq!(out, bytes);
}

#[test]
fn too_many_reference_indices() {
    assert!(Vp9Descriptor::parse(&[0x50, 0x03, 0x03, 0x03, 0x02]).is_err());
}

#[test]
fn scalability_structure_is_kept() {
    // B E V; SS: N_S=0 Y=1 G=1; 640x360; N_G=1; TID=0 U=0 R=1; P_DIFF=1.
    let bytes = [0x0e, 0x18, 0x02, 0x80, 0x01, 0x68, 0x01, 0x04, 0x01, 0xaa];
    let (d, len) = Vp9Descriptor::parse(&bytes).unwrap();
    assert_eq!(len, 9);
    assert_eq!(d.scalability_structure.as_deref(), Some(&bytes[1..9]));
    // Truncated SS.
    assert!(Vp9Descriptor::parse(&bytes[..6]).is_err());
}

#[test]
fn keyframe_from_header_and_descriptor() {
    assert!(is_keyframe(&keyframe(10)));
    assert!(!is_keyframe(&interframe(10)));
    assert!(!is_keyframe(&[]));
    let (d, _) = Vp9Descriptor::parse(&[0x08]).unwrap();
    assert!(d.starts_keyframe());
    let (d, _) = Vp9Descriptor::parse(&[0x48]).unwrap();
    assert!(!d.starts_keyframe());
}

#[test]
fn packetize_and_assemble() {
    let frames = vec![keyframe(4000), interframe(300), interframe(2500)];
    let out = common::round_trip(Codec::Vp9, &frames, 1100);
    assert_eq!(out.len(), 3);
    assert!(out[0].keyframe && !out[1].keyframe);
    for (f, want) in out.iter().zip(&frames) {
        assert_eq!(&f.data, want);
    }
}
