//! Checklist formation (RFC 8445 §6.1.2): pairing rules, pruning, freezing, ordering, bounds.

mod common;

use std::net::SocketAddr;
use std::time::Instant;

use common::*;
use rtcio_ice::{
    Agent, AgentConfig, Candidate, CandidateKind, IceRole, PairState, Receive, pair_priority,
};
use rtcio_stun::{Attribute, Class, MessageBuilder, Method, TransactionId, integrity};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn agent_with(config: AgentConfig) -> (Agent, Instant) {
    let now = start();
    let agent = Agent::new(config, Box::new(rtcio_ice::DeterministicRandom::new(5)));
    // No remote credentials yet: pairs form but no check is sent.
    (agent, now)
}

fn remote(a: &str, prio: u32, foundation: &str) -> Candidate {
    Candidate::remote(CandidateKind::Host, addr(a), prio, foundation)
}

#[test]
fn pairs_only_form_within_an_address_family() {
    let (mut agent, now) = agent_with(config(IceRole::Controlling, "aaaa", 1));
    agent.add_local_candidate(now, Candidate::host(addr("10.0.0.1:5000"), 65535));
    agent.add_local_candidate(now, Candidate::host(addr("[2001:db8::1]:5000"), 65534));
    agent.add_remote_candidate(now, remote("10.0.0.2:6000", 2_130_706_431, "a"));
    agent.add_remote_candidate(now, remote("[2001:db8::2]:6000", 2_130_706_430, "b"));
    agent.add_remote_candidate(now, remote("10.0.0.3:6000", 2_130_706_429, "c"));
    assert_eq!(agent.pairs().count(), 3);
    assert!(
        agent
            .pairs()
            .all(|p| p.local.addr.is_ipv4() == p.remote.addr.is_ipv4())
    );
}

#[test]
fn server_reflexive_candidates_are_replaced_by_their_base() {
    let (mut agent, now) = agent_with(config(IceRole::Controlling, "aaaa", 1));
    let base = addr("10.0.0.1:5000");
    agent.add_local_candidate(now, Candidate::host(base, 65535));
    let srflx = Candidate::server_reflexive(
        addr("203.0.113.1:40000"),
        base,
        addr("198.51.100.9:3478"),
        65535,
    );
    agent.add_local_candidate(now, srflx);
    agent.add_remote_candidate(now, remote("10.0.0.2:6000", 2_130_706_431, "a"));
    // One pair only: the srflx pair would send from the same base to the same address.
    let pairs: Vec<_> = agent.pairs().collect();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].local.kind, CandidateKind::Host);
}

#[test]
fn relayed_candidates_pair_and_send_from_the_relayed_address() {
    let (mut agent, now) = agent_with(config(IceRole::Controlling, "aaaa", 1));
    let relay = Candidate::relayed(
        addr("198.51.100.9:50000"),
        addr("203.0.113.1:40000"),
        addr("198.51.100.9:3478"),
        65535,
    );
    agent.add_local_candidate(now, relay);
    agent.set_remote_credentials(now, "bbbb", "bbbbPassword0123456789xyz");
    agent.add_remote_candidate(now, remote("10.0.0.2:6000", 2_130_706_431, "a"));
    let t = agent.poll_transmit().expect("check");
    assert_eq!(t.from_base, addr("198.51.100.9:50000"));
    assert_eq!(t.to, addr("10.0.0.2:6000"));
}

#[test]
fn pair_priorities_depend_on_the_role() {
    let (mut agent, now) = agent_with(config(IceRole::Controlled, "bbbb", 1));
    let local = Candidate::host(addr("10.0.0.1:5000"), 65535);
    let lp = local.priority;
    agent.add_local_candidate(now, local);
    agent.add_remote_candidate(now, remote("10.0.0.2:6000", 1_000, "a"));
    let p = agent.pairs().next().unwrap();
    // Controlled: G is the remote (controlling) priority.
    assert_eq!(p.priority, pair_priority(1_000, lp));
}

#[test]
fn one_pair_per_foundation_starts_waiting_the_others_frozen() {
    let (mut agent, now) = agent_with(config(IceRole::Controlling, "aaaa", 1));
    // Two sockets on one IP share a foundation.
    agent.add_local_candidate(now, Candidate::host(addr("10.0.0.1:5000"), 65535));
    agent.add_local_candidate(now, Candidate::host(addr("10.0.0.1:5001"), 65000));
    agent.add_remote_candidate(now, remote("10.0.0.2:6000", 2_130_706_431, "x"));
    agent.add_remote_candidate(now, remote("10.0.0.3:6000", 2_130_706_000, "y"));
    let mut waiting: Vec<_> = agent
        .pairs()
        .filter(|p| p.state == PairState::Waiting)
        .collect();
    let frozen = agent
        .pairs()
        .filter(|p| p.state == PairState::Frozen)
        .count();
    assert_eq!(
        (waiting.len(), frozen),
        (2, 2),
        "one waiting per foundation (x, y)"
    );
    waiting.sort_by_key(|p| p.local.addr);
    assert!(
        waiting
            .iter()
            .all(|p| p.local.addr == addr("10.0.0.1:5000")),
        "the best of each foundation"
    );
}

#[test]
fn checks_go_out_in_priority_order_paced_by_ta() {
    let (mut agent, now) = agent_with(config(IceRole::Controlling, "aaaa", 1));
    agent.add_local_candidate(now, Candidate::host(addr("10.0.0.1:5000"), 65535));
    for i in 0..4u32 {
        agent.add_remote_candidate(
            now,
            remote(
                &format!("10.0.0.{}:6000", 10 + i),
                1_000_000 + i,
                &format!("f{i}"),
            ),
        );
    }
    agent.set_remote_credentials(now, "bbbb", "bbbbPassword0123456789xyz");
    let mut order = vec![agent.poll_transmit().unwrap().to];
    assert!(agent.poll_transmit().is_none(), "one check per Ta");
    let mut t = now;
    for _ in 0..3 {
        let next = agent.poll_timeout().unwrap();
        assert_eq!(next - t, std::time::Duration::from_millis(50));
        t = next;
        agent.handle_timeout(t);
        order.push(agent.poll_transmit().unwrap().to);
    }
    let expected: Vec<SocketAddr> = (0..4)
        .rev()
        .map(|i| addr(&format!("10.0.0.{}:6000", 10 + i)))
        .collect();
    assert_eq!(order, expected);
}

#[test]
fn pairs_are_bounded_keeping_the_best() {
    let cfg = AgentConfig {
        max_pairs: 100,
        max_remote_candidates: 50,
        ..config(IceRole::Controlling, "aaaa", 1)
    };
    let (mut agent, now) = agent_with(cfg);
    for i in 0..4u16 {
        agent.add_local_candidate(
            now,
            Candidate::host(addr(&format!("10.0.{i}.1:5000")), 65535 - i),
        );
    }
    for i in 0..40u32 {
        agent.add_remote_candidate(
            now,
            remote(
                &format!("10.1.{}.{}:6000", i / 200, i % 200 + 1),
                1_000_000 + i,
                &format!("r{i}"),
            ),
        );
    }
    assert_eq!(agent.pairs().count(), 100);
    assert_eq!(agent.stats().pairs_dropped, 60);
    // The lowest-priority remote candidates lost their pairs.
    let min_kept = agent.pairs().map(|p| p.priority).min().unwrap();
    let best_local = Candidate::host(addr("10.0.0.1:5000"), 65535).priority;
    assert!(min_kept > pair_priority(best_local, 1_000_000));
}

#[test]
fn remote_candidates_are_bounded_and_invalid_ones_dropped() {
    let cfg = AgentConfig {
        max_remote_candidates: 10,
        ..config(IceRole::Controlling, "aaaa", 1)
    };
    let (mut agent, now) = agent_with(cfg);
    for i in 0..25u32 {
        agent.add_remote_candidate(
            now,
            remote(&format!("10.1.0.{}:6000", i + 1), 1000 + i, "f"),
        );
    }
    assert_eq!(agent.remote_candidates().len(), 10);
    assert!(
        !agent.add_remote_candidate(now, remote("10.9.0.1:0", 1, "f")),
        "port 0"
    );
    assert!(
        !agent.add_remote_candidate(now, remote("0.0.0.0:9", 1, "f")),
        "unspecified"
    );
    assert!(!agent.add_remote_candidate(now, remote("10.9.0.1:9", 1, "bad foundation!")));
    assert!(!agent.add_remote_candidate(now, remote("10.9.0.1:9", 1, &"x".repeat(33))));
    assert!(
        !agent.add_remote_candidate(now, remote("10.1.0.1:6000", 1000, "f")),
        "duplicate"
    );
    assert_eq!(agent.stats().remote_candidates_dropped, 15 + 4);
}

#[test]
fn peer_reflexive_flood_is_bounded() {
    // Authenticated requests from many source addresses (e.g. a peer behind a symmetric NAT gone
    // wild): remote candidates stop at the bound; the rest is dropped unanswered and counted.
    let cfg = AgentConfig {
        max_remote_candidates: 20,
        ..config(IceRole::Controlled, "bbbb", 1)
    };
    let (mut agent, now) = agent_with(cfg);
    let local = addr("10.0.0.2:6000");
    agent.add_local_candidate(now, Candidate::host(local, 65535));
    for i in 0..100u16 {
        let mut b = MessageBuilder::new(
            Class::Request,
            Method::BINDING,
            TransactionId::new([i as u8; 12]),
        );
        b.add(&Attribute::Username("bbbb:aaaa")).unwrap();
        b.add(&Attribute::Priority(1_000)).unwrap();
        b.add(&Attribute::IceControlling(5)).unwrap();
        b.add_message_integrity(&integrity::short_term_key("bbbbPassword0123456789xyz"))
            .unwrap();
        let msg = b.build();
        let from = addr(&format!("10.7.{}.{}:{}", i / 100, i % 100 + 1, 7000 + i));
        agent.handle_receive(
            now,
            Receive {
                local_addr: local,
                remote_addr: from,
                data: &msg,
            },
        );
        while agent.poll_transmit().is_some() {}
    }
    assert_eq!(agent.remote_candidates().len(), 20);
    assert_eq!(agent.stats().remote_candidates_dropped, 80);
    assert_eq!(agent.stats().unknown_base_requests, 0);
}

#[test]
fn frozen_pairs_wait_for_their_foundation_and_thaw_on_success() {
    let (mut agent, now) = agent_with(config(IceRole::Controlled, "bbbb", 1));
    // Two sockets on one IP: one foundation, so the second pair starts frozen.
    agent.add_local_candidate(now, Candidate::host(addr("10.0.0.1:5000"), 65535));
    agent.add_local_candidate(now, Candidate::host(addr("10.0.0.1:5001"), 65000));
    agent.add_remote_candidate(now, remote("10.0.0.2:6000", 2_130_706_431, "x"));
    agent.set_remote_credentials(now, "aaaa", "aaaaPassword0123456789xyz");
    let first = agent.poll_transmit().expect("first check");
    assert_eq!(first.from_base, addr("10.0.0.1:5000"));
    // While it is in progress, its frozen sibling is not checked.
    let t1 = now + std::time::Duration::from_millis(50);
    agent.handle_timeout(t1);
    assert!(agent.poll_transmit().is_none());
    let frozen = |a: &Agent| {
        a.pairs()
            .find(|p| p.local.addr == addr("10.0.0.1:5001"))
            .unwrap()
            .state
    };
    assert_eq!(frozen(&agent), PairState::Frozen);
    // A success unfreezes the foundation (RFC 8445 §7.2.5.3.3) and the sibling is checked.
    let tid = rtcio_stun::Message::decode(&first.data)
        .unwrap()
        .transaction_id();
    let mut b = MessageBuilder::new(Class::SuccessResponse, Method::BINDING, tid);
    b.add(&Attribute::XorMappedAddress(addr("10.0.0.1:5000")))
        .unwrap();
    b.add_message_integrity(&integrity::short_term_key("aaaaPassword0123456789xyz"))
        .unwrap();
    let resp = b.build();
    agent.handle_receive(
        t1,
        Receive {
            local_addr: first.from_base,
            remote_addr: first.to,
            data: &resp,
        },
    );
    // Ta has already elapsed since the last check, so it goes out at once.
    assert_eq!(frozen(&agent), PairState::InProgress);
    assert_eq!(
        agent.poll_transmit().unwrap().from_base,
        addr("10.0.0.1:5001")
    );
}
