//! Authentication (RFC 8445 §7.3, RFC 8489 §9.1) and hostile input: mis-authenticated requests
//! and responses, garbage bytes. None of them may change the agent's state.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use rtcio_ice::{Agent, Candidate, CandidateKind, IceConnectionState, IceRole, PairState, Receive};
use rtcio_stun::{Attribute, Class, Message, MessageBuilder, Method, TransactionId, integrity};

const LOCAL: &str = "10.0.0.2:6000";
const PEER: &str = "10.0.0.1:5000";
/// The password `pair_of_nodes` gives the controlled node `b` (ufrag `bbbb`).
const B_PWD: &str = "bbbbPassword0123456789xyz";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A controlled agent with one host candidate and the peer's credentials, but no remote candidate.
fn agent() -> (Agent, Instant) {
    let (_, b) = pair_of_nodes();
    let mut agent = b.agent;
    let now = start();
    agent.add_local_candidate(now, Candidate::host(addr(LOCAL), 65535));
    agent.set_remote_credentials(now, "aaaa", "aaaaPassword0123456789xyz");
    while agent.poll_event().is_some() {}
    (agent, now)
}

struct Req<'a> {
    username: Option<&'a str>,
    key: Option<&'a str>,
    priority: Option<u32>,
    controlling: Option<u64>,
    use_candidate: bool,
}

impl Default for Req<'_> {
    fn default() -> Self {
        Req {
            username: Some("bbbb:aaaa"),
            key: Some(B_PWD),
            priority: Some(1_853_824_767),
            controlling: Some(99),
            use_candidate: false,
        }
    }
}

fn request(r: &Req<'_>, tid: u8) -> Vec<u8> {
    let mut b = MessageBuilder::new(
        Class::Request,
        Method::BINDING,
        TransactionId::new([tid; 12]),
    );
    if let Some(u) = r.username {
        b.add(&Attribute::Username(u)).unwrap();
    }
    if let Some(p) = r.priority {
        b.add(&Attribute::Priority(p)).unwrap();
    }
    if let Some(tb) = r.controlling {
        b.add(&Attribute::IceControlling(tb)).unwrap();
    }
    if r.use_candidate {
        b.add(&Attribute::UseCandidate).unwrap();
    }
    if let Some(k) = r.key {
        b.add_message_integrity(&integrity::short_term_key(k))
            .unwrap();
    }
    b.add_fingerprint().unwrap();
    b.build()
}

fn feed(agent: &mut Agent, now: Instant, from: &str, data: &[u8]) -> bool {
    agent.handle_receive(
        now,
        Receive {
            local_addr: addr(LOCAL),
            remote_addr: addr(from),
            data,
        },
    )
}

/// The single response the agent sent, decoded: (class, error code).
fn response(agent: &mut Agent) -> (Class, Option<u16>, bool) {
    let t = agent.poll_transmit().expect("a response");
    assert!(agent.poll_transmit().is_none());
    assert_eq!((t.from_base, t.to), (addr(LOCAL), addr(PEER)));
    let m = Message::decode(&t.data).unwrap();
    let signed = m
        .verify_integrity(&integrity::short_term_key(B_PWD))
        .is_ok();
    (m.class(), m.error_code().map(|e| e.code), signed)
}

fn assert_untouched(agent: &mut Agent) {
    assert_eq!(agent.remote_candidates().len(), 0);
    assert_eq!(agent.pairs().count(), 0);
    assert_eq!(agent.state(), IceConnectionState::New);
    assert_eq!(agent.role(), IceRole::Controlled);
    assert!(agent.poll_event().is_none());
}

#[test]
fn wrong_password_gets_401_and_changes_nothing() {
    let (mut agent, now) = agent();
    let req = request(
        &Req {
            key: Some("not-the-password-at-all"),
            use_candidate: true,
            ..Req::default()
        },
        1,
    );
    assert!(feed(&mut agent, now, PEER, &req));
    assert_eq!(
        response(&mut agent),
        (Class::ErrorResponse, Some(401), false)
    );
    assert_eq!(agent.stats().unauthorized_requests, 1);
    assert_untouched(&mut agent);
}

#[test]
fn wrong_username_gets_401_and_changes_nothing() {
    let (mut agent, now) = agent();
    let req = request(
        &Req {
            username: Some("zzzz:aaaa"),
            ..Req::default()
        },
        2,
    );
    assert!(feed(&mut agent, now, PEER, &req));
    assert_eq!(
        response(&mut agent),
        (Class::ErrorResponse, Some(401), false)
    );
    assert_eq!(agent.stats().unauthorized_requests, 1);
    assert_untouched(&mut agent);
}

#[test]
fn missing_username_or_integrity_gets_400() {
    let (mut agent, now) = agent();
    feed(
        &mut agent,
        now,
        PEER,
        &request(
            &Req {
                username: None,
                ..Req::default()
            },
            3,
        ),
    );
    assert_eq!(
        response(&mut agent),
        (Class::ErrorResponse, Some(400), false)
    );
    feed(
        &mut agent,
        now,
        PEER,
        &request(
            &Req {
                key: None,
                ..Req::default()
            },
            4,
        ),
    );
    assert_eq!(
        response(&mut agent),
        (Class::ErrorResponse, Some(400), false)
    );
    assert_eq!(agent.stats().bad_requests, 2);
    assert_untouched(&mut agent);
}

#[test]
fn authenticated_request_without_priority_or_role_gets_signed_400() {
    let (mut agent, now) = agent();
    feed(
        &mut agent,
        now,
        PEER,
        &request(
            &Req {
                priority: None,
                ..Req::default()
            },
            5,
        ),
    );
    assert_eq!(
        response(&mut agent),
        (Class::ErrorResponse, Some(400), true)
    );
    feed(
        &mut agent,
        now,
        PEER,
        &request(
            &Req {
                controlling: None,
                ..Req::default()
            },
            6,
        ),
    );
    assert_eq!(
        response(&mut agent),
        (Class::ErrorResponse, Some(400), true)
    );
    assert_untouched(&mut agent);
}

#[test]
fn tampered_request_is_rejected() {
    let (mut agent, now) = agent();
    // A correctly signed request without FINGERPRINT, then one bit of PRIORITY flipped on the way.
    let mut b = MessageBuilder::new(Class::Request, Method::BINDING, TransactionId::new([7; 12]));
    b.add(&Attribute::Username("bbbb:aaaa")).unwrap();
    b.add(&Attribute::Priority(0x6e7f_1eff)).unwrap();
    b.add(&Attribute::IceControlling(99)).unwrap();
    b.add_message_integrity(&integrity::short_term_key(B_PWD))
        .unwrap();
    let mut req = b.build();
    let at = req
        .windows(4)
        .position(|w| w == [0x6e, 0x7f, 0x1e, 0xff])
        .unwrap();
    req[at + 3] ^= 1;
    feed(&mut agent, now, PEER, &req);
    assert_eq!(
        response(&mut agent),
        (Class::ErrorResponse, Some(401), false)
    );
    assert_untouched(&mut agent);
}

#[test]
fn valid_request_from_unknown_address_is_answered_and_learned() {
    // The positive control for the tests above: the same request, correctly signed.
    let (mut agent, now) = agent();
    feed(&mut agent, now, PEER, &request(&Req::default(), 8));
    let t = agent.poll_transmit().unwrap();
    let m = Message::decode(&t.data).unwrap();
    assert_eq!(m.class(), Class::SuccessResponse);
    assert_eq!(m.xor_mapped_address(), Some(addr(PEER)));
    m.verify_integrity(&integrity::short_term_key(B_PWD))
        .unwrap();
    m.verify_fingerprint().unwrap();
    assert_eq!(agent.remote_candidates().len(), 1);
    assert_eq!(
        agent.remote_candidates()[0].kind,
        CandidateKind::PeerReflexive
    );
    assert_eq!(agent.remote_candidates()[0].priority, 1_853_824_767);
    // The triggered check goes out at once.
    let check = agent.poll_transmit().expect("triggered check");
    let m = Message::decode(&check.data).unwrap();
    assert_eq!(
        (m.class(), m.username()),
        (Class::Request, Some("aaaa:bbbb"))
    );
    assert_eq!(agent.state(), IceConnectionState::Checking);
}

#[test]
fn unauthenticated_response_is_dropped_and_the_check_goes_on() {
    let (mut agent, now) = agent();
    agent.add_remote_candidate(
        now,
        Candidate::remote(CandidateKind::Host, addr(PEER), 2_130_706_431, "1"),
    );
    let check = agent.poll_transmit().expect("check");
    let tid = Message::decode(&check.data).unwrap().transaction_id();
    let forge = |key: &str| {
        let mut b = MessageBuilder::new(Class::SuccessResponse, Method::BINDING, tid);
        b.add(&Attribute::XorMappedAddress(addr(LOCAL))).unwrap();
        b.add_message_integrity(&integrity::short_term_key(key))
            .unwrap();
        b.add_fingerprint().unwrap();
        b.build()
    };
    // Signed with the wrong key (the agent's own password instead of the peer's).
    feed(&mut agent, now, PEER, &forge(B_PWD));
    assert_eq!(agent.stats().unauthenticated_responses, 1);
    assert_eq!(agent.pairs().next().unwrap().state, PairState::InProgress);
    assert!(agent.selected_pair().is_none());
    // The genuine one (signed with the peer's password) succeeds.
    feed(
        &mut agent,
        now + Duration::from_millis(5),
        PEER,
        &forge("aaaaPassword0123456789xyz"),
    );
    assert_eq!(agent.pairs().next().unwrap().state, PairState::Succeeded);
}

#[test]
fn response_from_another_address_fails_the_pair() {
    // RFC 8445 §7.2.5.2.1: the response must come from where the request went.
    let (mut agent, now) = agent();
    agent.add_remote_candidate(
        now,
        Candidate::remote(CandidateKind::Host, addr(PEER), 2_130_706_431, "1"),
    );
    let check = agent.poll_transmit().expect("check");
    let tid = Message::decode(&check.data).unwrap().transaction_id();
    let mut b = MessageBuilder::new(Class::SuccessResponse, Method::BINDING, tid);
    b.add(&Attribute::XorMappedAddress(addr(LOCAL))).unwrap();
    b.add_message_integrity(&integrity::short_term_key("aaaaPassword0123456789xyz"))
        .unwrap();
    b.add_fingerprint().unwrap();
    feed(&mut agent, now, "10.0.0.99:5000", &b.build());
    assert_eq!(agent.stats().non_symmetric_responses, 1);
    assert_eq!(agent.pairs().next().unwrap().state, PairState::Failed);
    assert!(agent.selected_pair().is_none());
}

#[test]
fn garbage_is_dropped_and_counted_and_non_stun_is_not_ours() {
    let (mut agent, now) = agent();
    // First byte 0..=3: STUN by RFC 7983, but malformed.
    for g in [
        &[0u8][..],
        &[1, 1, 0, 0],
        &[0, 1, 0, 4, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3],
        &[3; 40],
    ] {
        assert!(feed(&mut agent, now, PEER, g));
    }
    assert_eq!(agent.stats().malformed_dropped, 4);
    // A well-formed STUN message of another method.
    let mut b = MessageBuilder::new(
        Class::Request,
        Method::ALLOCATE,
        TransactionId::new([9; 12]),
    );
    b.add_fingerprint().unwrap();
    assert!(feed(&mut agent, now, PEER, &b.build()));
    assert_eq!(agent.stats().unsupported_dropped, 1);
    // A Binding indication is a keepalive: consumed, not answered.
    let mut b = MessageBuilder::new(
        Class::Indication,
        Method::BINDING,
        TransactionId::new([8; 12]),
    );
    b.add_fingerprint().unwrap();
    assert!(feed(&mut agent, now, PEER, &b.build()));
    assert_eq!(agent.stats().keepalives_received, 1);
    // Bad FINGERPRINT.
    let mut req = request(&Req::default(), 10);
    let n = req.len();
    req[n - 1] ^= 0xff;
    assert!(feed(&mut agent, now, PEER, &req));
    assert_eq!(agent.stats().malformed_dropped, 5);
    // RTP/DTLS-looking data is not the agent's.
    assert!(!feed(&mut agent, now, PEER, &[0x80, 0, 1, 2]));
    assert!(!feed(&mut agent, now, PEER, &[22, 254, 253]));
    assert!(!feed(&mut agent, now, PEER, &[]));
    assert_eq!(agent.stats().stun_received, 7);
    assert!(agent.poll_transmit().is_none());
    assert_untouched(&mut agent);
}

#[test]
fn forged_requests_during_a_session_do_not_disturb_it() {
    let (mut a, mut b) = pair_of_nodes();
    let t0 = start();
    a.add_hosts(t0);
    b.add_hosts(t0);
    signal(t0, &mut a, &mut b);
    let mut sim = sim(rtcio_netsim::Network::new(61));
    run_until_connected(&mut sim, &mut a, &mut b, Duration::from_secs(5));
    let now = sim.now();
    let sel = b.agent.selected_pair().unwrap().clone();
    // An attacker claiming controlling with a huge tie-breaker, USE-CANDIDATE, from another
    // address, with a wrong password.
    let forged = request(
        &Req {
            key: Some("guess"),
            controlling: Some(u64::MAX),
            use_candidate: true,
            ..Req::default()
        },
        11,
    );
    for port in 0..200u16 {
        let from: SocketAddr = format!("10.6.6.6:{}", 1000 + port).parse().unwrap();
        b.agent.handle_receive(
            now,
            Receive {
                local_addr: addr(LOCAL),
                remote_addr: from,
                data: &forged,
            },
        );
    }
    assert_eq!(b.agent.stats().unauthorized_requests, 200);
    assert_eq!(b.agent.selected_pair(), Some(&sel));
    assert_eq!(b.agent.role(), IceRole::Controlled);
    assert_eq!(b.agent.remote_candidates().len(), 1);
    while b.agent.poll_transmit().is_some() {}
    b.drain(now);
    sim.run_for(&mut [&mut a, &mut b], Duration::from_secs(10))
        .unwrap();
    assert!(b.log().connected());
}

#[test]
fn invalid_remote_credentials_are_refused() {
    let (mut a, _) = pair_of_nodes();
    let now = start();
    assert!(
        !a.agent
            .set_remote_credentials(now, "abc", "bbbbPassword0123456789xyz"),
        "ufrag too short"
    );
    assert!(
        !a.agent
            .set_remote_credentials(now, "ab:c", "bbbbPassword0123456789xyz"),
        "not ice-chars"
    );
    assert!(
        !a.agent.set_remote_credentials(now, "bbbb", "short"),
        "pwd too short"
    );
    assert!(
        !a.agent
            .set_remote_credentials(now, &"u".repeat(257), "bbbbPassword0123456789xyz")
    );
    assert!(a.agent.remote_credentials().is_none());
    assert!(
        a.agent
            .set_remote_credentials(now, "bbbb", "bbbbPassword0123456789xyz")
    );
    assert!(
        a.agent
            .set_remote_credentials(now, "bbbb", "bbbbPassword0123456789xyz"),
        "same again"
    );
}
