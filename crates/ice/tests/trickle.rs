//! Trickle ICE (RFC 8838): candidates arriving late, after checks started, and end-of-candidates.

mod common;

use std::time::Duration;

use common::*;
use rtcio_ice::{Candidate, CandidateKind, IceConnectionState, PairState};
use rtcio_netsim::{LinkConfig, Network};

#[test]
fn late_candidates_form_pairs_and_connect() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    // Credentials first, no candidates: the agents wait in `new`.
    let (ca, cb) = (
        a.agent.local_credentials().clone(),
        b.agent.local_credentials().clone(),
    );
    a.agent.set_remote_credentials(t0, &cb.ufrag, &cb.pwd);
    b.agent.set_remote_credentials(t0, &ca.ufrag, &ca.pwd);
    let mut net = Network::new(31);
    net.set_default_link(LinkConfig::with_latency(Duration::from_millis(10)));
    let mut sim = sim(net);
    sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(300))
        .unwrap();
    assert_eq!(a.agent.state(), IceConnectionState::New);
    assert_eq!(a.agent.pairs().count(), 0);

    // a gathers and trickles; b has no local candidate yet, so only a pairs and checks.
    a.add_hosts(sim.now());
    trickle(sim.now(), &a, &mut b);
    assert_eq!(b.agent.pairs().count(), 0);
    sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(500))
        .unwrap();
    assert!(!a.log().connected());

    // b gathers late; its candidate arrives at a while a's checks are running.
    b.add_hosts(sim.now());
    trickle(sim.now(), &b, &mut a);
    let t1 = sim.now();
    let at = run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    assert!(
        at - t1 < Duration::from_millis(500),
        "connected {:?} after the trickle",
        at - t1
    );
}

#[test]
fn failed_only_after_end_of_candidates() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut net = Network::new(32);
    net.set_default_link(LinkConfig::cut());
    let mut sim = sim(net);
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(30))
        .unwrap();
    // Every pair failed, but more candidates may still come.
    assert!(a.agent.pairs().all(|p| p.state == PairState::Failed));
    assert_eq!(a.agent.state(), IceConnectionState::Checking);
    end_of_candidates(sim.now(), &mut a, &mut b);
    assert_eq!(a.agent.state(), IceConnectionState::Failed);
    assert_eq!(b.agent.state(), IceConnectionState::Failed);

    // A candidate trickled after end-of-candidates would be a new generation's; a working path
    // found later does not resurrect the generation here, but a restart does (see restart.rs).
}

#[test]
fn a_pair_added_after_checks_started_is_checked() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    let cb = b.agent.local_credentials().clone();
    a.agent.set_remote_credentials(t0, &cb.ufrag, &cb.pwd);
    // a only knows an unreachable candidate of b at first.
    let dead = Candidate::remote(
        CandidateKind::Host,
        "10.9.9.9:9".parse().unwrap(),
        2_000_000_000,
        "9",
    );
    assert!(a.agent.add_remote_candidate(t0, dead));
    let ca = a.agent.local_credentials().clone();
    b.agent.set_remote_credentials(t0, &ca.ufrag, &ca.pwd);
    let mut sim = sim(Network::new(33));
    sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(200))
        .unwrap();
    assert_eq!(a.agent.pairs().next().unwrap().state, PairState::InProgress);
    trickle(sim.now(), &b, &mut a);
    trickle(sim.now(), &a, &mut b);
    assert_eq!(a.agent.pairs().count(), 2);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    assert_eq!(
        a.agent.selected_pair().unwrap().to().to_string(),
        "10.0.0.2:6000"
    );
}
