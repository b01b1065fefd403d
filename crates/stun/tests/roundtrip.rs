//! Every attribute survives encode → decode, alone and all together in one message.

use std::net::SocketAddr;

use rtcio_stun::{
    Attribute, AttributeType, Class, ErrorCode, Message, MessageBuilder, Method, PasswordAlgorithm,
    PasswordAlgorithmValue, TransactionId, TransportProtocol,
};

fn tid() -> TransactionId {
    TransactionId::new([
        0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb,
    ])
}

fn v4() -> SocketAddr {
    "203.0.113.7:4242".parse().unwrap()
}

fn v6() -> SocketAddr {
    "[2001:db8::1:2:3]:65535".parse().unwrap()
}

/// One of each attribute (both address families where relevant).
fn all_attributes() -> Vec<Attribute<'static>> {
    vec![
        Attribute::MappedAddress(v4()),
        Attribute::MappedAddress(v6()),
        Attribute::XorMappedAddress(v4()),
        Attribute::XorMappedAddress(v6()),
        Attribute::AlternateServer(v6()),
        Attribute::XorPeerAddress(v4()),
        Attribute::XorPeerAddress(v6()),
        Attribute::XorRelayedAddress(v4()),
        Attribute::XorRelayedAddress(v6()),
        Attribute::Username("user:frag"),
        Attribute::Realm("example.org"),
        Attribute::Nonce("nonce-1"),
        Attribute::Software("rtcio"),
        Attribute::AlternateDomain("turn.example.org"),
        Attribute::ErrorCode(ErrorCode::new(ErrorCode::ROLE_CONFLICT, "Role Conflict")),
        Attribute::UnknownAttributes(vec![AttributeType(0x0031), AttributeType(0x7fff)]),
        Attribute::Userhash([0xab; 32]),
        Attribute::PasswordAlgorithm(PasswordAlgorithmValue::new(PasswordAlgorithm::SHA256)),
        Attribute::PasswordAlgorithms(vec![
            PasswordAlgorithmValue::new(PasswordAlgorithm::MD5),
            PasswordAlgorithmValue {
                algorithm: PasswordAlgorithm(0x7777),
                parameters: b"abcde",
            },
            PasswordAlgorithmValue::new(PasswordAlgorithm::SHA256),
        ]),
        Attribute::Priority(0x6e00_01ff),
        Attribute::UseCandidate,
        Attribute::IceControlled(u64::MAX),
        Attribute::IceControlling(0x0102_0304_0506_0708),
        Attribute::ChannelNumber(0x4001),
        Attribute::Lifetime(600),
        Attribute::Data(b"payload bytes"),
        Attribute::Data(b""),
        Attribute::RequestedAddressFamily(0x02),
        Attribute::AdditionalAddressFamily(0x02),
        Attribute::EvenPort { reserve_next: true },
        Attribute::EvenPort {
            reserve_next: false,
        },
        Attribute::RequestedTransport(TransportProtocol::UDP),
        Attribute::DontFragment,
        Attribute::ReservationToken(*b"token-08"),
        Attribute::Unknown {
            attr_type: AttributeType(0xc057),
            value: b"\x00\x01\x00\x0a",
        },
        Attribute::Unknown {
            attr_type: AttributeType(0x0031),
            value: b"x",
        },
    ]
}

#[test]
fn each_attribute_round_trips_alone() {
    for attr in all_attributes() {
        let mut b = MessageBuilder::new(Class::Indication, Method::SEND, tid());
        b.add(&attr).unwrap();
        let bytes = b.build();
        assert_eq!(bytes.len() % 4, 0);
        let msg = Message::decode(&bytes).unwrap();
        assert_eq!(msg.attributes(), std::slice::from_ref(&attr), "{attr:?}");
    }
}

#[test]
fn all_attributes_round_trip_together_with_integrity_and_fingerprint() {
    let attrs = all_attributes();
    let mut b = MessageBuilder::new(Class::SuccessResponse, Method::ALLOCATE, tid());
    for attr in &attrs {
        b.add(attr).unwrap();
    }
    b.add_message_integrity(b"key").unwrap();
    b.add_message_integrity_sha256(b"key").unwrap();
    b.add_fingerprint().unwrap();
    let bytes = b.build();
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.class(), Class::SuccessResponse);
    assert_eq!(msg.method(), Method::ALLOCATE);
    assert_eq!(msg.transaction_id(), tid());
    assert_eq!(&msg.attributes()[..attrs.len()], &attrs[..]);
    assert_eq!(msg.attributes().len(), attrs.len() + 3);
    msg.verify_integrity(b"key").unwrap();
    msg.verify_integrity_sha256(b"key").unwrap();
    msg.verify_fingerprint().unwrap();
}

#[test]
fn xor_addresses_are_obfuscated_on_the_wire() {
    let mut b = MessageBuilder::new(Class::SuccessResponse, Method::BINDING, tid());
    b.add(&Attribute::XorMappedAddress(v4())).unwrap();
    let bytes = b.build();
    // Port 4242 XOR 0x2112, address 203.0.113.7 XOR 0x2112A442.
    assert_eq!(
        &bytes[24..32],
        &[0x00, 0x01, 0x31, 0x80, 0xea, 0x12, 0xd5, 0x45]
    );
}

#[test]
fn typed_accessors_find_their_attributes() {
    let mut b = MessageBuilder::new(Class::SuccessResponse, Method::ALLOCATE, tid());
    for attr in all_attributes() {
        b.add(&attr).unwrap();
    }
    let bytes = b.build();
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.mapped_address(), Some(v4()));
    assert_eq!(msg.xor_mapped_address(), Some(v4()));
    assert_eq!(msg.xor_relayed_address(), Some(v4()));
    assert_eq!(
        msg.xor_relayed_addresses().collect::<Vec<_>>(),
        [v4(), v6()]
    );
    assert_eq!(msg.xor_peer_addresses().collect::<Vec<_>>(), [v4(), v6()]);
    assert_eq!(msg.username(), Some("user:frag"));
    assert_eq!(msg.realm(), Some("example.org"));
    assert_eq!(msg.nonce(), Some("nonce-1"));
    assert_eq!(msg.software(), Some("rtcio"));
    assert_eq!(
        msg.error_code().map(|e| (e.code, e.class(), e.number())),
        Some((487, 4, 87))
    );
    assert_eq!(msg.priority(), Some(0x6e00_01ff));
    assert!(msg.use_candidate());
    assert_eq!(msg.ice_controlled(), Some(u64::MAX));
    assert_eq!(msg.ice_controlling(), Some(0x0102_0304_0506_0708));
    assert_eq!(msg.channel_number(), Some(0x4001));
    assert_eq!(msg.lifetime(), Some(600));
    assert_eq!(msg.data(), Some(&b"payload bytes"[..]));
    assert_eq!(msg.requested_transport(), Some(TransportProtocol::UDP));
    assert_eq!(msg.get_all(AttributeType::DATA).count(), 2);
    assert_eq!(
        msg.unknown_comprehension_required(),
        [AttributeType(0x0031)]
    );
}

#[test]
fn absent_attributes_read_as_none() {
    let bytes = MessageBuilder::new(Class::Request, Method::BINDING, tid()).build();
    let msg = Message::decode(&bytes).unwrap();
    assert!(msg.attributes().is_empty());
    assert_eq!(msg.username(), None);
    assert!(!msg.use_candidate());
    assert!(msg.unknown_comprehension_required().is_empty());
    assert!(!msg.has_integrity() && !msg.has_fingerprint());
}
