//! TURN ChannelData framing (RFC 8656 §12) over datagrams and streams.

use rtcio_stun::channel_data::{MAX_CHANNEL_NUMBER, MIN_CHANNEL_NUMBER, is_valid_channel_number};
use rtcio_stun::{ChannelData, Framing, StunError};

#[test]
fn channel_number_range() {
    assert!(!is_valid_channel_number(0x3fff));
    assert!(is_valid_channel_number(MIN_CHANNEL_NUMBER));
    assert!(is_valid_channel_number(MAX_CHANNEL_NUMBER));
    assert!(!is_valid_channel_number(0x5000));
    assert_eq!(
        ChannelData::new(0x3fff, b"").err(),
        Some(StunError::InvalidChannelNumber(0x3fff))
    );
    assert_eq!(
        ChannelData::new(0x5000, b"").err(),
        Some(StunError::InvalidChannelNumber(0x5000))
    );
}

#[test]
fn datagram_encoding_is_unpadded() {
    let cd = ChannelData::new(0x4001, b"hello").unwrap();
    let mut out = Vec::new();
    cd.encode(Framing::Datagram, &mut out);
    assert_eq!(out, b"\x40\x01\x00\x05hello");
    assert_eq!(cd.encoded_len(Framing::Datagram), 9);
    assert_eq!(ChannelData::decode(&out), Ok(cd));
}

#[test]
fn stream_encoding_is_padded_to_four() {
    let cd = ChannelData::new(0x4fff, b"hello").unwrap();
    let mut out = Vec::new();
    cd.encode(Framing::Stream, &mut out);
    assert_eq!(out, b"\x4f\xff\x00\x05hello\0\0\0");
    assert_eq!(cd.encoded_len(Framing::Stream), 12);
    assert_eq!(ChannelData::decode_stream(&out), Ok(Some((cd, 12))));
}

#[test]
fn datagram_may_carry_up_to_three_padding_bytes() {
    let base = b"\x40\x00\x00\x05hello".to_vec();
    for pad in 0..=3 {
        let mut dgram = base.clone();
        dgram.resize(base.len() + pad, 0xaa);
        let cd = ChannelData::decode(&dgram).unwrap();
        assert_eq!((cd.channel(), cd.data()), (0x4000, &b"hello"[..]));
    }
    let mut dgram = base.clone();
    dgram.extend_from_slice(&[0; 4]);
    assert_eq!(
        ChannelData::decode(&dgram),
        Err(StunError::LengthMismatch {
            declared: 5,
            actual: 9
        })
    );
}

#[test]
fn datagram_shorter_than_its_length_is_rejected() {
    assert_eq!(
        ChannelData::decode(b"\x40\x00\x00\x06hello"),
        Err(StunError::LengthMismatch {
            declared: 6,
            actual: 5
        })
    );
    for len in 0..4 {
        assert_eq!(
            ChannelData::decode(&b"\x40\x00\x00"[..len.min(3)]),
            Err(StunError::TruncatedChannelData { len: len.min(3) })
        );
    }
}

#[test]
fn decode_rejects_channel_numbers_outside_the_range() {
    assert_eq!(
        ChannelData::decode(b"\x3f\xff\x00\x00"),
        Err(StunError::InvalidChannelNumber(0x3fff))
    );
    assert_eq!(
        ChannelData::decode(b"\x50\x00\x00\x00"),
        Err(StunError::InvalidChannelNumber(0x5000))
    );
    assert_eq!(
        ChannelData::decode_stream(b"\x7f\xff\x00\x00"),
        Err(StunError::InvalidChannelNumber(0x7fff))
    );
}

#[test]
fn stream_decoding_waits_for_the_whole_padded_message() {
    let mut stream = Vec::new();
    ChannelData::new(0x4002, b"abcde")
        .unwrap()
        .encode(Framing::Stream, &mut stream);
    ChannelData::new(0x4003, b"")
        .unwrap()
        .encode(Framing::Stream, &mut stream);
    for cut in 0..12 {
        assert_eq!(
            ChannelData::decode_stream(&stream[..cut]),
            Ok(None),
            "cut {cut}"
        );
    }
    let (first, used) = ChannelData::decode_stream(&stream).unwrap().unwrap();
    assert_eq!(
        (first.channel(), first.data(), used),
        (0x4002, &b"abcde"[..], 12)
    );
    let (second, used) = ChannelData::decode_stream(&stream[12..]).unwrap().unwrap();
    assert_eq!(
        (second.channel(), second.data(), used),
        (0x4003, &b""[..], 4)
    );
}

#[test]
fn oversized_payload_is_rejected() {
    let big = vec![0u8; 0x1_0000];
    assert_eq!(
        ChannelData::new(0x4000, &big).err(),
        Some(StunError::MessageTooLong { len: 0x1_0000 })
    );
    let max = ChannelData::new(0x4000, &big[..0xffff]).unwrap();
    let mut out = Vec::new();
    max.encode(Framing::Stream, &mut out);
    assert_eq!(out.len(), 4 + 0x1_0000);
    assert_eq!(ChannelData::decode_stream(&out), Ok(Some((max, out.len()))));
}
