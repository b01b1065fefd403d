//! Consent freshness (RFC 7675): liveness of the selected pair, disconnected and failed.

mod common;

use std::time::Duration;

use common::*;
use rtcio_ice::IceConnectionState;
use rtcio_netsim::{LinkConfig, Network};

fn connected(seed: u64, link: LinkConfig) -> (rtcio_netsim::Sim, Node, Node) {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    end_of_candidates(t0, &mut a, &mut b);
    let mut net = Network::new(seed);
    net.set_default_link(link);
    let mut sim = sim(net);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(10));
    (sim, a, b)
}

#[test]
fn consent_requests_keep_a_healthy_pair_alive() {
    let (mut sim, mut a, mut b) =
        connected(41, LinkConfig::with_latency(Duration::from_millis(30)));
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(120))
        .unwrap();
    assert!(a.log().is(IceConnectionState::Completed));
    assert!(!a.log().saw(IceConnectionState::Disconnected));
    let id = a.agent.selected_pair().unwrap().id;
    let st = a.agent.pair_stats(id).unwrap();
    // One request every 4–6 s (RFC 7675 §5.1) over 120 s.
    assert!((20..=30).contains(&st.consent_requests_sent), "{st:?}");
}

#[test]
fn cut_link_goes_disconnected_within_seconds_then_failed_after_consent_timeout() {
    let (mut sim, mut a, mut b) =
        connected(42, LinkConfig::with_latency(Duration::from_millis(20)));
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(3))
        .unwrap();
    let cut_at = sim.now();
    sim.net.set_default_link(LinkConfig::cut());
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(40))
        .unwrap();

    let disc = a
        .log()
        .first(IceConnectionState::Disconnected)
        .expect("disconnected");
    let failed = a
        .log()
        .first(IceConnectionState::Failed)
        .unwrap_or_else(|| {
            panic!(
                "{:?}",
                a.log()
                    .states
                    .iter()
                    .map(|(t, s)| (*t - cut_at, *s))
                    .collect::<Vec<_>>()
            )
        });
    // From disconnected to failed the state never claims the dead peer is back.
    let flaps: Vec<IceConnectionState> = a
        .log()
        .states
        .iter()
        .filter(|(t, _)| *t > disc && *t < failed)
        .map(|(_, s)| *s)
        .collect();
    assert!(
        flaps.is_empty(),
        "state changes while the peer was gone: {flaps:?}"
    );
    let after = disc - cut_at;
    println!(
        "disconnected {after:?} and failed {:?} after the cut",
        failed - cut_at
    );
    assert!(
        after <= Duration::from_secs(8),
        "disconnected {after:?} after the cut"
    );
    // Consent lasts 30 s from the last response, which came before the cut.
    let expiry = failed - cut_at;
    assert!(
        expiry >= Duration::from_secs(25) && expiry <= Duration::from_secs(30),
        "failed {expiry:?} after the cut"
    );
    assert!(
        a.agent.selected_pair().is_none(),
        "no sending after consent expired"
    );
    assert!(b.log().saw(IceConnectionState::Failed));
    // Nothing more is scheduled for the dead pair.
    let sent_before = sim.net.stats().sent;
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(60))
        .unwrap();
    assert!(sim.net.stats().sent - sent_before < 10);
}

#[test]
fn link_restored_before_expiry_recovers_to_connected() {
    let (mut sim, mut a, mut b) =
        connected(43, LinkConfig::with_latency(Duration::from_millis(20)));
    sim.net.set_default_link(LinkConfig::cut());
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(12))
        .unwrap();
    assert!(a.log().is(IceConnectionState::Disconnected));
    sim.net
        .set_default_link(LinkConfig::with_latency(Duration::from_millis(20)));
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(10))
        .unwrap();
    assert!(a.log().connected(), "{:?}", a.log().state);
    assert!(!a.log().saw(IceConnectionState::Failed));
}
