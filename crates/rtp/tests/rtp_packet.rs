//! RTP packet parsing and serialization (RFC 3550 section 5.1).

use rtcio_rtp::packet::write_packet;
use rtcio_rtp::{Extension, ExtensionProfile, RtpError, RtpHeader, RtpPacket};

fn header() -> RtpHeader {
    RtpHeader {
        marker: true,
        payload_type: 96,
        sequence_number: 0xfffe,
        timestamp: 0xdead_beef,
        ssrc: 0x1234_5678,
        ..Default::default()
    }
}

#[test]
fn minimal_packet_parses_field_by_field() {
    let bytes = [
        0x80, 0xe0, 0xff, 0xfe, 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0x56, 0x78, 1, 2, 3,
    ];
    let p = RtpPacket::parse(&bytes).unwrap();
    assert_eq!(p.header, header());
    assert_eq!(p.payload, &[1, 2, 3]);
    assert_eq!(p.padding, 0);
    assert_eq!(p.to_bytes().unwrap(), bytes);
}

#[test]
fn csrcs_round_trip() {
    let mut h = header();
    h.csrcs = vec![1, 2, 0xffff_ffff];
    let bytes = write_packet(&h, b"payload", 0).unwrap();
    assert_eq!(bytes[0] & 0x0f, 3);
    assert_eq!(bytes.len(), 12 + 12 + 7);
    let p = RtpPacket::parse(&bytes).unwrap();
    assert_eq!(p.header, h);
    assert_eq!(p.payload, b"payload");
}

#[test]
fn padding_is_stripped_and_restored() {
    let bytes = write_packet(&header(), b"abc", 5).unwrap();
    assert_eq!(bytes[0] & 0x20, 0x20);
    assert_eq!(&bytes[bytes.len() - 5..], &[0, 0, 0, 0, 5]);
    let p = RtpPacket::parse(&bytes).unwrap();
    assert_eq!(p.payload, b"abc");
    assert_eq!(p.padding, 5);
    assert_eq!(p.to_bytes().unwrap(), bytes);
}

#[test]
fn padding_only_packet_has_empty_payload() {
    let bytes = write_packet(&header(), b"", 4).unwrap();
    let p = RtpPacket::parse(&bytes).unwrap();
    assert!(p.payload.is_empty());
}

#[test]
fn one_byte_extensions_round_trip() {
    let mut h = header();
    h.extensions = vec![
        Extension {
            id: 1,
            data: vec![0xaa],
        },
        Extension {
            id: 14,
            data: (0..16).collect(),
        },
    ];
    let bytes = write_packet(&h, b"x", 0).unwrap();
    // Profile 0xBEDE, length (2 + 17 = 19 bytes -> 5 words).
    assert_eq!(&bytes[12..16], &[0xbe, 0xde, 0, 5]);
    assert_eq!(bytes[16], 0x10);
    let p = RtpPacket::parse(&bytes).unwrap();
    assert_eq!(p.header, h);
    assert_eq!(p.payload, b"x");
}

#[test]
fn two_byte_form_is_used_when_one_byte_cannot_hold_an_element() {
    let mut h = header();
    h.extensions = vec![
        Extension {
            id: 15,
            data: vec![1, 2],
        },
        Extension {
            id: 200,
            data: vec![0; 40],
        },
    ];
    let bytes = write_packet(&h, b"", 0).unwrap();
    assert_eq!(&bytes[12..14], &[0x10, 0x00]);
    let p = RtpPacket::parse(&bytes).unwrap();
    assert_eq!(p.header.extensions, h.extensions);
    assert_eq!(
        p.header.extension_profile,
        ExtensionProfile::TwoByte { appbits: 0 }
    );
}

#[test]
fn two_byte_form_allows_empty_values_and_appbits() {
    let bytes = [
        0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // header with X
        0x10, 0x07, 0, 2, // profile 0x1007, 2 words
        5, 0, 0, 6, 1, 0xff, 0, 0, // id 5 empty, padding, id 6 len 1, padding
        9,
    ];
    let p = RtpPacket::parse(&bytes).unwrap();
    assert_eq!(
        p.header.extensions,
        vec![
            Extension {
                id: 5,
                data: vec![]
            },
            Extension {
                id: 6,
                data: vec![0xff]
            }
        ]
    );
    assert_eq!(
        p.header.extension_profile,
        ExtensionProfile::TwoByte { appbits: 7 }
    );
    assert_eq!(p.payload, &[9]);
}

#[test]
fn one_byte_padding_and_id_15_stop_processing() {
    let bytes = [
        0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, //
        0xbe, 0xde, 0, 2, //
        0x00, 0x22, 1, 2, 3, 0xf0, 9, 9, // padding, id 2 len 3, id 15 stops
    ];
    let p = RtpPacket::parse(&bytes).unwrap();
    assert_eq!(
        p.header.extensions,
        vec![Extension {
            id: 2,
            data: vec![1, 2, 3]
        }]
    );
}

#[test]
fn other_profiles_are_kept_opaque() {
    let bytes = [
        0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, //
        0x12, 0x34, 0, 1, 1, 2, 3, 4, 0x55,
    ];
    let p = RtpPacket::parse(&bytes).unwrap();
    let o = p.header.opaque_extension.as_ref().unwrap();
    assert_eq!((o.profile, o.data.as_slice()), (0x1234, &[1, 2, 3, 4][..]));
    assert_eq!(p.to_bytes().unwrap(), bytes);
}

#[test]
fn set_and_remove_extension() {
    let mut h = header();
    h.set_extension(3, vec![1]);
    h.set_extension(3, vec![2]);
    assert_eq!(h.extension(3), Some(&[2][..]));
    h.remove_extension(3);
    assert_eq!(h.extension(3), None);
    assert_eq!(h.wire_len(), 12);
}

#[test]
fn unencodable_headers_are_errors() {
    let mut h = header();
    h.csrcs = vec![0; 16];
    assert!(matches!(
        write_packet(&h, b"", 0),
        Err(RtpError::Unencodable { .. })
    ));
    let mut h = header();
    h.payload_type = 200;
    assert!(write_packet(&h, b"", 0).is_err());
}

#[test]
fn empty_extension_block_is_dropped_on_rewrite() {
    // X bit, two-byte profile, zero words: found by fuzzing.
    let bytes = [0x90, 0x91, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 7];
    let p = RtpPacket::parse(&bytes).unwrap();
    assert!(p.header.extensions.is_empty());
    let again = p.to_bytes().unwrap();
    assert_eq!(again[0] & 0x10, 0);
    assert_eq!(RtpPacket::parse(&again).unwrap(), p);
}
