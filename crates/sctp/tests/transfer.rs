//! Data transfer: exact-once, in-order delivery over loss, reordering and duplication; unordered
//! delivery; large fragmented messages; many streams at once.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use common::{Pair, count, messages, payload};
use rtcio_netsim::LinkConfig;
use rtcio_sctp::{Config, Event, Reliability};

fn lossy_pair(seed: u64, cfg: Config) -> Pair {
    let mut p = Pair::new(seed, LinkConfig::lossy(), cfg.clone(), cfg);
    p.connect(true);
    p
}

#[test]
fn clean_link_delivers_in_order() {
    let mut p = Pair::clean(10);
    p.connect(false);
    for i in 0..100u32 {
        let m = payload(0, i, 1 + (i as usize * 37) % 3000);
        p.a.send(p.now, 0, 53, Bytes::from(m), Reliability::RELIABLE)
            .unwrap();
    }
    assert!(p.run_until(Duration::from_secs(30), |p| count(&p.b_events, 0) == 100));
    let got = messages(&p.b_events, 0);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(*m, payload(0, i as u32, 1 + (i * 37) % 3000), "message {i}");
    }
    assert_eq!(p.a.stats().t3_expirations, 0);
}

#[test]
fn lossy_link_delivers_every_reliable_message_exactly_once_in_order() {
    for seed in [1u64, 2, 3] {
        let mut p = lossy_pair(seed, Config::default());
        let streams = [0u16, 1, 2, 3];
        let per_stream = 150u32;
        for i in 0..per_stream {
            for &s in &streams {
                let m = payload(s, i, 1 + (i as usize * 131 + s as usize * 7) % 5000);
                p.a.send(p.now, s, 53, Bytes::from(m.clone()), Reliability::RELIABLE)
                    .unwrap();
                p.b.send(p.now, s, 53, Bytes::from(m), Reliability::RELIABLE)
                    .unwrap();
            }
        }
        let total = streams.len() * per_stream as usize;
        let ok = p.run_until(Duration::from_secs(600), |p| {
            let n = |ev: &[Event]| {
                ev.iter()
                    .filter(|e| matches!(e, Event::StreamData { .. }))
                    .count()
            };
            n(&p.a_events) >= total && n(&p.b_events) >= total
        });
        assert!(ok, "seed {seed}: transfer did not complete");
        // Let retransmissions and duplicates drain, then check exactness.
        p.run_until(Duration::from_secs(10), |_| false);
        for &s in &streams {
            for events in [&p.a_events, &p.b_events] {
                let got = messages(events, s);
                assert_eq!(got.len(), per_stream as usize, "seed {seed} stream {s}");
                for (i, m) in got.iter().enumerate() {
                    let want = payload(s, i as u32, 1 + (i * 131 + s as usize * 7) % 5000);
                    assert!(*m == want, "seed {seed} stream {s} message {i} differs");
                }
            }
        }
        assert!(p.net.stats().lost > 0 && p.net.stats().duplicated > 0);
        assert!(p.a.stats().data_duplicates + p.b.stats().data_duplicates > 0);
    }
}

#[test]
fn unordered_messages_arrive_exactly_once() {
    let mut p = lossy_pair(7, Config::default());
    let n = 300u32;
    for i in 0..n {
        let m = payload(5, i, 100 + (i as usize * 53) % 4000);
        p.a.send(p.now, 5, 53, Bytes::from(m), Reliability::UNORDERED)
            .unwrap();
    }
    assert!(
        p.run_until(Duration::from_secs(600), |p| count(&p.b_events, 5)
            >= n as usize)
    );
    p.run_until(Duration::from_secs(10), |_| false);
    let mut got = messages(&p.b_events, 5);
    assert_eq!(got.len(), n as usize);
    got.sort();
    let mut want: Vec<Vec<u8>> = (0..n)
        .map(|i| payload(5, i, 100 + (i as usize * 53) % 4000))
        .collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn one_mebibyte_messages_are_fragmented_and_reassembled() {
    let cfg = Config {
        max_message_size: 1 << 20,
        ..Config::default()
    };
    let mut p = lossy_pair(11, cfg);
    let sizes = [1usize << 20, (1 << 20) - 1, 300_000, 1];
    for (i, &len) in sizes.iter().enumerate() {
        let rel = if i % 2 == 0 {
            Reliability::RELIABLE
        } else {
            Reliability::UNORDERED
        };
        p.a.send(p.now, 9, 53, Bytes::from(payload(9, i as u32, len)), rel)
            .unwrap();
    }
    assert!(
        p.run_until(Duration::from_secs(1200), |p| count(&p.b_events, 9)
            == sizes.len())
    );
    let mut got = messages(&p.b_events, 9);
    got.sort_by_key(|m| m.len());
    let mut want: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &len)| payload(9, i as u32, len))
        .collect();
    want.sort_by_key(|m| m.len());
    assert!(got == want);
}

#[test]
fn too_large_messages_are_refused() {
    let mut p = Pair::clean(12);
    p.connect(false);
    let big = Bytes::from(vec![0u8; 262_145]);
    assert_eq!(
        p.a.send(p.now, 0, 53, big, Reliability::RELIABLE),
        Err(rtcio_sctp::Error::MessageTooLarge)
    );
    assert_eq!(
        p.a.send(p.now, 0, 53, Bytes::new(), Reliability::RELIABLE),
        Err(rtcio_sctp::Error::EmptyMessage)
    );
}

#[test]
fn a_thousand_streams_at_once() {
    let mut p = lossy_pair(13, Config::default());
    let streams = 1200u16;
    for s in 0..streams {
        for i in 0..3u32 {
            let m = payload(s, i, 10 + (s as usize * 3 + i as usize) % 700);
            p.a.send(p.now, s, 53, Bytes::from(m), Reliability::RELIABLE)
                .unwrap();
        }
    }
    let want = streams as usize * 3;
    assert!(p.run_until(Duration::from_secs(600), |p| {
        p.b_events
            .iter()
            .filter(|e| matches!(e, Event::StreamData { .. }))
            .count()
            >= want
    }));
    let mut per: HashMap<u16, Vec<Vec<u8>>> = HashMap::new();
    for e in &p.b_events {
        if let Event::StreamData { stream, data, .. } = e {
            per.entry(*stream).or_default().push(data.to_vec());
        }
    }
    assert_eq!(per.len(), streams as usize);
    for (s, msgs) in per {
        let want: Vec<Vec<u8>> = (0..3u32)
            .map(|i| payload(s, i, 10 + (s as usize * 3 + i as usize) % 700))
            .collect();
        assert_eq!(msgs, want, "stream {s}");
    }
}

#[test]
fn buffered_amount_and_low_threshold() {
    let mut p = Pair::clean(14);
    p.connect(false);
    p.a.set_buffered_amount_low_threshold(3, 10_000);
    for i in 0..40u32 {
        p.a.send(
            p.now,
            3,
            53,
            Bytes::from(payload(3, i, 1000)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    assert_eq!(p.a.buffered_amount(3), 40_000);
    assert!(p.run_until(Duration::from_secs(30), |p| p.a.buffered_amount(3) == 0));
    let lows = p
        .a_events
        .iter()
        .filter(|e| **e == Event::BufferedAmountLow { stream: 3 })
        .count();
    assert_eq!(lows, 1);
}
