//! Congestion control and flow control: slow start fills a bottleneck, a tail-drop queue is
//! handled by fast retransmit rather than timeouts, and a slow reader throttles the sender.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Pair, count, messages, payload};
use rtcio_netsim::LinkConfig;
use rtcio_sctp::{Config, Event, Reliability};

fn bottleneck(mbit: u64, queue: usize) -> LinkConfig {
    LinkConfig {
        latency: Duration::from_millis(25),
        bandwidth: Some(mbit * 1_000_000),
        queue_bytes: queue,
        ..LinkConfig::default()
    }
}

#[test]
fn slow_start_fills_a_bottleneck_and_recovers_from_queue_drops() {
    // 20 Mbit/s, 50 ms RTT: BDP 125 kB; a 64 kB queue overflows during slow start.
    let mut p = Pair::new(
        61,
        bottleneck(20, 64 * 1024),
        Config::default(),
        Config::default(),
    );
    p.connect(false);
    let start = p.now;
    let n = 400u32;
    for i in 0..n {
        p.a.send(
            p.now,
            0,
            53,
            Bytes::from(payload(0, i, 16 * 1024)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    assert!(
        p.run_until(Duration::from_secs(120), |p| count(&p.b_events, 0)
            == n as usize)
    );
    let secs = (p.now - start).as_secs_f64();
    let bytes = f64::from(n) * 16.0 * 1024.0;
    let goodput_mbit = bytes * 8.0 / secs / 1e6;
    // 6.5 MB at 20 Mbit/s takes 2.6 s at best.
    assert!(
        goodput_mbit > 12.0,
        "goodput {goodput_mbit:.1} Mbit/s over {secs:.2} s"
    );
    let want: Vec<Vec<u8>> = (0..n).map(|i| payload(0, i, 16 * 1024)).collect();
    assert!(messages(&p.b_events, 0) == want);
    let st = p.a.stats();
    assert!(p.net.stats().queue_dropped > 0, "the queue overflowed");
    assert!(st.retransmitted_chunks > 0);
    assert!(
        st.t3_expirations <= 2,
        "losses were repaired by fast retransmit: {st:?}"
    );
}

#[test]
fn slow_reader_closes_the_window_without_losing_data() {
    let cfg = Config {
        max_receive_buffer: 64 * 1024,
        ..Config::default()
    };
    let mut p = Pair::new(
        62,
        LinkConfig::with_latency(Duration::from_millis(5)),
        cfg.clone(),
        cfg,
    );
    p.connect(false);
    for i in 0..200u32 {
        p.a.send(
            p.now,
            1,
            53,
            Bytes::from(payload(1, i, 4000)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    // b's application does not read: run the association without draining b's events.
    let mut held = Vec::new();
    for _ in 0..2000 {
        let mut buf = Vec::new();
        while p.a.poll_transmit_into(p.now, &mut buf) {
            p.b.handle_receive(p.now, &buf);
        }
        while p.b.poll_transmit_into(p.now, &mut buf) {
            p.a.handle_receive(p.now, &buf);
        }
        p.now += Duration::from_millis(10);
        p.a.handle_timeout(p.now);
        p.b.handle_timeout(p.now);
    }
    assert!(p.b.receive_buffered() <= 64 * 1024);
    assert!(p.a.total_buffered_amount() > 0, "the sender was throttled");
    // Now read everything.
    while let Some(e) = p.b.poll_event() {
        held.push(e);
    }
    p.b_events.append(&mut held);
    assert!(p.run_until(Duration::from_secs(120), |p| count(&p.b_events, 1) == 200));
    let want: Vec<Vec<u8>> = (0..200).map(|i| payload(1, i, 4000)).collect();
    assert!(messages(&p.b_events, 1) == want);
    assert!(!p.a_events.iter().any(|e| matches!(e, Event::Closed { .. })));
}

#[test]
fn cwnd_decays_after_idle_periods() {
    let mut p = Pair::new(
        63,
        bottleneck(50, 256 * 1024),
        Config::default(),
        Config::default(),
    );
    p.connect(false);
    for i in 0..200u32 {
        p.a.send(
            p.now,
            0,
            53,
            Bytes::from(payload(0, i, 16 * 1024)),
            Reliability::RELIABLE,
        )
        .unwrap();
    }
    assert!(p.run_until(Duration::from_secs(60), |p| count(&p.b_events, 0) == 200));
    let grown = p.a.cwnd();
    assert!(grown > 16 * 1200, "cwnd grew during the transfer: {grown}");
    // Idle for many RTOs (heartbeats only), then send again.
    p.run_until(Duration::from_secs(20), |_| false);
    p.a.send(
        p.now,
        0,
        53,
        Bytes::from_static(b"again"),
        Reliability::RELIABLE,
    )
    .unwrap();
    p.flush();
    assert_eq!(p.a.cwnd(), 4 * 1200, "RFC 9260 §7.2.1 idle decay");
}
