//! Transport-wide congestion control feedback
//! (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1).

use rtcio_rtp::rtcp::{
    PacketStatus, RtcpPacket, TransportFeedback, parse_compound, write_compound,
};

/// Builds an RTPFB FMT 15 packet around an FCI.
fn packet(fci: &[u8]) -> Vec<u8> {
    let mut b = vec![0x8f, 205, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2];
    b.extend_from_slice(fci);
    while b.len() % 4 != 0 {
        b.push(0);
    }
    let words = (b.len() / 4 - 1) as u16;
    b[2..4].copy_from_slice(&words.to_be_bytes());
    b
}

fn parse(fci: &[u8]) -> TransportFeedback {
    match parse_compound(&packet(fci)).unwrap().packets.remove(0) {
        RtcpPacket::TransportFeedback(f) => f,
        other => panic!("{other:?}"),
    }
}

#[test]
fn run_length_chunk_of_221_not_received() {
    // The draft's run-length example: 0 | 00 | 0000011011101 = 221 packets not received.
    let fci = [0, 100, 0, 221, 0, 0, 1, 0, 0b0000_0000, 0b1101_1101];
    let f = parse(&fci);
    assert_eq!(f.base_seq, 100);
    assert_eq!(f.reference_time, 1);
    assert_eq!(f.statuses, vec![PacketStatus::NotReceived; 221]);
    // Re-encodes to the same single chunk.
    let b = write_compound(&[RtcpPacket::TransportFeedback(f)]).unwrap();
    assert_eq!(&b[20..22], &[0x00, 0xdd]);
}

#[test]
fn one_bit_status_vector() {
    // 1 | 0 | 11100101101000: received, received, received, lost, lost, received, lost,
    // received, received, lost, received, lost, lost, lost.
    let chunk: u16 = 0b1011_1001_0110_1000;
    let mut fci = vec![0, 0, 0, 14, 0, 0, 0, 0];
    fci.extend_from_slice(&chunk.to_be_bytes());
    fci.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7]); // seven small deltas
    let f = parse(&fci);
    let received: Vec<bool> = f
        .statuses
        .iter()
        .map(|s| !matches!(s, PacketStatus::NotReceived))
        .collect();
    let expect = [1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0].map(|b| b == 1);
    assert_eq!(received, expect);
    assert_eq!(f.statuses[10], PacketStatus::SmallDelta(7));
}

#[test]
fn two_bit_status_vector_with_large_and_negative_deltas() {
    // 1 | 1 | 01 10 00 10 00 00 00 with count 4: small, large, lost, large.
    let chunk: u16 = 0b1101_1000_1000_0000;
    let mut fci = vec![0xff, 0xff, 0, 4, 0xff, 0xff, 0xff, 9];
    fci.extend_from_slice(&chunk.to_be_bytes());
    fci.extend_from_slice(&[10, 0x01, 0x00, 0xff, 0xfe]);
    let f = parse(&fci);
    assert_eq!(f.reference_time, -1);
    assert_eq!(f.fb_pkt_count, 9);
    assert_eq!(
        f.statuses,
        vec![
            PacketStatus::SmallDelta(10),
            PacketStatus::LargeDelta(256),
            PacketStatus::NotReceived,
            PacketStatus::LargeDelta(-2),
        ]
    );
    let arrivals: Vec<_> = f.arrivals().collect();
    let base = -64_000;
    assert_eq!(
        arrivals,
        vec![
            (65535, Some(base + 2_500)),
            (0, Some(base + 2_500 + 64_000)),
            (1, None),
            (2, Some(base + 2_500 + 64_000 - 500)),
        ]
    );
}

#[test]
fn build_from_arrivals_and_parse_back() {
    // Gaps, a reordered (negative) delta, a large delta, and a sequence wrap.
    let arrivals = [
        (65530u16, 1_000_000u64),
        (65531, 1_000_250),
        (65533, 1_010_000),
        (65534, 1_009_000),
        (2, 1_200_000),
        (3, 1_200_100),
    ];
    let f = TransportFeedback::from_arrivals(1, 2, 3, &arrivals).unwrap();
    assert_eq!(f.base_seq, 65530);
    assert_eq!(f.statuses.len(), 10);
    let b = write_compound(&[RtcpPacket::TransportFeedback(f.clone())]).unwrap();
    let RtcpPacket::TransportFeedback(back) = &parse_compound(&b).unwrap().packets[0] else {
        panic!()
    };
    assert_eq!(back, &f);
    assert_eq!(back.reference_time, 15);
    let got: Vec<_> = back
        .arrivals()
        .filter_map(|(s, t)| t.map(|t| (s, t)))
        .collect();
    assert_eq!(got.len(), arrivals.len());
    for ((seq, t), (want_seq, want_t)) in got.iter().zip(arrivals) {
        assert_eq!(*seq, want_seq);
        // Within half a tick of the truth.
        // Reference time 15 (no 24-bit wrap), so times come back on the input clock.
        let err = (t - want_t as i64).abs();
        assert!(err <= 125, "seq {seq}: error {err} µs");
    }
}

#[test]
fn long_runs_use_run_length_chunks() {
    let arrivals: Vec<(u16, u64)> = (0..1000u16).map(|i| (i, 1_000 * u64::from(i))).collect();
    let f = TransportFeedback::from_arrivals(1, 2, 0, &arrivals).unwrap();
    let b = write_compound(&[RtcpPacket::TransportFeedback(f.clone())]).unwrap();
    // One run-length chunk (symbol 01, run 1000) then 1000 one-byte deltas.
    assert_eq!(&b[20..22], &(0x2000u16 | 1000).to_be_bytes());
    assert!(b.len() <= 20 + 2 + 1000 + 4);
    let RtcpPacket::TransportFeedback(back) = &parse_compound(&b).unwrap().packets[0] else {
        panic!()
    };
    assert_eq!(back, &f);
}

#[test]
fn mixed_patterns_round_trip() {
    let mut arrivals = Vec::new();
    let mut t = 5_000_000u64;
    let mut seq = 100u16;
    for i in 0..500u32 {
        seq = seq.wrapping_add(1 + (i % 7 == 0) as u16 * (i % 3) as u16);
        t = if i % 11 == 0 {
            t + 70_000
        } else if i % 13 == 0 {
            t - 2_000
        } else {
            t + 300
        };
        arrivals.push((seq, t));
    }
    let f = TransportFeedback::from_arrivals(1, 2, 0, &arrivals).unwrap();
    let b = write_compound(&[RtcpPacket::TransportFeedback(f.clone())]).unwrap();
    let RtcpPacket::TransportFeedback(back) = &parse_compound(&b).unwrap().packets[0] else {
        panic!()
    };
    assert_eq!(back, &f);
}

#[test]
fn builder_rejects_bad_input() {
    assert!(TransportFeedback::from_arrivals(1, 2, 0, &[]).is_err());
    assert!(TransportFeedback::from_arrivals(1, 2, 0, &[(5, 0), (5, 1)]).is_err());
    assert!(TransportFeedback::from_arrivals(1, 2, 0, &[(5, 0), (4, 1)]).is_err());
    // Delta beyond ±8.19 s.
    assert!(TransportFeedback::from_arrivals(1, 2, 0, &[(5, 0), (6, 9_000_000)]).is_err());
    // Range over the packet bound.
    assert!(TransportFeedback::from_arrivals(1, 2, 0, &[(0, 0), (20_000, 1)]).is_err());
}

#[test]
fn build_from_instants() {
    use std::time::{Duration, Instant};
    let epoch = Instant::now();
    let at = |ms: u64| epoch + Duration::from_millis(ms);
    let f = TransportFeedback::from_arrival_instants(1, 2, 0, epoch, &[(7, at(100)), (9, at(130))])
        .unwrap();
    assert_eq!(f.reference_time, 1); // 100 ms rounded down to 64 ms units
    let times: Vec<_> = f.arrivals().collect();
    assert_eq!(
        times,
        vec![(7, Some(100_000)), (8, None), (9, Some(130_000))]
    );
}
