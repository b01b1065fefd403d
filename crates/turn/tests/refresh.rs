//! Refresh before expiry, stale nonce on refresh, failed refresh, and close (lifetime 0).

mod common;

use std::time::{Duration, Instant};

use common::*;
use rtcio_stun::{Attribute, Message, Method};
use rtcio_turn::{Event, FailReason, Transport};

#[test]
fn refresh_is_sent_a_minute_before_expiry_and_rescheduled() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    assert!(c.poll_transmit().is_none());
    let due = c.poll_timeout().unwrap();
    assert_eq!(due - now, Duration::from_secs(540));
    c.handle_timeout(due);
    let (bytes, m, id) = next_request(&mut c);
    assert_eq!(m, Method::REFRESH);
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.lifetime(), Some(600));
    msg.verify_integrity(&key()).unwrap();
    // The server grants a shorter lifetime: the next refresh comes halfway through.
    c.handle_message(due, &success(m, id, &[Attribute::Lifetime(100)]));
    assert_eq!(c.poll_timeout().unwrap() - due, Duration::from_secs(50));
    assert_eq!(c.poll_event(), None);
}

#[test]
fn refresh_with_stale_nonce_is_re_signed() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    let due = c.poll_timeout().unwrap();
    c.handle_timeout(due);
    let (_, m, id) = next_request(&mut c);
    c.handle_message(due, &challenge(m, id, 438, "n2"));
    let (bytes, m, id) = next_request(&mut c);
    assert_eq!(m, Method::REFRESH);
    assert_eq!(Message::decode(&bytes).unwrap().nonce(), Some("n2"));
    c.handle_message(due, &success(m, id, &[Attribute::Lifetime(600)]));
    assert_eq!(c.poll_event(), None);
    assert_eq!(c.relayed_addr(), Some(relayed()));
}

#[test]
fn failed_refresh_loses_the_allocation() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    let due = c.poll_timeout().unwrap();
    c.handle_timeout(due);
    let (_, m, id) = next_request(&mut c);
    c.handle_message(due, &error(m, id, 437));
    assert!(matches!(
        c.poll_event(),
        Some(Event::Failed {
            reason: FailReason::Error { code: 437, .. }
        })
    ));
    assert_eq!(c.relayed_addr(), None);
}

#[test]
fn close_sends_lifetime_zero_and_reports_closed() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Tcp);
    c.close(now);
    let (bytes, m, id) = next_request(&mut c);
    assert_eq!(m, Method::REFRESH);
    assert_eq!(Message::decode(&bytes).unwrap().lifetime(), Some(0));
    c.handle_message(now, &success(m, id, &[Attribute::Lifetime(0)]));
    assert_eq!(c.poll_event(), Some(Event::Closed));
    assert!(c.is_terminated());
    assert!(c.poll_timeout().is_none());
}

#[test]
fn close_without_answer_still_closes() {
    let now = Instant::now();
    let mut c = allocated(now, Transport::Udp);
    c.close(now);
    next_request(&mut c);
    while let Some(t) = c.poll_timeout() {
        c.handle_timeout(t);
        while c.poll_transmit().is_some() {}
    }
    assert_eq!(c.poll_event(), Some(Event::Closed));
}

#[test]
fn close_while_allocating_is_immediate() {
    let now = Instant::now();
    let mut c = client(now, Transport::Udp);
    next_request(&mut c);
    c.close(now);
    assert_eq!(c.poll_event(), Some(Event::Closed));
    assert!(c.poll_timeout().is_none());
}
