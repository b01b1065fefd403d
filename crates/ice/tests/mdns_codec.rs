//! The mDNS codec: the query's wire form, responses matched to it, and hostile input.

use std::net::IpAddr;

use rtcio_ice::mdns::{
    MAX_RECORDS, MdnsError, MdnsQuery, Message, RecordData, TYPE_A, TYPE_AAAA, encode_response,
    is_mdns_hostname,
};

const NAME: &str = "1f4712db-ea17-4bcf-a596-105139dfd8bf.local";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn recognizes_mdns_host_names() {
    assert!(is_mdns_hostname(NAME));
    assert!(is_mdns_hostname("x.LOCAL."));
    for not in [
        "local",
        ".local",
        "x.localhost",
        "192.0.2.1",
        "",
        "é.locaĺ",
        "x.local..",
    ] {
        assert!(!is_mdns_hostname(not), "{not:?}");
    }
}

#[test]
fn query_asks_a_and_aaaa_with_unicast_response() {
    let q = MdnsQuery::new(0x1234, "ABC.Local.").unwrap();
    assert_eq!(q.name(), "abc.local");
    let msg = Message::parse(q.to_bytes()).unwrap();
    assert_eq!(msg.id, 0x1234);
    assert!(!msg.is_response);
    assert_eq!(msg.questions.len(), 2);
    assert_eq!(msg.questions[0].qtype, TYPE_A);
    assert_eq!(msg.questions[1].qtype, TYPE_AAAA);
    assert!(
        msg.questions
            .iter()
            .all(|q| q.name == "abc.local" && q.unicast_response)
    );
    assert!(msg.records.is_empty());
}

#[test]
fn rejects_names_that_are_not_local_or_not_encodable() {
    assert_eq!(MdnsQuery::new(1, "example.com"), Err(MdnsError::NotLocal));
    assert_eq!(MdnsQuery::new(1, "a..local"), Err(MdnsError::BadLabel));
    let long_label = format!("{}.local", "a".repeat(64));
    assert_eq!(MdnsQuery::new(1, &long_label), Err(MdnsError::BadLabel));
    let long_name = format!("{}local", "abcdefghi.".repeat(26));
    assert_eq!(MdnsQuery::new(1, &long_name), Err(MdnsError::NameTooLong));
}

#[test]
fn response_gives_the_addresses_of_the_name() {
    let q = MdnsQuery::new(9, NAME).unwrap();
    let addrs = [ip("192.0.2.10"), ip("2001:db8::10"), ip("192.0.2.10")];
    // Multicast responses carry ID 0, direct ones the query's; names compare case-insensitively.
    let upper = NAME.to_ascii_uppercase();
    for id in [0, 9] {
        let resp = encode_response(id, &upper, &addrs, 120).unwrap();
        assert_eq!(
            q.addresses(&resp).unwrap(),
            vec![ip("192.0.2.10"), ip("2001:db8::10")]
        );
    }
    let msg = Message::parse(&encode_response(0, NAME, &addrs, 120).unwrap()).unwrap();
    assert!(msg.is_response);
    assert_eq!(
        msg.records[1].data,
        RecordData::Aaaa("2001:db8::10".parse().unwrap())
    );
    assert_eq!(msg.records[1].ttl, 120);
}

#[test]
fn unrelated_messages_give_nothing() {
    let q = MdnsQuery::new(9, NAME).unwrap();
    let other_name = encode_response(0, "other.local", &[ip("192.0.2.1")], 120).unwrap();
    let other_id = encode_response(10, NAME, &[ip("192.0.2.1")], 120).unwrap();
    let mut error = encode_response(0, NAME, &[ip("192.0.2.1")], 120).unwrap();
    error[3] |= 3; // NXDOMAIN
    for d in [&other_name, &other_id, &error, &q.to_bytes().to_vec()] {
        assert_eq!(q.addresses(d), Ok(vec![]));
    }
}

#[test]
fn hostile_inputs_are_errors_not_panics() {
    let q = MdnsQuery::new(9, NAME).unwrap();
    let good = encode_response(0, NAME, &[ip("192.0.2.1")], 120).unwrap();
    // Every truncation.
    for n in 0..good.len() {
        assert!(q.addresses(&good[..n]).is_err(), "truncated to {n}");
    }
    // A pointer to itself, and a chain of pointers.
    let mut looped = good.clone();
    looped[12] = 0xc0;
    looped[13] = 12;
    assert_eq!(q.addresses(&looped), Err(MdnsError::TooManyPointers));
    // Reserved label types (0x40, 0x80).
    for b in [0x40, 0x80] {
        let mut bad = good.clone();
        bad[12] = b;
        assert_eq!(q.addresses(&bad), Err(MdnsError::BadLabel));
    }
    // An A record of 5 bytes.
    let mut long_a = good[..good.len() - 6].to_vec();
    long_a.extend_from_slice(&[0, 5, 1, 2, 3, 4, 5]);
    assert_eq!(q.addresses(&long_a), Err(MdnsError::BadRecordLength));
    // A name of six 63-byte labels: longer than 255 bytes.
    let mut big = vec![0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    big.extend_from_slice(&[63]);
    big.extend_from_slice(&[b'a'; 63]);
    for _ in 0..5 {
        big.extend_from_slice(&[63]);
        big.extend_from_slice(&[b'b'; 63]);
    }
    big.push(0);
    big.extend_from_slice(&[0, 1, 0, 1]);
    assert_eq!(Message::parse(&big), Err(MdnsError::NameTooLong));
    // Huge counts with no data behind them.
    let counts = [
        0, 0, 0x84, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    assert_eq!(Message::parse(&counts), Err(MdnsError::Truncated));
    // Labels that are not UTF-8, or contain a dot, and garbage of every length.
    let mut dotted = good.clone();
    dotted[14] = b'.';
    assert_eq!(q.addresses(&dotted), Err(MdnsError::BadLabel));
    let mut latin = good.clone();
    latin[14] = 0xff;
    assert_eq!(q.addresses(&latin), Ok(vec![]));
    let mut x = 0x9e37_79b9u32;
    for len in 0..600 {
        let junk: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let _ = q.addresses(&junk);
    }
}

#[test]
fn reads_a_bounded_number_of_records() {
    let addrs: Vec<IpAddr> = (0..200u32)
        .map(|i| IpAddr::from(std::net::Ipv4Addr::from(0xc000_0200u32 + i)))
        .collect();
    let resp = encode_response(0, NAME, &addrs, 1).unwrap();
    let msg = Message::parse(&resp).unwrap();
    assert_eq!(msg.records.len(), MAX_RECORDS);
    let mut more = resp.clone();
    more[6..8].copy_from_slice(&1000u16.to_be_bytes());
    assert_eq!(Message::parse(&more).unwrap().records.len(), MAX_RECORDS);
}
