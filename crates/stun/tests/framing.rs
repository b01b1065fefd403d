//! Stream framing: TURN over TCP (STUN and ChannelData back to back) and RFC 4571.

mod vectors;

use rtcio_stun::framing::{decode_rfc4571, encode_rfc4571, turn_frame_len};
use rtcio_stun::{ChannelData, Framing, Message, StunError};

#[test]
fn turn_stream_with_stun_and_channel_data() {
    let stun = vectors::sample_request();
    let mut stream = stun.clone();
    ChannelData::new(0x4001, b"xyz")
        .unwrap()
        .encode(Framing::Stream, &mut stream);
    stream.extend_from_slice(&vectors::ipv4_response());

    let first = turn_frame_len(&stream).unwrap().unwrap();
    assert_eq!(first, stun.len());
    assert!(Message::decode(&stream[..first]).is_ok());
    let rest = &stream[first..];
    let second = turn_frame_len(rest).unwrap().unwrap();
    assert_eq!(second, 8);
    let rest = &rest[second..];
    assert_eq!(turn_frame_len(rest), Ok(Some(80)));
}

#[test]
fn turn_frame_len_needs_enough_bytes_to_decide() {
    let stun = vectors::sample_request();
    for cut in 0..20 {
        assert_eq!(turn_frame_len(&stun[..cut]), Ok(None), "cut {cut}");
    }
    assert_eq!(turn_frame_len(&stun[..20]), Ok(Some(stun.len())));
    assert_eq!(turn_frame_len(b"\x40\x00"), Ok(None));
    assert_eq!(turn_frame_len(b"\x40\x00\x00\x01"), Ok(Some(8)));
}

#[test]
fn corrupt_turn_stream_is_an_error() {
    assert_eq!(turn_frame_len(b"\x80\x00\x00\x00"), Err(StunError::NotStun));
    assert_eq!(
        turn_frame_len(b"\x50\x00\x00\x00"),
        Err(StunError::InvalidChannelNumber(0x5000))
    );
    let mut stun = vectors::sample_request();
    stun[4] = 0;
    assert!(matches!(
        turn_frame_len(&stun),
        Err(StunError::BadMagicCookie(_))
    ));
}

#[test]
fn rfc4571_round_trip() {
    let mut stream = Vec::new();
    encode_rfc4571(b"first", &mut stream).unwrap();
    encode_rfc4571(b"", &mut stream).unwrap();
    assert_eq!(stream, b"\x00\x05first\x00\x00");
    let (p, used) = decode_rfc4571(&stream).unwrap();
    assert_eq!((p, used), (&b"first"[..], 7));
    assert_eq!(decode_rfc4571(&stream[7..]), Some((&b""[..], 2)));
    for cut in 0..7 {
        assert_eq!(decode_rfc4571(&stream[..cut]), None);
    }
}

#[test]
fn rfc4571_rejects_oversized_packets() {
    let big = vec![0u8; 0x1_0000];
    let mut out = Vec::new();
    assert_eq!(
        encode_rfc4571(&big, &mut out),
        Err(StunError::MessageTooLong { len: 0x1_0000 })
    );
    assert!(out.is_empty());
    encode_rfc4571(&big[..0xffff], &mut out).unwrap();
    assert_eq!(
        decode_rfc4571(&out).map(|(p, n)| (p.len(), n)),
        Some((0xffff, 0x1_0001))
    );
}
