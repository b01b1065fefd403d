//! DCEP message codec (RFC 8832 §5): DATA_CHANNEL_OPEN/ACK round trips, wire layout, and typed
//! errors.

use rtcio_sctp::ParseError;
use rtcio_sctp::dcep::{ChannelType, DataChannelOpen, DcepMessage};

#[test]
fn open_wire_layout_matches_rfc_8832() {
    let open = DcepMessage::Open(DataChannelOpen {
        channel_type: ChannelType::PartialReliableRexmitUnordered,
        priority: 256,
        reliability_parameter: 3,
        label: "chat".into(),
        protocol: "p".into(),
    });
    let raw = open.encode();
    assert_eq!(
        raw,
        [
            0x03, 0x81, 0x01, 0x00, 0, 0, 0, 3, 0, 4, 0, 1, b'c', b'h', b'a', b't', b'p'
        ]
    );
    assert_eq!(DcepMessage::parse(&raw).unwrap(), open);
    assert_eq!(DcepMessage::Ack.encode(), [0x02]);
    assert_eq!(DcepMessage::parse(&[0x02]).unwrap(), DcepMessage::Ack);
}

#[test]
fn every_channel_type_roundtrips() {
    for v in [0x00u8, 0x80, 0x01, 0x81, 0x02, 0x82] {
        let t = ChannelType::from_u8(v).unwrap();
        assert_eq!(t.to_u8(), v);
        assert_eq!(t.ordered(), v & 0x80 == 0);
    }
    assert_eq!(ChannelType::from_u8(0x03), None);
}

#[test]
fn malformed_dcep_gives_typed_errors() {
    assert_eq!(DcepMessage::parse(&[]), Err(ParseError::Truncated));
    assert_eq!(
        DcepMessage::parse(&[0x07]),
        Err(ParseError::UnknownMessageType)
    );
    // Label length beyond the message.
    let raw = [0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, b'a'];
    assert_eq!(DcepMessage::parse(&raw), Err(ParseError::Truncated));
    // Unknown channel type.
    let raw = [0x03, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(DcepMessage::parse(&raw), Err(ParseError::InvalidValue));
    // Label that is not UTF-8.
    let raw = [0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xff];
    assert_eq!(DcepMessage::parse(&raw), Err(ParseError::InvalidValue));
}
