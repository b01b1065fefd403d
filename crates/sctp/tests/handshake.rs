//! Four-way handshake: one side initiating, both initiating (INIT collision), under loss, and
//! giving up when the peer never answers.

mod common;

use std::time::Duration;

use common::Pair;
use rtcio_netsim::LinkConfig;
use rtcio_sctp::{CloseReason, Config, Event, State};

#[test]
fn client_initiated_handshake_connects_both_sides() {
    let mut p = Pair::clean(1);
    p.connect(false);
    assert_eq!(p.a.state(), State::Established);
    assert_eq!(p.b.state(), State::Established);
    assert_eq!(p.a_events.first(), Some(&Event::Connected));
    assert_eq!(p.b_events.first(), Some(&Event::Connected));
    assert_eq!(p.a.outbound_streams(), 65535);
    assert!(p.a.peer_supports_pr() && p.b.peer_supports_pr());
    // 4 packets: INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK.
    assert_eq!(p.a.stats().packets_sent + p.b.stats().packets_sent, 4);
}

#[test]
fn simultaneous_init_collision_connects_exactly_once() {
    let mut p = Pair::clean(2);
    p.connect(true);
    p.run_until(Duration::from_secs(5), |_| false);
    let count = |ev: &[Event]| ev.iter().filter(|e| **e == Event::Connected).count();
    assert_eq!(count(&p.a_events), 1);
    assert_eq!(count(&p.b_events), 1);
    assert!(p.a.is_established() && p.b.is_established());
    // Data flows after a collision.
    p.a.send(
        p.now,
        1,
        53,
        bytes::Bytes::from_static(b"x"),
        Default::default(),
    )
    .unwrap();
    assert!(
        p.run_until(Duration::from_secs(5), |p| common::count(&p.b_events, 1)
            == 1)
    );
}

#[test]
fn handshake_survives_heavy_loss() {
    for seed in 0..10 {
        let mut p = Pair::new(
            seed,
            LinkConfig::lossy(),
            Config::default(),
            Config::default(),
        );
        p.a.connect(p.now);
        p.b.connect(p.now);
        assert!(
            p.run_until(Duration::from_secs(120), |p| p.a.is_established()
                && p.b.is_established()),
            "seed {seed}"
        );
    }
}

#[test]
fn handshake_gives_up_when_the_peer_is_silent() {
    let mut p = Pair::new(3, LinkConfig::cut(), Config::default(), Config::default());
    p.a.connect(p.now);
    p.run_until(Duration::from_secs(3600), |p| p.a.is_closed());
    assert_eq!(
        p.a_events.last(),
        Some(&Event::Closed {
            reason: CloseReason::HandshakeTimeout
        })
    );
}
