//! The STUN Binding client: mapped address, retransmissions, errors, foreign responses.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_stun::{Attribute, Class, ErrorCode, Message, MessageBuilder, Method, TransactionId};
use rtcio_turn::{BindingClient, BindingEvent};

fn id() -> TransactionId {
    TransactionId::new([5; 12])
}

fn response(id: TransactionId, mapped: SocketAddr) -> Vec<u8> {
    let mut b = MessageBuilder::new(Class::SuccessResponse, Method::BINDING, id);
    b.add(&Attribute::XorMappedAddress(mapped)).unwrap();
    b.add_fingerprint().unwrap();
    b.build()
}

#[test]
fn success_gives_the_mapped_address() {
    let now = Instant::now();
    let mut c = BindingClient::new(now, id(), false);
    let req = c.poll_transmit().unwrap();
    let msg = Message::decode(&req).unwrap();
    assert_eq!(
        (msg.class(), msg.method()),
        (Class::Request, Method::BINDING)
    );
    msg.verify_fingerprint().unwrap();
    let mapped: SocketAddr = "198.51.100.1:1234".parse().unwrap();
    assert!(!c.handle_response(&response(TransactionId::new([6; 12]), mapped)));
    assert!(c.handle_response(&response(id(), mapped)));
    assert_eq!(c.poll_event(), Some(BindingEvent::Mapped(mapped)));
    assert!(c.is_done());
    assert_eq!(c.dropped(), 1);
}

#[test]
fn retransmits_then_fails_after_39_5_seconds() {
    let start = Instant::now();
    let mut c = BindingClient::new(start, id(), false);
    let mut sends = 0;
    let mut now = start;
    let mut gaps = Vec::new();
    while let Some(t) = c.poll_timeout() {
        gaps.push((t - now).as_millis());
        now = t;
        while c.poll_transmit().is_some() {
            sends += 1;
        }
        c.handle_timeout(now);
    }
    while c.poll_transmit().is_some() {
        sends += 1;
    }
    assert_eq!(sends, 7);
    assert_eq!(gaps, [500, 1000, 2000, 4000, 8000, 16000, 8000]);
    assert_eq!(now - start, Duration::from_millis(39_500));
    assert!(matches!(c.poll_event(), Some(BindingEvent::Failed(_))));
}

#[test]
fn error_response_fails() {
    let now = Instant::now();
    let mut c = BindingClient::new(now, id(), true);
    let mut b = MessageBuilder::new(Class::ErrorResponse, Method::BINDING, id());
    b.add(&Attribute::ErrorCode(ErrorCode::new(400, "bad")))
        .unwrap();
    assert!(c.handle_response(&b.build()));
    assert_eq!(
        c.poll_event(),
        Some(BindingEvent::Failed("error 400 bad".into()))
    );
}

#[test]
fn garbage_is_dropped() {
    let now = Instant::now();
    let mut c = BindingClient::new(now, id(), false);
    for bad in [&[][..], &[1, 2, 3], &[0u8; 20], &[0xff; 64]] {
        assert!(!c.handle_response(bad));
    }
    assert_eq!(c.poll_event(), None);
    assert_eq!(c.dropped(), 4);
}
