//! Stream reset (RFC 6525) at the association level: queued data goes first, both sides learn
//! of the reset, SSNs restart, and requests survive loss (deferred until the TSN arrives).

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Pair, count, messages, payload};
use rtcio_netsim::LinkConfig;
use rtcio_sctp::{Config, Error, Event, Reliability};

fn reset_seen(events: &[Event], incoming: bool, stream: u16) -> bool {
    events.iter().any(|e| match e {
        Event::IncomingStreamsReset(s) if incoming => s.contains(&stream),
        Event::OutgoingStreamsReset(s) if !incoming => s.contains(&stream),
        _ => false,
    })
}

#[test]
fn reset_after_queued_data_then_reuse() {
    let mut p = Pair::clean(31);
    p.connect(false);
    for i in 0..20u32 {
        p.a.send(
            p.now,
            3,
            53,
            Bytes::from(payload(3, i, 2000)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    p.a.reset_streams(&[3]).unwrap();
    assert_eq!(
        p.a.send(
            p.now,
            3,
            53,
            Bytes::from_static(b"x"),
            Reliability::RELIABLE
        ),
        Err(Error::StreamResetting)
    );
    assert!(p.run_until(Duration::from_secs(10), |p| {
        reset_seen(&p.a_events, false, 3) && reset_seen(&p.b_events, true, 3)
    }));
    // All 20 messages were delivered before the reset was reported.
    let reset_at = p
        .b_events
        .iter()
        .position(|e| matches!(e, Event::IncomingStreamsReset(_)))
        .unwrap();
    let before = messages(&p.b_events[..reset_at], 3);
    assert_eq!(before.len(), 20);
    // SSNs start over at 0: new messages on the stream are delivered in order.
    for i in 0..5u32 {
        p.a.send(
            p.now,
            3,
            53,
            Bytes::from(payload(3, 100 + i, 10)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    assert!(p.run_until(Duration::from_secs(10), |p| count(&p.b_events, 3) == 25));
    let after = messages(&p.b_events, 3);
    for i in 0..5u32 {
        assert_eq!(after[20 + i as usize], payload(3, 100 + i, 10));
    }
}

#[test]
fn resets_complete_over_a_lossy_link_from_both_sides() {
    for seed in [41u64, 42, 43] {
        let mut p = Pair::new(
            seed,
            LinkConfig::lossy(),
            Config::default(),
            Config::default(),
        );
        p.connect(true);
        for s in 0..10u16 {
            for i in 0..10u32 {
                p.a.send(
                    p.now,
                    s,
                    53,
                    Bytes::from(payload(s, i, 1500)),
                    Reliability::RELIABLE,
                )
                .unwrap();
                p.b.send(
                    p.now,
                    s,
                    53,
                    Bytes::from(payload(s, i, 1500)),
                    Reliability::RELIABLE,
                )
                .unwrap();
            }
        }
        let even: Vec<u16> = (0..10).filter(|s| s % 2 == 0).collect();
        let odd: Vec<u16> = (0..10).filter(|s| s % 2 == 1).collect();
        p.a.reset_streams(&even).unwrap();
        p.b.reset_streams(&odd).unwrap();
        assert!(
            p.run_until(Duration::from_secs(600), |p| {
                even.iter()
                    .all(|&s| reset_seen(&p.a_events, false, s) && reset_seen(&p.b_events, true, s))
                    && odd.iter().all(|&s| {
                        reset_seen(&p.b_events, false, s) && reset_seen(&p.a_events, true, s)
                    })
            }),
            "seed {seed}"
        );
        p.run_until(Duration::from_secs(30), |_| false);
        for s in 0..10u16 {
            let want: Vec<Vec<u8>> = (0..10).map(|i| payload(s, i, 1500)).collect();
            assert_eq!(
                messages(&p.b_events, s),
                want,
                "seed {seed} a->b stream {s}"
            );
            assert_eq!(
                messages(&p.a_events, s),
                want,
                "seed {seed} b->a stream {s}"
            );
        }
    }
}
