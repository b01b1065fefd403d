//! A scripted TURN server for the client tests: decodes what the client sent and builds the
//! answers a real server would.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_stun::{
    Attribute, Class, ErrorCode, Message, MessageBuilder, Method, PasswordAlgorithm, TransactionId,
    integrity,
};
use rtcio_turn::{ClientConfig, IdSource, Transport, TurnClient};

pub const USER: &str = "user";
pub const PASS: &str = "pass";
pub const REALM: &str = "rtcio";

/// Transaction ids 1, 2, 3… in the last bytes.
pub fn counter_ids() -> IdSource {
    let mut n = 0u32;
    Box::new(move || {
        n += 1;
        let mut b = [0u8; 12];
        b[8..].copy_from_slice(&n.to_be_bytes());
        TransactionId::new(b)
    })
}

pub fn key() -> Vec<u8> {
    integrity::long_term_key(USER, REALM, PASS, PasswordAlgorithm::MD5).unwrap()
}

pub fn relayed() -> SocketAddr {
    "192.0.2.1:50000".parse().unwrap()
}

pub fn mapped() -> SocketAddr {
    "198.51.100.7:40000".parse().unwrap()
}

pub fn client(now: Instant, transport: Transport) -> TurnClient {
    TurnClient::new(ClientConfig::new(transport, USER, PASS), now, counter_ids())
}

/// The one queued transmit, decoded to (class, method, id); panics if none.
pub fn next_request(c: &mut TurnClient) -> (Vec<u8>, Method, TransactionId) {
    let bytes = c.poll_transmit().expect("a request");
    let msg = Message::decode(&bytes).expect("valid STUN");
    assert_eq!(msg.class(), Class::Request);
    let (m, t) = (msg.method(), msg.transaction_id());
    (bytes, m, t)
}

/// 401 or 438 with REALM and NONCE.
pub fn challenge(method: Method, id: TransactionId, code: u16, nonce: &str) -> Vec<u8> {
    let mut b = MessageBuilder::new(Class::ErrorResponse, method, id);
    b.add(&Attribute::ErrorCode(ErrorCode::new(code, "challenge")))
        .unwrap()
        .add(&Attribute::Realm(REALM))
        .unwrap()
        .add(&Attribute::Nonce(nonce))
        .unwrap();
    b.build()
}

/// An error response with only ERROR-CODE.
pub fn error(method: Method, id: TransactionId, code: u16) -> Vec<u8> {
    let mut b = MessageBuilder::new(Class::ErrorResponse, method, id);
    b.add(&Attribute::ErrorCode(ErrorCode::new(code, "no")))
        .unwrap();
    b.build()
}

/// A success response with `attrs`, signed with the long-term key.
pub fn success(method: Method, id: TransactionId, attrs: &[Attribute<'_>]) -> Vec<u8> {
    let mut b = MessageBuilder::new(Class::SuccessResponse, method, id);
    for a in attrs {
        b.add(a).unwrap();
    }
    b.add_message_integrity(&key()).unwrap();
    b.build()
}

/// Runs the 401 dance and a successful Allocate; returns the client allocated.
pub fn allocated(now: Instant, transport: Transport) -> TurnClient {
    let mut c = client(now, transport);
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &challenge(m, id, 401, "n1"));
    let (_, m, id) = next_request(&mut c);
    let ok = success(
        m,
        id,
        &[
            Attribute::XorRelayedAddress(relayed()),
            Attribute::XorMappedAddress(mapped()),
            Attribute::Lifetime(600),
        ],
    );
    c.handle_message(now, &ok);
    assert!(matches!(
        c.poll_event(),
        Some(rtcio_turn::Event::Allocated { .. })
    ));
    c
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
