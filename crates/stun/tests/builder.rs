//! The builder's ordering rules, length bookkeeping and limits.

use rtcio_stun::{
    Attribute, AttributeErrorKind, AttributeType, Class, ErrorCode, Message, MessageBuilder,
    Method, StunError, TransactionId,
};

fn builder() -> MessageBuilder {
    MessageBuilder::new(Class::Request, Method::BINDING, TransactionId::new([3; 12]))
}

#[test]
fn header_layout() {
    let bytes = builder().build();
    assert_eq!(bytes.len(), 20);
    assert_eq!(
        &bytes[..8],
        &[0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]
    );
    assert_eq!(&bytes[8..], &[3; 12]);
}

#[test]
fn length_field_tracks_every_attribute() {
    let mut b = builder();
    b.add(&Attribute::Username("abc")).unwrap();
    assert_eq!(&b.as_bytes()[2..4], &[0, 8]);
    b.add(&Attribute::UseCandidate).unwrap();
    assert_eq!(&b.as_bytes()[2..4], &[0, 12]);
    b.add_message_integrity(b"k").unwrap();
    assert_eq!(&b.as_bytes()[2..4], &[0, 36]);
    b.add_fingerprint().unwrap();
    assert_eq!(&b.as_bytes()[2..4], &[0, 44]);
    assert!(rtcio_stun::is_stun(b.as_bytes()));
}

#[test]
fn only_sha256_integrity_and_fingerprint_may_follow_integrity() {
    let mut b = builder();
    b.add_message_integrity(b"k").unwrap();
    assert_eq!(
        b.add(&Attribute::Priority(1)).err(),
        Some(StunError::MisplacedAttribute(AttributeType::PRIORITY))
    );
    assert_eq!(
        b.add_message_integrity(b"k").err(),
        Some(StunError::MisplacedAttribute(
            AttributeType::MESSAGE_INTEGRITY
        ))
    );
    b.add_message_integrity_sha256(b"k").unwrap();
    assert_eq!(
        b.add_message_integrity_sha256(b"k").err(),
        Some(StunError::MisplacedAttribute(
            AttributeType::MESSAGE_INTEGRITY_SHA256
        ))
    );
    b.add_fingerprint().unwrap();
    assert_eq!(
        b.add_fingerprint().err(),
        Some(StunError::AttributeAfterFingerprint)
    );
    assert_eq!(
        b.add(&Attribute::UseCandidate).err(),
        Some(StunError::AttributeAfterFingerprint)
    );
    let bytes = b.build();
    let msg = Message::decode(&bytes).unwrap();
    msg.verify_integrity(b"k").unwrap();
    msg.verify_integrity_sha256(b"k").unwrap();
    msg.verify_fingerprint().unwrap();
}

#[test]
fn fingerprint_without_integrity() {
    let mut b = builder();
    b.add(&Attribute::Software("x"))
        .unwrap()
        .add_fingerprint()
        .unwrap();
    let bytes = b.build();
    let msg = Message::decode(&bytes).unwrap();
    msg.verify_fingerprint().unwrap();
    assert_eq!(msg.verify_integrity(b"k"), Err(StunError::IntegrityMissing));
}

#[test]
fn fingerprint_detects_any_change() {
    let mut b = builder();
    b.add(&Attribute::Software("abcd"))
        .unwrap()
        .add_fingerprint()
        .unwrap();
    let mut bytes = b.build();
    bytes[24] = b'A';
    assert_eq!(
        Message::decode(&bytes).unwrap().verify_fingerprint(),
        Err(StunError::FingerprintMismatch)
    );
}

#[test]
fn invalid_values_are_rejected_and_leave_the_message_unchanged() {
    let mut b = builder();
    b.add(&Attribute::Username("ok")).unwrap();
    let before = b.as_bytes().to_vec();
    let long = "u".repeat(513);
    assert_eq!(
        b.add(&Attribute::Username(&long)).err(),
        Some(StunError::InvalidAttribute {
            attr_type: AttributeType::USERNAME,
            kind: AttributeErrorKind::TooLong { max: 512 },
        })
    );
    assert_eq!(
        b.add(&Attribute::ErrorCode(ErrorCode::new(299, "no")))
            .err(),
        Some(StunError::InvalidAttribute {
            attr_type: AttributeType::ERROR_CODE,
            kind: AttributeErrorKind::BadErrorCode(299),
        })
    );
    assert_eq!(
        b.add(&Attribute::MessageIntegritySha256(&[0; 12])).err(),
        Some(StunError::InvalidAttribute {
            attr_type: AttributeType::MESSAGE_INTEGRITY_SHA256,
            kind: AttributeErrorKind::BadLength(12),
        })
    );
    assert_eq!(b.as_bytes(), &before[..]);
}

#[test]
fn oversized_attribute_and_message_are_rejected() {
    let big = vec![0u8; 0x1_0000];
    let mut b = builder();
    assert_eq!(
        b.add(&Attribute::Data(&big)).err(),
        Some(StunError::AttributeTooLong {
            attr_type: AttributeType::DATA,
            len: 0x1_0000
        })
    );
    assert_eq!(b.as_bytes().len(), 20);
    // 0xFFF8 bytes of value + 4 header = 0xFFFC: exactly the largest body.
    b.add(&Attribute::Data(&big[..0xfff8])).unwrap();
    assert_eq!(b.as_bytes().len(), 20 + 0xfffc);
    assert!(Message::decode(b.as_bytes()).is_ok());
    assert_eq!(
        b.add(&Attribute::UseCandidate).err(),
        Some(StunError::MessageTooLong { len: 0x1_0000 })
    );
    assert_eq!(
        b.add_fingerprint().err(),
        Some(StunError::MessageTooLong { len: 0x1_0004 })
    );
    assert_eq!(
        b.add_message_integrity(b"k").err(),
        Some(StunError::MessageTooLong { len: 0x1_0014 })
    );
    // Nothing was appended and the length field is intact.
    assert_eq!(b.as_bytes().len(), 20 + 0xfffc);
    assert_eq!(&b.as_bytes()[2..4], &[0xff, 0xfc]);
}

#[test]
fn integrity_ignores_attributes_appended_after_it() {
    let mut b = builder();
    b.add(&Attribute::Username("a:b"))
        .unwrap()
        .add_message_integrity(b"pw")
        .unwrap();
    let mut bytes = b.build();
    bytes.extend_from_slice(&[0x80, 0x22, 0x00, 0x04, b'l', b'a', b't', b'e']);
    let len = (bytes.len() - 20) as u16;
    bytes[2..4].copy_from_slice(&len.to_be_bytes());
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.software(), None);
    msg.verify_integrity(b"pw").unwrap();
}

#[test]
fn truncated_sha256_integrity_verifies() {
    // A peer may send the first 16 bytes of the HMAC-SHA256 only.
    // The MAC input's length field counts the truncated attribute (4 + 16 bytes).
    let mut b = builder();
    b.add(&Attribute::Username("a:b")).unwrap();
    let body = b.as_bytes().to_vec();
    let mut input = body.clone();
    input[2..4].copy_from_slice(&((body.len() - 20 + 20) as u16).to_be_bytes());
    let key = openssl::pkey::PKey::hmac(b"pw").unwrap();
    let mut signer =
        openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &key).unwrap();
    signer.update(&input).unwrap();
    let mac = signer.sign_to_vec().unwrap();
    b.add(&Attribute::MessageIntegritySha256(&mac[..16]))
        .unwrap();
    let bytes = b.build();
    let msg = Message::decode(&bytes).unwrap();
    msg.verify_integrity_sha256(b"pw").unwrap();
    assert_eq!(
        msg.verify_integrity_sha256(b"px"),
        Err(StunError::IntegrityMismatch)
    );
}

#[test]
fn empty_key_is_usable() {
    let mut b = builder();
    b.add_message_integrity(b"").unwrap();
    let bytes = b.build();
    Message::decode(&bytes)
        .unwrap()
        .verify_integrity(b"")
        .unwrap();
}

#[test]
fn random_transaction_ids_differ() {
    let a = TransactionId::random().unwrap();
    let b = TransactionId::random().unwrap();
    assert_ne!(a, b);
}
