//! RFC 7983 demultiplexing: every range boundary, and the RFC 5761 RTP/RTCP split.

use rtcio_proto::demux::{PacketKind, classify, is_rtcp};
use rtcio_stun::{Attribute, Class, MessageBuilder, Method, TransactionId};

/// A datagram of `len` bytes starting with `first`.
fn packet(first: u8, len: usize) -> Vec<u8> {
    let mut p = vec![0u8; len.max(1)];
    p[0] = first;
    p
}

/// A real Binding request whose first byte is then set to `first` (this changes method bits,
/// which demux does not look at).
fn stun(first: u8) -> Vec<u8> {
    let mut b = MessageBuilder::new(Class::Request, Method::BINDING, TransactionId::new([9; 12]));
    b.add(&Attribute::Software("demux")).unwrap();
    let mut bytes = b.build();
    bytes[0] = first;
    bytes
}

#[test]
fn stun_range_is_0_to_3_when_the_cookie_confirms_it() {
    for first in 0..=3u8 {
        assert_eq!(
            classify(&stun(first)),
            PacketKind::Stun,
            "first byte {first}"
        );
    }
}

#[test]
fn stun_range_without_cookie_or_with_wrong_length_is_unknown() {
    for first in 0..=3u8 {
        assert_eq!(
            classify(&packet(first, 40)),
            PacketKind::Unknown,
            "first byte {first}"
        );
    }
    let mut truncated = stun(0);
    truncated.pop();
    assert_eq!(classify(&truncated), PacketKind::Unknown);
}

#[test]
fn bytes_4_to_15_are_unknown() {
    assert_eq!(classify(&packet(4, 20)), PacketKind::Unknown);
    assert_eq!(classify(&packet(15, 20)), PacketKind::Unknown);
}

#[test]
fn zrtp_is_16_to_19() {
    assert_eq!(classify(&packet(16, 20)), PacketKind::Zrtp);
    assert_eq!(classify(&packet(19, 20)), PacketKind::Zrtp);
}

#[test]
fn dtls_is_20_to_63() {
    assert_eq!(classify(&packet(20, 20)), PacketKind::Dtls);
    assert_eq!(classify(&packet(22, 20)), PacketKind::Dtls);
    assert_eq!(classify(&packet(63, 20)), PacketKind::Dtls);
}

#[test]
fn turn_channel_is_64_to_79() {
    assert_eq!(classify(&packet(64, 8)), PacketKind::ChannelData);
    assert_eq!(classify(&packet(79, 8)), PacketKind::ChannelData);
    assert_eq!(classify(&packet(80, 8)), PacketKind::Unknown);
}

#[test]
fn bytes_80_to_127_are_unknown() {
    assert_eq!(classify(&packet(80, 20)), PacketKind::Unknown);
    assert_eq!(classify(&packet(127, 20)), PacketKind::Unknown);
}

#[test]
fn rtp_rtcp_is_128_to_191() {
    assert_eq!(classify(&packet(127, 20)), PacketKind::Unknown);
    assert_eq!(classify(&packet(128, 20)), PacketKind::RtpRtcp);
    assert_eq!(classify(&packet(191, 20)), PacketKind::RtpRtcp);
    assert_eq!(classify(&packet(192, 20)), PacketKind::Unknown);
    assert_eq!(classify(&packet(255, 20)), PacketKind::Unknown);
}

#[test]
fn every_first_byte_lands_in_exactly_its_range() {
    for first in 0..=255u8 {
        let expected = match first {
            16..=19 => PacketKind::Zrtp,
            20..=63 => PacketKind::Dtls,
            64..=79 => PacketKind::ChannelData,
            128..=191 => PacketKind::RtpRtcp,
            _ => PacketKind::Unknown,
        };
        assert_eq!(classify(&packet(first, 24)), expected, "first byte {first}");
    }
}

#[test]
fn empty_datagram_is_unknown() {
    assert_eq!(classify(&[]), PacketKind::Unknown);
}

#[test]
fn rtcp_is_second_byte_192_to_223() {
    let with = |second: u8| [0x80, second, 0, 0];
    assert!(!is_rtcp(&with(191)));
    assert!(is_rtcp(&with(192)));
    assert!(is_rtcp(&with(200))); // SR
    assert!(is_rtcp(&with(223)));
    assert!(!is_rtcp(&with(224)));
    assert!(!is_rtcp(&with(96))); // RTP, dynamic payload type
    assert!(!is_rtcp(&with(96 | 0x80))); // RTP with marker bit: 224
    assert!(!is_rtcp(&[0x80]));
    assert!(!is_rtcp(&[]));
}
