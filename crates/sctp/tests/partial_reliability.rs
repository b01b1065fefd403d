//! PR-SCTP (RFC 3758): messages with a retransmission limit or a lifetime are abandoned as
//! configured, FORWARD-TSN moves the receiver on, and what is delivered stays ordered and unique.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Pair, count, messages, payload};
use rtcio_netsim::LinkConfig;
use rtcio_sctp::{Config, Event, Reliability};

fn index_of(m: &[u8], stream: u16, n: u32, len: usize) -> Option<u32> {
    (0..n).find(|&i| payload(stream, i, len) == m)
}

fn run_partial(rel: Reliability, seed: u64) -> (Vec<u32>, Pair) {
    let mut p = Pair::new(
        seed,
        LinkConfig::lossy(),
        Config::default(),
        Config::default(),
    );
    p.connect(true);
    let n = 400u32;
    for i in 0..n {
        p.a.send(p.now, 2, 53, Bytes::from(payload(2, i, 600)), rel)
            .unwrap();
    }
    // A reliable stream alongside must be complete regardless.
    for i in 0..50u32 {
        p.a.send(
            p.now,
            4,
            53,
            Bytes::from(payload(4, i, 900)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    assert!(p.run_until(Duration::from_secs(600), |p| {
        p.a.flight_size() == 0 && p.a.total_buffered_amount() == 0 && count(&p.b_events, 4) == 50
    }));
    p.run_until(Duration::from_secs(20), |_| false);
    let got: Vec<u32> = messages(&p.b_events, 2)
        .iter()
        .map(|m| index_of(m, 2, n, 600).expect("delivered message is one that was sent"))
        .collect();
    let reliable: Vec<Vec<u8>> = (0..50).map(|i| payload(4, i, 900)).collect();
    assert_eq!(messages(&p.b_events, 4), reliable);
    (got, p)
}

fn assert_unique(got: &[u32]) {
    let mut s = got.to_vec();
    s.sort_unstable();
    s.dedup();
    assert_eq!(s.len(), got.len(), "a message was delivered twice");
}

#[test]
fn zero_retransmits_drops_lost_messages_and_keeps_order() {
    let rel = Reliability {
        ordered: true,
        max_retransmits: Some(0),
        max_lifetime: None,
    };
    let (got, p) = run_partial(rel, 21);
    assert!(got.windows(2).all(|w| w[0] < w[1]), "ordered delivery");
    assert!(got.len() < 400, "20% loss must drop some messages");
    assert!(got.len() > 200, "most messages still arrive");
    assert!(p.a.stats().abandoned_messages > 0);
}

#[test]
fn unordered_with_retransmit_limit_delivers_each_at_most_once() {
    let rel = Reliability {
        ordered: false,
        max_retransmits: Some(1),
        max_lifetime: None,
    };
    let (got, _) = run_partial(rel, 22);
    assert_unique(&got);
    assert!(got.len() < 400 && got.len() > 300);
}

#[test]
fn lifetime_expiry_abandons_old_messages() {
    let rel = Reliability {
        ordered: true,
        max_retransmits: None,
        max_lifetime: Some(Duration::from_millis(5)),
    };
    let (got, p) = run_partial(rel, 23);
    assert!(got.windows(2).all(|w| w[0] < w[1]));
    assert!(got.len() < 400);
    assert!(p.a.stats().abandoned_messages > 0);
    // No Closed event: the association survived.
    assert!(!p.a_events.iter().any(|e| matches!(e, Event::Closed { .. })));
}

#[test]
fn forward_tsn_stays_within_the_mtu_with_many_abandoned_streams() {
    for interleaving in [false, true] {
        let cfg = Config {
            enable_interleaving: interleaving,
            ..Config::default()
        };
        let mut p = Pair::new(24, LinkConfig::lossy(), cfg.clone(), cfg);
        p.connect(true);
        let rel = Reliability {
            ordered: true,
            max_retransmits: Some(0),
            max_lifetime: None,
        };
        for s in 0..800u16 {
            p.a.send(p.now, s, 53, Bytes::from(payload(s, 0, 300)), rel)
                .unwrap();
        }
        for i in 0..10u32 {
            p.a.send(
                p.now,
                900,
                53,
                Bytes::from(payload(900, i, 700)),
                Reliability::RELIABLE,
            )
            .unwrap();
        }
        assert!(
            p.run_until(Duration::from_secs(600), |p| {
                p.a.flight_size() == 0
                    && p.a.total_buffered_amount() == 0
                    && count(&p.b_events, 900) == 10
            }),
            "interleaving {interleaving}"
        );
        assert!(p.a.stats().abandoned_messages > 50);
        // Ordered streams keep working after their skipped messages.
        for s in 0..800u16 {
            p.a.send(
                p.now,
                s,
                53,
                Bytes::from(payload(s, 1, 10)),
                Reliability::RELIABLE,
            )
            .unwrap();
        }
        assert!(p.run_until(Duration::from_secs(600), |p| {
            (0..800u16).all(|s| messages(&p.b_events, s).last() == Some(&payload(s, 1, 10)))
        }));
    }
}
