//! Malformed input gives typed errors, never a panic.

mod vectors;

use rtcio_stun::{
    AttributeErrorKind, AttributeType, Class, MAX_ATTRIBUTES, Message, MessageBuilder, Method,
    StunError, TransactionId,
};

/// A header for a message with `body` bytes after it.
fn header(length: u16) -> Vec<u8> {
    let mut h = vec![0x00, 0x01];
    h.extend_from_slice(&length.to_be_bytes());
    h.extend_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
    h.extend_from_slice(&[7; 12]);
    h
}

/// A message consisting of the given raw attribute bytes, with a correct length field.
fn with_body(body: &[u8]) -> Vec<u8> {
    let mut m = header(body.len() as u16);
    m.extend_from_slice(body);
    m
}

fn invalid(attr_type: AttributeType, kind: AttributeErrorKind) -> Result<(), StunError> {
    Err(StunError::InvalidAttribute { attr_type, kind })
}

fn decode(bytes: &[u8]) -> Result<(), StunError> {
    Message::decode(bytes).map(|_| ())
}

#[test]
fn truncated_header() {
    for len in 0..20 {
        let bytes = &vectors::sample_request()[..len];
        assert_eq!(decode(bytes), Err(StunError::TruncatedHeader { len }));
    }
}

#[test]
fn leading_bits_set_is_not_stun() {
    let mut bytes = vectors::sample_request();
    for first in [0x40, 0x80, 0xc0] {
        bytes[0] = first;
        assert_eq!(decode(&bytes), Err(StunError::NotStun));
    }
}

#[test]
fn bad_magic_cookie() {
    let mut bytes = vectors::sample_request();
    bytes[7] = 0x43;
    assert_eq!(decode(&bytes), Err(StunError::BadMagicCookie(0x2112_a443)));
}

#[test]
fn length_field_disagrees_with_buffer() {
    let bytes = vectors::sample_request();
    assert_eq!(
        decode(&bytes[..bytes.len() - 4]),
        Err(StunError::LengthMismatch {
            declared: 88,
            actual: 84
        })
    );
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 4]);
    assert_eq!(
        decode(&longer),
        Err(StunError::LengthMismatch {
            declared: 88,
            actual: 92
        })
    );
}

#[test]
fn unaligned_length_field() {
    let mut bytes = with_body(&[0x80, 0x22, 0x00, 0x01, b'x', 0, 0, 0]);
    bytes[3] = 5;
    bytes.truncate(25);
    assert_eq!(decode(&bytes), Err(StunError::UnalignedLength(5)));
}

#[test]
fn attribute_overrunning_the_message() {
    // SOFTWARE claims 8 bytes but only 4 follow.
    let bytes = with_body(&[0x80, 0x22, 0x00, 0x08, b'a', b'b', b'c', b'd']);
    assert_eq!(
        decode(&bytes),
        Err(StunError::TruncatedAttribute { offset: 20 })
    );
    // Claimed length of 0xFFFF.
    let bytes = with_body(&[0x00, 0x13, 0xff, 0xff, 0, 0, 0, 0]);
    assert_eq!(
        decode(&bytes),
        Err(StunError::TruncatedAttribute { offset: 20 })
    );
}

#[test]
fn attribute_value_fits_but_its_padding_does_not() {
    // DATA of 5 bytes needs 3 padding bytes; the message ends right after the value, which
    // also makes the message length unaligned.
    let bytes = with_body(&[0x00, 0x13, 0x00, 0x05, 1, 2, 3, 4, 5]);
    assert_eq!(decode(&bytes), Err(StunError::UnalignedLength(9)));
    // With an aligned message length the padding always fits once the value does (offsets and
    // the end are multiples of four): a value one byte too long overruns instead.
    let ok = with_body(&[0x00, 0x13, 0x00, 0x07, 1, 2, 3, 4, 5, 6, 7, 0]);
    assert_eq!(
        Message::decode(&ok).unwrap().data(),
        Some(&[1u8, 2, 3, 4, 5, 6, 7][..])
    );
    let bad = with_body(&[0x00, 0x13, 0x00, 0x09, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(
        decode(&bad),
        Err(StunError::TruncatedAttribute { offset: 20 })
    );
}

#[test]
fn nonzero_padding_is_ignored() {
    let bytes = with_body(&[0x00, 0x13, 0x00, 0x01, 9, 0xff, 0xee, 0xdd]);
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.data(), Some(&[9u8][..]));
}

#[test]
fn xor_address_with_bad_family() {
    let bytes = with_body(&[0x00, 0x20, 0x00, 0x08, 0x00, 0x03, 0x12, 0x34, 1, 2, 3, 4]);
    assert_eq!(
        decode(&bytes),
        invalid(
            AttributeType::XOR_MAPPED_ADDRESS,
            AttributeErrorKind::UnknownAddressFamily(3)
        )
    );
}

#[test]
fn address_length_must_match_family() {
    // IPv4 family with 16 address bytes.
    let mut body = vec![0x00, 0x01, 0x00, 0x14, 0x00, 0x01, 0x12, 0x34];
    body.extend_from_slice(&[0; 16]);
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::MAPPED_ADDRESS,
            AttributeErrorKind::BadLength(20)
        )
    );
    // IPv6 family with 4 address bytes.
    let body = [0x00, 0x16, 0x00, 0x08, 0x00, 0x02, 0x12, 0x34, 1, 2, 3, 4];
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::XOR_RELAYED_ADDRESS,
            AttributeErrorKind::BadLength(8)
        )
    );
    // Too short for even the family and port.
    let body = [0x00, 0x12, 0x00, 0x03, 0x00, 0x01, 0x12, 0];
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::XOR_PEER_ADDRESS,
            AttributeErrorKind::BadLength(3)
        )
    );
}

#[test]
fn fixed_size_attributes_with_wrong_length() {
    let cases: &[(&[u8], AttributeType, usize)] = &[
        (
            &[0x00, 0x24, 0x00, 0x02, 0, 1, 0, 0],
            AttributeType::PRIORITY,
            2,
        ),
        (
            &[0x80, 0x29, 0x00, 0x04, 0, 0, 0, 1],
            AttributeType::ICE_CONTROLLED,
            4,
        ),
        (
            &[0x00, 0x25, 0x00, 0x04, 0, 0, 0, 1],
            AttributeType::USE_CANDIDATE,
            4,
        ),
        (
            &[0x00, 0x1a, 0x00, 0x01, 1, 0, 0, 0],
            AttributeType::DONT_FRAGMENT,
            1,
        ),
        (
            &[0x00, 0x0d, 0x00, 0x08, 0, 0, 0, 1, 0, 0, 0, 0],
            AttributeType::LIFETIME,
            8,
        ),
        (
            &[0x00, 0x0c, 0x00, 0x02, 0x40, 0, 0, 0],
            AttributeType::CHANNEL_NUMBER,
            2,
        ),
        (
            &[0x00, 0x19, 0x00, 0x01, 17, 0, 0, 0],
            AttributeType::REQUESTED_TRANSPORT,
            1,
        ),
        (
            &[0x00, 0x18, 0x00, 0x04, 0x80, 0, 0, 0],
            AttributeType::EVEN_PORT,
            4,
        ),
        (
            &[0x00, 0x22, 0x00, 0x04, 1, 2, 3, 4],
            AttributeType::RESERVATION_TOKEN,
            4,
        ),
        (
            &[0x00, 0x08, 0x00, 0x04, 1, 2, 3, 4],
            AttributeType::MESSAGE_INTEGRITY,
            4,
        ),
        (
            &[0x00, 0x1c, 0x00, 0x04, 1, 2, 3, 4],
            AttributeType::MESSAGE_INTEGRITY_SHA256,
            4,
        ),
        (
            &[0x80, 0x28, 0x00, 0x02, 1, 2, 0, 0],
            AttributeType::FINGERPRINT,
            2,
        ),
        (
            &[0x00, 0x1e, 0x00, 0x04, 1, 2, 3, 4],
            AttributeType::USERHASH,
            4,
        ),
        (
            &[0x00, 0x0a, 0x00, 0x03, 1, 2, 3, 0],
            AttributeType::UNKNOWN_ATTRIBUTES,
            3,
        ),
        (
            &[0x00, 0x09, 0x00, 0x03, 0, 0, 4, 0],
            AttributeType::ERROR_CODE,
            3,
        ),
    ];
    for (body, attr_type, len) in cases {
        assert_eq!(
            decode(&with_body(body)),
            invalid(*attr_type, AttributeErrorKind::BadLength(*len)),
            "{attr_type:?}"
        );
    }
}

#[test]
fn truncated_sha256_integrity_must_be_a_multiple_of_four_from_16_to_32() {
    let mut body = vec![0x00, 0x1c, 0x00, 0x12];
    body.extend_from_slice(&[0; 20]);
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::MESSAGE_INTEGRITY_SHA256,
            AttributeErrorKind::BadLength(18)
        )
    );
}

#[test]
fn error_code_out_of_range() {
    let body = [0x00, 0x09, 0x00, 0x04, 0, 0, 7, 0];
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::ERROR_CODE,
            AttributeErrorKind::BadErrorCode(700)
        )
    );
    let body = [0x00, 0x09, 0x00, 0x04, 0, 0, 4, 100];
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::ERROR_CODE,
            AttributeErrorKind::BadErrorCode(500)
        )
    );
    let body = [0x00, 0x09, 0x00, 0x04, 0, 0, 2, 0];
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::ERROR_CODE,
            AttributeErrorKind::BadErrorCode(200)
        )
    );
}

#[test]
fn text_must_be_utf8_and_within_limits() {
    let body = [0x00, 0x06, 0x00, 0x02, 0xc3, 0x28, 0, 0];
    assert_eq!(
        decode(&with_body(&body)),
        invalid(AttributeType::USERNAME, AttributeErrorKind::InvalidUtf8)
    );
    let mut body = vec![0x00, 0x06, 0x02, 0x04];
    body.extend_from_slice(&[b'u'; 516]);
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::USERNAME,
            AttributeErrorKind::TooLong { max: 512 }
        )
    );
    let mut body = vec![0x00, 0x14, 0x02, 0xfc];
    body.extend_from_slice(&[b'r'; 764]);
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::REALM,
            AttributeErrorKind::TooLong { max: 763 }
        )
    );
}

#[test]
fn password_algorithm_parameters_overrunning_the_value() {
    let body = [0x00, 0x1d, 0x00, 0x04, 0x00, 0x01, 0x00, 0x04];
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::PASSWORD_ALGORITHM,
            AttributeErrorKind::BadLength(4)
        )
    );
    let body = [
        0x80, 0x02, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0, 0,
    ];
    assert_eq!(
        decode(&with_body(&body)),
        invalid(
            AttributeType::PASSWORD_ALGORITHMS,
            AttributeErrorKind::BadLength(2)
        )
    );
}

#[test]
fn too_many_attributes() {
    let body: Vec<u8> = [0x80, 0x55, 0x00, 0x00].repeat(MAX_ATTRIBUTES);
    assert!(Message::decode(&with_body(&body)).is_ok());
    let body: Vec<u8> = [0x80, 0x55, 0x00, 0x00].repeat(MAX_ATTRIBUTES + 1);
    assert_eq!(
        decode(&with_body(&body)),
        Err(StunError::TooManyAttributes {
            limit: MAX_ATTRIBUTES
        })
    );
    // The largest possible message made of empty attributes.
    let body: Vec<u8> = [0x80, 0x55, 0x00, 0x00].repeat(0xfffc / 4);
    assert_eq!(
        decode(&with_body(&body)),
        Err(StunError::TooManyAttributes {
            limit: MAX_ATTRIBUTES
        })
    );
}

#[test]
fn attribute_after_fingerprint() {
    let body = [0x80, 0x28, 0x00, 0x04, 1, 2, 3, 4, 0x80, 0x22, 0x00, 0x00];
    assert_eq!(
        decode(&with_body(&body)),
        Err(StunError::AttributeAfterFingerprint)
    );
}

#[test]
fn unknown_comprehension_required_attributes_are_reported_not_rejected() {
    let body = [
        0x00, 0x31, 0x00, 0x01, 1, 0, 0, 0, // unknown, comprehension-required
        0x80, 0x77, 0x00, 0x00, // unknown, comprehension-optional
        0x00, 0x31, 0x00, 0x00, // the same required type again
        0x00, 0x7f, 0x00, 0x00, // another required type
    ];
    let bytes = with_body(&body);
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.attributes().len(), 4);
    assert_eq!(
        msg.unknown_comprehension_required(),
        [AttributeType(0x0031), AttributeType(0x007f)]
    );
}

#[test]
fn attributes_after_integrity_are_ignored_even_if_malformed() {
    let tid = TransactionId::new([1; 12]);
    let mut b = MessageBuilder::new(Class::Request, Method::BINDING, tid);
    b.add(&rtcio_stun::Attribute::Username("a:b")).unwrap();
    b.add_message_integrity(b"pw").unwrap();
    let mut bytes = b.build();
    // Append a malformed PRIORITY (2 bytes) and an unknown required attribute after MI.
    bytes.extend_from_slice(&[0x00, 0x24, 0x00, 0x02, 0, 1, 0, 0, 0x00, 0x31, 0x00, 0x00]);
    let len = (bytes.len() - 20) as u16;
    bytes[2..4].copy_from_slice(&len.to_be_bytes());
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.attributes().len(), 2);
    assert!(msg.unknown_comprehension_required().is_empty());
    assert_eq!(msg.priority(), None);
    msg.verify_integrity(b"pw").unwrap();
}

#[test]
fn second_integrity_and_integrity_after_sha256_are_ignored() {
    let tid = TransactionId::new([2; 12]);
    let mut b = MessageBuilder::new(Class::Request, Method::BINDING, tid);
    b.add_message_integrity_sha256(b"pw").unwrap();
    let mut bytes = b.build();
    // A MESSAGE-INTEGRITY after MESSAGE-INTEGRITY-SHA256 is ignored.
    bytes.extend_from_slice(&[0x00, 0x08, 0x00, 0x14]);
    bytes.extend_from_slice(&[0; 20]);
    let len = (bytes.len() - 20) as u16;
    bytes[2..4].copy_from_slice(&len.to_be_bytes());
    let msg = Message::decode(&bytes).unwrap();
    assert!(!msg.has_integrity());
    assert_eq!(
        msg.verify_integrity(b"pw"),
        Err(StunError::IntegrityMissing)
    );
    msg.verify_integrity_sha256(b"pw").unwrap();
}

#[test]
fn every_prefix_and_every_single_byte_corruption_is_handled() {
    for bytes in [vectors::sample_request(), vectors::sha256_request()] {
        for len in 0..bytes.len() {
            assert!(Message::decode(&bytes[..len]).is_err());
        }
        for i in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                if let Ok(msg) = Message::decode(&b) {
                    let _ = msg.verify_integrity(b"k");
                    let _ = msg.verify_integrity_sha256(b"k");
                    let _ = msg.verify_fingerprint();
                }
            }
        }
    }
}
