//! Standalone candidate parsing (`addIceCandidate` strings) and printing.

use std::net::IpAddr;

use rtcio_sdp::{Address, Candidate, CandidateType, Problem, TcpType};

fn parse(s: &str) -> Candidate {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn round_trip(s: &str) -> Candidate {
    let c = parse(s);
    assert_eq!(c.to_string(), s.trim_start_matches("a="));
    c
}

#[test]
fn chromium_host_udp() {
    let c = round_trip(
        "candidate:1605298946 1 udp 2122260223 127.0.0.1 45214 typ host generation 0 network-id 1 network-cost 50",
    );
    assert_eq!(c.foundation, "1605298946");
    assert_eq!(c.component, 1);
    assert!(c.transport.is_udp());
    assert_eq!(c.priority, 2122260223);
    assert_eq!(c.address.ip(), Some("127.0.0.1".parse::<IpAddr>().unwrap()));
    assert_eq!(c.port, 45214);
    assert_eq!(c.typ, CandidateType::Host);
    assert_eq!(
        (c.generation, c.network_id, c.network_cost),
        (Some(0), Some(1), Some(50))
    );
}

#[test]
fn a_equals_prefix_is_accepted() {
    let a = parse("a=candidate:0 1 UDP 2122252543 10.99.0.1 44070 typ host");
    let b = parse("candidate:0 1 UDP 2122252543 10.99.0.1 44070 typ host");
    assert_eq!(a, b);
    assert_eq!(
        a.to_string(),
        "candidate:0 1 UDP 2122252543 10.99.0.1 44070 typ host"
    );
}

#[test]
fn ipv6_address() {
    let c = round_trip("candidate:4 1 udp 2122262783 2001:db8::1 49172 typ host generation 0");
    assert_eq!(c.address, Address::Ip("2001:db8::1".parse().unwrap()));
    let c = parse("candidate:4 1 udp 1 2001:0db8:0:0:0:0:0:1 1 typ host");
    assert_eq!(c.to_string(), "candidate:4 1 udp 1 2001:db8::1 1 typ host");
}

#[test]
fn mdns_name() {
    let c = round_trip(
        "candidate:5 1 udp 2122260223 4d7c5e1a-8b2f-4e6d-9c3a-1f0e2d3c4b5a.local 49174 typ host",
    );
    assert!(c.address.is_mdns());
    assert_eq!(c.address.ip(), None);
    assert!(!Address::Fqdn("example.com".into()).is_mdns());
    assert_eq!(
        "host-1.LOCAL".parse::<Address>().map(|a| a.is_mdns()),
        Ok(true)
    );
    assert!("bad name.local".parse::<Address>().is_err());
    assert!("".parse::<Address>().is_err());
    assert!(!Address::Ip("10.0.0.1".parse().unwrap()).is_mdns());
}

#[test]
fn tcp_types() {
    for (t, want) in [
        ("active", TcpType::Active),
        ("passive", TcpType::Passive),
        ("so", TcpType::So),
    ] {
        let c = round_trip(&format!(
            "candidate:6 1 tcp 1518280447 192.0.2.10 9 typ host tcptype {t}"
        ));
        assert!(c.transport.is_tcp());
        assert_eq!(c.tcp_type, Some(want));
    }
    let e = "candidate:6 1 tcp 1 192.0.2.10 9 typ host tcptype sideways".parse::<Candidate>();
    assert_eq!(e.unwrap_err().field, "tcptype");
}

#[test]
fn relay_with_related_address() {
    let c = round_trip(
        "candidate:3 1 udp 16777215 198.51.100.1 61000 typ relay raddr 203.0.113.7 rport 49170 generation 0 ufrag F7gI network-id 2 network-cost 10",
    );
    assert_eq!(c.typ, CandidateType::Relay);
    assert_eq!(
        c.related_address,
        Some(Address::Ip("203.0.113.7".parse().unwrap()))
    );
    assert_eq!(c.related_port, Some(49170));
    assert_eq!(c.ufrag.as_deref(), Some("F7gI"));
    let c = round_trip(
        "candidate:2 1 UDP 1694498815 203.0.113.7 49170 typ srflx raddr 0.0.0.0 rport 0",
    );
    assert_eq!(c.typ, CandidateType::Srflx);
}

#[test]
fn unknown_extensions_preserved_in_order() {
    let c = round_trip("candidate:9 2 udp 2122260222 192.0.2.10 53020 typ host x-foo bar x-baz 42");
    assert_eq!(
        c.extensions,
        [
            ("x-foo".to_string(), "bar".to_string()),
            ("x-baz".to_string(), "42".to_string())
        ]
    );
    let c = parse("candidate:9 1 udp 1 192.0.2.10 1 typ prflx");
    assert_eq!(c.typ, CandidateType::Prflx);
    let c = round_trip("candidate:9 1 udp 1 192.0.2.10 1 typ x-new");
    assert_eq!(c.typ, CandidateType::Other("x-new".into()));
}

#[test]
fn known_extensions_are_written_in_chromium_order() {
    let c = parse(
        "candidate:1 1 udp 1 192.0.2.1 1 typ srflx x-a b network-cost 9 rport 2 raddr 192.0.2.2",
    );
    assert_eq!(
        c.to_string(),
        "candidate:1 1 udp 1 192.0.2.1 1 typ srflx raddr 192.0.2.2 rport 2 network-cost 9 x-a b"
    );
}

#[test]
fn malformed_candidates_name_the_field() {
    let cases = [
        ("", "'candidate:' prefix", Problem::Invalid),
        ("candidate:", "foundation", Problem::Missing),
        (
            "candidate:abc!def 1 udp 1 1.2.3.4 1 typ host",
            "foundation",
            Problem::Invalid,
        ),
        (
            "candidate:123456789012345678901234567890123 1 udp 1 1.2.3.4 1 typ host",
            "foundation",
            Problem::Invalid,
        ),
        (
            "candidate:1 0 udp 1 1.2.3.4 1 typ host",
            "component ID",
            Problem::OutOfRange,
        ),
        (
            "candidate:1 257 udp 1 1.2.3.4 1 typ host",
            "component ID",
            Problem::OutOfRange,
        ),
        (
            "candidate:1 x udp 1 1.2.3.4 1 typ host",
            "component ID",
            Problem::NotANumber,
        ),
        (
            "candidate:1 1 udp 4294967296 1.2.3.4 1 typ host",
            "priority",
            Problem::OutOfRange,
        ),
        (
            "candidate:1 1 udp -1 1.2.3.4 1 typ host",
            "priority",
            Problem::NotANumber,
        ),
        (
            "candidate:1 1 udp 1 1.2.3.4 65536 typ host",
            "port",
            Problem::OutOfRange,
        ),
        (
            "candidate:1 1 udp 1 bad/host 1 typ host",
            "connection address",
            Problem::Invalid,
        ),
        (
            "candidate:1 1 udp 1 1.2.3.4 1 type host",
            "'typ'",
            Problem::Invalid,
        ),
        (
            "candidate:1 1 udp 1 1.2.3.4 1 typ",
            "candidate type",
            Problem::Missing,
        ),
        (
            "candidate:1 1 udp 1 1.2.3.4 1 typ host raddr",
            "extension value",
            Problem::Missing,
        ),
        (
            "candidate:1 1 udp 1 1.2.3.4 1 typ host rport x",
            "rport",
            Problem::NotANumber,
        ),
        (
            "candidate:1 1 udp 1 1.2.3.4 1 typ host generation 0 generation 1",
            "candidate extension",
            Problem::Duplicate,
        ),
        (
            "candidate:1 1 udp 1 1.2.3.4 1 typ host network-cost 99999999999",
            "network-cost",
            Problem::OutOfRange,
        ),
    ];
    for (text, field, problem) in cases {
        let e = text.parse::<Candidate>().unwrap_err();
        assert_eq!((e.field, &e.problem), (field, &problem), "{text}: {e}");
    }
}
