//! Stream scheduling: deficit round robin weighted by priority shares a bottleneck in proportion
//! to the streams' priorities, and equally among equals.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Pair, count, payload};
use rtcio_netsim::LinkConfig;
use rtcio_sctp::{Config, Reliability};

/// Bytes delivered on stream 1 and stream 2 at the moment stream 1 completed.
fn race(prio1: u16, prio2: u16, interleaving: bool) -> (usize, usize) {
    let cfg = Config {
        enable_interleaving: interleaving,
        ..Config::default()
    };
    let link = LinkConfig {
        latency: Duration::from_millis(10),
        bandwidth: Some(20_000_000),
        queue_bytes: 256 * 1024,
        ..LinkConfig::default()
    };
    let mut p = Pair::new(81, link, cfg.clone(), cfg);
    p.connect(true);
    p.a.set_stream_priority(1, prio1);
    p.a.set_stream_priority(2, prio2);
    let n = 150u32;
    for i in 0..n {
        for s in [1u16, 2] {
            p.a.send(
                p.now,
                s,
                53,
                Bytes::from(payload(s, i, 8000)),
                Reliability::RELIABLE,
            )
            .unwrap();
        }
    }
    assert!(
        p.run_until(Duration::from_secs(120), |p| count(&p.b_events, 1)
            == n as usize)
    );
    let at = (count(&p.b_events, 1) * 8000, count(&p.b_events, 2) * 8000);
    assert!(
        p.run_until(Duration::from_secs(120), |p| count(&p.b_events, 2)
            == n as usize)
    );
    at
}

#[test]
fn higher_priority_gets_a_proportional_share() {
    for interleaving in [false, true] {
        let (high, low) = race(1024, 256, interleaving);
        let ratio = low as f64 / high as f64;
        assert!(
            (0.15..0.4).contains(&ratio),
            "interleaving {interleaving}: low/high = {ratio:.2}"
        );
    }
}

#[test]
fn equal_priorities_share_equally() {
    let (first, second) = race(256, 256, false);
    let ratio = second as f64 / first as f64;
    assert!((0.85..1.0001).contains(&ratio), "ratio {ratio:.2}");
}
