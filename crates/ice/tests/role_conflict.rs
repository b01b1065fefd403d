//! Role conflicts (RFC 8445 §7.3.1.1, §7.2.5.1): repaired by the tie-breakers.

mod common;

use std::time::Duration;

use common::*;
use rtcio_ice::{IceEvent, IceRole};
use rtcio_netsim::{LinkConfig, Network};

fn conflict(role: IceRole, tb_a: u64, tb_b: u64, seed: u64) -> (Node, Node) {
    let mut a = Node::new(config(role, "aaaa", tb_a), 1, &["10.0.0.1:5000"]);
    let mut b = Node::new(config(role, "bbbb", tb_b), 2, &["10.0.0.2:6000"]);
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut net = Network::new(seed);
    net.set_default_link(LinkConfig::with_latency(Duration::from_millis(10)));
    let mut sim = sim(net);
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(10));
    (a, b)
}

#[test]
fn both_controlling_resolves_to_the_larger_tie_breaker() {
    let (a, b) = conflict(IceRole::Controlling, 100, 200, 21);
    assert_eq!(a.agent.role(), IceRole::Controlled);
    assert_eq!(b.agent.role(), IceRole::Controlling);
    assert!(
        a.log()
            .events
            .contains(&IceEvent::RoleChange(IceRole::Controlled))
    );
    assert!(a.agent.stats().role_conflicts + b.agent.stats().role_conflicts >= 1);
    assert_eq!(
        a.agent.selected_pair().unwrap().to(),
        b.agent.selected_pair().unwrap().from_base()
    );
}

#[test]
fn both_controlled_resolves_to_the_larger_tie_breaker() {
    let (a, b) = conflict(IceRole::Controlled, 500, 7, 22);
    assert_eq!(a.agent.role(), IceRole::Controlling);
    assert_eq!(b.agent.role(), IceRole::Controlled);
    assert!(
        a.log()
            .events
            .contains(&IceEvent::RoleChange(IceRole::Controlling))
    );
}

#[test]
fn conflict_resolves_under_loss() {
    for seed in 0..6 {
        let mut a = Node::new(
            config(IceRole::Controlling, "aaaa", 1 + seed),
            1,
            &["10.0.0.1:5000"],
        );
        let mut b = Node::new(
            config(IceRole::Controlling, "bbbb", 100 - seed),
            2,
            &["10.0.0.2:6000"],
        );
        let t0 = start();
        a.add_hosts(t0);
        b.add_hosts(t0);
        signal(t0, &mut a, &mut b);
        let mut net = Network::new(seed);
        net.set_default_link(LinkConfig::lossy());
        let mut sim = sim(net);
        run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(20));
        assert_ne!(a.agent.role(), b.agent.role(), "seed {seed}");
        assert_eq!(b.agent.role(), IceRole::Controlling);
    }
}
