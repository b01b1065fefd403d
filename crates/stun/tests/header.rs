//! The message type encoding (RFC 8489 §5) and the cheap STUN check.

mod vectors;

use rtcio_stun::header::{Header, message_type, split_message_type};
use rtcio_stun::{Class, Method, TransactionId, is_stun};

#[test]
fn known_message_types() {
    assert_eq!(message_type(Class::Request, Method::BINDING), 0x0001);
    assert_eq!(message_type(Class::Indication, Method::BINDING), 0x0011);
    assert_eq!(
        message_type(Class::SuccessResponse, Method::BINDING),
        0x0101
    );
    assert_eq!(message_type(Class::ErrorResponse, Method::BINDING), 0x0111);
    assert_eq!(message_type(Class::Request, Method::ALLOCATE), 0x0003);
    assert_eq!(message_type(Class::ErrorResponse, Method::REFRESH), 0x0114);
    assert_eq!(message_type(Class::Indication, Method::SEND), 0x0016);
    assert_eq!(message_type(Class::Indication, Method::DATA), 0x0017);
    assert_eq!(
        message_type(Class::Request, Method::CREATE_PERMISSION),
        0x0008
    );
    assert_eq!(
        message_type(Class::SuccessResponse, Method::CHANNEL_BIND),
        0x0109
    );
}

#[test]
fn every_class_and_method_round_trips() {
    for m in 0..=Method::MAX {
        let method = Method::new(m).unwrap();
        for class in [
            Class::Request,
            Class::Indication,
            Class::SuccessResponse,
            Class::ErrorResponse,
        ] {
            let t = message_type(class, method);
            assert_eq!(t & 0xc000, 0);
            assert_eq!(split_message_type(t), (class, method));
        }
    }
    assert_eq!(Method::new(0x1000), None);
}

#[test]
fn method_names() {
    assert_eq!(
        format!("{:?}", Method::CREATE_PERMISSION),
        "CreatePermission"
    );
    assert_eq!(
        format!("{:?}", Method::new(0x0abc).unwrap()),
        "Method(0xabc)"
    );
    assert_eq!(Method::BINDING.value(), 1);
}

#[test]
fn header_parse() {
    let bytes = vectors::sample_request();
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(
        (h.class, h.method, h.length),
        (Class::Request, Method::BINDING, 0x58)
    );
    assert_eq!(
        h.transaction_id,
        TransactionId::new(bytes[8..20].try_into().unwrap())
    );
}

#[test]
fn is_stun_checks_bits_cookie_and_length() {
    let bytes = vectors::sample_request();
    assert!(is_stun(&bytes));
    assert!(!is_stun(&bytes[..bytes.len() - 4]));
    assert!(!is_stun(&bytes[..19]));
    let mut bad = bytes.clone();
    bad[0] |= 0x40;
    assert!(!is_stun(&bad));
    let mut bad = bytes.clone();
    bad[5] ^= 1;
    assert!(!is_stun(&bad));
    let mut bad = bytes.clone();
    bad[3] = 0x57;
    bad.truncate(20 + 0x57);
    assert!(!is_stun(&bad));
}

#[test]
fn transaction_id_debug_is_hex() {
    let tid = TransactionId::new([
        0xb7, 0xe7, 0xa7, 1, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
    ]);
    assert_eq!(
        format!("{tid:?}"),
        "TransactionId(b7e7a701bc34d686fa87dfae)"
    );
}
