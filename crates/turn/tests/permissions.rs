//! CreatePermission and ChannelBind on first send, queued data, ChannelData and Send/Data
//! indications, refreshes and failures.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use rtcio_stun::{Attribute, ChannelData, Class, Message, MessageBuilder, Method, TransactionId};
use rtcio_turn::{Event, SendError, Transport, TurnClient};

fn peer() -> SocketAddr {
    "203.0.113.5:6000".parse().unwrap()
}

/// A request the client sent: method, transaction id, bytes.
type Request = (Method, TransactionId, Vec<u8>);

/// Drains the transmits: requests, and everything else.
fn drain(c: &mut TurnClient) -> (Vec<Request>, Vec<Vec<u8>>) {
    let (mut requests, mut other) = (Vec::new(), Vec::new());
    while let Some(bytes) = c.poll_transmit() {
        match Message::decode(&bytes) {
            Ok(m) if m.class() == Class::Request => {
                requests.push((m.method(), m.transaction_id(), bytes.clone()))
            }
            _ => other.push(bytes),
        }
    }
    (requests, other)
}

#[test]
fn first_send_requests_permission_and_channel_then_flushes() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    c.send_to(now, peer(), b"hello").unwrap();
    let (requests, other) = drain(&mut c);
    assert!(other.is_empty(), "data waits for the permission");
    let methods: Vec<Method> = requests.iter().map(|r| r.0).collect();
    assert_eq!(methods, [Method::CREATE_PERMISSION, Method::CHANNEL_BIND]);
    let perm = Message::decode(&requests[0].2).unwrap();
    assert_eq!(
        perm.xor_peer_addresses().next().map(|a| a.ip()),
        Some(peer().ip())
    );
    perm.verify_integrity(&key()).unwrap();
    let bind = Message::decode(&requests[1].2).unwrap();
    let channel = bind.channel_number().unwrap();
    assert_eq!(bind.xor_peer_addresses().next(), Some(peer()));

    // Permission first: the queued datagram leaves as a Send indication.
    c.handle_message(now, &success(Method::CREATE_PERMISSION, requests[0].1, &[]));
    let (_, other) = drain(&mut c);
    assert_eq!(other.len(), 1);
    let ind = Message::decode(&other[0]).unwrap();
    assert_eq!(
        (ind.class(), ind.method()),
        (Class::Indication, Method::SEND)
    );
    assert_eq!(ind.data(), Some(&b"hello"[..]));
    assert_eq!(ind.xor_peer_addresses().next(), Some(peer()));

    // Channel bound: later data is ChannelData.
    c.handle_message(now, &success(Method::CHANNEL_BIND, requests[1].1, &[]));
    c.send_to(now, peer(), b"via channel").unwrap();
    let (requests, other) = drain(&mut c);
    assert!(requests.is_empty());
    let cd = ChannelData::decode(&other[0]).unwrap();
    assert_eq!((cd.channel(), cd.data()), (channel, &b"via channel"[..]));
    assert_eq!(c.stats().channel_data_sent, 1);
    assert_eq!(c.stats().send_indications_sent, 1);

    // Incoming ChannelData on that channel is the peer's data.
    let mut incoming = Vec::new();
    ChannelData::new(channel, b"back")
        .unwrap()
        .encode(rtcio_stun::Framing::Datagram, &mut incoming);
    assert!(c.accepts(&incoming));
    c.handle_message(now, &incoming);
    assert_eq!(
        c.poll_event(),
        Some(Event::Data {
            peer: peer(),
            data: b"back".to_vec()
        })
    );
}

#[test]
fn channel_data_is_padded_over_tcp() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Tcp);
    c.send_to(now, peer(), b"x").unwrap();
    let (requests, _) = drain(&mut c);
    c.handle_message(now, &success(Method::CHANNEL_BIND, requests[1].1, &[]));
    let _ = drain(&mut c);
    c.send_to(now, peer(), b"abcde").unwrap();
    let (_, other) = drain(&mut c);
    assert_eq!(other[0].len(), 12, "4-byte header + 5 bytes padded to 8");
}

#[test]
fn data_indication_becomes_data_event() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    let mut b = MessageBuilder::new(Class::Indication, Method::DATA, TransactionId::new([3; 12]));
    b.add(&Attribute::XorPeerAddress(peer()))
        .unwrap()
        .add(&Attribute::Data(b"stun check"))
        .unwrap();
    let bytes = b.build();
    assert!(c.accepts(&bytes));
    c.handle_message(now, &bytes);
    assert_eq!(
        c.poll_event(),
        Some(Event::Data {
            peer: peer(),
            data: b"stun check".to_vec()
        })
    );
}

#[test]
fn permissions_refresh_every_four_minutes_and_channels_every_nine() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    c.send_to(now, peer(), b"x").unwrap();
    let (requests, _) = drain(&mut c);
    c.handle_message(now, &success(Method::CREATE_PERMISSION, requests[0].1, &[]));
    c.handle_message(now, &success(Method::CHANNEL_BIND, requests[1].1, &[]));
    let _ = drain(&mut c);

    let mut seen = Vec::new();
    let end = now + Duration::from_secs(600);
    let mut t = now;
    while let Some(next) = c.poll_timeout().filter(|n| *n <= end) {
        t = next;
        c.handle_timeout(t);
        let (requests, _) = drain(&mut c);
        for (m, id, _) in requests {
            seen.push((m, (t - now).as_secs()));
            c.handle_message(t, &success(m, id, &[Attribute::Lifetime(600)]));
        }
    }
    assert!(t <= end);
    assert_eq!(
        seen,
        [
            (Method::CREATE_PERMISSION, 240),
            (Method::CREATE_PERMISSION, 480),
            (Method::REFRESH, 540),
            (Method::CHANNEL_BIND, 540),
        ]
    );
}

#[test]
fn refused_permission_drops_queued_data() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    c.send_to(now, peer(), b"a").unwrap();
    c.send_to(now, peer(), b"b").unwrap();
    let (requests, _) = drain(&mut c);
    c.handle_message(now, &error(Method::CREATE_PERMISSION, requests[0].1, 403));
    c.handle_message(now, &error(Method::CHANNEL_BIND, requests[1].1, 403));
    let (_, other) = drain(&mut c);
    assert!(other.is_empty());
    assert_eq!(c.stats().dropped_outbound, 2);
    assert!(
        c.relayed_addr().is_some(),
        "a refused permission is not fatal"
    );
}

#[test]
fn send_before_allocation_and_oversize_are_refused() {
    let now = Instant::now();
    let mut c = client(now, Transport::Udp);
    assert_eq!(c.send_to(now, peer(), b"x"), Err(SendError::NotAllocated));
    let mut c = allocated(now, Transport::Udp);
    assert_eq!(
        c.send_to(now, peer(), &vec![0; 70_000]),
        Err(SendError::TooLarge)
    );
}

#[test]
fn queue_waiting_for_permission_is_bounded() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    let mut refused = 0;
    for _ in 0..1000 {
        if c.send_to(now, peer(), b"x") == Err(SendError::Full) {
            refused += 1;
        }
    }
    assert_eq!(refused, 1000 - 64);
}

#[test]
fn stale_nonce_on_create_permission_is_re_signed() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    c.send_to(now, peer(), b"x").unwrap();
    let (requests, _) = drain(&mut c);
    c.handle_message(
        now,
        &challenge(Method::CREATE_PERMISSION, requests[0].1, 438, "n9"),
    );
    let (again, _) = drain(&mut c);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].0, Method::CREATE_PERMISSION);
    assert_eq!(Message::decode(&again[0].2).unwrap().nonce(), Some("n9"));
    c.handle_message(now, &success(Method::CREATE_PERMISSION, again[0].1, &[]));
    let (_, other) = drain(&mut c);
    assert_eq!(other.len(), 1, "the queued datagram leaves");
}

#[test]
fn unanswered_create_permission_is_retransmitted_then_dropped() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    c.send_to(now, peer(), b"x").unwrap();
    let _ = drain(&mut c);
    let mut t = now;
    let mut retransmitted = 0;
    while let Some(next) = c
        .poll_timeout()
        .filter(|n| *n < now + Duration::from_secs(60))
    {
        t = next;
        c.handle_timeout(t);
        retransmitted += drain(&mut c).0.len();
    }
    // Both CreatePermission and ChannelBind: 6 retransmissions each.
    assert_eq!(retransmitted, 12);
    assert!(t - now <= Duration::from_millis(39_500));
    assert_eq!(c.stats().dropped_outbound, 1, "the queued datagram");
    assert!(c.relayed_addr().is_some());
    // The next send asks again.
    c.send_to(t, peer(), b"y").unwrap();
    assert_eq!(drain(&mut c).0.len(), 2);
}

#[test]
fn response_with_wrong_method_is_dropped() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    c.send_to(now, peer(), b"x").unwrap();
    let (requests, _) = drain(&mut c);
    c.handle_message(now, &success(Method::REFRESH, requests[0].1, &[]));
    assert_eq!(c.stats().dropped_inbound, 1);
    let (_, other) = drain(&mut c);
    assert!(other.is_empty(), "still waiting for the permission");
}

#[test]
fn ipv6_peers_get_their_own_permission() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    let v6: SocketAddr = "[2001:db8::5]:7000".parse().unwrap();
    c.send_to(now, peer(), b"4").unwrap();
    c.send_to(now, v6, b"6").unwrap();
    let (requests, _) = drain(&mut c);
    let perms: Vec<_> = requests
        .iter()
        .filter(|r| r.0 == Method::CREATE_PERMISSION)
        .map(|r| {
            Message::decode(&r.2)
                .unwrap()
                .xor_peer_addresses()
                .next()
                .unwrap()
                .ip()
        })
        .collect();
    assert_eq!(perms, [peer().ip(), v6.ip()]);
    let channels: Vec<u16> = requests
        .iter()
        .filter(|r| r.0 == Method::CHANNEL_BIND)
        .map(|r| Message::decode(&r.2).unwrap().channel_number().unwrap())
        .collect();
    assert_eq!(channels.len(), 2);
    assert_ne!(channels[0], channels[1]);
}
