//! Candidate priorities and foundations (RFC 8445 §5.1.2, §5.1.1.3) and pair priorities (§6.1.2.3).

use std::net::SocketAddr;

use rtcio_ice::{Candidate, CandidateKind, candidate_priority, compute_foundation, pair_priority};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[test]
fn priority_follows_the_rfc_formula() {
    // 2^24 * 126 + 2^8 * 65535 + (256 - 1)
    assert_eq!(
        candidate_priority(CandidateKind::Host, 65535, 1),
        2_130_706_431
    );
    assert_eq!(
        candidate_priority(CandidateKind::ServerReflexive, 65535, 1),
        (100 << 24) + (65535 << 8) + 255
    );
    assert_eq!(
        candidate_priority(CandidateKind::PeerReflexive, 0, 1),
        (110 << 24) + 255
    );
    assert_eq!(
        candidate_priority(CandidateKind::Relayed, 10, 2),
        (10 << 8) + 254
    );
}

#[test]
fn type_preference_orders_host_prflx_srflx_relay() {
    let p = |k| candidate_priority(k, 65535, 1);
    assert!(p(CandidateKind::Host) > p(CandidateKind::PeerReflexive));
    assert!(p(CandidateKind::PeerReflexive) > p(CandidateKind::ServerReflexive));
    assert!(p(CandidateKind::ServerReflexive) > p(CandidateKind::Relayed));
}

#[test]
fn constructors_set_base_related_and_priority() {
    let host = Candidate::host(addr("10.0.0.1:5000"), 65535);
    assert_eq!(host.base, host.addr);
    assert_eq!(host.priority, 2_130_706_431);
    assert_eq!(host.local_preference(), 65535);

    let srflx = Candidate::server_reflexive(
        addr("203.0.113.1:40000"),
        addr("10.0.0.1:5000"),
        addr("198.51.100.1:3478"),
        65535,
    );
    assert_eq!(srflx.base, addr("10.0.0.1:5000"));
    assert_eq!(srflx.related, Some(addr("10.0.0.1:5000")));
    assert_eq!(srflx.kind.as_str(), "srflx");

    let relay = Candidate::relayed(
        addr("198.51.100.1:50000"),
        addr("203.0.113.1:40000"),
        addr("198.51.100.1:3478"),
        65535,
    );
    assert_eq!(
        relay.base, relay.addr,
        "a relayed candidate is its own base"
    );
    assert_eq!(relay.priority >> 24, 0);
}

#[test]
fn foundation_groups_type_base_ip_and_server() {
    let a = Candidate::host(addr("10.0.0.1:5000"), 65535);
    let b = Candidate::host(addr("10.0.0.1:5001"), 65535);
    let c = Candidate::host(addr("10.0.0.2:5000"), 65535);
    assert_eq!(
        a.foundation, b.foundation,
        "same type and base IP, other port"
    );
    assert_ne!(a.foundation, c.foundation, "other base IP");

    let base = addr("10.0.0.1:5000");
    let s1 = Candidate::server_reflexive(addr("203.0.113.1:1"), base, addr("198.51.100.1:3478"), 1);
    let s2 = Candidate::server_reflexive(addr("203.0.113.1:2"), base, addr("198.51.100.1:3479"), 1);
    let s3 = Candidate::server_reflexive(addr("203.0.113.1:3"), base, addr("198.51.100.2:3478"), 1);
    assert_eq!(s1.foundation, s2.foundation, "same STUN server IP");
    assert_ne!(s1.foundation, s3.foundation, "other STUN server");
    assert_ne!(s1.foundation, a.foundation, "other type");

    let f = compute_foundation(CandidateKind::Host, base.ip(), None);
    assert!(!f.is_empty() && f.len() <= 32 && f.bytes().all(|b| b.is_ascii_digit()));
}

#[test]
fn pair_priority_follows_the_rfc_formula() {
    let (g, d) = (2_130_706_431u32, 1_694_498_815u32);
    let expected = (u64::from(d) << 32) + 2 * u64::from(g) + 1;
    assert_eq!(pair_priority(g, d), expected);
    // Swapping the roles changes only the tie bit.
    assert_eq!(pair_priority(d, g), expected - 1);
    assert_eq!(pair_priority(5, 5), (5u64 << 32) + 10);
}

#[test]
fn pair_priority_saturates_on_out_of_range_wire_values() {
    assert_eq!(pair_priority(u32::MAX, u32::MAX), u64::MAX);
    assert!(pair_priority(u32::MAX, u32::MAX - 1) > pair_priority(u32::MAX - 1, u32::MAX - 2));
}
