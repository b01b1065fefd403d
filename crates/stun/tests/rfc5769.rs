//! RFC 5769 test vectors (and RFC 8489 Appendix B.1): decode, authenticate, re-encode.

mod vectors;

use std::net::SocketAddr;

use rtcio_stun::integrity::{long_term_key, short_term_key, userhash};
use rtcio_stun::{
    Attribute, AttributeType, Class, Message, MessageBuilder, Method, PasswordAlgorithm,
    PasswordAlgorithmValue, StunError, TransactionId,
};
use vectors::*;

fn tid_2_1() -> TransactionId {
    TransactionId::new([
        0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
    ])
}

fn tid_2_4() -> TransactionId {
    TransactionId::new([
        0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e,
    ])
}

#[test]
fn sample_request_decodes_and_verifies() {
    let bytes = sample_request();
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.class(), Class::Request);
    assert_eq!(msg.method(), Method::BINDING);
    assert_eq!(msg.transaction_id(), tid_2_1());
    assert_eq!(msg.software(), Some("STUN test client"));
    assert_eq!(msg.priority(), Some(0x6e00_01ff));
    assert_eq!(msg.ice_controlled(), Some(0x932f_f9b1_5126_3b36));
    assert_eq!(msg.username(), Some("evtj:h6vY"));
    let types: Vec<u16> = msg.attributes().iter().map(|a| a.attr_type().0).collect();
    assert_eq!(types, [0x8022, 0x0024, 0x8029, 0x0006, 0x0008, 0x8028]);
    msg.verify_integrity(&short_term_key(SHORT_TERM_PASSWORD))
        .unwrap();
    msg.verify_fingerprint().unwrap();
    assert_eq!(
        msg.verify_integrity(&short_term_key("VOkJxbRl1RmTxUk/WvJxBT")),
        Err(StunError::IntegrityMismatch)
    );
}

/// Rebuilds a vector from its decoded attributes with a given padding byte.
fn rebuild(msg: &Message<'_>, key: &[u8], padding: u8) -> Vec<u8> {
    let mut b = MessageBuilder::new(msg.class(), msg.method(), msg.transaction_id());
    b.padding_byte(padding);
    for attr in msg.attributes() {
        match attr {
            Attribute::MessageIntegrity(_) => b.add_message_integrity(key).unwrap(),
            Attribute::Fingerprint(_) => b.add_fingerprint().unwrap(),
            other => b.add(other).unwrap(),
        };
    }
    b.build()
}

#[test]
fn sample_request_reencodes_byte_exactly_with_space_padding() {
    let bytes = sample_request();
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(
        rebuild(&msg, &short_term_key(SHORT_TERM_PASSWORD), b' '),
        bytes
    );
}

#[test]
fn sample_request_reencodes_with_zero_padding_and_still_verifies() {
    let bytes = sample_request();
    let msg = Message::decode(&bytes).unwrap();
    let key = short_term_key(SHORT_TERM_PASSWORD);
    let ours = rebuild(&msg, &key, 0);
    assert_ne!(
        ours, bytes,
        "the vector pads with spaces, we pad with zeros"
    );
    let again = Message::decode(&ours).unwrap();
    again.verify_integrity(&key).unwrap();
    again.verify_fingerprint().unwrap();
    assert_eq!(again.attributes().len(), msg.attributes().len());
    assert_eq!(again.username(), msg.username());
}

#[test]
fn ipv4_response_decodes_verifies_and_reencodes() {
    let bytes = ipv4_response();
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.class(), Class::SuccessResponse);
    assert_eq!(msg.method(), Method::BINDING);
    assert_eq!(msg.software(), Some("test vector"));
    assert_eq!(
        msg.xor_mapped_address(),
        Some("192.0.2.1:32853".parse::<SocketAddr>().unwrap())
    );
    let key = short_term_key(SHORT_TERM_PASSWORD);
    msg.verify_integrity(&key).unwrap();
    msg.verify_fingerprint().unwrap();
    assert_eq!(rebuild(&msg, &key, b' '), bytes);
}

#[test]
fn ipv6_response_decodes_verifies_and_reencodes() {
    let bytes = ipv6_response();
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(
        msg.xor_mapped_address(),
        Some(
            "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
                .parse::<SocketAddr>()
                .unwrap()
        )
    );
    let key = short_term_key(SHORT_TERM_PASSWORD);
    msg.verify_integrity(&key).unwrap();
    msg.verify_fingerprint().unwrap();
    assert_eq!(rebuild(&msg, &key, b' '), bytes);
}

#[test]
fn long_term_request_decodes_verifies_and_reencodes() {
    let bytes = long_term_request();
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.transaction_id(), tid_2_4());
    assert_eq!(msg.username(), Some(LONG_TERM_USERNAME));
    assert_eq!(msg.nonce(), Some(NONCE));
    assert_eq!(msg.realm(), Some(REALM));
    assert!(!msg.has_fingerprint());
    assert_eq!(msg.verify_fingerprint(), Err(StunError::FingerprintMissing));
    let key = long_term_key(
        LONG_TERM_USERNAME,
        REALM,
        LONG_TERM_PASSWORD,
        PasswordAlgorithm::MD5,
    )
    .unwrap();
    assert_eq!(key.len(), 16);
    msg.verify_integrity(&key).unwrap();
    let wrong = long_term_key(
        LONG_TERM_USERNAME,
        REALM,
        "TheMatrix",
        PasswordAlgorithm::MD5,
    )
    .unwrap();
    assert_eq!(
        msg.verify_integrity(&wrong),
        Err(StunError::IntegrityMismatch)
    );

    // Zero padding: our default builder reproduces the vector exactly.
    let mut b = MessageBuilder::new(Class::Request, Method::BINDING, tid_2_4());
    b.add(&Attribute::Username(LONG_TERM_USERNAME))
        .unwrap()
        .add(&Attribute::Nonce(NONCE))
        .unwrap()
        .add(&Attribute::Realm(REALM))
        .unwrap()
        .add_message_integrity(&key)
        .unwrap();
    assert_eq!(b.build(), bytes);
}

#[test]
fn rfc8489_sha256_request_decodes_verifies_and_reencodes() {
    let bytes = sha256_request();
    let msg = Message::decode(&bytes).unwrap();
    let hash = userhash(LONG_TERM_USERNAME, REALM).unwrap();
    assert_eq!(
        msg.get(AttributeType::USERHASH),
        Some(&Attribute::Userhash(hash))
    );
    assert_eq!(
        msg.nonce(),
        Some("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA")
    );
    assert_eq!(
        msg.get(AttributeType::PASSWORD_ALGORITHM),
        Some(&Attribute::PasswordAlgorithm(PasswordAlgorithmValue::new(
            PasswordAlgorithm::SHA256
        )))
    );
    let key = long_term_key(
        LONG_TERM_USERNAME,
        REALM,
        LONG_TERM_PASSWORD,
        PasswordAlgorithm::SHA256,
    )
    .unwrap();
    assert_eq!(key.len(), 32);
    assert!(msg.has_integrity_sha256());
    assert_eq!(msg.verify_integrity(&key), Err(StunError::IntegrityMissing));
    msg.verify_integrity_sha256(&key).unwrap();

    let mut b = MessageBuilder::new(Class::Request, Method::BINDING, tid_2_4());
    for attr in msg.attributes() {
        match attr {
            Attribute::MessageIntegritySha256(_) => b.add_message_integrity_sha256(&key).unwrap(),
            other => b.add(other).unwrap(),
        };
    }
    assert_eq!(b.build(), bytes);
}

#[test]
fn every_covered_byte_is_authenticated() {
    let bytes = ipv4_response();
    let key = short_term_key(SHORT_TERM_PASSWORD);
    // Flip one bit in each byte before FINGERPRINT's value that still leaves a decodable message.
    let fp_value = bytes.len() - 4;
    for i in 0..fp_value {
        let mut tampered = bytes.clone();
        tampered[i] ^= 0x01;
        let Ok(msg) = Message::decode(&tampered) else {
            continue;
        };
        // Flipping FINGERPRINT's own type makes it an unknown attribute: then it is missing.
        assert!(msg.verify_fingerprint().is_err(), "byte {i}");
        let mi_end = bytes.len() - 8;
        if i < mi_end && msg.has_integrity() {
            assert!(msg.verify_integrity(&key).is_err(), "byte {i}");
        }
    }
}
