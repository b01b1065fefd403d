//! Address rewriting by a NAT: peer-reflexive candidates on both sides (RFC 8445 §7.2.5.3.1,
//! §7.3.1.3).

mod common;

use std::time::Duration;

use common::*;
use rtcio_ice::{CandidateKind, IceEvent, IceRole};
use rtcio_netsim::{LinkConfig, Network};

#[test]
fn nat_rewriting_yields_peer_reflexive_candidates_and_connects() {
    // `b` sits behind a NAT and signals only its private host address, which `a` cannot reach.
    let mut a = Node::new(
        config(IceRole::Controlling, "aaaa", 9),
        1,
        &["198.51.100.1:5000"],
    );
    let mut b = Node::new(
        config(IceRole::Controlled, "bbbb", 3),
        2,
        &["192.168.1.2:6000"],
    );
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut net = Network::new(11);
    net.set_default_link(LinkConfig::with_latency(Duration::from_millis(15)));
    let public = "203.0.113.7:40000".parse().unwrap();
    net.add_nat("192.168.1.2:6000".parse().unwrap(), public);
    // The private address is not routable from outside.
    let (pa, pb) = (
        "198.51.100.1".parse().unwrap(),
        "192.168.1.2".parse().unwrap(),
    );
    net.set_link(pa, pb, LinkConfig::cut());
    let mut sim = sim(net);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(10));

    // `a` learned b's NAT address from b's request.
    let prflx = a
        .log()
        .events
        .iter()
        .find_map(|e| match e {
            IceEvent::RemotePeerReflexive(c) => Some(c.clone()),
            _ => None,
        })
        .expect("remote prflx discovered");
    assert_eq!(prflx.addr, public);
    assert_eq!(prflx.kind, CandidateKind::PeerReflexive);
    assert_eq!(
        prflx.priority >> 24,
        110,
        "priority from the PRIORITY attribute"
    );
    // `b` learned its own NAT address from a's XOR-MAPPED-ADDRESS.
    assert!(b.log().events.iter().any(
        |e| matches!(e, IceEvent::LocalPeerReflexive(c) if c.addr == public && c.base.to_string() == "192.168.1.2:6000")
    ));
    assert_eq!(a.agent.selected_pair().unwrap().to(), public);
    assert_eq!(
        b.agent.selected_pair().unwrap().from_base().to_string(),
        "192.168.1.2:6000"
    );

    // Data flows through the NAT on the selected pair.
    a.start_data(sim.now(), Duration::from_millis(20));
    b.start_data(sim.now(), Duration::from_millis(20));
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(1))
        .unwrap();
    assert!(a.log().data_received >= 40 && b.log().data_received >= 40);
}

#[test]
fn signaled_candidate_replaces_a_peer_reflexive_one() {
    let mut a = Node::new(
        config(IceRole::Controlling, "aaaa", 9),
        1,
        &["198.51.100.1:5000"],
    );
    let mut b = Node::new(
        config(IceRole::Controlled, "bbbb", 3),
        2,
        &["192.168.1.2:6000"],
    );
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut net = Network::new(12);
    let public = "203.0.113.7:40000".parse().unwrap();
    net.add_nat("192.168.1.2:6000".parse().unwrap(), public);
    let mut sim = sim(net);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(10));
    let n = a.agent.remote_candidates().len();
    // Later, b's srflx candidate for the same address is trickled.
    let srflx =
        rtcio_ice::Candidate::remote(CandidateKind::ServerReflexive, public, 1_694_498_815, "77");
    assert!(!a.agent.add_remote_candidate(sim.now(), srflx));
    assert_eq!(a.agent.remote_candidates().len(), n, "merged, not added");
    let c = a
        .agent
        .remote_candidates()
        .iter()
        .find(|c| c.addr == public)
        .unwrap();
    assert_eq!(
        (c.kind, c.foundation.as_str(), c.priority),
        (CandidateKind::ServerReflexive, "77", 1_694_498_815)
    );
}
