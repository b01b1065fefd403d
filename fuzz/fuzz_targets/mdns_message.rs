//! Parses arbitrary datagrams as mDNS messages and as responses to a query and to a lookup:
//! never a panic, never more than `MAX_RECORDS` entries, and whatever parses re-encodes as a
//! response whose addresses match.
#![no_main]

use std::net::IpAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rtcio_ice::mdns::{
    Lookup, MAX_RECORDS, MdnsQuery, Message, RecordData, encode_response, is_mdns_hostname,
};

fuzz_target!(|data: &[u8]| {
    let query = MdnsQuery::new(7, "fuzz.local").expect("valid name");
    let _ = query.addresses(data);
    let now = Instant::now();
    let mut lookup = Lookup::new(now, 7, "fuzz.local", Duration::from_secs(3)).expect("valid");
    let _ = lookup.poll_transmit();
    lookup.handle_receive(now, data);
    let _ = is_mdns_hostname(&String::from_utf8_lossy(data));
    let Ok(msg) = Message::parse(data) else {
        return;
    };
    assert!(msg.questions.len() + msg.records.len() <= MAX_RECORDS);
    // Re-encode the addresses of the first record's owner: they must come back.
    let Some(first) = msg.records.first() else {
        return;
    };
    let addrs: Vec<IpAddr> = msg
        .records
        .iter()
        .filter(|r| r.name == first.name)
        .filter_map(|r| match r.data {
            RecordData::A(ip) => Some(IpAddr::V4(ip)),
            RecordData::Aaaa(ip) => Some(IpAddr::V6(ip)),
            RecordData::Other(_) => None,
        })
        .collect();
    if addrs.is_empty() || !is_mdns_hostname(&first.name) {
        return;
    }
    let Ok(q) = MdnsQuery::new(0, &first.name) else {
        return;
    };
    if let Ok(resp) = encode_response(0, &first.name, &addrs, 1) {
        let mut want = addrs.clone();
        want.dedup();
        let got = q.addresses(&resp).expect("own response parses");
        assert!(got.iter().all(|ip| want.contains(ip)));
        assert!(!got.is_empty());
    }
});
