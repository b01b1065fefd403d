//! Ending an association: ABORT (local and peer), graceful SHUTDOWN after queued data, and
//! death by too many retransmissions.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Pair, count, messages, payload};
use rtcio_netsim::LinkConfig;
use rtcio_sctp::{CloseReason, Error, Event, Reliability};

fn closed_reason(events: &[Event]) -> Option<CloseReason> {
    events.iter().find_map(|e| match e {
        Event::Closed { reason } => Some(reason.clone()),
        _ => None,
    })
}

#[test]
fn abort_closes_both_sides_and_keeps_delivered_messages() {
    let mut p = Pair::clean(51);
    p.connect(false);
    for i in 0..10u32 {
        p.a.send(
            p.now,
            1,
            53,
            Bytes::from(payload(1, i, 500)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    assert!(p.run_until(Duration::from_secs(5), |p| count(&p.b_events, 1) == 10));
    p.a.abort("bye");
    assert!(p.run_until(Duration::from_secs(5), |p| p.b.is_closed()));
    assert_eq!(closed_reason(&p.a_events), Some(CloseReason::LocalAbort));
    match closed_reason(&p.b_events) {
        Some(CloseReason::PeerAbort(causes)) => {
            assert_eq!(causes.len(), 1);
            assert_eq!(&causes[0].info[..], b"bye");
        }
        other => panic!("unexpected {other:?}"),
    }
    // Delivered messages stay, in order, before the Closed event.
    assert_eq!(count(&p.b_events, 1), 10);
    assert!(matches!(p.b_events.last(), Some(Event::Closed { .. })));
    assert_eq!(
        p.b.send(
            p.now,
            1,
            53,
            Bytes::from_static(b"x"),
            Reliability::RELIABLE
        ),
        Err(Error::Closed)
    );
    assert_eq!(p.a.poll_timeout(), None);
    assert_eq!(p.b.poll_timeout(), None);
}

#[test]
fn graceful_shutdown_delivers_queued_data_first() {
    let mut p = Pair::new(
        52,
        LinkConfig::lossy(),
        Default::default(),
        Default::default(),
    );
    p.connect(true);
    for i in 0..100u32 {
        p.a.send(
            p.now,
            0,
            53,
            Bytes::from(payload(0, i, 3000)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    p.a.shutdown(p.now);
    assert_eq!(
        p.a.send(
            p.now,
            0,
            53,
            Bytes::from_static(b"late"),
            Reliability::RELIABLE
        ),
        Err(Error::Closed)
    );
    assert!(p.run_until(Duration::from_secs(600), |p| p.a.is_closed()
        && p.b.is_closed()));
    assert_eq!(closed_reason(&p.a_events), Some(CloseReason::Shutdown));
    assert_eq!(closed_reason(&p.b_events), Some(CloseReason::Shutdown));
    let want: Vec<Vec<u8>> = (0..100).map(|i| payload(0, i, 3000)).collect();
    assert_eq!(messages(&p.b_events, 0), want);
}

#[test]
fn silent_peer_is_declared_dead() {
    let mut p = Pair::clean(53);
    p.connect(false);
    p.net.set_default_link(LinkConfig::cut());
    p.a.send(
        p.now,
        0,
        53,
        Bytes::from_static(b"into the void"),
        Reliability::RELIABLE,
    )
    .unwrap();
    assert!(p.run_until(Duration::from_secs(24 * 3600), |p| p.a.is_closed()));
    assert_eq!(
        closed_reason(&p.a_events),
        Some(CloseReason::TooManyRetransmissions)
    );
}

#[test]
fn idle_peer_that_disappears_is_detected_by_heartbeats() {
    let mut p = Pair::clean(54);
    p.connect(false);
    p.run_until(Duration::from_secs(120), |_| false);
    assert!(
        p.a.is_established(),
        "heartbeats keep an idle association up"
    );
    assert!(p.a.srtt().is_some());
    p.net.set_default_link(LinkConfig::cut());
    assert!(p.run_until(Duration::from_secs(24 * 3600), |p| p.a.is_closed()));
    assert_eq!(
        closed_reason(&p.a_events),
        Some(CloseReason::TooManyRetransmissions)
    );
}

#[test]
fn lost_abort_is_repeated_for_out_of_the_blue_packets() {
    let mut p = Pair::clean(55);
    p.connect(false);
    p.a.abort("gone");
    // The ABORT is lost.
    assert!(p.a.poll_transmit(p.now).is_some());
    assert!(p.a.poll_transmit(p.now).is_none());
    p.b.send(
        p.now,
        0,
        53,
        Bytes::from_static(b"anyone?"),
        Reliability::RELIABLE,
    )
    .unwrap();
    assert!(p.run_until(Duration::from_secs(30), |p| p.b.is_closed()));
    assert!(matches!(
        closed_reason(&p.b_events),
        Some(CloseReason::PeerAbort(_))
    ));
}
