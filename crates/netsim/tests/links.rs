//! Link behaviour: loss, delay, jitter, reordering, duplication, bandwidth, NAT, determinism.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcio_netsim::{Datagram, LinkConfig, Network};

fn a() -> SocketAddr {
    "10.0.0.1:1000".parse().unwrap()
}
fn b() -> SocketAddr {
    "10.0.0.2:2000".parse().unwrap()
}

/// Sends `n` numbered datagrams one millisecond apart and returns (arrival offset, number) for
/// everything delivered, in arrival order.
fn send_numbered(net: &mut Network, start: Instant, n: u32, size: usize) -> Vec<(Duration, u32)> {
    let number = |d: Datagram| u32::from_be_bytes(d.payload[..4].try_into().unwrap());
    let mut result = Vec::new();
    let mut now = start;
    for i in 0..n {
        let mut payload = i.to_be_bytes().to_vec();
        payload.resize(size.max(4), 0);
        net.send(now, Datagram::new(a(), b(), payload));
        now += Duration::from_millis(1);
        while let Some(at) = net.poll_timeout().filter(|at| *at <= now) {
            let d = net.poll_recv(at).unwrap();
            result.push((at - start, number(d)));
        }
    }
    while let Some(at) = net.poll_timeout() {
        let d = net.poll_recv(at).unwrap();
        result.push((at - start, number(d)));
    }
    result
}

#[test]
fn same_seed_same_fate_different_seed_different_fate() {
    let start = Instant::now();
    let run = |seed| {
        let mut net = Network::new(seed);
        net.set_default_link(LinkConfig::lossy());
        send_numbered(&mut net, start, 2000, 100)
            .into_iter()
            .map(|(_, i)| i)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn loss_rate_matches_configuration() {
    let mut net = Network::new(42);
    net.set_default_link(LinkConfig {
        loss: 0.2,
        ..LinkConfig::default()
    });
    let got = send_numbered(&mut net, Instant::now(), 10_000, 100).len();
    assert!((7_800..=8_200).contains(&got), "delivered {got} of 10000");
    assert_eq!(net.stats().lost as usize, 10_000 - got);
}

#[test]
fn latency_and_jitter_bound_the_arrival_time() {
    let start = Instant::now();
    let mut net = Network::new(3);
    net.set_default_link(LinkConfig {
        latency: Duration::from_millis(40),
        jitter: Duration::from_millis(10),
        ..LinkConfig::default()
    });
    let mut now = start;
    let mut spread = Vec::new();
    for _ in 0..500 {
        net.send(now, Datagram::new(a(), b(), vec![0; 10]));
        let at = net.poll_timeout().unwrap();
        let d = at - now;
        assert!(
            d >= Duration::from_millis(40) && d <= Duration::from_millis(50),
            "{d:?}"
        );
        spread.push(d);
        net.poll_recv(at).unwrap();
        now = at;
    }
    let min = spread.iter().min().unwrap();
    let max = spread.iter().max().unwrap();
    assert!(*max - *min > Duration::from_millis(8), "jitter not applied");
}

#[test]
fn reordering_and_duplication_happen_at_the_configured_rates() {
    let mut net = Network::new(9);
    net.set_default_link(LinkConfig {
        latency: Duration::from_millis(5),
        reorder: 0.1,
        reorder_delay: Duration::from_millis(20),
        duplicate: 0.05,
        ..LinkConfig::default()
    });
    let got = send_numbered(&mut net, Instant::now(), 5_000, 100);
    let order: Vec<u32> = got.iter().map(|(_, i)| *i).collect();
    let inversions = order.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(inversions > 200, "only {inversions} inversions");
    let dups = order.len() - 5_000;
    assert!((150..=350).contains(&dups), "{dups} duplicates");
    assert_eq!(net.stats().duplicated as usize, dups);
}

#[test]
fn bandwidth_limits_throughput_and_overflowing_queue_drops() {
    let start = Instant::now();
    let mut net = Network::new(5);
    // 1 Mbit/s with a 25 KB buffer: a 1250-byte packet takes 10 ms to serialize.
    net.set_default_link(LinkConfig {
        bandwidth: Some(1_000_000),
        queue_bytes: 25_000,
        ..LinkConfig::default()
    });
    for _ in 0..100 {
        net.send(start, Datagram::new(a(), b(), vec![0; 1250]));
    }
    let stats = net.stats();
    assert_eq!(stats.queue_dropped, 80, "20 packets fit in 25 KB");
    let mut last = start;
    let mut n = 0;
    while let Some(at) = net.poll_timeout() {
        net.poll_recv(at).unwrap();
        assert!(at - last >= Duration::from_millis(10) - Duration::from_micros(1));
        last = at;
        n += 1;
    }
    assert_eq!(n, 20);
    assert_eq!(last - start, Duration::from_millis(200));
}

#[test]
fn nat_rewrites_source_out_and_destination_in() {
    let start = Instant::now();
    let mut net = Network::new(1);
    let public: SocketAddr = "203.0.113.7:40000".parse().unwrap();
    net.add_nat(a(), public);
    net.send(start, Datagram::new(a(), b(), b"out".to_vec()));
    let d = net.poll_recv(start).unwrap();
    assert_eq!(d.from, public);
    net.send(start, Datagram::new(b(), public, b"in".to_vec()));
    let d = net.poll_recv(start).unwrap();
    assert_eq!(d.to, a());
}

#[test]
fn per_direction_links_override_the_default() {
    let start = Instant::now();
    let mut net = Network::new(1);
    net.set_link(a().ip(), b().ip(), LinkConfig::cut());
    net.send(start, Datagram::new(a(), b(), vec![1]));
    net.send(start, Datagram::new(b(), a(), vec![2]));
    assert_eq!(net.poll_recv(start).unwrap().payload, vec![2]);
    assert!(net.poll_recv(start).is_none());
}
