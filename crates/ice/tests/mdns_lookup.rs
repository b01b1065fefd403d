//! The sans-IO mDNS lookup: transmissions over time, resolution, timeout.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use rtcio_ice::mdns::{Lookup, LookupState, MdnsError, encode_response};

const NAME: &str = "c0ffee00-1111-2222-3333-444455556666.local";

/// Runs `lookup` on a virtual clock until `until`, returning the times queries went out.
fn run(lookup: &mut Lookup, start: Instant, until: Duration) -> Vec<Duration> {
    let mut sent = Vec::new();
    let mut now = start;
    while now - start <= until {
        while lookup.poll_transmit().is_some() {
            sent.push(now - start);
        }
        let Some(next) = lookup.poll_timeout() else {
            break;
        };
        now = next.max(now);
        lookup.handle_timeout(now);
    }
    sent
}

#[test]
fn repeats_the_query_then_times_out() {
    let start = Instant::now();
    let mut lookup = Lookup::new(start, 1, NAME, Duration::from_secs(3)).unwrap();
    let sent = run(&mut lookup, start, Duration::from_secs(10));
    assert_eq!(
        sent,
        [Duration::ZERO, Duration::from_secs(1)],
        "at once, then 1 s later; the next (3 s) is the deadline"
    );
    assert_eq!(*lookup.state(), LookupState::TimedOut);
    assert_eq!(lookup.poll_timeout(), None);
    assert_eq!(lookup.poll_transmit(), None);
}

#[test]
fn resolves_on_the_first_matching_response() {
    let start = Instant::now();
    let mut lookup = Lookup::new(start, 77, NAME, Duration::from_secs(3)).unwrap();
    assert!(lookup.poll_transmit().is_some());
    assert!(!lookup.handle_receive(start, b"\x00\x01garbage"));
    assert_eq!(lookup.malformed_dropped(), 1);
    let other = encode_response(0, "other.local", &["192.0.2.9".parse().unwrap()], 10).unwrap();
    assert!(!lookup.handle_receive(start, &other));
    let addr: IpAddr = "192.0.2.33".parse().unwrap();
    let answer = encode_response(77, NAME, &[addr], 10).unwrap();
    assert!(lookup.handle_receive(start, &answer));
    assert_eq!(*lookup.state(), LookupState::Resolved(vec![addr]));
    // Finished: nothing more to send or wait for, later responses are ignored.
    assert_eq!(lookup.poll_timeout(), None);
    assert!(!lookup.handle_receive(start, &answer));
    lookup.handle_timeout(start + Duration::from_secs(60));
    assert_eq!(*lookup.state(), LookupState::Resolved(vec![addr]));
}

#[test]
fn refuses_names_outside_local() {
    let now = Instant::now();
    let err = Lookup::new(now, 1, "example.org", Duration::from_secs(3)).unwrap_err();
    assert_eq!(err, MdnsError::NotLocal);
}
