//! Feeds arbitrary bytes to the SCTP packet and chunk parsers, the DCEP parser, and to an
//! established association, with and without I-DATA (with the header fixed up so the checksum and
//! verification tag pass).
//! Nothing may panic; every chunk and DCEP message that parses must re-encode to an equal value.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rtcio_sctp::bytes::Bytes;
use rtcio_sctp::chunk::Chunk;
use rtcio_sctp::dcep::DcepMessage;
use rtcio_sctp::packet::{self, Packet};
use rtcio_sctp::{Association, Config, DataChannels, DtlsRole};

fuzz_target!(|data: &[u8]| {
    codec(data);
    dcep(data);
    association(data, false);
    association(data, true);
});

fn codec(data: &[u8]) {
    let _ = Packet::parse(Bytes::copy_from_slice(data));
    // Fix the checksum so the chunk parsers see every input.
    let mut fixed = data.to_vec();
    packet::finish_packet(&mut fixed);
    let Ok(p) = Packet::parse(Bytes::from(fixed)) else {
        return;
    };
    let mut it = p.chunks();
    while let Some(raw) = it.next_raw() {
        let Ok((ty, flags, value)) = raw else { break };
        let Ok(chunk) = Chunk::parse(ty, flags, value) else {
            continue;
        };
        let mut out = Vec::new();
        chunk.write(&mut out);
        assert_eq!(out.len(), chunk.encoded_len(), "encoded_len disagrees");
        let len = u16::from_be_bytes([out[2], out[3]]) as usize;
        let again = Chunk::parse(out[0], out[1], Bytes::copy_from_slice(&out[4..len]))
            .expect("a re-encoded chunk parses");
        assert_eq!(again, chunk);
    }
}

fn dcep(data: &[u8]) {
    if let Ok(m) = DcepMessage::parse(data) {
        assert_eq!(DcepMessage::parse(&m.encode()), Ok(m));
    }
}

fn association(data: &[u8], interleaving: bool) {
    let now = Instant::now();
    let cfg = Config {
        enable_interleaving: interleaving,
        ..Config::default()
    };
    let mut a = DataChannels::new(cfg.clone(), now, b"fuzz-a", DtlsRole::Client);
    let mut b = Association::new(cfg, now, b"fuzz-b");
    a.connect(now);
    for _ in 0..4 {
        while let Some(p) = a.poll_transmit(now) {
            b.handle_receive(now, &p);
        }
        while let Some(p) = b.poll_transmit(now) {
            a.handle_receive(now, &p);
        }
    }
    let tag = a.association().local_tag();
    let mut pkt = data.to_vec();
    if pkt.len() >= 12 {
        pkt[0..4].copy_from_slice(&[0x13, 0x88, 0x13, 0x88]);
        pkt[4..8].copy_from_slice(&tag.to_be_bytes());
        packet::finish_packet(&mut pkt);
    }
    a.handle_receive(now, &pkt);
    let later = now + Duration::from_secs(5);
    a.handle_timeout(later);
    while a.poll_transmit(later).is_some() {}
    while a.poll_event().is_some() {}
}
