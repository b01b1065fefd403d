//! Feeds arbitrary bytes to the RTP packet parser, the typed header extension readers and the
//! sequence/timestamp unwrappers. Nothing may panic; a packet that parses must re-serialize and
//! parse back to an equal packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcio_rtp::ext::ExtensionKind;
use rtcio_rtp::{ExtensionMap, RtpPacket, SeqUnwrapper, TimestampUnwrapper};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = RtpPacket::parse(data) else { return };
    // Every known extension bound to ids 1..=9 (the one-byte range), read them all.
    let mut map = ExtensionMap::new();
    for (i, k) in ExtensionKind::ALL.into_iter().enumerate() {
        map.insert(i as u8 + 1, k);
    }
    let values = map.read(&p.header);

    let bytes = p.to_bytes().expect("a parsed packet re-serializes");
    let again = RtpPacket::parse(&bytes).expect("a re-serialized packet parses");
    assert_eq!(again, p);
    assert_eq!(map.read(&again.header), values);

    // Writing the typed values back yields a header that reads the same values.
    let mut h = p.header.clone();
    h.opaque_extension = None;
    map.write(&values, &mut h);
    assert_eq!(map.read(&h), values);

    let mut seq = SeqUnwrapper::new();
    let mut ts = TimestampUnwrapper::new();
    let mut last = None;
    for pair in data.chunks_exact(2) {
        let s = u16::from_be_bytes([pair[0], pair[1]]);
        let e = seq.unwrap(s);
        assert_eq!(e as u16, s);
        if let Some(l) = last {
            let d: i64 = e as i64 - l as i64;
            assert!(d.abs() <= 32768 || e == u64::from(s), "jump {d}");
        }
        last = Some(e);
        let t = ts.unwrap(u32::from(s) << 16);
        assert_eq!(t as u32, u32::from(s) << 16);
    }
});
