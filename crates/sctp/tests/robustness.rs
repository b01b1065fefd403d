//! Hostile input: random bytes, malformed chunks, bogus TSNs and SACKs, forged cookies and
//! window abuse never panic and never grow memory without bound.

use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcio_sctp::chunk::{Chunk, CookieEchoChunk, DataChunk, GapAckBlock, InitChunk, SackChunk};
use rtcio_sctp::packet::{self, CommonHeader};
use rtcio_sctp::{Association, CloseReason, Config, Event, Packet, Reliability};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// An established pair driven by hand, plus what a's INIT told us.
struct Manual {
    now: Instant,
    a: Association,
    b: Association,
    a_initial_tsn: u32,
}

fn establish(cfg: Config) -> Manual {
    let now = Instant::now();
    let mut a = Association::new(cfg.clone(), now, b"robust-a");
    let mut b = Association::new(cfg, now, b"robust-b");
    a.connect(now);
    let mut a_initial_tsn = 0;
    for _ in 0..4 {
        while let Some(pkt) = a.poll_transmit(now) {
            let parsed = Packet::parse(Bytes::from(pkt.clone())).unwrap();
            for c in parsed.chunks() {
                if let Ok(Chunk::Init(i)) = c {
                    a_initial_tsn = i.initial_tsn;
                }
            }
            b.handle_receive(now, &pkt);
        }
        while let Some(pkt) = b.poll_transmit(now) {
            a.handle_receive(now, &pkt);
        }
    }
    assert!(a.is_established() && b.is_established());
    while b.poll_event().is_some() {}
    Manual {
        now,
        a,
        b,
        a_initial_tsn,
    }
}

fn to_b(m: &Manual, chunks: &[Chunk]) -> Vec<u8> {
    let h = CommonHeader {
        source_port: 5000,
        destination_port: 5000,
        verification_tag: m.b.local_tag(),
    };
    packet::write_packet(&h, chunks)
}

fn data(tsn: u32, len: usize, b: bool, e: bool) -> Chunk {
    Chunk::Data(DataChunk {
        tsn,
        stream_id: 1,
        ssn: 0,
        ppid: 53,
        unordered: true,
        beginning: b,
        ending: e,
        immediate: false,
        payload: Bytes::from(vec![7u8; len]),
    })
}

#[test]
fn random_packets_never_panic() {
    let mut m = establish(Config::default());
    let mut fresh = Association::new(Config::default(), m.now, b"fresh");
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for i in 0..30_000 {
        let len = (rng.next() % 400) as usize;
        let mut pkt = rng.bytes(len);
        if i % 2 == 0 && pkt.len() >= 12 {
            // Valid header and checksum so the chunk parsers see the garbage.
            pkt[0..4].copy_from_slice(&[0x13, 0x88, 0x13, 0x88]);
            let tag = if i % 4 == 0 { m.b.local_tag() } else { 0 };
            pkt[4..8].copy_from_slice(&tag.to_be_bytes());
            if i % 8 == 0 && pkt.len() >= 16 {
                // A plausible chunk header with a random type.
                let l = (pkt.len() - 12) as u16;
                pkt[14..16].copy_from_slice(&l.to_be_bytes());
            }
            packet::finish_packet(&mut pkt);
        }
        m.b.handle_receive(m.now, &pkt);
        fresh.handle_receive(m.now, &pkt);
        while m.b.poll_transmit(m.now).is_some() {}
        while fresh.poll_transmit(m.now).is_some() {}
        while m.b.poll_event().is_some() {}
        while fresh.poll_event().is_some() {}
        assert!(m.b.receive_buffered() <= 2 * Config::default().max_receive_buffer);
    }
    assert!(m.b.stats().packets_dropped > 0);
}

#[test]
fn window_abuse_is_bounded() {
    let cfg = Config {
        max_receive_buffer: 256 * 1024,
        ..Config::default()
    };
    let mut m = establish(cfg.clone());
    // Out-of-order flood that never fills the hole at the cumulative TSN.
    for i in 0..5_000u32 {
        let tsn = m.a_initial_tsn.wrapping_add(1 + i);
        let pkt = to_b(&m, &[data(tsn, 1000, true, false)]);
        m.b.handle_receive(m.now, &pkt);
        while m.b.poll_transmit(m.now).is_some() {}
    }
    assert!(m.b.receive_buffered() <= cfg.max_receive_buffer);
    assert!(m.b.stats().data_dropped > 0);
    // In-order flood of complete messages that the application never reads.
    let mut m = establish(cfg.clone());
    for i in 0..5_000u32 {
        let tsn = m.a_initial_tsn.wrapping_add(i);
        let pkt = to_b(&m, &[data(tsn, 1000, true, true)]);
        m.b.handle_receive(m.now, &pkt);
        while m.b.poll_transmit(m.now).is_some() {}
    }
    assert!(m.b.receive_buffered() <= cfg.max_receive_buffer);
    assert!(m.b.receive_window() < 1000, "the window is closed");
}

#[test]
fn endless_fragmented_message_is_bounded() {
    let cfg = Config {
        max_receive_buffer: 128 * 1024,
        max_message_size: 64 * 1024,
        ..Config::default()
    };
    let mut m = establish(cfg.clone());
    let tsn0 = m.a_initial_tsn;
    m.b.handle_receive(m.now, &to_b(&m, &[data(tsn0, 1000, true, false)]));
    for i in 1..2_000u32 {
        let pkt = to_b(&m, &[data(tsn0.wrapping_add(i), 1000, false, false)]);
        m.b.handle_receive(m.now, &pkt);
        while m.b.poll_transmit(m.now).is_some() {}
    }
    assert!(m.b.receive_buffered() <= 2 * cfg.max_receive_buffer);
    // An E that completes a too-large message drops it rather than delivering it.
    let mut m = establish(cfg);
    let tsn0 = m.a_initial_tsn;
    for i in 0..100u32 {
        let pkt = to_b(&m, &[data(tsn0.wrapping_add(i), 1000, i == 0, i == 99)]);
        m.b.handle_receive(m.now, &pkt);
    }
    assert!(
        !std::iter::from_fn(|| m.b.poll_event()).any(|e| matches!(e, Event::StreamData { .. }))
    );
    assert_eq!(m.b.stats().dropped_messages, 1);
    assert_eq!(m.b.receive_buffered(), 0);
}

#[test]
fn bogus_tsns_and_sacks_are_ignored() {
    let mut m = establish(Config::default());
    // Far beyond the window.
    let far = to_b(
        &m,
        &[data(m.a_initial_tsn.wrapping_add(1 << 20), 10, true, true)],
    );
    m.b.handle_receive(m.now, &far);
    assert_eq!(m.b.stats().data_dropped, 1);
    // A SACK acknowledging data never sent, and gap blocks beyond anything outstanding.
    let sack = Chunk::Sack(SackChunk {
        cumulative_tsn_ack: 0xdead_beef,
        a_rwnd: u32::MAX,
        gap_ack_blocks: vec![GapAckBlock {
            start: 1,
            end: 65535,
        }],
        duplicate_tsns: vec![1, 2, 3],
    });
    m.b.handle_receive(m.now, &to_b(&m, &[sack]));
    assert_eq!(m.b.stats().sacks_ignored, 1);
    // The association still works.
    m.a.send(
        m.now,
        0,
        53,
        Bytes::from_static(b"ok"),
        Reliability::RELIABLE,
    )
    .unwrap();
    let mut got = false;
    for _ in 0..4 {
        while let Some(p) = m.a.poll_transmit(m.now) {
            m.b.handle_receive(m.now, &p);
        }
        while let Some(p) = m.b.poll_transmit(m.now) {
            m.a.handle_receive(m.now, &p);
        }
        while let Some(e) = m.b.poll_event() {
            got |= matches!(e, Event::StreamData { .. });
        }
    }
    assert!(got);
}

#[test]
fn data_without_user_data_aborts_with_protocol_violation() {
    let mut m = establish(Config::default());
    let mut pkt = to_b(&m, &[data(m.a_initial_tsn, 4, true, true)]);
    // Shrink the DATA chunk to its 16-byte header.
    pkt.truncate(12 + 16);
    pkt[14..16].copy_from_slice(&16u16.to_be_bytes());
    packet::finish_packet(&mut pkt);
    m.b.handle_receive(m.now, &pkt);
    assert!(m.b.is_closed());
    let last = std::iter::from_fn(|| m.b.poll_event()).last();
    assert_eq!(
        last,
        Some(Event::Closed {
            reason: CloseReason::ProtocolViolation
        })
    );
    assert!(m.b.poll_transmit(m.now).is_some(), "an ABORT is sent");
}

#[test]
fn forged_and_tampered_cookies_are_ignored() {
    let now = Instant::now();
    let mut server = Association::new(Config::default(), now, b"server");
    let mut client = Association::new(Config::default(), now, b"client");
    client.connect(now);
    let init = client.poll_transmit(now).unwrap();
    server.handle_receive(now, &init);
    let init_ack = server.poll_transmit(now).unwrap();
    let parsed = Packet::parse(Bytes::from(init_ack)).unwrap();
    let Some(Ok(Chunk::InitAck(ack))) = parsed.chunks().next() else {
        panic!("expected INIT-ACK");
    };
    let cookie = ack.state_cookie.clone().unwrap();
    let send_cookie = |server: &mut Association, cookie: Bytes, at: Instant| {
        let h = CommonHeader {
            source_port: 5000,
            destination_port: 5000,
            verification_tag: ack.initiate_tag,
        };
        let pkt = packet::write_packet(&h, &[Chunk::CookieEcho(CookieEchoChunk { cookie })]);
        server.handle_receive(at, &pkt);
    };
    let mut tampered = cookie.to_vec();
    tampered[10] ^= 1;
    send_cookie(&mut server, Bytes::from(tampered), now);
    send_cookie(&mut server, Bytes::from_static(b"not a cookie"), now);
    assert!(!server.is_established());
    // Too old.
    send_cookie(&mut server, cookie.clone(), now + Duration::from_secs(3600));
    assert!(!server.is_established());
    send_cookie(&mut server, cookie, now);
    assert!(server.is_established());
}

#[test]
fn init_with_nonzero_tag_or_bundled_is_dropped() {
    let now = Instant::now();
    let mut server = Association::new(Config::default(), now, b"server");
    let init = Chunk::Init(InitChunk {
        initiate_tag: 5,
        a_rwnd: 10_000,
        num_outbound_streams: 1,
        num_inbound_streams: 1,
        initial_tsn: 1,
        ..Default::default()
    });
    let h = CommonHeader {
        source_port: 5000,
        destination_port: 5000,
        verification_tag: 99,
    };
    server.handle_receive(now, &packet::write_packet(&h, std::slice::from_ref(&init)));
    assert!(server.poll_transmit(now).is_none());
    let h0 = CommonHeader {
        verification_tag: 0,
        ..h
    };
    server.handle_receive(
        now,
        &packet::write_packet(&h0, &[data(1, 1, true, true), init]),
    );
    assert!(server.poll_transmit(now).is_none());
    assert_eq!(server.stats().packets_dropped, 2);
}

#[test]
fn echoed_heartbeat_with_a_forged_time_is_harmless() {
    let mut m = establish(Config::default());
    // Let b send a heartbeat, then echo it with the timestamp replaced.
    let later = m.now + Duration::from_secs(40);
    m.b.handle_timeout(later);
    let mut info = None;
    while let Some(p) = m.b.poll_transmit(later) {
        for c in Packet::parse(Bytes::from(p)).unwrap().chunks() {
            if let Ok(Chunk::Heartbeat(hb)) = c {
                info = Some(hb.info);
            }
        }
    }
    let info = info.expect("b sent a heartbeat");
    let mut forged = info.to_vec();
    forged[8..16].copy_from_slice(&u64::MAX.to_be_bytes());
    let ack = Chunk::HeartbeatAck(rtcio_sctp::chunk::HeartbeatChunk {
        info: Bytes::from(forged),
    });
    assert_eq!(m.b.srtt(), None);
    m.b.handle_receive(later, &to_b(&m, &[ack]));
    assert!(m.b.is_established());
    assert_eq!(
        m.b.srtt(),
        None,
        "a send time in the future gives no RTT sample"
    );
}
