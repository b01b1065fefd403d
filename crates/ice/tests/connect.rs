//! Establishing a connection over the simulated network: timing, loss, nomination modes, lite.

mod common;

use std::time::Duration;

use common::*;
use rtcio_ice::{IceConnectionState, IceRole, Nomination, PairState};
use rtcio_netsim::{LinkConfig, Network};

#[test]
fn basic_connect_is_fast_and_both_sides_agree_on_the_pair() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut net = Network::new(1);
    net.set_default_link(LinkConfig::with_latency(Duration::from_millis(20)));
    let mut sim = sim(net);
    let at = run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    let elapsed = at - t0;
    println!("connected after {elapsed:?} of virtual time (20 ms one-way latency)");
    // One check round trip plus the nomination round trip: ~80 ms of virtual time.
    assert!(
        elapsed <= Duration::from_millis(200),
        "connected after {elapsed:?}"
    );
    let sa = a.agent.selected_pair().unwrap().clone();
    let sb = b.agent.selected_pair().unwrap().clone();
    assert_eq!(sa.from_base(), sb.to());
    assert_eq!(sb.from_base(), sa.to());
    assert!(a.agent.pair_stats(sa.id).unwrap().nominated);
    assert!(b.agent.pair_stats(sb.id).unwrap().nominated);
    assert_eq!(a.log().first(IceConnectionState::Checking), Some(t0));
}

#[test]
fn completes_after_end_of_candidates_and_reports_pair_stats() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    end_of_candidates(t0, &mut a, &mut b);
    let mut net = Network::new(2);
    net.set_default_link(LinkConfig::with_latency(Duration::from_millis(10)));
    let mut sim = sim(net);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    a.start_data(sim.now(), Duration::from_millis(20));
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(1))
        .unwrap();
    assert!(a.log().is(IceConnectionState::Completed));
    assert!(b.log().is(IceConnectionState::Completed));

    let id = a.agent.selected_pair().unwrap().id;
    let st = a.agent.pair_stats(id).unwrap();
    assert_eq!((st.state, st.nominated), (PairState::Succeeded, true));
    assert!(st.requests_sent >= 2, "check + nomination: {st:?}");
    assert!(st.responses_received >= 2);
    assert!(
        st.packets_sent >= 49 && st.bytes_sent == st.packets_sent * 8,
        "{st:?}"
    );
    let rtt = st.current_round_trip_time.unwrap();
    assert_eq!(rtt, Duration::from_millis(20));
    assert!(st.total_round_trip_time >= rtt);

    let bid = b.agent.selected_pair().unwrap().id;
    let sb = b.agent.pair_stats(bid).unwrap();
    assert_eq!(sb.packets_received, b.log().data_received);
    assert!(sb.requests_received >= 2 && sb.responses_sent >= 2);
}

#[test]
fn connects_over_a_lossy_reordering_duplicating_link() {
    for seed in 0..8 {
        let (mut a, mut b) = pair_of_nodes();
        let t0 = start();
        a.add_hosts(t0);
        b.add_hosts(t0);
        signal(t0, &mut a, &mut b);
        let mut net = Network::new(seed);
        net.set_default_link(LinkConfig::lossy());
        let mut sim = sim(net);
        let at = run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(20));
        println!("seed {seed}: connected after {:?} over 20% loss", at - t0);
        assert!(sim.net.stats().lost > 0 || at - t0 < Duration::from_millis(200));
        // Stays up while consent runs over the same lossy link.
        sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(40))
            .unwrap();
        // Consent may flap to disconnected on a burst of losses, but never expires.
        assert!(a.agent.selected_pair().is_some() && b.agent.selected_pair().is_some());
        assert!(!a.log().saw(IceConnectionState::Failed), "seed {seed}");
        assert!(!b.log().saw(IceConnectionState::Failed), "seed {seed}");
    }
}

#[test]
fn multihomed_hosts_select_the_highest_priority_pair() {
    let mut a = Node::new(
        config(IceRole::Controlling, "aaaa", 9),
        1,
        &["10.0.0.1:5000", "10.1.0.1:5000"],
    );
    let mut b = Node::new(
        config(IceRole::Controlled, "bbbb", 3),
        2,
        &["10.0.0.2:6000", "10.1.0.2:6000"],
    );
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    assert_eq!(a.agent.pairs().count(), 4);
    let mut sim = sim(Network::new(3));
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    let best = a.agent.pairs().max_by_key(|p| p.priority).unwrap().id;
    assert_eq!(a.agent.selected_pair().unwrap().id, best);
    let sel = a.agent.selected_pair().unwrap();
    assert_eq!(sel.from_base().to_string(), "10.0.0.1:5000");
    assert_eq!(sel.to().to_string(), "10.0.0.2:6000");
}

#[test]
fn regular_nomination_waits_for_a_better_pair_in_progress() {
    // The best pair's path is slow; a worse pair succeeds first. The controlling agent waits for
    // the better one (within the nomination delay) instead of nominating the first success.
    let mut a = Node::new(
        config(IceRole::Controlling, "aaaa", 9),
        1,
        &["10.0.0.1:5000", "10.1.0.1:5000"],
    );
    let mut b = Node::new(
        config(IceRole::Controlled, "bbbb", 3),
        2,
        &["10.0.0.2:6000", "10.1.0.2:6000"],
    );
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut net = Network::new(4);
    let slow = LinkConfig::with_latency(Duration::from_millis(150));
    net.set_link_both(
        "10.0.0.1".parse().unwrap(),
        "10.0.0.2".parse().unwrap(),
        slow,
    );
    let mut sim = sim(net);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    let sel = a.agent.selected_pair().unwrap();
    assert_eq!(sel.from_base().to_string(), "10.0.0.1:5000");
    assert_eq!(a.log().selected.len(), 1, "one nomination only");
}

#[test]
fn controlled_side_follows_an_aggressive_controlling_peer() {
    let mut ca = config(IceRole::Controlling, "aaaa", 9);
    ca.nomination = Nomination::Aggressive;
    let mut a = Node::new(ca, 1, &["10.0.0.1:5000", "10.1.0.1:5000"]);
    let mut b = Node::new(
        config(IceRole::Controlled, "bbbb", 3),
        2,
        &["10.0.0.2:6000", "10.1.0.2:6000"],
    );
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut net = Network::new(5);
    net.set_default_link(LinkConfig::with_latency(Duration::from_millis(5)));
    let mut sim = sim(net);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(2))
        .unwrap();
    // Both end on the best pair; the controlled side may have moved up as better pairs succeeded.
    let sa = a.agent.selected_pair().unwrap();
    let sb = b.agent.selected_pair().unwrap();
    assert_eq!(sa.from_base().to_string(), "10.0.0.1:5000");
    assert_eq!((sb.from_base(), sb.to()), (sa.to(), sa.from_base()));
    let nominated = b.agent.pairs().filter(|p| p.stats.nominated).count();
    assert!(nominated >= 1);
}

#[test]
fn full_agent_is_controlling_against_an_ice_lite_peer() {
    // Both configured controlled; `a` learns its peer is lite and takes the controlling role.
    let mut a = Node::new(
        config(IceRole::Controlled, "aaaa", 1),
        1,
        &["10.0.0.1:5000"],
    );
    let mut b = Node::new(
        config(IceRole::Controlled, "bbbb", 2),
        2,
        &["10.0.0.2:6000"],
    );
    let t0 = start();
    a.agent.set_remote_ice_lite(t0, true);
    assert_eq!(a.agent.role(), IceRole::Controlling);
    a.add_hosts(t0);
    b.add_hosts(t0);
    // A lite peer learns no candidates from us: only `a` gets candidates.
    let (ca, cb) = (
        a.agent.local_credentials().clone(),
        b.agent.local_credentials().clone(),
    );
    a.agent.set_remote_credentials(t0, &cb.ufrag, &cb.pwd);
    b.agent.set_remote_credentials(t0, &ca.ufrag, &ca.pwd);
    trickle(t0, &b, &mut a);
    let mut sim = sim(Network::new(6));
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    assert_eq!(a.agent.role(), IceRole::Controlling);
    assert_eq!(b.agent.role(), IceRole::Controlled);
    assert!(a.agent.pairs().all(|p| p.state == PairState::Succeeded));
}

#[test]
fn close_stops_everything() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut sim = sim(Network::new(7));
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    a.agent.close(sim.now());
    a.drain(sim.now());
    assert!(a.log().is(IceConnectionState::Closed));
    assert!(a.agent.poll_timeout().is_none());
    assert!(a.agent.poll_transmit().is_none());
    let sent = sim.net.stats().sent;
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(40))
        .unwrap();
    // Only b's consent requests went out; a answered none, so b's consent expired.
    assert!(b.log().is(IceConnectionState::Failed));
    assert!(sim.net.stats().sent - sent < 100);
    assert_eq!(a.log().states.last().unwrap().1, IceConnectionState::Closed);
    // Candidates and credentials are refused after close.
    assert!(!a.agent.add_local_candidate(
        sim.now(),
        rtcio_ice::Candidate::host("10.0.0.1:7000".parse().unwrap(), 1)
    ));
}

#[test]
fn extreme_config_values_are_clamped_not_panicking() {
    let extreme = |role, ufrag: &str, tb, big: bool| {
        let d = if big { Duration::MAX } else { Duration::ZERO };
        rtcio_ice::AgentConfig {
            ta: d,
            initial_rto: d,
            max_rto: d,
            nomination_delay: d,
            consent_interval: d,
            disconnected_timeout: d,
            consent_timeout: d,
            max_transmits: if big { u32::MAX } else { 0 },
            max_pairs: if big { usize::MAX } else { 0 },
            max_remote_candidates: if big { usize::MAX } else { 0 },
            max_local_candidates: if big { usize::MAX } else { 0 },
            ..config(role, ufrag, tb)
        }
    };
    for big in [false, true] {
        let mut a = Node::new(
            extreme(IceRole::Controlling, "aaaa", 2, big),
            1,
            &["10.0.0.1:5000"],
        );
        let mut b = Node::new(
            extreme(IceRole::Controlled, "bbbb", 1, big),
            2,
            &["10.0.0.2:6000"],
        );
        let t0 = start();
        a.add_hosts(t0);
        b.add_hosts(t0);
        signal(t0, &mut a, &mut b);
        let mut sim = sim(Network::new(8));
        run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
        sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(3))
            .unwrap();
    }
}

#[test]
fn connects_over_ipv6() {
    let mut a = Node::new(
        config(IceRole::Controlling, "aaaa", 2),
        1,
        &["[2001:db8::1]:5000"],
    );
    let mut b = Node::new(
        config(IceRole::Controlled, "bbbb", 1),
        2,
        &["[2001:db8::2]:6000"],
    );
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut net = Network::new(9);
    net.set_default_link(LinkConfig::lossy());
    let mut sim = sim(net);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(10));
    assert!(a.agent.selected_pair().unwrap().to().is_ipv6());
}
