//! I-DATA (RFC 8260): negotiation, interleaving of large and small messages, and the data
//! guarantees (exact, ordered, partially reliable, stream reset) over a hostile link.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Pair, count, messages, payload};
use rtcio_netsim::LinkConfig;
use rtcio_sctp::{Config, Event, Reliability};

fn idata() -> Config {
    Config {
        enable_interleaving: true,
        max_message_size: 1 << 20,
        ..Config::default()
    }
}

#[test]
fn negotiated_only_when_both_sides_offer_it() {
    let mut p = Pair::new(71, LinkConfig::default(), idata(), Config::default());
    p.connect(false);
    assert!(!p.a.interleaving() && !p.b.interleaving());
    p.a.send(
        p.now,
        1,
        53,
        Bytes::from_static(b"plain DATA"),
        Reliability::RELIABLE,
    )
    .unwrap();
    assert!(p.run_until(Duration::from_secs(5), |p| count(&p.b_events, 1) == 1));

    let mut p = Pair::new(72, LinkConfig::default(), idata(), idata());
    p.connect(true);
    assert!(p.a.interleaving() && p.b.interleaving());
}

fn first_index(events: &[Event], stream: u16) -> usize {
    events
        .iter()
        .position(|e| matches!(e, Event::StreamData { stream: s, .. } if *s == stream))
        .expect("delivered")
}

#[test]
fn small_messages_overtake_a_large_one_only_with_interleaving() {
    for (cfg, interleaved) in [
        (idata(), true),
        (
            Config {
                max_message_size: 1 << 20,
                ..Config::default()
            },
            false,
        ),
    ] {
        let mut p = Pair::new(
            73,
            LinkConfig::with_latency(Duration::from_millis(10)),
            cfg.clone(),
            cfg,
        );
        p.connect(false);
        p.a.send(
            p.now,
            1,
            53,
            Bytes::from(payload(1, 0, 1 << 20)),
            Reliability::RELIABLE,
        )
        .unwrap();
        p.a.send(
            p.now,
            2,
            51,
            Bytes::from_static(b"urgent"),
            Reliability::RELIABLE,
        )
        .unwrap();
        assert!(
            p.run_until(Duration::from_secs(60), |p| count(&p.b_events, 1) == 1
                && count(&p.b_events, 2) == 1)
        );
        let small_first = first_index(&p.b_events, 2) < first_index(&p.b_events, 1);
        assert_eq!(small_first, interleaved);
        assert_eq!(messages(&p.b_events, 1), vec![payload(1, 0, 1 << 20)]);
    }
}

#[test]
fn lossy_interleaved_transfer_is_exact() {
    for seed in [74u64, 75] {
        let mut p = Pair::new(seed, LinkConfig::lossy(), idata(), idata());
        p.connect(true);
        assert!(p.a.interleaving());
        let sizes = |s: u16, i: u32| match (s + i as u16) % 5 {
            0 => 200_000,
            1 => 1,
            _ => 3000 + (i as usize * 97) % 5000,
        };
        for i in 0..30u32 {
            for s in 0..4u16 {
                let rel = if s % 2 == 0 {
                    Reliability::RELIABLE
                } else {
                    Reliability::UNORDERED
                };
                p.a.send(p.now, s, 53, Bytes::from(payload(s, i, sizes(s, i))), rel)
                    .unwrap();
                p.b.send(p.now, s, 53, Bytes::from(payload(s, i, sizes(s, i))), rel)
                    .unwrap();
            }
        }
        assert!(
            p.run_until(Duration::from_secs(1200), |p| (0..4).all(|s| count(
                &p.a_events,
                s
            ) == 30
                && count(&p.b_events, s) == 30)),
            "seed {seed}"
        );
        p.run_until(Duration::from_secs(10), |_| false);
        for s in 0..4u16 {
            let want: Vec<Vec<u8>> = (0..30).map(|i| payload(s, i, sizes(s, i))).collect();
            for events in [&p.a_events, &p.b_events] {
                let mut got = messages(events, s);
                assert_eq!(got.len(), 30, "seed {seed} stream {s}");
                if s % 2 == 1 {
                    got.sort();
                    let mut w = want.clone();
                    w.sort();
                    assert!(got == w, "seed {seed} unordered stream {s}");
                } else {
                    assert!(got == want, "seed {seed} ordered stream {s}");
                }
            }
        }
    }
}

#[test]
fn partial_reliability_with_interleaving() {
    let mut p = Pair::new(76, LinkConfig::lossy(), idata(), idata());
    p.connect(true);
    let rel = Reliability {
        ordered: true,
        max_retransmits: Some(0),
        max_lifetime: None,
    };
    let n = 200u32;
    for i in 0..n {
        p.a.send(p.now, 3, 53, Bytes::from(payload(3, i, 2500)), rel)
            .unwrap();
    }
    for i in 0..20u32 {
        p.a.send(
            p.now,
            5,
            53,
            Bytes::from(payload(5, i, 4000)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    let ok = p.run_until(Duration::from_secs(600), |p| {
        p.a.flight_size() == 0 && p.a.total_buffered_amount() == 0 && count(&p.b_events, 5) == 20
    });
    if !ok {
        eprintln!(
            "flight {} buffered {} got3 {} got5 {} a {:?} b {:?} {:?}",
            p.a.flight_size(),
            p.a.total_buffered_amount(),
            count(&p.b_events, 3),
            count(&p.b_events, 5),
            p.a.stats(),
            p.b.stats(),
            p.a_events.last()
        );
    }
    assert!(ok);
    p.run_until(Duration::from_secs(20), |_| false);
    let got: Vec<u32> = messages(&p.b_events, 3)
        .iter()
        .map(|m| (0..n).find(|&i| payload(3, i, 2500) == *m).expect("sent"))
        .collect();
    assert!(
        got.windows(2).all(|w| w[0] < w[1]),
        "ordered, no duplicates"
    );
    assert!(got.len() < n as usize && got.len() > n as usize / 3);
    assert!(p.a.stats().abandoned_messages > 0);
    let want: Vec<Vec<u8>> = (0..20).map(|i| payload(5, i, 4000)).collect();
    assert_eq!(messages(&p.b_events, 5), want);
}

#[test]
fn stream_reset_restarts_message_identifiers() {
    let mut p = Pair::new(77, LinkConfig::lossy(), idata(), idata());
    p.connect(true);
    for i in 0..10u32 {
        p.a.send(
            p.now,
            4,
            53,
            Bytes::from(payload(4, i, 3000)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    p.a.reset_streams(&[4]).unwrap();
    assert!(p.run_until(Duration::from_secs(120), |p| {
        p.b_events
            .iter()
            .any(|e| matches!(e, Event::IncomingStreamsReset(s) if s.contains(&4)))
            && p.a_events
                .iter()
                .any(|e| matches!(e, Event::OutgoingStreamsReset(s) if s.contains(&4)))
    }));
    for i in 10..15u32 {
        p.a.send(
            p.now,
            4,
            53,
            Bytes::from(payload(4, i, 3000)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    assert!(p.run_until(Duration::from_secs(120), |p| count(&p.b_events, 4) == 15));
    let want: Vec<Vec<u8>> = (0..15).map(|i| payload(4, i, 3000)).collect();
    assert_eq!(messages(&p.b_events, 4), want);
}
