//! Feeds arbitrary bytes to the RTCP compound parser. Nothing may panic; whatever parses must
//! serialize, and the serialized form must parse to equal packets and serialize to the same
//! bytes (the first serialization may normalize padding and chunk choices).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcio_rtp::rtcp::{RtcpPacket, parse_compound, write_compound};

fuzz_target!(|data: &[u8]| {
    let Ok(c) = parse_compound(data) else { return };
    let _ = c.unknown_count();
    for p in &c.packets {
        match p {
            RtcpPacket::TransportFeedback(f) => {
                assert_eq!(f.arrivals().count(), f.statuses.len());
            }
            RtcpPacket::Nack(n) => {
                assert!(n.lost().count() <= 17 * n.pairs.len());
            }
            RtcpPacket::Sdes(s) => {
                for ch in &s.chunks {
                    let _ = s.cname(ch.ssrc);
                }
            }
            _ => {}
        }
    }
    let bytes = write_compound(&c.packets).expect("parsed packets serialize");
    assert_eq!(bytes.len() % 4, 0);
    let again = parse_compound(&bytes).expect("serialized packets parse");
    assert_eq!(again.packets.len(), c.packets.len());
    let bytes2 = write_compound(&again.packets).expect("re-parsed packets serialize");
    assert_eq!(bytes2, bytes);
    assert_eq!(parse_compound(&bytes2).unwrap(), again);
});
