//! Allocate: the 401 challenge, stale nonces, wrong credentials, retransmissions and timeouts.

mod common;

use std::time::{Duration, Instant};

use common::*;
use rtcio_stun::{Attribute, ErrorCode, Message, Method};
use rtcio_turn::{Event, FailReason, Transport};

#[test]
fn challenge_then_signed_allocate_succeeds() {
    let now = Instant::now();
    let mut c = client(now, Transport::Udp);
    let (bytes, m, id) = next_request(&mut c);
    assert_eq!(m, Method::ALLOCATE);
    let first = Message::decode(&bytes).unwrap();
    assert!(!first.has_integrity(), "the first Allocate is unsigned");
    assert!(first.requested_transport().is_some());

    c.handle_message(
        now,
        &challenge(m, id, ErrorCode::UNAUTHENTICATED, "nonce-1"),
    );
    let (bytes, m2, id2) = next_request(&mut c);
    assert_eq!(m2, Method::ALLOCATE);
    assert_ne!(id, id2, "a new transaction");
    let signed = Message::decode(&bytes).unwrap();
    assert_eq!(signed.username(), Some(USER));
    assert_eq!(signed.realm(), Some(REALM));
    assert_eq!(signed.nonce(), Some("nonce-1"));
    signed.verify_integrity(&key()).unwrap();

    let ok = success(
        m2,
        id2,
        &[
            Attribute::XorRelayedAddress(relayed()),
            Attribute::XorMappedAddress(mapped()),
            Attribute::Lifetime(600),
        ],
    );
    c.handle_message(now, &ok);
    assert_eq!(
        c.poll_event(),
        Some(Event::Allocated {
            relayed: relayed(),
            mapped: Some(mapped())
        })
    );
    assert_eq!(c.relayed_addr(), Some(relayed()));
}

#[test]
fn stale_nonce_is_retried_with_the_new_nonce() {
    let now = Instant::now();
    let mut c = client(now, Transport::Udp);
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &challenge(m, id, 401, "old"));
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &challenge(m, id, ErrorCode::STALE_NONCE, "fresh"));
    let (bytes, m, id) = next_request(&mut c);
    assert_eq!(Message::decode(&bytes).unwrap().nonce(), Some("fresh"));
    c.handle_message(
        now,
        &success(m, id, &[Attribute::XorRelayedAddress(relayed())]),
    );
    assert!(matches!(c.poll_event(), Some(Event::Allocated { .. })));
}

#[test]
fn endless_stale_nonces_end_in_failure() {
    let now = Instant::now();
    let mut c = client(now, Transport::Udp);
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &challenge(m, id, 401, "n0"));
    for i in 0..10 {
        let Some(bytes) = c.poll_transmit() else {
            break;
        };
        let msg = Message::decode(&bytes).unwrap();
        c.handle_message(
            now,
            &challenge(msg.method(), msg.transaction_id(), 438, &format!("n{i}")),
        );
    }
    assert!(matches!(
        c.poll_event(),
        Some(Event::Failed {
            reason: FailReason::Error { code: 438, .. }
        })
    ));
    assert!(c.is_terminated());
}

#[test]
fn second_401_means_wrong_credentials() {
    let now = Instant::now();
    let mut c = client(now, Transport::Udp);
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &challenge(m, id, 401, "n"));
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &challenge(m, id, 401, "n"));
    assert_eq!(
        c.poll_event(),
        Some(Event::Failed {
            reason: FailReason::Unauthorized
        })
    );
    assert!(c.poll_transmit().is_none());
}

#[test]
fn allocate_error_fails_with_code() {
    let now = Instant::now();
    let mut c = client(now, Transport::Udp);
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &challenge(m, id, 401, "n"));
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &error(m, id, ErrorCode::ALLOCATION_QUOTA_REACHED));
    assert!(matches!(
        c.poll_event(),
        Some(Event::Failed {
            reason: FailReason::Error { code: 486, .. }
        })
    ));
}

#[test]
fn unsigned_or_forged_success_is_dropped() {
    let now = Instant::now();
    let mut c = client(now, Transport::Udp);
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &challenge(m, id, 401, "n"));
    let (_, m, id) = next_request(&mut c);
    // No MESSAGE-INTEGRITY.
    let mut b = rtcio_stun::MessageBuilder::new(rtcio_stun::Class::SuccessResponse, m, id);
    b.add(&Attribute::XorRelayedAddress(relayed())).unwrap();
    c.handle_message(now, &b.build());
    // Wrong key.
    let mut b = rtcio_stun::MessageBuilder::new(rtcio_stun::Class::SuccessResponse, m, id);
    b.add(&Attribute::XorRelayedAddress(relayed()))
        .unwrap()
        .add_message_integrity(b"wrong")
        .unwrap();
    c.handle_message(now, &b.build());
    assert_eq!(c.poll_event(), None);
    assert_eq!(c.stats().dropped_inbound, 2);
    // The genuine answer still completes the transaction.
    c.handle_message(
        now,
        &success(m, id, &[Attribute::XorRelayedAddress(relayed())]),
    );
    assert!(matches!(c.poll_event(), Some(Event::Allocated { .. })));
}

#[test]
fn udp_retransmits_seven_times_then_times_out() {
    let start = Instant::now();
    let mut c = client(start, Transport::Udp);
    let (first, _, _) = next_request(&mut c);
    let mut sent = 1;
    let mut now = start;
    while let Some(t) = c.poll_timeout() {
        now = t;
        c.handle_timeout(now);
        while let Some(again) = c.poll_transmit() {
            assert_eq!(again, first, "a retransmission is the same bytes");
            sent += 1;
        }
        if c.is_terminated() {
            break;
        }
    }
    assert_eq!(sent, 7);
    // 0.5 + 1 + 2 + 4 + 8 + 16 = 31.5 s to the last send, then 16 × 0.5 s.
    assert_eq!(now - start, Duration::from_millis(39_500));
    assert_eq!(
        c.poll_event(),
        Some(Event::Failed {
            reason: FailReason::Timeout(Method::ALLOCATE)
        })
    );
}

#[test]
fn tcp_sends_once_and_times_out_after_ti() {
    let start = Instant::now();
    let mut c = client(start, Transport::Tcp);
    next_request(&mut c);
    let t = c.poll_timeout().unwrap();
    assert_eq!(t - start, Duration::from_millis(39_500));
    c.handle_timeout(start + ms(20_000));
    assert!(c.poll_transmit().is_none());
    c.handle_timeout(t);
    assert!(c.poll_transmit().is_none());
    assert!(matches!(c.poll_event(), Some(Event::Failed { .. })));
}

#[test]
fn malformed_input_never_panics_and_is_counted() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    let inputs: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![0x40, 0x00],
        vec![0x40, 0x00, 0xff, 0xff, 1, 2],
        vec![0xff; 40],
        vec![
            0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
        // A Data indication without attributes.
        rtcio_stun::MessageBuilder::new(
            rtcio_stun::Class::Indication,
            Method::DATA,
            rtcio_stun::TransactionId::new([9; 12]),
        )
        .build(),
        // A response to nothing.
        error(
            Method::REFRESH,
            rtcio_stun::TransactionId::new([7; 12]),
            400,
        ),
        // ChannelData on an unbound channel.
        vec![0x40, 0x01, 0x00, 0x01, 0xaa, 0, 0, 0],
    ];
    for input in &inputs {
        c.handle_message(now, input);
    }
    let mut lcg = 0x1234_5678u32;
    for len in 0..200usize {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                lcg = lcg.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (lcg >> 24) as u8
            })
            .collect();
        c.handle_message(now, &bytes);
    }
    assert_eq!(c.poll_event(), None);
    assert!(c.stats().dropped_inbound >= inputs.len() as u64);
    assert_eq!(c.relayed_addr(), Some(relayed()));
}

#[test]
fn mutated_responses_never_panic() {
    // Every single-byte mutation of a genuine Allocate success, fed while allocating.
    let now = Instant::now();
    let mut base = client(now, Transport::Udp);
    let (_, m, id) = next_request(&mut base);
    base.handle_message(now, &challenge(m, id, 401, "n"));
    let (_, m, id) = next_request(&mut base);
    let ok = success(
        m,
        id,
        &[
            Attribute::XorRelayedAddress(relayed()),
            Attribute::XorMappedAddress(mapped()),
            Attribute::Lifetime(600),
        ],
    );
    let mut allocated = 0;
    for i in 0..ok.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut c = client(now, Transport::Udp);
            let (_, m, id) = next_request(&mut c);
            c.handle_message(now, &challenge(m, id, 401, "n"));
            next_request(&mut c);
            let mut bad = ok.clone();
            bad[i] ^= flip;
            c.handle_message(now, &bad);
            c.handle_message(now, &bad[..i]);
            if let Some(Event::Allocated { .. }) = c.poll_event() {
                allocated += 1;
            }
        }
    }
    // MESSAGE-INTEGRITY covers every byte before it: no mutation is accepted.
    assert_eq!(allocated, 0);
}

#[test]
fn requested_family_falls_back_to_the_default_on_440() {
    let now = Instant::now();
    let mut config = rtcio_turn::ClientConfig::new(Transport::Udp, USER, PASS);
    config.requested_family = Some(rtcio_stun::AddressFamily::Ipv6);
    let mut c = rtcio_turn::TurnClient::new(config, now, counter_ids());
    let (_, m, id) = next_request(&mut c);
    c.handle_message(now, &challenge(m, id, 401, "n"));
    let (bytes, m, id) = next_request(&mut c);
    let family = Message::decode(&bytes)
        .unwrap()
        .get(rtcio_stun::AttributeType::REQUESTED_ADDRESS_FAMILY)
        .cloned();
    assert_eq!(family, Some(Attribute::RequestedAddressFamily(0x02)));
    c.handle_message(now, &error(m, id, ErrorCode::ADDRESS_FAMILY_NOT_SUPPORTED));
    let (bytes, m, id) = next_request(&mut c);
    let msg = Message::decode(&bytes).unwrap();
    assert!(
        msg.get(rtcio_stun::AttributeType::REQUESTED_ADDRESS_FAMILY)
            .is_none()
    );
    msg.verify_integrity(&key()).unwrap();
    c.handle_message(
        now,
        &success(m, id, &[Attribute::XorRelayedAddress(relayed())]),
    );
    assert!(matches!(c.poll_event(), Some(Event::Allocated { .. })));
    // A second 440 is final.
    let mut config = rtcio_turn::ClientConfig::new(Transport::Udp, USER, PASS);
    config.requested_family = Some(rtcio_stun::AddressFamily::Ipv6);
    let mut c = rtcio_turn::TurnClient::new(config, now, counter_ids());
    for _ in 0..3 {
        let Some(bytes) = c.poll_transmit() else {
            break;
        };
        let msg = Message::decode(&bytes).unwrap();
        let (m, id) = (msg.method(), msg.transaction_id());
        if msg.has_integrity() {
            c.handle_message(now, &error(m, id, 440));
        } else {
            c.handle_message(now, &challenge(m, id, 401, "n"));
        }
    }
    assert!(matches!(
        c.poll_event(),
        Some(Event::Failed {
            reason: FailReason::Error { code: 440, .. }
        })
    ));
}
