//! Feeds arbitrary bytes to the STUN decoder, the ChannelData decoder, the stream framers and the
//! RFC 7983 demultiplexer. None may panic; whatever decodes must re-encode and decode to the same
//! attributes, and messages rebuilt with a computed MESSAGE-INTEGRITY and FINGERPRINT must verify.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcio_stun::framing::{decode_rfc4571, encode_rfc4571, turn_frame_len};
use rtcio_stun::{Attribute, ChannelData, Framing, Message, MessageBuilder, StunError, is_stun};

/// The RFC 5769 short-term password, so seeded vectors exercise the matching path.
const KEY: &[u8] = b"VOkJxbRl1RmTxUk/WvJxBt";

fuzz_target!(|data: &[u8]| {
    let kind = rtcio_proto::demux::classify(data);
    let _ = rtcio_proto::demux::is_rtcp(data);
    stun(data, kind);
    channel_data(data);
    framing(data);
});

fn stun(data: &[u8], kind: rtcio_proto::demux::PacketKind) {
    let Ok(msg) = Message::decode(data) else { return };
    assert!(is_stun(data), "decodable but is_stun says no");
    if data.first().is_some_and(|b| *b <= 3) {
        assert_eq!(kind, rtcio_proto::demux::PacketKind::Stun);
    }
    let _ = msg.verify_integrity(KEY);
    let _ = msg.verify_integrity_sha256(KEY);
    let _ = msg.verify_fingerprint();
    let _ = msg.unknown_comprehension_required();

    // Verbatim re-encoding: every decoded attribute, integrity attributes copied as they are.
    let mut b = MessageBuilder::new(msg.class(), msg.method(), msg.transaction_id());
    for attr in msg.attributes() {
        b.add(attr).expect("a decoded attribute re-encodes");
    }
    let bytes = b.build();
    assert!(bytes.len() <= data.len(), "re-encoding grew the message");
    let again = Message::decode(&bytes).expect("a re-encoded message decodes");
    assert_eq!(again.class(), msg.class());
    assert_eq!(again.method(), msg.method());
    assert_eq!(again.transaction_id(), msg.transaction_id());
    assert_eq!(again.attributes(), msg.attributes());

    // Authenticated re-encoding: computed integrity and fingerprint must verify.
    let mut b = MessageBuilder::new(msg.class(), msg.method(), msg.transaction_id());
    for attr in msg.attributes() {
        if !matches!(
            attr,
            Attribute::MessageIntegrity(_)
                | Attribute::MessageIntegritySha256(_)
                | Attribute::Fingerprint(_)
        ) {
            b.add(attr).expect("a decoded attribute re-encodes");
        }
    }
    let sealed = b
        .add_message_integrity(KEY)
        .and_then(|b| b.add_message_integrity_sha256(KEY))
        .and_then(|b| b.add_fingerprint());
    match sealed {
        Ok(_) => {}
        Err(StunError::MessageTooLong { .. }) => return,
        Err(err) => panic!("sealing failed: {err}"),
    }
    let bytes = b.build();
    let sealed = Message::decode(&bytes).expect("a sealed message decodes");
    sealed.verify_integrity(KEY).expect("computed MESSAGE-INTEGRITY verifies");
    sealed.verify_integrity_sha256(KEY).expect("computed MESSAGE-INTEGRITY-SHA256 verifies");
    sealed.verify_fingerprint().expect("computed FINGERPRINT verifies");
    assert!(sealed.verify_integrity(b"another key").is_err());
}

fn channel_data(data: &[u8]) {
    if let Ok(cd) = ChannelData::decode(data) {
        let mut out = Vec::new();
        cd.encode(Framing::Datagram, &mut out);
        assert!(out.len() <= data.len());
        assert_eq!(ChannelData::decode(&out), Ok(cd));
    }
    if let Ok(Some((cd, used))) = ChannelData::decode_stream(data) {
        assert!(used <= data.len() && used % 4 == 0);
        let mut out = Vec::new();
        cd.encode(Framing::Stream, &mut out);
        assert_eq!(out.len(), used);
        assert_eq!(ChannelData::decode_stream(&out), Ok(Some((cd, used))));
    }
}

fn framing(data: &[u8]) {
    if let Ok(Some(len)) = turn_frame_len(data) {
        assert!(len >= 4);
        if let Some(frame) = data.get(..len) {
            if frame.first().is_some_and(|b| *b < 0x40) {
                let _ = Message::decode(frame);
            } else {
                assert!(matches!(ChannelData::decode_stream(frame), Ok(Some(_))));
            }
        }
    }
    if let Some((packet, used)) = decode_rfc4571(data) {
        assert_eq!(used, packet.len() + 2);
        let mut out = Vec::new();
        encode_rfc4571(packet, &mut out).expect("a decoded frame re-encodes");
        assert_eq!(out, data[..used]);
    }
}
