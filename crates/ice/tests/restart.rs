//! ICE restart (RFC 8445 §9): a new generation while data keeps flowing on the old pair.

mod common;

use std::time::Duration;

use common::*;
use rtcio_ice::{Candidate, IceConnectionState, IceEvent};
use rtcio_netsim::{LinkConfig, Network};

fn restart_both(now: std::time::Instant, a: &mut Node, b: &mut Node, generation: u32) {
    a.agent.restart(
        now,
        &format!("aaa{generation}"),
        &format!("aRestartedPassword{generation:04}xyz"),
    );
    b.agent.restart(
        now,
        &format!("bbb{generation}"),
        &format!("bRestartedPassword{generation:04}xyz"),
    );
    a.drain(now);
    b.drain(now);
}

#[test]
fn data_stays_on_the_old_pair_until_the_new_one_is_selected() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut net = Network::new(51);
    net.set_default_link(LinkConfig::with_latency(Duration::from_millis(25)));
    let mut sim = sim(net);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    let old = a.agent.selected_pair().unwrap().clone();
    a.start_data(sim.now(), Duration::from_millis(10));
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(2))
        .unwrap();

    // `a` moves to a new interface and restarts; signaling takes 300 ms.
    let restart_at = sim.now();
    let new_addr = "10.2.0.1:5000".parse().unwrap();
    a.addrs.push(new_addr);
    restart_both(restart_at, &mut a, &mut b, 2);
    assert!(
        a.agent
            .add_local_candidate(restart_at, Candidate::host(new_addr, 65535))
    );
    assert_eq!(
        a.agent.selected_pair(),
        Some(&old),
        "old pair still carries data"
    );
    sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(300))
        .unwrap();
    let old_path = (old.to(), old.from_base());
    let on_old_before_signal = b.log().data_by_path[&old_path];
    signal(sim.now(), &mut a, &mut b);
    let (la, lb) = (a.log.clone(), b.log.clone());
    let switched = sim
        .run_until(&mut [&mut a, &mut b], Duration::from_secs(5), |_| {
            la.borrow().selected.len() == 2 && lb.borrow().selected.len() == 2
        })
        .expect("new pair selected");
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(1))
        .unwrap();

    let new = a.agent.selected_pair().unwrap().clone();
    assert_ne!(new.id, old.id);
    assert_eq!(new.from_base(), new_addr);
    let log = b.log();
    // Data kept arriving on the old path during the restart, then moved to the new one.
    assert!(log.data_by_path[&old_path] > on_old_before_signal);
    assert!(log.data_by_path[&(new.to(), new_addr)] >= 90);
    // Nothing was lost on the perfect link: every packet but those in flight arrived.
    assert!(
        a.log().data_sent - log.data_received <= 3,
        "{} sent, {} received",
        a.log().data_sent,
        log.data_received
    );
    assert!(switched - restart_at < Duration::from_secs(1));
    // The state never dropped out of connected during the restart.
    assert!(a.log().states.iter().all(|(t, s)| *t < restart_at
        || matches!(
            s,
            IceConnectionState::Connected | IceConnectionState::Completed
        )));
    assert!(
        a.log()
            .events
            .iter()
            .filter(|e| matches!(e, IceEvent::SelectedPairChange(_)))
            .count()
            == 2
    );
}

#[test]
fn peer_keeps_consent_with_old_credentials_until_it_learns_the_new_ones() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut sim = sim(Network::new(52));
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    // Only `a` restarts; its offer never reaches `b` for 20 s. b's consent checks still use
    // a's old credentials and are answered on the old pair.
    a.agent
        .restart(sim.now(), "aaa2", "aRestartedPassword0002xyz");
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(20))
        .unwrap();
    assert!(b.log().connected(), "{:?}", b.log().states);
    assert!(!b.log().saw(IceConnectionState::Disconnected));
    assert_eq!(a.agent.stats().unauthorized_requests, 0);
}

#[test]
fn restart_recovers_a_failed_connection() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut sim = sim(Network::new(53));
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    sim.net.set_default_link(LinkConfig::cut());
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(40))
        .unwrap();
    assert!(a.log().is(IceConnectionState::Failed));
    sim.net.set_default_link(LinkConfig::default());
    restart_both(sim.now(), &mut a, &mut b, 3);
    signal(sim.now(), &mut a, &mut b);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    assert!(a.agent.selected_pair().is_some());
}

#[test]
fn a_failed_new_generation_fails_the_transport_after_end_of_candidates() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    end_of_candidates(t0, &mut a, &mut b);
    let mut sim = sim(Network::new(54));
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    // The path dies and the application restarts; the new checks cannot succeed either.
    sim.net.set_default_link(LinkConfig::cut());
    restart_both(sim.now(), &mut a, &mut b, 4);
    signal(sim.now(), &mut a, &mut b);
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(20))
        .unwrap();
    // Without the peer's end-of-candidates more candidates may come: the old pair is kept.
    assert!(a.agent.selected_pair().is_some());
    assert!(!a.log().is(IceConnectionState::Failed));
    for n in [&mut a, &mut b] {
        n.agent.end_of_remote_candidates(sim.now());
        n.drain(sim.now());
    }
    // Local end-of-candidates carried over the restart.
    assert!(a.log().is(IceConnectionState::Failed));
    assert!(
        a.agent.selected_pair().is_none(),
        "a failed transport sends nothing"
    );
}
